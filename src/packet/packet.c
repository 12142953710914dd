/*
 * Packet records. The record and its buffer are charged separately to the
 * same scope, and a recharge moves both or neither.
 */
#include "packet/packet.h"

#include <string.h>

struct rill_packet *packet_alloc(struct rill_pool *packet_pool, struct rill_limiter *scope)
{
  struct rill_packet *pkt = pool_alloc(packet_pool, scope);
  if (!pkt)
    return NULL;
  memset(pkt, 0, sizeof(*pkt));
  list_init(&pkt->link);
  return pkt;
}

void packet_free(struct rill_packet *pkt)
{
  if (!pkt)
    return;
  buffer_unref(pkt->buf);
  pool_free(pkt);
}

bool packet_recharge(struct rill_packet *pkt, struct rill_limiter *scope)
{
  struct rill_limiter *old = pool_scope_of(pkt);
  if (!pool_recharge(pkt, scope))
    return false;
  if (pkt->buf && !buffer_recharge(pkt->buf, scope)) {
    /* The old scope has just released the record's bytes and only this
     * thread charges it, so moving back succeeds; were it to fail, each
     * object would still be charged exactly once, to the scope it names. */
    (void)pool_recharge(pkt, old);
    return false;
  }
  return true;
}
