/*
 * SPSC ring. head and tail are free-running counters on separate cache lines;
 * the producer owns tail, the consumer owns head. Each side caches the other's
 * counter and rereads it only when the cache says full or empty, so in steady
 * state a push or pop touches one shared line.
 */
#include "core/spsc_ring.h"

#include <rill/status.h>
#include <stdatomic.h>

#include "core/mem.h"
#include "core/sizemath.h"

struct rill_spsc_ring {
  struct rill_arena *arena;     /* borrowed */
  struct rill_limiter *limiter; /* borrowed */
  size_t mask;
  size_t bytes;
  _Alignas(64) atomic_size_t head; /* next slot to pop; written by the consumer */
  size_t tail_cache;               /* consumer's copy of tail */
  _Alignas(64) atomic_size_t tail; /* next slot to push; written by the producer */
  size_t head_cache;               /* producer's copy of head */
  _Alignas(64) void *slots[];
};

int spsc_ring_create(struct rill_arena *arena, struct rill_limiter *limiter, size_t capacity,
                     struct rill_spsc_ring **out)
{
  struct rill_spsc_ring *ring;
  size_t bytes;
  int status;

  if (!out)
    return RILL_EINVAL;
  *out = NULL;
  if (!arena || !limiter || capacity < 2 || !size_is_pow2(capacity))
    return RILL_EINVAL;
  if (!size_mul(capacity, sizeof(void *), &bytes) ||
      !size_add(bytes, sizeof(*ring), &bytes))
    return RILL_EOVERFLOW;
  status = mem_alloc(arena, limiter, bytes, (void **)&ring);
  if (status != RILL_OK)
    return status;
  ring->arena = arena;
  ring->limiter = limiter;
  ring->mask = capacity - 1;
  ring->bytes = bytes;
  atomic_init(&ring->head, 0);
  atomic_init(&ring->tail, 0);
  *out = ring;
  return RILL_OK;
}

void spsc_ring_destroy(struct rill_spsc_ring *ring)
{
  if (ring)
    mem_free(ring->arena, ring->limiter, ring, ring->bytes);
}

int spsc_ring_push(struct rill_spsc_ring *ring, void *item)
{
  size_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
  if (tail - ring->head_cache > ring->mask) {
    ring->head_cache = atomic_load_explicit(&ring->head, memory_order_acquire);
    if (tail - ring->head_cache > ring->mask)
      return RILL_EFULL;
  }
  ring->slots[tail & ring->mask] = item;
  atomic_store_explicit(&ring->tail, tail + 1, memory_order_release);
  return RILL_OK;
}

int spsc_ring_pop(struct rill_spsc_ring *ring, void **out)
{
  size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
  if (head == ring->tail_cache) {
    ring->tail_cache = atomic_load_explicit(&ring->tail, memory_order_acquire);
    if (head == ring->tail_cache)
      return RILL_EEMPTY;
  }
  *out = ring->slots[head & ring->mask];
  atomic_store_explicit(&ring->head, head + 1, memory_order_release);
  return RILL_OK;
}

size_t spsc_ring_count(const struct rill_spsc_ring *ring)
{
  size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
  size_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
  return tail - head;
}

size_t spsc_ring_capacity(const struct rill_spsc_ring *ring)
{
  return ring->mask + 1;
}
