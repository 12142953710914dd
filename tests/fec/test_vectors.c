/*
 * rill's FEC against real roc-toolkit 0.4 traffic
 * (shared/vectors/roc-0.4/{rs8m_18_10,ldpc_18_10}/packets.jsonl).
 *
 * The vectors directory comes from, in order: argv[1], the environment
 * variable RILL_VECTORS_DIR, the compile definition RILL_VECTORS_DIR
 * (${PROJECT_SOURCE_DIR}/../shared/vectors/roc-0.4). A missing directory
 * fails the test: skipping would pass while checking nothing.
 *
 * Every datagram goes through rill's payload ID parsers; source symbols
 * (datagram minus footer) and repair symbols (datagram minus header) are
 * grouped by SBN. For every complete 18 + 10 block:
 *   - rill's encoder gives every repair symbol byte for byte;
 *   - rs8m: random patterns of 1..10 lost source packets (fixed seed) are
 *     restored bit-exactly, 11 lost are reported unrecoverable and nothing
 *     is written;
 *   - ldpc: every pattern of 1..3 lost source packets is restored (roc's
 *     own receiver was checked with 3); every pattern of 4..10 is
 *     measured, and whatever is reported restored is bit-exact while the
 *     rest is left untouched.
 *
 * Measured ldpc recovery (all 10 repair symbols received, N of the 18
 * source symbols lost, every pattern; the matrix depends only on k and r,
 * so this is a property of the 18 + 10 code, not of the data):
 *
 *    N lost   blocks fully restored   lost symbols restored
 *    1..3     100%                    100%
 *    4        99.9%  (3056/3060)      99.9%
 *    5        99.3%  (8512/8568)      99.5%
 *    6        97.9%  (18168/18564)    98.5%
 *    7        94.2%  (29990/31824)    96.4%
 *    8        86.0%  (37652/43758)    91.7%
 *    9        69.0%  (33546/48620)    82.1%
 *    10       38.2%  (16720/43758)    64.2%
 *    11, 12   0%                      38% / 19% (2000 random patterns)
 *
 * (rs8m: 100% up to 10, as any MDS code.)
 * Printed again by the test ("ldpc 18+10 ..." lines) so a change shows.
 */
#include <errno.h>
#include <rill/status.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fec/ldpc.h"
#include "fec/payload_id.h"
#include "fec/rs8m.h"
#include "test_util.h"
#include "vectors_jsonl.h"

#ifndef RILL_VECTORS_DIR
#define RILL_VECTORS_DIR ""
#endif

#define K 18
#define R 10
#define N (K + R)
#define MAX_BLOCKS 64
#define MAX_DATAGRAM 2048

static const char *vectors_dir;

struct datagram {
  bool repair;
  size_t len;
  uint8_t *data;
};

struct capture {
  struct datagram *items;
  size_t count;
};

struct block {
  uint32_t sbn;
  size_t k, n, symbol_bytes;
  const uint8_t *sym[N];
  size_t present;
};

struct blocks {
  struct block items[MAX_BLOCKS];
  size_t count;    /* blocks seen */
  size_t complete; /* of which complete, moved to the front */
};

/* xorshift64*: fixed-seed patterns, same on every platform. */
static uint64_t rng_state;

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

static void load_capture(const char *name, struct capture *cap)
{
  char path[4096];
  FILE *f;
  char *line = NULL;
  size_t line_cap = 0, lineno = 0;
  ssize_t got;

  snprintf(path, sizeof(path), "%s/%s/packets.jsonl", vectors_dir, name);
  f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
    fail_msg("roc vectors missing: %s", path);
  }
  memset(cap, 0, sizeof(*cap));
  while ((got = getline(&line, &line_cap, f)) > 0) {
    struct vector_datagram v = {false, 0, 0, NULL};
    struct datagram d;
    lineno++;
    if (got <= 1)
      continue;
    if (!vector_parse_line(line, MAX_DATAGRAM, &v)) {
      fprintf(stderr, "%s:%zu: unparsable line\n", path, lineno);
      fail();
    }
    d.repair = v.repair;
    d.len = v.len;
    d.data = v.data;
    cap->items = realloc(cap->items, (cap->count + 1) * sizeof(*cap->items));
    assert_non_null(cap->items);
    cap->items[cap->count++] = d;
  }
  free(line);
  fclose(f);
  assert_true(cap->count > 0);
}

static void free_capture(struct capture *cap)
{
  size_t i;
  for (i = 0; i < cap->count; i++)
    free(cap->items[i].data);
  free(cap->items);
}

