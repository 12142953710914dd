/*
 * Public discovery API (rill/discovery.h): stream descriptions to and from
 * SDP (sdp/sdp.c), the SAP announcer and directory (pipeline/sap_*.c).
 */
#include <arpa/inet.h>
#include <rill/discovery.h>
#include <rill/status.h>
#include <rill/version.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/log.h"
#include "net/addr.h"
#include "pipeline/receiver.h"
#include "pipeline/sap_announcer.h"
#include "pipeline/sap_directory.h"
#include "pipeline/sender.h"
#include "sdp/sap.h"
#include "sdp/sdp.h"

#define DEFAULT_INTERVAL_NS (5 * NS_PER_S)
#define DEFAULT_DIRECTORY_SESSIONS 16
#define DEFAULT_DIRECTORY_TIMEOUT_NS (60 * NS_PER_S)
#define DEFAULT_SESSION_NAME "rill"
#define TOOL "rill " RILL_VERSION_STRING

/* ---- descriptions ---- */

static int desc_in(const struct rill_stream_description *in, struct rill_stream_description *c)
{
  return api_config_copy(c, sizeof(*c), in, sizeof(*c), "stream description");
}

/* Medium `mi` of `s` as a description (encodings rill plays only). */
static void desc_from_sdp(const struct sdp_session *s, uint8_t mi,
                          struct rill_stream_description *d)
{
  const struct sdp_media *m = &s->media[mi];
  uint8_t i;
  memset(d, 0, sizeof(*d));
  d->struct_size = sizeof(*d);
  snprintf(d->session_name, sizeof(d->session_name), "%s", s->name);
  snprintf(d->origin_address, sizeof(d->origin_address), "%s", s->origin_address);
  snprintf(d->address, sizeof(d->address), "%s", m->address);
  d->port = m->port;
  d->packet_length_ns = (int64_t)m->ptime_us * 1000;
  for (i = 0; i < m->format_count && d->encoding_count < RILL_SDP_MAX_ENCODINGS; i++) {
    struct rtp_encoding enc;
    if (sdp_format_to_rtp(&m->formats[i], &enc) == RILL_OK &&
        api_encoding_from_rtp(&enc, &d->encodings[d->encoding_count]) == RILL_OK)
      d->encoding_count++;
  }
}

static int desc_out(const struct rill_stream_description *full, struct rill_stream_description *out)
{
  size_t size;
  int status = api_out_size(out, sizeof(*out), "stream description", &size);
  if (status == RILL_OK)
    api_out_write(out, size, full, sizeof(*full));
  return status;
}

int rill_sdp_parse(const char *text, size_t len, struct rill_stream_description *out)
{
  struct sdp_session s;
  struct rill_stream_description d;
  size_t size;
  uint8_t i;
  int status;
  if (!text || !out || api_out_size(out, sizeof(*out), "stream description", &size) != RILL_OK)
    return RILL_EINVAL;
  status = sdp_parse(text, len, &s);
  if (status != RILL_OK)
    return status;
  for (i = 0; i < s.media_count; i++) {
    desc_from_sdp(&s, i, &d);
    if (d.encoding_count > 0)
      return desc_out(&d, out);
  }
  return RILL_EUNSUPPORTED;
}

/* FNV-1a of the fields that name a stream: a stable o= session id. */
static uint32_t session_id(const struct rill_stream_description *d)
{
  uint32_t h = 2166136261u;
  const char *parts[3] = {d->session_name, d->address, d->origin_address};
  size_t i;
  const char *p;
  for (i = 0; i < 3; i++)
    for (p = parts[i]; *p; p++)
      h = (h ^ (uint8_t)*p) * 16777619u;
  return (h ^ d->port) * 16777619u;
}

static int family_of(const char *addr)
{
  unsigned char bin[16];
  if (inet_pton(AF_INET, addr, bin) == 1)
    return AF_INET;
  if (inet_pton(AF_INET6, addr, bin) == 1)
    return AF_INET6;
  return 0;
}

