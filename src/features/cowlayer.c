/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowlayer.c - the seccomp copy-on-write layer: a workdir with
 * fs_isolation none.  No mount and no namespace: the supervisor serves
 * every path call that lands in the workdir from the branch's merged view
 * (src/cow/layer.h: the upper, the staged changes, over the workdir), and
 * the branch ends as overlay mode's does (cow.h: commit, abort, keep, dry
 * run).
 *
 * Emulate.  Each trapped call's path is read once (onbehalf_read_path)
 * and placed as the calling thread's kernel would start it: an absolute
 * path as given (the sandbox's root is the host's: chroot is refused with
 * a workdir), /proc/self/{cwd,root,fd/N} (and thread-self, /proc/<own
 * pid>) from the magic link's target, a relative one from the thread's
 * cwd or the dirfd, each base named by the kernel (the d_path of an
 * O_PATH fd we open on it: no text of the child's).  A base in the upper
 * (a directory fd the layer handed out, a cwd there) is renamed to the
 * workdir's name.  "//" and "/./" are collapsed; what then lies under the
 * workdir is the layer's, walked by fd (layer.h: "..", symlinks, and a
 * way out are the layer's to judge), and the answer is the layer's;
 * anything else goes on down the chain unchanged.  The operation runs
 * with the child's credentials (onbehalf_call: the kernel's permission
 * checks are the child's, never a root supervisor's capabilities).
 *
 * A path that leaves the workdir through a symlink in it (the layer's
 * LAYER_OUTSIDE): an open, a stat, a readlink and an access are made by
 * the on-behalf core on the absolute path it continues to (decided on the
 * policy's trees, beneath the sandbox's root); other calls go on down the
 * chain (the kernel then resolves the child's path under Landlock, which
 * grants nothing but reading in the workdir and its upper).
 *
 * Opens come from the open chain's entry (synthetic.c, cowlayer_open):
 * the fd the layer opens is injected (SECCOMP_ADDFD_FLAG_SEND, the
 * command's O_CLOEXEC).  An O_PATH open cannot be injected (the kernel's
 * fget refuses an O_PATH file): one the lower holds is continued (the
 * kernel opens the same lower object; O_PATH reads nothing, and every
 * call through it comes back here), one the upper holds is opened for
 * reading instead.  Listings of a directory fd the layer handed out are
 * the merged snapshot (layer_readdir), paged at the open file's position
 * (the fetcher's duplicate, as dirs.c).  Calls that change an inode
 * through an fd (fchmod, fchown, fsetxattr, fremovexattr, futimens) on a
 * workdir file are done by path in the layer.
 *
 * chdir and execve: see on_chdir and on_exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "aschild.h"
#include "cow.h"
#include "cowlayer.h"
#include "error.h"
#include "feature.h"
#include "layer.h"
#include "mem.h"
#include "onbehalf.h"
#include "policy.h"
#include "procs.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "syscalls.h"
#include "util.h"

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

#define CL_DIRS 16 /* listings kept per sandbox */

/* One listing served from the open file at position next. */
struct cl_dir {
	bool used;
	dev_t dev;
	ino_t ino;
	uint64_t next, clock;
	struct layer_dir d;
};

struct cl_state {
	struct onbehalf *ob;
	struct layer l;
	int lower, upper, work;
	char wd[PATH_MAX]; /* the workdir's canonical name */
	char up[PATH_MAX]; /* the upper's */
	size_t wdl, upl;
	uint64_t max_disk; /* 0: none */
	struct cl_dir dirs[CL_DIRS];
	uint64_t clock;
	/* the opens outside the workdir: made under the command's own
	 * Landlock ruleset (the kernel's decision on the object we hold) */
	struct aschild *confined;
	int ruleset;
	bool dev_fd; /* /dev/fd is the host's link to /proc/self/fd */
};

static const struct sl_feature *self(void);

/* ---- placing a path ------------------------------------------------------------- */

/* The kernel's name of an fd of ours: 0, -ESTALE for an object with no
 * name (removed, anonymous), or -errno. */
static int fd_name(int fd, char *buf, size_t size)
{
	static const char del[] = " (deleted)";
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(p, buf, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = 0;
	size_t dl = sizeof(del) - 1;
	if (buf[0] != '/' || ((size_t)n >= dl && !strcmp(buf + n - dl, del)))
		return -ESTALE;
	return 0;
}

/* "//" and "/./" collapsed (the kernel reads them as "/"). */
static void clean(char *p)
{
	char *w = p;
	for (const char *r = p; *r;) {
		if (r[0] == '/' && (r[1] == '/' || (r[1] == '.' && r[2] == '/'))) {
			r += r[1] == '/' ? 1 : 2;
			continue;
		}
		*w++ = *r++;
	}
	*w = 0;
}

static bool under(const char *p, const char *dir, size_t dl)
{
	return !strncmp(p, dir, dl) && (p[dl] == '/' || p[dl] == 0);
}

/* abs named in the workdir's terms (an upper name renamed): 1 when it is
 * under the workdir, 0 when not, -ENAMETOOLONG. */
static int to_workdir(const struct cl_state *st, char *abs)
{
	if (under(abs, st->up, st->upl)) {
		size_t rest = strlen(abs + st->upl);
		if (st->wdl + rest + 1 > PATH_MAX)
			return -ENAMETOOLONG;
		memmove(abs + st->wdl, abs + st->upl, rest + 1);
		memcpy(abs, st->wd, st->wdl);
		return 1;
	}
	return under(abs, st->wd, st->wdl);
}

/* The notifying thread's entry name (cwd, fd/N, root) of its bound /proc
 * directory, opened O_PATH (following the magic link), the notification
 * still pending after. */
static int task_entry(struct sl_ctx *c, const char *name, int flags)
{
	int dir = procs_dir(c->proc);
	char path[64];
	snprintf(path, sizeof(path), "task/%d/%s", (int)c->req->pid, name);
	int fd = dir < 0 ? -ESRCH : openat(dir, path, O_PATH | O_CLOEXEC | flags);
	if (fd < 0)
		return dir < 0 ? -ESRCH : -errno;
	if (!mem_pending(&c->mem)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* The kernel's name of the base a path starts from. */
static int base_name(struct sl_ctx *c, int dirfd, char *out)
{
	int fd =
	    dirfd == AT_FDCWD ? task_entry(c, "cwd", O_DIRECTORY) : onbehalf_fd_object(c, dirfd);
	if (fd < 0)
		return fd;
	int r = fd_name(fd, out, PATH_MAX);
	close(fd);
	return r;
}

/* A /proc/self path's magic link (onbehalf.h), its target's name in base
 * and the rest of the path in *rest: 1, 0 when path is no such link (or
 * names the link itself, nofollow), -errno. */
static int magic_base(struct sl_ctx *c, const char *path, bool nofollow, char *base,
		      const char **rest, char *rel)
{
	int r = onbehalf_proc_self(path, c->proc->pid, (int)c->req->pid, rel, PATH_MAX);
	if (r <= 0)
		return r;
	struct ob_magic m;
	onbehalf_magic(rel, &m);
	if (!m.len || (!*m.rest && nofollow))
		return 0;
	char entry[64];
	int dir = procs_dir(c->proc);
	snprintf(entry, sizeof(entry), "%.*s", (int)m.len, rel);
	int fd = dir < 0 ? -ESRCH : openat(dir, entry, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return dir < 0 ? -ESRCH : 0; /* the kernel's answer */
	r = mem_pending(&c->mem) ? fd_name(fd, base, PATH_MAX) : -ESRCH;
	close(fd);
	*rest = m.rest;
	return r < 0 ? r : 1;
}

struct place {
	char abs[PATH_MAX]; /* in the workdir's names, for the layer */
	char raw[PATH_MAX]; /* the kernel's names (before the upper's renaming) */
};

/* Where the thread's (dirfd, path) lands: 1 when under the workdir (p
 * filled), 0 when not the layer's, or -errno.  empty: AT_EMPTY_PATH;
 * nofollow: a final magic link is the object itself. */
static int place(struct cl_state *st, struct sl_ctx *c, int dirfd, const char *path, bool empty,
		 bool nofollow, struct place *p)
{
	char base[PATH_MAX], rel[PATH_MAX];
	const char *rest = path;
	int r;
	if (path[0] == '/') {
		r = magic_base(c, path, nofollow, base, &rest, rel);
		if (r == 0 && (rest = path, 1))
			base[0] = 0;
	} else if (!path[0] && !empty) {
		return -ENOENT;
	} else {
		r = base_name(c, dirfd, base);
	}
	if (r == -ESTALE)
		return 0; /* a removed base: nothing of the layer is beneath it */
	if (r < 0)
		return r;
	const char *sep = !base[0] || !rest[0] || !strcmp(base, "/") ? "" : "/";
	int n = snprintf(p->raw, sizeof(p->raw), "%s%s%s", base, sep, rest);
	if (n < 0 || (size_t)n >= sizeof(p->raw))
		return -ENAMETOOLONG;
	clean(p->raw);
	memcpy(p->abs, p->raw, strlen(p->raw) + 1);
	return to_workdir(st, p->abs);
}

/* ---- the operations (with the child's credentials) ------------------------------ */

enum cl_op {
	OP_OPEN,
	OP_STAT,
	OP_READLINK,
	OP_ACCESS,
	OP_UNLINK,
	OP_RMDIR,
	OP_MKDIR,
	OP_MKNOD,
	OP_RENAME,
	OP_LINK,
	OP_SYMLINK,
	OP_CHMOD,
	OP_CHOWN,
	OP_UTIMENS,
	OP_TRUNCATE,
	OP_SETXATTR,
	OP_GETXATTR,
	OP_LISTXATTR,
	OP_RMXATTR,
	OP_LOOKUP,
	OP_USAGE,
	OP_LINKFD,
	OP_READDIR,
	OP_MATERIALIZE,
};

struct job {
	struct cl_state *st;
	enum cl_op op;
	const char *a, *b; /* paths (b: rename's, link's target; symlink's target text) */
	int flags;	   /* the layer's (LAYER_FOLLOW), or open's, or rename's */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool now;
	struct timespec ts[2];
	off_t len;
	char name[XATTR_NAME_MAX + 1];
	void *buf;
	size_t size;
	struct stat sb;
	struct layer_node n;   /* OP_LOOKUP */
	int fd;		       /* OP_LINKFD */
	struct layer_dir *dir; /* OP_READDIR */
};

static long run_op(void *arg)
{
	struct job *j = arg;
	const struct layer *l = &j->st->l;
	switch (j->op) {
	case OP_OPEN:
		return layer_open(l, j->a, j->flags, j->mode);
	case OP_STAT:
		return layer_stat(l, j->a, j->flags, &j->sb);
	case OP_READLINK:
		return layer_readlink(l, j->a, j->buf, j->size);
	case OP_ACCESS:
		return layer_access(l, j->a, (int)j->mode, j->flags);
	case OP_UNLINK:
		return layer_unlink(l, j->a);
	case OP_RMDIR:
		return layer_rmdir(l, j->a);
	case OP_MKDIR:
		return layer_mkdir(l, j->a, j->mode);
	case OP_MKNOD:
		return layer_mknod(l, j->a, j->mode);
	case OP_RENAME:
		return layer_rename(l, j->a, j->b, (unsigned)j->flags);
	case OP_LINK:
		return layer_link(l, j->a, j->b, j->flags);
	case OP_SYMLINK:
		return layer_symlink(l, j->b, j->a);
	case OP_CHMOD:
		return layer_chmod(l, j->a, j->mode, j->flags);
	case OP_CHOWN:
		return layer_chown(l, j->a, j->uid, j->gid, j->flags);
	case OP_UTIMENS:
		return layer_utimens(l, j->a, j->now ? NULL : j->ts, j->flags);
	case OP_TRUNCATE:
		return layer_truncate(l, j->a, j->len);
	case OP_SETXATTR:
		return layer_setxattr(l, j->a, j->name, j->buf, j->size, j->flags);
	case OP_GETXATTR:
		return layer_getxattr(l, j->a, j->name, j->buf, j->size);
	case OP_LISTXATTR:
		return layer_listxattr(l, j->a, j->buf, j->size);
	case OP_RMXATTR:
		return layer_removexattr(l, j->a, j->name);
	case OP_LOOKUP:
		return layer_lookup(l, j->a, j->flags, &j->n);
	case OP_USAGE:
		return (long)layer_usage(l);
	case OP_LINKFD:
		return layer_link_fd(l, j->fd, j->a);
	case OP_READDIR:
		return layer_readdir(l, j->a, j->dir);
	case OP_MATERIALIZE:
		return layer_materialize(l, j->a);
	}
	return -EINVAL;
}

static long job_run(struct sl_ctx *c, struct job *j)
{
	return onbehalf_call(j->st->ob, c, run_op, j);
}

/* max_disk: the upper's bytes and growth more past the limit: ENOSPC. */
static long quota(struct sl_ctx *c, struct cl_state *st, uint64_t growth)
{
	if (!st->max_disk)
		return 0;
	struct job j = {.st = st, .op = OP_USAGE};
	long u = job_run(c, &j);
	if (u < 0)
		return u;
	return (uint64_t)u + growth >= st->max_disk && (growth || (uint64_t)u >= st->max_disk)
		   ? -ENOSPC
		   : 0;
}

/* The command's umask (its status, written by the kernel: the Name line
 * before it is escaped, so no name forges this line). */
static mode_t umask_of(struct sl_ctx *c)
{
	int dir = procs_dir(c->proc);
	char name[48], buf[2048];
	snprintf(name, sizeof(name), "task/%d/status", (int)c->req->pid);
	int fd = dir < 0 ? -1 : openat(dir, name, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 022;
	buf[n] = 0;
	const char *u = strstr(buf, "\nUmask:");
	return u ? (mode_t)strtoul(u + 7, NULL, 8) & 0777 : 022;
}

/* ---- outside through a symlink: the on-behalf core -------------------------------- */

struct out_q {
	int op; /* OP_OPEN, OP_STAT, OP_READLINK, OP_ACCESS */
	int flags;
	int mode;
	struct stat sb;
	char *buf;
	size_t size;
};

static long out_op(const struct ob_obj *o, void *arg)
{
	struct out_q *q = arg;
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	long r;
	switch (q->op) {
	case OP_OPEN:
		r = open(proc, (q->flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC)) | O_CLOEXEC);
		if (r >= 0 && (q->flags & O_TRUNC) && ftruncate((int)r, 0) < 0) {
			close((int)r);
			return -errno;
		}
		return r < 0 ? -errno : r;
	case OP_STAT:
		q->sb = o->st;
		return 0;
	case OP_READLINK:
		r = readlinkat(o->fd, "", q->buf, q->size);
		return r < 0 ? -errno : r;
	case OP_ACCESS:
		r = faccessat(o->fd, "", q->mode, AT_EMPTY_PATH | AT_EACCESS);
		return r < 0 ? -errno : 0;
	}
	return -EINVAL;
}

/* The layer answered EXDEV: where the path continues outside the workdir,
 * or 0 when it does not (a mount point inside). */
static int outside_of(struct sl_ctx *c, struct cl_state *st, const char *abs, int lflags, char *out)
{
	struct job j = {.st = st, .op = OP_LOOKUP, .a = abs, .flags = lflags};
	long r = job_run(c, &j);
	if (r == LAYER_OUTSIDE)
		snprintf(out, PATH_MAX, "%s", j.n.outside);
	if (r >= 0)
		layer_node_put(&j.n);
	return r == LAYER_OUTSIDE ? 1 : 0;
}

/* A path the layer left through the workdir's ".." ("<wd>/../rest"):
 * the workdir's parent (the workdir's name is canonical: no symlink in
 * it) joined to the rest.  1 when that is in the workdir again (out
 * rewritten, for the layer), else 0. */
static int back_inside(const struct cl_state *st, char *out)
{
	char t[PATH_MAX];
	size_t pl = (size_t)(strrchr(st->wd, '/') - st->wd);
	for (int i = 0;
	     i < LAYER_MAX_LINKS && under(out, st->wd, st->wdl) &&
	     !strncmp(out + st->wdl, "/..", 3) && (out[st->wdl + 3] == '/' || !out[st->wdl + 3]);
	     i++) {
		int n = snprintf(t, sizeof(t), "%.*s%s", (int)pl, st->wd, out + st->wdl + 3);
		if (n < 0 || (size_t)n >= sizeof(t))
			return 0;
		snprintf(out, PATH_MAX, "%s", t[0] ? t : "/");
	}
	clean(out);
	return to_workdir(st, out) == 1;
}

/* j on the layer; a path that left the workdir by its ".." and came back
 * (back_inside) is walked again, its name in abs (PATH_MAX bytes). */
static long layer_call(struct sl_ctx *c, struct job *j, char *abs, int lflags)
{
	long r = job_run(c, j);
	char out[PATH_MAX];
	for (int i = 0; i < LAYER_MAX_LINKS && r == -EXDEV; i++) {
		if (!outside_of(c, j->st, j->a, lflags, out) || !back_inside(j->st, out))
			break;
		memcpy(abs, out, strlen(out) + 1);
		j->a = abs;
		r = job_run(c, j);
	}
	return r;
}

static long outside_run(struct sl_ctx *c, struct cl_state *st, const char *abs, int lflags,
			struct out_q *q)
{
	char out[PATH_MAX];
	if (!outside_of(c, st, abs, lflags, out))
		return -EXDEV;
	bool write =
	    q->op == OP_OPEN && ((q->flags & O_ACCMODE) != O_RDONLY || (q->flags & O_TRUNC));
	struct ob_req r = {.dirfd = AT_FDCWD,
			   .path = out,
			   .flags = (lflags & LAYER_FOLLOW) ? 0 : OB_NOFOLLOW,
			   .need = q->op != OP_OPEN ? OB_ANY
				   : write	    ? OB_WRITE
						    : OB_READ,
			   .op = out_op,
			   .arg = q};
	return onbehalf_run(st->ob, c, &r);
}

/* ---- opens ------------------------------------------------------------------------- */

static bool writes(uint64_t flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) ||
	       (flags & O_TMPFILE) == O_TMPFILE;
}

static struct sl_action inject(long fd, uint64_t flags)
{
	if (fd < 0)
		return sl_act_errno((int)-fd);
	return (struct sl_action){.kind = SL_ACT_INJECT_SEND,
				  .fd = (int)fd,
				  .fd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0};
}

/* O_PATH: see the file's comment. */
static void open_path(struct sl_ctx *c, struct sl_action *a, struct cl_state *st, const char *abs,
		      uint64_t flags)
{
	struct job j = {
	    .st = st, .op = OP_LOOKUP, .a = abs, .flags = (flags & O_NOFOLLOW) ? 0 : LAYER_FOLLOW};
	long r = job_run(c, &j);
	bool upper = r == 0 && j.n.where == LAYER_UPPER, none = r == 0 && j.n.where == LAYER_NONE;
	bool dir = r == 0 && S_ISDIR(j.n.st.st_mode);
	if (r >= 0)
		layer_node_put(&j.n);
	if (r == LAYER_OUTSIDE || (r == 0 && !upper && !none)) {
		*a = sl_act_continue();
		return;
	}
	if (r == 0 && none)
		r = -ENOENT;
	if (r == 0) {
		j = (struct job){.st = st,
				 .op = OP_OPEN,
				 .a = abs,
				 .flags = O_RDONLY | (dir ? O_DIRECTORY : 0) |
					  (int)(flags & O_NOFOLLOW)};
		r = job_run(c, &j);
	}
	*a = inject(r, flags);
}

bool cowlayer_open(struct sl_ctx *c, struct sl_action *a, int dirfd, const char *path,
		   uint64_t flags, uint64_t mode)
{
	struct cl_state *st = supervisor_feature_state(c->sup, self());
	if (!st)
		return false;
	struct place *p = malloc(sizeof(*p));
	int r = p ? place(st, c, dirfd, path, false, flags & O_NOFOLLOW, p) : -ENOMEM;
	if (r == 0) {
		free(p);
		return false;
	}
	long fd = r < 0 ? r : 0;
	if (fd == 0 && (flags & O_PATH)) {
		open_path(c, a, st, p->abs, flags);
		free(p);
		return true;
	}
	if (fd == 0 && writes(flags))
		fd = quota(c, st, 0);
	if (fd == 0) {
		mode_t m = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
			       ? (mode_t)mode & 07777 & ~umask_of(c)
			       : 0;
		struct job j = {
		    .st = st, .op = OP_OPEN, .a = p->abs, .flags = (int)flags, .mode = m};
		fd = layer_call(c, &j, p->abs,
				(flags & O_NOFOLLOW) ||
					(flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)
				    ? 0
				    : LAYER_FOLLOW);
	}
	if (fd == -EXDEV) {
		struct out_q q = {.op = OP_OPEN, .flags = (int)flags};
		fd = outside_run(c, st, p->abs, (flags & O_NOFOLLOW) ? 0 : LAYER_FOLLOW, &q);
	}
	free(p);
	*a = inject(fd, flags);
	return true;
}

/* ---- every other open: made here, under the command's ruleset ---------------- */

/* An open that does not land in the workdir is still never continued:
 * the kernel would read the path again, and a thread rewriting it in
 * between would have the kernel open a lower file the layer removed
 * (Landlock lets the command read the workdir: its execs need it).  So
 * the path, read once more here (a fresh decision: the views before us
 * answered on their own read), is placed again (the workdir's: the
 * layer), else resolved as the thread would (the on-behalf core, no
 * decision) to an object we hold: one in the workdir or the upper (met
 * through a symlink outside, a member's /proc/<pid>/cwd) is the layer's
 * by its name; anything else is opened again through /proc/self/fd/N on
 * an executor confined by the command's own Landlock ruleset, with its
 * credentials: the kernel's decision on that very object.  A FIFO opens
 * without blocking the supervisor (a writer with no reader: ENXIO).
 * O_PATH reads nothing and is continued (a reopen through its
 * /proc/self/fd/N comes back here). */

struct reopen {
	int fd; /* ours: the object, or the directory to create base in */
	const char *base;
	int flags;
	mode_t mode;
};

static long keep_obj(const struct ob_obj *o, void *arg)
{
	(void)arg;
	int d = fcntl(o->fd, F_DUPFD_CLOEXEC, 3);
	if (d < 0)
		return -errno;
	return d;
}

static long reopen_op(void *arg)
{
	const struct reopen *q = arg;
	int fl = (q->flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC | O_NOCTTY;
	struct stat sb;
	if (q->base) { /* a name made in the directory q->fd */
		int fd = (q->flags & O_EXCL) ? -1 : openat(q->fd, q->base, fl | O_NOFOLLOW);
		if (fd < 0 && ((q->flags & O_EXCL) || errno == ENOENT))
			fd = openat(q->fd, q->base, fl | O_NOFOLLOW | O_CREAT | O_EXCL, q->mode);
		return fd < 0 ? -errno : fd;
	}
	if ((q->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	bool fifo = fstat(q->fd, &sb) == 0 && S_ISFIFO(sb.st_mode) && !(fl & O_NONBLOCK);
	char link[32];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", q->fd);
	int fd = open(link, fl | (fifo ? O_NONBLOCK : 0));
	if (fd >= 0 && fifo && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK & ~O_ACCMODE) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd < 0 ? -errno : fd;
}

/* The object (or, for a missing name with O_CREAT, its directory and
 * base) resolved as the thread would: an fd of ours, or -errno. */
static long resolve_any(struct sl_ctx *c, struct cl_state *st, int dirfd, char *path, int flags,
			struct reopen *q)
{
	struct ob_req r = {.dirfd = dirfd,
			   .path = path,
			   .flags = (flags & O_NOFOLLOW) ? OB_NOFOLLOW : 0,
			   .need = OB_ANY,
			   .op = keep_obj};
	long fd = onbehalf_run(st->ob, c, &r);
	if (fd != -ENOENT || !(flags & O_CREAT))
		return fd;
	char *slash = strrchr(path, '/');
	q->base = slash ? slash + 1 : path;
	if (slash)
		*slash = 0;
	r.path = !slash ? "." : slash == path ? "/" : path;
	r.flags = 0;
	if (!*q->base || !strcmp(q->base, ".") || !strcmp(q->base, ".."))
		return -EISDIR;
	return onbehalf_run(st->ob, c, &r);
}

/* /dev/fd/N, /dev/stdin, /dev/stdout, /dev/stderr: the host's links to
 * /proc/self/fd, which the on-behalf core would follow to the
 * supervisor's own /proc/self; named as the caller's instead (the core
 * opens those through its bound /proc directory). */
static void dev_fd(const struct cl_state *st, char *path)
{
	static const struct {
		const char *from, *to;
	} links[] = {{"/dev/fd/", "/proc/self/fd/"},
		     {"/dev/stdin", "/proc/self/fd/0"},
		     {"/dev/stdout", "/proc/self/fd/1"},
		     {"/dev/stderr", "/proc/self/fd/2"}};
	if (!st->dev_fd)
		return;
	for (size_t i = 0; i < SL_ARRAY_SIZE(links); i++) {
		size_t fl = strlen(links[i].from), tl = strlen(links[i].to);
		bool dir = links[i].from[fl - 1] == '/';
		if (strncmp(path, links[i].from, fl) != 0 || (!dir && path[fl] != 0))
			continue;
		size_t rest = strlen(path + fl);
		if (tl + rest + 1 > PATH_MAX)
			return;
		memmove(path + tl, path + fl, rest + 1);
		memcpy(path, links[i].to, tl);
		return;
	}
}

/* 1 when the object we hold (fd) is the workdir's or the upper's: its
 * name in the workdir's terms in abs. */
static int held_in_layer(struct cl_state *st, int fd, char *abs)
{
	return fd_name(fd, abs, PATH_MAX) == 0 && to_workdir(st, abs) == 1;
}

static void on_tail_open(struct sl_ctx *c, struct sl_action *a, int dirfd, uint64_t addr,
			 uint64_t flags, uint64_t mode)
{
	struct cl_state *st = supervisor_feature_state(c->sup, self());
	*a = sl_act_continue();
	if (!st || (flags & O_PATH))
		return;
	char *path = malloc(PATH_MAX), *abs = malloc(PATH_MAX);
	long r = path && abs ? onbehalf_read_path(c, addr, path, PATH_MAX) : -ENOMEM;
	if (r == 0 && cowlayer_open(c, a, dirfd, path, flags, mode)) {
		free(path);
		free(abs);
		return;
	}
	struct reopen q = {.fd = -1, .flags = (int)flags};
	if (r == 0 && (flags & O_CREAT))
		q.mode = (mode_t)mode & 07777 & ~umask_of(c);
	if (r == 0)
		dev_fd(st, path);
	if (r == 0)
		r = q.fd = (int)resolve_any(c, st, dirfd, path, (int)flags, &q);
	if (r >= 0 && !q.base && held_in_layer(st, q.fd, abs)) {
		struct job j = {.st = st, .op = OP_OPEN, .a = abs, .flags = (int)flags & ~O_CREAT};
		r = writes(flags) ? quota(c, st, 0) : 0;
		if (r == 0)
			r = job_run(c, &j);
	} else if (r >= 0) {
		r = onbehalf_call_on(st->ob, c, st->confined, reopen_op, &q);
	}
	if (q.fd >= 0)
		close(q.fd);
	free(path);
	free(abs);
	*a = inject(r, flags);
}

static void on_tail_openat(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	(void)arg_;
	const __u64 *r = c->req->data.args;
	on_tail_open(c, a, (int)(int32_t)r[0], r[1], r[2], r[3]);
}

#ifdef __NR_open
static void on_tail_open_legacy(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	(void)arg_;
	const __u64 *r = c->req->data.args;
	on_tail_open(c, a, AT_FDCWD, r[0], r[1], r[2]);
}
#endif

#ifdef __NR_creat
static void on_tail_creat(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	(void)arg_;
	const __u64 *r = c->req->data.args;
	on_tail_open(c, a, AT_FDCWD, r[0], O_CREAT | O_WRONLY | O_TRUNC, r[1]);
}
#endif

/* ---- path calls ---------------------------------------------------------------------- */

/* Where a call keeps its arguments (-1: not there). */
struct pcall {
	int nr;
	enum cl_op op;
	int dirfd, path, flags;
	int lflags; /* LAYER_FOLLOW when the call follows a final symlink */
};

static const struct pcall pcalls[] = {
#ifdef __NR_stat
    {__NR_stat, OP_STAT, -1, 0, -1, LAYER_FOLLOW},
    {__NR_lstat, OP_STAT, -1, 0, -1, 0},
#endif
    {__NR_newfstatat, OP_STAT, 0, 1, 3, LAYER_FOLLOW},
    {__NR_statx, OP_STAT, 0, 1, 2, LAYER_FOLLOW},
#ifdef __NR_access
    {__NR_access, OP_ACCESS, -1, 0, -1, LAYER_FOLLOW},
#endif
    {__NR_faccessat, OP_ACCESS, 0, 1, -1, LAYER_FOLLOW},
    {__NR_faccessat2, OP_ACCESS, 0, 1, 3, LAYER_FOLLOW},
#ifdef __NR_readlink
    {__NR_readlink, OP_READLINK, -1, 0, -1, 0},
#endif
    {__NR_readlinkat, OP_READLINK, 0, 1, -1, 0},
#ifdef __NR_unlink
    {__NR_unlink, OP_UNLINK, -1, 0, -1, 0},
    {__NR_rmdir, OP_RMDIR, -1, 0, -1, 0},
    {__NR_mkdir, OP_MKDIR, -1, 0, -1, 0},
    {__NR_mknod, OP_MKNOD, -1, 0, -1, 0},
    {__NR_chmod, OP_CHMOD, -1, 0, -1, LAYER_FOLLOW},
    {__NR_chown, OP_CHOWN, -1, 0, -1, LAYER_FOLLOW},
    {__NR_lchown, OP_CHOWN, -1, 0, -1, 0},
#endif
    {__NR_unlinkat, OP_UNLINK, 0, 1, 2, 0},
    {__NR_mkdirat, OP_MKDIR, 0, 1, -1, 0},
    {__NR_mknodat, OP_MKNOD, 0, 1, -1, 0},
    {__NR_fchmodat, OP_CHMOD, 0, 1, -1, LAYER_FOLLOW},
    {__NR_fchmodat2, OP_CHMOD, 0, 1, 3, LAYER_FOLLOW},
    {__NR_fchownat, OP_CHOWN, 0, 1, 4, LAYER_FOLLOW},
    {__NR_utimensat, OP_UTIMENS, 0, 1, 3, LAYER_FOLLOW},
#ifdef __NR_utimes
    {__NR_utimes, OP_UTIMENS, -1, 0, -1, LAYER_FOLLOW},
#endif
#ifdef __NR_utime
    {__NR_utime, OP_UTIMENS, -1, 0, -1, LAYER_FOLLOW},
#endif
#ifdef __NR_futimesat
    {__NR_futimesat, OP_UTIMENS, 0, 1, -1, LAYER_FOLLOW},
#endif
    {__NR_truncate, OP_TRUNCATE, -1, 0, -1, LAYER_FOLLOW},
    {__NR_setxattr, OP_SETXATTR, -1, 0, -1, LAYER_FOLLOW},
    {__NR_lsetxattr, OP_SETXATTR, -1, 0, -1, 0},
    {__NR_getxattr, OP_GETXATTR, -1, 0, -1, LAYER_FOLLOW},
    {__NR_lgetxattr, OP_GETXATTR, -1, 0, -1, 0},
    {__NR_listxattr, OP_LISTXATTR, -1, 0, -1, LAYER_FOLLOW},
    {__NR_llistxattr, OP_LISTXATTR, -1, 0, -1, 0},
    {__NR_removexattr, OP_RMXATTR, -1, 0, -1, LAYER_FOLLOW},
    {__NR_lremovexattr, OP_RMXATTR, -1, 0, -1, 0},
};

static const struct pcall *pcall_of(int nr)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(pcalls); i++)
		if (pcalls[i].nr == nr)
			return &pcalls[i];
	return NULL;
}

static uint64_t arg(const struct sl_ctx *c, int i)
{
	return i >= 0 && i < 6 ? c->req->data.args[i] : 0;
}

/* The AT_ flags of k: *lflags (the layer's follow), *empty; -EINVAL for
 * bits the call does not take. */
static int at_flags(const struct sl_ctx *c, const struct pcall *k, int *lflags, bool *empty,
		    unsigned int *f)
{
	*lflags = k->lflags;
	*empty = false;
	*f = k->flags >= 0 ? (unsigned int)arg(c, k->flags) : 0;
	if (k->op == OP_UNLINK)
		return *f & ~(unsigned)AT_REMOVEDIR ? -EINVAL : 0;
	unsigned int ok = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
			  (k->op == OP_ACCESS ? AT_EACCESS : 0) |
			  (k->nr == __NR_statx ? AT_STATX_SYNC_TYPE : 0);
	if (*f & ~ok)
		return -EINVAL;
	if (*f & AT_SYMLINK_NOFOLLOW)
		*lflags = 0;
	*empty = *f & AT_EMPTY_PATH;
	return 0;
}

/* The times of utimes/futimesat/utime/utimensat, as the kernel checks
 * them (NULL: now).  1: both UTIME_OMIT, nothing to do. */
static int read_times(struct sl_ctx *c, int nr, uint64_t addr, struct job *j)
{
	if (!addr) {
		j->now = true;
		return 0;
	}
#ifdef __NR_utime
	if (nr == __NR_utime) {
		struct utimbuf ub;
		if (mem_read(&c->mem, addr, &ub, sizeof(ub)) < 0)
			return -EFAULT;
		j->ts[0] = (struct timespec){ub.actime, 0};
		j->ts[1] = (struct timespec){ub.modtime, 0};
		return 0;
	}
#endif
	if (nr != __NR_utimensat) {
		struct timeval tv[2];
		if (mem_read(&c->mem, addr, tv, sizeof(tv)) < 0)
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			j->ts[i] = (struct timespec){tv[i].tv_sec, tv[i].tv_usec * 1000};
		}
		return 0;
	}
	if (mem_read(&c->mem, addr, j->ts, sizeof(j->ts)) < 0)
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		long ns = j->ts[i].tv_nsec;
		if (!((ns >= 0 && ns <= 999999999) || ns == UTIME_NOW || ns == UTIME_OMIT))
			return -EINVAL;
	}
	return j->ts[0].tv_nsec == UTIME_OMIT && j->ts[1].tv_nsec == UTIME_OMIT;
}

/* An xattr call's name (and setxattr's value, flags), as the kernel
 * checks them. */
static int read_xattr(struct sl_ctx *c, const uint64_t *a, struct job *j)
{
	size_t len;
	int r = mem_read_cstr(&c->mem, a[0], j->name, sizeof(j->name), &len);
	if (r == -ENAMETOOLONG || (r == 0 && len == 0))
		return -ERANGE;
	if (r < 0)
		return -EFAULT;
	if (j->op == OP_RMXATTR)
		return 0;
	j->size = (size_t)a[2];
	if (j->size > XATTR_SIZE_MAX)
		j->size = j->op == OP_SETXATTR ? j->size : XATTR_SIZE_MAX;
	if (j->op == OP_SETXATTR) {
		j->flags = (int)a[3];
		if (j->flags & ~(XATTR_CREATE | XATTR_REPLACE))
			return -EINVAL;
		if (j->size > XATTR_SIZE_MAX)
			return -E2BIG;
	}
	if (j->size && !(j->buf = calloc(1, j->size)))
		return -ENOMEM;
	if (j->op == OP_SETXATTR && j->size && mem_read(&c->mem, a[1], j->buf, j->size) < 0)
		return -EFAULT;
	return 0;
}

/* The operation's own arguments (after the path: a[0..3]). */
static int read_args(struct sl_ctx *c, const struct pcall *k, const uint64_t *a, struct job *j)
{
	switch (k->op) {
	case OP_ACCESS:
		j->mode = (mode_t)a[0];
		return j->mode & ~(mode_t)(R_OK | W_OK | X_OK) ? -EINVAL : 0;
	case OP_READLINK:
		if ((int)a[1] <= 0)
			return -EINVAL;
		j->size = (size_t)(int)a[1] < PATH_MAX ? (size_t)(int)a[1] : PATH_MAX;
		return (j->buf = malloc(j->size)) ? 0 : -ENOMEM;
	case OP_MKDIR:
		j->mode = ((mode_t)a[0] & 07777 & ~umask_of(c)) | S_IFDIR;
		j->mode &= ~(mode_t)S_IFDIR;
		return 0;
	case OP_MKNOD:
		j->mode = (mode_t)a[0];
		j->mode = (j->mode & S_IFMT) | (j->mode & 07777 & ~umask_of(c));
		if (!(j->mode & S_IFMT))
			j->mode |= S_IFREG;
		return 0;
	case OP_CHMOD:
		j->mode = (mode_t)a[0] & 07777;
		return 0;
	case OP_CHOWN:
		j->uid = (uid_t)a[0];
		j->gid = (gid_t)a[1];
		return 0;
	case OP_UTIMENS:
		return read_times(c, k->nr, a[0], j);
	case OP_TRUNCATE:
		j->len = (off_t)a[0];
		return j->len < 0 ? -EINVAL : 0;
	case OP_SETXATTR:
	case OP_GETXATTR:
	case OP_LISTXATTR:
	case OP_RMXATTR:
		if (k->op == OP_LISTXATTR) {
			j->size = (size_t)a[1] < XATTR_LIST_MAX ? (size_t)a[1] : XATTR_LIST_MAX;
			return j->size && !(j->buf = calloc(1, j->size)) ? -ENOMEM : 0;
		}
		return read_xattr(c, a, j);
	default:
		return 0;
	}
}

/* struct statx from a struct stat (what the layer answers). */
static void to_statx(const struct stat *s, struct statx *x)
{
	*x = (struct statx){.stx_mask = STATX_BASIC_STATS,
			    .stx_blksize = (uint32_t)s->st_blksize,
			    .stx_nlink = (uint32_t)s->st_nlink,
			    .stx_uid = s->st_uid,
			    .stx_gid = s->st_gid,
			    .stx_mode = (uint16_t)s->st_mode,
			    .stx_ino = s->st_ino,
			    .stx_size = (uint64_t)s->st_size,
			    .stx_blocks = (uint64_t)s->st_blocks,
			    .stx_atime = {s->st_atim.tv_sec, (uint32_t)s->st_atim.tv_nsec},
			    .stx_ctime = {s->st_ctim.tv_sec, (uint32_t)s->st_ctim.tv_nsec},
			    .stx_mtime = {s->st_mtim.tv_sec, (uint32_t)s->st_mtim.tv_nsec},
			    .stx_rdev_major = major(s->st_rdev),
			    .stx_rdev_minor = minor(s->st_rdev),
			    .stx_dev_major = major(s->st_dev),
			    .stx_dev_minor = minor(s->st_dev)};
}

/* The output a call writes to the child (checked writes): its answer. */
static long write_out(struct sl_ctx *c, const struct pcall *k, struct job *j, long r)
{
	uint64_t out = arg(c, k->path + 1);
	if (r < 0)
		return r;
	switch (k->op) {
	case OP_STAT:
		if (k->nr == __NR_statx) {
			struct statx x;
			to_statx(&j->sb, &x);
			return mem_write(&c->mem, arg(c, 4), &x, sizeof(x)) < 0 ? -EFAULT : 0;
		}
		return mem_write(&c->mem, out, &j->sb, sizeof(j->sb)) < 0 ? -EFAULT : 0;
	case OP_READLINK:
		return mem_write(&c->mem, out, j->buf, (size_t)r) < 0 ? -EFAULT : r;
	case OP_GETXATTR:
		out = arg(c, k->path + 2);
		/* fallthrough */
	case OP_LISTXATTR:
		if (j->size && r > 0 && mem_write(&c->mem, out, j->buf, (size_t)r) < 0)
			return -EFAULT;
		return r;
	default:
		return r;
	}
}

/* Growth of a truncate past the file's size, for the quota. */
static long truncate_quota(struct sl_ctx *c, struct cl_state *st, const char *abs, off_t len)
{
	if (!st->max_disk)
		return 0;
	struct job j = {.st = st, .op = OP_STAT, .a = abs, .flags = LAYER_FOLLOW};
	long r = job_run(c, &j);
	if (r < 0)
		return 0; /* the operation answers */
	return quota(c, st, len > j.sb.st_size ? (uint64_t)(len - j.sb.st_size) : 0);
}

static long quota_of(struct sl_ctx *c, struct cl_state *st, const struct pcall *k,
		     const struct job *j)
{
	switch (k->op) {
	case OP_MKDIR:
	case OP_MKNOD:
	case OP_LINK:
	case OP_SYMLINK:
	case OP_RENAME:
	case OP_CHMOD:
	case OP_CHOWN:
	case OP_UTIMENS:
	case OP_SETXATTR:
		return quota(c, st, 0);
	case OP_TRUNCATE:
		return truncate_quota(c, st, j->a, j->len);
	default:
		return 0;
	}
}

/* A stat-like call's path led out of the workdir through a symlink. */
static long path_outside(struct sl_ctx *c, struct cl_state *st, const struct pcall *k,
			 struct job *j)
{
	struct out_q q = {.op = k->op, .mode = (int)j->mode, .buf = j->buf, .size = j->size};
	long r = outside_run(c, st, j->a, j->flags, &q);
	if (r >= 0 && k->op == OP_STAT)
		j->sb = q.sb;
	return r;
}

/* The fd forms (a NULL path to utimensat, futimesat): fdmeta.c's. */
static bool fd_form(const struct sl_ctx *c, const struct pcall *k)
{
	return k->op == OP_UTIMENS && k->dirfd >= 0 && arg(c, k->path) == 0;
}

static void fd_utimens(struct sl_ctx *c, struct sl_action *a, struct cl_state *st,
		       const struct pcall *k);

/* Every path call but the opens and the two-path ones. */
static void on_path(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	const struct pcall *k = pcall_of(c->req->data.nr);
	*a = sl_act_continue();
	if (!k)
		return;
	if (fd_form(c, k)) {
		fd_utimens(c, a, st, k);
		return;
	}
	struct place *p = malloc(sizeof(*p));
	struct job j = {.st = st, .op = k->op};
	bool empty = false;
	unsigned int f = 0;
	long r = p ? at_flags(c, k, &j.flags, &empty, &f) : -ENOMEM;
	int lf = j.flags; /* the layer's follow (an xattr call's own flags replace j.flags) */
	char path[PATH_MAX];
	if (r == 0)
		r = onbehalf_read_path(c, arg(c, k->path), path, sizeof(path));
	int dirfd = k->dirfd >= 0 ? (int)(int32_t)arg(c, k->dirfd) : AT_FDCWD;
	if (r == 0)
		r = place(st, c, dirfd, path, empty, !(lf & LAYER_FOLLOW), p);
	if (r == 0) { /* not the layer's */
		free(p);
		return;
	}
	if (r > 0 && k->op == OP_UNLINK && (f & AT_REMOVEDIR))
		j.op = OP_RMDIR;
	uint64_t a4[4] = {arg(c, k->path + 1), arg(c, k->path + 2), arg(c, k->path + 3),
			  arg(c, k->path + 4)};
	if (k->op == OP_READLINK && r > 0)
		a4[1] = arg(c, k->path + 2);
	if (r > 0)
		r = read_args(c, k, a4, &j);
	if (r == 1 && k->op == OP_UTIMENS)
		r = 0; /* both omitted: nothing changes */
	else if (r >= 0) {
		j.a = p->abs;
		r = quota_of(c, st, k, &j);
		if (r == 0)
			r = layer_call(c, &j, p->abs, lf);
		if (r == -EXDEV && (k->op == OP_STAT || k->op == OP_READLINK || k->op == OP_ACCESS))
			r = path_outside(c, st, k, &j);
		if (r == -EXDEV && outside_of(c, st, p->abs, lf, path)) {
			/* through a symlink out: whatever serves that path today */
			free(j.buf);
			free(p);
			return;
		}
		r = write_out(c, k, &j, r);
	}
	free(j.buf);
	free(p);
	onbehalf_answer(a, r);
}

/* ---- the two-path calls ------------------------------------------------------------ */

struct pcall2 {
	int nr;
	enum cl_op op;
	int d1, p1, d2, p2, flags; /* symlink: p1 is the target text */
};

static const struct pcall2 pcalls2[] = {
#ifdef __NR_rename
    {__NR_rename, OP_RENAME, -1, 0, -1, 1, -1},	   {__NR_link, OP_LINK, -1, 0, -1, 1, -1},
    {__NR_symlink, OP_SYMLINK, -1, 0, -1, 1, -1},
#endif
#ifdef __NR_renameat
    {__NR_renameat, OP_RENAME, 0, 1, 2, 3, -1},
#endif
    {__NR_renameat2, OP_RENAME, 0, 1, 2, 3, 4},	   {__NR_linkat, OP_LINK, 0, 1, 2, 3, 4},
    {__NR_symlinkat, OP_SYMLINK, -1, 0, 1, 2, -1},
};

static const struct pcall2 *pcall2_of(int nr)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(pcalls2); i++)
		if (pcalls2[i].nr == nr)
			return &pcalls2[i];
	return NULL;
}

struct two {
	struct place a, b;
	char pa[PATH_MAX], pb[PATH_MAX];
};

/* linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N, an O_TMPFILE the layer
 * made (no name: place() cannot name it): linked into the layer. */
static int link_tmpfile(struct sl_ctx *c, struct cl_state *st, const char *from, const char *to)
{
	char rel[PATH_MAX];
	int r = onbehalf_proc_self(from, c->proc->pid, (int)c->req->pid, rel, sizeof(rel));
	struct ob_magic m;
	if (r <= 0)
		return -EXDEV;
	onbehalf_magic(rel, &m);
	if (!m.len || m.root || *m.rest || strncmp(rel, "fd/", 3) != 0)
		return -EXDEV;
	int fd = onbehalf_fd_object(c, atoi(rel + 3));
	struct stat sb, ub;
	char name[PATH_MAX];
	r = fd < 0 ? fd : fstat(fd, &sb) < 0 ? -errno : fstat(st->upper, &ub) < 0 ? -errno : 0;
	/* only a nameless regular file on the upper's filesystem */
	if (r == 0 && (!S_ISREG(sb.st_mode) || sb.st_dev != ub.st_dev || sb.st_nlink != 0 ||
		       fd_name(fd, name, sizeof(name)) != -ESTALE || !under(name, st->up, st->upl)))
		r = -EXDEV;
	if (r == 0)
		r = quota(c, st, 0);
	if (r == 0) {
		struct job j = {.st = st, .op = OP_LINKFD, .a = to, .fd = fd};
		r = (int)job_run(c, &j);
	}
	if (fd >= 0)
		close(fd);
	return r;
}

static void on_path2(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	const struct pcall2 *k = pcall2_of(c->req->data.nr);
	*a = sl_act_continue();
	struct two *t = k ? malloc(sizeof(*t)) : NULL;
	if (!t)
		return;
	unsigned int f = k->flags >= 0 ? (unsigned int)arg(c, k->flags) : 0;
	long r = onbehalf_read_path(c, arg(c, k->p1), t->pa, sizeof(t->pa));
	if (r == 0)
		r = onbehalf_read_path(c, arg(c, k->p2), t->pb, sizeof(t->pb));
	int d1 = k->d1 >= 0 ? (int)(int32_t)arg(c, k->d1) : AT_FDCWD;
	int d2 = k->d2 >= 0 ? (int)(int32_t)arg(c, k->d2) : AT_FDCWD;
	long ra = 0, rb = r;
	if (r == 0 && k->op != OP_SYMLINK)
		ra = place(st, c, d1, t->pa, k->op == OP_LINK && (f & AT_EMPTY_PATH),
			   !(k->op == OP_LINK && (f & AT_SYMLINK_FOLLOW)), &t->a);
	if (r == 0 && ra >= 0)
		rb = place(st, c, d2, t->pb, false, true, &t->b);
	r = ra < 0 ? ra : rb;
	if (r == 0 && !ra && !rb) {
		free(t);
		return; /* neither is the layer's */
	}
	if (r >= 0 && k->op == OP_LINK && (f & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)))
		r = -EINVAL;
	if (r >= 0 && k->op == OP_LINK && ra == 0 && rb > 0)
		/* an O_TMPFILE's /proc/self/fd/N (no name: not placed) */
		r = link_tmpfile(c, st, t->pa, t->b.abs);
	else if (r >= 0 && k->op != OP_SYMLINK && (ra == 0 || rb == 0))
		r = -EXDEV; /* one name in the workdir, one outside */
	else if (r >= 0) {
		struct job j = {.st = st,
				.op = k->op,
				.a = k->op == OP_SYMLINK ? t->b.abs : t->a.abs,
				.b = k->op == OP_SYMLINK ? t->pa : t->b.abs,
				.flags = k->op == OP_RENAME	   ? (int)f
					 : (f & AT_SYMLINK_FOLLOW) ? LAYER_FOLLOW
								   : 0};
		r = quota(c, st, 0);
		if (r == 0)
			r = job_run(c, &j);
	}
	free(t);
	onbehalf_answer(a, r);
}

