/*
 * Allocation-failure sweeps over the pipeline's constructors: context,
 * receiver (and its FEC reader), sender (with resampling, and its FEC
 * writer), and the FEC reader and writer on their own. For N = 0, 1, ...
 * allocation N fails; every failure must be a clean error with nothing left
 * allocated and nothing left charged to the budget, until the call
 * succeeds (and the sweep must have failed at least once first).
 *
 * The context takes a failing arena (rill_context_params.arena) that
 * fails nothing while the fixture is set up; the sweep arms it just before
 * the constructor under test.
 */
#include <arpa/inet.h>
#include <rill/status.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "pipeline/context.h"
#include "pipeline/fec_reader.h"
#include "pipeline/fec_writer.h"
#include "pipeline/receiver.h"
#include "pipeline/sender.h"
#include "rtp/payload.h"
#include "test_util.h"

#define SWEEP_LIMIT 256

struct world {
  struct rill_fail_arena fa;
  struct rill_context *ctx;
  size_t base_blocks, base_used;
};

static void world_open(struct world *w)
{
  struct rill_context_params cp = {(size_t)32 << 20, 2048, NULL};
  fail_arena_init(&w->fa, arena_heap(), -1);
  cp.arena = &w->fa.base;
  assert_int_equal(context_create(&cp, &w->ctx), RILL_OK);
  w->base_blocks = atomic_load(&w->fa.base.live_blocks);
  w->base_used = atomic_load(&w->ctx->global.used_bytes);
}

static void world_assert_clean(struct world *w)
{
  assert_int_equal(atomic_load(&w->fa.base.live_blocks), w->base_blocks);
  assert_int_equal(atomic_load(&w->ctx->global.used_bytes), w->base_used);
}

static void world_close(struct world *w)
{
  world_assert_clean(w);
  assert_int_equal(context_destroy(w->ctx), RILL_OK);
  assert_int_equal(atomic_load(&w->fa.base.live_blocks), 0);
}

/* One attempt at allocation budget N: the constructor, then (on success)
 * its destructor. Returns the constructor's status. */
typedef int (*attempt_fn)(struct world *w);

static void sweep(attempt_fn attempt, const char *what)
{
  struct world w;
  long n;
  world_open(&w);
  for (n = 0; n < SWEEP_LIMIT; n++) {
    int status;
    atomic_store(&w.fa.countdown, n);
    status = attempt(&w);
    atomic_store(&w.fa.countdown, -1);
    world_assert_clean(&w);
    if (status == RILL_OK) {
      print_message("%s: succeeded at allocation %ld, clean after each failure\n", what, n);
      assert_true(n >= 1);
      world_close(&w);
      return;
    }
    assert_int_equal(status, RILL_ENOMEM);
  }
  fail_msg("%s still failing after %d allocations", what, SWEEP_LIMIT);
}

static struct rill_receiver_params receiver_params(void)
{
  struct rill_receiver_params p;
  memset(&p, 0, sizeof(p));
  p.rate_hz = 44100;
  p.channels = 2;
  p.target_latency_ns = 100 * NS_PER_MS;
  p.session_timeout_ns = 2 * NS_PER_S;
  p.max_sessions = 4;
  p.session_budget_bytes = 1u << 20;
  p.socket_budget_bytes = 1u << 20;
  p.max_queue_packets = 64;
  p.probation_packets = 2;
  p.drift_compensation = true;
  p.resampler_quality = 3;
  rtp_registry_init(&p.registry);
  return p;
}

static int attempt_receiver(struct world *w)
{
  struct rill_receiver_params p = receiver_params();
  struct rill_receiver *r;
  int status = receiver_create(w->ctx, &p, &r);
  if (status == RILL_OK)
    receiver_destroy(r);
  return status;
}

/* A receiver that exists already: enabling FEC (the FEC reader) fails
 * cleanly and leaves the receiver usable. */
static int attempt_receiver_fec(struct world *w)
{
  struct rill_receiver_params p = receiver_params();
  struct rill_receiver *r;
  long countdown = atomic_load(&w->fa.countdown);
  int status;
  atomic_store(&w->fa.countdown, -1);
  assert_int_equal(receiver_create(w->ctx, &p, &r), RILL_OK);
  atomic_store(&w->fa.countdown, countdown);
  status = receiver_enable_fec(r, FEC_SCHEME_RS8M);
  atomic_store(&w->fa.countdown, -1);
  receiver_destroy(r);
  return status;
}

