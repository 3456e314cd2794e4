/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack8.c - attacks on the network policy (net_allow, net_deny, the
 * bind lists) as unixsock.c enforces it: the addresses the kernel takes
 * for another (0.0.0.0 and :: are the loopback), routing headers and
 * source routes that send a packet elsewhere first, a listen that binds
 * a port no rule gave, a socket swapped under a connect, sendmmsg with a
 * denied message among allowed ones, races on the address, connects held
 * while their handshake waits, and where pidfd_getfd is refused.  The
 * servers are the test's, on loopback (the whole of 127.0.0.0/8 is
 * local), so the tests run unprivileged too; a datagram socket, which the
 * sandbox cannot make, is handed to it as its stdin.  The probe is
 * tests/probes/a8probe.c (and netprobe.c's "connect").
 */
#include "common.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The probe's stdout (the test fails unless it exited 0). */
#define A8_IN(p, ...)  tc_named_in((p), "a8probe", __VA_ARGS__, NULL)
#define NET_IN(p, ...) tc_named_in((p), "netprobe", __VA_ARGS__, NULL)
/* Its first line. */
#define A8_LINE(p, ...) tc_line(A8_IN(p, __VA_ARGS__), 0)

static socklen_t sockaddr_of(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return sizeof(*in);
	}
	CHECK(inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	return sizeof(*in6);
}

/* A socket of type bound to addr:port (0: a free port, returned in
 * *bound), non-blocking; a stream one listening with backlog. */
static int bound(int type, const char *addr, uint16_t port, int backlog, uint16_t *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, port, &ss);
	int fd = socket(ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	CHECK(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, backlog) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		th_fail(__FILE__, __LINE__, "bind %s:%u: %s", addr, port, strerror(errno));
	if (out)
		*out = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						     : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* A TCP server taking (and counting) connections while the test runs. */
static struct tc_drain *tcp_srv(const char *addr, uint16_t port, uint16_t *out)
{
	struct tc_drain *d = calloc(1, sizeof(*d));
	CHECK(d != NULL);
	tc_drain_start(d, bound(SOCK_STREAM, addr, port, 64, out), false);
	return d;
}

/* Datagrams queued on s (taken). */
static int dgrams(int s)
{
	char buf[64];
	int n = 0;
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/* A datagram socket of family af as the sandbox's stdin (the test is its
 * own process: nothing else needs fd 0). */
static void udp_stdin(int af)
{
	int s = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	CHECK(dup2(s, 0) == 0);
	close(s);
}

/* A listener on 127.0.0.1 whose accept queue is full (a backlog of 0
 * holds one connection, which the filler makes): the kernel drops the
 * SYNs of any further connect, whose handshake then waits. */
static uint16_t blackhole(void)
{
	uint16_t port;
	bound(SOCK_STREAM, "127.0.0.1", 0, 0, &port);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of("127.0.0.1", port, &ss);
	int fill = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(connect(fill, (struct sockaddr *)&ss, len) == 0);
	return port;
}

static sandlock_sandbox_t *with(const char *allow, const char *deny)
{
	sandlock_builder_t *b = tc_builder();
	if (allow)
		b = sandlock_sandbox_builder_net_allow(b, allow);
	if (deny)
		b = sandlock_sandbox_builder_net_deny(b, deny);
	return tc_build(b);
}

/* ---- addresses the kernel takes for another ----------------------------------------- */

/* connect(0.0.0.0) reaches the loopback (the kernel routes an unspecified
 * destination to the source address, 127.0.0.1 when there is none), as
 * does :: (tcp_v6_connect makes it ::1) and ::ffff:0.0.0.0: a deny of
 * 127.0.0.1 and ::1 let every one of them through to the denied server.
 * They are decided, and made, as the loopback. */
TEST(net_attack_unspecified_address_is_the_loopback)
{
	uint16_t port;
	struct tc_drain *v4 = tcp_srv("127.0.0.1", 0, &port);
	struct tc_drain *v6 = tcp_srv("::1", port, NULL);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_net_deny(
	    sandlock_sandbox_builder_net_deny(tc_builder(), "127.0.0.1:*"), "[::1]:*"));
	char *out = NET_IN(p, "seq", tc_fmt("connect 0.0.0.0 %u", port),
			   tc_fmt("connect ::ffff:0.0.0.0 %u", port), tc_fmt("connect :: %u", port),
			   tc_fmt("connect 127.0.0.1 %u", port), tc_fmt("connect ::1 %u", port));
	tc_check_lines(out, (const char *const[]){"errno=ECONNREFUSED", "errno=ECONNREFUSED",
						  "errno=ECONNREFUSED", "errno=ECONNREFUSED",
						  "errno=ECONNREFUSED", NULL});
	usleep(20000);
	CHECK_EQ(atomic_load(&v4->n), 0);
	/* allowed, it still reaches what the kernel would have */
	p = with(tc_fmt("127.0.0.1:%u", port), NULL);
	out = NET_IN(p, "seq", tc_fmt("connect 0.0.0.0 %u", port),
		     tc_fmt("connect 10.0.0.1 %u", port));
	tc_check_lines(out, (const char *const[]){"ok ", "errno=ECONNREFUSED", NULL});
	CHECK_EQ(tc_drain_stop(v4), 1);
	CHECK_EQ(tc_drain_stop(v6), 0);
}

/* The same for a datagram, by each way to send one. */
TEST(net_attack_unspecified_address_udp)
{
	uint16_t port;
	int srv = bound(SOCK_DGRAM, "127.0.0.1", 0, 0, &port);
	sandlock_sandbox_t *p = with(NULL, "udp://127.0.0.1:*");
	static const char *const how[] = {"sendto", "sendmsg", "sendmmsg", "connect"};
	for (size_t i = 0; i < 4; i++) {
		udp_stdin(AF_INET);
		char *out = A8_LINE(p, "udp0", "0.0.0.0", tc_itoa(port), how[i]);
		if (strcmp(out, "errno=ECONNREFUSED") != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", how[i], out);
	}
	CHECK_EQ(dgrams(srv), 0);
}

/* ---- packets routed through another host -------------------------------------------- */

/* Counts the IPv6 packets with a routing header (next header 43) that
 * leave on lo from now, as root (an AF_PACKET socket); -1 otherwise. */
static int rh_watch(void)
{
	int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IPV6));
	if (s < 0)
		return -1;
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_IPV6),
				 .sll_ifindex = (int)if_nametoindex("lo")};
	CHECK(bind(s, (struct sockaddr *)&ll, sizeof(ll)) == 0);
	return s;
}

