#include <math.h>

#include "audio/depacketizer.h"
#include "packet/seqmath.h"
#include "packet_factory.h"

/* Mono L16 at 8 kHz, 10-frame packets, target 40 frames. */
static const struct rtp_encoding mono = {96, RTP_FMT_S16BE, 8000, 1};
#define PKT 10
#define TARGET 40

/* A ramp that identifies each timestamp: (pos % 1000) / 1000, exact in s16 within 1/32767. */
static float ramp(uint32_t pos)
{
  return (float)(pos % 1000) / 1000.0f;
}

static void assert_ramp(const float *out, uint32_t n, uint32_t first_ts)
{
  uint32_t i;
  for (i = 0; i < n; i++) {
    float expect = ramp(first_ts + i);
    if (fabsf(out[i] - expect) > 1.0f / 32767.0f)
      fail_msg("frame %u: got %f, expected %f (ts %u)", i, out[i], expect, first_ts + i);
  }
}

static void assert_silence(const float *out, uint32_t n)
{
  uint32_t i;
  for (i = 0; i < n; i++)
    if (out[i] != 0.0f)
      fail_msg("frame %u: got %f, expected silence", i, out[i]);
}

struct fixture {
  struct packet_factory f;
  struct rill_depacketizer d;
};

static void setup(struct fixture *x)
{
  factory_init(&x->f, &mono);
  depack_init(&x->d, &mono, TARGET, 64);
}

static void teardown(struct fixture *x)
{
  depack_deinit(&x->d);
  factory_deinit(&x->f);
}

static void push(struct fixture *x, uint16_t seq, uint32_t ts)
{
  depack_push(&x->d, factory_make(&x->f, seq, ts, PKT, ramp));
}

static void depack_waits_for_target_then_plays_in_order(void **state)
{
  struct fixture x;
  float out[200];
  int i;
  (void)state;
  setup(&x);
  for (i = 0; i < 3; i++)
    push(&x, (uint16_t)(100 + i), 5000u + (uint32_t)i * PKT);
  /* 30 frames queued < target 40: silence, not started. */
  assert_int_equal(depack_read(&x.d, out, 20), 0);
  assert_silence(out, 20);
  assert_false(x.d.started);
  push(&x, 103, 5030);
  assert_true(x.d.started);
  assert_int_equal(depack_queued_frames(&x.d), TARGET);
  assert_int_equal(depack_read(&x.d, out, 25), 25);
  assert_ramp(out, 25, 5000);
  assert_int_equal(depack_queued_frames(&x.d), 15);
  assert_int_equal(x.d.stats.packets_played, 3);
  assert_int_equal(x.d.stats.packets_lost, 0);
  teardown(&x);
}

static void depack_absorbs_reordering(void **state)
{
  struct fixture x;
  float out[60];
  uint16_t order[] = {0, 2, 1, 4, 3, 5};
  int i;
  (void)state;
  setup(&x);
  for (i = 0; i < 6; i++)
    push(&x, order[i], 1000u + order[i] * PKT);
  /* Started when seq 4 arrived (span 1000..1050 >= 40) at the oldest packet;
   * seq 3 arrived after the start, still in time. */
  assert_int_equal(depack_queued_frames(&x.d), 60); /* all six queued by now */
  assert_int_equal(depack_read(&x.d, out, 40), 40);
  assert_ramp(out, 40, 1000);
  assert_int_equal(x.d.stats.packets_lost, 0);
  assert_int_equal(x.d.stats.gap_frames, 0);
  teardown(&x);
}

static void depack_fills_loss_with_silence_and_counts_it(void **state)
{
  struct fixture x;
  float out[60];
  int i;
  (void)state;
  setup(&x);
  for (i = 0; i < 6; i++)
    if (i != 2)
      push(&x, (uint16_t)i, 1000u + (uint32_t)i * PKT);
  /* Started when seq 3 arrived (span 1000..1040) at 1000; seq 2 is lost. */
  assert_int_equal(depack_read(&x.d, out, 40), 30);
  assert_ramp(out, 20, 1000);
  assert_silence(out + 20, 10);
  assert_ramp(out + 30, 10, 1030);
  assert_int_equal(x.d.stats.gap_frames, 10);
  assert_int_equal(x.d.stats.packets_lost, 1);
  teardown(&x);
}

