/*
 * roc 0.4 API: the network-less pair. The sender encoder is a rill sender
 * in local delivery mode (pipeline/sender.h: sender_activate_local,
 * sender_pop_local): push_frame composes packets, pop_packet takes them per
 * interface. The receiver decoder is a rill receiver with no port:
 * push_packet hands a datagram to its network thread as if it had arrived
 * on an endpoint (receiver_inject_endpoint), pop_frame reads.
 *
 * The decoder's packets all come "from" one fixed address, so source and
 * repair packets pair into one session. Its housekeeping (session timeouts)
 * runs from push_packet at most every 100 ms, as no port's timer does it,
 * and it never goes idle: a decoder nobody pops is still bounded by the
 * session budget.
 *
 * The control interface (RTCP) works at the packet level too: the
 * encoder's pop_packet on AUDIO_CONTROL gives a sender report when one is
 * due (every 200 ms), push_feedback_packet takes the receivers' reports;
 * the decoder's push_packet on AUDIO_CONTROL takes sender reports and its
 * pop_feedback_packet gives a reception report when one is due. Feedback
 * comes "from" the same fixed fake address as the decoder's packets.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <roc/receiver_decoder.h>
#include <roc/sender_encoder.h>

#include "core/clock.h"
#include "pipeline/receiver.h"
#include "pipeline/sender.h"
#include "pipeline/sender_rtcp.h"
#include "roc/roc_internal.h"

#define DECODER_HOUSEKEEP_NS (100 * NS_PER_MS)
#define DECODER_SOURCE_PORT 9 /* "discard": a fixed, recognisable fake sender */

struct roc_sender_encoder {
  struct roc_context *ctx;   /* borrowed */
  struct rill_sender *rill;  /* owned */
  int fec;                   /* 0 none, 1 rs8m, 2 ldpc */
  uint32_t channels;
  struct roc_pacer pacer;
  pthread_mutex_t lock;      /* serializes every call */
};

struct roc_receiver_decoder {
  struct roc_context *ctx;   /* borrowed */
  struct rill_receiver *rill; /* owned */
  struct rill_encoding encodings[ROC_MAX_REGISTERED];
  uint32_t channels;
  struct roc_pacer pacer;    /* reader */
  struct sockaddr_in source;
  pthread_mutex_t lock;      /* serializes activate and push */
  atomic_bool active[ROC_SLOT_IFACES]; /* source, repair, control */
  int64_t last_housekeep_ns; /* under lock */
};

ROC_API int roc_sender_encoder_open(roc_context *ctx, const roc_sender_config *config,
                                    roc_sender_encoder **result)
{
  struct rill_sender_config cfg;
  struct roc_sender_encoder *e;
  int status;
  if (!ctx || !config || !result) {
    ROC_LOG_ERR("roc_sender_encoder_open: NULL argument");
    return -1;
  }
  *result = NULL;
  e = calloc(1, sizeof(*e));
  if (!e)
    return -1;
  if (roc__sender_config(ctx, config, &cfg, &e->fec) != 0)
    goto fail;
  status = rill_sender_open(ctx->rill, &cfg, &e->rill);
  if (status != RILL_OK) {
    ROC_LOG_ERR("roc_sender_encoder_open: %s", rill_status_message(status));
    goto fail;
  }
  e->ctx = ctx;
  e->channels = cfg.input_channels;
  roc__pacer_init(&e->pacer, config->clock_source, config->frame_encoding.rate);
  pthread_mutex_init(&e->lock, NULL);
  atomic_fetch_add(&ctx->objects, 1);
  *result = e;
  return 0;
fail:
  free(e);
  return -1;
}

