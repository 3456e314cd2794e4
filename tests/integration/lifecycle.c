/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lifecycle.c - how a sandbox ends and what the caller gets back: exit
 * codes, signals, exec failures, output capture,
 * timeouts, and the live-handle calls (pid, start, pause/resume, kill,
 * free of a parked child).
 */
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(exit_code_lib)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct tc_res r = tc_run(p, NULL, tc_probe(), "exit", "42", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 42);
	CHECK_EQ(r.sig, -1); /* none: an exit */
	CHECK(!r.success);
	r = tc_run(p, NULL, tc_probe(), "exit", "0", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 0);
	CHECK(r.success);
}

TEST(exit_code_cli)
{
	char *err = NULL;
	int rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "--", tc_probe(), "exit", "42", NULL);
	CHECK_EQ(rc, 42);
	rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "--", tc_probe(), "exit", "0", NULL);
	CHECK_EQ(rc, 0);
}

TEST(signal_status_lib)
{
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	struct tc_res r = tc_run(p, NULL, "/bin/sh", "-c", "kill -TERM $$", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_SIGNALED);
	CHECK_EQ(r.sig, SIGTERM);
	CHECK_EQ(r.code, -1);
	CHECK(!r.success);
}

TEST(signal_status_cli)
{
	char *err = NULL;
	int rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "-r", "/usr", "-r", "/lib", "-r",
			    "/bin", "-r", "/etc", "--", "/bin/sh", "-c", "kill -TERM $$", NULL);
	CHECK_EQ(rc, 1);
}

TEST(sigkill_status)
{
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	struct tc_res r = tc_run(p, NULL, "/bin/sh", "-c", "kill -KILL $$", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
	CHECK_EQ(r.code, -1);
	CHECK(!r.success);
	int rc = tc_cli_run(NULL, NULL, "-r", tc_probe_dir(), "-r", "/usr", "-r", "/lib", "-r",
			    "/bin", "--", "/bin/sh", "-c", "kill -KILL $$", NULL);
	CHECK_EQ(rc, 1);
}

TEST(command_not_found_lib)
{
	setenv("PATH", "/usr/bin:/bin", 1);
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	struct tc_res r = tc_run(p, NULL, "sl-no-such-command", "arg", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 127);
	/* said in the result, never written into the command's stderr */
	CHECK_STR(r.note, "sl-no-such-command: command not found");
	CHECK_STR(r.err, "");
	r = tc_run(p, NULL, "/nonexistent/sl-no-such-command", NULL);
	CHECK_EQ(r.code, 127);
	CHECK_STR(r.note, "/nonexistent/sl-no-such-command: command not found");
}

/* A command that exits 127 by itself is told apart from one that could
 * not be executed: no note, and the CLI says nothing. */
TEST(exit_127_is_not_exec_failure)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct tc_res r = tc_run(p, NULL, tc_probe(), "exit", "127", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 127);
	CHECK_STR(r.note, "");
	char *err = NULL;
	int rc =
	    tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "--", tc_probe(), "exit", "127", NULL);
	CHECK_EQ(rc, 127);
	CHECK_STR(err, "");
}

TEST(command_not_found_cli)
{
	setenv("PATH", "/usr/bin:/bin", 1);
	char *err = NULL;
	int rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "--", "sl-no-such-command", NULL);
	CHECK_EQ(rc, 127);
	CHECK_CONTAINS(err, "sandlock: sl-no-such-command: command not found");
}

/* A PATH entry the caller cannot search (an unprivileged caller inheriting
 * root's PATH with /root/... entries) does not turn "not found" into
 * "Permission denied": the command exists nowhere.  As root the directory
 * is searchable, so only the unprivileged pass exercises this. */
