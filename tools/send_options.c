/*
 * rill-send's options: the one table that makes its getopt_long arrays,
 * parsing, defaults and --help (options.c), the checks that span several
 * options, and the sender and context configs built from the result.
 */
#include "send_options.h"

#include <rill/discovery.h>
#include <string.h>

#include "tool_common.h"

#define ROW(field, kind) OPT_ROW_FIELD(struct send_options, field, kind)

/* The stream without --encoding: L16 at 44100 Hz, PT 10 (stereo) or 11 (mono). */
#define DEFAULT_STREAM_RATE_HZ 44100
#define PT_L16_STEREO 10
#define PT_L16_MONO 11

static const struct opt_spec rows[] = {
    {"input", 'i', ROW(input, STRING), .metavar = "FILE|-|DEVICE",
     .help = "audio file (any format libsndfile reads), - for raw s16le on stdin, or a sound "
             "device: pipewire://[TARGET], pulse://[SOURCE] (SINK.monitor: what SINK plays)"},
    {"io-latency", 0, ROW(io_latency_ns, DURATION), .min = 1000000, .max = 2000000000,
     .def = "20ms", .help = "sound device buffer"},
    {"source", 's', ROW(source, STRING), .metavar = "URI",
     .help = "where to send: rtp://HOST:PORT; with FEC: rtp+rs8m://HOST:PORT or "
             "rtp+ldpc://HOST:PORT"},
    {"control", 'c', ROW(control, STRING), .metavar = "URI",
     .help = "RTCP: rtcp://HOST:PORT (a receiver's -c); sender reports, receivers' reports in "
             "the stats, BYE at exit"},
    {"repair", 'r', ROW(repair, STRING), .metavar = "URI",
     .help = "where FEC repair packets go: rs8m://HOST:PORT or ldpc://HOST:PORT (same encoding "
             "as -s)"},
    {"fec-encoding", 0, ROW(fec_encoding, CHOICE), .word = "auto|none|rs8m|ldpc", .def = "auto",
     .help = "FEC encoding: auto takes it from the URI schemes; otherwise they must agree"},
    {"nbsrc", 0, ROW(nbsrc, UINT), .min = 1, .max = 65535, .def = "18", .flags = OPT_LIB_DEFAULT,
     .help = "source packets per FEC block"},
    {"nbrpr", 0, ROW(nbrpr, UINT), .min = 1, .max = 65535, .def = "10", .flags = OPT_LIB_DEFAULT,
     .help = "repair packets per FEC block"},
    {"rate", 0, ROW(raw_rate_hz, UINT), .metavar = "HZ", .min = 1, .max = 384000, .def = "44100",
     .help = "rate of raw stdin input or a device; input at another rate than the stream's is "
             "resampled"},
    {"channels", 0, ROW(raw_channels, UINT), .min = 1, .max = 8, .def = "2",
     .help = "channels of raw stdin input or a device"},
    {"packet-len", 0, ROW(packet_len_ns, DURATION), .min = 1, .def = "5ms",
     .help = "audio per packet, e.g. 5ms, 2.5ms; for Opus the frame: 2.5, 5, 10, 20, 40 or 60ms"},
    {"encoding", 0, ROW(encoding, ENCODING),
     .help = "send with a dynamic payload type, e.g. 96:s16/48000/2 or 96:opus/48000/2 (the "
             "receiver needs the same); default: PT 10/11, L16 44100 Hz stereo/mono"},
    {"bitrate", 0, ROW(opus_bitrate_bps, UINT), .metavar = "BIT/S", .min = 6000, .max = 510000,
     .help = "Opus bitrate; default 64000 per channel"},
    {"complexity", 0, ROW(opus_complexity, UINT), .min = 1, .max = 10, .def = "10",
     .flags = OPT_LIB_DEFAULT, .help = "Opus encoder complexity (CPU for quality)"},
    {"opus-fec", 0, ROW(opus_inband_fec, FLAG),
     .help = "Opus in-band FEC: each packet carries a coarse copy of the previous one (SILK "
             "and hybrid modes: speech-like audio, frames of 10ms or more)"},
    {"expected-loss", 0, ROW(opus_loss_percent, UINT), .metavar = "PERCENT", .min = 1,
     .max = 100, .help = "loss the Opus encoder plans for; default 0, or 10 with --opus-fec"},
    {"dtx", 0, ROW(opus_dtx, FLAG),
     .help = "Opus discontinuous transmission: no packets in silence"},
    {"cbr", 0, ROW(opus_cbr, FLAG),
     .help = "Opus constant bitrate (implied by FEC, which also pads every packet to one "
             "length)"},
    {"resampler-quality", 0, ROW(resampler_quality, UINT), .min = 1, .max = 10, .def = "3",
     .what = "resampler quality", .flags = OPT_LIB_DEFAULT,
     .help = "speexdsp quality when the input is resampled"},
    {"max-mem", 0, ROW(max_mem_bytes, SIZE), .min = 1, .def = "64M", .flags = OPT_LIB_DEFAULT,
     .help = "context memory budget"},
    {"stats-json", 0, ROW(stats_json, STRING), .metavar = "FILE|-",
     .help = "every stats period, one JSON object on a line with the sender's metrics, and a "
             "last one at exit, to FILE (- for stdout)"},
    {"stats-interval", 0, ROW(stats_interval_ns, DURATION), .min = 1, .def = "2s",
     .help = "stats period of -v and --stats-json"},
    {"verbose", 'v', ROW(verbose, COUNT),
     .help = "progress and stats every period on stderr (-vv: debug log)"},
    {"announce", 0, ROW(announce, STRING), .metavar = "sap://ADDR:PORT",
     .bare = RILL_SAP_DEFAULT_URI,
     .help = "announce the stream by SAP every 5 s, and delete it at exit, so that PipeWire's "
             "module-rtp-source, PulseAudio's module-rtp-recv and rill-recv --sap play it "
             "(PulseAudio: payload types 10, 11, 127 only). Alone: RFC 2974's "
             "224.2.127.254:9875 (PipeWire 0.3.65 and PulseAudio 16.1 listen on 224.0.0.56:9875 "
             "by default)"},
    {"session-name", 0, ROW(session_name, STRING), .metavar = "NAME",
     .help = "session name in the SDP (s=) of --announce and --sdp-out (default: rill)"},
    {"sdp-out", 0, ROW(sdp_out, STRING), .metavar = "FILE",
     .help = "write the stream's SDP file there (for ffmpeg, VLC, rill-recv --sdp)"},
    {"help", 'h', OPT_HELP, 0, .help = "this help"},
};