ROC_API int roc_sender_encoder_activate(roc_sender_encoder *e, roc_interface iface,
                                        roc_protocol proto)
{
  int idx = roc__slot_iface(iface), status;
  if (!e)
    return -1;
  if (idx < 0 || proto == ROC_PROTO_RTSP)
    return roc__unsupported(iface, proto, "roc_sender_encoder_activate");
  if (idx == 2 && proto == ROC_PROTO_RTCP) {
    pthread_mutex_lock(&e->lock);
    status = sender_activate_control_local(e->rill);
    pthread_mutex_unlock(&e->lock);
    if (status != RILL_OK)
      ROC_LOG_ERR("roc_sender_encoder_activate: control: %s", rill_status_message(status));
    return status == RILL_OK ? 0 : -1;
  }
  if (!roc__proto_fits(iface, proto) || roc__proto_fec(proto) != e->fec) {
    ROC_LOG_ERR("roc_sender_encoder_activate: protocol %d does not fit the interface or "
                "the fec_encoding", (int)proto);
    return -1;
  }
  pthread_mutex_lock(&e->lock);
  status = sender_activate_local(e->rill, idx ? SENDER_IFACE_REPAIR : SENDER_IFACE_SOURCE,
                                 e->fec);
  pthread_mutex_unlock(&e->lock);
  if (status != RILL_OK)
    ROC_LOG_ERR("roc_sender_encoder_activate: %s", rill_status_message(status));
  return status == RILL_OK ? 0 : -1;
}

ROC_API int roc_sender_encoder_query(roc_sender_encoder *e, roc_sender_metrics *encoder_metrics,
                                     roc_connection_metrics *conn_metrics)
{
  struct sender_rtcp *rtcp;
  struct sender_rtcp_totals t;
  struct sender_rtcp_peer peer;
  size_t n = 0;
  if (!e || !encoder_metrics)
    return -1;
  encoder_metrics->connection_count = 0;
  pthread_mutex_lock(&e->lock);
  rtcp = sender_control(e->rill);
  if (rtcp)
    sender_rtcp_stats(rtcp, &t, &peer, 1, &n);
  pthread_mutex_unlock(&e->lock);
  /* The receivers whose feedback came in (one connection: the first). */
  if (n > 0) {
    encoder_metrics->connection_count = t.peers;
    if (conn_metrics) {
      memset(conn_metrics, 0, sizeof(*conn_metrics));
      conn_metrics->e2e_latency = peer.e2e_latency_ns > 0 ? (unsigned long long)peer.e2e_latency_ns : 0;
      conn_metrics->mean_jitter = peer.jitter_ns > 0 ? (unsigned long long)peer.jitter_ns : 0;
      conn_metrics->lost_packets = peer.cum_lost > 0 ? (unsigned long long)peer.cum_lost : 0;
      struct rill_sender_metrics m = {.struct_size = sizeof(m)};
      /* What the encoder sent (the report gives the receiver's highest
       * sequence number, not where it started). */
      if (rill_sender_metrics(e->rill, &m) == RILL_OK)
        conn_metrics->expected_packets = m.packets_sent - m.fec_repair_sent;
    }
  }
  return 0;
}

ROC_API int roc_sender_encoder_push_frame(roc_sender_encoder *e, const roc_frame *frame)
{
  size_t frame_bytes;
  if (!e || !frame || (!frame->samples && frame->samples_size))
    return -1;
  frame_bytes = (size_t)e->channels * sizeof(float);
  if (frame->samples_size % frame_bytes != 0) {
    ROC_LOG_ERR("roc_sender_encoder_push_frame: %zu bytes is not a whole number of frames",
                frame->samples_size);
    return -1;
  }
  roc__pacer_wait(&e->pacer, frame->samples_size / frame_bytes);
  pthread_mutex_lock(&e->lock);
  (void)rill_sender_write(e->rill, frame->samples, frame->samples_size / frame_bytes);
  pthread_mutex_unlock(&e->lock);
  return 0;
}

ROC_API int roc_sender_encoder_push_feedback_packet(roc_sender_encoder *e, roc_interface iface,
                                                    const roc_packet *packet)
{
  struct sender_rtcp *rtcp;
  struct sockaddr_in from;
  if (!e || !packet || !packet->bytes || iface != ROC_INTERFACE_AUDIO_CONTROL)
    return -1;
  /* The receivers' reports come "from" one fixed address, as the decoder's. */
  memset(&from, 0, sizeof(from));
  from.sin_family = AF_INET;
  from.sin_port = htons(DECODER_SOURCE_PORT);
  from.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  pthread_mutex_lock(&e->lock);
  rtcp = sender_control(e->rill);
  if (rtcp)
    sender_rtcp_on_datagram(rtcp, packet->bytes, packet->bytes_size, (struct sockaddr *)&from,
                            clock_now_ns());
  pthread_mutex_unlock(&e->lock);
  if (!rtcp)
    ROC_LOG_ERR("roc_sender_encoder_push_feedback_packet: the control interface is not active");
  return rtcp ? 0 : -1;
}

