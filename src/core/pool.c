/*
 * Slab pool.
 *
 * Why slabs are binned by fullness. roc-toolkit's slab pool hands out the
 * first free object it finds, so live packets end up spread over every slab
 * and slabs "rarely become fully empty": after a burst, memory never comes
 * back. Here partially used slabs sit in POOL_BINS lists by fullness and an
 * allocation always takes from the fullest non-full slab (a bitmask of
 * non-empty bins makes the choice O(1)). New packets pile into the slabs that
 * are already busy while the emptiest slabs drain as their packets are
 * played, until they are empty and can be released.
 *
 * Hysteresis. A slab that becomes empty stays in the spare list; empty
 * slabs are given back only in pool_reclaim, which the owner calls on a
 * housekeeping period, keeping config.spare_slabs of them, and those only
 * until they have been empty for config.spare_max_age_ns by the owner's
 * clock (measured from the first reclaim that finds them empty), however
 * often reclaim runs. Between two reclaims a
 * load that swings between full and empty (a burst of packets read out in
 * one go) reuses its slabs instead of mapping and unmapping them every
 * swing; the reclaim period bounds how long unused memory stays held, and
 * the memory stays charged to the budget all the while. pool_trim gives
 * every empty slab back, spares included.
 *
 * Growth. A new slab holds as many objects as the pool already holds (so
 * capacity doubles), between min_slab_objects and max_slab_bytes. When the
 * budget refuses that size, smaller slabs are tried down to the minimum, so
 * the pool grows up to whatever the limiter allows.
 *
 * Wake-ups. The notify callback is a system call for the context (an
 * eventfd write), and pool_free runs on the real-time reader, so it must not
 * fire on every free. It fires only when the owner asked for it
 * (pool_want_notify: a paused socket waits for memory), once per request:
 * the owner sets `want_notify`, then looks at the return list; a freer
 * pushes, then takes the flag with an exchange. Both sides use sequentially
 * consistent order, so at least one of them sees the other: either the
 * owner finds the list non-empty and notifies itself, or the freer finds
 * the flag set and notifies, never neither.
 *
 * Fresh slabs are carved lazily (a bump index), so the pages of a large
 * mapped slab are touched only as objects are really used.
 */
#include "core/pool.h"

#include <rill/status.h>
#include <stdalign.h>
#include <stdbool.h>

#include "core/list.h"
#include "core/mem.h"
#include "core/sizemath.h"

#define POOL_BINS 8
#define POOL_ALIGN 16
#define POOL_DEFAULT_MIN_SLAB_OBJECTS 16
#define POOL_DEFAULT_MAX_SLAB_BYTES ((size_t)1 << 20)
/* A spare that stayed empty this long goes back too. */
#define POOL_DEFAULT_SPARE_MAX_AGE_NS INT64_C(1000000000)

enum { SLAB_FULL = -1, SLAB_EMPTY = -2 };

struct pool_slab;

/* Header in front of every object. */
struct pool_obj {
  struct pool_slab *slab;     /* borrowed: the slab holding this object */
  struct rill_limiter *scope; /* borrowed: charged scope, NULL if none */
};

/* Overlaid on the payload of a free object. */
struct pool_free_obj {
  struct pool_free_obj *next;
};

struct pool_slab {
  struct rill_list link;           /* in a bin or in the spare list; unlinked when full */
  struct rill_list all_link;       /* in rill_pool.all_slabs */
  struct rill_pool *pool;          /* borrowed */
  struct pool_free_obj *free_head; /* objects given back to this slab */
  size_t capacity;                 /* objects */
  size_t in_use;                   /* objects out of this slab */
  size_t fresh;                    /* objects [fresh, capacity) never handed out */
  size_t bytes;                    /* bytes asked of the arena */
  int bin;                         /* 0..POOL_BINS-1, SLAB_FULL or SLAB_EMPTY */
  int64_t empty_since_ns;          /* owner's clock at the first reclaim that found it a
                                      spare; 0: not seen by a reclaim yet */
};

struct rill_pool {
  const char *name;           /* borrowed */
  struct rill_arena *arena;   /* borrowed */
  struct rill_limiter *parent; /* borrowed: charged for the control struct */
  struct rill_limiter held;   /* owned: slab bytes not charged to a scope */
  size_t object_bytes;
  size_t stride;               /* header + payload, POOL_ALIGN multiple */
  size_t header_bytes;         /* slab header, POOL_ALIGN multiple */
  size_t min_slab_objects;
  size_t max_slab_objects;
  size_t spare_max;
  int64_t spare_max_age_ns;

