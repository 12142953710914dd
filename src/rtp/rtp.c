/*
 * RTP header parse and compose (RFC 3550 5.1, 5.3.1).
 *
 * Design: the parser walks the datagram front to back (fixed header, CSRC
 * list, extension) and checks before every read that the bytes it is about
 * to read are inside `len`; the padding count is then read from the last
 * byte and must fit between the header and the end. All offsets are bounded
 * by 12 + 4 * 15 + 4 + 4 * 65535 bytes, so the size_t sums cannot overflow.
 * Results go to a local struct that is copied out only on success.
 *
 * Composing writes only the fixed header and CSRCs: rill never sends header
 * extensions, and padding needs the payload to be in place first, so it is a
 * separate step (rtp_append_padding).
 */
#include "rtp/rtp.h"

#include <rill/status.h>
#include <string.h>

#include "rtp/byteorder.h"

int rtp_parse(const uint8_t *data, size_t len, struct rtp_header *out)
{
  struct rtp_header h;
  size_t pos;
  unsigned i;

  if (out == NULL || (data == NULL && len > 0))
    return RILL_EINVAL;
  if (len < RTP_FIXED_HEADER_BYTES)
    return RILL_EMALFORMED;

  memset(&h, 0, sizeof(h));
  h.version = data[0] >> 6;
  if (h.version != RTP_VERSION)
    return RILL_EUNSUPPORTED;
  h.padding_flag = (data[0] & 0x20) != 0;
  h.extension_flag = (data[0] & 0x10) != 0;
  h.csrc_count = data[0] & 0x0f;
  h.marker = (data[1] & 0x80) != 0;
  h.payload_type = data[1] & 0x7f;
  h.seq = rtp_load_be16(data + 2);
  h.timestamp = rtp_load_be32(data + 4);
  h.ssrc = rtp_load_be32(data + 8);
  pos = RTP_FIXED_HEADER_BYTES;

  if (len - pos < 4u * h.csrc_count)
    return RILL_EMALFORMED;
  for (i = 0; i < h.csrc_count; i++, pos += 4)
    h.csrc[i] = rtp_load_be32(data + pos);

  if (h.extension_flag) {
    if (len - pos < 4)
      return RILL_EMALFORMED;
    h.ext_profile = rtp_load_be16(data + pos);
    h.ext_bytes = 4u * rtp_load_be16(data + pos + 2);
    pos += 4;
    if (len - pos < h.ext_bytes)
      return RILL_EMALFORMED;
    h.ext_offset = pos;
    pos += h.ext_bytes;
  }
  h.header_bytes = pos;
  h.payload_offset = pos;

  if (h.padding_flag) {
    /* The count byte is part of the padding, so it must follow the header. */
    if (len == pos)
      return RILL_EMALFORMED;
    h.padding_bytes = data[len - 1];
    if (h.padding_bytes == 0 || h.padding_bytes > len - pos)
      return RILL_EMALFORMED;
  }
  h.payload_bytes = len - pos - h.padding_bytes;

  *out = h;
  return RILL_OK;
}

int rtp_compose(const struct rtp_header *h, uint8_t *out, size_t cap, size_t *written)
{
  size_t need;
  unsigned i;

  if (h == NULL || out == NULL || written == NULL)
    return RILL_EINVAL;
  if (h->csrc_count > RTP_MAX_CSRC || h->payload_type > RTP_MAX_PAYLOAD_TYPE)
    return RILL_EINVAL;
  if (h->version != RTP_VERSION || h->extension_flag)
    return RILL_EUNSUPPORTED;
  need = RTP_FIXED_HEADER_BYTES + 4u * h->csrc_count;
  if (cap < need)
    return RILL_ENOSPC;

  out[0] = (uint8_t)(RTP_VERSION << 6 | h->csrc_count);
  out[1] = (uint8_t)((h->marker ? 0x80 : 0) | h->payload_type);
  rtp_store_be16(out + 2, h->seq);
  rtp_store_be32(out + 4, h->timestamp);
  rtp_store_be32(out + 8, h->ssrc);
  for (i = 0; i < h->csrc_count; i++)
    rtp_store_be32(out + RTP_FIXED_HEADER_BYTES + 4 * i, h->csrc[i]);
  *written = need;
  return RILL_OK;
}

int rtp_append_padding(uint8_t *packet, size_t len, size_t cap, size_t pad_bytes,
                       size_t *written)
{
  if (packet == NULL || written == NULL)
    return RILL_EINVAL;
  if (pad_bytes == 0 || pad_bytes > RTP_MAX_PADDING_BYTES)
    return RILL_EINVAL;
  if (len < RTP_FIXED_HEADER_BYTES || len > cap)
    return RILL_EINVAL;
  if (packet[0] >> 6 != RTP_VERSION || (packet[0] & 0x20))
    return RILL_EINVAL;
  if (cap - len < pad_bytes)
    return RILL_ENOSPC;

  memset(packet + len, 0, pad_bytes - 1);
  packet[len + pad_bytes - 1] = (uint8_t)pad_bytes;
  packet[0] |= 0x20;
  *written = len + pad_bytes;
  return RILL_OK;
}
