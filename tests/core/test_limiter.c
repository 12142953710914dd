#include <pthread.h>
#include <rill/status.h>

#include "core/limiter.h"
#include "test_util.h"

static size_t used(const struct rill_limiter *l)
{
  return atomic_load(&l->used_bytes);
}

static void limiter_budget_zero_is_rejected(void **state)
{
  struct rill_limiter l;
  (void)state;
  assert_int_equal(limiter_init(&l, NULL, 0, "zero"), RILL_EINVAL);
  assert_int_equal(limiter_init(&l, NULL, LIMITER_UNLIMITED, "unlimited"), RILL_OK);
  assert_true(limiter_acquire(&l, SIZE_MAX / 2));
  assert_true(limiter_acquire(&l, SIZE_MAX / 2));
  assert_false(limiter_acquire(&l, 2));
}

static void limiter_accounts_exactly_and_tracks_peak(void **state)
{
  struct rill_limiter l;
  struct rill_limiter_stats st;
  (void)state;
  assert_int_equal(limiter_init(&l, NULL, 1000, "root"), RILL_OK);
  assert_true(limiter_acquire(&l, 600));
  assert_true(limiter_acquire(&l, 400));
  assert_false(limiter_acquire(&l, 1));
  limiter_release(&l, 700);
  assert_true(limiter_acquire(&l, 100));
  limiter_stats(&l, &st);
  assert_int_equal(st.budget_bytes, 1000);
  assert_int_equal(st.used_bytes, 400);
  assert_int_equal(st.peak_bytes, 1000);
  assert_int_equal(st.refused, 1);
  limiter_reset_peak(&l);
  limiter_stats(&l, &st);
  assert_int_equal(st.peak_bytes, 400);
  assert_true(limiter_acquire(&l, 0));
}

static void limiter_nested_charge_enforces_every_level(void **state)
{
  struct rill_limiter global, socket, session;
  (void)state;
  assert_int_equal(limiter_init(&global, NULL, 1000, "global"), RILL_OK);
  assert_int_equal(limiter_init(&socket, &global, 300, "socket"), RILL_OK);
  assert_int_equal(limiter_init(&session, &global, 800, "session"), RILL_OK);

  /* The socket's own budget refuses first. */
  assert_true(limiter_acquire(&socket, 300));
  assert_false(limiter_acquire(&socket, 1));
  assert_int_equal(atomic_load(&socket.refused), 1);
  assert_int_equal(atomic_load(&global.refused), 0);

  /* Then the global one: session has room (800) but global has only 700 left. */
  assert_true(limiter_acquire(&session, 700));
  assert_false(limiter_acquire(&session, 50));
  assert_int_equal(atomic_load(&global.refused), 1);
  /* A refused charge leaves no trace on the lower level. */
  assert_int_equal(used(&session), 700);
  assert_int_equal(used(&global), 1000);

  limiter_release(&socket, 300);
  assert_int_equal(used(&global), 700);
  assert_true(limiter_acquire(&session, 50));
  assert_int_equal(used(&global), 750);
  assert_int_equal(used(&session), 750);
}

static void limiter_move_changes_only_levels_below_common_ancestor(void **state)
{
  struct rill_limiter global, socket, sessions, session;
  (void)state;
  assert_int_equal(limiter_init(&global, NULL, 1000, "global"), RILL_OK);
  assert_int_equal(limiter_init(&socket, &global, 500, "socket"), RILL_OK);
  assert_int_equal(limiter_init(&sessions, &global, 600, "sessions"), RILL_OK);
  assert_int_equal(limiter_init(&session, &sessions, 200, "session"), RILL_OK);
  assert_ptr_equal(limiter_common_ancestor(&socket, &session), &global);
  assert_ptr_equal(limiter_common_ancestor(&session, &sessions), &sessions);

  assert_true(limiter_acquire(&socket, 150));
  assert_int_equal(used(&global), 150);
  assert_true(limiter_move(&socket, &session, 150));
  assert_int_equal(used(&socket), 0);
  assert_int_equal(used(&session), 150);
  assert_int_equal(used(&sessions), 150);
  assert_int_equal(used(&global), 150);

  /* Refused by the session's budget: nothing changes anywhere. */
  assert_true(limiter_acquire(&socket, 100));
  assert_false(limiter_move(&socket, &session, 100));
  assert_int_equal(used(&socket), 100);
  assert_int_equal(used(&session), 150);
  assert_int_equal(used(&global), 250);

  /* The global level would be full, but a move does not touch it. */
  assert_true(limiter_acquire(&socket, 400));
  assert_true(limiter_acquire(&session, 50));
  assert_int_equal(used(&global), 700);
  limiter_release(&session, 200);
  assert_true(limiter_move(&socket, &session, 200));
  assert_int_equal(used(&global), 500);
  assert_int_equal(used(&session), 200);

  /* Moves from or to nowhere are plain acquire/release. */
  assert_true(limiter_move(NULL, &socket, 10));
  assert_int_equal(used(&global), 510);
  assert_true(limiter_move(&socket, NULL, 10));
  assert_int_equal(used(&global), 500);
}

