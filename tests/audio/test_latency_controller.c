/*
 * Latency controller tests, in closed loop with a simulated queue and in
 * simulated time (no sleeps, no clock).
 *
 * The simulation: the sender's clock runs `drift_ppm` fast or slow; it
 * sends 5 ms packets (240 frames at 48 kHz) which arrive with a uniform
 * jitter of +-1 ms (fixed-seed PRNG). Playback starts when the queue holds
 * the target (40 ms), like the depacketizer. Every 10 ms of our clock the
 * reader measures the queue, asks the controller for a scaling and consumes
 * 480 * scaling input frames: the resampler modelled as consuming exactly
 * out_frames * scaling, with the scaling quantized to 1/65535 as the
 * resampler applies it at 1:1.
 *
 * Two measurements are fed to the controller:
 *  - raw: the queued frames. Sampled at reads, packet arrivals make it a
 *    sawtooth one packet (5 ms) high whose period is packet / drift (10 s at
 *    500 ppm, 5 s at 1000 ppm); the test judges it by a 10 s moving average,
 *    which spans whole periods of that sawtooth at the drifts tested.
 *  - aged: the queued frames plus the time since the newest packet arrived
 *    (what the receiver can compute from rill_packet.recv_ns), which has no
 *    sawtooth; judged by a 1 s moving average.
 * Besides, "true latency" is how long ago (in real time) the sender
 * produced the frame being played: it has no measurement artefact at all,
 * and after convergence it must not wander.
 */
#include <math.h>
#include <rill/status.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/latency_controller.h"
#include "test_util.h"

#define RATE 48000.0
#define PACKET_FRAMES 240.0
#define READ_FRAMES 480.0
#define READ_S 0.01
#define TARGET_NS ((int64_t)40000000)
#define JITTER_S 0.001
#define SCALING_QUANTUM (1.0 / 65535.0)

/* Requirements asserted for every drift in [-1000, +1000] ppm. */
#define CONVERGE_WITHIN_S 30.0 /* averaged latency within +-1 ms by then */
#define STAY_WITHIN_MS 2.0     /* and within +-2 ms ever after */
#define STEADY_FROM_S 120.0    /* "steady state" starts here */
#define MAX_SCALING_RATE 1e-5  /* per second, in steady state */

struct sim_config {
  double drift_ppm;
  bool aged;          /* feed queued + age of the newest packet */
  double seconds;
  double jump_at_s;   /* if > 0: the queue loses `jump_ms` at this time */
  double jump_ms;
};

struct sim_result {
  double settled_s;        /* from then on the averaged error stays within 1 ms */
  double peak_err_ms;      /* max |averaged error|, transient included */
  double max_err_after_ms; /* max |averaged error| after CONVERGE_WITHIN_S */
  double max_err_steady_ms;
  double true_range_ms;    /* max - min true latency in steady state */
  double max_rate;         /* max |scaling change| over 1 s in steady state */
  double reconverged_s;    /* after the jump: time until within 1 ms again (-1: never) */
  uint64_t underruns;
  struct rill_latctl_state st;
};

static uint64_t rng_state;

