/*
 * Receiver. The network thread owns routing (slot table, SSRC lookup, session
 * timeouts); the reader owns playback (depacketizers, mixing). They share
 * only the slot states, the per-slot packet rings and atomic counters.
 *
 * Per-packet outcomes are counted, never logged; warnings that a hostile or
 * misconfigured peer could trigger repeatedly go through a rate limiter.
 */
#include "pipeline/receiver.h"

#include <arpa/inet.h>
#include <math.h>
#include <rill/status.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "audio/depacketizer.h"
#include "audio/latency_controller.h"
#include "audio/mixer.h"
#include "audio/resampler.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/spsc_ring.h"
#include "net/udp_port.h"
#include "packet/packet.h"
#include "packet/seqmath.h"
#include "pipeline/fec_reader.h"
#include "rtp/rtp.h"

#define RECEIVER_MAX_PORTS 4
#define CHUNK_FRAMES 1024 /* reader works in chunks of at most this many frames */
#define IN_SCRATCH_FRAMES 4096 /* resampler input per step, at the sender's rate */
#define MAX_RATE_RATIO 8     /* sender/receiver rates further apart are refused */
#define PROBATION_BITS 12    /* 4096 probation entries */

struct probation_entry {
  uint32_t ssrc;
  uint16_t seq;     /* last seq seen */
  uint16_t count;   /* packets in sequence so far; 0: empty */
  int64_t seen_ns;
};
/* The drift controller stays off (ratio exactly nominal) until the smoothed
 * latency has moved this far from where playback started: with matched
 * clocks nothing is warped, and a real drift (50 ppm moves 2 ms in 40 s)
 * engages it soon enough. */
#define DRIFT_DEADBAND_NS (2 * NS_PER_MS)
#define DRIFT_SMOOTHING_NS (500 * NS_PER_MS)
#define SETPOINT_LEARN_NS NS_PER_S
/* A new drift ratio rebuilds speex's filter table on the reader (about 8 us
 * at quality 3, 150 us at quality 10): a session applies one at most this
 * often, and one read applies at most this many, which bounds a read's
 * worst case whatever the number of sessions. */
#define RATIO_UPDATE_NS (100 * NS_PER_MS)
#define RATIO_UPDATES_PER_READ 2
#define CHOPPY_WINDOW_NS (250 * NS_PER_MS) /* a window with a gap or underrun is choppy */
#define LOG_INTERVAL_NS (5 * NS_PER_S)
/* While idle the network thread looks for a returning reader this often:
 * the reader never wakes it (that would be a system call). */
#define IDLE_WATCH_MS 10

enum slot_state { SLOT_FREE, SLOT_ACTIVE, SLOT_CLOSING, SLOT_RETIRED };

/* Who owns the reader-side state (depacketizers, slot rt fields). */
enum gate_state {
  GATE_FREE,      /* nobody: the reader may take it, or the network thread to go idle */
  GATE_READING,   /* the reader, during one read */
  GATE_NET_OWNS,  /* the network thread, while it drops everything to go idle */
  GATE_IDLE,      /* nobody, idle: the next read takes it; the network's idle watch
                     sees that and receives again */
};

typedef atomic_uint_least64_t counter_t;

#define IDENTITY_WORDS (sizeof(struct sockaddr_storage) / sizeof(uint64_t))

/* Who a slot's session is, for threads other than the network thread
 * (metrics): a sequence lock over relaxed atomics, so a snapshot taken while
 * the network thread gives the slot to a new sender is either the old
 * identity or the new one, never a mix. */
struct slot_identity {
  atomic_uint seq; /* odd while the network thread rewrites it */
  atomic_uint_least32_t ssrc;
  atomic_uint_least32_t payload_type;
  atomic_uint_least64_t source[IDENTITY_WORDS];
};

struct session_slot {
  atomic_int state;
  struct slot_identity id;          /* published copy of ssrc, enc.payload_type, source */
  /* Written by the network thread before the slot turns ACTIVE. */
  uint32_t ssrc;
  struct rtp_encoding enc;
  struct sockaddr_storage source;
  struct rill_limiter scope;        /* owned: per-session budget */
  struct rill_spsc_ring *ring;      /* owned: packets, network -> reader */
  /* Network thread only. */
  int64_t last_packet_ns;
  uint32_t reserved_ssrc;           /* a FREE slot kept for this SSRC ... */
  int64_t reserved_until_ns;        /* ... until then (evicted for it) */
  bool have_transit;
  uint32_t last_transit;            /* for the jitter estimate, in RTP units (wraps) */
  double jitter;                    /* RTP units */
  /* Set up by the network thread before ACTIVE, torn down after RETIRED. */
  bool rs_active;                   /* resampling this session */
  struct rill_resampler rs;         /* owned (speex state) */
  size_t rs_charge;                 /* bytes charged to `scope` for it */
  /* Reader only. */
  bool rt_active;
  struct rill_depacketizer depack;
  struct rill_latctl latctl;
  int64_t setpoint_ns;              /* latency held: learnt over the first second */
  double learn_sum;                 /* measurements while learning it */
  uint32_t learn_count;
  int64_t learn_start_ns;
  double smoothed_error_ns;         /* for engaging the controller */
  int64_t last_measure_ns;
  int64_t measured_latency_ns;      /* last measurement, published as the latency */
  int64_t last_audio_ns;            /* watchdog: last read that played audio */
  int64_t window_start_ns;          /* watchdog: current choppiness window */
  uint64_t window_gaps;             /* gap_frames + underruns when it started */
  int64_t choppy_since_ns;          /* first of the consecutive choppy windows; 0: none */
  bool played_once;                 /* watchdog: some audio was played */
  bool latctl_engaged;              /* the latency left the dead band once */
  int64_t ratio_applied_ns;         /* last time a controller output was applied */
  /* Published counters. */
  counter_t packets_received, dropped_net;
  counter_t played, lost, late, duplicate, dropped_rt, gap_frames, underruns, resyncs;
  atomic_int_least64_t jitter_ns, latency_ns, scaling_ppb;
  atomic_bool saturated;
};

struct rill_receiver {
  struct rill_context *ctx;          /* borrowed */
  struct rill_receiver_params p;
  struct context_client client;      /* network thread */
  struct rill_udp_port *ports[RECEIVER_MAX_PORTS]; /* owned */
  /* Ports bound: written by the network thread (release, after ports[] and
   * endpoints[] are filled), read by any thread (acquire). */
  atomic_size_t port_count;
  atomic_int ports_open;
  struct session_slot *slots;        /* owned: max_sessions */
  size_t slots_bytes;
  float *scratch;                    /* owned: CHUNK_FRAMES * RTP_MAX_CHANNELS, reader */
  float *in_scratch;                 /* owned: IN_SCRATCH_FRAMES * RTP_MAX_CHANNELS, reader */
  uint32_t ratio_updates_left;       /* reader: filter rebuilds this read may still do */
  atomic_uint_least64_t ratio_updates; /* filter rebuilds done (reader adds) */
  /* Resampler disagreements with its exact-count promise (reader adds;
   * expected 0): input frames it did not take, output frames it did not give. */
  atomic_uint_least64_t rs_input_dropped, rs_output_short;
  atomic_int gate;                   /* enum gate_state */
  atomic_int_least64_t last_read_ns; /* reader's clock at its last read */
  uv_timer_t idle_watch;             /* network: while idle, looks for the reader */
  bool idle_watch_open;              /* network */
  bool idle_paused;                  /* network: ports paused because idle */
  struct rill_ratelimit create_limit; /* network: session creations per second */
  struct probation_entry *probation; /* owned: 1 << PROBATION_BITS, network; NULL if off */
  struct rill_ratelimit rate_warn;   /* network thread */
  struct rill_ratelimit saturation_warn; /* network thread */
  counter_t datagrams, bad_packets, unknown_pt, rate_mismatch, sessions_refused,
      sessions_created, sessions_removed, no_memory, rate_limited, idle_entries,
      probation_dropped, sessions_evicted, watchdog_resets;
  /* Packet counters of sessions already removed (network thread adds). */
  counter_t gone_received, gone_played, gone_lost, gone_late, gone_duplicate, gone_dropped;
  /* FEC (issue 6): the decoder and its per-slot blocks, created by the first
   * FEC endpoint (owned; network thread after that, stats any); what each
   * bound port carries, indexed like ports[]. */
  _Atomic(struct fec_reader *) fec;
  struct receiver_endpoint endpoints[RECEIVER_MAX_PORTS];
};

