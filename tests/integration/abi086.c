/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi086.c - the functions the reference's later releases (up to 0.8.6)
 * added to the C ABI: a binding built for them resolves every one when it
 * loads, through libsandlock_ffi.so; what has not landed fails with its
 * failure value and "not supported yet: <feature>"; the exit reason and
 * signal follow the later releases' contract.
 */
#include "common.h"

#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <signal.h>

static const char *const added[] = {
    "sandlock_popen",
    "sandlock_handle_kill",
    "sandlock_result_reason",
    "sandlock_result_signal",
    "sandlock_dry_run_result_reason",
    "sandlock_dry_run_result_signal",
    "sandlock_sandbox_builder_allow_degraded",
    "sandlock_sandbox_builder_disable",
    "sandlock_protection_min_abi",
    "sandlock_sandbox_builder_net_deny",
    "sandlock_sandbox_builder_net_allow_bind",
    "sandlock_sandbox_builder_net_deny_bind",
    "sandlock_sandbox_builder_http_inject_ca",
    "sandlock_sandbox_builder_http_ca_out",
    "sandlock_sandbox_builder_user",
    "sandlock_sandbox_builder_fs_mount_ro",
    "sandlock_action_set_inject_bytes",
    "sandlock_handler_set_deferred",
    "sandlock_restore_interactive",
    "sandlock_handle_restore_skipped_len",
    "sandlock_handle_restore_skipped_fd",
    "sandlock_handle_restore_skipped_path",
};

/* Every added symbol resolves in the library a 0.8.6 binding loads. */
TEST(abi086_symbols_resolve)
{
	void *lib = dlopen(th_build("libsandlock_ffi.so"), RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		th_fail(__FILE__, __LINE__, "dlopen: %s", dlerror());
	for (size_t i = 0; i < sizeof(added) / sizeof(added[0]); i++)
		if (!dlsym(lib, added[i]))
			th_fail(__FILE__, __LINE__, "%s does not resolve", added[i]);
	dlclose(lib);
}

/* A setter that has not landed makes the build fail with its name. */
static void check_parked(sandlock_builder_t *b, const char *feature)
{
	int err = 0;
	char *msg = NULL;
	CHECK(sandlock_sandbox_build(b, &err, &msg) == NULL);
	CHECK_EQ(err, -1);
	char want[128];
	snprintf(want, sizeof(want), "not supported yet: %s", feature);
	CHECK_CONTAINS(msg, want);
	free(msg);
}

TEST(abi086_setters_not_landed_refuse_the_build)
{
	/* the HTTP proxy's two have landed: they build */
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(
	    sandlock_sandbox_builder_http_inject_ca(tc_builder(), tc_probe()), &err, &msg);
	if (!p)
		th_fail(__FILE__, __LINE__, "http_inject_ca: %s", msg ? msg : "?");
	sandlock_sandbox_free(p);
	p = sandlock_sandbox_build(
	    sandlock_sandbox_builder_http_ca_out(tc_builder(), "/tmp/ca.pem"), &err, &msg);
	if (!p)
		th_fail(__FILE__, __LINE__, "http_ca_out: %s", msg ? msg : "?");
	sandlock_sandbox_free(p);
	check_parked(sandlock_sandbox_builder_user(tc_builder(), 1000, 1000), "user");
	check_parked(sandlock_sandbox_builder_fs_mount_ro(tc_builder(), "/data", "/tmp"),
		     "fs_mount_ro");
	/* NULL builders stay NULL */
	CHECK(sandlock_sandbox_builder_user(NULL, 1, 1) == NULL);
}

TEST(abi086_protection_min_abi)
{
	const uint32_t want[] = {2, 3, 4, 5, 6, 6};
	for (uint32_t p = 0; p < 6; p++)
		CHECK_EQ(sandlock_protection_min_abi(p), want[p]);
	CHECK_EQ(sandlock_protection_min_abi(6), 0);
	CHECK_EQ(sandlock_protection_min_abi(UINT32_MAX), 0);
}

/* Calls that return a handle or a value fail with the message. */
TEST(abi086_calls_not_landed_fail)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK(sandlock_restore_interactive(p, NULL, NULL) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "not supported yet: checkpoint restore");
	CHECK_EQ(sandlock_handle_restore_skipped_len(NULL), 0);
	CHECK_EQ(sandlock_handle_restore_skipped_fd(NULL, 0), -1);
	CHECK(sandlock_handle_restore_skipped_path(NULL, 0) == NULL);
	CHECK_EQ(sandlock_dry_run_result_reason(NULL), SANDLOCK_STATUS_KILLED);
	CHECK_EQ(sandlock_dry_run_result_signal(NULL), -1);
}

/* reason and signal as the later releases define them: the signal only
 * when one ended the command, -1 otherwise; KILLED for NULL. */
