/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.c - IPC scopes and the network: signal
 * and abstract-socket scoping, socket family/type/protocol filtering,
 * Landlock TCP connect/bind, and TCP Fast Open.
 */
#include "common.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

TEST(signal_scope)
{
	CHECK_STR(tc_probe_out("kill-parent", NULL), "ok");
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = tc_probe_in(p, "seq", "kill-parent", "kill-self", NULL);
	CHECK_LINE(out, 0, "errno=EPERM");
	CHECK_LINE(out, 1, "ok");
}

/* A listener on an abstract name, bound outside the sandbox. */
static char *abstract_listener(int *fd)
{
	char *name;
	if (asprintf(&name, "sl-test-%d-%ld", (int)getpid(), random()) < 0)
		th_fail(__FILE__, __LINE__, "oom");
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, name, strlen(name));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(*fd >= 0);
	CHECK(bind(*fd, (struct sockaddr *)&sa, len) == 0);
	CHECK(listen(*fd, 16) == 0);
	return name;
}

TEST(abstract_unix_connect_denied)
{
	int fd;
	char *name = abstract_listener(&fd);
	CHECK_STR(tc_probe_out("connect-abstract", name, NULL), "ok");
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(p, "connect-abstract", name, NULL), "errno=EPERM");
	close(fd);
}

TEST(cli_abstract_unix_connect_denied)
{
	int fd;
	char *name = abstract_listener(&fd);
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--", tc_probe(), "connect-abstract",
			    name, NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "errno=EPERM\n");
	close(fd);
}

/* Sanity: a pathname socket in a writable dir works between sandboxed
 * processes. */
TEST(pathname_unix_socket_inside)
{
	char *dir = tc_mkdir("sock");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), dir));
	CHECK_STR(tc_probe_in(p, "unix-pair", tc_path(dir, "s"), NULL), "ok");
}

/* One socket() probe command and what it must print ("!x": anything
 * but x). */
struct sock_case {
	const char *cmd, *want;
};

/* Runs the cases in one sandbox of p; prints each mismatch, returns
 * their number. */
static int socket_cases(const sandlock_sandbox_t *p, const struct sock_case *cases, size_t n)
{
	const char *argv[64];
	int k = 0;
	argv[k++] = tc_probe();
	argv[k++] = "seq";
	for (size_t i = 0; i < n && k < 63; i++)
		argv[k++] = cases[i].cmd;
	argv[k] = NULL;
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const char *got = tc_line(r.out, (int)i), *want = cases[i].want;
		bool ok = want[0] == '!' ? strcmp(got, want + 1) != 0 : strcmp(got, want) == 0;
		if (!ok) {
			printf("    %s: got %s, want %s\n", cases[i].cmd, got, want);
			bad++;
		}
	}
	return bad;
}

TEST(socket_filters)
{
	static const struct sock_case cases[] = {
	    {"socket inet raw 1", "errno=EPERM"},
	    {"socket inet6 raw 58", "errno=EPERM"},
	    {"socket inet raw 255", "errno=EPERM"},
	    {"socket inet dgram", "errno=EPERM"}, /* no UDP rule: no UDP socket */
	    {"socket inet6 dgram", "errno=EPERM"},
	    {"socket inet dgram 17", "errno=EPERM"},
	    {"socket inet dgram 1", "errno=EPERM"}, /* no ICMP rule: no ping socket */
	    {"socket inet6 dgram 58", "errno=EPERM"},
	    {"socket inet dgram 136", "errno=EPERM"}, /* UDP-Lite: never */
	    {"socket inet 526338", "errno=EPERM"},    /* DGRAM | NONBLOCK | CLOEXEC */
	    {"socket packet raw", "errno=EAFNOSUPPORT"},
	    {"socket packet dgram", "errno=EAFNOSUPPORT"},
	    {"socket netlink raw 9", "errno=EAFNOSUPPORT"},   /* NETLINK_AUDIT */
	    {"socket netlink dgram 4", "errno=EAFNOSUPPORT"}, /* NETLINK_SOCK_DIAG */
	    {"socket alg seqpacket", "errno=EAFNOSUPPORT"},
	    {"socket vsock stream", "errno=EAFNOSUPPORT"},
	    {"socket inet stream 262", "errno=EPERM"}, /* MPTCP */
	    {"socket inet6 stream 262", "errno=EPERM"},
	    {"socket inet stream 132", "errno=EPERM"}, /* SCTP */
	    {"socket inet6 stream 132", "errno=EPERM"},
	    {"socket inet stream", "ok"},
	    {"socket inet stream 6", "ok"},
	    {"socket inet6 stream", "ok"},
	    {"socket unix stream", "ok"},
	    {"socket unix dgram", "ok"},
	};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_EQ(socket_cases(p, cases, sizeof(cases) / sizeof(cases[0])), 0);
}

