/*
 * What a receiver plays can change while it runs: a SAP directory
 * (sap_directory.c) registers the encodings of announced streams, binds
 * their ports and ends their sessions when they are withdrawn.
 *
 * All of it runs on the network thread, which is the only thread that
 * reads the payload type registry (receiver_ingress.c looks each datagram's
 * type up there, and a session copies its encoding when it starts), so the
 * registry needs no lock and no atomics: a change applies from the next
 * datagram. The reader never sees the registry; a session ended here goes
 * CLOSING like one ended by a BYE, and the reader drops it at its next read.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <rill/status.h>
#include <string.h>

#include "net/addr.h"
#include "net/event_loop.h"
#include "pipeline/receiver_impl.h"

struct rill_context *receiver_context(const struct rill_receiver *r)
{
  return r->ctx;
}

static bool same_encoding(const struct rtp_encoding *a, const struct rtp_encoding *b)
{
  return a->payload_type == b->payload_type && a->format == b->format &&
         a->rate_hz == b->rate_hz && a->channels == b->channels;
}

int receiver_register_encoding(struct rill_receiver *r, const struct rtp_encoding *enc,
                               bool *added)
{
  const struct rtp_encoding *have = rtp_registry_find(&r->p.registry, enc->payload_type);
  *added = false;
  if (have)
    return same_encoding(have, enc) ? RILL_OK : RILL_EBUSY;
  if (rtp_registry_add(&r->p.registry, enc) != RILL_OK)
    return RILL_EINVAL;
  *added = true;
  return RILL_OK;
}

void receiver_unregister_encoding(struct rill_receiver *r, uint8_t pt)
{
  (void)rtp_registry_remove(&r->p.registry, pt);
}

uint32_t receiver_end_sessions(struct rill_receiver *r, uint8_t pt, const struct sockaddr *host)
{
  uint32_t i, ended = 0;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct rsession *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_ACTIVE ||
        s->enc.payload_type != pt ||
        (host && !addr_same_host((const struct sockaddr *)&s->source, host)))
      continue;
    if (rsession_close(s))
      ended++;
  }
  return ended;
}

int receiver_bind_announced(struct rill_receiver *r, const struct sockaddr *addr,
                            const char *multicast_iface)
{
  size_t i, n = receiver_ports_bound(r);
  for (i = 0; i < n; i++) {
    struct sockaddr_storage local;
    if (r->endpoints[i].iface == RECEIVER_IFACE_SOURCE &&
        udp_port_local_addr(r->ports[i], &local) == RILL_OK &&
        addr_equal((const struct sockaddr *)&local, addr))
      return RILL_OK;
  }
  return receiver_bind(r, addr, multicast_iface, NULL);
}
