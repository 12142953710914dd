/*
 * rill-send: stream an audio file (or raw s16le from stdin) to an RTP
 * endpoint in real time. Options: send_options.c. Public API only.
 */
#include <rill/rill.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"
#include "send_options.h"
#include "tool_common.h"

static int fail(const char *opt, const char *msg)
{
  fprintf(stderr, "rill-send: %s%s%s\n", opt ? opt : "", opt ? ": " : "", msg);
  return 2;
}

int main(int argc, char **argv)
{
  struct send_options o;
  char err[512];
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
  int exit_status, status, rc = 0;

  exit_status = opt_exit_status(send_options_parse(argc, argv, &o, err, sizeof(err)),
                                &send_options_table, err);
  if (exit_status >= 0)
    return exit_status;
  tool_setup_log("rill-send", o.verbose);

  in = audio_open_read(o.input, (uint32_t)o.raw_rate_hz, (uint32_t)o.raw_channels, &rate,
                       &channels, err, sizeof(err));
  if (!in)
    return fail("-i", err);
  if (o.encoding.count == 0 && channels > 2) {
    snprintf(err, sizeof(err),
             "input has %u channels; payload types 10/11 carry stereo or mono: give "
             "--encoding 96:s16/%u/%u (and the same to rill-recv)",
             channels, rate, channels);
    audio_close(in);
    return fail(NULL, err);
  }
  send_options_to_config(&o, rate, channels, &sc, &cc);
  if (sc.encoding.rate_hz != rate &&
      (rate > sc.encoding.rate_hz * 8 || rate * 8 < sc.encoding.rate_hz)) {
    snprintf(err, sizeof(err), "input is %u Hz, the stream %u Hz: more than 8x apart", rate,
             sc.encoding.rate_hz);
    audio_close(in);
    return fail(NULL, err);
  }
  if (o.verbose && sc.encoding.rate_hz != rate)
    fprintf(stderr, "rill-send: resampling %u Hz input to %u Hz\n", rate, sc.encoding.rate_hz);

  if ((status = rill_context_open(&cc, &ctx)) != RILL_OK ||
      (status = rill_sender_open(ctx, &sc, &sender)) != RILL_OK ||
      (status = rill_sender_connect(sender, o.source)) != RILL_OK ||
      (o.repair && (status = rill_sender_connect(sender, o.repair)) != RILL_OK)) {
    fprintf(stderr, "rill-send: cannot start: %s\n",
            tool_last_error()[0] ? tool_last_error() : rill_status_message(status));
    rc = 1;
    goto out;
  }

  chunk = (uint32_t)(o.packet_len_ns * rate / 1000000000);
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
    if (o.verbose && tool_now_ns() >= next_report) {
      rill_sender_metrics(sender, &m);
      fprintf(stderr, "rill-send: %.1f s sent | packets %llu dropped %llu\n",
              (double)sent_frames / rate, (unsigned long long)m.packets_sent,
              (unsigned long long)m.packets_dropped);
      next_report += 2000000000;
    }
  }
  free(buf);
  rill_sender_metrics(sender, &m);
  if (o.verbose)
    fprintf(stderr,
            "rill-send: done: %llu frames, %llu packets sent (%llu FEC repair), %llu dropped, "
            "ssrc %08x\n",
            (unsigned long long)m.frames_written, (unsigned long long)m.packets_sent,
            (unsigned long long)m.fec_repair_sent, (unsigned long long)m.packets_dropped, m.ssrc);

out:
  if (sender)
    rill_sender_close(sender);
  if (ctx)
    rill_context_close(ctx);
  audio_close(in);
  return rc;
}
