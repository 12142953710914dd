/*
 * PCM payload formats and their conversion to and from interleaved float32.
 *
 * An encoding says how the payload of one RTP payload type is laid out:
 * sample format, rate and channel count. Samples are interleaved, frame by
 * frame (one sample per channel per frame), big-endian on the wire.
 *
 *   RTP_FMT_S16BE  L16 (RFC 3551 4.5.11), 2 bytes per sample
 *   RTP_FMT_S24BE  L24 (RFC 3190 4), 3 bytes per sample
 *   RTP_FMT_F32BE  IEEE 754 binary32, 4 bytes per sample (no RFC; for
 *                  rill-to-rill streams on a dynamic payload type)
 *   RTP_FMT_OPUS   Opus (RFC 7587): compressed, one packet per payload, no
 *                  fixed layout; the RTP clock is 48 kHz whatever the audio,
 *                  channels 1 or 2. The PCM conversions below refuse it
 *                  (audio/opus_codec.h codes it).
 *
 * Float samples are in [-1, 1]. Integer formats scale by a power of two
 * (2^15, 2^23), as libsndfile reads files and as roc-toolkit does: integer
 * -> float -> integer is exact for every value, so audio passes bit for bit
 * from a WAV file through rill-send and rill-recv to a WAV file. Encoding
 * clamps to the integer range: +1.0 becomes 32767 (8388607).
 *
 * A registry maps payload types to encodings. It is a fixed array in caller
 * memory, large enough for the built-ins and every dynamic payload type, so
 * it never allocates and never fills up.
 *
 * Thread role: any for the conversion functions and lookups (pure, or
 * read-only on the registry); control for rtp_registry_init/_add, before the
 * registry is shared with other threads.
 */
#ifndef RILL_RTP_PAYLOAD_H
#define RILL_RTP_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rtp_sample_format {
  RTP_FMT_S16BE, /* L16 */
  RTP_FMT_S24BE, /* L24 */
  RTP_FMT_F32BE,
  RTP_FMT_OPUS,  /* appended: keep the values of the others */
};

#define RTP_MAX_CHANNELS 8
/* Dynamic payload types (RFC 3551 section 3), assigned out of band. */
#define RTP_DYNAMIC_PT_MIN 96
#define RTP_DYNAMIC_PT_MAX 127
/* RFC 7587: an Opus stream's RTP clock, and its channels at most. */
#define RTP_OPUS_RATE_HZ 48000
#define RTP_OPUS_MAX_CHANNELS 2
/* RFC 3551 static payload types for L16 at 44100 Hz. */
#define RTP_PT_L16_STEREO 10
#define RTP_PT_L16_MONO 11

struct rtp_encoding {
  uint8_t payload_type;
  enum rtp_sample_format format;
  uint32_t rate_hz;  /* samples per second per channel; also the RTP clock */
  uint16_t channels; /* 1..RTP_MAX_CHANNELS */
};

/* Built-ins (2) plus every dynamic payload type (32). */
#define RTP_REGISTRY_CAPACITY (2 + RTP_DYNAMIC_PT_MAX - RTP_DYNAMIC_PT_MIN + 1)

struct rtp_registry {
  struct rtp_encoding entries[RTP_REGISTRY_CAPACITY];
  size_t count; /* entries in use, from the start */
};

/*
 * Fill `reg` with the RFC 3551 built-ins: PT 10 = L16 stereo 44100 Hz,
 * PT 11 = L16 mono 44100 Hz.
 * Thread role: control.
 */
void rtp_registry_init(struct rtp_registry *reg);

/*
 * Register `*enc` (copied) under its dynamic payload type.
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL  NULL pointer; payload_type outside 96..127 or already
 *                registered; channels 0 or > RTP_MAX_CHANNELS; rate_hz 0;
 *                unknown format; Opus at another rate than 48000 or with
 *                more than 2 channels
 * Thread role: control.
 */
int rtp_registry_add(struct rtp_registry *reg, const struct rtp_encoding *enc);

/*
 * Remove the dynamic payload type `payload_type` (the built-ins stay).
 * Pointers from rtp_registry_find may then point at another entry: take
 * none across a removal. RILL_OK, RILL_EINVAL (NULL, not registered, built-in).
 * Thread role: whoever owns the registry.
 */
int rtp_registry_remove(struct rtp_registry *reg, uint8_t payload_type);

/*
 * The encoding registered for `payload_type`, or NULL. The pointer is
 * borrowed from `reg` and valid while `reg` is.
 * Thread role: any.
 */
const struct rtp_encoding *rtp_registry_find(const struct rtp_registry *reg,
                                             uint8_t payload_type);

/*
 * Bytes of one frame (all channels) of `enc`; 0 if `enc` is NULL or not a
 * valid encoding (unknown format, channels 0 or > RTP_MAX_CHANNELS, rate 0),
 * and 0 for Opus, which has no fixed layout.
 * Thread role: any.
 */
size_t rtp_bytes_per_frame(const struct rtp_encoding *enc);

/* True if `enc` is a valid encoding (PCM or Opus). Thread role: any. */
bool rtp_encoding_valid(const struct rtp_encoding *enc);

/* True if `enc` is Opus. Thread role: any. */
bool rtp_encoding_is_opus(const struct rtp_encoding *enc);

/*
 * Payload bytes per second of `enc`, for RTCP's bandwidth share: exact for
 * PCM; for Opus, its nominal ceiling (256 kbit/s: rill's bitrates are at
 * most that in practice). 0 for an invalid encoding. Thread role: any.
 */
double rtp_nominal_bytes_per_s(const struct rtp_encoding *enc);

/*
 * Convert the payload `payload` of `bytes` bytes to interleaved floats in
 * `out`, which has room for `max_frames` frames (max_frames * channels
 * floats). `*frames` gets the number of frames written. Floats in the
 * payload (F32BE) are clamped to [-1, 1]; NaN becomes 0.
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL     NULL pointer (payload and out may be NULL when bytes is
 *                   0), invalid encoding
 *   RILL_EMALFORMED bytes is not a whole number of frames
 *   RILL_ENOSPC     the payload has more than max_frames frames
 * Nothing is written on error.
 * Thread role: any.
 */
int rtp_payload_decode(const struct rtp_encoding *enc, const uint8_t *payload, size_t bytes,
                       float *out, size_t max_frames, size_t *frames);

/*
 * Convert `frames` frames of interleaved floats `in` to payload bytes in
 * `out` (capacity `cap`); `*written` gets the byte count. Samples are
 * clamped to [-1, 1] (NaN becomes 0) and integer formats round to nearest,
 * halves away from zero, then clamp: s16 = min(round(x * 32768), 32767),
 * s24 = min(round(x * 8388608), 8388607).
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL    NULL pointer (in and out may be NULL when frames is 0),
 *                  invalid encoding
 *   RILL_EOVERFLOW frames * bytes per frame overflows size_t
 *   RILL_ENOSPC    cap is too small
 * Nothing is written on error.
 * Thread role: any.
 */
int rtp_payload_encode(const struct rtp_encoding *enc, const float *in, size_t frames,
                       uint8_t *out, size_t cap, size_t *written);

#endif /* RILL_RTP_PAYLOAD_H */
