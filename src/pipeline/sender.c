/*
 * Sender. Sequence number, timestamp and SSRC start random (RFC 3550 5.1).
 * Channel mapping happens before encoding, so the wire carries
 * params.enc.channels whatever the caller writes.
 *
 * Hand-off to the network thread. The writer is real-time: it makes no
 * system call, so it cannot wake the network thread (an eventfd write). It
 * only pushes composed packets on the send ring; the network thread pumps
 * that ring on a timer (SENDER_PUMP_MS), which adds at most that much to
 * the latency and costs one timer wake-up per period for the whole sender.
 */
#include "pipeline/sender.h"

#include <rill/status.h>
#include <string.h>
#include <sys/random.h>

#include "audio/mixer.h"
#include "audio/opus_codec.h"
#include "net/addr.h"
#include "audio/resampler.h"
#include "core/mem.h"
#include "core/sizemath.h"
#include "core/spsc_ring.h"
#include "net/udp_port.h"
#include "core/buffer.h"
#include "core/clock.h"
#include "core/stamp.h"
#include "pipeline/fec_writer.h"
#include "pipeline/sender_rtcp.h"
#include "rtp/rtp.h"

/* Resampling the input: chunks of this many input frames, and room for their
 * output at up to 8x the rate plus the resampler's carry. */
#define SENDER_RS_CHUNK 256
#define SENDER_RS_OUT_FRAMES (SENDER_RS_CHUNK * 8 + 64)
#define SENDER_MAX_RATE_RATIO 8
/* The network thread sends what the writer queued this often. */
#define SENDER_PUMP_MS 1
/* Budget of what the socket receives (RTCP reports from receivers). */
#define SENDER_SOCKET_BYTES ((size_t)64 << 10)

struct send_slot {
  uint32_t len;
  uint32_t dest; /* enum sender_iface: which endpoint it goes to */
  uint8_t data[]; /* max_packet_bytes */
};

struct rill_sender {
  struct rill_context *ctx; /* borrowed */
  struct rill_sender_params p;
  size_t slot_bytes;
  uint8_t *slots;            /* owned: queue_packets slots */
  size_t slots_bytes;
  struct rill_spsc_ring *free_ring; /* owned: network -> writer */
  struct rill_spsc_ring *send_ring; /* owned: writer -> network */
  float *stage;              /* owned: packet_frames * enc.channels */
  bool rs_active;            /* input at another rate than the wire's */
  struct rill_resampler rs;  /* owned (speex state) when rs_active */
  float *map_buf;            /* owned: SENDER_RS_CHUNK * enc.channels */
  float *rs_buf;             /* owned: SENDER_RS_OUT_FRAMES * enc.channels */
  size_t stage_bytes;
  /* Opus: the encoder state and a packet's worth of output, one allocation
   * from the context's budget (owned); the writer encodes there, then
   * copies to a slot unless the packet is a DTX one that is not sent. */
  void *opus_mem;
  size_t opus_bytes;
  struct opuscodec_enc *opus;
  uint8_t *opus_out;           /* inside opus_mem: max_packet_bytes */
  size_t opus_fixed_bytes;     /* with FEC: every payload padded to this; 0: as coded */
  uint32_t staged;
  uint32_t ssrc;
  uint16_t seq;
  uint32_t ts;
  /* network thread */
  struct rill_udp_port *port; /* owned */
  struct sockaddr_storage dest;
  uv_timer_t pump;            /* sends what the writer queued */
  bool pump_open;
  /* libuv handles not yet closed (the port counts as one, the pump as one):
   * close waits for 0, in whatever order libuv runs the callbacks. */
  atomic_int handles_open;
  atomic_uint_least64_t frames_written, composed, sent, dropped, dtx;
  atomic_uint_least64_t payload_octets; /* of the packets composed, for SR */
  /* FEC (issue 6): the writer's block encoder (owned; writer thread once
   * connected), its scheme (0: none yet), the repair endpoint (network). */
  _Atomic(struct fec_writer *) fec;
  int fec_scheme;
  bool source_connected, repair_connected; /* control */
  struct sockaddr_storage repair_dest;
  atomic_bool repair_dest_set;
  atomic_uint_least64_t repair_sent;
  /* RTCP: the capture anchor the writer publishes at each write (an RTP
   * timestamp and its capture time, under a sequence lock), and the
   * reporting part, created by the control endpoint (owned). */
  struct stamp anchor;
  _Atomic(struct sender_rtcp *) rtcp;
  bool control_connected; /* control */
  /* Local delivery (sender_activate_local): per interface, a FIFO of the
   * composed packets the caller has not popped yet (writer thread). */
  bool local;
  struct send_slot **local_q;     /* owned: 2 x queue_packets entries */
  uint32_t local_head[2], local_count[2];
};

