/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inotify.c - inotify watches only on what the sandbox may read.
 *
 * Emulate.  Landlock does not see inotify_add_watch: a sandbox could
 * watch a home directory it cannot read and learn every file opened,
 * written or created there, with its name.  The path is read once,
 * resolved and decided by the on-behalf core (onbehalf.h: a readable or
 * writable tree, not a denied one), and the supervisor adds the watch
 * itself, with the child's credentials (the kernel checks read
 * permission on the inode), on our duplicate of the child's inotify fd,
 * through /proc/self/fd/N of the O_PATH fd it checked; the answer is the
 * watch descriptor.  IN_DONT_FOLLOW is honoured by the resolution (the
 * watch then lands on the symlink itself, as the kernel's would) and
 * left out of the mask given here: the magic link of our own fd must be
 * followed to reach the object.
 *
 * fanotify is denied outright (syscalls.c).  Where pidfd_getfd is refused
 * (Docker's default seccomp profile without CAP_SYS_PTRACE), the child's
 * inotify instance cannot be reached: the call is refused with EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "feature.h"
#include "onbehalf.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#ifndef IN_MASK_CREATE /* glibc 2.29 */
#define IN_MASK_CREATE 0x10000000
#endif
/* The kernel's ALL_INOTIFY_BITS: a mask without any of them is EINVAL. */
#define ALL_INOTIFY_BITS                                                                           \
	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | IN_DONT_FOLLOW |   \
	 IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT)

struct inotify_state {
	struct onbehalf *ob;
};

struct watch {
	int ifd; /* our duplicate of the child's inotify instance */
	uint32_t mask;
};

/* With the child's credentials. */
static long watch_op(const struct ob_obj *o, void *arg)
{
	const struct watch *w = arg;
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	int wd = inotify_add_watch(w->ifd, proc, w->mask & ~(uint32_t)IN_DONT_FOLLOW);
	return wd < 0 ? -errno : wd;
}

/* Our duplicate of fd, checked to be an inotify instance (EINVAL
 * otherwise, EBADF for no fd, EPERM where pidfd_getfd is refused). */
static int instance(struct onbehalf *ob, struct sl_ctx *c, int fd)
{
	int our = onbehalf_child_fd(ob, c, fd, OB_FD_ANON);
	if (our == -EACCES || our == -ENOSYS)
		return -EPERM;
	if (our == -ENOTSOCK)
		return -EINVAL; /* not even an anonymous inode */
	if (our < 0)
		return our;
	char link[32], what[32] = "";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", our);
	ssize_t n = readlink(link, what, sizeof(what) - 1);
	if (n < 0 || strncmp(what, "anon_inode:inotify", (size_t)n) != 0 ||
	    n != (ssize_t)strlen("anon_inode:inotify")) {
		close(our);
		return -EINVAL;
	}
	return our;
}

/* emulate: see the file's comment.  The kernel's checks in its order:
 * the mask, the fd, then the path. */
static void on_add_watch(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct inotify_state *st = arg;
	struct watch w = {.ifd = -1, .mask = (uint32_t)c->req->data.args[2]};
	char path[PATH_MAX];
	long r = 0;
	if (!(w.mask & ALL_INOTIFY_BITS) || ((w.mask & IN_MASK_ADD) && (w.mask & IN_MASK_CREATE)))
		r = -EINVAL;
	if (r == 0 && (r = w.ifd = instance(st->ob, c, (int)c->req->data.args[0])) >= 0)
		r = onbehalf_read_path(c, c->req->data.args[1], path, sizeof(path));
	if (r == 0) {
		struct ob_req q = {.dirfd = AT_FDCWD,
				   .path = path,
				   .flags = w.mask & IN_DONT_FOLLOW ? OB_NOFOLLOW : 0,
				   .need = OB_READ,
				   .op = watch_op,
				   .arg = &w};
		r = onbehalf_run(st->ob, c, &q);
	}
	if (w.ifd >= 0)
		close(w.ifd);
	onbehalf_answer(a, r);
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_add_watch,
};

static const sl_hfn handlers[] = {
    [H_on_add_watch] = on_add_watch,
};

static const struct sl_frow inotify_rules[] = {
    {{__NR_inotify_add_watch, 0, {{0}}}, H_on_add_watch},
};

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct inotify_state *st = state;
	return onbehalf_get(s, env->policy, -1, &st->ob);
}

static void release(void *state)
{
	struct inotify_state *st = state;
	onbehalf_put(st->ob);
}

/* Always on: Landlock restricts every sandbox's filesystem. */
const struct sl_feature feature_inotify = {
    .name = "inotify watches",
    SL_FRULES(inotify_rules, handlers),
    .state_size = sizeof(struct inotify_state),
    .init = init,
    .release = release,
};
