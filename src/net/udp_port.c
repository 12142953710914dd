/*
 * UDP ports. The port owns its socket; libuv only says when it is readable
 * (uv_poll). Receiving reads a batch of datagrams per system call
 * (recvmmsg), each straight into its own pool buffer: the port keeps up to
 * `batch` buffers ready (`spares`), so a wake-up that finds fewer
 * datagrams keeps the rest for the next one. A datagram larger than a
 * buffer comes back truncated (MSG_TRUNC): it is counted and its buffer
 * reused, at the cost of the kernel's copy only. When the pool refuses
 * every buffer (socket or context budget), receiving stops until memory
 * comes back or the retry timer fires.
 */
#include "net/udp_port.h"

#include <rill/status.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "net/addr.h"

#define RETRY_DEFAULT_NS (50 * NS_PER_MS)
/* Batches read per wake-up at most, so that a flood on one port cannot keep
 * the loop from its other handles (epoll is level-triggered: what is left
 * wakes the loop again at once). */
#define ROUNDS_PER_WAKEUP 4

static void count(atomic_uint_least64_t *c)
{
  atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static int map_uv_error(int err)
{
  switch (err) {
  case 0:
    return RILL_OK;
  case UV_EADDRINUSE:
    return RILL_EADDRINUSE;
  case UV_EINVAL:
    return RILL_EINVAL;
  case UV_ENOMEM:
    return RILL_ENOMEM;
  default:
    return RILL_ENETWORK;
  }
}

/* Make and bind the socket before any libuv handle exists, so that a bind
 * error leaves nothing to close asynchronously. */
static int bind_socket(const struct sockaddr *addr, bool reuse_addr, int *out_fd)
{
  socklen_t len = (socklen_t)addr_len(addr);
  int one = 1, err;
  int fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return RILL_ENETWORK;
  if (reuse_addr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
    goto err;
  if (bind(fd, addr, len) != 0)
    goto err;
  *out_fd = fd;
  return RILL_OK;
err:
  err = errno;
  close(fd);
  return err == EADDRINUSE ? RILL_EADDRINUSE : err == EINVAL ? RILL_EINVAL : RILL_ENETWORK;
}

/* Buffers kept ready: UDP_PORT_MAX_BATCH, but at most a sixteenth of the
 * socket budget, so that small budgets are left to the queues. */
static uint32_t batch_for(const struct rill_pool *buffers, size_t socket_budget_bytes)
{
  struct rill_pool_stats ps;
  size_t n;
  pool_stats(buffers, &ps); /* what one buffer costs a scope: its stride */
  if (ps.stride_bytes == 0)
    return 1;
  n = socket_budget_bytes / ps.stride_bytes / 16;
  return n < 1 ? 1 : n > UDP_PORT_MAX_BATCH ? UDP_PORT_MAX_BATCH : (uint32_t)n;
}

int udp_port_open(struct rill_udp_port *port, uv_loop_t *loop, const struct sockaddr *addr,
                  bool reuse_addr, struct rill_pool *buffers, struct rill_limiter *global,
                  size_t socket_budget_bytes)
{
  int fd, status;
  memset(port, 0, sizeof(*port));
  port->fd = -1;
  port->buffers = buffers;
  port->retry_ns = RETRY_DEFAULT_NS;
  ratelimit_init(&port->pause_log, 5 * NS_PER_S, 1);
  if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)
    return RILL_EINVAL;
  if (buffers) {
    status = limiter_init(&port->scope, global, socket_budget_bytes, "socket");
    if (status != RILL_OK)
      return status;
    port->batch = batch_for(buffers, socket_budget_bytes);
  }
  status = bind_socket(addr, reuse_addr, &fd);
  if (status != RILL_OK)
    return status;
  /* uv_poll_init fails only for an fd the loop already watches, which a
   * fresh socket is not. */
  if (uv_poll_init(loop, &port->poll, fd) != 0) {
    close(fd);
    return RILL_ENETWORK;
  }
  port->fd = fd;
  uv_timer_init(loop, &port->retry);
  port->poll.data = port;
  port->retry.data = port;
  return RILL_OK;
}

int udp_port_local_addr(struct rill_udp_port *port, struct sockaddr_storage *out)
{
  socklen_t len = sizeof(*out);
  memset(out, 0, sizeof(*out));
  return getsockname(port->fd, (struct sockaddr *)out, &len) == 0 ? RILL_OK : RILL_ENETWORK;
}

/* IPv4: `iface` is the interface's address, or its name. */
static int join_v4(int fd, const char *group, const char *iface)
{
  struct ip_mreqn m;
  memset(&m, 0, sizeof(m));
  if (inet_pton(AF_INET, group, &m.imr_multiaddr) != 1)
    return RILL_EINVAL;
  if (iface && inet_pton(AF_INET, iface, &m.imr_address) != 1) {
    m.imr_ifindex = (int)if_nametoindex(iface);
    if (m.imr_ifindex == 0)
      return RILL_EINVAL;
  }
  return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) == 0 ? RILL_OK
                                                                            : RILL_ENETWORK;
}