static int rh_count(int s)
{
	if (s < 0)
		return 0;
	unsigned char pkt[256];
	int n = 0;
	ssize_t r;
	while ((r = recv(s, pkt, sizeof(pkt), MSG_DONTWAIT)) >= 0)
		if (r > 40 && pkt[6] == 43)
			n++;
	close(s);
	return n;
}

/* An IPv6 segment routing header (setsockopt IPV6_RTHDR, which the
 * kernel takes from anyone) sends the packets to its first segment, then
 * on: a connect decided on an allowed address went to ::1, which no rule
 * allows.  Refused (EPERM), as is the header in a message and in the
 * RFC 2292 sticky options, and IPv4's source route (IP_OPTIONS,
 * IP_RETOPTS: the kernel here refuses it without CAP_NET_RAW). */
TEST(net_attack_routing_header)
{
	uint16_t port;
	int srv = bound(SOCK_DGRAM, "127.0.0.1", 0, 0, &port);
	int watch = rh_watch();
	char *got[4];
	sandlock_sandbox_t *p = with(tc_fmt("[2001:db8::99]:%u", port), NULL);
	got[0] = A8_LINE(p, "rthdr-tcp", "2001:db8::99", "::1", tc_itoa(port));
	p = with(tc_fmt("udp://[2001:db8::99]:%u", port), NULL);
	static const char *const how[] = {"sockopt", "pktopts", "cmsg"};
	for (size_t i = 0; i < 3; i++) {
		udp_stdin(AF_INET6);
		got[i + 1] = A8_LINE(p, "rthdr0", "2001:db8::99", "::1", tc_itoa(port), how[i]);
	}
	/* as root: what left for ::1 */
	CHECK_EQ(rh_count(watch), 0);
	CHECK_STR(got[0], "errno=EPERM");
	for (size_t i = 0; i < 3; i++)
		if (strcmp(got[i + 1], "errno=EPERM") != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", how[i], got[i + 1]);
	p = with(tc_fmt("udp://127.0.0.2:%u", port), NULL);
	udp_stdin(AF_INET);
	CHECK_STR(A8_LINE(p, "retopts0", "127.0.0.2", "127.0.0.1", tc_itoa(port)), "errno=EPERM");
	CHECK_EQ(dgrams(srv), 0);
}

/* ---- a listen that binds ------------------------------------------------------------------ */

/* listen() on an unbound TCP socket binds an ephemeral port itself,
 * which Landlock does not check (it sees bind and connect only): a
 * sandbox allowed no bind listened on every address and took connections
 * from anywhere.  Refused (EACCES, Landlock's answer to the bind) unless
 * the bind rules give port 0; a socket bound by a rule listens. */
TEST(net_attack_listen_binds_no_port)
{
	uint16_t port = tc_free_port();
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(A8_LINE(p, "listen"), "errno=EACCES");
	p = tc_build(sandlock_sandbox_builder_net_allow_bind(tc_builder(), tc_itoa(port)));
	char *out = A8_IN(p, "seq", "listen", tc_fmt("listen %u", port));
	tc_check_lines(out, (const char *const[]){"errno=EACCES", tc_fmt("ok %u", port), NULL});
	p = tc_build(sandlock_sandbox_builder_net_allow_bind(tc_builder(), "*"));
	CHECK(strncmp(A8_LINE(p, "listen"), "ok ", 3) == 0);
}

/* ---- sockets swapped under a call ------------------------------------------------------- */

/* With the net-tcp protection disabled (and no network policy) a TCP
 * connect was continued after the supervisor saw a TCP socket: a thread
 * swapping a unix socket onto the fd number meanwhile had the kernel
 * connect that one, to a socket file outside the writable trees.  Made
 * on our duplicate instead, as every other connect. */
TEST(net_attack_swap_unix_socket_under_continued_connect)
{
	char *dir = tc_mkdir("ro");
	char *path = tc_path(dir, "s");
	struct tc_drain d;
	tc_drain_start(&d, tc_unix_server(path, SOCK_STREAM), false);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), dir);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_disable(b, SANDLOCK_PROTECTION_NET_TCP));
	long ok = -1, refused = -1;
	CHECK(sscanf(A8_IN(p, "race-dup2", path, "2000"), "ok %ld %ld", &ok, &refused) == 2);
	CHECK_EQ(ok, 0);
	CHECK_EQ(refused, 2000);
	CHECK_EQ(tc_drain_stop(&d), 0);
}

