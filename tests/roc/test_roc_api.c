/*
 * The roc 0.4 API through rill (src/roc), as a program written against
 * roc's API uses it: endpoints and URI round trips, error codes for bad
 * arguments and URIs, sender -> receiver in one process with and without
 * FEC, the encoder/decoder pair moving packets by hand (with losses FEC
 * restores), and a receiver nobody reads under a flood, its memory checked
 * by rill's own counters (through the internal accessors of
 * roc/roc_internal.h: this program links the layer statically).
 *
 * No assertion depends on timing: waits for an event are bounded loops.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <roc/context.h>
#include <roc/endpoint.h>
#include <roc/log.h>
#include <roc/receiver.h>
#include <roc/receiver_decoder.h>
#include <roc/sender.h>
#include <roc/sender_encoder.h>
#include <roc/version.h>

#include "roc/roc_internal.h"
#include "test_util.h"

#define RATE 44100
#define CH 2
#define CHUNK 441 /* 10 ms */
#define PI 3.14159265358979323846

static void sleep_ms(int ms)
{
  struct timespec ts = {0, (long)ms * 1000000L};
  nanosleep(&ts, NULL);
}

static void sine(float *buf, size_t frames, uint64_t *phase)
{
  size_t i;
  for (i = 0; i < frames; i++, (*phase)++) {
    float v = (float)(0.5 * sin(2 * PI * 440.0 * (double)*phase / RATE));
    buf[i * CH] = buf[i * CH + 1] = v;
  }
}

static double rms(const float *buf, size_t n)
{
  double s = 0;
  size_t i;
  for (i = 0; i < n; i++)
    s += (double)buf[i] * buf[i];
  return sqrt(s / (double)n);
}

/* Count of log lines with `needle`, through roc's handler. */
static int log_hits;
static const char *log_needle;
static void count_log(const roc_log_message *m, void *arg)
{
  (void)arg;
  if (log_needle && strstr(m->text, log_needle))
    log_hits++;
}

static roc_context *open_ctx(void)
{
  roc_context_config cfg;
  roc_context *ctx = NULL;
  memset(&cfg, 0, sizeof(cfg));
  assert_int_equal(roc_context_open(&cfg, &ctx), 0);
  return ctx;
}

static void frame_encoding(roc_media_encoding *e)
{
  e->rate = RATE;
  e->format = ROC_FORMAT_PCM_FLOAT32;
  e->channels = ROC_CHANNEL_LAYOUT_STEREO;
  e->tracks = 0;
}

static roc_endpoint *endpoint(const char *uri)
{
  roc_endpoint *ep = NULL;
  assert_int_equal(roc_endpoint_allocate(&ep), 0);
  assert_int_equal(roc_endpoint_set_uri(ep, uri), 0);
  return ep;
}

static void uri_round_trip(const char *in, const char *want)
{
  roc_endpoint *ep = endpoint(in);
  char buf[256];
  size_t size = sizeof(buf);
  assert_int_equal(roc_endpoint_get_uri(ep, buf, &size), 0);
  assert_string_equal(buf, want);
  assert_int_equal(size, strlen(want) + 1);
  roc_endpoint_deallocate(ep);
}

