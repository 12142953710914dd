/*
 * Constants and configuration structs of the roc 0.4 API.
 *
 * Every config may be zeroed with memset() and then given the few fields
 * that have no default; zero means "default" elsewhere. Structs are flat and
 * may be copied with memcpy().
 */
#ifndef ROC_CONFIG_H_
#define ROC_CONFIG_H_

#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Slot: an independent set of interfaces of a sender or receiver, each of
 * which may be bound or connected once. Created on first use; any number
 * identifies one (rill keeps at most 8 slots per peer).
 */
typedef unsigned long long roc_slot;

/* Slot zero, enough for most programs. */
static const roc_slot ROC_SLOT_DEFAULT = 0;

/* What an endpoint carries. */
typedef enum roc_interface {
  /* All streams through one high-level protocol (RTSP). Not supported by
   * rill: bind/connect fail. */
  ROC_INTERFACE_CONSOLIDATED = 1,
  /* Audio packets: rtp://, rtp+rs8m://, rtp+ldpc://. */
  ROC_INTERFACE_AUDIO_SOURCE = 11,
  /* FEC repair packets: rs8m://, ldpc://. */
  ROC_INTERFACE_AUDIO_REPAIR = 12,
  /* Control packets: rtcp://. Not supported by rill yet: bind/connect fail. */
  ROC_INTERFACE_AUDIO_CONTROL = 13
} roc_interface;

/* URI scheme of an endpoint. */
typedef enum roc_protocol {
  ROC_PROTO_RTSP = 10,            /* rtsp:// (not supported by rill) */
  ROC_PROTO_RTP = 20,             /* rtp:// */
  ROC_PROTO_RTP_RS8M_SOURCE = 30, /* rtp+rs8m:// */
  ROC_PROTO_RS8M_REPAIR = 31,     /* rs8m:// */
  ROC_PROTO_RTP_LDPC_SOURCE = 32, /* rtp+ldpc:// */
  ROC_PROTO_LDPC_REPAIR = 33,     /* ldpc:// */
  ROC_PROTO_RTCP = 70             /* rtcp:// (not supported by rill yet) */
} roc_protocol;

/*
 * Built-in packet encodings; the value is the RTP payload type. Encodings
 * registered with roc_context_register_encoding() may be used as well.
 */
typedef enum roc_packet_encoding {
  ROC_PACKET_ENCODING_AVP_L16_MONO = 11,   /* L16, 1 channel, 44100 Hz (RFC 3551) */
  ROC_PACKET_ENCODING_AVP_L16_STEREO = 10  /* L16, 2 channels, 44100 Hz (RFC 3551) */
} roc_packet_encoding;

/* FEC encoding of a sender. */
typedef enum roc_fec_encoding {
  ROC_FEC_ENCODING_DISABLE = -1,        /* no FEC: plain rtp:// */
  ROC_FEC_ENCODING_DEFAULT = 0,         /* Reed-Solomon */
  ROC_FEC_ENCODING_RS8M = 1,            /* Reed-Solomon m=8 (RFC 6865) */
  ROC_FEC_ENCODING_LDPC_STAIRCASE = 2   /* LDPC-Staircase (RFC 6816) */
} roc_fec_encoding;

/* Sample format of frames. */
typedef enum roc_format {
  /* Interleaved native-endian 32-bit floats in [-1, 1]. */
  ROC_FORMAT_PCM_FLOAT32 = 1
} roc_format;

/* Channel layout. */
typedef enum roc_channel_layout {
  /* `tracks` independent channels (rill: 1..8). */
  ROC_CHANNEL_LAYOUT_MULTITRACK = 1,
  ROC_CHANNEL_LAYOUT_MONO = 2,
  ROC_CHANNEL_LAYOUT_STEREO = 3
} roc_channel_layout;

/* Format, rate and channels of frames or packets. */
typedef struct roc_media_encoding {
  unsigned int rate;           /* samples per channel per second */
  roc_format format;
  roc_channel_layout channels;
  unsigned int tracks;         /* channel count for MULTITRACK, else 0 */
} roc_media_encoding;

/* Who paces read and write. */
typedef enum roc_clock_source {
  ROC_CLOCK_SOURCE_DEFAULT = 0,  /* external */
  /* The caller calls read/write on time (a sound card's clock): they never block. */
  ROC_CLOCK_SOURCE_EXTERNAL = 1,
  /* read/write block until the stream's clock reaches the frame (a file). */
  ROC_CLOCK_SOURCE_INTERNAL = 2
} roc_clock_source;

/* Which latency the latency tuner measures. */
typedef enum roc_latency_tuner_backend {
  ROC_LATENCY_TUNER_BACKEND_DEFAULT = 0, /* NIQ */
  /* The receiver's queue of incoming packets (rill's measure, always). */
  ROC_LATENCY_TUNER_BACKEND_NIQ = 2
} roc_latency_tuner_backend;

