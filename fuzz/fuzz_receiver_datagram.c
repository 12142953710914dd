/*
 * Fuzz target: sequences of raw datagrams into a receiver.
 *
 * One context and one receiver are created on the first input and kept for
 * the whole run (max 4 sessions, budgets of a few packets, a 1 MiB context,
 * stale-audio trimming, idle mode, a session creation rate limit), the way a
 * real receiver lives through many senders. Each input is a
 * sequence of records:
 *
 *   [u16 big-endian header][datagram bytes]
 *
 *   header & 0x07ff  datagram length (cut to what is left of the input)
 *   header & 0x1800  which of 4 source addresses sent it
 *   header & 0x2000  with 0x4000: the time jump is past the session timeout
 *   header & 0x4000  before the datagram: advance the clock (half the
 *                    timeout, or past it) and run the session housekeeping
 *   header & 0x8000  after the datagram: the reader reads 1..2200 frames
 *
 * A datagram that looks like RTCP (second byte 200..207: SR, RR, SDES, BYE,
 * APP, XR and the unassigned types between) goes to the receiver's control
 * endpoint, the rest to its source endpoint.
 *
 * Each datagram is injected on the network thread at an injected time that
 * grows by 1 ms per record; the reader reads with the same clock
 * (receiver_read_at). After the records the reader reads three more
 * times, then every session is timed out, retired and freed, so each input
 * leaves the receiver as it found it (and replays alone from the corpus).
 *
 * Invariants, checked with abort():
 *  - every output sample is finite and in [-1, 1];
 *  - the context's global limiter is within its budget (used and peak);
 *  - at most max_sessions sessions, each within its session budget;
 *  - receiver_inject fails only for a datagram longer than the buffers or
 *    for want of memory, and the receiver counts every datagram it took;
 *  - the outcome counters never exceed the datagrams, and no session plays
 *    more packets than it received;
 *  - liveness, on inputs whose length is a multiple of 4: after the records,
 *    the first active session's SSRC sends 2.5 s of clean audio with a
 *    sequence and timestamps of its own; all of it is played except about
 *    one resync distance (target + 1 s) and a little slack: no earlier
 *    datagram can keep a well-behaved sender muted;
 *  - after the final timeout every session is gone (created == removed) and,
 *    once the pools have taken back what the reader freed, no packet or
 *    buffer is still allocated.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <rill/log.h>
#include <rill/status.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/pool.h"
#include "pipeline/context.h"
#include "pipeline/receiver.h"
#include "rtp/payload.h"
#include "rtp/rtp.h"
#include "fuzz_check.h"


#define CHANNELS 2
#define MAX_SESSIONS 4
#define MAX_PACKET_BYTES 1500
#define BUDGET_BYTES ((size_t)1 << 20)
#define SESSION_BUDGET_BYTES ((size_t)24 << 10) /* about 10 full-size packets */
#define TIMEOUT_NS (200 * NS_PER_MS)
#define IDLE_TIMEOUT_NS (300 * NS_PER_MS)
#define STEP_NS NS_PER_MS
#define MAX_READ_FRAMES 2200 /* more than the reader's internal chunk */
#define MAX_RECORDS 512
/* Liveness probe: this much clean audio in packets of at most this size; all
 * but the packets spanning one resync distance (target + 1 s) plus some
 * slack for junk queued with the same SSRC must be played. */
#define PROBE_NS (5 * NS_PER_S / 2)
#define PROBE_PAYLOAD_BYTES 1440
#define PROBE_MIN_FRAMES 200
#define PROBE_SLACK_PACKETS 24

#define REC_LEN_MASK 0x07ffu
#define REC_SOURCE_SHIFT 11
#define REC_BIG_JUMP 0x2000u
#define REC_HOUSEKEEP 0x4000u
#define REC_READ 0x8000u

static struct rill_context *ctx;
static struct rill_receiver *recv_;
static struct rill_receiver_params params;
static struct sockaddr_in6 sources[4];
static int64_t now_ns = 1000 * NS_PER_S;
static uint64_t datagrams_taken; /* injects that returned RILL_OK */
static float out[MAX_READ_FRAMES * CHANNELS];

static void add_encoding(struct rtp_registry *reg, uint8_t pt, enum rtp_sample_format fmt,
                         uint32_t rate_hz, uint16_t channels)
{
  struct rtp_encoding e = {pt, fmt, rate_hz, channels};
  CHECK(rtp_registry_add(reg, &e) == RILL_OK);
}

static void close_all(void)
{
  receiver_destroy(recv_);
  CHECK(context_destroy(ctx) == RILL_OK);
}

