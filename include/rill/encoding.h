/*
 * Audio encodings on the wire: PCM sample formats and RTP payload types.
 */
#ifndef RILL_ENCODING_H
#define RILL_ENCODING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rill_sample_format {
  RILL_FORMAT_S16 = 0, /* L16: 16-bit big-endian signed (RFC 3551) */
  RILL_FORMAT_S24 = 1, /* L24: 24-bit big-endian signed (RFC 3190) */
  RILL_FORMAT_F32 = 2, /* 32-bit big-endian IEEE float */
  /* Opus (RFC 7587) on a dynamic payload type: rate_hz must be 48000 (the
   * RTP clock of every Opus stream; SDP says "opus/48000/2" whatever the
   * channels) and channels 1 or 2, the channels coded (sender) or decoded
   * (receiver: either kind of packet decodes to them). */
  RILL_FORMAT_OPUS = 3,
};

/*
 * A payload type and what it carries. Payload types 10 (L16 stereo 44100 Hz)
 * and 11 (L16 mono 44100 Hz) are built in; dynamic types 96..127 are mapped
 * by the application.
 */
struct rill_encoding {
  uint8_t payload_type;
  enum rill_sample_format format;
  uint32_t rate_hz;
  uint32_t channels; /* 1..8 */
};

#ifdef __cplusplus
}
#endif

#endif /* RILL_ENCODING_H */
