/*
 * Option tables: getopt_long's arrays, value parsing, defaults and --help,
 * all from the rows of one table (see options.h).
 *
 * getopt_long is given a `struct option` per row with val = 256 + the row's
 * index, so a long option finds its row directly and a short one by its
 * letter; the optstring starts with ':' and opterr is 0, so that a missing
 * value and an unknown option come back to us and make one line of our own.
 * Values go through cli_parse.c's parsers; the bounds and their messages
 * come from the row. Defaults are typed as on the command line and parsed by
 * the same code, so a default and the help text that shows it cannot differ.
 */
#include "options.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cli_parse.h"

/* getopt_long's val for row i; above any letter. */
#define ROW_VAL_BASE 256
/* --help: the help text starts at this column, and lines end before WIDTH. */
#define HELP_COL 29
#define HELP_WIDTH 79

static int takes_value(const struct opt_spec *o)
{
  return o->kind != OPT_FLAG && o->kind != OPT_COUNT && o->kind != OPT_HELP;
}

/* A duration in the largest unit that holds it exactly: "100us", "1s". */
static void format_duration(char *buf, size_t cap, uint64_t ns)
{
  static const struct {
    const char *name;
    uint64_t ns;
  } units[] = {{"h", UINT64_C(3600000000000)}, {"m", UINT64_C(60000000000)},
               {"s", UINT64_C(1000000000)},    {"ms", UINT64_C(1000000)},
               {"us", UINT64_C(1000)},         {"ns", 1}};
  size_t i;
  for (i = 0; ns != 0 && ns % units[i].ns != 0; i++) {
  }
  if (ns == 0)
    i = sizeof units / sizeof units[0] - 1;
  snprintf(buf, cap, "%" PRIu64 "%s", ns / units[i].ns, units[i].name);
}

/* Format the bounds `o` was checked against, for a value that missed them. */
static int bounds_error(const struct opt_spec *o, char *msg, size_t cap)
{
  char lo[32], hi[32], alt[48] = "";
  if (o->kind == OPT_DURATION) {
    format_duration(lo, sizeof lo, o->min);
    format_duration(hi, sizeof hi, o->max);
  } else {
    snprintf(lo, sizeof lo, "%" PRIu64, o->min);
    snprintf(hi, sizeof hi, "%" PRIu64, o->max);
  }
  if (o->word)
    snprintf(alt, sizeof alt, " (or '%s')", o->word);
  if (o->max == 0 && o->min <= 1)
    snprintf(msg, cap, "must be greater than 0%s", alt);
  else if (o->max == 0)
    snprintf(msg, cap, "must be at least %s%s", lo, alt);
  else if (o->kind == OPT_DURATION)
    snprintf(msg, cap, "must be between %s and %s%s", lo, hi, alt);
  else
    snprintf(msg, cap, "must be %s..%s%s", lo, hi, alt);
  return -1;
}

static int in_bounds(const struct opt_spec *o, uint64_t v)
{
  return v >= o->min && (o->max == 0 || v <= o->max);
}

/* OPT_CHOICE: is `text` one of the '|'-separated words of `words`? */
static int is_choice(const char *words, const char *text)
{
  size_t n = strlen(text);
  const char *w = words;
  for (;;) {
    const char *end = strchr(w, '|');
    size_t len = end ? (size_t)(end - w) : strlen(w);
    if (len == n && strncmp(w, text, n) == 0)
      return 1;
    if (!end)
      return 0;
    w = end + 1;
  }
}

/* "must be auto, none, rs8m or ldpc" from "auto|none|rs8m|ldpc". */
static int choice_error(const char *words, char *msg, size_t cap)
{
  size_t o = (size_t)snprintf(msg, cap, "must be ");
  const char *w = words;
  while (o < cap) {
    const char *end = strchr(w, '|');
    int len = end ? (int)(end - w) : (int)strlen(w);
    const char *sep = !end ? "" : strchr(end + 1, '|') ? ", " : " or ";
    o += (size_t)snprintf(msg + o, cap - o, "%.*s%s", len, w, sep);
    if (!end)
      break;
    w = end + 1;
  }
  return -1;
}