/* Whether and how latency is tuned (clock drift compensated). */
typedef enum roc_latency_tuner_profile {
  ROC_LATENCY_TUNER_PROFILE_DEFAULT = 0,    /* receiver: tuned; sender: intact */
  ROC_LATENCY_TUNER_PROFILE_INTACT = 1,     /* no tuning */
  ROC_LATENCY_TUNER_PROFILE_RESPONSIVE = 2, /* rill: its one controller */
  ROC_LATENCY_TUNER_PROFILE_GRADUAL = 3     /* rill: its one controller */
} roc_latency_tuner_profile;

/* Resampler implementation (rill always uses SpeexDSP). */
typedef enum roc_resampler_backend {
  ROC_RESAMPLER_BACKEND_DEFAULT = 0,
  ROC_RESAMPLER_BACKEND_BUILTIN = 1,
  ROC_RESAMPLER_BACKEND_SPEEX = 2,
  ROC_RESAMPLER_BACKEND_SPEEXDEC = 3
} roc_resampler_backend;

/* Resampler quality. */
typedef enum roc_resampler_profile {
  ROC_RESAMPLER_PROFILE_DEFAULT = 0, /* medium */
  ROC_RESAMPLER_PROFILE_HIGH = 1,
  ROC_RESAMPLER_PROFILE_MEDIUM = 2,
  ROC_RESAMPLER_PROFILE_LOW = 3
} roc_resampler_profile;

/* Context configuration. */
typedef struct roc_context_config {
  /* Largest network packet, in bytes. 0: 2048. */
  unsigned int max_packet_size;
  /* Largest intermediate frame, in bytes: the chunk in which rill mixes
   * slots and paces the internal clock. 0: 4096. */
  unsigned int max_frame_size;
} roc_context_config;

/* Sender (and sender encoder) configuration. */
typedef struct roc_sender_config {
  /* Frames written by the user. Required. */
  roc_media_encoding frame_encoding;
  /* Encoding on the wire. 0: the built-in or registered encoding with the
   * frame encoding's rate and channels (44.1 kHz stereo/mono: PT 10/11). */
  roc_packet_encoding packet_encoding;
  /* Audio per packet, in nanoseconds. 0: 5 ms (roc: 2.5 ms). */
  unsigned long long packet_length;
  /* Shuffle packets before sending (not supported by rill: ignored). */
  unsigned int packet_interleaving;
  /* FEC encoding. 0: Reed-Solomon; connect source and repair endpoints of
   * the matching protocols, or set ROC_FEC_ENCODING_DISABLE for rtp://. */
  roc_fec_encoding fec_encoding;
  /* Source packets per FEC block. 0: 18. */
  unsigned int fec_block_source_packets;
  /* Repair packets per FEC block. 0: 10. */
  unsigned int fec_block_repair_packets;
  /* Whether write blocks. 0: external (never blocks). */
  roc_clock_source clock_source;
  /* Latency tuning on the sender: only DEFAULT/INTACT are supported by rill. */
  roc_latency_tuner_backend latency_tuner_backend;
  roc_latency_tuner_profile latency_tuner_profile;
  /* Resampling when the frame and packet rates differ. */
  roc_resampler_backend resampler_backend;
  roc_resampler_profile resampler_profile;
  /* Sender-side latency tuning targets (unused by rill, which tunes on the
   * receiver). Nanoseconds. */
  unsigned long long target_latency;
  unsigned long long latency_tolerance;
} roc_sender_config;

/* Receiver (and receiver decoder) configuration. */
typedef struct roc_receiver_config {
  /* Frames returned to the user. Required. */
  roc_media_encoding frame_encoding;
  /* Whether read blocks. 0: external (never blocks). */
  roc_clock_source clock_source;
  roc_latency_tuner_backend latency_tuner_backend;
  /* INTACT: no clock drift compensation; other values: rill's controller. */
  roc_latency_tuner_profile latency_tuner_profile;
  roc_resampler_backend resampler_backend;
  roc_resampler_profile resampler_profile;
  /* Jitter buffer target, in nanoseconds. 0: 200 ms. */
  unsigned long long target_latency;
  /* Audio queued beyond target + tolerance is dropped and playback jumps
   * back to the target, in nanoseconds. 0: rill's default (the larger of
   * the target and 50 ms). */
  unsigned long long latency_tolerance;
  /* A connection that plays nothing this long is ended, in nanoseconds.
   * 0: 2 s; negative: off. */
  long long no_playback_timeout;
  /* A connection that is choppy this long is ended, in nanoseconds.
   * 0 or negative: off. */
  long long choppy_playback_timeout;
} roc_receiver_config;

/* Per-interface options (roc_sender_configure, roc_receiver_configure). */
typedef struct roc_interface_config {
  /* IP address of the local interface to send from; empty: the OS picks
   * (rill: ignored). */
  char outgoing_address[48];
  /* IP address of the interface on which to join a multicast group; empty:
   * none. */
  char multicast_group[48];
  /* Nonzero: bind with SO_REUSEADDR. */
  int reuse_address;
} roc_interface_config;

#ifdef __cplusplus
}
#endif

#endif /* ROC_CONFIG_H_ */
