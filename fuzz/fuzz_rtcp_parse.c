/*
 * Fuzz target: rtcp_walk_init, then every sub-packet parser and every
 * block / chunk / item walk over what it accepts.
 *
 * Beyond "no crash, no out-of-bounds read" it checks the codec's contract
 * and aborts on any violation:
 *  - a rejected datagram gives an empty walk with malformed = 1;
 *  - the views tile the datagram: each starts where the last ended, its
 *    length is the header's minus the padding, and they add up to `size`;
 *  - every value that parses composes again (the builder also says ENOSPC,
 *    writing nothing, one byte short), and the composed packet parses back
 *    to the same values; an SR or RR without extension bytes composes to
 *    the input's bytes exactly;
 *  - parse failures are counted once each in the walk's stats, and a
 *    stopped SDES or XR walk stays stopped.
 */
#include <rill/status.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "rtcp/rtcp.h"
#include "rtp/byteorder.h"

/* The largest sub-packet: a 16-bit word count. */
#define MAX_PACKET_BYTES (4 * 65536)
#define MAX_DLRR_ITEMS (65535 / 3)

static uint8_t out_buf[MAX_PACKET_BYTES];
static struct rtcp_xr_dlrr_item dlrr_items[MAX_DLRR_ITEMS];

/* One composition, so that it can be run with a short buffer first. */
struct compose {
  int (*fn)(struct rtcp_builder *b, const struct compose *c);
  const struct rtcp_sr *sr;
  uint32_t ssrc;
  const struct rtcp_report_block *blocks;
  const uint32_t *ssrcs;
  size_t n;
  const char *text;
  const struct rtcp_xr_block *xr;
};

static int compose_sr(struct rtcp_builder *b, const struct compose *c)
{
  return rtcp_add_sr(b, c->sr, c->blocks, c->n);
}

static int compose_rr(struct rtcp_builder *b, const struct compose *c)
{
  return rtcp_add_rr(b, c->ssrc, c->blocks, c->n);
}

static int compose_sdes(struct rtcp_builder *b, const struct compose *c)
{
  return rtcp_add_sdes_cname(b, c->ssrc, c->text);
}

static int compose_bye(struct rtcp_builder *b, const struct compose *c)
{
  return rtcp_add_bye(b, c->ssrcs, c->n, c->text);
}

/* An XR packet with the one block c->xr. */
static int compose_xr(struct rtcp_builder *b, const struct compose *c)
{
  const struct rtcp_xr_block *x = c->xr;
  int rc = rtcp_xr_begin(b, c->ssrc);

  if (rc != RILL_OK)
    return rc;
  switch (x->type) {
  case RTCP_XR_RRTR:
    rc = rtcp_xr_add_rrtr(b, x->u.rrtr_ntp);
    break;
  case RTCP_XR_DLRR:
    rc = rtcp_xr_add_dlrr(b, dlrr_items, x->u.dlrr.count);
    break;
  case RTCP_XR_MEASUREMENT_INFO:
    rc = rtcp_xr_add_mi(b, &x->u.mi);
    break;
  case RTCP_XR_DELAY_METRICS:
    rc = rtcp_xr_add_dm(b, &x->u.dm);
    break;
  case RTCP_XR_QUEUE_METRICS:
    rc = rtcp_xr_add_qm(b, &x->u.qm);
    break;
  }
  return rc != RILL_OK ? rc : rtcp_xr_end(b);
}

/*
 * Compose `c` into out_buf: one byte short gives ENOSPC (and for a plain
 * packet nothing written), then it fits. The result is walked again into
 * `*v` (of `type`), using the walk `w`, which must outlive the view.
 */
static void compose_and_reparse(const struct compose *c, int type, struct rtcp_walk *w,
                                struct rtcp_view *v)
{
  struct rtcp_builder b;
  size_t need;

  rtcp_builder_init(&b, out_buf, sizeof(out_buf));
  CHECK(c->fn(&b, c) == RILL_OK);
  need = b.len;
  CHECK(need % 4 == 0 && need >= 4);
  rtcp_builder_init(&b, out_buf, need - 1);
  CHECK(c->fn(&b, c) == RILL_ENOSPC);
  if (type != RTCP_XR)
    CHECK(b.len == 0);
  rtcp_builder_init(&b, out_buf, need);
  CHECK(c->fn(&b, c) == RILL_OK);
  CHECK(b.len == need);