/* The caller's description with its defaults filled in (name, origin), and its SDP. */
static int describe_sdp(const struct rill_stream_description *desc,
                        struct rill_stream_description *c, struct sdp_session *s)
{
  struct rtp_encoding enc;
  int status;
  if (!desc || (status = desc_in(desc, c)) != RILL_OK)
    return RILL_EINVAL;
  if (!memchr(c->session_name, 0, sizeof(c->session_name)) ||
      !memchr(c->origin_address, 0, sizeof(c->origin_address)) ||
      !memchr(c->address, 0, sizeof(c->address)) || c->port == 0 || c->encoding_count == 0 ||
      c->packet_length_ns < 0 || (s->family = family_of(c->address)) == 0) {
    RILL_LOG(RILL_LOG_ERROR, "api", "stream description: needs an IP address, a port and an "
                                    "encoding");
    return RILL_EINVAL;
  }
  if (c->session_name[0] == '\0')
    snprintf(c->session_name, sizeof(c->session_name), "%s", DEFAULT_SESSION_NAME);
  if (c->origin_address[0] == '\0') {
    struct sockaddr_storage dest, src;
    memset(&dest, 0, sizeof(dest));
    if (s->family == AF_INET6) {
      ((struct sockaddr_in6 *)&dest)->sin6_family = AF_INET6;
      ((struct sockaddr_in6 *)&dest)->sin6_port = htons(c->port);
      inet_pton(AF_INET6, c->address, &((struct sockaddr_in6 *)&dest)->sin6_addr);
    } else {
      ((struct sockaddr_in *)&dest)->sin_family = AF_INET;
      ((struct sockaddr_in *)&dest)->sin_port = htons(c->port);
      inet_pton(AF_INET, c->address, &((struct sockaddr_in *)&dest)->sin_addr);
    }
    if (addr_route_source((struct sockaddr *)&dest, &src) == RILL_OK)
      inet_ntop(src.ss_family,
                src.ss_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&src)->sin6_addr
                                          : (void *)&((struct sockaddr_in *)&src)->sin_addr,
                c->origin_address, sizeof(c->origin_address));
    else
      snprintf(c->origin_address, sizeof(c->origin_address), "%s",
               s->family == AF_INET6 ? "::" : "0.0.0.0");
  }
  s->origin_family = family_of(c->origin_address);
  if (s->origin_family == 0)
    return RILL_EINVAL;
  if (api_encoding_to_rtp(&c->encodings[0], &enc) != RILL_OK)
    return RILL_EINVAL;
  s->media_count = 1;
  s->media[0].format_count = 1;
  if (sdp_format_from_rtp(&enc, &s->media[0].formats[0]) != RILL_OK)
    return RILL_EUNSUPPORTED;
  snprintf(s->origin_user, sizeof(s->origin_user), "-");
  s->origin_id = session_id(c);
  s->origin_version = 1;
  snprintf(s->origin_address, sizeof(s->origin_address), "%s", c->origin_address);
  snprintf(s->name, sizeof(s->name), "%s", c->session_name);
  snprintf(s->address, sizeof(s->address), "%s", c->address);
  s->media[0].port = c->port;
  s->media[0].ptime_us = (uint32_t)(c->packet_length_ns / 1000 > SDP_MAX_PTIME_US
                                        ? SDP_MAX_PTIME_US
                                        : c->packet_length_ns / 1000);
  return RILL_OK;
}

int rill_sdp_write(const struct rill_stream_description *desc, char *buf, size_t cap,
                   size_t *len)
{
  struct rill_stream_description c;
  struct sdp_session s;
  int status;
  if (!buf || !len || cap == 0)
    return RILL_EINVAL;
  memset(&s, 0, sizeof(s));
  status = describe_sdp(desc, &c, &s);
  if (status != RILL_OK)
    return status;
  return sdp_compose(&s, TOOL, buf, cap, len);
}

