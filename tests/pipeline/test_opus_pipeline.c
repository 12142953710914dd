/*
 * Opus through the whole pipeline without sockets: a sender in local
 * delivery (sender_activate_local, sender_pop_local) hands its packets to
 * a receiver (receiver_inject_endpoint), with one packet lost on the way.
 * With rs8m FEC the lost packet is restored (the Opus packets of a block
 * are padded to one length, as FECFRAME needs) and plays as received;
 * without FEC it is concealed by libopus, never played as silence.
 */
#include <math.h>
#include <netinet/in.h>
#include <rill/rill.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "fec/payload_id.h"
#include "pipeline/receiver.h"
#include "pipeline/sender.h"
#include "test_util.h"

#define RATE 48000
#define FRAME 480 /* 10 ms */
#define PACKETS 60
#define LOST 25
#define BLOCK_K 10 /* source packets per FEC block */
#define BLOCK_R 5  /* repair packets per FEC block */
#define TWO_PI 6.283185307179586

struct wire {
  uint8_t data[PACKETS][2048];
  size_t len[PACKETS];
  size_t count;
  uint8_t repair[PACKETS][2048];
  size_t repair_len[PACKETS];
  size_t repair_count;
};

/* PACKETS packets of a 440 Hz tone, stereo Opus, popped from a local sender. */
static void send_tone(struct rill_context *ctx, int fec, struct wire *w)
{
  struct rill_sender_config sc;
  struct rill_sender *s;
  float pcm[FRAME * 2];
  size_t len = 0;
  uint32_t i, k;
  rill_sender_config_init(&sc);
  sc.encoding = (struct rill_encoding){96, RILL_FORMAT_OPUS, RATE, 2};
  sc.packet_length_ns = 10 * NS_PER_MS;
  sc.fec_source_packets = BLOCK_K;
  sc.fec_repair_packets = BLOCK_R;
  assert_int_equal(rill_sender_open(ctx, &sc, &s), RILL_OK);
  assert_int_equal(sender_activate_local(s, SENDER_IFACE_SOURCE, fec), RILL_OK);
  if (fec)
    assert_int_equal(sender_activate_local(s, SENDER_IFACE_REPAIR, fec), RILL_OK);
  memset(w, 0, sizeof(*w));
  for (i = 0; i < PACKETS; i++) {
    for (k = 0; k < FRAME; k++)
      pcm[2 * k] = pcm[2 * k + 1] =
          0.5f * (float)sin(TWO_PI * 440.0 * (double)(i * FRAME + k) / RATE);
    assert_int_equal(rill_sender_write(s, pcm, FRAME), RILL_OK);
    while (sender_pop_local(s, SENDER_IFACE_SOURCE, w->data[w->count], 2048, &len) == RILL_OK)
      w->len[w->count++] = len;
    while (fec && w->repair_count < PACKETS &&
           sender_pop_local(s, SENDER_IFACE_REPAIR, w->repair[w->repair_count], 2048, &len) ==
               RILL_OK)
      w->repair_len[w->repair_count++] = len;
  }
  assert_int_equal(w->count, PACKETS);
  assert_int_equal(rill_sender_close(s), RILL_OK);
}

/* Inject every packet but LOST (and the repair ones), read it all back,
 * return the session's metrics and the output in `out`. */
