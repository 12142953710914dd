/*
 * Shared helpers of the public API layer (src/api): validation and
 * translation from public configs to pipeline parameters.
 */
#ifndef RILL_API_API_H
#define RILL_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <rill/encoding.h>
#include <rill/metrics.h>

#include "core/limiter.h"
#include "net/uri.h"
#include "rtp/payload.h"

struct rill_context_config;
struct rill_context_params;
struct rill_sender_config;
struct rill_sender_params;
struct rill_receiver_config;
struct rill_receiver_params;

/* Largest struct_size taken: more is no size but an uninitialised config. */
#define API_CONFIG_MAX_BYTES 4096

/* Bytes of `type` up to the end of `field`: a config layout's size. */
#define API_SIZE_THROUGH(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/*
 * The size of a caller's metrics struct `out` (its struct_size; 0 means
 * `base_size`, the 0.1 layout). RILL_OK, or RILL_EINVAL (logged, naming
 * `what`) when it is below sizeof(size_t) or above API_CONFIG_MAX_BYTES.
 */
int api_out_size(const void *out, size_t base_size, const char *what, size_t *size);

/*
 * Write the library's struct `full` (full_size bytes) into the caller's
 * `out` (out_size bytes, from api_out_size): the part both know, zeros in
 * fields only the caller knows, and struct_size = out_size.
 */
void api_out_write(void *out, size_t out_size, const void *full, size_t full_size);

/*
 * Copy a caller's config `src` (NULL: none), which begins with size_t
 * struct_size, into `dst` (dst_size bytes: the library's struct) by the
 * rules of "Config structs that can grow" (rill/context.h): bytes the
 * caller's struct does not cover are zero (the defaults); struct_size 0
 * means `base_size`, the rill 0.1 layout. `what` names the config in the
 * log. RILL_OK, RILL_EINVAL (struct_size below sizeof(size_t) or above
 * API_CONFIG_MAX_BYTES),
 * RILL_EUNSUPPORTED (a nonzero byte past dst_size).
 * Thread role: control.
 */
int api_config_copy(void *dst, size_t dst_size, const void *src, size_t base_size,
                    const char *what);

/*
 * Public configs to pipeline parameters: the copy above, the defaults,
 * validation (logged). RILL_OK, RILL_EINVAL, RILL_EUNSUPPORTED.
 * Thread role: control.
 */
int api_context_params(const struct rill_context_config *config, struct rill_context_params *out);
int api_sender_params(const struct rill_sender_config *config, struct rill_sender_params *out);
int api_receiver_params(const struct rill_receiver_config *config,
                        struct rill_receiver_params *out);

/* Parse an endpoint URI (every scheme of net/uri.h). */
int api_parse_endpoint(const char *uri, bool for_bind, struct rill_uri *out, char *err,
                       size_t err_cap);

/* Parse and resolve; logs the reason on error. RILL_OK, RILL_EINVAL, RILL_ERESOLVE. */
int api_resolve_endpoint(const char *uri, bool for_bind, struct sockaddr_storage *out);

/* api_resolve_endpoint that also gives the parsed URI (scheme). */
int api_resolve_endpoint_uri(const char *uri, bool for_bind, struct sockaddr_storage *out,
                             struct rill_uri *parsed);

/* enum fec_scheme of a URI scheme (0: no FEC). */
int api_uri_fec_scheme(const struct rill_uri *parsed);

/* The RTP layer's encoding as a public one; RILL_EUNSUPPORTED for a format
 * the public enum lacks. */
int api_encoding_from_rtp(const struct rtp_encoding *in, struct rill_encoding *out);

/* Public encoding to the RTP layer's; RILL_EINVAL for an unknown format. */
int api_encoding_to_rtp(const struct rill_encoding *in, struct rtp_encoding *out);

/*
 * Largest count of frames rill_receiver_read hands the pipeline in one call
 * (its counts are uint32_t; a read of more frames goes in chunks).
 */
#define API_READ_CHUNK_FRAMES (UINT32_MAX / 16)

struct rill_receiver;

/*
 * rill_receiver_read's loop with the chunk size as a parameter, so that a
 * test can prove the chunks are laid end to end with a small one.
 * Thread role: real-time.
 */
void api_receiver_read_chunked(struct rill_receiver *recv, float *samples, size_t frames,
                               uint32_t chunk_frames);

/* Limiter stats to public memory metrics. */
void api_memory_metrics(const struct rill_limiter_stats *in, struct rill_memory_metrics *out);

#endif /* RILL_API_API_H */
