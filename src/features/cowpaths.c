/* SPDX-License-Identifier: Apache-2.0 */
/* cowpaths.c - the seccomp layer: the path calls, the two-path calls, metadata through an fd (see
 * cowlayer.c). */
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
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "aschild.h"
#include "cow.h"
#include "cowint.h"
#include "fsmeta.h"
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
	enum fsmeta_times kind = nr == __NR_utimensat ? FSMETA_TIMESPEC : FSMETA_TIMEVAL;
#ifdef __NR_utime
	if (nr == __NR_utime)
		kind = FSMETA_UTIMBUF;
#endif
	return fsmeta_read_times(c, kind, addr, j->ts, &j->now);
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
		j->mode = ((mode_t)a[0] & 07777 & ~cowl_umask_of(c)) | S_IFDIR;
		j->mode &= ~(mode_t)S_IFDIR;
		return 0;
	case OP_MKNOD:
		j->mode = (mode_t)a[0];
		j->mode = (j->mode & S_IFMT) | (j->mode & 07777 & ~cowl_umask_of(c));
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
	long r = cowl_job_run(c, &j);
	if (r < 0)
		return 0; /* the operation answers */
	return cowl_quota(c, st, len > j.sb.st_size ? (uint64_t)(len - j.sb.st_size) : 0);
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
		return cowl_quota(c, st, 0);
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
	long r = cowl_outside_run(c, st, j->a, j->flags, &q);
	if (r >= 0 && k->op == OP_STAT)
		j->sb = q.sb;
	return r;
}

/* The l*xattr calls name a symlink itself, which the layer's xattr
 * calls (they follow) do not: a symlink holds no user.* xattr, and no
 * capless caller sets one (the kernel's answers).  1: not a symlink, go
 * on; else the answer. */
static long link_xattr(struct sl_ctx *c, struct cl_state *st, const struct pcall *k,
		       const struct job *j, int lf)
{
	bool x = k->op == OP_SETXATTR || k->op == OP_GETXATTR || k->op == OP_LISTXATTR ||
		 k->op == OP_RMXATTR;
	if (!x || (lf & LAYER_FOLLOW))
		return 1;
	struct job s = {.st = st, .op = OP_STAT, .a = j->a, .flags = 0};
	long r = cowl_job_run(c, &s);
	if (r < 0 || !S_ISLNK(s.sb.st_mode))
		return r < 0 ? r : 1;
	return k->op == OP_LISTXATTR ? 0 : k->op == OP_SETXATTR ? -EPERM : -ENODATA;
}

/* The fd forms (a NULL path to utimensat, futimesat): fdmeta.c's.  Not
 * with AT_FDCWD: no fd, the kernel's EFAULT (file metadata's). */
static bool fd_form(const struct sl_ctx *c, const struct pcall *k)
{
	return k->op == OP_UTIMENS && k->dirfd >= 0 && arg(c, k->path) == 0 &&
	       (int)arg(c, k->dirfd) != AT_FDCWD;
}

static void fd_utimens(struct sl_ctx *c, struct sl_action *a, struct cl_state *st,
		       const struct pcall *k);

/* readlink of /proc/self/cwd (fd/N) in a directory (a file) the upper
 * holds: the workdir's name of it, as getcwd answers (cowl_magic_upper).
 * true when answered. */
static bool magic_readlink(struct sl_ctx *c, struct sl_action *a, struct cl_state *st,
			   const struct pcall *k, const char *path)
{
	char *name = malloc(PATH_MAX);
	long r = name ? cowl_magic_upper(st, c, path, name) : -ENOMEM;
	if (r <= 0) {
		free(name);
		return false;
	}
	size_t n = strlen(name), size = (size_t)(int)arg(c, k->path + 2);
	if ((int)arg(c, k->path + 2) <= 0)
		r = -EINVAL;
	else if (mem_write(&c->mem, arg(c, k->path + 1), name, n < size ? n : size) < 0)
		r = -EFAULT;
	else
		r = (long)(n < size ? n : size);
	free(name);
	onbehalf_answer(a, r);
	return true;
}

