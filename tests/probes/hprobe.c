/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hprobe.c - a static helper for the custom handler tests
 * (tests/integration/handlers.c).  It makes exactly the syscalls a test
 * puts handlers on, with raw syscall(2) so libc caches and wrappers do not
 * get in the way, and prints one machine-readable line per result:
 * "ret=<value>" on success, "errno=<NAME or number>" on failure.
 *
 *   hprobe sys NR [A0..A5]       syscall NR with integer arguments
 *   hprobe open PATH...          openat each PATH; "fd=N cloexec=C data=..."
 *   hprobe open-seals PATH...    the same with "seals=<F_GET_SEALS>" after cloexec
 *   hprobe open-attack PATH      openat PATH, then every way to change the
 *                                file it gives (write, pwrite, ftruncate,
 *                                fallocate, a shared writable mapping,
 *                                mprotect of a shared one, fchmod then
 *                                write, a reopen through /proc/self/fd, new
 *                                seals); one "NAME ret=V|errno=E" line each,
 *                                then "data=<the file's bytes>"
 *   hprobe read-fd FD LEN        read(FD) into a '.'-filled buffer
 *   hprobe write-fd FD TEXT      write(FD, TEXT)
 *   hprobe edge-open NAME        openat of NAME placed to end exactly at a
 *                                page boundary followed by an unmapped page
 *   hprobe threads N NR          N threads + main each make syscall NR and
 *                                compare its result to their thread id
 *   hprobe hold-order NR_HELD NR_TICK
 *                                a thread makes NR_HELD; main makes NR_TICK
 *                                until that thread is back, counting
 *   hprobe hold-until-held NR_HELD NR_TICK
 *                                a thread makes NR_HELD; main makes NR_TICK
 *                                until it returns 1, then exits
 *   hprobe hold-while-writing NR_HELD
 *                                a thread makes NR_HELD; main writes to
 *                                stderr until that thread is back
 *   hprobe fork-sys NR [pgrp]    a forked child (in its own process group
 *                                with pgrp) makes syscall NR
 *   hprobe sig-sys NR            syscall NR with a SIGUSR1 handler installed
 *   hprobe uname                 the nodename uname(2) reports
 *   hprobe exit N                exit status N
 *
 * Exit status 0 unless misused (2) or `exit N`.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

/* Bound on every wait loop: 20000 rounds of 1 ms. */
#define ROUNDS 20000

static void print_ret(long rc)
{
	if (rc == -1)
		printf("errno=%s\n", probe_errname(errno));
	else
		printf("ret=%ld\n", rc);
}

static int usage(const char *what)
{
	fprintf(stderr, "hprobe: usage: %s\n", what);
	return 2;
}

static long num(const char *s)
{
	return strtol(s, NULL, 0);
}

static void nap(void)
{
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
}

static int cmd_sys(int argc, char **argv)
{
	if (argc < 2)
		return usage("sys NR [A0..A5]");
	long a[6] = {0};
	for (int i = 2; i < argc && i < 8; i++)
		a[i - 2] = num(argv[i]);
	print_ret(syscall(num(argv[1]), a[0], a[1], a[2], a[3], a[4], a[5]));
	return 0;
}

static void open_one(const char *path, bool seals)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
	if (fd < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return;
	}
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	int fl = fcntl(fd, F_GETFD);
	if (seals)
		printf("fd=%d cloexec=%d seals=%d data=%s\n", fd, fl >= 0 && (fl & FD_CLOEXEC),
		       fcntl(fd, F_GET_SEALS), buf);
	else
		printf("fd=%d cloexec=%d data=%s\n", fd, fl >= 0 && (fl & FD_CLOEXEC), buf);
	close(fd);
}

static int cmd_open(int argc, char **argv)
{
	if (argc < 2)
		return usage("open PATH...");
	for (int i = 1; i < argc; i++)
		open_one(argv[i], false);
	return 0;
}

static int cmd_open_seals(int argc, char **argv)
{
	if (argc < 2)
		return usage("open-seals PATH...");
	for (int i = 1; i < argc; i++)
		open_one(argv[i], true);
	return 0;
}

static void attack_line(const char *name, long rc)
{
	printf("%s ", name);
	print_ret(rc);
}

