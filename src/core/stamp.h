/*
 * A stamp: an RTP timestamp and the monotonic time it belongs to, published
 * by one writer (a real-time thread) and read by others under a sequence
 * lock: relaxed atomics and fences, no lock, no system call. Used for the
 * sender's capture anchor and a receiver session's play position.
 *
 * One writer at a time; readers may run at any moment. A time of 0 means
 * "nothing stamped yet" (stamp_clear sets it).
 * Thread role: writer and readers as above.
 */
#ifndef RILL_CORE_STAMP_H
#define RILL_CORE_STAMP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct stamp {
  atomic_uint seq; /* odd while the writer updates it */
  atomic_uint_least32_t rtp_ts;
  atomic_int_least64_t time_ns;
};

static inline void stamp_write(struct stamp *st, uint32_t rtp_ts, int64_t time_ns)
{
  unsigned seq = atomic_load_explicit(&st->seq, memory_order_relaxed);
  atomic_store_explicit(&st->seq, seq + 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(&st->rtp_ts, rtp_ts, memory_order_relaxed);
  atomic_store_explicit(&st->time_ns, time_ns, memory_order_relaxed);
  atomic_store_explicit(&st->seq, seq + 2, memory_order_release);
}

/* Back to "nothing stamped yet". Only while no writer runs. */
static inline void stamp_clear(struct stamp *st)
{
  stamp_write(st, 0, 0);
}

/* The last stamp; false if none yet or the writer was at it (try later). */
static inline bool stamp_read(const struct stamp *st, uint32_t *rtp_ts, int64_t *time_ns)
{
  unsigned seq = atomic_load_explicit(&st->seq, memory_order_acquire);
  if (seq & 1)
    return false;
  *rtp_ts = atomic_load_explicit(&st->rtp_ts, memory_order_relaxed);
  *time_ns = atomic_load_explicit(&st->time_ns, memory_order_relaxed);
  atomic_thread_fence(memory_order_acquire);
  return atomic_load_explicit(&st->seq, memory_order_relaxed) == seq && *time_ns != 0;
}

#endif /* RILL_CORE_STAMP_H */
