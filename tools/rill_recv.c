/*
 * rill-recv: receive RTP streams and write what a listener would hear.
 *
 * To a sound device (-o pipewire://, pulse://, or no -o: the default
 * output): the device's real-time thread reads the receiver whenever it
 * wants audio (device.h), so the sound card's clock is the reader's clock;
 * the main thread only watches (stop signal, --duration, --oneshot, stats,
 * a failed device or vanished server: one line, then it reconnects).
 *
 * To a file or a pipe: reads the receiver at real-time pace by its own
 * clock, one frame-length chunk per period: a file is written exactly as a
 * sound card would consume the audio (gaps, glitches and drift included), and
 * a blocked pipe stops the reads. If the loop falls behind (a stalled pipe),
 * it does not read a burst to catch up: it resumes from the current time, as
 * a sound card that underran would.
 *
 * Every stats period (--stats-interval) it takes one snapshot of the
 * metrics for the -v line and the --stats-json line. Options:
 * recv_options.c. Public API only.
 */
#include <rill/rill.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"
#include "device.h"
#include "recv_options.h"
#include "stats_json.h"
#include "tool_common.h"
#include "tool_discovery.h"

static int fail(const char *opt, const char *msg)
{
  fprintf(stderr, "rill-recv: %s%s%s\n", opt ? opt : "", opt ? ": " : "", msg);
  return 2;
}

/* One metrics snapshot: the receiver's counters and its sessions. */
struct stats {
  struct rill_receiver_metrics m;
  struct rill_session_metrics *sessions; /* owned, RECV_MAX_SESSIONS */
  size_t count;
};

/* The -v line, at `seconds` of audio written. */
static void report(const struct stats *st, double seconds)
{
  const struct rill_receiver_metrics *m = &st->m;
  double latency = 0, jitter = 0, drift = 0, e2e = 0;
  size_t i;
  for (i = 0; i < st->count; i++) {
    const struct rill_session_metrics *s = &st->sessions[i];
    if (i == 0)
      drift = (double)s->drift_ppb / 1000.0;
    if (s->latency_ns / 1e6 > latency)
      latency = s->latency_ns / 1e6;
    if (s->jitter_ns / 1e6 > jitter)
      jitter = s->jitter_ns / 1e6;
    if (s->e2e_latency_ns / 1e6 > e2e)
      e2e = s->e2e_latency_ns / 1e6;
  }
  fprintf(stderr,
          "rill-recv: %.1f s | sessions %u | packets %llu lost %llu late %llu dup %llu | "
          "latency %.1f ms e2e %.1f ms jitter %.2f ms drift %+.0f ppm | mem %.1f/%.1f MiB | dropped: bad %llu "
          "unknown-pt %llu refused %llu | fec recovered %llu unrecoverable %llu repair %llu\n",
          seconds, m->sessions, (unsigned long long)m->packets_received,
          (unsigned long long)m->packets_lost, (unsigned long long)m->packets_late,
          (unsigned long long)m->packets_duplicate, latency, e2e, jitter, drift,
          m->memory.used_bytes / 1048576.0, m->memory.budget_bytes / 1048576.0,
          (unsigned long long)m->bad_packets, (unsigned long long)m->unknown_payload_type,
          (unsigned long long)(m->sessions_refused + m->no_memory + m->packets_dropped),
          (unsigned long long)m->fec_recovered, (unsigned long long)m->fec_unrecoverable,
          (unsigned long long)m->fec_repair_received);
}

/*
 * Take a snapshot and write the -v line (if verbose) and the JSON line (if
 * json). 0, or -1 if the JSON line could not be written.
 */
static int emit_stats(struct rill_receiver *recv, struct stats *st, int verbose, FILE *json,
                      double audio_s, double t_s, int final)
{
  int status;
  st->m.struct_size = sizeof(st->m);
  st->sessions[0].struct_size = sizeof(st->sessions[0]);
  status = rill_receiver_metrics(recv, &st->m, st->sessions, RECV_MAX_SESSIONS, &st->count);
  if (status != RILL_OK) {
    fprintf(stderr, "rill-recv: cannot read the metrics: %s\n", rill_status_message(status));
    return -1;
  }
  if (verbose)
    report(st, audio_s);
  if (json && stats_json_receiver(json, t_s, final, &st->m, st->sessions, st->count) != 0) {
    fprintf(stderr, "rill-recv: cannot write the --stats-json line\n");
    return -1;
  }
  return 0;
}

/* Bind `uri` (NULL: nothing to do). 0, or -1 after a line on stderr. */
static int bind_endpoint(struct rill_receiver *recv, const char *uri, const char *miface,
                         uint16_t *port)
{
  int status;
  if (!uri)
    return 0;
  status = rill_receiver_bind(recv, uri, miface, port);
  if (status == RILL_OK)
    return 0;
  fprintf(stderr, "rill-recv: cannot receive on %s: %s\n", uri, rill_status_message(status));
  return -1;
}