static int attempt_sender(struct world *w)
{
  struct rill_sender_params p;
  struct rill_sender *s;
  int status;
  memset(&p, 0, sizeof(p));
  p.enc = (struct rtp_encoding){10, RTP_FMT_S16BE, 44100, 2};
  p.input_channels = 2;
  p.input_rate_hz = 48000; /* resampling buffers too */
  p.resampler_quality = 3;
  p.packet_frames = 220;
  p.queue_packets = 64;
  status = sender_create(w->ctx, &p, &s);
  if (status == RILL_OK)
    sender_destroy(s);
  return status;
}

static int attempt_sender_fec(struct world *w)
{
  struct rill_sender_params p;
  struct rill_sender *s;
  struct sockaddr_in dst;
  long countdown = atomic_load(&w->fa.countdown);
  int status;
  memset(&p, 0, sizeof(p));
  p.enc = (struct rtp_encoding){10, RTP_FMT_S16BE, 44100, 2};
  p.input_channels = 2;
  p.packet_frames = 220;
  p.queue_packets = 64;
  atomic_store(&w->fa.countdown, -1);
  assert_int_equal(sender_create(w->ctx, &p, &s), RILL_OK);
  memset(&dst, 0, sizeof(dst));
  dst.sin_family = AF_INET;
  dst.sin_port = htons(9); /* discard: nothing is written */
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  atomic_store(&w->fa.countdown, countdown);
  /* The FEC writer, then the port. */
  status = sender_connect_endpoint(s, (const struct sockaddr *)&dst, SENDER_IFACE_SOURCE,
                                   FEC_SCHEME_RS8M);
  atomic_store(&w->fa.countdown, -1);
  sender_destroy(s);
  return status;
}

static int attempt_fec_reader(struct world *w)
{
  struct fec_reader *fr;
  int status = fec_reader_create(w->ctx->arena, &w->ctx->global, FEC_SCHEME_LDPC,
                                 w->ctx->buffers, 8, &fr);
  if (status == RILL_OK)
    fec_reader_destroy(fr);
  return status;
}

static int attempt_fec_writer(struct world *w)
{
  struct fec_writer *fw;
  int status = fec_writer_create(w->ctx->arena, &w->ctx->global, FEC_SCHEME_LDPC, 18, 10, 1400,
                                 1, &fw);
  if (status == RILL_OK)
    fec_writer_destroy(fw);
  return status;
}

static void alloc_failure_sweep_receiver(void **state)
{
  (void)state;
  sweep(attempt_receiver, "receiver_create");
}

static void alloc_failure_sweep_receiver_fec(void **state)
{
  (void)state;
  sweep(attempt_receiver_fec, "receiver_enable_fec");
}

static void alloc_failure_sweep_sender(void **state)
{
  (void)state;
  sweep(attempt_sender, "sender_create");
}

static void alloc_failure_sweep_sender_fec(void **state)
{
  (void)state;
  sweep(attempt_sender_fec, "sender_connect (FEC)");
}

static void alloc_failure_sweep_fec_reader(void **state)
{
  (void)state;
  sweep(attempt_fec_reader, "fec_reader_create");
}

static void alloc_failure_sweep_fec_writer(void **state)
{
  (void)state;
  sweep(attempt_fec_writer, "fec_writer_create");
}

/* The context itself: every allocation it makes through its arena. */
static void alloc_failure_sweep_context(void **state)
{
  long n;
  (void)state;
  for (n = 0; n < SWEEP_LIMIT; n++) {
    struct rill_fail_arena fa;
    struct rill_context_params cp = {(size_t)32 << 20, 2048, NULL};
    struct rill_context *ctx = NULL;
    int status;
    fail_arena_init(&fa, arena_heap(), n);
    cp.arena = &fa.base;
    status = context_create(&cp, &ctx);
    if (status == RILL_OK) {
      assert_true(n >= 1);
      assert_int_equal(context_destroy(ctx), RILL_OK);
      assert_int_equal(atomic_load(&fa.base.live_blocks), 0);
      print_message("context_create: succeeded at allocation %ld\n", n);
      return;
    }
    assert_int_equal(status, RILL_ENOMEM);
    assert_null(ctx);
    assert_int_equal(atomic_load(&fa.base.live_blocks), 0);
  }
  fail_msg("context_create still failing after %d allocations", SWEEP_LIMIT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(alloc_failure_sweep_context),
      cmocka_unit_test(alloc_failure_sweep_receiver),
      cmocka_unit_test(alloc_failure_sweep_receiver_fec),
      cmocka_unit_test(alloc_failure_sweep_sender),
      cmocka_unit_test(alloc_failure_sweep_sender_fec),
      cmocka_unit_test(alloc_failure_sweep_fec_reader),
      cmocka_unit_test(alloc_failure_sweep_fec_writer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
