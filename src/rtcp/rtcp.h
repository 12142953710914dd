/*
 * RTCP (RFC 3550 section 6) and RTCP XR (RFC 3611, RFC 6776, RFC 6843, and
 * roc-toolkit's private Queue Metrics block) compound packets: parse and
 * compose.
 *
 * Pure functions over caller buffers: no I/O, no allocation, no state.
 * The parser is strict about lengths: every length and count field is
 * checked against the datagram before anything is read, so a view it hands
 * out can be read without further checks. It is lenient about what it does
 * not know (unknown packet types and XR block types are skipped, counted in
 * `skipped`).
 *
 * Parsing is a walk: rtcp_walk_init over a datagram checks the whole
 * compound's framing (every packet: version 2, length within the datagram,
 * padding only on the last packet and valid; lengths add up exactly to the
 * datagram), then rtcp_walk_next hands out one sub-packet at a time as a
 * typed, validated view.
 *
 * Wire layouts (all big-endian):
 *   common header  V=2(2) P(1) count(5) | PT(8) | length(16, words - 1)
 *   SR  (200)  ssrc, ntp(64), rtp ts, packet count, octet count, RC blocks
 *   RR  (201)  ssrc, RC blocks
 *   report block (24 bytes) ssrc, fraction(8) cum lost(24, signed),
 *              ext highest seq, jitter, LSR, DLSR
 *   SDES (202) SC chunks: ssrc, items (type, len, text), 0 end, pad to 4
 *   BYE  (203) SC ssrcs, optional reason (len, text)
 *   XR   (207) ssrc, blocks: BT(8) type-specific(8) length(16, words - 1)
 *     RRTR (4)  ntp(64)
 *     DLRR (5)  sub-blocks of 12 bytes: ssrc, LRR, DLRR
 *     MI  (14)  ssrc, reserved(16) first seq(16), ext first seq of interval,
 *               ext last seq, interval duration (NTP middle 32), cumulative
 *               duration (NTP 64)
 *     DM  (16)  type-specific: I(2) flag in the top bits; ssrc, mean RTT,
 *               min RTT, max RTT (NTP middle 32 each; 0xFFFFFFFF: unknown),
 *               end-system delay (NTP 64; all ones: unknown)
 *     QM (220)  roc's Queue Metrics, type-specific I(2) as DM; ssrc,
 *               network incoming queue latency (NTP middle 32), and in
 *               newer roc versions queue stalling (NTP middle 32);
 *               0xFFFFFFFF: unknown. Parsed when 2 or 3 words long;
 *               composed 3 words long.
 *
 * Thread role: any (pure functions).
 */
#ifndef RILL_RTCP_RTCP_H
#define RILL_RTCP_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCP_VERSION 2
#define RTCP_MAX_COUNT 31          /* 5-bit RC / SC field */
#define RTCP_REPORT_BLOCK_BYTES 24
#define RTCP_MAX_TEXT 255          /* SDES item / BYE reason */

enum rtcp_type {
  RTCP_SR = 200,
  RTCP_RR = 201,
  RTCP_SDES = 202,
  RTCP_BYE = 203,
  RTCP_APP = 204,
  RTCP_XR = 207,
};

enum rtcp_sdes_type {
  RTCP_SDES_END = 0,
  RTCP_SDES_CNAME = 1,
};

enum rtcp_xr_type {
  RTCP_XR_RRTR = 4,
  RTCP_XR_DLRR = 5,
  RTCP_XR_MEASUREMENT_INFO = 14,
  RTCP_XR_DELAY_METRICS = 16,
  RTCP_XR_QUEUE_METRICS = 220,
};

/* "Unknown" values of the XR metrics fields. */
#define RTCP_XR_UNKNOWN_32 UINT32_C(0xFFFFFFFF)
#define RTCP_XR_UNKNOWN_64 UINT64_C(0xFFFFFFFFFFFFFFFF)

