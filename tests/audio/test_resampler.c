/*
 * Resampler tests: rate conversion keeps frequency and quality (round trips
 * 48k <-> 44.1k, measured SNR), scaling changes how much input is consumed,
 * the pull API is exact under random block sizes and ratio changes, ratio
 * changes are phase-continuous, and nothing allocates after init.
 */
#include <malloc.h>
#include <math.h>
#ifdef __SANITIZE_ADDRESS__
/* From the ASan runtime (sanitizer/allocator_interface.h, not always installed). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif
#include <rill/status.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/resampler.h"
#include "test_util.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Measured at quality 5 (see the test output): 102.1 dB stereo, 103.6 dB
 * mono, both directions; asserted a little below. */
#define ROUND_TRIP_MIN_SNR_DB 98.0

static float *xcalloc(size_t n)
{
  float *p = calloc(n, sizeof(float));
  assert_non_null(p);
  return p;
}

/* Interleaved sines: channel c has frequency freqs[c], amplitude 0.5. */
static void make_sines(float *x, uint32_t frames, uint32_t channels, const double *freqs,
                       double rate)
{
  uint32_t i, c;
  for (i = 0; i < frames; i++)
    for (c = 0; c < channels; c++)
      x[(size_t)i * channels + c] = (float)(0.5 * sin(2 * M_PI * freqs[c] * i / rate));
}

/*
 * Resample all of `in` through `rs` the way a reader would: ask for `block`
 * output frames at a time, pull exactly resampler_input_needed frames.
 * Stops when the input cannot cover the next block. Returns frames written.
 */
static uint32_t pull_all(struct rill_resampler *rs, const float *in, uint32_t in_frames,
                         float *out, uint32_t out_cap, uint32_t block)
{
  uint32_t ch = rs->channels, in_pos = 0, out_pos = 0;
  while (out_pos + block <= out_cap) {
    uint32_t need = resampler_input_needed(rs, block), used = 0, written = 0;
    if (in_pos + need > in_frames)
      break;
    assert_int_equal(resampler_process(rs, in + (size_t)in_pos * ch, need, &used,
                                       out + (size_t)out_pos * ch, block, &written),
                     RILL_OK);
    if (used != need || written != block)
      fail_msg("pull: used %u of %u, wrote %u of %u", used, need, written, block);
    in_pos += used;
    out_pos += written;
  }
  return out_pos;
}

/* Frequency of channel `c` from its upward zero crossings (linear interpolation). */
static double measure_freq(const float *x, uint32_t from, uint32_t to, uint32_t channels,
                           uint32_t c, double rate)
{
  double first = -1, last = -1;
  long crossings = 0;
  uint32_t i;
  for (i = from + 1; i < to; i++) {
    double a = x[(size_t)(i - 1) * channels + c], b = x[(size_t)i * channels + c];
    if (a < 0 && b >= 0) {
      double t = (i - 1) + a / (a - b);
      if (first < 0)
        first = t;
      last = t;
      crossings++;
    }
  }
  assert_true(crossings > 10);
  return (double)(crossings - 1) / (last - first) * rate;
}

/* SNR in dB of `y` against `x` over frames [from, to), y shifted by `lag` frames. */
static double snr_db(const float *x, const float *y, uint32_t from, uint32_t to, uint32_t channels,
                     int lag)
{
  double sig = 0, err = 0;
  size_t i, n0 = (size_t)from * channels, n1 = (size_t)to * channels;
  for (i = n0; i < n1; i++) {
    double a = x[i], b = y[(size_t)((long)i + (long)lag * (long)channels)];
    sig += a * a;
    err += (a - b) * (a - b);
  }
  return 10 * log10(sig / (err > 1e-30 ? err : 1e-30));
}

/*
 * rate_a -> rate_b -> rate_a at quality 5: the frequency survives each leg
 * and the round trip matches the original at lag 0 (the resampler starts
 * aligned) with a high SNR.
 */