/* ---- metadata through an fd ------------------------------------------------------- */

/* The workdir's name of the object behind the child's fd n in abs: 1 for
 * a workdir object (the lower's: the change is made by name in the
 * layer), 0 for anything else (an upper object is the branch's own, and
 * the kernel may change it; an outside one is the kernel's), -errno. */
static int fd_place(struct sl_ctx *c, struct cl_state *st, int n, char *abs)
{
	struct stat sb, lb;
	int fd = onbehalf_fd_object(c, n);
	if (fd < 0)
		return fd;
	int r = fstat(fd, &sb) < 0 ? -errno : fd_name(fd, abs, PATH_MAX);
	close(fd);
	/* a name removed: an upper file (O_TMPFILE, unlinked) has no link
	 * left; a lower file with links left elsewhere must not change */
	if (r == -ESTALE)
		return fstat(st->lower, &lb) == 0 && lb.st_dev == sb.st_dev && sb.st_nlink > 0 &&
			       !S_ISDIR(sb.st_mode)
			   ? -EROFS
			   : 0;
	if (r < 0)
		return r;
	return under(abs, st->up, st->upl) ? 0 : under(abs, st->wd, st->wdl);
}

static void fd_meta(struct sl_ctx *c, struct sl_action *a, struct cl_state *st, int n,
		    struct job *j)
{
	char *abs = malloc(PATH_MAX);
	long r = abs ? fd_place(c, st, n, abs) : -ENOMEM;
	if (r == 0) {
		*a = sl_act_continue();
		free(abs);
		return;
	}
	j->a = abs;
	if (r > 0 && (r = quota(c, st, 0)) == 0)
		r = job_run(c, j);
	free(abs);
	onbehalf_answer(a, r);
}

