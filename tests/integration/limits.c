/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limits.c - resource limits enforced by the supervisor and
 * live control of a running sandbox: max_processes (fork, raw fork,
 * vfork, threads, a fork bomb, orphans), max_memory (one process, several,
 * shared mappings, brk, Python), max_cpu, pause/resume/kill reaching a
 * process that left the group, through the library and the CLI.
 *
 * The probe is tests/probes/lprobe.c.
 */
#include "common.h"

#include <signal.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *lprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "lprobe");
	return p;
}

/* Runs lprobe ARGS in p; returns its stdout line (exit 0 required). */
static char *run_lprobe(const sandlock_sandbox_t *p, const char *const *args)
{
	const char *argv[8] = {lprobe()};
	for (int i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	struct tc_res r = tc_runv(p, NULL, argv);
	if (r.status != SANDLOCK_STATUS_EXITED || r.code != 0)
		th_fail(__FILE__, __LINE__, "lprobe %s: status %d code %d, stderr: %s", args[0],
			r.status, r.code, r.err);
	return tc_line(r.out, 0);
}

#define LPROBE(p, ...) run_lprobe((p), (const char *const[]){__VA_ARGS__, NULL})

static sandlock_sandbox_t *procs_policy(uint32_t n)
{
	return tc_build(sandlock_sandbox_builder_max_processes(tc_builder(), n));
}

static sandlock_sandbox_t *mem_policy(uint64_t mib)
{
	return tc_build(sandlock_sandbox_builder_max_memory(tc_builder(), mib << 20));
}

/* Over the cap, fork fails with EAGAIN; reaped children free their slots
 * (the second round gets as many). */
TEST(max_processes_cap_and_release)
{
	CHECK_STR(LPROBE(procs_policy(5), "forks", "10"), "ok 4 EAGAIN 4 EAGAIN");
}

/* Raw fork(2) and vfork(2) are counted too (0.8.0 missed them). */
TEST(max_processes_raw_fork_and_vfork)
{
	CHECK_STR(LPROBE(procs_policy(5), "forks", "10", "raw"), "ok 4 EAGAIN 4 EAGAIN");
	CHECK_STR(LPROBE(procs_policy(1), "forks", "3", "vfork"), "ok 0 EAGAIN");
	CHECK_STR(LPROBE(procs_policy(2), "forks", "3", "vfork"), "ok 3 none");
}

/* Threads are not processes. */
TEST(max_processes_threads_not_counted)
{
	CHECK_STR(LPROBE(procs_policy(2), "threads", "20"), "ok 20");
}

/* The default cap is 64. */
TEST(max_processes_default_64)
{
	CHECK_STR(LPROBE(tc_build(tc_builder()), "forks", "100"), "ok 63 EAGAIN 63 EAGAIN");
}

/* Every process forks as fast as it can: the sandbox stays at the cap. */
TEST(max_processes_fork_bomb)
{
	char *out = LPROBE(procs_policy(8), "bomb", "1500");
	long forks = -1;
	CHECK(sscanf(out, "ok %ld", &forks) == 1);
	if (forks < 1 || forks > 7)
		th_fail(__FILE__, __LINE__, "%ld successful forks under a cap of 8", forks);
}

/* A process whose parent exited at once (double fork) still holds its
 * slot: orphans are tracked, not forgotten. */
TEST(max_processes_orphans_counted)
{
	char *out = LPROBE(procs_policy(4), "orphans", "8");
	long made = -1;
	CHECK(sscanf(out, "ok %ld", &made) == 1);
	if (made < 1 || made > 3)
		th_fail(__FILE__, __LINE__, "%ld orphans alive at once under a cap of 4", made);
}

TEST(max_memory_single_process)
{
	CHECK_STR(LPROBE(mem_policy(64), "alloc", "100"), "errno=ENOMEM");
	CHECK_STR(LPROBE(mem_policy(64), "alloc", "20"), "ok");
}

/* The limit is on the sandbox, not on each process. */
TEST(max_memory_across_processes)
{
	char *out = LPROBE(mem_policy(50), "alloc-kids", "4", "20");
	int got = -1;
	CHECK(sscanf(out, "ok %d", &got) == 1);
	if (got < 1 || got > 2)
		th_fail(__FILE__, __LINE__, "%d children got 20 MiB each under 50 MiB", got);
	CHECK_STR(LPROBE(tc_build(tc_builder()), "alloc-kids", "4", "20"), "ok 4");
}

/* Shared anonymous memory counts; brk fails the way brk fails (the break
 * stays, libc survives). */
TEST(max_memory_shared_and_brk)
{
	CHECK_STR(LPROBE(mem_policy(64), "shared", "100"), "errno=ENOMEM");
	CHECK_STR(LPROBE(mem_policy(64), "shared", "10"), "ok");
	CHECK_STR(LPROBE(mem_policy(64), "brk", "100"), "errno=ENOMEM intact");
	CHECK_STR(LPROBE(mem_policy(64), "brk", "5"), "ok");
}

TEST(max_memory_python)
{
	if (access("/usr/bin/python3", X_OK) != 0)
		SKIP("no /usr/bin/python3");
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_max_memory(tc_builder_sys(), 64u << 20));
	struct tc_res r =
	    tc_run(p, NULL, "/usr/bin/python3", "-c", "b = bytearray(200 * 1024 * 1024)", NULL);
	CHECK_EQ(r.code, 1);
	CHECK_CONTAINS(r.err, "MemoryError");
	r = tc_run(p, NULL, "/usr/bin/python3", "-c", "b = bytearray(8 << 20); print(len(b))",
		   NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "8388608\n");
}

