/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aprobe.c - an attacker inside the sandbox, run by
 * tests/integration/escape.c.  Static, one subcommand per run.
 *
 *   spoof-tgid PID|super MS   threads name themselves "Tgid:\tPID" (and
 *                             the main thread "PPid:\t1"), then make
 *                             notified syscalls (uname, fork) and spin for
 *                             MS ms; "super" is the supervisor's pid (the
 *                             parent of our parent, the keeper); prints
 *                             "ok PID"
 *   named-bomb MS             named "PPid:\t1" (children inherit it), every
 *                             process forks as fast as it can for MS ms;
 *                             prints "ok <successful forks>"
 *   orphan-spin MS HOW        a child forks a grandchild that setsid()s and
 *                             spins; the child then leaves at once (HOW:
 *                             "exit" = _exit, "kill" = SIGKILL to itself, no
 *                             exit_group); the root prints "ok <grandchild
 *                             pid>" and sleeps MS ms
 *   stack MB                  raises RLIMIT_STACK's soft limit to the hard
 *                             one, re-executes itself and recurses through
 *                             1 MiB frames MB times; prints "ok MB"
 *   cow-fork MB N             allocates and touches MB MiB, then forks N
 *                             children that write every page (copy-on-write)
 *                             and wait; prints "ok <forked> <first errno>"
 *   stack-kids N MB           N children each grow their stack to MB MiB
 *                             (no allocation call) and wait; after 2 s prints
 *                             "ok <children alive>"
 *   xproc OP TARGET           one call naming another process: OP is
 *                             prlimit, affinity, sched, param, attr, setprio,
 *                             getprio, ioprio, prio-user, ioprio-user,
 *                             migrate, move-pages, robust, kcmp, pidfd,
 *                             getaffinity, getsched, getpgid, getsid,
 *                             ioprio-get;
 *                             TARGET a pid, "self" (our own pid), "child" (a
 *                             child we fork) or "thread" (a thread's tid);
 *                             prints "ok" or "errno=NAME"
 *   fork-spin MS CHILD_MS     for MS ms, forks children that each spin
 *                             CHILD_MS ms and exit (each too short-lived to
 *                             be seen alive); prints "ok <children's CPU ms>"
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void spin_until(long end)
{
	volatile unsigned long x = 0;
	while (now_ms() < end)
		for (int i = 0; i < 10000; i++)
			x++;
}

/* The "PPid:" field of /proc/PID/status, read the honest way. */
static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *s = strstr(buf, "\nPPid:");
	return s ? (pid_t)strtol(s + 6, NULL, 10) : -1;
}

static char spoof_name[16];

static void *spoofing_thread(void *arg)
{
	long end = *(long *)arg;
	prctl(PR_SET_NAME, spoof_name);
	struct utsname u;
	while (now_ms() < end) {
		uname(&u); /* notified: the supervisor resolves our tid */
		spin_until(now_ms() + 5);
	}
	return NULL;
}

static int cmd_spoof_tgid(const char *who, long ms)
{
	pid_t victim = strcmp(who, "super") ? (pid_t)atoi(who) : ppid_of(getppid());
	snprintf(spoof_name, sizeof(spoof_name), "Tgid:\t%d", (int)victim);
	prctl(PR_SET_NAME, "PPid:\t1");
	long end = now_ms() + ms;
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, spoofing_thread, &end);
	/* children inherit the main thread's name; each forks too */
	for (int i = 0; i < 3; i++) {
		pid_t c = fork();
		if (c == 0) {
			prctl(PR_SET_NAME, spoof_name);
			struct utsname u;
			uname(&u);
			spin_until(end);
			_exit(0);
		}
	}
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	while (wait(NULL) > 0)
		;
	printf("ok %d\n", (int)victim);
	return 0;
}

static int cmd_named_bomb(long ms)
{
	prctl(PR_SET_NAME, "PPid:\t1");
	int p[2];
	if (pipe(p) < 0)
		return 1;
	long end = now_ms() + ms;
	pid_t root = getpid();
	while (now_ms() < end) {
		pid_t c = fork();
		if (c == 0) {
			(void)!write(p[1], "x", 1);
			continue;
		}
		if (c < 0)
			usleep(1000);
	}
	if (getpid() != root)
		pause();
	close(p[1]);
	usleep(100 * 1000);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	char buf[4096];
	long total = 0;
	ssize_t r;
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		total += r;
	printf("ok %ld\n", total);
	return 0;
}

