/*
 * SDP and SAP codecs (src/sdp): byte-exact vectors captured from the peers
 * rill talks to, what rill composes, malformed and oversized input.
 */
#include <arpa/inet.h>
#include <rill/status.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp/sap.h"
#include "sdp/sdp.h"
#include "test_util.h"

/* PipeWire 0.3.65 module-rtp-sink (../shared/peers/pipewire/headless-rtp-sink.conf,
 * sap.ip 127.0.0.1): one SAP datagram as captured on the wire, 225 bytes. */
static const uint8_t pipewire_sap[] = {
    0x20, 0x00, 0x67, 0x45, 0x7f, 0x00, 0x00, 0x01, /* V=1, hash 0x6745, 127.0.0.1 */
    'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 's', 'd', 'p', 0x00,
    'v', '=', '0', '\n', 'o', '=', 'r', 'o', 'o', 't', ' ', '4', '0', '0', '5', '0', '9', '8',
    '0', '8', '5', ' ', '0', ' ', 'I', 'N', ' ', 'I', 'P', '4', ' ', '1', '2', '7', '.', '0',
    '.', '0', '.', '1', '\n', 's', '=', 'p', 'w', '-', 'r', 't', 'p', '-', 't', 'e', 's', 't',
    '\n', 'c', '=', 'I', 'N', ' ', 'I', 'P', '4', ' ', '1', '2', '7', '.', '0', '.', '0', '.',
    '1', '\n', 't', '=', '4', '0', '0', '5', '0', '9', '8', '0', '8', '5', ' ', '0', '\n', 'a',
    '=', 'r', 'e', 'c', 'v', 'o', 'n', 'l', 'y', '\n', 'a', '=', 't', 'o', 'o', 'l', ':', 'P',
    'i', 'p', 'e', 'W', 'i', 'r', 'e', ' ', '0', '.', '3', '.', '6', '5', '\n', 'm', '=', 'a',
    'u', 'd', 'i', 'o', ' ', '4', '6', '0', '2', '0', ' ', 'R', 'T', 'P', '/', 'A', 'V', 'P',
    ' ', '1', '2', '7', '\n', 'a', '=', 'r', 't', 'p', 'm', 'a', 'p', ':', '1', '2', '7', ' ',
    'L', '1', '6', '/', '4', '8', '0', '0', '0', '/', '2', '\n', 'a', '=', 't', 'y', 'p', 'e',
    ':', 'b', 'r', 'o', 'a', 'd', 'c', 'a', 's', 't', '\n', 'a', '=', 'p', 't', 'i', 'm', 'e',
    ':', '6', '\n'};

/* PulseAudio 16.1 module-rtp-send (destination_ip=127.0.0.1, stream_name=pa-test):
 * the SDP of its SAP datagram (header 20 00 f4 72 7f 00 00 01 + the MIME type). */
static const char pulseaudio_sdp[] = "v=0\n"
                                     "o=root 4005098113 0 IN IP4 127.0.0.1\n"
                                     "s=pa-test\n"
                                     "c=IN IP4 127.0.0.1\n"
                                     "t=4005098113 0\n"
                                     "a=recvonly\n"
                                     "m=audio 46220 RTP/AVP 10\n"
                                     "a=rtpmap:10 L16/44100/2\n"
                                     "a=type:broadcast\n";

/* ffmpeg 5.1 (-f rtp -sdp_file, pcm_s16be 48 kHz stereo): CRLF lines, b=AS. */
static const char ffmpeg_sdp[] = "v=0\r\n"
                                 "o=- 0 0 IN IP4 127.0.0.1\r\n"
                                 "s=No Name\r\n"
                                 "c=IN IP4 127.0.0.1\r\n"
                                 "t=0 0\r\n"
                                 "a=tool:libavformat LIBAVFORMAT_VERSION\r\n"
                                 "m=audio 46500 RTP/AVP 97\r\n"
                                 "b=AS:1536\r\n"
                                 "a=rtpmap:97 L16/48000/2\r\n";

/* ffmpeg 5.1 (-c:a libopus, 48 kHz stereo, -f rtp -sdp_file): opus/48000/2
 * and, as the stream is stereo, sprop-stereo=1 (RFC 7587 7). */
