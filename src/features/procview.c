/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procview.c - the proc view (see procview.h): a sandboxed process sees
 * only the sandbox's own processes in /proc, however it names them.
 *
 * Why Landlock first.  Deciding on the path the child passed and letting
 * the kernel open it (CONTINUE) is a race: a second thread rewrites the
 * path after the check and reads /proc/<outside pid>/status, which every
 * uid may read.  So the plan gives procfs no Landlock right at all
 * (fsspecial_hide_proc): an open the supervisor continues (it found no
 * procfs object) that the child turned into one meets Landlock's EACCES,
 * and every open that is to succeed on procfs is the supervisor's.
 *
 * The opens (synthetic.c notifies them all but O_CREAT|O_EXCL ones without
 * O_PATH, which open nothing that exists: one resolution for the views
 * and the proc view) are resolved by the on-behalf core as the opening
 * thread would, and the object decides (procview_classify):
 *   - off procfs: continued, Landlock decides;
 *   - on procfs, its pid directory (the entry just below the procfs root,
 *     found by walking ".." from the object, its name as the kernel
 *     prints it) of a process outside the sandbox: ENOENT;
 *   - the supervisor's own pid directory: only "self", "thread-self" or a
 *     link to them ("mounts", "net") resolved in the supervisor's context
 *     gets there; the object is taken again as the caller's own
 *     (/proc/self/... through its bound directory);
 *   - else (the root, /proc/cpuinfo, /proc/sys, a member's entries): the
 *     path is resolved again, as a read the policy must grant (the core's
 *     walk: a read tree, no denied one, no outside process on the way),
 *     the object classified again, and reopened by the supervisor through
 *     /proc/thread-self/fd with the child's credentials, then injected.
 *     A write is EACCES (procfs is never writable in a sandbox); an
 *     O_PATH open is the kernel's (an O_PATH file cannot be injected).
 * The kernel's own access checks on /proc/<pid> files (ptrace modes for
 * environ, mem, fd) are made for the supervisor's thread acting with the
 * child's ids and no capability: what the child could open itself.
 *
 * Listings (getdents64, getdents): every call is notified and the fd's
 * object looked at through the notifier's /proc entry.  A procfs root's
 * fd is duplicated by the fetcher (pidfd_getfd), read there with the
 * kernel's own getdents on the same open file (its position is the
 * child's), the numeric entries of processes outside the sandbox
 * dropped, and the rest written to the child.  Any other directory is
 * continued: the hand-off to the fetcher cost a listing five times a
 * plain notification, and what a thread dup2()ing a /proc fd onto the
 * number after the check would list is the host's pids, which stat of
 * /proc/<n> tells too (below).  Where pidfd_getfd is refused, listings
 * are the kernel's (the pids are listed; nothing of them can be opened).
 * With the copy-on-write layer (cowlist.c, before and after this in the
 * chain) the duplicate is listed only when it is the object the layer
 * checked as not its own (EAGAIN otherwise), and "continued" reaches
 * the layer's tail, never the kernel.
 *
 * Path calls that do not open (stat, lstat, newfstatat, statx, access,
 * faccessat, faccessat2, readlink, readlinkat, chdir) are the kernel's,
 * as in sandlock 0.8.0.  What they can tell of an outside process is
 * that its pid exists, which kill(pid, 0), getsid and getpgid tell too,
 * and its directory's owner and times: the magic links that lead into a
 * process (exe, cwd, root, fd/N, ns/) are refused by the kernel itself,
 * which lets a Landlock-restricted task reach no process outside its
 * domain in any ptrace mode (readlink, a stat through them, chdir into
 * them: EACCES).  Notifying them cost every program a supervisor round
 * trip each: a python start about a hundred stats, a C compile about a
 * thousand readlinks (gcc resolves every include path), 45 ms of its
 * time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cowlayer.h"
#include "error.h"
#include "feature.h"
#include "mem.h"
#include "policy.h"
#include "onbehalf.h"
#include "procs.h"
#include "procview.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#ifndef PROC_ROOT_INO
#define PROC_ROOT_INO 1
#endif

#define PV_MAX_DEPTH 32			 /* procfs trees are shallow: /proc/sys at most ~8 */
#define PV_CONTINUE  PV_OPEN_LONG	 /* an object off procfs: the kernel opens it */
#define PV_CHUNK     ((size_t)256 << 10) /* at most this much listed per call */

