/*
 * rill-recv: receive RTP streams and write what a listener would hear.
 *
 * Reads the receiver at real-time pace by its own clock, one frame-length
 * chunk per period, whatever the output is: a file is written exactly as a
 * sound card would consume the audio (gaps, glitches and drift included), and
 * a blocked pipe stops the reads. If the loop falls behind (a stalled pipe),
 * it does not read a burst to catch up: it resumes from the current time, as
 * a sound card that underran would. Public API only.
 */
#include <getopt.h>
#include <rill/rill.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"
#include "cli_parse.h"
#include "tool_common.h"

#define MAX_ENCODINGS 32

static void usage(FILE *out)
{
  fprintf(out,
          "usage: rill-recv -s rtp://IP:PORT -o FILE|- [options]\n"
          "Receive RTP audio streams, mix them and write them in real time.\n\n"
          "  -s, --source URI           where to receive: rtp://IP:PORT (0.0.0.0 for any\n"
          "                             interface; port 0 picks a free port); with FEC:\n"
          "                             rtp+rs8m://IP:PORT or rtp+ldpc://IP:PORT\n"
          "  -r, --repair URI           FEC repair packets: rs8m://IP:PORT or\n"
          "                             ldpc://IP:PORT (same encoding as -s)\n"
          "  -o, --output FILE|-        output file (format from the extension: .wav,\n"
          "                             .flac, .aiff, .ogg, .raw) or - for raw s16le\n"
          "      --rate HZ              output rate (default 44100)\n"
          "      --channels N           output channels (default 2)\n"
          "      --target-latency DUR   jitter buffer target (default 100ms)\n"
          "      --session-timeout DUR  end a session after this long without packets\n"
          "                             (default 2s)\n"
          "      --frame-len DUR        audio read per period (default 10ms)\n"
          "      --duration DUR         stop after this much audio\n"
          "      --oneshot              exit when the last sender has gone\n"
          "      --encoding PT:FORMAT/RATE/CHANNELS\n"
          "                             accept a dynamic payload type, e.g. 96:s16/48000/2\n"
          "                             (repeatable)\n"
          "      --max-sessions N       concurrent senders (default 8)\n"
          "      --max-mem SIZE         context memory budget (default 64M)\n"
          "      --max-session-mem SIZE per-session budget (default 4M)\n"
          "      --max-socket-mem SIZE  per-socket budget (default 1M)\n"
          "      --max-packet-size SIZE largest datagram (default 2048)\n"
          "      --miface IP            interface for a multicast source address\n"
          "      --port-file FILE       write the bound port there (useful with port 0);\n"
          "                             with -r, the source then the repair port, one a line\n"
          "      --reuseaddr            bind with SO_REUSEADDR\n"
          "      --rcvbuf SIZE          kernel receive buffer (SO_RCVBUF)\n"
          "      --latency-tolerance DUR  audio queued beyond target + this is dropped as\n"
          "                             stale (default: max(target, 50ms))\n"
          "      --idle-timeout DUR|never  nobody reads this long: drop sessions, pause\n"
          "                             receiving, give memory back (default 1s)\n"
          "      --max-session-rate N   new senders accepted per second (default 20)\n"
          "      --resampler-quality N  speexdsp quality 1..10 (default 3)\n"
          "      --no-drift-compensation  play at the sender's pace as received (no\n"
          "                             resampling unless the rates differ)\n"
          "      --no-play-timeout DUR|off  end a session that plays no audio this long\n"
          "                             (default 2s); it restarts on its next packet\n"
          "      --choppy-play-timeout DUR|off  end a session with gaps in every 250 ms\n"
          "                             for this long (default off)\n"
          "  -v, --verbose              stats every 2 s on stderr (-vv: debug log)\n"
          "  -h, --help                 this help\n"
          "Durations take ns, us, ms, s, m, h; sizes take K, M, G.\n");
}

static int fail(const char *opt, const char *msg)
{
  fprintf(stderr, "rill-recv: %s%s%s\n", opt ? opt : "", opt ? ": " : "", msg);
  return 2;
}