static const char ffmpeg_opus_sdp[] = "v=0\r\n"
                                      "o=- 0 0 IN IP4 127.0.0.1\r\n"
                                      "s=No Name\r\n"
                                      "c=IN IP4 127.0.0.1\r\n"
                                      "t=0 0\r\n"
                                      "a=tool:libavformat LIBAVFORMAT_VERSION\r\n"
                                      "m=audio 40000 RTP/AVP 97\r\n"
                                      "b=AS:96\r\n"
                                      "a=rtpmap:97 opus/48000/2\r\n"
                                      "a=fmtp:97 sprop-stereo=1\r\n";

static void sap_parse_reads_pipewire_announcement(void **state)
{
  struct sap_message m;
  struct sdp_session s;
  struct rtp_encoding enc;
  (void)state;
  assert_int_equal(sizeof(pipewire_sap), 225);
  assert_int_equal(sap_parse(pipewire_sap, sizeof(pipewire_sap), &m), RILL_OK);
  assert_false(m.deletion);
  assert_false(m.ipv6);
  assert_int_equal(m.msg_id_hash, 0x6745);
  assert_memory_equal(m.origin, "\x7f\x00\x00\x01", 4);
  assert_int_equal(m.payload_bytes, 225 - 24);
  assert_int_equal(sdp_parse(m.payload, m.payload_bytes, &s), RILL_OK);
  assert_string_equal(s.origin_user, "root");
  assert_int_equal(s.origin_id, 4005098085u);
  assert_int_equal(s.origin_version, 0);
  assert_string_equal(s.origin_address, "127.0.0.1");
  assert_string_equal(s.name, "pw-rtp-test");
  assert_string_equal(s.address, "127.0.0.1");
  assert_int_equal(s.family, AF_INET);
  assert_int_equal(s.media_count, 1);
  assert_int_equal(s.media[0].port, 46020);
  assert_string_equal(s.media[0].address, "127.0.0.1");
  assert_int_equal(s.media[0].ptime_us, 6000);
  assert_int_equal(s.media[0].format_count, 1);
  assert_int_equal(s.media[0].formats[0].payload_type, 127);
  assert_string_equal(s.media[0].formats[0].encoding, "L16");
  assert_int_equal(s.media[0].formats[0].rate_hz, 48000);
  assert_int_equal(s.media[0].formats[0].channels, 2);
  assert_int_equal(sdp_format_to_rtp(&s.media[0].formats[0], &enc), RILL_OK);
  assert_int_equal(enc.format, RTP_FMT_S16BE);
  assert_int_equal(enc.payload_type, 127);
}

static void sdp_parse_reads_pulseaudio_and_ffmpeg(void **state)
{
  struct sdp_session s;
  struct rtp_encoding enc;
  (void)state;
  assert_int_equal(sdp_parse(pulseaudio_sdp, strlen(pulseaudio_sdp), &s), RILL_OK);
  assert_string_equal(s.name, "pa-test");
  assert_int_equal(s.media[0].port, 46220);
  assert_int_equal(s.media[0].ptime_us, 0);
  assert_int_equal(s.media[0].formats[0].payload_type, 10);
  assert_int_equal(sdp_format_to_rtp(&s.media[0].formats[0], &enc), RILL_OK);
  assert_int_equal(enc.rate_hz, 44100);
  assert_int_equal(enc.channels, 2);

  assert_int_equal(sdp_parse(ffmpeg_sdp, strlen(ffmpeg_sdp), &s), RILL_OK);
  assert_string_equal(s.name, "No Name");
  assert_string_equal(s.origin_user, "-");
  assert_int_equal(s.media[0].port, 46500);
  assert_int_equal(s.media[0].formats[0].payload_type, 97);
  assert_int_equal(s.media[0].formats[0].rate_hz, 48000);
}

