/*
 * FEC benchmark: codec throughput, and residual packet loss after FEC in a
 * simulated lossy channel (no network).
 *
 * Throughput: MB/s of source data (k * symbol bytes per block, 1 MB =
 * 10^6 bytes) for encode and decode of blocks of 896-byte symbols (roc's
 * 5 ms L16 stereo packets), single thread. rs8m decode is timed with its
 * worst case (r source symbols lost, the most any block can lose and still
 * decode); ldpc with 1 and 3 lost source symbols (typical: 3 is 11% of the
 * block) and with the most it can decode (lost symbols spread evenly over
 * the block). LDPC-Staircase needs r >= N1 = 7, so roc cannot build ldpc
 * 10+5; 10+7 is shown instead, and it is degenerate: with r = N1 every
 * source column of H holds all 7 rows, so any two lost sources look alike
 * and only one can ever be restored.
 *
 * LDPC encode is also timed against the encoder as it was before it summed
 * each repair in one pass (kept here, ldpc_encode_reference: per repair,
 * copy the previous repair, then XOR each source in, 8 bytes at a time),
 * on the same blocks in the same run, best of three interleaved runs each,
 * and the two outputs are compared byte for byte.
 *
 * Residual loss: 18 + 10 blocks sent in roc's order (the 18 source packets,
 * then the block's 10 repair packets). Each packet is lost by one of:
 *   random      independent loss with probability p (Bernoulli);
 *   bursty      Gilbert model: a two-state Markov chain, every packet lost
 *               in the bad state and none in the good one; the chance of
 *               leaving the bad state is 1/B per packet (mean burst B
 *               packets), entering it is chosen so the long-run loss is p.
 * Residual loss = source packets neither received nor restored / source
 * packets sent. The decoders run on real (small) symbols and every restored
 * symbol is compared with the original.
 *
 * Usage: bench_fec [seconds_per_case (0.5)] [blocks_per_loss_case (200000)]
 */
#include <rill/status.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fec/ldpc.h"
#include "fec/rs8m.h"

#define SYMBOL_BYTES 896
#define MAX_K 32
#define MAX_R 16
#define MAX_N (MAX_K + MAX_R)
#define SIM_BYTES 8

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * UINT64_C(2685821657736338717);
}

/* Uniform in [0, 1). */
static double rng_unit(void)
{
  return (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0);
}

/* LDPC_REFERENCE: ldpc through ldpc_encode_reference (encode only). */
enum code { RS8M, LDPC, LDPC_REFERENCE };

struct codecs {
  struct rs8m_codec *rs;
  struct ldpc_codec ldpc;
  void *ldpc_mem;
};

/* dst ^= src, 8 bytes at a time: rill's fec_xor until 2026-12-01. */
static void reference_xor(uint8_t *restrict dst, const uint8_t *restrict src, size_t len)
{
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t a, b;
    memcpy(&a, dst + i, 8);
    memcpy(&b, src + i, 8);
    a ^= b;
    memcpy(dst + i, &a, 8);
  }
  for (; i < len; i++)
    dst[i] ^= src[i];
}

/* rill's ldpc_encode until 2026-12-01, on the codec's own matrix. */
static int ldpc_encode_reference(struct ldpc_codec *codec, size_t k, size_t r, size_t bytes,
                                 const uint8_t *const *source, uint8_t *const *repair)
{
  size_t i, e;
  for (i = 0; i < r; i++) {
    const uint16_t *cols;
    size_t count;
    int rc = ldpc_matrix_row(codec, k, r, i, &cols, &count);
    if (rc != RILL_OK)
      return rc;
    if (i == 0)
      memset(repair[0], 0, bytes);
    else
      memcpy(repair[i], repair[i - 1], bytes);
    for (e = 0; e < count; e++)
      reference_xor(repair[i], source[cols[e]], bytes);
  }
  return RILL_OK;
}