static struct block *block_for(struct blocks *b, uint32_t sbn)
{
  size_t i;
  for (i = 0; i < b->count; i++)
    if (b->items[i].sbn == sbn)
      return &b->items[i];
  assert_true(b->count < MAX_BLOCKS);
  memset(&b->items[b->count], 0, sizeof(b->items[0]));
  b->items[b->count].sbn = sbn;
  return &b->items[b->count++];
}

/* Parse every datagram with rill's parsers and group symbols by SBN. */
static void group(enum fec_scheme scheme, const struct capture *cap, struct blocks *b)
{
  size_t i, j;

  memset(b, 0, sizeof(*b));
  for (i = 0; i < cap->count; i++) {
    const struct datagram *d = &cap->items[i];
    struct fec_payload_id id;
    struct block *blk;
    size_t offset = 0, bytes;
    if (d->repair) {
      assert_int_equal(fec_repair_id_parse(scheme, d->data, d->len, &id, &offset), RILL_OK);
      bytes = d->len - offset;
      if (scheme == FEC_SCHEME_LDPC)
        assert_int_equal(id.n, N);
      else
        assert_int_equal(id.n, FEC_RS8M_N);
    } else {
      assert_int_equal(fec_source_id_parse(scheme, d->data, d->len, &id, &bytes), RILL_OK);
    }
    assert_int_equal(id.k, K);
    assert_true(id.esi < N);
    blk = block_for(b, id.sbn);
    if (blk->symbol_bytes == 0)
      blk->symbol_bytes = bytes;
    assert_int_equal(blk->symbol_bytes, bytes);
    assert_null(blk->sym[id.esi]); /* no duplicates on loopback */
    blk->sym[id.esi] = d->data + offset;
    blk->k = K;
    blk->n = N;
    blk->present++;
  }
  /* Complete blocks first, in SBN order of arrival. */
  for (i = 0, j = 0; i < b->count; i++) {
    if (b->items[i].present == N) {
      struct block t = b->items[j];
      b->items[j] = b->items[i];
      b->items[i] = t;
      j++;
    }
  }
  b->complete = j;
}

static void vectors_dir_exists(void **state)
{
  struct stat st;
  (void)state;
  if (vectors_dir == NULL || vectors_dir[0] == '\0' || stat(vectors_dir, &st) != 0 ||
      !S_ISDIR(st.st_mode))
    fail_msg("roc vectors directory not found: '%s' (pass it as argv[1] or set "
             "RILL_VECTORS_DIR; CI needs shared/ beside the repository)",
             vectors_dir ? vectors_dir : "(null)");
}

/* ---- encoders ----------------------------------------------------------- */

typedef int (*encode_fn)(void *codec, size_t k, size_t r, size_t bytes,
                         const uint8_t *const *source, uint8_t *const *repair);

static int rs8m_encode_fn(void *codec, size_t k, size_t r, size_t bytes,
                          const uint8_t *const *source, uint8_t *const *repair)
{
  return rs8m_encode(codec, k, r, bytes, source, repair);
}

static int ldpc_encode_fn(void *codec, size_t k, size_t r, size_t bytes,
                          const uint8_t *const *source, uint8_t *const *repair)
{
  return ldpc_encode(codec, k, r, bytes, source, repair);
}

static void check_repair_symbols(const char *name, enum fec_scheme scheme, void *codec,
                                 encode_fn encode)
{
  struct capture cap;
  struct blocks *b = calloc(1, sizeof(*b));
  uint8_t *out = malloc((size_t)R * MAX_DATAGRAM);
  uint8_t *repair[R];
  size_t i, j, bytes_checked = 0;

  assert_non_null(b);
  assert_non_null(out);
  load_capture(name, &cap);
  group(scheme, &cap, b);
  /* 399 source packets = 22 full blocks + 3 of an unfinished one. */
  assert_int_equal(b->complete, 22);
  for (j = 0; j < R; j++)
    repair[j] = out + j * MAX_DATAGRAM;
  for (i = 0; i < b->complete; i++) {
    const struct block *blk = &b->items[i];
    memset(out, 0xa5, (size_t)R * MAX_DATAGRAM);
    assert_int_equal(encode(codec, K, R, blk->symbol_bytes, blk->sym, repair), RILL_OK);
    for (j = 0; j < R; j++) {
      if (memcmp(repair[j], blk->sym[K + j], blk->symbol_bytes) != 0)
        fail_msg("%s: SBN %u repair ESI %zu differs from roc's", name, (unsigned)blk->sbn,
                 K + j);
      bytes_checked += blk->symbol_bytes;
    }
  }
  printf("%s: %zu complete blocks, %zu repair symbols (%zu bytes) equal to roc's\n", name,
         b->complete, b->complete * R, bytes_checked);
  free_capture(&cap);
  free(out);
  free(b);
}

