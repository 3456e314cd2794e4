/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsmeta.c - file metadata changes, only under a writable tree.
 *
 * Emulate.  Landlock (ABI 7) does not mediate chmod, chown, utimes or
 * extended attributes: a sandbox granted /usr read-only could chmod any
 * file it owns there, give it away, stamp its times or rewrite its ACL
 * (an xattr).  These calls are notified, their object resolved and
 * decided by the on-behalf core (onbehalf.h: the object must lie under a
 * writable tree, else EACCES, and ENOENT never tells what exists outside
 * the readable trees) and performed here on the resolved fd, with the
 * child's credentials: the kernel's owner and permission checks are the
 * child's (a root supervisor's capabilities never reach the call).  The
 * arguments (mode, ids, times, xattr name and value) are read once; the
 * call is never continued.
 *
 * The fd forms too (fchmod, fchown, fsetxattr, fremovexattr, and
 * utimensat/futimesat with a NULL path, which act on the fd): a file
 * opened read-only is still its owner's to chmod, so a sandbox that may
 * read /etc as root could have made /etc/shadow world-readable with
 * open() and fchmod().  They are decided as the AT_EMPTY_PATH form on
 * the same fd (the core's: the object the child's fd names, under a
 * writable tree).  So are the ioctls that change an inode through a file
 * open for reading only (chattr's flags, an fsxattr, the generation,
 * FAT's attributes; fs-verity, which makes a file read-only for good,
 * and an encryption policy): decided the same way, then made on the
 * fetcher's duplicate of the child's file, proven the object decided on;
 * the two whose argument holds pointers answer EOPNOTSUPP, as a file
 * system without them.  Set-id bits stay refused by the filter (filter.c):
 * the chmod rules here notify only modes without them, so a notify rule
 * never switches a deny rule off.
 *
 * Deny: setxattrat, removexattrat (Linux 6.13) and file_setattr (6.17)
 * change metadata by path too; they answer ENOSYS, and callers (none in
 * glibc yet) fall back to the calls above.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "error.h"
#include "feature.h"
#include "fsmeta.h"
#include "mem.h"
#include "onbehalf.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "syscalls.h"
#include "util.h"

#define SETID	    (S_ISUID | S_ISGID)
#define AT_ALLOWED  (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)
#define NSEC_PER_US 1000

struct fsmeta_state {
	struct onbehalf *ob;
};

enum meta_op { M_CHMOD, M_CHOWN, M_TIMEVAL, M_UTIMBUF, M_TIMESPEC, M_SETXATTR, M_RMXATTR };

/* Where a call keeps its arguments: the dirfd (-1: AT_FDCWD), the path
 * (-1: an fd form, none), the AT_ flags (-1: none); the operation's own
 * arguments follow the path, or the fd. */
static const struct meta_call {
	int nr;
	enum meta_op op;
	int dirfd, path, flags;
	unsigned int fixed; /* OB_NOFOLLOW of the l* calls */
} calls[] = {
#ifdef __NR_chmod
    {__NR_chmod, M_CHMOD, -1, 0, -1, 0},
#endif
    {__NR_fchmodat, M_CHMOD, 0, 1, -1, 0},
    {__NR_fchmodat2, M_CHMOD, 0, 1, 3, 0},
#ifdef __NR_chown
    {__NR_chown, M_CHOWN, -1, 0, -1, 0},
    {__NR_lchown, M_CHOWN, -1, 0, -1, OB_NOFOLLOW},
#endif
    {__NR_fchownat, M_CHOWN, 0, 1, 4, 0},
#ifdef __NR_utimes
    {__NR_utimes, M_TIMEVAL, -1, 0, -1, 0},
#endif
#ifdef __NR_utime
    {__NR_utime, M_UTIMBUF, -1, 0, -1, 0},
#endif
#ifdef __NR_futimesat
    {__NR_futimesat, M_TIMEVAL, 0, 1, -1, 0},
#endif
    {__NR_utimensat, M_TIMESPEC, 0, 1, 3, 0},
    {__NR_setxattr, M_SETXATTR, -1, 0, -1, 0},
    {__NR_lsetxattr, M_SETXATTR, -1, 0, -1, OB_NOFOLLOW},
    {__NR_removexattr, M_RMXATTR, -1, 0, -1, 0},
    {__NR_lremovexattr, M_RMXATTR, -1, 0, -1, OB_NOFOLLOW},
    {__NR_fchmod, M_CHMOD, 0, -1, -1, 0},
    {__NR_fchown, M_CHOWN, 0, -1, -1, 0},
    {__NR_fsetxattr, M_SETXATTR, 0, -1, -1, 0},
    {__NR_fremovexattr, M_RMXATTR, 0, -1, -1, 0},
};