static void roc_endpoint_uri_round_trips(void **state)
{
  roc_endpoint *ep = NULL;
  roc_protocol proto;
  char buf[64];
  size_t size;
  int port;
  (void)state;
  uri_round_trip("rtp://127.0.0.1:10001", "rtp://127.0.0.1:10001");
  uri_round_trip("rtp+rs8m://example.org:1", "rtp+rs8m://example.org:1");
  uri_round_trip("rs8m://[::1]:10002", "rs8m://[::1]:10002");
  uri_round_trip("rtp+ldpc://0.0.0.0:0", "rtp+ldpc://0.0.0.0:0");
  uri_round_trip("ldpc://host:65535", "ldpc://host:65535");
  uri_round_trip("rtcp://127.0.0.1:10003", "rtcp://127.0.0.1:10003");
  uri_round_trip("rtsp://host/path?query", "rtsp://host/path?query");
  uri_round_trip("rtsp://host:8554/a%20b", "rtsp://host:8554/a%20b");

  ep = endpoint("rs8m://[::1]:10002");
  assert_int_equal(roc_endpoint_get_protocol(ep, &proto), 0);
  assert_int_equal(proto, ROC_PROTO_RS8M_REPAIR);
  size = sizeof(buf);
  assert_int_equal(roc_endpoint_get_host(ep, buf, &size), 0);
  assert_string_equal(buf, "::1");
  assert_int_equal(roc_endpoint_get_port(ep, &port), 0);
  assert_int_equal(port, 10002);
  size = sizeof(buf);
  assert_int_equal(roc_endpoint_get_resource(ep, buf, &size), -1); /* none */
  /* Size query: NULL buffer gives the size; a short buffer fails with it. */
  size = 0;
  assert_int_equal(roc_endpoint_get_uri(ep, NULL, &size), 0);
  assert_int_equal(size, strlen("rs8m://[::1]:10002") + 1);
  size = 5;
  assert_int_equal(roc_endpoint_get_uri(ep, buf, &size), -1);
  assert_int_equal(size, strlen("rs8m://[::1]:10002") + 1);
  roc_endpoint_deallocate(ep);

  /* Built part by part. */
  assert_int_equal(roc_endpoint_allocate(&ep), 0);
  size = sizeof(buf);
  assert_int_equal(roc_endpoint_get_uri(ep, buf, &size), -1); /* empty */
  assert_int_equal(roc_endpoint_set_protocol(ep, ROC_PROTO_RTP), 0);
  assert_int_equal(roc_endpoint_set_host(ep, "192.0.2.1"), 0);
  assert_int_equal(roc_endpoint_get_uri(ep, buf, &size), -1); /* RTP needs a port */
  assert_int_equal(roc_endpoint_set_port(ep, 4000), 0);
  size = sizeof(buf);
  assert_int_equal(roc_endpoint_get_uri(ep, buf, &size), 0);
  assert_string_equal(buf, "rtp://192.0.2.1:4000");
  assert_int_equal(roc_endpoint_set_resource(ep, "/x"), -1); /* RTP has none */
  size = sizeof(buf);
  assert_int_equal(roc_endpoint_get_uri(ep, buf, &size), -1); /* invalid part */
  assert_int_equal(roc_endpoint_set_resource(ep, NULL), 0);
  assert_int_equal(roc_endpoint_set_port(ep, 70000), -1);
  assert_int_equal(roc_endpoint_get_port(ep, &port), -1);
  assert_int_equal(roc_endpoint_set_port(ep, -1), 0); /* unset */
  assert_int_equal(roc_endpoint_get_port(ep, &port), -1);
  assert_int_equal(roc_endpoint_set_protocol(ep, ROC_PROTO_RTSP), 0);
  assert_int_equal(roc_endpoint_get_port(ep, &port), 0);
  assert_int_equal(port, 554); /* RTSP's default */
  assert_int_equal(roc_endpoint_set_protocol(ep, (roc_protocol)12345), -1);
  roc_endpoint_deallocate(ep);
}

static void roc_endpoint_bad_uris(void **state)
{
  static const char *const bad[] = {
      "",          "rtp://",           "rtp://host",        "udp://host:1",
      "rtp:/h:1",  "rtp://h:70000",    "rtp://h:-1",        "rtp://h:1/path",
      "rtp://h:1?q", "rtp://[::1:1",   "rtp://::1:1",       "rtp://h o:1",
      "rtsp://h/a b", "rtp://h:x",     "RTP://h:1",
  };
  roc_endpoint *ep = NULL;
  char buf[64];
  size_t i, size;
  (void)state;
  assert_int_equal(roc_endpoint_allocate(&ep), 0);
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(roc_endpoint_set_uri(ep, "rtp://127.0.0.1:1"), 0);
    if (roc_endpoint_set_uri(ep, bad[i]) != -1)
      fail_msg("accepted bad URI \"%s\"", bad[i]);
    size = sizeof(buf);
    assert_int_equal(roc_endpoint_get_uri(ep, buf, &size), -1);
  }
  assert_int_equal(roc_endpoint_set_uri(ep, NULL), -1);
  assert_int_equal(roc_endpoint_set_uri(NULL, "rtp://h:1"), -1);
  assert_int_equal(roc_endpoint_allocate(NULL), -1);
  assert_int_equal(roc_endpoint_deallocate(NULL), -1);
  roc_endpoint_deallocate(ep);
}

