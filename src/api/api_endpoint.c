/*
 * Public endpoint checks, and the URI-to-address step shared by
 * rill_receiver_bind and rill_sender_connect.
 */
#include "api/api.h"

#include <rill/endpoint.h>
#include <rill/status.h>

#include "core/log.h"
#include "fec/payload_id.h"
#include "net/resolve.h"

int api_parse_endpoint(const char *uri, bool for_bind, struct rill_uri *out, char *err,
                       size_t err_cap)
{
  return uri_parse_flags(uri, for_bind ? URI_ALLOW_PORT_ZERO : 0, out, err, err_cap);
}

int rill_endpoint_check(const char *uri, int for_bind, char *err, size_t err_cap)
{
  struct rill_uri parsed;
  char local[160];
  if (!err || err_cap == 0) {
    err = local;
    err_cap = sizeof(local);
  }
  return api_parse_endpoint(uri, for_bind != 0, &parsed, err, err_cap);
}

int api_resolve_endpoint(const char *uri, bool for_bind, struct sockaddr_storage *out)
{
  struct rill_uri parsed;
  return api_resolve_endpoint_uri(uri, for_bind, out, &parsed);
}

int api_uri_fec_scheme(const struct rill_uri *parsed)
{
  switch (uri_scheme_fec(parsed->scheme)) {
  case URI_FEC_RS8M:
    return FEC_SCHEME_RS8M;
  case URI_FEC_LDPC:
    return FEC_SCHEME_LDPC;
  default:
    return 0;
  }
}

int api_resolve_endpoint_uri(const char *uri, bool for_bind, struct sockaddr_storage *out,
                             struct rill_uri *out_uri)
{
  struct rill_uri parsed;
  char err[200];
  int status = api_parse_endpoint(uri, for_bind, &parsed, err, sizeof(err));
  if (status != RILL_OK) {
    RILL_LOG(RILL_LOG_ERROR, "api", "bad endpoint: %s", err);
    return status == RILL_EUNSUPPORTED ? RILL_EINVAL : status;
  }
  status = resolve_uri(&parsed, out);
  if (status != RILL_OK)
    RILL_LOG(RILL_LOG_ERROR, "api", "cannot resolve host '%s'", parsed.host);
  *out_uri = parsed;
  return status;
}

void api_memory_metrics(const struct rill_limiter_stats *in, struct rill_memory_metrics *out)
{
  out->used_bytes = in->used_bytes;
  out->peak_bytes = in->peak_bytes;
  out->budget_bytes = in->budget_bytes;
  out->refused = in->refused;
}
