/*
 * Allocation-failure sweeps: for each constructor, make allocation N fail for
 * N = 0, 1, ... until the call succeeds. Every failure must be a clean error
 * status with nothing left allocated and nothing left charged.
 */
#include <rill/status.h>

#include "core/buffer.h"
#include "core/spsc_ring.h"
#include "test_util.h"

#define SWEEP_LIMIT 64

/* One attempt: returns the status; on success tears down and checks cleanliness. */
typedef int (*attempt_fn)(struct rill_arena *arena, struct rill_limiter *global);

static void sweep(attempt_fn attempt, int min_failures)
{
  long n;
  for (n = 0; n < SWEEP_LIMIT; n++) {
    struct rill_fail_arena fa;
    struct rill_limiter global;
    int status;
    fail_arena_init(&fa, arena_heap(), n);
    assert_int_equal(limiter_init(&global, NULL, 16 << 20, "global"), RILL_OK);
    status = attempt(&fa.base, &global);
    assert_int_equal(atomic_load(&fa.base.live_blocks), 0);
    assert_int_equal(atomic_load(&global.used_bytes), 0);
    if (status == RILL_OK) {
      /* The sweep really exercised failure paths before succeeding. */
      assert_true(n >= min_failures);
      return;
    }
    assert_int_equal(status, RILL_ENOMEM);
  }
  fail_msg("constructor still failing after %d allocations", SWEEP_LIMIT);
}

static int attempt_pool(struct rill_arena *arena, struct rill_limiter *global)
{
  struct rill_pool_config cfg = {"sweep", 64, 4, 0, 1, 0};
  struct rill_pool *pool;
  void *objs[40];
  int i, status = pool_create(arena, global, &cfg, &pool);
  if (status != RILL_OK)
    return status;
  /* Growing to 40 objects takes several slabs: each slab allocation can fail. */
  for (i = 0; i < 40; i++) {
    objs[i] = pool_alloc(pool, NULL);
    if (!objs[i]) {
      struct rill_pool_stats st;
      pool_stats(pool, &st);
      assert_int_equal(st.refused_arena, 1);
      while (i > 0)
        pool_free(objs[--i]);
      pool_destroy(pool);
      return RILL_ENOMEM;
    }
  }
  for (i = 0; i < 40; i++)
    pool_free(objs[i]);
  pool_destroy(pool);
  return RILL_OK;
}

static int attempt_buffer(struct rill_arena *arena, struct rill_limiter *global)
{
  struct rill_pool_config cfg = {"sweep", buffer_object_bytes(1500), 0, 0, 0, 0};
  struct rill_pool *pool;
  struct rill_buffer *b;
  int status = pool_create(arena, global, &cfg, &pool);
  if (status != RILL_OK)
    return status;
  b = buffer_alloc(pool, NULL);
  if (!b) {
    pool_destroy(pool);
    return RILL_ENOMEM;
  }
  buffer_unref(b);
  pool_destroy(pool);
  return RILL_OK;
}

static int attempt_ring(struct rill_arena *arena, struct rill_limiter *global)
{
  struct rill_spsc_ring *ring;
  int status = spsc_ring_create(arena, global, 16, &ring);
  if (status != RILL_OK) {
    assert_null(ring);
    return status;
  }
  spsc_ring_destroy(ring);
  return RILL_OK;
}

static void alloc_failure_sweep_pool(void **state)
{
  (void)state;
  sweep(attempt_pool, 4);
}

static void alloc_failure_sweep_buffer(void **state)
{
  (void)state;
  sweep(attempt_buffer, 2);
}

static void alloc_failure_sweep_spsc_ring(void **state)
{
  (void)state;
  sweep(attempt_ring, 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(alloc_failure_sweep_pool),
      cmocka_unit_test(alloc_failure_sweep_buffer),
      cmocka_unit_test(alloc_failure_sweep_spsc_ring),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