  CHECK(rtcp_walk_init(w, out_buf, need) == RILL_OK);
  CHECK(rtcp_walk_next(w, v) == RILL_OK);
  CHECK(v->type == (enum rtcp_type)type && v->len == need);
  CHECK(rtcp_walk_next(w, &(struct rtcp_view){0}) == RILL_EEMPTY);
}

static void check_block_equal(const struct rtcp_report_block *a,
                              const struct rtcp_report_block *b)
{
  CHECK(a->ssrc == b->ssrc && a->fraction_lost == b->fraction_lost);
  CHECK(a->cum_lost == b->cum_lost && a->ext_highest_seq == b->ext_highest_seq);
  CHECK(a->jitter == b->jitter && a->lsr == b->lsr && a->dlsr == b->dlsr);
}

/* SR or RR. */
static void check_report(const struct rtcp_view *v)
{
  struct rtcp_report_block blocks[RTCP_MAX_COUNT], again;
  struct rtcp_sr sr, sr2;
  struct compose c = {0};
  struct rtcp_walk w2;
  struct rtcp_view v2;
  uint32_t before = v->stats->malformed;
  size_t at = v->type == RTCP_SR ? 28 : 8;
  size_t n = 99, n2 = 99, i;
  int rc;

  memset(&sr, 0, sizeof(sr));
  rc = v->type == RTCP_SR ? rtcp_parse_sr(v, &sr, &n) : rtcp_parse_rr(v, &sr.ssrc, &n);
  if (rc != RILL_OK) {
    CHECK(rc == RILL_EMALFORMED);
    CHECK(v->stats->malformed == before + 1);
    CHECK(v->len < at + RTCP_REPORT_BLOCK_BYTES * (size_t)v->count);
    return;
  }
  CHECK(n == v->count && v->len >= at + RTCP_REPORT_BLOCK_BYTES * n);
  for (i = 0; i < n; i++) {
    rtcp_report_block(v, i, &blocks[i]);
    CHECK(blocks[i].cum_lost >= -0x800000 && blocks[i].cum_lost <= 0x7FFFFF);
  }

  c.fn = v->type == RTCP_SR ? compose_sr : compose_rr;
  c.sr = &sr;
  c.ssrc = sr.ssrc;
  c.blocks = blocks;
  c.n = n;
  compose_and_reparse(&c, v->type, &w2, &v2);
  if (v->len == v2.len) {
    /* No profile extension: the same bytes but for the P bit. */
    CHECK((v2.data[0] | 0x20) == (v->data[0] | 0x20));
    CHECK(memcmp(v2.data + 1, v->data + 1, 1) == 0);
    CHECK(memcmp(v2.data + 4, v->data + 4, v->len - 4) == 0);
  }
  memset(&sr2, 0, sizeof(sr2));
  rc = v->type == RTCP_SR ? rtcp_parse_sr(&v2, &sr2, &n2) : rtcp_parse_rr(&v2, &sr2.ssrc, &n2);
  CHECK(rc == RILL_OK && n2 == n);
  CHECK(memcmp(&sr, &sr2, sizeof(sr)) == 0);
  for (i = 0; i < n; i++) {
    rtcp_report_block(&v2, i, &again);
    check_block_equal(&blocks[i], &again);
  }
}

