/*
 * Sound devices for the tools: "pipewire://[TARGET]" (PipeWire, pw_stream)
 * and "pulse://[DEVICE]" (PulseAudio, libpulse), for playback (rill-recv)
 * and capture (rill-send). Interleaved float32.
 *
 * The device's clock drives the audio: the backend calls `cb` on its own
 * real-time thread whenever the device wants frames (playback: fill
 * `samples`) or has frames (capture: `samples` holds them). So for
 * rill-recv the sound card's clock is the reader's clock, and rill's drift
 * compensation keeps the latency steady against it. `cb` must not block.
 *
 * A device that fails later (the server vanished, the stream errored) is
 * reported by device_failed with a one-line reason. struct device_link
 * (below) reports it in one line and reopens the device once a second until
 * the server is back.
 */
#ifndef RILL_TOOLS_DEVICE_H
#define RILL_TOOLS_DEVICE_H

#include <stddef.h>
#include <stdint.h>

enum device_direction {
  DEVICE_PLAYBACK,
  DEVICE_CAPTURE,
};

/* Called on the device's real-time thread with `frames` frames. */
typedef void (*device_cb)(void *user, float *samples, size_t frames);

struct device_config {
  enum device_direction direction;
  uint32_t rate_hz;
  uint32_t channels;
  int64_t latency_ns;      /* device buffer (--io-latency) */
  const char *app_name;    /* "rill-recv": node and client name */
  device_cb cb;
  void *user;              /* passed to cb */
};

struct device;

/* Nonzero when `name` names a device ("pipewire://..." or "pulse://..."). */
int device_is_uri(const char *name);

/*
 * Open and start the device `uri` (NULL: the default output, PipeWire if
 * its server answers, else PulseAudio). Returns NULL with a one-line
 * message in err (no server, unknown device, backend not built).
 */
struct device *device_open(const char *uri, const struct device_config *cfg, char *err,
                           size_t err_cap);

/* Nonzero, with the reason in err, once the device has failed. Any thread. */
int device_failed(struct device *dev, char *err, size_t err_cap);

/* Stop the device (cb is no longer called when this returns) and free it. */
void device_close(struct device *dev);

/*
 * A device that reopens itself: after a failure, one line on stderr
 * ("TOOL: <reason>; reconnecting"), then an attempt to open it again every
 * second; when one succeeds, one line ("TOOL: <uri>: reconnected"). While it
 * is closed, cb is not called (a receiver nobody reads goes idle; a sender
 * sends nothing). Main thread only.
 */
struct device_link {
  const char *uri;            /* borrowed; NULL: the default output */
  struct device_config cfg;
  const char *tool;           /* "rill-recv", for the lines on stderr */
  struct device *dev;         /* owned; NULL while reconnecting */
  int64_t retry_ns;           /* next attempt, monotonic */
  unsigned reconnects;        /* times it came back */
};

/*
 * Open the device the first time (a failure here is the caller's error to
 * report: 0 or -1 with the reason in err).
 */
int device_link_open(struct device_link *link, const char *uri, const struct device_config *cfg,
                     const char *tool, char *err, size_t err_cap);

/* Check the device at monotonic time now_ns: report a failure, reconnect. */
void device_link_poll(struct device_link *link, int64_t now_ns);

/* Close the device if open. */
void device_link_close(struct device_link *link);

#endif /* RILL_TOOLS_DEVICE_H */
