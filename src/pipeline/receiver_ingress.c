/*
 * Receiver ingress (network thread): a datagram from a port becomes a
 * packet in its session's ring, or a counted drop.
 *
 *   source datagram -> FEC footer (FEC endpoints) -> RTP parse -> payload
 *   type -> session by SSRC (session table, O(1)) -> or a new session
 *   (admission: free slot, creation rate, probation and eviction when full)
 *   -> packet record charged to the session's budget -> FEC block -> ring
 *   repair datagram -> session by source address (O(1)) -> FEC block
 *
 * Per-packet outcomes are counted, never logged; warnings a hostile or
 * misconfigured peer could trigger repeatedly are rate-limited.
 */
#include <rill/status.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "net/addr.h"
#include "pipeline/receiver_impl.h"
#include "rtp/rtp.h"

/* A packet record for datagram `buf` (one reference, handed over) parsed as `h`. */
static void fill_packet(struct rill_packet *pkt, struct rill_buffer *buf,
                        const struct rtp_header *h, int64_t now_ns)
{
  pkt->buf = buf;
  pkt->recv_ns = now_ns;
  pkt->ssrc = h->ssrc;
  pkt->timestamp = h->timestamp;
  pkt->seq = h->seq;
  pkt->payload_type = h->payload_type;
  pkt->marker = h->marker;
  pkt->payload_offset = (uint32_t)h->payload_offset;
  pkt->payload_bytes = (uint32_t)h->payload_bytes;
}

static void warn_rate_mismatch(struct rill_receiver *r, int64_t now_ns, uint32_t sender_rate)
{
  uint32_t suppressed = 0;
  if (!ratelimit_allow(&r->rate_warn, now_ns, &suppressed))
    return;
  RILL_LOG(RILL_LOG_WARN, "receiver",
           "sender rate %u Hz is too far from receiver rate %u Hz (at most %ux apart): "
           "packets dropped (%u similar warnings suppressed)",
           sender_rate, r->p.rate_hz, (unsigned)RECEIVER_MAX_RATE_RATIO, suppressed);
}

/* ---- slots: free, reserve, take ---- */

void receiver_free_slot(struct rill_receiver *r, uint32_t slot, int64_t now_ns)
{
  rsession_free(&r->slots[slot], &r->gone);
  counter_bump(&r->counters.sessions_removed);
  fec_reader_session_release(atomic_load_explicit(&r->fec, memory_order_relaxed), slot);
  session_table_unlink(&r->table, slot);
  /* A slot kept for a proven newcomer stays off the free stack until it is
   * taken or its reservation expires (the caller expires reservations
   * first, so an expired one is never mistaken for a live one). */
  if (!admission_slot_reserved(&r->admission, slot, now_ns))
    (void)session_table_put_free(&r->table, slot);
}

static void reservation_expired(void *user, uint32_t slot)
{
  struct rill_receiver *r = user;
  /* FREE and reserved means held off the free stack: give it back. A slot
   * not free yet goes back when it is freed. */
  if (atomic_load_explicit(&r->slots[slot].state, memory_order_relaxed) == SLOT_FREE)
    (void)session_table_put_free(&r->table, slot);
}

void receiver_expire_reservations(struct rill_receiver *r, int64_t now_ns)
{
  admission_expire(&r->admission, now_ns, reservation_expired, r);
}

/* The slot kept for `ssrc` if it is FREE already, else -1. */
static int32_t kept_free_slot(struct rill_receiver *r, uint32_t ssrc, int64_t now_ns)
{
  int32_t slot = admission_reserved_for(&r->admission, ssrc, now_ns);
  if (slot >= 0 &&
      atomic_load_explicit(&r->slots[slot].state, memory_order_relaxed) == SLOT_FREE)
    return slot;
  return -1;
}

/* A FREE slot for `ssrc` now, taken; -1 if none. */
static int32_t take_slot(struct rill_receiver *r, uint32_t ssrc, int64_t now_ns)
{
  int32_t slot = kept_free_slot(r, ssrc, now_ns);
  if (slot >= 0) {
    admission_release(&r->admission, (uint32_t)slot);
    return slot;
  }
  return session_table_take_free(&r->table);
}

static bool has_room(struct rill_receiver *r, uint32_t ssrc, int64_t now_ns)
{
  return session_table_free_count(&r->table) > 0 || kept_free_slot(r, ssrc, now_ns) >= 0;
}

/*
 * All slots taken and `ssrc` passed probation: end one session that never
 * proved itself and keep its slot for `ssrc` for a second, so that the
 * flood does not take it back first. The reader retires it and the next
 * housekeeping frees it. A linear scan, but only when a newcomer has just
 * proven itself with the slots full (fake senders never do).
 */
