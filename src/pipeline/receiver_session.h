/*
 * Receiver session: one remote sender's stream in one of the receiver's
 * fixed slots, from the network side (routing into its ring) to the
 * reader side (jitter buffer, resampling against drift, watchdog, mixing).
 *
 * A slot's fields come in groups by who writes them, each on its own cache
 * lines so that the network thread and the reader do not share lines they
 * write:
 * - set up by the network thread while the slot is FREE, read-only once it
 *   is ACTIVE (identity, encoding, budget, ring, resampler set-up);
 * - `net`: network thread only (arrival bookkeeping, jitter);
 * - `rt`: the reader only (or the network thread while it holds the idle
 *   gate): depacketizer, latency controller, watchdog, resampler state;
 * - published values (atomics) that other threads read for metrics.
 *
 * Slot states, each moved by one side at a time, by CAS where both sides
 * may move a slot out of the same state:
 *
 *   FREE --network: first packet of a new SSRC--> ACTIVE
 *   ACTIVE --network (CAS): timeout or eviction--> CLOSING
 *   ACTIVE --reader (CAS): watchdog--> RETIRED
 *   CLOSING --reader (CAS): queue dropped--> RETIRED
 *   RETIRED --network: ring drained, resampler freed--> FREE
 */
#ifndef RILL_PIPELINE_RECEIVER_SESSION_H
#define RILL_PIPELINE_RECEIVER_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "audio/depacketizer.h"
#include "audio/latency_controller.h"
#include "audio/resampler.h"
#include "core/arena.h"
#include "core/limiter.h"
#include "core/stamp.h"
#include "core/spsc_ring.h"
#include "packet/packet.h"
#include "pipeline/receiver.h"
#include "pipeline/receiver_counters.h"
#include "pipeline/watchdog.h"
#include "rtp/payload.h"

#define RSESSION_CACHE_LINE 64
#define RSESSION_IDENTITY_WORDS (sizeof(struct sockaddr_storage) / sizeof(uint64_t))

enum rsession_state { SLOT_FREE, SLOT_ACTIVE, SLOT_CLOSING, SLOT_RETIRED };

/* Who a slot's session is, for threads other than the network thread
 * (metrics): a sequence lock over relaxed atomics, so a snapshot taken while
 * the network thread gives the slot to a new sender is either the old
 * identity or the new one, never a mix. */
struct rsession_identity {
  atomic_uint seq; /* odd while the network thread rewrites it */
  atomic_uint_least32_t ssrc;
  atomic_uint_least32_t payload_type;
  atomic_uint_least64_t source[RSESSION_IDENTITY_WORDS];
};

/* RTCP state of a session (network thread only; pipeline/receiver_rtcp.c).
 * Reset when the slot starts, so it lives in the slot: no memory of its own. */
struct rsession_rtcp {
  bool seen;                     /* RTCP from this session's sender was accepted */
  struct sockaddr_storage addr;  /* where that RTCP came from: reports go there */
  int64_t last_ns;               /* when the last one arrived */
  bool have_sr;
  uint64_t sr_ntp;               /* last SR: the sender's NTP time ... */
  uint32_t sr_rtp;               /* ... and the RTP timestamp it maps to */
  int64_t sr_recv_ns;            /* when that SR arrived */
  int64_t next_pop_ns;           /* without a port: when its next report is due */
  uint32_t expected_prior;       /* RFC 3550 A.3: counts at the previous report */
  uint64_t received_prior;
};

/* Network thread only. */
struct rsession_net {
  int64_t last_packet_ns;
  bool have_transit;
  uint32_t last_transit; /* for the jitter estimate, in RTP units (wraps) */
  double jitter;         /* RTP units */
  /* Sequence numbers (RFC 3550 A.1, for the reception report): the first
   * one, the highest, and how often the highest wrapped. */
  bool have_seq;
  uint16_t base_seq;
  uint16_t max_seq;
  uint32_t seq_cycles;   /* count of wraps << 16 */
  struct rsession_rtcp rtcp;
};


/* The reader only (or the network thread holding the idle gate). */
struct rsession_rt {
  bool active;                  /* playback set up (depacketizer initialised) */
  struct rill_depacketizer depack;
  struct rill_latctl latctl;
  int64_t setpoint_ns;          /* latency held: learnt over the first second of
                                   playback since it last primed */
  uint64_t setpoint_start;      /* the depacketizer's start that setpoint_ns is for */
  bool latctl_ready;            /* latctl initialised (its drift estimate is kept
                                   across later setpoints) */
  double learn_sum;             /* measurements while learning it */
  uint32_t learn_count;
  int64_t learn_start_ns;
  double smoothed_error_ns;     /* for engaging the controller */
  int64_t step_since_ns;        /* the latency is a step above the setpoint since; 0: not */
  int64_t last_measure_ns;
  int64_t measured_latency_ns;  /* last measurement, published as the latency */
  bool latctl_engaged;          /* the latency left the dead band once */
  int64_t ratio_applied_ns;     /* last time a controller output was applied */
  struct watchdog wd;
  struct rill_resampler rs;     /* owned when the slot's rs_active: set up by the network
                                   thread while FREE, run by the reader */
};

