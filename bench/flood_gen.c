/*
 * flood_gen: an RTP/L16 flood generator for the receiver flood benchmark
 * (bench/flood_run.sh) and the flood smoke test. Plain POSIX sockets; it
 * knows nothing of rill, so a bug in rill cannot hide in the tool that
 * loads it.
 *
 * Packets: RTP v2, payload type 10 (L16 stereo 44100 Hz) by default,
 * `--frames` frames per packet (221: 884 payload bytes). Each of `--streams`
 * streams has its own random SSRC, sequence number and timestamp and is sent
 * round-robin; the timestamp advances by the packet's frames, whatever the
 * send rate, so a stream sent faster than its audio rate looks to a receiver
 * like a sender running ahead. With `--random-ssrc` every packet carries a
 * fresh random SSRC, sequence number and timestamp: a crowd of fake senders.
 *
 * Payload: a 440 Hz sine at half scale (`--amplitude`; 0 sends silence).
 * One second of it (44100 frames, exactly 440 periods) is tabulated at
 * start. With `--sine` each packet is filled from the table at its stream's
 * timestamp, so the audio is continuous and can be checked at the receiver;
 * without it one packet's payload is reused for every packet (no per-packet
 * work beyond the 12-byte header).
 *
 * Pacing: deadlines are absolute (clock_nanosleep, TIMER_ABSTIME) and
 * computed from the start of the current rate segment, so sleep overshoot
 * never accumulates into a lower rate. At up to 1000 packets/s each packet
 * has its own deadline; above, the generator wakes once per millisecond tick
 * and sends the packets due by then in one burst. `--unthrottled` never
 * sleeps. `--profile` chains rate segments (e.g. a burst between two calm
 * periods). Every run is bounded: `--duration` is required (at most 600 s)
 * and SIGINT/SIGTERM stop it early; the totals are printed either way.
 *
 * With `--junk` every datagram is malformed or unwanted instead, in turn:
 * a 3-byte header, RTP version 1, a CSRC count that claims more than the
 * datagram holds, an empty datagram, an unmapped payload type (77), and a
 * 60,000-byte datagram (a hostile neighbour on the same port).
 *
 * At exit it prints packets sent, send errors and the achieved rate (and each
 * segment's with --profile) on stderr.
 *
 * Only loopback destinations (127.0.0.0/8) are accepted: the benchmark must
 * never put its load on a real network.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_args.h"

#define NS_PER_S 1000000000LL
#define NS_PER_MS 1000000LL
#define RATE_HZ 44100
#define SINE_HZ 440
#define MAX_DURATION_S 600
#define MAX_STREAMS 1024
#define MAX_SEGMENTS 16
#define MAX_PPS 10000000.0
#define TICK_NS NS_PER_MS
#define RTP_HEADER_BYTES 12
#define MAX_PAYLOAD_BYTES 8192
#define UNTHROTTLED_CHECK 64 /* packets between clock checks in a long burst (power of 2) */

struct segment {
  double seconds; /* < 0: until the end of the run */
  double pps;
  uint64_t sent;  /* packets sent in it */
  double elapsed_s;
};

struct stream {
  uint32_t ssrc;
  uint16_t seq;
  uint32_t timestamp;
  int fd; /* its own socket with --socket-per-stream, else -1 */
};