static int encode(struct codecs *c, enum code code, size_t k, size_t r, size_t bytes,
                  const uint8_t *const *src, uint8_t *const *rep)
{
  if (code == LDPC_REFERENCE)
    return ldpc_encode_reference(&c->ldpc, k, r, bytes, src, rep);
  return code == RS8M ? rs8m_encode(c->rs, k, r, bytes, src, rep)
                      : ldpc_encode(&c->ldpc, k, r, bytes, src, rep);
}

static int decode(struct codecs *c, enum code code, size_t k, size_t n, size_t bytes,
                  const uint8_t *const *in, uint8_t *const *out, bool *restored)
{
  return code == RS8M ? rs8m_decode(c->rs, k, n, bytes, in, out, restored)
                      : ldpc_decode(&c->ldpc, k, n, bytes, in, out, restored);
}

struct block {
  size_t k, r, bytes;
  uint8_t data[MAX_N][SYMBOL_BYTES];
  uint8_t out[MAX_K][SYMBOL_BYTES];
  const uint8_t *sym[MAX_N];
  uint8_t *rep[MAX_R], *outp[MAX_K];
};

static void block_fill(struct codecs *c, enum code code, struct block *b, size_t k, size_t r,
                       size_t bytes)
{
  size_t i, j;
  b->k = k;
  b->r = r;
  b->bytes = bytes;
  for (i = 0; i < k; i++)
    for (j = 0; j < bytes; j++)
      b->data[i][j] = (uint8_t)rng_next();
  for (i = 0; i < k + r; i++)
    b->sym[i] = b->data[i];
  for (i = 0; i < r; i++)
    b->rep[i] = b->data[k + i];
  for (i = 0; i < k; i++)
    b->outp[i] = b->out[i];
  if (encode(c, code, k, r, bytes, b->sym, b->rep) != RILL_OK)
    abort();
}

/* Time `encode` of one block over `seconds`; MB/s of source data. */
static double bench_encode(struct codecs *c, enum code code, struct block *b, double seconds)
{
  double t0 = now_s(), t;
  long blocks = 0;
  do {
    int i;
    for (i = 0; i < 64; i++)
      if (encode(c, code, b->k, b->r, b->bytes, b->sym, b->rep) != RILL_OK)
        abort();
    blocks += 64;
    t = now_s() - t0;
  } while (t < seconds);
  return (double)blocks * (double)(b->k * b->bytes) / t / 1e6;
}

/* Time decoding without the source symbols flagged in lost[]. Returns MB/s
 * and sets *us_per_block, or returns -1 if the pattern does not decode. */
static double bench_decode(struct codecs *c, enum code code, struct block *b, const bool *lost,
                           double seconds, double *us_per_block)
{
  const uint8_t *in[MAX_N];
  bool restored[MAX_K];
  double t0, t;
  long blocks = 0;
  size_t i;

  for (i = 0; i < b->k + b->r; i++)
    in[i] = i < b->k && lost[i] ? NULL : b->sym[i];
  if (decode(c, code, b->k, b->k + b->r, b->bytes, in, b->outp, restored) != RILL_OK)
    return -1;
  for (i = 0; i < b->k; i++)
    if (lost[i] && memcmp(b->out[i], b->data[i], b->bytes) != 0)
      abort();
  t0 = now_s();
  do {
    int j;
    for (j = 0; j < 64; j++)
      if (decode(c, code, b->k, b->k + b->r, b->bytes, in, b->outp, restored) != RILL_OK)
        abort();
    blocks += 64;
    t = now_s() - t0;
  } while (t < seconds);
  *us_per_block = t / (double)blocks * 1e6;
  return (double)blocks * (double)(b->k * b->bytes) / t / 1e6;
}

/* Spread `count` lost sources evenly over the block (deterministic). */
static void spread_loss(size_t k, size_t count, bool *lost)
{
  size_t i;
  memset(lost, 0, MAX_K * sizeof(*lost));
  for (i = 0; i < count; i++)
    lost[i * k / count] = true;
}