static void depack_counts_lost_packets_between_played_ones(void **state)
{
  struct fixture x;
  float out[100];
  (void)state;
  setup(&x);
  push(&x, 10, 100);
  push(&x, 11, 110);
  push(&x, 12, 120);
  push(&x, 13, 130); /* start at 100 */
  assert_int_equal(depack_read(&x.d, out, 20), 20);
  push(&x, 16, 160);
  push(&x, 17, 170);
  assert_int_equal(depack_read(&x.d, out, 60), 40);
  assert_ramp(out, 20, 120);
  assert_silence(out + 20, 20);
  assert_ramp(out + 40, 20, 160);
  assert_int_equal(x.d.stats.packets_lost, 2);
  assert_int_equal(x.d.stats.gap_frames, 20);
  teardown(&x);
}

static void depack_drops_duplicates_and_late_packets(void **state)
{
  struct fixture x;
  float out[100];
  int i;
  (void)state;
  setup(&x);
  for (i = 0; i < 4; i++)
    push(&x, (uint16_t)i, (uint32_t)i * PKT);
  push(&x, 2, 20); /* duplicate */
  assert_int_equal(x.d.stats.packets_duplicate, 1);
  assert_int_equal(depack_read(&x.d, out, 25), 25);
  push(&x, 1, 10); /* already played: late */
  assert_int_equal(x.d.stats.packets_late, 1);
  push(&x, 4, 40);
  assert_int_equal(depack_read(&x.d, out, 25), 25);
  assert_ramp(out, 25, 25);
  teardown(&x);
}

static void depack_timestamps_wrap_around(void **state)
{
  struct fixture x;
  float out[60];
  uint32_t ts0 = UINT32_MAX - 24; /* the third packet crosses 2^32 */
  int i;
  (void)state;
  setup(&x);
  for (i = 0; i < 6; i++)
    push(&x, (uint16_t)(65533 + i), ts0 + (uint32_t)i * PKT);
  assert_int_equal(depack_read(&x.d, out, 40), 40);
  assert_ramp(out, 40, ts0);
  assert_int_equal(x.d.stats.packets_lost, 0);
  assert_int_equal(x.d.stats.packets_late, 0);
  teardown(&x);
}

static void depack_underrun_reprimes_at_target(void **state)
{
  struct fixture x;
  float out[100];
  int i;
  (void)state;
  setup(&x);
  for (i = 0; i < 4; i++)
    push(&x, (uint16_t)i, (uint32_t)i * PKT);
  assert_int_equal(depack_read(&x.d, out, 60), 40);
  assert_int_equal(x.d.stats.underruns, 1);
  assert_false(x.d.started);
  /* The sender paused and resumes later: playback restarts at the target. */
  for (i = 0; i < 4; i++)
    push(&x, (uint16_t)(10 + i), 1000u + (uint32_t)i * PKT);
  assert_int_equal(x.d.stats.packets_late, 0);
  assert_int_equal(depack_read(&x.d, out, 40), 40);
  assert_ramp(out, 40, 1000);
  teardown(&x);
}

static void depack_resyncs_on_timestamp_jump(void **state)
{
  struct fixture x;
  float out[40];
  int i;
  (void)state;
  setup(&x);
  for (i = 0; i < 4; i++)
    push(&x, (uint16_t)i, (uint32_t)i * PKT);
  assert_int_equal(depack_read(&x.d, out, 10), 10);
  /* Same stream, clock restarted 10 s away: resync instead of 10 s of silence. */
  for (i = 0; i < 4; i++)
    push(&x, (uint16_t)(4 + i), 80000u + (uint32_t)i * PKT);
  assert_int_equal(x.d.stats.resyncs, 1);
  assert_int_equal(depack_read(&x.d, out, 40), 40);
  assert_ramp(out, 40, 80000);
  teardown(&x);
}

static void depack_drops_payload_that_is_not_whole_frames(void **state)
{
  static const struct rtp_encoding stereo = {97, RTP_FMT_S16BE, 8000, 2};
  struct fixture x;
  struct rill_packet *pkt;
  (void)state;
  factory_init(&x.f, &mono);
  depack_init(&x.d, &stereo, TARGET, 64);
  pkt = factory_make(&x.f, 1, 0, 3, NULL); /* 6 bytes: 1.5 stereo frames */
  assert_false(depack_push(&x.d, pkt));
  assert_int_equal(x.d.stats.packets_invalid, 1);
  teardown(&x);
}

