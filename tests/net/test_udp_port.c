/*
 * The UDP port on a loop run by the test thread: datagrams read in batches
 * of UDP_PORT_MAX_BATCH in arrival order, each into its own pool buffer
 * with its source; oversized ones counted and dropped; a smaller batch under
 * a small socket budget; pause at the budget and resume; hold gives the
 * spares back; sending; multicast joins by address and by interface name,
 * and clear refusals of a bad group or interface.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <rill/status.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buffer.h"
#include "net/udp_port.h"
#include "test_util.h"

#define DATAGRAM_BYTES 1500
#define MAX_SEEN 128

struct fixture {
  uv_loop_t loop;
  struct rill_limiter global;
  struct rill_pool *pool;
  struct rill_udp_port port;
  struct sockaddr_in to; /* the port's address */
  int tx;                /* a plain socket sending to it */
  uint32_t seen;
  uint32_t first_byte[MAX_SEEN];
  uint32_t len[MAX_SEEN];
  uint16_t src_port[MAX_SEEN];
  bool closed;
  bool keep;                            /* keep delivered buffers (to fill the budget) */
  struct rill_buffer *kept[MAX_SEEN];
};

static void on_datagram(void *user, struct rill_buffer *buf, const struct sockaddr *src,
                        int64_t now_ns)
{
  struct fixture *f = user;
  (void)now_ns;
  assert_true(f->seen < MAX_SEEN);
  f->first_byte[f->seen] = buf->len_bytes ? buf->data[0] : 0xffffffffu;
  f->len[f->seen] = buf->len_bytes;
  f->src_port[f->seen] = ntohs(((const struct sockaddr_in *)src)->sin_port);
  if (f->keep)
    f->kept[f->seen] = buf;
  else
    buffer_unref(buf);
  f->seen++;
}

static size_t stride_of(struct fixture *f)
{
  struct rill_pool_stats ps;
  pool_stats(f->pool, &ps);
  return ps.stride_bytes;
}

/* A port whose socket budget holds `socket_buffers` buffers. */
static void open_port(struct fixture *f, size_t socket_buffers)
{
  struct rill_pool_config cfg = {"packets", buffer_object_bytes(DATAGRAM_BYTES), 0, 0, 0, 0};
  struct sockaddr_storage local;
  struct sockaddr_in txaddr;
  memset(f, 0, sizeof(*f));
  memset(&txaddr, 0, sizeof(txaddr));
  assert_int_equal(uv_loop_init(&f->loop), 0);
  assert_int_equal(limiter_init(&f->global, NULL, 4 << 20, "global"), RILL_OK);
  assert_int_equal(pool_create(arena_heap(), &f->global, &cfg, &f->pool), RILL_OK);
  f->to.sin_family = AF_INET;
  f->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(udp_port_open(&f->port, &f->loop, (const struct sockaddr *)&f->to, false,
                                 f->pool, &f->global, socket_buffers * stride_of(f)),
                   RILL_OK);
  assert_int_equal(udp_port_local_addr(&f->port, &local), RILL_OK);
  f->to.sin_port = ((struct sockaddr_in *)&local)->sin_port;
  assert_int_not_equal(f->to.sin_port, 0);
  f->tx = socket(AF_INET, SOCK_DGRAM, 0);
  assert_true(f->tx >= 0);
  txaddr.sin_family = AF_INET;
  txaddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(f->tx, (struct sockaddr *)&txaddr, sizeof(txaddr)), 0);
}

static void on_closed(struct rill_udp_port *port)
{
  struct fixture *f = (struct fixture *)((char *)port - offsetof(struct fixture, port));
  f->closed = true;
}

static void close_port(struct fixture *f)
{
  uint32_t i;
  if (f->keep)
    for (i = 0; i < f->seen; i++)
      buffer_unref(f->kept[i]);
  udp_port_close(&f->port, on_closed);
  while (!f->closed)
    uv_run(&f->loop, UV_RUN_ONCE);
  assert_int_equal(uv_loop_close(&f->loop), 0);
  close(f->tx);
  pool_trim(f->pool);
  pool_destroy(f->pool);
  assert_int_equal(atomic_load(&f->global.used_bytes), 0);
}

/* Datagram k: k+1 bytes (at most 200), every byte k. */
static void send_numbered(struct fixture *f, uint32_t k)
{
  uint8_t d[200];
  size_t len = k % sizeof(d) + 1;
  memset(d, (int)k, len);
  assert_int_equal(sendto(f->tx, d, len, 0, (struct sockaddr *)&f->to, sizeof(f->to)),
                   (ssize_t)len);
}

/* Run the loop until `n` datagrams were delivered (or 2000 turns of it:
 * not a timed assertion, the caller checks the count). */
static void run_until_seen(struct fixture *f, uint32_t n)
{
  int turns;
  for (turns = 0; turns < 2000 && f->seen < n; turns++) {
    uv_run(&f->loop, UV_RUN_NOWAIT);
    if (f->seen < n)
      usleep(1000);
  }
}

