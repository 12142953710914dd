/*
 * LDPC-Staircase erasure code (RFC 5170) with roc-toolkit's parameters:
 * encoder and erasure decoder.
 *
 * A block has k source symbols (ESI 0..k-1) and r repair symbols (ESI
 * k..k+r-1), r >= FEC_LDPC_N1 (7), all of the same length. The parity-check
 * matrix is RFC 5170's, built with its Park-Miller PRNG from seed
 * FEC_LDPC_SEED and N1 = FEC_LDPC_N1, as OpenFEC 1.4.2 builds it, so repair
 * symbols are byte for byte those of roc-toolkit 0.4.
 *
 * The decoder restores every lost source symbol that the received symbols
 * determine (peeling, then Gaussian elimination on what is left, i.e.
 * maximum-likelihood erasure decoding) and never writes a symbol they do
 * not determine. Unlike Reed-Solomon, k received symbols are not always
 * enough; a few more usually are.
 *
 * Memory: the caller gives the codec one workspace at init, sized by
 * ldpc_workspace_bytes() for the largest block it will see (max_k source,
 * max_r repair symbols). The workspace holds the parity-check matrix of the
 * current (k, r), rebuilt when they change, and the decoder's bookkeeping,
 * which is independent of the symbol size. Encode and decode never
 * allocate. Sizes: 18 + 10 needs 2400 bytes, 255 + 255 about 72 KiB; the
 * elimination bits grow as max_r * (2 * max_k + 3 * max_r) / 8 bytes.
 *
 * Thread role: any. One codec serves one thread at a time (the workspace is
 * scratch); separate codecs are independent.
 */
#ifndef RILL_FEC_LDPC_H
#define RILL_FEC_LDPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fec/payload_id.h"

/* Fewest repair symbols: the N1 "1s" of a source column need N1 rows. */
#define LDPC_MIN_R FEC_LDPC_N1
/* Most symbols in a block: ESIs and n are 16-bit on the wire. */
#define LDPC_MAX_N FEC_LDPC_MAX_N

struct ldpc_codec {
  /* Capacity, from init. */
  size_t max_k, max_r;
  /* Workspace: borrowed from the caller for the codec's lifetime. Every
   * pointer below points into it (borrowed too, never freed). */
  void *mem;
  size_t mem_bytes;

  /* Matrix currently built: k = 0 when none. */
  size_t k, r;
  /* Source part of the parity-check matrix, both ways (CSR):
   * row i has source ESIs row_cols[row_start[i] .. row_start[i+1]),
   * source c is in rows col_rows[col_start[c] .. col_start[c+1]).
   * Row i also holds repair ESIs k+i and (i > 0) k+i-1: the staircase. */
  uint32_t *row_start; /* max_r + 1 */
  uint16_t *row_cols;  /* max entries */
  uint32_t *col_start; /* max_k + 1 */
  uint16_t *col_rows;  /* max entries */

  /* Decoder scratch, carved from the workspace too (see ldpc.c). */
  uint32_t *unknown_of;  /* n: index among the lost symbols, or UINT32_MAX */
  uint32_t *residual_of; /* n: column in the elimination matrix */
  uint16_t *unknown_esi; /* n: ESI of each lost symbol, ascending */
  uint32_t *row_unknowns; /* r */
  uint32_t *queue;        /* r */
  uint8_t *solved;        /* n */
  uint64_t *comb;         /* n * row words: rows summed to get a symbol */
  uint64_t *ge;           /* r * (n words + row words): elimination matrix */
  uint32_t *ge_pivot;     /* r */
  uint64_t *parity;       /* n words */
};

/*
 * Workspace bytes for blocks of up to max_k source and max_r repair
 * symbols into `*bytes`.
 *
 * Returns RILL_OK; RILL_EINVAL for NULL bytes, max_k == 0,
 * max_r < LDPC_MIN_R or max_k + max_r > LDPC_MAX_N.
 * Thread role: any.
 */
int ldpc_workspace_bytes(size_t max_k, size_t max_r, size_t *bytes);

/*
 * Set up `codec` on the caller's workspace `mem` of `mem_bytes` (at least
 * ldpc_workspace_bytes(max_k, max_r); any alignment: it is aligned inside).
 * The workspace is borrowed until the codec is no longer used; there is no
 * deinit.
 *
 * Returns RILL_OK; RILL_EINVAL for NULL pointers or limits that
 * ldpc_workspace_bytes refuses; RILL_ENOSPC if mem_bytes is too small.
 * Thread role: any.
 */
int ldpc_codec_init(struct ldpc_codec *codec, void *mem, size_t mem_bytes, size_t max_k,
                    size_t max_r);

/*
 * Compute the r repair symbols of a block of k source symbols, each
 * `symbol_bytes` long: repair[i] is the symbol with ESI k + i. The repair
 * buffers must not overlap the source buffers. Builds the matrix when (k, r)
 * differ from the previous call (O(N1 * k) PRNG draws).
 *
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL        NULL pointer or entry, k == 0, r < LDPC_MIN_R,
 *                      symbol_bytes == 0
 *   RILL_EUNSUPPORTED  k > max_k or r > max_r
 * Thread role: any (uses the codec's workspace).
 */
int ldpc_encode(struct ldpc_codec *codec, size_t k, size_t r, size_t symbol_bytes,
                const uint8_t *const *source, uint8_t *const *repair);

/*
 * Restore the lost source symbols of a block of k source and n - k repair
 * symbols (n from the repair header).
 *
 * `symbols` has n entries indexed by ESI, NULL for a symbol that did not
 * arrive; every present symbol is `symbol_bytes` long. For each lost
 * source ESI c, restore[c] is a buffer of symbol_bytes that receives the
 * symbol if it can be restored; it must not overlap any input. Entries of
 * `restore` for present symbols are not used (may be NULL).
 *
 * `restored` (k entries, may be NULL) gets true for each ESI written. Some
 * lost symbols may be restored while others are not.
 *
 * Returns:
 *   RILL_OK              every source symbol is present or restored
 *   RILL_EUNRECOVERABLE  some lost source symbols could not be restored
 *                        (`restored` tells which were)
 *   RILL_EINVAL          NULL codec or symbols, k == 0,
 *                        n - k < LDPC_MIN_R (includes n < k),
 *                        symbol_bytes == 0, a lost source with no restore
 *                        buffer
 *   RILL_EUNSUPPORTED    k > max_k or n - k > max_r
 * Thread role: any (uses the codec's workspace).
 */
int ldpc_decode(struct ldpc_codec *codec, size_t k, size_t n, size_t symbol_bytes,
                const uint8_t *const *symbols, uint8_t *const *restore, bool *restored);

/*
 * Source ESIs in row `row` of the parity-check matrix for (k, r), for tests
 * and diagnostics: `*cols` points into the codec's workspace (valid until
 * the next call with other (k, r)), `*count` entries. The row also holds
 * the repair ESIs k + row and, for row > 0, k + row - 1.
 *
 * Returns RILL_OK, or the status ldpc_encode would give for (k, r), or
 * RILL_EINVAL for row >= r or NULL outputs.
 * Thread role: any.
 */
int ldpc_matrix_row(struct ldpc_codec *codec, size_t k, size_t r, size_t row,
                    const uint16_t **cols, size_t *count);

#endif /* RILL_FEC_LDPC_H */
