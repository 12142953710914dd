/*
 * rill-recv's options: the one table that makes its getopt_long arrays,
 * parsing, defaults and --help (options.c), the checks that span several
 * options, and the receiver and context configs built from the result.
 */
#include "recv_options.h"

#include <string.h>

#include "tool_common.h"

#define ROW(field, kind) OPT_ROW_FIELD(struct recv_options, field, kind)
#define NS_PER_MS UINT64_C(1000000)

static const struct opt_spec rows[] = {
    {"source", 's', ROW(source, STRING), .metavar = "URI",
     .help = "where to receive: rtp://IP:PORT (0.0.0.0 for any interface; port 0 picks a free "
             "port); with FEC: rtp+rs8m://IP:PORT or rtp+ldpc://IP:PORT"},
    {"repair", 'r', ROW(repair, STRING), .metavar = "URI",
     .help = "FEC repair packets: rs8m://IP:PORT or ldpc://IP:PORT (same encoding as -s)"},
    {"control", 'c', ROW(control, STRING), .metavar = "URI",
     .help = "RTCP: rtcp://IP:PORT; senders' reports give the end-to-end latency, their BYE "
             "ends a session at once, and each sender gets reception reports back"},
    {"output", 'o', ROW(output, STRING), .metavar = "FILE|-|DEVICE",
     .help = "output file (format from the extension: .wav, .flac, .aiff, .ogg, .raw), - for "
             "raw s16le, or a sound device: pipewire://[TARGET], pulse://[SINK] (default: the "
             "default output, PipeWire or PulseAudio)"},
    {"io-latency", 0, ROW(io_latency_ns, DURATION), .min = NS_PER_MS, .max = 2000 * NS_PER_MS,
     .def = "20ms", .help = "sound device buffer"},
    {"rate", 0, ROW(rate_hz, UINT), .metavar = "HZ", .min = 1, .max = 384000, .def = "44100",
     .help = "output rate"},
    {"channels", 0, ROW(channels, UINT), .min = 1, .max = 8, .def = "2",
     .help = "output channels"},
    {"target-latency", 0, ROW(target_latency_ns, DURATION), .min = 1, .def = "100ms",
     .flags = OPT_LIB_DEFAULT, .help = "jitter buffer target"},
    {"session-timeout", 0, ROW(session_timeout_ns, DURATION), .min = 1, .def = "2s",
     .flags = OPT_LIB_DEFAULT, .help = "end a session after this long without packets"},
    {"frame-len", 0, ROW(frame_len_ns, DURATION), .min = NS_PER_MS / 10, .max = 1000 * NS_PER_MS,
     .def = "10ms", .help = "audio read per period"},
    {"duration", 0, ROW(duration_ns, DURATION), .min = 1,
     .help = "stop after this much audio (default: until stopped)"},
    {"oneshot", 0, ROW(oneshot, FLAG), .help = "exit when the last sender has gone"},
    {"encoding", 0, ROW(encodings, ENCODING), .flags = OPT_REPEAT,
     .help = "accept a dynamic payload type, e.g. 96:s16/48000/2"},
    {"max-sessions", 0, ROW(max_sessions, UINT), .min = 1, .max = RECV_MAX_SESSIONS, .def = "8",
     .flags = OPT_LIB_DEFAULT, .help = "concurrent senders"},
    {"max-mem", 0, ROW(max_mem_bytes, SIZE), .min = 1, .def = "64M", .flags = OPT_LIB_DEFAULT,
     .help = "context memory budget"},
    {"max-session-mem", 0, ROW(max_session_mem_bytes, SIZE), .min = 1, .def = "4M",
     .flags = OPT_LIB_DEFAULT, .help = "per-session budget"},
    {"max-socket-mem", 0, ROW(max_socket_mem_bytes, SIZE), .min = 1, .def = "1M",
     .flags = OPT_LIB_DEFAULT, .help = "per-socket budget"},
    {"max-packet-size", 0, ROW(max_packet_bytes, SIZE), .min = 64, .max = 65507, .def = "2048",
     .flags = OPT_LIB_DEFAULT, .help = "largest datagram"},
    {"miface", 0, ROW(miface, STRING), .metavar = "IP",
     .help = "interface for a multicast source address"},
    {"port-file", 0, ROW(port_file, STRING), .metavar = "FILE",
     .help = "write the bound port there (useful with port 0); with -r and -c, the source, "
             "repair and control ports, one a line, in that order"},
    {"reuseaddr", 0, ROW(reuseaddr, FLAG), .help = "bind with SO_REUSEADDR"},
    {"rcvbuf", 0, ROW(rcvbuf_bytes, SIZE), .min = 1, .max = INT32_MAX,
     .help = "kernel receive buffer (SO_RCVBUF; default: 4 x --max-socket-mem)"},
    {"latency-tolerance", 0, ROW(latency_tolerance_ns, DURATION), .min = 1,
     .help = "audio queued beyond target + this is dropped as stale (default: max(target, "
             "50ms))"},
    {"idle-timeout", 0, ROW(idle_timeout_ns, DURATION), .min = 1, .word = "never", .def = "1s",
     .flags = OPT_LIB_DEFAULT,
     .help = "nobody reads this long: drop sessions, pause receiving, give memory back"},
    {"max-session-rate", 0, ROW(max_session_rate, UINT), .min = 1, .max = 100000, .def = "20",
     .flags = OPT_LIB_DEFAULT, .help = "new senders accepted per second"},
    {"resampler-quality", 0, ROW(resampler_quality, UINT), .min = 1, .max = 10, .def = "3",
     .what = "resampler quality", .flags = OPT_LIB_DEFAULT, .help = "speexdsp quality"},
    {"no-drift-compensation", 0, ROW(no_drift_compensation, FLAG),
     .help = "play at the sender's pace as received (no resampling unless the rates differ)"},
    {"no-play-timeout", 0, ROW(no_play_timeout_ns, DURATION), .min = 1, .word = "off",
     .def = "2s", .flags = OPT_LIB_DEFAULT,
     .help = "end a session that plays no audio this long; it restarts on its next packet"},
    {"choppy-play-timeout", 0, ROW(choppy_play_timeout_ns, DURATION), .min = 1, .word = "off",
     .def = "off", .flags = OPT_LIB_DEFAULT,
     .help = "end a session with gaps in every 250 ms for this long"},
    {"stats-json", 0, ROW(stats_json, STRING), .metavar = "FILE|-",
     .help = "every stats period, one JSON object on a line with the receiver's and each "
             "session's metrics, and a last one at exit, to FILE (- for stdout, not with -o -)"},
    {"stats-interval", 0, ROW(stats_interval_ns, DURATION), .min = 1, .def = "2s",
     .help = "stats period of -v and --stats-json"},
    {"verbose", 'v', ROW(verbose, COUNT), .help = "stats every period on stderr (-vv: debug log)"},
    {"sap", 0, ROW(sap, STRING), .metavar = "ADDR:PORT", .bare = "224.2.127.254:9875",
     .help = "play the streams announced by SAP (PipeWire's module-rtp-sink, PulseAudio's "
             "module-rtp-send, rill-send --announce): their payload types need no --encoding, "
             "and without -s their addresses are bound; a deleted or no longer announced "
             "stream ends. Alone: RFC 2974's 224.2.127.254:9875 (PipeWire 0.3.65 and PulseAudio "
             "16.1 announce on 224.0.0.56:9875 by default)"},
    {"sap-session", 0, ROW(sap_session, STRING), .metavar = "NAME",
     .help = "with --sap: only the session of this name (SDP s=)"},
    {"sdp", 0, ROW(sdp, STRING), .metavar = "FILE",
     .help = "the stream an SDP file describes (ffmpeg's -sdp_file, rill-send --sdp-out): its "
             "payload types, and its address and port when -s is not given"},
    {"help", 'h', OPT_HELP, 0, .help = "this help"},
};