/* The memory a program sees is the limit: /proc/meminfo (every route to
 * it), `free`, sysconf(_SC_PHYS_PAGES) through sysinfo; what it holds
 * shows as used; sysinfo counts the sandbox's processes only.  Without
 * the limit the host's figures. */
TEST(max_memory_meminfo_shows_the_limit)
{
	if (access("/usr/bin/python3", X_OK) != 0)
		SKIP("no /usr/bin/python3");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(
	    sandlock_sandbox_builder_max_memory(tc_builder_sys(), 256u << 20), "/proc"));
	struct tc_res r =
	    tc_run(p, NULL, "/bin/sh", "-c",
		   "head -1 /proc/meminfo; cd /proc && head -1 meminfo; "
		   "head -1 /proc/self/root/proc/meminfo; free -b | awk '/^Mem/{print $2}'",
		   NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "MemTotal:         262144 kB\nMemTotal:         262144 kB\n"
			 "MemTotal:         262144 kB\n268435456\n");
	r = tc_run(p, NULL, "/usr/bin/python3", "-c",
		   "import ctypes, os\n"
		   "print(os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE'))\n"
		   "def free():\n"
		   "    for l in open('/proc/meminfo'):\n"
		   "        if l.startswith('MemFree:'): return int(l.split()[1]) << 10\n"
		   "before = free(); b = bytearray(100 << 20); after = free()\n"
		   "print(before - after >= 90 << 20)\n"
		   "si = (ctypes.c_ulong * 16)()\n"
		   "assert ctypes.CDLL(None).sysinfo(si) == 0\n"
		   "procs = ctypes.c_ushort.from_buffer(si, 10 * 8).value\n"
		   "print(0 < procs < 5)\n",
		   NULL);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "268435456\nTrue\nTrue\n");
	sandlock_sandbox_t *free_run =
	    tc_build(sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/proc"));
	r = tc_run(free_run, NULL, "/bin/head", "-1", "/proc/meminfo", NULL);
	CHECK(strcmp(r.out, "MemTotal:         262144 kB\n") != 0);
	CHECK_CONTAINS(r.out, "MemTotal:");
}

/* A CPU-bound loop under max_cpu 25 gets well under a full core
 * (generous bound: the share is measured over two seconds). */
TEST(max_cpu_throttles)
{
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_cpu(tc_builder(), 25));
	long cpu = -1;
	CHECK(sscanf(LPROBE(p, "spin", "2000"), "ok %ld", &cpu) == 1);
	if (cpu < 0 || cpu > 1000)
		th_fail(__FILE__, __LINE__, "%ld ms of CPU in 2000 ms at max_cpu 25", cpu);
}

