/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsdeny.c - Landlock grants expanded around denied paths (see fsdeny.h).
 *
 * The denied set is a sorted array of inodes:
 *
 *   DENIED    a denied path, or another name the kernel gives the same
 *             inode (a hard link met while expanding, a bind mount).  It
 *             never gets a rule, nor does anything beneath it; what is
 *             above it gets READ_DIR at most.
 *   ANCESTOR  a directory on the way from / to a denied path.  It never
 *             gets a rule of its own: a granted tree containing it is
 *             expanded, its entries get the tree's rule.  It gets
 *             READ_DIR only (`ls` works) and never MAKE_*, REMOVE_* or
 *             REFER: nothing can be created in it, removed from it, or
 *             linked or renamed into or out of it, so a denied path
 *             cannot be moved away, replaced, or created when missing.
 *   ANCESTOR_NOLIST  the same without READ_DIR, because Landlock applies
 *             READ_DIR to every directory beneath, and listing a denied
 *             directory must fail.
 *
 * Why inode identities: Landlock checks an access by walking from the
 * inode the kernel resolved up to the root, looking for rules on each
 * inode it passes.  Whatever name the child uses (symlink, "..",
 * /proc/self/root, a dirfd, a buffer another thread rewrites), the walk
 * from a denied inode meets no rule that grants more than listing.  The decisions
 * here compare (st_dev, st_ino) of what the kernel resolved for us, and
 * each expanded entry is opened once (O_PATH | O_NOFOLLOW) so the rule
 * lands on the very inode that was classified.
 *
 * Another mount of a denied path (bind mounts) is a second way up to the
 * root through different directories: the mounts of the same filesystem
 * in /proc/self/mountinfo are searched for it, and each one found is
 * denied like the path itself (its directories become ancestors too).
 */
#include "fsdeny.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "mounts.h"
#include "util.h"

/* Directory depth of one expansion, and symlinks followed through the
 * missing part of a denied path (the kernel's own limit is 40). */
#define FSDENY_MAX_DEPTH 256
#define FSDENY_MAX_LINKS 40

enum node_kind { NODE_ANCESTOR = 1, NODE_ANCESTOR_NOLIST, NODE_DENIED }; /* the last wins */

struct node {
	dev_t dev;
	ino_t ino;
	uint8_t kind;
	uint64_t expanded; /* the rights this directory was expanded with */
};

struct fsdeny {
	struct node *v;
	size_t n, cap;
	struct mounts mnts; /* /proc/self/mountinfo, while resolving */
	size_t rules;	    /* rules added by all expansions */
	size_t max_rules;   /* FSDENY_MAX_RULES */
};

static int nomem(void)
{
	return sl_errorf(ENOMEM, "fs_deny: out of memory");
}

static int path_error(const char *path, int e)
{
	return sl_errorf(e, "fs_deny: %s: %s", path, strerror(e));
}

/* ---- the set of inodes ---------------------------------------------------------- */

static int node_add(struct fsdeny *d, const struct stat *st, uint8_t kind)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct node *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return nomem();
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = (struct node){.dev = st->st_dev, .ino = st->st_ino, .kind = kind};
	return 0;
}

static int node_cmp(const void *a, const void *b)
{
	const struct node *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/* Sorts the set and merges repeats (the strongest kind wins). */
static void nodes_finish(struct fsdeny *d)
{
	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), node_cmp);
	size_t w = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (w && !node_cmp(&d->v[w - 1], &d->v[i])) {
			if (d->v[i].kind > d->v[w - 1].kind)
				d->v[w - 1].kind = d->v[i].kind;
			continue;
		}
		d->v[w++] = d->v[i];
	}
	d->n = w;
}

static struct node *node_find(const struct fsdeny *d, const struct stat *st)
{
	struct node key = {.dev = st->st_dev, .ino = st->st_ino};
	return d->n ? bsearch(&key, d->v, d->n, sizeof(*d->v), node_cmp) : NULL;
}

/* ---- paths ---------------------------------------------------------------------- */

/* Cuts the last component off a canonical path in place ("/a/b" -> "/a"
 * -> "/"); false at "/". */
static bool path_up(char *p)
{
	char *s = strrchr(p, '/');
	if (!s || (s == p && !p[1]))
		return false;
	if (s == p)
		p[1] = 0;
	else
		*s = 0;
	return true;
}

