/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack6.c - a sixth round of attacks: the epoll event loop with
 * registration (every tracked pidfd registered, no cap on them, deferred
 * deletion, live control adding processes from other threads) and the
 * feature seam (notify rules compiled into the filter, per-process
 * blocks, timers, live-control hooks).
 *
 *   scale        more processes than the old poll array held (1024) and
 *                more children of one parent than one read of its
 *                children list shows (a page): max_processes, pause;
 *   live control pause/resume/kill hammered from several threads while
 *                the sandbox forks and exits (run under make check-asan
 *                too: a use after free in deferred deletion reports there);
 *   the filter   what the features' rules compile to still denies what the
 *                old notify list did.
 *
 * A test that documents a hole fails on the code it was written against;
 * the others prove that a suspected hole is closed.
 */
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define A6_WAIT_MS 20000
#define PY	   TC_PYTHON

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *lprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "lprobe");
	return p;
}

/* The supervisor holds up to PROCS_FDS_PER_PROCESS (6) fds per process:
 * our soft RLIMIT_NOFILE goes up to the hard one, which must hold n
 * processes. */
static void raise_nofile(unsigned n)
{
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rlim_t want = (rlim_t)n * 6 + 256;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		SKIP("hard RLIMIT_NOFILE %lu below %lu", (unsigned long)rl.rlim_max,
		     (unsigned long)want);
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : rl.rlim_max;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
}

/* The children of pid's main thread, read whole (the kernel prints a page
 * per read: read until EOF).  Their count; the pids into v (at most max). */
static int children_of(pid_t pid, pid_t *v, int max)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	CHECK(buf != NULL);
	ssize_t r;
	while ((r = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (cap - len < 4097) {
			cap *= 2;
			CHECK((buf = realloc(buf, cap)) != NULL);
		}
	}
	close(fd);
	buf[len] = 0;
	int n = 0;
	for (char *s = buf, *end;; s = end) {
		long c = strtol(s, &end, 10);
		if (end == s)
			break;
		if (n < max)
			v[n] = (pid_t)c;
		n++;
	}
	free(buf);
	return n;
}

/* Waits until pid has at least n children (bounded). */
static bool wait_children(pid_t pid, int n, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		if (children_of(pid, NULL, 0) >= n)
			return true;
		sleep_ms(20);
	}
	return false;
}

/* ---- scale ------------------------------------------------------------------ */

/*
 * The kernel prints a children list a page per read (about 680 pids),
 * and the scan took one read of 64 KiB for the whole list: every child
 * past the first page was never found, and the fork that made it was
 * released as "already gone".  `sandlock run -P 1000 -- lprobe forks
 * 1300` made 1300 processes.  Now: the cap holds past a page, and past
 * the 1024 pidfds of the old poll loop; the second round shows the
 * slots come back once the children are reaped.
 */
TEST(max_processes_past_a_page_of_children)
{
	raise_nofile(1500);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_max_processes(tc_builder(), 1500));
	struct tc_res r = tc_run(p, NULL, lprobe(), "forks", "1800", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "ok 1499 EAGAIN 1499 EAGAIN\n");
}

/* The same hole let a pause miss them: a child past the first page of
 * its parent's list was never found, so never stopped. */