/* A connect held while its handshake waits, its fd swapped meanwhile for
 * a new TCP socket, a datagram socket or a unix socket, and its address
 * rewritten to a denied host (or a socket file outside the writable
 * trees): offered again, the new socket's call is made afresh and
 * decided on the address as it is then.  Nothing reaches the denied. */
TEST(net_attack_swap_under_held_connect)
{
	uint16_t port = blackhole();
	struct tc_drain *b = tcp_srv("127.0.0.2", port, NULL);
	int u = bound(SOCK_DGRAM, "127.0.0.2", port, 0, NULL);
	char *dir = tc_mkdir("ro");
	char *path = tc_path(dir, "s");
	struct tc_drain us;
	tc_drain_start(&us, tc_unix_server(path, SOCK_STREAM), false);
	sandlock_builder_t *bb = sandlock_sandbox_builder_fs_read(tc_builder(), dir);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_net_allow(bb, tc_fmt("127.0.0.1:%u", port)));
	udp_stdin(AF_INET);
	char *out = A8_IN(p, "seq", tc_fmt("held-swap 127.0.0.1 %u 127.0.0.2 tcp", port),
			  tc_fmt("held-swap 127.0.0.1 %u 127.0.0.2 udp0", port),
			  tc_fmt("held-swap 127.0.0.1 %u %s unix", port, path));
	tc_check_lines(out, (const char *const[]){"errno=ECONNREFUSED", "errno=ECONNREFUSED",
						  "errno=EACCES", NULL});
	CHECK_EQ(tc_drain_stop(b), 0);
	CHECK_EQ(tc_drain_stop(&us), 0);
	CHECK_EQ(dgrams(u), 0);
}

