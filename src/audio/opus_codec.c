/*
 * Opus codec wrappers (see opus_codec.h). The structs rill names are
 * libopus's own states, laid in caller memory; the casts are the only
 * glue. Every libopus call here is allocation-free: init works in the
 * memory given, encode and decode keep scratch on the stack (checked by
 * tests/pipeline/test_realtime_contract.c, which counts allocations).
 */
#include "audio/opus_codec.h"

#include <opus/opus.h>
#include <rill/status.h>

static OpusEncoder *enc_of(struct opuscodec_enc *enc)
{
  return (OpusEncoder *)(void *)enc;
}

static OpusDecoder *dec_of(struct opuscodec_dec *dec)
{
  return (OpusDecoder *)(void *)dec;
}

bool opuscodec_frames_valid(uint32_t frames)
{
  switch (frames) {
  case 120:
  case 240:
  case 480:
  case 960:
  case 1920:
  case 2880:
    return true;
  default:
    return false;
  }
}

/* What libopus says a state of `channels` takes; 0 for a bad count. */
static size_t state_bytes(int (*get_size)(int), uint32_t channels)
{
  int n;
  if (channels < 1 || channels > OPUSCODEC_MAX_CHANNELS)
    return 0;
  n = get_size((int)channels);
  return n > 0 ? (size_t)n : 0;
}

size_t opuscodec_encoder_bytes(uint32_t channels)
{
  return state_bytes(opus_encoder_get_size, channels);
}

size_t opuscodec_decoder_bytes(uint32_t channels)
{
  return state_bytes(opus_decoder_get_size, channels);
}

int opuscodec_encoder_init(void *mem, const struct opuscodec_enc_params *p,
                           struct opuscodec_enc **out)
{
  OpusEncoder *e = mem;
  if (!mem || !p || !out || p->channels < 1 || p->channels > OPUSCODEC_MAX_CHANNELS ||
      p->bitrate_bps < 6000 || p->bitrate_bps > 510000 || p->complexity < 0 ||
      p->complexity > 10 || p->loss_percent < 0 || p->loss_percent > 100)
    return RILL_EINVAL;
  if (opus_encoder_init(e, OPUSCODEC_RATE_HZ, (int)p->channels, OPUS_APPLICATION_AUDIO) !=
          OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_BITRATE((opus_int32)p->bitrate_bps)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(p->complexity)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(p->inband_fec ? 1 : 0)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(p->loss_percent)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_DTX(p->dtx ? 1 : 0)) != OPUS_OK ||
      opus_encoder_ctl(e, OPUS_SET_VBR(p->cbr ? 0 : 1)) != OPUS_OK)
    return RILL_EINVAL;
  *out = (struct opuscodec_enc *)(void *)e;
  return RILL_OK;
}

int opuscodec_encoder_set_cbr(struct opuscodec_enc *enc, bool cbr)
{
  return opus_encoder_ctl(enc_of(enc), OPUS_SET_VBR(cbr ? 0 : 1)) == OPUS_OK ? RILL_OK
                                                                             : RILL_EINVAL;
}

int opuscodec_encoder_set_dtx(struct opuscodec_enc *enc, bool dtx)
{
  return opus_encoder_ctl(enc_of(enc), OPUS_SET_DTX(dtx ? 1 : 0)) == OPUS_OK ? RILL_OK
                                                                             : RILL_EINVAL;
}

int opuscodec_encode(struct opuscodec_enc *enc, const float *pcm, uint32_t frames, uint8_t *out,
                     size_t cap, size_t *written)
{
  opus_int32 n;
  if (!opuscodec_frames_valid(frames) || !pcm || !out || !written)
    return RILL_EINVAL;
  if (cap > 0x7fffffff)
    cap = 0x7fffffff;
  n = opus_encode_float(enc_of(enc), pcm, (int)frames, out, (opus_int32)cap);
  if (n == OPUS_BUFFER_TOO_SMALL)
    return RILL_ENOSPC;
  if (n < 0)
    return RILL_EINVAL;
  *written = (size_t)n;
  return RILL_OK;
}

