/*
 * LDPC-Staircase: the 18 + 10 matrix roc uses (known answer), matrix shape
 * for random (k, r), the encoder satisfies every parity check, and the
 * decoder restores exactly the lost source symbols that the received ones
 * determine, checked against a plain dense GF(2) elimination written here,
 * and never writes anything else. Argument and workspace checks.
 */
#include <rill/status.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fec/ldpc.h"
#include "test_util.h"

#define MAX_K 120
#define MAX_R 80
#define MAX_N (MAX_K + MAX_R)

static uint64_t rng_state = 0x2545f4914f6cdd1du;

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

struct fixture {
  struct ldpc_codec codec;
  void *mem;
};

static void fixture_init(struct fixture *f, size_t max_k, size_t max_r)
{
  size_t bytes;
  assert_int_equal(ldpc_workspace_bytes(max_k, max_r, &bytes), RILL_OK);
  f->mem = malloc(bytes);
  assert_non_null(f->mem);
  assert_int_equal(ldpc_codec_init(&f->codec, f->mem, bytes, max_k, max_r), RILL_OK);
}

static int cmp_u16(const void *a, const void *b)
{
  return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Source columns of row `row`, sorted, into out[]; returns the count. */
static size_t sorted_row(struct ldpc_codec *c, size_t k, size_t r, size_t row, uint16_t *out)
{
  const uint16_t *cols;
  size_t count;
  assert_int_equal(ldpc_matrix_row(c, k, r, row, &cols, &count), RILL_OK);
  memcpy(out, cols, count * sizeof(*out));
  qsort(out, count, sizeof(*out), cmp_u16);
  return count;
}

/* Rows of H for k = 18, r = 10, N1 = 7, seed 1297501556: the matrix whose
 * repair symbols equal roc's in shared/vectors/roc-0.4/ldpc_18_10. */
static const uint16_t roc_18_10[10][15] = {
    {1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 15, 16},
    {0, 4, 5, 7, 9, 10, 11, 12, 14, 15, 16, 17},
    {0, 1, 2, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 17},
    {1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15},
    {0, 1, 2, 3, 4, 7, 9, 10, 12, 13, 15, 16, 17},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 17},
    {3, 6, 7, 8, 10, 12, 13, 14, 15, 16, 17},
    {0, 1, 4, 5, 6, 7, 8, 11, 13, 14, 15, 17},
    {0, 1, 2, 3, 5, 6, 8, 10, 12, 14, 16, 17},
    {0, 2, 3, 4, 6, 9, 10, 11, 13, 14, 15, 16},
};
static const size_t roc_18_10_len[10] = {13, 12, 14, 13, 13, 14, 11, 12, 12, 12};

static void ldpc_matrix_18_10_is_rocs(void **state)
{
  struct fixture f;
  uint16_t row[MAX_K];
  size_t i, count;
  (void)state;

  fixture_init(&f, MAX_K, MAX_R);
  for (i = 0; i < 10; i++) {
    count = sorted_row(&f.codec, 18, 10, i, row);
    assert_int_equal(count, roc_18_10_len[i]);
    assert_memory_equal(row, roc_18_10[i], count * sizeof(row[0]));
  }
  /* k = 3, r = 9: rows short of two entries get extras from the PRNG. */
  {
    static const uint16_t expect[9][3] = {{1, 2},    {0, 1, 2}, {0, 1, 2}, {0, 2}, {1, 2},
                                          {0, 1, 2}, {0, 2},    {0, 1},    {0, 1}};
    static const size_t len[9] = {2, 3, 3, 2, 2, 3, 2, 2, 2};
    for (i = 0; i < 9; i++) {
      count = sorted_row(&f.codec, 3, 9, i, row);
      assert_int_equal(count, len[i]);
      assert_memory_equal(row, expect[i], count * sizeof(row[0]));
    }
  }
  free(f.mem);
}

