/*
 * Logging. The level is an atomic, so any thread can test it cheaply before
 * formatting. The handler is set by the control role while nothing logs.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int log_level = RILL_LOG_WARN;
static rill_log_handler log_handler;
static void *log_user;

void rill_log_set_level(enum rill_log_level level)
{
  if ((int)level < RILL_LOG_NONE)
    level = RILL_LOG_NONE;
  if ((int)level > RILL_LOG_DEBUG)
    level = RILL_LOG_DEBUG;
  atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

enum rill_log_level rill_log_get_level(void)
{
  return (enum rill_log_level)atomic_load_explicit(&log_level, memory_order_relaxed);
}

void rill_log_set_handler(rill_log_handler handler, void *user)
{
  log_handler = handler;
  log_user = user;
}

static const char *level_name(enum rill_log_level level)
{
  switch (level) {
  case RILL_LOG_ERROR:
    return "error";
  case RILL_LOG_WARN:
    return "warning";
  case RILL_LOG_INFO:
    return "info";
  case RILL_LOG_DEBUG:
    return "debug";
  default:
    return "log";
  }
}

void rill__log(enum rill_log_level level, const char *module, const char *fmt, ...)
{
  char line[LOG_LINE_BYTES];
  va_list ap;

  if ((int)level > atomic_load_explicit(&log_level, memory_order_relaxed) ||
      level == RILL_LOG_NONE)
    return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (log_handler)
    log_handler(level, module, line, log_user);
  else
    fprintf(stderr, "rill: %s: %s: %s\n", level_name(level), module, line);
}

void ratelimit_init(struct rill_ratelimit *rl, int64_t interval_ns, uint32_t burst)
{
  rl->interval_ns = interval_ns;
  rl->burst = burst ? burst : 1;
  rl->window_start_ns = INT64_MIN;
  rl->in_window = 0;
  rl->suppressed = 0;
}

bool ratelimit_allow(struct rill_ratelimit *rl, int64_t now_ns, uint32_t *suppressed)
{
  if (rl->window_start_ns == INT64_MIN || now_ns - rl->window_start_ns >= rl->interval_ns) {
    rl->window_start_ns = now_ns;
    rl->in_window = 0;
  }
  if (rl->in_window >= rl->burst) {
    rl->suppressed++;
    return false;
  }
  rl->in_window++;
  if (suppressed)
    *suppressed = rl->suppressed;
  rl->suppressed = 0;
  return true;
}
