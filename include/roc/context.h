/*
 * Context of the roc 0.4 API: a rill context (network thread, packet pools,
 * memory budget) shared by the senders and receivers opened on it.
 *
 * Memory budget. Everything a context holds is charged to one finite
 * budget: 64 MiB by default, or the size in the environment variable
 * RILL_ROC_MAX_MEM (bytes, with an optional K, M or G suffix), read at
 * roc_context_open. A receiver nobody reads stays within it.
 */
#ifndef ROC_CONTEXT_H_
#define ROC_CONTEXT_H_

#include "roc/config.h"
#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct roc_context roc_context;

/*
 * Open a context with `config` (copied). Returns 0, or -1 for NULL
 * arguments, a bad config (max_packet_size outside 64..65507, a bad
 * RILL_ROC_MAX_MEM) or a failure to start. On success *result is owned by
 * the caller. Thread role: control.
 */
ROC_API int roc_context_open(const roc_context_config *config, roc_context **result);

/*
 * Register packet encoding `encoding_id` (its RTP payload type: rill takes
 * the dynamic range 96..127) carrying `encoding` (copied): samples travel
 * as 32-bit big-endian floats. Senders and receivers opened afterwards on
 * this context know it. Returns 0, or -1 for bad arguments or an id already
 * registered. Thread role: control.
 */
ROC_API int roc_context_register_encoding(roc_context *context, int encoding_id,
                                          const roc_media_encoding *encoding);

/*
 * Close the context. Returns 0, or -1 for NULL or while senders, receivers,
 * encoders or decoders are still open on it (nothing is freed then).
 * Thread role: control.
 */
ROC_API int roc_context_close(roc_context *context);

#ifdef __cplusplus
}
#endif

#endif /* ROC_CONTEXT_H_ */
