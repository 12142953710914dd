/*
 * The ABI of roc-toolkit 0.4 (x86-64/LP64), written down here from roc's
 * own headers (src/public_api/include/roc/ at v0.4.0) and checked
 * against include/roc: the size and every field offset of each public
 * struct, the value of every enum constant, and the signature of every
 * function (by assigning it to a pointer of roc's type). A change in
 * include/roc that would break a program built against roc's headers fails
 * here. Linked against librill-roc.so.
 */
#include <stddef.h>

#include <roc/context.h>
#include <roc/endpoint.h>
#include <roc/frame.h>
#include <roc/log.h>
#include <roc/metrics.h>
#include <roc/packet.h>
#include <roc/receiver.h>
#include <roc/receiver_decoder.h>
#include <roc/sender.h>
#include <roc/sender_encoder.h>
#include <roc/version.h>

#include "test_util.h"

#define OFF(type, field, want) assert_int_equal(offsetof(type, field), (want))

static void roc_abi_struct_layouts(void **state)
{
  (void)state;
  assert_int_equal(sizeof(roc_slot), 8);
  assert_int_equal(sizeof(roc_interface), 4);
  assert_int_equal(sizeof(roc_protocol), 4);

  assert_int_equal(sizeof(roc_media_encoding), 16);
  OFF(roc_media_encoding, rate, 0);
  OFF(roc_media_encoding, format, 4);
  OFF(roc_media_encoding, channels, 8);
  OFF(roc_media_encoding, tracks, 12);

  assert_int_equal(sizeof(roc_context_config), 8);
  OFF(roc_context_config, max_packet_size, 0);
  OFF(roc_context_config, max_frame_size, 4);

  assert_int_equal(sizeof(roc_sender_config), 88);
  OFF(roc_sender_config, frame_encoding, 0);
  OFF(roc_sender_config, packet_encoding, 16);
  OFF(roc_sender_config, packet_length, 24);
  OFF(roc_sender_config, packet_interleaving, 32);
  OFF(roc_sender_config, fec_encoding, 36);
  OFF(roc_sender_config, fec_block_source_packets, 40);
  OFF(roc_sender_config, fec_block_repair_packets, 44);
  OFF(roc_sender_config, clock_source, 48);
  OFF(roc_sender_config, latency_tuner_backend, 52);
  OFF(roc_sender_config, latency_tuner_profile, 56);
  OFF(roc_sender_config, resampler_backend, 60);
  OFF(roc_sender_config, resampler_profile, 64);
  OFF(roc_sender_config, target_latency, 72);
  OFF(roc_sender_config, latency_tolerance, 80);

  assert_int_equal(sizeof(roc_receiver_config), 72);
  OFF(roc_receiver_config, frame_encoding, 0);
  OFF(roc_receiver_config, clock_source, 16);
  OFF(roc_receiver_config, latency_tuner_backend, 20);
  OFF(roc_receiver_config, latency_tuner_profile, 24);
  OFF(roc_receiver_config, resampler_backend, 28);
  OFF(roc_receiver_config, resampler_profile, 32);
  OFF(roc_receiver_config, target_latency, 40);
  OFF(roc_receiver_config, latency_tolerance, 48);
  OFF(roc_receiver_config, no_playback_timeout, 56);
  OFF(roc_receiver_config, choppy_playback_timeout, 64);

  assert_int_equal(sizeof(roc_interface_config), 100);
  OFF(roc_interface_config, outgoing_address, 0);
  OFF(roc_interface_config, multicast_group, 48);
  OFF(roc_interface_config, reuse_address, 96);

  assert_int_equal(sizeof(roc_frame), 16);
  OFF(roc_frame, samples, 0);
  OFF(roc_frame, samples_size, 8);
  assert_int_equal(sizeof(roc_packet), 16);
  OFF(roc_packet, bytes, 0);
  OFF(roc_packet, bytes_size, 8);

  assert_int_equal(sizeof(roc_connection_metrics), 32);
  OFF(roc_connection_metrics, e2e_latency, 0);
  OFF(roc_connection_metrics, mean_jitter, 8);
  OFF(roc_connection_metrics, expected_packets, 16);
  OFF(roc_connection_metrics, lost_packets, 24);
  assert_int_equal(sizeof(roc_receiver_metrics), 4);
  OFF(roc_receiver_metrics, connection_count, 0);
  assert_int_equal(sizeof(roc_sender_metrics), 4);
  OFF(roc_sender_metrics, connection_count, 0);

  assert_int_equal(sizeof(roc_log_message), 64);
  OFF(roc_log_message, level, 0);
  OFF(roc_log_message, module, 8);
  OFF(roc_log_message, file, 16);
  OFF(roc_log_message, line, 24);
  OFF(roc_log_message, time, 32);
  OFF(roc_log_message, pid, 40);
  OFF(roc_log_message, tid, 48);
  OFF(roc_log_message, text, 56);

  assert_int_equal(sizeof(roc_version), 16);
  OFF(roc_version, major, 0);
  OFF(roc_version, minor, 4);
  OFF(roc_version, patch, 8);
  OFF(roc_version, code, 12);
}

