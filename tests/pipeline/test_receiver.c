/*
 * Receiver pipeline: datagrams in (receiver_inject, on the network thread,
 * with an injected clock), audio out (receiver_read, on this thread as the
 * real-time reader), counters from receiver_stats.
 *
 * The receivers are never bound, so nothing runs session housekeeping on the
 * real clock: timeouts happen only in receiver_housekeep with an injected
 * time, and every counter and sample below is deterministic.
 *
 * Streams are L16 at 44100 Hz in packets of 221 frames (5 ms, like
 * roc-toolkit), with a target latency of exactly 4 packets. Each sample
 * encodes its frame index and channel, so a misplaced, repeated or missing
 * frame shows as a wrong value at a known place.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <rill/status.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/pool.h"
#include "pipeline/context.h"
#include "pipeline/receiver.h"
#include "rtp/payload.h"
#include "rtp/rtp.h"
#include "test_util.h"

#define RATE 44100
#define PKT_FRAMES 221
#define PKT_NS ((int64_t)PKT_FRAMES * NS_PER_S / RATE)
#define TARGET_FRAMES (4 * PKT_FRAMES)
/* Rounded up: the receiver converts back to frames rounding down. */
#define TARGET_NS (((int64_t)TARGET_FRAMES * NS_PER_S + RATE - 1) / RATE)
#define TIMEOUT_NS (2 * NS_PER_S)
#define MAX_FRAMES 16384
/* Samples pass through L16 (steps of 2^-15) and come back within half a
 * step; one step of slack. */
#define TOLERANCE (1.0f / 32767.0f)

/* ---- signals ---- */

/* Frame n of a test signal, channel ch: a sawtooth per channel, distinct
 * periods, so any frame index shows in the value. Range [-0.25, 0.25). */
static float sig(uint32_t n, uint32_t ch)
{
  uint32_t period = ch == 0 ? 997 : 331;
  float phase = (float)(n % period) / (float)period;
  return ch == 0 ? 0.5f * phase - 0.25f : 0.25f - 0.5f * phase;
}

/* A loud signal for the clamp test: [0.4, 1.0) on the left, its negative on the right. */
static float loud(uint32_t n, uint32_t ch)
{
  float v = 0.4f + 0.6f * (float)(n % 500) / 500.0f;
  return ch == 0 ? v : -v;
}

static float loud_const(uint32_t n, uint32_t ch)
{
  (void)n;
  return ch == 0 ? 0.3f : -0.3f;
}

static float left_only(uint32_t n, uint32_t ch)
{
  return ch == 0 ? sig(n, 0) : 0.0f;
}

static float right_only(uint32_t n, uint32_t ch)
{
  return ch == 1 ? sig(n, 1) : 0.0f;
}

/* ---- a sender, as datagrams ---- */

struct stream {
  uint32_t ssrc;
  uint8_t payload_type;
  struct rtp_encoding enc;
  uint16_t seq0;
  uint32_t ts0;
  uint32_t frames; /* per packet */
  float (*value)(uint32_t n, uint32_t ch);
};

static void stream_init(struct stream *st, uint32_t ssrc, uint8_t payload_type,
                        float (*value)(uint32_t n, uint32_t ch))
{
  struct rtp_registry reg;
  const struct rtp_encoding *enc;
  rtp_registry_init(&reg);
  enc = rtp_registry_find(&reg, payload_type);
  assert_non_null(enc);
  memset(st, 0, sizeof(*st));
  st->ssrc = ssrc;
  st->payload_type = payload_type;
  st->enc = *enc;
  /* Start near the wrap of both counters: every stream crosses it. */
  st->seq0 = (uint16_t)(65530u + ssrc % 7u);
  st->ts0 = UINT32_MAX - 3u * PKT_FRAMES + ssrc % 1000u;
  st->frames = PKT_FRAMES;
  st->value = value;
}

/* Datagram k of the stream (seq0 + k, ts0 + k * frames); returns its length. */
static size_t stream_packet(const struct stream *st, uint32_t k, uint8_t *out, size_t cap)
{
  struct rtp_header h;
  float samples[PKT_FRAMES * RTP_MAX_CHANNELS];
  size_t hdr = 0, payload = 0;
  uint32_t i, c;

  memset(&h, 0, sizeof(h));
  h.version = RTP_VERSION;
  h.payload_type = st->payload_type;
  h.seq = (uint16_t)(st->seq0 + k);
  h.timestamp = st->ts0 + k * st->frames;
  h.ssrc = st->ssrc;
  assert_int_equal(rtp_compose(&h, out, cap, &hdr), RILL_OK);
  assert_true(st->frames <= PKT_FRAMES);
  for (i = 0; i < st->frames; i++)
    for (c = 0; c < st->enc.channels; c++)
      samples[i * st->enc.channels + c] = st->value(k * st->frames + i, c);
  assert_int_equal(rtp_payload_encode(&st->enc, samples, st->frames, out + hdr, cap - hdr,
                                      &payload),
                   RILL_OK);
  return hdr + payload;
}

/* ---- receiver fixture ---- */

struct fixture {
  size_t arena_blocks_before;
  struct rill_context *ctx;
  struct rill_receiver *r;
  struct sockaddr_in src;
  int64_t now_ns;
};

