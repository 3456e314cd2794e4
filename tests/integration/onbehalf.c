/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onbehalf.c - calls Landlock does not see, made by the supervisor on the
 * sandbox's behalf (src/engine/onbehalf.c and its tenants fsmeta.c,
 * inotify.c, unixsock.c): file metadata, inotify watches and unix socket
 * addresses, inside and outside the granted trees, reached through
 * symlinks, "..", /proc/self/root and /proc/self/cwd, a dirfd, a thread's
 * own working directory and a thread rewriting the argument during the
 * call.  Every answer is checked against what the kernel really did to
 * the file or the socket, from outside.  The probe is
 * tests/probes/obprobe.c.
 */
#include "common.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The layout, under the test's temp dir (names of one length, so a path
 * in one tree and its twin in another are the same size):
 *   wdir/ (writable)  f, lnk -> rdir/f, sub/
 *   rdir/ (readable)  f
 *   odir/ (neither)   f */
struct lay {
	char *w, *r, *o, *wf, *rf, *of, *lnk;
};

static struct lay layout(void)
{
	struct lay l = {.w = tc_mkdir("wdir"), .r = tc_mkdir("rdir"), .o = tc_mkdir("odir")};
	l.wf = tc_path(l.w, "f");
	l.rf = tc_path(l.r, "f");
	l.of = tc_path(l.o, "f");
	l.lnk = tc_path(l.w, "lnk");
	tc_write_file(l.wf, "w\n", 0644);
	tc_write_file(l.rf, "r\n", 0644);
	tc_write_file(l.of, "o\n", 0644);
	tc_mkdir("wdir/sub");
	if (symlink(l.rf, l.lnk) < 0)
		th_fail(__FILE__, __LINE__, "symlink: %s", strerror(errno));
	return l;
}

static sandlock_builder_t *lay_builder(const struct lay *l)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder(), l->w);
	return sandlock_sandbox_builder_fs_read(b, l->r);
}

#define ob_in(p, ...) tc_named_in((p), "obprobe", __VA_ARGS__)

static time_t mtime_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		th_fail(__FILE__, __LINE__, "stat %s: %s", path, strerror(errno));
	return st.st_mtime;
}

/* ---- metadata -------------------------------------------------------------------- */

/* chmod under the writable tree only, whichever name reaches the file;
 * nothing is told about what exists outside the readable trees. */
TEST(onbehalf_chmod_by_every_name)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = ob_in(p, "seq", tc_fmt("chmod %s 600", l.wf),	       /* 0 */
			  tc_fmt("chmod %s 600", l.rf),			       /* 1 */
			  tc_fmt("chmod %s 600", l.of),			       /* 2 */
			  tc_fmt("chmod %s 600", l.lnk),		       /* 3 */
			  tc_fmt("chmod %s/../rdir/f 600", l.w),	       /* 4 */
			  tc_fmt("chmod /proc/self/root%s 600", l.rf),	       /* 5 */
			  tc_fmt("chmod /proc/self/root%s 640", l.wf),	       /* 6 */
			  tc_fmt("chmod %s/nope 600", l.w),		       /* 7 */
			  tc_fmt("chmod %s/nope 600", l.r),		       /* 8 */
			  tc_fmt("chmod %s/nope 600", l.o),		       /* 9 */
			  tc_fmt("chmod %s/nope/deeper 600", l.o),	       /* 10 */
			  tc_fmt("fchmodat %s f 600", l.r),		       /* 11 */
			  tc_fmt("fchmodat %s f 604", l.w),		       /* 12 */
			  tc_fmt("chmod-fd %s 600", l.rf),		       /* 13 */
			  tc_fmt("chmod-fd %s 606", l.wf),		       /* 14 */
			  tc_fmt("lchmod %s 600", l.lnk),		       /* 15 */
			  tc_fmt("chmod %s/sub/../f 644", l.w),		       /* 16 */
			  tc_fmt("chmod %s/sub/../../odir/f 600", l.w), NULL); /* 17 */
	static const char *const want[] = {
	    "ok", "errno=EACCES", "errno=EACCES", "errno=EACCES", "errno=EACCES", "errno=EACCES",
	    "ok", "errno=ENOENT", "errno=ENOENT", "errno=EACCES", "errno=EACCES", "errno=EACCES",
	    "ok", "errno=EACCES", "ok",
	    /* a symlink's own mode: the kernel's answer (it is in wdir) */
	    "errno=EOPNOTSUPP", "ok", "errno=EACCES", NULL};
	tc_check_lines(out, want);
	CHECK_EQ(tc_mode_of(l.wf), 0644);
	CHECK_EQ(tc_mode_of(l.rf), 0644);
	CHECK_EQ(tc_mode_of(l.of), 0644);
}

