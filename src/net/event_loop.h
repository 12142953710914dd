/*
 * Event loop: one network thread per context running a libuv loop.
 *
 * libuv handles may be touched only from the loop thread, so the control
 * role hands work over with evloop_call, which runs a function on the loop
 * thread and waits for its result. The loop keeps running while it has
 * handles or calls; evloop_stop ends it.
 */
#ifndef RILL_NET_EVENT_LOOP_H
#define RILL_NET_EVENT_LOOP_H

#include <stdbool.h>
#include <uv.h>

#include "core/list.h"

struct rill_event_loop {
  uv_loop_t loop;
  uv_thread_t thread;
  uv_async_t wake;          /* runs queued calls */
  uv_mutex_t lock;          /* guards calls and their results */
  uv_cond_t done;           /* signalled when a call completes */
  struct rill_list calls;   /* pending struct evloop_call_req, borrowed from callers */
  bool running;
};

/* A function run on the loop thread; its result is returned by evloop_call. */
typedef int (*rill_evloop_fn)(void *arg);

/*
 * Initialise the loop and start its thread. Returns RILL_OK or
 * RILL_ENETWORK / RILL_ENOMEM. Thread role: control.
 */
int evloop_start(struct rill_event_loop *el);

/*
 * Stop the thread after closing every handle still open on the loop (their
 * owners must have released them already), and free the loop's resources.
 * Thread role: control.
 */
void evloop_stop(struct rill_event_loop *el);

/*
 * Run fn(arg) on the loop thread and return its result; runs inline when
 * called on the loop thread. Thread role: control or network.
 */
int evloop_call(struct rill_event_loop *el, rill_evloop_fn fn, void *arg);

/* True on the loop thread. Thread role: any. */
bool evloop_on_loop_thread(struct rill_event_loop *el);

#endif /* RILL_NET_EVENT_LOOP_H */
