/*
 * Idle gate: who owns the receiver's reader-side state (depacketizers,
 * sessions' playback fields). The reader holds it for the length of each
 * read; when nobody has read for the idle timeout, the network thread takes
 * it to drop everything and parks it IDLE; the next read takes it back.
 * One atomic word moved by CAS, so the two sides never work on that state
 * at once and neither ever waits for the other.
 *
 *   FREE --reader: read starts--> READING --read ends--> FREE
 *   FREE --network: idle timeout--> NET_OWNS --dropped all--> IDLE
 *   IDLE --reader: read starts--> READING (the network's idle watch sees it)
 *
 * Thread roles: _reader_* on the real-time reader, _net_* on the network
 * thread, idle_gate_is_idle anywhere.
 */
#ifndef RILL_PIPELINE_IDLE_GATE_H
#define RILL_PIPELINE_IDLE_GATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum idle_gate_state {
  IDLE_GATE_FREE,     /* nobody: the reader may take it, or the network thread to go idle */
  IDLE_GATE_READING,  /* the reader, during one read */
  IDLE_GATE_NET_OWNS, /* the network thread, while it drops everything to go idle */
  IDLE_GATE_IDLE,     /* nobody, idle: the next read takes it */
};

struct idle_gate {
  atomic_int state;                  /* enum idle_gate_state */
  atomic_int_least64_t last_read_ns; /* reader's clock at its last read (attempt) */
};

void idle_gate_init(struct idle_gate *g, int64_t now_ns);

/*
 * A read starts at `now_ns`: true if the reader now owns the state (from
 * FREE or IDLE); false while the network thread is dropping everything (the
 * read plays silence). Either way the read time is recorded.
 */
bool idle_gate_reader_enter(struct idle_gate *g, int64_t now_ns);

/* The read ends: back to FREE. */
void idle_gate_reader_leave(struct idle_gate *g);

/*
 * Network thread at `now_ns`: if nobody has read for more than `timeout_ns`
 * (> 0) and no read is in progress, take the state (true); the caller drops
 * everything, then calls idle_gate_net_park.
 */
bool idle_gate_net_try_take(struct idle_gate *g, int64_t now_ns, int64_t timeout_ns);

/* Network thread, after idle_gate_net_try_take: leave the state IDLE. */
void idle_gate_net_park(struct idle_gate *g);

/* True while parked (nobody has read since going idle). */
bool idle_gate_is_idle(struct idle_gate *g);

#endif /* RILL_PIPELINE_IDLE_GATE_H */
