/*
 * Option-value parsing shared by the flood benchmark's programs (flood_gen,
 * stalled_receiver).
 */
#ifndef RILL_BENCH_ARGS_H
#define RILL_BENCH_ARGS_H

#include <errno.h>
#include <stdlib.h>

/* *out = `s` as a number in [lo, hi]; -1 if it is not one or out of range. */
static inline int parse_double(const char *s, double lo, double hi, double *out)
{
  char *end;
  double v;
  errno = 0;
  v = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
    return -1;
  *out = v;
  return 0;
}

#endif /* RILL_BENCH_ARGS_H */
