/*
 * SAP announcer (see sap_announcer.h). The announcement and the deletion
 * differ only in the T bit and share the message id hash, as RFC 2974 5
 * asks (a deletion names the announcement it withdraws), so both are
 * composed at creation and the network thread only sends bytes.
 */
#include "pipeline/sap_announcer.h"

#include <rill/status.h>
#include <stdatomic.h>
#include <string.h>

#include "core/mem.h"
#include "core/list.h"
#include "net/udp_port.h"
#include "sdp/sap.h"
#include "sdp/sdp.h"

struct rill_announcer {
  struct rill_context *ctx; /* borrowed */
  struct sockaddr_storage dest;
  int64_t interval_ns;
  uint8_t *packets;         /* owned: announcement, then deletion, packet_cap each */
  size_t packet_cap, announce_len, delete_len;
  struct rill_udp_port port; /* network thread */
  uv_timer_t timer;          /* network thread */
  atomic_int handles_open;
  atomic_uint_least64_t sent, send_failed;
};

static void send_packet(struct rill_announcer *a, const uint8_t *data, size_t len)
{
  if (udp_port_send(&a->port, data, len, (const struct sockaddr *)&a->dest) == RILL_OK)
    atomic_fetch_add_explicit(&a->sent, 1, memory_order_relaxed);
  else
    atomic_fetch_add_explicit(&a->send_failed, 1, memory_order_relaxed);
}

static void on_timer(uv_timer_t *t)
{
  struct rill_announcer *a = t->data;
  send_packet(a, a->packets, a->announce_len);
}

static int open_on_loop(void *arg)
{
  struct rill_announcer *a = arg;
  struct sockaddr_storage any;
  uint64_t ms = (uint64_t)(a->interval_ns / 1000000);
  int status;
  memset(&any, 0, sizeof(any));
  any.ss_family = a->dest.ss_family;
  status = udp_port_open(&a->port, &a->ctx->loop.loop, (struct sockaddr *)&any, false, NULL,
                         NULL, 0);
  if (status != RILL_OK)
    return status;
  atomic_fetch_add(&a->handles_open, 1);
  uv_timer_init(&a->ctx->loop.loop, &a->timer);
  a->timer.data = a;
  atomic_fetch_add(&a->handles_open, 1);
  uv_timer_start(&a->timer, on_timer, 0, ms ? ms : 1);
  return RILL_OK;
}

static void port_closed(struct rill_udp_port *port)
{
  struct rill_announcer *a = RILL_CONTAINER_OF(port, struct rill_announcer, port);
  atomic_fetch_sub(&a->handles_open, 1);
}

static void timer_closed(uv_handle_t *h)
{
  struct rill_announcer *a = h->data;
  atomic_fetch_sub(&a->handles_open, 1);
}

static int close_on_loop(void *arg)
{
  struct rill_announcer *a = arg;
  if (atomic_load(&a->handles_open) == 0)
    return RILL_OK;
  send_packet(a, a->packets + a->packet_cap, a->delete_len);
  uv_timer_stop(&a->timer);
  uv_close((uv_handle_t *)&a->timer, timer_closed);
  udp_port_close(&a->port, port_closed);
  return RILL_OK;
}

static int noop(void *arg)
{
  (void)arg;
  return RILL_OK;
}

static void free_announcer(struct rill_announcer *a)
{
  struct rill_context *ctx = a->ctx;
  mem_free(ctx->arena, &ctx->global, a->packets, 2 * a->packet_cap);
  mem_free(ctx->arena, &ctx->global, a, sizeof(*a));
}

int sap_announcer_create(struct rill_context *ctx, const struct sap_announcer_params *params,
                         const char *sdp, size_t sdp_len, struct rill_announcer **out)
{
  struct rill_announcer *a;
  struct sap_message m;
  int status;
  *out = NULL;
  if (!sdp || sdp_len == 0 || sdp_len > SDP_MAX_BYTES || params->interval_ns <= 0)
    return RILL_EINVAL;
  status = mem_alloc(ctx->arena, &ctx->global, sizeof(*a), (void **)&a);
  if (status != RILL_OK)
    return status;
  a->ctx = ctx;
  a->dest = params->dest;
  a->interval_ns = params->interval_ns;
  a->packet_cap = SAP_MAX_HEADER_BYTES + sdp_len;
  status = mem_alloc(ctx->arena, &ctx->global, 2 * a->packet_cap, (void **)&a->packets);
  if (status != RILL_OK) {
    mem_free(ctx->arena, &ctx->global, a, sizeof(*a));
    return status;
  }
  memset(&m, 0, sizeof(m));
  m.ipv6 = params->origin_ipv6;
  memcpy(m.origin, params->origin, m.ipv6 ? 16 : 4);
  m.msg_id_hash = sap_hash(sdp, sdp_len);
  m.payload = sdp;
  m.payload_bytes = sdp_len;
  (void)sap_compose(&m, a->packets, a->packet_cap, &a->announce_len);
  m.deletion = true;
  (void)sap_compose(&m, a->packets + a->packet_cap, a->packet_cap, &a->delete_len);
  status = evloop_call(&ctx->loop, open_on_loop, a);
  if (status != RILL_OK) {
    free_announcer(a);
    return status;
  }
  atomic_fetch_add(&ctx->open_objects, 1);
  *out = a;
  return RILL_OK;
}

void sap_announcer_stats(const struct rill_announcer *a, struct sap_announcer_stats *out)
{
  out->sent = atomic_load_explicit(&a->sent, memory_order_relaxed);
  out->send_failed = atomic_load_explicit(&a->send_failed, memory_order_relaxed);
}

void sap_announcer_destroy(struct rill_announcer *a)
{
  struct rill_context *ctx;
  if (!a)
    return;
  ctx = a->ctx;
  evloop_call(&ctx->loop, close_on_loop, a);
  /* libuv runs close callbacks an iteration later: wait for both. */
  while (atomic_load(&a->handles_open) > 0)
    evloop_call(&ctx->loop, noop, NULL);
  free_announcer(a);
  atomic_fetch_sub(&ctx->open_objects, 1);
}
