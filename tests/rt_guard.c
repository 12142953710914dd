/*
 * Real-time guard: see rt_guard.h. One guarded thread at a time.
 */

#include "rt_guard.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RT_GUARD_NO_MALLOC_HOOK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define RT_GUARD_NO_MALLOC_HOOK 1
#endif
#endif

static atomic_int listener_fd = -1;
static atomic_bool armed;
static atomic_uint_least64_t syscalls;
static atomic_int nrs[RT_GUARD_MAX_NRS];
static pthread_t supervisor;
static bool supervisor_running;

static _Thread_local bool armed_here;
static atomic_uint_least64_t allocations;

/* The supervisor takes no lock the guarded thread could hold (no stdio, no
 * malloc): it only counts and answers. */
static void *supervise(void *arg)
{
  int fd;
  (void)arg;
  while ((fd = atomic_load(&listener_fd)) < 0) {
    if (fd == -2)
      return NULL; /* install failed */
    sched_yield();
  }
  for (;;) {
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    memset(&req, 0, sizeof(req));
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
      if (errno == EINTR)
        continue;
      return NULL; /* ENOENT: the guarded thread is gone */
    }
    if (atomic_load(&armed)) {
      uint64_t n = atomic_fetch_add(&syscalls, 1);
      if (n < RT_GUARD_MAX_NRS)
        atomic_store(&nrs[n], req.data.nr);
    }
    memset(&resp, 0, sizeof(resp));
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    (void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
}

int rt_guard_install(char *err, size_t err_cap)
{
  struct sock_filter filter[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)};
  struct sock_fprog prog = {1, filter};
  int fd;
  atomic_store(&listener_fd, -1);
  atomic_store(&syscalls, 0);
  atomic_store(&allocations, 0);
  /* The supervisor must exist before the filter: from then on every call of
   * this thread (pthread_create's included) waits for it. */
  if (pthread_create(&supervisor, NULL, supervise, NULL) != 0) {
    snprintf(err, err_cap, "cannot start the supervisor thread");
    return -1;
  }
  supervisor_running = true;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    snprintf(err, err_cap, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
    goto fail;
  }
  fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0) {
    snprintf(err, err_cap, "seccomp user notification unavailable: %s", strerror(errno));
    goto fail;
  }
  atomic_store(&listener_fd, fd);
  return 0;

fail:
  atomic_store(&listener_fd, -2);
  pthread_join(supervisor, NULL);
  supervisor_running = false;
  return -1;
}

void rt_guard_arm(void)
{
  armed_here = true;
  atomic_store(&armed, true);
}

void rt_guard_disarm(void)
{
  atomic_store(&armed, false);
  armed_here = false;
}

void rt_guard_finish(void)
{
  int fd = atomic_load(&listener_fd);
  if (supervisor_running)
    pthread_join(supervisor, NULL);
  supervisor_running = false;
  if (fd >= 0)
    close(fd);
  atomic_store(&listener_fd, -1);
}

void rt_guard_counts(struct rt_guard_counts *out)
{
  int i;
  memset(out, 0, sizeof(*out));
  out->syscalls = atomic_load(&syscalls);
  for (i = 0; i < RT_GUARD_MAX_NRS; i++)
    out->nrs[i] = (uint64_t)i < out->syscalls ? atomic_load(&nrs[i]) : -1;
  out->allocations = atomic_load(&allocations);
}

bool rt_guard_counts_allocations(void)
{
#ifdef RT_GUARD_NO_MALLOC_HOOK
  return false;
#else
  return true;
#endif
}

static const char *syscall_name(int nr)
{
  switch (nr) {
  case SYS_write: return "write";
  case SYS_read: return "read";
  case SYS_futex: return "futex";
  case SYS_mmap: return "mmap";
  case SYS_munmap: return "munmap";
  case SYS_madvise: return "madvise";
  case SYS_brk: return "brk";
  case SYS_sendto: return "sendto";
  case SYS_sendmsg: return "sendmsg";
  case SYS_recvmsg: return "recvmsg";
  case SYS_clock_nanosleep: return "clock_nanosleep";
  case SYS_nanosleep: return "nanosleep";
  case SYS_sched_yield: return "sched_yield";
  case SYS_getrandom: return "getrandom";
  case SYS_clock_gettime: return "clock_gettime";
  case SYS_epoll_wait: return "epoll_wait";
  default: return NULL;
  }
}

const char *rt_guard_describe(const struct rt_guard_counts *c, char *buf, size_t cap)
{
  size_t used = 0;
  int i;
  buf[0] = '\0';
  for (i = 0; i < RT_GUARD_MAX_NRS && c->nrs[i] >= 0 && used < cap; i++) {
    const char *name = syscall_name(c->nrs[i]);
    int n = name ? snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", name)
                 : snprintf(buf + used, cap - used, "%snr %d", i ? ", " : "", c->nrs[i]);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  return buf;
}

#ifndef RT_GUARD_NO_MALLOC_HOOK
/* glibc's allocator under its internal names; these wrappers replace the
 * public ones for the whole test program. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static void count_allocation(void)
{
  if (armed_here)
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
}

void *malloc(size_t n)
{
  count_allocation();
  return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
  count_allocation();
  return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
  count_allocation();
  return __libc_realloc(p, n);
}

void free(void *p)
{
  if (p)
    count_allocation();
  __libc_free(p);
}

void *memalign(size_t align, size_t n)
{
  count_allocation();
  return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
  count_allocation();
  return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
  void *p;
  count_allocation();
  if (align < sizeof(void *) || (align & (align - 1)) != 0)
    return EINVAL;
  p = __libc_memalign(align, n);
  if (!p && n)
    return ENOMEM;
  *out = p;
  return 0;
}
#endif