  /* Owner-only state. */
  struct rill_list bins[POOL_BINS];
  unsigned bin_mask;           /* bit b set: bins[b] non-empty */
  struct rill_list spares;     /* empty slabs, newest first */
  struct rill_list all_slabs;  /* every slab, for pool_destroy */

  /* Cross-thread return list (Treiber stack; the owner takes it whole, so no ABA). */
  _Atomic(struct pool_free_obj *) returned;
  rill_pool_notify_cb notify;
  void *notify_ctx;
  atomic_bool want_notify;     /* set by the owner, taken by the freer that notifies */
  atomic_uint_least64_t notifies;

  /* Written by the owner only, read by anyone. */
  atomic_size_t slabs;
  atomic_size_t slab_bytes;
  atomic_size_t spare_count;
  atomic_size_t capacity_objects;
  atomic_size_t in_use_objects;
  atomic_uint_least64_t allocs;
  atomic_uint_least64_t refused_budget;
  atomic_uint_least64_t refused_scope;
  atomic_uint_least64_t refused_arena;
  atomic_uint_least64_t slabs_created;
  atomic_uint_least64_t slabs_released;
};

/* Single-writer counter update: a plain load and store, no locked RMW. */
#define OWNER_ADD(field, delta)                                                  \
  atomic_store_explicit(&(field),                                                \
                        atomic_load_explicit(&(field), memory_order_relaxed) + (delta), \
                        memory_order_relaxed)

static struct pool_obj *obj_header(void *payload)
{
  return (struct pool_obj *)(void *)((char *)payload - sizeof(struct pool_obj));
}

static void *obj_payload(struct pool_obj *obj)
{
  return (char *)obj + sizeof(struct pool_obj);
}

static struct pool_obj *slab_obj_at(struct pool_slab *slab, size_t index)
{
  struct rill_pool *pool = slab->pool;
  return (struct pool_obj *)(void *)((char *)slab + pool->header_bytes + index * pool->stride);
}

static void slab_link(struct rill_pool *pool, struct pool_slab *slab)
{
  int bin;
  if (slab->in_use == 0) {
    bin = SLAB_EMPTY;
    slab->empty_since_ns = 0;
    list_insert_head(&pool->spares, &slab->link);
    OWNER_ADD(pool->spare_count, 1);
  } else if (slab->in_use == slab->capacity) {
    bin = SLAB_FULL;
  } else {
    bin = (int)(slab->in_use * POOL_BINS / slab->capacity);
    list_insert_head(&pool->bins[bin], &slab->link);
    pool->bin_mask |= 1u << bin;
  }
  slab->bin = bin;
}

static void slab_unlink(struct rill_pool *pool, struct pool_slab *slab)
{
  if (slab->bin == SLAB_FULL)
    return;
  list_remove(&slab->link);
  if (slab->bin == SLAB_EMPTY) {
    OWNER_ADD(pool->spare_count, (size_t)-1);
  } else if (list_empty(&pool->bins[slab->bin])) {
    pool->bin_mask &= ~(1u << slab->bin);
  }
}

static int slab_bin_for(const struct pool_slab *slab)
{
  if (slab->in_use == 0)
    return SLAB_EMPTY;
  if (slab->in_use == slab->capacity)
    return SLAB_FULL;
  return (int)(slab->in_use * POOL_BINS / slab->capacity);
}

/* Re-file a slab after its in_use changed; O(1). */
static void slab_rebin(struct rill_pool *pool, struct pool_slab *slab)
{
  if (slab_bin_for(slab) == slab->bin)
    return;
  slab_unlink(pool, slab);
  slab_link(pool, slab);
}

static void slab_release(struct rill_pool *pool, struct pool_slab *slab)
{
  size_t bytes = slab->bytes;
  size_t charged = arena_round_bytes(bytes);
  OWNER_ADD(pool->slabs, (size_t)-1);
  OWNER_ADD(pool->slab_bytes, -charged);
  OWNER_ADD(pool->capacity_objects, -slab->capacity);
  OWNER_ADD(pool->slabs_released, 1);
  list_remove(&slab->all_link);
  arena_free(pool->arena, slab, bytes);
  limiter_release(&pool->held, charged);
}

/* Keep at most `keep` empty slabs; release the oldest beyond that. */
static void trim_spares(struct rill_pool *pool, size_t keep)
{
  while (atomic_load_explicit(&pool->spare_count, memory_order_relaxed) > keep) {
    struct pool_slab *slab =
        RILL_CONTAINER_OF(list_tail(&pool->spares), struct pool_slab, link);
    slab_unlink(pool, slab);
    slab_release(pool, slab);
  }
}