static size_t ports_bound(struct rill_receiver *r)
{
  return atomic_load_explicit(&r->port_count, memory_order_acquire);
}

static void bump(counter_t *c)
{
  atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static void publish(counter_t *c, uint64_t v)
{
  atomic_store_explicit(c, v, memory_order_relaxed);
}

static uint64_t load(const counter_t *c)
{
  return atomic_load_explicit(c, memory_order_relaxed);
}

static void format_addr(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
    snprintf(buf, cap, "%s:%u", host, port);
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
    snprintf(buf, cap, "[%s]:%u", host, port);
  } else {
    snprintf(buf, cap, "?");
  }
}

static size_t addr_len(const struct sockaddr *sa)
{
  return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* ---- network thread ---- */

/* Network thread: publish the slot's identity (see struct slot_identity). */
static void identity_publish(struct session_slot *s)
{
  unsigned seq = atomic_load_explicit(&s->id.seq, memory_order_relaxed);
  uint64_t words[IDENTITY_WORDS];
  size_t i;
  memcpy(words, &s->source, sizeof(words));
  atomic_store_explicit(&s->id.seq, seq + 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(&s->id.ssrc, s->ssrc, memory_order_relaxed);
  atomic_store_explicit(&s->id.payload_type, s->enc.payload_type, memory_order_relaxed);
  for (i = 0; i < IDENTITY_WORDS; i++)
    atomic_store_explicit(&s->id.source[i], words[i], memory_order_relaxed);
  atomic_store_explicit(&s->id.seq, seq + 2, memory_order_release);
}

/* Any thread: a consistent copy of the identity; false if the network
 * thread kept rewriting it (the caller skips the slot this time). */
static bool identity_read(struct session_slot *s, struct receiver_session_info *info)
{
  int tries;
  for (tries = 0; tries < 64; tries++) {
    uint64_t words[IDENTITY_WORDS];
    uint32_t ssrc, pt;
    size_t i;
    unsigned seq = atomic_load_explicit(&s->id.seq, memory_order_acquire);
    if (seq & 1)
      continue;
    ssrc = atomic_load_explicit(&s->id.ssrc, memory_order_relaxed);
    pt = atomic_load_explicit(&s->id.payload_type, memory_order_relaxed);
    for (i = 0; i < IDENTITY_WORDS; i++)
      words[i] = atomic_load_explicit(&s->id.source[i], memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&s->id.seq, memory_order_relaxed) != seq)
      continue;
    info->ssrc = ssrc;
    info->payload_type = (uint8_t)pt;
    memcpy(&info->source, words, sizeof(info->source));
    return true;
  }
  return false;
}

/* A packet record for datagram `buf` (one reference, handed over) parsed as `h`. */
static void fill_packet(struct rill_packet *pkt, struct rill_buffer *buf,
                        const struct rtp_header *h, int64_t now_ns)
{
  pkt->buf = buf;
  pkt->recv_ns = now_ns;
  pkt->ssrc = h->ssrc;
  pkt->timestamp = h->timestamp;
  pkt->seq = h->seq;
  pkt->payload_type = h->payload_type;
  pkt->marker = h->marker;
  pkt->payload_offset = (uint32_t)h->payload_offset;
  pkt->payload_bytes = (uint32_t)h->payload_bytes;
}


static void drain_ring(struct session_slot *s)
{
  void *p;
  while (spsc_ring_pop(s->ring, &p) == RILL_OK)
    packet_free(p);
}

static struct session_slot *find_session(struct rill_receiver *r, uint32_t ssrc)
{
  uint32_t i;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    int st = atomic_load_explicit(&s->state, memory_order_relaxed);
    if ((st == SLOT_ACTIVE || st == SLOT_CLOSING) && s->ssrc == ssrc)
      return s;
  }
  return NULL;
}

/*
 * Network thread, slot FREE: a resampler when the rates differ or drift is
 * compensated; its speex memory is charged to the session's budget, so a
 * session that cannot have it is not created.
 */
static bool setup_resampler(struct rill_receiver *r, struct session_slot *s,
                            const struct rtp_encoding *enc)
{
  s->rs_active = false;
  if (enc->rate_hz == r->p.rate_hz && !r->p.drift_compensation)
    return true;
  if (resampler_init(&s->rs, enc->channels, enc->rate_hz, r->p.rate_hz,
                     r->p.resampler_quality) != RILL_OK)
    return false;
  s->rs_charge = resampler_footprint_bytes(&s->rs);
  if (!limiter_acquire(&s->scope, s->rs_charge)) {
    resampler_deinit(&s->rs);
    return false;
  }
  s->rs_active = true;
  return true;
}

/* Network thread (or control at destroy), slot no longer played. */
static void teardown_resampler(struct session_slot *s)
{
  if (!s->rs_active)
    return;
  resampler_deinit(&s->rs);
  limiter_release(&s->scope, s->rs_charge);
  s->rs_active = false;
}

static struct session_slot *create_session(struct rill_receiver *r, uint32_t ssrc,
                                           const struct rtp_encoding *enc,
                                           const struct sockaddr *src, int64_t now_ns)
{
  uint32_t i;
  char addr[80];
  if (r->p.session_creations_per_s && !ratelimit_allow(&r->create_limit, now_ns, NULL)) {
    bump(&r->rate_limited);
    return NULL;
  }
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_FREE ||
        (s->reserved_until_ns > now_ns && s->reserved_ssrc != ssrc))
      continue;
    s->reserved_until_ns = 0;
    if (!setup_resampler(r, s, enc)) {
      bump(&r->no_memory);
      return NULL;
    }
    s->ssrc = ssrc;
    s->enc = *enc;
    memset(&s->source, 0, sizeof(s->source));
    memcpy(&s->source, src, addr_len(src));
    identity_publish(s);
    s->last_packet_ns = now_ns;
    s->have_transit = false;
    s->jitter = 0;
    fec_reader_session_start(atomic_load_explicit(&r->fec, memory_order_relaxed),
                             (uint32_t)(s - r->slots));
    publish(&s->packets_received, 0);
    publish(&s->dropped_net, 0);
    /* The reader's counters too: they still hold the slot's previous session
     * (published when it retired) until the reader first plays this one.
     * The reader does not touch a FREE slot, so this thread may write them. */
    publish(&s->played, 0);
    publish(&s->lost, 0);
    publish(&s->late, 0);
    publish(&s->duplicate, 0);
    publish(&s->dropped_rt, 0);
    publish(&s->gap_frames, 0);
    publish(&s->underruns, 0);
    publish(&s->resyncs, 0);
    atomic_store_explicit(&s->latency_ns, 0, memory_order_relaxed);
    atomic_store_explicit(&s->jitter_ns, 0, memory_order_relaxed);
    atomic_store_explicit(&s->scaling_ppb, 0, memory_order_relaxed);
    atomic_store_explicit(&s->saturated, false, memory_order_relaxed);
    atomic_store_explicit(&s->state, SLOT_ACTIVE, memory_order_release);
    bump(&r->sessions_created);
    format_addr(&s->source, addr, sizeof(addr));
    RILL_LOG(RILL_LOG_INFO, "receiver", "new session: ssrc %08x from %s, payload type %u",
             ssrc, addr, enc->payload_type);
    return s;
  }
  bump(&r->sessions_refused);
  return NULL;
}

