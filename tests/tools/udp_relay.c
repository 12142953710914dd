/*
 * udp_relay: a lossy, reordering, duplicating UDP relay for loopback tests.
 *
 * Each --listen/--forward pair is a one-way path: datagrams arriving on the
 * listen socket are passed to the forward address from the relay's own send
 * socket (one per address family, bound to the loopback address), so all
 * pairs of one relay share one source address, as a sender with separate
 * source and repair ports would. Nothing flows back.
 *
 * Impairments are decided per datagram, in arrival order on each pair, from
 * that pair's own generator, so a run is reproducible for a given --seed and
 * input sequence regardless of timing:
 *   generator   xorshift64* (Vigna: x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
 *               out = x * 0x2545F4914F6CDD1D), state for pair i (from 0) =
 *               splitmix64(seed + (i + 1) * 0x9E3779B97F4A7C15), 1 if that is 0;
 *               u = (out >> 11) * 2^-53 in [0, 1).
 *   each datagram draws exactly three numbers: u_loss, u_dup, u_reorder
 *   (also when dropped), so changing one rate leaves the other decisions alone.
 *   loss        burst length N = 1: drop if u_loss < PCT/100. N > 1: while a
 *               burst is running, drop; else start one (drop this datagram and
 *               the next N-1) if u_loss < PCT/100/N.
 *   reorder     if u_reorder < PCT/100 and nothing is held, hold the datagram
 *               and send it right after the next forwarded one (reordered +1);
 *               if none comes within --hold-ms, send it anyway (not counted).
 *   duplicate   if u_dup < PCT/100 the datagram is sent twice in a row.
 * forwarded counts every datagram sent, duplicates included.
 *
 * The relay ends after --duration (default 60 s, always bounded), after
 * --max-packets datagrams were received in total, or on SIGINT/SIGTERM;
 * held datagrams are flushed, and the counters go to stderr as one line:
 * "received=R forwarded=F dropped=D reordered=O duplicated=U send_errors=E".
 * Only loopback addresses (127.0.0.0/8, ::1) are accepted. Plain POSIX
 * sockets and ppoll(); nothing here depends on rill.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ARG_PROG "udp_relay"
#include "arg_parse.h"

#define RELAY_MAX_PAIRS 8
#define RELAY_MAX_DATAGRAM 65536
#define RELAY_MAX_DURATION_S 86400.0

struct relay_stats {
  unsigned long long received;
  unsigned long long forwarded;
  unsigned long long dropped;
  unsigned long long reordered;
  unsigned long long duplicated;
  unsigned long long send_errors;
};

struct relay_pair {
  struct sockaddr_storage listen_addr;
  socklen_t listen_len;
  struct sockaddr_storage fwd_addr;
  socklen_t fwd_len;
  int listen_fd;
  int send_fd; /* borrowed from struct relay */
  uint64_t rng;
  long burst_left;
  unsigned char *held; /* owned, RELAY_MAX_DATAGRAM bytes */
  size_t held_len;
  int held_valid;
  int held_dup;
  int64_t held_deadline_ns;
  struct relay_stats st;
};

struct relay {
  struct relay_pair pair[RELAY_MAX_PAIRS];
  int npairs;
  int send_fd4; /* owned; -1 until needed */
  int send_fd6;
  double loss;      /* probabilities 0..1 */
  long burst;
  double reorder;
  double duplicate;
  uint64_t seed;
  double duration_s;
  unsigned long long max_packets; /* 0 = no limit */
  int64_t hold_ns;
  const char *port_file; /* borrowed from argv */
  int verbose;
};

static volatile sig_atomic_t g_stop_signal;

static void on_signal(int sig)
{
  g_stop_signal = sig;
}

