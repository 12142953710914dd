/*
 * Sorted packet queue over the intrusive list. The search starts at the tail
 * because packets mostly arrive in order.
 */
#include "packet/sorted_queue.h"

#include "packet/seqmath.h"

#define PKT_OF(node) RILL_CONTAINER_OF((node), struct rill_packet, link)

void squeue_init(struct rill_sorted_queue *q, size_t max_packets)
{
  list_init(&q->head);
  q->count = 0;
  q->max_packets = max_packets;
}

enum squeue_result squeue_insert(struct rill_sorted_queue *q, struct rill_packet *pkt)
{
  struct rill_list *node;
  for (node = q->head.prev; node != &q->head; node = node->prev) {
    struct rill_packet *other = PKT_OF(node);
    if (other->seq == pkt->seq)
      return SQUEUE_DUPLICATE;
    if (seq_before(other->seq, pkt->seq))
      break;
  }
  if (q->count >= q->max_packets)
    return SQUEUE_FULL;
  /* Insert after `node` (the head sentinel when pkt is the oldest). */
  list_insert_head(node, &pkt->link);
  q->count++;
  return SQUEUE_INSERTED;
}

struct rill_packet *squeue_head(const struct rill_sorted_queue *q)
{
  return q->count ? PKT_OF(q->head.next) : NULL;
}

struct rill_packet *squeue_tail(const struct rill_sorted_queue *q)
{
  return q->count ? PKT_OF(q->head.prev) : NULL;
}

struct rill_packet *squeue_pop(struct rill_sorted_queue *q)
{
  struct rill_packet *pkt = squeue_head(q);
  if (pkt) {
    list_remove(&pkt->link);
    q->count--;
  }
  return pkt;
}

size_t squeue_clear(struct rill_sorted_queue *q)
{
  size_t n = 0;
  struct rill_packet *pkt;
  while ((pkt = squeue_pop(q)) != NULL) {
    packet_free(pkt);
    n++;
  }
  return n;
}