/* Relative paths start at the calling thread's working directory, which
 * a thread may have to itself (clone without CLONE_FS), and
 * /proc/self/cwd is the caller's, not the supervisor's. */
TEST(onbehalf_cwd_of_the_thread)
{
	struct lay l = layout();
	sandlock_sandbox_t *pw = tc_build(sandlock_sandbox_builder_cwd(lay_builder(&l), l.w));
	sandlock_sandbox_t *pr = tc_build(sandlock_sandbox_builder_cwd(lay_builder(&l), l.r));
	char *out = ob_in(pr, "seq", "chmod f 600", "chmod /proc/self/cwd/f 600",
			  tc_fmt("thread-cwd %s f 640", l.w), NULL);
	static const char *const in_r[] = {"errno=EACCES", "errno=EACCES", "ok", "ok", NULL};
	tc_check_lines(out, in_r);
	CHECK_EQ(tc_mode_of(l.rf), 0644);
	CHECK_EQ(tc_mode_of(l.wf), 0640);
	out = ob_in(pw, "seq", "chmod f 600", "chmod /proc/self/cwd/f 604",
		    tc_fmt("thread-cwd %s f 600", l.r), NULL);
	static const char *const in_w[] = {"ok", "ok", "errno=EACCES", "errno=EACCES", NULL};
	tc_check_lines(out, in_w);
	CHECK_EQ(tc_mode_of(l.wf), 0604);
	CHECK_EQ(tc_mode_of(l.rf), 0644);
}

/* chown, the times, xattrs: the same rule. */
TEST(onbehalf_chown_times_xattrs)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *me = tc_fmt("%d %d", (int)getuid(), (int)getgid());
	char *out = ob_in(p, "seq", tc_fmt("chown %s %s", l.wf, me),
			  tc_fmt("chown %s %s", l.rf, me), tc_fmt("lchown %s %s", l.lnk, me),
			  tc_fmt("chown %s %s", l.lnk, me), tc_fmt("chown-fd %s %s", l.rf, me),
			  tc_fmt("utimes %s 1000", l.wf), tc_fmt("utimensat %s 2000", l.rf),
			  tc_fmt("utime %s 3000", l.rf), tc_fmt("futimesat %s f 4000", l.r), NULL);
	static const char *const want[] = {
	    "ok", "errno=EACCES", "ok",		  "errno=EACCES", "errno=EACCES",
	    "ok", "errno=EACCES", "errno=EACCES", "errno=EACCES", NULL};
	tc_check_lines(out, want);
	CHECK_EQ(mtime_of(l.wf), 1000);
	CHECK(mtime_of(l.rf) > 4000);
	out = ob_in(p, "seq", tc_fmt("utimensat %s 5000", l.wf), tc_fmt("futimesat %s f 6000", l.w),
		    NULL);
	CHECK_STR(out, "ok\nok\n");
	CHECK_EQ(mtime_of(l.wf), 6000);

	if (setxattr(l.of, "user.probe", "1", 1, 0) < 0)
		SKIP("user xattrs unsupported here: %s", strerror(errno));
	char v[8] = "";
	out = ob_in(p, "seq", tc_fmt("setxattr %s user.t in", l.wf),
		    tc_fmt("setxattr %s user.t out", l.rf), tc_fmt("lsetxattr %s user.t x", l.lnk),
		    tc_fmt("removexattr %s user.probe", l.of),
		    tc_fmt("setxattrat %s user.t at", l.wf), NULL);
	static const char *const xw[] = {"ok",		 "errno=EACCES", "errno=EPERM",
					 "errno=EACCES", "errno=ENOSYS", NULL};
	tc_check_lines(out, xw);
	CHECK_EQ(getxattr(l.wf, "user.t", v, sizeof(v)), 2);
	CHECK(getxattr(l.rf, "user.t", v, sizeof(v)) < 0);
	CHECK_EQ(getxattr(l.of, "user.probe", v, sizeof(v)), 1);
}

/* fs_deny inside the writable tree: the denied file, and the directory
 * on the way to it (Landlock gives it READ_DIR only), stay as they are. */
