/*
 * rill-recv's options (tools/recv_options.c): argument vectors parsed into
 * struct recv_options, its defaults, the exact one-line messages for bad
 * values, --help, and the receiver and context configs built from it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "options_test.h"
#include "recv_options.h"

#define SRC "rtp://127.0.0.1:0"
#define MS INT64_C(1000000)
#define S INT64_C(1000000000)

OPTIONS_TEST_PARSERS(struct recv_options, recv_options_parse, "rill-recv")

static void recv_options_table_and_help_are_consistent(void **state)
{
  struct recv_options scratch;
  (void)state;
  memset(&scratch, 0, sizeof scratch);
  options_test_table_and_usage(&recv_options_table, &scratch);
}

static void recv_options_defaults_leave_library_settings_zero(void **state)
{
  struct recv_options o;
  (void)state;
  parse_ok(&o, ARGS("-s", SRC, "-o", "out.wav"));
  assert_string_equal(o.source, SRC);
  assert_string_equal(o.output, "out.wav");
  assert_null(o.repair);
  /* The tool's own defaults. */
  assert_int_equal(o.rate_hz, 44100);
  assert_int_equal(o.channels, 2);
  assert_int_equal(o.frame_len_ns, 10 * MS);
  assert_int_equal(o.stats_interval_ns, 2 * S);
  /* The library's: 0, "not given". */
  assert_int_equal(o.target_latency_ns, 0);
  assert_int_equal(o.session_timeout_ns, 0);
  assert_int_equal(o.max_sessions, 0);
  assert_int_equal(o.max_mem_bytes, 0);
  assert_int_equal(o.max_session_mem_bytes, 0);
  assert_int_equal(o.max_socket_mem_bytes, 0);
  assert_int_equal(o.max_packet_bytes, 0);
  assert_int_equal(o.rcvbuf_bytes, 0);
  assert_int_equal(o.latency_tolerance_ns, 0);
  assert_int_equal(o.idle_timeout_ns, 0);
  assert_int_equal(o.max_session_rate, 0);
  assert_int_equal(o.resampler_quality, 0);
  assert_int_equal(o.no_play_timeout_ns, 0);
  assert_int_equal(o.choppy_play_timeout_ns, 0);
  /* Off, none, until stopped. */
  assert_int_equal(o.duration_ns, 0);
  assert_int_equal(o.encodings.count, 0);
  assert_false(o.oneshot || o.reuseaddr || o.no_drift_compensation || o.verbose);
  assert_null(o.miface);
  assert_null(o.port_file);
  assert_null(o.stats_json);
}

static void recv_options_fill_every_field(void **state)
{
  struct recv_options o;
  (void)state;
  parse_ok(&o, ARGS("--source", "rtp+rs8m://0.0.0.0:5000", "-r", "rs8m://0.0.0.0:5001",
                    "--output", "-", "--rate", "48000", "--channels", "1", "--target-latency",
                    "250ms", "--session-timeout", "1.5s", "--frame-len", "2.5ms", "--duration",
                    "3m", "--oneshot", "--encoding", "96:s24/48000/1", "--max-sessions", "16",
                    "--max-mem", "32M", "--max-session-mem", "512K", "--max-socket-mem",
                    "1.5M", "--max-packet-size", "1500", "--miface", "192.0.2.1",
                    "--port-file", "port.txt", "--reuseaddr", "--rcvbuf", "4M",
                    "--latency-tolerance", "40ms", "--idle-timeout", "500ms",
                    "--max-session-rate", "5", "--resampler-quality", "7",
                    "--no-drift-compensation", "--no-play-timeout", "3s",
                    "--choppy-play-timeout", "10s", "--stats-json", "stats.jsonl",
                    "--stats-interval", "250ms", "-v", "-v"));
  assert_string_equal(o.source, "rtp+rs8m://0.0.0.0:5000");
  assert_string_equal(o.repair, "rs8m://0.0.0.0:5001");
  assert_string_equal(o.output, "-");
  assert_int_equal(o.rate_hz, 48000);
  assert_int_equal(o.channels, 1);
  assert_int_equal(o.target_latency_ns, 250 * MS);
  assert_int_equal(o.session_timeout_ns, 1500 * MS);
  assert_int_equal(o.frame_len_ns, 2500000);
  assert_int_equal(o.duration_ns, 180 * S);
  assert_int_equal(o.oneshot, 1);
  assert_int_equal(o.encodings.count, 1);
  assert_int_equal(o.encodings.list[0].payload_type, 96);
  assert_int_equal(o.encodings.list[0].format, RILL_FORMAT_S24);
  assert_int_equal(o.encodings.list[0].rate_hz, 48000);
  assert_int_equal(o.encodings.list[0].channels, 1);
  assert_int_equal(o.max_sessions, 16);
  assert_int_equal(o.max_mem_bytes, 32 << 20);
  assert_int_equal(o.max_session_mem_bytes, 512 << 10);
  assert_int_equal(o.max_socket_mem_bytes, 3 << 19);
  assert_int_equal(o.max_packet_bytes, 1500);
  assert_string_equal(o.miface, "192.0.2.1");
  assert_string_equal(o.port_file, "port.txt");
  assert_int_equal(o.reuseaddr, 1);
  assert_int_equal(o.rcvbuf_bytes, 4 << 20);
  assert_int_equal(o.latency_tolerance_ns, 40 * MS);
  assert_int_equal(o.idle_timeout_ns, 500 * MS);
  assert_int_equal(o.max_session_rate, 5);
  assert_int_equal(o.resampler_quality, 7);
  assert_int_equal(o.no_drift_compensation, 1);
  assert_int_equal(o.no_play_timeout_ns, 3 * S);
  assert_int_equal(o.choppy_play_timeout_ns, 10 * S);
  assert_string_equal(o.stats_json, "stats.jsonl");
  assert_int_equal(o.stats_interval_ns, 250 * MS);
  assert_int_equal(o.verbose, 2);
}

