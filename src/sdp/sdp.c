/*
 * SDP parse and compose (see sdp.h for the rules).
 *
 * The parser walks the text once, line by line, never copying more than a
 * field's buffer; each line goes to a handler for its type letter, which
 * checks the field's grammar and fills the session or the current medium.
 * A medium that is not audio over RTP/AVP (or has port 0) is skipped with
 * everything under it until the next m= line. Nothing is allocated and
 * nothing outside [text, text + len) is read.
 */
#include "sdp/sdp.h"

#include <arpa/inet.h>
#include <rill/status.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* A field of a line: a pointer into the text and its length. */
struct span {
  const char *p;
  size_t n;
};

struct parser {
  struct sdp_session *s;
  struct sdp_media *m;   /* the medium being read; NULL at session level */
  bool skipping;         /* inside a medium that is not kept */
  bool have_t;
  bool in_media;         /* an m= line was seen */
  uint8_t rtpmap_seen;   /* bit i: formats[i] of the current medium had its a=rtpmap */
};

static bool span_eq(struct span a, const char *lit)
{
  size_t n = strlen(lit);
  return a.n == n && memcmp(a.p, lit, n) == 0;
}

static bool span_eq_nocase(struct span a, const char *lit)
{
  size_t n = strlen(lit);
  return a.n == n && strncasecmp(a.p, lit, n) == 0;
}

/* The next space-separated token of *rest (exactly one space between tokens). */
static bool next_token(struct span *rest, struct span *tok)
{
  size_t i = 0;
  if (rest->n == 0 || rest->p[0] == ' ')
    return false;
  while (i < rest->n && rest->p[i] != ' ')
    i++;
  tok->p = rest->p;
  tok->n = i;
  if (i < rest->n) {
    i++; /* the separator */
    if (i == rest->n)
      return false; /* trailing space */
  }
  rest->p += i;
  rest->n -= i;
  return true;
}

