/*
 * Receiver pipeline: UDP port -> RTP parse -> session routing (network
 * thread) -> per-session ring -> depacketizer -> channel mapping and mixing
 * (real-time reader).
 *
 * Sessions live in a fixed array of slots allocated at creation (so the
 * reader never allocates and a flood of senders can occupy at most
 * max_sessions slots). Each slot has an atomic state; its moves (some by
 * CAS, as both sides may end a session) are in receiver_session.h, and the
 * parts of the receiver in receiver_impl.h.
 *
 * Packets reach the reader through the slot's SPSC ring. Each slot has its
 * own limiter (the per-session budget) under the context's global budget;
 * a packet is charged to the receiving socket, then moved to its session.
 */
#ifndef RILL_PIPELINE_RECEIVER_H
#define RILL_PIPELINE_RECEIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pipeline/context.h"
#include "pipeline/receiver_counters.h"
#include "rtp/payload.h"

struct rill_receiver;

struct rill_receiver_params {
  uint32_t rate_hz;
  uint32_t channels;
  int64_t target_latency_ns;
  int64_t session_timeout_ns;
  uint32_t max_sessions;
  size_t session_budget_bytes;
  size_t socket_budget_bytes;
  uint32_t max_queue_packets;  /* per session, ring and jitter queue each */
  struct rtp_registry registry; /* payload types accepted */
  bool reuse_address;          /* SO_REUSEADDR on every bound port */
  size_t socket_rcvbuf_bytes;  /* SO_RCVBUF asked for (forced past rmem_max when allowed);
                                  0: the system's default */
  int64_t latency_tolerance_ns; /* more queued than target + this is dropped; 0: no limit */
  int64_t idle_timeout_ns;     /* no read for this long: go idle; 0: never */
  uint32_t session_creations_per_s; /* new sessions per second; 0: unlimited */
  uint32_t probation_packets;  /* when all slots are taken: packets in sequence before a new
                                  SSRC may push out an unproven session; 0, 1: never */
  bool drift_compensation;     /* resample each session to hold the target latency */
  int64_t no_play_timeout_ns;  /* watchdog: no audio played this long ends a session; 0: off */
  int64_t choppy_timeout_ns;   /* watchdog: choppy this long ends a session; 0: off */
  int resampler_quality;       /* speexdsp quality 0..10 */
  /* RTCP (a control endpoint): the floor of the report interval (RFC 3550
   * 6.2's Tmin), and the silence after which a session that sent RTCP ends. */
  int64_t rtcp_min_interval_ns;
  int64_t rtcp_timeout_ns;
};

/* The receiver's counters and the sums of every session's, removed
 * sessions included (a snapshot: a session being removed may briefly count
 * twice or not at all). Fields from receiver_counters.h's maps. */
struct receiver_totals {
  RECEIVER_COUNTER_MAP(RILL_COUNTER_DECLARE_U64)
  SESSION_COUNTER_MAP(RILL_COUNTER_DECLARE_U64)
  uint64_t packets_dropped;         /* dropped_net + dropped_rt */
  uint64_t socket_pauses;           /* receive paused for want of memory (ports) */
  uint64_t stale_datagrams_flushed; /* discarded when leaving idle (ports) */
  uint64_t datagrams_oversized;     /* larger than a packet buffer: dropped (ports) */
  uint64_t receive_batches;         /* recvmmsg calls that returned datagrams (ports) */
  size_t socket_rcvbuf_bytes;       /* kernel receive buffer of the first port (SO_RCVBUF) */
  bool idle;                        /* idle now */
  uint32_t sessions;                /* active now */
  /* FEC over every session since create (0 without a FEC endpoint). */
  uint64_t fec_recovered, fec_unrecoverable, fec_repair_received, fec_repair_dropped;
};

