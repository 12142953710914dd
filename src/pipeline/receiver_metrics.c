/*
 * Receiver metrics (any thread): snapshots of the receiver's counters
 * (receiver_counters.h maps), its ports, its FEC reader and every active
 * session, taken without stopping the network thread or the reader.
 * Counters are relaxed atomics, so a snapshot is a moment's picture: a
 * session being removed may briefly count twice or not at all.
 */
#include <string.h>

#include "pipeline/receiver_impl.h"

bool receiver_session_at(struct rill_receiver *r, uint32_t index,
                         struct receiver_session_info *info)
{
  struct fec_reader_stats fs;
  if (index >= r->p.max_sessions || !rsession_snapshot(&r->slots[index], info))
    return false;
  fec_reader_session_stats(atomic_load_explicit(&r->fec, memory_order_acquire), index, &fs);
  info->fec_recovered = fs.recovered;
  info->fec_unrecoverable = fs.unrecoverable;
  info->fec_repair_received = fs.repair_received;
  info->fec_repair_dropped = fs.repair_dropped;
  return true;
}

uint32_t receiver_max_sessions(const struct rill_receiver *r)
{
  return r->p.max_sessions;
}

void receiver_stats(struct rill_receiver *r, struct receiver_totals *t,
                    struct receiver_session_info *sessions, size_t cap, size_t *count)
{
  struct fec_reader_stats fs;
  size_t i, n = 0;
  memset(t, 0, sizeof(*t));
#define COPY(name, visibility, doc) t->name = counter_get(&r->counters.name);
  RECEIVER_COUNTER_MAP(COPY)
#undef COPY
#define GONE(name, visibility, doc) t->name = counter_get(&r->gone.name);
  SESSION_COUNTER_MAP(GONE)
#undef GONE
  t->idle = idle_gate_is_idle(&r->gate);
  if (receiver_ports_bound(r) > 0)
    t->socket_rcvbuf_bytes = atomic_load_explicit(&r->rcvbuf_granted[0], memory_order_relaxed);
  for (i = 0; i < receiver_ports_bound(r); i++) {
    struct rill_udp_port_stats ps;
    udp_port_stats(r->ports[i], &ps);
    t->socket_pauses += ps.pauses;
    t->stale_datagrams_flushed += ps.flushed;
    t->datagrams_oversized += ps.truncated;
    t->receive_batches += ps.batches;
  }
  fec_reader_total_stats(atomic_load_explicit(&r->fec, memory_order_acquire), &fs);
  t->fec_recovered = fs.recovered;
  t->fec_unrecoverable = fs.unrecoverable;
  t->fec_repair_received = fs.repair_received;
  t->fec_repair_dropped = fs.repair_dropped;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct rsession *s = &r->slots[i];
    int st = atomic_load_explicit(&s->state, memory_order_acquire);
    if (st == SLOT_FREE)
      continue;
#define ADD(name, visibility, doc) t->name += counter_get(&s->counters.name);
    SESSION_COUNTER_MAP(ADD)
#undef ADD
    if (st != SLOT_ACTIVE)
      continue;
    t->sessions++;
    if (sessions && n < cap && receiver_session_at(r, (uint32_t)i, &sessions[n]))
      n++;
  }
  t->packets_dropped = t->dropped_net + t->dropped_rt;
  if (count)
    *count = n;
}

uint32_t receiver_channels(const struct rill_receiver *r)
{
  return r->p.channels;
}

void receiver_limiters(struct rill_receiver *r, struct rill_limiter_stats *global,
                       struct rill_limiter_stats *socket)
{
  limiter_stats(&r->ctx->global, global);
  memset(socket, 0, sizeof(*socket));
  if (receiver_ports_bound(r) > 0)
    limiter_stats(&r->ports[0]->scope, socket);
}