TEST(command_not_found_unsearchable_path_dir)
{
	char *locked = tc_mkdir("locked");
	CHECK(chmod(locked, 0) == 0);
	char *path;
	if (asprintf(&path, "%s:/usr/bin:/bin", locked) < 0)
		th_fail(__FILE__, __LINE__, "oom");
	setenv("PATH", path, 1);
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	struct tc_res r = tc_run(p, NULL, "sl-no-such-command", NULL);
	char *err = NULL;
	int rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "--", "sl-no-such-command", NULL);
	chmod(locked, 0755);
	CHECK_EQ(r.code, 127);
	CHECK_STR(r.note, "sl-no-such-command: command not found");
	CHECK_EQ(rc, 127);
	CHECK_CONTAINS(err, "sandlock: sl-no-such-command: command not found");
}

TEST(not_executable_127)
{
	char *dir = tc_mkdir("bin");
	char *file = tc_path(dir, "script");
	tc_write_file(file, "#!/bin/sh\nexit 0\n", 0644);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder_sys(), dir));
	struct tc_res r = tc_run(p, NULL, file, NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 127);
	CHECK_CONTAINS(r.note, ": Permission denied");
	char *err = NULL;
	int rc = tc_cli_run(NULL, &err, "-r", dir, "--", file, NULL);
	CHECK_EQ(rc, 127);
	CHECK_CONTAINS(err, "script: Permission denied");
}

TEST(capture_stdout_and_stderr)
{
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	struct tc_res r =
	    tc_run(p, NULL, "/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 3", NULL);
	CHECK_EQ(r.code, 3);
	CHECK_STR(r.out, "to-out\n");
	CHECK_STR(r.err, "to-err\n");
	/* The string accessors return the same text. */
	const char *argv[] = {"/bin/sh", "-c", "printf abc; printf def >&2", NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 3);
	CHECK(res != NULL);
	char *o = sandlock_result_stdout(res), *e = sandlock_result_stderr(res);
	CHECK_STR(o, "abc");
	CHECK_STR(e, "def");
	sandlock_string_free(o);
	sandlock_string_free(e);
	sandlock_result_free(res);
}

/* 50 MiB on stdout while stderr also flows: nothing lost, no deadlock. */
TEST(capture_50mib)
{
	const size_t total = 50u << 20;
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct tc_res r = tc_run(p, NULL, tc_probe(), "spew", tc_itoa((long)total), NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 0);
	CHECK_EQ(r.out_len, total);
	size_t bad = 0;
	for (size_t i = 0; i < total; i++)
		if ((unsigned char)r.out[i] != (unsigned char)('!' + i % 251 % 90)) {
			bad = i + 1;
			break;
		}
	if (bad)
		th_fail(__FILE__, __LINE__, "stdout differs from the pattern at offset %zu",
			bad - 1);
	CHECK_EQ(tc_nlines(r.err), 51);
	CHECK_LINE(r.err, 0, "spew 1048576");
	CHECK_LINE(r.err, 49, "spew 52428800");
	CHECK_LINE(r.err, 50, "spew done");
}

/* The same with the roles swapped: 50 MiB on stderr. */
TEST(capture_50mib_stderr)
{
	const size_t total = 50u << 20;
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct tc_res r = tc_run(p, NULL, tc_probe(), "spew", tc_itoa((long)total), "stderr", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_EQ(r.err_len, total);
	for (size_t i = 0; i < total; i++)
		if ((unsigned char)r.err[i] != (unsigned char)('!' + i % 251 % 90))
			th_fail(__FILE__, __LINE__, "stderr differs at offset %zu", i);
	CHECK_EQ(tc_nlines(r.out), 51);
	CHECK_LINE(r.out, 50, "spew done");
}

TEST(timeout_lib)
{
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	const char *argv[] = {"sleep", "30", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 2);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	double t0 = now_s();
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait_timeout(h, 500));
	double dt = now_s() - t0;
	CHECK_EQ(r.status, SANDLOCK_STATUS_TIMEOUT);
	CHECK_EQ(r.code, -1);
	CHECK(!r.success);
	if (dt >= 25.0)
		th_fail(__FILE__, __LINE__, "wait_timeout(500) returned after %.1f s", dt);
	sandlock_handle_free(h);
}

