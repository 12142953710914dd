/*
 * SAP header parse and compose (see sap.h).
 */
#include "sdp/sap.h"

#include <rill/status.h>
#include <string.h>

#include "rtp/byteorder.h"

#define SAP_V_SHIFT 5
#define SAP_A 0x10u
#define SAP_R 0x08u
#define SAP_T 0x04u
#define SAP_E 0x02u
#define SAP_C 0x01u

int sap_parse(const uint8_t *data, size_t len, struct sap_message *out)
{
  size_t pos, origin_bytes;
  const uint8_t *nul;
  if (!out)
    return RILL_EINVAL;
  memset(out, 0, sizeof(*out));
  if (!data)
    return RILL_EINVAL;
  if (len < 4 || (data[0] >> SAP_V_SHIFT) != 1)
    return RILL_EMALFORMED;
  out->ipv6 = (data[0] & SAP_A) != 0;
  out->deletion = (data[0] & SAP_T) != 0;
  if (data[0] & (SAP_E | SAP_C))
    return RILL_EUNSUPPORTED;
  if (data[1] != 0)
    return RILL_EUNSUPPORTED; /* authentication data: cannot be checked */
  out->msg_id_hash = rtp_load_be16(data + 2);
  origin_bytes = out->ipv6 ? 16 : 4;
  if (len < 4 + origin_bytes)
    return RILL_EMALFORMED;
  memcpy(out->origin, data + 4, origin_bytes);
  pos = 4 + origin_bytes;
  /* Trailing NULs are padding, not SDP. */
  while (len > pos && data[len - 1] == 0)
    len--;
  if (len - pos >= 3 && memcmp(data + pos, "v=0", 3) == 0) {
    /* No payload type field: SDP implied. */
  } else {
    nul = memchr(data + pos, 0, len - pos);
    if (!nul)
      return RILL_EMALFORMED;
    if ((size_t)(nul - (data + pos)) != sizeof(SAP_MIME_TYPE) - 1 ||
        memcmp(data + pos, SAP_MIME_TYPE, sizeof(SAP_MIME_TYPE) - 1) != 0)
      return RILL_EUNSUPPORTED;
    pos = (size_t)(nul - data) + 1;
  }
  if (pos >= len) {
    memset(out, 0, sizeof(*out));
    return RILL_EMALFORMED;
  }
  out->payload = (const char *)data + pos;
  out->payload_bytes = len - pos;
  return RILL_OK;
}

int sap_compose(const struct sap_message *m, uint8_t *out, size_t cap, size_t *len)
{
  size_t origin_bytes, need;
  if (!m || !out || !len || !m->payload || m->payload_bytes == 0)
    return RILL_EINVAL;
  origin_bytes = m->ipv6 ? 16 : 4;
  need = 4 + origin_bytes + sizeof(SAP_MIME_TYPE) + m->payload_bytes;
  if (need > cap)
    return RILL_ENOSPC;
  out[0] = (uint8_t)(1u << SAP_V_SHIFT | (m->ipv6 ? SAP_A : 0) | (m->deletion ? SAP_T : 0));
  out[1] = 0;
  rtp_store_be16(out + 2, m->msg_id_hash);
  memcpy(out + 4, m->origin, origin_bytes);
  memcpy(out + 4 + origin_bytes, SAP_MIME_TYPE, sizeof(SAP_MIME_TYPE));
  memcpy(out + 4 + origin_bytes + sizeof(SAP_MIME_TYPE), m->payload, m->payload_bytes);
  *len = need;
  return RILL_OK;
}

uint16_t sap_hash(const char *payload, size_t len)
{
  uint32_t h = 2166136261u;
  size_t i;
  uint16_t folded;
  for (i = 0; i < len; i++) {
    h ^= (uint8_t)payload[i];
    h *= 16777619u;
  }
  folded = (uint16_t)(h ^ (h >> 16));
  return folded ? folded : 1;
}
