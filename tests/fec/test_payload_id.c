/*
 * FEC payload IDs: roc's wire layouts, round trips, every malformed case,
 * SBN wrap arithmetic.
 */
#include <rill/status.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fec/payload_id.h"
#include "test_util.h"

/* Parse from a heap copy of exactly `len` bytes so that ASan sees overreads. */
static int parse_exact(bool repair, enum fec_scheme s, const uint8_t *data, size_t len,
                       struct fec_payload_id *id, size_t *where)
{
  uint8_t *copy = malloc(len > 0 ? len : 1);
  int rc;
  assert_non_null(copy);
  if (len > 0)
    memcpy(copy, data, len);
  rc = repair ? fec_repair_id_parse(s, copy, len, id, where)
              : fec_source_id_parse(s, copy, len, id, where);
  free(copy);
  return rc;
}

/* A 10-byte "symbol" followed by a footer / preceded by a header. */
static size_t with_footer(uint8_t *buf, const uint8_t *footer, size_t footer_bytes)
{
  memset(buf, 0x11, 10);
  memcpy(buf + 10, footer, footer_bytes);
  return 10 + footer_bytes;
}

static size_t with_header(uint8_t *buf, const uint8_t *header, size_t header_bytes)
{
  memcpy(buf, header, header_bytes);
  memset(buf + header_bytes, 0x22, 10);
  return header_bytes + 10;
}

static void fec_payload_id_reads_roc_rs8m(void **state)
{
  /* Footer of the first source packet and header of the first repair
   * packet of shared/vectors/roc-0.4/rs8m_18_10. */
  static const uint8_t footer[] = {0x00, 0xa8, 0xd6, 0x00, 0x00, 0x12};
  static const uint8_t header[] = {0x00, 0xa8, 0xd6, 0x12, 0x00, 0x12};
  uint8_t buf[32];
  struct fec_payload_id id;
  size_t len, where = 0;
  (void)state;

  len = with_footer(buf, footer, sizeof(footer));
  assert_int_equal(parse_exact(false, FEC_SCHEME_RS8M, buf, len, &id, &where), RILL_OK);
  assert_int_equal(id.sbn, 0xa8d6);
  assert_int_equal(id.esi, 0);
  assert_int_equal(id.k, 18);
  assert_int_equal(id.n, 255);
  assert_int_equal(where, 10);

  len = with_header(buf, header, sizeof(header));
  assert_int_equal(parse_exact(true, FEC_SCHEME_RS8M, buf, len, &id, &where), RILL_OK);
  assert_int_equal(id.sbn, 0xa8d6);
  assert_int_equal(id.esi, 18);
  assert_int_equal(id.k, 18);
  assert_int_equal(id.n, 255);
  assert_int_equal(where, 6);
}

static void fec_payload_id_reads_roc_ldpc(void **state)
{
  /* From shared/vectors/roc-0.4/ldpc_18_10. */
  static const uint8_t footer[] = {0x3c, 0xe9, 0x00, 0x11, 0x00, 0x12};
  static const uint8_t header[] = {0x3c, 0xe9, 0x00, 0x13, 0x00, 0x12, 0x00, 0x1c};
  uint8_t buf[32];
  struct fec_payload_id id;
  size_t len, where = 0;
  (void)state;

  len = with_footer(buf, footer, sizeof(footer));
  assert_int_equal(parse_exact(false, FEC_SCHEME_LDPC, buf, len, &id, &where), RILL_OK);
  assert_int_equal(id.sbn, 0x3ce9);
  assert_int_equal(id.esi, 17);
  assert_int_equal(id.k, 18);
  assert_int_equal(id.n, 0);
  assert_int_equal(where, 10);

  len = with_header(buf, header, sizeof(header));
  assert_int_equal(parse_exact(true, FEC_SCHEME_LDPC, buf, len, &id, &where), RILL_OK);
  assert_int_equal(id.sbn, 0x3ce9);
  assert_int_equal(id.esi, 19);
  assert_int_equal(id.k, 18);
  assert_int_equal(id.n, 28);
  assert_int_equal(where, 8);
}

