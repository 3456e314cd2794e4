/* SPDX-License-Identifier: Apache-2.0 */
/* spawn.c - clone the child, receive its listener (see spawn.h). */
#include "spawn.h"

#include <errno.h>
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
#include "seccomp_uapi.h"

/* clone() with CLONE_PIDFD: the pidfd comes back atomically (no window
 * for pid reuse) and no atfork handlers of the host run in the child,
 * which makes only async-signal-safe calls anyway.  The exit signal is 0,
 * not SIGCHLD: a "clone child" is invisible to the host's waitpid(-1) and
 * to SIGCHLD auto-reaping, so only we reap it (waitid with __WALL).
 *
 * With share_vm the child borrows the parent's address space until exec
 * (CLONE_VM | CLONE_VFORK, as posix_spawn does): no page tables to copy,
 * no copy-on-write faults on either side, and the parent sleeps until the
 * child has exec'd or died.  plan.c allows it only when that cannot
 * deadlock and the child changes nothing memory-wide. */
pid_t spawn_clone_fn(int (*fn)(void *), void *arg, void *stack, size_t size, bool share_vm,
		     int *pidfd)
{
	int flags = CLONE_PIDFD;
	if (share_vm)
		flags |= CLONE_VM | CLONE_VFORK;
	/* the stack grows down on every architecture we support */
	return clone(fn, (char *)stack + size, flags, arg, pidfd);
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

/* Receives one status message and, with it, at most one fd. */
static int read_msg(int sock, struct sl_child_msg *m, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {m, sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	ssize_t r;
	*fd = -1;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (r > 0 && (mh.msg_flags & MSG_CTRUNC))
		return -EMFILE; /* the fd could not be received (fd limit) */
	return r == (ssize_t)sizeof(*m) ? 0 : -EPIPE;
}

static void close_child_ends(struct sl_plan *p)
{
	sl_close(&p->stdout_w);
	sl_close(&p->stderr_w);
	sl_close(&p->status_w);
	sl_close(&p->gate_r);
	sl_close(&p->ruleset_fd);
}

/* Waits for the child's report: the listener, or the step that failed.
 * Returns the listener fd or -errno (the child is then reaped). */
static int handshake(struct sl_plan *p, int pidfd)
{
	struct sl_child_msg m = {0};
	int fd;
	int r = read_msg(p->status_r, &m, &fd);
	if (r == 0 && m.step == SL_STEP_READY && fd >= 0)
		return fd;
	sl_close(&fd);
	kill_and_reap(pidfd);
	if (r == -EMFILE)
		return sl_errorf(EMFILE, "cannot receive the seccomp listener: %s",
				 strerror(EMFILE));
	if (r < 0 || m.step == SL_STEP_READY)
		return sl_errorf(ECHILD, "sandbox child died during setup");
	return sl_errorf(m.value > 0 ? m.value : EIO, "sandbox setup failed: %s: %s",
			 plan_step_name(m.step), strerror(m.value));
}

int spawn_child(struct sl_plan *p, struct sl_proc *proc)
{
	sigset_t all, old;
	sigfillset(&all);
	/* Block every signal across clone: no host handler may run in the
	 * child; the child restores this mask right before exec. */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p->child_mask = old;
	int pidfd = -1;
	pid_t pid = spawn_clone_fn(child_main, p, p->stack, p->stack_size, p->share_vm, &pidfd);
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return sl_errorf(e, "clone: %s", strerror(e));
	close_child_ends(p);
	*proc = (struct sl_proc){.pid = pid, .pidfd = pidfd, .listener = -1};
	int listener = handshake(p, pidfd);
	sl_close(&p->status_r);
	if (listener < 0) {
		sl_close(&proc->pidfd);
		return listener;
	}
	proc->listener = listener;
	/* Synchronous wake-ups: the woken supervisor runs on the notifying
	 * task's CPU, ~7 us per round trip instead of 100+ us on this kind of
	 * VM.  Best effort: kernels before 6.7 lack it. */
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	return 0;
}

int spawn_release(int *gate_w)
{
	char token = 1;
	ssize_t r;
	if (*gate_w < 0)
		return 0; /* not gated: the child is already on its way */
	do
		r = write(*gate_w, &token, 1);
	while (r < 0 && errno == EINTR);
	int e = errno;
	sl_close(gate_w);
	return r == 1 ? 0 : sl_errorf(e, "release the sandbox child: %s", strerror(e));
}
