/*
 * --stats-json: the tools' metrics as JSON Lines, one object per line.
 *
 * rill-recv writes
 *   {"t_s":2.001,"final":false,"datagrams":...,"memory":{"used_bytes":...},
 *    ...,"session_metrics":[{"ssrc":...,"source":"127.0.0.1:40000",...}]}
 * and rill-send {"t_s":...,"final":...,"ssrc":...,"packets_sent":...}: every
 * field of struct rill_receiver_metrics (rill_sender_metrics) under its own
 * name, a struct rill_memory_metrics as a nested object, and the sessions
 * (struct rill_session_metrics) in the array "session_metrics" ("sessions"
 * is the receiver's count of active ones). t_s is seconds since the tool
 * started streaming; "final" is true on the last line, written at exit.
 * Integers are JSON numbers; strings are escaped (quotes, backslashes,
 * control characters; bytes that are not UTF-8 become U+FFFD).
 *
 * The fields are listed once, below, in the structs' order; the writer and
 * the test that checks the lists cover the structs expand them.
 */
#ifndef RILL_TOOLS_STATS_JSON_H
#define RILL_TOOLS_STATS_JSON_H

#include <rill/metrics.h>
#include <stddef.h>
#include <stdio.h>

/* X(kind, field): kind UINT, INT (signed), DOUBLE, STRING (char array),
 * MEMORY, REPORTS (the sender's array of receiver reports, "receivers":
 * receivers_written elements) and WRITTEN (that count), or SIZE / INPUT (struct_size and what the
 * caller passes in: part of the struct, not of the JSON). */
#define STATS_MEMORY_FIELDS(X)                                                                   \
  X(UINT, used_bytes) X(UINT, peak_bytes) X(UINT, budget_bytes) X(UINT, refused)

#define STATS_SESSION_FIELDS(X)                                                                  \
  X(SIZE, struct_size) X(UINT, ssrc) X(STRING, source) X(UINT, payload_type) X(UINT, packets_received)                \
  X(UINT, packets_played) X(UINT, packets_lost) X(UINT, packets_late)                            \
  X(UINT, packets_duplicate) X(UINT, packets_dropped) X(UINT, gap_frames) X(UINT, underruns)     \
  X(UINT, resyncs) X(INT, jitter_ns) X(INT, latency_ns) X(INT, drift_ppb)                        \
  X(INT, drift_saturated) X(UINT, memory_bytes) X(UINT, fec_recovered)                           \
  X(UINT, fec_unrecoverable) X(UINT, fec_repair_received) X(UINT, fec_repair_dropped)           \
  X(INT, e2e_latency_ns) X(INT, rtt_ns) X(UINT, plc_frames) X(UINT, fec_inband_frames)          \
  X(UINT, dtx_frames) X(UINT, latency_steps)

#define STATS_RECEIVER_FIELDS(X)                                                                 \
  X(SIZE, struct_size) X(UINT, datagrams) X(UINT, bad_packets) X(UINT, unknown_payload_type) X(UINT, rate_mismatch)   \
  X(UINT, sessions_created) X(UINT, sessions_removed) X(UINT, sessions_refused)                  \
  X(UINT, no_memory) X(UINT, socket_pauses) X(UINT, sessions_rate_limited)                       \
  X(UINT, probation_dropped) X(UINT, sessions_evicted) X(UINT, watchdog_resets)                  \
  X(UINT, idle_entries) X(UINT, stale_datagrams_flushed) X(INT, idle) X(UINT, sessions)          \
  X(UINT, packets_received) X(UINT, packets_played) X(UINT, packets_lost)                        \
  X(UINT, packets_late) X(UINT, packets_duplicate) X(UINT, packets_dropped)                      \
  X(MEMORY, memory) X(MEMORY, socket_memory) X(UINT, fec_recovered)                              \
  X(UINT, fec_unrecoverable) X(UINT, fec_repair_received) X(UINT, fec_repair_dropped)         \
  X(UINT, socket_rcvbuf_bytes) X(UINT, rtcp_received) X(UINT, rtcp_malformed)                   \
  X(UINT, rtcp_unmatched) X(UINT, rtcp_sent) X(UINT, sessions_bye) X(UINT, sessions_rtcp_timeout) \
  X(UINT, datagrams_oversized) X(UINT, receive_batches)

#define STATS_REPORT_FIELDS(X)                                                                   \
  X(SIZE, struct_size) X(UINT, ssrc) X(STRING, cname) X(STRING, address) X(UINT, reports)        \
  X(DOUBLE, fraction_lost) X(INT, cumulative_lost) X(UINT, ext_highest_seq) X(INT, jitter_ns)    \
  X(INT, rtt_ns) X(INT, e2e_latency_ns) X(INT, latency_ns)

#define STATS_SENDER_FIELDS(X)                                                                   \
  X(SIZE, struct_size) X(UINT, ssrc) X(UINT, frames_written) X(UINT, packets_sent) X(UINT, packets_dropped)           \
  X(MEMORY, memory) X(UINT, fec_repair_sent) X(UINT, rtcp_sent) X(UINT, rtcp_received)            \
  X(UINT, rtcp_malformed) X(UINT, receiver_count) X(REPORTS, receivers) X(INPUT, receiver_cap)    \
  X(WRITTEN, receivers_written) X(UINT, payload_bytes) X(UINT, packets_dtx)

/*
 * Open the destination of --stats-json: "-" is stdout, anything else a file
 * (truncated). NULL on failure, after "TOOL: cannot write --stats-json
 * DEST: reason" on stderr.
 */
FILE *stats_json_open(const char *dest, const char *tool);

/*
 * Close what stats_json_open returned (stdout stays open). 0, or -1 after
 * a line on stderr if the file could not be finished.
 */
int stats_json_close(FILE *f, const char *dest, const char *tool);

/*
 * Write one line: the receiver's metrics `m` and `session_count` sessions,
 * at `t_s` seconds; `final` nonzero on the last line. Flushes `f`.
 * Returns 0, or -1 if writing failed.
 */
int stats_json_receiver(FILE *f, double t_s, int final, const struct rill_receiver_metrics *m,
                        const struct rill_session_metrics *sessions, size_t session_count);

/* The same for a sender's metrics. */
int stats_json_sender(FILE *f, double t_s, int final, const struct rill_sender_metrics *m);

/*
 * Write `s` (at most `cap` bytes, up to a NUL) as a JSON string with its
 * quotes. Used by the writer; exposed for tests.
 */
void stats_json_string(FILE *f, const char *s, size_t cap);

#endif /* RILL_TOOLS_STATS_JSON_H */