static void fd_utimens(struct sl_ctx *c, struct sl_action *a, struct cl_state *st,
		       const struct pcall *k)
{
	struct job j = {.st = st, .op = OP_UTIMENS};
	long r = k->flags >= 0 && (arg(c, k->flags) & ~(uint64_t)AT_SYMLINK_NOFOLLOW) ? -EINVAL : 0;
	if (r == 0)
		r = read_times(c, k->nr, arg(c, k->path + 1), &j);
	if (r != 0) {
		onbehalf_answer(a, r > 0 ? 0 : r);
		return;
	}
	fd_meta(c, a, st, (int)(int32_t)arg(c, k->dirfd), &j);
}

static void on_fdmeta(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	const __u64 *r = c->req->data.args;
	int nr = c->req->data.nr;
	struct job j = {.st = st};
	long e = 0;
	if (nr == __NR_fchmod) {
		j.op = OP_CHMOD;
		j.mode = (mode_t)r[1] & 07777;
	} else if (nr == __NR_fchown) {
		j.op = OP_CHOWN;
		j.uid = (uid_t)r[1];
		j.gid = (gid_t)r[2];
	} else {
		j.op = nr == __NR_fsetxattr ? OP_SETXATTR : OP_RMXATTR;
		uint64_t x[4] = {r[1], r[2], r[3], r[4]};
		e = read_xattr(c, x, &j);
	}
	if (e < 0)
		onbehalf_answer(a, e);
	else
		fd_meta(c, a, st, (int)(int32_t)r[0], &j);
	free(j.buf);
}