static void ldpc_matrix_shape(void **state)
{
  struct fixture f;
  uint16_t row[MAX_K], first[MAX_R][MAX_K];
  size_t first_len[MAX_R];
  int iter;
  (void)state;

  fixture_init(&f, MAX_K, MAX_R);
  for (iter = 0; iter < 300; iter++) {
    size_t k = 1 + rng_below(MAX_K), r = LDPC_MIN_R + rng_below(MAX_R - LDPC_MIN_R + 1);
    size_t col_count[MAX_K] = {0}, entries = 0, i, j;

    for (i = 0; i < r; i++) {
      size_t count = sorted_row(&f.codec, k, r, i, row);
      assert_true(count >= (k > 1 ? 2u : 1u));
      for (j = 0; j < count; j++) {
        assert_true(row[j] < k);
        if (j > 0)
          assert_true(row[j] > row[j - 1]); /* no duplicate entries */
        col_count[row[j]]++;
      }
      entries += count;
      memcpy(first[i], row, count * sizeof(row[0]));
      first_len[i] = count;
    }
    /* N1 per column from the main loop, plus at most two extras per row. */
    for (j = 0; j < k; j++)
      assert_true(col_count[j] >= FEC_LDPC_N1);
    assert_true(entries >= FEC_LDPC_N1 * k && entries <= FEC_LDPC_N1 * k + 2 * r);
    /* Rebuilding after another (k, r) gives the same matrix. */
    (void)sorted_row(&f.codec, k == 1 ? 2 : 1, r, 0, row);
    for (i = 0; i < r; i++) {
      size_t count = sorted_row(&f.codec, k, r, i, row);
      assert_int_equal(count, first_len[i]);
      assert_memory_equal(row, first[i], count * sizeof(row[0]));
    }
  }
  free(f.mem);
}

struct block {
  size_t k, r, bytes;
  uint8_t *data;
  const uint8_t *sym[MAX_N];
  uint8_t *repair[MAX_R];
};

static void block_make(struct fixture *f, struct block *b, size_t k, size_t r, size_t bytes)
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
  assert_int_equal(ldpc_encode(&f->codec, k, r, bytes, b->sym, b->repair), RILL_OK);
}

/* Full row i of H as ESIs: sources, repair k+i, repair k+i-1. */
static size_t full_row(struct fixture *f, const struct block *b, size_t i, uint16_t *out)
{
  size_t count = sorted_row(&f->codec, b->k, b->r, i, out);
  out[count++] = (uint16_t)(b->k + i);
  if (i > 0)
    out[count++] = (uint16_t)(b->k + i - 1);
  return count;
}

static void ldpc_encoder_satisfies_every_check(void **state)
{
  struct fixture f;
  uint16_t row[MAX_N];
  int iter;
  (void)state;

  fixture_init(&f, MAX_K, MAX_R);
  for (iter = 0; iter < 200; iter++) {
    struct block b;
    size_t k = 1 + rng_below(MAX_K), r = LDPC_MIN_R + rng_below(MAX_R - LDPC_MIN_R + 1);
    size_t i, j, x;
    block_make(&f, &b, k, r, 1 + rng_below(200));
    for (i = 0; i < r; i++) {
      size_t count = full_row(&f, &b, i, row);
      for (x = 0; x < b.bytes; x++) {
        uint8_t sum = 0;
        for (j = 0; j < count; j++)
          sum ^= b.sym[row[j]][x];
        assert_int_equal(sum, 0);
      }
    }
    free(b.data);
  }
  free(f.mem);
}

/*
 * Which lost symbols the received ones determine, by dense Gauss-Jordan
 * over GF(2) on H restricted to the lost columns: u is determined iff its
 * unit vector is in the row space, i.e. the reduced row with pivot u has no
 * other bit.
 */
static void determined_by_dense_elimination(struct fixture *f, const struct block *b,
                                            const bool *gone, bool *determined)
{
  static uint8_t m[MAX_R][MAX_N];
  uint16_t row[MAX_N];
  size_t n = b->k + b->r, rank = 0, col, i, j;
  size_t pivot_row_of[MAX_N];

  memset(m, 0, sizeof(m));
  for (i = 0; i < b->r; i++) {
    size_t count = full_row(f, b, i, row);
    for (j = 0; j < count; j++)
      if (gone[row[j]])
        m[i][row[j]] = 1;
  }
  for (col = 0; col < n; col++) {
    size_t p;
    pivot_row_of[col] = SIZE_MAX;
    if (!gone[col])
      continue;
    for (p = rank; p < b->r && !m[p][col]; p++)
      ;
    if (p == b->r)
      continue;
    for (j = 0; j < n; j++) {
      uint8_t t = m[p][j];
      m[p][j] = m[rank][j];
      m[rank][j] = t;
    }
    for (i = 0; i < b->r; i++)
      if (i != rank && m[i][col])
        for (j = 0; j < n; j++)
          m[i][j] ^= m[rank][j];
    pivot_row_of[col] = rank++;
  }
  for (col = 0; col < n; col++) {
    size_t ones = 0;
    determined[col] = false;
    if (pivot_row_of[col] == SIZE_MAX)
      continue;
    for (j = 0; j < n; j++)
      ones += m[pivot_row_of[col]][j];
    determined[col] = ones == 1;
  }
}

