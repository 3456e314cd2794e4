/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs.c - filesystem confinement: read-only and writable
 * trees, single-file grants, paths outside every tree, through the library,
 * the CLI and sandlock_confine().
 */
#include "common.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* The layout the tests share, under the test's temp dir:
 *   ro/file.txt ("hello\n"), other/secret.txt, rw/ (empty). */
struct layout {
	char *ro, *ro_file, *other_file, *rw;
};

static struct layout make_layout(void)
{
	struct layout l;
	l.ro = tc_mkdir("ro");
	l.ro_file = tc_path(l.ro, "file.txt");
	tc_write_file(l.ro_file, "hello\n", 0644);
	l.other_file = tc_path(tc_mkdir("other"), "secret.txt");
	tc_write_file(l.other_file, "secret\n", 0644);
	l.rw = tc_mkdir("rw");
	return l;
}

static char *seq_arg(const char *cmd, const char *path)
{
	char *s;
	if (asprintf(&s, "%s %s", cmd, path) < 0)
		th_fail(__FILE__, __LINE__, "out of memory");
	return s;
}

/* Reads inside a granted tree work; everything else is EACCES. */
TEST(fs_read_only_tree)
{
	struct layout l = make_layout();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), l.ro));
	char *ro_new = tc_path(l.ro, "new.txt");
	char *out = tc_probe_in(p, "seq", seq_arg("read", l.ro_file), seq_arg("read", l.other_file),
				seq_arg("write", ro_new), seq_arg("write", l.ro_file),
				seq_arg("unlink", l.ro_file), seq_arg("mkdir", tc_path(l.ro, "d")),
				"read /etc/passwd", NULL);
	CHECK_LINE(out, 0, "ok 6");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "errno=EACCES");
	CHECK_LINE(out, 3, "errno=EACCES");
	CHECK_LINE(out, 4, "errno=EACCES");
	CHECK_LINE(out, 5, "errno=EACCES");
	CHECK_LINE(out, 6, "errno=EACCES");
	CHECK(!tc_exists(ro_new));
	CHECK_STR(tc_read_file(l.ro_file), "hello\n");
}

/* A writable tree allows create, write, read back, mkdir and delete. */
TEST(fs_writable_tree)
{
	struct layout l = make_layout();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), l.rw));
	char *a = tc_path(l.rw, "a.txt"), *sub = tc_path(l.rw, "sub");
	char *b = tc_path(sub, "b.txt"), *keep = tc_path(l.rw, "keep.txt");
	char *out =
	    tc_probe_in(p, "seq", seq_arg("write", a), seq_arg("read", a), seq_arg("mkdir", sub),
			seq_arg("write", b), seq_arg("unlink", b), seq_arg("unlink", a),
			seq_arg("write", keep), seq_arg("read", l.ro_file), NULL);
	CHECK_LINE(out, 0, "ok");
	CHECK_LINE(out, 1, "ok 6"); /* "probe\n" */
	CHECK_LINE(out, 2, "ok");
	CHECK_LINE(out, 3, "ok");
	CHECK_LINE(out, 4, "ok");
	CHECK_LINE(out, 5, "ok");
	CHECK_LINE(out, 6, "ok");
	CHECK_LINE(out, 7, "errno=EACCES"); /* ro/ was not granted this time */
	CHECK(!tc_exists(a));
	CHECK(!tc_exists(b));
	CHECK(tc_exists(sub));
	CHECK_STR(tc_read_file(keep), "probe\n");
}

/* A single file can be granted: its siblings stay out of reach. */
TEST(fs_single_file_grant)
{
	char *dir = tc_mkdir("one");
	char *granted = tc_path(dir, "granted.txt"), *sibling = tc_path(dir, "sibling.txt");
	char *wfile = tc_path(dir, "w.txt"), *created = tc_path(dir, "created.txt");
	tc_write_file(granted, "granted\n", 0644);
	tc_write_file(sibling, "sibling\n", 0644);
	tc_write_file(wfile, "w\n", 0644);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), granted);
	b = sandlock_sandbox_builder_fs_write(b, wfile);
	sandlock_sandbox_t *p = tc_build(b);
	char *app;
	if (asprintf(&app, "append %s more", wfile) < 0)
		th_fail(__FILE__, __LINE__, "oom");
	char *out = tc_probe_in(p, "seq", seq_arg("read", granted), seq_arg("read", sibling), app,
				seq_arg("read", wfile), seq_arg("write", created),
				seq_arg("write", granted), NULL);
	CHECK_LINE(out, 0, "ok 8");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "ok");
	CHECK_LINE(out, 3, "ok 6"); /* "w\nmore" */
	CHECK_LINE(out, 4, "errno=EACCES");
	CHECK_LINE(out, 5, "errno=EACCES");
	CHECK(!tc_exists(created));
	CHECK_STR(tc_read_file(wfile), "w\nmore");
	CHECK_STR(tc_read_file(granted), "granted\n");
}

