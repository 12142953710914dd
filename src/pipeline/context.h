/*
 * Context: the memory budget, the packet pools and the network thread shared
 * by the senders and receivers opened on it.
 *
 * Memory: `global` is the context's budget; both pools charge their slabs to
 * it and every control structure of every sender and receiver is allocated
 * with mem_alloc against it. The pools' owner is the network thread: it
 * allocates packets as datagrams arrive and reclaims memory freed by the
 * real-time readers on a housekeeping timer, or at once when a pool reports
 * returned objects while a port is paused for want of memory.
 */
#ifndef RILL_PIPELINE_CONTEXT_H
#define RILL_PIPELINE_CONTEXT_H

#include <stdatomic.h>
#include <stddef.h>
#include <uv.h>

#include "core/arena.h"
#include "core/limiter.h"
#include "core/list.h"
#include "core/pool.h"
#include "net/event_loop.h"

#define CONTEXT_DEFAULT_BUDGET_BYTES ((size_t)64 << 20)
#define CONTEXT_DEFAULT_MAX_PACKET_BYTES 2048
#define CONTEXT_HOUSEKEEPING_MS 100

struct rill_context_params {
  size_t budget_bytes;     /* global budget, > 0 */
  size_t max_packet_bytes; /* largest datagram received or sent */
  struct rill_arena *arena; /* borrowed, outlives the context; NULL: arena_heap() (tests
                               pass a failing arena for allocation-failure sweeps) */
};

/* Something on the network thread that runs on each housekeeping tick and
 * when memory comes back (receivers). */
struct context_client {
  struct rill_list link;                 /* in rill_context.clients (network thread) */
  void (*tick)(struct context_client *c, int64_t now_ns);
  void (*memory_returned)(struct context_client *c);
};

struct rill_context {
  struct rill_arena *arena;     /* borrowed: params.arena or the heap arena */
  struct rill_limiter global;   /* owned */
  struct rill_pool *buffers;    /* owned: datagram buffers */
  struct rill_pool *packets;    /* owned: packet records */
  size_t max_packet_bytes;
  struct rill_event_loop loop;  /* owned: the network thread */
  uv_timer_t housekeeping;      /* network thread */
  uv_async_t memory_wake;       /* pools -> network thread */
  struct rill_list clients;     /* network thread only */
  atomic_int open_objects;      /* senders + receivers not closed */
};

/* Thread role: control. RILL_OK, RILL_EINVAL, RILL_ENOMEM, RILL_EBUDGET, RILL_ENETWORK. */
int context_create(const struct rill_context_params *params, struct rill_context **out);

/* RILL_EBUSY while senders or receivers are open. Thread role: control. */
int context_destroy(struct rill_context *ctx);

/* Register / unregister a client. Thread role: network (use evloop_call). */
void context_add_client(struct rill_context *ctx, struct context_client *c);
void context_remove_client(struct context_client *c);

#endif /* RILL_PIPELINE_CONTEXT_H */
