/*
 * SAP directory and announcer (pipeline/sap_*.c) and the public discovery
 * API: announced payload types mapped on a live receiver and withdrawn,
 * the bounded table under a flood, filtering, expiry, conflicts, and an
 * announcer heard by a directory over loopback.
 */
#include <arpa/inet.h>
#include <rill/discovery.h>
#include <rill/status.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/clock.h"
#include "pipeline/context.h"
#include "pipeline/receiver.h"
#include "pipeline/sap_announcer.h"
#include "pipeline/sap_directory.h"
#include "rtp/rtp.h"
#include "sdp/sap.h"
#include "test_util.h"

#define PKT_FRAMES 240

struct fixture {
  size_t arena_blocks_before;
  struct rill_context *ctx;
  struct rill_receiver *r;
  struct rill_directory *d;
};

/* PipeWire 0.3.65's announcement (tests/sdp/test_sdp.c has the bytes). */
static const char pw_sdp[] = "v=0\no=root 4005098085 0 IN IP4 127.0.0.1\ns=pw-rtp-test\n"
                             "c=IN IP4 127.0.0.1\nt=4005098085 0\na=recvonly\n"
                             "a=tool:PipeWire 0.3.65\nm=audio 46020 RTP/AVP 127\n"
                             "a=rtpmap:127 L16/48000/2\na=type:broadcast\na=ptime:6\n";

static size_t sap_of(const char *sdp, bool deletion, uint8_t *buf, size_t cap)
{
  struct sap_message m = {deletion, false, 0, {127, 0, 0, 1}, sdp, strlen(sdp)};
  size_t len = 0;
  m.msg_id_hash = sap_hash(sdp, strlen(sdp));
  assert_int_equal(sap_compose(&m, buf, cap, &len), RILL_OK);
  return len;
}

static void announce(struct fixture *x, const char *sdp, bool deletion)
{
  uint8_t buf[SAP_MAX_HEADER_BYTES + SDP_MAX_BYTES];
  size_t len = sap_of(sdp, deletion, buf, sizeof(buf));
  sap_directory_inject(x->d, buf, len, clock_now_ns());
}

static struct sap_directory_stats dstats(struct fixture *x)
{
  struct sap_directory_stats st;
  sap_directory_snapshot(x->d, &st, NULL, NULL);
  return st;
}

static void open_all(struct fixture *x, uint32_t max_sessions, const char *name,
                     const struct rtp_encoding *configured)
{
  struct rill_context_params cp = {(size_t)16 << 20, CONTEXT_DEFAULT_MAX_PACKET_BYTES, NULL};
  struct rill_receiver_params p;
  struct sap_directory_params dp;
  struct sockaddr_in *a = (struct sockaddr_in *)&dp.addr;
  memset(&p, 0, sizeof(p));
  p.rate_hz = 48000;
  p.channels = 2;
  p.target_latency_ns = 20 * NS_PER_MS;
  p.session_timeout_ns = 2 * NS_PER_S;
  p.max_sessions = 4;
  p.session_budget_bytes = (size_t)4 << 20;
  p.socket_budget_bytes = (size_t)1 << 20;
  p.max_queue_packets = 64;
  rtp_registry_init(&p.registry);
  if (configured)
    assert_int_equal(rtp_registry_add(&p.registry, configured), RILL_OK);
  memset(x, 0, sizeof(*x));
  x->arena_blocks_before = atomic_load(&arena_heap()->live_blocks);
  assert_int_equal(context_create(&cp, &x->ctx), RILL_OK);
  assert_int_equal(receiver_create(x->ctx, &p, &x->r), RILL_OK);
  memset(&dp, 0, sizeof(dp));
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  dp.max_sessions = max_sessions;
  dp.timeout_ns = 60 * NS_PER_S;
  if (name)
    strcpy(dp.session_name, name);
  assert_int_equal(sap_directory_create(x->ctx, &dp, x->r, &x->d), RILL_OK);
}