static void roc_errors_for_bad_arguments(void **state)
{
  roc_context_config ccfg;
  roc_sender_config scfg;
  roc_receiver_config rcfg;
  roc_media_encoding enc;
  roc_context *ctx;
  roc_sender *sender = NULL;
  roc_receiver *recv = NULL;
  roc_endpoint *ep;
  roc_version v;
  float buf[CHUNK * CH];
  roc_frame frame;
  (void)state;

  roc_version_load(&v);
  assert_int_equal(v.major, 0);
  assert_int_equal(v.minor, 4);
  assert_int_equal(v.code, ROC_VERSION_CODE(0, 4, 0));

  memset(&ccfg, 0, sizeof(ccfg));
  assert_int_equal(roc_context_open(NULL, &ctx), -1);
  assert_int_equal(roc_context_open(&ccfg, NULL), -1);
  ccfg.max_packet_size = 10;
  assert_int_equal(roc_context_open(&ccfg, &ctx), -1);
  ccfg.max_packet_size = 0;
  setenv(ROC_MEM_ENV, "lots", 1);
  assert_int_equal(roc_context_open(&ccfg, &ctx), -1);
  unsetenv(ROC_MEM_ENV);
  assert_int_equal(roc_context_close(NULL), -1);
  ctx = open_ctx();

  /* Registered encodings: rill's dynamic payload types only, once each. */
  frame_encoding(&enc);
  enc.rate = 48000;
  assert_int_equal(roc_context_register_encoding(ctx, 10, &enc), -1);
  assert_int_equal(roc_context_register_encoding(ctx, 128, &enc), -1);
  assert_int_equal(roc_context_register_encoding(ctx, 100, NULL), -1);
  assert_int_equal(roc_context_register_encoding(ctx, 100, &enc), 0);
  assert_int_equal(roc_context_register_encoding(ctx, 100, &enc), -1);

  memset(&scfg, 0, sizeof(scfg));
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), -1); /* no frame encoding */
  frame_encoding(&scfg.frame_encoding);
  scfg.frame_encoding.rate = 22050; /* nothing matches at that rate */
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), -1);
  scfg.frame_encoding.rate = 48000; /* the registered one matches */
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), 0);
  assert_int_equal(roc_sender_close(sender), 0);
  frame_encoding(&scfg.frame_encoding);
  scfg.packet_encoding = (roc_packet_encoding)99; /* not registered */
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), -1);
  scfg.packet_encoding = 0;
  scfg.clock_source = (roc_clock_source)7;
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), -1);
  scfg.clock_source = 0;
  scfg.frame_encoding.format = (roc_format)2;
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), -1);
  frame_encoding(&scfg.frame_encoding);
  scfg.frame_encoding.channels = ROC_CHANNEL_LAYOUT_MULTITRACK;
  scfg.frame_encoding.tracks = 9; /* rill takes 1..8 */
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), -1);
  frame_encoding(&scfg.frame_encoding);
  assert_int_equal(roc_sender_open(NULL, &scfg, &sender), -1);
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), 0); /* fec: default rs8m */

  /* The default FEC encoding (rs8m) does not fit rtp://; rtcp:// fits only
   * the control interface; rtsp:// is refused, and logged once however
   * often it is tried. */
  ep = endpoint("rtp://127.0.0.1:9");
  assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_AUDIO_SOURCE, ep), -1);
  assert_int_equal(roc_endpoint_set_uri(ep, "rs8m://127.0.0.1:9"), 0);
  assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_AUDIO_SOURCE, ep), -1);
  assert_int_equal(roc_endpoint_set_uri(ep, "rtcp://127.0.0.1:9"), 0);
  assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_AUDIO_SOURCE, ep), -1);
  log_needle = "RTSP";
  log_hits = 0;
  roc_log_set_level(ROC_LOG_ERROR);
  roc_log_set_handler(count_log, NULL);
  assert_int_equal(roc_endpoint_set_uri(ep, "rtsp://127.0.0.1:9/x"), 0);
  assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_CONSOLIDATED, ep), -1);
  assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_CONSOLIDATED, ep), -1);
  assert_int_equal(log_hits, 1);
  roc_log_set_handler(NULL, NULL);
  roc_log_set_level(ROC_LOG_NONE);
  assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_AUDIO_SOURCE, NULL), -1);
  assert_int_equal(roc_sender_query(sender, 42, NULL, NULL, NULL), -1); /* no slot */
  assert_int_equal(roc_sender_unlink(sender, 42), -1);
  frame.samples = buf;
  frame.samples_size = sizeof(float) * 3; /* not whole frames */
  assert_int_equal(roc_sender_write(sender, &frame), -1);
  assert_int_equal(roc_sender_write(sender, NULL), -1);
  frame.samples_size = sizeof(buf);
  memset(buf, 0, sizeof(buf));
  assert_int_equal(roc_sender_write(sender, &frame), 0); /* no slot: dropped */

  memset(&rcfg, 0, sizeof(rcfg));
  assert_int_equal(roc_receiver_open(ctx, &rcfg, &recv), -1);
  frame_encoding(&rcfg.frame_encoding);
  rcfg.latency_tuner_backend = (roc_latency_tuner_backend)9;
  assert_int_equal(roc_receiver_open(ctx, &rcfg, &recv), -1);
  rcfg.latency_tuner_backend = 0;
  assert_int_equal(roc_receiver_open(ctx, &rcfg, &recv), 0);
  assert_int_equal(roc_endpoint_set_uri(ep, "rs8m://127.0.0.1:0"), 0);
  assert_int_equal(roc_receiver_bind(recv, 0, ROC_INTERFACE_AUDIO_SOURCE, ep), -1);
  assert_int_equal(roc_endpoint_set_uri(ep, "rtcp://127.0.0.1:0"), 0);
  assert_int_equal(roc_receiver_bind(recv, 0, ROC_INTERFACE_AUDIO_REPAIR, ep), -1);
  assert_int_equal(roc_receiver_read(recv, &frame), 0); /* no slot: silence */
  assert_true(rms(buf, CHUNK * CH) == 0.0);
  frame.samples_size = 4;
  assert_int_equal(roc_receiver_read(recv, &frame), -1);
  assert_int_equal(roc_receiver_unlink(recv, 3), -1);

  /* A context with objects open refuses to close. */
  assert_int_equal(roc_context_close(ctx), -1);
  assert_int_equal(roc_receiver_close(recv), 0);
  assert_int_equal(roc_sender_close(sender), 0);
  assert_int_equal(roc_context_close(ctx), 0);
  roc_endpoint_deallocate(ep);
}

