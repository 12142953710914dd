/*
 * Reading public config structs that can grow (rill/context.h, "Config
 * structs that can grow"). Each config begins with its struct_size; the
 * library copies what the caller's struct covers into its own, zeroed, and
 * zero means the default in every field. The rules for a larger struct
 * follow Linux's copy_struct_from_user (openat2, sched_setattr): bytes this
 * library does not know of are accepted only when they are zero, and a
 * size beyond a bound (a page there, 4 KiB here) is refused, so that a
 * config whose struct_size is stack garbage is not read far past its end.
 */
#include "api/api.h"

#include <rill/status.h>
#include <rill/version.h>
#include <string.h>

#include "core/log.h"

int api_config_copy(void *dst, size_t dst_size, const void *src, size_t base_size,
                    const char *what)
{
  const unsigned char *bytes = src;
  size_t size, i;

  memset(dst, 0, dst_size);
  if (!src)
    return RILL_OK;
  memcpy(&size, src, sizeof(size));
  if (size == 0)
    size = base_size;
  if (size < sizeof(size_t) || size > API_CONFIG_MAX_BYTES) {
    RILL_LOG(RILL_LOG_ERROR, "api",
             "%s config: struct_size %zu is not a size (fill it with rill_%s_config_init)", what,
             size, what);
    return RILL_EINVAL;
  }
  for (i = dst_size; i < size; i++) {
    if (bytes[i] != 0) {
      RILL_LOG(RILL_LOG_ERROR, "api",
               "%s config: byte %zu of %zu is set, past the %zu this library (rill %s) knows of",
               what, i, size, dst_size, RILL_VERSION_STRING);
      return RILL_EUNSUPPORTED;
    }
  }
  memcpy(dst, src, size < dst_size ? size : dst_size);
  return RILL_OK;
}

int api_out_size(const void *out, size_t base_size, const char *what, size_t *size)
{
  memcpy(size, out, sizeof(*size));
  if (*size == 0)
    *size = base_size;
  if (*size < sizeof(size_t) || *size > API_CONFIG_MAX_BYTES) {
    RILL_LOG(RILL_LOG_ERROR, "api", "%s metrics: struct_size %zu is not a size (set it to sizeof)",
             what, *size);
    return RILL_EINVAL;
  }
  return RILL_OK;
}

void api_out_write(void *out, size_t out_size, const void *full, size_t full_size)
{
  size_t common = out_size < full_size ? out_size : full_size;
  memcpy(out, full, common);
  if (out_size > common)
    memset((unsigned char *)out + common, 0, out_size - common);
  memcpy(out, &out_size, sizeof(out_size));
}
