/*
 * Option-value parsers for the command-line tools.
 *
 * Numbers are read by hand rather than with strtod/strtoull: those skip
 * leading whitespace, accept signs, hex and exponents, depend on the locale
 * and round. Here a value is "digits[.digits]" and is scaled by its unit in
 * exact integer arithmetic: the fraction F with k digits contributes
 * F * unit / 10^k, which must divide evenly, so "0.5ms" is exactly 500000 ns
 * and "1.5ns" is an error instead of a silent rounding. Every multiply and
 * add is overflow-checked.
 *
 * The message helpers (quoting, one line) repeat the ones in src/net/uri.c on
 * purpose: tools may not include anything from src/.
 */
#include "cli_parse.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* At most this many input characters are quoted in a message. */
#define QUOTE_MAX_CHARS 64
/* Room for QUOTE_MAX_CHARS escaped characters ("\xNN" each), "..." and NUL. */
#define QUOTE_BUF (QUOTE_MAX_CHARS * 4 + 4)

/* 10^19 is the largest power of ten in a uint64_t. */
#define FRAC_MAX_DIGITS 19

#define NS_PER_US UINT64_C(1000)
#define NS_PER_MS UINT64_C(1000000)
#define NS_PER_S UINT64_C(1000000000)

/* A decimal number as typed: whole part, and fraction F / 10^frac_digits. */
struct decimal {
  uint64_t whole;
  bool whole_overflow; /* the whole part does not fit in 64 bits */
  bool has_point;
  uint64_t frac;          /* fraction digits without trailing zeros */
  unsigned frac_digits;   /* number of those digits (leading zeros included) */
  bool frac_too_precise;  /* more than FRAC_MAX_DIGITS significant digits */
};

/* What scale_decimal found. */
enum scale_result {
  SCALE_OK,
  SCALE_OVERFLOW,    /* does not fit in 64 bits */
  SCALE_INEXACT,     /* not a whole number of the base unit */
  SCALE_TOO_PRECISE, /* too many fraction digits to check exactly */
};

/*
 * Copy the first `n` bytes of `s` into `dst` (QUOTE_BUF bytes) for quoting
 * in a message: at most QUOTE_MAX_CHARS of them, "..." if cut, bytes outside
 * printable ASCII as \xNN, so the message stays one line. Returns dst.
 */
static const char *quote(char *dst, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  size_t i, o = 0;
  for (i = 0; i < n && i < QUOTE_MAX_CHARS; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f) {
      dst[o++] = (char)c;
    } else {
      dst[o++] = '\\';
      dst[o++] = 'x';
      dst[o++] = hex[c >> 4];
      dst[o++] = hex[c & 0xf];
    }
  }
  if (i < n) {
    memcpy(dst + o, "...", 3);
    o += 3;
  }
  dst[o] = '\0';
  return dst;
}

