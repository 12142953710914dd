#include <rill/status.h>
#include <string.h>

#include "test_util.h"

static void status_names_and_messages_come_from_the_table(void **state)
{
  (void)state;
  assert_string_equal(rill_status_name(RILL_OK), "RILL_OK");
  assert_string_equal(rill_status_name(RILL_EBUDGET), "RILL_EBUDGET");
  assert_string_equal(rill_status_message(RILL_EBUDGET), "memory budget exhausted");
  assert_int_equal(RILL_OK, 0);
  assert_int_equal(RILL_EINVAL, -1);
}

static void status_unknown_number_has_a_name(void **state)
{
  (void)state;
  assert_string_equal(rill_status_name(12345), "RILL_UNKNOWN");
  assert_string_equal(rill_status_message(-9999), "unknown status");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(status_names_and_messages_come_from_the_table),
      cmocka_unit_test(status_unknown_number_has_a_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