/* One call's operation, its arguments read from the child once. */
struct meta {
	enum meta_op op;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool now;  /* times: NULL, the current time */
	bool noop; /* both times UTIME_OMIT: the kernel answers 0 at once */
	struct timespec ts[2];
	char name[XATTR_NAME_MAX + 1];
	void *value;
	size_t size;
	int xflags;
};

/* ---- the operations (with the child's credentials) ----------------------------- */

static long sys(long r)
{
	return r < 0 ? -errno : r;
}

long fsmeta_chmod_obj(const struct ob_obj *o, mode_t mode)
{
	long r = sys(syscall(__NR_fchmodat2, o->fd, "", mode, AT_EMPTY_PATH));
	if (r != -ENOSYS)
		return r;
	/* before Linux 6.6: the mode of the file our fd names */
	if (S_ISLNK(o->st.st_mode))
		return -EOPNOTSUPP;
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	return sys(chmod(proc, mode));
}

/* xattrs by our fd's /proc path (the *xattrat calls take no O_PATH fd).
 * On a symlink no capless caller may set or remove one: user.* is for
 * regular files and directories only, the other namespaces need a
 * capability. */
long fsmeta_xattr_obj(const struct ob_obj *o, const char *name, const void *value, size_t size,
		      int flags, bool remove)
{
	if (S_ISLNK(o->st.st_mode))
		return -EPERM;
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (remove)
		return sys(removexattr(proc, name));
	return sys(setxattr(proc, name, value, size, flags));
}

static long meta_op(const struct ob_obj *o, void *arg)
{
	const struct meta *m = arg;
	switch (m->op) {
	case M_CHMOD:
		return fsmeta_chmod_obj(o, m->mode);
	case M_CHOWN:
		return sys(fchownat(o->fd, "", m->uid, m->gid, AT_EMPTY_PATH));
	case M_TIMEVAL:
	case M_UTIMBUF:
	case M_TIMESPEC:
		return sys(utimensat(o->fd, "", m->now ? NULL : m->ts, AT_EMPTY_PATH));
	case M_SETXATTR:
	case M_RMXATTR:
		return fsmeta_xattr_obj(o, m->name, m->value, m->size, m->xflags,
					m->op == M_RMXATTR);
	}
	return -EINVAL;
}

/* ---- inode attributes through an fd (ioctl) -------------------------------------- */

#define INODE_IOCTL_ROW(a, cmd, size) {(cmd), (size)},
static const struct {
	unsigned int cmd;
	size_t size;
} inode_ioctls[] = {FSMETA_INODE_IOCTLS(INODE_IOCTL_ROW, _)};

int fsmeta_inode_ioctl(unsigned int cmd, size_t *size)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(inode_ioctls); i++)
		if (inode_ioctls[i].cmd == cmd) {
			*size = inode_ioctls[i].size;
			return 1;
		}
	return 0;
}

struct ioctl_q {
	unsigned int cmd;
	dev_t dev;
	ino_t ino;
	unsigned char arg[32];
};

/* On the fetcher, fd its duplicate of the child's: the ioctl made there
 * once the file is proven the object decided on (ob_fd_fn). */
static long ioctl_on_dup(int fd, const struct sl_memref *m, void *arg)
{
	(void)m;
	struct ioctl_q *q = arg;
	struct stat sb;
	if (fstat(fd, &sb) < 0 || sb.st_dev != q->dev || sb.st_ino != q->ino)
		return -EAGAIN; /* changed since: the child's own race */
	return ioctl(fd, q->cmd, q->arg) < 0 ? -errno : 0;
}

