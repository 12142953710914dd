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

/*
 * Config structs that can grow
 *
 * rill_context_config, rill_sender_config and rill_receiver_config begin
 * with `struct_size`, and later versions only append fields. Fill a config
 * with its _config_init function, then set what differs:
 *
 *   struct rill_receiver_config cfg;
 *   rill_receiver_config_init(&cfg);
 *   cfg.target_latency_ns = 40000000;
 *
 * _config_init writes each field's default (the value after "0:" in its
 * comment; 0 where the default follows another field) and sets struct_size
 * to sizeof the struct this program was compiled with. The library reads a
 * config by its struct_size:
 *
 *   0          a config zeroed (`= {0}`, memset) and never passed through
 *              _config_init: read as the rill 0.1 layout, every field
 *              appended after 0.1 takes its default (even if set: such a
 *              field needs _config_init);
 *   < sizeof(size_t), or > 4096 (not a size: a config never initialised):
 *              RILL_EINVAL;
 *   up to the library's sizeof: the first struct_size bytes are read,
 *              fields past them take their defaults. A program built
 *              against an older, shorter struct keeps working, and what
 *              lies past its struct is never read;
 *   larger     a program built against newer headers than the library:
 *              accepted when every byte past the library's struct is zero
 *              (a field appended after 0.1 has 0 as its default, and
 *              _config_init leaves it 0), RILL_EUNSUPPORTED otherwise: the
 *              program set a field this library does not know of.
 *
 * In every field 0 means the default, so a zeroed config, like a NULL one,
 * opens with the defaults.
 *
 * No reserved fields: struct_size tells each version of the library how
 * much of the struct the caller has, so appending a field never changes
 * what an old binary passes. Padding such as libuv's `void *reserved[4]` is
 * for structs whose size the library cannot learn.
 */
struct rill_context_config {
  size_t struct_size; /* sizeof(struct rill_context_config), or 0: see above */
  /* Memory budget for everything the context holds, in bytes. 0: the default,
   * 64 MiB. There is no unlimited setting. */
  size_t max_mem_bytes;
  /* Largest datagram received or sent, in bytes (64..65507). 0: 2048. */
  size_t max_packet_bytes;
};

/*
 * Fill `config` with the defaults and struct_size (see "Config structs that
 * can grow"). Thread role: any.
 */
RILL_API void rill_context_config_init(struct rill_context_config *config);

/*
 * Open a context and start its network thread. `config` may be NULL for the
 * defaults. On success *out owns the context.
 * Returns RILL_OK, RILL_EINVAL (bad config), RILL_EUNSUPPORTED (config from
 * newer headers sets a field this library does not know), RILL_EBUDGET,
 * RILL_ENOMEM, RILL_ENETWORK.
 * Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_context_open(const struct rill_context_config *config,
                                              struct rill_context **out);

/*
 * Stop the network thread and free the context. Every sender and receiver
 * opened on it must be closed first (RILL_EBUSY otherwise, nothing freed:
 * hence the status must be checked). Returns RILL_OK, RILL_EINVAL (NULL),
 * RILL_EBUSY. Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_context_close(struct rill_context *ctx);

#ifdef __cplusplus
}
#endif

#endif /* RILL_CONTEXT_H */
