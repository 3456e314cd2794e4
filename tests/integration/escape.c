/* SPDX-License-Identifier: Apache-2.0 */
/*
 * escape.c - a sandboxed process attacking the supervisor's facts about
 * processes: names that spoof /proc status fields ("Tgid:", "PPid:"),
 * orphans that setsid() and spin after their parent left at once (by exit
 * or by SIGKILL, so no exit_group is ever notified).  Nothing outside the
 * sandbox may be signalled, stopped or killed; the supervisor must
 * survive; every process of the sandbox is counted, throttled and gone
 * when the run returns.
 *
 * The probe is tests/probes/aprobe.c.
 */
#include "common.h"

#include <sys/prctl.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *aprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "aprobe");
	return p;
}

/* A process outside the sandbox, same uid: it must come out untouched. */
static pid_t victim(void)
{
	pid_t parent = getpid();
	pid_t v = fork();
	CHECK(v >= 0);
	if (v == 0) {
		/* gone with the test, whatever ends it: a failed CHECK exits
		 * without killing it, and it holds the runner's output pipe */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		for (;;)
			pause();
	}
	return v;
}

static void check_victim_untouched(pid_t v)
{
	char st = tc_proc_state(v);
	if (st == 0 || st == 'Z')
		th_fail(__FILE__, __LINE__, "the process outside the sandbox was killed");
	if (st == 'T' || st == 't')
		th_fail(__FILE__, __LINE__, "the process outside the sandbox was stopped");
	kill(v, SIGKILL);
	waitpid(v, NULL, 0);
}

/* Runs argv (up to 4 words) outside any sandbox; its stdout. */
static char *outside(const char *a0, const char *a1, const char *a2, const char *a3)
{
	char *const argv[] = {(char *)a0, (char *)a1, (char *)a2, (char *)a3, NULL};
	char *out = NULL;
	th_run(argv, NULL, &out, NULL);
	return out ? out : "";
}

static sandlock_sandbox_t *policy(uint32_t max_procs, uint8_t cpu)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_max_processes(tc_builder(), max_procs);
	if (cpu)
		b = sandlock_sandbox_builder_max_cpu(b, cpu);
	return tc_build(b);
}

static char *ok_line(long v)
{
	char *s = malloc(32);
	snprintf(s, 32, "ok %ld\n", v);
	return s;
}

/* Threads named "Tgid:\t<victim>", a main thread named "PPid:\t1",
 * children inheriting the names, all making notified syscalls, under a
 * CPU throttle (SIGSTOP/SIGCONT to the index) and at the end (SIGKILL). */
