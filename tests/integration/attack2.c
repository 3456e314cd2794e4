/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack2.c - a second round of attacks on the process index, the
 * resource limits and the cross-process syscalls (after escape.c).
 *
 * Each attack here once got through (the comment says how) and is now
 * held (the comment says by what), or was tried and held from the start.
 *
 * The probe is tests/probes/xprobe.c.
 */
#include "common.h"

#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *xprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "xprobe");
	return p;
}

static sandlock_sandbox_t *mem_policy(uint64_t mib)
{
	return tc_build(sandlock_sandbox_builder_max_memory(tc_builder(), mib << 20));
}

static sandlock_sandbox_t *cpu_policy(uint8_t pct)
{
	return tc_build(sandlock_sandbox_builder_max_cpu(tc_builder(), pct));
}

/* "ok N" -> N; fails the test on anything else. */
static long ok_value(const struct tc_res *r)
{
	long v = -1;
	if (sscanf(r->out ? r->out : "", "ok %ld", &v) != 1)
		th_fail(__FILE__, __LINE__,
			"probe: status %d code %d sig %d, out \"%s\", err \"%s\"", r->status,
			r->code, r->sig, r->out, r->err);
	return v;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- max_memory -------------------------------------------------------- */

/*
 * A process whose thread-group leader has exited (SYS_exit from the main
 * thread while another thread lives on) reads as all zeros in
 * /proc/<pid>/statm: the leader's mm is gone, the process's is not.  Four
 * such children once held 4 x 40 MiB under max_memory 64M; the supervisor
 * now reads a live thread's statm when the leader's is empty.  (Without the trick, the same probe
 * is held at the limit: see max_memory_* in escape.c and limits.c.)
 */
TEST(max_memory_counts_processes_whose_leader_exited)
{
	struct tc_res r = tc_run(mem_policy(64), NULL, xprobe(), "zombie-mem", "4", "40", NULL);
	long held = ok_value(&r);
	if (held > 80)
		th_fail(__FILE__, __LINE__,
			"%ld MiB held by live processes under max_memory 64M (their leaders "
			"exited: /proc/<pid>/statm reads 0)",
			held);
}

/*
 * The same, in one process, with no allocation call at all:
 * MAP_GROWSDOWN areas grow by page faults, each up to RLIMIT_STACK (set
 * to max_memory), and RLIMIT_DATA does not apply to them.  The periodic
 * check is what stops this (max_memory_stops_silent_stack_growth), but
 * with a zombie leader it reads 0.  Expected: killed, or at most the
 * limit; got 240 MiB under 64M.
 */
TEST(max_memory_growsdown_with_leader_exited_stopped)
{
	struct tc_res r = tc_run(mem_policy(64), NULL, xprobe(), "zombie-stack", "6", "40", NULL);
	if (r.status != SANDLOCK_STATUS_EXITED)
		return; /* killed by the memory check: held */
	long got = ok_value(&r);
	if (got > 80)
		th_fail(__FILE__, __LINE__,
			"one process grew %ld MiB of MAP_GROWSDOWN areas under max_memory 64M "
			"and was not killed",
			got);
}

/*
 * Shared anonymous memory was charged to the process that mapped it until
 * it exited; a child that forked keeps the mapping alive: map 40 MiB
 * shared, fork, exit, repeat: five grandchildren held 200 MiB under 64M.
 * A fork now carries its parent's shared charge, and the periodic check
 * counts what each process holds resident (RssShmem).
 */
TEST(max_memory_shared_mapping_charged_to_forks)
{
	struct tc_res r = tc_run(mem_policy(64), NULL, xprobe(), "shared-orphans", "5", "40", NULL);
	long held = ok_value(&r);
	if (held > 80)
		th_fail(__FILE__, __LINE__,
			"%ld MiB of shared anonymous memory alive under max_memory 64M (the "
			"charge left with the mapper, the memory stayed with its child)",
			held);
}

/*
 * mmap(MAP_SHARED) of /dev/zero is shared anonymous memory (the kernel
 * sets it up exactly as MAP_SHARED|MAP_ANONYMOUS); the filter notified
 * only the forms with MAP_ANONYMOUS: 300 MiB under 64M, for any policy
 * that grants write access to /dev/zero.  Every writable shared mapping is
 * now charged.
 */
TEST(max_memory_counts_shared_dev_zero)
{
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_memory(
	    sandlock_sandbox_builder_fs_write(tc_builder(), "/dev/zero"), 64ULL << 20));
	struct tc_res r = tc_run(p, NULL, xprobe(), "dev-zero", "300", NULL);
	if (r.status != SANDLOCK_STATUS_EXITED)
		return; /* killed: held */
	if (!strncmp(r.out, "errno=", 6))
		return; /* refused: held */
	long mb = ok_value(&r);
	if (mb > 64)
		th_fail(__FILE__, __LINE__,
			"%ld MiB of shared /dev/zero memory mapped and touched under "
			"max_memory 64M",
			mb);
}

