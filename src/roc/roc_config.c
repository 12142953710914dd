/*
 * roc 0.4 configs to rill's, protocol helpers and the internal clock.
 *
 * Translation (what each roc field becomes, and what rill does not do):
 *   frame_encoding          rill's rate and channels (float32 only, 1..8 channels)
 *   packet_encoding         payload type: 10/11 built in, 96..127 registered;
 *                           0 picks the one matching the frame encoding
 *   packet_length           packet_length_ns (0: rill's 5 ms)
 *   fec_encoding, blocks    the FEC scheme the endpoints must name; block sizes
 *   resampler_profile       speexdsp quality: high 8, medium 3, low 1
 *   latency_tuner_profile   receiver: INTACT disables drift compensation
 *   target_latency, tolerance, no_playback_timeout, choppy_playback_timeout
 *                           the receiver fields of the same meaning
 * rill has one resampler (SpeexDSP) and one latency measure (the incoming
 * queue, roc's NIQ), and tunes latency on the receiver only.
 */
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "roc/roc_internal.h"

#define PACER_MAX_LAG_NS NS_PER_S

void roc__pacer_init(struct roc_pacer *p, roc_clock_source source, uint32_t rate_hz)
{
  memset(p, 0, sizeof(*p));
  p->enabled = source == ROC_CLOCK_SOURCE_INTERNAL;
  p->rate_hz = rate_hz;
}

void roc__pacer_wait(struct roc_pacer *p, uint64_t frames)
{
  int64_t now, due;
  struct timespec ts;
  if (!p->enabled || p->rate_hz == 0)
    return;
  now = clock_now_ns();
  if (!p->started) {
    p->started = true;
    p->start_ns = now;
    p->frames = 0;
  }
  due = p->start_ns + (int64_t)(p->frames * (uint64_t)NS_PER_S / p->rate_hz);
  if (now - due > PACER_MAX_LAG_NS) {
    /* Far behind (the caller stalled): restart instead of bursting. */
    p->start_ns = now;
    p->frames = 0;
    due = now;
  }
  if (due > now) {
    ts.tv_sec = (time_t)(due / NS_PER_S);
    ts.tv_nsec = (long)(due % NS_PER_S);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
    }
  }
  p->frames += frames;
}

uint32_t roc__frame_channels(const roc_media_encoding *enc, const char *what)
{
  if (enc->format != ROC_FORMAT_PCM_FLOAT32) {
    ROC_LOG_ERR("%s: format %d: only ROC_FORMAT_PCM_FLOAT32 is supported", what,
                (int)enc->format);
    return 0;
  }
  switch (enc->channels) {
  case ROC_CHANNEL_LAYOUT_MONO:
    return 1;
  case ROC_CHANNEL_LAYOUT_STEREO:
    return 2;
  case ROC_CHANNEL_LAYOUT_MULTITRACK:
    if (enc->tracks >= 1 && enc->tracks <= 8)
      return enc->tracks;
    ROC_LOG_ERR("%s: %u tracks: rill takes 1..8", what, enc->tracks);
    return 0;
  default:
    ROC_LOG_ERR("%s: unknown channel layout %d", what, (int)enc->channels);
    return 0;
  }
}

int roc__clock_source_check(roc_clock_source source, const char *what)
{
  if ((int)source < ROC_CLOCK_SOURCE_DEFAULT || (int)source > ROC_CLOCK_SOURCE_INTERNAL) {
    ROC_LOG_ERR("%s: unknown clock_source %d", what, (int)source);
    return -1;
  }
  return 0;
}

static int resampler_quality(roc_resampler_backend backend, roc_resampler_profile profile,
                             const char *what)
{
  if ((int)backend < ROC_RESAMPLER_BACKEND_DEFAULT ||
      (int)backend > ROC_RESAMPLER_BACKEND_SPEEXDEC) {
    ROC_LOG_ERR("%s: unknown resampler_backend %d", what, (int)backend);
    return -1;
  }
  switch (profile) {
  case ROC_RESAMPLER_PROFILE_DEFAULT:
  case ROC_RESAMPLER_PROFILE_MEDIUM:
    return 3;
  case ROC_RESAMPLER_PROFILE_HIGH:
    return 8;
  case ROC_RESAMPLER_PROFILE_LOW:
    return 1;
  default:
    ROC_LOG_ERR("%s: unknown resampler_profile %d", what, (int)profile);
    return -1;
  }
}

