/* Network packet of the roc 0.4 API (encoder/decoder). */
#ifndef ROC_PACKET_H_
#define ROC_PACKET_H_

#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A datagram's bytes. For pop functions, bytes_size is the buffer's size on
 * entry and the packet's on return.
 */
typedef struct roc_packet {
  void *bytes;       /* borrowed */
  size_t bytes_size; /* bytes */
} roc_packet;

#ifdef __cplusplus
}
#endif

#endif /* ROC_PACKET_H_ */
