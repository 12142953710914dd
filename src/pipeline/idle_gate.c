/*
 * Idle gate: see idle_gate.h.
 */
#include "pipeline/idle_gate.h"

void idle_gate_init(struct idle_gate *g, int64_t now_ns)
{
  atomic_init(&g->state, IDLE_GATE_FREE);
  atomic_init(&g->last_read_ns, now_ns);
}

bool idle_gate_reader_enter(struct idle_gate *g, int64_t now_ns)
{
  int expected = IDLE_GATE_FREE;
  atomic_store_explicit(&g->last_read_ns, now_ns, memory_order_relaxed);
  if (atomic_compare_exchange_strong(&g->state, &expected, IDLE_GATE_READING))
    return true;
  /* Back from idle: IDLE -> READING. NET_OWNS: the network is busy. */
  return expected == IDLE_GATE_IDLE &&
         atomic_compare_exchange_strong(&g->state, &expected, IDLE_GATE_READING);
}

void idle_gate_reader_leave(struct idle_gate *g)
{
  atomic_store_explicit(&g->state, IDLE_GATE_FREE, memory_order_release);
}

bool idle_gate_net_try_take(struct idle_gate *g, int64_t now_ns, int64_t timeout_ns)
{
  int expected = IDLE_GATE_FREE;
  int64_t quiet_ns = now_ns - atomic_load_explicit(&g->last_read_ns, memory_order_relaxed);
  if (timeout_ns <= 0 || quiet_ns <= timeout_ns)
    return false;
  /* Fails if a read is in progress: try again on the next tick. */
  return atomic_compare_exchange_strong(&g->state, &expected, IDLE_GATE_NET_OWNS);
}

void idle_gate_net_park(struct idle_gate *g)
{
  atomic_store_explicit(&g->state, IDLE_GATE_IDLE, memory_order_release);
}

bool idle_gate_is_idle(struct idle_gate *g)
{
  return atomic_load_explicit(&g->state, memory_order_acquire) == IDLE_GATE_IDLE;
}
