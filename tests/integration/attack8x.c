/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack8x.c - attacks on two supervisor shortcuts.
 *
 * The exclusive creations the filter leaves to the kernel (O_CREAT|O_EXCL
 * is not notified: it opens nothing that exists): every flag the kernel
 * lets ride along (O_PATH, which makes it drop O_CREAT and O_EXCL and
 * open what exists; O_TMPFILE; high bits in the register), the legacy
 * open and creat, set-id modes, FIFOs, symlinks, magic links into a
 * process outside, trees the policy does not grant, and the
 * copy-on-write layer, which must still see them all.
 *
 * The on-behalf walk by name (one fstatat of "../../.." per level from an
 * anchor re-opened every 16 levels): --fs-deny trees met at and around
 * the re-anchor depths by every route to the object (a path, a dirfd,
 * /proc/self/cwd), directories moved above a held dirfd while the walk
 * runs, and an fd swapped between a writable and a read-only file while
 * fchmod is decided on it; a mount of a directory beneath a denied one
 * inside a writable tree, whose root's ".." leads out of the denied tree
 * (root only).  Every answer is checked against what the
 * kernel did to the file, from outside.  The probe is
 * tests/probes/xwprobe.c.
 */
#include "common.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define XW_IN(p, ...) tc_named_in((p), "xwprobe", __VA_ARGS__, NULL)

/* O_TMPFILE's own bit, and a bit above the 32 the kernel reads */
#define XW_TMPFILE 020000000ULL
#define XW_HI	   (1ULL << 32)
#define XW_EXCL	   ((unsigned long long)(O_CREAT | O_EXCL))

static char *hex(unsigned long long v)
{
	return tc_fmt("%#llx", v);
}

static char *xopen(const char *path, unsigned long long flags, unsigned long long mode)
{
	return tc_fmt("open %s %s %s", path, hex(flags), hex(mode));
}

static char *xlegacy(const char *path, unsigned long long flags, unsigned long long mode)
{
	return tc_fmt("open-legacy %s %s %s", path, hex(flags), hex(mode));
}

/* ---- exclusive creations ---------------------------------------------------------- */

/* O_PATH makes the kernel drop every flag but O_DIRECTORY, O_NOFOLLOW and
 * O_CLOEXEC: O_PATH|O_CREAT|O_EXCL opens what exists.  Left to the kernel
 * it handed the sandbox an fd of /proc/<pid> of a process outside (its
 * status, its environ), which the proc view hides: such an open is
 * notified as any O_PATH, whatever else rides along (O_TMPFILE, which
 * O_PATH drops too; high bits; the legacy call).  The sandbox's own
 * /proc entries stay the kernel's O_PATH opens. */
TEST(atk8_excl_opath_opens_nothing_outside)
{
	pid_t v = tc_outsider("/");
	const char *st = tc_fmt("/proc/%d/status", (int)v), *dir = tc_fmt("/proc/%d", (int)v);
	const char *env = tc_fmt("/proc/%d/environ", (int)v);
	unsigned long long x = XW_EXCL | O_PATH;
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/proc"));
	char *out = XW_IN(p, "seq", xopen(st, x, 0), xopen(dir, x | O_DIRECTORY | O_NOFOLLOW, 0),
			  xopen(env, x | XW_HI, 0644), xopen(st, x | XW_TMPFILE | O_RDWR, 0600),
			  xlegacy(st, x, 0), xlegacy(dir, x | O_DIRECTORY, 0), xopen(st, O_PATH, 0),
			  xopen(st, x, 04755), xopen("/proc/self/status", x, 0),
			  xopen("/proc/self", x | O_DIRECTORY, 0));
	tc_outsider_end(v);
	static const char *const want[] = {"errno=ENOENT",
					   "errno=ENOENT",
					   "errno=ENOENT",
					   "errno=ENOENT",
					   "errno=ENOENT",
					   "errno=ENOENT",
					   "errno=ENOENT",
					   "errno=EPERM",
					   "ok",
					   "ok",
					   NULL};
	tc_check_lines(out, want);
}

/* A creation through a magic link of a process outside (its cwd, its
 * root) would land in a tree the sandbox may write, but the kernel
 * follows those links only for a process it may trace, and Landlock lets
 * a sandboxed one trace nothing outside its domain: refused, nothing
 * made.  Through the sandbox's own /proc/self/root it is made. */
