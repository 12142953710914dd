/*
 * SAP directory (see sap_directory.h).
 *
 * Everything but create, destroy and the snapshots runs on the network
 * thread: the socket's callback, the expiry on the context's housekeeping
 * tick, and what is applied to the receiver (receiver_announced.c), which
 * is safe there because the network thread alone reads the receiver's
 * payload type registry. A datagram is parsed into one scratch session
 * inside the directory (an SDP session is about 2 KiB: not for the stack of
 * a callback), then copied into its table entry.
 *
 * Payload types are shared: two sessions announcing PT 127 as the same
 * encoding both use it, and it is removed from the receiver when the last
 * of them ends (pt_refs), and only if the directory added it (pt_added:
 * the built-ins and the configured encodings stay).
 */
#include "pipeline/sap_directory.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <rill/status.h>
#include <stdatomic.h>
#include <string.h>

#include "core/clock.h"
#include "net/addr.h"
#include "core/list.h"
#include "core/log.h"
#include "core/mem.h"
#include "net/udp_port.h"
#include "pipeline/receiver.h"
#include "sdp/sap.h"

#define DIRECTORY_SOCKET_BYTES ((size_t)256 << 10)
#define DIRECTORY_LOG_INTERVAL_NS (5 * INT64_C(1000000000))
#define PT_COUNT 128

struct sap_entry {
  bool used;
  struct sdp_session sdp;
  uint8_t media;                     /* the medium applied */
  uint16_t hash;                     /* SAP message id hash of the last announcement */
  int64_t last_ns;
  struct sockaddr_storage host;      /* who announced it: its sessions end with it */
  uint8_t applied_count;
  uint8_t applied[SDP_MAX_FORMATS];  /* payload types registered for it */
};

struct rill_directory {
  struct rill_context *ctx;      /* borrowed */
  struct rill_receiver *recv;    /* borrowed, NULL: none */
  struct sap_directory_params p;
  struct context_client client;  /* housekeeping tick: expiry */
  struct rill_udp_port port;     /* network thread */
  atomic_int handles_open;
  struct sap_entry *entries;     /* owned: p.max_sessions */
  size_t entries_bytes;
  uint16_t pt_refs[PT_COUNT];    /* sessions using each payload type */
  bool pt_added[PT_COUNT];       /* registered by the directory */
  struct sap_directory_stats st; /* network thread */
  struct sdp_session scratch;    /* the datagram being parsed */
  struct rill_ratelimit warn;
};

static void to_sockaddr(const char *addr, int family, uint16_t port, struct sockaddr_storage *out)
{
  memset(out, 0, sizeof(*out));
  if (family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    (void)inet_pton(AF_INET6, addr, &a->sin6_addr);
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)out;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    (void)inet_pton(AF_INET, addr, &a->sin_addr);
  }
}

static void apply(struct rill_directory *d, struct sap_entry *e, int64_t now_ns)
{
  const struct sdp_media *m = &e->sdp.media[e->media];
  uint8_t i;
  if (!d->recv)
    return;
  for (i = 0; i < m->format_count; i++) {
    struct rtp_encoding enc;
    bool added = false;
    if (sdp_format_to_rtp(&m->formats[i], &enc) != RILL_OK)
      continue;
    if (receiver_register_encoding(d->recv, &enc, &added) != RILL_OK) {
      d->st.conflicts++;
      continue;
    }
    d->pt_added[enc.payload_type] = d->pt_added[enc.payload_type] || added;
    d->pt_refs[enc.payload_type]++;
    e->applied[e->applied_count++] = enc.payload_type;
  }
  if (d->p.bind_announced && e->applied_count > 0) {
    struct sockaddr_storage a;
    int status;
    to_sockaddr(m->address, m->family, m->port, &a);
    status = receiver_bind_announced(d->recv, (const struct sockaddr *)&a,
                                     d->p.multicast_iface[0] ? d->p.multicast_iface : NULL);
    if (status != RILL_OK) {
      uint32_t suppressed = 0;
      d->st.bind_failed++;
      if (ratelimit_allow(&d->warn, now_ns, &suppressed))
        RILL_LOG(RILL_LOG_WARN, "sap", "session '%s': cannot receive on %s port %u: %s",
                 e->sdp.name, m->address, (unsigned)m->port, rill_status_name(status));
    }
  }
}

