/*
 * Test helper: one line of the roc-0.4 capture files
 * (../shared/vectors/roc-0.4/ * /packets.jsonl), whose format is fixed:
 * {"port": "source"|"repair", "len": N, "hex": "<datagram>", "t_us": T}.
 */
#ifndef RILL_TEST_VECTORS_JSONL_H
#define RILL_TEST_VECTORS_JSONL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vector_datagram {
  bool repair;    /* "repair" port, else "source" */
  size_t len;
  int64_t t_ns;   /* arrival time since the first datagram; 0 without t_us */
  uint8_t *data;  /* owned: malloc'd, len bytes */
};

static inline int vector_hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The value after "key": in `line`, or NULL. */
static inline const char *vector_field(const char *line, const char *key)
{
  char pattern[32];
  const char *p;
  snprintf(pattern, sizeof(pattern), "\"%s\":", key);
  p = strstr(line, pattern);
  if (p == NULL)
    return NULL;
  p += strlen(pattern);
  while (*p == ' ')
    p++;
  return p;
}

/* Parse `line` (datagrams of at most max_len bytes); false if malformed. */
static inline bool vector_parse_line(const char *line, size_t max_len, struct vector_datagram *d)
{
  const char *port = vector_field(line, "port"), *len = vector_field(line, "len"),
             *hex = vector_field(line, "hex"), *t = vector_field(line, "t_us");
  char *end;
  unsigned long n;
  size_t i;

  if (port == NULL || len == NULL || hex == NULL || *hex != '"')
    return false;
  memset(d, 0, sizeof(*d));
  if (strncmp(port, "\"source\"", 8) == 0)
    d->repair = false;
  else if (strncmp(port, "\"repair\"", 8) == 0)
    d->repair = true;
  else
    return false;
  errno = 0;
  n = strtoul(len, &end, 10);
  if (errno != 0 || end == len || n == 0 || n > max_len)
    return false;
  if (t)
    d->t_ns = strtoll(t, NULL, 10) * 1000;
  hex++;
  d->len = n;
  d->data = malloc(n);
  if (d->data == NULL)
    return false;
  for (i = 0; i < n; i++) {
    int hi = vector_hex_value(hex[2 * i]), lo = hi < 0 ? -1 : vector_hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      break;
    d->data[i] = (uint8_t)(hi << 4 | lo);
  }
  if (i < n || hex[2 * n] != '"') {
    free(d->data);
    d->data = NULL;
    return false;
  }
  return true;
}

#endif /* RILL_TEST_VECTORS_JSONL_H */
