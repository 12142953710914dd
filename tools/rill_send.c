/*
 * rill-send: stream an audio file (or raw s16le from stdin) to an RTP
 * endpoint in real time. Public API only.
 */
#include <getopt.h>
#include <rill/rill.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"
#include "cli_parse.h"
#include "tool_common.h"

static void usage(FILE *out)
{
  fprintf(out,
          "usage: rill-send -i FILE|- -s rtp://HOST:PORT [options]\n"
          "Stream audio to an RTP receiver in real time.\n\n"
          "  -i, --input FILE|-       audio file (any format libsndfile reads), or - for\n"
          "                           raw s16le on stdin\n"
          "  -s, --source URI         where to send: rtp://HOST:PORT; with FEC:\n"
          "                           rtp+rs8m://HOST:PORT or rtp+ldpc://HOST:PORT\n"
          "  -r, --repair URI         where FEC repair packets go: rs8m://HOST:PORT or\n"
          "                           ldpc://HOST:PORT (same encoding as -s)\n"
          "      --fec-encoding auto|none|rs8m|ldpc\n"
          "                           FEC encoding (default auto: from the URI schemes;\n"
          "                           otherwise they must agree)\n"
          "      --nbsrc N            source packets per FEC block (default 18)\n"
          "      --nbrpr N            repair packets per FEC block (default 10)\n"
          "      --rate HZ            rate of raw stdin input (default 44100); input at\n"
          "                           another rate than the stream's is resampled\n"
          "      --channels N         channels of raw stdin input (default 2)\n"
          "      --packet-len DUR     audio per packet, e.g. 5ms, 2.5ms (default 5ms)\n"
          "      --encoding PT:FORMAT/RATE/CHANNELS\n"
          "                           send with a dynamic payload type, e.g.\n"
          "                           96:s16/48000/2 (the receiver needs the same);\n"
          "                           default: PT 10/11, L16 44100 Hz stereo/mono\n"
          "      --resampler-quality N  speexdsp quality 1..10 when the input is resampled\n"
          "                           (default 3)\n"
          "      --max-mem SIZE       context memory budget (default 64M)\n"
          "  -v, --verbose            progress and stats on stderr (-vv: debug log)\n"
          "  -h, --help               this help\n"
          "Durations take ns, us, ms, s, m, h; sizes take K, M, G.\n");
}

static int fail(const char *opt, const char *msg)
{
  fprintf(stderr, "rill-send: %s%s%s\n", opt ? opt : "", opt ? ": " : "", msg);
  return 2;
}

