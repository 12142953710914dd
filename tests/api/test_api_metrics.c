/*
 * Public API metrics: rill_receiver_metrics reports every active session up
 * to the caller's capacity, whatever max_sessions is (it once stopped at
 * 16). Real UDP over 127.0.0.1: 30 senders, one packet each.
 */
#include <arpa/inet.h>
#include <rill/rill.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

#define SENDERS 30

static void send_one(int fd, uint16_t port, uint32_t ssrc)
{
  uint8_t pkt[12 + 4 * 220];
  struct sockaddr_in dst;
  memset(pkt, 0, sizeof(pkt));
  pkt[0] = 0x80;
  pkt[1] = 10; /* L16 stereo 44.1 kHz */
  pkt[8] = (uint8_t)(ssrc >> 24);
  pkt[9] = (uint8_t)(ssrc >> 16);
  pkt[10] = (uint8_t)(ssrc >> 8);
  pkt[11] = (uint8_t)ssrc;
  memset(&dst, 0, sizeof(dst));
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst, sizeof(dst)),
                   (ssize_t)sizeof(pkt));
}

static void receiver_metrics_report_every_session(void **state)
{
  struct rill_context *ctx;
  struct rill_receiver *recv;
  struct rill_receiver_config cfg;
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  static struct rill_session_metrics sessions[64];
  bool seen[SENDERS] = {false};
  uint16_t port = 0;
  size_t n = 0, i;
  int fd, tries;
  (void)state;

  assert_int_equal(rill_context_open(NULL, &ctx), RILL_OK);
  memset(&cfg, 0, sizeof(cfg));
  cfg.max_sessions = 40;
  cfg.max_session_creations_per_s = 1000;
  cfg.idle_timeout_ns = -1; /* nobody reads here */
  cfg.session_timeout_ns = 60 * INT64_C(1000000000);
  assert_int_equal(rill_receiver_open(ctx, &cfg, &recv), RILL_OK);
  assert_int_equal(rill_receiver_bind(recv, "rtp://127.0.0.1:0", NULL, &port), RILL_OK);
  sessions[0].struct_size = sizeof(sessions[0]);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  assert_true(fd >= 0);
  for (i = 0; i < SENDERS; i++)
    send_one(fd, port, 0x1000 + (uint32_t)i);
  /* Wait (bounded) until the network thread has routed all of them. */
  for (tries = 0; tries < 500; tries++) {
    struct timespec ts = {0, 10000000};
    assert_int_equal(rill_receiver_metrics(recv, &m, NULL, 0, NULL), RILL_OK);
    if (m.sessions == SENDERS)
      break;
    nanosleep(&ts, NULL);
  }
  assert_int_equal(m.sessions, SENDERS);
  /* The kernel's buffer was sized for the socket budget (4 x 1 MiB by
   * default; it reports twice what holds data), forced past rmem_max when
   * the process may (root, as CI runs). */
  assert_true(m.socket_rcvbuf_bytes > 0);
  if (geteuid() == 0)
    assert_true(m.socket_rcvbuf_bytes / 2 >= (size_t)4 << 20);

  assert_int_equal(rill_receiver_metrics(recv, &m, sessions, 64, &n), RILL_OK);
  assert_int_equal(n, SENDERS);
  for (i = 0; i < n; i++) {
    uint32_t k = sessions[i].ssrc - 0x1000;
    assert_true(k < SENDERS);
    assert_false(seen[k]);
    seen[k] = true;
    assert_int_equal(sessions[i].packets_received, 1);
    assert_int_equal(sessions[i].payload_type, 10);
    assert_true(strncmp(sessions[i].source, "127.0.0.1:", 10) == 0);
  }
  /* A smaller array gets exactly its capacity. */
  assert_int_equal(rill_receiver_metrics(recv, &m, sessions, 7, &n), RILL_OK);
  assert_int_equal(n, 7);

  /* Metrics structs can grow (rill/metrics.h). An older caller's shorter
   * struct: only struct_size bytes are written. */
  {
    unsigned char raw[sizeof(struct rill_receiver_metrics) + 64];
    size_t old_size = offsetof(struct rill_receiver_metrics, datagrams) + sizeof(uint64_t), b;
    uint64_t datagrams;
    memset(raw, 0xa5, sizeof(raw));
    memcpy(raw, &old_size, sizeof(old_size));
    assert_int_equal(rill_receiver_metrics(recv, (struct rill_receiver_metrics *)(void *)raw,
                                           NULL, 0, NULL),
                     RILL_OK);
    memcpy(&datagrams, raw + offsetof(struct rill_receiver_metrics, datagrams), sizeof(datagrams));
    assert_int_equal(datagrams, SENDERS);
    for (b = old_size; b < sizeof(raw); b++)
      assert_int_equal(raw[b], 0xa5);
  }
  /* A newer caller's longer struct and session elements: what this library
   * does not know is zeroed, and the elements sit struct_size apart. */
  {
    enum { STRIDE = sizeof(struct rill_session_metrics) + 40 };
    static unsigned char raw[3 * STRIDE];
    unsigned char mraw[sizeof(struct rill_receiver_metrics) + 24];
    size_t stride = STRIDE, msize = sizeof(mraw), b, k;
    memset(raw, 0xa5, sizeof(raw));
    memcpy(raw, &stride, sizeof(stride));
    memset(mraw, 0xa5, sizeof(mraw));
    memcpy(mraw, &msize, sizeof(msize));
    assert_int_equal(rill_receiver_metrics(recv, (struct rill_receiver_metrics *)(void *)mraw,
                                           (struct rill_session_metrics *)(void *)raw, 3, &n),
                     RILL_OK);
    assert_int_equal(n, 3);
    for (b = sizeof(struct rill_receiver_metrics); b < sizeof(mraw); b++)
      assert_int_equal(mraw[b], 0);
    for (k = 0; k < 3; k++) {
      struct rill_session_metrics one;
      memcpy(&one, raw + k * STRIDE, sizeof(one));
      assert_int_equal(one.struct_size, STRIDE);
      assert_true(one.ssrc - 0x1000 < SENDERS);
      assert_int_equal(one.packets_received, 1);
      for (b = sizeof(one); b < STRIDE; b++)
        assert_int_equal(raw[k * STRIDE + b], 0);
    }
  }
  /* struct_size 0: the 0.1 layout; a size that is no size: refused. */
  {
    struct rill_receiver_metrics z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(rill_receiver_metrics(recv, &z, NULL, 0, NULL), RILL_OK);
    assert_int_equal(z.datagrams, SENDERS);
    z.struct_size = (size_t)1 << 40;
    assert_int_equal(rill_receiver_metrics(recv, &z, NULL, 0, NULL), RILL_EINVAL);
  }

  close(fd);
  assert_int_equal(rill_receiver_close(recv), RILL_OK);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(receiver_metrics_report_every_session),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