/* A second connect of a socket whose first one is under way: decided as
 * any (a denied address refused), an allowed one gets the kernel's
 * EALREADY. */
TEST(net_attack_connect_while_connecting)
{
	uint16_t port = blackhole();
	struct tc_drain *b = tcp_srv("127.0.0.2", port, NULL);
	sandlock_sandbox_t *p = with(tc_fmt("127.0.0.1:%u", port), NULL);
	char *out = A8_IN(p, "seq", tc_fmt("again 127.0.0.1 127.0.0.2 %u", port),
			  tc_fmt("again 127.0.0.1 127.0.0.1 %u", port));
	tc_check_lines(
	    out, (const char *const[]){"ok", "errno=ECONNREFUSED", "ok", "errno=EALREADY", NULL});
	CHECK_EQ(tc_drain_stop(b), 0);
}

/* ---- datagrams ------------------------------------------------------------------------- */

/* sendmmsg of an allowed and a denied message: the first is sent, the
 * second refused (the count is 1, as the kernel's for a later failure);
 * and a thread rewriting the address while datagrams go out never gets
 * one to the denied host, by sendto, sendmsg or sendmmsg. */
TEST(net_attack_datagrams_mixed_and_raced)
{
	uint16_t port;
	int a = bound(SOCK_DGRAM, "127.0.0.1", 0, 0, &port);
	int b = bound(SOCK_DGRAM, "127.0.0.2", port, 0, NULL);
	sandlock_sandbox_t *p = with(tc_fmt("udp://127.0.0.1:%u", port), NULL);
	udp_stdin(AF_INET);
	CHECK_STR(A8_LINE(p, "mmsg0", "127.0.0.1", "127.0.0.2", tc_itoa(port)), "ok 1");
	CHECK_EQ(dgrams(a), 1);
	static const char *const how[] = {"sendto", "sendmsg", "sendmmsg"};
	for (size_t i = 0; i < 3; i++) {
		long ok = -1, refused = -1;
		/* fewer than a receive queue holds (about 256 small ones) */
		char *out =
		    A8_IN(p, "race0", "127.0.0.1", "127.0.0.2", tc_itoa(port), "100", how[i]);
		CHECK(sscanf(out, "ok %ld %ld", &ok, &refused) == 2);
		CHECK_EQ(ok + refused, 100);
		CHECK_EQ(dgrams(b), 0);
		CHECK_EQ(dgrams(a), ok);
	}
}

/* ---- held connects -------------------------------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	CHECK(d != NULL);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

/* A sandbox holding 100 connects whose handshakes wait, then killed: the
 * supervisor (a thread of this process) keeps an fd per held call, and
 * none is left once the handle is freed. */
TEST(net_attack_held_connects_leave_no_fd)
{
	uint16_t port = blackhole();
	sandlock_sandbox_t *p = with(tc_fmt("127.0.0.1:%u", port), NULL);
	int before = count_fds();
	int out = -1;
	const char *argv[] = {
	    tc_path(tc_probe_dir(), "a8probe"), "hold", "100", "127.0.0.1", tc_itoa(port), NULL};
	sandlock_handle_t *h =
	    sandlock_popen(p, NULL, argv, 5, SANDLOCK_STDIO_NULL, SANDLOCK_STDIO_PIPED,
			   SANDLOCK_STDIO_NULL, NULL, &out, NULL);
	CHECK(h != NULL);
	char buf[8] = "";
	CHECK_EQ(read(out, buf, 3), 3);
	CHECK_STR(buf, "ok\n");
	int held = 0;
	for (int i = 0; i < 1000 && held < 100; i++) {
		held = count_fds() - before;
		usleep(10000);
	}
	printf("    note: %d fds more while the connects are held\n", held);
	CHECK(held >= 100);
	CHECK_EQ(sandlock_handle_kill(h), 0);
	sandlock_result_free(sandlock_handle_wait(h));
	sandlock_handle_free(h);
	close(out);
	CHECK_EQ(count_fds(), before);
}

