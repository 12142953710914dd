/*
 * Resampler: rate conversion and clock-drift compensation for one stream of
 * interleaved float32 frames, over libspeexdsp.
 *
 * The conversion ratio is in_rate / out_rate (input frames consumed per
 * output frame) times a scaling factor near 1 that the latency controller
 * moves to follow the sender's clock: scaling 1.0005 consumes 0.05% more
 * input per output frame, which drains a queue that a fast sender fills.
 *
 * Pull model. A reader that needs exactly N output frames asks
 * resampler_input_needed(rs, N), pulls that many input frames from its
 * source (the depacketizer) and calls resampler_process with them: it then
 * gets exactly N frames and every input frame is taken. The count is exact
 * because the resampler mirrors libspeexdsp's integer position arithmetic;
 * the one or two frames speex cannot take yet (it needs to look at a frame
 * for several outputs when upsampling) are kept in a small carry inside the
 * resampler, so the caller never keeps leftovers.
 *
 * Memory. resampler_init is the only call that allocates: libspeexdsp
 * allocates its state with its own malloc (not rill's arena), once, on the
 * control or network thread at session creation. resampler_footprint_bytes
 * says how much (an upper bound from speex's sizing rules) so the caller can
 * charge it to the session's limiter. Measured with mallinfo2 for 2 channels
 * (bench_resampler, speexdsp 1.2.1), at 1:1 / 48k->44.1k: quality 0:
 * 1.5 / 1.5 KiB; quality 3: 3.4 / 3.7 KiB; quality 5: 7.2 / 7.7 KiB;
 * quality 10: 36.6 / 39.8 KiB.
 * speex reallocates its tables when a new ratio needs a longer filter, so
 * init sizes them for every ratio within +-RESAMPLER_MAX_DEVIATION first:
 * resampler_set_scaling and resampler_process never allocate.
 *
 * Cost of a ratio change. speex recomputes its filter table on every ratio
 * change (filter length x oversampling sinc evaluations: 1416 at quality 5,
 * 8968 at quality 10 for 48k->44.1k: about 24 us and 154 us on the bench
 * machine, as much as resampling one 10 ms stereo block: 40 us, 151 us).
 * Scalings are quantized to speex's ratio resolution (below) and an
 * unchanged quantum costs nothing, so a controller that moves slowly pays
 * this rarely; a caller may also apply a new scaling only every N reads.
 *
 * Ratio resolution. speex keeps the ratio as num/den in 32 bits and
 * rescales its phase by den_new/den_old on a change, which overflows unless
 * den_old * den_new < 2^32: den is therefore at most 65535, and the scaling
 * is quantized to steps of about 1 / (ratio * 65535): 15 ppm at 1:1, 14 ppm
 * for 48k->44.1k, 17 ppm for 44.1k->48k (0.03 cent of pitch, far below
 * hearing), but coarser for strong upsampling (8k->48k: 92 ppm). The
 * latency loop averages the steps out. Scaling 1.0 gives exactly
 * in_rate / out_rate.
 *
 * Delay. The filter delays the signal by resampler_latency_frames input
 * frames (half the filter length). The first output frame is aligned with
 * the first input frame (speex's leading zeros are skipped), so a stream
 * resampled there and back lines up with the original.
 *
 * Thread role: init/deinit on the control thread; everything else on one
 * owner, the real-time reader. No locks.
 */
#ifndef RILL_AUDIO_RESAMPLER_H
#define RILL_AUDIO_RESAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Widest scaling accepted: 1 +- this. The latency controller clamps inside it. */
#define RESAMPLER_MAX_DEVIATION 0.01

/* Channels supported (rtp/payload.h RTP_MAX_CHANNELS). */
#define RESAMPLER_MAX_CHANNELS 8

/* Input frames the resampler can keep between calls (see resampler_process). */
#define RESAMPLER_CARRY_FRAMES 8

/* Largest denominator handed to speex: see "Ratio resolution" above. */
#define RESAMPLER_MAX_DEN 65535u

struct SpeexResamplerState_;

struct rill_resampler_stats {
  uint64_t ratio_changes;   /* set_scaling calls that changed speex's ratio */
  uint64_t filter_resizes;  /* ratio changes that changed the filter length */
  uint64_t position_resyncs; /* speex disagreed with the mirrored position (not expected) */
};

