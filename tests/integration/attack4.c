/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack4.c - a fourth round of attacks: the child that starts before its
 * Landlock ruleset exists.
 *
 * When the ruleset reads the mount table (write grants, deny paths, or a
 * sandbox started as root), the keeper is cloned first and waits on a
 * futex until the host has moved it to another CPU; the child installs
 * its seccomp filter, then waits on the status socket (recvmsg) for the
 * ruleset, which the host builds meanwhile and sends by SCM_RIGHTS (a
 * planning failure shuts the socket down: the child sees EOF and leaves).
 *
 * The attacks: the host dying at each point of that window (a host-side
 * seccomp filter kills it, or traps into a handler, at an exact syscall:
 * the keeper's sched_setaffinity, the ruleset's landlock_create_ruleset),
 * a host that forks while the child waits, a user handler on a syscall
 * the child makes in the window, fd limits, fd leaks into the command, the
 * CPU set the command gets, and the life cycle around planning failures.
 *
 * The processes the host leaves behind are found through this test's
 * process, made a child subreaper: the keeper and the child are
 * reparented to it when the host dies.
 */
#include "common.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define A4_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define A4_ARCH AUDIT_ARCH_AARCH64
#else
#define A4_ARCH 0
#endif

#define A4_WAIT_MS 10000

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The overlap (keeper moved, ruleset sent later) needs two CPUs in the
 * host thread's set and a ruleset that reads the mount table: a write
 * grant does, for root and for anyone else. */
static void require_overlap(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0 || CPU_COUNT(&set) < 2)
		SKIP("needs two CPUs: with one the ruleset is built before the clone");
}

/* tc_builder() with a write grant (of this test's directory). */
static sandlock_builder_t *overlap_builder(void)
{
	return sandlock_sandbox_builder_fs_write(tc_builder(), th_tmpdir());
}

/* ---- processes -------------------------------------------------------------- */

/* The first pid in /proc/PID/task/PID/children, or 0. */
static pid_t first_child(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	char *s = tc_read_file(path);
	pid_t c = s ? (pid_t)atoi(s) : 0;
	free(s);
	return c;
}

/* The syscall number pid is blocked in (/proc/PID/syscall), or -1. */
static long blocked_in(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	char *s = tc_read_file(path);
	long nr = s && s[0] >= '0' && s[0] <= '9' ? atol(s) : -1;
	free(s);
	return nr;
}

/* Polls (bounded) until pid's first child exists; returns it, or 0. */
static pid_t wait_first_child(pid_t pid)
{
	for (int t = 0; t < A4_WAIT_MS; t += 10) {
		pid_t c = first_child(pid);
		if (c > 0)
			return c;
		if (!tc_proc_state(pid))
			return 0;
		sleep_ms(10);
	}
	return 0;
}

/* Polls (bounded) until pid sleeps in syscall nr. */
static bool wait_blocked_in(pid_t pid, long nr)
{
	for (int t = 0; t < A4_WAIT_MS; t += 10) {
		if (blocked_in(pid) == nr && tc_proc_state(pid) == 'S')
			return true;
		sleep_ms(10);
	}
	return false;
}

/* True once pid (0: none) no longer runs (bounded poll). */
static bool ends(pid_t pid)
{
	return pid <= 0 || tc_wait_gone(pid, A4_WAIT_MS);
}

/* ---- a host-side seccomp filter -------------------------------------------------
 * One rule: syscall nr whose argument arg (low 32 bits) is == val (or,
 * with ne, != val) gets action; everything else runs.  Installed by the
 * helper that plays the host, before it calls the library: the library
 * calls the syscall itself (the keeper and the child inherit the filter,
 * and never make that call). */
static void host_filter(int nr, unsigned int arg, uint32_t val, bool ne, uint32_t action)
{
	struct sock_filter prog[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, A4_ARCH, 0, 5),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 3),
	    /* the low half of a 64-bit argument: little-endian only */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[arg])),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, val, ne ? 1 : 0, ne ? 0 : 1),
	    BPF_STMT(BPF_RET | BPF_K, action),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fp = {.len = sizeof(prog) / sizeof(prog[0]), .filter = prog};
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
		_exit(0x41);
}