/* No net rules: Landlock refuses TCP connect, even to loopback. */
TEST(tcp_connect_denied)
{
	uint16_t port;
	int lfd = tc_tcp_listener(&port);
	char *ps = tc_itoa(port);
	CHECK_STR(tc_probe_out("tcp-connect", ps, NULL), "ok");
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(p, "tcp-connect", ps, NULL), "errno=EACCES");
	close(lfd);
}

TEST(tcp_bind_needs_net_bind)
{
	uint16_t port = tc_free_port(), other = tc_free_port();
	char *ps = tc_itoa(port), *os = tc_itoa(other);
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(p, "tcp-bind", ps, NULL), "errno=EACCES");
	p = tc_build(sandlock_sandbox_builder_net_bind_port(tc_builder(), port));
	char *out = tc_probe_in(p, "tcp-bind", ps, NULL);
	CHECK_STR(out, "ok");
	if (other != port)
		CHECK_STR(tc_probe_in(p, "tcp-bind", os, NULL), "errno=EACCES");
}

TEST(cli_tcp_bind_needs_net_bind)
{
	uint16_t port = tc_free_port();
	char *ps = tc_itoa(port);
	char *out = NULL, *err = NULL;
	int rc =
	    tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--", tc_probe(), "tcp-bind", ps, NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "errno=EACCES\n");
	rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--net-bind", ps, "--", tc_probe(),
			"tcp-bind", ps, NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "ok\n");
}

/* --net-bind 0 would let the command bind any ephemeral port: the build
 * refuses it and the CLI says why, before running anything. */
TEST(net_bind_port_zero_refused)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(
	    sandlock_sandbox_builder_net_bind_port(tc_builder(), 0), &err, &msg);
	CHECK(p == NULL);
	CHECK_STR(
	    msg,
	    "net_bind: port 0 is not allowed (it would let the sandbox bind an ephemeral port)");
	sandlock_string_free(msg);
	char *out = NULL, *e = NULL;
	int rc = tc_cli_run(&out, &e, "-r", tc_probe_dir(), "--net-bind", "0", "--", tc_probe(),
			    "exit", "0", NULL);
	CHECK_EQ(rc, 1);
	CHECK_STR(e, "sandlock: net_bind: port 0 is not allowed (it would let the sandbox bind an "
		     "ephemeral port)\n");
	CHECK_STR(out, "");
}

/* TCP Fast Open connects from sendto()/with TCP_FASTOPEN_CONNECT, paths
 * Landlock's connect hook does not see on this kernel: both are EPERM. */
TEST(tcp_fastopen_denied)
{
	uint16_t port;
	int lfd = tc_tcp_listener(&port);
	char *ps = tc_itoa(port);
	printf("    note: outside: tfo-sendto %s, tfo-sockopt %s\n",
	       tc_probe_out("tfo-sendto", ps, NULL), tc_probe_out("tfo-sockopt", NULL));
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(p, "tfo-sendto", ps, NULL), "errno=EPERM");
	CHECK_STR(tc_probe_in(p, "tfo-sockopt", NULL), "errno=EPERM");
	close(lfd);
}

/* Other ways into TFO: extra flags next to MSG_FASTOPEN, sendmsg(),
 * sendmmsg(), and setsockopt with the upper halves of level/optname set
 * (ints: the kernel ignores them). */
TEST(tcp_fastopen_variants_denied)
{
	uint16_t port;
	int lfd = tc_tcp_listener(&port);
	char *ps = tc_itoa(port);
	char *c_dontwait, *c_many, *c_msg, *c_mmsg;
	if (asprintf(&c_dontwait, "tfo-sendto %s 40", ps) < 0 ||
	    asprintf(&c_many, "tfo-sendto %s 4000", ps) < 0 ||
	    asprintf(&c_msg, "tfo-sendmsg %s", ps) < 0 ||
	    asprintf(&c_mmsg, "tfo-sendmmsg %s", ps) < 0)
		th_fail(__FILE__, __LINE__, "oom");
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out =
	    tc_probe_in(p, "seq", c_dontwait, c_many, c_msg, c_mmsg, "tfo-sockopt highbits", NULL);
	CHECK_LINE(out, 0, "errno=EPERM");
	CHECK_LINE(out, 1, "errno=EPERM");
	CHECK_LINE(out, 2, "errno=EPERM");
	CHECK_LINE(out, 3, "errno=EPERM");
	CHECK_LINE(out, 4, "errno=EPERM");
	close(lfd);
}

