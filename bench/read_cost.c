/*
 * Cost of one rill receiver read, with 1, 16 and 256 live sessions.
 *
 * Each session is a sender of 5 ms L16 stereo packets at 44.1 kHz whose
 * clock is off by its own amount (-900..+900 ppm), so every session is
 * resampled and its drift controller keeps changing the ratio (the most
 * expensive thing a read can do: speex rebuilds its filter table). Packets
 * are injected on the network thread with simulated arrival times; the
 * reader reads 10 ms per period on the same simulated clock, so the run is
 * as fast as the machine allows and deterministic in what it does. Only
 * the read is timed (CLOCK_MONOTONIC around receiver_read_at).
 *
 * Prints per N: reads timed, mean, 99th and 99.9th percentile and worst
 * read time, and the drift ratio changes applied (speex filter rebuilds).
 *
 * Usage: bench_read_cost [--quality Q] [--seconds S]
 *   (defaults: quality 3, 20 s of simulated audio after 4 s of warm-up)
 */
#include <arpa/inet.h>
#include <math.h>
#include <rill/status.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "pipeline/receiver.h"
#include "rtp/payload.h"
#include "rtp/rtp.h"

#define READ_FRAMES 441 /* 10 ms at 44.1 kHz */
#define PKT_FRAMES 220
#define WARMUP_S 4

struct sender {
  uint32_t ssrc;
  uint32_t k;           /* next packet */
  double period_ns;     /* this sender's packet period on our clock */
  struct sockaddr_in src;
};

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void inject(struct rill_receiver *r, struct sender *s, int64_t arrival_ns)
{
  static const struct rtp_encoding enc = {10, RTP_FMT_S16BE, 44100, 2};
  uint8_t dgram[2048];
  float samples[PKT_FRAMES * 2];
  struct rtp_header h;
  size_t hdr = 0, payload = 0;
  uint32_t i;
  memset(&h, 0, sizeof(h));
  h.version = 2;
  h.payload_type = 10;
  h.seq = (uint16_t)s->k;
  h.timestamp = s->k * PKT_FRAMES;
  h.ssrc = s->ssrc;
  for (i = 0; i < PKT_FRAMES; i++)
    samples[2 * i] = samples[2 * i + 1] =
        0.01f * (float)sin(2.0 * M_PI * 440.0 * (double)(h.timestamp + i) / 44100.0);
  if (rtp_compose(&h, dgram, sizeof(dgram), &hdr) != RILL_OK ||
      rtp_payload_encode(&enc, samples, PKT_FRAMES, dgram + hdr, sizeof(dgram) - hdr,
                         &payload) != RILL_OK ||
      receiver_inject(r, dgram, hdr + payload, (const struct sockaddr *)&s->src, arrival_ns) !=
          RILL_OK) {
    fprintf(stderr, "bench_read_cost: cannot inject a packet\n");
    exit(1);
  }
  s->k++;
}

