/*
 * roc 0.4 API: context, log and version.
 *
 * A roc context is a rill context with a finite budget (RILL_ROC_MAX_MEM,
 * or rill's default) plus the table of encodings registered on it.
 *
 * Log bridge. rill has one process-wide handler, set by the control role
 * while nothing logs; so the bridge is installed once (the first
 * roc_context_open or roc_log_set_* call) and never replaced. The roc
 * handler it forwards to may change at any time: it is read and called
 * under a mutex, which also serializes the calls as roc promises.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <roc/context.h>
#include <roc/log.h>
#include <roc/version.h>

#include "core/log.h"
#include "roc/roc_internal.h"

static pthread_once_t bridge_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static roc_log_handler roc_handler;  /* guarded by handler_lock */
static void *roc_handler_arg;        /* guarded by handler_lock */

static roc_log_level level_to_roc(enum rill_log_level level)
{
  switch (level) {
  case RILL_LOG_ERROR:
    return ROC_LOG_ERROR;
  case RILL_LOG_WARN:
  case RILL_LOG_INFO:
    return ROC_LOG_INFO;
  default:
    return ROC_LOG_DEBUG;
  }
}

static const char *roc_level_name(roc_log_level level)
{
  static const char *const names[] = {"none", "err", "inf", "note", "dbg", "trc"};
  return (unsigned)level < 6 ? names[level] : "log";
}

