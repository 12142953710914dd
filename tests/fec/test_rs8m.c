/*
 * Reed-Solomon GF(2^8): the generator against a naive build of OpenFEC's
 * matrix (Vandermonde times the inverse of its top), random blocks with
 * random erasures up to r (always restored), more than r (refused, nothing
 * written), argument checks.
 */
#include <rill/status.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fec/rs8m.h"
#include "test_util.h"

static uint64_t rng_state = 0x8a5cd789635d2dffu;

static uint64_t rng_next(void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * UINT64_C(2685821657736338717);
}

static size_t rng_below(size_t n)
{
  return (size_t)(rng_next() % n);
}

/* ---- naive GF(2^8), independent of src/fec ------------------------------ */

static uint8_t gf_mul_slow(uint8_t a, uint8_t b)
{
  unsigned p = 0, x = a;
  while (b) {
    if (b & 1)
      p ^= x;
    x <<= 1;
    if (x & 0x100)
      x ^= 0x11d;
    b >>= 1;
  }
  return (uint8_t)p;
}

/* Products by shift-and-add, tabulated once so the naive matrix work is quick. */
static uint8_t mul_tab[256][256];

static void mul_tab_init(void)
{
  unsigned a, b;
  for (a = 0; a < 256; a++)
    for (b = 0; b < 256; b++)
      mul_tab[a][b] = gf_mul_slow((uint8_t)a, (uint8_t)b);
}

static uint8_t gf_pow_slow(uint8_t a, unsigned e)
{
  uint8_t r = 1;
  while (e--)
    r = mul_tab[r][a];
  return r;
}

static uint8_t gf_inv_slow(uint8_t a)
{
  unsigned b;
  for (b = 1; b < 256; b++)
    if (mul_tab[a][b] == 1)
      return (uint8_t)b;
  fail();
  return 0;
}

/*
 * inverse(V[0..k)) of OpenFEC's Vandermonde V (row 0 = [1, 0, ...], row
 * 1+t = [alpha^(t*c)]) into inv (k x k), by Gauss-Jordan on [V_top | I].
 */
static void naive_inverse_top(size_t k, uint8_t *inv)
{
  uint8_t *top = calloc(k * 2 * k, 1);
  size_t i, j, c;

  assert_non_null(top);
  for (i = 0; i < k; i++) {
    for (c = 0; c < k; c++)
      top[i * 2 * k + c] = i == 0 ? (c == 0) : gf_pow_slow(2, (unsigned)(((i - 1) * c) % 255));
    top[i * 2 * k + k + i] = 1;
  }
  for (c = 0; c < k; c++) {
    uint8_t f;
    for (i = c; i < k && top[i * 2 * k + c] == 0; i++)
      ;
    assert_true(i < k);
    for (j = 0; j < 2 * k; j++) {
      uint8_t t = top[c * 2 * k + j];
      top[c * 2 * k + j] = top[i * 2 * k + j];
      top[i * 2 * k + j] = t;
    }
    f = gf_inv_slow(top[c * 2 * k + c]);
    for (j = 0; j < 2 * k; j++)
      top[c * 2 * k + j] = mul_tab[top[c * 2 * k + j]][f];
    for (i = 0; i < k; i++) {
      f = top[i * 2 * k + c];
      if (i == c || f == 0)
        continue;
      for (j = 0; j < 2 * k; j++)
        top[i * 2 * k + j] ^= mul_tab[f][top[c * 2 * k + j]];
    }
  }
  for (i = 0; i < k; i++)
    memcpy(inv + i * k, top + i * 2 * k + k, k);
  free(top);
}

/* Row `esi` of G = V * inverse(V_top), the long way. */
static void naive_generator_row(size_t k, const uint8_t *inv, size_t esi, uint8_t *out)
{
  uint8_t vrow[255];
  size_t j, c;
  for (c = 0; c < k; c++)
    vrow[c] = esi == 0 ? (c == 0) : gf_pow_slow(2, (unsigned)(((esi - 1) * c) % 255));
  for (c = 0; c < k; c++) {
    uint8_t s = 0;
    for (j = 0; j < k; j++)
      s ^= mul_tab[vrow[j]][inv[j * k + c]];
    out[c] = s;
  }
}

static struct rs8m_codec *new_codec(void)
{
  struct rs8m_codec *c = malloc(sizeof(*c));
  assert_non_null(c);
  rs8m_codec_init(c);
  return c;
}