/* ---- reads that are not the layer's --------------------------------------------- */

struct other_q {
	const struct cl_state *st;
	struct job *j;
	char *abs; /* PATH_MAX bytes: the workdir's name of an object of the layer */
};

/* On the object the on-behalf core resolved: the layer's (its name in the
 * workdir or the upper: 1, the caller asks the layer), else the call made
 * on it (a symlink holds no user.* xattr: the layer's answers for one). */
static long other_op(const struct ob_obj *o, void *arg)
{
	struct other_q *q = arg;
	struct job *j = q->j;
	char proc[32];
	/* named only on the layer's filesystems (a name costs a readlink) */
	bool fs = o->st.st_dev == q->st->lower_dev || o->st.st_dev == q->st->upper_dev;
	if (fs && cowl_fd_name(o->fd, q->abs, PATH_MAX) == 0 && cowl_to_workdir(q->st, q->abs) == 1)
		return 1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	bool link = S_ISLNK(o->st.st_mode);
	long r;
	switch (j->op) {
	case OP_TRUNCATE:
		if (!S_ISREG(o->st.st_mode))
			return S_ISDIR(o->st.st_mode) ? -EISDIR : -EINVAL;
		r = open(proc, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (r >= 0) {
			int fd = (int)r;
			r = ftruncate(fd, j->len);
			close(fd);
		}
		break;
	case OP_READLINK: /* "" of a non-symlink is ENOENT, readlink's EINVAL */
		if (!link)
			return -EINVAL;
		r = readlinkat(o->fd, "", j->buf, j->size);
		break;
	case OP_GETXATTR:
		if (link)
			return -ENODATA;
		r = getxattr(proc, j->name, j->buf, j->size);
		break;
	default: /* OP_LISTXATTR */
		if (link)
			return 0;
		r = listxattr(proc, j->buf, j->size);
		break;
	}
	return r < 0 ? -errno : r;
}

/* readlink of /proc/self and /proc/thread-self themselves (the on-behalf
 * core names the caller's /proc entries through them): the caller's
 * "<tgid>" and "<tgid>/task/<tid>", as the kernel's links say: the
 * length written to j->buf (truncated to its size, no NUL), or -1 for
 * any other path. */
static long proc_self_link(struct sl_ctx *c, const char *path, struct job *j)
{
	char t[64];
	if (!strcmp(path, "/proc/self"))
		snprintf(t, sizeof(t), "%d", (int)c->proc->pid);
	else if (!strcmp(path, "/proc/thread-self"))
		snprintf(t, sizeof(t), "%d/task/%d", (int)c->proc->pid, (int)c->req->pid);
	else
		return -1;
	size_t n = strlen(t) < j->size ? strlen(t) : j->size;
	memcpy(j->buf, t, n);
	return (long)n;
}

/* A getxattr or listxattr whose path is not the layer's: made here on
 * the path read once, never continued (the kernel would read the path
 * again, and a thread rewriting it in between would have the kernel read
 * an xattr of a file the layer removed: Landlock has no right for xattr
 * reads, so leaving the workdir out of its rules does not keep that
 * out).  The object is resolved as
 * the thread would resolve it (the on-behalf core, no decision: the
 * kernel's calls need no right); one of the layer (met through a symlink
 * outside, a member's /proc/<pid>/cwd) is answered by the layer, its
 * workdir name in abs: 1.  A truncate too, decided on the object (a
 * writable tree, as Landlock's truncate right would be): where Landlock
 * has no such right (ABI < 3, degraded), a continued truncate rewritten
 * to a workdir file would cut the host's file. */
static long other_read(struct sl_ctx *c, struct cl_state *st, int dirfd, const char *path, int lf,
		       struct job *j, char *abs)
{
	struct other_q q = {.st = st, .j = j, .abs = abs};
	long n = j->op == OP_READLINK ? proc_self_link(c, path, j) : -1;
	if (n >= 0)
		return n;
	char *dup = strdup(path);
	if (!dup)
		return -ENOMEM;
	/* /dev/fd/N is the caller's (the core would follow /dev/fd to ours);
	 * a final /dev/stdin not followed is the link itself */
	if ((lf & LAYER_FOLLOW) || !strncmp(dup, "/dev/fd/", 8))
		cowl_dev_fd(st, dup);
	struct ob_req r = {.dirfd = dirfd,
			   .path = dup,
			   .flags = (lf & LAYER_FOLLOW) ? 0 : OB_NOFOLLOW,
			   .need = j->op == OP_TRUNCATE ? OB_WRITE : OB_ANY,
			   .op = other_op,
			   .arg = &q};
	long v = onbehalf_run(st->ob, c, &r);
	free(dup);
	return v;
}

/* readlink is left to the kernel, as stat is: what a thread rewriting
 * the path in flight can read that way is a removed name's metadata or
 * symlink target, never a file's content, and gcc resolves every
 * include path with it (about 13,500 calls in a make of 25 units: made
 * here, they cost the make some 15 %). */
static bool other_read_op(enum cl_op op)
{
	return op == OP_GETXATTR || op == OP_LISTXATTR || op == OP_TRUNCATE;
}

/* Every path call but the opens and the two-path ones. */
void cowl_on_path(struct sl_ctx *c, struct sl_action *a, void *arg_)
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
	if (r == 0 && k->op == OP_READLINK && magic_readlink(c, a, st, k, path)) {
		free(p);
		return;
	}
	if (r == 0)
		r = cowl_place(st, c, dirfd, path, empty, !(lf & LAYER_FOLLOW), p);
	bool other = r == 0 && other_read_op(k->op);
	if (r == 0 && !other) { /* not the layer's: stat, access, or a change Landlock decides */
		free(p);
		return;
	}
	if (r > 0 && k->op == OP_UNLINK && (f & AT_REMOVEDIR))
		j.op = OP_RMDIR;
	uint64_t a4[4] = {arg(c, k->path + 1), arg(c, k->path + 2), arg(c, k->path + 3),
			  arg(c, k->path + 4)};
	if (k->op == OP_READLINK && (r > 0 || other))
		a4[1] = arg(c, k->path + 2);
	if (r > 0 || other)
		r = read_args(c, k, a4, &j);
	if (other && r == 0 && (r = other_read(c, st, dirfd, path, lf, &j, p->abs)) != 1) {
		r = write_out(c, k, &j, r);
		free(j.buf);
		free(p);
		onbehalf_answer(a, r);
		return;
	}
	if (r == 1 && k->op == OP_UTIMENS)
		r = 0; /* both omitted: nothing changes */
	else if (r >= 0) {
		j.a = p->abs;
		r = quota_of(c, st, k, &j);
		if (r == 0 && (r = link_xattr(c, st, k, &j, lf)) == 1)
			r = cowl_layer_call(c, &j, p->abs, lf);
		if (r == -EXDEV && (k->op == OP_STAT || k->op == OP_READLINK || k->op == OP_ACCESS))
			r = path_outside(c, st, k, &j);
		/* through a symlink out, or a ".." above the root: made on the
		 * host's path it continues to (cowout.c) */
		if (r == -EXDEV && cowl_outside_of(c, st, p->abs, lf, path))
			r = cowl_out_change(c, st, &j, path, NULL, lf);
		r = write_out(c, k, &j, r);
	}
	free(j.buf);
	free(p);
	onbehalf_answer(a, r);
}

