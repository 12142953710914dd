/*
 * Latency benchmark: a sender and a receiver (public API) in one process,
 * over real loopback UDP and real time. For each target latency and packet
 * length, streams a sine for N seconds with the writer paced by the clock
 * and the reader reading 1 ms at a time, then reports underruns (frames of
 * silence inside the stream), late drops, mean and max latency (the
 * receiver's measure: queue + resampler + age of the newest packet), and the
 * CPU of the whole process (sender, receiver and network threads).
 * With --drift-ppm P, the sender runs P ppm fast (its pacing interval is
 * shortened), and the latency is written every 100 ms to a CSV: convergence
 * time and steady-state error are reported.
 *
 * usage: bench_latency [--seconds N] [--targets 5,10,20,50] [--packets 1,2.5,5]
 *                      [--drift-ppm P --csv FILE]
 */
#include <math.h>
#include <pthread.h>
#include <rill/rill.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define RATE 44100
#define READ_FRAMES 44 /* 1 ms */

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
  struct timespec ts = {(time_t)(t / 1000000000), (long)(t % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
  }
}

struct run {
  struct rill_sender *sender;
  struct rill_receiver *recv;
  int64_t packet_ns;
  double ppm;
  int64_t end_ns;
  atomic_int stop;
};

static void *writer(void *arg)
{
  struct run *r = arg;
  uint32_t frames = (uint32_t)(r->packet_ns * RATE / 1000000000);
  float buf[2 * 441];
  int64_t start = now_ns(), k = 0;
  uint64_t n = 0;
  double period = (double)r->packet_ns / (1.0 + r->ppm * 1e-6);
  while (now_ns() < r->end_ns) {
    uint32_t i;
    for (i = 0; i < frames; i++, n++)
      buf[2 * i] = buf[2 * i + 1] = 0.5f * (float)sin(2.0 * M_PI * 440.0 * (double)n / RATE);
    rill_sender_write(r->sender, buf, frames);
    k++;
    sleep_until(start + (int64_t)((double)k * period));
  }
  return NULL;
}

static void *reader(void *arg)
{
  struct run *r = arg;
  float buf[2 * READ_FRAMES];
  int64_t start = now_ns(), k = 0;
  while (!atomic_load(&r->stop)) {
    rill_receiver_read(r->recv, buf, READ_FRAMES);
    k++;
    sleep_until(start + k * 1000000);
  }
  return NULL;
}

static double cpu_seconds(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec * 1e-6;
}

