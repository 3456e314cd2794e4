/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lprobe.c - resource-limit helper run inside sandboxes by
 * tests/integration/limits.c.  Static, one subcommand per run, one line of
 * output ("ok ..." or "errno=NAME").
 *
 *   forks N [raw|vfork]  N children that wait on a pipe; prints
 *                        "ok <made> <errno of the first failure|none>", then
 *                        releases and reaps them and does it again
 *                        (second pair of numbers: slots come back)
 *   threads N            N threads alive at once: "ok N"
 *   bomb MS              every process forks as fast as it can for MS ms;
 *                        prints "ok <successful forks>"
 *   orphans N [kill]     N times: fork C, C forks a sleeping G and exits at
 *                        once (or SIGKILLs itself); prints "ok <G made>"
 *   alloc MB             malloc + touch MB MiB: "ok" or "errno=ENOMEM"
 *   alloc-kids K MB      K children each hold MB MiB; "ok <children that
 *                        got their memory>"
 *   shared MB            mmap MAP_SHARED|MAP_ANONYMOUS of MB MiB
 *   brk MB               sbrk MB MiB
 *   spin MS              busy loop for MS ms of wall time; prints
 *                        "ok <cpu ms used>"
 *   setsid-sleep         a child leaves the process group (setsid) and
 *                        sleeps; prints "ok <child pid>", then sleeps
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

static const char *ename(int e)
{
	switch (e) {
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case 0:
		return "none";
	default:
		return "other";
	}
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static pid_t make_child(const char *how)
{
	if (!strcmp(how, "raw"))
		return (pid_t)syscall(SYS_fork);
	return fork();
}

/* Forks up to n children parked on a pipe; returns how many, *err the
 * first failure. */
static int fork_round(int n, const char *how, int *err)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	int made = 0;
	*err = 0;
	for (int i = 0; i < n; i++) {
		pid_t c = make_child(how);
		if (c == 0) {
			char b;
			close(p[1]);
			ssize_t r = read(p[0], &b, 1);
			_exit(r < 0);
		}
		if (c < 0) {
			*err = errno;
			break;
		}
		made++;
	}
	close(p[1]); /* EOF releases every child */
	close(p[0]);
	while (wait(NULL) > 0)
		;
	return made;
}

/* vfork must be called in this frame; its child only exits, so vforks
 * count one at a time: it fails only when the cap leaves no slot. */
static int vfork_round(int n, int *err)
{
	volatile int made = 0;
	*err = 0;
	for (volatile int i = 0; i < n; i++) {
		pid_t c = vfork();
		if (c == 0)
			_exit(0);
		if (c < 0) {
			*err = errno;
			break;
		}
		waitpid(c, NULL, 0);
		made++;
	}
	return made;
}

static int cmd_forks(int n, const char *how)
{
	if (!strcmp(how, "vfork")) {
		int e1;
		int a = vfork_round(n, &e1);
		printf("ok %d %s\n", a, ename(e1));
		return 0;
	}
	int e1, e2;
	int a = fork_round(n, how, &e1);
	int b = fork_round(n, how, &e2);
	printf("ok %d %s %d %s\n", a, ename(e1), b, ename(e2));
	return 0;
}

static void *thread_wait(void *arg)
{
	pthread_barrier_t *bar = arg;
	pthread_barrier_wait(bar);
	return NULL;
}

static int cmd_threads(int n)
{
	pthread_t t[256];
	pthread_barrier_t bar;
	if (n > 256)
		n = 256;
	pthread_barrier_init(&bar, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++)
		if ((errno = pthread_create(&t[i], NULL, thread_wait, &bar)) != 0) {
			printf("errno=%s\n", ename(errno));
			return 0;
		}
	pthread_barrier_wait(&bar); /* all n alive at once */
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("ok %d\n", n);
	return 0;
}

/* Every process keeps forking until the deadline, then sleeps; each
 * success is one byte on the pipe.  The root reports the total. */
static int cmd_bomb(long ms)
{
	int p[2];
	if (pipe(p) < 0)
		return 1;
	long end = now_ms() + ms;
	pid_t root = getpid();
	while (now_ms() < end) {
		pid_t c = fork();
		if (c == 0) {
			(void)!write(p[1], "x", 1);
			continue; /* the child joins the bomb */
		}
		if (c < 0)
			usleep(1000);
	}
	if (getpid() != root)
		pause(); /* stay alive: the sandbox's end kills us */
	close(p[1]);
	/* count what is there: the (paused) writers never close their end */
	usleep(100 * 1000);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	char buf[4096];
	long total = 0;
	ssize_t r;
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		total += r;
	printf("ok %ld\n", total);
	fflush(stdout);
	return 0;
}

