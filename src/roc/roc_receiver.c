/*
 * roc 0.4 API: receiver. Each bound slot is a rill receiver (so unlinking a
 * slot closes its ports and sessions for good); a read mixes the slots: the
 * first reads straight into the caller's frame, each further one into a
 * scratch buffer of max_frame_size bytes (allocated at open) that is added
 * in. With one slot, the usual case, a read is rill_receiver_read under
 * the receiver's lock. bind, unlink and query take that lock only to look
 * a slot up or to swap it in or out, never across a network operation, and
 * a control mutex serializes them.
 *
 * Interfaces: AUDIO_SOURCE, AUDIO_REPAIR and AUDIO_CONTROL (rtcp://) map to
 * rill's endpoints; CONSOLIDATED (rtsp://) is refused (see roc__unsupported).
 */
#include <stdlib.h>
#include <string.h>

#include <roc/receiver.h>

#include "roc/roc_internal.h"

/* Session metrics taken per query (rill's default max_sessions is 8). */
#define QUERY_SESSIONS_MAX 16

struct receiver_slot {
  struct roc_slot_head head;       /* first */
  struct rill_receiver *rill;      /* owned; NULL until the first bind */
  bool bound[ROC_SLOT_IFACES];     /* source, repair, control */
  roc_interface_config iface_cfg[ROC_SLOT_IFACES];
};

struct roc_receiver {
  struct roc_context *ctx;         /* borrowed */
  struct rill_receiver_config rcfg;
  struct rill_encoding encodings[ROC_MAX_REGISTERED];
  uint32_t channels;
  struct roc_pacer pacer;          /* reader */
  float *scratch;                  /* owned: scratch_frames * channels */
  size_t scratch_frames;
  pthread_mutex_t ctl;             /* serializes configure, bind, unlink */
  pthread_mutex_t lock;            /* guards slots against the reader */
  struct receiver_slot slots[ROC_MAX_SLOTS];
};

ROC_API int roc_receiver_open(roc_context *ctx, const roc_receiver_config *config,
                              roc_receiver **result)
{
  struct roc_receiver *r;
  if (!ctx || !config || !result) {
    ROC_LOG_ERR("roc_receiver_open: NULL argument");
    return -1;
  }
  *result = NULL;
  r = calloc(1, sizeof(*r));
  if (!r)
    return -1;
  if (roc__receiver_config(ctx, config, &r->rcfg, r->encodings) != 0)
    goto fail;
  r->ctx = ctx;
  r->channels = r->rcfg.channels;
  r->scratch_frames = ctx->max_frame_bytes / (r->channels * sizeof(float));
  if (r->scratch_frames == 0) {
    ROC_LOG_ERR("roc_receiver_open: max_frame_size %zu holds no frame", ctx->max_frame_bytes);
    goto fail;
  }
  r->scratch = calloc(r->scratch_frames * r->channels, sizeof(float));
  if (!r->scratch)
    goto fail;
  roc__pacer_init(&r->pacer, config->clock_source, config->frame_encoding.rate);
  pthread_mutex_init(&r->ctl, NULL);
  pthread_mutex_init(&r->lock, NULL);
  atomic_fetch_add(&ctx->objects, 1);
  *result = r;
  return 0;
fail:
  free(r);
  return -1;
}

ROC_API int roc_receiver_configure(roc_receiver *r, roc_slot slot, roc_interface iface,
                                   const roc_interface_config *config)
{
  struct receiver_slot *sl;
  int idx = roc__slot_iface(iface), rc = -1;
  if (!r || !config)
    return -1;
  if (idx < 0)
    return roc__unsupported(iface, (roc_protocol)0, "roc_receiver_configure");
  pthread_mutex_lock(&r->ctl);
  pthread_mutex_lock(&r->lock);
  sl = roc__slot_find(r->slots, ROC_MAX_SLOTS, sizeof(r->slots[0]), slot, true);
  if (sl && !sl->head.broken && !sl->bound[idx]) {
    sl->iface_cfg[idx] = *config;
    sl->iface_cfg[idx].multicast_group[sizeof(config->multicast_group) - 1] = '\0';
    rc = 0;
  }
  pthread_mutex_unlock(&r->lock);
  pthread_mutex_unlock(&r->ctl);
  return rc;
}

