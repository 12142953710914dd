/*
 * Fuzz target: FEC blocks with hostile packets, through the payload ID
 * parsers into the rs8m and ldpc decoders, the way a receiver's block
 * reader would feed them.
 *
 * The harness knows the truth: from the input's header it builds two
 * consecutive blocks of a known source block (random bytes from a seed),
 * encodes them with rill's encoder and composes every FEC datagram (source
 * symbol + footer, header + repair symbol). The block numbers can straddle
 * the SBN wrap. The rest of the input is a list of operations, each
 * delivering one of those datagrams as is, twice, cut short, with a
 * payload ID field overwritten (k, n, ESI, SBN: any 16-bit value), or with
 * a symbol byte flipped. Datagrams never delivered are lost.
 *
 * A minimal block reader parses each datagram, keys it to one of two
 * blocks by SBN (wrap-aware), takes k (and for ldpc n) from the first
 * packet of the block, drops packets that disagree, duplicates (first one
 * wins) and symbols of another length, then decodes each block.
 *
 * Invariants, checked with abort():
 *  - no crash and no out-of-bounds access (ASan, buffers of exact size);
 *  - output buffers not reported restored are untouched;
 *  - the status is one the API documents for the situation;
 *  - when every symbol placed in a block is a genuine datagram of that
 *    block at its own ESI and the block's k (and n) are the true ones: each
 *    symbol reported restored equals the true source symbol, OK means every
 *    lost source was restored, and rs8m restores the block whenever at
 *    least k symbols are present (MDS);
 *  - the decoders refuse hostile parameters given directly (k = 0, n < k,
 *    n beyond the codec) without writing anything.
 */
#include <rill/status.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fec/ldpc.h"
#include "fec/payload_id.h"
#include "fec/rs8m.h"
#include "fuzz_check.h"


#define MAX_K 40
#define MAX_R 24
#define MAX_N (MAX_K + MAX_R)
#define MAX_SYMBOL 48
#define MAX_DATAGRAM (MAX_SYMBOL + FEC_MAX_ID_BYTES)
#define MAX_OPS 256
#define SENTINEL 0xe7

static struct rs8m_codec rs;
static struct ldpc_codec ldpc;
static uint8_t ldpc_mem[1 << 16];
static bool ready;

struct truth {
  uint32_t sbn;
  uint8_t sym[MAX_N][MAX_SYMBOL];
  uint8_t dgram[MAX_N][MAX_DATAGRAM];
  size_t dgram_len[MAX_N];
};

/* One block as the reader assembles it. */
struct rblock {
  bool used;
  uint32_t sbn;
  size_t k, n, symbol_bytes, present;
  /* Pointers into copies of the delivered datagrams, indexed by ESI. rs8m
   * needs 255 entries (n = 255 implied). */
  const uint8_t *sym[FEC_RS8M_N];
  bool genuine[FEC_RS8M_N];
  uint8_t store[MAX_N][MAX_DATAGRAM];
  size_t stored;
};

static struct truth truth[2];
static struct rblock blocks[2];

static uint64_t rng;

static uint8_t rng_byte(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint8_t)(rng >> 24);
}

static int init_codecs(void)
{
  size_t bytes;
  rs8m_codec_init(&rs);
  CHECK(ldpc_workspace_bytes(MAX_K, MAX_R, &bytes) == RILL_OK);
  CHECK(bytes <= sizeof(ldpc_mem));
  CHECK(ldpc_codec_init(&ldpc, ldpc_mem, sizeof(ldpc_mem), MAX_K, MAX_R) == RILL_OK);
  return 0;
}