struct receiver_session_info {
  uint32_t ssrc;
  struct sockaddr_storage source;
  uint8_t payload_type;
  SESSION_COUNTER_MAP(RILL_COUNTER_DECLARE_U64)
  uint64_t packets_dropped;    /* dropped_net + dropped_rt */
  int64_t jitter_ns;           /* RFC 3550 interarrival jitter */
  int64_t latency_ns;          /* audio queued ahead of the play position */
  int64_t scaling_ppb;         /* resampler scaling - 1, parts per billion (0: none) */
  bool saturated;              /* the drift controller hit its clamp */
  size_t memory_bytes;         /* charged to the session budget now */
  /* FEC (see pipeline/fec_reader.h): packets restored, blocks given up with
   * packets missing, repair packets routed here / not used. */
  uint64_t fec_recovered, fec_unrecoverable, fec_repair_received, fec_repair_dropped;
  /* RTCP (0: unknown, no SR or no report exchange yet). */
  int64_t e2e_latency_ns;      /* capture at the sender to output by read */
  int64_t rtt_ns;              /* round trip to the sender (XR RRTR/DLRR) */
};

/* What a bound port carries (roc's "interface"). */
enum receiver_iface {
  RECEIVER_IFACE_SOURCE = 0, /* RTP; with a FEC source footer if the endpoint has FEC */
  RECEIVER_IFACE_REPAIR,     /* FEC repair packets (no RTP header) */
  RECEIVER_IFACE_CONTROL,    /* RTCP: one such endpoint per receiver */
};

/* A port's role, passed to its datagram callback. */
struct receiver_endpoint {
  struct rill_receiver *r; /* borrowed */
  enum receiver_iface iface;
  int fec;                 /* enum fec_scheme, 0: none */
};

/* Thread role: control. */
int receiver_create(struct rill_context *ctx, const struct rill_receiver_params *params,
                    struct rill_receiver **out);

/*
 * Bind a UDP port at `addr` (port 0: any; SO_REUSEADDR if the params ask)
 * and start receiving; the bound port
 * goes to *bound_port if not NULL. `multicast_iface` (NULL: none) joins the
 * group when addr is a multicast address. Thread role: control.
 */
int receiver_bind(struct rill_receiver *r, const struct sockaddr *addr,
                  const char *multicast_iface, uint16_t *bound_port);

/*
 * receiver_bind for an endpoint carrying `iface` with FEC scheme `fec`
 * (enum fec_scheme; 0 for plain RTP, which needs iface SOURCE). A FEC
 * endpoint first enables FEC (receiver_enable_fec): all FEC endpoints of a
 * receiver must use one scheme. RILL_EINVAL when they disagree or for a
 * repair endpoint without FEC. Thread role: control.
 */
int receiver_bind_endpoint(struct rill_receiver *r, const struct sockaddr *addr,
                           enum receiver_iface iface, int fec, const char *multicast_iface,
                           uint16_t *bound_port);

/*
 * Create the FEC decoder for `fec` (enum fec_scheme) and the per-session
 * block tables, once; later calls with the same scheme do nothing.
 * Warns (once) when the target latency is shorter than a FEC block of
 * roc's defaults (18 packets of 5 ms), as restored packets then arrive too
 * late to play. RILL_OK, RILL_EINVAL (another scheme already), RILL_EBUDGET,
 * RILL_ENOMEM. Thread role: control.
 */
int receiver_enable_fec(struct rill_receiver *r, int fec);

/*
 * Fill `frames` frames (rate_hz, channels interleaved) of float samples into
 * `out`: the mix of every session, silence where there is none. `now_ns` is
 * the reader's clock, compared with the network thread's for idle
 * detection. Never blocks, never allocates. Thread role: real-time (one
 * reader).
 *
 * Idle. When nobody has read for idle_timeout, the network thread takes the
 * reader's state over (a CAS on a gate word that the reader holds for the
 * duration of each read, so the two never work on it at once), drops every
 * session and queued packet, stops receiving and returns empty slabs. The
 * next read takes the gate back and outputs silence; the network thread,
 * which looks for that every 10 ms while idle (the reader makes no system
 * call to wake it), discards what the kernel queued meanwhile and receives
 * again: live audio is back after about one target latency, never stale.
 * A read that finds the network thread in the middle of that work outputs
 * silence and returns at once.
 */
void receiver_read_at(struct rill_receiver *r, float *out, uint32_t frames, int64_t now_ns);

/* receiver_read_at with the monotonic clock. Thread role: real-time. */
void receiver_read(struct rill_receiver *r, float *out, uint32_t frames);

/* Channels of the frames read fills. Thread role: any. */
uint32_t receiver_channels(const struct rill_receiver *r);

/* Totals, and up to `cap` session infos (*count gets how many). Thread role: any. */
void receiver_stats(struct rill_receiver *r, struct receiver_totals *totals,
                    struct receiver_session_info *sessions, size_t cap, size_t *count);