/* ---- where pidfd_getfd is refused ------------------------------------------------------ */

/* Docker's default seccomp profile refuses pidfd_getfd (here a filter on
 * the test process, the supervisor's): no socket can be duplicated.  A
 * policy that lets connects out, or bind rules (each listen is checked on
 * a duplicate), refuse the start; what starts refuses every inet connect
 * (EPERM: no policy, or net-tcp disabled, whose connects were once
 * continued), never continues one, and every listen that could bind. */
TEST(net_attack_without_pidfd_getfd)
{
	uint16_t port;
	struct tc_drain *a = tcp_srv("127.0.0.1", 0, &port);
	sandlock_sandbox_t *refused[] = {
	    with(tc_fmt("127.0.0.1:%u", port), NULL),
	    with(tc_fmt(":%u", port), NULL),
	    with(NULL, "127.0.0.2:*"),
	    tc_build(sandlock_sandbox_builder_disable(
		sandlock_sandbox_builder_net_allow(tc_builder(), tc_fmt("127.0.0.1:%u", port)),
		SANDLOCK_PROTECTION_NET_TCP)),
	    tc_build(sandlock_sandbox_builder_net_allow_bind(tc_builder(), tc_itoa(port))),
	};
	sandlock_sandbox_t *runs[] = {
	    tc_build(tc_builder()),
	    tc_build(sandlock_sandbox_builder_disable(tc_builder(), SANDLOCK_PROTECTION_NET_TCP)),
	};
	tc_refuse_pidfd_getfd();
	const char *argv[] = {tc_probe(), "exit", "0"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (sandlock_run(refused[i], NULL, argv, 3) != NULL)
			th_fail(__FILE__, __LINE__, "policy %zu started", i);
		CHECK_CONTAINS(sandlock_last_error(), "pidfd_getfd is refused here");
	}
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		char *out = tc_line(NET_IN(runs[i], "connect", "127.0.0.1", tc_itoa(port)), 0);
		if (strcmp(out, "errno=EPERM") != 0)
			th_fail(__FILE__, __LINE__, "policy %zu: %s", i, out);
	}
	CHECK_STR(A8_LINE(runs[0], "listen"), "errno=EPERM");
	/* net-tcp disabled: any port may be bound, nothing to check */
	CHECK(strncmp(A8_LINE(runs[1], "listen"), "ok ", 3) == 0);
	CHECK_EQ(tc_drain_stop(a), 0);
}

/* ---- a TCP send's address ------------------------------------------------------------- */

/* A send on a TCP socket is made with the address the child named, not
 * decided (the kernel ignores it without MSG_FASTOPEN, which the filter
 * refuses).  Even on a socket inherited with TCP_FASTOPEN_CONNECT (the
 * filter refuses the option inside), which connects on its first send:
 * that option only defers the connect's own handshake to the send, and a
 * send on an unconnected socket is EPIPE (SIGPIPE here), as the kernel's.
 * Nothing reaches the denied host. */
TEST(net_attack_tcp_send_address_never_connects)
{
	uint16_t port;
	struct tc_drain *b = tcp_srv("127.0.0.2", 0, &port);
	sandlock_sandbox_t *p = with(tc_fmt("127.0.0.1:%u", port), NULL);
	static const char *const how[] = {"sendto", "sendmsg", "sendmmsg"};
	for (size_t i = 0; i < 3; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
		CHECK(s >= 0);
		if (setsockopt(s, IPPROTO_TCP, 30 /* TCP_FASTOPEN_CONNECT */, &one, sizeof(one)) <
		    0)
			SKIP("no TCP_FASTOPEN_CONNECT (Linux 4.11)");
		CHECK(dup2(s, 0) == 0);
		close(s);
		struct tc_res r =
		    tc_named_run(p, "a8probe", "udp0", "127.0.0.2", tc_itoa(port), how[i], NULL);
		if (r.sig != SIGPIPE)
			th_fail(__FILE__, __LINE__, "%s: sig %d out \"%s\"", how[i], r.sig, r.out);
	}
	CHECK_EQ(tc_drain_stop(b), 0);
}
