/*
 * FECFRAME payload IDs (roc-toolkit 0.4 wire layout): parse, validate,
 * compose.
 *
 * Design: one validation function per (scheme, kind) serves both parse and
 * compose, so what rill sends is exactly what it accepts. Parsing reads the
 * fields into a local struct and copies it out only on success. Every bound
 * is checked against the datagram length before a byte is read; lengths are
 * at most a datagram, so the size_t arithmetic cannot wrap.
 *
 * The big-endian loads and stores are the wire helpers of src/rtp
 * (header-only, no link dependency).
 */
#include "fec/payload_id.h"

#include <rill/status.h>
#include <stdbool.h>

#include "rtp/byteorder.h"

size_t fec_source_id_bytes(enum fec_scheme scheme)
{
  switch (scheme) {
  case FEC_SCHEME_RS8M:
    return FEC_RS8M_ID_BYTES;
  case FEC_SCHEME_LDPC:
    return FEC_LDPC_SOURCE_ID_BYTES;
  }
  return 0;
}

size_t fec_repair_id_bytes(enum fec_scheme scheme)
{
  switch (scheme) {
  case FEC_SCHEME_RS8M:
    return FEC_RS8M_ID_BYTES;
  case FEC_SCHEME_LDPC:
    return FEC_LDPC_REPAIR_ID_BYTES;
  }
  return 0;
}

static bool source_id_valid(enum fec_scheme scheme, const struct fec_payload_id *id)
{
  if (id->k == 0 || id->esi >= id->k)
    return false;
  if (scheme == FEC_SCHEME_RS8M)
    return id->k <= FEC_RS8M_N;
  return id->k <= FEC_LDPC_MAX_N - FEC_LDPC_N1;
}

static bool repair_id_valid(enum fec_scheme scheme, const struct fec_payload_id *id)
{
  if (id->k == 0 || id->esi < id->k)
    return false;
  if (scheme == FEC_SCHEME_RS8M)
    return id->esi < FEC_RS8M_N; /* hence k <= 254 */
  /* n - k >= N1 also rules out n < k and n == k; n is 16 bit, so n <= max. */
  return id->n >= id->k && id->n - id->k >= FEC_LDPC_N1 && id->esi < id->n;
}

static bool sbn_fits(enum fec_scheme scheme, uint32_t sbn)
{
  return sbn <= (scheme == FEC_SCHEME_RS8M ? FEC_RS8M_MAX_SBN : FEC_LDPC_MAX_SBN);
}

static bool scheme_known(enum fec_scheme scheme)
{
  return scheme == FEC_SCHEME_RS8M || scheme == FEC_SCHEME_LDPC;
}

/* Fields common to every layout; the rs8m SBN/ESI split differs. */
static void load_sbn_esi_k(enum fec_scheme scheme, const uint8_t *p, struct fec_payload_id *id)
{
  if (scheme == FEC_SCHEME_RS8M) {
    id->sbn = rtp_load_be24(p);
    id->esi = p[3];
  } else {
    id->sbn = rtp_load_be16(p);
    id->esi = rtp_load_be16(p + 2);
  }
  id->k = rtp_load_be16(p + 4);
}

static void store_sbn_esi_k(enum fec_scheme scheme, const struct fec_payload_id *id, uint8_t *p)
{
  if (scheme == FEC_SCHEME_RS8M) {
    rtp_store_be24(p, id->sbn);
    p[3] = (uint8_t)id->esi;
  } else {
    rtp_store_be16(p, (uint16_t)id->sbn);
    rtp_store_be16(p + 2, id->esi);
  }
  rtp_store_be16(p + 4, id->k);
}

int fec_source_id_parse(enum fec_scheme scheme, const uint8_t *data, size_t len,
                        struct fec_payload_id *out, size_t *symbol_bytes)
{
  struct fec_payload_id id = {0};
  size_t id_bytes = fec_source_id_bytes(scheme);

  if (out == NULL || symbol_bytes == NULL || (data == NULL && len > 0) || id_bytes == 0)
    return RILL_EINVAL;
  if (len <= id_bytes)
    return RILL_EMALFORMED;
  load_sbn_esi_k(scheme, data + len - id_bytes, &id);
  id.n = scheme == FEC_SCHEME_RS8M ? FEC_RS8M_N : 0;
  if (!source_id_valid(scheme, &id))
    return RILL_EMALFORMED;
  *out = id;
  *symbol_bytes = len - id_bytes;
  return RILL_OK;
}

int fec_repair_id_parse(enum fec_scheme scheme, const uint8_t *data, size_t len,
                        struct fec_payload_id *out, size_t *symbol_offset)
{
  struct fec_payload_id id = {0};
  size_t id_bytes = fec_repair_id_bytes(scheme);

  if (out == NULL || symbol_offset == NULL || (data == NULL && len > 0) || id_bytes == 0)
    return RILL_EINVAL;
  if (len <= id_bytes)
    return RILL_EMALFORMED;
  load_sbn_esi_k(scheme, data, &id);
  id.n = scheme == FEC_SCHEME_RS8M ? FEC_RS8M_N : rtp_load_be16(data + 6);
  if (!repair_id_valid(scheme, &id))
    return RILL_EMALFORMED;
  *out = id;
  *symbol_offset = id_bytes;
  return RILL_OK;
}

int fec_source_id_compose(enum fec_scheme scheme, const struct fec_payload_id *id, uint8_t *out,
                          size_t cap, size_t *written)
{
  size_t id_bytes = fec_source_id_bytes(scheme);

  if (id == NULL || out == NULL || written == NULL || !scheme_known(scheme))
    return RILL_EINVAL;
  if (!source_id_valid(scheme, id) || !sbn_fits(scheme, id->sbn))
    return RILL_EINVAL;
  if (cap < id_bytes)
    return RILL_ENOSPC;
  store_sbn_esi_k(scheme, id, out);
  *written = id_bytes;
  return RILL_OK;
}

int fec_repair_id_compose(enum fec_scheme scheme, const struct fec_payload_id *id, uint8_t *out,
                          size_t cap, size_t *written)
{
  size_t id_bytes = fec_repair_id_bytes(scheme);

  if (id == NULL || out == NULL || written == NULL || !scheme_known(scheme))
    return RILL_EINVAL;
  if (!repair_id_valid(scheme, id) || !sbn_fits(scheme, id->sbn))
    return RILL_EINVAL;
  if (cap < id_bytes)
    return RILL_ENOSPC;
  store_sbn_esi_k(scheme, id, out);
  if (scheme == FEC_SCHEME_LDPC)
    rtp_store_be16(out + 6, id->n);
  *written = id_bytes;
  return RILL_OK;
}

int32_t fec_sbn_diff(enum fec_scheme scheme, uint32_t a, uint32_t b)
{
  unsigned bits;
  uint32_t mask, d;

  if (!scheme_known(scheme))
    return 0;
  bits = scheme == FEC_SCHEME_RS8M ? 24 : 16;
  mask = (UINT32_C(1) << bits) - 1;
  d = (a - b) & mask;
  /* Half the range reads as negative, as seq_diff does (src/packet/seqmath.h). */
  if (d > mask >> 1)
    return (int32_t)d - (int32_t)(mask + 1);
  return (int32_t)d;
}

uint32_t fec_sbn_next(enum fec_scheme scheme, uint32_t sbn)
{
  uint32_t mask = scheme == FEC_SCHEME_RS8M ? FEC_RS8M_MAX_SBN : FEC_LDPC_MAX_SBN;
  return (sbn + 1) & mask;
}
