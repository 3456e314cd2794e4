/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsdeny.c - Landlock grants expanded around restricted inodes (see
 * fsdeny.h).
 *
 * The set is a sorted array of inodes, each with two masks:
 *
 *   limit  the rights the inode and everything beneath it may get.  0 for
 *          a denied path, or another name the kernel gives the same inode
 *          (a hard link met while expanding, a bind mount): it never gets
 *          a rule, nor does anything beneath it.  fsspecial.c lowers it
 *          to reading on a kernel pseudo filesystem's mount and to 0 on
 *          a device node a sandbox started as root may not open.
 *   below  the rights a rule on this directory itself may carry, given
 *          what is beneath it (a rule on a directory covers its subtree).
 *          A directory on the way to a restricted inode ("ancestor") gets
 *          no more: a granted tree asking for more is expanded there, its
 *          entries get the tree's rule.  On the way to a denied file it is
 *          READ_DIR (`ls` works), never MAKE_*, REMOVE_* or REFER: nothing
 *          can be created in it, removed from it, or linked or renamed
 *          into or out of it, so a denied path cannot be moved away,
 *          replaced, or created when missing.  On the way to a denied
 *          directory it is 0, because Landlock applies READ_DIR to every
 *          directory beneath and listing a denied directory must fail.
 *
 * Repeats of an inode merge by intersection: what is left is what every
 * restriction allows.
 *
 * Why inode identities: Landlock checks an access by walking from the
 * inode the kernel resolved up to the root, looking for rules on each
 * inode it passes and adding up their rights.  Whatever name the child
 * uses (symlink, "..", /proc/self/root, a dirfd, a buffer another thread
 * rewrites), the walk from a restricted inode meets no rule that grants
 * more than its limit.  The decisions here compare (st_dev, st_ino) of
 * what the kernel resolved for us, and each expanded entry is opened once
 * (O_PATH | O_NOFOLLOW) so the rule lands on the very inode that was
 * classified.
 *
 * Another mount of a denied path (bind mounts) is a second way up to the
 * root through different directories: the mounts of the same filesystem
 * in the mount table are searched for it, and each one found is denied
 * like the path itself (its directories become ancestors too).
 */
#include "fsdeny.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "error.h"
#include "landlock.h"
#include "mounts.h"
#include "util.h"

/* Directory depth of one expansion, and symlinks followed through the
 * missing part of a denied path (the kernel's own limit is 40). */
#define FSDENY_MAX_DEPTH 256
#define FSDENY_MAX_LINKS 40

#define ALL_RIGHTS (~(uint64_t)0)
#define LS	   ((uint64_t)LANDLOCK_ACCESS_FS_READ_DIR)

struct node {
	dev_t dev;
	ino_t ino;
	uint64_t limit;	   /* rights of the inode and its subtree */
	uint64_t below;	   /* rights of a rule on this directory itself */
	uint64_t expanded; /* the rights this directory was expanded with */
};

struct fsdeny {
	struct node *v;
	size_t n, cap;
	const char *who;	   /* starts the messages of the current call */
	const struct mounts *mnts; /* the mount table, while resolving */
	size_t rules;		   /* rules added by all expansions */
	size_t max_rules;	   /* FSDENY_MAX_RULES */
};

static int nomem(const struct fsdeny *d)
{
	return sl_errorf(ENOMEM, "%s: out of memory", d ? d->who : "fs");
}

static int path_error(const struct fsdeny *d, const char *path, int e)
{
	return sl_errorf(e, "%s: %s: %s", d->who, path, strerror(e));
}

/* ---- the set of inodes ---------------------------------------------------------- */

static int node_add(struct fsdeny *d, const struct stat *st, uint64_t limit, uint64_t below)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct node *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return nomem(d);
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] =
	    (struct node){.dev = st->st_dev, .ino = st->st_ino, .limit = limit, .below = below};
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

