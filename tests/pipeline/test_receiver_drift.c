/*
 * Drift compensation through the whole receiver, with two simulated clocks:
 * the sender produces 5 ms packets at its own rate (off by a given ppm), the
 * network delivers them with a fixed-seed jitter of up to 1 ms, and the
 * reader reads 10 ms at a time on the receiver's clock. The session's
 * resampler, steered by the latency controller, must hold the latency:
 * within 30 s of simulated time it is within 2 ms of where playback started
 * and stays there (90 s runs), ending within 1.5 ms, with the ratio within
 * 20 ppm of the drift, for +-500 and +-1000 ppm; with 0 ppm the latency
 * never leaves the band and the ratio never leaves nominal. Also: 48 kHz into a 44.1 kHz receiver keeps a sine's
 * frequency. No wall clock: packets are injected with explicit times.
 */
#include <arpa/inet.h>
#include <math.h>
#include <rill/status.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "pipeline/receiver.h"
#include "rtp/payload.h"
#include "rtp/rtp.h"
#include "test_util.h"

#define OUT_RATE 44100
#define READ_FRAMES 441 /* 10 ms */
#define TARGET_NS (60 * NS_PER_MS)

struct sim {
  struct rill_context *ctx;
  struct rill_receiver *r;
  struct sockaddr_in src;
  struct rtp_encoding enc;
  uint32_t packet_frames;
  uint64_t rng;
};

static uint32_t next_rand(struct sim *s)
{
  s->rng ^= s->rng << 13;
  s->rng ^= s->rng >> 7;
  s->rng ^= s->rng << 17;
  return (uint32_t)(s->rng >> 32);
}

static void sim_open(struct sim *s, const struct rtp_encoding *enc, uint8_t pt_dyn)
{
  struct rill_context_params cp = {32u << 20, 2048, NULL};
  struct rill_receiver_params p;
  memset(s, 0, sizeof(*s));
  memset(&p, 0, sizeof(p));
  p.rate_hz = OUT_RATE;
  p.channels = 2;
  p.target_latency_ns = TARGET_NS;
  p.session_timeout_ns = 5 * NS_PER_S;
  p.max_sessions = 2;
  p.session_budget_bytes = 4u << 20;
  p.socket_budget_bytes = 1u << 20;
  p.max_queue_packets = 512;
  p.latency_tolerance_ns = 200 * NS_PER_MS;
  p.drift_compensation = true;
  p.resampler_quality = 3;
  rtp_registry_init(&p.registry);
  if (pt_dyn)
    assert_int_equal(rtp_registry_add(&p.registry, enc), RILL_OK);
  assert_int_equal(context_create(&cp, &s->ctx), RILL_OK);
  assert_int_equal(receiver_create(s->ctx, &p, &s->r), RILL_OK);
  s->src.sin_family = AF_INET;
  s->src.sin_port = htons(40000);
  s->src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s->enc = *enc;
  s->packet_frames = enc->rate_hz / 200; /* 5 ms */
  s->rng = 0x9e3779b97f4a7c15ull;
}

static void sim_close(struct sim *s)
{
  receiver_destroy(s->r);
  assert_int_equal(context_destroy(s->ctx), RILL_OK);
}

static void send_packet(struct sim *s, uint32_t k, int64_t arrival_ns)
{
  uint8_t dgram[2048];
  float samples[480 * 2];
  struct rtp_header h;
  size_t hdr = 0, payload = 0;
  uint32_t i, c;
  memset(&h, 0, sizeof(h));
  h.version = 2;
  h.payload_type = s->enc.payload_type;
  h.seq = (uint16_t)k;
  h.timestamp = k * s->packet_frames;
  h.ssrc = 77;
  for (i = 0; i < s->packet_frames; i++)
    for (c = 0; c < s->enc.channels; c++)
      samples[i * s->enc.channels + c] =
          0.5f * (float)sin(2.0 * M_PI * 1000.0 * (double)(h.timestamp + i) / s->enc.rate_hz);
  assert_int_equal(rtp_compose(&h, dgram, sizeof(dgram), &hdr), RILL_OK);
  assert_int_equal(rtp_payload_encode(&s->enc, samples, s->packet_frames, dgram + hdr,
                                      sizeof(dgram) - hdr, &payload),
                   RILL_OK);
  assert_int_equal(receiver_inject(s->r, dgram, hdr + payload,
                                   (const struct sockaddr *)&s->src, arrival_ns),
                   RILL_OK);
}

