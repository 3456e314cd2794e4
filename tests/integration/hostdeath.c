/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostdeath.c - nothing of a sandbox outlives its host.
 *
 * The sandbox runs a shell that starts three sleepers: one in the
 * background, one in a session of its own (setsid), and one in the
 * foreground, under the shell.  Before it sleeps, each writes its pid
 * into a directory the sandbox may write.  Then the host goes away: the
 * CLI, or a process that calls the library (inline, or with a supervisor
 * thread), killed with SIGKILL or SIGTERM, alone or with its whole
 * process group.  Only the keeper then stands between the sandbox and
 * init; every sleeper must be gone soon after.  The keeper killed too is
 * the exception, tested as such.  And the CLI told to stop (SIGINT,
 * SIGQUIT, SIGTERM, SIGHUP) passes the signal on to the command, reports
 * how it ended, and leaves nothing behind, the background and setsid
 * sleepers included.
 *
 * Each test makes itself a child subreaper: what outlives the host (the
 * keeper, a sleeper) is then reparented to it, not to init, where
 * tc_wait_nothing_below() sees it and tc_kill_all_below() removes it
 * after a failure.  The keeper is a subreaper itself, nearer to the
 * sandbox, so this does not change where the sandbox's orphans go while
 * the keeper lives.
 */
#include "common.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long the sandbox may take to start its sleepers (a loaded machine),
 * and how long what is left may take to end. */
#define HD_START_MS 20000
#define HD_GONE_MS  5000

/* $1: the directory for the pid files.  The sleeps outlast the test by
 * far, and end by themselves should a failed test leave one behind. */
static const char script[] = "PATH=/usr/bin:/bin\n"
			     "cd \"$1\" || exit 9\n"
			     "sleep 120 & echo $! > bg\n"
			     "setsid sh -c 'echo $$ > sid; exec sleep 120' &\n"
			     "echo $$ > sh\n"
			     "sh -c 'echo $$ > fg; exec sleep 120'\n";

enum { HD_SH, HD_BG, HD_SID, HD_FG, HD_N };
static const char *const files[HD_N] = {"sh", "bg", "sid", "fg"};
static const char *const names[HD_N] = {"the shell", "the background sleep", "the setsid sleep",
					"the foreground sleep"};

struct sandbox {
	char *dir;  /* the pid files */
	bool group; /* the host leads a process group, as a shell's job does */
	pid_t host;
	pid_t pid[HD_N];
};

/* The host's side of a failure: kill what is below us, then fail. */
#define HD_FAIL(...)                                                                               \
	do {                                                                                       \
		tc_kill_all_below();                                                               \
		th_fail(__FILE__, __LINE__, __VA_ARGS__);                                          \
	} while (0)

/* CHECK once the sandbox runs: a failure kills what is below us first. */
#define HD_CHECK(cond)                                                                             \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			int hd_e = errno;                                                          \
			HD_FAIL("CHECK(%s) failed (errno %d %s)", #cond, hd_e, strerror(hd_e));    \
		}                                                                                  \
	} while (0)

