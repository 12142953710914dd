/*
 * libpipewire-module-rill-sink: a PipeWire sink (Audio/Sink) whose input a
 * rill sender streams as RTP, optionally with roc-toolkit's FEC, to one
 * receiver. It takes the arguments of PipeWire's module-roc-sink; rill's
 * extra keys are in module_usage below and in README.md.
 *
 * Threads. The sender is opened, connected and closed on PipeWire's main
 * loop (rill's control role); the stream's process callback runs on the
 * data loop (PW_STREAM_FLAG_RT_PROCESS) and only calls rill_sender_write,
 * which never blocks and never allocates (a packet that cannot be queued is
 * dropped and counted): rill's real-time role, one writer. The graph's
 * clock paces the stream.
 */
#include <errno.h>
#include <rill/rill.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/impl.h>
#include <pipewire/pipewire.h>

#include "pwmod.h"
#include "stats_json.h"

#define MODULE_NAME "rill-sink"
#define DEFAULT_SOURCE_PORT 10001
#define DEFAULT_REPAIR_PORT 10002
#define STREAM_RATE_HZ 44100 /* L16 payload types 10 (stereo) and 11 (mono) */

static const struct spa_dict_item module_info[] = {
    {PW_KEY_MODULE_AUTHOR, "rill"},
    {PW_KEY_MODULE_DESCRIPTION, "rill RTP sender (module-roc-sink compatible)"},
    {PW_KEY_MODULE_USAGE,
     "remote.ip=<receiver IP> remote.source.port=<10001> remote.repair.port=<10002> "
     "fec.code=<rs8m>|disable|ldpc sink.name=<node name> sink.props={ key=value ... } "
     "local.ip=<ignored> audio.rate=<44100> audio.channels=<2> rill.packet.msec=<5> "
     "rill.mem.max=<64M> rill.stats.json=<file> rill.stats.interval.msec=<1000>"},
    {PW_KEY_MODULE_VERSION, RILL_VERSION_STRING},
};

struct sink {
  struct pwmod_node node;        /* first: pwmod frees the struct through it */
  struct rill_context *ctx;      /* owned */
  struct rill_sender *sender;    /* owned */
};

/* Data loop: send what the graph gave the sink this period. */
static void sink_process(struct pwmod_node *node)
{
  struct sink *k = (struct sink *)node;
  struct pw_buffer *b = pw_stream_dequeue_buffer(node->stream);
  struct spa_data *d;
  if (!b)
    return;
  d = &b->buffer->datas[0];
  if (d->data && d->chunk->offset <= d->maxsize) {
    uint32_t size = SPA_MIN(d->chunk->size, d->maxsize - d->chunk->offset);
    rill_sender_write(k->sender, SPA_PTROFF(d->data, d->chunk->offset, const float),
                      size / node->stride_bytes);
  }
  pw_stream_queue_buffer(node->stream, b);
}

static int sink_emit_stats(struct pwmod_node *node, FILE *f, double t_s, int final)
{
  struct sink *k = (struct sink *)node;
  struct rill_sender_metrics m = {.struct_size = sizeof(m)};
  if (rill_sender_metrics(k->sender, &m) != RILL_OK)
    return -1;
  return stats_json_sender(f, t_s, final, &m);
}

static void sink_close(struct pwmod_node *node)
{
  struct sink *k = (struct sink *)node;
  if (k->sender)
    rill_sender_close(k->sender);
  if (k->ctx && rill_context_close(k->ctx) != RILL_OK)
    pw_log_error(MODULE_NAME ": cannot close the rill context");
}

