/*
 * Endpoint URI parser and formatter.
 *
 * The grammar is small enough to parse by hand, left to right, in one pass
 * over the input: scheme, "://", host, ":" port, end. The first thing that
 * is wrong is reported, so the message names the part the user has to fix,
 * quoted as the user typed it (truncated, and with unprintable bytes
 * escaped, so the message stays one short line).
 *
 * IPv4 literals are parsed here, strictly (four decimal parts, no leading
 * zeros, which inet_aton would read as octal); IPv6 literals go to
 * inet_pton, which is pure (no I/O, no allocation). Host names are checked
 * for syntax only: resolving them is the network layer's job. Everything
 * goes into a local struct first, so a failed parse leaves *out zeroed, never
 * half-filled.
 */
#include "net/uri.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rill/status.h>

/* At most this many input characters are quoted in a message. */
#define QUOTE_MAX_CHARS 64
/* Room for QUOTE_MAX_CHARS escaped characters ("\xNN" each), "..." and NUL. */
#define QUOTE_BUF (QUOTE_MAX_CHARS * 4 + 4)

#define DNS_LABEL_MAX_LEN 63

struct scheme_info {
  const char *name;
  enum uri_interface iface;
  enum uri_fec fec;
};

/* Indexed by enum uri_scheme; entry 0 is URI_SCHEME_NONE. */
static const struct scheme_info schemes[] = {
    {NULL, URI_IFACE_NONE, URI_FEC_NONE},
#define URI_SCHEME_INFO_(name, str, iface, fec) {str, iface, fec},
    URI_SCHEME_MAP(URI_SCHEME_INFO_)
#undef URI_SCHEME_INFO_
};

#define SCHEME_COUNT (sizeof schemes / sizeof schemes[0])

/* State shared by the parsing steps: the whole input and where messages go. */
struct parser {
  const char *text; /* borrowed; the whole URI, quoted in messages */
  unsigned flags;
  char *err; /* borrowed; may be NULL */
  size_t err_cap;
};

/* The table entry for `scheme`, or NULL if it is NONE or out of range. */
static const struct scheme_info *scheme_info(enum uri_scheme scheme)
{
  if ((unsigned)scheme == 0 || (unsigned)scheme >= SCHEME_COUNT)
    return NULL;
  return &schemes[scheme];
}

const char *uri_scheme_name(enum uri_scheme scheme)
{
  const struct scheme_info *info = scheme_info(scheme);
  return info ? info->name : NULL;
}

enum uri_interface uri_scheme_interface(enum uri_scheme scheme)
{
  const struct scheme_info *info = scheme_info(scheme);
  return info ? info->iface : URI_IFACE_NONE;
}

enum uri_fec uri_scheme_fec(enum uri_scheme scheme)
{
  const struct scheme_info *info = scheme_info(scheme);
  return info ? info->fec : URI_FEC_NONE;
}

const char *uri_fec_name(enum uri_fec fec)
{
  switch (fec) {
  case URI_FEC_NONE:
    return "none";
  case URI_FEC_RS8M:
    return "rs8m";
  case URI_FEC_LDPC:
    return "ldpc";
  }
  return NULL;
}

/*
 * Copy the `n` bytes at `s` into `dst` (QUOTE_BUF bytes) for quoting in a
 * message: at most QUOTE_MAX_CHARS of them, "..." if cut, bytes outside
 * printable ASCII written as \xNN. Returns dst.
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

/* Write the message into p->err (if any room) and return RILL_EINVAL. */
__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
  va_list ap;
  if (p->err && p->err_cap > 0) {
    va_start(ap, fmt);
    vsnprintf(p->err, p->err_cap, fmt, ap);
    va_end(ap);
  }
  return RILL_EINVAL;
}

