/* SPDX-License-Identifier: Apache-2.0 */
/* keeper.c - the subreaper between the host and the command (see keeper.h). */
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Sends SIGKILL to each child in the kernel's list of ours (zombies
 * included: our unreaped child, its pid cannot have been reused), read
 * whole from its start through the fd opened at start (a read at offset
 * 0 restarts the kernel's walk).  Returns how many, with the pid of the
 * last in *last, or -errno when the list cannot be read. */
static int kill_children(int fd, pid_t *last)
{
	char buf[512];
	long r, off = 0, cur = -1;
	int n = 0;
	for (;;) {
		r = sl_sys4(SYS_pread64, fd, buf, sizeof(buf), off);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return (int)r;
		off += r;
		/* "pid pid ... ": a pid ends at the first non-digit after it */
		for (long i = 0; i <= r; i++) {
			bool digit = i < r && buf[i] >= '0' && buf[i] <= '9';
			if (digit) {
				cur = (cur < 0 ? 0 : cur * 10) + (buf[i] - '0');
			} else if (cur >= 0 && (i < r || r == 0)) {
				sl_sys2(SYS_kill, cur, SIGKILL);
				*last = (pid_t)cur;
				n++;
				cur = -1;
			}
		}
		if (r == 0)
			return n;
	}
}

/*
 * Reaps the orphans that have died, one zombie at a time (the kernel
 * picks it: nothing is skipped as reaping changes the list).  The command
 * is never reaped before the end: its status is for the host, and an
 * unreaped command keeps its pid (and process group id) from being
 * reused while the host may still name it.  Returns true when the
 * command has ended.  (SIGCHLD does not say which child changed: several
 * deaths merge into one signal, and exec reset the command's exit signal
 * to SIGCHLD.)
 */
static bool reap_orphans(struct sl_plan *p)
{
	for (;;) {
		siginfo_t si;
		si.si_pid = 0;
		long r =
		    sl_sys5(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL, NULL);
		if (r == -EINTR)
			continue;
		if (r < 0 || si.si_pid == 0)
			return false;
		if (si.si_pid == p->keeper.child)
			return true;
		reap(p, si.si_pid);
	}
}

/*
 * Kills and reaps everything below us.  Each round kills our current
 * children and reaps as many; their own children are reparented to us
 * when they die, and killed in the next round.  It ends: a killed process
 * forks no more, forks need the supervisor's answer (which stops when it
 * sees the command's end) and are capped by max_processes.
 */
static void sweep(struct sl_plan *p, int list, bool command_dead)
{
	pid_t last = 0;
	int n;
	while ((n = kill_children(list, &last)) > 0) {
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
	if (n < 0 && !p->keeper.code) {
		/* the list opened at start cannot be read: at least the
		 * command itself (the supervisor kills what it tracks).  Only
		 * while it is not reaped: reaped in a round before, its pid
		 * may be another process's by now, outside the sandbox. */
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

/* Sets every caught signal to SIG_DFL (the ignored stay ignored). */
static void clear_handlers(void)
{
	for (int sig = 1; sig <= KSIGSET_SIZE * 8; sig++) {
		struct ksigaction old;
		if (sig == SIGKILL || sig == SIGSTOP ||
		    sl_sys4(SYS_rt_sigaction, sig, NULL, &old, KSIGSET_SIZE) < 0)
			continue;
		if (old.handler != SIG_DFL && old.handler != SIG_IGN) {
			struct ksigaction dfl = {.handler = SIG_DFL};
			sl_sys4(SYS_rt_sigaction, sig, &dfl, NULL, KSIGSET_SIZE);
		}
	}
}

/*
 * Starts the command's process.  It gets no signal handler of the host's:
 * when it restores the host's signal mask before exec, a pending signal
 * would run a host handler on the host's memory (which it shares until
 * exec) and TLS.  clone3's CLONE_CLEAR_SIGHAND clears them in the kernel;
 * where clone3 is hidden (Docker's default seccomp profile answers ENOSYS)
 * or the flag unknown (before 5.5), we clear our own table, which the
 * child copies, one signal at a time (about 13 us).  Exit signal SIGCHLD,
 * as exec would set anyway.
 */
static long clone_child(struct sl_plan *p)
{
	/* Vfork-style (we sleep until the exec) unless the child may wait
	 * for the host (the overlap, plan.h, or parked at the gate until
	 * started): a host that dies then, with its end of the status socket
	 * still open in a fork of it, or a child stuck in a notified exit,
	 * must find us free to sweep. */
	unsigned long vm = !p->share_vm		    ? 0
			   : p->overlap || p->gated ? CLONE_VM
						    : CLONE_VM | CLONE_VFORK;
	struct clone_args ca = {
	    .flags = vm | CLONE_CLEAR_SIGHAND,
	    .exit_signal = SIGCHLD,
	    .stack = (uint64_t)(uintptr_t)p->stack,
	    .stack_size = p->stack_size,
	};
	long pid = sl_raw_clone3(&ca, CLONE_ARGS_SIZE_VER0, child_main, p);
	if (pid != -ENOSYS && pid != -EINVAL && pid != -EPERM)
		return pid;
	clear_handlers();
	return sl_raw_clone(vm | SIGCHLD, (char *)p->stack + p->stack_size, NULL, child_main, p);
}

/*
 * A new task starts on its parent's CPU and, being new, runs there first,
 * ahead of the host, which still has the ruleset to build: the host moves
 * us (and the child, which inherits the set) to another of its CPUs while
 * we sleep here, cheaper than moving ourselves while running.  The set of
 * CPUs is the host's to choose (spawn.c); we go back to its set later.
 */
static long wait_placed(struct sl_plan *p)
{
	if (__atomic_load_n(&p->keeper.placed, __ATOMIC_ACQUIRE))
		return 0;
	/* nothing to sweep yet: die with the host, which may die first */
	long r = sl_sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
	if (r < 0)
		return r;
	if (sl_sys0(SYS_getppid) != p->parent_pid)
		return -ESRCH;
	while (!__atomic_load_n(&p->keeper.placed, __ATOMIC_ACQUIRE))
		sl_sys4(SYS_futex, &p->keeper.placed, FUTEX_WAIT_PRIVATE, 0, NULL);
	return 0;
}

int keeper_main(void *arg)
{
	struct sl_plan *p = arg;
	long r = wait_placed(p);
	if (r < 0)
		return fail(p, r == -ESRCH ? SL_STEP_PARENT_GONE : SL_STEP_PDEATHSIG, r);
	r = sl_sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGTERM);
	if (r < 0)
		return fail(p, SL_STEP_PDEATHSIG, r);
	if (sl_sys0(SYS_getppid) != p->parent_pid)
		return fail(p, SL_STEP_PARENT_GONE, -ESRCH);
	if ((r = sl_sys2(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1)) < 0)
		return fail(p, SL_STEP_SUBREAPER, r);
	/* A process group of our own, before the command exists.  Every
	 * signal but SIGKILL and SIGSTOP is blocked here; those two, sent to
	 * the host's group (a shell's `kill -9 %1`, `kill -KILL -PGID`),
	 * would take us along with the host, and nothing would sweep the
	 * sandbox.  Our group has no member of the sandbox: none may join
	 * it (xproc.c). */
	if ((r = sl_sys2(SYS_setpgid, 0, 0)) < 0)
		return fail(p, SL_STEP_SETPGID, r);
	/* Without our children list the end could not find the orphans:
	 * refuse to start rather than let them outlive the sandbox. */
	long list =
	    sl_sys4(SYS_openat, AT_FDCWD, "/proc/thread-self/children", O_RDONLY | O_CLOEXEC, 0);
	if (list < 0)
		return fail(p, SL_STEP_CHILDREN_LIST, list);
	p->keeper.self = (pid_t)sl_sys0(SYS_getpid);
	/* SIGCHLD at its default, before the command exists: neither the
	 * host's SIG_IGN nor its SA_NOCLDWAIT (the kernel would reap the
	 * command itself), nor SIGCHLDs woken for every stop and continue
	 * of the CPU throttle.  Blocked, so a command that ends before we
	 * wait leaves it pending (setting SIG_DFL later would discard it).
	 * The command inherits the default, as it gets SIGPIPE's: a host
	 * that ignores SIGCHLD must not make the command's children
	 * vanish unwaited. */
	struct ksigaction dfl = {.handler = SIG_DFL, .flags = SA_NOCLDSTOP};
	sl_sys4(SYS_rt_sigaction, SIGCHLD, &dfl, NULL, KSIGSET_SIZE);
	/* The child waits on the status socket for its ruleset: when the
	 * host dies first, only the host may have held the host's end, so
	 * that the child sees EOF instead of waiting forever. */
	sl_sys1(SYS_close, p->status_r);
	long pid = clone_child(p);
	if (pid < 0)
		return fail(p, SL_STEP_CLONE, pid);
	/* back to the host's CPUs (the child has gone back already) */
	if (p->overlap)
		sl_sys3(SYS_sched_setaffinity, 0, sizeof(p->home_cpus), &p->home_cpus);
	p->keeper.child = (pid_t)pid;
	/* Hold nothing of the host's (its pipes must see EOF) but the list. */
	if (list > 0)
		sl_sys3(SYS_close_range, 0U, (unsigned)list - 1, 0U);
	sl_sys3(SYS_close_range, (unsigned)list + 1, ~0U, 0U);
	unsigned long set = ksig(SIGCHLD) | ksig(SIGTERM);
	bool dead = false;
	while (!dead) {
		siginfo_t si;
		long sig = sl_sys4(SYS_rt_sigtimedwait, &set, &si, NULL, KSIGSET_SIZE);
		/* the sandbox ends with its command: no need to wait for
		 * the supervisor to say so */
		if (sig == SIGTERM)
			break;
		if (sig == SIGCHLD)
			dead = reap_orphans(p);
	}
	sweep(p, (int)list, dead);
	return 0;
}
