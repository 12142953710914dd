#include <math.h>
#include <rill/status.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp/interval.h"
#include "rtcp/ntp.h"
#include "rtcp/rtcp.h"
#include "test_util.h"

/*
 * Byte-exact vectors, written by hand from the RFC layouts (RFC 3550 6.4.1,
 * 6.4.2, 6.5, 6.6; RFC 3611 4.4, 4.5; RFC 6776 4.1; RFC 6843 3.1; roc's
 * Queue Metrics block). Each is what rill's builder must produce for the
 * values next to it, and what the parser must read back.
 */

/* roc-send's compound: SR with one report block, then SDES with a CNAME. */
static const uint8_t sr_sdes_vector[] = {
    /* SR: V=2 RC=1 PT=200, length 12 (52 bytes) */
    0x81, 0xc8, 0x00, 0x0c,
    0x11, 0x22, 0x33, 0x44,                         /* SSRC of sender */
    0x83, 0xaa, 0x7e, 0x80, 0x80, 0x00, 0x00, 0x00, /* NTP: Unix 0.5 s */
    0x00, 0x01, 0x00, 0x00,                         /* RTP timestamp */
    0x00, 0x00, 0x00, 0x64,                         /* packet count 100 */
    0x00, 0x01, 0x90, 0x00,                         /* octet count 102400 */
    0x55, 0x66, 0x77, 0x88,                         /* block: SSRC_1 */
    0x40, 0xff, 0xff, 0xfe,                         /* fraction 64/256, cum lost -2 */
    0x00, 0x01, 0xff, 0xff,                         /* ext highest seq */
    0x00, 0x00, 0x00, 0x20,                         /* jitter 32 */
    0x7e, 0x80, 0x80, 0x00,                         /* LSR */
    0x00, 0x01, 0x00, 0x00,                         /* DLSR: 1 s */
    /* SDES: V=2 SC=1 PT=202, length 4 (20 bytes) */
    0x81, 0xca, 0x00, 0x04,
    0x11, 0x22, 0x33, 0x44,                         /* SSRC_1 */
    0x01, 0x09, 'r', 'i', 'l', 'l', '@', 'h', 'o', 's', 't', 0x00, /* CNAME, end */
};

/* roc-recv's compound: RR, XR (RRTR, MI, DM sampled, QM sampled), SDES. */
static const uint8_t rr_xr_sdes_vector[] = {
    /* RR: V=2 RC=1 PT=201, length 7 (32 bytes) */
    0x81, 0xc9, 0x00, 0x07,
    0xaa, 0xbb, 0xcc, 0xdd,                         /* SSRC of reporter */
    0x11, 0x22, 0x33, 0x44,                         /* block: SSRC_1 */
    0x00, 0x00, 0x00, 0x00,                         /* no loss */
    0x00, 0x00, 0x12, 0x34,                         /* ext highest seq */
    0x00, 0x00, 0x01, 0x00,                         /* jitter 256 */
    0x7e, 0x80, 0x80, 0x00,                         /* LSR */
    0x00, 0x00, 0x80, 0x00,                         /* DLSR: 0.5 s */
    /* XR: V=2 PT=207, length 23 (96 bytes) */
    0x80, 0xcf, 0x00, 0x17,
    0xaa, 0xbb, 0xcc, 0xdd,                         /* SSRC of originator */
    0x04, 0x00, 0x00, 0x02,                         /* RRTR, block length 2 */
    0x83, 0xaa, 0x7e, 0x81, 0x00, 0x00, 0x00, 0x00, /* NTP: Unix 1 s */
    0x0e, 0x00, 0x00, 0x07,                         /* MI, block length 7 */
    0x11, 0x22, 0x33, 0x44,                         /* SSRC of stream source */
    0x00, 0x00, 0x10, 0x00,                         /* reserved, first seq 0x1000 */
    0x00, 0x00, 0x11, 0x00,                         /* ext first seq of interval */
    0x00, 0x00, 0x12, 0x34,                         /* ext last seq */
    0x00, 0x00, 0x33, 0x33,                         /* interval 0x3333 (~200 ms) */
    0x00, 0x00, 0x00, 0x0a, 0x80, 0x00, 0x00, 0x00, /* cumulative 10.5 s */
    0x10, 0x40, 0x00, 0x06,                         /* DM, I=01 sampled, length 6 */
    0x11, 0x22, 0x33, 0x44,                         /* SSRC of source */
    0x00, 0x00, 0x00, 0x83,                         /* mean RTT */
    0x00, 0x00, 0x00, 0x41,                         /* min RTT */
    0xff, 0xff, 0xff, 0xff,                         /* max RTT unknown */
    0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, /* end-system delay 0.125 s */
    0xdc, 0x40, 0x00, 0x03,                         /* QM (220), sampled, length 3 */
    0x11, 0x22, 0x33, 0x44,                         /* SSRC of source */
    0x00, 0x00, 0x0c, 0xcd,                         /* niq latency */
    0xff, 0xff, 0xff, 0xff,                         /* niq stalling unknown */
    /* SDES: SC=1, length 3 (16 bytes) */
    0x81, 0xca, 0x00, 0x03,
    0xaa, 0xbb, 0xcc, 0xdd,
    0x01, 0x03, 'r', 'c', 'v', 0x00, 0x00, 0x00,    /* CNAME "rcv", end, pad */
};

/* A leaving sender: empty RR, SDES, BYE with a reason. */
static const uint8_t bye_vector[] = {
    0x80, 0xc9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44, /* RR: RC=0, length 1 */
    0x81, 0xca, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, /* SDES */
    0x01, 0x02, 'i', 'd', 0x00, 0x00, 0x00, 0x00,   /* CNAME "id", end, pad */
    0x81, 0xcb, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, /* BYE: SC=1, length 2 */
    0x03, 'b', 'y', 'e',                            /* reason "bye" */
};

