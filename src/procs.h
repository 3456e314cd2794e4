/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procs.h - the supervisor's index of the sandbox's processes.
 *
 * Every process of the sandbox that the supervisor learns about is held by
 * a pidfd, so signals and accounting never reach a reused pid.  A process
 * enters the index when it is the root child, when it makes a notified
 * syscall, or when a scan of a tracked parent's children
 * (/proc/<pid>/task/<tid>/children) finds it.  Thread ids resolve to their
 * process (Tgid), with a small cache of thread pidfds.
 *
 * Creation accounting (max_processes) is conservative by construction: a
 * fork-like syscall the supervisor lets through is "pending" until a scan
 * of the parent's children finds the new child (the supervisor scans a
 * few milliseconds after the fork, at the parent's next fork and at its
 * exit_group), or, if the child is already gone, until a scan taken after
 * the creating thread left the syscall (its next notification).  A parent
 * that dies with a pending fork (killed by a signal) leaves a "ghost": the
 * orphan cannot be found by parentage any more, so it stays counted until
 * an unknown process of the sandbox shows up at a notification (that is
 * the orphan) or the sandbox ends.  So the count never undercounts.
 *
 * A process occupies a slot from its creation until it has exited and
 * been reaped (a zombie still holds a pid, as with cgroup pids.max).
 *
 * Not thread-safe by itself: the supervisor serialises access with its
 * lock (live control signals from other threads).
 */
#ifndef SL_PROCS_H
#define SL_PROCS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_pent {
	pid_t pid;	       /* thread-group id */
	int pidfd;	       /* -1 once reaped */
	int statm_fd;	       /* /proc/<pid>/statm, opened on first use */
	bool exited;	       /* pidfd became readable */
	uint64_t data_bytes;   /* last kernel-reported private data + stack */
	uint64_t shared_bytes; /* shared anonymous mappings charged */
	uint64_t brk_cur;      /* the break it last got (memlimit's guess) */
	uint64_t cpu_ns;       /* CPU time at the last throttle check */
};

struct sl_pending {
	pid_t parent, tid;
	bool complete; /* tid has left the syscall (made another one) */
};

struct sl_tidc {
	pid_t tid, tgid;
	int pidfd; /* thread pidfd: readable once the thread exits */
};

#define PROCS_TID_CACHE 32

struct sl_procs {
	struct sl_pent **v; /* stable pointers: entries never move */
	size_t n, cap;
	struct sl_pending *pend;
	size_t npend, cappend;
	uint32_t ghosts;
	struct sl_tidc tidc[PROCS_TID_CACHE];
	size_t tidc_next;
	/* hook: memory released when a process exits (memlimit) */
	uint64_t mem_total;
};

void procs_init(struct sl_procs *ps);
void procs_release(struct sl_procs *ps);

/* Adds the root child (pidfd is duplicated). */
int procs_add_root(struct sl_procs *ps, pid_t pid, int pidfd);

/* The process of a notifying thread, registering it if new.  Marks the
 * thread's pending forks complete.  NULL when it cannot be resolved (the
 * thread died meanwhile). */
struct sl_pent *procs_notifier(struct sl_procs *ps, pid_t tid);

/* Registers every child of p (all its threads' children lists) and drops
 * p's pending forks that are complete. */
void procs_scan(struct sl_procs *ps, struct sl_pent *p);

/* Scans every live process with pending forks (the supervisor calls it
 * shortly after a fork, so a child that never makes a notified syscall is
 * still tracked: signalled by live control, killed at the end). */
void procs_settle(struct sl_procs *ps);

/* Slots in use: unreaped tracked processes + pending forks + ghosts.
 * With reconcile, first drops reaped entries and scans parents with
 * complete pending forks (costly: only near the cap). */
size_t procs_count(struct sl_procs *ps, bool reconcile);

/* Records a fork let through for thread tid of process p. */
int procs_fork_pending(struct sl_procs *ps, struct sl_pent *p, pid_t tid);

/* Marks exited the processes whose pidfd is readable among pfd (as filled
 * by procs_pollfds); converts their pending forks into ghosts and takes
 * their memory out of mem_total. */
void procs_reap_events(struct sl_procs *ps, const struct pollfd *pfd, size_t n);

/* Fills pfd with the pidfds of live processes (at most max).  Returns the
 * number written. */
size_t procs_pollfds(const struct sl_procs *ps, struct pollfd *pfd, size_t max);

/* Sends sig to every live tracked process.  Returns how many. */
size_t procs_signal_all(const struct sl_procs *ps, int sig);

/* CPU time (us) the live tracked processes used since the previous call,
 * from the kernel's per-process CPU clocks (all threads). */
int64_t procs_cpu_used(struct sl_procs *ps);

/* Looks up a tracked, live process by pid (NULL if none). */
struct sl_pent *procs_find(struct sl_procs *ps, pid_t pid);

#endif
