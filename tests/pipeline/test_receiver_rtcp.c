/*
 * Receiver RTCP: reports and BYEs in (receiver_inject_endpoint on the
 * control interface, injected clock), sessions and counters out. The
 * receiver is never bound, so nothing runs on the real clock and every
 * count below is deterministic. Also the pure parts: end-to-end latency
 * from an SR mapping, round trip from an echo, address matching.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <rill/status.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "net/addr.h"
#include "pipeline/context.h"
#include "pipeline/receiver.h"
#include "pipeline/rtcp_local.h"
#include "rtcp/ntp.h"
#include "rtcp/rtcp.h"
#include "rtp/payload.h"
#include "rtp/rtp.h"
#include "test_util.h"

#define RATE 44100
#define PKT_FRAMES 221
#define SSRC_A 0x1111aaaau
#define SSRC_B 0x2222bbbbu

struct fixture {
  size_t arena_blocks_before;
  struct rill_context *ctx;
  struct rill_receiver *r;
  int64_t now_ns;
};

static struct sockaddr_in addr(const char *ip, uint16_t port)
{
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
  return a;
}

static void open_receiver(struct fixture *x)
{
  struct rill_context_params cp = {(size_t)16 << 20, CONTEXT_DEFAULT_MAX_PACKET_BYTES, NULL};
  struct rill_receiver_params p;
  memset(&p, 0, sizeof(p));
  p.rate_hz = RATE;
  p.channels = 2;
  p.target_latency_ns = 4 * (int64_t)PKT_FRAMES * NS_PER_S / RATE + 1;
  p.session_timeout_ns = 2 * NS_PER_S;
  p.max_sessions = 4;
  p.session_budget_bytes = (size_t)4 << 20;
  p.socket_budget_bytes = (size_t)1 << 20;
  p.max_queue_packets = 64;
  p.rtcp_min_interval_ns = 200 * NS_PER_MS;
  p.rtcp_timeout_ns = 5 * NS_PER_S;
  rtp_registry_init(&p.registry);
  memset(x, 0, sizeof(*x));
  x->arena_blocks_before = atomic_load(&arena_heap()->live_blocks);
  assert_int_equal(context_create(&cp, &x->ctx), RILL_OK);
  assert_int_equal(receiver_create(x->ctx, &p, &x->r), RILL_OK);
  x->now_ns = 1000 * NS_PER_S;
}

static void close_receiver(struct fixture *x)
{
  receiver_destroy(x->r);
  assert_int_equal(context_destroy(x->ctx), RILL_OK);
  assert_int_equal(atomic_load(&arena_heap()->live_blocks), x->arena_blocks_before);
}

/* RTP packet k of `ssrc` (L16 stereo, PT 10, silence) from `src`. */
static void send_rtp(struct fixture *x, uint32_t ssrc, uint32_t k, const struct sockaddr_in *src)
{
  uint8_t dgram[2048];
  struct rtp_header h;
  size_t hdr = 0, payload = PKT_FRAMES * 4;
  memset(&h, 0, sizeof(h));
  h.version = RTP_VERSION;
  h.payload_type = 10;
  h.seq = (uint16_t)(100 + k);
  h.timestamp = 5000 + k * PKT_FRAMES;
  h.ssrc = ssrc;
  assert_int_equal(rtp_compose(&h, dgram, sizeof(dgram), &hdr), RILL_OK);
  memset(dgram + hdr, 0, payload);
  assert_int_equal(receiver_inject(x->r, dgram, hdr + payload, (const struct sockaddr *)src,
                                   x->now_ns),
                   RILL_OK);
}

static void send_rtcp(struct fixture *x, const uint8_t *data, size_t len,
                      const struct sockaddr_in *src)
{
  assert_int_equal(receiver_inject_endpoint(x->r, RECEIVER_IFACE_CONTROL, data, len,
                                            (const struct sockaddr *)src, x->now_ns),
                   RILL_OK);
}