static void ldpc_restores_exactly_what_is_determined(void **state)
{
  struct fixture f;
  size_t patterns = 0, full = 0, partial = 0, none = 0;
  int iter;
  (void)state;

  fixture_init(&f, MAX_K, MAX_R);
  for (iter = 0; iter < 300; iter++) {
    struct block b;
    size_t k = 1 + rng_below(iter % 3 ? 40 : MAX_K);
    size_t r = LDPC_MIN_R + rng_below((iter % 3 ? 20 : MAX_R) - LDPC_MIN_R + 1);
    size_t trial;
    uint8_t *outmem;

    block_make(&f, &b, k, r, 1 + rng_below(iter % 5 ? 64 : 900));
    outmem = malloc(k * b.bytes);
    assert_non_null(outmem);
    for (trial = 0; trial < 8; trial++) {
      const uint8_t *in[MAX_N];
      uint8_t *out[MAX_K];
      bool gone[MAX_N] = {0}, determined[MAX_N], restored[MAX_K];
      size_t n = k + r, lost = rng_below(trial < 6 ? r + 1 : n + 1), d = 0, c, x, lost_src = 0;
      size_t got = 0, expect = 0;
      int rc;

      while (d < lost) {
        size_t i = rng_below(n);
        if (!gone[i]) {
          gone[i] = true;
          d++;
        }
      }
      for (c = 0; c < n; c++)
        in[c] = gone[c] ? NULL : b.sym[c];
      memset(outmem, 0x3c, k * b.bytes);
      for (c = 0; c < k; c++)
        out[c] = outmem + c * b.bytes;
      rc = ldpc_decode(&f.codec, k, n, b.bytes, in, out, restored);
      determined_by_dense_elimination(&f, &b, gone, determined);
      for (c = 0; c < k; c++) {
        if (!gone[c]) {
          assert_false(restored[c]);
          continue;
        }
        lost_src++;
        if (restored[c] != determined[c])
          fail_msg("k %zu r %zu: ESI %zu restored %d, determined %d", k, r, c, restored[c],
                   determined[c]);
        if (restored[c]) {
          got++;
          if (memcmp(out[c], b.sym[c], b.bytes) != 0)
            fail_msg("k %zu r %zu: ESI %zu restored wrong", k, r, c);
        } else {
          for (x = 0; x < b.bytes; x++)
            assert_int_equal(out[c][x], 0x3c);
        }
        expect++;
      }
      assert_int_equal(rc, got == expect ? RILL_OK : RILL_EUNRECOVERABLE);
      if (lost_src > 0) {
        patterns++;
        if (got == expect)
          full++;
        else if (got > 0)
          partial++;
        else
          none++;
      }
    }
    free(outmem);
    free(b.data);
  }
  print_message("ldpc random blocks: %zu patterns with lost sources: %zu fully, %zu partly, "
                "%zu not restored\n",
                patterns, full, partial, none);
  /* The sweep must exercise all three outcomes. */
  assert_true(full > 0 && partial > 0 && none > 0);
  free(f.mem);
}

