/*
 * Depacketizer. All positions are RTP timestamps (uint32, wrap-aware through
 * packet/seqmath.h); a packet covers [timestamp, timestamp + frames).
 */
#include "audio/depacketizer.h"

#include <rill/status.h>
#include <string.h>

#include "packet/seqmath.h"

void depack_init(struct rill_depacketizer *d, const struct rtp_encoding *enc,
                 uint32_t target_frames, size_t max_packets)
{
  memset(d, 0, sizeof(*d));
  squeue_init(&d->queue, max_packets);
  d->enc = *enc;
  d->frame_bytes = (uint32_t)rtp_bytes_per_frame(enc);
  d->target_frames = target_frames;
  /* One second beyond the target in either direction is not jitter. */
  d->resync_frames = target_frames + enc->rate_hz;
}

void depack_attach_opus(struct rill_depacketizer *d, struct opuscodec_dec *dec, float *pcm,
                        uint32_t pcm_frames)
{
  d->opus = dec;
  d->pcm = pcm;
  d->pcm_cap = pcm_frames;
  d->pcm_frames = 0;
}

void depack_set_max_latency(struct rill_depacketizer *d, uint32_t max_frames)
{
  d->max_latency_frames = max_frames;
}

void depack_deinit(struct rill_depacketizer *d)
{
  squeue_clear(&d->queue);
}

static uint32_t pkt_end(const struct rill_packet *pkt)
{
  return pkt->timestamp + pkt->frames;
}

static void restart(struct rill_depacketizer *d)
{
  d->started = false;
  d->have_last_seq = false;
  d->pcm_frames = 0;
}

/* Move the play position forward to `new_next`, dropping the packets it
 * passes over as stale (not lost). */
static void jump_to(struct rill_depacketizer *d, uint32_t new_next)
{
  struct rill_packet *head;
  while ((head = squeue_head(&d->queue)) != NULL && !ts_before(new_next, pkt_end(head))) {
    squeue_pop(&d->queue);
    d->stats.packets_stale++;
    packet_free(head);
  }
  d->next_ts = new_next;
  d->have_last_seq = false; /* the skipped packets were not lost */
  d->pcm_frames = 0;
  d->stats.latency_trims++;
}

/* Too much queued: jump the play position so that exactly the target is. */
static void trim_latency(struct rill_depacketizer *d)
{
  struct rill_packet *tail = squeue_tail(&d->queue);
  if (!d->started || d->max_latency_frames == 0 || !tail ||
      ts_diff(pkt_end(tail), d->next_ts) <= (int64_t)d->max_latency_frames)
    return;
  jump_to(d, pkt_end(tail) - d->target_frames);
}

uint32_t depack_skip(struct rill_depacketizer *d, uint32_t frames)
{
  uint32_t queued = depack_queued_frames(d);
  if (!d->started || frames == 0)
    return 0;
  if (frames > queued)
    frames = queued;
  jump_to(d, d->next_ts + frames);
  return frames;
}

/* True if `ts` is too far from `ref` to be jitter: the two are on different
 * timelines (the sender restarted its clock, or one is a stray packet). */
static bool far_from(const struct rill_depacketizer *d, uint32_t ts, uint32_t ref)
{
  int64_t diff = ts_diff(ts, ref);
  return diff > (int64_t)d->resync_frames || -diff > (int64_t)d->resync_frames;
}

/* Drop queued packets that end at or before the play position. */
static void drop_stale(struct rill_depacketizer *d)
{
  struct rill_packet *pkt;
  while ((pkt = squeue_head(&d->queue)) != NULL && !ts_before(d->next_ts, pkt_end(pkt))) {
    squeue_pop(&d->queue);
    d->stats.packets_late++;
    packet_free(pkt);
  }
}

/* Start once the queue spans the target latency. */
static void try_start(struct rill_depacketizer *d)
{
  struct rill_packet *head = squeue_head(&d->queue), *tail = squeue_tail(&d->queue);
  int64_t span;
  if (!head)
    return;
  span = ts_diff(pkt_end(tail), head->timestamp);
  if (span < (int64_t)d->target_frames)
    return;
  /* Play from the oldest packet: nothing received is skipped, and the
   * latency starts between the target and the target plus one packet. */
  d->started = true;
  d->stats.starts++;
  d->next_ts = head->timestamp;
}