TEST(onbehalf_denied_paths)
{
	struct lay l = layout();
	char *secret = tc_path(l.w, "secret");
	tc_write_file(secret, "s\n", 0644);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(lay_builder(&l), secret));
	char *out = ob_in(p, "seq", tc_fmt("chmod %s 600", secret), tc_fmt("chmod %s 700", l.w),
			  tc_fmt("chmod %s 600", l.wf), tc_fmt("inotify %s", secret), NULL);
	static const char *const want[] = {"errno=EACCES", "errno=EACCES", "ok", "errno=EACCES",
					   NULL};
	tc_check_lines(out, want);
	CHECK_EQ(tc_mode_of(secret), 0644);
	CHECK_EQ(tc_mode_of(l.w), 0755);
}

/* A directory chain n levels below top, with a file "f" at each level
 * listed in at (0-terminated); returns the path of level n. */
static char *chain(const char *top, int n, const int *at)
{
	char *d = tc_mkdir(top);
	for (int i = 1; i <= n; i++) {
		d = tc_path(d, tc_fmt("d%d", i));
		if (mkdir(d, 0755) < 0)
			th_fail(__FILE__, __LINE__, "mkdir %s: %s", d, strerror(errno));
		for (const int *k = at; *k; k++)
			if (*k == i)
				tc_write_file(tc_path(d, "f"), "x\n", 0644);
	}
	return d;
}

/* The level i of the chain whose level n is bottom. */
static char *level(const char *bottom, int n, int i)
{
	char *d = tc_fmt("%s", bottom);
	for (int k = n; k > i; k--)
		*strrchr(d, '/') = 0;
	return d;
}

/* The walk up from the object, deeper than it re-anchors (every 16
 * levels): a writable tree far above, an --fs-deny halfway, a writable
 * tree deep in a tree of nothing, and its parent just outside. */
TEST(onbehalf_deep_trees)
{
	static const int wat[] = {10, 17, 33, 40, 0}, oat[] = {29, 30, 32, 0};
	char *w = chain("deepw", 40, wat), *o = chain("deepo", 32, oat);
	char *wtree = level(o, 32, 30);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder(), level(w, 40, 0));
	b = sandlock_sandbox_builder_fs_deny(b, level(w, 40, 20));
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(b, wtree));
	char *out = ob_in(p, "seq", tc_fmt("chmod %s/f 600", level(w, 40, 10)),
			  tc_fmt("chmod %s/f 600", level(w, 40, 17)),
			  tc_fmt("chmod %s/f 600", level(w, 40, 33)), tc_fmt("chmod %s/f 600", w),
			  tc_fmt("chmod %s/f 600", wtree), tc_fmt("chmod-fd %s/f 600", o),
			  tc_fmt("chmod %s/f 600", level(o, 32, 29)), NULL);
	static const char *const want[] = {"ok", "ok", "errno=EACCES", "errno=EACCES",
					   "ok", "ok", "errno=EACCES", NULL};
	tc_check_lines(out, want);
	CHECK_EQ(tc_mode_of(tc_path(level(w, 40, 10), "f")), 0600);
	CHECK_EQ(tc_mode_of(tc_path(level(w, 40, 33), "f")), 0644);
	CHECK_EQ(tc_mode_of(tc_path(w, "f")), 0644);
	CHECK_EQ(tc_mode_of(tc_path(o, "f")), 0600);
	CHECK_EQ(tc_mode_of(tc_path(level(o, 32, 29), "f")), 0644);
}

/* As the child would: the supervisor's privilege never reaches the call.
 * As root, a file of another uid in a writable tree (the child is uid 0
 * without CAP_FOWNER); unprivileged, a file of root's. */
TEST(onbehalf_chmod_of_another_users_file)
{
	char *dir, *f;
	if (th_root()) {
		dir = tc_mkdir("foreign");
		f = tc_path(dir, "f");
		tc_write_file(f, "x\n", 0644);
		if (chown(f, 65534, 65534) < 0)
			th_fail(__FILE__, __LINE__, "chown: %s", strerror(errno));
	} else {
		dir = "/etc";
		f = "/etc/passwd";
	}
	struct stat st;
	CHECK(stat(f, &st) == 0);
	if (st.st_uid == getuid())
		SKIP("%s is ours", f);
	mode_t before = st.st_mode & 07777;
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), dir));
	char *out = ob_in(p, "seq", tc_fmt("chmod %s 777", f), tc_fmt("utimes %s 1000", f), NULL);
	CHECK_STR(out, "errno=EPERM\nerrno=EPERM\n");
	CHECK_EQ(tc_mode_of(f), before);
	CHECK(mtime_of(f) != 1000);
}