static void require_host_filter(void)
{
	if (!A4_ARCH)
		SKIP("the host-side filter is written for x86_64 and aarch64");
}

/* ---- the host dies while the keeper waits to be placed ------------------------
 * The keeper sleeps on a futex until the host has moved it to another CPU
 * (sched_setaffinity on the keeper's pid) and woken it; it arms its
 * parent-death signal only after that.  A host killed in between (here:
 * by its own filter, at that very sched_setaffinity; in life: SIGKILL,
 * the OOM killer) leaves the keeper asleep on a futex nobody will ever
 * wake, holding the dead host's whole address space (CLONE_VM), until
 * the machine reboots. */
TEST(keeper_not_left_asleep_when_host_dies_before_placing_it)
{
	require_overlap();
	require_host_filter();
	sandlock_sandbox_t *p = tc_build(overlap_builder());
	tc_subreaper();
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0) {
		host_filter(SYS_sched_setaffinity, 0, 0, true, SECCOMP_RET_KILL_PROCESS);
		tc_run(p, NULL, tc_probe(), "exit", "0", NULL);
		_exit(0x42); /* not killed: the keeper was not moved */
	}
	int st;
	CHECK(waitpid(h, &st, 0) == h);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0x41)
		SKIP("cannot install a seccomp filter here");
	/* killed at the move; or (a design that moves no keeper) not */
	CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) ||
	      (WIFEXITED(st) && WEXITSTATUS(st) == 0x42));
	/* the keeper, if any, is ours now */
	pid_t k = first_child(getpid());
	bool gone = ends(k);
	long in = gone ? -1 : blocked_in(k);
	tc_kill_all_below();
	if (!gone)
		th_fail(__FILE__, __LINE__,
			"the keeper (pid %d) outlived its host: asleep in syscall %ld (futex is "
			"%d)",
			(int)k, in, SYS_futex);
}

/* ---- the host dies while the child waits for its ruleset ------------------------
 * The helper playing the host traps (SIGSYS) at the landlock_create_ruleset
 * of the ruleset's build, which runs after the keeper and the child have
 * started; its handler waits until we say the child sleeps in recvmsg,
 * then (fork_first) forks a process that just lives on, as a host thread's
 * fork() would, and kills the host. */
static int go_pipe[2] = {-1, -1}, fork_pipe[2] = {-1, -1}, trap_pipe[2] = {-1, -1};

static void on_trap(int sig)
{
	(void)sig;
	char c = 0;
	(void)!write(trap_pipe[1], "t", 1);
	while (read(go_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	if (c == 'f') {
		pid_t f = fork();
		if (f == 0) {
			for (;;)
				pause();
		}
		(void)!write(fork_pipe[1], &f, sizeof(f));
	}
	kill(getpid(), SIGKILL);
}

struct host_death {
	pid_t keeper, child, forked;
};

static struct host_death kill_host_while_child_waits(const sandlock_sandbox_t *p, bool fork_first)
{
	require_overlap();
	require_host_filter();
	tc_subreaper();
	CHECK(pipe(go_pipe) == 0 && pipe(fork_pipe) == 0 && pipe(trap_pipe) == 0);
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0) {
		struct sigaction sa = {.sa_handler = on_trap};
		sigaction(SIGSYS, &sa, NULL);
		/* flags 0: a ruleset, not the ABI query (flags 1) */
		host_filter(SYS_landlock_create_ruleset, 2, 0, false, SECCOMP_RET_TRAP);
		tc_run(p, NULL, tc_probe(), "exit", "0", NULL);
		_exit(0x42);
	}
	close(trap_pipe[1]);
	struct host_death d = {0};
	/* the host sits in the trap handler (or is gone: EOF) */
	char t;
	if (read(trap_pipe[0], &t, 1) != 1) {
		int st;
		CHECK(waitpid(h, &st, 0) == h);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0x41)
			SKIP("cannot install a seccomp filter here");
		tc_kill_all_below();
		th_fail(__FILE__, __LINE__, "the host never reached its trap (status 0x%x)", st);
	}
	/* With the ruleset built after the clone the keeper and the child
	 * exist now: wait until the child sleeps in recvmsg for its ruleset.
	 * (Built before the clone: no keeper yet, nothing to wait for.) */
	d.keeper = first_child(h);
	d.child = d.keeper > 0 ? wait_first_child(d.keeper) : 0;
	if (d.child > 0 && !wait_blocked_in(d.child, SYS_recvmsg))
		printf("    note: the child %d did not wait in recvmsg\n", (int)d.child);
	CHECK(write(go_pipe[1], fork_first ? "f" : "k", 1) == 1);
	if (fork_first)
		CHECK(read(fork_pipe[0], &d.forked, sizeof(d.forked)) == sizeof(d.forked));
	int st;
	CHECK(waitpid(h, &st, 0) == h);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return d;
}

