/*
 * Slab pool of fixed-size objects behind a memory limiter.
 *
 * Memory model. A pool owns a private limiter, `held`, whose parent is the
 * limiter given at creation (normally the context's global budget). Every
 * slab's bytes are charged to `held` and so to the global budget when the
 * slab is created, and released when it goes back to the arena: the global
 * limiter therefore counts the real memory the pool holds. An object can
 * additionally be charged to a scope limiter (a socket or a session) that
 * descends from the same parent: allocation moves the object's bytes from
 * `held` to the scope, freeing moves them back. The global level never
 * changes for such a move, so one pool_alloc call enforces the scope's
 * budget, its ancestors' budgets and (when a slab must be added) the
 * global budget.
 *
 * Threads. One thread role allocates (the owner: the network thread for
 * packet pools); any thread may free. pool_free never takes a lock: it
 * pushes the object on a lock-free return list, which the owner drains on
 * its next allocation or in pool_reclaim. An owner that stopped allocating
 * (a socket paused for want of memory) asks to be told when memory comes
 * back (pool_want_notify); the next pool_free then runs the notify callback,
 * once. Frees that nobody waits for notify nobody, so the real-time reader
 * makes no system call for them.
 *
 * All functions are O(1) except pool_reclaim, pool_trim and pool_destroy,
 * which are linear in returned objects and slabs held.
 */
#ifndef RILL_CORE_POOL_H
#define RILL_CORE_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/limiter.h"

struct rill_pool;

/* Called on the freeing thread; must be async-signal-like: quick, non-blocking. */
typedef void (*rill_pool_notify_cb)(void *ctx);

struct rill_pool_config {
  const char *name;        /* borrowed, must outlive the pool */
  size_t object_bytes;     /* usable bytes per object, > 0 */
  size_t min_slab_objects; /* objects in the first slab; 0: 16 */
  size_t max_slab_bytes;   /* cap on one slab's bytes; 0: 1 MiB */
  size_t spare_slabs;      /* empty slabs pool_reclaim keeps for reuse; 0 keeps none */
  int64_t spare_max_age_ns; /* a spare empty this long goes back too; 0: 1 s */
};

struct rill_pool_stats {
  size_t object_bytes;     /* usable bytes per object */
  size_t stride_bytes;     /* bytes each object occupies, header included */
  size_t slabs;            /* slabs held */
  size_t slab_bytes;       /* bytes held in slabs (what the global limiter counts) */
  size_t spare_slabs;      /* of which empty and kept */
  size_t capacity_objects; /* objects the held slabs can hold */
  size_t in_use_objects;   /* allocated and not yet reclaimed by the owner */
  uint64_t allocs;         /* successful allocations */
  uint64_t refused_budget; /* no slab could be added: global budget */
  uint64_t refused_scope;  /* the scope limiter refused the object */
  uint64_t refused_arena;  /* the system allocator failed */
  uint64_t slabs_created;
  uint64_t slabs_released;
  uint64_t notifies;       /* notify callbacks run */
};

/*
 * Create a pool. Its control structure is charged to `parent`, and so are
 * its slabs later (through its `held` limiter). `parent` and `arena` are
 * borrowed and must outlive the pool.
 * Returns RILL_OK, RILL_EINVAL (bad config), RILL_EOVERFLOW (object size too
 * large), RILL_EBUDGET or RILL_ENOMEM.
 * Thread role: control.
 */
int pool_create(struct rill_arena *arena, struct rill_limiter *parent,
                const struct rill_pool_config *config, struct rill_pool **out);

/*
 * Free every slab and the pool. All objects must have been freed.
 * Thread role: control (the owner must no longer use it).
 */
void pool_destroy(struct rill_pool *pool);

/*
 * Allocate one object of config.object_bytes bytes, 16-byte aligned, charged
 * to `scope` (NULL: charged to the pool only). `scope` must descend from
 * the pool's parent limiter. Returns NULL when the scope's budget, the
 * global budget or the system allocator refuses; each cause is counted.
 * Thread role: the pool's owner.
 */
void *pool_alloc(struct rill_pool *pool, struct rill_limiter *scope);

/*
 * Return an object. Never blocks, never takes a lock; its scope charge is
 * released at once, its memory is reclaimed by the owner later.
 * Thread role: any.
 */
void pool_free(void *obj);

/*
 * Return an object from the owner thread, without the return list.
 * Thread role: the pool's owner.
 */
void pool_free_owner(void *obj);

/*
 * Move an object's charge to another scope (NULL: the pool only). Returns
 * false, changing nothing, if `scope` has no room. Thread role: whoever holds
 * the object exclusively.
 */
bool pool_recharge(void *obj, struct rill_limiter *scope);

/* The scope an object is charged to (NULL: the pool only). Thread role: its holder. */
struct rill_limiter *pool_scope_of(void *obj);

/*
 * Take back objects freed by other threads, then give the arena every empty
 * slab beyond config.spare_slabs, and the spares that have been empty for
 * config.spare_max_age_ns at `now_ns` (the owner's monotonic clock; a
 * spare's age starts at the first reclaim that finds it empty, so how often
 * this is called does not change how long spares live). Empty slabs are
 * released only here (and in pool_trim). Thread role: the pool's owner.
 */
void pool_reclaim(struct rill_pool *pool, int64_t now_ns);

/*
 * pool_reclaim, then give every empty slab back, spares included (for a
 * receiver going idle). Thread role: the pool's owner.
 */
void pool_trim(struct rill_pool *pool);

/*
 * Set the callback that tells the owner memory came back (see
 * pool_want_notify). Thread role: control, before the pool is shared.
 */
void pool_set_notify(struct rill_pool *pool, rill_pool_notify_cb cb, void *ctx);

/*
 * Ask for one notify callback when memory comes back: the next pool_free
 * runs it on the freeing thread, or this call runs it at once (on the
 * owner) if objects were already returned and not yet taken back. One
 * request, one callback; frees with no request pending run nothing.
 * Thread role: the pool's owner.
 */
void pool_want_notify(struct rill_pool *pool);

/* Withdraw a pending request (the owner no longer waits: it resumed by
 * itself), so that no later free runs the callback for nothing.
 * Thread role: the pool's owner. */
void pool_cancel_notify(struct rill_pool *pool);

/* Usable bytes of each object. Thread role: any. */
size_t pool_object_bytes(const struct rill_pool *pool);

/* The limiter that counts this pool's slabs (child of its parent). Thread role: any. */
const struct rill_limiter *pool_held_limiter(const struct rill_pool *pool);

/* Snapshot of the counters. Thread role: any (each field read atomically). */
void pool_stats(const struct rill_pool *pool, struct rill_pool_stats *out);

#endif /* RILL_CORE_POOL_H */
