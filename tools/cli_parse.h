/*
 * Option-value parsers for the command-line tools (rill-send, rill-recv):
 * durations with units ("5ms", "1.5s"), byte sizes with K/M/G suffixes
 * ("64M") and bounded whole numbers (--rate, --channels).
 *
 * The tools see only the public API, so this module depends on nothing but
 * the C library, and reports errors the way a tool wants them: 0 on success,
 * -1 on error with a one-line message in `err` that quotes the offending
 * text, ready to be printed after the option name ("--latency: ...").
 *
 * Every function: `err` (err_cap bytes) receives the message, truncated and
 * always NUL-terminated when err_cap > 0, or "" on success; it may be NULL
 * if err_cap is 0. The result is written only on success. Nothing is
 * allocated; no whitespace is skipped; there is no locale dependence (the
 * decimal separator is always '.').
 */
#ifndef RILL_TOOLS_CLI_PARSE_H
#define RILL_TOOLS_CLI_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a duration: a non-negative decimal number and a unit, one of "ns",
 * "us", "ms", "s", "m" (minutes) or "h", with nothing in between or after:
 * "5ms", "250us", "1.5s", "0.5ms" (500000 ns), "2m", "100ns". The unit is
 * required. The result must be a whole number of nanoseconds ("1.5ns" is an
 * error) and at most INT64_MAX ns (about 292 years).
 * Returns 0 and sets *out_ns, or -1 with the message in err.
 */
int cli_parse_duration_ns(const char *text, int64_t *out_ns, char *err, size_t err_cap);

/*
 * Parse a byte count: a plain whole number ("1500"), or a number with a
 * binary suffix K, M or G (1024, 1024^2, 1024^3), in either case and
 * optionally followed by "B" ("16K", "64M", "64MB", "2g", "1.5K" = 1536); a
 * bare "B" suffix means bytes. A fraction needs a suffix and must come out
 * as a whole number of bytes ("0.1K" is an error). At most UINT64_MAX.
 * Returns 0 and sets *out_bytes, or -1 with the message in err.
 */
int cli_parse_size_bytes(const char *text, uint64_t *out_bytes, char *err, size_t err_cap);

/*
 * Parse a whole decimal number in min..max (inclusive), e.g. a sample rate
 * or a channel count. `what` names the value in messages ("rate" gives
 * "rate 0 out of range 1..384000"); NULL means "value". Signs, fractions,
 * hex and suffixes are errors; a negative number is reported as out of
 * range. min > max is an error.
 * Returns 0 and sets *out, or -1 with the message in err.
 */
int cli_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out, const char *what,
                   char *err, size_t err_cap);

#endif /* RILL_TOOLS_CLI_PARSE_H */