static void roc_abi_enum_values(void **state)
{
  (void)state;
  assert_int_equal(ROC_SLOT_DEFAULT, 0);
  assert_int_equal(ROC_INTERFACE_CONSOLIDATED, 1);
  assert_int_equal(ROC_INTERFACE_AUDIO_SOURCE, 11);
  assert_int_equal(ROC_INTERFACE_AUDIO_REPAIR, 12);
  assert_int_equal(ROC_INTERFACE_AUDIO_CONTROL, 13);
  assert_int_equal(ROC_PROTO_RTSP, 10);
  assert_int_equal(ROC_PROTO_RTP, 20);
  assert_int_equal(ROC_PROTO_RTP_RS8M_SOURCE, 30);
  assert_int_equal(ROC_PROTO_RS8M_REPAIR, 31);
  assert_int_equal(ROC_PROTO_RTP_LDPC_SOURCE, 32);
  assert_int_equal(ROC_PROTO_LDPC_REPAIR, 33);
  assert_int_equal(ROC_PROTO_RTCP, 70);
  assert_int_equal(ROC_PACKET_ENCODING_AVP_L16_MONO, 11);
  assert_int_equal(ROC_PACKET_ENCODING_AVP_L16_STEREO, 10);
  assert_int_equal(ROC_FEC_ENCODING_DISABLE, -1);
  assert_int_equal(ROC_FEC_ENCODING_DEFAULT, 0);
  assert_int_equal(ROC_FEC_ENCODING_RS8M, 1);
  assert_int_equal(ROC_FEC_ENCODING_LDPC_STAIRCASE, 2);
  assert_int_equal(ROC_FORMAT_PCM_FLOAT32, 1);
  assert_int_equal(ROC_CHANNEL_LAYOUT_MULTITRACK, 1);
  assert_int_equal(ROC_CHANNEL_LAYOUT_MONO, 2);
  assert_int_equal(ROC_CHANNEL_LAYOUT_STEREO, 3);
  assert_int_equal(ROC_CLOCK_SOURCE_DEFAULT, 0);
  assert_int_equal(ROC_CLOCK_SOURCE_EXTERNAL, 1);
  assert_int_equal(ROC_CLOCK_SOURCE_INTERNAL, 2);
  assert_int_equal(ROC_LATENCY_TUNER_BACKEND_DEFAULT, 0);
  assert_int_equal(ROC_LATENCY_TUNER_BACKEND_NIQ, 2);
  assert_int_equal(ROC_LATENCY_TUNER_PROFILE_DEFAULT, 0);
  assert_int_equal(ROC_LATENCY_TUNER_PROFILE_INTACT, 1);
  assert_int_equal(ROC_LATENCY_TUNER_PROFILE_RESPONSIVE, 2);
  assert_int_equal(ROC_LATENCY_TUNER_PROFILE_GRADUAL, 3);
  assert_int_equal(ROC_RESAMPLER_BACKEND_DEFAULT, 0);
  assert_int_equal(ROC_RESAMPLER_BACKEND_BUILTIN, 1);
  assert_int_equal(ROC_RESAMPLER_BACKEND_SPEEX, 2);
  assert_int_equal(ROC_RESAMPLER_BACKEND_SPEEXDEC, 3);
  assert_int_equal(ROC_RESAMPLER_PROFILE_DEFAULT, 0);
  assert_int_equal(ROC_RESAMPLER_PROFILE_HIGH, 1);
  assert_int_equal(ROC_RESAMPLER_PROFILE_MEDIUM, 2);
  assert_int_equal(ROC_RESAMPLER_PROFILE_LOW, 3);
  assert_int_equal(ROC_LOG_NONE, 0);
  assert_int_equal(ROC_LOG_ERROR, 1);
  assert_int_equal(ROC_LOG_INFO, 2);
  assert_int_equal(ROC_LOG_NOTE, 3);
  assert_int_equal(ROC_LOG_DEBUG, 4);
  assert_int_equal(ROC_LOG_TRACE, 5);
  assert_int_equal(ROC_VERSION_MAJOR, 0);
  assert_int_equal(ROC_VERSION_MINOR, 4);
  assert_int_equal(ROC_VERSION_PATCH, 0);
  assert_int_equal(ROC_VERSION, 4000);
  assert_int_equal(ROC_VERSION_CODE(1, 2, 3), 1002003);
}

