/*
 * Receiver session: see receiver_session.h.
 *
 * Reader side, per read: packets come off the ring into the depacketizer;
 * the audio is pulled through the resampler (when the session has one) and
 * mixed into the output; the latency is measured and the drift controller
 * steers the resampler's ratio (rate-limited: a new ratio rebuilds speex's
 * filter table); the watchdog judges whether the session still plays.
 * Nothing here allocates, locks, logs or makes a system call.
 */
#include "pipeline/receiver_session.h"

#include <math.h>
#include <rill/status.h>
#include <string.h>

#include "audio/mixer.h"
#include "core/clock.h"
#include "net/addr.h"
#include "core/mem.h"
#include "packet/seqmath.h"

/* The drift controller stays off (ratio exactly nominal) until the smoothed
 * latency has moved this far from where playback started: with matched
 * clocks nothing is warped, and a real drift (50 ppm moves 2 ms in 40 s)
 * engages it soon enough. */
#define DRIFT_DEADBAND_NS (2 * NS_PER_MS)
#define DRIFT_SMOOTHING_NS (500 * NS_PER_MS)
#define SETPOINT_LEARN_NS NS_PER_S
/* A new drift ratio rebuilds speex's filter table on the reader (about 8 us
 * at quality 3, 150 us at quality 10): a session applies one at most this
 * often, and one read applies at most rsession_reader.ratio_updates_left
 * (RECEIVER_RATIO_UPDATES_PER_READ), which bounds a read's worst case whatever the
 * number of sessions. */
#define RATIO_UPDATE_NS (100 * NS_PER_MS)
/* An excess beyond LATENCY_STEP_NS held for LATENCY_STEP_CONFIRM_NS is a
 * step, not drift: the reader missed a cycle (a late PipeWire graph, a
 * stalled thread) and the audio it did not take stays queued. Drift builds
 * up at 1 ms per second at most and the controller follows it long before;
 * network jitter and stalls do not move the measure (the newest packet's
 * age cancels them). A step is dropped at once, where the glitch already
 * is, instead of being drained at the controller's clamp for seconds (a
 * pitch shift of up to 9 cents). The controller is not fed while a step
 * is pending, so it never sees one and its drift estimate is kept. */
#define LATENCY_STEP_NS (10 * NS_PER_MS)
#define LATENCY_STEP_CONFIRM_NS (100 * NS_PER_MS)

/* ---- control ---- */

int rsession_init(struct rsession *s, struct rill_arena *arena, struct rill_limiter *parent,
                  size_t budget_bytes, size_t ring_entries)
{
  int status;
  atomic_init(&s->state, SLOT_FREE);
  s->arena = arena;
  status = limiter_init(&s->scope, parent, budget_bytes, "session");
  if (status != RILL_OK)
    return status;
  return spsc_ring_create(arena, parent, ring_entries, &s->ring);
}

static void teardown_resampler(struct rsession *s)
{
  if (!s->rs_active)
    return;
  resampler_deinit(&s->rt.rs);
  limiter_release(&s->scope, s->rs_charge);
  s->rs_active = false;
}

static void teardown_opus(struct rsession *s)
{
  if (!s->opus_mem)
    return;
  mem_free(s->arena, &s->scope, s->opus_mem, s->opus_bytes);
  s->opus_mem = NULL;
  s->opus_dec = NULL;
  s->opus_pcm = NULL;
}

void rsession_deinit(struct rsession *s)
{
  if (s->rt.active) {
    depack_deinit(&s->rt.depack);
    s->rt.active = false;
  }
  teardown_resampler(s);
  teardown_opus(s);
  if (s->ring) {
    rsession_drain(s);
    spsc_ring_destroy(s->ring);
    s->ring = NULL;
  }
}

/* ---- network thread ---- */

void rsession_drain(struct rsession *s)
{
  void *p;
  while (spsc_ring_pop(s->ring, &p) == RILL_OK)
    packet_free(p);
}