/* A static type without rtpmap (RFC 3551): PT 11 is L16 mono 44.1 kHz. */
static void sdp_parse_static_types_without_rtpmap(void **state)
{
  static const char t[] = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=x\nc=IN IP4 239.1.2.3/16\nt=0 0\n"
                          "m=audio 5004 RTP/AVP 11 0\n";
  struct sdp_session s;
  struct rtp_encoding enc;
  (void)state;
  assert_int_equal(sdp_parse(t, sizeof(t) - 1, &s), RILL_OK);
  assert_string_equal(s.address, "239.1.2.3");
  assert_int_equal(s.media[0].format_count, 2);
  assert_int_equal(sdp_format_to_rtp(&s.media[0].formats[0], &enc), RILL_OK);
  assert_int_equal(enc.channels, 1);
  assert_int_equal(sdp_format_to_rtp(&s.media[0].formats[1], &enc), RILL_EUNSUPPORTED);
}

/* Opus (RFC 7587): always written and read "opus/48000/2"; a mono sender
 * is announced the same way, and the receiver decodes to stereo. */
static void sdp_opus_rtpmap_both_ways(void **state)
{
  static const char t[] = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\n"
                          "m=audio 5004 RTP/AVP 96 97\na=rtpmap:96 opus/48000/2\n"
                          "a=rtpmap:97 opus/48000/1\n";
  struct sdp_session s;
  struct sdp_format f;
  struct rtp_encoding enc, mono = {96, RTP_FMT_OPUS, 48000, 1};
  (void)state;
  assert_int_equal(sdp_parse(t, sizeof(t) - 1, &s), RILL_OK);
  assert_int_equal(sdp_format_to_rtp(&s.media[0].formats[0], &enc), RILL_OK);
  assert_int_equal(enc.format, RTP_FMT_OPUS);
  assert_int_equal(enc.rate_hz, 48000);
  assert_int_equal(enc.channels, 2);
  /* Not what RFC 7587 allows. */
  assert_int_equal(sdp_format_to_rtp(&s.media[0].formats[1], &enc), RILL_EUNSUPPORTED);
  assert_int_equal(sdp_format_from_rtp(&mono, &f), RILL_OK);
  assert_string_equal(f.encoding, "opus");
  assert_int_equal(f.rate_hz, 48000);
  assert_int_equal(f.channels, 2);
  assert_false(f.sprop_stereo);
}

/* ffmpeg's Opus SDP plays as Opus; its sprop-stereo=1 is read, as are
 * other peers' fmtp parameter lists. */
static void sdp_parse_reads_ffmpeg_opus_fmtp(void **state)
{
  static const char params[] =
      "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\n"
      "m=audio 5004 RTP/AVP 96 97 98\na=fmtp:96 minptime=10; useinbandfec=1;SPROP-STEREO=1\n"
      "a=rtpmap:96 opus/48000/2\na=rtpmap:97 opus/48000/2\na=fmtp:97 sprop-stereo=0\n"
      "a=rtpmap:98 opus/48000/2\na=fmtp:98 sprop-stereo=2;stereo=1\n";
  struct sdp_session s;
  struct rtp_encoding enc;
  (void)state;
  assert_int_equal(sdp_parse(ffmpeg_opus_sdp, strlen(ffmpeg_opus_sdp), &s), RILL_OK);
  assert_int_equal(s.media[0].port, 40000);
  assert_int_equal(s.media[0].format_count, 1);
  assert_string_equal(s.media[0].formats[0].encoding, "opus");
  assert_true(s.media[0].formats[0].sprop_stereo);
  assert_int_equal(sdp_format_to_rtp(&s.media[0].formats[0], &enc), RILL_OK);
  assert_int_equal(enc.format, RTP_FMT_OPUS);
  assert_int_equal(enc.payload_type, 97);
  assert_int_equal(enc.rate_hz, 48000);
  assert_int_equal(enc.channels, 2);

  /* Before its rtpmap, names without case, spaces after ';'; 0; a value
   * RFC 7587 does not define (and the receiver's "stereo") leave it 0. */
  assert_int_equal(sdp_parse(params, sizeof(params) - 1, &s), RILL_OK);
  assert_true(s.media[0].formats[0].sprop_stereo);
  assert_false(s.media[0].formats[1].sprop_stereo);
  assert_false(s.media[0].formats[2].sprop_stereo);
}

