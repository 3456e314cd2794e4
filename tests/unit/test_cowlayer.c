/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cowlayer.c - the seccomp copy-on-write layer's core (src/cow/layer.h)
 * on real trees: each operation's effect on the upper (overlayfs's
 * format) with the lower untouched, and each scenario run twice, through
 * the layer and directly on a copy of the tree (the reference): the
 * merged view must equal the reference, and so must the workdir once the
 * branch is committed with cow_commit.  Adversarial: symlinks out of the
 * workdir, "..", a directory swapped for a symlink between two calls.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <grp.h>
#include <unistd.h>

#include "cow.h"
#include "cowfs.h"
#include "harness.h"
#include "layer.h"
#include "treedump.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif

static bool user_xattr(void)
{
	return geteuid() != 0;
}

static const char *opaque_name(void)
{
	return user_xattr() ? "user.overlay.opaque" : "trusted.overlay.opaque";
}

static char *join(const char *d, const char *name)
{
	char *p;
	CHECK(asprintf(&p, "%s/%s", d, name) > 0);
	return p;
}

static void put(const char *d, const char *name, const char *text)
{
	FILE *f = fopen(join(d, name), "w");
	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void mkd(const char *d, const char *name)
{
	CHECK_EQ(mkdir(join(d, name), 0755), 0);
}

/* The workdir before: a, d/x, d/sub/y, k/1, e (empty), l -> a. */
static char *make_lower(const char *name)
{
	char *w = join(th_tmpdir(), name);
	CHECK_EQ(mkdir(w, 0755), 0);
	put(w, "a", "old");
	mkd(w, "d");
	put(w, "d/x", "x");
	mkd(w, "d/sub");
	put(w, "d/sub/y", "y");
	mkd(w, "k");
	put(w, "k/1", "one");
	CHECK_EQ(chmod(join(w, "k/1"), 0640), 0);
	mkd(w, "e");
	CHECK_EQ(symlink("a", join(w, "l")), 0);
	return w;
}

/* ---- the merged view as one string --------------------------------------- */

/* The dump of the merged view (treedump.h), read through the layer only. */
static void merged_walk(const struct layer *l, const char *rel)
{
	struct layer_dir d;
	CHECK_EQ(layer_readdir(l, rel, &d), 0);
	for (size_t i = 2; i < d.n; i++) {
		const char *name = (const char *)d.buf + d.off[i] + 19;
		char *p = strcmp(rel, ".") ? join(rel, name) : strdup(name);
		struct stat st;
		char body[128] = "";
		CHECK_EQ(layer_stat(l, p, 0, &st), 0);
		if (S_ISREG(st.st_mode)) {
			int fd = layer_open(l, p, O_RDONLY, 0);
			CHECK(fd >= 0);
			ssize_t n = read(fd, body, sizeof(body) - 1);
			body[n > 0 ? n : 0] = 0;
			close(fd);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = layer_readlink(l, p, body, sizeof(body) - 1);
			body[n > 0 ? n : 0] = 0;
		}
		treedump_line(p, &st, body);
		if (S_ISDIR(st.st_mode))
			merged_walk(l, p);
	}
	layer_dir_free(&d);
}

static char *dump_merged(const struct layer *l)
{
	merged_walk(l, ".");
	return treedump_join();
}

/* ---- a branch and its layer -------------------------------------------------- */

struct env {
	char *w;
	struct cow_branch b;
	struct layer l;
};

static void env_open(struct env *e, const char *name)
{
	e->w = make_lower(name);
	CHECK_EQ(cow_create(&e->b, e->w, th_tmpdir(), user_xattr()), 0);
	e->l.lower = open(e->w, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e->l.upper = cow_open_upper(&e->b);
	e->l.work = open(e->b.work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(e->l.lower >= 0 && e->l.upper >= 0 && e->l.work >= 0);
	e->l.user_xattr = e->b.user_xattr;
	e->l.workdir = e->b.workdir;
}

/* ---- the same operations on the layer or on a plain tree ------------------- */

struct fs {
	const struct layer *l; /* the layer, or NULL: */
	const char *root;      /* a plain tree */
};

static int ret(int r)
{
	return r < 0 ? -errno : r;
}

static int f_unlink(struct fs *f, const char *p)
{
	return f->l ? layer_unlink(f->l, p) : ret(unlink(join(f->root, p)));
}

static int f_rmdir(struct fs *f, const char *p)
{
	return f->l ? layer_rmdir(f->l, p) : ret(rmdir(join(f->root, p)));
}

static int f_mkdir(struct fs *f, const char *p, mode_t m)
{
	return f->l ? layer_mkdir(f->l, p, m) : ret(mkdir(join(f->root, p), m));
}

static int f_rename(struct fs *f, const char *a, const char *b, unsigned flags)
{
	if (f->l)
		return layer_rename(f->l, a, b, flags);
	return ret(renameat2(AT_FDCWD, join(f->root, a), AT_FDCWD, join(f->root, b), flags));
}

static int f_link(struct fs *f, const char *a, const char *b)
{
	return f->l ? layer_link(f->l, a, b, 0) : ret(link(join(f->root, a), join(f->root, b)));
}

static int f_symlink(struct fs *f, const char *t, const char *p)
{
	return f->l ? layer_symlink(f->l, t, p) : ret(symlink(t, join(f->root, p)));
}

static int f_chmod(struct fs *f, const char *p, mode_t m)
{
	return f->l ? layer_chmod(f->l, p, m, LAYER_FOLLOW) : ret(chmod(join(f->root, p), m));
}

static int f_truncate(struct fs *f, const char *p, off_t len)
{
	return f->l ? layer_truncate(f->l, p, len) : ret(truncate(join(f->root, p), len));
}

static int f_mkfifo(struct fs *f, const char *p)
{
	return f->l ? layer_mknod(f->l, p, S_IFIFO | 0644) : ret(mkfifo(join(f->root, p), 0644));
}

/* open(flags, 0644), write text, close: the open's result. */
static int f_write(struct fs *f, const char *p, int flags, const char *text)
{
	int fd = f->l ? layer_open(f->l, p, flags, 0644)
		      : ret(open(join(f->root, p), flags | O_CLOEXEC, 0644));
	if (fd < 0)
		return fd;
	CHECK_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return 0;
}

typedef void (*ops_fn)(struct fs *f);

/* ops through the layer (the lower stays as it was), on the reference
 * tree directly, then compared: the merged view, and the workdir after
 * the commit.  Twice: with a work directory (each name changes in one
 * rename), and without (two steps). */
static void scenario_in(ops_fn ops, bool work)
{
	struct env e;
	env_open(&e, work ? "w" : "w-nowork");
	if (!work) {
		close(e.l.work);
		e.l.work = -1;
	}
	char *ref = make_lower(work ? "ref" : "ref-nowork"), *before = treedump(e.w);
	ops(&(struct fs){.l = &e.l});
	CHECK_STR(treedump(e.w), before);
	ops(&(struct fs){.root = ref});
	char *want = treedump(ref);
	CHECK_STR(dump_merged(&e.l), want);
	close(e.l.lower);
	close(e.l.upper);
	if (e.l.work >= 0) {
		/* nothing left behind in the work directory but the shared
		 * whiteout, a 0/0 character device */
		DIR *d = fdopendir(e.l.work);
		CHECK(d != NULL);
		struct dirent *de;
		struct stat ws;
		while ((de = readdir(d)))
			CHECK(de->d_name[0] == '.' ||
			      (!strcmp(de->d_name, "whiteout") &&
			       fstatat(e.l.work, de->d_name, &ws, AT_SYMLINK_NOFOLLOW) == 0 &&
			       S_ISCHR(ws.st_mode) && ws.st_rdev == makedev(0, 0)));
		closedir(d);
	}
	CHECK_EQ(cow_commit(&e.b), 0);
	CHECK_STR(treedump(e.w), want);
}

static void scenario(ops_fn ops)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	scenario_in(ops, true);
	scenario_in(ops, false);
}

/* ---- scenarios ------------------------------------------------------------------ */

static void delete_recreate(struct fs *f)
{
	CHECK_EQ(f_unlink(f, "a"), 0);
	CHECK_EQ(f_unlink(f, "a"), -ENOENT);
	CHECK_EQ(f_write(f, "a", O_WRONLY, "x"), -ENOENT);
	CHECK_EQ(f_write(f, "a", O_WRONLY | O_CREAT | O_EXCL, "again"), 0);
	CHECK_EQ(f_write(f, "a", O_WRONLY | O_CREAT | O_EXCL, "x"), -EEXIST);
}

TEST(cowlayer_delete_then_recreate_a_file)
{
	scenario(delete_recreate);
}

static void dir_recreated(struct fs *f)
{
	CHECK_EQ(f_rmdir(f, "d"), -ENOTEMPTY);
	CHECK_EQ(f_unlink(f, "d"), -EISDIR);
	CHECK_EQ(f_unlink(f, "d/x"), 0);
	CHECK_EQ(f_unlink(f, "d/sub/y"), 0);
	CHECK_EQ(f_rmdir(f, "d/sub"), 0);
	CHECK_EQ(f_rmdir(f, "d/x"), -ENOENT);
	CHECK_EQ(f_rmdir(f, "d"), 0);
	CHECK_EQ(f_mkdir(f, "d", 0750), 0);
	CHECK_EQ(f_mkdir(f, "d", 0750), -EEXIST);
	CHECK_EQ(f_write(f, "d/z", O_WRONLY | O_CREAT, "z"), 0);
	CHECK_EQ(f_rmdir(f, "e"), 0);
}

TEST(cowlayer_delete_a_directory_and_recreate_it)
{
	scenario(dir_recreated);
}

static void dir_moved(struct fs *f)
{
	/* changed inside first: the move carries the merged tree */
	CHECK_EQ(f_write(f, "d/x", O_WRONLY | O_APPEND, "+x"), 0);
	CHECK_EQ(f_unlink(f, "d/sub/y"), 0);
	CHECK_EQ(f_chmod(f, "d/sub", 0711), 0);
	CHECK_EQ(f_rename(f, "d", "k/dd", 0), 0);
	CHECK_EQ(f_write(f, "k/dd/sub/new", O_WRONLY | O_CREAT, "n"), 0);
	CHECK_EQ(f_rename(f, "k", "k/dd/in", 0), -EINVAL);
	CHECK_EQ(f_mkdir(f, "d", 0700), 0);	  /* the old name again, empty */
	CHECK_EQ(f_rename(f, "k/dd", "e", 0), 0); /* over an empty directory */
	CHECK_EQ(f_rename(f, "k/1", "e", 0), -EISDIR);
	CHECK_EQ(f_rename(f, "k", "k", 0), 0);
	CHECK_EQ(f_rename(f, "k", "./k/", RENAME_NOREPLACE), -EEXIST);
	CHECK_EQ(f_rename(f, "e", "k/1", 0), -ENOTDIR);
}

TEST(cowlayer_rename_a_lower_directory_across_directories)
{
	scenario(dir_moved);
}

static void dir_moved_whole(struct fs *f)
{
	CHECK_EQ(f_write(f, "d/new", O_WRONLY | O_CREAT, "n"), 0);
	CHECK_EQ(f_link(f, "d/new", "k/hl"), 0); /* a link out of the tree */
	CHECK_EQ(f_mkdir(f, "d/only", 0755), 0);
	CHECK_EQ(f_write(f, "d/only/f", O_WRONLY | O_CREAT, "f"), 0);
	CHECK_EQ(f_chmod(f, "d/only", 0555), 0); /* read-only, new */
	CHECK_EQ(f_rename(f, "d", "k/dd", 0), 0);
	CHECK_EQ(f_write(f, "k/hl", O_WRONLY | O_APPEND, "+hl"), 0);
}

/* The moved tree keeps what the upper held as it was: the hard link to
 * a file in it still shares its inode. */
TEST(cowlayer_rename_keeps_links_and_read_only_directories)
{
	scenario(dir_moved_whole);
}

static void hard_link(struct fs *f)
{
	CHECK_EQ(f_link(f, "a", "k/a2"), 0);
	CHECK_EQ(f_link(f, "a", "k/1"), -EEXIST);
	CHECK_EQ(f_link(f, "d", "k/d"), -EPERM);
	CHECK_EQ(f_write(f, "k/a2", O_WRONLY | O_APPEND, "+more"), 0);
}

TEST(cowlayer_hard_link)
{
	scenario(hard_link);
}

static void sym_link(struct fs *f)
{
	CHECK_EQ(f_symlink(f, "../a", "k/s"), 0);
	CHECK_EQ(f_symlink(f, "x", "k/s"), -EEXIST);
	/* written through the new link and the old one: the file changes */
	CHECK_EQ(f_write(f, "k/s", O_WRONLY | O_TRUNC, "via k/s"), 0);
	CHECK_EQ(f_write(f, "l", O_WRONLY | O_APPEND, ", via l"), 0);
	CHECK_EQ(f_write(f, "l", O_WRONLY | O_NOFOLLOW, "x"), -ELOOP);
	/* a dangling link: O_CREAT makes its target */
	CHECK_EQ(f_symlink(f, "made", "dangling"), 0);
	CHECK_EQ(f_write(f, "dangling", O_WRONLY | O_CREAT, "made"), 0);
}

TEST(cowlayer_symlink)
{
	scenario(sym_link);
}

static void modes(struct fs *f)
{
	CHECK_EQ(f_chmod(f, "a", 0600), 0);
	CHECK_EQ(f_chmod(f, "d/sub", 0700), 0);
	CHECK_EQ(f_chmod(f, "l", 0604), 0); /* follows the link to a */
	CHECK_EQ(f_chmod(f, "nope", 0600), -ENOENT);
}

TEST(cowlayer_chmod)
{
	scenario(modes);
}

static void shorten(struct fs *f)
{
	CHECK_EQ(f_truncate(f, "k/1", 1), 0);
	CHECK_EQ(f_truncate(f, "d", 1), -EISDIR);
	CHECK_EQ(f_truncate(f, "d/x", 0), 0);
	CHECK_EQ(f_write(f, "d/sub/y", O_WRONLY | O_TRUNC, ""), 0);
}

TEST(cowlayer_truncate)
{
	scenario(shorten);
}

static void modified_renamed(struct fs *f)
{
	CHECK_EQ(f_write(f, "a", O_WRONLY | O_APPEND, "+1"), 0);
	CHECK_EQ(f_rename(f, "a", "d/a", 0), 0);
	CHECK_EQ(f_rename(f, "d/x", "k/1", RENAME_NOREPLACE), -EEXIST);
	CHECK_EQ(f_rename(f, "d/x", "k/1", 0), 0); /* over a lower file */
	CHECK_EQ(f_rename(f, "d/a", "a", 0), 0);   /* back over its whiteout */
	CHECK_EQ(f_rename(f, "nope", "x", 0), -ENOENT);
	CHECK_EQ(f_mkfifo(f, "fifo"), 0);
	CHECK_EQ(f_rename(f, "fifo", "d/fifo", 0), 0);
}

TEST(cowlayer_file_modified_then_renamed)
{
	scenario(modified_renamed);
}

static void many(struct fs *f)
{
	/* a new tree, moved and emptied again */
	CHECK_EQ(f_mkdir(f, "n", 0755), 0);
	CHECK_EQ(f_mkdir(f, "n/m", 0755), 0);
	CHECK_EQ(f_write(f, "n/m/f", O_WRONLY | O_CREAT, "f"), 0);
	CHECK_EQ(f_rename(f, "n", "d/sub/n", 0), 0);
	CHECK_EQ(f_unlink(f, "d/sub/n/m/f"), 0);
	CHECK_EQ(f_rmdir(f, "d/sub/n/m"), 0);
	/* a lower directory over another one's empty place */
	CHECK_EQ(f_unlink(f, "k/1"), 0);
	CHECK_EQ(f_rename(f, "d/sub", "k", 0), 0);
}

TEST(cowlayer_new_trees_moved_and_removed)
{
	scenario(many);
}

/* ---- the upper's format ------------------------------------------------------- */

static bool is_whiteout(const char *p)
{
	struct stat st;
	CHECK_EQ(lstat(p, &st), 0);
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
		return true;
	char v[4];
	const char *k = user_xattr() ? "user.overlay.whiteout" : "trusted.overlay.whiteout";
	return S_ISREG(st.st_mode) && st.st_size == 0 && lgetxattr(p, k, v, sizeof(v)) >= 0;
}

TEST(cowlayer_upper_format)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	char *before = treedump(e.w);
	CHECK_EQ(layer_unlink(&e.l, "d/x"), 0);
	CHECK(is_whiteout(join(e.b.upper, "d/x")));
	/* the parent copied up with its mode, its other entries left below */
	struct stat st;
	CHECK_EQ(lstat(join(e.b.upper, "d"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0755);
	CHECK_EQ(lstat(join(e.b.upper, "d/sub"), &st), -1);
	/* a read, O_CREAT on an existing file included, copies nothing */
	int rd = layer_open(&e.l, "k/1", O_RDONLY | O_CREAT, 0600);
	CHECK(rd >= 0);
	close(rd);
	CHECK_EQ(lstat(join(e.b.upper, "k"), &st), -1);
	/* a write copies up data, mode and times */
	struct stat low;
	CHECK_EQ(stat(join(e.w, "k/1"), &low), 0);
	int fd = layer_open(&e.l, "k/1", O_WRONLY | O_APPEND, 0);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(lstat(join(e.b.upper, "k/1"), &st), 0);
	CHECK_EQ(st.st_mode, low.st_mode);
	CHECK_EQ(st.st_size, 3);
	CHECK_EQ(st.st_mtim.tv_sec, low.st_mtim.tv_sec);
	CHECK_EQ(st.st_mtim.tv_nsec, low.st_mtim.tv_nsec);
	/* a directory made over a whiteout is opaque */
	CHECK_EQ(layer_unlink(&e.l, "d/sub/y"), 0);
	CHECK_EQ(layer_rmdir(&e.l, "d/sub"), 0);
	CHECK(is_whiteout(join(e.b.upper, "d/sub")));
	CHECK_EQ(layer_mkdir(&e.l, "d/sub", 0755), 0);
	char v[4];
	CHECK_EQ(lgetxattr(join(e.b.upper, "d/sub"), opaque_name(), v, sizeof(v)), 1);
	CHECK_EQ(layer_stat(&e.l, "d/sub/y", 0, &st), -ENOENT);
	/* the lower as it was; the change list the commit will apply */
	CHECK_STR(treedump(e.w), before);
	struct cow_changes c;
	CHECK_EQ(cow_changes(&e.b, &c), 0);
	char text[256] = "";
	for (size_t i = 0; i < c.n; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%c %s\n", c.v[i].kind,
			 c.v[i].path);
	cow_changes_free(&c);
	CHECK_STR(text, "D d/sub/y\nD d/x\nM k/1\n");
}

/* Whiteouts are links of one inode, the work directory's (as overlayfs
 * shares one): removing N lower names makes no N inodes; a whiteout
 * replaced by a new entry leaves the others whiteouts; the commit
 * applies each. */
TEST(cowlayer_whiteouts_share_one_inode)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(layer_unlink(&e.l, "a"), 0);
	CHECK_EQ(layer_unlink(&e.l, "d/x"), 0);
	CHECK_EQ(layer_unlink(&e.l, "k/1"), 0);
	struct stat a, x, k, w;
	CHECK_EQ(lstat(join(e.b.upper, "a"), &a), 0);
	CHECK_EQ(lstat(join(e.b.upper, "d/x"), &x), 0);
	CHECK_EQ(lstat(join(e.b.upper, "k/1"), &k), 0);
	CHECK_EQ(lstat(join(e.b.work, "whiteout"), &w), 0);
	CHECK(is_whiteout(join(e.b.upper, "a")) && is_whiteout(join(e.b.upper, "k/1")));
	CHECK(a.st_ino == x.st_ino && x.st_ino == k.st_ino && k.st_ino == w.st_ino);
	CHECK_EQ(w.st_nlink, 4);
	/* a name made again over one: the others stay whiteouts */
	int fd = layer_open(&e.l, "d/x", O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "new", 3), 3);
	close(fd);
	CHECK_EQ(layer_stat(&e.l, "a", 0, &a), -ENOENT);
	CHECK_EQ(layer_stat(&e.l, "k/1", 0, &k), -ENOENT);
	CHECK_EQ(layer_stat(&e.l, "d/x", 0, &x), 0);
	CHECK(S_ISREG(x.st_mode) && x.st_size == 3);
	/* the shared one gone (as after a crash): the next is made again */
	CHECK_EQ(unlink(join(e.b.work, "whiteout")), 0);
	CHECK_EQ(layer_unlink(&e.l, "d/sub/y"), 0);
	CHECK(is_whiteout(join(e.b.upper, "d/sub/y")));
	CHECK_EQ(lstat(join(e.b.work, "whiteout"), &w), 0);
	CHECK_EQ(w.st_nlink, 2);
	close(e.l.lower);
	close(e.l.upper);
	close(e.l.work);
	CHECK_EQ(cow_commit(&e.b), 0);
	CHECK_EQ(access(join(e.w, "a"), F_OK), -1);
	CHECK_EQ(access(join(e.w, "k/1"), F_OK), -1);
	CHECK_EQ(access(join(e.w, "d/sub/y"), F_OK), -1);
	CHECK_EQ(lstat(join(e.w, "d/x"), &x), 0);
	CHECK_EQ(x.st_size, 3);
}

/* A deleted file stays deleted for every read: the lower's content never
 * leaks through (open, stat, readlink, listing, xattrs). */
TEST(cowlayer_read_after_delete)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	struct stat st;
	char buf[64];
	CHECK_EQ(layer_unlink(&e.l, "a"), 0);
	CHECK_EQ(layer_open(&e.l, "a", O_RDONLY, 0), -ENOENT);
	CHECK_EQ(layer_access(&e.l, "a", F_OK, 0), -ENOENT);
	CHECK_EQ(layer_access(&e.l, "k/1", R_OK | W_OK, LAYER_FOLLOW), 0);
	CHECK_EQ(layer_open(&e.l, "l", O_RDONLY, 0), -ENOENT); /* the link to it dangles */
	CHECK_EQ(layer_stat(&e.l, "a", 0, &st), -ENOENT);
	CHECK_EQ(layer_getxattr(&e.l, "a", "user.x", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(layer_unlink(&e.l, "l"), 0);
	CHECK_EQ(layer_readlink(&e.l, "l", buf, sizeof(buf)), -ENOENT);
	struct layer_dir d;
	CHECK_EQ(layer_readdir(&e.l, ".", &d), 0);
	for (size_t i = 0; i < d.n; i++) {
		const char *name = (const char *)d.buf + d.off[i] + 19;
		CHECK(strcmp(name, "a") != 0 && strcmp(name, "l") != 0);
	}
	layer_dir_free(&d);
}

/* The listing: ".", "..", then every name once, sorted, and paged out as
 * getdents64 pages a directory. */
TEST(cowlayer_listing_pages)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(layer_open(&e.l, "a", O_WRONLY, 0) >= 0, 1); /* a in both layers */
	int fd = layer_open(&e.l, "b", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(layer_rmdir(&e.l, "e"), 0);
	struct layer_dir d;
	CHECK_EQ(layer_readdir(&e.l, ".", &d), 0);
	char names[256] = "";
	unsigned char page[64];
	uint64_t pos = 0;
	ssize_t n;
	CHECK_EQ(layer_dir_page(&d, &pos, page, 8), -EINVAL);
	while ((n = layer_dir_page(&d, &pos, page, sizeof(page))) > 0) {
		for (ssize_t off = 0; off < n;) {
			unsigned short reclen;
			memcpy(&reclen, page + off + 16, sizeof(reclen));
			strcat(names, (const char *)page + off + 19);
			strcat(names, " ");
			off += reclen;
		}
	}
	CHECK_EQ(n, 0);
	CHECK_STR(names, ". .. a b d k l ");
	layer_dir_free(&d);
}

TEST(cowlayer_xattrs)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(setxattr(join(e.w, "a"), "user.kept", "1", 1, 0), 0);
	CHECK_EQ(layer_setxattr(&e.l, "a", "user.mine", "v", 1, 0), 0);
	char v[64], list[256];
	CHECK_EQ(getxattr(join(e.w, "a"), "user.mine", v, sizeof(v)), -1); /* not the lower */
	CHECK_EQ(layer_getxattr(&e.l, "a", "user.kept", v, sizeof(v)), 1); /* copied up */
	CHECK_EQ(layer_getxattr(&e.l, "a", "user.mine", v, sizeof(v)), 1);
	CHECK_EQ(layer_setxattr(&e.l, "a", "user.overlay.opaque", "y", 1, 0), -EPERM);
	CHECK_EQ(layer_setxattr(&e.l, "a", "trusted.x", "y", 1, 0), -EOPNOTSUPP);
	CHECK_EQ(layer_removexattr(&e.l, "a", "user.mine"), 0);
	CHECK_EQ(layer_getxattr(&e.l, "a", "user.mine", v, sizeof(v)), -ENODATA);
	/* an opaque directory's mark is never the command's to see */
	CHECK_EQ(layer_unlink(&e.l, "k/1"), 0);
	CHECK_EQ(layer_rmdir(&e.l, "k"), 0);
	CHECK_EQ(layer_mkdir(&e.l, "k", 0755), 0);
	CHECK_EQ(layer_getxattr(&e.l, "k", opaque_name(), v, sizeof(v)), -ENODATA);
	ssize_t n = layer_listxattr(&e.l, "k", list, sizeof(list));
	CHECK(n >= 0);
	for (ssize_t off = 0; off < n; off += (ssize_t)strlen(list + off) + 1)
		CHECK(!strstr(list + off, "overlay."));
}

TEST(cowlayer_refusals)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(layer_rename(&e.l, "a", "d", RENAME_EXCHANGE), -EINVAL); /* a directory */
	CHECK_EQ(layer_rename(&e.l, "a", "k/1", RENAME_EXCHANGE | RENAME_NOREPLACE), -EINVAL);
	CHECK_EQ(layer_rename(&e.l, "a", "nothing", RENAME_EXCHANGE), -ENOENT);
	CHECK_EQ(layer_rename(&e.l, "a", "k/1", 4 /* RENAME_WHITEOUT */), -EINVAL);
	CHECK_EQ(layer_mknod(&e.l, "dev", S_IFCHR | 0600), -EPERM);
	CHECK_EQ(layer_rmdir(&e.l, "."), -EINVAL);
	CHECK_EQ(layer_rmdir(&e.l, "d/sub/."), -EINVAL);
	CHECK_EQ(layer_rmdir(&e.l, "d/sub/.."), -ENOTEMPTY);
	CHECK_EQ(layer_rename(&e.l, "d/.", "z", 0), -EBUSY);
	CHECK_EQ(layer_chmod(&e.l, ".", 0700, 0), -EPERM);
	CHECK_EQ(layer_utimens(&e.l, "k/..", NULL, 0), -EPERM);
	CHECK_EQ(layer_unlink(&e.l, "d/."), -EISDIR);
	CHECK_EQ(layer_mkdir(&e.l, "d/.", 0700), -EEXIST);
	CHECK_EQ(layer_open(&e.l, COW_STAGING, O_WRONLY | O_CREAT, 0600), -EPERM);
	CHECK_EQ(layer_open(&e.l, "d", O_WRONLY, 0), -EISDIR);
	CHECK_EQ(layer_open(&e.l, "d", O_RDONLY | O_CREAT, 0600), -EISDIR);
	CHECK_EQ(layer_open(&e.l, "a", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	CHECK_EQ(layer_open(&e.l, "a/", O_RDONLY, 0), -ENOTDIR);
	CHECK_EQ(layer_open(&e.l, "nope/x", O_WRONLY | O_CREAT, 0600), -ENOENT);
	CHECK_EQ(layer_symlink(&e.l, "", "s"), -ENOENT);
	CHECK_EQ(layer_open(&e.l, "newf/", O_WRONLY | O_CREAT, 0600), -EISDIR);
	/* O_TMPFILE in a lower directory: its upper copy holds the inode */
	int fd = layer_open(&e.l, "d/sub", O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0);
	close(fd);
	struct stat st;
	CHECK_EQ(lstat(join(e.b.upper, "d/sub"), &st), 0);
}

/* Root passes every permission check: as root, the test process (its
 * own, forked) becomes nobody, owning the test's directory. */
static void become_nobody(void)
{
	if (geteuid() != 0)
		return;
	CHECK_EQ(chown(th_tmpdir(), 65534, 65534), 0);
	CHECK_EQ(setgroups(0, NULL), 0);
	CHECK_EQ(setresgid(65534, 65534, 65534), 0);
	CHECK_EQ(setresuid(65534, 65534, 65534), 0);
}

/* Permissions are the kernel's for the caller, judged before a copy-up
 * makes the copy the caller's own. */
TEST(cowlayer_permissions_before_copy_up)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	become_nobody();
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(chmod(join(e.w, "a"), 0444), 0);
	CHECK_EQ(layer_access(&e.l, "a", W_OK, LAYER_FOLLOW), -EACCES);
	CHECK_EQ(layer_access(&e.l, "l", R_OK, LAYER_FOLLOW), 0);
	CHECK_EQ(layer_open(&e.l, "a", O_WRONLY, 0), -EACCES);
	CHECK_EQ(layer_truncate(&e.l, "a", 0), -EACCES);
	CHECK_EQ(chmod(join(e.w, "d"), 0555), 0);
	CHECK_EQ(layer_unlink(&e.l, "d/x"), -EACCES);
	CHECK_EQ(layer_open(&e.l, "d/new", O_WRONLY | O_CREAT, 0600), -EACCES);
	CHECK_EQ(layer_chown(&e.l, "k/1", 0, (gid_t)-1, 0), -EPERM);
	struct stat st;
	CHECK_EQ(lstat(join(e.b.upper, "a"), &st), -1);
	CHECK_EQ(lstat(join(e.b.upper, "d"), &st), -1);
	/* what the kernel allows in a read-only directory, the layer does:
	 * the copy-up into the upper's read-only copy of it included */
	CHECK_EQ(layer_chmod(&e.l, "d/x", 0600, LAYER_FOLLOW), 0);
	CHECK_EQ(lstat(join(e.b.upper, "d"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0555);
	CHECK_EQ(lstat(join(e.b.upper, "d/x"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(layer_stat(&e.l, "d/x", 0, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(chmod(join(e.w, "d"), 0755), 0);
}

/* ---- adversarial -------------------------------------------------------------- */

static char *outside_dir(void)
{
	char *o = join(th_tmpdir(), "outside");
	CHECK_EQ(mkdir(o, 0755), 0);
	put(o, "secret", "secret");
	return o;
}

/* Links out of the workdir are reported, never followed; the link itself
 * is the workdir's to remove. */
TEST(cowlayer_symlink_out_is_reported)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	char *o = outside_dir(), *before = treedump(o);
	CHECK_EQ(symlink("/etc/passwd", join(e.w, "pw")), 0);
	CHECK_EQ(symlink(o, join(e.w, "out")), 0);
	CHECK_EQ(symlink("../../outside", join(e.w, "k/rel")), 0);
	struct layer_node n;
	CHECK_EQ(layer_lookup(&e.l, "pw", LAYER_FOLLOW, &n), LAYER_OUTSIDE);
	CHECK_STR(n.outside, "/etc/passwd");
	CHECK_EQ(layer_lookup(&e.l, "out/secret", LAYER_FOLLOW, &n), LAYER_OUTSIDE);
	CHECK_STR(n.outside, join(o, "secret"));
	CHECK_EQ(layer_lookup(&e.l, "k/rel/secret", 0, &n), LAYER_OUTSIDE);
	CHECK_STR(n.outside, join(e.w, "../outside/secret")); /* k/../.. */
	CHECK_EQ(layer_lookup(&e.l, "pw", 0, &n), 0);	      /* the link itself */
	CHECK(S_ISLNK(n.st.st_mode));
	layer_node_put(&n);
	CHECK_EQ(layer_open(&e.l, "pw", O_RDONLY, 0), -EXDEV);
	CHECK_EQ(layer_open(&e.l, "out/secret", O_WRONLY | O_TRUNC, 0), -EXDEV);
	CHECK_EQ(layer_open(&e.l, "k/rel/new", O_WRONLY | O_CREAT, 0600), -EXDEV);
	CHECK_EQ(layer_chmod(&e.l, "out/secret", 0777, LAYER_FOLLOW), -EXDEV);
	CHECK_EQ(layer_truncate(&e.l, "pw", 0), -EXDEV);
	CHECK_EQ(layer_rename(&e.l, "a", "out/a", 0), -EXDEV);
	CHECK_EQ(layer_unlink(&e.l, "out"), 0);
	CHECK_EQ(layer_chmod(&e.l, "pw", 0600, 0), -EOPNOTSUPP);
	CHECK_STR(treedump(o), before);
	struct stat st;
	CHECK_EQ(lstat(join(e.w, "out"), &st), 0);
	/* a link back into the workdir, absolute, is followed */
	CHECK_EQ(symlink(join(e.w, "k"), join(e.w, "abs")), 0);
	CHECK_EQ(layer_stat(&e.l, "abs/1", LAYER_FOLLOW, &st), 0);
	CHECK_EQ(st.st_size, 3);
}

TEST(cowlayer_dotdot_stays_inside)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	struct stat st;
	struct layer_node n;
	CHECK_EQ(layer_stat(&e.l, "k/../d/./x", 0, &st), 0);
	CHECK_EQ(st.st_size, 1);
	CHECK_EQ(layer_lookup(&e.l, "k/../..", 0, &n), LAYER_OUTSIDE);
	CHECK_EQ(layer_lookup(&e.l, "../w/a", 0, &n), LAYER_OUTSIDE);
	CHECK_EQ(layer_open(&e.l, "../x", O_WRONLY | O_CREAT, 0600), -EXDEV);
	CHECK_EQ(layer_open(&e.l, "d/../../x", O_WRONLY | O_CREAT, 0600), -EXDEV);
	CHECK_EQ(lstat(join(th_tmpdir(), "x"), &st), -1);
	/* ".." out of a directory the upper holds alone comes back to the
	 * merged parent, not to the upper's */
	CHECK_EQ(layer_mkdir(&e.l, "new", 0755), 0);
	CHECK_EQ(layer_stat(&e.l, "new/../k/1", 0, &st), 0);
	CHECK_EQ(layer_stat(&e.l, "/etc/passwd", 0, &st), -EXDEV);
	CHECK_EQ(layer_lookup(&e.l, join(e.w, "k/1"), 0, &n), 0); /* absolute, inside */
	layer_node_put(&n);
	CHECK_EQ(layer_stat(&e.l, "a/..", 0, &st), -ENOTDIR);
}

/* A directory swapped for a symlink out between two calls, in the lower
 * or in the upper (which the command never reaches, but a fault there
 * must not become a way out): the next call never goes through it. */
TEST(cowlayer_directory_swapped_for_a_symlink)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	char *o = outside_dir(), *before = treedump(o);
	struct stat st;
	CHECK_EQ(layer_stat(&e.l, "d/x", 0, &st), 0);
	CHECK_EQ(rename(join(e.w, "d"), join(e.w, "d.old")), 0);
	CHECK_EQ(symlink(o, join(e.w, "d")), 0);
	CHECK_EQ(layer_open(&e.l, "d/secret", O_RDONLY, 0), -EXDEV);
	CHECK_EQ(layer_open(&e.l, "d/x", O_WRONLY | O_CREAT, 0600), -EXDEV);
	CHECK_EQ(layer_unlink(&e.l, "d/secret"), -EXDEV);
	/* in the upper: k copied up, then replaced by a link out */
	int fd = layer_open(&e.l, "k/1", O_WRONLY, 0);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(rename(join(e.b.upper, "k"), join(e.b.upper, "k.old")), 0);
	CHECK_EQ(symlink(o, join(e.b.upper, "k")), 0);
	CHECK_EQ(layer_open(&e.l, "k/secret", O_WRONLY | O_TRUNC, 0), -EXDEV);
	CHECK_EQ(layer_open(&e.l, "k/new", O_WRONLY | O_CREAT, 0600), -EXDEV);
	CHECK_EQ(layer_mkdir(&e.l, "k/dir", 0700), -EXDEV);
	CHECK_EQ(layer_rename(&e.l, "a", "k/a", 0), -EXDEV);
	CHECK_EQ(layer_link(&e.l, "a", "k/a", 0), -EXDEV);
	CHECK_EQ(layer_symlink(&e.l, "x", "k/s"), -EXDEV);
	CHECK_EQ(layer_setxattr(&e.l, "k/secret", "user.x", "1", 1, 0), -EXDEV);
	CHECK_STR(treedump(o), before);
}

/* The quota hook counts what the upper holds. */
TEST(cowlayer_usage_counts_the_upper)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	int64_t empty = layer_usage(&e.l);
	CHECK(empty >= 0);
	int fd = layer_open(&e.l, "big", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0);
	static char block[1 << 16];
	memset(block, 'x', sizeof(block));
	CHECK_EQ(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
	CHECK_EQ(fsync(fd), 0);
	close(fd);
	CHECK(layer_usage(&e.l) >= empty + (int64_t)sizeof(block));
}

/* A FIFO opened through the layer never blocks the supervisor, stays a
 * blocking fd for the command, and is not copied up by a write. */
TEST(cowlayer_fifo_never_blocks)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(mkfifo(join(e.w, "p"), 0644), 0);
	CHECK_EQ(layer_open(&e.l, "p", O_WRONLY, 0), -ENXIO); /* no reader */
	int rd = layer_open(&e.l, "p", O_RDONLY, 0);
	CHECK(rd >= 0);
	CHECK_EQ(fcntl(rd, F_GETFL) & O_NONBLOCK, 0);
	int wr = layer_open(&e.l, "p", O_WRONLY, 0);
	CHECK(wr >= 0);
	CHECK_EQ(write(wr, "z", 1), 1);
	char c = 0;
	CHECK_EQ(read(rd, &c, 1), 1);
	CHECK_EQ(c, 'z');
	struct stat st;
	CHECK_EQ(lstat(join(e.b.upper, "p"), &st), -1);
}

/* ---- a race ------------------------------------------------------------------ */

struct swapper {
	const char *dir[2], *out;
	atomic_bool stop;
};

/* Swaps each directory for a symlink to out and back, until told. */
static void *swap_loop(void *arg)
{
	struct swapper *s = arg;
	char *keep[2] = {join(s->dir[0], "../r.real"), join(s->dir[1], "../k.real")};
	while (!atomic_load(&s->stop)) {
		for (int i = 0; i < 2; i++) {
			if (rename(s->dir[i], keep[i]) < 0)
				continue;
			if (symlink(s->out, s->dir[i]) == 0)
				unlink(s->dir[i]);
			rename(keep[i], s->dir[i]);
		}
	}
	return NULL;
}

/* A second thread swaps a lower directory and an upper one for symlinks
 * out while the layer reads, writes, creates and changes modes beneath
 * them: whatever each call answers, nothing outside is read or changed. */
TEST(cowlayer_race_with_swapped_directories)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	char *o = outside_dir(), *before = treedump(o);
	mkd(e.w, "r");
	put(e.w, "r/secret", "lower");
	int fd = layer_open(&e.l, "k/1", O_WRONLY, 0); /* k in the upper */
	CHECK(fd >= 0);
	close(fd);
	struct swapper s = {.dir = {join(e.w, "r"), join(e.b.upper, "k")}, .out = o};
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, swap_loop, &s), 0);
	for (int i = 0; i < 8000; i++) {
		char buf[16] = "", name[32];
		fd = layer_open(&e.l, "r/secret", O_RDONLY, 0);
		if (fd >= 0) {
			CHECK(read(fd, buf, sizeof(buf) - 1) >= 0);
			close(fd);
			CHECK_STR(buf, "lower");
		}
		snprintf(name, sizeof(name), "k/n%d", i % 7);
		fd = layer_open(&e.l, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0)
			close(fd);
		layer_truncate(&e.l, "k/secret", 0);
		layer_chmod(&e.l, "k/secret", 0777, LAYER_FOLLOW);
		layer_setxattr(&e.l, "k/secret", "user.x", "1", 1, 0);
		layer_unlink(&e.l, "k/secret");
	}
	atomic_store(&s.stop, true);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_STR(treedump(o), before);
	char v[4];
	CHECK_EQ(getxattr(join(o, "secret"), "user.x", v, sizeof(v)), -1);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	CHECK(d != NULL);
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The supervisor lives as long as the sandbox: no call, succeeding or
 * failing, keeps an fd. */
TEST(cowlayer_no_fd_kept)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(symlink("/etc/passwd", join(e.w, "pw")), 0);
	int before = count_fds();
	for (int round = 0; round < 2; round++) {
		struct stat st;
		struct layer_node n;
		struct layer_dir d;
		char buf[64];
		layer_stat(&e.l, "d/sub/y", 0, &st);
		layer_stat(&e.l, "d/nope/y", 0, &st);
		if (layer_lookup(&e.l, "pw", LAYER_FOLLOW, &n) == 0)
			layer_node_put(&n);
		layer_readlink(&e.l, "l", buf, sizeof(buf));
		int fd = layer_open(&e.l, "k/1", O_RDWR, 0);
		if (fd >= 0)
			close(fd);
		layer_open(&e.l, "pw", O_RDONLY, 0);
		layer_unlink(&e.l, "a");
		layer_rmdir(&e.l, "d");
		layer_mkdir(&e.l, "m", 0700);
		layer_rename(&e.l, "d", "m/d", 0);
		layer_rename(&e.l, "m", "e", 0);
		layer_link(&e.l, "k/1", "k/2", 0);
		layer_symlink(&e.l, "x", "s");
		layer_mknod(&e.l, "f", S_IFIFO | 0600);
		layer_chmod(&e.l, "k/1", 0600, 0);
		layer_chown(&e.l, "k/1", (uid_t)-1, (gid_t)-1, 0);
		layer_utimens(&e.l, "k/1", NULL, 0);
		layer_truncate(&e.l, "k/1", 1);
		layer_setxattr(&e.l, "k/1", "user.a", "1", 1, 0);
		layer_getxattr(&e.l, "k/1", "user.a", buf, sizeof(buf));
		layer_listxattr(&e.l, "k/1", buf, sizeof(buf));
		layer_removexattr(&e.l, "k/1", "user.a");
		if (layer_readdir(&e.l, "e", &d) == 0)
			layer_dir_free(&d);
		layer_usage(&e.l);
	}
	CHECK_EQ(count_fds(), before);
	/* and the work was done: the second round's answers differ */
	struct stat st;
	CHECK_EQ(layer_stat(&e.l, "e/d/x", 0, &st), 0);
	CHECK_EQ(layer_stat(&e.l, "k/2", 0, &st), 0);
	CHECK_EQ(st.st_nlink, 2);
}

struct reader {
	const struct layer *l;
	atomic_bool stop;
	atomic_int old_seen, reads;
};

static void *read_loop(void *arg)
{
	struct reader *rd = arg;
	while (!atomic_load(&rd->stop)) {
		int fd = layer_open(rd->l, "a", O_RDONLY, 0);
		if (fd < 0)
			continue;
		char buf[8] = "";
		if (read(fd, buf, sizeof(buf) - 1) > 0 && !strcmp(buf, "old"))
			atomic_fetch_add(&rd->old_seen, 1);
		atomic_fetch_add(&rd->reads, 1);
		close(fd);
	}
	return NULL;
}

/* With a work directory, a name deleted and made again, over and over,
 * never shows the lower's file in between to a reader. */
TEST(cowlayer_each_name_changes_in_one_step)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(layer_unlink(&e.l, "a"), 0);
	struct reader rd = {.l = &e.l};
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, read_loop, &rd), 0);
	for (int i = 0; i < 4000 || atomic_load(&rd.reads) < 100; i++) {
		int fd = layer_open(&e.l, "a", O_WRONLY | O_CREAT | O_EXCL, 0644);
		CHECK(fd >= 0);
		CHECK_EQ(write(fd, "new", 3), 3);
		close(fd);
		CHECK_EQ(layer_unlink(&e.l, "a"), 0);
	}
	atomic_store(&rd.stop, true);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(atomic_load(&rd.old_seen), 0);
}