/* Arrival time in RTP units of `rate_hz`, modulo 2^32 like RTP timestamps
 * (no overflow however long the clock has run). */
static uint32_t arrival_rtp_units(int64_t recv_ns, uint32_t rate_hz)
{
  uint64_t ns = recv_ns > 0 ? (uint64_t)recv_ns : 0;
  return (uint32_t)((ns / NS_PER_S) * rate_hz + (ns % NS_PER_S) * rate_hz / NS_PER_S);
}

/* RFC 3550 A.8: interarrival jitter in RTP timestamp units. Transit times
 * wrap with the timestamps; their difference is taken wrap-aware. */
static void update_jitter(struct session_slot *s, const struct rill_packet *pkt)
{
  uint32_t transit = arrival_rtp_units(pkt->recv_ns, s->enc.rate_hz) - pkt->timestamp;
  if (s->have_transit) {
    int64_t d = ts_diff(transit, s->last_transit);
    if (d < 0)
      d = -d;
    s->jitter += ((double)d - s->jitter) / 16.0;
    atomic_store_explicit(&s->jitter_ns,
                          (int64_t)(s->jitter * 1e9 / (double)s->enc.rate_hz),
                          memory_order_relaxed);
  }
  s->have_transit = true;
  s->last_transit = transit;
}

static void warn_rate_mismatch(struct rill_receiver *r, int64_t now_ns, uint32_t sender_rate)
{
  uint32_t suppressed = 0;
  if (!ratelimit_allow(&r->rate_warn, now_ns, &suppressed))
    return;
  RILL_LOG(RILL_LOG_WARN, "receiver",
           "sender rate %u Hz is too far from receiver rate %u Hz (at most %ux apart): "
           "packets dropped (%u similar warnings suppressed)",
           sender_rate, r->p.rate_hz, (unsigned)MAX_RATE_RATIO, suppressed);
}

/* ---- FEC hooks (network thread; see pipeline/fec_reader.h) ---- */

struct restore_target {
  struct rill_receiver *r;
  struct session_slot *s;
};

/* A source packet the decoder restored: queue it like a received one. */
static bool deliver_restored(void *user, struct rill_buffer *buf, size_t len, int64_t now_ns)
{
  struct restore_target *t = user;
  struct rtp_header h;
  struct rill_packet *pkt;
  if (rtp_parse(buf->data, len, &h) != RILL_OK || h.payload_bytes == 0 ||
      h.ssrc != t->s->ssrc || h.payload_type != t->s->enc.payload_type) {
    bump(&t->r->bad_packets);
    buffer_unref(buf);
    return false;
  }
  pkt = packet_alloc(t->r->ctx->packets, &t->s->scope);
  if (!pkt) {
    bump(&t->r->no_memory);
    buffer_unref(buf);
    return false;
  }
  fill_packet(pkt, buf, &h, now_ns);
  if (spsc_ring_push(t->s->ring, pkt) != RILL_OK) {
    bump(&t->s->dropped_net);
    packet_free(pkt);
    return false;
  }
  return true;
}

static bool same_source(const struct sockaddr_storage *a, const struct sockaddr *b)
{
  if (a->ss_family != b->sa_family)
    return false;
  if (b->sa_family == AF_INET) {
    const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const void *)b;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  if (b->sa_family == AF_INET6) {
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const void *)b;
    return x->sin6_port == y->sin6_port &&
           memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
  }
  return false;
}

/* A repair datagram: no SSRC, so it goes to the session sending from `src`. */
static void on_repair(struct rill_receiver *r, struct rill_buffer *buf,
                      const struct sockaddr *src, int64_t now_ns)
{
  struct fec_reader *fec = atomic_load_explicit(&r->fec, memory_order_relaxed);
  struct fec_payload_id id;
  struct restore_target t = {r, NULL};
  size_t offset = 0;
  uint32_t i;
  if (!fec || fec_repair_id_parse(fec_reader_scheme(fec), buf->data, buf->len_bytes, &id,
                                  &offset) != RILL_OK) {
    bump(&r->bad_packets);
    buffer_unref(buf);
    return;
  }
  for (i = 0; i < r->p.max_sessions && !t.s; i++) {
    struct session_slot *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) == SLOT_ACTIVE &&
        same_source(&s->source, src))
      t.s = s;
  }
  if (!t.s) {
    fec_reader_count_orphan_repair(fec);
    buffer_unref(buf);
    return;
  }
  fec_reader_on_repair(fec, (uint32_t)(t.s - r->slots), buf, &id, offset, &t.s->scope,
                       deliver_restored, &t, now_ns);
}

/* A FREE slot that `ssrc` may take now. */
static bool has_room(struct rill_receiver *r, uint32_t ssrc, int64_t now_ns)
{
  uint32_t i;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) == SLOT_FREE &&
        (s->reserved_until_ns <= now_ns || s->reserved_ssrc == ssrc))
      return true;
  }
  return false;
}

/*
 * All slots taken and `ssrc` passed probation: end one session that never
 * proved itself (one packet, then silence for 100 ms: a fake sender's) and
 * keep its slot for `ssrc` for a second, so that the flood does not take it
 * back first. The reader retires it and the next housekeeping frees it.
 */
static void evict_unproven(struct rill_receiver *r, uint32_t ssrc, int64_t now_ns)
{
  uint32_t i;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) == SLOT_ACTIVE &&
        load(&s->packets_received) <= 1 && now_ns - s->last_packet_ns > 100 * NS_PER_MS) {
      atomic_store_explicit(&s->state, SLOT_CLOSING, memory_order_release);
      s->reserved_ssrc = ssrc;
      s->reserved_until_ns = now_ns + NS_PER_S;
      bump(&r->sessions_evicted);
      return;
    }
  }
}

/*
 * Probation (RFC 3550 A.1), when every slot is taken: a newcomer must send
 * `probation_packets` packets in sequence, less than a second apart, before
 * it may push out a session that never proved itself. A flood of fake
 * senders (a new random SSRC per packet) holds at most the slots that were
 * free, and a real sender joining during the flood gets in within a few
 * packets. The table is direct-mapped by SSRC (a fake evicts a candidate
 * only by hashing to its entry, rarely with 4096 entries), fixed in size,
 * network thread only.
 */
static bool passes_probation(struct rill_receiver *r, const struct rtp_header *h, int64_t now_ns)
{
  struct probation_entry *e = &r->probation[(h->ssrc * 2654435761u) >> (32 - PROBATION_BITS)];
  if (e->ssrc == h->ssrc && e->count > 0 && now_ns - e->seen_ns < NS_PER_S &&
      h->seq == (uint16_t)(e->seq + 1)) {
    e->count++;
  } else {
    e->ssrc = h->ssrc;
    e->count = 1;
  }
  e->seq = h->seq;
  e->seen_ns = now_ns;
  if (e->count < r->p.probation_packets) {
    bump(&r->probation_dropped);
    return false;
  }
  e->count = 0;
  return true;
}

