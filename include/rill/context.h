/*
 * Context: owns the network thread, the packet pools and the memory budget
 * shared by every sender and receiver opened on it.
 */
#ifndef RILL_CONTEXT_H
#define RILL_CONTEXT_H

#include <rill/export.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rill_context;

struct rill_context_config {
  /* Memory budget for everything the context holds, in bytes. 0: the default,
   * 64 MiB. There is no unlimited setting. */
  size_t max_mem_bytes;
  /* Largest datagram received or sent, in bytes (64..65507). 0: 2048. */
  size_t max_packet_bytes;
};

/*
 * Open a context and start its network thread. `config` may be NULL for the
 * defaults. On success *out owns the context.
 * Returns RILL_OK, RILL_EINVAL (bad config), RILL_EBUDGET, RILL_ENOMEM,
 * RILL_ENETWORK.
 * Thread role: control.
 */
RILL_API int rill_context_open(const struct rill_context_config *config,
                               struct rill_context **out);

/*
 * Stop the network thread and free the context. Every sender and receiver
 * opened on it must be closed first (RILL_EBUSY otherwise, nothing freed).
 * Thread role: control.
 */
RILL_API int rill_context_close(struct rill_context *ctx);

#ifdef __cplusplus
}
#endif

#endif /* RILL_CONTEXT_H */
