/* SPDX-License-Identifier: Apache-2.0 */
/*
 * a7probe.c - attacks on the sends made on the sandbox's behalf
 * (tests/integration/attack7.c).  Static; each subcommand prints one line,
 * "ok N" or "errno=ENAME", unless said otherwise.
 *
 *   x32 SOCK                   a datagram to SOCK by the x32 sendmsg
 *                              (bit 30 of the number), without and with
 *                              the start's bit: the filter kills (prints
 *                              what the kernel answered if it does not)
 *   int80 SOCK                 the same by the i386 sendmsg (int 0x80)
 *   names SOCK                 a datagram to the socket file SOCK by names
 *                              that reach it (all outside the writable
 *                              trees for the test): /proc/self/fd/N,
 *                              /proc/thread-self/fd/N, /proc/<pid>/fd/N
 *                              of an O_PATH fd of it, /proc/self/root
 *                              SOCK, /proc/self/cwd/NAME and NAME from
 *                              its directory as cwd: one line each
 *   link SOCK NEW              link(SOCK, NEW), then a datagram to NEW:
 *                              two lines
 *   rights-bad SOCK            datagrams to SOCK passing fd numbers the
 *                              probe does not hold: -1, 1000, 1<<20,
 *                              INT_MAX, one just closed: one line each
 *   iov-wrap SOCK              a datagram to SOCK whose iovec lengths add
 *                              up to 2^64 + 1 (the kernel: EFAULT)
 *   race-ctl SOCK FILE N       N datagrams to SOCK passing FILE while a
 *                              thread rewrites cmsg_len, the fd number,
 *                              msg_controllen and iov_len: "ok <sent>
 *                              <odd results>"
 *   pidfd DIR                  binds DIR/p with SO_PASSPIDFD, sends to it
 *                              by name, and tries what the pidfd received
 *                              allows on the process it names:
 *                              "pid same|other PID" (or
 *                              "pid none"), then a line for
 *                              pidfd_send_signal(0) and pidfd_getfd(0)
 *   hold THREADS MS KIND spin|idle
 *                              THREADS threads blocked in sendmsg, each on
 *                              a socket with the largest send buffer the
 *                              system allows: KIND "stream", 8 MiB on
 *                              stream socketpairs nobody reads, or a
 *                              datagram socket's path, as large datagrams
 *                              as fit sent there after its queue is
 *                              filled; then for MS ms the main thread
 *                              makes a notified call in a loop (spin) or
 *                              sleeps (idle): "ok <calls made>"
 *   resume stream|SOCK         a blocking sendmsg that must wait: 8 MiB
 *                              on a stream socketpair a thread reads
 *                              after 300 ms (looped over short counts),
 *                              or a 100 KiB datagram to SOCK once its
 *                              queue is full: "ok <bytes>"
 *   zerocopy PORT              listens on 127.0.0.1:PORT, takes one
 *                              connection, and writes 64 chunks of 64 KiB
 *                              (chunk i filled with 'A'+i%26) by sendmsg
 *                              with MSG_ZEROCOPY (SO_ZEROCOPY set; without
 *                              it from the first EOPNOTSUPP on), each
 *                              retried until sent whole: "ok <bytes>"
 *   seq "CMD ARGS" ...         several in turn (probe_cmds.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

#define START_BIT (1ULL << 32) /* high flags bit, which the kernel drops */

static socklen_t unix_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	size_t n = strlen(path);
	if (n >= sizeof(a->sun_path))
		n = sizeof(a->sun_path) - 1;
	memcpy(a->sun_path, path, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

static int report(long r)
{
	if (r < 0)
		return probe_report(-1);
	printf("ok %ld\n", r);
	return 0;
}

static int dgram_socket(void)
{
	return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/* One datagram "x" to path on a new socket: its result. */
static long dgram_to(const char *path)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, path);
	struct iovec iov = {"x", 1};
	struct msghdr m = {.msg_name = &a, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
	int s = dgram_socket();
	long r = s < 0 ? -1 : sendmsg(s, &m, MSG_DONTWAIT);
	int e = errno;
	if (s >= 0)
		close(s);
	errno = e;
	return r;
}

/* ---- other ABIs ------------------------------------------------------------- */

#if defined(__x86_64__)
#define X32_BIT	     0x40000000L
#define X32_SENDMSG  518 /* arch/x86/entry/syscalls/syscall_64.tbl */
#define I386_SENDMSG 370 /* syscall_32.tbl */

static int c_x32(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1]);
	/* x32's struct msghdr has 32-bit pointers: everything below 4 GiB */
	struct {
		uint32_t name, namelen, iov, iovlen, control, controllen, flags;
	} *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1,
		    0);
	if (m == MAP_FAILED)
		return probe_report(-1);
	char *low = (char *)(m + 1);
	memcpy(low, &a, sizeof(a));
	uint32_t *iov = (uint32_t *)(low + sizeof(a));
	iov[0] = (uint32_t)(uintptr_t)(low + 1024);
	low[1024] = 'x';
	iov[1] = 1;
	*m = (typeof(*m)){(uint32_t)(uintptr_t)low, len, (uint32_t)(uintptr_t)iov, 1, 0, 0, 0};
	int s = dgram_socket();
	fflush(stdout);
	report(syscall(X32_BIT | X32_SENDMSG, s, m, 0));
	fflush(stdout);
	return report(syscall(X32_BIT | X32_SENDMSG, s, m, START_BIT));
}