/* Sorts the set and merges repeats (their restrictions add up). */
void fsdeny_seal(struct fsdeny *d)
{
	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), node_cmp);
	size_t w = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (w && !node_cmp(&d->v[w - 1], &d->v[i])) {
			d->v[w - 1].limit &= d->v[i].limit;
			d->v[w - 1].below &= d->v[i].below;
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

/* Records the canonical path canon (lstat: not followed) with the masks
 * limit and below, and every directory above it up to / with below
 * lowered to `above`. */
static int add_chain(struct fsdeny *d, const char *canon, uint64_t limit, uint64_t below,
		     uint64_t above)
{
	struct stat st;
	if (lstat(canon, &st) < 0)
		return path_error(d, canon, errno);
	int r = node_add(d, &st, limit, below);
	char *p = strdup(canon);
	if (!p)
		return nomem(d);
	while (r == 0 && path_up(p)) {
		if (lstat(p, &st) < 0)
			r = path_error(d, p, errno);
		else
			r = node_add(d, &st, ALL_RIGHTS, above);
	}
	free(p);
	return r;
}

/* fs_deny's two kinds: a denied path (above it: READ_DIR at most, nothing
 * when it is a directory), and the anchor of a missing one (READ_DIR on
 * it and above it). */
enum { DENIED, ANCHOR };

static int add_denied_chain(struct fsdeny *d, const char *canon, int kind)
{
	struct stat st;
	if (lstat(canon, &st) < 0)
		return path_error(d, canon, errno);
	if (kind == ANCHOR)
		return add_chain(d, canon, ALL_RIGHTS, LS, LS);
	return add_chain(d, canon, 0, ALL_RIGHTS, S_ISDIR(st.st_mode) ? 0 : LS);
}

int fsdeny_restrict(struct fsdeny *d, const char *who, const char *canon, uint64_t limit,
		    uint64_t above)
{
	d->who = who;
	return add_chain(d, canon, limit, ALL_RIGHTS, above);
}

int fsdeny_restrict_inode(struct fsdeny *d, const struct stat *st, uint64_t limit)
{
	return node_add(d, st, limit, ALL_RIGHTS);
}

int fsdeny_restrict_above(struct fsdeny *d, const char *who, const char *canon, uint64_t above)
{
	d->who = who;
	return add_chain(d, canon, ALL_RIGHTS, above, above);
}

/* ---- other mounts of a denied path ------------------------------------------------ */

/*
 * The same inode reached through another mount of its filesystem: a mount
 * whose root is canon or a directory above it shows canon at
 * <its mount point>/<the rest>.  For a denied directory, a mount of a
 * directory beneath it shows denied content at its mount point.  Each
 * candidate is checked against the inode (or the mount) really found
 * there, so overmounted and stale entries are ignored.  fn gets each
 * one found (beneath: the mount point of a directory beneath canon).
 */
/* canon's path inside its filesystem (a new string), from the mount
 * table: -errno (-ENOENT: its mount is not there). */
static int fs_path(const struct mounts *mnts, const char *canon, const struct mounts_entry **home,
		   char **out)
{
	int id, r;
	if ((r = mounts_id(canon, false, &id)) < 0)
		return r;
	*home = mounts_find(mnts, id);
	const char *rel = *home ? path_beneath(canon, (*home)->point) : NULL;
	if (!rel)
		return -ENOENT;
	return (*out = path_join((*home)->root, "", rel)) ? 0 : -ENOMEM;
}

/* The scan itself, given canon's path in its filesystem: fn's first
 * nonzero answer, -ENOMEM, or 0. */
static int scan_aliases(const struct mounts *mnts, const struct mounts_entry *home,
			const char *fspath, const struct stat *st, bool beneath, fsdeny_alias_fn fn,
			void *ctx)
{
	int r = 0;
	for (size_t i = 0; i < mnts->n && r == 0; i++) {
		const struct mounts_entry *m = &mnts->v[i];
		if (m == home || m->major != home->major || m->minor != home->minor)
			continue;
		const char *rest = path_beneath(fspath, m->root);
		if (rest) {
			char *alias = path_join(m->point, "", rest);
			struct stat ast;
			if (!alias)
				r = -ENOMEM;
			else if (lstat(alias, &ast) == 0 && ast.st_dev == st->st_dev &&
				 ast.st_ino == st->st_ino)
				r = fn(ctx, alias);
			free(alias);
		} else if (beneath && S_ISDIR(st->st_mode) && path_beneath(m->root, fspath)) {
			int seen;
			if (mounts_id(m->point, false, &seen) == 0 && seen == m->id)
				r = fn(ctx, m->point);
		}
	}
	return r;
}

/*
 * An overlay mount shows the files of its layers (upperdir, lowerdir,
 * lowerdir+, datadir+: directories of other mounts) under its own mount
 * point, as inodes of its own, and opens the layer's file with the
 * mounter's credentials, not ours: Landlock checks the overlay's path
 * only.  A layer that is canon or a directory above it shows canon at
 * <mount point>/<the rest>; a layer beneath a denied directory shows
 * denied content at the mount point.  The layers are named by the paths
 * given at mount time, resolved here.  fn gets each alias that exists.
 */
struct overlay_scan {
	const struct mounts_entry *m;
	const char *canon;
	bool beneath;
	fsdeny_alias_fn fn;
	void *ctx;
};

static int overlay_alias(void *ctx, const char *layer, bool upper)
{
	(void)upper; /* the overlay shows what both kinds hold */
	const struct overlay_scan *o = ctx;
	char *real = realpath(layer, NULL);
	if (!real)
		return errno == ENOMEM ? -ENOMEM : 0; /* gone: shows nothing we can name */
	const char *rest = path_beneath(o->canon, real);
	char *alias = NULL;
	int r = 0;
	if (rest) {
		/* (a bind mount of part of the overlay: its root is that part,
		 * which may lie beneath a denied directory) */
		const char *in = rest[0] ? rest : "/";
		const char *sub = path_beneath(in, o->m->root);
		bool whole = !sub && o->beneath && path_beneath(o->m->root, in);
		alias = sub ? path_join(o->m->point, "", sub) : whole ? strdup(o->m->point) : NULL;
		r = (sub || whole) && !alias ? -ENOMEM : 0;
	} else if (o->beneath && path_beneath(real, o->canon)) {
		alias = strdup(o->m->point);
		r = alias ? 0 : -ENOMEM;
	}
	struct stat st;
	if (alias && lstat(alias, &st) == 0)
		r = o->fn(o->ctx, alias);
	free(alias);
	free(real);
	return r;
}

static int scan_overlays(const struct mounts *mnts, const char *canon, bool beneath,
			 fsdeny_alias_fn fn, void *ctx)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < mnts->n; i++) {
		struct overlay_scan o = {&mnts->v[i], canon, beneath, fn, ctx};
		r = mounts_overlay_layers(&mnts->v[i], overlay_alias, &o);
	}
	return r;
}