static void close_all(struct fixture *x)
{
  sap_directory_destroy(x->d);
  receiver_destroy(x->r);
  assert_int_equal(context_destroy(x->ctx), RILL_OK);
  assert_int_equal(atomic_load(&arena_heap()->live_blocks), x->arena_blocks_before);
}

/* One RTP packet of PT 127 (L16 48 kHz stereo, silence) from 127.0.0.1. */
static void send_rtp(struct fixture *x, uint8_t pt, uint32_t k)
{
  uint8_t dgram[2048];
  struct rtp_header h;
  struct sockaddr_in src;
  size_t hdr = 0, payload = PKT_FRAMES * 4;
  memset(&h, 0, sizeof(h));
  h.version = RTP_VERSION;
  h.payload_type = pt;
  h.seq = (uint16_t)(100 + k);
  h.timestamp = 5000 + k * PKT_FRAMES;
  h.ssrc = 0x1234;
  assert_int_equal(rtp_compose(&h, dgram, sizeof(dgram), &hdr), RILL_OK);
  memset(dgram + hdr, 0, payload);
  memset(&src, 0, sizeof(src));
  src.sin_family = AF_INET;
  src.sin_port = htons(40000);
  src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(receiver_inject(x->r, dgram, hdr + payload, (const struct sockaddr *)&src,
                                   clock_now_ns()),
                   RILL_OK);
}

static struct receiver_totals rtotals(struct fixture *x)
{
  struct receiver_totals t;
  receiver_stats(x->r, &t, NULL, 0, NULL);
  return t;
}

/* Unknown before the announcement, played after it, ended and unknown
 * again after its deletion. */
static void directory_maps_announced_type_until_deleted(void **state)
{
  struct fixture x;
  float out[PKT_FRAMES * 2];
  (void)state;
  open_all(&x, 4, NULL, NULL);
  send_rtp(&x, 127, 0);
  assert_int_equal(rtotals(&x).unknown_payload_type, 1);
  announce(&x, pw_sdp, false);
  assert_int_equal(dstats(&x).sessions, 1);
  assert_int_equal(dstats(&x).announcements, 1);
  send_rtp(&x, 127, 1);
  assert_int_equal(rtotals(&x).unknown_payload_type, 1);
  assert_int_equal(rtotals(&x).sessions, 1);
  /* Announced again: nothing changes. */
  announce(&x, pw_sdp, false);
  assert_int_equal(dstats(&x).sessions, 1);
  assert_int_equal(dstats(&x).announcements, 2);
  announce(&x, pw_sdp, true);
  assert_int_equal(dstats(&x).deletions, 1);
  assert_int_equal(dstats(&x).sessions, 0);
  receiver_read_at(x.r, out, PKT_FRAMES, clock_now_ns()); /* the reader drops the session */
  receiver_housekeep(x.r, clock_now_ns());
  assert_int_equal(rtotals(&x).sessions, 0);
  send_rtp(&x, 127, 2);
  assert_int_equal(rtotals(&x).unknown_payload_type, 2);
  close_all(&x);
}

/* A flood of announcements of distinct sessions: the table stays at its
 * size, the rest is counted, and no memory is taken. */
static void directory_flood_is_bounded(void **state)
{
  struct fixture x;
  char sdp[SDP_MAX_BYTES];
  size_t used_after_table;
  uint32_t i;
  (void)state;
  open_all(&x, 4, NULL, NULL);
  for (i = 0; i < 1000; i++) {
    snprintf(sdp, sizeof(sdp),
             "v=0\no=- %u 0 IN IP4 10.0.0.1\ns=flood\nc=IN IP4 127.0.0.1\nt=0 0\n"
             "m=audio %u RTP/AVP 127\na=rtpmap:127 L16/48000/2\n",
             i, 10000 + i);
    announce(&x, sdp, false);
    if (i == 3)
      used_after_table = atomic_load(&x.ctx->global.used_bytes);
  }
  assert_int_equal(dstats(&x).sessions, 4);
  assert_int_equal(dstats(&x).dropped, 996);
  assert_int_equal(atomic_load(&x.ctx->global.used_bytes), used_after_table);
  close_all(&x);
}

