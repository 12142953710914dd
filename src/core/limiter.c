/*
 * Memory limiter: nested lock-free byte budgets.
 *
 * Each level is charged with a CAS loop that checks used + bytes <= budget
 * before publishing, so no level can be over budget at any instant, whatever
 * the interleaving. A multi-level charge goes bottom-up; if a level refuses,
 * the levels already charged are released again. The price of that rollback
 * is that a charge may be refused because of another charge that is about to
 * be rolled back: refusals are conservative, over-commit is impossible.
 */
#include "core/limiter.h"

#include <rill/status.h>

int limiter_init(struct rill_limiter *lim, struct rill_limiter *parent,
                 size_t budget_bytes, const char *name)
{
  if (!lim || budget_bytes == 0)
    return RILL_EINVAL;
  lim->name = name ? name : "";
  lim->parent = parent;
  lim->budget_bytes = budget_bytes;
  lim->depth = parent ? parent->depth + 1 : 0;
  atomic_init(&lim->used_bytes, 0);
  atomic_init(&lim->peak_bytes, 0);
  atomic_init(&lim->refused, 0);
  return RILL_OK;
}

static void note_peak(struct rill_limiter *lim, size_t used)
{
  size_t peak = atomic_load_explicit(&lim->peak_bytes, memory_order_relaxed);
  while (used > peak &&
         !atomic_compare_exchange_weak_explicit(&lim->peak_bytes, &peak, used,
                                                memory_order_relaxed,
                                                memory_order_relaxed)) {
  }
}

static bool charge_one(struct rill_limiter *lim, size_t bytes)
{
  size_t used = atomic_load_explicit(&lim->used_bytes, memory_order_relaxed);
  size_t next;
  do {
    if (bytes > lim->budget_bytes - used) {
      atomic_fetch_add_explicit(&lim->refused, 1, memory_order_relaxed);
      return false;
    }
    next = used + bytes;
  } while (!atomic_compare_exchange_weak_explicit(&lim->used_bytes, &used, next,
                                                  memory_order_acq_rel,
                                                  memory_order_relaxed));
  note_peak(lim, next);
  return true;
}

void limiter_release_below(struct rill_limiter *lim, struct rill_limiter *stop, size_t bytes)
{
  for (; lim != stop; lim = lim->parent)
    atomic_fetch_sub_explicit(&lim->used_bytes, bytes, memory_order_acq_rel);
}

bool limiter_acquire_below(struct rill_limiter *lim, struct rill_limiter *stop, size_t bytes)
{
  struct rill_limiter *l;
  if (bytes == 0)
    return true;
  for (l = lim; l != stop; l = l->parent) {
    if (!charge_one(l, bytes)) {
      limiter_release_below(lim, l, bytes);
      return false;
    }
  }
  return true;
}

bool limiter_acquire(struct rill_limiter *lim, size_t bytes)
{
  if (bytes == 0)
    return true;
  return limiter_acquire_below(lim, NULL, bytes);
}

void limiter_release(struct rill_limiter *lim, size_t bytes)
{
  if (bytes == 0)
    return;
  limiter_release_below(lim, NULL, bytes);
}

struct rill_limiter *limiter_common_ancestor(struct rill_limiter *a, struct rill_limiter *b)
{
  if (!a || !b)
    return NULL;
  while (a->depth > b->depth)
    a = a->parent;
  while (b->depth > a->depth)
    b = b->parent;
  while (a != b) {
    a = a->parent;
    b = b->parent;
  }
  return a;
}

bool limiter_move(struct rill_limiter *from, struct rill_limiter *to, size_t bytes)
{
  struct rill_limiter *stop = limiter_common_ancestor(from, to);
  if (bytes == 0 || from == to)
    return true;
  if (to && !limiter_acquire_below(to, stop, bytes))
    return false;
  if (from)
    limiter_release_below(from, stop, bytes);
  return true;
}

void limiter_stats(const struct rill_limiter *lim, struct rill_limiter_stats *out)
{
  out->budget_bytes = lim->budget_bytes;
  out->used_bytes = atomic_load_explicit(&lim->used_bytes, memory_order_relaxed);
  out->peak_bytes = atomic_load_explicit(&lim->peak_bytes, memory_order_relaxed);
  out->refused = atomic_load_explicit(&lim->refused, memory_order_relaxed);
}

void limiter_reset_peak(struct rill_limiter *lim)
{
  atomic_store_explicit(&lim->peak_bytes,
                        atomic_load_explicit(&lim->used_bytes, memory_order_relaxed),
                        memory_order_relaxed);
}
