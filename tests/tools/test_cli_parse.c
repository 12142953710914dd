#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cli_parse.h"
#include "test_util.h"

#define ERR_CAP 512
#define SENTINEL_I64 INT64_C(-777)
#define SENTINEL_U64 UINT64_C(777777)

static void assert_contains(const char *haystack, const char *needle)
{
  if (!strstr(haystack, needle))
    fail_msg("message \"%s\" does not contain \"%s\"", haystack, needle);
}

static void duration_ok(const char *text, int64_t expect_ns)
{
  char err[ERR_CAP] = "not cleared";
  int64_t ns = SENTINEL_I64;
  if (cli_parse_duration_ns(text, &ns, err, sizeof err) != 0)
    fail_msg("duration \"%s\" rejected: %s", text, err);
  assert_string_equal(err, "");
  if (ns != expect_ns)
    fail_msg("duration \"%s\": got %lld ns, expected %lld ns", text, (long long)ns,
             (long long)expect_ns);
}

/* Expect -1, an untouched result and a one-line message containing `needle`. */
static void duration_err(const char *text, const char *needle)
{
  char err[ERR_CAP];
  int64_t ns = SENTINEL_I64;
  assert_int_equal(cli_parse_duration_ns(text, &ns, err, sizeof err), -1);
  assert_int_equal(ns, SENTINEL_I64);
  assert_contains(err, needle);
  assert_null(strchr(err, '\n'));
}

static void duration_err_exact(const char *text, const char *message)
{
  char err[ERR_CAP];
  int64_t ns = SENTINEL_I64;
  assert_int_equal(cli_parse_duration_ns(text, &ns, err, sizeof err), -1);
  assert_int_equal(ns, SENTINEL_I64);
  assert_string_equal(err, message);
}

static void size_ok(const char *text, uint64_t expect)
{
  char err[ERR_CAP] = "not cleared";
  uint64_t bytes = SENTINEL_U64;
  if (cli_parse_size_bytes(text, &bytes, err, sizeof err) != 0)
    fail_msg("size \"%s\" rejected: %s", text, err);
  assert_string_equal(err, "");
  if (bytes != expect)
    fail_msg("size \"%s\": got %llu bytes, expected %llu", text, (unsigned long long)bytes,
             (unsigned long long)expect);
}

static void size_err(const char *text, const char *needle)
{
  char err[ERR_CAP];
  uint64_t bytes = SENTINEL_U64;
  assert_int_equal(cli_parse_size_bytes(text, &bytes, err, sizeof err), -1);
  assert_int_equal(bytes, SENTINEL_U64);
  assert_contains(err, needle);
  assert_null(strchr(err, '\n'));
}

static void size_err_exact(const char *text, const char *message)
{
  char err[ERR_CAP];
  uint64_t bytes = SENTINEL_U64;
  assert_int_equal(cli_parse_size_bytes(text, &bytes, err, sizeof err), -1);
  assert_int_equal(bytes, SENTINEL_U64);
  assert_string_equal(err, message);
}

static void uint_ok(const char *text, uint64_t min, uint64_t max, uint64_t expect)
{
  char err[ERR_CAP] = "not cleared";
  uint64_t v = SENTINEL_U64;
  if (cli_parse_uint(text, min, max, &v, "rate", err, sizeof err) != 0)
    fail_msg("\"%s\" rejected: %s", text, err);
  assert_string_equal(err, "");
  if (v != expect)
    fail_msg("\"%s\": got %llu, expected %llu", text, (unsigned long long)v,
             (unsigned long long)expect);
}

static void uint_err_exact(const char *text, uint64_t min, uint64_t max, const char *what,
                           const char *message)
{
  char err[ERR_CAP];
  uint64_t v = SENTINEL_U64;
  assert_int_equal(cli_parse_uint(text, min, max, &v, what, err, sizeof err), -1);
  assert_int_equal(v, SENTINEL_U64);
  assert_string_equal(err, message);
}

static void cli_duration_accepts_every_unit(void **state)
{
  (void)state;
  duration_ok("100ns", 100);
  duration_ok("250us", 250000);
  duration_ok("5ms", 5000000);
  duration_ok("1s", 1000000000);
  duration_ok("2m", INT64_C(120000000000));
  duration_ok("1h", INT64_C(3600000000000));
  duration_ok("0ns", 0);
  duration_ok("0s", 0);
  duration_ok("007ms", 7000000);
}

