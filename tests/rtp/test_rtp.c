#include <rill/status.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtp.h"
#include "test_util.h"

/*
 * The first 24 bytes of the first datagram in
 * shared/vectors/roc-0.4/rtp_nofec/packets.jsonl (roc-send 0.4, 896 bytes in
 * full): L16 stereo, PT 10, no CSRC, no extension, no padding.
 */
static const uint8_t roc_capture_head[24] = {
    0x80, 0x0a, 0x7e, 0x43, 0xeb, 0xb1, 0xde, 0xfd, 0x14, 0x7f, 0x2e, 0x84,
    0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x01, 0x08, 0x01, 0x00, 0x02,
};

/* Parse `len` bytes copied into a buffer of exactly that size, so that ASan
 * reports any read past the end. */
static int parse_exact(const uint8_t *data, size_t len, struct rtp_header *out)
{
  uint8_t *copy = malloc(len > 0 ? len : 1);
  int rc;
  assert_non_null(copy);
  if (len > 0)
    memcpy(copy, data, len);
  rc = rtp_parse(copy, len, out);
  free(copy);
  return rc;
}

static void rtp_parse_reads_roc_capture(void **state)
{
  struct rtp_header h;
  (void)state;
  assert_int_equal(parse_exact(roc_capture_head, sizeof(roc_capture_head), &h), RILL_OK);
  assert_int_equal(h.version, 2);
  assert_false(h.padding_flag);
  assert_false(h.extension_flag);
  assert_false(h.marker);
  assert_int_equal(h.csrc_count, 0);
  assert_int_equal(h.payload_type, 10);
  assert_int_equal(h.seq, 0x7e43);
  assert_int_equal(h.timestamp, 0xebb1defdu);
  assert_int_equal(h.ssrc, 0x147f2e84u);
  assert_int_equal(h.header_bytes, 12);
  assert_int_equal(h.payload_offset, 12);
  assert_int_equal(h.payload_bytes, 12);
  assert_int_equal(h.padding_bytes, 0);
}

static void rtp_parse_rejects_null_and_short(void **state)
{
  struct rtp_header h;
  size_t len;
  (void)state;
  assert_int_equal(rtp_parse(roc_capture_head, 24, NULL), RILL_EINVAL);
  assert_int_equal(rtp_parse(NULL, 12, &h), RILL_EINVAL);
  assert_int_equal(rtp_parse(NULL, 0, &h), RILL_EMALFORMED);
  for (len = 0; len < 12; len++)
    assert_int_equal(parse_exact(roc_capture_head, len, &h), RILL_EMALFORMED);
  assert_int_equal(parse_exact(roc_capture_head, 12, &h), RILL_OK);
  assert_int_equal(h.payload_bytes, 0);
}

static void rtp_parse_rejects_other_versions(void **state)
{
  uint8_t pkt[24];
  struct rtp_header h;
  unsigned v;
  (void)state;
  for (v = 0; v < 4; v++) {
    memcpy(pkt, roc_capture_head, sizeof(pkt));
    pkt[0] = (uint8_t)(v << 6 | (pkt[0] & 0x3f));
    assert_int_equal(parse_exact(pkt, sizeof(pkt), &h), v == 2 ? RILL_OK : RILL_EUNSUPPORTED);
  }
}

static void rtp_parse_rejects_csrc_list_past_end(void **state)
{
  uint8_t pkt[12 + 60 + 8];
  struct rtp_header h;
  size_t len;
  (void)state;
  memset(pkt, 0xa5, sizeof(pkt));
  memcpy(pkt, roc_capture_head, 12);
  pkt[0] = 0x81; /* one CSRC */
  for (len = 12; len < 16; len++)
    assert_int_equal(parse_exact(pkt, len, &h), RILL_EMALFORMED);
  assert_int_equal(parse_exact(pkt, 16, &h), RILL_OK);
  assert_int_equal(h.payload_bytes, 0);

  pkt[0] = 0x8f; /* fifteen CSRCs */
  assert_int_equal(parse_exact(pkt, 71, &h), RILL_EMALFORMED);
  assert_int_equal(parse_exact(pkt, 72, &h), RILL_OK);
  assert_int_equal(h.csrc_count, 15);
  assert_int_equal(h.csrc[14], 0xa5a5a5a5u);
  assert_int_equal(h.header_bytes, 72);
}