/* An SR + SDES compound of `ssrc` (mapping ntp <-> rtp), with a BYE if `bye`. */
static size_t compose_sr(uint32_t ssrc, uint64_t ntp, uint32_t rtp, bool bye, uint8_t *buf,
                         size_t cap)
{
  struct rtcp_builder b;
  struct rtcp_sr sr;
  memset(&sr, 0, sizeof(sr));
  sr.ssrc = ssrc;
  sr.ntp = ntp;
  sr.rtp_ts = rtp;
  rtcp_builder_init(&b, buf, cap);
  assert_int_equal(rtcp_add_sr(&b, &sr, NULL, 0), RILL_OK);
  assert_int_equal(rtcp_add_sdes_cname(&b, ssrc, "test@host"), RILL_OK);
  if (bye)
    assert_int_equal(rtcp_add_bye(&b, &ssrc, 1, "gone"), RILL_OK);
  return b.len;
}

static size_t compose_bye(uint32_t ssrc, uint8_t *buf, size_t cap)
{
  struct rtcp_builder b;
  rtcp_builder_init(&b, buf, cap);
  assert_int_equal(rtcp_add_rr(&b, ssrc, NULL, 0), RILL_OK);
  assert_int_equal(rtcp_add_bye(&b, &ssrc, 1, NULL), RILL_OK);
  return b.len;
}

static struct receiver_totals totals(struct fixture *x)
{
  struct receiver_totals t;
  receiver_stats(x->r, &t, NULL, 0, NULL);
  return t;
}

static void read_once(struct fixture *x)
{
  float out[PKT_FRAMES * 2];
  receiver_read_at(x->r, out, PKT_FRAMES, x->now_ns);
}

/* RTCP never creates a session; a BYE from anyone but the session's sender
 * is ignored (counted); its sender's BYE ends it at the next read. */
static void rtcp_bye_ends_only_its_own_session(void **state)
{
  struct fixture x;
  struct sockaddr_in rtp_a = addr("127.0.0.1", 40000), rtcp_a = addr("127.0.0.1", 40001);
  struct sockaddr_in stranger = addr("127.0.0.2", 40001), rtp_b = addr("127.0.0.3", 41000);
  uint8_t buf[512];
  size_t len;
  (void)state;
  open_receiver(&x);

  /* An SR for a stream nobody sends: no session. */
  len = compose_sr(SSRC_A, 1, 2, false, buf, sizeof(buf));
  send_rtcp(&x, buf, len, &rtcp_a);
  assert_int_equal(totals(&x).sessions_created, 0);
  assert_int_equal(totals(&x).rtcp_unmatched, 1);

  send_rtp(&x, SSRC_A, 0, &rtp_a);
  send_rtp(&x, SSRC_B, 0, &rtp_b);
  assert_int_equal(totals(&x).sessions, 2);

  /* A BYE for A from another host: ignored. */
  len = compose_bye(SSRC_A, buf, sizeof(buf));
  send_rtcp(&x, buf, len, &stranger);
  read_once(&x);
  assert_int_equal(totals(&x).sessions, 2);
  assert_int_equal(totals(&x).sessions_bye, 0);
  assert_int_equal(totals(&x).rtcp_unmatched, 2);

  /* A's SR from its host: taken; from now on A's RTCP address is that one. */
  len = compose_sr(SSRC_A, ntp_from_unix_ns(5 * NS_PER_S), 5000, false, buf, sizeof(buf));
  send_rtcp(&x, buf, len, &rtcp_a);
  assert_int_equal(totals(&x).rtcp_unmatched, 2);

  /* A BYE for A from A's host but another port: not A's RTCP socket. */
  {
    struct sockaddr_in other_port = addr("127.0.0.1", 40999);
    len = compose_bye(SSRC_A, buf, sizeof(buf));
    send_rtcp(&x, buf, len, &other_port);
    assert_int_equal(totals(&x).rtcp_unmatched, 3);
  }
  /* A BYE for B from A's address: B is not A's. */
  len = compose_bye(SSRC_B, buf, sizeof(buf));
  send_rtcp(&x, buf, len, &rtcp_a);
  read_once(&x);
  assert_int_equal(totals(&x).sessions, 2);

  /* A's own BYE: A ends at the next read, B plays on. */
  len = compose_bye(SSRC_A, buf, sizeof(buf));
  send_rtcp(&x, buf, len, &rtcp_a);
  assert_int_equal(totals(&x).sessions_bye, 1);
  read_once(&x);
  assert_int_equal(totals(&x).sessions, 1);
  assert_int_equal(totals(&x).rtcp_received, 6);
  assert_int_equal(totals(&x).rtcp_malformed, 0);
  close_receiver(&x);
}

