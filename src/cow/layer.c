/* SPDX-License-Identifier: Apache-2.0 */
/* layer.c - the merged view's walk and copy-up (layer.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cow.h"
#include "cowfs.h"
#include "layerint.h"

#ifndef XATTR_LIST_MAX
#define XATTR_LIST_MAX 65536
#endif
#ifndef XATTR_SIZE_MAX
#define XATTR_SIZE_MAX 65536
#endif

/* ---- what copies add ------------------------------------------------------ */

/* A bound on the bytes the copies of every layer of this process have
 * added to their uppers (max_disk's running count: layer_added). */
static _Atomic int64_t added;

/* A copy's size on disk at most: its data rounded up to blocks (holes
 * only make it less), one more block for its metadata (an xattr block, a
 * symlink's target, a directory's first block). */
static void count_copy(const struct stat *st)
{
	int64_t data = S_ISREG(st->st_mode) ? ((int64_t)st->st_size + 4095) / 4096 * 4096 : 0;
	int64_t blocks = (int64_t)st->st_blocks * 512;
	added += (data > blocks ? data : blocks) + 4096;
}

int64_t layer_added(void)
{
	return added;
}

/* ---- small helpers --------------------------------------------------------- */

int layer_open_one(int dirfd, const char *name, int flags)
{
	/* one component: beneath dirfd with no symlink anywhere is exactly
	 * the entry of that directory, whatever the command put there */
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".."))
		return -EINVAL;
	return cowfs_open_beneath(dirfd, name, flags);
}