static void fec_payload_id_sizes(void **state)
{
  (void)state;
  assert_int_equal(fec_source_id_bytes(FEC_SCHEME_RS8M), 6);
  assert_int_equal(fec_repair_id_bytes(FEC_SCHEME_RS8M), 6);
  assert_int_equal(fec_source_id_bytes(FEC_SCHEME_LDPC), 6);
  assert_int_equal(fec_repair_id_bytes(FEC_SCHEME_LDPC), 8);
  assert_int_equal(fec_source_id_bytes((enum fec_scheme)0), 0);
  assert_int_equal(fec_repair_id_bytes((enum fec_scheme)99), 0);
}

static uint64_t rng = 0x1234;

static uint32_t next32(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

/* Random valid IDs: compose, parse back, same fields and bytes in place. */
static void fec_payload_id_round_trips(void **state)
{
  enum fec_scheme schemes[] = {FEC_SCHEME_RS8M, FEC_SCHEME_LDPC};
  int s, i;
  (void)state;

  for (s = 0; s < 2; s++) {
    enum fec_scheme sc = schemes[s];
    for (i = 0; i < 20000; i++) {
      struct fec_payload_id id = {0}, back;
      uint8_t buf[64];
      size_t written = 0, where = 0;
      bool repair = i % 2;
      size_t max_k = sc == FEC_SCHEME_RS8M ? (repair ? 254 : 255) : FEC_LDPC_MAX_N - 7;

      id.sbn = next32() & (sc == FEC_SCHEME_RS8M ? FEC_RS8M_MAX_SBN : FEC_LDPC_MAX_SBN);
      /* Small k half the time, any k otherwise. */
      id.k = (uint16_t)(1 + next32() % (i % 4 < 2 ? 40 : max_k));
      if (sc == FEC_SCHEME_LDPC && repair) {
        uint32_t r = 7 + next32() % (FEC_LDPC_MAX_N - id.k - 6);
        id.n = (uint16_t)(id.k + r);
        id.esi = (uint16_t)(id.k + next32() % r);
      } else if (repair) {
        id.n = FEC_RS8M_N;
        id.esi = (uint16_t)(id.k + next32() % (255u - id.k));
      } else {
        id.n = sc == FEC_SCHEME_RS8M ? FEC_RS8M_N : 0;
        id.esi = (uint16_t)(next32() % id.k);
      }

      if (repair) {
        assert_int_equal(fec_repair_id_compose(sc, &id, buf, sizeof(buf), &written), RILL_OK);
        assert_int_equal(written, fec_repair_id_bytes(sc));
        memset(buf + written, 0x77, 5);
        assert_int_equal(parse_exact(true, sc, buf, written + 5, &back, &where), RILL_OK);
        assert_int_equal(where, written);
      } else {
        memset(buf, 0x77, 5);
        assert_int_equal(fec_source_id_compose(sc, &id, buf + 5, sizeof(buf) - 5, &written),
                         RILL_OK);
        assert_int_equal(written, fec_source_id_bytes(sc));
        assert_int_equal(parse_exact(false, sc, buf, written + 5, &back, &where), RILL_OK);
        assert_int_equal(where, 5);
      }
      assert_int_equal(back.sbn, id.sbn);
      assert_int_equal(back.esi, id.esi);
      assert_int_equal(back.k, id.k);
      assert_int_equal(back.n, id.n);
    }
  }
}

/* Raw 6- or 8-byte IDs for the malformed cases. */
static void put16(uint8_t *p, unsigned v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static int parse_rs8m(bool repair, uint32_t sbn, unsigned esi, unsigned k)
{
  uint8_t id[6], buf[32];
  struct fec_payload_id out;
  size_t where, len;
  id[0] = (uint8_t)(sbn >> 16);
  id[1] = (uint8_t)(sbn >> 8);
  id[2] = (uint8_t)sbn;
  id[3] = (uint8_t)esi;
  put16(id + 4, k);
  len = repair ? with_header(buf, id, 6) : with_footer(buf, id, 6);
  return parse_exact(repair, FEC_SCHEME_RS8M, buf, len, &out, &where);
}

static int parse_ldpc(bool repair, unsigned esi, unsigned k, unsigned n)
{
  uint8_t id[8], buf[32];
  struct fec_payload_id out;
  size_t where, len;
  put16(id, 0x1234);
  put16(id + 2, esi);
  put16(id + 4, k);
  put16(id + 6, n);
  len = repair ? with_header(buf, id, 8) : with_footer(buf, id, 6);
  return parse_exact(repair, FEC_SCHEME_LDPC, buf, len, &out, &where);
}

static void fec_payload_id_rejects_hostile_rs8m(void **state)
{
  unsigned esi;
  (void)state;
  /* k = 0 */
  assert_int_equal(parse_rs8m(false, 1, 0, 0), RILL_EMALFORMED);
  assert_int_equal(parse_rs8m(true, 1, 0, 0), RILL_EMALFORMED);
  /* source ESI out of [0, k) */
  assert_int_equal(parse_rs8m(false, 1, 18, 18), RILL_EMALFORMED);
  assert_int_equal(parse_rs8m(false, 1, 255, 18), RILL_EMALFORMED);
  assert_int_equal(parse_rs8m(false, 1, 17, 18), RILL_OK);
  /* repair ESI out of [k, 255) */
  assert_int_equal(parse_rs8m(true, 1, 17, 18), RILL_EMALFORMED);
  assert_int_equal(parse_rs8m(true, 1, 0, 18), RILL_EMALFORMED);
  assert_int_equal(parse_rs8m(true, 1, 255, 18), RILL_EMALFORMED);
  assert_int_equal(parse_rs8m(true, 1, 254, 18), RILL_OK);
  /* k beyond n = 255: n < k */
  assert_int_equal(parse_rs8m(false, 1, 0, 256), RILL_EMALFORMED);
  assert_int_equal(parse_rs8m(false, 1, 0, 0xffff), RILL_EMALFORMED);
  assert_int_equal(parse_rs8m(false, 1, 254, 255), RILL_OK);
  assert_int_equal(parse_rs8m(true, 1, 255, 255), RILL_EMALFORMED);
  /* Every ESI for one k: source iff < k, repair iff k <= ESI < 255. */
  for (esi = 0; esi < 256; esi++) {
    assert_int_equal(parse_rs8m(false, 0xffffff, esi, 20), esi < 20 ? RILL_OK : RILL_EMALFORMED);
    assert_int_equal(parse_rs8m(true, 0xffffff, esi, 20),
                     esi >= 20 && esi < 255 ? RILL_OK : RILL_EMALFORMED);
  }
}

static void fec_payload_id_rejects_hostile_ldpc(void **state)
{
  (void)state;
  assert_int_equal(parse_ldpc(false, 0, 0, 0), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(false, 18, 18, 0), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(false, 0xffff, 18, 0), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(false, 17, 18, 0), RILL_OK);
  assert_int_equal(parse_ldpc(false, 0, 0xffff, 0), RILL_EMALFORMED); /* no room for r >= 7 */
  assert_int_equal(parse_ldpc(false, 0, 0xffff - 7, 0), RILL_OK);
  /* repair: k = 0, n < k, n == k, n - k < N1, ESI outside [k, n) */
  assert_int_equal(parse_ldpc(true, 20, 0, 28), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(true, 20, 18, 10), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(true, 18, 18, 18), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(true, 18, 18, 24), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(true, 18, 18, 25), RILL_OK);
  assert_int_equal(parse_ldpc(true, 17, 18, 28), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(true, 28, 18, 28), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(true, 0xffff, 18, 28), RILL_EMALFORMED);
  assert_int_equal(parse_ldpc(true, 27, 18, 28), RILL_OK);
  assert_int_equal(parse_ldpc(true, 0xfffe, 0xfff0, 0xffff), RILL_OK);
}

static void fec_payload_id_rejects_short_and_null(void **state)
{
  static const uint8_t valid_source[] = {1, 2, 3, 4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12};
  static const uint8_t valid_repair[] = {0x00, 0x01, 0x00, 0x12, 0x00, 0x12, 0x00, 0x1c, 9};
  struct fec_payload_id id;
  size_t where = 99, len;
  (void)state;

  /* Footer/header with no symbol, or shorter than the ID. */
  for (len = 0; len <= 6; len++) {
    assert_int_equal(parse_exact(false, FEC_SCHEME_RS8M, valid_source + 10 - len, len, &id, &where),
                     RILL_EMALFORMED);
    assert_int_equal(parse_exact(false, FEC_SCHEME_LDPC, valid_source + 10 - len, len, &id, &where),
                     RILL_EMALFORMED);
    assert_int_equal(parse_exact(true, FEC_SCHEME_RS8M, valid_repair, len, &id, &where),
                     RILL_EMALFORMED);
  }
  for (len = 0; len <= 8; len++)
    assert_int_equal(parse_exact(true, FEC_SCHEME_LDPC, valid_repair, len, &id, &where),
                     RILL_EMALFORMED);
  assert_int_equal(where, 99); /* untouched on error */
  assert_int_equal(parse_exact(false, FEC_SCHEME_LDPC, valid_source + 3, 7, &id, &where), RILL_OK);
  assert_int_equal(where, 1);
  assert_int_equal(parse_exact(true, FEC_SCHEME_LDPC, valid_repair, 9, &id, &where), RILL_OK);
  assert_int_equal(where, 8);

  assert_int_equal(fec_source_id_parse(FEC_SCHEME_RS8M, NULL, 10, &id, &where), RILL_EINVAL);
  assert_int_equal(fec_source_id_parse(FEC_SCHEME_RS8M, NULL, 0, &id, &where), RILL_EMALFORMED);
  assert_int_equal(fec_source_id_parse(FEC_SCHEME_RS8M, valid_source, 10, NULL, &where),
                   RILL_EINVAL);
  assert_int_equal(fec_source_id_parse(FEC_SCHEME_RS8M, valid_source, 10, &id, NULL),
                   RILL_EINVAL);
  assert_int_equal(fec_repair_id_parse(FEC_SCHEME_LDPC, NULL, 9, &id, &where), RILL_EINVAL);
  assert_int_equal(fec_repair_id_parse(FEC_SCHEME_LDPC, valid_repair, 9, NULL, &where),
                   RILL_EINVAL);
  assert_int_equal(fec_repair_id_parse(FEC_SCHEME_LDPC, valid_repair, 9, &id, NULL),
                   RILL_EINVAL);
  assert_int_equal(fec_source_id_parse((enum fec_scheme)7, valid_source, 10, &id, &where),
                   RILL_EINVAL);
  assert_int_equal(fec_repair_id_parse((enum fec_scheme)7, valid_repair, 9, &id, &where),
                   RILL_EINVAL);
}

static void fec_payload_id_compose_refuses_invalid(void **state)
{
  struct fec_payload_id id = {.sbn = 5, .esi = 18, .k = 18, .n = 28};
  uint8_t buf[8];
  size_t written = 99;
  (void)state;

  memset(buf, 0xee, sizeof(buf));
  /* A repair ID is not a valid source ID (ESI >= k). */
  assert_int_equal(fec_source_id_compose(FEC_SCHEME_LDPC, &id, buf, 8, &written), RILL_EINVAL);
  assert_int_equal(fec_repair_id_compose(FEC_SCHEME_LDPC, &id, buf, 7, &written), RILL_ENOSPC);
  id.n = 24; /* r < N1 */
  assert_int_equal(fec_repair_id_compose(FEC_SCHEME_LDPC, &id, buf, 8, &written), RILL_EINVAL);
  id.n = 28;
  id.sbn = 0x10000; /* 17 bits */
  assert_int_equal(fec_repair_id_compose(FEC_SCHEME_LDPC, &id, buf, 8, &written), RILL_EINVAL);
  id.sbn = 0x1000000; /* 25 bits */
  assert_int_equal(fec_repair_id_compose(FEC_SCHEME_RS8M, &id, buf, 8, &written), RILL_EINVAL);
  id.sbn = 0xffffff;
  id.esi = 255;
  assert_int_equal(fec_repair_id_compose(FEC_SCHEME_RS8M, &id, buf, 8, &written), RILL_EINVAL);
  id.esi = 3;
  id.k = 0;
  assert_int_equal(fec_source_id_compose(FEC_SCHEME_RS8M, &id, buf, 8, &written), RILL_EINVAL);
  id.k = 18;
  assert_int_equal(fec_source_id_compose(FEC_SCHEME_RS8M, &id, buf, 5, &written), RILL_ENOSPC);
  assert_int_equal(fec_source_id_compose(FEC_SCHEME_RS8M, NULL, buf, 8, &written), RILL_EINVAL);
  assert_int_equal(fec_source_id_compose(FEC_SCHEME_RS8M, &id, NULL, 8, &written), RILL_EINVAL);
  assert_int_equal(fec_source_id_compose(FEC_SCHEME_RS8M, &id, buf, 8, NULL), RILL_EINVAL);
  assert_int_equal(fec_source_id_compose((enum fec_scheme)0, &id, buf, 8, &written),
                   RILL_EINVAL);
  assert_int_equal(written, 99);
  {
    size_t i;
    for (i = 0; i < sizeof(buf); i++)
      assert_int_equal(buf[i], 0xee);
  }
  assert_int_equal(fec_source_id_compose(FEC_SCHEME_RS8M, &id, buf, 6, &written), RILL_OK);
  assert_int_equal(written, 6);
  assert_memory_equal(buf, ((const uint8_t[]){0xff, 0xff, 0xff, 3, 0, 18}), 6);
}

static void fec_sbn_wraps(void **state)
{
  (void)state;
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_RS8M, 0, 0xffffff), 1);
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_RS8M, 0xffffff, 0), -1);
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_RS8M, 5, 3), 2);
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_RS8M, 0x7fffff, 0), 0x7fffff);
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_RS8M, 0x800000, 0), -0x800000);
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_RS8M, 0x01000005, 3), 2); /* high bits ignored */
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_LDPC, 0, 0xffff), 1);
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_LDPC, 0xffff, 0), -1);
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_LDPC, 0x8000, 0), -0x8000);
  assert_int_equal(fec_sbn_diff(FEC_SCHEME_LDPC, 0x7fff, 0), 0x7fff);
  assert_int_equal(fec_sbn_diff((enum fec_scheme)0, 7, 3), 0);
  assert_int_equal(fec_sbn_next(FEC_SCHEME_RS8M, 0xffffff), 0);
  assert_int_equal(fec_sbn_next(FEC_SCHEME_RS8M, 0xffff), 0x10000);
  assert_int_equal(fec_sbn_next(FEC_SCHEME_LDPC, 0xffff), 0);
  assert_int_equal(fec_sbn_next(FEC_SCHEME_LDPC, 41), 42);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fec_payload_id_reads_roc_rs8m),
      cmocka_unit_test(fec_payload_id_reads_roc_ldpc),
      cmocka_unit_test(fec_payload_id_sizes),
      cmocka_unit_test(fec_payload_id_round_trips),
      cmocka_unit_test(fec_payload_id_rejects_hostile_rs8m),
      cmocka_unit_test(fec_payload_id_rejects_hostile_ldpc),
      cmocka_unit_test(fec_payload_id_rejects_short_and_null),
      cmocka_unit_test(fec_payload_id_compose_refuses_invalid),
      cmocka_unit_test(fec_sbn_wraps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
