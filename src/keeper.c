/* SPDX-License-Identifier: Apache-2.0 */
/* keeper.c - the subreaper between the host and the command (see keeper.h). */
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "child.h"
#include "plan.h"
#include "rawsys.h"

#define KSIGSET_SIZE 8 /* the kernel's sigset_t: 64 signals */
#define KEEPER_FAIL  127

static unsigned long ksig(int sig)
{
	return 1UL << (sig - 1);
}

/* Waits for a child (killed, or already a zombie): child pid, or any
 * when pid is 0; records the command's status. */
static void reap(struct sl_plan *p, pid_t pid)
{
	siginfo_t si;
	si.si_pid = 0;
	long r;
	while ((r = sl_sys5(SYS_waitid, pid ? P_PID : P_ALL, pid, &si, WEXITED | __WALL, NULL)) ==
	       -EINTR)
		;
	if (r == 0 && si.si_pid == p->keeper.child && si.si_pid) {
		p->keeper.status = si.si_status;
		p->keeper.code = si.si_code;
	}
}

struct pidlist {
	pid_t v[256];
	int n;
	bool more; /* the list had more than v holds */
};

/* Reads the kernel's list of our children (zombies included), keeping
 * up to 256; with kill, sends each SIGKILL.  Returns how many are listed,
 * or -errno when the list cannot be read. */
static int list_children(struct pidlist *l, bool kill)
{
	long fd =
	    sl_sys4(SYS_openat, AT_FDCWD, "/proc/thread-self/children", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	char buf[512];
	long r, cur = 0;
	bool digits = false;
	int killed = 0;
	l->n = 0;
	l->more = false;
	while ((r = sl_sys3(SYS_read, fd, buf, sizeof(buf))) > 0 || r == -EINTR) {
		for (long i = 0; i < r; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				cur = cur * 10 + (buf[i] - '0');
				digits = true;
				continue;
			}
			if (!digits)
				continue;
			/* our unreaped child: its pid cannot have been reused */
			if (kill)
				sl_sys2(SYS_kill, cur, SIGKILL);
			killed++;
			if (l->n < (int)(sizeof(l->v) / sizeof(l->v[0])))
				l->v[l->n++] = (pid_t)cur;
			else
				l->more = true;
			cur = 0;
			digits = false;
		}
	}
	sl_sys1(SYS_close, fd);
	return killed;
}

/* Reaps the orphans that have died, never the command: its status is
 * for the end, and an unreaped command keeps its pid (and process group
 * id) from being reused while the host may still name it.  (The exit
 * signal cannot tell them apart: exec resets the command's to SIGCHLD.) */
static void reap_orphans(const struct sl_plan *p)
{
	struct pidlist l;
	if (list_children(&l, false) < 0)
		return;
	for (int i = 0; i < l.n; i++) {
		siginfo_t si;
		if (l.v[i] != p->keeper.child)
			sl_sys5(SYS_waitid, P_PID, l.v[i], &si, WEXITED | WNOHANG | __WALL, NULL);
	}
}

/* The command has exited (a zombie we have not reaped).  SIGCHLD does
 * not say which child changed: several deaths merge into one signal. */
static bool command_gone(const struct sl_plan *p)
{
	siginfo_t si;
	si.si_pid = 0;
	return sl_sys5(SYS_waitid, P_PID, p->keeper.child, &si, WEXITED | WNOHANG | WNOWAIT,
		       NULL) == 0 &&
	       si.si_pid != 0;
}

/*
 * Kills and reaps everything below us.  Each round kills our current
 * children and reaps them; their own children are reparented to us when
 * they die and are killed in the next round.  Nothing new can start
 * meanwhile: a fork needs the supervisor's answer, which does not come
 * any more, and a killed process cannot fork.
 */
static void sweep(struct sl_plan *p)
{
	struct pidlist l = {.n = 0};
	int n;
	while ((n = list_children(&l, true)) > 0) {
		for (int i = 0; i < l.n; i++)
			reap(p, l.v[i]);
		if (l.more) /* reap the rest in any order: each was killed */
			for (int i = l.n; i < n; i++)
				reap(p, 0);
	}
	if (n < 0) {
		/* no /proc: at least the command itself */
		sl_sys2(SYS_kill, p->keeper.child, SIGKILL);
		reap(p, p->keeper.child);
	}
}

static int fail(const struct sl_plan *p, int step, long err)
{
	child_send(p->status_w, step, (int)-err, NULL, 0);
	return KEEPER_FAIL;
}

/* The kernel's struct sigaction layout for rt_sigaction. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

int keeper_main(void *arg)
{
	struct sl_plan *p = arg;
	long r = sl_sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGTERM);
	if (r < 0)
		return fail(p, SL_STEP_PDEATHSIG, r);
	if (sl_sys0(SYS_getppid) != p->parent_pid)
		return fail(p, SL_STEP_PARENT_GONE, -ESRCH);
	if ((r = sl_sys2(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1)) < 0)
		return fail(p, SL_STEP_SUBREAPER, r);
	p->keeper.self = (pid_t)sl_sys0(SYS_getpid);
	/* exit signal SIGCHLD (the low byte), as exec would set anyway */
	unsigned long flags = (p->share_vm ? CLONE_VM | CLONE_VFORK : 0) | SIGCHLD;
	long pid = sl_raw_clone(flags, (char *)p->stack + p->stack_size, NULL, child_main, p);
	if (pid < 0)
		return fail(p, SL_STEP_CLONE, pid);
	p->keeper.child = (pid_t)pid;
	/* Hold nothing of the host's: its pipes must see EOF. */
	sl_sys3(SYS_close_range, 0U, ~0U, 0U);
	/* The command kept the host's dispositions; ours must not auto-reap
	 * (an ignored SIGCHLD would) nor wake for every stop and continue
	 * of the CPU throttle. */
	struct ksigaction dfl = {.handler = SIG_DFL, .flags = SA_NOCLDSTOP};
	sl_sys4(SYS_rt_sigaction, SIGCHLD, &dfl, NULL, KSIGSET_SIZE);
	unsigned long set = ksig(SIGCHLD) | ksig(SIGTERM);
	for (;;) {
		siginfo_t si;
		long sig = sl_sys4(SYS_rt_sigtimedwait, &set, &si, NULL, KSIGSET_SIZE);
		/* the sandbox ends with its command: no need to wait for
		 * the supervisor to say so */
		if (sig == SIGTERM || (sig == SIGCHLD && command_gone(p)))
			break;
		if (sig == SIGCHLD)
			reap_orphans(p);
	}
	sweep(p);
	return 0;
}
