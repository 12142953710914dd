/* Public receiver API: defaults, validation, translation to pipeline/receiver. */
#include <rill/receiver.h>
#include <rill/status.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/log.h"
#include "net/addr.h"
#include "pipeline/receiver.h"
#include "pipeline/rtcp_local.h"

#define DEFAULT_RATE 44100
#define DEFAULT_CHANNELS 2
#define DEFAULT_LATENCY_NS (100 * NS_PER_MS)
#define DEFAULT_TIMEOUT_NS (2 * NS_PER_S)
#define DEFAULT_MAX_SESSIONS 8
#define DEFAULT_SESSION_MEM ((size_t)4 << 20)
#define DEFAULT_SOCKET_MEM ((size_t)1 << 20)
#define MAX_QUEUE_PACKETS 1024
#define DEFAULT_IDLE_NS NS_PER_S
#define MIN_TOLERANCE_NS (50 * NS_PER_MS)
#define DEFAULT_CREATIONS_PER_S 20
#define DEFAULT_RESAMPLER_QUALITY 3
#define DEFAULT_PROBATION 2
#define DEFAULT_NO_PLAY_NS (2 * NS_PER_S)
/* struct_size 0: the rill 0.1 layout. */
#define RECEIVER_CONFIG_SIZE_0_1 API_SIZE_THROUGH(struct rill_receiver_config, choppy_timeout_ns)

int api_encoding_to_rtp(const struct rill_encoding *in, struct rtp_encoding *out)
{
  out->payload_type = in->payload_type;
  out->rate_hz = in->rate_hz;
  out->channels = (uint16_t)(in->channels > 0xffff ? 0 : in->channels);
  switch (in->format) {
  case RILL_FORMAT_S16:
    out->format = RTP_FMT_S16BE;
    break;
  case RILL_FORMAT_S24:
    out->format = RTP_FMT_S24BE;
    break;
  case RILL_FORMAT_F32:
    out->format = RTP_FMT_F32BE;
    break;
  case RILL_FORMAT_OPUS:
    out->format = RTP_FMT_OPUS;
    break;
  default:
    return RILL_EINVAL;
  }
  return RILL_OK;
}

int api_encoding_from_rtp(const struct rtp_encoding *in, struct rill_encoding *out)
{
  out->payload_type = in->payload_type;
  out->rate_hz = in->rate_hz;
  out->channels = in->channels;
  switch (in->format) {
  case RTP_FMT_S16BE:
    out->format = RILL_FORMAT_S16;
    return RILL_OK;
  case RTP_FMT_S24BE:
    out->format = RILL_FORMAT_S24;
    return RILL_OK;
  case RTP_FMT_F32BE:
    out->format = RILL_FORMAT_F32;
    return RILL_OK;
  case RTP_FMT_OPUS:
    out->format = RILL_FORMAT_OPUS;
    return RILL_OK;
  default:
    out->format = RILL_FORMAT_S16;
    return RILL_EUNSUPPORTED;
  }
}

void rill_receiver_config_init(struct rill_receiver_config *config)
{
  if (!config)
    return;
  memset(config, 0, sizeof(*config));
  config->struct_size = sizeof(*config);
  config->rate_hz = DEFAULT_RATE;
  config->channels = DEFAULT_CHANNELS;
  config->target_latency_ns = DEFAULT_LATENCY_NS;
  config->session_timeout_ns = DEFAULT_TIMEOUT_NS;
  config->max_sessions = DEFAULT_MAX_SESSIONS;
  config->max_session_mem_bytes = DEFAULT_SESSION_MEM;
  config->max_socket_mem_bytes = DEFAULT_SOCKET_MEM;
  config->idle_timeout_ns = DEFAULT_IDLE_NS;
  config->max_session_creations_per_s = DEFAULT_CREATIONS_PER_S;
  config->probation_packets = DEFAULT_PROBATION;
  config->resampler_quality = DEFAULT_RESAMPLER_QUALITY;
  config->no_play_timeout_ns = DEFAULT_NO_PLAY_NS;
  config->rtcp_min_interval_ns = RTCP_DEFAULT_MIN_INTERVAL_NS;
  config->rtcp_timeout_ns = RTCP_DEFAULT_TIMEOUT_NS;
  /* 0 is the default of the rest: latency_tolerance_ns (follows the target),
   * socket_rcvbuf_bytes (follows the socket budget), choppy_timeout_ns (off), no
   * encodings, no SO_REUSEADDR, drift compensation on. */
}

