/*
 * stalled_receiver: a library receiver (public API only) for the flood
 * benchmark, whose reader can be made to misbehave on purpose.
 *
 * It binds rtp://127.0.0.1:PORT (port 0: a free port, reported on stderr and
 * in --port-file) and, by --mode:
 *   never  never calls rill_receiver_read: nobody listens;
 *   read   reads 10 ms chunks in real time (absolute clock_nanosleep
 *          deadlines), like a sound card;
 *   stall  reads, stops reading for --stall-for seconds from --stall-at
 *          seconds, then reads again (from the current time: no catch-up
 *          burst, as a sound card that underran).
 *
 * Right after binding (t=0, the baseline) and then once a second (on the
 * same thread, between reads) it prints one CSV line on stdout: process RSS
 * (VmRSS/VmHWM from /proc/self/status), CPU use over the last second as a
 * percentage of one core (getrusage, every thread), what the kernel holds
 * and has dropped for the socket (rx_queue and drops of 127.0.0.1:PORT in
 * /proc/self/net/udp: memory outside RSS, and losses rill cannot count),
 * the receiver's counters and memory budgets (rill_receiver_metrics), and for
 * the audio read during that second its RMS, the frames that were exactly
 * silent (every channel 0.0f) and the silent frames lying in runs of at
 * least 32 frames (what a missing packet leaves; a clean 440 Hz L16 sine has
 * about 20 isolated exact zeros a second and no such run).
 *
 * The run is bounded by --duration (required, at most 600 s); SIGINT or
 * SIGTERM ends it early. Memory columns are bytes, counters are totals since
 * open, so a test can assert on the last line alone.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <rill/rill.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_args.h"

#define NS_PER_S 1000000000LL
#define NS_PER_MS 1000000LL
#define RATE_HZ 44100
#define CHANNELS 2
#define CHUNK_FRAMES 441 /* 10 ms */
#define GAP_RUN_FRAMES 32
#define MAX_DURATION_S 600

enum mode { MODE_NEVER, MODE_READ, MODE_STALL };

struct options {
  enum mode mode;
  unsigned port;
  double duration_s;
  double stall_at_s;
  double stall_for_s;
  const char *port_file; /* borrowed from argv */
  struct rill_context_config ctx;
  struct rill_receiver_config recv;
};

/* Audio statistics of the current one-second window. */
struct audio_window {
  uint64_t frames;
  double sum_squares;
  uint64_t silent_frames;
  uint64_t gap_frames;
  uint64_t silent_run; /* carried across chunks and windows */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
  (void)sig;
  stop_requested = 1;
}

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void sleep_until(int64_t deadline_ns)
{
  struct timespec ts;
  ts.tv_sec = (time_t)(deadline_ns / NS_PER_S);
  ts.tv_nsec = (long)(deadline_ns % NS_PER_S);
  while (!stop_requested && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

static int64_t cpu_ns(void)
{
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NS_PER_S +
         ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* VmRSS and VmHWM in KiB; 0 when /proc is unreadable. */
static void read_rss(long *rss_kib, long *hwm_kib)
{
  char line[256];
  FILE *f = fopen("/proc/self/status", "r");
  *rss_kib = 0;
  *hwm_kib = 0;
  if (!f)
    return;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "VmRSS:", 6) == 0)
      *rss_kib = strtol(line + 6, NULL, 10);
    else if (strncmp(line, "VmHWM:", 6) == 0)
      *hwm_kib = strtol(line + 6, NULL, 10);
  }
  fclose(f);
}

/* The kernel's view of our socket (127.0.0.1:port): bytes queued and
 * datagrams dropped for want of receive buffer. -1 when not found. */
static void read_udp_socket(unsigned port, long long *rx_queue_bytes, long long *drops)
{
  char line[512];
  FILE *f = fopen("/proc/self/net/udp", "r");
  *rx_queue_bytes = -1;
  *drops = -1;
  if (!f)
    return;
  while (fgets(line, sizeof(line), f)) {
    unsigned long addr, tx, rx;
    unsigned lport;
    unsigned long long d;
    if (sscanf(line, " %*s %lx:%x %*s %*s %lx:%lx %*s %*s %*s %*s %*s %*s %*s %llu", &addr, &lport,
               &tx, &rx, &d) == 5 &&
        lport == port && addr == 0x0100007FUL) {
      *rx_queue_bytes = (long long)rx;
      *drops = (long long)d;
      break;
    }
  }
  fclose(f);
}

