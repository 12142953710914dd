/*
 * Metrics: counters and gauges of senders, receivers and their sessions.
 * Counters only grow; gauges are "now" values.
 *
 * Metrics structs can grow. Each begins with `struct_size`, which the
 * caller sets to sizeof the struct it has (0 means the 0.1 layout): the
 * library writes only that many bytes, fills fields it does not know with
 * zero, and leaves struct_size as it was. For an array of session metrics,
 * sessions[0].struct_size is the size of every element (the array's stride);
 * the library sets each element's struct_size to it. A program built
 * against these headers therefore keeps working with a later library that
 * appends fields, and a later program with this library. struct
 * rill_memory_metrics is embedded by value and does not grow.
 */
#ifndef RILL_METRICS_H
#define RILL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rill_memory_metrics {
  size_t used_bytes;   /* charged to the budget now */
  size_t peak_bytes;   /* highest charge since open */
  size_t budget_bytes; /* the budget */
  uint64_t refused;    /* charges the budget refused */
};

struct rill_session_metrics {
  size_t struct_size;        /* sizeof(struct rill_session_metrics), set by the caller */
  uint32_t ssrc;
  char source[64];           /* "IP:PORT" of the remote sender */
  uint8_t payload_type;
  uint64_t packets_received; /* routed to this session */
  uint64_t packets_played;
  uint64_t packets_lost;     /* sequence gaps among played packets */
  uint64_t packets_late;     /* arrived after their play time: dropped */
  uint64_t packets_duplicate;
  uint64_t packets_dropped;  /* session budget, queue full, bad payload */
  uint64_t gap_frames;       /* frames of silence played for missing audio */
  uint64_t underruns;        /* jitter buffer ran dry */
  uint64_t resyncs;          /* timestamp jumps that restarted playback */
  int64_t jitter_ns;         /* RFC 3550 interarrival jitter */
  int64_t latency_ns;        /* audio queued ahead of the play position */
  int64_t drift_ppb;         /* resampling ratio - 1 applied now (parts per billion):
                                the sender's clock against ours; 0 without resampling */
  int drift_saturated;       /* nonzero: the drift exceeds what may be compensated */
  size_t memory_bytes;       /* charged to the session budget now */
  /* FEC (endpoints rtp+rs8m:// / rtp+ldpc:// with a repair endpoint). */
  uint64_t fec_recovered;       /* lost packets restored from repair packets */
  uint64_t fec_unrecoverable;   /* FEC blocks given up with packets still missing */
  uint64_t fec_repair_received; /* repair packets paired with this session */
  uint64_t fec_repair_dropped;  /* of those, not usable (stale block, mismatch,
                                   duplicate, no memory) */
  /* Appended in 0.2. RTCP (a control endpoint and a sender that sends
   * reports); 0 while unknown. */
  int64_t e2e_latency_ns; /* capture at the sender (rill_sender_write) to output by
                             rill_receiver_read, by the sender's SR clock mapping:
                             exact on one host, as good as NTP between hosts */
  int64_t rtt_ns;         /* round trip to the sender (RTCP XR RRTR/DLRR) */
  /* Appended in 0.2. Opus sessions: lost audio that was not played as
   * silence (gap_frames counts what was). */
  uint64_t plc_frames;        /* concealed by libopus packet-loss concealment */
  uint64_t fec_inband_frames; /* decoded from the next packet's in-band FEC */
  uint64_t dtx_frames;        /* the sender's DTX pauses (not loss), concealed */
  /* Appended in 0.2: times the latency stepped up by more than 10 ms (the
   * reader missed a cycle) and the excess was dropped at once rather than
   * played out at a shifted pitch. */
  uint64_t latency_steps;
};