int api_receiver_params(const struct rill_receiver_config *config, struct rill_receiver_params *p)
{
  struct rill_receiver_config c;
  size_t i;
  int status = api_config_copy(&c, sizeof(c), config, RECEIVER_CONFIG_SIZE_0_1, "receiver");
  if (status != RILL_OK)
    return status;
  memset(p, 0, sizeof(*p));
  p->rate_hz = c.rate_hz ? c.rate_hz : DEFAULT_RATE;
  p->channels = c.channels ? c.channels : DEFAULT_CHANNELS;
  p->target_latency_ns = c.target_latency_ns ? c.target_latency_ns : DEFAULT_LATENCY_NS;
  p->session_timeout_ns = c.session_timeout_ns ? c.session_timeout_ns : DEFAULT_TIMEOUT_NS;
  p->max_sessions = c.max_sessions ? c.max_sessions : DEFAULT_MAX_SESSIONS;
  p->session_budget_bytes =
      c.max_session_mem_bytes ? c.max_session_mem_bytes : DEFAULT_SESSION_MEM;
  p->socket_budget_bytes = c.max_socket_mem_bytes ? c.max_socket_mem_bytes : DEFAULT_SOCKET_MEM;
  p->max_queue_packets = MAX_QUEUE_PACKETS;
  p->reuse_address = c.reuse_address != 0;
  /* The kernel's buffer sized for the socket budget by default: it counts
   * each datagram's bookkeeping too (a 900-byte datagram takes about 2 KiB
   * of it on loopback), hence four times the budget. */
  p->socket_rcvbuf_bytes =
      c.socket_rcvbuf_bytes ? c.socket_rcvbuf_bytes : 4 * p->socket_budget_bytes;
  if (c.latency_tolerance_ns == 0)
    p->latency_tolerance_ns =
        p->target_latency_ns > MIN_TOLERANCE_NS ? p->target_latency_ns : MIN_TOLERANCE_NS;
  else
    p->latency_tolerance_ns = c.latency_tolerance_ns > 0 ? c.latency_tolerance_ns : 0;
  p->idle_timeout_ns = c.idle_timeout_ns == 0 ? DEFAULT_IDLE_NS
                       : c.idle_timeout_ns > 0 ? c.idle_timeout_ns
                                               : 0;
  p->drift_compensation = c.disable_drift_compensation == 0;
  p->probation_packets = c.probation_packets ? c.probation_packets : DEFAULT_PROBATION;
  p->no_play_timeout_ns = c.no_play_timeout_ns == 0 ? DEFAULT_NO_PLAY_NS
                          : c.no_play_timeout_ns > 0 ? c.no_play_timeout_ns
                                                     : 0;
  p->choppy_timeout_ns = c.choppy_timeout_ns > 0 ? c.choppy_timeout_ns : 0;
  p->rtcp_min_interval_ns =
      c.rtcp_min_interval_ns > 0 ? c.rtcp_min_interval_ns : RTCP_DEFAULT_MIN_INTERVAL_NS;
  p->rtcp_timeout_ns = c.rtcp_timeout_ns > 0 ? c.rtcp_timeout_ns : RTCP_DEFAULT_TIMEOUT_NS;
  p->resampler_quality = c.resampler_quality ? c.resampler_quality : DEFAULT_RESAMPLER_QUALITY;
  if (p->resampler_quality < 0 || p->resampler_quality > 10) {
    RILL_LOG(RILL_LOG_ERROR, "api", "receiver: resampler quality %d out of range 1..10",
             p->resampler_quality);
    return RILL_EINVAL;
  }
  p->session_creations_per_s =
      c.max_session_creations_per_s ? c.max_session_creations_per_s : DEFAULT_CREATIONS_PER_S;
  if (p->channels > RTP_MAX_CHANNELS || p->rate_hz > 768000) {
    RILL_LOG(RILL_LOG_ERROR, "api", "receiver: %u channels at %u Hz is not supported",
             p->channels, p->rate_hz);
    return RILL_EINVAL;
  }
  if (p->target_latency_ns < 0 || p->target_latency_ns > 10 * NS_PER_S ||
      p->session_timeout_ns < 0) {
    RILL_LOG(RILL_LOG_ERROR, "api", "receiver: target latency must be 0..10 s, timeout > 0");
    return RILL_EINVAL;
  }
  if (p->max_sessions > 1024) {
    RILL_LOG(RILL_LOG_ERROR, "api", "receiver: max_sessions %u out of range 1..1024",
             p->max_sessions);
    return RILL_EINVAL;
  }
  rtp_registry_init(&p->registry);
  for (i = 0; i < c.encoding_count; i++) {
    struct rtp_encoding e;
    if (api_encoding_to_rtp(&c.encodings[i], &e) != RILL_OK ||
        rtp_registry_add(&p->registry, &e) != RILL_OK) {
      RILL_LOG(RILL_LOG_ERROR, "api",
               "receiver: bad encoding for payload type %u (dynamic types are 96..127, "
               "1..8 channels, rate > 0; Opus: 48000 Hz, 1 or 2 channels)",
               c.encodings[i].payload_type);
      return RILL_EINVAL;
    }
  }
  return RILL_OK;
}