/* Try to map one slab of `objects` objects; NULL if the budget or the arena refuses. */
static struct pool_slab *slab_create(struct rill_pool *pool, size_t objects, bool *budget_refused)
{
  struct pool_slab *slab;
  size_t bytes, charged;

  /* Cannot overflow: objects * stride <= max_slab_bytes was checked at create. */
  bytes = pool->header_bytes + objects * pool->stride;
  charged = arena_round_bytes(bytes);
  if (!limiter_acquire(&pool->held, charged)) {
    *budget_refused = true;
    return NULL;
  }
  slab = arena_alloc(pool->arena, bytes);
  if (!slab) {
    limiter_release(&pool->held, charged);
    return NULL;
  }
  slab->pool = pool;
  slab->free_head = NULL;
  slab->capacity = objects;
  slab->in_use = 0;
  slab->fresh = 0;
  slab->bytes = bytes;
  slab->bin = SLAB_FULL; /* not linked yet */
  list_init(&slab->link);
  list_insert_head(&pool->all_slabs, &slab->all_link);
  OWNER_ADD(pool->slabs, 1);
  OWNER_ADD(pool->slab_bytes, charged);
  OWNER_ADD(pool->capacity_objects, objects);
  OWNER_ADD(pool->slabs_created, 1);
  return slab;
}

/* Add a slab, as large as the growth rule wants and the budget allows. */
static struct pool_slab *pool_grow(struct rill_pool *pool)
{
  size_t held = atomic_load_explicit(&pool->capacity_objects, memory_order_relaxed);
  size_t objects = held < pool->min_slab_objects ? pool->min_slab_objects : held;
  bool budget_refused = false;

  if (objects > pool->max_slab_objects)
    objects = pool->max_slab_objects;
  for (;;) {
    struct pool_slab *slab = slab_create(pool, objects, &budget_refused);
    if (slab) {
      slab_link(pool, slab);
      return slab;
    }
    if (!budget_refused) {
      OWNER_ADD(pool->refused_arena, 1);
      return NULL;
    }
    if (objects == pool->min_slab_objects) {
      OWNER_ADD(pool->refused_budget, 1);
      return NULL;
    }
    objects /= 2;
    if (objects < pool->min_slab_objects)
      objects = pool->min_slab_objects;
  }
}

/* Put an object back into its slab (owner). */
static void slab_put(struct rill_pool *pool, struct pool_obj *obj)
{
  struct pool_slab *slab = obj->slab;
  struct pool_free_obj *f = obj_payload(obj);
  f->next = slab->free_head;
  slab->free_head = f;
  slab->in_use--;
  OWNER_ADD(pool->in_use_objects, (size_t)-1);
  slab_rebin(pool, slab);
}

static void drain_returned(struct rill_pool *pool)
{
  struct pool_free_obj *f;
  if (!atomic_load_explicit(&pool->returned, memory_order_relaxed))
    return;
  f = atomic_exchange_explicit(&pool->returned, NULL, memory_order_acquire);
  while (f) {
    struct pool_free_obj *next = f->next;
    slab_put(pool, obj_header(f));
    f = next;
  }
}

/* The slab to allocate from: fullest partial, then a spare, then a new one. */
static struct pool_slab *pick_slab(struct rill_pool *pool)
{
  if (pool->bin_mask) {
    int bin = 31 - __builtin_clz(pool->bin_mask);
    return RILL_CONTAINER_OF(list_head(&pool->bins[bin]), struct pool_slab, link);
  }
  if (!list_empty(&pool->spares))
    return RILL_CONTAINER_OF(list_head(&pool->spares), struct pool_slab, link);
  return pool_grow(pool);
}

