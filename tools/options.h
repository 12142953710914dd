/*
 * Command-line options from one table per tool.
 *
 * A tool describes each option once, as a row of a `struct opt_spec` table:
 * the long name, the short letter, the kind of value, the field of the
 * tool's options struct it fills, the default and the help text. From that
 * one table come getopt_long's arrays, the parsing of every value with its
 * one-line error message, the defaults and the --help text (opt_parse,
 * opt_usage). The tools' own files (recv_options.c, send_options.c) hold
 * their table, their options struct and the checks across options.
 *
 * Convention: a numeric field the user did not give is 0 unless its row has
 * a default the tool applies itself; no option accepts 0 as a value, so for
 * the library's settings 0 still means "the library's default" (see
 * OPT_LIB_DEFAULT). Public API only (the encoding struct); no allocation.
 */
#ifndef RILL_TOOLS_OPTIONS_H
#define RILL_TOOLS_OPTIONS_H

#include <rill/encoding.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The kinds of value, with the C type of the field each one fills. */
enum opt_kind {
  OPT_FLAG,     /* int: set to 1 */
  OPT_COUNT,    /* int: one more each time (-v, -vv) */
  OPT_HELP,     /* no field: opt_parse returns OPT_RESULT_HELP */
  OPT_STRING,   /* const char *: borrowed from argv */
  OPT_CHOICE,   /* const char *: one of the words in .word ("auto|none|rs8m|ldpc") */
  OPT_UINT,     /* uint64_t: a whole number in .min...max */
  OPT_SIZE,     /* uint64_t: bytes with K/M/G, in .min...max (max 0: no bound) */
  OPT_DURATION, /* int64_t: ns with a unit, in .min...max (max 0: no bound); the
                   word in .word, if any ("never", "off"), stores -1 */
  OPT_ENCODING, /* struct opt_encodings: PT:FORMAT/RATE/CHANNELS */
};

#define OPT_TYPE_FLAG int
#define OPT_TYPE_COUNT int
#define OPT_TYPE_STRING const char *
#define OPT_TYPE_CHOICE const char *
#define OPT_TYPE_UINT uint64_t
#define OPT_TYPE_SIZE uint64_t
#define OPT_TYPE_DURATION int64_t
#define OPT_TYPE_ENCODING struct opt_encodings

/*
 * The kind and field columns of a row: OPT_ROW_FIELD(struct recv_options,
 * target_latency_ns, DURATION). A field whose type does not fit the kind is
 * a compile error (no _Generic association matches).
 */
#define OPT_ROW_FIELD(type, field, kind)                                                         \
  OPT_##kind, _Generic(((type *)0)->field, OPT_TYPE_##kind: offsetof(type, field))

/* At most this many --encoding values per option (a receiver's dynamic types). */
#define OPT_ENCODINGS_MAX 32

struct opt_encodings {
  struct rill_encoding list[OPT_ENCODINGS_MAX];
  size_t count; /* 0: none given */
};

enum opt_flags {
  /* .def is the library's default, shown in --help only: the field stays 0
   * when the option is not given, and the library applies its default. */
  OPT_LIB_DEFAULT = 1u << 0,
  /* OPT_ENCODING: each use adds a value (otherwise the last one wins). */
  OPT_REPEAT = 1u << 1,
};

struct opt_spec {
  const char *name;    /* long option, without "--" */
  char letter;         /* short option, or 0 */
  enum opt_kind kind;
  size_t offset;       /* of the field in the options struct (OPT_ROW_FIELD) */
  const char *help;    /* one paragraph; wrapped by opt_usage */
  const char *metavar; /* the value in --help; NULL: by kind (N, SIZE, DUR...) */
  const char *def;     /* default, as typed on the command line; NULL: none */
  uint64_t min, max;   /* bounds of OPT_UINT, OPT_SIZE, OPT_DURATION (ns) */
  const char *word;    /* see OPT_DURATION and OPT_CHOICE */
  const char *what;    /* OPT_UINT: the value's name in messages; NULL: name */
  unsigned flags;      /* enum opt_flags */
  /* The value may be left out ("--sap", or "--sap=ADDR:PORT": getopt_long's
   * optional argument, which must follow an '='): then this one is stored.
   * NULL: the value is required. */
  const char *bare;
};

struct opt_table {
  const char *tool;  /* "rill-recv": starts its error lines */
  const char *usage; /* --help text before the options */
  const struct opt_spec *rows;
  size_t count;
  size_t size;       /* of the options struct */
};

/* At most this many rows in a table (getopt_long's array is on the stack). */
#define OPT_MAX_ROWS 64

enum opt_result {
  OPT_RESULT_ERROR = -1, /* the message is in err */
  OPT_RESULT_RUN = 0,
  OPT_RESULT_HELP = 1, /* -h/--help: print the usage, exit 0 */
};

/*
 * Parse argv by the table into `out` (the tool's options struct, t->size
 * bytes, all written): zeros, the defaults (rows with .def and no
 * OPT_LIB_DEFAULT), then each option in order; a non-option argument is an
 * error. Stops at the first error with a one-line message in err, e.g.
 * "--rate: rate 0 out of range 1..384000" or "unknown option '--foo' (see
 * --help)". Uses getopt_long (resets optind; argv may be permuted).
 * Returns an enum opt_result.
 */
int opt_parse(const struct opt_table *t, int argc, char **argv, void *out, char *err,
              size_t err_cap);

/* Write the --help text: usage, one entry per row, the units of values. */
void opt_usage(const struct opt_table *t, FILE *out);

/*
 * What a tool's main does with `result` from its parse function: for
 * OPT_RESULT_RUN, nothing, and returns -1 (carry on); for OPT_RESULT_HELP,
 * prints the --help text on stdout and returns 0; for an error, prints
 * "TOOL: <err>" on stderr and returns 2. The exit status, or -1.
 */
int opt_exit_status(int result, const struct opt_table *t, const char *err);

/*
 * Check a table: names and letters unique, at most OPT_MAX_ROWS rows, and
 * every .def (OPT_LIB_DEFAULT ones included) a valid value of its row,
 * parsed into `scratch` (an options struct of the table's type). For tests.
 * Returns 0, or -1 with the message in err.
 */
int opt_check_table(const struct opt_table *t, void *scratch, char *err, size_t err_cap);

/*
 * Parse "PT:FORMAT/RATE/CHANNELS", e.g. "96:s16/48000/2" (formats s16, s24,
 * f32). 0, or -1 with a message in err.
 */
int opt_parse_encoding(const char *text, struct rill_encoding *out, char *err, size_t err_cap);

#endif /* RILL_TOOLS_OPTIONS_H */
