/*
 * rill-send's options (tools/send_options.c): argument vectors parsed into
 * struct send_options, its defaults, the exact one-line messages for bad
 * values, --help, and the sender and context configs built from it.
 */
#include <stdint.h>
#include <string.h>

#include "options_test.h"
#include "send_options.h"

#define DST "rtp://127.0.0.1:9"
#define MS INT64_C(1000000)

OPTIONS_TEST_PARSERS(struct send_options, send_options_parse, "rill-send")

static void send_options_table_and_help_are_consistent(void **state)
{
  struct send_options scratch;
  (void)state;
  memset(&scratch, 0, sizeof scratch);
  options_test_table_and_usage(&send_options_table, &scratch);
}

static void send_options_defaults(void **state)
{
  struct send_options o;
  (void)state;
  parse_ok(&o, ARGS("-i", "in.wav", "-s", DST));
  assert_string_equal(o.input, "in.wav");
  assert_string_equal(o.source, DST);
  assert_null(o.repair);
  assert_string_equal(o.fec_encoding, "auto");
  assert_int_equal(o.raw_rate_hz, 44100);
  assert_int_equal(o.raw_channels, 2);
  assert_int_equal(o.packet_len_ns, 5 * MS);
  assert_int_equal(o.stats_interval_ns, 2000 * MS);
  assert_int_equal(o.encoding.count, 0);
  /* The library's settings: 0, "not given". */
  assert_int_equal(o.nbsrc, 0);
  assert_int_equal(o.nbrpr, 0);
  assert_int_equal(o.resampler_quality, 0);
  assert_int_equal(o.max_mem_bytes, 0);
  assert_null(o.stats_json);
  assert_int_equal(o.verbose, 0);
}

static void send_options_fill_every_field(void **state)
{
  struct send_options o;
  (void)state;
  parse_ok(&o, ARGS("--input", "-", "--source", "rtp+ldpc://127.0.0.1:5000", "--repair",
                    "ldpc://127.0.0.1:5001", "--fec-encoding", "ldpc", "--nbsrc", "20",
                    "--nbrpr", "8", "--rate", "48000", "--channels", "1", "--packet-len",
                    "2.5ms", "--encoding", "96:s16/48000/1", "--resampler-quality", "5",
                    "--max-mem", "8M", "--stats-json", "-", "--stats-interval", "1s",
                    "--verbose"));
  assert_string_equal(o.input, "-");
  assert_string_equal(o.source, "rtp+ldpc://127.0.0.1:5000");
  assert_string_equal(o.repair, "ldpc://127.0.0.1:5001");
  assert_string_equal(o.fec_encoding, "ldpc");
  assert_int_equal(o.nbsrc, 20);
  assert_int_equal(o.nbrpr, 8);
  assert_int_equal(o.raw_rate_hz, 48000);
  assert_int_equal(o.raw_channels, 1);
  assert_int_equal(o.packet_len_ns, 2500000);
  assert_int_equal(o.encoding.count, 1);
  assert_int_equal(o.encoding.list[0].payload_type, 96);
  assert_int_equal(o.encoding.list[0].channels, 1);
  assert_int_equal(o.resampler_quality, 5);
  assert_int_equal(o.max_mem_bytes, 8 << 20);
  assert_string_equal(o.stats_json, "-");
  assert_int_equal(o.stats_interval_ns, 1000 * MS);
  assert_int_equal(o.verbose, 1);
}

static void send_options_last_encoding_wins(void **state)
{
  struct send_options o;
  (void)state;
  parse_ok(&o, ARGS("-i", "in.wav", "-s", DST, "--encoding", "96:s16/48000/2", "--encoding",
                    "100:f32/32000/1"));
  assert_int_equal(o.encoding.count, 1);
  assert_int_equal(o.encoding.list[0].payload_type, 100);
  assert_int_equal(o.encoding.list[0].format, RILL_FORMAT_F32);
  assert_int_equal(o.encoding.list[0].rate_hz, 32000);
}