static void cli_duration_accepts_exact_decimals(void **state)
{
  (void)state;
  duration_ok("1.5s", 1500000000);
  duration_ok("0.5ms", 500000);
  duration_ok("1.25us", 1250);
  duration_ok("1.500s", 1500000000);
  duration_ok("2.000ns", 2);
  duration_ok("0.000000001s", 1);
  duration_ok("0.5m", INT64_C(30000000000));
  duration_ok("0.001h", INT64_C(3600000000));
  duration_ok("1.0000000000000000000000000000s", 1000000000);
}

static void cli_duration_accepts_the_limit(void **state)
{
  (void)state;
  duration_ok("9223372036854775807ns", INT64_MAX);
  duration_ok("9223372036.854775807s", INT64_MAX);
  duration_ok("2562047h", INT64_C(2562047) * INT64_C(3600000000000));
}

static void cli_duration_requires_a_unit(void **state)
{
  (void)state;
  duration_err_exact("5", "missing unit in duration '5' (expected ns, us, ms, s, m or h)");
  duration_err("0", "missing unit in duration '0'");
  duration_err("1.5", "missing unit in duration '1.5'");
}

static void cli_duration_rejects_unknown_units_and_garbage(void **state)
{
  (void)state;
  duration_err_exact("5x", "unknown unit 'x' in duration '5x' (expected ns, us, ms, s, m or h)");
  duration_err("5msx", "unknown unit 'msx' in duration '5msx'");
  duration_err("5 ms", "unknown unit ' ms' in duration '5 ms'");
  duration_err("5MS", "unknown unit 'MS'");
  duration_err("5S", "unknown unit 'S'");
  duration_err("5sec", "unknown unit 'sec'");
  duration_err("5ms ", "unknown unit 'ms '");
  duration_err("1e3ms", "unknown unit 'e3ms'");
  duration_err("5ms\n", "unknown unit 'ms\\x0a'");
  duration_err("1.2.3s", "unknown unit '.3s'");
}

static void cli_duration_rejects_malformed_numbers(void **state)
{
  (void)state;
  duration_err_exact("ms", "invalid duration 'ms' (expected a number with a unit: ns, us, ms, s, "
                           "m or h, e.g. 5ms)");
  duration_err(".5ms", "invalid duration '.5ms'");
  duration_err("5.ms", "invalid duration '5.ms'");
  duration_err("+5ms", "invalid duration '+5ms'");
  duration_err(" 5ms", "invalid duration ' 5ms'");
  duration_err("0x10ms", "unknown unit 'x10ms'");
  duration_err_exact("", "empty duration (expected a number with a unit, e.g. 5ms)");
  duration_err_exact(NULL, "no duration given");
}

static void cli_duration_rejects_negative(void **state)
{
  (void)state;
  duration_err_exact("-5ms", "negative duration '-5ms' not allowed");
  duration_err("-0ns", "negative duration '-0ns'");
  duration_err("-1", "negative duration '-1'");
}

static void cli_duration_rejects_overflow(void **state)
{
  (void)state;
  duration_err_exact("9223372036854775808ns",
                     "duration '9223372036854775808ns' too large (at most 9223372036854775807ns, "
                     "about 292 years)");
  duration_err("2562048h", "duration '2562048h' too large");
  duration_err("9223372036.854775808s", "duration '9223372036.854775808s' too large");
  duration_err("18446744073709551616ns", "too large");
  duration_err("99999999999999999999999999h", "too large");
  duration_err("18446744073709551615h", "too large");
}

static void cli_duration_rejects_fractions_of_a_nanosecond(void **state)
{
  (void)state;
  duration_err_exact("1.5ns", "duration '1.5ns' is not a whole number of nanoseconds");
  duration_err("0.0000000001s", "duration '0.0000000001s' is not a whole number of nanoseconds");
  duration_err("0.0001us", "not a whole number of nanoseconds");
  duration_err("1.00000000000000000001s", "too many decimal places in duration");
}

static void cli_duration_message_is_safe(void **state)
{
  char err[8];
  char text[300];
  char big[ERR_CAP];
  int64_t ns = SENTINEL_I64;
  (void)state;
  assert_int_equal(cli_parse_duration_ns("5", &ns, err, sizeof err), -1);
  assert_string_equal(err, "missing");
  assert_int_equal(cli_parse_duration_ns("5", &ns, NULL, 0), -1);
  assert_int_equal(cli_parse_duration_ns("5ms", NULL, big, sizeof big), -1);
  assert_contains(big, "no output");
  assert_int_equal(cli_parse_duration_ns("5ms", &ns, NULL, 0), 0);
  assert_int_equal(ns, 5000000);

  memset(text, '7', sizeof text);
  text[sizeof text - 1] = '\0';
  assert_int_equal(cli_parse_duration_ns(text, &ns, big, sizeof big), -1);
  assert_contains(big, "missing unit in duration '7777");
  assert_contains(big, "777...'");
  assert_true(strlen(big) < 200);
}

