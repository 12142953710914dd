/*
 * Resampler benchmark: CPU cost of one stereo stream per speex quality, for
 * drift compensation only (44.1k -> 44.1k at scaling 1.0003, and exactly 1:1
 * for reference) and for 48k -> 44.1k at scaling 1.0003; the cost of a ratio
 * change (speex recomputes its filter table); the memory speex allocates;
 * and the 1 kHz round-trip SNR 48k -> 44.1k -> 48k per quality.
 *
 * The reader's loop is modelled: 10 ms of output per call (441 frames),
 * pulling exactly resampler_input_needed input frames.
 * "% core" is the share of one core that one 44.1 kHz output stream takes.
 *
 * Usage: bench_resampler [seconds_of_audio]   (default 60)
 */
#include <malloc.h>
#include <math.h>
#include <rill/status.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "audio/resampler.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define OUT_RATE 44100u
#define BLOCK 441u
#define CHANNELS 2u

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fill_sine(float *x, uint32_t frames, uint32_t channels, double freq, double rate)
{
  uint32_t i, c;
  for (i = 0; i < frames; i++)
    for (c = 0; c < channels; c++)
      x[(size_t)i * channels + c] = (float)(0.5 * sin(2 * M_PI * freq * i / rate));
}

static void die(const char *what)
{
  fprintf(stderr, "bench_resampler: %s\n", what);
  exit(1);
}

/* ns per output frame for `seconds` of stereo output at OUT_RATE. */
static double run_stream(uint32_t in_rate, int quality, double scaling, double seconds)
{
  struct rill_resampler rs;
  /* One second of input, looped: contents do not change speex's cost. */
  float *in = malloc(sizeof(float) * CHANNELS * (in_rate + 2 * BLOCK));
  float out[BLOCK * CHANNELS];
  uint32_t in_pos = 0, blocks = (uint32_t)(seconds * OUT_RATE / BLOCK), b;
  double t0, t1;

  if (!in)
    die("out of memory");
  fill_sine(in, in_rate + 2 * BLOCK, CHANNELS, 997.0, in_rate);
  if (resampler_init(&rs, CHANNELS, in_rate, OUT_RATE, quality) != RILL_OK ||
      resampler_set_scaling(&rs, scaling) != RILL_OK)
    die("resampler_init");
  t0 = now_s();
  for (b = 0; b < blocks; b++) {
    uint32_t need = resampler_input_needed(&rs, BLOCK), used, written;
    if (in_pos + need > in_rate)
      in_pos = 0;
    resampler_process(&rs, in + (size_t)in_pos * CHANNELS, need, &used, out, BLOCK, &written);
    if (written != BLOCK)
      die("short output");
    in_pos += used;
  }
  t1 = now_s();
  resampler_deinit(&rs);
  free(in);
  return (t1 - t0) * 1e9 / ((double)blocks * BLOCK);
}

/* Microseconds per effective ratio change (alternating two quanta apart). */
static double ratio_change_us(uint32_t in_rate, int quality)
{
  struct rill_resampler rs;
  const int n = 2000;
  double t0, t1, step;
  int i;
  if (resampler_init(&rs, CHANNELS, in_rate, OUT_RATE, quality) != RILL_OK)
    die("resampler_init");
  step = 2.0 / rs.base_num;
  t0 = now_s();
  for (i = 0; i < n; i++)
    resampler_set_scaling(&rs, 1.0003 + (i & 1) * step);
  t1 = now_s();
  if (rs.stats.ratio_changes != (uint64_t)n)
    die("ratio changes not applied");
  resampler_deinit(&rs);
  return (t1 - t0) * 1e6 / n;
}

/* Heap bytes speex holds for one stereo resampler (mallinfo2; glibc only). */
static long speex_bytes(uint32_t in_rate, int quality, size_t *footprint)
{
  struct rill_resampler rs;
  size_t before, after;
  void *volatile warm = malloc(64);
  free(warm);
  before = mallinfo2().uordblks;
  if (resampler_init(&rs, CHANNELS, in_rate, OUT_RATE, quality) != RILL_OK)
    die("resampler_init");
  after = mallinfo2().uordblks;
  *footprint = resampler_footprint_bytes(&rs);
  resampler_deinit(&rs);
  return (long)after - (long)before;
}