/* ---- listings ---------------------------------------------------------------------- */

/* The listing is made here, on the engine's thread (the layer's fds are
 * in this table: the fetcher's is its own), from the object behind the
 * child's fd (reopened O_PATH through /proc: onbehalf_fd_object) and the
 * open file's position (its fdinfo, the kernel's); the fetcher then
 * pages it out on its duplicate of the child's file, checking the object
 * and the position again, sets the position and writes the records. */
struct dents_q {
	struct cl_dir *d;
	dev_t dev;
	ino_t ino;
	uint64_t pos, buf;
	unsigned int count;
	bool old; /* getdents: struct linux_dirent */
};

/* The kept listing for the open file at pos: the one we left there, else
 * a fresh snapshot (pos 0, or one we do not know), kept. */
static struct cl_dir *dir_for(struct sl_ctx *c, struct cl_state *st, const char *abs,
			      const struct stat *sb, uint64_t pos, long *err)
{
	struct cl_dir *old = &st->dirs[0];
	for (size_t i = 0; i < CL_DIRS; i++) {
		struct cl_dir *d = &st->dirs[i];
		if (pos && d->used && d->dev == sb->st_dev && d->ino == sb->st_ino &&
		    d->next == pos)
			return d;
		if (!d->used || (old->used && d->clock < old->clock))
			old = d;
	}
	if (old->used)
		layer_dir_free(&old->d);
	*old = (struct cl_dir){.dev = sb->st_dev, .ino = sb->st_ino, .clock = ++st->clock};
	struct job j = {.st = st, .op = OP_READDIR, .a = abs, .dir = &old->d};
	*err = job_run(c, &j);
	old->used = *err == 0;
	return old->used ? old : NULL;
}