int layer_create_one(int dirfd, const char *name, int flags, mode_t mode)
{
	if (!name[0] || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
		return -EINVAL;
	/* made with its mode (the umask aside): never, even for an instant,
	 * a file another thread's lookup finds with no permission bits */
	struct open_how how = {.flags =
				   (uint64_t)(flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC),
			       .mode = mode & 07777,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
	long fd;
	do
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : (int)fd;
}

const char *layer_fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

static void close_pair(int *a, int *b)
{
	if (*a >= 0)
		close(*a);
	if (*b >= 0)
		close(*b);
	*a = *b = -1;
}

/* The layer's root fds stay open for its life: a walk starts from them
 * as they are, and a node at the root holds them (no duplicate made and
 * closed for each lookup: two syscalls each way, dear here), so a walk's
 * or a node's fds are closed unless they are those (l: NULL, none). */
static void drop_pair(const struct layer *l, int *a, int *b)
{
	if (l && *a >= 0 && (*a == l->upper || *a == l->lower))
		*a = -1;
	if (l && *b >= 0 && (*b == l->upper || *b == l->lower))
		*b = -1;
	close_pair(a, b);
}

void layer_node_put(struct layer_node *n)
{
	drop_pair(n->owner, &n->up, &n->low);
}

/* ---- one name of a merged directory --------------------------------------- */

/* Whether the object of fd carries the overlay mark k: fgetxattr on a
 * readable fd, else through /proc/self/fd of an O_PATH one (path). */
static bool has_mark(const struct layer *l, int fd, bool path, const char *k, char *v, size_t size)
{
	char p[32], key[40];
	snprintf(key, sizeof(key), "%s.overlay.%s", l->user_xattr ? "user" : "trusted", k);
	if (!path)
		return fgetxattr(fd, key, v, size) >= 0;
	return getxattr(layer_fd_path(fd, p), key, v, size) >= 0;
}

/* Which of a directory's overlay marks its names list: 0 none, else
 * OVL_MARK_* bits; -1 when the list could not be read whole (the marks
 * are then asked one by one).  One listxattr where two getxattrs asked
 * for redirect and opaque (a directory usually carries neither). */
enum { OVL_MARK_REDIRECT = 1, OVL_MARK_OPAQUE = 2 };

static int dir_marks(const struct layer *l, int fd, bool path)
{
	char p[32], list[512];
	ssize_t n = path ? listxattr(layer_fd_path(fd, p), list, sizeof(list))
			 : flistxattr(fd, list, sizeof(list));
	if (n < 0)
		return errno == ENOTSUP ? 0 : -1;
	const char *prefix = l->user_xattr ? "user.overlay." : "trusted.overlay.";
	size_t pl = strlen(prefix);
	int m = 0;
	for (ssize_t off = 0; off < n; off += (ssize_t)strlen(list + off) + 1) {
		if (strncmp(list + off, prefix, pl) != 0)
			continue;
		m |= !strcmp(list + off + pl, "redirect") ? OVL_MARK_REDIRECT
		     : !strcmp(list + off + pl, "opaque") ? OVL_MARK_OPAQUE
							  : 0;
	}
	return m;
}

/* The marks of an upper directory or empty file (st: its lstat, then
 * its fstat): opened beneath up, never read by a path holding its name.
 * keep (may be NULL): a directory's fd is handed over there instead of
 * closed (the walk enters the very object whose marks it read). */
static int upper_marks(const struct layer *l, int up, const char *name, struct stat *st,
		       enum cow_kind *k, int *keep)
{
	bool path = false;
	int fd = layer_open_one(up, name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd == -EACCES || fd == -ELOOP || fd == -ENXIO) {
		/* unreadable (a 0311 directory), or swapped meanwhile */
		path = true;
		fd = layer_open_one(up, name, O_PATH | O_NOFOLLOW);
	}
	if (fd < 0)
		return fd;
	char v[8] = "";
	int r = fstat(fd, st) < 0 ? -errno : 0;
	int m = r == 0 && S_ISDIR(st->st_mode) ? dir_marks(l, fd, path) : 0;
	if (m < 0) /* a list too long for our buffer: each mark asked */
		m = (has_mark(l, fd, path, "redirect", v, sizeof(v)) ? OVL_MARK_REDIRECT : 0) |
		    (has_mark(l, fd, path, "opaque", v, sizeof(v)) ? OVL_MARK_OPAQUE : 0);
	if (r == 0 && S_ISDIR(st->st_mode)) {
		/* a redirect, which sandlock never makes: refused */
		if (m & OVL_MARK_REDIRECT)
			r = -EINVAL;
		else if ((m & OVL_MARK_OPAQUE) && has_mark(l, fd, path, "opaque", v, sizeof(v)) &&
			 v[0] == 'y')
			*k = COW_OPAQUE;
		else
			*k = COW_DIR;
	} else if (r == 0 && S_ISREG(st->st_mode) && st->st_size == 0 &&
		   has_mark(l, fd, path, "whiteout", v, sizeof(v))) {
		*k = COW_WHITEOUT;
	}
	if (r == 0 && keep && S_ISDIR(st->st_mode)) {
		*keep = fd;
		return 0;
	}
	close(fd);
	return r;
}

/* What the upper entry name (st: its lstat) is, in overlayfs's terms
 * (cowfs_kind's reading; a metacopy, which sandlock never makes, is
 * left to the commit to refuse: only directories and empty files can
 * carry a mark the view obeys, and only they are opened).  -errno. */
static int upper_kind(const struct layer *l, int up, const char *name, struct stat *st,
		      enum cow_kind *k, int *keep)
{
	*k = COW_OTHER;
	if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0)) {
		*k = COW_WHITEOUT;
		return 0;
	}
	if (S_ISDIR(st->st_mode) || (S_ISREG(st->st_mode) && st->st_size == 0))
		return upper_marks(l, up, name, st, k, keep);
	return 0;
}

/* layer_entry; *updir (may be NULL): the upper directory's fd its marks
 * were read on, or -1 (the caller closes it). */
static int entry_fd(const struct layer *l, int up, int low, const char *name, struct layer_ent *e,
		    int *updir)
{
	*e = (struct layer_ent){.where = LAYER_NONE};
	if (updir)
		*updir = -1;
	struct stat lst;
	enum cow_kind k = COW_OTHER;
	int r = up >= 0 ? cowfs_exists(up, name, &e->st) : 0;
	if (r > 0 && (r = upper_kind(l, up, name, &e->st, &k, updir)) == 0) {
		e->whiteout = k == COW_WHITEOUT;
		e->where = e->whiteout ? LAYER_NONE : LAYER_UPPER;
		e->opaque = k == COW_OPAQUE;
	}
	if (r < 0 || e->whiteout || low < 0)
		return r;
	if ((r = cowfs_exists(low, name, &lst)) <= 0)
		return r;
	e->in_lower = true;
	if (e->where == LAYER_NONE) {
		e->where = LAYER_LOWER;
		e->st = lst;
		e->low_dir = S_ISDIR(lst.st_mode);
	} else {
		/* an upper directory merges a lower one unless opaque; over a
		 * lower non-directory it stands alone, as overlayfs's lookup
		 * stops there */
		e->low_dir = S_ISDIR(e->st.st_mode) && S_ISDIR(lst.st_mode) && !e->opaque;
	}
	return 0;
}