/* Bind under r->ctl; `sl` is the slot, not yet published as bound. */
static int bind_slot(struct roc_receiver *r, struct receiver_slot *sl, int idx, const char *uri,
                     uint16_t *port)
{
  struct rill_receiver_config cfg = r->rcfg;
  struct rill_receiver *rr = sl->rill;
  const char *group = sl->iface_cfg[idx].multicast_group;
  int status;
  if (!rr) {
    cfg.reuse_address = sl->iface_cfg[0].reuse_address || sl->iface_cfg[1].reuse_address ||
                        sl->iface_cfg[2].reuse_address;
    status = rill_receiver_open(r->ctx->rill, &cfg, &rr);
    if (status != RILL_OK) {
      ROC_LOG_ERR("roc_receiver_bind: cannot open a receiver: %s", rill_status_message(status));
      return -1;
    }
  }
  status = rill_receiver_bind(rr, uri, group[0] ? group : NULL, port);
  pthread_mutex_lock(&r->lock);
  sl->rill = rr;
  if (status == RILL_OK)
    sl->bound[idx] = true;
  pthread_mutex_unlock(&r->lock);
  if (status != RILL_OK)
    ROC_LOG_ERR("roc_receiver_bind: %s: %s", uri, rill_status_message(status));
  return status == RILL_OK ? 0 : -1;
}

ROC_API int roc_receiver_bind(roc_receiver *r, roc_slot slot, roc_interface iface,
                              roc_endpoint *endpoint)
{
  char uri[1400];
  roc_protocol proto;
  struct receiver_slot *sl;
  uint16_t port = 0;
  int idx = roc__slot_iface(iface), rc;

  if (!r || !endpoint) {
    ROC_LOG_ERR("roc_receiver_bind: NULL argument");
    return -1;
  }
  if (roc_endpoint_get_protocol(endpoint, &proto) != 0) {
    ROC_LOG_ERR("roc_receiver_bind: endpoint has no protocol");
    return -1;
  }
  if (idx < 0 || proto == ROC_PROTO_RTSP)
    return roc__unsupported(iface, proto, "roc_receiver_bind");
  if (!roc__proto_fits(iface, proto)) {
    ROC_LOG_ERR("roc_receiver_bind: protocol %s does not fit the interface",
                roc__proto_scheme(proto) ? roc__proto_scheme(proto) : "?");
    return -1;
  }
  if (roc__endpoint_uri(endpoint, uri, sizeof(uri), &proto) != 0)
    return -1;
  pthread_mutex_lock(&r->ctl);
  pthread_mutex_lock(&r->lock);
  sl = roc__slot_find(r->slots, ROC_MAX_SLOTS, sizeof(r->slots[0]), slot, true);
  rc = sl && !sl->head.broken && !sl->bound[idx] ? 0 : -1;
  pthread_mutex_unlock(&r->lock);
  if (rc != 0)
    ROC_LOG_ERR("roc_receiver_bind: slot broken, full, or interface already bound");
  else if ((rc = bind_slot(r, sl, idx, uri, &port)) == 0)
    roc__endpoint_set_bound_port(endpoint, port);
  else
    sl->head.broken = true; /* read by control calls only, under ctl */
  pthread_mutex_unlock(&r->ctl);
  return rc;
}

ROC_API int roc_receiver_query(roc_receiver *r, roc_slot slot,
                               roc_receiver_metrics *slot_metrics,
                               roc_connection_metrics *conn_metrics,
                               size_t *conn_metrics_count)
{
  struct rill_receiver_metrics m;
  struct rill_session_metrics sm[QUERY_SESSIONS_MAX];
  struct receiver_slot *sl;
  size_t i, count = 0, cap;
  int status = RILL_OK;

  if (!r || (conn_metrics && !conn_metrics_count))
    return -1;
  cap = conn_metrics ? *conn_metrics_count : 0;
  if (cap > QUERY_SESSIONS_MAX)
    cap = QUERY_SESSIONS_MAX;
  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  sm[0].struct_size = sizeof(sm[0]);
  pthread_mutex_lock(&r->ctl);
  sl = roc__slot_find(r->slots, ROC_MAX_SLOTS, sizeof(r->slots[0]), slot, false);
  if (sl && sl->rill)
    status = rill_receiver_metrics(sl->rill, &m, sm, cap, &count);
  pthread_mutex_unlock(&r->ctl);
  if (!sl || status != RILL_OK)
    return -1;
  if (slot_metrics)
    slot_metrics->connection_count = m.sessions;
  for (i = 0; i < count; i++)
    roc__conn_metrics(&sm[i], &conn_metrics[i]);
  if (conn_metrics_count)
    *conn_metrics_count = count;
  return 0;
}

