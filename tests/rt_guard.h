/*
 * Real-time guard for tests: counts the system calls and heap allocations
 * that one thread makes while it is armed, so that a test can assert that
 * rill_receiver_read / rill_sender_write make none.
 *
 * System calls. rt_guard_install puts a seccomp filter on the calling
 * thread (only that thread: no TSYNC) that hands every system call to a
 * supervisor thread through a user-notification listener
 * (SECCOMP_RET_USER_NOTIF). The supervisor counts the calls made while the
 * thread is armed, remembers their numbers, and lets each one run
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE), so the thread behaves as usual, only
 * slower. The guarded thread is blocked in its call until the supervisor
 * has counted it, so the count is exact when the thread reads it. A filter
 * cannot be removed: the thread stays guarded (and slow) until it exits.
 * vDSO calls (clock_gettime) do not enter the kernel and are not counted.
 *
 * Allocations. The test program replaces malloc, calloc, realloc, free,
 * posix_memalign, aligned_alloc and memalign with wrappers around glibc's
 * own (__libc_malloc, ...) that count calls made by an armed thread. Under
 * AddressSanitizer or ThreadSanitizer, which replace malloc themselves, the
 * wrappers are left out and rt_guard_counts_allocations() is false.
 *
 * Thread role: install, arm, disarm and read the counts on the guarded
 * thread itself.
 */
#ifndef RILL_TESTS_RT_GUARD_H
#define RILL_TESTS_RT_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_GUARD_MAX_NRS 16

struct rt_guard_counts {
  uint64_t syscalls;              /* made while armed */
  int nrs[RT_GUARD_MAX_NRS];      /* the first ones' numbers (SYS_*) */
  uint64_t allocations;           /* malloc-family calls while armed (0 if not counted) */
};

/* Guard the calling thread. 0, or -1 with a reason in `err`. */
int rt_guard_install(char *err, size_t err_cap);

/* Start / stop counting (no system call, no allocation). */
void rt_guard_arm(void);
void rt_guard_disarm(void);

/* After the guarded thread has exited: stop the supervisor, close the
 * listener. Call from another thread. */
void rt_guard_finish(void);

/* Counts since install. */
void rt_guard_counts(struct rt_guard_counts *out);

/* Whether allocations are counted in this build (false under ASan/TSan). */
bool rt_guard_counts_allocations(void);

/* "write, futex" for the recorded numbers, into buf. */
const char *rt_guard_describe(const struct rt_guard_counts *c, char *buf, size_t cap);

#endif /* RILL_TESTS_RT_GUARD_H */
