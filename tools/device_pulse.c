/*
 * PulseAudio sound devices (device.h): a pa_stream on a
 * pa_threaded_mainloop (libpulse).
 *
 * DEVICE is a sink to play to or a source to record from ("SINK.monitor"
 * records what SINK plays); none: the server's default. --io-latency sets
 * the buffer (playback: target length; capture: fragment size), with
 * PA_STREAM_ADJUST_LATENCY so that the server sizes the device's buffer
 * for it. The stream's write (playback) or read (capture) callback runs on
 * the mainloop's thread, which is the tool's real-time thread: it asks the
 * tool's callback for as many frames as the server wants, or hands it
 * what was recorded. The server's clock drives the tool.
 *
 * Failures: the context or the stream failing or terminating (the server
 * died or was stopped) is recorded with device_fail; the mainloop keeps
 * running until close, so nothing blocks on a dead server.
 */
#include <pulse/pulseaudio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_impl.h"

struct pa_device {
  struct device head;              /* first: device.c's view */
  pa_threaded_mainloop *loop;      /* owned */
  pa_context *context;             /* owned */
  pa_stream *stream;               /* owned */
  uint32_t stride_bytes;
  enum device_direction direction;
  device_cb cb;
  void *user;
};

static void on_context_state(pa_context *c, void *data)
{
  struct pa_device *d = data;
  pa_context_state_t state = pa_context_get_state(c);
  if (state == PA_CONTEXT_FAILED || state == PA_CONTEXT_TERMINATED)
    device_fail(&d->head, "the PulseAudio server went away: %s",
                pa_strerror(pa_context_errno(c)));
  pa_threaded_mainloop_signal(d->loop, 0);
}

static void on_stream_state(pa_stream *s, void *data)
{
  struct pa_device *d = data;
  pa_stream_state_t state = pa_stream_get_state(s);
  if (state == PA_STREAM_FAILED || state == PA_STREAM_TERMINATED)
    device_fail(&d->head, "PulseAudio stream failed: %s",
                pa_strerror(pa_context_errno(pa_stream_get_context(s))));
  pa_threaded_mainloop_signal(d->loop, 0);
}

/* Mainloop thread: the server wants `nbytes` more to play. */
static void on_write(pa_stream *s, size_t nbytes, void *data)
{
  struct pa_device *d = data;
  void *buf;
  size_t frames;
  (void)nbytes;
  if (pa_stream_begin_write(s, &buf, &nbytes) < 0 || !buf)
    return;
  frames = nbytes / d->stride_bytes;
  if (frames == 0) {
    pa_stream_cancel_write(s);
    return;
  }
  d->cb(d->user, buf, frames);
  pa_stream_write(s, buf, frames * d->stride_bytes, NULL, 0, PA_SEEK_RELATIVE);
}

/* Mainloop thread: recorded audio is ready. */
static void on_read(pa_stream *s, size_t nbytes, void *data)
{
  struct pa_device *d = data;
  const void *buf;
  (void)nbytes;
  while (pa_stream_readable_size(s) > 0) {
    if (pa_stream_peek(s, &buf, &nbytes) < 0 || nbytes == 0)
      return;
    /* buf NULL: a hole in the recording; nothing to hand over. */
    if (buf)
      d->cb(d->user, (float *)(uintptr_t)buf, nbytes / d->stride_bytes);
    pa_stream_drop(s);
  }
}

static void pa_device_close(struct device *dev)
{
  struct pa_device *d = (struct pa_device *)dev;
  if (d->loop)
    pa_threaded_mainloop_stop(d->loop);
  if (d->stream) {
    pa_stream_disconnect(d->stream);
    pa_stream_unref(d->stream);
  }
  if (d->context) {
    pa_context_disconnect(d->context);
    pa_context_unref(d->context);
  }
  if (d->loop)
    pa_threaded_mainloop_free(d->loop);
  free(d);
}

/* Wait (loop locked) until `ready` or a failure; 0 when ready. */
static int wait_ready(struct pa_device *d, int (*ready)(struct pa_device *))
{
  while (!ready(d)) {
    if (atomic_load(&d->head.failing))
      return -1;
    pa_threaded_mainloop_wait(d->loop);
  }
  return 0;
}