struct rill_resampler {
  struct SpeexResamplerState_ *st; /* owned: allocated by speexdsp at init */
  uint32_t channels;
  uint32_t in_rate_hz;
  uint32_t out_rate_hz;
  int quality;
  uint32_t base_num;   /* num handed to speex at scaling 1 (in_rate/out_rate reduced, scaled up) */
  uint32_t base_den;   /* den handed to speex, <= RESAMPLER_MAX_DEN */
  uint32_t num_lo;     /* num range init sized speex for: scaling 1 -+ RESAMPLER_MAX_DEVIATION */
  uint32_t num_hi;
  uint32_t req_num;    /* num of the current scaling (before speex's gcd reduction) */
  double scaling;      /* applied scaling: req_num / base_num */
  size_t footprint_bytes;
  /* Mirror of speex's per-channel position, identical on every channel:
   * the next output frame reads input frame `pos_int` (relative to the
   * first frame not yet taken by speex, i.e. carry[0]) plus
   * pos_frac / ratio_den. Negative while speex holds "magic" frames after
   * a filter shrink. */
  int64_t pos_int;
  uint32_t pos_frac;
  uint32_t ratio_num;  /* speex's reduced ratio */
  uint32_t ratio_den;
  uint32_t filter_len; /* current speex filter length (taps) */
  bool started;        /* speex has processed frames (filter changes move its memory) */
  uint32_t carry_frames;
  float carry[RESAMPLER_CARRY_FRAMES * RESAMPLER_MAX_CHANNELS];
  struct rill_resampler_stats stats;
};

/*
 * Set up a resampler for `channels` interleaved channels (1..8) from
 * `in_rate_hz` to `out_rate_hz` (1..768000 each) at speex `quality` 0..10
 * (3: VoIP, 5: desktop, 10: best). The scaling starts at 1.
 * Allocates the speex state with speexdsp's malloc, sized for every scaling
 * within 1 +- RESAMPLER_MAX_DEVIATION.
 * Returns RILL_OK, RILL_EINVAL (bad argument) or RILL_ENOMEM; on error `rs`
 * holds nothing and resampler_deinit is optional.
 * Thread role: control (or network, at session creation).
 */
int resampler_init(struct rill_resampler *rs, uint32_t channels, uint32_t in_rate_hz,
                   uint32_t out_rate_hz, int quality);

/* Free the speex state. NULL-safe and idempotent. Thread role: control. */
void resampler_deinit(struct rill_resampler *rs);

/*
 * Multiply the conversion ratio by `scaling`: more than 1 consumes more input
 * per output frame (drains the queue), less than 1 consumes less. The value
 * is quantized to speex's resolution (about 1/(ratio*65535)); the change is
 * phase-continuous (speex rescales its fractional position). A change within
 * the same quantum does nothing. Returns RILL_OK, or RILL_EINVAL (nothing
 * changed) if `scaling` is not finite or outside 1 +- RESAMPLER_MAX_DEVIATION.
 * Never allocates. Thread role: owner (real-time reader).
 */
int resampler_set_scaling(struct rill_resampler *rs, double scaling);

/* The scaling in effect (after quantization). Thread role: owner. */
double resampler_scaling(const struct rill_resampler *rs);

/*
 * Input frames that resampler_process must be given to produce exactly
 * `out_frames` frames at the current scaling, taking all of them. May be 0
 * (the carry suffices). Thread role: owner.
 */
uint32_t resampler_input_needed(const struct rill_resampler *rs, uint32_t out_frames);

/*
 * Resample: read up to `in_frames` frames from `in` (in_frames * channels
 * floats), write up to `out_frames` frames to `out`. Stops when `out` is full
 * or the input runs out. *in_used gets the input frames taken (processed, or
 * kept in the carry to be processed first next time: the caller does not
 * offer them again); *out_written the frames written. Given
 * resampler_input_needed(rs, out_frames) input frames, *in_used == in_frames
 * and *out_written == out_frames. With more input, the excess beyond what
 * the carry can hold is left to the caller (*in_used < in_frames); with
 * less, fewer frames are written. `in` and `out` must not overlap; `in` may
 * be NULL when in_frames is 0.
 * Returns RILL_OK or RILL_EINVAL (NULL buffers). Never allocates; work is
 * linear in the frames. Thread role: owner (real-time reader).
 */
int resampler_process(struct rill_resampler *rs, const float *in, uint32_t in_frames,
                      uint32_t *in_used, float *out, uint32_t out_frames, uint32_t *out_written);

/*
 * The filter's delay in input frames (speex's input latency: half the filter
 * length); the reader adds it (divided by in_rate) to the queued latency it
 * reports. Constant unless the filter length changes with the ratio.
 * Thread role: owner.
 */
uint32_t resampler_latency_frames(const struct rill_resampler *rs);

/*
 * Input frames held inside the resampler right now and not yet played, as a
 * fraction: the filter's look-ahead minus the position of the next output,
 * plus the carry. Stays within a frame or two of resampler_latency_frames.
 * Thread role: owner.
 */
double resampler_buffered_frames(const struct rill_resampler *rs);

/*
 * Upper bound on the bytes libspeexdsp allocated at init (state, tables,
 * per-channel memory, malloc headers), for charging the session budget.
 * Thread role: any.
 */
size_t resampler_footprint_bytes(const struct rill_resampler *rs);

#endif /* RILL_AUDIO_RESAMPLER_H */