/* The timeout kills the whole process group: a grandchild goes too. */
TEST(timeout_kills_grandchild)
{
	char *dir = tc_mkdir("pid");
	char *pidfile = tc_path(dir, "pid");
	char *script;
	if (asprintf(&script, "sleep 30 & echo $! > %s; wait", pidfile) < 0)
		th_fail(__FILE__, __LINE__, "oom");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder_sys(), dir));
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t child = sandlock_handle_pid(h);
	CHECK(child > 0);
	CHECK_EQ(sandlock_start(h), 0);
	long gc = 0;
	for (int i = 0; i < 2000 && gc <= 0; i++) {
		char *s = tc_read_file(pidfile);
		if (s && *s && strchr(s, '\n'))
			gc = atol(s);
		else
			usleep(10000);
	}
	if (gc <= 0)
		th_fail(__FILE__, __LINE__, "the shell never wrote its background pid");
	char st = tc_proc_state((pid_t)gc);
	bool alive = st != 0 && st != 'Z';
	struct tc_res r = tc_result(sandlock_handle_wait_timeout(h, 300));
	if (!alive)
		th_fail(__FILE__, __LINE__,
			"background sleep %ld was already gone before the timeout; run status %d "
			"code %d signal %d stderr \"%s\"",
			gc, r.status, r.code, r.sig, r.err);
	CHECK_EQ(r.status, SANDLOCK_STATUS_TIMEOUT);
	CHECK_EQ(r.code, -1);
	if (!tc_wait_gone((pid_t)gc, 10000))
		th_fail(__FILE__, __LINE__, "grandchild %ld still alive (state %c) after timeout",
			gc, tc_proc_state((pid_t)gc));
	errno = 0;
	CHECK(kill(child, 0) < 0 && errno == ESRCH);
	sandlock_handle_free(h);
}

TEST(timeout_cli)
{
	char *err = NULL;
	double t0 = now_s();
	int rc = tc_cli_run(NULL, &err, "-r", "/usr", "-r", "/lib", "-r", "/bin", "-t", "1", "--",
			    "/bin/sleep", "30", NULL);
	double dt = now_s() - t0;
	CHECK_EQ(rc, 124);
	CHECK_CONTAINS(err, "sandlock: timeout after 1s");
	if (dt >= 25.0)
		th_fail(__FILE__, __LINE__, "-t 1 returned after %.1f s", dt);
}

/* A command that ends before the timeout reports its own exit. */
TEST(timeout_not_reached)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "exit", "3", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait_timeout(h, 60000));
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 3);
	sandlock_handle_free(h);
}

/* A timeout too long to ever expire is no timeout: the deadline computed
 * from it must not wrap into the past (which killed the sandbox at once). */
static void huge_timeout(uint32_t flags, uint64_t timeout_ms)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "sleep", "1", NULL};
	sandlock_handle_t *h = sandlock_create_ex(p, NULL, argv, 3, flags);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait_timeout(h, timeout_ms));
	if (r.status != SANDLOCK_STATUS_EXITED)
		th_fail(__FILE__, __LINE__,
			"wait_timeout(%llu ms), flags 0x%x: status %d code %d, expected an exit",
			(unsigned long long)timeout_ms, flags, r.status, r.code);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "ok\n");
	sandlock_handle_free(h);
}

/* 0 is no timeout; UINT64_MAX and INT64_MAX must neither wrap nor
 * overflow a signed deadline; inline and threaded. */
TEST(timeout_huge_never_expires)
{
	static const uint64_t timeouts[] = {0, UINT64_MAX, UINT64_MAX / 1000 * 1000, INT64_MAX,
					    (uint64_t)INT64_MAX + 1};
	for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		huge_timeout(SANDLOCK_CREATE_INLINE, timeouts[i]);
		huge_timeout(0, timeouts[i]);
	}
}

