/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawn.h - fork the child and take its seccomp listener (spec 8.3).
 */
#ifndef SL_SPAWN_H
#define SL_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plan.h"

struct sl_proc {
	pid_t pid;    /* also the process group id */
	int pidfd;    /* from clone(CLONE_PIDFD): immune to pid reuse */
	int listener; /* seccomp user-notification fd */
};

/* Clones the child described by p and waits until its filter is installed
 * and its listener received (the child is then parked at the release
 * gate, or already on its way to exec when the plan is not gated).  On success the child-side fds
 * of p are closed and proc is filled; the child waits for
 * spawn_release().  On failure the child is reaped and -errno returned
 * with a message naming the failed step. */
int spawn_child(struct sl_plan *p, struct sl_proc *proc);

/* clone() running fn(arg) on stack in the child, returning a pidfd, with
 * exit signal 0 (see spawn.c).  fn must only make async-signal-safe
 * calls. */
pid_t spawn_clone_fn(int (*fn)(void *), void *arg, void *stack, size_t size, bool share_vm,
		     int *pidfd);
/* Reaps the exited child of pidfd (EINTR retried).  0 or -1. */
int spawn_reap(int pidfd, siginfo_t *si);

/* Releases the parked child (writes the gate token, closes the gate). */
int spawn_release(int *gate_w);

#endif
