/*
 * Sound devices (device.h): the URI's scheme picks the backend; the
 * failure report that all backends share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "device_impl.h"

static const struct device_backend *const backends[] = {
#ifdef RILL_TOOLS_PIPEWIRE
    &device_pipewire,
#endif
#ifdef RILL_TOOLS_PULSE
    &device_pulse,
#endif
    NULL,
};

/* "scheme://rest": the rest, or NULL when `name` is not of that scheme. */
static const char *after_scheme(const char *name, const char *scheme)
{
  size_t n = strlen(scheme);
  if (strncmp(name, scheme, n) != 0 || strncmp(name + n, "://", 3) != 0)
    return NULL;
  return name + n + 3;
}

int device_is_uri(const char *name)
{
  return name && (after_scheme(name, "pipewire") || after_scheme(name, "pulse"));
}

struct device *device_open(const char *uri, const struct device_config *cfg, char *err,
                           size_t err_cap)
{
  const struct device_backend *const *b;
  char first_err[256] = "";
  if (!uri) {
    /* The default output: the first backend whose server answers. */
    for (b = backends; *b; b++) {
      struct device *dev = (*b)->open(NULL, cfg, err, err_cap);
      if (dev)
        return dev;
      if (!first_err[0])
        snprintf(first_err, sizeof(first_err), "%s", err);
    }
    snprintf(err, err_cap, "no sound server: %s",
             first_err[0] ? first_err : "rill was built without PipeWire and PulseAudio");
    return NULL;
  }
  for (b = backends; *b; b++) {
    const char *target = after_scheme(uri, (*b)->scheme);
    if (target)
      return (*b)->open(target, cfg, err, err_cap);
  }
  snprintf(err, err_cap, "'%s': %s", uri,
           device_is_uri(uri) ? "this rill-send/rill-recv was built without that sound system"
                              : "not a device (pipewire://[TARGET] or pulse://[DEVICE])");
  return NULL;
}

void device_fail(struct device *dev, const char *fmt, ...)
{
  va_list ap;
  if (atomic_exchange(&dev->failing, 1))
    return;
  va_start(ap, fmt);
  vsnprintf(dev->reason, sizeof(dev->reason), fmt, ap);
  va_end(ap);
  atomic_store_explicit(&dev->failed, 1, memory_order_release);
}

int device_failed(struct device *dev, char *err, size_t err_cap)
{
  if (!atomic_load_explicit(&dev->failed, memory_order_acquire))
    return 0;
  snprintf(err, err_cap, "%s", dev->reason);
  return 1;
}

uint32_t device_latency_frames(const struct device_config *cfg)
{
  int64_t frames = cfg->latency_ns * (int64_t)cfg->rate_hz / 1000000000;
  return frames < 64 ? 64 : (uint32_t)frames;
}

#define RECONNECT_PERIOD_NS 1000000000

int device_link_open(struct device_link *link, const char *uri, const struct device_config *cfg,
                     const char *tool, char *err, size_t err_cap)
{
  memset(link, 0, sizeof(*link));
  link->uri = uri;
  link->cfg = *cfg;
  link->tool = tool;
  link->dev = device_open(uri, cfg, err, err_cap);
  return link->dev ? 0 : -1;
}

void device_link_poll(struct device_link *link, int64_t now_ns)
{
  char err[256];
  if (link->dev && device_failed(link->dev, err, sizeof(err))) {
    fprintf(stderr, "%s: %s; reconnecting\n", link->tool, err);
    device_close(link->dev);
    link->dev = NULL;
    link->retry_ns = now_ns + RECONNECT_PERIOD_NS;
  }
  if (!link->dev && now_ns >= link->retry_ns) {
    link->dev = device_open(link->uri, &link->cfg, err, sizeof(err));
    if (link->dev) {
      link->reconnects++;
      fprintf(stderr, "%s: %s: reconnected\n", link->tool,
              link->uri ? link->uri : "the default output");
    } else {
      link->retry_ns = now_ns + RECONNECT_PERIOD_NS;
    }
  }
}

void device_link_close(struct device_link *link)
{
  device_close(link->dev);
  link->dev = NULL;
}

void device_close(struct device *dev)
{
  if (dev)
    dev->backend->close(dev);
}
