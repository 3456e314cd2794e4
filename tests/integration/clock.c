/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.c - a wall-clock jump moves no timeout.  Each test starts a
 * sandbox running a command of about 10 s (BUSY) with a 2 s timeout,
 * through the CLI's --timeout, the inline handle of
 * sandlock_create_for_run (sandlock_run itself takes no timeout) or the
 * threaded handle of sandlock_create; sets CLOCK_REALTIME an hour forward
 * or back 300 ms into the wait; and measures on CLOCK_MONOTONIC that the
 * run still ended by the timeout, after at least 2 s and well before the
 * command would have ended: a timeout kept on the wall clock fires at the
 * forward jump, or lets the command finish after the backward one.  The
 * bound is deliberately loose (timeout + 5 s): it only has to tell
 * "unmoved" from "moved by an hour".
 *
 * Setting the wall clock needs CAP_SYS_TIME in the initial user namespace
 * (a time namespace offsets only CLOCK_MONOTONIC and CLOCK_BOOTTIME), so
 * these tests run as root only, and they set the clock of the whole
 * machine: it must come back whatever happens to the test.  A failed
 * CHECK ends the test process with _exit (no atexit handler runs) and the
 * harness's alarm kills it with SIGALRM, so the clock is jumped in a child
 * process and the test process, which does nothing but wait for it, sets
 * the clock back after the child ended, however it ended.  The restored
 * time is the realtime read before the test plus the monotonic time
 * elapsed since: what the clock would read had nobody set it.
 */
#include "common.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS    2000
#define TIMEOUT_ARG   "2" /* --timeout, in seconds */
#define SLACK_MS      5000
#define JUMP_S	      3600
#define JUMP_AFTER_MS 300
/* the child's own bound: its command ends by itself after about 10 s */
#define CHILD_ALARM_S 60

#define NS_PER_S 1000000000LL

/* The sandboxed command: about 10 s (so a backward jump that held the
 * timeout back shows as a run ending by itself after 10 s), with a child
 * process every 250 ms.  Each child's clone and exit wakes the
 * supervisor's loop: a deadline kept on the wall clock would be seen as
 * passed at the first wake after a forward jump, while a loop that slept
 * through (`sleep 10` sends nothing) would wake at the true deadline and
 * hide it. */
#define BUSY                                                                                       \
	"import os, time\n"                                                                        \
	"for _ in range(40):\n"                                                                    \
	"    time.sleep(0.25)\n"                                                                   \
	"    pid = os.fork()\n"                                                                    \
	"    if pid == 0:\n"                                                                       \
	"        os._exit(0)\n"                                                                    \
	"    os.waitpid(pid, 0)\n"

/* CLOCK_REALTIME and CLOCK_MONOTONIC (ns), read together before the
 * clock is first set (inherited by the child). */
static int64_t rt0, mono0;

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Milliseconds as sl_now_ms counts them (truncated): the library's
 * deadline is now_ms + timeout, so a run started after t0 and ended
 * before t1 took t1 - t0 >= timeout in these units. */
static int64_t mono_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

/* CLOCK_REALTIME, and CLOCK_MONOTONIC at the same instant: the midpoint
 * of two reads around it.  Into locals: a first store to a global page
 * after fork is a copy-on-write fault, microseconds between the reads. */
static void read_pair(int64_t *rt, int64_t *mono)
{
	int64_t a = clock_ns(CLOCK_MONOTONIC), r = clock_ns(CLOCK_REALTIME),
		b = clock_ns(CLOCK_MONOTONIC);
	*rt = r;
	*mono = a + (b - a) / 2;
}

/* How far CLOCK_REALTIME is from what it would read had nobody set it. */
static int64_t clock_off_ns(void)
{
	int64_t rt, mono;
	read_pair(&rt, &mono);
	return rt - (rt0 + mono - mono0);
}

/* Sets CLOCK_REALTIME back to what it would read had nobody set it, by
 * the offset it is off, to the microsecond (ADJ_SETOFFSET; not ADJ_NANO,
 * which would change the machine's NTP status): the kernel adds it, so
 * the time the call takes is not lost, as it is by clock_settime of a
 * value computed before the call.  0, or -1 with errno. */
static int restore_clock(void)
{
	int64_t off = -clock_off_ns();
	int64_t us = off >= 0 ? (off + 500) / 1000 : -((500 - off) / 1000);
	struct timex tx = {.modes = ADJ_SETOFFSET};
	tx.time.tv_sec = (time_t)(us / 1000000);
	tx.time.tv_usec = (suseconds_t)(us % 1000000);
	if (tx.time.tv_usec < 0) { /* the kernel wants 0 <= usec < 1 s */
		tx.time.tv_sec--;
		tx.time.tv_usec += 1000000;
	}
	if (us == 0 || clock_adjtime(CLOCK_REALTIME, &tx) >= 0)
		return 0;
	int64_t ns = clock_ns(CLOCK_REALTIME) - clock_off_ns();
	struct timespec ts = {.tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S)};
	return clock_settime(CLOCK_REALTIME, &ts);
}