static int tuner_check(roc_latency_tuner_backend backend, roc_latency_tuner_profile profile,
                       const char *what)
{
  if (backend != ROC_LATENCY_TUNER_BACKEND_DEFAULT && backend != ROC_LATENCY_TUNER_BACKEND_NIQ) {
    ROC_LOG_ERR("%s: unknown latency_tuner_backend %d", what, (int)backend);
    return -1;
  }
  if ((int)profile < ROC_LATENCY_TUNER_PROFILE_DEFAULT ||
      (int)profile > ROC_LATENCY_TUNER_PROFILE_GRADUAL) {
    ROC_LOG_ERR("%s: unknown latency_tuner_profile %d", what, (int)profile);
    return -1;
  }
  return 0;
}

/* The context's registered encodings, copied under its lock. */
static size_t registered_copy(struct roc_context *ctx, struct rill_encoding *out)
{
  size_t n;
  pthread_mutex_lock(&ctx->lock);
  n = ctx->registered_count;
  memcpy(out, ctx->registered, n * sizeof(*out));
  pthread_mutex_unlock(&ctx->lock);
  return n;
}

int roc__sender_config(struct roc_context *ctx, const roc_sender_config *in,
                       struct rill_sender_config *out, int *fec)
{
  struct rill_encoding reg[ROC_MAX_REGISTERED];
  size_t i, n = registered_copy(ctx, reg);
  uint32_t channels = roc__frame_channels(&in->frame_encoding, "sender config");
  int quality;