/* Largest count of lost sources (spread pattern) ldpc decodes for (k, r). */
static size_t ldpc_worst(struct codecs *c, struct block *b)
{
  size_t count, best = 0;
  bool lost[MAX_K];
  double us;
  for (count = 1; count <= b->r && count <= b->k; count++) {
    spread_loss(b->k, count, lost);
    if (bench_decode(c, LDPC, b, lost, 0.0, &us) >= 0)
      best = count;
  }
  return best;
}

/* rs8m through ISA-L and through the portable code, same blocks, as a ratio. */
static void rs8m_paths(struct codecs *c, double seconds)
{
  static const size_t blocks[][2] = {{18, 10}, {10, 5}, {32, 16}};
  static struct block b;
  size_t i;
  printf("rs8m: ISA-L (%s) against the portable code, %d-byte symbols, MB/s of source data\n",
         rs8m_has_isal() ? "built in" : "NOT built in: both columns portable", SYMBOL_BYTES);
  printf("%-6s %-22s %12s %14s %8s\n", "block", "op", "ISA-L MB/s", "portable MB/s", "ratio");
  for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
    bool lost[MAX_K];
    double fast_enc, port_enc, fast_dec, port_dec, us;
    char blk[16];
    snprintf(blk, sizeof(blk), "%zu+%zu", blocks[i][0], blocks[i][1]);
    block_fill(c, RS8M, &b, blocks[i][0], blocks[i][1], SYMBOL_BYTES);
    spread_loss(b.k, b.r, lost); /* the worst case: r sources lost */
    rs8m_codec_use_portable(c->rs, false);
    fast_enc = bench_encode(c, RS8M, &b, seconds);
    fast_dec = bench_decode(c, RS8M, &b, lost, seconds, &us);
    rs8m_codec_use_portable(c->rs, true);
    port_enc = bench_encode(c, RS8M, &b, seconds);
    port_dec = bench_decode(c, RS8M, &b, lost, seconds, &us);
    rs8m_codec_use_portable(c->rs, false);
    printf("%-6s %-22s %12.0f %14.0f %7.2fx\n", blk, "encode", fast_enc, port_enc,
           fast_enc / port_enc);
    printf("%-6s %-22s %12.0f %14.0f %7.2fx\n", blk, "decode, r lost (worst)", fast_dec,
           port_dec, fast_dec / port_dec);
  }
  printf("\n");
}

/* ldpc_encode against ldpc_encode_reference, same blocks, as a ratio. */
static void ldpc_encode_paths(struct codecs *c, double seconds)
{
  static const size_t blocks[][2] = {{18, 10}, {10, 7}, {32, 16}};
  static struct block b;
  static uint8_t fast[MAX_R][SYMBOL_BYTES];
  size_t i;
  printf("ldpc encode: one pass per repair against the old per-source loop, %d-byte symbols,\n"
         "MB/s of source data, best of 3 interleaved runs each\n",
         SYMBOL_BYTES);
  printf("%-6s %12s %12s %8s\n", "block", "new MB/s", "old MB/s", "ratio");
  for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
    double new_mbs = 0, old_mbs = 0;
    char blk[16];
    int run;
    snprintf(blk, sizeof(blk), "%zu+%zu", blocks[i][0], blocks[i][1]);
    block_fill(c, LDPC, &b, blocks[i][0], blocks[i][1], SYMBOL_BYTES);
    memcpy(fast, b.data[b.k], b.r * sizeof(fast[0]));
    if (encode(c, LDPC_REFERENCE, b.k, b.r, b.bytes, b.sym, b.rep) != RILL_OK ||
        memcmp(fast, b.data[b.k], b.r * sizeof(fast[0])) != 0)
      abort(); /* the two encoders disagree */
    for (run = 0; run < 3; run++) {
      double mbs = bench_encode(c, LDPC, &b, seconds / 3);
      new_mbs = mbs > new_mbs ? mbs : new_mbs;
      mbs = bench_encode(c, LDPC_REFERENCE, &b, seconds / 3);
      old_mbs = mbs > old_mbs ? mbs : old_mbs;
    }
    printf("%-6s %12.0f %12.0f %7.2fx\n", blk, new_mbs, old_mbs, new_mbs / old_mbs);
  }
  printf("\n");
}

