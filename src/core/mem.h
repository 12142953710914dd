/*
 * Charged allocation: an arena block whose bytes are charged to a limiter.
 * Used for every control structure (pools, rings, later sessions), so that
 * nothing rill holds escapes the budget. Thread role: any.
 */
#ifndef RILL_CORE_MEM_H
#define RILL_CORE_MEM_H

#include <stddef.h>

#include "core/arena.h"
#include "core/limiter.h"

/*
 * Allocate `bytes` zero-filled bytes from `arena`, charged to `limiter`.
 * Returns RILL_OK and *out, RILL_EBUDGET (limiter refused), RILL_ENOMEM
 * (arena failed) or RILL_EOVERFLOW; *out is NULL on error.
 */
int mem_alloc(struct rill_arena *arena, struct rill_limiter *limiter, size_t bytes, void **out);

/* Free a block from mem_alloc with the same arena, limiter and size. NULL is ignored. */
void mem_free(struct rill_arena *arena, struct rill_limiter *limiter, void *ptr, size_t bytes);

#endif /* RILL_CORE_MEM_H */