/* A sender's XR with a DLRR block of two sub-blocks. */
static const uint8_t xr_dlrr_vector[] = {
    0x80, 0xcf, 0x00, 0x08, 0x11, 0x22, 0x33, 0x44, /* XR, length 8 (36 bytes) */
    0x05, 0x00, 0x00, 0x06,                         /* DLRR, block length 6 */
    0xaa, 0xbb, 0xcc, 0xdd, 0x7e, 0x81, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00,
    0xaa, 0xbb, 0xcc, 0xde, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Like GStreamer rtpbin: SDES with CNAME and TOOL in one chunk, NOTE and
 * CNAME in a second, an APP packet, then an XR with an unknown block and an
 * old roc's 2-word QM, padded by 4 bytes. */
static const uint8_t mixed_vector[] = {
    0x80, 0xc9, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04, /* RR, no blocks */
    0x82, 0xca, 0x00, 0x07,                         /* SDES SC=2, length 7 */
    0x01, 0x02, 0x03, 0x04,
    0x06, 0x02, 'g', 's',                           /* TOOL "gs" first */
    0x01, 0x03, 'a', '@', 'b', 0x00,                /* CNAME "a@b", end */
    0x00, 0x00,                                     /* pad */
    0x05, 0x06, 0x07, 0x08,
    0x07, 0x01, 'n',                                /* NOTE "n" */
    0x01, 0x02, 'c', 'd', 0x00,                     /* CNAME "cd", end */
    0x80, 0xcc, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, /* APP, length 2 */
    'n', 'a', 'm', 'e',
    0xa0, 0xcf, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04, /* XR with P, length 7 */
    0x07, 0x00, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef, /* VoIP metrics (7): unknown */
    0xdc, 0x80, 0x00, 0x02,                         /* QM, interval, 2 words */
    0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x04,                         /* padding, count 4 */
};

/* A copy of exactly `len` bytes, so that ASan sees any read past the end;
 * freed by the caller. */
static uint8_t *dup_exact(const uint8_t *data, size_t len)
{
  uint8_t *copy = malloc(len > 0 ? len : 1);
  assert_non_null(copy);
  if (len > 0)
    memcpy(copy, data, len);
  return copy;
}

/* Walk init on an exact copy; the copy stays alive in *copy. */
static int walk_exact(const uint8_t *data, size_t len, struct rtcp_walk *w, uint8_t **copy)
{
  *copy = dup_exact(data, len);
  return rtcp_walk_init(w, *copy, len);
}

static int init_status(const uint8_t *data, size_t len)
{
  struct rtcp_walk w;
  uint8_t *copy;
  int rc = walk_exact(data, len, &w, &copy);
  free(copy);
  return rc;
}

static void next_of_type(struct rtcp_walk *w, struct rtcp_view *v, int type)
{
  assert_int_equal(rtcp_walk_next(w, v), RILL_OK);
  assert_int_equal(v->type, type);
}

static void assert_end(struct rtcp_walk *w)
{
  struct rtcp_view v;
  assert_int_equal(rtcp_walk_next(w, &v), RILL_EEMPTY);
  assert_int_equal(rtcp_walk_next(w, &v), RILL_EEMPTY);
}

static void assert_sdes_chunk(struct rtcp_sdes_walk *sw, uint32_t ssrc, const char *cname)
{
  char text[RTCP_MAX_TEXT + 1];
  uint32_t got = 0;
  assert_int_equal(rtcp_sdes_next(sw, &got, text, sizeof(text)), RILL_OK);
  assert_int_equal(got, ssrc);
  assert_string_equal(text, cname);
}

static void assert_sdes_end(struct rtcp_sdes_walk *sw)
{
  char text[8];
  uint32_t got;
  assert_int_equal(rtcp_sdes_next(sw, &got, text, sizeof(text)), RILL_EEMPTY);
}

/* Values of the vectors above. */
static const struct rtcp_sr vector_sr = {
    .ssrc = 0x11223344u, .ntp = UINT64_C(0x83AA7E8080000000), .rtp_ts = 0x10000,
    .packet_count = 100, .octet_count = 102400,
};
static const struct rtcp_report_block vector_sr_block = {
    .ssrc = 0x55667788u, .fraction_lost = 64, .cum_lost = -2, .ext_highest_seq = 0x1ffff,
    .jitter = 32, .lsr = 0x7e808000u, .dlsr = 0x10000,
};
static const struct rtcp_report_block vector_rr_block = {
    .ssrc = 0x11223344u, .ext_highest_seq = 0x1234, .jitter = 256, .lsr = 0x7e808000u,
    .dlsr = 0x8000,
};
static const struct rtcp_xr_mi vector_mi = {
    .ssrc = 0x11223344u, .first_seq = 0x1000, .interval_first_seq = 0x1100,
    .interval_last_seq = 0x1234, .interval_duration = 0x3333,
    .cumulative_duration = UINT64_C(0x0000000A80000000),
};
static const struct rtcp_xr_dm vector_dm = {
    .flag = RTCP_METRIC_SAMPLED, .ssrc = 0x11223344u, .mean_rtt = 0x83, .min_rtt = 0x41,
    .max_rtt = RTCP_XR_UNKNOWN_32, .e2e_delay = UINT64_C(0x20000000),
};
static const struct rtcp_xr_qm vector_qm = {
    .flag = RTCP_METRIC_SAMPLED, .ssrc = 0x11223344u, .niq_latency = 0xccd,
    .niq_stalling = RTCP_XR_UNKNOWN_32,
};
static const struct rtcp_xr_dlrr_item vector_dlrr[2] = {
    {.ssrc = 0xaabbccddu, .lrr = 0x7e810000u, .dlrr = 0x4000},
    {.ssrc = 0xaabbccdeu, .lrr = 0, .dlrr = 0},
};

static void assert_block_equal(const struct rtcp_report_block *a,
                               const struct rtcp_report_block *b)
{
  assert_int_equal(a->ssrc, b->ssrc);
  assert_int_equal(a->fraction_lost, b->fraction_lost);
  assert_int_equal(a->cum_lost, b->cum_lost);
  assert_int_equal(a->ext_highest_seq, b->ext_highest_seq);
  assert_int_equal(a->jitter, b->jitter);
  assert_int_equal(a->lsr, b->lsr);
  assert_int_equal(a->dlsr, b->dlsr);
}

static void assert_sr_equal(const struct rtcp_sr *a, const struct rtcp_sr *b)
{
  assert_int_equal(a->ssrc, b->ssrc);
  assert_int_equal(a->ntp, b->ntp);
  assert_int_equal(a->rtp_ts, b->rtp_ts);
  assert_int_equal(a->packet_count, b->packet_count);
  assert_int_equal(a->octet_count, b->octet_count);
}

static void assert_mi_equal(const struct rtcp_xr_mi *a, const struct rtcp_xr_mi *b)
{
  assert_int_equal(a->ssrc, b->ssrc);
  assert_int_equal(a->first_seq, b->first_seq);
  assert_int_equal(a->interval_first_seq, b->interval_first_seq);
  assert_int_equal(a->interval_last_seq, b->interval_last_seq);
  assert_int_equal(a->interval_duration, b->interval_duration);
  assert_int_equal(a->cumulative_duration, b->cumulative_duration);
}

static void assert_dm_equal(const struct rtcp_xr_dm *a, const struct rtcp_xr_dm *b)
{
  assert_int_equal(a->flag, b->flag);
  assert_int_equal(a->ssrc, b->ssrc);
  assert_int_equal(a->mean_rtt, b->mean_rtt);
  assert_int_equal(a->min_rtt, b->min_rtt);
  assert_int_equal(a->max_rtt, b->max_rtt);
  assert_int_equal(a->e2e_delay, b->e2e_delay);
}

static void assert_qm_equal(const struct rtcp_xr_qm *a, const struct rtcp_xr_qm *b)
{
  assert_int_equal(a->flag, b->flag);
  assert_int_equal(a->ssrc, b->ssrc);
  assert_int_equal(a->niq_latency, b->niq_latency);
  assert_int_equal(a->niq_stalling, b->niq_stalling);
}

static void next_xr_block(struct rtcp_xr_walk *xw, struct rtcp_xr_block *blk, int type)
{
  assert_int_equal(rtcp_xr_next(xw, blk), RILL_OK);
  assert_int_equal(blk->type, type);
}

/* ---- parsing the vectors ---- */

static void rtcp_parse_reads_sr_sdes_vector(void **state)
{
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_sr sr;
  struct rtcp_report_block rb;
  struct rtcp_sdes_walk sw;
  size_t blocks = 0;
  uint8_t *copy;
  (void)state;

  assert_int_equal(walk_exact(sr_sdes_vector, sizeof(sr_sdes_vector), &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_SR);
  assert_int_equal(v.len, 52);
  assert_int_equal(v.count, 1);
  assert_ptr_equal(v.data, copy);
  assert_int_equal(rtcp_parse_sr(&v, &sr, &blocks), RILL_OK);
  assert_int_equal(blocks, 1);
  assert_sr_equal(&sr, &vector_sr);
  rtcp_report_block(&v, 0, &rb);
  assert_block_equal(&rb, &vector_sr_block);
  assert_int_equal(ntp_to_unix_ns(sr.ntp), 500000000);

  next_of_type(&w, &v, RTCP_SDES);
  assert_int_equal(v.len, 20);
  rtcp_sdes_init(&sw, &v);
  assert_sdes_chunk(&sw, 0x11223344u, "rill@host");
  assert_sdes_end(&sw);
  assert_end(&w);
  assert_int_equal(w.stats.malformed, 0);
  assert_int_equal(w.stats.skipped, 0);
  free(copy);
}

static void rtcp_parse_reads_rr_xr_sdes_vector(void **state)
{
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_report_block rb;
  struct rtcp_xr_walk xw;
  struct rtcp_xr_block blk;
  struct rtcp_sdes_walk sw;
  uint32_t ssrc = 0;
  size_t blocks = 0;
  uint8_t *copy;
  (void)state;

  assert_int_equal(walk_exact(rr_xr_sdes_vector, sizeof(rr_xr_sdes_vector), &w, &copy),
                   RILL_OK);
  next_of_type(&w, &v, RTCP_RR);
  assert_int_equal(rtcp_parse_rr(&v, &ssrc, &blocks), RILL_OK);
  assert_int_equal(ssrc, 0xaabbccddu);
  assert_int_equal(blocks, 1);
  rtcp_report_block(&v, 0, &rb);
  assert_block_equal(&rb, &vector_rr_block);

  next_of_type(&w, &v, RTCP_XR);
  assert_int_equal(v.len, 96);
  assert_int_equal(rtcp_xr_init(&xw, &v, &ssrc, &w.stats), RILL_OK);
  assert_int_equal(ssrc, 0xaabbccddu);
  next_xr_block(&xw, &blk, RTCP_XR_RRTR);
  assert_int_equal(blk.u.rrtr_ntp, UINT64_C(0x83AA7E8100000000));
  assert_int_equal(ntp_to_unix_ns(blk.u.rrtr_ntp), 1000000000);
  next_xr_block(&xw, &blk, RTCP_XR_MEASUREMENT_INFO);
  assert_mi_equal(&blk.u.mi, &vector_mi);
  next_xr_block(&xw, &blk, RTCP_XR_DELAY_METRICS);
  assert_dm_equal(&blk.u.dm, &vector_dm);
  assert_int_equal(ntp_to_duration_ns(blk.u.dm.e2e_delay), 125000000);
  next_xr_block(&xw, &blk, RTCP_XR_QUEUE_METRICS);
  assert_qm_equal(&blk.u.qm, &vector_qm);
  assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_EEMPTY);

  next_of_type(&w, &v, RTCP_SDES);
  rtcp_sdes_init(&sw, &v);
  assert_sdes_chunk(&sw, 0xaabbccddu, "rcv");
  assert_sdes_end(&sw);
  assert_end(&w);
  assert_int_equal(w.stats.malformed, 0);
  assert_int_equal(w.stats.skipped, 0);
  free(copy);
}

static void rtcp_parse_reads_bye_vector(void **state)
{
  struct rtcp_walk w;
  struct rtcp_view v;
  char reason[RTCP_MAX_TEXT + 1];
  uint32_t ssrc = 1;
  size_t n = 1;
  uint8_t *copy;
  (void)state;

  assert_int_equal(walk_exact(bye_vector, sizeof(bye_vector), &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_RR);
  assert_int_equal(rtcp_parse_rr(&v, &ssrc, &n), RILL_OK);
  assert_int_equal(ssrc, 0x11223344u);
  assert_int_equal(n, 0);
  next_of_type(&w, &v, RTCP_SDES);
  next_of_type(&w, &v, RTCP_BYE);
  assert_int_equal(rtcp_parse_bye(&v, &n, reason, sizeof(reason)), RILL_OK);
  assert_int_equal(n, 1);
  assert_int_equal(rtcp_bye_ssrc(&v, 0), 0x11223344u);
  assert_int_equal(rtcp_bye_ssrc(&v, 1), 0); /* out of range: zero, no read */
  assert_string_equal(reason, "bye");
  /* The reason is optional for the caller, and truncated to its buffer. */
  assert_int_equal(rtcp_parse_bye(&v, &n, NULL, 0), RILL_OK);
  assert_int_equal(rtcp_parse_bye(&v, &n, reason, 3), RILL_OK);
  assert_string_equal(reason, "by");
  assert_end(&w);
  free(copy);
}

static void rtcp_parse_reads_xr_dlrr_vector(void **state)
{
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_xr_walk xw;
  struct rtcp_xr_block blk;
  struct rtcp_xr_dlrr_item item;
  uint32_t ssrc = 0;
  size_t i;
  uint8_t *copy;
  (void)state;

  assert_int_equal(walk_exact(xr_dlrr_vector, sizeof(xr_dlrr_vector), &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_XR);
  assert_int_equal(rtcp_xr_init(&xw, &v, &ssrc, NULL), RILL_OK);
  assert_int_equal(ssrc, 0x11223344u);
  next_xr_block(&xw, &blk, RTCP_XR_DLRR);
  assert_int_equal(blk.u.dlrr.count, 2);
  for (i = 0; i < 2; i++) {
    rtcp_xr_dlrr_item(&blk, i, &item);
    assert_int_equal(item.ssrc, vector_dlrr[i].ssrc);
    assert_int_equal(item.lrr, vector_dlrr[i].lrr);
    assert_int_equal(item.dlrr, vector_dlrr[i].dlrr);
  }
  rtcp_xr_dlrr_item(&blk, 2, &item);
  assert_int_equal(item.ssrc, 0);
  assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_EEMPTY);
  assert_end(&w);
  free(copy);
}

static void rtcp_parse_skips_other_items_app_and_unknown_xr(void **state)
{
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_sdes_walk sw;
  struct rtcp_xr_walk xw;
  struct rtcp_xr_block blk;
  uint32_t ssrc;
  uint8_t *copy;
  (void)state;

  assert_int_equal(walk_exact(mixed_vector, sizeof(mixed_vector), &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_RR);
  next_of_type(&w, &v, RTCP_SDES);
  rtcp_sdes_init(&sw, &v);
  assert_sdes_chunk(&sw, 0x01020304u, "a@b");
  assert_sdes_chunk(&sw, 0x05060708u, "cd");
  assert_sdes_end(&sw);

  next_of_type(&w, &v, RTCP_APP);
  assert_int_equal(w.stats.skipped, 1);

  next_of_type(&w, &v, RTCP_XR);
  assert_int_equal(v.len, 28); /* 32 bytes, 4 of them padding */
  assert_int_equal(rtcp_xr_init(&xw, &v, &ssrc, &w.stats), RILL_OK);
  next_xr_block(&xw, &blk, RTCP_XR_QUEUE_METRICS);
  assert_int_equal(w.stats.skipped, 2);
  assert_int_equal(blk.u.qm.flag, RTCP_METRIC_INTERVAL);
  assert_int_equal(blk.u.qm.ssrc, 0x05060708u);
  assert_int_equal(blk.u.qm.niq_latency, 0x100);
  assert_int_equal(blk.u.qm.niq_stalling, RTCP_XR_UNKNOWN_32);
  assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_EEMPTY);
  assert_end(&w);
  assert_int_equal(w.stats.malformed, 0);
  free(copy);
}

static void rtcp_parse_sdes_cname_truncated_and_absent(void **state)
{
  static const uint8_t pkt[] = {
      0x82, 0xca, 0x00, 0x05,
      0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 'x', 0x00, /* chunk 1: NAME only */
      0x00, 0x00, 0x00, 0x02, 0x01, 0x03, 'a', 'b', 'c', 0x00, 0x00, 0x00,
  };
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_sdes_walk sw;
  char text[3];
  uint32_t ssrc;
  uint8_t *copy;
  (void)state;

  assert_int_equal(walk_exact(pkt, sizeof(pkt), &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_SDES);
  rtcp_sdes_init(&sw, &v);
  memset(text, 'z', sizeof(text));
  assert_int_equal(rtcp_sdes_next(&sw, &ssrc, text, sizeof(text)), RILL_OK);
  assert_int_equal(ssrc, 1);
  assert_string_equal(text, "");
  assert_int_equal(rtcp_sdes_next(&sw, &ssrc, text, sizeof(text)), RILL_OK);
  assert_int_equal(ssrc, 2);
  assert_string_equal(text, "ab");
  assert_int_equal(rtcp_sdes_next(&sw, &ssrc, NULL, 0), RILL_EEMPTY);
  free(copy);
}

/* ---- composing the vectors ---- */

static void rtcp_build_writes_sr_sdes_vector(void **state)
{
  uint8_t buf[256];
  struct rtcp_builder b;
  (void)state;

  rtcp_builder_init(&b, buf, sizeof(buf));
  assert_int_equal(rtcp_add_sr(&b, &vector_sr, &vector_sr_block, 1), RILL_OK);
  assert_int_equal(rtcp_add_sdes_cname(&b, 0x11223344u, "rill@host"), RILL_OK);
  assert_int_equal(b.len, sizeof(sr_sdes_vector));
  assert_memory_equal(buf, sr_sdes_vector, sizeof(sr_sdes_vector));
}

static void rtcp_build_writes_rr_xr_sdes_vector(void **state)
{
  uint8_t buf[256];
  struct rtcp_builder b;
  (void)state;

  rtcp_builder_init(&b, buf, sizeof(buf));
  assert_int_equal(rtcp_add_rr(&b, 0xaabbccddu, &vector_rr_block, 1), RILL_OK);
  assert_int_equal(rtcp_xr_begin(&b, 0xaabbccddu), RILL_OK);
  assert_int_equal(rtcp_xr_add_rrtr(&b, ntp_from_unix_ns(1000000000)), RILL_OK);
  assert_int_equal(rtcp_xr_add_mi(&b, &vector_mi), RILL_OK);
  assert_int_equal(rtcp_xr_add_dm(&b, &vector_dm), RILL_OK);
  assert_int_equal(rtcp_xr_add_qm(&b, &vector_qm), RILL_OK);
  assert_int_equal(rtcp_xr_end(&b), RILL_OK);
  assert_int_equal(rtcp_add_sdes_cname(&b, 0xaabbccddu, "rcv"), RILL_OK);
  assert_int_equal(b.len, sizeof(rr_xr_sdes_vector));
  assert_memory_equal(buf, rr_xr_sdes_vector, sizeof(rr_xr_sdes_vector));
}

static void rtcp_build_writes_bye_vector(void **state)
{
  uint8_t buf[64];
  struct rtcp_builder b;
  uint32_t ssrc = 0x11223344u;
  (void)state;

  rtcp_builder_init(&b, buf, sizeof(buf));
  assert_int_equal(rtcp_add_rr(&b, ssrc, NULL, 0), RILL_OK);
  assert_int_equal(rtcp_add_sdes_cname(&b, ssrc, "id"), RILL_OK);
  assert_int_equal(rtcp_add_bye(&b, &ssrc, 1, "bye"), RILL_OK);
  assert_int_equal(b.len, sizeof(bye_vector));
  assert_memory_equal(buf, bye_vector, sizeof(bye_vector));
}

static void rtcp_build_writes_xr_dlrr_vector(void **state)
{
  uint8_t buf[64];
  struct rtcp_builder b;
  (void)state;

  rtcp_builder_init(&b, buf, sizeof(buf));
  assert_int_equal(rtcp_xr_begin(&b, 0x11223344u), RILL_OK);
  assert_int_equal(rtcp_xr_add_dlrr(&b, vector_dlrr, 2), RILL_OK);
  assert_int_equal(rtcp_xr_end(&b), RILL_OK);
  assert_int_equal(b.len, sizeof(xr_dlrr_vector));
  assert_memory_equal(buf, xr_dlrr_vector, sizeof(xr_dlrr_vector));
}

/* ---- round trips ---- */

static void rtcp_round_trip_sr_rr_with_31_blocks(void **state)
{
  static uint8_t buf[2048];
  struct rtcp_report_block in[RTCP_MAX_COUNT], out;
  struct rtcp_sr sr = vector_sr, sr_out;
  struct rtcp_builder b;
  struct rtcp_walk w;
  struct rtcp_view v;
  uint32_t ssrc;
  size_t i, n;
  uint8_t *copy;
  (void)state;

  for (i = 0; i < RTCP_MAX_COUNT; i++) {
    in[i] = vector_sr_block;
    in[i].ssrc = (uint32_t)(0x1000 + i);
    in[i].fraction_lost = (uint8_t)(i * 8);
    in[i].cum_lost = (int32_t)(i * 1000) - 15000;
    in[i].jitter = (uint32_t)i * 0x01010101u;
  }
  in[0].cum_lost = -0x800000; /* the 24-bit extremes */
  in[1].cum_lost = 0x7fffff;
  sr.ntp = UINT64_MAX;
  rtcp_builder_init(&b, buf, sizeof(buf));
  assert_int_equal(rtcp_add_sr(&b, &sr, in, RTCP_MAX_COUNT), RILL_OK);
  assert_int_equal(rtcp_add_rr(&b, 0xfeedf00du, in, RTCP_MAX_COUNT), RILL_OK);
  assert_int_equal(b.len, 28 + 24 * 31 + 8 + 24 * 31);

  assert_int_equal(walk_exact(buf, b.len, &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_SR);
  assert_int_equal(rtcp_parse_sr(&v, &sr_out, &n), RILL_OK);
  assert_int_equal(n, RTCP_MAX_COUNT);
  assert_sr_equal(&sr_out, &sr);
  for (i = 0; i < n; i++) {
    rtcp_report_block(&v, i, &out);
    assert_block_equal(&out, &in[i]);
  }
  next_of_type(&w, &v, RTCP_RR);
  assert_int_equal(rtcp_parse_rr(&v, &ssrc, &n), RILL_OK);
  assert_int_equal(ssrc, 0xfeedf00du);
  assert_int_equal(n, RTCP_MAX_COUNT);
  for (i = 0; i < n; i++) {
    rtcp_report_block(&v, i, &out);
    assert_block_equal(&out, &in[i]);
  }
  rtcp_report_block(&v, n, &out); /* out of range: zeros */
  assert_int_equal(out.ssrc, 0);
  assert_end(&w);
  free(copy);
}

static void rtcp_round_trip_sdes_every_cname_length(void **state)
{
  char cname[RTCP_MAX_TEXT + 1];
  uint8_t buf[300];
  struct rtcp_builder b;
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_sdes_walk sw;
  size_t len;
  uint8_t *copy;
  (void)state;

  for (len = 1; len <= RTCP_MAX_TEXT; len++) {
    memset(cname, 'a' + (int)(len % 26), len);
    cname[len] = '\0';
    rtcp_builder_init(&b, buf, sizeof(buf));
    assert_int_equal(rtcp_add_sdes_cname(&b, (uint32_t)len, cname), RILL_OK);
    assert_int_equal(b.len % 4, 0);
    /* The shortest chunk that holds the item and its terminating zero. */
    assert_int_equal(b.len, 8 + ((2 + len + 1 + 3) / 4) * 4);
    assert_int_equal(walk_exact(buf, b.len, &w, &copy), RILL_OK);
    next_of_type(&w, &v, RTCP_SDES);
    rtcp_sdes_init(&sw, &v);
    assert_sdes_chunk(&sw, (uint32_t)len, cname);
    assert_sdes_end(&sw);
    assert_end(&w);
    free(copy);
  }
}

static void rtcp_round_trip_bye(void **state)
{
  static const char *reasons[] = {NULL, "", "a", "abc", "abcd", "goodbye, world"};
  uint32_t ssrcs[RTCP_MAX_COUNT];
  char reason[RTCP_MAX_TEXT + 1], longest[RTCP_MAX_TEXT + 1];
  uint8_t buf[512];
  struct rtcp_builder b;
  struct rtcp_walk w;
  struct rtcp_view v;
  size_t i, r, n, count;
  uint8_t *copy;
  (void)state;

  for (i = 0; i < RTCP_MAX_COUNT; i++)
    ssrcs[i] = 0xa0000000u + (uint32_t)i;
  memset(longest, 'r', RTCP_MAX_TEXT);
  longest[RTCP_MAX_TEXT] = '\0';
  for (r = 0; r <= sizeof(reasons) / sizeof(reasons[0]); r++) {
    const char *text = r < sizeof(reasons) / sizeof(reasons[0]) ? reasons[r] : longest;
    for (n = 0; n <= RTCP_MAX_COUNT; n += 10) {
      rtcp_builder_init(&b, buf, sizeof(buf));
      assert_int_equal(rtcp_add_bye(&b, ssrcs, n, text), RILL_OK);
      assert_int_equal(walk_exact(buf, b.len, &w, &copy), RILL_OK);
      next_of_type(&w, &v, RTCP_BYE);
      assert_int_equal(rtcp_parse_bye(&v, &count, reason, sizeof(reason)), RILL_OK);
      assert_int_equal(count, n);
      for (i = 0; i < n; i++)
        assert_int_equal(rtcp_bye_ssrc(&v, i), ssrcs[i]);
      assert_string_equal(reason, text != NULL ? text : "");
      assert_end(&w);
      free(copy);
    }
  }
}

static void rtcp_round_trip_every_xr_block(void **state)
{
  static const enum rtcp_metric_flag flags[] = {RTCP_METRIC_SAMPLED, RTCP_METRIC_INTERVAL,
                                                RTCP_METRIC_CUMULATIVE};
  uint8_t buf[512];
  struct rtcp_xr_dlrr_item items[5], item;
  struct rtcp_xr_mi mi = vector_mi;
  struct rtcp_xr_dm dm = vector_dm;
  struct rtcp_xr_qm qm = vector_qm;
  struct rtcp_builder b;
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_xr_walk xw;
  struct rtcp_xr_block blk;
  uint32_t ssrc;
  size_t f, i;
  uint8_t *copy;
  (void)state;

  for (i = 0; i < 5; i++) {
    items[i].ssrc = 0x100u + (uint32_t)i;
    items[i].lrr = 0xffffffffu - (uint32_t)i;
    items[i].dlrr = (uint32_t)i << 16;
  }
  for (f = 0; f < 3; f++) {
    dm.flag = flags[f];
    dm.e2e_delay = RTCP_XR_UNKNOWN_64;
    qm.flag = flags[f];
    qm.niq_stalling = 0x12345678u;
    mi.first_seq = 0xffff;
    rtcp_builder_init(&b, buf, sizeof(buf));
    assert_int_equal(rtcp_xr_begin(&b, 0xdeadbeefu), RILL_OK);
    assert_int_equal(rtcp_xr_add_rrtr(&b, UINT64_C(0x0123456789abcdef)), RILL_OK);
    assert_int_equal(rtcp_xr_add_dlrr(&b, items, 5), RILL_OK);
    assert_int_equal(rtcp_xr_add_dlrr(&b, NULL, 0), RILL_OK);
    assert_int_equal(rtcp_xr_add_mi(&b, &mi), RILL_OK);
    assert_int_equal(rtcp_xr_add_dm(&b, &dm), RILL_OK);
    assert_int_equal(rtcp_xr_add_qm(&b, &qm), RILL_OK);
    assert_int_equal(rtcp_xr_end(&b), RILL_OK);

    assert_int_equal(walk_exact(buf, b.len, &w, &copy), RILL_OK);
    next_of_type(&w, &v, RTCP_XR);
    assert_int_equal(rtcp_xr_init(&xw, &v, &ssrc, &w.stats), RILL_OK);
    assert_int_equal(ssrc, 0xdeadbeefu);
    next_xr_block(&xw, &blk, RTCP_XR_RRTR);
    assert_int_equal(blk.u.rrtr_ntp, UINT64_C(0x0123456789abcdef));
    next_xr_block(&xw, &blk, RTCP_XR_DLRR);
    assert_int_equal(blk.u.dlrr.count, 5);
    for (i = 0; i < 5; i++) {
      rtcp_xr_dlrr_item(&blk, i, &item);
      assert_int_equal(item.ssrc, items[i].ssrc);
      assert_int_equal(item.lrr, items[i].lrr);
      assert_int_equal(item.dlrr, items[i].dlrr);
    }
    next_xr_block(&xw, &blk, RTCP_XR_DLRR);
    assert_int_equal(blk.u.dlrr.count, 0);
    next_xr_block(&xw, &blk, RTCP_XR_MEASUREMENT_INFO);
    assert_mi_equal(&blk.u.mi, &mi);
    next_xr_block(&xw, &blk, RTCP_XR_DELAY_METRICS);
    assert_dm_equal(&blk.u.dm, &dm);
    next_xr_block(&xw, &blk, RTCP_XR_QUEUE_METRICS);
    assert_qm_equal(&blk.u.qm, &qm);
    assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_EEMPTY);
    assert_end(&w);
    assert_int_equal(w.stats.malformed + w.stats.skipped, 0);
    free(copy);
  }
}

static void rtcp_parse_reads_longer_xr_blocks_for_their_fields(void **state)
{
  static const uint8_t pkt[] = {
      0x80, 0xcf, 0x00, 0x07, 0x00, 0x00, 0x00, 0x09,
      0x04, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
      0xee, 0xee, 0xee, 0xee,                         /* RRTR + 1 appended word */
      0xdc, 0xc0, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, /* QM of 1 word: too short */
  };
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_xr_walk xw;
  struct rtcp_xr_block blk;
  uint8_t *copy;
  (void)state;

  assert_int_equal(walk_exact(pkt, sizeof(pkt), &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_XR);
  assert_int_equal(rtcp_xr_init(&xw, &v, NULL, &w.stats), RILL_OK);
  next_xr_block(&xw, &blk, RTCP_XR_RRTR);
  assert_int_equal(blk.u.rrtr_ntp, UINT64_C(0x0000000100000002));
  assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_EMALFORMED);
  assert_int_equal(w.stats.malformed, 1);
  /* The walk stays stopped, counted once. */
  assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_EMALFORMED);
  assert_int_equal(w.stats.malformed, 1);
  free(copy);
}

/* ---- malformed compounds ---- */

static void rtcp_walk_rejects_empty_short_and_versions(void **state)
{
  uint8_t pkt[8];
  struct rtcp_walk w;
  struct rtcp_view v;
  size_t len;
  unsigned ver;
  (void)state;

  assert_int_equal(rtcp_walk_init(&w, NULL, 0), RILL_EMALFORMED);
  assert_int_equal(w.stats.malformed, 1);
  assert_int_equal(rtcp_walk_next(&w, &v), RILL_EEMPTY);
  assert_int_equal(rtcp_walk_init(NULL, bye_vector, 8), RILL_EINVAL);
  assert_int_equal(rtcp_walk_init(&w, NULL, 8), RILL_EINVAL);
  for (len = 0; len < 4; len++)
    assert_int_equal(init_status(bye_vector, len), RILL_EMALFORMED);
  for (len = 4; len < 8; len++)
    assert_int_equal(init_status(bye_vector, len), RILL_EMALFORMED);
  assert_int_equal(init_status(bye_vector, 8), RILL_OK);

  for (ver = 0; ver < 4; ver++) {
    memcpy(pkt, bye_vector, 8);
    pkt[0] = (uint8_t)(ver << 6 | (pkt[0] & 0x3f));
    assert_int_equal(init_status(pkt, 8), ver == 2 ? RILL_OK : RILL_EMALFORMED);
  }
  /* A bad version in the second sub-packet fails the whole datagram. */
  {
    uint8_t two[sizeof(sr_sdes_vector)];
    memcpy(two, sr_sdes_vector, sizeof(two));
    two[52] = 0x41; /* version 1 */
    assert_int_equal(init_status(two, sizeof(two)), RILL_EMALFORMED);
    two[52] = 0xc1; /* version 3 */
    assert_int_equal(init_status(two, sizeof(two)), RILL_EMALFORMED);
  }
}

static void rtcp_walk_rejects_lengths_that_do_not_add_up(void **state)
{
  uint8_t pkt[sizeof(sr_sdes_vector) + 8];
  size_t len = sizeof(sr_sdes_vector), cut;
  (void)state;

  memcpy(pkt, sr_sdes_vector, len);
  /* Every cut of the compound. */
  for (cut = 0; cut < len; cut++)
    assert_int_equal(init_status(pkt, cut), cut == 52 ? RILL_OK : RILL_EMALFORMED);
  /* The SR's length says one word more (past the datagram after the SDES
   * shifts) or one word less (leaving a word that is no header). */
  pkt[3] = 0x0d;
  assert_int_equal(init_status(pkt, len), RILL_EMALFORMED);
  pkt[3] = 0x0b;
  assert_int_equal(init_status(pkt, len), RILL_EMALFORMED);
  pkt[3] = 0x0c;
  /* The SDES's length lies both ways. */
  pkt[55] = 0x05;
  assert_int_equal(init_status(pkt, len), RILL_EMALFORMED);
  pkt[55] = 0x03;
  assert_int_equal(init_status(pkt, len), RILL_EMALFORMED);
  pkt[55] = 0x04;
  /* Trailing bytes that are not a whole sub-packet. */
  memset(pkt + len, 0, 8);
  assert_int_equal(init_status(pkt, len + 1), RILL_EMALFORMED);
  assert_int_equal(init_status(pkt, len + 4), RILL_EMALFORMED); /* version 0 */
  pkt[len] = 0x80;
  assert_int_equal(init_status(pkt, len + 4), RILL_OK); /* an empty unknown packet */
  assert_int_equal(init_status(pkt, len), RILL_OK);
}

static void rtcp_walk_checks_padding(void **state)
{
  uint8_t pkt[sizeof(bye_vector) + 8];
  size_t len = sizeof(bye_vector);
  struct rtcp_walk w;
  struct rtcp_view v;
  size_t n;
  char reason[8];
  uint8_t *copy;
  (void)state;

  /* Padding on a packet that is not the last. */
  memcpy(pkt, bye_vector, len);
  pkt[0] |= 0x20;
  assert_int_equal(init_status(pkt, len), RILL_EMALFORMED);
  pkt[8] |= 0x20;
  assert_int_equal(init_status(pkt, len), RILL_EMALFORMED);

  /* On the last: BYE grows by 4 padding bytes. */
  memcpy(pkt, bye_vector, len);
  pkt[24] |= 0x20;
  pkt[27] = 0x03;
  memset(pkt + len, 0, 4);
  pkt[len + 3] = 4;
  assert_int_equal(walk_exact(pkt, len + 4, &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_RR);
  next_of_type(&w, &v, RTCP_SDES);
  next_of_type(&w, &v, RTCP_BYE);
  assert_int_equal(v.len, 12);
  assert_int_equal(rtcp_parse_bye(&v, &n, reason, sizeof(reason)), RILL_OK);
  assert_string_equal(reason, "bye");
  free(copy);
  /* Count 0, too big for the body (16 bytes - 4 header = 12 is the most). */
  copy = NULL;
  pkt[len + 3] = 0;
  assert_int_equal(init_status(pkt, len + 4), RILL_EMALFORMED);
  pkt[len + 3] = 13;
  assert_int_equal(init_status(pkt, len + 4), RILL_EMALFORMED);
  pkt[len + 3] = 255;
  assert_int_equal(init_status(pkt, len + 4), RILL_EMALFORMED);
  /* Padding that eats the whole body: the BYE is then only a header, and
   * its SC=1 is a lie the BYE parser catches. */
  pkt[len + 3] = 12;
  assert_int_equal(walk_exact(pkt, len + 4, &w, &copy), RILL_OK);
  next_of_type(&w, &v, RTCP_RR);
  next_of_type(&w, &v, RTCP_SDES);
  next_of_type(&w, &v, RTCP_BYE);
  assert_int_equal(v.len, 4);
  assert_int_equal(rtcp_parse_bye(&v, &n, reason, sizeof(reason)), RILL_EMALFORMED);
  assert_int_equal(w.stats.malformed, 1);
  free(copy);
}

/* The view of a datagram of one sub-packet with valid framing, on an exact
 * copy kept in *copy. */
static struct rtcp_view single_view(const uint8_t *pkt, size_t len, struct rtcp_walk *w,
                                    uint8_t **copy)
{
  struct rtcp_view v;
  assert_int_equal(walk_exact(pkt, len, w, copy), RILL_OK);
  assert_int_equal(rtcp_walk_next(w, &v), RILL_OK);
  return v;
}

static void rtcp_parse_rejects_report_count_lies(void **state)
{
  uint8_t pkt[sizeof(sr_sdes_vector)];
  struct rtcp_walk w;
  struct rtcp_view v;
  struct rtcp_sr sr;
  uint32_t ssrc;
  size_t n;
  uint8_t *copy;
  (void)state;

  /* SR says 2 blocks and holds 1. */
  memcpy(pkt, sr_sdes_vector, 52);
  pkt[0] = 0x82;
  v = single_view(pkt, 52, &w, &copy);
  assert_int_equal(rtcp_parse_sr(&v, &sr, &n), RILL_EMALFORMED);
  assert_int_equal(w.stats.malformed, 1);
  free(copy);
  /* SR holding less than its sender info. */
  pkt[0] = 0x80;
  pkt[3] = 0x05; /* 24 bytes */
  v = single_view(pkt, 24, &w, &copy);
  assert_int_equal(rtcp_parse_sr(&v, &sr, &n), RILL_EMALFORMED);
  free(copy);
  /* SR with 0 blocks and 24 bytes of profile extension: accepted. */
  pkt[3] = 0x0c;
  v = single_view(pkt, 52, &w, &copy);
  assert_int_equal(rtcp_parse_sr(&v, &sr, &n), RILL_OK);
  assert_int_equal(n, 0);
  free(copy);

  /* RR: a truncated report block (RC=1, 20 of its 24 bytes). */
  memcpy(pkt, rr_xr_sdes_vector, 32);
  pkt[3] = 0x06;
  v = single_view(pkt, 28, &w, &copy);
  assert_int_equal(rtcp_parse_rr(&v, &ssrc, &n), RILL_EMALFORMED);
  free(copy);
  /* RR with only a header. */
  pkt[0] = 0x80;
  pkt[3] = 0x00;
  v = single_view(pkt, 4, &w, &copy);
  assert_int_equal(rtcp_parse_rr(&v, &ssrc, &n), RILL_EMALFORMED);
  /* And the wrong parser for the type. */
  assert_int_equal(rtcp_parse_sr(&v, &sr, &n), RILL_EINVAL);
  assert_int_equal(rtcp_parse_bye(&v, &n, NULL, 0), RILL_EINVAL);
  free(copy);
}

static void assert_sdes_malformed(const uint8_t *pkt, size_t len, unsigned good_chunks)
{
  struct rtcp_walk w;
  uint8_t *copy;
  struct rtcp_view v = single_view(pkt, len, &w, &copy);
  struct rtcp_sdes_walk sw;
  char text[16];
  uint32_t ssrc;
  unsigned i;

  rtcp_sdes_init(&sw, &v);
  for (i = 0; i < good_chunks; i++)
    assert_int_equal(rtcp_sdes_next(&sw, &ssrc, text, sizeof(text)), RILL_OK);
  assert_int_equal(rtcp_sdes_next(&sw, &ssrc, text, sizeof(text)), RILL_EMALFORMED);
  assert_string_equal(text, "");
  assert_int_equal(w.stats.malformed, 1);
  assert_int_equal(rtcp_sdes_next(&sw, &ssrc, text, sizeof(text)), RILL_EMALFORMED);
  assert_int_equal(w.stats.malformed, 1);
  free(copy);
}

static void rtcp_parse_rejects_bad_sdes(void **state)
{
  /* Item text past the end of the packet. */
  static const uint8_t item_past_end[] = {
      0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x05, 'a', 'b',
  };
  /* Item header cut: a type byte and nothing more. */
  static const uint8_t item_header_cut[] = {
      0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x01, 'a', 0x06,
  };
  /* Items fill the packet, no terminating zero. */
  static const uint8_t no_terminator[] = {
      0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b',
  };
  /* SC=2, one chunk. */
  static const uint8_t fewer_chunks[] = {
      0x82, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x01, 'a', 0x00,
  };
  /* SC=1, two chunks. */
  static const uint8_t more_chunks[] = {
      0x81, 0xca, 0x00, 0x04, 0, 0, 0, 1, 0x01, 0x01, 'a', 0x00,
      0, 0, 0, 2, 0x00, 0x00, 0x00, 0x00,
  };
  /* SC=1, no chunk at all. */
  static const uint8_t no_chunk[] = {0x81, 0xca, 0x00, 0x00};
  /* A chunk whose SSRC is cut by the padding. */
  static const uint8_t ssrc_cut[] = {
      0xa1, 0xca, 0x00, 0x01, 0, 0, 0, 2,
  };
  (void)state;

  assert_sdes_malformed(item_past_end, sizeof(item_past_end), 0);
  assert_sdes_malformed(item_header_cut, sizeof(item_header_cut), 0);
  assert_sdes_malformed(no_terminator, sizeof(no_terminator), 0);
  assert_sdes_malformed(fewer_chunks, sizeof(fewer_chunks), 1);
  assert_sdes_malformed(more_chunks, sizeof(more_chunks), 1);
  assert_sdes_malformed(no_chunk, sizeof(no_chunk), 0);
  assert_sdes_malformed(ssrc_cut, sizeof(ssrc_cut), 0);
}

static void rtcp_parse_rejects_bad_bye(void **state)
{
  /* SC=2, one SSRC. */
  static const uint8_t ssrc_past_end[] = {0x82, 0xcb, 0x00, 0x01, 0, 0, 0, 1};
  /* Reason of 4 bytes, 3 there. */
  static const uint8_t reason_past_end[] = {0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 1,
                                            0x04, 'a', 'b', 'c'};
  /* SC=0, reason "abc": valid. */
  static const uint8_t no_ssrc[] = {0x80, 0xcb, 0x00, 0x01, 0x03, 'a', 'b', 'c'};
  struct rtcp_walk w;
  struct rtcp_view v;
  char reason[8];
  size_t n;
  uint8_t *copy;
  (void)state;

  v = single_view(ssrc_past_end, sizeof(ssrc_past_end), &w, &copy);
  assert_int_equal(rtcp_parse_bye(&v, &n, reason, sizeof(reason)), RILL_EMALFORMED);
  assert_int_equal(rtcp_bye_ssrc(&v, 1), 0);
  assert_int_equal(w.stats.malformed, 1);
  free(copy);
  v = single_view(reason_past_end, sizeof(reason_past_end), &w, &copy);
  assert_int_equal(rtcp_parse_bye(&v, &n, reason, sizeof(reason)), RILL_EMALFORMED);
  assert_string_equal(reason, "");
  free(copy);
  v = single_view(no_ssrc, sizeof(no_ssrc), &w, &copy);
  assert_int_equal(rtcp_parse_bye(&v, &n, reason, sizeof(reason)), RILL_OK);
  assert_int_equal(n, 0);
  assert_string_equal(reason, "abc");
  free(copy);
}

static void assert_xr_malformed(const uint8_t *pkt, size_t len, unsigned good_blocks)
{
  struct rtcp_walk w;
  uint8_t *copy;
  struct rtcp_view v = single_view(pkt, len, &w, &copy);
  struct rtcp_xr_walk xw;
  struct rtcp_xr_block blk;
  unsigned i;

  assert_int_equal(rtcp_xr_init(&xw, &v, NULL, &w.stats), RILL_OK);
  for (i = 0; i < good_blocks; i++)
    assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_OK);
  assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_EMALFORMED);
  assert_int_equal(w.stats.malformed, 1);
  free(copy);
}

static void rtcp_parse_rejects_bad_xr(void **state)
{
  /* Block length runs past the packet. */
  static const uint8_t past_end[] = {
      0x80, 0xcf, 0x00, 0x04, 0, 0, 0, 1, 0x04, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0,
  };
  /* A block header cut: 2 bytes after the SSRC. */
  static const uint8_t header_cut[] = {
      0xa0, 0xcf, 0x00, 0x02, 0, 0, 0, 1, 0x04, 0x00, 0x00, 0x02,
  };
  /* Too short for its type: RRTR 1 word, MI 6, DM 5, DLRR 2 (not 3n). */
  static const uint8_t rrtr_short[] = {
      0x80, 0xcf, 0x00, 0x03, 0, 0, 0, 1, 0x04, 0x00, 0x00, 0x01, 0, 0, 0, 0,
  };
  uint8_t pkt[64];
  (void)state;

  assert_xr_malformed(past_end, sizeof(past_end), 0);
  assert_xr_malformed(header_cut, sizeof(header_cut), 0);
  assert_xr_malformed(rrtr_short, sizeof(rrtr_short), 0);

  /* MI, DM, DLRR one word too short (DLRR: 2 words, not a whole item);
   * after a good RRTR. */
  {
    static const struct {
      uint8_t bt;
      uint8_t words;
    } shorts[] = {{RTCP_XR_MEASUREMENT_INFO, 6}, {RTCP_XR_DELAY_METRICS, 5},
                  {RTCP_XR_DLRR, 2},             {RTCP_XR_DLRR, 4},
                  {RTCP_XR_QUEUE_METRICS, 1},    {RTCP_XR_QUEUE_METRICS, 0}};
    size_t i;
    for (i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
      size_t len = 8 + 12 + 4 + 4 * (size_t)shorts[i].words;
      memset(pkt, 0, sizeof(pkt));
      pkt[0] = 0x80;
      pkt[1] = 0xcf;
      pkt[3] = (uint8_t)(len / 4 - 1);
      pkt[8] = RTCP_XR_RRTR;
      pkt[11] = 2;
      pkt[20] = shorts[i].bt;
      pkt[23] = shorts[i].words;
      assert_xr_malformed(pkt, len, 1);
    }
  }

  /* An XR packet too short for its SSRC. */
  {
    static const uint8_t no_ssrc[] = {0x80, 0xcf, 0x00, 0x00};
    struct rtcp_walk w;
    uint8_t *copy;
    struct rtcp_view v = single_view(no_ssrc, sizeof(no_ssrc), &w, &copy);
    struct rtcp_xr_walk xw;
    struct rtcp_xr_block blk;
    uint32_t ssrc;
    assert_int_equal(rtcp_xr_init(&xw, &v, &ssrc, &w.stats), RILL_EMALFORMED);
    assert_int_equal(w.stats.malformed, 1);
    assert_int_equal(rtcp_xr_next(&xw, &blk), RILL_EMALFORMED);
    free(copy);
  }
}

/* ---- builder limits ---- */

static void rtcp_build_reports_enospc_and_stays_usable(void **state)
{
  uint8_t buf[sizeof(rr_xr_sdes_vector)];
  struct rtcp_builder b;
  size_t cap;
  (void)state;

  for (cap = 0; cap < 52; cap++) {
    rtcp_builder_init(&b, buf, cap);
    assert_int_equal(rtcp_add_sr(&b, &vector_sr, &vector_sr_block, 1), RILL_ENOSPC);
    assert_int_equal(b.len, 0);
  }
  /* The SR fits, the SDES does not, a smaller RR still does. */
  rtcp_builder_init(&b, buf, 60);
  assert_int_equal(rtcp_add_sr(&b, &vector_sr, &vector_sr_block, 1), RILL_OK);
  assert_int_equal(rtcp_add_sdes_cname(&b, 1, "rill@host"), RILL_ENOSPC);
  assert_int_equal(b.len, 52);
  assert_int_equal(rtcp_add_bye(&b, NULL, 0, "toolong"), RILL_ENOSPC);
  assert_int_equal(rtcp_add_rr(&b, 7, NULL, 0), RILL_OK);
  assert_int_equal(b.len, 60);

  /* XR: a block that does not fit leaves the open packet as it was. */
  rtcp_builder_init(&b, buf, 8 + 12 + 16);
  assert_int_equal(rtcp_xr_begin(&b, 1), RILL_OK);
  assert_int_equal(rtcp_xr_add_rrtr(&b, 5), RILL_OK);
  assert_int_equal(rtcp_xr_add_dm(&b, &vector_dm), RILL_ENOSPC);
  assert_int_equal(rtcp_xr_add_mi(&b, &vector_mi), RILL_ENOSPC);
  assert_int_equal(rtcp_xr_add_qm(&b, &vector_qm), RILL_OK);
  assert_int_equal(rtcp_xr_add_rrtr(&b, 5), RILL_ENOSPC);
  assert_int_equal(rtcp_xr_end(&b), RILL_OK);
  assert_int_equal(b.len, 36);
  assert_int_equal(buf[3], 8);
  assert_int_equal(init_status(buf, b.len), RILL_OK);
  rtcp_builder_init(&b, buf, 7);
  assert_int_equal(rtcp_xr_begin(&b, 1), RILL_ENOSPC);
  assert_int_equal(rtcp_xr_end(&b), RILL_EINVAL);
}

static void rtcp_build_rejects_bad_arguments(void **state)
{
  uint8_t buf[2048];
  struct rtcp_report_block blocks[RTCP_MAX_COUNT + 1];
  uint32_t ssrcs[RTCP_MAX_COUNT + 1] = {0};
  char text[RTCP_MAX_TEXT + 2];
  struct rtcp_xr_dm dm = vector_dm;
  struct rtcp_xr_qm qm = vector_qm;
  struct rtcp_builder b;
  (void)state;

  memset(blocks, 0, sizeof(blocks));
  memset(text, 'x', sizeof(text) - 1);
  text[sizeof(text) - 1] = '\0';
  rtcp_builder_init(&b, buf, sizeof(buf));
  assert_int_equal(rtcp_add_sr(&b, &vector_sr, blocks, RTCP_MAX_COUNT + 1), RILL_EINVAL);
  assert_int_equal(rtcp_add_rr(&b, 1, blocks, RTCP_MAX_COUNT + 1), RILL_EINVAL);
  assert_int_equal(rtcp_add_rr(&b, 1, NULL, 1), RILL_EINVAL);
  assert_int_equal(rtcp_add_sr(&b, NULL, NULL, 0), RILL_EINVAL);
  assert_int_equal(rtcp_add_sdes_cname(&b, 1, ""), RILL_EINVAL);
  assert_int_equal(rtcp_add_sdes_cname(&b, 1, NULL), RILL_EINVAL);
  assert_int_equal(rtcp_add_sdes_cname(&b, 1, text), RILL_EINVAL); /* 256 bytes */
  assert_int_equal(rtcp_add_bye(&b, ssrcs, RTCP_MAX_COUNT + 1, NULL), RILL_EINVAL);
  assert_int_equal(rtcp_add_bye(&b, NULL, 1, NULL), RILL_EINVAL);
  assert_int_equal(rtcp_add_bye(&b, ssrcs, 1, text), RILL_EINVAL);
  assert_int_equal(rtcp_add_rr(NULL, 1, NULL, 0), RILL_EINVAL);
  /* XR blocks only inside begin .. end, nothing else inside. */
  assert_int_equal(rtcp_xr_add_rrtr(&b, 1), RILL_EINVAL);
  assert_int_equal(rtcp_xr_end(&b), RILL_EINVAL);
  assert_int_equal(b.len, 0);
  assert_int_equal(rtcp_xr_begin(&b, 1), RILL_OK);
  assert_int_equal(rtcp_xr_begin(&b, 1), RILL_EINVAL);
  assert_int_equal(rtcp_add_rr(&b, 1, NULL, 0), RILL_EINVAL);
  assert_int_equal(rtcp_add_sdes_cname(&b, 1, "a"), RILL_EINVAL);
  assert_int_equal(rtcp_add_bye(&b, NULL, 0, NULL), RILL_EINVAL);
  dm.flag = (enum rtcp_metric_flag)0;
  qm.flag = (enum rtcp_metric_flag)4;
  assert_int_equal(rtcp_xr_add_dm(&b, &dm), RILL_EINVAL);
  assert_int_equal(rtcp_xr_add_qm(&b, &qm), RILL_EINVAL);
  assert_int_equal(rtcp_xr_add_dm(&b, NULL), RILL_EINVAL);
  assert_int_equal(rtcp_xr_add_mi(&b, NULL), RILL_EINVAL);
  assert_int_equal(rtcp_xr_add_dlrr(&b, NULL, 1), RILL_EINVAL);
  assert_int_equal(rtcp_xr_add_dlrr(&b, NULL, 0xFFFF / 3 + 1), RILL_EINVAL);
  assert_int_equal(rtcp_xr_end(&b), RILL_OK);
  assert_int_equal(b.len, 8);
  assert_int_equal(init_status(buf, b.len), RILL_OK);
}

/* ---- report block values ---- */

static void rtcp_fraction_lost_edges(void **state)
{
  (void)state;
  assert_int_equal(rtcp_fraction_lost(0, 0), 0);
  assert_int_equal(rtcp_fraction_lost(0, 5), 0);
  assert_int_equal(rtcp_fraction_lost(100, 100), 0);
  assert_int_equal(rtcp_fraction_lost(100, 110), 0); /* duplicates */
  assert_int_equal(rtcp_fraction_lost(100, 75), 64);
  assert_int_equal(rtcp_fraction_lost(4, 3), 64);
  assert_int_equal(rtcp_fraction_lost(3, 2), 85);
  assert_int_equal(rtcp_fraction_lost(256, 255), 1);
  assert_int_equal(rtcp_fraction_lost(257, 256), 0); /* under 1/256 */
  assert_int_equal(rtcp_fraction_lost(100, 0), 255); /* all lost: 256 saturates */
  assert_int_equal(rtcp_fraction_lost(1, 0), 255);
  assert_int_equal(rtcp_fraction_lost(UINT32_MAX, 0), 255);
  assert_int_equal(rtcp_fraction_lost(UINT32_MAX, 1), 255);
  assert_int_equal(rtcp_fraction_lost(UINT32_MAX, UINT32_MAX / 2), 128);
}

static void rtcp_clamp_cum_lost_edges(void **state)
{
  (void)state;
  assert_int_equal(rtcp_clamp_cum_lost(0), 0);
  assert_int_equal(rtcp_clamp_cum_lost(-1), -1);
  assert_int_equal(rtcp_clamp_cum_lost(0x7fffff), 0x7fffff);
  assert_int_equal(rtcp_clamp_cum_lost(0x800000), 0x7fffff);
  assert_int_equal(rtcp_clamp_cum_lost(INT64_MAX), 0x7fffff);
  assert_int_equal(rtcp_clamp_cum_lost(-0x800000), -0x800000);
  assert_int_equal(rtcp_clamp_cum_lost(-0x800001), -0x800000);
  assert_int_equal(rtcp_clamp_cum_lost(INT64_MIN), -0x800000);
}

static void rtcp_build_clamps_cum_lost(void **state)
{
  static const int32_t in[] = {INT32_MAX, 0x800000, -0x800001, INT32_MIN};
  static const int32_t expect[] = {0x7fffff, 0x7fffff, -0x800000, -0x800000};
  uint8_t buf[64];
  struct rtcp_report_block rb = vector_rr_block, out;
  struct rtcp_builder b;
  struct rtcp_walk w;
  struct rtcp_view v;
  size_t i;
  uint8_t *copy;
  (void)state;

  for (i = 0; i < 4; i++) {
    rb.cum_lost = in[i];
    rtcp_builder_init(&b, buf, sizeof(buf));
    assert_int_equal(rtcp_add_rr(&b, 1, &rb, 1), RILL_OK);
    v = single_view(buf, b.len, &w, &copy);
    rtcp_report_block(&v, 0, &out);
    assert_int_equal(out.cum_lost, expect[i]);
    assert_int_equal(out.ssrc, rb.ssrc);
    free(copy);
  }
}

/* ---- NTP ---- */

static void ntp_known_values(void **state)
{
  (void)state;
  assert_int_equal(ntp_from_unix_ns(0), UINT64_C(0x83AA7E8000000000));
  assert_int_equal(ntp_to_unix_ns(UINT64_C(0x83AA7E8000000000)), 0);
  /* 2024-01-01T00:00:00Z */
  assert_int_equal(ntp_from_unix_ns(INT64_C(1704067200) * 1000000000),
                   UINT64_C(0xE93C7F0000000000));
  assert_int_equal(ntp_to_unix_ns(UINT64_C(0xE93C7F0000000000)),
                   INT64_C(1704067200) * 1000000000);
  assert_int_equal(ntp_from_duration_ns(1500000000), UINT64_C(0x0000000180000000));
  assert_int_equal(ntp_to_duration_ns(UINT64_C(0x0000000180000000)), 1500000000);
  assert_int_equal(ntp_from_duration_ns(-5), 0);
  /* 32-bit seconds: the largest value is still far from INT64_MAX. */
  assert_int_equal(ntp_to_duration_ns(UINT64_MAX), INT64_C(4294967296) * 1000000000 - 1);
  assert_int_equal(ntp_mid32(UINT64_C(0x83AA7E8080000000)), 0x7E808000u);
  assert_int_equal(ntp_mid32_from_ns(1000000000), 0x10000);
  assert_int_equal(ntp_mid32_from_ns(500000000), 0x8000);
  assert_int_equal(ntp_mid32_to_ns(0x10000), 1000000000);
  assert_int_equal(ntp_mid32_to_ns(0x8000), 500000000);
  assert_int_equal(ntp_mid32_from_ns(-1), 0);
  /* Saturates below the "unknown" value. */
  assert_int_equal(ntp_mid32_from_ns(INT64_C(65536) * 1000000000), 0xFFFFFFFEu);
  assert_int_equal(ntp_mid32_from_ns(INT64_MAX), 0xFFFFFFFEu);
}

static void ntp_round_trips(void **state)
{
  static const int64_t ns[] = {0, 1, 15258, 15259, 999999999, 1000000000, 123456789012,
                               INT64_C(4000000000000), INT64_C(65535) * 1000000000};
  size_t i;
  (void)state;

  for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
    int64_t back = ntp_mid32_to_ns(ntp_mid32_from_ns(ns[i]));
    /* Truncated to 1/65536 s (15258.79 ns), never up. */
    assert_true(back <= ns[i]);
    assert_in_range(ns[i] - back, 0, 15259);
    back = ntp_to_duration_ns(ntp_from_duration_ns(ns[i]));
    assert_in_range(ns[i] - back, 0, 1);
    back = ntp_to_unix_ns(ntp_from_unix_ns(ns[i]));
    assert_in_range(ns[i] - back, 0, 1);
  }
  /* mid32 of a timestamp and of the same time as a duration agree. */
  assert_int_equal(ntp_mid32(ntp_from_duration_ns(2500000000)), ntp_mid32_from_ns(2500000000));
}

