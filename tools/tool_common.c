/* Shared tool helpers; see tool_common.h. */
#include "tool_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <getopt.h>

#include "cli_parse.h"

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

void tool_sleep_until(int64_t deadline_ns)
{
  struct timespec ts;
  ts.tv_sec = (time_t)(deadline_ns / 1000000000);
  ts.tv_nsec = (long)(deadline_ns % 1000000000);
  while (!tool_stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

int tool_parse_encoding(const char *text, struct rill_encoding *out, char *err, size_t err_cap)
{
  char buf[64], *colon, *slash1, *slash2;
  uint64_t pt, rate, channels;
  if (strlen(text) >= sizeof(buf)) {
    snprintf(err, err_cap, "'%s' is too long", text);
    return -1;
  }
  strcpy(buf, text);
  colon = strchr(buf, ':');
  slash1 = colon ? strchr(colon + 1, '/') : NULL;
  slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
  if (!colon || !slash1 || !slash2) {
    snprintf(err, err_cap, "'%s' is not PT:FORMAT/RATE/CHANNELS (e.g. 96:s16/48000/2)", text);
    return -1;
  }
  *colon = *slash1 = *slash2 = '\0';
  if (cli_parse_uint(buf, 96, 127, &pt, "payload type", err, err_cap) != 0 ||
      cli_parse_uint(slash1 + 1, 1, 384000, &rate, "rate", err, err_cap) != 0 ||
      cli_parse_uint(slash2 + 1, 1, 8, &channels, "channels", err, err_cap) != 0)
    return -1;
  if (strcmp(colon + 1, "s16") == 0)
    out->format = RILL_FORMAT_S16;
  else if (strcmp(colon + 1, "s24") == 0)
    out->format = RILL_FORMAT_S24;
  else if (strcmp(colon + 1, "f32") == 0)
    out->format = RILL_FORMAT_F32;
  else {
    snprintf(err, err_cap, "unknown format '%s' (expected s16, s24 or f32)", colon + 1);
    return -1;
  }
  out->payload_type = (uint8_t)pt;
  out->rate_hz = (uint32_t)rate;
  out->channels = (uint32_t)channels;
  return 0;
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

const char *tool_bad_option(int opt, int argc, char **argv, char *err, size_t err_cap)
{
  const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
  int long_opt = arg[0] == '-' && arg[1] == '-';
  if (opt == ':')
    snprintf(err, err_cap, "option '%s' needs a value (see --help)", arg);
  else if (long_opt)
    snprintf(err, err_cap, "unknown option '%s' (see --help)", arg);
  else
    snprintf(err, err_cap, "unknown option '-%c' (see --help)", optopt);
  return err;
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

const char *tool_check_endpoints(const char *source, const char *repair, const char *fec_encoding,
                                 int for_bind, char *err, size_t err_cap)
{
  if (rill_endpoint_check(source, for_bind, err, err_cap) != RILL_OK)
    return "-s";
  if (repair && rill_endpoint_check(repair, for_bind, err, err_cap) != RILL_OK)
    return "-r";
  if (tool_check_fec_pair(source, repair, fec_encoding, err, err_cap) != 0)
    return "";
  return NULL;
}
