/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nlprobe.c - the NETLINK_ROUTE view from inside
 * (tests/integration/netlink.c).  Static; each subcommand prints what
 * its line says, or "errno=ENAME" when a step fails.
 *
 *   flags                 socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) with
 *                         no flags, then with SOCK_CLOEXEC|SOCK_NONBLOCK:
 *                         "cloexec=C nonblock=N" twice, then a recv on
 *                         the second: its errno
 *   dump link|addr [FAM]  glibc's exchange: bind, getsockname, sendto the
 *                         kernel, recvmsg until NLMSG_DONE; a line per
 *                         message ("link INDEX NAME flags=HEX mtu=N",
 *                         "addr FAMILY ADDR/PREFIX INDEX"), then "done";
 *                         "bad WHAT" for a name, pid or seq that is not
 *                         what the kernel's would be
 *   sendmsg-dump          the same request by sendmsg with a name: "ok
 *                         MESSAGES"
 *   peek                  a dump request by send, then recvmsg with no
 *                         buffer and MSG_PEEK|MSG_TRUNC, then with 16
 *                         bytes: "ok FULL 16 trunc=T", then a non-blocking
 *                         recv: its errno
 *   recvfrom              sendto, then recvfrom with an address: "ok
 *                         family=F pid=P len=L"
 *   bind PID              bind with nl_pid PID, getsockname, a dump:
 *                         "ok NAME_PID MESSAGE_PID"
 *   sendto-bad            sendto another socket (nl_pid 1), a group, a
 *                         unix family, a short name: a line each
 *   connect               connect to the kernel, to pid 1, AF_UNSPEC: a
 *                         line each
 *   swap                  a unix socketpair's end dup2()ed onto the
 *                         netlink fd: getsockname's family, a sendmsg with
 *                         a netlink name, a send the real peer receives,
 *                         a recvmsg of the real peer's datagram and its
 *                         name's length: a line each
 *   forged send|sendto    malformed requests (8 bytes, nlmsg_len 4, 0,
 *                         0xffffffff, a zero-length datagram, a trailing
 *                         partial message, 4000 dump requests in one
 *                         datagram, a non-request asking an ack), then a
 *                         good one: "ok DONES ENOBUFS ACKS GOOD"
 *   noread send|sendto N  up to N dump requests without reading a reply,
 *                         non-blocking: "ok SENT EAGAIN=E", then a dump on
 *                         a new socket: "fresh MESSAGES"
 *   noread-block MS       a thread sends dump requests by sendto on a
 *                         blocking socket, never reading, until a send
 *                         blocks; after MS ms: "ok SENT" (the thread is
 *                         left blocked)
 *   many N                N sockets kept open: "ok OPENED FIRST_ERRNO",
 *                         then after closing them one more: "again ok"
 *   fork                  a socket used by a forked child: "ok MESSAGES"
 *   late                  a thread blocked in recvmsg before any request,
 *                         the request sent 200 ms later: "ok MESSAGES"
 *   ifaddrs               getifaddrs(): "NAME FAMILY ADDR" per address
 *   nameindex             if_nameindex(): "INDEX NAME" per interface
 *   sleep MS              sleeps: "ok"
 *   seq "CMD ARGS" ...    several in turn (probe_cmds.h)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

#define BUF 32768

struct dumpreq {
	struct nlmsghdr h;
	struct ifaddrmsg a; /* an rtgenmsg's family is its first byte too */
};

static int nl_open(int flags)
{
	return socket(AF_NETLINK, SOCK_RAW | flags, NETLINK_ROUTE);
}

static struct dumpreq dump_req(int type, int family, uint32_t seq)
{
	struct dumpreq r;
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = sizeof(r);
	r.h.nlmsg_type = (uint16_t)type;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.h.nlmsg_seq = seq;
	r.a.ifa_family = (unsigned char)family;
	return r;
}

static const struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

/* ---- reading replies ------------------------------------------------------------ */

