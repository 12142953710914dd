/*
 * Reference-counted buffers. The count uses acquire/release ordering so that
 * the thread dropping the last reference sees every write made by the others
 * before it frees the memory.
 */
#include "core/buffer.h"

#include "core/sizemath.h"

size_t buffer_object_bytes(size_t capacity_bytes)
{
  size_t bytes;
  if (capacity_bytes > UINT32_MAX ||
      !size_add(sizeof(struct rill_buffer), capacity_bytes, &bytes))
    return 0;
  return bytes;
}

struct rill_buffer *buffer_alloc(struct rill_pool *pool, struct rill_limiter *scope)
{
  struct rill_buffer *buf = pool_alloc(pool, scope);
  size_t cap;
  if (!buf)
    return NULL;
  cap = pool_object_bytes(pool) - sizeof(*buf);
  atomic_init(&buf->refs, 1);
  buf->capacity_bytes = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
  buf->len_bytes = 0;
  buf->reserved = 0;
  return buf;
}

void buffer_ref(struct rill_buffer *buf)
{
  atomic_fetch_add_explicit(&buf->refs, 1, memory_order_relaxed);
}

void buffer_unref(struct rill_buffer *buf)
{
  if (!buf)
    return;
  if (atomic_fetch_sub_explicit(&buf->refs, 1, memory_order_acq_rel) == 1)
    pool_free(buf);
}

unsigned buffer_refs(const struct rill_buffer *buf)
{
  return atomic_load_explicit(&buf->refs, memory_order_relaxed);
}

bool buffer_recharge(struct rill_buffer *buf, struct rill_limiter *scope)
{
  return pool_recharge(buf, scope);
}
