/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timestart.c - time_start: the wall clock starts at the given instant
 * and advances at real speed, through the vDSO (patched by the
 * supervisor), the system calls and glibc's wrappers, in dynamic
 * programs (/bin/date, python) and static ones (the probes are static);
 * sleeps and absolute realtime deadlines keep their real length; with
 * random_seed, the vDSO getrandom falls back on the seeded system call.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"
/* 2000-06-15T00:00:00Z */
#define T2000 961027200LL
/* How far a reading may be from the frozen instant: the run's own
 * start-up, on a loaded machine. */
#define SLACK 60

static sandlock_sandbox_t *ts_policy(uint64_t start)
{
	return tc_build(sandlock_sandbox_builder_time_start(tc_builder_sys(), start));
}

/* The number after " key=" (or at the start) in line, failing the test
 * when it is not there. */
static long long field(const char *line, const char *key)
{
	char *pat = tc_fmt(" %s=", key);
	const char *at = strstr(line, pat);
	if (!at)
		th_fail(__FILE__, __LINE__, "no %s in \"%s\"", key, line);
	return strtoll(at + strlen(pat), NULL, 10);
}

/* Every clock of a `tprobe clocks` line near want, through a patched
 * vDSO (patched: whether its entry must be a jmp). */
static void check_clocks(const char *line, long long want, int patched)
{
	static const char *const keys[] = {"vdso", "libc",   "sys",  "coarse", "tai",
					   "tod",  "systod", "time", "systime"};
	CHECK(strncmp(line, "ok ", 3) == 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		long long v = field(line, keys[i]);
		/* CLOCK_TAI runs ahead of UTC by the kernel's TAI offset (37 s
		 * where NTP set it) */
		long long slack = strcmp(keys[i], "tai") ? SLACK : SLACK + 40;
		if (v < want - SLACK || v > want + slack)
			th_fail(__FILE__, __LINE__, "%s=%lld, not near %lld: %s", keys[i], v, want,
				line);
	}
	CHECK_EQ(field(line, "patched"), patched);
}

static struct tc_res sh(const sandlock_sandbox_t *p, const char *script)
{
	return tc_run(p, NULL, "/bin/sh", "-c", script, NULL);
}

TEST(timestart_date_prints_the_frozen_year)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	struct tc_res r = tc_run(p, NULL, "/bin/date", "-u", "+%Y-%m-%d", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "2000-06-15\n");
	sandlock_sandbox_free(p);
}

TEST(timestart_python_time_and_datetime)
{
	if (!tc_exists(PYTHON))
		SKIP("no " PYTHON);
	sandlock_sandbox_t *p = ts_policy(T2000);
	struct tc_res r = tc_run(p, NULL, PYTHON, "-c",
				 "import time, datetime; print(int(time.time())); "
				 "print(datetime.datetime.now(datetime.timezone.utc).year); "
				 "print(time.gmtime().tm_year)",
				 NULL);
	CHECK_EQ(r.code, 0);
	long long t = atoll(tc_line(r.out, 0));
	if (t < T2000 || t > T2000 + SLACK)
		th_fail(__FILE__, __LINE__, "time.time() %lld, not near %lld", t, T2000);
	CHECK_STR(tc_line(r.out, 1), "2000");
	CHECK_STR(tc_line(r.out, 2), "2000");
	sandlock_sandbox_free(p);
}

/* The vDSO's own entry point, libc, the raw system calls, the coarse and
 * TAI clocks, gettimeofday and time: all shifted, in a static program;
 * the vDSO's clock_gettime is a jmp (no system call per read). */
TEST(timestart_every_clock_path_agrees)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	check_clocks(tc_named_in(p, "tprobe", "clocks", NULL), T2000, 1);
	sandlock_sandbox_free(p);
}

/* A pointer that cannot be written: the kernel's own EFAULT, as bare. */
TEST(timestart_bad_pointer_efault)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	CHECK_STR(tc_named_in(p, "tprobe", "badptr", NULL),
		  "ok cgt=EFAULT tod=EFAULT time=EFAULT\n");
	sandlock_sandbox_free(p);
}

/* A future instant too (a positive offset). */
TEST(timestart_future_instant)
{
	long long t2100 = 4102444800LL; /* 2100-01-01 */
	sandlock_sandbox_t *p = ts_policy((uint64_t)t2100);
	check_clocks(tc_named_in(p, "tprobe", "clocks", NULL), t2100, 1);
	sandlock_sandbox_free(p);
}