struct tally {
	int msgs, dones, enobufs, acks, other_errors, bad;
};

static void print_msg(const struct nlmsghdr *h)
{
	if (h->nlmsg_type == RTM_NEWLINK) {
		const struct ifinfomsg *i = NLMSG_DATA(h);
		const char *name = "?";
		int len = (int)IFLA_PAYLOAD(h);
		unsigned mtu = 0;
		for (const struct rtattr *a = IFLA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == IFLA_IFNAME)
				name = RTA_DATA(a);
			else if (a->rta_type == IFLA_MTU)
				memcpy(&mtu, RTA_DATA(a), sizeof(mtu));
		printf("link %d %s flags=%x mtu=%u\n", i->ifi_index, name, i->ifi_flags, mtu);
	} else if (h->nlmsg_type == RTM_NEWADDR) {
		const struct ifaddrmsg *i = NLMSG_DATA(h);
		char txt[64] = "?";
		int len = (int)IFA_PAYLOAD(h);
		for (const struct rtattr *a = IFA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == IFA_ADDRESS)
				inet_ntop(i->ifa_family, RTA_DATA(a), txt, sizeof(txt));
		printf("addr %s %s/%d %u\n", i->ifa_family == AF_INET ? "inet" : "inet6", txt,
		       i->ifa_prefixlen, i->ifa_index);
	}
}

/* Walks one reply datagram: counts, checks pid and seq (seq 0: any). */
static bool walk(const char *buf, ssize_t n, uint32_t pid, uint32_t seq, bool print,
		 struct tally *t)
{
	bool done = false;
	for (const struct nlmsghdr *h = (const void *)buf; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		t->msgs++;
		if (h->nlmsg_pid != pid || (seq && h->nlmsg_seq != seq))
			t->bad++;
		if (h->nlmsg_type == NLMSG_DONE) {
			t->dones++;
			done = true;
		} else if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			*(e->error == -ENOBUFS ? &t->enobufs
			  : e->error	       ? &t->other_errors
					       : &t->acks) += 1;
		} else if (print) {
			print_msg(h);
		}
	}
	return done;
}

