/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stress.c - the library in a long-lived host that uses it from many
 * threads at once: the short form of tests/stress.h (bench/stress.c runs
 * the long one), and live handles paused, resumed and killed from one
 * thread while another waits for them.  Every output byte and exit code
 * is checked, and the process must hold no more descriptors, threads or
 * children afterwards than before, nor much more memory.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "stress.h"

#define THREADS 4
#define RUNS	25
/* a first round brings the process to its steady state (the library's
 * mount table descriptor, malloc arenas, the cache of thread stacks)
 * before the counts are taken */
#define WARM_RUNS 5

static void stress_setup(struct stress *s, int runs)
{
	tc_require_kernel();
	char msg[512];
	int r =
	    stress_init(s, tc_probe(), tc_probe_dir(), THREADS, runs, "stress", msg, sizeof(msg));
	if (r < 0)
		th_fail(__FILE__, __LINE__, "%s", msg);
}

static void check_usage(const struct stress_usage *before)
{
	struct stress_usage after = stress_usage_settled(before);
	char msg[512];
	if (stress_usage_check(before, &after, msg, sizeof(msg)) < 0)
		th_fail(__FILE__, __LINE__, "%s", msg);
	if (stress_leak_check() != 0)
		th_fail(__FILE__, __LINE__, "LeakSanitizer found leaks (above)");
}

/* THREADS threads, each RUNS runs through every way of starting a
 * sandbox (sandlock_run, create with a supervisor thread or inline,
 * create started at once, popen) and every kind of command (plain, under
 * memory and process limits, output larger than a pipe, a shell). */
TEST(stress_concurrent_runs)
{
	struct stress s;
	stress_setup(&s, WARM_RUNS);
	CHECK_EQ(stress_round(&s, false), 0);
	struct stress_usage before = stress_usage_now();
	s.runs = RUNS;
	CHECK_EQ(stress_round(&s, false), 0);
	stress_release(&s);
	check_usage(&before);
}

/* ---- live handles ---------------------------------------------------------- */

#define LIVE	   4
#define LIVE_LOOPS 3

struct live {
	sandlock_handle_t *h;
	int k;
	char want[32]; /* what the command prints before it sleeps */
	sandlock_result_t *r;
};

/* Bytes pid has written (/proc/PID/io), -1 when unreadable. */
static long written(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	char *io = tc_read_file(path);
	char *w = io ? strstr(io, "wchar: ") : NULL;
	long n = w ? atol(w + 7) : -1;
	free(io);
	return n;
}

static void *live_wait(void *arg)
{
	struct live *l = arg;
	/* half with a timeout far beyond the test's */
	l->r = l->k % 2 ? sandlock_handle_wait_timeout(l->h, 600000) : sandlock_handle_wait(l->h);
	return NULL;
}

/* Pauses and resumes the sandbox, then kills it (half of them while
 * paused), from a thread that is neither the creator nor the waiter. */
static void *live_control(void *arg)
{
	struct live *l = arg;
	pid_t pid = sandlock_handle_pid(l->h);
	CHECK(pid > 0);
	/* its line is out: the output is known whatever the kill interrupts */
	for (int ms = 0; written(pid) < (long)strlen(l->want); ms += 2) {
		if (ms > 30000)
			th_fail(__FILE__, __LINE__, "live %d: nothing written (io %ld)", l->k,
				written(pid));
		usleep(2000);
	}
	for (int n = 0; n < LIVE_LOOPS; n++) {
		CHECK_EQ(sandlock_handle_pause(l->h), 0);
		if (!tc_wait_state(pid, 'T', true, 30000))
			th_fail(__FILE__, __LINE__, "live %d: not stopped: %c", l->k,
				tc_proc_state(pid));
		CHECK_EQ(sandlock_handle_resume(l->h), 0);
		if (!tc_wait_state(pid, 'T', false, 30000))
			th_fail(__FILE__, __LINE__, "live %d: still stopped", l->k);
	}
	if (l->k % 2)
		CHECK_EQ(sandlock_handle_pause(l->h), 0);
	CHECK_EQ(sandlock_handle_kill(l->h), 0);
	return NULL;
}

/* LIVE sandboxes that print a line and sleep, half with a supervisor
 * thread, half supervised inside the waiter's sandlock_handle_wait: a
 * controller thread each pauses, resumes and kills while a waiter thread
 * waits.  The waiter gets the kill and the line, byte for byte. */
TEST(stress_live_handles)
{
	struct stress s;
	stress_setup(&s, 1);
	CHECK_EQ(stress_round(&s, false), 0);
	struct stress_usage before = stress_usage_now();
	struct live l[LIVE];
	pthread_t waiter[LIVE], controller[LIVE];
	for (int k = 0; k < LIVE; k++) {
		l[k] = (struct live){.k = k};
		snprintf(l[k].want, sizeof(l[k].want), "live-%d\n", k);
		char *echo = tc_fmt("echo live-%d", k);
		const char *argv[] = {tc_probe(), "seq", echo, "sleep 600", NULL};
		l[k].h = k < LIVE / 2
			     ? sandlock_create(s.policy[STRESS_ECHO], NULL, argv, 4)
			     : sandlock_create_for_run(s.policy[STRESS_ECHO], NULL, argv, 4);
		free(echo);
		if (!l[k].h)
			th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
		CHECK_EQ(sandlock_start(l[k].h), 0);
		CHECK_EQ(pthread_create(&waiter[k], NULL, live_wait, &l[k]), 0);
		CHECK_EQ(pthread_create(&controller[k], NULL, live_control, &l[k]), 0);
	}
	for (int k = 0; k < LIVE; k++) {
		CHECK_EQ(pthread_join(controller[k], NULL), 0);
		CHECK_EQ(pthread_join(waiter[k], NULL), 0);
		struct tc_res r = tc_result(l[k].r);
		CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
		CHECK_EQ(r.sig, SIGKILL);
		CHECK_EQ(r.code, -1);
		CHECK_STR(r.out, l[k].want);
		CHECK_EQ(r.out_len, strlen(l[k].want));
		CHECK_EQ(r.err_len, 0);
		free(r.out);
		free(r.err);
		free(r.note);
		/* over: live control refuses, a later wait has the status */
		CHECK_EQ(sandlock_handle_pause(l[k].h), -1);
		CHECK_EQ(sandlock_handle_kill(l[k].h), -1);
		r = tc_result(sandlock_handle_wait(l[k].h));
		CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
		CHECK_EQ(r.out_len, 0);
		free(r.out);
		free(r.err);
		free(r.note);
		sandlock_handle_free(l[k].h);
	}
	stress_release(&s);
	check_usage(&before);
}
