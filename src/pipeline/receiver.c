/*
 * Receiver: open, bind, read, close, and the wiring between its parts.
 *
 *   ports --datagrams--> receiver_ingress.c (network: session table,
 *   admission, FEC) --rings--> read (reader: each slot's receiver session
 *   plays into the mix) ; housekeeping tick (network: timeouts, retired
 *   slots, idle gate, reservations).
 *
 * The network thread owns routing and slot lifetimes; the reader owns
 * playback. They share only slot states, the per-slot rings, the idle gate
 * and atomic counters. See receiver_session.h for a slot's life.
 */
#include "pipeline/receiver.h"

#include <arpa/inet.h>
#include <rill/status.h>
#include <string.h>

#include "audio/mixer.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/sizemath.h"
#include "pipeline/receiver_impl.h"

/* While idle the network thread looks for a returning reader this often:
 * the reader never wakes it (that would be a system call). */
#define IDLE_WATCH_MS 10

/* ---- network thread: idle, housekeeping ---- */

static void on_idle_watch(uv_timer_t *timer);

/* Network thread, holding the gate: drop every session and stop receiving. */
static void enter_idle(struct rill_receiver *r, int64_t now_ns)
{
  uint32_t i;
  size_t p;
  for (i = 0; i < r->p.max_sessions; i++)
    if (atomic_load_explicit(&r->slots[i].state, memory_order_relaxed) != SLOT_FREE)
      receiver_free_slot(r, i, now_ns);
  /* Nobody is waiting for a kept slot any more: every slot is free. */
  receiver_expire_reservations(r, INT64_MAX);
  for (p = 0; p < receiver_ports_bound(r); p++)
    udp_port_hold(r->ports[p]);
  r->idle_paused = true;
  if (r->idle_watch_open)
    uv_timer_start(&r->idle_watch, on_idle_watch, IDLE_WATCH_MS, IDLE_WATCH_MS);
  counter_bump(&r->counters.idle_entries);
  pool_trim(r->ctx->buffers);
  pool_trim(r->ctx->packets);
  RILL_LOG(RILL_LOG_INFO, "receiver", "idle: nobody read for %lld ms; receiving paused",
           (long long)(r->p.idle_timeout_ns / NS_PER_MS));
}

/* Network thread: the reader is back; drop what queued up meanwhile, receive. */
static void leave_idle(struct rill_receiver *r)
{
  size_t p, flushed = 0;
  if (!r->idle_paused || idle_gate_is_idle(&r->gate))
    return;
  r->idle_paused = false;
  if (r->idle_watch_open)
    uv_timer_stop(&r->idle_watch);
  for (p = 0; p < receiver_ports_bound(r); p++) {
    /* Bounded: under a flood the kernel keeps queueing; what is left is
     * at most a target latency old once playback primes. */
    flushed += udp_port_flush(r->ports[p], RECEIVER_FLUSH_MAX_DATAGRAMS);
    udp_port_release(r->ports[p]);
  }
  RILL_LOG(RILL_LOG_INFO, "receiver", "active again: %zu stale datagrams discarded", flushed);
}

static void on_idle_watch(uv_timer_t *timer)
{
  leave_idle(timer->data);
}

static void check_idle(struct rill_receiver *r, int64_t now_ns)
{
  if (r->idle_paused || !idle_gate_net_try_take(&r->gate, now_ns, r->p.idle_timeout_ns))
    return;
  enter_idle(r, now_ns);
  idle_gate_net_park(&r->gate);
}

/* The reader does not log; the network thread reports, rate-limited, a
 * drift too large to compensate. */