void *pool_alloc(struct rill_pool *pool, struct rill_limiter *scope)
{
  struct rill_limiter *stop = NULL;
  struct pool_slab *slab;
  struct pool_obj *obj;

  drain_returned(pool);

  /* Charge the scope first, so that a refused object costs no slab work. */
  if (scope) {
    stop = limiter_common_ancestor(&pool->held, scope);
    /* A scope outside the pool's limiter tree is refused: its charge could
     * not be moved to and from `held` exactly. */
    if (!stop || !limiter_acquire_below(scope, stop, pool->stride)) {
      OWNER_ADD(pool->refused_scope, 1);
      return NULL;
    }
  }
  slab = pick_slab(pool);
  if (!slab) {
    if (scope)
      limiter_release_below(scope, stop, pool->stride);
    return NULL;
  }
  if (slab->free_head) {
    struct pool_free_obj *f = slab->free_head;
    slab->free_head = f->next;
    obj = obj_header(f);
  } else {
    obj = slab_obj_at(slab, slab->fresh++);
    obj->slab = slab;
  }
  slab->in_use++;
  slab_rebin(pool, slab);
  if (scope)
    limiter_release_below(&pool->held, stop, pool->stride);
  obj->scope = scope;
  OWNER_ADD(pool->in_use_objects, 1);
  OWNER_ADD(pool->allocs, 1);
  return obj_payload(obj);
}

static void uncharge(struct rill_pool *pool, struct pool_obj *obj)
{
  if (obj->scope) {
    /* Moving into `held` cannot fail: held is unlimited and every level
     * above it is shared with the scope. */
    (void)limiter_move(obj->scope, &pool->held, pool->stride);
    obj->scope = NULL;
  }
}

static void fire_notify(struct rill_pool *pool)
{
  atomic_fetch_add_explicit(&pool->notifies, 1, memory_order_relaxed);
  if (pool->notify)
    pool->notify(pool->notify_ctx);
}

/* Take a pending notify request, if any (one taker wins), and answer it. */
static void answer_request(struct rill_pool *pool)
{
  if (atomic_load_explicit(&pool->want_notify, memory_order_seq_cst) &&
      atomic_exchange_explicit(&pool->want_notify, false, memory_order_seq_cst))
    fire_notify(pool);
}

void pool_free(void *payload)
{
  struct pool_obj *obj;
  struct rill_pool *pool;
  struct pool_free_obj *f = payload, *head;

  if (!payload)
    return;
  obj = obj_header(payload);
  pool = obj->slab->pool;
  uncharge(pool, obj);
  head = atomic_load_explicit(&pool->returned, memory_order_relaxed);
  do {
    f->next = head;
  } while (!atomic_compare_exchange_weak_explicit(&pool->returned, &head, f,
                                                  memory_order_seq_cst,
                                                  memory_order_relaxed));
  /* See "Wake-ups": only when the owner waits, and only one freer. */
  answer_request(pool);
}

void pool_cancel_notify(struct rill_pool *pool)
{
  atomic_store_explicit(&pool->want_notify, false, memory_order_seq_cst);
}

void pool_want_notify(struct rill_pool *pool)
{
  atomic_store_explicit(&pool->want_notify, true, memory_order_seq_cst);
  if (atomic_load_explicit(&pool->returned, memory_order_seq_cst))
    answer_request(pool);
}

void pool_free_owner(void *payload)
{
  struct pool_obj *obj;
  if (!payload)
    return;
  obj = obj_header(payload);
  uncharge(obj->slab->pool, obj);
  slab_put(obj->slab->pool, obj);
}

bool pool_recharge(void *payload, struct rill_limiter *scope)
{
  struct pool_obj *obj = obj_header(payload);
  struct rill_pool *pool = obj->slab->pool;
  struct rill_limiter *from = obj->scope ? obj->scope : &pool->held;
  struct rill_limiter *to = scope ? scope : &pool->held;
  if (!limiter_move(from, to, pool->stride))
    return false;
  obj->scope = scope;
  return true;
}

struct rill_limiter *pool_scope_of(void *payload)
{
  return obj_header(payload)->scope;
}

void pool_reclaim(struct rill_pool *pool, int64_t now_ns)
{
  struct rill_list *node;
  drain_returned(pool);
  trim_spares(pool, pool->spare_max);
  /* Spares age by the clock: one kept empty for spare_max_age_ns is
   * released too, so memory comes back after a burst even while a steady
   * stream keeps the pool busy, however often reclaim is called. */
  for (node = pool->spares.next; node != &pool->spares;) {
    struct pool_slab *slab = RILL_CONTAINER_OF(node, struct pool_slab, link);
    node = node->next;
    if (slab->empty_since_ns == 0) {
      slab->empty_since_ns = now_ns ? now_ns : 1;
    } else if (now_ns - slab->empty_since_ns >= pool->spare_max_age_ns) {
      slab_unlink(pool, slab);
      slab_release(pool, slab);
    }
  }
}

void pool_trim(struct rill_pool *pool)
{
  drain_returned(pool);
  trim_spares(pool, 0);
}

