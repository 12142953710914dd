/*
 * Big-endian (network order) loads and stores for the wire formats in
 * src/rtp. Byte by byte, so they work at any alignment and on any host.
 *
 * Thread role: any (pure functions).
 */
#ifndef RILL_RTP_BYTEORDER_H
#define RILL_RTP_BYTEORDER_H

#include <stdint.h>

static inline uint16_t rtp_load_be16(const uint8_t *p)
{
  return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t rtp_load_be24(const uint8_t *p)
{
  return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t rtp_load_be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rtp_load_be64(const uint8_t *p)
{
  return (uint64_t)rtp_load_be32(p) << 32 | rtp_load_be32(p + 4);
}

static inline void rtp_store_be16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void rtp_store_be24(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 16);
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)v;
}

static inline void rtp_store_be32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static inline void rtp_store_be64(uint8_t *p, uint64_t v)
{
  rtp_store_be32(p, (uint32_t)(v >> 32));
  rtp_store_be32(p + 4, (uint32_t)v);
}

#endif /* RILL_RTP_BYTEORDER_H */
