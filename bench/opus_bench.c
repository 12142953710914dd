/*
 * Opus benchmark: per stream of 48 kHz stereo, for 20 ms and 5 ms frames,
 * the CPU share of one core that encoding and decoding take (libopus
 * through audio/opus_codec.h, complexity 10), the bytes per second on the
 * wire (RTP payload + 12 bytes of RTP, 8 of UDP and 20 of IPv4 per packet)
 * against L16 at the same rate and packet length, and, with 5 % of the
 * packets lost (seeded, the same packets in both runs), the SNR of the
 * decoded audio against the loss-free decode when lost packets are
 * concealed by libopus PLC and when they are filled with zeros (what a PCM
 * stream plays).
 *
 * The signal: three tones with a slow tremolo and a little noise, on both
 * channels with a phase offset (music-like, so that Opus codes in CELT
 * mode at these bitrates).
 *
 * Usage: bench_opus [seconds_of_audio]   (default 20)
 */
#include <math.h>
#include <rill/status.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/opus_codec.h"

#define RATE 48000u
#define CHANNELS 2u
#define MAX_PACKET 1500u
#define HEADERS_BYTES (12u + 8u + 20u) /* RTP + UDP + IPv4 */
#define LOSS_PERCENT 5u
#define TWO_PI 6.283185307179586

static double cpu_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static void make_signal(float *x, size_t frames)
{
  size_t i;
  for (i = 0; i < frames; i++) {
    double t = (double)i / RATE, trem = 0.75 + 0.25 * sin(TWO_PI * 0.5 * t);
    double noise = ((double)(rng() % 2001) / 1000.0 - 1.0) * 0.01;
    double l = 0.2 * sin(TWO_PI * 220 * t) + 0.15 * sin(TWO_PI * 554.37 * t) +
               0.1 * sin(TWO_PI * 1318.5 * t);
    double r = 0.2 * sin(TWO_PI * 220 * t + 0.5) + 0.15 * sin(TWO_PI * 659.25 * t) +
               0.1 * sin(TWO_PI * 1760 * t);
    x[2 * i] = (float)(trem * l + noise);
    x[2 * i + 1] = (float)(trem * r + noise);
  }
}

static double snr_db(const float *ref, const float *x, size_t samples)
{
  double sig = 0, err = 0;
  size_t i;
  for (i = 0; i < samples; i++) {
    double d = (double)x[i] - ref[i];
    sig += (double)ref[i] * ref[i];
    err += d * d;
  }
  return err > 0 ? 10 * log10(sig / err) : 999;
}

struct stream {
  uint8_t *data; /* packets * MAX_PACKET */
  size_t *bytes;
  size_t packets;
};

/* Decode `s` into `out`; lost packets (lost[i]) concealed by PLC, or
 * zero-filled without a decoder call when !plc. Returns CPU seconds. */
static double decode(const struct stream *s, uint32_t frame, const uint8_t *lost, int plc,
                     float *out)
{
  void *mem = malloc(opuscodec_decoder_bytes(CHANNELS));
  struct opuscodec_dec *dec;
  double t0;
  size_t i;
  uint32_t n;
  if (!mem || opuscodec_decoder_init(mem, CHANNELS, &dec) != RILL_OK)
    abort();
  t0 = cpu_s();
  for (i = 0; i < s->packets; i++) {
    float *o = out + i * frame * CHANNELS;
    if (lost && lost[i] && !plc) {
      memset(o, 0, sizeof(float) * frame * CHANNELS);
      continue;
    }
    if (opuscodec_decode(dec, lost && lost[i] ? NULL : s->data + i * MAX_PACKET,
                         lost && lost[i] ? 0 : s->bytes[i], false, o, frame, &n) != RILL_OK ||
        n != frame)
      abort();
  }
  t0 = cpu_s() - t0;
  free(mem);
  return t0;
}

static void run(uint32_t frame_ms_x10, uint32_t bitrate, double seconds)
{
  uint32_t frame = RATE / 1000 * frame_ms_x10 / 10;
  size_t packets = (size_t)(seconds * RATE) / frame, frames = packets * frame, i, payload = 0,
         nlost = 0;
  float *in = malloc(sizeof(float) * frames * CHANNELS);
  float *clean = malloc(sizeof(float) * frames * CHANNELS);
  float *out = malloc(sizeof(float) * frames * CHANNELS);
  uint8_t *lost = calloc(packets, 1);
  struct stream s = {malloc(packets * MAX_PACKET), malloc(packets * sizeof(size_t)), packets};
  struct opuscodec_enc_params ep = {CHANNELS, bitrate, 10, false, 0, false, false};
  void *emem = malloc(opuscodec_encoder_bytes(CHANNELS));
  struct opuscodec_enc *enc;
  double enc_s, dec_s, pps = (double)RATE / frame, opus_wire, l16_wire, snr_plc, snr_zero;
  if (!in || !clean || !out || !lost || !s.data || !s.bytes || !emem ||
      opuscodec_encoder_init(emem, &ep, &enc) != RILL_OK)
    abort();
  rng_state = 12345;
  make_signal(in, frames);
  enc_s = cpu_s();
  for (i = 0; i < packets; i++) {
    if (opuscodec_encode(enc, in + i * frame * CHANNELS, frame, s.data + i * MAX_PACKET,
                         MAX_PACKET, &s.bytes[i]) != RILL_OK)
      abort();
    payload += s.bytes[i];
  }
  enc_s = cpu_s() - enc_s;
  dec_s = decode(&s, frame, NULL, 1, clean);
  rng_state = 777;
  for (i = 0; i < packets; i++)
    if (rng() % 100 < LOSS_PERCENT) {
      lost[i] = 1;
      nlost++;
    }
  (void)decode(&s, frame, lost, 1, out);
  snr_plc = snr_db(clean, out, frames * CHANNELS);
  (void)decode(&s, frame, lost, 0, out);
  snr_zero = snr_db(clean, out, frames * CHANNELS);
  opus_wire = (double)payload / seconds + pps * HEADERS_BYTES;
  l16_wire = (double)RATE * CHANNELS * 2 + pps * HEADERS_BYTES;
  printf("| %4.1f ms | %3u kbit/s | %5.2f %% | %5.2f %% | %7.0f | %7.0f | %7.0f | %4.1fx | %5.1f "
         "dB | %5.1f dB | %zu/%zu |\n",
         frame_ms_x10 / 10.0, bitrate / 1000, 100 * enc_s / seconds, 100 * dec_s / seconds,
         (double)payload / seconds, opus_wire, l16_wire, l16_wire / opus_wire, snr_plc, snr_zero,
         nlost, packets);
  free(in);
  free(clean);
  free(out);
  free(lost);
  free(s.data);
  free(s.bytes);
  free(emem);
}

int main(int argc, char **argv)
{
  double seconds = argc > 1 ? atof(argv[1]) : 20.0;
  if (!(seconds >= 1 && seconds <= 3600)) {
    fprintf(stderr, "usage: bench_opus [seconds_of_audio 1..3600]\n");
    return 2;
  }
  printf("%s, %.0f s of 48 kHz stereo per row, complexity 10, %u %% loss\n\n",
         opuscodec_version(), seconds, LOSS_PERCENT);
  printf("| frame | bitrate | encode (%% core) | decode (%% core) | payload B/s | wire B/s | "
         "L16 wire B/s | L16/Opus | SNR PLC | SNR zero-fill | lost |\n");
  printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  run(200, 128000, seconds);
  run(50, 128000, seconds);
  run(200, 64000, seconds);
  run(50, 64000, seconds);
  return 0;
}
