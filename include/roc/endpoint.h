/*
 * Endpoint of the roc 0.4 API: protocol://host[:port][/path][?query].
 *
 * Schemes: rtp, rtp+rs8m, rs8m, rtp+ldpc, ldpc, rtcp (no path or query,
 * port required) and rtsp (default port 554, path and query allowed). The
 * host is a name, an IPv4 address or an IPv6 address in brackets (get_host
 * returns it without them). A setter that fails marks its part invalid:
 * bind and connect refuse an endpoint with an invalid or missing part.
 *
 * Thread role: any, one thread at a time per endpoint.
 */
#ifndef ROC_ENDPOINT_H_
#define ROC_ENDPOINT_H_

#include "roc/config.h"
#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct roc_endpoint roc_endpoint;

/* A new, empty endpoint in *result (owned by the caller). 0, or -1. */
ROC_API int roc_endpoint_allocate(roc_endpoint **result);

/* Parse `uri` into every part. 0, or -1 (every part invalid then). */
ROC_API int roc_endpoint_set_uri(roc_endpoint *endpoint, const char *uri);

/* Set the scheme. 0, or -1 (unknown, or a resource this protocol forbids). */
ROC_API int roc_endpoint_set_protocol(roc_endpoint *endpoint, roc_protocol proto);

/* Set the host (name, IPv4, or IPv6 with or without brackets). 0, or -1. */
ROC_API int roc_endpoint_set_host(roc_endpoint *endpoint, const char *host);

/* Set the port, 0..65535 (0: any, when binding), or -1 to unset. 0, or -1. */
ROC_API int roc_endpoint_set_port(roc_endpoint *endpoint, int port);

/*
 * Set the percent-encoded "/path?query" (NULL or "": unset). 0, or -1 (not
 * absolute, bad characters, or a protocol without resources).
 */
ROC_API int roc_endpoint_set_resource(roc_endpoint *endpoint, const char *encoded_resource);

/*
 * Format the URI into `buf` (*bufsz bytes; buf may be NULL). *bufsz gets
 * the length it needs, terminating zero included, whatever the outcome.
 * 0, or -1 (NULL arguments, a missing or invalid part, buffer too small).
 */
ROC_API int roc_endpoint_get_uri(const roc_endpoint *endpoint, char *buf, size_t *bufsz);

/* The protocol. 0, or -1 when not set. */
ROC_API int roc_endpoint_get_protocol(const roc_endpoint *endpoint, roc_protocol *proto);

/* The host, as roc_endpoint_get_uri formats. 0, or -1. */
ROC_API int roc_endpoint_get_host(const roc_endpoint *endpoint, char *buf, size_t *bufsz);

/* The port (a protocol's default if unset and it has one). 0, or -1. */
ROC_API int roc_endpoint_get_port(const roc_endpoint *endpoint, int *port);

/* The resource, as roc_endpoint_get_uri formats. 0, or -1 when none. */
ROC_API int roc_endpoint_get_resource(const roc_endpoint *endpoint, char *buf, size_t *bufsz);

/* Free the endpoint. 0, or -1 for NULL. */
ROC_API int roc_endpoint_deallocate(roc_endpoint *endpoint);

#ifdef __cplusplus
}
#endif

#endif /* ROC_ENDPOINT_H_ */