/* ---- the jump ----------------------------------------------------------- */

struct jump {
	pthread_t thread;
	struct timespec at; /* CLOCK_MONOTONIC */
	int by_s;
	int err;       /* errno of clock_settime, 0 when the clock was set */
	int64_t off_s; /* how far off the wall clock was when the run ended */
};

static void *jumper(void *arg)
{
	struct jump *j = arg;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &j->at, NULL) == EINTR)
		;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_sec += j->by_s;
	j->err = clock_settime(CLOCK_REALTIME, &now) < 0 ? errno : 0;
	return NULL;
}

/* Sets the wall clock by_s seconds away JUMP_AFTER_MS from now, on a
 * thread (the run that follows blocks this one).  The thread calls no
 * helper of common.h's. */
static void jump_begin(struct jump *j, int by_s)
{
	int64_t at = clock_ns(CLOCK_MONOTONIC) + (int64_t)JUMP_AFTER_MS * 1000000;
	j->at =
	    (struct timespec){.tv_sec = (time_t)(at / NS_PER_S), .tv_nsec = (long)(at % NS_PER_S)};
	j->by_s = by_s;
	j->err = -1;
	int r = pthread_create(&j->thread, NULL, jumper, j);
	if (r != 0)
		th_fail(__FILE__, __LINE__, "pthread_create: %s", strerror(r));
}

/* Right after the run: notes how far off the wall clock is, waits for the
 * jump (made already unless the run ended early) and sets the clock back
 * before anything is checked, so a failed check leaves it right even
 * without the test process's restore. */
static void jump_end(struct jump *j)
{
	j->off_s = clock_off_ns() / NS_PER_S;
	pthread_join(j->thread, NULL);
	if (restore_clock() < 0)
		th_fail(__FILE__, __LINE__, "cannot set the wall clock back: %s", strerror(errno));
	if (j->err)
		th_fail(__FILE__, __LINE__, "clock_settime(CLOCK_REALTIME) %+d s: %s", j->by_s,
			strerror(j->err));
}

/* The jump was in force when the run ended (after the run's own check: a
 * run that ended before the jump fails that one, with its timing). */
static void jump_check_in_force(const struct jump *j)
{
	if (j->off_s < j->by_s - 60 || j->off_s > j->by_s + 60)
		th_fail(__FILE__, __LINE__,
			"the wall clock was %+lld s off when the run ended, not about %+d s: "
			"something set it back during the run",
			(long long)j->off_s, j->by_s);
}

/* ---- the guard ---------------------------------------------------------- */

/* Runs body(by_s) in a child and sets the wall clock back in this process
 * once the child has ended, however it ended.  Skips unless the clock
 * can be set, and unless asked to: the jump is the whole machine's for
 * two seconds (cron, logs and make in other shells see it), so only a
 * machine that is the test's alone (CI: .ci/run) opts in. */
static void guarded(void (*body)(int), int by_s)
{
	const char *opt = getenv("SANDLOCK_TEST_SET_CLOCK");
	if (!opt || strcmp(opt, "1") != 0)
		SKIP("moves the machine's wall clock for 2 s: set SANDLOCK_TEST_SET_CLOCK=1 (root) "
		     "on a machine that runs nothing else");
	if (!th_root())
		SKIP("setting CLOCK_REALTIME needs CAP_SYS_TIME (time namespaces virtualise only "
		     "the monotonic and boot clocks, so they cannot stage a wall-clock jump)");
	tc_require_kernel(); /* skips here rather than in the child */
	/* Neither the harness's alarm nor a ^C or kill may end this process
	 * before the clock is back: they stay pending until then.  The child
	 * is bounded by its own alarm. */
	sigset_t hold, old;
	sigemptyset(&hold);
	sigaddset(&hold, SIGALRM);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, &old);
	int64_t rt, mono;
	read_pair(&rt, &mono);
	rt0 = rt;
	mono0 = mono;
	/* An invalid time fails with EINVAL before the capability check, so
	 * the probe sets the clock to what it reads (late by the call, which
	 * restore_clock takes back) */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (clock_settime(CLOCK_REALTIME, &now) < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (e == EPERM)
			SKIP("clock_settime(CLOCK_REALTIME) fails with EPERM as root: no "
			     "CAP_SYS_TIME in the initial user namespace (a container?)");
		th_fail(__FILE__, __LINE__, "clock_settime(CLOCK_REALTIME): %s", strerror(e));
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		restore_clock();
		th_fail(__FILE__, __LINE__, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		alarm(CHILD_ALARM_S);
		body(by_s);
		fflush(NULL);
		_exit(0);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int err = restore_clock() == 0 ? 0 : errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (err)
		th_fail(__FILE__, __LINE__, "cannot set the wall clock back (%+lld s off): %s",
			(long long)(clock_off_ns() / NS_PER_S), strerror(err));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		fflush(NULL);
		_exit(77); /* the child said why (and checked the expected skips) */
	}
	if (WIFSIGNALED(st))
		th_fail(__FILE__, __LINE__,
			"the test's child was killed by signal %d%s (clock restored)", WTERMSIG(st),
			WTERMSIG(st) == SIGALRM ? ", its timeout" : "");
	th_fail(__FILE__, __LINE__, "the test's child failed (clock restored)");
}