static void usage(FILE *out)
{
  fprintf(out,
          "usage: stalled_receiver --mode never|read|stall --duration SEC [options]\n"
          "A rill receiver on 127.0.0.1 that reads normally, never, or stalls;\n"
          "prints a CSV line of memory, CPU, counters and audio once a second.\n\n"
          "  --mode never|read|stall  reader behaviour (default never)\n"
          "  --duration SEC           run length, required, at most %d\n"
          "  --stall-at SEC           stall mode: stop reading at this time (default 5)\n"
          "  --stall-for SEC          stall mode: for this long (default 10)\n"
          "  --port N                 UDP port on 127.0.0.1 (default 0: a free one)\n"
          "  --port-file FILE         write the bound port there\n"
          "  --max-mem SIZE           context budget (rill default 64M)\n"
          "  --max-session-mem SIZE   per-session budget (rill default 4M)\n"
          "  --max-socket-mem SIZE    per-socket budget (rill default 1M)\n"
          "  --max-sessions N         concurrent senders (rill default 8)\n"
          "  --max-packet-size SIZE   largest datagram (rill default 2048)\n"
          "  --target-latency-ms N    jitter buffer target (rill default 100)\n"
          "  --session-timeout-ms N   session timeout (rill default 2000)\n"
          "  --rcvbuf SIZE            kernel receive buffer (rill default: the system's)\n"
          "  --latency-tolerance-ms N|none\n"
          "                           queued audio beyond target + N is stale (rill\n"
          "                           default max(target, 50))\n"
          "  --idle-timeout-ms N|never  nobody reads this long: the receiver idles (rill\n"
          "                           default 1000)\n"
          "  --max-session-rate N     new sessions per second (rill default 20)\n"
          "  -h, --help               this help\n"
          "Sizes take K, M, G (powers of 1024).\n",
          MAX_DURATION_S);
}

