/*
 * FEC reader: the receiver side of roc-toolkit's FECFRAME, per session.
 *
 * The receiver parses each FEC source datagram's footer and each repair
 * datagram's header (fec/payload_id.h), routes them to a session (source by
 * SSRC, repair by the sender's address: roc sends both from one socket) and
 * hands the symbols to this module, which groups them by source block
 * number (SBN). When a block has lost source symbols and enough symbols to
 * decode, it runs the decoder and gives every source symbol the decoder
 * says it restored to the receiver through a callback, as a datagram in a
 * new buffer charged to the session; the receiver parses it as RTP and
 * queues it like any received packet. A symbol the decoder did not restore
 * is never delivered, so FEC can only add correct packets.
 *
 * Bounds: at most FEC_READER_OPEN_BLOCKS blocks per session are open; a
 * symbol of a newer block abandons the oldest (its missing sources, if any,
 * are counted unrecoverable) and symbols of blocks older than every open
 * one are dropped. A block has at most FEC_READER_MAX_N symbols. Source
 * buffers are shared with the session's queue (buffer_ref); repair and
 * restored buffers are charged to the session's budget.
 *
 * Memory: fec_reader_create allocates, once per receiver, the codec (rs8m
 * tables or the ldpc workspace), the decoder's pointer arrays and the block
 * tables of every session slot, against the context's budget. Nothing
 * after that allocates except buffers from the context's buffer pool.
 *
 * Thread role: network for everything, except create/destroy (control, the
 * network thread not using the reader) and the stats getters (any).
 */
#ifndef RILL_PIPELINE_FEC_READER_H
#define RILL_PIPELINE_FEC_READER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buffer.h"
#include "core/limiter.h"
#include "core/pool.h"
#include "fec/payload_id.h"

/* Blocks kept open per session. */
#define FEC_READER_OPEN_BLOCKS 2
/* Most symbols (source + repair) in a block this receiver decodes. */
#define FEC_READER_MAX_N 255

struct fec_reader;

/*
 * Receives one restored source symbol: `buf` (one reference, owned by the
 * callee, charged to the session's scope) holds `len` bytes, an RTP packet.
 * Returns true if the packet was accepted (counted as recovered).
 * Thread role: network.
 */
typedef bool (*fec_deliver_cb)(void *user, struct rill_buffer *buf, size_t len, int64_t now_ns);

/* Counters of one session, or of the whole receiver. */
struct fec_reader_stats {
  uint64_t recovered;        /* source packets restored and delivered */
  uint64_t unrecoverable;    /* blocks abandoned with source packets missing */
  uint64_t repair_received;  /* repair packets routed to a session */
  uint64_t repair_dropped;   /* repair packets not used: no session, stale block,
                              * mismatched k/n/length, duplicate, no memory */
};

/*
 * A reader for `scheme` whose sessions are `max_sessions` slots, with
 * restored buffers from `buffers` (borrowed; the network thread owns it).
 * Returns RILL_OK, RILL_EINVAL, RILL_EBUDGET, RILL_ENOMEM.
 * Thread role: control.
 */
int fec_reader_create(struct rill_arena *arena, struct rill_limiter *global,
                      enum fec_scheme scheme, struct rill_pool *buffers, uint32_t max_sessions,
                      struct fec_reader **out);

/* Release every held buffer and free. NULL is ignored. Thread role: control. */
void fec_reader_destroy(struct fec_reader *fr);

/* The scheme given at create. Thread role: any. */
enum fec_scheme fec_reader_scheme(const struct fec_reader *fr);

/*
 * Start session slot `slot` afresh (a new session took it): drop its blocks
 * and zero its counters. Thread role: network.
 */
void fec_reader_session_start(struct fec_reader *fr, uint32_t slot);

/* Drop the blocks of slot `slot` (session ended); counters stay. Thread role: network. */
void fec_reader_session_release(struct fec_reader *fr, uint32_t slot);

/*
 * A source packet of slot `slot` arrived in `buf` (its symbol is
 * buf->data[0, symbol_bytes), `id` its parsed footer). The reader takes its
 * own reference; the caller keeps its own. Call it after the buffer has
 * been charged to the session (`scope`) and before handing the caller's
 * reference to another thread. May deliver restored packets through `cb`.
 * Thread role: network.
 */
void fec_reader_on_source(struct fec_reader *fr, uint32_t slot, struct rill_buffer *buf,
                          const struct fec_payload_id *id, size_t symbol_bytes,
                          struct rill_limiter *scope, fec_deliver_cb cb, void *user,
                          int64_t now_ns);

/*
 * A repair packet of slot `slot` arrived in `buf` (the caller's only
 * reference, handed over): its symbol is buf->data[symbol_offset,
 * len_bytes), `id` its parsed header. The buffer is moved to `scope`; if
 * the scope refuses, the packet is dropped. May deliver restored packets
 * through `cb`. Thread role: network.
 */
void fec_reader_on_repair(struct fec_reader *fr, uint32_t slot, struct rill_buffer *buf,
                          const struct fec_payload_id *id, size_t symbol_offset,
                          struct rill_limiter *scope, fec_deliver_cb cb, void *user,
                          int64_t now_ns);

/* Count a repair packet that no session took. Thread role: network. */
void fec_reader_count_orphan_repair(struct fec_reader *fr);

/* Counters of slot `slot` / of the whole receiver since create. Thread role: any. */
void fec_reader_session_stats(const struct fec_reader *fr, uint32_t slot,
                              struct fec_reader_stats *out);
void fec_reader_total_stats(const struct fec_reader *fr, struct fec_reader_stats *out);

#endif /* RILL_PIPELINE_FEC_READER_H */