static uint32_t random_u32(void)
{
  uint32_t v = 0;
  if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
    /* No entropy source: still distinct per sender. */
    v = (uint32_t)(uintptr_t)&v ^ 0x9e3779b9u;
  }
  return v;
}

static struct send_slot *slot_at(struct rill_sender *s, size_t i)
{
  return (struct send_slot *)(void *)(s->slots + i * s->slot_bytes);
}

static void flush_sends(struct rill_sender *s)
{
  void *p;
  while (spsc_ring_pop(s->send_ring, &p) == RILL_OK) {
    struct send_slot *slot = p;
    bool repair = slot->dest == SENDER_IFACE_REPAIR;
    if (repair && !atomic_load_explicit(&s->repair_dest_set, memory_order_relaxed))
      atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
    else if (udp_port_send(s->port, slot->data, slot->len,
                           (const struct sockaddr *)(repair ? &s->repair_dest : &s->dest)) ==
             RILL_OK) {
      atomic_fetch_add_explicit(&s->sent, 1, memory_order_relaxed);
      if (repair)
        atomic_fetch_add_explicit(&s->repair_sent, 1, memory_order_relaxed);
    } else {
      atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
    }
    (void)spsc_ring_push(s->free_ring, slot);
  }
}

static void on_pump(uv_timer_t *timer)
{
  flush_sends(timer->data);
}

static void free_opus(struct rill_sender *s)
{
  mem_free(s->ctx->arena, &s->ctx->global, s->opus_mem, s->opus_bytes);
  s->opus_mem = NULL;
  s->opus = NULL;
}

/* The Opus encoder and its output buffer, from the context's budget. */
static int create_opus(struct rill_sender *s)
{
  struct opuscodec_enc_params ep;
  size_t enc_bytes = opuscodec_encoder_bytes(s->p.enc.channels);
  int status;
  if (enc_bytes == 0)
    return RILL_EINVAL;
  enc_bytes = (enc_bytes + 63) & ~(size_t)63;
  s->opus_bytes = enc_bytes + s->ctx->max_packet_bytes;
  status = mem_alloc(s->ctx->arena, &s->ctx->global, s->opus_bytes, &s->opus_mem);
  if (status != RILL_OK)
    return status;
  memset(&ep, 0, sizeof(ep));
  ep.channels = s->p.enc.channels;
  ep.bitrate_bps = s->p.opus.bitrate_bps;
  ep.complexity = s->p.opus.complexity;
  ep.loss_percent = s->p.opus.loss_percent;
  ep.inband_fec = s->p.opus.inband_fec;
  ep.dtx = s->p.opus.dtx;
  ep.cbr = s->p.opus.cbr;
  status = opuscodec_encoder_init(s->opus_mem, &ep, &s->opus);
  if (status != RILL_OK)
    return status;
  s->opus_out = (uint8_t *)s->opus_mem + enc_bytes;
  return RILL_OK;
}

static void free_resampling(struct rill_sender *s)
{
  if (s->rs_active)
    resampler_deinit(&s->rs);
  s->rs_active = false;
  mem_free(s->ctx->arena, &s->ctx->global, s->map_buf,
           (size_t)SENDER_RS_CHUNK * s->p.enc.channels * sizeof(float));
  mem_free(s->ctx->arena, &s->ctx->global, s->rs_buf,
           (size_t)SENDER_RS_OUT_FRAMES * s->p.enc.channels * sizeof(float));
  s->map_buf = s->rs_buf = NULL;
}

int sender_create(struct rill_context *ctx, const struct rill_sender_params *params,
                  struct rill_sender **out)
{
  struct rill_sender *s;
  size_t i, payload;
  int status;