static void on_datagram(void *user, struct rill_buffer *buf, const struct sockaddr *src,
                        int64_t now_ns)
{
  const struct receiver_endpoint *ep = user;
  struct rill_receiver *r = ep->r;
  struct rtp_header h;
  const struct rtp_encoding *enc;
  struct session_slot *s;
  struct rill_packet *pkt;
  struct fec_payload_id fid;
  size_t rtp_bytes = buf->len_bytes;

  bump(&r->datagrams);
  if (ep->iface == RECEIVER_IFACE_REPAIR) {
    on_repair(r, buf, src, now_ns);
    return;
  }
  /* FEC source packet: the footer comes off the end first. */
  if (ep->fec && fec_source_id_parse((enum fec_scheme)ep->fec, buf->data, buf->len_bytes, &fid,
                                     &rtp_bytes) != RILL_OK) {
    bump(&r->bad_packets);
    goto drop_buffer;
  }
  if (rtp_parse(buf->data, rtp_bytes, &h) != RILL_OK || h.payload_bytes == 0) {
    bump(&r->bad_packets);
    goto drop_buffer;
  }
  enc = rtp_registry_find(&r->p.registry, h.payload_type);
  if (!enc) {
    bump(&r->unknown_pt);
    goto drop_buffer;
  }
  s = find_session(r, h.ssrc);
  if (!s) {
    if (enc->rate_hz > r->p.rate_hz * MAX_RATE_RATIO ||
        enc->rate_hz * MAX_RATE_RATIO < r->p.rate_hz) {
      bump(&r->rate_mismatch);
      warn_rate_mismatch(r, now_ns, enc->rate_hz);
      goto drop_buffer;
    }
    if (!has_room(r, h.ssrc, now_ns)) {
      /* Full: a newcomer must prove itself, then an unproven session makes
       * room for it. */
      if (r->p.probation_packets > 1 && passes_probation(r, &h, now_ns))
        evict_unproven(r, h.ssrc, now_ns);
      bump(&r->sessions_refused);
      goto drop_buffer;
    }
    s = create_session(r, h.ssrc, enc, src, now_ns);
    if (!s)
      goto drop_buffer;
  }
  if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE ||
      enc->payload_type != s->enc.payload_type) {
    bump(&s->dropped_net);
    goto drop_buffer;
  }
  s->last_packet_ns = now_ns;
  bump(&s->packets_received);

  pkt = packet_alloc(r->ctx->packets, pool_scope_of(buf));
  if (!pkt) {
    bump(&r->no_memory);
    goto drop_buffer;
  }
  fill_packet(pkt, buf, &h, now_ns);
  update_jitter(s, pkt);
  if (!packet_recharge(pkt, &s->scope)) {
    bump(&s->dropped_net);
    packet_free(pkt);
    return;
  }
  if (ep->fec) {
    /* Before the ring: once pushed, the reader may free the packet. */
    struct restore_target t = {r, s};
    fec_reader_on_source(atomic_load_explicit(&r->fec, memory_order_relaxed),
                         (uint32_t)(s - r->slots), buf, &fid, rtp_bytes, &s->scope,
                         deliver_restored, &t, now_ns);
  }
  if (spsc_ring_push(s->ring, pkt) != RILL_OK) {
    bump(&s->dropped_net);
    packet_free(pkt);
  }
  return;

drop_buffer:
  buffer_unref(buf);
}

static void add_gone_counters(struct rill_receiver *r, struct session_slot *s)
{
  atomic_fetch_add(&r->gone_received, load(&s->packets_received));
  atomic_fetch_add(&r->gone_played, load(&s->played));
  atomic_fetch_add(&r->gone_lost, load(&s->lost));
  atomic_fetch_add(&r->gone_late, load(&s->late));
  atomic_fetch_add(&r->gone_duplicate, load(&s->duplicate));
  atomic_fetch_add(&r->gone_dropped, load(&s->dropped_net) + load(&s->dropped_rt));
  bump(&r->sessions_removed);
  fec_reader_session_release(atomic_load_explicit(&r->fec, memory_order_relaxed),
                             (uint32_t)(s - r->slots));
}

static void publish_depack(struct session_slot *s);
static void on_idle_watch(uv_timer_t *timer);

/* Network thread, holding the gate: drop every session and stop receiving. */
static void enter_idle(struct rill_receiver *r, int64_t idle_ns)
{
  uint32_t i;
  size_t p;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) == SLOT_FREE)
      continue;
    if (s->rt_active) {
      publish_depack(s);
      depack_deinit(&s->depack);
      s->rt_active = false;
    }
    drain_ring(s);
    teardown_resampler(s);
    add_gone_counters(r, s);
    atomic_store_explicit(&s->state, SLOT_FREE, memory_order_release);
  }
  for (p = 0; p < ports_bound(r); p++)
    udp_port_hold(r->ports[p]);
  r->idle_paused = true;
  if (r->idle_watch_open)
    uv_timer_start(&r->idle_watch, on_idle_watch, IDLE_WATCH_MS, IDLE_WATCH_MS);
  bump(&r->idle_entries);
  pool_trim(r->ctx->buffers);
  pool_trim(r->ctx->packets);
  RILL_LOG(RILL_LOG_INFO, "receiver", "idle: nobody read for %lld ms; receiving paused",
           (long long)(idle_ns / NS_PER_MS));
}

/* Network thread: the reader is back; drop what queued up meanwhile, receive. */
static void leave_idle(struct rill_receiver *r)
{
  size_t p, flushed = 0;
  if (!r->idle_paused || atomic_load_explicit(&r->gate, memory_order_acquire) == GATE_IDLE)
    return;
  r->idle_paused = false;
  if (r->idle_watch_open)
    uv_timer_stop(&r->idle_watch);
  for (p = 0; p < ports_bound(r); p++) {
    flushed += udp_port_flush(r->ports[p], 1u << 20);
    udp_port_release(r->ports[p]);
  }
  RILL_LOG(RILL_LOG_INFO, "receiver", "active again: %zu stale datagrams discarded", flushed);
}

static void on_idle_watch(uv_timer_t *timer)
{
  leave_idle(timer->data);
}

static void check_idle(struct rill_receiver *r, int64_t now_ns)
{
  int64_t idle_ns = now_ns - atomic_load_explicit(&r->last_read_ns, memory_order_relaxed);
  int gate = GATE_FREE;
  if (r->p.idle_timeout_ns <= 0 || r->idle_paused || idle_ns <= r->p.idle_timeout_ns)
    return;
  /* Fails if a read is in progress: try again on the next tick. */
  if (!atomic_compare_exchange_strong(&r->gate, &gate, GATE_NET_OWNS))
    return;
  enter_idle(r, idle_ns);
  atomic_store_explicit(&r->gate, GATE_IDLE, memory_order_release);
}

/* The reader does not log; the network thread reports, rate-limited, a
 * drift too large to compensate. */
static void warn_saturated(struct rill_receiver *r, int64_t now_ns)
{
  uint32_t i, suppressed = 0;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) == SLOT_ACTIVE &&
        atomic_load_explicit(&s->saturated, memory_order_relaxed)) {
      if (ratelimit_allow(&r->saturation_warn, now_ns, &suppressed))
        RILL_LOG(RILL_LOG_WARN, "receiver",
                 "session ssrc %08x: clock drift beyond what resampling compensates "
                 "(ratio %+lld ppm, at its limit); latency will wander",
                 s->ssrc,
                 (long long)(atomic_load_explicit(&s->scaling_ppb, memory_order_relaxed) / 1000));
      return;
    }
  }
}

static void receiver_tick(struct context_client *c, int64_t now_ns)
{
  struct rill_receiver *r = RILL_CONTAINER_OF(c, struct rill_receiver, client);
  uint32_t i;
  leave_idle(r); /* also when no port has an idle watch (tests) */
  check_idle(r, now_ns);
  warn_saturated(r, now_ns);
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    int st = atomic_load_explicit(&s->state, memory_order_acquire);
    if (st == SLOT_ACTIVE && now_ns - s->last_packet_ns > r->p.session_timeout_ns) {
      atomic_store_explicit(&s->state, SLOT_CLOSING, memory_order_release);
      RILL_LOG(RILL_LOG_INFO, "receiver", "session ssrc %08x ended: no packets for %lld ms",
               s->ssrc, (long long)(r->p.session_timeout_ns / NS_PER_MS));
    } else if (st == SLOT_RETIRED) {
      drain_ring(s);
      teardown_resampler(s);
      add_gone_counters(r, s);
      atomic_store_explicit(&s->state, SLOT_FREE, memory_order_release);
    }
  }
}

