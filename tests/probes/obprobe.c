/* SPDX-License-Identifier: Apache-2.0 */
/*
 * obprobe.c - the calls the supervisor makes on the sandbox's behalf
 * (tests/integration/onbehalf.c).  Static; each subcommand prints one
 * line, "ok" or "errno=ENAME" (probe_cmds.h), unless said otherwise.
 * MODE is octal, SEC seconds since the epoch.
 *
 *   chmod PATH MODE             fchmodat DIR REL MODE (DIR opened O_PATH)
 *   lchmod PATH MODE            fchmodat2(AT_SYMLINK_NOFOLLOW)
 *   chmod-fd PATH MODE          fchmodat2(O_PATH fd of PATH, "", AT_EMPTY_PATH)
 *   chown PATH UID GID          lchown PATH UID GID
 *   chown-fd PATH UID GID       fchownat(O_PATH fd, "", AT_EMPTY_PATH)
 *   utimes PATH SEC             utimensat PATH SEC      utime PATH SEC
 *   futimesat DIR REL SEC
 *   setxattr PATH NAME VALUE    lsetxattr PATH NAME VALUE
 *   removexattr PATH NAME
 *   setxattrat PATH NAME VALUE  (the Linux 6.13 call: refused, ENOSYS)
 *   inotify PATH                inotify-nofollow PATH
 *   inotify-event DIR NAME      watches DIR, creates DIR/NAME, prints
 *                               "ok <name in the event>"
 *   connect SOCK                a unix stream socket connected to SOCK
 *   sendto SOCK TEXT            a unix datagram to SOCK
 *   abstract NAME               a unix stream connect to @NAME
 *   tcp PORT                    a TCP connect to 127.0.0.1:PORT
 *   thread-cwd DIR REL MODE     a thread with a working directory of its
 *                               own (clone without CLONE_FS) chdirs to DIR
 *                               and chmods REL, then
 *                               /proc/thread-self/cwd/REL: two lines
 *   race-chmod GOOD BAD N MODE  N chmods of a buffer that a second thread
 *                               keeps rewriting between GOOD and BAD;
 *                               prints "ok <calls that succeeded>"
 *   race-connect GOOD BAD N     the same with connect's sun_path
 *   race-sendto GOOD BAD N      and sendto's
 *   race-fd GOOD BAD N          N connects of fd 100 to BAD while a second
 *                               thread keeps swapping a TCP socket and a
 *                               unix socket onto fd 100; prints "ok <calls
 *                               that succeeded>"
 *   fd-call CALL FILE           FILE opened read-only, then passed as the
 *                               fd of CALL: openat (a dirfd), fchmodat,
 *                               inotify (an instance), connect, sendto
 *                               (a socket); prints the call's result
 *   seq "CMD ARGS" ...          several in turn (probe_cmds.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "probe_cmds.h"
#include "rawsys.h"

#define NR_FCHMODAT2  452
#define NR_SETXATTRAT 463

static mode_t mode_of(const char *s)
{
	return (mode_t)strtol(s, NULL, 8);
}

static int c_chmod(int argc, char **argv)
{
	return argc < 3 ? 2 : probe_report(chmod(argv[1], mode_of(argv[2])));
}

static int c_fchmodat(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int d = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return probe_report(-1);
	return probe_report(syscall(SYS_fchmodat, d, argv[2], mode_of(argv[3])));
}

static int c_lchmod(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	return probe_report(
	    syscall(NR_FCHMODAT2, AT_FDCWD, argv[1], mode_of(argv[2]), AT_SYMLINK_NOFOLLOW));
}

static int c_chmod_fd(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int fd = open(argv[1], O_PATH | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	return probe_report(syscall(NR_FCHMODAT2, fd, "", mode_of(argv[2]), AT_EMPTY_PATH));
}

static int c_chown(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	uid_t u = (uid_t)atol(argv[2]);
	gid_t g = (gid_t)atol(argv[3]);
	if (!strcmp(argv[0], "lchown"))
		return probe_report(lchown(argv[1], u, g));
	if (!strcmp(argv[0], "chown"))
		return probe_report(chown(argv[1], u, g));
	int fd = open(argv[1], O_PATH | O_CLOEXEC);
	return probe_report(fd < 0 ? -1 : fchownat(fd, "", u, g, AT_EMPTY_PATH));
}

static int c_times(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	time_t t = (time_t)atol(argv[argc - 1]);
	struct timeval tv[2] = {{t, 0}, {t, 0}};
	struct timespec ts[2] = {{t, 0}, {t, 0}};
	if (!strcmp(argv[0], "utimes"))
		return probe_report(utimes(argv[1], tv));
	if (!strcmp(argv[0], "utimensat"))
		return probe_report(utimensat(AT_FDCWD, argv[1], ts, 0));
#ifdef SYS_utime
	if (!strcmp(argv[0], "utime")) {
		time_t ub[2] = {t, t};
		return probe_report(syscall(SYS_utime, argv[1], ub));
	}
#endif
	if (!strcmp(argv[0], "futimesat") && argc >= 4) {
		int d = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
		return probe_report(d < 0 ? -1 : syscall(SYS_futimesat, d, argv[2], tv));
	}
	return 2;
}

static int c_xattr(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *v = argc > 3 ? argv[3] : "";
	if (!strcmp(argv[0], "removexattr"))
		return probe_report(removexattr(argv[1], argv[2]));
	if (!strcmp(argv[0], "lsetxattr"))
		return probe_report(lsetxattr(argv[1], argv[2], v, strlen(v), 0));
	if (!strcmp(argv[0], "setxattrat")) {
		struct {
			uint64_t value;
			uint32_t size, flags;
		} xa = {(uintptr_t)v, (uint32_t)strlen(v), 0};
		return probe_report(
		    syscall(NR_SETXATTRAT, AT_FDCWD, argv[1], 0, argv[2], &xa, sizeof(xa)));
	}
	return probe_report(setxattr(argv[1], argv[2], v, strlen(v), 0));
}

static int c_inotify(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int in = inotify_init1(IN_CLOEXEC);
	uint32_t m = IN_ALL_EVENTS | (!strcmp(argv[0], "inotify-nofollow") ? IN_DONT_FOLLOW : 0);
	return probe_report(in < 0 ? -1 : inotify_add_watch(in, argv[1], m));
}

static int c_inotify_event(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int in = inotify_init1(IN_CLOEXEC);
	if (in < 0 || inotify_add_watch(in, argv[1], IN_CREATE) < 0)
		return probe_report(-1);
	char path[PATH_MAX], buf[4096] __attribute__((aligned(8)));
	snprintf(path, sizeof(path), "%s/%s", argv[1], argv[2]);
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 || read(in, buf, sizeof(buf)) <= 0)
		return probe_report(-1);
	printf("ok %s\n", ((struct inotify_event *)buf)->name);
	return 0;
}

static socklen_t unix_addr(struct sockaddr_un *a, const char *path, bool abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path + abstract, sizeof(a->sun_path) - 1, "%s", path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + strlen(path) + 1);
}

static int c_connect(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un a;
	bool abs = !strcmp(argv[0], "abstract");
	socklen_t len = unix_addr(&a, argv[1], abs);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return probe_report(s < 0 ? -1 : connect(s, (struct sockaddr *)&a, len - abs));
}

static int c_sendto(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1], false);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return probe_report(
	    s < 0 ? -1 : sendto(s, argv[2], strlen(argv[2]), 0, (struct sockaddr *)&a, len));
}

static int c_tcp(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return probe_report(s < 0 ? -1 : connect(s, (struct sockaddr *)&a, sizeof(a)));
}

/* ---- a thread with a working directory of its own ---------------------------------- */

