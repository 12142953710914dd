/*
 * Latency controller: PI loop with a narrowing bandwidth.
 *
 * Model. The latency L (seconds of input audio queued) changes as
 *   dL/dt = (1 + d) - s
 * where d is the sender's clock offset (+500 ppm: it sends 0.05% more audio
 * per second than we play) and s the scaling (input consumed per output
 * frame, relative to nominal). With e = L - target and
 *   s = 1 + Kp e + I,   dI/dt = Ki e
 * the closed loop is e'' + Kp e' + Ki e = d' : a constant drift leaves no
 * error, and I converges to d (the drift estimate). Written with a natural
 * frequency w and damping z: Kp = 2 z w, Ki = w^2. This is the second-order
 * DLL of Adriaensen's "Using a DLL to filter time" (PipeWire's spa_dll) in
 * controller form; we choose the PI reading because its integral term is
 * the drift, which bounds, reports and survives gain changes directly.
 *
 * Measurement. The queue is sampled once per read, so it jumps by a packet
 * each time one arrives; sampled at reads, that becomes a sawtooth one packet
 * high whose period is packet / drift (5 ms packets: 10 s at 500 ppm, 5 s
 * at 1000 ppm, 100 s at 50 ppm). The loop sees the latency through two
 * cascaded one-pole low-passes with time constant filter_ratio / w (one
 * tenth of the loop's), which costs 23 degrees of phase margin at any
 * bandwidth (margin 53 degrees with z = 1) and removes most of the sawtooth
 * once the loop is narrow. A slow sawtooth (drift under ~200 ppm) is
 * slower than any filter that lets the loop lock in seconds: the loop
 * follows it, and the real latency wanders over minutes (simulated, 5 ms
 * packets: by 1-1.4 ms at +-100 ppm, 2 ms at 50 ppm).
 * Callers should therefore pass the queued latency plus the age of the
 * newest packet (now - its rill_packet.recv_ns): that has no sawtooth and
 * the loop then holds the latency within 0.3 ms at any drift (simulated).
 *
 * Gains (defaults; tests/audio/test_latency_controller.c checks them in a
 * closed loop at 0, +-500 and +-1000 ppm with +-1 ms jitter):
 *  - acquire: w = 1/2.5 s, z = 1: Kp = 0.8/s, Ki = 0.16/s^2, low-pass
 *    0.25 s. A 1000 ppm drift found at start peaks at d / (w e) = 0.9 ms of
 *    error and settles within 1 ms in under 5 s. At this bandwidth the
 *    sawtooth and jitter reach the output: for these first seconds the
 *    scaling strays up to ~2e-3 from the drift (3 cents of pitch) on the
 *    raw queue, ~4e-4 on the aged measurement.
 *  - hold: the loop stays at acquire for 20 s, long enough for the
 *    integral to find the drift (to 0.3% at 20 s) before the gains drop;
 *    narrowing earlier freezes a wrong drift estimate into a slow loop.
 *  - anneal: then w decays towards track with a 15 s time constant.
 *  - track: w = 1/60 s: Kp = 0.033/s, Ki = 2.8e-4/s^2, low-pass 6 s, which
 *    leaves 6.5% of the 500 ppm sawtooth's fundamental (1.7% at 1000 ppm):
 *    ~0.1 ms, i.e. 3e-6 of scaling, changing at 2e-6 per second (limit
 *    1e-5). Jitter of +-1 ms averages out far below that.
 * Gains change smoothly and only the proportional term depends on them, so
 * narrowing is bumpless. A latency error beyond relock_error (10 ms, on a
 * separate 0.4 s low-pass: well above the 5 ms sawtooth, and a real jump is
 * seen within a second) sets w back to acquire and restarts the hold: a
 * network path change or a resync is corrected in seconds, not minutes.
 *
 * Limits. The output is clamped to 1 +- max_deviation (0.5%); while clamped
 * the integral stops moving outward (conditional integration, no windup)
 * and the update is counted as saturated. The integral is itself bounded by
 * max_deviation. Time steps over 100 ms (a stalled reader) count as 100 ms.
 */
#include "audio/latency_controller.h"

#include <math.h>
#include <rill/status.h>
#include <string.h>

#include "audio/resampler.h"

#define NS_PER_S 1e9
#define MAX_STEP_S 0.1
#define RELOCK_FILTER_S 0.4

void latctl_params_default(struct rill_latctl_params *params)
{
  params->max_deviation = 0.005;
  params->acquire_tau_ns = 2500 * (int64_t)1000000;
  params->track_tau_ns = 60 * (int64_t)1000000000;
  params->acquire_hold_ns = 20 * (int64_t)1000000000;
  params->anneal_tau_ns = 15 * (int64_t)1000000000;
  params->relock_error_ns = 10 * (int64_t)1000000;
  params->damping = 1.0;
  params->filter_ratio = 0.1;
}