/* Only the host holds the host's end of the status socket: its death is
 * EOF for the child, which leaves; the keeper sweeps and leaves. */
TEST(host_killed_while_child_waits_for_ruleset)
{
	struct host_death d = kill_host_while_child_waits(tc_build(overlap_builder()), false);
	bool child_gone = ends(d.child);
	bool keeper_gone = ends(d.keeper);
	tc_kill_all_below();
	CHECK(child_gone);
	CHECK(keeper_gone);
}

/*
 * A multi-threaded host whose other thread fork()s while the child waits
 * (the fork keeps a copy of the host's end of the status socket: it is
 * close-on-exec, not close-on-fork), and the host dies.  The child sees no
 * EOF (the fork still holds the end) and waits on; the keeper cloned it
 * with CLONE_VFORK (sandlock_run: no gate, no no_huge_pages) and sleeps
 * in the kernel's vfork wait until the child execs or exits, with its
 * parent-death SIGTERM blocked and pending: it cannot sweep.  Both live on
 * for as long as the fork does, on the dead host's address space.  Before
 * this change the child never waited on anything the host holds in the
 * vfork mode.
 */
TEST(host_killed_while_child_waits_fork_holds_socket)
{
	struct host_death d = kill_host_while_child_waits(tc_build(overlap_builder()), true);
	bool child_gone = ends(d.child);
	bool keeper_gone = ends(d.keeper);
	char ks = tc_proc_state(d.keeper);
	long cin = child_gone ? -1 : blocked_in(d.child);
	bool fork_alive = tc_proc_state(d.forked) != 0;
	tc_kill_all_below();
	CHECK(fork_alive);
	if (!child_gone || !keeper_gone)
		th_fail(
		    __FILE__, __LINE__,
		    "the host is dead, but the keeper %d (state %c) and the child %d (in syscall "
		    "%ld, recvmsg is %d) live on with the host's fork %d",
		    (int)d.keeper, ks ? ks : '-', (int)d.child, cin, SYS_recvmsg, (int)d.forked);
}

/* The same without CLONE_VFORK (no_huge_pages: the child gets its own
 * copy of the memory): the keeper is free to take its SIGTERM and sweep,
 * the fork of the host notwithstanding. */
TEST(host_killed_fork_holds_socket_keeper_not_in_vfork)
{
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_no_huge_pages(overlap_builder(), true));
	struct host_death d = kill_host_while_child_waits(p, true);
	bool child_gone = ends(d.child);
	bool keeper_gone = ends(d.keeper);
	bool fork_alive = tc_proc_state(d.forked) != 0;
	tc_kill_all_below();
	CHECK(fork_alive);
	CHECK(child_gone);
	CHECK(keeper_gone);
}

/* ---- a user handler on a syscall of the window ---------------------------------- */

struct exit_watch {
	int calls;
};

static int h_continue(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		      sandlock_action_out_t *out)
{
	(void)n;
	(void)mem;
	((struct exit_watch *)ud)->calls++;
	out->kind = SANDLOCK_ACTION_CONTINUE;
	return 0;
}