static void recv_options_keywords_store_minus_one(void **state)
{
  struct recv_options o;
  (void)state;
  parse_ok(&o, ARGS("-s", SRC, "-o", "x.wav", "--idle-timeout", "never", "--no-play-timeout",
                    "off", "--choppy-play-timeout", "off"));
  assert_int_equal(o.idle_timeout_ns, -1);
  assert_int_equal(o.no_play_timeout_ns, -1);
  assert_int_equal(o.choppy_play_timeout_ns, -1);
  /* Each keyword belongs to its option. */
  parse_err(ARGS("-s", SRC, "-o", "x.wav", "--idle-timeout", "off"),
            "--idle-timeout: invalid duration 'off' (expected a number with a unit: ns, us, ms, "
            "s, m or h, e.g. 5ms)");
}

static void recv_options_encoding_repeats_up_to_the_limit(void **state)
{
  struct recv_options o;
  const char *args[2 * OPT_ENCODINGS_MAX + 8];
  char text[OPT_ENCODINGS_MAX + 1][32];
  size_t n = 0, i;
  (void)state;
  parse_ok(&o, ARGS("-s", SRC, "-o", "x.wav", "--encoding", "96:s16/48000/2", "--encoding",
                    "97:f32/8000/1", "--encoding", "127:s24/96000/8"));
  assert_int_equal(o.encodings.count, 3);
  assert_int_equal(o.encodings.list[1].payload_type, 97);
  assert_int_equal(o.encodings.list[1].format, RILL_FORMAT_F32);
  assert_int_equal(o.encodings.list[1].rate_hz, 8000);
  assert_int_equal(o.encodings.list[2].payload_type, 127);
  assert_int_equal(o.encodings.list[2].channels, 8);

  args[n++] = "-s";
  args[n++] = SRC;
  args[n++] = "-o";
  args[n++] = "x.wav";
  for (i = 0; i <= OPT_ENCODINGS_MAX; i++) {
    snprintf(text[i], sizeof text[i], "%zu:s16/44100/2", 96 + i % 32);
    args[n++] = "--encoding";
    args[n++] = text[i];
  }
  args[n] = NULL;
  parse_err(args, "--encoding: too many encodings");
}