static bool on_proc(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

static bool is_root(int fd, const struct stat *st)
{
	return st->st_ino == PROC_ROOT_INO && on_proc(fd);
}

/* The path the kernel prints for our fd (d_path): names it made. */
int procview_fd_path(int fd, char *buf, size_t size)
{
	char link[48];
	/* thread-self: a worker thread with other ids than the process's
	 * may not read the process's own /proc/self/fd */
	snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
	ssize_t n = readlink(link, buf, size - 1);
	if (n <= 0 || (size_t)n >= size - 1)
		return n < 0 ? -errno : -ENAMETOOLONG;
	buf[n] = 0;
	return 0;
}

/* The directory holding the non-directory o, found by the name the
 * kernel prints for it and checked to hold that very file: an fd, or -1
 * (a file of a process gone, another mount namespace's path). */
static int parent_dir(const struct ob_obj *o, const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' || !slash || !slash[1])
		return -1;
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	int p = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
	int x = p < 0 ? -1 : openat(p, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	bool ok =
	    x >= 0 && fstat(x, &st) == 0 && st.st_dev == o->st.st_dev && st.st_ino == o->st.st_ino;
	if (x >= 0)
		close(x);
	if (!ok && p >= 0)
		close(p);
	return ok ? p : -1;
}

/* From directory fd (owned) up to the procfs root: how many directories
 * lie between the root's entry and fd (0: fd is that entry), -1 when fd
 * is the root itself, -3 when the walk leaves the procfs before its root
 * (a subtree mounted elsewhere), -2 when it fails. */
static int depth_below_top(int fd)
{
	struct stat st;
	int r = -2;
	if (fstat(fd, &st) == 0 && is_root(fd, &st)) {
		close(fd);
		return -1;
	}
	for (int depth = 0; depth < PV_MAX_DEPTH; depth++) {
		int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct stat ust;
		if (up < 0 || fstat(up, &ust) < 0 || ust.st_dev != st.st_dev) {
			if (up >= 0)
				close(up);
			r = up >= 0 && !on_proc(up) ? -3 : -2;
			break;
		}
		if (is_root(up, &ust)) {
			close(up);
			r = depth;
			break;
		}
		close(fd);
		fd = up;
		st = ust;
	}
	close(fd);
	return r;
}

/* The last n components of path, and the one before them (the top
 * entry): 0, or -1 when path has too few. */
static int split_top(const char *path, int n, const char **top, size_t *toplen, const char **rest)
{
	const char *end = path + strlen(path);
	const char *p = end;
	for (int i = 0; i <= n; i++) {
		const char *q = p;
		while (q > path && q[-1] != '/')
			q--;
		if (q == path)
			return -1;
		if (i == n) {
			*top = q;
			*toplen = (size_t)(p - q);
		} else if (i == n - 1) {
			*rest = q;
		}
		p = q - 1;
	}
	if (n == 0)
		*rest = end;
	return 0;
}

bool procview_names_ours(const char *path)
{
	char own[16];
	int n = snprintf(own, sizeof(own), "%d", (int)getpid());
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == (size_t)n && !memcmp(p, own, len))
			return true;
		p += len;
	}
	return false;
}

bool procview_name_hidden(struct sl_procs *ps, const char *name, size_t len)
{
	size_t digits = 0;
	while (digits < len && name[digits] >= '0' && name[digits] <= '9')
		digits++;
	if (digits == 0)
		return false; /* self, sys, meminfo...: not a process */
	if (digits != len || len > 9)
		return true;
	pid_t pid = 0;
	for (size_t i = 0; i < len; i++)
		pid = pid * 10 + (name[i] - '0'); /* name need not end here */
	return !procs_member(ps, pid);
}

int procview_members(struct sl_procs *ps, pid_t **out, size_t *n)
{
	procs_settle(ps); /* the children forked just now, too */
	*n = 0;
	*out = malloc((ps->n ? ps->n : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i]->pidfd >= 0 && !ps->v[i]->exited)
			(*out)[(*n)++] = ps->v[i]->pid;
	return 0;
}

bool procview_name_listed(const pid_t *members, size_t n, const char *name, size_t len)
{
	size_t digits = 0;
	pid_t pid = 0;
	while (digits < len && digits < 10 && name[digits] >= '0' && name[digits] <= '9')
		pid = pid * 10 + (name[digits++] - '0');
	if (digits == 0 || digits < len)
		return digits == 0; /* a name, not a process */
	for (size_t i = 0; i < n; i++)
		if (members[i] == pid)
			return true;
	return false;
}

/* The supervisor's own pid directory reached (at top, in path): where
 * the same object of the caller's is, in w.  0 or -ENAMETOOLONG. */
