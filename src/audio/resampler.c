/*
 * Resampler over libspeexdsp (speex_resampler_*, float build).
 *
 * Ratio. speex takes the ratio as num/den (input frames per output frame)
 * and reduces it by their gcd. We hand it num = base_num * scaling (rounded)
 * over a fixed den = base_den, where base_num/base_den is in_rate/out_rate
 * reduced and then multiplied by the largest k keeping den <= 65535. The
 * bound comes from speex_resampler_set_rate_frac: it rescales each channel's
 * fractional phase with multiply_frac(frac, den_new, den_old), which fails
 * with RESAMPLER_ERR_OVERFLOW (after half-updating the state) unless
 * frac * den_new fits 32 bits, frac < den_old. With den <= 65535 it always
 * fits; the price is a scaling resolution of 1/base_num (about 15 ppm).
 *
 * Allocation. speex_resampler_set_rate_frac calls update_filter, which
 * reallocs the sinc table and the channel memory when the new ratio needs a
 * longer filter (downsampling lengthens it by the ratio, rounded up to a
 * multiple of 8) or a table of another shape (interpolated vs direct; the
 * oversampling halves above ratios 2, 4, 8, 16). realloc only grows them, so
 * init visits the ratios that need the most before settling on the nominal
 * one: both ends of 1 +- RESAMPLER_MAX_DEVIATION and, if one lies inside,
 * just below each halving point. Until the first process call speex zeroes
 * its memory on every change, so these visits leave no trace.
 *
 * Position mirror. speex keeps, per channel, last_sample (the input index
 * the next output starts at, relative to the first new frame of the call)
 * and samp_frac_num/den; each output advances by num/den; a call consumes
 * min(last_sample, in_len) frames. We mirror that arithmetic (identical on
 * every channel) so resampler_input_needed is exact, and check every call
 * against speex's reported counts (position_resyncs counts disagreements;
 * we always follow speex). On a filter length change after start, speex
 * moves its memory: a longer filter advances last_sample by half the
 * difference; a shorter one turns half the difference into "magic" frames
 * that it replays as input before new frames. The mirror models magic
 * frames as a negative position.
 *
 * Carry. When upsampling, an output can leave the last frame it read
 * unconsumed (the next output needs it too); speex expects it offered again.
 * We keep such frames (at most a few) in rs->carry and offer them first.
 */
#include "audio/resampler.h"

#include <math.h>
#include <rill/status.h>
#include <speex/speex_resampler.h>
#include <string.h>

#define MAX_RATE_HZ 768000u
/* in/out and out/in at most this: keeps num * 256 taps inside speex's 32-bit sizing. */
#define MAX_RATIO 64u

/* speex's per-quality oversampling (quality_map in libspeexdsp resample.c). */
static const uint32_t speex_oversample[11] = {4, 4, 4, 8, 8, 16, 16, 16, 16, 32, 32};