long fsmeta_ioctl_on(struct onbehalf *ob, struct sl_ctx *c, int n, const struct stat *st,
		     unsigned int cmd, size_t size, uint64_t argp)
{
	struct ioctl_q q = {.cmd = cmd, .dev = st->st_dev, .ino = st->st_ino};
	if (size > sizeof(q.arg))
		return -EINVAL;
	if (mem_read(&c->mem, argp, q.arg, size) < 0)
		return -EFAULT;
	return onbehalf_fd_call(ob, c, n, ioctl_on_dup, &q);
}

/* The object the core decided on, for the call made after. */
static long decided(const struct ob_obj *o, void *arg)
{
	*(struct stat *)arg = o->st;
	return 0;
}

/* emulate: see the file's comment. */
static void on_inode_ioctl(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct fsmeta_state *st = arg;
	const __u64 *r = c->req->data.args;
	int n = (int)(int32_t)r[0];
	unsigned int cmd = (unsigned int)r[1];
	size_t size = 0;
	struct stat os = {0};
	struct ob_req q = {.dirfd = n,
			   .path = "",
			   .flags = OB_EMPTY_PATH,
			   .need = OB_WRITE,
			   .op = decided,
			   .arg = &os};
	long e = fsmeta_inode_ioctl(cmd, &size) ? onbehalf_run(st->ob, c, &q) : -ENOTTY;
	if (e == 0 && !size)
		e = -EOPNOTSUPP;
	if (e == 0)
		e = fsmeta_ioctl_on(st->ob, c, n, &os, cmd, size, r[2]);
	onbehalf_answer(a, e);
}

/* ---- the arguments ------------------------------------------------------------------ */

int fsmeta_read_times(struct sl_ctx *c, enum fsmeta_times kind, uint64_t addr,
		      struct timespec ts[2], bool *now)
{
	*now = !addr;
	if (!addr)
		return 0;
	if (kind == FSMETA_UTIMBUF) {
		struct utimbuf ub;
		if (mem_read(&c->mem, addr, &ub, sizeof(ub)) < 0)
			return -EFAULT;
		ts[0] = (struct timespec){ub.actime, 0};
		ts[1] = (struct timespec){ub.modtime, 0};
		return 0;
	}
	if (kind == FSMETA_TIMEVAL) {
		struct timeval tv[2];
		if (mem_read(&c->mem, addr, tv, sizeof(tv)) < 0)
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i] = (struct timespec){tv[i].tv_sec, tv[i].tv_usec * NSEC_PER_US};
		}
		return 0;
	}
	if (mem_read(&c->mem, addr, ts, 2 * sizeof(*ts)) < 0)
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		long ns = ts[i].tv_nsec;
		if (!((ns >= 0 && ns <= 999999999) || ns == UTIME_NOW || ns == UTIME_OMIT))
			return -EINVAL;
	}
	return ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT;
}

static int read_times(struct sl_ctx *c, enum meta_op op, uint64_t addr, struct meta *m)
{
	enum fsmeta_times kind = op == M_UTIMBUF   ? FSMETA_UTIMBUF
				 : op == M_TIMEVAL ? FSMETA_TIMEVAL
						   : FSMETA_TIMESPEC;
	int r = fsmeta_read_times(c, kind, addr, m->ts, &m->now);
	m->noop = r == 1;
	return r < 0 ? r : 0;
}

