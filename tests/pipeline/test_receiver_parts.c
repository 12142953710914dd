/*
 * The receiver's parts on their own, with an injected clock: the session
 * table (lookups by SSRC and by source address, chains, free slots), the
 * admission rules (creation rate, probation, unproven sessions,
 * reservations), the idle gate's state machine and the watchdog.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "pipeline/admission.h"
#include "pipeline/idle_gate.h"
#include "pipeline/session_table.h"
#include "pipeline/watchdog.h"
#include "test_util.h"

/* ---- session table ---- */

static struct sockaddr_in addr4(uint32_t ip, uint16_t port)
{
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(ip);
  a.sin_port = htons(port);
  return a;
}

struct table_fixture {
  struct session_table t;
  void *mem;
};

static void table_open(struct table_fixture *f, uint32_t slots)
{
  size_t bytes = session_table_bytes(slots);
  assert_true(bytes > 0);
  f->mem = malloc(bytes);
  assert_non_null(f->mem);
  session_table_init(&f->t, f->mem, slots);
}

static void session_table_finds_every_session_by_ssrc_and_source(void **state)
{
  struct table_fixture f;
  uint32_t i;
  (void)state;
  table_open(&f, 1024);
  assert_int_equal(session_table_free_count(&f.t), 1024);
  /* 1024 sessions: SSRCs that collide in the low bits, sources on one host. */
  for (i = 0; i < 1024; i++) {
    struct sockaddr_in a = addr4(0x7f000001, (uint16_t)(10000 + i));
    int32_t slot = session_table_take_free(&f.t);
    assert_int_equal(slot, (int32_t)i); /* lowest first */
    session_table_link(&f.t, (uint32_t)slot, i << 20, (const struct sockaddr *)&a);
  }
  assert_int_equal(session_table_take_free(&f.t), -1);
  for (i = 0; i < 1024; i++) {
    struct sockaddr_in a = addr4(0x7f000001, (uint16_t)(10000 + i));
    assert_int_equal(session_table_find_ssrc(&f.t, i << 20), (int32_t)i);
    assert_int_equal(session_table_find_source(&f.t, (const struct sockaddr *)&a), (int32_t)i);
  }
  assert_int_equal(session_table_find_ssrc(&f.t, 12345), -1);
  {
    struct sockaddr_in other = addr4(0x7f000002, 10000);
    assert_int_equal(session_table_find_source(&f.t, (const struct sockaddr *)&other), -1);
  }
  /* Unlinking from the middle of chains keeps the others found. */
  for (i = 0; i < 1024; i += 3) {
    session_table_unlink(&f.t, i);
    session_table_unlink(&f.t, i); /* twice: nothing */
    session_table_put_free(&f.t, i);
  }
  for (i = 0; i < 1024; i++) {
    struct sockaddr_in a = addr4(0x7f000001, (uint16_t)(10000 + i));
    int32_t want = i % 3 == 0 ? -1 : (int32_t)i;
    assert_int_equal(session_table_find_ssrc(&f.t, i << 20), want);
    assert_int_equal(session_table_find_source(&f.t, (const struct sockaddr *)&a), want);
  }
  assert_int_equal(session_table_free_count(&f.t), 342);
  free(f.mem);
}

static void session_table_tells_ipv6_and_ipv4_sources_apart(void **state)
{
  struct table_fixture f;
  struct sockaddr_in6 six;
  struct sockaddr_in four = addr4(0x7f000001, 5000);
  (void)state;
  table_open(&f, 4);
  memset(&six, 0, sizeof(six));
  six.sin6_family = AF_INET6;
  six.sin6_port = htons(5000);
  six.sin6_addr.s6_addr[15] = 1; /* ::1 */
  session_table_link(&f.t, 0, 1, (const struct sockaddr *)&six);
  assert_int_equal(session_table_find_source(&f.t, (const struct sockaddr *)&four), -1);
  session_table_link(&f.t, 1, 2, (const struct sockaddr *)&four);
  assert_int_equal(session_table_find_source(&f.t, (const struct sockaddr *)&six), 0);
  assert_int_equal(session_table_find_source(&f.t, (const struct sockaddr *)&four), 1);
  /* Two sessions from one source (two SSRCs): the newest is found, then the
   * other once it is unlinked. */
  session_table_link(&f.t, 2, 3, (const struct sockaddr *)&four);
  assert_int_equal(session_table_find_source(&f.t, (const struct sockaddr *)&four), 2);
  session_table_unlink(&f.t, 2);
  assert_int_equal(session_table_find_source(&f.t, (const struct sockaddr *)&four), 1);
  free(f.mem);
}

/* ---- admission ---- */