struct tcwd {
	const char *dir, *rel, *abs;
	mode_t mode;
	long r1, r2;
	atomic_int done;
};

/* No libc here: the thread shares the caller's TLS (no CLONE_SETTLS), so
 * errno must not be written; raw syscalls only. */
static int tcwd_main(void *p)
{
	struct tcwd *t = p;
	t->r1 = sl_sys1(SYS_chdir, t->dir);
	if (t->r1 == 0)
		t->r1 = sl_sys3(SYS_fchmodat, AT_FDCWD, t->rel, t->mode);
	t->r2 = sl_sys3(SYS_fchmodat, AT_FDCWD, t->abs, t->mode);
	atomic_store(&t->done, 1);
	sl_sys1(SYS_exit, 0);
	return 0;
}

static void print_raw(long r)
{
	if (r < 0)
		errno = (int)-r;
	probe_report(r);
}

static int c_thread_cwd(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	static char stack[64 * 1024] __attribute__((aligned(16)));
	char abs[PATH_MAX];
	snprintf(abs, sizeof(abs), "/proc/thread-self/cwd/%s", argv[2]);
	struct tcwd t = {argv[1], argv[2], abs, mode_of(argv[3]), 0, 0, 0};
	/* a thread (same process) without CLONE_FS: its own cwd */
	int f = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_FILES;
	if (clone(tcwd_main, stack + sizeof(stack), f, &t) < 0)
		return probe_report(-1);
	while (!atomic_load(&t.done))
		sched_yield();
	print_raw(t.r1);
	print_raw(t.r2);
	return 0;
}

/* ---- races ---------------------------------------------------------------------------- */

struct flip {
	char *buf; /* rewritten in place, byte by byte */
	const char *a, *b;
	size_t size;
	atomic_int stop;
};