static void rs8m_encoder_matches_roc(void **state)
{
  struct rs8m_codec *codec = malloc(sizeof(*codec));
  (void)state;
  assert_non_null(codec);
  rs8m_codec_init(codec);
  check_repair_symbols("rs8m_18_10", FEC_SCHEME_RS8M, codec, rs8m_encode_fn);
  free(codec);
}

struct ldpc_fixture {
  struct ldpc_codec codec;
  void *mem;
};

static void ldpc_fixture_init(struct ldpc_fixture *f)
{
  size_t bytes;
  assert_int_equal(ldpc_workspace_bytes(K, R, &bytes), RILL_OK);
  f->mem = malloc(bytes);
  assert_non_null(f->mem);
  assert_int_equal(ldpc_codec_init(&f->codec, f->mem, bytes, K, R), RILL_OK);
}

static void ldpc_encoder_matches_roc(void **state)
{
  struct ldpc_fixture f;
  (void)state;
  ldpc_fixture_init(&f);
  check_repair_symbols("ldpc_18_10", FEC_SCHEME_LDPC, &f.codec, ldpc_encode_fn);
  free(f.mem);
}

/* ---- decoders ----------------------------------------------------------- */

/* Pick `drop` distinct source ESIs into lost[]. */
static void random_pattern(size_t drop, bool *lost)
{
  size_t d = 0;
  memset(lost, 0, K * sizeof(*lost));
  while (d < drop) {
    size_t c = rng_below(K);
    if (!lost[c]) {
      lost[c] = true;
      d++;
    }
  }
}

struct outcome {
  int rc;
  size_t restored;
};

#define SENTINEL 0x5c

/*
 * Decode `blk` without the sources in lost[], all repair symbols present;
 * rs8m is told n = n_pass. Asserts that every restored symbol equals the
 * original and every other output buffer is untouched.
 */
static struct outcome decode_without(enum fec_scheme scheme, void *codec,
                                     const struct block *blk, const bool *lost, size_t n_pass)
{
  const uint8_t *in[FEC_RS8M_N] = {0};
  static uint8_t outbuf[K][MAX_DATAGRAM];
  uint8_t *out[K];
  bool restored[K];
  struct outcome o = {0, 0};
  size_t c, i;

  for (i = 0; i < N; i++)
    in[i] = blk->sym[i];
  for (c = 0; c < K; c++) {
    out[c] = outbuf[c];
    memset(outbuf[c], SENTINEL, blk->symbol_bytes);
    if (lost[c])
      in[c] = NULL;
  }
  if (scheme == FEC_SCHEME_RS8M)
    o.rc = rs8m_decode(codec, K, n_pass, blk->symbol_bytes, in, out, restored);
  else
    o.rc = ldpc_decode(codec, K, N, blk->symbol_bytes, in, out, restored);
  for (c = 0; c < K; c++) {
    if (!lost[c]) {
      assert_false(restored[c]);
      continue;
    }
    if (restored[c]) {
      if (memcmp(out[c], blk->sym[c], blk->symbol_bytes) != 0)
        fail_msg("SBN %u ESI %zu restored wrong", (unsigned)blk->sbn, c);
      o.restored++;
    } else {
      for (i = 0; i < blk->symbol_bytes; i++)
        assert_int_equal(out[c][i], SENTINEL);
    }
  }
  return o;
}

static void rs8m_decoder_restores_roc_blocks(void **state)
{
  struct rs8m_codec *codec = malloc(sizeof(*codec));
  struct capture cap;
  struct blocks *b = calloc(1, sizeof(*b));
  bool lost[K];
  size_t i, drop, trial, patterns = 0;
  (void)state;

  assert_non_null(codec);
  assert_non_null(b);
  rs8m_codec_init(codec);
  load_capture("rs8m_18_10", &cap);
  group(FEC_SCHEME_RS8M, &cap, b);
  assert_int_equal(b->complete, 22);
  rng_state = 0x5eed;
  for (i = 0; i < b->complete; i++) {
    for (drop = 1; drop <= R; drop++) {
      for (trial = 0; trial < 20; trial++) {
        struct outcome o;
        /* n as a roc receiver sees it (255, no n on the wire) or k + r. */
        size_t n_pass = trial % 2 ? FEC_RS8M_N : N;
        random_pattern(drop, lost);
        o = decode_without(FEC_SCHEME_RS8M, codec, &b->items[i], lost, n_pass);
        assert_int_equal(o.rc, RILL_OK);
        assert_int_equal(o.restored, drop);
        patterns++;
      }
    }
    /* 11 lost: 17 symbols left for k = 18. */
    for (trial = 0; trial < 20; trial++) {
      struct outcome o;
      random_pattern(R + 1, lost);
      o = decode_without(FEC_SCHEME_RS8M, codec, &b->items[i], lost, N);
      assert_int_equal(o.rc, RILL_EUNRECOVERABLE);
      assert_int_equal(o.restored, 0);
    }
  }
  printf("rs8m 18+10: %zu patterns of 1..10 lost sources restored bit-exactly over %zu "
         "blocks; 11 lost: unrecoverable, nothing written\n",
         patterns, b->complete);
  free_capture(&cap);
  free(b);
  free(codec);
}