static long int80(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static int c_int80(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1]);
	struct {
		uint32_t name, namelen, iov, iovlen, control, controllen, flags;
	} *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1,
		    0);
	if (m == MAP_FAILED)
		return probe_report(-1);
	char *low = (char *)(m + 1);
	memcpy(low, &a, sizeof(a));
	uint32_t *iov = (uint32_t *)(low + sizeof(a));
	iov[0] = (uint32_t)(uintptr_t)(low + 1024);
	low[1024] = 'x';
	iov[1] = 1;
	*m = (typeof(*m)){(uint32_t)(uintptr_t)low, len, (uint32_t)(uintptr_t)iov, 1, 0, 0, 0};
	int s = dgram_socket();
	fflush(stdout);
	long r = int80(I386_SENDMSG, s, (long)(uintptr_t)m, 0);
	errno = r < 0 ? (int)-r : 0;
	return report(r < 0 ? -1 : r);
}
#endif

/* ---- names of a socket ----------------------------------------------------------- */

static int c_names(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *sock = argv[1];
	int o = open(sock, O_PATH | O_CLOEXEC);
	if (o < 0)
		return probe_report(-1);
	char p[256], dir[256];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", o);
	report(dgram_to(p));
	snprintf(p, sizeof(p), "/proc/thread-self/fd/%d", o);
	report(dgram_to(p));
	snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)getpid(), o);
	report(dgram_to(p));
	snprintf(p, sizeof(p), "/proc/self/root%s", sock);
	report(dgram_to(p));
	snprintf(dir, sizeof(dir), "%s", sock);
	char *slash = strrchr(dir, '/');
	*slash = 0;
	if (chdir(dir) < 0)
		return probe_report(-1);
	snprintf(p, sizeof(p), "/proc/self/cwd/%s", slash + 1);
	report(dgram_to(p));
	return report(dgram_to(slash + 1));
}

static int c_link(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	probe_report(link(argv[1], argv[2]));
	return report(dgram_to(argv[2]));
}

/* ---- files passed --------------------------------------------------------------- */

static long send_rights(int s, const struct sockaddr_un *a, socklen_t len, const int *fds, int n)
{
	union {
		char b[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {"F", 1};
	struct msghdr m = {.msg_name = (void *)a,
			   .msg_namelen = a ? len : 0,
			   .msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = CMSG_SPACE((size_t)n * sizeof(int))};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(h), fds, (size_t)n * sizeof(int));
	return sendmsg(s, &m, MSG_DONTWAIT);
}

static int c_rights_bad(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1]);
	int s = dgram_socket(), freed = dup(s);
	/* a number just freed: the lowest free one, as the fetcher's own
	 * table would hand out first */
	close(freed);
	const int bad[] = {-1, 1000, 1 << 20, INT_MAX, freed};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		report(send_rights(s, &a, len, &bad[i], 1));
	return 0;
}

/* iov-wrap SOCK: iovec lengths whose sum wraps 2^64 to 1 */
static int c_iov_wrap(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1]);
	static char buf[4] = "wxyz";
	struct iovec iov[4] = {
	    {buf, 1}, {buf, (size_t)INT64_MAX}, {buf, (size_t)INT64_MAX}, {buf, 2}};
	struct msghdr m = {.msg_name = &a, .msg_namelen = len, .msg_iov = iov, .msg_iovlen = 4};
	int s = dgram_socket();
	return report(sendmsg(s, &m, MSG_DONTWAIT));
}

/* race-ctl SOCK FILE N: N datagrams to SOCK passing FILE, while a thread
 * keeps rewriting the message: cmsg_len grown past the control data and
 * back, the fd number swapped with -1 and a free one, msg_controllen and
 * an iov_len made huge and back.  "ok <sent> <odd>": odd counts results
 * other than a send or EINVAL, EBADF, EFAULT, ENOBUFS, EMSGSIZE. */
struct racer {
	struct msghdr *m;
	struct cmsghdr *h;
	struct iovec *iov;
	int fd;
	atomic_int stop;
};

