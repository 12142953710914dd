/*
 * LDPC-Staircase (RFC 5170) encoder and erasure decoder, compatible with
 * OpenFEC 1.4.2 as roc-toolkit 0.4 configures it (N1 = 7, seed 1297501556).
 *
 * Matrix. The parity-check matrix H has r rows and k + r columns. Its
 * source part is built the way RFC 5170's matrix creation code (and
 * OpenFEC's of_create_pchck_matrix_rfc5170_compliant) builds it, with the
 * Park-Miller "minimal standard" PRNG (seed * 16807 mod 2^31-1, scaled to
 * [0, maxv) in double precision exactly like the RFC):
 *   - a list u[] holds each row index N1 * k / r times (u[h] = h mod r);
 *     for each source column in order, N1 times: pick a random entry of the
 *     unused tail of u[] whose row is not yet in the column, insert it, and
 *     swap the used entry out; if no usable entry remains, pick any row not
 *     yet in the column;
 *   - then each row with no entry gets one random source column, and each
 *     row with one entry gets a second, different one (k > 1);
 *   - the repair part is the staircase: row i holds repair i and repair i-1.
 * OpenFEC orders H's columns repair-first; only the draws matter, and they
 * are made in source-column order, so rill indexes columns by ESI. The
 * order of the draws, the rejection loops and the PRNG scaling are what make
 * the matrix (and so every repair byte) identical to roc's.
 *
 * Encoding follows the staircase: repair i = XOR of the sources of row i,
 * XOR repair i-1, summed in one pass over repair i (fec_xor_batch).
 *
 * Decoding works on the erasure pattern first and touches symbol data last.
 * Each row says that the XOR of its symbols is zero. A lost symbol u is
 * "solved" when we know a set of rows comb(u) whose sum contains u and no
 * other lost symbol: then u = XOR of the received symbols that appear an
 * odd number of times in those rows.
 *   1. Peeling: a row with one unsolved lost symbol solves it, with
 *      comb = {row} + the combs of the solved lost symbols in the row;
 *      solving it may leave other rows with one (the RFC 5170 iterative
 *      decoder, on bit vectors instead of symbols).
 *   2. If lost source symbols remain, Gauss-Jordan elimination over GF(2)
 *      of the remaining rows on the remaining lost symbols, each row
 *      carrying its comb. A pivot whose reduced row has no other lost
 *      symbol is determined; anything else is not, since a free variable
 *      enters it. This is maximum-likelihood erasure decoding: whatever the
 *      received symbols determine is restored, nothing else.
 *   3. For each solved lost source symbol, the odd-count set is computed
 *      and checked to contain exactly that one lost symbol (a guard: a bug
 *      can refuse to restore but cannot write a wrong symbol), then its
 *      symbols are XORed into the caller's buffer.
 * Steps 1-2 cost O(entries) plus O(r^2 (n + r) / 64) word operations and
 * are independent of the symbol size; step 3 is one XOR pass per symbol
 * used. No symbol-sized scratch is needed: intermediate repair symbols are
 * never materialised.
 */
#include "fec/ldpc.h"

#include <rill/status.h>
#include <string.h>

#include "core/sizemath.h"
#include "fec/symbol_ops.h"

#define NONE UINT32_MAX
#define PMMS_M UINT64_C(0x7fffffff)
#define PMMS_A UINT64_C(16807)

/* Park-Miller "minimal standard" PRNG as RFC 5170 specifies it. */
struct pmms {
  uint64_t seed; /* 1 .. 2^31-2 */
};

/* Next value, scaled to [0, maxv): the RFC's (double) seed * maxv / M. */
static size_t pmms_rand(struct pmms *p, size_t maxv)
{
  p->seed = p->seed * PMMS_A % PMMS_M;
  return (size_t)((double)p->seed * (double)maxv / (double)PMMS_M);
}

static size_t words_for(size_t bits)
{
  return (bits + 63) / 64;
}

/* Workspace layout for the limits: offsets of every array, then the total. */
struct layout {
  size_t row_start, row_cols, col_start, col_rows;
  size_t build_u, build_row, build_col;
  size_t unknown_of, residual_of, unknown_esi, row_unknowns, queue, solved;
  size_t comb, ge, ge_pivot, parity;
  size_t total;
};

