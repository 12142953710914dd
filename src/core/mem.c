/*
 * Charged allocation: the limiter is charged with what the arena really
 * occupies (arena_round_bytes), before the arena is asked, and released if
 * the arena fails.
 */
#include "core/mem.h"

#include <rill/status.h>

int mem_alloc(struct rill_arena *arena, struct rill_limiter *limiter, size_t bytes, void **out)
{
  size_t charged = arena_round_bytes(bytes);
  void *p;

  *out = NULL;
  if (bytes == 0)
    return RILL_EINVAL;
  if (charged == 0)
    return RILL_EOVERFLOW;
  if (!limiter_acquire(limiter, charged))
    return RILL_EBUDGET;
  p = arena_calloc(arena, bytes);
  if (!p) {
    limiter_release(limiter, charged);
    return RILL_ENOMEM;
  }
  *out = p;
  return RILL_OK;
}

void mem_free(struct rill_arena *arena, struct rill_limiter *limiter, void *ptr, size_t bytes)
{
  if (!ptr)
    return;
  arena_free(arena, ptr, bytes);
  limiter_release(limiter, arena_round_bytes(bytes));
}