static void throughput(struct codecs *c, double seconds)
{
  static const struct {
    enum code code;
    size_t k, r;
  } cases[] = {{RS8M, 18, 10}, {RS8M, 10, 5}, {LDPC, 18, 10}, {LDPC, 10, 7}};
  static struct block b;
  size_t i;

  printf("Throughput, %d-byte symbols, MB/s of source data (10^6 B/s), one thread\n",
         SYMBOL_BYTES);
  printf("%-6s %-6s %-9s %-22s %10s %12s\n", "code", "block", "op", "lost source symbols",
         "MB/s", "us/block");
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    enum code code = cases[i].code;
    const char *name = code == RS8M ? "rs8m" : "ldpc";
    char blk[16], what[40];
    bool lost[MAX_K];
    size_t counts[3], ncounts, j;
    double mbs, us;

    snprintf(blk, sizeof(blk), "%zu+%zu", cases[i].k, cases[i].r);
    block_fill(c, code, &b, cases[i].k, cases[i].r, SYMBOL_BYTES);
    mbs = bench_encode(c, code, &b, seconds);
    printf("%-6s %-6s %-9s %-22s %10.0f %12.2f\n", name, blk, "encode", "-", mbs,
           (double)(b.k * b.bytes) / mbs);
    if (code == RS8M) {
      counts[0] = 1;
      counts[1] = b.r; /* worst case */
      ncounts = 2;
    } else {
      counts[0] = 1;
      counts[1] = 3;
      counts[2] = ldpc_worst(c, &b);
      ncounts = 3;
    }
    for (j = 0; j < ncounts; j++) {
      spread_loss(b.k, counts[j], lost);
      mbs = bench_decode(c, code, &b, lost, seconds, &us);
      if (code == RS8M && j == 1)
        snprintf(what, sizeof(what), "%zu (worst: r)", counts[j]);
      else if (code == LDPC && j == 2)
        snprintf(what, sizeof(what), "%zu (most it decodes)", counts[j]);
      else
        snprintf(what, sizeof(what), "%zu", counts[j]);
      if (mbs < 0)
        printf("%-6s %-6s %-9s %-22s %10s %12s\n", name, blk, "decode", what, "-",
               "unrecoverable");
      else
        printf("%-6s %-6s %-9s %-22s %10.0f %12.2f\n", name, blk, "decode", what, mbs, us);
    }
  }
  printf("%-6s %-6s %-9s %s\n", "ldpc", "10+5", "-",
         "n/a: LDPC-Staircase needs r >= N1 = 7 (roc/OpenFEC refuse it too)");
  printf("(ldpc 10+7: with r = N1 every source column holds every row, so no two lost\n"
         " sources can be told apart: one lost source is all it can restore.)\n");
}

/* ---- residual loss ------------------------------------------------------ */

struct channel {
  bool bursty;
  double p;     /* long-run loss probability */
  double burst; /* mean burst length (bursty) */
  bool bad;     /* Gilbert state */
};

static bool channel_lose(struct channel *ch)
{
  if (!ch->bursty)
    return rng_unit() < ch->p;
  if (ch->bad) {
    if (rng_unit() < 1.0 / ch->burst)
      ch->bad = false;
  } else {
    /* pi_bad = enter / (enter + leave) = p */
    double leave = 1.0 / ch->burst, enter = leave * ch->p / (1.0 - ch->p);
    if (rng_unit() < enter)
      ch->bad = true;
  }
  return ch->bad;
}

