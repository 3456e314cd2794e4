/* SPDX-License-Identifier: Apache-2.0 */
/* onbehalf.c - a call on a path, made by the supervisor for the child (see onbehalf.h). */
#include "onbehalf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "aschild.h"
#include "caps.h"
#include "error.h"
#include "fsdeny.h"
#include "fsspecial.h"
#include "mem.h"
#include "mounts.h"
#include "pidinfo.h"
#include "procs.h"
#include "seccomp_uapi.h"
#include "supervisor.h"
#include "util.h"

#define OB_MAX_DEPTH  4096 /* ".." steps before the walk gives up (denied) */
#define OB_MAX_LINKS  40   /* symlinks followed: the kernel's MAXSYMLINKS */
#define PROC_ROOT_INO 1	   /* the root of every procfs mount */

struct ob_ids {
	struct stat *v; /* st_dev and st_ino are what counts */
	size_t n;
};

struct onbehalf {
	struct ob_ids rd, wr, deny, way;
	bool root;	  /* planned as root: device nodes as fsspecial.c grants them */
	int rootfd;	  /* the sandbox's root directory, opened on first use */
	int procfs;	  /* the sandbox's /proc is a procfs root: 1, 0, -1 unknown */
	char *overlay_wd; /* fs_isolation overlayfs: the workdir, until its root is a write tree */
	struct aschild *as;	  /* the calls */
	struct aschild *confined; /* onbehalf_call_confined's, under the ruleset */
	bool creds_read, creds_fixed;
	/* made at the first call that acts with them (a sandbox whose opens
	 * only meet the views never does): 8 KB with the groups, pages of
	 * memory every start touched when they were part of this struct */
	struct sl_creds *creds; /* the command's (every member's when fixed) */
	struct sl_creds *cur;	/* the notifier's, when they are not fixed */
	struct sl_sup *sup;	/* whose shared core this is (onbehalf_get) */
	/* the fetcher (onbehalf_child_fd): a thread with a file table of its
	 * own, started on first use; fetch_sock is our end, -1 before */
	int fetch_sock;
	bool fetch_broken;
	pthread_t fetch_th;
	sem_t fetch_ready;
	int fetch_peer, fetch_state; /* handed to the starting fetcher */
	pid_t fetch_tid;
	pid_t fetcher_tid; /* the fetcher's own, and where it was put */
	int fetcher_cpu;
	/* identities denied while the sandbox runs (onbehalf_set_deny) */
	bool (*xdeny)(void *arg, const struct stat *st);
	void *xdeny_arg;
};

/* One call, as the job that runs with the child's credentials sees it. */
struct ob_job {
	const struct onbehalf *ob;
	struct sl_procs *procs;
	int base;     /* where the path starts (borrowed) */
	bool in_root; /* base is the root: resolve beneath it */
	const char *path;
	unsigned int flags;
	enum ob_need need;
	ob_op_fn op;
	void *arg;
	const char **why; /* set to the rule when the policy refuses (denials.h) */
};

/* ---- identities -------------------------------------------------------------- */

static bool same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static bool ids_has(const struct ob_ids *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (same(&s->v[i], st))
			return true;
	return false;
}

static int ids_add(struct ob_ids *s, const struct stat *st)
{
	if (ids_has(s, st))
		return 0;
	struct stat *v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[s->n++] = *st;
	s->v = v;
	return 0;
}

/* Each path as the plan opens a grant (fsspecial_grants_open: symlinks
 * followed).  A path gone since the plan opened it is left out: fewer
 * rights, never more. */
/* path's identity added to s (open flags: O_NOFOLLOW or 0); a path that
 * cannot be opened adds nothing. */
static int id_open(struct ob_ids *s, const char *path, int flags)
{
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC | flags);
	int r = fd >= 0 && fstat(fd, &st) == 0 ? ids_add(s, &st) : 0;
	if (fd >= 0)
		close(fd);
	return r;
}

static int ids_open(struct ob_ids *s, const struct sl_strv *paths)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < paths->n; i++)
		r = id_open(s, paths->v[i], 0);
	return r;
}

/* The parent of directory cur (st its stat): 1 with a new fd in *out and
 * its stat in *pst, 0 when cur is the root (its ".." is itself), or
 * -errno.  ".." at a mount's root leads to the directory it is mounted
 * on: the walk crosses mounts as Landlock's does. */
static int dotdot(int cur, const struct stat *st, int *out, struct stat *pst)
{
	*out = -1;
	int fd = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, pst) < 0 || same(pst, st)) {
		int e = same(pst, st) ? 0 : -errno;
		close(fd);
		return e;
	}
	*out = fd;
	return 1;
}

/* The directories on the way from the root to a denied path get READ_DIR
 * at most (fsdeny.c): recorded so that their metadata stays unwritable. */
static int ways_add(struct ob_ids *way, const char *denied)
{
	char *real = realpath(denied, NULL);
	if (!real)
		return 0; /* gone: the plan anchors it, nothing to record */
	char *slash = strrchr(real, '/');
	if (slash)
		*(slash == real ? slash + 1 : slash) = 0;
	int fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC), r = 0;
	free(real);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		r = fd < 0 ? 0 : -errno;
	for (int depth = 0; fd >= 0 && r == 0 && depth < OB_MAX_DEPTH; depth++) {
		int next;
		struct stat nst;
		if ((r = ids_add(way, &st)) < 0 || (r = dotdot(fd, &st, &next, &nst)) <= 0)
			break;
		r = 0;
		close(fd);
		fd = next;
		st = nst;
	}
	if (fd >= 0)
		close(fd);
	return r < 0 ? r : 0;
}

/* Another mount showing a denied path's content (a bind mount of it, or
 * of a directory beneath it): the walk up from an object there crosses
 * that mount's root to its mount point's parent, never meeting the
 * denied directory, so the mount's root is denied too, and the way to
 * it recorded, as the plan restricts it for Landlock (fsdeny.c). */
static int alias_add(void *ctx, const char *alias)
{
	struct onbehalf *ob = ctx;
	int r = id_open(&ob->deny, alias, O_NOFOLLOW);
	return r < 0 ? r : ways_add(&ob->way, alias);
}

static int aliases_add(struct onbehalf *ob, const struct sl_strv *denied)
{
	if (!denied->n)
		return 0;
	struct mounts m = {0};
	int r = mounts_read(&m, "fs_deny");
	for (size_t i = 0; r == 0 && i < denied->n; i++) {
		char *canon = realpath(denied->v[i], NULL);
		/* gone: the plan anchors it, nothing mounted shows it */
		r = canon ? fsdeny_each_alias(&m, canon, alias_add, ob) : 0;
		free(canon);
		if (r == -ENOENT)
			r = 0; /* gone meanwhile, or not in the table: as ids_open */
	}
	mounts_free(&m);
	return r;
}

/* ---- set-up ---------------------------------------------------------------------- */

