/*
 * Endpoint URIs: "rtp://HOST:PORT"; with FEC (roc-toolkit compatible), the
 * source endpoints "rtp+rs8m://" and "rtp+ldpc://" and the repair
 * endpoints "rs8m://" and "ldpc://"; the control endpoint "rtcp://" (RTCP,
 * roc-toolkit compatible).
 */
#ifndef RILL_ENDPOINT_H
#define RILL_ENDPOINT_H

#include <rill/export.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Check `uri` as an endpoint for sending (`for_bind` 0) or receiving
 * (`for_bind` 1: port 0 allowed). Returns RILL_OK, or RILL_EINVAL with a
 * one-line message saying what is wrong in `err` (err_cap bytes, always
 * terminated).
 * Thread role: any.
 */
RILL_API RILL_NODISCARD int rill_endpoint_check(const char *uri, int for_bind, char *err,
                                                size_t err_cap);

#ifdef __cplusplus
}
#endif

#endif /* RILL_ENDPOINT_H */
