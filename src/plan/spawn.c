/* SPDX-License-Identifier: Apache-2.0 */
/* spawn.c - start the keeper and the child, receive the listener (see spawn.h). */
#include "spawn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "error.h"
#include "keeper.h"
#include "pidinfo.h"
#include "rawsys.h"
#include "seccomp_uapi.h"
#include "util.h"

/* A fork-style clone() for the feature probes (sandlock check): the pidfd
 * comes back atomically, no atfork handlers of the host run, and exit
 * signal 0 keeps it from the host's waitpid(-1). */
pid_t spawn_clone_fn(int (*fn)(void *), void *arg, void *stack, size_t size, int *pidfd)
{
	/* the stack grows down on every architecture we support */
	return clone(fn, (char *)stack + size, CLONE_PIDFD, arg, pidfd);
}

int spawn_reap(int pidfd, siginfo_t *si)
{
	siginfo_t dummy;
	int r;
	while ((r = waitid(P_PIDFD, (id_t)pidfd, si ? si : &dummy, WEXITED | __WALL)) < 0 &&
	       errno == EINTR)
		;
	return r;
}

/* Ends the keeper: SIGTERM makes it kill and reap the whole sandbox, then
 * exit; we reap it.  Idempotent. */
static void stop_keeper(struct sl_spawned *proc)
{
	if (proc->keeper_pidfd < 0)
		return;
	pidinfo_signal(proc->keeper_pidfd, SIGTERM);
	/* stopped by a sandbox allowed to signal it (signal-scope disabled) */
	pidinfo_signal(proc->keeper_pidfd, SIGCONT);
	spawn_reap(proc->keeper_pidfd, NULL);
	sl_close(&proc->keeper_pidfd);
}

/*
 * recvmsg on the status socket.  The child's end may close with a message
 * of ours unread (the ruleset sent to a child that had already failed and
 * exited): the kernel then reports ECONNRESET once, on the next receive,
 * ahead of what the child queued before it left.  That error is consumed
 * by the report: receive again.
 */
static ssize_t recv_status(int sock, struct msghdr *mh, int flags)
{
	ssize_t r;
	bool reset = false;
	for (;;) {
		r = recvmsg(sock, mh, flags);
		if (r >= 0 || (errno != EINTR && (errno != ECONNRESET || reset)))
			return r;
		reset |= errno == ECONNRESET;
	}
}

/* Receives one status message and, with it, at most three fds. */
static int read_msg(int sock, struct sl_child_msg *m, int fds[3])
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {m, sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	ssize_t r;
	fds[0] = fds[1] = fds[2] = -1;
	r = recv_status(sock, &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(c), (n > 3 ? 3 : n) * sizeof(int));
	}
	if (r > 0 && (mh.msg_flags & MSG_CTRUNC))
		return -EMFILE; /* the fds could not be received (fd limit) */
	return r == (ssize_t)sizeof(*m) ? 0 : -EPIPE;
}

/* Closes our copies of the child's ends, leaving the plan's fields as
 * they are: the keeper and the child read them concurrently, from the
 * same memory. */