/* Append an array of `count` elements of `size` bytes at 8-byte alignment. */
static bool carve(size_t *at, size_t count, size_t size, size_t *offset)
{
  size_t bytes;
  if (!size_align_up(*at, 8, offset) || !size_mul(count, size, &bytes) ||
      !size_add(*offset, bytes, at))
    return false;
  return true;
}

static bool limits_valid(size_t max_k, size_t max_r)
{
  return max_k >= 1 && max_r >= LDPC_MIN_R && max_k <= LDPC_MAX_N &&
         max_r <= LDPC_MAX_N - max_k;
}

static bool plan(size_t max_k, size_t max_r, struct layout *l)
{
  size_t n = max_k + max_r;
  size_t entries = FEC_LDPC_N1 * max_k + 2 * max_r; /* N1 per column + extras */
  size_t rw = words_for(max_r), nw = words_for(n);
  size_t at = 0;

  /* Everything below is bounded by 65535^2-ish numbers; carve still checks. */
  return carve(&at, max_r + 1, sizeof(uint32_t), &l->row_start) &&
         carve(&at, entries, sizeof(uint16_t), &l->row_cols) &&
         carve(&at, max_k + 1, sizeof(uint32_t), &l->col_start) &&
         carve(&at, entries, sizeof(uint16_t), &l->col_rows) &&
         carve(&at, FEC_LDPC_N1 * max_k, sizeof(uint16_t), &l->build_u) &&
         carve(&at, entries, sizeof(uint16_t), &l->build_row) &&
         carve(&at, entries, sizeof(uint16_t), &l->build_col) &&
         carve(&at, n, sizeof(uint32_t), &l->unknown_of) &&
         carve(&at, n, sizeof(uint32_t), &l->residual_of) &&
         carve(&at, n, sizeof(uint16_t), &l->unknown_esi) &&
         carve(&at, max_r, sizeof(uint32_t), &l->row_unknowns) &&
         carve(&at, max_r, sizeof(uint32_t), &l->queue) &&
         carve(&at, n, sizeof(uint8_t), &l->solved) &&
         carve(&at, n * rw, sizeof(uint64_t), &l->comb) &&
         carve(&at, max_r * (nw + rw), sizeof(uint64_t), &l->ge) &&
         carve(&at, max_r, sizeof(uint32_t), &l->ge_pivot) &&
         carve(&at, nw, sizeof(uint64_t), &l->parity) && size_add(at, 8, &l->total);
}

int ldpc_workspace_bytes(size_t max_k, size_t max_r, size_t *bytes)
{
  struct layout l;

  if (bytes == NULL || !limits_valid(max_k, max_r) || !plan(max_k, max_r, &l))
    return RILL_EINVAL;
  *bytes = l.total;
  return RILL_OK;
}

/* Build scratch lives in the workspace too, but is not worth a struct field. */
struct build_scratch {
  uint16_t *u, *row, *col;
};

static void scratch_of(const struct ldpc_codec *c, struct build_scratch *s)
{
  struct layout l;
  uint8_t *base = (uint8_t *)(((uintptr_t)c->mem + 7) & ~(uintptr_t)7);
  (void)plan(c->max_k, c->max_r, &l); /* succeeded at init */
  s->u = (uint16_t *)(void *)(base + l.build_u);
  s->row = (uint16_t *)(void *)(base + l.build_row);
  s->col = (uint16_t *)(void *)(base + l.build_col);
}