static bool parse_u64(struct span t, uint64_t max, uint64_t *out)
{
  uint64_t v = 0;
  size_t i;
  if (t.n == 0 || t.n > 20)
    return false;
  for (i = 0; i < t.n; i++) {
    unsigned d;
    if (t.p[i] < '0' || t.p[i] > '9')
      return false;
    d = (unsigned)(t.p[i] - '0');
    if (v > (max - d) / 10)
      return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

static bool copy_field(struct span t, char *dst, size_t cap)
{
  if (t.n >= cap)
    return false;
  memcpy(dst, t.p, t.n);
  dst[t.n] = '\0';
  return true;
}

/* "IN IP4 ADDR[/...]" or "IN IP6 ADDR[/...]": a literal address. */
static int parse_connection(struct span v, char *addr, int *family)
{
  struct span net, type, a;
  unsigned char bin[16];
  char tmp[SDP_ADDR_CAP];
  size_t i;
  if (!next_token(&v, &net) || !next_token(&v, &type) || !next_token(&v, &a) || v.n != 0 ||
      !span_eq(net, "IN"))
    return RILL_EMALFORMED;
  for (i = 0; i < a.n && a.p[i] != '/'; i++)
    ;
  a.n = i; /* TTL and address count cut off */
  if (!copy_field(a, tmp, sizeof(tmp)))
    return RILL_EMALFORMED;
  if (span_eq(type, "IP4"))
    *family = AF_INET;
  else if (span_eq(type, "IP6"))
    *family = AF_INET6;
  else
    return RILL_EUNSUPPORTED;
  if (inet_pton(*family, tmp, bin) != 1)
    return RILL_EMALFORMED;
  memcpy(addr, tmp, a.n + 1);
  return RILL_OK;
}

/* o=USER ID VERSION IN IP4|IP6 ADDRESS */
static int on_origin(struct parser *ps, struct span v)
{
  struct span user, id, ver, net, type, addr;
  struct sdp_session *s = ps->s;
  if (!next_token(&v, &user) || !next_token(&v, &id) || !next_token(&v, &ver) ||
      !next_token(&v, &net) || !next_token(&v, &type) || !next_token(&v, &addr) || v.n != 0)
    return RILL_EMALFORMED;
  if (!parse_u64(id, UINT64_MAX, &s->origin_id) ||
      !parse_u64(ver, UINT64_MAX, &s->origin_version) || !span_eq(net, "IN"))
    return RILL_EMALFORMED;
  if (span_eq(type, "IP4"))
    s->origin_family = AF_INET;
  else if (span_eq(type, "IP6"))
    s->origin_family = AF_INET6;
  else
    return RILL_EMALFORMED;
  if (!copy_field(user, s->origin_user, sizeof(s->origin_user)) ||
      !copy_field(addr, s->origin_address, sizeof(s->origin_address)))
    return RILL_EUNSUPPORTED;
  return RILL_OK;
}

static struct sdp_format *find_format(struct sdp_media *m, uint64_t pt)
{
  uint8_t i;
  for (i = 0; i < m->format_count; i++)
    if (m->formats[i].payload_type == pt)
      return &m->formats[i];
  return NULL;
}

/* RFC 3551's static types with a PCM encoding rill plays. */
static void static_format(struct sdp_format *f)
{
  if (f->payload_type == RTP_PT_L16_STEREO || f->payload_type == RTP_PT_L16_MONO) {
    f->has_rtpmap = true;
    memcpy(f->encoding, "L16", 4);
    f->rate_hz = 44100;
    f->channels = f->payload_type == RTP_PT_L16_STEREO ? 2 : 1;
  }
}

/* m=audio PORT[/N] RTP/AVP PT... */
static int on_media(struct parser *ps, struct span v)
{
  struct span media, port, proto, fmt;
  uint64_t n;
  size_t i;
  struct sdp_media *m;
  if (!ps->have_t)
    return RILL_EMALFORMED; /* t= belongs to the session part */
  ps->in_media = true;
  ps->m = NULL;
  ps->rtpmap_seen = 0;
  ps->skipping = true;
  if (!next_token(&v, &media) || !next_token(&v, &port) || !next_token(&v, &proto) || v.n == 0)
    return RILL_EMALFORMED;
  for (i = 0; i < port.n && port.p[i] != '/'; i++)
    ;
  port.n = i;
  if (!parse_u64(port, 65535, &n))
    return RILL_EMALFORMED;
  if (!span_eq(media, "audio") || !span_eq(proto, "RTP/AVP") || n == 0) {
    if (ps->s->media_skipped < UINT8_MAX)
      ps->s->media_skipped++;
    return RILL_OK;
  }
  if (ps->s->media_count == SDP_MAX_MEDIA)
    return RILL_EUNSUPPORTED;
  m = &ps->s->media[ps->s->media_count++];
  m->port = (uint16_t)n;
  while (next_token(&v, &fmt)) {
    uint64_t pt;
    if (!parse_u64(fmt, 127, &pt) || find_format(m, pt))
      return RILL_EMALFORMED;
    if (m->format_count == SDP_MAX_FORMATS)
      return RILL_EUNSUPPORTED;
    m->formats[m->format_count].payload_type = (uint8_t)pt;
    static_format(&m->formats[m->format_count]);
    m->format_count++;
  }
  if (v.n != 0 || m->format_count == 0)
    return RILL_EMALFORMED;
  ps->m = m;
  ps->skipping = false;
  return RILL_OK;
}

/* a=rtpmap:PT NAME/RATE[/CHANNELS] */
static int on_rtpmap(struct parser *ps, struct span v)
{
  struct span pt_s, enc;
  uint64_t pt, rate, ch = 1;
  struct sdp_format *f;
  const char *slash, *slash2;
  if (!next_token(&v, &pt_s) || !next_token(&v, &enc) || v.n != 0 ||
      !parse_u64(pt_s, 127, &pt))
    return RILL_EMALFORMED;
  f = find_format(ps->m, pt);
  if (!f || (ps->rtpmap_seen & (1u << (f - ps->m->formats))))
    return RILL_EMALFORMED; /* not in the m= line, or a second rtpmap */
  ps->rtpmap_seen |= (uint8_t)(1u << (f - ps->m->formats));
  slash = memchr(enc.p, '/', enc.n);
  if (!slash || slash == enc.p)
    return RILL_EMALFORMED;
  slash2 = memchr(slash + 1, '/', enc.n - (size_t)(slash + 1 - enc.p));
  {
    struct span name = {enc.p, (size_t)(slash - enc.p)};
    struct span r = {slash + 1, (size_t)((slash2 ? slash2 : enc.p + enc.n) - (slash + 1))};
    if (!parse_u64(r, UINT32_MAX, &rate) || rate == 0)
      return RILL_EMALFORMED;
    if (slash2) {
      struct span c = {slash2 + 1, (size_t)(enc.p + enc.n - (slash2 + 1))};
      if (!parse_u64(c, 255, &ch) || ch == 0)
        return RILL_EMALFORMED;
    }
    if (!copy_field(name, f->encoding, sizeof(f->encoding)))
      return RILL_EUNSUPPORTED;
  }
  f->has_rtpmap = true;
  f->rate_hz = (uint32_t)rate;
  f->channels = (uint16_t)ch;
  return RILL_OK;
}

/* a=fmtp:PT PARAMETERS (RFC 4566 6): "name=value" pairs separated by ";"
 * and optional spaces (RFC 7587 7; names without case). Only Opus's
 * sprop-stereo is kept; other parameters, and values it does not define,
 * are skipped. */
static int on_fmtp(struct parser *ps, struct span v)
{
  struct span pt_s;
  const char *eq;
  uint64_t pt;
  struct sdp_format *f;
  size_t i = 0;
  if (!next_token(&v, &pt_s) || !parse_u64(pt_s, 127, &pt))
    return RILL_EMALFORMED;
  f = find_format(ps->m, pt);
  if (!f)
    return RILL_EMALFORMED; /* not in the m= line */
  while (i < v.n) {
    struct span param;
    while (i < v.n && v.p[i] == ' ')
      i++;
    param.p = v.p + i;
    while (i < v.n && v.p[i] != ';')
      i++;
    param.n = (size_t)(v.p + i - param.p);
    if (i < v.n)
      i++; /* the ';' */
    while (param.n > 0 && param.p[param.n - 1] == ' ')
      param.n--;
    eq = memchr(param.p, '=', param.n);
    if (eq) {
      struct span name = {param.p, (size_t)(eq - param.p)};
      struct span value = {eq + 1, param.n - name.n - 1};
      if (span_eq_nocase(name, "sprop-stereo") && (span_eq(value, "0") || span_eq(value, "1")))
        f->sprop_stereo = span_eq(value, "1");
    }
  }
  return RILL_OK;
}

/* a=ptime:MS[.FRACTION] (RFC 4566 6), in microseconds. */
static int on_ptime(struct parser *ps, struct span v)
{
  uint64_t us = 0, scale = 1000;
  size_t i;
  bool dot = false, digits = false;
  for (i = 0; i < v.n; i++) {
    char c = v.p[i];
    if (c == '.' && !dot && digits) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9')
      return RILL_EMALFORMED;
    digits = true;
    if (!dot) {
      us = us * 10 + (uint64_t)(c - '0') * 1000;
      if (us > SDP_MAX_PTIME_US * 10)
        return RILL_EMALFORMED;
    } else if (scale > 1) {
      scale /= 10;
      us += (uint64_t)(c - '0') * scale;
    }
  }
  if (!digits || v.p[v.n - 1] == '.' || us == 0 || us > SDP_MAX_PTIME_US)
    return RILL_EMALFORMED;
  ps->m->ptime_us = (uint32_t)us;
  return RILL_OK;
}

static int on_attribute(struct parser *ps, struct span v)
{
  const char *colon;
  struct span name, value;
  if (v.n == 0)
    return RILL_EMALFORMED;
  colon = memchr(v.p, ':', v.n);
  name.p = v.p;
  name.n = colon ? (size_t)(colon - v.p) : v.n;
  value.p = colon ? colon + 1 : v.p + v.n;
  value.n = colon ? v.n - name.n - 1 : 0;
  if (name.n == 0)
    return RILL_EMALFORMED;
  if (!ps->m)
    return RILL_OK; /* session attributes: nothing rill needs */
  if (span_eq(name, "rtpmap"))
    return on_rtpmap(ps, value);
  if (span_eq(name, "ptime"))
    return on_ptime(ps, value);
  if (span_eq(name, "fmtp"))
    return on_fmtp(ps, value);
  return RILL_OK;
}

/* One line "x=value" (terminator removed). */
static int on_line(struct parser *ps, size_t index, char type, struct span v)
{
  struct sdp_session *s = ps->s;
  int status;
  /* v, o, s come first, in that order (RFC 4566 5). */
  static const char first[] = {'v', 'o', 's'};
  if (index < 3 && type != first[index])
    return RILL_EMALFORMED;
  if (index >= 3 && (type == 'v' || type == 'o' || type == 's'))
    return RILL_EMALFORMED;
  switch (type) {
  case 'v':
    return span_eq(v, "0") ? RILL_OK : RILL_EMALFORMED;
  case 'o':
    return on_origin(ps, v);
  case 's':
    if (v.n == 0)
      return RILL_EMALFORMED;
    return copy_field(v, s->name, sizeof(s->name)) ? RILL_OK : RILL_EUNSUPPORTED;
  case 't':
  case 'r':
  case 'z':
  case 'u':
  case 'e':
  case 'p':
    if (ps->in_media)
      return RILL_EMALFORMED; /* session-level only */
    if (type == 't')
      ps->have_t = true;
    return RILL_OK;
  case 'i':
  case 'b':
  case 'k':
    return RILL_OK;
  case 'c':
    if (ps->in_media && ps->skipping)
      return RILL_OK;
    if (ps->m) {
      status = parse_connection(v, ps->m->address, &ps->m->family);
      return status;
    }
    if (ps->in_media)
      return RILL_OK;
    return parse_connection(v, s->address, &s->family);
  case 'm':
    return on_media(ps, v);
  case 'a':
    if (ps->in_media && ps->skipping)
      return RILL_OK;
    return on_attribute(ps, v);
  default:
    return RILL_EMALFORMED; /* a type rill does not know: RFC 4566 5 */
  }
}

/* Walk the lines; stop after the origin when origin_only. */
static int walk(const char *text, size_t len, struct sdp_session *out, bool origin_only)
{
  struct parser ps = {out, NULL, false, false, false, 0};
  size_t pos = 0, index = 0;
  int status = RILL_OK;

  if (len > SDP_MAX_BYTES)
    return RILL_EUNSUPPORTED;
  while (pos < len) {
    size_t end = pos, line_len, i;
    struct span v;
    while (end < len && text[end] != '\n')
      end++;
    line_len = end - pos;
    if (line_len > 0 && text[pos + line_len - 1] == '\r')
      line_len--;
    if (index == SDP_MAX_LINES || line_len > SDP_MAX_LINE_BYTES)
      return RILL_EUNSUPPORTED;
    if (line_len < 2 || text[pos] < 'a' || text[pos] > 'z' || text[pos + 1] != '=')
      return RILL_EMALFORMED;
    for (i = pos; i < pos + line_len; i++) {
      unsigned char c = (unsigned char)text[i];
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return RILL_EMALFORMED;
    }
    v.p = text + pos + 2;
    v.n = line_len - 2;
    status = on_line(&ps, index, text[pos], v);
    if (status != RILL_OK)
      return status;
    index++;
    pos = end < len ? end + 1 : end;
    if (origin_only && index == 2)
      return RILL_OK;
  }
  if (index < 3)
    return RILL_EMALFORMED;
  if (origin_only)
    return RILL_OK;
  if (!ps.have_t)
    return RILL_EMALFORMED;
  if (out->media_count == 0)
    return RILL_EUNSUPPORTED;
  for (index = 0; index < out->media_count; index++) {
    struct sdp_media *m = &out->media[index];
    if (m->address[0] == '\0') {
      if (out->address[0] == '\0')
        return RILL_EMALFORMED; /* RFC 4566 5.7: c= in the session or every medium */
      memcpy(m->address, out->address, sizeof(m->address));
      m->family = out->family;
    }
  }
  return RILL_OK;
}

static int parse(const char *text, size_t len, struct sdp_session *out, bool origin_only)
{
  int status;
  if (!out)
    return RILL_EINVAL;
  memset(out, 0, sizeof(*out));
  if (!text)
    return RILL_EINVAL;
  status = walk(text, len, out, origin_only);
  if (status == RILL_OK && out->origin_address[0] == '\0')
    status = RILL_EMALFORMED;
  if (status != RILL_OK)
    memset(out, 0, sizeof(*out));
  return status;
}

int sdp_parse(const char *text, size_t len, struct sdp_session *out)
{
  return parse(text, len, out, false);
}

int sdp_parse_origin(const char *text, size_t len, struct sdp_session *out)
{
  return parse(text, len, out, true);
}

/* ---- compose ---- */

struct writer {
  char *out;
  size_t cap, len;
  bool full;
};

static void put(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct writer *w, const char *fmt, ...)
{
  va_list ap;
  int n;
  if (w->full)
    return;
  va_start(ap, fmt);
  n = vsnprintf(w->out + w->len, w->cap - w->len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= w->cap - w->len) {
    w->full = true;
    return;
  }
  w->len += (size_t)n;
}

/* Text that may go into a line: no control characters, not empty when required. */
static bool clean(const char *t, bool required, bool spaces)
{
  if (required && t[0] == '\0')
    return false;
  for (; *t; t++)
    if ((unsigned char)*t < 0x20 || *t == 0x7f || (!spaces && *t == ' '))
      return false;
  return true;
}

static bool is_multicast4(const char *addr)
{
  struct in_addr a;
  return inet_pton(AF_INET, addr, &a) == 1 && IN_MULTICAST(ntohl(a.s_addr));
}

static void put_connection(struct writer *w, const char *addr, int family)
{
  put(w, "c=IN %s %s%s\n", family == AF_INET6 ? "IP6" : "IP4", addr,
      family != AF_INET6 && is_multicast4(addr) ? "/1" : "");
}

int sdp_compose(const struct sdp_session *s, const char *tool, char *out, size_t cap,
                size_t *len)
{
  struct writer w = {out, cap, 0, false};
  uint8_t i, j;
  if (!s || !out || !len || cap == 0)
    return RILL_EINVAL;
  out[0] = '\0';
  if (s->media_count == 0 || s->media_count > SDP_MAX_MEDIA ||
      !clean(s->origin_user, true, false) || !clean(s->origin_address, true, false) ||
      !clean(s->name, true, true) || !clean(s->address, false, false) ||
      (tool && !clean(tool, true, true)))
    return RILL_EINVAL;
  for (i = 0; i < s->media_count; i++) {
    const struct sdp_media *m = &s->media[i];
    if (m->format_count == 0 || m->format_count > SDP_MAX_FORMATS || m->port == 0 ||
        !clean(m->address, false, false) || (m->address[0] == '\0' && s->address[0] == '\0'))
      return RILL_EINVAL;
    for (j = 0; j < m->format_count; j++)
      if (!m->formats[j].has_rtpmap || m->formats[j].payload_type > 127 ||
          !clean(m->formats[j].encoding, true, false) || m->formats[j].rate_hz == 0 ||
          m->formats[j].channels == 0)
        return RILL_EINVAL;
  }
  put(&w, "v=0\no=%s %llu %llu IN %s %s\ns=%s\n", s->origin_user,
      (unsigned long long)s->origin_id, (unsigned long long)s->origin_version,
      s->origin_family == AF_INET6 ? "IP6" : "IP4", s->origin_address, s->name);
  if (s->address[0])
    put_connection(&w, s->address, s->family);
  put(&w, "t=0 0\na=recvonly\n");
  if (tool)
    put(&w, "a=tool:%s\n", tool);
  for (i = 0; i < s->media_count; i++) {
    const struct sdp_media *m = &s->media[i];
    put(&w, "m=audio %u RTP/AVP", (unsigned)m->port);
    for (j = 0; j < m->format_count; j++)
      put(&w, " %u", (unsigned)m->formats[j].payload_type);
    put(&w, "\n");
    if (m->address[0] && strcmp(m->address, s->address) != 0)
      put_connection(&w, m->address, m->family);
    for (j = 0; j < m->format_count; j++) {
      const struct sdp_format *f = &m->formats[j];
      put(&w, "a=rtpmap:%u %s/%u/%u\n", (unsigned)f->payload_type, f->encoding,
          (unsigned)f->rate_hz, (unsigned)f->channels);
      if (f->sprop_stereo)
        put(&w, "a=fmtp:%u sprop-stereo=1\n", (unsigned)f->payload_type);
    }
    if (m->ptime_us) {
      if (m->ptime_us % 1000 == 0)
        put(&w, "a=ptime:%u\n", (unsigned)(m->ptime_us / 1000));
      else
        put(&w, "a=ptime:%u.%03u\n", (unsigned)(m->ptime_us / 1000),
            (unsigned)(m->ptime_us % 1000));
    }
  }
  if (w.full || w.len > SDP_MAX_BYTES) {
    out[0] = '\0';
    return RILL_ENOSPC;
  }
  *len = w.len;
  return RILL_OK;
}

int sdp_format_to_rtp(const struct sdp_format *f, struct rtp_encoding *out)
{
  if (!f || !out || !f->has_rtpmap || f->rate_hz == 0 || f->channels == 0 ||
      f->channels > RTP_MAX_CHANNELS)
    return RILL_EUNSUPPORTED;
  if (strcasecmp(f->encoding, "L16") == 0)
    out->format = RTP_FMT_S16BE;
  else if (strcasecmp(f->encoding, "L24") == 0)
    out->format = RTP_FMT_S24BE;
  else if (strcasecmp(f->encoding, "opus") == 0) {
    /* RFC 7587 7: always "opus/48000/2", whatever the stream carries; the
     * decoder gives stereo either way. */
    if (f->rate_hz != 48000 || f->channels != 2)
      return RILL_EUNSUPPORTED;
    out->format = RTP_FMT_OPUS;
  } else
    return RILL_EUNSUPPORTED;
  out->payload_type = f->payload_type;
  out->rate_hz = f->rate_hz;
  out->channels = f->channels;
  return RILL_OK;
}

int sdp_format_from_rtp(const struct rtp_encoding *enc, struct sdp_format *out)
{
  const char *name;
  if (!enc || !out)
    return RILL_EUNSUPPORTED;
  switch (enc->format) {
  case RTP_FMT_S16BE:
    name = "L16";
    break;
  case RTP_FMT_S24BE:
    name = "L24";
    break;
  case RTP_FMT_OPUS:
    name = "opus";
    break;
  default:
    return RILL_EUNSUPPORTED; /* F32 has no registered name */
  }
  memset(out, 0, sizeof(*out));
  out->payload_type = enc->payload_type;
  out->has_rtpmap = true;
  memcpy(out->encoding, name, strlen(name) + 1);
  out->rate_hz = enc->rate_hz;
  out->channels = enc->channels;
  if (enc->format == RTP_FMT_OPUS) {
    /* RFC 7587 7: "opus/48000/2" for mono too; what the stream carries is
     * said by sprop-stereo (absent: a receiver may downmix to mono). */
    out->sprop_stereo = enc->channels == 2;
    out->channels = 2;
  }
  return RILL_OK;
}

bool sdp_same_origin(const struct sdp_session *a, const struct sdp_session *b)
{
  return a->origin_id == b->origin_id && strcmp(a->origin_user, b->origin_user) == 0 &&
         strcmp(a->origin_address, b->origin_address) == 0;
}