static void recv_options_bad_values_give_exact_messages(void **state)
{
  static const struct {
    const char *opt, *value, *message;
  } cases[] = {
      {"--rate", "0", "--rate: rate 0 out of range 1..384000"},
      {"--rate", "44.1k", "--rate: invalid rate '44.1k' (expected a whole number 1..384000)"},
      {"--channels", "9", "--channels: channels 9 out of range 1..8"},
      {"--target-latency", "5", "--target-latency: missing unit in duration '5' (expected ns, "
                                "us, ms, s, m or h)"},
      {"--target-latency", "0ms", "--target-latency: must be greater than 0"},
      {"--session-timeout", "-1ms", "--session-timeout: negative duration '-1ms' not allowed"},
      {"--frame-len", "10s", "--frame-len: must be between 100us and 1s"},
      {"--frame-len", "99us", "--frame-len: must be between 100us and 1s"},
      {"--duration", "0s", "--duration: must be greater than 0"},
      {"--encoding", "5:s16/44100/2", "--encoding: payload type 5 out of range 96..127"},
      {"--encoding", "96:u8/44100/2", "--encoding: unknown format 'u8' (expected s16, s24, "
                                      "f32 or opus)"},
      {"--encoding", "96:s16", "--encoding: '96:s16' is not PT:FORMAT/RATE/CHANNELS (e.g. "
                               "96:s16/48000/2, 96:opus/48000/2)"},
      {"--encoding", "96:opus/44100/2", "--encoding: Opus is opus/48000/2 or opus/48000/1 "
                                        "(RFC 7587: a 48 kHz clock)"},
      {"--max-sessions", "1025", "--max-sessions: max-sessions 1025 out of range 1..1024"},
      {"--max-mem", "0", "--max-mem: must be greater than 0"},
      {"--max-mem", "12Q", "--max-mem: unknown suffix 'Q' in size '12Q' (expected K, M or G, "
                           "optionally followed by B)"},
      {"--max-session-mem", "99999999999G", "--max-session-mem: size '99999999999G' too large "
                                            "(at most 18446744073709551615 bytes)"},
      {"--max-socket-mem", "0K", "--max-socket-mem: must be greater than 0"},
      {"--max-packet-size", "10", "--max-packet-size: must be 64..65507"},
      {"--max-packet-size", "64K", "--max-packet-size: must be 64..65507"},
      {"--rcvbuf", "2G", "--rcvbuf: must be 1..2147483647"},
      {"--latency-tolerance", "0s", "--latency-tolerance: must be greater than 0"},
      {"--idle-timeout", "0s", "--idle-timeout: must be greater than 0 (or 'never')"},
      {"--max-session-rate", "0", "--max-session-rate: max-session-rate 0 out of range "
                                  "1..100000"},
      {"--resampler-quality", "11", "--resampler-quality: resampler quality 11 out of range "
                                    "1..10"},
      {"--no-play-timeout", "0ms", "--no-play-timeout: must be greater than 0 (or 'off')"},
      {"--choppy-play-timeout", "0s", "--choppy-play-timeout: must be greater than 0 (or "
                                      "'off')"},
      {"--stats-interval", "0s", "--stats-interval: must be greater than 0"},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    parse_err(ARGS("-s", SRC, "-o", "x.wav", cases[i].opt, cases[i].value), cases[i].message);
}

static void recv_options_bad_command_lines_give_exact_messages(void **state)
{
  (void)state;
  parse_err(ARGS("-o", "x.wav"), "-s rtp://IP:PORT (or --sap, --sdp) is required (see --help)");
  parse_err(ARGS("-s", SRC, "-o", "x.wav", "stray"), "unexpected argument (see --help)");
  parse_err(ARGS("-s", SRC, "-o", "x.wav", "--bogus"), "unknown option '--bogus' (see --help)");
  parse_err(ARGS("-s", SRC, "-o", "x.wav", "-x"), "unknown option '-x' (see --help)");
  parse_err(ARGS("-s", SRC, "-o", "x.wav", "--target-latency"),
            "option '--target-latency' needs a value (see --help)");
  parse_err(ARGS("-o", "x.wav", "-s"), "option '-s' needs a value (see --help)");
  parse_err(ARGS("-s", SRC, "-o", "x.wav", "--oneshot=1"),
            "unknown option '--oneshot=1' (see --help)");
  parse_err(ARGS("-s", "rtp+rs8m://127.0.0.1:5000", "-o", "x.wav"),
            "-s rtp+rs8m:// needs a repair endpoint: -r rs8m://HOST:PORT");
  parse_err(ARGS("-s", SRC, "-o", "-", "--stats-json", "-"),
            "--stats-json: stdout carries the audio (-o -): give a file, e.g. /dev/stderr");
}

static void recv_options_help_wins_over_later_options(void **state)
{
  struct recv_options o;
  char err[ERR_CAP];
  (void)state;
  assert_int_equal(parse(&o, err, ARGS("-h")), OPT_RESULT_HELP);
  assert_int_equal(parse(&o, err, ARGS("--rate", "48000", "--help", "--bogus")), OPT_RESULT_HELP);
  /* An error before it still counts. */
  assert_int_equal(parse(&o, err, ARGS("--rate", "0", "--help")), OPT_RESULT_ERROR);
}

static void recv_options_exit_status_follows_the_result(void **state)
{
  (void)state;
  assert_int_equal(opt_exit_status(OPT_RESULT_RUN, &recv_options_table, ""), -1);
  /* Prints "rill-recv: --rate: ..." on stderr. */
  assert_int_equal(opt_exit_status(OPT_RESULT_ERROR, &recv_options_table, "--rate: (a test)"), 2);
}

static void recv_options_parse_again_starts_over(void **state)
{
  struct recv_options a, b;
  (void)state;
  parse_ok(&a, ARGS("-s", SRC, "-o", "x.wav", "-v", "--encoding", "96:s16/48000/2"));
  parse_ok(&b, ARGS("-o", "y.wav", "-s", SRC));
  assert_int_equal(b.verbose, 0);
  assert_int_equal(b.encodings.count, 0);
  assert_string_equal(b.output, "y.wav");
  parse_ok(&b, ARGS("-s", SRC, "-o", "x.wav", "-v", "--encoding", "96:s16/48000/2"));
  assert_int_equal(b.verbose, a.verbose);
  assert_int_equal(b.encodings.count, 1);
}

static void recv_options_to_config_keeps_library_defaults(void **state)
{
  struct recv_options o;
  struct rill_receiver_config cfg, want;
  struct rill_context_config ctx, want_ctx;
  (void)state;
  parse_ok(&o, ARGS("-s", SRC, "-o", "x.wav"));
  memset(&cfg, 0xa5, sizeof cfg);
  memset(&ctx, 0xa5, sizeof ctx);
  recv_options_to_config(&o, &cfg, &ctx);
  rill_receiver_config_init(&want);
  want.rate_hz = 44100;
  want.channels = 2;
  rill_context_config_init(&want_ctx);
  assert_int_equal(cfg.rate_hz, 44100);
  assert_int_equal(cfg.channels, 2);
  assert_null(cfg.encodings);
  assert_memory_equal(&cfg, &want, sizeof cfg);
  assert_memory_equal(&ctx, &want_ctx, sizeof ctx);
}

static void recv_options_to_config_maps_every_option(void **state)
{
  struct recv_options o;
  struct rill_receiver_config cfg;
  struct rill_context_config ctx;
  (void)state;
  parse_ok(&o, ARGS("-s", SRC, "-o", "x.wav", "--rate", "48000", "--channels", "1",
                    "--target-latency", "250ms", "--session-timeout", "3s", "--encoding",
                    "96:s16/48000/2", "--encoding", "97:f32/48000/1", "--max-sessions", "4",
                    "--max-mem", "16M", "--max-session-mem", "256K", "--max-socket-mem", "2M",
                    "--max-packet-size", "1500", "--reuseaddr", "--rcvbuf", "4M",
                    "--latency-tolerance", "30ms", "--idle-timeout", "never",
                    "--max-session-rate", "3", "--resampler-quality", "10",
                    "--no-drift-compensation", "--no-play-timeout", "off",
                    "--choppy-play-timeout", "5s"));
  recv_options_to_config(&o, &cfg, &ctx);
  assert_int_equal(ctx.max_mem_bytes, 16 << 20);
  assert_int_equal(ctx.max_packet_bytes, 1500);
  assert_int_equal(cfg.rate_hz, 48000);
  assert_int_equal(cfg.channels, 1);
  assert_int_equal(cfg.target_latency_ns, 250 * MS);
  assert_int_equal(cfg.session_timeout_ns, 3 * S);
  assert_int_equal(cfg.max_sessions, 4);
  assert_int_equal(cfg.max_session_mem_bytes, 256 << 10);
  assert_int_equal(cfg.max_socket_mem_bytes, 2 << 20);
  assert_ptr_equal(cfg.encodings, o.encodings.list);
  assert_int_equal(cfg.encoding_count, 2);
  assert_int_equal(cfg.encodings[1].payload_type, 97);
  assert_int_equal(cfg.reuse_address, 1);
  assert_int_equal(cfg.socket_rcvbuf_bytes, 4 << 20);
  assert_int_equal(cfg.latency_tolerance_ns, 30 * MS);
  assert_int_equal(cfg.idle_timeout_ns, -1);
  assert_int_equal(cfg.max_session_creations_per_s, 3);
  assert_int_equal(cfg.disable_drift_compensation, 1);
  {
    struct rill_receiver_config lib;
    rill_receiver_config_init(&lib);
    assert_int_equal(cfg.probation_packets, lib.probation_packets); /* no option: the library's */
  }
  assert_int_equal(cfg.resampler_quality, 10);
  assert_int_equal(cfg.no_play_timeout_ns, -1);
  assert_int_equal(cfg.choppy_timeout_ns, 5 * S);
}

/* The config the builder makes is one the library opens. */
static void recv_options_to_config_opens_a_receiver(void **state)
{
  struct recv_options o;
  struct rill_receiver_config cfg;
  struct rill_context_config cc;
  struct rill_context *ctx = NULL;
  struct rill_receiver *recv = NULL;
  (void)state;
  parse_ok(&o, ARGS("-s", SRC, "-o", "x.wav", "--rate", "48000", "--encoding", "96:s16/48000/2",
                    "--max-mem", "8M", "--idle-timeout", "never", "--choppy-play-timeout", "off"));
  recv_options_to_config(&o, &cfg, &cc);
  assert_int_equal(rill_context_open(&cc, &ctx), RILL_OK);
  assert_int_equal(rill_receiver_open(ctx, &cfg, &recv), RILL_OK);
  assert_int_equal(rill_receiver_close(recv), RILL_OK);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

/* The defaults --help shows for the library's settings are the library's:
 * giving each such option its shown default explicitly builds the same
 * configs as giving nothing (rill_*_config_init). A default that is the
 * row's keyword ("off") maps to the library's own word for it, not bytes. */
static void recv_options_help_defaults_are_the_librarys(void **state)
{
  struct recv_options bare, given;
  struct rill_receiver_config cfg_bare, cfg_given;
  struct rill_context_config ctx_bare, ctx_given;
  size_t i, checked = 0;
  (void)state;
  parse_ok(&bare, ARGS("-s", SRC, "-o", "x.wav"));
  recv_options_to_config(&bare, &cfg_bare, &ctx_bare);
  for (i = 0; i < recv_options_table.count; i++) {
    const struct opt_spec *row = &recv_options_table.rows[i];
    char name[64];
    if (!(row->flags & OPT_LIB_DEFAULT) || !row->def ||
        (row->word && strcmp(row->def, row->word) == 0))
      continue;
    snprintf(name, sizeof(name), "--%s", row->name);
    parse_ok(&given, ARGS("-s", SRC, "-o", "x.wav", name, row->def));
    recv_options_to_config(&given, &cfg_given, &ctx_given);
    if (memcmp(&cfg_given, &cfg_bare, sizeof(cfg_bare)) != 0 ||
        memcmp(&ctx_given, &ctx_bare, sizeof(ctx_bare)) != 0)
      fail_msg("--%s: --help says the default is %s, the library's differs", row->name,
               row->def);
    checked++;
  }
  assert_true(checked >= 10);
}

/* --sap takes its address after '=' or stands alone; --sap or --sdp stand
 * in for -s. */
static void recv_options_discovery(void **state)
{
  struct recv_options o;
  (void)state;
  parse_ok(&o, ARGS("--sap", "-o", "x.wav"));
  assert_string_equal(o.sap, "224.2.127.254:9875");
  assert_null(o.source);
  parse_ok(&o, ARGS("--sap=127.0.0.1:9875", "--sap-session", "pw", "-o", "x.wav"));
  assert_string_equal(o.sap, "127.0.0.1:9875");
  assert_string_equal(o.sap_session, "pw");
  parse_ok(&o, ARGS("--sdp", "in.sdp", "-o", "x.wav"));
  assert_string_equal(o.sdp, "in.sdp");
  parse_err(ARGS("-s", SRC, "-o", "x.wav", "--sap-session", "pw"), "--sap-session needs --sap");
  parse_err(ARGS("--sap", "127.0.0.1:9875", "-o", "x.wav"), "unexpected argument (see --help)");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(recv_options_help_defaults_are_the_librarys),
      cmocka_unit_test(recv_options_table_and_help_are_consistent),
      cmocka_unit_test(recv_options_defaults_leave_library_settings_zero),
      cmocka_unit_test(recv_options_fill_every_field),
      cmocka_unit_test(recv_options_keywords_store_minus_one),
      cmocka_unit_test(recv_options_encoding_repeats_up_to_the_limit),
      cmocka_unit_test(recv_options_bad_values_give_exact_messages),
      cmocka_unit_test(recv_options_bad_command_lines_give_exact_messages),
      cmocka_unit_test(recv_options_help_wins_over_later_options),
      cmocka_unit_test(recv_options_exit_status_follows_the_result),
      cmocka_unit_test(recv_options_parse_again_starts_over),
      cmocka_unit_test(recv_options_to_config_keeps_library_defaults),
      cmocka_unit_test(recv_options_to_config_maps_every_option),
      cmocka_unit_test(recv_options_to_config_opens_a_receiver),
      cmocka_unit_test(recv_options_discovery),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
