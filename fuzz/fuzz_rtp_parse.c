/*
 * Fuzz target: rtp_parse, then the payload decoders on what it accepted.
 *
 * Beyond "no crash, no out-of-bounds read" it checks the parser's contract
 * and aborts on any violation:
 *  - the layout adds up: payload_offset + payload_bytes + padding_bytes == size,
 *    and header_bytes is exactly 12 + 4 * CC (+ 4 + extension data);
 *  - the fields are the bits of the input (composing them again gives back
 *    the input's fixed header and CSRCs);
 *  - padding added with rtp_append_padding parses back;
 *  - decoding the payload as PT 10 and PT 11 succeeds exactly when it is a
 *    whole number of frames, gives samples in [-1, 1], and encoding them back
 *    gives the input bytes.
 */
#include <rill/status.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/payload.h"
#include "rtp/rtp.h"
#include "fuzz_check.h"


/* Enough for a 1500-byte MTU datagram as mono L16; larger ones get ENOSPC. */
#define MAX_SAMPLES 1024
#define MAX_PADDED 2048

static void check_layout(const uint8_t *data, size_t size, const struct rtp_header *h)
{
  size_t expect_header = RTP_FIXED_HEADER_BYTES + 4u * h->csrc_count;
  size_t i;

  CHECK(h->version == RTP_VERSION);
  CHECK(h->csrc_count <= RTP_MAX_CSRC);
  CHECK(h->payload_type <= RTP_MAX_PAYLOAD_TYPE);
  if (h->extension_flag) {
    CHECK(h->ext_offset == expect_header + 4);
    CHECK(h->ext_bytes % 4 == 0);
    expect_header += 4 + h->ext_bytes;
  } else {
    CHECK(h->ext_bytes == 0 && h->ext_offset == 0 && h->ext_profile == 0);
  }
  CHECK(h->header_bytes == expect_header);
  CHECK(h->payload_offset == h->header_bytes);
  /* Each part checked on its own: a size_t sum could wrap and still match. */
  CHECK(h->payload_offset <= size);
  CHECK(h->payload_bytes <= size - h->payload_offset);
  CHECK(h->padding_bytes == size - h->payload_offset - h->payload_bytes);
  CHECK(h->padding_flag == (h->padding_bytes > 0));
  if (h->padding_flag)
    CHECK(h->padding_bytes == data[size - 1]);
  for (i = h->csrc_count; i < RTP_MAX_CSRC; i++)
    CHECK(h->csrc[i] == 0);
}

static void check_compose(const uint8_t *data, const struct rtp_header *h)
{
  struct rtp_header c = *h;
  uint8_t buf[RTP_MAX_COMPOSED_HEADER_BYTES];
  size_t written = 0;

  c.extension_flag = false;
  CHECK(rtp_compose(&c, buf, sizeof(buf), &written) == RILL_OK);
  CHECK(written == RTP_FIXED_HEADER_BYTES + 4u * h->csrc_count);
  /* Byte 0 differs only in the P and X bits, which compose writes as 0. */
  CHECK((buf[0] | (data[0] & 0x30)) == data[0]);
  CHECK(memcmp(buf + 1, data + 1, written - 1) == 0);
}

static void check_padding(const uint8_t *data, size_t size, const struct rtp_header *h)
{
  uint8_t buf[MAX_PADDED];
  struct rtp_header p;
  size_t pad = (size_t)data[size - 1] % RTP_MAX_PADDING_BYTES + 1;
  size_t written = 0;

  if (size + pad > sizeof(buf))
    return;
  memcpy(buf, data, size);
  if (h->padding_flag) {
    /* Padding twice would make the first padding part of the payload. */
    CHECK(rtp_append_padding(buf, size, sizeof(buf), pad, &written) == RILL_EINVAL);
    return;
  }
  CHECK(rtp_append_padding(buf, size, sizeof(buf), pad, &written) == RILL_OK);
  CHECK(written == size + pad);
  CHECK(rtp_parse(buf, written, &p) == RILL_OK);
  CHECK(p.padding_flag && p.padding_bytes == pad);
  CHECK(p.header_bytes == h->header_bytes && p.payload_bytes == h->payload_bytes);
}

static void check_decode(const struct rtp_encoding *enc, const uint8_t *payload, size_t bytes)
{
  float samples[MAX_SAMPLES];
  uint8_t again[2 * MAX_SAMPLES];
  size_t max_frames = MAX_SAMPLES / enc->channels;
  size_t bpf = rtp_bytes_per_frame(enc);
  size_t frames = 0, written = 0, i;
  int rc;

  CHECK(bpf == 2u * enc->channels);
  rc = rtp_payload_decode(enc, payload, bytes, samples, max_frames, &frames);
  if (bytes % bpf != 0) {
    CHECK(rc == RILL_EMALFORMED);
    return;
  }
  if (bytes / bpf > max_frames) {
    CHECK(rc == RILL_ENOSPC);
    return;
  }
  CHECK(rc == RILL_OK);
  CHECK(frames * bpf == bytes);
  for (i = 0; i < frames * enc->channels; i++)
    CHECK(samples[i] >= -1.0f && samples[i] <= 1.0f);

  CHECK(rtp_payload_encode(enc, samples, frames, again, sizeof(again), &written) == RILL_OK);
  CHECK(written == bytes);
  for (i = 0; i < bytes; i++)
    CHECK(again[i] == payload[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct rtp_registry reg;
  struct rtp_header h;

  if (rtp_parse(data, size, &h) != RILL_OK)
    return 0;
  check_layout(data, size, &h);
  check_compose(data, &h);
  check_padding(data, size, &h);

  rtp_registry_init(&reg);
  check_decode(rtp_registry_find(&reg, RTP_PT_L16_STEREO), data + h.payload_offset,
               h.payload_bytes);
  check_decode(rtp_registry_find(&reg, RTP_PT_L16_MONO), data + h.payload_offset,
               h.payload_bytes);
  return 0;
}
