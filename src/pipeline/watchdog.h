/*
 * Session watchdog (reader side): ends a session that plays no audio for
 * too long (packets arrive but are all late, or stopped before the network
 * side's session timeout), or that has been choppy (a gap or an underrun in
 * every CHOPPY_WINDOW_NS window) for too long. If the sender goes on, its
 * next packet starts a fresh session.
 *
 * Pure: time is passed in, nothing is logged (the caller is the real-time
 * reader and counts what fires). Thread role: the session's reader.
 */
#ifndef RILL_PIPELINE_WATCHDOG_H
#define RILL_PIPELINE_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#define WATCHDOG_CHOPPY_WINDOW_NS INT64_C(250000000) /* a window with a gap is choppy */

struct watchdog_params {
  int64_t no_play_timeout_ns; /* no audio played this long ends a session; <= 0: off */
  int64_t choppy_timeout_ns;  /* choppy this long ends a session; <= 0: off */
  int64_t priming_ns;         /* grace before the first audio (the target latency) */
};

struct watchdog {
  int64_t last_audio_ns;   /* last check that played audio; 0: none yet */
  int64_t window_start_ns; /* current choppiness window; 0: none yet */
  uint64_t window_gaps;    /* gap count when the window started */
  int64_t choppy_since_ns; /* first of the consecutive choppy windows; 0: none */
  bool played_once;        /* some audio was played */
};

/* A new session. */
void watchdog_reset(struct watchdog *w);

/*
 * One read of the session at `now_ns`: `audio` tells whether it played any
 * audio, `gaps` is its running count of gaps and underruns. True when the
 * session must end.
 */
bool watchdog_check(struct watchdog *w, const struct watchdog_params *p, bool audio,
                    uint64_t gaps, int64_t now_ns);

#endif /* RILL_PIPELINE_WATCHDOG_H */
