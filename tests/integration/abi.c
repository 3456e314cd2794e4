/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi.c - bad input through the C ABI and the CLI: the library returns an
 * error with a message and never crashes; the CLI exits 1 or 2 with a
 * message and starts nothing.
 */
#include "common.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void check_failed_with_message(const void *ret, const char *what)
{
	if (ret)
		th_fail(__FILE__, __LINE__, "%s: expected NULL", what);
	if (!sandlock_last_error() || !sandlock_last_error()[0])
		th_fail(__FILE__, __LINE__, "%s: NULL without a message", what);
}

TEST(abi_run_bad_arguments)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	const char *holey[] = {tc_probe(), NULL, "0", NULL};
	check_failed_with_message(sandlock_run(NULL, NULL, argv, 3), "run(NULL policy)");
	check_failed_with_message(sandlock_run(p, NULL, NULL, 3), "run(NULL argv)");
	check_failed_with_message(sandlock_run(p, NULL, argv, 0), "run(argc 0)");
	check_failed_with_message(sandlock_run(p, NULL, holey, 3), "run(NULL argv element)");
	check_failed_with_message(sandlock_create(NULL, NULL, argv, 3), "create(NULL policy)");
	check_failed_with_message(sandlock_create(p, NULL, NULL, 3), "create(NULL argv)");
	check_failed_with_message(sandlock_create(p, NULL, argv, 0), "create(argc 0)");
	check_failed_with_message(sandlock_create(p, NULL, holey, 3), "create(NULL element)");
	check_failed_with_message(sandlock_create_for_run(p, NULL, argv, 0), "create_for_run");
	/* A good call afterwards still works and clears nothing it should not. */
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
}

TEST(abi_null_handles_are_harmless)
{
	int err = 0;
	char *msg = NULL;
	CHECK(sandlock_sandbox_build(NULL, &err, &msg) == NULL);
	CHECK_EQ(err, -1);
	sandlock_string_free(msg);
	sandlock_sandbox_free(NULL);
	sandlock_result_free(NULL);
	sandlock_string_free(NULL);
	sandlock_handle_free(NULL);
	CHECK_EQ(sandlock_start(NULL), -1);
	CHECK(sandlock_handle_wait(NULL) == NULL);
	CHECK_EQ(sandlock_handle_pause(NULL), -1);
	/* Builder calls ignore NULL strings and return the builder. */
	sandlock_builder_t *b = tc_builder();
	CHECK(sandlock_sandbox_builder_fs_read(b, NULL) == b);
	CHECK(sandlock_sandbox_builder_env_var(b, NULL, "x") == b);
	CHECK(sandlock_sandbox_builder_fs_read(NULL, "/usr") == NULL);
	sandlock_sandbox_free(tc_build(b));
}

TEST(abi_unknown_syscall_name)
{
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "getrandom,sl_bogus_call");
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	CHECK(p == NULL);
	CHECK_EQ(err, -1);
	CHECK_CONTAINS(msg, "sl_bogus_call");
	CHECK_CONTAINS(sandlock_last_error(), "sl_bogus_call");
	sandlock_string_free(msg);
	/* Every unknown name is listed, a 32-bit ABI's name among them
	 * (fcntl64 has no number on a 64-bit architecture). */
	b = sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(),
							 "sl_bogus_a,getpid,fcntl64,sl_bogus_b");
	CHECK(sandlock_sandbox_build(b, &err, NULL) == NULL);
	CHECK_EQ(err, -1);
	CHECK_CONTAINS(sandlock_last_error(),
		       "unknown syscall name(s): sl_bogus_a, fcntl64, sl_bogus_b");
}

TEST(abi_syscall_nr)
{
	CHECK_EQ(sandlock_syscall_nr("getrandom"), SYS_getrandom);
	CHECK_EQ(sandlock_syscall_nr("mount"), SYS_mount);
	CHECK_EQ(sandlock_syscall_nr("shmget"), SYS_shmget);
	CHECK_EQ(sandlock_syscall_nr("sl_bogus_call"), -1);
	CHECK_EQ(sandlock_syscall_nr(NULL), -1);
	/* every syscall of the architecture has its name */
	CHECK_EQ(sandlock_syscall_nr("read"), SYS_read);
	CHECK_EQ(sandlock_syscall_nr("write"), SYS_write);
	CHECK_EQ(sandlock_syscall_nr("getpid"), SYS_getpid);
	CHECK_EQ(sandlock_syscall_nr("exit_group"), SYS_exit_group);
	CHECK_EQ(sandlock_syscall_nr("fcntl64"), -1);
	CHECK_EQ(sandlock_syscall_nr("mseal"), 462); /* newer than Debian 12's headers */
}