int rill_sender_describe(struct rill_sender *sender, struct rill_stream_description *out)
{
  struct rill_stream_description d;
  struct rtp_encoding enc;
  struct sockaddr_storage dest;
  uint32_t frames;
  size_t size;
  if (!sender || !out || api_out_size(out, sizeof(*out), "stream description", &size) != RILL_OK)
    return RILL_EINVAL;
  if (!sender_describe(sender, &enc, &frames, &dest))
    return RILL_ESTATE;
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  snprintf(d.session_name, sizeof(d.session_name), "%s", DEFAULT_SESSION_NAME);
  inet_ntop(dest.ss_family,
            dest.ss_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&dest)->sin6_addr
                                       : (void *)&((struct sockaddr_in *)&dest)->sin_addr,
            d.address, sizeof(d.address));
  d.port = ntohs(dest.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&dest)->sin6_port
                                            : ((struct sockaddr_in *)&dest)->sin_port);
  d.packet_length_ns = (int64_t)frames * NS_PER_S / (int64_t)enc.rate_hz;
  d.encoding_count = 1;
  (void)api_encoding_from_rtp(&enc, &d.encodings[0]);
  return desc_out(&d, out);
}

/* ---- SAP ---- */

/* "sap://HOST:PORT" -> an address (resolved). */
static int sap_address(const char *uri, bool for_bind, struct sockaddr_storage *out)
{
  char rtp_uri[URI_FORMAT_MAX + 8];
  if (strncmp(uri, "sap://", 6) != 0 || strlen(uri) > URI_FORMAT_MAX) {
    RILL_LOG(RILL_LOG_ERROR, "api", "bad SAP address '%s': expected sap://HOST:PORT", uri);
    return RILL_EINVAL;
  }
  snprintf(rtp_uri, sizeof(rtp_uri), "rtp://%s", uri + 6);
  return api_resolve_endpoint(rtp_uri, for_bind, out);
}

void rill_announcer_config_init(struct rill_announcer_config *config)
{
  if (!config)
    return;
  memset(config, 0, sizeof(*config));
  config->struct_size = sizeof(*config);
  config->interval_ns = DEFAULT_INTERVAL_NS;
}

int rill_announcer_open(struct rill_context *ctx, const struct rill_announcer_config *config,
                        const struct rill_stream_description *desc, struct rill_announcer **out)
{
  struct rill_announcer_config c;
  struct rill_stream_description d;
  struct sap_announcer_params p;
  struct sdp_session s;
  uint8_t origin[16];
  char sdp[SDP_MAX_BYTES + 1];
  size_t len = 0;
  int status;
  if (!ctx || !out)
    return RILL_EINVAL;
  *out = NULL;
  status = api_config_copy(&c, sizeof(c), config, sizeof(c), "announcer");
  if (status != RILL_OK)
    return status;
  memset(&p, 0, sizeof(p));
  memset(&s, 0, sizeof(s));
  p.interval_ns = c.interval_ns > 0 ? c.interval_ns : DEFAULT_INTERVAL_NS;
  status = sap_address(c.sap_uri ? c.sap_uri : RILL_SAP_DEFAULT_URI, false, &p.dest);
  if (status != RILL_OK)
    return status;
  status = describe_sdp(desc, &d, &s);
  if (status == RILL_OK)
    status = sdp_compose(&s, TOOL, sdp, sizeof(sdp), &len);
  if (status != RILL_OK)
    return status;
  p.origin_ipv6 = s.origin_family == AF_INET6;
  memset(origin, 0, sizeof(origin));
  inet_pton(s.origin_family, s.origin_address, origin);
  p.origin = origin;
  return sap_announcer_create(ctx, &p, sdp, len, out);
}

int rill_announcer_close(struct rill_announcer *announcer)
{
  if (!announcer)
    return RILL_EINVAL;
  sap_announcer_destroy(announcer);
  return RILL_OK;
}

void rill_directory_config_init(struct rill_directory_config *config)
{
  if (!config)
    return;
  memset(config, 0, sizeof(*config));
  config->struct_size = sizeof(*config);
  config->max_sessions = DEFAULT_DIRECTORY_SESSIONS;
  config->timeout_ns = DEFAULT_DIRECTORY_TIMEOUT_NS;
}

