/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xprobe.c - a second attacker inside the sandbox, run by
 * tests/integration/attack2.c.  Static, one subcommand per run.
 *
 *   zombie-mem N MB          N children; in each, the main thread (the
 *                            thread-group leader) leaves with SYS_exit while
 *                            a second thread maps and touches MB MiB in 1 MiB
 *                            pieces (stopping at the first failure) and
 *                            waits; after 1 s prints "ok <MiB held by the
 *                            children still alive>"
 *   zombie-stack N MB        one process: raises RLIMIT_STACK's soft limit to
 *                            the hard one, its leader leaves with SYS_exit,
 *                            a thread grows N MAP_GROWSDOWN areas to MB MiB
 *                            each (no allocation call at all), waits 1 s and
 *                            prints "ok <MiB>"
 *   zombie-spin MS           the leader leaves with SYS_exit, a thread spins
 *                            MS ms of wall time and prints "ok <CPU ms>"
 *   shared-orphans N MB      N times: a child maps MB MiB shared anonymous
 *                            memory, touches it, forks a grandchild that
 *                            keeps it and sleeps, and exits; after 1 s prints
 *                            "ok <MiB held by grandchildren still alive>"
 *   dev-zero MB              maps MB MiB of /dev/zero MAP_SHARED (read-write),
 *                            touches it, waits 1 s; prints "ok MB"
 *   threads N                creates up to N threads (64 KiB stacks) that
 *                            sleep; prints "ok <threads made>"
 *   sigchld-ign MS CHILD_MS  SIGCHLD ignored (children are reaped by the
 *                            kernel, not by wait); for MS ms forks children
 *                            that each spin CHILD_MS ms of CPU; prints
 *                            "ok <children's CPU ms>" (reported by the
 *                            children themselves)
 *   sigcont-timer MS PERIOD  POSIX timers send us SIGCONT every PERIOD ms
 *                            (one one-shot timer each; 0: none); spins MS ms
 *                            of wall time; prints "ok <own CPU ms>"
 *   join-pgrp PGID NICE      joins the process group PGID (the host's),
 *                            then setpriority(PRIO_PGRP, 0, NICE) and
 *                            ioprio_set(IOPRIO_WHO_PGRP, 0, idle) on "our own"
 *                            group; prints "setpgid=R setprio=R ioprio=R"
 *                            (0 or the errno name)
 *   prio-pgrp PGID NICE      setpriority(PRIO_PGRP, PGID, NICE) without
 *                            joining it; prints "ok" or "errno=NAME"
 *   proc-write PID FILE VAL  writes VAL to /proc/PID/FILE; prints "ok" or
 *                            "errno=NAME"
 *   fork-count N             forks up to N children that sleep (10 ms apart
 *                            every 50 forks); prints "ok <forked> <errno of
 *                            the first failure or none>"
 *   fd-spin N MS             forks N children that sleep, then one that
 *                            spins MS ms of wall time; prints "ok <the
 *                            spinner's CPU ms>"
 *   thread-exit-race N T [US]
 *                            N times: a child ("racer") starts T idle threads,
 *                            then a last thread that forks a grandchild,
 *                            makes a notified call and exits US (4000) to
 *                            US + 3000 us later, around the supervisor's
 *                            settle scan of the racer; then forks extra children until fork
 *                            fails; prints "ok <processes alive: us, the
 *                            racers, their children, the extra ones>"
 *   flood MS N               N processes each make notified syscalls (uname)
 *                            and write to stdout and stderr for MS ms
 *   sigio PID                F_SETOWN PID + O_ASYNC on a pipe, then writes to
 *                            it (SIGIO, whose default action kills); with
 *                            F_SETSIG SIGKILL too; prints "ok"
 *   tty-fg PGID [tostop]     on the terminal at fd 0: TIOCSPGRP PGID ("self":
 *                            our own group; SIGTTOU blocked), then
 *                            TIOCSWINSZ (SIGWINCH to the foreground group);
 *                            with "tostop" also sets TOSTOP; prints
 *                            "tiocspgrp=R tiocswinsz=R"; exits 3 when
 *                            TIOCSPGRP failed
 *   tty-fg-fd FILE           TIOCSPGRP of our own group on FILE opened
 *                            read-only (no terminal): exits 0 when it
 *                            failed with ENOTTY, 1 otherwise
 *   sigcont-senders          asks the kernel to send us SIGCONT later: as
 *                            parent-death signal, as F_SETSIG signal, as a
 *                            clone's exit signal; prints "pdeathsig=R
 *                            setsig=R clone=R", R "ok" or the errno name
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MIB (1UL << 20)

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static const char *ename(int e)
{
	switch (e) {
	case 0:
		return "0";
	case ESRCH:
		return "ESRCH";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EINVAL:
		return "EINVAL";
	default:
		return "other";
	}
}

static void raise_stack_limit(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_STACK, &rl);
}

