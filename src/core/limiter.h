/*
 * Memory limiter: a lock-free byte budget.
 *
 * A limiter counts bytes charged to it and refuses a charge that would take
 * it over its budget. Limiters nest: a limiter with a parent charges its
 * parent too, up to the root, and a charge succeeds only if every level has
 * room, so one call enforces the per-socket, per-session and global budgets
 * at once. No level is ever over its budget, even with many threads charging
 * at the same time: each level is updated with compare-and-swap, and a charge
 * refused at a higher level is rolled back from the lower ones.
 *
 * A budget of 0 is an error at init: "unlimited" is asked for explicitly with
 * LIMITER_UNLIMITED.
 *
 * Thread role: every function is lock-free and may be called from any role,
 * including the real-time one, except limiter_init (control role, before the
 * limiter is shared).
 */
#ifndef RILL_CORE_LIMITER_H
#define RILL_CORE_LIMITER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIMITER_UNLIMITED SIZE_MAX

struct rill_limiter {
  const char *name;            /* borrowed, static; for stats and logs */
  struct rill_limiter *parent; /* borrowed; NULL for a root */
  size_t budget_bytes;         /* fixed at init */
  unsigned depth;              /* 0 for a root */
  atomic_size_t used_bytes;
  atomic_size_t peak_bytes;
  atomic_uint_least64_t refused; /* charges this level refused */
};

struct rill_limiter_stats {
  size_t budget_bytes;
  size_t used_bytes;
  size_t peak_bytes;
  uint64_t refused;
};

/*
 * Initialise `lim` with a budget of `budget_bytes` (> 0, or
 * LIMITER_UNLIMITED) under `parent` (NULL for a root). `name` must outlive
 * the limiter. Returns RILL_OK or RILL_EINVAL (budget 0, NULL lim).
 */
int limiter_init(struct rill_limiter *lim, struct rill_limiter *parent,
                 size_t budget_bytes, const char *name);

/*
 * Charge `bytes` to `lim` and all its ancestors. Returns true if every level
 * had room; false (nothing charged, the refusing level's `refused` counted)
 * otherwise. Charging 0 bytes always succeeds.
 */
bool limiter_acquire(struct rill_limiter *lim, size_t bytes);

/* Return `bytes` previously charged with limiter_acquire to `lim` and its ancestors. */
void limiter_release(struct rill_limiter *lim, size_t bytes);

/*
 * Move a charge of `bytes` from `from` to `to`. Only the levels below their
 * nearest common ancestor change: the common ancestors keep counting the
 * same bytes, so moving never fails because of them. Returns false (nothing
 * changed, refusal counted) if a level on the `to` side has no room.
 * Either side may be NULL, meaning "not charged anywhere".
 */
bool limiter_move(struct rill_limiter *from, struct rill_limiter *to, size_t bytes);

/*
 * The nearest limiter that is `a` or an ancestor of `a` and also `b` or an
 * ancestor of `b`; NULL if they share no root (or either is NULL).
 */
struct rill_limiter *limiter_common_ancestor(struct rill_limiter *a, struct rill_limiter *b);

/*
 * Charge `lim` and its ancestors strictly below `stop` (NULL: up to the
 * root). All or nothing; false if a level refused. Together with
 * limiter_release_below this lets a caller move a charge in two steps with
 * work in between (see the slab pool).
 */
bool limiter_acquire_below(struct rill_limiter *lim, struct rill_limiter *stop, size_t bytes);

/* Release `lim` and its ancestors strictly below `stop` (NULL: up to the root). */
void limiter_release_below(struct rill_limiter *lim, struct rill_limiter *stop, size_t bytes);

/* A consistent-enough snapshot (each field read atomically). */
void limiter_stats(const struct rill_limiter *lim, struct rill_limiter_stats *out);

/* Reset the peak to the current usage (e.g. between benchmark phases). */
void limiter_reset_peak(struct rill_limiter *lim);

#endif /* RILL_CORE_LIMITER_H */