/* Store one value of row `o` into its field of `out`; -1 with msg on error. */
static int set_value(const struct opt_spec *o, const char *text, void *out, char *msg, size_t cap)
{
  void *field = (char *)out + o->offset;
  uint64_t u;
  int64_t ns;

  msg[0] = '\0';
  switch (o->kind) {
  case OPT_FLAG:
    *(int *)field = 1;
    return 0;
  case OPT_COUNT:
    (*(int *)field)++;
    return 0;
  case OPT_HELP:
    return 0;
  case OPT_STRING:
    *(const char **)field = text;
    return 0;
  case OPT_CHOICE:
    if (!is_choice(o->word, text))
      return choice_error(o->word, msg, cap);
    *(const char **)field = text;
    return 0;
  case OPT_UINT:
    if (cli_parse_uint(text, o->min, o->max, &u, o->what ? o->what : o->name, msg, cap) != 0)
      return -1;
    *(uint64_t *)field = u;
    return 0;
  case OPT_SIZE:
    if (cli_parse_size_bytes(text, &u, msg, cap) != 0)
      return -1;
    if (!in_bounds(o, u))
      return bounds_error(o, msg, cap);
    *(uint64_t *)field = u;
    return 0;
  case OPT_DURATION:
    if (o->word && strcmp(text, o->word) == 0) {
      *(int64_t *)field = -1;
      return 0;
    }
    if (cli_parse_duration_ns(text, &ns, msg, cap) != 0)
      return -1;
    if (!in_bounds(o, (uint64_t)ns))
      return bounds_error(o, msg, cap);
    *(int64_t *)field = ns;
    return 0;
  case OPT_ENCODING: {
    struct opt_encodings *e = field;
    size_t i = (o->flags & OPT_REPEAT) ? e->count : 0;
    if (i == OPT_ENCODINGS_MAX) {
      snprintf(msg, cap, "too many encodings");
      return -1;
    }
    if (opt_parse_encoding(text, &e->list[i], msg, cap) != 0)
      return -1;
    e->count = i + 1;
    return 0;
  }
  }
  snprintf(msg, cap, "unknown option kind %d", (int)o->kind);
  return -1;
}

/* The row getopt_long's return value `c` stands for, or NULL ('?', ':'). */
static const struct opt_spec *row_of(const struct opt_table *t, int c)
{
  size_t i;
  if (c >= ROW_VAL_BASE && (size_t)(c - ROW_VAL_BASE) < t->count)
    return &t->rows[c - ROW_VAL_BASE];
  for (i = 0; i < t->count; i++)
    if (t->rows[i].letter != 0 && t->rows[i].letter == c)
      return &t->rows[i];
  return NULL;
}

/* After getopt_long returned '?' or ':': one line on the bad option. */
static void bad_option(int c, int argc, char **argv, char *err, size_t err_cap)
{
  const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
  int long_opt = arg[0] == '-' && arg[1] == '-';
  if (c == ':')
    snprintf(err, err_cap, "option '%s' needs a value (see --help)", arg);
  else if (long_opt)
    snprintf(err, err_cap, "unknown option '%s' (see --help)", arg);
  else
    snprintf(err, err_cap, "unknown option '-%c' (see --help)", optopt);
}

