/*
 * Receiver RTCP (network thread): the control endpoint's datagrams, the
 * reports the receiver sends back, end-to-end latency, and sessions ended
 * by BYE or by RTCP silence.
 *
 * Matching. RTCP never creates a session: an SR, a BYE or an XR DLRR is
 * applied to the session of its SSRC only when it comes from that
 * session's sender: the host its RTP comes from (roc sends RTCP from its
 * RTP socket, GStreamer from a second one), and once a session has taken
 * RTCP from an address, from that address exactly. Anything else is
 * counted (rtcp_unmatched) and ignored, so a third party cannot end a
 * session it does not own without spoofing its sender's address.
 *
 * Reports. To every session whose RTCP was matched, at the address that
 * RTCP came from (as roc does): RR with one report block, XR with RRTR
 * (for the sender's RTT), Measurement Information, Delay Metrics (RTT and
 * the end-to-end latency) and roc's Queue Metrics (the queued latency and
 * the time since the last packet), then SDES CNAME: the compound roc's
 * receivers send, so a roc sender reads it as it reads roc's.
 *
 * End-to-end latency = when a frame leaves rill_receiver_read (the
 * reader's published play position, monotonic, moved to the wall clock)
 * minus when it was captured (the sender's last SR maps RTP time to its
 * wall clock). It is only as right as the two wall clocks agree (NTP); on
 * one host they are one clock.
 *
 * Memory: RTCP state is part of the session slot; datagrams come from the
 * control port's budget like any other; reports are composed on the stack
 * and sent at once (udp_port_send: a non-blocking sendto copies them to the kernel).
 */
#include <rill/status.h>
#include <string.h>

#include "core/clock.h"
#include "net/addr.h"
#include "pipeline/receiver_impl.h"
#include "rtcp/interval.h"
#include "rtcp/ntp.h"
#include "rtcp/rtcp.h"

#define REPORT_BYTES 512
/* A play position older than this is not "now": no latency from it. */
#define PLAY_POSITION_MAX_AGE_NS (500 * NS_PER_MS)

/* The session of `ssrc` if `src` may speak for it (see the top), else NULL. */
static struct rsession *match(struct rill_receiver *r, uint32_t ssrc, const struct sockaddr *src)
{
  int32_t slot = session_table_find_ssrc(&r->table, ssrc);
  struct rsession *s;
  if (slot < 0)
    return NULL;
  s = &r->slots[slot];
  if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE)
    return NULL;
  if (s->net.rtcp.seen ? !addr_equal((const struct sockaddr *)&s->net.rtcp.addr, src)
                       : !addr_same_host((const struct sockaddr *)&s->source, src))
    return NULL;
  return s;
}

static void touch(struct rsession *s, const struct sockaddr *src, int64_t now_ns)
{
  if (!s->net.rtcp.seen) {
    addr_store(&s->net.rtcp.addr, src);
    s->net.rtcp.seen = true;
  }
  s->net.rtcp.last_ns = now_ns;
}

static void on_sr(struct rill_receiver *r, const struct rtcp_view *v, const struct sockaddr *src,
                  int64_t now_ns)
{
  struct rtcp_sr sr;
  size_t blocks;
  struct rsession *s;
  if (rtcp_parse_sr(v, &sr, &blocks) != RILL_OK) {
    counter_bump(&r->counters.rtcp_malformed);
    return;
  }
  s = match(r, sr.ssrc, src);
  if (!s) {
    counter_bump(&r->counters.rtcp_unmatched);
    return;
  }
  touch(s, src, now_ns);
  s->net.rtcp.have_sr = true;
  s->net.rtcp.sr_ntp = sr.ntp;
  s->net.rtcp.sr_rtp = sr.rtp_ts;
  s->net.rtcp.sr_recv_ns = now_ns;
}

static void on_bye(struct rill_receiver *r, const struct rtcp_view *v, const struct sockaddr *src)
{
  size_t i, n;
  if (rtcp_parse_bye(v, &n, NULL, 0) != RILL_OK) {
    counter_bump(&r->counters.rtcp_malformed);
    return;
  }
  for (i = 0; i < n; i++) {
    struct rsession *s = match(r, rtcp_bye_ssrc(v, i), src);
    if (!s) {
      counter_bump(&r->counters.rtcp_unmatched);
      continue;
    }
    /* CLOSING now; the reader stops playing it at its next read. */
    if (rsession_close(s))
      counter_bump(&r->counters.sessions_bye);
  }
}