static struct rill_receiver_params default_params(void)
{
  struct rill_receiver_params p;
  memset(&p, 0, sizeof(p));
  p.rate_hz = RATE;
  p.channels = 2;
  p.target_latency_ns = TARGET_NS;
  p.session_timeout_ns = TIMEOUT_NS;
  p.max_sessions = 4;
  p.session_budget_bytes = (size_t)4 << 20;
  p.socket_budget_bytes = (size_t)1 << 20;
  p.max_queue_packets = 64;
  rtp_registry_init(&p.registry);
  return p;
}

static void open_receiver(struct fixture *x, const struct rill_receiver_params *p)
{
  struct rill_context_params cp = {(size_t)16 << 20, CONTEXT_DEFAULT_MAX_PACKET_BYTES, NULL};
  memset(x, 0, sizeof(*x));
  x->arena_blocks_before = atomic_load(&arena_heap()->live_blocks);
  assert_int_equal(context_create(&cp, &x->ctx), RILL_OK);
  assert_int_equal(receiver_create(x->ctx, p, &x->r), RILL_OK);
  x->src.sin_family = AF_INET;
  x->src.sin_port = htons(40000);
  x->src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  x->now_ns = 1000 * NS_PER_S;
}

/* Destroy everything and check that every arena block came back. */
static void close_receiver(struct fixture *x)
{
  receiver_destroy(x->r);
  assert_int_equal(context_destroy(x->ctx), RILL_OK);
  assert_int_equal(atomic_load(&arena_heap()->live_blocks), x->arena_blocks_before);
}

/* Inject packet k of `st` from source port `port` at x->now_ns. */
static void send_from(struct fixture *x, const struct stream *st, uint32_t k, uint16_t port)
{
  uint8_t dgram[2048];
  size_t len = stream_packet(st, k, dgram, sizeof(dgram));
  struct sockaddr_in src = x->src;
  src.sin_port = htons(port);
  assert_int_equal(receiver_inject(x->r, dgram, len, (const struct sockaddr *)&src, x->now_ns),
                   RILL_OK);
}

static void send_packet(struct fixture *x, const struct stream *st, uint32_t k)
{
  send_from(x, st, k, 40000);
}

static void send_raw(struct fixture *x, const uint8_t *data, size_t len)
{
  assert_int_equal(
      receiver_inject(x->r, data, len, (const struct sockaddr *)&x->src, x->now_ns), RILL_OK);
}

static struct receiver_totals totals(struct fixture *x)
{
  struct receiver_totals t;
  receiver_stats(x->r, &t, NULL, 0, NULL);
  return t;
}

/* The active session with `ssrc`; fails the test if there is none. */
static struct receiver_session_info session(struct fixture *x, uint32_t ssrc)
{
  struct receiver_session_info infos[16];
  struct receiver_totals t;
  size_t n = 0, i;
  receiver_stats(x->r, &t, infos, 16, &n);
  for (i = 0; i < n; i++)
    if (infos[i].ssrc == ssrc)
      return infos[i];
  fail_msg("no active session with ssrc %08x (%zu active)", ssrc, n);
  return infos[0]; /* not reached */
}

/* ---- output checks ---- */

/* out[f * channels + ch] == expect(first + f, ch) within `tol`. */
static void assert_signal(const float *out, uint32_t channels, uint32_t frames, uint32_t first,
                          float (*expect)(uint32_t n, uint32_t ch), float tol)
{
  uint32_t f, c;
  for (f = 0; f < frames; f++)
    for (c = 0; c < channels; c++) {
      float want = expect(first + f, c), got = out[f * channels + c];
      if (!(fabsf(got - want) <= tol))
        fail_msg("frame %u channel %u: got %.7f, expected %.7f (signal frame %u)", f, c,
                 (double)got, (double)want, first + f);
    }
}

static void assert_silence(const float *out, uint32_t channels, uint32_t frames)
{
  uint32_t i;
  for (i = 0; i < frames * channels; i++)
    if (out[i] != 0.0f)
      fail_msg("sample %u (frame %u): got %.7f, expected silence", i, i / channels,
               (double)out[i]);
}

static float out_buf[MAX_FRAMES * 2];

/* ---- tests ---- */

