/*
 * Logging: a process-wide level and an optional handler.
 *
 * rill logs rarely: errors, warnings and state changes. Per-packet outcomes
 * are counted in metrics, never logged, and repeated warnings are
 * rate-limited (one line per cause per few seconds).
 */
#ifndef RILL_LOG_H
#define RILL_LOG_H

#include <rill/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rill_log_level {
  RILL_LOG_NONE = 0,
  RILL_LOG_ERROR = 1,
  RILL_LOG_WARN = 2,
  RILL_LOG_INFO = 3,
  RILL_LOG_DEBUG = 4,
};

/*
 * Receives each log line (no trailing newline). `module` names the part of
 * rill that logs ("receiver", "net", ...). Called from whichever thread logs,
 * the network thread included: it must be quick and must not call back into
 * rill. Strings are valid only during the call.
 */
typedef void (*rill_log_handler)(enum rill_log_level level, const char *module,
                                 const char *message, void *user);

/*
 * Lines above `level` are discarded. Default: RILL_LOG_WARN.
 * Thread role: any.
 */
RILL_API void rill_log_set_level(enum rill_log_level level);

/* Current level. Thread role: any. */
RILL_API enum rill_log_level rill_log_get_level(void);

/*
 * Send log lines to `handler` (NULL restores the default: one line on
 * stderr, "rill: <level>: <module>: <message>"). `user` is passed back.
 * Thread role: control, while no rill object is open.
 */
RILL_API void rill_log_set_handler(rill_log_handler handler, void *user);

#ifdef __cplusplus
}
#endif

#endif /* RILL_LOG_H */
