/* SPDX-License-Identifier: Apache-2.0 */
/* cow.c - a branch's life and its change list (cow.h). */
#include "cow.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cowfs.h"
#include "error.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* Whether path is dir or beneath it (both canonical). */
static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1)
		return true; /* "/" */
	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

/* The quota's mount point (used under max_disk only). */
static int quota_mkdir(const struct cow_branch *b)
{
	char *q;
	if (asprintf(&q, "%s/quota", b->dir) < 0)
		return -ENOMEM;
	int r = mkdir(q, 0700) < 0 ? -errno : 0;
	free(q);
	return r;
}

int cow_create(struct cow_branch *b, const char *workdir, const char *storage, bool user_xattr)
{
	*b = (struct cow_branch){.user_xattr = user_xattr, .quota_fd = -1, .dir_fd = -1};
	char wd[PATH_MAX], st[PATH_MAX];
	struct stat wst;
	if (!realpath(workdir, wd) || stat(wd, &wst) < 0)
		return sl_errorf(errno, "workdir '%s': %s", workdir, strerror(errno));
	b->wd_dev = wst.st_dev;
	b->wd_ino = wst.st_ino;
	if (!storage) {
		storage = getenv("TMPDIR");
		if (!storage || storage[0] != '/')
			storage = "/tmp";
	}
	if (!realpath(storage, st))
		return sl_errorf(errno, "fs_storage '%s': %s", storage, strerror(errno));
	if (path_within(st, wd))
		return sl_errorf(EINVAL,
				 "fs_storage '%s' is inside the workdir '%s' (the staged changes "
				 "would be part of what they change)",
				 st, wd);
	if (path_within(wd, st) && strcmp(wd, st) == 0)
		return sl_errorf(EINVAL, "fs_storage is the workdir");
	if (asprintf(&b->dir, "%s/sandlock-cow-XXXXXX", st) < 0) {
		b->dir = NULL;
		return sl_errorf(ENOMEM, "out of memory");
	}
	if (!mkdtemp(b->dir)) {
		int e = errno;
		free(b->dir);
		b->dir = NULL;
		return sl_errorf(e, "copy-on-write storage in '%s': %s", st, strerror(e));
	}
	int r = 0;
	if (!(b->workdir = strdup(wd)) || asprintf(&b->upper, "%s/upper", b->dir) < 0 ||
	    asprintf(&b->work, "%s/work", b->dir) < 0)
		r = sl_errorf(ENOMEM, "out of memory");
	else if ((b->dir_fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		 mkdir(b->upper, 0755) < 0 || mkdir(b->work, 0700) < 0 || quota_mkdir(b) < 0)
		r = sl_errorf(errno, "copy-on-write storage '%s': %s", b->dir, strerror(errno));
	if (r < 0)
		cow_abort(b);
	return r;
}

/* ---- removal ------------------------------------------------------------ */

/* How deep a removal descends holding an fd per level.  The command
 * makes the upper's trees, thousands of levels deep if it likes: one fd
 * per level ran into RLIMIT_NOFILE (often 1024) halfway, and the branch
 * (or a staging directory, which then stopped every later start) stayed
 * behind.  A directory this deep is moved up to the top of the tree being
 * removed (renameat2 between two fds of ours: no path, no symlink) and
 * removed from there in a later pass. */
#define RM_DEPTH 16

struct rm {
	int top;
	unsigned moved, seq;
};

static int rm_tree(struct rm *m, int dirfd, const char *name, unsigned depth);

static int rm_contents(struct rm *m, int fd, unsigned depth)
{
	int r;
	char **names = cowfs_list(fd, &r);
	for (size_t i = 0; names && names[i]; i++) {
		int e = rm_tree(m, fd, names[i], depth + 1);
		if (e < 0 && r == 0)
			r = e;
		free(names[i]);
	}
	free(names);
	return r;
}

/* Moves the directory name of dirfd to the top as a new name; 1 when
 * moved, 0 when it cannot be (removed in place then), -errno. */
static int rm_move_up(struct rm *m, int dirfd, const char *name)
{
	char tmp[32];
	for (;;) {
		snprintf(tmp, sizeof(tmp), ".sandlock-rm-%u", m->seq++);
		if (renameat2(dirfd, name, m->top, tmp, RENAME_NOREPLACE) == 0) {
			m->moved++;
			return 1;
		}
		if (errno == EINVAL || errno == ENOSYS)
			return 0; /* no RENAME_NOREPLACE here */
		if (errno != EEXIST)
			return -errno;
	}
}

/* The directory name of dirfd (unlinkat said so), opened for its removal
 * and made 0700 first: the command makes read-only directories (0555: Go's
 * module cache), whose entries, and whose own move up, its owner could
 * not remove unprivileged (the abort, the dry run and the end of every
 * commit failed, leaving the branch); overlayfs's work/work is 000. */
static int rm_open(int dirfd, const char *name)
{
	if (fchmodat(dirfd, name, 0700, 0) < 0)
		errno = 0; /* a failure shows at the open, or at an entry's removal */
	return cowfs_opendir(dirfd, name);
}

static int rm_tree(struct rm *m, int dirfd, const char *name, unsigned depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	int fd = rm_open(dirfd, name);
	if (fd < 0)
		return fd;
	int r = depth >= RM_DEPTH ? rm_move_up(m, dirfd, name) : 0;
	if (r != 0) {
		close(fd);
		return r < 0 ? r : 0;
	}
	r = rm_contents(m, fd, depth);
	close(fd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

/* Empties the directory fd, however deep its tree. */
static int empty_dir(int fd)
{
	struct rm m = {.top = fd};
	int r = 0;
	do {
		m.moved = 0;
		r = rm_contents(&m, fd, 0);
	} while (r == 0 && m.moved);
	return r;
}

int cow_rmtree(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	int fd = rm_open(dirfd, name);
	if (fd < 0)
		return fd;
	int r = empty_dir(fd);
	close(fd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

/* Removes the branch: its contents through the fd taken when it was made,
 * then its name, only while that name is still this directory. */
static int remove_branch(const struct cow_branch *b)
{
	char *slash = strrchr(b->dir, '/');
	*slash = 0;
	int parent = open(b->dir[0] ? b->dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	*slash = '/';
	if (parent < 0)
		return -errno;
	if (b->dir_fd < 0) { /* cow_create failed before it held it */
		int r = cow_rmtree(parent, slash + 1);
		close(parent);
		return r;
	}
	struct stat mine, named;
	int r = empty_dir(b->dir_fd);
	if (r == 0 && fstat(b->dir_fd, &mine) == 0 &&
	    fstatat(parent, slash + 1, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
	    mine.st_dev == named.st_dev && mine.st_ino == named.st_ino &&
	    unlinkat(parent, slash + 1, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	close(parent);
	return r;
}

int cow_abort(struct cow_branch *b)
{
	int r = 0;
	if (b->dir && (r = remove_branch(b)) < 0)
		sl_errorf(-r, "removing the staged changes '%s': %s", b->dir, strerror(-r));
	cow_release(b);
	return r;
}

void cow_release(struct cow_branch *b)
{
	if (b->quota_fd >= 0)
		close(b->quota_fd);
	if (b->dir_fd >= 0)
		close(b->dir_fd);
	free(b->workdir);
	free(b->dir);
	free(b->upper);
	free(b->work);
	*b = (struct cow_branch){.quota_fd = -1, .dir_fd = -1};
}

int cow_open_upper(const struct cow_branch *b)
{
	int fd = openat(b->quota_fd >= 0 ? b->quota_fd : b->dir_fd, "upper",
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- the change list ---------------------------------------------------- */

struct walk {
	struct cow_changes *out;
	bool user_xattr;
	char path[PATH_MAX];
};

static int add_change(struct walk *w, char kind, size_t len)
{
	struct cow_changes *c = w->out;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct cow_change *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	char *p = strndup(w->path, len);
	if (!p)
		return -ENOMEM;
	c->v[c->n++] = (struct cow_change){kind, p};
	return 0;
}

/* Appends name to w->path (at len); the new length, or -ENAMETOOLONG. */
static int push_name(struct walk *w, size_t len, const char *name)
{
	int n = snprintf(w->path + len, sizeof(w->path) - len, "%s%s", len ? "/" : "", name);
	if (n < 0 || (size_t)n >= sizeof(w->path) - len)
		return -ENAMETOOLONG;
	return (int)(len + (size_t)n);
}

/* Every entry beneath directory fd (name at w->path[0..len]) as kind:
 * a tree added ('A', whiteouts skipped) or deleted ('D'). */
static int whole_tree(struct walk *w, int dirfd, const char *name, size_t len, char kind)
{
	/* 'A': the upper's (the branch's own), 'D': the workdir's, as is */
	mode_t back = (mode_t)-1;
	int fd = kind == 'A' ? cowfs_opendir_own(dirfd, name, &back) : cowfs_opendir(dirfd, name);
	if (fd < 0)
		return fd;
	int r;
	char **names = cowfs_list(fd, &r);
	for (size_t i = 0; names && names[i] && r == 0; i++) {
		struct stat st;
		enum cow_kind k = COW_OTHER;
		int l = push_name(w, len, names[i]);
		if (l < 0) {
			r = l;
			break;
		}
		if (kind == 'A')
			r = cowfs_kind(fd, names[i], w->user_xattr, &st, &k);
		else if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		if (r < 0 || k == COW_WHITEOUT)
			continue;
		if ((r = add_change(w, kind, (size_t)l)) == 0 && S_ISDIR(st.st_mode))
			r = whole_tree(w, fd, names[i], (size_t)l, kind);
	}
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	cowfs_close_own(fd, back);
	return r;
}

static int diff_dir(struct walk *w, int up, int low, size_t len, bool opaque);

/* One upper entry against the lower directory low (-1: none). */
static int diff_entry(struct walk *w, int up, int low, const char *name, size_t len, bool opaque)
{
	struct stat st, lst;
	enum cow_kind k;
	int r = cowfs_kind(up, name, w->user_xattr, &st, &k);
	int in_low = r < 0 || low < 0 ? 0 : cowfs_exists(low, name, &lst);
	if (r < 0 || (r = in_low) < 0)
		return r;
	int l = push_name(w, len, name);
	if (l < 0)
		return l;
	bool low_dir = in_low && S_ISDIR(lst.st_mode);
	if (k == COW_WHITEOUT) {
		if (!in_low)
			return 0;
		r = add_change(w, 'D', (size_t)l);
		return r == 0 && low_dir ? whole_tree(w, low, name, (size_t)l, 'D') : r;
	}
	if (!in_low) {
		r = add_change(w, 'A', (size_t)l);
		return r == 0 && S_ISDIR(st.st_mode) ? whole_tree(w, up, name, (size_t)l, 'A') : r;
	}
	if (!S_ISDIR(st.st_mode) || !low_dir) {
		/* a replacement; a type change from or to a directory */
		if ((r = add_change(w, 'M', (size_t)l)) == 0 && low_dir)
			r = whole_tree(w, low, name, (size_t)l, 'D');
		if (r == 0 && S_ISDIR(st.st_mode))
			r = whole_tree(w, up, name, (size_t)l, 'A');
		return r;
	}
	/* a directory on both sides */
	if ((st.st_mode & 07777) != (lst.st_mode & 07777) &&
	    (r = add_change(w, 'M', (size_t)l)) < 0)
		return r;
	mode_t back;
	int u = cowfs_opendir_own(up, name, &back), lo = cowfs_opendir(low, name);
	r = u < 0 ? u : lo < 0 ? lo : diff_dir(w, u, lo, (size_t)l, opaque || k == COW_OPAQUE);
	if (u >= 0)
		cowfs_close_own(u, back);
	if (lo >= 0)
		close(lo);
	return r;
}

/* The upper directory up against the lower one low.  Opaque (it or a
 * directory above it hides the lower): the lower's entries the upper
 * lacks are deleted too. */
static int diff_dir(struct walk *w, int up, int low, size_t len, bool opaque)
{
	int r;
	char **names = cowfs_list(up, &r);
	for (size_t i = 0; names && names[i] && r == 0; i++)
		r = diff_entry(w, up, low, names[i], len, opaque);
	char **lnames = r == 0 && opaque ? cowfs_list(low, &r) : NULL;
	for (size_t i = 0; lnames && lnames[i] && r == 0; i++) {
		int in_up = cowfs_exists(up, lnames[i], NULL);
		int l = push_name(w, len, lnames[i]);
		struct stat lst;
		if ((r = in_up < 0 ? in_up : l < 0 ? l : 0) < 0 || in_up)
			continue;
		if (fstatat(low, lnames[i], &lst, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			continue;
		}
		if ((r = add_change(w, 'D', (size_t)l)) == 0 && S_ISDIR(lst.st_mode))
			r = whole_tree(w, low, lnames[i], (size_t)l, 'D');
	}
	for (size_t i = 0; lnames && lnames[i]; i++)
		free(lnames[i]);
	free(lnames);
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	return r;
}

static int cmp_change(const void *a, const void *b)
{
	const struct cow_change *x = a, *y = b;
	return strcmp(x->path, y->path);
}

int cow_changes(const struct cow_branch *b, struct cow_changes *out)
{
	*out = (struct cow_changes){0};
	struct walk *w = calloc(1, sizeof(*w));
	if (!w)
		return sl_errorf(ENOMEM, "out of memory");
	w->out = out;
	w->user_xattr = b->user_xattr;
	int up = cow_open_upper(b);
	int low = open(b->workdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r = up < 0						   ? up
		: low < 0					   ? -errno
		: fstat(low, &st) < 0				   ? -errno
		: st.st_dev != b->wd_dev || st.st_ino != b->wd_ino ? -ESTALE
								   : diff_dir(w, up, low, 0, false);
	if (up >= 0)
		close(up);
	if (low >= 0)
		close(low);
	free(w);
	if (r < 0) {
		cow_changes_free(out);
		return sl_errorf(-r, "the change list of '%s': %s", b->workdir, strerror(-r));
	}
	if (out->n > 1) /* no list at all when nothing changed (qsort wants one) */
		qsort(out->v, out->n, sizeof(*out->v), cmp_change);
	return 0;
}

void cow_changes_free(struct cow_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	*c = (struct cow_changes){0};
}
