/*
 * Reed-Solomon over GF(2^8), the OpenFEC / RFC 5510 construction.
 *
 * Construction. GF(2^8) with primitive polynomial x^8+x^4+x^3+x^2+1 (0x11d)
 * and alpha = 2. OpenFEC builds an n x k Vandermonde matrix V whose row 0 is
 * [1, 0, ..., 0] and whose row 1+t is [alpha^(t*c)]_c, i.e. row i evaluates
 * the monomials at the point x_i (x_0 = 0, x_i = alpha^(i-1)), and takes the
 * systematic generator G = V * inverse(top k x k of V). Symbol e of the block
 * is sum_c G[e][c] * source[c], byte by byte.
 *
 * We never form V or invert it. Row e of G maps the values of a polynomial
 * at x_0..x_{k-1} to its value at x_e, so G[e][c] is the Lagrange basis
 * polynomial L_c evaluated at x_e:
 *
 *   G[e][c] = prod_{m != c} (x_e + x_m) / (x_c + x_m)      (+ is XOR)
 *
 * The denominators depend only on k and are cached as logarithms
 * (den_log, O(k^2) once per block length); a row then costs O(k) table
 * look-ups. The points are distinct for e < 255, so every factor is
 * non-zero, and any k rows of G are independent (k rows of a Vandermonde
 * matrix with distinct points): the code is MDS. The repair symbols match
 * roc-toolkit's byte for byte (tests/fec/test_vectors.c).
 *
 * Decoding. With e source symbols lost (positions S) and e repair symbols
 * used (rows g_i of G), each repair gives r_i = sum_{c in S} g_i[c] s_c +
 * sum_{c not in S} g_i[c] s_c. Gauss-Jordan elimination of the e x (e + k)
 * matrix [g_i restricted to S | g_i on the known sources | identity] turns
 * the right part into the coefficients of each lost symbol over the k
 * symbols at hand, so every restored symbol is k multiply-adds straight
 * into its output buffer: no symbol-sized scratch, and a lost symbol is
 * written only once its coefficients are known (never partial data).
 *
 * Tables. log/exp (with exp doubled to skip the modulo) for the matrix
 * work, and a full 256 x 256 product table for the symbol loops: one
 * look-up per byte and the row for a constant is contiguous, which beats
 * split-nibble tables in portable C. 64 KiB, but only the rows of the
 * constants in use are touched. Everything lives in struct rs8m_codec.
 *
 * Symbol arithmetic. Both directions end in the same product: outputs =
 * M (rows x inputs) times the input symbols, M being r rows of G (encode)
 * or the eliminated right part (decode). combine() runs it through ISA-L's
 * ec_encode_data when built with it (the same field, 0x11d), else with the
 * portable mul_set / mul_add. The encode tables are kept for the last
 * (k, r), so a stream of blocks expands them once.
 */
#include "fec/rs8m.h"

#include <rill/status.h>
#include <string.h>

#include "fec/symbol_ops.h"

#ifdef RILL_HAVE_ISAL
#include <isa-l/erasure_code.h>
#endif

#define GF_POLY 0x11d

void rs8m_codec_use_portable(struct rs8m_codec *codec, bool portable)
{
  codec->portable = portable;
}

bool rs8m_has_isal(void)
{
#ifdef RILL_HAVE_ISAL
  return true;
#else
  return false;
#endif
}

void rs8m_codec_init(struct rs8m_codec *codec)
{
  unsigned x = 1, i, a, b;

  memset(codec, 0, sizeof(*codec));
  for (i = 0; i < 255; i++) {
    codec->gf_exp[i] = (uint8_t)x;
    codec->gf_exp[i + 255] = (uint8_t)x;
    codec->gf_log[x] = (uint8_t)i;
    x <<= 1;
    if (x & 0x100)
      x ^= GF_POLY;
  }
  for (a = 1; a < 256; a++)
    for (b = 1; b < 256; b++)
      codec->gf_mul[a][b] = codec->gf_exp[codec->gf_log[a] + codec->gf_log[b]];
  codec->k = 0;
}

