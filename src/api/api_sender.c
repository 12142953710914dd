/* Public sender API: defaults, validation, translation to pipeline/sender. */
#include <rill/sender.h>
#include <rill/status.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/log.h"
#include "audio/opus_codec.h"
#include "pipeline/fec_writer.h"
#include "net/addr.h"
#include "pipeline/rtcp_local.h"
#include "pipeline/sender.h"
#include "pipeline/sender_rtcp.h"

#define DEFAULT_RATE 44100
#define DEFAULT_CHANNELS 2
#define DEFAULT_RESAMPLER_QUALITY 3
#define DEFAULT_PACKET_NS (5 * NS_PER_MS)
/* struct_size 0: the rill 0.1 layout. */
#define SENDER_CONFIG_SIZE_0_1 API_SIZE_THROUGH(struct rill_sender_config, fec_repair_packets)
#define SEND_QUEUE_PACKETS 64
#define DEFAULT_OPUS_BPS_PER_CHANNEL 64000
#define DEFAULT_OPUS_COMPLEXITY 10
#define DEFAULT_OPUS_FEC_LOSS 10

/* The Opus part of the config: rate, channels, frame, bitrate, complexity. */
static int opus_params(const struct rill_sender_config *c, struct rill_sender_params *p)
{
  if (p->enc.rate_hz != OPUSCODEC_RATE_HZ || p->enc.channels > OPUSCODEC_MAX_CHANNELS) {
    RILL_LOG(RILL_LOG_ERROR, "api",
             "sender: Opus streams are 48000 Hz (RFC 7587's clock), 1 or 2 channels, not %u Hz "
             "%u channels",
             p->enc.rate_hz, p->enc.channels);
    return RILL_EINVAL;
  }
  if (!opuscodec_frames_valid(p->packet_frames)) {
    RILL_LOG(RILL_LOG_ERROR, "api",
             "sender: an Opus packet is 2.5, 5, 10, 20, 40 or 60 ms, not %u frames at 48 kHz",
             p->packet_frames);
    return RILL_EINVAL;
  }
  p->opus.bitrate_bps =
      c->opus_bitrate_bps ? c->opus_bitrate_bps : DEFAULT_OPUS_BPS_PER_CHANNEL * p->enc.channels;
  p->opus.complexity = c->opus_complexity ? c->opus_complexity : DEFAULT_OPUS_COMPLEXITY;
  p->opus.inband_fec = (c->opus_flags & RILL_OPUS_INBAND_FEC) != 0;
  p->opus.dtx = (c->opus_flags & RILL_OPUS_DTX) != 0;
  p->opus.cbr = (c->opus_flags & RILL_OPUS_CBR) != 0;
  p->opus.loss_percent = (int)(c->opus_loss_percent ? c->opus_loss_percent
                               : p->opus.inband_fec ? DEFAULT_OPUS_FEC_LOSS
                                                    : 0);
  if (p->opus.bitrate_bps < 6000 || p->opus.bitrate_bps > 510000 || p->opus.complexity < 1 ||
      p->opus.complexity > 10 || c->opus_loss_percent > 100 ||
      (c->opus_flags & ~(uint32_t)(RILL_OPUS_INBAND_FEC | RILL_OPUS_DTX | RILL_OPUS_CBR))) {
    RILL_LOG(RILL_LOG_ERROR, "api",
             "sender: Opus bitrate 6000..510000 bit/s, complexity 1..10, expected loss "
             "0..100 %%, known flags only");
    return RILL_EINVAL;
  }
  return RILL_OK;
}

