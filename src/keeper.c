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

/* Calls fn(p, pid) for each child in the kernel's list of ours (zombies
 * included), as the list is read (no bound on its length).  Returns how
 * many, with the pid of the last in *last, or -errno when the list cannot
 * be read. */
static int each_child(struct sl_plan *p, void (*fn)(struct sl_plan *, pid_t), pid_t *last)
{
	long fd =
	    sl_sys4(SYS_openat, AT_FDCWD, "/proc/thread-self/children", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	char buf[512];
	long r, cur = 0;
	bool digits = false;
	int n = 0;
	for (;;) {
		r = sl_sys3(SYS_read, fd, buf, sizeof(buf));
		if (r == -EINTR)
			continue;
		/* each pid is followed by a space; at the end, flush anyway */
		for (long i = 0; i <= (r > 0 ? r - 1 : 0); i++) {
			bool digit = r > 0 && buf[i] >= '0' && buf[i] <= '9';
			if (digit) {
				cur = cur * 10 + (buf[i] - '0');
				digits = true;
			}
			if (digit || !digits)
				continue;
			fn(p, (pid_t)cur);
			*last = (pid_t)cur;
			n++;
			cur = 0;
			digits = false;
		}
		if (r <= 0)
			break;
	}
	sl_sys1(SYS_close, fd);
	return n;
}

/* An orphan that has died is reaped; the command never is before the
 * end: its status is for the host, and an unreaped command keeps its pid
 * (and process group id) from being reused while the host may still name
 * it.  (The exit signal cannot tell them apart: exec resets the
 * command's to SIGCHLD.) */
static void reap_if_orphan(struct sl_plan *p, pid_t pid)
{
	siginfo_t si;
	if (pid != p->keeper.child)
		sl_sys5(SYS_waitid, P_PID, pid, &si, WEXITED | WNOHANG | __WALL, NULL);
}

static void reap_orphans(struct sl_plan *p)
{
	pid_t last;
	each_child(p, reap_if_orphan, &last);
}

/* Our unreaped child: its pid cannot have been reused. */
static void kill_child(struct sl_plan *p, pid_t pid)
{
	sl_sys2(SYS_kill, pid, SIGKILL);
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
 * children and reaps as many; their own children are reparented to us
 * when they die, and killed in the next round.  It ends: a killed process
 * forks no more, forks need the supervisor's answer (which stops when it
 * sees the command's end) and are capped by max_processes.
 */
static void sweep(struct sl_plan *p, bool command_dead)
{
	pid_t last = 0;
	int n;
	while ((n = each_child(p, kill_child, &last)) > 0) {
		/* each was killed (or was a zombie): n exits to take, in
		 * any order; one still listed next round is taken then */
		for (int i = 0; i < n; i++)
			reap(p, 0);
		/* Only the command, dead before the list was read: every
		 * other process of the sandbox would have been listed (an
		 * orphan is ours), so none can become ours now. */
		if (n == 1 && last == p->keeper.child && command_dead)
			return;
		command_dead = false;
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
	/* Setting SIGCHLD to SIG_DFL (ignored by default) discarded any
	 * SIGCHLD already pending: a command (or an orphan) that ended
	 * before this point has to be looked for. */
	bool dead = command_gone(p);
	if (!dead)
		reap_orphans(p);
	while (!dead) {
		siginfo_t si;
		long sig = sl_sys4(SYS_rt_sigtimedwait, &set, &si, NULL, KSIGSET_SIZE);
		/* the sandbox ends with its command: no need to wait for
		 * the supervisor to say so */
		if (sig == SIGTERM)
			break;
		if (sig == SIGCHLD && !(dead = command_gone(p)))
			reap_orphans(p);
	}
	sweep(p, dead);
	return 0;
}