static void evict_unproven(struct rill_receiver *r, uint32_t ssrc, int64_t now_ns)
{
  uint32_t i;
  /* Without a reservation the freed slot could go to the flood: evict
   * only when the slot can be kept for the newcomer. */
  if (!admission_can_reserve(&r->admission))
    return;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct rsession *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE ||
        !admission_is_unproven(counter_get(&s->counters.packets_received),
                               s->net.last_packet_ns, now_ns) ||
        !rsession_close(s))
      continue;
    (void)admission_reserve(&r->admission, i, ssrc, now_ns);
    counter_bump(&r->counters.sessions_evicted);
    return;
  }
}

static struct rsession *create_session(struct rill_receiver *r, const struct rtp_header *h,
                                       const struct rtp_encoding *enc,
                                       const struct sockaddr *src, int64_t now_ns)
{
  struct rsession *s;
  char addr[80];
  int32_t slot;
  if (!admission_rate_allows(&r->admission, now_ns)) {
    counter_bump(&r->counters.sessions_rate_limited);
    return NULL;
  }
  slot = take_slot(r, h->ssrc, now_ns);
  if (slot < 0) {
    counter_bump(&r->counters.sessions_refused);
    return NULL;
  }
  s = &r->slots[slot];
  if (!rsession_start(s, &r->p, h->ssrc, enc, src, now_ns)) {
    (void)session_table_put_free(&r->table, (uint32_t)slot);
    counter_bump(&r->counters.no_memory);
    return NULL;
  }
  session_table_link(&r->table, (uint32_t)slot, h->ssrc, src);
  fec_reader_session_start(atomic_load_explicit(&r->fec, memory_order_relaxed), (uint32_t)slot);
  counter_bump(&r->counters.sessions_created);
  addr_format(&s->source, addr, sizeof(addr));
  RILL_LOG(RILL_LOG_INFO, "receiver", "new session: ssrc %08x from %s, payload type %u",
           h->ssrc, addr, enc->payload_type);
  return s;
}

/* ---- FEC hooks (see pipeline/fec_reader.h) ---- */

struct restore_target {
  struct rill_receiver *r;
  struct rsession *s;
};

/* A source packet the decoder restored: queue it like a received one. */
static bool deliver_restored(void *user, struct rill_buffer *buf, size_t len, int64_t now_ns)
{
  struct restore_target *t = user;
  struct rtp_header h;
  struct rill_packet *pkt;
  if (rtp_parse(buf->data, len, &h) != RILL_OK || h.payload_bytes == 0 ||
      h.ssrc != t->s->ssrc || h.payload_type != t->s->enc.payload_type) {
    counter_bump(&t->r->counters.bad_packets);
    buffer_unref(buf);
    return false;
  }
  pkt = packet_alloc(t->r->ctx->packets, &t->s->scope);
  if (!pkt) {
    counter_bump(&t->r->counters.no_memory);
    buffer_unref(buf);
    return false;
  }
  fill_packet(pkt, buf, &h, now_ns);
  if (spsc_ring_push(t->s->ring, pkt) != RILL_OK) {
    counter_bump(&t->s->counters.dropped_net);
    packet_free(pkt);
    return false;
  }
  return true;
}

/* A repair datagram: no SSRC, so it goes to the session sending from `src`. */
static void on_repair(struct rill_receiver *r, struct rill_buffer *buf,
                      const struct sockaddr *src, int64_t now_ns)
{
  struct fec_reader *fec = atomic_load_explicit(&r->fec, memory_order_relaxed);
  struct fec_payload_id id;
  struct restore_target t = {r, NULL};
  size_t offset = 0;
  int32_t slot;
  if (!fec || fec_repair_id_parse(fec_reader_scheme(fec), buf->data, buf->len_bytes, &id,
                                  &offset) != RILL_OK) {
    counter_bump(&r->counters.bad_packets);
    buffer_unref(buf);
    return;
  }
  slot = session_table_find_source(&r->table, src);
  if (slot < 0 ||
      atomic_load_explicit(&r->slots[slot].state, memory_order_relaxed) != SLOT_ACTIVE) {
    fec_reader_count_orphan_repair(fec);
    buffer_unref(buf);
    return;
  }
  t.s = &r->slots[slot];
  fec_reader_on_repair(fec, (uint32_t)slot, buf, &id, offset, &t.s->scope, deliver_restored, &t,
                       now_ns);
}

/* The session for a packet of `h->ssrc`: the one routed by the table, or
 * a new one if admission allows; NULL (counted) otherwise. */
