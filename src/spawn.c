/* SPDX-License-Identifier: Apache-2.0 */
/* spawn.c - fork, handshake, listener (see spawn.h). */
#include "spawn.h"

#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "error.h"
#include "seccomp_uapi.h"

/* Raw clone with CLONE_PIDFD: the pidfd comes back atomically (no window
 * for pid reuse) and no atfork handlers of the host run in the child,
 * which makes only async-signal-safe calls anyway.  The exit signal is 0,
 * not SIGCHLD: a "clone child" is invisible to the host's waitpid(-1) and
 * to SIGCHLD auto-reaping, so only we reap it (waitid with __WALL). */
pid_t spawn_clone(int *pidfd)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)CLONE_PIDFD, 0UL, pidfd, 0UL, 0UL);
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

static void kill_and_reap(int pidfd)
{
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0U);
	spawn_reap(pidfd, NULL);
}

static int read_msg(int fd, struct sl_child_msg *m)
{
	ssize_t r;
	do
		r = read(fd, m, sizeof(*m));
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof(*m) ? 0 : -1;
}

static void close_child_ends(struct sl_plan *p)
{
	sl_close(&p->stdout_w);
	sl_close(&p->stderr_w);
	sl_close(&p->status_w);
	sl_close(&p->gate_r);
	sl_close(&p->ruleset_fd);
}

/* Waits for the child's report: the listener fd number, or the step that
 * failed.  Returns the child's listener fd number or -errno. */
static int handshake(struct sl_plan *p, int pidfd)
{
	struct sl_child_msg m;
	if (read_msg(p->status_r, &m) < 0) {
		kill_and_reap(pidfd);
		return sl_errorf(ECHILD, "sandbox child died during setup");
	}
	if (m.step != SL_STEP_READY) {
		kill_and_reap(pidfd);
		return sl_errorf(m.value > 0 ? m.value : EIO, "sandbox setup failed: %s: %s",
				 plan_step_name(m.step), strerror(m.value));
	}
	return m.value;
}

static int take_listener(int pidfd, int child_fd, struct sl_proc *proc)
{
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, child_fd, 0U);
	if (fd < 0) {
		int e = errno;
		kill_and_reap(pidfd);
		return sl_errorf(e,
				 "pidfd_getfd of the seccomp listener: %s (blocked by Yama "
				 "ptrace_scope or a container seccomp profile?)",
				 strerror(e));
	}
	/* Synchronous wake-ups: the woken supervisor runs on the notifying
	 * task's CPU, ~7 us per round trip instead of 100+ us here. */
	proc->sync_wakeup =
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
	proc->listener = fd;
	return 0;
}

int spawn_child(struct sl_plan *p, struct sl_proc *proc)
{
	sigset_t all, old;
	sigfillset(&all);
	/* Block every signal across fork: no host handler may run in the
	 * child; the child restores this mask right before exec. */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p->child_mask = old;
	int pidfd = -1;
	pid_t pid = spawn_clone(&pidfd);
	if (pid == 0)
		child_main(p);
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return sl_errorf(e, "fork: %s", strerror(e));
	close_child_ends(p);
	*proc = (struct sl_proc){.pid = pid, .pidfd = pidfd, .listener = -1};
	int child_fd = handshake(p, pidfd);
	int r = child_fd < 0 ? child_fd : take_listener(pidfd, child_fd, proc);
	sl_close(&p->status_r);
	if (r < 0)
		sl_close(&proc->pidfd);
	return r;
}

int spawn_release(int *gate_w)
{
	char token = 1;
	ssize_t r;
	if (*gate_w < 0)
		return sl_errorf(EALREADY, "the sandbox was already started");
	do
		r = write(*gate_w, &token, 1);
	while (r < 0 && errno == EINTR);
	int e = errno;
	sl_close(gate_w);
	return r == 1 ? 0 : sl_errorf(e, "release the sandbox child: %s", strerror(e));
}