static void usage(FILE *f)
{
  fprintf(f,
    "usage: udp_relay --listen ADDR:PORT --forward ADDR:PORT [options]\n"
    "Relay UDP datagrams on loopback with seeded loss, reordering and\n"
    "duplication. ADDR is 127.x.y.z or [::1]; PORT 0 on --listen picks a\n"
    "free port (see --port-file).\n"
    "\n"
    "      --listen ADDR:PORT   receive here; repeat with --forward for up to\n"
    "                           %d pairs (paired in order, one shared source)\n"
    "      --forward ADDR:PORT  send there, from the relay's own socket\n"
    "      --loss PCT           drop PCT %% of datagrams (default 0)\n"
    "      --burst-loss N       drop in runs of N datagrams, a run starting\n"
    "                           with probability PCT/N (default 1)\n"
    "      --reorder PCT        hold PCT %% of datagrams and send each after the\n"
    "                           next one (default 0)\n"
    "      --hold-ms MS         send a held datagram anyway after MS ms with\n"
    "                           nothing behind it (default 100)\n"
    "      --duplicate PCT      send PCT %% of datagrams twice (default 0)\n"
    "      --seed S             generator seed (default 1)\n"
    "      --duration SEC       stop after SEC seconds (default 60, max %.0f)\n"
    "      --max-packets N      stop after receiving N datagrams in total\n"
    "      --port-file FILE     write the listen ports, one per line, once bound\n"
    "  -v, --verbose            print the bound addresses\n"
    "  -h, --help               this text\n"
    "\n"
    "On exit (duration, max-packets, SIGINT/SIGTERM) prints to stderr:\n"
    "received=R forwarded=F dropped=D reordered=O duplicated=U send_errors=E\n"
    "(forwarded includes duplicates). Exit 0; 2 on usage errors; 1 on socket\n"
    "errors.\n",
    RELAY_MAX_PAIRS, RELAY_MAX_DURATION_S);
}

static int parse_ull(const char *opt, const char *text, unsigned long long min,
                     unsigned long long max, unsigned long long *out)
{
  char *end = NULL;
  errno = 0;
  if (text[0] < '0' || text[0] > '9') {
    fprintf(stderr, "udp_relay: %s: not a whole number: '%s'\n", opt, text);
    return -1;
  }
  unsigned long long v = strtoull(text, &end, 10);
  if (*end != '\0' || errno != 0) {
    fprintf(stderr, "udp_relay: %s: not a whole number: '%s'\n", opt, text);
    return -1;
  }
  if (v < min || v > max) {
    fprintf(stderr, "udp_relay: %s: %llu out of range %llu..%llu\n", opt, v, min, max);
    return -1;
  }
  *out = v;
  return 0;
}

/* "127.0.0.1:5000" or "[::1]:5000"; loopback only. */
static int parse_addr(const char *opt, const char *text, int allow_port0,
                      struct sockaddr_storage *ss, socklen_t *len)
{
  char host[64];
  const char *port_text = NULL;
  size_t hlen = 0;

  if (text[0] == '[') {
    const char *close = strchr(text, ']');
    if (close == NULL || close[1] != ':') {
      goto bad;
    }
    hlen = (size_t)(close - text - 1);
    if (hlen >= sizeof(host)) {
      goto bad;
    }
    memcpy(host, text + 1, hlen);
    port_text = close + 2;
  } else {
    const char *colon = strrchr(text, ':');
    if (colon == NULL || strchr(text, ':') != colon) {
      goto bad;
    }
    hlen = (size_t)(colon - text);
    if (hlen >= sizeof(host)) {
      goto bad;
    }
    memcpy(host, text, hlen);
    port_text = colon + 1;
  }
  host[hlen] = '\0';

  unsigned long long port = 0;
  if (parse_ull(opt, port_text, allow_port0 ? 0 : 1, 65535, &port) != 0) {
    return -1;
  }
  memset(ss, 0, sizeof(*ss));
  struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  if (text[0] != '[' && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
    if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127) {
      fprintf(stderr, "udp_relay: %s %s: only loopback addresses (127.0.0.0/8, [::1]) "
                      "are allowed\n", opt, text);
      return -1;
    }
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)port);
    *len = sizeof(*in4);
    return 0;
  }
  if (text[0] == '[' && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
    if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) {
      fprintf(stderr, "udp_relay: %s %s: only loopback addresses (127.0.0.0/8, [::1]) "
                      "are allowed\n", opt, text);
      return -1;
    }
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    *len = sizeof(*in6);
    return 0;
  }