/* Stream 440 Hz from a sender to a receiver on one context until the
 * receiver plays audio (bounded); check the connection's metrics. */
static void stream_case(int fec)
{
  roc_context *ctx = open_ctx();
  roc_sender_config scfg;
  roc_receiver_config rcfg;
  roc_sender *sender = NULL;
  roc_receiver *recv = NULL;
  roc_endpoint *src = endpoint(fec ? "rtp+rs8m://127.0.0.1:0" : "rtp://127.0.0.1:0");
  roc_endpoint *rpr = endpoint("rs8m://127.0.0.1:0");
  roc_endpoint *ctl = endpoint("rtcp://127.0.0.1:0");
  roc_receiver_metrics rm;
  roc_sender_metrics sm;
  roc_connection_metrics cm[2], scm[2];
  struct rill_receiver_metrics m;
  float out[CHUNK * CH], in[CHUNK * CH];
  uint64_t phase = 0;
  double best = 0;
  size_t count = 2;
  int i, loud = 0;

  memset(&rcfg, 0, sizeof(rcfg));
  frame_encoding(&rcfg.frame_encoding);
  rcfg.target_latency = 100000000ull;
  assert_int_equal(roc_receiver_open(ctx, &rcfg, &recv), 0);
  assert_int_equal(roc_receiver_bind(recv, 0, ROC_INTERFACE_AUDIO_SOURCE, src), 0);
  if (fec)
    assert_int_equal(roc_receiver_bind(recv, 0, ROC_INTERFACE_AUDIO_REPAIR, rpr), 0);
  /* RTCP on the control interface: end-to-end latency both ways. */
  assert_int_equal(roc_receiver_bind(recv, 0, ROC_INTERFACE_AUDIO_CONTROL, ctl), 0);

  memset(&scfg, 0, sizeof(scfg));
  frame_encoding(&scfg.frame_encoding); /* packet_encoding 0: PT 10 */
  scfg.fec_encoding = fec ? ROC_FEC_ENCODING_RS8M : ROC_FEC_ENCODING_DISABLE;
  scfg.fec_block_source_packets = 10;
  scfg.fec_block_repair_packets = 5;
  assert_int_equal(roc_sender_open(ctx, &scfg, &sender), 0);
  assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_AUDIO_SOURCE, src), 0);
  if (fec)
    assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_AUDIO_REPAIR, rpr), 0);
  assert_int_equal(roc_sender_connect(sender, 0, ROC_INTERFACE_AUDIO_CONTROL, ctl), 0);

  /* Write and read 10 ms at a time, paced by sleeps; stop once 20 reads in
   * a row were loud and the sender has the receiver's report, or after
   * 20 s at most. */
  sm.connection_count = 0;
  for (i = 0; i < 2000 && (loud < 20 || sm.connection_count == 0); i++) {
    size_t n = 2;
    roc_frame fi = {in, sizeof(in)}, fo = {out, sizeof(out)};
    double r;
    sine(in, CHUNK, &phase);
    assert_int_equal(roc_sender_write(sender, &fi), 0);
    sleep_ms(10);
    assert_int_equal(roc_receiver_read(recv, &fo), 0);
    r = rms(out, CHUNK * CH);
    loud = r > 0.2 ? loud + 1 : 0;
    if (r > best)
      best = r;
    assert_int_equal(roc_sender_query(sender, 0, &sm, scm, &n), 0);
  }
  if (loud < 20)
    fail_msg("the receiver never played the stream (best rms %f)", best);
  assert_true(best < 0.5); /* 0.5 amplitude: rms 0.354 */
  assert_int_equal(roc_receiver_query(recv, 0, &rm, cm, &count), 0);
  assert_int_equal(rm.connection_count, 1);
  assert_int_equal(count, 1);
  assert_true(cm[0].expected_packets > 0);
  assert_true(cm[0].expected_packets >= cm[0].lost_packets);
  assert_true(cm[0].e2e_latency > 0); /* from the sender's SR */
  /* The sender knows its receiver by RTCP. */
  count = 2;
  assert_int_equal(roc_sender_query(sender, 0, &sm, scm, &count), 0);
  assert_int_equal(sm.connection_count, 1);
  assert_int_equal(count, 1);
  assert_true(scm[0].expected_packets > 0);
  /* rill's own counters behind the slot agree. */
  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  assert_int_equal(rill_receiver_metrics(roc__receiver_slot_rill(recv, 0), &m, NULL, 0, NULL), 0);
  assert_int_equal(m.sessions, 1);
  assert_int_equal(m.bad_packets, 0);
  if (fec)
    assert_true(m.fec_repair_received > 0);
  else
    assert_int_equal(m.fec_repair_received, 0);

  assert_int_equal(roc_sender_unlink(sender, 0), 0);
  assert_int_equal(roc_receiver_unlink(recv, 0), 0);
  assert_int_equal(roc_sender_close(sender), 0);
  assert_int_equal(roc_receiver_close(recv), 0);
  assert_int_equal(roc_context_close(ctx), 0);
  roc_endpoint_deallocate(src);
  roc_endpoint_deallocate(rpr);
  roc_endpoint_deallocate(ctl);
}