static void rs8m_generator_matches_naive_vandermonde(void **state)
{
  static const size_t ks[] = {1, 2, 3, 10, 18, 64, 127, 128, 200, 254, 255};
  struct rs8m_codec *codec = new_codec();
  uint8_t fast[255], slow[255], *inv = malloc(255 * 255);
  size_t i, esi;
  (void)state;

  assert_non_null(inv);
  mul_tab_init();
  for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
    size_t k = ks[i];
    naive_inverse_top(k, inv);
    for (esi = 0; esi < 255; esi += (esi < k + 12 ? 1 : 23)) {
      assert_int_equal(rs8m_generator_row(codec, k, esi, fast), RILL_OK);
      naive_generator_row(k, inv, esi, slow);
      if (memcmp(fast, slow, k) != 0)
        fail_msg("k %zu esi %zu: generator row differs", k, esi);
    }
  }
  assert_int_equal(rs8m_generator_row(codec, 0, 0, fast), RILL_EINVAL);
  assert_int_equal(rs8m_generator_row(codec, 256, 0, fast), RILL_EINVAL);
  assert_int_equal(rs8m_generator_row(codec, 18, 255, fast), RILL_EINVAL);
  assert_int_equal(rs8m_generator_row(codec, 18, 0, NULL), RILL_EINVAL);
  assert_int_equal(rs8m_generator_row(NULL, 18, 0, fast), RILL_EINVAL);
  free(inv);
  free(codec);
}

/* One block: k sources, r repairs, symbol_bytes each, in one allocation. */
struct block {
  size_t k, r, bytes;
  uint8_t *data;
  const uint8_t *sym[255];
  uint8_t *repair[255];
};

static void block_make(struct block *b, size_t k, size_t r, size_t bytes)
{
  size_t i;
  b->k = k;
  b->r = r;
  b->bytes = bytes;
  b->data = malloc((k + r) * bytes);
  assert_non_null(b->data);
  for (i = 0; i < k * bytes; i++)
    b->data[i] = (uint8_t)rng_next();
  for (i = 0; i < k + r; i++)
    b->sym[i] = b->data + i * bytes;
  for (i = 0; i < r; i++)
    b->repair[i] = b->data + (k + i) * bytes;
}

/*
 * Drop `lost` of the k + r symbols at random, decode, check. Returns the
 * decoder's status; restored sources must equal the originals and other
 * output buffers stay untouched.
 */
static int drop_and_decode(struct rs8m_codec *codec, const struct block *b, size_t lost,
                           size_t n_pass)
{
  const uint8_t *in[255] = {0};
  uint8_t *outmem = malloc(b->k * b->bytes), *out[255] = {0};
  bool restored[255], gone[255] = {0};
  size_t n = b->k + b->r, d = 0, i, c;
  int rc;

  assert_non_null(outmem);
  while (d < lost) {
    i = rng_below(n);
    if (!gone[i]) {
      gone[i] = true;
      d++;
    }
  }
  for (i = 0; i < n; i++)
    in[i] = gone[i] ? NULL : b->sym[i];
  memset(outmem, 0xc3, b->k * b->bytes);
  for (c = 0; c < b->k; c++)
    out[c] = outmem + c * b->bytes;
  rc = rs8m_decode(codec, b->k, n_pass, b->bytes, in, out, restored);
  for (c = 0; c < b->k; c++) {
    if (restored[c]) {
      assert_true(gone[c]);
      if (memcmp(out[c], b->sym[c], b->bytes) != 0)
        fail_msg("k %zu r %zu: ESI %zu restored wrong", b->k, b->r, c);
    } else {
      for (i = 0; i < b->bytes; i++)
        assert_int_equal(out[c][i], 0xc3);
    }
    if (rc == RILL_OK)
      assert_int_equal(restored[c], gone[c]);
  }
  free(outmem);
  return rc;
}

static void rs8m_restores_any_r_erasures(void **state)
{
  struct rs8m_codec *codec = new_codec();
  int iter;
  (void)state;

  for (iter = 0; iter < 400; iter++) {
    struct block b;
    /* Mostly audio-sized blocks, sometimes the extremes. */
    size_t k = iter % 8 == 0 ? 1 + rng_below(254) : 1 + rng_below(40);
    size_t r = 1 + rng_below(iter % 8 == 1 ? 255 - k : (255 - k < 20 ? 255 - k : 20));
    size_t bytes = 1 + rng_below(iter % 4 == 0 ? 1500 : 64);
    size_t lost, trial;

    block_make(&b, k, r, bytes);
    assert_int_equal(rs8m_encode(codec, k, r, bytes, b.sym, b.repair), RILL_OK);
    for (trial = 0; trial < 4; trial++) {
      lost = rng_below(r + 1);
      assert_int_equal(drop_and_decode(codec, &b, lost, trial % 2 ? 255 : k + r), RILL_OK);
    }
    /* Exactly r lost is the worst case that still decodes. */
    assert_int_equal(drop_and_decode(codec, &b, r, k + r), RILL_OK);
    free(b.data);
  }
  free(codec);
}

