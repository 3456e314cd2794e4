/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawn.h - start the sandbox: the keeper (keeper.h), which clones the
 * child (child.h); take the child's listener and pidfd.
 */
#ifndef SL_SPAWN_H
#define SL_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plan.h"

struct sl_spawned {
	pid_t pid;	  /* the command; also its process group id */
	int pidfd;	  /* the command's, sent by itself: immune to pid reuse */
	int listener;	  /* seccomp user-notification fd */
	int keeper_pidfd; /* from clone(CLONE_PIDFD) */
	int quota_fd;	  /* max_disk: the root of the child's tmpfs holding the upper, or -1 */
};

/* Starts the keeper, which clones the child described by p, and closes
 * our copies of the child-side fds.  0 or -errno (nothing started).  The
 * child takes its ruleset from the status socket (spawn_send_ruleset). */
int spawn_start(struct sl_plan *p, struct sl_spawned *proc);
/* Puts the Landlock ruleset on the status socket for the child (the fd is
 * not closed): before spawn_start, or through spawn_confine.  0 or -errno
 * with a message. */
int spawn_send_ruleset(struct sl_plan *p, int ruleset_fd);
/* In the overlap (plan.h): gives the child, which waits for it, its
 * ruleset (consumed: closed on every path).  With ruleset_fd < 0
 * (planning failed, its message already set), or when it cannot be sent,
 * ends the sandbox instead and returns -errno.  0 on success. */
int spawn_confine(struct sl_plan *p, struct sl_spawned *proc, int ruleset_fd);
/* Waits until the child's filter is installed and its listener and pidfd
 * received (the child is then parked at the release gate, or already on
 * its way to exec when the plan is not gated); fills proc.  On failure
 * the sandbox is gone and -errno is returned with a message naming the
 * failed step. */
int spawn_ready(struct sl_plan *p, struct sl_spawned *proc);

/* Ends the sandbox: the keeper kills and reaps everything in it and exits;
 * reaps the keeper.  Fills si (si_code, si_status) with the command's
 * status and returns 0, or -1 when it is unknown (the keeper was killed
 * from outside on a kernel without PIDFD_INFO_EXIT). */
int spawn_finish(struct sl_plan *p, struct sl_spawned *proc, siginfo_t *si);

/* A fork-style clone() running fn(arg) on stack, returning a pidfd, with
 * exit signal 0 (the feature probes).  fn must only make
 * async-signal-safe calls. */
pid_t spawn_clone_fn(int (*fn)(void *), void *arg, void *stack, size_t size, int *pidfd);
/* Reaps the exited child of pidfd (EINTR retried).  0 or -1. */
int spawn_reap(int pidfd, siginfo_t *si);

/* After the end: the errno of the child's failure after READY (its
 * step in *step: SL_STEP_EXEC, the command's exec), or
 * 0 when it exec'd (or nothing can be told). */
int spawn_late_error(struct sl_plan *p, int *step);

/* Releases the parked child (writes the gate token, closes the gate). */
int spawn_release(int *gate_w);

#endif