/* The device's real-time thread reads the receiver (device_cb). */
struct device_reader {
  struct rill_receiver *recv; /* borrowed */
  atomic_uint_least64_t frames;
};

static void device_read(void *user, float *samples, size_t frames)
{
  struct device_reader *r = user;
  rill_receiver_read(r->recv, samples, frames);
  atomic_fetch_add_explicit(&r->frames, frames, memory_order_relaxed);
}

/*
 * --oneshot: a sender came, none is left and no datagram arrived for
 * 100 ms. Not while idle, nor just after: a device that has not read for
 * the idle timeout (a server that starts slowly, a suspended sink) leaves
 * the sessions dropped, and the senders' next packets bring them back.
 */
struct oneshot_watch {
  uint64_t datagrams;
  int64_t quiet_since_ns;
};

static int all_senders_gone(struct rill_receiver *recv, struct oneshot_watch *w, int64_t now)
{
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  if (rill_receiver_metrics(recv, &m, NULL, 0, NULL) != RILL_OK)
    return 0;
  if (m.datagrams != w->datagrams || m.idle) {
    w->datagrams = m.datagrams;
    w->quiet_since_ns = now;
    return 0;
  }
  return m.sessions_created > 0 && m.sessions == 0 && now - w->quiet_since_ns >= 100000000;
}

/*
 * Play to the sound device `o->output` (NULL: the default output) until
 * stopped, --duration frames played or --oneshot; a device that fails is
 * reopened (device_link). Returns the exit status.
 */
static int run_device(const struct recv_options *o, struct rill_receiver *recv, struct stats *st,
                      FILE *json, int stats_on)
{
  struct device_reader reader = {.recv = recv};
  struct oneshot_watch oneshot = {0};
  struct device_config dc = {.direction = DEVICE_PLAYBACK,
                             .rate_hz = (uint32_t)o->rate_hz,
                             .channels = (uint32_t)o->channels,
                             .latency_ns = o->io_latency_ns,
                             .app_name = "rill-recv",
                             .cb = device_read,
                             .user = &reader};
  uint64_t limit = o->duration_ns > 0 ? (uint64_t)(o->duration_ns / 1000 * (int64_t)o->rate_hz /
                                                   1000000)
                                      : UINT64_MAX;
  char err[512];
  struct device_link link;
  int64_t start, next_report, now;
  int rc = 0;

  atomic_init(&reader.frames, 0);
  tool_install_signals();
  if (device_link_open(&link, o->output, &dc, "rill-recv", err, sizeof(err)) != 0) {
    fprintf(stderr, "rill-recv: -o: %s\n", err);
    return 1;
  }
  start = tool_now_ns();
  next_report = start + o->stats_interval_ns;
  while (!tool_stop) {
    uint64_t frames = atomic_load_explicit(&reader.frames, memory_order_relaxed);
    tool_sleep_until(tool_now_ns() + 20000000);
    now = tool_now_ns();
    device_link_poll(&link, now);
    if (frames >= limit || (o->oneshot && all_senders_gone(recv, &oneshot, now)))
      break;
    if (stats_on && tool_period_due(&next_report, o->stats_interval_ns, now) &&
        emit_stats(recv, st, o->verbose, json, (double)frames / (double)o->rate_hz,
                   (double)(now - start) / 1e9, 0) != 0) {
      rc = 1;
      break;
    }
  }
  device_link_close(&link);
  if (stats_on &&
      emit_stats(recv, st, o->verbose, json,
                 (double)atomic_load(&reader.frames) / (double)o->rate_hz,
                 (double)(tool_now_ns() - start) / 1e9, 1) != 0)
    rc = 1;
  return rc;
}