/* Undo apply; with `end`, the receiver's sessions of those types from the
 * announcing host end too. */
static void unapply(struct rill_directory *d, struct sap_entry *e, bool end)
{
  uint8_t i;
  for (i = 0; i < e->applied_count; i++) {
    uint8_t pt = e->applied[i];
    if (d->pt_refs[pt] > 0 && --d->pt_refs[pt] == 0 && d->pt_added[pt]) {
      receiver_unregister_encoding(d->recv, pt);
      d->pt_added[pt] = false;
    }
    if (end)
      receiver_end_sessions(d->recv, pt, (const struct sockaddr *)&e->host);
  }
  e->applied_count = 0;
}

static void end_entry(struct rill_directory *d, struct sap_entry *e, const char *why)
{
  RILL_LOG(RILL_LOG_INFO, "sap", "session '%s' from %s ended (%s)", e->sdp.name,
           e->sdp.origin_address, why);
  unapply(d, e, true);
  e->used = false;
  d->st.sessions--;
}

static struct sap_entry *find(struct rill_directory *d, const struct sdp_session *s)
{
  uint32_t i;
  for (i = 0; i < d->p.max_sessions; i++)
    if (d->entries[i].used && sdp_same_origin(&d->entries[i].sdp, s))
      return &d->entries[i];
  return NULL;
}

static struct sap_entry *free_entry(struct rill_directory *d)
{
  uint32_t i;
  for (i = 0; i < d->p.max_sessions; i++)
    if (!d->entries[i].used)
      return &d->entries[i];
  return NULL;
}

/* The first audio medium with an encoding rill plays; -1 if none. */
static int playable_media(const struct sdp_session *s)
{
  uint8_t i, j;
  for (i = 0; i < s->media_count; i++)
    for (j = 0; j < s->media[i].format_count; j++) {
      struct rtp_encoding enc;
      if (sdp_format_to_rtp(&s->media[i].formats[j], &enc) == RILL_OK)
        return i;
    }
  return -1;
}

static void count_error(struct rill_directory *d, int status)
{
  if (status == RILL_EUNSUPPORTED)
    d->st.unsupported++;
  else
    d->st.malformed++;
}

static void on_announcement(struct rill_directory *d, const struct sap_message *m,
                            const struct sockaddr *src, int64_t now_ns)
{
  struct sap_entry *e;
  int media, status = sdp_parse(m->payload, m->payload_bytes, &d->scratch);
  if (status != RILL_OK) {
    count_error(d, status);
    return;
  }
  if (d->p.session_name[0] && strcmp(d->p.session_name, d->scratch.name) != 0) {
    d->st.filtered++;
    return;
  }
  media = playable_media(&d->scratch);
  if (media < 0) {
    d->st.unsupported++;
    return;
  }
  d->st.announcements++;
  e = find(d, &d->scratch);
  if (e) {
    e->last_ns = now_ns;
    if (e->hash == m->msg_id_hash)
      return; /* the same announcement again */
    unapply(d, e, false);
  } else {
    e = free_entry(d);
    if (!e) {
      d->st.dropped++;
      return;
    }
    e->used = true;
    d->st.sessions++;
  }
  e->sdp = d->scratch;
  RILL_LOG(RILL_LOG_INFO, "sap", "session '%s' from %s: %s port %u", e->sdp.name,
           e->sdp.origin_address, e->sdp.media[media].address,
           (unsigned)e->sdp.media[media].port);
  e->media = (uint8_t)media;
  e->hash = m->msg_id_hash;
  e->last_ns = now_ns;
  addr_store(&e->host, src);
  apply(d, e, now_ns);
}

