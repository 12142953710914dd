/*
 * Discovery: SDP session descriptions (RFC 4566), and SAP (RFC 2974)
 * announcements of them, as PipeWire's module-rtp-sink/-source, PulseAudio's
 * module-rtp-send/-recv, ffmpeg and VLC write and read them.
 *
 *   rill_sdp_parse / rill_sdp_write   an SDP text <-> a stream description
 *   rill_sender_describe              the description of a connected sender
 *   rill_announcer_*                  announce a description by SAP, every few
 *                                     seconds, and withdraw it on close
 *   rill_directory_*                  listen for SAP announcements; with a
 *                                     receiver, play the announced streams
 *                                     without configuring their encodings
 *
 * Bounded: an SDP is at most RILL_SDP_MAX_BYTES; a directory holds at most
 * max_sessions sessions, allocated at open, and counts what it cannot take.
 */
#ifndef RILL_DISCOVERY_H
#define RILL_DISCOVERY_H

#include <rill/context.h>
#include <rill/encoding.h>
#include <rill/export.h>
#include <rill/receiver.h>
#include <rill/sender.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 2974's global-scope SAP address. PipeWire 0.3.65 (module-rtp-sink/
 * -source sap.ip) and PulseAudio 16.1 (module-rtp-send/-recv sap_address)
 * use 224.0.0.56 by default instead: name that address to reach them. */
#define RILL_SAP_DEFAULT_URI "sap://224.2.127.254:9875"
#define RILL_SDP_MAX_BYTES 4096
#define RILL_SDP_NAME_MAX 64     /* session name, NUL included */
#define RILL_SDP_ADDRESS_MAX 64  /* address text, NUL included */
#define RILL_SDP_MAX_ENCODINGS 8

/*
 * One audio stream as an SDP describes it. Both an input (rill_sdp_write,
 * rill_announcer_open) and an output (rill_sdp_parse, rill_sender_describe,
 * rill_directory_sessions): set struct_size to sizeof first (0: this
 * layout), as for configs and metrics (rill/context.h, rill/metrics.h).
 */
struct rill_stream_description {
  size_t struct_size;
  char session_name[RILL_SDP_NAME_MAX];      /* s=; "" on input: "rill" */
  char origin_address[RILL_SDP_ADDRESS_MAX]; /* o=: the sending host; "" on input: the
                                                address this host sends to `address` from */
  char address[RILL_SDP_ADDRESS_MAX];        /* c=: where the stream goes (IP literal) */
  uint16_t port;                             /* m=: its RTP port */
  int64_t packet_length_ns;                  /* a=ptime; 0: not said */
  /* The payload types of the stream that rill plays (L16, L24, including
   * static 10 and 11, and Opus), in the order of the m= line; on input,
   * the first is written (F32 has no SDP name: RILL_EUNSUPPORTED). */
  uint32_t encoding_count;
  struct rill_encoding encodings[RILL_SDP_MAX_ENCODINGS];
};

/*
 * Parse an SDP (`len` bytes, not NUL-terminated; LF or CRLF lines) into
 * *out: its first audio RTP/AVP medium with an encoding rill plays.
 * Strict: RFC 4566's grammar and order, at most 64 lines of 512 bytes.
 * Returns RILL_OK, RILL_EINVAL (NULL, bad struct_size), RILL_EMALFORMED
 * (not SDP), RILL_EUNSUPPORTED (too large, or no medium rill can play).
 * Thread role: any.
 */
RILL_API RILL_NODISCARD int rill_sdp_parse(const char *text, size_t len,
                                           struct rill_stream_description *out);

/*
 * Write the SDP of `desc` into `buf` (cap bytes, NUL-terminated; *len gets
 * its length without the NUL): LF lines, as PulseAudio requires, with what
 * PipeWire and PulseAudio read (o=, c=, m=audio PORT RTP/AVP PT, a=rtpmap,
 * a=ptime); stereo Opus also gets "a=fmtp:PT sprop-stereo=1" (RFC 7587:
 * without it a receiver may downmix to mono). The o= session id is derived
 * from the description, so the same description always gives the same
 * text. Returns RILL_OK, RILL_EINVAL (NULL, no address, port 0, no encoding,
 * a name with a line break), RILL_EUNSUPPORTED (F32), RILL_ENOSPC. Thread
 * role: any.
 */
RILL_API RILL_NODISCARD int rill_sdp_write(const struct rill_stream_description *desc,
                                           char *buf, size_t cap, size_t *len);

/*
 * The description of `sender`'s stream: its encoding, packet length and
 * source endpoint (connect it first); session_name "rill" (change it
 * before writing or announcing). Returns RILL_OK, RILL_EINVAL (NULL, bad
 * struct_size), RILL_ESTATE (not connected). Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_sender_describe(struct rill_sender *sender,
                                                 struct rill_stream_description *out);

struct rill_announcer;

/* A config that can grow: see "Config structs that can grow" in rill/context.h. */
struct rill_announcer_config {
  size_t struct_size;
  const char *sap_uri;  /* "sap://ADDR:PORT"; NULL: RILL_SAP_DEFAULT_URI. Borrowed during open. */
  int64_t interval_ns;  /* between announcements; 0: 5 s (PulseAudio's; PipeWire drops a
                           session after 90 s without, PulseAudio after 20 s) */
};