/* socket()'s arguments are ints: upper halves set must not slip past the
 * family/type/protocol filters.  The filter compares the family and the
 * protocol on all 64 bits: a family with its upper half set is none it
 * allows (EAFNOSUPPORT, though the kernel would read AF_INET), a protocol
 * so set none it allows either (EPERM). */
TEST(socket_filters_highbits)
{
	static const struct sock_case cases[] = {
	    {"socket-hb domain inet raw 1", "errno=EAFNOSUPPORT"},
	    {"socket-hb type inet raw 1", "errno=EPERM"},
	    {"socket-hb domain inet dgram 0", "errno=EAFNOSUPPORT"},
	    {"socket-hb type inet dgram 0", "errno=EPERM"},
	    {"socket-hb proto inet dgram 17", "errno=EPERM"},
	    {"socket-hb domain inet6 dgram 0", "errno=EAFNOSUPPORT"},
	    {"socket-hb domain inet stream 0", "errno=EAFNOSUPPORT"},
	    {"socket-hb domain unix stream 0", "errno=EAFNOSUPPORT"},
	    {"socket-hb domain packet raw 0", "errno=EAFNOSUPPORT"},
	    {"socket-hb domain netlink raw 9", "errno=EAFNOSUPPORT"},
	    {"socket-hb proto inet stream 262", "errno=EPERM"},
	    {"socket-hb proto inet stream 132", "errno=EPERM"},
	};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_EQ(socket_cases(p, cases, sizeof(cases) / sizeof(cases[0])), 0);
}

/* A UDP rule lets UDP sockets be made (where they may send is the
 * supervisor's decision, at connect and send), and nothing more: no ping
 * socket, no UDP-Lite, no raw socket, no value hidden in high bits. */
TEST(socket_udp_with_udp_rule)
{
	static const struct sock_case cases[] = {
	    {"socket inet dgram", "ok"},
	    {"socket inet dgram 17", "ok"},
	    {"socket inet6 dgram", "ok"},
	    {"socket inet6 dgram 17", "ok"},
	    {"socket inet 526338", "ok"}, /* DGRAM | NONBLOCK | CLOEXEC */
	    {"socket inet dgram 1", "errno=EPERM"},
	    {"socket inet6 dgram 58", "errno=EPERM"},
	    {"socket inet dgram 136", "errno=EPERM"},
	    {"socket inet raw 17", "errno=EPERM"},
	    {"socket-hb proto inet dgram 17", "errno=EPERM"},
	    {"socket-hb type inet dgram 17", "ok"}, /* the type is an int */
	};
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_net_allow(tc_builder(), "udp://127.0.0.1:53");
	sandlock_sandbox_t *p = tc_build(b);
	CHECK_EQ(socket_cases(p, cases, sizeof(cases) / sizeof(cases[0])), 0);
}

/* An ICMP rule lets ping sockets be made: IPPROTO_ICMP on AF_INET,
 * IPPROTO_ICMPV6 on AF_INET6 (the kernel may still refuse them: its
 * net.ipv4.ping_group_range, EACCES), and no UDP socket, no ICMP on the
 * other family, no raw ICMP. */
TEST(socket_ping_with_icmp_rule)
{
	static const struct sock_case cases[] = {
	    {"socket inet dgram 1", "!errno=EPERM"}, {"socket inet6 dgram 58", "!errno=EPERM"},
	    {"socket inet dgram", "errno=EPERM"},    {"socket inet6 dgram 1", "errno=EPERM"},
	    {"socket inet dgram 58", "errno=EPERM"}, {"socket inet raw 1", "errno=EPERM"},
	    {"socket inet6 raw 58", "errno=EPERM"},
	};
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_net_allow(tc_builder(), "icmp://127.0.0.1");
	sandlock_sandbox_t *p = tc_build(b);
	CHECK_EQ(socket_cases(p, cases, sizeof(cases) / sizeof(cases[0])), 0);
}

/* A deny list alone allows what it does not name: UDP and ping sockets
 * can be made. */
TEST(socket_dgram_with_deny_list)
{
	static const struct sock_case cases[] = {
	    {"socket inet dgram", "ok"},
	    {"socket inet6 dgram 17", "ok"},
	    {"socket inet dgram 1", "!errno=EPERM"},
	    {"socket inet dgram 136", "errno=EPERM"},
	    {"socket inet raw 1", "errno=EPERM"},
	};
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_net_deny(tc_builder(), "udp://10.0.0.0/8:53");
	sandlock_sandbox_t *p = tc_build(b);
	CHECK_EQ(socket_cases(p, cases, sizeof(cases) / sizeof(cases[0])), 0);
}
