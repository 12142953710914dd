/*
 * Sorted packet queue: packets of one stream ordered by RTP sequence number,
 * compared wrap-aware. Intrusive (links live in the packets): inserting never
 * allocates. Bounded by a packet count: insert says "full" instead of growing.
 *
 * Insertion walks from the tail, so in-order and slightly reordered arrivals
 * cost O(1). Thread role: one owner (the session's real-time side).
 */
#ifndef RILL_PACKET_SORTED_QUEUE_H
#define RILL_PACKET_SORTED_QUEUE_H

#include <stddef.h>

#include "packet/packet.h"

enum squeue_result {
  SQUEUE_INSERTED = 0,
  SQUEUE_DUPLICATE = 1, /* a packet with this seq is queued; caller keeps pkt */
  SQUEUE_FULL = 2,      /* max_packets reached; caller keeps pkt */
};

struct rill_sorted_queue {
  struct rill_list head;
  size_t count;
  size_t max_packets;
};

void squeue_init(struct rill_sorted_queue *q, size_t max_packets);

enum squeue_result squeue_insert(struct rill_sorted_queue *q, struct rill_packet *pkt);

/* Oldest (lowest seq) and newest packets; NULL when empty. */
struct rill_packet *squeue_head(const struct rill_sorted_queue *q);
struct rill_packet *squeue_tail(const struct rill_sorted_queue *q);

/* Unlink and return the head; NULL when empty. The caller owns it. */
struct rill_packet *squeue_pop(struct rill_sorted_queue *q);

/* Free every queued packet; returns how many. */
size_t squeue_clear(struct rill_sorted_queue *q);

#endif /* RILL_PACKET_SORTED_QUEUE_H */