static void rtp_parse_reads_extension(void **state)
{
  static const uint8_t pkt[] = {
      /* X, CC=1, M, PT 11 */
      0x91, 0x8b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
      0xca, 0xfe, 0xf0, 0x0d,                         /* CSRC */
      0xbe, 0xde, 0x00, 0x02,                         /* extension header: 2 words */
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* extension data */
      0x12, 0x34,                                     /* payload */
  };
  struct rtp_header h;
  (void)state;
  assert_int_equal(parse_exact(pkt, sizeof(pkt), &h), RILL_OK);
  assert_true(h.extension_flag);
  assert_true(h.marker);
  assert_int_equal(h.payload_type, 11);
  assert_int_equal(h.csrc_count, 1);
  assert_int_equal(h.csrc[0], 0xcafef00du);
  assert_int_equal(h.csrc[1], 0);
  assert_int_equal(h.ext_profile, 0xbede);
  assert_int_equal(h.ext_offset, 20);
  assert_int_equal(h.ext_bytes, 8);
  assert_int_equal(h.header_bytes, 28);
  assert_int_equal(h.payload_offset, 28);
  assert_int_equal(h.payload_bytes, 2);
}

static void rtp_parse_rejects_extension_past_end(void **state)
{
  uint8_t pkt[12 + 4 + 8];
  struct rtp_header h;
  size_t len;
  (void)state;
  memset(pkt, 0, sizeof(pkt));
  memcpy(pkt, roc_capture_head, 12);
  pkt[0] = 0x90;
  pkt[14] = 0x00;
  pkt[15] = 0x02; /* 8 bytes of extension data */
  /* The extension header itself is cut, then its data. */
  for (len = 12; len < sizeof(pkt); len++)
    assert_int_equal(parse_exact(pkt, len, &h), RILL_EMALFORMED);
  assert_int_equal(parse_exact(pkt, sizeof(pkt), &h), RILL_OK);
  assert_int_equal(h.payload_bytes, 0);

  /* The largest length field: 262140 bytes claimed, 8 present. */
  pkt[14] = 0xff;
  pkt[15] = 0xff;
  assert_int_equal(parse_exact(pkt, sizeof(pkt), &h), RILL_EMALFORMED);
}

static void rtp_parse_checks_padding(void **state)
{
  uint8_t pkt[12 + 8];
  struct rtp_header h;
  (void)state;
  memset(pkt, 0, sizeof(pkt));
  memcpy(pkt, roc_capture_head, 12);
  pkt[0] = 0xa0; /* P */

  /* No room for the count byte. */
  assert_int_equal(parse_exact(pkt, 12, &h), RILL_EMALFORMED);
  /* Count 0. */
  pkt[19] = 0;
  assert_int_equal(parse_exact(pkt, 20, &h), RILL_EMALFORMED);
  /* Count larger than what follows the header. */
  pkt[19] = 9;
  assert_int_equal(parse_exact(pkt, 20, &h), RILL_EMALFORMED);
  pkt[19] = 255;
  assert_int_equal(parse_exact(pkt, 20, &h), RILL_EMALFORMED);
  /* All of it padding: empty payload. */
  pkt[19] = 8;
  assert_int_equal(parse_exact(pkt, 20, &h), RILL_OK);
  assert_int_equal(h.payload_bytes, 0);
  assert_int_equal(h.padding_bytes, 8);
  /* Just the count byte. */
  pkt[19] = 1;
  assert_int_equal(parse_exact(pkt, 20, &h), RILL_OK);
  assert_true(h.padding_flag);
  assert_int_equal(h.payload_offset, 12);
  assert_int_equal(h.payload_bytes, 7);
  assert_int_equal(h.padding_bytes, 1);
}

static void rtp_parse_padding_cannot_overlap_csrc_or_extension(void **state)
{
  uint8_t pkt[12 + 4 + 4 + 4 + 2];
  struct rtp_header h;
  (void)state;
  memset(pkt, 0, sizeof(pkt));
  memcpy(pkt, roc_capture_head, 12);
  pkt[0] = 0xb1; /* P, X, CC=1 */
  pkt[19] = 1;   /* 4 bytes of extension data */
  pkt[sizeof(pkt) - 1] = 2;
  assert_int_equal(parse_exact(pkt, sizeof(pkt), &h), RILL_OK);
  assert_int_equal(h.header_bytes, 24);
  assert_int_equal(h.payload_bytes, 0);
  assert_int_equal(h.padding_bytes, 2);
  pkt[sizeof(pkt) - 1] = 3;
  assert_int_equal(parse_exact(pkt, sizeof(pkt), &h), RILL_EMALFORMED);
}

