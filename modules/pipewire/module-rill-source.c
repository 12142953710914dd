/*
 * libpipewire-module-rill-source: a PipeWire stream that plays what a rill
 * receiver receives (RTP, optionally with roc-toolkit's FEC). It takes the
 * arguments of PipeWire's module-roc-source, so a config switches by its
 * module name; rill's extra keys are listed in module_usage below and in
 * README.md.
 *
 * Threads. The receiver is opened, bound and closed on PipeWire's main loop
 * (rill's control role); the stream's process callback runs on the data
 * loop (PW_STREAM_FLAG_RT_PROCESS) and only calls rill_receiver_read, which
 * never blocks, never allocates and does bounded work: rill's real-time
 * role, one reader. When the node is suspended or unlinked, process stops;
 * after rill's idle timeout (1 s) the receiver drops its sessions, stops
 * receiving and returns its memory, so a flood at a node nobody reads holds
 * no memory; the next process call resumes it with live audio.
 */
#include <errno.h>
#include <rill/rill.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/impl.h>
#include <pipewire/pipewire.h>

#include "pwmod.h"
#include "stats_json.h"

#define MODULE_NAME "rill-source"
#define DEFAULT_SOURCE_PORT 10001
#define DEFAULT_REPAIR_PORT 10002
#define DEFAULT_LATENCY_MS 200 /* module-roc-source's default */
#define MAX_SESSIONS_LIMIT 1024

static const struct spa_dict_item module_info[] = {
    {PW_KEY_MODULE_AUTHOR, "rill"},
    {PW_KEY_MODULE_DESCRIPTION, "rill RTP receiver (module-roc-source compatible)"},
    {PW_KEY_MODULE_USAGE,
     "source.name=<node name> source.props={ key=value ... } local.ip=<IP, 0.0.0.0> "
     "local.source.port=<10001> local.repair.port=<10002> sess.latency.msec=<200> "
     "fec.code=<rs8m>|disable|ldpc resampler.profile=<medium>|disable|low|high "
     "audio.rate=<44100> audio.channels=<2> rill.mem.max=<64M> rill.sessions.max=<8> "
     "rill.session.mem.max=<4M> rill.socket.mem.max=<1M> rill.idle.timeout.msec=<1000> "
     "rill.stats.json=<file> rill.stats.interval.msec=<1000>"},
    {PW_KEY_MODULE_VERSION, RILL_VERSION_STRING},
};

struct source {
  struct pwmod_node node;        /* first: pwmod frees the struct through it */
  struct rill_context *ctx;      /* owned */
  struct rill_receiver *recv;    /* owned */
  struct rill_session_metrics sessions[MAX_SESSIONS_LIMIT]; /* stats scratch */
};

/* Data loop: hand PipeWire the next period of the receiver's mix. */
static void source_process(struct pwmod_node *node)
{
  struct source *s = (struct source *)node;
  struct pw_buffer *b = pw_stream_dequeue_buffer(node->stream);
  struct spa_data *d;
  uint32_t frames;
  if (!b)
    return;
  d = &b->buffer->datas[0];
  if (d->data) {
    frames = d->maxsize / node->stride_bytes;
    if (b->requested > 0 && b->requested < frames)
      frames = (uint32_t)b->requested;
    rill_receiver_read(s->recv, d->data, frames);
    d->chunk->offset = 0;
    d->chunk->stride = (int32_t)node->stride_bytes;
    d->chunk->size = frames * node->stride_bytes;
  }
  pw_stream_queue_buffer(node->stream, b);
}

static int source_emit_stats(struct pwmod_node *node, FILE *f, double t_s, int final)
{
  struct source *s = (struct source *)node;
  struct rill_receiver_metrics m = {.struct_size = sizeof(m)};
  size_t count = 0;
  s->sessions[0].struct_size = sizeof(s->sessions[0]);
  if (rill_receiver_metrics(s->recv, &m, s->sessions, MAX_SESSIONS_LIMIT, &count) != RILL_OK)
    return -1;
  return stats_json_receiver(f, t_s, final, &m, s->sessions, count);
}

static void source_close(struct pwmod_node *node)
{
  struct source *s = (struct source *)node;
  if (s->recv)
    rill_receiver_close(s->recv);
  if (s->ctx && rill_context_close(s->ctx) != RILL_OK)
    pw_log_error(MODULE_NAME ": cannot close the rill context");
}

/* resampler.profile, as roc names it, to rill's receiver settings. */
static int apply_resampler_profile(const struct pw_properties *args,
                                   struct rill_receiver_config *cfg)
{
  const char *str = pw_properties_get(args, "resampler.profile");
  if (!str || !*str || strcmp(str, "medium") == 0)
    cfg->resampler_quality = 3;
  else if (strcmp(str, "low") == 0)
    cfg->resampler_quality = 1;
  else if (strcmp(str, "high") == 0)
    cfg->resampler_quality = 6;
  else if (strcmp(str, "disable") == 0)
    cfg->disable_drift_compensation = 1;
  else {
    pw_log_error("rill-source: resampler.profile = '%s': expected disable, low, medium or high",
                 str);
    return -EINVAL;
  }
  return 0;
}