/* linux_dirent64 records into struct linux_dirent, in place (the same
 * lengths on a 64-bit kernel: d_type moves to the last byte). */
static void to_old(unsigned char *b, size_t len)
{
	for (size_t off = 0; off + 19 < len;) {
		uint16_t rl;
		memcpy(&rl, b + off + 16, sizeof(rl));
		unsigned char type = b[off + 18];
		size_t nl = strnlen((char *)b + off + 19, rl - 19);
		memmove(b + off + 18, b + off + 19, nl);
		memset(b + off + 18 + nl, 0, rl - 18 - nl);
		b[off + rl - 1] = type;
		off += rl;
	}
}

/* The workdir's name of a directory (fd, ours) the layer holds: its
 * lower's or its upper's, the same object at that name.  1, or 0. */
static int dir_place(struct cl_state *st, int fd, const struct stat *sb, char *abs)
{
	if (fd_name(fd, abs, PATH_MAX) < 0)
		return 0;
	bool up = under(abs, st->up, st->upl);
	if (!up && !under(abs, st->wd, st->wdl))
		return 0;
	const char *rel = abs + (up ? st->upl : st->wdl);
	rel += strspn(rel, "/");
	struct stat here;
	if (fstatat(up ? st->upper : st->lower, *rel ? rel : ".", &here, AT_SYMLINK_NOFOLLOW) < 0 ||
	    here.st_dev != sb->st_dev || here.st_ino != sb->st_ino)
		return 0;
	return to_workdir(st, abs);
}