static void *flipper(void *p)
{
	struct flip *f = p;
	while (!atomic_load(&f->stop)) {
		memcpy(f->buf, f->a, f->size);
		memcpy(f->buf, f->b, f->size);
	}
	return NULL;
}

/* Both strings padded with NULs to one size, so the buffer always holds
 * one of them or a mix of their bytes. */
static void flip_start(struct flip *f, pthread_t *th, char *buf, size_t size, const char *a,
		       const char *b)
{
	static char pa[PATH_MAX], pb[PATH_MAX];
	memset(pa, 0, sizeof(pa));
	memset(pb, 0, sizeof(pb));
	snprintf(pa, size, "%s", a);
	snprintf(pb, size, "%s", b);
	*f = (struct flip){buf, pa, pb, size, 0};
	memcpy(buf, pa, size);
	pthread_create(th, NULL, flipper, f);
}

static int c_race(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	long n = atol(argv[3]), ok = 0;
	bool conn = !strcmp(argv[0], "race-connect"), send = !strcmp(argv[0], "race-sendto");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	static char path[PATH_MAX];
	char *buf = conn || send ? a.sun_path : path;
	size_t size = conn || send ? sizeof(a.sun_path) - 1 : 256;
	struct flip f;
	pthread_t th;
	flip_start(&f, &th, buf, size, argv[1], argv[2]);
	for (long i = 0; i < n; i++) {
		int s = conn || send
			    ? socket(AF_UNIX, (conn ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0)
			    : -1;
		if (conn)
			ok += connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
		else if (send)
			ok +=
			    sendto(s, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&a, sizeof(a)) == 1;
		else
			ok += chmod(path, argc > 4 ? mode_of(argv[4]) : 0600) == 0;
		if (s >= 0)
			close(s);
	}
	atomic_store(&f.stop, 1);
	pthread_join(th, NULL);
	printf("ok %ld\n", ok);
	return 0;
}

/* ---- a thread swapping sockets under one fd number ------------------------------------ */

struct swap {
	int tcp, unx;
	atomic_int stop;
};

static void *swapper(void *p)
{
	struct swap *w = p;
	while (!atomic_load(&w->stop)) {
		dup2(w->tcp, 100);
		dup2(w->unx, 100);
	}
	return NULL;
}

static int c_race_fd(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	long n = atol(argv[3]), ok = 0;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[2], false);
	struct swap w = {socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
			 socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0};
	pthread_t th;
	pthread_create(&th, NULL, swapper, &w);
	for (long i = 0; i < n; i++)
		ok += connect(100, (struct sockaddr *)&a, len) == 0;
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	printf("ok %ld\n", ok);
	return 0;
}

/* fd-call CALL FILE: a file that is no directory, socket or inotify
 * instance, given where the call wants one. */
static int c_fd_call(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return printf("open "), probe_report(-1);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[2]);
	const char *call = argv[1];
	long r = !strcmp(call, "openat")     ? openat(fd, "x", O_RDONLY | O_CLOEXEC)
		 : !strcmp(call, "fchmodat") ? fchmodat(fd, "x", 0644, 0)
		 : !strcmp(call, "inotify")  ? inotify_add_watch(fd, "/", IN_ALL_EVENTS)
		 : !strcmp(call, "connect")  ? connect(fd, (struct sockaddr *)&a, sizeof(a))
		 : !strcmp(call, "sendto") ? sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a))
					   : (errno = EINVAL, -1);
	return probe_report(r < 0 ? -1 : 0);
}

static const struct probe_cmd cmds[] = {
    {"chmod", c_chmod},
    {"fchmodat", c_fchmodat},
    {"lchmod", c_lchmod},
    {"chmod-fd", c_chmod_fd},
    {"chown", c_chown},
    {"lchown", c_chown},
    {"chown-fd", c_chown},
    {"utimes", c_times},
    {"utimensat", c_times},
    {"utime", c_times},
    {"futimesat", c_times},
    {"setxattr", c_xattr},
    {"lsetxattr", c_xattr},
    {"removexattr", c_xattr},
    {"setxattrat", c_xattr},
    {"inotify", c_inotify},
    {"inotify-nofollow", c_inotify},
    {"inotify-event", c_inotify_event},
    {"connect", c_connect},
    {"abstract", c_connect},
    {"sendto", c_sendto},
    {"tcp", c_tcp},
    {"thread-cwd", c_thread_cwd},
    {"race-chmod", c_race},
    {"race-connect", c_race},
    {"race-sendto", c_race},
    {"race-fd", c_race_fd},
    {"fd-call", c_fd_call},
};

int main(int argc, char **argv)
{
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "obprobe", argc, argv);
}