/* log of x_i + x_m for two distinct evaluation points (never 0). */
static unsigned log_point_sum(const struct rs8m_codec *c, size_t i, size_t m)
{
  unsigned xi = i == 0 ? 0 : c->gf_exp[i - 1];
  unsigned xm = m == 0 ? 0 : c->gf_exp[m - 1];
  return c->gf_log[xi ^ xm];
}

/* Cache the Lagrange denominators for block length k (1..255). */
static void set_k(struct rs8m_codec *c, size_t k)
{
  size_t i, m;

  if (c->k == k)
    return;
  for (i = 0; i < k; i++) {
    unsigned sum = 0;
    for (m = 0; m < k; m++)
      if (m != i)
        sum += log_point_sum(c, i, m);
    c->den_log[i] = (uint8_t)(sum % 255);
  }
  c->k = k;
}

/* Row esi (k <= esi < 255) of G into row[0..k): needs set_k(k). */
static void repair_row(const struct rs8m_codec *c, size_t esi, uint8_t *row)
{
  size_t k = c->k, m;
  unsigned num = 0;

  for (m = 0; m < k; m++)
    num += log_point_sum(c, esi, m);
  num %= 255;
  for (m = 0; m < k; m++) {
    /* num - log(x_e + x_m) - den_log[m], kept non-negative mod 255. */
    unsigned l = (num + 2 * 255 - log_point_sum(c, esi, m) - c->den_log[m]) % 255;
    row[m] = c->gf_exp[l];
  }
}

/* dst = coef * src. */
static void mul_set(const struct rs8m_codec *c, uint8_t coef, uint8_t *restrict dst,
                    const uint8_t *restrict src, size_t len)
{
  const uint8_t *t = c->gf_mul[coef];
  size_t i;

  if (coef == 0) {
    memset(dst, 0, len);
    return;
  }
  if (coef == 1) {
    memcpy(dst, src, len);
    return;
  }
  for (i = 0; i < len; i++)
    dst[i] = t[src[i]];
}

/* dst += coef * src. */
static void mul_add(const struct rs8m_codec *c, uint8_t coef, uint8_t *restrict dst,
                    const uint8_t *restrict src, size_t len)
{
  const uint8_t *t = c->gf_mul[coef];
  size_t i = 0;

  if (coef == 0)
    return;
  if (coef == 1) {
    fec_xor(dst, src, len);
    return;
  }
  /* 8 bytes per step: one source load, eight look-ups, one XOR into dst.
   * Little-endian order is irrelevant: byte j of s maps to byte j of p. */
  for (; i + 8 <= len; i += 8) {
    uint64_t s, p, d;
    memcpy(&s, src + i, 8);
    p = (uint64_t)t[s & 0xff] | (uint64_t)t[(s >> 8) & 0xff] << 8 |
        (uint64_t)t[(s >> 16) & 0xff] << 16 | (uint64_t)t[(s >> 24) & 0xff] << 24 |
        (uint64_t)t[(s >> 32) & 0xff] << 32 | (uint64_t)t[(s >> 40) & 0xff] << 40 |
        (uint64_t)t[(s >> 48) & 0xff] << 48 | (uint64_t)t[s >> 56] << 56;
    memcpy(&d, dst + i, 8);
    d ^= p;
    memcpy(dst + i, &d, 8);
  }
  for (; i < len; i++)
    dst[i] ^= t[src[i]];
}

/* Multiply a matrix row of `len` bytes by a constant, in place. */
static void row_scale(const struct rs8m_codec *c, uint8_t *row, uint8_t coef, size_t len)
{
  const uint8_t *t = c->gf_mul[coef];
  size_t i;
  for (i = 0; i < len; i++)
    row[i] = t[row[i]];
}

