/*
 * Fuzz target: a SAP datagram as the directory receives it (sap_parse, then
 * sdp_parse of its payload), and the same bytes as a bare SDP file
 * (rill-recv --sdp reads one).
 *
 * Beyond "no crash, no out-of-bounds read" it checks the codecs' contract
 * and aborts on any violation:
 *  - an accepted SAP payload lies inside the datagram, is not empty, and
 *    the datagram composes again to the same bytes (the reserved R bit
 *    cleared) when it carried the payload type field and no trailing NUL;
 *  - a rejected SDP leaves the output zeroed; an accepted one has 1..4
 *    media, each with an address, a port and 1..8 formats;
 *  - an accepted SDP whose formats all have an rtpmap composes, and the
 *    composition parses back to the same origin, name, ports, formats and
 *    ptime; with a buffer one byte short compose says ENOSPC.
 */
#include <rill/status.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "sdp/sap.h"
#include "sdp/sdp.h"

static uint8_t sap_buf[SAP_MAX_HEADER_BYTES + 65536];
static char text[SDP_MAX_BYTES + 1];

static bool all_zero(const void *p, size_t n)
{
  const uint8_t *b = p;
  size_t i;
  for (i = 0; i < n; i++)
    if (b[i])
      return false;
  return true;
}

static void check_sdp(const char *data, size_t size)
{
  struct sdp_session s, back;
  size_t len = 0, short_len = 0;
  uint8_t i, j;
  bool composable = true;
  int st = sdp_parse(data, size, &s);
  if (st != RILL_OK) {
    CHECK(st == RILL_EMALFORMED || st == RILL_EUNSUPPORTED);
    CHECK(all_zero(&s, sizeof(s)));
    return;
  }
  CHECK(s.media_count >= 1 && s.media_count <= SDP_MAX_MEDIA);
  for (i = 0; i < s.media_count; i++) {
    CHECK(s.media[i].address[0] != '\0');
    CHECK(s.media[i].port != 0);
    CHECK(s.media[i].format_count >= 1 && s.media[i].format_count <= SDP_MAX_FORMATS);
    for (j = 0; j < s.media[i].format_count; j++)
      composable = composable && s.media[i].formats[j].has_rtpmap;
  }
  if (!composable)
    return;
  st = sdp_compose(&s, "fuzz", text, sizeof(text), &len);
  if (st != RILL_OK) {
    /* Parsed text may hold what compose refuses (tabs, spaces in the user). */
    CHECK(st == RILL_EINVAL || st == RILL_ENOSPC);
    return;
  }
  CHECK(len == strlen(text));
  CHECK(sdp_compose(&s, "fuzz", text, len, &short_len) == RILL_ENOSPC);
  CHECK(sdp_compose(&s, "fuzz", text, sizeof(text), &len) == RILL_OK);
  CHECK(sdp_parse(text, len, &back) == RILL_OK);
  CHECK(sdp_same_origin(&s, &back));
  CHECK(strcmp(s.name, back.name) == 0);
  CHECK(s.media_count == back.media_count);
  for (i = 0; i < s.media_count; i++) {
    CHECK(s.media[i].port == back.media[i].port);
    CHECK(s.media[i].ptime_us / 1000 == back.media[i].ptime_us / 1000);
    CHECK(strcmp(s.media[i].address, back.media[i].address) == 0);
    CHECK(s.media[i].format_count == back.media[i].format_count);
    for (j = 0; j < s.media[i].format_count; j++) {
      const struct sdp_format *a = &s.media[i].formats[j], *b = &back.media[i].formats[j];
      CHECK(a->payload_type == b->payload_type && a->rate_hz == b->rate_hz &&
            a->channels == b->channels && a->sprop_stereo == b->sprop_stereo &&
            strcmp(a->encoding, b->encoding) == 0);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct sap_message m;
  size_t len = 0;
  int st = sap_parse(data, size, &m);
  if (st == RILL_OK) {
    size_t head = 4 + (m.ipv6 ? 16u : 4u);
    CHECK(m.payload_bytes > 0);
    CHECK((const uint8_t *)m.payload >= data + head);
    CHECK((const uint8_t *)m.payload + m.payload_bytes <= data + size);
    if ((const uint8_t *)m.payload == data + head + sizeof(SAP_MIME_TYPE) &&
        (const uint8_t *)m.payload + m.payload_bytes == data + size) {
      CHECK(sap_compose(&m, sap_buf, sizeof(sap_buf), &len) == RILL_OK);
      /* The R bit is ignored on input and written 0 (RFC 2974 3). */
      CHECK(len == size && sap_buf[0] == (data[0] & ~0x08) &&
            memcmp(sap_buf + 1, data + 1, size - 1) == 0);
    }
    check_sdp(m.payload, m.payload_bytes);
  } else {
    CHECK(st == RILL_EMALFORMED || st == RILL_EUNSUPPORTED);
  }
  check_sdp((const char *)data, size);
  return 0;
}