/* ---- max_cpu ----------------------------------------------------------- */

/*
 * The throttle stops the sandbox with SIGSTOP, and a process can have the
 * kernel resume it: POSIX timers delivering SIGCONT to itself every 2 ms
 * (SIGCONT continues a stopped process whoever sends it, whatever its
 * disposition; it cannot be blocked).  Stopped again at every tick, a
 * process that keeps running while the sandbox is stopped is killed, and
 * the result says why.
 */
TEST(max_cpu_sigcont_timer_cannot_resume_itself)
{
	/* control: the same spin without the timer is held */
	struct tc_res r =
	    tc_run(cpu_policy(10), NULL, xprobe(), "sigcont-timer", "1500", "0", NULL);
	long base = ok_value(&r);
	if (base > 600)
		th_fail(__FILE__, __LINE__, "control: %ld ms of CPU in 1500 ms at max_cpu 10",
			base);
	sandlock_sandbox_t *p = cpu_policy(10);
	const char *argv[] = {xprobe(), "sigcont-timer", "1500", "2", NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 4);
	CHECK(res != NULL);
	CHECK_EQ(sandlock_result_status(res), SANDLOCK_STATUS_KILLED);
	CHECK_CONTAINS(sandlock_result_note(res), "kept running while the sandbox was stopped");
	sandlock_result_free(res);
}

/* Timers far enough apart that the process is seen stopped between two
 * resumes (a count of checks in a row would start again each time): what
 * it runs behind the stop adds up, and it is killed all the same. */
TEST(max_cpu_sparse_sigcont_timer_cannot_resume_itself)
{
	sandlock_sandbox_t *p = cpu_policy(10);
	const char *argv[] = {xprobe(), "sigcont-timer", "3000", "25", NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 4);
	CHECK(res != NULL);
	CHECK_EQ(sandlock_result_status(res), SANDLOCK_STATUS_KILLED);
	CHECK_CONTAINS(sandlock_result_note(res), "kept running while the sandbox was stopped");
	sandlock_result_free(res);
}

/* The same SIGCONT timers cannot undo a pause (sandlock_handle_pause stops
 * every process of the index with SIGSTOP): the paused command that keeps
 * spinning is killed within a few checks. */
TEST(pause_sigcont_timer_cannot_resume_itself)
{
	const char *argv[] = {xprobe(), "sigcont-timer", "3000", "2", NULL};
	sandlock_handle_t *h = sandlock_create(tc_build(tc_builder()), NULL, argv, 4);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	pid_t pid = sandlock_handle_pid(h);
	usleep(300 * 1000);
	CHECK_EQ(sandlock_handle_pause(h), 0);
	usleep(100 * 1000);
	long c0 = tc_cpu_ms(pid);
	usleep(1000 * 1000);
	long c1 = tc_cpu_ms(pid);
	/* killed while paused: gone (-1), or it used almost nothing */
	if (c1 >= 0 && c0 >= 0 && c1 - c0 > 300)
		th_fail(__FILE__, __LINE__, "a paused sandbox used %ld ms of CPU in 1000 ms",
			c1 - c0);
	sandlock_handle_resume(h);
	sandlock_result_t *res = sandlock_handle_wait(h);
	CHECK(res != NULL);
	CHECK_EQ(sandlock_result_status(res), SANDLOCK_STATUS_KILLED);
	CHECK_CONTAINS(sandlock_result_note(res), "kept running while the sandbox was stopped");
	sandlock_result_free(res);
	sandlock_handle_free(h);
}

