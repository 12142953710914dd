/*
 * RTCP and RTCP XR compound packets: parse and compose (layouts in
 * rtcp/rtcp.h).
 *
 * Design: parsing is layered so that each layer checks only its own lengths
 * against the bytes the layer above has already proven to exist.
 * rtcp_walk_init proves the framing of the whole datagram once (every
 * header inside it, the lengths adding up exactly, padding valid and only
 * at the end), so rtcp_walk_next only slices. Each sub-packet parser then
 * checks its counts and item lengths against the view's length before it
 * reads, in the form `len - pos < need` with pos <= len already known, so
 * no sum can wrap. Sub-walks (SDES chunks, XR blocks) stop for good at the
 * first lie: pos becomes WALK_STOPPED and every later call says
 * RILL_EMALFORMED again without counting it twice.
 *
 * Composing reserves the whole sub-packet (or XR block) first, so that
 * RILL_ENOSPC leaves the buffer and the builder as they were, then writes
 * it with every byte set (reserved fields and padding to 0).
 */
#include "rtcp/rtcp.h"

#include <rill/status.h>
#include <string.h>

#include "rtp/byteorder.h"

#define HEADER_BYTES 4
#define SR_INFO_BYTES 20 /* ntp, rtp ts, packet count, octet count */
#define SR_BLOCKS_AT (HEADER_BYTES + 4 + SR_INFO_BYTES)
#define RR_BLOCKS_AT (HEADER_BYTES + 4)
#define XR_BLOCKS_AT (HEADER_BYTES + 4)
#define XR_BLOCK_HEADER_BYTES 4
#define DLRR_ITEM_BYTES 12
#define RRTR_BODY_BYTES 8
#define MI_BODY_BYTES 28
#define DM_BODY_BYTES 24
#define QM_SHORT_BODY_BYTES 8 /* ssrc, niq latency (roc before niq stalling) */
#define QM_BODY_BYTES 12
#define METRIC_FLAG_SHIFT 6
/* A sub-packet's or XR block's length field counts 16-bit many words. */
#define MAX_LENGTH_WORDS 0xFFFFu
#define CUM_LOST_MAX INT32_C(0x7FFFFF)
#define CUM_LOST_MIN (-INT32_C(0x800000))

#define WALK_STOPPED SIZE_MAX

static size_t round_up4(size_t n)
{
  return (n + 3) & ~(size_t)3;
}

static void count_malformed(struct rtcp_parse_stats *stats)
{
  if (stats != NULL)
    stats->malformed++;
}

