#!/usr/bin/env python3
"""Write the seed corpus of the sap_parse fuzz target.

Usage: fuzz/make_sap_seeds.py [OUT_DIR]   (default: fuzz/corpus/sap_parse)

SAP datagrams as PipeWire 0.3.65 and PulseAudio 16.1 send them (captured,
tests/sdp/test_sdp.c), rill's own, a deletion, bare SDP files (ffmpeg's
L16 and Opus), and one of each case the parsers must reject. Deterministic.
"""
import struct

from seed_util import write_seeds

PW = (b"v=0\no=root 4005098085 0 IN IP4 127.0.0.1\ns=pw-rtp-test\nc=IN IP4 127.0.0.1\n"
      b"t=4005098085 0\na=recvonly\na=tool:PipeWire 0.3.65\nm=audio 46020 RTP/AVP 127\n"
      b"a=rtpmap:127 L16/48000/2\na=type:broadcast\na=ptime:6\n")
PA = (b"v=0\no=root 4005098113 0 IN IP4 127.0.0.1\ns=pa-test\nc=IN IP4 127.0.0.1\n"
      b"t=4005098113 0\na=recvonly\nm=audio 46220 RTP/AVP 10\na=rtpmap:10 L16/44100/2\n"
      b"a=type:broadcast\n")
RILL = (b"v=0\no=- 3735928559 1 IN IP4 192.168.1.5\ns=rill on desk\nc=IN IP4 239.255.0.1/1\n"
        b"t=0 0\na=recvonly\na=tool:rill 0.1.0\nm=audio 46000 RTP/AVP 127\n"
        b"a=rtpmap:127 L16/48000/2\na=ptime:2.500\n")
FFMPEG = (b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
          b"a=tool:libavformat LIBAVFORMAT_VERSION\r\nm=audio 46500 RTP/AVP 97\r\n"
          b"b=AS:1536\r\na=rtpmap:97 L16/48000/2\r\n")
FFMPEG_OPUS = (b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\n"
               b"t=0 0\r\na=tool:libavformat LIBAVFORMAT_VERSION\r\nm=audio 40000 RTP/AVP 97\r\n"
               b"b=AS:96\r\na=rtpmap:97 opus/48000/2\r\na=fmtp:97 sprop-stereo=1\r\n")
MULTI = (b"v=0\r\no=- 1 1 IN IP6 ::1\r\ns=two\r\nt=0 0\r\n"
         b"m=video 5000 RTP/AVP 96\r\nc=IN IP4 1.2.3.4\r\na=rtpmap:96 H264/90000\r\n"
         b"m=audio 0 RTP/AVP 97\r\nm=audio 5004/2 RTP/AVP 98 11 0\r\nc=IN IP6 ff02::1\r\n"
         b"a=rtpmap:98 L24/96000/6\r\na=ptime:2.5\r\n")


def sap(sdp, hash_=0x6745, deletion=False, v6=False, mime=b"application/sdp\0", auth=0,
        flags=0):
    b0 = 1 << 5 | (0x10 if v6 else 0) | (0x04 if deletion else 0) | flags
    origin = bytes(15) + b"\1" if v6 else b"\x7f\0\0\1"
    return struct.pack(">BBH", b0, auth, hash_) + origin + mime + sdp


seeds = {
    "seed_pipewire": sap(PW),
    "seed_pulseaudio": sap(PA, 0xf472),
    "seed_rill": sap(RILL, 0x1234),
    "seed_rill_deletion": sap(RILL, 0x1234, deletion=True),
    "seed_deletion_origin_only": sap(b"v=0\no=- 1 1 IN IP4 127.0.0.1\n", deletion=True),
    "seed_ipv6_implied_type": sap(MULTI, v6=True, mime=b""),
    "seed_trailing_nul": sap(PA + b"\0"),
    "seed_encrypted": sap(PA, flags=0x02),
    "seed_auth": sap(PA, auth=1) + b"\0\0\0\0",
    "seed_other_type": sap(PA, mime=b"text/plain\0"),
    "seed_ffmpeg_file": FFMPEG,
    "seed_ffmpeg_opus_file": FFMPEG_OPUS,
    "seed_fmtp_params": FFMPEG_OPUS.replace(b"sprop-stereo=1",
                                            b"minptime=10; useinbandfec=1;SPROP-STEREO=1"),
    "seed_multi_media_file": MULTI,
    "seed_bad_rtpmap": PA.replace(b"a=rtpmap:10", b"a=rtpmap:96"),
    "seed_unknown_letter": PW + b"y=1\n",
}
write_seeds("sap_parse", seeds)