int onbehalf_new(struct onbehalf **out, const struct sandlock_sandbox *p, int ruleset)
{
	struct onbehalf *ob = calloc(1, sizeof(*ob));
	if (!ob)
		return sl_errorf(ENOMEM, "out of memory");
	ob->rootfd = -1;
	ob->procfs = -1;
	ob->fetch_sock = -1;
	ob->root = geteuid() == 0;
	int r = ids_open(&ob->wr, &p->fs_write);
	if (r == 0)
		r = ids_open(&ob->rd, &p->fs_read);
	if (r == 0)
		r = ids_open(&ob->deny, &p->fs_deny);
	for (size_t i = 0; r == 0 && i < p->fs_deny.n; i++)
		r = ways_add(&ob->way, p->fs_deny.v[i]);
	if (r == 0)
		r = aliases_add(ob, &p->fs_deny);
	if (r == 0 && p->workdir && p->fs_isolation == SL_ISO_OVERLAYFS &&
	    !(ob->overlay_wd = realpath(p->workdir, NULL)))
		r = -errno;
	if (r < 0) {
		onbehalf_free(ob);
		return sl_errorf(-r, "the granted trees: %s", strerror(-r));
	}
	if ((r = aschild_new(&ob->as, -1)) < 0 ||
	    (ruleset >= 0 && (r = aschild_new(&ob->confined, ruleset)) < 0)) {
		onbehalf_free(ob);
		return r;
	}
	*out = ob;
	return 0;
}

int onbehalf_get(struct sl_sup *s, const struct sandlock_sandbox *p, int ruleset,
		 struct onbehalf **out)
{
	int r = s->ob ? 0 : onbehalf_new(&s->ob, p, -1);
	if (r == 0)
		s->ob->sup = s;
	if (r == 0 && ruleset >= 0 && !s->ob->confined)
		r = aschild_new(&s->ob->confined, ruleset);
	if (r < 0) {
		if (!s->ob_refs) {
			onbehalf_free(s->ob);
			s->ob = NULL;
		}
		return r;
	}
	s->ob_refs++;
	*out = s->ob;
	return 0;
}

void onbehalf_put(struct onbehalf *ob)
{
	struct sl_sup *s = ob ? ob->sup : NULL;
	if (s && s->ob_refs && --s->ob_refs == 0) {
		onbehalf_free(s->ob);
		s->ob = NULL;
	}
}

void onbehalf_free(struct onbehalf *ob)
{
	if (!ob)
		return;
	aschild_free(ob->as);
	aschild_free(ob->confined);
	if (ob->fetch_sock >= 0) {
		close(ob->fetch_sock); /* the fetcher reads the end and leaves */
		pthread_join(ob->fetch_th, NULL);
	}
	sl_close(&ob->rootfd);
	free(ob->overlay_wd);
	free(ob->rd.v);
	free(ob->wr.v);
	free(ob->deny.v);
	free(ob->way.v);
	free(ob->creds);
	free(ob);
}

/* ---- the decision ------------------------------------------------------------ */

struct ob_grant {
	bool r, w, denied, xdenied;
};

static void tally(const struct onbehalf *ob, const struct stat *st, struct ob_grant *g)
{
	g->denied |= ids_has(&ob->deny, st);
	g->xdenied |= ob->xdeny && ob->xdeny(ob->xdeny_arg, st);
	g->w |= ids_has(&ob->wr, st);
	g->r |= ids_has(&ob->rd, st);
}

/* The last component of our fd's path, as the kernel prints it. */
static int fd_name(int fd, char *buf, size_t size)
{
	char link[32];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	char *slash = strrchr(buf, '/');
	if (slash)
		memmove(buf, slash + 1, strlen(slash + 1) + 1);
	return 0;
}

/* cur is an entry at the top of a procfs: /proc/<pid> of a process
 * outside the sandbox is out of reach (the supervisor's own among them:
 * a path through the "self" link resolved here names ours). */
static bool proc_entry_ok(const struct ob_job *j, int cur)
{
	char name[PATH_MAX];
	if (fd_name(cur, name, sizeof(name)) < 0)
		return false;
	size_t n = strspn(name, "0123456789");
	if (n == 0 || name[n])
		return true; /* /proc/sys, /proc/meminfo...: not a process */
	return procs_live(j->procs, (pid_t)atoi(name)) != NULL;
}