  *out = NULL;
  if (params->packet_frames == 0 || params->input_channels == 0 ||
      params->input_channels > RTP_MAX_CHANNELS || params->queue_packets < 2 ||
      (params->queue_packets & (params->queue_packets - 1)) != 0 ||
      !rtp_encoding_valid(&params->enc))
    return RILL_EINVAL;
  if (rtp_encoding_is_opus(&params->enc)) {
    /* Opus fits what it codes into the room it is given; a packet needs a
     * few bytes at least. */
    if (!opuscodec_frames_valid(params->packet_frames))
      return RILL_EINVAL;
    payload = 16;
  } else if (!size_mul(params->packet_frames, rtp_bytes_per_frame(&params->enc), &payload)) {
    return RILL_EOVERFLOW;
  }
  if (payload + RTP_FIXED_HEADER_BYTES > ctx->max_packet_bytes)
    return RILL_EINVAL;
  if (params->input_rate_hz && (params->input_rate_hz > params->enc.rate_hz * SENDER_MAX_RATE_RATIO ||
                                params->input_rate_hz * SENDER_MAX_RATE_RATIO < params->enc.rate_hz))
    return RILL_EINVAL;
  status = mem_alloc(ctx->arena, &ctx->global, sizeof(*s), (void **)&s);
  if (status != RILL_OK)
    return status;
  s->ctx = ctx;
  s->p = *params;
  s->slot_bytes = sizeof(struct send_slot) + ctx->max_packet_bytes;
  s->slot_bytes = (s->slot_bytes + 15) & ~(size_t)15;
  s->slots_bytes = s->slot_bytes * params->queue_packets;
  s->stage_bytes = (size_t)params->packet_frames * params->enc.channels * sizeof(float);
  status = mem_alloc(ctx->arena, &ctx->global, s->slots_bytes, (void **)&s->slots);
  if (status == RILL_OK)
    status = mem_alloc(ctx->arena, &ctx->global, s->stage_bytes, (void **)&s->stage);
  if (status == RILL_OK && rtp_encoding_is_opus(&params->enc))
    status = create_opus(s);
  if (status == RILL_OK && params->input_rate_hz && params->input_rate_hz != params->enc.rate_hz) {
    status = resampler_init(&s->rs, params->enc.channels, params->input_rate_hz,
                            params->enc.rate_hz, params->resampler_quality);
    s->rs_active = status == RILL_OK;
    if (status == RILL_OK)
      status = mem_alloc(ctx->arena, &ctx->global,
                         (size_t)SENDER_RS_CHUNK * params->enc.channels * sizeof(float),
                         (void **)&s->map_buf);
    if (status == RILL_OK)
      status = mem_alloc(ctx->arena, &ctx->global,
                         (size_t)SENDER_RS_OUT_FRAMES * params->enc.channels * sizeof(float),
                         (void **)&s->rs_buf);
  }
  if (status == RILL_OK)
    status = spsc_ring_create(ctx->arena, &ctx->global, params->queue_packets, &s->free_ring);
  if (status == RILL_OK)
    status = spsc_ring_create(ctx->arena, &ctx->global, params->queue_packets, &s->send_ring);
  if (status != RILL_OK)
    goto err;
  for (i = 0; i < params->queue_packets; i++)
    (void)spsc_ring_push(s->free_ring, slot_at(s, i));
  s->ssrc = random_u32();
  s->seq = (uint16_t)random_u32();
  s->ts = random_u32();
  atomic_fetch_add(&ctx->open_objects, 1);
  *out = s;
  return RILL_OK;

err:
  free_opus(s);
  free_resampling(s);
  spsc_ring_destroy(s->send_ring);
  spsc_ring_destroy(s->free_ring);
  mem_free(ctx->arena, &ctx->global, s->stage, s->stage_bytes);
  mem_free(ctx->arena, &ctx->global, s->slots, s->slots_bytes);
  mem_free(ctx->arena, &ctx->global, s, sizeof(*s));
  return status;
}

struct connect_req {
  struct rill_sender *s;
  const struct sockaddr *dest;
  enum sender_iface iface;
  bool open_port;
};

