/*
 * roc-toolkit 0.4 compatible C API, implemented by rill (librill-roc.so,
 * soname libroc.so.0.4). Platform definitions shared by every roc header.
 *
 * These headers declare the interface of roc-toolkit 0.4: names, enum
 * values and struct layouts match roc's, so that programs built against
 * either set of headers run against either library. The text is rill's;
 * where rill behaves differently from roc, the comment says so.
 */
#ifndef ROC_PLATFORM_H_
#define ROC_PLATFORM_H_

#include <stddef.h>

#if defined(__GNUC__)
#define ROC_API __attribute__((visibility("default")))
#else
#define ROC_API
#endif

#endif /* ROC_PLATFORM_H_ */
