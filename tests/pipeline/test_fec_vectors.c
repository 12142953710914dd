/*
 * Receiver with FEC against real roc-toolkit 0.4 traffic
 * (shared/vectors/roc-0.4/{rtp_nofec,rs8m_18_10,ldpc_18_10}).
 *
 * Every datagram of a capture is injected into a receiver (source ones on
 * the FEC source endpoint, repair ones on the repair endpoint, all from one
 * address as roc sends them) at its captured time, while this thread reads
 * the output at the same pace as the real-time reader would. The output is
 * then compared with input.wav frame for frame: its right channel is a
 * frame counter, which gives the alignment. Losses are made by not
 * injecting chosen source packets (fixed-seed patterns per 18 + 10 block).
 *
 * The vectors directory: argv[1], $RILL_VECTORS_DIR, or the compile
 * definition RILL_VECTORS_DIR; missing fails the test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <rill/status.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "fec/payload_id.h"
#include "core/arena.h"
#include "pipeline/context.h"
#include "pipeline/fec_writer.h"
#include "pipeline/receiver.h"
#include "rtp/rtp.h"
#include "test_util.h"
#include "vectors_jsonl.h"

#ifndef RILL_VECTORS_DIR
#define RILL_VECTORS_DIR ""
#endif

#define RATE 44100
#define PKT_FRAMES 221
#define K 18
#define MAX_DATAGRAM 2048
#define MAX_PACKETS 1024
#define TARGET_NS (200 * NS_PER_MS)
#define OUT_FRAMES (4 * RATE)

static const char *vectors_dir;

struct datagram {
  bool repair;
  size_t len;
  int64_t t_ns;
  uint8_t *data;
  /* Source packets: index in the stream (seq - first seq), block and ESI. */
  uint32_t index;
  uint32_t block;
  uint16_t esi;
};

struct capture {
  struct datagram *items;
  size_t count;
  int scheme; /* enum fec_scheme, 0: none */
  uint32_t source_count;
  uint32_t blocks;        /* blocks with k source packets (the protected ones) */
  int16_t *input;         /* interleaved stereo */
  size_t input_frames;
};