static void receive(struct rill_context *ctx, int fec, const struct wire *w, float *out,
                    uint32_t frames, struct rill_session_metrics *sm)
{
  struct rill_receiver_config rc;
  struct rill_receiver *r;
  struct rill_encoding enc = {96, RILL_FORMAT_OPUS, RATE, 2};
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  struct sockaddr_in src;
  size_t i, n = 0;
  uint32_t done = 0;
  int64_t now = clock_now_ns();
  rill_receiver_config_init(&rc);
  rc.rate_hz = RATE;
  rc.channels = 2;
  rc.encodings = &enc;
  rc.encoding_count = 1;
  rc.target_latency_ns = 200 * NS_PER_MS;
  rc.disable_drift_compensation = 1;
  assert_int_equal(rill_receiver_open(ctx, &rc, &r), RILL_OK);
  if (fec)
    assert_int_equal(receiver_enable_fec(r, fec), RILL_OK);
  memset(&src, 0, sizeof(src));
  src.sin_family = AF_INET;
  src.sin_port = htons(5000);
  src.sin_addr.s_addr = htonl(0x7f000001);
  /* In the sender's order: a block's repair packets follow its sources
   * (the reader keeps two blocks open). */
  for (i = 0; i < w->count; i++) {
    size_t j;
    if (i != LOST)
      assert_int_equal(receiver_inject_endpoint(r, RECEIVER_IFACE_SOURCE, w->data[i], w->len[i],
                                                (struct sockaddr *)&src, now),
                       RILL_OK);
    for (j = 0; (i + 1) % BLOCK_K == 0 && j < BLOCK_R; j++) {
      size_t k = (i / BLOCK_K) * BLOCK_R + j;
      if (k < w->repair_count)
        assert_int_equal(receiver_inject_endpoint(r, RECEIVER_IFACE_REPAIR, w->repair[k],
                                                  w->repair_len[k], (struct sockaddr *)&src,
                                                  now),
                         RILL_OK);
    }
  }
  while (done < frames) {
    uint32_t chunk = frames - done < 480 ? frames - done : 480;
    assert_int_equal(rill_receiver_read(r, out + (size_t)done * 2, chunk), RILL_OK);
    done += chunk;
  }
  sm->struct_size = sizeof(*sm);
  assert_int_equal(rill_receiver_metrics(r, &m, sm, 1, &n), RILL_OK);
  assert_int_equal(n, 1);
  assert_int_equal(rill_receiver_close(r), RILL_OK);
}

/* Longest run of exact zeros in channel 0 between the first and the last
 * non-zero sample. */
static uint32_t longest_inner_silence(const float *x, uint32_t frames)
{
  uint32_t i, first = frames, last = 0, run = 0, longest = 0;
  for (i = 0; i < frames; i++)
    if (x[2 * i] != 0.0f) {
      if (first == frames)
        first = i;
      last = i;
    }
  for (i = first; i < last; i++) {
    run = x[2 * i] == 0.0f ? run + 1 : 0;
    if (run > longest)
      longest = run;
  }
  return longest;
}

static void opus_with_rs8m_restores_the_lost_packet(void **state)
{
  struct rill_context *ctx;
  static struct wire w;
  static float out[PACKETS * FRAME * 2];
  struct rill_session_metrics sm;
  size_t i;
  (void)state;
  assert_int_equal(rill_context_open(NULL, &ctx), RILL_OK);
  send_tone(ctx, FEC_SCHEME_RS8M, &w);
  /* FECFRAME's symbols: every source packet of the stream the same length. */
  for (i = 1; i < w.count; i++)
    assert_int_equal(w.len[i], w.len[0]);
  assert_true(w.repair_count >= 25);
  receive(ctx, FEC_SCHEME_RS8M, &w, out, PACKETS * FRAME, &sm);
  assert_int_equal(sm.fec_recovered, 1);
  assert_int_equal(sm.packets_lost, 0);
  assert_int_equal(sm.plc_frames + sm.fec_inband_frames, 0);
  assert_int_equal(sm.gap_frames, 0);
  assert_int_equal(longest_inner_silence(out, PACKETS * FRAME), 0);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

static void opus_without_fec_conceals_the_lost_packet(void **state)
{
  struct rill_context *ctx;
  static struct wire w;
  static float out[PACKETS * FRAME * 2];
  struct rill_session_metrics sm;
  (void)state;
  assert_int_equal(rill_context_open(NULL, &ctx), RILL_OK);
  send_tone(ctx, 0, &w);
  receive(ctx, 0, &w, out, PACKETS * FRAME, &sm);
  assert_int_equal(sm.packets_lost, 1);
  assert_int_equal(sm.plc_frames + sm.fec_inband_frames, FRAME);
  assert_int_equal(sm.gap_frames, 0);
  assert_int_equal(longest_inner_silence(out, PACKETS * FRAME), 0);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(opus_with_rs8m_restores_the_lost_packet),
      cmocka_unit_test(opus_without_fec_conceals_the_lost_packet),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
