/*
 * Monotonic time in nanoseconds. Modules take `now_ns` as an argument so that
 * tests drive them with a simulated clock; only the outer layers (network
 * thread, API, tools) read the real clock here. Thread role: any.
 */
#ifndef RILL_CORE_CLOCK_H
#define RILL_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)

static inline int64_t clock_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Wall-clock time (Unix epoch) in nanoseconds: only for what crosses
 * machines (RTCP's NTP timestamps). Thread role: any. */
static inline int64_t clock_realtime_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

#endif /* RILL_CORE_CLOCK_H */
