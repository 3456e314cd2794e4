/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c - what the running kernel offers (sandlock_probe_features).
 *
 * Flag support is probed without side effects: seccomp(SET_MODE_FILTER)
 * with a NULL program fails with EINVAL for an unknown flag and EFAULT for
 * a known one.  The listener-level features (pidfd_getfd, sync wake-up,
 * ADDFD_FLAG_SEND) need a real listener, so a short-lived child installs
 * an allow-all filter with NEW_LISTENER and the parent takes its fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "landlock.h"
#include "privdrop.h"
#include "seccomp_uapi.h"
#include "spawn.h"
#include "util.h"

static bool flag_known(unsigned long flags)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT;
}

/* Child: install an allow-all filter with a listener, report the fd
 * number (or -errno), wait for the parent, exit.  AS-safe calls only. */
struct probe_fds {
	int report_w, gate_r, report_r, gate_w;
};

static int listener_child(void *arg)
{
	const struct probe_fds *f = arg;
	/* so the gate reads EOF when the parent closes it */
	close(f->report_r);
	close(f->gate_w);
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = 1, .filter = &allow};
	int v = -EPERM;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
		v = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				 SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		if (v < 0)
			v = -errno;
	}
	(void)!write(f->report_w, &v, sizeof(v));
	char c;
	(void)!read(f->gate_r, &c, 1);
	_exit(0);
}

static void probe_listener(sandlock_features_t *f)
{
	int rep[2], gate[2];
	if (pipe2(rep, O_CLOEXEC) < 0)
		return;
	if (pipe2(gate, O_CLOEXEC) < 0) {
		close(rep[0]);
		close(rep[1]);
		return;
	}
	int pidfd = -1;
	sigset_t all, old;
	sigfillset(&all);
	struct probe_fds fds = {rep[1], gate[0], rep[0], gate[1]};
	/* runs on its own copy of this array: the clone is fork-style */
	char stack[16384] __attribute__((aligned(16)));
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid_t pid = spawn_clone_fn(listener_child, &fds, stack, sizeof(stack), &pidfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(rep[1]);
	close(gate[0]);
	int v = 0;
	if (pid > 0 && read(rep[0], &v, sizeof(v)) == (ssize_t)sizeof(v)) {
		f->nested_listener = v == -EBUSY;
		int fd = v >= 0 ? (int)syscall(SYS_pidfd_getfd, pidfd, v, 0U) : -1;
		f->pidfd_getfd = fd >= 0;
		if (fd >= 0) {
			f->sync_wake_up = ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
						SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
			struct seccomp_notif_addfd a = {.id = 0, .flags = SECCOMP_ADDFD_FLAG_SEND};
			/* no such notification: ENOENT if the flag is known */
			f->addfd_send =
			    ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a) < 0 && errno == ENOENT;
			close(fd);
		}
	}
	close(gate[1]);
	close(rep[0]);
	if (pid > 0) {
		spawn_reap(pidfd, NULL);
		close(pidfd);
	}
}

/* Callers built against an older header pass the old size: a field
 * appended must fit the old padding, or the size check must learn it. */
_Static_assert(sizeof(sandlock_features_t) == 20, "sandlock_features_t changed size");

SL_API int sandlock_probe_features(sandlock_features_t *out)
{
	sl_error_clear();
	if (!out || out->size < sizeof(*out))
		return sl_errorf(EINVAL, "sandlock_probe_features: size must be set"), -1;
	sandlock_features_t f = {.size = sizeof(f)};
	int abi = landlock_abi();
	f.landlock_abi = abi < 0 ? -1 : abi;
	f.landlock_errno = abi < 0 ? -abi : 0;
	f.seccomp_filter = flag_known(0);
	f.user_notif = flag_known(SECCOMP_FILTER_FLAG_NEW_LISTENER);
	f.wait_killable_recv =
	    flag_known(SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	if (f.user_notif)
		probe_listener(&f);
	f.caps_held = privdrop_caps_held();
	*out = f;
	return 0;
}
