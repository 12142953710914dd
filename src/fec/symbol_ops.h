/*
 * Byte-wise symbol arithmetic shared by the FEC codecs: XOR (addition in
 * GF(2) and GF(2^8)) and copy. Internal to src/fec.
 *
 * XOR goes 8 bytes at a time through memcpy, which compilers turn into
 * plain (and vectorized) loads and stores at any alignment.
 *
 * Thread role: any (pure functions).
 */
#ifndef RILL_FEC_SYMBOL_OPS_H
#define RILL_FEC_SYMBOL_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* dst[i] ^= src[i] for i < len. dst and src do not overlap. */
static inline void fec_xor(uint8_t *restrict dst, const uint8_t *restrict src, size_t len)
{
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t a, b;
    memcpy(&a, dst + i, 8);
    memcpy(&b, src + i, 8);
    a ^= b;
    memcpy(dst + i, &a, 8);
  }
  for (; i < len; i++)
    dst[i] ^= src[i];
}

#endif /* RILL_FEC_SYMBOL_OPS_H */
