/* Public context API: defaults and validation, then pipeline/context. */
#include <rill/context.h>
#include <rill/status.h>

#include "core/log.h"
#include "pipeline/context.h"

int rill_context_open(const struct rill_context_config *config, struct rill_context **out)
{
  struct rill_context_params p = {CONTEXT_DEFAULT_BUDGET_BYTES, CONTEXT_DEFAULT_MAX_PACKET_BYTES, NULL};
  if (!out)
    return RILL_EINVAL;
  *out = NULL;
  if (config) {
    if (config->max_mem_bytes)
      p.budget_bytes = config->max_mem_bytes;
    if (config->max_packet_bytes)
      p.max_packet_bytes = config->max_packet_bytes;
  }
  if (p.max_packet_bytes < 64 || p.max_packet_bytes > 65507) {
    RILL_LOG(RILL_LOG_ERROR, "api", "max_packet_bytes %zu out of range 64..65507",
             p.max_packet_bytes);
    return RILL_EINVAL;
  }
  return context_create(&p, out);
}

int rill_context_close(struct rill_context *ctx)
{
  return context_destroy(ctx);
}