static void receiver_plays_stream_exactly_at_target_latency(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st;
  struct receiver_totals t;
  struct receiver_session_info s;
  uint32_t k;
  (void)state;
  open_receiver(&x, &p);
  stream_init(&st, 0xA1, RTP_PT_L16_STEREO, sig);
  /* Nothing yet: silence, no session. */
  receiver_read(x.r, out_buf, 100);
  assert_silence(out_buf, 2, 100);
  assert_int_equal(totals(&x).sessions, 0);

  /* Three packets are less than the target: still silence. */
  for (k = 0; k < 3; k++, x.now_ns += PKT_NS)
    send_packet(&x, &st, k);
  receiver_read(x.r, out_buf, 100);
  assert_silence(out_buf, 2, 100);
  t = totals(&x);
  assert_int_equal(t.sessions, 1);
  assert_int_equal(t.sessions_created, 1);

  /* The fourth fills the target: play starts at the first frame sent. Each
   * read plays one packet while one more arrives, so the queue stays at the
   * target. */
  send_packet(&x, &st, 3);
  x.now_ns += PKT_NS;
  for (k = 4; k < 40; k++, x.now_ns += PKT_NS) {
    send_packet(&x, &st, k);
    receiver_read(x.r, out_buf, PKT_FRAMES);
    assert_signal(out_buf, 2, PKT_FRAMES, (k - 4) * PKT_FRAMES, sig, TOLERANCE);
    assert_int_equal(session(&x, st.ssrc).latency_ns, (int64_t)TARGET_FRAMES * NS_PER_S / RATE);
  }
  /* The last target's worth, in pieces that do not match the packets. */
  receiver_read(x.r, out_buf, 100);
  assert_signal(out_buf, 2, 100, 36 * PKT_FRAMES, sig, TOLERANCE);
  receiver_read(x.r, out_buf + 200, TARGET_FRAMES - 100);
  assert_signal(out_buf + 200, 2, TARGET_FRAMES - 100, 36 * PKT_FRAMES + 100, sig, TOLERANCE);

  t = totals(&x);
  assert_int_equal(t.datagrams, 40);
  assert_int_equal(t.sessions, 1);
  assert_int_equal(t.sessions_created, 1);
  assert_int_equal(t.sessions_refused, 0);
  assert_int_equal(t.bad_packets, 0);
  assert_int_equal(t.no_memory, 0);
  assert_int_equal(t.packets_received, 40);
  assert_int_equal(t.packets_played, 40);
  s = session(&x, st.ssrc);
  assert_int_equal(s.payload_type, RTP_PT_L16_STEREO);
  assert_int_equal(s.source.ss_family, AF_INET);
  assert_int_equal(ntohs(((struct sockaddr_in *)&s.source)->sin_port), 40000);
  assert_int_equal(s.packets_received, 40);
  assert_int_equal(s.packets_played, 40);
  assert_int_equal(s.packets_lost, 0);
  assert_int_equal(s.packets_late, 0);
  assert_int_equal(s.packets_duplicate, 0);
  assert_int_equal(s.packets_dropped, 0);
  assert_int_equal(s.gap_frames, 0);
  assert_int_equal(s.underruns, 0);
  assert_int_equal(s.resyncs, 0);
  assert_int_equal(s.latency_ns, 0); /* all played */
  assert_int_equal(s.memory_bytes, 0);
  /* Packets arrived on time, give or take the rounding of the clocks. */
  assert_true(s.jitter_ns >= 0 && s.jitter_ns <= 2 * NS_PER_S / RATE);

  /* Reading on: the queue runs dry (one underrun) and plays silence. */
  receiver_read(x.r, out_buf, 100);
  assert_silence(out_buf, 2, 100);
  assert_int_equal(session(&x, st.ssrc).underruns, 1);
  close_receiver(&x);
}

static void receiver_absorbs_reordering_and_counts_duplicates(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st;
  struct receiver_session_info s;
  uint32_t pair, reads = 0, dups = 0;
  (void)state;
  open_receiver(&x, &p);
  stream_init(&st, 0xB2, RTP_PT_L16_STEREO, sig);

  /* Pairs arrive swapped (1, 0, 3, 2, ...); every third pair's even packet
   * arrives twice. From the third pair on, two packets are read per pair. */
  for (pair = 0; pair < 20; pair++) {
    send_packet(&x, &st, 2 * pair + 1);
    send_packet(&x, &st, 2 * pair);
    if (pair % 3 == 0) {
      send_packet(&x, &st, 2 * pair);
      dups++;
    }
    x.now_ns += 2 * PKT_NS;
    if (pair >= 2) {
      receiver_read(x.r, out_buf, 2 * PKT_FRAMES);
      assert_signal(out_buf, 2, 2 * PKT_FRAMES, reads * 2 * PKT_FRAMES, sig, TOLERANCE);
      reads++;
    }
  }
  s = session(&x, st.ssrc);
  assert_int_equal(dups, 7);
  assert_int_equal(s.packets_received, 40 + 7);
  assert_int_equal(s.packets_duplicate, 7);
  assert_int_equal(s.packets_played, 2 * reads);
  assert_int_equal(s.packets_lost, 0);
  assert_int_equal(s.packets_late, 0);
  assert_int_equal(s.packets_dropped, 0);
  assert_int_equal(s.gap_frames, 0);
  assert_int_equal(s.underruns, 0);
  assert_int_equal(totals(&x).sessions_created, 1);

  /* A packet that arrives after its audio was played is late, not a duplicate. */
  send_packet(&x, &st, 5);
  receiver_read(x.r, out_buf, 1);
  s = session(&x, st.ssrc);
  assert_int_equal(s.packets_late, 1);
  assert_int_equal(s.packets_duplicate, 7);
  close_receiver(&x);
}

static void receiver_plays_silence_for_exactly_a_lost_packet(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st;
  struct receiver_session_info s;
  uint32_t k;
  const uint32_t lost = 8;
  (void)state;
  open_receiver(&x, &p);
  stream_init(&st, 0xC3, RTP_PT_L16_STEREO, sig);

  for (k = 0; k < 4; k++, x.now_ns += PKT_NS)
    send_packet(&x, &st, k);
  for (k = 4; k < 20; k++, x.now_ns += PKT_NS) {
    uint32_t playing = k - 4;
    if (k != lost)
      send_packet(&x, &st, k);
    receiver_read(x.r, out_buf, PKT_FRAMES);
    if (playing == lost)
      assert_silence(out_buf, 2, PKT_FRAMES);
    else
      assert_signal(out_buf, 2, PKT_FRAMES, playing * PKT_FRAMES, sig, TOLERANCE);
  }
  s = session(&x, st.ssrc);
  assert_int_equal(s.packets_received, 19);
  assert_int_equal(s.packets_played, 15);
  assert_int_equal(s.packets_lost, 1);
  assert_int_equal(s.gap_frames, PKT_FRAMES);
  assert_int_equal(s.packets_late, 0);
  assert_int_equal(s.underruns, 0);
  close_receiver(&x);
}

