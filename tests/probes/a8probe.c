/* SPDX-License-Identifier: Apache-2.0 */
/*
 * a8probe.c - attacks on the network policy (tests/integration/attack8.c).
 * Static; each subcommand prints one line, "ok" (or "ok N") or
 * "errno=ENAME", unless said otherwise.  ADDR is an IPv4 or IPv6 literal.
 * "fd 0" is a socket the test hands the sandbox as its stdin (a datagram
 * socket cannot be made inside).
 *
 *   listen [PORT]              a TCP socket listening (bound to
 *                              127.0.0.1:PORT first when PORT is given):
 *                              "ok <port>"
 *   udp0 ADDR PORT HOW         a datagram "x" from fd 0 to ADDR:PORT, HOW
 *                              sendto, sendmsg, sendmmsg or connect (then
 *                              send)
 *   mmsg0 A B PORT             one sendmmsg from fd 0 of "a" to A:PORT and
 *                              "b" to B:PORT: "ok <messages sent>"
 *   race0 A B PORT N HOW       N datagrams from fd 0 to A:PORT (HOW sendto,
 *                              sendmsg or sendmmsg) while a thread
 *                              rewrites the address to B and back:
 *                              "ok <sent> <refused>"
 *   rthdr-tcp ADDR HOP PORT    a non-blocking TCP connect to [ADDR]:PORT on
 *                              a socket given an IPv6 segment routing
 *                              header whose first segment is HOP (the
 *                              packets go to HOP first): the setsockopt's
 *                              line, and when it worked the connect's
 *                              (EINPROGRESS is "ok")
 *   rthdr0 ADDR HOP PORT HOW   a datagram from fd 0 (IPv6) to [ADDR]:PORT
 *                              with that routing header, HOW "sockopt" (a
 *                              setsockopt, then when it worked sendto),
 *                              "pktopts" (the RFC 2292 sticky options
 *                              carrying it, then the same) or "cmsg" (a
 *                              sendmsg carrying it): a line each
 *   retopts0 ADDR HOP PORT     a datagram from fd 0 (IPv4) to ADDR:PORT by
 *                              sendmsg with IP_RETOPTS, a loose source
 *                              route through HOP
 *   race-dup2 PATH N           N connects of one fd number to the unix
 *                              socket PATH while a thread swaps a TCP
 *                              socket and a unix socket onto that number:
 *                              "ok <connected> <refused>"
 *   held-swap ADDR PORT B KIND a blocking TCP connect to ADDR:PORT (whose
 *                              handshake waits) while a thread, 300 ms
 *                              later, rewrites the address to B (an IPv4
 *                              literal, or a unix socket path for KIND
 *                              unix) and dup2()s onto the fd a new socket
 *                              of KIND (tcp, udp0: a dup of fd 0, unix):
 *                              what the connect returned
 *   again A B PORT             a non-blocking TCP connect to A:PORT (whose
 *                              handshake waits), then a second connect of
 *                              the same socket to B:PORT: two lines
 *                              (EINPROGRESS is "ok")
 *   hold N ADDR PORT           N threads in blocking TCP connects to
 *                              ADDR:PORT (whose handshake waits); prints
 *                              "ok" once started and sleeps
 *   seq "CMD ARGS" ...         several in turn (probe_cmds.h)
 */
#include <arpa/inet.h>
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
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe_cmds.h"

#ifndef IPV6_RTHDR
#define IPV6_RTHDR 57
#endif
#ifndef IPV6_2292PKTOPTIONS
#define IPV6_2292PKTOPTIONS 6
#endif
#define SRH_TYPE 4 /* IPV6_SRCRT_TYPE_4: segment routing */

static socklen_t unix_addr(struct sockaddr_storage *ss, const char *path)
{
	struct sockaddr_un *a = (struct sockaddr_un *)ss;
	memset(ss, 0, sizeof(*ss));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

static int report(long r)
{
	if (r < 0)
		return probe_report(-1);
	printf("ok %ld\n", r);
	return 0;
}

/* ---- listen ------------------------------------------------------------------------ */

static int c_listen(int argc, char **argv)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return probe_report(-1);
	if (argc > 1) {
		struct sockaddr_storage ss;
		socklen_t len = probe_addr("127.0.0.1", (unsigned)atoi(argv[1]), &ss);
		if (bind(s, (struct sockaddr *)&ss, len) < 0)
			return probe_report(-1);
	}
	if (listen(s, 5) < 0)
		return probe_report(-1);
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	if (getsockname(s, (struct sockaddr *)&a, &l) < 0)
		return probe_report(-1);
	return report(ntohs(a.sin_port));
}

/* ---- datagrams from fd 0 ------------------------------------------------------------- */

