/*
 * Reference-counted byte buffer carved from a slab pool. Packets are built on
 * it: the network thread receives a datagram straight into a buffer, and the
 * buffer is shared (FEC block, jitter queue) by taking references. The last
 * unref returns it to its pool from whatever thread drops it.
 */
#ifndef RILL_CORE_BUFFER_H
#define RILL_CORE_BUFFER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pool.h"

struct rill_buffer {
  atomic_uint refs;
  uint32_t capacity_bytes; /* usable bytes in data[] */
  uint32_t len_bytes;      /* valid bytes in data[], set by the writer */
  uint32_t reserved;
  _Alignas(16) unsigned char data[];
};

/*
 * Pool object size for buffers of `capacity_bytes` (e.g. the largest datagram).
 * 0 on overflow. Thread role: any.
 */
size_t buffer_object_bytes(size_t capacity_bytes);

/*
 * A new buffer with one reference, len 0, charged to `scope` (see pool_alloc).
 * NULL when a budget or the allocator refuses (counted by the pool).
 * Thread role: the pool's owner.
 */
struct rill_buffer *buffer_alloc(struct rill_pool *pool, struct rill_limiter *scope);

/* Take one more reference. Thread role: any holder of a reference. */
void buffer_ref(struct rill_buffer *buf);

/* Drop a reference; the last one frees the buffer. NULL is ignored. Thread role: any. */
void buffer_unref(struct rill_buffer *buf);

/* Current number of references (for tests and assertions). Thread role: any. */
unsigned buffer_refs(const struct rill_buffer *buf);

/*
 * Move the buffer's charge to another scope (e.g. from the socket that received it
 * to the session it was routed to). False, unchanged, if that scope has no room.
 * Thread role: the holder of the only reference.
 */
bool buffer_recharge(struct rill_buffer *buf, struct rill_limiter *scope);

#endif /* RILL_CORE_BUFFER_H */
