/*
 * Arena: the only place in rill that calls the system allocator.
 *
 * Every byte rill holds comes through an arena, so that (a) tests can make
 * the Nth allocation fail and check that every constructor cleans up, and
 * (b) outstanding allocations are counted, so a leak is a failed assertion,
 * not a guess.
 *
 * The heap arena serves small blocks with malloc and large blocks (slabs)
 * with mmap, page-rounded, so that freeing a large block always returns its
 * pages to the operating system. glibc's malloc would raise its mmap
 * threshold after the first large free and keep later slabs on the heap,
 * where a freed slab in the middle of the heap is never given back.
 */
#ifndef RILL_CORE_ARENA_H
#define RILL_CORE_ARENA_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Blocks of at least this many bytes are mapped pages. */
#define ARENA_MMAP_MIN_BYTES ((size_t)32 * 1024)

struct rill_arena;

struct rill_arena_ops {
  void *(*alloc)(struct rill_arena *arena, size_t bytes);
  void (*free)(struct rill_arena *arena, void *ptr, size_t bytes);
};

struct rill_arena {
  const struct rill_arena_ops *ops; /* borrowed, static */
  atomic_size_t live_blocks;        /* blocks allocated and not freed */
  atomic_size_t live_bytes;         /* their bytes, as rounded by arena_round_bytes */
  atomic_uint_least64_t failures;   /* allocations that returned NULL */
};

/*
 * The process-wide heap arena (malloc + mmap). Never destroyed.
 * Thread role: any.
 */
struct rill_arena *arena_heap(void);

/*
 * Bytes that a request of `bytes` really occupies: page-rounded for mapped
 * blocks, unchanged below ARENA_MMAP_MIN_BYTES. Returns 0 on overflow.
 * Callers charge their limiter with this figure so that budgets count real
 * memory. Thread role: any.
 */
size_t arena_round_bytes(size_t bytes);

/*
 * Allocate `bytes` (> 0), aligned for any object type (16 bytes; mapped
 * blocks are page-aligned). Returns NULL on failure and counts it.
 * Thread role: any.
 */
void *arena_alloc(struct rill_arena *arena, size_t bytes);

/* Allocate zero-filled memory; NULL on failure. Thread role: any. */
void *arena_calloc(struct rill_arena *arena, size_t bytes);

/*
 * Free a block from arena_alloc; `bytes` must be the size that was asked for.
 * NULL is ignored. Thread role: any.
 */
void arena_free(struct rill_arena *arena, void *ptr, size_t bytes);

/*
 * Test arena: forwards to a backing arena, but fails allocation number
 * `fail_at` (0-based, counted from init) and only that one; fail_at < 0
 * never fails. Counts its own live blocks, so tests can assert that a failed
 * constructor left nothing behind.
 */
struct rill_fail_arena {
  struct rill_arena base;    /* must be first; pass &fa.base */
  struct rill_arena *backing; /* borrowed */
  atomic_long countdown;     /* allocations left before the failing one */
};

/* Thread role: control (tests). */
void fail_arena_init(struct rill_fail_arena *fa, struct rill_arena *backing, long fail_at);

#endif /* RILL_CORE_ARENA_H */
