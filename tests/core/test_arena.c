#include <string.h>

#include "core/arena.h"
#include "test_util.h"

static void arena_counts_live_blocks_and_bytes(void **state)
{
  struct rill_fail_arena fa;
  void *small, *large;
  (void)state;
  fail_arena_init(&fa, arena_heap(), -1);
  small = arena_alloc(&fa.base, 100);
  large = arena_alloc(&fa.base, 100 * 1024);
  assert_non_null(small);
  assert_non_null(large);
  assert_int_equal(atomic_load(&fa.base.live_blocks), 2);
  assert_int_equal(atomic_load(&fa.base.live_bytes), 100 + arena_round_bytes(100 * 1024));
  memset(large, 0xab, 100 * 1024);
  arena_free(&fa.base, small, 100);
  arena_free(&fa.base, large, 100 * 1024);
  assert_int_equal(atomic_load(&fa.base.live_blocks), 0);
  assert_int_equal(atomic_load(&fa.base.live_bytes), 0);
}

static void arena_rounds_large_blocks_to_pages(void **state)
{
  (void)state;
  assert_int_equal(arena_round_bytes(10), 10);
  assert_int_equal(arena_round_bytes(ARENA_MMAP_MIN_BYTES + 1) % 4096, 0);
  assert_true(arena_round_bytes(ARENA_MMAP_MIN_BYTES + 1) > ARENA_MMAP_MIN_BYTES);
  assert_int_equal(arena_round_bytes(SIZE_MAX - 10), 0);
}

static void arena_calloc_zeroes_small_and_large(void **state)
{
  size_t sizes[] = {24, ARENA_MMAP_MIN_BYTES * 2};
  size_t i, j;
  (void)state;
  for (i = 0; i < 2; i++) {
    unsigned char *p = arena_calloc(arena_heap(), sizes[i]);
    assert_non_null(p);
    for (j = 0; j < sizes[i]; j++)
      assert_int_equal(p[j], 0);
    arena_free(arena_heap(), p, sizes[i]);
  }
}

static void fail_arena_fails_only_the_nth_allocation(void **state)
{
  struct rill_fail_arena fa;
  void *p[4];
  int i;
  (void)state;
  fail_arena_init(&fa, arena_heap(), 2);
  for (i = 0; i < 4; i++)
    p[i] = arena_alloc(&fa.base, 32);
  assert_non_null(p[0]);
  assert_non_null(p[1]);
  assert_null(p[2]);
  assert_non_null(p[3]);
  assert_int_equal(atomic_load(&fa.base.failures), 1);
  assert_int_equal(atomic_load(&fa.base.live_blocks), 3);
  for (i = 0; i < 4; i++)
    arena_free(&fa.base, p[i], 32);
  assert_int_equal(atomic_load(&fa.base.live_blocks), 0);
}

static void arena_zero_byte_request_fails_cleanly(void **state)
{
  (void)state;
  assert_null(arena_alloc(arena_heap(), 0));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arena_counts_live_blocks_and_bytes),
      cmocka_unit_test(arena_rounds_large_blocks_to_pages),
      cmocka_unit_test(arena_calloc_zeroes_small_and_large),
      cmocka_unit_test(fail_arena_fails_only_the_nth_allocation),
      cmocka_unit_test(arena_zero_byte_request_fails_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