/* Runs `probe exit 0` with a handler that lets syscall nr continue, in a
 * helper; returns its exit status: 0 the run returned a result, 1 it
 * returned NULL (the library's message in msg), or -1 when it still had
 * not returned after the bounded wait (msg then says where the host, the
 * keeper and the child are stuck; all are killed). */
static int run_with_handler_bounded(const sandlock_sandbox_t *p, long nr, char *msg, size_t len)
{
	msg[0] = 0;
	int mp[2];
	CHECK(pipe(mp) == 0);
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0) {
		close(mp[0]);
		static struct exit_watch w;
		sandlock_handler_t *hd = sandlock_handler_new(h_continue, &w, NULL, 0);
		sandlock_handler_registration_t reg = {nr, hd};
		const char *argv[] = {tc_probe(), "exit", "0", NULL};
		sandlock_result_t *r = sandlock_run_with_handlers(p, NULL, argv, 3, &reg, 1);
		if (!r) {
			const char *e = sandlock_last_error();
			(void)!write(mp[1], e, strlen(e));
			_exit(1);
		}
		_exit(sandlock_result_exit_code(r) == 0 ? 0 : 2);
	}
	close(mp[1]);
	int st = 0;
	bool done = false;
	for (int t = 0; t < 2 * A4_WAIT_MS && !done; t += 10) {
		if (waitpid(h, &st, WNOHANG) == h)
			done = true;
		else
			sleep_ms(10);
	}
	if (!done) {
		/* what is stuck where: host, keeper, child */
		pid_t k = first_child(h), c = k > 0 ? first_child(k) : 0;
		snprintf(msg, len,
			 "host %d in syscall %ld, keeper %d state %c, child %d state %c in syscall "
			 "%ld",
			 (int)h, blocked_in(h), (int)k, k > 0 ? tc_proc_state(k) : '-', (int)c,
			 c > 0 ? tc_proc_state(c) : '-', c > 0 ? blocked_in(c) : -1L);
		close(mp[0]);
		tc_kill_all_below();
		return -1;
	}
	ssize_t n = read(mp[0], msg, len - 1);
	msg[n > 0 ? n : 0] = 0;
	close(mp[0]);
	tc_kill_all_below();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 0x80 + WTERMSIG(st);
}

/*
 * A planning failure (a write grant of a missing path) is found after the
 * child has installed its filter: the host shuts the socket down, the
 * child sees EOF and leaves with SYS_exit.  With a user handler on exit
 * (allowed: it is not one of the syscalls check_pre_ready refuses) that
 * exit is a notification to a listener nobody reads (the child holds the
 * only copy), so the child never ends; the keeper waits for it in the
 * vfork wait (its SIGTERM blocked), and the host waits for the keeper in
 * stop_keeper: sandlock_run_with_handlers never returns.  Before this
 * change a planning failure started no process at all.
 */
TEST(planning_failure_with_exit_handler_returns)
{
	require_overlap();
	tc_subreaper();
	/* the build checks the path: it goes missing between build and run */
	char *missing = tc_mkdir("gone");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), missing));
	CHECK(rmdir(missing) == 0);
	char msg[512];
	int r = run_with_handler_bounded(p, SYS_exit, msg, sizeof(msg));
	if (r < 0)
		th_fail(__FILE__, __LINE__,
			"sandlock_run_with_handlers (handler on exit, %d) hung on a planning "
			"failure: %s",
			SYS_exit, msg);
	CHECK_EQ(r, 1);
	CHECK_CONTAINS(msg, missing);
}

/* The same handler with nothing wrong: the sandbox runs. */
TEST(exit_handler_without_failure_runs)
{
	require_overlap();
	tc_subreaper();
	sandlock_sandbox_t *p = tc_build(overlap_builder());
	char msg[512];
	CHECK_EQ(run_with_handler_bounded(p, SYS_exit, msg, sizeof(msg)), 0);
}

/*
 * recvmsg is an ordinary syscall to watch (fd passing); a handler on it
 * ran until this change.  Now the child makes it after its filter, to
 * receive the ruleset, and the registration is refused for every policy
 * (also those whose ruleset is built before the clone, where the child
 * could inherit the ruleset as before and never call recvmsg).
 */
