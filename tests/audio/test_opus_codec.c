/*
 * Opus wrappers (audio/opus_codec.h) and the depacketizer's Opus playback:
 * a round trip keeps the tone (SNR after the codec's delay), a lost packet
 * is concealed with audio instead of silence, in-band FEC restores one,
 * a DTX pause is not loss, and padding keeps a packet decodable.
 */
#include <math.h>
#include <stdlib.h>

#include "audio/depacketizer.h"
#include "audio/opus_codec.h"
#include "packet/seqmath.h"
#include "packet_factory.h"

#define RATE 48000
#define FRAME 960 /* 20 ms */
#define MAX_PACKETS 64
#define TWO_PI 6.283185307179586

struct coded {
  uint8_t data[MAX_PACKETS][1500];
  size_t bytes[MAX_PACKETS];
  size_t count;
};

static void tone(float *pcm, uint32_t channels, uint32_t first, uint32_t frames, double freq)
{
  uint32_t i, c;
  for (i = 0; i < frames; i++)
    for (c = 0; c < channels; c++)
      pcm[i * channels + c] = 0.5f * (float)sin(TWO_PI * freq * (double)(first + i) / RATE);
}

/* `count` packets of `frames` frames of a tone, coded with `ep`. */
static void encode_tone(const struct opuscodec_enc_params *ep, uint32_t frames, size_t count,
                        double freq, struct coded *out)
{
  void *mem = malloc(opuscodec_encoder_bytes(ep->channels));
  struct opuscodec_enc *enc;
  float pcm[2880 * 2];
  size_t i;
  assert_non_null(mem);
  assert_int_equal(opuscodec_encoder_init(mem, ep, &enc), RILL_OK);
  for (i = 0; i < count; i++) {
    tone(pcm, ep->channels, (uint32_t)i * frames, frames, freq);
    assert_int_equal(opuscodec_encode(enc, pcm, frames, out->data[i], sizeof(out->data[i]),
                                      &out->bytes[i]),
                     RILL_OK);
    assert_true(out->bytes[i] > 2);
  }
  out->count = count;
  free(mem);
}

static struct opuscodec_enc_params music(uint32_t channels)
{
  struct opuscodec_enc_params ep = {channels, 64000 * channels, 10, false, 0, false, false};
  return ep;
}

/* SNR (dB) of `got` (channel 0 of `channels`) against the tone delayed by
 * the best lag in 0..1000 frames (the codec's lookahead). */
static double snr_vs_tone(const float *got, uint32_t channels, uint32_t frames, double freq)
{
  double best = -100;
  uint32_t lag, i;
  for (lag = 0; lag <= 1000; lag += 1) {
    double sig = 0, err = 0;
    for (i = lag + 2000; i < frames; i++) {
      double ref = 0.5 * sin(TWO_PI * freq * (double)(i - lag) / RATE);
      double d = got[(size_t)i * channels] - ref;
      sig += ref * ref;
      err += d * d;
    }
    if (err > 0 && 10 * log10(sig / err) > best)
      best = 10 * log10(sig / err);
  }
  return best;
}

static double rms(const float *x, uint32_t channels, uint32_t frames)
{
  double s = 0;
  uint32_t i;
  for (i = 0; i < frames; i++)
    s += (double)x[(size_t)i * channels] * x[(size_t)i * channels];
  return frames ? sqrt(s / frames) : 0;
}

static void opus_round_trip_keeps_the_tone(void **state)
{
  struct opuscodec_enc_params ep = music(2);
  static struct coded c;
  static float out[MAX_PACKETS * FRAME * 2];
  void *mem = malloc(opuscodec_decoder_bytes(2));
  struct opuscodec_dec *dec;
  uint32_t n = 0, total = 0;
  size_t i;
  double snr;
  (void)state;
  encode_tone(&ep, FRAME, 50, 440, &c);
  assert_non_null(mem);
  assert_int_equal(opuscodec_decoder_init(mem, 2, &dec), RILL_OK);
  for (i = 0; i < c.count; i++) {
    assert_int_equal(opuscodec_packet_frames(c.data[i], c.bytes[i], &n), RILL_OK);
    assert_int_equal(n, FRAME);
    assert_int_equal(opuscodec_decode(dec, c.data[i], c.bytes[i], false,
                                      out + (size_t)total * 2, FRAME, &n),
                     RILL_OK);
    total += n;
  }
  assert_int_equal(total, 50 * FRAME);
  snr = snr_vs_tone(out, 2, total, 440);
  print_message("round trip 128 kbit/s stereo, 20 ms: SNR %.1f dB\n", snr);
  assert_true(snr > 20.0); /* a lossy codec: 20 dB is far above a wrong tone's ~0 dB */
  free(mem);
}