static float out_buf[READ_FRAMES * 2];

struct run_result {
  int64_t settle_ns;       /* last time the latency was outside setpoint +- 2 ms */
  int64_t max_late_err_ns; /* largest |error| after settling */
  int64_t final_drift_ppb;
  int64_t setpoint_ns;
  int64_t final_err_ns;
  uint64_t ratio_updates;  /* filter rebuilds applied */
  int64_t max_ratio_ppb;   /* largest |scaling - 1 - drift| seen from the reader's skip
                              on (from the start without one) */
  uint64_t latency_steps;  /* steps dropped at once */
  uint64_t gap_frames;     /* silence played for missing audio */
  uint64_t underruns;      /* times playback ran dry */
};

/* Run `seconds` of simulated time with the sender `ppm` fast. */
/* A hostile channel: each packet lost with probability loss_pct %, and
 * every stall_every_s seconds the network thread stalls for stall_ms: the
 * packets of that time arrive together at its end. */
struct channel_faults {
  unsigned loss_pct;
  int stall_every_s;
  int stall_ms;
  /* The reader misses reads for reader_skip_ms at reader_skip_at_s and
   * then goes on at its pace (a late audio graph cycle): the audio it did
   * not take stays queued, a step up of the latency. */
  int reader_skip_at_s;
  int reader_skip_ms;
  /* Talkspurts: the sender sends for talk_ms, then nothing for pause_ms
   * (DTX, a muted source), longer than the queue: playback runs dry and
   * primes again when the next talkspurt comes. */
  int talk_ms;
  int pause_ms;
};

static struct run_result run_faulty(double ppm, int seconds, const struct channel_faults *f);

static struct run_result run(double ppm, int seconds)
{
  static const struct channel_faults none = {0, 0, 0, 0, 0, 0, 0};
  return run_faulty(ppm, seconds, &none);
}