/* A zombie leader's /proc/<pid>/stat still sums its threads' time: the
 * throttle sees it (held). */
TEST(max_cpu_zombie_leader_still_throttled)
{
	struct tc_res r = tc_run(cpu_policy(10), NULL, xprobe(), "zombie-spin", "1500", NULL);
	long cpu = ok_value(&r);
	if (cpu > 600)
		th_fail(__FILE__, __LINE__,
			"a process with an exited leader used %ld ms of CPU in 1500 ms at "
			"max_cpu 10",
			cpu);
}

/* ---- max_processes and fd exhaustion ------------------------------------ */

static void lower_nofile(rlim_t n)
{
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur > n)
		rl.rlim_cur = n;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
}

/*
 * The supervisor holds two fds per process (pidfd and /proc directory).  With the host at the
 * common soft RLIMIT_NOFILE of 1024 and max_processes 600, the sandbox runs the supervisor out of
 * fds with ~500 processes.  From then on a scan cannot open the children lists (or a child's
 * pidfd), and scan() then releases the parent's complete pending forks as "children already gone":
 * every fork frees the slot of the one before, and the cap no longer holds (900 forks under 600).
 * Same through the CLI: `ulimit -n 1024; sandlock run -P 600 ...`.  Now a
 * scan that could not read everything releases nothing, and a fork the
 * supervisor could not hold is refused (EAGAIN).
 */
TEST(max_processes_supervisor_out_of_fds_fails_closed)
{
	lower_nofile(1024);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_processes(tc_builder(), 600));
	struct tc_res r = tc_run(p, NULL, xprobe(), "fork-count", "900", NULL);
	long forked = ok_value(&r);
	if (forked > 599)
		th_fail(__FILE__, __LINE__,
			"%ld processes forked under max_processes 600 once the supervisor ran "
			"out of fds (host RLIMIT_NOFILE 1024)",
			forked);
}

/*
 * The same exhaustion, for max_cpu: a child the supervisor could not open
 * was not in the index (never stopped); a spinner forked after 560
 * sleepers ran at several times its 10 % share.  Now such forks fail.
 */
TEST(max_cpu_supervisor_out_of_fds_fails_closed)
{
	lower_nofile(1024);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_cpu(
	    sandlock_sandbox_builder_max_processes(tc_builder(), 600), 10));
	struct tc_res r = tc_run(p, NULL, xprobe(), "fd-spin", "560", "1500", NULL);
	/* fail closed: the supervisor refused forks it could not track */
	if (r.out && !strcmp(r.out, "errno=EAGAIN\n"))
		return;
	long cpu = ok_value(&r);
	if (cpu > 600)
		th_fail(__FILE__, __LINE__,
			"a process forked once the supervisor ran out of fds used %ld ms of CPU "
			"in 1500 ms at max_cpu 10",
			cpu);
}

/*
 * A scan reads the children list of each thread in turn
 * (scan_process: readdir of task/, then task/<tid>/children).  A thread
 * that forked, made another notified call (its pending fork is now
 * "complete") and exits while the scan is between the other threads'
 * lists and its own: its child moves to a list already read, its own file
 * is gone (ENOENT, read as "no children"), and scan() releases the
 * complete pending as "a child already gone".  The child is then neither
 * counted nor in the index (never throttled or paused).  100 racers with
 * 200 idle threads each (so the scan of a racer takes long enough) leave
 * several such children: 306-313 processes alive under max_processes 300
 * on the development VM; with the thread leaving 60 ms later, exactly 300.
 * Now a scan during which a thread left (or whose list needed more than
 * one read) releases nothing.
 */