ROC_API int roc_sender_encoder_pop_packet(roc_sender_encoder *e, roc_interface iface,
                                          roc_packet *packet)
{
  int idx = roc__slot_iface(iface), status;
  struct sender_rtcp *rtcp;
  size_t len = 0;
  if (!e || !packet || !packet->bytes || idx < 0)
    return -1;
  pthread_mutex_lock(&e->lock);
  if (idx == 2) {
    /* A sender report when one is due. */
    rtcp = sender_control(e->rill);
    status = rtcp ? sender_rtcp_pop(rtcp, clock_now_ns(), packet->bytes, packet->bytes_size, &len)
                  : RILL_ESTATE;
  } else {
    status = sender_pop_local(e->rill, idx ? SENDER_IFACE_REPAIR : SENDER_IFACE_SOURCE,
                              packet->bytes, packet->bytes_size, &len);
  }
  pthread_mutex_unlock(&e->lock);
  if (status == RILL_ENOSPC)
    ROC_LOG_ERR("roc_sender_encoder_pop_packet: buffer of %zu bytes, packet of %zu",
                packet->bytes_size, len);
  if (status != RILL_OK)
    return -1;
  packet->bytes_size = len;
  return 0;
}

ROC_API int roc_sender_encoder_close(roc_sender_encoder *e)
{
  if (!e)
    return -1;
  (void)rill_sender_close(e->rill);
  pthread_mutex_destroy(&e->lock);
  atomic_fetch_sub(&e->ctx->objects, 1);
  free(e);
  return 0;
}

ROC_API int roc_receiver_decoder_open(roc_context *ctx, const roc_receiver_config *config,
                                      roc_receiver_decoder **result)
{
  struct rill_receiver_config cfg;
  struct roc_receiver_decoder *d;
  int status;
  if (!ctx || !config || !result) {
    ROC_LOG_ERR("roc_receiver_decoder_open: NULL argument");
    return -1;
  }
  *result = NULL;
  d = calloc(1, sizeof(*d));
  if (!d)
    return -1;
  if (roc__receiver_config(ctx, config, &cfg, d->encodings) != 0)
    goto fail;
  cfg.idle_timeout_ns = -1; /* no port to pause: see the top of this file */
  status = rill_receiver_open(ctx->rill, &cfg, &d->rill);
  if (status != RILL_OK) {
    ROC_LOG_ERR("roc_receiver_decoder_open: %s", rill_status_message(status));
    goto fail;
  }
  d->ctx = ctx;
  d->channels = cfg.channels;
  d->source.sin_family = AF_INET;
  d->source.sin_port = htons(DECODER_SOURCE_PORT);
  d->source.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  roc__pacer_init(&d->pacer, config->clock_source, config->frame_encoding.rate);
  pthread_mutex_init(&d->lock, NULL);
  atomic_fetch_add(&ctx->objects, 1);
  *result = d;
  return 0;
fail:
  free(d);
  return -1;
}

ROC_API int roc_receiver_decoder_activate(roc_receiver_decoder *d, roc_interface iface,
                                          roc_protocol proto)
{
  int idx = roc__slot_iface(iface), fec, status = RILL_OK;
  if (!d)
    return -1;
  if (idx < 0 || proto == ROC_PROTO_RTSP)
    return roc__unsupported(iface, proto, "roc_receiver_decoder_activate");
  if (!roc__proto_fits(iface, proto)) {
    ROC_LOG_ERR("roc_receiver_decoder_activate: protocol %d does not fit the interface",
                (int)proto);
    return -1;
  }
  fec = roc__proto_fec(proto);
  pthread_mutex_lock(&d->lock);
  if (atomic_load(&d->active[idx]))
    status = RILL_ESTATE;
  else if (fec)
    status = receiver_enable_fec(d->rill, fec);
  if (status == RILL_OK)
    atomic_store(&d->active[idx], true);
  pthread_mutex_unlock(&d->lock);
  if (status != RILL_OK)
    ROC_LOG_ERR("roc_receiver_decoder_activate: %s", rill_status_message(status));
  return status == RILL_OK ? 0 : -1;
}

