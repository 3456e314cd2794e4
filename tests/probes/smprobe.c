/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smprobe.c - sendmsg and sendmmsg made on the sandbox's behalf
 * (tests/integration/sendmsg.c).  Static; each subcommand prints one
 * line, "ok N" (N: what the call returned) or "errno=ENAME", unless said
 * otherwise.
 *
 *   dgram SOCK TEXT...         one sendmsg on a new unix datagram socket
 *                              to SOCK, each TEXT an iovec of its own
 *   connected SOCK TEXT        connect to SOCK, then sendmsg with no name
 *   abstract NAME TEXT         sendmsg of a datagram to @NAME
 *   rights-dgram SOCK FILE     a datagram "F" to SOCK passing FILE (opened
 *                              read-only) by SCM_RIGHTS
 *   rights-pair FILE           FILE passed over a stream socketpair, then
 *                              read through the fd received: "ok <its
 *                              first line>"
 *   pair TEXT                  TEXT sent over a stream socketpair, no name
 *   mmsg SOCK...               sendmmsg of one datagram to each SOCK (the
 *                              i-th is i+2 bytes): "ok COUNT LEN..." with
 *                              each msg_len as written back (999 unwritten)
 *   flagbit SOCK               sendmsg, then sendmmsg, to SOCK with bit 32
 *                              of the flags register set: two lines
 *   creds SOCK                 a datagram with SCM_CREDENTIALS of our own
 *                              ids, then forged ones (pid 1, uid 0): two
 *                              lines
 *   race-name GOOD BAD N       N sendmsg of a datagram while a second
 *                              thread keeps rewriting msg_name's path
 *                              between GOOD and BAD: "ok <sent>"
 *   race-swap SOCK N           N sendmsg of a datagram to SOCK on fd 100
 *                              while a second thread keeps dup2()ing a
 *                              unix datagram socket, a unix stream socket
 *                              and a TCP socket onto fd 100: "ok <sent>"
 *   bit32 SOCK                 no output: exits 0 when a datagram sent
 *                              to SOCK with bit 32 of the flags set is
 *                              refused EACCES (the supervisor decided
 *                              it), 1 otherwise
 *   seq "CMD ARGS" ...         several in turn (probe_cmds.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe_cmds.h"

/* the kernel drops the flags' high half; the sandbox's start-up once
 * exempted its own sends by this bit */
#define BIT32 (1ULL << 32)

static socklen_t unix_addr(struct sockaddr_un *a, const char *path, bool abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path + abstract, sizeof(a->sun_path) - 1, "%s", path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + strlen(path) +
			   !abstract);
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

/* SCM_RIGHTS of fd into ctl (at least CMSG_SPACE(sizeof(int))). */
static void rights(struct msghdr *m, void *ctl, size_t size, int fd)
{
	m->msg_control = ctl;
	m->msg_controllen = size;
	struct cmsghdr *h = CMSG_FIRSTHDR(m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
}

static int c_dgram(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1], !strcmp(argv[0], "abstract"));
	struct iovec iov[8];
	int n = 0;
	for (int i = 2; i < argc && n < 8; i++, n++)
		iov[n] = (struct iovec){argv[i], strlen(argv[i])};
	struct msghdr m = {.msg_name = &a, .msg_namelen = len, .msg_iov = iov, .msg_iovlen = n};
	int s = dgram_socket();
	if (!strcmp(argv[0], "connected")) {
		if (connect(s, (struct sockaddr *)&a, len) < 0)
			return probe_report(-1);
		m.msg_name = NULL;
		m.msg_namelen = 0;
	}
	return report(s < 0 ? -1 : sendmsg(s, &m, 0));
}

static int c_rights_dgram(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1], false);
	int s = dgram_socket(), fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (s < 0 || fd < 0)
		return probe_report(-1);
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {"F", 1};
	struct msghdr m = {.msg_name = &a, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
	rights(&m, ctl.b, sizeof(ctl.b), fd);
	return report(sendmsg(s, &m, 0));
}

static int c_rights_pair(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int sv[2], fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return probe_report(-1);
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl, in;
	struct iovec iov = {"P", 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	rights(&m, ctl.b, sizeof(ctl.b), fd);
	if (sendmsg(sv[0], &m, 0) != 1)
		return probe_report(-1);
	close(fd); /* what arrives is the only way left to the file */
	char c, line[256] = "";
	struct iovec riov = {&c, 1};
	struct msghdr r = {
	    .msg_iov = &riov, .msg_iovlen = 1, .msg_control = in.b, .msg_controllen = sizeof(in.b)};
	struct cmsghdr *h = recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC) == 1 ? CMSG_FIRSTHDR(&r) : NULL;
	if (!h || h->cmsg_type != SCM_RIGHTS) {
		printf("no fd received\n");
		return 0;
	}
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	ssize_t n = pread(fd, line, sizeof(line) - 1, 0);
	if (n < 0)
		return probe_report(-1);
	line[n] = 0;
	line[strcspn(line, "\n")] = 0;
	printf("ok %s\n", line);
	return 0;
}

static int c_pair(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return probe_report(-1);
	struct iovec iov = {argv[1], strlen(argv[1])};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	return report(sendmsg(sv[0], &m, 0));
}