static struct admission_probation probation_table[1 << ADMISSION_PROBATION_BITS];

static void admission_rate_limits_creations_per_second(void **state)
{
  struct admission a;
  int i, allowed = 0;
  (void)state;
  admission_init(&a, 20, 0, NULL);
  for (i = 0; i < 100; i++)
    allowed += admission_rate_allows(&a, 5 * NS_PER_S + i * NS_PER_MS);
  assert_int_equal(allowed, 20);
  assert_true(admission_rate_allows(&a, 6 * NS_PER_S + 1));
  admission_init(&a, 0, 0, NULL); /* unlimited */
  for (i = 0; i < 1000; i++)
    assert_true(admission_rate_allows(&a, 1));
}

static void admission_probation_needs_packets_in_sequence(void **state)
{
  struct admission a;
  int64_t t = 10 * NS_PER_S;
  (void)state;
  memset(probation_table, 0, sizeof(probation_table));
  admission_init(&a, 20, 3, probation_table);
  /* Three in sequence pass. */
  assert_false(admission_passes_probation(&a, 77, 100, t));
  assert_false(admission_passes_probation(&a, 77, 101, t + NS_PER_MS));
  assert_true(admission_passes_probation(&a, 77, 102, t + 2 * NS_PER_MS));
  /* Out of sequence starts over; so does a second of silence. */
  assert_false(admission_passes_probation(&a, 88, 5, t));
  assert_false(admission_passes_probation(&a, 88, 7, t));
  assert_false(admission_passes_probation(&a, 88, 8, t));
  assert_true(admission_passes_probation(&a, 88, 9, t));
  assert_false(admission_passes_probation(&a, 99, 65535, t));
  assert_false(admission_passes_probation(&a, 99, 0, t + 2 * NS_PER_S));
  assert_false(admission_passes_probation(&a, 99, 1, t + 2 * NS_PER_S));
  assert_true(admission_passes_probation(&a, 99, 2, t + 2 * NS_PER_S)); /* wraps */
  /* A flood of one-packet SSRCs never passes. */
  {
    uint32_t ssrc;
    for (ssrc = 1000; ssrc < 20000; ssrc++)
      assert_false(admission_passes_probation(&a, ssrc * 7919u, 1, t));
  }
  /* Off: never passes. */
  admission_init(&a, 20, 1, probation_table);
  assert_false(admission_passes_probation(&a, 77, 1, t));
  assert_false(admission_passes_probation(&a, 77, 2, t));
}

static void admission_unproven_is_one_packet_then_quiet(void **state)
{
  (void)state;
  assert_true(admission_is_unproven(1, 0, 101 * NS_PER_MS));
  assert_false(admission_is_unproven(1, 0, 100 * NS_PER_MS));
  assert_false(admission_is_unproven(2, 0, 10 * NS_PER_S));
}

static int expired_slots[16], expired_count;
static void note_expired(void *user, uint32_t slot)
{
  (void)user;
  expired_slots[expired_count++] = (int)slot;
}

static void admission_reservations_keep_slots_for_a_second(void **state)
{
  struct admission a;
  uint32_t i;
  (void)state;
  admission_init(&a, 20, 2, NULL);
  assert_true(admission_reserve(&a, 5, 0xabc, NS_PER_S));
  assert_int_equal(admission_reserved_for(&a, 0xabc, NS_PER_S + 1), 5);
  assert_int_equal(admission_reserved_for(&a, 0xdef, NS_PER_S + 1), -1);
  assert_true(admission_slot_reserved(&a, 5, 2 * NS_PER_S - 1));
  assert_false(admission_slot_reserved(&a, 5, 2 * NS_PER_S));
  assert_false(admission_slot_reserved(&a, 6, NS_PER_S));
  /* A bounded number at once. */
  for (i = 1; i < ADMISSION_MAX_RESERVATIONS; i++)
    assert_true(admission_reserve(&a, 10 + i, i, NS_PER_S));
  assert_false(admission_reserve(&a, 99, 99, NS_PER_S));
  /* Taken: released. */
  admission_release(&a, 5);
  assert_int_equal(admission_reserved_for(&a, 0xabc, NS_PER_S + 1), -1);
  /* Expired ones are handed back, each once. */
  expired_count = 0;
  admission_expire(&a, 2 * NS_PER_S, note_expired, NULL);
  assert_int_equal(expired_count, ADMISSION_MAX_RESERVATIONS - 1);
  admission_expire(&a, 3 * NS_PER_S, note_expired, NULL);
  assert_int_equal(expired_count, ADMISSION_MAX_RESERVATIONS - 1);
  assert_true(admission_reserve(&a, 99, 99, 3 * NS_PER_S));
}