/* 1 kHz mono 48k -> 44.1k -> 48k, SNR against the original (aligned at lag 0). */
static double round_trip_snr_db(int quality)
{
  const uint32_t n = 96000, n_mid = 88200 + 1000;
  float *x = malloc(sizeof(float) * n), *mid = malloc(sizeof(float) * n_mid);
  float *y = malloc(sizeof(float) * n);
  struct rill_resampler there, back;
  uint32_t in_pos = 0, mid_len = 0, out_len = 0, i;
  double sig = 0, err = 0;

  if (!x || !mid || !y)
    die("out of memory");
  fill_sine(x, n, 1, 1000.0, 48000);
  if (resampler_init(&there, 1, 48000, 44100, quality) != RILL_OK ||
      resampler_init(&back, 1, 44100, 48000, quality) != RILL_OK)
    die("resampler_init");
  for (;;) {
    uint32_t need = resampler_input_needed(&there, 441), used, written;
    if (in_pos + need > n || mid_len + 441 > n_mid)
      break;
    resampler_process(&there, x + in_pos, need, &used, mid + mid_len, 441, &written);
    in_pos += used;
    mid_len += written;
  }
  in_pos = 0;
  for (;;) {
    uint32_t need = resampler_input_needed(&back, 480), used, written;
    if (in_pos + need > mid_len || out_len + 480 > n)
      break;
    resampler_process(&back, mid + in_pos, need, &used, y + out_len, 480, &written);
    in_pos += used;
    out_len += written;
  }
  for (i = 12000; i + 12000 < out_len; i++) {
    sig += (double)x[i] * x[i];
    err += ((double)y[i] - x[i]) * ((double)y[i] - x[i]);
  }
  resampler_deinit(&there);
  resampler_deinit(&back);
  free(x);
  free(mid);
  free(y);
  return 10 * log10(sig / err);
}

int main(int argc, char **argv)
{
  static const int qualities[] = {0, 3, 5, 10};
  double seconds = argc > 1 ? atof(argv[1]) : 60.0;
  size_t i;

  if (!(seconds > 0))
    die("usage: bench_resampler [seconds_of_audio]");
  printf("rill resampler (libspeexdsp), one stereo stream, %.0f s of 44.1 kHz output per case,\n"
         "10 ms blocks pulled with resampler_input_needed. %% core = share of one core.\n\n",
         seconds);
  printf("%-7s | %-27s | %-27s | %-27s | %-10s | %-17s | %s\n", "quality",
         "44.1k->44.1k, scaling 1.0003", "44.1k->44.1k, exactly 1:1", "48k->44.1k, scaling 1.0003",
         "ratio chg", "speex heap (B)", "round trip");
  printf("%-7s | %-27s | %-27s | %-27s | %-10s | %-17s | %s\n", "", "ns/frame   % core",
         "ns/frame   % core", "ns/frame   % core", "us/change", "1:1 / 48k->44.1k",
         "SNR 1 kHz");
  for (i = 0; i < sizeof(qualities) / sizeof(qualities[0]); i++) {
    int q = qualities[i];
    double drift = run_stream(44100, q, 1.0003, seconds);
    double exact = run_stream(44100, q, 1.0, seconds);
    double conv = run_stream(48000, q, 1.0003, seconds);
    double change = ratio_change_us(48000, q);
    size_t fp1, fp2;
    long heap1 = speex_bytes(44100, q, &fp1), heap2 = speex_bytes(48000, q, &fp2);
    printf("%-7d | %8.1f   %6.3f %%        | %8.1f   %6.3f %%        | %8.1f   %6.3f %%        | "
           "%8.1f   | %6ld / %6ld   | %5.1f dB\n",
           q, drift, drift * OUT_RATE * 1e-7, exact, exact * OUT_RATE * 1e-7, conv,
           conv * OUT_RATE * 1e-7, change, heap1, heap2, round_trip_snr_db(q));
  }
  printf("\nratio chg: cost of one set_scaling that moves speex's ratio (48k->44.1k);\n"
         "a change within the same quantum (~15 ppm) costs nothing.\n"
         "speex heap: bytes speex allocated at init (mallinfo2), footprint bound reported by\n"
         "resampler_footprint_bytes is equal or larger.\n"
         "Reproduce: cmake -S . -B build && cmake --build build -j2 &&\n"
         "           build/bench/bench_resampler %.0f\n",
         seconds);
  return 0;
}