/* IPv6: `iface` is the interface's name or index, or an address with a
 * scope ("fe80::1%eth0", as libuv took it). */
static int join_v6(int fd, const char *group, const char *iface)
{
  struct ipv6_mreq m;
  memset(&m, 0, sizeof(m));
  if (inet_pton(AF_INET6, group, &m.ipv6mr_multiaddr) != 1)
    return RILL_EINVAL;
  if (iface) {
    const char *scope = strchr(iface, '%');
    const char *name = scope ? scope + 1 : iface;
    char *end = NULL;
    unsigned long index = strtoul(name, &end, 10);
    m.ipv6mr_interface = (end != name && *end == '\0') ? (unsigned)index : if_nametoindex(name);
    if (m.ipv6mr_interface == 0)
      return RILL_EINVAL;
  }
  return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)) == 0 ? RILL_OK
                                                                           : RILL_ENETWORK;
}

int udp_port_join(struct rill_udp_port *port, const char *group, const char *iface)
{
  struct in_addr v4;
  return inet_pton(AF_INET, group, &v4) == 1 ? join_v4(port->fd, group, iface)
                                             : join_v6(port->fd, group, iface);
}

static void on_readable(uv_poll_t *poll, int status, int events);
static void on_retry(uv_timer_t *timer);

static void pause_receiving(struct rill_udp_port *port)
{
  uint32_t suppressed = 0;
  uv_poll_stop(&port->poll);
  port->paused = true;
  atomic_store_explicit(&port->paused_flag, true, memory_order_relaxed);
  count(&port->pauses);
  /* Wake this thread when a reader frees a buffer (the context's notify);
   * the retry timer is the fallback. */
  pool_want_notify(port->buffers);
  uv_timer_start(&port->retry, on_retry, (uint64_t)(port->retry_ns / NS_PER_MS), 0);
  if (ratelimit_allow(&port->pause_log, clock_now_ns(), &suppressed)) {
    const struct rill_limiter *global = port->scope.parent;
    RILL_LOG(RILL_LOG_WARN, "net",
             "receive paused: memory budget reached (socket %zu of %zu bytes, context %zu of "
             "%zu); the kernel buffer takes the excess (%u more pauses not logged)",
             (size_t)atomic_load(&port->scope.used_bytes), port->scope.budget_bytes,
             global ? (size_t)atomic_load(&global->used_bytes) : (size_t)0,
             global ? global->budget_bytes : (size_t)0, suppressed);
  }
}

/* Top the spares up to the batch size; how many there are now. */
static uint32_t fill_spares(struct rill_udp_port *port)
{
  while (port->spares < port->batch) {
    struct rill_buffer *b = buffer_alloc(port->buffers, &port->scope);
    if (!b)
      break;
    port->spare[port->spares++] = b;
  }
  return port->spares;
}