static struct run_result run_faulty(double ppm, int seconds, const struct channel_faults *f)
{
  struct sim s;
  struct run_result res = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  struct rtp_encoding enc = {10, RTP_FMT_S16BE, 44100, 2};
  int64_t t0 = 1000 * NS_PER_S, now, next_packet;
  double packet_period_ns = 5e6 * 220.0 / 220.5 / (1.0 + ppm * 1e-6);
  uint32_t k = 0;
  double smoothed = 0;
  sim_open(&s, &enc, 0);
  s.packet_frames = 220;
  packet_period_ns = 220.0 / 44100.0 * 1e9 / (1.0 + ppm * 1e-6);
  next_packet = t0;
  for (now = t0; now < t0 + (int64_t)seconds * NS_PER_S; now += 10 * NS_PER_MS) {
    struct receiver_session_info info;
    struct receiver_totals t;
    size_t n = 0;
    /* Deliver every packet the sender produced before this read, each late by
     * a jitter of 0..1 ms (delivery order kept). */
    while (next_packet <= now) {
      int64_t jitter = (int64_t)(next_rand(&s) % 1000000), arrival = next_packet + jitter;
      if (f->stall_every_s > 0) {
        /* Inside a stall window: delivered when the stall ends. */
        int64_t period = (int64_t)f->stall_every_s * NS_PER_S, into = (arrival - t0) % period;
        if (arrival - t0 >= period && into < (int64_t)f->stall_ms * NS_PER_MS)
          arrival += (int64_t)f->stall_ms * NS_PER_MS - into;
      }
      bool paused = f->pause_ms > 0 && (next_packet - t0) / NS_PER_MS %
                                               (f->talk_ms + f->pause_ms) >= f->talk_ms;
      if (!paused && (f->loss_pct == 0 || next_rand(&s) % 100 >= f->loss_pct))
        send_packet(&s, k, arrival);
      k++;
      next_packet = t0 + (int64_t)((double)k * packet_period_ns);
    }
    if (f->reader_skip_ms > 0 && now >= t0 + (int64_t)f->reader_skip_at_s * NS_PER_S &&
        now < t0 + (int64_t)f->reader_skip_at_s * NS_PER_S + (int64_t)f->reader_skip_ms * NS_PER_MS)
      continue;
    receiver_read_at(s.r, out_buf, READ_FRAMES, now);
    receiver_stats(s.r, &t, &info, 1, &n);
    assert_int_equal(n, 1);
    /* Playback has surely started after 0.5 s: the latency then is the one
     * the receiver holds (it keeps what it started with). */
    if (res.setpoint_ns == 0 && now - t0 >= NS_PER_S / 2)
      res.setpoint_ns = info.latency_ns;
    if (res.setpoint_ns) {
      /* The error smoothed over about a second (the measurement includes
       * the network jitter). */
      smoothed += 0.01 * ((double)(info.latency_ns - res.setpoint_ns) - smoothed);
      if (fabs(smoothed) > 2e6)
        res.settle_ns = now - t0;
    }
    res.final_drift_ppb = info.scaling_ppb;
    if (now >= t0 + (int64_t)f->reader_skip_at_s * NS_PER_S &&
        llabs(info.scaling_ppb - (int64_t)(ppm * 1000)) > res.max_ratio_ppb)
      res.max_ratio_ppb = llabs(info.scaling_ppb - (int64_t)(ppm * 1000));
    res.latency_steps = info.latency_steps;
    res.gap_frames = info.gap_frames;
    res.underruns = info.underruns;
    res.final_err_ns = (int64_t)smoothed;
    /* The resampler gives exactly what is asked and takes all it is given. */
    assert_int_equal(t.resampler_input_dropped, 0);
    assert_int_equal(t.resampler_output_short, 0);
    res.ratio_updates = t.ratio_updates;
  }
  /* Ratio changes are rate-limited: at most one per 100 ms for a session. */
  assert_true(res.ratio_updates <= (uint64_t)seconds * 10);
  sim_close(&s);
  return res;
}

static void check_drift(double ppm)
{
  struct run_result res = run(ppm, 90);
  print_message("drift %+.0f ppm: latency %.1f ms, settled (within 2 ms for good) after %.1f s, "
                "final error %.2f ms, final ratio %+.1f ppm\n",
                ppm, (double)res.setpoint_ns / 1e6, (double)res.settle_ns / 1e9,
                (double)res.final_err_ns / 1e6, (double)res.final_drift_ppb / 1000.0);
  /* Within 2 ms of the latency playback started with after at most 30 s,
   * and for good (the run lasts 90 s); within 1.5 ms at the end. */
  assert_true(res.settle_ns < 30 * NS_PER_S);
  assert_true(llabs(res.final_err_ns) < 1500000);
  /* The ratio found is the drift, within 20 ppm (the resampler's ratio
   * steps are about 15 ppm). */
  assert_true(fabs((double)res.final_drift_ppb / 1000.0 - ppm) < 20.0);
  assert_true(res.ratio_updates > 0);
}

static void drift_plus_500_ppm_converges(void **state)
{
  (void)state;
  check_drift(500);
}

static void drift_minus_500_ppm_converges(void **state)
{
  (void)state;
  check_drift(-500);
}

static void drift_plus_1000_ppm_converges(void **state)
{
  (void)state;
  check_drift(1000);
}

static void drift_minus_1000_ppm_converges(void **state)
{
  (void)state;
  check_drift(-1000);
}

static void drift_zero_does_not_wander(void **state)
{
  struct run_result res;
  (void)state;
  res = run(0, 60);
  /* Matched clocks: the latency never leaves the band and the ratio stays
   * exactly nominal (the controller is never engaged). */
  assert_int_equal(res.settle_ns, 0);
  assert_int_equal(res.final_drift_ppb, 0);
  assert_int_equal(res.ratio_updates, 0);
}

