/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tty.c - the terminal's foreground group, set on the sandbox's behalf.
 *
 * The command stays in the host's session with the host's terminal (so
 * that an interactive shell there has job control).  The kernel lets any
 * process of a session make any process group of that session the
 * terminal's foreground, and then signals that group for it: ^C and ^Z
 * typed by the user, SIGWINCH on a window-size change, SIGTTOU/SIGTTIN to
 * a background job that touches the terminal.  Landlock's signal scope
 * sees none of these (the kernel sends them), so a sandbox could stop or
 * interrupt the host's jobs.
 *
 * The filter refuses TIOCSPGRP outright unless the sandbox was handed the
 * terminal; then it notifies it here, where the group is read once from
 * the caller's memory and checked (a live member of the sandbox is in
 * it), and the supervisor makes the same call with its own copy of the
 * value on its own descriptor of the same open terminal: a thread
 * rewriting the value after the check changes nothing.  The kernel checks
 * the caller's session and controlling terminal, which are the
 * sandbox's: the host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "feature.h"
#include "mem.h"
#include "pidinfo.h"
#include "procs.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

/* Our descriptor of the caller's fd: the same open file (pidfd_getfd),
 * or where a seccomp profile forbids that (Docker's), the same terminal
 * opened again through /proc.  -errno when neither works. */
static int fd_of(struct sl_ctx *c, int fd)
{
	int our = (int)syscall(SYS_pidfd_getfd, c->proc->pidfd, fd, 0U);
	if (our >= 0)
		return our;
	int dirfd = procs_dir(c->proc);
	char name[32];
	snprintf(name, sizeof(name), "fd/%d", fd);
	our = dirfd < 0 ? -1 : openat(dirfd, name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return our >= 0 ? our : -errno;
}

/* Sets the foreground group on our descriptor, SIGTTOU blocked: the
 * kernel sends it to a background caller that does not block it, and the
 * caller here is the supervisor's thread.  0 or an errno. */
static int set_foreground(int fd, pid_t pgid)
{
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &ttou, &old);
	int r = ioctl(fd, TIOCSPGRP, &pgid) < 0 ? errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* ioctl(fd, TIOCSPGRP, &pgid), notified for an interactive sandbox:
 * done by the supervisor when pgid is a group of the sandbox, else
 * EPERM. */
static void on_setpgrp(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	int fd = (int)c->req->data.args[0];
	pid_t pgid;
	if (mem_read(&c->mem, c->req->data.args[2], &pgid, sizeof(pgid)) < 0) {
		*a = sl_act_errno(EFAULT);
		return;
	}
	if (pgid <= 0 || !procs_has_group(&c->sup->procs, pgid)) {
		*a = sl_act_errno(pgid < 0 ? EINVAL : EPERM);
		return;
	}
	/* The kernel checks the caller's own session and terminal, which
	 * are ours only while it has not left our session (setsid): one
	 * that has has no say over our terminal, as the kernel would tell
	 * it. */
	struct sl_pstat st;
	int dirfd = procs_dir(c->proc);
	if (dirfd < 0 || pidinfo_stat(dirfd, &st) < 0 || st.session != getsid(0)) {
		*a = sl_act_errno(ENOTTY);
		return;
	}
	int our = fd < 0 ? -EBADF : fd_of(c, fd);
	if (our < 0) {
		*a = sl_act_errno(-our);
		return;
	}
	int err = isatty(our) ? set_foreground(our, pgid) : ENOTTY;
	close(our);
	*a = err ? sl_act_errno(err) : sl_act_return(0);
}

static bool active(const struct sl_feature_env *env)
{
	return env->tty_jobs;
}

static const struct sl_frule tty_rules[] = {
    {{__NR_ioctl, 1, {SL_A32(1, TIOCSPGRP)}}, on_setpgrp},
};

/* An interactive sandbox handed the terminal (else the filter refuses
 * TIOCSPGRP). */
const struct sl_feature feature_tty = {
    .name = "terminal job control",
    .active = active,
    SL_FRULES(tty_rules),
};