static long send_how(int fd, const char *how, const void *buf, size_t n,
		     struct sockaddr_storage *ss, socklen_t len)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = n};
	struct msghdr mh = {.msg_name = ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
	if (!strcmp(how, "sendto"))
		return sendto(fd, buf, n, 0, (struct sockaddr *)ss, len);
	if (!strcmp(how, "sendmsg"))
		return sendmsg(fd, &mh, 0);
	if (!strcmp(how, "sendmmsg")) {
		struct mmsghdr m = {.msg_hdr = mh};
		return sendmmsg(fd, &m, 1, 0);
	}
	if (!strcmp(how, "connect"))
		return connect(fd, (struct sockaddr *)ss, len) < 0 ? -1 : send(fd, buf, n, 0);
	fprintf(stderr, "a8probe: HOW: sendto|sendmsg|sendmmsg|connect\n");
	exit(2);
}

static int c_udp0(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "udp0 ADDR PORT HOW\n"), 2;
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(argv[1], (unsigned)atoi(argv[2]), &ss);
	return probe_report(send_how(0, argv[3], "x", 1, &ss, len));
}

static int c_mmsg0(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "mmsg0 A B PORT\n"), 2;
	struct sockaddr_storage a, b;
	unsigned port = (unsigned)atoi(argv[3]);
	socklen_t la = probe_addr(argv[1], port, &a), lb = probe_addr(argv[2], port, &b);
	struct iovec ia = {"a", 1}, ib = {"b", 1};
	struct mmsghdr m[2] = {
	    {.msg_hdr = {.msg_name = &a, .msg_namelen = la, .msg_iov = &ia, .msg_iovlen = 1}},
	    {.msg_hdr = {.msg_name = &b, .msg_namelen = lb, .msg_iov = &ib, .msg_iovlen = 1}},
	};
	return report(sendmmsg(0, m, 2, 0));
}

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

static int c_race0(int argc, char **argv)
{
	if (argc < 6)
		return fprintf(stderr, "race0 A B PORT N HOW\n"), 2;
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
		long r = send_how(0, argv[5], "x", 1, &shared, len);
		if (r >= 0)
			ok++;
		else if (errno == ECONNREFUSED)
			refused++;
	}
	atomic_store(&f.stop, true);
	pthread_join(t, NULL);
	printf("ok %ld %ld\n", ok, refused);
	return 0;
}

/* ---- routing headers and source routes ------------------------------------------------ */

/* A segment routing header of two segments: the final one (ADDR, which
 * the kernel writes in segment 0 anyway) and HOP, the first the packet
 * goes to (segments_left 1). */
static size_t srh(unsigned char out[40], const char *addr, const char *hop)
{
	memset(out, 0, 40);
	out[1] = 4; /* hdrlen: (40 - 8) / 8 */
	out[2] = SRH_TYPE;
	out[3] = 1; /* segments_left */
	out[4] = 1; /* first_segment */
	if (inet_pton(AF_INET6, addr, out + 8) != 1 || inet_pton(AF_INET6, hop, out + 24) != 1) {
		fprintf(stderr, "a8probe: bad IPv6 address\n");
		exit(2);
	}
	return 40;
}

static int c_rthdr_tcp(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "rthdr-tcp ADDR HOP PORT\n"), 2;
	unsigned char h[40];
	size_t n = srh(h, argv[1], argv[2]);
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(argv[1], (unsigned)atoi(argv[3]), &ss);
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return probe_report(-1);
	if (setsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, h, (socklen_t)n) < 0)
		return probe_report(-1);
	printf("ok\n");
	int r = connect(s, (struct sockaddr *)&ss, len);
	probe_report(r < 0 && errno == EINPROGRESS ? 0 : r);
	usleep(100 * 1000); /* the SYN on its way (the test may be watching) */
	close(s);
	return 0;
}