static void handle(struct rill_directory *d, const uint8_t *data, size_t len,
                   const struct sockaddr *src, int64_t now_ns)
{
  struct sap_message m;
  int status = sap_parse(data, len, &m);
  if (status != RILL_OK) {
    count_error(d, status);
    return;
  }
  if (!m.deletion) {
    on_announcement(d, &m, src, now_ns);
    return;
  }
  /* A deletion names its session by the origin; the rest may be absent. */
  status = sdp_parse_origin(m.payload, m.payload_bytes, &d->scratch);
  if (status != RILL_OK) {
    count_error(d, status);
    return;
  }
  {
    struct sap_entry *e = find(d, &d->scratch);
    if (e) {
      end_entry(d, e, "deleted");
      d->st.deletions++;
    }
  }
}

static void on_datagram(void *user, struct rill_buffer *buf, const struct sockaddr *src,
                        int64_t now_ns)
{
  handle(user, buf->data, buf->len_bytes, src, now_ns);
  buffer_unref(buf);
}

static void expire(struct rill_directory *d, int64_t now_ns)
{
  uint32_t i;
  for (i = 0; i < d->p.max_sessions; i++) {
    struct sap_entry *e = &d->entries[i];
    if (e->used && now_ns - e->last_ns > d->p.timeout_ns) {
      end_entry(d, e, "no longer announced");
      d->st.timeouts++;
    }
  }
}

static void on_tick(struct context_client *c, int64_t now_ns)
{
  expire(RILL_CONTAINER_OF(c, struct rill_directory, client), now_ns);
}

static bool is_multicast(const struct sockaddr_storage *ss)
{
  if (ss->ss_family == AF_INET)
    return IN_MULTICAST(ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr));
  return ss->ss_family == AF_INET6 &&
         IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static void port_closed(struct rill_udp_port *port)
{
  struct rill_directory *d = RILL_CONTAINER_OF(port, struct rill_directory, port);
  atomic_fetch_sub(&d->handles_open, 1);
}

static int open_on_loop(void *arg)
{
  struct rill_directory *d = arg;
  int status = udp_port_open(&d->port, &d->ctx->loop.loop, (const struct sockaddr *)&d->p.addr,
                             d->p.reuse_address, d->ctx->buffers, &d->ctx->global,
                             DIRECTORY_SOCKET_BYTES);
  if (status != RILL_OK)
    return status;
  atomic_fetch_add(&d->handles_open, 1);
  if (is_multicast(&d->p.addr)) {
    char group[INET6_ADDRSTRLEN];
    const void *a = d->p.addr.ss_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)&d->p.addr)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)&d->p.addr)->sin6_addr;
    inet_ntop(d->p.addr.ss_family, a, group, sizeof(group));
    status = udp_port_join(&d->port, group, d->p.multicast_iface[0] ? d->p.multicast_iface : NULL);
  }
  if (status == RILL_OK)
    status = udp_port_start(&d->port, on_datagram, d);
  if (status != RILL_OK) {
    udp_port_close(&d->port, port_closed);
    return status;
  }
  d->client.tick = on_tick;
  context_add_client(d->ctx, &d->client);
  return RILL_OK;
}

static int close_on_loop(void *arg)
{
  struct rill_directory *d = arg;
  uint32_t i;
  for (i = 0; i < d->p.max_sessions; i++)
    if (d->entries[i].used)
      end_entry(d, &d->entries[i], "directory closed");
  context_remove_client(&d->client);
  udp_port_close(&d->port, port_closed);
  return RILL_OK;
}

static int noop(void *arg)
{
  (void)arg;
  return RILL_OK;
}

static void wait_handles(struct rill_directory *d)
{
  while (atomic_load(&d->handles_open) > 0)
    evloop_call(&d->ctx->loop, noop, NULL);
}

static void free_directory(struct rill_directory *d)
{
  struct rill_context *ctx = d->ctx;
  mem_free(ctx->arena, &ctx->global, d->entries, d->entries_bytes);
  mem_free(ctx->arena, &ctx->global, d, sizeof(*d));
}

