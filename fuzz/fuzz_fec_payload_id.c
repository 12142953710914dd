/*
 * Fuzz target: FEC payload ID parsers on hostile bytes.
 *
 * The input is a datagram; it is parsed as an rs8m and an ldpc source
 * packet (footer at the end) and repair packet (header at the start).
 * Beyond "no crash, no out-of-bounds read" it checks, aborting on any
 * violation:
 *  - acceptance matches a reference model written here from the wire
 *    layout (roc-0.4 README): fields read by hand, rules checked one by one;
 *  - an accepted ID has the fields of the input bytes, its symbol is the
 *    rest of the datagram and at least 1 byte;
 *  - composing it again gives back the input's payload ID bytes;
 *  - outputs are untouched on rejection;
 *  - SBN arithmetic: next(a) is 1 after a, diff is antisymmetric except at
 *    half the range.
 */
#include <rill/status.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fec/payload_id.h"
#include "fuzz_check.h"


static unsigned be16(const uint8_t *p)
{
  return (unsigned)p[0] << 8 | p[1];
}

/* The reference model: fields and validity straight from the layout. */
struct model {
  bool valid;
  uint32_t sbn;
  unsigned esi, k, n;
};

static struct model model_of(enum fec_scheme s, bool repair, const uint8_t *data, size_t size)
{
  struct model m = {0};
  size_t id_bytes = repair && s == FEC_SCHEME_LDPC ? 8 : 6;
  const uint8_t *p;

  if (size < id_bytes + 1)
    return m;
  p = repair ? data : data + size - id_bytes;
  if (s == FEC_SCHEME_RS8M) {
    m.sbn = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    m.esi = p[3];
    m.k = be16(p + 4);
    m.n = 255;
    m.valid = m.k >= 1 && (repair ? (m.esi >= m.k && m.esi <= 254) : (m.esi < m.k && m.k <= 255));
  } else {
    m.sbn = be16(p);
    m.esi = be16(p + 2);
    m.k = be16(p + 4);
    m.n = repair ? be16(p + 6) : 0;
    if (repair)
      m.valid = m.k >= 1 && m.n >= m.k + 7 && m.esi >= m.k && m.esi < m.n;
    else
      m.valid = m.k >= 1 && m.esi < m.k && m.k <= 65535 - 7;
  }
  return m;
}

static void check_one(enum fec_scheme s, bool repair, const uint8_t *data, size_t size)
{
  struct fec_payload_id id, poison;
  struct model m = model_of(s, repair, data, size);
  size_t where = 0xdead, id_bytes = repair ? fec_repair_id_bytes(s) : fec_source_id_bytes(s);
  uint8_t again[FEC_MAX_ID_BYTES];
  size_t written = 0;
  int rc;

  memset(&id, 0xab, sizeof(id));
  poison = id;
  rc = repair ? fec_repair_id_parse(s, data, size, &id, &where)
              : fec_source_id_parse(s, data, size, &id, &where);
  if (!m.valid) {
    CHECK(rc == RILL_EMALFORMED);
    CHECK(where == 0xdead);
    CHECK(memcmp(&id, &poison, sizeof(id)) == 0);
    return;
  }
  CHECK(rc == RILL_OK);
  CHECK(id.sbn == m.sbn && id.esi == m.esi && id.k == m.k && id.n == m.n);
  if (repair) {
    CHECK(where == id_bytes && where < size);
    CHECK(fec_repair_id_compose(s, &id, again, sizeof(again), &written) == RILL_OK);
    CHECK(written == id_bytes && memcmp(again, data, id_bytes) == 0);
  } else {
    CHECK(where == size - id_bytes && where >= 1);
    CHECK(fec_source_id_compose(s, &id, again, sizeof(again), &written) == RILL_OK);
    CHECK(written == id_bytes && memcmp(again, data + size - id_bytes, id_bytes) == 0);
  }
  /* Every accepted ID is also a valid block position. */
  CHECK(id.k >= 1);
  if (repair)
    CHECK(id.esi >= id.k && id.esi < id.n);
  else
    CHECK(id.esi < id.k && (id.n == 0 || id.k <= id.n));
}

static void check_sbn(enum fec_scheme s, uint32_t a, uint32_t b)
{
  uint32_t mask = s == FEC_SCHEME_RS8M ? FEC_RS8M_MAX_SBN : FEC_LDPC_MAX_SBN;
  int32_t d = fec_sbn_diff(s, a, b), e = fec_sbn_diff(s, b, a);
  CHECK(fec_sbn_diff(s, fec_sbn_next(s, a), a) == 1);
  CHECK(fec_sbn_next(s, a) <= mask);
  CHECK(d >= -(int32_t)(mask / 2) - 1 && d <= (int32_t)(mask / 2));
  if (d != -(int32_t)(mask / 2) - 1)
    CHECK(d == -e);
  CHECK(((b + (uint32_t)d) & mask) == (a & mask));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  check_one(FEC_SCHEME_RS8M, false, data, size);
  check_one(FEC_SCHEME_RS8M, true, data, size);
  check_one(FEC_SCHEME_LDPC, false, data, size);
  check_one(FEC_SCHEME_LDPC, true, data, size);
  if (size >= 8) {
    uint32_t a = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 |
                 data[3];
    uint32_t b = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 | (uint32_t)data[6] << 8 |
                 data[7];
    check_sbn(FEC_SCHEME_RS8M, a, b);
    check_sbn(FEC_SCHEME_LDPC, a, b);
  }
  return 0;
}