ROC_API int roc_receiver_unlink(roc_receiver *r, roc_slot slot)
{
  struct receiver_slot *sl;
  struct rill_receiver *rr = NULL;
  if (!r)
    return -1;
  pthread_mutex_lock(&r->ctl);
  pthread_mutex_lock(&r->lock);
  sl = roc__slot_find(r->slots, ROC_MAX_SLOTS, sizeof(r->slots[0]), slot, false);
  if (sl) {
    rr = sl->rill;
    memset(sl, 0, sizeof(*sl));
  }
  pthread_mutex_unlock(&r->lock);
  if (rr)
    (void)rill_receiver_close(rr);
  pthread_mutex_unlock(&r->ctl);
  return sl ? 0 : -1;
}

/* Mix every slot into `out` (frames <= scratch_frames for the second on). */
static void read_slots(struct roc_receiver *r, float *out, size_t frames)
{
  size_t i, j, n = frames * r->channels;
  bool first = true;
  for (i = 0; i < ROC_MAX_SLOTS; i++) {
    struct rill_receiver *rr = r->slots[i].head.used ? r->slots[i].rill : NULL;
    if (!rr)
      continue;
    if (first) {
      (void)rill_receiver_read(rr, out, frames);
      first = false;
      continue;
    }
    (void)rill_receiver_read(rr, r->scratch, frames);
    for (j = 0; j < n; j++)
      out[j] += r->scratch[j];
  }
  if (first)
    memset(out, 0, n * sizeof(float));
}

ROC_API int roc_receiver_read(roc_receiver *r, roc_frame *frame)
{
  size_t frames, done = 0, frame_bytes;
  float *out;
  if (!r || !frame || (!frame->samples && frame->samples_size))
    return -1;
  frame_bytes = (size_t)r->channels * sizeof(float);
  if (frame->samples_size % frame_bytes != 0) {
    ROC_LOG_ERR("roc_receiver_read: %zu bytes is not a whole number of %zu-byte frames",
                frame->samples_size, frame_bytes);
    return -1;
  }
  frames = frame->samples_size / frame_bytes;
  out = frame->samples;
  while (done < frames) {
    size_t n = frames - done > r->scratch_frames ? r->scratch_frames : frames - done;
    roc__pacer_wait(&r->pacer, n);
    pthread_mutex_lock(&r->lock);
    read_slots(r, out + done * r->channels, n);
    pthread_mutex_unlock(&r->lock);
    done += n;
  }
  return 0;
}

ROC_API int roc_receiver_close(roc_receiver *r)
{
  size_t i;
  if (!r)
    return -1;
  for (i = 0; i < ROC_MAX_SLOTS; i++)
    if (r->slots[i].rill)
      (void)rill_receiver_close(r->slots[i].rill);
  pthread_mutex_destroy(&r->lock);
  pthread_mutex_destroy(&r->ctl);
  atomic_fetch_sub(&r->ctx->objects, 1);
  free(r->scratch);
  free(r);
  return 0;
}

struct rill_receiver *roc__receiver_slot_rill(struct roc_receiver *r, roc_slot slot)
{
  struct receiver_slot *sl;
  pthread_mutex_lock(&r->lock);
  sl = roc__slot_find(r->slots, ROC_MAX_SLOTS, sizeof(r->slots[0]), slot, false);
  pthread_mutex_unlock(&r->lock);
  return sl ? sl->rill : NULL;
}