/* ---- statfs ------------------------------------------------------------------------ */

static long statfs_op(const struct ob_obj *o, void *arg)
{
	return fstatfs(o->fd, arg) < 0 ? -errno : 0;
}

/* statfs(2) of a path of the layer: the workdir's filesystem (where the
 * commit puts what the upper holds), not the storage's, which the
 * kernel would name from a cwd in the upper; a path that leaves the
 * workdir: the host's filesystem there (the on-behalf core resolves it,
 * no decision: the kernel's statfs needs no right either). */
void cowl_on_statfs(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	*a = sl_act_continue();
	struct place *p = malloc(sizeof(*p));
	struct statfs sf;
	long r = p ? onbehalf_read_path(c, c->req->data.args[0], p->raw, PATH_MAX) : -ENOMEM;
	char path[PATH_MAX];
	if (r == 0) {
		memcpy(path, p->raw, strlen(p->raw) + 1);
		r = cowl_place(st, c, AT_FDCWD, path, false, false, p);
	}
	if (r == 0) {
		free(p);
		return;
	}
	struct job j = {.st = st, .op = OP_LOOKUP, .a = p->abs, .flags = LAYER_FOLLOW};
	if (r > 0)
		r = cowl_job_run(c, &j);
	if (r == 0 || r == LAYER_OUTSIDE) {
		bool none = r == 0 && j.n.where == LAYER_NONE;
		snprintf(path, sizeof(path), "%s", r == LAYER_OUTSIDE ? j.n.outside : "");
		layer_node_put(&j.n);
		r = none ? -ENOENT : 0;
		if (r == 0 && path[0]) {
			struct ob_req q = {.dirfd = AT_FDCWD,
					   .path = path,
					   .need = OB_ANY,
					   .op = statfs_op,
					   .arg = &sf};
			r = onbehalf_run(st->ob, c, &q);
		} else if (r == 0) {
			r = fstatfs(st->lower, &sf) < 0 ? -errno : 0;
		}
	}
	if (r == 0 && mem_write(&c->mem, c->req->data.args[1], &sf, sizeof(sf)) < 0)
		r = -EFAULT;
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
 * made (no name: cowl_place cannot name it): linked into the layer. */
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
	if (r == 0 &&
	    (!S_ISREG(sb.st_mode) || sb.st_dev != ub.st_dev || sb.st_nlink != 0 ||
	     cowl_fd_name(fd, name, sizeof(name)) != -ESTALE || !cowl_under(name, st->up, st->upl)))
		r = -EXDEV;
	if (r == 0)
		r = cowl_quota(c, st, 0);
	if (r == 0) {
		struct job j = {.st = st, .op = OP_LINKFD, .a = to, .fd = fd};
		r = (int)cowl_job_run(c, &j);
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* A two-path call the layer answered EXDEV: when every name it changes
 * leaves the workdir (a ".." above the root, a symlink out), made on the
 * host's paths (cowout.c); one name in the layer and one outside stays
 * EXDEV (two filesystems, as the kernel says of them). */
static long path2_outside(struct sl_ctx *c, struct cl_state *st, struct two *t, const struct job *j)
{
	bool sym = j->op == OP_SYMLINK;
	int fa = j->op == OP_LINK ? j->flags & LAYER_FOLLOW : 0;
	char *oa = malloc(PATH_MAX), *ob = malloc(PATH_MAX);
	long r = oa && ob ? -EXDEV : -ENOMEM;
	if (oa && ob && cowl_outside_of(c, st, sym ? t->b.abs : t->a.abs, fa, oa) &&
	    (sym || cowl_outside_of(c, st, t->b.abs, 0, ob)))
		r = cowl_out_change(c, st, j, oa, sym ? NULL : ob, 0);
	free(oa);
	free(ob);
	return r;
}

void cowl_on_path2(struct sl_ctx *c, struct sl_action *a, void *arg_)
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
		ra = cowl_place(st, c, d1, t->pa, k->op == OP_LINK && (f & AT_EMPTY_PATH),
				!(k->op == OP_LINK && (f & AT_SYMLINK_FOLLOW)), &t->a);
	if (r == 0 && ra >= 0)
		rb = cowl_place(st, c, d2, t->pb, false, true, &t->b);
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
		r = cowl_quota(c, st, 0);
		if (r == 0)
			r = cowl_job_run(c, &j);
		if (r == -EXDEV)
			r = path2_outside(c, st, t, &j);
	}
	free(t);
	onbehalf_answer(a, r);
}