TEST(atk8_excl_create_through_outside_links)
{
	char *w = tc_mkdir("w");
	pid_t v = tc_outsider(w);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(
	    sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/proc"), w));
	unsigned long long x = XW_EXCL | O_WRONLY;
	char *out = XW_IN(p, "seq", xopen(tc_fmt("/proc/%d/cwd/a", (int)v), x, 0644),
			  xopen(tc_fmt("/proc/%d/root%s/b", (int)v, w), x, 0644),
			  xlegacy(tc_fmt("/proc/%d/cwd/c", (int)v), x, 0644),
			  xopen(tc_fmt("/proc/self/root%s/d", w), x, 0644));
	tc_outsider_end(v);
	CHECK(!strncmp(tc_line(out, 0), "errno=", 6));
	CHECK(!strncmp(tc_line(out, 1), "errno=", 6));
	CHECK(!strncmp(tc_line(out, 2), "errno=", 6));
	CHECK_STR(tc_line(out, 3), "ok");
	CHECK(!tc_exists(tc_path(w, "a")));
	CHECK(!tc_exists(tc_path(w, "b")));
	CHECK(!tc_exists(tc_path(w, "c")));
	CHECK(tc_exists(tc_path(w, "d")));
}

/* What rides along with O_CREAT|O_EXCL, unnotified: a set-id mode is the
 * filter's EPERM in every call and register form; O_TMPFILE with
 * O_CREAT the kernel's EINVAL; an existing FIFO EEXIST without opening
 * it (no block); a dangling symlink EEXIST, its target not made; a tree
 * only readable, or denied, Landlock's EACCES; high bits in the flags
 * change nothing. */
TEST(atk8_excl_forms_left_to_the_kernel)
{
	char *w = tc_mkdir("w"), *r = tc_mkdir("r"), *d = tc_mkdir("w/deny");
	char *sub = tc_mkdir("w/sub"); /* w itself is on the way to deny: only listable */
	char *fifo = tc_path(w, "fifo"), *lnk = tc_path(w, "lnk"), *target = tc_path(r, "t");
	if (mkfifo(fifo, 0644) < 0 || symlink(target, lnk) < 0)
		th_fail(__FILE__, __LINE__, "mkfifo/symlink: %s", strerror(errno));
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder_sys(), w);
	b = sandlock_sandbox_builder_fs_deny(sandlock_sandbox_builder_fs_read(b, r), d);
	sandlock_sandbox_t *p = tc_build(b);
	unsigned long long x = XW_EXCL | O_WRONLY;
	char *out = XW_IN(
	    p, "seq", xopen(tc_path(w, "s1"), x, 04755), xopen(tc_path(w, "s2"), x, XW_HI | 02755),
	    xopen(tc_path(w, "s3"), x | XW_HI, 06700), xlegacy(tc_path(w, "s4"), x, 04755),
	    tc_fmt("creat %s 02755", tc_path(w, "s5")), xopen(w, x | XW_TMPFILE | O_RDWR, 0600),
	    xopen(fifo, XW_EXCL | O_RDONLY, 0644), xopen(lnk, x, 0644),
	    xopen(tc_path(r, "n"), x, 0644), xopen(tc_path(d, "n"), x, 0644),
	    xlegacy(tc_path(d, "n2"), x, 0644), xopen(tc_path(sub, "hi"), x | XW_HI, 0640));
	static const char *const want[] = {"errno=EPERM",
					   "errno=EPERM",
					   "errno=EPERM",
					   "errno=EPERM",
					   "errno=EPERM",
					   "errno=EINVAL",
					   "errno=EEXIST",
					   "errno=EEXIST",
					   "errno=EACCES",
					   "errno=EACCES",
					   "errno=EACCES",
					   "ok",
					   NULL};
	tc_check_lines(out, want);
	for (int i = 1; i <= 5; i++)
		CHECK(!tc_exists(tc_path(w, tc_fmt("s%d", i))));
	CHECK(!tc_exists(target));
	CHECK(!tc_exists(tc_path(r, "n")));
	CHECK(!tc_exists(tc_path(d, "n")));
	CHECK(!tc_exists(tc_path(d, "n2")));
	CHECK_EQ(tc_mode_of(tc_path(sub, "hi")) & 07000, 0);
}

/* The copy-on-write layer notifies every open itself: an exclusive
 * creation in the workdir is made in the layer (aborted at the end: the
 * host never sees it), sees the layer's files (EEXIST for one made
 * there) and the host's, and keeps the filter's set-id refusal. */
TEST(atk8_excl_in_the_cow_layer)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "old"), "old\n", 0644);
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, w);
	b = sandlock_sandbox_builder_fs_isolation(b, 0);
	b = sandlock_sandbox_builder_fs_storage(b, tc_mkdir("storage"));
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_on_exit(b, 1));
	unsigned long long x = XW_EXCL | O_WRONLY;
	char *out =
	    XW_IN(p, "seq", xopen(tc_path(w, "new"), x, 0644), xopen(tc_path(w, "new"), x, 0644),
		  xopen(tc_path(w, "old"), x, 0644), xlegacy(tc_path(w, "new2"), x | XW_HI, 0644),
		  xopen(tc_path(w, "s"), x, 04755));
	static const char *const want[] = {"ok", "errno=EEXIST", "errno=EEXIST",
					   "ok", "errno=EPERM",	 NULL};
	tc_check_lines(out, want);
	CHECK(!tc_exists(tc_path(w, "new")));
	CHECK(!tc_exists(tc_path(w, "new2")));
	CHECK(!tc_exists(tc_path(w, "s")));
}

