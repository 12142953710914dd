#include <math.h>

#include "audio/mixer.h"
#include "test_util.h"

static void mixer_sums_and_clamps(void **state)
{
  float dst[4] = {0.5f, -0.5f, 0.9f, -0.9f};
  const float src[4] = {0.25f, -0.25f, 0.3f, -0.3f};
  (void)state;
  mix_add_mapped(dst, 2, src, 2, 2);
  assert_true(fabsf(dst[0] - 0.75f) < 1e-6f);
  assert_true(fabsf(dst[1] + 0.75f) < 1e-6f);
  assert_int_equal(mix_clamp(dst, 4), 2);
  assert_true(dst[2] == 1.0f);
  assert_true(dst[3] == -1.0f);
  assert_true(fabsf(dst[0] - 0.75f) < 1e-6f);
}

static void mixer_clamp_zeroes_nan(void **state)
{
  float x[2] = {NAN, 0.5f};
  (void)state;
  assert_int_equal(mix_clamp(x, 2), 1);
  assert_true(x[0] == 0.0f);
  assert_true(x[1] == 0.5f);
}

static void mixer_maps_mono_to_stereo_and_back(void **state)
{
  const float mono[2] = {0.2f, -0.4f};
  const float stereo[4] = {0.2f, 0.4f, -1.0f, 0.0f};
  float out_stereo[4] = {0};
  float out_mono[2] = {0};
  (void)state;
  mix_add_mapped(out_stereo, 2, mono, 1, 2);
  assert_true(out_stereo[0] == 0.2f && out_stereo[1] == 0.2f);
  assert_true(out_stereo[2] == -0.4f && out_stereo[3] == -0.4f);
  mix_add_mapped(out_mono, 1, stereo, 2, 2);
  assert_true(fabsf(out_mono[0] - 0.3f) < 1e-6f);
  assert_true(fabsf(out_mono[1] + 0.5f) < 1e-6f);
}

static void mixer_maps_unequal_multichannel_by_index(void **state)
{
  const float six[6] = {1, 2, 3, 4, 5, 6}; /* one frame of 6 channels */
  float two[2] = {0};
  float four[4] = {0};
  const float src2[2] = {0.5f, 0.25f};
  (void)state;
  mix_add_mapped(two, 2, six, 6, 1);
  assert_true(two[0] == 1 && two[1] == 2);
  mix_add_mapped(four, 4, src2, 2, 1);
  assert_true(four[0] == 0.5f && four[1] == 0.25f && four[2] == 0 && four[3] == 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(mixer_sums_and_clamps),
      cmocka_unit_test(mixer_clamp_zeroes_nan),
      cmocka_unit_test(mixer_maps_mono_to_stereo_and_back),
      cmocka_unit_test(mixer_maps_unequal_multichannel_by_index),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