static void check_sdes(const struct rtcp_view *v)
{
  char cname[RTCP_MAX_TEXT + 1], cname2[RTCP_MAX_TEXT + 1];
  struct rtcp_sdes_walk sw, sw2;
  struct compose c = {0};
  struct rtcp_walk w2;
  struct rtcp_view v2;
  uint32_t before = v->stats->malformed, ssrc, ssrc2;
  unsigned chunks = 0;
  int rc;

  rtcp_sdes_init(&sw, v);
  while ((rc = rtcp_sdes_next(&sw, &ssrc, cname, sizeof(cname))) == RILL_OK) {
    chunks++;
    CHECK(chunks <= v->count);
    CHECK(strlen(cname) <= RTCP_MAX_TEXT);
    if (cname[0] == '\0')
      continue;
    c.fn = compose_sdes;
    c.ssrc = ssrc;
    c.text = cname;
    compose_and_reparse(&c, RTCP_SDES, &w2, &v2);
    rtcp_sdes_init(&sw2, &v2);
    CHECK(rtcp_sdes_next(&sw2, &ssrc2, cname2, sizeof(cname2)) == RILL_OK);
    CHECK(ssrc2 == ssrc && strcmp(cname2, cname) == 0);
    CHECK(rtcp_sdes_next(&sw2, &ssrc2, cname2, sizeof(cname2)) == RILL_EEMPTY);
  }
  if (rc == RILL_EEMPTY) {
    CHECK(chunks == v->count && v->stats->malformed == before);
    return;
  }
  CHECK(rc == RILL_EMALFORMED && cname[0] == '\0');
  CHECK(v->stats->malformed == before + 1);
  CHECK(rtcp_sdes_next(&sw, &ssrc, cname, sizeof(cname)) == RILL_EMALFORMED);
  CHECK(v->stats->malformed == before + 1);
}

static void check_bye(const struct rtcp_view *v)
{
  char reason[RTCP_MAX_TEXT + 1], reason2[RTCP_MAX_TEXT + 1];
  uint32_t ssrcs[RTCP_MAX_COUNT];
  struct compose c = {0};
  struct rtcp_walk w2;
  struct rtcp_view v2;
  uint32_t before = v->stats->malformed;
  size_t n, n2, i;
  int rc = rtcp_parse_bye(v, &n, reason, sizeof(reason));

  if (rc != RILL_OK) {
    CHECK(rc == RILL_EMALFORMED && reason[0] == '\0');
    CHECK(v->stats->malformed == before + 1);
    return;
  }
  CHECK(n == v->count);
  for (i = 0; i < n; i++)
    ssrcs[i] = rtcp_bye_ssrc(v, i);
  CHECK(rtcp_bye_ssrc(v, n) == 0);
  c.fn = compose_bye;
  c.ssrcs = ssrcs;
  c.n = n;
  c.text = reason;
  compose_and_reparse(&c, RTCP_BYE, &w2, &v2);
  CHECK(rtcp_parse_bye(&v2, &n2, reason2, sizeof(reason2)) == RILL_OK);
  CHECK(n2 == n && strcmp(reason2, reason) == 0);
  for (i = 0; i < n; i++)
    CHECK(rtcp_bye_ssrc(&v2, i) == ssrcs[i]);
}

static void check_xr_block_equal(const struct rtcp_xr_block *a, const struct rtcp_xr_block *b)
{
  size_t i;
  struct rtcp_xr_dlrr_item item;

  CHECK(a->type == b->type);
  switch (a->type) {
  case RTCP_XR_RRTR:
    CHECK(a->u.rrtr_ntp == b->u.rrtr_ntp);
    break;
  case RTCP_XR_DLRR:
    CHECK(a->u.dlrr.count == b->u.dlrr.count);
    for (i = 0; i < a->u.dlrr.count; i++) {
      rtcp_xr_dlrr_item(b, i, &item);
      CHECK(memcmp(&item, &dlrr_items[i], sizeof(item)) == 0);
    }
    break;
  case RTCP_XR_MEASUREMENT_INFO:
    CHECK(memcmp(&a->u.mi, &b->u.mi, sizeof(a->u.mi)) == 0);
    break;
  case RTCP_XR_DELAY_METRICS:
    CHECK(memcmp(&a->u.dm, &b->u.dm, sizeof(a->u.dm)) == 0);
    break;
  case RTCP_XR_QUEUE_METRICS:
    CHECK(memcmp(&a->u.qm, &b->u.qm, sizeof(a->u.qm)) == 0);
    break;
  }
}

