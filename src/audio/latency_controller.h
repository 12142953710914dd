/*
 * Latency controller: turns the queued latency of one session, measured once
 * per read, into the resampler scaling that holds it at the target while
 * the sender's clock runs faster or slower than ours.
 *
 * The plant is an integrator: the queue grows at (sender rate / our rate -
 * scaling), so a PI controller on the latency error makes a second-order
 * loop (the same as a second-order delay-locked loop) that follows a
 * constant clock drift with zero steady-state error. Its integral term is
 * the drift estimate. The loop starts wide to lock quickly, then narrows so
 * that in steady state the scaling moves by less than 1e-5 per second; a
 * large error widens it again. See latency_controller.c for the gains.
 *
 * Measurement: pass the queued latency plus the age of the newest queued
 * packet (now - recv_ns); the raw queue depth also works but carries a
 * packet-high sawtooth that the loop partly follows at small drifts.
 *
 * Pure and deterministic: no clock reads (time is passed in), no
 * allocation. Thread role: one owner, the real-time reader of the session.
 */
#ifndef RILL_AUDIO_LATENCY_CONTROLLER_H
#define RILL_AUDIO_LATENCY_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>

struct rill_latctl_params {
  double max_deviation;     /* output clamped to 1 +- this; default 0.005 (at most
                               RESAMPLER_MAX_DEVIATION, 0.01) */
  int64_t acquire_tau_ns;   /* loop time constant (1 / natural frequency) at start
                               and after a relock; default 2.5 s */
  int64_t track_tau_ns;     /* loop time constant in steady state; default 60 s */
  int64_t acquire_hold_ns;  /* the loop stays at acquire this long before narrowing;
                               default 20 s */
  int64_t anneal_tau_ns;    /* then the loop narrows from acquire to track with this
                               time constant; default 15 s */
  int64_t relock_error_ns;  /* a latency error beyond this (after a 0.4 s low-pass)
                               widens the loop back to acquire; default 10 ms */
  double damping;           /* zeta of the closed loop; default 1 (no overshoot ringing) */
  double filter_ratio;      /* latency low-pass time constant / loop time constant;
                               default 0.1 */
};

struct rill_latctl_state {
  double scaling;               /* last output */
  double drift_estimate;        /* integral term: estimated (sender rate / ours) - 1 */
  int64_t target_ns;
  int64_t filtered_latency_ns;  /* low-passed measurement the loop acts on */
  int64_t error_ns;             /* filtered_latency_ns - target_ns */
  int64_t loop_tau_ns;          /* current loop time constant (acquire .. track) */
  bool saturated;               /* the last output was clamped */
  uint64_t saturated_updates;   /* updates whose output was clamped */
  uint64_t relocks;             /* times a large error widened the loop again */
  uint64_t updates;
};

struct rill_latctl {
  struct rill_latctl_params params;
  int64_t target_ns;
  bool started;
  int64_t last_ns;
  double fast_s;      /* relock detector: latency low-passed with a fixed 0.4 s */
  double filt1_s;     /* two cascaded low-pass stages of the measurement, seconds */
  double filt2_s;
  double integral;    /* drift estimate */
  double omega;       /* current natural frequency, rad/s */
  double hold_s;      /* acquisition time left before narrowing */
  double scaling;
  struct rill_latctl_state state;
};

/*
 * Fill `params` with the defaults documented above. Thread role: any.
 */
void latctl_params_default(struct rill_latctl_params *params);

/*
 * Start a controller holding the latency at `target_ns` (> 0), with `params`
 * (NULL: defaults; zero fields take their defaults). The scaling starts at 1.
 * Returns RILL_OK or RILL_EINVAL (target <= 0, max_deviation outside
 * (0, 0.01], track_tau < acquire_tau, a negative field).
 * Thread role: control or the owner.
 */
int latctl_init(struct rill_latctl *ctl, int64_t target_ns,
                const struct rill_latctl_params *params);

/*
 * A new latency to hold (playback primed again after running dry): the
 * filters start over at the next measurement, the drift estimate, the
 * bandwidth and the hold are kept, and the scaling becomes the drift
 * estimate alone (no proportional term from errors against the old
 * target). O(1). Thread role: owner (real-time reader).
 */
void latctl_retarget(struct rill_latctl *ctl, int64_t target_ns);

/*
 * Feed one latency measurement `latency_ns` (queued audio, ns) taken at
 * `now_ns` (any monotonic clock, ns) and get the scaling to give the
 * resampler: above 1 consumes input faster (the queue is too long), below 1
 * slower. Measurements at a non-increasing time only return the last
 * scaling; a gap longer than 100 ms counts as 100 ms. O(1).
 * Thread role: owner (real-time reader).
 */
double latctl_update(struct rill_latctl *ctl, int64_t latency_ns, int64_t now_ns);

/* Snapshot of the controller for metrics. Thread role: owner. */
void latctl_state(const struct rill_latctl *ctl, struct rill_latctl_state *out);

#endif /* RILL_AUDIO_LATENCY_CONTROLLER_H */
