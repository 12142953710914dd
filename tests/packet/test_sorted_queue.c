#include "packet/sorted_queue.h"
#include "packet_factory.h"

static const struct rtp_encoding mono = {96, RTP_FMT_S16BE, 8000, 1};

static void squeue_orders_by_seq_across_wrap(void **state)
{
  struct packet_factory f;
  struct rill_sorted_queue q;
  uint16_t order[] = {65534, 1, 65535, 0, 2};
  uint16_t expect[] = {65534, 65535, 0, 1, 2};
  int i;
  (void)state;
  factory_init(&f, &mono);
  squeue_init(&q, 16);
  for (i = 0; i < 5; i++)
    assert_int_equal(squeue_insert(&q, factory_make(&f, order[i], order[i] * 10u, 10, NULL)),
                     SQUEUE_INSERTED);
  assert_int_equal(q.count, 5);
  assert_int_equal(squeue_tail(&q)->seq, 2);
  for (i = 0; i < 5; i++) {
    struct rill_packet *p = squeue_pop(&q);
    assert_int_equal(p->seq, expect[i]);
    packet_free(p);
  }
  assert_null(squeue_pop(&q));
  factory_deinit(&f);
}

static void squeue_refuses_duplicates_and_overflow(void **state)
{
  struct packet_factory f;
  struct rill_sorted_queue q;
  struct rill_packet *dup, *extra;
  (void)state;
  factory_init(&f, &mono);
  squeue_init(&q, 2);
  assert_int_equal(squeue_insert(&q, factory_make(&f, 5, 50, 10, NULL)), SQUEUE_INSERTED);
  dup = factory_make(&f, 5, 50, 10, NULL);
  assert_int_equal(squeue_insert(&q, dup), SQUEUE_DUPLICATE);
  packet_free(dup);
  assert_int_equal(squeue_insert(&q, factory_make(&f, 3, 30, 10, NULL)), SQUEUE_INSERTED);
  extra = factory_make(&f, 7, 70, 10, NULL);
  assert_int_equal(squeue_insert(&q, extra), SQUEUE_FULL);
  packet_free(extra);
  assert_int_equal(squeue_head(&q)->seq, 3);
  assert_int_equal(squeue_clear(&q), 2);
  assert_int_equal(q.count, 0);
  factory_deinit(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(squeue_orders_by_seq_across_wrap),
      cmocka_unit_test(squeue_refuses_duplicates_and_overflow),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