/* XR from a sender: DLRR echoes our RRTR (the round trip). */
static void on_xr(struct rill_receiver *r, const struct rtcp_view *v, const struct sockaddr *src,
                  int64_t now_ns)
{
  struct rtcp_parse_stats st = {0, 0};
  struct rtcp_xr_walk xw;
  struct rtcp_xr_block b;
  struct rsession *s;
  uint32_t ssrc;
  int status;
  if (rtcp_xr_init(&xw, v, &ssrc, &st) != RILL_OK) {
    counter_bump(&r->counters.rtcp_malformed);
    return;
  }
  while ((status = rtcp_xr_next(&xw, &b)) == RILL_OK) {
    size_t i;
    if (b.type != RTCP_XR_DLRR)
      continue;
    for (i = 0; i < b.u.dlrr.count; i++) {
      struct rtcp_xr_dlrr_item it;
      int64_t rtt;
      rtcp_xr_dlrr_item(&b, i, &it);
      if (it.ssrc != r->rtcp.ssrc)
        continue; /* for another receiver of a multicast stream */
      s = match(r, ssrc, src);
      if (!s) {
        counter_bump(&r->counters.rtcp_unmatched);
        continue;
      }
      touch(s, src, now_ns);
      rtt = rtcp_rtt_ns(rtcp_now_mid32(), it.lrr, it.dlrr);
      if (rtt >= 0)
        atomic_store_explicit(&s->rtt_ns, rtt, memory_order_relaxed);
    }
  }
  if (status == RILL_EMALFORMED || st.malformed)
    counter_bump(&r->counters.rtcp_malformed);
}

/* SDES: validated (a malformed one is counted), CNAMEs not kept. */
static void on_sdes(struct rill_receiver *r, const struct rtcp_view *v)
{
  struct rtcp_sdes_walk sw;
  uint32_t ssrc;
  char cname[RTCP_LOCAL_CNAME_MAX];
  int status;
  rtcp_sdes_init(&sw, v);
  while ((status = rtcp_sdes_next(&sw, &ssrc, cname, sizeof(cname))) == RILL_OK) {
  }
  if (status == RILL_EMALFORMED)
    counter_bump(&r->counters.rtcp_malformed);
}

void receiver_on_rtcp(struct rill_receiver *r, const uint8_t *data, size_t len,
                      const struct sockaddr *src, int64_t now_ns)
{
  struct rtcp_walk w;
  struct rtcp_view v;
  counter_bump(&r->counters.rtcp_received);
  if (rtcp_walk_init(&w, data, len) != RILL_OK) {
    counter_bump(&r->counters.rtcp_malformed);
    return;
  }
  /* BYEs last: a compound that reports and says goodbye ends its session
   * after the report is taken. */
  while (rtcp_walk_next(&w, &v) == RILL_OK) {
    switch (v.type) {
    case RTCP_SR:
      on_sr(r, &v, src, now_ns);
      break;
    case RTCP_XR:
      on_xr(r, &v, src, now_ns);
      break;
    case RTCP_SDES:
      on_sdes(r, &v);
      break;
    default:
      break; /* RR: other receivers' reports; APP and the unknown: ignored */
    }
  }
  if (rtcp_walk_init(&w, data, len) != RILL_OK)
    return;
  while (rtcp_walk_next(&w, &v) == RILL_OK)
    if (v.type == RTCP_BYE)
      on_bye(r, &v, src);
}

/* ---- end-to-end latency ---- */

/* Capture-to-output latency of session `s` now; false when unknown. */
static bool session_e2e(struct rsession *s, int64_t mono_now, int64_t unix_now, int64_t *out)
{
  uint32_t ts;
  int64_t mono;
  if (!s->net.rtcp.have_sr || !rsession_play_position(s, &ts, &mono) ||
      mono_now - mono > PLAY_POSITION_MAX_AGE_NS)
    return false;
  *out = rtcp_e2e_ns(s->net.rtcp.sr_ntp, s->net.rtcp.sr_rtp, s->enc.rate_hz, ts, mono, mono_now,
                     unix_now);
  return true;
}

static void publish_e2e(struct rsession *s, int64_t mono_now, int64_t unix_now)
{
  int64_t e2e;
  if (session_e2e(s, mono_now, unix_now, &e2e))
    atomic_store_explicit(&s->e2e_latency_ns, e2e, memory_order_relaxed);
}

/* ---- reports ---- */

