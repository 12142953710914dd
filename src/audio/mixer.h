/*
 * Mixing and channel mapping of interleaved float32 frames.
 * Pure functions over caller buffers. Thread role: any (the real-time reader).
 */
#ifndef RILL_AUDIO_MIXER_H
#define RILL_AUDIO_MIXER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Add `frames` frames of `src` (src_channels interleaved) into `dst`
 * (dst_channels interleaved), mapping channels: equal counts add one to one;
 * mono is spread to every output channel; several channels into mono are
 * averaged; otherwise channel c takes source channel c and channels the
 * source lacks get nothing.
 */
void mix_add_mapped(float *dst, uint32_t dst_channels, const float *src, uint32_t src_channels,
                    size_t frames);

/* Clamp `samples` samples to [-1, 1] (NaN becomes 0); returns how many were clipped. */
size_t mix_clamp(float *samples, size_t samples_count);

#endif /* RILL_AUDIO_MIXER_H */