static void send_options_bad_values_give_exact_messages(void **state)
{
  static const struct {
    const char *opt, *value, *message;
  } cases[] = {
      {"--fec-encoding", "xor", "--fec-encoding: must be auto, none, rs8m or ldpc"},
      {"--fec-encoding", "", "--fec-encoding: must be auto, none, rs8m or ldpc"},
      {"--nbsrc", "0", "--nbsrc: nbsrc 0 out of range 1..65535"},
      {"--nbrpr", "65536", "--nbrpr: nbrpr 65536 out of range 1..65535"},
      {"--rate", "0", "--rate: rate 0 out of range 1..384000"},
      {"--channels", "9", "--channels: channels 9 out of range 1..8"},
      {"--packet-len", "5", "--packet-len: missing unit in duration '5' (expected ns, us, ms, "
                            "s, m or h)"},
      {"--packet-len", "0ms", "--packet-len: must be greater than 0"},
      {"--packet-len", "abc", "--packet-len: invalid duration 'abc' (expected a number with a "
                              "unit: ns, us, ms, s, m or h, e.g. 5ms)"},
      {"--encoding", "5:s16/44100/2", "--encoding: payload type 5 out of range 96..127"},
      {"--resampler-quality", "0", "--resampler-quality: resampler quality 0 out of range "
                                   "1..10"},
      {"--max-mem", "0", "--max-mem: must be greater than 0"},
      {"--max-mem", "-5M", "--max-mem: negative size '-5M' not allowed"},
      {"--stats-interval", "1.5ns", "--stats-interval: duration '1.5ns' is not a whole number "
                                    "of nanoseconds"},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    parse_err(ARGS("-i", "in.wav", "-s", DST, cases[i].opt, cases[i].value), cases[i].message);
}

static void send_options_bad_command_lines_give_exact_messages(void **state)
{
  (void)state;
  parse_err(ARGS("-i", "in.wav"),
            "both -i FILE|- and -s rtp://HOST:PORT are required (see --help)");
  parse_err(ARGS("-i", "in.wav", "-s", DST, "stray"), "unexpected argument (see --help)");
  parse_err(ARGS("-i", "in.wav", "-s", DST, "--bogus"), "unknown option '--bogus' (see --help)");
  parse_err(ARGS("-i", "in.wav", "-s", "rtp://127.0.0.1:0"),
            "-s: port '0' out of range 1..65535 (port 0 is only allowed when binding)");
  parse_err(ARGS("-i", "in.wav", "-s", "rtp+rs8m://127.0.0.1:5000", "-r",
                 "rs8m://127.0.0.1:5001", "--fec-encoding", "ldpc"),
            "--fec-encoding ldpc disagrees with -s rtp+rs8m://");
  parse_err(ARGS("-i", "in.wav", "-s", "rtp+ldpc://127.0.0.1:5000", "-r", "rs8m://127.0.0.1:5001"),
            "-r rs8m:// disagrees with -s rtp+ldpc:// (use -r ldpc://)");
}

static void send_options_to_config_defaults_to_l16_44100(void **state)
{
  struct send_options o;
  struct rill_sender_config cfg;
  struct rill_context_config ctx, want_ctx;
  struct rill_sender_config lib;
  (void)state;
  parse_ok(&o, ARGS("-i", "in.wav", "-s", DST));
  memset(&cfg, 0xa5, sizeof cfg);
  memset(&ctx, 0xa5, sizeof ctx);
  send_options_to_config(&o, 48000, 2, &cfg, &ctx);
  rill_context_config_init(&want_ctx);
  rill_sender_config_init(&lib);
  assert_memory_equal(&ctx, &want_ctx, sizeof ctx);
  assert_int_equal(cfg.encoding.payload_type, 10);
  assert_int_equal(cfg.encoding.format, RILL_FORMAT_S16);
  assert_int_equal(cfg.encoding.rate_hz, 44100);
  assert_int_equal(cfg.encoding.channels, 2);
  assert_int_equal(cfg.input_rate_hz, 48000); /* resampled by the sender */
  assert_int_equal(cfg.input_channels, 2);
  assert_int_equal(cfg.packet_length_ns, 5 * MS);
  assert_int_equal(cfg.resampler_quality, lib.resampler_quality);
  assert_int_equal(cfg.fec_source_packets, lib.fec_source_packets);
  assert_int_equal(cfg.fec_repair_packets, lib.fec_repair_packets);

  send_options_to_config(&o, 44100, 1, &cfg, &ctx);
  assert_int_equal(cfg.encoding.payload_type, 11);
  assert_int_equal(cfg.encoding.channels, 1);
  assert_int_equal(cfg.input_channels, 1);
}

static void send_options_to_config_maps_every_option(void **state)
{
  struct send_options o;
  struct rill_sender_config cfg;
  struct rill_context_config ctx;
  (void)state;
  parse_ok(&o, ARGS("-i", "in.wav", "-s", "rtp+rs8m://127.0.0.1:5000", "-r",
                    "rs8m://127.0.0.1:5001", "--nbsrc", "30", "--nbrpr", "12", "--packet-len",
                    "1ms", "--encoding", "96:s24/48000/6", "--resampler-quality", "8",
                    "--max-mem", "4M"));
  send_options_to_config(&o, 44100, 6, &cfg, &ctx);
  assert_int_equal(ctx.max_mem_bytes, 4 << 20);
  {
    struct rill_context_config lib_ctx;
    rill_context_config_init(&lib_ctx);
    assert_int_equal(ctx.max_packet_bytes, lib_ctx.max_packet_bytes);
  }
  assert_int_equal(cfg.encoding.payload_type, 96);
  assert_int_equal(cfg.encoding.format, RILL_FORMAT_S24);
  assert_int_equal(cfg.encoding.rate_hz, 48000);
  assert_int_equal(cfg.encoding.channels, 6);
  assert_int_equal(cfg.input_rate_hz, 44100);
  assert_int_equal(cfg.input_channels, 6);
  assert_int_equal(cfg.packet_length_ns, 1 * MS);
  assert_int_equal(cfg.resampler_quality, 8);
  assert_int_equal(cfg.fec_source_packets, 30);
  assert_int_equal(cfg.fec_repair_packets, 12);
}

/* The config the builder makes is one the library opens and connects. */
static void send_options_to_config_opens_a_sender(void **state)
{
  struct send_options o;
  struct rill_sender_config cfg;
  struct rill_context_config cc;
  struct rill_context *ctx = NULL;
  struct rill_sender *sender = NULL;
  (void)state;
  parse_ok(&o, ARGS("-i", "in.wav", "-s", DST, "--packet-len", "2.5ms", "--max-mem", "8M"));
  send_options_to_config(&o, 48000, 2, &cfg, &cc);
  assert_int_equal(rill_context_open(&cc, &ctx), RILL_OK);
  assert_int_equal(rill_sender_open(ctx, &cfg, &sender), RILL_OK);
  assert_int_equal(rill_sender_connect(sender, o.source), RILL_OK);
  assert_int_equal(rill_sender_close(sender), RILL_OK);
  assert_int_equal(rill_context_close(ctx), RILL_OK);
}

/* The defaults --help shows for the library's settings are the library's
 * (see the receiver's twin test). */
static void send_options_help_defaults_are_the_librarys(void **state)
{
  struct send_options bare, given;
  struct rill_sender_config cfg_bare, cfg_given;
  struct rill_context_config ctx_bare, ctx_given;
  size_t i, checked = 0;
  (void)state;
  parse_ok(&bare, ARGS("-i", "in.wav", "-s", DST));
  send_options_to_config(&bare, 44100, 2, &cfg_bare, &ctx_bare);
  for (i = 0; i < send_options_table.count; i++) {
    const struct opt_spec *row = &send_options_table.rows[i];
    char name[64];
    if (!(row->flags & OPT_LIB_DEFAULT) || !row->def ||
        (row->word && strcmp(row->def, row->word) == 0))
      continue;
    snprintf(name, sizeof(name), "--%s", row->name);
    parse_ok(&given, ARGS("-i", "in.wav", "-s", DST, name, row->def));
    send_options_to_config(&given, 44100, 2, &cfg_given, &ctx_given);
    if (memcmp(&cfg_given, &cfg_bare, sizeof(cfg_bare)) != 0 ||
        memcmp(&ctx_given, &ctx_bare, sizeof(ctx_bare)) != 0)
      fail_msg("--%s: --help says the default is %s, the library's differs", row->name,
               row->def);
    checked++;
  }
  assert_true(checked >= 3);
}

static void send_options_discovery(void **state)
{
  struct send_options o;
  (void)state;
  parse_ok(&o, ARGS("-i", "in.wav", "-s", DST, "--announce"));
  assert_string_equal(o.announce, "sap://224.2.127.254:9875");
  parse_ok(&o, ARGS("-i", "in.wav", "-s", DST, "--announce=sap://127.0.0.1:9875",
                    "--session-name", "desk", "--sdp-out", "x.sdp"));
  assert_string_equal(o.announce, "sap://127.0.0.1:9875");
  assert_string_equal(o.session_name, "desk");
  assert_string_equal(o.sdp_out, "x.sdp");
  parse_err(ARGS("-i", "in.wav", "-s", DST, "--session-name", "desk"),
            "--session-name needs --announce or --sdp-out");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(send_options_help_defaults_are_the_librarys),
      cmocka_unit_test(send_options_table_and_help_are_consistent),
      cmocka_unit_test(send_options_defaults),
      cmocka_unit_test(send_options_fill_every_field),
      cmocka_unit_test(send_options_last_encoding_wins),
      cmocka_unit_test(send_options_bad_values_give_exact_messages),
      cmocka_unit_test(send_options_bad_command_lines_give_exact_messages),
      cmocka_unit_test(send_options_to_config_defaults_to_l16_44100),
      cmocka_unit_test(send_options_to_config_maps_every_option),
      cmocka_unit_test(send_options_to_config_opens_a_sender),
      cmocka_unit_test(send_options_discovery),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
