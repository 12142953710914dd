#include <pthread.h>
#include <rill/status.h>
#include <string.h>

#include "core/pool.h"
#include "core/spsc_ring.h"
#include "test_util.h"

#define MS INT64_C(1000000)

#define OBJ_BYTES 200

struct fixture {
  struct rill_fail_arena arena; /* never fails here; counts live blocks */
  struct rill_limiter global;
  struct rill_pool *pool;
};

static struct rill_pool_stats stats_of(struct rill_pool *pool)
{
  struct rill_pool_stats st;
  pool_stats(pool, &st);
  return st;
}

static size_t used(const struct rill_limiter *l)
{
  return atomic_load(&l->used_bytes);
}

/* A pool of fixed 16-object slabs (max_slab_bytes forces the minimum). */
static void fixture_init(struct fixture *f, size_t budget, size_t spare, size_t max_slab_bytes)
{
  struct rill_pool_config cfg = {"test", OBJ_BYTES, 16, max_slab_bytes, spare, 0};
  fail_arena_init(&f->arena, arena_heap(), -1);
  assert_int_equal(limiter_init(&f->global, NULL, budget, "global"), RILL_OK);
  assert_int_equal(pool_create(&f->arena.base, &f->global, &cfg, &f->pool), RILL_OK);
}

static void fixture_deinit(struct fixture *f)
{
  pool_destroy(f->pool);
  assert_int_equal(used(&f->global), 0);
  assert_int_equal(atomic_load(&f->arena.base.live_blocks), 0);
}

static void pool_alloc_gives_distinct_aligned_writable_objects(void **state)
{
  struct fixture f;
  unsigned char *objs[40];
  int i, j;
  (void)state;
  fixture_init(&f, 1 << 20, 1, 1);
  for (i = 0; i < 40; i++) {
    objs[i] = pool_alloc(f.pool, NULL);
    assert_non_null(objs[i]);
    assert_int_equal((uintptr_t)objs[i] % 16, 0);
    memset(objs[i], i, OBJ_BYTES);
  }
  for (i = 0; i < 40; i++)
    for (j = 0; j < OBJ_BYTES; j++)
      assert_int_equal(objs[i][j], i);
  assert_int_equal(stats_of(f.pool).in_use_objects, 40);
  assert_int_equal(stats_of(f.pool).slabs, 3);
  for (i = 0; i < 40; i++)
    pool_free_owner(objs[i]);
  assert_int_equal(stats_of(f.pool).in_use_objects, 0);
  fixture_deinit(&f);
}

static void pool_global_limiter_counts_exactly_the_slab_bytes(void **state)
{
  struct fixture f;
  void *objs[20];
  size_t base;
  int i;
  (void)state;
  fixture_init(&f, 1 << 20, 0, 1);
  base = used(&f.global); /* the pool's control structure */
  assert_true(base > 0);
  for (i = 0; i < 20; i++)
    objs[i] = pool_alloc(f.pool, NULL);
  assert_int_equal(used(&f.global) - base, stats_of(f.pool).slab_bytes);
  assert_int_equal(used(pool_held_limiter(f.pool)), stats_of(f.pool).slab_bytes);
  for (i = 0; i < 20; i++)
    pool_free_owner(objs[i]);
  /* Empty slabs are still held (and charged) until the owner reclaims. */
  assert_int_equal(used(&f.global) - base, stats_of(f.pool).slab_bytes);
  pool_reclaim(f.pool, 1);
  assert_int_equal(used(&f.global), base);
  fixture_deinit(&f);
}

