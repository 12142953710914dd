/*
 * PCM payload conversion and the payload type registry.
 *
 * Design: one loop per sample format over every sample of the payload
 * (frames * channels), reading or writing big-endian bytes one at a time, so
 * the code is independent of host byte order and alignment. Sizes are
 * checked with core/sizemath.h before the loop and nothing is written on
 * error. Quantisation is done in double: x * 2^23 needs more than the 24
 * bits of a float to round correctly. Integer decoding divides by a power of
 * two, which is exact, so re-encoding gives back the same integer.
 *
 * The registry is a small array searched linearly: at most 34 entries, and
 * a receiver looks a payload type up once per session, not per packet.
 */
#include "rtp/payload.h"

#include <math.h>
#include <rill/status.h>
#include <stdbool.h>
#include <string.h>

#include "core/sizemath.h"
#include "rtp/byteorder.h"

#define S16_SCALE 32768.0
#define S24_SCALE 8388608.0

static const struct rtp_encoding builtin_encodings[] = {
    {RTP_PT_L16_STEREO, RTP_FMT_S16BE, 44100, 2},
    {RTP_PT_L16_MONO, RTP_FMT_S16BE, 44100, 1},
};

static size_t bytes_per_sample(enum rtp_sample_format format)
{
  switch (format) {
  case RTP_FMT_S16BE:
    return 2;
  case RTP_FMT_S24BE:
    return 3;
  case RTP_FMT_F32BE:
    return 4;
  case RTP_FMT_OPUS:
    return 0;
  }
  return 0;
}

/* A PCM encoding with a layout. */
static bool encoding_valid(const struct rtp_encoding *enc)
{
  return enc != NULL && bytes_per_sample(enc->format) != 0 && enc->channels >= 1 &&
         enc->channels <= RTP_MAX_CHANNELS && enc->rate_hz > 0;
}

bool rtp_encoding_is_opus(const struct rtp_encoding *enc)
{
  return enc != NULL && enc->format == RTP_FMT_OPUS;
}

bool rtp_encoding_valid(const struct rtp_encoding *enc)
{
  if (rtp_encoding_is_opus(enc))
    return enc->rate_hz == RTP_OPUS_RATE_HZ && enc->channels >= 1 &&
           enc->channels <= RTP_OPUS_MAX_CHANNELS;
  return encoding_valid(enc);
}

double rtp_nominal_bytes_per_s(const struct rtp_encoding *enc)
{
  if (rtp_encoding_is_opus(enc))
    return rtp_encoding_valid(enc) ? 256000.0 / 8.0 : 0.0;
  return (double)rtp_bytes_per_frame(enc) * (encoding_valid(enc) ? enc->rate_hz : 0);
}

void rtp_registry_init(struct rtp_registry *reg)
{
  memset(reg, 0, sizeof(*reg));
  memcpy(reg->entries, builtin_encodings, sizeof(builtin_encodings));
  reg->count = sizeof(builtin_encodings) / sizeof(builtin_encodings[0]);
}

int rtp_registry_add(struct rtp_registry *reg, const struct rtp_encoding *enc)
{
  if (reg == NULL || !rtp_encoding_valid(enc))
    return RILL_EINVAL;
  if (enc->payload_type < RTP_DYNAMIC_PT_MIN || enc->payload_type > RTP_DYNAMIC_PT_MAX)
    return RILL_EINVAL;
  if (rtp_registry_find(reg, enc->payload_type) != NULL)
    return RILL_EINVAL;
  /* Cannot be full: there is a slot for every dynamic type. Checked anyway
   * in case a caller filled entries by hand. */
  if (reg->count >= RTP_REGISTRY_CAPACITY)
    return RILL_EINVAL;
  reg->entries[reg->count++] = *enc;
  return RILL_OK;
}

int rtp_registry_remove(struct rtp_registry *reg, uint8_t payload_type)
{
  const struct rtp_encoding *e;
  size_t i;
  if (reg == NULL || payload_type < RTP_DYNAMIC_PT_MIN || payload_type > RTP_DYNAMIC_PT_MAX)
    return RILL_EINVAL;
  e = rtp_registry_find(reg, payload_type);
  if (e == NULL)
    return RILL_EINVAL;
  i = (size_t)(e - reg->entries);
  reg->entries[i] = reg->entries[reg->count - 1];
  reg->count--;
  return RILL_OK;
}

const struct rtp_encoding *rtp_registry_find(const struct rtp_registry *reg,
                                             uint8_t payload_type)
{
  size_t i;
  if (reg == NULL)
    return NULL;
  for (i = 0; i < reg->count && i < RTP_REGISTRY_CAPACITY; i++) {
    if (reg->entries[i].payload_type == payload_type)
      return &reg->entries[i];
  }
  return NULL;
}

