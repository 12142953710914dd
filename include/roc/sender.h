/*
 * Sender of the roc 0.4 API: encodes the frames written to it into packets
 * and sends them to every connected slot. Each slot is a rill sender.
 *
 * Thread role: every function may be called from any thread; write is the
 * real-time call (it takes the sender's lock, which connect, unlink and
 * query hold only briefly).
 */
#ifndef ROC_SENDER_H_
#define ROC_SENDER_H_

#include "roc/config.h"
#include "roc/context.h"
#include "roc/endpoint.h"
#include "roc/frame.h"
#include "roc/metrics.h"
#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct roc_sender roc_sender;

/* Open a sender on `context` with `config` (copied). 0, or -1. */
ROC_API int roc_sender_open(roc_context *context, const roc_sender_config *config,
                            roc_sender **result);

/*
 * Set `iface`'s options in `slot` before it connects. 0, or -1 (bad
 * arguments, or already connected).
 */
ROC_API int roc_sender_configure(roc_sender *sender, roc_slot slot, roc_interface iface,
                                 const roc_interface_config *config);

/*
 * Send `iface` of `slot` to `endpoint`: AUDIO_SOURCE to rtp:// (FEC
 * disabled) or rtp+rs8m:// / rtp+ldpc:// (FEC), AUDIO_REPAIR to rs8m:// /
 * ldpc://. 0, or -1 (bad arguments, a protocol that does not fit the
 * interface or the FEC encoding, an unsupported protocol (rtsp://, rtcp://),
 * resolution or socket failure). A failure marks the slot broken until
 * roc_sender_unlink.
 */
ROC_API int roc_sender_connect(roc_sender *sender, roc_slot slot, roc_interface iface,
                               const roc_endpoint *endpoint);

/*
 * Metrics of `slot`: connection_count is 0 without RTCP, and so is
 * *conn_metrics_count. 0, or -1 (bad arguments, no such slot).
 */
ROC_API int roc_sender_query(roc_sender *sender, roc_slot slot,
                             roc_sender_metrics *slot_metrics,
                             roc_connection_metrics *conn_metrics,
                             size_t *conn_metrics_count);

/* Close `slot` and its sockets. 0, or -1 (no such slot). */
ROC_API int roc_sender_unlink(roc_sender *sender, roc_slot slot);

/*
 * Encode `frame` and send it to every slot. With ROC_CLOCK_SOURCE_INTERNAL,
 * blocks until the stream's clock reaches the frame. 0, or -1 (bad
 * arguments, a size that is not a whole number of frames).
 */
ROC_API int roc_sender_write(roc_sender *sender, const roc_frame *frame);

/* Send what is pending and close. 0, or -1 for NULL. */
ROC_API int roc_sender_close(roc_sender *sender);

#ifdef __cplusplus
}
#endif

#endif /* ROC_SENDER_H_ */
