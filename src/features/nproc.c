/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nproc.c - max_processes (raw fork and vfork counted too).
 *
 * Register-only handlers: the decision reads the clone flags register and
 * the kernel's view of the sandbox's processes (pidfds, /proc children
 * lists), never the child's memory, so CONTINUE is safe.  Every way to
 * create a process is seen: clone, fork and vfork are notified, clone3 is
 * answered ENOSYS by the filter (libc falls back to clone).  A process is
 * counted from the creating call until it has exited and been reaped; the
 * accounting itself lives in procs.c.
 */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <linux/sched.h>
#include <sys/syscall.h>

#include "feature.h"
#include "policy.h"
#include "policyctx.h"
#include "registry.h"
#include "seccomp_uapi.h"

/* A thread is no process, but a task with a pid of its own: the sandbox
 * may hold this many times max_processes threads. */
#define NPROC_THREADS_PER_PROCESS 64

struct nproc_state {
	uint32_t max; /* max_processes */
};

/* clone, fork, vfork: count a new process, EAGAIN over the cap; a thread,
 * EAGAIN when the sandbox holds NPROC_THREADS_PER_PROCESS times the cap. */
static void on_fork(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const struct nproc_state *st = arg;
	const struct seccomp_notif *req = c->req;
	/* a policy callback may have lowered it (restrict_max_processes) */
	uint32_t max = policyctx_max_processes(c->sup, st->max);
	if (req->data.nr == __NR_clone) {
		uint64_t flags = req->data.args[0];
		/* a thread is no process, but a task with a pid of its own */
		if (flags & CLONE_THREAD) {
			uint64_t tmax = (uint64_t)max * NPROC_THREADS_PER_PROCESS;
			if (!procs_thread_room(&c->sup->procs, c->proc, tmax))
				*a = sl_act_errno(EAGAIN);
			return;
		}
		/* CLONE_PARENT would make the new process a child of our
		 * parent, out of the sandbox's parentage (and a child of the
		 * host when the caller is the root). */
		if (flags & CLONE_PARENT) {
			*a = sl_act_errno(EPERM);
			return;
		}
		/* an exit signal SIGCONT would resume its stopped parent
		 * behind the CPU throttle's or a pause's back */
		if ((flags & CSIGNAL) == SIGCONT) {
			*a = sl_act_errno(EPERM);
			return;
		}
	}
	struct sl_procs *ps = &c->sup->procs;
	procs_scan(ps, c->proc); /* settle this process's earlier forks */
	if (procs_count(ps, false) >= max && procs_count(ps, true) >= max) {
		char target[48], rule[80];
		snprintf(target, sizeof(target), "process %u", max + 1);
		snprintf(rule, sizeof(rule), "max_processes %u (%s)", max,
			 max < st->max ? "policy_fn: restrict_max_processes"
				       : "-P, --max-processes");
		supervisor_denied(c, EAGAIN, target, rule);
		*a = sl_act_errno(EAGAIN);
		return;
	}
	/* a process the supervisor could not hold (out of fds) would be
	 * neither counted for sure, nor throttled, nor paused */
	if (!procs_can_hold(ps)) {
		*a = sl_act_errno(EAGAIN);
		return;
	}
	c->fork_commit = true; /* counted if the chain lets it run */
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_fork,
};

static const sl_hfn handlers[] = {
    [H_on_fork] = on_fork,
};

static const struct sl_frow nproc_rules[] = {
    {{__NR_clone, 0, {{0}}}, H_on_fork},
    {{__NR_fork, 0, {{0}}}, H_on_fork},
    {{__NR_vfork, 0, {{0}}}, H_on_fork},
};

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)s;
	(void)proc_off;
	((struct nproc_state *)state)->max = env->policy->max_processes;
	return 0;
}

/* max_processes: always on (the default cap applies to every sandbox). */
const struct sl_feature feature_nproc = {
    .name = "max_processes",
    SL_FRULES(nproc_rules, handlers),
    .state_size = sizeof(struct nproc_state),
    .init = init,
};
