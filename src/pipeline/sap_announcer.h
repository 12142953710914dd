/*
 * SAP announcer: sends one session's SDP as a SAP announcement (RFC 2974)
 * every interval from the context's network thread, and a deletion when
 * destroyed. The datagrams are composed once, at creation, into memory
 * charged to the context's budget; a timer sends them from a socket bound
 * to the wildcard address (multicast TTL 1 and loopback: the kernel's
 * defaults, so that receivers on this host hear it too).
 */
#ifndef RILL_PIPELINE_SAP_ANNOUNCER_H
#define RILL_PIPELINE_SAP_ANNOUNCER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pipeline/context.h"

struct rill_announcer;

struct sap_announcer_params {
  struct sockaddr_storage dest; /* SAP address and port */
  int64_t interval_ns;          /* between announcements, > 0 */
  const uint8_t *origin;        /* SAP originating source: 4 bytes (IPv4) or 16 */
  bool origin_ipv6;
};

struct sap_announcer_stats {
  uint64_t sent;        /* announcements and the deletion */
  uint64_t send_failed; /* the socket refused */
};

/*
 * Announce `sdp` (sdp_len bytes) now and every interval. RILL_OK,
 * RILL_EINVAL (empty, larger than SDP_MAX_BYTES), RILL_EBUDGET, RILL_ENOMEM,
 * RILL_ENETWORK. Thread role: control.
 */
int sap_announcer_create(struct rill_context *ctx, const struct sap_announcer_params *params,
                         const char *sdp, size_t sdp_len, struct rill_announcer **out);

/* Counters. Thread role: any. */
void sap_announcer_stats(const struct rill_announcer *a, struct sap_announcer_stats *out);

/* Send the deletion, stop and free. Thread role: control. */
void sap_announcer_destroy(struct rill_announcer *a);

#endif /* RILL_PIPELINE_SAP_ANNOUNCER_H */
