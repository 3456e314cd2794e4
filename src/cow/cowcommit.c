/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowcommit.c - a branch's commit into its workdir, crash-safe (cow.h).
 *
 * Three phases, under an exclusive flock on the workdir:
 *   1. stage: the new content is copied (linked where it can be) into
 *      <workdir>/.sandlock-commit/new/<k>, and the steps are planned;
 *      nothing of the workdir changes yet;
 *   2. journal: the data is synced (syncfs), the steps are written to
 *      journal.tmp, synced, and renamed to "journal" (the commit point);
 *   3. apply: each step, idempotent when replayed from the first:
 *        T k path   the name goes to trash/<k> (unless trash/<k> exists)
 *        P k path   new/<k> is renamed onto the name (unless it is gone)
 *        C mode path  a merged directory's mode
 *      then a sync, the journal removed, the staging directory removed.
 * A crash before the commit point leaves only the staging directory,
 * which cow_recover drops; after it, cow_recover replays the journal.
 * Names are opened beneath the workdir's fd without following any
 * symlink (cowfs_open_beneath), and every rename names its last
 * component: nothing is written outside the workdir.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cow.h"
#include "cowfs.h"
#include "error.h"
#include "util.h"

#define JOURNAL_MAGIC "sandlock-commit 1"
#define JOURNAL_MAX   (256U << 20)

#ifdef SL_COW_TEST_HOOK
/* the unit tests' build only (Makefile: COW_TEST_OBJ) */
static int stop_at;

void cow_test_stop_at(int n)
{
	stop_at = n;
}
#else
enum { stop_at = 0 };
#endif

struct step {
	char op; /* 'T', 'P', 'C' */
	unsigned k;
	unsigned mode;
	char *path;
};

struct linked {
	dev_t dev;
	ino_t ino;
	unsigned k;
};

struct commit {
	int wd, stage, fresh, trash; /* the workdir; .sandlock-commit, its new/ and trash/ */
	dev_t wd_dev;		     /* the workdir's filesystem: every rename stays on it */
	bool user_xattr;
	struct step *steps;
	size_t n, cap;
	unsigned next_k;
	struct linked *links; /* staged files with other names (hard links) */
	size_t n_links;
	char path[PATH_MAX];
};

static void free_steps(struct commit *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->steps[i].path);
	free(c->steps);
	free(c->links);
	c->steps = NULL;
	c->links = NULL;
	c->n = c->cap = c->n_links = 0;
}

static int add_step(struct commit *c, char op, unsigned k, unsigned mode, const char *path)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct step *v = realloc(c->steps, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->steps = v;
		c->cap = cap;
	}
	struct step *s = &c->steps[c->n];
	if (!(s->path = strdup(path)))
		return -ENOMEM;
	s->op = op;
	s->k = k;
	s->mode = mode;
	c->n++;
	return 0;
}

/* ---- phase 1: stage and plan ---------------------------------------------- */

/* Stages the upper entry name as new/<k>: a link to the name staged
 * before for another link of the same inode, else a copy. */