static void setup(void)
{
  struct rill_context_params cp = {BUDGET_BYTES, MAX_PACKET_BYTES, NULL};
  struct rill_receiver_params *p = &params;
  int i;

  rill_log_set_level(RILL_LOG_ERROR);
  memset(p, 0, sizeof(*p));
  p->rate_hz = 44100;
  p->channels = CHANNELS;
  p->target_latency_ns = 5 * NS_PER_MS;
  p->session_timeout_ns = TIMEOUT_NS;
  p->max_sessions = MAX_SESSIONS;
  p->session_budget_bytes = SESSION_BUDGET_BYTES;
  p->socket_budget_bytes = (size_t)64 << 10;
  p->max_queue_packets = 16;
  /* The optional bounds too: stale-audio trimming, idle mode (nobody read
   * for longer than two big time jumps) and a session creation rate. */
  p->latency_tolerance_ns = 10 * NS_PER_MS;
  p->idle_timeout_ns = IDLE_TIMEOUT_NS;
  p->session_creations_per_s = 200;
  rtp_registry_init(&p->registry);
  /* Beyond PT 10 and 11: every sample format, a rate the receiver does not
   * play, and more channels than it has. */
  add_encoding(&p->registry, 96, RTP_FMT_F32BE, 44100, 1);
  add_encoding(&p->registry, 97, RTP_FMT_S24BE, 44100, 2);
  add_encoding(&p->registry, 98, RTP_FMT_S16BE, 48000, 2);
  add_encoding(&p->registry, 99, RTP_FMT_S16BE, 44100, 8);
  CHECK(context_create(&cp, &ctx) == RILL_OK);
  CHECK(receiver_create(ctx, p, &recv_) == RILL_OK);
  /* The reader's clock is the injected one from the first read on. */
  receiver_read_at(recv_, out, 1, now_ns);
  for (i = 0; i < 4; i++) {
    sources[i].sin6_family = AF_INET6;
    sources[i].sin6_addr.s6_addr[15] = 1; /* ::1 */
    sources[i].sin6_port = htons((uint16_t)(5000 + i));
  }
  /* Stop the network thread at exit, so that a sanitizer sees a clean end. */
  atexit(close_all);
}

static void check_state(void)
{
  struct receiver_session_info infos[MAX_SESSIONS + 1];
  struct receiver_totals t;
  struct rill_limiter_stats global, socket;
  size_t n = 0, i;

  receiver_stats(recv_, &t, infos, MAX_SESSIONS + 1, &n);
  CHECK(t.sessions <= MAX_SESSIONS);
  CHECK(n == t.sessions);
  CHECK(t.datagrams == datagrams_taken);
  CHECK(t.bad_packets + t.unknown_payload_type + t.rate_mismatch + t.sessions_refused <=
        t.datagrams);
  /* RTCP is counted apart, ends at most the sessions there were, creates none. */
  CHECK(t.bad_packets + t.unknown_payload_type + t.rate_mismatch + t.sessions_refused +
            t.rtcp_received <=
        t.datagrams);
  CHECK(t.sessions_bye + t.sessions_rtcp_timeout <= t.sessions_created);
  CHECK(t.sessions_created - t.sessions_removed >= t.sessions);
  CHECK(t.sessions_created - t.sessions_removed <= MAX_SESSIONS);
  CHECK(t.packets_played <= t.packets_received);
  for (i = 0; i < n; i++) {
    CHECK(infos[i].memory_bytes <= SESSION_BUDGET_BYTES);
    CHECK(infos[i].packets_played <= infos[i].packets_received);
    CHECK(infos[i].latency_ns >= 0 && infos[i].jitter_ns >= 0);
  }
  receiver_limiters(recv_, &global, &socket);
  CHECK(global.budget_bytes == BUDGET_BYTES);
  CHECK(global.used_bytes <= global.budget_bytes);
  CHECK(global.peak_bytes <= global.budget_bytes);
}

static void read_and_check(uint32_t frames)
{
  size_t i;
  receiver_read_at(recv_, out, frames, now_ns);
  for (i = 0; i < (size_t)frames * CHANNELS; i++)
    CHECK(isfinite(out[i]) && out[i] >= -1.0f && out[i] <= 1.0f);
  check_state();
}

static void housekeep(int64_t jump_ns)
{
  now_ns += jump_ns;
  receiver_housekeep(recv_, now_ns);
  check_state();
}

static void inject(const uint8_t *data, size_t len, unsigned source)
{
  const struct sockaddr *src = (const struct sockaddr *)&sources[source];
  int rc = len >= 2 && data[1] >= 200 && data[1] <= 207
               ? receiver_inject_endpoint(recv_, RECEIVER_IFACE_CONTROL, data, len, src, now_ns)
               : receiver_inject(recv_, data, len, src, now_ns);
  if (rc == RILL_OK)
    datagrams_taken++;
  else
    CHECK((rc == RILL_EINVAL && len > MAX_PACKET_BYTES) || rc == RILL_EBUDGET);
  check_state();
}

static int reclaim_on_loop(void *arg)
{
  (void)arg;
  pool_reclaim(ctx->buffers, 1);
  pool_reclaim(ctx->packets, 1);
  return RILL_OK;
}