/* ---- zombie-mem ------------------------------------------------------- */

static long zm_mb;
static int zm_rep;

static void *zm_thread(void *arg)
{
	long got = 0;
	for (long i = 0; i < zm_mb; i++) {
		char *p =
		    mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		memset(p, 1, MIB);
		got++;
	}
	(void)!write(zm_rep, &got, sizeof(got));
	for (;;)
		pause();
	return NULL;
}

static int cmd_zombie_mem(int n, long mb)
{
	int rep[2];
	if (pipe(rep) < 0)
		return 1;
	zm_mb = mb;
	zm_rep = rep[1];
	pid_t kids[64];
	long got[64] = {0};
	n = n > 64 ? 64 : n;
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pthread_t t;
			pthread_create(&t, NULL, zm_thread, NULL);
			/* the leader leaves; the process lives on in its thread */
			syscall(SYS_exit, 0);
		}
		if (kids[i] < 0) { /* the limit refused the fork: what is held counts */
			n = i;
			break;
		}
		/* one at a time: each child's allocation is complete before
		 * the next one starts */
		(void)!read(rep[0], &got[i], sizeof(got[i]));
	}
	sleep(1); /* ten periodic memory checks */
	long held = 0;
	for (int i = 0; i < n; i++)
		if (waitpid(kids[i], NULL, WNOHANG) == 0)
			held += got[i];
	printf("ok %ld\n", held);
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	return 0;
}

/* ---- zombie-stack ----------------------------------------------------- */

static long zs_n, zs_mb;

static void *zs_thread(void *arg)
{
	long got = 0;
	for (long i = 0; i < zs_n; i++) {
		/* one area per GiB, far below the usual mappings */
		char *hint = (char *)(0x7e0000000000UL - (unsigned long)i * (1UL << 30));
		char *p =
		    mmap(hint, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			break;
		/* grow it downwards page by page: page faults, no syscall */
		for (long k = 1; k < zs_mb * 256; k++)
			p[-k * 4096L] = 1;
		got += zs_mb;
	}
	sleep(1);
	printf("ok %ld\n", got);
	fflush(stdout);
	exit(0);
	return NULL;
}

static int cmd_zombie_stack(long n, long mb)
{
	zs_n = n;
	zs_mb = mb;
	raise_stack_limit();
	pthread_t t;
	pthread_create(&t, NULL, zs_thread, NULL);
	syscall(SYS_exit, 0);
	return 0;
}

/* ---- zombie-spin ------------------------------------------------------ */

static long zsp_ms;

static void *zsp_thread(void *arg)
{
	long end = now_ms() + zsp_ms;
	volatile unsigned long x = 0;
	while (now_ms() < end)
		for (int i = 0; i < 10000; i++)
			x++;
	printf("ok %ld\n", cpu_ms());
	fflush(stdout);
	exit(0);
	return NULL;
}

static int cmd_zombie_spin(long ms)
{
	zsp_ms = ms;
	pthread_t t;
	pthread_create(&t, NULL, zsp_thread, NULL);
	syscall(SYS_exit, 0);
	return 0;
}

/* ---- shared-orphans ---------------------------------------------------- */

static int cmd_shared_orphans(int n, long mb)
{
	int rep[2];
	if (pipe(rep) < 0)
		return 1;
	pid_t g[64];
	n = n > 64 ? 64 : n;
	int made = 0;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			pid_t none = 0;
			char *m = mmap(NULL, (size_t)mb * MIB, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED) {
				(void)!write(rep[1], &none, sizeof(none));
				_exit(1);
			}
			memset(m, 1, (size_t)mb * MIB);
			pid_t k = fork();
			if (k == 0) {
				pid_t me = getpid();
				(void)!write(rep[1], &me, sizeof(me));
				for (;;)
					pause();
			}
			if (k < 0)
				(void)!write(rep[1], &none, sizeof(none));
			_exit(0); /* the mapper leaves; the grandchild keeps the memory */
		}
		if (c < 0)
			break;
		waitpid(c, NULL, 0);
		pid_t got = 0;
		(void)!read(rep[0], &got, sizeof(got));
		if (got > 0)
			g[made++] = got;
		usleep(150 * 1000); /* a periodic memory check in between */
	}
	sleep(1);
	long held = 0;
	for (int i = 0; i < made; i++)
		if (kill(g[i], 0) == 0)
			held += mb;
	printf("ok %ld\n", held);
	for (int i = 0; i < made; i++)
		kill(g[i], SIGKILL);
	return 0;
}

