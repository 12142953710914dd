/* Shared tool helpers; see tool_common.h. */
#include "tool_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t tool_stop;

static void on_signal(int sig)
{
  (void)sig;
  tool_stop = 1;
}

void tool_install_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

int64_t tool_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int tool_period_due(int64_t *next_ns, int64_t period_ns, int64_t now_ns)
{
  if (now_ns < *next_ns)
    return 0;
  *next_ns += period_ns;
  if (*next_ns <= now_ns)
    *next_ns = now_ns + period_ns;
  return 1;
}

void tool_sleep_until(int64_t deadline_ns)
{
  struct timespec ts;
  ts.tv_sec = (time_t)(deadline_ns / 1000000000);
  ts.tv_nsec = (long)(deadline_ns % 1000000000);
  while (!tool_stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

static const char *log_tool = "rill";
static char last_error[256];

static void log_to_stderr(enum rill_log_level level, const char *module, const char *message,
                          void *user)
{
  (void)user;
  (void)module;
  if (level == RILL_LOG_ERROR) {
    snprintf(last_error, sizeof(last_error), "%s", message);
    return;
  }
  fprintf(stderr, "%s: %s%s\n", log_tool, level == RILL_LOG_WARN ? "warning: " : "", message);
}

void tool_setup_log(const char *tool, int verbose)
{
  log_tool = tool;
  rill_log_set_handler(log_to_stderr, NULL);
  rill_log_set_level(verbose >= 2 ? RILL_LOG_DEBUG : verbose == 1 ? RILL_LOG_INFO : RILL_LOG_WARN);
}

const char *tool_last_error(void)
{
  return last_error;
}

/* The scheme of a URI: the text before "://" (at most cap - 1 characters). */
static void uri_scheme_of(const char *uri, char *out, size_t cap)
{
  const char *end = strstr(uri, "://");
  size_t n = end ? (size_t)(end - uri) : 0;
  if (n >= cap)
    n = cap - 1;
  memcpy(out, uri, n);
  out[n] = '\0';
}

int tool_check_fec_pair(const char *source, const char *repair, const char *fec_encoding,
                        char *err, size_t err_cap)
{
  char src[16], rep[16];
  const char *fec;
  uri_scheme_of(source, src, sizeof(src));
  if (strcmp(src, "rtp") == 0)
    fec = "none";
  else if (strcmp(src, "rtp+rs8m") == 0)
    fec = "rs8m";
  else if (strcmp(src, "rtp+ldpc") == 0)
    fec = "ldpc";
  else {
    snprintf(err, err_cap, "-s needs a source endpoint (rtp://, rtp+rs8m:// or rtp+ldpc://), "
                           "not %s://", src);
    return -1;
  }
  if (fec_encoding && strcmp(fec_encoding, "auto") != 0 && strcmp(fec_encoding, fec) != 0) {
    snprintf(err, err_cap, "--fec-encoding %s disagrees with -s %s://", fec_encoding, src);
    return -1;
  }
  if (!repair) {
    if (strcmp(fec, "none") != 0) {
      snprintf(err, err_cap, "-s %s:// needs a repair endpoint: -r %s://HOST:PORT", src, fec);
      return -1;
    }
    return 0;
  }
  uri_scheme_of(repair, rep, sizeof(rep));
  if (strcmp(fec, "none") == 0) {
    snprintf(err, err_cap, "-r needs FEC on the source endpoint too: -s rtp+%s://...",
             strcmp(rep, "ldpc") == 0 ? "ldpc" : "rs8m");
    return -1;
  }
  if (strcmp(rep, fec) != 0) {
    snprintf(err, err_cap, "-r %s:// disagrees with -s %s:// (use -r %s://)", rep, src, fec);
    return -1;
  }
  return 0;
}

int tool_check_control(const char *control, int for_bind, char *err, size_t err_cap)
{
  char scheme[16], msg[256];
  if (!control)
    return 0;
  uri_scheme_of(control, scheme, sizeof(scheme));
  if (strcmp(scheme, "rtcp") != 0) {
    snprintf(err, err_cap, "-c needs a control endpoint (rtcp://), not %s://", scheme);
    return -1;
  }
  if (rill_endpoint_check(control, for_bind, msg, sizeof msg) != RILL_OK) {
    snprintf(err, err_cap, "-c: %s", msg);
    return -1;
  }
  return 0;
}

int tool_check_endpoints(const char *source, const char *repair, const char *fec_encoding,
                         int for_bind, char *err, size_t err_cap)
{
  char msg[256];
  const char *opt = NULL;
  if (rill_endpoint_check(source, for_bind, msg, sizeof msg) != RILL_OK)
    opt = "-s: ";
  else if (repair && rill_endpoint_check(repair, for_bind, msg, sizeof msg) != RILL_OK)
    opt = "-r: ";
  else if (tool_check_fec_pair(source, repair, fec_encoding, msg, sizeof msg) != 0)
    opt = "";
  else
    return 0;
  snprintf(err, err_cap, "%s%s", opt, msg);
  return -1;
}
