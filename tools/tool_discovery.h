/*
 * SAP and SDP in the tools (rill/discovery.h): SDP files in and out, the
 * SAP address as typed, and what rill-recv and rill-send add to their
 * receiver and sender. Public API only.
 */
#ifndef RILL_TOOLS_TOOL_DISCOVERY_H
#define RILL_TOOLS_TOOL_DISCOVERY_H

#include <rill/rill.h>
#include <stddef.h>

/* "ADDR:PORT" or "sap://ADDR:PORT" as a sap:// URI in buf. */
const char *tool_sap_uri(const char *arg, char *buf, size_t cap);

/* Read the SDP file `path` (at most RILL_SDP_MAX_BYTES). 0, or -1 with a message in err. */
int tool_sdp_read(const char *path, struct rill_stream_description *out, char *err,
                  size_t err_cap);

/* Write `d` as an SDP file at `path`. 0, or -1 with a message in err. */
int tool_sdp_write(const char *path, const struct rill_stream_description *d, char *err,
                   size_t err_cap);

/*
 * rill-recv --sdp: the SDP's encodings appended to cfg's (`space` holds
 * them: RILL_SDP_MAX_ENCODINGS + the configured ones; a payload type given
 * both ways keeps --encoding's), and the SDP's endpoint as an rtp:// URI in
 * uri (cap bytes) for binding when -s is not given.
 */
void tool_sdp_apply(const struct rill_stream_description *d, struct rill_receiver_config *cfg,
                    struct rill_encoding *space, size_t space_cap, char *uri, size_t cap);

/*
 * rill-recv --sap: a directory on `sap_arg` driving `recv`, filtered by
 * `session` (NULL: all), binding the announced streams when `bind`.
 * NULL after a line on stderr.
 */
struct rill_directory *tool_directory_open(struct rill_context *ctx, struct rill_receiver *recv,
                                           const char *sap_arg, const char *session, int bind,
                                           int reuseaddr);

/*
 * rill-send --announce / --sdp-out: describe the connected sender (named
 * `name`, NULL: "rill"); write the SDP file if `sdp_out`, announce it on
 * `announce` if not NULL (*out gets the announcer). 0, or -1 after a line
 * on stderr.
 */
int tool_sender_announce(struct rill_context *ctx, struct rill_sender *sender, const char *name,
                         const char *sdp_out, const char *announce,
                         struct rill_announcer **out);

#endif /* RILL_TOOLS_TOOL_DISCOVERY_H */
