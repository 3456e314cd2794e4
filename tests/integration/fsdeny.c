/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsdeny.c - fs_denied, enforced by Landlock: a denied file and
 * a denied directory under a readable and under a writable tree, reached
 * by every name the child can build (symlinks, "..", /proc/self/root,
 * dirfds, a racing thread), through the library, the CLI and
 * sandlock_confine(); other mounts of a denied path; denied paths that
 * vanished before the start.
 */
#include "common.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The layout, under the test's temp dir:
 *   tree/pub ("pub\n"), tree/sub/f ("f\n"), tree/sub2/
 *   tree/priv/next ("next\n"), tree/priv/tool (a copy of the probe)
 *   tree/priv/secret             the denied path: a copy of the probe,
 *                                or a directory holding data and tool
 *   scratch/onto ("onto\n")      always writable
 * `target` is what is read (secret or secret/data), `exe` what is
 * executed (secret or secret/tool), `rel` target relative to tree/priv. */
struct layout {
	char *tree, *pub, *sub, *sub_f, *sub2, *priv, *next, *tool, *secret;
	char *target, *exe, *rel, *scratch, *onto;
};

static void copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (in < 0 || out < 0)
		th_fail(__FILE__, __LINE__, "copy %s to %s: %s", from, to, strerror(errno));
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			th_fail(__FILE__, __LINE__, "write %s: %s", to, strerror(errno));
	close(in);
	close(out);
}

static struct layout make_layout(bool secret_dir)
{
	struct layout l;
	l.tree = tc_mkdir("tree");
	l.pub = tc_path(l.tree, "pub");
	tc_write_file(l.pub, "pub\n", 0644);
	l.sub = tc_mkdir("tree/sub");
	l.sub_f = tc_path(l.sub, "f");
	tc_write_file(l.sub_f, "f\n", 0644);
	l.sub2 = tc_mkdir("tree/sub2");
	l.priv = tc_mkdir("tree/priv");
	l.next = tc_path(l.priv, "next");
	tc_write_file(l.next, "next\n", 0644);
	l.tool = tc_path(l.priv, "tool");
	copy_file(tc_probe(), l.tool, 0755);
	l.secret = tc_path(l.priv, "secret");
	if (secret_dir) {
		tc_mkdir("tree/priv/secret");
		l.target = tc_path(l.secret, "data");
		tc_write_file(l.target, "secret\n", 0644);
		l.exe = tc_path(l.secret, "tool");
		copy_file(tc_probe(), l.exe, 0755);
		l.rel = "secret/data";
	} else {
		copy_file(tc_probe(), l.secret, 0755);
		l.target = l.exe = l.secret;
		l.rel = "secret";
	}
	l.scratch = tc_mkdir("scratch");
	l.onto = tc_path(l.scratch, "onto");
	tc_write_file(l.onto, "onto\n", 0644);
	return l;
}

static char *cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cmd(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		th_fail(__FILE__, __LINE__, "out of memory");
	va_end(ap);
	return s;
}

/* The probe's answer to a link or rename of a denied file to another
 * directory: Landlock answers EXDEV when only REFER is missing (the file
 * would gain rights it lacks where it is), EACCES otherwise. */
static void check_refused(const char *line, int n)
{
	if (strcmp(line, "errno=EACCES") && strcmp(line, "errno=EXDEV"))
		th_fail(__FILE__, __LINE__, "line %d: \"%s\", wanted EACCES or EXDEV", n, line);
}

/* Everything the child can try on the denied path, and what stays
 * allowed beside it, for one of the four layouts. */
