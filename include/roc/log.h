/*
 * Logging of the roc 0.4 API. rill's log lines go to the roc handler: rill
 * errors as ROC_LOG_ERROR, warnings and information as ROC_LOG_INFO, debug
 * as ROC_LOG_DEBUG.
 */
#ifndef ROC_LOG_H_
#define ROC_LOG_H_

#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum roc_log_level {
  ROC_LOG_NONE = 0,
  ROC_LOG_ERROR = 1,
  ROC_LOG_INFO = 2,
  ROC_LOG_NOTE = 3,
  ROC_LOG_DEBUG = 4,
  ROC_LOG_TRACE = 5
} roc_log_level;

/* One log line; strings are valid only during the handler call. */
typedef struct roc_log_message {
  roc_log_level level;
  const char *module;     /* the part of rill that logged */
  const char *file;       /* NULL with rill */
  int line;               /* 0 with rill */
  unsigned long long time; /* nanoseconds since the Unix epoch */
  unsigned long long pid;
  unsigned long long tid;
  const char *text;
} roc_log_message;

typedef void (*roc_log_handler)(const roc_log_message *message, void *argument);

/* Drop lines above `level`. Default: ROC_LOG_ERROR. Thread role: any. */
ROC_API void roc_log_set_level(roc_log_level level);

/*
 * Send lines to `handler` (NULL: stderr), with `argument`. Calls are
 * serialized; the previous handler is not called after this returns.
 * Thread role: any.
 */
ROC_API void roc_log_set_handler(roc_log_handler handler, void *argument);

#ifdef __cplusplus
}
#endif

#endif /* ROC_LOG_H_ */