TEST(handler_on_recvmsg_still_allowed)
{
	tc_subreaper();
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char msg[512];
	int r = run_with_handler_bounded(p, SYS_recvmsg, msg, sizeof(msg));
	if (r == 1)
		th_fail(__FILE__, __LINE__, "a handler on recvmsg is refused: %s", msg);
	CHECK_EQ(r, 0);
}

/* ---- the terminal ------------------------------------------------------------------ */

/*
 * An interactive sandbox (stdin a terminal) makes its process group the
 * terminal's foreground in the child's first steps (TIOCSPGRP), before
 * the filter; the host takes the terminal back in finish(), after a run.
 * A planning failure now comes after the child has started, and the
 * failed start does not take it back: the terminal's foreground is left
 * to the dead child's group, and the host (a REPL, a shell built on the
 * library) is in the background of its own terminal, stopped by SIGTTIN
 * at its next read.  A write grant of /proc is enough (refused when the
 * ruleset is built, not at sandlock_sandbox_build).
 *
 * interactive_failure_keeps_terminal() runs `probe exit 0` interactively
 * with a policy that fails to start, in a helper that is a session leader
 * on a pseudo terminal, and fails the test unless the terminal's
 * foreground is the helper's group again after the failed start.  The
 * helper's exit status: 0 the terminal is its own again, 1 it is not, 2
 * the run did not fail, 0x40 a setup failure.
 */
static void interactive_failure_keeps_terminal(const sandlock_sandbox_t *p)
{
	char *slave = NULL;
	int m = tc_openpt(&slave);
	CHECK(m >= 0);
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0) {
		if (tc_session_on(slave, 2) < 0)
			_exit(0x40);
		signal(SIGTTOU, SIG_IGN);
		if (tcgetpgrp(0) != getpgrp())
			_exit(0x40);
		const char *argv[] = {tc_probe(), "exit", "0", NULL};
		if (sandlock_run_interactive(p, NULL, argv, 3) != -1)
			_exit(2);
		_exit(tcgetpgrp(0) == getpgrp() ? 0 : 1);
	}
	int st = tc_drain_tty_until_exit(m, h);
	CHECK(WIFEXITED(st));
	if (WEXITSTATUS(st) == 0x40)
		th_fail(__FILE__, __LINE__, "setup of the host session failed");
	CHECK(WEXITSTATUS(st) != 2);
	if (WEXITSTATUS(st) == 1)
		th_fail(__FILE__, __LINE__,
			"after the failed start the terminal's foreground is not the host's group");
	CHECK_EQ(WEXITSTATUS(st), 0);
}

TEST(interactive_planning_failure_gives_terminal_back)
{
	require_overlap();
	interactive_failure_keeps_terminal(
	    tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/proc")));
}

/* Not of this change (the same without the overlap): a failure in the
 * child after its TIOCSPGRP (here chdir, the working directory removed
 * between build and run) leaves the terminal the same way. */
TEST(interactive_child_failure_gives_terminal_back)
{
	char *cwd = tc_mkdir("cwd");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_cwd(tc_builder(), cwd));
	CHECK(rmdir(cwd) == 0);
	interactive_failure_keeps_terminal(p);
}

/* ---- fds -------------------------------------------------------------------------- */

/* Neither the ruleset received by SCM_RIGHTS nor the status socket reach
 * the command: run, created (gated) then started, and with the host's
 * fd 0 closed (the child's lowest free fd: the pidfd, listener and ruleset
 * land in the stdio range, where close_range(3, ~0) would miss them). */
TEST(no_fd_of_the_window_reaches_command)
{
	require_overlap();
	sandlock_sandbox_t *p = tc_build(overlap_builder());
	CHECK_STR(tc_probe_in(p, "fds", NULL), "0,1,2");
	const char *argv[] = {tc_probe(), "fds", NULL};
	sandlock_handle_t *hd = sandlock_create(p, NULL, argv, 2);
	CHECK(hd != NULL);
	CHECK_EQ(sandlock_start(hd), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(hd));
	sandlock_handle_free(hd);
	CHECK_STR(r.out, "0,1,2\n");
	close(0);
	CHECK_STR(tc_probe_in(p, "fds", NULL), "1,2");
}