int main(int argc, char **argv)
{
  struct recv_options o;
  char err[512];
  struct rill_context_config cc;
  struct rill_receiver_config rcfg;
  struct rill_context *ctx = NULL;
  struct rill_receiver *recv = NULL;
  struct audio_file *out = NULL;
  struct stats st = {0};
  struct oneshot_watch oneshot = {0};
  FILE *json = NULL;
  uint16_t port = 0, repair_port = 0, control_port = 0;
  float *buf = NULL;
  uint32_t chunk, rate;
  uint64_t frames_done = 0, limit_frames = UINT64_MAX;
  int64_t start, deadline, next_report;
  int stats_on, exit_status, status, rc = 0;
  /* Discovery: --sdp's stream, --sap's directory. */
  struct rill_stream_description sdp_desc;
  struct rill_encoding sdp_encodings[OPT_ENCODINGS_MAX + RILL_SDP_MAX_ENCODINGS];
  char sdp_uri[300];
  const char *source;
  struct rill_directory *dir = NULL;

  exit_status = opt_exit_status(recv_options_parse(argc, argv, &o, err, sizeof(err)),
                                &recv_options_table, err);
  if (exit_status >= 0)
    return exit_status;
  tool_setup_log("rill-recv", o.verbose);
  rate = (uint32_t)o.rate_hz;

  recv_options_to_config(&o, &rcfg, &cc);
  source = o.source;
  if (o.sdp) {
    if (tool_sdp_read(o.sdp, &sdp_desc, err, sizeof(err)) != 0)
      return fail("--sdp", err);
    tool_sdp_apply(&sdp_desc, &rcfg, sdp_encodings,
                   sizeof(sdp_encodings) / sizeof(sdp_encodings[0]), sdp_uri, sizeof(sdp_uri));
    if (!source)
      source = sdp_uri;
  }
  if ((status = rill_context_open(&cc, &ctx)) != RILL_OK ||
      (status = rill_receiver_open(ctx, &rcfg, &recv)) != RILL_OK) {
    fprintf(stderr, "rill-recv: cannot start: %s\n",
            tool_last_error()[0] ? tool_last_error() : rill_status_message(status));
    rc = 1;
    goto done;
  }
  if (bind_endpoint(recv, source, o.miface, &port) != 0 ||
      bind_endpoint(recv, o.repair, o.miface, &repair_port) != 0 ||
      bind_endpoint(recv, o.control, o.miface, &control_port) != 0) {
    rc = 1;
    goto done;
  }
  if (o.sap && !(dir = tool_directory_open(ctx, recv, o.sap, o.sap_session, source == NULL,
                                            o.reuseaddr))) {
    rc = 1;
    goto done;
  }
  if (o.port_file) {
    FILE *pf = fopen(o.port_file, "w");
    if (!pf || fprintf(pf, "%u\n", (unsigned)port) < 0 ||
        (o.repair && fprintf(pf, "%u\n", (unsigned)repair_port) < 0) ||
        (o.control && fprintf(pf, "%u\n", (unsigned)control_port) < 0) || fclose(pf) != 0) {
      fprintf(stderr, "rill-recv: cannot write --port-file %s\n", o.port_file);
      rc = 1;
      goto done;
    }
  }
  if (o.stats_json && !(json = stats_json_open(o.stats_json, "rill-recv"))) {
    rc = 1;
    goto done;
  }
  stats_on = o.verbose || json;
  if (stats_on && !(st.sessions = calloc(RECV_MAX_SESSIONS, sizeof(*st.sessions)))) {
    rc = 1;
    goto done;
  }
  if (!o.output || device_is_uri(o.output)) {
    if (o.verbose)
      fprintf(stderr, "rill-recv: receiving on port %u, %u Hz, %u channels, to %s\n",
              (unsigned)port, (unsigned)rate, (unsigned)o.channels,
              o.output ? o.output : "the default output");
    rc = run_device(&o, recv, &st, json, stats_on);
    goto done;
  }
  out = audio_open_write(o.output, rate, (uint32_t)o.channels, err, sizeof(err));
  if (!out) {
    rc = fail("-o", err);
    goto done;
  }
  if (o.verbose)
    fprintf(stderr, "rill-recv: receiving on port %u, %u Hz, %u channels\n", (unsigned)port,
            (unsigned)rate, (unsigned)o.channels);

  chunk = (uint32_t)(o.frame_len_ns * (int64_t)rate / 1000000000);
  if (chunk == 0)
    chunk = 1;
  if (o.duration_ns > 0)
    limit_frames = (uint64_t)(o.duration_ns / 1000 * (int64_t)rate / 1000000);
  buf = malloc((size_t)chunk * o.channels * sizeof(float));
  if (!buf) {
    rc = 1;
    goto done;
  }
  tool_install_signals();
  start = deadline = tool_now_ns();
  next_report = deadline + o.stats_interval_ns;
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
    if (now - deadline > 2 * o.frame_len_ns)
      deadline = now;
    if (stats_on && tool_period_due(&next_report, o.stats_interval_ns, now) &&
        emit_stats(recv, &st, o.verbose, json, (double)frames_done / rate,
                   (double)(now - start) / 1e9, 0) != 0) {
      rc = 1;
      break;
    }
    if (o.oneshot && all_senders_gone(recv, &oneshot, now))
      break;
  }
  if (stats_on && emit_stats(recv, &st, o.verbose, json, (double)frames_done / rate,
                                (double)(tool_now_ns() - start) / 1e9, 1) != 0)
    rc = 1;

done:
  free(buf);
  free(st.sessions);
  if (out && audio_close(out) != 0 && rc == 0) {
    fprintf(stderr, "rill-recv: error finishing the output\n");
    rc = 1;
  }
  if (json && stats_json_close(json, o.stats_json, "rill-recv") != 0 && rc == 0)
    rc = 1;
  if (dir)
    rill_directory_close(dir);
  if (recv)
    rill_receiver_close(recv);
  if (ctx && (status = rill_context_close(ctx)) != RILL_OK) {
    fprintf(stderr, "rill-recv: cannot close: %s\n", rill_status_message(status));
    rc = 1;
  }
  return rc;
}
