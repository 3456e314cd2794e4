/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netdgram.c - UDP and ICMP under the network policy: a socket of either
 * only with a rule of its protocol, each datagram's destination decided
 * on the address read once (sendto, sendmsg, sendmmsg, connect then
 * send), AF_UNSPEC taken as the kernel takes it, a thread rewriting
 * msg_name after the check.  The receivers are the test's, on loopback
 * addresses of their own.
 */
#include "common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A UDP socket bound to addr:port (0: a free port), non-blocking. */
static int receiver(const char *addr, uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(*port)};
	CHECK(inet_pton(AF_INET, addr, &sa.sin_addr) == 1);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		th_fail(__FILE__, __LINE__, "udp on %s: %s", addr, strerror(errno));
	*port = ntohs(sa.sin_port);
	return fd;
}

/* How many datagrams wait on fd (taken off). */
static int drained(int fd)
{
	char buf[64];
	int n = 0;
	while (recv(fd, buf, sizeof(buf), 0) >= 0)
		n++;
	return n;
}

static sandlock_sandbox_t *allow(const char *rule)
{
	return tc_build(sandlock_sandbox_builder_net_allow(tc_builder(), rule));
}

/* No UDP rule: no UDP socket (the 0.8.0 default); a TCP rule does not
 * open UDP. */
TEST(udp_socket_needs_a_udp_rule)
{
	uint16_t port = 0;
	int r = receiver("127.0.0.1", &port);
	sandlock_sandbox_t *p = allow(tc_fmt("127.0.0.1:%u", port));
	char *out = tc_named_in(p, "netprobe", "udp", "127.0.0.1", tc_itoa(port), "sendto", NULL);
	CHECK_LINE(out, 0, "errno=EPERM");
	CHECK_EQ(drained(r), 0);
}

/* udp://host:port: every way of sending reaches it, nothing else does
 * (another host, another port, AF_UNSPEC read as AF_INET). */
TEST(udp_allowed_destination_only)
{
	uint16_t port = 0, other = 0;
	int a = receiver("127.0.0.1", &port), o = receiver("127.0.0.1", &other);
	int b = receiver("127.0.0.2", &port);
	sandlock_sandbox_t *p = allow(tc_fmt("udp://127.0.0.1:%u", port));
	const char *ps = tc_itoa(port);
	char *out = tc_named_in(
	    p, "netprobe", "seq", tc_fmt("udp 127.0.0.1 %s sendto", ps),
	    tc_fmt("udp 127.0.0.1 %s sendmsg", ps), tc_fmt("udp 127.0.0.1 %s sendmmsg", ps),
	    tc_fmt("udp 127.0.0.1 %s connect", ps), tc_fmt("udp ::ffff:127.0.0.1 %s sendto", ps),
	    tc_fmt("udp 127.0.0.2 %s sendto", ps), tc_fmt("udp 127.0.0.2 %s sendmsg", ps),
	    tc_fmt("udp 127.0.0.2 %s sendmmsg", ps), tc_fmt("udp 127.0.0.2 %s connect", ps),
	    tc_fmt("udp ::ffff:127.0.0.2 %s sendto", ps), tc_fmt("udp 127.0.0.1 %u sendto", other),
	    tc_fmt("udp-unspec 127.0.0.2 %s", ps), tc_fmt("udp-unspec 127.0.0.1 %s", ps), NULL);
	tc_check_lines(out, (const char *const[]){"ok", "ok", "ok", "ok", "ok",
						  "errno=ECONNREFUSED", "errno=ECONNREFUSED",
						  "errno=ECONNREFUSED", "errno=ECONNREFUSED",
						  "errno=ECONNREFUSED", "errno=ECONNREFUSED",
						  "errno=ECONNREFUSED", "ok", NULL});
	CHECK_EQ(drained(a), 6);
	CHECK_EQ(drained(b), 0);
	CHECK_EQ(drained(o), 0);
}

/* A thread rewrites msg_name between an allowed and a denied host while
 * datagrams are sent: the name is read once, the denied receiver gets
 * none. */
TEST(udp_msg_name_race)
{
	uint16_t port = 0;
	int a = receiver("127.0.0.1", &port), b = receiver("127.0.0.2", &port);
	int big = 1 << 22;
	setsockopt(a, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	sandlock_sandbox_t *p = allow(tc_fmt("udp://127.0.0.1:%u", port));
	char *out = tc_named_in(p, "netprobe", "race-udp", "127.0.0.1", "127.0.0.2", tc_itoa(port),
				"400", NULL);
	long ok = 0, refused = 0;
	CHECK(sscanf(out, "ok %ld %ld", &ok, &refused) == 2);
	printf("    note: %ld sent, %ld refused\n", ok, refused);
	CHECK_EQ(ok + refused, 400);
	CHECK_EQ(drained(b), 0);
	CHECK_EQ(drained(a), (int)ok);
}

/* A deny list alone lets UDP out, but not to what it names. */
TEST(udp_deny_list)
{
	uint16_t port = 0;
	int a = receiver("127.0.0.1", &port), b = receiver("127.0.0.2", &port);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_net_deny(tc_builder(), "udp://127.0.0.2:*"));
	const char *ps = tc_itoa(port);
	char *out = tc_named_in(p, "netprobe", "seq", tc_fmt("udp 127.0.0.1 %s sendto", ps),
				tc_fmt("udp 127.0.0.2 %s sendto", ps), NULL);
	tc_check_lines(out, (const char *const[]){"ok", "errno=ECONNREFUSED", NULL});
	CHECK_EQ(drained(a), 1);
	CHECK_EQ(drained(b), 0);
}

/* ICMP: a ping socket only with an icmp:// rule (without one the filter
 * refuses it: EPERM; with one the kernel decides, by
 * net.ipv4.ping_group_range), and echoes only to the rule's hosts. */
TEST(icmp_needs_an_icmp_rule)
{
	sandlock_sandbox_t *p = allow("udp://127.0.0.1:53");
	CHECK_LINE(tc_named_in(p, "netprobe", "ping", "127.0.0.1", NULL), 0, "errno=EPERM");
	p = allow("icmp://127.0.0.1");
	char *out = tc_named_in(p, "netprobe", "seq", "ping 127.0.0.1", "ping 127.0.0.2", NULL);
	char *probe = tc_path(tc_probe_dir(), "netprobe");
	char *bare = NULL, *err = NULL;
	char *const argv[] = {probe, "ping", "127.0.0.1", NULL};
	CHECK_EQ(th_run(argv, NULL, &bare, &err), 0);
	if (strcmp(bare, "ok\n") != 0) {
		/* ping sockets are refused to this group here (EACCES): the
		 * filter let the socket call through to the kernel */
		tc_check_lines(out, (const char *const[]){"errno=EACCES", "errno=EACCES", NULL});
		SKIP("ping sockets are not allowed to this user here (net.ipv4.ping_group_range): "
		     "only the filter's part was checked");
	}
	tc_check_lines(out, (const char *const[]){"ok", "errno=ECONNREFUSED", NULL});
}