const struct opt_table recv_options_table = {
    .tool = "rill-recv",
    .usage = "usage: rill-recv -s rtp://IP:PORT [-o FILE|-|DEVICE] [options]\n"
             "Receive RTP audio streams, mix them and write them in real time.\n\n",
    .rows = rows,
    .count = sizeof rows / sizeof rows[0],
    .size = sizeof(struct recv_options),
};

int recv_options_parse(int argc, char **argv, struct recv_options *out, char *err, size_t err_cap)
{
  int rc = opt_parse(&recv_options_table, argc, argv, out, err, err_cap);
  if (rc != OPT_RESULT_RUN)
    return rc;
  if (!out->source && !out->sap && !out->sdp) {
    snprintf(err, err_cap, "-s rtp://IP:PORT (or --sap, --sdp) is required (see --help)");
    return OPT_RESULT_ERROR;
  }
  if (out->sap_session && !out->sap) {
    snprintf(err, err_cap, "--sap-session needs --sap");
    return OPT_RESULT_ERROR;
  }
  if ((out->source || out->repair) &&
      tool_check_endpoints(out->source, out->repair, NULL, 1, err, err_cap) != 0)
    return OPT_RESULT_ERROR;
  if (tool_check_control(out->control, 1, err, err_cap) != 0)
    return OPT_RESULT_ERROR;
  if (out->stats_json && strcmp(out->stats_json, "-") == 0 && out->output &&
      strcmp(out->output, "-") == 0) {
    snprintf(err, err_cap, "--stats-json: stdout carries the audio (-o -): give a file, e.g. "
                           "/dev/stderr");
    return OPT_RESULT_ERROR;
  }
  return OPT_RESULT_RUN;
}


