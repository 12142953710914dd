/*
 * Fuzz target: FEC source and repair datagrams into a receiver with FEC.
 *
 * Each input makes a fresh context (1 MiB) and receiver (2 sessions, a
 * session budget of about 12 full-size packets) with FEC enabled, then
 * replays records:
 *
 *   [u8 scheme: bit 0 set = ldpc, else rs8m]
 *   then records [u16 big-endian header][datagram bytes]:
 *     header & 0x07ff  datagram length (cut to what is left of the input)
 *     header & 0x0800  arrives on the repair endpoint (else the source one)
 *     header & 0x1000  sent from the second of two source addresses
 *     header & 0x2000  before the datagram: advance the clock past the
 *                      session timeout and run the housekeeping
 *     header & 0x8000  after the datagram: the reader reads 256 frames
 *
 * so that source packets with hostile footers (k, ESI, SBN, length) and
 * repair packets with hostile headers reach the fec_reader, from a known
 * session's address or not. Seeds (make_fec_reader_seeds.py) are real roc
 * blocks from shared/vectors with losses, duplicates and hostile IDs.
 *
 * Invariants, checked with abort(): every output sample finite and in
 * [-1, 1]; the global limiter within its budget; at most max_sessions
 * sessions, each within its session budget; recovered packets never exceed
 * the repair packets received times k; after destroy, the context closes
 * (nothing left open).
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
#include "fec/payload_id.h"
#include "pipeline/context.h"
#include "pipeline/receiver.h"
#include "fuzz_check.h"


#define MAX_SESSIONS 2
#define BUDGET_BYTES ((size_t)1 << 20)
#define MAX_PACKET_BYTES 1500
#define SESSION_BUDGET_BYTES ((size_t)28 << 10)
#define TIMEOUT_NS (200 * NS_PER_MS)
#define READ_FRAMES 256

static void check_state(struct rill_receiver *r)
{
  struct receiver_totals t;
  struct receiver_session_info info[MAX_SESSIONS + 1];
  struct rill_limiter_stats g, sock;
  size_t n = 0, i;
  receiver_stats(r, &t, info, MAX_SESSIONS + 1, &n);
  receiver_limiters(r, &g, &sock);
  CHECK(g.used_bytes <= g.budget_bytes && g.peak_bytes <= g.budget_bytes);
  CHECK(t.sessions <= MAX_SESSIONS && n <= MAX_SESSIONS);
  for (i = 0; i < n; i++)
    CHECK(info[i].memory_bytes <= SESSION_BUDGET_BYTES);
  CHECK(t.fec_recovered <= t.fec_repair_received * 255);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct rill_context_params cp = {BUDGET_BYTES, MAX_PACKET_BYTES, NULL};
  struct rill_receiver_params p;
  struct rill_context *ctx;
  struct rill_receiver *r;
  struct sockaddr_in src[2];
  static float out[READ_FRAMES * 2];
  int64_t now = NS_PER_S;
  size_t pos = 1, i;
  int scheme;

  if (size < 1)
    return 0;
  rill_log_set_level(RILL_LOG_ERROR);
  scheme = (data[0] & 1) ? FEC_SCHEME_LDPC : FEC_SCHEME_RS8M;
  memset(&p, 0, sizeof(p));
  p.rate_hz = 44100;
  p.channels = 2;
  p.target_latency_ns = 100 * NS_PER_MS;
  p.session_timeout_ns = TIMEOUT_NS;
  p.max_sessions = MAX_SESSIONS;
  p.session_budget_bytes = SESSION_BUDGET_BYTES;
  p.socket_budget_bytes = (size_t)64 << 10;
  p.max_queue_packets = 64;
  rtp_registry_init(&p.registry);
  if (context_create(&cp, &ctx) != RILL_OK)
    return 0;
  CHECK(receiver_create(ctx, &p, &r) == RILL_OK);
  CHECK(receiver_enable_fec(r, scheme) == RILL_OK);
  for (i = 0; i < 2; i++) {
    memset(&src[i], 0, sizeof(src[i]));
    src[i].sin_family = AF_INET;
    src[i].sin_port = htons((uint16_t)(40000 + i));
    src[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  while (pos + 2 <= size) {
    unsigned h = (unsigned)data[pos] << 8 | data[pos + 1];
    size_t len = h & 0x07ff;
    int status;
    pos += 2;
    if (len > size - pos)
      len = size - pos;
    if (h & 0x2000) {
      now += TIMEOUT_NS + NS_PER_MS;
      receiver_housekeep(r, now);
    }
    now += NS_PER_MS;
    status = receiver_inject_endpoint(r, (h & 0x0800) ? RECEIVER_IFACE_REPAIR
                                                     : RECEIVER_IFACE_SOURCE,
                                      data + pos, len, (struct sockaddr *)&src[(h >> 12) & 1],
                                      now);
    /* A datagram longer than the context's buffers is refused as such. */
    CHECK(status == RILL_OK || status == RILL_EBUDGET ||
          (status == RILL_EINVAL && len > MAX_PACKET_BYTES));
    pos += len;
    if (h & 0x8000) {
      receiver_read_at(r, out, READ_FRAMES, now);
      for (i = 0; i < READ_FRAMES * 2; i++)
        CHECK(isfinite(out[i]) && out[i] >= -1.0f && out[i] <= 1.0f);
    }
    check_state(r);
  }
  receiver_read_at(r, out, READ_FRAMES, now);
  check_state(r);
  receiver_destroy(r);
  CHECK(context_destroy(ctx) == RILL_OK);
  return 0;
}
