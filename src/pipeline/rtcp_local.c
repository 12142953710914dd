/* The local RTCP participant: identity, randomness, echo arithmetic. */
#include "pipeline/rtcp_local.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/clock.h"
#include "rtcp/ntp.h"

static uint64_t random_u64(void)
{
  uint64_t v = 0;
  if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
    v = (uint64_t)(uintptr_t)&v ^ UINT64_C(0x9e3779b97f4a7c15);
  return v;
}

void rtcp_local_init(struct rtcp_local *l, uint32_t ssrc)
{
  char host[48];
  uint64_t r = random_u64();
  memset(l, 0, sizeof(*l));
  l->ssrc = ssrc ? ssrc : (uint32_t)(r >> 32);
  l->rand_state = r | 1;
  l->avg_bytes = RTCP_AVG_BYTES_GUESS;
  if (gethostname(host, sizeof(host)) != 0)
    host[0] = '\0';
  host[sizeof(host) - 1] = '\0';
  snprintf(l->cname, sizeof(l->cname), "rill-%08x@%s", (uint32_t)r,
           host[0] ? host : "localhost");
}

double rtcp_local_random01(struct rtcp_local *l)
{
  /* xorshift64*: enough for spreading report times. */
  uint64_t x = l->rand_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  l->rand_state = x;
  return (double)((x * UINT64_C(2685821657736338717)) >> 11) / 9007199254740992.0;
}

void rtcp_local_sent(struct rtcp_local *l, size_t bytes)
{
  l->avg_bytes += ((double)bytes + 28.0 - l->avg_bytes) / 16.0;
}

int64_t rtcp_rtt_ns(uint32_t now, uint32_t echoed, uint32_t delay)
{
  uint32_t rtt;
  if (echoed == 0)
    return -1;
  rtt = now - echoed - delay;
  /* Wraps mod 2^32: a "negative" result (clock steps, bad peers) is > 2^31. */
  if (rtt > UINT32_C(0x80000000))
    return -1;
  return ntp_mid32_to_ns(rtt);
}

int64_t rtcp_e2e_ns(uint64_t sr_ntp, uint32_t sr_rtp, uint32_t rate_hz, uint32_t play_ts,
                    int64_t play_mono_ns, int64_t mono_now_ns, int64_t unix_now_ns)
{
  int32_t d = (int32_t)(play_ts - sr_rtp);
  int64_t capture_unix = ntp_to_unix_ns(sr_ntp) + (int64_t)d * 1000000000 / rate_hz;
  int64_t play_unix = unix_now_ns - (mono_now_ns - play_mono_ns);
  return play_unix - capture_unix;
}

uint32_t rtcp_now_mid32(void)
{
  return ntp_mid32(ntp_from_unix_ns(clock_realtime_ns()));
}