static int stage(struct commit *c, int up, const char *name, const struct stat *st, unsigned *k)
{
	char kn[16], other[16];
	*k = c->next_k++;
	snprintf(kn, sizeof(kn), "%u", *k);
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		for (size_t i = 0; i < c->n_links; i++) {
			if (c->links[i].dev != st->st_dev || c->links[i].ino != st->st_ino)
				continue;
			snprintf(other, sizeof(other), "%u", c->links[i].k);
			return linkat(c->fresh, other, c->fresh, kn, 0) < 0 ? -errno : 0;
		}
		struct linked *v = realloc(c->links, (c->n_links + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->links = v;
		v[c->n_links++] = (struct linked){st->st_dev, st->st_ino, *k};
	}
	return cowfs_copy(up, name, c->fresh, kn, c->user_xattr);
}

static int plan_dir(struct commit *c, int up, int low, size_t len);

/* One upper entry: its steps, its content staged. */
static int plan_entry(struct commit *c, int up, int low, const char *name, size_t len)
{
	struct stat st, lst;
	enum cow_kind kind;
	int r = cowfs_kind(up, name, c->user_xattr, &st, &kind);
	int in_low = r < 0 ? r : cowfs_exists(low, name, &lst);
	if ((r = in_low) < 0)
		return r;
	int n = snprintf(c->path + len, sizeof(c->path) - len, "%s%s", len ? "/" : "", name);
	if (n < 0 || (size_t)n >= sizeof(c->path) - len)
		return -ENAMETOOLONG;
	size_t l = len + (size_t)n;
	if (!len && !strcmp(name, COW_STAGING))
		return sl_errorf(EINVAL,
				 "the sandbox made '%s' in the workdir, a name sandlock "
				 "reserves for its commits",
				 COW_STAGING);
	/* a mount point inside the workdir cannot be renamed over or away:
	 * refused now, before the journal, not halfway through it */
	if (in_low && lst.st_dev != c->wd_dev)
		return sl_errorf(EXDEV,
				 "'%s' is on another filesystem than the workdir (a mount "
				 "point): the commit cannot replace it",
				 c->path);
	if (kind == COW_WHITEOUT)
		return in_low ? add_step(c, 'T', c->next_k++, 0, c->path) : 0;
	if (kind == COW_DIR && in_low && S_ISDIR(lst.st_mode)) {
		mode_t back;
		int u = cowfs_opendir_own(up, name, &back), lo = cowfs_opendir(low, name);
		r = u < 0 ? u : lo < 0 ? lo : plan_dir(c, u, lo, l);
		if (u >= 0)
			cowfs_close_own(u, back);
		if (lo >= 0)
			close(lo);
		c->path[l] = 0;
		if (r == 0 && (st.st_mode & 07777) != (lst.st_mode & 07777))
			r = add_step(c, 'C', 0, st.st_mode & 07777, c->path);
		return r;
	}
	/* a file over a file: the rename replaces it; over a directory, or a
	 * new or opaque directory over anything: the old name goes first */
	unsigned k;
	if ((r = stage(c, up, name, &st, &k)) < 0)
		return sl_errorf(-r, "staging '%s': %s", c->path, strerror(-r));
	if (in_low && (S_ISDIR(st.st_mode) || S_ISDIR(lst.st_mode)) &&
	    (r = add_step(c, 'T', c->next_k++, 0, c->path)) < 0)
		return r;
	return add_step(c, 'P', k, 0, c->path);
}

static int plan_dir(struct commit *c, int up, int low, size_t len)
{
	int r;
	char **names = cowfs_list(up, &r);
	for (size_t i = 0; names && names[i] && r == 0; i++) {
		r = plan_entry(c, up, low, names[i], len);
		c->path[len] = 0;
	}
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	return r;
}

/* ---- phase 2: the journal --------------------------------------------------- */

static int put(FILE *f, const char *s)
{
	return fwrite(s, 1, strlen(s) + 1, f) == strlen(s) + 1 ? 0 : -EIO;
}

static int write_journal(struct commit *c)
{
	if (syncfs(c->wd) < 0)
		return -errno;
	int fd = openat(c->stage, "journal.tmp",
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -errno;
	}
	int r = put(f, JOURNAL_MAGIC);
	for (size_t i = 0; i < c->n && r == 0; i++) {
		char op[2] = {c->steps[i].op, 0}, num[16];
		snprintf(num, sizeof(num), "%u",
			 c->steps[i].op == 'C' ? c->steps[i].mode : c->steps[i].k);
		if ((r = put(f, op)) == 0 && (r = put(f, num)) == 0)
			r = put(f, c->steps[i].path);
	}
	if (r == 0 && (fflush(f) != 0 || fsync(fd) < 0))
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(c->stage, "journal.tmp", c->stage, "journal") < 0)
		r = -errno;
	if (r == 0 && fsync(c->stage) < 0)
		r = -errno;
	return r;
}

