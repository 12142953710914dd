/*
 * roc_file_recv: a program written against roc-toolkit 0.4's C API only,
 * shaped like roc's own example receivers: 44.1 kHz stereo float frames,
 * the internal clock (read blocks at the stream's pace), ROC_SLOT_DEFAULT.
 * Writes what it reads for SECONDS seconds to a 32-bit float WAV file.
 *
 * usage: roc_file_recv SOURCE_URI OUT.wav SECONDS [REPAIR_URI] [PORT_FILE]
 * SOURCE_URI may have port 0: the port bound is written to PORT_FILE
 * (REPAIR_URI "-" for none).
 */
#include <roc/context.h>
#include <roc/endpoint.h>
#include <roc/log.h>
#include <roc/receiver.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_FRAMES 441 /* 10 ms */

static int bind_uri(roc_receiver *recv, roc_interface iface, const char *uri, int *port)
{
  roc_endpoint *ep = NULL;
  int rc = -1;
  if (roc_endpoint_allocate(&ep) == 0 && roc_endpoint_set_uri(ep, uri) == 0 &&
      roc_receiver_bind(recv, ROC_SLOT_DEFAULT, iface, ep) == 0 &&
      roc_endpoint_get_port(ep, port) == 0)
    rc = 0;
  roc_endpoint_deallocate(ep);
  return rc;
}

int main(int argc, char **argv)
{
  roc_context_config ccfg;
  roc_receiver_config rcfg;
  roc_context *ctx = NULL;
  roc_receiver *recv = NULL;
  SF_INFO info;
  SNDFILE *out = NULL;
  float buf[CHUNK_FRAMES * 2];
  long chunks, i;
  int port = 0, repair_port = 0, rc = 1;

  if (argc < 4 || argc > 6) {
    fprintf(stderr, "usage: %s SOURCE_URI OUT.wav SECONDS [REPAIR_URI|-] [PORT_FILE]\n", argv[0]);
    return 2;
  }
  chunks = atol(argv[3]) * 100;
  memset(&info, 0, sizeof(info));
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT; /* as read: no rescaling */
  out = sf_open(argv[2], SFM_WRITE, &info);
  if (!out || chunks <= 0) {
    fprintf(stderr, "roc_file_recv: cannot write %s\n", argv[2]);
    return 2;
  }
  roc_log_set_level(ROC_LOG_ERROR);
  memset(&ccfg, 0, sizeof(ccfg));
  memset(&rcfg, 0, sizeof(rcfg));
  rcfg.frame_encoding.rate = 44100;
  rcfg.frame_encoding.format = ROC_FORMAT_PCM_FLOAT32;
  rcfg.frame_encoding.channels = ROC_CHANNEL_LAYOUT_STEREO;
  rcfg.clock_source = ROC_CLOCK_SOURCE_INTERNAL;
  /* A fixed alignment for the SNR check: no drift compensation. */
  rcfg.latency_tuner_profile = ROC_LATENCY_TUNER_PROFILE_INTACT;
  rcfg.target_latency = 250000000ull;
  if (roc_context_open(&ccfg, &ctx) != 0 || roc_receiver_open(ctx, &rcfg, &recv) != 0 ||
      bind_uri(recv, ROC_INTERFACE_AUDIO_SOURCE, argv[1], &port) != 0 ||
      (argc >= 5 && strcmp(argv[4], "-") != 0 &&
       bind_uri(recv, ROC_INTERFACE_AUDIO_REPAIR, argv[4], &repair_port) != 0)) {
    fprintf(stderr, "roc_file_recv: cannot open or bind\n");
    goto out;
  }
  if (argc == 6) {
    /* Written whole, then renamed: a script polling for it never reads half. */
    char tmp_name[4096];
    FILE *f;
    snprintf(tmp_name, sizeof(tmp_name), "%s.tmp", argv[5]);
    f = fopen(tmp_name, "w");
    if (!f)
      goto out;
    fprintf(f, "%d\n%d\n", port, repair_port);
    if (fclose(f) != 0 || rename(tmp_name, argv[5]) != 0)
      goto out;
  }
  for (i = 0; i < chunks; i++) {
    roc_frame frame = {buf, sizeof(buf)};
    if (roc_receiver_read(recv, &frame) != 0) {
      fprintf(stderr, "roc_file_recv: read failed\n");
      goto out;
    }
    sf_writef_float(out, buf, CHUNK_FRAMES);
  }
  rc = 0;
out:
  if (recv)
    roc_receiver_close(recv);
  if (ctx && roc_context_close(ctx) != 0)
    rc = 1;
  sf_close(out);
  return rc;
}