/* ASCII-only lowercase, independent of the locale. */
static char ascii_lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ASCII decimal digit. */
static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* ASCII letter. */
static bool is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII hexadecimal digit, either case. */
static bool is_hex(char c)
{
  return is_digit(c) || (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f');
}

/* Reject whitespace and control characters anywhere in the input. */
static int check_characters(struct parser *p)
{
  char q[QUOTE_BUF];
  size_t i;
  for (i = 0; p->text[i]; i++) {
    unsigned char c = (unsigned char)p->text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r')
      return fail(p, "unexpected whitespace at offset %zu in '%s'", i,
                  quote(q, p->text, strlen(p->text)));
    if (c < 0x20 || c == 0x7f)
      return fail(p, "unexpected control character 0x%02x at offset %zu in '%s'", c, i,
                  quote(q, p->text, strlen(p->text)));
  }
  return RILL_OK;
}

/*
 * Parse the scheme and the "://" after it; on success *rest points just past
 * "://". Scheme names are matched without regard to case (RFC 3986, 3.1).
 */
static int parse_scheme(struct parser *p, struct rill_uri *u, const char **rest)
{
  char q[QUOTE_BUF];
  const char *text = p->text;
  size_t len = strcspn(text, ":");
  size_t s, i;
  enum uri_scheme found = URI_SCHEME_NONE;

  for (s = 1; s < SCHEME_COUNT; s++) {
    const char *name = schemes[s].name;
    if (strlen(name) != len)
      continue;
    for (i = 0; i < len && ascii_lower(text[i]) == name[i]; i++) {
    }
    if (i == len) {
      found = (enum uri_scheme)s;
      break;
    }
  }

  if (strncmp(text + len, "://", 3) != 0) {
    if (found != URI_SCHEME_NONE)
      return fail(p, "expected '://' after scheme '%s' in '%s'", schemes[found].name,
                  quote(q, text, strlen(text)));
    return fail(p, "missing scheme in '%s' (expected scheme://host:port, e.g. rtp://0.0.0.0:10001)",
                quote(q, text, strlen(text)));
  }
  if (len == 0)
    return fail(p, "missing scheme in '%s' (expected scheme://host:port, e.g. rtp://0.0.0.0:10001)",
                quote(q, text, strlen(text)));
  if (found == URI_SCHEME_NONE)
    return fail(p, "unknown scheme '%s' (expected rtp, rtp+rs8m, rs8m, rtp+ldpc, ldpc or rtcp)",
                quote(q, text, len));
  u->scheme = found;
  *rest = text + len + 3;
  return RILL_OK;
}

/*
 * Strict dotted-decimal IPv4: exactly four parts 0..255, no leading zeros
 * (which some parsers read as octal), nothing else.
 */
static bool parse_ipv4(const char *s, size_t n, unsigned char addr[4])
{
  size_t i = 0;
  int part;
  for (part = 0; part < 4; part++) {
    unsigned v = 0;
    size_t digits = 0;
    if (part > 0) {
      if (i >= n || s[i] != '.')
        return false;
      i++;
    }
    while (i < n && is_digit(s[i])) {
      if (digits == 3)
        return false;
      v = v * 10 + (unsigned)(s[i] - '0');
      digits++;
      i++;
    }
    if (digits == 0 || v > 255 || (digits > 1 && s[i - digits] == '0'))
      return false;
    addr[part] = (unsigned char)v;
  }
  return i == n;
}

/* Host name syntax (RFC 1123): dot-separated labels of 1..63 letters, digits and '-'. */
static int check_host_name(struct parser *p, const char *host, size_t n)
{
  char q[QUOTE_BUF], q2[QUOTE_BUF];
  size_t i, start = 0;

  for (i = 0; i < n; i++) {
    char c = host[i];
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.')
      return fail(p, "invalid character '%s' in host '%s'", quote(q2, host + i, 1),
                  quote(q, host, n));
  }
  for (i = 0; i <= n; i++) {
    size_t len;
    if (i < n && host[i] != '.')
      continue;
    len = i - start;
    if (len == 0)
      return fail(p, "empty label in host '%s'", quote(q, host, n));
    if (len > DNS_LABEL_MAX_LEN)
      return fail(p, "label '%s' in host is longer than %d characters",
                  quote(q, host + start, len), DNS_LABEL_MAX_LEN);
    if (host[start] == '-' || host[i - 1] == '-')
      return fail(p, "label '%s' in host '%s' starts or ends with '-'",
                  quote(q2, host + start, len), quote(q, host, n));
    start = i + 1;
  }
  return RILL_OK;
}

/* Parse "[IPv6]" at s; *after points past the ']'. */
static int parse_bracketed_host(struct parser *p, struct rill_uri *u, const char *s,
                                const char **after)
{
  char q[QUOTE_BUF];
  char literal[INET6_ADDRSTRLEN];
  unsigned char addr[16];
  const char *close = strchr(s, ']');
  size_t n, i;

  if (!close)
    return fail(p, "unterminated '[' in IPv6 address '%s'", quote(q, s, strlen(s)));
  n = (size_t)(close - s - 1);
  if (n == 0)
    return fail(p, "empty host in '%s'", quote(q, p->text, strlen(p->text)));
  if (memchr(s + 1, '%', n))
    return fail(p, "IPv6 zone index not supported in '%s'", quote(q, s, n + 2));
  if (n >= sizeof literal)
    return fail(p, "invalid IPv6 address '%s'", quote(q, s, n + 2));
  memcpy(literal, s + 1, n);
  literal[n] = '\0';
  if (inet_pton(AF_INET6, literal, addr) != 1)
    return fail(p, "invalid IPv6 address '%s'", quote(q, s, n + 2));

  memcpy(u->host, literal, n + 1);
  u->family_hint = AF_INET6;
  u->host_is_any = true;
  for (i = 0; i < sizeof addr; i++)
    if (addr[i] != 0)
      u->host_is_any = false;
  *after = close + 1;
  return RILL_OK;
}

/* Parse an IPv4 literal or a host name at s; *after points just past it. */
static int parse_plain_host(struct parser *p, struct rill_uri *u, const char *s,
                            const char **after)
{
  char q[QUOTE_BUF];
  size_t n = strcspn(s, ":/?#");
  size_t authority = strcspn(s, "/?#");
  size_t i;
  bool dotted_digits = true;
  unsigned char addr[4];
  int rc;

  /*
   * Two colons in what should be host:port, the first after something that
   * could be the start of an IPv6 address: an unbracketed IPv6 literal.
   */
  if (s[n] == ':' && memchr(s + n + 1, ':', authority - n - 1)) {
    for (i = 0; i < n && is_hex(s[i]); i++) {
    }
    if (i == n)
      return fail(p, "IPv6 address must be in brackets in '%s' (e.g. rtp://[::1]:10001)",
                  quote(q, p->text, strlen(p->text)));
  }
  if (n == 0)
    return fail(p, "empty host in '%s'", quote(q, p->text, strlen(p->text)));
  if (n > URI_HOST_MAX_LEN)
    return fail(p, "host too long (%zu characters, at most %d)", n, URI_HOST_MAX_LEN);

  for (i = 0; i < n; i++)
    if (!is_digit(s[i]) && s[i] != '.')
      dotted_digits = false;
  if (dotted_digits) {
    /* All digits and dots is never a valid host name: the last label would be numeric. */
    if (!parse_ipv4(s, n, addr))
      return fail(p, "invalid IPv4 address '%s'", quote(q, s, n));
    u->family_hint = AF_INET;
    u->host_is_any = addr[0] == 0 && addr[1] == 0 && addr[2] == 0 && addr[3] == 0;
  } else {
    rc = check_host_name(p, s, n);
    if (rc != RILL_OK)
      return rc;
    u->family_hint = AF_UNSPEC;
    u->host_is_any = false;
  }
  memcpy(u->host, s, n);
  u->host[n] = '\0';
  *after = s + n;
  return RILL_OK;
}

/* Parse ":port" or its absence at s; *after points past the port. */
static int parse_port(struct parser *p, struct rill_uri *u, const char *s, const char **after)
{
  char q[QUOTE_BUF], q2[QUOTE_BUF];
  unsigned min = (p->flags & URI_ALLOW_PORT_ZERO) ? 0 : 1;
  unsigned long v = 0;
  size_t n, i;

  if (*s != ':') {
    if (*s == '\0' || *s == '/' || *s == '?' || *s == '#') {
      if (!(p->flags & URI_ALLOW_NO_PORT))
        return fail(p, "missing port in '%s'", quote(q, p->text, strlen(p->text)));
      *after = s;
      return RILL_OK;
    }
    /* Only reachable after ']': a plain host stops at one of ":/?#" or the end. */
    return fail(p, "unexpected '%s' after ']' in '%s' (expected ':port')",
                quote(q, s, strcspn(s, "/?#")), quote(q2, p->text, strlen(p->text)));
  }

  s++;
  n = strcspn(s, "/?#");
  if (n == 0)
    return fail(p, "missing port in '%s'", quote(q, p->text, strlen(p->text)));
  for (i = 0; i < n; i++) {
    if (!is_digit(s[i]))
      return fail(p, "invalid port '%s' (expected a number %u..65535)", quote(q, s, n), min);
    if (v <= 65535) /* saturate: anything past 65535 is out of range anyway */
      v = v * 10 + (unsigned long)(s[i] - '0');
  }
  if (v > 65535 || v < min) {
    if (v == 0)
      return fail(p, "port '%s' out of range 1..65535 (port 0 is only allowed when binding)",
                  quote(q, s, n));
    return fail(p, "port '%s' out of range %u..65535", quote(q, s, n), min);
  }
  u->port = (uint16_t)v;
  u->port_given = true;
  *after = s + n;
  return RILL_OK;
}

/* Whatever follows host[:port] is a path, a query or a fragment: all rejected. */
static int check_nothing_after(struct parser *p, const char *s)
{
  char q[QUOTE_BUF];
  switch (*s) {
  case '\0':
    return RILL_OK;
  case '/':
    return fail(p, "unexpected path '%s' in URI", quote(q, s, strcspn(s, "?#")));
  case '?':
    return fail(p, "unexpected query '%s' in URI", quote(q, s, strcspn(s, "#")));
  default:
    return fail(p, "unexpected fragment '%s' in URI", quote(q, s, strlen(s)));
  }
}

int uri_parse(const char *text, struct rill_uri *out, char *err, size_t err_cap)
{
  return uri_parse_flags(text, 0, out, err, err_cap);
}

int uri_parse_flags(const char *text, unsigned flags, struct rill_uri *out, char *err,
                    size_t err_cap)
{
  struct parser p = {text, flags, err, err_cap};
  struct rill_uri u;
  const char *s = NULL;
  int rc;

  memset(&u, 0, sizeof u);
  if (err && err_cap > 0)
    err[0] = '\0';
  if (!out)
    return fail(&p, "no output given for the parsed URI");
  memset(out, 0, sizeof *out);
  if (flags & ~(URI_ALLOW_PORT_ZERO | URI_ALLOW_NO_PORT))
    return fail(&p, "unknown URI parse flags 0x%x", flags);
  if (!text)
    return fail(&p, "no URI given");
  if (text[0] == '\0')
    return fail(&p, "empty URI");

  rc = check_characters(&p);
  if (rc == RILL_OK)
    rc = parse_scheme(&p, &u, &s);
  if (rc == RILL_OK)
    rc = s[0] == '[' ? parse_bracketed_host(&p, &u, s, &s) : parse_plain_host(&p, &u, s, &s);
  if (rc == RILL_OK)
    rc = parse_port(&p, &u, s, &s);
  if (rc == RILL_OK)
    rc = check_nothing_after(&p, s);
  if (rc != RILL_OK)
    return rc;
  *out = u;
  return RILL_OK;
}

int uri_format(const struct rill_uri *uri, char *buf, size_t cap)
{
  const char *name;
  bool brackets;
  char port[8] = "";
  int n;

  if (!buf || cap == 0)
    return RILL_EINVAL;
  buf[0] = '\0';
  if (!uri)
    return RILL_EINVAL;
  name = uri_scheme_name(uri->scheme);
  if (!name || uri->host[0] == '\0' || !memchr(uri->host, '\0', sizeof uri->host))
    return RILL_EINVAL;

  /* Any host with a colon needs brackets, whatever family_hint says. */
  brackets = uri->family_hint == AF_INET6 || strchr(uri->host, ':') != NULL;
  if (uri->port_given)
    snprintf(port, sizeof port, ":%u", (unsigned)uri->port);
  n = snprintf(buf, cap, "%s://%s%s%s%s", name, brackets ? "[" : "", uri->host,
               brackets ? "]" : "", port);
  if (n < 0) {
    buf[0] = '\0';
    return RILL_EINVAL;
  }
  return (size_t)n < cap ? RILL_OK : RILL_ENOSPC;
}