int rs8m_generator_row(struct rs8m_codec *codec, size_t k, size_t esi, uint8_t *row)
{
  if (codec == NULL || row == NULL || k == 0 || k > RS8M_MAX_N || esi >= RS8M_MAX_N)
    return RILL_EINVAL;
  if (esi < k) {
    memset(row, 0, k);
    row[esi] = 1;
    return RILL_OK;
  }
  set_k(codec, k);
  repair_row(codec, esi, row);
  return RILL_OK;
}

/* The ISA-L path suits this product (built in, not turned off, small
 * enough for the tables, symbols long enough to be worth it). */
static bool use_isal(const struct rs8m_codec *c, size_t rows, size_t inputs, size_t bytes)
{
#ifdef RILL_HAVE_ISAL
  return !c->portable && rows * inputs <= RS8M_ISAL_MAX_CELLS && bytes >= RS8M_ISAL_MIN_BYTES &&
         bytes <= INT32_MAX;
#else
  (void)c;
  (void)rows;
  (void)inputs;
  (void)bytes;
  return false;
#endif
}

/*
 * out[j] = sum over t of m[j * inputs + t] * in[t], for j < rows. `cached`:
 * the ISA-L tables already hold m (the encode block of isal_k, isal_r).
 * Returns true when it ran through ISA-L (the tables then hold m).
 */
static bool combine(struct rs8m_codec *c, size_t rows, size_t inputs, const uint8_t *m,
                    const uint8_t *const *in, uint8_t *const *out, size_t bytes, bool cached)
{
  size_t j, t;
#ifdef RILL_HAVE_ISAL
  if (use_isal(c, rows, inputs, bytes)) {
    if (!cached)
      ec_init_tables((int)inputs, (int)rows, (unsigned char *)(uintptr_t)m, c->isal_tables);
    ec_encode_data((int)bytes, (int)inputs, (int)rows, c->isal_tables,
                   (unsigned char **)(uintptr_t)in, (unsigned char **)(uintptr_t)out);
    return true;
  }
#else
  (void)cached;
#endif
  for (j = 0; j < rows; j++) {
    const uint8_t *row = m + j * inputs;
    mul_set(c, row[0], out[j], in[0], bytes);
    for (t = 1; t < inputs; t++)
      mul_add(c, row[t], out[j], in[t], bytes);
  }
  return false;
}

int rs8m_encode(struct rs8m_codec *codec, size_t k, size_t r, size_t symbol_bytes,
                const uint8_t *const *source, uint8_t *const *repair)
{
  bool cached;
  size_t i, c;

  if (codec == NULL || source == NULL || (repair == NULL && r > 0) || k == 0 ||
      k > RS8M_MAX_N || r > RS8M_MAX_N - k || symbol_bytes == 0)
    return RILL_EINVAL;
  for (c = 0; c < k; c++)
    if (source[c] == NULL)
      return RILL_EINVAL;
  for (i = 0; i < r; i++)
    if (repair[i] == NULL)
      return RILL_EINVAL;

  if (r == 0)
    return RILL_OK;
  set_k(codec, k);
  /* r x k <= 127 * 128 rows of G fit the scratch. */
  for (i = 0; i < r; i++)
    repair_row(codec, k + i, codec->matrix + i * k);
  cached = codec->isal_k == k && codec->isal_r == r;
  if (combine(codec, r, k, codec->matrix, source, repair, symbol_bytes, cached)) {
    codec->isal_k = k;
    codec->isal_r = r;
  }
  return RILL_OK;
}

/*
 * Gauss-Jordan on the e x w matrix (row stride w) over its first e columns.
 * Returns false if they are singular, which cannot happen for rows of an
 * MDS generator restricted to e columns, but is checked so that a bug can
 * only refuse to decode, never write wrong symbols.
 */
