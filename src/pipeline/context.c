/*
 * Context: creates the budget, the pools and the network thread; runs the
 * housekeeping timer and the memory-returned wake-up on the network thread.
 */
#include "pipeline/context.h"

#include <rill/status.h>

#include "core/buffer.h"
#include "core/clock.h"
#include "core/mem.h"
#include "packet/packet.h"

#define CLIENT_OF(node) RILL_CONTAINER_OF((node), struct context_client, link)

static void reclaim_and_notify(struct rill_context *ctx, bool memory_event)
{
  struct rill_list *node;
  int64_t now = clock_now_ns();
  pool_reclaim(ctx->buffers, now);
  pool_reclaim(ctx->packets, now);
  for (node = ctx->clients.next; node != &ctx->clients;) {
    struct context_client *c = CLIENT_OF(node);
    node = node->next; /* a client may remove itself */
    if (memory_event) {
      if (c->memory_returned)
        c->memory_returned(c);
    } else if (c->tick) {
      c->tick(c, now);
    }
  }
}

static void on_housekeeping(uv_timer_t *timer)
{
  struct rill_context *ctx = timer->data;
  reclaim_and_notify(ctx, false);
  reclaim_and_notify(ctx, true);
}

static void on_memory_wake(uv_async_t *async)
{
  reclaim_and_notify(async->data, true);
}

/* Runs on the freeing thread, only when the network thread asked for it
 * (pool_want_notify: a port paused for want of memory): an async send. */
static void pool_returned(void *user)
{
  struct rill_context *ctx = user;
  uv_async_send(&ctx->memory_wake);
}

static int start_handles(void *arg)
{
  struct rill_context *ctx = arg;
  if (uv_timer_init(&ctx->loop.loop, &ctx->housekeeping) != 0)
    return RILL_ENETWORK;
  ctx->housekeeping.data = ctx;
  if (uv_async_init(&ctx->loop.loop, &ctx->memory_wake, on_memory_wake) != 0)
    return RILL_ENETWORK;
  ctx->memory_wake.data = ctx;
  uv_timer_start(&ctx->housekeeping, on_housekeeping, CONTEXT_HOUSEKEEPING_MS,
                 CONTEXT_HOUSEKEEPING_MS);
  return RILL_OK;
}

int context_create(const struct rill_context_params *params, struct rill_context **out)
{
  struct rill_context *ctx;
  struct rill_limiter boot;
  struct rill_arena *arena;
  /* Slabs of at most 256 KiB: after a burst, the slab that a live packet
   * pins is small. */
  struct rill_pool_config bc = {"buffers", 0, 0, (size_t)256 << 10, 1, 0};
  struct rill_pool_config pc = {"packets", sizeof(struct rill_packet), 0, (size_t)256 << 10, 1, 0};
  int status;

  if (!out)
    return RILL_EINVAL;
  *out = NULL;
  if (!params || params->budget_bytes == 0 || params->max_packet_bytes < 64)
    return RILL_EINVAL;
  bc.object_bytes = buffer_object_bytes(params->max_packet_bytes);
  if (bc.object_bytes == 0)
    return RILL_EOVERFLOW;

  /* The context struct holds the global limiter, so it is charged to it once
   * the limiter exists (a temporary root checks the budget first). */
  status = limiter_init(&boot, NULL, params->budget_bytes, "boot");
  if (status != RILL_OK)
    return status;
  arena = params->arena ? params->arena : arena_heap();
  status = mem_alloc(arena, &boot, sizeof(*ctx), (void **)&ctx);
  if (status != RILL_OK)
    return status;
  ctx->arena = arena;
  limiter_init(&ctx->global, NULL, params->budget_bytes, "global");
  (void)limiter_acquire(&ctx->global, arena_round_bytes(sizeof(*ctx)));
  ctx->max_packet_bytes = params->max_packet_bytes;
  list_init(&ctx->clients);
  atomic_init(&ctx->open_objects, 0);

  status = pool_create(ctx->arena, &ctx->global, &bc, &ctx->buffers);
  if (status != RILL_OK)
    goto err_ctx;
  status = pool_create(ctx->arena, &ctx->global, &pc, &ctx->packets);
  if (status != RILL_OK)
    goto err_buffers;
  pool_set_notify(ctx->buffers, pool_returned, ctx);
  pool_set_notify(ctx->packets, pool_returned, ctx);
  status = evloop_start(&ctx->loop);
  if (status != RILL_OK)
    goto err_packets;
  status = evloop_call(&ctx->loop, start_handles, ctx);
  if (status != RILL_OK)
    goto err_loop;
  *out = ctx;
  return RILL_OK;

err_loop:
  evloop_stop(&ctx->loop);
err_packets:
  pool_destroy(ctx->packets);
err_buffers:
  pool_destroy(ctx->buffers);
err_ctx:
  arena_free(ctx->arena, ctx, sizeof(*ctx));
  return status;
}

int context_destroy(struct rill_context *ctx)
{
  if (!ctx)
    return RILL_EINVAL;
  if (atomic_load(&ctx->open_objects) != 0)
    return RILL_EBUSY;
  /* Closes the timer and the async handle, then joins the thread. */
  evloop_stop(&ctx->loop);
  pool_trim(ctx->buffers);
  pool_trim(ctx->packets);
  pool_destroy(ctx->packets);
  pool_destroy(ctx->buffers);
  arena_free(ctx->arena, ctx, sizeof(*ctx));
  return RILL_OK;
}

void context_add_client(struct rill_context *ctx, struct context_client *c)
{
  list_insert_tail(&ctx->clients, &c->link);
}

void context_remove_client(struct context_client *c)
{
  list_remove(&c->link);
}