static void warn_saturated(struct rill_receiver *r, int64_t now_ns)
{
  uint32_t i, suppressed = 0;
  for (i = 0; i < r->p.max_sessions; i++) {
    struct rsession *s = &r->slots[i];
    if (atomic_load_explicit(&s->state, memory_order_relaxed) == SLOT_ACTIVE &&
        atomic_load_explicit(&s->saturated, memory_order_relaxed)) {
      if (ratelimit_allow(&r->saturation_warn, now_ns, &suppressed))
        /* Not the ratio applied now: the reader applies the controller's
         * output at most every 100 ms, so it may not be there yet. */
        RILL_LOG(RILL_LOG_WARN, "receiver",
                 "session ssrc %08x: clock drift beyond what resampling compensates "
                 "(the drift controller is at its limit); latency will wander",
                 s->ssrc);
      return;
    }
  }
}

static void receiver_tick(struct context_client *c, int64_t now_ns)
{
  struct rill_receiver *r = RILL_CONTAINER_OF(c, struct rill_receiver, client);
  uint32_t i;
  /* Reservations first: slots freed below must not see an expired one. */
  receiver_expire_reservations(r, now_ns);
  leave_idle(r); /* also when no port has an idle watch (tests) */
  check_idle(r, now_ns);
  warn_saturated(r, now_ns);
  receiver_rtcp_tick(r, now_ns);
  for (i = 0; i < r->p.max_sessions; i++) {
    struct rsession *s = &r->slots[i];
    int st = atomic_load_explicit(&s->state, memory_order_acquire);
    if (st == SLOT_ACTIVE && now_ns - s->net.last_packet_ns > r->p.session_timeout_ns) {
      if (rsession_close(s))
        RILL_LOG(RILL_LOG_INFO, "receiver", "session ssrc %08x ended: no packets for %lld ms",
                 s->ssrc, (long long)(r->p.session_timeout_ns / NS_PER_MS));
    } else if (st == SLOT_RETIRED) {
      receiver_free_slot(r, i, now_ns);
    }
  }
}

static void receiver_memory_returned(struct context_client *c)
{
  struct rill_receiver *r = RILL_CONTAINER_OF(c, struct rill_receiver, client);
  size_t i;
  if (r->idle_paused)
    return; /* paused on purpose: only a read brings it back */
  for (i = 0; i < receiver_ports_bound(r); i++)
    udp_port_resume(r->ports[i]);
}

/* ---- reader ---- */

void receiver_read_at(struct rill_receiver *r, float *out, uint32_t frames, int64_t now_ns)
{
  struct rsession_reader rd = {&r->p, r->scratch, r->in_scratch, &r->counters,
                               RECEIVER_RATIO_UPDATES_PER_READ};
  uint64_t done = 0;

  /* Back from idle, the gate goes IDLE -> READING; the network thread's idle
   * watch sees it within IDLE_WATCH_MS and receives again. */
  if (!idle_gate_reader_enter(&r->gate, now_ns)) {
    /* The network thread is dropping everything to go idle: play silence. */
    memset(out, 0, (size_t)frames * r->p.channels * sizeof(float));
    return;
  }
  while (frames > 0) {
    uint32_t n = frames < RSESSION_CHUNK_FRAMES ? frames : RSESSION_CHUNK_FRAMES, i;
    /* A long read is played chunk by chunk, each at its own time, so the
     * latency measured and the watchdog see the audio's clock. */
    int64_t chunk_ns = now_ns + (int64_t)done * NS_PER_S / (int64_t)r->p.rate_hz;
    memset(out, 0, (size_t)n * r->p.channels * sizeof(float));
    for (i = 0; i < r->p.max_sessions; i++) {
      struct rsession *s = &r->slots[i];
      int st = atomic_load_explicit(&s->state, memory_order_acquire);
      if (st == SLOT_ACTIVE) {
        if (rsession_play(s, &rd, out, n, chunk_ns)) {
          counter_bump(&r->counters.watchdog_resets);
          rsession_retire(s, SLOT_ACTIVE);
        }
      } else if (st == SLOT_CLOSING) {
        rsession_retire(s, SLOT_CLOSING);
      }
    }
    mix_clamp(out, (size_t)n * r->p.channels);
    out += (size_t)n * r->p.channels;
    frames -= n;
    done += n;
  }
  idle_gate_reader_leave(&r->gate);
}