/* ---- dev-zero / threads ------------------------------------------------ */

static int cmd_dev_zero(long mb)
{
	/* MAP_SHARED of /dev/zero: shared anonymous memory, spelled without
	 * MAP_ANONYMOUS */
	int fd = open("/dev/zero", O_RDWR);
	if (fd < 0) {
		printf("errno=%s\n", ename(errno));
		return 0;
	}
	char *m = mmap(NULL, (size_t)mb * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		printf("errno=%s\n", ename(errno));
		return 0;
	}
	memset(m, 1, (size_t)mb * MIB);
	sleep(1); /* ten periodic memory checks */
	printf("ok %ld\n", mb);
	return 0;
}

static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static int cmd_threads(long n)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	long made = 0;
	for (long i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, &a, idle_thread, NULL) != 0)
			break;
		made++;
	}
	printf("ok %ld\n", made);
	fflush(stdout);
	_exit(0);
}

/* ---- sigchld-ign ------------------------------------------------------- */

static int cmd_sigchld_ign(long ms, long child_ms)
{
	signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
	int rep[2];
	if (pipe(rep) < 0)
		return 1;
	long end = now_ms() + ms, total = 0;
	while (now_ms() < end) {
		pid_t c = fork();
		if (c == 0) {
			long t0 = cpu_ms();
			while (cpu_ms() - t0 < child_ms)
				;
			long used = cpu_ms();
			(void)!write(rep[1], &used, sizeof(used));
			_exit(0);
		}
		if (c < 0) {
			usleep(1000);
			continue;
		}
		long used = 0;
		(void)!read(rep[0], &used, sizeof(used));
		total += used;
		waitpid(c, NULL, 0); /* ECHILD once the kernel reaped it */
	}
	printf("ok %ld\n", total);
	return 0;
}

/* ---- sigcont-timer ----------------------------------------------------- */

static int cmd_sigcont_timer(long ms, long period)
{
	/* One one-shot timer per PERIOD ms, each delivering SIGCONT once at
	 * its own absolute time.  SIGCONT resumes a stopped process when it
	 * is generated, even with the default (ignore) disposition; a
	 * periodic timer would not do: a SIGSTOP arriving while its SIGCONT
	 * is queued discards the signal, and with it the re-arming. */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long k = 1; period > 0 && k * period <= ms + 100; k++) {
		timer_t t;
		struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGCONT};
		if (timer_create(CLOCK_MONOTONIC, &ev, &t) < 0) {
			printf("errno=%s\n", ename(errno));
			return 0;
		}
		long ns = t0.tv_nsec + (k * period % 1000) * 1000000L;
		struct itimerspec its = {
		    {0, 0}, {t0.tv_sec + k * period / 1000 + ns / 1000000000L, ns % 1000000000L}};
		timer_settime(t, TIMER_ABSTIME, &its, NULL);
	}
	long end = now_ms() + ms;
	volatile unsigned long x = 0;
	while (now_ms() < end)
		for (int i = 0; i < 10000; i++)
			x++;
	printf("ok %ld\n", cpu_ms());
	return 0;
}

/* ---- join-pgrp / prio-pgrp --------------------------------------------- */

#define IOPRIO_WHO_PGRP_ 2
#define IOPRIO_IDLE	 ((3 << 13) | 0)

static int cmd_join_pgrp(pid_t pgid, int nice)
{
	int r1 = setpgid(0, pgid) < 0 ? errno : 0;
	int r2 = setpriority(PRIO_PGRP, 0, nice) < 0 ? errno : 0;
	int r3 = syscall(SYS_ioprio_set, IOPRIO_WHO_PGRP_, 0, IOPRIO_IDLE) < 0 ? errno : 0;
	printf("setpgid=%s setprio=%s ioprio=%s\n", ename(r1), ename(r2), ename(r3));
	return 0;
}

static int cmd_prio_pgrp(pid_t pgid, int nice)
{
	if (setpriority(PRIO_PGRP, pgid, nice) < 0)
		printf("errno=%s\n", ename(errno));
	else
		printf("ok\n");
	return 0;
}

