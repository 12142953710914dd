/* Public context API: defaults and validation, then pipeline/context. */
#include <rill/context.h>
#include <rill/status.h>
#include <string.h>

#include "api/api.h"
#include "core/log.h"
#include "pipeline/context.h"

/* struct_size 0: the rill 0.1 layout. */
#define CONTEXT_CONFIG_SIZE_0_1 API_SIZE_THROUGH(struct rill_context_config, max_packet_bytes)

void rill_context_config_init(struct rill_context_config *config)
{
  if (!config)
    return;
  memset(config, 0, sizeof(*config));
  config->struct_size = sizeof(*config);
  config->max_mem_bytes = CONTEXT_DEFAULT_BUDGET_BYTES;
  config->max_packet_bytes = CONTEXT_DEFAULT_MAX_PACKET_BYTES;
}

int api_context_params(const struct rill_context_config *config, struct rill_context_params *out)
{
  struct rill_context_config c;
  int status = api_config_copy(&c, sizeof(c), config, CONTEXT_CONFIG_SIZE_0_1, "context");
  if (status != RILL_OK)
    return status;
  out->arena = NULL; /* the heap */
  out->budget_bytes = c.max_mem_bytes ? c.max_mem_bytes : CONTEXT_DEFAULT_BUDGET_BYTES;
  out->max_packet_bytes =
      c.max_packet_bytes ? c.max_packet_bytes : CONTEXT_DEFAULT_MAX_PACKET_BYTES;
  if (out->max_packet_bytes < 64 || out->max_packet_bytes > 65507) {
    RILL_LOG(RILL_LOG_ERROR, "api", "max_packet_bytes %zu out of range 64..65507",
             out->max_packet_bytes);
    return RILL_EINVAL;
  }
  return RILL_OK;
}

int rill_context_open(const struct rill_context_config *config, struct rill_context **out)
{
  struct rill_context_params p;
  int status;
  if (!out)
    return RILL_EINVAL;
  *out = NULL;
  status = api_context_params(config, &p);
  if (status != RILL_OK)
    return status;
  return context_create(&p, out);
}

int rill_context_close(struct rill_context *ctx)
{
  return context_destroy(ctx);
}