void receiver_read(struct rill_receiver *r, float *out, uint32_t frames)
{
  receiver_read_at(r, out, frames, clock_now_ns());
}

/* ---- control: create, destroy ---- */

#define SCRATCH_BYTES ((size_t)RSESSION_CHUNK_FRAMES * RTP_MAX_CHANNELS * sizeof(float))
#define IN_SCRATCH_BYTES ((size_t)RSESSION_IN_SCRATCH_FRAMES * RTP_MAX_CHANNELS * sizeof(float))

static void free_parts(struct rill_receiver *r)
{
  struct rill_context *ctx = r->ctx;
  uint32_t i;
  if (r->slots)
    for (i = 0; i < r->p.max_sessions; i++)
      rsession_deinit(&r->slots[i]);
  mem_free(ctx->arena, &ctx->global, r->slots_mem, r->slots_mem_bytes);
  mem_free(ctx->arena, &ctx->global, r->table_mem, r->table_mem_bytes);
  mem_free(ctx->arena, &ctx->global, r->probation, r->probation_bytes);
  mem_free(ctx->arena, &ctx->global, r->scratch, SCRATCH_BYTES);
  mem_free(ctx->arena, &ctx->global, r->in_scratch, IN_SCRATCH_BYTES);
}

static size_t pow2_at_least(size_t n)
{
  size_t p = 2;
  while (p < n)
    p <<= 1;
  return p;
}

int receiver_create(struct rill_context *ctx, const struct rill_receiver_params *params,
                    struct rill_receiver **out)
{
  struct rill_receiver *r;
  uint32_t i;
  int status;

  *out = NULL;
  if (params->rate_hz == 0 || params->channels == 0 || params->channels > RTP_MAX_CHANNELS ||
      params->max_sessions == 0 || params->max_sessions > (1u << 20) ||
      params->target_latency_ns <= 0 || params->session_timeout_ns <= 0 ||
      params->max_queue_packets < 2)
    return RILL_EINVAL;
  status = mem_alloc(ctx->arena, &ctx->global, sizeof(*r), (void **)&r);
  if (status != RILL_OK)
    return status;
  r->ctx = ctx;
  r->p = *params;
  r->control_port = -1;
  rtcp_local_init(&r->rtcp, 0);
  idle_gate_init(&r->gate, clock_now_ns());
  ratelimit_init(&r->rate_warn, RECEIVER_LOG_INTERVAL_NS, 1);
  ratelimit_init(&r->saturation_warn, RECEIVER_LOG_INTERVAL_NS, 1);

  /* Slots on their own cache lines: the allocation is padded and aligned. */
  if (!size_mul(sizeof(struct rsession), params->max_sessions, &r->slots_mem_bytes) ||
      !size_add(r->slots_mem_bytes, RSESSION_CACHE_LINE, &r->slots_mem_bytes)) {
    status = RILL_EOVERFLOW;
    goto err_parts;
  }
  status = mem_alloc(ctx->arena, &ctx->global, r->slots_mem_bytes, &r->slots_mem);
  if (status != RILL_OK)
    goto err_parts;
  r->slots = (struct rsession *)(((uintptr_t)r->slots_mem + RSESSION_CACHE_LINE - 1) &
                                 ~(uintptr_t)(RSESSION_CACHE_LINE - 1));
  for (i = 0; i < params->max_sessions; i++) {
    status = rsession_init(&r->slots[i], ctx->arena, &ctx->global, params->session_budget_bytes,
                           pow2_at_least(params->max_queue_packets));
    if (status != RILL_OK)
      goto err_parts;
  }
  r->table_mem_bytes = session_table_bytes(params->max_sessions);
  status = r->table_mem_bytes ? mem_alloc(ctx->arena, &ctx->global, r->table_mem_bytes,
                                          &r->table_mem)
                              : RILL_EOVERFLOW;
  if (status != RILL_OK)
    goto err_parts;
  session_table_init(&r->table, r->table_mem, params->max_sessions);
  r->probation_bytes = admission_probation_bytes(params->probation_packets);
  if (r->probation_bytes) {
    status = mem_alloc(ctx->arena, &ctx->global, r->probation_bytes, (void **)&r->probation);
    if (status != RILL_OK)
      goto err_parts;
  }
  admission_init(&r->admission, params->session_creations_per_s, params->probation_packets,
                 r->probation);
  status = mem_alloc(ctx->arena, &ctx->global, SCRATCH_BYTES, (void **)&r->scratch);
  if (status == RILL_OK)
    status = mem_alloc(ctx->arena, &ctx->global, IN_SCRATCH_BYTES, (void **)&r->in_scratch);
  if (status != RILL_OK)
    goto err_parts;
  r->client.tick = receiver_tick;
  r->client.memory_returned = receiver_memory_returned;
  list_init(&r->client.link);
  atomic_fetch_add(&ctx->open_objects, 1);
  *out = r;
  return RILL_OK;

err_parts:
  free_parts(r);
  mem_free(ctx->arena, &ctx->global, r, sizeof(*r));
  return status;
}