static int run_one(double target_ms, double packet_ms, int seconds, double ppm, FILE *csv)
{
  struct rill_context *ctx = NULL;
  struct rill_receiver_config rc;
  struct rill_sender_config sc;
  struct run r;
  pthread_t tw, tr;
  char uri[64];
  uint16_t port = 0;
  double cpu0, lat_sum = 0, lat_max = 0, settle_s = -1, err_sum = 0;
  int samples = 0, err_samples = 0, status;
  int64_t t0, next;
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  struct rill_session_metrics sm = {.struct_size = sizeof(sm)};
  size_t n = 0;
  int64_t setpoint = 0;

  memset(&r, 0, sizeof(r));
  rill_receiver_config_init(&rc);
  rill_sender_config_init(&sc);
  rc.target_latency_ns = (int64_t)(target_ms * 1e6);
  rc.session_timeout_ns = 5000000000;
  sc.packet_length_ns = (int64_t)(packet_ms * 1e6);
  r.packet_ns = sc.packet_length_ns;
  r.ppm = ppm;
  if ((status = rill_context_open(NULL, &ctx)) != RILL_OK ||
      (status = rill_receiver_open(ctx, &rc, &r.recv)) != RILL_OK ||
      (status = rill_receiver_bind(r.recv, "rtp://127.0.0.1:0", NULL, &port)) != RILL_OK ||
      (status = rill_sender_open(ctx, &sc, &r.sender)) != RILL_OK) {
    fprintf(stderr, "bench_latency: %s\n", rill_status_message(status));
    return 1;
  }
  snprintf(uri, sizeof(uri), "rtp://127.0.0.1:%u", (unsigned)port);
  if (rill_sender_connect(r.sender, uri) != RILL_OK)
    return 1;
  cpu0 = cpu_seconds();
  t0 = now_ns();
  r.end_ns = t0 + (int64_t)seconds * 1000000000;
  pthread_create(&tr, NULL, reader, &r);
  pthread_create(&tw, NULL, writer, &r);
  for (next = t0 + 100000000; next < r.end_ns; next += 100000000) {
    double t, lat;
    sleep_until(next);
    if (rill_receiver_metrics(r.recv, &m, &sm, 1, &n) != RILL_OK || n == 0)
      continue;
    t = (double)(next - t0) / 1e9;
    lat = (double)sm.latency_ns / 1e6;
    if (csv)
      fprintf(csv, "%.1f,%.3f,%.1f\n", t, lat, (double)sm.drift_ppb / 1000.0);
    if (t < 2.0)
      continue; /* priming */
    if (setpoint == 0)
      setpoint = sm.latency_ns;
    lat_sum += lat;
    samples++;
    if (lat > lat_max)
      lat_max = lat;
    if (fabs(lat - (double)setpoint / 1e6) > 1.0)
      settle_s = t;
    if (t > seconds - 20.0) {
      err_sum += fabs(lat - (double)setpoint / 1e6);
      err_samples++;
    }
  }
  pthread_join(tw, NULL);
  /* Let the last packets play, then stop reading. */
  sleep_until(now_ns() + (int64_t)(target_ms * 3e6) + 100000000);
  atomic_store(&r.stop, 1);
  pthread_join(tr, NULL);
  if (rill_receiver_metrics(r.recv, &m, &sm, 1, &n) != RILL_OK) {
    memset(&m, 0, sizeof(m));
    n = 0;
  }
  {
    double cpu = (cpu_seconds() - cpu0) / ((double)(now_ns() - t0) / 1e9) * 100.0;
    if (ppm == 0)
      printf("%6.1f %7.1f %10llu %9llu %8llu %8.2f %8.2f %8.2f\n", target_ms, packet_ms,
             (unsigned long long)(n ? sm.gap_frames : 0), (unsigned long long)m.packets_late,
             (unsigned long long)(n ? sm.underruns : 0), samples ? lat_sum / samples : 0.0,
             lat_max, cpu);
    else
      printf("drift %+.0f ppm, target %.1f ms, packets %.1f ms: latency held %.2f ms, "
             "within 1 ms for good after %.1f s, mean |error| over the last 20 s %.3f ms, "
             "ratio %+.1f ppm, gap frames %llu, cpu %.2f %%\n",
             ppm, target_ms, packet_ms, (double)setpoint / 1e6, settle_s < 0 ? 2.0 : settle_s,
             err_samples ? err_sum / err_samples : 0.0, n ? (double)sm.drift_ppb / 1000.0 : 0.0,
             (unsigned long long)(n ? sm.gap_frames : 0), cpu);
  }
  fflush(stdout);
  rill_sender_close(r.sender);
  rill_receiver_close(r.recv);
  if ((status = rill_context_close(ctx)) != RILL_OK) {
    fprintf(stderr, "bench_latency: %s\n", rill_status_message(status));
    return 1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  const char *targets = "5,10,20,50", *packets = "1,2.5,5", *csv_path = NULL;
  int seconds = 60, i;
  double ppm = 0;
  char buf1[64], buf2[64], *t, *p, *s1, *s2;
  FILE *csv = NULL;

  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--targets") && i + 1 < argc)
      targets = argv[++i];
    else if (!strcmp(argv[i], "--packets") && i + 1 < argc)
      packets = argv[++i];
    else if (!strcmp(argv[i], "--drift-ppm") && i + 1 < argc)
      ppm = atof(argv[++i]);
    else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
      csv_path = argv[++i];
    else {
      fprintf(stderr, "usage: bench_latency [--seconds N] [--targets LIST] [--packets LIST] "
                      "[--drift-ppm P --csv FILE]\n");
      return 2;
    }
  }
  if (seconds < 5 || seconds > 600) {
    fprintf(stderr, "bench_latency: --seconds must be 5..600\n");
    return 2;
  }
  rill_log_set_level(RILL_LOG_ERROR);
  printf("command:");
  for (i = 0; i < argc; i++)
    printf(" %s", argv[i]);
  printf("\nloopback UDP, real time, %d s per run, reader 1 ms periods, L16 stereo 44.1 kHz\n",
         seconds);
  if (csv_path) {
    csv = fopen(csv_path, "w");
    if (!csv)
      return 1;
    fprintf(csv, "t_s,latency_ms,ratio_ppm\n");
  }
  if (ppm == 0)
    printf("target_ms packet_ms gap_frames  late  underruns mean_ms  max_ms  cpu_%%\n");
  snprintf(buf1, sizeof(buf1), "%s", targets);
  for (t = strtok_r(buf1, ",", &s1); t; t = strtok_r(NULL, ",", &s1)) {
    snprintf(buf2, sizeof(buf2), "%s", packets);
    for (p = strtok_r(buf2, ",", &s2); p; p = strtok_r(NULL, ",", &s2))
      if (run_one(atof(t), atof(p), seconds, ppm, csv) != 0)
        return 1;
  }
  if (csv)
    fclose(csv);
  return 0;
}
