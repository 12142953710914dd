/*
 * The PipeWire side of rill's modules (pwmod.h): from pipewire__module_init
 * to the module's destruction. A module's state begins with a struct
 * pwmod_node; its kind says what differs between the source and the sink
 * (direction, names, how rill is opened, the process callback).
 *
 * Order of teardown: stats file (its last line reads rill's metrics), the
 * stream (after pw_stream_destroy the data loop no longer calls process),
 * the connection, then the rill objects (kind->close), then the memory.
 */
#include <errno.h>
#include <pipewire/impl.h>
#include <spa/param/audio/format-utils.h>
#include <spa/utils/result.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pwmod.h"

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- connection -------------------------------------------------------- */

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
  struct pwmod_core *c = data;
  pw_log_error("%s: error id:%u seq:%d res:%d (%s): %s", c->name, id, seq, res,
               spa_strerror(res), message);
  if (id == PW_ID_CORE && res == -EPIPE)
    pw_impl_module_schedule_destroy(c->module);
}

static const struct pw_core_events core_events = {
    PW_VERSION_CORE_EVENTS,
    .error = on_core_error,
};

static void on_core_destroy(void *data)
{
  struct pwmod_core *c = data;
  spa_hook_remove(&c->listener);
  spa_hook_remove(&c->proxy_listener);
  c->core = NULL;
  pw_impl_module_schedule_destroy(c->module);
}

static const struct pw_proxy_events core_proxy_events = {
    PW_VERSION_PROXY_EVENTS,
    .destroy = on_core_destroy,
};

static int core_connect(struct pwmod_core *c, struct pw_impl_module *module,
                        const struct pw_properties *args, const char *name)
{
  struct pw_context *context = pw_impl_module_get_context(module);
  c->module = module;
  c->name = name;
  c->core = pw_context_get_object(context, PW_TYPE_INTERFACE_Core);
  if (!c->core) {
    c->core = pw_context_connect(
        context,
        pw_properties_new(PW_KEY_REMOTE_NAME, pw_properties_get(args, PW_KEY_REMOTE_NAME), NULL),
        0);
    c->do_disconnect = 1;
  }
  if (!c->core) {
    int res = -errno;
    pw_log_error("%s: cannot connect: %s", name, spa_strerror(res));
    return res;
  }
  pw_proxy_add_listener((struct pw_proxy *)c->core, &c->proxy_listener, &core_proxy_events, c);
  pw_core_add_listener(c->core, &c->listener, &core_events, c);
  return 0;
}

static void core_disconnect(struct pwmod_core *c)
{
  struct pw_core *core = c->core;
  if (!core)
    return;
  spa_hook_remove(&c->listener);
  spa_hook_remove(&c->proxy_listener);
  c->core = NULL;
  if (c->do_disconnect)
    pw_core_disconnect(core);
}

/* --- stats file -------------------------------------------------------- */

static void stats_line(struct pwmod_stats *st, int final)
{
  double t_s = (double)(now_ns() - st->start_ns) / 1e9;
  if (st->node->kind->emit_stats(st->node, st->file, t_s, final) != 0)
    pw_log_warn("%s: cannot write rill.stats.json", st->node->kind->name);
}

static void on_stats_timer(void *data, uint64_t expirations)
{
  (void)expirations;
  stats_line(data, 0);
}

static int stats_start(struct pwmod_stats *st, struct pwmod_node *node,
                       const struct pw_properties *args, struct pw_loop *loop)
{
  const char *path = pw_properties_get(args, "rill.stats.json");
  uint64_t interval_ms;
  struct timespec period;
  int res;
  if (!path || !*path)
    return 0;
  if ((res = pwmod_get_uint(args, "rill.stats.interval.msec", 1000, 10, 3600000, 0,
                            &interval_ms)) < 0)
    return res;
  if (!(st->file = fopen(path, "w"))) {
    res = -errno;
    pw_log_error("%s: cannot write rill.stats.json %s: %s", node->kind->name, path,
                 strerror(errno));
    return res;
  }
  st->loop = loop;
  st->node = node;
  st->start_ns = now_ns();
  if (!(st->timer = pw_loop_add_timer(loop, on_stats_timer, st)))
    return -errno;
  period.tv_sec = (time_t)(interval_ms / 1000);
  period.tv_nsec = (long)(interval_ms % 1000) * 1000000;
  pw_loop_update_timer(loop, st->timer, &period, &period, false);
  return 0;
}

static void stats_stop(struct pwmod_stats *st)
{
  if (st->timer) {
    pw_loop_destroy_source(st->loop, st->timer);
    st->timer = NULL;
  }
  if (st->file) {
    if (st->node)
      stats_line(st, 1);
    fclose(st->file);
    st->file = NULL;
  }
}

/* --- stream ------------------------------------------------------------ */

static void on_stream_destroy(void *data)
{
  struct pwmod_node *node = data;
  spa_hook_remove(&node->stream_listener);
  node->stream = NULL;
}

static void on_stream_state(void *data, enum pw_stream_state old, enum pw_stream_state state,
                            const char *error)
{
  struct pwmod_node *node = data;
  (void)old;
  if (state == PW_STREAM_STATE_UNCONNECTED) {
    pw_log_info("%s: stream disconnected, unloading", node->kind->name);
    pw_impl_module_schedule_destroy(node->module);
  } else if (state == PW_STREAM_STATE_ERROR) {
    pw_log_error("%s: stream error: %s", node->kind->name, error ? error : "?");
  }
}

