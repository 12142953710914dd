/*
 * Symbol visibility for rill's public API. The library is built with hidden
 * visibility; only functions marked RILL_API are exported from librill.so.
 */
#ifndef RILL_EXPORT_H
#define RILL_EXPORT_H

#if defined(RILL_BUILDING) && defined(__GNUC__)
#define RILL_API __attribute__((visibility("default")))
#else
#define RILL_API
#endif

#endif /* RILL_EXPORT_H */