/* DM / QM interval metric flag (RFC 6843 3.1). */
enum rtcp_metric_flag {
  RTCP_METRIC_SAMPLED = 1,
  RTCP_METRIC_INTERVAL = 2,
  RTCP_METRIC_CUMULATIVE = 3,
};

struct rtcp_report_block {
  uint32_t ssrc;          /* the source reported on */
  uint8_t fraction_lost;  /* Q.8 */
  int32_t cum_lost;       /* 24-bit signed on the wire: -0x800000..0x7FFFFF;
                             composing clamps (rtcp_clamp_cum_lost) */
  uint32_t ext_highest_seq;
  uint32_t jitter;        /* RTP timestamp units */
  uint32_t lsr;           /* middle 32 bits of the last SR's NTP time; 0: none */
  uint32_t dlsr;          /* 1/65536 s since that SR */
};

struct rtcp_sr {
  uint32_t ssrc;
  uint64_t ntp;           /* NTP 64-bit timestamp (rtcp/ntp.h) */
  uint32_t rtp_ts;
  uint32_t packet_count;
  uint32_t octet_count;
};

struct rtcp_xr_dlrr_item {
  uint32_t ssrc;          /* the receiver */
  uint32_t lrr;           /* middle 32 bits of its RRTR's NTP time */
  uint32_t dlrr;          /* 1/65536 s since that RRTR */
};

struct rtcp_xr_mi {
  uint32_t ssrc;
  uint16_t first_seq;
  uint32_t interval_first_seq;
  uint32_t interval_last_seq;
  uint32_t interval_duration; /* NTP middle 32 */
  uint64_t cumulative_duration; /* NTP 64 */
};

struct rtcp_xr_dm {
  enum rtcp_metric_flag flag;
  uint32_t ssrc;
  uint32_t mean_rtt, min_rtt, max_rtt; /* NTP middle 32; RTCP_XR_UNKNOWN_32 */
  uint64_t e2e_delay;                  /* NTP 64 (a duration); RTCP_XR_UNKNOWN_64 */
};

struct rtcp_xr_qm {
  enum rtcp_metric_flag flag;
  uint32_t ssrc;
  uint32_t niq_latency;  /* NTP middle 32; RTCP_XR_UNKNOWN_32 */
  uint32_t niq_stalling; /* NTP middle 32; RTCP_XR_UNKNOWN_32 (also when absent) */
};

/* ---- parsing ---- */

/* Counters of one walk, added to by every call that rejects or skips. */
struct rtcp_parse_stats {
  uint32_t malformed; /* sub-packets or blocks rejected: a length or count lies */
  uint32_t skipped;   /* unknown packet types and XR blocks, ignored */
};

struct rtcp_walk {
  const uint8_t *data; /* borrowed: the datagram */
  size_t len;
  size_t pos;          /* next sub-packet */
  struct rtcp_parse_stats stats;
};

/* One sub-packet of a compound, validated framing. */
struct rtcp_view {
  enum rtcp_type type;  /* or another number for an unknown type */
  uint8_t count;        /* RC / SC / XR reserved bits */
  const uint8_t *data;  /* the whole sub-packet, header included */
  size_t len;           /* bytes, padding excluded */
  struct rtcp_parse_stats *stats; /* borrowed: the walk's counters, where the
                                     parse functions below count what they
                                     reject; may be NULL */
};

/*
 * Check the framing of the compound packet `data` (`len` bytes) and start a
 * walk over it. Returns RILL_OK; RILL_EMALFORMED when the compound is
 * empty or shorter than a header, a sub-packet's version is not 2, a
 * length runs past the datagram, the lengths do not add up to the datagram,
 * or padding is set on a sub-packet that is not the last or its count is 0
 * or longer than that sub-packet's body (everything after its 4-byte
 * header); RILL_EINVAL for w NULL, or data NULL with len > 0.
 * On RILL_EMALFORMED `*w` is an empty walk with stats.malformed = 1:
 * nothing may be used from a datagram that fails here.
 * The first sub-packet need not be an SR or RR (RFC 5506 reduced size).
 */
