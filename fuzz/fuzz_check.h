/*
 * Shared by the fuzz targets: CHECK(cond) reports a failed invariant and
 * aborts, so that libFuzzer (or the corpus runner) keeps the input.
 */
#ifndef RILL_FUZZ_CHECK_H
#define RILL_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
      abort();                                                                  \
    }                                                                           \
  } while (0)

#endif /* RILL_FUZZ_CHECK_H */
