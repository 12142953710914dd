/*
 * Receiver: receives RTP streams from any number of remote senders on one or
 * more endpoints, keeps one session per sender (by SSRC), plays each through
 * a jitter buffer at a target latency, resamples it to the output rate while
 * compensating clock drift, and mixes them into float32 frames.
 */
#ifndef RILL_RECEIVER_H
#define RILL_RECEIVER_H

#include <rill/context.h>
#include <rill/encoding.h>
#include <rill/export.h>
#include <rill/metrics.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rill_receiver;

/* A config that can grow: see "Config structs that can grow" in rill/context.h. */
struct rill_receiver_config {
  size_t struct_size;          /* sizeof(struct rill_receiver_config), or 0 */
  uint32_t rate_hz;            /* output rate; 0: 44100 */
  uint32_t channels;           /* output channels (1..8); 0: 2 */
  int64_t target_latency_ns;   /* jitter buffer target; 0: 100 ms */
  int64_t session_timeout_ns;  /* a session without packets this long ends; 0: 2 s */
  uint32_t max_sessions;       /* concurrent senders; 0: 8 */
  size_t max_session_mem_bytes; /* per-session budget; 0: 4 MiB */
  size_t max_socket_mem_bytes;  /* per-socket budget (received, not routed); 0: 1 MiB */
  const struct rill_encoding *encodings; /* dynamic payload types, borrowed during open */
  size_t encoding_count;
  int reuse_address;           /* nonzero: bind with SO_REUSEADDR */
  /* Kernel receive buffer (SO_RCVBUF), which absorbs bursts and the moments
   * the network thread is not running. 0: four times max_socket_mem_bytes
   * (4 MiB by default). The kernel caps it at net.core.rmem_max unless the
   * process may force it (CAP_NET_ADMIN); a warning says so, and the metrics
   * report what was granted (socket_rcvbuf_bytes). */
  size_t socket_rcvbuf_bytes;
  /* Audio queued beyond target + tolerance is stale: dropped, and playback
   * jumps to the target. 0: the larger of the target and 50 ms; <0: no limit. */
  int64_t latency_tolerance_ns;
  /* Nobody reads for this long: drop all sessions, stop receiving, give
   * memory back; the next read resumes. 0: 1 s; <0: never. */
  int64_t idle_timeout_ns;
  /* New sessions accepted per second (a flood of fake senders cannot churn
   * the slots faster). 0: 20. */
  uint32_t max_session_creations_per_s;
  /* Clock drift: each session is resampled (libspeexdsp) with a ratio that a
   * controller steers so that its latency stays at the target. Nonzero
   * disables it (a stream at another rate is still converted). */
  int disable_drift_compensation;
  /* When every session slot is taken: packets in sequence a new sender must
   * send before it may push out a session that never proved itself (one
   * packet, then nothing), so that fake senders with a new SSRC per packet
   * cannot lock real ones out. 0: 2; 1: never push out. */
  uint32_t probation_packets;
  int resampler_quality;       /* speexdsp quality 1..10; 0: 3 */
  /* Watchdog: a session that plays no audio for this long (packets come but
   * none can be played) is ended, and restarts with its sender's next
   * packet. 0: 2 s; <0: off. */
  int64_t no_play_timeout_ns;
  /* Watchdog: a session with a gap or underrun in every 250 ms window for
   * this long is ended and restarts. 0 or <0: off, the default (lossy links
   * are choppy by nature; FEC is the remedy there). */
  int64_t choppy_timeout_ns;
  /* Appended in 0.2 (struct_size tells them apart). RTCP, with a control
   * endpoint (rtcp://): the floor of the report interval (RFC 3550 6.2's
   * Tmin; reports then go every 0.41..1.23 of it), 0: 200 ms, as roc; and
   * the RTCP silence after which a session that sent RTCP ends (its sender
   * is gone without a BYE), 0: 5 s, as roc. */
  int64_t rtcp_min_interval_ns;
  int64_t rtcp_timeout_ns;
};