/* Waits (bounded) for the host to end; its wait status. */
static int wait_host(const struct sandbox *s)
{
	int st = 0;
	for (int t = 0; t <= HD_START_MS; t += 10) {
		pid_t r = waitpid(s->host, &st, WNOHANG);
		HD_CHECK(r >= 0);
		if (r == s->host)
			return st;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	HD_FAIL("the host %d did not end (state %c)", (int)s->host, tc_proc_state(s->host));
}

/* Waits for the sleepers' pids; fails (cleaning up) when the host ended
 * first or they do not come. */
/* Whether pid sleeps in its sleep call: its pid file is written before its
 * exec, and until its loader is done it may wait in a notified open that a
 * stopped or killed host never answers (it then dies, not of the kill this
 * file is about). */
static bool asleep(pid_t pid)
{
	char *t = tc_read_file(tc_fmt("/proc/%d/syscall", (int)pid));
	long nr = t ? strtol(t, NULL, 10) : -1;
	free(t);
	return nr == SYS_clock_nanosleep || nr == SYS_nanosleep;
}

static void wait_asleep(const struct sandbox *s, int i)
{
	for (int t = 0; t <= HD_START_MS; t += 10) {
		if (asleep(s->pid[i]))
			return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	HD_FAIL("%s (pid %d) never slept (state %c)", names[i], (int)s->pid[i],
		tc_proc_state(s->pid[i]));
}

static void wait_sleepers(struct sandbox *s, const char *host_log)
{
	for (int i = 0; i < HD_N; i++) {
		long pid = tc_wait_number_in(tc_path(s->dir, files[i]), HD_START_MS);
		if (pid <= 0) {
			char *log = host_log ? tc_read_file(host_log) : NULL;
			HD_FAIL("%s never wrote its pid (host state %c)%s%s", names[i],
				tc_proc_state(s->host) ? tc_proc_state(s->host) : '-',
				log ? "; the host said: " : "", log ? log : "");
		}
		s->pid[i] = (pid_t)pid;
	}
	for (int i = HD_SH + 1; i < HD_N; i++)
		wait_asleep(s, i);
	/* the setsid sleeper leads a session of its own */
	if (getsid(s->pid[HD_SID]) != s->pid[HD_SID])
		HD_FAIL("the setsid sleeper %d is in session %d", (int)s->pid[HD_SID],
			(int)getsid(s->pid[HD_SID]));
}

/* Waits (bounded) for every sleeper and the shell to be gone and for
 * nothing to live below us; cleans up, then fails naming what lives on. */
static void expect_swept(const struct sandbox *s, const char *what)
{
	char *left = tc_fmt("%s", "");
	for (int i = 0; i < HD_N; i++) {
		if (tc_wait_gone(s->pid[i], HD_GONE_MS))
			continue;
		left = tc_fmt("%s%s%s (pid %d, state %c)", left, left[0] ? ", " : "", names[i],
			      (int)s->pid[i], tc_proc_state(s->pid[i]));
	}
	bool nothing = tc_wait_nothing_below(HD_GONE_MS);
	char *below = tc_read_file(tc_fmt("/proc/self/task/%d/children", (int)gettid()));
	tc_kill_all_below();
	if (left[0])
		th_fail(__FILE__, __LINE__, "%s: %s outlived it", what, left);
	if (!nothing)
		th_fail(__FILE__, __LINE__, "%s: processes still live below the test: %s", what,
			below ? below : "?");
}

/* Checks that the shell and every sleeper are gone already (sandlock has
 * returned: the keeper or the supervisor has killed them) and nothing
 * lives below us; cleans up, then fails naming what is left. */
static void expect_gone_now(const struct sandbox *s, const char *what)
{
	char *left = tc_fmt("%s", "");
	for (int i = 0; i < HD_N; i++) {
		char state = tc_proc_state(s->pid[i]);
		if (state && state != 'Z')
			left = tc_fmt("%s%s%s (pid %d, state %c)", left, left[0] ? ", " : "",
				      names[i], (int)s->pid[i], state);
	}
	bool nothing = tc_wait_nothing_below(0);
	tc_kill_all_below();
	if (left[0])
		th_fail(__FILE__, __LINE__, "%s, but %s outlived it", what, left);
	if (!nothing)
		th_fail(__FILE__, __LINE__, "%s, but processes still live below the test", what);
}

/* A writable directory for the pid files; the policy read-grants what
 * /bin/sh and coreutils need (tc_builder_sys). */
static struct sandbox prepare(void)
{
	tc_require_kernel();
	struct sandbox s = {.dir = tc_mkdir("pids"), .host = -1};
	tc_subreaper();
	return s;
}

/* In the forked host: a group of its own when asked. */
static void host_setup(const struct sandbox *s)
{
	if (s->group && setpgid(0, 0) < 0)
		_exit(125);
	/* a signal the test runner inherited ignored (nohup ignores SIGHUP)
	 * stays ignored in sandlock, which is right for a user's nohup, but
	 * these tests send them: start from the defaults */
	static const int sent[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < sizeof(sent) / sizeof(sent[0]); i++)
		signal(sent[i], SIG_DFL);
}

/* Kills the host (its whole group when it leads one) and reaps it. */
static void kill_host(const struct sandbox *s, int sig)
{
	HD_CHECK(kill(s->group ? -s->host : s->host, sig) == 0);
	int st = wait_host(s);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != sig)
		HD_FAIL("the host was not killed by signal %d (status 0x%x)", sig, st);
}

/* ---- the CLI as the host ---------------------------------------------------- */

/* Starts `sandlock run` on the script, its stdout and stderr to log, its
 * stdin /dev/null; with status_fd >= 0, that fd is its --status-fd 3. */
static pid_t start_cli(const struct sandbox *s, const char *log, int status_fd)
{
	const char *argv[32];
	int n = 0;
	argv[n++] = tc_cli();
	argv[n++] = "run";
	static const char *const sys[] = {"/usr", "/lib", "/lib64", "/bin", "/etc", "/dev/null"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		if (!tc_exists(sys[i]))
			continue;
		argv[n++] = "-r";
		argv[n++] = sys[i];
	}
	argv[n++] = "-w";
	argv[n++] = s->dir;
	if (status_fd >= 0) {
		argv[n++] = "--status-fd";
		argv[n++] = "3";
	}
	argv[n++] = "--";
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n++] = "sh";
	argv[n++] = s->dir;
	argv[n] = NULL;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		host_setup(s);
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 ||
		    (status_fd >= 0 && dup2(status_fd, 3) < 0))
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Before the keeper, these three lived on: only the command had a
 * parent-death signal. */