int latctl_init(struct rill_latctl *ctl, int64_t target_ns,
                const struct rill_latctl_params *params)
{
  struct rill_latctl_params p, def;

  if (!ctl || target_ns <= 0)
    return RILL_EINVAL;
  latctl_params_default(&def);
  p = params ? *params : def;
  if (p.max_deviation == 0)
    p.max_deviation = def.max_deviation;
  if (p.acquire_tau_ns == 0)
    p.acquire_tau_ns = def.acquire_tau_ns;
  if (p.track_tau_ns == 0)
    p.track_tau_ns = def.track_tau_ns;
  if (p.acquire_hold_ns == 0)
    p.acquire_hold_ns = def.acquire_hold_ns;
  if (p.anneal_tau_ns == 0)
    p.anneal_tau_ns = def.anneal_tau_ns;
  if (p.relock_error_ns == 0)
    p.relock_error_ns = def.relock_error_ns;
  if (p.damping == 0)
    p.damping = def.damping;
  if (p.filter_ratio == 0)
    p.filter_ratio = def.filter_ratio;
  if (!(p.max_deviation > 0 && p.max_deviation <= RESAMPLER_MAX_DEVIATION) ||
      p.acquire_tau_ns < 0 || p.track_tau_ns < p.acquire_tau_ns || p.anneal_tau_ns < 0 ||
      p.acquire_hold_ns < 0 || p.relock_error_ns < 0 || !(p.damping > 0 && p.damping <= 10) ||
      !(p.filter_ratio > 0 && p.filter_ratio <= 1))
    return RILL_EINVAL;

  memset(ctl, 0, sizeof(*ctl));
  ctl->params = p;
  ctl->target_ns = target_ns;
  ctl->omega = NS_PER_S / (double)p.acquire_tau_ns;
  ctl->hold_s = (double)p.acquire_hold_ns / NS_PER_S;
  ctl->scaling = 1.0;
  return RILL_OK;
}

void latctl_retarget(struct rill_latctl *ctl, int64_t target_ns)
{
  ctl->target_ns = target_ns;
  ctl->started = false;
  ctl->scaling = 1.0 + ctl->integral;
}

static double clamp(double x, double lo, double hi)
{
  return x < lo ? lo : x > hi ? hi : x;
}

double latctl_update(struct rill_latctl *ctl, int64_t latency_ns, int64_t now_ns)
{
  const struct rill_latctl_params *p = &ctl->params;
  double latency_s = (double)latency_ns / NS_PER_S, target_s = (double)ctl->target_ns / NS_PER_S;
  double dt, a, e, kp, ki, omega_track, integral, u, max = p->max_deviation;

  ctl->state.updates++;
  if (!ctl->started) {
    /* Start the filters at the first measurement rather than ramping from 0. */
    ctl->started = true;
    ctl->last_ns = now_ns;
    ctl->fast_s = ctl->filt1_s = ctl->filt2_s = latency_s;
    return ctl->scaling;
  }
  if (now_ns <= ctl->last_ns)
    return ctl->scaling;
  dt = (double)(now_ns - ctl->last_ns) / NS_PER_S;
  if (dt > MAX_STEP_S)
    dt = MAX_STEP_S;
  ctl->last_ns = now_ns;

  /* Relock detector on a fixed short low-pass. */
  ctl->fast_s += (1.0 - exp(-dt / RELOCK_FILTER_S)) * (latency_s - ctl->fast_s);
  omega_track = NS_PER_S / (double)p->track_tau_ns;
  if (fabs(ctl->fast_s - target_s) * NS_PER_S > (double)p->relock_error_ns) {
    double omega_acquire = NS_PER_S / (double)p->acquire_tau_ns;
    if (ctl->omega < omega_acquire * 0.5)
      ctl->state.relocks++;
    ctl->omega = omega_acquire;
    ctl->hold_s = (double)p->acquire_hold_ns / NS_PER_S;
  } else if (ctl->hold_s > 0) {
    ctl->hold_s -= dt;
  } else if (p->anneal_tau_ns > 0) {
    ctl->omega = omega_track + (ctl->omega - omega_track) *
                                   exp(-dt * NS_PER_S / (double)p->anneal_tau_ns);
  } else {
    ctl->omega = omega_track;
  }

  /* Control low-pass: two one-pole stages with a time constant tied to the loop's. */
  a = 1.0 - exp(-dt * ctl->omega / p->filter_ratio);
  ctl->filt1_s += a * (latency_s - ctl->filt1_s);
  ctl->filt2_s += a * (ctl->filt1_s - ctl->filt2_s);
  e = ctl->filt2_s - target_s;

  kp = 2.0 * p->damping * ctl->omega;
  ki = ctl->omega * ctl->omega;
  integral = clamp(ctl->integral + ki * e * dt, -max, max);
  u = kp * e + integral;
  ctl->state.saturated = u > max || u < -max;
  if (ctl->state.saturated) {
    ctl->state.saturated_updates++;
    /* Conditional integration: never integrate further into the limit. */
    if ((u > max && integral > ctl->integral) || (u < -max && integral < ctl->integral))
      integral = ctl->integral;
    u = clamp(kp * e + integral, -max, max);
  }
  ctl->integral = integral;
  ctl->scaling = 1.0 + u;
  return ctl->scaling;
}

void latctl_state(const struct rill_latctl *ctl, struct rill_latctl_state *out)
{
  *out = ctl->state;
  out->scaling = ctl->scaling;
  out->drift_estimate = ctl->integral;
  out->target_ns = ctl->target_ns;
  out->filtered_latency_ns = (int64_t)llround(ctl->filt2_s * NS_PER_S);
  out->error_ns = out->filtered_latency_ns - ctl->target_ns;
  out->loop_tau_ns = (int64_t)llround(NS_PER_S / ctl->omega);
}
