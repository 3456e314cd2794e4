/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xproc.c - syscalls that name another process by pid.
 *
 * prlimit64, sched_setaffinity, sched_setscheduler, sched_setparam,
 * sched_setattr, setpriority/getpriority, ioprio_set, migrate_pages,
 * move_pages, get_robust_list, kcmp and pidfd_open act on any process the
 * caller's uid may touch (the sched_get* calls, ioprio_get, getpgid and
 * getsid read any process's settings, and tell whether it exists); Landlock's signal scope does not
 * cover them, so without this a sandboxed process could set RLIMIT_NOFILE of a host process to 1,
 * pin it to a CPU or lower its priority.
 *
 * The filter answers the common case in the kernel, at no cost: a call
 * naming the caller itself (pid 0, or "who" 0) runs as is, PRIO_USER and
 * IOPRIO_WHO_USER (every process of a uid) are refused with EPERM.  Any
 * other pid is notified here (filter.c), and allowed only when it names a
 * live process of the same sandbox (procs_member: the index, or a child
 * of a member the index has not found yet, by its kernel-reported
 * parent); else ESRCH, as if it did not exist (a pid namespace's answer).
 *
 * register-only, then CONTINUE: the decision reads only the pid register
 * and kernel facts.  The kernel looks the pid up again when the call
 * runs.  For it to name someone else by then, the member must have exited
 * AND been reaped AND the number been handed to a new process in the
 * microseconds between our answer and that lookup.  Pid numbers are
 * handed out cyclically (the allocator moves on from the last one given
 * and wraps only at pid_max), so this takes an outside process created at
 * exactly that moment with exactly that number; we also refuse a member
 * that has already exited (a zombie, the last state before reaping).
 * pidfd_open is emulated instead: the supervisor opens the pidfd, proves
 * it names the member (alive after the open), and injects it.
 *
 * capget(header, data) reads the capability sets of any pid the header
 * names (the kernel checks only that it exists).  The pid is in memory,
 * which another thread can rewrite after a check, so the call is
 * emulated: the header read once, its pid (0: the caller's own thread)
 * checked as above, the supervisor's capget of that thread on the copy,
 * the sets written back.  A NULL data pointer (a version query: the
 * kernel reads no pid then) is the kernel's, decided by the filter.
 *
 * setpgid is here too: the command stays in the host's session (so an
 * interactive shell keeps its terminal), where the kernel lets any process
 * join any group of the session, the host's included; inside that group,
 * "my own group" (setpriority(PRIO_PGRP, 0)) would be the host's.  A
 * process may only create its own group or join one led by a member.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "feature.h"
#include "mem.h"
#include "pidinfo.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#ifndef IOPRIO_WHO_PROCESS
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP	   2
#define IOPRIO_WHO_USER	   3
#endif

/* The kernel reads pid arguments as int. */
static pid_t pid_arg(const struct sl_ctx *c, int i)
{
	return (pid_t)(int32_t)(uint32_t)c->req->data.args[i];
}

/* A thread id the call names: 0 is the caller; else it must belong to a
 * live member.  0 or an errno. */
static int check_tid(struct sl_ctx *c, pid_t tid)
{
	if (tid == 0)
		return 0;
	if (tid < 0)
		return ESRCH;
	return procs_member(&c->sup->procs, tid) ? 0 : ESRCH;
}

/* A process group the call names (PRIO_PGRP, IOPRIO_WHO_PGRP): 0 is the
 * caller's; else one led by a live member (a group id is its creator's
 * pid; processes outside cannot join a group the sandbox made, unless
 * they choose to). */
static int check_pgrp(struct sl_ctx *c, pid_t pgid)
{
	if (pgid == 0)
		return 0;
	return pgid > 0 && procs_live(&c->sup->procs, pgid) ? 0 : ESRCH;
}

/* setpriority/getpriority(which, who), ioprio_set(which, who, prio). */
static int check_which_who(struct sl_ctx *c, bool ioprio)
{
	int which = (int)(uint32_t)c->req->data.args[0];
	pid_t who = pid_arg(c, 1);
	int process = ioprio ? IOPRIO_WHO_PROCESS : PRIO_PROCESS;
	int pgrp = ioprio ? IOPRIO_WHO_PGRP : PRIO_PGRP;
	int user = ioprio ? IOPRIO_WHO_USER : PRIO_USER;
	if (which == user)
		return EPERM; /* every process of a uid: never */
	if (which == process)
		return check_tid(c, who);
	if (which == pgrp)
		return check_pgrp(c, who);
	return 0; /* anything else is EINVAL from the kernel */
}

/* pidfd_open(pid, flags), emulated: our pidfd, proven to name a member,
 * injected (pidfds are close-on-exec). */
static void emulate_pidfd_open(struct sl_ctx *c, struct sl_action *a)
{
	pid_t pid = pid_arg(c, 0);
	unsigned int flags = (unsigned int)c->req->data.args[1];
	struct sl_pent *m = pid > 0 ? procs_member(&c->sup->procs, pid) : NULL;
	if (!m) {
		*a = sl_act_errno(pid > 0 ? ESRCH : EINVAL);
		return;
	}
	int fd = pidinfo_pidfd_open(pid, flags);
	if (fd < 0) {
		*a = sl_act_errno(-fd);
		return;
	}
	pid_t tgid = -1;
	/* it names a thread of m, and m was alive after the open */
	if (pidinfo_tgid(fd, -1, pid, &tgid) < 0 || tgid != m->pid || pidinfo_exited(m->pidfd)) {
		close(fd);
		*a = sl_act_errno(ESRCH);
		return;
	}
	*a = (struct sl_action){.kind = SL_ACT_INJECT_SEND, .fd = fd, .fd_flags = O_CLOEXEC};
}

/* The data words a capability version copies: 0 for a version the
 * kernel does not know. */
static unsigned cap_words(uint32_t version)
{
	if (version == _LINUX_CAPABILITY_VERSION_1)
		return _LINUX_CAPABILITY_U32S_1;
	if (version == _LINUX_CAPABILITY_VERSION_2 || version == _LINUX_CAPABILITY_VERSION_3)
		return _LINUX_CAPABILITY_U32S_3;
	return 0;
}

/* capget(header, data), data not NULL: as the kernel answers it, for a
 * member's thread only (see the top of this file).  0 or an errno. */
static int emulate_capget(struct sl_ctx *c)
{
	uint64_t hp = c->req->data.args[0], dp = c->req->data.args[1];
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (mem_read(&c->mem, hp, &h, sizeof(h)) < 0)
		return EFAULT;
	unsigned words = cap_words(h.version);
	if (!words) {
		/* the kernel writes back the version it prefers */
		uint32_t v = _LINUX_CAPABILITY_VERSION_3;
		return mem_write(&c->mem, hp, &v, sizeof(v)) < 0 ? EFAULT : EINVAL;
	}
	if (h.pid < 0)
		return EINVAL;
	pid_t tid = h.pid ? h.pid : (pid_t)c->req->pid;
	struct sl_pent *m = procs_member(&c->sup->procs, tid);
	if (!m)
		return ESRCH;
	h.pid = tid;
	if (syscall(SYS_capget, &h, d) < 0)
		return errno;
	/* the member alive after the read: tid still named its thread */
	if (pidinfo_exited(m->pidfd))
		return ESRCH;
	return mem_write(&c->mem, dp, d, words * sizeof(d[0])) < 0 ? EFAULT : 0;
}

/* setpgid(pid, pgid): pgid 0 or the target itself is a group of its own
 * (the filter lets pgid 0 run, but a user handler on setpgid brings every
 * call here); else pgid must be a member's group. */
static int check_setpgid(struct sl_ctx *c)
{
	pid_t pid = pid_arg(c, 0), pgid = pid_arg(c, 1);
	if (pid == 0)
		pid = c->proc->pid;
	if (pgid == 0 || pgid == pid)
		return 0;
	return pgid > 0 && procs_member(&c->sup->procs, pgid) ? 0 : EPERM;
}

static void on_pid(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	int err = 0;
	switch (c->req->data.nr) {
	case __NR_setpgid:
		err = check_setpgid(c);
		break;
	case __NR_pidfd_open:
		emulate_pidfd_open(c, a);
		return;
	case __NR_capget:
		/* a NULL data (a user handler on capget brings those here
		 * too) is a version query: the kernel reads no pid */
		if (!c->req->data.args[1])
			return;
		err = emulate_capget(c);
		*a = err ? sl_act_errno(err) : sl_act_return(0);
		return;
	case __NR_setpriority:
	case __NR_getpriority:
		err = check_which_who(c, false);
		break;
	case __NR_ioprio_set:
	case __NR_ioprio_get:
		err = check_which_who(c, true);
		break;
	case __NR_kcmp:
		err = check_tid(c, pid_arg(c, 0));
		if (!err)
			err = check_tid(c, pid_arg(c, 1));
		break;
	default: /* the pid is the first argument */
		err = check_tid(c, pid_arg(c, 0));
		break;
	}
	if (err)
		*a = sl_act_errno(err);
	/* else CONTINUE (see the top of this file for why that is safe) */
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_pid,
};

#define PID_SET(nr)                                                                                \
	{                                                                                          \
		{(nr), 1, {SL_ANE(0, 0)}}, H_on_pid                                                \
	}
/* which values: PRIO_PROCESS/PGRP = 0/1, IOPRIO_WHO_PROCESS/PGRP = 1/2;
 * who 0 is the caller (the user forms are refused by the filter) */
#define WHO_SET(nr, process, pgrp)                                                                 \
	{{(nr), 2, {SL_A32(0, process), SL_ANE(1, 0)}}, H_on_pid},                                 \
	{                                                                                          \
		{(nr), 2, {SL_A32(0, pgrp), SL_ANE(1, 0)}}, H_on_pid                               \
	}

/* The calls naming a pid other than the caller's (0). */
static const sl_hfn handlers[] = {
    [H_on_pid] = on_pid,
};

static const struct sl_frow xproc_rules[] = {
    PID_SET(__NR_prlimit64),
    PID_SET(__NR_sched_setaffinity),
    PID_SET(__NR_sched_setscheduler),
    PID_SET(__NR_sched_setparam),
    PID_SET(__NR_sched_setattr),
    PID_SET(__NR_migrate_pages),
    PID_SET(__NR_move_pages),
    PID_SET(__NR_get_robust_list),
    PID_SET(__NR_pidfd_open),
    /* reading another process's settings tells whether it exists */
    PID_SET(__NR_sched_getaffinity),
    PID_SET(__NR_sched_getscheduler),
    PID_SET(__NR_sched_getparam),
    PID_SET(__NR_sched_getattr),
    PID_SET(__NR_sched_rr_get_interval),
    PID_SET(__NR_getpgid),
    PID_SET(__NR_getsid),
    /* setpgid(pid, pgid): pgid 0 is "a group of its own" */
    {{__NR_setpgid, 1, {SL_ANE(1, 0)}}, H_on_pid},
    {{__NR_kcmp, 0, {{0}}}, H_on_pid},
    /* capget(header, data): the pid is in memory; a NULL data is a
     * version query, which reads no pid */
    {{__NR_capget, 1, {SL_ANE(1, 0)}}, H_on_pid},
    WHO_SET(__NR_setpriority, 0, 1),
    WHO_SET(__NR_getpriority, 0, 1),
    WHO_SET(__NR_ioprio_set, 1, 2),
    WHO_SET(__NR_ioprio_get, 1, 2),
};

/* Always on: no sandbox may touch a process outside it. */
const struct sl_feature feature_xproc = {
    .name = "cross-process calls",
    SL_FRULES(xproc_rules, handlers),
};
