/*
 * The real-time contract, tested: rill_receiver_read and rill_sender_write
 * make no system call and no heap allocation, with live traffic over
 * loopback, FEC, rate conversion and drift compensation at work.
 *
 * The reader (or writer) runs on a thread guarded by tests/rt_guard.h: a
 * seccomp filter hands each of its system calls to a supervisor that counts
 * those made inside rill's call (the guard is armed only around it; the
 * thread's own pacing sleeps are outside), and the test program's malloc
 * family counts allocations the same way. The first test shows that the
 * guard does catch a deliberate write() and malloc().
 */

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <rill/rill.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rt_guard.h"
#include "test_util.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

/* ThreadSanitizer's runtime makes system calls of its own (futex, mmap) on
 * every instrumented thread, so counts there say nothing about rill: the
 * release and ASan+UBSan builds run these tests; TSan checks the same
 * threads for races. */
static void skip_under_tsan(void)
{
#ifdef UNDER_TSAN
  print_message("skipped under ThreadSanitizer: its runtime makes system calls itself\n");
  skip();
#endif
}

#define NS_PER_S INT64_C(1000000000)
#define READ_PERIODS 3000
#define WRITE_PERIODS 1500
#define PERIOD_NS (2 * INT64_C(1000000))
/* The reader misses 60 ms once, after the drift controller has learned
 * its setpoint (3 s in, learned over the first second): a latency step. */
#define STALL_AT_PERIOD 1500
#define STALL_NS (60 * INT64_C(1000000))

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void sleep_until(int64_t deadline_ns)
{
  struct timespec ts = {(time_t)(deadline_ns / NS_PER_S), (long)(deadline_ns % NS_PER_S)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
  }
}

static void assert_clean(const struct rt_guard_counts *c, const char *what)
{
  char names[256];
  if (c->syscalls != 0 || c->allocations != 0) {
    print_error("%s: %llu system calls (%s), %llu allocations on the real-time thread\n", what,
                (unsigned long long)c->syscalls, rt_guard_describe(c, names, sizeof(names)),
                (unsigned long long)c->allocations);
    fail();
  }
}

/* ---- the guard catches what it must ---- */

struct deliberate_job {
  struct rt_guard_counts quiet, caught;
  char err[160];
  int status;
};

static void *(*volatile malloc_fn)(size_t) = malloc;
static void (*volatile free_fn)(void *) = free;

static void *deliberate_thread(void *arg)
{
  struct deliberate_job *j = arg;
  j->status = rt_guard_install(j->err, sizeof(j->err));
  if (j->status != 0)
    return NULL;
  rt_guard_arm();
  (void)now_ns(); /* the vDSO: no system call */
  rt_guard_disarm();
  rt_guard_counts(&j->quiet);
  rt_guard_arm();
  if (write(STDERR_FILENO, "", 0) != 0)
    j->status = -1;
  free_fn(malloc_fn(32));
  rt_guard_disarm();
  rt_guard_counts(&j->caught);
  return NULL;
}