static void *rewriter(void *p)
{
	struct racer *r = p;
	for (unsigned i = 0; !atomic_load(&r->stop); i++) {
		int *slot = (int *)CMSG_DATA(r->h);
		switch (i % 6) {
		case 0:
			r->h->cmsg_len = 4096;
			break;
		case 1:
			r->h->cmsg_len = CMSG_LEN(sizeof(int));
			break;
		case 2:
			*slot = i & 8 ? -1 : 900;
			break;
		case 3:
			*slot = r->fd;
			break;
		case 4:
			r->iov->iov_len = (size_t)1 << 40;
			r->m->msg_controllen = 1 << 30;
			break;
		default:
			r->iov->iov_len = 1;
			r->m->msg_controllen = CMSG_SPACE(sizeof(int));
			break;
		}
	}
	return NULL;
}

static int c_race_ctl(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1]);
	long n = atol(argv[3]), sent = 0, odd = 0;
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC), s = dgram_socket();
	if (fd < 0 || s < 0)
		return probe_report(-1);
	static union {
		char b[4096];
		struct cmsghdr align;
	} ctl;
	static struct iovec iov = {"R", 1};
	static struct msghdr m;
	m = (struct msghdr){.msg_name = &a,
			    .msg_namelen = len,
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.b,
			    .msg_controllen = CMSG_SPACE(sizeof(int))};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	static struct racer r;
	r = (struct racer){.m = &m, .h = h, .iov = &iov, .fd = fd};
	pthread_t th;
	pthread_create(&th, NULL, rewriter, &r);
	for (long i = 0; i < n; i++) {
		ssize_t w = sendmsg(s, &m, MSG_DONTWAIT);
		if (w >= 0)
			sent++;
		else if (errno != EINVAL && errno != EBADF && errno != EFAULT && errno != ENOBUFS &&
			 errno != EMSGSIZE && errno != EAGAIN)
			odd++;
	}
	atomic_store(&r.stop, 1);
	pthread_join(th, NULL);
	printf("ok %ld %ld\n", sent, odd);
	return 0;
}

/* ---- SO_PASSPIDFD --------------------------------------------------------------- */

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

static int c_pidfd(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	char path[256];
	snprintf(path, sizeof(path), "%s/p", argv[1]);
	unlink(path);
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, path);
	int r = dgram_socket(), one = 1;
	if (r < 0 || bind(r, (struct sockaddr *)&a, len) < 0 ||
	    setsockopt(r, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) < 0)
		return probe_report(-1);
	if (dgram_to(path) < 0)
		return probe_report(-1);
	union {
		char b[CMSG_SPACE(64)];
		struct cmsghdr align;
	} ctl;
	char c;
	struct iovec iov = {&c, 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof(ctl.b)};
	if (recvmsg(r, &m, MSG_CMSG_CLOEXEC) < 0)
		return probe_report(-1);
	int pidfd = -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_PIDFD)
			memcpy(&pidfd, CMSG_DATA(h), sizeof(int));
	if (pidfd < 0) {
		printf("pid none\n");
		return 0;
	}
	char link[64], buf[256] = "";
	snprintf(link, sizeof(link), "/proc/self/fdinfo/%d", pidfd);
	FILE *f = fopen(link, "r");
	long pid = -2;
	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "Pid:", 4))
			pid = atol(buf + 4);
	if (f)
		fclose(f);
	printf("pid %s %ld\n", pid == getpid() ? "same" : "other", pid);
	probe_report(syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0));
	return probe_report(syscall(SYS_pidfd_getfd, pidfd, 0, 0));
}

/* ---- the supervisor's work ------------------------------------------------------- */

#define BIG (8u << 20)

/* A sender that blocks: sock, and where to (NULL: connected). */
struct blocked {
	int s;
	const char *to;
	size_t len;
};