int layer_entry(const struct layer *l, int up, int low, const char *name, struct layer_ent *e)
{
	return entry_fd(l, up, low, name, e, NULL);
}

/* layer_entry, with the upper directory's fd its marks were read on in
 * *updir (or -1): the walk enters that object without opening it again. */
static int entry_keep(const struct layer *l, int up, int low, const char *name, struct layer_ent *e,
		      int *updir)
{
	int r = entry_fd(l, up, low, name, e, updir);
	if ((r < 0 || e->where != LAYER_UPPER) && *updir >= 0) {
		close(*updir);
		*updir = -1;
	}
	return r;
}

/* ---- the walk -------------------------------------------------------------- */

struct walk {
	const struct layer *l;
	int up, low;	     /* the current directory in each layer, or -1 */
	char path[PATH_MAX]; /* its resolved relative path, "" for the root */
	size_t len;
	int links;
};

static int walk_root(struct walk *w)
{
	/* at the root already (the lookup's start, then an absolute path):
	 * its fds are the roots' own duplicates */
	if (w->len == 0 && w->up >= 0 && w->low >= 0)
		return 0;
	drop_pair(w->l, &w->up, &w->low);
	w->len = 0;
	w->path[0] = 0;
	if (w->l->upper < 0 || w->l->lower < 0)
		return -EBADF;
	w->up = w->l->upper;
	w->low = w->l->lower;
	return 0;
}

/* Into the directory name of the current one (e: its entry; updir: its
 * upper directory already open, or -1; taken either way). */
static int walk_enter(struct walk *w, const char *name, const struct layer_ent *e, int updir)
{
	if (!S_ISDIR(e->st.st_mode)) {
		if (updir >= 0)
			close(updir);
		return -ENOTDIR;
	}
	int up = e->where != LAYER_UPPER ? -1
		 : updir >= 0		 ? updir
					 : layer_open_one(w->up, name, O_PATH | O_DIRECTORY);
	if (e->where != LAYER_UPPER && updir >= 0)
		close(updir);
	int low = up >= -1 && e->low_dir ? layer_open_one(w->low, name, O_PATH | O_DIRECTORY) : -1;
	if (up < -1 || low < -1) {
		int r = up < -1 ? up : low;
		close_pair(&up, &low);
		return r;
	}
	drop_pair(w->l, &w->up, &w->low);
	w->up = up;
	w->low = low;
	int n =
	    snprintf(w->path + w->len, sizeof(w->path) - w->len, "%s%s", w->len ? "/" : "", name);
	if (n < 0 || (size_t)n >= sizeof(w->path) - w->len)
		return -ENAMETOOLONG;
	w->len += (size_t)n;
	return 0;
}

/* The current directory's prefix of len bytes walked again from the root
 * (after a ".."): each a directory met before, opened anew. */
static int walk_reopen(struct walk *w, size_t len)
{
	char keep[PATH_MAX];
	memcpy(keep, w->path, len);
	keep[len] = 0;
	int r = walk_root(w);
	for (char *s = keep, *save = NULL, *c; r == 0 && (c = strtok_r(s, "/", &save)); s = NULL) {
		struct layer_ent e;
		if ((r = layer_entry(w->l, w->up, w->low, c, &e)) == 0)
			r = e.where == LAYER_NONE ? -ENOENT : walk_enter(w, c, &e, -1);
	}
	return r;
}

static int walk_up(struct walk *w)
{
	char *slash = strrchr(w->path, '/');
	return walk_reopen(w, slash ? (size_t)(slash - w->path) : 0);
}

/* The answer for a path that leaves the workdir: where it continues. */
static int outside(struct layer_node *n, const char *a, const char *b, const char *c)
{
	int len = snprintf(n->outside, sizeof(n->outside), "%s%s%s%s%s", a, *b ? "/" : "", b,
			   *c ? "/" : "", c);
	return len < 0 || (size_t)len >= sizeof(n->outside) ? -ENAMETOOLONG : LAYER_OUTSIDE;
}

/* An absolute path (the walk's input or a symlink's target, in rest):
 * inside the workdir, the walk starts again at its root with the rest;
 * elsewhere, LAYER_OUTSIDE. */
