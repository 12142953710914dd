/*
 * Argument helpers of rill's PipeWire modules (pwmod.h).
 *
 * Values come from pw_properties_new_string(args): strings, whatever the
 * config wrote. A bad value fails the module's load with one log line that
 * names the key, rather than falling back to a default as roc's modules do:
 * a typo in a port should not open a different port.
 */
#include "pwmod.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int pwmod_get_uint(const struct pw_properties *props, const char *key, uint64_t def,
                   uint64_t min, uint64_t max, int sizes, uint64_t *out)
{
  const char *str = pw_properties_get(props, key);
  char *end;
  unsigned long long v;
  uint64_t mult = 1;
  if (!str || !*str) {
    *out = def;
    return 0;
  }
  errno = 0;
  v = strtoull(str, &end, 10);
  if (sizes && *end) {
    if (strcmp(end, "K") == 0)
      mult = 1024;
    else if (strcmp(end, "M") == 0)
      mult = 1024 * 1024;
    else if (strcmp(end, "G") == 0)
      mult = 1024 * 1024 * 1024;
    else
      mult = 0;
    end += mult ? 1 : 0;
  }
  if (errno || end == str || *end || str[0] == '-' || mult == 0 || v > max / mult ||
      v * mult < min) {
    pw_log_error("rill: %s = '%s': expected %s%" PRIu64 "..%" PRIu64, key, str,
                 sizes ? "a size (K, M, G suffixes) " : "", min, max);
    return -EINVAL;
  }
  *out = v * mult;
  return 0;
}

int pwmod_get_fec(const struct pw_properties *props, enum pwmod_fec *out)
{
  const char *str = pw_properties_get(props, "fec.code");
  if (!str || !*str || strcmp(str, "rs8m") == 0)
    *out = PWMOD_FEC_RS8M;
  else if (strcmp(str, "disable") == 0)
    *out = PWMOD_FEC_NONE;
  else if (strcmp(str, "ldpc") == 0)
    *out = PWMOD_FEC_LDPC;
  else {
    pw_log_error("rill: fec.code = '%s': expected disable, rs8m or ldpc", str);
    return -EINVAL;
  }
  return 0;
}

int pwmod_uri(char *out, size_t cap, enum pwmod_fec fec, int repair, const char *ip,
              uint64_t port)
{
  static const char *const source_schemes[] = {"rtp", "rtp+rs8m", "rtp+ldpc"};
  static const char *const repair_schemes[] = {"", "rs8m", "ldpc"};
  const char *scheme = repair ? repair_schemes[fec] : source_schemes[fec];
  int v6 = strchr(ip, ':') != NULL;
  int n = snprintf(out, cap, "%s://%s%s%s:%" PRIu64, scheme, v6 ? "[" : "", ip, v6 ? "]" : "",
                   port);
  if (n < 0 || (size_t)n >= cap) {
    pw_log_error("rill: address too long: %s", ip);
    return -EINVAL;
  }
  return 0;
}