static void roc_sender_to_receiver(void **state)
{
  (void)state;
  stream_case(0);
}

static void roc_sender_to_receiver_fec(void **state)
{
  (void)state;
  stream_case(1);
}

/* Encoder -> (by hand, every 7th source packet dropped) -> decoder. */
static void roc_encoder_decoder_by_hand(void **state)
{
  roc_context *ctx = open_ctx();
  roc_sender_config scfg;
  roc_receiver_config rcfg;
  roc_sender_encoder *enc = NULL;
  roc_receiver_decoder *dec = NULL;
  roc_receiver_metrics dm;
  roc_connection_metrics cm;
  struct rill_receiver_metrics m;
  float in[CHUNK * CH], out[CHUNK * CH];
  unsigned char bytes[2048];
  uint64_t phase = 0;
  size_t sources = 0, repairs = 0, dropped = 0, srs = 0, rrs = 0;
  roc_sender_metrics em;
  roc_connection_metrics ecm;
  int i, loud = 0;
  (void)state;

  memset(&scfg, 0, sizeof(scfg));
  frame_encoding(&scfg.frame_encoding);
  scfg.fec_encoding = ROC_FEC_ENCODING_RS8M;
  scfg.fec_block_source_packets = 10;
  scfg.fec_block_repair_packets = 5;
  assert_int_equal(roc_sender_encoder_open(ctx, &scfg, &enc), 0);
  assert_int_equal(roc_sender_encoder_activate(enc, ROC_INTERFACE_AUDIO_SOURCE, ROC_PROTO_RTP), -1);
  assert_int_equal(roc_sender_encoder_activate(enc, ROC_INTERFACE_AUDIO_SOURCE,
                                               ROC_PROTO_RTP_RS8M_SOURCE), 0);
  assert_int_equal(roc_sender_encoder_activate(enc, ROC_INTERFACE_AUDIO_SOURCE,
                                               ROC_PROTO_RTP_RS8M_SOURCE), -1);
  assert_int_equal(roc_sender_encoder_activate(enc, ROC_INTERFACE_AUDIO_REPAIR,
                                               ROC_PROTO_RS8M_REPAIR), 0);
  assert_int_equal(roc_sender_encoder_activate(enc, ROC_INTERFACE_AUDIO_CONTROL,
                                               ROC_PROTO_RTP), -1);
  assert_int_equal(roc_sender_encoder_activate(enc, ROC_INTERFACE_AUDIO_CONTROL,
                                               ROC_PROTO_RTCP), 0);

  memset(&rcfg, 0, sizeof(rcfg));
  frame_encoding(&rcfg.frame_encoding);
  rcfg.target_latency = 200000000ull;
  assert_int_equal(roc_receiver_decoder_open(ctx, &rcfg, &dec), 0);
  assert_int_equal(roc_receiver_decoder_activate(dec, ROC_INTERFACE_AUDIO_SOURCE,
                                                 ROC_PROTO_RTP_RS8M_SOURCE), 0);
  assert_int_equal(roc_receiver_decoder_activate(dec, ROC_INTERFACE_AUDIO_REPAIR,
                                                 ROC_PROTO_RS8M_REPAIR), 0);
  {
    /* No control interface on the decoder yet: no feedback. */
    roc_packet p = {bytes, sizeof(bytes)};
    assert_int_equal(roc_receiver_decoder_pop_feedback_packet(dec, ROC_INTERFACE_AUDIO_CONTROL, &p), -1);
    assert_int_equal(roc_sender_encoder_push_feedback_packet(enc, ROC_INTERFACE_AUDIO_SOURCE, &p), -1);
  }
  assert_int_equal(roc_receiver_decoder_activate(dec, ROC_INTERFACE_AUDIO_CONTROL,
                                                 ROC_PROTO_RTCP), 0);

  /* 3 s: the first 300 ms prefill the jitter buffer, then one frame out for
   * each frame in. */
  for (i = 0; i < 300; i++) {
    roc_frame fi = {in, sizeof(in)}, fo = {out, sizeof(out)};
    roc_packet p = {bytes, sizeof(bytes)};
    sine(in, CHUNK, &phase);
    assert_int_equal(roc_sender_encoder_push_frame(enc, &fi), 0);
    while (p.bytes_size = sizeof(bytes),
           roc_sender_encoder_pop_packet(enc, ROC_INTERFACE_AUDIO_SOURCE, &p) == 0) {
      if (++sources % 7 == 0) {
        dropped++;
        continue;
      }
      assert_int_equal(roc_receiver_decoder_push_packet(dec, ROC_INTERFACE_AUDIO_SOURCE, &p), 0);
    }
    while (p.bytes_size = sizeof(bytes),
           roc_sender_encoder_pop_packet(enc, ROC_INTERFACE_AUDIO_REPAIR, &p) == 0) {
      repairs++;
      assert_int_equal(roc_receiver_decoder_push_packet(dec, ROC_INTERFACE_AUDIO_REPAIR, &p), 0);
    }
    /* RTCP by hand too: sender reports one way, reception reports back. */
    while (p.bytes_size = sizeof(bytes),
           roc_sender_encoder_pop_packet(enc, ROC_INTERFACE_AUDIO_CONTROL, &p) == 0) {
      srs++;
      assert_int_equal(roc_receiver_decoder_push_packet(dec, ROC_INTERFACE_AUDIO_CONTROL, &p), 0);
    }
    while (p.bytes_size = sizeof(bytes),
           roc_receiver_decoder_pop_feedback_packet(dec, ROC_INTERFACE_AUDIO_CONTROL, &p) == 0) {
      rrs++;
      assert_int_equal(roc_sender_encoder_push_feedback_packet(enc, ROC_INTERFACE_AUDIO_CONTROL, &p),
                       0);
    }
    if (i >= 30) {
      assert_int_equal(roc_receiver_decoder_pop_frame(dec, &fo), 0);
      if (i >= 100)
        loud += rms(out, CHUNK * CH) > 0.3;
    }
  }
  assert_true(sources >= 590 && repairs > 0 && dropped > 80);
  /* Every lost packet was restored: the last 2 s play without a gap. */
  assert_int_equal(loud, 200);
  assert_int_equal(roc_receiver_decoder_query(dec, &dm, &cm), 0);
  assert_int_equal(dm.connection_count, 1);
  assert_int_equal(cm.lost_packets, 0);
  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  assert_int_equal(rill_receiver_metrics(roc__decoder_rill(dec), &m, NULL, 0, NULL), 0);
  assert_true(m.fec_recovered >= dropped - 20);
  assert_int_equal(m.bad_packets, 0);
  /* Reports went both ways (at least one each: the first is due at once),
   * and the encoder knows its receiver by them. */
  assert_true(srs >= 1 && rrs >= 1);
  assert_true(m.rtcp_received >= srs && m.rtcp_sent == rrs);
  assert_int_equal(m.rtcp_malformed + m.rtcp_unmatched, 0);
  assert_int_equal(roc_sender_encoder_query(enc, &em, &ecm), 0);
  assert_int_equal(em.connection_count, 1);
  assert_true(ecm.expected_packets > 0);
  {
    /* A small buffer is refused, the packet kept for a larger one. */
    roc_frame fi = {in, sizeof(in)};
    roc_packet p = {bytes, 8};
    assert_int_equal(roc_sender_encoder_push_frame(enc, &fi), 0);
    assert_int_equal(roc_sender_encoder_pop_packet(enc, ROC_INTERFACE_AUDIO_SOURCE, &p), -1);
    p.bytes_size = sizeof(bytes);
    assert_int_equal(roc_sender_encoder_pop_packet(enc, ROC_INTERFACE_AUDIO_SOURCE, &p), 0);
    assert_true(p.bytes_size > 12);
  }
  assert_int_equal(roc_sender_encoder_close(enc), 0);
  assert_int_equal(roc_receiver_decoder_close(dec), 0);
  assert_int_equal(roc_context_close(ctx), 0);
}

