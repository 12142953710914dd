/*
 * Sender RTCP (see sender_rtcp.h).
 *
 * SR timing. The SR pairs our wall clock now (NTP) with the RTP timestamp
 * of a frame captured now, extrapolated from the writer's last anchor (an
 * RTP timestamp and its capture time, published by each write): the
 * receiver maps any frame to its capture time with it, which is how it
 * measures the end-to-end latency.
 *
 * Round trip. A receiver's report block echoes our last SR (LSR) and says
 * how long it held it (DLSR); its XR RRTR gives a timestamp we echo in our
 * next XR DLRR, so that it can measure the round trip too.
 */
#include "pipeline/sender_rtcp.h"

#include <pthread.h>
#include <rill/status.h>
#include <stdatomic.h>
#include <string.h>
#include <uv.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "net/addr.h"
#include "net/udp_port.h"
#include "rtcp/interval.h"
#include "rtcp/ntp.h"
#include "rtcp/rtcp.h"

#define REPORT_BYTES 512

struct peer_slot {
  bool used;
  struct sender_rtcp_peer pub;  /* under the mutex */
  int64_t last_ns;              /* network thread */
  bool have_rrtr;               /* an RRTR to echo */
  uint32_t rrtr_mid32;
  int64_t rrtr_recv_ns;
};

struct sender_rtcp {
  struct rill_context *ctx; /* borrowed */
  struct rtcp_local local;
  int64_t min_interval_ns, timeout_ns;
  /* network thread */
  struct rill_udp_port *port; /* borrowed: the sender's */
  struct sockaddr_storage dest;
  sender_rtcp_media_fn media;
  void *media_user;
  uv_timer_t timer;
  bool timer_open;
  atomic_int *handles; /* borrowed: the sender's open-handle count */
  int64_t next_pop_ns; /* without a socket: when the next report is due */
  /* the peers: written by the network thread under `lock` */
  pthread_mutex_t lock;
  struct peer_slot peers[SENDER_RTCP_MAX_PEERS];
  atomic_uint_least64_t sent, received, malformed, peers_refused;
};

