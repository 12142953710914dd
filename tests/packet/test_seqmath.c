#include <stdbool.h>

#include "packet/seqmath.h"
#include "test_util.h"

static void seqmath_seq_diff_within_half_range(void **state)
{
  (void)state;
  assert_int_equal(seq_diff(5, 5), 0);
  assert_int_equal(seq_diff(6, 5), 1);
  assert_int_equal(seq_diff(5, 6), -1);
  assert_int_equal(seq_diff(1000, 10), 990);
  assert_int_equal(seq_diff(32767, 0), 32767);
  assert_int_equal(seq_diff(0, 32767), -32767);
}

static void seqmath_seq_wraps_from_65535_to_0(void **state)
{
  (void)state;
  assert_int_equal(seq_diff(0, 65535), 1);
  assert_int_equal(seq_diff(65535, 0), -1);
  assert_int_equal(seq_diff(10, 65530), 16);
  assert_true(seq_before(65535, 0));
  assert_false(seq_before(0, 65535));
  assert_true(seq_before(65500, 20));
  assert_false(seq_before(7, 7));
}

static void seqmath_seq_half_range_is_ambiguous(void **state)
{
  (void)state;
  /* Exactly half the range reads as negative both ways (documented). */
  assert_int_equal(seq_diff(32768, 0), -32768);
  assert_int_equal(seq_diff(0, 32768), -32768);
  assert_true(seq_before(32768, 0));
  assert_true(seq_before(0, 32768));
}

static void seqmath_seq_diff_is_consistent_everywhere(void **state)
{
  unsigned b;
  int32_t d;
  (void)state;
  /* For every base and every distance short of half the range, the
   * difference is the distance and before/after agree with its sign. */
  for (b = 0; b <= 0xffff; b += 251) {
    for (d = -32767; d <= 32767; d += 7) {
      uint16_t a = (uint16_t)(b + (unsigned)d);
      assert_int_equal(seq_diff(a, (uint16_t)b), d);
      assert_int_equal(seq_diff((uint16_t)b, a), -d);
      assert_true(seq_before(a, (uint16_t)b) == (d < 0));
      assert_true(seq_before((uint16_t)b, a) == (d > 0));
    }
  }
}

static void seqmath_ts_diff_within_half_range(void **state)
{
  (void)state;
  assert_int_equal(ts_diff(100, 100), 0);
  assert_int_equal(ts_diff(44100, 0), 44100);
  assert_int_equal(ts_diff(0, 44100), -44100);
  assert_int_equal(ts_diff(0x7fffffffu, 0), INT64_C(0x7fffffff));
  assert_int_equal(ts_diff(0, 0x7fffffffu), -INT64_C(0x7fffffff));
}

static void seqmath_ts_wraps_from_max_to_0(void **state)
{
  (void)state;
  assert_int_equal(ts_diff(0, 0xffffffffu), 1);
  assert_int_equal(ts_diff(0xffffffffu, 0), -1);
  assert_int_equal(ts_diff(352, 0xffffff00u), 608);
  assert_true(ts_before(0xffffffffu, 0));
  assert_false(ts_before(0, 0xffffffffu));
  assert_false(ts_before(9, 9));
  /* Half the range: negative both ways, like seq_diff. */
  assert_int_equal(ts_diff(0x80000000u, 0), -INT64_C(0x80000000));
  assert_int_equal(ts_diff(0, 0x80000000u), -INT64_C(0x80000000));
}

static void seqmath_ts_diff_is_consistent_everywhere(void **state)
{
  uint64_t b;
  int64_t d;
  (void)state;
  for (b = 0; b <= 0xffffffffu; b += 0x1234567u) {
    for (d = -INT64_C(0x7fffffff); d <= INT64_C(0x7fffffff); d += INT64_C(0x3456789)) {
      uint32_t a = (uint32_t)(b + (uint64_t)d);
      assert_int_equal(ts_diff(a, (uint32_t)b), d);
      assert_int_equal(ts_diff((uint32_t)b, a), -d);
      assert_true(ts_before(a, (uint32_t)b) == (d < 0));
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(seqmath_seq_diff_within_half_range),
      cmocka_unit_test(seqmath_seq_wraps_from_65535_to_0),
      cmocka_unit_test(seqmath_seq_half_range_is_ambiguous),
      cmocka_unit_test(seqmath_seq_diff_is_consistent_everywhere),
      cmocka_unit_test(seqmath_ts_diff_within_half_range),
      cmocka_unit_test(seqmath_ts_wraps_from_max_to_0),
      cmocka_unit_test(seqmath_ts_diff_is_consistent_everywhere),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