/* ---- metadata through an fd ------------------------------------------------------- */

/* Where the object of the command's fd n lies: 0 in the upper (or with
 * no name left: unlinked, O_TMPFILE); 1 in the lower (its workdir name in
 * abs), or with upper_too an upper object too (its workdir name: the
 * layer's call by name); FD_OUTSIDE outside the workdir; -errno.  o: our fd of it
 * (onbehalf_fd_file), the caller's to close. */
#define FD_OUTSIDE 2
static int fd_place(struct sl_ctx *c, struct cl_state *st, int n, char *abs, bool upper_too,
		    struct ob_obj *o)
{
	struct stat lb;
	o->fd = onbehalf_fd_file(c, n, &o->st);
	if (o->fd < 0)
		return o->fd;
	int r = cowl_fd_name(o->fd, abs, PATH_MAX);
	/* no name: on another file system than the lower's (a pipe, a
	 * socket, an anonymous inode, a file elsewhere), decided as without
	 * the layer; on the lower's, an upper file (O_TMPFILE, unlinked) has
	 * no link left, a lower file with links left elsewhere must not
	 * change */
	if (r == -ESTALE && (fstat(st->lower, &lb) < 0 || lb.st_dev != o->st.st_dev))
		return FD_OUTSIDE;
	if (r == -ESTALE)
		return o->st.st_nlink > 0 && !S_ISDIR(o->st.st_mode) ? -EROFS : 0;
	if (r < 0)
		return r;
	if (upper_too)
		return (r = cowl_to_workdir(st, abs)) == 0 ? FD_OUTSIDE : r;
	if (cowl_under(abs, st->up, st->upl))
		return 0;
	return cowl_under(abs, st->wd, st->wdl) ? 1 : FD_OUTSIDE;
}