static void pool_budget_reached_returns_null_and_counts(void **state)
{
  struct fixture f;
  void *objs[1000];
  size_t n = 0, min_slab_bytes;
  struct rill_pool_stats st;
  (void)state;
  fixture_init(&f, 64 * 1024, 0, 0);
  while (n < 1000 && (objs[n] = pool_alloc(f.pool, NULL)) != NULL)
    n++;
  assert_true(n > 0 && n < 1000);
  st = stats_of(f.pool);
  assert_int_equal(st.refused_budget, 1);
  assert_int_equal(st.in_use_objects, n);
  assert_true(used(&f.global) <= 64 * 1024);
  /* The pool grew until not even a minimum slab fitted. */
  min_slab_bytes = 16 * st.stride_bytes + 64;
  assert_true(64 * 1024 - used(&f.global) < min_slab_bytes);
  assert_null(pool_alloc(f.pool, NULL));
  assert_int_equal(stats_of(f.pool).refused_budget, 2);
  while (n > 0)
    pool_free_owner(objs[--n]);
  fixture_deinit(&f);
}

static void pool_slabs_grow_geometrically(void **state)
{
  struct fixture f;
  static void *objs[2000];
  int i;
  (void)state;
  fixture_init(&f, 64u << 20, 0, 0);
  for (i = 0; i < 2000; i++)
    assert_non_null(objs[i] = pool_alloc(f.pool, NULL));
  /* 16, 16, 32, 64, 128, 256, 512, 1024: 8 slabs hold 2048 objects. */
  assert_int_equal(stats_of(f.pool).slabs, 8);
  assert_int_equal(stats_of(f.pool).capacity_objects, 2048);
  for (i = 0; i < 2000; i++)
    pool_free_owner(objs[i]);
  fixture_deinit(&f);
}

static void pool_empty_slabs_are_released_after_a_burst(void **state)
{
  struct fixture f;
  static void *objs[3000];
  struct rill_pool_stats st;
  size_t base;
  int i;
  (void)state;
  fixture_init(&f, 64u << 20, 1, 0);
  base = used(&f.global);
  for (i = 0; i < 3000; i++)
    assert_non_null(objs[i] = pool_alloc(f.pool, NULL));
  assert_true(stats_of(f.pool).slab_bytes > 3000 * OBJ_BYTES);
  /* Free in an interleaved order, as a jitter buffer would. */
  for (i = 0; i < 3000; i += 2)
    pool_free(objs[i]);
  for (i = 1; i < 3000; i += 2)
    pool_free(objs[i]);
  pool_reclaim(f.pool, 1);
  st = stats_of(f.pool);
  assert_int_equal(st.in_use_objects, 0);
  assert_int_equal(st.slabs, 1); /* one spare kept for hysteresis */
  assert_int_equal(st.spare_slabs, 1);
  assert_int_equal(used(&f.global) - base, st.slab_bytes);
  pool_trim(f.pool);
  st = stats_of(f.pool);
  assert_int_equal(st.slabs, 0);
  assert_int_equal(st.slab_bytes, 0);
  assert_int_equal(used(&f.global), base);
  assert_int_equal(st.slabs_created, st.slabs_released);
  fixture_deinit(&f);
}

static void pool_allocates_from_the_fullest_slab(void **state)
{
  struct fixture f;
  char *objs[32], *p, *b_freed[4];
  int i;
  (void)state;
  fixture_init(&f, 1 << 20, 0, 1);
  for (i = 0; i < 32; i++)
    objs[i] = pool_alloc(f.pool, NULL);
  /* objs[0..15] are slab A, objs[16..31] slab B. Leave A with 4, B with 12. */
  for (i = 4; i < 16; i++)
    pool_free_owner(objs[i]);
  for (i = 28; i < 32; i++)
    pool_free_owner(objs[i]);
  for (i = 0; i < 4; i++)
    b_freed[i] = objs[28 + i];
  for (i = 0; i < 4; i++) {
    p = pool_alloc(f.pool, NULL);
    /* Each new object lands in B, the fuller slab: one of B's freed slots. */
    assert_true(p == b_freed[0] || p == b_freed[1] || p == b_freed[2] || p == b_freed[3]);
    objs[28 + i] = p;
  }
  /* B is full now; A drains to empty and is released (no spares). */
  for (i = 0; i < 4; i++)
    pool_free_owner(objs[i]);
  pool_reclaim(f.pool, 1);
  assert_int_equal(stats_of(f.pool).slabs, 1);
  assert_int_equal(stats_of(f.pool).slabs_released, 1);
  for (i = 16; i < 32; i++)
    pool_free_owner(objs[i]);
  fixture_deinit(&f);
}