struct hammer_arg {
  struct rill_limiter *lims[2];
  size_t chunk;
  size_t acquired;
};

static struct rill_limiter stress_global;
static atomic_int stress_violation;

static void *hammer(void *p)
{
  struct hammer_arg *a = p;
  size_t held[2] = {0, 0};
  int i;
  for (i = 0; i < RILL_STRESS_ITERATIONS; i++) {
    int which = i & 1;
    if (limiter_acquire(a->lims[which], a->chunk)) {
      held[which] += a->chunk;
      a->acquired++;
      if (atomic_load(&stress_global.used_bytes) > stress_global.budget_bytes)
        atomic_store(&stress_violation, 1);
    }
    if ((i % 3) == 2) {
      limiter_release(a->lims[0], held[0]);
      limiter_release(a->lims[1], held[1]);
      held[0] = held[1] = 0;
    }
  }
  limiter_release(a->lims[0], held[0]);
  limiter_release(a->lims[1], held[1]);
  return NULL;
}

static void limiter_concurrent_charges_never_overcommit(void **state)
{
  struct rill_limiter a, b, c;
  struct hammer_arg args[3];
  pthread_t th[3];
  int i;
  (void)state;
  /* Budgets chosen so that the threads constantly collide at the global level. */
  assert_int_equal(limiter_init(&stress_global, NULL, 1000, "global"), RILL_OK);
  assert_int_equal(limiter_init(&a, &stress_global, 600, "a"), RILL_OK);
  assert_int_equal(limiter_init(&b, &stress_global, 600, "b"), RILL_OK);
  assert_int_equal(limiter_init(&c, &stress_global, 600, "c"), RILL_OK);
  atomic_store(&stress_violation, 0);
  args[0] = (struct hammer_arg){{&a, &b}, 250, 0};
  args[1] = (struct hammer_arg){{&b, &c}, 170, 0};
  args[2] = (struct hammer_arg){{&c, &a}, 330, 0};
  for (i = 0; i < 3; i++)
    assert_int_equal(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
  for (i = 0; i < 3; i++)
    pthread_join(th[i], NULL);

  assert_int_equal(atomic_load(&stress_violation), 0);
  assert_true(atomic_load(&stress_global.peak_bytes) <= 1000);
  assert_true(atomic_load(&a.peak_bytes) <= 600);
  assert_true(atomic_load(&b.peak_bytes) <= 600);
  assert_true(atomic_load(&c.peak_bytes) <= 600);
  /* Everything released: exact accounting under contention. */
  assert_int_equal(used(&stress_global), 0);
  assert_int_equal(used(&a), 0);
  assert_int_equal(used(&b), 0);
  assert_int_equal(used(&c), 0);
  /* The stress really collided: some charges were refused, many succeeded. */
  assert_true(atomic_load(&stress_global.refused) + atomic_load(&a.refused) +
                  atomic_load(&b.refused) + atomic_load(&c.refused) >
              0);
  assert_true(args[0].acquired + args[1].acquired + args[2].acquired > RILL_STRESS_ITERATIONS);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(limiter_budget_zero_is_rejected),
      cmocka_unit_test(limiter_accounts_exactly_and_tracks_peak),
      cmocka_unit_test(limiter_nested_charge_enforces_every_level),
      cmocka_unit_test(limiter_move_changes_only_levels_below_common_ancestor),
      cmocka_unit_test(limiter_concurrent_charges_never_overcommit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
