/*
 * rill_receiver_read: a read of more frames than the pipeline takes at once
 * goes in chunks laid end to end. The chunk is API_READ_CHUNK_FRAMES (far
 * too many frames to allocate here), so the loop is driven with small chunks
 * through api_receiver_read_chunked, the function rill_receiver_read runs:
 * every sample of the buffer must be written (silence: no sender), none
 * past it.
 */
#include <rill/context.h>
#include <rill/receiver.h>
#include <rill/status.h>

#include "api/api.h"
#include "test_util.h"

#define CHANNELS 3 /* odd, so a stride that forgot the channels shows */
#define FRAMES 10
#define GUARD_FRAMES 4
#define SENTINEL 1234.5f

struct fixture {
  struct rill_context *ctx;
  struct rill_receiver *recv;
};

static int setup(void **state)
{
  static struct fixture f;
  struct rill_receiver_config rc;
  rill_receiver_config_init(&rc);
  rc.channels = CHANNELS;
  assert_int_equal(rill_context_open(NULL, &f.ctx), RILL_OK);
  assert_int_equal(rill_receiver_open(f.ctx, &rc, &f.recv), RILL_OK);
  *state = &f;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  assert_int_equal(rill_receiver_close(f->recv), RILL_OK);
  assert_int_equal(rill_context_close(f->ctx), RILL_OK);
  return 0;
}

static void fill(float *buf, size_t n, float v)
{
  size_t i;
  for (i = 0; i < n; i++)
    buf[i] = v;
}

/* Reads FRAMES frames in chunks of `chunk` and checks every sample. */
static void check_chunked(struct rill_receiver *recv, uint32_t chunk)
{
  float buf[(FRAMES + GUARD_FRAMES) * CHANNELS];
  size_t i;
  fill(buf, sizeof(buf) / sizeof(buf[0]), SENTINEL);
  api_receiver_read_chunked(recv, buf, FRAMES, chunk);
  for (i = 0; i < (size_t)FRAMES * CHANNELS; i++) {
    if (buf[i] != 0.0f)
      fail_msg("chunk %u: sample %zu (frame %zu) is %g, want 0 (silence)", chunk, i,
               i / CHANNELS, (double)buf[i]);
  }
  for (; i < sizeof(buf) / sizeof(buf[0]); i++) {
    if (buf[i] != SENTINEL)
      fail_msg("chunk %u: sample %zu past the %d frames was written (%g)", chunk, i, FRAMES,
               (double)buf[i]);
  }
}

static void api_receiver_read_chunks_end_to_end(void **state)
{
  struct fixture *f = *state;
  uint32_t chunk;
  /* 1 and 3 do not divide 10; 10 and more: one chunk. */
  for (chunk = 1; chunk <= FRAMES + 1; chunk++)
    check_chunked(f->recv, chunk);
}

static void api_receiver_read_fills_every_frame(void **state)
{
  struct fixture *f = *state;
  float buf[(FRAMES + GUARD_FRAMES) * CHANNELS];
  size_t i;
  fill(buf, sizeof(buf) / sizeof(buf[0]), SENTINEL);
  assert_int_equal(rill_receiver_read(f->recv, buf, FRAMES), RILL_OK);
  for (i = 0; i < (size_t)FRAMES * CHANNELS; i++)
    assert_true(buf[i] == 0.0f);
  for (; i < sizeof(buf) / sizeof(buf[0]); i++)
    assert_true(buf[i] == SENTINEL);
}

static void api_receiver_read_rejects_null(void **state)
{
  struct fixture *f = *state;
  float x = SENTINEL;
  assert_int_equal(rill_receiver_read(NULL, &x, 1), RILL_EINVAL);
  assert_int_equal(rill_receiver_read(f->recv, NULL, 1), RILL_EINVAL);
  assert_int_equal(rill_receiver_read(f->recv, NULL, 0), RILL_OK);
  assert_true(x == SENTINEL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(api_receiver_read_chunks_end_to_end),
      cmocka_unit_test(api_receiver_read_fills_every_frame),
      cmocka_unit_test(api_receiver_read_rejects_null),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
