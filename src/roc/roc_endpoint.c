/*
 * roc 0.4 API: endpoints. An endpoint is four parts (protocol, host, port,
 * resource), each set, unset or invalid; the URI is only their formatting.
 * Parsing follows roc's grammar, protocol://host[:port][/path][?query],
 * with roc's rules: only RTSP has a default port (554) and a resource.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <roc/endpoint.h>

#include "roc/roc_internal.h"

#define HOST_MAX 256
#define RESOURCE_MAX 1024
#define RTSP_DEFAULT_PORT 554

enum part_state { PART_UNSET = 0, PART_SET, PART_INVALID };

struct roc_endpoint {
  enum part_state proto_state, host_state, port_state, resource_state;
  roc_protocol proto;
  char host[HOST_MAX]; /* an IPv6 literal without brackets */
  int port;
  char resource[RESOURCE_MAX]; /* "/path?query", "?query" or "/path" */
};

static const roc_protocol all_protocols[] = {
    ROC_PROTO_RTSP,        ROC_PROTO_RTP,         ROC_PROTO_RTP_RS8M_SOURCE,
    ROC_PROTO_RS8M_REPAIR, ROC_PROTO_RTP_LDPC_SOURCE, ROC_PROTO_LDPC_REPAIR,
    ROC_PROTO_RTCP,
};

static bool proto_known(roc_protocol p)
{
  size_t i;
  for (i = 0; i < sizeof(all_protocols) / sizeof(all_protocols[0]); i++)
    if (all_protocols[i] == p)
      return true;
  return false;
}

static bool proto_has_resource(roc_protocol p)
{
  return p == ROC_PROTO_RTSP;
}

static bool host_ok(const char *h, size_t len)
{
  size_t i;
  bool v6 = memchr(h, ':', len) != NULL;
  if (len == 0 || len >= HOST_MAX)
    return false;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)h[i];
    if (v6 ? !(isxdigit(c) || c == ':' || c == '.' || c == '%')
           : !(isalnum(c) || c == '-' || c == '.' || c == '_'))
      return false;
  }
  return true;
}

/* RFC 3986 path and query characters, and percent escapes. */
static bool resource_ok(const char *r)
{
  const char *q = strchr(r, '?');
  if (r[0] != '/' && r[0] != '?')
    return false;
  if (q && strchr(q + 1, '?'))
    return false;
  for (; *r; r++) {
    unsigned char c = (unsigned char)*r;
    if (c == '%') {
      if (!isxdigit((unsigned char)r[1]) || !isxdigit((unsigned char)r[2]))
        return false;
      r += 2;
    } else if (!(isalnum(c) || strchr("-._~!$&'()*+,;=:@/?", c))) {
      return false;
    }
  }
  return true;
}

ROC_API int roc_endpoint_allocate(roc_endpoint **result)
{
  if (!result)
    return -1;
  *result = calloc(1, sizeof(**result));
  return *result ? 0 : -1;
}

ROC_API int roc_endpoint_deallocate(roc_endpoint *ep)
{
  if (!ep)
    return -1;
  free(ep);
  return 0;
}

static void invalidate_all(roc_endpoint *ep)
{
  ep->proto_state = ep->host_state = ep->port_state = ep->resource_state = PART_INVALID;
}

ROC_API int roc_endpoint_set_uri(roc_endpoint *ep, const char *uri)
{
  const char *sep, *host, *host_end, *p;
  size_t i, scheme_len, host_len;
  roc_protocol proto = (roc_protocol)0;
  bool found = false;
  long port = -1;

  if (!ep)
    return -1;
  if (!uri)
    goto bad;
  sep = strstr(uri, "://");
  if (!sep)
    goto bad;
  scheme_len = (size_t)(sep - uri);
  for (i = 0; i < sizeof(all_protocols) / sizeof(all_protocols[0]); i++) {
    const char *s = roc__proto_scheme(all_protocols[i]);
    if (strlen(s) == scheme_len && strncmp(s, uri, scheme_len) == 0) {
      proto = all_protocols[i];
      found = true;
    }
  }
  if (!found)
    goto bad;
  host = sep + 3;
  if (*host == '[') {
    host_end = strchr(host, ']');
    if (!host_end)
      goto bad;
    host++;
    p = host_end + 1;
  } else {
    host_end = host + strcspn(host, ":/?");
    p = host_end;
  }
  host_len = (size_t)(host_end - host);
  if (!host_ok(host, host_len) || (host[-1] != '[' && memchr(host, ':', host_len)))
    goto bad;
  if (*p == ':') {
    char *end = NULL;
    if (!isdigit((unsigned char)p[1]))
      goto bad;
    port = strtol(p + 1, &end, 10);
    if (port < 0 || port > 65535)
      goto bad;
    p = end;
  } else if (proto != ROC_PROTO_RTSP) {
    goto bad; /* no default port */
  }
  if (*p && (!proto_has_resource(proto) || !resource_ok(p) || strlen(p) >= RESOURCE_MAX))
    goto bad;
  memset(ep, 0, sizeof(*ep));
  ep->proto = proto;
  ep->proto_state = PART_SET;
  memcpy(ep->host, host, host_len);
  ep->host[host_len] = '\0';
  ep->host_state = PART_SET;
  ep->port = (int)port;
  ep->port_state = port >= 0 ? PART_SET : PART_UNSET;
  if (*p) {
    strcpy(ep->resource, p);
    ep->resource_state = PART_SET;
  }
  return 0;
bad:
  ROC_LOG_ERR("roc_endpoint_set_uri: invalid URI \"%s\"", uri ? uri : "(null)");
  invalidate_all(ep);
  return -1;
}

