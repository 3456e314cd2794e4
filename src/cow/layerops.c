/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layerops.c - the path operations of the merged view (layer.h).
 *
 * Each looks its names up, judges the call as the kernel would on the
 * merged object (type, existence, permission: faccessat(AT_EACCESS) on
 * the entry in the layer that holds it, before a copy-up makes it the
 * caller's), copies up what it changes, and changes only the upper.
 * Every change names one component in a directory fd of ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cow.h"
#include "layerint.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_WHITEOUT
#define RENAME_WHITEOUT (1 << 2)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
/* The flags open(2) knows (O_TMPFILE holds O_DIRECTORY). */
#define OPEN_FLAGS                                                                                 \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |     \
	 O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |     \
	 O_SYNC | O_PATH | O_TMPFILE)

#ifndef XATTR_LIST_MAX
#define XATTR_LIST_MAX 65536
#endif

/* ---- shared judgements ------------------------------------------------------ */

static bool is_root(const struct layer_node *n)
{
	return !strcmp(n->path, ".");
}

/* The holder's fd of n's parent (where n itself is looked at). */
static int holder(const struct layer_node *n)
{
	return n->where == LAYER_LOWER ? n->low : n->up;
}

/* The caller's access to n where it is (mode: R_OK, W_OK...). */
static int may(const struct layer_node *n, int mode)
{
	if (faccessat(holder(n), n->name, mode, AT_EACCESS | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/* The caller's right to add or remove a name in n's parent: write and
 * search on the merged parent where it is (the upper's when it has one). */
static int may_change_parent(const struct layer_node *n)
{
	int fd = n->up >= 0 ? n->up : n->low;
	return faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) < 0 ? -errno : 0;
}

/* The right to remove n from its parent: write and search there, and in
 * a sticky directory (/tmp's mode) the file's or the directory's owner. */
static int may_remove(const struct layer_node *n)
{
	int fd = n->up >= 0 ? n->up : n->low, r = may_change_parent(n);
	struct stat ds;
	uid_t me = geteuid();
	if (r < 0 || me == 0 || n->where == LAYER_NONE)
		return r;
	if (fstat(fd, &ds) < 0)
		return -errno;
	return !(ds.st_mode & S_ISVTX) || ds.st_uid == me || n->st.st_uid == me ? 0 : -EPERM;
}

/* The kernel's answer to a path whose last component is "." or ".."
 * (dot: 1, dotdot: 2, else 0): rmdir and rename refuse to remove them. */
static int last_dot(const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t cl = len - start;
	if (cl == 1 && path[start] == '.')
		return 1;
	return cl == 2 && path[start] == '.' && path[start + 1] == '.' ? 2 : 0;
}

/* The owner's rights (chmod, times set to a value): the owner or root. */
static int may_own(const struct layer_node *n)
{
	uid_t me = geteuid();
	return me == 0 || me == n->st.st_uid ? 0 : -EPERM;
}

/* A name that does not exist made creatable in the upper: permission,
 * its parent copied up (layer_place then makes the entry, over a
 * whiteout if the upper holds one). */
static int prepare_create(const struct layer *l, struct layer_node *n)
{
	if (n->where != LAYER_NONE)
		return -EEXIST;
	/* the commit's staging name, reserved in the workdir's top */
	if (!strcmp(n->path, COW_STAGING))
		return -EPERM;
	int r = may_change_parent(n);
	return r < 0 ? r : layer_copy_up_parent(l, n);
}

/* n's upper entry removed and, where the lower shows the name, a
 * whiteout put there. */
static int remove_name(const struct layer *l, struct layer_node *n)
{
	int r = layer_copy_up_parent(l, n);
	return r < 0 ? r : layer_discard(l, n);
}

/* Whether the merged directory n holds no name. 1, 0 or -errno. */
static int merged_empty(const struct layer *l, const struct layer_node *n)
{
	int up, low, r = layer_node_dirs(n, &up, &low);
	struct layer_dent *v = NULL;
	size_t nv = 0;
	if (r == 0)
		r = layer_list(l, up, low, &v, &nv);
	layer_list_free(v, nv);
	if (up >= 0)
		close(up);
	if (low >= 0)
		close(low);
	return r < 0 ? r : nv == 0;
}

/* Looks path up; an outside answer is an error here (EXDEV: the caller
 * resolves paths that leave the workdir before calling). */
static int lookup(const struct layer *l, const char *path, int flags, struct layer_node *n)
{
	int r = layer_lookup(l, path, flags, n);
	if (r == LAYER_OUTSIDE) {
		layer_node_put(n);
		return -EXDEV;
	}
	return r;
}

/* An O_PATH fd of n's upper entry (after its copy-up). */
static int upper_fd(const struct layer_node *n)
{
	return layer_open_one(n->up, n->name, O_PATH | O_NOFOLLOW);
}

/* ---- read-only ---------------------------------------------------------------- */

int layer_stat(const struct layer *l, const char *path, int flags, struct stat *st)
{
	struct layer_node n;
	int r = lookup(l, path, flags, &n);
	if (r == 0 && n.where == LAYER_NONE)
		r = -ENOENT;
	if (r == 0)
		*st = n.st;
	layer_node_put(&n);
	return r;
}

ssize_t layer_readlink(const struct layer *l, const char *path, char *buf, size_t len)
{
	struct layer_node n;
	ssize_t r = lookup(l, path, 0, &n);
	if (r == 0)
		r = n.where == LAYER_NONE ? -ENOENT : !S_ISLNK(n.st.st_mode) ? -EINVAL : 0;
	if (r == 0 && (r = readlinkat(holder(&n), n.name, buf, len)) < 0)
		r = -errno;
	layer_node_put(&n);
	return r;
}

int layer_access(const struct layer *l, const char *path, int mode, int flags)
{
	struct layer_node n;
	int r = lookup(l, path, flags, &n);
	if (r == 0 && n.where == LAYER_NONE)
		r = -ENOENT;
	/* the merged object's bits where it is, as overlayfs answers from
	 * its inode's (the lower's until a copy-up) */
	if (r == 0 && mode != F_OK)
		r = may(&n, mode);
	layer_node_put(&n);
	return r;
}

/* ---- open ----------------------------------------------------------------------- */

/* The access a write open needs on the existing file. */
static int open_access(int flags)
{
	int acc = flags & O_ACCMODE;
	return acc == O_RDWR	   ? R_OK | W_OK
	       : acc == O_WRONLY   ? W_OK
	       : (flags & O_TRUNC) ? W_OK
				   : R_OK;
}

/* An existing object opened in its holder, a FIFO without blocking the
 * supervisor (O_NONBLOCK dropped again once open; a writer with no reader
 * is answered ENXIO). */
static int open_in(const struct layer_node *n, int dir, int flags)
{
	bool fifo = S_ISFIFO(n->st.st_mode) && !(flags & O_NONBLOCK);
	int fd = layer_open_one(dir, n->name, flags | (fifo ? O_NONBLOCK : 0));
	if (fd >= 0 && fifo && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK & ~O_ACCMODE) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int open_tmpfile(const struct layer *l, struct layer_node *n, int flags, mode_t mode)
{
	int r = n->where == LAYER_NONE ? -ENOENT : !S_ISDIR(n->st.st_mode) ? -ENOTDIR : 0;
	if (r == 0 && faccessat(holder(n), n->name, W_OK | X_OK, AT_EACCESS) < 0)
		r = -errno;
	if (r == 0)
		r = layer_copy_up(l, n);
	int d = r < 0 ? r : layer_open_one(n->up, n->name, O_PATH | O_DIRECTORY);
	if (d < 0)
		return d;
	int fd = openat(d, ".", flags | O_CLOEXEC, mode);
	r = fd < 0 ? -errno : fchmod(fd, mode & 07777) < 0 ? -errno : fd;
	if (r < 0 && fd >= 0)
		close(fd);
	close(d);
	return r;
}

struct mk_file {
	int flags;
	mode_t mode;
	int fd;
};

static int mk_file(int dir, const char *name, void *arg)
{
	struct mk_file *m = arg;
	int fd = layer_create_one(dir, name, m->flags, m->mode);
	if (fd < 0)
		return fd;
	/* exactly the mode asked for (the caller applied the command's
	 * umask), not ours */
	if (fchmod(fd, m->mode & 07777) < 0) {
		int r = -errno;
		close(fd);
		unlinkat(dir, name, 0);
		return r;
	}
	m->fd = fd;
	return 0;
}

static int open_create(const struct layer *l, struct layer_node *n, int flags, mode_t mode)
{
	struct mk_file m = {flags, mode, -1};
	int r = prepare_create(l, n);
	if (r == 0)
		r = layer_place(l, n, mk_file, &m);
	if (r < 0 && m.fd >= 0)
		close(m.fd);
	return r < 0 ? r : m.fd;
}

static int open_once(const struct layer *l, const char *path, int flags, mode_t mode, bool *made)
{
	bool tmpfile = (flags & O_TMPFILE) == O_TMPFILE, creat = !tmpfile && (flags & O_CREAT);
	bool excl = creat && (flags & O_EXCL);
	if (flags & O_PATH)
		tmpfile = creat = excl = false;
	/* openat2 refuses what openat ignores: unknown bits, and with O_PATH
	 * anything but O_DIRECTORY and O_NOFOLLOW */
	flags &= OPEN_FLAGS;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW;
	bool write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	/* O_CREAT | O_EXCL never follows a final symlink, as the kernel */
	int lf = (flags & O_NOFOLLOW) || excl ? 0 : LAYER_FOLLOW;
	struct layer_node n;
	int r = lookup(l, path, lf, &n);
	if (r != 0)
		return r;
	if (tmpfile)
		r = open_tmpfile(l, &n, flags, mode);
	else if (n.where == LAYER_NONE && creat && path[strlen(path) - 1] == '/')
		r = -EISDIR; /* a file is never made by a name ending in '/' */
	else if (n.where == LAYER_NONE && creat)
		*made = (r = open_create(l, &n, flags & ~O_EXCL, mode)) >= 0;
	else if (n.where == LAYER_NONE)
		r = -ENOENT;
	else if (excl)
		r = -EEXIST;
	else if (S_ISLNK(n.st.st_mode) && !(flags & O_PATH))
		r = -ELOOP;
	else if (S_ISDIR(n.st.st_mode) && (creat || (flags & O_ACCMODE) != O_RDONLY))
		r = -EISDIR;
	else if (!write || !S_ISREG(n.st.st_mode))
		/* a directory, a FIFO, a socket or a device: writing through
		 * it changes no file, so nothing is copied up (overlayfs
		 * neither) */
		r = open_in(&n, holder(&n), flags & ~(O_CREAT | O_EXCL));
	else if ((r = may(&n, open_access(flags))) == 0 && (r = layer_copy_up(l, &n)) == 0)
		r = open_in(&n, n.up, flags & ~(O_CREAT | O_EXCL));
	layer_node_put(&n);
	return r;
}

int layer_open_made(const struct layer *l, const char *path, int flags, mode_t mode, bool *made)
{
	*made = false;
	int r = open_once(l, path, flags, mode, made);
	/* O_CREAT without O_EXCL met a name another thread made after the
	 * lookup: it is opened, as the kernel would */
	for (int i = 0; i < 3 && r == -EEXIST && (flags & O_CREAT) && !(flags & O_EXCL); i++)
		r = open_once(l, path, flags, mode, made);
	return r;
}

int layer_open(const struct layer *l, const char *path, int flags, mode_t mode)
{
	bool made;
	return layer_open_made(l, path, flags, mode, &made);
}

/* ---- names ------------------------------------------------------------------------- */

int layer_unlink(const struct layer *l, const char *path)
{
	struct layer_node n;
	int r = lookup(l, path, 0, &n);
	if (r == 0)
		r = n.where == LAYER_NONE ? -ENOENT : S_ISDIR(n.st.st_mode) ? -EISDIR : 0;
	if (r == 0 && (r = may_remove(&n)) == 0)
		r = remove_name(l, &n);
	layer_node_put(&n);
	return r;
}

int layer_rmdir(const struct layer *l, const char *path)
{
	int dot = last_dot(path);
	if (dot)
		return dot == 1 ? -EINVAL : -ENOTEMPTY;
	struct layer_node n;
	int r = lookup(l, path, 0, &n);
	if (r == 0)
		r = n.where == LAYER_NONE    ? -ENOENT
		    : !S_ISDIR(n.st.st_mode) ? -ENOTDIR
		    : is_root(&n)	     ? -EBUSY
					     : 0;
	if (r == 0 && (r = merged_empty(l, &n)) >= 0)
		r = r ? 0 : -ENOTEMPTY;
	if (r == 0 && (r = may_remove(&n)) == 0)
		r = remove_name(l, &n);
	layer_node_put(&n);
	return r;
}

/* What the make callback of mkdir, mknod and symlink is given. */
struct mk_node {
	mode_t mode;
	const char *target; /* a symlink's */
	bool opaque;	    /* a directory over a whiteout: the lower's stays hidden */
	const struct layer *l;
};

static int mk_node(int dir, const char *name, void *arg)
{
	const struct mk_node *m = arg;
	int r;
	if (m->target)
		return symlinkat(m->target, dir, name) < 0 ? -errno : 0;
	if (S_ISDIR(m->mode))
		r = mkdirat(dir, name, 0700);
	else
		r = mknodat(dir, name, (m->mode & S_IFMT) | 0600, 0);
	if (r < 0)
		return -errno;
	char p[32];
	int fd = layer_open_one(dir, name, O_PATH | O_NOFOLLOW);
	r = fd < 0 ? fd : m->opaque ? layer_set_opaque(m->l, fd) : 0;
	if (r == 0 && chmod(layer_fd_path(fd, p), m->mode & 07777) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	return r;
}

static int make_node(const struct layer *l, const char *path, mode_t mode, const char *target)
{
	struct layer_node n;
	int r = lookup(l, path, 0, &n);
	struct mk_node m = {mode, target, S_ISDIR(mode) && n.whiteout, l};
	if (r == 0 && (r = prepare_create(l, &n)) == 0)
		r = layer_place(l, &n, mk_node, &m);
	layer_node_put(&n);
	return r;
}

int layer_mkdir(const struct layer *l, const char *path, mode_t mode)
{
	return make_node(l, path, S_IFDIR | (mode & 07777), NULL);
}

int layer_symlink(const struct layer *l, const char *target, const char *path)
{
	return !*target ? -ENOENT : make_node(l, path, 0, target);
}

int layer_mknod(const struct layer *l, const char *path, mode_t mode)
{
	mode_t t = mode & S_IFMT;
	if (t == 0)
		mode |= S_IFREG;
	else if (t != S_IFREG && t != S_IFIFO && t != S_IFSOCK)
		return t == S_IFCHR || t == S_IFBLK ? -EPERM : -EINVAL;
	return make_node(l, path, mode, NULL);
}

static int mk_link(int dir, const char *name, void *arg)
{
	const struct layer_node *a = arg;
	return linkat(a->up, a->name, dir, name, 0) < 0 ? -errno : 0;
}

int layer_link(const struct layer *l, const char *from, const char *to, int flags)
{
	struct layer_node a, b = {.up = -1, .low = -1};
	int r = lookup(l, from, flags & LAYER_FOLLOW, &a);
	if (r == 0)
		r = a.where == LAYER_NONE ? -ENOENT : S_ISDIR(a.st.st_mode) ? -EPERM : 0;
	/* protected_hardlinks: a file of another's needs read and write */
	if (r == 0 && a.st.st_uid != geteuid() && geteuid() != 0)
		r = may(&a, R_OK | W_OK) < 0 ? -EPERM : 0;
	if (r == 0 && (r = lookup(l, to, 0, &b)) == 0 && (r = prepare_create(l, &b)) == 0 &&
	    (r = layer_copy_up(l, &a)) == 0)
		r = layer_place(l, &b, mk_link, &a);
	layer_node_put(&a);
	layer_node_put(&b);
	return r;
}

static bool overlay_mark(const char *k);

/* The overlay.* names an unnamed file may carry: the command sets
 * xattrs on its O_TMPFILE's fd through the kernel (the file has no name
 * the layer could take the call by), and a mark on it (an empty file
 * with overlay.whiteout reads as a whiteout) would change what the
 * change list and the commit see once it is linked in.  Removed before
 * the link; a name list that cannot be read refuses the link. */
static int unmark(const char *path)
{
	char list[4096];
	ssize_t n = listxattr(path, list, sizeof(list));
	if (n < 0)
		return errno == ENOTSUP ? 0 : -errno;
	for (ssize_t off = 0; off < n; off += (ssize_t)strlen(list + off) + 1)
		if (overlay_mark(list + off) && removexattr(path, list + off) < 0 &&
		    errno != ENODATA)
			return -errno;
	return 0;
}

/* The fd is named by its /proc/self/fd link, as the link takes it: the
 * caller may run on a thread whose file table is not the fd's. */
static int mk_link_fd(int dir, const char *name, void *arg)
{
	char p[32];
	int r = unmark(layer_fd_path(*(int *)arg, p));
	if (r < 0)
		return r;
	return linkat(AT_FDCWD, layer_fd_path(*(int *)arg, p), dir, name, AT_SYMLINK_FOLLOW) < 0
		   ? -errno
		   : 0;
}

int layer_link_fd(const struct layer *l, int fd, const char *to)
{
	struct layer_node b;
	int r = lookup(l, to, 0, &b);
	if (r == 0 && (r = prepare_create(l, &b)) == 0)
		r = layer_place(l, &b, mk_link_fd, &fd);
	layer_node_put(&b);
	return r;
}

int layer_materialize(const struct layer *l, const char *path)
{
	struct layer_node n;
	int r = lookup(l, path, LAYER_FOLLOW, &n);
	if (r == 0 && n.where == LAYER_NONE)
		r = -ENOENT;
	if (r == 0 && n.where == LAYER_LOWER && (r = layer_copy_up_parent(l, &n)) == 0)
		r = layer_copy_up(l, &n);
	layer_node_put(&n);
	return r;
}

/* ---- rename --------------------------------------------------------------------- */

static bool beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strcmp(dir, ".") || (!strncmp(path, dir, n) && path[n] == '/');
}

/* What the kernel refuses before anything moves. */
static int rename_check(const struct layer *l, const struct layer_node *a,
			const struct layer_node *b, unsigned flags)
{
	if (a->where == LAYER_NONE)
		return -ENOENT;
	if (is_root(a) || is_root(b))
		return -EBUSY;
	if (beneath(b->path, a->path))
		return -EINVAL; /* a directory into itself */
	if (b->where == LAYER_NONE)
		return 0;
	if (flags & RENAME_NOREPLACE)
		return -EEXIST;
	if (S_ISDIR(a->st.st_mode) != S_ISDIR(b->st.st_mode))
		return S_ISDIR(a->st.st_mode) ? -ENOTDIR : -EISDIR;
	if (beneath(a->path, b->path))
		return -ENOTEMPTY;
	int r = S_ISDIR(b->st.st_mode) ? merged_empty(l, b) : 1;
	return r < 0 ? r : r ? 0 : -ENOTEMPTY;
}

/* A directory with a lower part moved without a work directory: made
 * again at b's name (whose old upper part goes first), in place. */
static int rename_dir_in_place(const struct layer *l, struct layer_node *a, struct layer_node *b,
			       bool hide)
{
	int up = -1, low = -1;
	int r = b->where == LAYER_UPPER || b->whiteout ? cow_rmtree(b->up, b->name) : 0;
	if (r == 0 && (r = layer_node_dirs(a, &up, &low)) == 0)
		r = layer_move_tree(l, up, low, b->up, b->name);
	if (up >= 0)
		close(up);
	if (low >= 0)
		close(low);
	int d = r == 0 && hide ? layer_open_one(b->up, b->name, O_PATH | O_DIRECTORY) : -1;
	if (r == 0 && hide)
		r = d < 0 ? d : layer_set_opaque(l, d);
	if (d >= 0)
		close(d);
	return r;
}

/* A directory moved.  Held by the upper alone, it is renamed; with a
 * lower part, its merged tree is made again (upper entries moved, lower
 * ones copied), in the work directory when there is one.  Either is put
 * at b's name in one rename (layer_install; opaque first when the lower
 * holds that name), then a's name is discarded (whited out). */
static int rename_dir(const struct layer *l, struct layer_node *a, struct layer_node *b)
{
	bool hide = b->in_lower || b->whiteout, whole = a->where == LAYER_UPPER && !a->low_dir;
	char t[32];
	int r;
	if (!whole && !layer_have_work(l)) {
		r = rename_dir_in_place(l, a, b, hide);
		if (r == 0 && a->where == LAYER_UPPER)
			r = cow_rmtree(a->up, a->name);
		a->where = LAYER_NONE; /* its upper part gone: a whiteout left to make */
		return r < 0 ? r : layer_discard(l, a);
	}
	int dir = whole ? a->up : l->work;
	const char *name = whole ? a->name : t;
	r = whole ? 0 : layer_work_tree(l, a, t);
	int d = r == 0 && hide ? layer_open_one(dir, name, O_PATH | O_DIRECTORY) : -1;
	if (r == 0 && hide)
		r = d < 0 ? d : layer_set_opaque(l, d);
	if (d >= 0)
		close(d);
	if (r == 0)
		r = layer_install(l, dir, name, b, !whole);
	if (r < 0)
		return r;
	/* whole: a's name now holds what b held (exchanged), or nothing */
	if (whole)
		a->where = r == 1 ? LAYER_UPPER : LAYER_NONE;
	return layer_discard(l, a);
}

/* A file moved: copied up, renamed, and its old name whited out by the
 * same rename (RENAME_WHITEOUT) where the lower shows it. */
static int rename_file(const struct layer *l, struct layer_node *a, struct layer_node *b)
{
	int r = layer_copy_up(l, a);
	if (r < 0)
		return r;
	if (a->in_lower && renameat2(a->up, a->name, b->up, b->name, RENAME_WHITEOUT) == 0)
		return 0;
	if (a->in_lower && errno != EINVAL)
		return -errno;
	if (renameat(a->up, a->name, b->up, b->name) < 0)
		return -errno; /* over an upper file or whiteout: replaced */
	return a->in_lower ? layer_whiteout(l, a->up, a->name) : 0;
}

static int rename_apply(const struct layer *l, struct layer_node *a, struct layer_node *b)
{
	int r = layer_copy_up_parent(l, b);
	if (r == 0)
		r = layer_copy_up_parent(l, a);
	if (r < 0)
		return r;
	return S_ISDIR(a->st.st_mode) ? rename_dir(l, a, b) : rename_file(l, a, b);
}

/* RENAME_EXCHANGE of two names that are not directories: both copied
 * up, then swapped in the upper by one rename (a directory would need its
 * merged tree made again at each name: refused, EINVAL). */
static int exchange(const struct layer *l, const char *from, const char *to)
{
	struct layer_node a, b = {.up = -1, .low = -1};
	int r = lookup(l, from, 0, &a);
	if (r == 0 && (r = lookup(l, to, 0, &b)) == 0)
		r = a.where == LAYER_NONE || b.where == LAYER_NONE ? -ENOENT : 0;
	if (r == 0 && (S_ISDIR(a.st.st_mode) || S_ISDIR(b.st.st_mode)))
		r = -EINVAL;
	if (r == 0 && strcmp(a.path, b.path) != 0 && (r = may_remove(&a)) == 0 &&
	    (r = may_remove(&b)) == 0 && (r = layer_copy_up_parent(l, &a)) == 0 &&
	    (r = layer_copy_up_parent(l, &b)) == 0 && (r = layer_copy_up(l, &a)) == 0 &&
	    (r = layer_copy_up(l, &b)) == 0 &&
	    renameat2(a.up, a.name, b.up, b.name, RENAME_EXCHANGE) < 0)
		r = -errno;
	layer_node_put(&a);
	layer_node_put(&b);
	return r;
}

int layer_rename(const struct layer *l, const char *from, const char *to, unsigned flags)
{
	if (flags == RENAME_EXCHANGE)
		return last_dot(from) || last_dot(to) ? -EBUSY : exchange(l, from, to);
	/* RENAME_WHITEOUT is overlayfs's own, and RENAME_EXCHANGE takes no
	 * other flag: refused */
	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	if (last_dot(from) || last_dot(to))
		return -EBUSY;
	struct layer_node a, b = {.up = -1, .low = -1};
	int r = lookup(l, from, 0, &a);
	if (r == 0 && (r = lookup(l, to, 0, &b)) == 0 && a.where != LAYER_NONE &&
	    !strcmp(a.path, b.path))
		r = flags & RENAME_NOREPLACE ? -EEXIST : 1; /* the same name: nothing to do */
	if (r == 0)
		r = rename_check(l, &a, &b, flags);
	if (r == 0 && b.where != LAYER_NONE && a.where == b.where && a.st.st_ino == b.st.st_ino &&
	    a.st.st_dev == b.st.st_dev)
		r = 1; /* two links of one file: the kernel does nothing */
	if (r == 0 && (r = may_remove(&a)) == 0 && (r = may_remove(&b)) == 0)
		r = rename_apply(l, &a, &b);
	layer_node_put(&a);
	layer_node_put(&b);
	return r > 0 ? 0 : r;
}

/* ---- attributes ---------------------------------------------------------------- */

/* Looks path up for an attribute change judged by check, copies it up,
 * and returns an O_PATH fd of its upper entry in *fd. */
static int attr_begin(const struct layer *l, const char *path, int flags,
		      int (*check)(const struct layer_node *, const void *), const void *arg,
		      struct layer_node *n, int *fd)
{
	*fd = -1;
	int r = lookup(l, path, flags, n);
	if (r == 0 && n->where == LAYER_NONE)
		r = -ENOENT;
	/* the workdir's own attributes: the commit applies what is beneath
	 * it, never its root's, so a change there is refused, not lost */
	if (r == 0 && is_root(n))
		r = -EPERM;
	if (r == 0)
		r = check(n, arg);
	if (r == 0)
		r = layer_copy_up(l, n);
	if (r == 0 && (*fd = upper_fd(n)) < 0)
		r = *fd;
	return r;
}

static int attr_end(struct layer_node *n, int fd, int r)
{
	if (fd >= 0)
		close(fd);
	layer_node_put(n);
	return r;
}

static int chmod_check(const struct layer_node *n, const void *arg)
{
	(void)arg;
	return S_ISLNK(n->st.st_mode) ? -EOPNOTSUPP : may_own(n);
}

int layer_chmod(const struct layer *l, const char *path, mode_t mode, int flags)
{
	struct layer_node n;
	char p[32];
	int fd, r = attr_begin(l, path, flags, chmod_check, NULL, &n, &fd);
	if (r == 0 && chmod(layer_fd_path(fd, p), mode & 07777) < 0)
		r = -errno;
	return attr_end(&n, fd, r);
}

static bool in_groups(gid_t g)
{
	if (g == getegid())
		return true;
	gid_t v[256];
	int n = getgroups((int)(sizeof(v) / sizeof(*v)), v);
	for (int i = 0; i < n; i++)
		if (v[i] == g)
			return true;
	return false;
}

struct ids {
	uid_t uid;
	gid_t gid;
};

/* The kernel's chown rule without CAP_CHOWN: the owner may only give the
 * file a group of theirs. */
static int chown_check(const struct layer_node *n, const void *arg)
{
	const struct ids *id = arg;
	if (geteuid() == 0)
		return 0;
	if (n->st.st_uid != geteuid() || (id->uid != (uid_t)-1 && id->uid != n->st.st_uid))
		return -EPERM;
	return id->gid == (gid_t)-1 || id->gid == n->st.st_gid || in_groups(id->gid) ? 0 : -EPERM;
}

int layer_chown(const struct layer *l, const char *path, uid_t uid, gid_t gid, int flags)
{
	struct layer_node n;
	struct ids id = {uid, gid};
	int fd, r = attr_begin(l, path, flags, chown_check, &id, &n, &fd);
	if (r == 0 && fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		r = -errno;
	return attr_end(&n, fd, r);
}

static bool now_only(const struct timespec *t)
{
	return !t || ((t[0].tv_nsec == UTIME_NOW || t[0].tv_nsec == UTIME_OMIT) &&
		      (t[1].tv_nsec == UTIME_NOW || t[1].tv_nsec == UTIME_OMIT));
}

/* Times set to now: the owner, or anyone who may write; set to a value:
 * the owner. */
static int times_check(const struct layer_node *n, const void *arg)
{
	if (may_own(n) == 0)
		return 0;
	return now_only(arg) ? (may(n, W_OK) < 0 ? -EACCES : 0) : -EPERM;
}

int layer_utimens(const struct layer *l, const char *path, const struct timespec times[2],
		  int flags)
{
	struct layer_node n;
	char p[32];
	int fd, r = attr_begin(l, path, flags, times_check, times, &n, &fd);
	if (r == 0 && utimensat(fd, "", times, AT_EMPTY_PATH) < 0 &&
	    (errno != EINVAL || utimensat(AT_FDCWD, layer_fd_path(fd, p), times, 0) < 0))
		r = -errno;
	return attr_end(&n, fd, r);
}

static int truncate_check(const struct layer_node *n, const void *arg)
{
	(void)arg;
	if (S_ISDIR(n->st.st_mode))
		return -EISDIR;
	if (!S_ISREG(n->st.st_mode))
		return -EINVAL;
	return may(n, W_OK);
}

int layer_truncate(const struct layer *l, const char *path, off_t len)
{
	if (len < 0)
		return -EINVAL;
	struct layer_node n;
	int fd, r = attr_begin(l, path, LAYER_FOLLOW, truncate_check, NULL, &n, &fd);
	int w = r == 0 ? layer_open_one(n.up, n.name, O_WRONLY) : -1;
	if (r == 0)
		r = w < 0 ? w : ftruncate(w, len) < 0 ? -errno : 0;
	if (w >= 0)
		close(w);
	return attr_end(&n, fd, r);
}

/* ---- extended attributes ----------------------------------------------------- */

static bool overlay_mark(const char *k)
{
	return !strncmp(k, "user.overlay.", 13) || !strncmp(k, "trusted.overlay.", 16);
}

/* The kernel's rule for user.*: a file or a directory, written by who
 * may write it. */
static int xattr_check(const struct layer_node *n, const void *arg)
{
	(void)arg;
	if (!S_ISREG(n->st.st_mode) && !S_ISDIR(n->st.st_mode))
		return -EPERM;
	return may(n, W_OK);
}

static int xattr_name(const char *name)
{
	if (strncmp(name, "user.", 5) != 0)
		return -EOPNOTSUPP;
	return overlay_mark(name) ? -EPERM : 0;
}

int layer_setxattr(const struct layer *l, const char *path, const char *name, const void *value,
		   size_t size, int flags)
{
	struct layer_node n = {.up = -1, .low = -1};
	char p[32];
	int fd = -1, r = xattr_name(name);
	if (r == 0)
		r = attr_begin(l, path, LAYER_FOLLOW, xattr_check, NULL, &n, &fd);
	if (r == 0 && setxattr(layer_fd_path(fd, p), name, value, size, flags) < 0)
		r = -errno;
	return attr_end(&n, fd, r);
}

int layer_removexattr(const struct layer *l, const char *path, const char *name)
{
	struct layer_node n = {.up = -1, .low = -1};
	char p[32];
	int fd = -1, r = xattr_name(name);
	if (r == 0)
		r = attr_begin(l, path, LAYER_FOLLOW, xattr_check, NULL, &n, &fd);
	if (r == 0 && removexattr(layer_fd_path(fd, p), name) < 0)
		r = -errno;
	return attr_end(&n, fd, r);
}

/* An O_PATH fd of the merged object path where it is. */
static int where_fd(const struct layer *l, const char *path)
{
	struct layer_node n;
	int r = lookup(l, path, LAYER_FOLLOW, &n);
	if (r == 0)
		r = n.where == LAYER_NONE ? -ENOENT : layer_open_one(holder(&n), n.name, O_PATH);
	layer_node_put(&n);
	return r;
}

ssize_t layer_getxattr(const struct layer *l, const char *path, const char *name, void *value,
		       size_t size)
{
	if (overlay_mark(name))
		return -ENODATA; /* ours, never the command's to read */
	char p[32];
	int fd = where_fd(l, path);
	if (fd < 0)
		return fd;
	ssize_t r = getxattr(layer_fd_path(fd, p), name, value, size);
	r = r < 0 ? -errno : r;
	close(fd);
	return r;
}

ssize_t layer_listxattr(const struct layer *l, const char *path, char *list, size_t size)
{
	char p[32], *all = malloc(XATTR_LIST_MAX);
	int fd = all ? where_fd(l, path) : -ENOMEM;
	ssize_t n = fd < 0 ? fd : listxattr(layer_fd_path(fd, p), all, XATTR_LIST_MAX);
	if (fd >= 0 && n < 0)
		n = -errno;
	size_t out = 0;
	for (ssize_t off = 0; n >= 0 && off < n; off += (ssize_t)strlen(all + off) + 1) {
		size_t kl = strlen(all + off) + 1;
		if (overlay_mark(all + off))
			continue;
		if (size && out + kl > size) {
			n = -ERANGE;
			break;
		}
		if (size)
			memcpy(list + out, all + off, kl);
		out += kl;
	}
	if (fd >= 0)
		close(fd);
	free(all);
	return n < 0 ? n : (ssize_t)out;
}