static int context_ready(struct pa_device *d)
{
  return pa_context_get_state(d->context) == PA_CONTEXT_READY;
}

static int stream_ready(struct pa_device *d)
{
  return pa_stream_get_state(d->stream) == PA_STREAM_READY;
}

static int start_stream(struct pa_device *d, const char *target, const struct device_config *cfg)
{
  pa_sample_spec spec = {.format = PA_SAMPLE_FLOAT32LE, .rate = cfg->rate_hz,
                         .channels = (uint8_t)cfg->channels};
  uint32_t bytes = device_latency_frames(cfg) * d->stride_bytes;
  pa_buffer_attr attr = {.maxlength = (uint32_t)-1, .tlength = (uint32_t)-1,
                         .prebuf = (uint32_t)-1, .minreq = (uint32_t)-1,
                         .fragsize = (uint32_t)-1};
  pa_stream_flags_t flags = PA_STREAM_ADJUST_LATENCY | PA_STREAM_AUTO_TIMING_UPDATE;
  if (!target || !*target)
    target = NULL;
  if (!(d->stream = pa_stream_new(d->context, cfg->app_name, &spec, NULL)))
    return -1;
  pa_stream_set_state_callback(d->stream, on_stream_state, d);
  if (cfg->direction == DEVICE_PLAYBACK) {
    /* prebuf 0: play from the first write. With the default (the whole
     * target length), a server that asks for less than that first waits
     * seconds before asking again. The receiver always has frames (silence
     * at worst), so the stream never needs a prebuffer. */
    attr.tlength = bytes;
    attr.prebuf = 0;
    pa_stream_set_write_callback(d->stream, on_write, d);
    return pa_stream_connect_playback(d->stream, target, &attr, flags, NULL, NULL);
  }
  attr.fragsize = bytes;
  pa_stream_set_read_callback(d->stream, on_read, d);
  return pa_stream_connect_record(d->stream, target, &attr, flags);
}

static struct device *pa_device_open(const char *target, const struct device_config *cfg,
                                     char *err, size_t err_cap)
{
  struct pa_device *d = calloc(1, sizeof(*d));
  int ok = 0;
  if (!d) {
    snprintf(err, err_cap, "out of memory");
    return NULL;
  }
  d->head.backend = &device_pulse;
  d->direction = cfg->direction;
  d->cb = cfg->cb;
  d->user = cfg->user;
  d->stride_bytes = cfg->channels * (uint32_t)sizeof(float);
  if (cfg->channels > PA_CHANNELS_MAX || !(d->loop = pa_threaded_mainloop_new()) ||
      !(d->context = pa_context_new(pa_threaded_mainloop_get_api(d->loop), cfg->app_name))) {
    snprintf(err, err_cap, "PulseAudio: cannot create a context");
    goto fail;
  }
  pa_context_set_state_callback(d->context, on_context_state, d);
  pa_threaded_mainloop_lock(d->loop);
  if (pa_context_connect(d->context, NULL, PA_CONTEXT_NOAUTOSPAWN, NULL) < 0 ||
      pa_threaded_mainloop_start(d->loop) < 0 || wait_ready(d, context_ready) != 0) {
    snprintf(err, err_cap, "cannot connect to PulseAudio: %s (is the server running?)",
             pa_strerror(pa_context_errno(d->context)));
  } else if (start_stream(d, target, cfg) < 0 || wait_ready(d, stream_ready) != 0) {
    snprintf(err, err_cap, "PulseAudio: cannot open %s%s: %s",
             target && *target ? "device " : "the default device", target ? target : "",
             pa_strerror(pa_context_errno(d->context)));
  } else {
    ok = 1;
  }
  pa_threaded_mainloop_unlock(d->loop);
  if (ok)
    return &d->head;
fail:
  pa_device_close(&d->head);
  return NULL;
}

const struct device_backend device_pulse = {
    .scheme = "pulse",
    .open = pa_device_open,
    .close = pa_device_close,
};