/* A work directory on another filesystem than the upper cannot take a
 * rename: the layer works without it. */
TEST(cowlayer_work_elsewhere_is_not_used)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	struct stat w, u;
	int other = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(other >= 0);
	CHECK_EQ(fstat(other, &w), 0);
	CHECK_EQ(fstat(e.l.upper, &u), 0);
	CHECK(w.st_dev != u.st_dev);
	close(e.l.work);
	e.l.work = other;
	CHECK_EQ(layer_rmdir(&e.l, "e"), 0);
	CHECK_EQ(layer_mkdir(&e.l, "e", 0700), 0);
	CHECK_EQ(layer_rename(&e.l, "d", "e", 0), 0);
	CHECK_EQ(layer_stat(&e.l, "e/sub/y", 0, &u), 0);
	CHECK_EQ(layer_stat(&e.l, "d", 0, &u), -ENOENT);
}

/* chown as the kernel allows the caller (root: anyone; else its own
 * groups), and times set, on the upper copy only. */
TEST(cowlayer_owner_and_times)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	uid_t u = geteuid() == 0 ? 65534 : (uid_t)-1;
	gid_t g = geteuid() == 0 ? 65534 : getegid();
	CHECK_EQ(layer_chown(&e.l, "a", u, g, 0), 0);
	struct stat up, low, merged;
	CHECK_EQ(lstat(join(e.b.upper, "a"), &up), 0);
	CHECK_EQ(lstat(join(e.w, "a"), &low), 0);
	CHECK_EQ(up.st_gid, g);
	if (geteuid() == 0) {
		CHECK_EQ(up.st_uid, 65534);
		CHECK_EQ(low.st_uid, 0);
	}
	struct timespec ts[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1234567890, .tv_nsec = 5}};
	CHECK_EQ(layer_utimens(&e.l, "d/x", ts, 0), 0);
	CHECK_EQ(layer_stat(&e.l, "d/x", 0, &merged), 0);
	CHECK_EQ(merged.st_mtim.tv_sec, 1234567890);
	CHECK_EQ(merged.st_mtim.tv_nsec, 5);
	CHECK_EQ(lstat(join(e.w, "d/x"), &low), 0);
	CHECK(low.st_mtim.tv_sec != 1234567890);
	/* a symlink's own times (AT_SYMLINK_NOFOLLOW), not its target's */
	CHECK_EQ(layer_utimens(&e.l, "l", ts, 0), 0);
	CHECK_EQ(lstat(join(e.b.upper, "l"), &up), 0);
	CHECK(S_ISLNK(up.st_mode));
	CHECK_EQ(up.st_mtim.tv_sec, 1234567890);
	CHECK_EQ(layer_stat(&e.l, "a", 0, &merged), 0);
	CHECK(merged.st_mtim.tv_sec != 1234567890);
}