int ldpc_codec_init(struct ldpc_codec *codec, void *mem, size_t mem_bytes, size_t max_k,
                    size_t max_r)
{
  struct layout l;
  uint8_t *base;

  if (codec == NULL || mem == NULL || !limits_valid(max_k, max_r) || !plan(max_k, max_r, &l))
    return RILL_EINVAL;
  if (mem_bytes < l.total)
    return RILL_ENOSPC;
  memset(codec, 0, sizeof(*codec));
  codec->max_k = max_k;
  codec->max_r = max_r;
  codec->mem = mem;
  codec->mem_bytes = mem_bytes;
  /* l.total has 8 spare bytes for this alignment step. */
  base = (uint8_t *)(((uintptr_t)mem + 7) & ~(uintptr_t)7);
  codec->row_start = (uint32_t *)(void *)(base + l.row_start);
  codec->row_cols = (uint16_t *)(void *)(base + l.row_cols);
  codec->col_start = (uint32_t *)(void *)(base + l.col_start);
  codec->col_rows = (uint16_t *)(void *)(base + l.col_rows);
  codec->unknown_of = (uint32_t *)(void *)(base + l.unknown_of);
  codec->residual_of = (uint32_t *)(void *)(base + l.residual_of);
  codec->unknown_esi = (uint16_t *)(void *)(base + l.unknown_esi);
  codec->row_unknowns = (uint32_t *)(void *)(base + l.row_unknowns);
  codec->queue = (uint32_t *)(void *)(base + l.queue);
  codec->solved = base + l.solved;
  codec->comb = (uint64_t *)(void *)(base + l.comb);
  codec->ge = (uint64_t *)(void *)(base + l.ge);
  codec->ge_pivot = (uint32_t *)(void *)(base + l.ge_pivot);
  codec->parity = (uint64_t *)(void *)(base + l.parity);
  codec->k = 0;
  codec->r = 0;
  return RILL_OK;
}

static bool column_has(const uint16_t *rows, size_t count, size_t row)
{
  size_t i;
  for (i = 0; i < count; i++)
    if (rows[i] == row)
      return true;
  return false;
}

/*
 * Build H for (k, r) into the CSR arrays. The draws follow RFC 5170 /
 * OpenFEC step by step (see the top of this file); any change here changes
 * the code.
 */
static void build_matrix(struct ldpc_codec *c, size_t k, size_t r)
{
  struct build_scratch s;
  struct pmms prng = {FEC_LDPC_SEED};
  const size_t nu = FEC_LDPC_N1 * k;
  uint32_t *row_count = c->row_unknowns; /* decoder scratch, free here */
  uint32_t *row_first = c->queue;
  uint32_t *cursor = c->unknown_of; /* n >= max(k, r) entries */
  size_t t = 0, ne = 0, h, i, j, e;

  scratch_of(c, &s);
  for (h = 0; h < nu; h++)
    s.u[h] = (uint16_t)(h % r);

  for (j = 0; j < k; j++) {
    const uint16_t *col = s.row + ne; /* this column's rows so far */
    size_t col_count = 0;
    for (h = 0; h < FEC_LDPC_N1; h++) {
      for (i = t; i < nu && column_has(col, col_count, s.u[i]); i++)
        ;
      if (i < nu) {
        do {
          i = t + pmms_rand(&prng, nu - t);
        } while (column_has(col, col_count, s.u[i]));
        s.row[ne] = s.u[i];
        s.u[i] = s.u[t];
        t++;
      } else {
        /* No usable entry left in u[]: any row not in the column. */
        do {
          i = pmms_rand(&prng, r);
        } while (column_has(col, col_count, i));
        s.row[ne] = (uint16_t)i;
      }
      s.col[ne++] = (uint16_t)j;
      col_count++;
    }
  }

  /* Rows need at least two source entries (one when k == 1). */
  for (i = 0; i < r; i++) {
    row_count[i] = 0;
    row_first[i] = NONE;
  }
  for (e = 0; e < ne; e++) {
    row_count[s.row[e]]++;
    if (row_first[s.row[e]] == NONE || s.col[e] < row_first[s.row[e]])
      row_first[s.row[e]] = s.col[e];
  }
  for (i = 0; i < r; i++) {
    if (row_count[i] == 0) {
      j = pmms_rand(&prng, k);
      s.row[ne] = (uint16_t)i;
      s.col[ne++] = (uint16_t)j;
      row_count[i] = 1;
      row_first[i] = (uint32_t)j;
    }
    if (row_count[i] == 1 && k > 1) {
      do {
        j = pmms_rand(&prng, k);
      } while (j == row_first[i]);
      s.row[ne] = (uint16_t)i;
      s.col[ne++] = (uint16_t)j;
      row_count[i] = 2;
    }
  }

  /* Counting sort of the (row, col) pairs into both CSR forms. */
  memset(c->row_start, 0, (r + 1) * sizeof(*c->row_start));
  memset(c->col_start, 0, (k + 1) * sizeof(*c->col_start));
  for (e = 0; e < ne; e++) {
    c->row_start[s.row[e] + 1]++;
    c->col_start[s.col[e] + 1]++;
  }
  for (i = 0; i < r; i++)
    c->row_start[i + 1] += c->row_start[i];
  for (j = 0; j < k; j++)
    c->col_start[j + 1] += c->col_start[j];
  for (i = 0; i < r; i++)
    cursor[i] = c->row_start[i];
  for (e = 0; e < ne; e++)
    c->row_cols[cursor[s.row[e]]++] = s.col[e];
  for (j = 0; j < k; j++)
    cursor[j] = c->col_start[j];
  for (e = 0; e < ne; e++)
    c->col_rows[cursor[s.col[e]]++] = s.row[e];

  c->k = k;
  c->r = r;
}

