/*
 * Minimal rill receiver: receives on an endpoint and prints, once a second,
 * the RMS level of what it plays and the packet counters.
 *
 *   recv_rms rtp://0.0.0.0:10001 [seconds]
 *
 * Uses only the public API (<rill/rill.h>).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <rill/rill.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RATE 44100
#define CHUNK 441 /* 10 ms, stereo */

int main(int argc, char **argv)
{
  struct rill_context *ctx = NULL;
  struct rill_receiver_config config;
  struct rill_receiver *recv = NULL;
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  float buf[CHUNK * 2];
  int seconds = argc > 2 ? atoi(argv[2]) : 5, s, c, i;
  uint16_t port = 0;
  struct timespec next;
  int status;

  if (argc < 2) {
    fprintf(stderr, "usage: recv_rms rtp://IP:PORT [seconds]\n");
    return 2;
  }
  /* The defaults: 44100 Hz stereo output, 100 ms target latency; set fields
   * after rill_receiver_config_init to change them. */
  rill_receiver_config_init(&config);
  if ((status = rill_context_open(NULL, &ctx)) != RILL_OK ||
      (status = rill_receiver_open(ctx, &config, &recv)) != RILL_OK ||
      (status = rill_receiver_bind(recv, argv[1], NULL, &port)) != RILL_OK) {
    fprintf(stderr, "recv_rms: %s\n", rill_status_message(status));
    return 1;
  }
  printf("port=%u\n", (unsigned)port);
  fflush(stdout);
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (s = 0; s < seconds; s++) {
    double sum = 0;
    for (c = 0; c < 100; c++) {
      next.tv_nsec += 10000000;
      if (next.tv_nsec >= 1000000000) {
        next.tv_nsec -= 1000000000;
        next.tv_sec++;
      }
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
      /* Called from this (real-time) thread: never blocks, never allocates.
       * Its status reports only NULL arguments: nothing to check here. */
      rill_receiver_read(recv, buf, CHUNK);
      for (i = 0; i < CHUNK * 2; i++)
        sum += (double)buf[i] * buf[i];
    }
    if ((status = rill_receiver_metrics(recv, &m, NULL, 0, NULL)) != RILL_OK) {
      fprintf(stderr, "recv_rms: %s\n", rill_status_message(status));
      return 1;
    }
    printf("second=%d rms=%.4f sessions=%u packets=%llu lost=%llu\n", s + 1,
           sqrt(sum / (100.0 * CHUNK * 2)), m.sessions, (unsigned long long)m.packets_received,
           (unsigned long long)m.packets_lost);
    fflush(stdout);
  }
  rill_receiver_close(recv);
  /* RILL_EBUSY would mean something is still open on the context. */
  if ((status = rill_context_close(ctx)) != RILL_OK) {
    fprintf(stderr, "recv_rms: %s\n", rill_status_message(status));
    return 1;
  }
  return 0;
}