bad:
  fprintf(stderr, "udp_relay: %s: expected 127.x.y.z:PORT or [::1]:PORT, got '%s'\n", opt,
          text);
  return -1;
}

static void format_addr(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
    port = ntohs(in4->sin_port);
    snprintf(buf, cap, "%s:%u", host, port);
  } else {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
    snprintf(buf, cap, "[%s]:%u", host, port);
  }
}

static uint64_t splitmix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return (double)((x * UINT64_C(0x2545F4914F6CDD1D)) >> 11) * (1.0 / 9007199254740992.0);
}

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int parse_args(int argc, char **argv, struct relay *r)
{
  enum {
    OPT_LISTEN = 256, OPT_FORWARD, OPT_LOSS, OPT_BURST, OPT_REORDER, OPT_HOLD,
    OPT_DUPLICATE, OPT_SEED, OPT_DURATION, OPT_MAX_PACKETS, OPT_PORT_FILE
  };
  static const struct option longopts[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"forward", required_argument, NULL, OPT_FORWARD},
    {"loss", required_argument, NULL, OPT_LOSS},
    {"burst-loss", required_argument, NULL, OPT_BURST},
    {"reorder", required_argument, NULL, OPT_REORDER},
    {"hold-ms", required_argument, NULL, OPT_HOLD},
    {"duplicate", required_argument, NULL, OPT_DUPLICATE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"max-packets", required_argument, NULL, OPT_MAX_PACKETS},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  int nlisten = 0;
  int nforward = 0;
  double pct = 0.0;
  unsigned long long v = 0;

  opterr = 0;
  for (;;) {
    int c = getopt_long(argc, argv, ":vh", longopts, NULL);
    if (c == -1) {
      break;
    }
    switch (c) {
    case OPT_LISTEN:
      if (nlisten == RELAY_MAX_PAIRS) {
        fprintf(stderr, "udp_relay: at most %d --listen\n", RELAY_MAX_PAIRS);
        return -1;
      }
      if (parse_addr("--listen", optarg, 1, &r->pair[nlisten].listen_addr,
                     &r->pair[nlisten].listen_len) != 0) {
        return -1;
      }
      nlisten++;
      break;
    case OPT_FORWARD:
      if (nforward == RELAY_MAX_PAIRS) {
        fprintf(stderr, "udp_relay: at most %d --forward\n", RELAY_MAX_PAIRS);
        return -1;
      }
      if (parse_addr("--forward", optarg, 0, &r->pair[nforward].fwd_addr,
                     &r->pair[nforward].fwd_len) != 0) {
        return -1;
      }
      nforward++;
      break;
    case OPT_LOSS:
      if (parse_double("--loss", optarg, 0.0, 100.0, &pct) != 0) {
        return -1;
      }
      r->loss = pct / 100.0;
      break;
    case OPT_BURST:
      if (parse_ull("--burst-loss", optarg, 1, 1000000, &v) != 0) {
        return -1;
      }
      r->burst = (long)v;
      break;
    case OPT_REORDER:
      if (parse_double("--reorder", optarg, 0.0, 100.0, &pct) != 0) {
        return -1;
      }
      r->reorder = pct / 100.0;
      break;
    case OPT_HOLD:
      if (parse_ull("--hold-ms", optarg, 1, 60000, &v) != 0) {
        return -1;
      }
      r->hold_ns = (int64_t)v * 1000000;
      break;
    case OPT_DUPLICATE:
      if (parse_double("--duplicate", optarg, 0.0, 100.0, &pct) != 0) {
        return -1;
      }
      r->duplicate = pct / 100.0;
      break;
    case OPT_SEED:
      if (parse_ull("--seed", optarg, 0, UINT64_MAX, &v) != 0) {
        return -1;
      }
      r->seed = (uint64_t)v;
      break;
    case OPT_DURATION:
      if (parse_double("--duration", optarg, 0.001, RELAY_MAX_DURATION_S, &r->duration_s) != 0) {
        return -1;
      }
      break;
    case OPT_MAX_PACKETS:
      if (parse_ull("--max-packets", optarg, 1, UINT64_MAX, &r->max_packets) != 0) {
        return -1;
      }
      break;
    case OPT_PORT_FILE:
      r->port_file = optarg;
      break;
    case 'v':
      r->verbose = 1;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    case ':':
      fprintf(stderr, "udp_relay: option %s needs a value (see --help)\n", argv[optind - 1]);
      return -1;
    default:
      fprintf(stderr, "udp_relay: unknown option '%s' (see --help)\n", argv[optind - 1]);
      return -1;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "udp_relay: unexpected argument '%s' (see --help)\n", argv[optind]);
    return -1;
  }
  if (nlisten == 0 || nlisten != nforward) {
    fprintf(stderr, "udp_relay: need one --forward for each --listen (got %d and %d; "
                    "see --help)\n", nlisten, nforward);
    return -1;
  }
  r->npairs = nlisten;
  return 0;
}