void rill_sender_config_init(struct rill_sender_config *config)
{
  if (!config)
    return;
  memset(config, 0, sizeof(*config));
  config->struct_size = sizeof(*config);
  /* payload_type 0: 10 or 11 by the channels; input rate and channels 0:
   * the encoding's. */
  config->encoding.format = RILL_FORMAT_S16;
  config->encoding.rate_hz = DEFAULT_RATE;
  config->encoding.channels = DEFAULT_CHANNELS;
  config->resampler_quality = DEFAULT_RESAMPLER_QUALITY;
  config->packet_length_ns = DEFAULT_PACKET_NS;
  config->fec_source_packets = FEC_WRITER_DEFAULT_K;
  config->fec_repair_packets = FEC_WRITER_DEFAULT_R;
  config->rtcp_min_interval_ns = RTCP_DEFAULT_MIN_INTERVAL_NS;
  config->rtcp_timeout_ns = RTCP_DEFAULT_TIMEOUT_NS;
  config->opus_complexity = DEFAULT_OPUS_COMPLEXITY;
}

int api_sender_params(const struct rill_sender_config *config, struct rill_sender_params *p)
{
  struct rill_sender_config c;
  int64_t frames;
  int status = api_config_copy(&c, sizeof(c), config, SENDER_CONFIG_SIZE_0_1, "sender");
  if (status != RILL_OK)
    return status;
  if (c.encoding.rate_hz == 0)
    c.encoding.rate_hz = DEFAULT_RATE;
  if (c.encoding.channels == 0)
    c.encoding.channels = DEFAULT_CHANNELS;
  if (c.encoding.payload_type == 0) {
    if (c.encoding.format == RILL_FORMAT_OPUS) {
      RILL_LOG(RILL_LOG_ERROR, "api", "sender: Opus needs a dynamic payload type (96..127)");
      return RILL_EINVAL;
    }
    if (c.encoding.rate_hz != 44100 || c.encoding.format != RILL_FORMAT_S16 ||
        c.encoding.channels > 2) {
      RILL_LOG(RILL_LOG_ERROR, "api",
               "sender: %u Hz, %u channels needs a dynamic payload type (96..127); "
               "payload types 10/11 are L16 at 44100 Hz, stereo/mono",
               c.encoding.rate_hz, c.encoding.channels);
      return RILL_EINVAL;
    }
    c.encoding.payload_type = c.encoding.channels == 1 ? 11 : 10;
  }
  memset(p, 0, sizeof(*p));
  if (api_encoding_to_rtp(&c.encoding, &p->enc) != RILL_OK || p->enc.channels == 0 ||
      p->enc.channels > RTP_MAX_CHANNELS || p->enc.payload_type > 127) {
    RILL_LOG(RILL_LOG_ERROR, "api", "sender: invalid encoding");
    return RILL_EINVAL;
  }
  if (p->enc.payload_type == 10 || p->enc.payload_type == 11) {
    struct rtp_registry reg;
    const struct rtp_encoding *builtin;
    rtp_registry_init(&reg);
    builtin = rtp_registry_find(&reg, p->enc.payload_type);
    if (builtin->rate_hz != p->enc.rate_hz || builtin->channels != p->enc.channels ||
        builtin->format != p->enc.format) {
      RILL_LOG(RILL_LOG_ERROR, "api", "sender: payload type %u is L16 %s at 44100 Hz",
               p->enc.payload_type, p->enc.payload_type == 10 ? "stereo" : "mono");
      return RILL_EINVAL;
    }
  } else if (p->enc.payload_type < 96) {
    RILL_LOG(RILL_LOG_ERROR, "api", "sender: payload type %u is not L16 nor dynamic (96..127)",
             p->enc.payload_type);
    return RILL_EINVAL;
  }
  p->input_channels = c.input_channels ? c.input_channels : p->enc.channels;
  p->input_rate_hz = c.input_rate_hz ? c.input_rate_hz : p->enc.rate_hz;
  if (p->input_rate_hz > p->enc.rate_hz * 8 || p->input_rate_hz * 8 < p->enc.rate_hz) {
    RILL_LOG(RILL_LOG_ERROR, "api", "sender: input rate %u Hz is more than 8x from %u Hz",
             p->input_rate_hz, p->enc.rate_hz);
    return RILL_EINVAL;
  }
  p->resampler_quality = c.resampler_quality ? c.resampler_quality : DEFAULT_RESAMPLER_QUALITY;
  if (p->resampler_quality < 1 || p->resampler_quality > 10) {
    RILL_LOG(RILL_LOG_ERROR, "api", "sender: resampler quality %d out of range 1..10",
             p->resampler_quality);
    return RILL_EINVAL;
  }
  if (c.packet_length_ns == 0)
    c.packet_length_ns = DEFAULT_PACKET_NS;
  frames = c.packet_length_ns * (int64_t)p->enc.rate_hz / NS_PER_S;
  if (c.packet_length_ns < 0 || frames < 1 || frames > 65535) {
    RILL_LOG(RILL_LOG_ERROR, "api", "sender: packet length %lld ns is out of range",
             (long long)c.packet_length_ns);
    return RILL_EINVAL;
  }
  p->packet_frames = (uint32_t)frames;
  if (p->enc.format == RTP_FMT_OPUS && (status = opus_params(&c, p)) != RILL_OK)
    return status;
  p->queue_packets = SEND_QUEUE_PACKETS;
  p->fec_source_packets = c.fec_source_packets;
  p->fec_repair_packets = c.fec_repair_packets;
  p->rtcp_min_interval_ns =
      c.rtcp_min_interval_ns > 0 ? c.rtcp_min_interval_ns : RTCP_DEFAULT_MIN_INTERVAL_NS;
  p->rtcp_timeout_ns = c.rtcp_timeout_ns > 0 ? c.rtcp_timeout_ns : RTCP_DEFAULT_TIMEOUT_NS;
  return RILL_OK;
}

