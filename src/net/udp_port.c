/*
 * UDP ports. Receive memory: libuv asks for a buffer before each recvmsg
 * (alloc_cb); the port keeps one pool buffer ready (`spare`) so that a
 * wake-up that finds no datagram costs nothing, and gives libuv an empty
 * buffer when the pool refuses, which libuv turns into UV_ENOBUFS in the
 * receive callback: that is where receiving is stopped.
 */
#include "net/udp_port.h"

#include <rill/status.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "net/addr.h"

#define RETRY_DEFAULT_NS (50 * NS_PER_MS)

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

int udp_port_open(struct rill_udp_port *port, uv_loop_t *loop, const struct sockaddr *addr,
                  bool reuse_addr, struct rill_pool *buffers, struct rill_limiter *global,
                  size_t socket_budget_bytes)
{
  int fd, status;
  memset(port, 0, sizeof(*port));
  port->buffers = buffers;
  port->retry_ns = RETRY_DEFAULT_NS;
  ratelimit_init(&port->pause_log, 5 * NS_PER_S, 1);
  if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)
    return RILL_EINVAL;
  if (buffers) {
    status = limiter_init(&port->scope, global, socket_budget_bytes, "socket");
    if (status != RILL_OK)
      return status;
  }
  status = bind_socket(addr, reuse_addr, &fd);
  if (status != RILL_OK)
    return status;
  /* On a live loop these only fill in structures; they cannot fail for a
   * fresh datagram socket. */
  uv_udp_init(loop, &port->handle);
  uv_udp_open(&port->handle, fd);
  uv_timer_init(loop, &port->retry);
  port->handle.data = port;
  port->retry.data = port;
  return RILL_OK;
}

int udp_port_local_addr(struct rill_udp_port *port, struct sockaddr_storage *out)
{
  int len = (int)sizeof(*out);
  return uv_udp_getsockname(&port->handle, (struct sockaddr *)out, &len) == 0 ? RILL_OK
                                                                               : RILL_ENETWORK;
}

int udp_port_join(struct rill_udp_port *port, const char *group, const char *iface)
{
  return map_uv_error(uv_udp_set_membership(&port->handle, group, iface, UV_JOIN_GROUP));
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
  struct rill_udp_port *port = handle->data;
  (void)suggested;
  if (!port->spare)
    port->spare = buffer_alloc(port->buffers, &port->scope);
  if (!port->spare) {
    /* libuv reports this as UV_ENOBUFS to on_recv. */
    buf->base = NULL;
    buf->len = 0;
    return;
  }
  buf->base = (char *)port->spare->data;
  buf->len = port->spare->capacity_bytes;
}

static void pause_receiving(struct rill_udp_port *port)
{
  uint32_t suppressed = 0;
  uv_udp_recv_stop(&port->handle);
  port->paused = true;
  atomic_store_explicit(&port->paused_flag, true, memory_order_relaxed);
  count(&port->pauses);
  /* Wake this thread when a reader frees a buffer (the context's notify);
   * the retry timer is the fallback. */
  pool_want_notify(port->buffers);
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

static void on_retry(uv_timer_t *timer);

static void on_recv(uv_udp_t *handle, ssize_t nread, const uv_buf_t *uvbuf,
                    const struct sockaddr *addr, unsigned flags)
{
  struct rill_udp_port *port = handle->data;
  struct rill_buffer *buf;
  (void)uvbuf;

  if (nread == UV_ENOBUFS) {
    pause_receiving(port);
    uv_timer_start(&port->retry, on_retry, (uint64_t)(port->retry_ns / NS_PER_MS), 0);
    return;
  }
  if (nread < 0) {
    count(&port->recv_errors);
    return;
  }
  if (nread == 0 && !addr)
    return; /* nothing to read: keep the spare buffer */
  if (flags & UV_UDP_PARTIAL) {
    count(&port->truncated);
    return;
  }
  buf = port->spare;
  port->spare = NULL;
  buf->len_bytes = (uint32_t)nread;
  count(&port->datagrams);
  port->on_datagram(port->user, buf, addr, clock_now_ns());
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
  err = uv_udp_recv_start(&port->handle, on_alloc, on_recv);
  if (err)
    return map_uv_error(err);
  port->receiving = true;
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
  uv_udp_recv_start(&port->handle, on_alloc, on_recv);
}

void udp_port_hold(struct rill_udp_port *port)
{
  if (port->closed)
    return;
  /* Also when already paused for memory: the retry timer must not resume it. */
  uv_udp_recv_stop(&port->handle);
  uv_timer_stop(&port->retry);
  port->held = true;
  port->paused = true;
  atomic_store_explicit(&port->paused_flag, true, memory_order_relaxed);
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
  uv_os_fd_t fd;
  size_t n = 0;
  if (port->closed || uv_fileno((uv_handle_t *)&port->handle, &fd) != 0)
    return 0;
  /* A 1-byte buffer: the rest of each datagram is discarded by the kernel. */
  while (n < max && recv(fd, sink, sizeof(sink), MSG_DONTWAIT | MSG_TRUNC) >= 0)
    n++;
  atomic_fetch_add_explicit(&port->flushed, n, memory_order_relaxed);
  return n;
}

size_t udp_port_recv_buffer(struct rill_udp_port *port)
{
  uv_os_fd_t fd;
  int value = 0;
  socklen_t len = sizeof(value);
  if (uv_fileno((uv_handle_t *)&port->handle, &fd) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, &len) != 0 || value < 0)
    return 0;
  return (size_t)value;
}

int udp_port_set_recv_buffer(struct rill_udp_port *port, size_t bytes, size_t *granted)
{
  int value = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes;
  uv_os_fd_t fd;
  if (uv_fileno((uv_handle_t *)&port->handle, &fd) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, sizeof(value)) != 0)
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
  uv_buf_t b = uv_buf_init((char *)(uintptr_t)data, (unsigned)len);
  int n = uv_udp_try_send(&port->handle, &b, 1, dest);
  if (n < 0) {
    count(&port->send_dropped);
    return n == UV_EAGAIN ? RILL_EFULL : RILL_ENETWORK;
  }
  count(&port->sent);
  return RILL_OK;
}

static void on_handle_closed(uv_handle_t *handle)
{
  struct rill_udp_port *port = handle->data;
  if (--port->closing_handles > 0)
    return;
  buffer_unref(port->spare);
  port->spare = NULL;
  if (port->on_closed)
    port->on_closed(port);
}

void udp_port_close(struct rill_udp_port *port, void (*on_closed)(struct rill_udp_port *port))
{
  port->closed = true;
  port->on_closed = on_closed;
  port->closing_handles = 2;
  uv_udp_recv_stop(&port->handle);
  uv_timer_stop(&port->retry);
  uv_close((uv_handle_t *)&port->handle, on_handle_closed);
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
  out->paused = LOAD(paused_flag);
#undef LOAD
}
