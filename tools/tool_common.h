/*
 * Pieces shared by rill-send and rill-recv: a monotonic clock with absolute
 * sleeps for real-time pacing, stop signals, the library's log, endpoint
 * checks. Public API only.
 */
#ifndef RILL_TOOLS_TOOL_COMMON_H
#define RILL_TOOLS_TOOL_COMMON_H

#include <rill/rill.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Where every config the tools build starts: the library's defaults, from
 * the config's own rill_*_config_init (which also sets struct_size).
 */
#define TOOL_CONFIG_START(cfg)                                  \
  _Generic((cfg), struct rill_context_config *: rill_context_config_init, \
           struct rill_sender_config *: rill_sender_config_init,          \
           struct rill_receiver_config *: rill_receiver_config_init)(cfg)

/* Set a config field to an option's value if the option was given (not 0). */
#define TOOL_CONFIG_SET(field, value)                                                            \
  do {                                                                                           \
    if ((value) != 0)                                                                            \
      (field) = (value);                                                                         \
  } while (0)

/* Set by SIGINT/SIGTERM. */
extern volatile sig_atomic_t tool_stop;

/* Install the stop handlers; SIGPIPE is ignored (write errors are handled). */
void tool_install_signals(void);

int64_t tool_now_ns(void);

/*
 * A periodic task (the stats): nonzero when `now_ns` has reached *next_ns,
 * which then moves on by `period_ns` (to now + period if the caller fell
 * more than a period behind).
 */
int tool_period_due(int64_t *next_ns, int64_t period_ns, int64_t now_ns);

/* Sleep until the monotonic time `deadline_ns` (returns early on a signal). */
void tool_sleep_until(int64_t deadline_ns);

/*
 * Route rill's log to stderr as "TOOL: ..." lines, by verbosity (0: warnings,
 * 1: info, 2: debug). Error lines are not printed but kept: a failing API
 * call logs why, and the tool prints that reason in its own single error
 * line (tool_last_error).
 */
void tool_setup_log(const char *tool, int verbose);

/*
 * Check the endpoints of a tool: `source` (-s), `repair` (-r, may be NULL)
 * and that their FEC schemes agree with each other and `fec_encoding` (may
 * be NULL). `for_bind` allows port 0. Returns 0 when all is well, or -1
 * with a one-line message in err that names the option to blame ("-s: ...",
 * "-r: ...", no name for the pair).
 */
/*
 * A control endpoint (-c) must be rtcp://, and a valid one (for_bind as
 * for -s). 0, or -1 with the message in err. NULL control: 0.
 */
int tool_check_control(const char *control, int for_bind, char *err, size_t err_cap);

int tool_check_endpoints(const char *source, const char *repair, const char *fec_encoding,
                         int for_bind, char *err, size_t err_cap);

/* The last error the library logged, or "" if none. */
const char *tool_last_error(void);

/*
 * Check that the source endpoint `source` (-s), the repair endpoint `repair`
 * (-r, NULL if none) and `fec_encoding` ("auto", "none", "rs8m", "ldpc";
 * NULL means "auto") agree: plain rtp:// has no repair endpoint;
 * rtp+rs8m:// needs rs8m:// (rtp+ldpc://, ldpc://), and the reverse.
 * Returns 0, or -1 with a one-line message in err.
 */
int tool_check_fec_pair(const char *source, const char *repair, const char *fec_encoding,
                        char *err, size_t err_cap);

#endif /* RILL_TOOLS_TOOL_COMMON_H */
