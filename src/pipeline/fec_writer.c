/*
 * FEC writer (see fec_writer.h). One allocation holds the writer, the
 * symbol pointer arrays, the k source copies, the r repair symbols and the
 * codec, carved into 16-byte aligned regions.
 */
#include "pipeline/fec_writer.h"

#include <rill/status.h>
#include <string.h>

#include "core/mem.h"
#include "core/sizemath.h"
#include "fec/ldpc.h"
#include "fec/rs8m.h"
#include "rtp/rtp.h"

struct fec_writer {
  struct rill_arena *arena;    /* borrowed */
  struct rill_limiter *global; /* borrowed */
  size_t self_bytes;
  enum fec_scheme scheme;
  size_t k, r, max_symbol_bytes;
  uint32_t sbn;
  size_t esi;            /* next source ESI in the block */
  size_t symbol_bytes;   /* of the current block; set by its first packet */
  size_t repair_ready;   /* r once a block is complete, until the next source */
  uint32_t ready_sbn;
  const uint8_t **source; /* k pointers into the region below */
  uint8_t **repair;       /* r pointers */
  struct rs8m_codec *rs;  /* rs8m, inside this allocation */
  struct ldpc_codec ldpc; /* ldpc, workspace inside this allocation */
};

static size_t align16(size_t n)
{
  return (n + 15) & ~(size_t)15;
}

int fec_writer_create(struct rill_arena *arena, struct rill_limiter *global,
                      enum fec_scheme scheme, size_t k, size_t r, size_t max_symbol_bytes,
                      uint32_t first_sbn, struct fec_writer **out)
{
  size_t head = align16(sizeof(struct fec_writer)), ptrs, syms, codec = 0, total, i;
  struct fec_writer *fw;
  uint8_t *p;
  int status;

  *out = NULL;
  if (k == 0 || max_symbol_bytes == 0 || max_symbol_bytes > UINT16_MAX)
    return RILL_EINVAL;
  if (scheme == FEC_SCHEME_RS8M) {
    if (r == 0 || k + r > RS8M_MAX_N)
      return RILL_EINVAL;
    codec = sizeof(struct rs8m_codec);
  } else if (scheme == FEC_SCHEME_LDPC) {
    status = ldpc_workspace_bytes(k, r, &codec);
    if (status != RILL_OK)
      return status;
  } else {
    return RILL_EINVAL;
  }
  ptrs = align16((k + r) * sizeof(void *));
  if (!size_mul(k + r, align16(max_symbol_bytes), &syms) ||
      !size_add(head + ptrs, syms, &total) || !size_add(total, align16(codec), &total))
    return RILL_EOVERFLOW;
  status = mem_alloc(arena, global, total, (void **)&fw);
  if (status != RILL_OK)
    return status;
  fw->arena = arena;
  fw->global = global;
  fw->self_bytes = total;
  fw->scheme = scheme;
  fw->k = k;
  fw->r = r;
  fw->max_symbol_bytes = max_symbol_bytes;
  fw->sbn = first_sbn & (scheme == FEC_SCHEME_RS8M ? FEC_RS8M_MAX_SBN : FEC_LDPC_MAX_SBN);
  p = (uint8_t *)fw + head;
  fw->source = (const uint8_t **)(void *)p;
  fw->repair = (uint8_t **)(void *)(p + k * sizeof(void *));
  p += ptrs;
  for (i = 0; i < k + r; i++) {
    if (i < k)
      fw->source[i] = p;
    else
      fw->repair[i - k] = p;
    p += align16(max_symbol_bytes);
  }
  if (scheme == FEC_SCHEME_RS8M) {
    fw->rs = (struct rs8m_codec *)(void *)p;
    rs8m_codec_init(fw->rs);
  } else {
    status = ldpc_codec_init(&fw->ldpc, p, codec, k, r);
    if (status != RILL_OK) {
      mem_free(arena, global, fw, total);
      return status;
    }
  }
  *out = fw;
  return RILL_OK;
}

void fec_writer_destroy(struct fec_writer *fw)
{
  if (fw)
    mem_free(fw->arena, fw->global, fw, fw->self_bytes);
}

size_t fec_writer_footer_bytes(const struct fec_writer *fw)
{
  return fec_source_id_bytes(fw->scheme);
}

int fec_writer_add_source(struct fec_writer *fw, uint8_t *packet, size_t len, size_t cap,
                          size_t *out_len)
{
  struct fec_payload_id id;
  size_t footer = fec_source_id_bytes(fw->scheme), written = 0, symbol = len;
  int status;

  fw->repair_ready = 0;
  if (len > fw->max_symbol_bytes)
    return RILL_ENOSPC;
  if (fw->esi > 0 && len > fw->symbol_bytes)
    return RILL_EINVAL;
  if (fw->esi > 0 && len < fw->symbol_bytes) {
    size_t pad = fw->symbol_bytes - len;
    if (pad > 255)
      return RILL_EINVAL;
    if (fw->symbol_bytes + footer > cap)
      return RILL_ENOSPC;
    status = rtp_append_padding(packet, len, cap, pad, &symbol);
    if (status != RILL_OK)
      return status;
  }
  if (symbol + footer > cap)
    return RILL_ENOSPC;
  memset(&id, 0, sizeof(id));
  id.sbn = fw->sbn;
  id.esi = (uint16_t)fw->esi;
  id.k = (uint16_t)fw->k;
  status = fec_source_id_compose(fw->scheme, &id, packet + symbol, cap - symbol, &written);
  if (status != RILL_OK)
    return status;
  if (fw->esi == 0)
    fw->symbol_bytes = symbol;
  memcpy((uint8_t *)fw->source[fw->esi], packet, symbol);
  *out_len = symbol + written;
  if (++fw->esi < fw->k)
    return RILL_OK;
  /* Block complete: encode its repair symbols. */
  if (fw->scheme == FEC_SCHEME_RS8M)
    status = rs8m_encode(fw->rs, fw->k, fw->r, fw->symbol_bytes, fw->source, fw->repair);
  else
    status = ldpc_encode(&fw->ldpc, fw->k, fw->r, fw->symbol_bytes, fw->source, fw->repair);
  fw->repair_ready = status == RILL_OK ? fw->r : 0;
  fw->ready_sbn = fw->sbn;
  fw->esi = 0;
  fw->sbn = fec_sbn_next(fw->scheme, fw->sbn);
  return RILL_OK;
}

size_t fec_writer_repair_count(const struct fec_writer *fw)
{
  return fw->repair_ready;
}

int fec_writer_repair_packet(struct fec_writer *fw, size_t i, uint8_t *out, size_t cap,
                             size_t *len)
{
  struct fec_payload_id id;
  size_t hdr = 0;
  int status;
  if (i >= fw->repair_ready)
    return RILL_EINVAL;
  id.sbn = fw->ready_sbn;
  id.esi = (uint16_t)(fw->k + i);
  id.k = (uint16_t)fw->k;
  id.n = (uint16_t)(fw->k + fw->r);
  status = fec_repair_id_compose(fw->scheme, &id, out, cap, &hdr);
  if (status != RILL_OK)
    return status;
  if (hdr + fw->symbol_bytes > cap)
    return RILL_ENOSPC;
  memcpy(out + hdr, fw->repair[i], fw->symbol_bytes);
  *len = hdr + fw->symbol_bytes;
  return RILL_OK;
}
