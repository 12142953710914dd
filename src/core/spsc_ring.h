/*
 * Single-producer single-consumer ring of pointers, lock-free and bounded:
 * push says "full" instead of growing. Used to hand packets from the network
 * thread to the real-time reader.
 *
 * Thread roles: spsc_ring_push from one producer thread, spsc_ring_pop from one
 * consumer thread; create/destroy from control.
 */
#ifndef RILL_CORE_SPSC_RING_H
#define RILL_CORE_SPSC_RING_H

#include <stddef.h>

#include "core/arena.h"
#include "core/limiter.h"

struct rill_spsc_ring;

/*
 * A ring holding up to `capacity` pointers (a power of two, >= 2), its memory
 * charged to `limiter`. Returns RILL_OK, RILL_EINVAL, RILL_EOVERFLOW,
 * RILL_EBUDGET or RILL_ENOMEM.
 */
int spsc_ring_create(struct rill_arena *arena, struct rill_limiter *limiter, size_t capacity,
                     struct rill_spsc_ring **out);

/* Free the ring; pointers still queued are not touched. NULL is ignored. */
void spsc_ring_destroy(struct rill_spsc_ring *ring);

/* Queue `item` (non-NULL). RILL_OK or RILL_EFULL. Producer only. */
int spsc_ring_push(struct rill_spsc_ring *ring, void *item);

/* Dequeue into *out. RILL_OK or RILL_EEMPTY. Consumer only. */
int spsc_ring_pop(struct rill_spsc_ring *ring, void **out);

/* Items queued now (exact for the producer or consumer, a snapshot for others). */
size_t spsc_ring_count(const struct rill_spsc_ring *ring);

size_t spsc_ring_capacity(const struct rill_spsc_ring *ring);

#endif /* RILL_CORE_SPSC_RING_H */