/* ---- report interval ---- */

static struct rtcp_interval_in interval_base(void)
{
  struct rtcp_interval_in in = {
      .members = 2, .senders = 1, .we_sent = false, .avg_rtcp_bytes = 100,
      .session_bw_bytes_per_s = 176400, .min_interval_ns = 200000000, .random01 = 0.5,
  };
  return in;
}

#define COMPENSATION (2.71828 - 1.5)

static void assert_interval_near(const struct rtcp_interval_in *in, double expect_s)
{
  double expect_ns = expect_s * 1e9;
  int64_t got = rtcp_interval_ns(in);
  assert_in_range(got, (int64_t)(expect_ns - 2), (int64_t)(expect_ns + 2));
}

static void rtcp_interval_floor_holds_for_tiny_share(void **state)
{
  struct rtcp_interval_in in = interval_base();
  (void)state;
  /* 100 bytes * 2 members / (5 % of 176400 B/s) = 23 ms: below the floor. */
  assert_interval_near(&in, 0.2 / COMPENSATION);
  assert_int_equal(rtcp_interval_ns(&in), 164165873);
  in.session_bw_bytes_per_s = 0;
  assert_interval_near(&in, 0.2 / COMPENSATION);
  in.session_bw_bytes_per_s = NAN;
  assert_interval_near(&in, 0.2 / COMPENSATION);
  in = interval_base();
  in.avg_rtcp_bytes = NAN;
  assert_interval_near(&in, 0.2 / COMPENSATION);
  in.min_interval_ns = 5000000000; /* RFC 3550's 5 s */
  assert_interval_near(&in, 5.0 / COMPENSATION);
}