/* packet_encoding left 0: 44.1 kHz float frames get L16, PT 10 (stereo)
 * or 11 (mono), with 16-bit samples on the wire. */
static void roc_default_packet_encoding(void **state)
{
  static const struct {
    roc_channel_layout layout;
    unsigned channels, pt;
  } cases[] = {{ROC_CHANNEL_LAYOUT_STEREO, 2, 10}, {ROC_CHANNEL_LAYOUT_MONO, 1, 11}};
  roc_context *ctx = open_ctx();
  float in[CHUNK * CH];
  unsigned char bytes[2048];
  size_t i;
  (void)state;
  memset(in, 0, sizeof(in));
  for (i = 0; i < 2; i++) {
    roc_sender_config scfg;
    roc_sender_encoder *enc = NULL;
    roc_frame fi = {in, CHUNK * cases[i].channels * sizeof(float)};
    roc_packet p = {bytes, sizeof(bytes)};
    memset(&scfg, 0, sizeof(scfg));
    frame_encoding(&scfg.frame_encoding);
    scfg.frame_encoding.channels = cases[i].layout;
    scfg.fec_encoding = ROC_FEC_ENCODING_DISABLE;
    scfg.packet_length = 5000000ull; /* 220 frames */
    assert_int_equal(roc_sender_encoder_open(ctx, &scfg, &enc), 0);
    assert_int_equal(roc_sender_encoder_activate(enc, ROC_INTERFACE_AUDIO_SOURCE, ROC_PROTO_RTP), 0);
    assert_int_equal(roc_sender_encoder_push_frame(enc, &fi), 0);
    assert_int_equal(roc_sender_encoder_pop_packet(enc, ROC_INTERFACE_AUDIO_SOURCE, &p), 0);
    assert_int_equal(bytes[1] & 0x7f, cases[i].pt);
    assert_int_equal(p.bytes_size, 12 + 220 * 2 * cases[i].channels);
    assert_int_equal(roc_sender_encoder_close(enc), 0);
  }
  assert_int_equal(roc_context_close(ctx), 0);
}

