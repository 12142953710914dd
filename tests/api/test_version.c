/*
 * rill_version and rill_version_number: the library reports the CMake
 * project version (passed to this test by tests/CMakeLists.txt), and the
 * generated header agrees.
 */
#include <rill/version.h>
#include <stdio.h>

#include "test_util.h"

static void api_version_string_is_the_cmake_version(void **state)
{
  (void)state;
  assert_string_equal(rill_version(), RILL_CMAKE_VERSION);
  assert_string_equal(RILL_VERSION_STRING, RILL_CMAKE_VERSION);
}

static void api_version_number_is_the_cmake_version(void **state)
{
  char buf[32];
  unsigned int n = rill_version_number();
  (void)state;
  assert_int_equal(RILL_VERSION_MAJOR, RILL_CMAKE_VERSION_MAJOR);
  assert_int_equal(RILL_VERSION_MINOR, RILL_CMAKE_VERSION_MINOR);
  assert_int_equal(RILL_VERSION_PATCH, RILL_CMAKE_VERSION_PATCH);
  assert_int_equal(n, RILL_VERSION_NUMBER);
  snprintf(buf, sizeof(buf), "%u.%u.%u", n >> 16, (n >> 8) & 0xffu, n & 0xffu);
  assert_string_equal(buf, RILL_CMAKE_VERSION);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(api_version_string_is_the_cmake_version),
      cmocka_unit_test(api_version_number_is_the_cmake_version),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