static void drop_spares(struct rill_udp_port *port)
{
  while (port->spares > 0)
    buffer_unref(port->spare[--port->spares]);
}

/* One recvmmsg into the first `ready` spares; delivers what came. The
 * number of datagrams read (truncated ones included), 0 when the queue was
 * empty, -1 on an error or when a delivery stopped the port. */
static int receive_batch(struct rill_udp_port *port, uint32_t ready)
{
  struct mmsghdr msgs[UDP_PORT_MAX_BATCH];
  struct iovec iov[UDP_PORT_MAX_BATCH];
  struct sockaddr_storage from[UDP_PORT_MAX_BATCH];
  uint32_t i, kept = 0;
  int64_t now_ns;
  int n;

  memset(msgs, 0, sizeof(msgs[0]) * ready);
  for (i = 0; i < ready; i++) {
    iov[i].iov_base = port->spare[i]->data;
    iov[i].iov_len = port->spare[i]->capacity_bytes;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
  }
  do
    n = recvmmsg(port->fd, msgs, ready, MSG_DONTWAIT, NULL);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return 0;
    count(&port->recv_errors);
    return -1;
  }
  if (n == 0)
    return 0;
  count(&port->batches);
  now_ns = clock_now_ns();
  /* Deliver in arrival order. A truncated datagram's buffer is kept for
   * the next batch, packed at the front with the unused spares. */
  for (i = 0; i < (uint32_t)n; i++) {
    struct rill_buffer *b = port->spare[i];
    if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
      count(&port->truncated);
      port->spare[kept++] = b;
      continue;
    }
    b->len_bytes = msgs[i].msg_len;
    count(&port->datagrams);
    port->on_datagram(port->user, b, (const struct sockaddr *)&from[i], now_ns);
  }
  for (; i < port->spares; i++)
    port->spare[kept++] = port->spare[i];
  port->spares = kept;
  /* A delivery may have held or closed the port. */
  return port->paused || port->closed ? -1 : n;
}

