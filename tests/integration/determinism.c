/* SPDX-License-Identifier: Apache-2.0 */
/*
 * determinism.c - what makes a run repeatable: num_cpus (every way a
 * program counts the CPUs says N), random_seed (getrandom, /dev/urandom
 * and /dev/random read one stream keyed by the seed).
 */
#include "common.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"

static int host_cpus(void)
{
	cpu_set_t mine;
	CHECK(sched_getaffinity(0, sizeof(mine), &mine) == 0);
	return CPU_COUNT(&mine);
}

/* System programs, /proc and /sys readable, num_cpus n. */
static sandlock_sandbox_t *cpus_policy(uint32_t n)
{
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_fs_read(sandlock_sandbox_builder_fs_read(b, "/proc"), "/sys");
	return tc_build(n ? sandlock_sandbox_builder_num_cpus(b, n) : b);
}

/* `sh -c script` in p: its stdout, the test failing unless it exited 0. */
static char *sh(const sandlock_sandbox_t *p, const char *script)
{
	struct tc_res r = tc_run(p, NULL, "/bin/sh", "-c", script, NULL);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh -c '%s': exit %d, stderr: %s", script, r.code,
			r.err);
	return r.out;
}

#define COUNTS                                                                                     \
	"nproc; cat /sys/devices/system/cpu/online /sys/devices/system/cpu/possible "              \
	"/sys/devices/system/cpu/present; grep -c '^processor' /proc/cpuinfo; "                    \
	"getconf _NPROCESSORS_ONLN; getconf _NPROCESSORS_CONF"
#define PY_COUNTS PYTHON " -c 'import os; print(os.cpu_count(), len(os.sched_getaffinity(0)))'"

static void check_counts(uint32_t n)
{
	sandlock_sandbox_t *p = cpus_policy(n);
	char *range = n > 1 ? tc_fmt("0-%u", n - 1) : "0";
	char *num = tc_itoa(n);
	const char *want[] = {num, range, range, range, num, num, num, NULL};
	tc_check_lines(sh(p, COUNTS), want);
	if (tc_exists(PYTHON))
		CHECK_STR(sh(p, PY_COUNTS), tc_fmt("%u %u\n", n, n));
	sandlock_sandbox_free(p);
}

TEST(determinism_num_cpus_one)
{
	check_counts(1);
}

TEST(determinism_num_cpus_all_of_them)
{
	check_counts((uint32_t)host_cpus());
}

/* The processors /proc/cpuinfo lists are numbered 0..N-1, and the
 * affinity is N CPUs of those the caller may use. */
TEST(determinism_num_cpus_cpuinfo_numbered_from_zero)
{
	if (host_cpus() < 2)
		SKIP("one CPU: nothing to leave out");
	sandlock_sandbox_t *p = cpus_policy(2);
	const char *want[] = {"processor\t: 0", "processor\t: 1", "2", NULL};
	tc_check_lines(sh(p, "grep '^processor' /proc/cpuinfo; nproc"), want);
	sandlock_sandbox_free(p);
}

/* The views are chosen by the file the kernel resolves, however named. */
TEST(determinism_num_cpus_every_route)
{
	sandlock_sandbox_t *p = cpus_policy(1);
	const char *want[] = {"0", "0", "0", "1", "1", NULL};
	tc_check_lines(sh(p, "cd /sys/devices/system/cpu && cat online; "
			     "cat /sys/devices/system/cpu/cpu0/../possible; "
			     "cat /proc/self/root/sys/devices/system/cpu/present; "
			     "cd /proc && grep -c ^processor cpuinfo; "
			     "grep -c ^processor /proc/thread-self/root/proc/cpuinfo"),
		       want);
	sandlock_sandbox_free(p);
}

/* Without num_cpus, the host's files. */
TEST(determinism_num_cpus_unset_is_the_host)
{
	sandlock_sandbox_t *p = cpus_policy(0);
	char *host = tc_read_file("/sys/devices/system/cpu/online");
	CHECK_STR(sh(p, "cat /sys/devices/system/cpu/online"), host);
	sandlock_sandbox_free(p);
}

/* 0, or more than the command may run on: refused at build, quoted. */
TEST(determinism_num_cpus_refused)
{
	int have = host_cpus();
	CHECK_CONTAINS(tc_build_error(sandlock_sandbox_builder_num_cpus(tc_builder(), 0)),
		       tc_fmt("num_cpus: 0 is not a CPU count of this sandbox (1-%d)", have));
	CHECK_CONTAINS(
	    tc_build_error(sandlock_sandbox_builder_num_cpus(tc_builder(), (uint32_t)have + 1)),
	    tc_fmt("num_cpus: %d is not a CPU count", have + 1));
	char *err = NULL;
	CHECK_EQ(tc_cli_run(NULL, &err, "--num-cpus", "0", "-r", "/", "--", "/bin/true", NULL), 1);
	CHECK_CONTAINS(err, "num_cpus: 0 is not a CPU count");
}

#define RANDOM_SCRIPT                                                                              \
	PYTHON " -c 'import os, random; print(random.random(), os.urandom(16).hex())'; "           \
	       "od -An -N16 -tx1 /dev/urandom; od -An -N8 -tx1 /dev/random; "                      \
	       "cd /dev && od -An -N4 -tx1 ./urandom"

static char *seeded(uint64_t seed)
{
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_random_seed(tc_builder_sys(), seed));
	char *out = sh(p, tc_exists(PYTHON) ? RANDOM_SCRIPT : strchr(RANDOM_SCRIPT, ';') + 2);
	sandlock_sandbox_free(p);
	return out;
}

/* Same seed, same bytes, by every route; another seed, others. */
TEST(determinism_random_seed_repeats)
{
	char *a = seeded(42), *b = seeded(42), *c = seeded(999);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK_EQ(tc_nlines(a), tc_exists(PYTHON) ? 4 : 3);
}

/* Without a seed the numbers are the host's: two runs differ. */
TEST(determinism_random_unseeded_differs)
{
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/dev/urandom"));
	CHECK(strcmp(sh(p, "od -An -N16 -tx1 /dev/urandom"),
		     sh(p, "od -An -N16 -tx1 /dev/urandom")) != 0);
	sandlock_sandbox_free(p);
}

/* getrandom's flags as the kernel checks them; a bad buffer EFAULT. */
TEST(determinism_random_getrandom_errors)
{
	if (!tc_exists(PYTHON))
		SKIP("no " PYTHON);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_random_seed(tc_builder_sys(), 1));
	CHECK_STR(sh(p, PYTHON " -c '\nimport os, errno\nfor f in (0x80, os.GRND_RANDOM | 4):\n"
			       "    try: os.getrandom(1, f)\n    except OSError as e: "
			       "print(errno.errorcode[e.errno])\n"
			       "print(len(os.getrandom(3 << 20)))'"),
		  "EINVAL\nEINVAL\n1048576\n");
	sandlock_sandbox_free(p);
}