static void directory_filters_expires_and_counts(void **state)
{
  struct fixture x;
  static const uint8_t garbage[] = {0x20, 0, 0, 0, 1, 2, 3, 4, 'x'};
  static const uint8_t encrypted[] = {0x22, 0, 0, 0, 1, 2, 3, 4, 'v', '=', '0', '\n'};
  (void)state;
  open_all(&x, 4, "other", NULL);
  announce(&x, pw_sdp, false);
  assert_int_equal(dstats(&x).filtered, 1);
  assert_int_equal(dstats(&x).sessions, 0);
  sap_directory_inject(x.d, garbage, sizeof(garbage), clock_now_ns());
  sap_directory_inject(x.d, encrypted, sizeof(encrypted), clock_now_ns());
  assert_int_equal(dstats(&x).malformed, 1);
  assert_int_equal(dstats(&x).unsupported, 1);
  close_all(&x);

  open_all(&x, 4, "pw-rtp-test", NULL);
  announce(&x, pw_sdp, false);
  assert_int_equal(dstats(&x).sessions, 1);
  sap_directory_expire(x.d, clock_now_ns() + 61 * NS_PER_S);
  assert_int_equal(dstats(&x).timeouts, 1);
  assert_int_equal(dstats(&x).sessions, 0);
  send_rtp(&x, 127, 0);
  assert_int_equal(rtotals(&x).unknown_payload_type, 1); /* withdrawn */
  close_all(&x);
}

/* PT 127 configured as L24: the announcement's L16 on 127 is not played. */
static void directory_counts_conflicting_types(void **state)
{
  struct fixture x;
  struct rtp_encoding l24 = {127, RTP_FMT_S24BE, 48000, 2};
  (void)state;
  open_all(&x, 4, NULL, &l24);
  announce(&x, pw_sdp, false);
  assert_int_equal(dstats(&x).conflicts, 1);
  assert_int_equal(dstats(&x).sessions, 1);
  announce(&x, pw_sdp, true);
  /* The configured encoding stays. */
  {
    uint8_t dgram[64];
    struct rtp_header h;
    struct sockaddr_in src;
    size_t hdr = 0;
    memset(&h, 0, sizeof(h));
    h.version = RTP_VERSION;
    h.payload_type = 127;
    h.ssrc = 9;
    assert_int_equal(rtp_compose(&h, dgram, sizeof(dgram), &hdr), RILL_OK);
    memset(dgram + hdr, 0, 6);
    memset(&src, 0, sizeof(src));
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(receiver_inject(x.r, dgram, hdr + 6, (const struct sockaddr *)&src,
                                     clock_now_ns()),
                     RILL_OK);
  }
  assert_int_equal(rtotals(&x).unknown_payload_type, 0);
  close_all(&x);
}