/* A compound with a report and a BYE: the report is taken, then the BYE
 * ends the session (roc and GStreamer send BYE after an RR or SR). */
static void rtcp_compound_with_bye_ends_the_session(void **state)
{
  struct fixture x;
  struct sockaddr_in rtp_a = addr("127.0.0.1", 40000);
  uint8_t buf[512];
  size_t len;
  (void)state;
  open_receiver(&x);
  send_rtp(&x, SSRC_A, 0, &rtp_a);
  /* roc sends RTCP from its RTP socket: the same address. */
  len = compose_sr(SSRC_A, ntp_from_unix_ns(7 * NS_PER_S), 1234, true, buf, sizeof(buf));
  send_rtcp(&x, buf, len, &rtp_a);
  read_once(&x);
  assert_int_equal(totals(&x).sessions_bye, 1);
  assert_int_equal(totals(&x).sessions, 0);
  close_receiver(&x);
}

/* Malformed RTCP is counted and changes nothing. */
static void rtcp_malformed_is_counted(void **state)
{
  struct fixture x;
  struct sockaddr_in rtp_a = addr("127.0.0.1", 40000);
  uint8_t buf[512];
  size_t len;
  (void)state;
  open_receiver(&x);
  send_rtp(&x, SSRC_A, 0, &rtp_a);
  len = compose_bye(SSRC_A, buf, sizeof(buf));
  /* The length field says one word more than the datagram holds. */
  buf[3]++;
  send_rtcp(&x, buf, len, &rtp_a);
  /* Version 1. */
  buf[3]--;
  buf[0] = (uint8_t)((buf[0] & 0x3f) | 0x40);
  send_rtcp(&x, buf, len, &rtp_a);
  /* Truncated in the middle of the BYE. */
  len = compose_bye(SSRC_A, buf, sizeof(buf));
  send_rtcp(&x, buf, len - 2, &rtp_a);
  read_once(&x);
  assert_int_equal(totals(&x).rtcp_malformed, 3);
  assert_int_equal(totals(&x).sessions, 1);
  assert_int_equal(totals(&x).sessions_bye, 0);
  close_receiver(&x);
}

/* A flood of RTCP (fake SRs for SSRCs nobody sends, BYEs, garbage) creates
 * nothing, ends nothing, and leaves no memory behind: each datagram is
 * handled and freed at once. */
static void rtcp_flood_is_bounded(void **state)
{
  struct fixture x;
  struct sockaddr_in rtp_a = addr("127.0.0.1", 40000), rtcp_a = addr("127.0.0.1", 40001);
  struct sockaddr_in flooder = addr("127.0.0.9", 5000);
  struct rill_limiter_stats before, after, sock;
  uint8_t buf[512];
  size_t len;
  uint32_t i;
  (void)state;
  open_receiver(&x);
  send_rtp(&x, SSRC_A, 0, &rtp_a);
  len = compose_sr(SSRC_A, ntp_from_unix_ns(5 * NS_PER_S), 5000, false, buf, sizeof(buf));
  send_rtcp(&x, buf, len, &rtcp_a);
  receiver_limiters(x.r, &before, &sock);
  for (i = 0; i < 3000; i++) {
    switch (i % 3) {
    case 0: /* an SR for a stream that does not exist */
      len = compose_sr(0x70000000u + i, ntp_from_unix_ns(i), i, false, buf, sizeof(buf));
      break;
    case 1: /* a BYE for the live session, from the wrong address */
      len = compose_bye(SSRC_A, buf, sizeof(buf));
      break;
    default: /* garbage with an RTCP-looking first word */
      memset(buf, (int)i, 64);
      buf[0] = 0x81;
      buf[1] = 203;
      len = 64;
      break;
    }
    send_rtcp(&x, buf, len, &flooder);
  }
  receiver_limiters(x.r, &after, &sock);
  assert_int_equal(after.used_bytes, before.used_bytes);
  assert_int_equal(totals(&x).sessions, 1);
  assert_int_equal(totals(&x).sessions_created, 1);
  assert_int_equal(totals(&x).sessions_bye, 0);
  assert_int_equal(totals(&x).rtcp_received, 3001);
  assert_int_equal(totals(&x).rtcp_unmatched, 2000);
  assert_int_equal(totals(&x).rtcp_malformed, 1000);
  close_receiver(&x);
}