static void bridge(enum rill_log_level level, const char *module, const char *message, void *user)
{
  struct timespec ts;
  roc_log_message m;
  (void)user;
  clock_gettime(CLOCK_REALTIME, &ts);
  memset(&m, 0, sizeof(m));
  m.level = level_to_roc(level);
  m.module = module;
  m.time = (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
  m.pid = (unsigned long long)getpid();
  m.tid = (unsigned long long)syscall(SYS_gettid);
  m.text = message;
  pthread_mutex_lock(&handler_lock);
  if (roc_handler)
    roc_handler(&m, roc_handler_arg);
  else
    fprintf(stderr, "[%s] roc(rill) %s: %s\n", roc_level_name(m.level), module, message);
  pthread_mutex_unlock(&handler_lock);
}

static void bridge_install_once(void)
{
  /* roc's default level is ERROR. */
  rill_log_set_level(RILL_LOG_ERROR);
  rill_log_set_handler(bridge, NULL);
}

void roc__log_bridge_install(void)
{
  pthread_once(&bridge_once, bridge_install_once);
}

void roc__log(enum rill_log_level level, const char *fmt, ...)
{
  char line[LOG_LINE_BYTES];
  va_list ap;
  if ((int)level > (int)rill_log_get_level())
    return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  rill__log(level, "roc", "%s", line);
}

ROC_API void roc_log_set_level(roc_log_level level)
{
  static const enum rill_log_level map[] = {RILL_LOG_NONE, RILL_LOG_ERROR, RILL_LOG_INFO,
                                            RILL_LOG_INFO, RILL_LOG_DEBUG, RILL_LOG_DEBUG};
  roc__log_bridge_install();
  if ((int)level < 0)
    level = ROC_LOG_NONE;
  if ((int)level > ROC_LOG_TRACE)
    level = ROC_LOG_TRACE;
  rill_log_set_level(map[level]);
}

ROC_API void roc_log_set_handler(roc_log_handler handler, void *argument)
{
  roc__log_bridge_install();
  pthread_mutex_lock(&handler_lock);
  roc_handler = handler;
  roc_handler_arg = argument;
  pthread_mutex_unlock(&handler_lock);
}

ROC_API void roc_version_load(roc_version *version)
{
  if (!version)
    return;
  version->major = ROC_VERSION_MAJOR;
  version->minor = ROC_VERSION_MINOR;
  version->patch = ROC_VERSION_PATCH;
  version->code = ROC_VERSION;
}

/* "64M", "1048576", "512K", "1G": bytes. -1 for anything else. */
static int parse_budget(const char *text, size_t *out)
{
  char *end = NULL;
  unsigned long long v;
  unsigned shift = 0;
  if (!text || !isdigit((unsigned char)text[0]))
    return -1;
  errno = 0;
  v = strtoull(text, &end, 10);
  if (errno != 0)
    return -1;
  switch (*end) {
  case 'k': case 'K': shift = 10; end++; break;
  case 'm': case 'M': shift = 20; end++; break;
  case 'g': case 'G': shift = 30; end++; break;
  default: break;
  }
  if (*end != '\0' || v == 0 || v > (SIZE_MAX >> shift))
    return -1;
  *out = (size_t)(v << shift);
  return 0;
}

ROC_API int roc_context_open(const roc_context_config *config, roc_context **result)
{
  struct rill_context_config rc;
  struct roc_context *ctx;
  const char *env;
  int status;

  roc__log_bridge_install();
  if (!config || !result) {
    ROC_LOG_ERR("roc_context_open: NULL %s", config ? "result" : "config");
    return -1;
  }
  *result = NULL;
  rill_context_config_init(&rc);
  if (config->max_packet_size)
    rc.max_packet_bytes = config->max_packet_size;
  env = getenv(ROC_MEM_ENV);
  if (env && parse_budget(env, &rc.max_mem_bytes) != 0) {
    ROC_LOG_ERR("roc_context_open: %s=\"%s\" is not a size (bytes, or with K, M, G)",
                ROC_MEM_ENV, env);
    return -1;
  }
  ctx = calloc(1, sizeof(*ctx));
  if (!ctx)
    return -1;
  ctx->max_packet_bytes = rc.max_packet_bytes;
  ctx->max_frame_bytes = config->max_frame_size ? config->max_frame_size
                                                : ROC_DEFAULT_FRAME_BYTES;
  status = rill_context_open(&rc, &ctx->rill);
  if (status != RILL_OK) {
    ROC_LOG_ERR("roc_context_open: %s", rill_status_message(status));
    free(ctx);
    return -1;
  }
  pthread_mutex_init(&ctx->lock, NULL);
  atomic_init(&ctx->objects, 0);
  *result = ctx;
  return 0;
}

ROC_API int roc_context_register_encoding(roc_context *ctx, int encoding_id,
                                          const roc_media_encoding *encoding)
{
  struct rill_encoding e;
  uint32_t channels;
  size_t i;
  int rc = -1;
  if (!ctx || !encoding) {
    ROC_LOG_ERR("roc_context_register_encoding: NULL argument");
    return -1;
  }
  if (encoding_id < 96 || encoding_id > 127) {
    ROC_LOG_ERR("roc_context_register_encoding: encoding_id %d out of range 96..127 "
                "(RTP dynamic payload types)", encoding_id);
    return -1;
  }
  channels = roc__frame_channels(encoding, "roc_context_register_encoding");
  if (channels == 0 || encoding->rate == 0) {
    ROC_LOG_ERR("roc_context_register_encoding: invalid encoding");
    return -1;
  }
  e.payload_type = (uint8_t)encoding_id;
  e.format = RILL_FORMAT_F32;
  e.rate_hz = encoding->rate;
  e.channels = channels;
  pthread_mutex_lock(&ctx->lock);
  for (i = 0; i < ctx->registered_count; i++)
    if (ctx->registered[i].payload_type == e.payload_type)
      break;
  if (i < ctx->registered_count)
    ROC_LOG_ERR("roc_context_register_encoding: encoding_id %d already registered",
                encoding_id);
  else if (ctx->registered_count < ROC_MAX_REGISTERED) {
    ctx->registered[ctx->registered_count++] = e;
    rc = 0;
  }
  pthread_mutex_unlock(&ctx->lock);
  return rc;
}

ROC_API int roc_context_close(roc_context *ctx)
{
  if (!ctx)
    return -1;
  if (atomic_load(&ctx->objects) != 0) {
    ROC_LOG_ERR("roc_context_close: %d objects still open on the context",
                atomic_load(&ctx->objects));
    return -1;
  }
  if (rill_context_close(ctx->rill) != RILL_OK)
    return -1;
  pthread_mutex_destroy(&ctx->lock);
  free(ctx);
  return 0;
}