static void check_denied(bool writable, bool secret_dir)
{
	struct layout l = make_layout(secret_dir);
	sandlock_builder_t *b = tc_builder();
	b = writable ? sandlock_sandbox_builder_fs_write(b, l.tree)
		     : sandlock_sandbox_builder_fs_read(b, l.tree);
	b = sandlock_sandbox_builder_fs_write(b, l.scratch);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, l.secret));
	char *ln = tc_path(l.scratch, "ln"), *hl = tc_path(l.scratch, "hl");
	char *moved = tc_path(l.scratch, "moved");
	char *out =
	    tc_probe_in(p, "seq", cmd("read %s", l.target),			   /* 0 */
			cmd("read %s/../priv/%s", l.sub, l.rel),		   /* 1 */
			cmd("read /proc/self/root%s", l.target),		   /* 2 */
			cmd("openat-rel %s %s", l.priv, l.rel),			   /* 3 */
			cmd("symlink %s %s", l.secret, ln),			   /* 4 */
			cmd("read %s%s", ln, secret_dir ? "/data" : ""),	   /* 5 */
			cmd("link %s %s", l.target, hl),			   /* 6 */
			cmd("link %s %s/hl", l.target, l.priv),			   /* 7 */
			cmd("rename %s %s", l.secret, moved),			   /* 8 */
			cmd("rename %s %s", l.onto, l.target),			   /* 9 */
			cmd("unlink %s", l.target),				   /* 10 */
			cmd("write %s", l.target),				   /* 11 */
			cmd("ls %s", l.secret),					   /* 12 */
			cmd("stat %s", l.target),				   /* 13 */
			cmd("read %s", l.pub), cmd("read %s", l.sub_f),		   /* 14, 15 */
			cmd("read %s", l.next), cmd("openat-rel %s next", l.priv), /* 16, 17 */
			cmd("ls %s", l.priv), cmd("ls %s", l.tree),		   /* 18, 19 */
			cmd("write %s/new", l.priv), cmd("mkdir %s/d", l.priv),	   /* 20, 21 */
			cmd("append %s more", l.pub), cmd("write %s/new", l.sub),  /* 22, 23 */
			cmd("rename %s %s/f", l.sub_f, l.sub2), NULL);		   /* 24 */
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "errno=EACCES");
	CHECK_LINE(out, 3, "errno=EACCES");
	CHECK_LINE(out, 4, "ok"); /* a symlink is only a string */
	CHECK_LINE(out, 5, "errno=EACCES");
	check_refused(tc_line(out, 6), 6);
	CHECK_LINE(out, 7, "errno=EACCES");
	check_refused(tc_line(out, 8), 8);
	CHECK_LINE(out, 9, "errno=EACCES");
	CHECK_LINE(out, 10, "errno=EACCES");
	CHECK_LINE(out, 11, "errno=EACCES");
	CHECK_LINE(out, 12, secret_dir ? "errno=EACCES" : "errno=ENOTDIR");
	CHECK_LINE(out, 13, "ok"); /* Landlock does not mediate stat */
	CHECK_LINE(out, 14, "ok 4");
	CHECK_LINE(out, 15, "ok 2");
	CHECK_LINE(out, 16, "ok 5");
	CHECK_LINE(out, 17, "ok 5");
	/* The directories on the way list only when no denied directory is
	 * beneath them (READ_DIR would reach it). */
	CHECK_LINE(out, 18, secret_dir ? "errno=EACCES" : "ok 3");
	CHECK_LINE(out, 19, secret_dir ? "errno=EACCES" : "ok 4");
	/* Nothing is created in them, even in a writable tree. */
	CHECK_LINE(out, 20, "errno=EACCES");
	CHECK_LINE(out, 21, "errno=EACCES");
	CHECK_LINE(out, 22, writable ? "ok" : "errno=EACCES");
	CHECK_LINE(out, 23, writable ? "ok" : "errno=EACCES");
	CHECK_LINE(out, 24, writable ? "ok" : "errno=EACCES");

	CHECK(tc_exists(l.target));
	CHECK(!tc_exists(hl));
	CHECK(!tc_exists(moved));
	CHECK(!tc_exists(tc_path(l.priv, "hl")));
	CHECK(!tc_exists(tc_path(l.priv, "new")));
	CHECK_STR(tc_read_file(l.onto), "onto\n");
	CHECK_STR(tc_read_file(l.pub), writable ? "pub\nmore" : "pub\n");

	/* Executing the denied program fails; its sibling runs. */
	CHECK_STR(tc_probe_in(p, "exec", l.exe, "kill-self", NULL), "errno=EACCES");
	CHECK_STR(tc_probe_in(p, "exec", l.tool, "kill-self", NULL), "ok");
}

TEST(fsdeny_file_in_read_tree)
{
	check_denied(false, false);
}

TEST(fsdeny_file_in_write_tree)
{
	check_denied(true, false);
}

TEST(fsdeny_dir_in_read_tree)
{
	check_denied(false, true);
}