struct fd_job {
	const struct ob_obj *o;
	const struct job *j;
};

/* The call on our fd of the object, with the command's credentials. */
static long fd_op(void *arg)
{
	const struct fd_job *f = arg;
	const struct job *j = f->j;
	switch (j->op) {
	case OP_CHMOD:
		return fsmeta_chmod_obj(f->o, j->mode);
	case OP_CHOWN:
		return fchownat(f->o->fd, "", j->uid, j->gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
	case OP_UTIMENS:
		return utimensat(f->o->fd, "", j->now ? NULL : j->ts, AT_EMPTY_PATH) < 0 ? -errno
											 : 0;
	default:
		return fsmeta_xattr_obj(f->o, j->name, j->buf, j->size, j->flags,
					j->op == OP_RMXATTR);
	}
}

/* A chmod (no set-id bit: the filter refuses those), a change of times,
 * or a chown to the ids the object has, of an object the command's
 * filesystem uid owns and that carries no set-id bit: the kernel lets
 * the owner make it whatever its capabilities, so the supervisor's own
 * thread makes it as is, with no change of credentials (ten syscalls
 * fewer on a root host, six otherwise: an untar sets a mode, times and
 * the owner it has on every file).  Otherwise the credentials decide
 * (onbehalf_call): a chown to other ids, a set-id bit that a chown by a
 * capless caller would clear, another owner. */
static bool owner_alone(struct sl_ctx *c, struct cl_state *st, const struct ob_obj *o,
			const struct job *j)
{
	uid_t fsuid;
	bool same_ids = (j->uid == (uid_t)-1 || j->uid == o->st.st_uid) &&
			(j->gid == (gid_t)-1 || j->gid == o->st.st_gid);
	return (j->op == OP_CHMOD || j->op == OP_UTIMENS || (j->op == OP_CHOWN && same_ids)) &&
	       !(o->st.st_mode & (S_ISUID | S_ISGID)) &&
	       onbehalf_child_fsuid(st->ob, c, &fsuid) == 0 && o->st.st_uid == fsuid;
}

static void fd_meta(struct sl_ctx *c, struct sl_action *a, struct cl_state *st, int n,
		    struct job *j)
{
	/* an upper object's own mode, owner and times change as the kernel
	 * changes them, on our fd of it; its xattrs go through the layer by
	 * name even there (the layer refuses overlay.* names: a forged
	 * opaque or whiteout mark would change what the commit does).
	 * Never continued: the kernel would take fd n again, and another
	 * thread may have pointed it at a file of the lower since (dup2) */
	bool xattr = j->op == OP_SETXATTR || j->op == OP_RMXATTR;
	struct ob_obj o = {.fd = -1};
	char *abs = malloc(PATH_MAX);
	long r = abs ? fd_place(c, st, n, abs, xattr, &o) : -ENOMEM;
	if (r == FD_OUTSIDE) {
		/* outside the workdir: decided as without the layer, by the
		 * file metadata feature next in the chain (fsmeta.c: under a
		 * -w tree only; a workdir file another thread swapped in
		 * meanwhile is no -w tree's, refused) */
		*a = sl_act_continue();
	} else if (r == 0) {
		struct fd_job f = {.o = &o, .j = j};
		r = owner_alone(c, st, &o, j) ? fd_op(&f) : onbehalf_call(st->ob, c, fd_op, &f);
	} else if (r > 0 && (r = cowl_quota(c, st, 0)) == 0) {
		j->a = abs;
		r = cowl_job_run(c, j);
	}
	if (o.fd >= 0)
		close(o.fd);
	free(abs);
	if (r != FD_OUTSIDE)
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

void cowl_on_fdmeta(struct sl_ctx *c, struct sl_action *a, void *arg_)
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

/* ---- inode attributes through an fd (ioctl) ---------------------------------------- */

/* A file of the workdir read through the layer is the host's own inode:
 * the ioctls that change an inode through a file open for reading only
 * (fsmeta.h) would change it past the layer and the abort, so they are
 * refused there (EPERM: the layer keeps no inode flags to commit).  On
 * an upper file the ioctl is made on the fetcher's duplicate of the
 * child's file, once proven the object checked; one outside the workdir
 * goes on to fsmeta.c, as without the layer (only under a -w tree).
 * Never continued: the kernel would take the fd number again, and
 * another thread may have dup2()ed a workdir file onto it since. */
void cowl_on_ioctl(struct sl_ctx *c, struct sl_action *a, void *arg_)
{
	struct cl_state *st = arg_;
	int n = (int)(int32_t)c->req->data.args[0];
	unsigned int cmd = (unsigned int)c->req->data.args[1];
	size_t size = 0;
	struct ob_obj o = {.fd = -1};
	char *abs = malloc(PATH_MAX);
	long r = !fsmeta_inode_ioctl(cmd, &size) ? -ENOTTY
		 : abs				 ? fd_place(c, st, n, abs, false, &o)
						 : -ENOMEM;
	if (r == 1 || r == -EROFS)
		r = -EPERM; /* the lower's: the host's file */
	else if (r == 0 && !size)
		r = -EOPNOTSUPP; /* as a filesystem without the feature */
	else if (r == 0)
		r = fsmeta_ioctl_on(st->ob, c, n, &o.st, cmd, size, c->req->data.args[2]);
	if (o.fd >= 0)
		close(o.fd);
	free(abs);
	if (r == FD_OUTSIDE)
		*a = sl_act_continue();
	else
		onbehalf_answer(a, r);
}