static float mono_of_sig(uint32_t n, uint32_t ch)
{
  (void)ch;
  return sig(n, 0);
}

static float average_of_sig(uint32_t n, uint32_t ch)
{
  (void)ch;
  return (sig(n, 0) + sig(n, 1)) / 2.0f;
}

static void receiver_maps_mono_to_stereo_and_stereo_to_mono(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st;
  uint32_t k;
  (void)state;

  /* PT 11 (mono) into a stereo receiver: both channels carry the signal. */
  open_receiver(&x, &p);
  stream_init(&st, 0xD4, RTP_PT_L16_MONO, sig);
  for (k = 0; k < 8; k++, x.now_ns += PKT_NS)
    send_packet(&x, &st, k);
  receiver_read(x.r, out_buf, 8 * PKT_FRAMES);
  assert_signal(out_buf, 2, 8 * PKT_FRAMES, 0, mono_of_sig, TOLERANCE);
  assert_int_equal(session(&x, st.ssrc).payload_type, RTP_PT_L16_MONO);
  assert_int_equal(session(&x, st.ssrc).packets_played, 8);
  close_receiver(&x);

  /* PT 10 (stereo) into a mono receiver: the average of both channels. */
  p.channels = 1;
  open_receiver(&x, &p);
  stream_init(&st, 0xD5, RTP_PT_L16_STEREO, sig);
  for (k = 0; k < 8; k++, x.now_ns += PKT_NS)
    send_packet(&x, &st, k);
  receiver_read(x.r, out_buf, 8 * PKT_FRAMES);
  assert_signal(out_buf, 1, 8 * PKT_FRAMES, 0, average_of_sig, TOLERANCE);
  assert_int_equal(session(&x, st.ssrc).packets_played, 8);
  close_receiver(&x);
}

static float clamped_sum(uint32_t n, uint32_t ch)
{
  float v = loud(n, ch) + loud_const(n, ch);
  return v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
}

static void receiver_mixes_senders_and_clamps(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream a, b;
  uint32_t k, i, clipped = 0;
  (void)state;
  open_receiver(&x, &p);
  stream_init(&a, 0xE5, RTP_PT_L16_STEREO, loud);
  stream_init(&b, 0xE6, RTP_PT_L16_STEREO, loud_const);
  /* Different seq and timestamp origins: each session keeps its own clock. */
  b.seq0 = 1000;
  b.ts0 = 123456;
  for (k = 0; k < 10; k++, x.now_ns += PKT_NS) {
    send_from(&x, &a, k, 40001);
    send_from(&x, &b, k, 40002);
  }
  receiver_read(x.r, out_buf, 10 * PKT_FRAMES);
  /* Two L16 roundings: twice the tolerance. */
  assert_signal(out_buf, 2, 10 * PKT_FRAMES, 0, clamped_sum, 2 * TOLERANCE);
  for (i = 0; i < 10 * PKT_FRAMES * 2; i++) {
    assert_true(out_buf[i] >= -1.0f && out_buf[i] <= 1.0f);
    clipped += fabsf(out_buf[i]) == 1.0f;
  }
  assert_true(clipped > 1000); /* the sum goes past full scale about half the time */
  assert_int_equal(totals(&x).sessions, 2);
  assert_int_equal(session(&x, a.ssrc).packets_played, 10);
  assert_int_equal(session(&x, b.ssrc).packets_played, 10);
  {
    struct receiver_session_info s = session(&x, b.ssrc);
    assert_int_equal(ntohs(((struct sockaddr_in *)&s.source)->sin_port), 40002);
  }
  close_receiver(&x);
}

