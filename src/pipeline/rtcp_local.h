/*
 * The local RTCP participant, shared by sender and receiver: its SSRC and
 * CNAME (RFC 3550 6.5.1: "user@host"; rill writes "rill-XXXXXXXX@host" with
 * a random part, so that two rill processes on one host differ), randomness
 * for the report interval, and the round trip from a timestamp echo.
 *
 * Thread role: control (init), then the network thread.
 */
#ifndef RILL_PIPELINE_RTCP_LOCAL_H
#define RILL_PIPELINE_RTCP_LOCAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define RTCP_LOCAL_CNAME_MAX 64
/* Roc's report period (measured: roc-send reports every 200 ms): the
 * default floor of the RFC 3550 interval. */
#define RTCP_DEFAULT_MIN_INTERVAL_NS (200 * INT64_C(1000000))
/* Roc ends a stream after 5 s without RTCP. */
#define RTCP_DEFAULT_TIMEOUT_NS (5 * INT64_C(1000000000))
/* Compound size assumed before any is sent (bytes, IP and UDP included). */
#define RTCP_AVG_BYTES_GUESS 200.0

struct rtcp_local {
  uint32_t ssrc;
  char cname[RTCP_LOCAL_CNAME_MAX];
  uint64_t rand_state;
  double avg_bytes; /* RFC 3550 avg_rtcp_size: 1/16 of each new compound */
};

/* Random SSRC (or `ssrc` when nonzero: a sender reports on its RTP SSRC)
 * and CNAME. Thread role: control. */
void rtcp_local_init(struct rtcp_local *l, uint32_t ssrc);

/* Uniform in [0, 1). */
double rtcp_local_random01(struct rtcp_local *l);

/* A compound of `bytes` was sent: the running average (with 28 bytes of
 * IP and UDP headers). */
void rtcp_local_sent(struct rtcp_local *l, size_t bytes);

/*
 * Round trip from an echo (RFC 3550 6.4.1, RFC 3611 4.5): the peer got our
 * timestamp `echoed` (middle 32 bits of NTP), held it `delay` (1/65536 s),
 * and its reply arrived at `now` (middle 32 bits of our NTP clock).
 * -1 when there was no echo (echoed 0) or the result is negative.
 */
int64_t rtcp_rtt_ns(uint32_t now, uint32_t echoed, uint32_t delay);

/*
 * End-to-end latency of the frame with RTP timestamp `play_ts`, output by
 * the reader at `play_mono_ns` (monotonic), given the sender's SR mapping
 * (`sr_ntp` on its wall clock is RTP time `sr_rtp`, `rate_hz`) and our two
 * clocks read together (`mono_now_ns`, `unix_now_ns`): output time on the
 * wall clock minus capture time. RTP distances are taken wrap-aware
 * (within 2^31 of the SR).
 */
int64_t rtcp_e2e_ns(uint64_t sr_ntp, uint32_t sr_rtp, uint32_t rate_hz, uint32_t play_ts,
                    int64_t play_mono_ns, int64_t mono_now_ns, int64_t unix_now_ns);

/* Our wall clock now, as the middle 32 bits of NTP (what echoes compare). */
uint32_t rtcp_now_mid32(void);

#endif /* RILL_PIPELINE_RTCP_LOCAL_H */
