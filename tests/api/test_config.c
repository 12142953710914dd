/*
 * Public config structs that can grow (rill/context.h, "Config structs that
 * can grow"): _config_init writes the documented defaults; a zeroed config,
 * an initialised one and NULL give the same parameters; a struct_size
 * shorter than the library's struct (a program built against older
 * headers) is honoured and whatever lies past it is never read; struct_size
 * 0 reads the 0.1 layout; a longer struct is accepted only when the bytes
 * the library does not know are zero; a struct_size that cannot be a size
 * is refused.
 *
 * Parameters are checked through api_*_params (the translation each open
 * runs), and each case also through the public open.
 */
#include <rill/context.h>
#include <rill/receiver.h>
#include <rill/sender.h>
#include <rill/status.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "pipeline/context.h"
#include "pipeline/receiver.h"
#include "pipeline/sender.h"
#include "test_util.h"

#define GARBAGE 0xa5
#define EXTRA_BYTES 16 /* a struct from newer headers: this much longer */
#define MIB ((size_t)1 << 20)

/* A config with room past the library's struct. */
union context_buf {
  struct rill_context_config c;
  unsigned char bytes[sizeof(struct rill_context_config) + EXTRA_BYTES];
};
union sender_buf {
  struct rill_sender_config c;
  unsigned char bytes[sizeof(struct rill_sender_config) + EXTRA_BYTES];
};
union receiver_buf {
  struct rill_receiver_config c;
  unsigned char bytes[sizeof(struct rill_receiver_config) + EXTRA_BYTES];
};

static struct rill_context *ctx;

static int setup(void **state)
{
  (void)state;
  assert_int_equal(rill_context_open(NULL, &ctx), RILL_OK);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  assert_int_equal(rill_context_close(ctx), RILL_OK);
  return 0;
}

/* Public opens of each config; the objects are closed again. */
static int open_context(const struct rill_context_config *c)
{
  struct rill_context *x = NULL;
  int status = rill_context_open(c, &x);
  if (status == RILL_OK)
    assert_int_equal(rill_context_close(x), RILL_OK);
  else
    assert_null(x);
  return status;
}

static int open_sender(const struct rill_sender_config *c)
{
  struct rill_sender *x = NULL;
  int status = rill_sender_open(ctx, c, &x);
  if (status == RILL_OK)
    assert_int_equal(rill_sender_close(x), RILL_OK);
  else
    assert_null(x);
  return status;
}

static int open_receiver(const struct rill_receiver_config *c)
{
  struct rill_receiver *x = NULL;
  int status = rill_receiver_open(ctx, c, &x);
  if (status == RILL_OK)
    assert_int_equal(rill_receiver_close(x), RILL_OK);
  else
    assert_null(x);
  return status;
}

/* ---- _config_init ---- */

static void api_config_init_writes_the_documented_defaults(void **state)
{
  struct rill_context_config cc;
  struct rill_sender_config sc;
  struct rill_receiver_config rc;
  (void)state;

  memset(&cc, GARBAGE, sizeof(cc));
  rill_context_config_init(&cc);
  assert_int_equal(cc.struct_size, sizeof(cc));
  assert_int_equal(cc.max_mem_bytes, 64 * MIB);
  assert_int_equal(cc.max_packet_bytes, 2048);

  memset(&sc, GARBAGE, sizeof(sc));
  rill_sender_config_init(&sc);
  assert_int_equal(sc.struct_size, sizeof(sc));
  assert_int_equal(sc.encoding.payload_type, 0); /* 10 or 11, by the channels */
  assert_int_equal(sc.encoding.format, RILL_FORMAT_S16);
  assert_int_equal(sc.encoding.rate_hz, 44100);
  assert_int_equal(sc.encoding.channels, 2);
  assert_int_equal(sc.input_channels, 0); /* the encoding's */
  assert_int_equal(sc.input_rate_hz, 0);
  assert_int_equal(sc.resampler_quality, 3);
  assert_int_equal(sc.packet_length_ns, 5 * NS_PER_MS);
  assert_int_equal(sc.fec_source_packets, 18);
  assert_int_equal(sc.fec_repair_packets, 10);

  memset(&rc, GARBAGE, sizeof(rc));
  rill_receiver_config_init(&rc);
  assert_int_equal(rc.struct_size, sizeof(rc));
  assert_int_equal(rc.rate_hz, 44100);
  assert_int_equal(rc.channels, 2);
  assert_int_equal(rc.target_latency_ns, 100 * NS_PER_MS);
  assert_int_equal(rc.session_timeout_ns, 2 * NS_PER_S);
  assert_int_equal(rc.max_sessions, 8);
  assert_int_equal(rc.max_session_mem_bytes, 4 * MIB);
  assert_int_equal(rc.max_socket_mem_bytes, 1 * MIB);
  assert_null(rc.encodings);
  assert_int_equal(rc.encoding_count, 0);
  assert_int_equal(rc.reuse_address, 0);
  assert_int_equal(rc.socket_rcvbuf_bytes, 0);
  assert_int_equal(rc.latency_tolerance_ns, 0); /* follows the target */
  assert_int_equal(rc.idle_timeout_ns, NS_PER_S);
  assert_int_equal(rc.max_session_creations_per_s, 20);
  assert_int_equal(rc.disable_drift_compensation, 0);
  assert_int_equal(rc.probation_packets, 2);
  assert_int_equal(rc.resampler_quality, 3);
  assert_int_equal(rc.no_play_timeout_ns, 2 * NS_PER_S);
  assert_int_equal(rc.choppy_timeout_ns, 0);

  rill_context_config_init(NULL); /* no crash */
  rill_sender_config_init(NULL);
  rill_receiver_config_init(NULL);
}

