/*
 * JSON Lines writer for the tools' metrics (see stats_json.h).
 *
 * Each object is written by expanding the field lists of stats_json.h, so a
 * field added to a metrics struct needs one entry there (the unit test
 * fails until it has it). Output goes straight to the FILE, one fflush per
 * line, so that a reader following the file sees whole lines.
 */
#include "stats_json.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

FILE *stats_json_open(const char *dest, const char *tool)
{
  FILE *f = strcmp(dest, "-") == 0 ? stdout : fopen(dest, "w");
  if (!f)
    fprintf(stderr, "%s: cannot write --stats-json %s: %s\n", tool, dest, strerror(errno));
  return f;
}

int stats_json_close(FILE *f, const char *dest, const char *tool)
{
  if (f == stdout || fclose(f) == 0)
    return 0;
  fprintf(stderr, "%s: error finishing --stats-json %s\n", tool, dest);
  return -1;
}

/* Writes members of one object: a comma before all but the first. */
struct json_object {
  FILE *f;
  int members;
};

static void key(struct json_object *o, const char *name)
{
  fprintf(o->f, "%s\"%s\":", o->members++ ? "," : "", name);
}

static void put_uint(struct json_object *o, const char *name, uint64_t v)
{
  key(o, name);
  fprintf(o->f, "%" PRIu64, v);
}

static void put_int(struct json_object *o, const char *name, int64_t v)
{
  key(o, name);
  fprintf(o->f, "%" PRId64, v);
}

static void put_string(struct json_object *o, const char *name, const char *s, size_t cap)
{
  key(o, name);
  stats_json_string(o->f, s, cap);
}

static void put_double(struct json_object *o, const char *name, double v)
{
  key(o, name);
  fprintf(o->f, "%.6f", v);
}

static void put_reports(struct json_object *o, const char *name,
                        const struct rill_receiver_report *list, size_t n);

#define PUT_UINT(src, field) put_uint(o, #field, (uint64_t)(src)->field);
#define PUT_DOUBLE(src, field) put_double(o, #field, (src)->field);
#define PUT_REPORTS(src, field) put_reports(o, #field, (src)->field, (src)->field##_written);
#define PUT_INPUT(src, field)
#define PUT_WRITTEN(src, field) PUT_UINT(src, field)
#define PUT_INT(src, field) put_int(o, #field, (int64_t)(src)->field);
#define PUT_STRING(src, field) put_string(o, #field, (src)->field, sizeof (src)->field);
#define PUT_MEMORY(src, field) put_memory(o, #field, &(src)->field);
#define PUT_SIZE(src, field)
/* X for the field lists; the struct being written is `src`. */
#define PUT_FIELD(kind, field) PUT_##kind(src, field)

static void put_memory(struct json_object *parent, const char *name,
                       const struct rill_memory_metrics *src)
{
  struct json_object inner = {parent->f, 0}, *o = &inner;
  key(parent, name);
  fputc('{', o->f);
  STATS_MEMORY_FIELDS(PUT_FIELD)
  fputc('}', o->f);
}

static void put_reports(struct json_object *parent, const char *name,
                        const struct rill_receiver_report *list, size_t n)
{
  size_t i;
  key(parent, name);
  fputc('[', parent->f);
  for (i = 0; list && i < n; i++) {
    struct json_object one = {parent->f, 0}, *o = &one;
    const struct rill_receiver_report *src = &list[i];
    if (i > 0)
      fputc(',', parent->f);
    fputc('{', parent->f);
    STATS_REPORT_FIELDS(PUT_FIELD)
    fputc('}', parent->f);
  }
  fputc(']', parent->f);
}

static void put_session(FILE *f, const struct rill_session_metrics *src)
{
  struct json_object one = {f, 0}, *o = &one;
  fputc('{', f);
  STATS_SESSION_FIELDS(PUT_FIELD)
  fputc('}', f);
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes available), or 0:
 * overlong forms, surrogates and code points past U+10FFFF are invalid.
 */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
  size_t len, i;
  uint32_t cp;
  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf) {
    len = 2;
    cp = s[0] & 0x1fu;
  } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
    len = 3;
    cp = s[0] & 0x0fu;
  } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
    len = 4;
    cp = s[0] & 0x07u;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3fu);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

void stats_json_string(FILE *f, const char *s, size_t cap)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strnlen(s, cap), i = 0;
  fputc('"', f);
  while (i < n) {
    unsigned char c = p[i];
    size_t len;
    if (c == '"' || c == '\\') {
      fprintf(f, "\\%c", c);
      i++;
    } else if (c == '\n') {
      fputs("\\n", f);
      i++;
    } else if (c == '\t') {
      fputs("\\t", f);
      i++;
    } else if (c < 0x20 || c == 0x7f) {
      fprintf(f, "\\u%04x", c);
      i++;
    } else if ((len = utf8_sequence(p + i, n - i)) == 0) {
      fputs("\\ufffd", f);
      i++;
    } else {
      fwrite(p + i, 1, len, f);
      i += len;
    }
  }
  fputc('"', f);
}

/* The members every line starts with. */
static void put_head(struct json_object *o, double t_s, int final)
{
  key(o, "t_s");
  fprintf(o->f, "%.3f", t_s);
  key(o, "final");
  fputs(final ? "true" : "false", o->f);
}

/* Close the line and flush: 0, or -1 if anything failed to write. */
static int end_line(FILE *f)
{
  fputs("}\n", f);
  return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int stats_json_receiver(FILE *f, double t_s, int final, const struct rill_receiver_metrics *m,
                        const struct rill_session_metrics *sessions, size_t session_count)
{
  struct json_object top = {f, 0}, *o = &top;
  const struct rill_receiver_metrics *src = m;
  size_t i;
  fputc('{', f);
  put_head(o, t_s, final);
  STATS_RECEIVER_FIELDS(PUT_FIELD)
  key(o, "session_metrics");
  fputc('[', f);
  for (i = 0; i < session_count; i++) {
    if (i > 0)
      fputc(',', f);
    put_session(f, &sessions[i]);
  }
  fputc(']', f);
  return end_line(f);
}

int stats_json_sender(FILE *f, double t_s, int final, const struct rill_sender_metrics *m)
{
  struct json_object top = {f, 0}, *o = &top;
  const struct rill_sender_metrics *src = m;
  fputc('{', f);
  put_head(o, t_s, final);
  STATS_SENDER_FIELDS(PUT_FIELD)
  return end_line(f);
}