static int cmd_open_attack(int argc, char **argv)
{
	if (argc < 2)
		return usage("open-attack PATH");
	int fd = (int)syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY, 0);
	if (fd < 0) {
		print_ret(fd);
		return 0;
	}
	attack_line("write", write(fd, "X", 1));
	attack_line("pwrite", pwrite(fd, "X", 1, 0));
	attack_line("shrink", ftruncate(fd, 0));
	attack_line("grow", ftruncate(fd, 1 << 20));
	attack_line("fallocate", fallocate(fd, 0, 0, 1 << 20));
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	attack_line("mmap-shared-write", m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED) {
		memcpy(m, "X", 1);
		munmap(m, 4096);
	}
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	long rc = m == MAP_FAILED ? -1 : mprotect(m, 4096, PROT_READ | PROT_WRITE);
	attack_line("mprotect-shared", rc);
	if (m != MAP_FAILED && rc == 0)
		memcpy(m, "X", 1);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	attack_line("fchmod", fchmod(fd, 0666));
	attack_line("write-after-fchmod", write(fd, "X", 1));
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int fd2 = open(path, O_RDWR | O_CLOEXEC);
	attack_line("reopen-rdwr", fd2);
	if (fd2 >= 0) {
		attack_line("reopen-write", write(fd2, "X", 1));
		close(fd2);
	}
	attack_line("add-seals", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	printf("data=%s\n", buf);
	return 0;
}

static int cmd_read_fd(int argc, char **argv)
{
	if (argc < 3)
		return usage("read-fd FD LEN");
	char buf[256];
	size_t len = (size_t)num(argv[2]);
	if (len >= sizeof(buf))
		return usage("read-fd FD LEN (LEN < 256)");
	memset(buf, '.', sizeof(buf));
	long rc = syscall(SYS_read, (int)num(argv[1]), buf, len);
	if (rc < 0) {
		print_ret(rc);
		return 0;
	}
	buf[len] = 0;
	printf("ret=%ld data=%s\n", rc, buf);
	return 0;
}

static int cmd_write_fd(int argc, char **argv)
{
	if (argc < 3)
		return usage("write-fd FD TEXT");
	print_ret(syscall(SYS_write, (int)num(argv[1]), argv[2], strlen(argv[2])));
	return 0;
}

/* The path's NUL is the last byte of a page whose successor is unmapped:
 * a reader that asks for more than what is left of the page fails. */
static int cmd_edge_open(int argc, char **argv)
{
	if (argc < 2)
		return usage("edge-open NAME");
	long page = sysconf(_SC_PAGESIZE);
	size_t len = strlen(argv[1]) + 1;
	if (len > (size_t)page)
		return usage("edge-open NAME (shorter than a page)");
	char *m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (m == MAP_FAILED || munmap(m + page, (size_t)page) < 0) {
		print_ret(-1);
		return 0;
	}
	char *s = m + page - len;
	memcpy(s, argv[1], len);
	print_ret(syscall(SYS_openat, AT_FDCWD, s, O_RDONLY, 0));
	return 0;
}

/* ---- threads ------------------------------------------------------------ */

struct th_arg {
	long nr;
	atomic_int match;
};

static void *tid_thread(void *p)
{
	struct th_arg *a = p;
	if (syscall(a->nr) == syscall(SYS_gettid))
		atomic_fetch_add(&a->match, 1);
	return NULL;
}

static int cmd_threads(int argc, char **argv)
{
	if (argc < 3)
		return usage("threads N NR");
	int n = (int)num(argv[1]);
	struct th_arg a = {.nr = num(argv[2])};
	pthread_t t[64];
	if (n < 1 || n > 64)
		return usage("threads N NR (1 <= N <= 64)");
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, tid_thread, &a) != 0)
			return usage("threads: pthread_create failed");
	tid_thread(&a);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("threads=%d match=%d\n", n + 1, atomic_load(&a.match));
	return 0;
}

struct hold_arg {
	long nr;
	long ret;
	int err;
	atomic_int done;
	atomic_long ticks;    /* NR_TICK calls completed by main */
	long ticks_at_return; /* ticks seen by the thread when its call returned */
};

static void *held_thread(void *p)
{
	struct hold_arg *a = p;
	a->ret = syscall(a->nr);
	a->err = errno;
	a->ticks_at_return = atomic_load(&a->ticks);
	atomic_store(&a->done, 1);
	return NULL;
}

static int cmd_hold_order(int argc, char **argv)
{
	if (argc < 3)
		return usage("hold-order NR_HELD NR_TICK");
	struct hold_arg a = {.nr = num(argv[1])};
	long tick = num(argv[2]);
	pthread_t t;
	if (pthread_create(&t, NULL, held_thread, &a) != 0)
		return usage("hold-order: pthread_create failed");
	for (int i = 0; i < ROUNDS && !atomic_load(&a.done); i++) {
		syscall(tick);
		atomic_fetch_add(&a.ticks, 1);
		nap();
	}
	pthread_join(t, NULL);
	errno = a.err;
	if (a.ret == -1)
		printf("errno=%s ", probe_errname(a.err));
	else
		printf("ret=%ld ", a.ret);
	printf("before=%ld\n", a.ticks_at_return);
	return 0;
}