/* What an SR says of the stream (network thread, for sender_rtcp). */
static void rtcp_media(void *user, struct sender_rtcp_media *m)
{
  struct rill_sender *s = user;
  uint64_t sent = atomic_load_explicit(&s->sent, memory_order_relaxed) -
                  atomic_load_explicit(&s->repair_sent, memory_order_relaxed);
  m->rate_hz = s->p.enc.rate_hz;
  m->packets = (uint32_t)sent;
  m->octets = (uint32_t)atomic_load_explicit(&s->payload_octets, memory_order_relaxed);
  m->have_anchor = stamp_read(&s->anchor, &m->anchor_rtp, &m->anchor_mono_ns);
}

/* A datagram on the sender's socket: RTCP from receivers, or nothing we know. */
static void on_datagram(void *user, struct rill_buffer *buf, const struct sockaddr *src,
                        int64_t now_ns)
{
  struct rill_sender *s = user;
  struct sender_rtcp *rtcp = atomic_load_explicit(&s->rtcp, memory_order_relaxed);
  if (rtcp)
    sender_rtcp_on_datagram(rtcp, buf->data, buf->len_bytes, src, now_ns);
  buffer_unref(buf);
}

static int connect_on_loop(void *arg)
{
  struct connect_req *q = arg;
  struct rill_sender *s = q->s;
  struct sockaddr_storage any;
  int status;

  if (q->open_port) {
    memset(&any, 0, sizeof(any));
    any.ss_family = q->dest->sa_family;
    /* With a receive budget: receivers' RTCP reports come back here. */
    status = udp_port_open(s->port, &s->ctx->loop.loop, (struct sockaddr *)&any, false,
                           s->ctx->buffers, &s->ctx->global, SENDER_SOCKET_BYTES);
    if (status != RILL_OK)
      return status;
    atomic_fetch_add(&s->handles_open, 1);
    uv_timer_init(&s->ctx->loop.loop, &s->pump);
    s->pump.data = s;
    uv_timer_start(&s->pump, on_pump, SENDER_PUMP_MS, SENDER_PUMP_MS);
    s->pump_open = true;
    atomic_fetch_add(&s->handles_open, 1);
  }
  /* Either endpoint may come first; each sets its own destination. */
  if (q->iface == SENDER_IFACE_CONTROL) {
    status = udp_port_start(s->port, on_datagram, s);
    if (status != RILL_OK)
      return status;
    sender_rtcp_start(atomic_load(&s->rtcp), s->port, q->dest, rtcp_media, s, &s->handles_open);
  } else if (q->iface == SENDER_IFACE_REPAIR) {
    addr_store(&s->repair_dest, q->dest);
    atomic_store_explicit(&s->repair_dest_set, true, memory_order_relaxed);
  } else {
    addr_store(&s->dest, q->dest);
  }
  return RILL_OK;
}

int sender_connect(struct rill_sender *s, const struct sockaddr *dest)
{
  return sender_connect_endpoint(s, dest, SENDER_IFACE_SOURCE, 0);
}

/* The first FEC endpoint creates the block encoder; both must agree. */
static int enable_fec(struct rill_sender *s, int fec)
{
  struct fec_writer *fw = NULL;
  size_t k = s->p.fec_source_packets ? s->p.fec_source_packets : FEC_WRITER_DEFAULT_K;
  size_t r = s->p.fec_repair_packets ? s->p.fec_repair_packets : FEC_WRITER_DEFAULT_R;
  size_t payload = (size_t)s->p.packet_frames * rtp_bytes_per_frame(&s->p.enc);
  int status;
  if (s->fec_scheme)
    return s->fec_scheme == fec ? RILL_OK : RILL_EINVAL;
  if (s->opus) {
    /* FECFRAME needs the symbols of a block equally long: constant
     * bitrate, no DTX, and every packet padded to the CBR size (control
     * thread, before the first write). */
    size_t room = s->ctx->max_packet_bytes - RTP_FIXED_HEADER_BYTES -
                  fec_source_id_bytes((enum fec_scheme)fec);
    payload = (size_t)s->p.opus.bitrate_bps * s->p.packet_frames / (8u * OPUSCODEC_RATE_HZ);
    if (payload < 16)
      payload = 16;
    if (payload > room)
      payload = room;
    if (opuscodec_encoder_set_cbr(s->opus, true) != RILL_OK ||
        opuscodec_encoder_set_dtx(s->opus, false) != RILL_OK)
      return RILL_EINVAL;
    s->opus_fixed_bytes = payload;
  }
  if (payload + RTP_FIXED_HEADER_BYTES + fec_source_id_bytes((enum fec_scheme)fec) >
      s->ctx->max_packet_bytes)
    return RILL_EINVAL;
  status = fec_writer_create(s->ctx->arena, &s->ctx->global, (enum fec_scheme)fec, k, r,
                             s->ctx->max_packet_bytes - FEC_MAX_ID_BYTES, random_u32(), &fw);
  if (status != RILL_OK)
    return status;
  s->fec_scheme = fec;
  atomic_store_explicit(&s->fec, fw, memory_order_release);
  return RILL_OK;
}

