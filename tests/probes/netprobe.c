/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netprobe.c - the network policy from inside (tests/integration/netpolicy.c).
 * Static; each subcommand prints one line, "ok" or "errno=ENAME", unless
 * said otherwise.  ADDR is an IPv4 or IPv6 literal (::ffff:a.b.c.d too).
 *
 *   connect ADDR PORT [nb]     a TCP connect, blocking (or non-blocking:
 *                              then poll and SO_ERROR): "ok <reply>" with
 *                              the first line the server sends
 *   udp ADDR PORT HOW          a datagram "x" to ADDR:PORT from a UDP
 *                              socket, HOW one of sendto, sendmsg,
 *                              sendmmsg, connect (then send)
 *   udp-unspec ADDR PORT       sendto with sin_family AF_UNSPEC (IPv4)
 *   ping ADDR                  an ICMP echo from a ping socket (SOCK_DGRAM,
 *                              IPPROTO_ICMP), then its reply awaited:
 *                              "ok" once it came
 *   race-connect A B PORT N    N blocking TCP connects to A:PORT while a
 *                              thread rewrites the address to B and back:
 *                              "ok <connected> <refused>"
 *   race-udp A B PORT N        N sendmsg datagrams to A:PORT while a thread
 *                              rewrites msg_name's address to B and back:
 *                              "ok <sent> <refused>"
 *   seq "CMD ARGS" ...         several in turn (probe_cmds.h)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_cmds.h"

static int fail(void)
{
	printf("errno=%s\n", probe_errname(errno));
	return 0;
}

/* Waits for a non-blocking connect: 0, or -1 with errno. */
static int finish(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, 10000) != 1)
		return errno = ETIMEDOUT, -1;
	int e = 0;
	socklen_t l = sizeof(e);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		return -1;
	return e ? (errno = e, -1) : 0;
}

static int cmd_connect(int argc, char **argv)
{
	if (argc < 3)
		return fprintf(stderr, "connect ADDR PORT [nb]\n"), 2;
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(argv[1], (unsigned)atoi(argv[2]), &ss);
	bool nb = argc > 3 && !strcmp(argv[3], "nb");
	int fd = socket(ss.ss_family, SOCK_STREAM | (nb ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return fail();
	int r = connect(fd, (struct sockaddr *)&ss, len);
	if (r < 0 && nb && errno == EINPROGRESS)
		r = finish(fd);
	if (r < 0)
		return close(fd), fail();
	char buf[128] = "";
	if (nb)
		fcntl(fd, F_SETFL, 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("ok %s\n", buf);
	close(fd);
	return 0;
}

static long udp_send(int fd, const char *how, struct sockaddr_storage *ss, socklen_t len)
{
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr mh = {.msg_name = ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
	if (!strcmp(how, "sendto"))
		return sendto(fd, "x", 1, 0, (struct sockaddr *)ss, len);
	if (!strcmp(how, "sendmsg"))
		return sendmsg(fd, &mh, 0);
	if (!strcmp(how, "sendmmsg")) {
		struct mmsghdr m = {.msg_hdr = mh};
		return sendmmsg(fd, &m, 1, 0);
	}
	if (!strcmp(how, "connect"))
		return connect(fd, (struct sockaddr *)ss, len) < 0 ? -1 : send(fd, "x", 1, 0);
	fprintf(stderr, "netprobe: udp HOW: sendto|sendmsg|sendmmsg|connect\n");
	exit(2);
}

static int cmd_udp(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "udp ADDR PORT HOW\n"), 2;
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(argv[1], (unsigned)atoi(argv[2]), &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail();
	long r = udp_send(fd, argv[3], &ss, len);
	close(fd);
	return probe_report(r);
}

static int cmd_udp_unspec(int argc, char **argv)
{
	if (argc < 3)
		return fprintf(stderr, "udp-unspec ADDR PORT\n"), 2;
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(argv[1], (unsigned)atoi(argv[2]), &ss);
	ss.ss_family = AF_UNSPEC;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail();
	long r = sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len);
	close(fd);
	return probe_report(r);
}

static int cmd_ping(int argc, char **argv)
{
	if (argc < 2)
		return fprintf(stderr, "ping ADDR\n"), 2;
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(argv[1], 0, &ss);
	bool v6 = ss.ss_family == AF_INET6;
	int fd = socket(ss.ss_family, SOCK_DGRAM, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd < 0)
		return fail();
	/* type, code, checksum (the kernel fills it for a ping socket), id, seq */
	unsigned char echo[16] = {v6 ? 128 : 8, 0, 0, 0, 0, 0, 0, 1, 'p', 'r', 'o', 'b', 'e'};
	if (sendto(fd, echo, sizeof(echo), 0, (struct sockaddr *)&ss, len) < 0)
		return close(fd), fail();
	struct pollfd p = {.fd = fd, .events = POLLIN};
	unsigned char reply[64];
	if (poll(&p, 1, 5000) != 1 || recv(fd, reply, sizeof(reply), 0) < 0)
		return close(fd), fail();
	close(fd);
	printf("ok\n");
	return 0;
}

/* ---- races: a thread flips the address the call reads ------------------------------ */

struct flip {
	struct sockaddr_storage *target;
	struct sockaddr_storage a, b;
	atomic_bool stop;
};

static void *flipper(void *arg)
{
	struct flip *f = arg;
	while (!atomic_load(&f->stop)) {
		memcpy(f->target, &f->b, sizeof(f->b));
		memcpy(f->target, &f->a, sizeof(f->a));
	}
	return NULL;
}

static int race(int argc, char **argv, bool udp)
{
	if (argc < 5)
		return fprintf(stderr, "race-* A B PORT N\n"), 2;
	static struct sockaddr_storage shared;
	struct flip f = {.target = &shared};
	unsigned port = (unsigned)atoi(argv[3]);
	socklen_t len = probe_addr(argv[1], port, &f.a);
	probe_addr(argv[2], port, &f.b);
	shared = f.a;
	pthread_t t;
	pthread_create(&t, NULL, flipper, &f);
	long n = atol(argv[4]), ok = 0, refused = 0;
	for (long i = 0; i < n; i++) {
		int fd = socket(f.a.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
		long r;
		if (udp) {
			struct iovec iov = {.iov_base = "x", .iov_len = 1};
			struct msghdr mh = {.msg_name = &shared,
					    .msg_namelen = len,
					    .msg_iov = &iov,
					    .msg_iovlen = 1};
			r = sendmsg(fd, &mh, 0);
		} else {
			r = connect(fd, (struct sockaddr *)&shared, len);
		}
		if (r >= 0)
			ok++;
		else if (errno == ECONNREFUSED || errno == EACCES)
			refused++;
		close(fd);
	}
	atomic_store(&f.stop, true);
	pthread_join(t, NULL);
	printf("ok %ld %ld\n", ok, refused);
	return 0;
}

static int cmd_race_connect(int argc, char **argv)
{
	return race(argc, argv, false);
}

static int cmd_race_udp(int argc, char **argv)
{
	return race(argc, argv, true);
}

static const struct probe_cmd cmds[] = {
    {"connect", cmd_connect},		{"udp", cmd_udp},	    {"udp-unspec", cmd_udp_unspec},
    {"race-connect", cmd_race_connect}, {"race-udp", cmd_race_udp}, {"ping", cmd_ping},
};

int main(int argc, char **argv)
{
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "netprobe", argc, argv);
}