/* End-to-end latency from an SR mapping: exact arithmetic. */
static void rtcp_e2e_from_sr_mapping(void **state)
{
  /* The sender's wall clock said 100 s at RTP time 1000 (48 kHz). The
   * reader output RTP time 1000 + 4800 (captured at 100.1 s) at monotonic
   * 50 s; our clocks now read monotonic 50.02 s and wall 100.25 s, so the
   * output happened at wall 100.23 s: 130 ms after capture. */
  uint64_t sr_ntp = ntp_from_unix_ns(100 * NS_PER_S);
  int64_t e2e = rtcp_e2e_ns(sr_ntp, 1000, 48000, 1000 + 4800, 50 * NS_PER_S,
                            50 * NS_PER_S + 20 * NS_PER_MS, 100 * NS_PER_S + 250 * NS_PER_MS);
  (void)state;
  assert_in_range(e2e, 130 * NS_PER_MS - 1000, 130 * NS_PER_MS + 1000);
  /* Across the RTP wrap: the SR just before, the frame just after. */
  e2e = rtcp_e2e_ns(sr_ntp, UINT32_MAX - 99, 48000, 4700, 50 * NS_PER_S, 50 * NS_PER_S,
                    100 * NS_PER_S + 200 * NS_PER_MS);
  assert_in_range(e2e, 100 * NS_PER_MS - 1000, 100 * NS_PER_MS + 1000);
}

static void rtcp_rtt_from_echo(void **state)
{
  (void)state;
  /* Sent at 10 s, held 0.5 s, back at 10.75 s: 250 ms. */
  assert_in_range(rtcp_rtt_ns(ntp_mid32(ntp_from_unix_ns(10750 * NS_PER_MS)),
                              ntp_mid32(ntp_from_unix_ns(10 * NS_PER_S)),
                              ntp_mid32_from_ns(500 * NS_PER_MS)),
                  250 * NS_PER_MS - 100000, 250 * NS_PER_MS + 100000);
  assert_int_equal(rtcp_rtt_ns(12345, 0, 0), -1);  /* no echo */
  assert_int_equal(rtcp_rtt_ns(1000, 900, 200), -1); /* negative */
}

static void rtcp_address_matching(void **state)
{
  struct sockaddr_in a = addr("127.0.0.1", 1), b = addr("127.0.0.1", 2), c = addr("127.0.0.2", 1);
  (void)state;
  assert_true(addr_same_host((struct sockaddr *)&a, (struct sockaddr *)&b));
  assert_false(addr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
  assert_false(addr_same_host((struct sockaddr *)&a, (struct sockaddr *)&c));
  assert_true(addr_equal((struct sockaddr *)&a, (struct sockaddr *)&a));
}

static void rtcp_local_identity(void **state)
{
  struct rtcp_local l1, l2;
  (void)state;
  rtcp_local_init(&l1, 0);
  rtcp_local_init(&l2, 0x1234);
  assert_int_equal(l2.ssrc, 0x1234);
  assert_memory_equal(l1.cname, "rill-", 5);
  assert_non_null(strchr(l1.cname, '@'));
  assert_string_not_equal(l1.cname, l2.cname);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rtcp_bye_ends_only_its_own_session),
      cmocka_unit_test(rtcp_compound_with_bye_ends_the_session),
      cmocka_unit_test(rtcp_malformed_is_counted),
      cmocka_unit_test(rtcp_flood_is_bounded),
      cmocka_unit_test(rtcp_e2e_from_sr_mapping),
      cmocka_unit_test(rtcp_rtt_from_echo),
      cmocka_unit_test(rtcp_address_matching),
      cmocka_unit_test(rtcp_local_identity),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