int fsdeny_each_alias(const struct mounts *mnts, const char *canon, fsdeny_alias_fn fn, void *ctx)
{
	struct stat st;
	const struct mounts_entry *home;
	char *fspath;
	if (lstat(canon, &st) < 0)
		return -errno;
	int r = fs_path(mnts, canon, &home, &fspath);
	if (r < 0)
		return r;
	r = scan_aliases(mnts, home, fspath, &st, true, fn, ctx);
	free(fspath);
	if (r == 0)
		r = scan_overlays(mnts, canon, S_ISDIR(st.st_mode), fn, ctx);
	return r;
}

struct alias_add {
	struct fsdeny *d;
	int kind;
};

static int alias_add(void *ctx, const char *alias)
{
	const struct alias_add *a = ctx;
	return add_denied_chain(a->d, alias, a->kind);
}

static int add_aliases(struct fsdeny *d, const char *canon, int kind)
{
	struct stat st;
	const struct mounts_entry *home;
	char *fspath;
	if (lstat(canon, &st) < 0)
		return path_error(d, canon, errno);
	int r = fs_path(d->mnts, canon, &home, &fspath);
	if (r == -ENOENT)
		return sl_errorf(ENOENT, "fs_deny: %s: its mount is not in /proc/self/mountinfo",
				 canon);
	if (r < 0)
		return r == -ENOMEM ? nomem(d) : path_error(d, canon, -r);
	struct alias_add a = {d, kind};
	r = scan_aliases(d->mnts, home, fspath, &st, kind == DENIED, alias_add, &a);
	free(fspath);
	if (r == 0)
		r = scan_overlays(d->mnts, canon, kind == DENIED && S_ISDIR(st.st_mode), alias_add,
				  &a);
	return r == -ENOMEM ? nomem(d) : r;
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
		return nomem(d);
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
			r = add_denied_chain(d, canon, ANCHOR);
			if (r == 0)
				r = add_aliases(d, canon, ANCHOR);
			free(canon);
			break;
		}
		struct stat lst;
		if (lstat(pre, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			/* dangling: the path leads beneath its target */
			char *next = link_target(pre, path + strlen(pre));
			r = next ? deny_path(d, next, links + 1) : path_error(d, pre, errno);
			free(next);
			break;
		}
		if (!strcmp(pre, "/") || !strcmp(pre, ".")) {
			r = path_error(d, path, ENOENT); /* not even the root resolves */
			break;
		}
	}
	free(pre);
	return r;
}

/* A process's /proc entry is refused: resolved now, "/proc/self/environ"
 * names the planning process's own (sandlock's), never the sandbox's,
 * whose processes do not exist yet (and the proc view shows the sandbox
 * no other process's). */