/* NULL, zeroed and initialised configs give the same parameters. */
static void api_config_init_zeroed_and_null_agree(void **state)
{
  struct rill_context_config cc;
  struct rill_sender_config sc;
  struct rill_receiver_config rc;
  struct rill_context_params cp[3];
  struct rill_sender_params sp[3];
  struct rill_receiver_params rp[3];
  int i;
  (void)state;

  memset(sp, 0, sizeof(sp));
  memset(rp, 0, sizeof(rp));
  assert_int_equal(api_context_params(NULL, &cp[0]), RILL_OK);
  assert_int_equal(api_sender_params(NULL, &sp[0]), RILL_OK);
  assert_int_equal(api_receiver_params(NULL, &rp[0]), RILL_OK);
  memset(&cc, 0, sizeof(cc));
  memset(&sc, 0, sizeof(sc));
  memset(&rc, 0, sizeof(rc));
  assert_int_equal(api_context_params(&cc, &cp[1]), RILL_OK);
  assert_int_equal(api_sender_params(&sc, &sp[1]), RILL_OK);
  assert_int_equal(api_receiver_params(&rc, &rp[1]), RILL_OK);
  rill_context_config_init(&cc);
  rill_sender_config_init(&sc);
  rill_receiver_config_init(&rc);
  assert_int_equal(api_context_params(&cc, &cp[2]), RILL_OK);
  assert_int_equal(api_sender_params(&sc, &sp[2]), RILL_OK);
  assert_int_equal(api_receiver_params(&rc, &rp[2]), RILL_OK);

  for (i = 1; i < 3; i++) {
    assert_int_equal(cp[i].budget_bytes, cp[0].budget_bytes);
    assert_int_equal(cp[i].max_packet_bytes, cp[0].max_packet_bytes);
    assert_int_equal(sp[i].enc.payload_type, sp[0].enc.payload_type);
    assert_int_equal(sp[i].packet_frames, sp[0].packet_frames);
    assert_int_equal(sp[i].resampler_quality, sp[0].resampler_quality);
    assert_int_equal(rp[i].rate_hz, rp[0].rate_hz);
    assert_int_equal(rp[i].target_latency_ns, rp[0].target_latency_ns);
    assert_int_equal(rp[i].latency_tolerance_ns, rp[0].latency_tolerance_ns);
    assert_int_equal(rp[i].idle_timeout_ns, rp[0].idle_timeout_ns);
    /* Every field (both sides are zeroed before they are filled; FEC
     * block sizes aside: 0 and 18/10 both mean roc's defaults). */
    sp[i].fec_source_packets = sp[0].fec_source_packets;
    sp[i].fec_repair_packets = sp[0].fec_repair_packets;
    assert_memory_equal(&cp[i], &cp[0], sizeof(cp[0]));
    assert_memory_equal(&sp[i], &sp[0], sizeof(sp[0]));
    assert_memory_equal(&rp[i], &rp[0], sizeof(rp[0]));
  }
  assert_int_equal(sp[2].fec_source_packets, 0);
  assert_int_equal(cp[0].budget_bytes, 64 * MIB);
  assert_int_equal(rp[0].channels, 2);

  assert_int_equal(open_context(&cc), RILL_OK);
  assert_int_equal(open_sender(&sc), RILL_OK);
  assert_int_equal(open_receiver(&rc), RILL_OK);
}

