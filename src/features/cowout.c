/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowout.c - the seccomp layer: a change whose path leaves the workdir
 * (a ".." above its root, a symlink of it that leads out), made on the
 * host's path the layer continues to (see cowlayer.c).
 *
 * Such a call cannot be continued: the command's cwd is in the upper
 * (cowsteer.c), so the kernel, walking the child's names from there,
 * would reach the branch's storage ("<upper>/../x") or miss a symlink
 * only the upper holds, never the host's directory the view names.  So
 * it is made here, on that absolute path, read once:
 *   - the changes Landlock decides (mkdir, mknod, unlink, rmdir,
 *     truncate, symlink, rename, link) on the executor confined by the
 *     command's own ruleset, with its credentials: the kernel's decision,
 *     as for the command's own call;
 *   - the metadata changes Landlock does not see (chmod, chown, times,
 *     xattrs) by the on-behalf core, which grants them only under a
 *     writable tree (fsmeta.c's rule), on the object it resolves; the
 *     xattr reads, which the kernel would answer, resolved with no
 *     decision.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cowint.h"
#include "onbehalf.h"

struct out_chg {
	const struct job *j;
	const char *a, *b; /* the host's paths (b: a rename's or link's target) */
};

static long sys(long r)
{
	return r < 0 ? -errno : r;
}

/* On the confined executor: the command's Landlock ruleset decides.  The
 * mode was taken with the command's umask; the host's applies again. */
static long landlock_op(void *arg)
{
	const struct out_chg *q = arg;
	const struct job *j = q->j;
	switch (j->op) {
	case OP_MKDIR:
		return sys(mkdir(q->a, j->mode));
	case OP_MKNOD:
		return sys(mknod(q->a, j->mode, 0));
	case OP_UNLINK:
		return sys(unlink(q->a));
	case OP_RMDIR:
		return sys(rmdir(q->a));
	case OP_TRUNCATE:
		return sys(truncate(q->a, j->len));
	case OP_SYMLINK:
		return sys(symlink(j->b, q->a));
	case OP_RENAME:
		return sys(
		    syscall(SYS_renameat2, AT_FDCWD, q->a, AT_FDCWD, q->b, (unsigned)j->flags));
	case OP_LINK:
		return sys(linkat(AT_FDCWD, q->a, AT_FDCWD, q->b,
				  (j->flags & LAYER_FOLLOW) ? AT_SYMLINK_FOLLOW : 0));
	default:
		return -EINVAL;
	}
}

/* On the object the on-behalf core resolved (an O_PATH fd). */
static long meta_op(const struct ob_obj *o, void *arg)
{
	const struct job *j = ((const struct out_chg *)arg)->j;
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	bool link = S_ISLNK(o->st.st_mode);
	switch (j->op) {
	case OP_CHMOD:
		return link ? -EOPNOTSUPP : sys(chmod(proc, j->mode));
	case OP_CHOWN:
		return sys(fchownat(o->fd, "", j->uid, j->gid, AT_EMPTY_PATH));
	case OP_UTIMENS:
		return link ? sys(utimensat(o->fd, "", j->now ? NULL : j->ts, AT_EMPTY_PATH))
			    : sys(utimensat(AT_FDCWD, proc, j->now ? NULL : j->ts, 0));
	case OP_SETXATTR:
		return link ? -EPERM : sys(setxattr(proc, j->name, j->buf, j->size, j->flags));
	case OP_RMXATTR:
		return link ? -EPERM : sys(removexattr(proc, j->name));
	case OP_GETXATTR:
		return link ? -ENODATA : sys(getxattr(proc, j->name, j->buf, j->size));
	case OP_LISTXATTR:
		return link ? 0 : sys(listxattr(proc, j->buf, j->size));
	default:
		return -EINVAL;
	}
}

long cowl_out_change(struct sl_ctx *c, struct cl_state *st, const struct job *j, const char *a,
		     const char *b, int lflags)
{
	struct out_chg q = {.j = j, .a = a, .b = b};
	switch (j->op) {
	case OP_CHMOD:
	case OP_CHOWN:
	case OP_UTIMENS:
	case OP_SETXATTR:
	case OP_RMXATTR:
	case OP_GETXATTR:
	case OP_LISTXATTR: {
		bool read = j->op == OP_GETXATTR || j->op == OP_LISTXATTR;
		struct ob_req r = {.dirfd = AT_FDCWD,
				   .path = a,
				   .flags = (lflags & LAYER_FOLLOW) ? 0 : OB_NOFOLLOW,
				   .need = read ? OB_ANY : OB_WRITE,
				   .op = meta_op,
				   .arg = &q};
		return onbehalf_run(st->ob, c, &r);
	}
	default:
		return onbehalf_call_on(st->ob, c, st->confined, landlock_op, &q);
	}
}