static int open_udp(const struct sockaddr_storage *addr, socklen_t len, const char *what)
{
  char text[96];
  int fd = socket(addr->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fprintf(stderr, "udp_relay: socket: %s\n", strerror(errno));
    return -1;
  }
  if (addr->ss_family == AF_INET6) {
    int one = 1;
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  int buf = 4 << 20;
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
  if (bind(fd, (const struct sockaddr *)addr, len) != 0) {
    format_addr(addr, text, sizeof(text));
    fprintf(stderr, "udp_relay: cannot bind %s %s: %s\n", what, text, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

static int write_port_file(const struct relay *r)
{
  char tmp[4096];
  if (snprintf(tmp, sizeof(tmp), "%s.tmp", r->port_file) >= (int)sizeof(tmp)) {
    fprintf(stderr, "udp_relay: --port-file name too long\n");
    return -1;
  }
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    fprintf(stderr, "udp_relay: cannot create %s: %s\n", tmp, strerror(errno));
    return -1;
  }
  for (int i = 0; i < r->npairs; i++) {
    const struct sockaddr_storage *ss = &r->pair[i].listen_addr;
    unsigned port = ss->ss_family == AF_INET
                        ? ntohs(((const struct sockaddr_in *)ss)->sin_port)
                        : ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    fprintf(f, "%u\n", port);
  }
  if (fclose(f) != 0 || rename(tmp, r->port_file) != 0) {
    fprintf(stderr, "udp_relay: cannot write %s: %s\n", r->port_file, strerror(errno));
    return -1;
  }
  return 0;
}

/* Sets up sockets; the ports of --listen ...:0 are read back into listen_addr. */
static int relay_open(struct relay *r)
{
  struct sockaddr_storage any;
  socklen_t len = 0;
  char a[96];
  char b[96];

  for (int i = 0; i < r->npairs; i++) {
    struct relay_pair *p = &r->pair[i];
    p->listen_fd = open_udp(&p->listen_addr, p->listen_len, "--listen");
    if (p->listen_fd < 0) {
      return -1;
    }
    len = sizeof(p->listen_addr);
    if (getsockname(p->listen_fd, (struct sockaddr *)&p->listen_addr, &len) != 0) {
      fprintf(stderr, "udp_relay: getsockname: %s\n", strerror(errno));
      return -1;
    }
    p->listen_len = len;

    int *send_fd = p->fwd_addr.ss_family == AF_INET ? &r->send_fd4 : &r->send_fd6;
    if (*send_fd < 0) {
      memset(&any, 0, sizeof(any));
      if (p->fwd_addr.ss_family == AF_INET) {
        struct sockaddr_in *in4 = (struct sockaddr_in *)&any;
        in4->sin_family = AF_INET;
        in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*in4);
      } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&any;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        len = sizeof(*in6);
      }
      *send_fd = open_udp(&any, len, "send socket");
      if (*send_fd < 0) {
        return -1;
      }
    }
    p->send_fd = *send_fd;
    p->rng = splitmix64(r->seed + (uint64_t)(i + 1) * UINT64_C(0x9E3779B97F4A7C15));
    if (p->rng == 0) {
      p->rng = 1;
    }
    p->held = malloc(RELAY_MAX_DATAGRAM);
    if (p->held == NULL) {
      fprintf(stderr, "udp_relay: out of memory\n");
      return -1;
    }
    if (r->verbose) {
      format_addr(&p->listen_addr, a, sizeof(a));
      format_addr(&p->fwd_addr, b, sizeof(b));
      fprintf(stderr, "udp_relay: %s -> %s\n", a, b);
    }
  }
  if (r->port_file != NULL && write_port_file(r) != 0) {
    return -1;
  }
  return 0;
}

static void send_one(struct relay_pair *p, const unsigned char *buf, size_t len, int dup)
{
  for (int copy = 0; copy < (dup ? 2 : 1); copy++) {
    ssize_t n = sendto(p->send_fd, buf, len, 0, (const struct sockaddr *)&p->fwd_addr,
                       p->fwd_len);
    if (n < 0 || (size_t)n != len) {
      p->st.send_errors++;
      continue;
    }
    p->st.forwarded++;
    if (copy == 1) {
      p->st.duplicated++;
    }
  }
}

static void flush_held(struct relay_pair *p)
{
  if (p->held_valid) {
    p->held_valid = 0;
    send_one(p, p->held, p->held_len, p->held_dup);
  }
}

/* Applies the impairments to one received datagram (see the top comment). */
static void relay_datagram(struct relay *r, struct relay_pair *p, const unsigned char *buf,
                           size_t len, int64_t now)
{
  double u_loss = rng_unit(&p->rng);
  double u_dup = rng_unit(&p->rng);
  double u_reorder = rng_unit(&p->rng);
  int drop = 0;

  p->st.received++;
  if (p->burst_left > 0) {
    p->burst_left--;
    drop = 1;
  } else if (u_loss < r->loss / (double)r->burst) {
    p->burst_left = r->burst - 1;
    drop = 1;
  }
  if (drop) {
    p->st.dropped++;
    return;
  }
  int dup = u_dup < r->duplicate;
  if (p->held_valid) {
    send_one(p, buf, len, dup);
    p->st.reordered++;
    flush_held(p);
  } else if (u_reorder < r->reorder) {
    memcpy(p->held, buf, len);
    p->held_len = len;
    p->held_dup = dup;
    p->held_valid = 1;
    p->held_deadline_ns = now + r->hold_ns;
  } else {
    send_one(p, buf, len, dup);
  }
}

static unsigned long long total_received(const struct relay *r)
{
  unsigned long long n = 0;
  for (int i = 0; i < r->npairs; i++) {
    n += r->pair[i].st.received;
  }
  return n;
}

/* Returns 0 when done (time, count or signal), -1 on a socket error. */
static int relay_run(struct relay *r)
{
  static unsigned char buf[RELAY_MAX_DATAGRAM];
  struct pollfd pfd[RELAY_MAX_PAIRS];
  sigset_t block;
  sigset_t orig;
  int rc = 0;

  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigprocmask(SIG_BLOCK, &block, &orig);

  const int64_t end = now_ns() + (int64_t)llround(r->duration_s * 1e9);
  for (;;) {
    if (g_stop_signal != 0) {
      break;
    }
    if (r->max_packets > 0 && total_received(r) >= r->max_packets) {
      break;
    }
    int64_t now = now_ns();
    if (now >= end) {
      break;
    }
    int64_t wake = end;
    for (int i = 0; i < r->npairs; i++) {
      struct relay_pair *p = &r->pair[i];
      if (p->held_valid && p->held_deadline_ns <= now) {
        flush_held(p);
      }
      if (p->held_valid && p->held_deadline_ns < wake) {
        wake = p->held_deadline_ns;
      }
      pfd[i].fd = p->listen_fd;
      pfd[i].events = POLLIN;
      pfd[i].revents = 0;
    }
    int64_t wait = wake - now;
    struct timespec ts = {(time_t)(wait / 1000000000), (long)(wait % 1000000000)};
    /* Signals are delivered only inside ppoll, so a stop is never missed. */
    int n = ppoll(pfd, (nfds_t)r->npairs, &ts, &orig);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      fprintf(stderr, "udp_relay: poll: %s\n", strerror(errno));
      rc = -1;
      break;
    }
    for (int i = 0; i < r->npairs && n > 0; i++) {
      struct relay_pair *p = &r->pair[i];
      if (pfd[i].revents == 0) {
        continue;
      }
      /* A bounded batch per wake-up, so that the stop signal, the duration
       * and held datagrams are looked at even under a flood. */
      for (int batch = 0; batch < 64; batch++) {
        if (r->max_packets > 0 && total_received(r) >= r->max_packets) {
          break;
        }
        ssize_t len = recv(p->listen_fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
        if (len < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
          }
          if (errno == EINTR || errno == ECONNREFUSED) {
            continue;
          }
          fprintf(stderr, "udp_relay: recv: %s\n", strerror(errno));
          rc = -1;
          goto done;
        }
        if ((size_t)len > sizeof(buf)) {
          len = (ssize_t)sizeof(buf);
        }
        relay_datagram(r, p, buf, (size_t)len, now_ns());
      }
    }
  }
done:
  for (int i = 0; i < r->npairs; i++) {
    flush_held(&r->pair[i]);
  }
  sigprocmask(SIG_SETMASK, &orig, NULL);
  return rc;
}