static void on_process(void *data)
{
  struct pwmod_node *node = data;
  node->kind->process(node);
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .destroy = on_stream_destroy,
    .state_changed = on_stream_state,
    .process = on_process,
};

/* The stream's properties: <kind>.props, then <kind>.name, then roc's defaults. */
static struct pw_properties *stream_props(const struct pwmod_kind *kind,
                                          const struct pw_properties *args)
{
  struct pw_properties *p = pw_properties_new(NULL, NULL);
  const char *str;
  if (!p)
    return NULL;
  if ((str = pw_properties_get(args, kind->props_key)) != NULL)
    pw_properties_update_string(p, str, strlen(str));
  if ((str = pw_properties_get(args, kind->name_key)) != NULL)
    pw_properties_set(p, PW_KEY_NODE_NAME, str);
  if (!pw_properties_get(p, PW_KEY_NODE_NAME))
    pw_properties_set(p, PW_KEY_NODE_NAME, kind->name);
  if (!pw_properties_get(p, PW_KEY_NODE_DESCRIPTION))
    pw_properties_set(p, PW_KEY_NODE_DESCRIPTION, kind->description);
  if (!pw_properties_get(p, PW_KEY_NODE_VIRTUAL))
    pw_properties_set(p, PW_KEY_NODE_VIRTUAL, "true");
  if (!pw_properties_get(p, PW_KEY_NODE_NETWORK))
    pw_properties_set(p, PW_KEY_NODE_NETWORK, "true");
  if (kind->media_class && !pw_properties_get(p, PW_KEY_MEDIA_CLASS))
    pw_properties_set(p, PW_KEY_MEDIA_CLASS, kind->media_class);
  return p;
}

static int stream_setup(struct pwmod_node *node, const struct pw_properties *args)
{
  uint8_t pod_buf[1024];
  struct spa_pod_builder b = SPA_POD_BUILDER_INIT(pod_buf, sizeof(pod_buf));
  const struct spa_pod *params[1];
  struct spa_audio_info_raw raw = node->info;
  struct pw_properties *props = stream_props(node->kind, args);
  if (!props)
    return -errno;
  pw_properties_setf(props, PW_KEY_NODE_RATE, "1/%u", node->info.rate);
  /* pw_stream_new takes props, also when it fails. */
  node->stream = pw_stream_new(node->core.core, node->kind->name, props);
  if (!node->stream)
    return -errno;
  pw_stream_add_listener(node->stream, &node->stream_listener, &stream_events, node);
  params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &raw);
  return pw_stream_connect(node->stream, node->kind->direction, PW_ID_ANY,
                           node->kind->flags | PW_STREAM_FLAG_MAP_BUFFERS |
                               PW_STREAM_FLAG_RT_PROCESS,
                           params, 1);
}

void pwmod_set_format(struct pwmod_node *node, uint32_t rate, uint32_t channels)
{
  memset(&node->info, 0, sizeof(node->info));
  node->info.format = SPA_AUDIO_FORMAT_F32;
  node->info.rate = rate;
  node->info.channels = channels;
  if (channels == 2) {
    node->info.position[0] = SPA_AUDIO_CHANNEL_FL;
    node->info.position[1] = SPA_AUDIO_CHANNEL_FR;
  } else if (channels == 1) {
    node->info.position[0] = SPA_AUDIO_CHANNEL_MONO;
  } else {
    node->info.flags |= SPA_AUDIO_FLAG_UNPOSITIONED;
  }
  node->stride_bytes = channels * (uint32_t)sizeof(float);
}

/* --- module ------------------------------------------------------------ */

static void node_free(struct pwmod_node *node)
{
  stats_stop(&node->stats);
  if (node->stream)
    pw_stream_destroy(node->stream);
  core_disconnect(&node->core);
  node->kind->close(node);
  free(node);
}

static void on_module_destroy(void *data)
{
  struct pwmod_node *node = data;
  spa_hook_remove(&node->module_listener);
  node_free(node);
}

static const struct pw_impl_module_events module_events = {
    PW_VERSION_IMPL_MODULE_EVENTS,
    .destroy = on_module_destroy,
};

int pwmod_module_init(struct pw_impl_module *module, const char *args_str,
                      const struct pwmod_kind *kind, struct pwmod_node *node)
{
  struct pw_context *context = pw_impl_module_get_context(module);
  struct pw_properties *args;
  int res;

  node->kind = kind;
  node->module = module;
  if (!(args = pw_properties_new_string(args_str ? args_str : ""))) {
    res = -errno;
    pw_log_error("%s: cannot parse the arguments", kind->name);
    goto fail;
  }
  if ((res = kind->setup(node, args)) < 0 ||
      (res = core_connect(&node->core, module, args, kind->name)) < 0 ||
      (res = stream_setup(node, args)) < 0 ||
      (res = stats_start(&node->stats, node, args, pw_context_get_main_loop(context))) < 0)
    goto fail;
  pw_impl_module_add_listener(module, &node->module_listener, &module_events, node);
  pw_impl_module_update_properties(module, &SPA_DICT_INIT(kind->info, kind->info_count));
  pw_properties_free(args);
  pw_log_info("%s: loaded, %u Hz, %u channels", kind->name, node->info.rate,
              node->info.channels);
  return 0;

fail:
  pw_properties_free(args);
  node_free(node);
  return res;
}
