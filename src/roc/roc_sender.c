/*
 * roc 0.4 API: sender. Each connected slot is a rill sender opened with the
 * translated config; a write goes to every slot that has its source
 * interface connected (a frame written with no slot connected is dropped,
 * as roc does). The slot table changes under the sender's lock, which the
 * writer takes too; connect, unlink and query hold it only to look a slot
 * up or to swap it in or out, never across a network operation.
 *
 * Interfaces: AUDIO_SOURCE and AUDIO_REPAIR map to rill's source and
 * repair endpoints (the protocols must name the config's FEC encoding),
 * AUDIO_CONTROL (rtcp://) to its control endpoint: the receivers' reports
 * then fill roc_sender_query. CONSOLIDATED (rtsp://) is refused (see
 * roc__unsupported).
 */
#include <stdlib.h>
#include <string.h>

#include <roc/sender.h>

#include "roc/roc_internal.h"

/* Receivers reported per query (rill keeps 16 per sender). */
#define QUERY_RECEIVERS_MAX 16

struct sender_slot {
  struct roc_slot_head head;   /* first */
  struct rill_sender *rill;    /* owned; NULL until the first connect */
  bool connected[ROC_SLOT_IFACES]; /* source, repair, control */
};

struct roc_sender {
  struct roc_context *ctx;     /* borrowed */
  struct rill_sender_config rcfg;
  int fec;                     /* 0 none, 1 rs8m, 2 ldpc */
  uint32_t channels;
  struct roc_pacer pacer;      /* writer */
  pthread_mutex_t ctl;         /* serializes configure, connect, unlink */
  pthread_mutex_t lock;        /* guards slots against the writer */
  struct sender_slot slots[ROC_MAX_SLOTS];
};

ROC_API int roc_sender_open(roc_context *ctx, const roc_sender_config *config,
                            roc_sender **result)
{
  struct roc_sender *s;
  if (!ctx || !config || !result) {
    ROC_LOG_ERR("roc_sender_open: NULL argument");
    return -1;
  }
  *result = NULL;
  s = calloc(1, sizeof(*s));
  if (!s)
    return -1;
  if (roc__sender_config(ctx, config, &s->rcfg, &s->fec) != 0) {
    free(s);
    return -1;
  }
  s->ctx = ctx;
  s->channels = s->rcfg.input_channels;
  roc__pacer_init(&s->pacer, config->clock_source, config->frame_encoding.rate);
  pthread_mutex_init(&s->ctl, NULL);
  pthread_mutex_init(&s->lock, NULL);
  atomic_fetch_add(&ctx->objects, 1);
  *result = s;
  return 0;
}

ROC_API int roc_sender_configure(roc_sender *s, roc_slot slot, roc_interface iface,
                                 const roc_interface_config *config)
{
  struct sender_slot *sl;
  int idx = roc__slot_iface(iface), rc = -1;
  if (!s || !config)
    return -1;
  if (idx < 0)
    return roc__unsupported(iface, (roc_protocol)0, "roc_sender_configure");
  pthread_mutex_lock(&s->ctl);
  pthread_mutex_lock(&s->lock);
  sl = roc__slot_find(s->slots, ROC_MAX_SLOTS, sizeof(s->slots[0]), slot, true);
  if (sl && !sl->head.broken && !sl->connected[idx]) {
    if (config->outgoing_address[0])
      ROC_LOG_INF("roc_sender_configure: outgoing_address is not supported by rill: ignored");
    rc = 0;
  }
  pthread_mutex_unlock(&s->lock);
  pthread_mutex_unlock(&s->ctl);
  return rc;
}

ROC_API int roc_sender_connect(roc_sender *s, roc_slot slot, roc_interface iface,
                               const roc_endpoint *endpoint)
{
  char uri[1400];
  roc_protocol proto;
  struct sender_slot *sl;
  struct rill_sender *rs;
  int idx = roc__slot_iface(iface), status;

  if (!s || !endpoint) {
    ROC_LOG_ERR("roc_sender_connect: NULL argument");
    return -1;
  }
  if (roc_endpoint_get_protocol(endpoint, &proto) != 0) {
    ROC_LOG_ERR("roc_sender_connect: endpoint has no protocol");
    return -1;
  }
  if (idx < 0 || proto == ROC_PROTO_RTSP)
    return roc__unsupported(iface, proto, "roc_sender_connect");
  if (!roc__proto_fits(iface, proto) || (idx < 2 && roc__proto_fec(proto) != s->fec)) {
    ROC_LOG_ERR("roc_sender_connect: protocol %s does not fit the interface or the "
                "sender's fec_encoding", roc__proto_scheme(proto) ? roc__proto_scheme(proto) : "?");
    return -1;
  }
  if (roc__endpoint_uri(endpoint, uri, sizeof(uri), &proto) != 0)
    return -1;
  pthread_mutex_lock(&s->ctl);
  pthread_mutex_lock(&s->lock);
  sl = roc__slot_find(s->slots, ROC_MAX_SLOTS, sizeof(s->slots[0]), slot, true);
  if (!sl || sl->head.broken || sl->connected[idx]) {
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_unlock(&s->ctl);
    ROC_LOG_ERR("roc_sender_connect: slot broken, full, or interface already connected");
    return -1;
  }
  rs = sl->rill;
  pthread_mutex_unlock(&s->lock);
  /* Open and connect outside the lock: the writer keeps writing to other
   * slots meanwhile. Only this control call touches a slot's rill sender
   * before it is published with connected[0]. */
  if (!rs && rill_sender_open(s->ctx->rill, &s->rcfg, &rs) != RILL_OK) {
    ROC_LOG_ERR("roc_sender_connect: cannot open a sender (see above)");
    goto broken;
  }
  status = rill_sender_connect(rs, uri);
  pthread_mutex_lock(&s->lock);
  sl->rill = rs;
  if (status == RILL_OK)
    sl->connected[idx] = true;
  else
    sl->head.broken = true;
  pthread_mutex_unlock(&s->lock);
  pthread_mutex_unlock(&s->ctl);
  return status == RILL_OK ? 0 : -1;
broken:
  pthread_mutex_lock(&s->lock);
  sl->head.broken = true;
  pthread_mutex_unlock(&s->lock);
  pthread_mutex_unlock(&s->ctl);
  return -1;
}