static int walk_absolute(struct walk *w, char *rest, struct layer_node *n)
{
	const char *wd = w->l->workdir;
	size_t wl = strlen(wd);
	if (wl == 1)
		wl = 0; /* the workdir "/" */
	if (!wd[0] || strncmp(rest, wd, wl) != 0 || (rest[wl] != '/' && rest[wl] != 0))
		return outside(n, rest, "", "");
	memmove(rest, rest + wl, strlen(rest + wl) + 1);
	return walk_root(w);
}

/* The last component as the node: n takes the walk's fds. */
static int walk_node(struct walk *w, const char *name, const struct layer_ent *e,
		     struct layer_node *n)
{
	size_t nl = strlen(name);
	if (w->len + 1 + nl >= sizeof(n->path))
		return -ENAMETOOLONG;
	n->up = w->up;
	n->low = w->low;
	n->owner = w->l;
	w->up = w->low = -1;
	n->where = e->where;
	n->in_lower = e->in_lower;
	n->whiteout = e->whiteout;
	n->opaque = e->opaque;
	n->low_dir = e->low_dir;
	n->st = e->st;
	memcpy(n->path, w->path, w->len);
	size_t at = w->len ? w->len + 1 : 0;
	if (w->len)
		n->path[w->len] = '/';
	memcpy(n->path + at, name, nl + 1);
	n->name = n->path + at;
	return 0;
}

/* The walk ended on its current directory ("", ".", ".." last): the node
 * names it from its parent; the root is its own parent, named ".". */
static int walk_dir_node(struct walk *w, struct layer_node *n)
{
	if (w->len == 0) {
		/* the root reads as the workdir (the upper's root is ours) */
		struct layer_ent e = {.where = LAYER_UPPER, .in_lower = true, .low_dir = true};
		if (fstat(w->low, &e.st) < 0)
			return -errno;
		return walk_node(w, ".", &e, n);
	}
	char name[PATH_MAX];
	const char *slash = strrchr(w->path, '/');
	strcpy(name, slash ? slash + 1 : w->path);
	struct layer_ent e;
	int r = walk_up(w);
	if (r == 0 && (r = layer_entry(w->l, w->up, w->low, name, &e)) == 0)
		r = e.where == LAYER_NONE ? -ENOENT : 0;
	return r < 0 ? r : walk_node(w, name, &e, n);
}

/* A symlink met at name (e), with rest the path after it: rest becomes
 * its target followed by that rest. */
static int walk_link(struct walk *w, const char *name, const struct layer_ent *e, char *rest,
		     const char *after)
{
	char target[PATH_MAX], joined[PATH_MAX];
	if (++w->links > LAYER_MAX_LINKS)
		return -ELOOP;
	int holder = e->where == LAYER_UPPER ? w->up : w->low;
	ssize_t t = readlinkat(holder, name, target, sizeof(target));
	if (t < 0)
		return -errno;
	if (t == 0)
		return -ENOENT;
	if ((size_t)t >= sizeof(target))
		return -ENAMETOOLONG;
	target[t] = 0;
	int len = snprintf(joined, sizeof(joined), "%s%s", target, after);
	if (len < 0 || (size_t)len >= sizeof(joined))
		return -ENAMETOOLONG;
	memcpy(rest, joined, (size_t)len + 1);
	return 0;
}

/* One component c of the walk, with after the rest of the path (empty
 * when c is the last; starting with '/' otherwise).  0 to go on (rest
 * may have been rewritten: *restart), 1 when n is filled, LAYER_OUTSIDE
 * + 1, or -errno. */