int main(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"input", required_argument, NULL, 'i'},  {"source", required_argument, NULL, 's'},
      {"rate", required_argument, NULL, 'R'},   {"channels", required_argument, NULL, 'C'},
      {"packet-len", required_argument, NULL, 'P'}, {"encoding", required_argument, NULL, 'E'},
      {"max-mem", required_argument, NULL, 'M'}, {"verbose", no_argument, NULL, 'v'},
      {"resampler-quality", required_argument, NULL, 'Q'},
      {"help", no_argument, NULL, 'h'},
      {"repair", required_argument, NULL, 'r'},  {"fec-encoding", required_argument, NULL, 'F'},
      {"nbsrc", required_argument, NULL, 'K'},   {"nbrpr", required_argument, NULL, 'N'},
      {NULL, 0, NULL, 0}};
  const char *input = NULL, *dest = NULL;
  const char *repair = NULL, *fec_encoding = "auto"; /* FEC */
  uint64_t raw_rate = 44100, raw_channels = 2, v;
  struct rill_encoding enc;
  int have_encoding = 0, verbose = 0, opt, status, rc = 0;
  char err[256];
  const char *bad;
  uint32_t rate, channels;
  struct audio_file *in;
  struct rill_context_config cc;
  struct rill_context *ctx = NULL;
  struct rill_sender_config sc;
  struct rill_sender *sender = NULL;
  struct rill_sender_metrics m;
  float *buf;
  uint32_t chunk;
  uint64_t sent_frames = 0;
  int64_t start, next_report;

  /* Options set fields of the configs; the rest keep the library's defaults. */
  rill_context_config_init(&cc);
  rill_sender_config_init(&sc);
  memset(&enc, 0, sizeof(enc));
  opterr = 0; /* one line of our own for a bad option, not getopt's */
  while ((opt = getopt_long(argc, argv, ":i:s:r:vh", longopts, NULL)) != -1) {
    switch (opt) {
    case 'i':
      input = optarg;
      break;
    case 's':
      dest = optarg;
      break;
    case 'r':
      repair = optarg;
      break;
    case 'F':
      if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "none") != 0 &&
          strcmp(optarg, "rs8m") != 0 && strcmp(optarg, "ldpc") != 0)
        return fail("--fec-encoding", "must be auto, none, rs8m or ldpc");
      fec_encoding = optarg;
      break;
    case 'K':
      if (cli_parse_uint(optarg, 1, 65535, &v, "nbsrc", err, sizeof(err)) != 0)
        return fail("--nbsrc", err);
      sc.fec_source_packets = (uint32_t)v;
      break;
    case 'N':
      if (cli_parse_uint(optarg, 1, 65535, &v, "nbrpr", err, sizeof(err)) != 0)
        return fail("--nbrpr", err);
      sc.fec_repair_packets = (uint32_t)v;
      break;
    case 'R':
      if (cli_parse_uint(optarg, 1, 384000, &raw_rate, "rate", err, sizeof(err)) != 0)
        return fail("--rate", err);
      break;
    case 'C':
      if (cli_parse_uint(optarg, 1, 8, &raw_channels, "channels", err, sizeof(err)) != 0)
        return fail("--channels", err);
      break;
    case 'P':
      if (cli_parse_duration_ns(optarg, &sc.packet_length_ns, err, sizeof(err)) != 0)
        return fail("--packet-len", err);
      if (sc.packet_length_ns == 0)
        return fail("--packet-len", "must be greater than 0");
      break;
    case 'E':
      if (tool_parse_encoding(optarg, &enc, err, sizeof(err)) != 0)
        return fail("--encoding", err);
      have_encoding = 1;
      break;
    case 'M':
      if (cli_parse_size_bytes(optarg, &v, err, sizeof(err)) != 0)
        return fail("--max-mem", err);
      if (v == 0)
        return fail("--max-mem", "must be greater than 0");
      cc.max_mem_bytes = (size_t)v;
      break;
    case 'Q':
      if (cli_parse_uint(optarg, 1, 10, &v, "resampler quality", err, sizeof(err)) != 0)
        return fail("--resampler-quality", err);
      sc.resampler_quality = (int)v;
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
  if (!input || !dest)
    return fail(NULL, "both -i FILE|- and -s rtp://HOST:PORT are required (see --help)");
  if ((bad = tool_check_endpoints(dest, repair, fec_encoding, 0, err, sizeof(err))) != NULL)
    return fail(*bad ? bad : NULL, err);
  tool_setup_log("rill-send", verbose);

  in = audio_open_read(input, (uint32_t)raw_rate, (uint32_t)raw_channels, &rate, &channels, err,
                       sizeof(err));
  if (!in)
    return fail("-i", err);
  if (!have_encoding) {
    /* Payload types 10/11: L16 at 44100 Hz; another input rate is resampled. */
    if (channels > 2) {
      snprintf(err, sizeof(err),
               "input has %u channels; payload types 10/11 carry stereo or mono: give "
               "--encoding 96:s16/%u/%u (and the same to rill-recv)",
               channels, rate, channels);
      audio_close(in);
      return fail(NULL, err);
    }
    enc.payload_type = channels == 1 ? 11 : 10;
    enc.format = RILL_FORMAT_S16;
    enc.rate_hz = 44100;
    enc.channels = channels;
  }
  if (enc.rate_hz != rate && (rate > enc.rate_hz * 8 || rate * 8 < enc.rate_hz)) {
    snprintf(err, sizeof(err), "input is %u Hz, the stream %u Hz: more than 8x apart", rate,
             enc.rate_hz);
    audio_close(in);
    return fail(NULL, err);
  }
  if (verbose && enc.rate_hz != rate)
    fprintf(stderr, "rill-send: resampling %u Hz input to %u Hz\n", rate, enc.rate_hz);

  sc.encoding = enc;
  sc.input_channels = channels;
  sc.input_rate_hz = rate;
  if ((status = rill_context_open(&cc, &ctx)) != RILL_OK ||
      (status = rill_sender_open(ctx, &sc, &sender)) != RILL_OK ||
      (status = rill_sender_connect(sender, dest)) != RILL_OK ||
      (repair && (status = rill_sender_connect(sender, repair)) != RILL_OK)) {
    fprintf(stderr, "rill-send: cannot start: %s\n",
            tool_last_error()[0] ? tool_last_error() : rill_status_message(status));
    rc = 1;
    goto out;
  }

  chunk = (uint32_t)(sc.packet_length_ns * rate / 1000000000);
  if (chunk == 0)
    chunk = 1;
  buf = malloc((size_t)chunk * channels * sizeof(float));
  if (!buf) {
    rc = 1;
    goto out;
  }
  tool_install_signals();
  start = tool_now_ns();
  next_report = start + 2000000000;
  while (!tool_stop) {
    long n = audio_read(in, buf, chunk);
    if (n < 0) {
      fprintf(stderr, "rill-send: read error on input\n");
      rc = 1;
      break;
    }
    if (n == 0)
      break;
    rill_sender_write(sender, buf, (size_t)n);
    sent_frames += (uint64_t)n;
    /* Real-time pacing: the next chunk is due when this one has played. */
    tool_sleep_until(start + (int64_t)(sent_frames * 1000000000 / rate));
    if (verbose && tool_now_ns() >= next_report) {
      if (rill_sender_metrics(sender, &m) == RILL_OK)
        fprintf(stderr, "rill-send: %.1f s sent | packets %llu dropped %llu\n",
                (double)sent_frames / rate, (unsigned long long)m.packets_sent,
                (unsigned long long)m.packets_dropped);
      next_report += 2000000000;
    }
  }
  free(buf);
  if (verbose && rill_sender_metrics(sender, &m) == RILL_OK)
    fprintf(stderr,
            "rill-send: done: %llu frames, %llu packets sent (%llu FEC repair), %llu dropped, "
            "ssrc %08x\n",
            (unsigned long long)m.frames_written, (unsigned long long)m.packets_sent,
            (unsigned long long)m.fec_repair_sent, (unsigned long long)m.packets_dropped, m.ssrc);

out:
  if (sender)
    rill_sender_close(sender);
  if (ctx && (status = rill_context_close(ctx)) != RILL_OK) {
    fprintf(stderr, "rill-send: cannot close: %s\n", rill_status_message(status));
    rc = 1;
  }
  audio_close(in);
  return rc;
}