struct rsession {
  atomic_int state; /* enum rsession_state */
  /* Written by the network thread while the slot is FREE. */
  uint32_t ssrc;
  struct rtp_encoding enc;
  struct sockaddr_storage source;
  bool rs_active;                /* resampling this session */
  size_t rs_charge;              /* bytes charged to `scope` for the resampler */
  struct rill_arena *arena;      /* borrowed: where the Opus decoder comes from */
  void *opus_mem;                /* owned (Opus sessions): decoder state + one packet's PCM,
                                    charged to `scope`; run by the reader */
  size_t opus_bytes;
  struct opuscodec_dec *opus_dec; /* inside opus_mem */
  float *opus_pcm;                /* inside opus_mem: OPUSCODEC_MAX_FRAMES frames */
  struct rill_limiter scope;     /* owned: per-session budget */
  struct rill_spsc_ring *ring;   /* owned: packets, network -> reader */
  struct rsession_identity id;   /* published copy of ssrc, payload type, source */

  _Alignas(RSESSION_CACHE_LINE) struct rsession_net net;
  _Alignas(RSESSION_CACHE_LINE) struct rsession_rt rt;

  /* Published for metrics (any thread reads): the network thread's values
   * first, then (on their own lines) the reader's. */
  _Alignas(RSESSION_CACHE_LINE) atomic_int_least64_t jitter_ns; /* network */
  atomic_int_least64_t e2e_latency_ns, rtt_ns;                  /* network (RTCP), 0: unknown */
  struct session_counters counters;                             /* split by writer */
  atomic_int_least64_t latency_ns, scaling_ppb;                 /* reader */
  atomic_bool saturated;                                        /* reader */
  /* Where playback is: the RTP timestamp of the first frame a read output
   * and that read's monotonic time (the reader stamps it at each read).
   * With the sender's SR mapping, that gives the end-to-end latency. */
  struct stamp play;                                            /* reader */
};

/* What the reader needs besides the session, shared by every session of a
 * receiver for one read. */
struct rsession_reader {
  const struct rill_receiver_params *p; /* borrowed */
  float *scratch;                       /* borrowed: RSESSION_CHUNK_FRAMES * RTP_MAX_CHANNELS */
  float *in_scratch;                    /* borrowed: RSESSION_IN_SCRATCH_FRAMES * RTP_MAX_CHANNELS */
  struct receiver_counters *counters;   /* borrowed: ratio updates, resampler mismatches */
  uint32_t ratio_updates_left;          /* filter rebuilds this read may still do */
};

#define RSESSION_CHUNK_FRAMES 1024      /* a read is mixed in chunks of at most this many */
#define RSESSION_IN_SCRATCH_FRAMES 4096 /* resampler input per step, at the sender's rate */

/* ---- control ---- */

/* Set up a FREE slot: its budget (under `parent`) and its ring. Thread role: control. */
int rsession_init(struct rsession *s, struct rill_arena *arena, struct rill_limiter *parent,
                  size_t budget_bytes, size_t ring_entries);

/* Free what the slot holds (playback, resampler, queued packets, ring).
 * Thread role: control, nobody else using it. */
void rsession_deinit(struct rsession *s);

/* ---- network thread ---- */

/*
 * Start a session in FREE slot `s`: sets identity and encoding, the
 * resampler (when rates differ or drift is compensated; its speex memory is
 * charged to the session's budget, false if it does not fit), for Opus the
 * decoder and a packet's PCM (one allocation charged to the session's
 * budget, false if it does not fit), zeroes the counters and turns the
 * slot ACTIVE.
 */
bool rsession_start(struct rsession *s, const struct rill_receiver_params *p, uint32_t ssrc,
                    const struct rtp_encoding *enc, const struct sockaddr *src, int64_t now_ns);

/* A packet routed to the session arrived at pkt->recv_ns: the jitter
 * estimate. (The caller keeps net.last_packet_ns for every datagram routed,
 * with or without a packet record.) */
void rsession_on_packet(struct rsession *s, const struct rill_packet *pkt);

/* The highest sequence number received, extended by its wraps (RFC 3550
 * A.1); false before the first packet. */
bool rsession_ext_max_seq(const struct rsession *s, uint32_t *out);

/* ACTIVE -> CLOSING (CAS: the reader's watchdog may retire it meanwhile). */
bool rsession_close(struct rsession *s);

/* A RETIRED slot (or any slot, holding the idle gate): drop playback and
 * queued packets, free the resampler, add its counters to `gone`; FREE. */
void rsession_free(struct rsession *s, struct session_totals *gone);

/* Drop every packet waiting in the ring. */
void rsession_drain(struct rsession *s);

/* ---- reader ---- */

/*
 * Play the session into `out` (`frames` frames of the receiver's channels,
 * mixed in). Returns true when the watchdog ended it (the caller retires it
 * and counts).
 */
bool rsession_play(struct rsession *s, struct rsession_reader *rd, float *out, uint32_t frames,
                   int64_t now_ns);

/* CLOSING or watchdog: publish, drop playback and queue; -> RETIRED (CAS from `from`). */
void rsession_retire(struct rsession *s, int from);

/* ---- any thread ---- */

/* The play position the reader published last; false if none yet or the
 * reader was writing it (try again later). */
bool rsession_play_position(struct rsession *s, uint32_t *rtp_ts, int64_t *mono_ns);

/* A consistent snapshot of an ACTIVE session's identity and counters;
 * false if the slot was being rewritten (skip it this time). */
bool rsession_snapshot(struct rsession *s, struct receiver_session_info *info);

#endif /* RILL_PIPELINE_RECEIVER_SESSION_H */