ROC_API int roc_sender_query(roc_sender *s, roc_slot slot, roc_sender_metrics *slot_metrics,
                             roc_connection_metrics *conn_metrics, size_t *conn_metrics_count)
{
  struct rill_receiver_report reports[QUERY_RECEIVERS_MAX];
  struct rill_sender_metrics m;
  struct sender_slot *sl;
  size_t i, cap;
  int status = RILL_OK;
  if (!s || (conn_metrics && !conn_metrics_count))
    return -1;
  cap = conn_metrics ? *conn_metrics_count : 0;
  if (cap > QUERY_RECEIVERS_MAX)
    cap = QUERY_RECEIVERS_MAX;
  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  reports[0].struct_size = sizeof(reports[0]);
  m.receivers = reports;
  m.receiver_cap = cap;
  /* Under ctl: unlink cannot close the slot's sender meanwhile. */
  pthread_mutex_lock(&s->ctl);
  pthread_mutex_lock(&s->lock);
  sl = roc__slot_find(s->slots, ROC_MAX_SLOTS, sizeof(s->slots[0]), slot, false);
  pthread_mutex_unlock(&s->lock);
  if (sl && sl->rill)
    status = rill_sender_metrics(sl->rill, &m);
  pthread_mutex_unlock(&s->ctl);
  if (!sl || status != RILL_OK)
    return -1;
  /* The receivers that report over RTCP (none without a control interface). */
  if (slot_metrics)
    slot_metrics->connection_count = m.receiver_count;
  for (i = 0; i < m.receivers_written; i++) {
    roc_connection_metrics *c = &conn_metrics[i];
    memset(c, 0, sizeof(*c));
    c->e2e_latency = reports[i].e2e_latency_ns > 0 ? (unsigned long long)reports[i].e2e_latency_ns : 0;
    c->mean_jitter = reports[i].jitter_ns > 0 ? (unsigned long long)reports[i].jitter_ns : 0;
    c->lost_packets = reports[i].cumulative_lost > 0 ? (unsigned long long)reports[i].cumulative_lost : 0;
    /* What this slot sent (the report gives the receiver's highest
     * sequence number, not where it started). */
    c->expected_packets = m.packets_sent - m.fec_repair_sent;
  }
  if (conn_metrics_count)
    *conn_metrics_count = m.receivers_written;
  return 0;
}

ROC_API int roc_sender_unlink(roc_sender *s, roc_slot slot)
{
  struct sender_slot *sl;
  struct rill_sender *rs = NULL;
  if (!s)
    return -1;
  pthread_mutex_lock(&s->ctl);
  pthread_mutex_lock(&s->lock);
  sl = roc__slot_find(s->slots, ROC_MAX_SLOTS, sizeof(s->slots[0]), slot, false);
  if (sl) {
    rs = sl->rill;
    memset(sl, 0, sizeof(*sl));
  }
  pthread_mutex_unlock(&s->lock);
  if (rs)
    (void)rill_sender_close(rs);
  pthread_mutex_unlock(&s->ctl);
  return sl ? 0 : -1;
}

ROC_API int roc_sender_write(roc_sender *s, const roc_frame *frame)
{
  size_t i, frames, frame_bytes;
  if (!s || !frame || (!frame->samples && frame->samples_size))
    return -1;
  frame_bytes = (size_t)s->channels * sizeof(float);
  if (frame->samples_size % frame_bytes != 0) {
    ROC_LOG_ERR("roc_sender_write: %zu bytes is not a whole number of %zu-byte frames",
                frame->samples_size, frame_bytes);
    return -1;
  }
  frames = frame->samples_size / frame_bytes;
  roc__pacer_wait(&s->pacer, frames);
  pthread_mutex_lock(&s->lock);
  for (i = 0; i < ROC_MAX_SLOTS; i++)
    if (s->slots[i].head.used && s->slots[i].connected[0])
      (void)rill_sender_write(s->slots[i].rill, frame->samples, frames);
  pthread_mutex_unlock(&s->lock);
  return 0;
}

ROC_API int roc_sender_close(roc_sender *s)
{
  size_t i;
  if (!s)
    return -1;
  for (i = 0; i < ROC_MAX_SLOTS; i++)
    if (s->slots[i].rill)
      (void)rill_sender_close(s->slots[i].rill);
  pthread_mutex_destroy(&s->lock);
  pthread_mutex_destroy(&s->ctl);
  atomic_fetch_sub(&s->ctx->objects, 1);
  free(s);
  return 0;
}
