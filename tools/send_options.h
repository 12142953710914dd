/*
 * rill-send's options: the struct its command line fills (one table in
 * send_options.c), and the library config built from it.
 *
 * A numeric field left 0 was not given; for the library's settings that
 * means the library's default (no option accepts 0). Strings are borrowed
 * from argv.
 */
#ifndef RILL_TOOLS_SEND_OPTIONS_H
#define RILL_TOOLS_SEND_OPTIONS_H

#include <rill/rill.h>
#include <stdio.h>

#include "options.h"

struct send_options {
  const char *input;        /* -i: audio file, "-" for raw s16le on stdin, or a device */
  const char *source;       /* -s: rtp://HOST:PORT (or rtp+rs8m://, rtp+ldpc://) */
  const char *repair;       /* -r: FEC repair endpoint, or NULL */
  const char *control;      /* -c: RTCP endpoint (rtcp://HOST:PORT), or NULL */
  const char *fec_encoding; /* auto, none, rs8m or ldpc ("auto") */
  uint64_t nbsrc;           /* source packets per FEC block */
  uint64_t nbrpr;           /* repair packets per FEC block */
  uint64_t raw_rate_hz;     /* rate of raw stdin input or a device (44100) */
  uint64_t raw_channels;    /* channels of raw stdin input or a device (2) */
  int64_t packet_len_ns;    /* audio per packet (5 ms) */
  struct opt_encodings encoding; /* count 0: PT 10/11 (the last --encoding wins) */
  uint64_t resampler_quality;
  uint64_t opus_bitrate_bps;   /* --bitrate (Opus) */
  uint64_t opus_complexity;    /* --complexity (Opus) */
  uint64_t opus_loss_percent;  /* --expected-loss (Opus) */
  int opus_inband_fec;         /* --opus-fec */
  int opus_dtx;                /* --dtx */
  int opus_cbr;                /* --cbr */
  uint64_t max_mem_bytes;
  const char *stats_json;    /* JSON Lines stats: a file, "-" (stdout), or NULL */
  int64_t stats_interval_ns; /* -v and --stats-json period (2 s) */
  int verbose;               /* -v: 1, -vv: 2 */
  int64_t io_latency_ns;     /* sound device buffer (20 ms) */
  /* Discovery (issue 14). */
  const char *announce;      /* --announce: SAP address (sap://ADDR:PORT), or NULL */
  const char *session_name;  /* --session-name: SDP s=, or NULL ("rill") */
  const char *sdp_out;       /* --sdp-out: write the stream's SDP there, or NULL */
};

/*
 * Parse rill-send's command line into *out (all of it is written): the
 * table's options, then the checks across them (-i and -s required, the
 * endpoints valid and agreeing with --fec-encoding). Returns an enum
 * opt_result; on OPT_RESULT_ERROR a one-line message is in err, to print
 * after "rill-send: ". Uses getopt_long's globals; argv may be permuted.
 */
int send_options_parse(int argc, char **argv, struct send_options *out, char *err, size_t err_cap);

/* The table: --help (opt_usage), main's exit (opt_exit_status), tests. */
extern const struct opt_table send_options_table;

/*
 * The library configs for `o` and an input of `input_rate_hz` and
 * `input_channels` (from the file, or --rate/--channels for raw input): the
 * library's defaults (TOOL_CONFIG_START), then every option that was given.
 * Without --encoding the stream is PT 10 (stereo) or 11 (mono), L16 at
 * 44100 Hz: input_channels must be 1 or 2 then; input at another rate is
 * resampled by the sender.
 */
void send_options_to_config(const struct send_options *o, uint32_t input_rate_hz,
                            uint32_t input_channels, struct rill_sender_config *cfg,
                            struct rill_context_config *ctx_cfg);

#endif /* RILL_TOOLS_SEND_OPTIONS_H */