struct copier {
	const struct layer *l;
	atomic_int failed;
};

static void *copy_loop(void *arg)
{
	struct copier *c = arg;
	for (int i = 0; i < 200; i++) {
		char name[32];
		snprintf(name, sizeof(name), "many/sub%d/f%d", i % 10, i);
		int fd = layer_open(c->l, name, O_WRONLY | O_APPEND, 0);
		if (fd < 0 || write(fd, "+", 1) != 1)
			atomic_fetch_add(&c->failed, 1);
		if (fd >= 0)
			close(fd);
		/* and a new name made by both */
		snprintf(name, sizeof(name), "many/new%d/n%d", i % 10, i);
		fd = layer_open(c->l, name, O_WRONLY | O_CREAT, 0600);
		if (fd < 0)
			atomic_fetch_add(&c->failed, 1);
		else
			close(fd);
	}
	return NULL;
}

/* Two threads of the supervisor copying up the same files and parents
 * at once: each open succeeds, and both writes land in the one copy. */
TEST(cowlayer_concurrent_copy_up)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	mkd(e.w, "many");
	for (int i = 0; i < 10; i++) {
		char d[32];
		snprintf(d, sizeof(d), "many/sub%d", i);
		mkd(e.w, d);
		snprintf(d, sizeof(d), "many/new%d", i);
		mkd(e.w, d);
	}
	for (int i = 0; i < 200; i++) {
		char f[32];
		snprintf(f, sizeof(f), "many/sub%d/f%d", i % 10, i);
		put(e.w, f, "x");
	}
	struct copier c = {.l = &e.l};
	pthread_t a, b;
	CHECK_EQ(pthread_create(&a, NULL, copy_loop, &c), 0);
	CHECK_EQ(pthread_create(&b, NULL, copy_loop, &c), 0);
	CHECK_EQ(pthread_join(a, NULL), 0);
	CHECK_EQ(pthread_join(b, NULL), 0);
	CHECK_EQ(atomic_load(&c.failed), 0);
	struct stat st;
	CHECK_EQ(layer_stat(&e.l, "many/sub3/f13", 0, &st), 0);
	CHECK_EQ(st.st_size, 3);
	CHECK_EQ(lstat(join(e.w, "many/sub3/f13"), &st), 0);
	CHECK_EQ(st.st_size, 1);
}

/* RENAME_EXCHANGE of two files of the lower: both copied up, swapped;
 * the lower untouched. */
TEST(cowlayer_exchange_files)
{
	th_skip_under_valgrind(
	    "the layer opens every name with openat2, which valgrind 3.19 lacks");
	struct env e;
	env_open(&e, "w");
	CHECK_EQ(layer_rename(&e.l, "a", "k/1", RENAME_EXCHANGE), 0);
	char buf[16] = "";
	int fd = layer_open(&e.l, "a", O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK(read(fd, buf, sizeof(buf) - 1) == 3);
	close(fd);
	CHECK_STR(buf, "one");
	struct stat st;
	CHECK_EQ(layer_stat(&e.l, "k/1", 0, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0644);
	CHECK_EQ(layer_stat(&e.l, "a", 0, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0640);
	fd = open(join(e.w, "a"), O_RDONLY);
	memset(buf, 0, sizeof(buf));
	CHECK(read(fd, buf, sizeof(buf) - 1) == 3);
	close(fd);
	CHECK_STR(buf, "old");
}