TEST(limits_cli)
{
	char *out = NULL;
	int rc = tc_cli_run(&out, NULL, "-r", tc_probe_dir(), "-P", "3", "-m", "32M", "--max-cpu",
			    "90", "--", lprobe(), "forks", "5", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "ok 2 EAGAIN 2 EAGAIN\n");
	rc = tc_cli_run(&out, NULL, "-r", tc_probe_dir(), "--max-memory", "32M", "-c", "50", "--",
			lprobe(), "alloc", "64", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "errno=ENOMEM\n");
	char *err = NULL;
	rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--max-processes", "0", "--", lprobe(),
			"forks", "1", NULL);
	CHECK(rc != 0);
	CHECK_CONTAINS(err, "max_processes must be greater than 0");
	CHECK_STR(out, "");
}

/* The first child of pid (from /proc), or 0 once waited for timeout_ms. */
static pid_t first_child(pid_t pid, int timeout_ms)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		char *s = tc_read_file(path);
		long c = s ? strtol(s, NULL, 10) : 0;
		free(s);
		if (c > 0)
			return (pid_t)c;
		usleep(10 * 1000);
	}
	return 0;
}

/* Pause and resume reach a process that left the sandbox's process group
 * (setsid), and so does the end of the sandbox. */
TEST(live_control_reaches_setsid_child)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {lprobe(), "setsid-sleep", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 2);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t root = sandlock_handle_pid(h);
	CHECK_EQ(sandlock_start(h), 0);
	pid_t c = first_child(root, 10000);
	CHECK(c > 0);
	/* it leaves the group soon after the fork (later on a loaded host) */
	for (int waited = 0; getsid(c) != c && waited < 10000; waited += 10)
		usleep(10 * 1000);
	CHECK(getsid(c) == c);
	usleep(50 * 1000); /* the supervisor finds it within milliseconds */
	CHECK_EQ(sandlock_handle_pause(h), 0);
	if (!tc_wait_state(c, 'T', true, 10000))
		th_fail(__FILE__, __LINE__, "setsid child not stopped: %c", tc_proc_state(c));
	CHECK_EQ(sandlock_handle_resume(h), 0);
	if (!tc_wait_state(c, 'T', false, 10000))
		th_fail(__FILE__, __LINE__, "setsid child still stopped");
	CHECK_EQ(sandlock_handle_kill(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
	if (!tc_wait_gone(c, 10000))
		th_fail(__FILE__, __LINE__, "setsid child survived the sandbox");
	sandlock_handle_free(h);
}

/* Freeing a running sandbox (its supervisor thread ends) takes every
 * process with it, also one outside the group. */
TEST(free_running_kills_setsid_child)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {lprobe(), "setsid-sleep", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 2);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t root = sandlock_handle_pid(h);
	CHECK_EQ(sandlock_start(h), 0);
	pid_t c = first_child(root, 10000);
	CHECK(c > 0);
	usleep(50 * 1000);
	sandlock_handle_free(h);
	if (!tc_wait_gone(c, 10000))
		th_fail(__FILE__, __LINE__, "setsid child survived the sandbox");
}

/* A parked command (created, not started) still has the host's address
 * space (a copy of it until exec): the periodic memory check must not
 * count the host's memory against the sandbox and kill the command. */
TEST(max_memory_parked_child_not_charged_host_memory)
{
	size_t big = 512u << 20;
	void *host = mmap(NULL, big, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(host != MAP_FAILED);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_max_memory(tc_builder_sys(), 64u << 20));
	const char *argv[] = {"/bin/true", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 1);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	usleep(400 * 1000); /* several memory checks while parked */
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 0);
	sandlock_handle_free(h);
	munmap(host, big);
}

/* A fork whose child forked, reaped its own child and exited before the
 * supervisor saw any of them leaves no slot behind: sixty such rounds
 * under a cap of 4 all fork (slots of processes reaped unseen were once
 * kept for good, and the cap closed after a few dozen). */
TEST(max_processes_unseen_reaped_children_free_slots)
{
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_max_processes(tc_builder_sys(), 4));
	const char *argv[] = {"/bin/sh", "-c",
			      "i=0; while [ $i -lt 60 ]; do (/bin/true; /bin/true; :) || echo "
			      "fail$i; i=$((i+1)); done; (/bin/true) && echo done",
			      NULL};
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 3));
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "done\n");
}