static bool eliminate(struct rs8m_codec *c, uint8_t *a, size_t e, size_t w)
{
  size_t p, q;

  for (p = 0; p < e; p++) {
    uint8_t *prow;
    for (q = p; q < e && a[q * w + p] == 0; q++)
      ;
    if (q == e)
      return false;
    if (q != p) {
      size_t j;
      for (j = 0; j < w; j++) {
        uint8_t t = a[p * w + j];
        a[p * w + j] = a[q * w + j];
        a[q * w + j] = t;
      }
    }
    prow = a + p * w;
    if (prow[p] != 1)
      row_scale(c, prow, c->gf_exp[255 - c->gf_log[prow[p]]], w);
    for (q = 0; q < e; q++) {
      uint8_t f = a[q * w + p];
      if (q != p && f != 0)
        mul_add(c, f, a + q * w, prow, w);
    }
  }
  return true;
}

int rs8m_decode(struct rs8m_codec *codec, size_t k, size_t n, size_t symbol_bytes,
                const uint8_t *const *symbols, uint8_t *const *restore, bool *restored)
{
  const uint8_t *inputs[RS8M_MAX_N];
  uint8_t *outputs[RS8M_MAX_N];
  size_t e = 0, used = 0, w, i, j, c;

  if (codec == NULL || symbols == NULL || k == 0 || n < k || symbol_bytes == 0)
    return RILL_EINVAL;
  if (n > RS8M_MAX_N)
    return RILL_EUNSUPPORTED;
  for (c = 0; c < k; c++) {
    if (symbols[c] != NULL)
      continue;
    if (restore == NULL || restore[c] == NULL)
      return RILL_EINVAL;
    codec->lost[e++] = (uint8_t)c;
  }
  if (restored != NULL)
    memset(restored, 0, k * sizeof(*restored));
  if (e == 0)
    return RILL_OK;
  for (i = k; i < n && used < e; i++)
    if (symbols[i] != NULL)
      codec->used[used++] = (uint8_t)i;
  if (used < e)
    return RILL_EUNRECOVERABLE;

  /*
   * Row i (repair used[i]): columns [0, e) its coefficients on the lost
   * symbols, [e, k) on the known sources in ESI order, [k, k + e) identity.
   */
  set_k(codec, k);
  w = k + e;
  memset(codec->matrix, 0, e * w);
  for (i = 0; i < e; i++) {
    uint8_t *row = codec->matrix + i * w;
    size_t lost_at = 0, known_at = e;
    repair_row(codec, codec->used[i], codec->coef);
    for (c = 0; c < k; c++) {
      if (lost_at < e && codec->lost[lost_at] == c)
        row[lost_at++] = codec->coef[c];
      else
        row[known_at++] = codec->coef[c];
    }
    row[k + i] = 1;
  }
  if (!eliminate(codec, codec->matrix, e, w))
    return RILL_EUNRECOVERABLE;

  /* Lost symbol j = sum of the right part of row j times the symbols at
   * hand: the known sources in ESI order, then the repairs used. The right
   * parts are compacted to an e x k matrix in place (row j moves from
   * j * w + e down to j * k, never past a row not yet moved). */
  for (c = 0, i = 0; c < k; c++)
    if (i < e && codec->lost[i] == c)
      i++;
    else
      inputs[c - i] = symbols[c];
  for (i = 0; i < e; i++) {
    inputs[k - e + i] = symbols[codec->used[i]];
    outputs[i] = restore[codec->lost[i]];
  }
  for (j = 0; j < e; j++)
    memmove(codec->matrix + j * k, codec->matrix + j * w + e, k);
  codec->isal_k = codec->isal_r = 0; /* the tables are about to hold this product */
  (void)combine(codec, e, k, codec->matrix, inputs, outputs, symbol_bytes, false);
  if (restored != NULL)
    for (j = 0; j < e; j++)
      restored[codec->lost[j]] = true;
  return RILL_OK;
}
