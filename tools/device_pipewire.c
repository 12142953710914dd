/*
 * PipeWire sound devices (device.h): a pw_stream on a pw_thread_loop.
 *
 * Playback streams are Stream/Output/Audio, capture streams
 * Stream/Input/Audio, with target.object = TARGET when given (a node name
 * or serial: a sink to play to, a source to capture; "SINK.monitor"
 * captures what SINK plays, with stream.capture.sink),
 * node.latency from --io-latency, and PIPEWIRE_PROPS from the environment
 * on top (PipeWire applies it). The process callback runs on PipeWire's
 * real-time data thread (PW_STREAM_FLAG_RT_PROCESS) and calls the tool's
 * callback with the buffer's frames: the graph's clock drives the tool.
 *
 * Failures: the server closing the connection (core error EPIPE: it died
 * or was stopped), the stream going to the error state or being
 * disconnected (its node destroyed), are recorded with device_fail; the
 * tool's main thread reports them and reopens the device.
 */
#include <errno.h>
#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/utils/result.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_impl.h"

struct pw_device {
  struct device head;              /* first: device.c's view */
  struct pw_thread_loop *loop;     /* owned */
  struct pw_context *context;      /* owned */
  struct pw_core *core;            /* owned */
  struct spa_hook core_listener;
  struct pw_stream *stream;        /* owned */
  struct spa_hook stream_listener;
  uint32_t stride_bytes;
  enum device_direction direction;
  int closing;                     /* set before the stream is destroyed */
  device_cb cb;
  void *user;
};

/* Data thread: hand the tool the buffer's frames. */
static void on_process(void *data)
{
  struct pw_device *d = data;
  struct pw_buffer *b = pw_stream_dequeue_buffer(d->stream);
  struct spa_data *sd;
  if (!b)
    return;
  sd = &b->buffer->datas[0];
  if (sd->data && d->direction == DEVICE_PLAYBACK) {
    uint32_t frames = sd->maxsize / d->stride_bytes;
    if (b->requested > 0 && b->requested < frames)
      frames = (uint32_t)b->requested;
    d->cb(d->user, sd->data, frames);
    sd->chunk->offset = 0;
    sd->chunk->stride = (int32_t)d->stride_bytes;
    sd->chunk->size = frames * d->stride_bytes;
  } else if (sd->data && sd->chunk->offset <= sd->maxsize) {
    uint32_t size = SPA_MIN(sd->chunk->size, sd->maxsize - sd->chunk->offset);
    d->cb(d->user, SPA_PTROFF(sd->data, sd->chunk->offset, float), size / d->stride_bytes);
  }
  pw_stream_queue_buffer(d->stream, b);
}

static void on_stream_state(void *data, enum pw_stream_state old, enum pw_stream_state state,
                            const char *error)
{
  struct pw_device *d = data;
  if (state == PW_STREAM_STATE_ERROR)
    device_fail(&d->head, "PipeWire stream error: %s", error ? error : "unknown");
  /* The server dropped the stream (its node was destroyed): open it anew. */
  else if (state == PW_STREAM_STATE_UNCONNECTED && old != PW_STREAM_STATE_UNCONNECTED &&
           !d->closing)
    device_fail(&d->head, "the PipeWire stream was disconnected");
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_stream_state,
    .process = on_process,
};

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
  struct pw_device *d = data;
  (void)seq;
  if (id == PW_ID_CORE && res == -EPIPE)
    device_fail(&d->head, "the PipeWire server went away");
  else if (id == PW_ID_CORE || (d->stream && id == pw_stream_get_node_id(d->stream)))
    device_fail(&d->head, "PipeWire: %s (%s)", message ? message : "error", spa_strerror(res));
}

static const struct pw_core_events core_events = {
    PW_VERSION_CORE_EVENTS,
    .error = on_core_error,
};

static void pw_device_close(struct device *dev)
{
  struct pw_device *d = (struct pw_device *)dev;
  if (d->loop)
    pw_thread_loop_stop(d->loop);
  d->closing = 1;
  if (d->stream)
    pw_stream_destroy(d->stream);
  if (d->core) {
    spa_hook_remove(&d->core_listener);
    pw_core_disconnect(d->core);
  }
  if (d->context)
    pw_context_destroy(d->context);
  if (d->loop)
    pw_thread_loop_destroy(d->loop);
  free(d);
  pw_deinit();
}