static void receiver_memory_returned(struct context_client *c)
{
  struct rill_receiver *r = RILL_CONTAINER_OF(c, struct rill_receiver, client);
  size_t i;
  if (r->idle_paused)
    return; /* paused on purpose: only a read brings it back */
  for (i = 0; i < ports_bound(r); i++)
    udp_port_resume(r->ports[i]);
}

/* ---- reader ---- */

static void publish_depack(struct session_slot *s)
{
  const struct rill_depacketizer_stats *st = &s->depack.stats;
  publish(&s->played, st->packets_played);
  publish(&s->lost, st->packets_lost);
  publish(&s->late, st->packets_late);
  publish(&s->duplicate, st->packets_duplicate);
  publish(&s->dropped_rt, st->packets_overflow + st->packets_invalid + st->packets_stale);
  publish(&s->gap_frames, st->gap_frames);
  publish(&s->underruns, st->underruns);
  publish(&s->resyncs, st->resyncs);
  atomic_store_explicit(&s->latency_ns,
                        (int64_t)depack_queued_frames(&s->depack) * NS_PER_S /
                            (int64_t)s->enc.rate_hz,
                        memory_order_relaxed);
}

/* Frames of `ns` at `rate_hz`. */
static uint32_t ns_to_frames(int64_t ns, uint32_t rate_hz)
{
  return (uint32_t)(ns * (int64_t)rate_hz / NS_PER_S);
}

static void start_playback(struct rill_receiver *r, struct session_slot *s)
{
  /* The depacketizer counts in the sender's frames, which may not be ours. */
  uint32_t target = ns_to_frames(r->p.target_latency_ns, s->enc.rate_hz);
  depack_init(&s->depack, &s->enc, target ? target : 1, r->p.max_queue_packets);
  if (r->p.latency_tolerance_ns > 0)
    depack_set_max_latency(&s->depack,
                           target + ns_to_frames(r->p.latency_tolerance_ns, s->enc.rate_hz));
  s->setpoint_ns = 0;
  s->learn_sum = 0;
  s->learn_count = 0;
  s->measured_latency_ns = 0;
  s->last_audio_ns = 0;
  s->window_start_ns = 0;
  s->choppy_since_ns = 0;
  s->played_once = false;
  s->latctl_engaged = false;
  s->ratio_applied_ns = 0;
  s->rt_active = true;
}

/*
 * Drift compensation. The latency to hold is the mean measured over the
 * first second of playback (the target, give or take a packet and a read;
 * bounded to [target / 2, target + tolerance]), so that starting does not
 * warp the audio; the controller takes over once the smoothed latency
 * leaves the dead band around it.
 */
static void steer(struct rill_receiver *r, struct session_slot *s, int64_t latency_ns,
                  int64_t now_ns)
{
  int64_t lo = r->p.target_latency_ns / 2, hi = r->p.target_latency_ns + r->p.latency_tolerance_ns;
  double dt, alpha, scaling;
  uint64_t changes;
  if (s->setpoint_ns == 0) {
    /* Learn the latency to hold over the first second of playback: one
     * measurement alone may catch a burst or a late packet. */
    if (s->learn_count == 0)
      s->learn_start_ns = now_ns;
    s->learn_sum += (double)latency_ns;
    s->learn_count++;
    if (now_ns - s->learn_start_ns < SETPOINT_LEARN_NS)
      return;
    latency_ns = (int64_t)(s->learn_sum / s->learn_count);
    s->setpoint_ns = latency_ns < lo ? lo : latency_ns > hi && hi > lo ? hi : latency_ns;
    s->smoothed_error_ns = 0;
    s->last_measure_ns = now_ns;
    latctl_init(&s->latctl, s->setpoint_ns, NULL);
  }
  dt = (double)(now_ns - s->last_measure_ns);
  s->last_measure_ns = now_ns;
  alpha = dt <= 0 ? 0 : dt >= DRIFT_SMOOTHING_NS ? 1 : dt / DRIFT_SMOOTHING_NS;
  s->smoothed_error_ns += alpha * ((double)(latency_ns - s->setpoint_ns) - s->smoothed_error_ns);
  if (!s->latctl_engaged && fabs(s->smoothed_error_ns) < DRIFT_DEADBAND_NS)
    return;
  s->latctl_engaged = true;
  scaling = latctl_update(&s->latctl, latency_ns, now_ns);
  /* The controller integrates every measurement; its output is applied at
   * a bounded rate (see RATIO_UPDATE_NS). */
  if (now_ns - s->ratio_applied_ns < RATIO_UPDATE_NS || r->ratio_updates_left == 0)
    return;
  changes = s->rs.stats.ratio_changes;
  (void)resampler_set_scaling(&s->rs, scaling);
  s->ratio_applied_ns = now_ns;
  if (s->rs.stats.ratio_changes != changes) {
    r->ratio_updates_left--;
    atomic_fetch_add_explicit(&r->ratio_updates, 1, memory_order_relaxed);
  }
}

/*
 * Resampled playback: pull what the resampler needs for `frames` output
 * frames from the depacketizer (silence while it primes), mix the output,
 * then steer the ratio so that the latency stays at the target. The latency
 * measured is the queue plus the audio inside the resampler plus the age of
 * the newest packet: the queue alone is a sawtooth one packet high (it jumps
 * at each arrival), and adding the age cancels the teeth.
 */
static bool play_resampled(struct rill_receiver *r, struct session_slot *s, float *out,
                           uint32_t frames, int64_t now_ns)
{
  uint32_t done = 0, ch = s->enc.channels, audio = 0;
  int64_t newest;
  while (done < frames) {
    uint32_t n = frames - done, need, used = 0, written = 0;
    need = resampler_input_needed(&s->rs, n);
    while (need > IN_SCRATCH_FRAMES && n > 1) {
      n /= 2;
      need = resampler_input_needed(&s->rs, n);
    }
    audio += depack_read(&s->depack, r->in_scratch, need);
    (void)resampler_process(&s->rs, r->in_scratch, need, &used, r->scratch, n, &written);
    /* The resampler promises exactly n frames for exactly `need`; should it
     * ever disagree, the output stays contiguous (done advances by what was
     * written) and the mismatch is counted. */
    if (used < need)
      atomic_fetch_add_explicit(&r->rs_input_dropped, need - used, memory_order_relaxed);
    if (written < n)
      atomic_fetch_add_explicit(&r->rs_output_short, n - written, memory_order_relaxed);
    mix_add_mapped(out + (size_t)done * r->p.channels, r->p.channels, r->scratch, ch, written);
    done += written;
    if (written == 0)
      break; /* never spin: the rest of this read stays silent */
  }
  if (r->p.drift_compensation && s->depack.started &&
      depack_newest_arrival(&s->depack, &newest)) {
    double queued = (double)depack_queued_frames(&s->depack) + resampler_buffered_frames(&s->rs);
    int64_t latency_ns = (int64_t)(queued * (double)NS_PER_S / (double)s->enc.rate_hz);
    if (now_ns > newest)
      latency_ns += now_ns - newest;
    steer(r, s, latency_ns, now_ns);
    s->measured_latency_ns = latency_ns;
  }
  return audio > 0;
}

/*
 * Watchdog (reader): a session that has played no audio for
 * no_play_timeout (packets arrive but are all late, or stopped coming before
 * the network's session timeout), or that has been choppy (a gap or an
 * underrun in every 250 ms window) for choppy_timeout, is ended; if its
 * sender goes on, the next packet starts a fresh session. Returns true when
 * the session must end. Counted, not logged (this is the real-time thread).
 */
