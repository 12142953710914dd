/*
 * RTCP report interval (RFC 3550 section 6.2 and appendix A.7).
 *
 * Thread role: any (pure function).
 */
#ifndef RILL_RTCP_INTERVAL_H
#define RILL_RTCP_INTERVAL_H

#include <stdbool.h>
#include <stdint.h>

struct rtcp_interval_in {
  uint32_t members;          /* participants known, ourselves included (>= 1) */
  uint32_t senders;          /* of them, senders */
  bool we_sent;              /* we sent RTP since the last report */
  double avg_rtcp_bytes;     /* average compound size, UDP and IP headers included */
  double session_bw_bytes_per_s; /* the session's RTP bandwidth */
  int64_t min_interval_ns;   /* the floor (RFC 3550: 5 s; roc and rill: 200 ms) */
  double random01;           /* uniform in [0, 1): the caller's randomness */
};

/*
 * The time until the next report: RTCP gets 5 % of the session bandwidth,
 * a quarter of it for senders when they are fewer than a quarter of the
 * members; the deterministic interval is avg size * members / bandwidth,
 * no less than the floor (half the floor before the first report is not
 * used: rill reports at once), randomized by [0.5, 1.5) and divided by
 * e - 3/2 (the reconsideration compensation). Returns ns (> 0).
 */
int64_t rtcp_interval_ns(const struct rtcp_interval_in *in);

#endif /* RILL_RTCP_INTERVAL_H */