/* Validate (k, r) against the codec and build the matrix if needed. */
static int use_matrix(struct ldpc_codec *c, size_t k, size_t r)
{
  if (k == 0 || r < LDPC_MIN_R)
    return RILL_EINVAL;
  if (k > c->max_k || r > c->max_r)
    return RILL_EUNSUPPORTED;
  if (c->k != k || c->r != r)
    build_matrix(c, k, r);
  return RILL_OK;
}

int ldpc_matrix_row(struct ldpc_codec *codec, size_t k, size_t r, size_t row,
                    const uint16_t **cols, size_t *count)
{
  int rc;

  if (codec == NULL || cols == NULL || count == NULL)
    return RILL_EINVAL;
  rc = use_matrix(codec, k, r);
  if (rc != RILL_OK)
    return rc;
  if (row >= r)
    return RILL_EINVAL;
  *cols = codec->row_cols + codec->row_start[row];
  *count = codec->row_start[row + 1] - codec->row_start[row];
  return RILL_OK;
}

int ldpc_encode(struct ldpc_codec *codec, size_t k, size_t r, size_t symbol_bytes,
                const uint8_t *const *source, uint8_t *const *repair)
{
  size_t i, e;
  int rc;

  if (codec == NULL || source == NULL || repair == NULL || symbol_bytes == 0)
    return RILL_EINVAL;
  rc = use_matrix(codec, k, r);
  if (rc != RILL_OK)
    return rc;
  for (i = 0; i < k; i++)
    if (source[i] == NULL)
      return RILL_EINVAL;
  for (i = 0; i < r; i++)
    if (repair[i] == NULL)
      return RILL_EINVAL;

  /* One pass per repair: repair i-1 and the row's sources summed in registers. */
  for (i = 0; i < r; i++) {
    struct fec_xor_batch sum;
    fec_xor_batch_begin(&sum, repair[i], symbol_bytes);
    if (i > 0)
      fec_xor_batch_push(&sum, repair[i - 1]);
    for (e = codec->row_start[i]; e < codec->row_start[i + 1]; e++)
      fec_xor_batch_push(&sum, source[codec->row_cols[e]]);
    fec_xor_batch_end(&sum);
  }
  return RILL_OK;
}

/* ---- decoder ---------------------------------------------------------- */

/*
 * The symbols of row i: its source ESIs from the CSR, then the staircase,
 * repair k+i and (i > 0) repair k+i-1. Indexed j = 0 .. row_len - 1.
 */
static size_t row_len(const struct ldpc_codec *c, size_t i)
{
  return c->row_start[i + 1] - c->row_start[i] + (i > 0 ? 2 : 1);
}

static size_t row_esi(const struct ldpc_codec *c, size_t i, size_t j)
{
  size_t sources = c->row_start[i + 1] - c->row_start[i];
  if (j < sources)
    return c->row_cols[c->row_start[i] + j];
  return c->k + i - (j - sources);
}

static void bits_xor(uint64_t *dst, const uint64_t *src, size_t words)
{
  size_t w;
  for (w = 0; w < words; w++)
    dst[w] ^= src[w];
}

static bool bit_get(const uint64_t *v, size_t bit)
{
  return (v[bit / 64] >> (bit % 64)) & 1u;
}