/* Residual source loss over `blocks` 18+10 blocks; *raw gets the channel's. */
static double residual(struct codecs *c, enum code code, struct channel ch, long blocks,
                       double *raw)
{
  static struct block b;
  const uint8_t *in[MAX_N];
  bool restored[MAX_K];
  long sent = 0, lost_after = 0, pk = 0, pk_lost = 0, blk;
  size_t i;

  block_fill(c, code, &b, 18, 10, SIM_BYTES);
  for (blk = 0; blk < blocks; blk++) {
    bool any = false;
    if (blk % 1024 == 0) /* fresh data now and then */
      block_fill(c, code, &b, 18, 10, SIM_BYTES);
    for (i = 0; i < 28; i++) {
      bool gone = channel_lose(&ch);
      in[i] = gone ? NULL : b.sym[i];
      pk++;
      pk_lost += gone;
      if (i < 18 && gone)
        any = true;
    }
    sent += 18;
    if (!any)
      continue;
    (void)decode(c, code, 18, 28, SIM_BYTES, in, b.outp, restored);
    for (i = 0; i < 18; i++) {
      if (in[i] != NULL)
        continue;
      if (!restored[i])
        lost_after++;
      else if (memcmp(b.out[i], b.data[i], SIM_BYTES) != 0)
        abort();
    }
  }
  *raw = (double)pk_lost / (double)pk;
  return (double)lost_after / (double)sent;
}

static void residual_loss(struct codecs *c, long blocks)
{
  static const double ps[] = {0.01, 0.05, 0.10, 0.20};
  static const double bursts[] = {2.0, 4.0, 8.0};
  size_t i, j;

  printf("\nResidual source-packet loss after FEC, 18+10 blocks, %ld blocks per case\n",
         blocks);
  printf("%-28s %10s %12s %12s\n", "channel", "loss", "rs8m", "ldpc");
  for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
    struct channel ch = {false, ps[i], 1.0, false};
    double raw, rs, ld;
    char name[48];
    rs = residual(c, RS8M, ch, blocks, &raw);
    ld = residual(c, LDPC, ch, blocks, &raw);
    snprintf(name, sizeof(name), "random %.0f%%", ps[i] * 100);
    printf("%-28s %9.3f%% %11.4f%% %11.4f%%\n", name, raw * 100, rs * 100, ld * 100);
  }
  for (j = 0; j < sizeof(bursts) / sizeof(bursts[0]); j++) {
    for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
      struct channel ch = {true, ps[i], bursts[j], false};
      double raw, rs, ld;
      char name[48];
      rs = residual(c, RS8M, ch, blocks, &raw);
      ld = residual(c, LDPC, ch, blocks, &raw);
      snprintf(name, sizeof(name), "bursty %.0f%%, mean burst %.0f", ps[i] * 100, bursts[j]);
      printf("%-28s %9.3f%% %11.4f%% %11.4f%%\n", name, raw * 100, rs * 100, ld * 100);
    }
  }
}

int main(int argc, char **argv)
{
  struct codecs c;
  double seconds = argc > 1 ? atof(argv[1]) : 0.5;
  long blocks = argc > 2 ? atol(argv[2]) : 200000;
  size_t bytes;

  if (seconds <= 0 || blocks <= 0) {
    fprintf(stderr, "usage: %s [seconds_per_case] [blocks_per_loss_case]\n", argv[0]);
    return 2;
  }
  c.rs = malloc(sizeof(*c.rs));
  if (c.rs == NULL || ldpc_workspace_bytes(MAX_K, MAX_R, &bytes) != RILL_OK)
    return 1;
  c.ldpc_mem = malloc(bytes);
  if (c.ldpc_mem == NULL || ldpc_codec_init(&c.ldpc, c.ldpc_mem, bytes, MAX_K, MAX_R) != RILL_OK)
    return 1;
  rs8m_codec_init(c.rs);

  printf("reproduce: %s %g %ld   (build: cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "
         "&& cmake --build build --target bench_fec)\n\n",
         argv[0], seconds, blocks);
  rs8m_paths(&c, seconds);
  ldpc_encode_paths(&c, seconds);
  throughput(&c, seconds);
  residual_loss(&c, blocks);
  free(c.ldpc_mem);
  free(c.rs);
  return 0;
}