int sender_connect_endpoint(struct rill_sender *s, const struct sockaddr *dest,
                            enum sender_iface iface, int fec)
{
  struct connect_req q = {s, dest, iface, s->port == NULL};
  bool *connected = iface == SENDER_IFACE_REPAIR    ? &s->repair_connected
                    : iface == SENDER_IFACE_CONTROL ? &s->control_connected
                                                    : &s->source_connected;
  struct sender_rtcp *rtcp = NULL;
  int status;
  if (*connected || s->local)
    return RILL_ESTATE;
  if (iface == SENDER_IFACE_CONTROL) {
    if (fec)
      return RILL_EINVAL;
    status = sender_rtcp_create(s->ctx, s->ssrc, s->p.rtcp_min_interval_ns,
                                s->p.rtcp_timeout_ns, &rtcp);
    if (status != RILL_OK)
      return status;
    atomic_store(&s->rtcp, rtcp);
  }
  /* Source and repair must agree: plain RTP with a repair endpoint, or a
   * repair endpoint without FEC, is refused. */
  if ((iface == SENDER_IFACE_REPAIR && !fec) ||
      (s->source_connected && iface == SENDER_IFACE_REPAIR && s->fec_scheme != fec) ||
      (s->repair_connected && iface == SENDER_IFACE_SOURCE && s->fec_scheme != fec))
    return RILL_EINVAL;
  if (fec && (status = enable_fec(s, fec)) != RILL_OK)
    goto err_rtcp;
  if (q.open_port) {
    status = mem_alloc(s->ctx->arena, &s->ctx->global, sizeof(*s->port), (void **)&s->port);
    if (status != RILL_OK)
      goto err_rtcp;
  }
  status = evloop_call(&s->ctx->loop, connect_on_loop, &q);
  if (status != RILL_OK) {
    if (q.open_port) {
      mem_free(s->ctx->arena, &s->ctx->global, s->port, sizeof(*s->port));
      s->port = NULL;
    }
    goto err_rtcp;
  }
  *connected = true;
  return RILL_OK;

err_rtcp:
  if (rtcp) {
    atomic_store(&s->rtcp, NULL);
    sender_rtcp_destroy(rtcp);
  }
  return status;
}

int sender_activate_control_local(struct rill_sender *s)
{
  struct sender_rtcp *rtcp;
  int status;
  if (s->control_connected || s->port)
    return RILL_ESTATE;
  status = sender_rtcp_create(s->ctx, s->ssrc, s->p.rtcp_min_interval_ns, s->p.rtcp_timeout_ns,
                              &rtcp);
  if (status != RILL_OK)
    return status;
  sender_rtcp_set_media(rtcp, rtcp_media, s);
  atomic_store(&s->rtcp, rtcp);
  s->control_connected = true;
  return RILL_OK;
}

struct sender_rtcp *sender_control(struct rill_sender *s)
{
  return atomic_load_explicit(&s->rtcp, memory_order_acquire);
}

int sender_activate_local(struct rill_sender *s, enum sender_iface iface, int fec)
{
  bool *active = iface == SENDER_IFACE_REPAIR ? &s->repair_connected : &s->source_connected;
  int status;
  if (*active || s->port)
    return RILL_ESTATE;
  if ((iface == SENDER_IFACE_REPAIR && !fec) ||
      (s->source_connected && iface == SENDER_IFACE_REPAIR && s->fec_scheme != fec) ||
      (s->repair_connected && iface == SENDER_IFACE_SOURCE && s->fec_scheme != fec))
    return RILL_EINVAL;
  if (!s->local_q) {
    status = mem_alloc(s->ctx->arena, &s->ctx->global,
                       2 * (size_t)s->p.queue_packets * sizeof(*s->local_q),
                       (void **)&s->local_q);
    if (status != RILL_OK)
      return status;
  }
  if (fec && (status = enable_fec(s, fec)) != RILL_OK)
    return status;
  s->local = true;
  if (iface == SENDER_IFACE_REPAIR)
    atomic_store_explicit(&s->repair_dest_set, true, memory_order_relaxed);
  *active = true;
  return RILL_OK;
}