static void print_stats(const struct relay *r)
{
  struct relay_stats t = {0};
  for (int i = 0; i < r->npairs; i++) {
    const struct relay_stats *s = &r->pair[i].st;
    if (r->npairs > 1) {
      fprintf(stderr,
              "pair=%d received=%llu forwarded=%llu dropped=%llu reordered=%llu "
              "duplicated=%llu send_errors=%llu\n",
              i, s->received, s->forwarded, s->dropped, s->reordered, s->duplicated,
              s->send_errors);
    }
    t.received += s->received;
    t.forwarded += s->forwarded;
    t.dropped += s->dropped;
    t.reordered += s->reordered;
    t.duplicated += s->duplicated;
    t.send_errors += s->send_errors;
  }
  fprintf(stderr,
          "received=%llu forwarded=%llu dropped=%llu reordered=%llu duplicated=%llu "
          "send_errors=%llu\n",
          t.received, t.forwarded, t.dropped, t.reordered, t.duplicated, t.send_errors);
}

int main(int argc, char **argv)
{
  struct relay r;
  int rc = 1;

  memset(&r, 0, sizeof(r));
  r.send_fd4 = -1;
  r.send_fd6 = -1;
  r.burst = 1;
  r.seed = 1;
  r.duration_s = 60.0;
  r.hold_ns = 100 * 1000000;
  for (int i = 0; i < RELAY_MAX_PAIRS; i++) {
    r.pair[i].listen_fd = -1;
    r.pair[i].send_fd = -1;
  }
  if (parse_args(argc, argv, &r) != 0) {
    return 2;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (relay_open(&r) != 0) {
    goto out;
  }
  if (relay_run(&r) == 0) {
    rc = 0;
  }
  print_stats(&r);

out:
  for (int i = 0; i < r.npairs; i++) {
    if (r.pair[i].listen_fd >= 0) {
      close(r.pair[i].listen_fd);
    }
    free(r.pair[i].held);
  }
  if (r.send_fd4 >= 0) {
    close(r.send_fd4);
  }
  if (r.send_fd6 >= 0) {
    close(r.send_fd6);
  }
  return rc;
}