const struct opt_table send_options_table = {
    .tool = "rill-send",
    .usage = "usage: rill-send -i FILE|- -s rtp://HOST:PORT [options]\n"
             "Stream audio to an RTP receiver in real time.\n\n",
    .rows = rows,
    .count = sizeof rows / sizeof rows[0],
    .size = sizeof(struct send_options),
};

int send_options_parse(int argc, char **argv, struct send_options *out, char *err, size_t err_cap)
{
  int rc = opt_parse(&send_options_table, argc, argv, out, err, err_cap);
  if (rc != OPT_RESULT_RUN)
    return rc;
  if (!out->input || !out->source) {
    snprintf(err, err_cap, "both -i FILE|- and -s rtp://HOST:PORT are required (see --help)");
    return OPT_RESULT_ERROR;
  }
  if (out->session_name && !out->announce && !out->sdp_out) {
    snprintf(err, err_cap, "--session-name needs --announce or --sdp-out");
    return OPT_RESULT_ERROR;
  }
  if (tool_check_endpoints(out->source, out->repair, out->fec_encoding, 0, err, err_cap) != 0 ||
      tool_check_control(out->control, 0, err, err_cap) != 0)
    return OPT_RESULT_ERROR;
  return OPT_RESULT_RUN;
}


void send_options_to_config(const struct send_options *o, uint32_t input_rate_hz,
                            uint32_t input_channels, struct rill_sender_config *cfg,
                            struct rill_context_config *ctx_cfg)
{
  TOOL_CONFIG_START(ctx_cfg);
  TOOL_CONFIG_SET(ctx_cfg->max_mem_bytes, (size_t)o->max_mem_bytes);

  TOOL_CONFIG_START(cfg);
  if (o->encoding.count > 0) {
    cfg->encoding = o->encoding.list[0];
  } else {
    cfg->encoding.payload_type = input_channels == 1 ? PT_L16_MONO : PT_L16_STEREO;
    cfg->encoding.format = RILL_FORMAT_S16;
    cfg->encoding.rate_hz = DEFAULT_STREAM_RATE_HZ;
    cfg->encoding.channels = input_channels;
  }
  cfg->input_channels = input_channels;
  cfg->input_rate_hz = input_rate_hz;
  TOOL_CONFIG_SET(cfg->resampler_quality, (int)o->resampler_quality);
  TOOL_CONFIG_SET(cfg->packet_length_ns, o->packet_len_ns);
  TOOL_CONFIG_SET(cfg->fec_source_packets, (uint32_t)o->nbsrc);
  TOOL_CONFIG_SET(cfg->fec_repair_packets, (uint32_t)o->nbrpr);
  TOOL_CONFIG_SET(cfg->opus_bitrate_bps, (uint32_t)o->opus_bitrate_bps);
  TOOL_CONFIG_SET(cfg->opus_complexity, (int)o->opus_complexity);
  TOOL_CONFIG_SET(cfg->opus_loss_percent, (uint32_t)o->opus_loss_percent);
  cfg->opus_flags = (o->opus_inband_fec ? RILL_OPUS_INBAND_FEC : 0u) |
                    (o->opus_dtx ? RILL_OPUS_DTX : 0u) | (o->opus_cbr ? RILL_OPUS_CBR : 0u);
}