static bool watchdog_fires(struct rill_receiver *r, struct session_slot *s, bool audio,
                           int64_t now_ns)
{
  uint64_t gaps = s->depack.stats.gap_frames + s->depack.stats.underruns;
  int64_t limit = r->p.no_play_timeout_ns;
  if (s->last_audio_ns == 0 || audio)
    s->last_audio_ns = now_ns;
  if (audio)
    s->played_once = true;
  /* Before the first audio, priming the target latency is not a stall. */
  if (!s->played_once)
    limit += r->p.target_latency_ns;
  if (r->p.no_play_timeout_ns > 0 && now_ns - s->last_audio_ns > limit)
    return true;
  if (r->p.choppy_timeout_ns <= 0)
    return false;
  if (s->window_start_ns == 0) {
    s->window_start_ns = now_ns;
    s->window_gaps = gaps;
  } else if (now_ns - s->window_start_ns >= CHOPPY_WINDOW_NS) {
    if (gaps > s->window_gaps) {
      if (s->choppy_since_ns == 0)
        s->choppy_since_ns = s->window_start_ns;
      if (now_ns - s->choppy_since_ns >= r->p.choppy_timeout_ns)
        return true;
    } else {
      s->choppy_since_ns = 0;
    }
    s->window_start_ns = now_ns;
    s->window_gaps = gaps;
  }
  return false;
}

static void retire_session(struct session_slot *s);

static void play_session(struct rill_receiver *r, struct session_slot *s, float *out,
                         uint32_t frames, int64_t now_ns)
{
  bool audio = false;
  void *p;
  if (!s->rt_active)
    start_playback(r, s);
  while (spsc_ring_pop(s->ring, &p) == RILL_OK)
    depack_push(&s->depack, p);
  if (s->rs_active) {
    audio = play_resampled(r, s, out, frames, now_ns);
  } else if (depack_read(&s->depack, r->scratch, frames) > 0) {
    mix_add_mapped(out, r->p.channels, r->scratch, s->enc.channels, frames);
    audio = true;
  }
  publish_depack(s);
  if (s->rs_active && s->measured_latency_ns > 0)
    atomic_store_explicit(&s->latency_ns, s->measured_latency_ns, memory_order_relaxed);
  if (s->rs_active && s->latctl_engaged) {
    struct rill_latctl_state st;
    latctl_state(&s->latctl, &st);
    atomic_store_explicit(&s->scaling_ppb, (int64_t)((resampler_scaling(&s->rs) - 1.0) * 1e9),
                          memory_order_relaxed);
    atomic_store_explicit(&s->saturated, st.saturated, memory_order_relaxed);
  }
  if (watchdog_fires(r, s, audio, now_ns)) {
    bump(&r->watchdog_resets);
    retire_session(s);
  }
}

static void retire_session(struct session_slot *s)
{
  if (s->rt_active) {
    publish_depack(s);
    depack_deinit(&s->depack);
    s->rt_active = false;
  }
  drain_ring(s);
  atomic_store_explicit(&s->state, SLOT_RETIRED, memory_order_release);
}

void receiver_read_at(struct rill_receiver *r, float *out, uint32_t frames, int64_t now_ns)
{
  int gate = GATE_FREE;

  /* Back from idle, the gate goes IDLE -> READING; the network thread's idle
   * watch sees it within IDLE_WATCH_MS and receives again. */
  if (!atomic_compare_exchange_strong(&r->gate, &gate, GATE_READING)) {
    if (gate != GATE_IDLE || !atomic_compare_exchange_strong(&r->gate, &gate, GATE_READING)) {
      /* The network thread is dropping everything to go idle: play silence. */
      atomic_store_explicit(&r->last_read_ns, now_ns, memory_order_relaxed);
      memset(out, 0, (size_t)frames * r->p.channels * sizeof(float));
      return;
    }
  }
  atomic_store_explicit(&r->last_read_ns, now_ns, memory_order_relaxed);
  r->ratio_updates_left = RATIO_UPDATES_PER_READ;

  while (frames > 0) {
    uint32_t n = frames < CHUNK_FRAMES ? frames : CHUNK_FRAMES, i;
    memset(out, 0, (size_t)n * r->p.channels * sizeof(float));
    for (i = 0; i < r->p.max_sessions; i++) {
      struct session_slot *s = &r->slots[i];
      int st = atomic_load_explicit(&s->state, memory_order_acquire);
      if (st == SLOT_ACTIVE)
        play_session(r, s, out, n, now_ns);
      else if (st == SLOT_CLOSING)
        retire_session(s);
    }
    mix_clamp(out, (size_t)n * r->p.channels);
    out += (size_t)n * r->p.channels;
    frames -= n;
  }
  atomic_store_explicit(&r->gate, GATE_FREE, memory_order_release);
}

void receiver_read(struct rill_receiver *r, float *out, uint32_t frames)
{
  receiver_read_at(r, out, frames, clock_now_ns());
}

/* ---- control ---- */

static void free_slots(struct rill_receiver *r)
{
  uint32_t i;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    if (s->rt_active)
      depack_deinit(&s->depack);
    teardown_resampler(s);
    if (s->ring) {
      drain_ring(s);
      spsc_ring_destroy(s->ring);
    }
  }
  mem_free(r->ctx->arena, &r->ctx->global, r->slots, r->slots_bytes);
  mem_free(r->ctx->arena, &r->ctx->global, r->scratch,
           CHUNK_FRAMES * RTP_MAX_CHANNELS * sizeof(float));
  mem_free(r->ctx->arena, &r->ctx->global, r->in_scratch,
           IN_SCRATCH_FRAMES * RTP_MAX_CHANNELS * sizeof(float));
  mem_free(r->ctx->arena, &r->ctx->global, r->probation,
           sizeof(struct probation_entry) << PROBATION_BITS);
}

static size_t pow2_at_least(size_t n)
{
  size_t p = 2;
  while (p < n)
    p <<= 1;
  return p;
}

int receiver_create(struct rill_context *ctx, const struct rill_receiver_params *params,
                    struct rill_receiver **out)
{
  struct rill_receiver *r;
  uint32_t i;
  int status;

  *out = NULL;
  if (params->rate_hz == 0 || params->channels == 0 || params->channels > RTP_MAX_CHANNELS ||
      params->max_sessions == 0 || params->target_latency_ns <= 0 ||
      params->session_timeout_ns <= 0 || params->max_queue_packets < 2)
    return RILL_EINVAL;
  status = mem_alloc(ctx->arena, &ctx->global, sizeof(*r), (void **)&r);
  if (status != RILL_OK)
    return status;
  r->ctx = ctx;
  r->p = *params;
  atomic_init(&r->gate, GATE_FREE);
  atomic_init(&r->last_read_ns, clock_now_ns());
  ratelimit_init(&r->rate_warn, LOG_INTERVAL_NS, 1);
  ratelimit_init(&r->saturation_warn, LOG_INTERVAL_NS, 1);
  ratelimit_init(&r->create_limit, NS_PER_S,
                 params->session_creations_per_s ? params->session_creations_per_s : 1);
  r->slots_bytes = sizeof(struct session_slot) * params->max_sessions;
  status = mem_alloc(ctx->arena, &ctx->global, r->slots_bytes, (void **)&r->slots);
  if (status != RILL_OK)
    goto err_r;
  for (i = 0; i < params->max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    atomic_init(&s->state, SLOT_FREE);
    status = limiter_init(&s->scope, &ctx->global, params->session_budget_bytes, "session");
    if (status != RILL_OK)
      goto err_slots;
    status = spsc_ring_create(ctx->arena, &ctx->global, pow2_at_least(params->max_queue_packets),
                              &s->ring);
    if (status != RILL_OK)
      goto err_slots;
  }
  status = mem_alloc(ctx->arena, &ctx->global, CHUNK_FRAMES * RTP_MAX_CHANNELS * sizeof(float),
                     (void **)&r->scratch);
  if (status == RILL_OK)
    status = mem_alloc(ctx->arena, &ctx->global,
                       IN_SCRATCH_FRAMES * RTP_MAX_CHANNELS * sizeof(float),
                       (void **)&r->in_scratch);
  if (status == RILL_OK && params->probation_packets > 1)
    status = mem_alloc(ctx->arena, &ctx->global,
                       sizeof(struct probation_entry) << PROBATION_BITS,
                       (void **)&r->probation);
  if (status != RILL_OK)
    goto err_slots;
  r->client.tick = receiver_tick;
  r->client.memory_returned = receiver_memory_returned;
  list_init(&r->client.link);
  atomic_fetch_add(&ctx->open_objects, 1);
  *out = r;
  return RILL_OK;

err_slots:
  free_slots(r);
err_r:
  mem_free(ctx->arena, &ctx->global, r, sizeof(*r));
  return status;
}