/* The journal's steps into c (replacing none: c is empty). */
static int read_journal(struct commit *c)
{
	int fd = openat(c->stage, "journal", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	char *buf = NULL;
	int r = fstat(fd, &st) < 0 ? -errno : st.st_size > JOURNAL_MAX ? -EFBIG : 0;
	size_t size = r == 0 ? (size_t)st.st_size : 0, got = 0;
	if (r == 0 && !(buf = malloc(size + 1)))
		r = -ENOMEM;
	while (r == 0 && got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n <= 0)
			r = n < 0 ? -errno : -EIO;
		else
			got += (size_t)n;
	}
	close(fd);
	const char *p = buf, *end = buf + size;
	if (r == 0 && (size < sizeof(JOURNAL_MAGIC) || strcmp(p, JOURNAL_MAGIC) || end[-1] != 0))
		r = -EBADMSG;
	if (r == 0)
		p += sizeof(JOURNAL_MAGIC);
	while (r == 0 && p < end) {
		const char *op = p, *num = op + strlen(op) + 1;
		const char *path = num < end ? num + strlen(num) + 1 : end;
		if (path >= end || strlen(op) != 1 || !strchr("TPC", op[0])) {
			r = -EBADMSG;
			break;
		}
		unsigned long v = strtoul(num, NULL, 10);
		r = add_step(c, op[0], op[0] == 'C' ? 0 : (unsigned)v,
			     op[0] == 'C' ? (unsigned)v : 0, path);
		p = path + strlen(path) + 1;
	}
	free(buf);
	return r;
}

/* ---- phase 3: apply ------------------------------------------------------------ */

/* A directory made owner-writable for one rename, given its mode back
 * after. */
struct unlocked {
	int fd; /* -1: untouched */
	mode_t mode;
};

/* Makes the directory name of dirfd ("." for dirfd itself) writable by
 * its owner when it is not; u->fd stays -1 when nothing was changed. */
/* An O_PATH fd's mode set through its /proc/self/fd link (fchmod
 * refuses O_PATH fds; an O_RDONLY open would need the read right a
 * directory of mode 000 lacks). */
static int chmod_fd(int fd, mode_t mode)
{
	char link[32];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	return chmod(link, mode);
}

static void unlock_dir(int dirfd, const char *name, struct unlocked *u)
{
	struct stat st;
	u->fd = -1;
	int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && !(st.st_mode & S_IWUSR) &&
	    chmod_fd(fd, (st.st_mode & 07777) | S_IWUSR) == 0) {
		u->fd = fd;
		u->mode = st.st_mode & 07777;
		return;
	}
	close(fd);
}

static int relock_dir(struct unlocked *u, bool restore)
{
	int r = 0;
	if (u->fd >= 0 && restore && chmod_fd(u->fd, u->mode) < 0)
		r = -errno;
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	return r;
}

/* renameat of what the command made or removed as its owner sees it: a
 * read-only directory (0555: Go's module cache) cannot be moved to
 * another directory (its ".." changes) nor have names added or removed,
 * so on EACCES the moved directory and both parents are made
 * owner-writable for the rename and given their modes back (the moved
 * one only when placed, restore; a trashed one is removed).
 * Unprivileged, every such directory stopped the commit halfway, its
 * journal then failing every later start.  -errno. */
static int rename_as_owner(int from, const char *fname, int to, const char *tname, bool restore)
{
	if (renameat(from, fname, to, tname) == 0)
		return 0;
	if (errno != EACCES)
		return -errno;
	struct unlocked u[3];
	unlock_dir(from, fname, &u[0]);
	unlock_dir(from, ".", &u[1]);
	unlock_dir(to, ".", &u[2]);
	int r = renameat(from, fname, to, tname) < 0 ? -errno : 0;
	int e = relock_dir(&u[0], restore);
	int e1 = relock_dir(&u[1], true), e2 = relock_dir(&u[2], true);
	return r < 0 ? r : e < 0 ? e : e1 < 0 ? e1 : e2;
}

static int apply_step(struct commit *c, const struct step *s)
{
	char kn[16], buf[PATH_MAX];
	const char *base;
	snprintf(kn, sizeof(kn), "%u", s->k);
	if (s->op == 'C') {
		int fd = cowfs_open_beneath(c->wd, s->path, O_RDONLY | O_DIRECTORY);
		/* never a set-id bit: the sandbox cannot set one (its filter
		 * refuses such a chmod), so only a journal planted in the
		 * workdir by someone else carries it, for the host to apply
		 * with its privileges */
		int r = fd < 0 ? fd : fchmod(fd, s->mode & 01777) < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
		return r;
	}
	int from = s->op == 'T' ? c->trash : c->fresh;
	int done = cowfs_exists(from, kn, NULL);
	if (done < 0)
		return done;
	if ((s->op == 'T') == (done == 1))
		return 0; /* trashed already, or placed already */
	int parent = cowfs_open_parent(c->wd, s->path, &base, buf, sizeof(buf));
	if (parent < 0)
		return parent;
	int r;
	if (s->op == 'T')
		r = (r = rename_as_owner(parent, base, c->trash, kn, false)) == -ENOENT ? 0 : r;
	else
		r = rename_as_owner(c->fresh, kn, parent, base, true);
	close(parent);
	return r;
}

