/* SPDX-License-Identifier: Apache-2.0 */
/*
 * child.c - the child sequence.  Only async-signal-safe calls below this
 * line: the plain glibc syscall wrappers used here (read, write, dup2,
 * setpgid, ioctl, prctl, chdir, sigaction, sigprocmask, execve, _exit) do
 * not allocate or lock.
 */
#include "child.h"

#include <errno.h>
#include "seccomp_uapi.h"
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "landlock.h"

#define CHILD_FAIL_STATUS 127

/* Sends (step, value) and, when fd >= 0, the fd as SCM_RIGHTS. */
static void send_msg(int sock, int step, int value, int fd)
{
	struct sl_child_msg m = {.step = step, .value = value};
	struct iovec iov = {&m, sizeof(m)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t r;
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
}

/* Leaves with SYS_exit, not exit_group: the child is single-threaded, and
 * exit_group is notified (process accounting), which a parent suspended
 * by CLONE_VFORK could not answer. */
static _Noreturn void child_exit(int status)
{
	for (;;)
		syscall(SYS_exit, status);
}

static _Noreturn void fail(const struct sl_plan *p, int step, int err)
{
	send_msg(p->status_w, step, err, -1);
	child_exit(CHILD_FAIL_STATUS);
}

static void setup_stdio(const struct sl_plan *p)
{
	/* Drop our copies of the parent's pipe ends: the gate must see EOF
	 * when the parent closes it without releasing us.  (With a shared
	 * address space the fd table is still our own copy.) */
	if (p->gate_w >= 0)
		close(p->gate_w);
	close(p->status_r);
	if (p->stdout_r >= 0)
		close(p->stdout_r);
	if (p->stderr_r >= 0)
		close(p->stderr_r);
	if (p->stdout_w >= 0 && dup2(p->stdout_w, STDOUT_FILENO) < 0)
		fail(p, SL_STEP_STDIO, errno);
	if (p->stderr_w >= 0 && dup2(p->stderr_w, STDERR_FILENO) < 0)
		fail(p, SL_STEP_STDIO, errno);
}

static void setup_process(const struct sl_plan *p)
{
	if (setpgid(0, 0) < 0)
		fail(p, SL_STEP_SETPGID, errno);
	if (p->take_tty) {
		/* Become the terminal's foreground group so an interactive
		 * shell can read it.  All signals are blocked, so the
		 * SIGTTOU a background group gets here is not delivered. */
		pid_t me = (pid_t)syscall(SYS_getpid);
		(void)ioctl(STDIN_FILENO, TIOCSPGRP, &me);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail(p, SL_STEP_PDEATHSIG, errno);
	/* The parent may have died before PDEATHSIG was armed. */
	if (getppid() != p->parent_pid)
		fail(p, SL_STEP_PARENT_GONE, ESRCH);
}

static void setup_limits(const struct sl_plan *p)
{
	if (p->no_aslr) {
		/* personality is denied by the filter later: set it now. */
		int cur = personality(0xffffffff);
		if (cur < 0 || personality((unsigned long)cur | ADDR_NO_RANDOMIZE) < 0)
			fail(p, SL_STEP_PERSONALITY, errno);
	}
	if (p->set_cpus && syscall(SYS_sched_setaffinity, 0, sizeof(p->cpus), &p->cpus) < 0)
		fail(p, SL_STEP_AFFINITY, errno);
	if (p->no_thp && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
		fail(p, SL_STEP_THP, errno);
	if (p->no_core) {
		/* RLIMIT_CORE, not PR_SET_DUMPABLE: a non-dumpable child
		 * would lock the supervisor out of pidfd_getfd and its
		 * memory. */
		struct rlimit rl = {0, 0};
		if (setrlimit(RLIMIT_CORE, &rl) < 0)
			fail(p, SL_STEP_RLIMIT_CORE, errno);
	}
	if (p->set_data) {
		/* the kernel's own per-process cap under max_memory */
		struct rlimit rl = {p->data_limit, p->data_limit};
		if (setrlimit(RLIMIT_DATA, &rl) < 0)
			fail(p, SL_STEP_RLIMIT_DATA, errno);
	}
	if (p->cwd && chdir(p->cwd) < 0)
		fail(p, SL_STEP_CHDIR, errno);
}

static int confine_self(const struct sl_plan *p)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(p, SL_STEP_NO_NEW_PRIVS, errno);
	if (landlock_restrict(p->ruleset_fd) < 0)
		fail(p, SL_STEP_LANDLOCK, errno);
	/* WAIT_KILLABLE_RECV: once the supervisor has received a
	 * notification only a fatal signal interrupts the wait, so a
	 * restarted syscall cannot repeat an emulated side effect. */
	int listener = (int)syscall(
	    SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &p->prog);
	if (listener < 0)
		fail(p, SL_STEP_SECCOMP, errno);
	if (p->set_nofile) {
		/* Last fd-allocating step is done: from here on the limit
		 * cannot break our own setup. */
		struct rlimit rl = {p->nofile, p->nofile};
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			fail(p, SL_STEP_RLIMIT_NOFILE, errno);
	}
	return listener;
}

/* Parks until the parent releases the child (start()).  EOF means the
 * parent gave up: leave quietly. */
static void wait_gate(const struct sl_plan *p)
{
	if (!p->gated)
		return;
	char token;
	ssize_t r;
	do
		r = read(p->gate_r, &token, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		child_exit(CHILD_FAIL_STATUS);
}

static void reset_signals(const struct sl_plan *p)
{
	/* Ignored SIGPIPE/SIGXFSZ survive exec; hosts such as Python ignore
	 * SIGPIPE, which would change how pipelines in the sandbox end. */
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(SIGPIPE, &dfl, NULL);
	sigaction(SIGXFSZ, &dfl, NULL);
	sigprocmask(SIG_SETMASK, &p->child_mask, NULL);
}

static const char *exec_reason(int err)
{
	switch (err) {
	case ENOENT:
		return "command not found";
	case EACCES:
		return "Permission denied";
	case ENOEXEC:
		return "Exec format error";
	case ENOTDIR:
		return "Not a directory";
	case ELOOP:
		return "Too many levels of symbolic links";
	case ENAMETOOLONG:
		return "File name too long";
	case E2BIG:
		return "Argument list too long";
	case ENOMEM:
		return "Cannot allocate memory";
	case ETXTBSY:
		return "Text file busy";
	case EMFILE:
		return "Too many open files";
	default:
		return "cannot execute";
	}
}

/* execvp semantics over the candidates prepared in the parent: keep
 * looking past ENOENT/ENOTDIR/EACCES, report EACCES if any candidate
 * existed but was not executable. */
static _Noreturn void exec_command(const struct sl_plan *p)
{
	int err = ENOENT;
	bool saw_eacces = false;
	for (size_t i = 0; i < p->exec_paths.n; i++) {
		execve(p->exec_paths.v[i], p->argv.v, p->envp.v);
		err = errno;
		struct stat st;
		/* EACCES counts only for a file that exists: an unsearchable
		 * PATH directory also yields EACCES, and means "not here". */
		if (err == EACCES && stat(p->exec_paths.v[i], &st) == 0)
			saw_eacces = true;
		else if (err == EACCES)
			err = ENOENT;
		else if (err != ENOENT && err != ENOTDIR && err != ESTALE)
			break;
	}
	if (saw_eacces && (err == ENOENT || err == ENOTDIR))
		err = EACCES;
	const char *why = exec_reason(err);
	size_t wlen = 0;
	while (why[wlen])
		wlen++;
	struct iovec iov[3] = {
	    {p->fail_prefix, p->fail_prefix_len},
	    {(void *)why, wlen},
	    {"\n", 1},
	};
	if (writev(STDERR_FILENO, iov, 3) < 0)
		child_exit(CHILD_FAIL_STATUS);
	child_exit(CHILD_FAIL_STATUS);
}

/* Keep in sync with the calls below confine_self() in child_main(). */
static const int late_syscalls[] = {
    __NR_prlimit64,	 __NR_sendmsg, __NR_read,	__NR_close_range, __NR_rt_sigaction,
    __NR_rt_sigprocmask, __NR_execve,  __NR_newfstatat, __NR_writev,	  __NR_exit,
};

const int *child_late_syscalls(size_t *n)
{
	*n = sizeof(late_syscalls) / sizeof(late_syscalls[0]);
	return late_syscalls;
}

int child_main(void *arg)
{
	const struct sl_plan *p = arg;
	setup_stdio(p);
	setup_process(p);
	setup_limits(p);
	int listener = confine_self(p);
	/* The listener travels to the parent in flight on the socket; our
	 * copy is closed below with every other inherited fd above stdio. */
	send_msg(p->status_w, SL_STEP_READY, 0, listener);
	wait_gate(p);
	syscall(SYS_close_range, 3U, ~0U, 0U);
	reset_signals(p);
	exec_command(p);
}