static void pool_spare_slab_absorbs_oscillation(void **state)
{
  struct fixture f;
  void *objs[17], *extra;
  int cycle, i;
  (void)state;
  fixture_init(&f, 1 << 20, 1, 1);
  for (i = 0; i < 16; i++)
    objs[i] = pool_alloc(f.pool, NULL);
  for (cycle = 0; cycle < 50; cycle++) {
    extra = pool_alloc(f.pool, NULL);
    assert_non_null(extra);
    pool_free_owner(extra);
  }
  assert_int_equal(stats_of(f.pool).slabs_created, 2);
  assert_int_equal(stats_of(f.pool).slabs_released, 0);
  assert_int_equal(stats_of(f.pool).spare_slabs, 1);
  for (i = 0; i < 16; i++)
    pool_free_owner(objs[i]);
  fixture_deinit(&f);
}

static void pool_reclaim_releases_empty_slabs_beyond_spares(void **state)
{
  struct fixture f;
  void *objs[64];
  int cycle, i;
  (void)state;
  fixture_init(&f, 1 << 20, 1, 1);
  /* Swings between 0 and 64 objects reuse the same 4 slabs until a reclaim. */
  for (cycle = 0; cycle < 5; cycle++) {
    for (i = 0; i < 64; i++)
      assert_non_null(objs[i] = pool_alloc(f.pool, NULL));
    for (i = 0; i < 64; i++)
      pool_free_owner(objs[i]);
  }
  assert_int_equal(stats_of(f.pool).slabs_created, 4);
  assert_int_equal(stats_of(f.pool).slabs_released, 0);
  assert_int_equal(stats_of(f.pool).spare_slabs, 4);
  pool_reclaim(f.pool, 1 * MS);
  assert_int_equal(stats_of(f.pool).slabs, 1);
  assert_int_equal(stats_of(f.pool).slabs_released, 3);
  /* The spare is kept for 1 s of the owner's clock from the first reclaim
   * that saw it empty, however many reclaims run meanwhile. */
  for (cycle = 0; cycle < 100; cycle++)
    pool_reclaim(f.pool, 1 * MS + cycle * MS);
  assert_int_equal(stats_of(f.pool).slabs, 1);
  pool_reclaim(f.pool, 1000 * MS);
  assert_int_equal(stats_of(f.pool).slabs, 1);
  pool_reclaim(f.pool, 1001 * MS);
  assert_int_equal(stats_of(f.pool).slabs, 0);
  /* A spare that is used again starts its age afresh. */
  for (i = 0; i < 17; i++)
    assert_non_null(objs[i] = pool_alloc(f.pool, NULL));
  pool_free_owner(objs[16]);
  pool_reclaim(f.pool, 2000 * MS);
  pool_reclaim(f.pool, 2900 * MS);
  assert_int_equal(stats_of(f.pool).spare_slabs, 1);
  assert_non_null(objs[16] = pool_alloc(f.pool, NULL));
  pool_free_owner(objs[16]);
  pool_reclaim(f.pool, 3500 * MS);
  pool_reclaim(f.pool, 4400 * MS);
  assert_int_equal(stats_of(f.pool).spare_slabs, 1);
  pool_reclaim(f.pool, 4500 * MS);
  assert_int_equal(stats_of(f.pool).spare_slabs, 0);
  for (i = 0; i < 16; i++)
    pool_free_owner(objs[i]);
  fixture_deinit(&f);
}