static int apply(struct commit *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (stop_at > 0 && (size_t)stop_at == i + 1)
			return -EINTR; /* the test hook: as if killed here */
		int r = apply_step(c, &c->steps[i]);
		if (r < 0)
			return sl_errorf(-r, "commit step %zu (%c '%s'): %s", i + 1, c->steps[i].op,
					 c->steps[i].path, strerror(-r));
	}
	if (syncfs(c->wd) < 0 || unlinkat(c->stage, "journal", 0) < 0 || fsync(c->stage) < 0)
		return sl_errorf(errno, "commit: finishing the journal: %s", strerror(errno));
	return 0;
}

/* ---- the staging directory ----------------------------------------------------- */

static void close_stage(struct commit *c)
{
	sl_close(&c->trash);
	sl_close(&c->fresh);
	sl_close(&c->stage);
}

static int open_stage(struct commit *c)
{
	if ((c->stage = cowfs_opendir(c->wd, COW_STAGING)) < 0)
		return c->stage;
	if ((c->fresh = cowfs_opendir(c->stage, "new")) < 0)
		return c->fresh;
	return (c->trash = cowfs_opendir(c->stage, "trash")) < 0 ? c->trash : 0;
}

/* Whether the staging directory holds only what a commit makes there:
 * a directory of the user's with that name is never removed. */
static int ours(int wd)
{
	int fd = cowfs_opendir(wd, COW_STAGING), r;
	if (fd < 0)
		return fd;
	char **names = cowfs_list(fd, &r);
	static const char *const known[] = {"new", "trash", "journal", "journal.tmp"};
	for (size_t i = 0; names && names[i]; i++) {
		bool k = false;
		for (size_t j = 0; j < 4; j++)
			k |= !strcmp(names[i], known[j]);
		/* a removal interrupted here moved deep directories up */
		k |= !strncmp(names[i], ".sandlock-rm-", 13);
		if (!k && r == 0)
			r = -ENOTEMPTY;
		free(names[i]);
	}
	free(names);
	close(fd);
	return r;
}

/* Finishes (journal) or drops (none) an interrupted commit; the caller
 * holds the workdir's lock. */
static int recover_locked(struct commit *c, const char *workdir)
{
	int r = cowfs_exists(c->wd, COW_STAGING, NULL);
	if (r <= 0)
		return r < 0 ? sl_errorf(-r, "workdir '%s': %s", workdir, strerror(-r)) : 0;
	if ((r = ours(c->wd)) < 0 || ((r = open_stage(c)) < 0 && r != -ENOENT)) {
		close_stage(c);
		return sl_errorf(-r, "'%s/%s' is not a commit of sandlock's (%s): remove it",
				 workdir, COW_STAGING, strerror(-r));
	}
	int j = r == 0 ? cowfs_exists(c->stage, "journal", NULL) : 0;
	if (j == 1 && (r = read_journal(c)) == 0)
		r = apply(c);
	else if (j < 0)
		r = j;
	else if (j == 0)
		r = 0; /* the commit never reached its journal: nothing had changed */
	free_steps(c);
	close_stage(c);
	if (r < 0)
		return sl_errorf(-r,
				 "finishing an interrupted commit in '%s': %s (removing '%s/%s' "
				 "gives it up, leaving the workdir as the interruption left it)",
				 workdir, sl_error_get()[0] ? sl_error_get() : strerror(-r),
				 workdir, COW_STAGING);
	if ((r = cow_rmtree(c->wd, COW_STAGING)) < 0)
		return sl_errorf(-r, "removing '%s/%s': %s", workdir, COW_STAGING, strerror(-r));
	return 0;
}