TEST(fsdeny_dir_in_write_tree)
{
	check_denied(true, true);
}

/* Two threads keep swapping a path buffer between an allowed file and
 * the denied one while the main thread opens it: the kernel decides on
 * the inode it resolved, so the denied file is never read. */
TEST(fsdeny_thread_race)
{
	struct layout l = make_layout(false);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), l.tree);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, l.secret));
	/* The denied file must never be read.  Whether the racing thread
	 * got the denied path in at all is up to the scheduler: try again
	 * (a few times) until it did, so the test proves the race ran. */
	long good = -1, denied = -1, eacces = 0, other = -1;
	char *out = NULL;
	for (int attempt = 0; attempt < 5 && eacces == 0; attempt++) {
		out = tc_probe_in(p, "race", l.next, l.secret, "20000", NULL);
		if (sscanf(out, "ok good=%ld denied=%ld eacces=%ld other=%ld", &good, &denied,
			   &eacces, &other) != 4)
			th_fail(__FILE__, __LINE__, "race: \"%s\"", out);
		CHECK_EQ(denied, 0);
	}
	if (eacces == 0)
		th_fail(__FILE__, __LINE__, "the race never tried the denied path: %s", out);
	if (good == 0) /* scheduling: possible, not a failure */
		printf("    note: the allowed path was never read (%s)\n", out);
}

/* A granted tree beneath a denied path gets nothing (deny wins). */
TEST(fsdeny_wins_over_narrower_grant)
{
	struct layout l = make_layout(true);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), l.secret);
	b = sandlock_sandbox_builder_fs_write(b, l.sub);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, l.priv));
	char *out = tc_probe_in(p, "seq", cmd("read %s", l.target), cmd("read %s", l.next),
				cmd("read %s", l.sub_f), NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "ok 2");
}

/* A denied path that existed when the policy was built but is gone when
 * the sandbox starts cannot be created, directly, through a symlink or
 * by renaming something onto its name. */
TEST(fsdeny_missing_path_cannot_be_created)
{
	struct layout l = make_layout(false);
	char *gone = tc_path(l.priv, "gone"), *gone_dir = tc_path(l.sub, "gone-dir");
	tc_write_file(gone, "x\n", 0644);
	CHECK_EQ(mkdir(gone_dir, 0755), 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder(), l.tree);
	b = sandlock_sandbox_builder_fs_write(b, l.scratch);
	b = sandlock_sandbox_builder_fs_deny(b, gone);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, gone_dir));
	CHECK_EQ(unlink(gone), 0);
	CHECK_EQ(rmdir(gone_dir), 0);
	char *ln = tc_path(l.scratch, "ln");
	char *out = tc_probe_in(
	    p, "seq", cmd("write %s", gone), cmd("mkdir %s", gone), cmd("symlink %s %s", gone, ln),
	    cmd("write %s", ln), cmd("rename %s %s", l.onto, gone), cmd("mkdir %s", gone_dir),
	    cmd("write %s/new", l.sub), cmd("write %s/new", l.sub2), cmd("read %s", l.next), NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "ok");
	CHECK_LINE(out, 3, "errno=EACCES");
	check_refused(tc_line(out, 4), 4);
	CHECK_LINE(out, 5, "errno=EACCES");
	CHECK_LINE(out, 6, "errno=EACCES"); /* sub is on the way to gone-dir */
	CHECK_LINE(out, 7, "ok");
	CHECK_LINE(out, 8, "ok 5");
	CHECK(!tc_exists(gone));
	CHECK(!tc_exists(gone_dir));
}

/* A system file under the usual read-only trees, named through the
 * /etc/os-release symlink and the merged-/usr symlinks: the rest of
 * /usr still runs a shell. */
TEST(fsdeny_system_file)
{
	char real[PATH_MAX];
	if (!realpath("/etc/os-release", real) || strncmp(real, "/usr/", 5) != 0)
		SKIP("/etc/os-release is not a symlink into /usr here");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(tc_builder_sys(), real));
	struct tc_res r = tc_run(p, NULL, "/bin/sh", "-c",
				 "cat /etc/os-release; echo rc=$?; "
				 "cat /usr/lib/../lib/os-release; echo rc=$?; "
				 "cat /lib/os-release; echo rc=$?; "
				 "/usr/bin/env true && echo env-ok",
				 NULL);
	CHECK_EQ(r.code, 0);
	CHECK_LINE(r.out, 0, "rc=1");
	CHECK_LINE(r.out, 1, "rc=1");
	CHECK_LINE(r.out, 2, "rc=1");
	CHECK_LINE(r.out, 3, "env-ok");
	CHECK_CONTAINS(r.err, "Permission denied");
}

