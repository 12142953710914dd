/*
 * Sender pipeline: float frames from the caller -> packetizer (RTP header +
 * payload encoding) -> ring -> network thread -> UDP.
 *
 * The writer composes packets into a fixed set of packet buffers allocated
 * at creation; a full packet goes to the network thread through an SPSC ring
 * and comes back through another once sent. When every buffer is in flight
 * (the network thread is behind), the packet is dropped and counted: write
 * never blocks and never allocates. Pacing is the caller's: a packet leaves
 * as soon as its last frame is written.
 */
#ifndef RILL_PIPELINE_SENDER_H
#define RILL_PIPELINE_SENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pipeline/context.h"
#include "rtp/payload.h"

struct rill_sender;

struct rill_sender_params {
  struct rtp_encoding enc;   /* payload type, format, rate, channels on the wire */
  uint32_t input_channels;   /* channels of the frames given to write */
  uint32_t input_rate_hz;    /* rate of those frames; 0 or enc.rate_hz: no resampling */
  int resampler_quality;     /* speexdsp quality when resampling */
  uint32_t packet_frames;    /* frames per packet */
  uint32_t queue_packets;    /* packet buffers (power of two) */
  /* FEC block (used once a FEC endpoint is connected): source and repair
   * packets per block; 0: roc's defaults, 18 and 10. */
  uint32_t fec_source_packets;
  uint32_t fec_repair_packets;
  /* RTCP (a control endpoint): the report interval's floor, and the
   * silence after which a receiver is forgotten. */
  int64_t rtcp_min_interval_ns;
  int64_t rtcp_timeout_ns;
  /* Opus (enc.format RTP_FMT_OPUS; packet_frames is the Opus frame:
   * 120 ... 2880). With FEC the sender codes constant bitrate and pads
   * every packet to the same length (FECFRAME's blocks need equal-length
   * symbols), and DTX is off. */
  struct {
    uint32_t bitrate_bps; /* 6000 ... 510000 */
    int complexity;       /* 0 ... 10 */
    int loss_percent;     /* expected loss, 0 ... 100 */
    bool inband_fec;
    bool dtx;             /* silent packets are not sent (seq does not advance) */
    bool cbr;
  } opus;
};

/* What an endpoint receives (roc's "interface"). */
enum sender_iface {
  SENDER_IFACE_SOURCE = 0, /* RTP packets (with a FEC footer when FEC is on) */
  SENDER_IFACE_REPAIR,     /* FEC repair packets */
  SENDER_IFACE_CONTROL,    /* RTCP: reports go there, receivers' reports come back */
};

struct sender_totals {
  uint64_t frames_written;
  uint64_t packets_composed;
  uint64_t packets_dtx;      /* Opus DTX: silent packets not sent */
  uint64_t payload_bytes;    /* RTP payload bytes composed */
  uint64_t packets_sent;
  uint64_t packets_dropped;  /* no free buffer, or the socket refused */
  uint64_t fec_repair_sent;  /* repair packets sent (also in packets_sent) */
  uint32_t ssrc;
};

/* Thread role: control. */
int sender_create(struct rill_context *ctx, const struct rill_sender_params *params,
                  struct rill_sender **out);

/* Send to `dest` from a new socket bound to the wildcard address. Thread role: control. */
int sender_connect(struct rill_sender *s, const struct sockaddr *dest);

/*
 * Send `iface` packets to `dest`, with FEC scheme `fec` (enum fec_scheme;
 * 0: none, only for SOURCE; CONTROL takes none: RTCP reports go to `dest`
 * from the same socket, and receivers' reports come back to it). The first call opens the socket; a second one
 * adds the other interface on the same socket (roc's receivers pair source
 * and repair traffic by the sender's address). A FEC endpoint creates the
 * FEC writer; source and repair must name the same scheme. Connect before
 * the first write.
 * Returns RILL_OK, RILL_EINVAL (schemes disagree, repair without FEC, a
 * packet plus footer exceeds the context's max packet size, bad block
 * sizes), RILL_ESTATE (interface already connected), RILL_ENETWORK,
 * RILL_EBUDGET, RILL_ENOMEM. Thread role: control.
 */
int sender_connect_endpoint(struct rill_sender *s, const struct sockaddr *dest,
                            enum sender_iface iface, int fec);

/*
 * Local delivery, for the packet-level encoder (src/roc's
 * roc_sender_encoder): enable `iface` with FEC scheme `fec` (as
 * sender_connect_endpoint) without a socket. Packets then stay with the
 * sender until sender_pop_local takes them; with every packet buffer
 * waiting there, new packets are dropped and counted. A sender is either
 * local or connected: RILL_ESTATE when mixing them, or for an interface
 * already active. Returns RILL_OK, RILL_EINVAL (as sender_connect_endpoint),
 * RILL_ESTATE, RILL_EBUDGET, RILL_ENOMEM. Thread role: control.
 */
int sender_activate_local(struct rill_sender *s, enum sender_iface iface, int fec);

/*
 * Take the oldest packet composed for `iface` into `buf` (`cap` bytes):
 * RILL_OK and its length in *len; RILL_EEMPTY when there is none;
 * RILL_ENOSPC when it does not fit (*len says what it needs; the packet
 * stays queued); RILL_ESTATE when the sender is not local. Thread role: the
 * writer (the thread that calls sender_write).
 */
int sender_pop_local(struct rill_sender *s, enum sender_iface iface, uint8_t *buf, size_t cap,
                     size_t *len);

/*
 * Packetize `frames` frames of interleaved floats (input_channels each).
 * Thread role: the writer (real-time); one writer.
 */
void sender_write(struct rill_sender *s, const float *samples, uint32_t frames);

/* Counters and the context's global budget. Thread role: any. */
void sender_stats(struct rill_sender *s, struct sender_totals *out,
                  struct rill_limiter_stats *global);

/*
 * RTCP without a socket (roc's packet-level encoder): create the RTCP part
 * (sender_control) fed by this sender's figures; the caller pops reports
 * and pushes receivers' reports through pipeline/sender_rtcp.h. RILL_OK,
 * RILL_ESTATE (a control endpoint already, or a socket), RILL_EBUDGET,
 * RILL_ENOMEM. Thread role: control.
 */
int sender_activate_control_local(struct rill_sender *s);

/* The RTCP part (pipeline/sender_rtcp.h), NULL without a control endpoint.
 * Thread role: any. */
struct sender_rtcp *sender_control(struct rill_sender *s);

/* Channels of the frames write takes. Thread role: any. */
uint32_t sender_input_channels(const struct rill_sender *s);

/*
 * Send what is queued (a partly filled packet is completed with silence),
 * stop and free. Thread role: control, writer stopped.
 */
void sender_destroy(struct rill_sender *s);

/*
 * What the sender sends, for its SDP description: the wire encoding, the
 * frames per packet and the source endpoint's destination. false when no
 * source endpoint is connected. Thread role: control.
 */
bool sender_describe(const struct rill_sender *s, struct rtp_encoding *enc,
                     uint32_t *packet_frames, struct sockaddr_storage *dest);

#endif /* RILL_PIPELINE_SENDER_H */