static int c_rthdr0(int argc, char **argv)
{
	if (argc < 5)
		return fprintf(stderr, "rthdr0 ADDR HOP PORT sockopt|pktopts|cmsg\n"), 2;
	unsigned char h[40];
	size_t n = srh(h, argv[1], argv[2]);
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(argv[1], (unsigned)atoi(argv[3]), &ss);
	union {
		char b[CMSG_SPACE(40)];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {"x", 1};
	struct msghdr mh = {.msg_name = &ss,
			    .msg_namelen = len,
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_RTHDR;
	c->cmsg_len = CMSG_LEN(n);
	memcpy(CMSG_DATA(c), h, n);
	if (!strcmp(argv[4], "cmsg"))
		return probe_report(sendmsg(0, &mh, 0));
	int r = !strcmp(argv[4], "sockopt")
		    ? setsockopt(0, IPPROTO_IPV6, IPV6_RTHDR, h, (socklen_t)n)
		    : setsockopt(0, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, ctl.b, sizeof(ctl.b));
	if (r < 0)
		return probe_report(-1);
	printf("ok\n");
	return probe_report(sendto(0, "x", 1, 0, (struct sockaddr *)&ss, len));
}

static int c_retopts0(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "retopts0 ADDR HOP PORT\n"), 2;
	/* a loose source route through HOP (RFC 791): type, length,
	 * pointer, the first hop; the kernel adds the destination */
	unsigned char o[8] = {0x83, 7, 4};
	if (inet_pton(AF_INET, argv[2], o + 3) != 1)
		return fprintf(stderr, "a8probe: bad HOP\n"), 2;
	struct sockaddr_storage ss;
	socklen_t len = probe_addr(argv[1], (unsigned)atoi(argv[3]), &ss);
	union {
		char b[CMSG_SPACE(sizeof(o))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {"x", 1};
	struct msghdr mh = {.msg_name = &ss,
			    .msg_namelen = len,
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_RETOPTS;
	c->cmsg_len = CMSG_LEN(sizeof(o));
	memcpy(CMSG_DATA(c), o, sizeof(o));
	return probe_report(sendmsg(0, &mh, 0));
}

/* ---- fds swapped under a call ------------------------------------------------------------ */

struct swap {
	int num, a, b;
	atomic_bool stop;
};

static void *swapper(void *arg)
{
	struct swap *s = arg;
	while (!atomic_load(&s->stop)) {
		dup2(s->a, s->num);
		dup2(s->b, s->num);
	}
	return NULL;
}

static int c_race_dup2(int argc, char **argv)
{
	if (argc < 3)
		return fprintf(stderr, "race-dup2 PATH N\n"), 2;
	struct sockaddr_storage ss;
	socklen_t len = unix_addr(&ss, argv[1]);
	struct swap s = {.num = 100};
	long n = atol(argv[2]), ok = 0, refused = 0;
	pthread_t t;
	bool running = false;
	for (long i = 0; i < n; i++) {
		if (running) {
			atomic_store(&s.stop, true);
			pthread_join(t, NULL);
			close(s.a);
			close(s.b);
		}
		/* fresh sockets each time: a connected one cannot connect again */
		s.a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		s.b = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		atomic_store(&s.stop, false);
		pthread_create(&t, NULL, swapper, &s);
		running = true;
		if (connect(s.num, (struct sockaddr *)&ss, len) == 0)
			ok++;
		else
			refused++;
	}
	if (running) {
		atomic_store(&s.stop, true);
		pthread_join(t, NULL);
	}
	printf("ok %ld %ld\n", ok, refused);
	return 0;
}

struct held_swap {
	int fd;
	struct sockaddr_storage *target, b;
	const char *kind;
};

static void *held_swapper(void *arg)
{
	struct held_swap *h = arg;
	usleep(300 * 1000); /* the connect is held by then (or not: either way) */
	memcpy(h->target, &h->b, sizeof(h->b));
	int s = -1;
	if (!strcmp(h->kind, "tcp"))
		s = socket(AF_INET, SOCK_STREAM, 0);
	else if (!strcmp(h->kind, "udp0"))
		s = dup(0);
	else
		s = socket(AF_UNIX, SOCK_STREAM, 0);
	dup2(s, h->fd);
	return NULL;
}

static int c_held_swap(int argc, char **argv)
{
	if (argc < 5)
		return fprintf(stderr, "held-swap ADDR PORT B KIND\n"), 2;
	static struct sockaddr_storage shared;
	struct held_swap h = {.target = &shared, .kind = argv[4]};
	unsigned port = (unsigned)atoi(argv[2]);
	socklen_t len = probe_addr(argv[1], port, &shared);
	if (!strcmp(h.kind, "unix"))
		unix_addr(&h.b, argv[3]);
	else
		probe_addr(argv[3], port, &h.b);
	h.fd = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t t;
	pthread_create(&t, NULL, held_swapper, &h);
	int r = connect(h.fd, (struct sockaddr *)&shared, len);
	pthread_join(t, NULL);
	return probe_report(r);
}

static int c_again(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "again A B PORT\n"), 2;
	struct sockaddr_storage a, b;
	unsigned port = (unsigned)atoi(argv[3]);
	socklen_t la = probe_addr(argv[1], port, &a), lb = probe_addr(argv[2], port, &b);
	int s = socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int r = connect(s, (struct sockaddr *)&a, la);
	probe_report(r < 0 && errno == EINPROGRESS ? 0 : r);
	probe_report(connect(s, (struct sockaddr *)&b, lb));
	close(s);
	return 0;
}

struct holder {
	struct sockaddr_storage ss;
	socklen_t len;
};

static void *holder(void *arg)
{
	struct holder *h = arg;
	int s = socket(h->ss.ss_family, SOCK_STREAM, 0);
	connect(s, (struct sockaddr *)&h->ss, h->len);
	pause();
	return NULL;
}

static int c_hold(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "hold N ADDR PORT\n"), 2;
	static struct holder h;
	h.len = probe_addr(argv[2], (unsigned)atoi(argv[3]), &h.ss);
	long n = atol(argv[1]);
	for (long i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, holder, &h) != 0)
			return probe_report(-1);
	}
	printf("ok\n");
	fflush(stdout);
	for (;;)
		pause();
}

static const struct probe_cmd cmds[] = {
    {"listen", c_listen},     {"udp0", c_udp0},		  {"mmsg0", c_mmsg0},
    {"race0", c_race0},	      {"rthdr-tcp", c_rthdr_tcp}, {"rthdr0", c_rthdr0},
    {"retopts0", c_retopts0}, {"race-dup2", c_race_dup2}, {"held-swap", c_held_swap},
    {"again", c_again},	      {"hold", c_hold},
};

int main(int argc, char **argv)
{
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "a8probe", argc, argv);
}