/* Defaults and struct_size. Thread role: any. */
RILL_API void rill_announcer_config_init(struct rill_announcer_config *config);

/*
 * Announce `desc` (copied) by SAP: now, then every interval, from the
 * context's network thread, until rill_announcer_close sends the deletion.
 * Returns RILL_OK, RILL_EINVAL (bad URI or description: logged),
 * RILL_EUNSUPPORTED, RILL_ERESOLVE, RILL_ENETWORK, RILL_EBUDGET,
 * RILL_ENOMEM. Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_announcer_open(struct rill_context *ctx,
                                                const struct rill_announcer_config *config,
                                                const struct rill_stream_description *desc,
                                                struct rill_announcer **out);

/* Send the SAP deletion and free. RILL_OK, or RILL_EINVAL for NULL. Thread role: control. */
RILL_API int rill_announcer_close(struct rill_announcer *announcer);

struct rill_directory;

/* A config that can grow: see "Config structs that can grow" in rill/context.h. */
struct rill_directory_config {
  size_t struct_size;
  /* Where announcements arrive, "sap://ADDR:PORT" (a multicast group is
   * joined; 0.0.0.0 takes every address; port 0 picks one); NULL:
   * RILL_SAP_DEFAULT_URI. Borrowed during open. */
  const char *sap_uri;
  const char *multicast_iface;  /* NULL: the default. Borrowed during open. */
  /* Only sessions with this name (s=, exact); NULL: every session. Borrowed during open. */
  const char *session_name;
  uint32_t max_sessions;  /* announced sessions kept, 1..1024; 0: 16. More are counted. */
  int64_t timeout_ns;     /* not re-announced this long: ended; 0: 60 s */
  /* Nonzero: each announced stream's address and port is bound on the
   * receiver (as PipeWire and PulseAudio do; at most 4 ports per receiver,
   * bound until it closes). 0: the application binds what it wants. */
  int bind_announced;
  int reuse_address;      /* nonzero: SO_REUSEADDR on the SAP socket */
};

/* Defaults and struct_size. Thread role: any. */
RILL_API void rill_directory_config_init(struct rill_directory_config *config);

/*
 * Listen for SAP announcements. With `recv` (opened on `ctx`; borrowed: close
 * the directory first), each announced session's payload types are mapped on
 * it as they are announced (no encodings to configure), and when a session
 * is deleted or no longer announced, its types are unmapped and the
 * receiver's sessions of them from the announcing host end. A payload type
 * that the receiver already maps to another encoding is not played
 * (counted in `conflicts`). `recv` NULL: a directory to look at only.
 * Returns RILL_OK, RILL_EINVAL, RILL_ERESOLVE, RILL_EADDRINUSE,
 * RILL_ENETWORK, RILL_EBUDGET, RILL_ENOMEM. Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_directory_open(struct rill_context *ctx,
                                                const struct rill_directory_config *config,
                                                struct rill_receiver *recv,
                                                struct rill_directory **out);

/* The SAP port listened on (useful with port 0). Thread role: control. */
RILL_API uint16_t rill_directory_port(struct rill_directory *dir);

/*
 * The sessions known now, up to `cap` (out may be NULL); *count gets how
 * many were written. Set out[0].struct_size to sizeof(out[0]) first (the
 * stride of the array), or 0. Returns RILL_OK or RILL_EINVAL.
 * Thread role: control.
 */
RILL_API RILL_NODISCARD int rill_directory_sessions(struct rill_directory *dir,
                                                    struct rill_stream_description *out,
                                                    size_t cap, size_t *count);

struct rill_directory_metrics {
  size_t struct_size;      /* sizeof, set by the caller, or 0 */
  uint64_t announcements;  /* accepted announcements, repeats included */
  uint64_t deletions;      /* sessions ended by a SAP deletion */
  uint64_t timeouts;       /* sessions ended for want of re-announcement */
  uint64_t malformed;      /* SAP or SDP that does not parse */
  uint64_t unsupported;    /* encrypted, authenticated, too large, nothing playable */
  uint64_t filtered;       /* another session name than asked for */
  uint64_t dropped;        /* new sessions while max_sessions were known */
  uint64_t conflicts;      /* payload types mapped to another encoding already */
  uint64_t bind_failed;    /* announced addresses that could not be bound */
  uint32_t sessions;       /* known now */
};

/* Counters. Returns RILL_OK or RILL_EINVAL. Thread role: control. */
RILL_API RILL_NODISCARD int rill_directory_metrics(struct rill_directory *dir,
                                                   struct rill_directory_metrics *out);

/* Unmap what it mapped on the receiver, stop listening, free. RILL_OK or
 * RILL_EINVAL (NULL). Thread role: control. */
RILL_API int rill_directory_close(struct rill_directory *dir);

#ifdef __cplusplus
}
#endif

#endif /* RILL_DISCOVERY_H */
