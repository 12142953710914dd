/*
 * Sender encoder of the roc 0.4 API: a sender without network. Frames
 * pushed in come out as packets popped per interface; the caller carries
 * them. Thread role: any thread, one call at a time (calls are serialized).
 */
#ifndef ROC_SENDER_ENCODER_H_
#define ROC_SENDER_ENCODER_H_

#include "roc/config.h"
#include "roc/context.h"
#include "roc/frame.h"
#include "roc/metrics.h"
#include "roc/packet.h"
#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct roc_sender_encoder roc_sender_encoder;

/* Open an encoder on `context` with `config` (copied). 0, or -1. */
ROC_API int roc_sender_encoder_open(roc_context *context, const roc_sender_config *config,
                                    roc_sender_encoder **result);

/*
 * Produce packets of `proto` for `iface`: AUDIO_SOURCE with ROC_PROTO_RTP
 * or a FEC source protocol, AUDIO_REPAIR with the matching repair protocol.
 * 0, or -1 (bad arguments, already active, unsupported protocol).
 */
ROC_API int roc_sender_encoder_activate(roc_sender_encoder *encoder, roc_interface iface,
                                        roc_protocol proto);

/* Metrics: connection_count counts the receivers whose feedback (RTCP) came
 * in; conn_metrics describes the first. 0, or -1. */
ROC_API int roc_sender_encoder_query(roc_sender_encoder *encoder,
                                     roc_sender_metrics *encoder_metrics,
                                     roc_connection_metrics *conn_metrics);

/*
 * Encode `frame` into packets queued per activated interface (up to 64:
 * pop them after each push; more are dropped). With
 * ROC_CLOCK_SOURCE_INTERNAL, blocks until the stream's clock reaches the
 * frame. 0, or -1.
 */
ROC_API int roc_sender_encoder_push_frame(roc_sender_encoder *encoder, const roc_frame *frame);

/* Feedback from the decoder (control interface: its RTCP reports). 0, or
 * -1 when the control interface is not active. */
ROC_API int roc_sender_encoder_push_feedback_packet(roc_sender_encoder *encoder,
                                                    roc_interface iface,
                                                    const roc_packet *packet);

/*
 * Copy the oldest packet of `iface` into packet->bytes (packet->bytes_size
 * bytes) and set bytes_size to its length; on the control interface, a
 * sender report (RTCP) when one is due (every 200 ms). 0, or -1 (none left
 * or due, interface not active, buffer too small, bad arguments).
 */
ROC_API int roc_sender_encoder_pop_packet(roc_sender_encoder *encoder, roc_interface iface,
                                          roc_packet *packet);

/* Close. 0, or -1 for NULL. */
ROC_API int roc_sender_encoder_close(roc_sender_encoder *encoder);

#ifdef __cplusplus
}
#endif

#endif /* ROC_SENDER_ENCODER_H_ */