static void report(struct rill_receiver *recv, double seconds)
{
  struct rill_receiver_metrics m;
  struct rill_session_metrics s[4];
  size_t n = 0, i;
  double latency = 0, jitter = 0, drift = 0;
  if (rill_receiver_metrics(recv, &m, s, 4, &n) != RILL_OK)
    return;
  for (i = 0; i < n; i++) {
    if (i == 0)
      drift = (double)s[i].drift_ppb / 1000.0;
    if (s[i].latency_ns / 1e6 > latency)
      latency = s[i].latency_ns / 1e6;
    if (s[i].jitter_ns / 1e6 > jitter)
      jitter = s[i].jitter_ns / 1e6;
  }
  fprintf(stderr,
          "rill-recv: %.1f s | sessions %u | packets %llu lost %llu late %llu dup %llu | "
          "latency %.1f ms jitter %.2f ms drift %+.0f ppm | mem %.1f/%.1f MiB | dropped: bad %llu "
          "unknown-pt %llu refused %llu | fec recovered %llu unrecoverable %llu repair %llu\n",
          seconds, m.sessions, (unsigned long long)m.packets_received,
          (unsigned long long)m.packets_lost, (unsigned long long)m.packets_late,
          (unsigned long long)m.packets_duplicate, latency, jitter, drift,
          m.memory.used_bytes / 1048576.0, m.memory.budget_bytes / 1048576.0,
          (unsigned long long)m.bad_packets, (unsigned long long)m.unknown_payload_type,
          (unsigned long long)(m.sessions_refused + m.no_memory + m.packets_dropped),
          (unsigned long long)m.fec_recovered, (unsigned long long)m.fec_unrecoverable,
          (unsigned long long)m.fec_repair_received);
}