static int walk_step(struct walk *w, const char *c, char *rest, const char *after, int flags,
		     struct layer_node *n, bool *restart)
{
	bool last = after[strspn(after, "/")] == 0, slash = after[0] == '/';
	struct layer_ent e;
	int r;
	if (!strcmp(c, "."))
		return last ? (r = walk_dir_node(w, n)) < 0 ? r : 1 : 0;
	if (!strcmp(c, "..")) {
		if (w->len == 0) {
			r = outside(n, w->l->workdir, "..", after + strspn(after, "/"));
			return r < 0 ? r : r + 1;
		}
		if ((r = walk_up(w)) < 0 || !last)
			return r;
		return (r = walk_dir_node(w, n)) < 0 ? r : 1;
	}
	if (strlen(c) > NAME_MAX)
		return -ENAMETOOLONG;
	/* a directory walked through: the fd its marks were read on */
	int updir = -1;
	if ((r = last ? layer_entry(w->l, w->up, w->low, c, &e)
		      : entry_keep(w->l, w->up, w->low, c, &e, &updir)) < 0)
		return r;
	if (e.where == LAYER_NONE && !last)
		return -ENOENT;
	if (e.where != LAYER_NONE && S_ISLNK(e.st.st_mode) &&
	    (!last || slash || (flags & LAYER_FOLLOW))) {
		*restart = true;
		if ((r = walk_link(w, c, &e, rest, after)) < 0)
			return r;
		return rest[0] == '/' ? (r = walk_absolute(w, rest, n)) != 0 ? r + (r > 0) : 0 : 0;
	}
	if (last) {
		if (slash && e.where != LAYER_NONE && !S_ISDIR(e.st.st_mode))
			return -ENOTDIR;
		return (r = walk_node(w, c, &e, n)) < 0 ? r : 1;
	}
	return walk_enter(w, c, &e, updir);
}

static int walk_path(struct walk *w, char *rest, int flags, struct layer_node *n)
{
	if (rest[0] == '/') {
		int r = walk_absolute(w, rest, n);
		if (r != 0)
			return r;
	}
	for (char *p = rest;;) {
		p += strspn(p, "/");
		if (!*p)
			return walk_dir_node(w, n); /* "", or ending in '/' after "." */
		char c[PATH_MAX];
		size_t cl = strcspn(p, "/");
		memcpy(c, p, cl);
		c[cl] = 0;
		bool restart = false;
		int r = walk_step(w, c, rest, p + cl, flags, n, &restart);
		if (r < 0)
			return r;
		if (r > 0)
			return r - 1;
		p = restart ? rest : p + cl;
	}
}

int layer_lookup(const struct layer *l, const char *path, int flags, struct layer_node *n)
{
	*n = (struct layer_node){.up = -1, .low = -1, .name = ""};
	struct walk *w = malloc(sizeof(*w));
	char *rest = malloc(PATH_MAX);
	int r = !w || !rest		   ? -ENOMEM
		: strlen(path) >= PATH_MAX ? -ENAMETOOLONG
		: !*path		   ? -ENOENT
					   : 0;
	if (r == 0) {
		*w = (struct walk){.l = l, .up = -1, .low = -1};
		strcpy(rest, path);
		if ((r = walk_root(w)) == 0)
			r = walk_path(w, rest, flags, n);
		drop_pair(l, &w->up, &w->low);
	}
	free(w);
	free(rest);
	if (r < 0)
		layer_node_put(n);
	return r;
}

/* ---- copy-up ---------------------------------------------------------------- */

int layer_copy_xattrs(int from, int to)
{
	char a[32], b[32], *list = malloc(XATTR_LIST_MAX), *val = malloc(XATTR_SIZE_MAX);
	ssize_t n = list && val ? listxattr(layer_fd_path(from, a), list, XATTR_LIST_MAX) : -1;
	int r = !list || !val ? -ENOMEM : n < 0 ? (errno == ENOTSUP ? 0 : -errno) : 0;
	for (ssize_t off = 0; r == 0 && off < n; off += (ssize_t)strlen(list + off) + 1) {
		const char *k = list + off;
		if (strncmp(k, "user.", 5) != 0 || !strncmp(k, "user.overlay.", 13))
			continue;
		ssize_t v = getxattr(a, k, val, XATTR_SIZE_MAX);
		if (v < 0)
			r = errno == ENODATA ? 0 : -errno;
		else if (setxattr(layer_fd_path(to, b), k, val, (size_t)v, 0) < 0)
			r = errno == ENOTSUP || errno == ENOSPC || errno == E2BIG ? 0 : -errno;
	}
	free(list);
	free(val);
	return r;
}

int layer_copy_meta(int fd, const struct stat *st)
{
	char p[32];
	/* root keeps the owner; anyone keeps a group of theirs (EPERM: not
	 * theirs, the copy keeps the caller's, as overlayfs's would) */
	uid_t uid = geteuid() == 0 ? st->st_uid : (uid_t)-1;
	if (fchownat(fd, "", uid, st->st_gid, AT_EMPTY_PATH) < 0 &&
	    (uid != (uid_t)-1 || errno != EPERM))
		return -errno;
	if (!S_ISLNK(st->st_mode) && chmod(layer_fd_path(fd, p), st->st_mode & 07777) < 0)
		return -errno;
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (utimensat(fd, "", ts, AT_EMPTY_PATH) < 0 &&
	    (errno != EINVAL || utimensat(AT_FDCWD, layer_fd_path(fd, p), ts, 0) < 0))
		return -errno;
	return 0;
}