int opt_parse(const struct opt_table *t, int argc, char **argv, void *out, char *err,
              size_t err_cap)
{
  struct option longopts[OPT_MAX_ROWS + 1];
  char optstring[2 * OPT_MAX_ROWS + 2], msg[256];
  size_t i, n = 0;
  int c;

  if (t->count > OPT_MAX_ROWS) {
    snprintf(err, err_cap, "%zu options: at most %d", t->count, OPT_MAX_ROWS);
    return OPT_RESULT_ERROR;
  }
  memset(out, 0, t->size);
  optstring[n++] = ':';
  for (i = 0; i < t->count; i++) {
    const struct opt_spec *o = &t->rows[i];
    longopts[i].name = o->name;
    longopts[i].has_arg = !takes_value(o) ? no_argument
                          : o->bare     ? optional_argument
                                        : required_argument;
    longopts[i].flag = NULL;
    longopts[i].val = ROW_VAL_BASE + (int)i;
    if (o->letter) {
      optstring[n++] = o->letter;
      if (takes_value(o))
        optstring[n++] = ':';
    }
    if (o->def && !(o->flags & OPT_LIB_DEFAULT) &&
        set_value(o, o->def, out, msg, sizeof msg) != 0) {
      snprintf(err, err_cap, "--%s: bad default '%s': %s", o->name, o->def, msg);
      return OPT_RESULT_ERROR;
    }
  }
  memset(&longopts[t->count], 0, sizeof longopts[0]);
  optstring[n] = '\0';

  optind = 0; /* glibc: start over, whatever an earlier parse left */
  opterr = 0;
  while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
    const struct opt_spec *o = row_of(t, c);
    if (!o) {
      bad_option(c, argc, argv, err, err_cap);
      return OPT_RESULT_ERROR;
    }
    if (o->kind == OPT_HELP)
      return OPT_RESULT_HELP;
    if (set_value(o, optarg ? optarg : o->bare, out, msg, sizeof msg) != 0) {
      snprintf(err, err_cap, "--%s: %s", o->name, msg);
      return OPT_RESULT_ERROR;
    }
  }
  if (optind < argc) {
    snprintf(err, err_cap, "unexpected argument (see --help)");
    return OPT_RESULT_ERROR;
  }
  return OPT_RESULT_RUN;
}

static const char *metavar_of(const struct opt_spec *o, char *buf, size_t cap)
{
  if (o->metavar)
    return o->metavar;
  switch (o->kind) {
  case OPT_UINT:
    return "N";
  case OPT_SIZE:
    return "SIZE";
  case OPT_DURATION:
    snprintf(buf, cap, "DUR%s%s", o->word ? "|" : "", o->word ? o->word : "");
    return buf;
  case OPT_CHOICE:
    return o->word;
  case OPT_ENCODING:
    return "PT:FORMAT/RATE/CHANNELS";
  default:
    return "VALUE";
  }
}

/* In help text: a space that does not break a line ("(default 2s)"). */
#define NO_BREAK '\x1f'

/* Write `text` from column `col` (already reached), wrapped before HELP_WIDTH. */
static void write_wrapped(FILE *out, const char *text, int col)
{
  int line_start = 1, i;
  while (*text) {
    int len = (int)strcspn(text, " ");
    if (!line_start && col + 1 + len > HELP_WIDTH) {
      fprintf(out, "\n%*s", HELP_COL, "");
      col = HELP_COL;
      line_start = 1;
    }
    if (!line_start) {
      fputc(' ', out);
      col++;
    }
    for (i = 0; i < len; i++)
      fputc(text[i] == NO_BREAK ? ' ' : text[i], out);
    col += len;
    line_start = 0;
    text += len;
    text += strspn(text, " ");
  }
  fputc('\n', out);
}

void opt_usage(const struct opt_table *t, FILE *out)
{
  size_t i;
  fputs(t->usage, out);
  for (i = 0; i < t->count; i++) {
    const struct opt_spec *o = &t->rows[i];
    char left[128], help[1024], mv[48];
    size_t h;
    int n;
    if (o->letter)
      n = snprintf(left, sizeof left, "  -%c, --%s", o->letter, o->name);
    else
      n = snprintf(left, sizeof left, "      --%s", o->name);
    if (takes_value(o))
      n += snprintf(left + n, sizeof left - (size_t)n, o->bare ? "[=%s]" : " %s",
                    metavar_of(o, mv, sizeof mv));
    h = (size_t)snprintf(help, sizeof help, "%s", o->help);
    if (o->def && h < sizeof help)
      h += (size_t)snprintf(help + h, sizeof help - h, " (default%c%s)", NO_BREAK, o->def);
    if ((o->flags & OPT_REPEAT) && h < sizeof help)
      snprintf(help + h, sizeof help - h, " (repeatable)");
    if (n >= HELP_COL)
      fprintf(out, "%s\n%*s", left, HELP_COL, "");
    else
      fprintf(out, "%-*s", HELP_COL, left);
    write_wrapped(out, help, HELP_COL);
  }
  fputs("Durations take ns, us, ms, s, m, h; sizes take K, M, G.\n", out);
}