/* ---- the walk by name ------------------------------------------------------------- */

/* A directory chain of n levels below top ("dN"), with a file "f" mode
 * 0644 at each level listed in at (0-terminated); the path of level i is
 * in lv[i] (lv[0] is top). */
static void chain(const char *top, int n, const int *at, char **lv)
{
	lv[0] = tc_mkdir(top);
	for (int i = 1; i <= n; i++) {
		lv[i] = tc_path(lv[i - 1], tc_fmt("d%d", i));
		if (mkdir(lv[i], 0755) < 0)
			th_fail(__FILE__, __LINE__, "mkdir %s: %s", lv[i], strerror(errno));
		for (const int *k = at; *k; k++)
			if (*k == i)
				tc_write_file(tc_path(lv[i], "f"), "x\n", 0644);
	}
}

/* An --fs-deny directory 10 levels into a writable tree, and objects
 * below it that the walk meets it from at and around the depths where it
 * re-anchors (16, 32): the denied one at level 15, 16, 17, 31, 32, 33
 * above the object's directory; by a path, by a dirfd (fchmodat) and by
 * /proc/self/cwd after a chdir into it, all refused.  The directories on
 * its way cannot be moved (the walk's own premise: nothing on the way
 * to a denied tree changes under it).  Controls at the same depths in a
 * sibling tree are changed. */
TEST(atk8_walk_deny_at_reanchor_depths)
{
	static const int at[] = {10, 11, 25, 26, 27, 41, 42, 43, 0};
	static const int sat[] = {15, 16, 17, 33, 0};
	char *lv[44], *sv[34];
	chain("wd", 43, at, lv);
	chain("wd/s", 33, sat, sv);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder_sys(), lv[0]);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, lv[10]));
	for (const int *k = at; *k; k++) {
		char *out = XW_IN(p, "seq", tc_fmt("chmod-at %s f 0600", lv[*k]),
				  tc_fmt("chmod-cwd %s f 0600", lv[*k]),
				  xopen(tc_path(lv[*k], "g"), XW_EXCL | O_WRONLY, 0644));
		static const char *const want[] = {"errno=EACCES", "errno=EACCES", "errno=EACCES",
						   "errno=EACCES", NULL};
		tc_check_lines(out, want);
		CHECK_EQ(tc_mode_of(tc_path(lv[*k], "f")), 0644);
		CHECK(!tc_exists(tc_path(lv[*k], "g")));
	}
	char *moves = XW_IN(p, "seq", tc_fmt("rename %s %s/moved", lv[5], lv[0]),
			    tc_fmt("rename %s %s/moved", lv[10], lv[0]),
			    tc_fmt("rename %s %s/moved", lv[20], lv[11]));
	for (int i = 0; i < 3; i++)
		CHECK(!strncmp(tc_line(moves, i), "errno=", 6));
	CHECK(!tc_exists(tc_path(lv[0], "moved")));
	for (const int *k = sat; *k; k++) {
		char *out = XW_IN(p, "seq", tc_fmt("chmod-at %s f 0600", sv[*k]),
				  tc_fmt("chmod-cwd %s f 0640", sv[*k]));
		static const char *const want[] = {"ok", "ok", "ok", NULL};
		tc_check_lines(out, want);
		CHECK_EQ(tc_mode_of(tc_path(sv[*k], "f")), 0640);
	}
}

/* Directories above a held dirfd moved while the walk stats its levels
 * by name: a move between two of its fstatat calls joins the levels of
 * two trees.  Above a denied object nothing can move (its way is only
 * listable), and its changes stay refused however often the writable
 * tree beside it moves.  A writable object whose ancestor keeps moving
 * one level up and back (its depth crossing the re-anchor at 16) is
 * still changed: the walk refuses only when a move hits the level it
 * re-anchors on (EAGAIN). */
