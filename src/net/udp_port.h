/*
 * UDP ports on the network thread.
 *
 * The port owns its socket; libuv's uv_poll says when it is readable. A
 * receive port reads datagrams in batches (recvmmsg, up to
 * UDP_PORT_MAX_BATCH per call), each straight into a pool buffer charged to
 * the port's own limiter (the per-socket budget), and hands each to a
 * callback. Datagrams larger than a buffer are counted (truncated) and
 * dropped. When no buffer can be had (socket budget or global budget
 * exhausted), the port stops watching the socket, leaving the excess to the
 * kernel's socket buffer. It resumes when udp_port_resume is called (memory
 * came back) or when its fallback timer fires, never by polling a full pool
 * in a loop.
 *
 * Datagrams are sent with a non-blocking sendto; a datagram that cannot be
 * sent at once is dropped and counted.
 *
 * Thread role: network for everything except udp_port_stats (any).
 */
#ifndef RILL_NET_UDP_PORT_H
#define RILL_NET_UDP_PORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "core/buffer.h"
#include "core/limiter.h"
#include "core/log.h"

/*
 * Receives a datagram: `buf` (one reference, owned by the callee) holds
 * buf->len_bytes bytes from `src`. `now_ns` is the arrival time.
 */
typedef void (*rill_udp_datagram_cb)(void *user, struct rill_buffer *buf,
                                     const struct sockaddr *src, int64_t now_ns);

struct rill_udp_port_stats {
  uint64_t datagrams;     /* received and delivered */
  uint64_t flushed;       /* stale datagrams discarded from the kernel queue */
  uint64_t batches;       /* recvmmsg calls that returned datagrams */
  uint64_t truncated;     /* larger than a buffer: dropped */
  uint64_t recv_errors;
  uint64_t pauses;        /* times receiving stopped for want of memory */
  uint64_t sent;
  uint64_t send_dropped;  /* send would block or failed */
  bool paused;
};

/* Datagrams read per system call at most. */
#define UDP_PORT_MAX_BATCH 16

struct rill_udp_port {
  int fd;                       /* the socket, owned; -1 once closed */
  uv_poll_t poll;               /* readable events of fd */
  uv_timer_t retry;             /* fallback resume while paused */
  struct rill_pool *buffers;    /* borrowed: owned by the context */
  struct rill_limiter scope;    /* owned: the per-socket budget */
  rill_udp_datagram_cb on_datagram;
  void *user;
  /* Buffers ready for the next batch (charged to `scope`): up to `batch`,
   * which is UDP_PORT_MAX_BATCH or less under a small socket budget. */
  struct rill_buffer *spare[UDP_PORT_MAX_BATCH];
  uint32_t spares;
  uint32_t batch;
  int64_t retry_ns;
  bool paused;
  bool held;                                         /* paused by the owner: see udp_port_hold */
  bool closed;
  int closing_handles;                               /* handles not yet closed by libuv */
  void (*on_closed)(struct rill_udp_port *port);     /* run when both are closed */
  struct rill_ratelimit pause_log;                   /* one warning per few seconds */
  atomic_uint_least64_t datagrams, truncated, recv_errors, pauses, sent, send_dropped, flushed,
      batches;
  atomic_bool paused_flag;
};

/*
 * Open a UDP socket on `loop` bound to `addr`; SO_REUSEADDR if `reuse_addr`.
 * Receive ports take a buffer pool and a per-socket budget under `global`;
 * send ports pass buffers == NULL. Returns RILL_OK, RILL_EADDRINUSE,
 * RILL_ENETWORK, RILL_EINVAL.
 */
int udp_port_open(struct rill_udp_port *port, uv_loop_t *loop, const struct sockaddr *addr,
                  bool reuse_addr, struct rill_pool *buffers, struct rill_limiter *global,
                  size_t socket_budget_bytes);

/* The bound address (port 0 resolved). RILL_OK or RILL_ENETWORK. */
int udp_port_local_addr(struct rill_udp_port *port, struct sockaddr_storage *out);

/* Join multicast group `group` on interface `iface` (NULL: any; IPv4: the
 * interface's address or name; IPv6: its name or index, or an address with
 * a %scope). RILL_OK, RILL_EINVAL (bad group or unknown interface),
 * RILL_ENETWORK. */
int udp_port_join(struct rill_udp_port *port, const char *group, const char *iface);

/* Start delivering datagrams to `cb`. */
int udp_port_start(struct rill_udp_port *port, rill_udp_datagram_cb cb, void *user);

/*
 * Resume a port paused for want of memory (called when memory was released,
 * and by the fallback timer). No-op if not paused, or if held.
 */
void udp_port_resume(struct rill_udp_port *port);

/*
 * Hold the port: stop receiving until udp_port_release, whatever memory does
 * (the owner went idle). The fallback timer is stopped and memory events do
 * not resume it; the kernel's socket buffer absorbs or drops what arrives.
 */
void udp_port_hold(struct rill_udp_port *port);

/* Undo udp_port_hold and receive again. */
void udp_port_release(struct rill_udp_port *port);

/*
 * Discard every datagram waiting in the kernel's queue (at most `max`),
 * without touching pool memory; returns how many. Used when leaving idle, so
 * that audio queued while nobody listened is not played late.
 */
size_t udp_port_flush(struct rill_udp_port *port, size_t max);

/*
 * Ask the kernel for a receive buffer of `bytes` (SO_RCVBUF). The kernel
 * caps that at net.core.rmem_max; when it granted less and the process may
 * (CAP_NET_ADMIN), SO_RCVBUFFORCE asks again past the cap. *granted (may be
 * NULL) gets what the kernel holds for the socket now (SO_RCVBUF as read
 * back: the kernel doubles the request for its bookkeeping). RILL_OK, or
 * RILL_ENETWORK if the socket refused the option altogether.
 */
int udp_port_set_recv_buffer(struct rill_udp_port *port, size_t bytes, size_t *granted);

/* The kernel's receive buffer for the socket now (SO_RCVBUF read back), 0 if
 * unknown. Thread role: the port's loop thread or control while it is idle. */
size_t udp_port_recv_buffer(struct rill_udp_port *port);

/* Send one datagram to `dest` (NULL: the connected peer) without blocking. */
int udp_port_send(struct rill_udp_port *port, const uint8_t *data, size_t len,
                  const struct sockaddr *dest);

/*
 * Stop and close the socket; `on_closed` runs on the loop thread once libuv
 * has released the handles (the port's memory may be freed then).
 */
void udp_port_close(struct rill_udp_port *port, void (*on_closed)(struct rill_udp_port *port));

/* Counters. Thread role: any. */
void udp_port_stats(const struct rill_udp_port *port, struct rill_udp_port_stats *out);

#endif /* RILL_NET_UDP_PORT_H */