static int cmd_orphan_spin(long ms, const char *how)
{
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			setsid();
			prctl(PR_SET_NAME, "PPid:\t1");
			pid_t me = getpid();
			(void)!write(p[1], &me, sizeof(me));
			for (;;)
				spin_until(now_ms() + 1000);
		}
		if (!strcmp(how, "kill"))
			kill(getpid(), SIGKILL);
		_exit(0);
	}
	pid_t g = 0;
	(void)!read(p[0], &g, sizeof(g));
	waitpid(c, NULL, 0);
	printf("ok %d\n", (int)g);
	fflush(stdout);
	usleep((useconds_t)ms * 1000);
	return 0;
}

/* One 1 MiB frame per level, every page touched. */
static long recurse(long left)
{
	volatile char frame[1 << 20];
	for (size_t i = 0; i < sizeof(frame); i += 4096)
		frame[i] = (char)left;
	return left <= 1 ? frame[0] : recurse(left - 1) + frame[4096];
}

static int cmd_stack(const char *self, long mb, bool exec_again)
{
	if (exec_again) {
		struct rlimit rl;
		getrlimit(RLIMIT_STACK, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_STACK, &rl);
		char n[32];
		snprintf(n, sizeof(n), "%ld", mb);
		execl(self, self, "stack-now", n, (char *)NULL);
		printf("errno=%d\n", errno);
		return 1;
	}
	recurse(mb);
	printf("ok %ld\n", mb);
	return 0;
}

static const char *ename(int e)
{
	return e == ENOMEM ? "ENOMEM" : e == EAGAIN ? "EAGAIN" : e ? "other" : "none";
}

static int cmd_cow_fork(long mb, int n)
{
	size_t len = (size_t)mb << 20;
	char *m = malloc(len);
	if (!m) {
		printf("errno=%s\n", ename(errno));
		return 0;
	}
	memset(m, 1, len);
	int hold[2], rep[2];
	if (pipe(hold) < 0 || pipe(rep) < 0)
		return 1;
	int forked = 0, err = 0;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			close(hold[1]);
			for (size_t k = 0; k < len; k += 4096)
				m[k] = 2; /* every page becomes this child's own */
			(void)!write(rep[1], "y", 1);
			char b;
			(void)!read(hold[0], &b, 1);
			_exit(0);
		}
		if (c < 0) {
			err = errno;
			break;
		}
		char b;
		(void)!read(rep[0], &b, 1);
		forked++;
	}
	close(hold[1]);
	while (wait(NULL) > 0)
		;
	printf("ok %d %s\n", forked, ename(err));
	return 0;
}

static int cmd_stack_kids(int n, long mb)
{
	int rep[2];
	if (pipe(rep) < 0)
		return 1;
	pid_t kids[256];
	n = n > 256 ? 256 : n;
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct rlimit rl;
			getrlimit(RLIMIT_STACK, &rl);
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_STACK, &rl);
			/* grow the stack, then stay at that depth */
			if (mb > 0)
				recurse(mb);
			(void)!write(rep[1], "y", 1);
			for (;;)
				pause();
		}
	}
	sleep(2);
	int alive = 0;
	for (int i = 0; i < n; i++)
		if (kids[i] > 0 && waitpid(kids[i], NULL, WNOHANG) == 0)
			alive++;
	printf("ok %d\n", alive);
	return 0;
}

static int cmd_fork_spin(long ms, long child_ms)
{
	long end = now_ms() + ms;
	while (now_ms() < end) {
		pid_t c = fork();
		if (c == 0) {
			/* CPU time, not wall time: a stopped child keeps its debt */
			struct timespec t0, t;
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
			do
				clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
			while ((t.tv_sec - t0.tv_sec) * 1000L +
				   (t.tv_nsec - t0.tv_nsec) / 1000000L <
			       child_ms);
			_exit(0);
		}
		if (c > 0)
			waitpid(c, NULL, 0);
	}
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("ok %ld\n", ru.ru_utime.tv_sec * 1000L + ru.ru_utime.tv_usec / 1000 +
			       ru.ru_stime.tv_sec * 1000L + ru.ru_stime.tv_usec / 1000);
	return 0;
}

static const char *errname(int e)
{
	switch (e) {
	case ESRCH:
		return "ESRCH";
	case EPERM:
		return "EPERM";
	case EINVAL:
		return "EINVAL";
	case ENOSYS:
		return "ENOSYS";
	case EACCES:
		return "EACCES";
	default:
		return "other";
	}
}