void recv_options_to_config(const struct recv_options *o, struct rill_receiver_config *cfg,
                            struct rill_context_config *ctx_cfg)
{
  TOOL_CONFIG_START(ctx_cfg);
  TOOL_CONFIG_SET(ctx_cfg->max_mem_bytes, (size_t)o->max_mem_bytes);
  TOOL_CONFIG_SET(ctx_cfg->max_packet_bytes, (size_t)o->max_packet_bytes);

  TOOL_CONFIG_START(cfg);
  TOOL_CONFIG_SET(cfg->rate_hz, (uint32_t)o->rate_hz);
  TOOL_CONFIG_SET(cfg->channels, (uint32_t)o->channels);
  TOOL_CONFIG_SET(cfg->target_latency_ns, o->target_latency_ns);
  TOOL_CONFIG_SET(cfg->session_timeout_ns, o->session_timeout_ns);
  TOOL_CONFIG_SET(cfg->max_sessions, (uint32_t)o->max_sessions);
  TOOL_CONFIG_SET(cfg->max_session_mem_bytes, (size_t)o->max_session_mem_bytes);
  TOOL_CONFIG_SET(cfg->max_socket_mem_bytes, (size_t)o->max_socket_mem_bytes);
  if (o->encodings.count > 0) {
    cfg->encodings = o->encodings.list;
    cfg->encoding_count = o->encodings.count;
  }
  TOOL_CONFIG_SET(cfg->reuse_address, o->reuseaddr);
  TOOL_CONFIG_SET(cfg->socket_rcvbuf_bytes, (size_t)o->rcvbuf_bytes);
  TOOL_CONFIG_SET(cfg->latency_tolerance_ns, o->latency_tolerance_ns);
  TOOL_CONFIG_SET(cfg->idle_timeout_ns, o->idle_timeout_ns);
  TOOL_CONFIG_SET(cfg->max_session_creations_per_s, (uint32_t)o->max_session_rate);
  TOOL_CONFIG_SET(cfg->disable_drift_compensation, o->no_drift_compensation);
  TOOL_CONFIG_SET(cfg->resampler_quality, (int)o->resampler_quality);
  TOOL_CONFIG_SET(cfg->no_play_timeout_ns, o->no_play_timeout_ns);
  TOOL_CONFIG_SET(cfg->choppy_timeout_ns, o->choppy_play_timeout_ns);
}
