/*
 * Event loop thread. Calls from other threads are queued under a mutex (the
 * control role may block; the network thread holds the lock only to move the
 * queue) and run from an async handle. The real-time role never comes here.
 */
#include "net/event_loop.h"

#include <rill/status.h>

struct evloop_call_req {
  struct rill_list link;
  rill_evloop_fn fn;
  void *arg;
  int result;
  bool finished;
};

static void run_calls(uv_async_t *handle)
{
  struct rill_event_loop *el = handle->data;
  struct rill_list pending;

  list_init(&pending);
  uv_mutex_lock(&el->lock);
  while (!list_empty(&el->calls)) {
    struct rill_list *node = list_head(&el->calls);
    list_remove(node);
    list_insert_tail(&pending, node);
  }
  uv_mutex_unlock(&el->lock);

  while (!list_empty(&pending)) {
    struct rill_list *node = list_head(&pending);
    struct evloop_call_req *req = RILL_CONTAINER_OF(node, struct evloop_call_req, link);
    int result;
    list_remove(node);
    result = req->fn(req->arg);
    uv_mutex_lock(&el->lock);
    req->result = result;
    req->finished = true;
    uv_cond_broadcast(&el->done);
    uv_mutex_unlock(&el->lock);
  }
}

static void loop_main(void *arg)
{
  struct rill_event_loop *el = arg;
  uv_run(&el->loop, UV_RUN_DEFAULT);
}

int evloop_start(struct rill_event_loop *el)
{
  list_init(&el->calls);
  el->running = false;
  if (uv_loop_init(&el->loop) != 0)
    return RILL_ENETWORK;
  if (uv_mutex_init(&el->lock) != 0)
    goto err_loop;
  if (uv_cond_init(&el->done) != 0)
    goto err_mutex;
  if (uv_async_init(&el->loop, &el->wake, run_calls) != 0)
    goto err_cond;
  el->wake.data = el;
  if (uv_thread_create(&el->thread, loop_main, el) != 0)
    goto err_async;
  el->running = true;
  return RILL_OK;

err_async:
  uv_close((uv_handle_t *)&el->wake, NULL);
  uv_run(&el->loop, UV_RUN_DEFAULT);
err_cond:
  uv_cond_destroy(&el->done);
err_mutex:
  uv_mutex_destroy(&el->lock);
err_loop:
  uv_loop_close(&el->loop);
  return RILL_ENETWORK;
}

bool evloop_on_loop_thread(struct rill_event_loop *el)
{
  uv_thread_t self = uv_thread_self();
  return el->running && uv_thread_equal(&self, &el->thread);
}

int evloop_call(struct rill_event_loop *el, rill_evloop_fn fn, void *arg)
{
  struct evloop_call_req req;
  if (evloop_on_loop_thread(el))
    return fn(arg);
  req.fn = fn;
  req.arg = arg;
  req.result = RILL_OK;
  req.finished = false;
  uv_mutex_lock(&el->lock);
  list_insert_tail(&el->calls, &req.link);
  uv_mutex_unlock(&el->lock);
  uv_async_send(&el->wake);
  uv_mutex_lock(&el->lock);
  while (!req.finished)
    uv_cond_wait(&el->done, &el->lock);
  uv_mutex_unlock(&el->lock);
  return req.result;
}

static void close_any(uv_handle_t *handle, void *arg)
{
  (void)arg;
  if (!uv_is_closing(handle))
    uv_close(handle, NULL);
}

static int close_all(void *arg)
{
  struct rill_event_loop *el = arg;
  uv_walk(&el->loop, close_any, NULL);
  return RILL_OK;
}

void evloop_stop(struct rill_event_loop *el)
{
  if (!el->running)
    return;
  /* Close every handle (the wake handle included) on the loop thread; the
   * loop then runs out of handles and uv_run returns. */
  evloop_call(el, close_all, el);
  uv_thread_join(&el->thread);
  el->running = false;
  uv_loop_close(&el->loop);
  uv_cond_destroy(&el->done);
  uv_mutex_destroy(&el->lock);
}