/* Each of the 46 functions, assigned to a pointer of roc 0.4's signature:
 * a mismatch does not compile (-Werror). */
static void roc_abi_function_signatures(void **state)
{
  int (*ctx_open)(const roc_context_config *, roc_context **) = roc_context_open;
  int (*ctx_reg)(roc_context *, int, const roc_media_encoding *) = roc_context_register_encoding;
  int (*ctx_close)(roc_context *) = roc_context_close;
  int (*ep_alloc)(roc_endpoint **) = roc_endpoint_allocate;
  int (*ep_set_uri)(roc_endpoint *, const char *) = roc_endpoint_set_uri;
  int (*ep_set_proto)(roc_endpoint *, roc_protocol) = roc_endpoint_set_protocol;
  int (*ep_set_host)(roc_endpoint *, const char *) = roc_endpoint_set_host;
  int (*ep_set_port)(roc_endpoint *, int) = roc_endpoint_set_port;
  int (*ep_set_res)(roc_endpoint *, const char *) = roc_endpoint_set_resource;
  int (*ep_get_uri)(const roc_endpoint *, char *, size_t *) = roc_endpoint_get_uri;
  int (*ep_get_proto)(const roc_endpoint *, roc_protocol *) = roc_endpoint_get_protocol;
  int (*ep_get_host)(const roc_endpoint *, char *, size_t *) = roc_endpoint_get_host;
  int (*ep_get_port)(const roc_endpoint *, int *) = roc_endpoint_get_port;
  int (*ep_get_res)(const roc_endpoint *, char *, size_t *) = roc_endpoint_get_resource;
  int (*ep_free)(roc_endpoint *) = roc_endpoint_deallocate;
  void (*log_level)(roc_log_level) = roc_log_set_level;
  void (*log_handler)(roc_log_handler, void *) = roc_log_set_handler;
  void (*version)(roc_version *) = roc_version_load;
  int (*s_open)(roc_context *, const roc_sender_config *, roc_sender **) = roc_sender_open;
  int (*s_conf)(roc_sender *, roc_slot, roc_interface, const roc_interface_config *) =
      roc_sender_configure;
  int (*s_conn)(roc_sender *, roc_slot, roc_interface, const roc_endpoint *) = roc_sender_connect;
  int (*s_query)(roc_sender *, roc_slot, roc_sender_metrics *, roc_connection_metrics *,
                 size_t *) = roc_sender_query;
  int (*s_unlink)(roc_sender *, roc_slot) = roc_sender_unlink;
  int (*s_write)(roc_sender *, const roc_frame *) = roc_sender_write;
  int (*s_close)(roc_sender *) = roc_sender_close;
  int (*r_open)(roc_context *, const roc_receiver_config *, roc_receiver **) = roc_receiver_open;
  int (*r_conf)(roc_receiver *, roc_slot, roc_interface, const roc_interface_config *) =
      roc_receiver_configure;
  int (*r_bind)(roc_receiver *, roc_slot, roc_interface, roc_endpoint *) = roc_receiver_bind;
  int (*r_query)(roc_receiver *, roc_slot, roc_receiver_metrics *, roc_connection_metrics *,
                 size_t *) = roc_receiver_query;
  int (*r_unlink)(roc_receiver *, roc_slot) = roc_receiver_unlink;
  int (*r_read)(roc_receiver *, roc_frame *) = roc_receiver_read;
  int (*r_close)(roc_receiver *) = roc_receiver_close;
  int (*e_open)(roc_context *, const roc_sender_config *, roc_sender_encoder **) =
      roc_sender_encoder_open;
  int (*e_act)(roc_sender_encoder *, roc_interface, roc_protocol) = roc_sender_encoder_activate;
  int (*e_query)(roc_sender_encoder *, roc_sender_metrics *, roc_connection_metrics *) =
      roc_sender_encoder_query;
  int (*e_push)(roc_sender_encoder *, const roc_frame *) = roc_sender_encoder_push_frame;
  int (*e_fb)(roc_sender_encoder *, roc_interface, const roc_packet *) =
      roc_sender_encoder_push_feedback_packet;
  int (*e_pop)(roc_sender_encoder *, roc_interface, roc_packet *) = roc_sender_encoder_pop_packet;
  int (*e_close)(roc_sender_encoder *) = roc_sender_encoder_close;
  int (*d_open)(roc_context *, const roc_receiver_config *, roc_receiver_decoder **) =
      roc_receiver_decoder_open;
  int (*d_act)(roc_receiver_decoder *, roc_interface, roc_protocol) =
      roc_receiver_decoder_activate;
  int (*d_query)(roc_receiver_decoder *, roc_receiver_metrics *, roc_connection_metrics *) =
      roc_receiver_decoder_query;
  int (*d_push)(roc_receiver_decoder *, roc_interface, const roc_packet *) =
      roc_receiver_decoder_push_packet;
  int (*d_fb)(roc_receiver_decoder *, roc_interface, roc_packet *) =
      roc_receiver_decoder_pop_feedback_packet;
  int (*d_pop)(roc_receiver_decoder *, roc_frame *) = roc_receiver_decoder_pop_frame;
  int (*d_close)(roc_receiver_decoder *) = roc_receiver_decoder_close;
  void (*all[])(void) = {
      (void (*)(void))ctx_open,   (void (*)(void))ctx_reg,     (void (*)(void))ctx_close,
      (void (*)(void))ep_alloc,   (void (*)(void))ep_set_uri,  (void (*)(void))ep_set_proto,
      (void (*)(void))ep_set_host, (void (*)(void))ep_set_port, (void (*)(void))ep_set_res,
      (void (*)(void))ep_get_uri, (void (*)(void))ep_get_proto, (void (*)(void))ep_get_host,
      (void (*)(void))ep_get_port, (void (*)(void))ep_get_res, (void (*)(void))ep_free,
      (void (*)(void))log_level,  (void (*)(void))log_handler, (void (*)(void))version,
      (void (*)(void))s_open,     (void (*)(void))s_conf,      (void (*)(void))s_conn,
      (void (*)(void))s_query,    (void (*)(void))s_unlink,    (void (*)(void))s_write,
      (void (*)(void))s_close,    (void (*)(void))r_open,      (void (*)(void))r_conf,
      (void (*)(void))r_bind,     (void (*)(void))r_query,     (void (*)(void))r_unlink,
      (void (*)(void))r_read,     (void (*)(void))r_close,     (void (*)(void))e_open,
      (void (*)(void))e_act,      (void (*)(void))e_query,     (void (*)(void))e_push,
      (void (*)(void))e_fb,       (void (*)(void))e_pop,       (void (*)(void))e_close,
      (void (*)(void))d_open,     (void (*)(void))d_act,       (void (*)(void))d_query,
      (void (*)(void))d_push,     (void (*)(void))d_fb,        (void (*)(void))d_pop,
      (void (*)(void))d_close,
  };
  size_t i;
  (void)state;
  assert_int_equal(sizeof(all) / sizeof(all[0]), 46);
  for (i = 0; i < 46; i++)
    assert_non_null(all[i]);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(roc_abi_struct_layouts),
      cmocka_unit_test(roc_abi_enum_values),
      cmocka_unit_test(roc_abi_function_signatures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
