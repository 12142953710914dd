/*
 * FECFRAME payload IDs as roc-toolkit 0.4 puts them on the wire: parse,
 * validate, compose.
 *
 * A FEC source packet is the protected packet (RTP header + payload, the
 * "source symbol") followed by a source payload ID *footer*; a repair packet
 * is a repair payload ID *header* followed by the repair symbol. All fields
 * are big-endian:
 *
 *   rs8m   footer and header, 6 bytes:
 *          [0,3) SBN (24 bit) | [3] ESI (8 bit) | [4,6) k (16 bit)
 *          n is not on the wire: a block has n = 255 symbols at most.
 *   ldpc   source footer, 6 bytes:  SBN 16 | ESI 16 | k 16
 *          repair header, 8 bytes:  SBN 16 | ESI 16 | k 16 | n 16
 *
 * ESI 0..k-1 are the source symbols of the block in order, k..n-1 its
 * repair symbols. SBN counts blocks and wraps (compare with fec_sbn_diff).
 *
 * Parsing validates everything a hostile datagram could get wrong, so a
 * parsed ID can index a block directly:
 *   - k >= 1;
 *   - source: ESI < k;
 *   - repair: k <= ESI < n;
 *   - rs8m: k <= 255 (source), k <= 254 (repair: room for one repair ESI);
 *   - ldpc repair: n - k >= FEC_LDPC_N1, the fewest repair symbols an
 *     LDPC-Staircase matrix with N1 = 7 can have (n < k and n == k are
 *     rejected by the same test); ldpc source: k <= 65535 - FEC_LDPC_N1;
 *   - the symbol is at least 1 byte.
 * Anything else is RILL_EMALFORMED. Whether a valid block also fits the
 * local codec (its configured maximum k and n) is the codec's question
 * (RILL_EUNSUPPORTED from the decoder).
 *
 * Thread role: any (pure functions).
 */
#ifndef RILL_FEC_PAYLOAD_ID_H
#define RILL_FEC_PAYLOAD_ID_H

#include <stddef.h>
#include <stdint.h>

enum fec_scheme {
  FEC_SCHEME_RS8M = 1, /* Reed-Solomon over GF(2^8), RFC 5510 (roc "rs8m") */
  FEC_SCHEME_LDPC = 2, /* LDPC-Staircase, RFC 5170 (roc "ldpc") */
};

#define FEC_RS8M_ID_BYTES 6
#define FEC_LDPC_SOURCE_ID_BYTES 6
#define FEC_LDPC_REPAIR_ID_BYTES 8
/* Longest payload ID of any scheme. */
#define FEC_MAX_ID_BYTES 8

/* rs8m blocks: n = 255 implied, so k + repair count <= 255. */
#define FEC_RS8M_N 255
#define FEC_RS8M_MAX_SBN 0xffffffu
/* ldpc blocks: 16-bit fields. */
#define FEC_LDPC_MAX_N 0xffff
#define FEC_LDPC_MAX_SBN 0xffffu
/* roc's LDPC-Staircase parameters (N1 "1s" per source column, PRNG seed). */
#define FEC_LDPC_N1 7
#define FEC_LDPC_SEED 1297501556u

struct fec_payload_id {
  uint32_t sbn; /* source block number: rs8m 24 bit, ldpc 16 bit */
  uint16_t esi; /* encoding symbol ID: 0..k-1 source, k..n-1 repair */
  uint16_t k;   /* source symbols in the block */
  /*
   * Symbols in the block, when known: rs8m always FEC_RS8M_N (implied);
   * ldpc repair header: from the wire; ldpc source footer: 0 (not on the
   * wire, learnt from the block's repair packets). Ignored by compose
   * except for the ldpc repair header.
   */
  uint16_t n;
};

/*
 * Bytes of the source footer / repair header of `scheme`; 0 for an unknown
 * scheme. Thread role: any.
 */
size_t fec_source_id_bytes(enum fec_scheme scheme);
size_t fec_repair_id_bytes(enum fec_scheme scheme);

/*
 * Parse and validate the source payload ID footer at the end of the FEC
 * source datagram `data` (`len` bytes). On success the source symbol is
 * data[0, *symbol_bytes).
 *
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL       NULL out or symbol_bytes, NULL data with len > 0,
 *                     unknown scheme
 *   RILL_EMALFORMED   no room for the footer and a symbol of >= 1 byte, or
 *                     a field fails validation (see the top of this file)
 * Outputs are written only on success.
 * Thread role: any.
 */
int fec_source_id_parse(enum fec_scheme scheme, const uint8_t *data, size_t len,
                        struct fec_payload_id *out, size_t *symbol_bytes);

/*
 * Parse and validate the repair payload ID header at the start of the FEC
 * repair datagram `data` (`len` bytes). On success the repair symbol is
 * data[*symbol_offset, len), at least 1 byte.
 *
 * Returns RILL_OK, RILL_EINVAL, RILL_EMALFORMED as fec_source_id_parse.
 * Thread role: any.
 */
int fec_repair_id_parse(enum fec_scheme scheme, const uint8_t *data, size_t len,
                        struct fec_payload_id *out, size_t *symbol_offset);

/*
 * Write the source footer (compose_source) or repair header
 * (compose_repair) for `id` to `out` (capacity `cap` bytes); `*written`
 * gets its length. The footer goes right after the source symbol, the
 * header right before the repair symbol. The same validation as parsing
 * applies, plus: SBN fits its field.
 *
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL   NULL pointer, unknown scheme, or `id` fails validation
 *   RILL_ENOSPC   cap is smaller than the payload ID
 * Nothing is written on error.
 * Thread role: any.
 */
int fec_source_id_compose(enum fec_scheme scheme, const struct fec_payload_id *id, uint8_t *out,
                          size_t cap, size_t *written);
int fec_repair_id_compose(enum fec_scheme scheme, const struct fec_payload_id *id, uint8_t *out,
                          size_t cap, size_t *written);

/*
 * Wrap-aware distance a - b between two SBNs of `scheme` (24-bit for rs8m,
 * 16-bit for ldpc), in [-2^(bits-1), 2^(bits-1)): positive when a is after
 * b; half the range reads as negative, as seq_diff does. Bits above the
 * field width are ignored. 0 for an unknown scheme.
 * Thread role: any.
 */
int32_t fec_sbn_diff(enum fec_scheme scheme, uint32_t a, uint32_t b);

/* SBN that follows `sbn` in `scheme` (wraps to 0). Thread role: any. */
uint32_t fec_sbn_next(enum fec_scheme scheme, uint32_t sbn);

#endif /* RILL_FEC_PAYLOAD_ID_H */
