/*
 * Session watchdog: see watchdog.h.
 */
#include "pipeline/watchdog.h"

#include <string.h>

void watchdog_reset(struct watchdog *w)
{
  memset(w, 0, sizeof(*w));
}

bool watchdog_check(struct watchdog *w, const struct watchdog_params *p, bool audio,
                    uint64_t gaps, int64_t now_ns)
{
  int64_t limit = p->no_play_timeout_ns;
  if (w->last_audio_ns == 0 || audio)
    w->last_audio_ns = now_ns;
  if (audio)
    w->played_once = true;
  /* Before the first audio, priming the target latency is not a stall. */
  if (!w->played_once)
    limit += p->priming_ns;
  if (p->no_play_timeout_ns > 0 && now_ns - w->last_audio_ns > limit)
    return true;
  if (p->choppy_timeout_ns <= 0)
    return false;
  if (w->window_start_ns == 0) {
    w->window_start_ns = now_ns;
    w->window_gaps = gaps;
  } else if (now_ns - w->window_start_ns >= WATCHDOG_CHOPPY_WINDOW_NS) {
    if (gaps > w->window_gaps) {
      if (w->choppy_since_ns == 0)
        w->choppy_since_ns = w->window_start_ns;
      if (now_ns - w->choppy_since_ns >= p->choppy_timeout_ns)
        return true;
    } else {
      w->choppy_since_ns = 0;
    }
    w->window_start_ns = now_ns;
    w->window_gaps = gaps;
  }
  return false;
}