static void idle_watch_closed(uv_handle_t *handle)
{
  struct rill_receiver *r = handle->data;
  atomic_fetch_sub(&r->handles_open, 1);
}

static void port_closed_free(struct rill_udp_port *port)
{
  struct rill_receiver *r = ((struct receiver_endpoint *)port->user)->r;
  mem_free(r->ctx->arena, &r->ctx->global, port, sizeof(*port));
  atomic_fetch_sub(&r->handles_open, 1);
}

static int close_on_loop(void *arg)
{
  struct rill_receiver *r = arg;
  size_t i, n = receiver_ports_bound(r);
  if (n > 0)
    context_remove_client(&r->client);
  receiver_rtcp_stop(r);
  if (r->idle_watch_open) {
    r->idle_watch_open = false;
    atomic_fetch_add(&r->handles_open, 1); /* until libuv has closed it */
    uv_timer_stop(&r->idle_watch);
    uv_close((uv_handle_t *)&r->idle_watch, idle_watch_closed);
  }
  atomic_store_explicit(&r->port_count, 0, memory_order_release);
  for (i = 0; i < n; i++)
    udp_port_close(r->ports[i], port_closed_free);
  return RILL_OK;
}

static int noop(void *arg)
{
  (void)arg;
  return RILL_OK;
}

void receiver_destroy(struct rill_receiver *r)
{
  struct rill_context *ctx;
  if (!r)
    return;
  ctx = r->ctx;
  evloop_call(&ctx->loop, close_on_loop, r);
  /* libuv runs close callbacks after the iteration that closed the handles;
   * each further call is one more iteration. */
  while (atomic_load(&r->handles_open) > 0)
    evloop_call(&ctx->loop, noop, NULL);
  /* FEC first: its buffers are charged to the slots' limiters. */
  fec_reader_destroy(atomic_load(&r->fec));
  free_parts(r);
  mem_free(ctx->arena, &ctx->global, r, sizeof(*r));
  atomic_fetch_sub(&ctx->open_objects, 1);
}

/* ---- control: bind, FEC ---- */

struct bind_req {
  struct rill_receiver *r;
  const struct sockaddr *addr;
  bool reuse_addr;
  const char *iface;
  struct rill_udp_port *port;
  enum receiver_iface kind; /* what the port carries */
  int fec;
};

static bool is_multicast(const struct sockaddr *sa)
{
  if (sa->sa_family == AF_INET)
    return IN_MULTICAST(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
  if (sa->sa_family == AF_INET6)
    return IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)sa)->sin6_addr);
  return false;
}

