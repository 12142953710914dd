#include <math.h>
#include <rill/status.h>
#include <stdbool.h>
#include <string.h>

#include "rtp/payload.h"
#include "test_util.h"

static const struct rtp_encoding l16_stereo = {10, RTP_FMT_S16BE, 44100, 2};
static const struct rtp_encoding l16_mono = {11, RTP_FMT_S16BE, 44100, 1};
static const struct rtp_encoding l24_stereo = {97, RTP_FMT_S24BE, 48000, 2};
static const struct rtp_encoding f32_mono = {98, RTP_FMT_F32BE, 48000, 1};

static void put_s16(uint8_t *p, int32_t v)
{
  p[0] = (uint8_t)((uint32_t)v >> 8);
  p[1] = (uint8_t)v;
}

static int32_t get_s16(const uint8_t *p)
{
  int32_t v = (int32_t)((uint32_t)p[0] << 8 | p[1]);
  return v >= 0x8000 ? v - 0x10000 : v;
}

static void put_s24(uint8_t *p, int32_t v)
{
  p[0] = (uint8_t)((uint32_t)v >> 16);
  p[1] = (uint8_t)((uint32_t)v >> 8);
  p[2] = (uint8_t)v;
}

static int32_t get_s24(const uint8_t *p)
{
  int32_t v = (int32_t)((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
  return v >= 0x800000 ? v - 0x1000000 : v;
}

static void payload_bytes_per_frame_by_format(void **state)
{
  struct rtp_encoding e = l16_stereo;
  (void)state;
  assert_int_equal(rtp_bytes_per_frame(&l16_stereo), 4);
  assert_int_equal(rtp_bytes_per_frame(&l16_mono), 2);
  assert_int_equal(rtp_bytes_per_frame(&l24_stereo), 6);
  assert_int_equal(rtp_bytes_per_frame(&f32_mono), 4);
  e.channels = 8;
  e.format = RTP_FMT_F32BE;
  assert_int_equal(rtp_bytes_per_frame(&e), 32);
  assert_int_equal(rtp_bytes_per_frame(NULL), 0);
  e.channels = 0;
  assert_int_equal(rtp_bytes_per_frame(&e), 0);
  e.channels = 9;
  assert_int_equal(rtp_bytes_per_frame(&e), 0);
  e.channels = 1;
  e.rate_hz = 0;
  assert_int_equal(rtp_bytes_per_frame(&e), 0);
  e.rate_hz = 44100;
  e.format = (enum rtp_sample_format)42;
  assert_int_equal(rtp_bytes_per_frame(&e), 0);
}

static void payload_decodes_roc_capture(void **state)
{
  /* Payload of the first datagram of shared/vectors/roc-0.4/rtp_nofec:
   * left channel a sine, right channel a counter. */
  static const uint8_t payload[12] = {0x00, 0x00, 0x00, 0x00, 0x04, 0x02,
                                      0x00, 0x01, 0x08, 0x01, 0x00, 0x02};
  float out[6];
  size_t frames = 0;
  (void)state;
  assert_int_equal(rtp_payload_decode(&l16_stereo, payload, sizeof(payload), out, 3, &frames),
                   RILL_OK);
  assert_int_equal(frames, 3);
  assert_true(out[0] == 0.0f && out[1] == 0.0f);
  assert_true(out[2] == 1026.0f / 32768.0f);
  assert_true(out[3] == 1.0f / 32768.0f);
  assert_true(out[4] == 2049.0f / 32768.0f);
  assert_true(out[5] == 2.0f / 32768.0f);
}

static void payload_l16_sine_round_trip_is_exact(void **state)
{
  enum { FRAMES = 441 };
  float in[FRAMES * 2], decoded[FRAMES * 2];
  uint8_t bytes[FRAMES * 4], again[FRAMES * 4];
  size_t written = 0, frames = 0, i;
  (void)state;
  /* 440 Hz at 0.9 on the left, 1 kHz at 0.25 on the right. */
  for (i = 0; i < FRAMES; i++) {
    in[2 * i] = (float)(0.9 * sin(2.0 * M_PI * 440.0 * (double)i / 44100.0));
    in[2 * i + 1] = (float)(0.25 * sin(2.0 * M_PI * 1000.0 * (double)i / 44100.0));
  }
  assert_int_equal(rtp_payload_encode(&l16_stereo, in, FRAMES, bytes, sizeof(bytes), &written),
                   RILL_OK);
  assert_int_equal(written, sizeof(bytes));
  /* Each sample is exactly round(x * 32768). */
  for (i = 0; i < FRAMES * 2; i++)
    assert_int_equal(get_s16(bytes + 2 * i), lround((double)in[i] * 32768.0));
  assert_int_equal(get_s16(bytes + 4 * 25), 29491); /* 0.9 * sin(2 pi 440 25 / 44100) */

  assert_int_equal(
      rtp_payload_decode(&l16_stereo, bytes, sizeof(bytes), decoded, FRAMES, &frames), RILL_OK);
  assert_int_equal(frames, FRAMES);
  for (i = 0; i < FRAMES * 2; i++) {
    assert_true(decoded[i] == (float)get_s16(bytes + 2 * i) / 32768.0f);
    assert_true(fabsf(decoded[i] - in[i]) <= 0.5f / 32768.0f + 1e-7f);
  }
  assert_int_equal(rtp_payload_encode(&l16_stereo, decoded, FRAMES, again, sizeof(again), &written),
                   RILL_OK);
  assert_memory_equal(again, bytes, sizeof(bytes));
}

static void payload_l16_every_value_round_trips(void **state)
{
  static uint8_t bytes[65536 * 2], again[65536 * 2];
  static float decoded[65536];
  size_t frames = 0, written = 0;
  int32_t v;
  (void)state;
  for (v = -32768; v <= 32767; v++)
    put_s16(bytes + 2 * (size_t)(v + 32768), v);
  assert_int_equal(
      rtp_payload_decode(&l16_mono, bytes, sizeof(bytes), decoded, 65536, &frames), RILL_OK);
  assert_int_equal(frames, 65536);
  assert_true(decoded[0] == -1.0f);                 /* -32768 */
  assert_true(decoded[1] == -32767.0f / 32768.0f); /* -32767 */
  assert_true(decoded[32768] == 0.0f);
  assert_true(decoded[65535] == 32767.0f / 32768.0f);
  assert_int_equal(rtp_payload_encode(&l16_mono, decoded, frames, again, sizeof(again), &written),
                   RILL_OK);
  for (v = -32768; v <= 32767; v++) {
    size_t i = (size_t)(v + 32768);
    assert_true(decoded[i] >= -1.0f && decoded[i] <= 1.0f);
    assert_int_equal(get_s16(again + 2 * i), v);
  }
}

static void payload_encode_clamps_and_rounds(void **state)
{
  const float in[] = {1.5f, -2.0f, INFINITY, -INFINITY, NAN, 0.5f, -0.5f, 1.0f, -1.0f, 0.0f};
  enum { N = sizeof(in) / sizeof(in[0]) };
  static const int32_t s16[N] = {32767, -32768, 32767, -32768, 0, 16384, -16384, 32767, -32768, 0};
  static const int32_t s24[N] = {8388607, -8388608, 8388607, -8388608, 0,
                                 4194304, -4194304, 8388607, -8388608, 0};
  static const float f32[N] = {1.0f, -1.0f, 1.0f, -1.0f, 0.0f, 0.5f, -0.5f, 1.0f, -1.0f, 0.0f};
  struct rtp_encoding e = l16_mono;
  uint8_t out[N * 4];
  float back[N];
  size_t written = 0, frames = 0, i;
  (void)state;

  assert_int_equal(rtp_payload_encode(&e, in, N, out, sizeof(out), &written), RILL_OK);
  assert_int_equal(written, N * 2);
  for (i = 0; i < N; i++)
    assert_int_equal(get_s16(out + 2 * i), s16[i]);

  e.format = RTP_FMT_S24BE;
  assert_int_equal(rtp_payload_encode(&e, in, N, out, sizeof(out), &written), RILL_OK);
  assert_int_equal(written, N * 3);
  for (i = 0; i < N; i++)
    assert_int_equal(get_s24(out + 3 * i), s24[i]);

  e.format = RTP_FMT_F32BE;
  assert_int_equal(rtp_payload_encode(&e, in, N, out, sizeof(out), &written), RILL_OK);
  assert_int_equal(written, N * 4);
  assert_int_equal(rtp_payload_decode(&e, out, written, back, N, &frames), RILL_OK);
  for (i = 0; i < N; i++)
    assert_true(back[i] == f32[i]);
  /* 1.0f is 0x3f800000 on the wire, big-endian. */
  assert_int_equal(out[0], 0x3f);
  assert_int_equal(out[1], 0x80);
  assert_int_equal(out[2], 0x00);
  assert_int_equal(out[3], 0x00);
}

static void payload_l24_round_trip(void **state)
{
  enum { N = 4096 };
  static uint8_t bytes[N * 3], again[N * 3];
  static float decoded[N];
  size_t frames = 0, written = 0, i;
  int32_t v;
  (void)state;
  /* Walk the whole 24-bit range with a stride, then the extremes. */
  for (v = -8388608, i = 0; i < N - 4; i++, v += 4099)
    put_s24(bytes + 3 * i, v);
  put_s24(bytes + 3 * (N - 4), -8388607);
  put_s24(bytes + 3 * (N - 3), 8388607);
  put_s24(bytes + 3 * (N - 2), -1);
  put_s24(bytes + 3 * (N - 1), 1);
  assert_int_equal(rtp_payload_decode(&l24_stereo, bytes, sizeof(bytes), decoded, N / 2, &frames),
                   RILL_OK);
  assert_int_equal(frames, N / 2);
  assert_true(decoded[0] == -1.0f);
  assert_true(decoded[N - 3] == (float)(8388607.0 / 8388608.0));
  assert_true(decoded[N - 1] == 1.0f / 8388608.0f);
  assert_int_equal(
      rtp_payload_encode(&l24_stereo, decoded, frames, again, sizeof(again), &written), RILL_OK);
  assert_int_equal(written, sizeof(bytes));
  for (i = 0; i < N; i++) {
    int32_t want = get_s24(bytes + 3 * i);
    assert_true(decoded[i] >= -1.0f && decoded[i] <= 1.0f);
    assert_int_equal(get_s24(again + 3 * i), want);
  }
}

static void payload_f32_round_trip_and_sanitise(void **state)
{
  const float in[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.123456789f, -0.75f, 1e-30f, 1.4e-45f};
  enum { N = sizeof(in) / sizeof(in[0]) };
  static const uint8_t bad[] = {
      0x40, 0x00, 0x00, 0x00, /* 2.0 */
      0xff, 0x80, 0x00, 0x00, /* -inf */
      0x7f, 0xc0, 0x00, 0x00, /* NaN */
      0xbf, 0x00, 0x00, 0x00, /* -0.5 */
  };
  uint8_t bytes[N * 4];
  float out[N];
  size_t written = 0, frames = 0;
  (void)state;
  assert_int_equal(rtp_payload_encode(&f32_mono, in, N, bytes, sizeof(bytes), &written), RILL_OK);
  assert_int_equal(rtp_payload_decode(&f32_mono, bytes, written, out, N, &frames), RILL_OK);
  assert_int_equal(frames, N);
  assert_memory_equal(out, in, sizeof(in));

  assert_int_equal(rtp_payload_decode(&f32_mono, bad, sizeof(bad), out, N, &frames), RILL_OK);
  assert_int_equal(frames, 4);
  assert_true(out[0] == 1.0f);
  assert_true(out[1] == -1.0f);
  assert_true(out[2] == 0.0f);
  assert_true(out[3] == -0.5f);
}

static void payload_decode_rejects_partial_frames_and_small_output(void **state)
{
  uint8_t bytes[24];
  float out[8];
  size_t frames = 99, i;
  (void)state;
  memset(bytes, 0x11, sizeof(bytes));
  for (i = 0; i < 8; i++)
    out[i] = 42.0f;
  assert_int_equal(rtp_payload_decode(&l16_stereo, bytes, 3, out, 4, &frames), RILL_EMALFORMED);
  assert_int_equal(rtp_payload_decode(&l16_stereo, bytes, 6, out, 4, &frames), RILL_EMALFORMED);
  assert_int_equal(rtp_payload_decode(&l16_mono, bytes, 1, out, 8, &frames), RILL_EMALFORMED);
  assert_int_equal(rtp_payload_decode(&l24_stereo, bytes, 7, out, 4, &frames), RILL_EMALFORMED);
  assert_int_equal(rtp_payload_decode(&f32_mono, bytes, 10, out, 8, &frames), RILL_EMALFORMED);
  /* 5 stereo frames, room for 4. */
  assert_int_equal(rtp_payload_decode(&l16_stereo, bytes, 20, out, 4, &frames), RILL_ENOSPC);
  assert_int_equal(rtp_payload_decode(NULL, bytes, 4, out, 4, &frames), RILL_EINVAL);
  assert_int_equal(rtp_payload_decode(&l16_stereo, NULL, 4, out, 4, &frames), RILL_EINVAL);
  assert_int_equal(rtp_payload_decode(&l16_stereo, bytes, 4, NULL, 4, &frames), RILL_EINVAL);
  assert_int_equal(rtp_payload_decode(&l16_stereo, bytes, 4, out, 4, NULL), RILL_EINVAL);
  /* No failed call wrote anything. */
  assert_int_equal(frames, 99);
  for (i = 0; i < 8; i++)
    assert_true(out[i] == 42.0f);

  /* Exactly fitting, and the empty payload. */
  assert_int_equal(rtp_payload_decode(&l16_stereo, bytes, 16, out, 4, &frames), RILL_OK);
  assert_int_equal(frames, 4);
  assert_int_equal(rtp_payload_decode(&l16_stereo, NULL, 0, NULL, 0, &frames), RILL_OK);
  assert_int_equal(frames, 0);
}

static void payload_encode_rejects_small_output_and_overflow(void **state)
{
  const float in[4] = {0.1f, 0.2f, 0.3f, 0.4f};
  uint8_t out[16];
  size_t written = 7;
  struct rtp_encoding bad = l16_stereo;
  (void)state;
  memset(out, 0xee, sizeof(out));
  assert_int_equal(rtp_payload_encode(&l16_stereo, in, 2, out, 7, &written), RILL_ENOSPC);
  assert_int_equal(rtp_payload_encode(&l24_stereo, in, 2, out, 11, &written), RILL_ENOSPC);
  /* frames * 4 bytes wraps size_t: caught before anything is read. */
  assert_int_equal(rtp_payload_encode(&l16_stereo, in, SIZE_MAX / 2, out, sizeof(out), &written),
                   RILL_EOVERFLOW);
  bad.channels = 0;
  assert_int_equal(rtp_payload_encode(&bad, in, 1, out, sizeof(out), &written), RILL_EINVAL);
  assert_int_equal(rtp_payload_encode(&l16_stereo, NULL, 1, out, sizeof(out), &written),
                   RILL_EINVAL);
  assert_int_equal(rtp_payload_encode(&l16_stereo, in, 1, NULL, sizeof(out), &written),
                   RILL_EINVAL);
  assert_int_equal(rtp_payload_encode(&l16_stereo, in, 1, out, sizeof(out), NULL), RILL_EINVAL);
  assert_int_equal(written, 7);
  assert_int_equal(out[0], 0xee);

  assert_int_equal(rtp_payload_encode(&l16_stereo, in, 2, out, 8, &written), RILL_OK);
  assert_int_equal(written, 8);
  assert_int_equal(rtp_payload_encode(&l16_stereo, NULL, 0, NULL, 0, &written), RILL_OK);
  assert_int_equal(written, 0);
}

static void payload_registry_has_rfc3551_builtins(void **state)
{
  struct rtp_registry reg;
  const struct rtp_encoding *e;
  (void)state;
  rtp_registry_init(&reg);
  e = rtp_registry_find(&reg, 10);
  assert_non_null(e);
  assert_int_equal(e->payload_type, 10);
  assert_int_equal(e->format, RTP_FMT_S16BE);
  assert_int_equal(e->rate_hz, 44100);
  assert_int_equal(e->channels, 2);
  e = rtp_registry_find(&reg, 11);
  assert_non_null(e);
  assert_int_equal(e->format, RTP_FMT_S16BE);
  assert_int_equal(e->rate_hz, 44100);
  assert_int_equal(e->channels, 1);
  assert_null(rtp_registry_find(&reg, 0));
  assert_null(rtp_registry_find(&reg, 96));
  assert_null(rtp_registry_find(&reg, 127));
  assert_null(rtp_registry_find(NULL, 10));
}

static void payload_registry_accepts_only_valid_dynamic_types(void **state)
{
  struct rtp_registry reg;
  struct rtp_encoding e = {96, RTP_FMT_S24BE, 48000, 2};
  const struct rtp_encoding *found;
  unsigned pt;
  (void)state;
  rtp_registry_init(&reg);

  assert_int_equal(rtp_registry_add(&reg, &e), RILL_OK);
  found = rtp_registry_find(&reg, 96);
  assert_non_null(found);
  assert_int_equal(found->format, RTP_FMT_S24BE);
  assert_int_equal(found->rate_hz, 48000);
  assert_int_equal(found->channels, 2);
  /* Already registered. */
  e.channels = 1;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);
  assert_int_equal(rtp_registry_find(&reg, 96)->channels, 2);

  /* Outside the dynamic range, including the built-ins. */
  e.payload_type = 95;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);
  e.payload_type = 128;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);
  e.payload_type = 10;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);
  e.payload_type = 0;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);

  /* Bad encodings. */
  e.payload_type = 100;
  e.channels = 0;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);
  e.channels = 9;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);
  e.channels = 8;
  e.rate_hz = 0;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);
  e.rate_hz = 8000;
  e.format = (enum rtp_sample_format)3;
  assert_int_equal(rtp_registry_add(&reg, &e), RILL_EINVAL);
  assert_int_equal(rtp_registry_add(NULL, &e), RILL_EINVAL);
  assert_int_equal(rtp_registry_add(&reg, NULL), RILL_EINVAL);
  assert_null(rtp_registry_find(&reg, 100));
  assert_int_equal(reg.count, 3);

  /* Every other dynamic type fits: the registry never fills up. */
  e.format = RTP_FMT_F32BE;
  for (pt = 97; pt <= 127; pt++) {
    e.payload_type = (uint8_t)pt;
    assert_int_equal(rtp_registry_add(&reg, &e), RILL_OK);
  }
  assert_int_equal(reg.count, RTP_REGISTRY_CAPACITY);
  assert_non_null(rtp_registry_find(&reg, 127));
  assert_non_null(rtp_registry_find(&reg, 10));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(payload_bytes_per_frame_by_format),
      cmocka_unit_test(payload_decodes_roc_capture),
      cmocka_unit_test(payload_l16_sine_round_trip_is_exact),
      cmocka_unit_test(payload_l16_every_value_round_trips),
      cmocka_unit_test(payload_encode_clamps_and_rounds),
      cmocka_unit_test(payload_l24_round_trip),
      cmocka_unit_test(payload_f32_round_trip_and_sanitise),
      cmocka_unit_test(payload_decode_rejects_partial_frames_and_small_output),
      cmocka_unit_test(payload_encode_rejects_small_output_and_overflow),
      cmocka_unit_test(payload_registry_has_rfc3551_builtins),
      cmocka_unit_test(payload_registry_accepts_only_valid_dynamic_types),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