/* Build both blocks' symbols, repair symbols and datagrams. */
static void make_truth(enum fec_scheme s, size_t k, size_t r, size_t bytes, uint32_t sbn0)
{
  size_t b, i;
  for (b = 0; b < 2; b++) {
    struct truth *t = &truth[b];
    const uint8_t *src[MAX_K];
    uint8_t *rep[MAX_R];
    t->sbn = b == 0 ? sbn0 : fec_sbn_next(s, sbn0);
    for (i = 0; i < k; i++) {
      size_t j;
      for (j = 0; j < bytes; j++)
        t->sym[i][j] = rng_byte();
      src[i] = t->sym[i];
    }
    for (i = 0; i < r; i++)
      rep[i] = t->sym[k + i];
    if (s == FEC_SCHEME_RS8M)
      CHECK(rs8m_encode(&rs, k, r, bytes, src, rep) == RILL_OK);
    else
      CHECK(ldpc_encode(&ldpc, k, r, bytes, src, rep) == RILL_OK);
    for (i = 0; i < k + r; i++) {
      struct fec_payload_id id = {t->sbn, (uint16_t)i, (uint16_t)k, (uint16_t)(k + r)};
      size_t w = 0;
      if (i < k) {
        memcpy(t->dgram[i], t->sym[i], bytes);
        CHECK(fec_source_id_compose(s, &id, t->dgram[i] + bytes, MAX_DATAGRAM - bytes, &w) ==
              RILL_OK);
        t->dgram_len[i] = bytes + w;
      } else {
        CHECK(fec_repair_id_compose(s, &id, t->dgram[i], MAX_DATAGRAM, &w) == RILL_OK);
        memcpy(t->dgram[i] + w, t->sym[i], bytes);
        t->dgram_len[i] = w + bytes;
      }
    }
  }
}

/* Is the datagram exactly the true one for (sbn, esi)? */
static bool is_genuine(uint32_t sbn, size_t esi, size_t n_true, const uint8_t *d, size_t len)
{
  size_t b;
  if (esi >= n_true)
    return false;
  for (b = 0; b < 2; b++)
    if (truth[b].sbn == sbn)
      return truth[b].dgram_len[esi] == len && memcmp(truth[b].dgram[esi], d, len) == 0;
  return false;
}

/* The block reader: place one delivered datagram. */
static void deliver(enum fec_scheme s, bool repair, const uint8_t *d, size_t len, size_t n_true)
{
  struct fec_payload_id id;
  struct rblock *blk = NULL;
  size_t where, bytes, b;
  int rc;

  rc = repair ? fec_repair_id_parse(s, d, len, &id, &where)
              : fec_source_id_parse(s, d, len, &id, &bytes);
  if (rc != RILL_OK) {
    CHECK(rc == RILL_EMALFORMED);
    return;
  }
  if (repair)
    bytes = len - where;
  else
    where = 0;
  /* Two blocks at most, by SBN; a third SBN is dropped. */
  for (b = 0; b < 2 && blk == NULL; b++)
    if (blocks[b].used && fec_sbn_diff(s, blocks[b].sbn, id.sbn) == 0)
      blk = &blocks[b];
  for (b = 0; b < 2 && blk == NULL; b++) {
    if (!blocks[b].used) {
      blk = &blocks[b];
      blk->used = true;
      blk->sbn = id.sbn;
      blk->k = id.k;
      blk->n = s == FEC_SCHEME_RS8M ? FEC_RS8M_N : 0;
      blk->symbol_bytes = bytes;
    }
  }
  /* Our arrays hold 255 ESIs (all of rs8m; a receiver bounds ldpc's n). */
  if (blk == NULL || id.k != blk->k || bytes != blk->symbol_bytes || blk->stored == MAX_N ||
      id.esi >= FEC_RS8M_N)
    return;
  if (s == FEC_SCHEME_LDPC && repair) {
    if (blk->n == 0)
      blk->n = id.n;
    else if (blk->n != id.n)
      return;
  }
  if (blk->sym[id.esi] != NULL)
    return; /* duplicate: first wins */
  memcpy(blk->store[blk->stored], d, len);
  blk->sym[id.esi] = blk->store[blk->stored] + where;
  blk->genuine[id.esi] = is_genuine(id.sbn, id.esi, n_true, d, len);
  blk->stored++;
  blk->present++;
}

