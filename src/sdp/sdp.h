/*
 * SDP (RFC 4566) session descriptions of audio streams: strict, bounded
 * parse into a fixed-size struct, and compose. Pure: no allocation, no I/O.
 *
 * Bounds. A description longer than SDP_MAX_BYTES, with more than
 * SDP_MAX_LINES lines or a line longer than SDP_MAX_LINE_BYTES is refused
 * (RILL_EUNSUPPORTED), so parsing costs O(SDP_MAX_BYTES) whatever arrives.
 * At most SDP_MAX_MEDIA audio media with SDP_MAX_FORMATS payload types each
 * are kept; media that are not "audio ... RTP/AVP" are skipped (counted).
 *
 * Strictness (RFC 4566 5): lines "x=value" ended by LF or CRLF (the last may
 * lack it), in the order v, o, s first; a type letter rill does not know
 * makes the whole description invalid (5: "MUST completely ignore"); t= is
 * required before the first m=; every audio medium needs a connection
 * address (its own c= or the session's); an a=rtpmap must name a payload
 * type of its m= line, once; so must an a=fmtp (its parameters are
 * "name=value" separated by ";", of which only sprop-stereo is read); no
 * control characters but tab, no NUL. Attributes rill does not use are
 * skipped.
 *
 * What the sound servers write and read (measured: ../shared/peers and the
 * vectors in tests/sdp): PipeWire 0.3.65 and PulseAudio 16.1 write
 * LF-separated lines, ffmpeg CRLF; PulseAudio reads only LF-separated
 * lines with the encoding "L16" in capitals, and needs o=; both read c=,
 * m=audio PORT RTP/AVP PT and a=rtpmap. sdp_compose writes LF lines, with
 * every field both read. ffmpeg 5.1 writes Opus as "a=rtpmap:97
 * opus/48000/2" and, when stereo, "a=fmtp:97 sprop-stereo=1"; it decodes
 * opus/48000/2 as stereo with or without sprop-stereo.
 *
 * Thread role: any (pure).
 */
#ifndef RILL_SDP_SDP_H
#define RILL_SDP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp/payload.h"

#define SDP_MAX_BYTES 4096
#define SDP_MAX_LINES 64
#define SDP_MAX_LINE_BYTES 512
#define SDP_MAX_MEDIA 4
#define SDP_MAX_FORMATS 8
#define SDP_NAME_CAP 64      /* s=: up to 63 bytes */
#define SDP_ADDR_CAP 64      /* addresses (IPv6 literals, host names in o=) */
#define SDP_USER_CAP 32      /* o= user name */
#define SDP_ENC_NAME_CAP 16  /* "L16", "opus" */
#define SDP_MAX_PTIME_US 1000000u

struct sdp_format {
  uint8_t payload_type;  /* 0..127 */
  bool has_rtpmap;       /* an a=rtpmap, or a static type rill knows (10, 11) */
  char encoding[SDP_ENC_NAME_CAP]; /* as written ("L16"); "" without rtpmap */
  uint32_t rate_hz;
  uint16_t channels;     /* 1 when the rtpmap does not say */
  bool sprop_stereo;     /* RFC 7587 6.1: "a=fmtp:PT sprop-stereo=1", the Opus
                            sender likely sends stereo (absent: 0, "can be
                            safely downmixed to mono") */
};

struct sdp_media {
  uint16_t port;                 /* 1..65535 */
  char address[SDP_ADDR_CAP];    /* the medium's c= (TTL cut off), or the session's */
  int family;                    /* AF_INET or AF_INET6, of address */
  uint32_t ptime_us;             /* a=ptime; 0: not given */
  uint8_t format_count;
  struct sdp_format formats[SDP_MAX_FORMATS]; /* in m= order */
};

struct sdp_session {
  char origin_user[SDP_USER_CAP];
  uint64_t origin_id;
  uint64_t origin_version;
  char origin_address[SDP_ADDR_CAP];
  int origin_family;             /* AF_INET, AF_INET6 */
  char name[SDP_NAME_CAP];       /* s= */
  char address[SDP_ADDR_CAP];    /* session-level c= ("" if none) */
  int family;
  uint8_t media_count;           /* audio RTP/AVP media kept */
  uint8_t media_skipped;         /* other media, and port 0 (disabled) */
  struct sdp_media media[SDP_MAX_MEDIA];
};

/*
 * Parse `len` bytes of `text` (not NUL-terminated; a NUL inside is an
 * error) into `*out`. Returns RILL_OK; RILL_EINVAL (NULL); RILL_EMALFORMED
 * (not SDP as RFC 4566 writes it); RILL_EUNSUPPORTED (beyond the bounds
 * above: size, lines, a field too long for its buffer, more media or
 * formats than kept, or no audio RTP/AVP medium at all). *out is zeroed on
 * error.
 */
int sdp_parse(const char *text, size_t len, struct sdp_session *out);

/*
 * Only the origin (o=) of a description, which identifies its session
 * (RFC 4566 5.2): for SAP deletions, which may carry nothing else. `text`
 * must start with v=0. RILL_OK, RILL_EINVAL, RILL_EMALFORMED.
 */
int sdp_parse_origin(const char *text, size_t len, struct sdp_session *out);

/*
 * Write `s` (media with their formats, an a=fmtp sprop-stereo=1 after the
 * rtpmap of a format with sprop_stereo; the session's address, or each
 * medium's) as LF-separated lines into `out` (cap bytes, NUL-terminated);
 * *len gets the length without the NUL. `tool` (NULL: none) becomes
 * a=tool. A multicast IPv4 connection address gets "/1" (its TTL, which
 * RFC 4566 requires). Returns RILL_OK, RILL_EINVAL (NULL, a field with a
 * control character, no media, a medium without address or formats, a
 * format without rtpmap), RILL_ENOSPC (out is then "").
 */
int sdp_compose(const struct sdp_session *s, const char *tool, char *out, size_t cap,
                size_t *len);

/*
 * The encoding of `f` (L16 -> S16BE, L24 -> S24BE, opus/48000/2 -> OPUS
 * (RFC 7587: decoded as stereo), names compared without case, channels
 * 1..RTP_MAX_CHANNELS, rate > 0) into *out.
 * RILL_OK or RILL_EUNSUPPORTED (another encoding, no rtpmap).
 */
int sdp_format_to_rtp(const struct sdp_format *f, struct rtp_encoding *out);

/* The rtpmap of an encoding ("L16", "L24", "opus/48000/2"; a stereo Opus
 * stream also gets sprop_stereo): RILL_OK or RILL_EUNSUPPORTED (F32). */
int sdp_format_from_rtp(const struct rtp_encoding *enc, struct sdp_format *out);

/* The SDP text of two sessions identifies the same session: same o= user, id, address. */
bool sdp_same_origin(const struct sdp_session *a, const struct sdp_session *b);

#endif /* RILL_SDP_SDP_H */