/* Open and connect the sender from the module's arguments. */
static int sink_setup(struct pwmod_node *node, const struct pw_properties *args)
{
  struct sink *k = (struct sink *)node;
  struct rill_context_config cc;
  struct rill_sender_config sc;
  uint64_t source_port, repair_port, rate, channels, mem, packet_ms;
  enum pwmod_fec fec;
  const char *ip = pw_properties_get(args, "remote.ip");
  char uri[128];
  int res, status = RILL_OK;

  if (!ip || !*ip) {
    pw_log_error("rill-sink: remote.ip is required");
    return -EINVAL;
  }
  if ((res = pwmod_get_uint(args, "remote.source.port", DEFAULT_SOURCE_PORT, 1, 65535, 0,
                            &source_port)) < 0 ||
      (res = pwmod_get_uint(args, "remote.repair.port", DEFAULT_REPAIR_PORT, 1, 65535, 0,
                            &repair_port)) < 0 ||
      (res = pwmod_get_uint(args, "audio.rate", STREAM_RATE_HZ, STREAM_RATE_HZ / 8,
                            STREAM_RATE_HZ * 8, 0, &rate)) < 0 ||
      (res = pwmod_get_uint(args, "audio.channels", 2, 1, 2, 0, &channels)) < 0 ||
      (res = pwmod_get_uint(args, "rill.packet.msec", 5, 1, 100, 0, &packet_ms)) < 0 ||
      (res = pwmod_get_uint(args, "rill.mem.max", 0, 1, SIZE_MAX, 1, &mem)) < 0 ||
      (res = pwmod_get_fec(args, &fec)) < 0)
    return res;

  rill_context_config_init(&cc);
  if (mem)
    cc.max_mem_bytes = (size_t)mem;
  rill_sender_config_init(&sc);
  sc.encoding.payload_type = channels == 1 ? 11 : 10;
  sc.encoding.format = RILL_FORMAT_S16;
  sc.encoding.rate_hz = STREAM_RATE_HZ;
  sc.encoding.channels = (uint32_t)channels;
  sc.input_channels = (uint32_t)channels;
  sc.input_rate_hz = (uint32_t)rate;
  sc.packet_length_ns = (int64_t)packet_ms * 1000000;

  if ((status = rill_context_open(&cc, &k->ctx)) != RILL_OK ||
      (status = rill_sender_open(k->ctx, &sc, &k->sender)) != RILL_OK) {
    pw_log_error("rill-sink: cannot open the sender: %s", rill_status_message(status));
    return -EINVAL;
  }
  res = pwmod_uri(uri, sizeof(uri), fec, 0, ip, source_port);
  if (res == 0 && (status = rill_sender_connect(k->sender, uri)) != RILL_OK)
    res = -EHOSTUNREACH;
  if (res == 0 && fec != PWMOD_FEC_NONE) {
    res = pwmod_uri(uri, sizeof(uri), fec, 1, ip, repair_port);
    if (res == 0 && (status = rill_sender_connect(k->sender, uri)) != RILL_OK)
      res = -EHOSTUNREACH;
  }
  if (res == -EHOSTUNREACH)
    pw_log_error("rill-sink: cannot send to %s: %s", uri, rill_status_message(status));
  if (res < 0)
    return res;

  pwmod_set_format(node, (uint32_t)rate, (uint32_t)channels);
  return 0;
}

static const struct pwmod_kind sink_kind = {
    .name = MODULE_NAME,
    .description = "rill Sink",
    .name_key = "sink.name",
    .props_key = "sink.props",
    .media_class = "Audio/Sink",
    .direction = PW_DIRECTION_INPUT,
    .info = module_info,
    .info_count = SPA_N_ELEMENTS(module_info),
    .setup = sink_setup,
    .process = sink_process,
    .emit_stats = sink_emit_stats,
    .close = sink_close,
};

SPA_EXPORT int pipewire__module_init(struct pw_impl_module *module, const char *args);

SPA_EXPORT int pipewire__module_init(struct pw_impl_module *module, const char *args)
{
  struct sink *k = calloc(1, sizeof(*k));
  if (!k)
    return -errno;
  return pwmod_module_init(module, args, &sink_kind, &k->node);
}