static void sleep_ms(long ms)
{
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

/* The public API end to end over loopback: a sender's description
 * announced, heard by a directory, deleted on close. */
static void announcer_heard_by_directory(void **state)
{
  struct rill_context *ctx;
  struct rill_sender *snd;
  struct rill_sender_config sc;
  struct rill_directory *dir;
  struct rill_directory_config dc;
  struct rill_announcer *ann;
  struct rill_announcer_config ac;
  struct rill_stream_description desc, seen[2];
  struct rill_directory_metrics m;
  char uri[64], sdp[RILL_SDP_MAX_BYTES];
  size_t count = 0, len = 0;
  int i;
  (void)state;
  assert_int_equal(rill_context_open(NULL, &ctx), RILL_OK);
  rill_sender_config_init(&sc);
  sc.encoding.payload_type = 96;
  sc.encoding.format = RILL_FORMAT_S24;
  sc.encoding.rate_hz = 48000;
  sc.encoding.channels = 1;
  assert_int_equal(rill_sender_open(ctx, &sc, &snd), RILL_OK);
  memset(&desc, 0, sizeof(desc));
  desc.struct_size = sizeof(desc);
  assert_int_equal(rill_sender_describe(snd, &desc), RILL_ESTATE);
  assert_int_equal(rill_sender_connect(snd, "rtp://127.0.0.1:45678"), RILL_OK);
  assert_int_equal(rill_sender_describe(snd, &desc), RILL_OK);
  assert_string_equal(desc.address, "127.0.0.1");
  assert_int_equal(desc.port, 45678);
  assert_int_equal(desc.packet_length_ns, 5 * NS_PER_MS);
  assert_int_equal(desc.encodings[0].format, RILL_FORMAT_S24);
  strcpy(desc.session_name, "desk");
  assert_int_equal(rill_sdp_write(&desc, sdp, sizeof(sdp), &len), RILL_OK);
  assert_non_null(strstr(sdp, "\nm=audio 45678 RTP/AVP 96\na=rtpmap:96 L24/48000/1\na=ptime:5\n"));
  assert_non_null(strstr(sdp, "\no=- ")); /* the origin found by the route: 127.0.0.1 */
  assert_non_null(strstr(sdp, " IN IP4 127.0.0.1\ns=desk\nc=IN IP4 127.0.0.1\n"));
  memset(&seen[0], 0, sizeof(seen[0]));
  seen[0].struct_size = sizeof(seen[0]);
  assert_int_equal(rill_sdp_parse(sdp, len, &seen[0]), RILL_OK);
  assert_string_equal(seen[0].session_name, "desk");
  assert_int_equal(seen[0].encodings[0].payload_type, 96);

  rill_directory_config_init(&dc);
  dc.sap_uri = "sap://127.0.0.1:0";
  dc.max_sessions = 2;
  assert_int_equal(rill_directory_open(ctx, &dc, NULL, &dir), RILL_OK);
  snprintf(uri, sizeof(uri), "sap://127.0.0.1:%u", (unsigned)rill_directory_port(dir));
  rill_announcer_config_init(&ac);
  ac.sap_uri = uri;
  ac.interval_ns = 50 * NS_PER_MS;
  assert_int_equal(rill_announcer_open(ctx, &ac, &desc, &ann), RILL_OK);
  seen[0].struct_size = sizeof(seen[0]);
  for (i = 0; i < 500 && count == 0; i++) {
    sleep_ms(10);
    assert_int_equal(rill_directory_sessions(dir, seen, 2, &count), RILL_OK);
  }
  assert_int_equal(count, 1);
  assert_string_equal(seen[0].session_name, "desk");
  assert_string_equal(seen[0].address, "127.0.0.1");
  assert_int_equal(seen[0].port, 45678);
  assert_int_equal(seen[0].encoding_count, 1);
  assert_int_equal(seen[0].encodings[0].channels, 1);
  assert_int_equal(rill_announcer_close(ann), RILL_OK);
  m.struct_size = sizeof(m);
  for (i = 0; i < 500; i++) {
    assert_int_equal(rill_directory_metrics(dir, &m), RILL_OK);
    if (m.deletions == 1)
      break;
    sleep_ms(10);
  }
  assert_int_equal(m.deletions, 1);
  assert_int_equal(m.sessions, 0);
  assert_int_equal(m.malformed, 0);
  assert_int_equal(rill_context_close(ctx), RILL_EBUSY); /* the directory and sender */
  assert_int_equal(rill_directory_close(dir), RILL_OK);
  assert_int_equal(rill_sender_close(snd), RILL_OK);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(directory_maps_announced_type_until_deleted),
      cmocka_unit_test(directory_flood_is_bounded),
      cmocka_unit_test(directory_filters_expires_and_counts),
      cmocka_unit_test(directory_counts_conflicting_types),
      cmocka_unit_test(announcer_heard_by_directory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