int sender_pop_local(struct rill_sender *s, enum sender_iface iface, uint8_t *buf, size_t cap,
                     size_t *len)
{
  uint32_t n = s->p.queue_packets, q = iface == SENDER_IFACE_REPAIR;
  struct send_slot *slot;
  void *p;
  if (!s->local)
    return RILL_ESTATE;
  /* Sort what was composed by interface; the FIFOs hold every slot at most
   * once, so neither overflows. */
  while (spsc_ring_pop(s->send_ring, &p) == RILL_OK) {
    uint32_t d = ((struct send_slot *)p)->dest == SENDER_IFACE_REPAIR;
    s->local_q[d * n + (s->local_head[d] + s->local_count[d]) % n] = p;
    s->local_count[d]++;
  }
  if (s->local_count[q] == 0)
    return RILL_EEMPTY;
  slot = s->local_q[q * n + s->local_head[q]];
  *len = slot->len;
  if (slot->len > cap)
    return RILL_ENOSPC;
  memcpy(buf, slot->data, slot->len);
  s->local_head[q] = (s->local_head[q] + 1) % n;
  s->local_count[q]--;
  atomic_fetch_add_explicit(&s->sent, 1, memory_order_relaxed);
  if (q)
    atomic_fetch_add_explicit(&s->repair_sent, 1, memory_order_relaxed);
  (void)spsc_ring_push(s->free_ring, slot);
  return RILL_OK;
}

/* Writer: queue the repair packets of the block just completed. */
static void emit_repair(struct rill_sender *s, struct fec_writer *fw)
{
  size_t i, n = fec_writer_repair_count(fw), len = 0;
  void *p;
  for (i = 0; i < n; i++) {
    struct send_slot *slot;
    atomic_fetch_add_explicit(&s->composed, 1, memory_order_relaxed);
    if (spsc_ring_pop(s->free_ring, &p) != RILL_OK) {
      atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
      continue;
    }
    slot = p;
    if (fec_writer_repair_packet(fw, i, slot->data, s->ctx->max_packet_bytes, &len) != RILL_OK) {
      atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
      (void)spsc_ring_push(s->free_ring, slot);
      continue;
    }
    slot->len = (uint32_t)len;
    slot->dest = SENDER_IFACE_REPAIR;
    (void)spsc_ring_push(s->send_ring, slot);
  }
}

/* Opus: code the staged frames into opus_out; false for a DTX packet
 * (silence the receiver conceals: not sent). */
static bool encode_opus(struct rill_sender *s, size_t *bytes)
{
  size_t cap = s->opus_fixed_bytes ? s->opus_fixed_bytes
                                   : s->ctx->max_packet_bytes - RTP_FIXED_HEADER_BYTES;
  *bytes = 0;
  if (opuscodec_encode(s->opus, s->stage, s->p.packet_frames, s->opus_out, cap, bytes) !=
      RILL_OK) {
    /* Cannot happen with a valid frame size and this room: send nothing
     * rather than garbage (the receiver conceals it). */
    *bytes = 0;
    return false;
  }
  if (s->p.opus.dtx && !s->opus_fixed_bytes && *bytes <= 2)
    return false;
  if (s->opus_fixed_bytes && *bytes < s->opus_fixed_bytes &&
      opuscodec_pad(s->opus_out, *bytes, s->opus_fixed_bytes) == RILL_OK)
    *bytes = s->opus_fixed_bytes;
  return true;
}