static void pool_scope_budget_refuses_and_free_releases_at_once(void **state)
{
  struct fixture f;
  struct rill_limiter socket;
  void *objs[4];
  size_t stride, global_before;
  int i;
  (void)state;
  fixture_init(&f, 1 << 20, 0, 1);
  stride = stats_of(f.pool).stride_bytes;
  assert_int_equal(limiter_init(&socket, &f.global, 3 * stride, "socket"), RILL_OK);
  for (i = 0; i < 3; i++)
    assert_non_null(objs[i] = pool_alloc(f.pool, &socket));
  assert_null(pool_alloc(f.pool, &socket));
  assert_int_equal(stats_of(f.pool).refused_scope, 1);
  assert_int_equal(atomic_load(&socket.refused), 1);
  assert_int_equal(used(&socket), 3 * stride);
  /* The global level counts the slab once, not slab + objects. */
  global_before = used(&f.global);
  assert_int_equal(used(pool_held_limiter(f.pool)) + used(&socket),
                   stats_of(f.pool).slab_bytes);
  /* A remote free releases the scope at once, before the owner reclaims. */
  pool_free(objs[0]);
  assert_int_equal(used(&socket), 2 * stride);
  assert_int_equal(used(&f.global), global_before);
  assert_non_null(objs[3] = pool_alloc(f.pool, &socket));
  for (i = 1; i < 4; i++)
    pool_free(objs[i]);
  pool_reclaim(f.pool, 1);
  assert_int_equal(used(&socket), 0);
  fixture_deinit(&f);
}

static void pool_rejects_a_scope_outside_its_limiter_tree(void **state)
{
  struct fixture f;
  struct rill_limiter stranger;
  (void)state;
  fixture_init(&f, 1 << 20, 0, 1);
  assert_int_equal(limiter_init(&stranger, NULL, 1 << 20, "stranger"), RILL_OK);
  assert_null(pool_alloc(f.pool, &stranger));
  assert_int_equal(used(&stranger), 0);
  fixture_deinit(&f);
}

static void pool_recharge_moves_between_scopes(void **state)
{
  struct fixture f;
  struct rill_limiter socket, session;
  void *a, *b;
  size_t stride;
  (void)state;
  fixture_init(&f, 1 << 20, 0, 1);
  stride = stats_of(f.pool).stride_bytes;
  assert_int_equal(limiter_init(&socket, &f.global, 10 * stride, "socket"), RILL_OK);
  assert_int_equal(limiter_init(&session, &f.global, stride, "session"), RILL_OK);
  a = pool_alloc(f.pool, &socket);
  b = pool_alloc(f.pool, &socket);
  assert_true(pool_recharge(a, &session));
  assert_int_equal(used(&socket), stride);
  assert_int_equal(used(&session), stride);
  assert_false(pool_recharge(b, &session));
  assert_int_equal(used(&socket), stride);
  assert_true(pool_recharge(b, NULL));
  assert_int_equal(used(&socket), 0);
  pool_free(a);
  pool_free(b);
  assert_int_equal(used(&session), 0);
  pool_reclaim(f.pool, 1);
  fixture_deinit(&f);
}

static int notified;
static void count_notify(void *ctx)
{
  (void)ctx;
  notified++;
}

static void pool_notifies_only_when_asked(void **state)
{
  struct fixture f;
  void *a, *b, *c;
  (void)state;
  fixture_init(&f, 1 << 20, 0, 1);
  pool_set_notify(f.pool, count_notify, NULL);
  notified = 0;
  a = pool_alloc(f.pool, NULL);
  b = pool_alloc(f.pool, NULL);
  c = pool_alloc(f.pool, NULL);
  /* Nobody waits: a free runs no callback (no system call on the reader). */
  pool_free(a);
  assert_int_equal(notified, 0);
  pool_reclaim(f.pool, 1);
  /* The owner waits: the next free notifies, once. */
  pool_want_notify(f.pool);
  assert_int_equal(notified, 0);
  pool_free(b);
  assert_int_equal(notified, 1);
  pool_free(c);
  assert_int_equal(notified, 1);
  /* Objects already returned when the owner asks: it is told at once. */
  pool_want_notify(f.pool);
  assert_int_equal(notified, 2);
  assert_int_equal(stats_of(f.pool).notifies, 2);
  /* A request withdrawn (the owner resumed by itself): frees stay silent. */
  pool_reclaim(f.pool, 3);
  pool_want_notify(f.pool);
  pool_cancel_notify(f.pool);
  a = pool_alloc(f.pool, NULL);
  pool_free(a);
  assert_int_equal(notified, 2);
  pool_reclaim(f.pool, 2);
  assert_int_equal(stats_of(f.pool).in_use_objects, 0);
  fixture_deinit(&f);
}

