/*
 * SAP directory: listens for SAP announcements (RFC 2974) and keeps a
 * fixed table of the sessions announced, on the context's network thread.
 *
 * Bounded: the table has max_sessions entries, allocated at creation;
 * announcements of sessions beyond it are counted (`dropped`), never
 * stored, and a datagram is parsed in place (sap_parse, sdp_parse: no
 * allocation). A session is identified by its SDP origin (o= user, id,
 * address: RFC 4566 5.2); a re-announcement refreshes it, a changed one
 * (another message id hash) replaces it, a deletion or `timeout_ns` without
 * announcement ends it.
 *
 * With a receiver attached, each session's first playable audio medium
 * (L16 or L24) is applied to it: its payload types are registered (a type
 * another session or the configuration maps to another encoding is
 * counted in `conflicts` and not played), its address and port bound when
 * bind_announced (receiver ports stay bound until the receiver closes);
 * when the session ends, the types it registered are removed once no other
 * session needs them, and the receiver's sessions of those types from the
 * announcing host are ended.
 */
#ifndef RILL_PIPELINE_SAP_DIRECTORY_H
#define RILL_PIPELINE_SAP_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pipeline/context.h"
#include "sdp/sdp.h"

struct rill_directory;
struct rill_receiver;

#define SAP_DIRECTORY_MAX_SESSIONS 1024

struct sap_directory_params {
  struct sockaddr_storage addr;     /* where announcements arrive (a group is joined) */
  char multicast_iface[64];         /* "" for the default */
  char session_name[SDP_NAME_CAP];  /* only sessions of this s=; "" for all */
  uint32_t max_sessions;            /* 1..SAP_DIRECTORY_MAX_SESSIONS */
  int64_t timeout_ns;               /* not re-announced this long: ended; > 0 */
  bool bind_announced;              /* bind each session's address on the receiver */
  bool reuse_address;               /* SO_REUSEADDR on the SAP socket */
};

/* XX(name): counters, network thread writes, snapshots via the loop. */
#define SAP_DIRECTORY_COUNTER_MAP(XX)                                           \
  XX(announcements) /* accepted announcements, repeats included */            \
  XX(deletions)     /* sessions ended by a SAP deletion */                      \
  XX(timeouts)      /* sessions ended for want of re-announcement */            \
  XX(malformed)     /* SAP or SDP that does not parse */                        \
  XX(unsupported)   /* encrypted, authenticated, nothing playable, too large */ \
  XX(filtered)      /* another session name than asked for */                   \
  XX(dropped)       /* new sessions while the table was full */                 \
  XX(conflicts)     /* payload types mapped to another encoding already */      \
  XX(bind_failed)   /* an announced address could not be bound */

struct sap_directory_stats {
#define SAP_DIRECTORY_DECLARE_(name) uint64_t name;
  SAP_DIRECTORY_COUNTER_MAP(SAP_DIRECTORY_DECLARE_)
#undef SAP_DIRECTORY_DECLARE_
  uint32_t sessions; /* known now */
};

/* Called for each known session by sap_directory_snapshot, on the network
 * thread: `sdp` as last announced (borrowed for the call), `media` the
 * index of the medium played, `age_ns` since its last announcement. */
typedef void (*sap_directory_visit_fn)(void *user, const struct sdp_session *sdp, uint8_t media,
                                       int64_t age_ns);

/*
 * Listen on params->addr; `recv` (borrowed, NULL: none) is the receiver to
 * drive, opened on `ctx`, and must be closed after the directory.
 * RILL_OK, RILL_EINVAL, RILL_EADDRINUSE, RILL_ENETWORK, RILL_EBUDGET,
 * RILL_ENOMEM. Thread role: control.
 */
int sap_directory_create(struct rill_context *ctx, const struct sap_directory_params *params,
                         struct rill_receiver *recv, struct rill_directory **out);

/* The bound SAP port (port 0 resolved). Thread role: control. */
uint16_t sap_directory_port(struct rill_directory *d);

/* Counters (stats may be NULL), and `visit` (NULL: none) called for each
 * known session. Thread role: control. */
void sap_directory_snapshot(struct rill_directory *d, struct sap_directory_stats *stats,
                            sap_directory_visit_fn visit, void *user);

/*
 * Handle one datagram as if received at `now_ns` (tests, fuzzing; the
 * socket's callback does the same). Thread role: network, or control
 * (through the loop).
 */
void sap_directory_inject(struct rill_directory *d, const uint8_t *data, size_t len,
                          int64_t now_ns);

/* Run the expiry at `now_ns` (the context's housekeeping does every 100 ms). Thread role: control. */
void sap_directory_expire(struct rill_directory *d, int64_t now_ns);

/* Withdraw what was applied to the receiver, stop and free. Thread role: control. */
void sap_directory_destroy(struct rill_directory *d);

#endif /* RILL_PIPELINE_SAP_DIRECTORY_H */