static void fill_report_block(struct rsession *s, int64_t now_ns, struct rtcp_report_block *b)
{
  struct rsession_rtcp *rc = &s->net.rtcp;
  uint32_t ext_max = 0, expected = 0;
  uint64_t received = counter_get(&s->counters.packets_received);
  memset(b, 0, sizeof(*b));
  b->ssrc = s->ssrc;
  if (rsession_ext_max_seq(s, &ext_max))
    expected = ext_max - s->net.base_seq + 1;
  b->ext_highest_seq = ext_max;
  b->cum_lost = rtcp_clamp_cum_lost((int64_t)expected - (int64_t)received);
  b->fraction_lost = rtcp_fraction_lost(expected - rc->expected_prior,
                                        (uint32_t)(received - rc->received_prior));
  rc->expected_prior = expected;
  rc->received_prior = received;
  b->jitter = (uint32_t)s->net.jitter;
  if (rc->have_sr) {
    b->lsr = ntp_mid32(rc->sr_ntp);
    b->dlsr = ntp_mid32_from_ns(now_ns - rc->sr_recv_ns);
  }
}

/* One session's compound: RR, XR (RRTR, MI, DM, QM), SDES. */
static size_t compose_report(struct rill_receiver *r, struct rsession *s, int64_t now_ns,
                             uint64_t now_ntp, uint8_t *buf, size_t cap)
{
  struct rtcp_builder b;
  struct rtcp_report_block rb;
  struct rtcp_xr_mi mi;
  struct rtcp_xr_dm dm;
  struct rtcp_xr_qm qm;
  int64_t e2e = atomic_load_explicit(&s->e2e_latency_ns, memory_order_relaxed);
  int64_t rtt = atomic_load_explicit(&s->rtt_ns, memory_order_relaxed);
  int64_t latency = atomic_load_explicit(&s->latency_ns, memory_order_relaxed);
  uint32_t ext_max = 0;

  fill_report_block(s, now_ns, &rb);
  (void)rsession_ext_max_seq(s, &ext_max);
  memset(&mi, 0, sizeof(mi));
  mi.ssrc = s->ssrc;
  mi.first_seq = s->net.base_seq;
  mi.interval_first_seq = mi.interval_last_seq = ext_max; /* sampled values, as roc */
  memset(&dm, 0, sizeof(dm));
  dm.flag = RTCP_METRIC_SAMPLED;
  dm.ssrc = s->ssrc;
  dm.mean_rtt = dm.min_rtt = dm.max_rtt = rtt > 0 ? ntp_mid32_from_ns(rtt) : RTCP_XR_UNKNOWN_32;
  dm.e2e_delay = e2e > 0 ? ntp_from_duration_ns(e2e) : RTCP_XR_UNKNOWN_64;
  memset(&qm, 0, sizeof(qm));
  qm.flag = RTCP_METRIC_SAMPLED;
  qm.ssrc = s->ssrc;
  qm.niq_latency = latency > 0 ? ntp_mid32_from_ns(latency) : RTCP_XR_UNKNOWN_32;
  qm.niq_stalling = ntp_mid32_from_ns(now_ns - s->net.last_packet_ns);

  rtcp_builder_init(&b, buf, cap);
  if (rtcp_add_rr(&b, r->rtcp.ssrc, &rb, 1) != RILL_OK || rtcp_xr_begin(&b, r->rtcp.ssrc) != RILL_OK ||
      rtcp_xr_add_rrtr(&b, now_ntp) != RILL_OK || rtcp_xr_add_mi(&b, &mi) != RILL_OK ||
      rtcp_xr_add_dm(&b, &dm) != RILL_OK || rtcp_xr_add_qm(&b, &qm) != RILL_OK ||
      rtcp_xr_end(&b) != RILL_OK || rtcp_add_sdes_cname(&b, r->rtcp.ssrc, r->rtcp.cname) != RILL_OK)
    return 0;
  return b.len;
}

/* Send a report to every session whose RTCP came in; returns how many
 * sessions are active (for the interval) and their bandwidth. */
static uint32_t send_reports(struct rill_receiver *r, int64_t now_ns, double *bw)
{
  uint8_t buf[REPORT_BYTES];
  int64_t unix_now = clock_realtime_ns();
  uint64_t now_ntp = ntp_from_unix_ns(unix_now);
  struct rill_udp_port *port = r->ports[r->control_port];
  uint32_t i, active = 0;
  *bw = 0;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct rsession *s = &r->slots[i];
    size_t len;
    if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE)
      continue;
    active++;
    *bw += rtp_nominal_bytes_per_s(&s->enc);
    if (!s->net.rtcp.seen)
      continue;
    publish_e2e(s, now_ns, unix_now);
    len = compose_report(r, s, now_ns, now_ntp, buf, sizeof(buf));
    if (len > 0 &&
        udp_port_send(port, buf, len, (const struct sockaddr *)&s->net.rtcp.addr) == RILL_OK) {
      counter_bump(&r->counters.rtcp_sent);
      rtcp_local_sent(&r->rtcp, len);
    }
  }
  return active;
}