/* A regular file's copy, written whole under an unnamed inode (O_TMPFILE)
 * and only then linked as name: the upper never holds half a copy. */
static int copy_file(int ldir, const char *name, int udir, const struct stat *st)
{
	int in = layer_open_one(ldir, name, O_RDONLY | O_NONBLOCK);
	if (in < 0)
		return in;
	struct stat ist;
	char p[32];
	int out = -1, r = fstat(in, &ist) < 0 ? -errno : !S_ISREG(ist.st_mode) ? -EAGAIN : 0;
	if (r == 0 && (out = openat(udir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0)
		r = -errno;
	if (r == 0)
		r = cowfs_copy_data(in, out);
	if (r == 0)
		r = layer_copy_xattrs(in, out);
	if (r == 0)
		r = layer_copy_meta(out, st);
	if (r == 0 && linkat(AT_FDCWD, layer_fd_path(out, p), udir, name, AT_SYMLINK_FOLLOW) < 0)
		r = -errno;
	close_pair(&in, &out);
	return r;
}

static int copy_link(int ldir, const char *name, int udir, const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t t = readlinkat(ldir, name, target, sizeof(target));
	if (t < 0)
		return -errno;
	if ((size_t)t >= sizeof(target))
		return -ENAMETOOLONG;
	target[t] = 0;
	if (symlinkat(target, udir, name) < 0)
		return -errno;
	int fd = layer_open_one(udir, name, O_PATH | O_NOFOLLOW);
	int r = fd < 0 ? fd : layer_copy_meta(fd, st);
	if (fd >= 0)
		close(fd);
	return r;
}

/* A directory (empty: its entries stay in the lower, merged), a FIFO, a
 * socket or (as root) a device. */
static int copy_node(int ldir, const char *name, int udir, const struct stat *st)
{
	int r = S_ISDIR(st->st_mode)
		    ? mkdirat(udir, name, 0700)
		    : mknodat(udir, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev);
	if (r < 0)
		return -errno;
	int from = layer_open_one(ldir, name, O_PATH), to = layer_open_one(udir, name, O_PATH);
	r = from < 0 ? from : to < 0 ? to : layer_copy_xattrs(from, to);
	if (r == 0)
		r = layer_copy_meta(to, st);
	close_pair(&from, &to);
	return r;
}

/* The lower entry name of ldir (st: its lstat) into udir. */
static int copy_entry(int ldir, const char *name, int udir, const struct stat *st)
{
	count_copy(st);
	if (S_ISREG(st->st_mode))
		return copy_file(ldir, name, udir, st);
	if (S_ISLNK(st->st_mode))
		return copy_link(ldir, name, udir, st);
	return copy_node(ldir, name, udir, st);
}

/* The lower entry copied into udir, made owner-writable for it when it is
 * not and given its mode back after: the command may change an entry of
 * a read-only directory (chmod of a file in a 0555 one), whose copy-up
 * overlayfs does with the mounter's overriding credentials; we have only
 * the caller's (uid 0 included: a sandbox's root holds no capability,
 * so no CAP_DAC_OVERRIDE either). */
static int copy_into(int ldir, const char *name, int udir, const struct stat *st)
{
	struct stat ds;
	char p[32];
	bool opened = fstat(udir, &ds) == 0 && (ds.st_mode & 0300) != 0300 &&
		      chmod(layer_fd_path(udir, p), (ds.st_mode & 07777) | 0300) == 0;
	if (S_ISDIR(st->st_mode))
		count_copy(st); /* (copy_entry counts the others) */
	int r = S_ISDIR(st->st_mode) ? copy_node(ldir, name, udir, st)
				     : copy_entry(ldir, name, udir, st);
	if (opened && chmod(p, ds.st_mode & 07777) < 0 && r == 0)
		r = -errno;
	return r;
}

int layer_copy_up_parent(const struct layer *l, struct layer_node *n)
{
	if (n->up >= 0)
		return 0;
	char dirs[PATH_MAX];
	size_t len = (size_t)(n->name - n->path);
	memcpy(dirs, n->path, len);
	dirs[len] = 0;
	int up = l->upper, low = l->lower;
	int r = up < 0 || low < 0 ? -EBADF : 0;
	for (char *s = dirs, *save = NULL, *c; r == 0 && (c = strtok_r(s, "/", &save)); s = NULL) {
		struct layer_ent e;
		if ((r = layer_entry(l, up, low, c, &e)) < 0)
			break;
		if (e.where == LAYER_NONE || !S_ISDIR(e.st.st_mode)) {
			r = e.where == LAYER_NONE ? -ENOENT : -ENOTDIR;
			break;
		}
		if (e.where == LAYER_LOWER && (r = copy_into(low, c, up, &e.st)) == -EEXIST)
			r = 0; /* made meanwhile by another call */
		int nup = r < 0 ? -1 : layer_open_one(up, c, O_PATH | O_DIRECTORY);
		int nlow =
		    nup >= 0 && e.low_dir ? layer_open_one(low, c, O_PATH | O_DIRECTORY) : -1;
		drop_pair(l, &up, &low);
		up = nup;
		low = nlow;
		r = r < 0 ? r : up < 0 ? up : low < -1 ? low : 0;
	}
	int none = -1;
	drop_pair(l, &low, &none);
	if (r < 0) {
		drop_pair(l, &up, &none);
		return r;
	}
	n->up = up;
	n->owner = l;
	return 0;
}

int layer_copy_up(const struct layer *l, struct layer_node *n)
{
	int r = layer_copy_up_parent(l, n);
	if (r < 0 || n->where != LAYER_LOWER)
		return r;
	/* EEXIST: another thread of the supervisor copied it up meanwhile */
	if ((r = copy_into(n->low, n->name, n->up, &n->st)) < 0 && r != -EEXIST)
		return r;
	n->where = LAYER_UPPER;
	return fstatat(n->up, n->name, &n->st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* A tree is made again in two passes: the first makes its directories
 * and copies what the lower holds (it may fail, for space: the old tree
 * is then whole, the new one removed by the caller); the second renames
 * what the upper holds into it and gives the directories their metadata
 * (renames within one filesystem, which fail only on a read-only
 * directory: copied then). */
enum { TREE_COPY, TREE_MOVE };

static int tree_pass(const struct layer *l, int up, int low, int ddir, const char *dname, int pass);

/* One entry of a tree being made again into d. */
static int tree_entry(const struct layer *l, int up, int low, const struct layer_dent *v, int d,
		      int pass)
{
	bool dir = S_ISDIR(v->st.st_mode);
	if (v->where == LAYER_UPPER && !(dir && v->low_dir)) {
		if (pass == TREE_COPY)
			return 0;
		if (renameat(up, v->name, d, v->name) == 0)
			return 0;
		if (errno != EACCES && errno != EPERM)
			return -errno;
		if (!dir) /* a read-only parent */
			return copy_entry(up, v->name, d, &v->st);
	} else if (!dir) {
		return pass == TREE_COPY ? copy_entry(low, v->name, d, &v->st) : 0;
	}
	int cu = v->where == LAYER_UPPER ? layer_open_one(up, v->name, O_PATH) : -1;
	int cl = cu >= -1 && v->low_dir ? layer_open_one(low, v->name, O_PATH) : -1;
	/* a read-only upper directory refused to move: made again whole */
	int p = v->where == LAYER_UPPER && !v->low_dir ? TREE_COPY : pass;
	int r = cu < -1 ? cu : cl < -1 ? cl : tree_pass(l, cu, cl, d, v->name, p);
	if (r == 0 && p != pass)
		r = tree_pass(l, cu, cl, d, v->name, pass);
	close_pair(&cu, &cl);
	return r;
}

static int tree_pass(const struct layer *l, int up, int low, int ddir, const char *dname, int pass)
{
	struct layer_dent *v = NULL;
	size_t n = 0;
	if (pass == TREE_COPY)
		added += 4096; /* the directory's first block */
	int d = -1, r = pass == TREE_COPY && mkdirat(ddir, dname, 0700) < 0 ? -errno : 0;
	if (r == 0 && (d = layer_open_one(ddir, dname, O_PATH | O_DIRECTORY)) < 0)
		r = d;
	if (r == 0)
		r = layer_list(l, up, low, &v, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = tree_entry(l, up, low, &v[i], d, pass);
	layer_list_free(v, n);
	/* the directory's own metadata, from the layer that holds it, once
	 * its entries are in (it may be read-only) */
	struct stat st;
	int src = up >= 0 ? up : low;
	if (r == 0 && pass == TREE_MOVE && fstat(src, &st) < 0)
		r = -errno;
	if (r == 0 && pass == TREE_MOVE && (r = layer_copy_xattrs(src, d)) == 0)
		r = layer_copy_meta(d, &st);
	if (d >= 0)
		close(d);
	return r;
}

int layer_move_tree(const struct layer *l, int up, int low, int ddir, const char *dname)
{
	int r = tree_pass(l, up, low, ddir, dname, TREE_COPY);
	if (r == -EEXIST)
		return r; /* the name: nothing made */
	if (r == 0)
		r = tree_pass(l, up, low, ddir, dname, TREE_MOVE);
	else
		cow_rmtree(ddir, dname); /* the copies only: the old tree is whole */
	return r;
}

/* ---- the upper's marks -------------------------------------------------------- */

/* The work directory's shared whiteout made (again: a fresh one replaces
 * one that has all the links its filesystem allows).  -errno. */
static int shared_whiteout_make(const struct layer *l)
{
	char t[32];
	int r = -EEXIST;
	for (int i = 0; i < 16 && r == -EEXIST; i++) {
		layer_work_name(t);
		r = mknodat(l->work, t, S_IFCHR, makedev(0, 0)) < 0 ? -errno : 0;
	}
	if (r == 0 && renameat(l->work, t, l->work, LAYER_WHITEOUT) < 0) {
		r = -errno;
		unlinkat(l->work, t, 0);
	}
	return r;
}

/* A whiteout at name as a link to the work directory's shared one, as
 * overlayfs does since Linux 5.8: one inode for every whiteout of the
 * branch, where a mknod per name allocated one each (a removal of N
 * lower files, N inodes made, and freed again with the branch).  The
 * work directory is the branch's own (the command never writes there),
 * so the name is always a whiteout of ours.  -errno; the caller makes
 * its own on any failure (no work directory, another filesystem, a link
 * refused). */
static int shared_whiteout(const struct layer *l, int ufd, const char *name)
{
	if (!layer_have_work(l))
		return -EXDEV;
	for (int i = 0; i < 3; i++) {
		if (linkat(l->work, LAYER_WHITEOUT, ufd, name, 0) == 0)
			return 0;
		int e = errno;
		if (e != ENOENT && e != EMLINK)
			return -e;
		int r = shared_whiteout_make(l);
		if (r < 0)
			return r;
	}
	return -EMLINK;
}

int layer_whiteout(const struct layer *l, int ufd, const char *name)
{
	int r = shared_whiteout(l, ufd, name);
	if (r == 0 || r == -EEXIST)
		return r;
	/* a 0/0 character device, which needs no capability since Linux
	 * 5.8; where mknod is refused, overlayfs's other form: an empty
	 * file with an overlay.whiteout xattr (cowfs.c reads both) */
	if (mknodat(ufd, name, S_IFCHR, makedev(0, 0)) == 0)
		return 0;
	if (errno != EPERM)
		return -errno;
	int fd = layer_open_one(ufd, name, O_WRONLY | O_CREAT | O_EXCL);
	if (fd < 0)
		return fd;
	const char *k = l->user_xattr ? "user.overlay.whiteout" : "trusted.overlay.whiteout";
	r = fsetxattr(fd, k, "y", 1, 0) < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		unlinkat(ufd, name, 0);
	return r;
}

int layer_set_opaque(const struct layer *l, int fd)
{
	char p[32];
	const char *k = l->user_xattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
	return setxattr(layer_fd_path(fd, p), k, "y", 1, 0) < 0 ? -errno : 0;
}

int layer_node_dirs(const struct layer_node *n, int *up, int *low)
{
	*up = *low = -1;
	if (n->where == LAYER_NONE)
		return -ENOENT;
	if (!S_ISDIR(n->st.st_mode))
		return -ENOTDIR;
	if (n->where == LAYER_UPPER &&
	    (*up = layer_open_one(n->up, n->name, O_PATH | O_DIRECTORY)) < 0)
		return *up;
	if (n->low_dir && (*low = layer_open_one(n->low, n->name, O_PATH | O_DIRECTORY)) < 0) {
		int r = *low;
		close_pair(up, low);
		return r;
	}
	return 0;
}
