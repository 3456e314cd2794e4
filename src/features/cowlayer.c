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
 * LAYER_OUTSIDE): an open is made as any open outside (below: the
 * object resolved beneath the sandbox's root, opened under the command's
 * own ruleset), a stat, a readlink and an access by the on-behalf core on
 * the absolute path it continues to; the changes are made on that path
 * too (cowout.c: the command's cwd is in the upper, so its own names
 * would reach the branch's storage there, not the host's directory).
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
 * workdir file are done by path in the layer, on any other file by the
 * supervisor on its fd of the object it checked (never continued: the
 * kernel would take the fd number again, and a dup2 may have put a
 * workdir file there since).
 *
 * Files: this one (the state, placing a path, the operations, the opens,
 * the feature), cowpaths.c (the path calls, the two-path calls, metadata
 * through an fd, statfs), cowlist.c (listings), cowquota.c (max_disk),
 * cowsteer.c (chdir and execve: the command's cwd is kept in the upper),
 * cowout.c (changes that leave the workdir).
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
#include "cowint.h"
#include "cowlayer.h"
#include "error.h"
#include "feature.h"
#include "fsmeta.h"
#include "layer.h"
#include "mem.h"
#include "onbehalf.h"
#include "policy.h"
#include "procs.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "syscalls.h"
#include "util.h"

/* ---- placing a path ------------------------------------------------------------- */

/* A magic link's target, read at dirfd/path, as the kernel's name of its
 * object: 0, -ESTALE for an object with no name (removed, anonymous), or
 * -errno. */
static int link_name(int dirfd, const char *path, char *buf, size_t size)
{
	static const char del[] = " (deleted)";
	ssize_t n = readlinkat(dirfd, path, buf, size - 1);
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

/* A name that ends in " (deleted)" yet still reaches fd's object: a
 * live file so named (the command may name its files so), not a
 * removed one. */
static bool live_name(int fd, const char *name)
{
	struct stat st, at;
	return name[0] == '/' && fstat(fd, &st) == 0 &&
	       fstatat(AT_FDCWD, name, &at, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == at.st_dev &&
	       st.st_ino == at.st_ino;
}

/* The kernel's name of an fd of ours (link_name's answers). */
int cowl_fd_name(int fd, char *buf, size_t size)
{
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	int r = link_name(AT_FDCWD, p, buf, size);
	return r == -ESTALE && live_name(fd, buf) ? 0 : r;
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

bool cowl_under(const char *p, const char *dir, size_t dl)
{
	return !strncmp(p, dir, dl) && (p[dl] == '/' || p[dl] == 0);
}

/* abs named in the workdir's terms (an upper name renamed): 1 when it is
 * under the workdir, 0 when not, -ENAMETOOLONG. */
int cowl_to_workdir(const struct cl_state *st, char *abs)
{
	if (cowl_under(abs, st->up, st->upl)) {
		size_t rest = strlen(abs + st->upl);
		if (st->wdl + rest + 1 > PATH_MAX)
			return -ENAMETOOLONG;
		memmove(abs + st->wdl, abs + st->upl, rest + 1);
		memcpy(abs, st->wd, st->wdl);
		return 1;
	}
	return cowl_under(abs, st->wd, st->wdl);
}

int cowl_cwd_name(struct sl_ctx *c, char *out)
{
	/* the thread's cwd link read in place (the kernel's d_path of it,
	 * as of an fd opened on it), the notifier proven after */
	int dir = procs_dir(c->proc);
	char p[48];
	snprintf(p, sizeof(p), "task/%d/cwd", (int)c->req->pid);
	int r = dir < 0 ? -ESRCH : link_name(dir, p, out, PATH_MAX);
	return dir >= 0 && !mem_pending(&c->mem) ? -ESRCH : r;
}

/* The kernel's name of the base a path starts from. */
static int base_name(struct sl_ctx *c, int dirfd, char *out)
{
	if (dirfd == AT_FDCWD)
		return cowl_cwd_name(c, out);
	int fd = onbehalf_fd_object(c, dirfd);
	if (fd < 0)
		return fd;
	int r = cowl_fd_name(fd, out, PATH_MAX);
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
	r = mem_pending(&c->mem) ? cowl_fd_name(fd, base, PATH_MAX) : -ESRCH;
	close(fd);
	*rest = m.rest;
	return r < 0 ? r : 1;
}

int cowl_magic_upper(struct cl_state *st, struct sl_ctx *c, const char *path, char *out)
{
	char *rel = malloc(PATH_MAX);
	const char *rest = "";
	int r = rel && path[0] == '/' ? magic_base(c, path, false, out, &rest, rel) : 0;
	if (r == 1 && (*rest || !cowl_under(out, st->up, st->upl)))
		r = 0;
	if (r == 1)
		r = cowl_to_workdir(st, out);
	free(rel);
	return r;
}

/* Where the thread's (dirfd, path) lands: 1 when under the workdir (p
 * filled), 0 when not the layer's, or -errno.  empty: AT_EMPTY_PATH;
 * nofollow: a final magic link is the object itself. */
int cowl_place(struct cl_state *st, struct sl_ctx *c, int dirfd, const char *path, bool empty,
	       bool nofollow, struct place *p)
{
	/* rel: a magic link's remainder, or "/" and a relative path */
	char base[PATH_MAX], rel[PATH_MAX + 2];
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
		/* cleaned before it is joined: the kernel takes a relative
		 * path of PATH_MAX - 1 bytes from any directory, and "./"
		 * runs make one that long whatever it names */
		if (path[0]) {
			rel[0] = '/';
			memcpy(rel + 1, path, strlen(path) + 1);
			clean(rel);
			rest = rel + 1;
		}
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
	return cowl_to_workdir(st, p->abs);
}

/* ".." and "." of an absolute path resolved by name (the kernel's walk
 * when no symlink is met on the way). */
void cowl_lexical(char *p)
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

/* Whether the kernel, walking the child's path from its base, meets
 * only names lexical() keeps: ".." only at the start of a relative path
 * (each a step up from the real base), never after a name, which the
 * upper may not hold, or may hold as a symlink. */
bool cowl_plain_walk(const char *path)
{
	bool lead = path[0] != '/';
	for (const char *r = path; *r;) {
		r += strspn(r, "/");
		size_t n = strcspn(r, "/");
		bool dots = n == 2 && r[0] == '.' && r[1] == '.';
		if (dots && !lead)
			return false;
		if (n && !dots && !(n == 1 && r[0] == '.'))
			lead = false;
		r += n;
	}
	return true;
}

/* ---- the operations (with the child's credentials) ------------------------------ */

static long run_op(void *arg)
{
	struct job *j = arg;
	const struct layer *l = &j->st->l;
	switch (j->op) {
	case OP_OPEN:
		return layer_open_made(l, j->a, j->flags, j->mode, &j->made);
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
		return (long)layer_usage_count(l, &j->size);
	case OP_LINKFD:
		return layer_link_fd(l, j->fd, j->a);
	case OP_READDIR:
		return layer_readdir(l, j->a, j->dir);
	case OP_MATERIALIZE:
		return layer_materialize(l, j->a);
	}
	return -EINVAL;
}

long cowl_job_run(struct sl_ctx *c, struct job *j)
{
	return onbehalf_call(j->st->ob, c, run_op, j);
}

/* The command's umask (its status, written by the kernel: the Name line
 * before it is escaped, so no name forges this line). */
mode_t cowl_umask_of(struct sl_ctx *c)
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

static long out_op(const struct ob_obj *o, void *arg)
{
	struct out_q *q = arg;
	char proc[32];
	bool fs = q->st && (o->st.st_dev == q->st->lower_dev || o->st.st_dev == q->st->upper_dev);
	if (fs && cowl_fd_name(o->fd, q->inside, PATH_MAX) == 0 &&
	    cowl_to_workdir(q->st, q->inside) == 1) {
		q->back = true; /* the layer's: a removed name stays removed */
		return 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	long r;
	switch (q->op) {
	case OP_OPEN:
		r = open(proc, (q->flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC)) | O_CLOEXEC,
			 (mode_t)q->mode);
		if (r >= 0 && (q->flags & O_TRUNC) && ftruncate((int)r, 0) < 0) {
			close((int)r);
			return -errno;
		}
		return r < 0 ? -errno : r;
	case OP_STAT:
		q->sb = o->st;
		return 0;
	case OP_READLINK: /* "" of a non-symlink is ENOENT, readlink's EINVAL */
		if (!S_ISLNK(o->st.st_mode))
			return -EINVAL;
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
int cowl_outside_of(struct sl_ctx *c, struct cl_state *st, const char *abs, int lflags, char *out)
{
	struct job j = {.st = st, .op = OP_LOOKUP, .a = abs, .flags = lflags};
	long r = cowl_job_run(c, &j);
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
int cowl_back_inside(const struct cl_state *st, char *out)
{
	char t[PATH_MAX];
	size_t pl = (size_t)(strrchr(st->wd, '/') - st->wd);
	for (int i = 0;
	     i < LAYER_MAX_LINKS && cowl_under(out, st->wd, st->wdl) &&
	     !strncmp(out + st->wdl, "/..", 3) && (out[st->wdl + 3] == '/' || !out[st->wdl + 3]);
	     i++) {
		int n = snprintf(t, sizeof(t), "%.*s%s", (int)pl, st->wd, out + st->wdl + 3);
		if (n < 0 || (size_t)n >= sizeof(t))
			return 0;
		snprintf(out, PATH_MAX, "%s", t[0] ? t : "/");
	}
	clean(out);
	return cowl_to_workdir(st, out) == 1;
}

/* j on the layer; a path that left the workdir by its ".." and came back
 * (back_inside) is walked again, its name in abs (PATH_MAX bytes). */
long cowl_layer_call(struct sl_ctx *c, struct job *j, char *abs, int lflags)
{
	long r = cowl_job_run(c, j);
	char out[PATH_MAX];
	for (int i = 0; i < LAYER_MAX_LINKS && r == -EXDEV; i++) {
		if (!cowl_outside_of(c, j->st, j->a, lflags, out) || !cowl_back_inside(j->st, out))
			break;
		memcpy(abs, out, strlen(out) + 1);
		j->a = abs;
		r = cowl_job_run(c, j);
	}
	return r;
}

long cowl_outside_run(struct sl_ctx *c, struct cl_state *st, const char *abs, int lflags,
		      struct out_q *q)
{
	char out[PATH_MAX];
	if (!cowl_outside_of(c, st, abs, lflags, out))
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
	char *inside = q->op != OP_OPEN ? malloc(PATH_MAX) : NULL;
	if (q->op != OP_OPEN && !inside)
		return -ENOMEM;
	q->st = inside ? st : NULL;
	q->inside = inside;
	q->back = false;
	long v = onbehalf_run(st->ob, c, &r);
	if (v == 0 && q->back) {
		/* a symlink outside led back into the workdir: the layer answers
		 * for the object by its name there (never the lower's removed
		 * entry) */
		struct job j = {.st = st,
				.op = (enum cl_op)q->op,
				.a = inside,
				.mode = (mode_t)q->mode,
				.buf = q->buf,
				.size = q->size};
		v = cowl_job_run(c, &j);
		q->sb = j.sb;
	}
	free(inside);
	q->st = NULL;
	q->inside = NULL;
	return v;
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

/* Whether the kernel, given the child's path (raw: its names from its
 * base), walks to the lower's object rel (a resolved path, "." for the
 * root) by those names. */
static bool lands_in_lower(const struct cl_state *st, const char *path, const char *raw,
			   const char *rel)
{
	char k[PATH_MAX], want[PATH_MAX];
	if (cowl_under(raw, st->up, st->upl) || !cowl_plain_walk(path))
		return false;
	snprintf(k, sizeof(k), "%s", raw);
	cowl_lexical(k);
	bool dot = !strcmp(rel, ".");
	if (snprintf(want, sizeof(want), "%s%s%s", st->wd, dot ? "" : "/", dot ? "" : rel) >=
	    (int)sizeof(want))
		return false;
	return !strcmp(k, want);
}

static long open_object(struct sl_ctx *c, struct cl_state *st, int dirfd, char *path, int fd,
			uint64_t flags, uint64_t mode);

/* An O_PATH open that leaves the workdir (a ".." above its root, a
 * symlink out): continued where the kernel's walk of the child's names
 * from a lower base gets there; from a cwd in the upper they would reach
 * the branch's storage, so the host's object is opened for reading
 * instead, under the command's own ruleset (an O_PATH file cannot be
 * injected). */
static void path_outside(struct sl_ctx *c, struct sl_action *a, struct cl_state *st,
			 const struct place *p, uint64_t flags)
{
	char *out = malloc(PATH_MAX), k[PATH_MAX];
	long r = out ? 0 : -ENOMEM;
	if (r == 0 && !cowl_outside_of(c, st, p->abs, (flags & O_NOFOLLOW) ? 0 : LAYER_FOLLOW, out))
		r = -EXDEV;
	if (r == 0) {
		snprintf(k, sizeof(k), "%s", p->raw);
		cowl_lexical(k);
	}
	if (r == 0 && !cowl_under(p->raw, st->up, st->upl) && !strcmp(k, out)) {
		free(out);
		*a = sl_act_continue();
		return;
	}
	if (r == 0)
		r = open_object(c, st, AT_FDCWD, out, -1,
				O_RDONLY | (flags & (O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC)), 0);
	free(out);
	*a = inject(r, flags);
}

/* O_PATH: see the file's comment.  The lower's object is continued only
 * where the kernel reaches it by the child's names (an absolute path of
 * the workdir); from a cwd in the upper those names reach the upper, so
 * it is opened for reading instead, as an upper object is. */
static void open_path(struct sl_ctx *c, struct sl_action *a, struct cl_state *st,
		      const struct place *p, const char *path, uint64_t flags)
{
	const char *abs = p->abs;
	struct job j = {
	    .st = st, .op = OP_LOOKUP, .a = abs, .flags = (flags & O_NOFOLLOW) ? 0 : LAYER_FOLLOW};
	long r = cowl_job_run(c, &j);
	bool upper = r == 0 && j.n.where == LAYER_UPPER, none = r == 0 && j.n.where == LAYER_NONE;
	bool dir = r == 0 && S_ISDIR(j.n.st.st_mode);
	bool lower = r == 0 && !upper && !none && lands_in_lower(st, path, p->raw, j.n.path);
	if (r >= 0)
		layer_node_put(&j.n);
	if (lower) {
		*a = sl_act_continue();
		return;
	}
	if (r == LAYER_OUTSIDE) {
		path_outside(c, a, st, p, flags);
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
		r = cowl_job_run(c, &j);
	}
	*a = inject(r, flags);
}

static long open_object(struct sl_ctx *c, struct cl_state *st, int dirfd, char *path, int fd,
			uint64_t flags, uint64_t mode);

/* The kernel takes the command's descriptor before it makes the name: an
 * open that fails for want of one (EMFILE at the injection) has made
 * nothing.  The layer made it first, so it is taken back then (still
 * under the engine's lock: no call of the command's came between). */
static void undo_made(struct sl_ctx *c, bool installed, void *arg)
{
	struct cl_state *st = supervisor_feature_state(c->sup, cowl_self());
	if (!installed && st) {
		struct job j = {.st = st, .op = OP_UNLINK, .a = arg};
		(void)cowl_job_run(c, &j);
	}
	free(arg);
}

/* cowlayer_open with a layer: its frame is large (the path's forms), and
 * the entry below, which every notified open goes through, stays small:
 * a page of stack the command's first open touches costs a fault. */
static __attribute__((noinline)) bool open_in_layer(struct sl_ctx *c, struct sl_action *a,
						    struct cl_state *st, int dirfd,
						    const char *path, uint64_t flags, uint64_t mode)
{
	struct place *p = malloc(sizeof(*p));
	int r = p ? cowl_place(st, c, dirfd, path, false, flags & O_NOFOLLOW, p) : -ENOMEM;
	if (r == 0) {
		free(p);
		return false;
	}
	long fd = r < 0 ? r : 0;
	if (fd == 0 && (flags & O_PATH)) {
		open_path(c, a, st, p, path, flags);
		free(p);
		return true;
	}
	if (fd == 0 && writes(flags))
		fd = cowl_quota(c, st, 0);
	if (fd == 0) {
		mode_t m = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
			       ? (mode_t)mode & 07777 & ~cowl_umask_of(c)
			       : 0;
		struct job j = {
		    .st = st, .op = OP_OPEN, .a = p->abs, .flags = (int)flags, .mode = m};
		fd = cowl_layer_call(c, &j, p->abs,
				     (flags & O_NOFOLLOW) ||
					     (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)
					 ? 0
					 : LAYER_FOLLOW);
		if (fd >= 0 && writes(flags))
			cowl_quota_track(st, (int)fd);
		if (fd >= 0 && j.made && !c->injected && (c->injected_arg = strdup(j.a)))
			c->injected = undo_made;
	}
	/* through a symlink out of the workdir: where it continues, opened
	 * as any path outside (the kernel's decision, a name made there) */
	if (fd == -EXDEV &&
	    cowl_outside_of(c, st, p->abs, (flags & O_NOFOLLOW) ? 0 : LAYER_FOLLOW, p->raw))
		fd = open_object(c, st, AT_FDCWD, p->raw, -1, flags, mode);
	free(p);
	*a = inject(fd, flags);
	return true;
}

bool cowlayer_open(struct sl_ctx *c, struct sl_action *a, int dirfd, const char *path,
		   uint64_t flags, uint64_t mode)
{
	struct cl_state *st = supervisor_feature_state(c->sup, cowl_self());
	return st && open_in_layer(c, a, st, dirfd, path, flags, mode);
}

/* ---- every other open: made here, under the command's ruleset ---------------- */

/* An open that does not land in the workdir: the object the open
 * chain's entry resolved on its one read of the path is taken
 * (cowlayer_stash); one outside the workdir and the upper is continued
 * when the open makes no name (continued_outside: Landlock leaves the
 * workdir out, so a rewritten path reaches nothing of it).  Failing
 * that, the path, read once more here
 * (a fresh decision), is placed again (the workdir's: the layer), else
 * resolved as the thread would (the on-behalf core, no decision).  The
 * object is one we hold: one in the workdir or the upper (met
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
		int fd =
		    (q->flags & O_EXCL) ? -1 : openat(q->fd, q->base, fl | O_NOFOLLOW, q->mode);
		if (fd < 0 && ((q->flags & O_EXCL) || errno == ENOENT))
			fd = openat(q->fd, q->base, fl | O_NOFOLLOW | O_CREAT | O_EXCL, q->mode);
		return fd < 0 ? -errno : fd;
	}
	if ((q->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	bool fifo = fstat(q->fd, &sb) == 0 && S_ISFIFO(sb.st_mode) && !(fl & O_NONBLOCK);
	char link[32];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", q->fd);
	int fd = open(link, fl | (fifo ? O_NONBLOCK : 0), q->mode);
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
void cowl_dev_fd(const struct cl_state *st, char *path)
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
	return cowl_fd_name(fd, abs, PATH_MAX) == 0 && cowl_to_workdir(st, abs) == 1;
}

bool cowlayer_wants_object(struct sl_ctx *c)
{
	return supervisor_feature_state(c->sup, cowl_self()) != NULL;
}

void cowlayer_stash(struct sl_ctx *c, int fd)
{
	struct cl_state *st = supervisor_feature_state(c->sup, cowl_self());
	if (!st) {
		if (fd >= 0)
			close(fd);
		return;
	}
	sl_close(&st->stash_fd);
	st->stash_fd = fd;
	st->stash_id = c->req->id;
}

/* The object the chain's entry resolved for this very notification (on
 * its one read of the path), or -1. */
static int stashed(struct cl_state *st, struct sl_ctx *c)
{
	int fd = st->stash_id == c->req->id ? st->stash_fd : -1;
	if (fd >= 0)
		st->stash_fd = -1;
	return fd;
}

/* The open of the object held (fd, taken), else of path (ours: it may be
 * rewritten) resolved as the thread would: by the layer when it lies in
 * the workdir or the upper, else again under the command's ruleset.  An
 * fd, or -errno. */
static long open_object(struct sl_ctx *c, struct cl_state *st, int dirfd, char *path, int fd,
			uint64_t flags, uint64_t mode)
{
	struct reopen q = {.fd = fd, .flags = (int)flags};
	char *abs = malloc(PATH_MAX);
	long r = abs ? 0 : -ENOMEM;
	/* O_TMPFILE makes a file too: the mode applies (and glibc's
	 * fortified open() aborts when such flags come without one) */
	if (r == 0 && ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE))
		q.mode = (mode_t)mode & 07777 & ~cowl_umask_of(c);
	if (q.fd < 0 && r == 0)
		cowl_dev_fd(st, path);
	if (q.fd < 0 && r == 0)
		r = q.fd = (int)resolve_any(c, st, dirfd, path, (int)flags, &q);
	if (r >= 0 && !q.base && held_in_layer(st, q.fd, abs)) {
		struct job j = {.st = st, .op = OP_OPEN, .a = abs, .flags = (int)flags & ~O_CREAT};
		r = writes(flags) ? cowl_quota(c, st, 0) : 0;
		if (r == 0)
			r = cowl_job_run(c, &j);
		if (r >= 0 && writes(flags))
			cowl_quota_track(st, (int)r);
	} else if (r >= 0) {
		r = onbehalf_call_on(st->ob, c, st->confined, reopen_op, &q);
	}
	if (q.fd >= 0)
		close(q.fd);
	free(abs);
	return r;
}

/* An open whose object (held: the one the chain's entry resolved on its
 * one read of the path) lies outside the workdir and the upper, making
 * no name: continued (held closed), Landlock decides.  Landlock gives
 * the workdir no right to read or execute (cowrules.h) and the upper no
 * write, so a thread that rewrites the path after the check has the
 * kernel open nothing of the layer but what the command made itself:
 * the lower's files (one the layer removed, or changed) stay out of
 * reach.  A creating open is placed again (the name may be the
 * layer's). */
static bool continued_outside(struct cl_state *st, int held, uint64_t flags)
{
	char abs[PATH_MAX];
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE || held_in_layer(st, held, abs))
		return false;
	close(held);
	return true;
}

static void on_tail_open(struct sl_ctx *c, struct sl_action *a, int dirfd, uint64_t addr,
			 uint64_t flags, uint64_t mode)
{
	struct cl_state *st = supervisor_feature_state(c->sup, cowl_self());
	*a = sl_act_continue();
	if (!st || (flags & O_PATH))
		return;
	int held = stashed(st, c);
	if (held >= 0 && continued_outside(st, held, flags))
		return;
	char *path = malloc(PATH_MAX);
	long r = !path ? -ENOMEM : held >= 0 ? 0 : onbehalf_read_path(c, addr, path, PATH_MAX);
	if (held < 0 && r == 0 && cowlayer_open(c, a, dirfd, path, flags, mode)) {
		free(path);
		return;
	}
	if (r == 0)
		r = open_object(c, st, dirfd, path, held, flags, mode);
	else if (held >= 0)
		close(held);
	free(path);
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

/* ---- the feature ----------------------------------------------------------------------- */

#define SETID (S_ISUID | S_ISGID)

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_unserved,
	H_cowl_on_path,
	H_cowl_on_path2,
	H_cowl_on_fdmeta,
	H_cowl_on_getdents64,
	H_cowl_on_getdents,
	H_cowl_on_chdir,
	H_cowl_on_statfs,
	H_cowl_on_getcwd,
	H_cowl_on_exec,
	H_on_tail_openat,
	H_cowl_on_getdents64_tail,
	H_cowl_on_getdents_tail,
	H_on_tail_open_legacy,
	H_on_tail_creat,
	H_cowl_on_ioctl,
};

/* mknod's forms the filter does not deny (a FIFO, a socket, a regular
 * file, no set-id bit): a rule for every call would switch its device
 * denials off (filter.c). */

#define MKNOD_FORM(nr, i, type)                                                                    \
	{                                                                                          \
		{(nr), 1, {SL_AMASK((i), S_IFMT | SETID, (type))}}, H_cowl_on_path                 \
	}

/* The newer path calls for xattrs and file attributes (getxattrat,
 * listxattrat: Linux 6.13; file_getattr: 6.17) are not served by the
 * layer: the kernel would resolve them from the command's cwd in the
 * upper (whiteouts, overlay marks) or, by the workdir's name, on the
 * host's files (a removed file's attributes), neither of them the view.
 * ENOSYS, as a kernel without them answers: libraries fall back to
 * getxattr, listxattr and the FS_IOC_FSGETXATTR ioctl on an open file,
 * which the layer serves.  (setxattrat, removexattrat and file_setattr
 * get the same answer from fsmeta.c in every sandbox.) */
static void on_unserved(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	(void)c;
	(void)arg;
	*a = sl_act_errno(ENOSYS);
}

static const sl_hfn handlers[] = {
    [H_on_unserved] = on_unserved,
    [H_cowl_on_path] = cowl_on_path,
    [H_cowl_on_path2] = cowl_on_path2,
    [H_cowl_on_fdmeta] = cowl_on_fdmeta,
    [H_cowl_on_getdents64] = cowl_on_getdents64,
#ifdef __NR_getdents
    [H_cowl_on_getdents] = cowl_on_getdents,
#endif
    [H_cowl_on_chdir] = cowl_on_chdir,
    [H_cowl_on_statfs] = cowl_on_statfs,
    [H_cowl_on_getcwd] = cowl_on_getcwd,
    [H_cowl_on_exec] = cowl_on_exec,
    [H_on_tail_openat] = on_tail_openat,
    [H_cowl_on_getdents64_tail] = cowl_on_getdents64_tail,
#ifdef __NR_getdents
    [H_cowl_on_getdents_tail] = cowl_on_getdents_tail,
#endif
#ifdef __NR_open
    [H_on_tail_open_legacy] = on_tail_open_legacy,
#endif
#ifdef __NR_creat
    [H_on_tail_creat] = on_tail_creat,
#endif
    [H_cowl_on_ioctl] = cowl_on_ioctl,
};

static const struct sl_frow cowlayer_rules[] = {
    {{__NR_getxattrat, 0, {{0}}}, H_on_unserved},
    {{__NR_listxattrat, 0, {{0}}}, H_on_unserved},
    {{__NR_file_getattr, 0, {{0}}}, H_on_unserved},
#ifdef __NR_stat
    {{__NR_stat, 0, {{0}}}, H_cowl_on_path},
    {{__NR_lstat, 0, {{0}}}, H_cowl_on_path},
    {{__NR_access, 0, {{0}}}, H_cowl_on_path},
    {{__NR_readlink, 0, {{0}}}, H_cowl_on_path},
    {{__NR_unlink, 0, {{0}}}, H_cowl_on_path},
    {{__NR_rmdir, 0, {{0}}}, H_cowl_on_path},
    {{__NR_mkdir, 0, {{0}}}, H_cowl_on_path},
    MKNOD_FORM(__NR_mknod, 1, S_IFIFO),
    MKNOD_FORM(__NR_mknod, 1, S_IFSOCK),
    MKNOD_FORM(__NR_mknod, 1, S_IFREG),
    MKNOD_FORM(__NR_mknod, 1, 0),
    {{__NR_chmod, 0, {{0}}}, H_cowl_on_path},
    {{__NR_chown, 0, {{0}}}, H_cowl_on_path},
    {{__NR_lchown, 0, {{0}}}, H_cowl_on_path},
    {{__NR_rename, 0, {{0}}}, H_cowl_on_path2},
    {{__NR_link, 0, {{0}}}, H_cowl_on_path2},
    {{__NR_symlink, 0, {{0}}}, H_cowl_on_path2},
#endif
    {{__NR_newfstatat, 0, {{0}}}, H_cowl_on_path},
    {{__NR_statx, 0, {{0}}}, H_cowl_on_path},
    {{__NR_faccessat, 0, {{0}}}, H_cowl_on_path},
    {{__NR_faccessat2, 0, {{0}}}, H_cowl_on_path},
    {{__NR_readlinkat, 0, {{0}}}, H_cowl_on_path},
    {{__NR_unlinkat, 0, {{0}}}, H_cowl_on_path},
    {{__NR_mkdirat, 0, {{0}}}, H_cowl_on_path},
    MKNOD_FORM(__NR_mknodat, 2, S_IFIFO),
    MKNOD_FORM(__NR_mknodat, 2, S_IFSOCK),
    MKNOD_FORM(__NR_mknodat, 2, S_IFREG),
    MKNOD_FORM(__NR_mknodat, 2, 0),
    {{__NR_fchmodat, 0, {{0}}}, H_cowl_on_path},
    {{__NR_fchmodat2, 0, {{0}}}, H_cowl_on_path},
    {{__NR_fchownat, 0, {{0}}}, H_cowl_on_path},
    {{__NR_utimensat, 0, {{0}}}, H_cowl_on_path},
#ifdef __NR_utimes
    {{__NR_utimes, 0, {{0}}}, H_cowl_on_path},
#endif
#ifdef __NR_utime
    {{__NR_utime, 0, {{0}}}, H_cowl_on_path},
#endif
#ifdef __NR_futimesat
    {{__NR_futimesat, 0, {{0}}}, H_cowl_on_path},
#endif
    {{__NR_truncate, 0, {{0}}}, H_cowl_on_path},
    {{__NR_setxattr, 0, {{0}}}, H_cowl_on_path},
    {{__NR_lsetxattr, 0, {{0}}}, H_cowl_on_path},
    {{__NR_getxattr, 0, {{0}}}, H_cowl_on_path},
    {{__NR_lgetxattr, 0, {{0}}}, H_cowl_on_path},
    {{__NR_listxattr, 0, {{0}}}, H_cowl_on_path},
    {{__NR_llistxattr, 0, {{0}}}, H_cowl_on_path},
    {{__NR_removexattr, 0, {{0}}}, H_cowl_on_path},
    {{__NR_lremovexattr, 0, {{0}}}, H_cowl_on_path},
#ifdef __NR_renameat
    {{__NR_renameat, 0, {{0}}}, H_cowl_on_path2},
#endif
    {{__NR_renameat2, 0, {{0}}}, H_cowl_on_path2},
    {{__NR_linkat, 0, {{0}}}, H_cowl_on_path2},
    {{__NR_symlinkat, 0, {{0}}}, H_cowl_on_path2},
    {{__NR_fchmod, 0, {{0}}}, H_cowl_on_fdmeta},
    {{__NR_fchown, 0, {{0}}}, H_cowl_on_fdmeta},
    {{__NR_fsetxattr, 0, {{0}}}, H_cowl_on_fdmeta},
    {{__NR_fremovexattr, 0, {{0}}}, H_cowl_on_fdmeta},
    /* the ioctls that change an inode through a read-only fd (cowpaths.c) */
    /* clang-format off */
    FSMETA_INODE_IOCTL_RULES(H_cowl_on_ioctl)
    /* clang-format on */
    {{__NR_getdents64, 0, {{0}}}, H_cowl_on_getdents64},
#ifdef __NR_getdents
    {{__NR_getdents, 0, {{0}}}, H_cowl_on_getdents},
#endif
    {{__NR_chdir, 0, {{0}}}, H_cowl_on_chdir},
    {{__NR_statfs, 0, {{0}}}, H_cowl_on_statfs},
    {{__NR_getcwd, 0, {{0}}}, H_cowl_on_getcwd},
    {{__NR_execve, 0, {{0}}}, H_cowl_on_exec},
    {{__NR_execveat, 0, {{0}}}, H_cowl_on_exec},
};

static bool active(const struct sl_feature_env *env)
{
	return env->policy->workdir && env->policy->fs_isolation == SL_ISO_NONE;
}

/* The kernel's canonical name of one of our directory fds. */
static int dir_name(int fd, char *out, size_t *len, const char *what)
{
	int r = cowl_fd_name(fd, out, PATH_MAX);
	if (r < 0)
		return sl_errorf(-r, "copy-on-write layer: the %s's name: %s", what, strerror(-r));
	*len = strlen(out);
	return 0;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	struct cl_state *st = state;
	st->proc_off = proc_off;
	st->lower = st->upper = st->work = st->ruleset = st->stash_fd = -1;
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
	st->lower_dev = sb.st_dev;
	if (fstat(st->upper, &sb) < 0)
		return sl_errorf(errno, "copy-on-write layer: %s: %s", b->upper, strerror(errno));
	st->upper_dev = sb.st_dev;
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
	if (st->ob)
		cowl_steer_release(st);
	for (size_t i = 0; i < CL_DIRS; i++)
		if (st->dirs[i].used)
			layer_dir_free(&st->dirs[i].d);
	if (st->ob) { /* a zeroed state's 0s are not ours */
		sl_close(&st->lower);
		sl_close(&st->upper);
		sl_close(&st->work);
	}
	aschild_free(st->confined);
	if (st->ob) {
		sl_close(&st->ruleset);
		sl_close(&st->stash_fd);
		cowl_quota_release(st);
	}
	onbehalf_put(st->ob);
}

const struct sl_feature feature_cowlayer = {
    .name = "copy-on-write layer",
    .active = active,
    SL_FRULES(cowlayer_rules, handlers),
    .state_size = sizeof(struct cl_state),
    .proc_size = sizeof(struct cl_proc),
    .init = init,
    .release = release,
};

const struct sl_feature *cowl_self(void)
{
	return &feature_cowlayer;
}

/* The opens no feature before it answered (views, the proc view,
 * random's devices, the policy callback's): late in the dispatch order,
 * its state the layer's (see "every other open").  So are the listings
 * that deterministic_dirs and the /proc view left (cowlist.c). */
static const struct sl_frow tail_rules[] = {
    {{__NR_openat, 0, {{0}}}, H_on_tail_openat},
    {{__NR_getdents64, 0, {{0}}}, H_cowl_on_getdents64_tail},
#ifdef __NR_getdents
    {{__NR_getdents, 0, {{0}}}, H_cowl_on_getdents_tail},
#endif
#ifdef __NR_open
    {{__NR_open, 0, {{0}}}, H_on_tail_open_legacy},
#endif
#ifdef __NR_creat
    {{__NR_creat, 0, {{0}}}, H_on_tail_creat},
#endif
};

const struct sl_feature feature_cowlayer_opens = {
    .name = "copy-on-write layer's opens",
    .active = active,
    SL_FRULES(tail_rules, handlers),
};