bool depack_push(struct rill_depacketizer *d, struct rill_packet *pkt)
{
  struct rill_packet *head;
  enum squeue_result r;

  if (d->opus) {
    uint32_t frames = 0;
    if (opuscodec_packet_frames(packet_payload(pkt), pkt->payload_bytes, &frames) != RILL_OK ||
        frames > d->pcm_cap) {
      d->stats.packets_invalid++;
      packet_free(pkt);
      return false;
    }
    pkt->frames = frames;
  } else if (d->frame_bytes == 0 || pkt->payload_bytes % d->frame_bytes != 0 ||
             pkt->payload_bytes == 0) {
    d->stats.packets_invalid++;
    packet_free(pkt);
    return false;
  } else {
    pkt->frames = pkt->payload_bytes / d->frame_bytes;
  }

  if (d->started) {
    if (far_from(d, pkt->timestamp, d->next_ts)) {
      d->stats.resyncs++;
      squeue_clear(&d->queue);
      restart(d);
      if (d->opus)
        opuscodec_decoder_reset(d->opus); /* another timeline */
    } else if (!ts_before(d->next_ts, pkt_end(pkt))) {
      d->stats.packets_late++;
      packet_free(pkt);
      return false;
    }
  } else if ((head = squeue_head(&d->queue)) != NULL &&
             (far_from(d, pkt->timestamp, head->timestamp) ||
              far_from(d, pkt->timestamp, squeue_tail(&d->queue)->timestamp))) {
    /* The same rule before the start, against the queued packets: keep the
     * newest arrival. Otherwise one stray packet queued with the stream
     * would keep the span negative (never starting, the queue filling up)
     * or make playback wait on a gap of up to 2^31 frames. */
    d->stats.resyncs++;
    squeue_clear(&d->queue);
  }

  r = squeue_insert(&d->queue, pkt);
  if (r != SQUEUE_INSERTED) {
    if (r == SQUEUE_DUPLICATE)
      d->stats.packets_duplicate++;
    else
      d->stats.packets_overflow++;
    packet_free(pkt);
    return false;
  }
  if (!d->started)
    try_start(d);
  else
    trim_latency(d);
  return true;
}

static void note_played(struct rill_depacketizer *d, const struct rill_packet *pkt)
{
  if (d->have_last_seq) {
    int32_t gap = seq_diff(pkt->seq, d->last_seq) - 1;
    if (gap > 0)
      d->stats.packets_lost += (uint64_t)gap;
  }
  d->have_last_seq = true;
  d->last_seq = pkt->seq;
  d->stats.packets_played++;
}

/* The packet that plays next, stale ones dropped; NULL when the queue is
 * dry: playback stops there and primes again when packets come. */
static struct rill_packet *next_packet(struct rill_depacketizer *d)
{
  struct rill_packet *pkt;
  drop_stale(d);
  pkt = squeue_head(&d->queue);
  if (!pkt) {
    d->stats.underruns++;
    restart(d);
  }
  return pkt;
}

/* `frames` frames of silence at `out` for missing audio. */
static void play_gap(struct rill_depacketizer *d, float *out, uint32_t frames)
{
  memset(out, 0, (size_t)frames * d->enc.channels * sizeof(float));
  d->stats.gap_frames += frames;
}

/*
 * Opus: fill the PCM buffer with what plays at next_ts, which is in a gap
 * before `head` (`gap` frames) or in `head` itself. Returns false when
 * the gap cannot be concealed (less than 2.5 ms): the caller plays
 * silence.
 */
static bool opus_fill(struct rill_depacketizer *d, struct rill_packet *head, uint32_t gap)
{
  uint32_t n = 0;
  if (gap > 0) {
    /* A sequence gap is loss; consecutive packets with a timestamp gap are
     * the sender's DTX. The last 2.5 ms multiple right before `head` is
     * decoded from its in-band FEC (libopus conceals the part its FEC does
     * not cover, or all of it when there is none); longer gaps are
     * concealed a buffer at a time. */
    bool dtx = d->have_last_seq && seq_diff(head->seq, d->last_seq) == 1;
    uint32_t chunk = gap - gap % OPUSCODEC_MIN_FRAMES, cap = d->pcm_cap;
    bool fec;
    cap -= cap % OPUSCODEC_MIN_FRAMES;
    if (chunk == 0)
      return false;
    if (chunk > cap)
      chunk = cap;
    fec = !dtx && chunk == gap;
    if (opuscodec_decode(d->opus, fec ? packet_payload(head) : NULL,
                         fec ? head->payload_bytes : 0, fec, d->pcm, chunk, &n) != RILL_OK ||
        n != chunk)
      memset(d->pcm, 0, (size_t)chunk * d->enc.channels * sizeof(float));
    if (dtx) {
      d->stats.dtx_frames += chunk;
    } else if (fec && opuscodec_packet_has_fec(packet_payload(head), head->payload_bytes)) {
      uint32_t covered = head->frames < chunk ? head->frames : chunk;
      d->stats.fec_frames += covered;
      d->stats.plc_frames += chunk - covered;
    } else {
      d->stats.plc_frames += chunk;
    }
    d->pcm_ts = d->next_ts;
    d->pcm_frames = chunk;
    return true;
  }
  /* Decode the whole packet, however much of it plays. A packet from
   * before the last one played (a duplicate of a packet already decoded)
   * would set the decoder back: dropped. */
  squeue_pop(&d->queue);
  if (d->have_last_seq && !seq_before(d->last_seq, head->seq)) {
    d->stats.packets_duplicate++;
    packet_free(head);
    d->pcm_frames = 0;
    return true;
  }
  note_played(d, head);
  if (opuscodec_decode(d->opus, packet_payload(head), head->payload_bytes, false, d->pcm,
                       d->pcm_cap, &n) != RILL_OK ||
      n != head->frames) {
    d->stats.packets_invalid++;
    /* head->frames <= pcm_cap (depack_push checked it) */
    memset(d->pcm, 0, (size_t)head->frames * d->enc.channels * sizeof(float));
  }
  d->pcm_ts = head->timestamp;
  d->pcm_frames = head->frames;
  packet_free(head);
  return true;
}