static void bit_flip(uint64_t *v, size_t bit)
{
  v[bit / 64] ^= UINT64_C(1) << (bit % 64);
}

/* One fewer unsolved symbol in row `row`; queue it when one is left. */
static void row_solved_one(struct ldpc_codec *c, size_t row, size_t *tail)
{
  if (--c->row_unknowns[row] == 1)
    c->queue[(*tail)++] = (uint32_t)row;
}

/* Step 1. Returns how many lost source symbols are still unsolved. */
static size_t peel(struct ldpc_codec *c, size_t lost_sources)
{
  const size_t rw = words_for(c->r);
  size_t head = 0, tail = 0, i, j, e;

  /* Each row is queued at most once: when it starts with one unsolved
   * symbol, or when its count drops from two to one. */
  for (i = 0; i < c->r; i++)
    if (c->row_unknowns[i] == 1)
      c->queue[tail++] = (uint32_t)i;

  while (head < tail && lost_sources > 0) {
    size_t row = c->queue[head++], u = NONE, esi;
    uint64_t *comb;
    if (c->row_unknowns[row] != 1)
      continue;
    for (j = 0; j < row_len(c, row); j++) {
      uint32_t x = c->unknown_of[row_esi(c, row, j)];
      if (x != NONE && !c->solved[x])
        u = x;
    }
    if (u == NONE)
      continue; /* cannot happen: the count says one */
    comb = c->comb + u * rw;
    bit_flip(comb, row);
    for (j = 0; j < row_len(c, row); j++) {
      uint32_t x = c->unknown_of[row_esi(c, row, j)];
      if (x != NONE && x != u)
        bits_xor(comb, c->comb + (size_t)x * rw, rw);
    }
    c->solved[u] = 1;
    esi = c->unknown_esi[u];
    if (esi < c->k) {
      lost_sources--;
      for (e = c->col_start[esi]; e < c->col_start[esi + 1]; e++)
        row_solved_one(c, c->col_rows[e], &tail);
    } else {
      row_solved_one(c, esi - c->k, &tail);
      if (esi - c->k + 1 < c->r)
        row_solved_one(c, esi - c->k + 1, &tail);
    }
  }
  return lost_sources;
}

/* Step 2: Gauss-Jordan on the rows that still hold unsolved lost symbols. */
static void eliminate(struct ldpc_codec *c, size_t unknowns)
{
  const size_t rw = words_for(c->r);
  size_t nres = 0, nrows = 0, lw, stride, col, rank = 0, i, j, x;

  for (x = 0; x < unknowns; x++)
    c->residual_of[x] = c->solved[x] ? NONE : (uint32_t)nres++;
  if (nres == 0)
    return;
  lw = words_for(nres);
  stride = lw + rw;

  for (i = 0; i < c->r; i++) {
    uint64_t *g;
    if (c->row_unknowns[i] == 0)
      continue;
    g = c->ge + nrows * stride;
    memset(g, 0, stride * sizeof(*g));
    bit_flip(g + lw, i);
    for (j = 0; j < row_len(c, i); j++) {
      uint32_t ux = c->unknown_of[row_esi(c, i, j)];
      if (ux == NONE)
        continue;
      if (c->solved[ux])
        bits_xor(g + lw, c->comb + (size_t)ux * rw, rw);
      else
        bit_flip(g, c->residual_of[ux]);
    }
    nrows++;
  }

  for (col = 0; col < nres && rank < nrows; col++) {
    size_t p;
    uint64_t *prow;
    for (p = rank; p < nrows && !bit_get(c->ge + p * stride, col); p++)
      ;
    if (p == nrows)
      continue;
    if (p != rank) {
      size_t w;
      uint64_t *a = c->ge + p * stride, *b = c->ge + rank * stride;
      for (w = 0; w < stride; w++) {
        uint64_t t = a[w];
        a[w] = b[w];
        b[w] = t;
      }
    }
    prow = c->ge + rank * stride;
    for (p = 0; p < nrows; p++)
      if (p != rank && bit_get(c->ge + p * stride, col))
        bits_xor(c->ge + p * stride, prow, stride);
    c->ge_pivot[rank++] = (uint32_t)col;
  }

  /* A pivot is determined when its reduced row holds no other unknown. */
  for (i = 0; i < rank; i++) {
    const uint64_t *g = c->ge + i * stride;
    size_t w, ones = 0;
    for (w = 0; w < lw; w++)
      ones += (size_t)__builtin_popcountll(g[w]);
    if (ones != 1)
      continue;
    for (x = 0; x < unknowns; x++) {
      if (c->residual_of[x] == c->ge_pivot[i]) {
        memcpy(c->comb + x * rw, g + lw, rw * sizeof(*g));
        c->solved[x] = 1;
        break;
      }
    }
  }
}

