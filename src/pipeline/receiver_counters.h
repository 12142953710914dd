/*
 * The receiver's counters, declared once. Each map lists a counter with the
 * thread that counts it and what it counts; the atomic structures the
 * receiver counts in, their reset, the accumulation of removed sessions
 * into the receiver's totals, the snapshots (struct receiver_totals,
 * struct receiver_session_info) and the copy into the public metrics all
 * expand from these maps, so a counter added here appears everywhere.
 *
 * X(name, visibility, doc): visibility says which structures of
 * include/rill/metrics.h have a field of that name, so that the public copy
 * expands only those: PUBLIC (struct rill_receiver_metrics, and for a
 * session counter struct rill_session_metrics too), PUBLIC_SESSION (struct
 * rill_session_metrics only), INTERNAL (neither).
 */
#ifndef RILL_PIPELINE_RECEIVER_COUNTERS_H
#define RILL_PIPELINE_RECEIVER_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

/* Per receiver. */
#define RECEIVER_COUNTER_MAP(X)                                                              \
  X(datagrams, PUBLIC, "datagrams received on all endpoints (network)")                      \
  X(bad_packets, PUBLIC, "not RTP v2, malformed, empty, bad FEC footer (network)")           \
  X(unknown_payload_type, PUBLIC, "payload type not mapped (network)")                       \
  X(rate_mismatch, PUBLIC, "sender rate too far from the receiver's (network)")              \
  X(sessions_refused, PUBLIC, "new senders with no slot free (network)")                     \
  X(sessions_created, PUBLIC, "sessions started (network)")                                  \
  X(sessions_removed, PUBLIC, "sessions ended and their slot freed (network)")               \
  X(no_memory, PUBLIC, "packets dropped because a budget refused (network)")                 \
  X(sessions_rate_limited, PUBLIC, "new senders refused by the creation rate (network)")     \
  X(probation_dropped, PUBLIC, "packets of new senders on probation (network)")              \
  X(sessions_evicted, PUBLIC, "unproven sessions ended to make room (network)")              \
  X(watchdog_resets, PUBLIC, "sessions ended by the watchdog (reader)")                      \
  X(idle_entries, PUBLIC, "times the receiver went idle (network)")                          \
  X(rtcp_received, PUBLIC, "RTCP datagrams on the control endpoint (network)")               \
  X(rtcp_malformed, PUBLIC, "RTCP datagrams or parts rejected: a length or count lies (network)") \
  X(rtcp_unmatched, PUBLIC, "RTCP reports and BYEs for no session of theirs (network)")      \
  X(rtcp_sent, PUBLIC, "RTCP reports sent (network)")                                         \
  X(sessions_bye, PUBLIC, "sessions ended by their sender's BYE (network)")                  \
  X(sessions_rtcp_timeout, PUBLIC, "sessions ended by RTCP silence (network)")               \
  X(ratio_updates, INTERNAL, "drift ratio changes applied: filter rebuilds (reader)")        \
  X(resampler_input_dropped, INTERNAL, "frames the resampler did not take (reader; 0)")      \
  X(resampler_output_short, INTERNAL, "frames the resampler did not produce (reader; 0)")

/* Per session; the receiver's totals add up every session, removed ones
 * included. packets_dropped (public) is dropped_net + dropped_rt. Two maps
 * by writer, so that each writer's counters sit on their own cache lines. */
#define SESSION_NET_COUNTER_MAP(X)                                                           \
  X(packets_received, PUBLIC, "routed to the session (network)")                             \
  X(dropped_net, INTERNAL, "dropped before the queue: budget, ring full (network)")

#define SESSION_RT_COUNTER_MAP(X)                                                            \
  X(packets_played, PUBLIC, "played (reader)")                                               \
  X(packets_lost, PUBLIC, "sequence gaps among played packets (reader)")                     \
  X(packets_late, PUBLIC, "arrived after their play time (reader)")                          \
  X(packets_duplicate, PUBLIC, "duplicates (reader)")                                        \
  X(dropped_rt, INTERNAL, "dropped by the jitter buffer: overflow, invalid, stale (reader)") \
  X(gap_frames, PUBLIC_SESSION, "frames of silence played for missing audio (reader)")       \
  X(underruns, PUBLIC_SESSION, "the jitter buffer ran dry (reader)")                         \
  X(resyncs, PUBLIC_SESSION, "timestamp jumps that restarted playback (reader)")           \
  X(plc_frames, PUBLIC_SESSION, "Opus: lost audio concealed by libopus PLC (reader)")        \
  X(fec_inband_frames, PUBLIC_SESSION, "Opus: lost audio decoded from in-band FEC (reader)") \
  X(dtx_frames, PUBLIC_SESSION, "Opus: the sender's DTX silences, concealed (reader)")      \
  X(latency_steps, PUBLIC_SESSION, "latency steps dropped at once, not drained by resampling (reader)")

#define SESSION_COUNTER_MAP(X) SESSION_NET_COUNTER_MAP(X) SESSION_RT_COUNTER_MAP(X)

typedef atomic_uint_least64_t counter_t;

#define RILL_COUNTER_DECLARE_ATOMIC(name, visibility, doc) counter_t name;
#define RILL_COUNTER_DECLARE_U64(name, visibility, doc) uint64_t name;

struct receiver_counters {
  RECEIVER_COUNTER_MAP(RILL_COUNTER_DECLARE_ATOMIC)
};

/* A session's counters as it publishes them: the network thread's and the
 * reader's on separate cache lines (the slot that holds them is aligned). */
struct session_counters {
  struct {
    SESSION_NET_COUNTER_MAP(RILL_COUNTER_DECLARE_ATOMIC)
  };
  _Alignas(64) struct {
    SESSION_RT_COUNTER_MAP(RILL_COUNTER_DECLARE_ATOMIC)
  };
};

/* Sums over sessions (the receiver's removed sessions): no alignment. */
struct session_totals {
  SESSION_COUNTER_MAP(RILL_COUNTER_DECLARE_ATOMIC)
};

static inline void counter_bump(counter_t *c)
{
  atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static inline void counter_add(counter_t *c, uint64_t n)
{
  atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static inline void counter_set(counter_t *c, uint64_t v)
{
  atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline uint64_t counter_get(const counter_t *c)
{
  return atomic_load_explicit(c, memory_order_relaxed);
}

#endif /* RILL_PIPELINE_RECEIVER_COUNTERS_H */
