/*
 * Receiver of the roc 0.4 API: receives streams from any number of
 * senders on the bound slots, and returns their mix. Each slot is a rill
 * receiver, with rill's bounded memory: a receiver nobody reads holds no
 * more than its budgets, and gives memory back after 1 s.
 *
 * Thread role: every function may be called from any thread; read is the
 * real-time call (it takes the receiver's lock, which bind, unlink and
 * query hold only briefly).
 */
#ifndef ROC_RECEIVER_H_
#define ROC_RECEIVER_H_

#include "roc/config.h"
#include "roc/context.h"
#include "roc/endpoint.h"
#include "roc/frame.h"
#include "roc/metrics.h"
#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct roc_receiver roc_receiver;

/* Open a receiver on `context` with `config` (copied). 0, or -1. */
ROC_API int roc_receiver_open(roc_context *context, const roc_receiver_config *config,
                              roc_receiver **result);

/*
 * Set `iface`'s options in `slot` before it binds (multicast_group,
 * reuse_address). 0, or -1 (bad arguments, or already bound).
 */
ROC_API int roc_receiver_configure(roc_receiver *receiver, roc_slot slot, roc_interface iface,
                                   const roc_interface_config *config);

/*
 * Receive `iface` of `slot` on `endpoint`: AUDIO_SOURCE on rtp://,
 * rtp+rs8m:// or rtp+ldpc://, AUDIO_REPAIR on rs8m:// or ldpc://. Port 0
 * binds a free port and writes it back to `endpoint`. 0, or -1 (bad
 * arguments, a protocol that does not fit the interface, an unsupported
 * protocol (rtsp://, rtcp://), address in use). A failure marks the slot
 * broken until roc_receiver_unlink.
 */
ROC_API int roc_receiver_bind(roc_receiver *receiver, roc_slot slot, roc_interface iface,
                              roc_endpoint *endpoint);

/*
 * Metrics of `slot`: the senders connected now, and up to
 * *conn_metrics_count of them in `conn_metrics` (*conn_metrics_count gets
 * how many were written). 0, or -1 (bad arguments, no such slot).
 */
ROC_API int roc_receiver_query(roc_receiver *receiver, roc_slot slot,
                               roc_receiver_metrics *slot_metrics,
                               roc_connection_metrics *conn_metrics,
                               size_t *conn_metrics_count);

/* Close `slot` and its ports. 0, or -1 (no such slot). */
ROC_API int roc_receiver_unlink(roc_receiver *receiver, roc_slot slot);

/*
 * Fill `frame` with the mix of every sender (silence where there is none).
 * Never blocks with ROC_CLOCK_SOURCE_EXTERNAL; with _INTERNAL, blocks until
 * the stream's clock reaches the frame. 0, or -1 (bad arguments, a size
 * that is not a whole number of frames).
 */
ROC_API int roc_receiver_read(roc_receiver *receiver, roc_frame *frame);

/* Close. 0, or -1 for NULL. */
ROC_API int roc_receiver_close(roc_receiver *receiver);

#ifdef __cplusplus
}
#endif

#endif /* ROC_RECEIVER_H_ */