int sap_directory_create(struct rill_context *ctx, const struct sap_directory_params *params,
                         struct rill_receiver *recv, struct rill_directory **out)
{
  struct rill_directory *d;
  int status;
  *out = NULL;
  if (params->max_sessions == 0 || params->max_sessions > SAP_DIRECTORY_MAX_SESSIONS ||
      params->timeout_ns <= 0 || (recv && receiver_context(recv) != ctx))
    return RILL_EINVAL;
  status = mem_alloc(ctx->arena, &ctx->global, sizeof(*d), (void **)&d);
  if (status != RILL_OK)
    return status;
  d->ctx = ctx;
  d->recv = recv;
  d->p = *params;
  d->entries_bytes = (size_t)params->max_sessions * sizeof(*d->entries);
  ratelimit_init(&d->warn, DIRECTORY_LOG_INTERVAL_NS, 1);
  status = mem_alloc(ctx->arena, &ctx->global, d->entries_bytes, (void **)&d->entries);
  if (status != RILL_OK) {
    mem_free(ctx->arena, &ctx->global, d, sizeof(*d));
    return status;
  }
  status = evloop_call(&ctx->loop, open_on_loop, d);
  if (status != RILL_OK) {
    wait_handles(d);
    free_directory(d);
    return status;
  }
  atomic_fetch_add(&ctx->open_objects, 1);
  *out = d;
  return RILL_OK;
}

static int port_on_loop(void *arg)
{
  struct rill_directory *d = arg;
  struct sockaddr_storage local;
  if (udp_port_local_addr(&d->port, &local) != RILL_OK)
    return 0;
  return ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&local)->sin6_port
                                           : ((struct sockaddr_in *)&local)->sin_port);
}

uint16_t sap_directory_port(struct rill_directory *d)
{
  return (uint16_t)evloop_call(&d->ctx->loop, port_on_loop, d);
}

struct snapshot_req {
  struct rill_directory *d;
  struct sap_directory_stats *stats;
  sap_directory_visit_fn visit;
  void *user;
  int64_t now_ns;
};

static int snapshot_on_loop(void *arg)
{
  struct snapshot_req *q = arg;
  uint32_t i;
  if (q->stats)
    *q->stats = q->d->st;
  for (i = 0; q->visit && i < q->d->p.max_sessions; i++) {
    const struct sap_entry *e = &q->d->entries[i];
    if (e->used)
      q->visit(q->user, &e->sdp, e->media, q->now_ns - e->last_ns);
  }
  return RILL_OK;
}

void sap_directory_snapshot(struct rill_directory *d, struct sap_directory_stats *stats,
                            sap_directory_visit_fn visit, void *user)
{
  struct snapshot_req q = {d, stats, visit, user, clock_now_ns()};
  evloop_call(&d->ctx->loop, snapshot_on_loop, &q);
}

struct inject_req {
  struct rill_directory *d;
  const uint8_t *data;
  size_t len;
  int64_t now_ns;
};

static int inject_on_loop(void *arg)
{
  struct inject_req *q = arg;
  struct sockaddr_in lo;
  memset(&lo, 0, sizeof(lo));
  lo.sin_family = AF_INET;
  lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  handle(q->d, q->data, q->len, (const struct sockaddr *)&lo, q->now_ns);
  return RILL_OK;
}

void sap_directory_inject(struct rill_directory *d, const uint8_t *data, size_t len,
                          int64_t now_ns)
{
  struct inject_req q = {d, data, len, now_ns};
  evloop_call(&d->ctx->loop, inject_on_loop, &q);
}

struct expire_req {
  struct rill_directory *d;
  int64_t now_ns;
};

static int expire_on_loop(void *arg)
{
  struct expire_req *q = arg;
  expire(q->d, q->now_ns);
  return RILL_OK;
}

void sap_directory_expire(struct rill_directory *d, int64_t now_ns)
{
  struct expire_req q = {d, now_ns};
  evloop_call(&d->ctx->loop, expire_on_loop, &q);
}

void sap_directory_destroy(struct rill_directory *d)
{
  struct rill_context *ctx;
  if (!d)
    return;
  ctx = d->ctx;
  evloop_call(&ctx->loop, close_on_loop, d);
  wait_handles(d);
  free_directory(d);
  atomic_fetch_sub(&ctx->open_objects, 1);
}