TEST(handle_double_start)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	CHECK_EQ(sandlock_start(h), -1);
	CHECK(sandlock_last_error()[0] != 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.code, 0);
	sandlock_handle_free(h);
}

TEST(handle_create_start_wait)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "exit", "7", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t pid = sandlock_handle_pid(h);
	CHECK(pid > 0);
	/* Parked before exec, but already a live process. */
	CHECK(tc_proc_state(pid) != 0);
	CHECK(kill(pid, 0) == 0);
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 7);
	sandlock_handle_free(h);
	errno = 0;
	CHECK(kill(pid, 0) < 0 && errno == ESRCH);
}

TEST(handle_create_for_run)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "exit", "9", NULL};
	sandlock_handle_t *h = sandlock_create_for_run(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create_for_run: %s", sandlock_last_error());
	CHECK(sandlock_handle_pid(h) > 0);
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.code, 9);
	sandlock_handle_free(h);
}

TEST(handle_pause_resume_kill)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "sleep", "60", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t pid = sandlock_handle_pid(h);
	CHECK(pid > 0);
	CHECK_EQ(sandlock_start(h), 0);
	CHECK_EQ(sandlock_handle_pause(h), 0);
	if (!tc_wait_state(pid, 'T', true, 10000))
		th_fail(__FILE__, __LINE__, "state after pause: %c", tc_proc_state(pid));
	CHECK_EQ(sandlock_handle_resume(h), 0);
	if (!tc_wait_state(pid, 'T', false, 10000))
		th_fail(__FILE__, __LINE__, "still stopped after resume");
	CHECK(tc_proc_state(pid) == 'S' || tc_proc_state(pid) == 'R');
	CHECK_EQ(sandlock_handle_kill(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
	CHECK_EQ(r.code, -1);
	CHECK(!r.success);
	/* Not running any more. */
	CHECK_EQ(sandlock_handle_pause(h), -1);
	CHECK(sandlock_last_error()[0] != 0);
	sandlock_handle_free(h);
}

/* Threads of this process (/proc/self/task). */
static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Until a handle's supervisor thread has returned: the sandbox has ended
 * and its end is recorded (bounded at timeout_ms). */
static bool wait_threads(int n, int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t += 5) {
		if (count_threads() <= n)
			return true;
		usleep(5000);
	}
	return false;
}

/* A sandbox created with SANDLOCK_CREATE_START runs at once, and a short
 * command can be over, its supervisor thread gone, before the caller
 * calls sandlock_start: the call still only marks the handle started.
 * (The end used to be taken for a start: "already started", and no way
 * to the result.) */
TEST(handle_create_start_after_the_end)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "seq", "echo done", "exit 5", NULL};
	int threads = count_threads();
	sandlock_handle_t *h = sandlock_create_ex(p, NULL, argv, 4, SANDLOCK_CREATE_START);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	if (!wait_threads(threads, 30000))
		th_fail(__FILE__, __LINE__, "the supervisor thread did not return");
	if (sandlock_start(h) != 0)
		th_fail(__FILE__, __LINE__, "start: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), -1);
	CHECK_CONTAINS(sandlock_last_error(), "already started");
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 5);
	CHECK_STR(r.out, "done\n");
	sandlock_handle_free(h);
}

/* A parked sandbox killed before its start, once its supervisor thread
 * has seen the end: the start fails saying so (not "already started"),
 * and freeing the handle closes nothing twice (the gate is the
 * supervisor's to close once the end is recorded). */
TEST(handle_start_after_parked_end)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	int threads = count_threads();
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_handle_kill(h), 0);
	if (!wait_threads(threads, 30000))
		th_fail(__FILE__, __LINE__, "the supervisor thread did not return");
	CHECK_EQ(sandlock_handle_pause(h), -1);
	CHECK_EQ(sandlock_start(h), -1);
	CHECK_CONTAINS(sandlock_last_error(), "before it was started");
	CHECK(sandlock_handle_wait(h) == NULL);
	sandlock_handle_free(h);
}