struct bind_req {
  struct rill_receiver *r;
  const struct sockaddr *addr;
  bool reuse_addr;
  const char *iface;
  struct rill_udp_port *port;
  enum receiver_iface kind; /* FEC (issue 6): what the port carries */
  int fec;
};

static bool is_multicast(const struct sockaddr *sa)
{
  if (sa->sa_family == AF_INET)
    return IN_MULTICAST(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
  if (sa->sa_family == AF_INET6)
    return IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)sa)->sin6_addr);
  return false;
}

static void port_closed_free(struct rill_udp_port *port)
{
  struct rill_receiver *r = ((struct receiver_endpoint *)port->user)->r;
  mem_free(r->ctx->arena, &r->ctx->global, port, sizeof(*port));
  atomic_fetch_sub(&r->ports_open, 1);
}

static int bind_on_loop(void *arg)
{
  struct bind_req *q = arg;
  struct rill_receiver *r = q->r;
  struct rill_context *ctx = r->ctx;
  size_t n;
  int status = udp_port_open(q->port, &ctx->loop.loop, q->addr, q->reuse_addr, ctx->buffers,
                             &ctx->global, r->p.socket_budget_bytes);
  if (status != RILL_OK)
    return status;
  /* The port's user is its endpoint (what it carries; FEC, issue 6). */
  n = ports_bound(r);
  r->endpoints[n] = (struct receiver_endpoint){r, q->kind, q->fec};
  q->port->user = &r->endpoints[n];
  if (is_multicast(q->addr)) {
    char group[INET6_ADDRSTRLEN];
    const void *a = q->addr->sa_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)q->addr)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)q->addr)->sin6_addr;
    inet_ntop(q->addr->sa_family, a, group, sizeof(group));
    status = udp_port_join(q->port, group, q->iface);
  }
  if (status == RILL_OK && r->p.socket_rcvbuf_bytes)
    status = udp_port_set_recv_buffer(q->port, r->p.socket_rcvbuf_bytes);
  if (status == RILL_OK)
    status = udp_port_start(q->port, on_datagram, &r->endpoints[n]);
  if (status != RILL_OK) {
    atomic_fetch_add(&r->ports_open, 1);
    udp_port_close(q->port, port_closed_free);
    q->port = NULL; /* freed when libuv has closed it */
    return status;
  }
  if (n == 0) {
    context_add_client(ctx, &r->client);
    uv_timer_init(&ctx->loop.loop, &r->idle_watch);
    r->idle_watch.data = r;
    r->idle_watch_open = true;
  }
  r->ports[n] = q->port;
  atomic_store_explicit(&r->port_count, n + 1, memory_order_release);
  atomic_fetch_add(&r->ports_open, 1);
  return RILL_OK;
}

int receiver_bind(struct rill_receiver *r, const struct sockaddr *addr,
                  const char *multicast_iface, uint16_t *bound_port)
{
  return receiver_bind_endpoint(r, addr, RECEIVER_IFACE_SOURCE, 0, multicast_iface, bound_port);
}

struct fec_req {
  struct rill_receiver *r;
  struct fec_reader *fec;
};

static int set_fec_on_loop(void *arg)
{
  struct fec_req *q = arg;
  atomic_store_explicit(&q->r->fec, q->fec, memory_order_release);
  return RILL_OK;
}

int receiver_enable_fec(struct rill_receiver *r, int fec)
{
  struct fec_req q = {r, atomic_load(&r->fec)};
  int status;
  if (q.fec)
    return (int)fec_reader_scheme(q.fec) == fec ? RILL_OK : RILL_EINVAL;
  status = fec_reader_create(r->ctx->arena, &r->ctx->global, (enum fec_scheme)fec,
                             r->ctx->buffers, r->p.max_sessions, &q.fec);
  if (status != RILL_OK)
    return status;
  evloop_call(&r->ctx->loop, set_fec_on_loop, &q);
  /* A lost packet is restored when its block's repair packets arrive: up to
   * a whole block after its play time at roc's defaults (18 x 5 ms). */
  if (r->p.target_latency_ns < 18 * 5 * NS_PER_MS)
    RILL_LOG(RILL_LOG_WARN, "receiver",
             "target latency %lld ms is shorter than a FEC block at roc's defaults (90 ms): "
             "restored packets may arrive too late to play",
             (long long)(r->p.target_latency_ns / NS_PER_MS));
  return RILL_OK;
}

int receiver_bind_endpoint(struct rill_receiver *r, const struct sockaddr *addr,
                           enum receiver_iface iface, int fec, const char *multicast_iface,
                           uint16_t *bound_port)
{
  struct bind_req q = {r, addr, r->p.reuse_address, multicast_iface, NULL, iface, fec};
  struct sockaddr_storage local;
  int status;

  if (ports_bound(r) >= RECEIVER_MAX_PORTS)
    return RILL_ESTATE;
  if (iface == RECEIVER_IFACE_REPAIR && !fec)
    return RILL_EINVAL;
  if (fec && (status = receiver_enable_fec(r, fec)) != RILL_OK)
    return status;
  status = mem_alloc(r->ctx->arena, &r->ctx->global, sizeof(*q.port), (void **)&q.port);
  if (status != RILL_OK)
    return status;
  status = evloop_call(&r->ctx->loop, bind_on_loop, &q);
  if (status != RILL_OK) {
    if (q.port)
      mem_free(r->ctx->arena, &r->ctx->global, q.port, sizeof(*q.port));
    return status;
  }
  if (bound_port && udp_port_local_addr(q.port, &local) == RILL_OK)
    *bound_port = ntohs(local.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *)&local)->sin6_port
                            : ((struct sockaddr_in *)&local)->sin_port);
  return RILL_OK;
}

bool receiver_session_at(struct rill_receiver *r, uint32_t index,
                         struct receiver_session_info *info)
{
  struct session_slot *s;
  struct fec_reader_stats fs;
  if (index >= r->p.max_sessions)
    return false;
  s = &r->slots[index];
  if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_ACTIVE)
    return false;
  memset(info, 0, sizeof(*info));
  if (!identity_read(s, info))
    return false;
  info->packets_received = load(&s->packets_received);
  info->packets_played = load(&s->played);
  info->packets_lost = load(&s->lost);
  info->packets_late = load(&s->late);
  info->packets_duplicate = load(&s->duplicate);
  info->packets_dropped = load(&s->dropped_net) + load(&s->dropped_rt);
  info->gap_frames = load(&s->gap_frames);
  info->underruns = load(&s->underruns);
  info->resyncs = load(&s->resyncs);
  info->jitter_ns = atomic_load_explicit(&s->jitter_ns, memory_order_relaxed);
  info->latency_ns = atomic_load_explicit(&s->latency_ns, memory_order_relaxed);
  info->scaling_ppb = atomic_load_explicit(&s->scaling_ppb, memory_order_relaxed);
  info->saturated = atomic_load_explicit(&s->saturated, memory_order_relaxed);
  info->memory_bytes = atomic_load_explicit(&s->scope.used_bytes, memory_order_relaxed);
  fec_reader_session_stats(atomic_load_explicit(&r->fec, memory_order_acquire), index, &fs);
  info->fec_recovered = fs.recovered;
  info->fec_unrecoverable = fs.unrecoverable;
  info->fec_repair_received = fs.repair_received;
  info->fec_repair_dropped = fs.repair_dropped;
  return true;
}