static struct pw_properties *stream_props(const char *target, const struct device_config *cfg)
{
  int playback = cfg->direction == DEVICE_PLAYBACK;
  struct pw_properties *p =
      pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY,
                        playback ? "Playback" : "Capture", PW_KEY_MEDIA_ROLE, "Music",
                        PW_KEY_NODE_NAME, cfg->app_name, PW_KEY_APP_NAME, cfg->app_name, NULL);
  if (!p)
    return NULL;
  pw_properties_setf(p, PW_KEY_NODE_LATENCY, "%u/%u", device_latency_frames(cfg), cfg->rate_hz);
  if (target && *target) {
    size_t n = strlen(target);
    /* "SINK.monitor", as PulseAudio names it: capture what SINK plays. */
    if (!playback && n > 8 && strcmp(target + n - 8, ".monitor") == 0) {
      pw_properties_setf(p, PW_KEY_TARGET_OBJECT, "%.*s", (int)(n - 8), target);
      pw_properties_set(p, PW_KEY_STREAM_CAPTURE_SINK, "true");
    } else {
      pw_properties_set(p, PW_KEY_TARGET_OBJECT, target);
    }
  }
  return p;
}

static struct device *pw_device_open(const char *target, const struct device_config *cfg,
                                     char *err, size_t err_cap)
{
  struct pw_device *d;
  struct pw_properties *props;
  struct spa_audio_info_raw info;
  uint8_t pod_buf[1024];
  struct spa_pod_builder b = SPA_POD_BUILDER_INIT(pod_buf, sizeof(pod_buf));
  const struct spa_pod *params[1];
  int res;

  pw_init(NULL, NULL);
  if (!(d = calloc(1, sizeof(*d)))) {
    pw_deinit();
    snprintf(err, err_cap, "out of memory");
    return NULL;
  }
  d->head.backend = &device_pipewire;
  d->direction = cfg->direction;
  d->cb = cfg->cb;
  d->user = cfg->user;
  d->stride_bytes = cfg->channels * (uint32_t)sizeof(float);
  if (!(d->loop = pw_thread_loop_new(cfg->app_name, NULL)) ||
      !(d->context = pw_context_new(pw_thread_loop_get_loop(d->loop), NULL, 0))) {
    snprintf(err, err_cap, "PipeWire: cannot create a context: %s", strerror(errno));
    goto fail;
  }
  if (!(d->core = pw_context_connect(d->context, NULL, 0))) {
    snprintf(err, err_cap, "cannot connect to PipeWire: %s (is the server running?)",
             strerror(errno));
    goto fail;
  }
  pw_core_add_listener(d->core, &d->core_listener, &core_events, d);
  if (!(props = stream_props(target, cfg)) ||
      !(d->stream = pw_stream_new(d->core, cfg->app_name, props))) {
    snprintf(err, err_cap, "PipeWire: cannot create a stream: %s", strerror(errno));
    goto fail;
  }
  pw_stream_add_listener(d->stream, &d->stream_listener, &stream_events, d);
  memset(&info, 0, sizeof(info));
  info.format = SPA_AUDIO_FORMAT_F32;
  info.rate = cfg->rate_hz;
  info.channels = cfg->channels;
  if (cfg->channels == 2) {
    info.position[0] = SPA_AUDIO_CHANNEL_FL;
    info.position[1] = SPA_AUDIO_CHANNEL_FR;
  } else if (cfg->channels == 1) {
    info.position[0] = SPA_AUDIO_CHANNEL_MONO;
  } else {
    info.flags |= SPA_AUDIO_FLAG_UNPOSITIONED;
  }
  params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
  res = pw_stream_connect(d->stream,
                          cfg->direction == DEVICE_PLAYBACK ? PW_DIRECTION_OUTPUT
                                                            : PW_DIRECTION_INPUT,
                          PW_ID_ANY,
                          PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                              PW_STREAM_FLAG_RT_PROCESS,
                          params, 1);
  if (res < 0) {
    snprintf(err, err_cap, "PipeWire: cannot connect the stream: %s", spa_strerror(res));
    goto fail;
  }
  if (pw_thread_loop_start(d->loop) < 0) {
    snprintf(err, err_cap, "PipeWire: cannot start its thread");
    goto fail;
  }
  return &d->head;

fail:
  pw_device_close(&d->head);
  return NULL;
}

const struct device_backend device_pipewire = {
    .scheme = "pipewire",
    .open = pw_device_open,
    .close = pw_device_close,
};
