/*
 * Session table: see session_table.h.
 */
#include "pipeline/session_table.h"

#include <netinet/in.h>
#include <string.h>

#include "core/sizemath.h"

static uint32_t buckets_for(uint32_t slots)
{
  uint32_t b = 2;
  while (b < 2 * (uint64_t)slots && b < (1u << 30))
    b <<= 1;
  return b;
}

size_t session_table_bytes(uint32_t slots)
{
  size_t buckets = buckets_for(slots), total = 0, part;
  if (!size_mul(buckets, 2 * sizeof(int32_t), &part) || !size_add(total, part, &total) ||
      !size_mul(slots, sizeof(struct session_table_entry), &part) ||
      !size_align_up(total, 8, &total) || !size_add(total, part, &total) ||
      !size_mul(slots, sizeof(int32_t), &part) || !size_add(total, part, &total))
    return 0;
  return total;
}

void session_table_init(struct session_table *t, void *mem, uint32_t slots)
{
  uint32_t buckets = buckets_for(slots), i;
  size_t off = 0;
  char *base = mem;
  t->slots = slots;
  t->mask = buckets - 1;
  t->ssrc_bucket = (int32_t *)(void *)base;
  t->addr_bucket = t->ssrc_bucket + buckets;
  off = ((size_t)buckets * 2 * sizeof(int32_t) + 7) & ~(size_t)7;
  t->entries = (struct session_table_entry *)(void *)(base + off);
  off += (size_t)slots * sizeof(struct session_table_entry);
  t->free_stack = (int32_t *)(void *)(base + off);
  for (i = 0; i < buckets; i++)
    t->ssrc_bucket[i] = t->addr_bucket[i] = -1;
  memset(t->entries, 0, (size_t)slots * sizeof(struct session_table_entry));
  /* Lowest slot on top: slots are taken 0, 1, 2, ... */
  for (i = 0; i < slots; i++) {
    t->free_stack[i] = (int32_t)(slots - 1 - i);
    t->entries[i].on_free_stack = true;
  }
  t->free_count = slots;
}

void session_table_addr_of(const struct sockaddr *src, struct session_table_addr *out)
{
  memset(out, 0, sizeof(*out));
  out->family = src->sa_family;
  if (src->sa_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)src;
    memcpy(out->bytes, &a->sin_addr, 4);
    out->port = a->sin_port;
  } else if (src->sa_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)src;
    memcpy(out->bytes, &a->sin6_addr, 16);
    out->port = a->sin6_port;
  }
}

static uint32_t hash_ssrc(uint32_t ssrc)
{
  return ssrc * 2654435761u;
}

/* FNV-1a over the key's bytes, then mixed. */
static uint32_t hash_addr(const struct session_table_addr *k)
{
  const uint8_t *p = (const uint8_t *)k;
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < sizeof(*k); i++)
    h = (h ^ p[i]) * 16777619u;
  return h * 2654435761u;
}

static uint32_t bucket_of(const struct session_table *t, uint32_t hash)
{
  /* The high bits of a multiplicative hash are the good ones. */
  return (hash >> 16 ^ hash) & t->mask;
}

int32_t session_table_find_ssrc(const struct session_table *t, uint32_t ssrc)
{
  int32_t i = t->ssrc_bucket[bucket_of(t, hash_ssrc(ssrc))];
  while (i >= 0 && t->entries[i].ssrc != ssrc)
    i = t->entries[i].ssrc_next;
  return i;
}

int32_t session_table_find_source(const struct session_table *t, const struct sockaddr *src)
{
  struct session_table_addr k;
  int32_t i;
  session_table_addr_of(src, &k);
  i = t->addr_bucket[bucket_of(t, hash_addr(&k))];
  while (i >= 0 && memcmp(&t->entries[i].addr, &k, sizeof(k)) != 0)
    i = t->entries[i].addr_next;
  return i;
}

void session_table_link(struct session_table *t, uint32_t slot, uint32_t ssrc,
                        const struct sockaddr *src)
{
  struct session_table_entry *e = &t->entries[slot];
  uint32_t b;
  e->ssrc = ssrc;
  session_table_addr_of(src, &e->addr);
  b = bucket_of(t, hash_ssrc(ssrc));
  e->ssrc_next = t->ssrc_bucket[b];
  t->ssrc_bucket[b] = (int32_t)slot;
  b = bucket_of(t, hash_addr(&e->addr));
  e->addr_next = t->addr_bucket[b];
  t->addr_bucket[b] = (int32_t)slot;
  e->linked = true;
}

/* Remove `slot` from the chain starting at *head, linked through `next`. */
static void chain_remove(struct session_table *t, int32_t *head, uint32_t slot, bool by_ssrc)
{
  int32_t *link = head;
  while (*link >= 0) {
    struct session_table_entry *e = &t->entries[*link];
    int32_t *next = by_ssrc ? &e->ssrc_next : &e->addr_next;
    if ((uint32_t)*link == slot) {
      *link = *next;
      return;
    }
    link = next;
  }
}

void session_table_unlink(struct session_table *t, uint32_t slot)
{
  struct session_table_entry *e = &t->entries[slot];
  if (!e->linked)
    return;
  chain_remove(t, &t->ssrc_bucket[bucket_of(t, hash_ssrc(e->ssrc))], slot, true);
  chain_remove(t, &t->addr_bucket[bucket_of(t, hash_addr(&e->addr))], slot, false);
  e->linked = false;
}

int32_t session_table_take_free(struct session_table *t)
{
  int32_t slot;
  if (t->free_count == 0)
    return -1;
  slot = t->free_stack[--t->free_count];
  t->entries[slot].on_free_stack = false;
  return slot;
}

bool session_table_put_free(struct session_table *t, uint32_t slot)
{
  if (t->entries[slot].on_free_stack || t->free_count >= t->slots)
    return false;
  t->entries[slot].on_free_stack = true;
  t->free_stack[t->free_count++] = (int32_t)slot;
  return true;
}

uint32_t session_table_free_count(const struct session_table *t)
{
  return t->free_count;
}
