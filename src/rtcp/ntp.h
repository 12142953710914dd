/*
 * NTP timestamps (RFC 3550 section 4): 64-bit fixed point, seconds since
 * 1900-01-01 in the high 32 bits, the fraction in the low 32. RTCP carries
 * the full 64 bits (SR, RRTR) or the middle 32 bits (LSR, DLSR, LRR, DLRR,
 * the XR delay fields: 1/65536 s units).
 *
 * Thread role: any (pure functions).
 */
#ifndef RILL_RTCP_NTP_H
#define RILL_RTCP_NTP_H

#include <stdint.h>

/* Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix). */
#define NTP_UNIX_OFFSET_S UINT64_C(2208988800)

/* A duration in ns as NTP 64 (seconds.fraction), for ns >= 0. */
static inline uint64_t ntp_from_duration_ns(int64_t ns)
{
  uint64_t u = ns < 0 ? 0 : (uint64_t)ns;
  uint64_t s = u / UINT64_C(1000000000), rem = u % UINT64_C(1000000000);
  return s << 32 | ((rem << 32) / UINT64_C(1000000000));
}

/* NTP 64 duration as ns (saturates at INT64_MAX). */
static inline int64_t ntp_to_duration_ns(uint64_t ntp)
{
  uint64_t s = ntp >> 32, frac = ntp & UINT64_C(0xFFFFFFFF);
  if (s >= UINT64_C(9223372036))
    return INT64_MAX;
  return (int64_t)(s * UINT64_C(1000000000) + ((frac * UINT64_C(1000000000)) >> 32));
}

/* Unix wall-clock time in ns as an NTP timestamp (wraps in 2036 as NTP does). */
static inline uint64_t ntp_from_unix_ns(int64_t unix_ns)
{
  return ntp_from_duration_ns(unix_ns) + (NTP_UNIX_OFFSET_S << 32);
}

/* An NTP timestamp as Unix ns (era 0; before 1970 gives negative values). */
static inline int64_t ntp_to_unix_ns(uint64_t ntp)
{
  return ntp_to_duration_ns(ntp) - (int64_t)NTP_UNIX_OFFSET_S * INT64_C(1000000000);
}

/* The middle 32 bits (1/65536 s). */
static inline uint32_t ntp_mid32(uint64_t ntp)
{
  return (uint32_t)(ntp >> 16);
}

/* A duration in ns as middle-32 units, saturating below 0xFFFFFFFF
 * (which XR uses for "unknown"). */
static inline uint32_t ntp_mid32_from_ns(int64_t ns)
{
  uint64_t v = ntp_from_duration_ns(ns) >> 16;
  return v >= UINT64_C(0xFFFFFFFF) ? UINT32_C(0xFFFFFFFE) : (uint32_t)v;
}

/* Middle-32 units as ns. */
static inline int64_t ntp_mid32_to_ns(uint32_t v)
{
  return (int64_t)(((uint64_t)v * UINT64_C(1000000000)) >> 16);
}

#endif /* RILL_RTCP_NTP_H */
