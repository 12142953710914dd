/*
 * Admission of new senders: see admission.h.
 */
#include "pipeline/admission.h"

#include <string.h>

#include "core/clock.h"

size_t admission_probation_bytes(uint32_t probation_packets)
{
  return probation_packets > 1 ? sizeof(struct admission_probation) << ADMISSION_PROBATION_BITS
                               : 0;
}

void admission_init(struct admission *a, uint32_t creations_per_s, uint32_t probation_packets,
                    struct admission_probation *probation)
{
  memset(a, 0, sizeof(*a));
  a->creations_per_s = creations_per_s;
  a->probation_packets = probation ? probation_packets : 0;
  a->probation = probation;
  ratelimit_init(&a->create_limit, NS_PER_S, creations_per_s ? creations_per_s : 1);
}

bool admission_rate_allows(struct admission *a, int64_t now_ns)
{
  return a->creations_per_s == 0 || ratelimit_allow(&a->create_limit, now_ns, NULL);
}

bool admission_passes_probation(struct admission *a, uint32_t ssrc, uint16_t seq, int64_t now_ns)
{
  struct admission_probation *e;
  if (a->probation_packets <= 1)
    return false;
  e = &a->probation[(ssrc * 2654435761u) >> (32 - ADMISSION_PROBATION_BITS)];
  if (e->ssrc == ssrc && e->count > 0 && now_ns - e->seen_ns < NS_PER_S &&
      seq == (uint16_t)(e->seq + 1)) {
    e->count++;
  } else {
    e->ssrc = ssrc;
    e->count = 1;
  }
  e->seq = seq;
  e->seen_ns = now_ns;
  if (e->count < a->probation_packets)
    return false;
  e->count = 0;
  return true;
}

bool admission_is_unproven(uint64_t packets_received, int64_t last_packet_ns, int64_t now_ns)
{
  return packets_received <= 1 && now_ns - last_packet_ns > ADMISSION_UNPROVEN_QUIET_NS;
}

bool admission_reserve(struct admission *a, uint32_t slot, uint32_t ssrc, int64_t now_ns)
{
  size_t i;
  for (i = 0; i < ADMISSION_MAX_RESERVATIONS; i++) {
    struct admission_reservation *r = &a->reserved[i];
    if (r->until_ns == 0) {
      r->slot = slot;
      r->ssrc = ssrc;
      r->until_ns = now_ns + ADMISSION_RESERVE_NS;
      return true;
    }
  }
  return false;
}

bool admission_can_reserve(const struct admission *a)
{
  size_t i;
  for (i = 0; i < ADMISSION_MAX_RESERVATIONS; i++)
    if (a->reserved[i].until_ns == 0)
      return true;
  return false;
}

int32_t admission_reserved_for(const struct admission *a, uint32_t ssrc, int64_t now_ns)
{
  size_t i;
  for (i = 0; i < ADMISSION_MAX_RESERVATIONS; i++) {
    const struct admission_reservation *r = &a->reserved[i];
    if (r->until_ns > now_ns && r->ssrc == ssrc)
      return (int32_t)r->slot;
  }
  return -1;
}

bool admission_slot_reserved(const struct admission *a, uint32_t slot, int64_t now_ns)
{
  size_t i;
  for (i = 0; i < ADMISSION_MAX_RESERVATIONS; i++) {
    const struct admission_reservation *r = &a->reserved[i];
    if (r->until_ns > now_ns && r->slot == slot)
      return true;
  }
  return false;
}

void admission_release(struct admission *a, uint32_t slot)
{
  size_t i;
  for (i = 0; i < ADMISSION_MAX_RESERVATIONS; i++)
    if (a->reserved[i].until_ns != 0 && a->reserved[i].slot == slot)
      a->reserved[i].until_ns = 0;
}

void admission_expire(struct admission *a, int64_t now_ns, void (*expired)(void *user, uint32_t slot),
                      void *user)
{
  size_t i;
  for (i = 0; i < ADMISSION_MAX_RESERVATIONS; i++) {
    struct admission_reservation *r = &a->reserved[i];
    if (r->until_ns != 0 && r->until_ns <= now_ns) {
      r->until_ns = 0;
      if (expired)
        expired(user, r->slot);
    }
  }
}
