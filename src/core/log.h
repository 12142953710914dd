/*
 * Internal logging and a rate limiter for repeated messages.
 * Thread role: any. Formatting uses a fixed stack buffer; nothing allocates.
 */
#ifndef RILL_CORE_LOG_H
#define RILL_CORE_LOG_H

#include <rill/log.h>
#include <stdbool.h>
#include <stdint.h>

#define LOG_LINE_BYTES 512

void rill__log(enum rill_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define RILL_LOG(level, module, ...)                   \
  do {                                                 \
    if ((int)(level) <= (int)rill_log_get_level())     \
      rill__log((level), (module), __VA_ARGS__);       \
  } while (0)

/*
 * Rate limiter: at most `burst` events per `interval_ns`. Not thread-safe:
 * each limiter belongs to one thread role (like the counters it guards).
 */
struct rill_ratelimit {
  int64_t interval_ns;
  uint32_t burst;
  int64_t window_start_ns;
  uint32_t in_window;
  uint32_t suppressed; /* events refused since the last allowed one */
};

void ratelimit_init(struct rill_ratelimit *rl, int64_t interval_ns, uint32_t burst);

/*
 * True if an event at `now_ns` may be reported. When it returns true,
 * *suppressed (if not NULL) gets the number of events refused since the last
 * allowed one, so the message can say "(N similar suppressed)".
 */
bool ratelimit_allow(struct rill_ratelimit *rl, int64_t now_ns, uint32_t *suppressed);

#endif /* RILL_CORE_LOG_H */
