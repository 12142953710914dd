/*
 * Test helper: builds RTP L16 packets in pool memory, as the network thread
 * would after parsing a datagram.
 */
#ifndef RILL_TEST_PACKET_FACTORY_H
#define RILL_TEST_PACKET_FACTORY_H

#include <rill/status.h>
#include <string.h>

#include "packet/packet.h"
#include "rtp/payload.h"
#include "rtp/rtp.h"
#include "test_util.h"

struct packet_factory {
  struct rill_limiter global;
  struct rill_pool *packets;
  struct rill_pool *buffers;
  struct rtp_encoding enc;
};

static inline void factory_init(struct packet_factory *f, const struct rtp_encoding *enc)
{
  struct rill_pool_config pc = {"pkt", sizeof(struct rill_packet), 0, 0, 0, 0};
  struct rill_pool_config bc = {"buf", buffer_object_bytes(2048), 0, 0, 0, 0};
  assert_int_equal(limiter_init(&f->global, NULL, 64u << 20, "global"), RILL_OK);
  assert_int_equal(pool_create(arena_heap(), &f->global, &pc, &f->packets), RILL_OK);
  assert_int_equal(pool_create(arena_heap(), &f->global, &bc, &f->buffers), RILL_OK);
  f->enc = *enc;
}

static inline void factory_deinit(struct packet_factory *f)
{
  struct rill_pool_stats st;
  pool_reclaim(f->packets, 1);
  pool_reclaim(f->buffers, 1);
  pool_stats(f->packets, &st);
  assert_int_equal(st.in_use_objects, 0); /* every packet was freed */
  pool_destroy(f->packets);
  pool_destroy(f->buffers);
  assert_int_equal(atomic_load(&f->global.used_bytes), 0);
}

/* A packet with `frames` frames; every sample of frame i is value(ts + i). */
static inline struct rill_packet *factory_make(struct packet_factory *f, uint16_t seq,
                                               uint32_t ts, uint32_t frames,
                                               float (*value)(uint32_t pos))
{
  struct rill_packet *pkt = packet_alloc(f->packets, NULL);
  struct rtp_header h;
  float samples[2048];
  size_t hdr = 0, payload = 0;
  uint32_t i, c;
  assert_non_null(pkt);
  pkt->buf = buffer_alloc(f->buffers, NULL);
  assert_non_null(pkt->buf);
  memset(&h, 0, sizeof(h));
  h.version = 2;
  h.payload_type = f->enc.payload_type;
  h.seq = seq;
  h.timestamp = ts;
  h.ssrc = 0x1234;
  assert_int_equal(rtp_compose(&h, pkt->buf->data, pkt->buf->capacity_bytes, &hdr), RILL_OK);
  assert_true(frames * f->enc.channels <= 2048);
  for (i = 0; i < frames; i++)
    for (c = 0; c < f->enc.channels; c++)
      samples[i * f->enc.channels + c] = value ? value(ts + i) : 0.0f;
  assert_int_equal(rtp_payload_encode(&f->enc, samples, frames, pkt->buf->data + hdr,
                                      pkt->buf->capacity_bytes - hdr, &payload),
                   RILL_OK);
  pkt->buf->len_bytes = (uint32_t)(hdr + payload);
  pkt->seq = seq;
  pkt->timestamp = ts;
  pkt->ssrc = h.ssrc;
  pkt->payload_type = h.payload_type;
  pkt->payload_offset = (uint32_t)hdr;
  pkt->payload_bytes = (uint32_t)payload;
  return pkt;
}

#endif /* RILL_TEST_PACKET_FACTORY_H */