static void opus_codec_rejects_what_opus_cannot_code(void **state)
{
  struct opuscodec_enc_params ep = music(2);
  uint8_t buf[8] = {0};
  uint32_t n;
  (void)state;
  assert_true(opuscodec_frames_valid(120));
  assert_true(opuscodec_frames_valid(2880));
  assert_false(opuscodec_frames_valid(441));
  assert_false(opuscodec_frames_valid(5760)); /* decodable, not an encoder frame */
  assert_int_equal(opuscodec_encoder_bytes(3), 0);
  ep.bitrate_bps = 1000;
  assert_int_equal(opuscodec_encoder_init(buf, &ep, NULL), RILL_EINVAL);
  assert_int_equal(opuscodec_packet_frames(buf, 0, &n), RILL_EMALFORMED);
}

static void opus_padding_keeps_a_packet_decodable(void **state)
{
  struct opuscodec_enc_params ep = music(1);
  static struct coded c;
  uint8_t padded[1500];
  uint32_t n = 0;
  (void)state;
  encode_tone(&ep, FRAME, 1, 440, &c);
  memcpy(padded, c.data[0], c.bytes[0]);
  assert_int_equal(opuscodec_pad(padded, c.bytes[0], c.bytes[0] + 300), RILL_OK);
  assert_int_equal(opuscodec_packet_frames(padded, c.bytes[0] + 300, &n), RILL_OK);
  assert_int_equal(n, FRAME);
}

/* ---- the depacketizer's Opus playback ---- */

struct opus_fixture {
  struct packet_factory f;
  struct rill_depacketizer d;
  void *dec_mem;
  struct opuscodec_dec *dec;
  float *pcm;
  struct rtp_encoding enc;
};

static void opus_setup(struct opus_fixture *x, uint32_t channels, uint32_t target)
{
  struct rtp_encoding carrier = {96, RTP_FMT_S16BE, RATE, (uint16_t)channels};
  x->enc = (struct rtp_encoding){96, RTP_FMT_OPUS, RATE, (uint16_t)channels};
  /* The factory composes empty PCM packets; opus_packet fills in Opus. */
  factory_init(&x->f, &carrier);
  x->dec_mem = malloc(opuscodec_decoder_bytes(channels));
  x->pcm = malloc(sizeof(float) * OPUSCODEC_MAX_FRAMES * channels);
  assert_non_null(x->dec_mem);
  assert_non_null(x->pcm);
  assert_int_equal(opuscodec_decoder_init(x->dec_mem, channels, &x->dec), RILL_OK);
  depack_init(&x->d, &x->enc, target, 128);
  depack_attach_opus(&x->d, x->dec, x->pcm, OPUSCODEC_MAX_FRAMES);
}

static void opus_teardown(struct opus_fixture *x)
{
  depack_deinit(&x->d);
  factory_deinit(&x->f);
  free(x->dec_mem);
  free(x->pcm);
}

/* A packet carrying `data` (an Opus payload) at seq/ts. */
static struct rill_packet *opus_packet(struct opus_fixture *x, uint16_t seq, uint32_t ts,
                                       const uint8_t *data, size_t bytes)
{
  struct rill_packet *pkt = factory_make(&x->f, seq, ts, 0, NULL);
  memcpy(pkt->buf->data + pkt->payload_offset, data, bytes);
  pkt->payload_bytes = (uint32_t)bytes;
  pkt->buf->len_bytes = pkt->payload_offset + (uint32_t)bytes;
  return pkt;
}

/* Push the coded packets (seq 100.., ts 1000.. every `frames`) except
 * index `lost`, and play them all into `out`. */
static void play_with_loss(struct opus_fixture *x, const struct coded *c, uint32_t frames,
                           size_t lost, float *out)
{
  size_t i;
  for (i = 0; i < c->count; i++)
    if (i != lost)
      assert_true(depack_push(&x->d, opus_packet(x, (uint16_t)(100 + i),
                                                 1000u + (uint32_t)i * frames, c->data[i],
                                                 c->bytes[i])));
  assert_int_equal(depack_read(&x->d, out, (uint32_t)c->count * frames),
                   (uint32_t)c->count * frames);
}