/* setxattr's name, value and flags, as setxattr_copy() checks them. */
static int read_xattr(struct sl_ctx *c, const uint64_t *args, struct meta *m)
{
	size_t len;
	int r = mem_read_cstr(&c->mem, args[0], m->name, sizeof(m->name), &len);
	if (r == -ENAMETOOLONG || (r == 0 && len == 0))
		return -ERANGE;
	if (r < 0 || m->op == M_RMXATTR)
		return r < 0 ? -EFAULT : 0;
	m->xflags = (int)args[3];
	m->size = (size_t)args[2];
	if (m->xflags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (m->size > XATTR_SIZE_MAX)
		return -E2BIG;
	if (m->size && !(m->value = malloc(m->size)))
		return -ENOMEM;
	return m->size && mem_read(&c->mem, args[1], m->value, m->size) < 0 ? -EFAULT : 0;
}

/* The operation's arguments (those after the path). */
static int read_args(struct sl_ctx *c, const struct meta_call *k, struct meta *m)
{
	uint64_t a[4] = {0};
	int first = (k->path >= 0 ? k->path : k->dirfd) + 1;
	for (int i = 0; i < 4 && first + i < 6; i++)
		a[i] = c->req->data.args[first + i];
	m->op = k->op;
	switch (k->op) {
	case M_CHMOD:
		m->mode = (mode_t)a[0] & 07777;
		/* refused by the filter already: never notified with these */
		return m->mode & SETID ? -EPERM : 0;
	case M_CHOWN:
		m->uid = (uid_t)a[0];
		m->gid = (gid_t)a[1];
		return 0;
	case M_TIMEVAL:
	case M_UTIMBUF:
	case M_TIMESPEC:
		return read_times(c, k->op, a[0], m);
	case M_SETXATTR:
	case M_RMXATTR:
		return read_xattr(c, a, m);
	}
	return -EINVAL;
}

/* AT_ flags into the core's; -EINVAL for others (as the kernel). */
static int at_flags(const struct sl_ctx *c, const struct meta_call *k, unsigned int *out)
{
	*out = k->fixed;
	if (k->flags < 0)
		return 0;
	unsigned int f = (unsigned int)c->req->data.args[k->flags];
	if (f & ~(unsigned int)AT_ALLOWED)
		return -EINVAL;
	*out |=
	    (f & AT_SYMLINK_NOFOLLOW ? OB_NOFOLLOW : 0) | (f & AT_EMPTY_PATH ? OB_EMPTY_PATH : 0);
	return 0;
}

static const struct meta_call *call_of(int nr)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(calls); i++)
		if (calls[i].nr == nr)
			return &calls[i];
	return NULL;
}

/* An fd form: fchmod and its kin, or utimensat and futimesat with a NULL
 * path.  Only those two act on the fd then: fchmodat and fchownat read
 * the NULL path (the kernel's EFAULT, AT_EMPTY_PATH or not). */
static bool fd_form(const struct sl_ctx *c, const struct meta_call *k)
{
	return k->path < 0 || ((k->op == M_TIMESPEC || k->op == M_TIMEVAL) && k->dirfd >= 0 &&
			       !c->req->data.args[k->path]);
}

/* The fd form as the AT_EMPTY_PATH form on the same fd.  1 when the
 * kernel answers by itself (AT_FDCWD: no fd; it says EFAULT or EBADF),
 * 0, or -errno: utimensat with a NULL path takes no flags. */
static long fd_form_req(const struct sl_ctx *c, const struct meta_call *k, struct ob_req *q)
{
	int fd = (int)c->req->data.args[k->dirfd];
	if (fd == AT_FDCWD)
		return 1;
	if (k->flags >= 0 && (unsigned int)c->req->data.args[k->flags])
		return -EINVAL;
	q->dirfd = fd;
	q->path = "";
	q->flags = OB_EMPTY_PATH;
	return 0;
}

/* The fd form's fd an open file, as the kernel takes for these: not
 * O_PATH (EBADF), which the AT_EMPTY_PATH form the decision is made as
 * would take.  Our reopen of it is the core's base (OB_FILE_BASE): the
 * decision and the change are made on that one object, whatever the
 * child's fd number names by then.  0 with it in q->base, or -errno. */
static long fd_form_file(struct sl_ctx *c, struct ob_req *q)
{
	int fd = onbehalf_fd_file(c, q->dirfd, NULL);
	if (fd < 0)
		return fd;
	q->base = fd;
	q->flags |= OB_FILE_BASE;
	return 0;
}