static void check_xr(const struct rtcp_view *v)
{
  struct rtcp_xr_walk xw, xw2;
  struct rtcp_xr_block blk, blk2;
  struct compose c = {0};
  struct rtcp_walk w2;
  struct rtcp_view v2;
  uint32_t before = v->stats->malformed, ssrc = 0, ssrc2 = 0;
  size_t i;
  int rc = rtcp_xr_init(&xw, v, &ssrc, v->stats);

  if (rc != RILL_OK) {
    CHECK(rc == RILL_EMALFORMED && v->len < 8);
    CHECK(v->stats->malformed == before + 1);
    return;
  }
  while ((rc = rtcp_xr_next(&xw, &blk)) == RILL_OK) {
    enum rtcp_metric_flag flag = (enum rtcp_metric_flag)0;
    if (blk.type == RTCP_XR_DLRR) {
      const uint8_t *end = v->data + v->len;
      CHECK(blk.u.dlrr.items >= v->data + 12 && blk.u.dlrr.items <= end);
      CHECK(blk.u.dlrr.count <= MAX_DLRR_ITEMS);
      CHECK(blk.u.dlrr.count <= (size_t)(end - blk.u.dlrr.items) / 12);
      for (i = 0; i < blk.u.dlrr.count; i++)
        rtcp_xr_dlrr_item(&blk, i, &dlrr_items[i]);
    }
    if (blk.type == RTCP_XR_DELAY_METRICS)
      flag = blk.u.dm.flag;
    if (blk.type == RTCP_XR_QUEUE_METRICS)
      flag = blk.u.qm.flag;
    CHECK((unsigned)flag <= 3);
    if ((blk.type == RTCP_XR_DELAY_METRICS || blk.type == RTCP_XR_QUEUE_METRICS) &&
        flag == 0) {
      /* The reserved flag is read, but rill never writes it. */
      struct rtcp_builder b;
      rtcp_builder_init(&b, out_buf, sizeof(out_buf));
      c.fn = compose_xr;
      c.ssrc = ssrc;
      c.xr = &blk;
      CHECK(compose_xr(&b, &c) == RILL_EINVAL);
      continue;
    }
    c.fn = compose_xr;
    c.ssrc = ssrc;
    c.xr = &blk;
    compose_and_reparse(&c, RTCP_XR, &w2, &v2);
    CHECK(rtcp_xr_init(&xw2, &v2, &ssrc2, NULL) == RILL_OK && ssrc2 == ssrc);
    CHECK(rtcp_xr_next(&xw2, &blk2) == RILL_OK);
    check_xr_block_equal(&blk, &blk2);
    CHECK(rtcp_xr_next(&xw2, &blk2) == RILL_EEMPTY);
  }
  if (rc == RILL_EEMPTY) {
    CHECK(v->stats->malformed == before);
    return;
  }
  CHECK(rc == RILL_EMALFORMED && v->stats->malformed == before + 1);
  CHECK(rtcp_xr_next(&xw, &blk) == RILL_EMALFORMED && v->stats->malformed == before + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct rtcp_walk w;
  struct rtcp_view v;
  size_t pos = 0;
  uint32_t skipped = 0;
  int rc = rtcp_walk_init(&w, data, size);

  if (rc != RILL_OK) {
    CHECK(rc == RILL_EMALFORMED && w.stats.malformed == 1);
    CHECK(rtcp_walk_next(&w, &v) == RILL_EEMPTY);
    return 0;
  }
  CHECK(size >= 4 && size % 4 == 0);
  while ((rc = rtcp_walk_next(&w, &v)) == RILL_OK) {
    size_t bytes = 4 * ((size_t)rtp_load_be16(data + pos + 2) + 1);

    CHECK(v.data == data + pos && v.stats == &w.stats);
    CHECK(bytes <= size - pos && v.len >= 4 && v.len <= bytes);
    CHECK(v.count == (data[pos] & 0x1f) && v.type == (enum rtcp_type)data[pos + 1]);
    if (data[pos] & 0x20)
      CHECK(pos + bytes == size && v.len == bytes - data[size - 1]);
    else
      CHECK(v.len == bytes);
    pos += bytes;

    switch (v.type) {
    case RTCP_SR:
    case RTCP_RR:
      check_report(&v);
      break;
    case RTCP_SDES:
      check_sdes(&v);
      break;
    case RTCP_BYE:
      check_bye(&v);
      break;
    case RTCP_XR:
      check_xr(&v);
      break;
    default:
      skipped++;
      break;
    }
  }
  CHECK(rc == RILL_EEMPTY && pos == size);
  /* Unknown packet types, plus the unknown XR blocks check_xr skipped. */
  CHECK(w.stats.skipped >= skipped);
  return 0;
}
