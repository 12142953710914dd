/*
 * What libpipewire-module-rill-source and -sink share: reading their
 * arguments (the keys of PipeWire's module-roc-source/-sink, and rill's
 * extra keys) and endpoint URIs (pwmod_args.c); the node's life, from the
 * module's load to its unload: connection, stream, stats file
 * (pwmod_node.c).
 *
 * Everything here runs on PipeWire's main loop (rill's control role) but
 * the process callback, which the data loop calls (real-time role). Public
 * API of rill and PipeWire only.
 */
#ifndef RILL_MODULES_PWMOD_H
#define RILL_MODULES_PWMOD_H

#include <pipewire/pipewire.h>
#include <spa/param/audio/raw.h>
#include <stdint.h>
#include <stdio.h>

/* FEC schemes of fec.code, as roc's modules take them (empty: rs8m, roc's default). */
enum pwmod_fec {
  PWMOD_FEC_NONE,
  PWMOD_FEC_RS8M,
  PWMOD_FEC_LDPC,
};

/*
 * The unsigned integer under `key` in `props`, or `def` when the key is
 * absent. Size suffixes K, M, G are accepted when `sizes` is nonzero.
 * Returns 0, or -EINVAL after a pw_log_error naming the key, the value and
 * the range [min, max].
 */
int pwmod_get_uint(const struct pw_properties *props, const char *key, uint64_t def,
                   uint64_t min, uint64_t max, int sizes, uint64_t *out);

/* fec.code: "disable", "rs8m", "ldpc", or absent/empty (rs8m). -EINVAL when unknown. */
int pwmod_get_fec(const struct pw_properties *props, enum pwmod_fec *out);

/*
 * Write the endpoint URI for `ip` and `port` into out (`cap` bytes): the
 * source endpoint (repair 0: "rtp://", "rtp+rs8m://", "rtp+ldpc://") or the
 * repair endpoint (repair 1: "rs8m://", "ldpc://"). An IPv6 address is put
 * in brackets. Returns 0, or -EINVAL if it does not fit.
 */
int pwmod_uri(char *out, size_t cap, enum pwmod_fec fec, int repair, const char *ip,
              uint64_t port);

/*
 * The module's connection to PipeWire: the context's own core when the
 * module runs inside the daemon that has one, a new connection otherwise
 * (remote.name in the arguments). An error on it (a vanished server) or its
 * destruction unloads the module, as roc's modules do.
 */
struct pwmod_core {
  struct pw_core *core;           /* owned when do_disconnect, else borrowed */
  struct pw_impl_module *module;  /* borrowed */
  const char *name;               /* borrowed: the module's name, for the log */
  struct spa_hook listener;
  struct spa_hook proxy_listener;
  int do_disconnect;
};

/*
 * The stats file (rill.stats.json): every rill.stats.interval.msec the
 * module writes one JSON line (tools/stats_json.h format); at unload, a last
 * one with "final": true. The timer runs on the main loop.
 */
struct pwmod_stats {
  struct pw_loop *loop;      /* borrowed: the context's main loop */
  struct spa_source *timer;  /* owned, NULL when no stats file */
  FILE *file;                /* owned */
  int64_t start_ns;
  struct pwmod_node *node;   /* borrowed */
};

struct pwmod_node;

/* What makes a module a source or a sink. */
struct pwmod_kind {
  const char *name;            /* "rill-source": node name default, log prefix */
  const char *description;     /* node.description default */
  const char *name_key;        /* "source.name": sets node.name */
  const char *props_key;       /* "source.props": the stream's properties */
  const char *media_class;     /* media.class default, or NULL */
  enum spa_direction direction; /* PW_DIRECTION_OUTPUT (source) or _INPUT (sink) */
  enum pw_stream_flags flags;  /* besides MAP_BUFFERS and RT_PROCESS */
  const struct spa_dict_item *info; /* module properties (usage, ...) */
  uint32_t info_count;
  /* Main loop: open the rill object from the arguments and fill
   * node->info (format, rate, channels, positions). 0 or a negative errno
   * after a pw_log_error. */
  int (*setup)(struct pwmod_node *node, const struct pw_properties *args);
  /* Data loop (real-time): the stream's process callback. */
  void (*process)(struct pwmod_node *node);
  /* Main loop: one stats line; 0 or -1. */
  int (*emit_stats)(struct pwmod_node *node, FILE *f, double t_s, int final);
  /* Main loop: close the rill objects (after the stream is gone). */
  void (*close)(struct pwmod_node *node);
};

/*
 * The PipeWire side of a module: its stream, connection and stats file.
 * The first member of each module's own state, which pwmod frees.
 */
struct pwmod_node {
  const struct pwmod_kind *kind; /* borrowed, static */
  struct pw_impl_module *module; /* borrowed */
  struct spa_hook module_listener;
  struct pwmod_core core;
  struct pw_stream *stream;      /* owned */
  struct spa_hook stream_listener;
  struct pwmod_stats stats;
  struct spa_audio_info_raw info; /* the stream's format, set by kind->setup */
  uint32_t stride_bytes;          /* bytes per frame, set by kind->setup */
};

/*
 * pipewire__module_init for a module whose state `node` (zeroed, allocated
 * with malloc; struct pwmod_node first) is of `kind`: parse the arguments,
 * kind->setup, connect, create and connect the stream, start the stats
 * file. On failure everything is undone, `node` freed included, and a
 * negative errno returned.
 */
int pwmod_module_init(struct pw_impl_module *module, const char *args,
                      const struct pwmod_kind *kind, struct pwmod_node *node);

/*
 * Fill node->info and node->stride_bytes for float32 at `rate` and
 * `channels` (FL FR for 2, MONO for 1, unpositioned otherwise).
 */
void pwmod_set_format(struct pwmod_node *node, uint32_t rate, uint32_t channels);

#endif /* RILL_MODULES_PWMOD_H */