static void cli_size_accepts_plain_numbers(void **state)
{
  (void)state;
  size_ok("1500", 1500);
  size_ok("0", 0);
  size_ok("00064", 64);
  size_ok("18446744073709551615", UINT64_MAX);
  size_ok("1500B", 1500);
}

static void cli_size_accepts_binary_suffixes(void **state)
{
  (void)state;
  size_ok("16K", 16384);
  size_ok("16k", 16384);
  size_ok("16KB", 16384);
  size_ok("16kB", 16384);
  size_ok("64M", UINT64_C(64) << 20);
  size_ok("64m", UINT64_C(64) << 20);
  size_ok("64MB", UINT64_C(64) << 20);
  size_ok("2G", UINT64_C(2) << 30);
  size_ok("2g", UINT64_C(2) << 30);
  size_ok("2GB", UINT64_C(2) << 30);
  size_ok("0K", 0);
  size_ok("17179869183G", UINT64_C(17179869183) << 30);
}

static void cli_size_accepts_exact_fractions_with_a_suffix(void **state)
{
  (void)state;
  size_ok("1.5K", 1536);
  size_ok("0.5M", 524288);
  size_ok("0.25G", UINT64_C(1) << 28);
  size_ok("1.0B", 1);
  size_ok("0.0009765625M", 1024);
  size_ok("17179869183.5G", (UINT64_C(17179869183) << 30) + (UINT64_C(1) << 29));
}

static void cli_size_rejects_garbage(void **state)
{
  (void)state;
  size_err_exact("abc", "invalid size 'abc' (expected a number with an optional K, M or G "
                        "suffix, e.g. 64M)");
  size_err("K", "invalid size 'K'");
  size_err(".5K", "invalid size '.5K'");
  size_err("5.K", "invalid size '5.K'");
  size_err("+5", "invalid size '+5'");
  size_err(" 5", "invalid size ' 5'");
  size_err_exact("64T", "unknown suffix 'T' in size '64T' (expected K, M or G, optionally "
                        "followed by B)");
  size_err("64Mb", "unknown suffix 'Mb' in size '64Mb'");
  size_err("64MBx", "unknown suffix 'MBx'");
  size_err("64 M", "unknown suffix ' M'");
  size_err("64M ", "unknown suffix 'M '");
  size_err("1e3", "unknown suffix 'e3'");
  size_err("0x10", "unknown suffix 'x10'");
  size_err("64KiB", "unknown suffix 'KiB'");
  size_err("64b", "unknown suffix 'b'");
  size_err_exact("", "empty size (expected a number with an optional K, M or G suffix, e.g. 64M)");
  size_err_exact(NULL, "no size given");
}

static void cli_size_rejects_negative(void **state)
{
  (void)state;
  size_err_exact("-1", "negative size '-1' not allowed");
  size_err("-64M", "negative size '-64M'");
}

static void cli_size_rejects_fractions_without_suffix_or_whole_bytes(void **state)
{
  (void)state;
  size_err_exact("1.5", "fractional size '1.5' needs a K, M or G suffix");
  size_err("1.0", "fractional size '1.0' needs a K, M or G suffix");
  size_err_exact("0.1K", "size '0.1K' is not a whole number of bytes");
  size_err("1.5B", "size '1.5B' is not a whole number of bytes");
  size_err("0.00000000000000000001G", "too many decimal places in size");
}

static void cli_size_rejects_overflow(void **state)
{
  (void)state;
  size_err_exact("18446744073709551616",
                 "size '18446744073709551616' too large (at most 18446744073709551615 bytes)");
  size_err("17179869184G", "size '17179869184G' too large");
  size_err("16777216T", "unknown suffix 'T'");
  size_err("18014398509481984K", "too large");
  size_err("999999999999999999999999", "too large");
}