/* Video and disabled media are skipped; a medium's own c= wins. */
static void sdp_parse_skips_other_media(void **state)
{
  static const char t[] = "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=two\r\nt=0 0\r\n"
                          "m=video 5000 RTP/AVP 96\r\nc=IN IP4 1.2.3.4\r\na=rtpmap:96 H264/90000\r\n"
                          "m=audio 0 RTP/AVP 97\r\n"
                          "m=audio 5002 RTP/SAVP 97\r\n"
                          "m=audio 5004/2 RTP/AVP 98\r\nc=IN IP6 ff02::1\r\n"
                          "a=rtpmap:98 L24/96000/6\r\na=ptime:2.5\r\n";
  struct sdp_session s;
  (void)state;
  assert_int_equal(sdp_parse(t, sizeof(t) - 1, &s), RILL_OK);
  assert_int_equal(s.media_count, 1);
  assert_int_equal(s.media_skipped, 3);
  assert_string_equal(s.media[0].address, "ff02::1");
  assert_int_equal(s.media[0].family, AF_INET6);
  assert_int_equal(s.media[0].ptime_us, 2500);
  assert_int_equal(s.media[0].formats[0].channels, 6);
  assert_string_equal(s.origin_address, "::1");
}

static void sdp_parse_rejects_malformed(void **state)
{
  static const struct {
    const char *text;
    int status;
  } cases[] = {
      {"", RILL_EMALFORMED},
      {"v=1\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 10\n",
       RILL_EMALFORMED}, /* version */
      {"o=- 1 1 IN IP4 1.1.1.1\nv=0\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 10\n",
       RILL_EMALFORMED}, /* order */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 10\n",
       RILL_EMALFORMED}, /* no t= */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nm=audio 1 RTP/AVP 10\n",
       RILL_EMALFORMED}, /* no c= */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 10\n"
       "y=what\n",
       RILL_EMALFORMED}, /* unknown type letter */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.999\nm=audio 1 RTP/AVP 10\n",
       RILL_EMALFORMED}, /* bad address */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 10\n"
       "a=rtpmap:96 L16/48000/2\n",
       RILL_EMALFORMED}, /* rtpmap of a type not in m= */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n"
       "a=rtpmap:96 L16/48000/2\na=rtpmap:96 L16/44100/2\n",
       RILL_EMALFORMED}, /* two rtpmaps */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n"
       "a=fmtp:97 sprop-stereo=1\n",
       RILL_EMALFORMED}, /* fmtp of a type not in m= */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n"
       "a=fmtp:x sprop-stereo=1\n",
       RILL_EMALFORMED}, /* fmtp without a type */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n"
       "a=rtpmap:96 L16/0/2\n",
       RILL_EMALFORMED}, /* rate 0 */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 70000 RTP/AVP 96\n",
       RILL_EMALFORMED}, /* port */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 128\n",
       RILL_EMALFORMED}, /* payload type */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96 96\n",
       RILL_EMALFORMED}, /* duplicate type */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n"
       "a=ptime:0\n",
       RILL_EMALFORMED},
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n"
       "t=0 0\n",
       RILL_EMALFORMED}, /* t= inside a medium */
      {"v=0\no=- 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n",
       RILL_EMALFORMED}, /* o= with 5 fields */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\ns=y\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n",
       RILL_EMALFORMED}, /* two s= */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1  RTP/AVP 96\n",
       RILL_EMALFORMED}, /* two spaces */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n\n",
       RILL_EMALFORMED}, /* empty line */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\x01\nt=0 0\nc=IN IP4 1.1.1.1\nm=audio 1 RTP/AVP 96\n",
       RILL_EMALFORMED}, /* control character */
      {"v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\nm=video 1 RTP/AVP 96\n",
       RILL_EUNSUPPORTED}, /* no audio */
      {"v=0\no=- 99999999999999999999 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\n"
       "m=audio 1 RTP/AVP 96\n",
       RILL_EMALFORMED}, /* id past 2^64 */
  };
  struct sdp_session s;
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int got = sdp_parse(cases[i].text, strlen(cases[i].text), &s);
    if (got != cases[i].status)
      fail_msg("case %zu: status %d, expected %d:\n%s", i, got, cases[i].status, cases[i].text);
    assert_int_equal(s.media_count, 0); /* zeroed on error */
  }
  /* A NUL inside. */
  assert_int_equal(sdp_parse("v=0\0", 4, &s), RILL_EMALFORMED);
  assert_int_equal(sdp_parse(NULL, 0, &s), RILL_EINVAL);
}