static int ours(const char *path, const char *top, const char *rest, struct pv_where *w)
{
	const char *p = rest;
	w->thread = false;
	if (!strncmp(p, "task/", 5)) {
		const char *q = p + 5;
		size_t n = strspn(q, "0123456789");
		if (n && (q[n] == '/' || !q[n])) {
			w->thread = true;
			p = q[n] ? q + n + 1 : q + n;
		}
	}
	int k = snprintf(w->root, sizeof(w->root), "%.*s", (int)(top - path), path);
	int l = snprintf(w->rest, sizeof(w->rest), "%s", p);
	return k < (int)sizeof(w->root) && l < (int)sizeof(w->rest) ? 0 : -ENAMETOOLONG;
}

int procview_classify(const struct ob_obj *o, struct sl_procs *ps, struct pv_where *w)
{
	char path[PATH_MAX];
	w->kind = PV_NOT_PROC;
	/* a procfs is a virtual filesystem: its device number is an
	 * anonymous one (major 0), so an object on a block device is off
	 * procfs without asking the filesystem (one syscall per open) */
	if (major(o->st.st_dev) != 0 || !on_proc(o->fd))
		return 0;
	w->kind = PV_HIDDEN; /* until proven otherwise */
	if (procview_fd_path(o->fd, path, sizeof(path)) < 0)
		return 0;
	/* a file of a process that is gone prints so (its dentry unhashed) */
	size_t len = strlen(path);
	if (len > 10 && !strcmp(path + len - 10, " (deleted)"))
		return 0;
	int below;
	if (S_ISDIR(o->st.st_mode)) {
		int d = fcntl(o->fd, F_DUPFD_CLOEXEC, 0);
		below = d < 0 ? -2 : depth_below_top(d);
	} else {
		int d = parent_dir(o, path);
		below = d < 0 ? -2 : depth_below_top(d);
		below = below == -1 ? 0 : below < 0 ? below : below + 1;
	}
	if (below == -3)
		w->kind = PV_UNPLACED;
	if (below <= -2)
		return 0;
	if (below == -1) {
		w->kind = PV_PROC; /* the root itself */
		return 0;
	}
	const char *top = NULL, *rest = "";
	size_t toplen = 0;
	if (split_top(path, below, &top, &toplen, &rest) < 0)
		return 0;
	char own[16];
	int ol = snprintf(own, sizeof(own), "%d", (int)getpid());
	if ((size_t)ol == toplen && !memcmp(top, own, toplen)) {
		w->kind = PV_OURS;
		return ours(path, top, rest, w);
	}
	if (!procview_name_hidden(ps, top, toplen))
		w->kind = PV_PROC;
	return 0;
}

/* ---- the open ------------------------------------------------------------------- */

struct pv_open {
	struct sl_procs *ps;
	uint64_t flags;
};

/* The flags an open of a procfs file keeps when we reopen it (the rest is
 * the resolution's, or ours). */
#define PV_KEEP (O_DIRECTORY | O_NONBLOCK | O_NOATIME | O_LARGEFILE | O_NOCTTY | O_DSYNC | O_SYNC)

long procview_reopen(const struct ob_obj *o, uint64_t flags)
{
	if (S_ISLNK(o->st.st_mode))
		return -ELOOP; /* O_NOFOLLOW on a symlink */
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((flags & O_DIRECTORY) && !S_ISDIR(o->st.st_mode))
		return -ENOTDIR;
	char self[48];
	snprintf(self, sizeof(self), "/proc/thread-self/fd/%d", o->fd);
	int fd = open(self, O_RDONLY | O_CLOEXEC | (int)(flags & PV_KEEP));
	return fd < 0 ? -errno : fd;
}

/* With the child's credentials, on the object of the second resolution. */
static long reopen(const struct ob_obj *o, void *arg)
{
	const struct pv_open *q = arg;
	struct pv_where w;
	int r = procview_classify(o, q->ps, &w);
	if (r < 0)
		return r;
	if (w.kind == PV_NOT_PROC)
		return PV_CONTINUE;
	if (w.kind != PV_PROC)
		return w.kind == PV_UNPLACED ? -EACCES : -ENOENT;
	return procview_reopen(o, q->flags);
}

/* The procfs root's device, on the second resolution of "/proc". */
static long root_dev(const struct ob_obj *o, void *arg)
{
	if (!is_root(o->fd, &o->st))
		return -ENOENT;
	*(dev_t *)arg = o->st.st_dev;
	return 0;
}

