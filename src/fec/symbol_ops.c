/*
 * Many-source XOR (see symbol_ops.h).
 *
 * The symbol is cut into 128-byte tiles; a tile's accumulators stay in
 * registers while every source is XORed in, then the tile is stored once.
 * What is left after the last whole tile goes one vector, then one 64-bit
 * word, then one byte at a time. Loads and stores go through memcpy,
 * which compiles to plain unaligned vector moves: symbols have any alignment
 * and any length.
 *
 * With GCC or Clang the vectors are the compilers' generic vectors, which
 * -O2 turns into SIMD code without the auto-vectorizer: 16 bytes on the
 * baseline (SSE2 on x86-64, NEON on arm64, pairs of words where the target
 * has no SIMD). On x86-64 the loop is also built with 32-byte vectors for
 * AVX2, chosen per call from the CPU's features (libgcc's __cpu_model: one
 * load and test); no ifunc, so it works with any libc and keeps the
 * symbols hidden (GCC's target_clones makes its dispatcher a global symbol
 * whatever the visibility). Other compilers get 64-bit words.
 *
 * A vector of a width the target lacks lives on the stack (GCC splits it
 * through memory), hence one loop per vector type, written once as a macro.
 */
#include "fec/symbol_ops.h"

/* 128 bytes: eight SSE2 or NEON registers, four AVX2 ones. Measured on
 * LDPC 18 + 10, 896-byte symbols: 256-byte AVX2 tiles were 3 % slower,
 * 64-byte SSE2 tiles 30 % slower. */
#define XOR_TILE_BYTES 128

#if defined(__clang__)
#define XOR_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define XOR_UNROLL _Pragma("GCC unroll 8")
#else
#define XOR_UNROLL
#endif

#if defined(__GNUC__)
#define XOR_INLINE inline __attribute__((always_inline))
typedef uint64_t xor_vec16 __attribute__((vector_size(16)));
#else
#define XOR_INLINE inline
typedef uint64_t xor_vec16;
#endif

/* RILL_FEC_XOR_BASELINE: no AVX2 variant (tests/fec build the baseline
 * loop this way to test it on machines with AVX2). */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(RILL_FEC_XOR_BASELINE)
#define XOR_AVX2 1
typedef uint64_t xor_vec32 __attribute__((vector_size(32)));
#endif

/* dst[i..len) = (add ? dst : 0) ^ src[0] ^ ... ^ src[count - 1] (count >= 1
 * when add is false), one 64-bit word, then one byte at a time. */
static XOR_INLINE void xor_tail(uint8_t *dst, bool add, const uint8_t *const *src,
                                size_t count, size_t i, size_t len)
{
  const size_t first = add ? 0 : 1;
  size_t s;

  for (; i + 8 <= len; i += 8) {
    uint64_t acc, w;
    memcpy(&acc, add ? dst + i : src[0] + i, 8);
    for (s = first; s < count; s++) {
      memcpy(&w, src[s] + i, 8);
      acc ^= w;
    }
    memcpy(dst + i, &acc, 8);
  }
  for (; i < len; i++) {
    uint8_t acc = add ? dst[i] : src[0][i];
    for (s = first; s < count; s++)
      acc ^= src[s][i];
    dst[i] = acc;
  }
}

/* acc ^= the vector at p (any alignment). */
#define XOR_IN(VEC, acc, p)                                                                        \
  do {                                                                                             \
    VEC w_;                                                                                        \
    memcpy(&w_, (p), sizeof(w_));                                                                  \
    (acc) ^= w_;                                                                                   \
  } while (0)

/* static void NAME(dst, add, src, count, len): the whole sum with vectors of
 * type VEC, in tiles of XOR_TILE_BYTES. The tile loops are unrolled so that
 * the accumulators become registers. */
#define XOR_MANY_DEFINE(NAME, VEC)                                                                 \
  static XOR_INLINE void NAME(uint8_t *dst, bool add, const uint8_t *const *src, size_t count,    \
                              size_t len)                                                          \
  {                                                                                                \
    enum { NACC = XOR_TILE_BYTES / sizeof(VEC) };                                                  \
    const size_t vb = sizeof(VEC), first = add ? 0 : 1;                                            \
    size_t i = 0, s, t;                                                                            \
    for (; i + XOR_TILE_BYTES <= len; i += XOR_TILE_BYTES) {                                       \
      const uint8_t *from = add ? dst + i : src[0] + i;                                            \
      VEC a[NACC];                                                                                 \
      XOR_UNROLL for (t = 0; t < NACC; t++) memcpy(&a[t], from + t * vb, vb);                      \
      for (s = first; s < count; s++) {                                                            \
        const uint8_t *p = src[s] + i;                                                             \
        XOR_UNROLL for (t = 0; t < NACC; t++) XOR_IN(VEC, a[t], p + t * vb);                       \
      }                                                                                            \
      XOR_UNROLL for (t = 0; t < NACC; t++) memcpy(dst + i + t * vb, &a[t], vb);                   \
    }                                                                                              \
    for (; i + vb <= len; i += vb) {                                                               \
      VEC a0;                                                                                      \
      memcpy(&a0, add ? dst + i : src[0] + i, vb);                                                 \
      for (s = first; s < count; s++)                                                              \
        XOR_IN(VEC, a0, src[s] + i);                                                               \
      memcpy(dst + i, &a0, vb);                                                                    \
    }                                                                                              \
    xor_tail(dst, add, src, count, i, len);                                                        \
  }

XOR_MANY_DEFINE(xor_many, xor_vec16)

#ifdef XOR_AVX2
XOR_MANY_DEFINE(xor_many_avx2, xor_vec32)

__attribute__((target("avx2"))) static void xor_avx2(uint8_t *dst, bool add,
                                                    const uint8_t *const *src, size_t count,
                                                    size_t len)
{
  xor_many_avx2(dst, add, src, count, len);
}
#endif

static void xor_any(uint8_t *dst, bool add, const uint8_t *const *src, size_t count, size_t len)
{
#ifdef XOR_AVX2
  if (__builtin_cpu_supports("avx2")) {
    xor_avx2(dst, add, src, count, len);
    return;
  }
#endif
  xor_many(dst, add, src, count, len);
}

void fec_xor_sum(uint8_t *dst, const uint8_t *const *src, size_t count, size_t len)
{
  xor_any(dst, false, src, count, len);
}

void fec_xor_add(uint8_t *dst, const uint8_t *const *src, size_t count, size_t len)
{
  xor_any(dst, true, src, count, len);
}