static void rtp_parse_never_reads_past_len(void **state)
{
  static const uint8_t pkt[] = {
      0xb2, 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
      0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, /* two CSRCs */
      0x10, 0x00, 0x00, 0x01, 0xaa, 0xbb, 0xcc, 0xdd, /* extension, 1 word */
      0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x03,       /* payload, padding 3 */
  };
  struct rtp_header h;
  size_t len;
  (void)state;
  /* Every prefix is parsed from an exact-size heap copy: ASan would report
   * a read past the end; the result must be consistent or an error. */
  for (len = 0; len <= sizeof(pkt); len++) {
    int rc = parse_exact(pkt, len, &h);
    if (rc == RILL_OK)
      assert_int_equal(h.payload_offset + h.payload_bytes + h.padding_bytes, len);
    else
      assert_int_equal(rc, RILL_EMALFORMED);
  }
  assert_int_equal(parse_exact(pkt, sizeof(pkt), &h), RILL_OK);
  assert_int_equal(h.header_bytes, 28);
  assert_int_equal(h.payload_bytes, 4);
  assert_int_equal(h.padding_bytes, 3);
  assert_int_equal(h.seq, 0xffff);
  assert_int_equal(h.timestamp, 0xffffffffu);
}

static void rtp_compose_parse_round_trip(void **state)
{
  static const uint8_t payload[] = {0x10, 0x20, 0x30, 0x40, 0x50};
  uint8_t pkt[RTP_MAX_COMPOSED_HEADER_BYTES + sizeof(payload) + RTP_MAX_PADDING_BYTES];
  unsigned cc, pad_case;
  (void)state;
  for (cc = 0; cc <= RTP_MAX_CSRC; cc++) {
    for (pad_case = 0; pad_case < 3; pad_case++) {
      static const size_t pads[3] = {0, 1, 255};
      struct rtp_header in, out;
      size_t len = 0, i;

      memset(&in, 0, sizeof(in));
      in.version = RTP_VERSION;
      in.marker = (cc % 2) == 1;
      in.payload_type = (uint8_t)(96 + cc);
      in.seq = (uint16_t)(65530 + cc);
      in.timestamp = 0xfffffff0u + cc;
      in.ssrc = 0xdeadbeefu ^ cc;
      in.csrc_count = (uint8_t)cc;
      for (i = 0; i < cc; i++)
        in.csrc[i] = 0x01010101u * (uint32_t)(i + 1);

      assert_int_equal(rtp_compose(&in, pkt, sizeof(pkt), &len), RILL_OK);
      assert_int_equal(len, 12 + 4 * cc);
      memcpy(pkt + len, payload, sizeof(payload));
      len += sizeof(payload);
      if (pads[pad_case] > 0)
        assert_int_equal(rtp_append_padding(pkt, len, sizeof(pkt), pads[pad_case], &len),
                         RILL_OK);

      assert_int_equal(parse_exact(pkt, len, &out), RILL_OK);
      assert_int_equal(out.version, 2);
      assert_true(out.marker == in.marker);
      assert_false(out.extension_flag);
      assert_int_equal(out.payload_type, in.payload_type);
      assert_int_equal(out.seq, in.seq);
      assert_int_equal(out.timestamp, in.timestamp);
      assert_int_equal(out.ssrc, in.ssrc);
      assert_int_equal(out.csrc_count, cc);
      assert_memory_equal(out.csrc, in.csrc, sizeof(in.csrc));
      assert_int_equal(out.header_bytes, 12 + 4 * cc);
      assert_int_equal(out.payload_bytes, sizeof(payload));
      assert_memory_equal(pkt + out.payload_offset, payload, sizeof(payload));
      assert_true(out.padding_flag == (pads[pad_case] > 0));
      assert_int_equal(out.padding_bytes, pads[pad_case]);
    }
  }
}

static void rtp_compose_writes_capture_header(void **state)
{
  struct rtp_header h;
  uint8_t buf[12];
  size_t len = 0;
  (void)state;
  assert_int_equal(rtp_parse(roc_capture_head, sizeof(roc_capture_head), &h), RILL_OK);
  assert_int_equal(rtp_compose(&h, buf, sizeof(buf), &len), RILL_OK);
  assert_int_equal(len, 12);
  assert_memory_equal(buf, roc_capture_head, 12);
}

