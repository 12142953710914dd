/*
 * Shared includes and helpers for cmocka tests.
 */
#ifndef RILL_TEST_UTIL_H
#define RILL_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the above first. */
#include <cmocka.h>

/* Iterations for two-thread stress tests: enough to interleave, bounded in time. */
#ifndef RILL_STRESS_ITERATIONS
#define RILL_STRESS_ITERATIONS 200000
#endif

#endif /* RILL_TEST_UTIL_H */