/* Without time_start nothing is patched or shifted. */
TEST(timestart_off_changes_nothing)
{
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	check_clocks(tc_named_in(p, "tprobe", "clocks", NULL), (long long)time(NULL), 0);
	sandlock_sandbox_free(p);
}

/* A forked child keeps the patched copy; a second exec in the same
 * process (sh's exec) gets a fresh vDSO, patched again. */
TEST(timestart_fork_and_second_exec)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	char *probe = tc_path(tc_probe_dir(), "tprobe");
	struct tc_res r = sh(p, tc_fmt("%s fork-clocks && exec %s clocks", probe, probe));
	CHECK_EQ(r.code, 0);
	check_clocks(tc_line(r.out, 0), T2000, 1);
	check_clocks(tc_line(r.out, 1), T2000, 1);
	sandlock_sandbox_free(p);
}

/* An orphan in a session of its own (setsid, double fork), reparented
 * to the keeper, execs: patched and shifted like the rest. */
TEST(timestart_orphan_in_new_session)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	char *probe = tc_path(tc_probe_dir(), "tprobe");
	/* cat ends when the orphan, which holds the pipe, has exited */
	struct tc_res r = sh(p, tc_fmt("setsid sh -c '(%s clocks &)' | cat", probe));
	CHECK_EQ(r.code, 0);
	check_clocks(tc_line(r.out, 0), T2000, 1);
	sandlock_sandbox_free(p);
}

/* A program with a second thread reading the clock execs: the new image
 * is patched. */
TEST(timestart_multithreaded_exec)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	char *probe = tc_path(tc_probe_dir(), "tprobe");
	check_clocks(tc_named_in(p, "tprobe", "mt-exec", probe, "clocks", NULL), T2000, 1);
	sandlock_sandbox_free(p);
}

/* PR_SET_DUMPABLE 0 would refuse the supervisor's /proc/PID/mem (same
 * uid, no CAP_SYS_PTRACE) until the next exec: the sandbox refuses it
 * (EPERM), so a process cannot keep its vDSO from being patched. */
TEST(timestart_cannot_turn_off_dumpable)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	char *probe = tc_path(tc_probe_dir(), "tprobe");
	CHECK_STR(tc_named_in(p, "tprobe", "nodump-exec", probe, "clocks", NULL), "errno=EPERM\n");
	sandlock_sandbox_free(p);
}

/* A relative sleep takes its real time, and the clock advances with it. */
TEST(timestart_time_advances_and_sleep_is_real)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	char *out = tc_named_in(p, "tprobe", "advance", NULL);
	long long real = field(out, "real"), mono = field(out, "mono");
	if (real < 900 || real > 10000 || mono < 900 || mono > 10000)
		th_fail(__FILE__, __LINE__, "1 s sleep: %s", out);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct tc_res r = tc_run(p, NULL, "/bin/sleep", "1", NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK_EQ(r.code, 0);
	double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	if (took < 0.9 || took >= 10)
		th_fail(__FILE__, __LINE__, "sleep 1 took %.2f s", took);
	sandlock_sandbox_free(p);
}

/* A deadline 200 ms ahead on the shifted realtime clock: the wait times
 * out after about that, neither at once (a deadline read as 26 years
 * ago) nor never (26 years ahead). */
static void check_deadline(uint64_t start, const char *cmd, const char *rc)
{
	sandlock_sandbox_t *p = ts_policy(start);
	char *out = tc_named_in(p, "tprobe", cmd, "200", NULL);
	CHECK_CONTAINS(out, rc);
	long long mono = field(out, "mono");
	if (mono < 150 || mono > 10000)
		th_fail(__FILE__, __LINE__, "%s 200: %s", cmd, out);
	sandlock_sandbox_free(p);
}

TEST(timestart_cond_timedwait_deadline)
{
	check_deadline(T2000, "condwait", "rc=ETIMEDOUT");
	check_deadline(4102444800ULL, "condwait", "rc=ETIMEDOUT");
}

TEST(timestart_clock_nanosleep_abstime)
{
	check_deadline(T2000, "absleep", "rc=0");
	check_deadline(4102444800ULL, "absleep", "rc=0");
}

/* A sleep interrupted by a signal and called again with the same struct
 * (its deadline rewritten to the real clock by the first call) is not
 * moved twice: it still ends at the deadline, not at once. */