/* ---- a struct_size shorter than the library's struct ---- */

static void api_config_short_context_ignores_garbage_past_it(void **state)
{
  union context_buf u;
  struct rill_context_params p;
  (void)state;
  /* A program whose struct ended before max_packet_bytes. */
  memset(&u, GARBAGE, sizeof(u));
  u.c.struct_size = offsetof(struct rill_context_config, max_packet_bytes);
  u.c.max_mem_bytes = 8 * MIB;
  assert_int_equal(api_context_params(&u.c, &p), RILL_OK);
  assert_int_equal(p.budget_bytes, 8 * MIB);
  assert_int_equal(p.max_packet_bytes, 2048); /* not 0xa5a5...: out of range */
  assert_int_equal(open_context(&u.c), RILL_OK);
}

static void api_config_short_sender_ignores_garbage_past_it(void **state)
{
  union sender_buf u;
  struct rill_sender_params p;
  (void)state;
  /* A program whose struct ended after the encoding. */
  memset(&u, GARBAGE, sizeof(u));
  u.c.struct_size = offsetof(struct rill_sender_config, input_channels);
  memset(&u.c.encoding, 0, sizeof(u.c.encoding));
  u.c.encoding.payload_type = 96;
  u.c.encoding.format = RILL_FORMAT_F32;
  u.c.encoding.rate_hz = 48000;
  u.c.encoding.channels = 1;
  assert_int_equal(api_sender_params(&u.c, &p), RILL_OK);
  assert_int_equal(p.enc.payload_type, 96);
  assert_int_equal(p.enc.rate_hz, 48000);
  assert_int_equal(p.enc.channels, 1);
  assert_int_equal(p.input_channels, 1);
  assert_int_equal(p.input_rate_hz, 48000);
  assert_int_equal(p.resampler_quality, 3);
  assert_int_equal(p.packet_frames, 240); /* 5 ms at 48 kHz */
  assert_int_equal(p.fec_source_packets, 0);
  assert_int_equal(p.fec_repair_packets, 0);
  assert_int_equal(open_sender(&u.c), RILL_OK);
}

static void api_config_short_receiver_ignores_garbage_past_it(void **state)
{
  union receiver_buf u;
  struct rill_receiver_params p, def;
  (void)state;
  assert_int_equal(api_receiver_params(NULL, &def), RILL_OK);
  /* A program whose struct ended after rate_hz: channels, the encodings
   * pointer and its count are garbage and must not be read. */
  memset(&u, GARBAGE, sizeof(u));
  u.c.struct_size = offsetof(struct rill_receiver_config, channels);
  u.c.rate_hz = 48000;
  assert_int_equal(api_receiver_params(&u.c, &p), RILL_OK);
  assert_int_equal(p.rate_hz, 48000);
  p.rate_hz = def.rate_hz;
  assert_int_equal(p.channels, 2);
  assert_int_equal(p.max_sessions, 8);
  assert_int_equal(p.choppy_timeout_ns, 0);
  assert_memory_equal(&p, &def, sizeof(p));
  assert_int_equal(open_receiver(&u.c), RILL_OK);

  /* Cut just before the last field. */
  memset(&u, GARBAGE, sizeof(u));
  rill_receiver_config_init(&u.c);
  u.c.struct_size = offsetof(struct rill_receiver_config, choppy_timeout_ns);
  u.c.no_play_timeout_ns = 3 * NS_PER_S;
  memset(&u.c.choppy_timeout_ns, GARBAGE, sizeof(u.c.choppy_timeout_ns));
  assert_int_equal(api_receiver_params(&u.c, &p), RILL_OK);
  assert_int_equal(p.no_play_timeout_ns, 3 * NS_PER_S);
  assert_int_equal(p.choppy_timeout_ns, 0);
  assert_int_equal(open_receiver(&u.c), RILL_OK);
}

/* ---- struct_size 0: the 0.1 layout ---- */