static int run(uint32_t n_sessions, int quality, int seconds)
{
  struct rill_context_params cp = {256u << 20, 2048, NULL};
  struct rill_receiver_params p;
  struct rill_context *ctx;
  struct rill_receiver *r;
  struct sender *senders = calloc(n_sessions, sizeof(*senders));
  static float out[READ_FRAMES * 2];
  int64_t t0 = clock_now_ns(), now, *samples;
  size_t periods = (size_t)(seconds + WARMUP_S) * 100, measured = 0, i;
  struct receiver_totals t;
  double sum = 0;
  uint32_t j;

  samples = calloc(periods, sizeof(*samples));
  if (!senders || !samples)
    return 1;
  memset(&p, 0, sizeof(p));
  p.rate_hz = 44100;
  p.channels = 2;
  p.target_latency_ns = 60 * NS_PER_MS;
  p.session_timeout_ns = 60 * NS_PER_S;
  p.max_sessions = n_sessions;
  p.session_budget_bytes = 1u << 20;
  p.socket_budget_bytes = 1u << 20;
  p.max_queue_packets = 256;
  p.latency_tolerance_ns = 200 * NS_PER_MS;
  p.drift_compensation = true;
  p.resampler_quality = quality;
  rtp_registry_init(&p.registry);
  if (context_create(&cp, &ctx) != RILL_OK || receiver_create(ctx, &p, &r) != RILL_OK) {
    fprintf(stderr, "bench_read_cost: cannot create a receiver for %u sessions\n", n_sessions);
    return 1;
  }
  for (j = 0; j < n_sessions; j++) {
    double ppm = -900.0 + 1800.0 * (double)(j % 13) / 12.0;
    senders[j].ssrc = 1000 + j;
    senders[j].period_ns = PKT_FRAMES * 1e9 / 44100.0 / (1.0 + ppm * 1e-6);
    senders[j].src.sin_family = AF_INET;
    senders[j].src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    senders[j].src.sin_port = htons((uint16_t)(20000 + j));
  }
  for (i = 0; i < periods; i++) {
    int64_t a, b;
    now = t0 + (int64_t)i * 10 * NS_PER_MS;
    for (j = 0; j < n_sessions; j++) {
      struct sender *s = &senders[j];
      int64_t due;
      while ((due = t0 + (int64_t)((double)s->k * s->period_ns)) <= now)
        inject(r, s, due);
    }
    a = clock_now_ns();
    receiver_read_at(r, out, READ_FRAMES, now);
    b = clock_now_ns();
    if (i >= (size_t)WARMUP_S * 100) {
      samples[measured++] = b - a;
      sum += (double)(b - a);
    }
  }
  receiver_stats(r, &t, NULL, 0, NULL);
  qsort(samples, measured, sizeof(*samples), cmp_i64);
  printf("%8u %8zu %9.1f %9.1f %9.1f %9.1f %10llu %8u\n", n_sessions, measured,
         sum / (double)measured / 1e3, (double)samples[measured * 99 / 100] / 1e3,
         (double)samples[measured * 999 / 1000] / 1e3, (double)samples[measured - 1] / 1e3,
         (unsigned long long)t.ratio_updates, t.sessions);
  if (t.resampler_input_dropped || t.resampler_output_short || t.sessions != n_sessions) {
    fprintf(stderr, "bench_read_cost: unexpected state (sessions %u, resampler mismatches %llu/%llu)\n",
            t.sessions, (unsigned long long)t.resampler_input_dropped,
            (unsigned long long)t.resampler_output_short);
    return 1;
  }
  receiver_destroy(r);
  context_destroy(ctx);
  free(samples);
  free(senders);
  return 0;
}

int main(int argc, char **argv)
{
  static const uint32_t counts[] = {1, 16, 256};
  int quality = 3, seconds = 20, i;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quality") == 0 && i + 1 < argc)
      quality = atoi(argv[++i]);
    else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_read_cost [--quality 0..10] [--seconds S]\n");
      return 2;
    }
  }
  if (quality < 0 || quality > 10 || seconds < 1) {
    fprintf(stderr, "bench_read_cost: quality 0..10, seconds >= 1\n");
    return 2;
  }
  printf("# rill_receiver_read cost: 10 ms reads, sessions of 5 ms L16 stereo 44.1 kHz,\n"
         "# drift -900..+900 ppm (every session resampled and steered), quality %d,\n"
         "# %d s measured after %d s warm-up. Times in microseconds.\n"
         "# reproduce: bench_read_cost --quality %d --seconds %d\n",
         quality, seconds, WARMUP_S, quality, seconds);
  printf("%8s %8s %9s %9s %9s %9s %10s %8s\n", "sessions", "reads", "mean_us", "p99_us",
         "p99.9_us", "max_us", "ratio_upd", "held");
  for (i = 0; i < 3; i++)
    if (run(counts[i], quality, seconds) != 0)
      return 1;
  return 0;
}