uint32_t receiver_max_sessions(const struct rill_receiver *r)
{
  return r->p.max_sessions;
}

void receiver_stats(struct rill_receiver *r, struct receiver_totals *t,
                    struct receiver_session_info *sessions, size_t cap, size_t *count)
{
  uint32_t i;
  size_t n = 0;
  memset(t, 0, sizeof(*t));
  t->datagrams = load(&r->datagrams);
  t->bad_packets = load(&r->bad_packets);
  t->unknown_payload_type = load(&r->unknown_pt);
  t->rate_mismatch = load(&r->rate_mismatch);
  t->sessions_refused = load(&r->sessions_refused);
  t->sessions_created = load(&r->sessions_created);
  t->sessions_removed = load(&r->sessions_removed);
  t->no_memory = load(&r->no_memory);
  t->sessions_rate_limited = load(&r->rate_limited);
  t->probation_dropped = load(&r->probation_dropped);
  t->sessions_evicted = load(&r->sessions_evicted);
  t->watchdog_resets = load(&r->watchdog_resets);
  t->idle_entries = load(&r->idle_entries);
  t->idle = atomic_load_explicit(&r->gate, memory_order_relaxed) == GATE_IDLE;
  t->ratio_updates = load(&r->ratio_updates);
  t->resampler_input_dropped = load(&r->rs_input_dropped);
  t->resampler_output_short = load(&r->rs_output_short);
  for (i = 0; i < ports_bound(r); i++) {
    struct rill_udp_port_stats ps;
    udp_port_stats(r->ports[i], &ps);
    t->socket_pauses += ps.pauses;
    t->flushed += ps.flushed;
  }
  t->packets_received = load(&r->gone_received);
  t->packets_played = load(&r->gone_played);
  t->packets_lost = load(&r->gone_lost);
  t->packets_late = load(&r->gone_late);
  t->packets_duplicate = load(&r->gone_duplicate);
  t->packets_dropped = load(&r->gone_dropped);
  {
    struct fec_reader_stats fs;
    fec_reader_total_stats(atomic_load_explicit(&r->fec, memory_order_acquire), &fs);
    t->fec_recovered = fs.recovered;
    t->fec_unrecoverable = fs.unrecoverable;
    t->fec_repair_received = fs.repair_received;
    t->fec_repair_dropped = fs.repair_dropped;
  }
  for (i = 0; i < r->p.max_sessions; i++) {
    struct session_slot *s = &r->slots[i];
    int st = atomic_load_explicit(&s->state, memory_order_acquire);
    if (st == SLOT_FREE)
      continue;
    t->packets_received += load(&s->packets_received);
    t->packets_played += load(&s->played);
    t->packets_lost += load(&s->lost);
    t->packets_late += load(&s->late);
    t->packets_duplicate += load(&s->duplicate);
    t->packets_dropped += load(&s->dropped_net) + load(&s->dropped_rt);
    if (st != SLOT_ACTIVE)
      continue;
    t->sessions++;
    if (sessions && n < cap && receiver_session_at(r, i, &sessions[n]))
      n++;
  }
  if (count)
    *count = n;
}

uint32_t receiver_channels(const struct rill_receiver *r)
{
  return r->p.channels;
}

void receiver_limiters(struct rill_receiver *r, struct rill_limiter_stats *global,
                       struct rill_limiter_stats *socket)
{
  limiter_stats(&r->ctx->global, global);
  memset(socket, 0, sizeof(*socket));
  if (atomic_load(&r->ports_open) > 0 && ports_bound(r) > 0)
    limiter_stats(&r->ports[0]->scope, socket);
}

static void idle_watch_closed(uv_handle_t *handle)
{
  struct rill_receiver *r = handle->data;
  atomic_fetch_sub(&r->ports_open, 1);
}

static int close_on_loop(void *arg)
{
  struct rill_receiver *r = arg;
  size_t i;
  if (ports_bound(r) > 0)
    context_remove_client(&r->client);
  if (r->idle_watch_open) {
    r->idle_watch_open = false;
    atomic_fetch_add(&r->ports_open, 1); /* counted like a port until libuv closes it */
    uv_timer_stop(&r->idle_watch);
    uv_close((uv_handle_t *)&r->idle_watch, idle_watch_closed);
  }
  for (i = 0; i < ports_bound(r); i++)
    udp_port_close(r->ports[i], port_closed_free);
  atomic_store_explicit(&r->port_count, 0, memory_order_release);
  return RILL_OK;
}

struct inject_req {
  struct rill_receiver *r;
  const uint8_t *data;
  size_t len;
  const struct sockaddr *src;
  int64_t now_ns;
  struct receiver_endpoint ep;
};

static int inject_on_loop(void *arg)
{
  struct inject_req *q = arg;
  struct rill_buffer *buf = buffer_alloc(q->r->ctx->buffers, NULL);
  if (!buf)
    return RILL_EBUDGET;
  if (q->len > buf->capacity_bytes) {
    buffer_unref(buf);
    return RILL_EINVAL;
  }
  memcpy(buf->data, q->data, q->len);
  buf->len_bytes = (uint32_t)q->len;
  on_datagram(&q->ep, buf, q->src, q->now_ns);
  return RILL_OK;
}

int receiver_inject(struct rill_receiver *r, const uint8_t *data, size_t len,
                    const struct sockaddr *src, int64_t now_ns)
{
  struct inject_req q = {r, data, len, src, now_ns, {r, RECEIVER_IFACE_SOURCE, 0}};
  return evloop_call(&r->ctx->loop, inject_on_loop, &q);
}

int receiver_inject_endpoint(struct rill_receiver *r, enum receiver_iface iface,
                             const uint8_t *data, size_t len, const struct sockaddr *src,
                             int64_t now_ns)
{
  struct fec_reader *fec = atomic_load(&r->fec);
  int scheme = fec ? (int)fec_reader_scheme(fec) : 0;
  struct inject_req q = {r, data, len, src, now_ns, {r, iface, scheme}};
  if (iface == RECEIVER_IFACE_REPAIR && !fec)
    return RILL_ESTATE;
  return evloop_call(&r->ctx->loop, inject_on_loop, &q);
}

struct housekeep_req {
  struct rill_receiver *r;
  int64_t now_ns;
};

static int housekeep_on_loop(void *arg)
{
  struct housekeep_req *q = arg;
  receiver_tick(&q->r->client, q->now_ns);
  return RILL_OK;
}

void receiver_housekeep(struct rill_receiver *r, int64_t now_ns)
{
  struct housekeep_req q = {r, now_ns};
  evloop_call(&r->ctx->loop, housekeep_on_loop, &q);
}

static int noop(void *arg)
{
  (void)arg;
  return RILL_OK;
}

void receiver_destroy(struct rill_receiver *r)
{
  struct rill_context *ctx;
  if (!r)
    return;
  ctx = r->ctx;
  evloop_call(&ctx->loop, close_on_loop, r);
  /* libuv runs close callbacks after the iteration that closed the handles;
   * each further call is one more iteration. */
  while (atomic_load(&r->ports_open) > 0)
    evloop_call(&ctx->loop, noop, NULL);
  /* FEC first: its buffers are charged to the slots' limiters. */
  fec_reader_destroy(atomic_load(&r->fec));
  free_slots(r);
  mem_free(ctx->arena, &ctx->global, r, sizeof(*r));
  atomic_fetch_sub(&ctx->open_objects, 1);
}