/* A field whose enforcement has not landed is refused, at build or at run,
 * never silently ignored. */
/* The caller may free its policy once the sandbox is created: the run
 * keeps its own copy (the views, the HTTP gate and the proc view keep
 * pointers into it; an AddressSanitizer build catches a use after
 * free). */
TEST(abi_policy_freed_while_running)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/proc");
	b = sandlock_sandbox_builder_http_allow(b, "GET 127.0.0.1/*");
	sandlock_sandbox_t *p = tc_build(b);
	const char *argv[] = {"/bin/sh", "-c",
			      "sleep 0.2; cat /etc/hostname; head -1 /proc/self/status", NULL};
	sandlock_handle_t *h = sandlock_create(p, "freed", argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	sandlock_sandbox_free(p);
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	sandlock_handle_free(h);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "freed\nName:\thead\n");
}

TEST(abi_not_supported_yet)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_uid(tc_builder(), 7);
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (!p) {
		CHECK_EQ(err, -1);
		CHECK_CONTAINS(msg, "not supported yet: uid");
		return;
	}
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	sandlock_result_t *r = sandlock_run(p, NULL, argv, 3);
	if (r)
		th_fail(__FILE__, __LINE__, "uid policy ran (exit %d)",
			sandlock_result_exit_code(r));
	CHECK_CONTAINS(sandlock_last_error(), "not supported yet: uid");
}

/* CLI errors: a marker file the command would create shows whether it ran. */
struct cli_err {
	int rc;
	char *err;
	bool ran;
};

/* Runs `sandlock run -r PROBEDIR -w DIR A0 [A1 [A2]] probe write DIR/marker`. */
static struct cli_err cli_fail(const char *a0, const char *a1, const char *a2)
{
	char *dir = tc_mkdir("cli");
	char *marker = tc_path(dir, "marker");
	const char *argv[16];
	int n = 0;
	argv[n++] = tc_cli();
	argv[n++] = "run";
	argv[n++] = "-r";
	argv[n++] = tc_probe_dir();
	argv[n++] = "-w";
	argv[n++] = dir;
	for (const char *const *a = (const char *const[]){a0, a1, a2, NULL}; *a; a++)
		argv[n++] = *a;
	argv[n++] = tc_probe();
	argv[n++] = "write";
	argv[n++] = marker;
	argv[n] = NULL;
	struct cli_err e = {0};
	int st = th_run((char *const *)argv, NULL, NULL, &e.err);
	e.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	e.ran = tc_exists(marker);
	return e;
}

TEST(cli_unknown_flag)
{
	struct cli_err e = cli_fail("--sl-bogus-flag", "--", NULL);
	CHECK_EQ(e.rc, 2);
	CHECK_EQ(tc_nlines(e.err), 1);
	CHECK_CONTAINS(e.err, "--sl-bogus-flag");
	CHECK(!e.ran);
}

TEST(cli_missing_read_path)
{
	struct cli_err e = cli_fail("-r", "/nonexistent/sl-path", "--");
	CHECK_EQ(e.rc, 1);
	CHECK_CONTAINS(e.err, "/nonexistent/sl-path");
	CHECK(!e.ran);
}

TEST(cli_unknown_syscall_name)
{
	struct cli_err e = cli_fail("--extra-deny-syscall", "sl_bogus_call", "--");
	CHECK_EQ(e.rc, 1);
	CHECK_CONTAINS(e.err, "sl_bogus_call");
	CHECK(!e.ran);
}

TEST(cli_missing_dashdash)
{
	struct cli_err e = cli_fail("--name", "x", NULL);
	CHECK_EQ(e.rc, 2);
	CHECK(e.err[0] != 0);
	CHECK(!e.ran);
}

TEST(cli_sanity_marker_written)
{
	/* The harness above is meaningful only if a good run writes the marker. */
	struct cli_err e = cli_fail("--name", "x", "--");
	CHECK_EQ(e.rc, 0);
	CHECK(e.ran);
}

/* A timeout too large for the CLI is a usage error that says so, not a run
 * that times out at once (18446744073709551 s wrapped to a past deadline). */
TEST(cli_timeout_out_of_range)
{
	struct cli_err e = cli_fail("-t", "18446744073709551", "--");
	CHECK_EQ(e.rc, 2);
	CHECK_EQ(tc_nlines(e.err), 1);
	CHECK_CONTAINS(e.err, "'18446744073709551' for --timeout: out of range");
	CHECK(!e.ran);
	e = cli_fail("-t", "99999999999999999999", "--");
	CHECK_EQ(e.rc, 2);
	CHECK_STR(e.err, "sandlock: invalid value '99999999999999999999' for --timeout: out of "
			 "range (SECS must be between 1 and 4294967295)\n");
	CHECK(!e.ran);
}