TEST(spoofed_tgid_name_cannot_reach_outside)
{
	pid_t v = victim();
	struct tc_res r =
	    tc_run(policy(16, 30), NULL, aprobe(), "spoof-tgid", tc_itoa(v), "600", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_STR(r.out, ok_line(v));
	check_victim_untouched(v);
}

/* The same naming this process (the supervisor, inline in sandlock_run):
 * it must neither be killed nor stopped (a stopped supervisor would hang
 * here until the harness's alarm). */
TEST(spoofed_tgid_name_cannot_reach_supervisor_lib)
{
	struct tc_res r =
	    tc_run(policy(16, 30), NULL, aprobe(), "spoof-tgid", tc_itoa(getpid()), "600", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_STR(r.out, ok_line(getpid()));
}

/* Through the CLI, naming the CLI itself (its pid passed in: the proc
 * view hides it, and the keeper, from the sandbox's /proc; a shell's $$
 * is the CLI it execs); a timeout still fires (the supervisor was not
 * stopped), and the run ends by it. */
static int cli_naming_itself(char **out, const char *timeout, const char *ms)
{
	const char *script =
	    tc_fmt("exec \"$0\" run -r %s -r /proc -c 30 %s -- %s spoof-tgid $$ %s", tc_probe_dir(),
		   timeout, aprobe(), ms);
	char *const argv[] = {"/bin/sh", "-c", (char *)script, (char *)tc_cli(), NULL};
	char *err = NULL;
	tc_require_kernel();
	int st = th_run(argv, NULL, out, &err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

TEST(spoofed_tgid_name_cannot_reach_supervisor_cli)
{
	char *out = NULL;
	int rc = cli_naming_itself(&out, "", "600");
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "the CLI exited %d: %s", rc, out);
	CHECK(!strncmp(out, "ok ", 3));
	long sup = strtol(out + 3, NULL, 10);
	CHECK(sup > 0 && sup != getpid());
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = cli_naming_itself(&out, "-t 1", "20000");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(rc != 0);
	if (t1.tv_sec - t0.tv_sec > 15)
		th_fail(__FILE__, __LINE__, "a 1 s timeout took %ld s",
			(long)(t1.tv_sec - t0.tv_sec));
}

/* A fork bomb of processes named "PPid:\t1" stays under the cap: every
 * child is found by its kernel-reported parent. */
TEST(spoofed_ppid_name_fork_bomb_capped)
{
	struct tc_res r = tc_run(policy(10, 0), NULL, aprobe(), "named-bomb", "1500", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	long forks = -1;
	CHECK(sscanf(r.out, "ok %ld", &forks) == 1);
	if (forks < 1 || forks > 9)
		th_fail(__FILE__, __LINE__, "%ld successful forks under a cap of 10", forks);
}

/* A grandchild that setsid()s and spins after its parent left at once
 * (HOW: exit, or SIGKILL to itself: no exit_group is notified).  Under a
 * 10 % CPU share it must be throttled, and gone when the run ends. */
static void orphan_case(const char *how)
{
	const char *argv[] = {aprobe(), "orphan-spin", "3000", how, NULL};
	sandlock_handle_t *h = sandlock_create(policy(8, 10), NULL, argv, 4);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	pid_t root = sandlock_handle_pid(h);
	/* the grandchild's pid: it is the keeper's child now */
	pid_t g = 0;
	for (int i = 0; i < 500 && g <= 0; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/status", (int)root);
		char *s = tc_read_file(path);
		char *pp = s ? strstr(s, "\nPPid:") : NULL;
		pid_t keeper = pp ? (pid_t)strtol(pp + 6, NULL, 10) : 0;
		free(s);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)keeper, (int)keeper);
		s = keeper > 0 ? tc_read_file(path) : NULL;
		for (char *t = s; t && *t;) {
			long c = strtol(t, &t, 10);
			if (c > 0 && c != root)
				g = (pid_t)c;
			while (*t == ' ')
				t++;
		}
		free(s);
		usleep(10 * 1000);
	}
	CHECK(g > 0);
	long c0 = tc_cpu_ms(g);
	usleep(1500 * 1000);
	long c1 = tc_cpu_ms(g);
	CHECK(c0 >= 0 && c1 >= 0);
	if (c1 - c0 > 600)
		th_fail(__FILE__, __LINE__, "orphan used %ld ms of CPU in 1500 ms at max_cpu 10",
			c1 - c0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_STR(r.out, ok_line(g));
	/* gone as soon as the run returned: nothing left to wait for */
	char st = tc_proc_state(g);
	if (st != 0 && st != 'Z')
		th_fail(__FILE__, __LINE__, "the orphan outlived the sandbox (state %c)", st);
	sandlock_handle_free(h);
}

TEST(orphan_after_parent_exit_throttled_and_killed)
{
	orphan_case("exit");
}

TEST(orphan_after_parent_sigkill_throttled_and_killed)
{
	orphan_case("kill");
}

/* Through the CLI: the orphan is gone when `sandlock run` returns. */
TEST(orphan_gone_when_cli_returns)
{
	char *out = NULL;
	int rc = tc_cli_run(&out, NULL, "-r", tc_probe_dir(), "--", aprobe(), "orphan-spin", "200",
			    "kill", NULL);
	CHECK_EQ(rc, 0);
	long g = -1;
	CHECK(sscanf(out, "ok %ld", &g) == 1);
	char st = tc_proc_state((pid_t)g);
	if (st != 0 && st != 'Z')
		th_fail(__FILE__, __LINE__, "the orphan outlived sandlock run (state %c)", st);
}

/* Orphans whose parent was killed at once (no exit_group) still count
 * against the cap: at most 3 alive next to the root under a cap of 4. */
TEST(orphans_of_killed_parents_counted)
{
	struct tc_res r = tc_run(policy(4, 0), NULL, tc_path(tc_probe_dir(), "lprobe"), "orphans",
				 "8", "kill", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	long made = -1;
	CHECK(sscanf(r.out, "ok %ld", &made) == 1);
	if (made < 1 || made > 3)
		th_fail(__FILE__, __LINE__, "%ld orphans alive at once under a cap of 4", made);
}

static sandlock_sandbox_t *mem_policy(uint64_t mib)
{
	return tc_build(sandlock_sandbox_builder_max_memory(tc_builder(), mib << 20));
}

/* Raising RLIMIT_STACK's soft limit to the hard one and recursing: the
 * hard limit is max_memory, so the stack stops there (SIGSEGV), not at
 * the 1 GiB asked for. */
TEST(max_memory_caps_the_stack)
{
	struct tc_res r = tc_run(mem_policy(64), NULL, aprobe(), "stack", "1024", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_SIGNALED);
	CHECK_EQ(r.sig, SIGSEGV);
	/* within the limit it works */
	r = tc_run(mem_policy(64), NULL, aprobe(), "stack", "32", NULL);
	CHECK_STR(r.out, "ok 32\n");
}

/* 48 MiB, then forks whose children write every page: the fork is
 * charged with the copy, so under 64M the first fork already fails with
 * ENOMEM; with room for two copies, two forks work. */
TEST(max_memory_charges_copy_on_write_forks)
{
	struct tc_res r = tc_run(mem_policy(64), NULL, aprobe(), "cow-fork", "48", "20", NULL);
	CHECK_STR(r.out, "ok 0 ENOMEM\n");
	r = tc_run(mem_policy(200), NULL, aprobe(), "cow-fork", "48", "20", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	long forked = -1;
	CHECK(sscanf(r.out, "ok %ld ENOMEM", &forked) == 1);
	if (forked < 1 || forked > 3)
		th_fail(__FILE__, __LINE__, "%ld copies of 48 MiB under 200 MiB", forked);
}

/* Stacks grow without any syscall: 10 children each growing 40 MiB
 * under 64M.  The periodic check kills the largest until the sandbox
 * fits: at most one such child is left. */
TEST(max_memory_stops_silent_stack_growth)
{
	struct tc_res r = tc_run(mem_policy(64), NULL, aprobe(), "stack-kids", "10", "40", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	long alive = -1;
	CHECK(sscanf(r.out, "ok %ld", &alive) == 1);
	if (alive > 1)
		th_fail(__FILE__, __LINE__, "%ld children with 40 MiB stacks alive under 64M",
			alive);
	CHECK(sandlock_result_note(NULL) == NULL);
}

/* A limit too small to start the program: one line that says so. */
TEST(max_memory_too_small_to_start_says_so)
{
	char *err = NULL;
	int rc = tc_cli_run(NULL, &err, "-r", tc_probe_dir(), "-m", "4K", "--", aprobe(), "stack",
			    "1", NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "before it started: max_memory (4K) is too small to start it");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_memory(tc_builder(), 1));
	const char *argv[] = {aprobe(), "stack", "1", NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 3);
	CHECK(res != NULL);
	CHECK_CONTAINS(sandlock_result_note(res), "max_memory (1 byte) is too small");
	sandlock_result_free(res);
}

/* Syscalls that name another process by pid: a process of the same uid
 * outside the sandbox is out of reach (ESRCH, as if it did not exist);
 * the caller itself, a child it just forked (not yet seen by the
 * supervisor) and a thread of its own are in reach; PRIO_USER and
 * IOPRIO_WHO_USER (every process of the uid) are refused. */
TEST(cross_process_syscalls_stay_inside)
{
	static const char *ops[] = {"prlimit", "affinity", "sched",	"param",       "attr",
				    "setprio", "getprio",  "ioprio",	"migrate",     "move-pages",
				    "robust",  "kcmp",	   "pidfd",	"getaffinity", "getsched",
				    "getpgid", "getsid",   "ioprio-get"};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	pid_t v = victim();
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char *out = outside(aprobe(), "xproc", ops[i], tc_itoa(v));
		if (strcmp(out, "ok\n") != 0) {
			printf("    note: %s fails outside the sandbox too (%s)", ops[i], out);
			continue;
		}
		struct tc_res r = tc_run(p, NULL, aprobe(), "xproc", ops[i], tc_itoa(v), NULL);
		if (strcmp(r.out, "errno=ESRCH\n") != 0)
			th_fail(__FILE__, __LINE__, "%s on a process outside: %s", ops[i], r.out);
		const char *targets[] = {"self", "child", "thread"};
		for (size_t k = 0; k < 3; k++) {
			if (!strcmp(ops[i], "pidfd") && k == 2)
				continue; /* a thread needs PIDFD_THREAD */
			r = tc_run(p, NULL, aprobe(), "xproc", ops[i], targets[k], NULL);
			if (strcmp(r.out, "ok\n") != 0)
				th_fail(__FILE__, __LINE__, "%s on %s inside: %s", ops[i],
					targets[k], r.out);
		}
	}
	const char *user_ops[] = {"prio-user", "ioprio-user"};
	for (size_t i = 0; i < 2; i++) {
		struct tc_res r = tc_run(p, NULL, aprobe(), "xproc", user_ops[i], "self", NULL);
		CHECK_STR(r.out, "errno=EPERM\n");
	}
	check_victim_untouched(v);
}

/* Children too short-lived to be seen alive (fork, spin 3 ms, exit,
 * reaped by their parent before any scan) still spend the sandbox's CPU
 * share: their time reaches the throttle through their parent's
 * children's time. */
TEST(max_cpu_counts_short_lived_children)
{
	struct tc_res r = tc_run(policy(16, 10), NULL, aprobe(), "fork-spin", "1500", "3", NULL);
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	long cpu = -1;
	CHECK(sscanf(r.out, "ok %ld", &cpu) == 1);
	if (cpu > 600)
		th_fail(__FILE__, __LINE__,
			"short-lived children used %ld ms of CPU in 1500 ms at "
			"max_cpu 10",
			cpu);
}