bool procview_fast(struct onbehalf *ob, struct sl_ctx *c, const struct sandlock_sandbox *policy,
		   struct pv_fast *f)
{
	if (f->state == 0) {
		dev_t dev = 0;
		struct ob_req r = {.dirfd = AT_FDCWD,
				   .path = "/proc",
				   .need = OB_READ,
				   .op = root_dev,
				   .arg = &dev,
				   .why = &(const char *){NULL}};
		bool ok = !policy->fs_deny.n && onbehalf_run(ob, c, &r) == 0;
		f->state = ok ? 1 : -1;
		f->dev = dev;
	}
	return f->state == 1;
}

long procview_open_here(const struct ob_obj *o, const struct pv_fast *f, uint64_t flags)
{
	if (f->state != 1 || o->st.st_dev != f->dev || (flags & O_PATH) ||
	    (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return PV_CONTINUE;
	return procview_reopen(o, flags);
}

void procview_open(struct onbehalf *ob, struct sl_ctx *c, int dirfd, const char *path,
		   uint64_t flags, const struct pv_where *w, struct sl_action *a)
{
	char again[2 * PATH_MAX + 48];
	if (flags & O_PATH) {
		/* an O_PATH file cannot be injected (the kernel's fget refuses
		 * it); the kernel opens it: Landlock checks no right for it, and
		 * it reads nothing (a thread that rewrites the path after the
		 * check gets a handle on an outside process's directory, whose
		 * metadata it may stat; every open through it is decided here) */
		*a = sl_act_continue();
		return;
	}
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) {
		*a = sl_act_errno(EACCES); /* as Landlock: procfs is never writable here */
		return;
	}
	struct pv_open q = {.ps = &c->sup->procs, .flags = flags};
	struct ob_req r = {.dirfd = dirfd,
			   .path = path,
			   .flags = (flags & O_NOFOLLOW) ? OB_NOFOLLOW : 0,
			   .need = OB_READ,
			   .op = reopen,
			   .arg = &q};
	if (w->kind == PV_OURS) {
		/* the caller's own entry, in the same procfs */
		int tgid = c->proc->pid, tid = (int)c->req->pid;
		int n = w->thread ? snprintf(again, sizeof(again), "%s%d/task/%d%s%s", w->root,
					     tgid, tid, *w->rest ? "/" : "", w->rest)
				  : snprintf(again, sizeof(again), "%s%d%s%s", w->root, tgid,
					     *w->rest ? "/" : "", w->rest);
		if (n >= (int)sizeof(again)) {
			*a = sl_act_errno(ENAMETOOLONG);
			return;
		}
		r.path = again;
		r.dirfd = AT_FDCWD;
	}
	long fd = onbehalf_run(ob, c, &r);
	if (fd == PV_CONTINUE) {
		*a = sl_act_continue();
		return;
	}
	*a = sl_act_opened(fd, flags);
}

/* ---- listings ----------------------------------------------------------------------- */

struct pv_state {
	struct onbehalf *ob;
};

struct pv_dents {
	char *buf; /* ours, size bytes */
	size_t size;
	bool old;  /* getdents: struct linux_dirent */
	bool root; /* out: the directory is a procfs root */
	/* the copy-on-write layer checked (dev, ino) as not its own: a
	 * duplicate of another object is not listed (a directory of the
	 * layer dup2()ed onto the fd since, which it alone may list) */
	bool check;
	dev_t dev;
	ino_t ino;
};

/* Drops the records of processes outside the sandbox from buf (len
 * bytes of the kernel's records): the length left. */
static size_t filter(struct sl_procs *ps, char *buf, size_t len, bool old)
{
	/* the kernel's layouts: linux_dirent64 (d_ino, d_off, d_reclen,
	 * d_type, name) and linux_dirent (d_ino, d_off, d_reclen, name,
	 * ..., d_type last) */
	size_t name_at = old ? 2 * sizeof(long) + sizeof(unsigned short) : 19;
	size_t out = 0;
	for (size_t off = 0; off + name_at < len;) {
		unsigned short reclen;
		memcpy(&reclen, buf + off + 2 * sizeof(uint64_t), sizeof(reclen));
		if (reclen <= name_at || off + reclen > len)
			break;
		const char *name = buf + off + name_at;
		size_t nl = strnlen(name, reclen - name_at);
		if (!procview_name_hidden(ps, name, nl)) {
			if (out != off)
				memmove(buf + out, buf + off, reclen);
			out += reclen;
		}
		off += reclen;
	}
	return out;
}

/* On the fetcher, fd its duplicate of the child's (ob_fd_fn): the
 * kernel's next records of the open file the child holds.  The index of
 * processes is the engine's (its pidfds are in the engine's file table,
 * not the fetcher's): the engine filters them. */
static long list(int fd, const struct sl_memref *m, void *arg)
{
	(void)m;
	struct pv_dents *q = arg;
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_PATH))
		return -EBADF; /* the kernel's fdget refuses an O_PATH file */
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (q->check && (st.st_dev != q->dev || st.st_ino != q->ino))
		return -EAGAIN; /* the child's own race */
	q->root = is_root(fd, &st);
	long r = syscall(q->old ? SYS_getdents : SYS_getdents64, fd, q->buf, q->size);
	return r < 0 ? -errno : r;
}