static void port_reads_what_queued_in_batches_in_order(void **state)
{
  struct fixture f;
  struct rill_udp_port_stats st;
  struct sockaddr_storage txaddr;
  socklen_t txlen = sizeof(txaddr);
  static uint8_t big[4000];
  uint32_t k;
  (void)state;
  open_port(&f, 512);
  /* 40 datagrams and one oversized (4000 bytes > a 1500-byte buffer) queue
   * in the kernel before the port is started: 41 datagrams, 3 calls. */
  for (k = 0; k < 20; k++)
    send_numbered(&f, k);
  assert_int_equal(sendto(f.tx, big, sizeof(big), 0, (struct sockaddr *)&f.to, sizeof(f.to)),
                   (ssize_t)sizeof(big));
  for (k = 20; k < 40; k++)
    send_numbered(&f, k);
  assert_int_equal(getsockname(f.tx, (struct sockaddr *)&txaddr, &txlen), 0);
  assert_int_equal(udp_port_start(&f.port, on_datagram, &f), RILL_OK);
  run_until_seen(&f, 40);
  assert_int_equal(f.seen, 40);
  for (k = 0; k < 40; k++) {
    assert_int_equal(f.first_byte[k], k);
    assert_int_equal(f.len[k], k + 1);
    assert_int_equal(f.src_port[k], ntohs(((struct sockaddr_in *)&txaddr)->sin_port));
  }
  udp_port_stats(&f.port, &st);
  assert_int_equal(st.datagrams, 40);
  assert_int_equal(st.truncated, 1);
  assert_int_equal(st.batches, (41 + UDP_PORT_MAX_BATCH - 1) / UDP_PORT_MAX_BATCH);
  assert_int_equal(st.recv_errors, 0);
  /* Idle, the port keeps the buffers the last batch did not fill, charged
   * to its socket: 16 less the 9 datagrams of the third batch (the
   * oversized one was the second's, whose buffer was reused). */
  assert_int_equal(f.port.spares, UDP_PORT_MAX_BATCH - (41 - 2 * UDP_PORT_MAX_BATCH));
  assert_int_equal(atomic_load(&f.port.scope.used_bytes), f.port.spares * stride_of(&f));
  /* Held, it keeps none. */
  udp_port_hold(&f.port);
  assert_int_equal(f.port.spares, 0);
  assert_int_equal(atomic_load(&f.port.scope.used_bytes), 0);
  udp_port_release(&f.port);
  send_numbered(&f, 40);
  run_until_seen(&f, 41);
  assert_int_equal(f.seen, 41);
  assert_int_equal(f.first_byte[40], 40);
  close_port(&f);
}

static void port_batch_shrinks_under_a_small_budget_and_pauses_at_it(void **state)
{
  struct fixture f;
  struct rill_udp_port_stats st;
  uint32_t k;
  (void)state;
  /* Room for 40 buffers: the batch is 40 / 16 = 2. */
  open_port(&f, 40);
  assert_int_equal(f.port.batch, 2);
  f.keep = true; /* delivered buffers stay charged to the socket */
  for (k = 0; k < 60; k++)
    send_numbered(&f, k);
  assert_int_equal(udp_port_start(&f.port, on_datagram, &f), RILL_OK);
  run_until_seen(&f, 40);
  /* 40 buffers, all delivered: the budget is reached, and the port pauses
   * at its next wake-up with 20 datagrams left in the kernel. */
  for (k = 0; k < 100 && !f.port.paused; k++)
    uv_run(&f.loop, UV_RUN_NOWAIT);
  udp_port_stats(&f.port, &st);
  assert_int_equal(f.seen, 40);
  assert_true(st.paused);
  assert_true(st.pauses >= 1);
  assert_int_equal(st.batches, 20);
  for (k = 0; k < 40; k++)
    assert_int_equal(f.first_byte[k], k);
  /* Memory comes back: the rest is read. */
  for (k = 0; k < 40; k++)
    buffer_unref(f.kept[k]);
  f.keep = false;
  f.seen = 0;
  udp_port_resume(&f.port);
  run_until_seen(&f, 20);
  assert_int_equal(f.seen, 20);
  assert_int_equal(f.first_byte[0], 40);
  assert_int_equal(f.first_byte[19], 59);
  close_port(&f);
}

static void port_sends_and_joins_groups(void **state)
{
  struct fixture f;
  struct sockaddr_in back;
  socklen_t blen = sizeof(back);
  struct rill_udp_port_stats st;
  uint8_t msg[3] = {1, 2, 3}, got[8];
  (void)state;
  open_port(&f, 512);
  /* The port sends to the plain socket. */
  assert_int_equal(getsockname(f.tx, (struct sockaddr *)&back, &blen), 0);
  back.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(udp_port_send(&f.port, msg, sizeof(msg), (struct sockaddr *)&back), RILL_OK);
  assert_int_equal(recv(f.tx, got, sizeof(got), 0), 3);
  assert_memory_equal(got, msg, 3);
  udp_port_stats(&f.port, &st);
  assert_int_equal(st.sent, 1);
  /* Joins: by the interface's address and by its name; a bad group and an
   * unknown interface are refused as invalid. */
  assert_int_equal(udp_port_join(&f.port, "239.255.7.1", "127.0.0.1"), RILL_OK);
  assert_int_equal(udp_port_join(&f.port, "239.255.7.2", "lo"), RILL_OK);
  assert_int_equal(udp_port_join(&f.port, "239.255.7.3", "no-such-if0"), RILL_EINVAL);
  assert_int_equal(udp_port_join(&f.port, "not-an-ip", NULL), RILL_EINVAL);
  close_port(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(port_reads_what_queued_in_batches_in_order),
      cmocka_unit_test(port_batch_shrinks_under_a_small_budget_and_pauses_at_it),
      cmocka_unit_test(port_sends_and_joins_groups),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
