/*
 * What the sound-device backends share (device.c dispatches on the URI's
 * scheme): the head of every backend's device, and the failure report.
 */
#ifndef RILL_TOOLS_DEVICE_IMPL_H
#define RILL_TOOLS_DEVICE_IMPL_H

#include <stdatomic.h>

#include "device.h"

struct device_backend {
  const char *scheme; /* "pipewire", "pulse" */
  /* `target`: what follows "scheme://", NULL or "" for the default. */
  struct device *(*open)(const char *target, const struct device_config *cfg, char *err,
                         size_t err_cap);
  void (*close)(struct device *dev);
};

/* First member of each backend's device. */
struct device {
  const struct device_backend *backend;
  atomic_int failing;  /* set by the first failure, which writes reason */
  atomic_int failed;   /* set once reason is written (release) */
  char reason[256];
};

/*
 * Record the device's failure (the first one only): a printf-style reason.
 * Called from the backend's threads.
 */
void device_fail(struct device *dev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frames of the device buffer for latency_ns at rate_hz (at least 64). */
uint32_t device_latency_frames(const struct device_config *cfg);

#ifdef RILL_TOOLS_PIPEWIRE
extern const struct device_backend device_pipewire;
#endif
#ifdef RILL_TOOLS_PULSE
extern const struct device_backend device_pulse;
#endif

#endif /* RILL_TOOLS_DEVICE_IMPL_H */