/* Open and bind the receiver from the module's arguments. */
static int source_setup(struct pwmod_node *node, const struct pw_properties *args)
{
  struct source *s = (struct source *)node;
  struct rill_context_config cc;
  struct rill_receiver_config rc;
  uint64_t source_port, repair_port, latency_ms, rate, channels, mem, sessions, session_mem,
      socket_mem, idle_ms;
  enum pwmod_fec fec;
  const char *ip = pw_properties_get(args, "local.ip");
  char uri[128];
  int res, status;

  if ((res = pwmod_get_uint(args, "local.source.port", DEFAULT_SOURCE_PORT, 0, 65535, 0,
                            &source_port)) < 0 ||
      (res = pwmod_get_uint(args, "local.repair.port", DEFAULT_REPAIR_PORT, 0, 65535, 0,
                            &repair_port)) < 0 ||
      (res = pwmod_get_uint(args, "sess.latency.msec", DEFAULT_LATENCY_MS, 1, 60000, 0,
                            &latency_ms)) < 0 ||
      (res = pwmod_get_uint(args, "audio.rate", 44100, 8000, 384000, 0, &rate)) < 0 ||
      (res = pwmod_get_uint(args, "audio.channels", 2, 1, 8, 0, &channels)) < 0 ||
      (res = pwmod_get_uint(args, "rill.mem.max", 0, 1, SIZE_MAX, 1, &mem)) < 0 ||
      (res = pwmod_get_uint(args, "rill.sessions.max", 0, 1, MAX_SESSIONS_LIMIT, 0,
                            &sessions)) < 0 ||
      (res = pwmod_get_uint(args, "rill.session.mem.max", 0, 1, SIZE_MAX, 1, &session_mem)) <
          0 ||
      (res = pwmod_get_uint(args, "rill.socket.mem.max", 0, 1, SIZE_MAX, 1, &socket_mem)) < 0 ||
      (res = pwmod_get_uint(args, "rill.idle.timeout.msec", 0, 1, 3600000, 0, &idle_ms)) < 0 ||
      (res = pwmod_get_fec(args, &fec)) < 0)
    return res;

  rill_context_config_init(&cc);
  if (mem)
    cc.max_mem_bytes = (size_t)mem;
  rill_receiver_config_init(&rc);
  rc.rate_hz = (uint32_t)rate;
  rc.channels = (uint32_t)channels;
  rc.target_latency_ns = (int64_t)latency_ms * 1000000;
  if (sessions)
    rc.max_sessions = (uint32_t)sessions;
  if (session_mem)
    rc.max_session_mem_bytes = (size_t)session_mem;
  if (socket_mem)
    rc.max_socket_mem_bytes = (size_t)socket_mem;
  if (idle_ms)
    rc.idle_timeout_ns = (int64_t)idle_ms * 1000000;
  if ((res = apply_resampler_profile(args, &rc)) < 0)
    return res;

  if ((status = rill_context_open(&cc, &s->ctx)) != RILL_OK ||
      (status = rill_receiver_open(s->ctx, &rc, &s->recv)) != RILL_OK) {
    pw_log_error("rill-source: cannot open the receiver: %s", rill_status_message(status));
    return -EINVAL;
  }
  if (!ip || !*ip)
    ip = "0.0.0.0";
  res = pwmod_uri(uri, sizeof(uri), fec, 0, ip, source_port);
  if (res == 0 && (status = rill_receiver_bind(s->recv, uri, NULL, NULL)) != RILL_OK)
    res = -EADDRNOTAVAIL;
  if (res == 0 && fec != PWMOD_FEC_NONE) {
    res = pwmod_uri(uri, sizeof(uri), fec, 1, ip, repair_port);
    if (res == 0 && (status = rill_receiver_bind(s->recv, uri, NULL, NULL)) != RILL_OK)
      res = -EADDRNOTAVAIL;
  }
  if (res == -EADDRNOTAVAIL)
    pw_log_error("rill-source: cannot receive on %s: %s", uri, rill_status_message(status));
  if (res < 0)
    return res;

  pwmod_set_format(node, (uint32_t)rate, (uint32_t)channels);
  return 0;
}

static const struct pwmod_kind source_kind = {
    .name = MODULE_NAME,
    .description = "rill Source",
    .name_key = "source.name",
    .props_key = "source.props",
    .direction = PW_DIRECTION_OUTPUT,
    .flags = PW_STREAM_FLAG_AUTOCONNECT,
    .info = module_info,
    .info_count = SPA_N_ELEMENTS(module_info),
    .setup = source_setup,
    .process = source_process,
    .emit_stats = source_emit_stats,
    .close = source_close,
};

SPA_EXPORT int pipewire__module_init(struct pw_impl_module *module, const char *args);

SPA_EXPORT int pipewire__module_init(struct pw_impl_module *module, const char *args)
{
  struct source *s = calloc(1, sizeof(*s));
  if (!s)
    return -errno;
  return pwmod_module_init(module, args, &source_kind, &s->node);
}
