/*
 * Slab pool benchmark: alloc/free pairs per second, rill's pool beside
 * malloc/free in the same run, reported as a ratio.
 *
 * Cases:
 *   pairs      alloc one object, free it, repeat (single thread)
 *   batch      alloc 256 objects, free them in interleaved order (single thread)
 *   charged    batch, each object charged to a scope limiter (per-socket budget)
 *   xthread    one thread allocates and hands objects over an SPSC ring, the
 *              other frees them (network thread allocates, reader frees)
 *
 * Usage: bench_pool [iterations]   (default 4000000)
 */
#include <pthread.h>
#include <rill/status.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pool.h"
#include "core/spsc_ring.h"

#define OBJ_BYTES 1500
#define BATCH 256

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct allocator {
  const char *name;
  void *(*alloc)(void *ctx);
  void (*free)(void *ctx, void *p);
  void *ctx;
};

struct pool_ctx {
  struct rill_pool *pool;
  struct rill_limiter *scope;
};

static void *pool_alloc_fn(void *ctx)
{
  struct pool_ctx *c = ctx;
  return pool_alloc(c->pool, c->scope);
}
static void pool_free_fn(void *ctx, void *p)
{
  (void)ctx;
  pool_free(p);
}
static void *malloc_fn(void *ctx)
{
  (void)ctx;
  return malloc(OBJ_BYTES);
}
static void free_fn(void *ctx, void *p)
{
  (void)ctx;
  free(p);
}

/* Touch the first byte so that neither side is measured on untouched memory. */
static void touch(void *p)
{
  *(volatile unsigned char *)p = 1;
}

static double run_pairs(const struct allocator *a, long iterations)
{
  double t0 = now_s();
  long i;
  for (i = 0; i < iterations; i++) {
    void *p = a->alloc(a->ctx);
    if (!p)
      abort();
    touch(p);
    a->free(a->ctx, p);
  }
  return (double)iterations / (now_s() - t0);
}

static double run_batch(const struct allocator *a, long iterations)
{
  void *objs[BATCH];
  long rounds = iterations / BATCH, r;
  int i;
  double t0 = now_s();
  for (r = 0; r < rounds; r++) {
    for (i = 0; i < BATCH; i++) {
      objs[i] = a->alloc(a->ctx);
      if (!objs[i])
        abort();
      touch(objs[i]);
    }
    for (i = 0; i < BATCH; i += 2)
      a->free(a->ctx, objs[i]);
    for (i = 1; i < BATCH; i += 2)
      a->free(a->ctx, objs[i]);
  }
  return (double)(rounds * BATCH) / (now_s() - t0);
}

struct xthread {
  const struct allocator *a;
  struct rill_spsc_ring *ring;
  long iterations;
};

static void *xthread_reader(void *arg)
{
  struct xthread *x = arg;
  long freed = 0;
  void *p;
  while (freed < x->iterations) {
    if (spsc_ring_pop(x->ring, &p) == RILL_OK) {
      x->a->free(x->a->ctx, p);
      freed++;
    }
  }
  return NULL;
}

static double run_xthread(const struct allocator *a, long iterations, struct rill_limiter *global)
{
  struct xthread x = {a, NULL, iterations};
  pthread_t th;
  long i;
  double t0;
  if (spsc_ring_create(arena_heap(), global, 1024, &x.ring) != RILL_OK)
    abort();
  t0 = now_s();
  pthread_create(&th, NULL, xthread_reader, &x);
  for (i = 0; i < iterations; i++) {
    void *p;
    while (!(p = a->alloc(a->ctx))) {
      /* Pool at its budget: the reader has not freed yet. */
    }
    touch(p);
    while (spsc_ring_push(x.ring, p) != RILL_OK) {
    }
  }
  pthread_join(th, NULL);
  t0 = (double)iterations / (now_s() - t0);
  spsc_ring_destroy(x.ring);
  return t0;
}

static void report(const char *name, double pool_ops, double malloc_ops)
{
  printf("%-10s %14.2f %14.2f %8.2fx\n", name, pool_ops / 1e6, malloc_ops / 1e6,
         pool_ops / malloc_ops);
}

int main(int argc, char **argv)
{
  long iterations = argc > 1 ? atol(argv[1]) : 4000000;
  struct rill_limiter global, socket;
  struct rill_pool_config cfg = {"bench", OBJ_BYTES, 0, 0, 1, 0};
  struct pool_ctx pc, pc_charged;
  struct allocator pool_a, charged_a, malloc_a = {"malloc", malloc_fn, free_fn, NULL};
  struct rill_pool_stats st;
  double p, m;

  if (iterations < BATCH) {
    fprintf(stderr, "usage: bench_pool [iterations >= %d]\n", BATCH);
    return 2;
  }
  limiter_init(&global, NULL, 64u << 20, "global");
  limiter_init(&socket, &global, 16u << 20, "socket");
  if (pool_create(arena_heap(), &global, &cfg, &pc.pool) != RILL_OK)
    return 1;
  pc.scope = NULL;
  pc_charged.pool = pc.pool;
  pc_charged.scope = &socket;
  pool_a = (struct allocator){"pool", pool_alloc_fn, pool_free_fn, &pc};
  charged_a = (struct allocator){"pool+scope", pool_alloc_fn, pool_free_fn, &pc_charged};

  printf("rill slab pool vs malloc/free, %d-byte objects, %ld operations per case\n",
         OBJ_BYTES, iterations);
  printf("command: %s %ld\n\n", argv[0], iterations);
  printf("%-10s %14s %14s %9s\n", "case", "pool Mpairs/s", "malloc Mpairs/s", "ratio");

  /* Warm both allocators once. */
  run_batch(&pool_a, BATCH * 16);
  run_batch(&malloc_a, BATCH * 16);

  p = run_pairs(&pool_a, iterations);
  m = run_pairs(&malloc_a, iterations);
  report("pairs", p, m);
  p = run_batch(&pool_a, iterations);
  m = run_batch(&malloc_a, iterations);
  report("batch", p, m);
  p = run_batch(&charged_a, iterations);
  report("charged", p, m);
  p = run_xthread(&pool_a, iterations, &global);
  m = run_xthread(&malloc_a, iterations, &global);
  report("xthread", p, m);

  pool_reclaim(pc.pool, 1);
  pool_stats(pc.pool, &st);
  printf("\npool after run: %zu slabs, %zu bytes held, peak global %zu bytes, %llu allocations\n",
         st.slabs, st.slab_bytes, (size_t)atomic_load(&global.peak_bytes),
         (unsigned long long)st.allocs);
  pool_trim(pc.pool);
  pool_destroy(pc.pool);
  return 0;
}
