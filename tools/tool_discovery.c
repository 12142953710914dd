/*
 * SAP and SDP in the tools: see tool_discovery.h.
 */
#include "tool_discovery.h"

#include <stdio.h>
#include <string.h>

#include "tool_common.h"

const char *tool_sap_uri(const char *arg, char *buf, size_t cap)
{
  snprintf(buf, cap, "%s%s", strncmp(arg, "sap://", 6) == 0 ? "" : "sap://", arg);
  return buf;
}

int tool_sdp_read(const char *path, struct rill_stream_description *out, char *err,
                  size_t err_cap)
{
  char text[RILL_SDP_MAX_BYTES + 1];
  size_t n;
  int status;
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_cap, "cannot open %s", path);
    return -1;
  }
  n = fread(text, 1, sizeof(text), f);
  fclose(f);
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  status = n > RILL_SDP_MAX_BYTES ? RILL_EUNSUPPORTED : rill_sdp_parse(text, n, out);
  if (status != RILL_OK) {
    snprintf(err, err_cap, "%s: %s", path,
             status == RILL_EUNSUPPORTED
                 ? "no audio stream rill can play (L16, L24), or larger than 4 KiB"
                 : "not an SDP file (RFC 4566)");
    return -1;
  }
  return 0;
}

int tool_sdp_write(const char *path, const struct rill_stream_description *d, char *err,
                   size_t err_cap)
{
  char text[RILL_SDP_MAX_BYTES + 1];
  size_t n = 0;
  FILE *f;
  int status = rill_sdp_write(d, text, sizeof(text), &n);
  if (status != RILL_OK) {
    snprintf(err, err_cap, "cannot describe the stream: %s",
             status == RILL_EUNSUPPORTED ? "f32 has no SDP name (use s16 or s24)"
                                         : rill_status_message(status));
    return -1;
  }
  f = fopen(path, "wb");
  if (!f || fwrite(text, 1, n, f) != n || fclose(f) != 0) {
    snprintf(err, err_cap, "cannot write %s", path);
    return -1;
  }
  return 0;
}

void tool_sdp_apply(const struct rill_stream_description *d, struct rill_receiver_config *cfg,
                    struct rill_encoding *space, size_t space_cap, char *uri, size_t cap)
{
  size_t n = 0, i, j;
  for (i = 0; i < cfg->encoding_count && n < space_cap; i++)
    space[n++] = cfg->encodings[i];
  for (i = 0; i < d->encoding_count && n < space_cap; i++) {
    int taken = d->encodings[i].payload_type < 96; /* built-in: 10, 11 */
    for (j = 0; j < cfg->encoding_count; j++)
      taken = taken || cfg->encodings[j].payload_type == d->encodings[i].payload_type;
    if (!taken)
      space[n++] = d->encodings[i];
  }
  cfg->encodings = space;
  cfg->encoding_count = n;
  snprintf(uri, cap, strchr(d->address, ':') ? "rtp://[%s]:%u" : "rtp://%s:%u", d->address,
           (unsigned)d->port);
}

struct rill_directory *tool_directory_open(struct rill_context *ctx, struct rill_receiver *recv,
                                           const char *sap_arg, const char *session, int bind,
                                           int reuseaddr)
{
  struct rill_directory_config dc;
  struct rill_directory *dir = NULL;
  char uri[300];
  int status;
  rill_directory_config_init(&dc);
  dc.sap_uri = tool_sap_uri(sap_arg, uri, sizeof(uri));
  dc.session_name = session;
  dc.bind_announced = bind;
  dc.reuse_address = reuseaddr;
  status = rill_directory_open(ctx, &dc, recv, &dir);
  if (status != RILL_OK) {
    fprintf(stderr, "rill-recv: cannot listen for SAP on %s: %s\n", uri,
            tool_last_error()[0] ? tool_last_error() : rill_status_message(status));
    return NULL;
  }
  return dir;
}

int tool_sender_announce(struct rill_context *ctx, struct rill_sender *sender, const char *name,
                         const char *sdp_out, const char *announce,
                         struct rill_announcer **out)
{
  struct rill_stream_description d;
  struct rill_announcer_config ac;
  char err[300], uri[300];
  int status;
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  status = rill_sender_describe(sender, &d);
  if (status == RILL_OK && name)
    snprintf(d.session_name, sizeof(d.session_name), "%s", name);
  if (status != RILL_OK) {
    fprintf(stderr, "rill-send: cannot describe the stream: %s\n", rill_status_message(status));
    return -1;
  }
  if (sdp_out && tool_sdp_write(sdp_out, &d, err, sizeof(err)) != 0) {
    fprintf(stderr, "rill-send: --sdp-out: %s\n", err);
    return -1;
  }
  if (!announce)
    return 0;
  rill_announcer_config_init(&ac);
  ac.sap_uri = tool_sap_uri(announce, uri, sizeof(uri));
  status = rill_announcer_open(ctx, &ac, &d, out);
  if (status != RILL_OK) {
    fprintf(stderr, "rill-send: --announce %s: %s\n", uri,
            status == RILL_EUNSUPPORTED ? "f32 has no SDP name (use s16 or s24)"
            : tool_last_error()[0]      ? tool_last_error()
                                        : rill_status_message(status));
    return -1;
  }
  return 0;
}
