/*
 * Sender: packetizes float32 frames into RTP and sends them to one endpoint.
 */
#ifndef RILL_SENDER_H
#define RILL_SENDER_H

#include <rill/context.h>
#include <rill/encoding.h>
#include <rill/export.h>
#include <rill/metrics.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rill_sender;

/* rill_sender_config.opus_flags. */
enum rill_opus_flags {
  /* In-band FEC: each packet also carries a coarse copy of the frame before
   * it, which a receiver decodes when that one is lost (libopus codes it in
   * its SILK and hybrid modes only: speech-like audio at moderate bitrates,
   * frames of 10 ms or more). */
  RILL_OPUS_INBAND_FEC = 1u << 0,
  /* Discontinuous transmission: in silence, packets are not sent; the
   * receiver plays comfort noise and does not count a loss. */
  RILL_OPUS_DTX = 1u << 1,
  /* Constant bitrate (VBR otherwise). Implied by FEC endpoints, as are no
   * DTX and packets of one length (FECFRAME needs equal-length symbols). */
  RILL_OPUS_CBR = 1u << 2,
};

/* A config that can grow: see "Config structs that can grow" in rill/context.h. */
struct rill_sender_config {
  size_t struct_size; /* sizeof(struct rill_sender_config), or 0 */
  /* Wire encoding. payload_type 0 means the default: PT 10 (L16 stereo
   * 44100 Hz), or PT 11 when channels is 1 and rate 44100. Other rates and
   * formats need a dynamic payload type (96..127) and the receiver must map
   * it the same way. */
  struct rill_encoding encoding;
  uint32_t input_channels;  /* channels of the frames given to write; 0: as encoding */
  /* Rate of the frames given to write; when it differs from the encoding's,
   * the sender resamples (libspeexdsp, at most 8x apart). 0: as encoding. */
  uint32_t input_rate_hz;
  int resampler_quality;    /* speexdsp quality 1..10 when resampling; 0: 3 */
  int64_t packet_length_ns; /* audio per packet; 0: 5 ms */
  /* FEC block, used when connected to rtp+rs8m:// or rtp+ldpc:// (and
   * rs8m:// / ldpc:// for repair): source packets per block (0: 18) and
   * repair packets per block (0: 10). rs8m: source + repair <= 255; ldpc:
   * repair >= 7. */
  uint32_t fec_source_packets;
  uint32_t fec_repair_packets;
  /* Appended in 0.2 (struct_size tells them apart). RTCP, with a control
   * endpoint (rtcp://): the floor of the report interval (RFC 3550 6.2's
   * Tmin; reports then go every 0.41..1.23 of it), 0: 200 ms, as roc; and
   * the silence after which a receiver that reported is forgotten, 0: 5 s. */
  int64_t rtcp_min_interval_ns;
  int64_t rtcp_timeout_ns;
  /* Appended in 0.2. Opus (encoding.format RILL_FORMAT_OPUS: rate_hz 48000,
   * channels 1 or 2, a dynamic payload type; packet_length_ns is the Opus
   * frame: 2.5, 5, 10, 20, 40 or 60 ms). Ignored for PCM; 0: the default. */
  uint32_t opus_bitrate_bps;  /* 6000..510000; 0: 64 kbit/s per channel */
  int opus_complexity;        /* 1..10 (CPU for quality); 0: 10 */
  uint32_t opus_flags;        /* enum rill_opus_flags; 0: VBR, no in-band FEC, no DTX */
  /* Loss the encoder expects, 1..100 %: with in-band FEC it sizes the FEC
   * data, and it makes the coding lean less on the previous frame. 0: none,
   * or 10 % with RILL_OPUS_INBAND_FEC. */
  uint32_t opus_loss_percent;
};

/*
 * Fill `config` with the defaults (L16 stereo 44100 Hz, 5 ms packets, ...)
 * and struct_size. encoding.payload_type, input_channels and input_rate_hz
 * stay 0: their defaults follow the encoding. Thread role: any.
 */
RILL_API void rill_sender_config_init(struct rill_sender_config *config);

/*
 * Open a sender on `ctx`. `config` may be NULL for the defaults (L16 stereo
 * 44100 Hz, PT 10, 5 ms packets).
 * Returns RILL_OK, RILL_EINVAL (the log says which field), RILL_EUNSUPPORTED
 * (config from newer headers sets a field this library does not know),
 * RILL_EBUDGET, RILL_ENOMEM. Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_sender_open(struct rill_context *ctx,
                                             const struct rill_sender_config *config,
                                             struct rill_sender **out);

/*
 * Send to `uri`: "rtp://HOST:PORT" for plain RTP; with FEC, call it twice,
 * once with the source endpoint "rtp+rs8m://HOST:PORT" (or rtp+ldpc://)
 * and once with the repair endpoint "rs8m://HOST:PORT" (or ldpc://), in
 * either order, before the first write. Both go out from one socket, as
 * roc-toolkit's receivers expect. The two schemes must name the same FEC
 * encoding. A control endpoint "rtcp://HOST:PORT" adds RTCP, from the same
 * socket: sender reports (the clock mapping a receiver needs for the
 * end-to-end latency) and SDES every 200 ms or so, the receivers' reports
 * taken in (rill_sender_metrics: loss, jitter, round trip, latency per
 * receiver), and a BYE on close.
 * Returns RILL_OK, RILL_EINVAL (bad URI, FEC schemes that
 * disagree, repair without FEC, a bad FEC block size: logged),
 * RILL_ERESOLVE, RILL_ENETWORK, RILL_ESTATE (that interface is already
 * connected). Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_sender_connect(struct rill_sender *sender, const char *uri);

/*
 * Queue `frames` frames of interleaved float32 samples (input_channels each).
 * A packet is sent as soon as it is complete, so the caller's pace is the
 * stream's pace. Never blocks, never allocates; a packet that cannot be
 * queued is dropped and counted (metrics), never reported in the status.
 * Returns RILL_OK, or RILL_EINVAL for NULL arguments and nothing else: a
 * writer that passes valid arguments may ignore it (not RILL_NODISCARD).
 * Thread role: real-time (one writer).
 */
RILL_API int rill_sender_write(struct rill_sender *sender, const float *samples, size_t frames);

/*
 * Counters. Set out->struct_size to sizeof first, or 0 for the 0.1 layout
 * (see rill/metrics.h). With RTCP, what each receiver reports goes to the
 * caller's array out->receivers (receiver_cap elements, receivers[0].
 * struct_size set to their size; NULL for none) and receiver_count says
 * how many were written. Returns RILL_OK or RILL_EINVAL (NULL arguments or
 * a struct_size that is not a size: nothing written). Thread role: any.
 */
RILL_API RILL_NODISCARD int rill_sender_metrics(struct rill_sender *sender,
                                                struct rill_sender_metrics *out);

/*
 * Send what is queued, a partly filled last packet completed with silence, and
 * free the sender. Returns RILL_OK, or RILL_EINVAL for NULL only (so a
 * caller may ignore it). Thread role: control, writer stopped.
 */
RILL_API int rill_sender_close(struct rill_sender *sender);

#ifdef __cplusplus
}
#endif

#endif /* RILL_SENDER_H */
