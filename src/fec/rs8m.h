/*
 * Reed-Solomon erasure code over GF(2^8) as OpenFEC and RFC 5510 build it
 * (roc-toolkit's "rs8m"): encoder and erasure decoder.
 *
 * A block has k source symbols (ESI 0..k-1) and r repair symbols (ESI
 * k..k+r-1), k + r <= 255, all of the same length. Any k of the n = k + r
 * symbols restore the block exactly (the code is MDS); with fewer, nothing
 * is restored. Repair symbols are byte for byte those of roc-toolkit 0.4
 * with OpenFEC 1.4.2.
 *
 * Speed: the symbol arithmetic (every repair symbol, every restored one, is
 * a GF(2^8) linear combination of k symbols) runs through Intel's ISA-L
 * (ec_init_tables + ec_encode_data: SIMD on x86 and ARM) when rill is built
 * with it (RILL_HAVE_ISAL) and the block is not tiny (symbols of at least
 * RS8M_ISAL_MIN_BYTES, at most RS8M_ISAL_MAX_CELLS coefficients); ISA-L
 * uses the same field (polynomial 0x11d), and rill builds the matrices
 * (RFC 5510's generator, its inverses), so the bytes are the same. The
 * portable table-driven code is the fallback and the reference the tests
 * compare ISA-L with, byte for byte.
 *
 * Memory: struct rs8m_codec holds the GF tables and every byte of working
 * memory the encoder and decoder need, as fixed arrays (about 162 KiB). The
 * caller allocates it once (typically inside its sender or session object)
 * and calls rs8m_codec_init; encode and decode never allocate. Symbol
 * buffers are the caller's: source, repair and restored symbols are
 * borrowed for the duration of a call.
 *
 * Thread role: any. Functions are pure apart from the codec's scratch and
 * its per-k cache, so one codec serves one thread at a time; separate
 * codecs are independent.
 */
#ifndef RILL_FEC_RS8M_H
#define RILL_FEC_RS8M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most symbols in a block: 2^8 - 1. */
#define RS8M_MAX_N 255
/*
 * Decoder scratch: e rows of (e + k) bytes for e lost symbols, and
 * e <= min(k, 255 - k), so e * (e + k) <= 127 * 255.
 */
#define RS8M_SCRATCH_BYTES 32768

/* ISA-L path: coefficients (rows x inputs) its tables may hold, and the
 * shortest symbol worth it. */
#define RS8M_ISAL_MAX_CELLS 2048
#define RS8M_ISAL_MIN_BYTES 64

struct rs8m_codec {
  /* GF(2^8), polynomial 0x11d, alpha = 2; exp is doubled so that
   * exp[log a + log b] needs no reduction. log[0] is unused. */
  uint8_t gf_exp[2 * 255];
  uint8_t gf_log[256];
  /* gf_mul[c][x] = c * x: one row per constant, for symbol loops. */
  uint8_t gf_mul[256][256];

  /* Cached for one block length: 0 = nothing cached yet. */
  size_t k;
  /* log of prod_{m != c, m < k} (x_c + x_m) for each source position c. */
  uint8_t den_log[RS8M_MAX_N];

  /* Scratch for one call. */
  uint8_t coef[RS8M_MAX_N];
  uint8_t lost[RS8M_MAX_N]; /* ESIs of the lost source symbols */
  uint8_t used[RS8M_MAX_N]; /* ESIs of the repair symbols decoding uses */
  uint8_t matrix[RS8M_SCRATCH_BYTES];
  /* ISA-L: expanded tables (32 bytes per coefficient) and the encode block
   * they hold (0: none; decode overwrites them). */
  bool portable;           /* use the portable code even with ISA-L */
  size_t isal_k, isal_r;
  uint8_t isal_tables[32 * RS8M_ISAL_MAX_CELLS];
};

/*
 * Build the GF tables of `codec` (caller memory, any alignment). Call once;
 * the codec can then encode and decode any block size.
 * Thread role: any.
 */
void rs8m_codec_init(struct rs8m_codec *codec);

/*
 * Use the portable code (true) or ISA-L where built in (false, the
 * default). For tests and benchmarks comparing the two. Thread role: any.
 */
void rs8m_codec_use_portable(struct rs8m_codec *codec, bool portable);

/* True if rill was built with ISA-L (RILL_HAVE_ISAL). Thread role: any. */
bool rs8m_has_isal(void);

/*
 * Compute the r repair symbols of a block of k source symbols, each
 * `symbol_bytes` long: repair[i] is the symbol with ESI k + i. The repair
 * buffers must not overlap the source buffers.
 *
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL   NULL codec, source or repair (repair may be NULL when
 *                 r == 0) or a NULL entry, k == 0, k + r > 255,
 *                 symbol_bytes == 0
 * Thread role: any (uses the codec's scratch).
 */
int rs8m_encode(struct rs8m_codec *codec, size_t k, size_t r, size_t symbol_bytes,
                const uint8_t *const *source, uint8_t *const *repair);

/*
 * Restore the lost source symbols of a block.
 *
 * `symbols` has n entries indexed by ESI (0..k-1 source, k..n-1 repair),
 * NULL for a symbol that did not arrive; every present symbol is
 * `symbol_bytes` long. For each lost source ESI c, restore[c] is a buffer
 * of symbol_bytes that receives the symbol; it must not overlap any input.
 * Entries of `restore` for present symbols are not used (may be NULL).
 * rs8m has no n on the wire: a receiver may pass n = 255 with an array of
 * 255 entries, or k + r from its configuration.
 *
 * `restored` (k entries, may be NULL) gets true for each ESI written.
 *
 * Returns:
 *   RILL_OK              every source symbol is present or restored
 *   RILL_EUNRECOVERABLE  fewer than k symbols present: nothing written
 *   RILL_EINVAL          NULL codec or symbols, k == 0, n < k,
 *                        symbol_bytes == 0, a lost source with no restore
 *                        buffer
 *   RILL_EUNSUPPORTED    n > 255
 * Thread role: any (uses the codec's scratch).
 */
int rs8m_decode(struct rs8m_codec *codec, size_t k, size_t n, size_t symbol_bytes,
                const uint8_t *const *symbols, uint8_t *const *restore, bool *restored);

/*
 * Row `esi` of the systematic generator matrix of a block of k source
 * symbols: k coefficients in `row` such that symbol esi = sum over c of
 * row[c] * source[c]. Unit row for esi < k. For tests and diagnostics.
 *
 * Returns RILL_OK, or RILL_EINVAL for NULL pointers, k == 0, k > 255 or
 * esi >= 255.
 * Thread role: any (updates the codec's per-k cache).
 */
int rs8m_generator_row(struct rs8m_codec *codec, size_t k, size_t esi, uint8_t *row);

#endif /* RILL_FEC_RS8M_H */