/* Matched clocks on a bad network: 5 % of the packets lost and a 40 ms
 * stall of the network thread every 3 s. Loss and stalls are not drift:
 * the controller must never engage, so the ratio stays exactly nominal. */
static void drift_zero_with_loss_and_stalls_does_not_engage(void **state)
{
  static const struct channel_faults bad = {5, 3, 40, 0, 0, 0, 0};
  struct run_result res;
  (void)state;
  res = run_faulty(0, 60, &bad);
  print_message("0 ppm, 5 %% loss, 40 ms stalls every 3 s: ratio %+.1f ppm, %llu ratio changes\n",
                (double)res.final_drift_ppb / 1000.0, (unsigned long long)res.ratio_updates);
  assert_int_equal(res.final_drift_ppb, 0);
  assert_int_equal(res.ratio_updates, 0);
}

/* Matched clocks, and the reader misses 30 ms of reads at 10 s (a late
 * graph cycle): the 30 ms it did not take are a step, not drift. They are
 * dropped at once (one latency step), the ratio never moves, the latency is
 * back at its setpoint, and nothing is missing from the playback. */
static void latency_step_is_dropped_not_drained(void **state)
{
  static const struct channel_faults step = {0, 0, 0, 10, 30, 0, 0};
  struct run_result res;
  (void)state;
  res = run_faulty(0, 30, &step);
  print_message("0 ppm, 30 ms reader stall at 10 s: %llu steps dropped, ratio at most %.1f ppm "
                "from nominal, "
                "%llu ratio changes, final error %.2f ms\n",
                (unsigned long long)res.latency_steps, (double)res.max_ratio_ppb / 1000.0,
                (unsigned long long)res.ratio_updates, (double)res.final_err_ns / 1e6);
  assert_int_equal(res.latency_steps, 1);
  assert_int_equal(res.ratio_updates, 0);
  assert_int_equal(res.max_ratio_ppb, 0);
  assert_true(llabs(res.final_err_ns) < 1500000);
  assert_int_equal(res.gap_frames, 0);
}

/* The same step on a drifting stream (+500 ppm, locked by 40 s): the
 * controller keeps its drift estimate through it (the ratio stays within
 * 200 ppm of the drift, far from the 0.5 % clamp) and ends on the drift
 * with the latency back at the setpoint. */
static void latency_step_keeps_the_drift_estimate(void **state)
{
  static const struct channel_faults step = {0, 0, 0, 40, 30, 0, 0};
  struct run_result res;
  (void)state;
  res = run_faulty(500, 90, &step);
  print_message("+500 ppm, 30 ms reader stall at 40 s: %llu steps dropped, ratio at most %.1f ppm "
                "from the drift, "
                "final %+.1f ppm, final error %.2f ms\n",
                (unsigned long long)res.latency_steps, (double)res.max_ratio_ppb / 1000.0,
                (double)res.final_drift_ppb / 1000.0, (double)res.final_err_ns / 1e6);
  assert_int_equal(res.latency_steps, 1);
  assert_true(res.max_ratio_ppb < 200000);
  assert_true(fabs((double)res.final_drift_ppb / 1000.0 - 500) < 20.0);
  assert_true(llabs(res.final_err_ns) < 1500000);
}

/* Matched clocks, and the sender pauses for 400 ms every 800 ms (Opus
 * DTX does). Each talkspurt primes playback anew at the target, give or
 * take a packet: a new latency, not drift. The controller must not chase
 * the difference (it used to, to its 0.5 % clamp). */
static void talkspurts_are_not_drift(void **state)
{
  static const struct channel_faults dtx = {0, 0, 0, 0, 0, 400, 400};
  struct run_result res;
  (void)state;
  res = run_faulty(0, 30, &dtx);
  print_message("0 ppm, 400 ms talkspurts: %llu underruns, ratio %+.1f ppm, %llu ratio changes\n",
                (unsigned long long)res.underruns, (double)res.final_drift_ppb / 1000.0,
                (unsigned long long)res.ratio_updates);
  assert_true(res.underruns >= 30);
  assert_int_equal(res.final_drift_ppb, 0);
  assert_int_equal(res.ratio_updates, 0);
  assert_int_equal(res.latency_steps, 0);
}

