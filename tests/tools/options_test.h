/*
 * Helpers for the tests of the tools' option tables (test_recv_options.c,
 * test_send_options.c): argument vectors, and the checks every table and
 * --help text must pass.
 */
#ifndef RILL_TESTS_TOOLS_OPTIONS_TEST_H
#define RILL_TESTS_TOOLS_OPTIONS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "test_util.h"

#define ERR_CAP 512
#define MAX_ARGS 128

/* A NULL-terminated argument list: ARGS("-s", "rtp://127.0.0.1:0"). */
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * Fill argv with `tool` and `args` (the pointers only: getopt_long permutes
 * argv, never the strings). Returns argc.
 */
static inline int options_test_argv(char **argv, const char *tool, const char *const *args)
{
  int argc = 0;
  argv[argc++] = (char *)tool;
  for (; *args; args++) {
    assert_true(argc < MAX_ARGS - 1);
    argv[argc++] = (char *)*args;
  }
  argv[argc] = NULL;
  return argc;
}

/* The --help text of table t (malloc'd: free it). */
static inline char *options_test_usage(const struct opt_table *t)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  opt_usage(t, f);
  assert_int_equal(fclose(f), 0);
  return buf;
}

/*
 * A table and its --help text: the table passes opt_check_table (unique
 * names and letters, every default valid), the text starts with "usage: ",
 * names every option once with its default, and has no line over 79
 * columns.
 */
static inline void options_test_table_and_usage(const struct opt_table *t, void *scratch)
{
  char err[ERR_CAP] = "", needle[128];
  char *text = options_test_usage(t), *line;
  size_t i;
  if (opt_check_table(t, scratch, err, sizeof err) != 0)
    fail_msg("table: %s", err);
  assert_memory_equal(text, "usage: ", 7);
  for (i = 0; i < t->count; i++) {
    const char *at;
    snprintf(needle, sizeof needle, "--%s ", t->rows[i].name);
    at = strstr(text, needle);
    if (!at) {
      snprintf(needle, sizeof needle, "--%s\n", t->rows[i].name);
      at = strstr(text, needle);
    }
    if (!at && t->rows[i].bare) {
      snprintf(needle, sizeof needle, "--%s[=", t->rows[i].name); /* optional value */
      at = strstr(text, needle);
    }
    if (!at)
      fail_msg("--help does not list --%s:\n%s", t->rows[i].name, text);
    if (t->rows[i].def) {
      /* In this option's entry: before the next line that starts an option. */
      const char *next = strstr(at, "\n  -"), *next_long = strstr(at, "\n      --");
      const char *found;
      snprintf(needle, sizeof needle, "(default %s)", t->rows[i].def);
      found = strstr(at, needle);
      if (next_long && (!next || next_long < next))
        next = next_long;
      if (!found || (next && found > next))
        fail_msg("--help does not give --%s's default %s", t->rows[i].name, needle);
    }
  }
  for (line = text; *line;) {
    size_t len = strcspn(line, "\n");
    if (len > 79)
      fail_msg("--help line of %zu columns: %.*s", len, (int)len, line);
    line += len + (line[len] == '\n');
  }
  free(text);
}

/*
 * parse(), parse_ok() and parse_err() for the options struct `type` and
 * its parse function `parse_fn`, called as the program `tool`:
 *   parse(&o, err, ARGS(...)): parse_fn's result, with the message in err;
 *   parse_ok(&o, ARGS(...)): expect success, else fail with the message;
 *   parse_err(ARGS(...), "message"): expect an error with exactly that message.
 */
#define OPTIONS_TEST_PARSERS(type, parse_fn, tool)                                               \
  static int parse(type *o, char *err, const char *const *args)                                  \
  {                                                                                              \
    char *argv[MAX_ARGS];                                                                        \
    int argc = options_test_argv(argv, tool, args);                                              \
    err[0] = '\0';                                                                               \
    return parse_fn(argc, argv, o, err, ERR_CAP);                                                \
  }                                                                                              \
  static void parse_ok(type *o, const char *const *args)                                         \
  {                                                                                              \
    char err[ERR_CAP];                                                                           \
    int rc = parse(o, err, args);                                                                \
    if (rc != OPT_RESULT_RUN)                                                                    \
      fail_msg("parse returned %d: %s", rc, err);                                                \
  }                                                                                              \
  static void parse_err(const char *const *args, const char *message)                            \
  {                                                                                              \
    type o;                                                                                      \
    char err[ERR_CAP];                                                                           \
    assert_int_equal(parse(&o, err, args), OPT_RESULT_ERROR);                                    \
    assert_string_equal(err, message);                                                           \
  }

#endif /* RILL_TESTS_TOOLS_OPTIONS_TEST_H */