/*
 * Session slot `index` (0 .. receiver_max_sessions - 1): true and `info`
 * filled if an active session holds it (its identity read consistently
 * even while the network thread reuses the slot). Thread role: any.
 */
bool receiver_session_at(struct rill_receiver *r, uint32_t index,
                         struct receiver_session_info *info);

/* Session slots (params.max_sessions). Thread role: any. */
uint32_t receiver_max_sessions(const struct rill_receiver *r);

/*
 * The context's global budget and the first endpoint's socket budget (zeroed
 * before the first bind). Thread role: any.
 */
void receiver_limiters(struct rill_receiver *r, struct rill_limiter_stats *global,
                       struct rill_limiter_stats *socket);

/*
 * Deliver one datagram as if it had arrived on a port at `now_ns` from `src`
 * (tests and fuzzing; no socket needed). Runs on the network thread through
 * evloop_call. RILL_OK, RILL_EBUDGET (no buffer), RILL_EINVAL (too long).
 * Thread role: control.
 */
int receiver_inject(struct rill_receiver *r, const uint8_t *data, size_t len,
                    const struct sockaddr *src, int64_t now_ns);

/*
 * receiver_inject as if the datagram had arrived on an endpoint carrying
 * `iface` (SOURCE with the receiver's FEC scheme when FEC is enabled, plain
 * RTP otherwise; REPAIR needs FEC enabled: RILL_ESTATE otherwise).
 * Thread role: control.
 */
int receiver_inject_endpoint(struct rill_receiver *r, enum receiver_iface iface,
                             const uint8_t *data, size_t len, const struct sockaddr *src,
                             int64_t now_ns);

/*
 * RTCP without a control port (roc's packet-level decoder; RTCP comes in
 * through receiver_inject_endpoint on RECEIVER_IFACE_CONTROL): the
 * reception report (RR, XR, SDES) of the first session whose report is due
 * (each session's every rtcp_min_interval), into `buf` (`cap` bytes);
 * *len gets its length. RILL_OK, RILL_EEMPTY (none due), RILL_ENOSPC (*len
 * says how much is needed). Runs on the network thread. Thread role: control.
 */
int receiver_pop_report(struct rill_receiver *r, int64_t now_ns, uint8_t *buf, size_t cap,
                        size_t *len);

/*
 * Run the session housekeeping (timeouts, retired slots) at `now_ns` on the
 * network thread. The context also runs it on its own timer once a port is
 * bound. Thread role: control.
 */
void receiver_housekeep(struct rill_receiver *r, int64_t now_ns);

/* ---- Encodings and ports changed while running (receiver_announced.c: a
 * SAP directory drives them). Thread role: network, for every one. ---- */

/* The context the receiver was opened on. Thread role: any. */
struct rill_context *receiver_context(const struct rill_receiver *r);

/*
 * Accept `enc` from now on. *added says whether it was new: RILL_OK also
 * when the same encoding is registered already (a built-in, a configured
 * one). RILL_EBUSY: its payload type carries another encoding; RILL_EINVAL:
 * not a valid dynamic encoding.
 */
int receiver_register_encoding(struct rill_receiver *r, const struct rtp_encoding *enc,
                               bool *added);

/* Stop accepting the dynamic payload type `pt` (sessions playing it go on
 * until ended). */
void receiver_unregister_encoding(struct rill_receiver *r, uint8_t pt);

/*
 * End every active session of payload type `pt` whose sender has the IP
 * address of `host` (any port; NULL: every sender): CLOSING, as a BYE does.
 * Returns how many.
 */
uint32_t receiver_end_sessions(struct rill_receiver *r, uint8_t pt, const struct sockaddr *host);

/*
 * Receive on `addr` unless a port is bound there already (RILL_OK then):
 * receiver_bind for an announced stream. RILL_ESTATE when every port is in
 * use, and receiver_bind's statuses.
 */
int receiver_bind_announced(struct rill_receiver *r, const struct sockaddr *addr,
                            const char *multicast_iface);

/* Stop receiving and free everything; the reader must have stopped. Thread role: control. */
void receiver_destroy(struct rill_receiver *r);

#endif /* RILL_PIPELINE_RECEIVER_H */