/* ISA-L (when built in) and the portable code give the same bytes: repair
 * symbols of random blocks, and the symbols restored from the same losses
 * (the worst case, r lost). Symbols of 64..1500 bytes and blocks within
 * ISA-L's table size, so the ISA-L path really runs. */
static void rs8m_isal_and_portable_agree_byte_for_byte(void **state)
{
  struct rs8m_codec *fast = new_codec(), *ref = new_codec();
  int iter;
  (void)state;
#ifdef RILL_HAVE_ISAL
  assert_true(rs8m_has_isal());
#endif
  print_message("rs8m fast path: %s\n", rs8m_has_isal() ? "ISA-L" : "portable (no ISA-L)");
  rs8m_codec_use_portable(ref, true);
  for (iter = 0; iter < 300; iter++) {
    size_t k = 1 + rng_below(iter % 10 == 0 ? 120 : 40);
    size_t r = 1 + rng_below(k > 40 ? 8 : 20), bytes = 64 + rng_below(1437), c, i;
    struct block b;
    uint8_t *rep2 = malloc(r * bytes), *rep2p[255], *o1 = malloc(k * bytes), *o2 = malloc(k * bytes);
    uint8_t *o1p[255] = {0}, *o2p[255] = {0};
    const uint8_t *in[255] = {0};
    bool gone[255] = {0}, r1[255], r2[255];
    size_t d = 0;
    assert_non_null(rep2);
    assert_non_null(o1);
    assert_non_null(o2);
    block_make(&b, k, r, bytes);
    for (i = 0; i < r; i++)
      rep2p[i] = rep2 + i * bytes;
    assert_int_equal(rs8m_encode(fast, k, r, bytes, b.sym, b.repair), RILL_OK);
    assert_int_equal(rs8m_encode(ref, k, r, bytes, b.sym, rep2p), RILL_OK);
    if (memcmp(b.data + k * bytes, rep2, r * bytes) != 0)
      fail_msg("k %zu r %zu bytes %zu: repair symbols differ", k, r, bytes);
    while (d < r) {
      i = rng_below(k + r);
      if (!gone[i]) {
        gone[i] = true;
        d++;
      }
    }
    for (i = 0; i < k + r; i++)
      in[i] = gone[i] ? NULL : b.sym[i];
    for (c = 0; c < k; c++) {
      o1p[c] = o1 + c * bytes;
      o2p[c] = o2 + c * bytes;
    }
    assert_int_equal(rs8m_decode(fast, k, k + r, bytes, in, o1p, r1), RILL_OK);
    assert_int_equal(rs8m_decode(ref, k, k + r, bytes, in, o2p, r2), RILL_OK);
    for (c = 0; c < k; c++) {
      assert_int_equal(r1[c], gone[c]);
      assert_int_equal(r2[c], gone[c]);
      if (gone[c] && (memcmp(o1p[c], b.sym[c], bytes) != 0 || memcmp(o2p[c], b.sym[c], bytes) != 0))
        fail_msg("k %zu r %zu bytes %zu: ESI %zu restored differently", k, r, bytes, c);
    }
    free(rep2);
    free(o1);
    free(o2);
    free(b.data);
  }
  free(fast);
  free(ref);
}

static void rs8m_more_than_r_erasures_write_nothing(void **state)
{
  struct rs8m_codec *codec = new_codec();
  int iter;
  (void)state;

  for (iter = 0; iter < 200; iter++) {
    struct block b;
    size_t k = 1 + rng_below(60), r = 1 + rng_below(30);
    size_t lost = r + 1 + rng_below(k);
    int rc;
    block_make(&b, k, r, 1 + rng_below(100));
    assert_int_equal(rs8m_encode(codec, k, r, b.bytes, b.sym, b.repair), RILL_OK);
    rc = drop_and_decode(codec, &b, lost, k + r);
    /* More than r lost: at least one source among them, fewer than k left. */
    assert_int_equal(rc, RILL_EUNRECOVERABLE);
    free(b.data);
  }
  free(codec);
}