static void api_config_zero_size_reads_the_0_1_layout(void **state)
{
  struct rill_context_config cc;
  struct rill_sender_config sc;
  struct rill_receiver_config rc;
  struct rill_context_params cp;
  struct rill_sender_params sp;
  struct rill_receiver_params rp;
  (void)state;
  /* Every field of today's structs is in the 0.1 layout: the last is read. */
  memset(&cc, 0, sizeof(cc));
  cc.max_packet_bytes = 1500;
  assert_int_equal(api_context_params(&cc, &cp), RILL_OK);
  assert_int_equal(cp.max_packet_bytes, 1500);
  memset(&sc, 0, sizeof(sc));
  sc.fec_repair_packets = 7;
  assert_int_equal(api_sender_params(&sc, &sp), RILL_OK);
  assert_int_equal(sp.fec_repair_packets, 7);
  memset(&rc, 0, sizeof(rc));
  rc.choppy_timeout_ns = 3 * NS_PER_S;
  assert_int_equal(api_receiver_params(&rc, &rp), RILL_OK);
  assert_int_equal(rp.choppy_timeout_ns, 3 * NS_PER_S);
  assert_int_equal(open_receiver(&rc), RILL_OK);
}

static void api_config_size_that_is_no_size_is_refused(void **state)
{
  static const size_t garbage[] = {4097, 0xa5a5a5a5u, SIZE_MAX};
  struct rill_context_config cc;
  struct rill_sender_config sc;
  struct rill_receiver_config rc;
  size_t size, i;
  (void)state;
  /* Smaller than the struct_size field itself. */
  for (size = 1; size < sizeof(size_t); size++) {
    rill_context_config_init(&cc);
    rill_sender_config_init(&sc);
    rill_receiver_config_init(&rc);
    cc.struct_size = sc.struct_size = rc.struct_size = size;
    assert_int_equal(open_context(&cc), RILL_EINVAL);
    assert_int_equal(open_sender(&sc), RILL_EINVAL);
    assert_int_equal(open_receiver(&rc), RILL_EINVAL);
  }
  /* Stack garbage in a config never initialised: refused before any byte
   * past the struct is looked at (ASan would see it). */
  for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
    rill_context_config_init(&cc);
    rill_sender_config_init(&sc);
    rill_receiver_config_init(&rc);
    cc.struct_size = sc.struct_size = rc.struct_size = garbage[i];
    assert_int_equal(open_context(&cc), RILL_EINVAL);
    assert_int_equal(open_sender(&sc), RILL_EINVAL);
    assert_int_equal(open_receiver(&rc), RILL_EINVAL);
  }
}

/* ---- a struct_size longer than the library's struct ---- */

static void api_config_longer_struct_needs_zero_tail(void **state)
{
  union context_buf cu;
  union sender_buf su;
  union receiver_buf ru;
  struct rill_receiver_params rp;
  (void)state;
  memset(&cu, 0, sizeof(cu));
  memset(&su, 0, sizeof(su));
  memset(&ru, 0, sizeof(ru));
  rill_context_config_init(&cu.c);
  rill_sender_config_init(&su.c);
  rill_receiver_config_init(&ru.c);
  cu.c.struct_size = sizeof(cu);
  su.c.struct_size = sizeof(su);
  ru.c.struct_size = sizeof(ru);
  ru.c.max_sessions = 3;
  /* Fields the library does not know, left at 0 (their default): fine. */
  assert_int_equal(api_receiver_params(&ru.c, &rp), RILL_OK);
  assert_int_equal(rp.max_sessions, 3);
  assert_int_equal(open_context(&cu.c), RILL_OK);
  assert_int_equal(open_sender(&su.c), RILL_OK);
  assert_int_equal(open_receiver(&ru.c), RILL_OK);
  /* One of them set: refused, not silently ignored. */
  cu.bytes[sizeof(cu) - 1] = 1;
  su.bytes[sizeof(struct rill_sender_config)] = 1;
  ru.bytes[sizeof(struct rill_receiver_config) + 3] = 1;
  assert_int_equal(open_context(&cu.c), RILL_EUNSUPPORTED);
  assert_int_equal(open_sender(&su.c), RILL_EUNSUPPORTED);
  assert_int_equal(open_receiver(&ru.c), RILL_EUNSUPPORTED);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(api_config_init_writes_the_documented_defaults),
      cmocka_unit_test(api_config_init_zeroed_and_null_agree),
      cmocka_unit_test(api_config_short_context_ignores_garbage_past_it),
      cmocka_unit_test(api_config_short_sender_ignores_garbage_past_it),
      cmocka_unit_test(api_config_short_receiver_ignores_garbage_past_it),
      cmocka_unit_test(api_config_zero_size_reads_the_0_1_layout),
      cmocka_unit_test(api_config_size_that_is_no_size_is_refused),
      cmocka_unit_test(api_config_longer_struct_needs_zero_tail),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