int main(int argc, char **argv)
{
  enum { O_RATE = 256, O_CH, O_LAT, O_TIMEOUT, O_FRAME, O_DUR, O_ONESHOT, O_ENC, O_MAXS,
         O_MEM, O_SMEM, O_SOCKMEM, O_PKT, O_MIFACE, O_PORTFILE, O_REUSE,
         O_TOL, O_IDLE, O_RCVBUF, O_SRATE, O_RQ, O_NODRIFT,
         O_NOPLAY, O_CHOPPY };
  static const struct option longopts[] = {
      {"source", required_argument, NULL, 's'},
      {"repair", required_argument, NULL, 'r'},
      {"output", required_argument, NULL, 'o'},
      {"rate", required_argument, NULL, O_RATE},
      {"channels", required_argument, NULL, O_CH},
      {"target-latency", required_argument, NULL, O_LAT},
      {"session-timeout", required_argument, NULL, O_TIMEOUT},
      {"frame-len", required_argument, NULL, O_FRAME},
      {"duration", required_argument, NULL, O_DUR},
      {"oneshot", no_argument, NULL, O_ONESHOT},
      {"encoding", required_argument, NULL, O_ENC},
      {"max-sessions", required_argument, NULL, O_MAXS},
      {"max-mem", required_argument, NULL, O_MEM},
      {"max-session-mem", required_argument, NULL, O_SMEM},
      {"max-socket-mem", required_argument, NULL, O_SOCKMEM},
      {"max-packet-size", required_argument, NULL, O_PKT},
      {"miface", required_argument, NULL, O_MIFACE},
      {"port-file", required_argument, NULL, O_PORTFILE},
      {"reuseaddr", no_argument, NULL, O_REUSE},
      {"latency-tolerance", required_argument, NULL, O_TOL},
      {"idle-timeout", required_argument, NULL, O_IDLE},
      {"rcvbuf", required_argument, NULL, O_RCVBUF},
      {"max-session-rate", required_argument, NULL, O_SRATE},
      {"resampler-quality", required_argument, NULL, O_RQ},
      {"no-drift-compensation", no_argument, NULL, O_NODRIFT},
      {"no-play-timeout", required_argument, NULL, O_NOPLAY},
      {"choppy-play-timeout", required_argument, NULL, O_CHOPPY},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *source = NULL, *output = NULL, *miface = NULL, *port_file = NULL;
  const char *repair = NULL; /* FEC repair endpoint */
  uint16_t repair_port = 0;
  uint64_t v;
  int64_t frame_ns = 10000000, duration_ns = -1;
  struct rill_encoding encodings[MAX_ENCODINGS];
  size_t encoding_count = 0;
  int oneshot = 0, verbose = 0, opt, status, rc = 0;
  char err[256];
  const char *bad;
  struct rill_context_config cc;
  struct rill_receiver_config rcfg;
  struct rill_context *ctx = NULL;
  struct rill_receiver *recv = NULL;
  struct audio_file *out = NULL;
  uint16_t port = 0;
  float *buf = NULL;
  uint32_t chunk, rate, channels;
  uint64_t frames_done = 0, limit_frames = UINT64_MAX;
  int64_t deadline, next_report;

  /* Options set fields of the configs; the rest keep the library's defaults. */
  rill_context_config_init(&cc);
  rill_receiver_config_init(&rcfg);
  opterr = 0; /* one line of our own for a bad option, not getopt's */
  while ((opt = getopt_long(argc, argv, ":s:r:o:vh", longopts, NULL)) != -1) {
    switch (opt) {
    case 's':
      source = optarg;
      break;
    case 'r':
      repair = optarg;
      break;
    case 'o':
      output = optarg;
      break;
    case O_RATE:
      if (cli_parse_uint(optarg, 1, 384000, &v, "rate", err, sizeof(err)) != 0)
        return fail("--rate", err);
      rcfg.rate_hz = (uint32_t)v;
      break;
    case O_CH:
      if (cli_parse_uint(optarg, 1, 8, &v, "channels", err, sizeof(err)) != 0)
        return fail("--channels", err);
      rcfg.channels = (uint32_t)v;
      break;
    case O_LAT:
      if (cli_parse_duration_ns(optarg, &rcfg.target_latency_ns, err, sizeof(err)) != 0)
        return fail("--target-latency", err);
      if (rcfg.target_latency_ns == 0)
        return fail("--target-latency", "must be greater than 0");
      break;
    case O_TIMEOUT:
      if (cli_parse_duration_ns(optarg, &rcfg.session_timeout_ns, err, sizeof(err)) != 0)
        return fail("--session-timeout", err);
      if (rcfg.session_timeout_ns == 0)
        return fail("--session-timeout", "must be greater than 0");
      break;
    case O_FRAME:
      if (cli_parse_duration_ns(optarg, &frame_ns, err, sizeof(err)) != 0)
        return fail("--frame-len", err);
      if (frame_ns < 100000 || frame_ns > 1000000000)
        return fail("--frame-len", "must be between 100us and 1s");
      break;
    case O_DUR:
      if (cli_parse_duration_ns(optarg, &duration_ns, err, sizeof(err)) != 0)
        return fail("--duration", err);
      break;
    case O_ONESHOT:
      oneshot = 1;
      break;
    case O_ENC:
      if (encoding_count == MAX_ENCODINGS)
        return fail("--encoding", "too many encodings");
      if (tool_parse_encoding(optarg, &encodings[encoding_count], err, sizeof(err)) != 0)
        return fail("--encoding", err);
      encoding_count++;
      break;
    case O_MAXS:
      if (cli_parse_uint(optarg, 1, 1024, &v, "max-sessions", err, sizeof(err)) != 0)
        return fail("--max-sessions", err);
      rcfg.max_sessions = (uint32_t)v;
      break;
    case O_MEM:
      if (cli_parse_size_bytes(optarg, &v, err, sizeof(err)) != 0)
        return fail("--max-mem", err);
      if (v == 0)
        return fail("--max-mem", "must be greater than 0");
      cc.max_mem_bytes = (size_t)v;
      break;
    case O_SMEM:
      if (cli_parse_size_bytes(optarg, &v, err, sizeof(err)) != 0)
        return fail("--max-session-mem", err);
      if (v == 0)
        return fail("--max-session-mem", "must be greater than 0");
      rcfg.max_session_mem_bytes = (size_t)v;
      break;
    case O_SOCKMEM:
      if (cli_parse_size_bytes(optarg, &v, err, sizeof(err)) != 0)
        return fail("--max-socket-mem", err);
      if (v == 0)
        return fail("--max-socket-mem", "must be greater than 0");
      rcfg.max_socket_mem_bytes = (size_t)v;
      break;
    case O_PKT:
      if (cli_parse_size_bytes(optarg, &v, err, sizeof(err)) != 0)
        return fail("--max-packet-size", err);
      if (v < 64 || v > 65507)
        return fail("--max-packet-size", "must be 64..65507");
      cc.max_packet_bytes = (size_t)v;
      break;
    case O_MIFACE:
      miface = optarg;
      break;
    case O_PORTFILE:
      port_file = optarg;
      break;
    case O_REUSE:
      rcfg.reuse_address = 1;
      break;
    case O_TOL:
      if (cli_parse_duration_ns(optarg, &rcfg.latency_tolerance_ns, err, sizeof(err)) != 0)
        return fail("--latency-tolerance", err);
      if (rcfg.latency_tolerance_ns == 0)
        return fail("--latency-tolerance", "must be greater than 0");
      break;
    case O_IDLE:
      if (strcmp(optarg, "never") == 0)
        rcfg.idle_timeout_ns = -1;
      else if (cli_parse_duration_ns(optarg, &rcfg.idle_timeout_ns, err, sizeof(err)) != 0)
        return fail("--idle-timeout", err);
      else if (rcfg.idle_timeout_ns == 0)
        return fail("--idle-timeout", "must be greater than 0 (or 'never')");
      break;
    case O_RCVBUF:
      if (cli_parse_size_bytes(optarg, &v, err, sizeof(err)) != 0)
        return fail("--rcvbuf", err);
      if (v == 0 || v > INT32_MAX)
        return fail("--rcvbuf", "must be 1..2G");
      rcfg.socket_rcvbuf_bytes = (size_t)v;
      break;
    case O_RQ:
      if (cli_parse_uint(optarg, 1, 10, &v, "resampler quality", err, sizeof(err)) != 0)
        return fail("--resampler-quality", err);
      rcfg.resampler_quality = (int)v;
      break;
    case O_NODRIFT:
      rcfg.disable_drift_compensation = 1;
      break;
    case O_NOPLAY:
    case O_CHOPPY: {
      int64_t *dst = opt == O_NOPLAY ? &rcfg.no_play_timeout_ns : &rcfg.choppy_timeout_ns;
      const char *name = opt == O_NOPLAY ? "--no-play-timeout" : "--choppy-play-timeout";
      if (strcmp(optarg, "off") == 0)
        *dst = -1;
      else if (cli_parse_duration_ns(optarg, dst, err, sizeof(err)) != 0)
        return fail(name, err);
      else if (*dst == 0)
        return fail(name, "must be greater than 0 (or 'off')");
      break;
    }
    case O_SRATE:
      if (cli_parse_uint(optarg, 1, 100000, &v, "max-session-rate", err, sizeof(err)) != 0)
        return fail("--max-session-rate", err);
      rcfg.max_session_creations_per_s = (uint32_t)v;
      break;
    case 'v':
      verbose++;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      return fail(NULL, tool_bad_option(opt, argc, argv, err, sizeof(err)));
    }
  }
  if (optind < argc)
    return fail(NULL, "unexpected argument (see --help)");
  if (!source || !output)
    return fail(NULL, "both -s rtp://IP:PORT and -o FILE|- are required (see --help)");
  if ((bad = tool_check_endpoints(source, repair, NULL, 1, err, sizeof(err))) != NULL)
    return fail(*bad ? bad : NULL, err);
  tool_setup_log("rill-recv", verbose);

  rcfg.encodings = encodings;
  rcfg.encoding_count = encoding_count;
  rate = rcfg.rate_hz;
  channels = rcfg.channels;
  if ((status = rill_context_open(&cc, &ctx)) != RILL_OK ||
      (status = rill_receiver_open(ctx, &rcfg, &recv)) != RILL_OK) {
    fprintf(stderr, "rill-recv: cannot start: %s\n",
            tool_last_error()[0] ? tool_last_error() : rill_status_message(status));
    rc = 1;
    goto done;
  }
  if ((status = rill_receiver_bind(recv, source, miface, &port)) != RILL_OK) {
    fprintf(stderr, "rill-recv: cannot receive on %s: %s\n", source, rill_status_message(status));
    rc = 1;
    goto done;
  }
  if (repair && (status = rill_receiver_bind(recv, repair, miface, &repair_port)) != RILL_OK) {
    fprintf(stderr, "rill-recv: cannot receive on %s: %s\n", repair, rill_status_message(status));
    rc = 1;
    goto done;
  }
  if (port_file) {
    FILE *pf = fopen(port_file, "w");
    if (!pf || fprintf(pf, "%u\n", (unsigned)port) < 0 ||
        (repair && fprintf(pf, "%u\n", (unsigned)repair_port) < 0) || fclose(pf) != 0) {
      fprintf(stderr, "rill-recv: cannot write --port-file %s\n", port_file);
      rc = 1;
      goto done;
    }
  }
  out = audio_open_write(output, rate, channels, err, sizeof(err));
  if (!out) {
    rc = fail("-o", err);
    goto done;
  }
  if (verbose)
    fprintf(stderr, "rill-recv: receiving on port %u, %u Hz, %u channels\n", (unsigned)port,
            (unsigned)rate, (unsigned)channels);

  chunk = (uint32_t)(frame_ns * (int64_t)rate / 1000000000);
  if (chunk == 0)
    chunk = 1;
  if (duration_ns >= 0)
    limit_frames = (uint64_t)(duration_ns / 1000 * (int64_t)rate / 1000000);
  buf = malloc((size_t)chunk * channels * sizeof(float));
  if (!buf) {
    rc = 1;
    goto done;
  }
  tool_install_signals();
  deadline = tool_now_ns();
  next_report = deadline + 2000000000;
  while (!tool_stop && frames_done < limit_frames) {
    uint32_t n = chunk;
    int64_t now;
    if (limit_frames - frames_done < n)
      n = (uint32_t)(limit_frames - frames_done);
    deadline += (int64_t)n * 1000000000 / (int64_t)rate;
    tool_sleep_until(deadline);
    if (tool_stop)
      break;
    rill_receiver_read(recv, buf, n);
    if (audio_write(out, buf, n) != 0) {
      fprintf(stderr, "rill-recv: cannot write the output (closed pipe or full disk)\n");
      rc = 1;
      break;
    }
    frames_done += n;
    now = tool_now_ns();
    /* Behind by more than a period (stalled output): resume from now. */
    if (now - deadline > 2 * frame_ns)
      deadline = now;
    if (verbose && now >= next_report) {
      report(recv, (double)frames_done / (double)rate);
      next_report += 2000000000;
    }
    if (oneshot) {
      struct rill_receiver_metrics m;
      if (rill_receiver_metrics(recv, &m, NULL, 0, NULL) == RILL_OK && m.sessions_created > 0 &&
          m.sessions == 0)
        break;
    }
  }
  if (verbose)
    report(recv, (double)frames_done / (double)rate);

done:
  free(buf);
  if (out && audio_close(out) != 0 && rc == 0) {
    fprintf(stderr, "rill-recv: error finishing the output\n");
    rc = 1;
  }
  if (recv)
    rill_receiver_close(recv);
  if (ctx && (status = rill_context_close(ctx)) != RILL_OK) {
    fprintf(stderr, "rill-recv: cannot close: %s\n", rill_status_message(status));
    rc = 1;
  }
  return rc;
}
