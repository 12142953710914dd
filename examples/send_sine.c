/*
 * Minimal rill sender: streams a 440 Hz sine to a receiver for a few seconds.
 *
 *   send_sine rtp://127.0.0.1:10001 [seconds]
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
#define CHUNK 441 /* 10 ms */

int main(int argc, char **argv)
{
  struct rill_context *ctx = NULL;
  struct rill_sender_config config;
  struct rill_sender *sender = NULL;
  float buf[CHUNK * 2];
  double seconds = argc > 2 ? atof(argv[2]) : 3.0;
  long chunks = (long)(seconds * RATE / CHUNK), c;
  struct timespec next;
  long n = 0;
  int status;

  if (argc < 2) {
    fprintf(stderr, "usage: send_sine rtp://HOST:PORT [seconds]\n");
    return 2;
  }
  /* The defaults: L16 stereo 44100 Hz (payload type 10), 5 ms packets; set
   * fields after rill_sender_config_init to change them. NULL context config:
   * the defaults (64 MiB budget). */
  rill_sender_config_init(&config);
  if ((status = rill_context_open(NULL, &ctx)) != RILL_OK ||
      (status = rill_sender_open(ctx, &config, &sender)) != RILL_OK ||
      (status = rill_sender_connect(sender, argv[1])) != RILL_OK) {
    fprintf(stderr, "send_sine: %s\n", rill_status_message(status));
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (c = 0; c < chunks; c++) {
    int i;
    for (i = 0; i < CHUNK; i++, n++) {
      float x = (float)(0.5 * sin(2.0 * M_PI * 440.0 * (double)n / RATE));
      buf[2 * i] = x;
      buf[2 * i + 1] = x;
    }
    rill_sender_write(sender, buf, CHUNK);
    /* Pace in real time: the sender sends a packet as soon as it is full. */
    next.tv_nsec += 10000000;
    if (next.tv_nsec >= 1000000000) {
      next.tv_nsec -= 1000000000;
      next.tv_sec++;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  rill_sender_close(sender);
  if ((status = rill_context_close(ctx)) != RILL_OK) {
    fprintf(stderr, "send_sine: %s\n", rill_status_message(status));
    return 1;
  }
  return 0;
}