static void emit_packet(struct rill_sender *s)
{
  struct rtp_header h;
  void *p;
  struct send_slot *slot;
  struct fec_writer *fw;
  size_t hdr = 0, payload = 0, coded = 0;

  if (s->opus && !encode_opus(s, &coded)) {
    /* DTX (RFC 7587 4.4): the timestamp moves on, the sequence does not,
     * so the receiver tells the pause from a loss. */
    atomic_fetch_add_explicit(&s->dtx, 1, memory_order_relaxed);
    s->ts += s->p.packet_frames;
    return;
  }
  atomic_fetch_add_explicit(&s->composed, 1, memory_order_relaxed);
  if (spsc_ring_pop(s->free_ring, &p) != RILL_OK) {
    atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
  } else {
    slot = p;
    memset(&h, 0, sizeof(h));
    h.version = RTP_VERSION;
    h.payload_type = s->p.enc.payload_type;
    h.seq = s->seq;
    h.timestamp = s->ts;
    h.ssrc = s->ssrc;
    (void)rtp_compose(&h, slot->data, s->ctx->max_packet_bytes, &hdr);
    if (s->opus) {
      memcpy(slot->data + hdr, s->opus_out, coded);
      payload = coded;
    } else {
      (void)rtp_payload_encode(&s->p.enc, s->stage, s->p.packet_frames, slot->data + hdr,
                               s->ctx->max_packet_bytes - hdr, &payload);
    }
    atomic_fetch_add_explicit(&s->payload_octets, payload, memory_order_relaxed);
    slot->len = (uint32_t)(hdr + payload);
    slot->dest = SENDER_IFACE_SOURCE;
    fw = atomic_load_explicit(&s->fec, memory_order_acquire);
    if (fw) {
      size_t len = 0;
      /* Equal-length packets by construction: an error here is a bug. */
      if (fec_writer_add_source(fw, slot->data, slot->len, s->ctx->max_packet_bytes, &len) ==
          RILL_OK)
        slot->len = (uint32_t)len;
    }
    (void)spsc_ring_push(s->send_ring, slot); /* never full: as many slots as ring entries */
    if (fw)
      emit_repair(s, fw);
  }
  /* The stream's clock advances whether or not the packet left. */
  s->seq++;
  s->ts += s->p.packet_frames;
}

/* Fill packets with `frames` frames of `in_ch` channels at the wire rate. */
static void stage_frames(struct rill_sender *s, const float *samples, uint32_t frames,
                         uint32_t in_ch)
{
  uint32_t wire_ch = s->p.enc.channels;
  while (frames > 0) {
    uint32_t take = s->p.packet_frames - s->staged;
    float *dst = s->stage + (size_t)s->staged * wire_ch;
    if (take > frames)
      take = frames;
    memset(dst, 0, (size_t)take * wire_ch * sizeof(float));
    mix_add_mapped(dst, wire_ch, samples, in_ch, take);
    s->staged += take;
    samples += (size_t)take * in_ch;
    frames -= take;
    if (s->staged == s->p.packet_frames) {
      emit_packet(s);
      s->staged = 0;
    }
  }
}

/* The frames of this write were captured just before it: the first one
 * `frames` frames of input ago. Its RTP timestamp is the next one staged
 * (a resampler's delay aside). */
static void publish_anchor(struct rill_sender *s, uint32_t frames)
{
  uint32_t rate = s->p.input_rate_hz ? s->p.input_rate_hz : s->p.enc.rate_hz;
  int64_t capture = clock_now_ns() - (int64_t)frames * NS_PER_S / rate;
  stamp_write(&s->anchor, s->ts + s->staged, capture);
}

void sender_write(struct rill_sender *s, const float *samples, uint32_t frames)
{
  uint32_t wire_ch = s->p.enc.channels, in_ch = s->p.input_channels;
  atomic_fetch_add_explicit(&s->frames_written, frames, memory_order_relaxed);
  if (frames > 0)
    publish_anchor(s, frames);
  if (!s->rs_active) {
    stage_frames(s, samples, frames, in_ch);
    return;
  }
  /* Input at another rate: map channels, resample, then packetize. */
  while (frames > 0) {
    uint32_t n = frames < SENDER_RS_CHUNK ? frames : SENDER_RS_CHUNK, off = 0;
    memset(s->map_buf, 0, (size_t)n * wire_ch * sizeof(float));
    mix_add_mapped(s->map_buf, wire_ch, samples, in_ch, n);
    while (off < n) {
      uint32_t used = 0, written = 0;
      (void)resampler_process(&s->rs, s->map_buf + (size_t)off * wire_ch, n - off, &used,
                              s->rs_buf, SENDER_RS_OUT_FRAMES, &written);
      stage_frames(s, s->rs_buf, written, wire_ch);
      if (used == 0 && written == 0)
        break; /* cannot happen with SENDER_RS_OUT_FRAMES of room; never spin */
      off += used;
    }
    samples += (size_t)n * in_ch;
    frames -= n;
  }
}