/* A receiver nobody reads, under a flood of valid RTP from many SSRCs:
 * rill's counters say its memory stays within the budget set through
 * RILL_ROC_MAX_MEM, and comes back down once it goes idle. */
static void roc_receiver_never_read_flood(void **state)
{
  const size_t budget = (size_t)8 << 20;
  roc_context *ctx;
  roc_receiver_config rcfg;
  roc_receiver *recv = NULL;
  roc_endpoint *ep = endpoint("rtp://127.0.0.1:0");
  struct rill_receiver_metrics m;
  struct rill_receiver *rr;
  struct sockaddr_in to;
  unsigned char pkt[12 + 220 * 4];
  int port = 0, fd, i;
  (void)state;

  setenv(ROC_MEM_ENV, "8M", 1);
  ctx = open_ctx();
  unsetenv(ROC_MEM_ENV);
  memset(&rcfg, 0, sizeof(rcfg));
  frame_encoding(&rcfg.frame_encoding);
  assert_int_equal(roc_receiver_open(ctx, &rcfg, &recv), 0);
  assert_int_equal(roc_receiver_bind(recv, 0, ROC_INTERFACE_AUDIO_SOURCE, ep), 0);
  assert_int_equal(roc_endpoint_get_port(ep, &port), 0);
  assert_true(port > 0);
  rr = roc__receiver_slot_rill(recv, 0);
  assert_non_null(rr);

  fd = socket(AF_INET, SOCK_DGRAM, 0);
  assert_true(fd >= 0);
  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_port = htons((uint16_t)port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  memset(pkt, 0x11, sizeof(pkt));
  /* 40000 packets of 5 ms (200 s of audio each for 8 SSRCs), as fast as
   * the socket takes them. */
  for (i = 0; i < 40000; i++) {
    uint16_t seq = (uint16_t)(i / 8);
    uint32_t ts = (uint32_t)(i / 8) * 220u, ssrc = 0x1000u + (uint32_t)(i % 8);
    pkt[0] = 0x80;
    pkt[1] = 10;
    pkt[2] = (unsigned char)(seq >> 8);
    pkt[3] = (unsigned char)seq;
    pkt[4] = (unsigned char)(ts >> 24);
    pkt[5] = (unsigned char)(ts >> 16);
    pkt[6] = (unsigned char)(ts >> 8);
    pkt[7] = (unsigned char)ts;
    pkt[8] = (unsigned char)(ssrc >> 24);
    pkt[9] = (unsigned char)(ssrc >> 16);
    pkt[10] = (unsigned char)(ssrc >> 8);
    pkt[11] = (unsigned char)ssrc;
    (void)sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to));
    if (i % 2000 == 0) {
      memset(&m, 0, sizeof(m));
      m.struct_size = sizeof(m);
      assert_int_equal(rill_receiver_metrics(rr, &m, NULL, 0, NULL), 0);
      if (m.memory.used_bytes > budget || m.memory.peak_bytes > budget)
        fail_msg("memory %zu (peak %zu) over the %zu budget", m.memory.used_bytes,
                 m.memory.peak_bytes, budget);
    }
  }
  close(fd);
  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  assert_int_equal(rill_receiver_metrics(rr, &m, NULL, 0, NULL), 0);
  assert_int_equal(m.memory.budget_bytes, budget);
  assert_true(m.memory.peak_bytes <= budget);
  assert_true(m.datagrams > 1000); /* the flood arrived */
  /* Nobody reads: the receiver goes idle and gives its packets back (wait
   * for the event, at most 10 s). */
  for (i = 0; i < 1000; i++) {
    memset(&m, 0, sizeof(m));
    m.struct_size = sizeof(m);
    assert_int_equal(rill_receiver_metrics(rr, &m, NULL, 0, NULL), 0);
    if (m.idle && m.sessions == 0 && m.memory.used_bytes < budget / 2)
      break;
    sleep_ms(10);
  }
  if (!m.idle || m.sessions != 0 || m.memory.used_bytes >= budget / 2)
    fail_msg("not idle with memory back: idle %d, sessions %u, used %zu", m.idle, m.sessions,
             m.memory.used_bytes);
  assert_int_equal(roc_receiver_close(recv), 0);
  assert_int_equal(roc_context_close(ctx), 0);
  roc_endpoint_deallocate(ep);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(roc_endpoint_uri_round_trips),
      cmocka_unit_test(roc_endpoint_bad_uris),
      cmocka_unit_test(roc_errors_for_bad_arguments),
      cmocka_unit_test(roc_sender_to_receiver),
      cmocka_unit_test(roc_sender_to_receiver_fec),
      cmocka_unit_test(roc_encoder_decoder_by_hand),
      cmocka_unit_test(roc_default_packet_encoding),
      cmocka_unit_test(roc_receiver_never_read_flood),
  };
  roc_log_set_level(ROC_LOG_NONE);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