/*
 * Step 3 for lost symbol x: XOR of the received symbols of odd count in
 * comb(x). Returns false (nothing written) if the rows also leave another
 * lost symbol, which would mean a bug in steps 1-2.
 */
static bool restore_symbol(struct ldpc_codec *c, size_t x, size_t n, size_t unknowns,
                           size_t symbol_bytes, const uint8_t *const *symbols, uint8_t *out)
{
  const size_t rw = words_for(c->r), nw = words_for(n);
  const uint64_t *comb = c->comb + x * rw;
  size_t i, j, y, esi;
  struct fec_xor_batch sum;

  memset(c->parity, 0, nw * sizeof(*c->parity));
  for (i = 0; i < c->r; i++)
    if (bit_get(comb, i))
      for (j = 0; j < row_len(c, i); j++)
        bit_flip(c->parity, row_esi(c, i, j));
  for (y = 0; y < unknowns; y++)
    if (bit_get(c->parity, c->unknown_esi[y]) != (y == x))
      return false;

  fec_xor_batch_begin(&sum, out, symbol_bytes);
  for (esi = 0; esi < n; esi++)
    if (bit_get(c->parity, esi) && c->unknown_of[esi] == NONE)
      fec_xor_batch_push(&sum, symbols[esi]);
  fec_xor_batch_end(&sum);
  return true;
}

int ldpc_decode(struct ldpc_codec *codec, size_t k, size_t n, size_t symbol_bytes,
                const uint8_t *const *symbols, uint8_t *const *restore, bool *restored)
{
  size_t lost = 0, left, unknowns = 0, esi, i, j, x;
  bool all = true;
  int rc;

  if (codec == NULL || symbols == NULL || k == 0 || n < k || symbol_bytes == 0)
    return RILL_EINVAL;
  rc = use_matrix(codec, k, n - k);
  if (rc != RILL_OK)
    return rc;
  for (esi = 0; esi < k; esi++) {
    if (symbols[esi] != NULL)
      continue;
    if (restore == NULL || restore[esi] == NULL)
      return RILL_EINVAL;
    lost++;
  }
  if (restored != NULL)
    memset(restored, 0, k * sizeof(*restored));
  if (lost == 0)
    return RILL_OK;

  for (esi = 0; esi < n; esi++) {
    if (symbols[esi] != NULL) {
      codec->unknown_of[esi] = NONE;
      continue;
    }
    codec->unknown_of[esi] = (uint32_t)unknowns;
    codec->unknown_esi[unknowns] = (uint16_t)esi;
    codec->solved[unknowns] = 0;
    unknowns++;
  }
  memset(codec->comb, 0, unknowns * words_for(codec->r) * sizeof(*codec->comb));
  for (i = 0; i < codec->r; i++) {
    uint32_t count = 0;
    for (j = 0; j < row_len(codec, i); j++)
      count += codec->unknown_of[row_esi(codec, i, j)] != NONE;
    codec->row_unknowns[i] = count;
  }

  left = peel(codec, lost);
  if (left > 0)
    eliminate(codec, unknowns);

  for (x = 0; x < unknowns; x++) {
    size_t c = codec->unknown_esi[x];
    if (c >= k)
      break; /* unknowns are in ESI order: the rest are repair symbols */
    if (codec->solved[x] &&
        restore_symbol(codec, x, n, unknowns, symbol_bytes, symbols, restore[c])) {
      if (restored != NULL)
        restored[c] = true;
    } else {
      all = false;
    }
  }
  return all ? RILL_OK : RILL_EUNRECOVERABLE;
}