static void sdp_parse_bounds(void **state)
{
  static char big[SDP_MAX_BYTES + 64];
  struct sdp_session s;
  size_t n, i;
  (void)state;
  /* Too many lines. */
  n = (size_t)snprintf(big, sizeof(big),
                       "v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\n"
                       "m=audio 1 RTP/AVP 96\n");
  for (i = 0; i < SDP_MAX_LINES; i++)
    n += (size_t)snprintf(big + n, sizeof(big) - n, "a=x\n");
  assert_int_equal(sdp_parse(big, n, &s), RILL_EUNSUPPORTED);
  /* A line too long. */
  n = (size_t)snprintf(big, sizeof(big), "v=0\no=- 1 1 IN IP4 1.1.1.1\ns=");
  memset(big + n, 'x', SDP_MAX_LINE_BYTES);
  n += SDP_MAX_LINE_BYTES;
  assert_int_equal(sdp_parse(big, n, &s), RILL_EUNSUPPORTED);
  /* Too big altogether. */
  assert_int_equal(sdp_parse(big, SDP_MAX_BYTES + 1, &s), RILL_EUNSUPPORTED);
  /* A name longer than its buffer. */
  n = (size_t)snprintf(big, sizeof(big), "v=0\no=- 1 1 IN IP4 1.1.1.1\ns=%0100d\n", 0);
  assert_int_equal(sdp_parse(big, n, &s), RILL_EUNSUPPORTED);
  /* More formats than kept. */
  n = (size_t)snprintf(big, sizeof(big),
                       "v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\n"
                       "m=audio 1 RTP/AVP 96 97 98 99 100 101 102 103 104\n");
  assert_int_equal(sdp_parse(big, n, &s), RILL_EUNSUPPORTED);
  /* More audio media than kept. */
  n = (size_t)snprintf(big, sizeof(big),
                       "v=0\no=- 1 1 IN IP4 1.1.1.1\ns=x\nt=0 0\nc=IN IP4 1.1.1.1\n");
  for (i = 0; i <= SDP_MAX_MEDIA; i++)
    n += (size_t)snprintf(big + n, sizeof(big) - n, "m=audio %zu RTP/AVP 10\n", i + 1);
  assert_int_equal(sdp_parse(big, n, &s), RILL_EUNSUPPORTED);
}

/* A session as rill describes a stream: o=- ID 1 IN IP4 ORIGIN, s=NAME,
 * c=IN IP4 ADDRESS, one medium on PORT with one format, `enc`. */
static void one_medium(struct sdp_session *s, uint64_t id, const char *origin, const char *name,
                       const char *address, uint16_t port, uint32_t ptime_us,
                       const struct rtp_encoding *enc)
{
  memset(s, 0, sizeof(*s));
  strcpy(s->origin_user, "-");
  s->origin_id = id;
  s->origin_version = 1;
  strcpy(s->origin_address, origin);
  s->origin_family = AF_INET;
  strcpy(s->name, name);
  strcpy(s->address, address);
  s->family = AF_INET;
  s->media_count = 1;
  s->media[0].port = port;
  s->media[0].ptime_us = ptime_us;
  s->media[0].format_count = 1;
  assert_int_equal(sdp_format_from_rtp(enc, &s->media[0].formats[0]), RILL_OK);
}

/* What rill announces: exactly these bytes (LF lines, L16 in capitals, o=,
 * a TTL on a multicast address; PulseAudio and PipeWire read them). */