static void receiver_counts_malformed_and_unknown_without_session(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st;
  uint8_t good[2048], bad[64];
  size_t len;
  struct receiver_totals t;
  (void)state;
  open_receiver(&x, &p);
  stream_init(&st, 0xF6, RTP_PT_L16_STEREO, sig);
  len = stream_packet(&st, 0, good, sizeof(good));

  /* Shorter than the fixed header. */
  send_raw(&x, good, 11);
  /* Version 1, then version 0 and 3. */
  memcpy(bad, good, 40);
  bad[0] = (uint8_t)((bad[0] & 0x3f) | 0x40);
  send_raw(&x, bad, 40);
  bad[0] = (uint8_t)(bad[0] & 0x3f);
  send_raw(&x, bad, 40);
  bad[0] = (uint8_t)(bad[0] | 0xc0);
  send_raw(&x, bad, 40);
  /* CSRC count 15 in a 20-byte datagram. */
  memcpy(bad, good, 20);
  bad[0] = (uint8_t)(bad[0] | 0x0f);
  send_raw(&x, bad, 20);
  /* Padding count 200 with 8 bytes after the header. */
  memcpy(bad, good, 20);
  bad[0] = (uint8_t)(bad[0] | 0x20);
  bad[19] = 200;
  send_raw(&x, bad, 20);
  /* Padding count 0. */
  bad[19] = 0;
  send_raw(&x, bad, 20);
  /* A valid header with no payload, then one whose payload is all padding. */
  send_raw(&x, good, RTP_FIXED_HEADER_BYTES);
  memcpy(bad, good, 16);
  bad[0] = (uint8_t)(bad[0] | 0x20);
  bad[15] = 4;
  send_raw(&x, bad, 16);
  /* Extension header announced but cut off. */
  memcpy(bad, good, 14);
  bad[0] = (uint8_t)(bad[0] | 0x10);
  send_raw(&x, bad, 14);
  /* Not RTP at all. */
  send_raw(&x, (const uint8_t *)"", 0);
  t = totals(&x);
  assert_int_equal(t.bad_packets, 11);

  /* Unknown payload types: a static one (0, PCMU) and an unregistered dynamic one. */
  memcpy(bad, good, len < sizeof(bad) ? len : sizeof(bad));
  bad[1] = 0;
  send_raw(&x, bad, sizeof(bad));
  bad[1] = 96;
  send_raw(&x, bad, sizeof(bad));
  bad[1] = 0x80 | 127; /* marker set */
  send_raw(&x, bad, sizeof(bad));

  t = totals(&x);
  assert_int_equal(t.datagrams, 14);
  assert_int_equal(t.bad_packets, 11);
  assert_int_equal(t.unknown_payload_type, 3);
  assert_int_equal(t.rate_mismatch, 0);
  assert_int_equal(t.sessions_created, 0);
  assert_int_equal(t.sessions_refused, 0);
  assert_int_equal(t.sessions, 0);
  receiver_read(x.r, out_buf, 500);
  assert_silence(out_buf, 2, 500);

  /* The receiver still takes a good stream afterwards. */
  send_raw(&x, good, len);
  assert_int_equal(totals(&x).sessions_created, 1);
  close_receiver(&x);
}

static void receiver_refuses_sessions_beyond_max(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st[10];
  struct receiver_totals t;
  uint32_t k, i;
  const uint32_t packets = 8;
  (void)state;
  p.max_sessions = 2;
  open_receiver(&x, &p);
  /* The first two senders take the slots: one plays left only, the other
   * right only, so the mix shows each exactly. The other 8 are refused. */
  stream_init(&st[0], 0x100, RTP_PT_L16_STEREO, left_only);
  stream_init(&st[1], 0x101, RTP_PT_L16_STEREO, right_only);
  for (i = 2; i < 10; i++)
    stream_init(&st[i], 0x100 + i, RTP_PT_L16_STEREO, loud);
  for (k = 0; k < packets; k++, x.now_ns += PKT_NS)
    for (i = 0; i < 10; i++)
      send_from(&x, &st[i], k, (uint16_t)(41000 + i));
  t = totals(&x);
  assert_int_equal(t.datagrams, 10 * packets);
  assert_int_equal(t.sessions_created, 2);
  assert_int_equal(t.sessions, 2);
  assert_int_equal(t.sessions_refused, 8 * packets);

  receiver_read(x.r, out_buf, packets * PKT_FRAMES);
  assert_signal(out_buf, 2, packets * PKT_FRAMES, 0, sig, TOLERANCE);
  for (i = 0; i < 2; i++) {
    struct receiver_session_info s = session(&x, st[i].ssrc);
    assert_int_equal(s.packets_received, packets);
    assert_int_equal(s.packets_played, packets);
    assert_int_equal(s.packets_dropped, 0);
    assert_int_equal(ntohs(((struct sockaddr_in *)&s.source)->sin_port), 41000 + i);
  }
  close_receiver(&x);
}

/* Plays 6 packets of a new stream `ssrc` through the single slot, then lets
 * it time out and be freed. */
static void run_session_cycle(struct fixture *x, uint32_t ssrc, uint64_t cycle)
{
  struct stream st;
  struct receiver_totals t;
  uint32_t k;
  stream_init(&st, ssrc, RTP_PT_L16_STEREO, sig);
  for (k = 0; k < 6; k++, x->now_ns += PKT_NS)
    send_packet(x, &st, k);
  t = totals(x);
  assert_int_equal(t.sessions, 1);
  assert_int_equal(t.sessions_created, cycle + 1);
  receiver_read(x->r, out_buf, 6 * PKT_FRAMES);
  assert_signal(out_buf, 2, 6 * PKT_FRAMES, 0, sig, TOLERANCE);
  assert_int_equal(session(x, ssrc).packets_played, 6);
  x->now_ns += TIMEOUT_NS + 1;
  receiver_housekeep(x->r, x->now_ns);
  assert_int_equal(totals(x).sessions, 0);
  receiver_read(x->r, out_buf, 1);
  receiver_housekeep(x->r, x->now_ns);
  t = totals(x);
  assert_int_equal(t.sessions_removed, cycle + 1);
  assert_int_equal(t.sessions, 0);
}

