/*
 * FEC symbol XOR: fec_xor_sum, fec_xor_add, fec_xor and fec_xor_batch
 * against a plain byte loop, for every length that ends a vector tile in a
 * different place (1..67, around 128, roc's 896 and its neighbours), with
 * destination and sources at every offset from 8-byte alignment, and
 * nothing written outside the destination.
 *
 * Built twice: fec_symbol_ops tests the library's code as the CPU runs it
 * (AVX2 where it has it), fec_symbol_ops_baseline compiles
 * src/fec/symbol_ops.c with RILL_FEC_XOR_BASELINE (the 16-byte loop).
 */
#include <stdbool.h>
#include <string.h>

#include "fec/symbol_ops.h"
#include "test_util.h"

#define MAX_LEN 1024
#define SLACK 16 /* bytes before and after each buffer: offsets and guards */
#define MAX_SOURCES 70 /* more than two batches */
#define GUARD 0xa5

static uint64_t rng_state = 0x853c49e6748fea9bu;

static uint64_t rng_next(void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * UINT64_C(2685821657736338717);
}

static const size_t lengths[] = {1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  11,  12,  13,
                                 14,  15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25,  26,
                                 27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,
                                 40,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,
                                 53,  54,  55,  56,  57,  58,  59,  60,  61,  62,  63,  64,  65,
                                 66,  67,  127, 128, 129, 160, 161, 895, 896, 897, 1000};

static uint8_t src_mem[MAX_SOURCES][MAX_LEN + 2 * SLACK];
static uint8_t dst_mem[MAX_LEN + 2 * SLACK];
static uint8_t want[MAX_LEN];

static void fill_sources(void)
{
  size_t s, i;
  for (s = 0; s < MAX_SOURCES; s++)
    for (i = 0; i < sizeof(src_mem[s]); i++)
      src_mem[s][i] = (uint8_t)rng_next();
}

/* Sources at offsets 0..7 from alignment, varying with the source and `seed`. */
static void pick_sources(const uint8_t **src, size_t count, size_t seed)
{
  size_t s;
  for (s = 0; s < count; s++)
    src[s] = src_mem[s] + SLACK + (seed + 3 * s) % 8;
}

/* want = (dst's old bytes if add) ^ every source, one byte at a time. */
static void reference(const uint8_t *dst, bool add, const uint8_t *const *src, size_t count,
                      size_t len)
{
  size_t i, s;
  for (i = 0; i < len; i++) {
    uint8_t acc = add ? dst[i] : 0;
    for (s = 0; s < count; s++)
      acc ^= src[s][i];
    want[i] = acc;
  }
}

/* dst inside dst_mem at `offset`, random bytes, guard bytes around it. */
static uint8_t *fresh_dst(size_t offset, size_t len)
{
  uint8_t *dst = dst_mem + SLACK + offset;
  size_t i;
  memset(dst_mem, GUARD, sizeof(dst_mem));
  for (i = 0; i < len; i++)
    dst[i] = (uint8_t)rng_next();
  return dst;
}

static void check_dst(const uint8_t *dst, size_t len)
{
  const uint8_t *end = dst_mem + sizeof(dst_mem);
  const uint8_t *p;
  assert_memory_equal(dst, want, len);
  for (p = dst_mem; p < dst; p++)
    assert_int_equal(*p, GUARD);
  for (p = dst + len; p < end; p++)
    assert_int_equal(*p, GUARD);
}

static void fec_xor_sum_and_add_match_byte_loop(void **state)
{
  static const size_t counts[] = {1, 2, 3, 4, 7, 16, MAX_SOURCES};
  const uint8_t *src[MAX_SOURCES];
  size_t li, ci, offset;
  (void)state;

  fill_sources();
  for (li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
    size_t len = lengths[li];
    for (ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
      size_t count = counts[ci];
      for (offset = 0; offset < 8; offset++) {
        uint8_t *dst;
        pick_sources(src, count, offset + len);

        dst = fresh_dst(offset, len);
        reference(dst, false, src, count, len);
        fec_xor_sum(dst, src, count, len);
        check_dst(dst, len);

        dst = fresh_dst(offset, len);
        reference(dst, true, src, count, len);
        fec_xor_add(dst, src, count, len);
        check_dst(dst, len);
      }
    }
  }
}

static void fec_xor_matches_byte_loop(void **state)
{
  const uint8_t *src[1];
  size_t li, offset;
  (void)state;

  fill_sources();
  for (li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
    size_t len = lengths[li];
    for (offset = 0; offset < 8; offset++) {
      uint8_t *dst = fresh_dst(offset, len);
      pick_sources(src, 1, offset * 5 + 1);
      reference(dst, true, src, 1, len);
      fec_xor(dst, src[0], len);
      check_dst(dst, len);
    }
  }
}

/* Any number of sources through a batch, more than one batch holds among
 * them, the same source more than once, and none at all (zeros). */
static void fec_xor_batch_sums_every_source(void **state)
{
  static const size_t counts[] = {0,  1,  2,  FEC_XOR_BATCH - 1, FEC_XOR_BATCH, FEC_XOR_BATCH + 1,
                                  2 * FEC_XOR_BATCH, MAX_SOURCES};
  const uint8_t *src[MAX_SOURCES];
  size_t li, ci;
  (void)state;

  fill_sources();
  for (li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
    size_t len = lengths[li];
    for (ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
      size_t count = counts[ci], s;
      struct fec_xor_batch sum;
      uint8_t *dst = fresh_dst(len % 8, len);

      pick_sources(src, count, len);
      if (count > 2)
        src[count - 1] = src[0]; /* a repeated source cancels out */
      reference(dst, false, src, count, len);
      fec_xor_batch_begin(&sum, dst, len);
      for (s = 0; s < count; s++)
        fec_xor_batch_push(&sum, src[s]);
      fec_xor_batch_end(&sum);
      check_dst(dst, len);
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fec_xor_sum_and_add_match_byte_loop),
      cmocka_unit_test(fec_xor_matches_byte_loop),
      cmocka_unit_test(fec_xor_batch_sums_every_source),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