static void round_trip(uint32_t rate_a, uint32_t rate_b, uint32_t channels)
{
  static const double freqs[2] = {1000.0, 1500.0};
  const uint32_t frames = 2 * rate_a, mid_frames = 2 * rate_b + 1000;
  float *x = xcalloc((size_t)frames * channels), *mid = xcalloc((size_t)mid_frames * channels);
  float *y = xcalloc((size_t)frames * channels);
  struct rill_resampler there, back;
  uint32_t n_mid, n_out, c;
  double best = -1e9;
  int lag, best_lag = 99;

  make_sines(x, frames, channels, freqs, rate_a);
  assert_int_equal(resampler_init(&there, channels, rate_a, rate_b, 5), RILL_OK);
  assert_int_equal(resampler_init(&back, channels, rate_b, rate_a, 5), RILL_OK);
  n_mid = pull_all(&there, x, frames, mid, mid_frames, rate_b / 100);
  n_out = pull_all(&back, mid, n_mid, y, frames, rate_a / 100);
  assert_true(n_mid > rate_b * 19 / 10);
  assert_true(n_out > rate_a * 18 / 10);
  assert_int_equal(there.stats.position_resyncs + back.stats.position_resyncs, 0);

  for (c = 0; c < channels; c++) {
    double f_mid = measure_freq(mid, rate_b / 10, n_mid - rate_b / 10, channels, c, rate_b);
    double f_out = measure_freq(y, rate_a / 10, n_out - rate_a / 10, channels, c, rate_a);
    print_message("  %u->%u ch%u: %.4f Hz at %u, %.4f Hz back at %u\n", rate_a, rate_b, c,
                  f_mid, rate_b, f_out, rate_a);
    if (fabs(f_mid - freqs[c]) > 0.5 || fabs(f_out - freqs[c]) > 0.5)
      fail_msg("frequency moved: %.4f / %.4f Hz, expected %.1f", f_mid, f_out, freqs[c]);
  }
  for (lag = -4; lag <= 4; lag++) {
    double s = snr_db(x, y, rate_a / 4, n_out - rate_a / 4, channels, lag);
    if (s > best) {
      best = s;
      best_lag = lag;
    }
  }
  print_message("  %u->%u->%u, %u ch, quality 5: SNR %.1f dB at lag %d\n", rate_a, rate_b,
                rate_a, channels, best, best_lag);
  assert_int_equal(best_lag, 0);
  if (best < ROUND_TRIP_MIN_SNR_DB)
    fail_msg("round-trip SNR %.1f dB < %.1f dB", best, ROUND_TRIP_MIN_SNR_DB);
  resampler_deinit(&there);
  resampler_deinit(&back);
  free(x);
  free(mid);
  free(y);
}

static void resampler_round_trip_48k_44k_mono(void **state)
{
  (void)state;
  round_trip(48000, 44100, 1);
}

static void resampler_round_trip_48k_44k_stereo(void **state)
{
  (void)state;
  round_trip(48000, 44100, 2);
}

static void resampler_round_trip_44k_48k_mono(void **state)
{
  (void)state;
  round_trip(44100, 48000, 1);
}

static void resampler_round_trip_44k_48k_stereo(void **state)
{
  (void)state;
  round_trip(44100, 48000, 2);
}

/* Input consumed for one second of output at `scaling`, minus the filter's look-ahead. */
static double consumed_per_second(uint32_t in_rate, uint32_t out_rate, double scaling)
{
  struct rill_resampler rs;
  float *in = xcalloc(2 * (size_t)in_rate * 2), *out = xcalloc((size_t)out_rate / 100 * 2);
  uint64_t consumed = 0;
  uint32_t i, latency;
  assert_int_equal(resampler_init(&rs, 2, in_rate, out_rate, 5), RILL_OK);
  assert_int_equal(resampler_set_scaling(&rs, scaling), RILL_OK);
  for (i = 0; i < 100; i++) {
    uint32_t need = resampler_input_needed(&rs, out_rate / 100), used, written;
    assert_int_equal(resampler_process(&rs, in, need, &used, out, out_rate / 100, &written),
                     RILL_OK);
    assert_int_equal(used, need);
    assert_int_equal(written, out_rate / 100);
    consumed += used;
  }
  latency = resampler_latency_frames(&rs);
  resampler_deinit(&rs);
  free(in);
  free(out);
  return (double)consumed - latency;
}