/* A write grant still confines: the ruleset that came late is applied. */
TEST(late_ruleset_is_applied)
{
	require_overlap();
	sandlock_sandbox_t *p = tc_build(overlap_builder());
	char *inside = tc_path(th_tmpdir(), "in");
	/* a file beside the granted directory, not below it */
	char outside[4096];
	snprintf(outside, sizeof(outside), "%s-a4out", th_tmpdir());
	tc_write_file(outside, "secret", 0644);
	CHECK_STR(tc_probe_in(p, "write", inside, "hi", NULL), "ok");
	char *got = tc_probe_in(p, "read", outside, NULL);
	unlink(outside);
	CHECK_STR(got, "errno=EACCES");
	CHECK_STR(tc_probe_in(p, "read", "/etc/passwd", NULL), "errno=EACCES");
}

/*
 * The ruleset travels as one more fd the child must receive (MSG_CTRUNC:
 * the child fails with EMFILE).  A host near its RLIMIT_NOFILE that could
 * plan and start a sandbox must not see the child fail for want of a slot
 * for it.  Every soft limit from a few fds up: the host itself needs more
 * fds than the child at each of them (the keeper's pidfd, the listener
 * and pidfd it receives), so the child's receive cannot be the first to
 * fail.
 */
TEST(tight_nofile_child_not_short_of_ruleset_slot)
{
	tc_require_kernel();
	struct rlimit old;
	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	/* a plain policy (read grants; as root, the overlap) and a write grant */
	sandlock_sandbox_t *pol[2] = {tc_build(tc_builder()), tc_build(overlap_builder())};
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	for (int k = 0; k < 2; k++) {
		bool worked = false;
		for (rlim_t lim = 4; lim < 40 && !worked; lim++) {
			struct rlimit rl = {lim, old.rlim_max};
			CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
			sandlock_result_t *r = sandlock_run(pol[k], NULL, argv, 3);
			char *err = r ? NULL : strdup(sandlock_last_error());
			rl.rlim_cur = old.rlim_cur;
			CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
			if (r) {
				worked = sandlock_result_exit_code(r) == 0;
				sandlock_result_free(r);
				continue;
			}
			if (strstr(err, "landlock restrict_self"))
				th_fail(
				    __FILE__, __LINE__,
				    "policy %d, RLIMIT_NOFILE %llu: the host planned and started "
				    "the sandbox, the child failed: %s",
				    k, (unsigned long long)lim, err);
			free(err);
		}
		CHECK(worked);
	}
}

/* ---- CPUs ------------------------------------------------------------------------- */

static char *cpu_list(const cpu_set_t *set)
{
	static char buf[4096];
	size_t n = 0;
	buf[0] = 0;
	for (int c = 0; c < CPU_SETSIZE && n < sizeof(buf); c++)
		if (CPU_ISSET(c, set))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%d", n ? "," : "", c);
	return buf;
}

/* The keeper starts off the host's CPU; the command gets the host's set,
 * in the overlap (write grant: also unprivileged), with cpu_cores, from a
 * threaded create, and with the host on one CPU. */
TEST(overlap_command_gets_host_cpus)
{
	require_overlap();
	cpu_set_t set;
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	char *want = strdup(cpu_list(&set));
	sandlock_sandbox_t *p = tc_build(overlap_builder());
	for (int i = 0; i < 5; i++)
		CHECK_STR(tc_probe_in(p, "affinity", NULL), want);
	const char *argv[] = {tc_probe(), "affinity", NULL};
	sandlock_handle_t *hd = sandlock_create(p, NULL, argv, 2);
	CHECK(hd != NULL);
	CHECK_EQ(sandlock_start(hd), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(hd));
	sandlock_handle_free(hd);
	CHECK_STR(tc_line(r.out, 0), want);
	int last = -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			last = c;
	uint32_t core = (uint32_t)last;
	sandlock_sandbox_t *pc =
	    tc_build(sandlock_sandbox_builder_cpu_cores(overlap_builder(), &core, 1));
	CHECK_STR(tc_probe_in(pc, "affinity", NULL), tc_itoa(last));
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
	CHECK_STR(tc_probe_in(p, "affinity", NULL), tc_itoa(last));
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
}