/* emulate: see the file's comment. */
static void on_meta(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct fsmeta_state *st = arg;
	const struct meta_call *k = call_of(c->req->data.nr);
	struct meta m = {0};
	char path[PATH_MAX];
	struct ob_req q = {
	    .dirfd = AT_FDCWD, .base = -1, .path = path, .need = OB_WRITE, .op = meta_op};
	q.arg = &m;
	long r = k ? 0 : -ENOSYS;
	if (r == 0 && fd_form(c, k)) {
		r = fd_form_req(c, k, &q);
		if (r > 0) { /* no fd to act on: the kernel's answer */
			*a = sl_act_continue();
			return;
		}
		if (r == 0)
			r = fd_form_file(c, &q);
	} else if (r == 0) {
		r = at_flags(c, k, &q.flags);
	}
	if (r == 0)
		r = read_args(c, k, &m);
	if (r == 0 && m.noop) {
		sl_close(&q.base);
		*a = sl_act_return(0);
		return;
	}
	if (r == 0 && q.path == path)
		r = onbehalf_read_path(c, c->req->data.args[k->path], path, sizeof(path));
	if (r == 0 && k->dirfd >= 0)
		q.dirfd = (int)c->req->data.args[k->dirfd];
	if (r == 0)
		r = onbehalf_run(st->ob, c, &q);
	sl_close(&q.base);
	free(m.value);
	onbehalf_answer(a, r);
}

/* deny: metadata by path that the calls above cover; see the file's
 * comment. */
static void on_newer(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	(void)c;
	(void)arg;
	*a = sl_act_errno(ENOSYS);
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_meta,
	H_on_newer,
	H_on_inode_ioctl,
};

static const sl_hfn handlers[] = {
    [H_on_meta] = on_meta,
    [H_on_newer] = on_newer,
    [H_on_inode_ioctl] = on_inode_ioctl,
};

static const struct sl_frow fsmeta_rules[] = {
#ifdef __NR_chmod
    {{__NR_chmod, 1, {SL_AMASK(1, SETID, 0)}}, H_on_meta},
#endif
    {{__NR_fchmodat, 1, {SL_AMASK(2, SETID, 0)}}, H_on_meta},
    {{__NR_fchmodat2, 1, {SL_AMASK(2, SETID, 0)}}, H_on_meta},
#ifdef __NR_chown
    {{__NR_chown, 0, {{0}}}, H_on_meta},
    {{__NR_lchown, 0, {{0}}}, H_on_meta},
#endif
    {{__NR_fchownat, 0, {{0}}}, H_on_meta},
#ifdef __NR_utimes
    {{__NR_utimes, 0, {{0}}}, H_on_meta},
#endif
#ifdef __NR_utime
    {{__NR_utime, 0, {{0}}}, H_on_meta},
#endif
/* with a NULL path, the fd forms */
#ifdef __NR_futimesat
    {{__NR_futimesat, 0, {{0}}}, H_on_meta},
#endif
    {{__NR_utimensat, 0, {{0}}}, H_on_meta},
    {{__NR_fchmod, 1, {SL_AMASK(1, SETID, 0)}}, H_on_meta},
    {{__NR_fchown, 0, {{0}}}, H_on_meta},
    {{__NR_fsetxattr, 0, {{0}}}, H_on_meta},
    {{__NR_fremovexattr, 0, {{0}}}, H_on_meta},
    /* clang-format off */
    FSMETA_INODE_IOCTL_RULES(H_on_inode_ioctl)
    /* clang-format on */
    {{__NR_setxattr, 0, {{0}}}, H_on_meta},
    {{__NR_lsetxattr, 0, {{0}}}, H_on_meta},
    {{__NR_removexattr, 0, {{0}}}, H_on_meta},
    {{__NR_lremovexattr, 0, {{0}}}, H_on_meta},
    {{__NR_setxattrat, 0, {{0}}}, H_on_newer},
    {{__NR_removexattrat, 0, {{0}}}, H_on_newer},
    {{__NR_file_setattr, 0, {{0}}}, H_on_newer},
};

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct fsmeta_state *st = state;
	return onbehalf_get(s, env->policy, -1, &st->ob);
}

static void release(void *state)
{
	struct fsmeta_state *st = state;
	onbehalf_put(st->ob);
}

/* Always on: Landlock restricts every sandbox's filesystem. */
const struct sl_feature feature_fsmeta = {
    .name = "file metadata",
    SL_FRULES(fsmeta_rules, handlers),
    .state_size = sizeof(struct fsmeta_state),
    .init = init,
    .release = release,
};