static void resampler_scaling_consumes_more_input(void **state)
{
  static const uint32_t pairs[2][2] = {{44100, 44100}, {48000, 44100}};
  int i;
  (void)state;
  for (i = 0; i < 2; i++) {
    uint32_t in_rate = pairs[i][0], out_rate = pairs[i][1];
    double nominal = consumed_per_second(in_rate, out_rate, 1.0);
    double scaled = consumed_per_second(in_rate, out_rate, 1.001);
    print_message("  %u->%u: 1 s of output consumed %.0f input frames at 1.0, %.0f at 1.001\n",
                  in_rate, out_rate, nominal, scaled);
    /* The last output reads one frame past its position: +1. */
    if (fabs(nominal - in_rate) > 2)
      fail_msg("scaling 1: consumed %.0f, expected %u", nominal, in_rate);
    if (fabs(scaled - in_rate * 1.001) > 3)
      fail_msg("scaling 1.001: consumed %.0f, expected %.1f", scaled, in_rate * 1.001);
  }
}

/*
 * Random output block sizes (1..700 frames) with a random scaling every few
 * blocks: every call takes exactly resampler_input_needed frames and writes
 * exactly the frames asked, at every quality and for up- and downsampling.
 * At quality 10 the scalings cross points where speex changes the filter
 * length, which the position mirror must follow.
 */
static void resampler_pull_is_exact(void **state)
{
  static const int qualities[] = {0, 3, 5, 10};
  static const uint32_t rates[3][2] = {{48000, 48000}, {48000, 44100}, {44100, 48000}};
  float *in = xcalloc(2000 * 2), *out = xcalloc(2000 * 2);
  uint64_t rng = 12345;
  size_t q, r;
  uint32_t ch;
  (void)state;
  for (q = 0; q < 4; q++)
    for (r = 0; r < 3; r++)
      for (ch = 1; ch <= 2; ch++) {
        struct rill_resampler rs;
        int i;
        assert_int_equal(resampler_init(&rs, ch, rates[r][0], rates[r][1], qualities[q]),
                         RILL_OK);
        for (i = 0; i < 3000; i++) {
          uint32_t need, used, written, block;
          rng = rng * 6364136223846793005ull + 1442695040888963407ull;
          block = 1 + (uint32_t)((rng >> 33) % 700);
          if (i % 5 == 0) {
            double s = 1.0 + ((double)((rng >> 20) % 2001) - 1000.0) * 1e-5; /* +-1% */
            assert_int_equal(resampler_set_scaling(&rs, s), RILL_OK);
          }
          need = resampler_input_needed(&rs, block);
          assert_true(need <= 2000);
          assert_int_equal(resampler_process(&rs, in, need, &used, out, block, &written),
                           RILL_OK);
          if (used != need || written != block)
            fail_msg("q%d %u->%u %u ch, call %d: used %u of %u, wrote %u of %u", qualities[q],
                     rates[r][0], rates[r][1], ch, i, used, need, written, block);
        }
        assert_int_equal(rs.stats.position_resyncs, 0);
        if (qualities[q] == 10 && r == 0)
          assert_true(rs.stats.filter_resizes > 0); /* the filter-change path ran */
        resampler_deinit(&rs);
      }
  free(in);
  free(out);
}

/*
 * Scaling swept from 0.995 to 1.005 in 10 ms steps while a 1 kHz sine is
 * resampled one output frame at a time: each output must equal the sine at
 * the input position the resampler reports (total taken - buffered), so a
 * ratio change neither skips nor repeats input.
 */