/* ---- life cycle --------------------------------------------------------------------- */

/* Nothing of ours is left: no child, no zombie. */
static void check_no_children(void)
{
	siginfo_t si = {0};
	errno = 0;
	CHECK(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL) < 0 && errno == ECHILD);
}

/* A planning failure found after the clone, in every mode: NULL with the
 * planner's message, keeper and child reaped, nothing run.  The grants:
 * a directory removed between build and run, a write grant of a pseudo
 * filesystem, and as root a device; those the build itself refuses are
 * not a failure after the clone and are left out. */
TEST(planning_failure_after_clone_every_mode)
{
	require_overlap();
	char *marker = tc_path(th_tmpdir(), "ran");
	char *gone = tc_mkdir("gone");
	const char *bad[3] = {gone, "/proc", th_root() ? "/dev/kmsg" : NULL};
	const char *argv[] = {tc_probe(), "write", marker, "x", NULL};
	int tried = 0;
	for (int b = 0; b < 3 && bad[b]; b++) {
		/* no other write grant: the marker, in our directory, can only be
		 * written by a command without its ruleset */
		sandlock_builder_t *bld = tc_builder();
		bld = b == 2 ? sandlock_sandbox_builder_fs_read(bld, bad[b])
			     : sandlock_sandbox_builder_fs_write(bld, bad[b]);
		int err = 0;
		sandlock_sandbox_t *p = sandlock_sandbox_build(bld, &err, NULL);
		if (!p)
			continue;
		if (b == 0)
			CHECK(rmdir(gone) == 0);
		tried++;
		const uint32_t modes[] = {0, SANDLOCK_CREATE_START, SANDLOCK_CREATE_INLINE,
					  SANDLOCK_CREATE_INLINE | SANDLOCK_CREATE_START};
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			sandlock_handle_t *hd = sandlock_create_ex(p, NULL, argv, 4, modes[m]);
			if (hd) {
				sandlock_handle_free(hd);
				th_fail(__FILE__, __LINE__, "grant %s, mode %u: created", bad[b],
					modes[m]);
			}
			CHECK_CONTAINS(sandlock_last_error(), bad[b]);
			check_no_children();
		}
		CHECK(sandlock_run(p, NULL, argv, 4) == NULL);
		CHECK_CONTAINS(sandlock_last_error(), bad[b]);
		check_no_children();
		sandlock_sandbox_free(p);
	}
	CHECK(tried > 0);
	CHECK(!tc_exists(marker));
}

/* Not of this change, found with it: when a grant other than the first
 * of its kind is missing at run time, the message names the first
 * (fsspecial_grants_open reads l->v[g->n] after fsspecial_grants_close
 * has set g->n to 0). */
TEST(planning_failure_names_the_missing_grant)
{
	tc_require_kernel();
	char *gone = tc_mkdir("gone");
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_write(overlap_builder(), gone));
	CHECK(rmdir(gone) == 0);
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	CHECK(sandlock_run(p, NULL, argv, 3) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), gone);
}

/* Created (gated: the ruleset is sent during create), then freed without
 * a start: nothing runs, nothing is left. */
TEST(created_then_freed_without_start)
{
	require_overlap();
	char *marker = tc_path(th_tmpdir(), "ran");
	sandlock_sandbox_t *p = tc_build(overlap_builder());
	const char *argv[] = {tc_probe(), "write", marker, "x", NULL};
	const uint32_t modes[] = {0, SANDLOCK_CREATE_INLINE};
	for (size_t m = 0; m < 2; m++) {
		sandlock_handle_t *hd = sandlock_create_ex(p, NULL, argv, 4, modes[m]);
		CHECK(hd != NULL);
		sandlock_handle_free(hd);
		check_no_children();
	}
	CHECK(!tc_exists(marker));
}
