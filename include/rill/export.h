/*
 * Symbol visibility for rill's public API, and the attributes of its
 * functions. The library is built with hidden visibility; only functions
 * marked RILL_API are exported from librill.so (and stay global in
 * librill.a).
 */
#ifndef RILL_EXPORT_H
#define RILL_EXPORT_H

#if defined(RILL_BUILDING) && defined(__GNUC__)
#define RILL_API __attribute__((visibility("default")))
#else
#define RILL_API
#endif

/*
 * RILL_NODISCARD marks the functions whose status must be checked: ignoring
 * it is a compiler warning (an error with -Werror). GCC warns even through a
 * (void) cast; check the status instead.
 */
#if defined(__GNUC__) || defined(__clang__)
#define RILL_NODISCARD __attribute__((warn_unused_result))
#else
#define RILL_NODISCARD
#endif

#endif /* RILL_EXPORT_H */