int rill_directory_open(struct rill_context *ctx, const struct rill_directory_config *config,
                        struct rill_receiver *recv, struct rill_directory **out)
{
  struct rill_directory_config c;
  struct sap_directory_params p;
  int status;
  if (!ctx || !out)
    return RILL_EINVAL;
  *out = NULL;
  status = api_config_copy(&c, sizeof(c), config, sizeof(c), "directory");
  if (status != RILL_OK)
    return status;
  memset(&p, 0, sizeof(p));
  status = sap_address(c.sap_uri ? c.sap_uri : RILL_SAP_DEFAULT_URI, true, &p.addr);
  if (status != RILL_OK)
    return status;
  if ((c.session_name && strlen(c.session_name) >= sizeof(p.session_name)) ||
      (c.multicast_iface && strlen(c.multicast_iface) >= sizeof(p.multicast_iface)) ||
      c.max_sessions > SAP_DIRECTORY_MAX_SESSIONS || c.timeout_ns < 0 ||
      (recv && receiver_context(recv) != ctx)) {
    RILL_LOG(RILL_LOG_ERROR, "api", "directory: bad config (session name up to %zu bytes, "
                                    "max_sessions up to %d, the receiver on the same context)",
             sizeof(p.session_name) - 1, SAP_DIRECTORY_MAX_SESSIONS);
    return RILL_EINVAL;
  }
  if (c.session_name)
    snprintf(p.session_name, sizeof(p.session_name), "%s", c.session_name);
  if (c.multicast_iface)
    snprintf(p.multicast_iface, sizeof(p.multicast_iface), "%s", c.multicast_iface);
  p.max_sessions = c.max_sessions ? c.max_sessions : DEFAULT_DIRECTORY_SESSIONS;
  p.timeout_ns = c.timeout_ns ? c.timeout_ns : DEFAULT_DIRECTORY_TIMEOUT_NS;
  p.bind_announced = c.bind_announced != 0;
  p.reuse_address = c.reuse_address != 0;
  return sap_directory_create(ctx, &p, recv, out);
}

uint16_t rill_directory_port(struct rill_directory *dir)
{
  return dir ? sap_directory_port(dir) : 0;
}

struct sessions_out {
  uint8_t *out;  /* the caller's array */
  size_t stride, cap, count;
};

static void copy_session(void *user, const struct sdp_session *sdp, uint8_t media, int64_t age_ns)
{
  struct sessions_out *o = user;
  struct rill_stream_description d;
  (void)age_ns;
  if (o->count >= o->cap)
    return;
  desc_from_sdp(sdp, media, &d);
  api_out_write(o->out + o->count * o->stride, o->stride, &d, sizeof(d));
  o->count++;
}

int rill_directory_sessions(struct rill_directory *dir, struct rill_stream_description *out,
                            size_t cap, size_t *count)
{
  struct sessions_out o = {(uint8_t *)out, 0, out ? cap : 0, 0};
  if (!dir || !count)
    return RILL_EINVAL;
  if (o.cap && api_out_size(out, sizeof(*out), "stream description", &o.stride) != RILL_OK)
    return RILL_EINVAL;
  sap_directory_snapshot(dir, NULL, o.cap ? copy_session : NULL, &o);
  *count = o.count;
  return RILL_OK;
}

int rill_directory_metrics(struct rill_directory *dir, struct rill_directory_metrics *out)
{
  struct sap_directory_stats st;
  struct rill_directory_metrics full;
  size_t size;
  if (!dir || !out || api_out_size(out, sizeof(*out), "directory metrics", &size) != RILL_OK)
    return RILL_EINVAL;
  sap_directory_snapshot(dir, &st, NULL, NULL);
  memset(&full, 0, sizeof(full));
  full.struct_size = sizeof(full);
#define COPY_(name) full.name = st.name;
  SAP_DIRECTORY_COUNTER_MAP(COPY_)
#undef COPY_
  full.sessions = st.sessions;
  api_out_write(out, size, &full, sizeof(full));
  return RILL_OK;
}

int rill_directory_close(struct rill_directory *dir)
{
  if (!dir)
    return RILL_EINVAL;
  sap_directory_destroy(dir);
  return RILL_OK;
}