/* xorshift64*: fixed-seed patterns, same on every platform. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * UINT64_C(2685821657736338717);
}

static uint32_t rd32le(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* input.wav: RIFF/WAVE, 16-bit stereo; the "data" chunk only. */
static void load_wav(const char *name, struct capture *cap)
{
  char path[4096];
  FILE *f;
  uint8_t *all;
  long size;
  size_t pos = 12;
  snprintf(path, sizeof(path), "%s/%s/input.wav", vectors_dir, name);
  f = fopen(path, "rb");
  if (!f)
    fail_msg("cannot open %s: %s", path, strerror(errno));
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fseek(f, 0, SEEK_SET);
  all = malloc((size_t)size);
  assert_non_null(all);
  assert_int_equal(fread(all, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  assert_memory_equal(all + 8, "WAVE", 4);
  while (pos + 8 <= (size_t)size) {
    uint32_t len = rd32le(all + pos + 4);
    if (memcmp(all + pos, "data", 4) == 0) {
      size_t i;
      cap->input_frames = len / 4;
      cap->input = malloc(len);
      assert_non_null(cap->input);
      for (i = 0; i < cap->input_frames * 2; i++)
        cap->input[i] = (int16_t)(uint16_t)(all[pos + 8 + 2 * i] | all[pos + 9 + 2 * i] << 8);
      break;
    }
    pos += 8 + len + (len & 1);
  }
  free(all);
  assert_non_null(cap->input);
}

static void load_capture(const char *name, int scheme, struct capture *cap)
{
  char path[4096];
  FILE *f;
  char *line = NULL;
  size_t line_cap = 0, i;
  ssize_t got;
  uint16_t seq0 = 0;
  uint32_t sbn0 = 0;
  bool first = true;

  memset(cap, 0, sizeof(*cap));
  cap->scheme = scheme;
  snprintf(path, sizeof(path), "%s/%s/packets.jsonl", vectors_dir, name);
  f = fopen(path, "r");
  if (!f)
    fail_msg("roc vectors missing: %s (%s)", path, strerror(errno));
  cap->items = calloc(MAX_PACKETS, sizeof(*cap->items));
  assert_non_null(cap->items);
  while ((got = getline(&line, &line_cap, f)) > 0) {
    if (got <= 1)
      continue;
    assert_true(cap->count < MAX_PACKETS);
    {
      struct vector_datagram v = {false, 0, 0, NULL};
      struct datagram *d = &cap->items[cap->count];
      assert_true(vector_parse_line(line, MAX_DATAGRAM, &v));
      d->repair = v.repair;
      d->len = v.len;
      d->t_ns = v.t_ns;
      d->data = v.data;
    }
    cap->count++;
  }
  free(line);
  fclose(f);
  for (i = 0; i < cap->count; i++) {
    struct datagram *d = &cap->items[i];
    struct fec_payload_id id;
    size_t bytes = d->len;
    struct rtp_header h;
    if (d->repair)
      continue;
    if (scheme) {
      assert_int_equal(fec_source_id_parse((enum fec_scheme)scheme, d->data, d->len, &id, &bytes),
                       RILL_OK);
      if (first)
        sbn0 = id.sbn;
      d->block = (uint32_t)fec_sbn_diff((enum fec_scheme)scheme, id.sbn, sbn0);
      d->esi = id.esi;
      if (id.esi == K - 1)
        cap->blocks = d->block + 1;
    }
    assert_int_equal(rtp_parse(d->data, bytes, &h), RILL_OK);
    if (first)
      seq0 = h.seq;
    first = false;
    d->index = (uint16_t)(h.seq - seq0);
    cap->source_count++;
  }
  load_wav(name, cap);
}

static void free_capture(struct capture *cap)
{
  size_t i;
  for (i = 0; i < cap->count; i++)
    free(cap->items[i].data);
  free(cap->items);
  free(cap->input);
}

struct result {
  uint64_t recovered, unrecoverable, repair_received, lost;
  size_t frames_compared, frames_silent;
};

/*
 * Replay `cap` without the source packets marked in `drop` (by stream
 * index), injecting repair packets `repair_copies` times, and compare with
 * the input: dropped packets that `must_recover` must equal the input;
 * otherwise a dropped packet's frames are either the input or silence.
 */
static void replay(const struct capture *cap, const bool *drop, int repair_copies,
                   bool must_recover, struct result *res)
{
  struct rill_context_params cp = {(size_t)64 << 20, CONTEXT_DEFAULT_MAX_PACKET_BYTES, NULL};
  struct rill_receiver_params p;
  struct rill_context *ctx;
  struct rill_receiver *r;
  struct sockaddr_in src;
  struct receiver_totals t;
  struct receiver_session_info info[2];
  float *out = calloc((size_t)OUT_FRAMES * 2, sizeof(float));
  size_t read_frames = 0, count = 0, i, n, offset = SIZE_MAX;
  int64_t end_ns = 0;

  assert_non_null(out);
  memset(res, 0, sizeof(*res));
  memset(&p, 0, sizeof(p));
  p.rate_hz = RATE;
  p.channels = 2;
  p.target_latency_ns = TARGET_NS;
  p.session_timeout_ns = 60 * NS_PER_S;
  p.max_sessions = 4;
  p.session_budget_bytes = (size_t)4 << 20;
  p.socket_budget_bytes = (size_t)1 << 20;
  p.max_queue_packets = 1024;
  rtp_registry_init(&p.registry);
  assert_int_equal(context_create(&cp, &ctx), RILL_OK);
  assert_int_equal(receiver_create(ctx, &p, &r), RILL_OK);
  if (cap->scheme)
    assert_int_equal(receiver_enable_fec(r, cap->scheme), RILL_OK);
  memset(&src, 0, sizeof(src));
  src.sin_family = AF_INET;
  src.sin_port = htons(40000);
  src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  for (i = 0; i < cap->count; i++) {
    const struct datagram *d = &cap->items[i];
    int c;
    /* Read what the real-time reader would have read by now. */
    size_t due = (size_t)(d->t_ns * RATE / NS_PER_S);
    while (read_frames < due && read_frames < OUT_FRAMES) {
      size_t chunk = due - read_frames > 256 ? 256 : due - read_frames;
      receiver_read_at(r, out + read_frames * 2, (uint32_t)chunk, d->t_ns);
      read_frames += chunk;
    }
    end_ns = d->t_ns;
    if (!d->repair && drop && drop[d->index])
      continue;
    for (c = 0; c < (d->repair ? repair_copies : 1); c++) {
      if (cap->scheme)
        assert_int_equal(receiver_inject_endpoint(r,
                                                  d->repair ? RECEIVER_IFACE_REPAIR
                                                            : RECEIVER_IFACE_SOURCE,
                                                  d->data, d->len, (struct sockaddr *)&src,
                                                  d->t_ns),
                         RILL_OK);
      else
        assert_int_equal(
            receiver_inject(r, d->data, d->len, (struct sockaddr *)&src, d->t_ns), RILL_OK);
    }
  }
  /* Play out the queue. */
  while (read_frames + 256 <= OUT_FRAMES) {
    end_ns += 256 * NS_PER_S / RATE;
    receiver_read_at(r, out + read_frames * 2, 256, end_ns);
    read_frames += 256;
  }
  receiver_stats(r, &t, info, 2, &count);
  assert_int_equal(count, 1);
  res->recovered = info[0].fec_recovered;
  res->unrecoverable = info[0].fec_unrecoverable;
  res->repair_received = info[0].fec_repair_received;
  res->lost = info[0].packets_lost;
  assert_int_equal(t.fec_recovered, res->recovered);

  /* Align on the frame counter: the first non-silent right sample. */
  for (i = 0; i < read_frames; i++) {
    long v = lrintf(out[2 * i + 1] * 32768.0f);
    if (v != 0) {
      size_t frame = (uint16_t)(int16_t)v;
      assert_true(i >= frame);
      offset = i - frame;
      break;
    }
  }
  assert_true(offset != SIZE_MAX);
  n = (size_t)cap->source_count * PKT_FRAMES;
  assert_true(n <= cap->input_frames);
  assert_true(offset + n <= read_frames);
  for (i = 0; i < n; i++) {
    long l = lrintf(out[2 * (offset + i)] * 32768.0f);
    long rr = lrintf(out[2 * (offset + i) + 1] * 32768.0f);
    bool dropped = drop && drop[i / PKT_FRAMES];
    bool equal = l == cap->input[2 * i] && rr == cap->input[2 * i + 1];
    if (equal) {
      res->frames_compared++;
      continue;
    }
    if (dropped && !must_recover && l == 0 && rr == 0) {
      res->frames_silent++;
      continue;
    }
    fail_msg("frame %zu (packet %zu%s): got (%ld, %ld), input (%d, %d)", i, i / PKT_FRAMES,
             dropped ? ", dropped" : "", l, rr, cap->input[2 * i], cap->input[2 * i + 1]);
  }
  receiver_destroy(r);
  assert_int_equal(context_destroy(ctx), RILL_OK);
  free(out);
}

/* Mark `m` distinct random source packets of block `block` in `drop`. */
static size_t drop_in_block(const struct capture *cap, bool *drop, uint32_t block, size_t m)
{
  size_t i, marked = 0;
  bool esi[K];
  memset(esi, 0, sizeof(esi));
  while (marked < m) {
    size_t e = (size_t)(rng_next() % K);
    if (!esi[e]) {
      esi[e] = true;
      marked++;
    }
  }
  for (i = 0; i < cap->count; i++) {
    const struct datagram *d = &cap->items[i];
    if (!d->repair && d->block == block && esi[d->esi])
      drop[d->index] = true;
  }
  return m;
}

static void check_lossless(const char *name, int scheme)
{
  struct capture cap;
  struct result res;
  load_capture(name, scheme, &cap);
  assert_int_equal(cap.source_count, 399);
  replay(&cap, NULL, 1, true, &res);
  assert_int_equal(res.frames_compared, (size_t)399 * PKT_FRAMES);
  assert_int_equal(res.recovered, 0);
  assert_int_equal(res.lost, 0);
  if (scheme)
    assert_int_equal(res.repair_received, 220);
  printf("%s lossless: %zu frames equal the input\n", name, res.frames_compared);
  free_capture(&cap);
}

static void test_fec_vectors_nofec_lossless(void **state)
{
  (void)state;
  check_lossless("rtp_nofec", 0);
}

static void test_fec_vectors_rs8m_lossless(void **state)
{
  (void)state;
  check_lossless("rs8m_18_10", FEC_SCHEME_RS8M);
}

static void test_fec_vectors_ldpc_lossless(void **state)
{
  (void)state;
  check_lossless("ldpc_18_10", FEC_SCHEME_LDPC);
}

/* Random 1..max_lost drops in every protected block; all must come back. */
static void check_recovers(const char *name, int scheme, size_t max_lost, uint64_t seed,
                           int repair_copies)
{
  struct capture cap;
  struct result res;
  bool drop[MAX_PACKETS];
  size_t dropped = 0;
  uint32_t b;
  load_capture(name, scheme, &cap);
  assert_int_equal(cap.blocks, 22);
  memset(drop, 0, sizeof(drop));
  rng_state = seed;
  for (b = 0; b < cap.blocks; b++)
    dropped += drop_in_block(&cap, drop, b, 1 + (size_t)(rng_next() % max_lost));
  replay(&cap, drop, repair_copies, true, &res);
  assert_int_equal(res.frames_compared, (size_t)399 * PKT_FRAMES);
  assert_int_equal(res.recovered, dropped);
  assert_int_equal(res.unrecoverable, 0);
  assert_int_equal(res.lost, 0);
  printf("%s seed %llu: %zu packets dropped, %llu recovered, %zu frames equal the input\n",
         name, (unsigned long long)seed, dropped, (unsigned long long)res.recovered,
         res.frames_compared);
  free_capture(&cap);
}

static void test_fec_vectors_rs8m_recovers_up_to_10(void **state)
{
  uint64_t seed;
  (void)state;
  for (seed = 1; seed <= 5; seed++)
    check_recovers("rs8m_18_10", FEC_SCHEME_RS8M, 10, seed * 0x9e3779b97f4a7c15u, 1);
  /* Every repair packet twice: duplicates change nothing. */
  check_recovers("rs8m_18_10", FEC_SCHEME_RS8M, 10, 77, 2);
}

static void test_fec_vectors_ldpc_recovers_up_to_3(void **state)
{
  uint64_t seed;
  (void)state;
  for (seed = 1; seed <= 5; seed++)
    check_recovers("ldpc_18_10", FEC_SCHEME_LDPC, 3, seed * 0x9e3779b97f4a7c15u, 1);
  check_recovers("ldpc_18_10", FEC_SCHEME_LDPC, 3, 78, 2);
}

static void test_fec_vectors_rs8m_11_lost_stay_silent(void **state)
{
  struct capture cap;
  struct result res;
  bool drop[MAX_PACKETS];
  (void)state;
  load_capture("rs8m_18_10", FEC_SCHEME_RS8M, &cap);
  memset(drop, 0, sizeof(drop));
  rng_state = 11;
  drop_in_block(&cap, drop, 5, 11);
  replay(&cap, drop, 1, false, &res);
  assert_int_equal(res.frames_silent, (size_t)11 * PKT_FRAMES);
  assert_int_equal(res.frames_compared, (size_t)(399 - 11) * PKT_FRAMES);
  assert_int_equal(res.recovered, 0);
  assert_int_equal(res.unrecoverable, 1);
  printf("rs8m 11 lost in one block: %zu frames silent, %zu equal the input\n",
         res.frames_silent, res.frames_compared);
  free_capture(&cap);
}

/* Heavy ldpc losses: whatever plays is the input or silence, never wrong. */
static void test_fec_vectors_ldpc_unrecoverable_never_wrong(void **state)
{
  struct capture cap;
  struct result res;
  bool drop[MAX_PACKETS];
  size_t dropped = 0;
  uint32_t b;
  (void)state;
  load_capture("ldpc_18_10", FEC_SCHEME_LDPC, &cap);
  memset(drop, 0, sizeof(drop));
  rng_state = 4242;
  for (b = 0; b < cap.blocks; b++)
    dropped += drop_in_block(&cap, drop, b, b == 3 ? 11 : 4 + (size_t)(rng_next() % 7));
  replay(&cap, drop, 1, false, &res);
  assert_int_equal(res.frames_compared + res.frames_silent, (size_t)399 * PKT_FRAMES);
  assert_int_equal(res.frames_silent, (dropped - res.recovered) * PKT_FRAMES);
  assert_true(res.unrecoverable >= 1);
  printf("ldpc 4..11 lost per block: %zu dropped, %llu recovered, %llu blocks unrecoverable, "
         "%zu frames silent\n",
         dropped, (unsigned long long)res.recovered, (unsigned long long)res.unrecoverable,
         res.frames_silent);
  free_capture(&cap);
}

/*
 * The sender side: rill's FEC writer, fed roc's source packets (RTP without
 * footer) from the first SBN of the capture, gives every source datagram
 * (footer included) and every repair datagram byte for byte.
 */
static void check_writer(const char *name, int scheme)
{
  struct capture cap;
  struct rill_limiter global;
  struct fec_writer *fw;
  struct fec_payload_id id0;
  uint8_t pkt[MAX_DATAGRAM];
  size_t i, j, bytes = 0, sources = 0, repairs = 0;
  load_capture(name, scheme, &cap);
  assert_int_equal(limiter_init(&global, NULL, (size_t)16 << 20, "test"), RILL_OK);
  for (i = 0; cap.items[i].repair; i++)
    ;
  assert_int_equal(fec_source_id_parse((enum fec_scheme)scheme, cap.items[i].data,
                                       cap.items[i].len, &id0, &bytes),
                   RILL_OK);
  assert_int_equal(fec_writer_create(arena_heap(), &global, (enum fec_scheme)scheme, K, 10,
                                     MAX_DATAGRAM - FEC_MAX_ID_BYTES, id0.sbn, &fw),
                   RILL_OK);
  for (i = 0; i < cap.count; i++) {
    const struct datagram *d = &cap.items[i];
    size_t len = 0, footer = fec_source_id_bytes((enum fec_scheme)scheme);
    if (d->repair)
      continue;
    memcpy(pkt, d->data, d->len - footer);
    assert_int_equal(fec_writer_add_source(fw, pkt, d->len - footer, sizeof(pkt), &len), RILL_OK);
    assert_int_equal(len, d->len);
    assert_memory_equal(pkt, d->data, len);
    sources++;
    for (j = 0; j < fec_writer_repair_count(fw); j++) {
      /* roc sends a block's repair packets right after its last source one. */
      const struct datagram *rd = &cap.items[i + 1 + j];
      assert_true(i + 1 + j < cap.count && rd->repair);
      assert_int_equal(fec_writer_repair_packet(fw, j, pkt, sizeof(pkt), &len), RILL_OK);
      assert_int_equal(len, rd->len);
      assert_memory_equal(pkt, rd->data, len);
      repairs++;
    }
  }
  assert_int_equal(sources, 399);
  assert_int_equal(repairs, 220);
  printf("%s: fec_writer reproduces %zu source and %zu repair datagrams byte for byte\n", name,
         sources, repairs);
  fec_writer_destroy(fw);
  free_capture(&cap);
}

static void test_fec_vectors_rs8m_writer_matches_roc(void **state)
{
  (void)state;
  check_writer("rs8m_18_10", FEC_SCHEME_RS8M);
}

static void test_fec_vectors_ldpc_writer_matches_roc(void **state)
{
  (void)state;
  check_writer("ldpc_18_10", FEC_SCHEME_LDPC);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fec_vectors_nofec_lossless),
      cmocka_unit_test(test_fec_vectors_rs8m_lossless),
      cmocka_unit_test(test_fec_vectors_ldpc_lossless),
      cmocka_unit_test(test_fec_vectors_rs8m_recovers_up_to_10),
      cmocka_unit_test(test_fec_vectors_ldpc_recovers_up_to_3),
      cmocka_unit_test(test_fec_vectors_rs8m_11_lost_stay_silent),
      cmocka_unit_test(test_fec_vectors_ldpc_unrecoverable_never_wrong),
      cmocka_unit_test(test_fec_vectors_rs8m_writer_matches_roc),
      cmocka_unit_test(test_fec_vectors_ldpc_writer_matches_roc),
  };
  const char *env = getenv("RILL_VECTORS_DIR");
  if (argc > 1)
    vectors_dir = argv[1];
  else if (env && env[0])
    vectors_dir = env;
  else
    vectors_dir = RILL_VECTORS_DIR;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