/* Next `drop`-subset of 0..K-1 in lexicographic order; false after the last. */
static bool next_combination(size_t *idx, size_t drop)
{
  size_t i = drop;
  while (i > 0) {
    i--;
    if (idx[i] < K - drop + i) {
      size_t j;
      idx[i]++;
      for (j = i + 1; j < drop; j++)
        idx[j] = idx[j - 1] + 1;
      return true;
    }
  }
  return false;
}

static void ldpc_decoder_restores_roc_blocks(void **state)
{
  struct ldpc_fixture f;
  struct capture cap;
  struct blocks *b = calloc(1, sizeof(*b));
  bool lost[K];
  size_t i, drop;
  (void)state;

  assert_non_null(b);
  ldpc_fixture_init(&f);
  load_capture("ldpc_18_10", &cap);
  group(FEC_SCHEME_LDPC, &cap, b);
  assert_int_equal(b->complete, 22);

  /*
   * Every pattern of 1..10 lost sources. 1..3: on every block, and all
   * must be restored. 4..10: pattern number p runs on block p mod 22 (the
   * matrix is the same for every block, so this measures the code while
   * still checking the bytes of every block); whatever is reported restored
   * must be bit-exact, the rest untouched.
   */
  for (drop = 1; drop <= R; drop++) {
    size_t idx[R], j, patterns = 0, full = 0, symbols = 0;
    for (i = 0; i < b->complete; i++) {
      if (drop > 3 && i > 0)
        break;
      for (j = 0; j < drop; j++)
        idx[j] = j;
      do {
        const struct block *blk = &b->items[drop > 3 ? patterns % b->complete : i];
        struct outcome o;
        memset(lost, 0, sizeof(lost));
        for (j = 0; j < drop; j++)
          lost[idx[j]] = true;
        o = decode_without(FEC_SCHEME_LDPC, &f.codec, blk, lost, N);
        if (o.rc == RILL_OK) {
          assert_int_equal(o.restored, drop);
          full++;
        } else {
          assert_int_equal(o.rc, RILL_EUNRECOVERABLE);
          assert_true(o.restored < drop);
          if (drop <= 3)
            fail_msg("ldpc: SBN %u, %zu lost not restored", (unsigned)blk->sbn, drop);
        }
        symbols += o.restored;
        patterns++;
      } while (next_combination(idx, drop));
    }
    printf("ldpc 18+10: %2zu lost: %6zu/%6zu patterns fully restored (%5.1f%%), %5.1f%% of "
           "lost symbols restored (exhaustive)\n",
           drop, full, patterns, 100.0 * (double)full / (double)patterns,
           100.0 * (double)symbols / (double)(patterns * drop));
  }

  /* 11 and 12 lost: never all restored, never wrong. */
  rng_state = 0x5eed;
  for (drop = R + 1; drop <= R + 2; drop++) {
    size_t trial, symbols = 0, trials = 2000;
    for (trial = 0; trial < trials; trial++) {
      struct outcome o;
      random_pattern(drop, lost);
      o = decode_without(FEC_SCHEME_LDPC, &f.codec, &b->items[trial % b->complete], lost, N);
      assert_int_equal(o.rc, RILL_EUNRECOVERABLE);
      assert_true(o.restored < drop);
      symbols += o.restored;
    }
    printf("ldpc 18+10: %2zu lost: 0 blocks fully restored, %5.1f%% of lost symbols restored "
           "(%zu random patterns)\n",
           drop, 100.0 * (double)symbols / (double)(trials * drop), trials);
  }
  free_capture(&cap);
  free(b);
  free(f.mem);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(vectors_dir_exists),
      cmocka_unit_test(rs8m_encoder_matches_roc),
      cmocka_unit_test(ldpc_encoder_matches_roc),
      cmocka_unit_test(rs8m_decoder_restores_roc_blocks),
      cmocka_unit_test(ldpc_decoder_restores_roc_blocks),
  };
  const char *env = getenv("RILL_VECTORS_DIR");

  if (argc > 1)
    vectors_dir = argv[1];
  else if (env != NULL && env[0] != '\0')
    vectors_dir = env;
  else
    vectors_dir = RILL_VECTORS_DIR;
  printf("roc vectors: %s\n", vectors_dir);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