static void cli_uint_accepts_values_in_range(void **state)
{
  (void)state;
  uint_ok("44100", 1, 384000, 44100);
  uint_ok("1", 1, 384000, 1);
  uint_ok("384000", 1, 384000, 384000);
  uint_ok("007", 1, 384000, 7);
  uint_ok("0", 0, 0, 0);
  uint_ok("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
}

static void cli_uint_reports_out_of_range(void **state)
{
  (void)state;
  uint_err_exact("0", 1, 384000, "rate", "rate 0 out of range 1..384000");
  uint_err_exact("384001", 1, 384000, "rate", "rate 384001 out of range 1..384000");
  uint_err_exact("-1", 1, 384000, "rate", "rate -1 out of range 1..384000");
  uint_err_exact("-0", 0, 10, "channels", "channels -0 out of range 0..10");
  uint_err_exact("99999999999999999999", 1, 8, "channels",
                 "channels 99999999999999999999 out of range 1..8");
  uint_err_exact("18446744073709551616", 0, UINT64_MAX, "count",
                 "count 18446744073709551616 out of range 0..18446744073709551615");
  uint_err_exact("3", 1, 2, NULL, "value 3 out of range 1..2");
}

static void cli_uint_rejects_non_numbers(void **state)
{
  (void)state;
  uint_err_exact("abc", 1, 384000, "rate",
                 "invalid rate 'abc' (expected a whole number 1..384000)");
  uint_err_exact("1.5", 1, 8, "channels", "invalid channels '1.5' (expected a whole number 1..8)");
  uint_err_exact("+5", 1, 8, "channels", "invalid channels '+5' (expected a whole number 1..8)");
  uint_err_exact("0x10", 1, 99, "n", "invalid n '0x10' (expected a whole number 1..99)");
  uint_err_exact("5 ", 1, 9, "n", "invalid n '5 ' (expected a whole number 1..9)");
  uint_err_exact(" 5", 1, 9, "n", "invalid n ' 5' (expected a whole number 1..9)");
  uint_err_exact("48k", 1, 384000, "rate",
                 "invalid rate '48k' (expected a whole number 1..384000)");
  uint_err_exact("-", 1, 9, "n", "invalid n '-' (expected a whole number 1..9)");
  uint_err_exact("--1", 1, 9, "n", "invalid n '--1' (expected a whole number 1..9)");
  uint_err_exact("", 1, 384000, "rate", "missing rate (expected a whole number 1..384000)");
  uint_err_exact(NULL, 1, 384000, "rate", "missing rate (expected a whole number 1..384000)");
}

static void cli_uint_rejects_bad_arguments(void **state)
{
  char err[ERR_CAP];
  (void)state;
  uint_err_exact("5", 9, 1, "rate", "invalid range for rate: 9 > 1");
  assert_int_equal(cli_parse_uint("5", 1, 9, NULL, "rate", err, sizeof err), -1);
  assert_string_equal(err, "no output given for rate");
  assert_int_equal(cli_parse_uint("50", 1, 9, NULL, "rate", NULL, 0), -1);
}

static void cli_size_success_clears_message(void **state)
{
  char err[ERR_CAP] = "stale";
  uint64_t v;
  (void)state;
  assert_int_equal(cli_parse_size_bytes("1K", &v, err, sizeof err), 0);
  assert_string_equal(err, "");
  assert_int_equal(cli_parse_size_bytes("1K", NULL, err, sizeof err), -1);
  assert_string_equal(err, "no output given for the size");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cli_duration_accepts_every_unit),
      cmocka_unit_test(cli_duration_accepts_exact_decimals),
      cmocka_unit_test(cli_duration_accepts_the_limit),
      cmocka_unit_test(cli_duration_requires_a_unit),
      cmocka_unit_test(cli_duration_rejects_unknown_units_and_garbage),
      cmocka_unit_test(cli_duration_rejects_malformed_numbers),
      cmocka_unit_test(cli_duration_rejects_negative),
      cmocka_unit_test(cli_duration_rejects_overflow),
      cmocka_unit_test(cli_duration_rejects_fractions_of_a_nanosecond),
      cmocka_unit_test(cli_duration_message_is_safe),
      cmocka_unit_test(cli_size_accepts_plain_numbers),
      cmocka_unit_test(cli_size_accepts_binary_suffixes),
      cmocka_unit_test(cli_size_accepts_exact_fractions_with_a_suffix),
      cmocka_unit_test(cli_size_rejects_garbage),
      cmocka_unit_test(cli_size_rejects_negative),
      cmocka_unit_test(cli_size_rejects_fractions_without_suffix_or_whole_bytes),
      cmocka_unit_test(cli_size_rejects_overflow),
      cmocka_unit_test(cli_size_success_clears_message),
      cmocka_unit_test(cli_uint_accepts_values_in_range),
      cmocka_unit_test(cli_uint_reports_out_of_range),
      cmocka_unit_test(cli_uint_rejects_non_numbers),
      cmocka_unit_test(cli_uint_rejects_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
