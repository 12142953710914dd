/*
 * roc_file_send: a program written against roc-toolkit 0.4's C API only,
 * shaped like roc's own example senders: a config that sets the frame
 * encoding and leaves packet_encoding 0 (44.1 kHz stereo float frames: L16,
 * PT 10), the internal clock (write blocks at the stream's pace), and
 * ROC_SLOT_DEFAULT. Streams a 44.1 kHz stereo file read with libsndfile.
 *
 * usage: roc_file_send IN.wav SOURCE_URI [REPAIR_URI]
 * With REPAIR_URI (rs8m:// or ldpc://), FEC of that kind is on; without,
 * fec_encoding is ROC_FEC_ENCODING_DISABLE and SOURCE_URI is rtp://.
 */
#include <roc/context.h>
#include <roc/endpoint.h>
#include <roc/log.h>
#include <roc/sender.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>

#define CHUNK_FRAMES 441 /* 10 ms */

static int connect_uri(roc_sender *sender, roc_interface iface, const char *uri)
{
  roc_endpoint *ep = NULL;
  int rc = -1;
  if (roc_endpoint_allocate(&ep) == 0 && roc_endpoint_set_uri(ep, uri) == 0 &&
      roc_sender_connect(sender, ROC_SLOT_DEFAULT, iface, ep) == 0)
    rc = 0;
  roc_endpoint_deallocate(ep);
  return rc;
}

int main(int argc, char **argv)
{
  roc_context_config ccfg;
  roc_sender_config scfg;
  roc_context *ctx = NULL;
  roc_sender *sender = NULL;
  SF_INFO info;
  SNDFILE *in;
  float buf[CHUNK_FRAMES * 2];
  sf_count_t n;
  int rc = 1;

  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s IN.wav SOURCE_URI [REPAIR_URI]\n", argv[0]);
    return 2;
  }
  memset(&info, 0, sizeof(info));
  in = sf_open(argv[1], SFM_READ, &info);
  if (!in || info.channels != 2 || info.samplerate != 44100) {
    fprintf(stderr, "roc_file_send: %s: need a 44100 Hz stereo file\n", argv[1]);
    return 2;
  }
  roc_log_set_level(ROC_LOG_ERROR);
  memset(&ccfg, 0, sizeof(ccfg));
  memset(&scfg, 0, sizeof(scfg));
  scfg.frame_encoding.rate = 44100;
  scfg.frame_encoding.format = ROC_FORMAT_PCM_FLOAT32;
  scfg.frame_encoding.channels = ROC_CHANNEL_LAYOUT_STEREO;
  scfg.clock_source = ROC_CLOCK_SOURCE_INTERNAL;
  if (argc == 4)
    scfg.fec_encoding = strncmp(argv[3], "ldpc", 4) == 0 ? ROC_FEC_ENCODING_LDPC_STAIRCASE
                                                          : ROC_FEC_ENCODING_RS8M;
  else
    scfg.fec_encoding = ROC_FEC_ENCODING_DISABLE;
  if (roc_context_open(&ccfg, &ctx) != 0 || roc_sender_open(ctx, &scfg, &sender) != 0 ||
      connect_uri(sender, ROC_INTERFACE_AUDIO_SOURCE, argv[2]) != 0 ||
      (argc == 4 && connect_uri(sender, ROC_INTERFACE_AUDIO_REPAIR, argv[3]) != 0)) {
    fprintf(stderr, "roc_file_send: cannot open or connect\n");
    goto out;
  }
  while ((n = sf_readf_float(in, buf, CHUNK_FRAMES)) > 0) {
    roc_frame frame = {buf, (size_t)n * 2 * sizeof(float)};
    if (roc_sender_write(sender, &frame) != 0) {
      fprintf(stderr, "roc_file_send: write failed\n");
      goto out;
    }
  }
  rc = 0;
out:
  if (sender)
    roc_sender_close(sender);
  if (ctx && roc_context_close(ctx) != 0)
    rc = 1;
  sf_close(in);
  return rc;
}
