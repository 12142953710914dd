/*
 * Packet: one received or composed RTP datagram and what was parsed from it.
 *
 * The datagram bytes live in a reference-counted buffer (core/buffer.h); the
 * packet record is a small pool object that holds one reference. Both come
 * from pools owned by the network thread and are charged to the same scope
 * (the socket that received them, then the session they were routed to).
 * A packet has one owner at a time: the network thread, a ring, or the
 * session's queue on the real-time side. packet_free may run on any thread.
 */
#ifndef RILL_PACKET_PACKET_H
#define RILL_PACKET_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buffer.h"
#include "core/list.h"

struct rill_packet {
  struct rill_list link;   /* in a sorted queue; self-linked otherwise */
  struct rill_buffer *buf; /* owned reference: the datagram */
  int64_t recv_ns;         /* arrival time on the network thread's clock */
  uint32_t ssrc;
  uint32_t timestamp;      /* RTP timestamp of the first frame */
  uint16_t seq;
  uint8_t payload_type;
  bool marker;
  uint32_t payload_offset; /* into buf->data */
  uint32_t payload_bytes;
  uint32_t frames;         /* samples per channel in the payload */
};

/*
 * A packet record with no buffer, charged to `scope` (NULL: the pool only).
 * NULL when a budget refuses. Thread role: the pool's owner.
 */
struct rill_packet *packet_alloc(struct rill_pool *packet_pool, struct rill_limiter *scope);

/* Drop the buffer reference and free the record. NULL is ignored. Thread role: any. */
void packet_free(struct rill_packet *pkt);

/*
 * Move the record's and the buffer's charges to `scope`. All or nothing:
 * false, unchanged, if the scope has no room for both.
 * Thread role: the packet's owner, holding the buffer's only reference.
 */
bool packet_recharge(struct rill_packet *pkt, struct rill_limiter *scope);

/* The payload bytes. Thread role: the packet's owner. */
static inline const uint8_t *packet_payload(const struct rill_packet *pkt)
{
  return pkt->buf->data + pkt->payload_offset;
}

#endif /* RILL_PACKET_PACKET_H */
