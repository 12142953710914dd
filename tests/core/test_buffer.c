#include <pthread.h>
#include <rill/status.h>
#include <string.h>

#include "core/buffer.h"
#include "test_util.h"

#define DATAGRAM_BYTES 1500

struct fixture {
  struct rill_limiter global;
  struct rill_pool *pool;
};

static void fixture_init(struct fixture *f)
{
  struct rill_pool_config cfg = {"packets", buffer_object_bytes(DATAGRAM_BYTES), 0, 0, 0, 0};
  assert_int_equal(limiter_init(&f->global, NULL, 4 << 20, "global"), RILL_OK);
  assert_int_equal(pool_create(arena_heap(), &f->global, &cfg, &f->pool), RILL_OK);
}

static void fixture_deinit(struct fixture *f)
{
  pool_trim(f->pool);
  pool_destroy(f->pool);
  assert_int_equal(atomic_load(&f->global.used_bytes), 0);
}

static void buffer_has_capacity_for_the_largest_datagram(void **state)
{
  struct fixture f;
  struct rill_buffer *b;
  (void)state;
  fixture_init(&f);
  b = buffer_alloc(f.pool, NULL);
  assert_non_null(b);
  assert_true(b->capacity_bytes >= DATAGRAM_BYTES);
  assert_int_equal(b->len_bytes, 0);
  assert_int_equal(buffer_refs(b), 1);
  assert_int_equal((uintptr_t)b->data % 16, 0);
  memset(b->data, 0x5a, b->capacity_bytes);
  buffer_unref(b);
  fixture_deinit(&f);
}

static void buffer_last_unref_frees(void **state)
{
  struct fixture f;
  struct rill_buffer *b;
  struct rill_pool_stats st;
  (void)state;
  fixture_init(&f);
  b = buffer_alloc(f.pool, NULL);
  buffer_ref(b);
  buffer_ref(b);
  assert_int_equal(buffer_refs(b), 3);
  buffer_unref(b);
  buffer_unref(b);
  pool_reclaim(f.pool, 1);
  pool_stats(f.pool, &st);
  assert_int_equal(st.in_use_objects, 1);
  buffer_unref(b);
  pool_reclaim(f.pool, 1);
  pool_stats(f.pool, &st);
  assert_int_equal(st.in_use_objects, 0);
  buffer_unref(NULL);
  fixture_deinit(&f);
}

static void buffer_recharge_moves_to_session_scope(void **state)
{
  struct fixture f;
  struct rill_limiter socket, session;
  struct rill_buffer *b;
  (void)state;
  fixture_init(&f);
  assert_int_equal(limiter_init(&socket, &f.global, 1 << 20, "socket"), RILL_OK);
  assert_int_equal(limiter_init(&session, &f.global, 1 << 20, "session"), RILL_OK);
  b = buffer_alloc(f.pool, &socket);
  assert_true(atomic_load(&socket.used_bytes) >= DATAGRAM_BYTES);
  assert_true(buffer_recharge(b, &session));
  assert_int_equal(atomic_load(&socket.used_bytes), 0);
  assert_true(atomic_load(&session.used_bytes) >= DATAGRAM_BYTES);
  buffer_unref(b);
  assert_int_equal(atomic_load(&session.used_bytes), 0);
  fixture_deinit(&f);
}

static void buffer_object_bytes_checks_overflow(void **state)
{
  (void)state;
  assert_int_equal(buffer_object_bytes(SIZE_MAX), 0);
  assert_int_equal(buffer_object_bytes((size_t)UINT32_MAX + 1), 0);
  assert_true(buffer_object_bytes(100) >= 100 + sizeof(struct rill_buffer));
}

/* Two threads share each buffer and drop their references concurrently: every
 * buffer is freed exactly once. */
#define SHARED 64
static struct rill_buffer *shared[SHARED];

static void *drop_all(void *p)
{
  int i;
  (void)p;
  for (i = 0; i < SHARED; i++)
    buffer_unref(shared[i]);
  return NULL;
}

static void buffer_concurrent_unref_frees_once(void **state)
{
  struct fixture f;
  pthread_t th;
  int round, i;
  (void)state;
  fixture_init(&f);
  for (round = 0; round < RILL_STRESS_ITERATIONS / 1000; round++) {
    for (i = 0; i < SHARED; i++) {
      shared[i] = buffer_alloc(f.pool, NULL);
      assert_non_null(shared[i]);
      buffer_ref(shared[i]);
    }
    assert_int_equal(pthread_create(&th, NULL, drop_all, NULL), 0);
    drop_all(NULL);
    pthread_join(th, NULL);
    pool_reclaim(f.pool, 1);
    {
      struct rill_pool_stats st;
      pool_stats(f.pool, &st);
      assert_int_equal(st.in_use_objects, 0);
    }
  }
  fixture_deinit(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(buffer_has_capacity_for_the_largest_datagram),
      cmocka_unit_test(buffer_last_unref_frees),
      cmocka_unit_test(buffer_recharge_moves_to_session_scope),
      cmocka_unit_test(buffer_object_bytes_checks_overflow),
      cmocka_unit_test(buffer_concurrent_unref_frees_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