static void decode_block(enum fec_scheme s, struct rblock *blk, size_t k_true, size_t n_true,
                         size_t bytes_true)
{
  static uint8_t outmem[FEC_RS8M_N][MAX_SYMBOL];
  uint8_t *out[FEC_RS8M_N];
  bool restored[FEC_RS8M_N], honest = true;
  size_t i, c, lost = 0, got = 0, k = blk->k, n = blk->n;
  const struct truth *t = NULL;
  int rc;

  if (!blk->used || n == 0)
    return; /* ldpc block without a repair packet: n unknown */
  for (i = 0; i < 2; i++)
    if (truth[i].sbn == blk->sbn)
      t = &truth[i];
  if (k > FEC_RS8M_N)
    return; /* only ldpc gets here: n < k or beyond our arrays, refused below */
  memset(outmem, SENTINEL, sizeof(outmem));
  for (c = 0; c < FEC_RS8M_N; c++)
    out[c] = outmem[c];
  memset(restored, 0, sizeof(restored));

  if (s == FEC_SCHEME_RS8M) {
    rc = rs8m_decode(&rs, k, n, blk->symbol_bytes, blk->sym, out, restored);
  } else {
    /* A hostile n may exceed our pointer array; the reader would refuse it. */
    if (n > FEC_RS8M_N)
      return;
    rc = ldpc_decode(&ldpc, k, n, blk->symbol_bytes, blk->sym, out, restored);
  }
  CHECK(rc == RILL_OK || rc == RILL_EUNRECOVERABLE || rc == RILL_EUNSUPPORTED ||
        rc == RILL_EINVAL);
  if (rc == RILL_EINVAL || rc == RILL_EUNSUPPORTED)
    for (c = 0; c < k; c++)
      CHECK(!restored[c]);

  honest = t != NULL && k == k_true && (s == FEC_SCHEME_RS8M || n == n_true) &&
           blk->symbol_bytes == bytes_true;
  for (i = 0; i < n && honest; i++)
    if (blk->sym[i] != NULL && !blk->genuine[i])
      honest = false;

  for (c = 0; c < k; c++) {
    if (blk->sym[c] != NULL) {
      CHECK(!restored[c]);
      continue;
    }
    lost++;
    if (restored[c]) {
      got++;
      if (honest)
        CHECK(memcmp(out[c], t->sym[c], blk->symbol_bytes) == 0);
    } else {
      for (i = 0; i < blk->symbol_bytes; i++)
        CHECK(outmem[c][i] == SENTINEL);
    }
  }
  if (rc == RILL_OK)
    CHECK(got == lost);
  if (rc == RILL_EUNRECOVERABLE)
    CHECK(got < lost);
  if (honest) {
    CHECK(rc == RILL_OK || rc == RILL_EUNRECOVERABLE);
    if (s == FEC_SCHEME_RS8M && blk->present >= k)
      CHECK(rc == RILL_OK);
  }
}