static void sdp_compose_writes_announcement(void **state)
{
  static const char want[] = "v=0\n"
                             "o=- 3735928559 1 IN IP4 192.168.1.5\n"
                             "s=rill on desk\n"
                             "c=IN IP4 239.255.0.1/1\n"
                             "t=0 0\n"
                             "a=recvonly\n"
                             "a=tool:rill 0.1.0\n"
                             "m=audio 46000 RTP/AVP 127\n"
                             "a=rtpmap:127 L16/48000/2\n"
                             "a=ptime:2.500\n";
  struct sdp_session s, back;
  struct rtp_encoding enc = {127, RTP_FMT_S16BE, 48000, 2};
  char out[SDP_MAX_BYTES];
  size_t len = 0;
  (void)state;
  one_medium(&s, 3735928559u, "192.168.1.5", "rill on desk", "239.255.0.1", 46000, 2500, &enc);
  assert_int_equal(sdp_compose(&s, "rill 0.1.0", out, sizeof(out), &len), RILL_OK);
  assert_string_equal(out, want);
  assert_int_equal(len, strlen(want));
  /* And it reads back. */
  assert_int_equal(sdp_parse(out, len, &back), RILL_OK);
  assert_true(sdp_same_origin(&s, &back));
  assert_string_equal(back.media[0].address, "239.255.0.1");
  assert_int_equal(back.media[0].ptime_us, 2500);
  /* One byte short: ENOSPC, nothing half written. */
  assert_int_equal(sdp_compose(&s, "rill 0.1.0", out, len, &len), RILL_ENOSPC);
  assert_string_equal(out, "");
  /* A line break in the name is refused. */
  strcpy(s.name, "a\nm=audio 1 RTP/AVP 0");
  assert_int_equal(sdp_compose(&s, NULL, out, sizeof(out), &len), RILL_EINVAL);
  /* F32 has no rtpmap name. */
  enc.format = RTP_FMT_F32BE;
  assert_int_equal(sdp_format_from_rtp(&enc, &s.media[0].formats[0]), RILL_EUNSUPPORTED);
}

/* A stereo Opus sender's description: opus/48000/2 and sprop-stereo=1
 * (RFC 7587 7), which reads back; a mono one has no fmtp. */
static void sdp_compose_opus_says_stereo(void **state)
{
  static const char want[] = "v=0\n"
                             "o=- 7 1 IN IP4 127.0.0.1\n"
                             "s=rill\n"
                             "c=IN IP4 127.0.0.1\n"
                             "t=0 0\n"
                             "a=recvonly\n"
                             "m=audio 5004 RTP/AVP 96\n"
                             "a=rtpmap:96 opus/48000/2\n"
                             "a=fmtp:96 sprop-stereo=1\n"
                             "a=ptime:20\n";
  struct sdp_session s, back;
  struct rtp_encoding enc = {96, RTP_FMT_OPUS, 48000, 2};
  char out[SDP_MAX_BYTES];
  size_t len = 0;
  (void)state;
  one_medium(&s, 7, "127.0.0.1", "rill", "127.0.0.1", 5004, 20000, &enc);
  assert_true(s.media[0].formats[0].sprop_stereo);
  assert_int_equal(sdp_compose(&s, NULL, out, sizeof(out), &len), RILL_OK);
  assert_string_equal(out, want);
  assert_int_equal(sdp_parse(out, len, &back), RILL_OK);
  assert_true(back.media[0].formats[0].sprop_stereo);
  assert_int_equal(back.media[0].formats[0].channels, 2);

  enc.channels = 1;
  assert_int_equal(sdp_format_from_rtp(&enc, &s.media[0].formats[0]), RILL_OK);
  assert_int_equal(sdp_compose(&s, NULL, out, sizeof(out), &len), RILL_OK);
  assert_null(strstr(out, "a=fmtp"));
  assert_non_null(strstr(out, "a=rtpmap:96 opus/48000/2\n"));
}

static void sdp_parse_origin_of_short_deletion(void **state)
{
  static const char t[] = "v=0\no=- 42 7 IN IP4 10.1.1.1\n";
  struct sdp_session s;
  (void)state;
  assert_int_equal(sdp_parse_origin(t, sizeof(t) - 1, &s), RILL_OK);
  assert_int_equal(s.origin_id, 42);
  assert_string_equal(s.origin_address, "10.1.1.1");
  assert_int_equal(sdp_parse_origin("v=0\ns=x\n", 8, &s), RILL_EMALFORMED);
}