/* The owner asks while another thread frees: every request is answered
 * (by the freer or by the owner finding the returns), none is lost. */
struct notify_race {
  struct rill_pool *pool;
  void *objs[2000];
  atomic_int next;
};

static atomic_int race_notified;
static void race_notify(void *ctx)
{
  (void)ctx;
  atomic_fetch_add(&race_notified, 1);
}

static void *race_freer(void *arg)
{
  struct notify_race *r = arg;
  int i;
  for (i = 0; i < 2000; i++) {
    while (atomic_load(&r->next) <= i) {
    }
    pool_free(r->objs[i]);
  }
  return NULL;
}

static void pool_notify_request_never_lost(void **state)
{
  struct fixture f;
  struct notify_race r;
  pthread_t t;
  int i;
  (void)state;
  fixture_init(&f, 8 << 20, 0, 1);
  pool_set_notify(f.pool, race_notify, NULL);
  atomic_store(&race_notified, 0);
  r.pool = f.pool;
  atomic_init(&r.next, 0);
  for (i = 0; i < 2000; i++)
    assert_non_null(r.objs[i] = pool_alloc(f.pool, NULL));
  assert_int_equal(pthread_create(&t, NULL, race_freer, &r), 0);
  for (i = 0; i < 2000; i++) {
    int before = atomic_load(&race_notified);
    pool_reclaim(f.pool, 1); /* takes the returns: the list is empty again */
    pool_want_notify(f.pool);
    atomic_store(&r.next, i + 1); /* let the freer free one */
    /* The request must be answered: by this free or, if it raced with the
     * reclaim, at once. */
    {
      long spins = 0;
      while (atomic_load(&race_notified) == before && spins < 2000000000L)
        spins++;
      assert_int_not_equal(atomic_load(&race_notified), before);
    }
  }
  assert_int_equal(pthread_join(t, NULL), 0);
  pool_reclaim(f.pool, 1);
  assert_int_equal(stats_of(f.pool).in_use_objects, 0);
  assert_int_equal(atomic_load(&race_notified), 2000);
  fixture_deinit(&f);
}

/* Network-thread-allocates, reader-frees stress: the owner allocates under a
 * tight scope budget and hands objects over an SPSC ring; the other thread
 * checks the pattern and frees. */
struct xthread {
  struct rill_pool *pool;
  struct rill_spsc_ring *ring;
  atomic_int done;
  atomic_int corrupt;
};

static void *reader_frees(void *p)
{
  struct xthread *x = p;
  void *obj;
  for (;;) {
    if (spsc_ring_pop(x->ring, &obj) == RILL_OK) {
      uint32_t tag;
      memcpy(&tag, obj, sizeof(tag));
      if (((unsigned char *)obj)[OBJ_BYTES - 1] != (unsigned char)tag)
        atomic_store(&x->corrupt, 1);
      pool_free(obj);
    } else if (atomic_load(&x->done)) {
      if (spsc_ring_count(x->ring) == 0)
        break;
    }
  }
  return NULL;
}

