/*
 * rill-send: stream an audio file (or raw s16le from stdin, or what a sound
 * device captures) to an RTP endpoint in real time. A file is paced by the
 * tool's clock; a device (-i pipewire://, pulse://) by its own: its
 * real-time thread writes what it captured (device.h) until the tool is
 * stopped; a device that fails (a vanished server) is reported in one line
 * and reopened once the server is back. Every stats period
 * (--stats-interval) it writes the -v line and the --stats-json line.
 * Options: send_options.c. Public API only.
 */
#include <rill/rill.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"
#include "device.h"
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

/* What the stream loops share: the sender, the stats and the time. */
struct send_run {
  const struct send_options *o;
  struct rill_sender *sender; /* borrowed */
  FILE *json;                 /* borrowed, or NULL */
  uint32_t rate;
  uint32_t channels;
  int64_t start_ns;
  int64_t next_report_ns;
  uint64_t frames;            /* sent so far */
};

/* Stats when due; -1 if they could not be written. */
static int send_tick(struct send_run *r, int64_t now)
{
  if (!(r->o->verbose || r->json) ||
      !tool_period_due(&r->next_report_ns, r->o->stats_interval_ns, now))
    return 0;
  return emit_stats(r->sender, r->o->verbose, r->json, (double)r->frames / r->rate,
                    (double)(now - r->start_ns) / 1e9, 0);
}

/* A file: read a packet's worth, write it, sleep until it has played. */
static int run_file(struct send_run *r, struct audio_file *in)
{
  uint32_t chunk = (uint32_t)(r->o->packet_len_ns * r->rate / 1000000000);
  float *buf;
  int rc = 0;
  if (chunk == 0)
    chunk = 1;
  if (!(buf = malloc((size_t)chunk * r->channels * sizeof(float))))
    return 1;
  while (!tool_stop) {
    long n = audio_read(in, buf, chunk);
    if (n < 0) {
      fprintf(stderr, "rill-send: read error on input\n");
      rc = 1;
      break;
    }
    if (n == 0)
      break;
    rill_sender_write(r->sender, buf, (size_t)n);
    r->frames += (uint64_t)n;
    /* Real-time pacing: the next chunk is due when this one has played. */
    tool_sleep_until(r->start_ns + (int64_t)(r->frames * 1000000000 / r->rate));
    if (send_tick(r, tool_now_ns()) != 0) {
      rc = 1;
      break;
    }
  }
  free(buf);
  return rc;
}

/* The device's real-time thread writes what it captured (device_cb). */
struct device_writer {
  struct rill_sender *sender; /* borrowed */
  atomic_uint_least64_t frames;
};

static void device_write(void *user, float *samples, size_t frames)
{
  struct device_writer *w = user;
  rill_sender_write(w->sender, samples, frames);
  atomic_fetch_add_explicit(&w->frames, frames, memory_order_relaxed);
}

/* A device: capture until stopped; a device that fails is reopened (device_link). */
static int run_device(struct send_run *r)
{
  struct device_writer writer = {.sender = r->sender};
  struct device_config dc = {.direction = DEVICE_CAPTURE,
                             .rate_hz = r->rate,
                             .channels = r->channels,
                             .latency_ns = r->o->io_latency_ns,
                             .app_name = "rill-send",
                             .cb = device_write,
                             .user = &writer};
  char err[512];
  struct device_link link;
  int rc = 0;
  atomic_init(&writer.frames, 0);
  if (device_link_open(&link, r->o->input, &dc, "rill-send", err, sizeof(err)) != 0) {
    fprintf(stderr, "rill-send: -i: %s\n", err);
    return 1;
  }
  while (!tool_stop) {
    tool_sleep_until(tool_now_ns() + 20000000);
    r->frames = atomic_load_explicit(&writer.frames, memory_order_relaxed);
    device_link_poll(&link, tool_now_ns());
    if (send_tick(r, tool_now_ns()) != 0) {
      rc = 1;
      break;
    }
  }
  /* The writer stops with the device, before the sender closes. */
  device_link_close(&link);
  r->frames = atomic_load(&writer.frames);
  return rc;
}

int main(int argc, char **argv)
{
  struct send_options o;
  char err[512];
  uint32_t rate, channels;
  struct audio_file *in = NULL;
  struct rill_context_config cc;
  struct rill_context *ctx = NULL;
  struct rill_sender_config sc;
  struct rill_sender *sender = NULL;
  struct send_run run;
  FILE *json = NULL;
  int exit_status, status, rc = 0;
  struct rill_announcer *announcer = NULL; /* --announce */

  exit_status = opt_exit_status(send_options_parse(argc, argv, &o, err, sizeof(err)),
                                &send_options_table, err);
  if (exit_status >= 0)
    return exit_status;
  tool_setup_log("rill-send", o.verbose);

  if (device_is_uri(o.input)) {
    rate = (uint32_t)o.raw_rate_hz;
    channels = (uint32_t)o.raw_channels;
  } else {
    in = audio_open_read(o.input, (uint32_t)o.raw_rate_hz, (uint32_t)o.raw_channels, &rate,
                         &channels, err, sizeof(err));
    if (!in)
      return fail("-i", err);
  }
  if (o.encoding.count == 0 && channels > 2) {
    snprintf(err, sizeof(err),
             "input has %u channels; payload types 10/11 carry stereo or mono: give "
             "--encoding 96:s16/%u/%u (and the same to rill-recv)",
             channels, rate, channels);
    rc = fail(NULL, err);
    goto out;
  }
  send_options_to_config(&o, rate, channels, &sc, &cc);
  if (sc.encoding.rate_hz != rate &&
      (rate > sc.encoding.rate_hz * 8 || rate * 8 < sc.encoding.rate_hz)) {
    snprintf(err, sizeof(err), "input is %u Hz, the stream %u Hz: more than 8x apart", rate,
             sc.encoding.rate_hz);
    rc = fail(NULL, err);
    goto out;
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

  tool_install_signals();
  run = (struct send_run){.o = &o, .sender = sender, .json = json, .rate = rate,
                          .channels = channels, .start_ns = tool_now_ns()};
  run.next_report_ns = run.start_ns + o.stats_interval_ns;
  rc = in ? run_file(&run, in) : run_device(&run);
  if (emit_stats(sender, o.verbose, json, (double)run.frames / rate,
                 (double)(tool_now_ns() - run.start_ns) / 1e9, 1) != 0)
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
  if (in)
    audio_close(in);
  return rc;
}