/* Freeing a created, never started handle kills and reaps the child. */
TEST(handle_free_unstarted_reaps)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t pid = sandlock_handle_pid(h);
	CHECK(pid > 0);
	CHECK(kill(pid, 0) == 0);
	sandlock_handle_free(h);
	/* Reaped: no zombie left for us, and the pid is gone. */
	errno = 0;
	CHECK(waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD);
	errno = 0;
	CHECK(kill(pid, 0) < 0 && errno == ESRCH);
}

/* sandlock_run_interactive: stdio is inherited, the exit code returned. */
TEST(run_interactive)
{
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	char *file = tc_path(th_tmpdir(), "out.txt");
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	fflush(stdout);
	int saved = dup(1);
	CHECK(saved >= 0);
	CHECK(dup2(fd, 1) == 1);
	const char *argv[] = {"/bin/sh", "-c", "echo inherited; exit 42", NULL};
	int rc = sandlock_run_interactive(p, NULL, argv, 3);
	const char *killed[] = {"/bin/sh", "-c", "kill -TERM $$", NULL};
	int rc2 = sandlock_run_interactive(p, NULL, killed, 3);
	dup2(saved, 1);
	close(fd);
	CHECK_EQ(rc, 42);
	CHECK_EQ(rc2, -1);
	CHECK_STR(tc_read_file(file), "inherited\n");
}

/* sandlock_run captures stdout/stderr but inherits stdin. */
TEST(stdin_inherited)
{
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	CHECK(write(pfd[1], "from-stdin\n", 11) == 11);
	close(pfd[1]);
	CHECK(dup2(pfd[0], 0) == 0);
	close(pfd[0]);
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct tc_res r = tc_run(p, NULL, tc_probe(), "stdin", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "from-stdin\n");
}

/* Only stdio reaches the command: no inherited fd of the caller, no
 * seccomp listener, no pipe of the library. */
TEST(fd_hygiene)
{
	int fd = open("/dev/null", O_RDONLY); /* deliberately not O_CLOEXEC */
	CHECK(fd >= 0);
	CHECK(dup2(fd, 50) == 50);
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(p, "fds", NULL), "0,1,2");
	char *out = NULL;
	int rc = tc_cli_run(&out, NULL, "-r", tc_probe_dir(), "--", tc_probe(), "fds", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "0,1,2\n");
}

/* Freeing a started handle that was never waited for kills and reaps the
 * sandbox. */
TEST(handle_free_running_kills)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "sleep", "60", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t pid = sandlock_handle_pid(h);
	CHECK(pid > 0);
	CHECK_EQ(sandlock_start(h), 0);
	CHECK(kill(pid, 0) == 0);
	sandlock_handle_free(h);
	errno = 0;
	CHECK(waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD);
	errno = 0;
	CHECK(kill(pid, 0) < 0 && errno == ESRCH);
}

/* With -t, a command that ends in time keeps its own exit code. */
TEST(timeout_cli_not_reached)
{
	int rc = tc_cli_run(NULL, NULL, "-r", tc_probe_dir(), "-t", "60", "--", tc_probe(), "exit",
			    "3", NULL);
	CHECK_EQ(rc, 3);
}

/* ---- no host signal handler in the command's process ---------------------- */

static volatile sig_atomic_t host_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	host_usr1 = 1;
}

/* A signal sent to the parked command is delivered when it restores the
 * host's signal mask, before exec: with the default action (here: it
 * ends the command), never through the host's handler, which would run
 * host code on the host's memory and TLS. */
TEST(parked_command_never_runs_host_handler)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	const char *argv[] = {"/bin/true", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 1);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(kill(sandlock_handle_pid(h), SIGUSR1), 0);
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_SIGNALED);
	CHECK_EQ(r.sig, SIGUSR1);
	CHECK_EQ(host_usr1, 0);
	sandlock_handle_free(h);
}