struct sched_attr_v0 {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static long xproc_call(const char *op, pid_t t)
{
	if (!strcmp(op, "prlimit")) {
		struct rlimit rl = {0, 0};
		return syscall(SYS_prlimit64, t, RLIMIT_CORE, &rl, NULL);
	}
	if (!strcmp(op, "affinity")) {
		cpu_set_t set;
		CPU_ZERO(&set);
		if (sched_getaffinity(0, sizeof(set), &set) < 0)
			return -1;
		return syscall(SYS_sched_setaffinity, t, sizeof(set), &set);
	}
	struct sched_param sp = {0};
	if (!strcmp(op, "sched"))
		return syscall(SYS_sched_setscheduler, t, SCHED_OTHER, &sp);
	if (!strcmp(op, "param"))
		return syscall(SYS_sched_setparam, t, &sp);
	if (!strcmp(op, "attr")) {
		struct sched_attr_v0 a = {.size = sizeof(a), .policy = SCHED_OTHER, .nice = 5};
		return syscall(SYS_sched_setattr, t, &a, 0);
	}
	if (!strcmp(op, "setprio"))
		return syscall(SYS_setpriority, PRIO_PROCESS, t, 5);
	if (!strcmp(op, "getprio"))
		return syscall(SYS_getpriority, PRIO_PROCESS, t);
	if (!strcmp(op, "prio-user"))
		return syscall(SYS_setpriority, PRIO_USER, 0, 5);
	if (!strcmp(op, "ioprio")) /* IOPRIO_WHO_PROCESS, best effort level 4 */
		return syscall(SYS_ioprio_set, 1, t, (2 << 13) | 4);
	if (!strcmp(op, "ioprio-user"))
		return syscall(SYS_ioprio_set, 3, 0, (2 << 13) | 4);
	if (!strcmp(op, "migrate")) {
		unsigned long mask = 1;
		return syscall(SYS_migrate_pages, t, 2, &mask, &mask);
	}
	if (!strcmp(op, "move-pages"))
		return syscall(SYS_move_pages, t, 0, NULL, NULL, NULL, 0);
	if (!strcmp(op, "robust")) {
		void *head;
		size_t len;
		return syscall(SYS_get_robust_list, t, &head, &len);
	}
	if (!strcmp(op, "kcmp")) /* KCMP_VM */
		return syscall(SYS_kcmp, getpid(), t, 1, 0, 0);
	if (!strcmp(op, "pidfd"))
		return syscall(SYS_pidfd_open, t, 0);
	if (!strcmp(op, "getaffinity")) {
		cpu_set_t set;
		return syscall(SYS_sched_getaffinity, t, sizeof(set), &set);
	}
	if (!strcmp(op, "getsched"))
		return syscall(SYS_sched_getscheduler, t);
	if (!strcmp(op, "getpgid"))
		return syscall(SYS_getpgid, t);
	if (!strcmp(op, "getsid"))
		return syscall(SYS_getsid, t);
	if (!strcmp(op, "ioprio-get")) /* IOPRIO_WHO_PROCESS */
		return syscall(SYS_ioprio_get, 1, t);
	errno = EINVAL;
	return -1;
}

static void *park(void *arg)
{
	*(volatile pid_t *)arg = (pid_t)syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

static int cmd_xproc(const char *op, const char *target)
{
	pid_t t, child = 0;
	if (!strcmp(target, "thread")) {
		static volatile pid_t tid;
		pthread_t th;
		pthread_create(&th, NULL, park, (void *)&tid);
		while (!tid)
			usleep(1000);
		t = tid;
	} else if (!strcmp(target, "self")) {
		t = getpid();
	} else if (!strcmp(target, "child")) {
		child = fork();
		if (child == 0) {
			for (;;)
				pause();
		}
		t = child;
	} else {
		t = (pid_t)atoi(target);
	}
	errno = 0;
	long r = xproc_call(op, t);
	if (r < 0)
		printf("errno=%s\n", errname(errno));
	else
		printf("ok\n");
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "spoof-tgid"))
		return cmd_spoof_tgid(argv[2], atol(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "named-bomb"))
		return cmd_named_bomb(atol(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "orphan-spin"))
		return cmd_orphan_spin(atol(argv[2]), argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "stack"))
		return cmd_stack(argv[0], atol(argv[2]), true);
	if (argc >= 3 && !strcmp(argv[1], "stack-now"))
		return cmd_stack(argv[0], atol(argv[2]), false);
	if (argc >= 4 && !strcmp(argv[1], "cow-fork"))
		return cmd_cow_fork(atol(argv[2]), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "stack-kids"))
		return cmd_stack_kids(atoi(argv[2]), atol(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "xproc"))
		return cmd_xproc(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "fork-spin"))
		return cmd_fork_spin(atol(argv[2]), atol(argv[3]));
	fprintf(stderr, "aprobe: bad usage\n");
	return 2;
}