static int bind_on_loop(void *arg)
{
  struct bind_req *q = arg;
  struct rill_receiver *r = q->r;
  struct rill_context *ctx = r->ctx;
  size_t n = receiver_ports_bound(r);
  int status;
  if (q->kind == RECEIVER_IFACE_CONTROL && r->control_port >= 0)
    return RILL_ESTATE; /* one control endpoint serves every session */
  status = udp_port_open(q->port, &ctx->loop.loop, q->addr, q->reuse_addr, ctx->buffers,
                         &ctx->global, r->p.socket_budget_bytes);
  if (status != RILL_OK)
    return status;
  /* The port's user is its endpoint (what it carries). */
  r->endpoints[n] = (struct receiver_endpoint){r, q->kind, q->fec};
  q->port->user = &r->endpoints[n];
  if (is_multicast(q->addr)) {
    char group[INET6_ADDRSTRLEN];
    const void *a = q->addr->sa_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)q->addr)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)q->addr)->sin6_addr;
    inet_ntop(q->addr->sa_family, a, group, sizeof(group));
    status = udp_port_join(q->port, group, q->iface);
  }
  if (status == RILL_OK && r->p.socket_rcvbuf_bytes) {
    size_t granted = 0;
    status = udp_port_set_recv_buffer(q->port, r->p.socket_rcvbuf_bytes, &granted);
    atomic_store_explicit(&r->rcvbuf_granted[n], granted, memory_order_relaxed);
    /* The kernel reports twice what holds data; less than asked means
     * net.core.rmem_max capped it and forcing was not allowed. */
    if (status == RILL_OK && granted / 2 < r->p.socket_rcvbuf_bytes)
      RILL_LOG(RILL_LOG_WARN, "receiver",
               "socket receive buffer: asked %zu bytes, the kernel granted %zu (raise "
               "net.core.rmem_max, or run with CAP_NET_ADMIN); bursts beyond it are dropped "
               "by the kernel",
               r->p.socket_rcvbuf_bytes, granted / 2);
  }
  if (status == RILL_OK)
    status = udp_port_start(q->port, receiver_on_datagram, &r->endpoints[n]);
  if (status != RILL_OK) {
    atomic_fetch_add(&r->handles_open, 1);
    udp_port_close(q->port, port_closed_free);
    q->port = NULL; /* freed when libuv has closed it */
    return status;
  }
  if (n == 0) {
    context_add_client(ctx, &r->client);
    uv_timer_init(&ctx->loop.loop, &r->idle_watch);
    r->idle_watch.data = r;
    r->idle_watch_open = true;
  }
  r->ports[n] = q->port;
  if (q->kind == RECEIVER_IFACE_CONTROL) {
    r->control_port = (int)n;
    receiver_rtcp_start(r);
  }
  if (r->idle_paused)
    udp_port_hold(q->port); /* bound while idle: receives when the reader is back */
  atomic_fetch_add(&r->handles_open, 1);
  atomic_store_explicit(&r->port_count, n + 1, memory_order_release);
  return RILL_OK;
}

int receiver_bind(struct rill_receiver *r, const struct sockaddr *addr,
                  const char *multicast_iface, uint16_t *bound_port)
{
  return receiver_bind_endpoint(r, addr, RECEIVER_IFACE_SOURCE, 0, multicast_iface, bound_port);
}

struct fec_req {
  struct rill_receiver *r;
  struct fec_reader *fec;
};

static int set_fec_on_loop(void *arg)
{
  struct fec_req *q = arg;
  atomic_store_explicit(&q->r->fec, q->fec, memory_order_release);
  return RILL_OK;
}

int receiver_enable_fec(struct rill_receiver *r, int fec)
{
  struct fec_req q = {r, atomic_load(&r->fec)};
  int status;
  if (q.fec)
    return (int)fec_reader_scheme(q.fec) == fec ? RILL_OK : RILL_EINVAL;
  status = fec_reader_create(r->ctx->arena, &r->ctx->global, (enum fec_scheme)fec,
                             r->ctx->buffers, r->p.max_sessions, &q.fec);
  if (status != RILL_OK)
    return status;
  evloop_call(&r->ctx->loop, set_fec_on_loop, &q);
  /* A lost packet is restored when its block's repair packets arrive: up to
   * a whole block after its play time at roc's defaults (18 x 5 ms). */
  if (r->p.target_latency_ns < 18 * 5 * NS_PER_MS)
    RILL_LOG(RILL_LOG_WARN, "receiver",
             "target latency %lld ms is shorter than a FEC block at roc's defaults (90 ms): "
             "restored packets may arrive too late to play",
             (long long)(r->p.target_latency_ns / NS_PER_MS));
  return RILL_OK;
}

