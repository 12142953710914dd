/* Audio frame of the roc 0.4 API. */
#ifndef ROC_FRAME_H_
#define ROC_FRAME_H_

#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A buffer of interleaved samples in the frame encoding of the sender or
 * receiver. samples_size is in bytes: a whole number of frames.
 */
typedef struct roc_frame {
  void *samples;       /* borrowed */
  size_t samples_size; /* bytes */
} roc_frame;

#ifdef __cplusplus
}
#endif

#endif /* ROC_FRAME_H_ */