static double urand(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

/* Arrival time (s, our clock) of packet j: sent at its end on the sender's clock. */
static double arrival_s(long j, double drift)
{
  return (double)(j + 1) * (PACKET_FRAMES / RATE) / (1.0 + drift) + JITTER_S * (2 * urand() - 1);
}

static void simulate(const struct sim_config *cfg, struct rill_latctl *ctl, struct sim_result *r)
{
  static double window[1000];
  const double drift = cfg->drift_ppm * 1e-6, target_s = (double)TARGET_NS * 1e-9;
  const long window_len = cfg->aged ? 100 : 1000, steps = (long)(cfg->seconds / READ_S);
  double queued = 0, consumed = 0, next_arrival, last_arrival = 0, t0, sum = 0;
  double true_min = 1e9, true_max = -1e9, scaling = 1.0, scaling_1s_ago = 1.0;
  long j = 0, k;

  memset(r, 0, sizeof(*r));
  r->reconverged_s = -1;
  rng_state = 0x9E3779B97F4A7C15ull;
  next_arrival = arrival_s(0, drift);
  /* Prime like the depacketizer: start when the target is queued. */
  while (queued < target_s * RATE) {
    queued += PACKET_FRAMES;
    last_arrival = next_arrival;
    next_arrival = arrival_s(++j, drift);
  }
  t0 = last_arrival;

  for (k = 0; k < steps; k++) {
    double now = t0 + (double)k * READ_S, ts = (double)k * READ_S, latency, avg, err_ms, take;
    long n;
    while (next_arrival <= now) {
      queued += PACKET_FRAMES;
      last_arrival = next_arrival;
      next_arrival = arrival_s(++j, drift);
    }
    if (cfg->jump_at_s > 0 && k == (long)(cfg->jump_at_s / READ_S))
      queued -= cfg->jump_ms * 1e-3 * RATE;
    latency = queued / RATE + (cfg->aged ? now - last_arrival : 0);
    scaling = latctl_update(ctl, (int64_t)llround(latency * 1e9),
                            (int64_t)llround(now * 1e9) + 1000000000);
    take = READ_FRAMES * (round(scaling / SCALING_QUANTUM) * SCALING_QUANTUM);
    queued -= take;
    consumed += take;
    if (queued < 0) {
      r->underruns++;
      queued = 0;
    }

    /* Judge the measurement by its moving average. */
    sum += latency - window[k % window_len] * (k >= window_len);
    window[k % window_len] = latency;
    n = k + 1 < window_len ? k + 1 : window_len;
    avg = sum / (double)n;
    err_ms = (avg - target_s) * 1e3;
    if (cfg->jump_at_s > 0 && ts >= cfg->jump_at_s) {
      /* After the jump (measured on the window refilled since): recovery time. */
      if (r->reconverged_s < 0 && ts >= cfg->jump_at_s + (double)window_len * READ_S &&
          fabs(err_ms) <= 1.0)
        r->reconverged_s = ts - cfg->jump_at_s;
    } else {
      if (fabs(err_ms) > 1.0)
        r->settled_s = ts + READ_S;
      r->peak_err_ms = fmax(r->peak_err_ms, fabs(err_ms));
      if (ts >= CONVERGE_WITHIN_S)
        r->max_err_after_ms = fmax(r->max_err_after_ms, fabs(err_ms));
    }
    if (ts >= STEADY_FROM_S && !(cfg->jump_at_s > 0)) {
      /* The frame now played was produced at consumed / (RATE (1 + drift)). */
      double true_latency = now - consumed / (RATE * (1.0 + drift));
      true_min = fmin(true_min, true_latency);
      true_max = fmax(true_max, true_latency);
      r->max_err_steady_ms = fmax(r->max_err_steady_ms, fabs(err_ms));
      if (k % 100 == 0)
        r->max_rate = fmax(r->max_rate, fabs(scaling - scaling_1s_ago));
    }
    if (k % 100 == 0)
      scaling_1s_ago = scaling;
  }
  r->true_range_ms = true_max >= true_min ? (true_max - true_min) * 1e3 : 0;
  latctl_state(ctl, &r->st);
}

static void run_drift(double drift_ppm, bool aged, struct sim_result *r)
{
  struct rill_latctl ctl;
  struct sim_config cfg = {drift_ppm, aged, 300.0, 0, 0};
  assert_int_equal(latctl_init(&ctl, TARGET_NS, NULL), RILL_OK);
  simulate(&cfg, &ctl, r);
  print_message("  %+6.0f ppm %-4s: peak error %.2f ms, within 1 ms for good from %5.2f s, "
                "max %.2f ms after %.0f s; steady: max %.3f ms, true latency range %.3f ms, "
                "max |ds|/s %.1e, drift estimate %+.1f ppm\n",
                drift_ppm, aged ? "aged" : "raw", r->peak_err_ms, r->settled_s, r->max_err_after_ms,
                CONVERGE_WITHIN_S, r->max_err_steady_ms, r->true_range_ms, r->max_rate,
                r->st.drift_estimate * 1e6);
}

static void check_drift(double drift_ppm, bool aged)
{
  struct sim_result r;
  run_drift(drift_ppm, aged, &r);
  assert_int_equal(r.underruns, 0);
  /* Settled: within 1 ms from some time <= 30 s to the end (so within 2 ms too). */
  if (r.settled_s > CONVERGE_WITHIN_S)
    fail_msg("%+.0f ppm: not settled within 1 ms by %.0f s (from %.2f s)", drift_ppm,
             CONVERGE_WITHIN_S, r.settled_s);
  if (r.max_err_after_ms > STAY_WITHIN_MS)
    fail_msg("%+.0f ppm: error reached %.2f ms after %.0f s", drift_ppm, r.max_err_after_ms,
             CONVERGE_WITHIN_S);
  if (r.max_rate > MAX_SCALING_RATE)
    fail_msg("%+.0f ppm: scaling moved %.2e in 1 s in steady state", drift_ppm, r.max_rate);
  if (r.true_range_ms > 1.0)
    fail_msg("%+.0f ppm: true latency wandered over %.3f ms in steady state", drift_ppm,
             r.true_range_ms);
  if (fabs(r.st.drift_estimate * 1e6 - drift_ppm) > 10)
    fail_msg("%+.0f ppm: drift estimate %+.1f ppm", drift_ppm, r.st.drift_estimate * 1e6);
  assert_int_equal(r.st.saturated_updates, 0);
  assert_int_equal(r.st.relocks, 0);
  /* Narrowed to track (60 s). */
  assert_true(llabs(r.st.loop_tau_ns - (int64_t)60000000000) < 1000000000);
}

static void latctl_holds_latency_at_zero_drift(void **state)
{
  struct sim_result r;
  (void)state;
  check_drift(0, false);
  check_drift(0, true);
  /* No wander: within 1 ms from the start, both ways of measuring. */
  run_drift(0, false, &r);
  if (r.peak_err_ms > 1.0)
    fail_msg("0 ppm raw: error reached %.2f ms", r.peak_err_ms);
  run_drift(0, true, &r);
  if (r.peak_err_ms > 1.0)
    fail_msg("0 ppm aged: error reached %.2f ms", r.peak_err_ms);
}

static void latctl_follows_fast_sender_500ppm(void **state)
{
  (void)state;
  check_drift(500, false);
  check_drift(500, true);
}

static void latctl_follows_slow_sender_500ppm(void **state)
{
  (void)state;
  check_drift(-500, false);
  check_drift(-500, true);
}

static void latctl_follows_fast_sender_1000ppm(void **state)
{
  (void)state;
  check_drift(1000, false);
  check_drift(1000, true);
}

static void latctl_follows_slow_sender_1000ppm(void **state)
{
  (void)state;
  check_drift(-1000, false);
  check_drift(-1000, true);
}

/* A 1% drift is beyond the 0.5% clamp: the output pins at the limit, reported. */
static void latctl_reports_saturation(void **state)
{
  static const double drifts[2] = {10000, -10000};
  int i;
  (void)state;
  for (i = 0; i < 2; i++) {
    struct rill_latctl ctl;
    struct sim_config cfg = {drifts[i], true, 60.0, 0, 0};
    struct sim_result r;
    assert_int_equal(latctl_init(&ctl, TARGET_NS, NULL), RILL_OK);
    simulate(&cfg, &ctl, &r);
    print_message("  %+.0f ppm: saturated %d, %lu of %lu updates, scaling %.4f, error %.1f ms\n",
                  drifts[i], r.st.saturated, (unsigned long)r.st.saturated_updates,
                  (unsigned long)r.st.updates, r.st.scaling, r.st.error_ns * 1e-6);
    assert_true(r.st.saturated);
    assert_true(r.st.saturated_updates > r.st.updates / 2);
    assert_true(r.st.scaling == (i == 0 ? 1.005 : 0.995));
    /* No windup: the integral stays within the clamp. */
    assert_true(fabs(r.st.drift_estimate) <= 0.005);
  }
}

/* A sudden 20 ms drop (network path change) widens the loop and is recovered quickly. */
static void latctl_relocks_after_latency_jump(void **state)
{
  struct rill_latctl ctl;
  struct sim_config cfg = {500, true, 200.0, 150.0, 20.0};
  struct sim_result r;
  (void)state;
  assert_int_equal(latctl_init(&ctl, TARGET_NS, NULL), RILL_OK);
  simulate(&cfg, &ctl, &r);
  print_message("  20 ms drop at 150 s: %lu relock(s), back within 1 ms after %.2f s\n",
                (unsigned long)r.st.relocks, r.reconverged_s);
  assert_int_equal(r.underruns, 0);
  assert_int_equal(r.st.relocks, 1);
  assert_true(r.reconverged_s >= 0 && r.reconverged_s <= CONVERGE_WITHIN_S);
}

/* A new target after +500 ppm was found (playback primed again): the
 * drift estimate is kept and is the whole output at first (no
 * proportional kick from the error against the old target), the
 * filters start at the first measurement, and held at the new target the
 * output stays exactly on the drift. */
static void latctl_retarget_keeps_the_drift_estimate(void **state)
{
  struct rill_latctl ctl;
  struct sim_result r;
  struct rill_latctl_state st;
  struct sim_config cfg = {500, true, 120.0, 0, 0};
  int64_t t0 = (int64_t)200 * 1000000000, t, new_target = TARGET_NS + 7 * 1000000;
  double drift, s;
  (void)state;
  assert_int_equal(latctl_init(&ctl, TARGET_NS, NULL), RILL_OK);
  simulate(&cfg, &ctl, &r);
  drift = r.st.drift_estimate;
  assert_true(fabs(drift - 500e-6) < 20e-6);
  latctl_retarget(&ctl, new_target);
  latctl_state(&ctl, &st);
  assert_int_equal(st.target_ns, new_target);
  assert_true(st.drift_estimate == drift);
  assert_true(st.scaling == 1.0 + drift);
  /* The first measurement only starts the filters. */
  assert_true(latctl_update(&ctl, new_target, t0) == 1.0 + drift);
  /* Ten seconds held at the new target: the output stays the drift. */
  for (t = 1; t <= 1000; t++) {
    s = latctl_update(&ctl, new_target, t0 + t * 10000000);
    assert_true(fabs(s - 1.0 - drift) < 1e-9);
  }
}

/* Same inputs, same outputs; time that does not advance changes nothing. */
static void latctl_is_deterministic(void **state)
{
  struct rill_latctl a, b;
  int64_t t;
  (void)state;
  assert_int_equal(latctl_init(&a, TARGET_NS, NULL), RILL_OK);
  assert_int_equal(latctl_init(&b, TARGET_NS, NULL), RILL_OK);
  for (t = 0; t < 1000; t++) {
    int64_t lat = TARGET_NS + (t % 7) * 1000000 - 2000000;
    double sa = latctl_update(&a, lat, t * 10000000), sb = latctl_update(&b, lat, t * 10000000);
    assert_true(sa == sb);
  }
  {
    double before = latctl_update(&a, TARGET_NS, (int64_t)999 * 10000000);
    double again = latctl_update(&a, TARGET_NS + 50000000, (int64_t)999 * 10000000);
    assert_true(before == again);
  }
}

static void latctl_rejects_bad_params(void **state)
{
  struct rill_latctl ctl;
  struct rill_latctl_params p;
  struct rill_latctl_state st;
  double scaling = 0;
  int64_t t;
  (void)state;
  assert_int_equal(latctl_init(&ctl, 0, NULL), RILL_EINVAL);
  latctl_params_default(&p);
  p.max_deviation = 0.02;
  assert_int_equal(latctl_init(&ctl, TARGET_NS, &p), RILL_EINVAL);
  latctl_params_default(&p);
  p.max_deviation = -0.001;
  assert_int_equal(latctl_init(&ctl, TARGET_NS, &p), RILL_EINVAL);
  latctl_params_default(&p);
  p.track_tau_ns = p.acquire_tau_ns / 2;
  assert_int_equal(latctl_init(&ctl, TARGET_NS, &p), RILL_EINVAL);
  latctl_params_default(&p);
  p.damping = -1;
  assert_int_equal(latctl_init(&ctl, TARGET_NS, &p), RILL_EINVAL);

  /* Zero fields take the defaults; a fresh controller says 1. */
  memset(&p, 0, sizeof(p));
  p.max_deviation = 0.002;
  assert_int_equal(latctl_init(&ctl, TARGET_NS, &p), RILL_OK);
  assert_true(latctl_update(&ctl, TARGET_NS, 0) == 1.0);
  latctl_state(&ctl, &st);
  assert_true(st.scaling == 1.0);
  assert_int_equal(st.target_ns, TARGET_NS);
  assert_int_equal(st.loop_tau_ns, ctl.params.acquire_tau_ns);
  /* A huge error clamps at the configured 0.2%. */
  for (t = 1; t <= 100; t++)
    scaling = latctl_update(&ctl, TARGET_NS * 10, t * 10000000);
  assert_true(scaling == 1.002);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(latctl_holds_latency_at_zero_drift),
      cmocka_unit_test(latctl_follows_fast_sender_500ppm),
      cmocka_unit_test(latctl_follows_slow_sender_500ppm),
      cmocka_unit_test(latctl_follows_fast_sender_1000ppm),
      cmocka_unit_test(latctl_follows_slow_sender_1000ppm),
      cmocka_unit_test(latctl_reports_saturation),
      cmocka_unit_test(latctl_relocks_after_latency_jump),
      cmocka_unit_test(latctl_retarget_keeps_the_drift_estimate),
      cmocka_unit_test(latctl_is_deterministic),
      cmocka_unit_test(latctl_rejects_bad_params),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