static void depack_drops_stale_audio_beyond_max_latency(void **state)
{
  struct fixture x;
  float out[40];
  int i;
  (void)state;
  setup(&x);
  depack_set_max_latency(&x.d, 2 * TARGET);
  for (i = 0; i < 4; i++)
    push(&x, (uint16_t)i, (uint32_t)i * PKT); /* starts at 0 with 40 queued */
  /* The reader stalls while 6 more packets arrive. When seq 8 arrives, 90
   * frames are queued (> 80): the play position jumps to 90 - 40 = 50 and
   * packets 0..4 are stale; seq 9 then makes it 50 queued, within bounds. */
  for (i = 4; i < 10; i++)
    push(&x, (uint16_t)i, (uint32_t)i * PKT);
  assert_int_equal(x.d.stats.latency_trims, 1);
  assert_int_equal(x.d.stats.packets_stale, 5);
  assert_int_equal(depack_queued_frames(&x.d), 50);
  assert_int_equal(depack_read(&x.d, out, 40), 40);
  assert_ramp(out, 40, 50);
  /* Skipped packets are not counted as lost. */
  assert_int_equal(x.d.stats.packets_lost, 0);
  assert_int_equal(x.d.stats.packets_late, 0);
  teardown(&x);
}

static void depack_skip_drops_a_step_from_the_play_position(void **state)
{
  struct fixture x;
  float out[40];
  int i;
  (void)state;
  setup(&x);
  /* Not started: nothing to skip. */
  assert_int_equal(depack_skip(&x.d, 5), 0);
  for (i = 0; i < 8; i++)
    push(&x, (uint16_t)i, (uint32_t)i * PKT); /* 80 queued from ts 0 */
  assert_int_equal(depack_read(&x.d, out, 5), 5);
  /* 22 frames from ts 5: packets 0 and 1 are passed over (stale), the play
   * position lands inside packet 2, and playback goes on from ts 27 with
   * no gap, nothing counted lost. */
  assert_int_equal(depack_skip(&x.d, 22), 22);
  assert_int_equal(x.d.stats.packets_stale, 2);
  assert_int_equal(x.d.stats.latency_trims, 1);
  assert_int_equal(depack_queued_frames(&x.d), 53);
  assert_int_equal(depack_read(&x.d, out, 40), 40);
  assert_ramp(out, 40, 27);
  assert_int_equal(x.d.stats.packets_lost, 0);
  assert_int_equal(x.d.stats.gap_frames, 0);
  /* At most what is queued (13 frames). */
  assert_int_equal(depack_skip(&x.d, 1000), 13);
  assert_int_equal(depack_queued_frames(&x.d), 0);
  teardown(&x);
}

static void depack_without_max_latency_keeps_everything(void **state)
{
  struct fixture x;
  int i;
  (void)state;
  setup(&x);
  for (i = 0; i < 10; i++)
    push(&x, (uint16_t)i, (uint32_t)i * PKT);
  assert_int_equal(depack_queued_frames(&x.d), 100);
  assert_int_equal(x.d.stats.packets_stale, 0);
  teardown(&x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(depack_waits_for_target_then_plays_in_order),
      cmocka_unit_test(depack_absorbs_reordering),
      cmocka_unit_test(depack_fills_loss_with_silence_and_counts_it),
      cmocka_unit_test(depack_counts_lost_packets_between_played_ones),
      cmocka_unit_test(depack_drops_duplicates_and_late_packets),
      cmocka_unit_test(depack_timestamps_wrap_around),
      cmocka_unit_test(depack_underrun_reprimes_at_target),
      cmocka_unit_test(depack_resyncs_on_timestamp_jump),
      cmocka_unit_test(depack_drops_payload_that_is_not_whole_frames),
      cmocka_unit_test(depack_drops_stale_audio_beyond_max_latency),
      cmocka_unit_test(depack_without_max_latency_keeps_everything),
      cmocka_unit_test(depack_skip_drops_a_step_from_the_play_position),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