int rill_receiver_open(struct rill_context *ctx, const struct rill_receiver_config *config,
                       struct rill_receiver **out)
{
  struct rill_receiver_params p;
  int status;
  if (!ctx || !out)
    return RILL_EINVAL;
  *out = NULL;
  status = api_receiver_params(config, &p);
  if (status != RILL_OK)
    return status;
  return receiver_create(ctx, &p, out);
}

int rill_receiver_bind(struct rill_receiver *recv, const char *uri, const char *multicast_iface,
                       uint16_t *bound_port)
{
  struct sockaddr_storage addr;
  struct rill_uri parsed;
  enum receiver_iface iface;
  int status;
  if (!recv || !uri)
    return RILL_EINVAL;
  status = api_resolve_endpoint_uri(uri, true, &addr, &parsed);
  if (status != RILL_OK)
    return status;
  switch (uri_scheme_interface(parsed.scheme)) {
  case URI_IFACE_REPAIR:
    iface = RECEIVER_IFACE_REPAIR;
    break;
  case URI_IFACE_CONTROL:
    iface = RECEIVER_IFACE_CONTROL;
    break;
  default:
    iface = RECEIVER_IFACE_SOURCE;
    break;
  }
  status = receiver_bind_endpoint(recv, (struct sockaddr *)&addr, iface,
                                  api_uri_fec_scheme(&parsed), multicast_iface, bound_port);
  if (status != RILL_OK)
    RILL_LOG(RILL_LOG_ERROR, "api", "cannot receive on %s: %s", uri, rill_status_message(status));
  return status;
}

void api_receiver_read_chunked(struct rill_receiver *recv, float *samples, size_t frames,
                               uint32_t chunk_frames)
{
  size_t stride = receiver_channels(recv);
  while (frames > 0) {
    uint32_t n = frames > chunk_frames ? chunk_frames : (uint32_t)frames;
    receiver_read(recv, samples, n);
    samples += (size_t)n * stride;
    frames -= n;
  }
}

int rill_receiver_read(struct rill_receiver *recv, float *samples, size_t frames)
{
  if (!recv || (!samples && frames))
    return RILL_EINVAL;
  api_receiver_read_chunked(recv, samples, frames, API_READ_CHUNK_FRAMES);
  return RILL_OK;
}

