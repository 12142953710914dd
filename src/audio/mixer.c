/*
 * Mixer: sums sessions into the output with channel mapping, then clamps.
 * Summing happens in float, so clipping is applied once, after all sessions.
 */
#include "audio/mixer.h"

void mix_add_mapped(float *dst, uint32_t dst_channels, const float *src, uint32_t src_channels,
                    size_t frames)
{
  size_t f;
  uint32_t c;

  if (src_channels == dst_channels) {
    for (f = 0; f < frames * dst_channels; f++)
      dst[f] += src[f];
  } else if (src_channels == 1) {
    for (f = 0; f < frames; f++)
      for (c = 0; c < dst_channels; c++)
        dst[f * dst_channels + c] += src[f];
  } else if (dst_channels == 1) {
    float scale = 1.0f / (float)src_channels;
    for (f = 0; f < frames; f++) {
      float sum = 0.0f;
      for (c = 0; c < src_channels; c++)
        sum += src[f * src_channels + c];
      dst[f] += sum * scale;
    }
  } else {
    uint32_t common = src_channels < dst_channels ? src_channels : dst_channels;
    for (f = 0; f < frames; f++)
      for (c = 0; c < common; c++)
        dst[f * dst_channels + c] += src[f * src_channels + c];
  }
}

size_t mix_clamp(float *samples, size_t samples_count)
{
  size_t i, clipped = 0;
  for (i = 0; i < samples_count; i++) {
    float x = samples[i];
    if (x > 1.0f) {
      samples[i] = 1.0f;
      clipped++;
    } else if (x < -1.0f) {
      samples[i] = -1.0f;
      clipped++;
    } else if (x != x) {
      samples[i] = 0.0f;
      clipped++;
    }
  }
  return clipped;
}