static struct rsession *route(struct rill_receiver *r, const struct rtp_header *h,
                              const struct rtp_encoding *enc, const struct sockaddr *src,
                              int64_t now_ns)
{
  int32_t slot = session_table_find_ssrc(&r->table, h->ssrc);
  if (slot >= 0) {
    int st = atomic_load_explicit(&r->slots[slot].state, memory_order_acquire);
    if (st != SLOT_RETIRED)
      return &r->slots[slot];
    /* Ended by the reader's watchdog: the next packet starts afresh (the old
     * slot is freed by housekeeping). */
    session_table_unlink(&r->table, (uint32_t)slot);
  }
  if (enc->rate_hz > r->p.rate_hz * RECEIVER_MAX_RATE_RATIO ||
      enc->rate_hz * RECEIVER_MAX_RATE_RATIO < r->p.rate_hz) {
    counter_bump(&r->counters.rate_mismatch);
    warn_rate_mismatch(r, now_ns, enc->rate_hz);
    return NULL;
  }
  if (!has_room(r, h->ssrc, now_ns)) {
    /* Full: a newcomer must prove itself, then an unproven session makes
     * room for it; one that already has a slot kept for it waits for that
     * slot (it does not push out a second session). */
    receiver_expire_reservations(r, now_ns);
    if (admission_reserved_for(&r->admission, h->ssrc, now_ns) >= 0) {
      counter_bump(&r->counters.probation_dropped);
    } else if (admission_passes_probation(&r->admission, h->ssrc, h->seq, now_ns)) {
      evict_unproven(r, h->ssrc, now_ns);
    } else if (r->admission.probation_packets > 1) {
      counter_bump(&r->counters.probation_dropped);
    }
    counter_bump(&r->counters.sessions_refused);
    return NULL;
  }
  return create_session(r, h, enc, src, now_ns);
}

void receiver_on_datagram(void *user, struct rill_buffer *buf, const struct sockaddr *src,
                          int64_t now_ns)
{
  const struct receiver_endpoint *ep = user;
  struct rill_receiver *r = ep->r;
  struct rtp_header h;
  const struct rtp_encoding *enc;
  struct rsession *s;
  struct rill_packet *pkt;
  struct fec_payload_id fid;
  size_t rtp_bytes = buf->len_bytes;

  counter_bump(&r->counters.datagrams);
  if (ep->iface == RECEIVER_IFACE_CONTROL) {
    receiver_on_rtcp(r, buf->data, buf->len_bytes, src, now_ns);
    goto drop_buffer;
  }
  if (ep->iface == RECEIVER_IFACE_REPAIR) {
    on_repair(r, buf, src, now_ns);
    return;
  }
  /* FEC source packet: the footer comes off the end first. */
  if (ep->fec && fec_source_id_parse((enum fec_scheme)ep->fec, buf->data, buf->len_bytes, &fid,
                                     &rtp_bytes) != RILL_OK) {
    counter_bump(&r->counters.bad_packets);
    goto drop_buffer;
  }
  if (rtp_parse(buf->data, rtp_bytes, &h) != RILL_OK || h.payload_bytes == 0) {
    counter_bump(&r->counters.bad_packets);
    goto drop_buffer;
  }
  enc = rtp_registry_find(&r->p.registry, h.payload_type);
  if (!enc) {
    counter_bump(&r->counters.unknown_payload_type);
    goto drop_buffer;
  }
  s = route(r, &h, enc, src, now_ns);
  if (!s)
    goto drop_buffer;
  if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE ||
      enc->payload_type != s->enc.payload_type) {
    counter_bump(&s->counters.dropped_net);
    goto drop_buffer;
  }
  s->net.last_packet_ns = now_ns;
  counter_bump(&s->counters.packets_received);

  pkt = packet_alloc(r->ctx->packets, pool_scope_of(buf));
  if (!pkt) {
    counter_bump(&r->counters.no_memory);
    goto drop_buffer;
  }
  fill_packet(pkt, buf, &h, now_ns);
  rsession_on_packet(s, pkt);
  if (!packet_recharge(pkt, &s->scope)) {
    counter_bump(&s->counters.dropped_net);
    packet_free(pkt);
    return;
  }
  if (ep->fec) {
    /* Before the ring: once pushed, the reader may free the packet. */
    struct restore_target t = {r, s};
    fec_reader_on_source(atomic_load_explicit(&r->fec, memory_order_relaxed),
                         (uint32_t)(s - r->slots), buf, &fid, rtp_bytes, &s->scope,
                         deliver_restored, &t, now_ns);
  }
  if (spsc_ring_push(s->ring, pkt) != RILL_OK) {
    counter_bump(&s->counters.dropped_net);
    packet_free(pkt);
  }
  return;

drop_buffer:
  buffer_unref(buf);
}