struct rill_receiver_metrics {
  size_t struct_size;            /* sizeof(struct rill_receiver_metrics), set by the caller */
  uint64_t datagrams;            /* received on all endpoints */
  uint64_t bad_packets;          /* not RTP version 2, malformed, empty */
  uint64_t unknown_payload_type;
  uint64_t rate_mismatch;        /* sender rate differs from the receiver's */
  uint64_t sessions_created;
  uint64_t sessions_removed;
  uint64_t sessions_refused;     /* max_sessions reached */
  uint64_t no_memory;            /* packets dropped because a budget refused */
  uint64_t socket_pauses;        /* receive paused for want of memory */
  uint64_t sessions_rate_limited; /* new senders refused by the creation rate limit */
  uint64_t probation_dropped;    /* packets of new senders on probation (slots full) */
  uint64_t sessions_evicted;     /* unproven sessions ended to make room */
  uint64_t watchdog_resets;      /* sessions ended by the no-play or choppy watchdog */
  uint64_t idle_entries;         /* times the receiver went idle (nobody read) */
  uint64_t stale_datagrams_flushed; /* queued in the kernel while idle: discarded */
  int idle;                      /* nonzero while idle */
  uint32_t sessions;             /* active now */
  /* Over every session since open, removed ones included. */
  uint64_t packets_received;
  uint64_t packets_played;
  uint64_t packets_lost;
  uint64_t packets_late;
  uint64_t packets_duplicate;
  uint64_t packets_dropped;
  struct rill_memory_metrics memory;        /* the context's budget */
  struct rill_memory_metrics socket_memory; /* the first endpoint's budget */
  /* FEC over every session since open (see rill_session_metrics); repair
   * packets from a sender with no session count as dropped. */
  uint64_t fec_recovered;
  uint64_t fec_unrecoverable;
  uint64_t fec_repair_received;
  uint64_t fec_repair_dropped;
  /* Appended in 0.1 after the fields above (struct_size tells them apart). */
  size_t socket_rcvbuf_bytes; /* the first endpoint's kernel receive buffer, as the
                                 kernel reports it (SO_RCVBUF: twice the data it holds) */
  /* Appended in 0.2: RTCP on the control endpoint. */
  uint64_t rtcp_received;         /* datagrams */
  uint64_t rtcp_malformed;        /* datagrams or parts rejected (a length or count lies) */
  uint64_t rtcp_unmatched;        /* reports and BYEs for no session of their sender's */
  uint64_t rtcp_sent;             /* reports sent to senders */
  uint64_t sessions_bye;          /* sessions ended by their sender's BYE */
  uint64_t sessions_rtcp_timeout; /* sessions ended by RTCP silence */
  /* Appended in 0.2: the sockets. Datagrams are read in batches (one
   * system call for up to 16): datagrams / receive_batches is the mean. */
  uint64_t datagrams_oversized; /* larger than max_packet_bytes: dropped, not counted
                                   in datagrams */
  uint64_t receive_batches;     /* system calls that returned datagrams */
};

/* What one receiver reports to a sender over RTCP (0.2). */
struct rill_receiver_report {
  size_t struct_size;       /* set by the caller: receivers[0].struct_size is the stride */
  uint32_t ssrc;            /* the receiver's RTCP SSRC */
  char cname[64];           /* its SDES CNAME, "" until it sent one */
  char address[64];         /* "IP:PORT" its reports come from */
  uint64_t reports;         /* reports received from it */
  double fraction_lost;     /* 0..1, over its last report interval */
  int64_t cumulative_lost;  /* packets, since it started (negative: duplicates) */
  uint32_t ext_highest_seq; /* highest sequence number it received, with wraps */
  int64_t jitter_ns;        /* its RFC 3550 interarrival jitter */
  int64_t rtt_ns;           /* round trip (its LSR/DLSR echo); 0: unknown */
  int64_t e2e_latency_ns;   /* its capture-to-playback latency (XR delay metrics);
                               0: unknown */
  int64_t latency_ns;       /* audio it holds queued (roc's XR queue metrics); 0: unknown */
};

struct rill_sender_metrics {
  size_t struct_size;       /* sizeof(struct rill_sender_metrics), set by the caller */
  uint32_t ssrc;
  uint64_t frames_written;
  uint64_t packets_sent;
  uint64_t packets_dropped;
  struct rill_memory_metrics memory; /* the context's budget */
  uint64_t fec_repair_sent; /* FEC repair packets sent (included in packets_sent) */
  /* Appended in 0.2: RTCP (a control endpoint). */
  uint64_t rtcp_sent;       /* reports sent */
  uint64_t rtcp_received;   /* datagrams received on the sender's socket */
  uint64_t rtcp_malformed;  /* of those, or their parts, rejected */
  uint32_t receiver_count;  /* receivers reporting now (all, even past receiver_cap) */
  /* In: the caller's array for the receivers' reports, or NULL; out: how
   * many were written. */
  struct rill_receiver_report *receivers;
  size_t receiver_cap;
  size_t receivers_written;
  /* Appended in 0.2. */
  uint64_t payload_bytes;   /* RTP payload bytes of the packets composed (the SR's
                               octet count): for Opus, what the codec made of the audio */
  uint64_t packets_dtx;     /* Opus DTX: silent packets not sent (the timestamp moved on) */
};

#ifdef __cplusplus
}
#endif

#endif /* RILL_METRICS_H */