/* Whether fd n of the notifier is to be listed by us: a procfs root, or
 * not known to be anything else.  Any other directory is the kernel's to
 * list (continued): a thread that dup2()s a procfs root onto n after
 * this check gets the unfiltered listing, which names the host's pids,
 * no more than stat of /proc/<n> and kill(n, 0) tell for each.  Looked
 * at through its /proc entry, so that a listing costs no hand-off to
 * the fetcher unless it is of a procfs root. */
static bool listed_here(struct sl_ctx *c, unsigned int n)
{
	int fd = n > INT_MAX ? -EBADF : onbehalf_fd_object(c, (int)n);
	if (fd == -EBADF)
		return false; /* no such fd: the kernel's EBADF */
	if (fd < 0)
		return true; /* fail closed: the fetcher's way decides */
	struct stat sb;
	bool here = fstat(fd, &sb) < 0 || (S_ISDIR(sb.st_mode) && is_root(fd, &sb));
	close(fd);
	return here;
}

static void on_dents(struct sl_ctx *c, struct sl_action *a, void *arg, bool old)
{
	struct pv_state *st = arg;
	const __u64 *r = c->req->data.args;
	if (!listed_here(c, (unsigned int)r[0])) {
		*a = sl_act_continue();
		return;
	}
	/* the kernel's types: unsigned int fd and count */
	unsigned int count = (unsigned int)r[2];
	struct pv_dents q = {.size = count < PV_CHUNK ? count : PV_CHUNK, .old = old};
	long v = cowlayer_listing_object(c, &q.dev, &q.ino);
	q.check = v == 1;
	q.buf = v < 0 ? NULL : malloc(q.size ? q.size : 1);
	v = v < 0 ? v : q.buf ? 0 : -ENOMEM;
	/* until a record is left, or the end: a chunk of outside
	 * processes alone is no end of the listing */
	while (v == 0) {
		q.root = false;
		long n = onbehalf_fd_call(st->ob, c, (int)(unsigned int)r[0], list, &q);
		if (n <= 0) {
			v = n;
			break;
		}
		v = q.root ? (long)filter(&c->sup->procs, q.buf, (size_t)n, old) : n;
		if (v > 0 && mem_write(&c->mem, r[1], q.buf, (size_t)v) < 0)
			v = -EFAULT;
	}
	free(q.buf);
	if (v == -EPERM && !onbehalf_can_fetch(st->ob))
		*a = sl_act_continue(); /* pidfd_getfd refused: the kernel's listing */
	else
		onbehalf_answer(a, v);
}

static void on_getdents64(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	on_dents(c, a, arg, false);
}

#ifdef __NR_getdents
static void on_getdents(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	on_dents(c, a, arg, true);
}
#endif

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_getdents64,
	H_on_getdents,
};

static const sl_hfn handlers[] = {
    [H_on_getdents64] = on_getdents64,
#ifdef __NR_getdents
    [H_on_getdents] = on_getdents,
#endif
};

static const struct sl_frow procview_rules[] = {
    {{__NR_getdents64, 0, {{0}}}, H_on_getdents64},
#ifdef __NR_getdents
    {{__NR_getdents, 0, {{0}}}, H_on_getdents},
#endif
};

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct pv_state *st = state;
	return onbehalf_get(s, env->policy, -1, &st->ob);
}

static void release(void *state)
{
	struct pv_state *st = state;
	onbehalf_put(st->ob);
}

/* Always on, as the reference's: a sandbox sees its own processes only.
 * The opens are synthetic.c's (one resolution for the views and this). */
const struct sl_feature feature_procview = {
    .name = "procview",
    SL_FRULES(procview_rules, handlers),
    .state_size = sizeof(struct pv_state),
    .init = init,
    .release = release,
};