static void rs8m_full_block_255(void **state)
{
  struct rs8m_codec *codec = new_codec();
  struct block b;
  (void)state;
  /* k = 128, r = 127: the largest decoder scratch (e = 127). */
  block_make(&b, 128, 127, 33);
  assert_int_equal(rs8m_encode(codec, 128, 127, 33, b.sym, b.repair), RILL_OK);
  assert_int_equal(drop_and_decode(codec, &b, 127, 255), RILL_OK);
  free(b.data);
  block_make(&b, 127, 128, 33);
  assert_int_equal(rs8m_encode(codec, 127, 128, 33, b.sym, b.repair), RILL_OK);
  assert_int_equal(drop_and_decode(codec, &b, 128, 255), RILL_OK);
  free(b.data);
  /* k = 255: no repair, nothing lost. */
  block_make(&b, 255, 0, 3);
  assert_int_equal(rs8m_encode(codec, 255, 0, 3, b.sym, NULL), RILL_OK);
  assert_int_equal(drop_and_decode(codec, &b, 0, 255), RILL_OK);
  free(b.data);
  free(codec);
}

static void rs8m_rejects_bad_arguments(void **state)
{
  struct rs8m_codec *codec = new_codec();
  uint8_t s0[4] = {1, 2, 3, 4}, s1[4] = {5, 6, 7, 8}, rep[4], out[4] = {9, 9, 9, 9};
  const uint8_t *src[2] = {s0, s1};
  const uint8_t *with_null[2] = {s0, NULL};
  uint8_t *repair[1] = {rep}, *outs[2] = {out, out}, *no_out[2] = {NULL, NULL};
  const uint8_t *in[3] = {s0, NULL, rep};
  bool restored[2] = {true, true};
  (void)state;

  assert_int_equal(rs8m_encode(NULL, 2, 1, 4, src, repair), RILL_EINVAL);
  assert_int_equal(rs8m_encode(codec, 0, 1, 4, src, repair), RILL_EINVAL);
  assert_int_equal(rs8m_encode(codec, 2, 254, 4, src, repair), RILL_EINVAL);
  assert_int_equal(rs8m_encode(codec, 256, 0, 4, src, repair), RILL_EINVAL);
  assert_int_equal(rs8m_encode(codec, 2, 1, 0, src, repair), RILL_EINVAL);
  assert_int_equal(rs8m_encode(codec, 2, 1, 4, NULL, repair), RILL_EINVAL);
  assert_int_equal(rs8m_encode(codec, 2, 1, 4, src, NULL), RILL_EINVAL);
  assert_int_equal(rs8m_encode(codec, 2, 1, 4, with_null, repair), RILL_EINVAL);
  assert_int_equal(rs8m_encode(codec, 2, 1, 4, src, repair), RILL_OK);

  assert_int_equal(rs8m_decode(NULL, 2, 3, 4, in, outs, restored), RILL_EINVAL);
  assert_int_equal(rs8m_decode(codec, 0, 3, 4, in, outs, restored), RILL_EINVAL);
  assert_int_equal(rs8m_decode(codec, 2, 1, 4, in, outs, restored), RILL_EINVAL); /* n < k */
  assert_int_equal(rs8m_decode(codec, 2, 256, 4, in, outs, restored), RILL_EUNSUPPORTED);
  assert_int_equal(rs8m_decode(codec, 2, 3, 0, in, outs, restored), RILL_EINVAL);
  assert_int_equal(rs8m_decode(codec, 2, 3, 4, NULL, outs, restored), RILL_EINVAL);
  assert_int_equal(rs8m_decode(codec, 2, 3, 4, in, NULL, restored), RILL_EINVAL);
  assert_int_equal(rs8m_decode(codec, 2, 3, 4, in, no_out, restored), RILL_EINVAL);
  /* Nothing written on error, restored[] included. */
  assert_memory_equal(out, ((const uint8_t[]){9, 9, 9, 9}), 4);
  assert_true(restored[0] && restored[1]);

  assert_int_equal(rs8m_decode(codec, 2, 3, 4, in, outs, restored), RILL_OK);
  assert_memory_equal(out, s1, 4);
  assert_false(restored[0]);
  assert_true(restored[1]);
  /* restored may be NULL; nothing lost needs no output buffers. */
  in[1] = s1;
  assert_int_equal(rs8m_decode(codec, 2, 3, 4, in, NULL, NULL), RILL_OK);
  free(codec);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rs8m_generator_matches_naive_vandermonde),
      cmocka_unit_test(rs8m_restores_any_r_erasures),
      cmocka_unit_test(rs8m_isal_and_portable_agree_byte_for_byte),
      cmocka_unit_test(rs8m_more_than_r_erasures_write_nothing),
      cmocka_unit_test(rs8m_full_block_255),
      cmocka_unit_test(rs8m_rejects_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