int rtcp_walk_init(struct rtcp_walk *w, const uint8_t *data, size_t len);

/*
 * The next sub-packet in `*out`: RILL_OK, or RILL_EEMPTY at the end;
 * RILL_EINVAL for NULL arguments. Every sub-packet is handed out, APP and
 * unknown types too (those are counted in stats.skipped here: the caller
 * just ignores them). `out->stats` points to w->stats.
 */
int rtcp_walk_next(struct rtcp_walk *w, struct rtcp_view *out);

/*
 * The parse functions below return RILL_EINVAL for NULL arguments or a view
 * of another type, and count each RILL_EMALFORMED in v->stats->malformed.
 * The readers of one item by index (rtcp_report_block, rtcp_bye_ssrc,
 * rtcp_xr_dlrr_item) give zeros for an index out of range instead of
 * reading past the packet.
 */

/*
 * SR: the sender info in `*sr`, and the report block count in `*blocks`
 * (report blocks read with rtcp_report_block). RILL_EMALFORMED when the
 * length cannot hold the sender info and `count` blocks (extra bytes after
 * them are a profile extension, allowed).
 */
int rtcp_parse_sr(const struct rtcp_view *v, struct rtcp_sr *sr, size_t *blocks);

/* RR: the reporter's SSRC and block count; RILL_EMALFORMED as for SR. */
int rtcp_parse_rr(const struct rtcp_view *v, uint32_t *ssrc, size_t *blocks);

/* Report block `i` (< blocks from rtcp_parse_sr/rr) of an SR or RR view. */
void rtcp_report_block(const struct rtcp_view *v, size_t i, struct rtcp_report_block *out);

/*
 * SDES: walk the chunks. rtcp_sdes_next returns each chunk's SSRC and its
 * CNAME (copied into `cname`, `cname_cap` bytes, always terminated; ""
 * when the chunk has none; other items skipped): RILL_OK, RILL_EEMPTY
 * after the last chunk, RILL_EMALFORMED when an item or the chunk list runs
 * past the packet, a chunk lacks its terminating zero, or there are more or
 * fewer chunks than SC says (the walk stops there).
 */
struct rtcp_sdes_walk {
  const struct rtcp_view *v;
  size_t pos;
  uint8_t chunks_left;
};
void rtcp_sdes_init(struct rtcp_sdes_walk *sw, const struct rtcp_view *v);
int rtcp_sdes_next(struct rtcp_sdes_walk *sw, uint32_t *ssrc, char *cname, size_t cname_cap);

/*
 * BYE: the SSRC count in `*count` (read each with rtcp_bye_ssrc) and the
 * reason (copied into `reason`, may be NULL, always terminated).
 * RILL_EMALFORMED when the SSRC list or the reason runs past the packet.
 */
int rtcp_parse_bye(const struct rtcp_view *v, size_t *count, char *reason, size_t reason_cap);
uint32_t rtcp_bye_ssrc(const struct rtcp_view *v, size_t i);

/*
 * XR: the originator's SSRC (rtcp_xr_init: RILL_EMALFORMED when the packet
 * cannot hold it; `ssrc` may be NULL), then each block. rtcp_xr_next
 * returns the next known block in `*out` (its `type` says which member is
 * set); unknown block types are skipped (counted in stats->skipped via the
 * pointer given to init, may be NULL; usually &walk.stats). RILL_EEMPTY at
 * the end; RILL_EMALFORMED when a block's length runs past the packet or is
 * too short for its type, or a DLRR block's is not a multiple of 12 bytes
 * (the walk stops there, and every later call returns RILL_EMALFORMED
 * again without counting it again). A block longer than its layout is read
 * for the fields it has, the rest ignored (roc grew QM by a word that way):
 * QM of 2 words has niq_stalling = RTCP_XR_UNKNOWN_32. The DM / QM flag is
 * passed through as on the wire (0 is reserved). A DLRR block's sub-blocks
 * are read with rtcp_xr_dlrr_item.
 */