int receiver_bind_endpoint(struct rill_receiver *r, const struct sockaddr *addr,
                           enum receiver_iface iface, int fec, const char *multicast_iface,
                           uint16_t *bound_port)
{
  struct bind_req q = {r, addr, r->p.reuse_address, multicast_iface, NULL, iface, fec};
  struct sockaddr_storage local;
  int status;

  if (receiver_ports_bound(r) >= RECEIVER_MAX_PORTS)
    return RILL_ESTATE;
  if (iface == RECEIVER_IFACE_REPAIR && !fec)
    return RILL_EINVAL;
  if (fec && (status = receiver_enable_fec(r, fec)) != RILL_OK)
    return status;
  status = mem_alloc(r->ctx->arena, &r->ctx->global, sizeof(*q.port), (void **)&q.port);
  if (status != RILL_OK)
    return status;
  status = evloop_call(&r->ctx->loop, bind_on_loop, &q);
  if (status != RILL_OK) {
    if (q.port)
      mem_free(r->ctx->arena, &r->ctx->global, q.port, sizeof(*q.port));
    return status;
  }
  if (bound_port && udp_port_local_addr(q.port, &local) == RILL_OK)
    *bound_port = ntohs(local.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *)&local)->sin6_port
                            : ((struct sockaddr_in *)&local)->sin_port);
  return RILL_OK;
}

/* ---- control: test hooks ---- */

struct inject_req {
  struct rill_receiver *r;
  const uint8_t *data;
  size_t len;
  const struct sockaddr *src;
  int64_t now_ns;
  struct receiver_endpoint ep;
};

static int inject_on_loop(void *arg)
{
  struct inject_req *q = arg;
  struct rill_buffer *buf = buffer_alloc(q->r->ctx->buffers, NULL);
  if (!buf)
    return RILL_EBUDGET;
  if (q->len > buf->capacity_bytes) {
    buffer_unref(buf);
    return RILL_EINVAL;
  }
  memcpy(buf->data, q->data, q->len);
  buf->len_bytes = (uint32_t)q->len;
  receiver_on_datagram(&q->ep, buf, q->src, q->now_ns);
  return RILL_OK;
}

int receiver_inject(struct rill_receiver *r, const uint8_t *data, size_t len,
                    const struct sockaddr *src, int64_t now_ns)
{
  struct inject_req q = {r, data, len, src, now_ns, {r, RECEIVER_IFACE_SOURCE, 0}};
  return evloop_call(&r->ctx->loop, inject_on_loop, &q);
}

int receiver_inject_endpoint(struct rill_receiver *r, enum receiver_iface iface,
                             const uint8_t *data, size_t len, const struct sockaddr *src,
                             int64_t now_ns)
{
  struct fec_reader *fec = atomic_load(&r->fec);
  int scheme = fec ? (int)fec_reader_scheme(fec) : 0;
  struct inject_req q = {r, data, len, src, now_ns, {r, iface, scheme}};
  if (iface == RECEIVER_IFACE_REPAIR && !fec)
    return RILL_ESTATE;
  return evloop_call(&r->ctx->loop, inject_on_loop, &q);
}

struct housekeep_req {
  struct rill_receiver *r;
  int64_t now_ns;
};

static int housekeep_on_loop(void *arg)
{
  struct housekeep_req *q = arg;
  receiver_tick(&q->r->client, q->now_ns);
  return RILL_OK;
}

void receiver_housekeep(struct rill_receiver *r, int64_t now_ns)
{
  struct housekeep_req q = {r, now_ns};
  evloop_call(&r->ctx->loop, housekeep_on_loop, &q);
}
