/*
 * Symbol arithmetic shared by the FEC codecs: XOR (addition in GF(2) and
 * GF(2^8)) of whole symbols. Internal to src/fec.
 *
 * The primitives XOR many sources in one pass over the destination: each
 * piece of dst is loaded (or not at all) and stored once, however many
 * sources go into it, instead of once per source. fec_xor_batch gathers
 * the sources of one sum so that callers need not hold an array of them.
 *
 * Symbols have any length and any alignment. No source may overlap dst;
 * sources may be the same buffer.
 *
 * Thread role: any (pure functions; a batch belongs to its caller).
 */
#ifndef RILL_FEC_SYMBOL_OPS_H
#define RILL_FEC_SYMBOL_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* dst[i] = src[0][i] ^ ... ^ src[count - 1][i] for i < len; count >= 1. */
void fec_xor_sum(uint8_t *dst, const uint8_t *const *src, size_t count, size_t len);

/* dst[i] ^= src[0][i] ^ ... ^ src[count - 1][i] for i < len. */
void fec_xor_add(uint8_t *dst, const uint8_t *const *src, size_t count, size_t len);

/* dst[i] ^= src[i] for i < len. */
static inline void fec_xor(uint8_t *dst, const uint8_t *src, size_t len)
{
  fec_xor_add(dst, &src, 1, len);
}

/* Sources one batch passes to the primitives at a time: enough for a row of
 * LDPC 18 + 10 (at most 15 sources and the previous repair). */
#define FEC_XOR_BATCH 32

/* dst = XOR of the pushed sources, written when the batch fills and at the end. */
struct fec_xor_batch {
  uint8_t *dst; /* borrowed */
  size_t len;
  size_t count; /* sources in src[] not yet XORed into dst */
  bool started; /* dst already holds the sum of earlier sources */
  const uint8_t *src[FEC_XOR_BATCH]; /* borrowed */
};

static inline void fec_xor_batch_begin(struct fec_xor_batch *b, uint8_t *dst, size_t len)
{
  b->dst = dst;
  b->len = len;
  b->count = 0;
  b->started = false;
}

static inline void fec_xor_batch_flush(struct fec_xor_batch *b)
{
  if (b->count == 0)
    return;
  if (b->started)
    fec_xor_add(b->dst, b->src, b->count, b->len);
  else
    fec_xor_sum(b->dst, b->src, b->count, b->len);
  b->started = true;
  b->count = 0;
}

static inline void fec_xor_batch_push(struct fec_xor_batch *b, const uint8_t *src)
{
  if (b->count == FEC_XOR_BATCH)
    fec_xor_batch_flush(b);
  b->src[b->count++] = src;
}

/* Writes what is pending; dst is all zero if nothing was pushed. */
static inline void fec_xor_batch_end(struct fec_xor_batch *b)
{
  fec_xor_batch_flush(b);
  if (!b->started)
    memset(b->dst, 0, b->len);
}

#endif /* RILL_FEC_SYMBOL_OPS_H */