/* ---- proc-write -------------------------------------------------------- */

static int cmd_proc_write(const char *pid, const char *file, const char *value)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		printf("errno=%s\n", ename(errno));
	else
		printf("ok\n");
	return 0;
}

/* ---- fork-count -------------------------------------------------------- */

static int cmd_fork_count(int n)
{
	int forked = 0, err = 0;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			for (;;)
				pause();
		}
		if (c < 0) {
			err = errno;
			break;
		}
		forked++;
		if (forked % 50 == 0)
			usleep(10 * 1000);
	}
	printf("ok %d %s\n", forked, err ? ename(err) : "none");
	return 0; /* the sandbox ends with us: the children are killed */
}

/* ---- fd-spin ---------------------------------------------------------- */

static int cmd_fd_spin(int n, long ms)
{
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			for (;;)
				pause();
		}
		if (c < 0) {
			printf("errno=%s\n", ename(errno));
			return 0;
		}
		if (i % 50 == 49)
			usleep(10 * 1000);
	}
	usleep(100 * 1000);
	int rep[2];
	if (pipe(rep) < 0)
		return 1;
	pid_t c = fork();
	if (c == 0) {
		long end = now_ms() + ms;
		volatile unsigned long x = 0;
		while (now_ms() < end)
			for (int i = 0; i < 10000; i++)
				x++;
		long used = cpu_ms();
		(void)!write(rep[1], &used, sizeof(used));
		_exit(0);
	}
	long used = -1;
	if (c > 0)
		(void)!read(rep[0], &used, sizeof(used));
	printf("ok %ld\n", used);
	return 0;
}

/* ---- thread-exit-race --------------------------------------------------- */

static long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

static void *ter_idle(void *arg)
{
	char c;
	(void)!read(*(int *)arg, &c, 1); /* until the write end closes */
	return NULL;
}

static int ter_rep = -1;

static void *ter_forker(void *arg)
{
	long delay_us = *(long *)arg;
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	if (c > 0)
		(void)!write(ter_rep, "c", 1);
	struct utsname u;
	uname(&u);
	long end = now_us() + delay_us;
	while (now_us() < end)
		;
	return NULL;
}

static int one_race(int nthreads, long delay_us)
{
	int gate[2];
	if (pipe(gate) < 0)
		return 1;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_t t;
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t, &a, ter_idle, &gate[0]);
	/* the forker gets the highest tid: its children file is read last */
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_JOINABLE);
	pthread_create(&t, &a, ter_forker, &delay_us);
	pthread_join(t, NULL);
	usleep(30 * 1000); /* the settle scans after the fork are over */
	close(gate[1]);	   /* the idle threads leave */
	for (;;)
		pause();
	return 0;
}

static int cmd_thread_exit_race(int n, int nthreads, long base_us)
{
	int rep[2];
	if (pipe(rep) < 0)
		return 1;
	ter_rep = rep[1];
	int made = 0;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0)
			return one_race(nthreads, base_us + (i * 4099L) % 3000);
		if (p > 0)
			made++;
		if (p < 0) {
			printf("errno=%s\n", ename(errno));
			return 0;
		}
		usleep(2 * 1000);
	}
	sleep(1); /* every race is over */
	int extra = 0;
	for (;;) {
		pid_t c = fork();
		if (c == 0) {
			for (;;)
				pause();
		}
		if (c < 0)
			break;
		extra++;
	}
	close(rep[1]);
	fcntl(rep[0], F_SETFL, O_NONBLOCK);
	char buf[4096];
	ssize_t got = read(rep[0], buf, sizeof(buf));
	/* us, the racers, their children, the extra forks */
	printf("ok %ld\n", 1 + made + (got > 0 ? (long)got : 0) + extra);
	return 0;
}

/* ---- flood ------------------------------------------------------------- */

static int cmd_flood(long ms, int n)
{
	long end = now_ms() + ms;
	for (int i = 1; i < n; i++)
		if (fork() == 0)
			break;
	struct utsname u;
	char line[64];
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	while (now_ms() < end) {
		uname(&u);
		(void)!write(1, line, sizeof(line));
		(void)!write(2, line, sizeof(line));
	}
	while (wait(NULL) > 0)
		;
	return 0;
}

/* ---- sigio ------------------------------------------------------------- */