/* recvmsg as glibc makes it; the name must be the kernel's. */
static ssize_t recv_reply(int s, char *buf, size_t size, int flags, struct tally *t)
{
	struct sockaddr_nl from;
	memset(&from, 0xa5, sizeof(from));
	struct iovec iov = {buf, size};
	struct msghdr m = {
	    .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = recvmsg(s, &m, flags);
	if (n >= 0 && (m.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK ||
		       from.nl_pid != 0 || from.nl_groups != 0 || (m.msg_flags & MSG_TRUNC)))
		t->bad++;
	return n;
}

/* Replies until NLMSG_DONE (or an error), waiting up to 2 s for each. */
static int read_dump(int s, uint32_t pid, uint32_t seq, bool print, struct tally *t)
{
	static char buf[BUF];
	for (;;) {
		if (poll(&(struct pollfd){s, POLLIN, 0}, 1, 2000) != 1)
			return -ETIMEDOUT;
		ssize_t n = recv_reply(s, buf, sizeof(buf), 0, t);
		if (n < 0)
			return -errno;
		if (walk(buf, n, pid, seq, print, t) || t->enobufs || t->other_errors)
			return 0;
	}
}

/* socket, bind, getsockname as glibc's __netlink_open: the port id. */
static int open_bound(int *s, uint32_t *pid)
{
	struct sockaddr_nl me = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(me);
	*s = nl_open(SOCK_CLOEXEC);
	if (*s < 0 || bind(*s, (const struct sockaddr *)&me, sizeof(me)) < 0 ||
	    getsockname(*s, (struct sockaddr *)&me, &len) < 0)
		return -1;
	if (len != sizeof(me) || me.nl_family != AF_NETLINK || me.nl_pid == 0)
		printf("bad getsockname len=%u family=%u pid=%u\n", len, me.nl_family, me.nl_pid);
	*pid = me.nl_pid;
	return 0;
}

static int send_dump(int s, int type, int family, uint32_t seq)
{
	struct dumpreq r = dump_req(type, family, seq);
	return sendto(s, &r, sizeof(r), 0, (const struct sockaddr *)&kernel, sizeof(kernel)) ==
		       (ssize_t)sizeof(r)
		   ? 0
		   : -1;
}

/* ---- the subcommands ---------------------------------------------------------------- */

static void print_flags(int s)
{
	printf("cloexec=%d nonblock=%d\n", (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0,
	       (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
}

static int c_flags(int argc, char **argv)
{
	int a = nl_open(0), b = nl_open(SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (a < 0 || b < 0)
		return probe_report(-1);
	print_flags(a);
	print_flags(b);
	char c;
	return probe_report(recv(b, &c, 1, 0));
}

static int c_dump(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int type = !strcmp(argv[1], "link") ? RTM_GETLINK : RTM_GETADDR;
	int fam = argc > 2 ? (!strcmp(argv[2], "v4") ? AF_INET : AF_INET6) : AF_UNSPEC;
	int s;
	uint32_t pid;
	struct tally t = {0};
	if (open_bound(&s, &pid) < 0 || send_dump(s, type, fam, 77) < 0)
		return probe_report(-1);
	int r = read_dump(s, pid, 77, true, &t);
	if (r < 0) {
		errno = -r;
		return probe_report(-1);
	}
	if (t.bad || t.dones != 1)
		printf("bad %d dones %d\n", t.bad, t.dones);
	printf("done\n");
	return close(s);
}

static int c_sendmsg_dump(int argc, char **argv)
{
	int s;
	uint32_t pid;
	struct tally t = {0};
	struct dumpreq r = dump_req(RTM_GETADDR, AF_UNSPEC, 5);
	struct iovec iov = {&r, sizeof(r)};
	struct msghdr m = {.msg_name = (void *)&kernel,
			   .msg_namelen = sizeof(kernel),
			   .msg_iov = &iov,
			   .msg_iovlen = 1};
	if (open_bound(&s, &pid) < 0 || sendmsg(s, &m, 0) != (ssize_t)sizeof(r))
		return probe_report(-1);
	int e = read_dump(s, pid, 5, false, &t);
	if (e < 0 || t.bad) {
		printf("bad %d %d\n", e, t.bad);
		return 0;
	}
	printf("ok %d\n", t.msgs);
	return close(s);
}

static int c_peek(int argc, char **argv)
{
	int s = nl_open(0);
	struct dumpreq r = dump_req(RTM_GETLINK, AF_UNSPEC, 1);
	if (s < 0 || send(s, &r, sizeof(r), 0) < 0)
		return probe_report(-1);
	struct iovec iov = {NULL, 0};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t full = recvmsg(s, &m, MSG_PEEK | MSG_TRUNC);
	char small[16];
	iov = (struct iovec){small, sizeof(small)};
	m = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = recvmsg(s, &m, 0);
	if (full < 0 || n < 0)
		return probe_report(-1);
	printf("ok %zd %zd trunc=%d\n", full, n, (m.msg_flags & MSG_TRUNC) != 0);
	return probe_report(recv(s, small, sizeof(small), MSG_DONTWAIT));
}

static int c_recvfrom(int argc, char **argv)
{
	int s = nl_open(0);
	char buf[BUF];
	struct sockaddr_nl from;
	memset(&from, 0xa5, sizeof(from));
	socklen_t len = sizeof(from);
	if (s < 0 || send_dump(s, RTM_GETLINK, AF_UNSPEC, 3) < 0 ||
	    recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) < 0)
		return probe_report(-1);
	printf("ok family=%u pid=%u len=%u\n", from.nl_family, from.nl_pid, len);
	return close(s);
}

static int c_bind(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int s = nl_open(0);
	struct sockaddr_nl me = {.nl_family = AF_NETLINK, .nl_pid = (uint32_t)atoi(argv[1])};
	socklen_t len = sizeof(me);
	char buf[BUF];
	if (s < 0 || bind(s, (const struct sockaddr *)&me, sizeof(me)) < 0 ||
	    getsockname(s, (struct sockaddr *)&me, &len) < 0 ||
	    send_dump(s, RTM_GETLINK, AF_UNSPEC, 9) < 0 || recv(s, buf, sizeof(buf), 0) < 0)
		return probe_report(-1);
	printf("ok %u %u\n", me.nl_pid, ((struct nlmsghdr *)(void *)buf)->nlmsg_pid);
	return close(s);
}

static int c_sendto_bad(int argc, char **argv)
{
	int s = nl_open(0);
	struct dumpreq r = dump_req(RTM_GETLINK, AF_UNSPEC, 1);
	struct sockaddr_nl to[] = {{.nl_family = AF_NETLINK, .nl_pid = 1},
				   {.nl_family = AF_NETLINK, .nl_groups = 1},
				   {.nl_family = AF_UNIX}};
	for (size_t i = 0; i < 3; i++)
		probe_report(sendto(s, &r, sizeof(r), 0, (struct sockaddr *)&to[i], sizeof(to[i])));
	return probe_report(sendto(s, &r, sizeof(r), 0, (const struct sockaddr *)&kernel, 8));
}

static int c_connect(int argc, char **argv)
{
	int s = nl_open(0);
	struct sockaddr_nl other = {.nl_family = AF_NETLINK, .nl_pid = 1};
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	probe_report(connect(s, (const struct sockaddr *)&kernel, sizeof(kernel)));
	probe_report(connect(s, (const struct sockaddr *)&other, sizeof(other)));
	return probe_report(connect(s, &unspec, sizeof(unspec)));
}

static int c_swap(int argc, char **argv)
{
	int s = nl_open(0), p[2];
	if (s < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, p) < 0 || dup2(p[0], s) < 0)
		return probe_report(-1);
	struct sockaddr_storage me;
	socklen_t len = sizeof(me);
	if (getsockname(s, (struct sockaddr *)&me, &len) < 0)
		return probe_report(-1);
	printf("family %u\n", me.ss_family);
	struct dumpreq r = dump_req(RTM_GETLINK, AF_UNSPEC, 1);
	struct iovec iov = {&r, sizeof(r)};
	struct msghdr m = {.msg_name = (void *)&kernel,
			   .msg_namelen = sizeof(kernel),
			   .msg_iov = &iov,
			   .msg_iovlen = 1};
	probe_report(sendmsg(s, &m, MSG_DONTWAIT));
	char c = 0;
	probe_report(
	    send(s, "x", 1, 0) == 1 && recv(p[1], &c, 1, MSG_DONTWAIT) == 1 && c == 'x' ? 0 : -1);
	struct sockaddr_nl from;
	iov = (struct iovec){&c, 1};
	m = (struct msghdr){
	    .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
	if (send(p[1], "y", 1, 0) != 1 || recvmsg(s, &m, MSG_DONTWAIT) != 1)
		return probe_report(-1);
	printf("got %c namelen %u\n", c, m.msg_namelen);
	return 0;
}

/* The forged datagrams, each its own send. */
static size_t forge(int i, char *buf)
{
	struct nlmsghdr h = {.nlmsg_type = RTM_GETLINK,
			     .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			     .nlmsg_seq = 100 + (uint32_t)i};
	const uint32_t lens[] = {4, 0, 0xffffffffu};
	switch (i) {
	case 0:
		memset(buf, 0x41, 8);
		return 8;
	case 1:
	case 2:
	case 3:
		h.nlmsg_len = lens[i - 1];
		memcpy(buf, &h, sizeof(h));
		return sizeof(h);
	case 4:
		return 0;
	case 5: /* a whole request, then 4 bytes of another */
		h.nlmsg_len = sizeof(h);
		memcpy(buf, &h, sizeof(h));
		memset(buf + sizeof(h), 0, 4);
		return sizeof(h) + 4;
	case 6: /* 4000 dump requests: more answers than one reply holds */
		h.nlmsg_len = sizeof(h);
		for (int k = 0; k < 4000; k++)
			memcpy(buf + k * sizeof(h), &h, sizeof(h));
		return 4000 * sizeof(h);
	default: /* no NLM_F_REQUEST, an ack asked for */
		h.nlmsg_len = sizeof(h);
		h.nlmsg_flags = NLM_F_ACK;
		memcpy(buf, &h, sizeof(h));
		return sizeof(h);
	}
}

static ssize_t send_how(int s, const void *buf, size_t n, bool to)
{
	return to ? sendto(s, buf, n, 0, (const struct sockaddr *)&kernel, sizeof(kernel))
		  : send(s, buf, n, 0);
}

static int c_forged(int argc, char **argv)
{
	bool to = argc > 1 && !strcmp(argv[1], "sendto");
	int s = nl_open(0);
	static char buf[65536];
	struct tally t = {0};
	if (s < 0)
		return probe_report(-1);
	for (int i = 0; i < 8; i++)
		if (send_how(s, buf, forge(i, buf), to) < 0)
			return probe_report(-1);
	struct dumpreq good = dump_req(RTM_GETLINK, AF_UNSPEC, 999);
	if (send_how(s, &good, sizeof(good), to) < 0)
		return probe_report(-1);
	/* replies until the good one's DONE */
	int good_done = 0;
	while (!good_done && poll(&(struct pollfd){s, POLLIN, 0}, 1, 2000) == 1) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		if (n < 0)
			return probe_report(-1);
		ssize_t left = n;
		for (const struct nlmsghdr *h = (const void *)buf; NLMSG_OK(h, (size_t)left);
		     h = NLMSG_NEXT(h, left))
			good_done |= h->nlmsg_seq == 999 && h->nlmsg_type == NLMSG_DONE;
		walk(buf, n, getpid(), 0, false, &t);
	}
	printf("ok %d %d %d %d\n", t.dones, t.enobufs, t.acks, good_done);
	return close(s);
}

/* A dump on a new socket: its messages, or -errno. */
static int fresh_dump(void)
{
	int s;
	uint32_t pid;
	struct tally t = {0};
	if (open_bound(&s, &pid) < 0 || send_dump(s, RTM_GETADDR, AF_UNSPEC, 1) < 0)
		return -errno;
	int r = read_dump(s, pid, 1, false, &t);
	close(s);
	return r < 0 ? r : t.msgs;
}

static int c_noread(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	bool to = !strcmp(argv[1], "sendto");
	int n = atoi(argv[2]), s = nl_open(SOCK_NONBLOCK), sent = 0, again = 0;
	struct dumpreq r = dump_req(RTM_GETADDR, AF_UNSPEC, 1);
	for (; s >= 0 && sent < n; sent++) {
		if (send_how(s, &r, sizeof(r), to) >= 0)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return probe_report(-1);
		again = 1;
		break;
	}
	printf("ok %d EAGAIN=%d\n", sent, again);
	printf("fresh %d\n", fresh_dump());
	return 0;
}

static atomic_int block_sent;

static void *block_sender(void *p)
{
	int s = *(int *)p;
	struct dumpreq r = dump_req(RTM_GETADDR, AF_UNSPEC, 1);
	while (send_how(s, &r, sizeof(r), true) >= 0)
		block_sent++;
	return NULL;
}

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

static int c_noread_block(int argc, char **argv)
{
	static int s;
	pthread_t th;
	if (argc < 2 || (s = nl_open(0)) < 0 || pthread_create(&th, NULL, block_sender, &s) != 0)
		return probe_report(-1);
	sleep_ms(atoi(argv[1]));
	printf("ok %d\n", block_sent);
	return 0;
}

static int c_sleep(int argc, char **argv)
{
	sleep_ms(argc > 1 ? atoi(argv[1]) : 0);
	return probe_report(0);
}

static int c_many(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, *fds = calloc((size_t)n, sizeof(int)), ok = 0;
	int first = 0;
	for (int i = 0; fds && i < n; i++)
		if ((fds[i] = nl_open(SOCK_CLOEXEC)) >= 0)
			ok++;
		else if (!first)
			first = errno;
	printf("ok %d %s\n", ok, first ? probe_errname(first) : "none");
	for (int i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	int r = fresh_dump();
	printf("again %s\n", r > 0 ? "ok" : probe_errname(-r));
	return 0;
}

static int c_fork(int argc, char **argv)
{
	int s = nl_open(0), st;
	if (s < 0)
		return probe_report(-1);
	pid_t pid = fork();
	if (pid == 0) {
		struct tally t = {0};
		struct sockaddr_nl me;
		socklen_t len = sizeof(me);
		if (getsockname(s, (struct sockaddr *)&me, &len) < 0 ||
		    send_dump(s, RTM_GETLINK, AF_UNSPEC, 4) < 0 ||
		    read_dump(s, me.nl_pid, 4, false, &t) < 0 || t.bad)
			_exit(1);
		_exit(t.msgs == 2 ? 0 : 2);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return probe_report(-1);
	printf(WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok 2\n" : "bad %d\n", st);
	return 0;
}

struct late {
	int s;
	ssize_t n;
};

static void *late_recv(void *p)
{
	struct late *l = p;
	static char buf[BUF];
	struct tally t = {0};
	l->n = recv_reply(l->s, buf, sizeof(buf), 0, &t);
	return NULL;
}

static int c_late(int argc, char **argv)
{
	struct late l = {nl_open(0), -1};
	pthread_t th;
	if (l.s < 0 || pthread_create(&th, NULL, late_recv, &l) != 0)
		return probe_report(-1);
	nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
	if (send_dump(l.s, RTM_GETLINK, AF_UNSPEC, 1) < 0)
		return probe_report(-1);
	pthread_join(th, NULL);
	printf(l.n > 0 ? "ok %zd\n" : "bad %zd\n", l.n);
	return 0;
}

static int c_ifaddrs(int argc, char **argv)
{
	struct ifaddrs *all;
	if (getifaddrs(&all) < 0)
		return probe_report(-1);
	for (struct ifaddrs *i = all; i; i = i->ifa_next) {
		char txt[64] = "-";
		int f = i->ifa_addr ? i->ifa_addr->sa_family : -1;
		if (f == AF_INET)
			inet_ntop(f, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, txt,
				  sizeof(txt));
		else if (f == AF_INET6)
			inet_ntop(f, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, txt,
				  sizeof(txt));
		printf("%s %d %s\n", i->ifa_name, f, txt);
	}
	freeifaddrs(all);
	return 0;
}

static int c_nameindex(int argc, char **argv)
{
	struct if_nameindex *v = if_nameindex();
	if (!v)
		return probe_report(-1);
	for (struct if_nameindex *i = v; i->if_index; i++)
		printf("%u %s\n", i->if_index, i->if_name);
	if_freenameindex(v);
	return 0;
}

static const struct probe_cmd cmds[] = {
    {"flags", c_flags},
    {"dump", c_dump},
    {"sendmsg-dump", c_sendmsg_dump},
    {"peek", c_peek},
    {"recvfrom", c_recvfrom},
    {"bind", c_bind},
    {"sendto-bad", c_sendto_bad},
    {"connect", c_connect},
    {"swap", c_swap},
    {"forged", c_forged},
    {"noread", c_noread},
    {"noread-block", c_noread_block},
    {"many", c_many},
    {"fork", c_fork},
    {"late", c_late},
    {"ifaddrs", c_ifaddrs},
    {"nameindex", c_nameindex},
    {"sleep", c_sleep},
};

int main(int argc, char **argv)
{
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "nlprobe", argc, argv);
}