ROC_API int roc_endpoint_set_protocol(roc_endpoint *ep, roc_protocol proto)
{
  if (!ep)
    return -1;
  if (!proto_known(proto) ||
      (ep->resource_state == PART_SET && !proto_has_resource(proto))) {
    ep->proto_state = PART_INVALID;
    return -1;
  }
  ep->proto = proto;
  ep->proto_state = PART_SET;
  return 0;
}

ROC_API int roc_endpoint_set_host(roc_endpoint *ep, const char *host)
{
  size_t len;
  if (!ep)
    return -1;
  if (!host)
    goto bad;
  len = strlen(host);
  if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
    host++;
    len -= 2;
  }
  if (!host_ok(host, len))
    goto bad;
  memcpy(ep->host, host, len);
  ep->host[len] = '\0';
  ep->host_state = PART_SET;
  return 0;
bad:
  ep->host_state = PART_INVALID;
  return -1;
}

ROC_API int roc_endpoint_set_port(roc_endpoint *ep, int port)
{
  if (!ep)
    return -1;
  if (port == -1) {
    ep->port_state = PART_UNSET;
    return 0;
  }
  if (port < 0 || port > 65535) {
    ep->port_state = PART_INVALID;
    return -1;
  }
  ep->port = port;
  ep->port_state = PART_SET;
  return 0;
}

ROC_API int roc_endpoint_set_resource(roc_endpoint *ep, const char *res)
{
  if (!ep)
    return -1;
  if (!res || !*res) {
    ep->resource_state = PART_UNSET;
    return 0;
  }
  if (!resource_ok(res) || strlen(res) >= RESOURCE_MAX ||
      (ep->proto_state == PART_SET && !proto_has_resource(ep->proto))) {
    ep->resource_state = PART_INVALID;
    return -1;
  }
  strcpy(ep->resource, res);
  ep->resource_state = PART_SET;
  return 0;
}

/* snprintf into a caller's (buf, *bufsz), roc style: *bufsz gets the size needed. */
static int put_string(char *buf, size_t *bufsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int put_string(char *buf, size_t *bufsz, const char *fmt, ...)
{
  char tmp[HOST_MAX + RESOURCE_MAX + 64];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0)
    return -1;
  if (!buf || *bufsz < (size_t)n + 1) {
    *bufsz = (size_t)n + 1;
    return buf ? -1 : 0;
  }
  memcpy(buf, tmp, (size_t)n + 1);
  *bufsz = (size_t)n + 1;
  return 0;
}

static bool complete(const roc_endpoint *ep)
{
  return ep->proto_state == PART_SET && ep->host_state == PART_SET &&
         ep->port_state != PART_INVALID && ep->resource_state != PART_INVALID &&
         (ep->port_state == PART_SET || ep->proto == ROC_PROTO_RTSP) &&
         (ep->resource_state != PART_SET || proto_has_resource(ep->proto));
}

static int format_uri(const roc_endpoint *ep, char *buf, size_t *bufsz)
{
  bool v6 = strchr(ep->host, ':') != NULL;
  char port[16] = "";
  if (ep->port_state == PART_SET)
    snprintf(port, sizeof(port), ":%d", ep->port);
  return put_string(buf, bufsz, "%s://%s%s%s%s%s", roc__proto_scheme(ep->proto), v6 ? "[" : "",
                    ep->host, v6 ? "]" : "", port,
                    ep->resource_state == PART_SET ? ep->resource : "");
}

ROC_API int roc_endpoint_get_uri(const roc_endpoint *ep, char *buf, size_t *bufsz)
{
  if (!ep || !bufsz)
    return -1;
  if (!complete(ep))
    return -1;
  return format_uri(ep, buf, bufsz);
}

ROC_API int roc_endpoint_get_protocol(const roc_endpoint *ep, roc_protocol *proto)
{
  if (!ep || !proto || ep->proto_state != PART_SET)
    return -1;
  *proto = ep->proto;
  return 0;
}

ROC_API int roc_endpoint_get_host(const roc_endpoint *ep, char *buf, size_t *bufsz)
{
  if (!ep || !bufsz || ep->host_state != PART_SET)
    return -1;
  return put_string(buf, bufsz, "%s", ep->host);
}

ROC_API int roc_endpoint_get_port(const roc_endpoint *ep, int *port)
{
  if (!ep || !port || ep->port_state == PART_INVALID)
    return -1;
  if (ep->port_state == PART_SET) {
    *port = ep->port;
    return 0;
  }
  if (ep->proto_state == PART_SET && ep->proto == ROC_PROTO_RTSP) {
    *port = RTSP_DEFAULT_PORT;
    return 0;
  }
  return -1;
}

ROC_API int roc_endpoint_get_resource(const roc_endpoint *ep, char *buf, size_t *bufsz)
{
  if (!ep || !bufsz || ep->resource_state != PART_SET)
    return -1;
  return put_string(buf, bufsz, "%s", ep->resource);
}

int roc__endpoint_uri(const roc_endpoint *ep, char *buf, size_t cap, roc_protocol *proto)
{
  size_t size = cap;
  if (!complete(ep) || ep->port_state != PART_SET || format_uri(ep, buf, &size) != 0) {
    ROC_LOG_ERR("endpoint has a missing or invalid part");
    return -1;
  }
  *proto = ep->proto;
  return 0;
}

void roc__endpoint_set_bound_port(roc_endpoint *ep, int port)
{
  ep->port = port;
  ep->port_state = PART_SET;
}
