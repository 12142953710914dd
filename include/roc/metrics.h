/* Metrics of the roc 0.4 API, filled from rill's. */
#ifndef ROC_METRICS_H_
#define ROC_METRICS_H_

#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One connection: on a receiver, one remote sender (a rill session); a
 * sender has none without RTCP, which rill does not speak yet.
 */
typedef struct roc_connection_metrics {
  /* End-to-end latency, in nanoseconds (RTCP: a control interface bound/connected;
   * 0 without). */
  unsigned long long e2e_latency;
  /* RFC 3550 interarrival jitter, in nanoseconds. */
  unsigned long long mean_jitter;
  /* Packets the sender sent since the connection began (received + lost). */
  unsigned long long expected_packets;
  /* Packets lost since the connection began (sequence gaps). */
  unsigned long long lost_packets;
} roc_connection_metrics;

/* One receiver slot. */
typedef struct roc_receiver_metrics {
  unsigned int connection_count; /* remote senders now */
} roc_receiver_metrics;

/* One sender slot. */
typedef struct roc_sender_metrics {
  unsigned int connection_count; /* remote receivers reporting over RTCP */
} roc_sender_metrics;

#ifdef __cplusplus
}
#endif

#endif /* ROC_METRICS_H_ */
