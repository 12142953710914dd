/*
 * Session table: which slot holds the session of an SSRC, and of a source
 * address (FEC repair packets carry no SSRC), in O(1); and which slots are
 * free. Network thread only: lookups happen per datagram there, and the
 * reader never needs them (it walks the slots).
 *
 * Two hash tables of chained slot indices (buckets: a power of two, at
 * least twice the slots), keyed by SSRC and by (family, address, port); a
 * stack of free slots. One allocation, made by the caller
 * (session_table_bytes), so the receiver charges it to its budget.
 */
#ifndef RILL_PIPELINE_SESSION_TABLE_H
#define RILL_PIPELINE_SESSION_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct session_table_addr {
  uint8_t bytes[16]; /* IPv4 in the first 4 */
  uint16_t port;     /* network order, as in the sockaddr */
  uint16_t family;
};

struct session_table_entry {
  uint32_t ssrc;
  struct session_table_addr addr;
  int32_t ssrc_next; /* next slot in the same SSRC bucket, -1: end */
  int32_t addr_next; /* next slot in the same address bucket */
  bool linked;
  bool on_free_stack;
};

struct session_table {
  uint32_t slots;
  uint32_t mask;                       /* buckets - 1 */
  int32_t *ssrc_bucket;                /* [buckets], -1: empty */
  int32_t *addr_bucket;                /* [buckets] */
  struct session_table_entry *entries; /* [slots] */
  int32_t *free_stack;                 /* [slots] */
  uint32_t free_count;
};

/* Bytes of memory session_table_init needs for `slots` (0 on overflow). */
size_t session_table_bytes(uint32_t slots);

/* Lay the table out in `mem` (session_table_bytes(slots), 8-byte aligned,
 * borrowed): nothing linked, every slot free (taken lowest first). */
void session_table_init(struct session_table *t, void *mem, uint32_t slots);

/* The slot linked with `ssrc`, or -1. */
int32_t session_table_find_ssrc(const struct session_table *t, uint32_t ssrc);

/* A slot linked with source address `src` (the most recently linked), or -1. */
int32_t session_table_find_source(const struct session_table *t, const struct sockaddr *src);

/* Link `slot` (not linked) under `ssrc` and `src`. */
void session_table_link(struct session_table *t, uint32_t slot, uint32_t ssrc,
                        const struct sockaddr *src);

/* Unlink `slot`; nothing if it is not linked. */
void session_table_unlink(struct session_table *t, uint32_t slot);

/* Take a free slot (-1 if none). */
int32_t session_table_take_free(struct session_table *t);

/* Give a slot back to the free stack; false (nothing done) if it is there
 * already, so a slot can never be handed out twice. */
bool session_table_put_free(struct session_table *t, uint32_t slot);

/* Slots on the free stack. */
uint32_t session_table_free_count(const struct session_table *t);

/* The address key of `src` (tests). */
void session_table_addr_of(const struct sockaddr *src, struct session_table_addr *out);

#endif /* RILL_PIPELINE_SESSION_TABLE_H */
