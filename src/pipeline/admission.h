/*
 * Admission of new senders into a receiver's fixed session slots: pure
 * decisions with an injected clock, network thread only.
 *
 * - Creation rate limit: at most `creations_per_s` new sessions per second
 *   (a flood of fake senders cannot churn the slots faster).
 * - Probation (RFC 3550 A.1), when every slot is taken: a newcomer must
 *   send `probation_packets` packets in sequence, less than a second
 *   apart, before it may push out a session that never proved itself. The
 *   table is direct-mapped by SSRC (a fake evicts a candidate only by
 *   hashing to its entry, rarely with 4096 entries) and fixed in size.
 * - Unproven: a session with one packet and then nothing for 100 ms (a fake
 *   sender's, which uses a new SSRC per packet) may be pushed out.
 * - Reservations: the slot of a session pushed out is kept for the proven
 *   newcomer for a second, so that the flood does not take it back first.
 *   At most ADMISSION_MAX_RESERVATIONS at once.
 */
#ifndef RILL_PIPELINE_ADMISSION_H
#define RILL_PIPELINE_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"

#define ADMISSION_PROBATION_BITS 12 /* 4096 entries */
#define ADMISSION_MAX_RESERVATIONS 8
#define ADMISSION_RESERVE_NS INT64_C(1000000000)
#define ADMISSION_UNPROVEN_QUIET_NS INT64_C(100000000)

struct admission_probation {
  uint32_t ssrc;
  uint16_t seq;   /* last seq seen */
  uint16_t count; /* packets in sequence so far; 0: empty */
  int64_t seen_ns;
};

struct admission_reservation {
  uint32_t slot;
  uint32_t ssrc;
  int64_t until_ns; /* 0: unused */
};

struct admission {
  uint32_t creations_per_s;   /* 0: unlimited */
  uint32_t probation_packets; /* 0, 1: no probation (never push out) */
  struct rill_ratelimit create_limit;
  struct admission_probation *probation; /* borrowed: admission_probation_bytes(), or NULL */
  struct admission_reservation reserved[ADMISSION_MAX_RESERVATIONS];
};

/* Bytes of the probation table the caller provides (0 if no probation). */
size_t admission_probation_bytes(uint32_t probation_packets);

/* `probation` (zeroed, admission_probation_bytes long) is borrowed. */
void admission_init(struct admission *a, uint32_t creations_per_s, uint32_t probation_packets,
                    struct admission_probation *probation);

/* May a new session be created at `now_ns`? (consumes one creation if so) */
bool admission_rate_allows(struct admission *a, int64_t now_ns);

/*
 * Every slot is taken and packet (`ssrc`, `seq`) of an unknown sender came
 * at `now_ns`: true when this sender has now passed probation (and may push
 * out an unproven session); false while it is on probation or when
 * probation is off.
 */
bool admission_passes_probation(struct admission *a, uint32_t ssrc, uint16_t seq,
                                int64_t now_ns);

/* A session that received `packets_received` packets, the last at
 * `last_packet_ns`, never proved itself (by `now_ns`). */
bool admission_is_unproven(uint64_t packets_received, int64_t last_packet_ns, int64_t now_ns);

/* Keep `slot` for `ssrc` until now + ADMISSION_RESERVE_NS. False if every
 * reservation is in use (the slot is then not kept); call admission_expire
 * first so that expired ones are handed back. */
bool admission_reserve(struct admission *a, uint32_t slot, uint32_t ssrc, int64_t now_ns);

/* Is a reservation entry free (after admission_expire)? */
bool admission_can_reserve(const struct admission *a);

/* The slot reserved for `ssrc` (and still valid at `now_ns`), or -1. */
int32_t admission_reserved_for(const struct admission *a, uint32_t ssrc, int64_t now_ns);

/* Is `slot` kept for someone at `now_ns`? */
bool admission_slot_reserved(const struct admission *a, uint32_t slot, int64_t now_ns);

/* Forget the reservation of `slot` (taken, or the slot is not free). */
void admission_release(struct admission *a, uint32_t slot);

/*
 * Drop reservations expired at `now_ns`, calling `expired(user, slot)` for
 * each, so the caller can make the slot free for anyone.
 */
void admission_expire(struct admission *a, int64_t now_ns, void (*expired)(void *user, uint32_t slot),
                      void *user);

#endif /* RILL_PIPELINE_ADMISSION_H */