/* ---- inotify ----------------------------------------------------------------------- */

TEST(onbehalf_inotify_readable_only)
{
	struct lay l = layout();
	char *olnk = tc_path(l.w, "olnk");
	CHECK(symlink(l.o, olnk) == 0);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = ob_in(p, "seq", tc_fmt("inotify %s", l.w), tc_fmt("inotify %s", l.r),
			  tc_fmt("inotify %s", l.o), tc_fmt("inotify %s/nope", l.r),
			  tc_fmt("inotify %s/nope", l.o), tc_fmt("inotify %s", olnk),
			  tc_fmt("inotify-nofollow %s", olnk), tc_fmt("inotify %s/../odir", l.w),
			  tc_fmt("inotify-event %s made", l.w), NULL);
	static const char *const want[] = {
	    "ok",	    "ok", "errno=EACCES", "errno=ENOENT", "errno=EACCES",
	    "errno=EACCES", "ok", "errno=EACCES", "ok made",	  NULL};
	tc_check_lines(out, want);
}

/* ---- unix sockets ------------------------------------------------------------------ */

TEST(onbehalf_unix_socket_in_writable_tree_only)
{
	struct lay l = layout();
	char *ws = tc_path(l.w, "s"), *rs = tc_path(l.r, "s"), *os = tc_path(l.o, "s");
	char *wd = tc_path(l.w, "d"), *rd = tc_path(l.r, "d"), *sl = tc_path(l.w, "sl");
	struct tc_drain w, r, o, dw, dr;
	tc_drain_start(&w, tc_unix_server(ws, SOCK_STREAM), false);
	tc_drain_start(&r, tc_unix_server(rs, SOCK_STREAM), false);
	tc_drain_start(&o, tc_unix_server(os, SOCK_STREAM), false);
	tc_drain_start(&dw, tc_unix_server(wd, SOCK_DGRAM), true);
	tc_drain_start(&dr, tc_unix_server(rd, SOCK_DGRAM), true);
	CHECK(symlink(rs, sl) == 0);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	char *out = ob_in(p, "seq", tc_fmt("connect %s", ws), tc_fmt("connect %s", rs),
			  tc_fmt("connect %s", os), tc_fmt("connect %s", sl),
			  tc_fmt("connect %s/../rdir/s", l.w), tc_fmt("connect %s/nope", l.w),
			  tc_fmt("connect %s/nope", l.o), tc_fmt("connect %s", l.wf),
			  tc_fmt("sendto %s hi", wd), tc_fmt("sendto %s hi", rd),
			  "abstract sandlock-ob", tc_fmt("tcp %d", (int)tc_free_port()), NULL);
	static const char *const want[] = {
	    "ok", "errno=EACCES", "errno=EACCES", "errno=EACCES", "errno=EACCES", "errno=ENOENT",
	    "errno=EACCES", "errno=ECONNREFUSED", "ok", "errno=EACCES",
	    /* the abstract-socket scope is on: refused, never continued */
	    "errno=EPERM",
	    /* Landlock allows no TCP connect: its answer, from the worker */
	    "errno=EACCES", NULL};
	tc_check_lines(out, want);
	CHECK_EQ(tc_drain_stop(&w), 1);
	CHECK_EQ(tc_drain_stop(&r), 0);
	CHECK_EQ(tc_drain_stop(&o), 0);
	CHECK_EQ(tc_drain_stop(&dw), 1);
	CHECK_EQ(tc_drain_stop(&dr), 0);
}

/* ---- races: the argument rewritten during the call ----------------------------------- */

static long ok_count(const char *out)
{
	long n = -1;
	if (sscanf(out, "ok %ld", &n) != 1)
		th_fail(__FILE__, __LINE__, "probe: \"%s\"", out);
	return n;
}

/* A thread keeps rewriting the path between a file in the writable tree
 * and its twin in the readable one: a check of the path followed by
 * CONTINUE would let some of the chmods land on the twin. */
TEST(onbehalf_race_chmod_path)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	long ok = ok_count(ob_in(p, "race-chmod", l.wf, l.rf, "3000", "600", NULL));
	CHECK(ok > 0);
	CHECK_EQ(tc_mode_of(l.wf), 0600);
	CHECK_EQ(tc_mode_of(l.rf), 0644);
}