TEST(max_processes_thread_exit_during_scan_counted)
{
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_processes(tc_builder(), 300));
	struct tc_res r = tc_run(p, NULL, xprobe(), "thread-exit-race", "100", "200", NULL);
	long alive = ok_value(&r);
	if (alive > 300)
		th_fail(__FILE__, __LINE__,
			"%ld processes alive under max_processes 300 (children of threads that "
			"exited during a scan were never counted)",
			alive);
}

/*
 * Threads do not count as processes (0.8.0: max_processes 2 still allows
 * 10 Python threads), yet each is a task with its own pid: unbounded, a
 * sandbox could take the host's whole pid space (32768 here), after which
 * nobody on the host can fork.  The sandbox holds at most 64 threads per
 * process of its cap.
 */
TEST(max_processes_bounds_threads)
{
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_processes(tc_builder(), 4));
	struct tc_res r = tc_run(p, NULL, xprobe(), "threads", "2000", NULL);
	long made = ok_value(&r);
	if (made > 4 * 64)
		th_fail(__FILE__, __LINE__, "%ld threads (tasks, pids) alive under max_processes 4",
			made);
}

/* ---- cross-process syscalls ------------------------------------------- */

/* An outside process with no capabilities (the kernel refuses to renice
 * a process holding capabilities the caller lacks, whatever the uid). */
static pid_t capless_victim(void)
{
	pid_t v = fork();
	CHECK(v >= 0);
	if (v == 0) {
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2] = {{0}};
		syscall(SYS_capset, &h, d);
		for (;;)
			pause();
	}
	return v;
}

/*
 * setpriority/ioprio_set with PRIO_PGRP/IOPRIO_WHO_PGRP and who == 0
 * ("my own group") are let through by the filter without a check, and a
 * sandboxed process can make the host's group its own: the command is in
 * the host's session (only setpgid at start), and setpgid(0, G) to any
 * group of the same session is allowed (getpgid(getppid()) named the
 * host's group while the keeper stayed in it; the probe is given it
 * here).  Then setpriority(PRIO_PGRP, 0, 15) renices
 * every process of that group, the supervisor included, and
 * ioprio_set(IOPRIO_WHO_PGRP, 0, idle) starved their I/O.  Now setpgid
 * may only create a group or join one led by a member.
 */
TEST(xproc_cannot_join_host_group)
{
	/* a group of our own (the harness stays out of it), with a victim */
	CHECK(setpgid(0, 0) == 0);
	pid_t v = capless_victim();
	errno = 0;
	int nice0 = getpriority(PRIO_PROCESS, v);
	long io0 = syscall(SYS_ioprio_get, 1, v);
	CHECK(errno == 0 && io0 >= 0);
	struct tc_res r = tc_run(tc_build(tc_builder()), NULL, xprobe(), "join-pgrp",
				 tc_itoa(getpgid(0)), "15", NULL);
	errno = 0;
	int nice1 = getpriority(PRIO_PROCESS, v);
	long io1 = syscall(SYS_ioprio_get, 1, v);
	kill(v, SIGKILL);
	waitpid(v, NULL, 0);
	if (nice1 != nice0 || io1 != io0)
		th_fail(__FILE__, __LINE__,
			"the process outside the sandbox went from nice %d to %d, ioprio %#lx to "
			"%#lx (probe: %s)",
			nice0, nice1, io0, io1, r.out);
	CHECK_CONTAINS(r.out, "setpgid=EPERM ");
}

/*
 * With write access to /proc granted, /proc/<pid> files name a
 * process by pid as well, and the kernel lets any same-uid process raise
 * another's oom_score_adj (or its autogroup nice, its coredump_filter...).
 * Only Landlock's filesystem rules stand in the way; a policy that grants
 * -w /proc (e.g. to let the command tune itself through /proc/self) let
 * the sandbox make an outside process the OOM killer's first choice.
 * Held: such a grant is refused at start (fsspecial.c; pseudofs.c tests
 * the trees that hold /proc).
 */