static void rt_guard_catches_a_deliberate_write_and_malloc(void **state)
{
  struct deliberate_job j;
  pthread_t t;
  char names[128];
  (void)state;
  skip_under_tsan();
  memset(&j, 0, sizeof(j));
  assert_int_equal(pthread_create(&t, NULL, deliberate_thread, &j), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  rt_guard_finish();
  if (j.status != 0)
    print_error("guard: %s\n", j.err);
  assert_int_equal(j.status, 0);
  assert_int_equal(j.quiet.syscalls, 0);
  assert_int_equal(j.quiet.allocations, 0);
  assert_int_equal(j.caught.syscalls, 1);
  assert_string_equal(rt_guard_describe(&j.caught, names, sizeof(names)), "write");
  if (rt_guard_counts_allocations())
    assert_int_equal(j.caught.allocations, 2); /* malloc + free */
}

/* ---- traffic: senders paced by their own (drifting) clocks ---- */

struct traffic {
  struct rill_sender *sender;
  uint32_t rate_hz, channels;
  double speed;         /* >1: this sender's clock runs fast */
  int gate_ms;          /* >0: silent every other gate_ms (DTX pauses) */
  atomic_bool stop;
  atomic_int write_errors;
  pthread_t thread;
};

static void *traffic_thread(void *arg)
{
  struct traffic *t = arg;
  enum { CHUNK_MS = 5 };
  uint32_t frames = t->rate_hz * CHUNK_MS / 1000;
  float buf[48000 * CHUNK_MS / 1000 * 2];
  double phase = 0, carry = 0;
  int64_t start = now_ns(), next = start;
  while (!atomic_load(&t->stop)) {
    uint32_t n, i, c;
    float amp = 0.3f;
    if (t->gate_ms > 0 && ((next - start) / (t->gate_ms * INT64_C(1000000))) % 2 == 1)
      amp = 0.0f;
    /* A fast clock: more frames per real period. */
    carry += frames * t->speed;
    n = (uint32_t)carry;
    carry -= n;
    if (n > sizeof(buf) / sizeof(buf[0]) / t->channels)
      n = (uint32_t)(sizeof(buf) / sizeof(buf[0]) / t->channels);
    for (i = 0; i < n; i++) {
      for (c = 0; c < t->channels; c++)
        buf[i * t->channels + c] = amp * (float)sin(phase);
      phase += 2 * M_PI * 440.0 / t->rate_hz;
    }
    if (rill_sender_write(t->sender, buf, n) != RILL_OK)
      atomic_fetch_add(&t->write_errors, 1);
    next += CHUNK_MS * INT64_C(1000000);
    sleep_until(next);
  }
  return NULL;
}

static void traffic_start(struct traffic *t, struct rill_context *ctx,
                          const struct rill_sender_config *cfg, const char *source_uri,
                          const char *repair_uri, const char *control_uri, double speed)
{
  memset(t, 0, sizeof(*t));
  assert_int_equal(rill_sender_open(ctx, cfg, &t->sender), RILL_OK);
  assert_int_equal(rill_sender_connect(t->sender, source_uri), RILL_OK);
  if (repair_uri)
    assert_int_equal(rill_sender_connect(t->sender, repair_uri), RILL_OK);
  assert_int_equal(rill_sender_connect(t->sender, control_uri), RILL_OK);
  t->rate_hz = cfg->input_rate_hz ? cfg->input_rate_hz : cfg->encoding.rate_hz;
  t->channels = cfg->encoding.channels;
  t->speed = speed;
  t->gate_ms = cfg->opus_flags & RILL_OPUS_DTX ? 400 : 0;
  atomic_init(&t->stop, false);
  atomic_init(&t->write_errors, 0);
  assert_int_equal(pthread_create(&t->thread, NULL, traffic_thread, t), 0);
}

static void traffic_stop(struct traffic *t)
{
  atomic_store(&t->stop, true);
  assert_int_equal(pthread_join(t->thread, NULL), 0);
  assert_int_equal(atomic_load(&t->write_errors), 0);
  assert_int_equal(rill_sender_close(t->sender), RILL_OK);
}

/* ---- the reader ---- */

struct reader_job {
  struct rill_receiver *recv;
  float *buf;
  uint32_t frames;
  struct rt_guard_counts counts;
  char err[160];
  int status;
  double peak;
};

static void *reader_thread(void *arg)
{
  struct reader_job *j = arg;
  int64_t next;
  int i;
  j->status = rt_guard_install(j->err, sizeof(j->err));
  if (j->status != 0)
    return NULL;
  next = now_ns();
  for (i = 0; i < READ_PERIODS; i++) {
    uint32_t k;
    rt_guard_arm();
    if (rill_receiver_read(j->recv, j->buf, j->frames) != RILL_OK)
      j->status = -1;
    rt_guard_disarm();
    for (k = 0; k < j->frames * 2; k++)
      if (fabs(j->buf[k]) > j->peak)
        j->peak = fabs(j->buf[k]);
    next += PERIOD_NS;
    /* A missed graph cycle: the reader resumes from now, as a sound card
     * that underran does; the audio it did not take stays queued, a step
     * that the next reads drop from the queue (under the guard). */
    if (i == STALL_AT_PERIOD)
      next = now_ns() + STALL_NS;
    sleep_until(next);
  }
  rt_guard_counts(&j->counts);
  return NULL;
}

static void receiver_read_makes_no_syscall_and_no_allocation(void **state)
{
  struct rill_context *ctx;
  struct rill_receiver *recv;
  struct rill_receiver_config rc;
  struct rill_sender_config fec_cfg, plain_cfg;
  struct rill_encoding pt96 = {96, RILL_FORMAT_S16, 48000, 2};
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  struct rill_session_metrics sessions[4] = {{.struct_size = sizeof(sessions[0])}};
  struct traffic fec_sender, plain_sender;
  struct reader_job j;
  uint16_t fec_port = 0, repair_port = 0, plain_port = 0, ctl_port = 0;
  uint64_t steps = 0;
  char src_uri[64], rpr_uri[64], plain_uri[64], ctl_uri[64];
  size_t n = 0, i;
  bool drift_engaged = false;
  pthread_t t;
  (void)state;
  skip_under_tsan();

  assert_int_equal(rill_context_open(NULL, &ctx), RILL_OK);
  memset(&rc, 0, sizeof(rc));
  rc.rate_hz = 44100;
  rc.channels = 2;
  rc.encodings = &pt96;
  rc.encoding_count = 1;
  rc.target_latency_ns = 100 * INT64_C(1000000);
  assert_int_equal(rill_receiver_open(ctx, &rc, &recv), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rtp+rs8m://127.0.0.1:0", NULL, &fec_port), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rs8m://127.0.0.1:0", NULL, &repair_port), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rtp://127.0.0.1:0", NULL, &plain_port), RILL_OK);
  /* RTCP on: sender reports come in, reports go out, end-to-end latency
   * is computed from the reader's published play position. */
  assert_int_equal(rill_receiver_bind(recv, "rtcp://127.0.0.1:0", NULL, &ctl_port), RILL_OK);
  snprintf(ctl_uri, sizeof(ctl_uri), "rtcp://127.0.0.1:%u", ctl_port);
  snprintf(src_uri, sizeof(src_uri), "rtp+rs8m://127.0.0.1:%u", fec_port);
  snprintf(rpr_uri, sizeof(rpr_uri), "rs8m://127.0.0.1:%u", repair_port);
  snprintf(plain_uri, sizeof(plain_uri), "rtp://127.0.0.1:%u", plain_port);

  /* A 48 kHz FEC sender whose clock runs 0.3 % fast (rate conversion, and
   * drift the controller must steer against), and a 44.1 kHz L16 one. */
  memset(&fec_cfg, 0, sizeof(fec_cfg));
  fec_cfg.encoding = pt96;
  memset(&plain_cfg, 0, sizeof(plain_cfg));
  plain_cfg.encoding = (struct rill_encoding){10, RILL_FORMAT_S16, 44100, 2};
  traffic_start(&fec_sender, ctx, &fec_cfg, src_uri, rpr_uri, ctl_uri, 1.003);
  traffic_start(&plain_sender, ctx, &plain_cfg, plain_uri, NULL, ctl_uri, 1.0);

  memset(&j, 0, sizeof(j));
  j.recv = recv;
  j.frames = 88; /* 2 ms at 44.1 kHz */
  j.buf = calloc((size_t)j.frames * 2, sizeof(float));
  assert_non_null(j.buf);
  assert_int_equal(pthread_create(&t, NULL, reader_thread, &j), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  rt_guard_finish();
  if (j.status != 0)
    print_error("reader: %s\n", j.err);
  assert_int_equal(j.status, 0);

  assert_int_equal(rill_receiver_metrics(recv, &m, sessions, 4, &n), RILL_OK);
  traffic_stop(&fec_sender);
  traffic_stop(&plain_sender);

  assert_clean(&j.counts, "rill_receiver_read");
  /* The path was really exercised: both sessions played, FEC repair
   * arrived, and the drift controller moved the ratio of the fast one. */
  assert_int_equal(n, 2);
  assert_true(m.packets_played > 1000);
  assert_true(m.fec_repair_received > 100);
  for (i = 0; i < n; i++) {
    if (sessions[i].drift_ppb != 0)
      drift_engaged = true;
    steps += sessions[i].latency_steps;
  }
  assert_true(drift_engaged);
  /* The stall's step was dropped on the reader, in each session. */
  assert_true(steps >= n);
  assert_true(j.peak > 0.2);
  /* RTCP ran alongside: reports in and out, latency from the play position. */
  assert_true(m.rtcp_received > 0);
  assert_true(m.rtcp_sent > 0);
  for (i = 0; i < n; i++)
    assert_true(sessions[i].e2e_latency_ns > 0);

  free(j.buf);
  assert_int_equal(rill_receiver_close(recv), RILL_OK);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

/* ---- Opus sessions: decoding, concealment and DTX on the reader ---- */

/* A UDP relay on a thread that drops every 20th datagram (5 %), so that
 * the reader conceals lost Opus packets (in-band FEC or PLC). */
struct lossy_relay {
  int fd;
  uint16_t port;      /* where it listens */
  uint16_t to_port;   /* where it forwards */
  atomic_bool stop;
  atomic_uint forwarded, dropped;
  pthread_t thread;
};

static void *relay_thread(void *arg)
{
  struct lossy_relay *r = arg;
  struct sockaddr_in to;
  uint8_t buf[2048];
  unsigned n = 0;
  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_port = htons(r->to_port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  while (!atomic_load(&r->stop)) {
    ssize_t len = recv(r->fd, buf, sizeof(buf), 0);
    if (len <= 0)
      continue; /* the receive timeout: look at stop again */
    if (++n % 20 == 0) {
      atomic_fetch_add(&r->dropped, 1);
      continue;
    }
    if (sendto(r->fd, buf, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)) == len)
      atomic_fetch_add(&r->forwarded, 1);
  }
  return NULL;
}

static void relay_start(struct lossy_relay *r, uint16_t to_port)
{
  struct sockaddr_in a;
  socklen_t alen = sizeof(a);
  struct timeval tv = {0, 100000};
  memset(r, 0, sizeof(*r));
  r->to_port = to_port;
  r->fd = socket(AF_INET, SOCK_DGRAM, 0);
  assert_true(r->fd >= 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &alen), 0);
  assert_int_equal(setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
  r->port = ntohs(a.sin_port);
  atomic_init(&r->stop, false);
  assert_int_equal(pthread_create(&r->thread, NULL, relay_thread, r), 0);
}

static void relay_stop(struct lossy_relay *r)
{
  atomic_store(&r->stop, true);
  assert_int_equal(pthread_join(r->thread, NULL), 0);
  close(r->fd);
}

static void receiver_read_opus_makes_no_syscall_and_no_allocation(void **state)
{
  struct rill_context *ctx;
  struct rill_receiver *recv;
  struct rill_receiver_config rc;
  struct rill_sender_config lossy_cfg, dtx_cfg;
  struct rill_encoding encs[2] = {{96, RILL_FORMAT_OPUS, 48000, 2},
                                  {97, RILL_FORMAT_OPUS, 48000, 1}};
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  struct rill_session_metrics sessions[4] = {{.struct_size = sizeof(sessions[0])}};
  struct traffic lossy_sender, dtx_sender;
  struct lossy_relay relay;
  struct reader_job j;
  uint16_t port = 0, ctl_port = 0;
  char relay_uri[64], direct_uri[64], ctl_uri[64];
  uint64_t concealed = 0, dtx = 0, steps = 0;
  size_t n = 0, i;
  pthread_t t;
  (void)state;
  skip_under_tsan();

  assert_int_equal(rill_context_open(NULL, &ctx), RILL_OK);
  memset(&rc, 0, sizeof(rc));
  rc.rate_hz = 44100; /* Opus decodes at 48 kHz: the sessions are resampled */
  rc.channels = 2;
  rc.encodings = encs;
  rc.encoding_count = 2;
  rc.target_latency_ns = 100 * INT64_C(1000000);
  assert_int_equal(rill_receiver_open(ctx, &rc, &recv), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rtp://127.0.0.1:0", NULL, &port), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rtcp://127.0.0.1:0", NULL, &ctl_port), RILL_OK);
  relay_start(&relay, port);
  snprintf(relay_uri, sizeof(relay_uri), "rtp://127.0.0.1:%u", relay.port);
  snprintf(direct_uri, sizeof(direct_uri), "rtp://127.0.0.1:%u", port);
  snprintf(ctl_uri, sizeof(ctl_uri), "rtcp://127.0.0.1:%u", ctl_port);

  /* Stereo Opus with in-band FEC through the lossy relay; mono Opus with
   * DTX, silent every other 400 ms, straight. */
  rill_sender_config_init(&lossy_cfg);
  lossy_cfg.encoding = encs[0];
  lossy_cfg.packet_length_ns = 20 * INT64_C(1000000);
  lossy_cfg.opus_bitrate_bps = 32000;
  lossy_cfg.opus_flags = RILL_OPUS_INBAND_FEC;
  rill_sender_config_init(&dtx_cfg);
  dtx_cfg.encoding = encs[1];
  dtx_cfg.packet_length_ns = 10 * INT64_C(1000000);
  dtx_cfg.opus_flags = RILL_OPUS_DTX;
  traffic_start(&lossy_sender, ctx, &lossy_cfg, relay_uri, NULL, ctl_uri, 1.0);
  traffic_start(&dtx_sender, ctx, &dtx_cfg, direct_uri, NULL, ctl_uri, 1.0);

  memset(&j, 0, sizeof(j));
  j.recv = recv;
  j.frames = 88; /* 2 ms at 44.1 kHz */
  j.buf = calloc((size_t)j.frames * 2, sizeof(float));
  assert_non_null(j.buf);
  assert_int_equal(pthread_create(&t, NULL, reader_thread, &j), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  rt_guard_finish();
  if (j.status != 0)
    print_error("reader: %s\n", j.err);
  assert_int_equal(j.status, 0);

  assert_int_equal(rill_receiver_metrics(recv, &m, sessions, 4, &n), RILL_OK);
  traffic_stop(&lossy_sender);
  traffic_stop(&dtx_sender);
  relay_stop(&relay);

  assert_clean(&j.counts, "rill_receiver_read (Opus)");
  /* The paths were exercised: both sessions decoded, lost packets were
   * concealed (from in-band FEC or by PLC), DTX pauses were played. */
  assert_int_equal(n, 2);
  assert_true(m.packets_played > 400);
  for (i = 0; i < n; i++) {
    concealed += sessions[i].plc_frames + sessions[i].fec_inband_frames;
    dtx += sessions[i].dtx_frames;
    steps += sessions[i].latency_steps;
  }
  assert_true(atomic_load(&relay.dropped) > 5);
  assert_true(concealed > 0);
  assert_true(dtx > 0);
  assert_true(steps >= 1); /* the stall's, dropped on the reader */
  assert_true(j.peak > 0.2);

  free(j.buf);
  assert_int_equal(rill_receiver_close(recv), RILL_OK);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

/* ---- the writer ---- */

struct writer_job {
  struct rill_sender *sender;
  struct rt_guard_counts counts;
  char err[160];
  int status;
};

static void *writer_thread(void *arg)
{
  struct writer_job *j = arg;
  enum { FRAMES = 96 }; /* 2 ms at 48 kHz */
  float buf[FRAMES * 2];
  double phase = 0;
  int64_t next;
  int i, k;
  j->status = rt_guard_install(j->err, sizeof(j->err));
  if (j->status != 0)
    return NULL;
  next = now_ns();
  for (i = 0; i < WRITE_PERIODS; i++) {
    for (k = 0; k < FRAMES; k++) {
      buf[2 * k] = buf[2 * k + 1] = 0.3f * (float)sin(phase);
      phase += 2 * M_PI * 440.0 / 48000.0;
    }
    rt_guard_arm();
    if (rill_sender_write(j->sender, buf, FRAMES) != RILL_OK)
      j->status = -1;
    rt_guard_disarm();
    next += PERIOD_NS;
    sleep_until(next);
  }
  rt_guard_counts(&j->counts);
  return NULL;
}

/*
 * Open a sender with `sc` on a fresh context, connect it to a receiver's
 * rs8m FEC endpoints (and RTCP with `rtcp`), run the guarded writer and
 * assert that it made no system call and no allocation; *m gets the
 * sender's metrics before close.
 */
static void run_guarded_writer(const struct rill_sender_config *sc, bool rtcp, const char *what,
                               struct rill_sender_metrics *m)
{
  struct rill_context *ctx;
  struct rill_receiver *recv;
  struct writer_job j;
  uint16_t src_port = 0, rpr_port = 0, ctl_port = 0;
  char uri[64];
  pthread_t t;

  assert_int_equal(rill_context_open(NULL, &ctx), RILL_OK);
  /* Somewhere for the packets to go (never read: it goes idle). */
  assert_int_equal(rill_receiver_open(ctx, NULL, &recv), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rtp+rs8m://127.0.0.1:0", NULL, &src_port), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rs8m://127.0.0.1:0", NULL, &rpr_port), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rtcp://127.0.0.1:0", NULL, &ctl_port), RILL_OK);

  assert_int_equal(rill_sender_open(ctx, sc, &j.sender), RILL_OK);
  snprintf(uri, sizeof(uri), "rtp+rs8m://127.0.0.1:%u", src_port);
  assert_int_equal(rill_sender_connect(j.sender, uri), RILL_OK);
  snprintf(uri, sizeof(uri), "rs8m://127.0.0.1:%u", rpr_port);
  assert_int_equal(rill_sender_connect(j.sender, uri), RILL_OK);
  /* With RTCP: the writer publishes the capture anchor its reports use. */
  snprintf(uri, sizeof(uri), "rtcp://127.0.0.1:%u", ctl_port);
  if (rtcp)
    assert_int_equal(rill_sender_connect(j.sender, uri), RILL_OK);

  j.status = 0;
  assert_int_equal(pthread_create(&t, NULL, writer_thread, &j), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  rt_guard_finish();
  if (j.status != 0)
    print_error("writer: %s\n", j.err);
  assert_int_equal(j.status, 0);
  assert_clean(&j.counts, what);

  assert_int_equal(rill_sender_metrics(j.sender, m), RILL_OK);
  assert_int_equal(rill_sender_close(j.sender), RILL_OK);
  assert_int_equal(rill_receiver_close(recv), RILL_OK);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

static void sender_write_makes_no_syscall_and_no_allocation(void **state)
{
  struct rill_sender_config sc;
  struct rill_sender_metrics m = {.struct_size = sizeof(m)};
  (void)state;
  skip_under_tsan();

  /* 48 kHz input resampled to L16 44.1 kHz, with rs8m FEC and RTCP. */
  memset(&sc, 0, sizeof(sc));
  sc.encoding = (struct rill_encoding){10, RILL_FORMAT_S16, 44100, 2};
  sc.input_rate_hz = 48000;
  run_guarded_writer(&sc, true, "rill_sender_write", &m);

  /* The packets left: the network thread pumped them. 1500 x 2 ms of audio
   * is 600 packets of 5 ms, plus 10 repair per 18. */
  assert_true(m.packets_sent >= 550);
  assert_true(m.fec_repair_sent >= 250);
  assert_int_equal(m.packets_dropped, 0);
  assert_true(m.rtcp_sent > 0);
}

static void sender_write_opus_makes_no_syscall_and_no_allocation(void **state)
{
  struct rill_sender_config sc;
  struct rill_sender_metrics m = {.struct_size = sizeof(m)};
  (void)state;
  skip_under_tsan();

  /* Opus stereo, 10 ms frames, in-band FEC, with rs8m FEC (constant
   * bitrate, packets padded to one length). */
  rill_sender_config_init(&sc);
  sc.encoding = (struct rill_encoding){96, RILL_FORMAT_OPUS, 48000, 2};
  sc.packet_length_ns = 10 * INT64_C(1000000);
  sc.opus_flags = RILL_OPUS_INBAND_FEC;
  run_guarded_writer(&sc, false, "rill_sender_write (Opus)", &m);

  /* 1500 x 2 ms is 300 packets of 10 ms, each 128 kbit/s x 10 ms = 160
   * bytes, plus 10 repair per 18. */
  assert_true(m.packets_sent >= 280);
  assert_true(m.fec_repair_sent >= 140);
  assert_int_equal(m.packets_dropped, 0);
  assert_int_equal(m.payload_bytes % 160, 0);
  assert_true(m.payload_bytes >= 280 * 160);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rt_guard_catches_a_deliberate_write_and_malloc),
      cmocka_unit_test(receiver_read_makes_no_syscall_and_no_allocation),
      cmocka_unit_test(sender_write_makes_no_syscall_and_no_allocation),
      cmocka_unit_test(receiver_read_opus_makes_no_syscall_and_no_allocation),
      cmocka_unit_test(sender_write_opus_makes_no_syscall_and_no_allocation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
