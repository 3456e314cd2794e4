/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pfprobe.c - the program tests/integration/policyfn.c runs under a policy
 * callback.  Static.  Steps separated by "--" run in turn, each printing
 * one line ("ok ..." or "errno=NAME"):
 *
 *   connect IP PORT          a TCP connect
 *   open PATH                open(O_RDONLY)
 *   create PATH              open(O_WRONLY | O_CREAT | O_TRUNC, 0640)
 *   chmod PATH               chmod(PATH, 0600)
 *   forkexec PATH ARGS...    fork; the child execs PATH with ARGS (argv[0]
 *                            is PATH), or prints "errno=NAME" and exits 1;
 *                            the parent waits (the child's lines first)
 *   vforkexec PATH ARGS...   the same through vfork (the child shares our
 *                            memory until its exec)
 *   vmexec PATH ARGS...      the same through clone(CLONE_VM) without
 *                            vfork's wait: the parent runs on, sharing the
 *                            child's memory
 *   threadexec PATH A B      a second thread flips the bytes of argv[1]
 *                            between A and B (equal lengths) while the main
 *                            thread execs PATH with it: "errno=NAME" when
 *                            the exec fails
 *   flipopen A B N           a second thread flips a path buffer between A
 *                            and B (equal lengths) while the main thread
 *                            opens it N times and reads its first byte:
 *                            "ok <byte>=<count>..." for each first byte read
 *                            (sorted), failures not counted
 *   alloc MB                 maps and touches MB MiB: "ok" or "errno=NAME"
 *   forks N                  forks up to N children that sleep 1 s: "ok
 *                            <forked>"
 *   sleep MS
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

static int say_errno(void)
{
	printf("errno=%s\n", probe_errname(errno));
	fflush(stdout);
	return 0;
}

static int do_connect(const char *ip, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(ip, (unsigned)atoi(port), &ss);
	int s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s < 0)
		return say_errno();
	int r = connect(s, (struct sockaddr *)&ss, len);
	close(s);
	return probe_report(r);
}

static int do_open(const char *path, int flags)
{
	int fd = open(path, flags, 0640);
	if (fd >= 0)
		close(fd);
	return probe_report(fd);
}

static int do_forkexec(char **argv, bool use_vfork)
{
	fflush(stdout);
	pid_t pid = use_vfork ? vfork() : fork();
	if (pid < 0)
		return say_errno();
	if (pid == 0) {
		execv(argv[0], argv);
		if (use_vfork) {
			/* no stdio in a vfork child: our parent's buffers */
			const char *n = probe_errname(errno);
			(void)!write(1, "errno=", 6);
			(void)!write(1, n, strlen(n));
			(void)!write(1, "\n", 1);
			_exit(1);
		}
		say_errno();
		_exit(1);
	}
	int st;
	waitpid(pid, &st, 0);
	return 0;
}

static char vm_stack[256 * 1024] __attribute__((aligned(16)));

static int vm_child(void *p)
{
	char **argv = p;
	execv(argv[0], argv);
	const char *n = probe_errname(errno);
	(void)!write(1, "errno=", 6);
	(void)!write(1, n, strlen(n));
	(void)!write(1, "\n", 1);
	_exit(1);
}

static int do_vmexec(char **argv)
{
	fflush(stdout);
	pid_t pid = clone(vm_child, vm_stack + sizeof(vm_stack), CLONE_VM | SIGCHLD, argv);
	if (pid < 0)
		return say_errno();
	int st;
	waitpid(pid, &st, 0);
	return 0;
}

struct flip {
	char *buf;
	const char *a, *b;
	atomic_int stop;
};

static void *flipper(void *p)
{
	struct flip *f = p;
	size_t n = strlen(f->a);
	for (unsigned i = 0; !atomic_load(&f->stop); i++)
		memcpy(f->buf, i & 1 ? f->b : f->a, n);
	return NULL;
}