static void identity_publish(struct rsession *s)
{
  unsigned seq = atomic_load_explicit(&s->id.seq, memory_order_relaxed);
  uint64_t words[RSESSION_IDENTITY_WORDS];
  size_t i;
  memcpy(words, &s->source, sizeof(words));
  atomic_store_explicit(&s->id.seq, seq + 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(&s->id.ssrc, s->ssrc, memory_order_relaxed);
  atomic_store_explicit(&s->id.payload_type, s->enc.payload_type, memory_order_relaxed);
  for (i = 0; i < RSESSION_IDENTITY_WORDS; i++)
    atomic_store_explicit(&s->id.source[i], words[i], memory_order_relaxed);
  atomic_store_explicit(&s->id.seq, seq + 2, memory_order_release);
}

/* A resampler when the rates differ or drift is compensated; its speex
 * memory is charged to the session's budget. */
static bool setup_resampler(struct rsession *s, const struct rill_receiver_params *p,
                            const struct rtp_encoding *enc)
{
  s->rs_active = false;
  if (enc->rate_hz == p->rate_hz && !p->drift_compensation)
    return true;
  if (resampler_init(&s->rt.rs, enc->channels, enc->rate_hz, p->rate_hz, p->resampler_quality) !=
      RILL_OK)
    return false;
  s->rs_charge = resampler_footprint_bytes(&s->rt.rs);
  if (!limiter_acquire(&s->scope, s->rs_charge)) {
    resampler_deinit(&s->rt.rs);
    return false;
  }
  s->rs_active = true;
  return true;
}

/* Opus: the decoder state and a packet's PCM in one allocation charged to
 * the session's budget (the reader decodes into them, allocating nothing). */
static bool setup_opus(struct rsession *s, const struct rtp_encoding *enc)
{
  size_t dec_bytes = opuscodec_decoder_bytes(enc->channels), pcm_bytes;
  if (!rtp_encoding_is_opus(enc))
    return true;
  if (dec_bytes == 0)
    return false;
  dec_bytes = (dec_bytes + 63) & ~(size_t)63;
  pcm_bytes = (size_t)OPUSCODEC_MAX_FRAMES * enc->channels * sizeof(float);
  s->opus_bytes = dec_bytes + pcm_bytes;
  if (mem_alloc(s->arena, &s->scope, s->opus_bytes, &s->opus_mem) != RILL_OK)
    return false;
  if (opuscodec_decoder_init(s->opus_mem, enc->channels, &s->opus_dec) != RILL_OK) {
    teardown_opus(s);
    return false;
  }
  s->opus_pcm = (float *)(void *)((uint8_t *)s->opus_mem + dec_bytes);
  return true;
}

bool rsession_start(struct rsession *s, const struct rill_receiver_params *p, uint32_t ssrc,
                    const struct rtp_encoding *enc, const struct sockaddr *src, int64_t now_ns)
{
  if (!setup_resampler(s, p, enc))
    return false;
  if (!setup_opus(s, enc)) {
    teardown_resampler(s);
    return false;
  }
  s->ssrc = ssrc;
  s->enc = *enc;
  addr_store(&s->source, src);
  identity_publish(s);
  s->net.last_packet_ns = now_ns;
  s->net.have_transit = false;
  s->net.jitter = 0;
  s->net.have_seq = false;
  s->net.seq_cycles = 0;
  memset(&s->net.rtcp, 0, sizeof(s->net.rtcp));
  atomic_store_explicit(&s->e2e_latency_ns, 0, memory_order_relaxed);
  atomic_store_explicit(&s->rtt_ns, 0, memory_order_relaxed);
  /* An even sequence with time 0: no play position yet. The reader does
   * not touch a FREE slot. */
  stamp_clear(&s->play);
  /* The reader's counters too: they still hold the slot's previous session
   * until the reader first plays this one. The reader does not touch a FREE
   * slot, so this thread may write them. */
#define RESET(name, visibility, doc) counter_set(&s->counters.name, 0);
  SESSION_COUNTER_MAP(RESET)
#undef RESET
  atomic_store_explicit(&s->latency_ns, 0, memory_order_relaxed);
  atomic_store_explicit(&s->jitter_ns, 0, memory_order_relaxed);
  atomic_store_explicit(&s->scaling_ppb, 0, memory_order_relaxed);
  atomic_store_explicit(&s->saturated, false, memory_order_relaxed);
  atomic_store_explicit(&s->state, SLOT_ACTIVE, memory_order_release);
  return true;
}

/* Arrival time in RTP units of `rate_hz`, modulo 2^32 like RTP timestamps
 * (no overflow however long the clock has run). */
static uint32_t arrival_rtp_units(int64_t recv_ns, uint32_t rate_hz)
{
  uint64_t ns = recv_ns > 0 ? (uint64_t)recv_ns : 0;
  return (uint32_t)((ns / NS_PER_S) * rate_hz + (ns % NS_PER_S) * rate_hz / NS_PER_S);
}

/* RFC 3550 A.8: interarrival jitter in RTP timestamp units. Transit times
 * wrap with the timestamps; their difference is taken wrap-aware. */
void rsession_on_packet(struct rsession *s, const struct rill_packet *pkt)
{
  uint32_t transit = arrival_rtp_units(pkt->recv_ns, s->enc.rate_hz) - pkt->timestamp;
  if (s->net.have_transit) {
    int64_t d = ts_diff(transit, s->net.last_transit);
    if (d < 0)
      d = -d;
    s->net.jitter += ((double)d - s->net.jitter) / 16.0;
    atomic_store_explicit(&s->jitter_ns,
                          (int64_t)(s->net.jitter * 1e9 / (double)s->enc.rate_hz),
                          memory_order_relaxed);
  }
  s->net.have_transit = true;
  s->net.last_transit = transit;
  /* RFC 3550 A.1, without its probation (admission does that): a forward
   * jump that wraps counts a cycle; older packets leave the maximum alone. */
  if (!s->net.have_seq) {
    s->net.have_seq = true;
    s->net.base_seq = s->net.max_seq = pkt->seq;
  } else if (seq_diff(pkt->seq, s->net.max_seq) > 0) {
    if (pkt->seq < s->net.max_seq)
      s->net.seq_cycles += 1u << 16;
    s->net.max_seq = pkt->seq;
  }
}

bool rsession_ext_max_seq(const struct rsession *s, uint32_t *out)
{
  if (!s->net.have_seq)
    return false;
  *out = s->net.seq_cycles + s->net.max_seq;
  return true;
}

bool rsession_close(struct rsession *s)
{
  int expected = SLOT_ACTIVE;
  return atomic_compare_exchange_strong(&s->state, &expected, SLOT_CLOSING);
}

static void publish_depack(struct rsession *s);

void rsession_free(struct rsession *s, struct session_totals *gone)
{
  if (s->rt.active) {
    publish_depack(s);
    depack_deinit(&s->rt.depack);
    s->rt.active = false;
  }
  rsession_drain(s);
  teardown_resampler(s);
  teardown_opus(s);
#define ADD(name, visibility, doc) counter_add(&gone->name, counter_get(&s->counters.name));
  SESSION_COUNTER_MAP(ADD)
#undef ADD
  atomic_store_explicit(&s->state, SLOT_FREE, memory_order_release);
}

/* ---- reader ---- */

static void publish_depack(struct rsession *s)
{
  const struct rill_depacketizer_stats *st = &s->rt.depack.stats;
  counter_set(&s->counters.packets_played, st->packets_played);
  counter_set(&s->counters.packets_lost, st->packets_lost);
  counter_set(&s->counters.packets_late, st->packets_late);
  counter_set(&s->counters.packets_duplicate, st->packets_duplicate);
  counter_set(&s->counters.dropped_rt,
              st->packets_overflow + st->packets_invalid + st->packets_stale);
  counter_set(&s->counters.gap_frames, st->gap_frames);
  counter_set(&s->counters.underruns, st->underruns);
  counter_set(&s->counters.resyncs, st->resyncs);
  counter_set(&s->counters.plc_frames, st->plc_frames);
  counter_set(&s->counters.fec_inband_frames, st->fec_frames);
  counter_set(&s->counters.dtx_frames, st->dtx_frames);
  atomic_store_explicit(&s->latency_ns,
                        (int64_t)depack_queued_frames(&s->rt.depack) * NS_PER_S /
                            (int64_t)s->enc.rate_hz,
                        memory_order_relaxed);
}

/* Frames of `ns` at `rate_hz`. */
static uint32_t ns_to_frames(int64_t ns, uint32_t rate_hz)
{
  return (uint32_t)(ns * (int64_t)rate_hz / NS_PER_S);
}

static void start_playback(struct rsession *s, const struct rill_receiver_params *p)
{
  struct rsession_rt *rt = &s->rt;
  /* The depacketizer counts in the sender's frames, which may not be ours. */
  uint32_t target = ns_to_frames(p->target_latency_ns, s->enc.rate_hz);
  depack_init(&rt->depack, &s->enc, target ? target : 1, p->max_queue_packets);
  if (s->opus_dec)
    depack_attach_opus(&rt->depack, s->opus_dec, s->opus_pcm, OPUSCODEC_MAX_FRAMES);
  if (p->latency_tolerance_ns > 0)
    depack_set_max_latency(&rt->depack,
                           target + ns_to_frames(p->latency_tolerance_ns, s->enc.rate_hz));
  rt->setpoint_ns = 0;
  rt->setpoint_start = 0;
  rt->latctl_ready = false;
  rt->learn_sum = 0;
  rt->learn_count = 0;
  rt->measured_latency_ns = 0;
  rt->latctl_engaged = false;
  rt->step_since_ns = 0;
  rt->ratio_applied_ns = 0;
  watchdog_reset(&rt->wd);
  rt->active = true;
}

/*
 * Drift compensation. The latency to hold is the mean measured over the
 * first second of playback (the target, give or take a packet and a read;
 * bounded to [target / 2, target + tolerance]), so that starting does not
 * warp the audio; the controller takes over once the smoothed latency
 * leaves the dead band around it. A step up beyond LATENCY_STEP_NS is
 * dropped from the queue instead, unseen by the controller.
 *
 * Playback that ran dry (a DTX pause, a muted sender, an underrun) or
 * resynced primes again at the target, give or take a packet: a new
 * latency, not drift, so it is learnt anew, and the controller keeps its
 * drift estimate (latctl_retarget). Chasing the difference instead drove
 * a matched-clock Opus DTX stream to the 0.5 % clamp. Talkspurts shorter
 * than the learning second are never steered: each one starts at the
 * target, so drift cannot accumulate.
 */
static void steer(struct rsession *s, struct rsession_reader *rd, int64_t latency_ns,
                  int64_t now_ns)
{
  struct rsession_rt *rt = &s->rt;
  const struct rill_receiver_params *p = rd->p;
  int64_t lo = p->target_latency_ns / 2, hi = p->target_latency_ns + p->latency_tolerance_ns;
  double dt, alpha, scaling;
  uint64_t changes;
  if (rt->setpoint_start != rt->depack.stats.starts) {
    rt->setpoint_start = rt->depack.stats.starts;
    rt->setpoint_ns = 0;
    rt->learn_sum = 0;
    rt->learn_count = 0;
    rt->step_since_ns = 0;
  }
  if (rt->setpoint_ns == 0) {
    /* Learn the latency to hold over the first second of playback: one
     * measurement alone may catch a burst or a late packet. */
    if (rt->learn_count == 0)
      rt->learn_start_ns = now_ns;
    rt->learn_sum += (double)latency_ns;
    rt->learn_count++;
    if (now_ns - rt->learn_start_ns < SETPOINT_LEARN_NS)
      return;
    latency_ns = (int64_t)(rt->learn_sum / rt->learn_count);
    rt->setpoint_ns = latency_ns < lo ? lo : latency_ns > hi && hi > lo ? hi : latency_ns;
    rt->smoothed_error_ns = 0;
    rt->last_measure_ns = now_ns;
    if (rt->latctl_ready)
      latctl_retarget(&rt->latctl, rt->setpoint_ns);
    else
      rt->latctl_ready = latctl_init(&rt->latctl, rt->setpoint_ns, NULL) == RILL_OK;
  }
  dt = (double)(now_ns - rt->last_measure_ns);
  rt->last_measure_ns = now_ns;
  alpha = dt <= 0 ? 0 : dt >= DRIFT_SMOOTHING_NS ? 1 : dt / DRIFT_SMOOTHING_NS;
  if (latency_ns - rt->setpoint_ns > LATENCY_STEP_NS) {
    if (rt->step_since_ns == 0)
      rt->step_since_ns = now_ns;
    if (now_ns - rt->step_since_ns >= LATENCY_STEP_CONFIRM_NS) {
      uint32_t want = ns_to_frames(latency_ns - rt->setpoint_ns, s->enc.rate_hz);
      (void)depack_skip(&rt->depack, want);
      counter_bump(&s->counters.latency_steps);
      rt->step_since_ns = 0;
    }
    return;
  }
  rt->step_since_ns = 0;
  rt->smoothed_error_ns +=
      alpha * ((double)(latency_ns - rt->setpoint_ns) - rt->smoothed_error_ns);
  if (!rt->latctl_engaged && fabs(rt->smoothed_error_ns) < DRIFT_DEADBAND_NS)
    return;
  rt->latctl_engaged = true;
  scaling = latctl_update(&rt->latctl, latency_ns, now_ns);
  /* The controller integrates every measurement; its output is applied at
   * a bounded rate (see RATIO_UPDATE_NS). */
  if (now_ns - rt->ratio_applied_ns < RATIO_UPDATE_NS || rd->ratio_updates_left == 0)
    return;
  changes = rt->rs.stats.ratio_changes;
  (void)resampler_set_scaling(&rt->rs, scaling);
  rt->ratio_applied_ns = now_ns;
  if (rt->rs.stats.ratio_changes != changes) {
    rd->ratio_updates_left--;
    counter_bump(&rd->counters->ratio_updates);
  }
}

/*
 * Resampled playback: pull what the resampler needs for `frames` output
 * frames from the depacketizer (silence while it primes), mix the output,
 * then steer the ratio so that the latency stays at the target. The latency
 * measured is the queue plus the audio inside the resampler plus the age of
 * the newest packet: the queue alone is a sawtooth one packet high (it jumps
 * at each arrival), and adding the age cancels the teeth.
 */
static bool play_resampled(struct rsession *s, struct rsession_reader *rd, float *out,
                           uint32_t frames, int64_t now_ns)
{
  struct rsession_rt *rt = &s->rt;
  uint32_t done = 0, ch = s->enc.channels, out_ch = rd->p->channels, audio = 0;
  int64_t newest;
  while (done < frames) {
    uint32_t n = frames - done, need, used = 0, written = 0;
    need = resampler_input_needed(&rt->rs, n);
    while (need > RSESSION_IN_SCRATCH_FRAMES && n > 1) {
      n /= 2;
      need = resampler_input_needed(&rt->rs, n);
    }
    audio += depack_read(&rt->depack, rd->in_scratch, need);
    (void)resampler_process(&rt->rs, rd->in_scratch, need, &used, rd->scratch, n, &written);
    /* The resampler promises exactly n frames for exactly `need`; should it
     * ever disagree, the output stays contiguous (done advances by what was
     * written) and the mismatch is counted. */
    if (used < need)
      counter_add(&rd->counters->resampler_input_dropped, need - used);
    if (written < n)
      counter_add(&rd->counters->resampler_output_short, n - written);
    mix_add_mapped(out + (size_t)done * out_ch, out_ch, rd->scratch, ch, written);
    done += written;
    if (written == 0)
      break; /* never spin: the rest of this read stays silent */
  }
  if (rd->p->drift_compensation && rt->depack.started &&
      depack_newest_arrival(&rt->depack, &newest)) {
    double queued =
        (double)depack_queued_frames(&rt->depack) + resampler_buffered_frames(&rt->rs);
    int64_t latency_ns = (int64_t)(queued * (double)NS_PER_S / (double)s->enc.rate_hz);
    if (now_ns > newest)
      latency_ns += now_ns - newest;
    steer(s, rd, latency_ns, now_ns);
    rt->measured_latency_ns = latency_ns;
  }
  return audio > 0;
}

/* The frame this read outputs first: the depacketizer's next one, less
 * what the resampler holds (read from the depacketizer, not output yet). */
static void publish_play_position(struct rsession *s, int64_t now_ns)
{
  uint32_t ts = s->rt.depack.next_ts;
  if (s->rs_active)
    ts -= (uint32_t)(resampler_buffered_frames(&s->rt.rs) + 0.5);
  stamp_write(&s->play, ts, now_ns);
}

bool rsession_play_position(struct rsession *s, uint32_t *rtp_ts, int64_t *mono_ns)
{
  return stamp_read(&s->play, rtp_ts, mono_ns);
}

bool rsession_play(struct rsession *s, struct rsession_reader *rd, float *out, uint32_t frames,
                   int64_t now_ns)
{
  struct rsession_rt *rt = &s->rt;
  struct watchdog_params wp = {rd->p->no_play_timeout_ns, rd->p->choppy_timeout_ns,
                               rd->p->target_latency_ns};
  bool audio = false;
  void *pkt;
  if (!rt->active)
    start_playback(s, rd->p);
  while (spsc_ring_pop(s->ring, &pkt) == RILL_OK)
    depack_push(&rt->depack, pkt);
  if (rt->depack.started)
    publish_play_position(s, now_ns);
  if (s->rs_active) {
    audio = play_resampled(s, rd, out, frames, now_ns);
  } else if (depack_read(&rt->depack, rd->scratch, frames) > 0) {
    mix_add_mapped(out, rd->p->channels, rd->scratch, s->enc.channels, frames);
    audio = true;
  }
  publish_depack(s);
  if (s->rs_active && rt->measured_latency_ns > 0)
    atomic_store_explicit(&s->latency_ns, rt->measured_latency_ns, memory_order_relaxed);
  if (s->rs_active && rt->latctl_engaged) {
    struct rill_latctl_state st;
    latctl_state(&rt->latctl, &st);
    atomic_store_explicit(&s->scaling_ppb,
                          (int64_t)((resampler_scaling(&rt->rs) - 1.0) * 1e9),
                          memory_order_relaxed);
    atomic_store_explicit(&s->saturated, st.saturated, memory_order_relaxed);
  }
  return watchdog_check(&rt->wd, &wp, audio,
                        rt->depack.stats.gap_frames + rt->depack.stats.underruns, now_ns);
}

void rsession_retire(struct rsession *s, int from)
{
  int expected = from;
  if (s->rt.active) {
    publish_depack(s);
    depack_deinit(&s->rt.depack);
    s->rt.active = false;
  }
  rsession_drain(s);
  /* From ACTIVE (watchdog) the network may have closed it meanwhile: then
   * it is CLOSING and retires the same way. */
  if (!atomic_compare_exchange_strong(&s->state, &expected, SLOT_RETIRED) &&
      expected == SLOT_CLOSING)
    atomic_store_explicit(&s->state, SLOT_RETIRED, memory_order_release);
}

/* ---- any thread ---- */

/* The identity and the counters are read under the identity's sequence
 * lock and the slot must stay ACTIVE throughout, so a snapshot never mixes
 * a slot's old sender with its new one (the network thread republishes the
 * identity before it resets the counters of a reused slot). */
bool rsession_snapshot(struct rsession *s, struct receiver_session_info *info)
{
  int tries;
  for (tries = 0; tries < 64; tries++) {
    uint64_t words[RSESSION_IDENTITY_WORDS];
    size_t i;
    unsigned seq = atomic_load_explicit(&s->id.seq, memory_order_acquire);
    if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_ACTIVE)
      return false;
    if (seq & 1)
      continue;
    memset(info, 0, sizeof(*info));
    info->ssrc = atomic_load_explicit(&s->id.ssrc, memory_order_relaxed);
    info->payload_type = (uint8_t)atomic_load_explicit(&s->id.payload_type, memory_order_relaxed);
    for (i = 0; i < RSESSION_IDENTITY_WORDS; i++)
      words[i] = atomic_load_explicit(&s->id.source[i], memory_order_relaxed);
#define COPY(name, visibility, doc) info->name = counter_get(&s->counters.name);
    SESSION_COUNTER_MAP(COPY)
#undef COPY
    info->jitter_ns = atomic_load_explicit(&s->jitter_ns, memory_order_relaxed);
    info->latency_ns = atomic_load_explicit(&s->latency_ns, memory_order_relaxed);
    info->scaling_ppb = atomic_load_explicit(&s->scaling_ppb, memory_order_relaxed);
    info->saturated = atomic_load_explicit(&s->saturated, memory_order_relaxed);
    info->e2e_latency_ns = atomic_load_explicit(&s->e2e_latency_ns, memory_order_relaxed);
    info->rtt_ns = atomic_load_explicit(&s->rtt_ns, memory_order_relaxed);
    info->memory_bytes = atomic_load_explicit(&s->scope.used_bytes, memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&s->id.seq, memory_order_relaxed) != seq ||
        atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_ACTIVE)
      continue;
    memcpy(&info->source, words, sizeof(info->source));
    info->packets_dropped = info->dropped_net + info->dropped_rt;
    return true;
  }
  return false;
}