/* What follows dir in path ("" or "/x/y") when path is dir or beneath it,
 * comparing whole components; NULL otherwise. */
static const char *path_beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path[0] == '/' ? path + !path[1] : NULL;
	if (strncmp(path, dir, n) != 0 || (path[n] && path[n] != '/'))
		return NULL;
	return path + n;
}

/* dir + rest ("" or "/x"), or dir + "/" + name; NULL when out of memory. */
static char *path_join(const char *dir, const char *sep, const char *rest)
{
	char *s;
	if (!strcmp(dir, "/") && (*sep || *rest == '/'))
		dir = "";
	return asprintf(&s, "%s%s%s", dir, sep, rest) < 0 ? NULL : s;
}

/* Records the canonical path canon: canon itself as `last`, and every
 * directory above it up to / as an ancestor. */
static int add_chain(struct fsdeny *d, const char *canon, uint8_t last)
{
	struct stat st;
	if (lstat(canon, &st) < 0)
		return path_error(canon, errno);
	int r = node_add(d, &st, last);
	uint8_t up =
	    last == NODE_DENIED && S_ISDIR(st.st_mode) ? NODE_ANCESTOR_NOLIST : NODE_ANCESTOR;
	char *p = strdup(canon);
	if (!p)
		return nomem();
	while (r == 0 && path_up(p)) {
		if (lstat(p, &st) < 0)
			r = path_error(p, errno);
		else
			r = node_add(d, &st, up);
	}
	free(p);
	return r;
}

/* ---- other mounts of a denied path ------------------------------------------------ */

/*
 * The same inode reached through another mount of its filesystem: a mount
 * whose root is canon or a directory above it shows canon at
 * <its mount point>/<the rest>.  For a denied directory, a mount of a
 * directory beneath it shows denied content at its mount point.  Each
 * candidate is checked against the inode (or the mount) really found
 * there, so overmounted and stale entries are ignored.
 */
static int add_aliases(struct fsdeny *d, const char *canon, uint8_t kind)
{
	struct stat st;
	int id, r;
	if (lstat(canon, &st) < 0)
		return path_error(canon, errno);
	if ((r = mounts_id(canon, false, &id)) < 0)
		return path_error(canon, -r);
	const struct mounts_entry *home = mounts_find(&d->mnts, id);
	const char *rel = home ? path_beneath(canon, home->point) : NULL;
	if (!rel)
		return sl_errorf(ENOENT, "fs_deny: %s: its mount is not in /proc/self/mountinfo",
				 canon);
	char *fspath = path_join(home->root, "", rel);
	if (!fspath)
		return nomem();
	r = 0;
	for (size_t i = 0; i < d->mnts.n && r == 0; i++) {
		const struct mounts_entry *m = &d->mnts.v[i];
		if (m == home || m->major != home->major || m->minor != home->minor)
			continue;
		const char *rest = path_beneath(fspath, m->root);
		if (rest) {
			char *alias = path_join(m->point, "", rest);
			struct stat ast;
			if (!alias)
				r = nomem();
			else if (lstat(alias, &ast) == 0 && ast.st_dev == st.st_dev &&
				 ast.st_ino == st.st_ino)
				r = add_chain(d, alias, kind);
			free(alias);
		} else if (kind == NODE_DENIED && S_ISDIR(st.st_mode) &&
			   path_beneath(m->root, fspath)) {
			int seen;
			if (mounts_id(m->point, false, &seen) == 0 && seen == m->id)
				r = add_chain(d, m->point, NODE_DENIED);
		}
	}
	free(fspath);
	return r;
}

/* ---- resolving the denied paths ----------------------------------------------------- */

static int deny_path(struct fsdeny *d, const char *path, int links);

/* Where the dangling symlink `prefix` (a lexical prefix of a denied path)
 * leads, followed by the rest of that path. */
static char *link_target(const char *prefix, const char *rest)
{
	char target[PATH_MAX];
	ssize_t n = readlink(prefix, target, sizeof(target) - 1);
	if (n < 0)
		return NULL;
	target[n] = 0;
	char *s;
	if (target[0] == '/')
		return asprintf(&s, "%s%s", target, rest) < 0 ? NULL : s;
	const char *slash = strrchr(prefix, '/');
	int dlen = slash ? (int)(slash - prefix) : 1;
	const char *dir = slash ? prefix : ".";
	if (slash == prefix)
		dlen = 0; /* "/link": the root */
	return asprintf(&s, "%.*s/%s%s", dlen, dir, target, rest) < 0 ? NULL : s;
}