/* Copy `n` bytes of item text to a C string of `cap` bytes, truncating. */
static void copy_text(char *dst, size_t cap, const uint8_t *src, size_t n)
{
  if (dst == NULL || cap == 0)
    return;
  if (n > cap - 1)
    n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void clear_text(char *dst, size_t cap)
{
  if (dst != NULL && cap > 0)
    dst[0] = '\0';
}

/* ---- compound framing ---- */

int rtcp_walk_init(struct rtcp_walk *w, const uint8_t *data, size_t len)
{
  size_t pos = 0;

  if (w == NULL || (data == NULL && len > 0))
    return RILL_EINVAL;
  memset(w, 0, sizeof(*w));
  if (len < HEADER_BYTES)
    goto malformed;

  while (pos < len) {
    const uint8_t *p = data + pos;
    size_t bytes;

    if (len - pos < HEADER_BYTES || p[0] >> 6 != RTCP_VERSION)
      goto malformed;
    bytes = 4 * ((size_t)rtp_load_be16(p + 2) + 1);
    if (bytes > len - pos)
      goto malformed;
    if (p[0] & 0x20) {
      /* Only the last sub-packet may be padded; the count byte ends it. */
      if (bytes != len - pos || data[len - 1] == 0 || data[len - 1] > bytes - HEADER_BYTES)
        goto malformed;
    }
    pos += bytes;
  }
  w->data = data;
  w->len = len;
  return RILL_OK;

malformed:
  w->stats.malformed = 1;
  return RILL_EMALFORMED;
}

int rtcp_walk_next(struct rtcp_walk *w, struct rtcp_view *out)
{
  const uint8_t *p;
  size_t bytes;

  if (w == NULL || out == NULL)
    return RILL_EINVAL;
  if (w->pos >= w->len)
    return RILL_EEMPTY;
  /* rtcp_walk_init proved that a whole header and its length fit here. */
  p = w->data + w->pos;
  bytes = 4 * ((size_t)rtp_load_be16(p + 2) + 1);
  w->pos += bytes;

  out->type = (enum rtcp_type)p[1];
  out->count = p[0] & 0x1f;
  out->data = p;
  out->len = (p[0] & 0x20) ? bytes - p[bytes - 1] : bytes;
  out->stats = &w->stats;
  switch (p[1]) {
  case RTCP_SR:
  case RTCP_RR:
  case RTCP_SDES:
  case RTCP_BYE:
  case RTCP_XR:
    break;
  default:
    w->stats.skipped++;
    break;
  }
  return RILL_OK;
}

/* ---- SR, RR ---- */

static int parse_report(const struct rtcp_view *v, size_t blocks_at, size_t *blocks)
{
  if (v->len < blocks_at || (v->len - blocks_at) / RTCP_REPORT_BLOCK_BYTES < v->count) {
    count_malformed(v->stats);
    return RILL_EMALFORMED;
  }
  *blocks = v->count;
  return RILL_OK;
}

int rtcp_parse_sr(const struct rtcp_view *v, struct rtcp_sr *sr, size_t *blocks)
{
  const uint8_t *p;
  int rc;

  if (v == NULL || sr == NULL || blocks == NULL || v->type != RTCP_SR)
    return RILL_EINVAL;
  rc = parse_report(v, SR_BLOCKS_AT, blocks);
  if (rc != RILL_OK)
    return rc;
  p = v->data + HEADER_BYTES;
  sr->ssrc = rtp_load_be32(p);
  sr->ntp = rtp_load_be64(p + 4);
  sr->rtp_ts = rtp_load_be32(p + 12);
  sr->packet_count = rtp_load_be32(p + 16);
  sr->octet_count = rtp_load_be32(p + 20);
  return RILL_OK;
}

int rtcp_parse_rr(const struct rtcp_view *v, uint32_t *ssrc, size_t *blocks)
{
  int rc;

  if (v == NULL || ssrc == NULL || blocks == NULL || v->type != RTCP_RR)
    return RILL_EINVAL;
  rc = parse_report(v, RR_BLOCKS_AT, blocks);
  if (rc != RILL_OK)
    return rc;
  *ssrc = rtp_load_be32(v->data + HEADER_BYTES);
  return RILL_OK;
}

void rtcp_report_block(const struct rtcp_view *v, size_t i, struct rtcp_report_block *out)
{
  size_t at;
  const uint8_t *p;
  uint32_t lost;

  if (out == NULL)
    return;
  memset(out, 0, sizeof(*out));
  if (v == NULL || (v->type != RTCP_SR && v->type != RTCP_RR))
    return;
  at = v->type == RTCP_SR ? SR_BLOCKS_AT : RR_BLOCKS_AT;
  if (v->len < at || i >= (v->len - at) / RTCP_REPORT_BLOCK_BYTES)
    return;
  p = v->data + at + i * RTCP_REPORT_BLOCK_BYTES;
  out->ssrc = rtp_load_be32(p);
  out->fraction_lost = p[4];
  lost = rtp_load_be24(p + 5);
  /* Sign-extend the 24-bit two's complement value. */
  out->cum_lost = (lost & 0x800000u) ? (int32_t)lost - INT32_C(0x1000000) : (int32_t)lost;
  out->ext_highest_seq = rtp_load_be32(p + 8);
  out->jitter = rtp_load_be32(p + 12);
  out->lsr = rtp_load_be32(p + 16);
  out->dlsr = rtp_load_be32(p + 20);
}

/* ---- SDES ---- */

void rtcp_sdes_init(struct rtcp_sdes_walk *sw, const struct rtcp_view *v)
{
  if (sw == NULL)
    return;
  sw->v = v;
  sw->pos = HEADER_BYTES;
  sw->chunks_left = v != NULL ? v->count : 0;
}

int rtcp_sdes_next(struct rtcp_sdes_walk *sw, uint32_t *ssrc, char *cname, size_t cname_cap)
{
  const uint8_t *p;
  size_t len, pos, end;
  bool have_cname = false;
  uint32_t chunk_ssrc;

  if (sw == NULL || sw->v == NULL || ssrc == NULL || sw->v->type != RTCP_SDES)
    return RILL_EINVAL;
  clear_text(cname, cname_cap);
  if (sw->pos == WALK_STOPPED)
    return RILL_EMALFORMED;
  p = sw->v->data;
  len = sw->v->len;
  pos = sw->pos;

  if (sw->chunks_left == 0) {
    if (pos != len) /* more chunks than SC says */
      goto malformed;
    return RILL_EEMPTY;
  }
  if (pos > len || len - pos < 4)
    goto malformed;
  chunk_ssrc = rtp_load_be32(p + pos);
  pos += 4;
  for (;;) {
    size_t text_len;

    if (pos == len) /* no terminating zero */
      goto malformed;
    if (p[pos] == RTCP_SDES_END)
      break;
    if (len - pos < 2)
      goto malformed;
    text_len = p[pos + 1];
    if (len - pos - 2 < text_len)
      goto malformed;
    if (p[pos] == RTCP_SDES_CNAME && !have_cname) {
      copy_text(cname, cname_cap, p + pos + 2, text_len);
      have_cname = true;
    }
    pos += 2 + text_len;
  }
  /* The zero at pos, then zeros up to the next word (sub-packets start on
   * a word, so the view's offsets are the datagram's modulo 4). */
  end = round_up4(pos + 1);
  if (end > len)
    goto malformed;
  sw->pos = end;
  sw->chunks_left--;
  *ssrc = chunk_ssrc;
  return RILL_OK;

malformed:
  sw->pos = WALK_STOPPED;
  clear_text(cname, cname_cap);
  count_malformed(sw->v->stats);
  return RILL_EMALFORMED;
}

/* ---- BYE ---- */

int rtcp_parse_bye(const struct rtcp_view *v, size_t *count, char *reason, size_t reason_cap)
{
  size_t pos;

  if (v == NULL || count == NULL || v->type != RTCP_BYE)
    return RILL_EINVAL;
  clear_text(reason, reason_cap);
  if (v->len < HEADER_BYTES || (v->len - HEADER_BYTES) / 4 < v->count)
    goto malformed;
  pos = HEADER_BYTES + 4 * (size_t)v->count;
  if (pos < v->len) {
    size_t text_len = v->data[pos];
    if (v->len - pos - 1 < text_len)
      goto malformed;
    copy_text(reason, reason_cap, v->data + pos + 1, text_len);
  }
  *count = v->count;
  return RILL_OK;

malformed:
  count_malformed(v->stats);
  return RILL_EMALFORMED;
}

uint32_t rtcp_bye_ssrc(const struct rtcp_view *v, size_t i)
{
  if (v == NULL || v->type != RTCP_BYE || v->len < HEADER_BYTES || i >= v->count ||
      i >= (v->len - HEADER_BYTES) / 4)
    return 0;
  return rtp_load_be32(v->data + HEADER_BYTES + 4 * i);
}

/* ---- XR ---- */

int rtcp_xr_init(struct rtcp_xr_walk *xw, const struct rtcp_view *v, uint32_t *ssrc,
                 struct rtcp_parse_stats *stats)
{
  if (xw == NULL || v == NULL || v->type != RTCP_XR)
    return RILL_EINVAL;
  xw->v = v;
  xw->stats = stats;
  xw->pos = XR_BLOCKS_AT;
  if (v->len < XR_BLOCKS_AT) {
    xw->pos = WALK_STOPPED;
    count_malformed(stats);
    return RILL_EMALFORMED;
  }
  if (ssrc != NULL)
    *ssrc = rtp_load_be32(v->data + HEADER_BYTES);
  return RILL_OK;
}

/* Read the body `b` (`body` bytes, all inside the packet) of a known block
 * into `out`; false when it is too short for its type. */
static bool read_xr_block(uint8_t bt, uint8_t type_specific, const uint8_t *b, size_t body,
                          struct rtcp_xr_block *out)
{
  enum rtcp_metric_flag flag = (enum rtcp_metric_flag)(type_specific >> METRIC_FLAG_SHIFT);

  memset(out, 0, sizeof(*out));
  out->type = (enum rtcp_xr_type)bt;
  switch (bt) {
  case RTCP_XR_RRTR:
    if (body < RRTR_BODY_BYTES)
      return false;
    out->u.rrtr_ntp = rtp_load_be64(b);
    return true;
  case RTCP_XR_DLRR:
    if (body % DLRR_ITEM_BYTES != 0)
      return false;
    out->u.dlrr.items = b;
    out->u.dlrr.count = body / DLRR_ITEM_BYTES;
    return true;
  case RTCP_XR_MEASUREMENT_INFO:
    if (body < MI_BODY_BYTES)
      return false;
    out->u.mi.ssrc = rtp_load_be32(b);
    out->u.mi.first_seq = rtp_load_be16(b + 6);
    out->u.mi.interval_first_seq = rtp_load_be32(b + 8);
    out->u.mi.interval_last_seq = rtp_load_be32(b + 12);
    out->u.mi.interval_duration = rtp_load_be32(b + 16);
    out->u.mi.cumulative_duration = rtp_load_be64(b + 20);
    return true;
  case RTCP_XR_DELAY_METRICS:
    if (body < DM_BODY_BYTES)
      return false;
    out->u.dm.flag = flag;
    out->u.dm.ssrc = rtp_load_be32(b);
    out->u.dm.mean_rtt = rtp_load_be32(b + 4);
    out->u.dm.min_rtt = rtp_load_be32(b + 8);
    out->u.dm.max_rtt = rtp_load_be32(b + 12);
    out->u.dm.e2e_delay = rtp_load_be64(b + 16);
    return true;
  case RTCP_XR_QUEUE_METRICS:
    if (body < QM_SHORT_BODY_BYTES)
      return false;
    out->u.qm.flag = flag;
    out->u.qm.ssrc = rtp_load_be32(b);
    out->u.qm.niq_latency = rtp_load_be32(b + 4);
    out->u.qm.niq_stalling = body >= QM_BODY_BYTES ? rtp_load_be32(b + 8) : RTCP_XR_UNKNOWN_32;
    return true;
  default:
    return false;
  }
}

int rtcp_xr_next(struct rtcp_xr_walk *xw, struct rtcp_xr_block *out)
{
  const uint8_t *p;
  size_t len;

  if (xw == NULL || xw->v == NULL || out == NULL)
    return RILL_EINVAL;
  if (xw->pos == WALK_STOPPED)
    return RILL_EMALFORMED;
  p = xw->v->data;
  len = xw->v->len;
  while (xw->pos < len) {
    const uint8_t *b = p + xw->pos;
    size_t body;

    if (len - xw->pos < XR_BLOCK_HEADER_BYTES)
      goto malformed;
    body = 4 * (size_t)rtp_load_be16(b + 2);
    if (len - xw->pos - XR_BLOCK_HEADER_BYTES < body)
      goto malformed;
    xw->pos += XR_BLOCK_HEADER_BYTES + body;
    switch (b[0]) {
    case RTCP_XR_RRTR:
    case RTCP_XR_DLRR:
    case RTCP_XR_MEASUREMENT_INFO:
    case RTCP_XR_DELAY_METRICS:
    case RTCP_XR_QUEUE_METRICS:
      if (!read_xr_block(b[0], b[1], b + XR_BLOCK_HEADER_BYTES, body, out))
        goto malformed;
      return RILL_OK;
    default:
      if (xw->stats != NULL)
        xw->stats->skipped++;
      break;
    }
  }
  return RILL_EEMPTY;

malformed:
  xw->pos = WALK_STOPPED;
  count_malformed(xw->stats);
  return RILL_EMALFORMED;
}

void rtcp_xr_dlrr_item(const struct rtcp_xr_block *b, size_t i, struct rtcp_xr_dlrr_item *out)
{
  const uint8_t *p;

  if (out == NULL)
    return;
  memset(out, 0, sizeof(*out));
  if (b == NULL || b->type != RTCP_XR_DLRR || b->u.dlrr.items == NULL || i >= b->u.dlrr.count)
    return;
  p = b->u.dlrr.items + i * DLRR_ITEM_BYTES;
  out->ssrc = rtp_load_be32(p);
  out->lrr = rtp_load_be32(p + 4);
  out->dlrr = rtp_load_be32(p + 8);
}

/* ---- composing ---- */

void rtcp_builder_init(struct rtcp_builder *b, uint8_t *buf, size_t cap)
{
  if (b == NULL)
    return;
  b->buf = buf;
  b->cap = buf != NULL ? cap : 0;
  b->len = 0;
  b->xr_start = SIZE_MAX;
}

static bool builder_ok(const struct rtcp_builder *b)
{
  return b != NULL && b->len <= b->cap && (b->buf != NULL || b->cap == 0);
}

/* Reserve `bytes` at the end, zeroed: NULL when they do not fit. */
static uint8_t *reserve(struct rtcp_builder *b, size_t bytes)
{
  uint8_t *p;

  if (b->cap - b->len < bytes)
    return NULL;
  p = b->buf + b->len;
  memset(p, 0, bytes);
  b->len += bytes;
  return p;
}

static void put_header(uint8_t *p, size_t count, uint8_t type, size_t bytes)
{
  p[0] = (uint8_t)(RTCP_VERSION << 6 | count);
  p[1] = type;
  rtp_store_be16(p + 2, (uint16_t)(bytes / 4 - 1));
}

/* A non-XR sub-packet of `bytes` (a multiple of 4) with its header written. */
static int begin_packet(struct rtcp_builder *b, size_t count, uint8_t type, size_t bytes,
                        uint8_t **out)
{
  uint8_t *p;

  if (b->xr_start != SIZE_MAX)
    return RILL_EINVAL;
  p = reserve(b, bytes);
  if (p == NULL)
    return RILL_ENOSPC;
  put_header(p, count, type, bytes);
  *out = p;
  return RILL_OK;
}

static void put_report_block(uint8_t *p, const struct rtcp_report_block *rb)
{
  rtp_store_be32(p, rb->ssrc);
  p[4] = rb->fraction_lost;
  rtp_store_be24(p + 5, (uint32_t)rtcp_clamp_cum_lost(rb->cum_lost) & 0xFFFFFFu);
  rtp_store_be32(p + 8, rb->ext_highest_seq);
  rtp_store_be32(p + 12, rb->jitter);
  rtp_store_be32(p + 16, rb->lsr);
  rtp_store_be32(p + 20, rb->dlsr);
}

/* SR (sr != NULL) or RR. */
static int add_report(struct rtcp_builder *b, const struct rtcp_sr *sr, uint32_t ssrc,
                      const struct rtcp_report_block *blocks, size_t n)
{
  size_t at = sr != NULL ? SR_BLOCKS_AT : RR_BLOCKS_AT;
  uint8_t *p;
  size_t i;
  int rc;

  if (!builder_ok(b) || n > RTCP_MAX_COUNT || (n > 0 && blocks == NULL))
    return RILL_EINVAL;
  rc = begin_packet(b, n, sr != NULL ? RTCP_SR : RTCP_RR, at + n * RTCP_REPORT_BLOCK_BYTES, &p);
  if (rc != RILL_OK)
    return rc;
  rtp_store_be32(p + HEADER_BYTES, ssrc);
  if (sr != NULL) {
    rtp_store_be64(p + 8, sr->ntp);
    rtp_store_be32(p + 16, sr->rtp_ts);
    rtp_store_be32(p + 20, sr->packet_count);
    rtp_store_be32(p + 24, sr->octet_count);
  }
  for (i = 0; i < n; i++)
    put_report_block(p + at + i * RTCP_REPORT_BLOCK_BYTES, &blocks[i]);
  return RILL_OK;
}

int rtcp_add_sr(struct rtcp_builder *b, const struct rtcp_sr *sr,
                const struct rtcp_report_block *blocks, size_t n)
{
  if (sr == NULL)
    return RILL_EINVAL;
  return add_report(b, sr, sr->ssrc, blocks, n);
}

int rtcp_add_rr(struct rtcp_builder *b, uint32_t ssrc, const struct rtcp_report_block *blocks,
                size_t n)
{
  return add_report(b, NULL, ssrc, blocks, n);
}

int rtcp_add_sdes_cname(struct rtcp_builder *b, uint32_t ssrc, const char *cname)
{
  size_t text_len;
  uint8_t *p;
  int rc;

  if (!builder_ok(b) || cname == NULL)
    return RILL_EINVAL;
  text_len = strnlen(cname, RTCP_MAX_TEXT + 1);
  if (text_len == 0 || text_len > RTCP_MAX_TEXT)
    return RILL_EINVAL;
  /* Header, SSRC, the item, at least one zero, up to a word. */
  rc = begin_packet(b, 1, RTCP_SDES, HEADER_BYTES + 4 + round_up4(2 + text_len + 1), &p);
  if (rc != RILL_OK)
    return rc;
  rtp_store_be32(p + HEADER_BYTES, ssrc);
  p[8] = RTCP_SDES_CNAME;
  p[9] = (uint8_t)text_len;
  memcpy(p + 10, cname, text_len);
  return RILL_OK;
}

int rtcp_add_bye(struct rtcp_builder *b, const uint32_t *ssrcs, size_t n, const char *reason)
{
  size_t text_len = reason != NULL ? strnlen(reason, RTCP_MAX_TEXT + 1) : 0;
  size_t at = HEADER_BYTES + 4 * n;
  uint8_t *p;
  size_t i;
  int rc;

  if (!builder_ok(b) || n > RTCP_MAX_COUNT || (n > 0 && ssrcs == NULL) ||
      text_len > RTCP_MAX_TEXT)
    return RILL_EINVAL;
  rc = begin_packet(b, n, RTCP_BYE, at + (text_len > 0 ? round_up4(1 + text_len) : 0), &p);
  if (rc != RILL_OK)
    return rc;
  for (i = 0; i < n; i++)
    rtp_store_be32(p + HEADER_BYTES + 4 * i, ssrcs[i]);
  if (text_len > 0) {
    p[at] = (uint8_t)text_len;
    memcpy(p + at + 1, reason, text_len);
  }
  return RILL_OK;
}

int rtcp_xr_begin(struct rtcp_builder *b, uint32_t ssrc)
{
  size_t start;
  uint8_t *p;
  int rc;

  if (!builder_ok(b))
    return RILL_EINVAL;
  start = b->len;
  rc = begin_packet(b, 0, RTCP_XR, XR_BLOCKS_AT, &p);
  if (rc != RILL_OK)
    return rc;
  rtp_store_be32(p + HEADER_BYTES, ssrc);
  b->xr_start = start;
  return RILL_OK;
}

/* Append an XR block header and `body` zeroed bytes to the open XR packet;
 * `*out` gets the body. */
static int add_xr_block(struct rtcp_builder *b, uint8_t bt, uint8_t type_specific, size_t body,
                        uint8_t **out)
{
  uint8_t *p;

  if (!builder_ok(b) || b->xr_start == SIZE_MAX || body / 4 > MAX_LENGTH_WORDS)
    return RILL_EINVAL;
  /* The XR packet's own length field must still hold the total. */
  if ((b->len - b->xr_start + XR_BLOCK_HEADER_BYTES + body) / 4 - 1 > MAX_LENGTH_WORDS)
    return RILL_ENOSPC;
  p = reserve(b, XR_BLOCK_HEADER_BYTES + body);
  if (p == NULL)
    return RILL_ENOSPC;
  p[0] = bt;
  p[1] = type_specific;
  rtp_store_be16(p + 2, (uint16_t)(body / 4));
  *out = p + XR_BLOCK_HEADER_BYTES;
  return RILL_OK;
}

int rtcp_xr_add_rrtr(struct rtcp_builder *b, uint64_t ntp)
{
  uint8_t *p;
  int rc = add_xr_block(b, RTCP_XR_RRTR, 0, RRTR_BODY_BYTES, &p);

  if (rc != RILL_OK)
    return rc;
  rtp_store_be64(p, ntp);
  return RILL_OK;
}

int rtcp_xr_add_dlrr(struct rtcp_builder *b, const struct rtcp_xr_dlrr_item *items, size_t n)
{
  uint8_t *p;
  size_t i;
  int rc;

  if (n > MAX_LENGTH_WORDS / 3 || (n > 0 && items == NULL))
    return RILL_EINVAL;
  rc = add_xr_block(b, RTCP_XR_DLRR, 0, n * DLRR_ITEM_BYTES, &p);
  if (rc != RILL_OK)
    return rc;
  for (i = 0; i < n; i++, p += DLRR_ITEM_BYTES) {
    rtp_store_be32(p, items[i].ssrc);
    rtp_store_be32(p + 4, items[i].lrr);
    rtp_store_be32(p + 8, items[i].dlrr);
  }
  return RILL_OK;
}

int rtcp_xr_add_mi(struct rtcp_builder *b, const struct rtcp_xr_mi *mi)
{
  uint8_t *p;
  int rc;

  if (mi == NULL)
    return RILL_EINVAL;
  rc = add_xr_block(b, RTCP_XR_MEASUREMENT_INFO, 0, MI_BODY_BYTES, &p);
  if (rc != RILL_OK)
    return rc;
  rtp_store_be32(p, mi->ssrc);
  rtp_store_be16(p + 6, mi->first_seq);
  rtp_store_be32(p + 8, mi->interval_first_seq);
  rtp_store_be32(p + 12, mi->interval_last_seq);
  rtp_store_be32(p + 16, mi->interval_duration);
  rtp_store_be64(p + 20, mi->cumulative_duration);
  return RILL_OK;
}

/* A DM or QM block: the interval metric flag in the type-specific bits. */
static int add_metric_block(struct rtcp_builder *b, uint8_t bt, enum rtcp_metric_flag flag,
                            size_t body, uint8_t **out)
{
  if (flag != RTCP_METRIC_SAMPLED && flag != RTCP_METRIC_INTERVAL &&
      flag != RTCP_METRIC_CUMULATIVE)
    return RILL_EINVAL;
  return add_xr_block(b, bt, (uint8_t)(flag << METRIC_FLAG_SHIFT), body, out);
}

int rtcp_xr_add_dm(struct rtcp_builder *b, const struct rtcp_xr_dm *dm)
{
  uint8_t *p;
  int rc = dm != NULL ? add_metric_block(b, RTCP_XR_DELAY_METRICS, dm->flag, DM_BODY_BYTES, &p)
                      : RILL_EINVAL;

  if (rc != RILL_OK)
    return rc;
  rtp_store_be32(p, dm->ssrc);
  rtp_store_be32(p + 4, dm->mean_rtt);
  rtp_store_be32(p + 8, dm->min_rtt);
  rtp_store_be32(p + 12, dm->max_rtt);
  rtp_store_be64(p + 16, dm->e2e_delay);
  return RILL_OK;
}

int rtcp_xr_add_qm(struct rtcp_builder *b, const struct rtcp_xr_qm *qm)
{
  uint8_t *p;
  int rc = qm != NULL ? add_metric_block(b, RTCP_XR_QUEUE_METRICS, qm->flag, QM_BODY_BYTES, &p)
                      : RILL_EINVAL;

  if (rc != RILL_OK)
    return rc;
  rtp_store_be32(p, qm->ssrc);
  rtp_store_be32(p + 4, qm->niq_latency);
  rtp_store_be32(p + 8, qm->niq_stalling);
  return RILL_OK;
}

int rtcp_xr_end(struct rtcp_builder *b)
{
  if (!builder_ok(b) || b->xr_start == SIZE_MAX)
    return RILL_EINVAL;
  put_header(b->buf + b->xr_start, 0, RTCP_XR, b->len - b->xr_start);
  b->xr_start = SIZE_MAX;
  return RILL_OK;
}

/* ---- report block values ---- */

uint8_t rtcp_fraction_lost(uint32_t expected_interval, uint32_t received_interval)
{
  uint64_t lost;

  if (expected_interval == 0 || received_interval >= expected_interval)
    return 0;
  lost = (uint64_t)(expected_interval - received_interval);
  lost = (lost << 8) / expected_interval;
  return lost > 255 ? 255 : (uint8_t)lost;
}

int32_t rtcp_clamp_cum_lost(int64_t lost)
{
  if (lost > CUM_LOST_MAX)
    return CUM_LOST_MAX;
  if (lost < CUM_LOST_MIN)
    return CUM_LOST_MIN;
  return (int32_t)lost;
}