TEST(pause_reaches_children_past_a_page)
{
	tc_need_python();
	raise_nofile(1000);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_max_processes(tc_builder_sys(), 1000));
	const char *argv[] = {PY, "-c",
			      "import os, time\n"
			      "for i in range(900):\n"
			      "    if os.fork() == 0:\n"
			      "        while True: time.sleep(0.05)\n"
			      "time.sleep(600)\n",
			      NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t root = sandlock_handle_pid(h);
	CHECK_EQ(sandlock_start(h), 0);
	if (!wait_children(root, 900, 60000))
		th_fail(__FILE__, __LINE__, "%d children of 900", children_of(root, NULL, 0));
	sleep_ms(200); /* the supervisor finds forks' children within ms */
	CHECK_EQ(sandlock_handle_pause(h), 0);
	static pid_t kids[1000];
	int n = children_of(root, kids, 1000);
	CHECK_EQ(n, 900);
	int running = 0;
	pid_t one = 0;
	for (int i = 0; i < n; i++)
		if (!tc_wait_state(kids[i], 'T', true, i ? 100 : 5000)) {
			running++;
			one = kids[i];
		}
	if (running)
		th_fail(__FILE__, __LINE__, "%d of %d children not stopped by the pause (%d: %c)",
			running, n, (int)one, tc_proc_state(one));
	CHECK_EQ(sandlock_handle_kill(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
	sandlock_handle_free(h);
}

/*
 * A zombie stays in its parent's children list until reaped, and every
 * scan of the parent took it for a new process with a reused pid: its
 * exited entry retired, a new one entered, one more slot at each fork.
 * A parent with 5 unreaped children could fork 10 times under the
 * default cap of 64 (and 1500 spinning children, the late ones exiting
 * at once, filled -P 2000 at 190).
 */
TEST(max_processes_zombies_counted_once)
{
	tc_need_python();
	sandlock_sandbox_t *p = tc_build(tc_builder_sys()); /* max_processes 64 */
	struct tc_res r = tc_run(p, NULL, PY, "-c",
				 "import os, time\n"
				 "for i in range(5):\n"
				 "    if os.fork() == 0: os._exit(0)\n"
				 "time.sleep(0.2)\n"
				 "ok = 0\n"
				 "for i in range(100):\n"
				 "    try: pid = os.fork()\n"
				 "    except OSError as e: print('fork', i, e); break\n"
				 "    if pid == 0: os._exit(0)\n"
				 "    os.waitpid(pid, 0)\n"
				 "    ok += 1\n"
				 "print('ok', ok)\n",
				 NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "ok 100\n");
}

/* The same through a call that names the zombie (xproc: getpriority of
 * a member): the lookup retired its entry, and the next scan entered it
 * again - 61 forks under the cap of 64. */
TEST(max_processes_zombie_named_counted_once)
{
	tc_need_python();
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	struct tc_res r = tc_run(p, NULL, PY, "-c",
				 "import os, time\n"
				 "z = os.fork()\n"
				 "if z == 0: os._exit(0)\n"
				 "time.sleep(0.2)\n"
				 "ok = 0\n"
				 "for i in range(100):\n"
				 "    try: os.getpriority(os.PRIO_PROCESS, z)\n"
				 "    except OSError: pass\n"
				 "    try: pid = os.fork()\n"
				 "    except OSError as e: print('fork', i, e); break\n"
				 "    if pid == 0: os._exit(0)\n"
				 "    os.waitpid(pid, 0)\n"
				 "    ok += 1\n"
				 "print('ok', ok)\n",
				 NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "ok 100\n");
}

/* ---- live control from several threads ------------------------------------- */

struct hammer {
	sandlock_handle_t *h;
	volatile int stop;
	int id;
	long calls;
};

/* Pause and resume in turn (the last hammer kills now and then: a kill
 * while the others pause and resume must still end the run). */
static void *hammer_main(void *arg)
{
	struct hammer *m = arg;
	while (!m->stop) {
		sandlock_handle_pause(m->h);
		sched_yield();
		sandlock_handle_resume(m->h);
		m->calls++;
	}
	return NULL;
}

/* A fork-and-exit storm (each child forks a grandchild that exits at
 * once: orphans, ghosts, exits seen on the loop's thread while live
 * control settles and adds processes on the callers'). */
static const char STORM[] = "import os, time\n"
			    "end = time.time() + 30\n"
			    "while time.time() < end:\n"
			    "    pid = os.fork()\n"
			    "    if pid == 0:\n"
			    "        if os.fork() == 0:\n"
			    "            os._exit(0)\n"
			    "        os._exit(0)\n"
			    "    try: os.waitpid(pid, 0)\n"
			    "    except OSError: pass\n";

struct killer {
	sandlock_handle_t *h;
	int after_ms;
};

static void *killer_main(void *arg)
{
	struct killer *k = arg;
	sleep_ms(k->after_ms);
	sandlock_handle_kill(k->h);
	return NULL;
}

/* Three threads pause and resume while the sandbox storms, a fourth
 * kills it after a while; the supervisor runs on its own thread or
 * (inline) on ours, in the wait.  The run must end killed, in bounded
 * time (make check-asan: no report). */
static void storm_under_hammers(uint32_t flags)
{
	tc_need_python();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_processes(
	    sandlock_sandbox_builder_max_cpu(tc_builder_sys(), 80), 50));
	const char *argv[] = {PY, "-c", STORM, NULL};
	sandlock_handle_t *h = sandlock_create_ex(p, NULL, argv, 3, flags);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	struct hammer m[3];
	pthread_t t[3], kt;
	for (int i = 0; i < 3; i++) {
		m[i] = (struct hammer){.h = h, .id = i};
		CHECK_EQ(pthread_create(&t[i], NULL, hammer_main, &m[i]), 0);
	}
	struct killer k = {h, 3000};
	CHECK_EQ(pthread_create(&kt, NULL, killer_main, &k), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sandlock_result_t *res = sandlock_handle_wait_timeout(h, A6_WAIT_MS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(kt, NULL);
	for (int i = 0; i < 3; i++) {
		m[i].stop = 1;
		pthread_join(t[i], NULL);
	}
	struct tc_res r = tc_result(res);
	/* killed by the killer, not by the wait's timeout */
	CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
	CHECK(t1.tv_sec - t0.tv_sec < A6_WAIT_MS / 1000);
	CHECK(m[0].calls > 0);
	sandlock_handle_free(h);
}

TEST(live_control_hammered_during_fork_storm)
{
	storm_under_hammers(0);
}

TEST(live_control_hammered_during_fork_storm_inline)
{
	storm_under_hammers(SANDLOCK_CREATE_INLINE);
}

/*
 * A resume's SIGCONT reaches every member, also while max_cpu's throttle
 * holds the sandbox stopped, and what they ran until the throttle's next
 * check was counted as "running while stopped": a few dozen resumes (a
 * caller making sure the sandbox runs, no pause at all) added up to the
 * 100 ms bound and the command was killed with "kept running while the
 * sandbox was stopped".  Resumes by the host are no escape (what runs
 * after one is charged to the budget).
 */
static void resumes_under_throttle(bool pause_too)
{
	tc_need_python();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_cpu(tc_builder_sys(), 20));
	const char *argv[] = {PY, "-c",
			      "import time\n"
			      "end = time.time() + 2\n"
			      "while time.time() < end: pass\n"
			      "print('done')\n",
			      NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	for (int i = 0; i < 150; i++) {
		if (pause_too)
			sandlock_handle_pause(h);
		sandlock_handle_resume(h);
		sleep_ms(10);
	}
	/* what ran after each resume is charged: it pays its debt first */
	struct tc_res r = tc_result(sandlock_handle_wait_timeout(h, 60000));
	CHECK_STR(r.note, "");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "status %d code %d signal %d, out %s err %s", r.status,
			r.code, r.sig, r.out, r.err);
	CHECK_STR(r.out, "done\n");
	sandlock_handle_free(h);
}

TEST(max_cpu_resumes_not_killed)
{
	resumes_under_throttle(false);
}

TEST(max_cpu_pause_resume_not_killed)
{
	resumes_under_throttle(true);
}

/* ---- the filter compiled from the features' rules -------------------------- */

struct count {
	int calls;
};

static int h_count(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		   sandlock_action_out_t *out)
{
	((struct count *)ud)->calls++;
	sandlock_action_set_continue(out);
	return 0;
}

/* A user handler that lets every call of nr through. */
static sandlock_handler_registration_t count_on(long nr, struct count *c)
{
	sandlock_handler_t *h =
	    sandlock_handler_new(h_count, c, NULL, SANDLOCK_EXCEPTION_DENY_EPERM);
	if (!h)
		th_fail(__FILE__, __LINE__, "handler_new: %s", sandlock_last_error());
	return (sandlock_handler_registration_t){nr, h};
}

static struct tc_res run_with(const sandlock_sandbox_t *p, sandlock_handler_registration_t reg,
			      const char *const *argv)
{
	unsigned argc = 0;
	while (argv[argc])
		argc++;
	return tc_result(sandlock_run_with_handlers(p, NULL, argv, argc, &reg, 1));
}

/* A user handler on clone makes every clone notified, which in
 * libseccomp would supersede the namespace flags' denials: the
 * notification is limited to clones without them, which stay EPERM. */
TEST(filter_clone_ns_denied_with_user_clone_handler)
{
	struct count c = {0};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {
	    tc_probe(), "seq", "clone-ns user", "clone-ns net highbits", "clone-ns pid",
	    "fork",	NULL};
	struct tc_res r = run_with(p, count_on(SYS_clone, &c), argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "errno=EPERM\nerrno=EPERM\nerrno=EPERM\nok\n");
	CHECK(c.calls >= 1); /* the fork went through the user's handler */
}

static const char *aprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "aprobe");
	return p;
}