int rill_sender_open(struct rill_context *ctx, const struct rill_sender_config *config,
                     struct rill_sender **out)
{
  struct rill_sender_params p;
  int status;

  if (!ctx || !out)
    return RILL_EINVAL;
  *out = NULL;
  status = api_sender_params(config, &p);
  if (status != RILL_OK)
    return status;
  status = sender_create(ctx, &p, out);
  if (status == RILL_EINVAL)
    RILL_LOG(RILL_LOG_ERROR, "api",
             "sender: a packet of %u frames does not fit the context's max packet size",
             p.packet_frames);
  return status;
}

int rill_sender_connect(struct rill_sender *sender, const char *uri)
{
  struct sockaddr_storage addr;
  struct rill_uri parsed;
  enum sender_iface iface;
  int status;
  if (!sender || !uri)
    return RILL_EINVAL;
  status = api_resolve_endpoint_uri(uri, false, &addr, &parsed);
  if (status != RILL_OK)
    return status;
  switch (uri_scheme_interface(parsed.scheme)) {
  case URI_IFACE_REPAIR:
    iface = SENDER_IFACE_REPAIR;
    break;
  case URI_IFACE_CONTROL:
    iface = SENDER_IFACE_CONTROL;
    break;
  default:
    iface = SENDER_IFACE_SOURCE;
    break;
  }
  status = sender_connect_endpoint(sender, (struct sockaddr *)&addr, iface,
                                   api_uri_fec_scheme(&parsed));
  if (status == RILL_ESTATE)
    RILL_LOG(RILL_LOG_ERROR, "api", "cannot send to %s: that kind of endpoint is connected already",
             uri);
  else if (status == RILL_EINVAL)
    RILL_LOG(RILL_LOG_ERROR, "api",
             "cannot send to %s: its FEC encoding disagrees with the other endpoint's, or "
             "the FEC block size is invalid (rs8m: source + repair <= 255; ldpc: repair >= 7)",
             uri);
  else if (status != RILL_OK)
    RILL_LOG(RILL_LOG_ERROR, "api", "cannot send to %s: %s", uri, rill_status_message(status));
  return status;
}

