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
 * A window-size change (TIOCSWINSZ) is another: the kernel sends the
 * foreground group SIGWINCH, a host job when the sandbox is not the
 * foreground.  Both are handled alike.
 *
 * The filter refuses TIOCSPGRP outright unless the sandbox was handed the
 * terminal; then it notifies it here, where the group is read once from
 * the caller's memory and checked (a live member of the sandbox is in
 * it), and the supervisor makes the same call with its own copy of the
 * value on its own descriptor of the same terminal (fd 0, when the
 * caller's fd is that terminal): a thread rewriting the value after the
 * check changes nothing.  The kernel checks
 * the caller's session and controlling terminal, which are the
 * sandbox's: the host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <linux/major.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "feature.h"
#include "mem.h"
#include "pidinfo.h"
#include "procs.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

/* Whether the caller's fd is the terminal we hold at fd 0 (the host's,
 * which the sandbox shares), or /dev/tty (the caller's controlling
 * terminal: the same one).  Looked at through an O_PATH open of its /proc
 * entry: a duplicate of the caller's file, closed here, would drop every
 * POSIX lock the host holds on it (any file the sandbox may read can be
 * given), and a reopen for reading would open a device.  0, -EBADF (no
 * such fd), -ENOTTY, or -ESRCH. */
static int our_terminal(struct sl_ctx *c, int fd)
{
	int dirfd = procs_dir(c->proc);
	char name[48];
	snprintf(name, sizeof(name), "task/%d/fd/%d", (int)c->req->pid, fd);
	int o = dirfd < 0 ? -1 : openat(dirfd, name, O_PATH | O_CLOEXEC);
	if (o < 0)
		return dirfd < 0 ? -ESRCH : errno == ENOENT ? -EBADF : -errno;
	struct stat st, term;
	bool same = fstat(o, &st) == 0 && S_ISCHR(st.st_mode) && fstat(STDIN_FILENO, &term) == 0 &&
		    S_ISCHR(term.st_mode) &&
		    (st.st_rdev == term.st_rdev || st.st_rdev == makedev(TTYAUX_MAJOR, 0));
	close(o);
	if (!mem_pending(&c->mem))
		return -ESRCH;
	return same ? 0 : -ENOTTY;
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
static void on_setpgrp(struct sl_ctx *c, struct sl_action *a)
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
	int r = fd < 0 ? -EBADF : our_terminal(c, fd);
	int err = r < 0 ? (r == -ESRCH ? ENOENT : -r) : set_foreground(STDIN_FILENO, pgid);
	*a = err ? sl_act_errno(err) : sl_act_return(0);
}

/* ioctl(fd, TIOCSWINSZ, &size), notified for an interactive sandbox:
 * the kernel sends SIGWINCH to the terminal's foreground group, whoever
 * it is.  Done by the supervisor on our terminal with its own copy of the
 * size while the foreground is a group of the sandbox; else EPERM (a
 * terminal the sandbox made itself included: which group it signals
 * cannot be told from the fd number, which a thread can dup2 over). */
static void on_winsize(struct sl_ctx *c, struct sl_action *a)
{
	int fd = (int)c->req->data.args[0];
	struct winsize ws;
	if (mem_read(&c->mem, c->req->data.args[2], &ws, sizeof(ws)) < 0) {
		*a = sl_act_errno(EFAULT);
		return;
	}
	int r = fd < 0 ? -EBADF : our_terminal(c, fd);
	if (r < 0) {
		*a = sl_act_errno(r == -ESRCH ? ENOENT : r == -ENOTTY ? EPERM : -r);
		return;
	}
	pid_t fg = tcgetpgrp(STDIN_FILENO);
	if (fg <= 0 || !procs_has_group(&c->sup->procs, fg)) {
		*a = sl_act_errno(EPERM);
		return;
	}
	r = ioctl(STDIN_FILENO, TIOCSWINSZ, &ws) < 0 ? errno : 0;
	*a = r ? sl_act_errno(r) : sl_act_return(0);
}

/* Every notified ioctl comes down each handler on the syscall (the
 * inode ioctls of fsmeta.c too): ours are told apart by the request. */
static void on_ioctl(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	(void)arg;
	uint32_t req = (uint32_t)c->req->data.args[1];
	if (req == TIOCSPGRP)
		on_setpgrp(c, a);
	else if (req == TIOCSWINSZ)
		on_winsize(c, a);
}

static bool active(const struct sl_feature_env *env)
{
	return env->tty_jobs;
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_ioctl,
};

static const sl_hfn handlers[] = {
    [H_on_ioctl] = on_ioctl,
};

static const struct sl_frow tty_rules[] = {
    {{__NR_ioctl, 1, {SL_A32(1, TIOCSPGRP)}}, H_on_ioctl},
    {{__NR_ioctl, 1, {SL_A32(1, TIOCSWINSZ)}}, H_on_ioctl},
};

/* An interactive sandbox handed the terminal (else the filter refuses
 * TIOCSPGRP). */
const struct sl_feature feature_tty = {
    .name = "terminal job control",
    .active = active,
    SL_FRULES(tty_rules, handlers),
};