TEST(host_dies_cli_sigkill)
{
	struct sandbox s = prepare();
	char *log = tc_path(th_tmpdir(), "cli.log");
	s.host = start_cli(&s, log, -1);
	wait_sleepers(&s, log);
	kill_host(&s, SIGKILL);
	expect_swept(&s, "sandlock run killed by SIGKILL");
}

/* `kill -9 %1` in a shell: SIGKILL to the job's process group, where
 * sandlock's keeper would be too unless it left it. */
TEST(host_dies_cli_group_sigkill)
{
	struct sandbox s = prepare();
	s.group = true;
	char *log = tc_path(th_tmpdir(), "cli.log");
	s.host = start_cli(&s, log, -1);
	wait_sleepers(&s, log);
	kill_host(&s, SIGKILL);
	expect_swept(&s, "sandlock run's process group killed by SIGKILL");
}

/* ---- a library caller as the host ---------------------------------------------- */

/* In the forked host: the script through sandlock_run (the supervisor on
 * this thread) or sandlock_create (a supervisor thread, and a child parked
 * until started).  It never returns before it is killed. */
static _Noreturn void lib_host(const sandlock_sandbox_t *p, const struct sandbox *s, bool threaded)
{
	host_setup(s);
	const char *const argv[] = {"/bin/sh", "-c", script, "sh", s->dir, NULL};
	if (!threaded) {
		sandlock_result_t *r = sandlock_run(p, NULL, argv, 5);
		_exit(r ? 0 : 1);
	}
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 5);
	if (!h || sandlock_start(h) < 0)
		_exit(1);
	_exit(sandlock_handle_wait(h) ? 0 : 1);
}

static void lib_host_dies(bool threaded, int sig, bool group)
{
	struct sandbox s = prepare();
	s.group = group;
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_write(tc_builder_sys(), s.dir));
	s.host = fork();
	CHECK(s.host >= 0);
	if (s.host == 0)
		lib_host(p, &s, threaded);
	wait_sleepers(&s, NULL);
	kill_host(&s, sig);
	expect_swept(&s, tc_fmt("a host calling %s killed by SIG%s%s",
				threaded ? "sandlock_create" : "sandlock_run", sigabbrev_np(sig),
				group ? " sent to its group" : ""));
}

TEST(host_dies_inline_sigkill)
{
	lib_host_dies(false, SIGKILL, false);
}

TEST(host_dies_inline_sigterm)
{
	lib_host_dies(false, SIGTERM, false);
}

TEST(host_dies_threaded_sigkill)
{
	lib_host_dies(true, SIGKILL, false);
}

TEST(host_dies_threaded_sigterm)
{
	lib_host_dies(true, SIGTERM, false);
}

TEST(host_dies_inline_group_sigkill)
{
	lib_host_dies(false, SIGKILL, true);
}

TEST(host_dies_threaded_group_sigkill)
{
	lib_host_dies(true, SIGKILL, true);
}

/* ---- the keeper killed ---------------------------------------------------------
 * The keeper sweeps only while it lives.  Its uid may kill it from
 * outside (the sandbox may not: the keeper is outside its Landlock
 * domain).  The command then dies by its parent-death signal; the
 * command's children are reparented past the keeper (here to this test,
 * in life to init). */

/* The keeper: the shell's parent, a child of the host. */
static pid_t keeper_of(const struct sandbox *s)
{
	pid_t k = tc_ppid(s->pid[HD_SH]);
	if (k <= 0 || tc_ppid(k) != s->host)
		HD_FAIL("the shell's parent %d is not a child of the host %d", (int)k,
			(int)s->host);
	return k;
}

/* With the host alive, sandlock notices: the command is killed, sandlock
 * returns and says so (exit 1).  The supervisor then kills the members
 * it has found; one whose parent died before it was found has gone past
 * the keeper, out of reach (README): the sleepers are not checked. */
TEST(keeper_killed_host_returns)
{
	struct sandbox s = prepare();
	char *log = tc_path(th_tmpdir(), "cli.log");
	s.host = start_cli(&s, log, -1);
	wait_sleepers(&s, log);
	HD_CHECK(kill(keeper_of(&s), SIGKILL) == 0);
	int st = wait_host(&s);
	char state = tc_proc_state(s.pid[HD_SH]);
	tc_kill_all_below();
	CHECK(state == 0 || state == 'Z');
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
}