int rill_sender_write(struct rill_sender *sender, const float *samples, size_t frames)
{
  if (!sender || (!samples && frames))
    return RILL_EINVAL;
  while (frames > 0) {
    uint32_t n = frames > (1u << 20) ? (1u << 20) : (uint32_t)frames;
    sender_write(sender, samples, n);
    samples += (size_t)n * sender_input_channels(sender);
    frames -= n;
  }
  return RILL_OK;
}

/* The receivers' reports into the caller's array (stride receivers[0].struct_size). */
static int write_receiver_reports(struct sender_rtcp *rtcp, struct rill_sender_metrics *full,
                                  struct rill_receiver_report *out, size_t cap)
{
  struct sender_rtcp_totals t;
  struct sender_rtcp_peer peers[SENDER_RTCP_MAX_PEERS];
  size_t i, n = 0, stride = 0;
  int status = RILL_OK;
  if (out && cap > 0)
    status = api_out_size(out, sizeof(struct rill_receiver_report), "receiver report", &stride);
  if (status != RILL_OK)
    return status;
  sender_rtcp_stats(rtcp, &t, peers, SENDER_RTCP_MAX_PEERS, &n);
  full->rtcp_sent = t.sent;
  full->rtcp_received = t.received;
  full->rtcp_malformed = t.malformed;
  full->receiver_count = t.peers;
  for (i = 0; out && i < n && i < cap; i++) {
    struct rill_receiver_report r;
    memset(&r, 0, sizeof(r));
    r.ssrc = peers[i].ssrc;
    memcpy(r.cname, peers[i].cname, sizeof(r.cname));
    addr_format(&peers[i].addr, r.address, sizeof(r.address));
    r.reports = peers[i].reports;
    r.fraction_lost = peers[i].fraction_lost / 256.0;
    r.cumulative_lost = peers[i].cum_lost;
    r.ext_highest_seq = peers[i].ext_highest_seq;
    r.jitter_ns = peers[i].jitter_ns;
    r.rtt_ns = peers[i].rtt_ns;
    r.e2e_latency_ns = peers[i].e2e_latency_ns;
    r.latency_ns = peers[i].queue_latency_ns;
    api_out_write((unsigned char *)out + i * stride, stride, &r, sizeof(r));
    full->receivers_written++;
  }
  return RILL_OK;
}

int rill_sender_metrics(struct rill_sender *sender, struct rill_sender_metrics *out)
{
  struct sender_totals t;
  struct rill_limiter_stats g;
  struct rill_sender_metrics full;
  struct sender_rtcp *rtcp;
  size_t out_size;
  int status;
  if (!sender || !out)
    return RILL_EINVAL;
  status = api_out_size(out, API_SIZE_THROUGH(struct rill_sender_metrics, fec_repair_sent),
                        "sender", &out_size);
  if (status != RILL_OK)
    return status;
  memset(&full, 0, sizeof(full));
  /* The caller's array, if its struct has the fields. */
  if (out_size >= API_SIZE_THROUGH(struct rill_sender_metrics, receiver_cap)) {
    full.receivers = out->receivers;
    full.receiver_cap = out->receiver_cap;
  }
  rtcp = sender_control(sender);
  if (rtcp && (status = write_receiver_reports(rtcp, &full, full.receivers,
                                               full.receiver_cap)) != RILL_OK)
    return status;
  sender_stats(sender, &t, &g);
  full.ssrc = t.ssrc;
  full.frames_written = t.frames_written;
  full.packets_sent = t.packets_sent;
  full.packets_dropped = t.packets_dropped;
  full.fec_repair_sent = t.fec_repair_sent;
  full.payload_bytes = t.payload_bytes;
  full.packets_dtx = t.packets_dtx;
  api_memory_metrics(&g, &full.memory);
  api_out_write(out, out_size, &full, sizeof(full));
  return RILL_OK;
}

int rill_sender_close(struct rill_sender *sender)
{
  if (!sender)
    return RILL_EINVAL;
  sender_destroy(sender);
  return RILL_OK;
}
