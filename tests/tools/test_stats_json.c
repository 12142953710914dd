/*
 * --stats-json (tools/stats_json.c): the field lists cover the metrics
 * structs, every field is written under its name with its value (read back
 * by a small JSON reader below), strings are escaped, and a known sender
 * line is exact.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats_json.h"
#include "test_util.h"

/* --- Field lists against the structs ------------------------------------ */

struct field_layout {
  const char *name;
  size_t offset, size, align;
};

#define LAYOUT(type, field)                                                                      \
  {#field, offsetof(type, field), sizeof(((type *)0)->field), __alignof__(((type *)0)->field)},
#define MEMORY_LAYOUT(kind, field) LAYOUT(struct rill_memory_metrics, field)
#define SESSION_LAYOUT(kind, field) LAYOUT(struct rill_session_metrics, field)
#define RECEIVER_LAYOUT(kind, field) LAYOUT(struct rill_receiver_metrics, field)
#define SENDER_LAYOUT(kind, field) LAYOUT(struct rill_sender_metrics, field)
#define REPORT_LAYOUT(kind, field) LAYOUT(struct rill_receiver_report, field)

static size_t round_up(size_t n, size_t align)
{
  return (n + align - 1) / align * align;
}

/*
 * The listed fields, in order, tile the struct: each one sits where the
 * compiler puts the member after the previous one (its end rounded up to
 * the member's alignment), and the struct ends after the last. A struct
 * member missing from the list leaves a hole this finds.
 */
static void check_layout(const char *type, const struct field_layout *f, size_t n,
                         size_t struct_size, size_t struct_align)
{
  size_t i, end = 0;
  for (i = 0; i < n; i++) {
    if (f[i].offset != round_up(end, f[i].align))
      fail_msg("%s: a member before %s (offset %zu, expected %zu) is not in stats_json.h's list",
               type, f[i].name, f[i].offset, round_up(end, f[i].align));
    end = f[i].offset + f[i].size;
  }
  if (round_up(end, struct_align) != struct_size)
    fail_msg("%s: a member after %s (struct size %zu, listed %zu) is not in stats_json.h's list",
             type, n ? f[n - 1].name : "the start", struct_size, round_up(end, struct_align));
}

#define CHECK_LAYOUT(type, list, X)                                                              \
  do {                                                                                           \
    static const struct field_layout layout[] = {list(X)};                                       \
    check_layout(#type, layout, sizeof layout / sizeof layout[0], sizeof(type),                  \
                 __alignof__(type));                                                             \
  } while (0)

static void stats_json_field_lists_cover_the_metrics_structs(void **state)
{
  (void)state;
  CHECK_LAYOUT(struct rill_memory_metrics, STATS_MEMORY_FIELDS, MEMORY_LAYOUT);
  CHECK_LAYOUT(struct rill_session_metrics, STATS_SESSION_FIELDS, SESSION_LAYOUT);
  CHECK_LAYOUT(struct rill_receiver_metrics, STATS_RECEIVER_FIELDS, RECEIVER_LAYOUT);
  CHECK_LAYOUT(struct rill_sender_metrics, STATS_SENDER_FIELDS, SENDER_LAYOUT);
  CHECK_LAYOUT(struct rill_receiver_report, STATS_REPORT_FIELDS, REPORT_LAYOUT);
}

/* --- A small JSON reader, for these tests only --------------------------- */

static const char *skip_ws(const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* Append code point cp (no surrogates) as UTF-8. */
static size_t put_utf8(char *out, uint32_t cp)
{
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  out[0] = (char)(0xe0 | cp >> 12);
  out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
  out[2] = (char)(0x80 | (cp & 0x3f));
  return 3;
}

/*
 * Read the string at p (at its opening quote) into out (NUL-terminated,
 * decoded), if out is not NULL. Returns the position after the closing
 * quote, or NULL if it is not a valid JSON string (raw control characters
 * included).
 */
static const char *read_string(const char *p, char *out, size_t cap)
{
  size_t n = 0;
  if (*p++ != '"')
    return NULL;
  while (*p != '"') {
    char buf[4];
    size_t len = 1;
    if ((unsigned char)*p < 0x20)
      return NULL;
    if (*p == '\\') {
      p++;
      switch (*p) {
      case '"':
      case '\\':
      case '/':
        buf[0] = *p;
        break;
      case 'n':
        buf[0] = '\n';
        break;
      case 't':
        buf[0] = '\t';
        break;
      case 'r':
        buf[0] = '\r';
        break;
      case 'b':
        buf[0] = '\b';
        break;
      case 'f':
        buf[0] = '\f';
        break;
      case 'u': {
        unsigned cp;
        if (strspn(p + 1, "0123456789abcdefABCDEF") < 4 || sscanf(p + 1, "%4x", &cp) != 1)
          return NULL;
        if (cp >= 0xd800 && cp <= 0xdfff)
          return NULL; /* the writer never needs surrogate pairs */
        len = put_utf8(buf, cp);
        p += 4;
        break;
      }
      default:
        return NULL;
      }
    } else {
      buf[0] = *p;
    }
    p++;
    if (out) {
      assert_true(n + len < cap);
      memcpy(out + n, buf, len);
    }
    n += len;
  }
  if (out)
    out[n] = '\0';
  return p + 1;
}

static const char *skip_value(const char *p);

/* Skip `[...]` or `{...}` at p; members of an object are "key": value. */
static const char *skip_container(const char *p, char close)
{
  bool object = close == '}';
  p = skip_ws(p + 1);
  if (*p == close)
    return p + 1;
  for (;;) {
    if (object) {
      if (!(p = read_string(p, NULL, 0)))
        return NULL;
      p = skip_ws(p);
      if (*p++ != ':')
        return NULL;
    }
    if (!(p = skip_value(p)))
      return NULL;
    p = skip_ws(p);
    if (*p == close)
      return p + 1;
    if (*p++ != ',')
      return NULL;
    p = skip_ws(p);
  }
}

/* The position after the JSON value at p (after white space), or NULL. */
static const char *skip_value(const char *p)
{
  p = skip_ws(p);
  if (*p == '{')
    return skip_container(p, '}');
  if (*p == '[')
    return skip_container(p, ']');
  if (*p == '"')
    return read_string(p, NULL, 0);
  if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
    return p + 4;
  if (strncmp(p, "false", 5) == 0)
    return p + 5;
  if (*p == '-')
    p++;
  if (*p < '0' || *p > '9')
    return NULL;
  if (*p == '0' && p[1] >= '0' && p[1] <= '9')
    return NULL; /* no leading zeros */
  while (*p >= '0' && *p <= '9')
    p++;
  if (*p == '.') {
    if (p[1] < '0' || p[1] > '9')
      return NULL;
    for (p++; *p >= '0' && *p <= '9'; p++) {
    }
  }
  return p;
}

/* Assert that `line` is one JSON object and a newline, nothing else. */
static void assert_json_line(const char *line)
{
  const char *end;
  if (line[0] != '{' || !(end = skip_value(line)) || strcmp(end, "\n") != 0)
    fail_msg("not one JSON object on a line: %s", line);
}

/* The value of `key` in the object at obj, or fail. */
static const char *member(const char *obj, const char *key)
{
  char name[128];
  const char *p = skip_ws(obj);
  assert_int_equal(*p, '{');
  p = skip_ws(p + 1);
  while (*p == '"') {
    const char *value;
    p = read_string(p, name, sizeof name);
    assert_non_null(p);
    value = skip_ws(skip_ws(p) + 1);
    if (strcmp(name, key) == 0)
      return value;
    p = skip_ws(skip_value(value));
    if (*p == ',')
      p = skip_ws(p + 1);
  }
  fail_msg("no member \"%s\" in %s", key, obj);
  return NULL;
}

/* Element i of the array at arr, or fail. */
static const char *element(const char *arr, size_t i)
{
  const char *p = skip_ws(arr);
  assert_int_equal(*p, '[');
  p = skip_ws(p + 1);
  while (i-- > 0) {
    p = skip_ws(skip_value(p));
    assert_int_equal(*p, ',');
    p = skip_ws(p + 1);
  }
  assert_true(*p != ']');
  return p;
}

static size_t array_length(const char *arr)
{
  const char *p = skip_ws(arr);
  size_t n = 0;
  assert_int_equal(*p, '[');
  p = skip_ws(p + 1);
  while (*p != ']') {
    n++;
    p = skip_ws(skip_value(p));
    if (*p == ',')
      p = skip_ws(p + 1);
  }
  return n;
}

static int64_t number(const char *value)
{
  char *end;
  long long v = strtoll(value, &end, 10);
  if (end == value)
    fail_msg("not a number: %.40s", value);
  return (int64_t)v;
}

/* --- Writing and reading back -------------------------------------------- */

/* What a write_* call wrote (malloc'd). */
struct captured {
  char *text;
  size_t len;
  FILE *f;
};

static void capture_start(struct captured *c)
{
  c->text = NULL;
  c->len = 0;
  c->f = open_memstream(&c->text, &c->len);
  assert_non_null(c->f);
}

static void capture_end(struct captured *c)
{
  assert_int_equal(fclose(c->f), 0);
}

/*
 * Give every listed field a value of its own (counting up from *next;
 * signed fields negative), and check them back in the JSON object.
 */
#define FILL_UINT(src, field) (src)->field = (*next)++;
#define FILL_INT(src, field) (src)->field = -(int)(*next)++;
#define FILL_STRING(src, field) snprintf((src)->field, sizeof (src)->field, "s%u", (*next)++);
#define FILL_MEMORY(src, field) fill_memory(&(src)->field, next);
#define FILL_SIZE(src, field) (src)->field = sizeof *(src);
#define FILL_DOUBLE(src, field) (src)->field = (*next)++ / 4.0;
#define FILL_INPUT(src, field) (src)->field = 0;
#define FILL_REPORTS(src, field)                                                                 \
  (src)->field = fill_reports(next);                                                             \
  (src)->field##_written = 2;
/* The count of REPORTS: set with them. */
#define FILL_WRITTEN(src, field)
#define FILL_FIELD(kind, field) FILL_##kind(src, field)

#define CHECK_UINT(src, field) check_number(obj, #field, (int64_t)(src)->field);
#define CHECK_INT(src, field) check_number(obj, #field, (int64_t)(src)->field);
#define CHECK_STRING(src, field) check_string(obj, #field, (src)->field);
#define CHECK_MEMORY(src, field) check_memory(member(obj, #field), &(src)->field);
/* struct_size is not written: the JSON has no such key. */
#define CHECK_SIZE(src, field) assert_null(strstr(obj, "\"" #field "\""));
#define CHECK_WRITTEN(src, field) check_number(obj, #field, (int64_t)(src)->field);
#define CHECK_INPUT(src, field) assert_null(strstr(obj, "\"" #field "\""));
#define CHECK_DOUBLE(src, field) check_double(obj, #field, (src)->field);
#define CHECK_REPORTS(src, field) check_reports(member(obj, #field), (src)->field, 2);
#define CHECK_FIELD(kind, field) CHECK_##kind(src, field)

static void check_number(const char *obj, const char *key, int64_t want)
{
  int64_t got = number(member(obj, key));
  if (got != want)
    fail_msg("\"%s\": %lld, expected %lld", key, (long long)got, (long long)want);
}

static void check_double(const char *obj, const char *key, double want)
{
  double got = strtod(member(obj, key), NULL);
  if (got != want)
    fail_msg("\"%s\": %f, expected %f", key, got, want);
}

static void check_string(const char *obj, const char *key, const char *want)
{
  char got[256];
  assert_non_null(read_string(member(obj, key), got, sizeof got));
  assert_string_equal(got, want);
}

static void fill_memory(struct rill_memory_metrics *src, unsigned *next)
{
  STATS_MEMORY_FIELDS(FILL_FIELD)
}

static void check_memory(const char *obj, const struct rill_memory_metrics *src)
{
  STATS_MEMORY_FIELDS(CHECK_FIELD)
}

static struct rill_receiver_report *fill_reports(unsigned *next)
{
  static struct rill_receiver_report reports[2];
  size_t i;
  for (i = 0; i < 2; i++) {
    struct rill_receiver_report *src = &reports[i];
    STATS_REPORT_FIELDS(FILL_FIELD)
  }
  return reports;
}

static void check_reports(const char *list, const struct rill_receiver_report *reports, size_t n)
{
  size_t i;
  assert_int_equal(array_length(list), n);
  for (i = 0; i < n; i++) {
    const char *obj = element(list, i);
    const struct rill_receiver_report *src = &reports[i];
    STATS_REPORT_FIELDS(CHECK_FIELD)
  }
}

static void fill_session(struct rill_session_metrics *src, unsigned *next)
{
  STATS_SESSION_FIELDS(FILL_FIELD)
}

static void check_session(const char *obj, const struct rill_session_metrics *src)
{
  STATS_SESSION_FIELDS(CHECK_FIELD)
}

static void stats_json_receiver_line_holds_every_field(void **state)
{
  struct rill_receiver_metrics m, *src = &m;
  struct rill_session_metrics sessions[3];
  unsigned counter = 1, *next = &counter;
  struct captured c;
  const char *obj, *list;
  size_t i;
  (void)state;
  memset(&m, 0, sizeof m);
  memset(sessions, 0, sizeof sessions);
  STATS_RECEIVER_FIELDS(FILL_FIELD)
  for (i = 0; i < 3; i++)
    fill_session(&sessions[i], next);

  capture_start(&c);
  assert_int_equal(stats_json_receiver(c.f, 12.3456, 0, &m, sessions, 3), 0);
  capture_end(&c);
  assert_json_line(c.text);
  obj = c.text;
  assert_memory_equal(member(obj, "t_s"), "12.346,", 7);
  assert_memory_equal(member(obj, "final"), "false", 5);
  STATS_RECEIVER_FIELDS(CHECK_FIELD)
  list = member(obj, "session_metrics");
  assert_int_equal(array_length(list), 3);
  for (i = 0; i < 3; i++)
    check_session(element(list, i), &sessions[i]);
  free(c.text);
}

static void stats_json_receiver_line_without_sessions(void **state)
{
  struct rill_receiver_metrics m;
  struct captured c;
  (void)state;
  memset(&m, 0, sizeof m);
  capture_start(&c);
  assert_int_equal(stats_json_receiver(c.f, 0, 1, &m, NULL, 0), 0);
  capture_end(&c);
  assert_json_line(c.text);
  assert_memory_equal(member(c.text, "final"), "true", 4);
  assert_int_equal(array_length(member(c.text, "session_metrics")), 0);
  free(c.text);
}

static void stats_json_sender_line_is_exact(void **state)
{
  struct rill_sender_metrics m;
  struct captured c;
  (void)state;
  memset(&m, 0, sizeof m);
  m.ssrc = 0xdeadbeef;
  m.frames_written = 132300;
  m.packets_sent = 602;
  m.packets_dropped = 1;
  m.memory.used_bytes = 4096;
  m.memory.peak_bytes = 8192;
  m.memory.budget_bytes = 64 << 20;
  m.memory.refused = 2;
  m.fec_repair_sent = 7;
  capture_start(&c);
  assert_int_equal(stats_json_sender(c.f, 3.25, 1, &m), 0);
  capture_end(&c);
  assert_string_equal(c.text, "{\"t_s\":3.250,\"final\":true,\"ssrc\":3735928559,"
                              "\"frames_written\":132300,\"packets_sent\":602,"
                              "\"packets_dropped\":1,\"memory\":{\"used_bytes\":4096,"
                              "\"peak_bytes\":8192,\"budget_bytes\":67108864,\"refused\":2},"
                              "\"fec_repair_sent\":7,\"rtcp_sent\":0,\"rtcp_received\":0,"
                              "\"rtcp_malformed\":0,\"receiver_count\":0,\"receivers\":[],"
                              "\"receivers_written\":0,\"payload_bytes\":0,\"packets_dtx\":0}\n");
  assert_json_line(c.text);
  free(c.text);
}

static void stats_json_sender_line_holds_every_field(void **state)
{
  struct rill_sender_metrics m, *src = &m;
  unsigned counter = 1, *next = &counter;
  struct captured c;
  const char *obj;
  (void)state;
  memset(&m, 0, sizeof m);
  STATS_SENDER_FIELDS(FILL_FIELD)
  capture_start(&c);
  assert_int_equal(stats_json_sender(c.f, 1, 0, &m), 0);
  capture_end(&c);
  assert_json_line(c.text);
  obj = c.text;
  STATS_SENDER_FIELDS(CHECK_FIELD)
  free(c.text);
}

/* stats_json_string's output for the first `cap` bytes of `s`. */
static void string_is(const char *s, size_t cap, const char *want)
{
  struct captured c;
  capture_start(&c);
  stats_json_string(c.f, s, cap);
  capture_end(&c);
  assert_string_equal(c.text, want);
  assert_non_null(read_string(c.text, NULL, 0));
  free(c.text);
}

static void stats_json_strings_are_escaped(void **state)
{
  char full[64];
  char want[67];
  (void)state;
  string_is("127.0.0.1:40000", 64, "\"127.0.0.1:40000\"");
  string_is("", 64, "\"\"");
  string_is("a\"b\\c", 64, "\"a\\\"b\\\\c\"");
  string_is("tab\tnl\ncr\r\x01\x1f\x7f", 64, "\"tab\\tnl\\ncr\\u000d\\u0001\\u001f\\u007f\"");
  /* Valid UTF-8 passes; bytes that are not UTF-8 become U+FFFD. */
  string_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb5", 64,
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb5\"");
  string_is("\xff\xc3(\xc0\xaf\xed\xa0\x80", 64,
            "\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
  /* A sequence cut by the field's end is not UTF-8 either. */
  string_is("ab\xe2\x82\xac", 4, "\"ab\\ufffd\\ufffd\"");
  /* A full field without a NUL: exactly its bytes. */
  memset(full, 'x', sizeof full);
  want[0] = '"';
  memset(want + 1, 'x', 64);
  want[65] = '"';
  want[66] = '\0';
  string_is(full, sizeof full, want);
}

static void stats_json_source_round_trips(void **state)
{
  struct rill_receiver_metrics m;
  struct rill_session_metrics s;
  struct captured c;
  char got[128];
  (void)state;
  memset(&m, 0, sizeof m);
  memset(&s, 0, sizeof s);
  snprintf(s.source, sizeof s.source, "[::1]:5000 \"quoted\" \\ \x02 caf\xc3\xa9");
  capture_start(&c);
  assert_int_equal(stats_json_receiver(c.f, 1, 0, &m, &s, 1), 0);
  capture_end(&c);
  assert_json_line(c.text);
  assert_non_null(read_string(member(element(member(c.text, "session_metrics"), 0), "source"),
                              got, sizeof got));
  assert_string_equal(got, s.source);
  free(c.text);
}

static void stats_json_reports_write_errors(void **state)
{
  struct rill_sender_metrics m;
  FILE *f = fopen("/dev/full", "w");
  (void)state;
  if (!f)
    skip();
  memset(&m, 0, sizeof m);
  assert_int_equal(stats_json_sender(f, 0, 0, &m), -1);
  fclose(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(stats_json_field_lists_cover_the_metrics_structs),
      cmocka_unit_test(stats_json_receiver_line_holds_every_field),
      cmocka_unit_test(stats_json_receiver_line_without_sessions),
      cmocka_unit_test(stats_json_sender_line_is_exact),
      cmocka_unit_test(stats_json_sender_line_holds_every_field),
      cmocka_unit_test(stats_json_strings_are_escaped),
      cmocka_unit_test(stats_json_source_round_trips),
      cmocka_unit_test(stats_json_reports_write_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