static int cmd_orphans(int n, const char *how)
{
	int p[2];
	if (pipe(p) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			pid_t g = fork();
			if (g == 0) {
				(void)!write(p[1], "g", 1);
				close(p[1]);
				sleep(30);
				_exit(0);
			}
			if (!strcmp(how, "kill"))
				kill(getpid(), SIGKILL);
			_exit(0);
		}
		if (c > 0)
			waitpid(c, NULL, 0);
		usleep(20 * 1000); /* let the grandchild report */
	}
	close(p[1]);
	char buf[256];
	ssize_t r = read(p[0], buf, sizeof(buf));
	printf("ok %zd\n", r < 0 ? 0 : r);
	return 0;
}

static int touch(char *m, unsigned long bytes)
{
	for (unsigned long i = 0; i < bytes; i += 4096)
		m[i] = 1;
	return 0;
}

static int cmd_alloc(unsigned long mb)
{
	char *m = malloc(mb * MIB);
	if (!m) {
		printf("errno=%s\n", ename(errno));
		return 0;
	}
	touch(m, mb * MIB);
	printf("ok\n");
	return 0;
}

static int cmd_alloc_kids(int k, unsigned long mb)
{
	int got = 0;
	int p[2], hold[2];
	if (pipe(p) < 0 || pipe(hold) < 0)
		return 1;
	for (int i = 0; i < k; i++) {
		pid_t c = fork();
		if (c == 0) {
			close(hold[1]);
			char *m = malloc(mb * MIB);
			if (m)
				touch(m, mb * MIB);
			(void)!write(p[1], m ? "y" : "n", 1);
			char b;
			(void)!read(hold[0], &b, 1); /* keep the memory until released */
			_exit(0);
		}
		char r;
		if (c > 0 && read(p[0], &r, 1) == 1 && r == 'y')
			got++;
	}
	close(hold[1]);
	while (wait(NULL) > 0)
		;
	printf("ok %d\n", got);
	return 0;
}

static int cmd_shared(unsigned long mb)
{
	void *m = mmap(NULL, mb * MIB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		printf("errno=%s\n", ename(errno));
		return 0;
	}
	touch(m, mb * MIB);
	printf("ok\n");
	return 0;
}

static int cmd_brk(unsigned long mb)
{
	void *old = sbrk(0);
	if (sbrk((intptr_t)(mb * MIB)) == (void *)-1) {
		int e = errno;
		/* the break must still be the old one: libc survived */
		printf("errno=%s %s\n", ename(e), sbrk(0) == old ? "intact" : "moved");
		return 0;
	}
	printf("ok\n");
	return 0;
}

static int cmd_spin(long ms)
{
	long end = now_ms() + ms;
	volatile unsigned long x = 0;
	while (now_ms() < end)
		for (int i = 0; i < 100000; i++)
			x++;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long cpu = ru.ru_utime.tv_sec * 1000L + ru.ru_utime.tv_usec / 1000 +
		   ru.ru_stime.tv_sec * 1000L + ru.ru_stime.tv_usec / 1000;
	printf("ok %ld\n", cpu);
	return 0;
}

static int cmd_setsid_sleep(void)
{
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t c = fork();
	if (c == 0) {
		setsid();
		(void)!write(p[1], "s", 1);
		for (;;)
			pause();
	}
	char b;
	(void)!read(p[0], &b, 1);
	printf("ok %d\n", (int)c);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	const char *c = argv[1];
	long a = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	if (!strcmp(c, "forks") && argc > 2)
		return cmd_forks((int)a, argc > 3 ? argv[3] : "fork");
	if (!strcmp(c, "threads") && argc > 2)
		return cmd_threads((int)a);
	if (!strcmp(c, "bomb") && argc > 2)
		return cmd_bomb(a);
	if (!strcmp(c, "orphans") && argc > 2)
		return cmd_orphans((int)a, argc > 3 ? argv[3] : "exit");
	if (!strcmp(c, "alloc") && argc > 2)
		return cmd_alloc((unsigned long)a);
	if (!strcmp(c, "alloc-kids") && argc > 3)
		return cmd_alloc_kids((int)a, strtoul(argv[3], NULL, 10));
	if (!strcmp(c, "shared") && argc > 2)
		return cmd_shared((unsigned long)a);
	if (!strcmp(c, "brk") && argc > 2)
		return cmd_brk((unsigned long)a);
	if (!strcmp(c, "spin") && argc > 2)
		return cmd_spin(a);
	if (!strcmp(c, "setsid-sleep"))
		return cmd_setsid_sleep();
	fprintf(stderr, "lprobe: bad usage\n");
	return 2;
}