static void ldpc_workspace_and_limits(void **state)
{
  struct fixture f;
  struct ldpc_codec codec;
  size_t bytes, small;
  uint8_t *mem;
  (void)state;

  assert_int_equal(ldpc_workspace_bytes(0, 10, &bytes), RILL_EINVAL);
  assert_int_equal(ldpc_workspace_bytes(18, 6, &bytes), RILL_EINVAL);
  assert_int_equal(ldpc_workspace_bytes(65535, 7, &bytes), RILL_EINVAL);
  assert_int_equal(ldpc_workspace_bytes(18, 10, NULL), RILL_EINVAL);
  assert_int_equal(ldpc_workspace_bytes(65528, 7, &bytes), RILL_OK);
  assert_int_equal(ldpc_workspace_bytes(18, 10, &small), RILL_OK);
  print_message("ldpc workspace: 18+10 %zu bytes, 255+255 ", small);
  assert_int_equal(ldpc_workspace_bytes(255, 255, &bytes), RILL_OK);
  print_message("%zu bytes\n", bytes);

  /* Too small, then exactly enough at an odd address. */
  mem = malloc(small + 1);
  assert_non_null(mem);
  assert_int_equal(ldpc_codec_init(&codec, mem + 1, small - 1, 18, 10), RILL_ENOSPC);
  assert_int_equal(ldpc_codec_init(&codec, NULL, small, 18, 10), RILL_EINVAL);
  assert_int_equal(ldpc_codec_init(NULL, mem, small, 18, 10), RILL_EINVAL);
  assert_int_equal(ldpc_codec_init(&codec, mem + 1, small, 18, 6), RILL_EINVAL);
  assert_int_equal(ldpc_codec_init(&codec, mem + 1, small, 18, 10), RILL_OK);
  {
    struct block b;
    struct fixture tmp = {codec, NULL};
    block_make(&tmp, &b, 18, 10, 7);
    free(b.data);
  }
  free(mem);

  fixture_init(&f, 20, 12);
  {
    uint8_t s[30][4] = {{0}}, out0[4] = {7, 7, 7, 7};
    const uint8_t *src[30], *in[40] = {0};
    uint8_t *rep[30], *outs[30] = {out0};
    bool restored[30];
    size_t i;
    for (i = 0; i < 30; i++) {
      src[i] = s[i];
      rep[i] = s[i];
    }
    assert_int_equal(ldpc_encode(&f.codec, 21, 10, 4, src, rep), RILL_EUNSUPPORTED);
    assert_int_equal(ldpc_encode(&f.codec, 10, 13, 4, src, rep), RILL_EUNSUPPORTED);
    assert_int_equal(ldpc_encode(&f.codec, 10, 6, 4, src, rep), RILL_EINVAL);
    assert_int_equal(ldpc_encode(&f.codec, 0, 10, 4, src, rep), RILL_EINVAL);
    assert_int_equal(ldpc_encode(&f.codec, 10, 10, 0, src, rep), RILL_EINVAL);
    assert_int_equal(ldpc_encode(NULL, 10, 10, 4, src, rep), RILL_EINVAL);
    assert_int_equal(ldpc_encode(&f.codec, 10, 10, 4, NULL, rep), RILL_EINVAL);
    assert_int_equal(ldpc_encode(&f.codec, 10, 10, 4, src, NULL), RILL_EINVAL);

    for (i = 1; i < 20; i++)
      in[i] = s[i];
    assert_int_equal(ldpc_decode(&f.codec, 21, 31, 4, in, outs, restored), RILL_EUNSUPPORTED);
    assert_int_equal(ldpc_decode(&f.codec, 10, 23, 4, in, outs, restored), RILL_EUNSUPPORTED);
    assert_int_equal(ldpc_decode(&f.codec, 10, 16, 4, in, outs, restored), RILL_EINVAL);
    assert_int_equal(ldpc_decode(&f.codec, 10, 9, 4, in, outs, restored), RILL_EINVAL);
    assert_int_equal(ldpc_decode(&f.codec, 0, 9, 4, in, outs, restored), RILL_EINVAL);
    assert_int_equal(ldpc_decode(&f.codec, 10, 20, 0, in, outs, restored), RILL_EINVAL);
    assert_int_equal(ldpc_decode(&f.codec, 10, 20, 4, NULL, outs, restored), RILL_EINVAL);
    assert_int_equal(ldpc_decode(&f.codec, 10, 20, 4, in, NULL, restored), RILL_EINVAL);
    assert_int_equal(ldpc_decode(NULL, 10, 20, 4, in, outs, restored), RILL_EINVAL);
    assert_memory_equal(out0, ((const uint8_t[]){7, 7, 7, 7}), 4);
    /* Source 0 lost; with all-zero symbols it comes back as zeros. */
    assert_int_equal(ldpc_decode(&f.codec, 10, 20, 4, in, outs, NULL), RILL_OK);
    assert_memory_equal(out0, ((const uint8_t[]){0, 0, 0, 0}), 4);
    /* Nothing lost: no output buffers needed. */
    in[0] = s[0];
    assert_int_equal(ldpc_decode(&f.codec, 10, 20, 4, in, NULL, restored), RILL_OK);
  }
  free(f.mem);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ldpc_matrix_18_10_is_rocs),
      cmocka_unit_test(ldpc_matrix_shape),
      cmocka_unit_test(ldpc_encoder_satisfies_every_check),
      cmocka_unit_test(ldpc_restores_exactly_what_is_determined),
      cmocka_unit_test(ldpc_workspace_and_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