TEST(xproc_proc_write_grant_refused)
{
	pid_t v = fork();
	CHECK(v >= 0);
	if (v == 0) {
		for (;;)
			pause();
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)v);
	char *before = tc_read_file(path);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/proc"));
	const char *argv[] = {xprobe(), "proc-write", tc_itoa(v), "oom_score_adj", "1000", NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 5);
	struct tc_res r = {.out = ""};
	if (res)
		r = tc_result(res);
	char *after = tc_read_file(path);
	kill(v, SIGKILL);
	waitpid(v, NULL, 0);
	CHECK(before && after);
	if (strcmp(before, after) != 0)
		th_fail(__FILE__, __LINE__,
			"the outside process's oom_score_adj went from %.*s to %.*s (probe: %s)",
			(int)strcspn(before, "\n"), before, (int)strcspn(after, "\n"), after,
			r.out);
	CHECK(res == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "fs_write /proc: the tree is /proc (proc)");
}

/* Naming an outside group directly is refused (held). */
TEST(xproc_outside_group_named_refused)
{
	CHECK(setpgid(0, 0) == 0);
	pid_t v = capless_victim();
	errno = 0;
	int nice0 = getpriority(PRIO_PROCESS, v);
	struct tc_res r = tc_run(tc_build(tc_builder()), NULL, xprobe(), "prio-pgrp",
				 tc_itoa(getpgrp()), "15", NULL);
	int nice1 = getpriority(PRIO_PROCESS, v);
	kill(v, SIGKILL);
	waitpid(v, NULL, 0);
	CHECK_STR(r.out, "errno=ESRCH\n");
	CHECK_EQ(nice1, nice0);
}

/* SIGIO/F_SETSIG to an outside pid through F_SETOWN: Landlock's signal
 * scope covers it (held). */
TEST(sigio_to_outside_refused)
{
	pid_t v = fork();
	CHECK(v >= 0);
	if (v == 0) {
		for (;;)
			pause();
	}
	struct tc_res r = tc_run(tc_build(tc_builder()), NULL, xprobe(), "sigio", tc_itoa(v), NULL);
	CHECK_STR(r.out, "ok\n");
	char st = tc_proc_state(v);
	kill(v, SIGKILL);
	waitpid(v, NULL, 0);
	if (st == 0 || st == 'Z')
		th_fail(__FILE__, __LINE__, "the outside process was killed by SIGIO");
}

/* ---- timeouts and concurrent sandboxes ---------------------------------- */

/* The inline loop (CLI, sandlock_create_ex INLINE) checks its deadline
 * only when poll() finds nothing to do: 16 processes flooding it with
 * notifications and output must not keep a 1 s timeout from firing
 * (held here, on 2 CPUs). */
TEST(timeout_fires_under_notification_and_output_flood)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {xprobe(), "flood", "8000", "16", NULL};
	sandlock_handle_t *h =
	    sandlock_create_ex(p, NULL, argv, 4, SANDLOCK_CREATE_INLINE | SANDLOCK_CREATE_START);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	double t0 = mono_s();
	sandlock_result_t *res = sandlock_handle_wait_timeout(h, 1000);
	double dt = mono_s() - t0;
	CHECK(res != NULL);
	CHECK_EQ(sandlock_result_status(res), SANDLOCK_STATUS_TIMEOUT);
	sandlock_result_free(res);
	sandlock_handle_free(h);
	if (dt > 6.0)
		th_fail(__FILE__, __LINE__, "a 1 s timeout took %.1f s under a flood", dt);
}

/* Two sandboxes in one host: A (10 % CPU, so its supervisor stops and
 * resumes its processes all the time) has threads named "Tgid:\t<B's
 * root>"; B is not throttled and must never be seen stopped. */