/*
 * A denied path that does not exist (any more: it existed when the policy
 * was built).  Its deepest existing directory becomes an ancestor: without
 * MAKE_* there, the missing part cannot be created.  A dangling symlink on
 * the way is followed: the path leads where its target would be created.
 * (Like an existing denied path, it is resolved now: a symlink on its way
 * replaced later makes the path name something else.)
 */
static int deny_missing(struct fsdeny *d, const char *path, int links)
{
	char *pre = malloc(strlen(path) + 2);
	if (!pre)
		return nomem();
	strcpy(pre, path);
	int r = 0;
	for (;;) {
		char *s = strrchr(pre, '/');
		if (!s)
			strcpy(pre, ".");
		else if (s == pre)
			pre[1] = 0;
		else
			*s = 0;
		char *canon = realpath(pre, NULL);
		if (canon) {
			struct stat st;
			if (stat(canon, &st) == 0 && !S_ISDIR(st.st_mode))
				path_up(canon); /* a file in the way: its directory */
			r = add_chain(d, canon, NODE_ANCESTOR);
			if (r == 0)
				r = add_aliases(d, canon, NODE_ANCESTOR);
			free(canon);
			break;
		}
		struct stat lst;
		if (lstat(pre, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			/* dangling: the path leads beneath its target */
			char *next = link_target(pre, path + strlen(pre));
			r = next ? deny_path(d, next, links + 1) : path_error(pre, errno);
			free(next);
			break;
		}
		if (!strcmp(pre, "/") || !strcmp(pre, ".")) {
			r = path_error(path, ENOENT); /* not even the root resolves */
			break;
		}
	}
	free(pre);
	return r;
}

static int deny_path(struct fsdeny *d, const char *path, int links)
{
	if (links > FSDENY_MAX_LINKS)
		return path_error(path, ELOOP);
	char *canon = realpath(path, NULL);
	if (!canon) {
		if (errno == ENOENT || errno == ENOTDIR)
			return deny_missing(d, path, links);
		return path_error(path, errno);
	}
	/* Landlock mediates connect(2) to a pathname socket only from ABI 9
	 * (RESOLVE_UNIX), which is not handled yet: say so rather than
	 * pretend. */
	struct stat st;
	int r = stat(canon, &st) < 0 ? path_error(canon, errno) : 0;
	if (r == 0 && S_ISSOCK(st.st_mode))
		r = sl_errorf(ENOTSUP,
			      "fs_deny: %s is a UNIX socket: connecting to it cannot be denied "
			      "(Landlock does not mediate connect(2) here)",
			      path);
	if (r == 0)
		r = add_chain(d, canon, NODE_DENIED);
	if (r == 0)
		r = add_aliases(d, canon, NODE_DENIED);
	free(canon);
	return r;
}

int fsdeny_new(const struct sl_strv *paths, struct fsdeny **out)
{
	*out = NULL;
	if (!paths || !paths->n)
		return 0;
	struct fsdeny *d = calloc(1, sizeof(*d));
	if (!d)
		return nomem();
	d->max_rules = FSDENY_MAX_RULES;
	int r = mounts_read(&d->mnts, "fs_deny");
	for (size_t i = 0; r == 0 && i < paths->n; i++)
		r = deny_path(d, paths->v[i], 0);
	mounts_free(&d->mnts);
	if (r < 0) {
		fsdeny_free(d);
		return r;
	}
	nodes_finish(d);
	*out = d;
	return 0;
}

void fsdeny_set_max_rules(struct fsdeny *d, size_t max_rules)
{
	d->max_rules = max_rules;
}

void fsdeny_free(struct fsdeny *d)
{
	if (!d)
		return;
	mounts_free(&d->mnts);
	free(d->v);
	free(d);
}

/* ---- granted trees ---------------------------------------------------------------------- */

int fsdeny_classify(const struct fsdeny *d, const char *path, const struct stat *st)
{
	const struct node *self = node_find(d, st);
	if (self && self->kind == NODE_DENIED)
		return FSDENY_SKIP;
	/* Deny wins: a tree beneath a denied path gets nothing. */
	char *p = realpath(path, NULL);
	if (!p)
		return path_error(path, errno);
	int r = self ? FSDENY_EXPAND : FSDENY_GRANT;
	while (r != FSDENY_SKIP && path_up(p)) {
		struct stat up;
		const struct node *n;
		if (lstat(p, &up) < 0)
			r = path_error(p, errno);
		else if ((n = node_find(d, &up)) && n->kind == NODE_DENIED)
			r = FSDENY_SKIP;
		if (r < 0)
			break;
	}
	free(p);
	return r;
}

struct walk {
	struct fsdeny *d;
	uint64_t access;
	fsdeny_rule_fn rule;
	void *ctx;
};

static int add_rule(struct walk *w, const char *path, int fd, const struct stat *st,
		    uint64_t access)
{
	if (++w->d->rules > w->d->max_rules)
		return sl_errorf(E2BIG,
				 "fs_deny: granting what is beside the denied paths needs more "
				 "than %zu Landlock rules (at %s); grant narrower trees",
				 w->d->max_rules, path);
	int r = w->rule(w->ctx, fd, st, access);
	if (r < 0)
		return sl_errorf(-r, "fs_deny: landlock rule for %s: %s", path, strerror(-r));
	return 0;
}

static int expand_dir(struct walk *w, struct node *self, const char *path, int fd,
		      const struct stat *st, int depth);

/* One entry of an expanded directory: denied (nothing), on the way to a
 * denied path (expanded), or anything else (the tree's rule). */
static int expand_entry(struct walk *w, const char *dir, int dfd, const char *name, int depth)
{
	char *path = path_join(dir, "/", name);
	if (!path)
		return nomem();
	/* The inode classified is the inode that gets the rule, whatever
	 * replaces the name meanwhile; a symlink is not followed. */
	int r = 0, fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (errno != ENOENT) /* gone since readdir: nothing to grant */
			r = path_error(path, errno);
	} else if (fstat(fd, &st) < 0) {
		r = path_error(path, errno);
	} else if (!S_ISLNK(st.st_mode)) {
		/* (Landlock checks where a symlink leads, never the link: a
		 * target inside the tree gets its rule where it really is.) */
		struct node *n = node_find(w->d, &st);
		if (!n)
			r = add_rule(w, path, fd, &st, w->access);
		else if (n->kind != NODE_DENIED)
			r = expand_dir(w, n, path, fd, &st, depth + 1);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return r;
}

static int expand_dir(struct walk *w, struct node *self, const char *path, int fd,
		      const struct stat *st, int depth)
{
	/* Once per directory and rights: the same directory may sit under
	 * two granted trees, or under itself through a bind mount. */
	if ((self->expanded & w->access) == w->access)
		return 0;
	self->expanded |= w->access;
	if (depth > FSDENY_MAX_DEPTH)
		return path_error(path, ELOOP);
	int r = 0;
	if (self->kind == NODE_ANCESTOR && (w->access & LANDLOCK_ACCESS_FS_READ_DIR))
		r = add_rule(w, path, fd, st, LANDLOCK_ACCESS_FS_READ_DIR);
	if (r < 0)
		return r;
	int lfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = lfd < 0 ? NULL : fdopendir(lfd);
	if (!dir) {
		int e = errno;
		if (lfd >= 0)
			close(lfd);
		return sl_errorf(
		    e, "fs_deny: cannot list %s to grant what is beside a denied path: %s", path,
		    strerror(e));
	}
	struct dirent *e;
	/* (A symlink gets no rule: skipping it unopened saves three syscalls;
	 * if the name changes meanwhile, its new inode only goes ungranted.) */
	while (r == 0 && (errno = 0, e = readdir(dir)))
		if (e->d_type != DT_LNK && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			r = expand_entry(w, path, dirfd(dir), e->d_name, depth);
	if (r == 0 && errno)
		r = path_error(path, errno);
	closedir(dir);
	return r;
}

int fsdeny_expand(struct fsdeny *d, const char *path, int fd, uint64_t access, fsdeny_rule_fn rule,
		  void *ctx)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return path_error(path, errno);
	struct node *self = node_find(d, &st);
	if (!self || self->kind == NODE_DENIED)
		return sl_errorf(EINVAL, "fs_deny: %s: not on the way to a denied path", path);
	struct walk w = {.d = d, .access = access, .rule = rule, .ctx = ctx};
	return expand_dir(&w, self, path, fd, &st, 0);
}
