/*
 * Depacketizer: the playback side of one session's jitter buffer.
 *
 * Packets of one stream go into a sorted queue (by seq); reads take frames
 * out at RTP-timestamp positions, decoding straight from the packet payloads
 * into the caller's buffer, and fill every gap with silence.
 *
 * Latency. The depacketizer starts playing only when the queued packets span
 * the target latency; it then plays from the oldest packet, so the audio is
 * at least `target` (at most target plus one packet) behind the newest. A packet that ends before the play
 * position is late: dropped and counted. When the queue runs dry the session
 * stops and primes again (counted as an underrun), so a stream that pauses
 * and resumes plays again at the target latency instead of being late for
 * ever. A packet whose timestamp is far from the play position (the sender
 * restarted its clock) makes the session resync to it; before the start, a
 * packet far from the queued ones replaces them. With a maximum
 * latency set, a queue holding more than that jumps forward to the target.
 *
 * Opus (depack_attach_opus). A packet cannot be decoded in parts, so each
 * is decoded whole, in order, into a buffer of one packet's PCM that reads
 * then copy from. A gap is concealed instead of played as silence: when
 * the packet after it is queued and a packet was lost (a sequence gap),
 * libopus decodes the gap from that packet's in-band FEC, or conceals it
 * (PLC) when the packet carries none; a timestamp gap without a sequence
 * gap is the sender's DTX (RFC 7587 4.4): concealment too (libopus makes
 * comfort noise, fading to silence), counted apart and not as loss. Gaps
 * are concealed in multiples of 2.5 ms; what remains plays as silence.
 *
 * Thread role: one owner, the real-time reader. Nothing here allocates.
 */
#ifndef RILL_AUDIO_DEPACKETIZER_H
#define RILL_AUDIO_DEPACKETIZER_H

#include <stdbool.h>
#include <stdint.h>

#include "audio/opus_codec.h"
#include "packet/sorted_queue.h"
#include "rtp/payload.h"

struct rill_depacketizer_stats {
  uint64_t packets_played;  /* packets whose audio was played (fully or partly) */
  uint64_t packets_lost;    /* seq gaps between played packets */
  uint64_t packets_late;    /* arrived after their play position */
  uint64_t packets_duplicate;
  uint64_t packets_overflow; /* queue full */
  uint64_t packets_invalid;  /* payload not a whole number of frames */
  uint64_t gap_frames;       /* frames of silence played while started */
  uint64_t underruns;        /* queue ran dry while playing */
  uint64_t resyncs;          /* timestamp jumps that restarted playback */
  uint64_t starts;           /* playback (re)started, primed at the target */
  uint64_t packets_stale;    /* dropped because the queue held too much audio */
  uint64_t latency_trims;    /* times the play position jumped forward to the target */
  /* Opus only. */
  uint64_t plc_frames;       /* lost audio concealed by libopus PLC */
  uint64_t fec_frames;       /* lost audio decoded from in-band FEC */
  uint64_t dtx_frames;       /* the sender's DTX silences, concealed (not loss) */
};

struct rill_depacketizer {
  struct rill_sorted_queue queue;
  struct rtp_encoding enc;
  uint32_t frame_bytes;
  uint32_t target_frames;
  uint32_t resync_frames;   /* a timestamp this far from the play position resyncs */
  uint32_t max_latency_frames; /* more queued than this: jump to the target (0: no limit) */
  bool started;
  uint32_t next_ts;         /* RTP timestamp of the next frame to play */
  bool have_last_seq;
  uint16_t last_seq;        /* seq of the last packet played */
  /* Opus (depack_attach_opus); NULL for PCM. */
  struct opuscodec_dec *opus; /* borrowed */
  float *pcm;               /* borrowed: pcm_cap frames of enc.channels */
  uint32_t pcm_cap;
  uint32_t pcm_ts;          /* RTP timestamp of pcm's first frame */
  uint32_t pcm_frames;      /* frames decoded there (0: none) */
  struct rill_depacketizer_stats stats;
};

/*
 * Set up for a stream of encoding `enc`, with a target latency of
 * `target_frames` frames and a queue of at most `max_packets` packets.
 */
void depack_init(struct rill_depacketizer *d, const struct rtp_encoding *enc,
                 uint32_t target_frames, size_t max_packets);

/*
 * Bound the audio held: when more than `max_frames` frames are queued ahead
 * of the play position (the reader stalled, or a burst arrived), the play
 * position jumps forward so that exactly the target is queued; the skipped
 * packets are dropped and counted as stale. Stale audio is dropped, not
 * played late. 0 (the default) sets no limit.
 */
void depack_set_max_latency(struct rill_depacketizer *d, uint32_t max_frames);

/*
 * Decode Opus with `dec` (an initialised decoder of enc.channels) through
 * `pcm` (room for `pcm_frames` frames of enc.channels, at least a packet's:
 * OPUSCODEC_MAX_FRAMES accepts every packet). Both stay borrowed; call
 * after depack_init, before the first push. Packets longer than
 * `pcm_frames` are invalid.
 */
void depack_attach_opus(struct rill_depacketizer *d, struct opuscodec_dec *dec, float *pcm,
                        uint32_t pcm_frames);

/* Free every queued packet. */
void depack_deinit(struct rill_depacketizer *d);

/*
 * Take ownership of `pkt` (its payload already belongs to this encoding).
 * Returns true if queued; false if it was dropped (late, duplicate, queue
 * full, invalid), in which case it has been freed and counted.
 */
bool depack_push(struct rill_depacketizer *d, struct rill_packet *pkt);

/*
 * Write `frames` frames of interleaved float samples in the stream's channel
 * layout to `out` (frames * enc.channels floats). Returns the number of
 * frames that carried audio (the rest is silence).
 */
uint32_t depack_read(struct rill_depacketizer *d, float *out, uint32_t frames);

/*
 * Drop `frames` frames from the play position on (a latency step removed at
 * once, instead of being played out slowly): the position jumps forward by
 * at most what is queued, packets passed over are dropped and counted as
 * stale. Returns the frames skipped (0 when not started).
 */
uint32_t depack_skip(struct rill_depacketizer *d, uint32_t frames);

/* Frames queued ahead of the play position (0 when not started and empty). */
uint32_t depack_queued_frames(const struct rill_depacketizer *d);

/* Arrival time of the newest queued packet; false when the queue is empty. */
bool depack_newest_arrival(const struct rill_depacketizer *d, int64_t *recv_ns);

#endif /* RILL_AUDIO_DEPACKETIZER_H */