TEST(concurrent_sandboxes_never_stop_each_other)
{
	const char *xp = xprobe();
	const char *ap = tc_path(tc_probe_dir(), "aprobe");
	const char *bargv[] = {xp, "sigcont-timer", "1500", "0", NULL};
	sandlock_handle_t *b = sandlock_create(tc_build(tc_builder()), NULL, bargv, 4);
	if (!b)
		th_fail(__FILE__, __LINE__, "create B: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(b), 0);
	pid_t bpid = sandlock_handle_pid(b);
	const char *aargv[] = {ap, "spoof-tgid", tc_itoa(bpid), "1500", NULL};
	sandlock_sandbox_t *ap_policy = tc_build(sandlock_sandbox_builder_max_cpu(
	    sandlock_sandbox_builder_max_processes(tc_builder(), 16), 10));
	sandlock_handle_t *a = sandlock_create(ap_policy, NULL, aargv, 4);
	if (!a)
		th_fail(__FILE__, __LINE__, "create A: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(a), 0);
	int stopped = 0;
	for (int i = 0; i < 120; i++) {
		char st = tc_proc_state(bpid);
		if (st == 'T' || st == 't')
			stopped++;
		usleep(10 * 1000);
	}
	struct tc_res ra = tc_result(sandlock_handle_wait(a));
	struct tc_res rb = tc_result(sandlock_handle_wait(b));
	sandlock_handle_free(a);
	sandlock_handle_free(b);
	if (ra.status != SANDLOCK_STATUS_EXITED)
		th_fail(__FILE__, __LINE__, "A ended with status %d, signal %d: %s", ra.status,
			ra.sig, ra.note);
	long cpu = ok_value(&rb);
	if (stopped)
		th_fail(__FILE__, __LINE__, "B's process was seen stopped %d times", stopped);
	if (cpu < 500)
		th_fail(__FILE__, __LINE__, "B got only %ld ms of CPU in 1500 ms", cpu);
}

/* The ways to have the kernel send SIGCONT later, behind the throttle's
 * back, are refused at the request: as parent-death signal, as F_SETSIG
 * signal (the filter, by register) and as a clone's exit signal (the
 * supervisor, which sees clone).  Outside, all three work. */
TEST(max_cpu_deferred_sigcont_requests_refused)
{
	char *const argv[] = {(char *)xprobe(), "sigcont-senders", NULL};
	char *out = NULL;
	th_run(argv, NULL, &out, NULL);
	CHECK_STR(out, "pdeathsig=ok setsig=ok clone=ok\n");
	struct tc_res r = tc_run(cpu_policy(50), NULL, xprobe(), "sigcont-senders", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "pdeathsig=EPERM setsig=EPERM clone=EPERM\n");
}

/* ---- third round (attack-b) ------------------------------------------- */

static const char *nprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "nprobe");
	return p;
}

/*
 * The periodic memory check leaves the command out until it has exec'd
 * (before, it has the host's address space).  It once waited for a
 * notified syscall instead, and a program with no libc makes none: it
 * fills a memfd (write), maps it read-only and shared (neither form is
 * notified) and reads it, holding it resident (RssShmem, which the check
 * counts).  256 MiB stayed resident under max_memory 64M; now the exec
 * (the kernel's PF_FORKNOEXEC cleared) is what counts, and it is killed
 * like the control, which makes one uname first.
 */
TEST(max_memory_command_without_notified_syscall_checked)
{
	struct tc_res r =
	    tc_run(mem_policy(64), NULL, nprobe(), "memfd", "256", "600", "uname", NULL);
	if (r.status == SANDLOCK_STATUS_EXITED)
		th_fail(__FILE__, __LINE__,
			"control: 256 MiB resident for 600 ms under max_memory 64M after a "
			"notified syscall, not killed (out \"%s\")",
			r.out);
	r = tc_run(mem_policy(64), NULL, nprobe(), "memfd", "256", "600", NULL);
	if (r.status == SANDLOCK_STATUS_EXITED && ok_value(&r) > 64)
		th_fail(__FILE__, __LINE__,
			"a command that made no notified syscall held %ld MiB resident for "
			"600 ms under max_memory 64M (the periodic check skips it)",
			ok_value(&r));
}