static int lock_workdir(struct commit *c, const char *workdir)
{
	*c = (struct commit){.wd = -1, .stage = -1, .fresh = -1, .trash = -1};
	c->wd = open(workdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->wd < 0)
		return sl_errorf(errno, "workdir '%s': %s", workdir, strerror(errno));
	int r;
	while ((r = flock(c->wd, LOCK_EX)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		r = -errno;
		sl_close(&c->wd);
		return sl_errorf(-r, "locking the workdir '%s': %s", workdir, strerror(-r));
	}
	return 0;
}

int cow_recover(const char *workdir)
{
	struct commit c;
	int r = lock_workdir(&c, workdir);
	if (r == 0)
		r = recover_locked(&c, workdir);
	sl_close(&c.wd); /* the lock goes with it */
	return r;
}

/* Phases 1 and 2: a failure leaves the workdir unchanged (the staging
 * directory removed). */
static int prepare(struct commit *c, const struct cow_branch *b)
{
	struct stat st;
	int r = fstat(c->wd, &st) < 0 ? -errno : mkdirat(c->wd, COW_STAGING, 0700) < 0 ? -errno : 0;
	c->wd_dev = st.st_dev;
	if (r == 0 && (mkdirat(c->wd, COW_STAGING "/new", 0700) < 0 ||
		       mkdirat(c->wd, COW_STAGING "/trash", 0700) < 0))
		r = -errno;
	if (r == 0)
		r = open_stage(c);
	if (r < 0)
		r = sl_errorf(-r, "making '%s/%s': %s", b->workdir, COW_STAGING, strerror(-r));
	int up = r < 0 ? -1 : cow_open_upper(b);
	if (r == 0 && up < 0)
		r = sl_errorf(-up, "the upper '%s': %s", b->upper, strerror(-up));
	if (r == 0 && (r = plan_dir(c, up, c->wd, 0)) < 0 && !sl_error_get()[0])
		r = sl_errorf(-r, "planning the commit: %s", strerror(-r));
	if (up >= 0)
		close(up);
	if (r == 0 && stop_at < 0)
		return -EINTR; /* the test hook: killed before the journal */
	if (r == 0 && (r = write_journal(c)) < 0)
		r = sl_errorf(-r, "writing the commit's journal: %s", strerror(-r));
	if (r < 0) {
		close_stage(c);
		free_steps(c);
		cow_rmtree(c->wd, COW_STAGING);
	}
	return r;
}

int cow_commit(struct cow_branch *b)
{
	struct commit c;
	sl_error_clear();
	int r = lock_workdir(&c, b->workdir);
	struct stat st;
	if (r == 0 && fstat(c.wd, &st) == 0 && (st.st_dev != b->wd_dev || st.st_ino != b->wd_ino))
		r = sl_errorf(ESTALE,
			      "'%s' is no longer the directory the sandbox ran on (replaced "
			      "during the run)",
			      b->workdir);
	if (r == 0)
		r = recover_locked(&c, b->workdir);
	c.user_xattr = b->user_xattr;
	if (r == 0)
		r = prepare(&c, b);
	bool journaled = r == 0;
	if (r == 0)
		r = apply(&c);
	if (r == -EINTR) {
		/* the test hook: leave everything as a kill would */
		free_steps(&c);
		close_stage(&c);
		sl_close(&c.wd);
		return r;
	}
	free_steps(&c);
	close_stage(&c);
	if (r == 0 && (r = cow_rmtree(c.wd, COW_STAGING)) < 0)
		r = sl_errorf(-r, "removing '%s/%s': %s", b->workdir, COW_STAGING, strerror(-r));
	sl_close(&c.wd);
	if (r < 0) {
		char msg[SL_ERRMSG_MAX];
		snprintf(msg, sizeof(msg), "%s", sl_error_get());
		if (journaled)
			return sl_errorf(
			    -r,
			    "commit into '%s' interrupted: %s; its journal finishes it "
			    "at the next start with this workdir",
			    b->workdir, msg);
		return sl_errorf(-r, "commit into '%s' failed: %s; the staged changes stay in '%s'",
				 b->workdir, msg, b->dir);
	}
	return cow_abort(b);
}