static void receiver_times_out_sessions_and_reuses_slots(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st, other;
  struct receiver_totals t;
  struct receiver_session_info s;
  int64_t last_ns;
  size_t peak;
  uint32_t k, cycle;
  (void)state;
  p.max_sessions = 1;
  open_receiver(&x, &p);
  stream_init(&st, 0x200, RTP_PT_L16_STEREO, sig);
  stream_init(&other, 0x300, RTP_PT_L16_STEREO, sig);

  for (k = 0; k < 6; k++, x.now_ns += PKT_NS)
    send_packet(&x, &st, k);
  last_ns = x.now_ns - PKT_NS;
  receiver_read(x.r, out_buf, 2 * PKT_FRAMES);
  assert_int_equal(session(&x, st.ssrc).packets_played, 2);

  /* Exactly the timeout since the last packet: still active. */
  receiver_housekeep(x.r, last_ns + TIMEOUT_NS);
  assert_int_equal(totals(&x).sessions, 1);
  /* Past it: closing. The slot is not free yet; a new sender is refused and
   * a late packet of the old stream is dropped. */
  receiver_housekeep(x.r, last_ns + TIMEOUT_NS + 1);
  x.now_ns = last_ns + TIMEOUT_NS + 2;
  t = totals(&x);
  assert_int_equal(t.sessions, 0);
  assert_int_equal(t.sessions_removed, 0);
  send_packet(&x, &other, 0);
  send_packet(&x, &st, 6);
  t = totals(&x);
  assert_int_equal(t.sessions_refused, 1);
  assert_int_equal(t.sessions_created, 1);
  /* Housekeeping alone cannot free it: the reader still owns its queue. */
  receiver_housekeep(x.r, x.now_ns);
  assert_int_equal(totals(&x).sessions_removed, 0);
  /* The reader retires it (its queued audio is dropped, not played)... */
  receiver_read(x.r, out_buf, 100);
  assert_silence(out_buf, 2, 100);
  /* ...and the next housekeeping frees the slot. */
  receiver_housekeep(x.r, x.now_ns);
  t = totals(&x);
  assert_int_equal(t.sessions_removed, 1);
  assert_int_equal(t.sessions, 0);

  /* A new sender takes the slot, with counters of its own. */
  send_packet(&x, &other, 0);
  t = totals(&x);
  assert_int_equal(t.sessions_created, 2);
  assert_int_equal(t.sessions, 1);
  s = session(&x, other.ssrc);
  assert_int_equal(s.packets_received, 1);
  assert_int_equal(s.packets_played, 0);
  assert_int_equal(s.packets_dropped, 0);
  assert_int_equal(s.latency_ns, 0);
  /* Lifetime totals: the removed session (6 received, 2 played, 1 dropped
   * while closing) counts once, the new one adds only its own packet. */
  assert_int_equal(t.packets_received, 7);
  assert_int_equal(t.packets_played, 2);
  assert_int_equal(t.packets_dropped, 1);
  for (k = 1; k < 6; k++, x.now_ns += PKT_NS)
    send_packet(&x, &other, k);
  receiver_read(x.r, out_buf, 6 * PKT_FRAMES);
  assert_signal(out_buf, 2, 6 * PKT_FRAMES, 0, sig, TOLERANCE);
  x.now_ns += TIMEOUT_NS + 1;
  receiver_housekeep(x.r, x.now_ns);
  receiver_read(x.r, out_buf, 1);
  receiver_housekeep(x.r, x.now_ns);
  assert_int_equal(totals(&x).sessions_removed, 2);

  /* Churn: 50 more create/remove cycles hold no more memory than the first. */
  run_session_cycle(&x, 0x1000, 2);
  peak = atomic_load(&x.ctx->global.peak_bytes);
  for (cycle = 1; cycle < 50; cycle++) {
    run_session_cycle(&x, 0x1000 + cycle, 2 + cycle);
    assert_int_equal(atomic_load(&x.ctx->global.peak_bytes), peak);
  }
  t = totals(&x);
  assert_int_equal(t.sessions_created, 52);
  assert_int_equal(t.sessions_removed, 52);
  close_receiver(&x);
}

static void receiver_converts_rates_and_refuses_extremes(void **state)
{
  struct rill_receiver_params p = default_params();
  struct rtp_encoding slow = {97, RTP_FMT_S16BE, 5000, 2}; /* 48000 / 5000 > 8 */
  struct fixture x;
  struct stream far, st;
  struct receiver_totals t;
  uint32_t k, i, nonzero = 0;
  (void)state;
  p.rate_hz = 48000;
  assert_int_equal(rtp_registry_add(&p.registry, &slow), RILL_OK);
  open_receiver(&x, &p);
  stream_init(&far, 0x400, RTP_PT_L16_STEREO, sig);
  far.payload_type = 97;
  far.enc = slow;
  for (k = 0; k < 5; k++, x.now_ns += PKT_NS)
    send_packet(&x, &far, k);
  t = totals(&x);
  assert_int_equal(t.rate_mismatch, 5);
  assert_int_equal(t.sessions_created, 0);
  receiver_read(x.r, out_buf, 1000);
  assert_silence(out_buf, 2, 1000);

  /* PT 10 at 44100 Hz into a 48000 Hz receiver is resampled and played. */
  stream_init(&st, 0x402, RTP_PT_L16_STEREO, sig);
  for (k = 0; k < 20; k++, x.now_ns += PKT_NS)
    send_packet(&x, &st, k);
  receiver_read(x.r, out_buf, 8000);
  t = totals(&x);
  assert_int_equal(t.sessions_created, 1);
  assert_int_equal(t.rate_mismatch, 5);
  assert_true(session(&x, st.ssrc).packets_played > 0);
  for (i = 0; i < 2 * 8000; i++) {
    assert_true(out_buf[i] >= -1.0f && out_buf[i] <= 1.0f);
    nonzero += out_buf[i] != 0.0f;
  }
  assert_true(nonzero > 4000);
  close_receiver(&x);
}