/* The thread's call is held while main writes to stderr (no notified
 * syscalls): only the supervisor's retry timer can release it. */
static int cmd_hold_while_writing(int argc, char **argv)
{
	if (argc < 2)
		return usage("hold-while-writing NR_HELD");
	struct hold_arg a = {.nr = num(argv[1])};
	pthread_t t;
	if (pthread_create(&t, NULL, held_thread, &a) != 0)
		return usage("hold-while-writing: pthread_create failed");
	int i;
	for (i = 0; i < ROUNDS && !atomic_load(&a.done); i++) {
		if (write(2, ".", 1) < 0)
			break;
		nap();
	}
	bool gaveup = !atomic_load(&a.done);
	pthread_join(t, NULL);
	errno = a.err;
	if (a.ret == -1)
		printf("errno=%s ", probe_errname(a.err));
	else
		printf("ret=%ld ", a.ret);
	printf("gaveup=%d\n", gaveup);
	return 0;
}

/* The thread's call is never answered: the process exits under it. */
static int cmd_hold_until_held(int argc, char **argv)
{
	if (argc < 3)
		return usage("hold-until-held NR_HELD NR_TICK");
	static struct hold_arg a;
	a.nr = num(argv[1]);
	long tick = num(argv[2]);
	pthread_t t;
	if (pthread_create(&t, NULL, held_thread, &a) != 0)
		return usage("hold-until-held: pthread_create failed");
	int i;
	for (i = 0; i < ROUNDS && syscall(tick) != 1; i++)
		nap();
	printf("%s done=%d\n", i < ROUNDS ? "held" : "timeout", atomic_load(&a.done));
	fflush(stdout);
	_exit(0);
}

static int cmd_fork_sys(int argc, char **argv)
{
	if (argc < 2)
		return usage("fork-sys NR [pgrp]");
	bool pgrp = argc > 2 && !strcmp(argv[2], "pgrp");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		print_ret(-1);
		return 0;
	}
	if (pid == 0) {
		if (pgrp)
			setpgid(0, 0);
		long rc = syscall(num(argv[1]));
		int e = errno;
		printf("child pid=%d ", (int)getpid());
		errno = e;
		print_ret(rc);
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	if (waitpid(pid, &st, 0) < 0)
		print_ret(-1);
	else if (WIFSIGNALED(st))
		printf("parent: child signal=%d\n", WTERMSIG(st));
	else
		printf("parent: child exit=%d\n", WEXITSTATUS(st));
	return 0;
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int cmd_sig_sys(int argc, char **argv)
{
	if (argc < 2)
		return usage("sig-sys NR");
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	long rc = syscall(num(argv[1]));
	int e = errno;
	/* the signal is delivered on the way out of the syscall at the
	 * latest; a bounded wait covers a signal sent without a reply */
	for (int i = 0; i < ROUNDS && !got_usr1; i++)
		nap();
	errno = e;
	if (rc == -1)
		printf("errno=%s ", probe_errname(e));
	else
		printf("ret=%ld ", rc);
	printf("usr1=%d\n", (int)got_usr1);
	return 0;
}

static int cmd_uname(int argc, char **argv)
{
	struct utsname u;
	long rc = syscall(SYS_uname, &u);
	if (rc < 0)
		print_ret(rc);
	else
		printf("nodename=%s\n", u.nodename);
	return 0;
}

static int cmd_exit(int argc, char **argv)
{
	return argc > 1 ? (int)num(argv[1]) : 0;
}

static const struct probe_cmd commands[] = {
    {"sys", cmd_sys},
    {"open", cmd_open},
    {"open-seals", cmd_open_seals},
    {"open-attack", cmd_open_attack},
    {"read-fd", cmd_read_fd},
    {"write-fd", cmd_write_fd},
    {"edge-open", cmd_edge_open},
    {"threads", cmd_threads},
    {"hold-order", cmd_hold_order},
    {"hold-until-held", cmd_hold_until_held},
    {"hold-while-writing", cmd_hold_while_writing},
    {"fork-sys", cmd_fork_sys},
    {"sig-sys", cmd_sig_sys},
    {"uname", cmd_uname},
    {"exit", cmd_exit},
};

int main(int argc, char **argv)
{
	return probe_main(commands, sizeof(commands) / sizeof(commands[0]), "hprobe", argc, argv);
}