static void close_child_ends(struct sl_plan *p)
{
	const int fds[] = {p->stdout_w, p->stderr_w, p->status_w, p->gate_r, p->stdin_r};
	for (size_t i = 0; i < SL_ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	p->child_ends_closed = true;
}

/* Waits for the child's report: its listener and pidfd, or the step that
 * failed (in the child or the keeper).  0 or -errno; on failure the
 * keeper has been stopped (the sandbox is gone). */
static int handshake(struct sl_plan *p, struct sl_spawned *proc)
{
	struct sl_child_msg m = {0};
	int fds[3];
	int r = read_msg(p->status_r, &m, fds);
	if (r == 0 && m.step == SL_STEP_READY && fds[0] >= 0 && fds[1] >= 0 && m.value > 0 &&
	    (fds[2] >= 0) == p->ovl.quota) {
		proc->listener = fds[0];
		proc->pidfd = fds[1];
		proc->quota_fd = fds[2];
		proc->pid = m.value;
		return 0;
	}
	sl_close(&fds[0]);
	sl_close(&fds[1]);
	sl_close(&fds[2]);
	stop_keeper(proc);
	if (r == -EMFILE)
		return sl_errorf(EMFILE, "cannot receive the seccomp listener: %s",
				 strerror(EMFILE));
	if (r < 0 || m.step == SL_STEP_READY)
		return sl_errorf(ECHILD, "sandbox child died during setup");
	return sl_errorf(m.value > 0 ? m.value : EIO, "sandbox setup failed: %s: %s",
			 plan_step_name(m.step), strerror(m.value));
}

/* Moves the keeper, waiting to be placed (keeper.c), to the host's CPUs
 * but ours, then lets it go.  Best effort: with one CPU, or where the
 * kernel refuses, it starts here. */
static void place_keeper(struct sl_plan *p, pid_t kpid)
{
	if (!p->overlap)
		return; /* placed already: it runs at once, here */
	int cpu = sched_getcpu();
	if (cpu >= 0 && cpu < CPU_SETSIZE) { /* (overlap implies have_home) */
		cpu_set_t away = p->home_cpus;
		CPU_CLR(cpu, &away);
		if (CPU_COUNT(&away) > 0)
			(void)sched_setaffinity(kpid, sizeof(away), &away);
	}
	__atomic_store_n(&p->keeper.placed, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &p->keeper.placed, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

int spawn_start(struct sl_plan *p, struct sl_spawned *proc)
{
	*proc = (struct sl_spawned){
	    .pid = -1, .pidfd = -1, .listener = -1, .keeper_pidfd = -1, .quota_fd = -1};
	sigset_t all, old;
	sigfillset(&all);
	/* Block every signal across clone: no host handler may run in the
	 * keeper or the child; the child restores this mask right before
	 * exec, the keeper keeps everything blocked. */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* CLONE_VM: the keeper runs on its own stack in our address space
	 * (keeper.h); exit signal 0, so only we reap it (waitid __WALL). */
	long kpid = sl_raw_clone(CLONE_VM | CLONE_PIDFD, (char *)p->kstack + p->kstack_size,
				 &proc->keeper_pidfd, keeper_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (kpid < 0) {
		proc->keeper_pidfd = -1;
		return sl_errorf((int)-kpid, "clone: %s", strerror((int)-kpid));
	}
	place_keeper(p, (pid_t)kpid);
	/* the keeper has its own copies of the child's ends */
	close_child_ends(p);
	return 0;
}

int spawn_send_ruleset(struct sl_plan *p, int ruleset_fd)
{
	long r = child_send(p->status_r, SL_STEP_READY, 0, &ruleset_fd, 1);
	/* A child that failed first has said why: the handshake reads it. */
	if (r < 0 && r != -EPIPE)
		return sl_errorf((int)-r, "send the sandbox child its ruleset: %s",
				 strerror((int)-r));
	return 0;
}

int spawn_confine(struct sl_plan *p, struct sl_spawned *proc, int ruleset_fd)
{
	int r = ruleset_fd < 0 ? ruleset_fd : spawn_send_ruleset(p, ruleset_fd);
	if (ruleset_fd >= 0)
		close(ruleset_fd);
	if (r < 0) {
		/* EOF for the child, wherever it is; then the keeper ends */
		shutdown(p->status_r, SHUT_WR);
		stop_keeper(proc);
	}
	return r;
}

int spawn_ready(struct sl_plan *p, struct sl_spawned *proc)
{
	/* status_r stays open: an exec that fails says so (spawn_late_error) */
	int r = handshake(p, proc);
	if (r < 0)
		return r;
	/* Synchronous wake-ups: the woken supervisor runs on the notifying
	 * task's CPU, ~7 us per round trip instead of 100+ us on this kind of
	 * VM.  Best effort: kernels before 6.7 lack it. */
	(void)ioctl(proc->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	return 0;
}

/* The command's status when the keeper could not record it (the keeper
 * was killed from outside): the kernel keeps it on the pidfd (6.15). */
static bool status_from_pidfd(int pidfd, siginfo_t *si)
{
	int st;
	if (pidinfo_exit_status(pidfd, &st) < 0)
		return false;
	if (WIFEXITED(st)) {
		si->si_code = CLD_EXITED;
		si->si_status = WEXITSTATUS(st);
	} else {
		si->si_code = WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
		si->si_status = WTERMSIG(st);
	}
	return true;
}

int spawn_finish(struct sl_plan *p, struct sl_spawned *proc, siginfo_t *si)
{
	stop_keeper(proc);
	*si = (siginfo_t){0};
	if (p->keeper.code) {
		si->si_code = p->keeper.code;
		si->si_status = p->keeper.status;
		return 0;
	}
	return proc->pidfd >= 0 && status_from_pidfd(proc->pidfd, si) ? 0 : -1;
}

int spawn_late_error(struct sl_plan *p, int *step)
{
	struct sl_child_msg m = {.step = -1};
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t r = recv_status(p->status_r, &mh, MSG_DONTWAIT);
	bool late = m.step == SL_STEP_EXEC;
	*step = m.step;
	return r == (ssize_t)sizeof(m) && late && m.value > 0 ? m.value : 0;
}

int spawn_release(int *gate_w)
{
	char token = 1;
	ssize_t r;
	if (*gate_w < 0)
		return 0; /* not gated: the child is already on its way */
	/* (a child that died parked: EPIPE, never SIGPIPE, plan.c) */
	do
		r = send(*gate_w, &token, 1, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	int e = errno;
	sl_close(gate_w);
	return r == 1 ? 0 : sl_errorf(e, "release the sandbox child: %s", strerror(e));
}