  rill_sender_config_init(out);
  if (channels == 0 || in->frame_encoding.rate == 0) {
    ROC_LOG_ERR("sender config: frame_encoding needs a rate, format and channels");
    return -1;
  }
  if (roc__clock_source_check(in->clock_source, "sender config") != 0 ||
      tuner_check(in->latency_tuner_backend, in->latency_tuner_profile, "sender config") != 0)
    return -1;
  if (in->latency_tuner_profile != ROC_LATENCY_TUNER_PROFILE_DEFAULT &&
      in->latency_tuner_profile != ROC_LATENCY_TUNER_PROFILE_INTACT) {
    ROC_LOG_ERR("sender config: rill tunes latency on the receiver only "
                "(latency_tuner_profile must be DEFAULT or INTACT)");
    return -1;
  }
  quality = resampler_quality(in->resampler_backend, in->resampler_profile, "sender config");
  if (quality < 0)
    return -1;
  out->encoding.payload_type = 0;
  if (in->packet_encoding == 0) {
    /* The built-in or registered encoding with the frame's rate and
     * channels: 44.1 kHz stereo/mono float frames get L16 PT 10/11. */
    if (in->frame_encoding.rate == 44100 && channels <= 2) {
      out->encoding.payload_type = channels == 1 ? ROC_PACKET_ENCODING_AVP_L16_MONO
                                                 : ROC_PACKET_ENCODING_AVP_L16_STEREO;
      out->encoding.format = RILL_FORMAT_S16;
      out->encoding.rate_hz = 44100;
      out->encoding.channels = channels;
    }
    for (i = 0; i < n && !out->encoding.payload_type; i++)
      if (reg[i].rate_hz == in->frame_encoding.rate && reg[i].channels == channels)
        out->encoding = reg[i];
    if (!out->encoding.payload_type) {
      ROC_LOG_ERR("sender config: no packet encoding matches the frame encoding (%u Hz, "
                  "%u channels): register one and set packet_encoding",
                  in->frame_encoding.rate, channels);
      return -1;
    }
  } else if (in->packet_encoding == ROC_PACKET_ENCODING_AVP_L16_MONO ||
             in->packet_encoding == ROC_PACKET_ENCODING_AVP_L16_STEREO) {
    out->encoding.payload_type = (uint8_t)in->packet_encoding;
    out->encoding.format = RILL_FORMAT_S16;
    out->encoding.rate_hz = 44100;
    out->encoding.channels = in->packet_encoding == ROC_PACKET_ENCODING_AVP_L16_MONO ? 1 : 2;
  } else {
    for (i = 0; i < n; i++)
      if (reg[i].payload_type == (unsigned)in->packet_encoding)
        out->encoding = reg[i];
    if (!out->encoding.payload_type) {
      ROC_LOG_ERR("sender config: packet_encoding %d is neither built in nor registered",
                  (int)in->packet_encoding);
      return -1;
    }
  }
  out->input_channels = channels;
  out->input_rate_hz = in->frame_encoding.rate;
  out->resampler_quality = quality;
  if (in->packet_length > (unsigned long long)INT64_MAX) {
    ROC_LOG_ERR("sender config: packet_length out of range");
    return -1;
  }
  if (in->packet_length)
    out->packet_length_ns = (int64_t)in->packet_length;
  if (in->packet_interleaving)
    ROC_LOG_INF("sender config: packet_interleaving is not supported by rill: ignored");
  switch (in->fec_encoding) {
  case ROC_FEC_ENCODING_DISABLE:
    *fec = 0;
    break;
  case ROC_FEC_ENCODING_DEFAULT:
  case ROC_FEC_ENCODING_RS8M:
    *fec = 1;
    break;
  case ROC_FEC_ENCODING_LDPC_STAIRCASE:
    *fec = 2;
    break;
  default:
    ROC_LOG_ERR("sender config: unknown fec_encoding %d", (int)in->fec_encoding);
    return -1;
  }
  if (in->fec_block_source_packets)
    out->fec_source_packets = in->fec_block_source_packets;
  if (in->fec_block_repair_packets)
    out->fec_repair_packets = in->fec_block_repair_packets;
  return 0;
}

int roc__receiver_config(struct roc_context *ctx, const roc_receiver_config *in,
                         struct rill_receiver_config *out, struct rill_encoding *encodings)
{
  uint32_t channels = roc__frame_channels(&in->frame_encoding, "receiver config");
  int quality;

  rill_receiver_config_init(out);
  if (channels == 0 || in->frame_encoding.rate == 0) {
    ROC_LOG_ERR("receiver config: frame_encoding needs a rate, format and channels");
    return -1;
  }
  if (roc__clock_source_check(in->clock_source, "receiver config") != 0 ||
      tuner_check(in->latency_tuner_backend, in->latency_tuner_profile, "receiver config") != 0)
    return -1;
  quality = resampler_quality(in->resampler_backend, in->resampler_profile, "receiver config");
  if (quality < 0)
    return -1;
  if (in->target_latency > (unsigned long long)INT64_MAX ||
      in->latency_tolerance > (unsigned long long)INT64_MAX) {
    ROC_LOG_ERR("receiver config: target_latency or latency_tolerance out of range");
    return -1;
  }
  out->rate_hz = in->frame_encoding.rate;
  out->channels = channels;
  out->target_latency_ns =
      in->target_latency ? (int64_t)in->target_latency : ROC_DEFAULT_TARGET_LATENCY_NS;
  out->latency_tolerance_ns = (int64_t)in->latency_tolerance;
  out->no_play_timeout_ns = in->no_playback_timeout < 0 ? -1 : in->no_playback_timeout;
  out->choppy_timeout_ns = in->choppy_playback_timeout < 0 ? -1 : in->choppy_playback_timeout;
  out->disable_drift_compensation =
      in->latency_tuner_profile == ROC_LATENCY_TUNER_PROFILE_INTACT;
  out->resampler_quality = quality;
  out->encoding_count = registered_copy(ctx, encodings);
  out->encodings = out->encoding_count ? encodings : NULL;
  return 0;
}