int rill_receiver_metrics(struct rill_receiver *recv, struct rill_receiver_metrics *out,
                          struct rill_session_metrics *sessions, size_t session_cap,
                          size_t *session_count)
{
  struct receiver_totals t;
  struct receiver_session_info info;
  struct rill_receiver_metrics full;
  size_t n = 0, out_size, stride = 0;
  uint32_t slot, slots;
  int status;
  if (!recv || !out)
    return RILL_EINVAL;
  status = api_out_size(out, API_SIZE_THROUGH(struct rill_receiver_metrics, fec_repair_dropped),
                        "receiver", &out_size);
  if (status == RILL_OK && sessions && session_cap > 0)
    status = api_out_size(sessions,
                          API_SIZE_THROUGH(struct rill_session_metrics, fec_repair_dropped),
                          "session", &stride);
  if (status != RILL_OK)
    return status;
  receiver_stats(recv, &t, NULL, 0, NULL);
  memset(&full, 0, sizeof(full));
  /* Every public counter of the receiver's and the sessions' maps. */
#define PUBLIC(name) full.name = t.name;
#define PUBLIC_SESSION(name)
#define INTERNAL(name)
#define COPY(name, visibility, doc) visibility(name)
  RECEIVER_COUNTER_MAP(COPY)
  SESSION_COUNTER_MAP(COPY)
#undef COPY
#undef PUBLIC
#undef PUBLIC_SESSION
  full.packets_dropped = t.packets_dropped;
  full.socket_pauses = t.socket_pauses;
  full.stale_datagrams_flushed = t.stale_datagrams_flushed;
  full.datagrams_oversized = t.datagrams_oversized;
  full.receive_batches = t.receive_batches;
  full.idle = t.idle;
  full.sessions = t.sessions;
  full.fec_recovered = t.fec_recovered;
  full.fec_unrecoverable = t.fec_unrecoverable;
  full.fec_repair_received = t.fec_repair_received;
  full.fec_repair_dropped = t.fec_repair_dropped;
  full.socket_rcvbuf_bytes = t.socket_rcvbuf_bytes;
  {
    struct rill_limiter_stats g, sock;
    receiver_limiters(recv, &g, &sock);
    api_memory_metrics(&g, &full.memory);
    api_memory_metrics(&sock, &full.socket_memory);
  }
  api_out_write(out, out_size, &full, sizeof(full));
  /* Every active session, up to the caller's capacity (any max_sessions),
   * each `stride` bytes apart (sessions[0].struct_size). */
  slots = receiver_max_sessions(recv);
  for (slot = 0; sessions && slot < slots && n < session_cap; slot++) {
    struct rill_session_metrics m;
    if (!receiver_session_at(recv, slot, &info))
      continue;
    memset(&m, 0, sizeof(m));
    m.ssrc = info.ssrc;
    addr_format(&info.source, m.source, sizeof(m.source));
    m.payload_type = info.payload_type;
#define PUBLIC(name) m.name = info.name;
#define PUBLIC_SESSION(name) m.name = info.name;
#define COPY(name, visibility, doc) visibility(name)
    SESSION_COUNTER_MAP(COPY)
#undef COPY
#undef PUBLIC
#undef PUBLIC_SESSION
    m.packets_dropped = info.packets_dropped;
    m.jitter_ns = info.jitter_ns;
    m.latency_ns = info.latency_ns;
    m.drift_ppb = info.scaling_ppb;
    m.drift_saturated = info.saturated;
    m.memory_bytes = info.memory_bytes;
    m.fec_recovered = info.fec_recovered;
    m.fec_unrecoverable = info.fec_unrecoverable;
    m.fec_repair_received = info.fec_repair_received;
    m.fec_repair_dropped = info.fec_repair_dropped;
    m.e2e_latency_ns = info.e2e_latency_ns;
    m.rtt_ns = info.rtt_ns;
    api_out_write((unsigned char *)sessions + n * stride, stride, &m, sizeof(m));
    n++;
  }
  if (session_count)
    *session_count = n;
  return RILL_OK;
}

int rill_receiver_close(struct rill_receiver *recv)
{
  if (!recv)
    return RILL_EINVAL;
  receiver_destroy(recv);
  return RILL_OK;
}