TEST(onbehalf_race_connect_and_sendto)
{
	struct lay l = layout();
	char *ws = tc_path(l.w, "s"), *rs = tc_path(l.r, "s");
	char *wd = tc_path(l.w, "d"), *rd = tc_path(l.r, "d");
	struct tc_drain w, r, dw, dr;
	tc_drain_start(&w, tc_unix_server(ws, SOCK_STREAM), false);
	tc_drain_start(&r, tc_unix_server(rs, SOCK_STREAM), false);
	tc_drain_start(&dw, tc_unix_server(wd, SOCK_DGRAM), true);
	tc_drain_start(&dr, tc_unix_server(rd, SOCK_DGRAM), true);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	long c = ok_count(ob_in(p, "race-connect", ws, rs, "2000", NULL));
	long d = ok_count(ob_in(p, "race-sendto", wd, rd, "2000", NULL));
	CHECK(c > 0);
	CHECK(d > 0);
	CHECK(tc_drain_stop(&w) > 0);
	CHECK_EQ(tc_drain_stop(&r), 0);
	CHECK(tc_drain_stop(&dw) > 0);
	CHECK_EQ(tc_drain_stop(&dr), 0);
}

/* A thread keeps swapping a TCP socket and a unix socket onto the fd a
 * connect names: the family is decided on our duplicate, and the call is
 * made on that duplicate, so the unix socket never reaches the twin. */
TEST(onbehalf_race_socket_swapped_under_the_fd)
{
	struct lay l = layout();
	char *ws = tc_path(l.w, "s"), *rs = tc_path(l.r, "s");
	struct tc_drain r;
	close(tc_unix_server(ws, SOCK_STREAM));
	tc_drain_start(&r, tc_unix_server(rs, SOCK_STREAM), false);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	CHECK_EQ(ok_count(ob_in(p, "race-fd", ws, rs, "3000", NULL)), 0);
	CHECK_EQ(tc_drain_stop(&r), 0);
}

/* ---- the host's locks ------------------------------------------------------------- */

/* A file the sandbox may only read, passed as the fd of a notified call
 * (a dirfd, an inotify instance, a socket): the supervisor's duplicate of
 * it was closed in the host's process, and a close drops every POSIX lock
 * the process holds on the file (an SQLite database's, say).  The host's
 * locks outlive every such call. */
TEST(onbehalf_child_fd_keeps_host_locks)
{
	struct lay l = layout();
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	int fd = open(l.rf, O_RDWR | O_CLOEXEC);
	struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	CHECK(fd >= 0 && fcntl(fd, F_SETLK, &lk) == 0);
	CHECK(tc_lock_held(l.rf));
	static const char *const calls[][2] = {
	    /* no directory to resolve from: the core tells nothing */
	    {"openat", "errno=ENOTDIR"},  {"fchmodat", "errno=EACCES"},
	    {"inotify", "errno=EINVAL"},  {"connect", "errno=ENOTSOCK"},
	    {"sendto", "errno=ENOTSOCK"},
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		CHECK_STR(tc_line(ob_in(p, "fd-call", calls[i][0], l.rf, NULL), 0), calls[i][1]);
		if (!tc_lock_held(l.rf))
			th_fail(__FILE__, __LINE__, "%s: the host's lock is gone", calls[i][0]);
	}
	close(fd);
}

/* ---- where pidfd_getfd is refused ---------------------------------------------------- */

/* Docker's default seccomp profile refuses pidfd_getfd without
 * CAP_SYS_PTRACE: here a filter on the test process (the supervisor's)
 * does the same.  A dirfd is then reopened O_PATH through /proc; a socket
 * or an inotify instance cannot be, and those calls are refused. */
TEST(onbehalf_without_pidfd_getfd)
{
	struct lay l = layout();
	char *ws = tc_path(l.w, "s");
	struct tc_drain w;
	tc_drain_start(&w, tc_unix_server(ws, SOCK_STREAM), false);
	sandlock_sandbox_t *p = tc_build(lay_builder(&l));
	tc_refuse_pidfd_getfd();
	char *out = ob_in(p, "seq", tc_fmt("fchmodat %s f 600", l.w),
			  tc_fmt("fchmodat %s f 600", l.r), tc_fmt("chmod-fd %s 604", l.wf),
			  tc_fmt("connect %s", ws), tc_fmt("inotify %s", l.w), NULL);
	static const char *const want[] = {"ok",	  "errno=EACCES", "ok",
					   "errno=EPERM", "errno=EPERM",  NULL};
	tc_check_lines(out, want);
	CHECK_EQ(tc_mode_of(l.wf), 0604);
	CHECK_EQ(tc_mode_of(l.rf), 0644);
	CHECK_EQ(tc_drain_stop(&w), 0);
}