static int process_entry(const char *path, const char *canon)
{
	struct statfs sf;
	if (strncmp(canon, "/proc/", 6) != 0)
		return 0;
	size_t digits = strspn(canon + 6, "0123456789");
	if (!digits || (canon[6 + digits] != '/' && canon[6 + digits] != 0) ||
	    statfs(canon, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return 0;
	return sl_errorf(EINVAL,
			 "fs_deny %s: it names the /proc entry of process %.*s as sandlock starts "
			 "(%s), not one of the sandbox's, which do not exist yet; the sandbox "
			 "sees no other process's entries",
			 path, (int)digits, canon + 6, canon);
}

static int deny_path(struct fsdeny *d, const char *path, int links)
{
	if (links > FSDENY_MAX_LINKS)
		return path_error(d, path, ELOOP);
	char *canon = realpath(path, NULL);
	if (!canon) {
		if (errno == ENOENT || errno == ENOTDIR)
			return deny_missing(d, path, links);
		return path_error(d, path, errno);
	}
	/* Landlock mediates connect(2) to a pathname socket only from ABI 9
	 * (RESOLVE_UNIX), which is not handled yet: say so rather than
	 * pretend. */
	struct stat st;
	int r = stat(canon, &st) < 0 ? path_error(d, canon, errno) : 0;
	if (r == 0 && S_ISSOCK(st.st_mode))
		r = sl_errorf(ENOTSUP,
			      "fs_deny: %s is a UNIX socket: connecting to it cannot be denied "
			      "(Landlock does not mediate connect(2) here)",
			      path);
	if (r == 0)
		r = process_entry(path, canon);
	if (r == 0)
		r = add_denied_chain(d, canon, DENIED);
	if (r == 0)
		r = add_aliases(d, canon, DENIED);
	free(canon);
	return r;
}

int fsdeny_create(struct fsdeny **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return nomem(NULL);
	(*out)->max_rules = FSDENY_MAX_RULES;
	(*out)->who = "fs";
	return 0;
}

int fsdeny_add_denied(struct fsdeny *d, const struct sl_strv *paths, const struct mounts *mnts)
{
	d->who = "fs_deny";
	d->mnts = mnts;
	int r = 0;
	for (size_t i = 0; r == 0 && paths && i < paths->n; i++)
		r = deny_path(d, paths->v[i], 0);
	d->mnts = NULL;
	return r;
}

bool fsdeny_empty(const struct fsdeny *d)
{
	return !d || !d->n;
}

void fsdeny_set_max_rules(struct fsdeny *d, size_t max_rules)
{
	d->max_rules = max_rules;
}

void fsdeny_free(struct fsdeny *d)
{
	if (!d)
		return;
	free(d->v);
	free(d);
}

/* ---- granted trees ---------------------------------------------------------------------- */

int fsdeny_classify(const struct fsdeny *d, const char *path, const struct stat *st,
		    uint64_t *access)
{
	const struct node *self = node_find(d, st);
	uint64_t a = *access & (self ? self->limit : ALL_RIGHTS);
	/* Restrictions above the tree hold in it: deny wins. */
	char *p = realpath(path, NULL);
	if (!p)
		return sl_errorf(errno, "%s: %s", path, strerror(errno));
	int r = 0;
	while (a && path_up(p)) {
		struct stat up;
		const struct node *n;
		if (lstat(p, &up) < 0) {
			r = sl_errorf(errno, "%s: %s", p, strerror(errno));
			break;
		}
		if ((n = node_find(d, &up)))
			a &= n->limit;
	}
	free(p);
	if (r < 0)
		return r;
	*access = a;
	if (!a)
		return FSDENY_SKIP;
	return self && (a & ~self->below) ? FSDENY_EXPAND : FSDENY_GRANT;
}

struct walk {
	struct fsdeny *d;
	fsdeny_rule_fn rule;
	void *ctx;
};

static int add_rule(struct walk *w, const char *path, int fd, const struct stat *st,
		    uint64_t access)
{
	if (++w->d->rules > w->d->max_rules)
		return sl_errorf(E2BIG,
				 "%s: granting it around what it may not reach needs more than %zu "
				 "Landlock rules (at %s); grant narrower trees",
				 w->d->who, w->d->max_rules, path);
	int r = w->rule(w->ctx, fd, st, access);
	if (r < 0)
		return sl_errorf(-r, "%s: landlock rule for %s: %s", w->d->who, path, strerror(-r));
	return 0;
}

/* The rights of `access` that matter on an inode of this mode. */
static uint64_t effective(const struct stat *st, uint64_t access)
{
	return S_ISDIR(st->st_mode) ? access : access & SL_FS_FILE_RIGHTS;
}

static int expand_dir(struct walk *w, struct node *self, const char *path, int fd,
		      const struct stat *st, uint64_t access, int depth);

/* One entry of an expanded directory, whose own rule is `covered`: the
 * tree's rule (access) lowered to the entry's limit, unless its
 * directory's rule holds it already; expanded in turn when something
 * beneath it allows less. */
static int expand_entry(struct walk *w, const char *dir, int dfd, const char *name, uint64_t access,
			uint64_t covered, int depth)
{
	char *path = path_join(dir, "/", name);
	if (!path)
		return nomem(w->d);
	/* The inode classified is the inode that gets the rule, whatever
	 * replaces the name meanwhile; a symlink is not followed. */
	int r = 0, fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (errno != ENOENT) /* gone since readdir: nothing to grant */
			r = path_error(w->d, path, errno);
	} else if (fstat(fd, &st) < 0) {
		r = path_error(w->d, path, errno);
	} else if (!S_ISLNK(st.st_mode)) {
		/* (Landlock checks where a symlink leads, never the link: a
		 * target inside the tree gets its rule where it really is.) */
		struct node *n = node_find(w->d, &st);
		uint64_t a = access & (n ? n->limit : ALL_RIGHTS);
		if (n && (a & ~n->below))
			r = expand_dir(w, n, path, fd, &st, a, depth + 1);
		else if (effective(&st, a) & ~effective(&st, covered))
			r = add_rule(w, path, fd, &st, a);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return r;
}

/* True when the inode (dev, ino) may get no right at all. */
static bool nothing_for(const struct fsdeny *d, dev_t dev, ino_t ino)
{
	struct node key = {.dev = dev, .ino = ino};
	const struct node *n = d->n ? bsearch(&key, d->v, d->n, sizeof(*d->v), node_cmp) : NULL;
	return n && !n->limit;
}

static int expand_dir(struct walk *w, struct node *self, const char *path, int fd,
		      const struct stat *st, uint64_t access, int depth)
{
	/* Once per directory and rights: the same directory may sit under
	 * two granted trees, or under itself through a bind mount. */
	if ((self->expanded & access) == access)
		return 0;
	self->expanded |= access;
	if (depth > FSDENY_MAX_DEPTH)
		return path_error(w->d, path, ELOOP);
	if (!S_ISDIR(st->st_mode))
		return sl_errorf(ENOTDIR, "%s: %s: not a directory, cannot be expanded", w->d->who,
				 path);
	int r = 0;
	uint64_t own = access & self->below;
	if (own)
		r = add_rule(w, path, fd, st, own);
	if (r < 0)
		return r;
	int lfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = lfd < 0 ? NULL : fdopendir(lfd);
	if (!dir) {
		int e = errno;
		if (lfd >= 0)
			close(lfd);
		return sl_errorf(e,
				 "%s: cannot list %s to grant what is beside a path it may not "
				 "reach: %s",
				 w->d->who, path, strerror(e));
	}
	struct dirent *e;
	/* (A symlink gets no rule, nor does an entry whose inode number is of
	 * an inode that may have nothing: skipping them unopened saves three
	 * syscalls each.  If the name changes meanwhile, or something is
	 * mounted on it, its new inode only goes ungranted.) */
	while (r == 0 && (errno = 0, e = readdir(dir)))
		if (e->d_type != DT_LNK && strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    !nothing_for(w->d, st->st_dev, e->d_ino))
			r = expand_entry(w, path, dirfd(dir), e->d_name, access, own, depth);
	if (r == 0 && errno)
		r = path_error(w->d, path, errno);
	closedir(dir);
	return r;
}

int fsdeny_expand(struct fsdeny *d, const char *who, const char *path, int fd, uint64_t access,
		  fsdeny_rule_fn rule, void *ctx)
{
	d->who = who;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return path_error(d, path, errno);
	struct node *self = node_find(d, &st);
	if (!self || !(access & ~self->below) || (access & ~self->limit))
		return sl_errorf(EINVAL, "%s: %s: not on the way to a restricted path", who, path);
	struct walk w = {.d = d, .rule = rule, .ctx = ctx};
	return expand_dir(&w, self, path, fd, &st, access, 0);
}