static int cmd_sigio(pid_t target)
{
	for (int k = 0; k < 2; k++) {
		int p[2];
		if (pipe(p) < 0)
			return 1;
		fcntl(p[0], F_SETOWN, target);
		if (k == 1)
			fcntl(p[0], F_SETSIG, SIGKILL);
		fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_ASYNC);
		(void)!write(p[1], "x", 1);
		close(p[0]);
		close(p[1]);
	}
	usleep(100 * 1000);
	printf("ok\n");
	return 0;
}

/* ---- tty-fg ------------------------------------------------------------ */

static const char *res(long r);

static int cmd_tty_fg(pid_t pgid, bool tostop)
{
	sigset_t ttou;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, NULL);
	long a = ioctl(0, TIOCSPGRP, &pgid);
	int ea = errno;
	struct winsize w = {0};
	ioctl(0, TIOCGWINSZ, &w);
	w.ws_col = (unsigned short)(w.ws_col == 77 ? 78 : 77);
	long b = ioctl(0, TIOCSWINSZ, &w);
	int eb = errno;
	if (tostop) {
		struct termios t;
		if (tcgetattr(0, &t) == 0) {
			t.c_lflag |= TOSTOP;
			tcsetattr(0, TCSANOW, &t);
		}
	}
	errno = ea;
	printf("tiocspgrp=%s ", res(a));
	errno = eb;
	printf("tiocswinsz=%s\n", res(b));
	return a < 0 ? 3 : 0;
}

/* ---- sigcont-senders ----------------------------------------------------- */

static const char *res(long r)
{
	return r >= 0 ? "ok" : errno == EPERM ? "EPERM" : errno == EACCES ? "EACCES" : "other";
}

static int cmd_sigcont_senders(void)
{
	const char *pd = res(prctl(PR_SET_PDEATHSIG, SIGCONT));
	int p[2];
	if (pipe(p) < 0)
		return 1;
	const char *ss = res(fcntl(p[0], F_SETSIG, SIGCONT));
	/* fork-like raw clone whose exit signal is SIGCONT */
	long pid = syscall(SYS_clone, (unsigned long)SIGCONT, 0L, 0L, 0L, 0L);
	if (pid == 0)
		_exit(0);
	const char *cl = res(pid);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, __WALL);
	printf("pdeathsig=%s setsig=%s clone=%s\n", pd, ss, cl);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "zombie-mem"))
		return cmd_zombie_mem(atoi(argv[2]), atol(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "zombie-stack"))
		return cmd_zombie_stack(atol(argv[2]), atol(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "zombie-spin"))
		return cmd_zombie_spin(atol(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "shared-orphans"))
		return cmd_shared_orphans(atoi(argv[2]), atol(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "dev-zero"))
		return cmd_dev_zero(atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "threads"))
		return cmd_threads(atol(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "sigchld-ign"))
		return cmd_sigchld_ign(atol(argv[2]), atol(argv[3]));
	if (argc >= 2 && !strcmp(argv[1], "sigcont-senders"))
		return cmd_sigcont_senders();
	if (argc >= 4 && !strcmp(argv[1], "sigcont-timer"))
		return cmd_sigcont_timer(atol(argv[2]), atol(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "join-pgrp"))
		return cmd_join_pgrp(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "prio-pgrp"))
		return cmd_prio_pgrp((pid_t)atoi(argv[2]), atoi(argv[3]));
	if (argc >= 5 && !strcmp(argv[1], "proc-write"))
		return cmd_proc_write(argv[2], argv[3], argv[4]);
	if (argc >= 3 && !strcmp(argv[1], "fork-count"))
		return cmd_fork_count(atoi(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "fd-spin"))
		return cmd_fd_spin(atoi(argv[2]), atol(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "thread-exit-race"))
		return cmd_thread_exit_race(atoi(argv[2]), atoi(argv[3]),
					    argc >= 5 ? atol(argv[4]) : 4000);
	if (argc >= 4 && !strcmp(argv[1], "flood"))
		return cmd_flood(atol(argv[2]), atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "tty-fg"))
		return cmd_tty_fg(strcmp(argv[2], "self") ? (pid_t)atoi(argv[2]) : getpgrp(),
				  argc >= 4 && !strcmp(argv[3], "tostop"));
	if (argc >= 3 && !strcmp(argv[1], "tty-fg-fd")) {
		pid_t me = getpgrp();
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		return fd >= 0 && ioctl(fd, TIOCSPGRP, &me) < 0 && errno == ENOTTY ? 0 : 1;
	}
	if (argc >= 3 && !strcmp(argv[1], "sigio"))
		return cmd_sigio((pid_t)atoi(argv[2]));
	fprintf(stderr, "xprobe: bad usage\n");
	return 2;
}