static void on_readable(uv_poll_t *poll, int status, int events)
{
  struct rill_udp_port *port = poll->data;
  int round;
  (void)events;
  if (status < 0) {
    /* libuv stopped the poll on the error: clear the socket's pending
     * error (SO_ERROR reads and resets it) and watch again. */
    int err = 0;
    socklen_t len = sizeof(err);
    count(&port->recv_errors);
    (void)getsockopt(port->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (!port->paused && !port->closed)
      uv_poll_start(&port->poll, UV_READABLE, on_readable);
    return;
  }
  for (round = 0; round < ROUNDS_PER_WAKEUP; round++) {
    uint32_t ready = fill_spares(port);
    if (ready == 0) {
      pause_receiving(port);
      return;
    }
    if (receive_batch(port, ready) < (int)ready)
      return; /* the queue is empty, or the port stopped */
  }
}

static void on_retry(uv_timer_t *timer)
{
  udp_port_resume(timer->data);
}

int udp_port_start(struct rill_udp_port *port, rill_udp_datagram_cb cb, void *user)
{
  int err;
  if (!port->buffers)
    return RILL_EINVAL;
  port->on_datagram = cb;
  port->user = user;
  err = uv_poll_start(&port->poll, UV_READABLE, on_readable);
  if (err)
    return map_uv_error(err);
  return RILL_OK;
}

void udp_port_resume(struct rill_udp_port *port)
{
  if (!port->paused || port->held || port->closed)
    return;
  uv_timer_stop(&port->retry);
  /* Resumed by the retry timer or housekeeping: nobody waits for a free
   * any more, so the reader's frees must not wake this thread. */
  pool_cancel_notify(port->buffers);
  port->paused = false;
  atomic_store_explicit(&port->paused_flag, false, memory_order_relaxed);
  uv_poll_start(&port->poll, UV_READABLE, on_readable);
}

void udp_port_hold(struct rill_udp_port *port)
{
  if (port->closed)
    return;
  /* Also when already paused for memory: the retry timer must not resume it. */
  uv_poll_stop(&port->poll);
  uv_timer_stop(&port->retry);
  port->held = true;
  port->paused = true;
  atomic_store_explicit(&port->paused_flag, true, memory_order_relaxed);
  /* A held port keeps no memory: the spares go back to the pool. */
  drop_spares(port);
}

void udp_port_release(struct rill_udp_port *port)
{
  if (!port->held)
    return;
  port->held = false;
  udp_port_resume(port);
}

size_t udp_port_flush(struct rill_udp_port *port, size_t max)
{
  unsigned char sink[1];
  size_t n = 0;
  if (port->closed || port->fd < 0)
    return 0;
  /* A 1-byte buffer: the rest of each datagram is discarded by the kernel. */
  while (n < max && recv(port->fd, sink, sizeof(sink), MSG_DONTWAIT | MSG_TRUNC) >= 0)
    n++;
  atomic_fetch_add_explicit(&port->flushed, n, memory_order_relaxed);
  return n;
}

size_t udp_port_recv_buffer(struct rill_udp_port *port)
{
  int value = 0;
  socklen_t len = sizeof(value);
  if (port->fd < 0 || getsockopt(port->fd, SOL_SOCKET, SO_RCVBUF, &value, &len) != 0 ||
      value < 0)
    return 0;
  return (size_t)value;
}

int udp_port_set_recv_buffer(struct rill_udp_port *port, size_t bytes, size_t *granted)
{
  int value = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes;
  int fd = port->fd;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, sizeof(value)) != 0)
    return RILL_ENETWORK;
  /* Read back, the kernel reports twice what it grants for data. Capped by
   * rmem_max: past it only a privileged process may go (EPERM otherwise,
   * and what SO_RCVBUF got stays). */
  if (udp_port_recv_buffer(port) / 2 < (size_t)value)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof(value));
  if (granted)
    *granted = udp_port_recv_buffer(port);
  return RILL_OK;
}

int udp_port_send(struct rill_udp_port *port, const uint8_t *data, size_t len,
                  const struct sockaddr *dest)
{
  ssize_t n;
  do
    n = sendto(port->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, dest,
               dest ? (socklen_t)addr_len(dest) : 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    count(&port->send_dropped);
    return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS ? RILL_EFULL : RILL_ENETWORK;
  }
  count(&port->sent);
  return RILL_OK;
}

static void on_handle_closed(uv_handle_t *handle)
{
  struct rill_udp_port *port = handle->data;
  if (--port->closing_handles > 0)
    return;
  /* libuv no longer watches the socket: now it may be closed. */
  close(port->fd);
  port->fd = -1;
  drop_spares(port);
  if (port->on_closed)
    port->on_closed(port);
}

void udp_port_close(struct rill_udp_port *port, void (*on_closed)(struct rill_udp_port *port))
{
  port->closed = true;
  port->on_closed = on_closed;
  port->closing_handles = 2;
  uv_poll_stop(&port->poll);
  uv_timer_stop(&port->retry);
  uv_close((uv_handle_t *)&port->poll, on_handle_closed);
  uv_close((uv_handle_t *)&port->retry, on_handle_closed);
}

void udp_port_stats(const struct rill_udp_port *port, struct rill_udp_port_stats *out)
{
#define LOAD(f) atomic_load_explicit(&port->f, memory_order_relaxed)
  out->datagrams = LOAD(datagrams);
  out->truncated = LOAD(truncated);
  out->recv_errors = LOAD(recv_errors);
  out->pauses = LOAD(pauses);
  out->sent = LOAD(sent);
  out->send_dropped = LOAD(send_dropped);
  out->flushed = LOAD(flushed);
  out->batches = LOAD(batches);
  out->paused = LOAD(paused_flag);
#undef LOAD
}