/* The position and flags of the notifier's fd n (its fdinfo). */
static int fd_info(struct sl_ctx *c, int n, uint64_t *pos, unsigned *flags)
{
	int dir = procs_dir(c->proc);
	char name[64], buf[512];
	snprintf(name, sizeof(name), "task/%d/fdinfo/%d", (int)c->req->pid, n);
	int fd = dir < 0 ? -1 : openat(dir, name, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (got <= 0)
		return -EBADF;
	buf[got] = 0;
	const char *p = strstr(buf, "pos:"), *f = strstr(buf, "flags:");
	if (!p || !f)
		return -EIO;
	*pos = strtoull(p + 4, NULL, 10);
	*flags = (unsigned)strtoul(f + 6, NULL, 8);
	return 0;
}

/* On the fetcher, fd its duplicate of the child's (ob_fd_fn). */
static long serve(int fd, const struct sl_memref *m, void *arg)
{
	struct dents_q *q = arg;
	struct stat sb;
	off_t pos = lseek(fd, 0, SEEK_CUR);
	if (fstat(fd, &sb) < 0 || sb.st_dev != q->dev || sb.st_ino != q->ino || pos < 0 ||
	    (uint64_t)pos != q->pos)
		return -EAGAIN; /* changed since: the child's own race */
	size_t size = q->count < (256u << 10) ? q->count : (256u << 10);
	unsigned char *out = calloc(1, size ? size : 1);
	if (!out)
		return -ENOMEM;
	uint64_t next = q->pos;
	ssize_t len = layer_dir_page(&q->d->d, &next, out, size);
	long r = len;
	if (len > 0 && q->old)
		to_old(out, (size_t)len);
	if (len > 0 && lseek(fd, (off_t)next, SEEK_SET) < 0)
		r = -errno;
	if (r > 0 && mem_write(m, q->buf, out, (size_t)len) < 0) {
		lseek(fd, pos, SEEK_SET);
		r = -EFAULT;
	}
	free(out);
	if (r >= 0)
		q->d->next = next;
	return r;
}

/* 1 with *q ready when the child's fd n is a directory of the layer, 0
 * when not, -errno. */
static long dents_prepare(struct sl_ctx *c, struct cl_state *st, int n, struct dents_q *q)
{
	char *abs = malloc(PATH_MAX);
	struct stat sb;
	unsigned flags = 0;
	int fd = abs ? onbehalf_fd_object(c, n) : -ENOMEM;
	long r = fd < 0 ? fd : fstat(fd, &sb) < 0 ? -errno : 0;
	if (r == 0 && (!S_ISDIR(sb.st_mode) || !dir_place(st, fd, &sb, abs)))
		r = 1; /* not the layer's */
	if (fd >= 0)
		close(fd);
	if (r == 0)
		r = fd_info(c, n, &q->pos, &flags);
	if (r == 0 && (flags & O_PATH))
		r = 1; /* the kernel's EBADF */
	if (r == 0) {
		q->dev = sb.st_dev;
		q->ino = sb.st_ino;
		q->d = dir_for(c, st, abs, &sb, q->pos, &r);
		if (!q->d && r == -ENOENT)
			r = 2; /* removed from the view since: empty */
	}
	free(abs);
	return r == -EBADF || r == 1 ? 0 : r == 0 ? 1 : r;
}

static void on_dents(struct sl_ctx *c, struct sl_action *a, struct cl_state *st, bool old)
{
	const __u64 *r = c->req->data.args;
	int n = (int)(unsigned int)r[0];
	struct dents_q q = {.buf = r[1], .count = (unsigned int)r[2], .old = old};
	long v = dents_prepare(c, st, n, &q);
	if (v == 0) {
		*a = sl_act_continue(); /* not the layer's: the chain's next, or the kernel */
		return;
	}
	if (v == 1)
		v = onbehalf_fd_call(st->ob, c, n, serve, &q);
	else if (v == 2)
		v = 0;
	if (q.d)
		q.d->clock = ++st->clock;
	onbehalf_answer(a, v);
}

static void on_getdents64(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	on_dents(c, a, arg_, false);
}

#ifdef __NR_getdents
static void on_getdents(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	on_dents(c, a, arg_, true);
}
#endif

/* ---- chdir and exec ------------------------------------------------------------------ */

/* ".." and "." of an absolute path resolved by name (the kernel's walk
 * when no symlink is met on the way). */
static void lexical(char *p)
{
	char out[PATH_MAX];
	size_t o = 0;
	for (const char *r = p; *r;) {
		r += strspn(r, "/");
		size_t n = strcspn(r, "/");
		if (!n)
			break;
		if (n == 2 && r[0] == '.' && r[1] == '.') {
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
		} else if (!(n == 1 && r[0] == '.')) {
			out[o++] = '/';
			memcpy(out + o, r, n);
			o += n;
		}
		r += n;
	}
	if (!o)
		out[o++] = '/';
	out[o] = 0;
	memcpy(p, out, o + 1);
}

/* Where the layer resolves a path to (following): the holder's name
 * (real: the upper's when it has the name, else the lower's), the upper's
 * name whatever holds it (up), and the lower's when the lower holds a
 * directory the view shows there (low, else empty). */
struct target {
	char real[PATH_MAX], up[PATH_MAX], low[PATH_MAX];
	bool upper;	/* the upper holds it */
	struct stat sb; /* the holder's */
};

/* 0, LAYER_OUTSIDE, or -errno. */
static long resolved(struct sl_ctx *c, struct cl_state *st, const char *abs, struct target *t)
{
	struct job j = {.st = st, .op = OP_LOOKUP, .a = abs, .flags = LAYER_FOLLOW};
	long r = job_run(c, &j);
	if (r != 0)
		return r;
	t->sb = j.n.st;
	t->upper = j.n.where == LAYER_UPPER;
	bool dot = !strcmp(j.n.path, ".");
	const char *sep = dot ? "" : "/", *rel = dot ? "" : j.n.path;
	bool low = j.n.where == LAYER_LOWER || (t->upper && j.n.low_dir && !j.n.opaque);
	if (j.n.where == LAYER_NONE)
		r = -ENOENT;
	else if (snprintf(t->up, PATH_MAX, "%s%s%s", st->up, sep, rel) >= PATH_MAX ||
		 snprintf(t->low, PATH_MAX, "%s%s%s", low ? st->wd : "", low ? sep : "",
			  low ? rel : "") >= PATH_MAX)
		r = -ENAMETOOLONG;
	else
		snprintf(t->real, PATH_MAX, "%s", t->upper ? t->up : t->low[0] ? t->low : "");
	if (r == 0 && !t->real[0]) /* a lower file */
		r = snprintf(t->real, PATH_MAX, "%s%s%s", st->wd, sep, rel) >= PATH_MAX
			? -ENAMETOOLONG
			: 0;
	layer_node_put(&j.n);
	return r;
}

/* Whether the kernel, given the child's path (raw: its names), lands on
 * the object at real: by name, or the host's own resolution of raw
 * (symlinks of the lower) naming the same inode. */
static bool kernel_lands(const char *raw, const char *real, const struct stat *sb, bool dir)
{
	char k[PATH_MAX];
	snprintf(k, sizeof(k), "%s", raw);
	lexical(k);
	if (!strcmp(k, real))
		return true;
	struct stat h;
	return stat(raw, &h) == 0 && h.st_dev == sb->st_dev && h.st_ino == sb->st_ino &&
	       !dir == !S_ISDIR(h.st_mode);
}

/* The holder's object at real (its upper's or lower's name), opened
 * beneath that tree with no symlink followed (a racing rename in the
 * layer meets a symlink and fails): O_PATH for a directory, else read
 * (never blocking: a FIFO swapped in). */
static int holder_open(const struct cl_state *st, const char *real, bool dir)
{
	bool up = under(real, st->up, st->upl);
	const char *rel = real + (up ? st->upl : st->wdl);
	rel += strspn(rel, "/");
	struct open_how how = {.flags = (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK) |
					O_CLOEXEC | O_NOFOLLOW,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
	long fd =
	    syscall(SYS_openat2, up ? st->upper : st->lower, *rel ? rel : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* The kernel's own call on the child's path, now that the layer has
 * decided: continued when the kernel lands where the layer does, else
 * the path (read once, len bytes with its NUL, in the child's buffer)
 * rewritten to the holder's name when it fits, or to /proc/self/fd/N of
 * an fd we install (ADDFD without SEND) for the call.  A thread that
 * rewrites it again meanwhile only changes what the kernel then judges
 * under Landlock.  -ENAMETOOLONG when nothing fits. */
static long steer(struct sl_ctx *c, struct cl_state *st, const struct place *p, const char *real,
		  const struct stat *sb, uint64_t addr, size_t len, bool dir, struct sl_action *a)
{
	if (kernel_lands(p->raw, real, sb, dir)) {
		*a = sl_act_continue();
		return 0;
	}
	char via[PATH_MAX];
	snprintf(via, sizeof(via), "%s", real);
	if (strlen(via) + 1 > len) {
		/* "/dev/fd/N" at the shortest */
		int fd = len < sizeof("/dev/fd/N") ? -ENAMETOOLONG : holder_open(st, real, dir);
		if (fd < 0)
			return fd;
		struct stat fb;
		int n = fstat(fd, &fb) < 0 || fb.st_ino != sb->st_ino || fb.st_dev != sb->st_dev
			    ? -1
			    : 0;
		struct seccomp_notif_addfd add = {.id = c->req->id, .srcfd = (uint32_t)fd};
		if (n == 0)
			n = ioctl(c->mem.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		int e = n < 0 ? errno : 0;
		close(fd);
		if (n < 0)
			return e ? -e : -EAGAIN;
		snprintf(via, sizeof(via), "/proc/self/fd/%d", n);
		if (strlen(via) + 1 > len && st->dev_fd)
			snprintf(via, sizeof(via), "/dev/fd/%d", n);
		if (strlen(via) + 1 > len)
			return -ENAMETOOLONG;
	}
	if (mem_write(&c->mem, addr, via, strlen(via) + 1) < 0)
		return -EFAULT;
	*a = sl_act_continue();
	return 0;
}

/* chdir(2) into a directory of the layer.  chdir grants nothing under
 * Landlock (it checks no right; a cwd only starts relative paths, and
 * every path call that lands in the workdir is placed here again), so
 * steering it is safe whatever the kernel finally resolves.  The layer
 * judges first (ENOENT for a removed name, ENOTDIR, EACCES without
 * search); then the kernel changes to the directory's holder: the
 * lower's for a directory it holds (a merged one too), else the upper's. */
static void on_chdir(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	*a = sl_act_continue();
	struct place *p = malloc(sizeof(*p));
	struct target *t = malloc(sizeof(*t));
	char path[PATH_MAX], k[PATH_MAX];
	long r = p && t ? onbehalf_read_path(c, c->req->data.args[0], path, sizeof(path)) : -ENOMEM;
	if (r == 0)
		r = place(st, c, AT_FDCWD, path, false, false, p);
	if (r > 0)
		r = resolved(c, st, p->abs, t);
	else if (r == 0)
		r = LAYER_OUTSIDE; /* not the layer's */
	if (r == LAYER_OUTSIDE) {  /* or a symlink out: the kernel's */
		free(p);
		free(t);
		return;
	}
	if (r == 0 && !S_ISDIR(t->sb.st_mode))
		r = -ENOTDIR;
	if (r == 0) {
		struct job j = {
		    .st = st, .op = OP_ACCESS, .a = p->abs, .mode = X_OK, .flags = LAYER_FOLLOW};
		r = job_run(c, &j);
	}
	if (r == 0) {
		snprintf(k, sizeof(k), "%s", p->raw);
		lexical(k);
	}
	/* the kernel lands on the lower's directory the view shows, or on
	 * the upper's (made there first when only the lower held it: a
	 * directory copied up without its contents changes nothing) */
	if (r == 0 && t->low[0] && !strcmp(k, t->low)) {
		*a = sl_act_continue();
	} else if (r == 0 && !strcmp(k, t->up)) {
		struct job j = {.st = st, .op = OP_MATERIALIZE, .a = p->abs};
		r = t->upper ? 0 : job_run(c, &j);
		*a = sl_act_continue();
	} else if (r == 0) {
		r = steer(c, st, p, t->real, &t->sb, c->req->data.args[0], strlen(path) + 1, true,
			  a);
	}
	free(p);
	free(t);
	if (r < 0)
		onbehalf_answer(a, r);
}

/* execve and execveat of a file of the layer.  The kernel must execute
 * it, so the call is continued once the layer has judged the path (ENOENT
 * for a removed name, EACCES for a file that is not regular or not
 * executable) and the kernel is steered to the file's holder (steer).
 * What decides the exec is then the kernel's Landlock check on the file
 * it opens: execute and read are granted on the workdir and the upper,
 * nothing else of them (no write), so a thread that rewrites the path
 * after the check executes only what the policy lets it read and
 * execute anyway (at worst a lower file the layer has removed). */
static void on_exec(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	*a = sl_act_continue();
	bool at = c->req->data.nr == __NR_execveat;
	const __u64 *g = c->req->data.args;
	unsigned int f = at ? (unsigned int)g[4] : 0;
	struct place *p = malloc(sizeof(*p));
	struct target *t = malloc(sizeof(*t));
	char path[PATH_MAX];
	uint64_t addr = at ? g[1] : g[0];
	long r = p && t ? onbehalf_read_path(c, addr, path, sizeof(path)) : -ENOMEM;
	/* execveat(fd, "", AT_EMPTY_PATH) runs an open file: its open was
	 * decided; r stays 0 (not the layer's) */
	if (r == 0 && !(at && (f & AT_EMPTY_PATH) && !path[0]))
		r = place(st, c, at ? (int)(int32_t)g[0] : AT_FDCWD, path, false,
			  f & AT_SYMLINK_NOFOLLOW, p);
	if (r > 0)
		r = resolved(c, st, p->abs, t);
	else if (r == 0)
		r = LAYER_OUTSIDE; /* not the layer's */
	if (r == LAYER_OUTSIDE) {
		free(p);
		free(t);
		return;
	}
	if (r == 0 && !S_ISREG(t->sb.st_mode))
		r = -EACCES;
	if (r == 0) {
		struct job j = {
		    .st = st, .op = OP_ACCESS, .a = p->abs, .mode = X_OK, .flags = LAYER_FOLLOW};
		r = job_run(c, &j);
	}
	if (r == 0)
		r = steer(c, st, p, t->real, &t->sb, addr, strlen(path) + 1, false, a);
	free(p);
	free(t);
	if (r < 0)
		onbehalf_answer(a, r);
}

/* ---- the feature ----------------------------------------------------------------------- */

#define SETID (S_ISUID | S_ISGID)

/* mknod's forms the filter does not deny (a FIFO, a socket, a regular
 * file, no set-id bit): a rule for every call would switch its device
 * denials off (filter.c). */
#define MKNOD_FORM(nr, i, type)                                                                    \
	{                                                                                          \
		{(nr), 1, {SL_AMASK((i), S_IFMT | SETID, (type))}}, on_path                        \
	}

static const struct sl_frule cowlayer_rules[] = {
#ifdef __NR_stat
    {{__NR_stat, 0, {{0}}}, on_path},
    {{__NR_lstat, 0, {{0}}}, on_path},
    {{__NR_access, 0, {{0}}}, on_path},
    {{__NR_readlink, 0, {{0}}}, on_path},
    {{__NR_unlink, 0, {{0}}}, on_path},
    {{__NR_rmdir, 0, {{0}}}, on_path},
    {{__NR_mkdir, 0, {{0}}}, on_path},
    MKNOD_FORM(__NR_mknod, 1, S_IFIFO),
    MKNOD_FORM(__NR_mknod, 1, S_IFSOCK),
    MKNOD_FORM(__NR_mknod, 1, S_IFREG),
    MKNOD_FORM(__NR_mknod, 1, 0),
    {{__NR_chmod, 0, {{0}}}, on_path},
    {{__NR_chown, 0, {{0}}}, on_path},
    {{__NR_lchown, 0, {{0}}}, on_path},
    {{__NR_rename, 0, {{0}}}, on_path2},
    {{__NR_link, 0, {{0}}}, on_path2},
    {{__NR_symlink, 0, {{0}}}, on_path2},
#endif
    {{__NR_newfstatat, 0, {{0}}}, on_path},
    {{__NR_statx, 0, {{0}}}, on_path},
    {{__NR_faccessat, 0, {{0}}}, on_path},
    {{__NR_faccessat2, 0, {{0}}}, on_path},
    {{__NR_readlinkat, 0, {{0}}}, on_path},
    {{__NR_unlinkat, 0, {{0}}}, on_path},
    {{__NR_mkdirat, 0, {{0}}}, on_path},
    MKNOD_FORM(__NR_mknodat, 2, S_IFIFO),
    MKNOD_FORM(__NR_mknodat, 2, S_IFSOCK),
    MKNOD_FORM(__NR_mknodat, 2, S_IFREG),
    MKNOD_FORM(__NR_mknodat, 2, 0),
    {{__NR_fchmodat, 0, {{0}}}, on_path},
    {{__NR_fchmodat2, 0, {{0}}}, on_path},
    {{__NR_fchownat, 0, {{0}}}, on_path},
    {{__NR_utimensat, 0, {{0}}}, on_path},
#ifdef __NR_utimes
    {{__NR_utimes, 0, {{0}}}, on_path},
#endif
#ifdef __NR_utime
    {{__NR_utime, 0, {{0}}}, on_path},
#endif
#ifdef __NR_futimesat
    {{__NR_futimesat, 0, {{0}}}, on_path},
#endif
    {{__NR_truncate, 0, {{0}}}, on_path},
    {{__NR_setxattr, 0, {{0}}}, on_path},
    {{__NR_lsetxattr, 0, {{0}}}, on_path},
    {{__NR_getxattr, 0, {{0}}}, on_path},
    {{__NR_lgetxattr, 0, {{0}}}, on_path},
    {{__NR_listxattr, 0, {{0}}}, on_path},
    {{__NR_llistxattr, 0, {{0}}}, on_path},
    {{__NR_removexattr, 0, {{0}}}, on_path},
    {{__NR_lremovexattr, 0, {{0}}}, on_path},
#ifdef __NR_renameat
    {{__NR_renameat, 0, {{0}}}, on_path2},
#endif
    {{__NR_renameat2, 0, {{0}}}, on_path2},
    {{__NR_linkat, 0, {{0}}}, on_path2},
    {{__NR_symlinkat, 0, {{0}}}, on_path2},
    {{__NR_fchmod, 0, {{0}}}, on_fdmeta},
    {{__NR_fchown, 0, {{0}}}, on_fdmeta},
    {{__NR_fsetxattr, 0, {{0}}}, on_fdmeta},
    {{__NR_fremovexattr, 0, {{0}}}, on_fdmeta},
    {{__NR_getdents64, 0, {{0}}}, on_getdents64},
#ifdef __NR_getdents
    {{__NR_getdents, 0, {{0}}}, on_getdents},
#endif
    {{__NR_chdir, 0, {{0}}}, on_chdir},
    {{__NR_execve, 0, {{0}}}, on_exec},
    {{__NR_execveat, 0, {{0}}}, on_exec},
};

static bool active(const struct sl_feature_env *env)
{
	return env->policy->workdir && env->policy->fs_isolation == SL_ISO_NONE;
}

/* The kernel's canonical name of one of our directory fds. */
static int dir_name(int fd, char *out, size_t *len, const char *what)
{
	int r = fd_name(fd, out, PATH_MAX);
	if (r < 0)
		return sl_errorf(-r, "copy-on-write layer: the %s's name: %s", what, strerror(-r));
	*len = strlen(out);
	return 0;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct cl_state *st = state;
	st->lower = st->upper = st->work = st->ruleset = -1;
	const struct cow_branch *b = env->cow;
	if (!b)
		return sl_errorf(EINVAL, "copy-on-write layer: no branch");
	int r = onbehalf_get(s, env->policy, -1, &st->ob);
	if (r < 0)
		return r;
	if (!onbehalf_can_fetch(st->ob))
		return sl_errorf(EPERM,
				 "workdir with fs_isolation none: the supervisor lists the "
				 "layer's directories through its copy of the sandbox's fd, and "
				 "pidfd_getfd is refused here (Docker's default seccomp profile "
				 "allows it only with CAP_SYS_PTRACE); use fs_isolation overlayfs");
	st->lower = open(b->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	st->upper = openat(b->dir_fd, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	st->work = openat(b->dir_fd, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (st->lower < 0 || st->upper < 0)
		return sl_errorf(errno, "copy-on-write layer: %s: %s",
				 st->lower < 0 ? b->workdir : b->upper, strerror(errno));
	struct stat sb;
	if (fstat(st->lower, &sb) < 0 || sb.st_dev != b->wd_dev || sb.st_ino != b->wd_ino)
		return sl_errorf(EBUSY, "copy-on-write layer: the workdir '%s' changed",
				 b->workdir);
	if ((r = dir_name(st->lower, st->wd, &st->wdl, "workdir")) < 0 ||
	    (r = dir_name(st->upper, st->up, &st->upl, "upper")) < 0)
		return r;
	st->l = (struct layer){.lower = st->lower,
			       .upper = st->upper,
			       .work = st->work,
			       .user_xattr = b->user_xattr,
			       .workdir = st->wd};
	st->max_disk = env->policy->max_disk.set ? env->policy->max_disk.v : 0;
	char t[32];
	ssize_t tn = readlink("/dev/fd", t, sizeof(t) - 1);
	st->dev_fd = tn == 13 && !strncmp(t, "/proc/self/fd", 13);
	/* the executor applies it when it starts (at the first open): ours
	 * until the release */
	st->ruleset = env->ruleset < 0 ? -1 : fcntl(env->ruleset, F_DUPFD_CLOEXEC, 3);
	if (st->ruleset < 0)
		return sl_errorf(EINVAL, "copy-on-write layer: no ruleset for the opens");
	return aschild_new(&st->confined, st->ruleset);
}

static void release(void *state)
{
	struct cl_state *st = state;
	for (size_t i = 0; i < CL_DIRS; i++)
		if (st->dirs[i].used)
			layer_dir_free(&st->dirs[i].d);
	if (st->ob) { /* a zeroed state's 0s are not ours */
		sl_close(&st->lower);
		sl_close(&st->upper);
		sl_close(&st->work);
	}
	aschild_free(st->confined);
	if (st->ob)
		sl_close(&st->ruleset);
	onbehalf_put(st->ob);
}

const struct sl_feature feature_cowlayer = {
    .name = "copy-on-write layer",
    .active = active,
    SL_FRULES(cowlayer_rules),
    .state_size = sizeof(struct cl_state),
    .init = init,
    .release = release,
};

static const struct sl_feature *self(void)
{
	return &feature_cowlayer;
}

/* The opens no feature before it answered (views, the proc view,
 * random's devices, the policy callback's): late in the dispatch order,
 * its state the layer's (see "every other open"). */
static const struct sl_frule tail_rules[] = {
    {{__NR_openat, 0, {{0}}}, on_tail_openat},
#ifdef __NR_open
    {{__NR_open, 0, {{0}}}, on_tail_open_legacy},
#endif
#ifdef __NR_creat
    {{__NR_creat, 0, {{0}}}, on_tail_creat},
#endif
};

const struct sl_feature feature_cowlayer_opens = {
    .name = "copy-on-write layer's opens",
    .active = active,
    SL_FRULES(tail_rules),
};