TEST(atk8_walk_race_moves_above_the_anchor)
{
	static const int dat[] = {16, 0}, mat[] = {17, 33, 0};
	char *dv[17], *mv[34];
	char *top = tc_mkdir("wr");
	chain("wr/x", 16, dat, dv);
	chain("wr/m", 33, mat, mv);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder_sys(), top);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, dv[1]));
	/* wr itself is on the way to the denied tree: only listable */
	char *up = tc_path(mv[0], "up");
	char *out = XW_IN(p, "seq", tc_fmt("race-move %s f 3000 0600 %s %s", dv[16], dv[0], up),
			  tc_fmt("race-move %s f 3000 0600 %s %s", dv[16], mv[2], up),
			  tc_fmt("race-move %s f 3000 0600 %s %s", mv[17], mv[2], up),
			  tc_fmt("race-move %s f 3000 0600 %s %s", mv[33], mv[2], up));
	CHECK_STR(tc_line(out, 0), "ok 0 0");
	long ok = -1, moved = -1;
	CHECK_EQ(sscanf(tc_line(out, 1), "ok %ld %ld", &ok, &moved), 2);
	CHECK_EQ(ok, 0);
	CHECK(moved > 0);
	CHECK_EQ(tc_mode_of(tc_path(dv[16], "f")), 0644);
	for (int i = 2; i < 4; i++) {
		CHECK_EQ(sscanf(tc_line(out, i), "ok %ld %ld", &ok, &moved), 2);
		CHECK(moved > 0);
		CHECK(ok > 0);
	}
}

/* fchmod decided on fsmeta's own reopen of the fd (the core's base): a
 * thread keeps putting a writable file, a read-only one and an O_PATH
 * fd on the number.  The read-only file's mode never changes, whichever
 * the kernel names when; the O_PATH fd is EBADF, never a change. */
TEST(atk8_walk_fd_swapped_under_fchmod)
{
	char *w = tc_mkdir("w"), *r = tc_mkdir("r");
	char *wf = tc_path(w, "f"), *rf = tc_path(r, "f");
	tc_write_file(wf, "w\n", 0644);
	tc_write_file(rf, "r\n", 0644);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder_sys(), w);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, r));
	char *out = XW_IN(p, "race-fd", wf, rf, "3000", "0600");
	long ok = -1, badf = -1;
	CHECK_EQ(sscanf(out, "ok %ld %ld", &ok, &badf), 2);
	CHECK_EQ(tc_mode_of(rf), 0644);
	CHECK(ok > 0);
	CHECK_EQ(tc_mode_of(wf), 0600);
}

/* A directory beneath an --fs-deny one mounted in a writable tree (the
 * host's bind mount): the walk up from an object there goes from the
 * mount's root to its mount point's parent, the writable tree, and never
 * meets the denied directory.  Landlock refuses it (the plan denies that
 * mount too); so must every change the supervisor makes: the mount's
 * root is denied as the denied path is, its way only listable; so are
 * a connect to a socket there and a watch on it.  Root only: a private
 * mount namespace. */
TEST(atk8_walk_bind_mount_beneath_a_denied_tree)
{
	if (!th_root())
		SKIP("needs root to bind-mount");
	char *w = tc_mkdir("w"), *d = tc_mkdir("w/D"), *x = tc_mkdir("w/D/x");
	char *alias = tc_mkdir("w/alias"), *ok = tc_mkdir("w/ok");
	tc_write_file(tc_path(x, "f"), "s\n", 0644);
	tc_write_file(tc_path(ok, "f"), "w\n", 0644);
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	CHECK_EQ(mount(x, alias, NULL, MS_BIND, NULL), 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder_sys(), w);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, d));
	char *out = XW_IN(p, "seq", tc_fmt("chmod-at %s f 0600", alias),
			  tc_fmt("chmod-cwd %s f 0600", alias), tc_fmt("chmod-at %s alias 0700", w),
			  tc_fmt("chmod-at %s f 0600", x), xopen(tc_path(alias, "f"), O_RDONLY, 0),
			  tc_fmt("chmod-at %s f 0600", ok));
	static const char *const want[] = {
	    "errno=EACCES", "errno=EACCES", "errno=EACCES", "errno=EACCES",
	    "errno=EACCES", "errno=EACCES", "ok",	    NULL};
	tc_check_lines(out, want);
	CHECK_EQ(tc_mode_of(tc_path(x, "f")), 0644);
	CHECK_EQ(tc_mode_of(x), 0755);
	CHECK_EQ(tc_mode_of(tc_path(ok, "f")), 0600);
	/* the other tenants decide on the same walk: a denied socket's
	 * connect and a watch on denied content, through the mount */
	struct tc_drain srv;
	tc_drain_start(&srv, tc_unix_server(tc_path(x, "s"), SOCK_STREAM), false);
	out = tc_named_in(p, "obprobe", "seq", tc_fmt("connect %s/s", alias),
			  tc_fmt("inotify %s/f", alias), tc_fmt("inotify %s/f", ok), NULL);
	static const char *const want2[] = {"errno=EACCES", "errno=EACCES", "ok", NULL};
	tc_check_lines(out, want2);
	CHECK_EQ(tc_drain_stop(&srv), 0);
}