/* Hostile parameters straight into the decoders. */
static void direct_calls(const uint8_t *p)
{
  static const uint8_t zero[MAX_SYMBOL];
  static uint8_t out[MAX_SYMBOL];
  const uint8_t *in[FEC_RS8M_N];
  uint8_t *outs[FEC_RS8M_N];
  bool restored[FEC_RS8M_N];
  size_t k = (size_t)p[0] << 8 | p[1], n = (size_t)p[2] << 8 | p[3], i;
  int rc;

  for (i = 0; i < FEC_RS8M_N; i++) {
    in[i] = i % 3 ? zero : NULL;
    outs[i] = out;
  }
  memset(out, SENTINEL, sizeof(out));
  memset(restored, 0, sizeof(restored));
  if (k > FEC_RS8M_N || n > FEC_RS8M_N) {
    /* Must be refused before touching the arrays. */
    rc = rs8m_decode(&rs, k, n, 1, in, outs, restored);
    CHECK(rc == RILL_EINVAL || rc == RILL_EUNSUPPORTED);
    rc = ldpc_decode(&ldpc, k, n, 1, in, outs, restored);
    CHECK(rc == RILL_EINVAL || rc == RILL_EUNSUPPORTED);
    for (i = 0; i < MAX_SYMBOL; i++)
      CHECK(out[i] == SENTINEL);
    return;
  }
  rc = rs8m_decode(&rs, k, n, 1, in, outs, restored);
  if (k == 0 || n < k)
    CHECK(rc == RILL_EINVAL);
  rc = ldpc_decode(&ldpc, k, n, 1, in, outs, restored);
  if (k == 0 || n < k || n - k < LDPC_MIN_R)
    CHECK(rc == RILL_EINVAL);
  else if (k > MAX_K || n - k > MAX_R)
    CHECK(rc == RILL_EUNSUPPORTED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  enum fec_scheme s;
  size_t k, r, n, bytes, pos, ops = 0, b;
  uint32_t sbn0;

  if (!ready)
    ready = init_codecs() == 0;
  if (size < 8)
    return 0;
  s = data[0] & 1 ? FEC_SCHEME_LDPC : FEC_SCHEME_RS8M;
  k = 1 + data[1] % MAX_K;
  if (s == FEC_SCHEME_LDPC)
    r = LDPC_MIN_R + data[2] % (MAX_R - LDPC_MIN_R + 1);
  else
    r = data[2] % (MAX_R + 1);
  n = k + r;
  bytes = 1 + data[3] % MAX_SYMBOL;
  switch ((data[0] >> 1) & 3) {
  case 0: /* the last block number: the second block wraps to 0 */
    sbn0 = s == FEC_SCHEME_RS8M ? FEC_RS8M_MAX_SBN : FEC_LDPC_MAX_SBN;
    break;
  case 1:
    sbn0 = 0;
    break;
  default:
    sbn0 = ((uint32_t)data[4] << 16 | (uint32_t)data[5] << 8 | data[6]) &
           (s == FEC_SCHEME_RS8M ? FEC_RS8M_MAX_SBN : FEC_LDPC_MAX_SBN);
    break;
  }
  rng = (uint64_t)data[7] << 8 | data[4] | 1u;
  make_truth(s, k, r, bytes, sbn0);
  memset(blocks, 0, sizeof(blocks));

  /*
   * Operations, 2 bytes each (more for some):
   *   a = data[pos]:   bit 7 block, bits 0-6 ESI (mod n)
   *   o = data[pos+1]: 0-7 deliver, 8 twice, 9 cut to data[pos+2] bytes,
   *                    10 field data[pos+2] % 5 (SBN, ESI, k, n, ESI byte)
   *                    set to data[pos+3..4], 11 flip symbol byte
   *                    data[pos+2], 12-14 skip (lost), 15 end: the next
   *                    4 bytes are k and n (16 bit) for direct calls
   */
  for (pos = 8; pos + 2 <= size && ops < MAX_OPS; ops++) {
    size_t blk = data[pos] >> 7, esi = (data[pos] & 0x7f) % n, len;
    unsigned op = data[pos + 1] & 15;
    uint8_t d[MAX_DATAGRAM];
    bool repair = esi >= k;
    pos += 2;
    if (op == 15) {
      if (pos + 4 <= size)
        direct_calls(data + pos);
      break;
    }
    len = truth[blk].dgram_len[esi];
    memcpy(d, truth[blk].dgram[esi], len);
    if (op <= 7) {
      deliver(s, repair, d, len, n);
    } else if (op == 8) {
      deliver(s, repair, d, len, n);
      deliver(s, repair, d, len, n);
    } else if (op == 9 && pos < size) {
      deliver(s, repair, d, data[pos] % (len + 1), n);
      pos++;
    } else if (op == 10 && pos + 3 <= size) {
      /* Offsets of SBN, ESI, k, n in the payload ID (n: ldpc repair only). */
      size_t id_at = repair ? 0 : len - fec_source_id_bytes(s), field = data[pos] % 5;
      uint8_t hi = data[pos + 1], lo = data[pos + 2];
      size_t off = s == FEC_SCHEME_RS8M ? (size_t[]){0, 2, 4, 4, 3}[field]
                                        : (size_t[]){0, 2, 4, 6, 3}[field];
      if (!(s == FEC_SCHEME_LDPC && !repair && off == 6)) {
        if (field == 4) {
          d[id_at + off] = lo; /* one byte: rs8m ESI, ldpc ESI low byte */
        } else {
          d[id_at + off] = hi;
          d[id_at + off + 1] = lo;
        }
      }
      deliver(s, repair, d, len, n);
      pos += 3;
    } else if (op == 11 && pos < size) {
      d[data[pos] % len] ^= 0x40;
      deliver(s, repair, d, len, n);
      pos++;
    }
  }
  for (b = 0; b < 2; b++)
    decode_block(s, &blocks[b], k, n, bytes);
  return 0;
}