const char *roc__proto_scheme(roc_protocol proto)
{
  switch (proto) {
  case ROC_PROTO_RTSP:
    return "rtsp";
  case ROC_PROTO_RTP:
    return "rtp";
  case ROC_PROTO_RTP_RS8M_SOURCE:
    return "rtp+rs8m";
  case ROC_PROTO_RS8M_REPAIR:
    return "rs8m";
  case ROC_PROTO_RTP_LDPC_SOURCE:
    return "rtp+ldpc";
  case ROC_PROTO_LDPC_REPAIR:
    return "ldpc";
  case ROC_PROTO_RTCP:
    return "rtcp";
  default:
    return NULL;
  }
}

int roc__proto_fec(roc_protocol proto)
{
  switch (proto) {
  case ROC_PROTO_RTP_RS8M_SOURCE:
  case ROC_PROTO_RS8M_REPAIR:
    return 1;
  case ROC_PROTO_RTP_LDPC_SOURCE:
  case ROC_PROTO_LDPC_REPAIR:
    return 2;
  default:
    return 0;
  }
}

bool roc__proto_fits(roc_interface iface, roc_protocol proto)
{
  if (iface == ROC_INTERFACE_AUDIO_SOURCE)
    return proto == ROC_PROTO_RTP || proto == ROC_PROTO_RTP_RS8M_SOURCE ||
           proto == ROC_PROTO_RTP_LDPC_SOURCE;
  if (iface == ROC_INTERFACE_AUDIO_REPAIR)
    return proto == ROC_PROTO_RS8M_REPAIR || proto == ROC_PROTO_LDPC_REPAIR;
  if (iface == ROC_INTERFACE_AUDIO_CONTROL)
    return proto == ROC_PROTO_RTCP;
  if (iface == ROC_INTERFACE_CONSOLIDATED)
    return proto == ROC_PROTO_RTSP;
  return false;
}

int roc__unsupported(roc_interface iface, roc_protocol proto, const char *what)
{
  /* One line per process, however often a program retries. The only
   * interface rill lacks is the consolidated one (RTSP). */
  static atomic_bool logged;
  (void)iface;
  (void)proto;
  if (!atomic_exchange(&logged, true))
    ROC_LOG_ERR("%s: RTSP (the consolidated interface) is not supported by rill", what);
  return -1;
}

void roc__conn_metrics(const struct rill_session_metrics *in, roc_connection_metrics *out)
{
  memset(out, 0, sizeof(*out));
  /* From the sender's SR mapping (RTCP, a control interface bound): 0 without. */
  out->e2e_latency = in->e2e_latency_ns > 0 ? (unsigned long long)in->e2e_latency_ns : 0;
  out->mean_jitter = in->jitter_ns > 0 ? (unsigned long long)in->jitter_ns : 0;
  out->expected_packets = in->packets_received + in->packets_lost;
  out->lost_packets = in->packets_lost;
}

int roc__slot_iface(roc_interface iface)
{
  return iface == ROC_INTERFACE_AUDIO_CONTROL ? 2 : roc__iface_index(iface);
}

int roc__iface_index(roc_interface iface)
{
  return iface == ROC_INTERFACE_AUDIO_SOURCE ? 0 : iface == ROC_INTERFACE_AUDIO_REPAIR ? 1 : -1;
}

void *roc__slot_find(void *table, size_t count, size_t stride, roc_slot id, bool create)
{
  size_t i;
  for (i = 0; i < count; i++) {
    struct roc_slot_head *h = (void *)((char *)table + i * stride);
    if (h->used && h->id == id)
      return h;
  }
  for (i = 0; create && i < count; i++) {
    struct roc_slot_head *h = (void *)((char *)table + i * stride);
    if (!h->used) {
      memset(h, 0, stride);
      h->used = true;
      h->id = id;
      return h;
    }
  }
  if (create)
    ROC_LOG_ERR("more than %zu slots", count);
  return NULL;
}
