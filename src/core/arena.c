/*
 * Arena implementations: the heap arena (the only caller of malloc, free,
 * mmap and munmap in rill) and the failing test arena.
 *
 * Accounting is done in the arena_* wrappers, not in the implementations, so
 * that every arena counts its live blocks and bytes the same way.
 */
#include "core/arena.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/sizemath.h"

static size_t page_bytes(void)
{
  static atomic_size_t cached;
  size_t p = atomic_load_explicit(&cached, memory_order_relaxed);
  if (p == 0) {
    long v = sysconf(_SC_PAGESIZE);
    p = v > 0 ? (size_t)v : 4096;
    atomic_store_explicit(&cached, p, memory_order_relaxed);
  }
  return p;
}

size_t arena_round_bytes(size_t bytes)
{
  size_t out;
  if (bytes < ARENA_MMAP_MIN_BYTES)
    return bytes;
  if (!size_align_up(bytes, page_bytes(), &out))
    return 0;
  return out;
}

static void *heap_alloc(struct rill_arena *arena, size_t bytes)
{
  (void)arena;
  if (bytes >= ARENA_MMAP_MIN_BYTES) {
    void *p = mmap(NULL, arena_round_bytes(bytes), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
  }
  return malloc(bytes);
}

static void heap_free(struct rill_arena *arena, void *ptr, size_t bytes)
{
  (void)arena;
  if (bytes >= ARENA_MMAP_MIN_BYTES)
    munmap(ptr, arena_round_bytes(bytes));
  else
    free(ptr);
}

static const struct rill_arena_ops heap_ops = {heap_alloc, heap_free};

static struct rill_arena heap_arena = {&heap_ops, 0, 0, 0};

struct rill_arena *arena_heap(void)
{
  return &heap_arena;
}

void *arena_alloc(struct rill_arena *arena, size_t bytes)
{
  size_t rounded = arena_round_bytes(bytes);
  void *p = NULL;
  if (bytes != 0 && rounded != 0)
    p = arena->ops->alloc(arena, bytes);
  if (!p) {
    atomic_fetch_add_explicit(&arena->failures, 1, memory_order_relaxed);
    return NULL;
  }
  atomic_fetch_add_explicit(&arena->live_blocks, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&arena->live_bytes, rounded, memory_order_relaxed);
  return p;
}

void *arena_calloc(struct rill_arena *arena, size_t bytes)
{
  void *p = arena_alloc(arena, bytes);
  /* Mapped pages are already zero. */
  if (p && bytes < ARENA_MMAP_MIN_BYTES)
    memset(p, 0, bytes);
  return p;
}

void arena_free(struct rill_arena *arena, void *ptr, size_t bytes)
{
  if (!ptr)
    return;
  arena->ops->free(arena, ptr, bytes);
  atomic_fetch_sub_explicit(&arena->live_blocks, 1, memory_order_relaxed);
  atomic_fetch_sub_explicit(&arena->live_bytes, arena_round_bytes(bytes),
                            memory_order_relaxed);
}

static void *fail_alloc(struct rill_arena *arena, size_t bytes)
{
  struct rill_fail_arena *fa = (struct rill_fail_arena *)arena;
  if (atomic_fetch_sub_explicit(&fa->countdown, 1, memory_order_relaxed) == 0)
    return NULL;
  return arena_alloc(fa->backing, bytes);
}

static void fail_free(struct rill_arena *arena, void *ptr, size_t bytes)
{
  struct rill_fail_arena *fa = (struct rill_fail_arena *)arena;
  arena_free(fa->backing, ptr, bytes);
}

static const struct rill_arena_ops fail_ops = {fail_alloc, fail_free};

void fail_arena_init(struct rill_fail_arena *fa, struct rill_arena *backing, long fail_at)
{
  fa->base.ops = &fail_ops;
  atomic_init(&fa->base.live_blocks, 0);
  atomic_init(&fa->base.live_bytes, 0);
  atomic_init(&fa->base.failures, 0);
  fa->backing = backing;
  /* A negative countdown only ever decreases, so it never reaches 0 again
   * within any realistic number of allocations. */
  atomic_init(&fa->countdown, fail_at < 0 ? -1 : fail_at);
}