static void sap_compose_parse_round_trip_and_deletion(void **state)
{
  static const char sdp[] = "v=0\no=- 1 1 IN IP4 127.0.0.1\n";
  uint8_t buf[256];
  size_t len = 0;
  struct sap_message m = {true, false, 0, {127, 0, 0, 1}, sdp, sizeof(sdp) - 1}, back;
  (void)state;
  m.msg_id_hash = sap_hash(sdp, sizeof(sdp) - 1);
  assert_int_not_equal(m.msg_id_hash, 0);
  assert_int_equal(sap_compose(&m, buf, sizeof(buf), &len), RILL_OK);
  assert_int_equal(len, 24 + sizeof(sdp) - 1);
  assert_int_equal(buf[0], 0x24); /* V=1, T=1 */
  assert_int_equal(sap_parse(buf, len, &back), RILL_OK);
  assert_true(back.deletion);
  assert_int_equal(back.msg_id_hash, m.msg_id_hash);
  assert_int_equal(back.payload_bytes, sizeof(sdp) - 1);
  assert_memory_equal(back.payload, sdp, sizeof(sdp) - 1);
  assert_int_equal(sap_compose(&m, buf, len - 1, &len), RILL_ENOSPC);
}

static void sap_parse_rejects(void **state)
{
  uint8_t buf[64];
  struct sap_message m;
  static const uint8_t implied[] = {0x20, 0, 0, 1, 1, 2, 3, 4, 'v', '=', '0', '\n', 0, 0};
  (void)state;
  memcpy(buf, pipewire_sap, 40);
  assert_int_equal(sap_parse(buf, 3, &m), RILL_EMALFORMED);
  assert_int_equal(sap_parse(buf, 7, &m), RILL_EMALFORMED); /* origin cut */
  assert_int_equal(sap_parse(buf, 24, &m), RILL_EMALFORMED); /* no payload */
  assert_int_equal(sap_parse(buf, 20, &m), RILL_EMALFORMED); /* type unterminated */
  buf[0] = 0x00; /* version 0 */
  assert_int_equal(sap_parse(buf, 40, &m), RILL_EMALFORMED);
  buf[0] = 0x22; /* encrypted */
  assert_int_equal(sap_parse(buf, 40, &m), RILL_EUNSUPPORTED);
  buf[0] = 0x21; /* compressed */
  assert_int_equal(sap_parse(buf, 40, &m), RILL_EUNSUPPORTED);
  buf[0] = 0x20;
  buf[1] = 1; /* authentication data */
  assert_int_equal(sap_parse(buf, 40, &m), RILL_EUNSUPPORTED);
  buf[1] = 0;
  memcpy(buf + 8, "text/plain\0", 11);
  assert_int_equal(sap_parse(buf, 40, &m), RILL_EUNSUPPORTED);
  /* No payload type field: the SDP follows the origin; trailing NULs dropped. */
  assert_int_equal(sap_parse(implied, sizeof(implied), &m), RILL_OK);
  assert_int_equal(m.payload_bytes, 4);
  assert_int_equal(sap_parse(NULL, 0, &m), RILL_EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sap_parse_reads_pipewire_announcement),
      cmocka_unit_test(sdp_parse_reads_pulseaudio_and_ffmpeg),
      cmocka_unit_test(sdp_parse_static_types_without_rtpmap),
      cmocka_unit_test(sdp_opus_rtpmap_both_ways),
      cmocka_unit_test(sdp_parse_reads_ffmpeg_opus_fmtp),
      cmocka_unit_test(sdp_parse_skips_other_media),
      cmocka_unit_test(sdp_parse_rejects_malformed),
      cmocka_unit_test(sdp_parse_bounds),
      cmocka_unit_test(sdp_compose_writes_announcement),
      cmocka_unit_test(sdp_compose_opus_says_stereo),
      cmocka_unit_test(sdp_parse_origin_of_short_deletion),
      cmocka_unit_test(sap_compose_parse_round_trip_and_deletion),
      cmocka_unit_test(sap_parse_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