struct options {
  struct sockaddr_in dest;
  double pps;
  unsigned streams;
  unsigned frames;
  unsigned channels;
  unsigned payload_type;
  int random_ssrc;
  int junk;
  int socket_per_stream;
  int unthrottled;
  int sine;
  int realtime;
  double amplitude;
  double duration_s;
  uint64_t seed;
  struct segment segments[MAX_SEGMENTS];
  size_t segment_count;
  int quiet;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
  (void)sig;
  stop_requested = 1;
}

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void sleep_until(int64_t deadline_ns)
{
  struct timespec ts;
  ts.tv_sec = (time_t)(deadline_ns / NS_PER_S);
  ts.tv_nsec = (long)(deadline_ns % NS_PER_S);
  while (!stop_requested && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

/* xorshift64*: fast, seedable, good enough for SSRCs and sequence starts. */
static uint64_t rng_state;

static uint32_t rng_next(void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static void put_be16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void usage(FILE *out)
{
  fprintf(out,
          "usage: flood_gen --dest 127.0.0.1:PORT --duration SEC [options]\n"
          "Send RTP L16 packets to a loopback receiver at a fixed rate.\n\n"
          "  --dest 127.0.0.1:PORT  destination (loopback 127.0.0.0/8 only)\n"
          "  --duration SEC         run length, required, at most %d\n"
          "  --pps N                packets per second over all streams (default 345)\n"
          "  --profile S:PPS[,S:PPS...]\n"
          "                         rate segments of S seconds each, instead of --pps;\n"
          "                         the last one lasts until --duration\n"
          "  --realtime             pps = streams * 44100 / frames: each stream at its\n"
          "                         audio rate (a legitimate sender)\n"
          "  --unthrottled          send as fast as possible\n"
          "  --streams N            distinct SSRCs, each its own seq/ts (default 1)\n"
          "  --random-ssrc          a new random SSRC for every packet (fake senders)\n"
          "  --junk                 malformed datagrams instead (short, bad version, lying\n"
          "                         CSRC count, empty, unknown payload type, 60 KB)\n"
          "  --socket-per-stream    each stream sends from its own socket (its own source\n"
          "                         port, like separate sender programs)\n"
          "  --frames N             frames per packet (default 221: 884-byte payload)\n"
          "  --channels 1|2         channels (default 2; payload type 10, or 11 for 1)\n"
          "  --pt N                 payload type to put in the header (default 10/11)\n"
          "  --sine                 fill every packet from a continuous 440 Hz sine at\n"
          "                         its stream's timestamp (default: one sine packet\n"
          "                         reused, cheaper)\n"
          "  --amplitude A          sine amplitude, 0..1 of full scale (default 0.5;\n"
          "                         0: digital silence)\n"
          "  --seed N               random seed for SSRCs, seq and ts (default 1)\n"
          "  --quiet                no summary line\n"
          "  -h, --help             this help\n"
          "Prints at exit: packets sent, achieved packets/s, send errors.\n",
          MAX_DURATION_S);
}

static int fail(const char *msg, const char *arg)
{
  fprintf(stderr, "flood_gen: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  return 2;
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
  char *end;
  unsigned long v;
  if (s[0] == '-' || s[0] == '+')
    return -1;
  errno = 0;
  v = strtoul(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

static int parse_dest(const char *s, struct sockaddr_in *out)
{
  char host[64];
  const char *colon = strrchr(s, ':');
  unsigned long port;
  size_t n;
  if (!colon || colon == s)
    return -1;
  n = (size_t)(colon - s);
  if (n >= sizeof(host))
    return -1;
  memcpy(host, s, n);
  host[n] = '\0';
  memset(out, 0, sizeof(*out));
  out->sin_family = AF_INET;
  if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
    return -1;
  if (parse_uint(colon + 1, 1, 65535, &port) != 0)
    return -1;
  out->sin_port = htons((uint16_t)port);
  return 0;
}

static int parse_profile(const char *s, struct options *o)
{
  char buf[512], *save = NULL, *tok;
  if (strlen(s) >= sizeof(buf))
    return -1;
  strcpy(buf, s);
  o->segment_count = 0;
  for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *colon = strchr(tok, ':');
    struct segment *seg;
    if (!colon || o->segment_count == MAX_SEGMENTS)
      return -1;
    *colon = '\0';
    seg = &o->segments[o->segment_count++];
    if (parse_double(tok, 0.001, MAX_DURATION_S, &seg->seconds) != 0 ||
        parse_double(colon + 1, 0.1, MAX_PPS, &seg->pps) != 0)
      return -1;
  }
  return o->segment_count > 0 ? 0 : -1;
}

static int parse_args(int argc, char **argv, struct options *o)
{
  enum { O_DEST = 256, O_PPS, O_PROFILE, O_REALTIME, O_UNTHROTTLED, O_STREAMS, O_RANDOM,
         O_FRAMES, O_CHANNELS, O_PT, O_SINE, O_AMPLITUDE, O_DURATION, O_SEED, O_QUIET,
         O_SOCKET_PER_STREAM, O_JUNK };
  static const struct option longopts[] = {
      {"dest", required_argument, NULL, O_DEST},
      {"pps", required_argument, NULL, O_PPS},
      {"profile", required_argument, NULL, O_PROFILE},
      {"realtime", no_argument, NULL, O_REALTIME},
      {"unthrottled", no_argument, NULL, O_UNTHROTTLED},
      {"streams", required_argument, NULL, O_STREAMS},
      {"random-ssrc", no_argument, NULL, O_RANDOM},
      {"frames", required_argument, NULL, O_FRAMES},
      {"channels", required_argument, NULL, O_CHANNELS},
      {"pt", required_argument, NULL, O_PT},
      {"sine", no_argument, NULL, O_SINE},
      {"amplitude", required_argument, NULL, O_AMPLITUDE},
      {"duration", required_argument, NULL, O_DURATION},
      {"seed", required_argument, NULL, O_SEED},
      {"quiet", no_argument, NULL, O_QUIET},
      {"socket-per-stream", no_argument, NULL, O_SOCKET_PER_STREAM},
      {"junk", no_argument, NULL, O_JUNK},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  unsigned long v;
  int opt, have_dest = 0, have_pps = 0, have_pt = 0;

  memset(o, 0, sizeof(*o));
  o->pps = 345;
  o->streams = 1;
  o->frames = 221;
  o->channels = 2;
  o->amplitude = 0.5;
  o->duration_s = -1;
  o->seed = 1;
  while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (opt) {
    case O_DEST:
      if (parse_dest(optarg, &o->dest) != 0)
        return fail("--dest: expected IPV4:PORT", optarg);
      if ((ntohl(o->dest.sin_addr.s_addr) >> 24) != 127)
        return fail("--dest: only loopback (127.0.0.0/8) destinations are allowed", optarg);
      have_dest = 1;
      break;
    case O_PPS:
      if (parse_double(optarg, 0.1, MAX_PPS, &o->pps) != 0)
        return fail("--pps: expected a rate in 0.1..1e7", optarg);
      have_pps = 1;
      break;
    case O_PROFILE:
      if (parse_profile(optarg, o) != 0)
        return fail("--profile: expected SEC:PPS[,SEC:PPS...] (at most 16 segments)", optarg);
      break;
    case O_REALTIME:
      o->realtime = 1;
      break;
    case O_UNTHROTTLED:
      o->unthrottled = 1;
      break;
    case O_STREAMS:
      if (parse_uint(optarg, 1, MAX_STREAMS, &v) != 0)
        return fail("--streams: expected 1..1024", optarg);
      o->streams = (unsigned)v;
      break;
    case O_RANDOM:
      o->random_ssrc = 1;
      break;
    case O_FRAMES:
      if (parse_uint(optarg, 1, 2048, &v) != 0)
        return fail("--frames: expected 1..2048", optarg);
      o->frames = (unsigned)v;
      break;
    case O_CHANNELS:
      if (parse_uint(optarg, 1, 2, &v) != 0)
        return fail("--channels: expected 1 or 2", optarg);
      o->channels = (unsigned)v;
      break;
    case O_PT:
      if (parse_uint(optarg, 0, 127, &v) != 0)
        return fail("--pt: expected 0..127", optarg);
      o->payload_type = (unsigned)v;
      have_pt = 1;
      break;
    case O_SINE:
      o->sine = 1;
      break;
    case O_AMPLITUDE:
      if (parse_double(optarg, 0, 1, &o->amplitude) != 0)
        return fail("--amplitude: expected 0..1 of full scale", optarg);
      break;
    case O_DURATION:
      if (parse_double(optarg, 0.001, MAX_DURATION_S, &o->duration_s) != 0)
        return fail("--duration: expected seconds in (0, 600]", optarg);
      break;
    case O_SEED:
      if (parse_uint(optarg, 0, ~0UL, &v) != 0)
        return fail("--seed: expected a non-negative integer", optarg);
      o->seed = v;
      break;
    case O_JUNK:
      o->junk = 1;
      break;
    case O_SOCKET_PER_STREAM:
      o->socket_per_stream = 1;
      break;
    case O_QUIET:
      o->quiet = 1;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return 2;
    }
  }
  if (optind < argc)
    return fail("unexpected argument (see --help)", argv[optind]);
  if (!have_dest)
    return fail("--dest 127.0.0.1:PORT is required", NULL);
  if (o->duration_s < 0)
    return fail("--duration SEC is required (at most 600)", NULL);
  if ((size_t)o->frames * o->channels * 2 > MAX_PAYLOAD_BYTES)
    return fail("--frames: payload larger than 8192 bytes", NULL);
  if (o->socket_per_stream && o->random_ssrc)
    return fail("--socket-per-stream and --random-ssrc exclude each other", NULL);
  if ((o->segment_count > 0) + have_pps + o->realtime + o->unthrottled > 1)
    return fail("--pps, --profile, --realtime and --unthrottled exclude each other", NULL);
  if (o->realtime)
    o->pps = (double)o->streams * RATE_HZ / o->frames;
  if (o->segment_count == 0) {
    o->segments[0].pps = o->pps;
    o->segment_count = 1;
  }
  o->segments[o->segment_count - 1].seconds = -1;
  if (!have_pt)
    o->payload_type = o->channels == 2 ? 10 : 11;
  return 0;
}

/* One second of the sine, big-endian L16, one sample per frame. */
static int make_table(double amplitude, uint8_t **out)
{
  uint8_t *t = malloc((size_t)RATE_HZ * 2);
  int i;
  if (!t)
    return -1;
  for (i = 0; i < RATE_HZ; i++) {
    double x = amplitude * sin(2.0 * M_PI * SINE_HZ * (double)i / RATE_HZ);
    put_be16(t + 2 * i, (uint16_t)(int16_t)lrint(x * 32767.0));
  }
  *out = t;
  return 0;
}

static void fill_payload(uint8_t *p, const uint8_t *table, uint32_t timestamp, unsigned frames,
                         unsigned channels)
{
  unsigned f, c;
  uint32_t idx = timestamp % RATE_HZ;
  for (f = 0; f < frames; f++) {
    for (c = 0; c < channels; c++) {
      p[0] = table[2 * idx];
      p[1] = table[2 * idx + 1];
      p += 2;
    }
    if (++idx == RATE_HZ)
      idx = 0;
  }
}

struct totals {
  uint64_t sent;
  uint64_t errors;
  uint64_t last_errno;
};

/* Compose and send packet number `n` (over all streams). */
/* Datagram n of the --junk rotation into buf (60,000 bytes); its length. */
static size_t junk_datagram(uint64_t n, uint8_t *buf)
{
  memset(buf, 0, 64);
  buf[0] = 0x80;
  buf[1] = 10;
  switch (n % 6) {
  case 0:
    return 3; /* shorter than a header */
  case 1:
    buf[0] = 0x40; /* version 1 */
    return 12 + 40;
  case 2:
    buf[0] = 0x8f; /* 15 CSRCs claimed: 60 bytes of them, 8 present */
    return 20;
  case 3:
    return 0; /* empty */
  case 4:
    buf[1] = 77; /* a payload type nobody mapped */
    return 12 + 884;
  default:
    return 60000; /* far larger than any receive buffer */
  }
}

static void send_one(int fd, const struct options *o, struct stream *streams, uint8_t *pkt,
                     size_t pkt_bytes, const uint8_t *table, uint64_t n, struct totals *tot)
{
  static uint8_t junk[60000];
  struct stream tmp, *s;
  if (o->junk) {
    size_t len = junk_datagram(n, junk);
    if (sendto(fd, junk, len, 0, (const struct sockaddr *)&o->dest, sizeof(o->dest)) < 0) {
      tot->errors++;
      tot->last_errno = (uint64_t)errno;
    } else {
      tot->sent++;
    }
    return;
  }
  if (o->random_ssrc) {
    tmp.ssrc = rng_next();
    tmp.seq = (uint16_t)rng_next();
    tmp.timestamp = rng_next();
    s = &tmp;
  } else {
    s = &streams[n % o->streams];
  }
  pkt[0] = 0x80; /* V=2, no padding, extension or CSRCs */
  pkt[1] = (uint8_t)o->payload_type;
  put_be16(pkt + 2, s->seq);
  put_be32(pkt + 4, s->timestamp);
  put_be32(pkt + 8, s->ssrc);
  if (o->sine)
    fill_payload(pkt + RTP_HEADER_BYTES, table, s->timestamp, o->frames, o->channels);
  if (!o->random_ssrc && s->fd >= 0)
    fd = s->fd;
  if (sendto(fd, pkt, pkt_bytes, 0, (const struct sockaddr *)&o->dest, sizeof(o->dest)) < 0) {
    tot->errors++;
    tot->last_errno = (uint64_t)errno;
  } else {
    tot->sent++;
  }
  s->seq++;
  s->timestamp += o->frames;
}

int main(int argc, char **argv)
{
  struct options o;
  struct stream *streams = NULL;
  unsigned sockets_opened = 0;
  uint8_t *table = NULL, *pkt = NULL;
  struct totals tot = {0, 0, 0};
  struct sigaction sa;
  size_t pkt_bytes, seg;
  int64_t t_start, t_end, seg_start;
  uint64_t n = 0;
  double elapsed;
  int fd = -1, rc = 0;
  unsigned i;

  if ((rc = parse_args(argc, argv, &o)) != 0)
    return rc;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  rng_state = o.seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
  pkt_bytes = RTP_HEADER_BYTES + (size_t)o.frames * o.channels * 2;
  streams = calloc(o.streams, sizeof(*streams));
  pkt = calloc(1, pkt_bytes);
  if (!streams || !pkt || make_table(o.amplitude, &table) != 0) {
    fprintf(stderr, "flood_gen: out of memory\n");
    rc = 1;
    goto out;
  }
  for (i = 0; i < o.streams; i++) {
    streams[i].ssrc = rng_next();
    streams[i].seq = (uint16_t)rng_next();
    /* A whole number of seconds: the sine starts at phase 0 on each stream. */
    streams[i].timestamp = (rng_next() % 1000u) * RATE_HZ;
    streams[i].fd = -1;
  }
  for (i = 0; o.socket_per_stream && i < o.streams; i++) {
    streams[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (streams[i].fd >= 0)
      sockets_opened = i + 1;
    if (streams[i].fd < 0) {
      perror("flood_gen: socket (per stream)");
      rc = 1;
      goto out;
    }
  }
  fill_payload(pkt + RTP_HEADER_BYTES, table, 0, o.frames, o.channels);
  fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    perror("flood_gen: socket");
    rc = 1;
    goto out;
  }

  t_start = now_ns();
  t_end = t_start + (int64_t)(o.duration_s * NS_PER_S);
  seg_start = t_start;
  for (seg = 0; seg < o.segment_count && !stop_requested; seg++) {
    struct segment *sg = &o.segments[seg];
    uint64_t n_before = tot.sent;
    int64_t seg_end = sg->seconds < 0 ? t_end : seg_start + (int64_t)(sg->seconds * NS_PER_S);
    uint64_t seg_sent = 0;
    if (seg_end > t_end)
      seg_end = t_end;
    if (o.unthrottled) {
      int64_t now = now_ns();
      while (!stop_requested && now < seg_end) {
        int k;
        for (k = 0; k < UNTHROTTLED_CHECK; k++)
          send_one(fd, &o, streams, pkt, pkt_bytes, table, n++, &tot);
        now = now_ns();
      }
    } else {
      /* Packet k of the segment is due at seg_start + k / pps. */
      double ns_per_packet = (double)NS_PER_S / sg->pps;
      int64_t step = ns_per_packet >= (double)TICK_NS ? 0 : TICK_NS;
      int64_t wake = seg_start;
      while (!stop_requested) {
        int64_t now;
        uint64_t due;
        if (step == 0)
          wake = seg_start + (int64_t)((double)seg_sent * ns_per_packet);
        if (wake >= seg_end)
          break;
        sleep_until(wake);
        if (stop_requested)
          break;
        now = now_ns();
        if (now > seg_end)
          now = seg_end;
        /* Packets whose deadline has passed; at least the one we woke for. */
        due = (uint64_t)((double)(now - seg_start) / ns_per_packet) + 1;
        if (step == 0 && due > seg_sent + 1)
          due = seg_sent + 1;
        /* A rate this machine cannot reach must not stretch the run: the
         * burst stops at the segment's end whatever is still due. */
        while (seg_sent < due && !stop_requested) {
          send_one(fd, &o, streams, pkt, pkt_bytes, table, n++, &tot);
          if ((++seg_sent & (UNTHROTTLED_CHECK - 1)) == 0 && now_ns() >= seg_end)
            break;
        }
        if (now_ns() >= seg_end)
          break;
        if (step != 0)
          wake += step;
      }
    }
    sg->sent = tot.sent - n_before;
    sg->elapsed_s = (double)((now_ns() < seg_end ? now_ns() : seg_end) - seg_start) / NS_PER_S;
    seg_start = seg_end;
  }
  elapsed = (double)(now_ns() - t_start) / (double)NS_PER_S;
  if (!o.quiet) {
    fprintf(stderr,
            "flood_gen: sent=%llu errors=%llu seconds=%.3f pps=%.1f target_pps=%s",
            (unsigned long long)tot.sent, (unsigned long long)tot.errors, elapsed,
            elapsed > 0 ? (double)tot.sent / elapsed : 0.0, o.unthrottled ? "max" : "");
    if (!o.unthrottled) {
      for (seg = 0; seg < o.segment_count; seg++)
        fprintf(stderr, "%s%.1f", seg ? "," : "", o.segments[seg].pps);
    }
    if (o.segment_count > 1) {
      fprintf(stderr, " segment_pps=");
      for (seg = 0; seg < o.segment_count; seg++) {
        const struct segment *sg = &o.segments[seg];
        fprintf(stderr, "%s%.1f", seg ? "," : "",
                sg->elapsed_s > 0 ? (double)sg->sent / sg->elapsed_s : 0.0);
      }
    }
    if (tot.errors)
      fprintf(stderr, " last_error=%s", strerror((int)tot.last_errno));
    fprintf(stderr, "\n");
  }

out:
  if (fd >= 0)
    close(fd);
  for (i = 0; i < sockets_opened; i++)
    close(streams[i].fd);
  free(table);
  free(pkt);
  free(streams);
  return rc;
}