/* ---- idle gate ---- */

static void idle_gate_moves_between_reader_and_network(void **state)
{
  struct idle_gate g;
  int64_t t = 100 * NS_PER_S;
  (void)state;
  idle_gate_init(&g, t);
  /* A read in progress: the network cannot take it. */
  assert_true(idle_gate_reader_enter(&g, t));
  assert_false(idle_gate_net_try_take(&g, t + 5 * NS_PER_S, NS_PER_S));
  idle_gate_reader_leave(&g);
  /* Read recently: not idle yet; timeout off: never. */
  assert_false(idle_gate_net_try_take(&g, t + NS_PER_S, NS_PER_S));
  assert_false(idle_gate_net_try_take(&g, t + 5 * NS_PER_S, 0));
  /* Nobody read for longer than the timeout: taken; a read meanwhile plays
   * silence (false) but is recorded. */
  assert_true(idle_gate_net_try_take(&g, t + NS_PER_S + 1, NS_PER_S));
  assert_false(idle_gate_is_idle(&g));
  assert_false(idle_gate_reader_enter(&g, t + 2 * NS_PER_S));
  idle_gate_net_park(&g);
  assert_true(idle_gate_is_idle(&g));
  /* The next read takes it back. */
  assert_true(idle_gate_reader_enter(&g, t + 3 * NS_PER_S));
  assert_false(idle_gate_is_idle(&g));
  idle_gate_reader_leave(&g);
  assert_false(idle_gate_net_try_take(&g, t + 3 * NS_PER_S + 10, NS_PER_S));
}

/* ---- watchdog ---- */

static void watchdog_ends_a_session_that_stops_playing(void **state)
{
  struct watchdog w;
  struct watchdog_params p = {2 * NS_PER_S, 0, 100 * NS_PER_MS};
  int64_t t = NS_PER_S;
  (void)state;
  watchdog_reset(&w);
  /* Priming: no audio yet, but within no_play + target. */
  assert_false(watchdog_check(&w, &p, false, 0, t));
  assert_false(watchdog_check(&w, &p, false, 0, t + 2100 * NS_PER_MS));
  assert_true(watchdog_check(&w, &p, false, 0, t + 2101 * NS_PER_MS));
  /* Playing, then silent for more than 2 s. */
  watchdog_reset(&w);
  assert_false(watchdog_check(&w, &p, true, 0, t));
  assert_false(watchdog_check(&w, &p, false, 0, t + 2 * NS_PER_S));
  assert_true(watchdog_check(&w, &p, false, 0, t + 2 * NS_PER_S + 1));
  /* Off. */
  p.no_play_timeout_ns = 0;
  watchdog_reset(&w);
  assert_false(watchdog_check(&w, &p, false, 0, t));
  assert_false(watchdog_check(&w, &p, false, 0, t + 100 * NS_PER_S));
}

static void watchdog_ends_a_session_choppy_for_too_long(void **state)
{
  struct watchdog w;
  struct watchdog_params p = {0, NS_PER_S, 100 * NS_PER_MS};
  int64_t t = NS_PER_S;
  uint64_t gaps = 0;
  int i;
  (void)state;
  watchdog_reset(&w);
  /* A gap in every 250 ms window: ends when that has lasted 1 s (the
   * fourth window closes 1 s after the first opened). */
  for (i = 0; i <= 3; i++) {
    gaps++;
    assert_false(watchdog_check(&w, &p, true, gaps, t + i * WATCHDOG_CHOPPY_WINDOW_NS));
  }
  gaps++;
  assert_true(watchdog_check(&w, &p, true, gaps, t + 4 * WATCHDOG_CHOPPY_WINDOW_NS));
  /* A clean window in between starts the count over. */
  watchdog_reset(&w);
  gaps = 0;
  for (i = 0; i < 40; i++) {
    if (i % 4 != 3)
      gaps++;
    assert_false(watchdog_check(&w, &p, true, gaps, t + i * WATCHDOG_CHOPPY_WINDOW_NS));
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(session_table_finds_every_session_by_ssrc_and_source),
      cmocka_unit_test(session_table_tells_ipv6_and_ipv4_sources_apart),
      cmocka_unit_test(admission_rate_limits_creations_per_second),
      cmocka_unit_test(admission_probation_needs_packets_in_sequence),
      cmocka_unit_test(admission_unproven_is_one_packet_then_quiet),
      cmocka_unit_test(admission_reservations_keep_slots_for_a_second),
      cmocka_unit_test(idle_gate_moves_between_reader_and_network),
      cmocka_unit_test(watchdog_ends_a_session_that_stops_playing),
      cmocka_unit_test(watchdog_ends_a_session_choppy_for_too_long),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
