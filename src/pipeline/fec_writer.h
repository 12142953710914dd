/*
 * FEC writer: the sender side of roc-toolkit's FECFRAME.
 *
 * Every RTP packet the sender composes becomes a FEC source packet: the
 * packet (the source symbol) followed by the source payload ID footer
 * (fec/payload_id.h). The writer copies each symbol into its block; after
 * k of them it encodes the block's r repair symbols, which the sender sends
 * as repair packets (repair payload ID header + symbol, no RTP header) to
 * the repair endpoint, from the same socket. Then the next block starts
 * (SBN + 1, which starts random).
 *
 * All symbols of a block have the length of its first one: a shorter
 * packet is completed with RTP padding (rtp_append_padding); a longer one
 * cannot be protected and is refused. The sender's packets are all the same
 * length, so neither happens in practice.
 *
 * Memory: fec_writer_create allocates, once, the codec (rs8m tables or the
 * ldpc workspace) and the k + r symbol buffers of max_symbol_bytes each.
 * Nothing else allocates.
 *
 * Thread role: create/destroy control; the rest the writer (real-time), one
 * at a time.
 */
#ifndef RILL_PIPELINE_FEC_WRITER_H
#define RILL_PIPELINE_FEC_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/limiter.h"
#include "fec/payload_id.h"

/* roc-toolkit's defaults: 18 source + 10 repair packets per block. */
#define FEC_WRITER_DEFAULT_K 18
#define FEC_WRITER_DEFAULT_R 10

struct fec_writer;

/*
 * A writer for blocks of `k` source and `r` repair symbols of up to
 * `max_symbol_bytes` bytes, with the first SBN `first_sbn` (masked to the
 * scheme's width). rs8m: k + r <= 255, r >= 1; ldpc: r >= 7,
 * k + r <= 65535.
 * Returns RILL_OK, RILL_EINVAL (bad scheme or sizes), RILL_EBUDGET, RILL_ENOMEM.
 * Thread role: control.
 */
int fec_writer_create(struct rill_arena *arena, struct rill_limiter *global,
                      enum fec_scheme scheme, size_t k, size_t r, size_t max_symbol_bytes,
                      uint32_t first_sbn, struct fec_writer **out);

/* Free. NULL is ignored. Thread role: control, writer stopped. */
void fec_writer_destroy(struct fec_writer *fw);

/* Bytes the footer adds to a source packet. Thread role: any. */
size_t fec_writer_footer_bytes(const struct fec_writer *fw);

/*
 * Make the RTP packet `packet` (`len` bytes, buffer of `cap`) a FEC source
 * packet: pad it to the block's symbol length if shorter, keep a copy of
 * the symbol, append the footer; *out_len gets the datagram length. When
 * this completes a block, its repair symbols are encoded and
 * fec_writer_repair_count() says how many repair packets are ready.
 * Returns RILL_OK; RILL_ENOSPC (no room for padding or the footer, or the
 * packet exceeds max_symbol_bytes); RILL_EINVAL (longer than the block's
 * symbols, or not RTP v2 when padding is needed). Nothing changes on error.
 * Thread role: writer.
 */
int fec_writer_add_source(struct fec_writer *fw, uint8_t *packet, size_t len, size_t cap,
                          size_t *out_len);

/* Repair packets ready after the last fec_writer_add_source: r or 0. Thread role: writer. */
size_t fec_writer_repair_count(const struct fec_writer *fw);

/*
 * Compose repair packet `i` (< fec_writer_repair_count) of the block just
 * completed into `out` (`cap` bytes); *len gets its length. The packets
 * stay available until the next fec_writer_add_source.
 * Returns RILL_OK, RILL_EINVAL (i out of range), RILL_ENOSPC.
 * Thread role: writer.
 */
int fec_writer_repair_packet(struct fec_writer *fw, size_t i, uint8_t *out, size_t cap,
                             size_t *len);

#endif /* RILL_PIPELINE_FEC_WRITER_H */