/* Without any grant beyond the probe, the probe still runs but reads
 * nothing else, not even world-readable system files. */
TEST(fs_nothing_granted)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = tc_probe_in(p, "seq", "read /etc/passwd", "read /usr/bin/env",
				seq_arg("write", tc_path(th_tmpdir(), "x")), NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "errno=EACCES");
	CHECK(!tc_exists(tc_path(th_tmpdir(), "x")));
}

/* The same through the CLI's -r / -w. */
TEST(cli_fs_read_write)
{
	struct layout l = make_layout();
	char *a = tc_path(l.rw, "a.txt"), *ro_new = tc_path(l.ro, "new.txt");
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "-r", l.ro, "-w", l.rw, "--",
			    tc_probe(), "seq", seq_arg("read", l.ro_file),
			    seq_arg("read", l.other_file), seq_arg("write", ro_new),
			    seq_arg("write", a), seq_arg("unlink", l.ro_file), NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr: %s", rc, err);
	CHECK_LINE(out, 0, "ok 6");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "errno=EACCES");
	CHECK_LINE(out, 3, "ok");
	CHECK_LINE(out, 4, "errno=EACCES");
	CHECK(!tc_exists(ro_new));
	CHECK_STR(tc_read_file(a), "probe\n");
	CHECK(tc_exists(l.ro_file));
}

/* The library reports a granted path that does not exist as a failed run
 * naming the path, without running the command. */
TEST(fs_missing_path_fails_run)
{
	char *marker = tc_path(th_tmpdir(), "marker");
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_fs_read(tc_builder(), "/nonexistent/sl-path");
	b = sandlock_sandbox_builder_fs_write(b, th_tmpdir());
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (!p) {
		/* Rejected at build: fine, as long as the message names it. */
		CHECK_EQ(err, -1);
		CHECK_CONTAINS(msg, "/nonexistent/sl-path");
		return;
	}
	const char *argv[] = {tc_probe(), "write", marker, NULL};
	sandlock_result_t *r = sandlock_run(p, NULL, argv, 3);
	if (r) {
		struct tc_res res = tc_result(r);
		th_fail(__FILE__, __LINE__,
			"run of a policy with a missing path returned a result (code %d, stderr "
			"\"%s\"); expected NULL with the path in sandlock_last_error()",
			res.code, res.err);
	}
	CHECK_CONTAINS(sandlock_last_error(), "/nonexistent/sl-path");
	CHECK(!tc_exists(marker));
	/* The ruleset is built while the keeper and the child start: both
	 * are gone, reaped, when the failure is reported. */
	siginfo_t si = {0};
	CHECK(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL) < 0 && errno == ECHILD);
}

/* sandlock_confine() restricts the calling process itself.  It runs in a
 * child of the test so the test process can still clean its temp dir. */
TEST(confine_fs_read)
{
	struct layout l = make_layout();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		sandlock_sandbox_t *p = tc_build(
		    sandlock_sandbox_builder_fs_read(sandlock_sandbox_builder_new(), l.ro));
		if (sandlock_confine(p) != 0) {
			fprintf(stderr, "    sandlock_confine: %s\n", sandlock_last_error());
			_exit(10);
		}
		char *s = tc_read_file(l.ro_file);
		if (!s || strcmp(s, "hello\n") != 0)
			_exit(11);
		errno = 0;
		if (tc_read_file(l.other_file) || errno != EACCES)
			_exit(12);
		errno = 0;
		if (open(tc_path(l.ro, "new"), O_WRONLY | O_CREAT, 0644) >= 0 || errno != EACCES)
			_exit(13);
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	/* 10 confine failed, 11 granted read failed, 12 outside read not EACCES,
	 * 13 write under the read-only tree not EACCES. */
	CHECK_EQ(WEXITSTATUS(st), 0);
	/* The test process itself is unaffected. */
	CHECK(tc_read_file(l.other_file) != NULL);
}