int opt_exit_status(int result, const struct opt_table *t, const char *err)
{
  if (result == OPT_RESULT_RUN)
    return -1;
  if (result == OPT_RESULT_HELP) {
    opt_usage(t, stdout);
    return 0;
  }
  fprintf(stderr, "%s: %s\n", t->tool, err);
  return 2;
}

int opt_check_table(const struct opt_table *t, void *scratch, char *err, size_t err_cap)
{
  char msg[256];
  size_t i, j;
  if (t->count > OPT_MAX_ROWS) {
    snprintf(err, err_cap, "%zu rows: at most %d", t->count, OPT_MAX_ROWS);
    return -1;
  }
  for (i = 0; i < t->count; i++) {
    const struct opt_spec *o = &t->rows[i];
    for (j = i + 1; j < t->count; j++) {
      if (strcmp(o->name, t->rows[j].name) == 0 || (o->letter && o->letter == t->rows[j].letter)) {
        snprintf(err, err_cap, "--%s and --%s: same name or letter", o->name, t->rows[j].name);
        return -1;
      }
    }
    if (!o->help || (o->kind == OPT_STRING && !o->metavar) ||
        ((o->kind == OPT_CHOICE) != (o->word && o->kind != OPT_DURATION)) ||
        (o->kind == OPT_UINT && o->min > o->max) || (!takes_value(o) && o->def) ||
        ((o->flags & OPT_LIB_DEFAULT) && !o->def)) {
      snprintf(err, err_cap, "--%s: incomplete row", o->name);
      return -1;
    }
    if (o->def && set_value(o, o->def, scratch, msg, sizeof msg) != 0) {
      snprintf(err, err_cap, "--%s: bad default '%s': %s", o->name, o->def, msg);
      return -1;
    }
  }
  return 0;
}

int opt_parse_encoding(const char *text, struct rill_encoding *out, char *err, size_t err_cap)
{
  char buf[64], *colon, *slash1, *slash2;
  uint64_t pt, rate, channels;
  if (strlen(text) >= sizeof(buf)) {
    snprintf(err, err_cap, "'%s' is too long", text);
    return -1;
  }
  strcpy(buf, text);
  colon = strchr(buf, ':');
  slash1 = colon ? strchr(colon + 1, '/') : NULL;
  slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
  if (!colon || !slash1 || !slash2) {
    snprintf(err, err_cap, "'%s' is not PT:FORMAT/RATE/CHANNELS (e.g. 96:s16/48000/2, 96:opus/48000/2)", text);
    return -1;
  }
  *colon = *slash1 = *slash2 = '\0';
  if (cli_parse_uint(buf, 96, 127, &pt, "payload type", err, err_cap) != 0 ||
      cli_parse_uint(slash1 + 1, 1, 384000, &rate, "rate", err, err_cap) != 0 ||
      cli_parse_uint(slash2 + 1, 1, 8, &channels, "channels", err, err_cap) != 0)
    return -1;
  if (strcmp(colon + 1, "s16") == 0)
    out->format = RILL_FORMAT_S16;
  else if (strcmp(colon + 1, "s24") == 0)
    out->format = RILL_FORMAT_S24;
  else if (strcmp(colon + 1, "f32") == 0)
    out->format = RILL_FORMAT_F32;
  else if (strcmp(colon + 1, "opus") == 0)
    out->format = RILL_FORMAT_OPUS;
  else {
    snprintf(err, err_cap, "unknown format '%s' (expected s16, s24, f32 or opus)", colon + 1);
    return -1;
  }
  if (out->format == RILL_FORMAT_OPUS && (rate != 48000 || channels > 2)) {
    snprintf(err, err_cap, "Opus is opus/48000/2 or opus/48000/1 (RFC 7587: a 48 kHz clock)");
    return -1;
  }
  out->payload_type = (uint8_t)pt;
  out->rate_hz = (uint32_t)rate;
  out->channels = (uint32_t)channels;
  return 0;
}
