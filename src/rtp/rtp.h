/*
 * RTP fixed header (RFC 3550 section 5.1): parse and compose.
 *
 * Pure functions over caller buffers: no I/O, no allocation, no state.
 * rtp_parse never reads outside [data, data + len) and rejects every
 * header that does not fit in the datagram, so its result can be used to
 * index the datagram without further checks.
 *
 * Packet layout, all offsets from the start of the datagram:
 *
 *   [0, 12)                      fixed header
 *   [12, 12 + 4 * csrc_count)    CSRC list
 *   [.., header_bytes)           extension: 4-byte header + ext_bytes data
 *   [payload_offset, +payload_bytes)
 *   [.., len)                    padding_bytes, the last byte is its count
 *
 * Thread role: any (pure functions).
 */
#ifndef RILL_RTP_RTP_H
#define RILL_RTP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION 2
#define RTP_FIXED_HEADER_BYTES 12
#define RTP_MAX_CSRC 15
#define RTP_MAX_PAYLOAD_TYPE 127
/* Longest header rtp_compose writes: fixed part plus a full CSRC list. */
#define RTP_MAX_COMPOSED_HEADER_BYTES (RTP_FIXED_HEADER_BYTES + 4 * RTP_MAX_CSRC)
/* Padding is counted by one byte, which counts itself. */
#define RTP_MAX_PADDING_BYTES 255

struct rtp_header {
  /* Header fields as on the wire. */
  uint8_t version;      /* always RTP_VERSION after a successful parse */
  bool padding_flag;    /* P bit */
  bool extension_flag;  /* X bit */
  uint8_t csrc_count;   /* 0..15, entries valid in csrc[] */
  bool marker;          /* M bit */
  uint8_t payload_type; /* 0..127 */
  uint16_t seq;         /* compare with seq_diff/seq_before only */
  uint32_t timestamp;   /* compare with ts_diff/ts_before only */
  uint32_t ssrc;
  uint32_t csrc[RTP_MAX_CSRC];

  /* Header extension (RFC 3550 5.3.1); zero when extension_flag is false. */
  uint16_t ext_profile; /* "defined by profile" 16 bits */
  size_t ext_offset;    /* where the extension data starts (after its 4-byte header) */
  size_t ext_bytes;     /* extension data length, a multiple of 4 */

  /* Layout of the datagram, filled by rtp_parse, ignored by rtp_compose. */
  size_t header_bytes;   /* fixed header + CSRCs + extension */
  size_t payload_offset; /* == header_bytes */
  size_t payload_bytes;
  size_t padding_bytes; /* includes the count byte; 0 when padding_flag is false */
};

/*
 * Parse the RTP header of the datagram `data` of `len` bytes into `*out`.
 * `*out` is written only on success; csrc[] entries past csrc_count are 0.
 *
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL       out is NULL, or data is NULL with len > 0
 *   RILL_EUNSUPPORTED version is not 2 (may be another protocol on the port)
 *   RILL_EMALFORMED   shorter than 12 bytes; CSRC list or extension header or
 *                     extension data past the end; P bit set with no byte
 *                     after the header, a pad count of 0, or a pad count
 *                     larger than what follows the header
 * A payload of 0 bytes is valid.
 * Thread role: any.
 */
int rtp_parse(const uint8_t *data, size_t len, struct rtp_header *out);

/*
 * Write the fixed header and the CSRC list of `h` to `out` (capacity `cap`
 * bytes); `*written` gets the header length (12 + 4 * csrc_count). The
 * payload goes right after it, written by the caller.
 *
 * Flags are booleans; the P bit is always written as 0 (padding_flag and
 * the layout fields of `h` are ignored): padding is added after the payload
 * with rtp_append_padding. Extensions are not composed.
 *
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL       NULL pointer, csrc_count > 15, payload_type > 127
 *   RILL_EUNSUPPORTED version is not 2, or extension_flag is set
 *   RILL_ENOSPC       cap is smaller than the header
 * Nothing is written on error.
 * Thread role: any.
 */
int rtp_compose(const struct rtp_header *h, uint8_t *out, size_t cap, size_t *written);

/*
 * Append `pad_bytes` (1..255) bytes of padding to the RTP packet of `len`
 * bytes at `packet` (capacity `cap`) and set its P bit: pad_bytes - 1 zero
 * bytes, then the count. `*written` gets the new packet length. Used to make
 * packets the same length (FEC) or a multiple of a block size.
 *
 * Returns:
 *   RILL_OK
 *   RILL_EINVAL   NULL pointer, pad_bytes 0 or > 255, len < 12, len > cap,
 *                 the packet is not version 2 or already has its P bit set
 *   RILL_ENOSPC   len + pad_bytes > cap
 * Nothing is written on error.
 * Thread role: any.
 */
int rtp_append_padding(uint8_t *packet, size_t len, size_t cap, size_t pad_bytes,
                       size_t *written);

#endif /* RILL_RTP_RTP_H */