static void *blocked_sender(void *p)
{
	const struct blocked *b = p;
	char *buf = malloc(b->len);
	memset(buf, 'b', b->len);
	struct sockaddr_un a;
	socklen_t alen = b->to ? unix_addr(&a, b->to) : 0;
	for (;;) {
		struct iovec iov = {buf, b->len};
		struct msghdr m = {.msg_name = b->to ? &a : NULL,
				   .msg_namelen = alen,
				   .msg_iov = &iov,
				   .msg_iovlen = 1};
		if (sendmsg(b->s, &m, MSG_NOSIGNAL) < 0)
			break;
	}
	return NULL;
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* hold THREADS MS stream|DGRAMSOCK spin|idle */
static int c_hold(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	int nt = atoi(argv[1]);
	long ms = atol(argv[2]), calls = 0;
	bool stream = !strcmp(argv[3], "stream");
	if (!stream) {
		/* fill the receiver's queue: then every sender blocks */
		int s = dgram_socket();
		while (nt && dgram_to(argv[3]) >= 0)
			;
		close(s);
	}
	for (int i = 0; i < nt; i++) {
		struct blocked *b = calloc(1, sizeof(*b));
		int sv[2];
		if (stream && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return probe_report(-1);
		b->s = stream ? sv[0] : dgram_socket();
		b->to = stream ? NULL : argv[3];
		/* as large a send buffer as the system lets anyone have */
		int most = INT_MAX / 2;
		setsockopt(b->s, SOL_SOCKET, SO_SNDBUF, &most, sizeof(most));
		if (!stream) {
			int sz = 0;
			socklen_t sl = sizeof(sz);
			getsockopt(b->s, SOL_SOCKET, SO_SNDBUF, &sz, &sl);
			b->len = (size_t)sz - 64 > BIG ? BIG : (size_t)sz - 64;
		} else {
			b->len = BIG;
		}
		pthread_t th;
		pthread_create(&th, NULL, blocked_sender, b);
	}
	usleep(300000);
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, "/nonexistent/x");
	int s = dgram_socket();
	if (!strcmp(argv[4], "idle"))
		usleep((useconds_t)ms * 1000);
	else
		for (long end = now_ms() + ms; now_ms() < end; calls++)
			connect(s, (struct sockaddr *)&a, len);
	printf("ok %ld\n", calls);
	fflush(stdout);
	_exit(0);
}

/* resume stream|DGRAMSOCK: a blocking send that must wait, then goes on */
static void *late_reader(void *p)
{
	int s = *(int *)p;
	char buf[65536];
	usleep(300000);
	while (read(s, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static int c_resume(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "stream")) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return probe_report(-1);
		pthread_t th;
		pthread_create(&th, NULL, late_reader, &sv[1]);
		char *buf = calloc(1, BIG);
		size_t off = 0;
		while (off < BIG) {
			struct iovec iov = {buf + off, BIG - off};
			struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
			ssize_t w = sendmsg(sv[0], &m, 0);
			if (w <= 0)
				return probe_report(-1);
			off += (size_t)w;
		}
		return report((long)off);
	}
	/* the receiver's queue full, then one large datagram: it waits for
	 * the test to read */
	while (dgram_to(argv[1]) >= 0)
		;
	if (errno != EAGAIN)
		return probe_report(-1);
	enum { LEN = 100 << 10 };
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1]);
	char *buf = calloc(1, LEN);
	struct iovec iov = {buf, LEN};
	struct msghdr m = {.msg_name = &a, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
	int s = dgram_socket(), big = 1 << 20;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return report(sendmsg(s, &m, 0));
}

/* ---- MSG_ZEROCOPY ----------------------------------------------------------------- */

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

static int c_zerocopy(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in in = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)atoi(argv[1])),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&in, sizeof(in)) < 0 || listen(l, 1) < 0)
		return probe_report(-1);
	printf("listening\n");
	fflush(stdout);
	int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) < 0)
		return probe_report(-1);
	enum { CHUNK = 64 << 10, N = 64 };
	/* every chunk its own memory, never written again: what arrives
	 * must be exactly what was sent, zero copy or not */
	char *buf = malloc((size_t)CHUNK * N);
	if (!buf)
		return probe_report(-1);
	long total = 0;
	int zc = MSG_ZEROCOPY;
	for (int i = 0; i < N; i++) {
		char *chunk = buf + (size_t)i * CHUNK;
		memset(chunk, 'A' + i % 26, CHUNK);
		size_t off = 0;
		while (off < CHUNK) {
			struct iovec iov = {chunk + off, CHUNK - off};
			struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
			ssize_t w = sendmsg(c, &m, zc | MSG_DONTWAIT);
			if (w < 0 && errno == EOPNOTSUPP && zc) {
				zc = 0; /* no zero copy here: copied, as apps fall back */
				continue;
			}
			if (w < 0 && errno != EAGAIN && errno != ENOBUFS)
				return probe_report(-1);
			if (w > 0) {
				off += (size_t)w;
				total += w;
			} else {
				poll(&(struct pollfd){c, POLLOUT, 0}, 1, 50);
			}
		}
	}
	shutdown(c, SHUT_WR);
	return report(total);
}

static const struct probe_cmd cmds[] = {
#if defined(__x86_64__)
    {"x32", c_x32},	{"int80", c_int80},
#endif
    {"names", c_names}, {"link", c_link},	  {"rights-bad", c_rights_bad},
    {"pidfd", c_pidfd}, {"iov-wrap", c_iov_wrap}, {"race-ctl", c_race_ctl},
    {"hold", c_hold},	{"resume", c_resume},	  {"zerocopy", c_zerocopy},
};

int main(int argc, char **argv)
{
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "a7probe", argc, argv);
}