static void resampler_scaling_changes_are_phase_continuous(void **state)
{
  static const int qualities[] = {5, 10};
  const uint32_t frames = 48000 * 2 + 1000;
  const double f = 1000.0;
  float *in = xcalloc(frames);
  size_t q;
  (void)state;
  for (q = 0; q < 2; q++) {
    struct rill_resampler rs;
    uint32_t in_pos = 0, n;
    double sig = 0, err = 0, snr;
    make_sines(in, frames, 1, &f, 48000);
    assert_int_equal(resampler_init(&rs, 1, 48000, 44100, qualities[q]), RILL_OK);
    for (n = 0; n < 44100; n++) {
      uint32_t need, used, written;
      float y;
      double pos;
      if (n % 441 == 0)
        assert_int_equal(resampler_set_scaling(&rs, 0.995 + 0.01 * n / 44100.0), RILL_OK);
      /* Position of the next output: input taken so far, minus what is buffered. */
      pos = in_pos - resampler_buffered_frames(&rs);
      need = resampler_input_needed(&rs, 1);
      assert_int_equal(resampler_process(&rs, in + in_pos, need, &used, &y, 1, &written),
                       RILL_OK);
      assert_int_equal(written, 1);
      in_pos += used;
      if (n >= 441) {
        double expect = 0.5 * sin(2 * M_PI * f * pos / 48000.0);
        sig += expect * expect;
        err += (y - expect) * (y - expect);
      }
    }
    snr = 10 * log10(sig / err);
    print_message("  quality %d, scaling swept 0.995..1.005: SNR %.1f dB vs ideal, %lu ratio "
                  "changes, %lu filter resizes\n",
                  qualities[q], snr, (unsigned long)rs.stats.ratio_changes,
                  (unsigned long)rs.stats.filter_resizes);
    assert_int_equal(rs.stats.position_resyncs, 0);
    if (snr < 60)
      fail_msg("quality %d: SNR %.1f dB under ratio changes", qualities[q], snr);
    resampler_deinit(&rs);
  }
  free(in);
}

/*
 * Bytes allocated on the heap right now: glibc's count, or ASan's when its
 * allocator replaces glibc's (mallinfo2 then reads 0).
 */