int opuscodec_decoder_init(void *mem, uint32_t channels, struct opuscodec_dec **out)
{
  if (!mem || !out || channels < 1 || channels > OPUSCODEC_MAX_CHANNELS)
    return RILL_EINVAL;
  if (opus_decoder_init(mem, OPUSCODEC_RATE_HZ, (int)channels) != OPUS_OK)
    return RILL_EINVAL;
  *out = mem;
  return RILL_OK;
}

void opuscodec_decoder_reset(struct opuscodec_dec *dec)
{
  (void)opus_decoder_ctl(dec_of(dec), OPUS_RESET_STATE);
}

int opuscodec_decode(struct opuscodec_dec *dec, const uint8_t *data, size_t bytes, bool fec,
                     float *out, uint32_t max_frames, uint32_t *frames)
{
  int n;
  if (!out || !frames || max_frames == 0 || max_frames > OPUSCODEC_MAX_FRAMES ||
      (data && (bytes == 0 || bytes > 0x7fffffff)))
    return RILL_EINVAL;
  if ((!data || fec) && max_frames % OPUSCODEC_MIN_FRAMES != 0)
    return RILL_EINVAL;
  n = opus_decode_float(dec_of(dec), data, data ? (opus_int32)bytes : 0, out, (int)max_frames,
                        fec ? 1 : 0);
  if (n == OPUS_BUFFER_TOO_SMALL)
    return RILL_ENOSPC;
  if (n < 0)
    return n == OPUS_BAD_ARG ? RILL_EINVAL : RILL_EMALFORMED;
  *frames = (uint32_t)n;
  return RILL_OK;
}

int opuscodec_packet_frames(const uint8_t *data, size_t bytes, uint32_t *frames)
{
  int n;
  if (!data || bytes == 0 || bytes > 0x7fffffff)
    return RILL_EMALFORMED;
  n = opus_packet_get_nb_samples(data, (opus_int32)bytes, OPUSCODEC_RATE_HZ);
  if (n <= 0)
    return RILL_EMALFORMED;
  *frames = (uint32_t)n;
  return RILL_OK;
}

bool opuscodec_packet_has_fec(const uint8_t *data, size_t bytes)
{
  const unsigned char *frames[48];
  opus_int16 sizes[48];
  unsigned config;
  int frame_samples, silk_frames, lbrr;
  if (!data || bytes == 0 || bytes > 0x7fffffff)
    return false;
  config = data[0] >> 3;
  if (config >= 16) /* CELT only */
    return false;
  if (opus_packet_parse(data, (opus_int32)bytes, NULL, frames, sizes, NULL) <= 0 ||
      sizes[0] == 0)
    return false;
  /* The range coder's first symbols are equiprobable bits: each SILK
   * frame's VAD flag, then the LBRR flag, per channel. */
  frame_samples = opus_packet_get_samples_per_frame(data, OPUSCODEC_RATE_HZ);
  silk_frames = frame_samples > 960 ? frame_samples / 960 : 1;
  lbrr = (frames[0][0] >> (7 - silk_frames)) & 1;
  if (opus_packet_get_nb_channels(data) == 2)
    lbrr |= (frames[0][0] >> (6 - 2 * silk_frames)) & 1;
  return lbrr != 0;
}

int opuscodec_pad(uint8_t *data, size_t bytes, size_t new_bytes)
{
  if (!data || bytes == 0 || new_bytes < bytes || new_bytes > 0x7fffffff)
    return RILL_EINVAL;
  if (new_bytes == bytes)
    return RILL_OK;
  return opus_packet_pad(data, (opus_int32)bytes, (opus_int32)new_bytes) == OPUS_OK
             ? RILL_OK
             : RILL_EMALFORMED;
}

const char *opuscodec_version(void)
{
  return opus_get_version_string();
}