static void receiver_enforces_session_budget(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st;
  struct receiver_session_info s;
  struct rill_pool_stats ps;
  size_t packet_bytes, budget;
  uint32_t k;
  (void)state;

  /* The per-packet charge: one packet record and one datagram buffer. */
  open_receiver(&x, &p);
  pool_stats(x.ctx->packets, &ps);
  packet_bytes = ps.stride_bytes;
  pool_stats(x.ctx->buffers, &ps);
  packet_bytes += ps.stride_bytes;
  close_receiver(&x);

  budget = 6 * packet_bytes;
  p.session_budget_bytes = budget;
  open_receiver(&x, &p);
  stream_init(&st, 0x500, RTP_PT_L16_STEREO, sig);

  /* Ten packets and no reader: six fit, four are dropped. */
  for (k = 0; k < 10; k++, x.now_ns += PKT_NS) {
    send_packet(&x, &st, k);
    s = session(&x, st.ssrc);
    assert_true(s.memory_bytes <= budget);
  }
  s = session(&x, st.ssrc);
  assert_int_equal(s.memory_bytes, budget);
  assert_int_equal(s.packets_received, 10);
  assert_int_equal(s.packets_dropped, 4);
  assert_int_equal(totals(&x).no_memory, 0);

  /* The reader plays the six and frees them. */
  receiver_read(x.r, out_buf, 6 * PKT_FRAMES);
  assert_signal(out_buf, 2, 6 * PKT_FRAMES, 0, sig, TOLERANCE);
  s = session(&x, st.ssrc);
  assert_int_equal(s.memory_bytes, 0);
  assert_int_equal(s.packets_played, 6);

  /* Room again: the stream goes on after a gap where the dropped packets were. */
  for (k = 10; k < 16; k++, x.now_ns += PKT_NS) {
    send_packet(&x, &st, k);
    assert_true(session(&x, st.ssrc).memory_bytes <= budget);
  }
  s = session(&x, st.ssrc);
  assert_int_equal(s.packets_dropped, 4);
  assert_int_equal(s.memory_bytes, budget);
  receiver_read(x.r, out_buf, 10 * PKT_FRAMES);
  assert_silence(out_buf, 2, 4 * PKT_FRAMES);
  assert_signal(out_buf + 4 * PKT_FRAMES * 2, 2, 6 * PKT_FRAMES, 10 * PKT_FRAMES, sig,
                TOLERANCE);
  s = session(&x, st.ssrc);
  assert_int_equal(s.packets_received, 16);
  assert_int_equal(s.packets_played, 12);
  assert_int_equal(s.packets_lost, 4);
  assert_int_equal(s.gap_frames, 4 * PKT_FRAMES);
  assert_int_equal(s.memory_bytes, 0);
  close_receiver(&x);
}

/* Inject packet k of `st` with its timestamp moved by `shift` (a stray packet
 * or a sender whose clock jumped). */
static void send_shifted(struct fixture *x, const struct stream *st, uint32_t k, uint32_t shift)
{
  uint8_t dgram[2048];
  size_t len = stream_packet(st, k, dgram, sizeof(dgram));
  uint32_t ts = ((uint32_t)dgram[4] << 24 | (uint32_t)dgram[5] << 16 | (uint32_t)dgram[6] << 8 |
                 dgram[7]) + shift;
  dgram[4] = (uint8_t)(ts >> 24);
  dgram[5] = (uint8_t)(ts >> 16);
  dgram[6] = (uint8_t)(ts >> 8);
  dgram[7] = (uint8_t)ts;
  send_raw(x, dgram, len);
}

static bool signal_matches(const float *out, uint32_t channels, uint32_t frames, uint32_t first,
                           float (*expect)(uint32_t n, uint32_t ch))
{
  uint32_t f, c;
  for (f = 0; f < frames; f++)
    for (c = 0; c < channels; c++)
      if (!(fabsf(out[f * channels + c] - expect(first + f, c)) <= TOLERANCE))
        return false;
  return true;
}

#define STRAY_PACKETS 400 /* 2 s */
#define STRAY_TAIL 50     /* packets read at the end that must be clean audio */

/*
 * A stream of STRAY_PACKETS in which packet `stray` carries a timestamp moved
 * by `shift` (or, with `all_after`, every packet from `stray` on: the sender
 * restarted its clock). One packet read per packet sent. Returns the session
 * info; checks that the last STRAY_TAIL packets read are continuous audio.
 */
static struct receiver_session_info play_with_stray(uint32_t stray, uint32_t shift, bool all_after)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st;
  struct receiver_session_info s;
  uint32_t k, j;
  bool found = false;
  open_receiver(&x, &p);
  stream_init(&st, 0x600, RTP_PT_L16_STEREO, sig);
  for (k = 0; k < STRAY_PACKETS; k++, x.now_ns += PKT_NS) {
    if (k == stray || (all_after && k > stray))
      send_shifted(&x, &st, k, shift);
    else
      send_packet(&x, &st, k);
    if (k >= 4) {
      uint32_t tail_index = k + STRAY_TAIL >= STRAY_PACKETS ? k + STRAY_TAIL - STRAY_PACKETS : 0;
      receiver_read(x.r, out_buf + (size_t)tail_index * PKT_FRAMES * 2, PKT_FRAMES);
    }
  }
  /* The tail is some run of consecutive packets of the stream. */
  for (j = 0; j + STRAY_TAIL <= STRAY_PACKETS && !found; j++)
    found = signal_matches(out_buf, 2, STRAY_TAIL * PKT_FRAMES, j * PKT_FRAMES, sig);
  if (!found)
    fail_msg("stray packet %u shifted by %u: the last %u packets read are not clean audio", stray,
             shift, STRAY_TAIL);
  s = session(&x, st.ssrc);
  /* What the resync threw away is neither lost nor dropped: it is gone
   * with the timeline it belonged to. */
  assert_int_equal(s.packets_received, STRAY_PACKETS);
  assert_int_equal(s.packets_lost, 0);
  assert_int_equal(s.packets_late, 0);
  assert_int_equal(s.packets_dropped, 0);
  assert_int_equal(s.gap_frames, 0);
  close_receiver(&x);
  return s;
}