static int c_mmsg(int argc, char **argv)
{
	enum { MAX = 8 };
	struct sockaddr_un a[MAX];
	struct mmsghdr v[MAX];
	struct iovec iov[MAX];
	static const char text[] = "0123456789";
	int n = 0;
	for (int i = 1; i < argc && n < MAX; i++, n++) {
		socklen_t len = unix_addr(&a[n], argv[i], false);
		iov[n] = (struct iovec){(void *)text, (size_t)n + 2};
		v[n] = (struct mmsghdr){.msg_hdr = {.msg_name = &a[n],
						    .msg_namelen = len,
						    .msg_iov = &iov[n],
						    .msg_iovlen = 1},
					.msg_len = 999};
	}
	int s = dgram_socket();
	int r = s < 0 ? -1 : sendmmsg(s, v, (unsigned)n, 0);
	if (r < 0)
		return probe_report(-1);
	printf("ok %d", r);
	for (int i = 0; i < n; i++)
		printf(" %u", v[i].msg_len);
	printf("\n");
	return 0;
}

static int c_flagbit(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1], false);
	struct iovec iov = {"B", 1};
	struct mmsghdr v = {
	    .msg_hdr = {.msg_name = &a, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1}};
	int s = dgram_socket();
	report(syscall(SYS_sendmsg, s, &v.msg_hdr, BIT32));
	return report(syscall(SYS_sendmmsg, s, &v, 1, BIT32));
}

static int c_creds(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1], false);
	int s = dgram_socket();
	const struct ucred who[2] = {{getpid(), getuid(), getgid()}, {1, 0, 0}};
	for (int i = 0; i < 2; i++) {
		union {
			char b[CMSG_SPACE(sizeof(struct ucred))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {"C", 1};
		struct msghdr m = {.msg_name = &a,
				   .msg_namelen = len,
				   .msg_iov = &iov,
				   .msg_iovlen = 1,
				   .msg_control = ctl.b,
				   .msg_controllen = sizeof(ctl.b)};
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_CREDENTIALS;
		h->cmsg_len = CMSG_LEN(sizeof(struct ucred));
		memcpy(CMSG_DATA(h), &who[i], sizeof(who[i]));
		report(sendmsg(s, &m, 0));
	}
	return 0;
}

/* ---- races -------------------------------------------------------------------------- */

#define SUN_PATH_SIZE sizeof(((struct sockaddr_un *)0)->sun_path)

struct flip {
	char *buf; /* rewritten in place */
	char a[SUN_PATH_SIZE], b[SUN_PATH_SIZE];
	atomic_int stop;
};

static void *flipper(void *p)
{
	struct flip *f = p;
	while (!atomic_load(&f->stop)) {
		memcpy(f->buf, f->a, sizeof(f->a));
		memcpy(f->buf, f->b, sizeof(f->b));
	}
	return NULL;
}

static int c_race_name(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	long n = atol(argv[3]), ok = 0;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	static struct flip f;
	memset(&f, 0, sizeof(f));
	snprintf(f.a, sizeof(f.a), "%s", argv[1]);
	snprintf(f.b, sizeof(f.b), "%s", argv[2]);
	f.buf = a.sun_path;
	memcpy(a.sun_path, f.a, sizeof(f.a));
	pthread_t th;
	pthread_create(&th, NULL, flipper, &f);
	int s = dgram_socket();
	for (long i = 0; i < n; i++) {
		struct iovec iov = {"x", 1};
		struct msghdr m = {
		    .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1};
		ok += sendmsg(s, &m, MSG_DONTWAIT) == 1;
	}
	atomic_store(&f.stop, 1);
	pthread_join(th, NULL);
	printf("ok %ld\n", ok);
	return 0;
}

struct swap {
	int fds[3];
	atomic_int stop;
};

static void *swapper(void *p)
{
	struct swap *w = p;
	while (!atomic_load(&w->stop))
		for (int i = 0; i < 3; i++)
			dup2(w->fds[i], 100);
	return NULL;
}

static int c_race_swap(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long n = atol(argv[2]), ok = 0;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1], false);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return probe_report(-1);
	struct swap w = {{dgram_socket(), sv[0], socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)},
			 0};
	pthread_t th;
	pthread_create(&th, NULL, swapper, &w);
	for (long i = 0; i < n; i++) {
		struct iovec iov = {"x", 1};
		struct msghdr m = {
		    .msg_name = &a, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
		ok += sendmsg(100, &m, MSG_DONTWAIT | MSG_NOSIGNAL) == 1;
	}
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	printf("ok %ld\n", ok);
	return 0;
}

static int c_bit32(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, argv[1], false);
	struct iovec iov = {"B", 1};
	struct msghdr m = {.msg_name = &a, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
	long r = syscall(SYS_sendmsg, dgram_socket(), &m, BIT32);
	exit(r < 0 && errno == EACCES ? 0 : 1);
}

static const struct probe_cmd cmds[] = {
    {"dgram", c_dgram},
    {"connected", c_dgram},
    {"abstract", c_dgram},
    {"rights-dgram", c_rights_dgram},
    {"rights-pair", c_rights_pair},
    {"pair", c_pair},
    {"mmsg", c_mmsg},
    {"flagbit", c_flagbit},
    {"creds", c_creds},
    {"race-name", c_race_name},
    {"race-swap", c_race_swap},
    {"bit32", c_bit32},
};

int main(int argc, char **argv)
{
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "smprobe", argc, argv);
}