static uint32_t read_opus(struct rill_depacketizer *d, float *out, uint32_t frames)
{
  uint32_t channels = d->enc.channels, pos = 0, audio = 0;
  size_t steps = 0, max_steps = 2 * (size_t)frames + d->queue.count + 4;

  /* Each step plays at least a frame, consumes a packet, or fills the PCM
   * buffer at the play position (played by the next step): bounded. */
  while (pos < frames && steps++ < max_steps) {
    uint32_t want = frames - pos, take;
    struct rill_packet *pkt;

    if (!d->started)
      break;
    if (d->pcm_frames > 0 && !ts_before(d->next_ts, d->pcm_ts) &&
        ts_before(d->next_ts, d->pcm_ts + d->pcm_frames)) {
      uint32_t offset = d->next_ts - d->pcm_ts;
      take = d->pcm_frames - offset;
      if (take > want)
        take = want;
      memcpy(out + (size_t)pos * channels, d->pcm + (size_t)offset * channels,
             (size_t)take * channels * sizeof(float));
      audio += take;
      d->next_ts += take;
      pos += take;
      continue;
    }
    pkt = next_packet(d);
    if (!pkt)
      break;
    if (ts_before(d->next_ts, pkt->timestamp)) {
      uint32_t gap = (uint32_t)ts_diff(pkt->timestamp, d->next_ts);
      if (opus_fill(d, pkt, gap))
        continue;
      take = gap < want ? gap : want;
      play_gap(d, out + (size_t)pos * channels, take);
      d->next_ts += take;
      pos += take;
    } else {
      (void)opus_fill(d, pkt, 0);
    }
  }
  if (pos < frames)
    memset(out + (size_t)pos * channels, 0, (size_t)(frames - pos) * channels * sizeof(float));
  return audio;
}

uint32_t depack_read(struct rill_depacketizer *d, float *out, uint32_t frames)
{
  uint32_t channels = d->enc.channels, pos = 0, audio = 0;

  if (d->opus)
    return read_opus(d, out, frames);

  while (pos < frames) {
    uint32_t want = frames - pos, take;
    struct rill_packet *pkt;

    if (!d->started)
      break;
    pkt = next_packet(d);
    if (!pkt)
      break;
    if (ts_before(d->next_ts, pkt->timestamp)) {
      /* A gap before the next packet: lost or not yet arrived. */
      uint32_t gap = (uint32_t)ts_diff(pkt->timestamp, d->next_ts);
      take = gap < want ? gap : want;
      play_gap(d, out + (size_t)pos * channels, take);
    } else {
      uint32_t offset = d->next_ts - pkt->timestamp;
      size_t decoded = 0;
      take = pkt->frames - offset;
      if (take > want)
        take = want;
      if (!d->have_last_seq || seq_before(d->last_seq, pkt->seq))
        note_played(d, pkt);
      (void)rtp_payload_decode(&d->enc, packet_payload(pkt) + (size_t)offset * d->frame_bytes,
                               (size_t)take * d->frame_bytes, out + (size_t)pos * channels,
                               take, &decoded);
      audio += take;
      if (offset + take == pkt->frames)
        packet_free(squeue_pop(&d->queue));
    }
    d->next_ts += take;
    pos += take;
  }
  if (pos < frames)
    memset(out + (size_t)pos * channels, 0, (size_t)(frames - pos) * channels * sizeof(float));
  return audio;
}

uint32_t depack_queued_frames(const struct rill_depacketizer *d)
{
  struct rill_packet *head = squeue_head(&d->queue), *tail = squeue_tail(&d->queue);
  int64_t span;
  if (!tail)
    return 0;
  span = ts_diff(pkt_end(tail), d->started ? d->next_ts : head->timestamp);
  return span > 0 ? (uint32_t)span : 0;
}

bool depack_newest_arrival(const struct rill_depacketizer *d, int64_t *recv_ns)
{
  struct rill_packet *tail = squeue_tail(&d->queue);
  if (!tail)
    return false;
  *recv_ns = tail->recv_ns;
  return true;
}