/*
 * Liveness: whatever came before, a sender that now behaves is heard. The
 * first active session's SSRC and payload type send PROBE_NS of clean audio
 * (seq and timestamps from `seed`, unrelated to what the input sent), one
 * read per packet; nearly all of it must be played.
 */
static void probe_liveness(uint32_t seed)
{
  static float samples[PROBE_PAYLOAD_BYTES];
  uint8_t dgram[RTP_FIXED_HEADER_BYTES + PROBE_PAYLOAD_BYTES];
  struct receiver_session_info info, after[MAX_SESSIONS];
  struct receiver_totals t;
  const struct rtp_encoding *enc;
  struct rtp_header h;
  uint32_t frames, packets, k, resync_packets;
  size_t n = 0, i, hdr = 0, payload = 0;

  receiver_stats(recv_, &t, &info, 1, &n);
  if (n == 0)
    return;
  enc = rtp_registry_find(&params.registry, info.payload_type);
  CHECK(enc != NULL);
  frames = (uint32_t)(PROBE_PAYLOAD_BYTES / rtp_bytes_per_frame(enc));
  if (frames < PROBE_MIN_FRAMES)
    return; /* too many packets for a quick probe */
  packets = (uint32_t)(PROBE_NS * (int64_t)enc->rate_hz / NS_PER_S / frames);
  for (i = 0; i < (size_t)frames * enc->channels; i++)
    samples[i] = 0.25f;
  memset(&h, 0, sizeof(h));
  h.version = RTP_VERSION;
  h.payload_type = info.payload_type;
  h.ssrc = info.ssrc;
  for (k = 0; k < packets; k++) {
    h.seq = (uint16_t)(seed + k);
    h.timestamp = seed * 2654435761u + k * frames;
    CHECK(rtp_compose(&h, dgram, sizeof(dgram), &hdr) == RILL_OK);
    CHECK(rtp_payload_encode(enc, samples, frames, dgram + hdr, sizeof(dgram) - hdr, &payload) ==
          RILL_OK);
    inject(dgram, hdr + payload, 0);
    now_ns += (int64_t)frames * NS_PER_S / enc->rate_hz;
    read_and_check(frames);
  }
  receiver_stats(recv_, &t, after, MAX_SESSIONS, &n);
  for (i = 0; i < n && after[i].ssrc != info.ssrc; i++)
    ;
  CHECK(i < n); /* still active: it never stopped sending */
  /* The resync distance is the target plus one second (see the
   * depacketizer); one more target for priming. */
  resync_packets = (uint32_t)((params.target_latency_ns * 2 + NS_PER_S) *
                              (int64_t)enc->rate_hz / NS_PER_S / frames) + 1;
  if (after[i].packets_played - info.packets_played + resync_packets + PROBE_SLACK_PACKETS <
      packets) {
    fprintf(stderr, "probe: ssrc %08x pt %u: %llu of %u clean packets played\n", info.ssrc,
            info.payload_type,
            (unsigned long long)(after[i].packets_played - info.packets_played), packets);
    abort();
  }
}

/* Time every session out, let the reader retire them and housekeeping free
 * them; then nothing may remain allocated. */
static void end_all_sessions(void)
{
  struct receiver_totals t;
  struct rill_pool_stats bs, ps;

  housekeep(TIMEOUT_NS + 1);
  read_and_check(1);
  housekeep(0);
  receiver_stats(recv_, &t, NULL, 0, NULL);
  CHECK(t.sessions == 0);
  CHECK(t.sessions_created == t.sessions_removed);
  evloop_call(&ctx->loop, reclaim_on_loop, NULL);
  pool_stats(ctx->buffers, &bs);
  pool_stats(ctx->packets, &ps);
  CHECK(bs.in_use_objects == 0);
  CHECK(ps.in_use_objects == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t pos = 0, records = 0, i;
  uint32_t hash = 2166136261u; /* FNV-1a of the input: the probe's seq and timestamps */

  if (!ctx)
    setup();
  while (size - pos >= 2 && records < MAX_RECORDS) {
    unsigned h = (unsigned)data[pos] << 8 | data[pos + 1];
    size_t len = h & REC_LEN_MASK;
    pos += 2;
    if (len > size - pos)
      len = size - pos;
    if (h & REC_HOUSEKEEP)
      housekeep(h & REC_BIG_JUMP ? TIMEOUT_NS + 1 : TIMEOUT_NS / 2);
    inject(data + pos, len, (h >> REC_SOURCE_SHIFT) & 3u);
    if (h & REC_READ)
      read_and_check(1 + (uint32_t)((len * 7 + records * 131) % MAX_READ_FRAMES));
    now_ns += STEP_NS;
    pos += len;
    records++;
  }
  read_and_check(512);
  read_and_check(MAX_READ_FRAMES);
  read_and_check(3);
  /* The probe costs a few hundred datagrams: one input in four. */
  if (size % 4 == 0) {
    for (i = 0; i < size; i++)
      hash = (hash ^ data[i]) * 16777619u;
    probe_liveness(hash);
  }
  end_all_sessions();
  return 0;
}