static void on_report_timer(uv_timer_t *timer)
{
  struct rill_receiver *r = timer->data;
  int64_t now_ns = clock_now_ns();
  double bw;
  uint32_t active = send_reports(r, now_ns, &bw);
  struct rtcp_interval_in in = {active + 1,
                                active,
                                false,
                                r->rtcp.avg_bytes,
                                bw,
                                r->p.rtcp_min_interval_ns,
                                rtcp_local_random01(&r->rtcp)};
  int64_t next = rtcp_interval_ns(&in);
  uv_timer_start(timer, on_report_timer, (uint64_t)((next + NS_PER_MS - 1) / NS_PER_MS), 0);
}

void receiver_rtcp_tick(struct rill_receiver *r, int64_t now_ns)
{
  int64_t unix_now;
  uint32_t i;
  /* Sessions with RTCP only: from a control port, or injected (roc's decoder). */
  unix_now = clock_realtime_ns();
  for (i = 0; i < r->p.max_sessions; i++) {
    struct rsession *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE ||
        !s->net.rtcp.seen)
      continue;
    if (now_ns - s->net.rtcp.last_ns > r->p.rtcp_timeout_ns) {
      if (rsession_close(s))
        counter_bump(&r->counters.sessions_rtcp_timeout);
      continue;
    }
    publish_e2e(s, now_ns, unix_now);
  }
}

/* ---- without a port (roc's packet-level decoder) ---- */

struct pop_req {
  struct rill_receiver *r;
  int64_t now_ns;
  uint8_t *buf;
  size_t cap, len;
};

/* The first session with RTCP whose report is due: compose it. */
static int pop_report_on_loop(void *arg)
{
  struct pop_req *q = arg;
  struct rill_receiver *r = q->r;
  uint8_t buf[REPORT_BYTES];
  int64_t unix_now = clock_realtime_ns();
  uint32_t i;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct rsession *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE ||
        !s->net.rtcp.seen || q->now_ns < s->net.rtcp.next_pop_ns)
      continue;
    publish_e2e(s, q->now_ns, unix_now);
    q->len = compose_report(r, s, q->now_ns, ntp_from_unix_ns(unix_now), buf, sizeof(buf));
    if (q->len == 0)
      continue;
    if (q->len > q->cap)
      return RILL_ENOSPC;
    memcpy(q->buf, buf, q->len);
    s->net.rtcp.next_pop_ns = q->now_ns + r->p.rtcp_min_interval_ns;
    counter_bump(&r->counters.rtcp_sent);
    rtcp_local_sent(&r->rtcp, q->len);
    return RILL_OK;
  }
  return RILL_EEMPTY;
}

int receiver_pop_report(struct rill_receiver *r, int64_t now_ns, uint8_t *buf, size_t cap,
                        size_t *len)
{
  struct pop_req q = {r, now_ns, buf, cap, 0};
  int status = evloop_call(&r->ctx->loop, pop_report_on_loop, &q);
  *len = q.len;
  return status;
}

void receiver_rtcp_start(struct rill_receiver *r)
{
  uv_timer_init(&r->ctx->loop.loop, &r->rtcp_timer);
  r->rtcp_timer.data = r;
  r->rtcp_timer_open = true;
  atomic_fetch_add(&r->handles_open, 1);
  uv_timer_start(&r->rtcp_timer, on_report_timer,
                 (uint64_t)(r->p.rtcp_min_interval_ns / NS_PER_MS) + 1, 0);
}

static void rtcp_timer_closed(uv_handle_t *handle)
{
  struct rill_receiver *r = handle->data;
  atomic_fetch_sub(&r->handles_open, 1);
}

void receiver_rtcp_stop(struct rill_receiver *r)
{
  if (!r->rtcp_timer_open)
    return;
  r->rtcp_timer_open = false;
  uv_timer_stop(&r->rtcp_timer);
  uv_close((uv_handle_t *)&r->rtcp_timer, rtcp_timer_closed);
}
