/*
 * rill-send: stream an audio file (or raw s16le from stdin) to an RTP
 * endpoint in real time. Every stats period (--stats-interval) it writes the
 * -v line and the --stats-json line. Options: send_options.c. Public API
 * only.
 */
#include <rill/rill.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"
#include "send_options.h"
#include "stats_json.h"
#include "tool_common.h"
#include "tool_discovery.h"

static int fail(const char *opt, const char *msg)
{
  fprintf(stderr, "rill-send: %s%s%s\n", opt ? opt : "", opt ? ": " : "", msg);
  return 2;
}

/*
 * Take a snapshot of the sender's metrics and write the -v line (if
 * verbose) and the JSON line (if json); `seconds` of audio sent. 0, or -1
 * if the JSON line could not be written.
 */
static int emit_stats(struct rill_sender *sender, int verbose, FILE *json, double seconds,
                      double t_s, int final)
{
  struct rill_receiver_report reports[16];
  struct rill_sender_metrics m = {.struct_size = sizeof(m)};
  int status;
  size_t i;
  reports[0].struct_size = sizeof(reports[0]);
  m.receivers = reports;
  m.receiver_cap = sizeof reports / sizeof reports[0];
  status = rill_sender_metrics(sender, &m);
  if (status != RILL_OK) {
    fprintf(stderr, "rill-send: cannot read the metrics: %s\n", rill_status_message(status));
    return -1;
  }
  if (verbose && !final)
    fprintf(stderr, "rill-send: %.1f s sent | packets %llu dropped %llu | receivers %u\n",
            seconds, (unsigned long long)m.packets_sent, (unsigned long long)m.packets_dropped,
            m.receiver_count);
  for (i = 0; verbose && !final && i < m.receivers_written; i++)
    fprintf(stderr,
            "rill-send:   receiver %s (%s): loss %.1f %% (%lld) jitter %.2f ms rtt %.2f ms "
            "e2e %.1f ms\n",
            reports[i].address, reports[i].cname, reports[i].fraction_lost * 100,
            (long long)reports[i].cumulative_lost, reports[i].jitter_ns / 1e6,
            reports[i].rtt_ns / 1e6, reports[i].e2e_latency_ns / 1e6);
  if (verbose && final)
    fprintf(stderr,
            "rill-send: done: %llu frames, %llu packets sent (%llu FEC repair), %llu dropped, "
            "ssrc %08x\n",
            (unsigned long long)m.frames_written, (unsigned long long)m.packets_sent,
            (unsigned long long)m.fec_repair_sent, (unsigned long long)m.packets_dropped, m.ssrc);
  if (json && stats_json_sender(json, t_s, final, &m) != 0) {
    fprintf(stderr, "rill-send: cannot write the --stats-json line\n");
    return -1;
  }
  return 0;
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
  FILE *json = NULL;
  float *buf;
  uint32_t chunk;
  uint64_t sent_frames = 0;
  int64_t start, next_report;
  int exit_status, status, rc = 0;
  struct rill_announcer *announcer = NULL; /* --announce */

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
      (o.repair && (status = rill_sender_connect(sender, o.repair)) != RILL_OK) ||
      (o.control && (status = rill_sender_connect(sender, o.control)) != RILL_OK)) {
    fprintf(stderr, "rill-send: cannot start: %s\n",
            tool_last_error()[0] ? tool_last_error() : rill_status_message(status));
    rc = 1;
    goto out;
  }
  if ((o.announce || o.sdp_out) && tool_sender_announce(ctx, sender, o.session_name, o.sdp_out,
                                                        o.announce, &announcer) != 0) {
    rc = 1;
    goto out;
  }
  if (o.stats_json && !(json = stats_json_open(o.stats_json, "rill-send"))) {
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
  next_report = start + o.stats_interval_ns;
  while (!tool_stop) {
    long n = audio_read(in, buf, chunk);
    int64_t now;
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
    now = tool_now_ns();
    if ((o.verbose || json) && tool_period_due(&next_report, o.stats_interval_ns, now) &&
        emit_stats(sender, o.verbose, json, (double)sent_frames / rate,
                   (double)(now - start) / 1e9, 0) != 0) {
      rc = 1;
      break;
    }
  }
  free(buf);
  if (emit_stats(sender, o.verbose, json, (double)sent_frames / rate,
                 (double)(tool_now_ns() - start) / 1e9, 1) != 0)
    rc = 1;

out:
  if (json && stats_json_close(json, o.stats_json, "rill-send") != 0 && rc == 0)
    rc = 1;
  if (sender)
    rill_sender_close(sender);
  /* After the last packets: the SAP deletion ends the session at once. */
  if (announcer)
    rill_announcer_close(announcer);
  if (ctx && (status = rill_context_close(ctx)) != RILL_OK) {
    fprintf(stderr, "rill-send: cannot close: %s\n", rill_status_message(status));
    rc = 1;
  }
  audio_close(in);
  return rc;
}