static void rtp_compose_rejects_bad_headers(void **state)
{
  struct rtp_header h;
  uint8_t buf[RTP_MAX_COMPOSED_HEADER_BYTES];
  uint8_t untouched[sizeof(buf)];
  size_t len = 12345;
  (void)state;
  memset(&h, 0, sizeof(h));
  h.version = RTP_VERSION;
  h.csrc_count = 2;
  memset(buf, 0x5a, sizeof(buf));
  memcpy(untouched, buf, sizeof(buf));

  assert_int_equal(rtp_compose(NULL, buf, sizeof(buf), &len), RILL_EINVAL);
  assert_int_equal(rtp_compose(&h, NULL, sizeof(buf), &len), RILL_EINVAL);
  assert_int_equal(rtp_compose(&h, buf, sizeof(buf), NULL), RILL_EINVAL);
  /* Too small by one byte. */
  assert_int_equal(rtp_compose(&h, buf, 19, &len), RILL_ENOSPC);
  h.csrc_count = 16;
  assert_int_equal(rtp_compose(&h, buf, sizeof(buf), &len), RILL_EINVAL);
  h.csrc_count = 0;
  h.payload_type = 128;
  assert_int_equal(rtp_compose(&h, buf, sizeof(buf), &len), RILL_EINVAL);
  h.payload_type = 0;
  h.version = 1;
  assert_int_equal(rtp_compose(&h, buf, sizeof(buf), &len), RILL_EUNSUPPORTED);
  h.version = RTP_VERSION;
  h.extension_flag = true;
  assert_int_equal(rtp_compose(&h, buf, sizeof(buf), &len), RILL_EUNSUPPORTED);
  /* Nothing written by any failed call. */
  assert_memory_equal(buf, untouched, sizeof(buf));
  assert_int_equal(len, 12345);

  /* The P bit is never written by compose: padding comes later. */
  h.extension_flag = false;
  h.padding_flag = true;
  h.padding_bytes = 4;
  assert_int_equal(rtp_compose(&h, buf, 12, &len), RILL_OK);
  assert_int_equal(buf[0], 0x80);
}

static void rtp_append_padding_rejects_bad_arguments(void **state)
{
  uint8_t pkt[12 + 4 + 255];
  uint8_t untouched[sizeof(pkt)];
  size_t len = 777;
  (void)state;
  memset(pkt, 0x33, sizeof(pkt));
  memcpy(pkt, roc_capture_head, 16);
  memcpy(untouched, pkt, sizeof(pkt));

  assert_int_equal(rtp_append_padding(NULL, 16, sizeof(pkt), 4, &len), RILL_EINVAL);
  assert_int_equal(rtp_append_padding(pkt, 16, sizeof(pkt), 4, NULL), RILL_EINVAL);
  assert_int_equal(rtp_append_padding(pkt, 16, sizeof(pkt), 0, &len), RILL_EINVAL);
  assert_int_equal(rtp_append_padding(pkt, 16, sizeof(pkt), 256, &len), RILL_EINVAL);
  assert_int_equal(rtp_append_padding(pkt, 11, sizeof(pkt), 4, &len), RILL_EINVAL);
  assert_int_equal(rtp_append_padding(pkt, 16, 15, 4, &len), RILL_EINVAL);
  assert_int_equal(rtp_append_padding(pkt, 16, 19, 4, &len), RILL_ENOSPC);
  pkt[0] = 0x40; /* version 1 */
  assert_int_equal(rtp_append_padding(pkt, 16, sizeof(pkt), 4, &len), RILL_EINVAL);
  pkt[0] = 0xa0; /* already padded */
  assert_int_equal(rtp_append_padding(pkt, 16, sizeof(pkt), 4, &len), RILL_EINVAL);
  pkt[0] = untouched[0];
  assert_memory_equal(pkt, untouched, sizeof(pkt));
  assert_int_equal(len, 777);

  /* Exactly fitting: 3 zero bytes then the count. */
  assert_int_equal(rtp_append_padding(pkt, 16, 20, 4, &len), RILL_OK);
  assert_int_equal(len, 20);
  assert_int_equal(pkt[0], 0xa0);
  assert_int_equal(pkt[16], 0);
  assert_int_equal(pkt[18], 0);
  assert_int_equal(pkt[19], 4);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rtp_parse_reads_roc_capture),
      cmocka_unit_test(rtp_parse_rejects_null_and_short),
      cmocka_unit_test(rtp_parse_rejects_other_versions),
      cmocka_unit_test(rtp_parse_rejects_csrc_list_past_end),
      cmocka_unit_test(rtp_parse_reads_extension),
      cmocka_unit_test(rtp_parse_rejects_extension_past_end),
      cmocka_unit_test(rtp_parse_checks_padding),
      cmocka_unit_test(rtp_parse_padding_cannot_overlap_csrc_or_extension),
      cmocka_unit_test(rtp_parse_never_reads_past_len),
      cmocka_unit_test(rtp_compose_parse_round_trip),
      cmocka_unit_test(rtp_compose_writes_capture_header),
      cmocka_unit_test(rtp_compose_rejects_bad_headers),
      cmocka_unit_test(rtp_append_padding_rejects_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
