/*
 * SAP (RFC 2974) message header: parse and compose. Pure: no allocation,
 * no I/O.
 *
 *    0                   1                   2                   3
 *   | V=1 |A|R|T|E|C|   auth len    |         msg id hash           |
 *   |        originating source (32 bits IPv4, A=0; 128 bits IPv6, A=1)
 *   |        authentication data (auth len 32-bit words)
 *   |        optional payload type, "application/sdp" NUL
 *   |        payload (the SDP text)
 *
 * Strict: version 1 only; encrypted (E) and compressed (C) payloads, and
 * authentication data, are refused (RILL_EUNSUPPORTED: rill cannot check
 * them); a payload type other than application/sdp is refused; without a
 * payload type field the payload must start with "v=0" (RFC 2974 6 allows
 * leaving it out). Trailing NUL bytes after the SDP (some senders end it
 * like a C string) are not part of the payload.
 *
 * Thread role: any (pure).
 */
#ifndef RILL_SDP_SAP_H
#define RILL_SDP_SAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SAP_DEFAULT_PORT 9875
#define SAP_DEFAULT_GROUP "224.2.127.254" /* RFC 2974 3: the global scope address */
#define SAP_MIME_TYPE "application/sdp"
/* Header + IPv6 origin + payload type field. */
#define SAP_MAX_HEADER_BYTES (4 + 16 + sizeof(SAP_MIME_TYPE))

struct sap_message {
  bool deletion;            /* T: a session deletion, not an announcement */
  bool ipv6;                /* A: the origin is an IPv6 address */
  uint16_t msg_id_hash;     /* with the origin, identifies this version of the payload */
  uint8_t origin[16];       /* 4 bytes used unless ipv6 */
  const char *payload;      /* borrowed: the SDP text */
  size_t payload_bytes;
};

/*
 * Parse `len` bytes of `data` into *out (payload points into data).
 * RILL_OK, RILL_EINVAL (NULL), RILL_EMALFORMED (short, version not 1, no
 * payload, unterminated payload type), RILL_EUNSUPPORTED (encrypted,
 * compressed, authenticated, another payload type).
 */
int sap_parse(const uint8_t *data, size_t len, struct sap_message *out);

/*
 * Write `m` (its payload after the payload type field "application/sdp")
 * into `out` (cap bytes); *len gets the length. RILL_OK, RILL_EINVAL (NULL,
 * empty payload), RILL_ENOSPC.
 */
int sap_compose(const struct sap_message *m, uint8_t *out, size_t cap, size_t *len);

/* A message id hash for `payload`: FNV-1a folded to 16 bits, never 0 (0 means "no hash"). */
uint16_t sap_hash(const char *payload, size_t len);

#endif /* RILL_SDP_SAP_H */
