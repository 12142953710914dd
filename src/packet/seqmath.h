/*
 * Wrap-aware arithmetic on RTP sequence numbers (16 bits) and timestamps
 * (32 bits).
 *
 * Both counters wrap, so "a is after b" only makes sense within half the
 * counter range: the difference a - b is taken modulo 2^16 (2^32) and read
 * as a signed number in [-2^15, 2^15) ([-2^31, 2^31)). A distance of exactly
 * half the range is ambiguous; it reads as negative, so for such a pair each
 * value is "before" the other. Callers that care keep their windows well
 * below half the range (RFC 3550 A.1 uses the same convention).
 *
 * Every RTP seq/timestamp comparison in rill goes through these helpers;
 * plain `<` on them is a bug at the wrap.
 *
 * Thread role: any (pure functions).
 */
#ifndef RILL_PACKET_SEQMATH_H
#define RILL_PACKET_SEQMATH_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Signed distance from sequence number `b` to `a`: how many packets `a` is
 * after `b` (negative: before). Range [-32768, 32767];
 * seq_diff(0, 65535) == 1.
 */
static inline int32_t seq_diff(uint16_t a, uint16_t b)
{
  uint16_t d = (uint16_t)(a - b);
  /* Spelled out instead of an (int16_t) cast, which is implementation-defined. */
  return d < 0x8000u ? (int32_t)d : (int32_t)d - 0x10000;
}

/* True if sequence number `a` comes strictly before `b`. */
static inline bool seq_before(uint16_t a, uint16_t b)
{
  return seq_diff(a, b) < 0;
}

/*
 * Signed distance from timestamp `b` to `a` in timestamp units (samples per
 * channel for audio). Range [-2^31, 2^31 - 1]; ts_diff(0, 0xffffffff) == 1.
 */
static inline int64_t ts_diff(uint32_t a, uint32_t b)
{
  uint32_t d = a - b;
  return d < 0x80000000u ? (int64_t)d : (int64_t)d - INT64_C(0x100000000);
}

/* True if timestamp `a` comes strictly before `b`. */
static inline bool ts_before(uint32_t a, uint32_t b)
{
  return ts_diff(a, b) < 0;
}

#endif /* RILL_PACKET_SEQMATH_H */