static uint32_t gcd_u32(uint32_t a, uint32_t b)
{
  while (b != 0) {
    uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* A malloc block as glibc lays it out: 8-byte header, 16-byte granules, 32 minimum. */
static size_t malloc_block_bytes(size_t bytes)
{
  size_t n = (bytes + 8 + 15) & ~(size_t)15;
  return n < 32 ? 32 : n;
}

static uint32_t speex_filter_len(const struct rill_resampler *rs)
{
  return 2u * (uint32_t)speex_resampler_get_input_latency(rs->st);
}

/* Read back speex's reduced ratio after a change. */
static void load_ratio(struct rill_resampler *rs)
{
  spx_uint32_t num = 0, den = 0;
  speex_resampler_get_ratio(rs->st, &num, &den);
  rs->ratio_num = num;
  rs->ratio_den = den;
}

/*
 * Follow speex through a filter length change (update_filter, started case):
 * `magic` pending frames are the negative part of the mirrored position.
 */
static void mirror_filter_change(struct rill_resampler *rs, uint32_t old_len, uint32_t new_len)
{
  int64_t magic = rs->pos_int < 0 ? -rs->pos_int : 0;
  int64_t last_sample = rs->pos_int + magic; /* speex's, relative to the magic frames */

  if (new_len > old_len) {
    int64_t olen = (int64_t)old_len + 2 * magic;
    if ((int64_t)new_len > olen) {
      last_sample += ((int64_t)new_len - olen) / 2;
      magic = 0;
    } else {
      magic = (olen - (int64_t)new_len) / 2;
    }
  } else {
    magic += ((int64_t)old_len - (int64_t)new_len) / 2;
  }
  rs->pos_int = last_sample - magic;
}

int resampler_init(struct rill_resampler *rs, uint32_t channels, uint32_t in_rate_hz,
                   uint32_t out_rate_hz, int quality)
{
  static const uint32_t halvings[] = {2, 4, 8, 16};
  SpeexResamplerState *st;
  uint32_t g, a, b, k, filter_max, i;
  int err = RESAMPLER_ERR_SUCCESS;
  size_t table_bytes, mem_bytes;

  if (!rs)
    return RILL_EINVAL;
  memset(rs, 0, sizeof(*rs));
  if (channels == 0 || channels > RESAMPLER_MAX_CHANNELS || in_rate_hz == 0 ||
      out_rate_hz == 0 || in_rate_hz > MAX_RATE_HZ || out_rate_hz > MAX_RATE_HZ ||
      quality < SPEEX_RESAMPLER_QUALITY_MIN || quality > SPEEX_RESAMPLER_QUALITY_MAX ||
      in_rate_hz / out_rate_hz >= MAX_RATIO || out_rate_hz / in_rate_hz >= MAX_RATIO)
    return RILL_EINVAL;

  g = gcd_u32(in_rate_hz, out_rate_hz);
  a = in_rate_hz / g;
  b = out_rate_hz / g;
  if (b <= RESAMPLER_MAX_DEN) {
    k = RESAMPLER_MAX_DEN / b;
    rs->base_den = b * k;
    rs->base_num = a * k; /* a < 64 b, so a * k < 64 * 65535 */
  } else {
    /* Coprime rates with a huge denominator: the nominal ratio is rounded. */
    rs->base_den = RESAMPLER_MAX_DEN;
    rs->base_num = (uint32_t)llround((double)in_rate_hz / out_rate_hz * RESAMPLER_MAX_DEN);
  }
  rs->num_lo = (uint32_t)ceil(rs->base_num * (1.0 - RESAMPLER_MAX_DEVIATION));
  rs->num_hi = (uint32_t)floor(rs->base_num * (1.0 + RESAMPLER_MAX_DEVIATION));

  /* Create at the largest ratio, then visit the other ratios that may need
   * bigger tables (see the design comment), then settle on the nominal one. */
  st = speex_resampler_init_frac(channels, rs->num_hi, rs->base_den, in_rate_hz, out_rate_hz,
                                 quality, &err);
  if (!st)
    return err == RESAMPLER_ERR_ALLOC_FAILED ? RILL_ENOMEM : RILL_EINVAL;
  rs->st = st;
  filter_max = speex_filter_len(rs);
  err = speex_resampler_set_rate_frac(st, rs->num_lo, rs->base_den, in_rate_hz, out_rate_hz);
  for (i = 0; err == RESAMPLER_ERR_SUCCESS && i < sizeof(halvings) / sizeof(halvings[0]); i++) {
    uint64_t below = (uint64_t)halvings[i] * rs->base_den - 1;
    if (below > rs->num_lo && below <= rs->num_hi) {
      err = speex_resampler_set_rate_frac(st, (spx_uint32_t)below, rs->base_den, in_rate_hz,
                                          out_rate_hz);
      if (speex_filter_len(rs) > filter_max)
        filter_max = speex_filter_len(rs);
    }
  }
  if (err == RESAMPLER_ERR_SUCCESS)
    err = speex_resampler_set_rate_frac(st, rs->base_num, rs->base_den, in_rate_hz, out_rate_hz);
  if (err != RESAMPLER_ERR_SUCCESS) {
    resampler_deinit(rs);
    return err == RESAMPLER_ERR_ALLOC_FAILED ? RILL_ENOMEM : RILL_EINVAL;
  }
  /* Start with the first input frame under the filter's centre, not with
   * half a filter of zeros. */
  speex_resampler_skip_zeros(st);

  rs->channels = channels;
  rs->in_rate_hz = in_rate_hz;
  rs->out_rate_hz = out_rate_hz;
  rs->quality = quality;
  rs->req_num = rs->base_num;
  rs->scaling = 1.0;
  load_ratio(rs);
  rs->filter_len = speex_filter_len(rs);
  rs->pos_int = rs->filter_len / 2;
  rs->pos_frac = 0;

  /* Six blocks: the state (under 128 bytes), three per-channel arrays, the
   * sinc table (at most filter * oversample + 8 entries) and the channel
   * memory (filter - 1 + 160 frames per channel). */
  table_bytes = ((size_t)filter_max * speex_oversample[quality] + 8) * sizeof(float);
  mem_bytes = (size_t)channels * (filter_max - 1 + 160) * sizeof(float);
  rs->footprint_bytes = malloc_block_bytes(128) + 3 * malloc_block_bytes(channels * 4) +
                        malloc_block_bytes(table_bytes) + malloc_block_bytes(mem_bytes);
  return RILL_OK;
}

void resampler_deinit(struct rill_resampler *rs)
{
  if (!rs || !rs->st)
    return;
  speex_resampler_destroy(rs->st);
  rs->st = NULL;
}

int resampler_set_scaling(struct rill_resampler *rs, double scaling)
{
  uint32_t num, old_den, old_len, new_len;
  int err;

  if (!isfinite(scaling) || fabs(scaling - 1.0) > RESAMPLER_MAX_DEVIATION + 1e-12)
    return RILL_EINVAL;
  num = (uint32_t)llround(rs->base_num * scaling);
  /* Stay on the ratios init sized speex for (rounding may step one past). */
  num = num < rs->num_lo ? rs->num_lo : num > rs->num_hi ? rs->num_hi : num;
  if (num == rs->req_num)
    return RILL_OK;

  old_den = rs->ratio_den;
  old_len = rs->filter_len;
  err = speex_resampler_set_rate_frac(rs->st, num, rs->base_den, rs->in_rate_hz, rs->out_rate_hz);
  load_ratio(rs);
  rs->pos_frac = (uint32_t)((uint64_t)rs->pos_frac * rs->ratio_den / old_den);
  if (rs->pos_frac >= rs->ratio_den)
    rs->pos_frac = rs->ratio_den - 1;
  new_len = speex_filter_len(rs);
  if (new_len != old_len) {
    if (rs->started)
      mirror_filter_change(rs, old_len, new_len);
    rs->filter_len = new_len;
    rs->stats.filter_resizes++;
  }
  rs->req_num = num;
  rs->scaling = (double)num / rs->base_num;
  rs->stats.ratio_changes++;
  /* Cannot fail by construction (den bound, tables sized at init). */
  return err == RESAMPLER_ERR_SUCCESS ? RILL_OK : RILL_EINVAL;
}

double resampler_scaling(const struct rill_resampler *rs)
{
  return rs->scaling;
}

/* Mirrored input index (relative to carry[0]) that output j from now reads last. */
static int64_t mirror_pos(const struct rill_resampler *rs, uint64_t j)
{
  return rs->pos_int + (int64_t)((rs->pos_frac + j * rs->ratio_num) / rs->ratio_den);
}

uint32_t resampler_input_needed(const struct rill_resampler *rs, uint32_t out_frames)
{
  int64_t need;
  if (out_frames == 0)
    return 0;
  need = mirror_pos(rs, out_frames - 1) + 1 - (int64_t)rs->carry_frames;
  if (need <= 0)
    return 0;
  return need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
}

/* One speex call over `in_frames` contiguous frames; keeps the mirror in step. */
static void run_speex(struct rill_resampler *rs, const float *in, uint32_t in_frames,
                      uint32_t *in_used, float *out, uint32_t out_frames, uint32_t *out_written)
{
  spx_uint32_t in_len = in_frames, out_len = out_frames;
  int64_t room = (int64_t)in_frames - rs->pos_int, pred_out = 0, pred_in;
  uint64_t t;

  /* Prediction: output j is produced while its position is below in_frames. */
  if (room > 0) {
    int64_t units = room * (int64_t)rs->ratio_den - (int64_t)rs->pos_frac;
    pred_out = (units + (int64_t)rs->ratio_num - 1) / (int64_t)rs->ratio_num;
    if (pred_out > (int64_t)out_frames)
      pred_out = out_frames;
  }
  pred_in = mirror_pos(rs, (uint64_t)pred_out);
  pred_in = pred_in < 0 ? 0 : pred_in > (int64_t)in_frames ? (int64_t)in_frames : pred_in;

  (void)speex_resampler_process_interleaved_float(rs->st, in, &in_len, out, &out_len);
  if (in_frames > 0 && out_frames > 0)
    rs->started = true;
  if ((int64_t)out_len != pred_out || (int64_t)in_len != pred_in)
    rs->stats.position_resyncs++;

  t = rs->pos_frac + (uint64_t)out_len * rs->ratio_num;
  rs->pos_int += (int64_t)(t / rs->ratio_den) - (int64_t)in_len;
  rs->pos_frac = (uint32_t)(t % rs->ratio_den);
  *in_used = in_len;
  *out_written = out_len;
}

int resampler_process(struct rill_resampler *rs, const float *in, uint32_t in_frames,
                      uint32_t *in_used, float *out, uint32_t out_frames, uint32_t *out_written)
{
  uint32_t ch = rs->channels, written = 0, taken = 0, used, produced, rest;

  *in_used = 0;
  *out_written = 0;
  if ((in_frames > 0 && !in) || (out_frames > 0 && !out))
    return RILL_EINVAL;

  if (rs->carry_frames > 0 && out_frames > 0) {
    run_speex(rs, rs->carry, rs->carry_frames, &used, out, out_frames, &produced);
    rs->carry_frames -= used;
    memmove(rs->carry, rs->carry + (size_t)used * ch,
            (size_t)rs->carry_frames * ch * sizeof(float));
    written = produced;
  }
  /* A negative position means speex holds frames of its own to play first. */
  if (rs->carry_frames == 0 && written < out_frames && (in_frames > 0 || rs->pos_int < 0)) {
    run_speex(rs, in, in_frames, &used, out + (size_t)written * ch, out_frames - written,
              &produced);
    taken = used;
    written += produced;
  }
  /* What speex left is offered again first next time, if it fits. */
  rest = in_frames - taken;
  if (rest > 0 && rs->carry_frames + rest <= RESAMPLER_CARRY_FRAMES) {
    memcpy(rs->carry + (size_t)rs->carry_frames * ch, in + (size_t)taken * ch,
           (size_t)rest * ch * sizeof(float));
    rs->carry_frames += rest;
    taken = in_frames;
  }
  *in_used = taken;
  *out_written = written;
  return RILL_OK;
}

uint32_t resampler_latency_frames(const struct rill_resampler *rs)
{
  return rs->filter_len / 2;
}

double resampler_buffered_frames(const struct rill_resampler *rs)
{
  return (double)(rs->filter_len / 2) - (double)rs->pos_int -
         (double)rs->pos_frac / rs->ratio_den + rs->carry_frames;
}

size_t resampler_footprint_bytes(const struct rill_resampler *rs)
{
  return rs->footprint_bytes;
}