uint32_t sender_input_channels(const struct rill_sender *s)
{
  return s->p.input_channels;
}

void sender_stats(struct rill_sender *s, struct sender_totals *out,
                  struct rill_limiter_stats *global)
{
  limiter_stats(&s->ctx->global, global);
  out->frames_written = atomic_load_explicit(&s->frames_written, memory_order_relaxed);
  out->packets_composed = atomic_load_explicit(&s->composed, memory_order_relaxed);
  out->packets_dtx = atomic_load_explicit(&s->dtx, memory_order_relaxed);
  out->payload_bytes = atomic_load_explicit(&s->payload_octets, memory_order_relaxed);
  out->packets_sent = atomic_load_explicit(&s->sent, memory_order_relaxed);
  out->packets_dropped = atomic_load_explicit(&s->dropped, memory_order_relaxed);
  out->fec_repair_sent = atomic_load_explicit(&s->repair_sent, memory_order_relaxed);
  out->ssrc = s->ssrc;
}

static void port_closed(struct rill_udp_port *port)
{
  struct rill_sender *s = port->user;
  atomic_fetch_sub(&s->handles_open, 1);
}

static void pump_closed(uv_handle_t *handle)
{
  struct rill_sender *s = handle->data;
  atomic_fetch_sub(&s->handles_open, 1);
}

static int close_on_loop(void *arg)
{
  struct rill_sender *s = arg;
  if (!s->port)
    return RILL_OK;
  flush_sends(s);
  /* After the last packets: BYE (with a last SR) ends the session at once. */
  sender_rtcp_stop(atomic_load(&s->rtcp));
  if (s->pump_open) {
    s->pump_open = false;
    uv_timer_stop(&s->pump);
    uv_close((uv_handle_t *)&s->pump, pump_closed);
  }
  s->port->user = s;
  udp_port_close(s->port, port_closed);
  return RILL_OK;
}

static int noop(void *arg)
{
  (void)arg;
  return RILL_OK;
}

void sender_destroy(struct rill_sender *s)
{
  struct rill_context *ctx;
  if (!s)
    return;
  ctx = s->ctx;
  /* Nothing written is lost: a partly filled packet is completed with
   * silence and sent before the socket closes. */
  if (s->staged > 0) {
    memset(s->stage + (size_t)s->staged * s->p.enc.channels, 0,
           (size_t)(s->p.packet_frames - s->staged) * s->p.enc.channels * sizeof(float));
    emit_packet(s);
    s->staged = 0;
  }
  evloop_call(&ctx->loop, close_on_loop, s);
  /* libuv runs close callbacks an iteration later, each in its own order:
   * wait for every handle, or it would touch freed memory. */
  while (atomic_load(&s->handles_open) > 0)
    evloop_call(&ctx->loop, noop, NULL);
  if (s->port)
    mem_free(ctx->arena, &ctx->global, s->port, sizeof(*s->port));
  fec_writer_destroy(atomic_load(&s->fec));
  sender_rtcp_destroy(atomic_load(&s->rtcp));
  mem_free(ctx->arena, &ctx->global, s->local_q,
           2 * (size_t)s->p.queue_packets * sizeof(*s->local_q));
  spsc_ring_destroy(s->send_ring);
  spsc_ring_destroy(s->free_ring);
  free_resampling(s);
  free_opus(s);
  mem_free(ctx->arena, &ctx->global, s->stage, s->stage_bytes);
  mem_free(ctx->arena, &ctx->global, s->slots, s->slots_bytes);
  mem_free(ctx->arena, &ctx->global, s, sizeof(*s));
  atomic_fetch_sub(&ctx->open_objects, 1);
}

bool sender_describe(const struct rill_sender *s, struct rtp_encoding *enc,
                     uint32_t *packet_frames, struct sockaddr_storage *dest)
{
  if (!s->source_connected)
    return false;
  *enc = s->p.enc;
  *packet_frames = s->p.packet_frames;
  *dest = s->dest; /* written by the network thread inside connect, which has returned */
  return true;
}