static void pool_cross_thread_free_stress(void **state)
{
  struct fixture f;
  struct rill_limiter socket;
  struct xthread x;
  pthread_t th;
  uint32_t i;
  uint64_t refused = 0;
  (void)state;
  fixture_init(&f, 256 * 1024, 1, 0);
  assert_int_equal(limiter_init(&socket, &f.global, 64 * 256, "socket"), RILL_OK);
  assert_int_equal(spsc_ring_create(arena_heap(), &f.global, 256, &x.ring), RILL_OK);
  x.pool = f.pool;
  atomic_init(&x.done, 0);
  atomic_init(&x.corrupt, 0);
  assert_int_equal(pthread_create(&th, NULL, reader_frees, &x), 0);
  for (i = 0; i < RILL_STRESS_ITERATIONS; i++) {
    unsigned char *obj = pool_alloc(f.pool, &socket);
    if (!obj) {
      refused++; /* back-pressure: the reader has not freed yet */
      continue;
    }
    memcpy(obj, &i, sizeof(i));
    obj[OBJ_BYTES - 1] = (unsigned char)i;
    while (spsc_ring_push(x.ring, obj) != RILL_OK) {
    }
  }
  atomic_store(&x.done, 1);
  pthread_join(th, NULL);
  pool_reclaim(f.pool, 1);
  assert_int_equal(atomic_load(&x.corrupt), 0);
  assert_int_equal(stats_of(f.pool).in_use_objects, 0);
  assert_int_equal(used(&socket), 0);
  assert_true(atomic_load(&socket.peak_bytes) <= 64 * 256);
  assert_true(atomic_load(&f.global.peak_bytes) <= 256 * 1024);
  assert_int_equal(stats_of(f.pool).allocs + refused, RILL_STRESS_ITERATIONS);
  spsc_ring_destroy(x.ring);
  fixture_deinit(&f);
}

static void pool_create_rejects_bad_config(void **state)
{
  struct rill_limiter global;
  struct rill_pool *pool = (void *)1;
  struct rill_pool_config zero = {"z", 0, 0, 0, 0, 0};
  struct rill_pool_config huge = {"h", SIZE_MAX - 8, 0, 0, 0, 0};
  struct rill_pool_config huge_slab = {"hs", SIZE_MAX / 8, 0, 0, 0, 0};
  (void)state;
  assert_int_equal(limiter_init(&global, NULL, 1 << 20, "g"), RILL_OK);
  assert_int_equal(pool_create(arena_heap(), &global, &zero, &pool), RILL_EINVAL);
  assert_null(pool);
  assert_int_equal(pool_create(arena_heap(), &global, &huge, &pool), RILL_EOVERFLOW);
  assert_int_equal(pool_create(arena_heap(), &global, &huge_slab, &pool), RILL_EOVERFLOW);
  assert_int_equal(pool_create(arena_heap(), NULL, &zero, &pool), RILL_EINVAL);
  assert_int_equal(used(&global), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pool_alloc_gives_distinct_aligned_writable_objects),
      cmocka_unit_test(pool_global_limiter_counts_exactly_the_slab_bytes),
      cmocka_unit_test(pool_budget_reached_returns_null_and_counts),
      cmocka_unit_test(pool_slabs_grow_geometrically),
      cmocka_unit_test(pool_empty_slabs_are_released_after_a_burst),
      cmocka_unit_test(pool_allocates_from_the_fullest_slab),
      cmocka_unit_test(pool_spare_slab_absorbs_oscillation),
      cmocka_unit_test(pool_reclaim_releases_empty_slabs_beyond_spares),
      cmocka_unit_test(pool_scope_budget_refuses_and_free_releases_at_once),
      cmocka_unit_test(pool_rejects_a_scope_outside_its_limiter_tree),
      cmocka_unit_test(pool_recharge_moves_between_scopes),
      cmocka_unit_test(pool_notifies_only_when_asked),
      cmocka_unit_test(pool_notify_request_never_lost),
      cmocka_unit_test(pool_cross_thread_free_stress),
      cmocka_unit_test(pool_create_rejects_bad_config),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