/* A drifting stream (+500 ppm) in talkspurts of 10 s with 300 ms pauses:
 * the drift is still found (the estimate is kept across talkspurts, each
 * of which learns its own setpoint for a second first). Talkspurts so
 * short that the latency cannot leave the dead band in one are never
 * steered, and need not be: each starts at the target. */
static void drift_is_found_across_talkspurts(void **state)
{
  static const struct channel_faults spurts = {0, 0, 0, 0, 0, 10000, 300};
  struct run_result res;
  (void)state;
  res = run_faulty(500, 90, &spurts);
  print_message("+500 ppm, 10 s talkspurts: %llu underruns, final ratio %+.1f ppm\n",
                (unsigned long long)res.underruns, (double)res.final_drift_ppb / 1000.0);
  assert_true(res.underruns >= 8);
  assert_true(fabs((double)res.final_drift_ppb / 1000.0 - 500) < 20.0);
  assert_int_equal(res.latency_steps, 0);
}

/* 48 kHz sender (PT 96) into a 44.1 kHz receiver: the 1 kHz sine comes out
 * at 1 kHz (counted by zero crossings over 2 s) at full level. */
static void rate_conversion_keeps_frequency(void **state)
{
  struct sim s;
  struct rtp_encoding enc = {96, RTP_FMT_S16BE, 48000, 2};
  int64_t t0 = 1000 * NS_PER_S, now, next_packet;
  static float out[2 * 44100 * 3];
  uint32_t k = 0, i, crossings = 0, frames = 0;
  double sum = 0, freq, rms;
  (void)state;
  sim_open(&s, &enc, 1);
  next_packet = t0;
  for (now = t0; now < t0 + 3 * NS_PER_S; now += 10 * NS_PER_MS) {
    while (next_packet <= now) {
      send_packet(&s, k++, next_packet);
      next_packet = t0 + (int64_t)k * 5 * NS_PER_MS;
    }
    receiver_read_at(s.r, out + 2 * (size_t)frames, READ_FRAMES, now);
    frames += READ_FRAMES;
  }
  /* The last 2 s: playback started within the first 100 ms. */
  for (i = frames - 2 * OUT_RATE; i < frames; i++) {
    float a = out[2 * (i - 1)], b = out[2 * i];
    if ((a < 0 && b >= 0) || (a >= 0 && b < 0))
      crossings++;
    sum += (double)b * b;
  }
  freq = crossings / 2.0 / 2.0;
  rms = sqrt(sum / (2.0 * OUT_RATE));
  print_message("48k -> 44.1k: %.2f Hz, rms %.4f (0.3536 expected)\n", freq, rms);
  {
    struct receiver_totals t;
    receiver_stats(s.r, &t, NULL, 0, NULL);
    assert_int_equal(t.resampler_input_dropped, 0);
    assert_int_equal(t.resampler_output_short, 0);
  }
  assert_true(fabs(freq - 1000.0) <= 1.0);
  assert_true(fabs(rms - 0.5 / sqrt(2.0)) < 0.01);
  sim_close(&s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(drift_zero_does_not_wander),
      cmocka_unit_test(drift_zero_with_loss_and_stalls_does_not_engage),
      cmocka_unit_test(latency_step_is_dropped_not_drained),
      cmocka_unit_test(latency_step_keeps_the_drift_estimate),
      cmocka_unit_test(talkspurts_are_not_drift),
      cmocka_unit_test(drift_is_found_across_talkspurts),
      cmocka_unit_test(drift_plus_500_ppm_converges),
      cmocka_unit_test(drift_minus_500_ppm_converges),
      cmocka_unit_test(drift_plus_1000_ppm_converges),
      cmocka_unit_test(drift_minus_1000_ppm_converges),
      cmocka_unit_test(rate_conversion_keeps_frequency),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
