/*
 * The receiver's structure, shared by its parts (receiver.c: lifecycle,
 * binding, reading, housekeeping; receiver_ingress.c: datagrams routed to
 * sessions; receiver_metrics.c: snapshots). Not for use outside src/pipeline/receiver*.c.
 */
#ifndef RILL_PIPELINE_RECEIVER_IMPL_H
#define RILL_PIPELINE_RECEIVER_IMPL_H

#include <stdatomic.h>
#include <uv.h>

#include "core/log.h"
#include "net/udp_port.h"
#include "pipeline/admission.h"
#include "pipeline/fec_reader.h"
#include "pipeline/idle_gate.h"
#include "pipeline/receiver.h"
#include "pipeline/receiver_counters.h"
#include "pipeline/receiver_session.h"
#include "pipeline/rtcp_local.h"
#include "pipeline/session_table.h"

#define RECEIVER_MAX_PORTS 4
#define RECEIVER_MAX_RATE_RATIO 8 /* sender/receiver rates further apart are refused */
#define RECEIVER_LOG_INTERVAL_NS (5 * INT64_C(1000000000))
/* Drift ratio changes (speex filter rebuilds) one read may apply. */
#define RECEIVER_RATIO_UPDATES_PER_READ 2
/* Stale datagrams discarded per port when leaving idle, at most. */
#define RECEIVER_FLUSH_MAX_DATAGRAMS 8192

struct rill_receiver {
  struct rill_context *ctx;          /* borrowed */
  struct rill_receiver_params p;
  struct context_client client;      /* network thread */

  /* Ports: written by the network thread, port_count published with
   * release after ports[] and endpoints[] are filled, read with acquire. */
  struct rill_udp_port *ports[RECEIVER_MAX_PORTS]; /* owned */
  struct receiver_endpoint endpoints[RECEIVER_MAX_PORTS];
  atomic_size_t port_count;
  atomic_size_t rcvbuf_granted[RECEIVER_MAX_PORTS]; /* SO_RCVBUF read back per port */
  atomic_int handles_open;           /* ports and timers libuv has not closed yet */

  /* Sessions: max_sessions slots, cache-line aligned inside slots_mem. */
  struct rsession *slots;            /* in slots_mem */
  void *slots_mem;                   /* owned */
  size_t slots_mem_bytes;
  struct session_table table;        /* network thread; memory in table_mem */
  void *table_mem;                   /* owned */
  size_t table_mem_bytes;
  struct admission admission;        /* network thread */
  struct admission_probation *probation; /* owned, NULL when off */
  size_t probation_bytes;

  /* Reader. */
  struct idle_gate gate;
  float *scratch;                    /* owned: RSESSION_CHUNK_FRAMES * RTP_MAX_CHANNELS */
  float *in_scratch;                 /* owned: RSESSION_IN_SCRATCH_FRAMES * RTP_MAX_CHANNELS */

  /* Network thread. */
  uv_timer_t idle_watch;             /* while idle, looks for the reader */
  bool idle_watch_open;
  bool idle_paused;                  /* ports paused because idle */
  struct rill_ratelimit rate_warn;
  struct rill_ratelimit saturation_warn;

  struct receiver_counters counters;
  struct session_totals gone;        /* of sessions already removed (network adds) */

  /* FEC: the decoder and its per-slot blocks, created by the first FEC
   * endpoint (owned; network thread after that, stats any). */
  _Atomic(struct fec_reader *) fec;

  /* RTCP (receiver_rtcp.c; network thread): the control endpoint's port
   * index (-1: none yet), the local participant, the report timer. */
  int control_port;
  struct rtcp_local rtcp;
  uv_timer_t rtcp_timer;
  bool rtcp_timer_open;
};

/* Ports bound now. Thread role: any. */
static inline size_t receiver_ports_bound(struct rill_receiver *r)
{
  return atomic_load_explicit(&r->port_count, memory_order_acquire);
}

/* The datagram callback of every port (receiver_ingress.c). Thread role: network. */
void receiver_on_datagram(void *user, struct rill_buffer *buf, const struct sockaddr *src,
                          int64_t now_ns);

/* RTCP (receiver_rtcp.c). Thread role: network. A datagram of the control
 * endpoint; the housekeeping part (RTCP silence, end-to-end latency); the
 * report timer, started when the control endpoint is bound and stopped on
 * close. */
void receiver_on_rtcp(struct rill_receiver *r, const uint8_t *data, size_t len,
                      const struct sockaddr *src, int64_t now_ns);
void receiver_rtcp_tick(struct rill_receiver *r, int64_t now_ns);
void receiver_rtcp_start(struct rill_receiver *r);
void receiver_rtcp_stop(struct rill_receiver *r);

/* Free slot `slot` (RETIRED, or any while the network holds the idle gate):
 * counters to `gone`, FEC blocks released, unlinked, back to the free slots
 * unless kept for a proven newcomer. Thread role: network. */
void receiver_free_slot(struct rill_receiver *r, uint32_t slot, int64_t now_ns);

/* Drop the admission reservations expired at `now_ns`. Thread role: network. */
void receiver_expire_reservations(struct rill_receiver *r, int64_t now_ns);

#endif /* RILL_PIPELINE_RECEIVER_IMPL_H */