ROC_API int roc_receiver_decoder_query(roc_receiver_decoder *d,
                                       roc_receiver_metrics *decoder_metrics,
                                       roc_connection_metrics *conn_metrics)
{
  struct rill_receiver_metrics m;
  struct rill_session_metrics sm;
  size_t count = 0;
  if (!d || !decoder_metrics)
    return -1;
  memset(&m, 0, sizeof(m));
  memset(&sm, 0, sizeof(sm));
  m.struct_size = sizeof(m);
  sm.struct_size = sizeof(sm);
  if (rill_receiver_metrics(d->rill, &m, &sm, 1, &count) != RILL_OK)
    return -1;
  decoder_metrics->connection_count = count ? 1 : 0;
  if (count && conn_metrics)
    roc__conn_metrics(&sm, conn_metrics);
  return 0;
}

ROC_API int roc_receiver_decoder_push_packet(roc_receiver_decoder *d, roc_interface iface,
                                             const roc_packet *packet)
{
  static const enum receiver_iface ifaces[ROC_SLOT_IFACES] = {
      RECEIVER_IFACE_SOURCE, RECEIVER_IFACE_REPAIR, RECEIVER_IFACE_CONTROL};
  int idx = roc__slot_iface(iface), status;
  int64_t now;
  if (!d || !packet || !packet->bytes || idx < 0 || !atomic_load(&d->active[idx]))
    return -1;
  now = clock_now_ns();
  pthread_mutex_lock(&d->lock);
  if (now - d->last_housekeep_ns >= DECODER_HOUSEKEEP_NS) {
    receiver_housekeep(d->rill, now);
    d->last_housekeep_ns = now;
  }
  status = receiver_inject_endpoint(d->rill, ifaces[idx], packet->bytes, packet->bytes_size,
                                    (const struct sockaddr *)&d->source, now);
  pthread_mutex_unlock(&d->lock);
  return status == RILL_OK ? 0 : -1;
}

ROC_API int roc_receiver_decoder_pop_feedback_packet(roc_receiver_decoder *d,
                                                     roc_interface iface, roc_packet *packet)
{
  size_t len = 0;
  int status;
  if (!d || !packet || !packet->bytes || iface != ROC_INTERFACE_AUDIO_CONTROL ||
      !atomic_load(&d->active[2]))
    return -1;
  /* A reception report when one is due (RR, XR, SDES: what roc sends). */
  status = receiver_pop_report(d->rill, clock_now_ns(), packet->bytes, packet->bytes_size, &len);
  if (status == RILL_ENOSPC)
    ROC_LOG_ERR("roc_receiver_decoder_pop_feedback_packet: buffer of %zu bytes, report of %zu",
                packet->bytes_size, len);
  if (status != RILL_OK)
    return -1;
  packet->bytes_size = len;
  return 0;
}

ROC_API int roc_receiver_decoder_pop_frame(roc_receiver_decoder *d, roc_frame *frame)
{
  size_t frame_bytes;
  if (!d || !frame || (!frame->samples && frame->samples_size))
    return -1;
  frame_bytes = (size_t)d->channels * sizeof(float);
  if (frame->samples_size % frame_bytes != 0) {
    ROC_LOG_ERR("roc_receiver_decoder_pop_frame: %zu bytes is not a whole number of frames",
                frame->samples_size);
    return -1;
  }
  roc__pacer_wait(&d->pacer, frame->samples_size / frame_bytes);
  (void)rill_receiver_read(d->rill, frame->samples, frame->samples_size / frame_bytes);
  return 0;
}

ROC_API int roc_receiver_decoder_close(roc_receiver_decoder *d)
{
  if (!d)
    return -1;
  (void)rill_receiver_close(d->rill);
  pthread_mutex_destroy(&d->lock);
  atomic_fetch_sub(&d->ctx->objects, 1);
  free(d);
  return 0;
}

struct rill_receiver *roc__decoder_rill(struct roc_receiver_decoder *d)
{
  return d->rill;
}
