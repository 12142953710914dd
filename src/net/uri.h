/*
 * Endpoint URIs, as roc-toolkit's tools write them: "rtp+rs8m://0.0.0.0:10001",
 * "rs8m://[::1]:10002", "rtcp://receiver.local:10003".
 *
 * A URI is scheme "://" host [":" port], and nothing else: no user info, no
 * path, no query, no fragment, no whitespace. The host is an IPv4 literal in
 * dotted-decimal form, an IPv6 literal in brackets, or a host name (letters,
 * digits, '-' and '.'). "0.0.0.0" and "[::]" mean "any address" when binding.
 *
 * The scheme says what the endpoint carries (its interface, in roc's terms)
 * and which FEC encoding it implies:
 *
 *   scheme      interface  FEC
 *   rtp         source     none
 *   rtp+rs8m    source     Reed-Solomon (m=8)
 *   rs8m        repair     Reed-Solomon (m=8)
 *   rtp+ldpc    source     LDPC-Staircase
 *   ldpc        repair     LDPC-Staircase
 *   rtcp        control    none
 *
 * Parsing is pure: no allocation, no I/O, no name resolution (a host name is
 * only checked for syntax). Thread role: every function may be called from
 * any role.
 */
#ifndef RILL_NET_URI_H
#define RILL_NET_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h> /* AF_INET, AF_INET6, AF_UNSPEC for family_hint */

/* Longest host accepted, in characters: the longest DNS name. */
#define URI_HOST_MAX_LEN 253

/*
 * A buffer of this many bytes always holds uri_format's output:
 * "rtp+rs8m://" + "[" host "]" + ":65535" + NUL, with room to spare.
 */
#define URI_FORMAT_MAX 288

/* uri_parse_flags flags. */
#define URI_ALLOW_PORT_ZERO 0x1u /* accept port 0 ("let the OS choose", binding only) */
#define URI_ALLOW_NO_PORT 0x2u   /* accept a URI without ":port" (port_given false) */

/* XX(NAME, "name", interface, fec); append-only, the names are roc's. */
#define URI_SCHEME_MAP(XX)                                                      \
  XX(RTP, "rtp", URI_IFACE_SOURCE, URI_FEC_NONE)                                \
  XX(RTP_RS8M, "rtp+rs8m", URI_IFACE_SOURCE, URI_FEC_RS8M)                      \
  XX(RS8M, "rs8m", URI_IFACE_REPAIR, URI_FEC_RS8M)                              \
  XX(RTP_LDPC, "rtp+ldpc", URI_IFACE_SOURCE, URI_FEC_LDPC)                      \
  XX(LDPC, "ldpc", URI_IFACE_REPAIR, URI_FEC_LDPC)                              \
  XX(RTCP, "rtcp", URI_IFACE_CONTROL, URI_FEC_NONE)

enum uri_scheme {
  URI_SCHEME_NONE = 0, /* unset; what a failed parse leaves */
#define URI_SCHEME_ENUM_(name, str, iface, fec) URI_SCHEME_##name,
  URI_SCHEME_MAP(URI_SCHEME_ENUM_)
#undef URI_SCHEME_ENUM_
};

/* What an endpoint carries. */
enum uri_interface {
  URI_IFACE_NONE = 0, /* URI_SCHEME_NONE or an unknown value */
  URI_IFACE_SOURCE,   /* media packets (RTP), possibly with FEC source payload ID */
  URI_IFACE_REPAIR,   /* FEC repair packets */
  URI_IFACE_CONTROL,  /* RTCP */
};

/* FEC encoding implied by a scheme. */
enum uri_fec {
  URI_FEC_NONE = 0,
  URI_FEC_RS8M, /* Reed-Solomon, m=8 */
  URI_FEC_LDPC, /* LDPC-Staircase */
};

struct rill_uri {
  enum uri_scheme scheme;
  /* NUL-terminated; an IPv6 literal is stored without its brackets. */
  char host[256];
  /* The port; 0 if !port_given, or if port 0 was given with URI_ALLOW_PORT_ZERO. */
  uint16_t port;
  bool port_given;
  /* AF_INET or AF_INET6 for a literal address, AF_UNSPEC for a host name. */
  int family_hint;
  /* The host is the any-address (0.0.0.0, or :: in any spelling). */
  bool host_is_any;
};

/*
 * Scheme name as written in a URI ("rtp+rs8m"); NULL for URI_SCHEME_NONE or a
 * value not in the table. The string is static.
 */
const char *uri_scheme_name(enum uri_scheme scheme);

/* Interface of a scheme (source, repair, control); URI_IFACE_NONE if unknown. */
enum uri_interface uri_scheme_interface(enum uri_scheme scheme);

/* FEC encoding a scheme implies; URI_FEC_NONE for rtp, rtcp and unknown values. */
enum uri_fec uri_scheme_fec(enum uri_scheme scheme);

/* "none", "rs8m" or "ldpc"; NULL for a value not in enum uri_fec. Static string. */
const char *uri_fec_name(enum uri_fec fec);

/*
 * Parse `text` into `*out` with the strict defaults: the port is required and
 * must be 1..65535. Same as uri_parse_flags(text, 0, out, err, err_cap).
 */
int uri_parse(const char *text, struct rill_uri *out, char *err, size_t err_cap);

/*
 * Parse `text` into `*out`. `flags` is 0 or URI_ALLOW_* flags ORed together
 * (any other bit is an error):
 * a caller that binds passes URI_ALLOW_PORT_ZERO, because port 0 asks the OS
 * to choose a port, which makes no sense for a destination.
 *
 * Returns RILL_OK (and sets err to "" if err_cap > 0) or RILL_EINVAL, with
 * `*out` zeroed (scheme URI_SCHEME_NONE) and a one-line message naming the
 * offending part in `err` (truncated to err_cap bytes, always NUL-terminated
 * when err_cap > 0). `err` may be NULL if err_cap is 0.
 */
int uri_parse_flags(const char *text, unsigned flags, struct rill_uri *out, char *err,
                    size_t err_cap);

/*
 * Write `uri` as text into `buf` (cap bytes): "scheme://host:port", with
 * brackets around an IPv6 host and no ":port" if !port_given. The output of
 * uri_parse for a URI written this way is the same URI.
 *
 * Returns RILL_OK; RILL_EINVAL for a NULL argument, cap 0, an unknown scheme
 * or an empty or unterminated host (buf is then ""); RILL_ENOSPC if the
 * text does not fit (buf then holds a truncated, NUL-terminated prefix).
 * A buffer of URI_FORMAT_MAX bytes always fits.
 */
int uri_format(const struct rill_uri *uri, char *buf, size_t cap);

#endif /* RILL_NET_URI_H */