static size_t heap_bytes(void)
{
#ifdef __SANITIZE_ADDRESS__
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

/*
 * After init, a sweep of every scaling in range and processing never grows
 * the heap; init's footprint figure bounds what speex really allocated.
 */
static void resampler_allocates_only_at_init(void **state)
{
  static const int qualities[] = {0, 3, 5, 10};
  static const uint32_t rates[3][2] = {{48000, 48000}, {48000, 44100}, {44100, 48000}};
  float *buf = xcalloc(4000 * 2), *out = xcalloc(1000 * 2);
  size_t q, r;
  (void)state;
  for (q = 0; q < 4; q++)
    for (r = 0; r < 3; r++) {
      struct rill_resampler rs;
      size_t h0, h1, h2;
      int i;
      h0 = heap_bytes();
      assert_int_equal(resampler_init(&rs, 2, rates[r][0], rates[r][1], qualities[q]), RILL_OK);
      h1 = heap_bytes();
      for (i = -1000; i <= 1000; i += 7) {
        uint32_t need, used, written;
        assert_int_equal(resampler_set_scaling(&rs, 1.0 + i * 1e-5), RILL_OK);
        need = resampler_input_needed(&rs, 441);
        assert_int_equal(resampler_process(&rs, buf, need, &used, out, 441, &written), RILL_OK);
      }
      assert_int_equal(resampler_set_scaling(&rs, 1.0 + RESAMPLER_MAX_DEVIATION), RILL_OK);
      assert_int_equal(resampler_set_scaling(&rs, 1.0 - RESAMPLER_MAX_DEVIATION), RILL_OK);
      h2 = heap_bytes();
      print_message("  q%-2d %u->%u stereo: speex holds %zu bytes (footprint bound %zu)\n",
                    qualities[q], rates[r][0], rates[r][1], h1 - h0,
                    resampler_footprint_bytes(&rs));
      if (h2 != h1)
        fail_msg("heap moved after init: %zu -> %zu bytes", h1, h2);
      if (h1 - h0 > resampler_footprint_bytes(&rs))
        fail_msg("speex holds %zu bytes, footprint says %zu", h1 - h0,
                 resampler_footprint_bytes(&rs));
      resampler_deinit(&rs);
    }
  free(buf);
  free(out);
}

static void resampler_rejects_bad_arguments(void **state)
{
  struct rill_resampler rs;
  float x[4] = {0};
  uint32_t used, written;
  (void)state;
  assert_int_equal(resampler_init(&rs, 0, 48000, 48000, 5), RILL_EINVAL);
  assert_int_equal(resampler_init(&rs, 9, 48000, 48000, 5), RILL_EINVAL);
  assert_int_equal(resampler_init(&rs, 2, 0, 48000, 5), RILL_EINVAL);
  assert_int_equal(resampler_init(&rs, 2, 48000, 800000, 5), RILL_EINVAL);
  assert_int_equal(resampler_init(&rs, 2, 48000, 48000, 11), RILL_EINVAL);
  assert_int_equal(resampler_init(&rs, 2, 48000, 48000, -1), RILL_EINVAL);
  assert_int_equal(resampler_init(&rs, 2, 640000, 8000, 5), RILL_EINVAL); /* ratio 80 */
  resampler_deinit(&rs);                                                  /* harmless */

  assert_int_equal(resampler_init(&rs, 2, 48000, 44100, 3), RILL_OK);
  assert_int_equal(resampler_set_scaling(&rs, 1.02), RILL_EINVAL);
  assert_int_equal(resampler_set_scaling(&rs, 0.98), RILL_EINVAL);
  assert_int_equal(resampler_set_scaling(&rs, NAN), RILL_EINVAL);
  assert_true(resampler_scaling(&rs) == 1.0);
  assert_int_equal(resampler_process(&rs, NULL, 2, &used, x, 1, &written), RILL_EINVAL);
  assert_int_equal(resampler_process(&rs, x, 1, &used, NULL, 1, &written), RILL_EINVAL);
  /* Nothing in, nothing out. */
  assert_int_equal(resampler_process(&rs, NULL, 0, &used, x, 1, &written), RILL_OK);
  assert_int_equal(used, 0);
  assert_int_equal(written, 0);
  assert_int_equal(resampler_input_needed(&rs, 0), 0);
  resampler_deinit(&rs);
  resampler_deinit(&rs); /* idempotent */
}

/* Scaling is quantized to 1/base_num; 1.0 is exact; the reported value is the applied one. */
static void resampler_quantizes_scaling(void **state)
{
  struct rill_resampler rs;
  (void)state;
  assert_int_equal(resampler_init(&rs, 1, 48000, 44100, 5), RILL_OK);
  assert_int_equal(rs.ratio_num, 160);
  assert_int_equal(rs.ratio_den, 147);
  assert_int_equal(resampler_set_scaling(&rs, 1.0005), RILL_OK);
  assert_true(fabs(resampler_scaling(&rs) - 1.0005) <= 0.5 / rs.base_num + 1e-12);
  assert_int_equal(rs.stats.ratio_changes, 1);
  /* Within the same quantum: no speex call. */
  assert_int_equal(resampler_set_scaling(&rs, resampler_scaling(&rs) + 0.1 / rs.base_num),
                   RILL_OK);
  assert_int_equal(rs.stats.ratio_changes, 1);
  assert_int_equal(resampler_set_scaling(&rs, 1.0), RILL_OK);
  assert_true(resampler_scaling(&rs) == 1.0);
  assert_int_equal(rs.ratio_num, 160);
  assert_int_equal(rs.ratio_den, 147);
  resampler_deinit(&rs);
}

/* Buffered input starts at 0 and settles near the filter delay. */
static void resampler_reports_latency(void **state)
{
  struct rill_resampler rs;
  float in[2000] = {0}, out[441];
  uint32_t used, written, need;
  int i;
  (void)state;
  assert_int_equal(resampler_init(&rs, 1, 48000, 44100, 5), RILL_OK);
  assert_int_equal(resampler_latency_frames(&rs), 44); /* 88 taps at quality 5, 160/147 */
  assert_true(resampler_buffered_frames(&rs) == 0.0);
  for (i = 0; i < 10; i++) {
    need = resampler_input_needed(&rs, 441);
    assert_int_equal(resampler_process(&rs, in, need, &used, out, 441, &written), RILL_OK);
    assert_true(fabs(resampler_buffered_frames(&rs) - 44) <= 2);
  }
  resampler_deinit(&rs);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(resampler_round_trip_48k_44k_mono),
      cmocka_unit_test(resampler_round_trip_48k_44k_stereo),
      cmocka_unit_test(resampler_round_trip_44k_48k_mono),
      cmocka_unit_test(resampler_round_trip_44k_48k_stereo),
      cmocka_unit_test(resampler_scaling_consumes_more_input),
      cmocka_unit_test(resampler_pull_is_exact),
      cmocka_unit_test(resampler_scaling_changes_are_phase_continuous),
      cmocka_unit_test(resampler_allocates_only_at_init),
      cmocka_unit_test(resampler_rejects_bad_arguments),
      cmocka_unit_test(resampler_quantizes_scaling),
      cmocka_unit_test(resampler_reports_latency),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