static void receiver_recovers_from_a_stray_timestamp(void **state)
{
  static const struct {
    uint32_t stray, shift;
    bool all_after;
    uint64_t played, resyncs;
  } cases[] = {
      /* The first packet far ahead: replaced by the second. */
      {0, 1u << 30, false, 396, 1},
      /* Before the start, ahead, half the range away, behind: the stray
       * replaces the queued packet, the next packet replaces the stray. */
      {1, 1u << 30, false, 395, 2},
      {1, 0x80000000u, false, 395, 2},
      {1, (uint32_t)-(1 << 30), false, 395, 2},
      /* While playing, 2.3 s ahead or behind: resync to it, then back. */
      {10, 100000, false, 392, 2},
      {10, (uint32_t)-100000, false, 392, 2},
      /* The sender's clock jumps 10 s and stays there, while playing and
       * before the start: one resync, no silence, nothing lost. */
      {100, 441000, true, 393, 1},
      {2, 441000, true, 395, 1},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct receiver_session_info s =
        play_with_stray(cases[i].stray, cases[i].shift, cases[i].all_after);
    assert_int_equal(s.packets_played, cases[i].played);
    assert_int_equal(s.resyncs, cases[i].resyncs);
  }
}

static void receiver_rejects_bad_params(void **state)
{
  struct rill_context_params cp = {(size_t)16 << 20, CONTEXT_DEFAULT_MAX_PACKET_BYTES, NULL};
  struct rill_context *ctx;
  struct rill_receiver *r = NULL;
  struct rill_receiver_params p;
  size_t blocks = atomic_load(&arena_heap()->live_blocks);
  (void)state;
  assert_int_equal(context_create(&cp, &ctx), RILL_OK);
  p = default_params();
  p.max_sessions = 0;
  assert_int_equal(receiver_create(ctx, &p, &r), RILL_EINVAL);
  assert_null(r);
  p = default_params();
  p.channels = RTP_MAX_CHANNELS + 1;
  assert_int_equal(receiver_create(ctx, &p, &r), RILL_EINVAL);
  p = default_params();
  p.max_queue_packets = 1;
  assert_int_equal(receiver_create(ctx, &p, &r), RILL_EINVAL);
  p = default_params();
  p.session_timeout_ns = 0;
  assert_int_equal(receiver_create(ctx, &p, &r), RILL_EINVAL);
  assert_int_equal(context_destroy(ctx), RILL_OK);
  assert_int_equal(atomic_load(&arena_heap()->live_blocks), blocks);
}

/* RFC 3550 jitter on a clock that has run for ~31 years: the arrival time
 * in RTP units wraps like the timestamps instead of overflowing (UBSan would
 * flag the old int64 product), and the estimate follows a known delay
 * pattern: every other packet 1 ms late gives D = 1 ms, J -> 1 ms. */
static void receiver_jitter_estimate_survives_a_long_running_clock(void **state)
{
  struct rill_receiver_params p = default_params();
  struct fixture x;
  struct stream st;
  int64_t t0 = INT64_C(1000000000000000000), jitter;
  uint32_t k;
  (void)state;
  open_receiver(&x, &p);
  stream_init(&st, 0x5eed, RTP_PT_L16_STEREO, sig);
  for (k = 0; k < 200; k++) {
    x.now_ns = t0 + (int64_t)k * PKT_NS + (k % 2 ? NS_PER_MS : 0);
    send_packet(&x, &st, k);
  }
  jitter = session(&x, st.ssrc).jitter_ns;
  print_message("jitter %lld ns (1 ms expected)\n", (long long)jitter);
  assert_true(llabs(jitter - NS_PER_MS) < NS_PER_MS / 20);
  close_receiver(&x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(receiver_plays_stream_exactly_at_target_latency),
      cmocka_unit_test(receiver_jitter_estimate_survives_a_long_running_clock),
      cmocka_unit_test(receiver_absorbs_reordering_and_counts_duplicates),
      cmocka_unit_test(receiver_plays_silence_for_exactly_a_lost_packet),
      cmocka_unit_test(receiver_maps_mono_to_stereo_and_stereo_to_mono),
      cmocka_unit_test(receiver_mixes_senders_and_clamps),
      cmocka_unit_test(receiver_counts_malformed_and_unknown_without_session),
      cmocka_unit_test(receiver_refuses_sessions_beyond_max),
      cmocka_unit_test(receiver_times_out_sessions_and_reuses_slots),
      cmocka_unit_test(receiver_converts_rates_and_refuses_extremes),
      cmocka_unit_test(receiver_enforces_session_budget),
      cmocka_unit_test(receiver_recovers_from_a_stray_timestamp),
      cmocka_unit_test(receiver_rejects_bad_params),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