TEST(timestart_abstime_retry_not_moved_twice)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	char *out = tc_named_in(p, "tprobe", "absleep-eintr", "500", NULL);
	CHECK_CONTAINS(out, "rc=0 eintr=1 ");
	long long mono = field(out, "mono");
	if (mono < 400 || mono > 10000)
		th_fail(__FILE__, __LINE__, "absleep-eintr 500: %s", out);
	sandlock_sandbox_free(p);
}

/* Two threads wait for one deadline struct: the second passes it after
 * the first's call moved it to the real clock; it is not moved again. */
TEST(timestart_shared_deadline_not_moved_twice)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	char *out = tc_named_in(p, "tprobe", "shared", "400", NULL);
	long long a = 0, b = 0;
	if (sscanf(out, "ok mono=%lld,%lld", &a, &b) != 2 || a < 300 || b < 300 || a > 10000 ||
	    b > 10000)
		th_fail(__FILE__, __LINE__, "shared 400: %s", out);
	sandlock_sandbox_free(p);
}

TEST(timestart_timerfd_abstime)
{
	check_deadline(T2000, "timerfd", "ticks=1");
	check_deadline(4102444800ULL, "timerfd", "ticks=1");
}

TEST(timestart_posix_timer_abstime)
{
	check_deadline(T2000, "posixtimer", "ok");
	check_deadline(4102444800ULL, "posixtimer", "ok");
}

TEST(timestart_futex_waitv_realtime)
{
	check_deadline(T2000, "waitv", "rc=ETIMEDOUT");
	check_deadline(4102444800ULL, "waitv", "rc=ETIMEDOUT");
}

/* An absolute zero disarms a timer: it is not moved (which would arm it
 * at a real time 26 years after the epoch, long past: it would fire). */
TEST(timestart_timerfd_zero_disarms)
{
	sandlock_sandbox_t *p = ts_policy(T2000);
	CHECK_STR(tc_named_in(p, "tprobe", "timerfd-disarm", NULL), "ok armed=0 fired=0\n");
	sandlock_sandbox_free(p);
}

/* With random_seed, the vDSO getrandom answers -ENOSYS (so libc uses the
 * seeded system call): two runs read the same bytes. */
TEST(timestart_vdso_getrandom_seeded)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_random_seed(tc_builder(), 42);
	sandlock_sandbox_t *p = tc_build(b);
	char *one = tc_named_in(p, "tprobe", "vgetrandom", "16", NULL);
	if (!strcmp(one, "errno=ENOENT")) {
		sandlock_sandbox_free(p);
		SKIP("no vDSO getrandom on this kernel");
	}
	char *two = tc_named_in(p, "tprobe", "vgetrandom", "16", NULL);
	CHECK_CONTAINS(one, "ok vdso=-38 ");
	CHECK_STR(one, two);
	sandlock_sandbox_free(p);
}

/* The command line: RFC 3339 with an offset and a fraction, or seconds
 * since the epoch. */
TEST(timestart_cli_forms)
{
	char *out = NULL, *err = NULL;
	CHECK_EQ(tc_cli_run(&out, &err, "-r", "/", "--time-start", "2000-06-15T02:00:00.5+02:00",
			    "--", "/bin/date", "-u", "+%Y-%m-%dT%H", NULL),
		 0);
	CHECK_STR(out, "2000-06-15T00\n");
	CHECK_EQ(tc_cli_run(&out, &err, "-r", "/", "--time-start", "961027200", "--", "/bin/date",
			    "-u", "+%Y", NULL),
		 0);
	CHECK_STR(out, "2000\n");
}

/* A value that does not parse, or out of range, is refused, quoted. */
TEST(timestart_cli_bad_input_quoted)
{
	static const char *const bad[] = {"yesterday", "2000-13-01T00:00:00Z",
					  "99999999999999999999", "253402300800", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = NULL, *err = NULL;
		int rc = tc_cli_run(&out, &err, "-r", "/", "--time-start", bad[i], "--",
				    "/bin/true", NULL);
		if (rc == 0)
			th_fail(__FILE__, __LINE__, "--time-start '%s' accepted", bad[i]);
		CHECK_CONTAINS(err, tc_fmt("'%s'", bad[i]));
	}
}

/* The library refuses an instant past 9999-12-31T23:59:59Z. */
TEST(timestart_builder_range)
{
	char *msg =
	    tc_build_error(sandlock_sandbox_builder_time_start(tc_builder(), 253402300800ULL));
	CHECK_CONTAINS(msg, "time_start: 253402300800 is out of range");
}