/* The CLI's --fs-deny. */
TEST(fsdeny_cli)
{
	struct layout l = make_layout(false);
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "-r", l.tree, "--fs-deny", l.secret,
			    "--", tc_probe(), "seq", cmd("read %s", l.secret),
			    cmd("read %s", l.next), cmd("read %s", l.pub), NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr: %s", rc, err);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "ok 5");
	CHECK_LINE(out, 2, "ok 4");
}

/* sandlock_confine() honours fs_denied too (in a child of the test). */
TEST(fsdeny_confine)
{
	tc_require_kernel();
	struct layout l = make_layout(false);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		sandlock_builder_t *b =
		    sandlock_sandbox_builder_fs_read(sandlock_sandbox_builder_new(), l.tree);
		sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, l.secret));
		if (sandlock_confine(p) != 0) {
			fprintf(stderr, "    sandlock_confine: %s\n", sandlock_last_error());
			_exit(10);
		}
		errno = 0;
		if (tc_read_file(l.secret) || errno != EACCES)
			_exit(11);
		char *s = tc_read_file(l.next);
		if (!s || strcmp(s, "next\n") != 0)
			_exit(12);
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	/* 10 confine failed, 11 the denied file was readable (or not EACCES),
	 * 12 its sibling was not readable. */
	CHECK_EQ(WEXITSTATUS(st), 0);
}

/* Another mount of the denied path's directory, inside another granted
 * tree: the same inode reached through other directories is denied too.
 * Needs root for a private mount namespace. */
TEST(fsdeny_bind_mount_alias)
{
	if (!th_root())
		SKIP("needs root to bind-mount");
	struct layout l = make_layout(true);
	char *m = tc_mkdir("m"), *a2 = tc_mkdir("m/a2"), *only = tc_mkdir("only");
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	CHECK_EQ(mount(l.priv, a2, NULL, MS_BIND, NULL), 0); /* priv at m/a2 */
	CHECK_EQ(mount(tc_path(l.secret, "data"), tc_path(l.sub, "f"), NULL, MS_BIND, NULL), 0);
	CHECK_EQ(mount(l.secret, only, NULL, MS_BIND, NULL), 0); /* secret at only */
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), m);
	b = sandlock_sandbox_builder_fs_read(b, l.sub);
	b = sandlock_sandbox_builder_fs_read(b, tc_path(th_tmpdir(), "only"));
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, l.secret));
	char *out = tc_probe_in(p, "seq", cmd("read %s/secret/data", a2), cmd("read %s/next", a2),
				cmd("read %s", l.sub_f), cmd("read %s/data", only),
				cmd("read %s", l.target), NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "ok 5");
	CHECK_LINE(out, 2, "errno=EACCES"); /* the denied data, bind-mounted on sub/f */
	CHECK_LINE(out, 3, "errno=EACCES");
	CHECK_LINE(out, 4, "errno=EACCES");
}

/* A process's /proc entry cannot be denied by path: resolved at the
 * start, /proc/self is sandlock's own process, never the sandbox's (whose
 * processes do not exist yet); refused, saying so, rather than denying
 * an entry the sandbox never sees.  /proc's other files still can be. */
TEST(fsdeny_process_entry_refused)
{
	char *err = NULL;
	CHECK_EQ(tc_cli_run(NULL, &err, "-p", "default", "--fs-deny", "/proc/self/environ", "--",
			    "/bin/true", NULL),
		 1);
	CHECK_CONTAINS(err, "it names the /proc entry of process ");
	CHECK_EQ(tc_cli_run(NULL, &err, "-p", "default", "--fs-deny", "/proc/1", "--", "/bin/true",
			    NULL),
		 1);
	CHECK_CONTAINS(err, "/proc entry of process 1 ");
	CHECK_EQ(tc_cli_run(NULL, &err, "-p", "default", "--fs-deny", "/proc/sys/kernel", "--",
			    "/bin/true", NULL),
		 0);
}