static int do_threadexec(const char *path, const char *a, const char *b)
{
	if (strlen(a) != strlen(b))
		return 2;
	struct flip f = {.buf = strdup(a), .a = a, .b = b};
	pthread_t th;
	if (!f.buf || pthread_create(&th, NULL, flipper, &f) != 0)
		return 2;
	char *argv[] = {(char *)path, f.buf, NULL};
	fflush(stdout);
	execv(path, argv);
	int e = errno;
	atomic_store(&f.stop, 1);
	pthread_join(th, NULL);
	errno = e;
	return say_errno();
}

static int do_flipopen(const char *a, const char *b, const char *count)
{
	if (strlen(a) != strlen(b))
		return 2;
	struct flip f = {.buf = strdup(a), .a = a, .b = b};
	pthread_t th;
	if (!f.buf || pthread_create(&th, NULL, flipper, &f) != 0)
		return 2;
	long seen[256] = {0};
	for (int i = 0, n = atoi(count); i < n; i++) {
		unsigned char c;
		int fd = open(f.buf, O_RDONLY);
		if (fd >= 0 && read(fd, &c, 1) == 1)
			seen[c]++;
		if (fd >= 0)
			close(fd);
	}
	atomic_store(&f.stop, 1);
	pthread_join(th, NULL);
	printf("ok");
	for (int c = 0; c < 256; c++)
		if (seen[c])
			printf(" %c=%ld", c, seen[c]);
	printf("\n");
	return 0;
}

static int do_alloc(const char *mb)
{
	size_t n = (size_t)atol(mb) << 20;
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return say_errno();
	memset(p, 1, n);
	munmap(p, n);
	return probe_report(0);
}

static int do_forks(const char *count)
{
	int n = atoi(count), made = 0;
	for (; made < n; made++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			sleep(1);
			_exit(0);
		}
	}
	printf("ok %d\n", made);
	fflush(stdout);
	return 0;
}

/* One step: argv[0..n). */
static int step(char **v, int n)
{
	if (n == 3 && !strcmp(v[0], "connect"))
		return do_connect(v[1], v[2]);
	if (n == 2 && !strcmp(v[0], "open"))
		return do_open(v[1], O_RDONLY);
	if (n == 2 && !strcmp(v[0], "create"))
		return do_open(v[1], O_WRONLY | O_CREAT | O_TRUNC);
	if (n == 2 && !strcmp(v[0], "chmod"))
		return probe_report(chmod(v[1], 0600));
	if (n >= 2 && (!strcmp(v[0], "forkexec") || !strcmp(v[0], "vforkexec"))) {
		v[n] = NULL;
		return do_forkexec(v + 1, v[0][0] == 'v');
	}
	if (n >= 2 && !strcmp(v[0], "vmexec")) {
		v[n] = NULL;
		return do_vmexec(v + 1);
	}
	if (n == 4 && !strcmp(v[0], "threadexec"))
		return do_threadexec(v[1], v[2], v[3]);
	if (n == 4 && !strcmp(v[0], "flipopen"))
		return do_flipopen(v[1], v[2], v[3]);
	if (n == 2 && !strcmp(v[0], "alloc"))
		return do_alloc(v[1]);
	if (n == 2 && !strcmp(v[0], "forks"))
		return do_forks(v[1]);
	if (n == 2 && !strcmp(v[0], "sleep")) {
		struct timespec t = {atoi(v[1]) / 1000, (atoi(v[1]) % 1000) * 1000000L};
		nanosleep(&t, NULL);
		return 0;
	}
	fprintf(stderr, "pfprobe: bad step %s\n", n ? v[0] : "(none)");
	return 2;
}

int main(int argc, char **argv)
{
	int i = 1;
	while (i < argc) {
		int j = i;
		while (j < argc && strcmp(argv[j], "--"))
			j++;
		char *end = argv[j]; /* "--" or NULL: step() may end the list there */
		int r = step(argv + i, j - i);
		argv[j] = end;
		fflush(stdout);
		if (r)
			return r;
		i = j + 1;
	}
	return 0;
}
