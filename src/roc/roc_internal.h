/*
 * Shared pieces of the roc 0.4 compatibility layer (src/roc): the context
 * object, config translation to rill's public configs, the internal clock
 * (pacer), per-slot bookkeeping and "log once".
 *
 * The layer sits on top of rill: sender, receiver and context go through
 * rill's public API (include/rill/); the network-less encoder and decoder
 * use two pipeline entry points that the public API does not offer
 * (sender_activate_local/sender_pop_local, receiver_inject_endpoint). Nothing
 * below src/roc knows of it.
 *
 * Status: every roc function returns 0 or -1, as roc 0.4 does; the reason
 * goes to the log.
 */
#ifndef RILL_ROC_INTERNAL_H
#define RILL_ROC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rill/rill.h>
#include <roc/config.h>
#include <roc/context.h>
#include <roc/endpoint.h>
#include <roc/metrics.h>

/* Slots per sender or receiver (roc has no limit; rill's is fixed). */
#define ROC_MAX_SLOTS 8
/* Defaults that are roc's where rill has none of its own. */
#define ROC_DEFAULT_FRAME_BYTES 4096u
#define ROC_DEFAULT_TARGET_LATENCY_NS (200 * INT64_C(1000000))
/* Environment variable with the context's memory budget. */
#define ROC_MEM_ENV "RILL_ROC_MAX_MEM"
/* Registered encodings: rill's dynamic payload types, 96..127. */
#define ROC_MAX_REGISTERED 32

struct roc_context {
  struct rill_context *rill;     /* owned */
  size_t max_packet_bytes;
  size_t max_frame_bytes;
  pthread_mutex_t lock;          /* guards the registry */
  struct rill_encoding registered[ROC_MAX_REGISTERED];
  size_t registered_count;
  atomic_int objects;            /* roc objects open on it */
};

/*
 * Internal clock of ROC_CLOCK_SOURCE_INTERNAL: the stream's position in
 * frames since its first call, and the time it started. pacer_wait blocks
 * until the clock reaches the next `frames`; a caller that fell more than
 * a second behind restarts the clock instead of catching up in a burst.
 */
struct roc_pacer {
  bool enabled;
  bool started;
  uint32_t rate_hz;
  int64_t start_ns;
  uint64_t frames;
};

void roc__pacer_init(struct roc_pacer *p, roc_clock_source source, uint32_t rate_hz);
void roc__pacer_wait(struct roc_pacer *p, uint64_t frames);

/* Channels of a frame encoding (0: invalid, logged). */
uint32_t roc__frame_channels(const roc_media_encoding *enc, const char *what);

/*
 * roc configs to rill configs (with the context's registered encodings,
 * copied into `encodings`, ROC_MAX_REGISTERED entries). 0, or -1 (logged).
 * *fec gets the sender's FEC scheme: 0 none, 1 rs8m, 2 ldpc.
 */
int roc__sender_config(struct roc_context *ctx, const roc_sender_config *in,
                       struct rill_sender_config *out, int *fec);
int roc__receiver_config(struct roc_context *ctx, const roc_receiver_config *in,
                         struct rill_receiver_config *out, struct rill_encoding *encodings);

/* Validate a clock source (0, or -1 logged). */
int roc__clock_source_check(roc_clock_source source, const char *what);

/* The scheme of a protocol ("rtp+rs8m"), NULL for an unknown value. */
const char *roc__proto_scheme(roc_protocol proto);
/* The FEC scheme a protocol carries: 0 none, 1 rs8m, 2 ldpc. */
int roc__proto_fec(roc_protocol proto);
/* 0 for AUDIO_SOURCE, 1 for AUDIO_REPAIR, -1 for the others. */
int roc__iface_index(roc_interface iface);
/* A slot's interface: 0 source, 1 repair, 2 control (RTCP); -1 otherwise.
 * The packet-level encoder and decoder use roc__iface_index (no control). */
#define ROC_SLOT_IFACES 3
int roc__slot_iface(roc_interface iface);
/*
 * The slot table of a sender or receiver: `count` entries of `stride`
 * bytes, each beginning with struct roc_slot_head. The entry of slot `id`,
 * or with `create` a free entry zeroed and given `id`; NULL when there is
 * none (logged when full). Caller holds the table's lock.
 */
struct roc_slot_head {
  bool used;
  bool broken; /* a bind or connect failed: only unlink helps */
  roc_slot id;
};
void *roc__slot_find(void *table, size_t count, size_t stride, roc_slot id, bool create);
/* Whether `proto` may be used on `iface` (audio source or repair). */
bool roc__proto_fits(roc_interface iface, roc_protocol proto);
/*
 * -1 after logging (once per process and protocol) that rill does not
 * support `proto` (rtsp://, rtcp://) or interface `iface` yet.
 */
int roc__unsupported(roc_interface iface, roc_protocol proto, const char *what);

/*
 * The endpoint's URI for rill ("rtp://HOST:PORT"), its protocol and port.
 * 0, or -1 (a part missing or invalid; logged).
 */
int roc__endpoint_uri(const roc_endpoint *ep, char *buf, size_t cap, roc_protocol *proto);
/* Write a bound port back to the endpoint. */
void roc__endpoint_set_bound_port(roc_endpoint *ep, int port);

/* Log through rill's logger (which the roc log bridge forwards). */
#define ROC_LOG_ERR(...) roc__log(RILL_LOG_ERROR, __VA_ARGS__)
#define ROC_LOG_INF(...) roc__log(RILL_LOG_INFO, __VA_ARGS__)
void roc__log(enum rill_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Install the bridge from rill's log to roc's handler (once). */
void roc__log_bridge_install(void);

/* Metrics of one rill session as roc connection metrics. */
void roc__conn_metrics(const struct rill_session_metrics *in, roc_connection_metrics *out);

/*
 * The rill receiver behind a roc receiver's slot (NULL if none is bound)
 * or behind a decoder, for tests that check rill's counters. Hidden in
 * librill-roc.so. Thread role: any, while the object is open.
 */
struct roc_receiver;
struct roc_receiver_decoder;
struct rill_receiver *roc__receiver_slot_rill(struct roc_receiver *r, roc_slot slot);
struct rill_receiver *roc__decoder_rill(struct roc_receiver_decoder *d);

#endif /* RILL_ROC_INTERNAL_H */