static int fail(const char *msg, const char *arg)
{
  fprintf(stderr, "stalled_receiver: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  return 2;
}

static int parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
                      unsigned long long *out)
{
  char *end;
  unsigned long long v;
  if (s[0] == '-' || s[0] == '+')
    return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

/* "4M", "512K", "1G", "65536": bytes, 1 B .. 64 GiB. */
static int parse_size(const char *s, size_t *out)
{
  char *end;
  unsigned long long v, mult = 1;
  if (s[0] == '-' || s[0] == '+')
    return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno != 0 || end == s)
    return -1;
  if (*end == 'K' || *end == 'k')
    mult = 1ULL << 10;
  else if (*end == 'M' || *end == 'm')
    mult = 1ULL << 20;
  else if (*end == 'G' || *end == 'g')
    mult = 1ULL << 30;
  if (mult != 1)
    end++;
  if (*end != '\0' || v == 0 || v > (64ULL << 30) / mult)
    return -1;
  *out = (size_t)(v * mult);
  return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
  enum { O_MODE = 256, O_DURATION, O_STALL_AT, O_STALL_FOR, O_PORT, O_PORT_FILE, O_MEM,
         O_SMEM, O_SOCKMEM, O_MAXS, O_PKT, O_LAT, O_TIMEOUT, O_RCVBUF, O_TOLERANCE, O_IDLE,
         O_SESSION_RATE };
  static const struct option longopts[] = {
      {"mode", required_argument, NULL, O_MODE},
      {"duration", required_argument, NULL, O_DURATION},
      {"stall-at", required_argument, NULL, O_STALL_AT},
      {"stall-for", required_argument, NULL, O_STALL_FOR},
      {"port", required_argument, NULL, O_PORT},
      {"port-file", required_argument, NULL, O_PORT_FILE},
      {"max-mem", required_argument, NULL, O_MEM},
      {"max-session-mem", required_argument, NULL, O_SMEM},
      {"max-socket-mem", required_argument, NULL, O_SOCKMEM},
      {"max-sessions", required_argument, NULL, O_MAXS},
      {"max-packet-size", required_argument, NULL, O_PKT},
      {"target-latency-ms", required_argument, NULL, O_LAT},
      {"session-timeout-ms", required_argument, NULL, O_TIMEOUT},
      {"rcvbuf", required_argument, NULL, O_RCVBUF},
      {"latency-tolerance-ms", required_argument, NULL, O_TOLERANCE},
      {"idle-timeout-ms", required_argument, NULL, O_IDLE},
      {"max-session-rate", required_argument, NULL, O_SESSION_RATE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  unsigned long long v;
  int opt;

  memset(o, 0, sizeof(*o));
  rill_context_config_init(&o->ctx);
  rill_receiver_config_init(&o->recv);
  o->mode = MODE_NEVER;
  o->duration_s = -1;
  o->stall_at_s = 5;
  o->stall_for_s = 10;
  o->recv.rate_hz = RATE_HZ;
  o->recv.channels = CHANNELS;
  while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (opt) {
    case O_MODE:
      if (strcmp(optarg, "never") == 0)
        o->mode = MODE_NEVER;
      else if (strcmp(optarg, "read") == 0)
        o->mode = MODE_READ;
      else if (strcmp(optarg, "stall") == 0)
        o->mode = MODE_STALL;
      else
        return fail("--mode: expected never, read or stall", optarg);
      break;
    case O_DURATION:
      if (parse_double(optarg, 0.001, MAX_DURATION_S, &o->duration_s) != 0)
        return fail("--duration: expected seconds in (0, 600]", optarg);
      break;
    case O_STALL_AT:
      if (parse_double(optarg, 0, MAX_DURATION_S, &o->stall_at_s) != 0)
        return fail("--stall-at: expected seconds in [0, 600]", optarg);
      break;
    case O_STALL_FOR:
      if (parse_double(optarg, 0, MAX_DURATION_S, &o->stall_for_s) != 0)
        return fail("--stall-for: expected seconds in [0, 600]", optarg);
      break;
    case O_PORT:
      if (parse_uint(optarg, 0, 65535, &v) != 0)
        return fail("--port: expected 0..65535", optarg);
      o->port = (unsigned)v;
      break;
    case O_PORT_FILE:
      o->port_file = optarg;
      break;
    case O_MEM:
      if (parse_size(optarg, &o->ctx.max_mem_bytes) != 0)
        return fail("--max-mem: expected a size (e.g. 4M)", optarg);
      break;
    case O_SMEM:
      if (parse_size(optarg, &o->recv.max_session_mem_bytes) != 0)
        return fail("--max-session-mem: expected a size (e.g. 1M)", optarg);
      break;
    case O_SOCKMEM:
      if (parse_size(optarg, &o->recv.max_socket_mem_bytes) != 0)
        return fail("--max-socket-mem: expected a size (e.g. 256K)", optarg);
      break;
    case O_MAXS:
      if (parse_uint(optarg, 1, 1024, &v) != 0)
        return fail("--max-sessions: expected 1..1024", optarg);
      o->recv.max_sessions = (uint32_t)v;
      break;
    case O_PKT:
      if (parse_size(optarg, &o->ctx.max_packet_bytes) != 0)
        return fail("--max-packet-size: expected a size", optarg);
      break;
    case O_LAT:
      if (parse_uint(optarg, 1, 10000, &v) != 0)
        return fail("--target-latency-ms: expected 1..10000", optarg);
      o->recv.target_latency_ns = (int64_t)v * NS_PER_MS;
      break;
    case O_TIMEOUT:
      if (parse_uint(optarg, 1, 600000, &v) != 0)
        return fail("--session-timeout-ms: expected 1..600000", optarg);
      o->recv.session_timeout_ns = (int64_t)v * NS_PER_MS;
      break;
    case O_RCVBUF:
      if (parse_size(optarg, &o->recv.socket_rcvbuf_bytes) != 0)
        return fail("--rcvbuf: expected a size (e.g. 4M)", optarg);
      break;
    case O_TOLERANCE:
      if (strcmp(optarg, "none") == 0)
        o->recv.latency_tolerance_ns = -1;
      else if (parse_uint(optarg, 1, 600000, &v) == 0)
        o->recv.latency_tolerance_ns = (int64_t)v * NS_PER_MS;
      else
        return fail("--latency-tolerance-ms: expected 1..600000 or none", optarg);
      break;
    case O_IDLE:
      if (strcmp(optarg, "never") == 0)
        o->recv.idle_timeout_ns = -1;
      else if (parse_uint(optarg, 1, 600000, &v) == 0)
        o->recv.idle_timeout_ns = (int64_t)v * NS_PER_MS;
      else
        return fail("--idle-timeout-ms: expected 1..600000 or never", optarg);
      break;
    case O_SESSION_RATE:
      if (parse_uint(optarg, 1, 1000000, &v) != 0)
        return fail("--max-session-rate: expected 1..1000000", optarg);
      o->recv.max_session_creations_per_s = (uint32_t)v;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return 2;
    }
  }
  if (optind < argc)
    return fail("unexpected argument (see --help)", argv[optind]);
  if (o->duration_s < 0)
    return fail("--duration SEC is required (at most 600)", NULL);
  return 0;
}

static void account_audio(struct audio_window *w, const float *buf, size_t frames)
{
  size_t f;
  unsigned c;
  for (f = 0; f < frames; f++) {
    int silent = 1;
    for (c = 0; c < CHANNELS; c++) {
      float x = buf[f * CHANNELS + c];
      w->sum_squares += (double)x * x;
      if (x != 0.0f)
        silent = 0;
    }
    if (silent) {
      w->silent_frames++;
      w->silent_run++;
      if (w->silent_run == GAP_RUN_FRAMES)
        w->gap_frames += GAP_RUN_FRAMES;
      else if (w->silent_run > GAP_RUN_FRAMES)
        w->gap_frames++;
    } else {
      w->silent_run = 0;
    }
  }
  w->frames += frames;
}

static void print_header(void)
{
  printf("t_s,rss_kib,rss_peak_kib,cpu_pct,reading,frames_read,rms,silent_frames,gap_frames,"
         "kernel_rx_queue,kernel_drops,"
         "mem_used,mem_peak,mem_budget,mem_refused,sock_used,sock_peak,sock_budget,"
         "datagrams,bad_packets,sessions,sessions_created,sessions_refused,"
         "sessions_rate_limited,socket_pauses,idle,idle_entries,stale_flushed,"
         "packets_received,packets_played,packets_lost,packets_late,packets_dropped,"
         "no_memory\n");
  fflush(stdout);
}

static void print_sample(struct rill_receiver *recv, unsigned port, double t_s, double cpu_pct,
                         int reading, const struct audio_window *w)
{
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  long rss, hwm;
  long long rxq, drops;
  double rms = w->frames ? sqrt(w->sum_squares / ((double)w->frames * CHANNELS)) : 0.0;
  read_rss(&rss, &hwm);
  read_udp_socket(port, &rxq, &drops);
  if (rill_receiver_metrics(recv, &m, NULL, 0, NULL) != RILL_OK)
    memset(&m, 0, sizeof(m)); /* a row of zeros keeps the CSV regular */
  printf("%.3f,%ld,%ld,%.1f,%d,%llu,%.5f,%llu,%llu,%lld,%lld,%zu,%zu,%zu,%llu,%zu,%zu,%zu,%llu,"
         "%llu,%u,%llu,%llu,%llu,%llu,%d,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n",
         t_s, rss, hwm, cpu_pct, reading, (unsigned long long)w->frames, rms,
         (unsigned long long)w->silent_frames, (unsigned long long)w->gap_frames, rxq, drops,
         m.memory.used_bytes, m.memory.peak_bytes, m.memory.budget_bytes,
         (unsigned long long)m.memory.refused, m.socket_memory.used_bytes,
         m.socket_memory.peak_bytes, m.socket_memory.budget_bytes,
         (unsigned long long)m.datagrams, (unsigned long long)m.bad_packets, m.sessions,
         (unsigned long long)m.sessions_created, (unsigned long long)m.sessions_refused,
         (unsigned long long)m.sessions_rate_limited, (unsigned long long)m.socket_pauses,
         m.idle != 0, (unsigned long long)m.idle_entries,
         (unsigned long long)m.stale_datagrams_flushed, (unsigned long long)m.packets_received,
         (unsigned long long)m.packets_played, (unsigned long long)m.packets_lost,
         (unsigned long long)m.packets_late, (unsigned long long)m.packets_dropped,
         (unsigned long long)m.no_memory);
  fflush(stdout);
}

int main(int argc, char **argv)
{
  struct options o;
  struct rill_context *ctx = NULL;
  struct rill_receiver *recv = NULL;
  struct audio_window win;
  struct sigaction sa;
  float buf[CHUNK_FRAMES * CHANNELS];
  char uri[64];
  uint16_t port = 0;
  int64_t t0, t_end, next_sample, next_read, stall_from, stall_until, cpu_prev, wall_prev;
  int status, rc = 0;

  if ((rc = parse_args(argc, argv, &o)) != 0)
    return rc;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  snprintf(uri, sizeof(uri), "rtp://127.0.0.1:%u", o.port);
  if ((status = rill_context_open(&o.ctx, &ctx)) != RILL_OK ||
      (status = rill_receiver_open(ctx, &o.recv, &recv)) != RILL_OK ||
      (status = rill_receiver_bind(recv, uri, NULL, &port)) != RILL_OK) {
    fprintf(stderr, "stalled_receiver: cannot start on %s: %s\n", uri,
            rill_status_message(status));
    rc = 1;
    goto out;
  }
  fprintf(stderr, "stalled_receiver: port %u\n", (unsigned)port);
  if (o.port_file) {
    /* Written whole and renamed, so a poller never reads half a number. */
    char tmp[4096];
    FILE *pf;
    snprintf(tmp, sizeof(tmp), "%s.tmp", o.port_file);
    pf = fopen(tmp, "w");
    if (!pf || fprintf(pf, "%u\n", (unsigned)port) < 0 || fclose(pf) != 0 ||
        rename(tmp, o.port_file) != 0) {
      fprintf(stderr, "stalled_receiver: cannot write --port-file %s\n", o.port_file);
      rc = 1;
      goto out;
    }
  }
  print_header();

  memset(&win, 0, sizeof(win));
  t0 = now_ns();
  cpu_prev = cpu_ns();
  print_sample(recv, port, 0.0, 0.0, 0, &win); /* the baseline, before any traffic */
  t_end = t0 + (int64_t)(o.duration_s * NS_PER_S);
  next_sample = t0 + NS_PER_S;
  next_read = t0;
  stall_from = o.mode == MODE_STALL ? t0 + (int64_t)(o.stall_at_s * NS_PER_S) : INT64_MAX;
  stall_until = o.mode == MODE_STALL ? stall_from + (int64_t)(o.stall_for_s * NS_PER_S) : 0;
  wall_prev = t0;
  while (!stop_requested) {
    int64_t wake = o.mode == MODE_NEVER ? next_sample : next_read;
    int64_t now;
    int reading;
    if (wake > next_sample)
      wake = next_sample;
    if (wake > t_end)
      break;
    sleep_until(wake);
    if (stop_requested)
      break;
    now = now_ns();
    reading = o.mode != MODE_NEVER && !(now >= stall_from && now < stall_until);
    if (o.mode != MODE_NEVER && now >= next_read) {
      if (reading) {
        /* Real-time role: never blocks, never allocates. */
        rill_receiver_read(recv, buf, CHUNK_FRAMES);
        account_audio(&win, buf, CHUNK_FRAMES);
      }
      next_read += (int64_t)CHUNK_FRAMES * NS_PER_S / RATE_HZ;
      /* Behind by more than two chunks (after a stall, or preempted): go on
       * from now rather than reading a burst to catch up. */
      if (now - next_read > 2 * (int64_t)CHUNK_FRAMES * NS_PER_S / RATE_HZ)
        next_read = now;
    }
    if (now >= next_sample) {
      int64_t cpu = cpu_ns();
      double cpu_pct = now > wall_prev ? 100.0 * (double)(cpu - cpu_prev) / (double)(now - wall_prev)
                                       : 0.0;
      print_sample(recv, port, (double)(now - t0) / (double)NS_PER_S, cpu_pct, reading, &win);
      cpu_prev = cpu;
      wall_prev = now;
      win.frames = 0;
      win.sum_squares = 0;
      win.silent_frames = 0;
      win.gap_frames = 0;
      next_sample += NS_PER_S;
    }
  }

out:
  if (recv)
    rill_receiver_close(recv);
  if (ctx && (status = rill_context_close(ctx)) != RILL_OK) {
    fprintf(stderr, "stalled_receiver: cannot close: %s\n", rill_status_message(status));
    rc = 1;
  }
  return rc;
}
