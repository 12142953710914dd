/*
 * Sender RTCP: the sender's reports (SR + SDES CNAME, and XR DLRR once a
 * receiver has sent RRTR) to its control endpoint, the reports receivers
 * send back to its socket, and BYE on close.
 *
 * What receivers report is kept per receiver (by its RTCP SSRC) in a fixed
 * table of SENDER_RTCP_MAX_PEERS entries (multicast: several receivers),
 * dropped after the RTCP timeout without a report or on the receiver's
 * BYE; a new receiver when the table is full is counted and ignored.
 *
 * Thread roles: create/destroy on control; the rest on the network thread,
 * except sender_rtcp_stats (any: the table is under a mutex, which the
 * network thread takes only to update it; never the real-time writer).
 */
#ifndef RILL_PIPELINE_SENDER_RTCP_H
#define RILL_PIPELINE_SENDER_RTCP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pipeline/context.h"
#include "pipeline/rtcp_local.h"

#define SENDER_RTCP_MAX_PEERS 16

struct sender_rtcp;
struct rill_udp_port;

/* What an SR says of the stream, asked of the sender when it reports. */
struct sender_rtcp_media {
  uint32_t rate_hz;
  bool have_anchor;         /* a frame was written: the mapping below is valid */
  uint32_t anchor_rtp;      /* the RTP timestamp of a frame ... */
  int64_t anchor_mono_ns;   /* ... and when it was captured (monotonic clock) */
  uint32_t packets;         /* RTP packets sent (SR: wraps) */
  uint32_t octets;          /* payload octets sent (SR: wraps) */
};
typedef void (*sender_rtcp_media_fn)(void *user, struct sender_rtcp_media *out);

/* One receiver's last reports. */
struct sender_rtcp_peer {
  uint32_t ssrc;
  char cname[RTCP_LOCAL_CNAME_MAX];
  struct sockaddr_storage addr; /* where its reports come from */
  uint64_t reports;             /* compounds that carried a report block for us */
  uint8_t fraction_lost;        /* Q.8, over its last interval */
  int32_t cum_lost;
  uint32_t ext_highest_seq;
  int64_t jitter_ns;
  int64_t rtt_ns;               /* 0: unknown */
  int64_t e2e_latency_ns;       /* its XR delay metrics; 0: unknown */
  int64_t queue_latency_ns;     /* its XR queue metrics (roc); 0: unknown */
};

struct sender_rtcp_totals {
  uint64_t sent, received, malformed, peers_refused;
  uint32_t peers;
};

/* Thread role: control. `ssrc` is the sender's RTP SSRC. */
int sender_rtcp_create(struct rill_context *ctx, uint32_t ssrc, int64_t min_interval_ns,
                       int64_t timeout_ns, struct sender_rtcp **out);
void sender_rtcp_destroy(struct sender_rtcp *sr);

/*
 * Start reporting to `dest` from `port` (the sender's RTP socket, already
 * receiving into sender_rtcp_on_datagram), asking `media` for the SR's
 * figures. The report timer counts in *handles (decremented when closed).
 * Thread role: network.
 */
void sender_rtcp_start(struct sender_rtcp *sr, struct rill_udp_port *port,
                       const struct sockaddr *dest, sender_rtcp_media_fn media, void *user,
                       atomic_int *handles);

/*
 * Without a socket (roc's packet-level encoder): ask `media` for the SR's
 * figures, then sender_rtcp_pop hands out a report when one is due (every
 * min_interval: RILL_OK and *len, else RILL_EEMPTY; RILL_ENOSPC if `cap`
 * is too small), and reports from receivers go to sender_rtcp_on_datagram
 * as if they had arrived from `src`. Thread role: the caller's, one at a
 * time (the encoder's lock).
 */
void sender_rtcp_set_media(struct sender_rtcp *sr, sender_rtcp_media_fn media, void *user);
int sender_rtcp_pop(struct sender_rtcp *sr, int64_t now_ns, uint8_t *buf, size_t cap,
                    size_t *len);

/* A datagram on the sender's socket. Thread role: network. */
void sender_rtcp_on_datagram(struct sender_rtcp *sr, const uint8_t *data, size_t len,
                             const struct sockaddr *src, int64_t now_ns);

/* Send SR + SDES + BYE and stop the timer. Thread role: network. */
void sender_rtcp_stop(struct sender_rtcp *sr);

/* Totals and up to `cap` peers (*count gets how many). Thread role: any. */
void sender_rtcp_stats(struct sender_rtcp *sr, struct sender_rtcp_totals *t,
                       struct sender_rtcp_peer *peers, size_t cap, size_t *count);

#endif /* RILL_PIPELINE_SENDER_RTCP_H */