/*
 * What cannot be held: the keeper and the host killed together.  The OOM
 * killer does that (it kills every process that shares the memory of the
 * one it picks, and the keeper runs in the host's), and so does a SIGKILL
 * sent to both.  The command dies by its parent-death signal, but the
 * processes it started are nobody's to kill: they live on (README, "what
 * is enforced").  The host is stopped first, so that its supervisor
 * cannot act between the two deaths.  Should this ever fail because the
 * sleepers are gone, the README's exception can go.
 */
TEST(host_and_keeper_killed_only_command_dies)
{
	struct sandbox s = prepare();
	char *log = tc_path(th_tmpdir(), "cli.log");
	s.host = start_cli(&s, log, -1);
	wait_sleepers(&s, log);
	pid_t k = keeper_of(&s);
	HD_CHECK(kill(s.host, SIGSTOP) == 0);
	if (!tc_wait_state(s.host, 'T', true, HD_GONE_MS))
		HD_FAIL("the host did not stop (state %c)", tc_proc_state(s.host));
	HD_CHECK(kill(k, SIGKILL) == 0);
	bool command_gone = tc_wait_gone(s.pid[HD_SH], HD_GONE_MS);
	kill_host(&s, SIGKILL);
	char *alive = tc_fmt("%s", "");
	for (int i = HD_SH + 1; i < HD_N; i++) {
		char state = tc_proc_state(s.pid[i]);
		if (state && state != 'Z')
			alive = tc_fmt("%s%s%s", alive, alive[0] ? ", " : "", names[i]);
	}
	tc_kill_all_below();
	CHECK(command_gone);
	CHECK_STR(alive, "the background sleep, the setsid sleep, the foreground sleep");
}

/* ---- the CLI told to stop ------------------------------------------------------
 * sandlock passes SIGINT, SIGQUIT, SIGTERM and SIGHUP on to the command's
 * process group: the shell and its foreground sleep end by it (the
 * background sleep ignores SIGINT and SIGQUIT, as a shell without job
 * control sets it; the setsid one is in no group of the command's).
 * sandlock then reports the command's signal and exits 1, and returns
 * only once the keeper has reaped the rest: nothing is left by then. */
static void cli_stopped_by(int sig)
{
	struct sandbox s = prepare();
	char *log = tc_path(th_tmpdir(), "cli.log");
	int st_pipe[2];
	CHECK_EQ(pipe2(st_pipe, O_CLOEXEC), 0);
	s.host = start_cli(&s, log, st_pipe[1]);
	close(st_pipe[1]);
	wait_sleepers(&s, log);
	/* the command leads its group, the foreground and background sleeps
	 * are in it: what sandlock sends the group reaches them */
	pid_t pgid = s.pid[HD_SH];
	if (getpgid(pgid) != pgid || getpgid(s.pid[HD_FG]) != pgid || getpgid(s.pid[HD_BG]) != pgid)
		HD_FAIL("the command's group %d: the foreground sleep is in %d, the background "
			"one in %d",
			(int)getpgid(pgid), (int)getpgid(s.pid[HD_FG]), (int)getpgid(s.pid[HD_BG]));
	HD_CHECK(kill(s.host, sig) == 0);
	int st = wait_host(&s);
	char status[128] = "";
	ssize_t got = read(st_pipe[0], status, sizeof(status) - 1);
	status[got > 0 ? got : 0] = 0;
	char *said = tc_read_file(log);
	/* gone when sandlock exits, not merely soon after */
	expect_gone_now(&s, tc_fmt("sandlock exited on SIG%s", sigabbrev_np(sig)));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
		th_fail(__FILE__, __LINE__, "sandlock's status 0x%x on SIG%s (said: %s)", st,
			sigabbrev_np(sig), said ? said : "");
	CHECK_STR(status, tc_fmt("{\"exit_code\":-1,\"signal\":%d}\n", sig));
	/* a line naming the signal, except for SIGINT (a ^C says enough) */
	if (sig != SIGINT)
		CHECK_CONTAINS(said,
			       tc_fmt("sandlock: /bin/sh: killed by SIG%s", sigabbrev_np(sig)));
	else
		CHECK_STR(said, "");
}

TEST(cli_sigint_stops_whole_sandbox)
{
	cli_stopped_by(SIGINT);
}

TEST(cli_sigquit_stops_whole_sandbox)
{
	cli_stopped_by(SIGQUIT);
}

TEST(cli_sigterm_stops_whole_sandbox)
{
	cli_stopped_by(SIGTERM);
}

TEST(cli_sighup_stops_whole_sandbox)
{
	cli_stopped_by(SIGHUP);
}