static void opus_depacketizer_conceals_a_lost_packet_with_audio(void **state)
{
  struct opuscodec_enc_params ep = music(2);
  struct opus_fixture x;
  static struct coded c;
  static float out[20 * FRAME * 2];
  (void)state;
  encode_tone(&ep, FRAME, 20, 440, &c);
  opus_setup(&x, 2, 10 * FRAME);
  play_with_loss(&x, &c, FRAME, 10, out);
  /* The lost 20 ms play as concealment, not silence: PLC extends the tone. */
  assert_int_equal(x.d.stats.packets_lost, 1);
  assert_int_equal(x.d.stats.gap_frames, 0);
  assert_int_equal(x.d.stats.plc_frames + x.d.stats.fec_frames, FRAME);
  assert_true(rms(out + (size_t)10 * FRAME * 2, 2, FRAME) > 0.1);
  assert_int_equal(x.d.stats.packets_played, 19);
  opus_teardown(&x);
}

static void opus_depacketizer_decodes_inband_fec_for_a_lost_packet(void **state)
{
  /* Mono at 24 kbit/s with in-band FEC: SILK, which carries LBRR (below
   * about 20 kbit/s SILK drops it). */
  struct opuscodec_enc_params ep = {1, 24000, 10, true, 20, false, false};
  struct opus_fixture x;
  static struct coded c;
  static float out[30 * FRAME];
  size_t lost = 0, i;
  (void)state;
  encode_tone(&ep, FRAME, 30, 300, &c);
  /* Lose a packet whose successor carries FEC for it. */
  for (i = 10; i < c.count - 1 && lost == 0; i++)
    if (opuscodec_packet_has_fec(c.data[i + 1], c.bytes[i + 1]))
      lost = i;
  assert_true(lost > 0);
  opus_setup(&x, 1, 10 * FRAME);
  play_with_loss(&x, &c, FRAME, lost, out);
  assert_int_equal(x.d.stats.packets_lost, 1);
  assert_int_equal(x.d.stats.fec_frames, FRAME);
  assert_int_equal(x.d.stats.plc_frames, 0);
  assert_true(rms(out + lost * FRAME, 1, FRAME) > 0.1);
  opus_teardown(&x);
}

static void opus_depacketizer_plays_dtx_pauses_without_counting_loss(void **state)
{
  struct opuscodec_enc_params ep = music(1);
  struct opus_fixture x;
  static struct coded c;
  static float out[40 * FRAME];
  size_t i;
  (void)state;
  encode_tone(&ep, FRAME, 10, 440, &c);
  opus_setup(&x, 1, 4 * FRAME);
  /* Consecutive sequence numbers with 10 packets' worth of timestamps
   * between the 5th and the 6th: the sender paused (DTX), nothing lost. */
  for (i = 0; i < c.count; i++)
    assert_true(depack_push(&x.d, opus_packet(&x, (uint16_t)(200 + i),
                                              (uint32_t)(i + (i >= 5 ? 10 : 0)) * FRAME,
                                              c.data[i], c.bytes[i])));
  assert_int_equal(depack_read(&x.d, out, 20 * FRAME), 20 * FRAME);
  assert_int_equal(x.d.stats.packets_lost, 0);
  assert_int_equal(x.d.stats.dtx_frames, 10 * FRAME);
  assert_int_equal(x.d.stats.gap_frames, 0);
  assert_int_equal(x.d.stats.plc_frames, 0);
  assert_int_equal(x.d.stats.packets_played, 10);
  opus_teardown(&x);
}

static void opus_depacketizer_drops_undecodable_packets(void **state)
{
  struct opus_fixture x;
  uint8_t empty[1] = {0};
  (void)state;
  opus_setup(&x, 2, FRAME);
  /* No payload: not an Opus packet. */
  assert_false(depack_push(&x.d, opus_packet(&x, 1, 0, empty, 0)));
  assert_int_equal(x.d.stats.packets_invalid, 1);
  opus_teardown(&x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(opus_round_trip_keeps_the_tone),
      cmocka_unit_test(opus_codec_rejects_what_opus_cannot_code),
      cmocka_unit_test(opus_padding_keeps_a_packet_decodable),
      cmocka_unit_test(opus_depacketizer_conceals_a_lost_packet_with_audio),
      cmocka_unit_test(opus_depacketizer_decodes_inband_fec_for_a_lost_packet),
      cmocka_unit_test(opus_depacketizer_plays_dtx_pauses_without_counting_loss),
      cmocka_unit_test(opus_depacketizer_drops_undecodable_packets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