TEST(abi086_result_reason_and_signal)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *ok[] = {tc_probe(), "exit", "3", NULL};
	sandlock_result_t *r = sandlock_run(p, NULL, ok, 3);
	CHECK(r != NULL);
	CHECK_EQ(sandlock_result_reason(r), SANDLOCK_STATUS_EXITED);
	CHECK_EQ(sandlock_result_exit_code(r), 3);
	CHECK_EQ(sandlock_result_signal(r), -1);
	sandlock_result_free(r);
	sandlock_sandbox_t *sys = tc_build(tc_builder_sys());
	const char *killed[] = {"/bin/sh", "-c", "kill -TERM $$", NULL};
	r = sandlock_run(sys, NULL, killed, 3);
	CHECK(r != NULL);
	CHECK_EQ(sandlock_result_reason(r), SANDLOCK_STATUS_SIGNALED);
	CHECK_EQ(sandlock_result_signal(r), SIGTERM);
	sandlock_result_free(r);
	CHECK_EQ(sandlock_result_reason(NULL), SANDLOCK_STATUS_KILLED);
	CHECK_EQ(sandlock_result_signal(NULL), -1);
}

/* ---- popen ----------------------------------------------------------------- */

/* Reads fd to EOF in chunks, pausing every MiB (a slow reader), checking
 * every byte against the spew probe's pattern.  Returns the count. */
static size_t read_spew(int fd)
{
	static unsigned char buf[65536];
	size_t total = 0, next_pause = 1 << 20;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n > 0);
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (unsigned char)('!' + (total + (size_t)i) % 251 % 90))
				th_fail(__FILE__, __LINE__, "byte %zu differs", total + (size_t)i);
		total += (size_t)n;
		if (total >= next_pause) {
			usleep(1000);
			next_pause += 1 << 20;
		}
	}
	return total;
}

/* 100 MiB streamed through a piped stdout to a slow reader, stderr to
 * /dev/null, stdin inherited; the result holds no output. */
TEST(popen_streams_to_a_slow_reader)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "spew", "104857600", NULL};
	int in = 7, out = 7, err = 7;
	sandlock_handle_t *h =
	    sandlock_popen(p, NULL, argv, 3, SANDLOCK_STDIO_INHERIT, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_NULL, &in, &out, &err);
	if (!h)
		th_fail(__FILE__, __LINE__, "popen: %s", sandlock_last_error());
	CHECK_EQ(in, -1);
	CHECK_EQ(err, -1);
	CHECK(out > 2);
	CHECK_EQ(read_spew(out), (size_t)104857600);
	close(out);
	sandlock_result_t *r = sandlock_handle_wait(h);
	CHECK(r != NULL);
	CHECK_EQ(sandlock_result_exit_code(r), 0);
	size_t len = 7;
	CHECK(sandlock_result_stdout_bytes(r, &len) == NULL);
	CHECK_EQ(len, 0);
	sandlock_result_free(r);
	sandlock_handle_free(h);
}

/* A piped stdin: what the caller writes the command reads, and closing it
 * is the command's EOF (neither the keeper nor the child keeps a copy of
 * the caller's end); the command sees no other fd of ours. */
TEST(popen_stdin_and_eof)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *cat[] = {tc_probe(), "stdin", NULL};
	int in = -1, out = -1, err = -1;
	sandlock_handle_t *h =
	    sandlock_popen(p, NULL, cat, 2, SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_PIPED, &in, &out, &err);
	if (!h)
		th_fail(__FILE__, __LINE__, "popen: %s", sandlock_last_error());
	CHECK_EQ(write(in, "hello\n", 6), 6);
	close(in);
	char buf[64] = {0};
	size_t got = 0;
	ssize_t n;
	while ((n = read(out, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	CHECK_STR(buf, "hello\n");
	CHECK_EQ(read(err, buf, sizeof(buf)), 0);
	close(out);
	close(err);
	sandlock_result_t *r = sandlock_handle_wait(h);
	CHECK(r != NULL);
	CHECK_EQ(sandlock_result_exit_code(r), 0);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	const char *fds[] = {tc_probe(), "fds", NULL};
	h = sandlock_popen(p, NULL, fds, 2, SANDLOCK_STDIO_NULL, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_INHERIT, &in, &out, &err);
	CHECK(h != NULL);
	memset(buf, 0, sizeof(buf));
	got = 0;
	while ((n = read(out, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	CHECK_STR(buf, "0,1,2\n");
	close(out);
	sandlock_result_free(sandlock_handle_wait(h));
	sandlock_handle_free(h);
}

TEST(popen_bad_input)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	int in = 7, out = 7, err = 7;
	CHECK(sandlock_popen(p, NULL, argv, 3, 3, SANDLOCK_STDIO_PIPED, SANDLOCK_STDIO_NULL, &in,
			     &out, &err) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "stdin mode 3 is not 0 (inherit), 1 (piped) or 2");
	CHECK(in == -1 && out == -1 && err == -1);
	CHECK(sandlock_popen(p, NULL, argv, 3, SANDLOCK_STDIO_INHERIT, SANDLOCK_STDIO_PIPED,
			     SANDLOCK_STDIO_NULL, &in, NULL, &err) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "stdout is piped but its fd pointer is NULL");
	CHECK(sandlock_popen(NULL, NULL, argv, 3, 0, 0, 0, NULL, NULL, NULL) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "policy is NULL");
}