size_t rtp_bytes_per_frame(const struct rtp_encoding *enc)
{
  size_t bytes;
  if (!encoding_valid(enc) || !size_mul(bytes_per_sample(enc->format), enc->channels, &bytes))
    return 0;
  return bytes;
}

/* Sign-extend the low `bits` bits of `u`, without implementation-defined casts. */
static int32_t sign_extend(uint32_t u, unsigned bits)
{
  uint32_t sign = UINT32_C(1) << (bits - 1);
  return (u & sign) ? (int32_t)(u & (sign - 1)) - (int32_t)sign : (int32_t)u;
}

/* Clamp to [-1, 1]; NaN to 0. */
static float clamp_unit(float x)
{
  if (isnan(x))
    return 0.0f;
  if (x > 1.0f)
    return 1.0f;
  if (x < -1.0f)
    return -1.0f;
  return x;
}

/* round(clamp(x) * scale), halves away from zero. */
/* Round to nearest (halves away from zero), then clamp to [-scale, scale - 1]. */
static int32_t quantize(float x, double scale)
{
  double v = (double)clamp_unit(x) * scale;
  v = v >= 0.0 ? v + 0.5 : v - 0.5;
  if (v > scale - 1.0)
    v = scale - 1.0;
  return (int32_t)v;
}

int rtp_payload_decode(const struct rtp_encoding *enc, const uint8_t *payload, size_t bytes,
                       float *out, size_t max_frames, size_t *frames)
{
  size_t bpf, n, samples, i;

  if (frames == NULL || (bytes > 0 && (payload == NULL || out == NULL)))
    return RILL_EINVAL;
  bpf = rtp_bytes_per_frame(enc);
  if (bpf == 0)
    return RILL_EINVAL;
  if (bytes % bpf != 0)
    return RILL_EMALFORMED;
  n = bytes / bpf;
  if (n > max_frames)
    return RILL_ENOSPC;
  /* n * channels * bytes per sample == bytes: cannot overflow. */
  samples = n * enc->channels;

  switch (enc->format) {
  case RTP_FMT_S16BE:
    for (i = 0; i < samples; i++) {
      int32_t v = sign_extend(rtp_load_be16(payload + 2 * i), 16);
      out[i] = (float)((double)v / S16_SCALE);
    }
    break;
  case RTP_FMT_S24BE:
    for (i = 0; i < samples; i++) {
      int32_t v = sign_extend(rtp_load_be24(payload + 3 * i), 24);
      out[i] = (float)((double)v / S24_SCALE);
    }
    break;
  case RTP_FMT_F32BE:
    for (i = 0; i < samples; i++) {
      uint32_t u = rtp_load_be32(payload + 4 * i);
      float x;
      memcpy(&x, &u, sizeof(x));
      out[i] = clamp_unit(x);
    }
    break;
  case RTP_FMT_OPUS:
    return RILL_EINVAL; /* unreachable: bytes per frame is 0 */
  }
  *frames = n;
  return RILL_OK;
}

int rtp_payload_encode(const struct rtp_encoding *enc, const float *in, size_t frames,
                       uint8_t *out, size_t cap, size_t *written)
{
  size_t bpf, bytes, samples, i;

  if (written == NULL || (frames > 0 && (in == NULL || out == NULL)))
    return RILL_EINVAL;
  bpf = rtp_bytes_per_frame(enc);
  if (bpf == 0)
    return RILL_EINVAL;
  if (!size_mul(frames, bpf, &bytes))
    return RILL_EOVERFLOW;
  if (bytes > cap)
    return RILL_ENOSPC;
  samples = frames * enc->channels;

  switch (enc->format) {
  case RTP_FMT_S16BE:
    for (i = 0; i < samples; i++)
      rtp_store_be16(out + 2 * i, (uint16_t)quantize(in[i], S16_SCALE));
    break;
  case RTP_FMT_S24BE:
    for (i = 0; i < samples; i++)
      rtp_store_be24(out + 3 * i, (uint32_t)quantize(in[i], S24_SCALE) & 0xffffffu);
    break;
  case RTP_FMT_F32BE:
    for (i = 0; i < samples; i++) {
      float x = clamp_unit(in[i]);
      uint32_t u;
      memcpy(&u, &x, sizeof(u));
      rtp_store_be32(out + 4 * i, u);
    }
    break;
  case RTP_FMT_OPUS:
    return RILL_EINVAL; /* unreachable: bytes per frame is 0 */
  }
  *written = bytes;
  return RILL_OK;
}