/* Write the message into err (if any room) and return -1. */
__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t err_cap,
                                                      const char *fmt, ...)
{
  va_list ap;
  if (err && err_cap > 0) {
    va_start(ap, fmt);
    vsnprintf(err, err_cap, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* Empty the message buffer (success). */
static void clear_err(char *err, size_t err_cap)
{
  if (err && err_cap > 0)
    err[0] = '\0';
}

/* ASCII decimal digit (isdigit depends on the locale). */
static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/*
 * Read "digits[.digits]" at the start of `s` into *d. Returns the number of
 * characters read, or 0 if `s` does not start that way (".5" and "5." are not
 * numbers: a digit is required on each side of the point).
 */
static size_t read_decimal(const char *s, struct decimal *d)
{
  size_t i = 0, frac_start, frac_end;

  memset(d, 0, sizeof *d);
  if (!is_digit(s[0]))
    return 0;
  for (; is_digit(s[i]); i++) {
    if (__builtin_mul_overflow(d->whole, 10, &d->whole) ||
        __builtin_add_overflow(d->whole, (uint64_t)(s[i] - '0'), &d->whole))
      d->whole_overflow = true;
  }
  if (s[i] != '.')
    return i;
  if (!is_digit(s[i + 1]))
    return 0;
  d->has_point = true;
  frac_start = ++i;
  for (; is_digit(s[i]); i++) {
  }
  /* Trailing zeros change nothing: "1.500s" is 1.5 s. */
  for (frac_end = i; frac_end > frac_start && s[frac_end - 1] == '0'; frac_end--) {
  }
  if (frac_end - frac_start > FRAC_MAX_DIGITS) {
    d->frac_too_precise = true;
    return i;
  }
  d->frac_digits = (unsigned)(frac_end - frac_start);
  for (size_t j = frac_start; j < frac_end; j++)
    d->frac = d->frac * 10 + (uint64_t)(s[j] - '0');
  return i;
}

/* Greatest common divisor (Euclid); gcd(a, 0) = a. */
static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
  while (b != 0) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* *out = d * unit, exactly (see the comment at the top). */
static enum scale_result scale_decimal(const struct decimal *d, uint64_t unit, uint64_t *out)
{
  uint64_t total, pow10 = 1, g, div, frac_part;
  unsigned i;

  if (d->whole_overflow || __builtin_mul_overflow(d->whole, unit, &total))
    return SCALE_OVERFLOW;
  if (d->frac_too_precise)
    return SCALE_TOO_PRECISE;
  if (d->frac_digits > 0) {
    for (i = 0; i < d->frac_digits; i++)
      pow10 *= 10;
    /* F * unit / 10^k is whole iff (10^k / gcd(unit, 10^k)) divides F. */
    g = gcd_u64(unit, pow10);
    div = pow10 / g;
    if (d->frac % div != 0)
      return SCALE_INEXACT;
    /* < unit, since F < 10^k: cannot overflow. */
    frac_part = (d->frac / div) * (unit / g);
    if (__builtin_add_overflow(total, frac_part, &total))
      return SCALE_OVERFLOW;
  }
  *out = total;
  return SCALE_OK;
}

int cli_parse_duration_ns(const char *text, int64_t *out_ns, char *err, size_t err_cap)
{
  static const struct {
    const char *name;
    uint64_t ns;
  } units[] = {
      {"ns", 1},
      {"us", NS_PER_US},
      {"ms", NS_PER_MS},
      {"s", NS_PER_S},
      {"m", 60 * NS_PER_S},
      {"h", 3600 * NS_PER_S},
  };
  char q[QUOTE_BUF], q2[QUOTE_BUF];
  struct decimal d;
  const char *unit;
  uint64_t unit_ns = 0, ns = 0;
  size_t n, i;

  clear_err(err, err_cap);
  if (!text)
    return fail(err, err_cap, "no duration given");
  if (!out_ns)
    return fail(err, err_cap, "no output given for the duration");
  if (text[0] == '\0')
    return fail(err, err_cap, "empty duration (expected a number with a unit, e.g. 5ms)");
  if (text[0] == '-')
    return fail(err, err_cap, "negative duration '%s' not allowed",
                quote(q, text, strlen(text)));

  n = read_decimal(text, &d);
  if (n == 0)
    return fail(err, err_cap,
                "invalid duration '%s' (expected a number with a unit: ns, us, ms, s, m or h, "
                "e.g. 5ms)",
                quote(q, text, strlen(text)));
  unit = text + n;
  if (unit[0] == '\0')
    return fail(err, err_cap, "missing unit in duration '%s' (expected ns, us, ms, s, m or h)",
                quote(q, text, strlen(text)));
  for (i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp(unit, units[i].name) == 0)
      unit_ns = units[i].ns;
  if (unit_ns == 0)
    return fail(err, err_cap,
                "unknown unit '%s' in duration '%s' (expected ns, us, ms, s, m or h)",
                quote(q2, unit, strlen(unit)), quote(q, text, strlen(text)));

  switch (scale_decimal(&d, unit_ns, &ns)) {
  case SCALE_OK:
    break;
  case SCALE_OVERFLOW:
    return fail(err, err_cap, "duration '%s' too large (at most %" PRId64 "ns, about 292 years)",
                quote(q, text, strlen(text)), INT64_MAX);
  case SCALE_INEXACT:
    return fail(err, err_cap, "duration '%s' is not a whole number of nanoseconds",
                quote(q, text, strlen(text)));
  case SCALE_TOO_PRECISE:
    return fail(err, err_cap, "too many decimal places in duration '%s'",
                quote(q, text, strlen(text)));
  }
  if (ns > (uint64_t)INT64_MAX)
    return fail(err, err_cap, "duration '%s' too large (at most %" PRId64 "ns, about 292 years)",
                quote(q, text, strlen(text)), INT64_MAX);
  *out_ns = (int64_t)ns;
  return 0;
}

/* Bytes per unit for a size suffix; 0 if `s` is not one. */
static uint64_t size_suffix_bytes(const char *s)
{
  uint64_t mult;
  switch (s[0]) {
  case '\0':
    return 1;
  case 'B':
    return s[1] == '\0' ? 1 : 0;
  case 'k':
  case 'K':
    mult = UINT64_C(1) << 10;
    break;
  case 'm':
  case 'M':
    mult = UINT64_C(1) << 20;
    break;
  case 'g':
  case 'G':
    mult = UINT64_C(1) << 30;
    break;
  default:
    return 0;
  }
  /* "Kb" would be kilobits: only an upper-case B is accepted. */
  if (s[1] == '\0' || (s[1] == 'B' && s[2] == '\0'))
    return mult;
  return 0;
}

int cli_parse_size_bytes(const char *text, uint64_t *out_bytes, char *err, size_t err_cap)
{
  char q[QUOTE_BUF], q2[QUOTE_BUF];
  struct decimal d;
  const char *suffix;
  uint64_t mult, bytes = 0;
  size_t n;

  clear_err(err, err_cap);
  if (!text)
    return fail(err, err_cap, "no size given");
  if (!out_bytes)
    return fail(err, err_cap, "no output given for the size");
  if (text[0] == '\0')
    return fail(err, err_cap, "empty size (expected a number with an optional K, M or G suffix, "
                              "e.g. 64M)");
  if (text[0] == '-')
    return fail(err, err_cap, "negative size '%s' not allowed", quote(q, text, strlen(text)));

  n = read_decimal(text, &d);
  if (n == 0)
    return fail(err, err_cap,
                "invalid size '%s' (expected a number with an optional K, M or G suffix, "
                "e.g. 64M)",
                quote(q, text, strlen(text)));
  suffix = text + n;
  mult = size_suffix_bytes(suffix);
  if (mult == 0)
    return fail(err, err_cap,
                "unknown suffix '%s' in size '%s' (expected K, M or G, optionally followed by B)",
                quote(q2, suffix, strlen(suffix)), quote(q, text, strlen(text)));
  if (d.has_point && suffix[0] == '\0')
    return fail(err, err_cap, "fractional size '%s' needs a K, M or G suffix",
                quote(q, text, strlen(text)));

  switch (scale_decimal(&d, mult, &bytes)) {
  case SCALE_OK:
    break;
  case SCALE_OVERFLOW:
    return fail(err, err_cap, "size '%s' too large (at most %" PRIu64 " bytes)",
                quote(q, text, strlen(text)), UINT64_MAX);
  case SCALE_INEXACT:
    return fail(err, err_cap, "size '%s' is not a whole number of bytes",
                quote(q, text, strlen(text)));
  case SCALE_TOO_PRECISE:
    return fail(err, err_cap, "too many decimal places in size '%s'",
                quote(q, text, strlen(text)));
  }
  *out_bytes = bytes;
  return 0;
}

int cli_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out,
                   const char *what, char *err, size_t err_cap)
{
  char q[QUOTE_BUF];
  uint64_t v = 0;
  bool overflow = false;
  size_t i, start;

  clear_err(err, err_cap);
  if (!what)
    what = "value";
  if (min > max)
    return fail(err, err_cap, "invalid range for %s: %" PRIu64 " > %" PRIu64, what, min, max);
  if (!out)
    return fail(err, err_cap, "no output given for %s", what);
  if (!text || text[0] == '\0')
    return fail(err, err_cap, "missing %s (expected a whole number %" PRIu64 "..%" PRIu64 ")",
                what, min, max);

  /* "-5" is a number, just out of range (as is "-0": no signs): report it so. */
  start = text[0] == '-' ? 1 : 0;
  for (i = start; is_digit(text[i]); i++) {
    if (__builtin_mul_overflow(v, 10, &v) ||
        __builtin_add_overflow(v, (uint64_t)(text[i] - '0'), &v))
      overflow = true;
  }
  if (i == start || text[i] != '\0')
    return fail(err, err_cap, "invalid %s '%s' (expected a whole number %" PRIu64 "..%" PRIu64 ")",
                what, quote(q, text, strlen(text)), min, max);
  if (overflow || start == 1 || v < min || v > max)
    return fail(err, err_cap, "%s %s out of range %" PRIu64 "..%" PRIu64, what,
                quote(q, text, strlen(text)), min, max);
  *out = v;
  return 0;
}