/*
 * Fill `config` with the defaults and struct_size. latency_tolerance_ns
 * stays 0: its default follows target_latency_ns. Thread role: any.
 */
RILL_API void rill_receiver_config_init(struct rill_receiver_config *config);

/*
 * Open a receiver on `ctx`. `config` may be NULL for the defaults.
 * Returns RILL_OK, RILL_EINVAL (a bad field; the log says which),
 * RILL_EUNSUPPORTED (config from newer headers sets a field this library
 * does not know), RILL_EBUDGET, RILL_ENOMEM.
 * Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_receiver_open(struct rill_context *ctx,
                                               const struct rill_receiver_config *config,
                                               struct rill_receiver **out);

/*
 * Receive on `uri` ("rtp://IP:PORT"; port 0 picks a free port; a multicast
 * IP is joined on `multicast_iface`, NULL for the default). The port in use
 * goes to *bound_port when not NULL. With FEC, bind a source endpoint
 * "rtp+rs8m://IP:PORT" (or rtp+ldpc://) and a repair endpoint
 * "rs8m://IP:PORT" (or ldpc://): lost source packets are restored from the
 * repair packets of the session sending from the same address. All FEC
 * endpoints of a receiver use one encoding (RILL_EINVAL otherwise). A
 * warning is logged when the target latency is shorter than a FEC block
 * (18 packets of 5 ms at roc's defaults).
 * A control endpoint "rtcp://IP:PORT" (one per receiver) takes the senders'
 * RTCP for every session: their sender reports give the end-to-end
 * latency, a BYE ends its session at once, and each session's sender gets
 * reports (loss, jitter, latency) back at the address its RTCP came from.
 * RTCP never creates a session, and only the session's own sender (its
 * SSRC, from its host) can end it.
 * Returns RILL_OK, RILL_EINVAL (bad URI: the log says what is wrong),
 * RILL_ERESOLVE, RILL_EADDRINUSE, RILL_ENETWORK, RILL_ESTATE (too many
 * endpoints, or a second control endpoint), RILL_EBUDGET, RILL_ENOMEM.
 * Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_receiver_bind(struct rill_receiver *recv, const char *uri,
                                               const char *multicast_iface,
                                               uint16_t *bound_port);

/*
 * Fill `frames` frames of interleaved float32 samples (config rate and
 * channels) into `samples`: the mix of all sessions, silence where there is
 * no audio. Never blocks, never allocates, bounded work.
 * Returns RILL_OK, or RILL_EINVAL for NULL arguments and nothing else: how
 * the audio fared (gaps, late packets) is in the metrics, never in the
 * status, so a reader that passes valid arguments may ignore it (the status
 * is not RILL_NODISCARD).
 * Thread role: real-time (one reader at a time).
 */
RILL_API int rill_receiver_read(struct rill_receiver *recv, float *samples, size_t frames);

/*
 * Snapshot of the receiver's counters and of up to `session_cap` active
 * sessions (`sessions` may be NULL), whatever max_sessions is.
 * *session_count gets how many were written. Set out->struct_size and
 * sessions[0].struct_size (the size of every element) to sizeof first, or
 * 0 for the 0.1 layout (see rill/metrics.h).
 * Returns RILL_OK or RILL_EINVAL (NULL recv or out, or a struct_size that
 * is not a size: nothing written). Thread role: any.
 */
RILL_API RILL_NODISCARD int rill_receiver_metrics(struct rill_receiver *recv,
                                                  struct rill_receiver_metrics *out,
                                                  struct rill_session_metrics *sessions,
                                                  size_t session_cap, size_t *session_count);

/*
 * Stop receiving and free the receiver. The reader must have stopped calling
 * rill_receiver_read. Returns RILL_OK, or RILL_EINVAL for NULL only (so a
 * caller may ignore it). Thread role: control.
 */
RILL_API int rill_receiver_close(struct rill_receiver *recv);

#ifdef __cplusplus
}
#endif

#endif /* RILL_RECEIVER_H */