/* ---- the runs ----------------------------------------------------------- */

static void check_ended_by_timeout(const char *how, int by_s, int64_t ms, bool timed_out,
				   const char *status)
{
	if (!timed_out || ms < TIMEOUT_MS || ms >= TIMEOUT_MS + SLACK_MS)
		th_fail(__FILE__, __LINE__,
			"%s: a %d ms timeout, with the wall clock set %+d s at %d ms, ended after "
			"%lld ms (%s); expected a timeout after %d to %d ms",
			how, TIMEOUT_MS, by_s, JUMP_AFTER_MS, (long long)ms, status, TIMEOUT_MS,
			TIMEOUT_MS + SLACK_MS);
}

static void run_cli(int by_s)
{
	tc_cli(); /* resolved before the jumper thread starts */
	struct jump j;
	char *err = NULL;
	jump_begin(&j, by_s);
	int64_t t0 = mono_ms();
	int rc = tc_cli_run(NULL, &err, "-r", "/usr", "-r", "/lib", "-r", "/bin", "-r", "/etc",
			    "--timeout", TIMEOUT_ARG, "--", "/usr/bin/python3", "-c", BUSY, NULL);
	int64_t ms = mono_ms() - t0;
	jump_end(&j);
	char status[512];
	snprintf(status, sizeof(status), "exit %d, stderr \"%.400s\"", rc, err ? err : "");
	bool timed_out =
	    rc == 124 && err && strstr(err, "sandlock: timeout after " TIMEOUT_ARG "s");
	check_ended_by_timeout("sandlock run --timeout " TIMEOUT_ARG, by_s, ms, timed_out, status);
	jump_check_in_force(&j);
}

/* sandlock_create_for_run (the supervisor in the wait, on this thread) or
 * sandlock_create (a supervisor thread), then start and a timed wait. */
static void run_lib(bool inline_, int by_s)
{
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	const char *argv[] = {"/usr/bin/python3", "-c", BUSY, NULL};
	sandlock_handle_t *h =
	    inline_ ? sandlock_create_for_run(p, NULL, argv, 3) : sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	struct jump j;
	jump_begin(&j, by_s);
	int64_t t0 = mono_ms();
	sandlock_result_t *res = sandlock_handle_wait_timeout(h, TIMEOUT_MS);
	int64_t ms = mono_ms() - t0;
	jump_end(&j);
	struct tc_res r = tc_result(res);
	char status[64];
	snprintf(status, sizeof(status), "status %d, exit code %d, signal %d", r.status, r.code,
		 r.sig);
	check_ended_by_timeout(inline_ ? "inline handle" : "threaded handle", by_s, ms,
			       r.status == SANDLOCK_STATUS_TIMEOUT, status);
	jump_check_in_force(&j);
	CHECK_EQ(r.code, -1);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

static void run_inline(int by_s)
{
	run_lib(true, by_s);
}

static void run_threaded(int by_s)
{
	run_lib(false, by_s);
}

/* The CLI: its supervisor runs inline, in the wait of the CLI process. */
TEST(clock_jump_forward_cli_timeout)
{
	guarded(run_cli, JUMP_S);
}

TEST(clock_jump_back_cli_timeout)
{
	guarded(run_cli, -JUMP_S);
}

/* The inline handle: the deadline is kept by the supervisor's poll loop. */
TEST(clock_jump_forward_inline_timeout)
{
	guarded(run_inline, JUMP_S);
}

TEST(clock_jump_back_inline_timeout)
{
	guarded(run_inline, -JUMP_S);
}

/* The threaded handle: the deadline is a timed wait on a condition. */
TEST(clock_jump_forward_threaded_timeout)
{
	guarded(run_threaded, JUMP_S);
}

TEST(clock_jump_back_threaded_timeout)
{
	guarded(run_threaded, -JUMP_S);
}
