/*
 * rill-recv's options: the struct its command line fills (one table in
 * recv_options.c), and the library config built from it.
 *
 * A numeric field left 0 was not given; for the library's settings that
 * means the library's default (no option accepts 0). Strings are borrowed
 * from argv.
 */
#ifndef RILL_TOOLS_RECV_OPTIONS_H
#define RILL_TOOLS_RECV_OPTIONS_H

#include <rill/rill.h>
#include <stdio.h>

#include "options.h"

/* The largest --max-sessions. */
#define RECV_MAX_SESSIONS 1024

struct recv_options {
  const char *source;      /* -s: rtp://IP:PORT (or rtp+rs8m://, rtp+ldpc://) */
  const char *repair;      /* -r: FEC repair endpoint, or NULL */
  const char *control;     /* -c: RTCP endpoint (rtcp://IP:PORT), or NULL */
  const char *output;      /* -o: file, "-" (raw s16le on stdout), a device, NULL: default output */
  uint64_t rate_hz;        /* output rate (44100) */
  uint64_t channels;       /* output channels (2) */
  int64_t target_latency_ns;
  int64_t session_timeout_ns;
  int64_t frame_len_ns;    /* audio read per period (10 ms) */
  int64_t duration_ns;     /* stop after this much audio; 0: until stopped */
  int oneshot;             /* exit when the last sender has gone */
  struct opt_encodings encodings;
  uint64_t max_sessions;
  uint64_t max_mem_bytes;
  uint64_t max_session_mem_bytes;
  uint64_t max_socket_mem_bytes;
  uint64_t max_packet_bytes;
  const char *miface;      /* multicast interface, or NULL */
  const char *port_file;   /* write the bound port(s) there, or NULL */
  int reuseaddr;
  uint64_t rcvbuf_bytes;
  int64_t latency_tolerance_ns;
  int64_t idle_timeout_ns;     /* -1: never */
  uint64_t max_session_rate;   /* new sessions per second */
  uint64_t resampler_quality;
  int no_drift_compensation;
  int64_t no_play_timeout_ns;     /* -1: off */
  int64_t choppy_play_timeout_ns; /* -1: off */
  const char *stats_json;      /* JSON Lines stats: a file, "-" (stdout), or NULL */
  int64_t stats_interval_ns;   /* -v and --stats-json period (2 s) */
  int verbose;                 /* -v: 1, -vv: 2 */
  int64_t io_latency_ns;       /* sound device buffer (20 ms) */
  /* Discovery (issue 14). */
  const char *sap;             /* --sap: SAP address (ADDR:PORT), or NULL */
  const char *sap_session;     /* --sap-session: only this session name, or NULL */
  const char *sdp;             /* --sdp: SDP file of the stream, or NULL */
};

/*
 * Parse rill-recv's command line into *out (all of it is written): the
 * table's options, then the checks across them (-s required, the
 * endpoints valid and agreeing, --stats-json - only when stdout is free).
 * Returns an enum opt_result; on OPT_RESULT_ERROR a one-line message is in
 * err ("--rate: rate 0 out of range 1..384000"), to print after "rill-recv: ".
 * Uses getopt_long's globals (not thread-safe); argv may be permuted.
 */
int recv_options_parse(int argc, char **argv, struct recv_options *out, char *err, size_t err_cap);

/* The table: --help (opt_usage), main's exit (opt_exit_status), tests. */
extern const struct opt_table recv_options_table;

/*
 * The library configs for `o`: the library's defaults (TOOL_CONFIG_START),
 * then every option that was given. cfg->encodings borrows o's array: `o`
 * must outlive rill_receiver_open.
 */
void recv_options_to_config(const struct recv_options *o, struct rill_receiver_config *cfg,
                            struct rill_context_config *ctx_cfg);

#endif /* RILL_TOOLS_RECV_OPTIONS_H */