/* The filter refuses PRIO_USER/IOPRIO_WHO_USER only while no rule takes
 * every call: with a user handler on the syscall, the feature's handler
 * (first in the chain) must refuse it. */
TEST(filter_prio_user_denied_with_user_handler)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct count c = {0};
	const char *prio[] = {aprobe(), "xproc", "prio-user", "self", NULL};
	struct tc_res r = run_with(p, count_on(SYS_setpriority, &c), prio);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "errno=EPERM\n");
	CHECK_EQ(c.calls, 0); /* decided before the user's handler */
	struct count d = {0};
	const char *io[] = {aprobe(), "xproc", "ioprio-user", "self", NULL};
	r = run_with(p, count_on(SYS_ioprio_set, &d), io);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "errno=EPERM\n");
	CHECK_EQ(d.calls, 0);
}

/* A user handler on mmap makes every mmap notified; max_memory's handler
 * comes first in the chain and still counts and refuses. */
TEST(filter_user_mmap_handler_keeps_max_memory)
{
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_max_memory(tc_builder(), 64u << 20));
	struct count c = {0};
	const char *big[] = {lprobe(), "alloc", "100", NULL};
	struct tc_res r = run_with(p, count_on(SYS_mmap, &c), big);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "errno=ENOMEM\n");
	const char *small[] = {lprobe(), "alloc", "20", NULL};
	r = run_with(p, count_on(SYS_mmap, &c), small);
	CHECK_STR(r.out, "ok\n");
	CHECK(c.calls > 0); /* what max_memory let through went to the user's handler */
	struct count d = {0};
	const char *kids[] = {lprobe(), "alloc-kids", "4", "20", NULL};
	p = tc_build(sandlock_sandbox_builder_max_memory(tc_builder(), 50u << 20));
	r = run_with(p, count_on(SYS_mmap, &d), kids);
	CHECK_EQ(r.code, 0);
	int got = -1;
	CHECK(sscanf(r.out, "ok %d", &got) == 1);
	if (got < 1 || got > 2)
		th_fail(__FILE__, __LINE__, "%d children got 20 MiB each under 50 MiB", got);
}
