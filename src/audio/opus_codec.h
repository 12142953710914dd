/*
 * Opus (RFC 6716) through libopus, in caller memory.
 *
 * libopus sizes its encoder and decoder states up front
 * (opus_encoder_get_size, opus_decoder_get_size) and initialises them in
 * memory the caller owns (opus_encoder_init, opus_decoder_init), so rill
 * allocates them with everything else it charges to a budget, and libopus
 * itself never calls malloc: encoding and decoding keep their scratch on
 * the stack. These wrappers add rill's statuses, the RTP clock of RFC 7587
 * (always 48 kHz, whatever the audio bandwidth) and the frame sizes Opus
 * accepts.
 *
 * Frame sizes: an Opus packet holds 2.5, 5, 10, 20, 40 or 60 ms of audio
 * (120 ... 2880 frames at 48 kHz); a decoder accepts any packet up to
 * 120 ms. Concealment (PLC) and in-band FEC decode multiples of 2.5 ms.
 *
 * Thread role: init on the thread that owns the memory (control for the
 * sender, network for a receiver session); encode on the writer, decode on
 * the reader, one thread at a time per state. The packet helpers are pure.
 */
#ifndef RILL_AUDIO_OPUS_CODEC_H
#define RILL_AUDIO_OPUS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPUSCODEC_RATE_HZ 48000     /* the RTP clock and the rate rill codes at */
#define OPUSCODEC_MAX_CHANNELS 2
#define OPUSCODEC_MIN_FRAMES 120    /* 2.5 ms: the concealment granule */
#define OPUSCODEC_MAX_FRAMES 5760   /* 120 ms: the longest packet a decoder accepts */
#define OPUSCODEC_MAX_ENCODE_FRAMES 2880 /* 60 ms: the longest frame rill encodes */

struct opuscodec_enc; /* an OpusEncoder in caller memory */
struct opuscodec_dec; /* an OpusDecoder in caller memory */

struct opuscodec_enc_params {
  uint32_t channels;     /* 1 or 2 */
  uint32_t bitrate_bps;  /* 6000 ... 510000 */
  int complexity;        /* 0 ... 10 */
  bool inband_fec;       /* LBRR data for the previous frame (SILK and hybrid modes) */
  int loss_percent;      /* expected loss, 0 ... 100: tunes FEC and robustness */
  bool dtx;              /* discontinuous transmission in silence */
  bool cbr;              /* constant bitrate: every packet the same length */
};

/* Bytes an encoder (decoder) state of `channels` (1 or 2) needs; 0 otherwise. */
size_t opuscodec_encoder_bytes(uint32_t channels);
size_t opuscodec_decoder_bytes(uint32_t channels);

/*
 * Initialise an encoder in `mem` (opuscodec_encoder_bytes of it, suitably
 * aligned for any type: arena blocks are), at 48 kHz, application "audio".
 * Returns RILL_OK and *out (pointing into mem), RILL_EINVAL (bad params).
 */
int opuscodec_encoder_init(void *mem, const struct opuscodec_enc_params *p,
                           struct opuscodec_enc **out);

/* Constant or variable bitrate from now on. Returns RILL_OK or RILL_EINVAL. */
int opuscodec_encoder_set_cbr(struct opuscodec_enc *enc, bool cbr);

/* Discontinuous transmission on or off. Returns RILL_OK or RILL_EINVAL. */
int opuscodec_encoder_set_dtx(struct opuscodec_enc *enc, bool dtx);

/*
 * Encode `frames` frames (opuscodec_frames_valid, at most
 * OPUSCODEC_MAX_ENCODE_FRAMES) of interleaved floats into one packet of at
 * most `cap` bytes (Opus lowers the quality to fit). *written gets its
 * length; 1 or 2 bytes with DTX on means silence that need not be sent.
 * Returns RILL_OK, RILL_EINVAL (frame count), RILL_ENOSPC (cap too small
 * for any packet).
 */
int opuscodec_encode(struct opuscodec_enc *enc, const float *pcm, uint32_t frames, uint8_t *out,
                     size_t cap, size_t *written);

/* Initialise a decoder for `channels` (1 or 2) of output at 48 kHz. A
 * decoder of either width decodes mono and stereo packets. */
int opuscodec_decoder_init(void *mem, uint32_t channels, struct opuscodec_dec **out);

/* Forget the decoder's history (a new stream). */
void opuscodec_decoder_reset(struct opuscodec_dec *dec);

/*
 * Decode one packet (`data`, `bytes`) into `out` (room for `max_frames`
 * frames): *frames gets the frames decoded.
 * Concealment: `data` NULL makes `max_frames` frames of packet-loss
 * concealment (a multiple of 2.5 ms); `fec` true decodes instead the
 * in-band FEC that `data` carries for the frames just before it
 * (`max_frames` of them, a multiple of 2.5 ms); libopus conceals when the
 * packet carries none.
 * Returns RILL_OK, RILL_EINVAL, RILL_EMALFORMED (corrupt packet),
 * RILL_ENOSPC (the packet holds more than max_frames).
 */
int opuscodec_decode(struct opuscodec_dec *dec, const uint8_t *data, size_t bytes, bool fec,
                     float *out, uint32_t max_frames, uint32_t *frames);

/* Frames (at 48 kHz) a packet decodes to, from its TOC: RILL_OK,
 * RILL_EMALFORMED. Pure. */
int opuscodec_packet_frames(const uint8_t *data, size_t bytes, uint32_t *frames);

/* True if the packet carries in-band FEC (SILK LBRR) for the frame before
 * it: the LBRR flag of its first SILK frame (libopus 1.5's
 * opus_packet_has_lbrr). CELT-only packets never do. Pure. */
bool opuscodec_packet_has_fec(const uint8_t *data, size_t bytes);

/* Grow a packet of `bytes` to `new_bytes` (buffer room) with Opus's own
 * padding, which every decoder skips. RILL_OK, RILL_EINVAL, RILL_EMALFORMED. */
int opuscodec_pad(uint8_t *data, size_t bytes, size_t new_bytes);

/* True for the frame counts an encoder takes: 2.5, 5, 10, 20, 40, 60 ms. */
bool opuscodec_frames_valid(uint32_t frames);

/* libopus's version string. */
const char *opuscodec_version(void);

#endif /* RILL_AUDIO_OPUS_CODEC_H */
