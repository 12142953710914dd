/*
 * Option-value parsing shared by the test utilities (wavgen, wavcheck,
 * udp_relay). Define ARG_PROG (the program name, for messages) before
 * including. Each function prints one line on stderr and returns -1 on a
 * bad value, 0 (and the value) otherwise.
 */
#ifndef RILL_TEST_TOOLS_ARG_PARSE_H
#define RILL_TEST_TOOLS_ARG_PARSE_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef ARG_PROG
#error "define ARG_PROG before including arg_parse.h"
#endif

static inline int parse_double(const char *opt, const char *text, double min, double max,
                               double *out)
{
  char *end = NULL;
  double v;
  errno = 0;
  v = strtod(text, &end);
  if (end == text || *end != '\0' || errno != 0 || !isfinite(v)) {
    fprintf(stderr, ARG_PROG ": %s: not a number: '%s'\n", opt, text);
    return -1;
  }
  if (v < min || v > max) {
    fprintf(stderr, ARG_PROG ": %s: %g out of range %g..%g\n", opt, v, min, max);
    return -1;
  }
  *out = v;
  return 0;
}

static inline int parse_ll(const char *opt, const char *text, long long min, long long max,
                           long long *out)
{
  char *end = NULL;
  long long v;
  errno = 0;
  v = strtoll(text, &end, 10);
  if (end == text || *end != '\0' || errno != 0) {
    fprintf(stderr, ARG_PROG ": %s: not a whole number: '%s'\n", opt, text);
    return -1;
  }
  if (v < min || v > max) {
    fprintf(stderr, ARG_PROG ": %s: %lld out of range %lld..%lld\n", opt, v, min, max);
    return -1;
  }
  *out = v;
  return 0;
}

#endif /* RILL_TEST_TOOLS_ARG_PARSE_H */