static bool is_proc_fs(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

static bool is_proc_root(int fd, const struct stat *st)
{
	struct statfs sf;
	return st->st_ino == PROC_ROOT_INO && fstatfs(fd, &sf) == 0 &&
	       sf.f_type == PROC_SUPER_MAGIC;
}

/* The walk's levels are stat'ed by name from an anchor directory:
 * "..", "../..", and so on.  A ".." lookup goes to the kernel's own
 * parent of each directory, across mounts, as openat(cur, "..") does, and
 * needs the same search right; one fstatat per level replaces an
 * openat, an fstat and a close (three syscalls, about a microsecond each
 * on a VM, for every directory above every object decided).  Every
 * OB_REANCHOR levels the level reached is opened as the next anchor, so
 * the names stay short. */
#define OB_REANCHOR 16

/* "..", repeated k times (k >= 1), into p (3 * k bytes). */
static const char *dots(char *p, int k)
{
	for (int i = 0; i < k; i++)
		memcpy(p + 3 * i, "../", 3);
	p[3 * k - 1] = 0;
	return p;
}

/* The directory k levels above anchor, proven the one stat'ed as st (a
 * rename in between: -EAGAIN, refused). */
static int level_fd(int anchor, int k, const struct stat *st)
{
	char p[3 * (OB_REANCHOR + 1)];
	int fd = openat(anchor, dots(p, k), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat now;
	if (fstat(fd, &now) < 0 || !same(&now, st)) {
		close(fd);
		return -EAGAIN;
	}
	return fd;
}

/* nst, k + 1 levels above anchor, is a procfs root if it has the root's
 * inode number and procfs's magic: then st, the level below, is an entry
 * at its top, and may be one of an outside process (proc_entry_ok).
 * Other file systems' roots may have inode 1 too: only those pay for the
 * opens. */
static int proc_top(const struct ob_job *j, int anchor, int k, const struct stat *st,
		    const struct stat *nst)
{
	if (nst->st_ino != PROC_ROOT_INO)
		return 0;
	int top = level_fd(anchor, k + 1, nst);
	if (top < 0)
		return top;
	bool is_root = is_proc_root(top, nst);
	close(top);
	if (!is_root)
		return 0;
	int cur = k ? level_fd(anchor, k, st) : anchor;
	if (cur < 0)
		return cur;
	bool ok = proc_entry_ok(j, cur);
	if (cur != anchor)
		close(cur);
	return ok ? 0 : -EACCES;
}

/* From directory dir up to the root: every tree met adds its rights, a
 * denied one takes them all (fs_deny wins wherever it is on the way). */
static int walk(const struct ob_job *j, int dir, struct ob_grant *g)
{
	char p[3 * (OB_REANCHOR + 1)];
	struct stat st, nst;
	int anchor = dir, owned = -1, k = 0, r = 0; /* st is k levels above anchor */
	if (fstat(dir, &st) < 0)
		return -EBADF;
	for (int depth = 0; r == 0; depth++, k++) {
		tally(j->ob, &st, g);
		if (depth == OB_MAX_DEPTH) {
			r = -ELOOP;
			break;
		}
		if (k == OB_REANCHOR) {
			int fd = level_fd(anchor, k, &st);
			sl_close(&owned);
			if (fd < 0) {
				r = fd;
				break;
			}
			anchor = owned = fd;
			k = 0;
		}
		if (fstatat(anchor, dots(p, k + 1), &nst, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		else if (same(&nst, &st))
			break; /* the root: its ".." is itself */
		else if ((r = proc_top(j, anchor, k, &st, &nst)) == 0)
			st = nst;
	}
	sl_close(&owned);
	return r;
}

static bool device_ok(const struct stat *st)
{
	return fsspecial_device_allowed(st->st_mode, st->st_rdev) ||
	       (S_ISCHR(st->st_mode) && fsspecial_host_tty(st->st_rdev));
}

/* The policy's answer for the object o, found in directory parent (-1:
 * o is a directory, the walk starts there). */
/* The policy's refusal of o, with the flag that would allow it, or
 * NULL when allowed. */
static const char *refusal(const struct ob_job *j, const struct ob_obj *o, int parent)
{
	const struct onbehalf *ob = j->ob;
	const struct stat *st = &o->st;
	struct ob_grant g = {0};
	struct statfs sf;
	if (j->need == OB_ANY)
		return NULL;
	if (fstatfs(o->fd, &sf) < 0)
		return "its file system could not be told";
	bool dev = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
	tally(ob, st, &g);
	int dir = S_ISDIR(st->st_mode) ? o->fd : parent;
	if (dir < 0 || walk(j, dir, &g) < 0)
		return "outside the granted trees";
	if (g.denied)
		return "under an --fs-deny path";
	if (g.xdenied)
		return "policy_fn: deny_path";
	if (j->need == OB_UNDENIED)
		return NULL;
	if (j->need == OB_READ) {
		/* a root sandbox opens no device node outside the safe set */
		if (dev && ob->root && !device_ok(st))
			return "a device node outside the safe set (a root sandbox)";
		return g.r || g.w ? NULL : "read: not under any -r or -w tree (--fs-read)";
	}
	/* writes to a kernel pseudo filesystem act on the kernel, a device
	 * node's mode on whoever opens it next: never on the child's behalf */
	if (fsspecial_pseudo_magic((unsigned long)sf.f_type))
		return "a kernel pseudo filesystem: never written on the sandbox's behalf";
	if (dev)
		return "a device node: never changed on the sandbox's behalf";
	if (ids_has(&ob->way, st))
		return "a directory on the way to an --fs-deny path";
	return g.w ? NULL : "write: not under any -w tree (--fs-write)";
}

static bool allowed(const struct ob_job *j, const struct ob_obj *o, int parent)
{
	const char *why = refusal(j, o, parent);
	if (why && j->why)
		*j->why = why;
	return !why;
}

/* ---- resolution ------------------------------------------------------------------ */

/* openat2 into an O_PATH fd, never through a magic link. */
static int o2(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_PATH | O_CLOEXEC),
			       .resolve = resolve | RESOLVE_NO_MAGICLINKS};
	/* EAGAIN: a rename raced a RESOLVE_IN_ROOT lookup; it may retry */
	for (int i = 0; i < 8; i++) {
		int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			return fd >= 0 ? fd : -errno;
	}
	return -EAGAIN;
}

/* The deepest directory on path (its prefixes, longest first, then base
 * itself) that resolves: where the kernel's lookup stopped.  -1: none. */
static int deepest(int base, const char *path, uint64_t res)
{
	char p[PATH_MAX + 2];
	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		char *s = strrchr(p, '/');
		if (!s)
			return o2(base, ".", O_DIRECTORY, res);
		if (s == p)
			return o2(base, "/", O_DIRECTORY, res);
		*s = 0;
		int fd = o2(base, p, O_DIRECTORY, res);
		if (fd >= 0)
			return fd;
	}
}

/* A symlink x on a procfs, found in directory p other than the procfs
 * root (where self, thread-self, mounts and net are plain links): one
 * the kernel follows by jumping, not by its text. */
static bool magic_link(int p, int x)
{
	struct stat st;
	return is_proc_fs(x) && !(fstat(p, &st) == 0 && is_proc_root(p, &st));
}

/* One round of the resolution of path (from base): every component but
 * the last through openat2, the last one alone without following it.  0:
 * o->fd found in *parent (-1 for a directory); 1: a symlink the call
 * follows, its target now in path, to resolve from *parent; -errno with
 * *anchor, the deepest directory reached (or -1). */
static int step(int base, bool in_root, char *path, unsigned int flags, struct ob_obj *o,
		int *parent, int *anchor)
{
	uint64_t res = in_root ? RESOLVE_IN_ROOT : 0;
	size_t len = strlen(path);
	bool slash_end = false;
	while (len > 1 && path[len - 1] == '/') {
		path[--len] = 0;
		slash_end = true;
	}
	char *slash = strrchr(path, '/');
	const char *last = slash ? slash + 1 : path;
	if (!*last || !strcmp(last, ".") || !strcmp(last, "..")) {
		/* "/", "x/." or "x/..": a directory, found by its own name */
		if ((o->fd = o2(base, path, O_DIRECTORY, res)) < 0) {
			*anchor = deepest(base, path, res);
			return o->fd;
		}
		return fstat(o->fd, &o->st) < 0 ? -errno : 0;
	}
	char dir[PATH_MAX + 2] = ".";
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	int p = o2(base, dir, O_DIRECTORY, res);
	if (p < 0) {
		*anchor = deepest(base, dir, res);
		return p;
	}
	int x = o2(p, last, O_NOFOLLOW, 0);
	struct stat st;
	if (x < 0 || fstat(x, &st) < 0) {
		int e = x < 0 ? x : -errno;
		if (x >= 0)
			close(x);
		*anchor = p;
		return e;
	}
	if (S_ISLNK(st.st_mode) && (!(flags & OB_NOFOLLOW) || slash_end) && magic_link(p, x)) {
		/* fd/N, cwd, root, exe of a /proc/<pid>: the kernel jumps to
		 * the file itself, and its printed name is no path to it (a
		 * pipe, a deleted file, another root; ours through "self") */
		close(x);
		*anchor = p;
		return -ELOOP;
	}
	if (S_ISLNK(st.st_mode) && (!(flags & OB_NOFOLLOW) || slash_end)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(x, "", target, PATH_MAX);
		close(x);
		*parent = p;
		if (n < 0 || n >= PATH_MAX)
			return n < 0 ? -errno : -ENAMETOOLONG;
		snprintf(path, PATH_MAX + 2, "%.*s%s", (int)n, target, slash_end ? "/" : "");
		return n ? 1 : -ENOENT;
	}
	if (slash_end && !S_ISDIR(st.st_mode)) {
		close(x);
		*anchor = p;
		return -ENOTDIR;
	}
	o->fd = x;
	o->st = st;
	if (S_ISDIR(st.st_mode))
		close(p);
	else
		*parent = p;
	return 0;
}

/* The whole resolution: rounds of step() while the last component is a
 * symlink to follow, from the directory it was found in (a relative
 * target) or beneath the root (an absolute one). */
static int resolve(const struct ob_job *j, struct ob_obj *o, int *parent, int *anchor)
{
	char path[PATH_MAX + 2];
	snprintf(path, sizeof(path), "%s", j->path);
	int base = j->base, owned = -1, r;
	bool in_root = j->in_root;
	for (int links = 0;; links++) {
		r = step(base, in_root, path, j->flags, o, parent, anchor);
		if (r != 1)
			break;
		sl_close(&owned);
		owned = base = *parent;
		*parent = -1;
		in_root = false;
		if (path[0] == '/') {
			base = j->ob->rootfd;
			in_root = true;
		}
		if (links == OB_MAX_LINKS) {
			*anchor = owned;
			owned = -1;
			r = -ELOOP;
			break;
		}
	}
	if (r < 0 && *parent >= 0 && *anchor < 0) {
		*anchor = *parent; /* a symlink that could not be read */
		*parent = -1;
	}
	sl_close(&owned);
	return r;
}

/* A non-directory named by fd alone (AT_EMPTY_PATH, /proc/self/fd/N):
 * the directory holding it, found by its name and checked to hold that
 * very file.  -1 when there is none (deleted, a pipe, another root);
 * then *nameless when no path reaches the object at all (see below).
 * The name is looked up in the sandbox's root: the kernel names a file
 * of the sandbox's own mount namespace (fs_isolation overlayfs: the
 * overlay on the workdir) as that namespace sees it. */
static int parent_of(const struct onbehalf *ob, const struct ob_obj *o, bool *nameless)
{
	char link[32], path[PATH_MAX + 1];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", o->fd);
	ssize_t n = readlink(link, path, PATH_MAX);
	/* A file whose last link is gone (unlinked, or made O_TMPFILE), or
	 * a pipe or a socket, which /proc names "pipe:[N]", "socket:[N]"
	 * (the kernel's text, never a path): only those who hold an fd of
	 * it see it, the child among them, so it is the child's to change
	 * as the kernel lets it.  Not an anonymous inode ("anon_inode:"):
	 * eventfds, epoll and timer fds share one inode system-wide. */
	bool kernel_named = n > 0 && n < PATH_MAX && path[0] != '/' &&
			    (!strncmp(path, "pipe:[", 6) || !strncmp(path, "socket:[", 8));
	*nameless = !S_ISCHR(o->st.st_mode) && !S_ISBLK(o->st.st_mode) &&
		    (kernel_named || (o->st.st_nlink == 0 && S_ISREG(o->st.st_mode)));
	if (n <= 0 || n >= PATH_MAX || path[0] != '/')
		return -1;
	path[n] = 0;
	char *slash = strrchr(path, '/');
	*slash = 0;
	int root = ob->rootfd >= 0 ? ob->rootfd : AT_FDCWD;
	int p = o2(root, slash == path ? "/" : path, O_DIRECTORY,
		   RESOLVE_NO_SYMLINKS | (ob->rootfd >= 0 ? RESOLVE_IN_ROOT : 0));
	int x = p < 0 ? -1 : o2(p, slash + 1, O_NOFOLLOW, 0);
	struct stat st;
	bool ok = x >= 0 && fstat(x, &st) == 0 && same(&st, &o->st);
	if (x >= 0)
		close(x);
	if (!ok && p >= 0)
		close(p);
	return ok ? p : -1;
}

/* The object of the call: the base itself ("" with AT_EMPTY_PATH), or
 * the path resolved from it; *nameless as parent_of() says. */
static int locate(const struct ob_job *j, struct ob_obj *o, int *parent, int *anchor,
		  bool *nameless)
{
	if (*j->path)
		return resolve(j, o, parent, anchor);
	if (!(j->flags & OB_EMPTY_PATH))
		return -ENOENT;
	if ((o->fd = fcntl(j->base, F_DUPFD_CLOEXEC, 0)) < 0 || fstat(o->fd, &o->st) < 0)
		return -errno;
	if (!S_ISDIR(o->st.st_mode))
		*parent = parent_of(j->ob, o, nameless);
	return 0;
}

/* Runs with the child's credentials (aschild_run). */
static long run_job(void *p)
{
	const struct ob_job *j = p;
	struct ob_obj o = {.fd = -1};
	int parent = -1, anchor = -1;
	bool nameless = false;
	long r = locate(j, &o, &parent, &anchor, &nameless);
	if (r < 0) {
		/* what the lookup found out is told only where the child may
		 * read: elsewhere any failure reads as a refusal */
		struct ob_obj a = {.fd = anchor};
		if (anchor < 0 || fstat(anchor, &a.st) < 0 ||
		    !allowed(
			&(struct ob_job){
			    .ob = j->ob, .procs = j->procs, .need = OB_READ, .why = j->why},
			&a, -1))
			r = -EACCES;
	} else if (!(nameless && parent < 0) && !allowed(j, &o, parent)) {
		r = -EACCES;
	} else {
		r = j->op(&o, j->arg);
	}
	sl_close(&o.fd);
	sl_close(&parent);
	sl_close(&anchor);
	return r;
}

/* OB_ANY: the object's identity alone, resolved in one openat2.  A view
 * grants nothing, so no walk and no parent are needed. */
static long run_view(void *p)
{
	const struct ob_job *j = p;
	if (!*j->path)
		return run_job(p); /* AT_EMPTY_PATH: the general way */
	struct ob_obj o = {.fd = -1};
	o.fd = o2(j->base, j->path, (j->flags & OB_NOFOLLOW) ? O_NOFOLLOW : 0,
		  j->in_root ? RESOLVE_IN_ROOT : 0);
	if (o.fd < 0)
		return o.fd;
	long r = fstat(o.fd, &o.st) < 0 ? -errno : j->op(&o, j->arg);
	sl_close(&o.fd);
	return r;
}

/* ---- the notifier's side: bases, credentials ------------------------------------ */

/* task/<tid>/name under the notifier's bound /proc directory (a magic
 * link, followed: the thread's own cwd, root or fd), then the
 * notification still pending: the tid was the notifier's throughout. */
int onbehalf_task_open(struct sl_ctx *c, const char *name, int flags)
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

/* ---- the child's open files ------------------------------------------------------ */

/* A duplicate of one of the child's files is closed again here, and a
 * close of any descriptor of a file drops every POSIX lock this process
 * holds on it (fcntl(2)), and flushes it as ours: a sandbox that passes
 * a file it may read as a socket's fd would take the host's locks on it
 * (an SQLite database's).  So the duplicates are taken by a thread whose
 * file table is its own, which hands over only the kinds asked for (a
 * socket, an anonymous inode: no host holds a lock on those) and closes
 * the rest in its own table, where no lock of ours is.  The files a
 * message passes (SCM_RIGHTS) can be of any kind: that thread sends the
 * message itself (onbehalf_send_fds), and they never leave its table.
 *
 * One request at a time, the caller waiting for the answer: a request
 * may point into the caller's memory (the thread shares it). */

enum fetch_op { FETCH_FD, FETCH_SEND, FETCH_CALL };

struct fetch_req {
	int op;
	int n; /* FETCH_FD: the fd number */
	unsigned int kinds;
	/* FETCH_SEND: the message (its fd numbers the child's), and whose
	 * ids the send is made with */
	const struct ob_send *send;
	const struct sl_creds *creds; /* FETCH_CALL's too */
	/* FETCH_CALL: fn on the duplicate of fd n, the notification's id
	 * (with the listener that comes with the request: child memory) */
	ob_fd_fn fn;
	void *arg;
	uint64_t id;
	pid_t pid;
};

struct fetch_rep {
	long r; /* FETCH_FD: 0 with the fd, or -errno; FETCH_SEND: the send's */
};

#define FETCH_FDS 3 /* a request's: the notifier's pidfd, a socket, a target */

/* Sends len bytes of data and fds[0..n) with them.  0 or -errno. */
static int send_fds(int sock, const void *data, size_t len, const int *fds, int n)
{
	union {
		char buf[CMSG_SPACE(FETCH_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl = {{0}};
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (n > 0) {
		m.msg_control = ctl.buf;
		m.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
		memcpy(CMSG_DATA(h), fds, (size_t)n * sizeof(int));
	}
	ssize_t r;
	while ((r = sendmsg(sock, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return r == (ssize_t)len ? 0 : -EPIPE;
}

/* Receives len bytes into data and the fds sent with them (at most
 * FETCH_FDS, their count in *n; -1 for the rest).  0 or -errno.  A
 * signal does not end the wait: the other side may be using our memory
 * until it answers. */
static int recv_fds(int sock, void *data, size_t len, int *fds, int *n)
{
	union {
		char buf[CMSG_SPACE(FETCH_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = data, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.buf,
			   .msg_controllen = sizeof(ctl.buf)};
	*n = 0;
	for (int i = 0; i < FETCH_FDS; i++)
		fds[i] = -1;
	ssize_t r;
	while ((r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct cmsghdr *h = r > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
	    h->cmsg_len >= CMSG_LEN(sizeof(int))) {
		size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int all[FETCH_FDS + 1];
		k = k > FETCH_FDS + 1 ? FETCH_FDS + 1 : k; /* what the buffer holds */
		memcpy(all, CMSG_DATA(h), k * sizeof(int));
		for (size_t i = 0; i < k; i++)
			if (i < FETCH_FDS)
				fds[(*n)++] = all[i];
			else
				close(all[i]);
	}
	if (r == (ssize_t)len && !(m.msg_flags & MSG_CTRUNC))
		return 0;
	for (int i = 0; i < *n; i++)
		close(fds[i]);
	*n = 0;
	return -EPIPE;
}

static bool kind_ok(int fd, unsigned int kinds)
{
	struct stat st;
	struct statfs sf;
	if (fstat(fd, &st) < 0)
		return false;
	return ((kinds & OB_FD_SOCKET) && S_ISSOCK(st.st_mode)) ||
	       ((kinds & OB_FD_ANON) && fstatfs(fd, &sf) == 0 && sf.f_type == ANON_INODE_FS_MAGIC);
}

/* FETCH_FD: our duplicate of the notifier's fd, or -errno. */
static long fetch_fd(const struct fetch_req *q, int pidfd, int *x)
{
	*x = (int)syscall(SYS_pidfd_getfd, pidfd, q->n, 0U);
	if (*x < 0)
		return -errno;
	if (!kind_ok(*x, q->kinds)) {
		close(*x); /* in our table: no lock of the host's is ours */
		*x = -1;
		return -ENOTSOCK;
	}
	return 0;
}

/* FETCH_SEND, with the child's credentials: only when this thread's ids
 * are the child's (ours cannot change per call: the thread takes no other
 * ids), and with no effective capability for the send, so the kernel
 * decides as for the child (the socket file's write permission, the
 * in-flight fd limit, SCM_CREDENTIALS it attaches for the peer: aschild.h
 * says why a root supervisor must not lend its own).  The child's files
 * are duplicated into our table, passed, and closed here.  *broken when
 * our capabilities could not be raised again: no later request is served
 * (every later call fails closed). */
static long fetch_send(const struct fetch_req *q, int pidfd, int sock, int target, bool *broken)
{
	const struct ob_send *s = q->send;
	int got[OB_SEND_FDS_MAX] = {0}, n = 0;
	long r =
	    aschild_ids_are(q->creds) && s->nfds > 0 && s->nfds <= OB_SEND_FDS_MAX ? 0 : -EPERM;
	for (; r == 0 && n < s->nfds; n++)
		if ((got[n] = (int)syscall(SYS_pidfd_getfd, pidfd, s->fds[n], 0U)) < 0)
			r = -errno; /* EBADF: no such fd, as the kernel's own send */
	union {
		char buf[CMSG_SPACE(OB_SEND_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} ctl = {{0}};
	struct iovec iov = {.iov_base = (void *)s->data, .iov_len = s->len};
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct msghdr m = {.msg_name = (void *)s->to,
			   .msg_namelen = s->to ? s->tolen : 0,
			   .msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.buf,
			   .msg_controllen = CMSG_SPACE((size_t)n * sizeof(int))};
	if (target >= 0) {
		/* our own table: /proc/self would name the process's */
		snprintf(un.sun_path, sizeof(un.sun_path), "/proc/thread-self/fd/%d", target);
		m.msg_name = &un;
		m.msg_namelen = sizeof(un);
	}
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(h), got, (size_t)n * sizeof(int));
	struct sl_caps caps = {0};
	if (r == 0 && sl_caps_get(&caps) < 0)
		r = -EPERM;
	if (r == 0 && caps.eff && sl_caps_set(&(struct sl_caps){0, caps.perm, caps.inh}) < 0)
		r = -EPERM;
	else if (r == 0) {
		ssize_t w = sendmsg(sock, &m, s->flags);
		r = w < 0 ? -errno : (long)w;
		/* raising the effective set within the permitted one is
		 * always allowed (capabilities(7)): a failure is a security
		 * module's, and we serve no more */
		*broken = caps.eff && sl_caps_set(&caps) < 0;
	}
	for (int i = 0; i < n; i++)
		if (got[i] >= 0)
			close(got[i]);
	return r;
}

/* FETCH_CALL: q->fn on our duplicate of the notifier's fd, with the
 * child's credentials as FETCH_SEND has them; the duplicate is closed
 * here, in our own table, whatever its kind.  *broken as FETCH_SEND. */
static long fetch_fn(const struct fetch_req *q, int pidfd, int listener, bool *broken)
{
	if (!aschild_ids_are(q->creds))
		return -EPERM;
	int x = (int)syscall(SYS_pidfd_getfd, pidfd, q->n, 0U);
	if (x < 0)
		return -errno;
	struct sl_caps caps = {0};
	long r = sl_caps_get(&caps) < 0 ? -EPERM : 0;
	if (r == 0 && caps.eff && sl_caps_set(&(struct sl_caps){0, caps.perm, caps.inh}) < 0)
		r = -EPERM;
	else if (r == 0) {
		struct sl_memref m = {.listener = listener, .id = q->id, .pid = q->pid};
		r = q->fn(x, &m, q->arg);
		*broken = caps.eff && sl_caps_set(&caps) < 0; /* see fetch_send */
	}
	close(x);
	return r;
}

/* One request: the notifier's pidfd comes with it (and FETCH_SEND's
 * socket and target, FETCH_CALL's listener).  0, or -1 when the fetcher
 * is to leave. */
static int fetch_one(int peer)
{
	struct fetch_req q;
	int fds[FETCH_FDS], n, x = -1;
	bool broken = false;
	if (recv_fds(peer, &q, sizeof(q), fds, &n) < 0)
		return -1; /* our end is closed: the core is freed */
	long r = -EPIPE;
	if (q.op == FETCH_SEND && n >= 2)
		r = fetch_send(&q, fds[0], fds[1], n > 2 ? fds[2] : -1, &broken);
	else if (q.op == FETCH_FD && n >= 1)
		r = fetch_fd(&q, fds[0], &x);
	else if (q.op == FETCH_CALL && n >= 2)
		r = fetch_fn(&q, fds[0], fds[1], &broken);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	int w = send_fds(peer, &(struct fetch_rep){r}, sizeof(struct fetch_rep), &x, x >= 0);
	if (x >= 0)
		close(x);
	return w < 0 || broken ? -1 : 0;
}

static void *fetcher_main(void *p)
{
	struct onbehalf *ob = p;
	int peer = -1;
	/* an empty table of our own (CLOSE_RANGE_UNSHARE of every fd copies
	 * none), then our end taken from the starter's */
	if (syscall(SYS_close_range, 0U, ~0U, CLOSE_RANGE_UNSHARE) == 0) {
		int self = pidinfo_pidfd_open(ob->fetch_tid, PIDFD_THREAD);
		if (self < 0)
			self = pidinfo_pidfd_open(getpid(), 0);
		peer = self < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, self, ob->fetch_peer, 0U);
		if (self >= 0)
			close(self);
	}
	ob->fetcher_tid = gettid();
	ob->fetch_state = peer >= 0 ? 1 : -1;
	sem_post(&ob->fetch_ready);
	while (peer >= 0 && fetch_one(peer) == 0)
		;
	if (peer >= 0)
		close(peer);
	return NULL;
}

/* The fetcher, started on first use.  0, or -EPERM when it cannot be
 * (pidfd_getfd refused: Docker's default seccomp profile). */
static int fetcher_start(struct onbehalf *ob)
{
	if (ob->fetch_sock >= 0 || ob->fetch_broken)
		return ob->fetch_broken ? -EPERM : 0;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	ob->fetch_peer = sv[1];
	ob->fetch_tid = gettid();
	ob->fetcher_cpu = -1;
	ob->fetch_state = 0;
	int r = sem_init(&ob->fetch_ready, 0, 0) < 0 ? errno : 0;
	if (r == 0)
		r = sl_thread_start(&ob->fetch_th, fetcher_main, ob);
	while (r == 0 && sem_wait(&ob->fetch_ready) < 0)
		;
	close(sv[1]);
	if (r == 0 && ob->fetch_state < 0)
		pthread_join(ob->fetch_th, NULL);
	if (r != 0 || ob->fetch_state < 0) {
		close(sv[0]);
		ob->fetch_broken = true;
		return -EPERM;
	}
	ob->fetch_sock = sv[0];
	return 0;
}

/* The notifying thread's pidfd (its own file table: a thread may have
 * one, clone without CLONE_FILES; before Linux 6.9 the process's, which
 * stays the caller's to close: *own -1).  proven: the notification is
 * still pending once it is open, so the tid named the notifier (a
 * thread killed meanwhile could have left its tid to another task). */
static int notifier_pidfd(struct sl_ctx *c, int *own, bool proven)
{
	*own = pidinfo_pidfd_open((pid_t)c->req->pid, PIDFD_THREAD);
	if (*own >= 0 && proven && !mem_pending(&c->mem)) {
		close(*own);
		*own = -1;
		return -ESRCH;
	}
	return *own >= 0 ? *own : c->proc->pidfd;
}

/* A request and its answer (the fd, -1 none).  -EPERM when the fetcher
 * is gone. */
static long fetch_call(struct onbehalf *ob, const struct fetch_req *q, const int *fds, int n,
		       int *fd)
{
	struct fetch_rep rep = {-EPERM};
	int got[FETCH_FDS], m = 0;
	*fd = -1;
	/* we sleep while it works: on our CPU, no idle one to wake */
	sl_thread_follow(ob->fetcher_tid, &ob->fetcher_cpu);
	if (send_fds(ob->fetch_sock, q, sizeof(*q), fds, n) < 0 ||
	    recv_fds(ob->fetch_sock, &rep, sizeof(rep), got, &m) < 0)
		return -EPERM;
	for (int i = 0; i < m; i++)
		if (i == 0 && rep.r == 0)
			*fd = got[i];
		else
			close(got[i]);
	return rep.r;
}

bool onbehalf_can_fetch(struct onbehalf *ob)
{
	return fetcher_start(ob) == 0;
}

int onbehalf_child_fd(struct onbehalf *ob, struct sl_ctx *c, int n, unsigned int kinds)
{
	if (n < 0)
		return -EBADF;
	int r = fetcher_start(ob), own = -1, fd;
	if (r < 0)
		return r;
	/* proven after the fetch, before the fd is used */
	int tp = notifier_pidfd(c, &own, false);
	long e = fetch_call(ob, &(struct fetch_req){.op = FETCH_FD, .n = n, .kinds = kinds}, &tp, 1,
			    &fd);
	if (own >= 0)
		close(own);
	if (fd >= 0 && !mem_pending(&c->mem)) {
		close(fd);
		return -ESRCH;
	}
	return fd >= 0 ? fd : (int)(e < 0 ? e : -EBADF);
}

/* The caller's dirfd n as a base: the same file reopened O_PATH through
 * /proc (a duplicate would be closed here: see above; an O_PATH file's
 * close drops no lock and flushes nothing). */
int onbehalf_fd_object(struct sl_ctx *c, int n)
{
	if (n < 0)
		return -EBADF;
	char name[32];
	snprintf(name, sizeof(name), "fd/%d", n);
	int fd = onbehalf_task_open(c, name, 0);
	return fd == -ENOENT ? -EBADF : fd;
}

/* Whether our fd (an O_PATH reopen of the child's) is the object fi
 * describes: the mount by statx, the inode by statx's number, or where a
 * filesystem reports another number than its inode's own (overlayfs
 * gives a layer's st_ino), by our own fdinfo, which prints the same
 * field as the child's. */
static bool same_object(int fd, const struct statx *sx, const struct sl_fdinfo *fi)
{
	if (!(sx->stx_mask & STATX_MNT_ID) || sx->stx_mnt_id != fi->mnt_id)
		return false;
	if (sx->stx_ino == fi->ino)
		return true;
	char name[48], buf[512];
	struct sl_fdinfo own;
	snprintf(name, sizeof(name), "/proc/thread-self/fdinfo/%d", fd);
	int f = open(name, O_RDONLY | O_CLOEXEC);
	bool same = f >= 0 && pidinfo_read_at(-1, NULL, &f, buf, sizeof(buf)) == 0 &&
		    pidinfo_parse_fdinfo(buf, &own) == 0 && own.ino == fi->ino &&
		    own.mnt_id == fi->mnt_id;
	if (f >= 0)
		close(f);
	return same;
}

/* The fields of struct stat the callers use, from statx. */
static void stat_of(const struct statx *sx, struct stat *st)
{
	*st = (struct stat){.st_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor),
			    .st_ino = sx->stx_ino,
			    .st_mode = sx->stx_mode,
			    .st_nlink = sx->stx_nlink,
			    .st_uid = sx->stx_uid,
			    .st_gid = sx->stx_gid,
			    .st_rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor),
			    .st_size = (off_t)sx->stx_size};
}

int onbehalf_fd_file(struct sl_ctx *c, int n, struct stat *st)
{
	/* the object, then (read after our open) the file named there now:
	 * if it is not O_PATH and is the same object (mount and inode), the
	 * child held a file of it that the kernel would have let the call
	 * act on, at a moment after the object was fixed; a swap between
	 * the two (even away and back) can only hand over an object the
	 * child then held open.  One check that the notification is still
	 * pending, after both: its tid named the notifier throughout */
	int dir = procs_dir(c->proc), fd = -1;
	char name[64], buf[512];
	snprintf(name, sizeof(name), "task/%d/fd/%d", (int)c->req->pid, n);
	int r = dir < 0 ? -ESRCH : n < 0 ? -EBADF : 0;
	if (r == 0 && (fd = openat(dir, name, O_PATH | O_CLOEXEC)) < 0)
		r = -errno;
	snprintf(name, sizeof(name), "task/%d/fdinfo/%d", (int)c->req->pid, n);
	if (r == 0)
		r = pidinfo_read(dir, name, buf, sizeof(buf));
	if (r == 0 && !mem_pending(&c->mem))
		r = -ESRCH;
	struct sl_fdinfo fi = {0};
	struct statx sx = {0};
	if (r == 0)
		r = pidinfo_parse_fdinfo(buf, &fi) < 0 ? -EBADF : 0;
	if (r == 0 && statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &sx) < 0)
		r = -errno;
	if (r == 0 && ((fi.flags & O_PATH) || !same_object(fd, &sx, &fi)))
		r = -EBADF;
	if (r == 0 && st)
		stat_of(&sx, st);
	if (r == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return r == -ENOENT ? -EBADF : r;
}

/* fs_isolation overlayfs: the workdir the sandbox sees is an overlay
 * mounted in its own mount namespace over the host's (overlay.h); a walk
 * from inside it meets the overlay's root, never the host's directory (a
 * hidden mount point), so that root, found through the sandbox's root,
 * is a write tree too.  Not found: fewer rights, never more. */
static void add_overlay_root(struct onbehalf *ob)
{
	if (!ob->overlay_wd || ob->rootfd < 0)
		return;
	int fd = o2(ob->rootfd, ob->overlay_wd, O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0)
		(void)ids_add(&ob->wr, &st);
	if (fd >= 0)
		close(fd);
	free(ob->overlay_wd);
	ob->overlay_wd = NULL;
}

/* The sandbox's root, once: chroot, pivot_root, mount, unshare and setns
 * are denied by the filter and no member holds a capability, so it is
 * every member's root for the sandbox's life. */
static int open_root(struct onbehalf *ob, struct sl_ctx *c)
{
	if (ob->rootfd >= 0)
		return 0;
	int fd = onbehalf_task_open(c, "root", O_DIRECTORY);
	if (fd < 0)
		return fd;
	ob->rootfd = fd;
	add_overlay_root(ob);
	return 0;
}

void onbehalf_prefetch(struct onbehalf *ob, struct sl_sup *s)
{
	struct sl_pent *e = procs_live(&s->procs, s->root_pgid);
	int dir = e ? procs_dir(e) : -1;
	/* the directory is bound to the process (pidinfo.h): its root or
	 * nothing, even should the pid be reused */
	if (ob->rootfd < 0 && dir >= 0)
		ob->rootfd = openat(dir, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	add_overlay_root(ob);
}

/* The sandbox's /proc is a procfs root: only then does /proc/self mean
 * the caller's own entry. */
static bool sandbox_procfs(struct onbehalf *ob)
{
	if (ob->procfs < 0) {
		int fd = o2(ob->rootfd, "proc", O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
		struct stat st;
		ob->procfs = fd >= 0 && fstat(fd, &st) == 0 && is_proc_root(fd, &st);
		if (fd >= 0)
			close(fd);
	}
	return ob->procfs == 1;
}

/* A /proc/self path (onbehalf_proc_self) opened through the caller's
 * bound /proc directory: a magic link there (cwd, root, fd/N) is the
 * base of the rest of the path, as the kernel follows it for the caller
 * (not for the last component of a call that does not follow).  1 when
 * done, 0 when path is not one, or -errno. */
static int proc_self(struct onbehalf *ob, struct sl_ctx *c, struct ob_job *j, char *rest,
		     int *owned)
{
	char rel[PATH_MAX];
	int r = onbehalf_proc_self(j->path, c->proc->pid, (int)c->req->pid, rel, sizeof(rel));
	if (r <= 0 || !sandbox_procfs(ob))
		return r < 0 ? r : 0;
	int dir = procs_dir(c->proc);
	if (dir < 0)
		return -ESRCH;
	struct ob_magic m;
	onbehalf_magic(rel, &m);
	j->base = dir;
	j->in_root = false;
	j->path = rest;
	if (!m.len || (!*m.rest && (j->flags & OB_NOFOLLOW))) {
		snprintf(rest, PATH_MAX, "%s", rel);
		return 1;
	}
	char entry[64];
	snprintf(entry, sizeof(entry), "%.*s", (int)m.len, rel);
	int fd = openat(dir, entry, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!mem_pending(&c->mem)) {
		close(fd);
		return -ESRCH;
	}
	*owned = j->base = fd;
	j->in_root = m.root;
	snprintf(rest, PATH_MAX, "%s", m.rest);
	if (!*rest)
		j->flags |= OB_EMPTY_PATH; /* the entry's target is the object */
	return 1;
}

/* Where the path starts. */
static int open_base(struct onbehalf *ob, struct sl_ctx *c, const struct ob_req *q,
		     struct ob_job *j, char *rest, int *owned)
{
	int dirfd = q->dirfd;
	if ((j->flags & OB_FILE_BASE) && (j->flags & OB_EMPTY_PATH) && !j->path[0]) {
		j->base = q->base; /* the caller's: not ours to close */
		return q->base >= 0 ? 0 : -EBADF;
	}
	if (j->path[0] == '/') {
		int r = proc_self(ob, c, j, rest, owned);
		if (r == 0) {
			j->base = ob->rootfd;
			j->in_root = true;
		}
		return r < 0 ? r : 0;
	}
	if (!j->path[0] && !(j->flags & OB_EMPTY_PATH))
		return -ENOENT;
	int fd = dirfd == AT_FDCWD ? onbehalf_task_open(c, "cwd", O_DIRECTORY)
				   : onbehalf_fd_object(c, dirfd);
	if (fd < 0)
		return fd;
	*owned = j->base = fd;
	return 0;
}

/* The notifier's credentials.  All four ids equal and no capability (the
 * child dropped them all, privdrop.c): no member can take other ids
 * (setuid to anything but its real, effective or saved id needs
 * CAP_SETUID, setgroups CAP_SETGID, exec gains nothing under
 * NO_NEW_PRIVS), so the command's are everyone's for good.  Otherwise
 * they are read for each call from the thread's own status (credentials
 * are per thread). */
static int child_creds(struct onbehalf *ob, struct sl_ctx *c, const struct sl_creds **out)
{
	int dir = procs_dir(c->proc), r;
	if (!ob->creds && (ob->creds = malloc(2 * sizeof(*ob->creds))))
		ob->cur = ob->creds + 1;
	if (!ob->creds)
		return -ENOMEM;
	if (!ob->creds_read) {
		if (dir < 0 || (r = pidinfo_creds(dir, "status", ob->creds)) < 0)
			return dir < 0 ? -ESRCH : r;
		const uint32_t *u = ob->creds->uid, *g = ob->creds->gid;
		ob->creds_read = true;
		ob->creds_fixed = u[0] == u[1] && u[1] == u[2] && u[2] == u[3] && g[0] == g[1] &&
				  g[1] == g[2] && g[2] == g[3];
	}
	*out = ob->creds;
	if (ob->creds_fixed)
		return 0;
	char name[48];
	snprintf(name, sizeof(name), "task/%d/status", (int)c->req->pid);
	if (dir < 0 || (r = pidinfo_creds(dir, name, ob->cur)) < 0)
		return dir < 0 ? -ESRCH : r;
	*out = ob->cur;
	return mem_pending(&c->mem) ? 0 : -ESRCH;
}

/* ---- the interface ------------------------------------------------------------ */

int onbehalf_read_path(struct sl_ctx *c, uint64_t addr, char *buf, size_t size)
{
	size_t len;
	int r = mem_read_cstr(&c->mem, addr, buf, size, &len);
	return r == -ENAMETOOLONG || r == 0 ? r : -EFAULT;
}

long onbehalf_run(struct onbehalf *ob, struct sl_ctx *c, const struct ob_req *q)
{
	const char *why = NULL;
	struct ob_job j = {.ob = ob,
			   .procs = &c->sup->procs,
			   .path = q->path,
			   .flags = q->flags,
			   .need = q->need,
			   .op = q->op,
			   .arg = q->arg,
			   .why = &why};
	const struct sl_creds *creds = NULL;
	char rest[PATH_MAX];
	int owned = -1;
	long r = q->need == OB_ANY ? 0 : child_creds(ob, c, &creds);
	if (r == 0)
		r = open_root(ob, c);
	if (r == 0)
		r = open_base(ob, c, q, &j, rest, &owned);
	/* A view too is resolved as the child would search, once, whatever
	 * it finds: resolved first as root and again only on a match, the
	 * match's second resolution took time that told the child whether a
	 * path through a directory it may not search ("/secret/x/../../etc/
	 * hostname") resolves, so whether /secret/x exists.  The view needs
	 * only the child's search rights: our own ids (a sandbox keeps its
	 * creator's) without effective capabilities, no credential read. */
	if (r == 0 && q->need == OB_ANY)
		r = aschild_run_capless(ob->as, run_view, &j);
	else if (r == 0)
		r = aschild_run(ob->as, creds, run_job, &j);
	sl_close(&owned);
	if (r != -EACCES)
		why = NULL;
	if (q->why) {
		*q->why = why;
	} else if (why) {
		/* an fd's own object ("" with AT_EMPTY_PATH): named by its
		 * number, as the call named it */
		char fd[24];
		snprintf(fd, sizeof(fd), "fd %d", q->dirfd);
		supervisor_denied(c, EACCES, *q->path ? q->path : fd, why);
	}
	return r;
}

bool onbehalf_denies(const struct onbehalf *ob)
{
	return ob->deny.n || ob->xdeny;
}

void onbehalf_set_deny(struct onbehalf *ob, bool (*fn)(void *arg, const struct stat *st), void *arg)
{
	ob->xdeny = fn;
	ob->xdeny_arg = arg;
}

long onbehalf_call(struct onbehalf *ob, struct sl_ctx *c, long (*fn)(void *), void *arg)
{
	const struct sl_creds *creds;
	long r = child_creds(ob, c, &creds);
	return r < 0 ? r : aschild_run(ob->as, creds, fn, arg);
}

int onbehalf_child_fsuid(struct onbehalf *ob, struct sl_ctx *c, uid_t *out)
{
	const struct sl_creds *creds;
	int r = child_creds(ob, c, &creds);
	if (r == 0)
		*out = creds->uid[3];
	return r;
}

long onbehalf_call_on(struct onbehalf *ob, struct sl_ctx *c, struct aschild *as, long (*fn)(void *),
		      void *arg)
{
	const struct sl_creds *creds;
	long r = child_creds(ob, c, &creds);
	return r < 0 ? r : aschild_run(as, creds, fn, arg);
}

long onbehalf_call_confined(struct onbehalf *ob, struct sl_ctx *c, long (*fn)(void *), void *arg)
{
	const struct sl_creds *creds;
	long r = ob->confined ? child_creds(ob, c, &creds) : -EPERM;
	return r < 0 ? r : aschild_run(ob->confined, creds, fn, arg);
}

long onbehalf_send_fds(struct onbehalf *ob, struct sl_ctx *c, const struct ob_send *s)
{
	const struct sl_creds *creds;
	int own = -1, fd = -1;
	long r = s->nfds > 0 && s->nfds <= OB_SEND_FDS_MAX ? child_creds(ob, c, &creds) : -EINVAL;
	if (r == 0)
		r = fetcher_start(ob);
	int tp = r == 0 ? notifier_pidfd(c, &own, true) : -1;
	if (r == 0 && tp < 0)
		r = tp;
	int fds[FETCH_FDS] = {tp, s->sock, s->target};
	if (r == 0)
		r = fetch_call(ob, &(struct fetch_req){.op = FETCH_SEND, .send = s, .creds = creds},
			       fds, s->target >= 0 ? 3 : 2, &fd);
	if (fd >= 0)
		close(fd);
	if (own >= 0)
		close(own);
	return r;
}

long onbehalf_fd_call(struct onbehalf *ob, struct sl_ctx *c, int n, ob_fd_fn fn, void *arg)
{
	const struct sl_creds *creds;
	int own = -1, fd = -1;
	long r = n < 0 ? -EBADF : child_creds(ob, c, &creds);
	if (r == 0)
		r = fetcher_start(ob);
	/* proven before the request: fn may act on the fd (the fetcher's
	 * own mem_* calls prove the notification again around theirs) */
	int tp = r == 0 ? notifier_pidfd(c, &own, true) : -1;
	if (r == 0 && tp < 0)
		r = tp;
	int fds[FETCH_FDS] = {tp, c->mem.listener};
	if (r == 0)
		r = fetch_call(ob,
			       &(struct fetch_req){.op = FETCH_CALL,
						   .n = n,
						   .creds = creds,
						   .fn = fn,
						   .arg = arg,
						   .id = c->mem.id,
						   .pid = c->mem.pid},
			       fds, 2, &fd);
	if (fd >= 0)
		close(fd);
	if (own >= 0)
		close(own);
	return r;
}

void onbehalf_answer(struct sl_action *a, long r)
{
	if (r == ONBEHALF_HOLD)
		*a = (struct sl_action){.kind = SL_ACT_HOLD, .fd = -1};
	else if (r >= 0)
		*a = sl_act_return(r);
	else
		*a = sl_act_errno(r == -ESRCH ? ENOENT : (int)-r);
}

/* ---- /proc/self, lexically ----------------------------------------------------- */

/* The next component of *p ("." and empty ones skipped): its start and
 * length, *p after it.  False at the end. */
static bool next_comp(const char **p, const char **c, size_t *n)
{
	for (;;) {
		while (**p == '/')
			(*p)++;
		if (!**p)
			return false;
		*c = *p;
		*n = strcspn(*p, "/");
		*p += *n;
		if (*n != 1 || **c != '.')
			return true;
	}
}

static bool comp_is(const char *c, size_t n, const char *want)
{
	return n == strlen(want) && !strncmp(c, want, n);
}

static bool comp_num(const char *c, size_t n)
{
	return n && n < 12 && strspn(c, "0123456789") >= n;
}

int onbehalf_proc_self(const char *path, int tgid, int tid, char *out, size_t size)
{
	const char *p = path, *c;
	size_t n;
	char pre[32] = "";
	if (path[0] != '/' || !next_comp(&p, &c, &n) || !comp_is(c, n, "proc") ||
	    !next_comp(&p, &c, &n))
		return 0;
	if (comp_is(c, n, "thread-self"))
		snprintf(pre, sizeof(pre), "task/%d", tid);
	else if (!comp_is(c, n, "self") && !(comp_num(c, n) && atoi(c) == tgid))
		return 0;
	while (*p == '/')
		p++;
	int w = snprintf(out, size, "%s%s%s", pre, *pre && *p ? "/" : "", *pre || *p ? p : ".");
	return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 1;
}

void onbehalf_magic(const char *rel, struct ob_magic *m)
{
	const char *p = rel, *c;
	size_t n;
	*m = (struct ob_magic){.rest = ""};
	if (!next_comp(&p, &c, &n))
		return;
	if (comp_is(c, n, "task")) {
		if (!next_comp(&p, &c, &n) || !comp_num(c, n) || !next_comp(&p, &c, &n))
			return;
	}
	if (comp_is(c, n, "fd")) {
		if (!next_comp(&p, &c, &n) || !comp_num(c, n))
			return;
	} else if (!comp_is(c, n, "cwd") && !comp_is(c, n, "root")) {
		return;
	}
	m->root = comp_is(c, n, "root");
	m->len = (size_t)(p - rel);
	while (*p == '/')
		p++;
	m->rest = p;
}