void pool_set_notify(struct rill_pool *pool, rill_pool_notify_cb cb, void *ctx)
{
  pool->notify = cb;
  pool->notify_ctx = ctx;
}

size_t pool_object_bytes(const struct rill_pool *pool)
{
  return pool->object_bytes;
}

const struct rill_limiter *pool_held_limiter(const struct rill_pool *pool)
{
  return &pool->held;
}

int pool_create(struct rill_arena *arena, struct rill_limiter *parent,
                const struct rill_pool_config *config, struct rill_pool **out)
{
  struct rill_pool *pool;
  size_t stride, header, max_bytes, max_objects, min_objects, min_bytes;
  int b, status;

  if (!out)
    return RILL_EINVAL;
  *out = NULL;
  if (!arena || !parent || !config || config->object_bytes == 0)
    return RILL_EINVAL;
  if (!size_add(config->object_bytes, sizeof(struct pool_obj), &stride) ||
      !size_align_up(stride, POOL_ALIGN, &stride))
    return RILL_EOVERFLOW;
  if (!size_align_up(sizeof(struct pool_slab), POOL_ALIGN, &header))
    return RILL_EOVERFLOW;
  min_objects = config->min_slab_objects ? config->min_slab_objects
                                         : POOL_DEFAULT_MIN_SLAB_OBJECTS;
  max_bytes = config->max_slab_bytes ? config->max_slab_bytes : POOL_DEFAULT_MAX_SLAB_BYTES;
  /* The largest slab must hold at least the smallest one. */
  if (!size_mul(min_objects, stride, &min_bytes) || !size_add(min_bytes, header, &min_bytes) ||
      arena_round_bytes(min_bytes) == 0)
    return RILL_EOVERFLOW;
  max_objects = max_bytes > header ? (max_bytes - header) / stride : 0;
  if (max_objects < min_objects)
    max_objects = min_objects;

  status = mem_alloc(arena, parent, sizeof(*pool), (void **)&pool);
  if (status != RILL_OK)
    return status;
  pool->name = config->name ? config->name : "pool";
  pool->arena = arena;
  pool->parent = parent;
  status = limiter_init(&pool->held, parent, LIMITER_UNLIMITED, pool->name);
  if (status != RILL_OK)
    goto err_free;
  pool->object_bytes = config->object_bytes;
  pool->stride = stride;
  pool->header_bytes = header;
  pool->min_slab_objects = min_objects;
  pool->max_slab_objects = max_objects;
  pool->spare_max = config->spare_slabs;
  pool->spare_max_age_ns =
      config->spare_max_age_ns > 0 ? config->spare_max_age_ns : POOL_DEFAULT_SPARE_MAX_AGE_NS;
  for (b = 0; b < POOL_BINS; b++)
    list_init(&pool->bins[b]);
  list_init(&pool->spares);
  list_init(&pool->all_slabs);
  atomic_init(&pool->returned, NULL);
  atomic_init(&pool->want_notify, false);
  atomic_init(&pool->notifies, 0);
  *out = pool;
  return RILL_OK;

err_free:
  mem_free(arena, parent, pool, sizeof(*pool));
  return status;
}

void pool_destroy(struct rill_pool *pool)
{
  if (!pool)
    return;
  drain_returned(pool);
  while (!list_empty(&pool->all_slabs)) {
    struct pool_slab *slab =
        RILL_CONTAINER_OF(list_head(&pool->all_slabs), struct pool_slab, all_link);
    slab_unlink(pool, slab);
    slab_release(pool, slab);
  }
  mem_free(pool->arena, pool->parent, pool, sizeof(*pool));
}

void pool_stats(const struct rill_pool *pool, struct rill_pool_stats *out)
{
#define LOAD(f) atomic_load_explicit(&pool->f, memory_order_relaxed)
  out->object_bytes = pool->object_bytes;
  out->stride_bytes = pool->stride;
  out->slabs = LOAD(slabs);
  out->slab_bytes = LOAD(slab_bytes);
  out->spare_slabs = LOAD(spare_count);
  out->capacity_objects = LOAD(capacity_objects);
  out->in_use_objects = LOAD(in_use_objects);
  out->allocs = LOAD(allocs);
  out->refused_budget = LOAD(refused_budget);
  out->refused_scope = LOAD(refused_scope);
  out->refused_arena = LOAD(refused_arena);
  out->slabs_created = LOAD(slabs_created);
  out->slabs_released = LOAD(slabs_released);
  out->notifies = LOAD(notifies);
#undef LOAD
}
