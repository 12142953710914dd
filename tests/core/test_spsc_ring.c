#include <pthread.h>
#include <rill/status.h>

#include "core/spsc_ring.h"
#include "test_util.h"

static void spsc_ring_is_fifo_and_bounded(void **state)
{
  struct rill_limiter lim;
  struct rill_spsc_ring *ring;
  void *out;
  uintptr_t i;
  (void)state;
  assert_int_equal(limiter_init(&lim, NULL, 1 << 20, "ring"), RILL_OK);
  assert_int_equal(spsc_ring_create(arena_heap(), &lim, 8, &ring), RILL_OK);
  assert_int_equal(spsc_ring_capacity(ring), 8);
  assert_int_equal(spsc_ring_pop(ring, &out), RILL_EEMPTY);
  for (i = 1; i <= 8; i++)
    assert_int_equal(spsc_ring_push(ring, (void *)i), RILL_OK);
  assert_int_equal(spsc_ring_push(ring, (void *)9), RILL_EFULL);
  assert_int_equal(spsc_ring_count(ring), 8);
  for (i = 1; i <= 8; i++) {
    assert_int_equal(spsc_ring_pop(ring, &out), RILL_OK);
    assert_int_equal((uintptr_t)out, i);
  }
  assert_int_equal(spsc_ring_pop(ring, &out), RILL_EEMPTY);
  spsc_ring_destroy(ring);
  assert_int_equal(atomic_load(&lim.used_bytes), 0);
}

static void spsc_ring_rejects_bad_capacity(void **state)
{
  struct rill_limiter lim;
  struct rill_spsc_ring *ring;
  (void)state;
  assert_int_equal(limiter_init(&lim, NULL, 1024, "ring"), RILL_OK);
  assert_int_equal(spsc_ring_create(arena_heap(), &lim, 6, &ring), RILL_EINVAL);
  assert_int_equal(spsc_ring_create(arena_heap(), &lim, 1, &ring), RILL_EINVAL);
  assert_int_equal(spsc_ring_create(arena_heap(), &lim, (size_t)1 << 62, &ring), RILL_EOVERFLOW);
  assert_int_equal(spsc_ring_create(arena_heap(), &lim, 4096, &ring), RILL_EBUDGET);
  assert_null(ring);
  assert_int_equal(atomic_load(&lim.used_bytes), 0);
}

struct consumer {
  struct rill_spsc_ring *ring;
  uintptr_t expected_last;
  int out_of_order;
};

static void *consume(void *p)
{
  struct consumer *c = p;
  uintptr_t next = 1;
  void *out;
  while (next <= c->expected_last) {
    if (spsc_ring_pop(c->ring, &out) == RILL_OK) {
      if ((uintptr_t)out != next)
        c->out_of_order++;
      next++;
    }
  }
  return NULL;
}

static void spsc_ring_two_thread_stress_keeps_order(void **state)
{
  struct rill_limiter lim;
  struct consumer c;
  pthread_t th;
  uintptr_t i;
  uint64_t full = 0;
  (void)state;
  assert_int_equal(limiter_init(&lim, NULL, 1 << 20, "ring"), RILL_OK);
  assert_int_equal(spsc_ring_create(arena_heap(), &lim, 64, &c.ring), RILL_OK);
  c.expected_last = RILL_STRESS_ITERATIONS;
  c.out_of_order = 0;
  assert_int_equal(pthread_create(&th, NULL, consume, &c), 0);
  for (i = 1; i <= RILL_STRESS_ITERATIONS; i++)
    while (spsc_ring_push(c.ring, (void *)i) != RILL_OK)
      full++;
  pthread_join(th, NULL);
  assert_int_equal(c.out_of_order, 0);
  assert_int_equal(spsc_ring_count(c.ring), 0);
  spsc_ring_destroy(c.ring);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(spsc_ring_is_fifo_and_bounded),
      cmocka_unit_test(spsc_ring_rejects_bad_capacity),
      cmocka_unit_test(spsc_ring_two_thread_stress_keeps_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
