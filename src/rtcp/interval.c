/*
 * RTCP report interval, RFC 3550 A.7 ("rtcp_interval"), without the
 * "initial" halving: rill's first report goes out as soon as there is
 * something to report.
 */
#include "rtcp/interval.h"

#define RTCP_BW_FRACTION 0.05
#define RTCP_SENDER_BW_FRACTION 0.25
#define RTCP_COMPENSATION (2.71828 - 1.5)

int64_t rtcp_interval_ns(const struct rtcp_interval_in *in)
{
  double rtcp_bw = in->session_bw_bytes_per_s * RTCP_BW_FRACTION;
  double n = in->members ? in->members : 1;
  double t, min_s = (double)in->min_interval_ns / 1e9;
  double r = in->random01;

  /* RFC 3550 A.7: with no senders at all, receivers still get their 75 %. */
  if (in->senders <= in->members * RTCP_SENDER_BW_FRACTION) {
    if (in->we_sent) {
      rtcp_bw *= RTCP_SENDER_BW_FRACTION;
      n = in->senders;
    } else {
      rtcp_bw *= 1.0 - RTCP_SENDER_BW_FRACTION;
      n -= in->senders;
    }
  }
  t = rtcp_bw > 0 ? in->avg_rtcp_bytes * n / rtcp_bw : min_s;
  /* Written so that NaN inputs take the floor and the midpoint: converting
   * a NaN or an out-of-range double to int64_t is undefined. */
  if (!(t >= min_s))
    t = min_s;
  if (!(r >= 0 && r < 1))
    r = 0.5;
  t = t * (r + 0.5) / RTCP_COMPENSATION * 1e9;
  if (!(t >= 1))
    return 1;
  if (t >= (double)INT64_MAX)
    return INT64_MAX;
  return (int64_t)t;
}