struct rtcp_xr_block {
  enum rtcp_xr_type type;
  union {
    uint64_t rrtr_ntp;
    struct {
      const uint8_t *items; /* borrowed: 12 bytes each */
      size_t count;
    } dlrr;
    struct rtcp_xr_mi mi;
    struct rtcp_xr_dm dm;
    struct rtcp_xr_qm qm;
  } u;
};
struct rtcp_xr_walk {
  const struct rtcp_view *v;
  size_t pos;
  struct rtcp_parse_stats *stats; /* borrowed, may be NULL */
};
int rtcp_xr_init(struct rtcp_xr_walk *xw, const struct rtcp_view *v, uint32_t *ssrc,
                 struct rtcp_parse_stats *stats);
int rtcp_xr_next(struct rtcp_xr_walk *xw, struct rtcp_xr_block *out);
void rtcp_xr_dlrr_item(const struct rtcp_xr_block *b, size_t i, struct rtcp_xr_dlrr_item *out);

/* ---- composing ---- */

/*
 * A compound packet built into a caller buffer, one sub-packet after
 * another. Every add function returns RILL_OK or RILL_ENOSPC (nothing of
 * that sub-packet written: the builder stays usable for a smaller one) or
 * RILL_EINVAL (NULL arguments, more than 31 blocks / chunks / SSRCs, text
 * longer than 255, a DM / QM flag other than 1..3, more DLRR items than a
 * block length holds; an XR block outside rtcp_xr_begin .. rtcp_xr_end, or
 * any other packet or rtcp_xr_begin while an XR packet is open).
 * No padding is ever written (lengths are multiples of 4 by construction).
 */
struct rtcp_builder {
  uint8_t *buf;      /* borrowed */
  size_t cap;
  size_t len;        /* bytes written so far */
  size_t xr_start;   /* offset of the open XR packet's header; SIZE_MAX: none open */
};

void rtcp_builder_init(struct rtcp_builder *b, uint8_t *buf, size_t cap);

int rtcp_add_sr(struct rtcp_builder *b, const struct rtcp_sr *sr,
                const struct rtcp_report_block *blocks, size_t n);
int rtcp_add_rr(struct rtcp_builder *b, uint32_t ssrc, const struct rtcp_report_block *blocks,
                size_t n);
/* SDES with one chunk holding one CNAME item (1..255 bytes). */
int rtcp_add_sdes_cname(struct rtcp_builder *b, uint32_t ssrc, const char *cname);
/* `reason` may be NULL or "" (none). n may be 0. */
int rtcp_add_bye(struct rtcp_builder *b, const uint32_t *ssrcs, size_t n, const char *reason);

/* XR: open a packet, add blocks, close it (its length is set on close). */
int rtcp_xr_begin(struct rtcp_builder *b, uint32_t ssrc);
int rtcp_xr_add_rrtr(struct rtcp_builder *b, uint64_t ntp);
int rtcp_xr_add_dlrr(struct rtcp_builder *b, const struct rtcp_xr_dlrr_item *items, size_t n);
int rtcp_xr_add_mi(struct rtcp_builder *b, const struct rtcp_xr_mi *mi);
int rtcp_xr_add_dm(struct rtcp_builder *b, const struct rtcp_xr_dm *dm);
int rtcp_xr_add_qm(struct rtcp_builder *b, const struct rtcp_xr_qm *qm);
int rtcp_xr_end(struct rtcp_builder *b);

/*
 * Report block values from counts (RFC 3550 A.3): fraction lost over the
 * interval since the previous report (expected and received then), Q.8,
 * 0 when the interval lost nothing or gained duplicates, 255 when it lost
 * everything (256/256 does not fit 8 bits); cumulative loss clamped to 24
 * bits signed, -0x800000..0x7FFFFF (RFC 3550 A.3).
 */
uint8_t rtcp_fraction_lost(uint32_t expected_interval, uint32_t received_interval);
int32_t rtcp_clamp_cum_lost(int64_t lost);

#endif /* RILL_RTCP_RTCP_H */