static void rtcp_interval_randomizes_in_half_to_three_halves(void **state)
{
  struct rtcp_interval_in in = interval_base();
  (void)state;
  in.random01 = 0;
  assert_interval_near(&in, 0.2 * 0.5 / COMPENSATION);
  in.random01 = 0.25;
  assert_interval_near(&in, 0.2 * 0.75 / COMPENSATION);
  in.random01 = 0.999999;
  assert_interval_near(&in, 0.2 * 1.499999 / COMPENSATION);
  /* Out of [0, 1): the midpoint. */
  in.random01 = 1.0;
  assert_interval_near(&in, 0.2 / COMPENSATION);
  in.random01 = -0.1;
  assert_interval_near(&in, 0.2 / COMPENSATION);
  in.random01 = NAN;
  assert_interval_near(&in, 0.2 / COMPENSATION);
}

static void rtcp_interval_sender_share(void **state)
{
  struct rtcp_interval_in in = interval_base();
  (void)state;
  /* 10 members, 2 senders (<= 10/4): RTCP gets 50 B/s of 1000 B/s. */
  in.members = 10;
  in.senders = 2;
  in.avg_rtcp_bytes = 1000;
  in.session_bw_bytes_per_s = 1000;
  in.we_sent = true; /* 2 senders share 25 %: 2 * 1000 / 12.5 = 160 s */
  assert_interval_near(&in, 160.0 / COMPENSATION);
  in.we_sent = false; /* 8 receivers share 75 %: 8 * 1000 / 37.5 */
  assert_interval_near(&in, 8000.0 / 37.5 / COMPENSATION);
  /* 3 senders of 10 (> 10/4): all share it alike: 10 * 1000 / 50 = 200 s. */
  in.senders = 3;
  assert_interval_near(&in, 200.0 / COMPENSATION);
  in.we_sent = true;
  assert_interval_near(&in, 200.0 / COMPENSATION);
  /* No senders at all (RFC 3550 A.7): the 10 receivers still share 75 %. */
  in.senders = 0;
  in.we_sent = false;
  assert_interval_near(&in, 10000.0 / 37.5 / COMPENSATION);
  /* Beyond int64 ns: saturates. */
  in.avg_rtcp_bytes = 1e300;
  assert_int_equal(rtcp_interval_ns(&in), INT64_MAX);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rtcp_parse_reads_sr_sdes_vector),
      cmocka_unit_test(rtcp_parse_reads_rr_xr_sdes_vector),
      cmocka_unit_test(rtcp_parse_reads_bye_vector),
      cmocka_unit_test(rtcp_parse_reads_xr_dlrr_vector),
      cmocka_unit_test(rtcp_parse_skips_other_items_app_and_unknown_xr),
      cmocka_unit_test(rtcp_parse_sdes_cname_truncated_and_absent),
      cmocka_unit_test(rtcp_build_writes_sr_sdes_vector),
      cmocka_unit_test(rtcp_build_writes_rr_xr_sdes_vector),
      cmocka_unit_test(rtcp_build_writes_bye_vector),
      cmocka_unit_test(rtcp_build_writes_xr_dlrr_vector),
      cmocka_unit_test(rtcp_round_trip_sr_rr_with_31_blocks),
      cmocka_unit_test(rtcp_round_trip_sdes_every_cname_length),
      cmocka_unit_test(rtcp_round_trip_bye),
      cmocka_unit_test(rtcp_round_trip_every_xr_block),
      cmocka_unit_test(rtcp_parse_reads_longer_xr_blocks_for_their_fields),
      cmocka_unit_test(rtcp_walk_rejects_empty_short_and_versions),
      cmocka_unit_test(rtcp_walk_rejects_lengths_that_do_not_add_up),
      cmocka_unit_test(rtcp_walk_checks_padding),
      cmocka_unit_test(rtcp_parse_rejects_report_count_lies),
      cmocka_unit_test(rtcp_parse_rejects_bad_sdes),
      cmocka_unit_test(rtcp_parse_rejects_bad_bye),
      cmocka_unit_test(rtcp_parse_rejects_bad_xr),
      cmocka_unit_test(rtcp_build_reports_enospc_and_stays_usable),
      cmocka_unit_test(rtcp_build_rejects_bad_arguments),
      cmocka_unit_test(rtcp_fraction_lost_edges),
      cmocka_unit_test(rtcp_clamp_cum_lost_edges),
      cmocka_unit_test(rtcp_build_clamps_cum_lost),
      cmocka_unit_test(ntp_known_values),
      cmocka_unit_test(ntp_round_trips),
      cmocka_unit_test(rtcp_interval_floor_holds_for_tiny_share),
      cmocka_unit_test(rtcp_interval_randomizes_in_half_to_three_halves),
      cmocka_unit_test(rtcp_interval_sender_share),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