static void bump(atomic_uint_least64_t *c)
{
  atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

int sender_rtcp_create(struct rill_context *ctx, uint32_t ssrc, int64_t min_interval_ns,
                       int64_t timeout_ns, struct sender_rtcp **out)
{
  struct sender_rtcp *sr;
  int status = mem_alloc(ctx->arena, &ctx->global, sizeof(*sr), (void **)&sr);
  if (status != RILL_OK)
    return status;
  memset(sr, 0, sizeof(*sr));
  sr->ctx = ctx;
  rtcp_local_init(&sr->local, ssrc);
  sr->min_interval_ns = min_interval_ns;
  sr->timeout_ns = timeout_ns;
  pthread_mutex_init(&sr->lock, NULL);
  *out = sr;
  return RILL_OK;
}

void sender_rtcp_destroy(struct sender_rtcp *sr)
{
  if (!sr)
    return;
  pthread_mutex_destroy(&sr->lock);
  mem_free(sr->ctx->arena, &sr->ctx->global, sr, sizeof(*sr));
}

/* ---- incoming reports ---- */

/* The slot of receiver `ssrc`, created if `create` and there is room. */
static struct peer_slot *peer(struct sender_rtcp *sr, uint32_t ssrc, bool create)
{
  struct peer_slot *free_slot = NULL;
  size_t i;
  for (i = 0; i < SENDER_RTCP_MAX_PEERS; i++) {
    if (sr->peers[i].used && sr->peers[i].pub.ssrc == ssrc)
      return &sr->peers[i];
    if (!sr->peers[i].used && !free_slot)
      free_slot = &sr->peers[i];
  }
  if (!create)
    return NULL;
  if (!free_slot) {
    bump(&sr->peers_refused);
    return NULL;
  }
  memset(free_slot, 0, sizeof(*free_slot));
  free_slot->used = true;
  free_slot->pub.ssrc = ssrc;
  return free_slot;
}


/* A report block about us from receiver `reporter`. */
static void on_block(struct sender_rtcp *sr, uint32_t reporter, const struct rtcp_report_block *b,
                     const struct sockaddr *src, uint32_t rate_hz, int64_t now_ns)
{
  struct peer_slot *p;
  int64_t rtt;
  if (b->ssrc != sr->local.ssrc)
    return; /* about another sender (multicast) */
  p = peer(sr, reporter, true);
  if (!p)
    return;
  addr_store(&p->pub.addr, src);
  if (p->pub.reports == 0) {
    /* The first report of a receiver (as roc-send logs it); at most one per
     * table slot per timeout, so a flood of fake receivers cannot spam. */
    char a[80];
    addr_format(&p->pub.addr, a, sizeof(a));
    RILL_LOG(RILL_LOG_INFO, "sender", "receiver %08x at %s reports: loss %u/256, jitter %u",
             reporter, a, b->fraction_lost, b->jitter);
  }
  p->last_ns = now_ns;
  p->pub.reports++;
  p->pub.fraction_lost = b->fraction_lost;
  p->pub.cum_lost = b->cum_lost;
  p->pub.ext_highest_seq = b->ext_highest_seq;
  if (rate_hz)
    p->pub.jitter_ns = (int64_t)b->jitter * NS_PER_S / rate_hz;
  rtt = rtcp_rtt_ns(rtcp_now_mid32(), b->lsr, b->dlsr);
  if (rtt >= 0)
    p->pub.rtt_ns = rtt;
}

static void on_report_packet(struct sender_rtcp *sr, const struct rtcp_view *v,
                             const struct sockaddr *src, uint32_t rate_hz, int64_t now_ns)
{
  struct rtcp_report_block b;
  struct rtcp_sr info;
  uint32_t ssrc;
  size_t i, n;
  int status;
  if (v->type == RTCP_SR) {
    status = rtcp_parse_sr(v, &info, &n);
    ssrc = info.ssrc;
  } else {
    status = rtcp_parse_rr(v, &ssrc, &n);
  }
  if (status != RILL_OK) {
    bump(&sr->malformed);
    return;
  }
  for (i = 0; i < n; i++) {
    rtcp_report_block(v, i, &b);
    on_block(sr, ssrc, &b, src, rate_hz, now_ns);
  }
}

static void on_xr(struct sender_rtcp *sr, const struct rtcp_view *v, int64_t now_ns)
{
  struct rtcp_parse_stats st = {0, 0};
  struct rtcp_xr_walk xw;
  struct rtcp_xr_block b;
  struct peer_slot *p;
  uint32_t ssrc;
  int status;
  if (rtcp_xr_init(&xw, v, &ssrc, &st) != RILL_OK) {
    bump(&sr->malformed);
    return;
  }
  /* Only receivers that sent a report block about us (known peers). */
  p = peer(sr, ssrc, false);
  while ((status = rtcp_xr_next(&xw, &b)) == RILL_OK) {
    if (!p)
      continue;
    switch (b.type) {
    case RTCP_XR_RRTR:
      p->have_rrtr = true;
      p->rrtr_mid32 = ntp_mid32(b.u.rrtr_ntp);
      p->rrtr_recv_ns = now_ns;
      break;
    case RTCP_XR_DELAY_METRICS:
      if (b.u.dm.ssrc == sr->local.ssrc && b.u.dm.e2e_delay != RTCP_XR_UNKNOWN_64)
        p->pub.e2e_latency_ns = ntp_to_duration_ns(b.u.dm.e2e_delay);
      break;
    case RTCP_XR_QUEUE_METRICS:
      if (b.u.qm.ssrc == sr->local.ssrc && b.u.qm.niq_latency != RTCP_XR_UNKNOWN_32)
        p->pub.queue_latency_ns = ntp_mid32_to_ns(b.u.qm.niq_latency);
      break;
    default:
      break;
    }
  }
  if (status == RILL_EMALFORMED || st.malformed)
    bump(&sr->malformed);
}

static void on_sdes(struct sender_rtcp *sr, const struct rtcp_view *v)
{
  struct rtcp_sdes_walk sw;
  char cname[RTCP_LOCAL_CNAME_MAX];
  uint32_t ssrc;
  int status;
  rtcp_sdes_init(&sw, v);
  while ((status = rtcp_sdes_next(&sw, &ssrc, cname, sizeof(cname))) == RILL_OK) {
    struct peer_slot *p = peer(sr, ssrc, false);
    if (p && cname[0])
      memcpy(p->pub.cname, cname, sizeof(cname));
  }
  if (status == RILL_EMALFORMED)
    bump(&sr->malformed);
}

static void on_bye(struct sender_rtcp *sr, const struct rtcp_view *v, const struct sockaddr *src)
{
  size_t i, n;
  if (rtcp_parse_bye(v, &n, NULL, 0) != RILL_OK) {
    bump(&sr->malformed);
    return;
  }
  for (i = 0; i < n; i++) {
    struct peer_slot *p = peer(sr, rtcp_bye_ssrc(v, i), false);
    /* Only the receiver itself, from where its reports come, says goodbye. */
    if (p && addr_equal((const struct sockaddr *)&p->pub.addr, src))
      p->used = false;
  }
}

void sender_rtcp_on_datagram(struct sender_rtcp *sr, const uint8_t *data, size_t len,
                             const struct sockaddr *src, int64_t now_ns)
{
  struct sender_rtcp_media m;
  struct rtcp_walk w;
  struct rtcp_view v;
  bump(&sr->received);
  if (rtcp_walk_init(&w, data, len) != RILL_OK) {
    bump(&sr->malformed);
    return;
  }
  memset(&m, 0, sizeof(m));
  sr->media(sr->media_user, &m);
  pthread_mutex_lock(&sr->lock);
  /* Reports first (they create peers), then XR and SDES, then BYE. */
  while (rtcp_walk_next(&w, &v) == RILL_OK)
    if (v.type == RTCP_SR || v.type == RTCP_RR)
      on_report_packet(sr, &v, src, m.rate_hz, now_ns);
  (void)rtcp_walk_init(&w, data, len);
  while (rtcp_walk_next(&w, &v) == RILL_OK) {
    if (v.type == RTCP_XR)
      on_xr(sr, &v, now_ns);
    else if (v.type == RTCP_SDES)
      on_sdes(sr, &v);
  }
  (void)rtcp_walk_init(&w, data, len);
  while (rtcp_walk_next(&w, &v) == RILL_OK)
    if (v.type == RTCP_BYE)
      on_bye(sr, &v, src);
  pthread_mutex_unlock(&sr->lock);
}

/* ---- outgoing reports ---- */

static void fill_sr(struct sender_rtcp *sr, int64_t mono_now, uint64_t ntp_now,
                    struct rtcp_sr *out)
{
  struct sender_rtcp_media m;
  memset(&m, 0, sizeof(m));
  sr->media(sr->media_user, &m);
  memset(out, 0, sizeof(*out));
  out->ssrc = sr->local.ssrc;
  out->ntp = ntp_now;
  out->packet_count = m.packets;
  out->octet_count = m.octets;
  if (m.have_anchor && m.rate_hz) {
    /* The frame captured now: the anchor moved on by the time since. */
    int64_t d = mono_now - m.anchor_mono_ns;
    out->rtp_ts = m.anchor_rtp + (uint32_t)(int64_t)((double)d * m.rate_hz / 1e9);
  }
}

/* SR + SDES (+ XR DLRR echoing receivers' RRTRs) (+ BYE). */
static size_t compose(struct sender_rtcp *sr, int64_t now_ns, bool bye, uint8_t *buf, size_t cap)
{
  struct rtcp_builder b;
  struct rtcp_sr info;
  struct rtcp_xr_dlrr_item items[SENDER_RTCP_MAX_PEERS];
  size_t i, n = 0;
  fill_sr(sr, now_ns, ntp_from_unix_ns(clock_realtime_ns()), &info);
  pthread_mutex_lock(&sr->lock);
  for (i = 0; i < SENDER_RTCP_MAX_PEERS; i++) {
    struct peer_slot *p = &sr->peers[i];
    if (!p->used || !p->have_rrtr)
      continue;
    items[n].ssrc = p->pub.ssrc;
    items[n].lrr = p->rrtr_mid32;
    items[n].dlrr = ntp_mid32_from_ns(now_ns - p->rrtr_recv_ns);
    n++;
  }
  pthread_mutex_unlock(&sr->lock);
  rtcp_builder_init(&b, buf, cap);
  if (rtcp_add_sr(&b, &info, NULL, 0) != RILL_OK)
    return 0;
  if (n > 0 && (rtcp_xr_begin(&b, sr->local.ssrc) != RILL_OK ||
                rtcp_xr_add_dlrr(&b, items, n) != RILL_OK || rtcp_xr_end(&b) != RILL_OK))
    return 0;
  if (rtcp_add_sdes_cname(&b, sr->local.ssrc, sr->local.cname) != RILL_OK)
    return 0;
  if (bye && rtcp_add_bye(&b, &sr->local.ssrc, 1, NULL) != RILL_OK)
    return 0;
  return b.len;
}

void sender_rtcp_set_media(struct sender_rtcp *sr, sender_rtcp_media_fn media, void *user)
{
  sr->media = media;
  sr->media_user = user;
}

int sender_rtcp_pop(struct sender_rtcp *sr, int64_t now_ns, uint8_t *buf, size_t cap,
                    size_t *len)
{
  uint8_t tmp[REPORT_BYTES];
  size_t n;
  if (sr->next_pop_ns != 0 && now_ns < sr->next_pop_ns)
    return RILL_EEMPTY;
  n = compose(sr, now_ns, false, tmp, sizeof(tmp));
  if (n == 0)
    return RILL_EEMPTY;
  *len = n;
  if (n > cap)
    return RILL_ENOSPC;
  memcpy(buf, tmp, n);
  sr->next_pop_ns = now_ns + sr->min_interval_ns;
  bump(&sr->sent);
  rtcp_local_sent(&sr->local, n);
  return RILL_OK;
}

static void send_report(struct sender_rtcp *sr, bool bye)
{
  uint8_t buf[REPORT_BYTES];
  size_t len = compose(sr, clock_now_ns(), bye, buf, sizeof(buf));
  if (len > 0 && udp_port_send(sr->port, buf, len, (const struct sockaddr *)&sr->dest) == RILL_OK) {
    bump(&sr->sent);
    rtcp_local_sent(&sr->local, len);
  }
}

/* Receivers silent for the timeout are gone. */
static void expire_peers(struct sender_rtcp *sr, int64_t now_ns)
{
  size_t i;
  pthread_mutex_lock(&sr->lock);
  for (i = 0; i < SENDER_RTCP_MAX_PEERS; i++)
    if (sr->peers[i].used && now_ns - sr->peers[i].last_ns > sr->timeout_ns)
      sr->peers[i].used = false;
  pthread_mutex_unlock(&sr->lock);
}

static void on_timer(uv_timer_t *timer)
{
  struct sender_rtcp *sr = timer->data;
  struct sender_rtcp_media m;
  struct sender_rtcp_totals t;
  struct rtcp_interval_in in;
  int64_t now_ns = clock_now_ns();
  send_report(sr, false);
  expire_peers(sr, now_ns);
  memset(&m, 0, sizeof(m));
  sr->media(sr->media_user, &m);
  sender_rtcp_stats(sr, &t, NULL, 0, NULL);
  in = (struct rtcp_interval_in){t.peers + 1,
                                 1,
                                 true,
                                 sr->local.avg_bytes,
                                 (double)m.rate_hz * 4.0, /* L16 stereo, near enough */
                                 sr->min_interval_ns,
                                 rtcp_local_random01(&sr->local)};
  uv_timer_start(timer, on_timer,
                 (uint64_t)((rtcp_interval_ns(&in) + NS_PER_MS - 1) / NS_PER_MS), 0);
}

void sender_rtcp_start(struct sender_rtcp *sr, struct rill_udp_port *port,
                       const struct sockaddr *dest, sender_rtcp_media_fn media, void *user,
                       atomic_int *handles)
{
  sr->port = port;
  addr_store(&sr->dest, dest);
  sr->media = media;
  sr->media_user = user;
  sr->handles = handles;
  uv_timer_init(&sr->ctx->loop.loop, &sr->timer);
  sr->timer.data = sr;
  sr->timer_open = true;
  atomic_fetch_add(handles, 1);
  /* The first report soon: a receiver learns the clock mapping early. */
  uv_timer_start(&sr->timer, on_timer, 20, 0);
}

static void timer_closed(uv_handle_t *handle)
{
  struct sender_rtcp *sr = handle->data;
  atomic_fetch_sub(sr->handles, 1);
}

void sender_rtcp_stop(struct sender_rtcp *sr)
{
  if (!sr || !sr->timer_open)
    return;
  send_report(sr, true);
  sr->timer_open = false;
  uv_timer_stop(&sr->timer);
  uv_close((uv_handle_t *)&sr->timer, timer_closed);
}

void sender_rtcp_stats(struct sender_rtcp *sr, struct sender_rtcp_totals *t,
                       struct sender_rtcp_peer *peers, size_t cap, size_t *count)
{
  size_t i, n = 0;
  memset(t, 0, sizeof(*t));
  t->sent = atomic_load_explicit(&sr->sent, memory_order_relaxed);
  t->received = atomic_load_explicit(&sr->received, memory_order_relaxed);
  t->malformed = atomic_load_explicit(&sr->malformed, memory_order_relaxed);
  t->peers_refused = atomic_load_explicit(&sr->peers_refused, memory_order_relaxed);
  pthread_mutex_lock(&sr->lock);
  for (i = 0; i < SENDER_RTCP_MAX_PEERS; i++) {
    if (!sr->peers[i].used)
      continue;
    t->peers++;
    if (peers && n < cap)
      peers[n++] = sr->peers[i].pub;
  }
  pthread_mutex_unlock(&sr->lock);
  if (count)
    *count = n;
}
