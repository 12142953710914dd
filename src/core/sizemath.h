/*
 * Overflow-checked size arithmetic. Every size computed from a count or from
 * configuration goes through these, so a huge value is an error, not a wrap.
 */
#ifndef RILL_CORE_SIZEMATH_H
#define RILL_CORE_SIZEMATH_H

#include <stdbool.h>
#include <stddef.h>

/* *out = a + b; false on overflow (then *out is unspecified). */
static inline bool size_add(size_t a, size_t b, size_t *out)
{
  return !__builtin_add_overflow(a, b, out);
}

/* *out = a * b; false on overflow. */
static inline bool size_mul(size_t a, size_t b, size_t *out)
{
  return !__builtin_mul_overflow(a, b, out);
}

/* *out = x rounded up to a multiple of align (a power of two); false on overflow. */
static inline bool size_align_up(size_t x, size_t align, size_t *out)
{
  size_t t;
  if (!size_add(x, align - 1, &t))
    return false;
  *out = t & ~(align - 1);
  return true;
}

static inline bool size_is_pow2(size_t x)
{
  return x != 0 && (x & (x - 1)) == 0;
}

#endif /* RILL_CORE_SIZEMATH_H */
