/*
 * Receiver decoder of the roc 0.4 API: a receiver without network. Packets
 * pushed in per interface come out as frames. Thread role: any thread;
 * push_packet and pop_frame may run on two threads at once.
 */
#ifndef ROC_RECEIVER_DECODER_H_
#define ROC_RECEIVER_DECODER_H_

#include "roc/config.h"
#include "roc/context.h"
#include "roc/frame.h"
#include "roc/metrics.h"
#include "roc/packet.h"
#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct roc_receiver_decoder roc_receiver_decoder;

/* Open a decoder on `context` with `config` (copied). 0, or -1. */
ROC_API int roc_receiver_decoder_open(roc_context *context, const roc_receiver_config *config,
                                      roc_receiver_decoder **result);

/*
 * Accept packets of `proto` on `iface` (as roc_sender_encoder_activate).
 * 0, or -1.
 */
ROC_API int roc_receiver_decoder_activate(roc_receiver_decoder *decoder, roc_interface iface,
                                          roc_protocol proto);

/*
 * Metrics: connection_count is 0 or 1, and the connection's metrics go to
 * *conn_metrics when it is 1. 0, or -1.
 */
ROC_API int roc_receiver_decoder_query(roc_receiver_decoder *decoder,
                                       roc_receiver_metrics *decoder_metrics,
                                       roc_connection_metrics *conn_metrics);

/*
 * Hand over one packet (copied) for `iface`. 0, or -1 (interface not
 * active, too large for the context's max_packet_size, out of memory, bad
 * arguments). A malformed packet is accepted and counted, as from the
 * network.
 */
ROC_API int roc_receiver_decoder_push_packet(roc_receiver_decoder *decoder, roc_interface iface,
                                             const roc_packet *packet);

/* Feedback for the encoder (control interface): a reception report when one
 * is due (every 200 ms per sender), else -1. */
ROC_API int roc_receiver_decoder_pop_feedback_packet(roc_receiver_decoder *decoder,
                                                     roc_interface iface, roc_packet *packet);

/*
 * Fill `frame` with decoded audio (silence where there is none). With
 * ROC_CLOCK_SOURCE_INTERNAL, blocks until the stream's clock reaches the
 * frame. 0, or -1.
 */
ROC_API int roc_receiver_decoder_pop_frame(roc_receiver_decoder *decoder, roc_frame *frame);

/* Close. 0, or -1 for NULL. */
ROC_API int roc_receiver_decoder_close(roc_receiver_decoder *decoder);

#ifdef __cplusplus
}
#endif

#endif /* ROC_RECEIVER_DECODER_H_ */
