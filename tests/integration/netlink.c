/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netlink.c - the NETLINK_ROUTE view (src/features/netlink.c): what
 * glibc, iproute2 and Python read through it (lo and the loopback
 * addresses only), every other netlink protocol and family refused, and
 * the view attacked: a socket swapped under its fd number, forged
 * requests, replies never read, sockets by the hundred.
 */
#include "common.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PY TC_PYTHON
#define IP "/usr/sbin/ip"

#define NL_IN(p, ...) tc_named_in((p), "nlprobe", __VA_ARGS__, NULL)

/* Every line of out starts with prefix. */
static void check_all_lines(const char *out, const char *prefix)
{
	int n = tc_nlines(out);
	CHECK(n > 0);
	for (int i = 0; i < n; i++)
		if (strncmp(tc_line(out, i), prefix, strlen(prefix)))
			th_fail(__FILE__, __LINE__, "line %d: \"%s\" (all: %s)", i, tc_line(out, i),
				out);
}

/* ---- what programs read ------------------------------------------------------------- */

/* glibc's exchange (bind, getsockname, sendto the kernel, recvmsg until
 * NLMSG_DONE): lo, its addresses by family; the name each reply comes
 * from is the kernel's, its pid and seq the request's. */
TEST(netlink_route_dumps)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = NL_IN(p, "seq", "dump link", "dump addr", "dump addr v4", "dump addr v6",
			  "sendmsg-dump");
	static const char *const want[] = {"link 1 lo flags=10049 mtu=65536",
					   "done",
					   "addr inet 127.0.0.1/8 1",
					   "addr inet 127.0.1.1/8 1",
					   "addr inet6 ::1/128 1",
					   "done",
					   "addr inet 127.0.0.1/8 1",
					   "addr inet 127.0.1.1/8 1",
					   "done",
					   "addr inet6 ::1/128 1",
					   "done",
					   "ok 4",
					   NULL};
	tc_check_lines(out, want);
}

TEST(netlink_getifaddrs_and_if_nameindex)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = NL_IN(p, "seq", "ifaddrs", "nameindex");
	static const char *const want[] = {"lo 17 -",	"lo 2 127.0.0.1", "lo 2 127.0.1.1",
					   "lo 10 ::1", "1 lo",		  NULL};
	tc_check_lines(out, want);
	CHECK_EQ(tc_nlines(out), 5);
}

TEST(netlink_ip_shows_only_lo)
{
	if (access(IP, X_OK) != 0)
		SKIP("no %s on this host", IP);
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	struct tc_res a = tc_run(p, NULL, IP, "-o", "addr", NULL);
	struct tc_res l = tc_run(p, NULL, IP, "-o", "link", NULL);
	CHECK_EQ(a.code, 0);
	CHECK_EQ(l.code, 0);
	check_all_lines(a.out, "1: lo    inet");
	CHECK_EQ(tc_nlines(a.out), 3);
	CHECK_CONTAINS(a.out, "inet 127.0.0.1/8 scope host lo");
	CHECK_CONTAINS(a.out, "inet 127.0.1.1/8 scope host lo");
	CHECK_CONTAINS(a.out, "inet6 ::1/128 scope host");
	CHECK_EQ(tc_nlines(l.out), 1);
	CHECK_CONTAINS(l.out, "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536");
	CHECK_CONTAINS(l.out, "link/loopback 00:00:00:00:00:00");
}

TEST(netlink_python_interfaces_and_addrconfig)
{
	if (access(PY, X_OK) != 0)
		SKIP("no %s on this host", PY);
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	static const char code[] =
	    "import socket\n"
	    "print(socket.if_nameindex())\n"
	    "a = socket.getaddrinfo('localhost', None, flags=socket.AI_ADDRCONFIG)\n"
	    "print(sorted(set((x[0].name, x[4][0]) for x in a)))\n"
	    "a = socket.getaddrinfo('localhost', None, socket.AF_INET, "
	    "flags=socket.AI_ADDRCONFIG)\n"
	    "print(sorted(set((x[0].name, x[4][0]) for x in a)))\n";
	struct tc_res r = tc_run(p, NULL, PY, "-c", code, NULL);
	CHECK_EQ(r.code, 0);
	CHECK_LINE(r.out, 0, "[(1, 'lo')]");
	/* IPv4 is configured (127.0.1.1 counts, 127.0.0.1 does not), IPv6
	 * not (::1 does not count): an IPv4 lookup with AI_ADDRCONFIG works */
	CHECK_LINE(r.out, 1, "[('AF_INET', '127.0.0.1')]");
	CHECK_LINE(r.out, 2, "[('AF_INET', '127.0.0.1')]");
}

/* ---- the calls around it ------------------------------------------------------------ */

/* SOCK_CLOEXEC and SOCK_NONBLOCK honoured; MSG_PEEK|MSG_TRUNC tells the
 * size of the next reply (iproute2's way), a short buffer truncates it;
 * recvfrom's name is the kernel's; an explicit port id is the socket's
 * and the replies'; other destinations refused as netlink refuses an
 * unprivileged sender; connect to the kernel or AF_UNSPEC only. */
TEST(netlink_socket_calls)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = NL_IN(p, "seq", "flags", "peek", "recvfrom", "bind 4242", "sendto-bad",
			  "connect", "fork", "late");
	static const char *const want[] = {"cloexec=0 nonblock=0",
					   "cloexec=1 nonblock=1",
					   "errno=EAGAIN",
					   "ok 136 16 trunc=1",
					   "errno=EAGAIN",
					   "ok family=16 pid=0 len=12",
					   "ok 4242 4242",
					   "errno=EPERM",
					   "errno=EPERM",
					   "errno=EINVAL",
					   "errno=EINVAL",
					   "ok",
					   "errno=EPERM",
					   "ok",
					   "ok 2",
					   "ok 136",
					   NULL};
	tc_check_lines(out, want);
}

/* Only NETLINK_ROUTE, raw or datagram; every other netlink protocol, and
 * the other families, as before; no value hidden in a register's upper
 * half (the family and protocol are compared on 64 bits, the type is an
 * int). */
TEST(netlink_other_protocols_and_families_refused)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out =
	    tc_probe_in(p, "seq", "socket netlink raw 0", "socket netlink dgram 0",
			"socket netlink raw 9", "socket netlink raw 15", "socket netlink dgram 16",
			"socket netlink raw 4", "socket netlink seqpacket 0",
			"socket netlink stream 0", "socket-hb domain netlink raw 0",
			"socket-hb proto netlink raw 0", "socket-hb type netlink raw 0",
			"socket packet raw", "socket vsock stream", "socket alg seqpacket",
			"socket inet raw 1", "socket inet6 raw 58", "socket inet stream 262", NULL);
	static const char *const want[] = {"ok",
					   "ok",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "ok",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "errno=EAFNOSUPPORT",
					   "errno=EPERM",
					   "errno=EPERM",
					   "errno=EPERM",
					   NULL};
	tc_check_lines(out, want);
}

static int h_count(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		   sandlock_action_out_t *out)
{
	(void)n;
	(void)mem;
	++*(int *)ud;
	sandlock_action_set_continue(out);
	return 0;
}

/* User handlers on recvfrom and recvmsg (every call notified then, also
 * a recvfrom without an address): the view answers its own calls first,
 * a receive without a name is the pair's own, and the handlers see the
 * calls the view continues, none of its own. */
TEST(netlink_with_user_handlers_on_receives)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	int nfrom = 0, nmsg = 0;
	sandlock_handler_registration_t r[] = {
	    {SYS_recvfrom, sandlock_handler_new(h_count, &nfrom, NULL, 0)},
	    {SYS_recvmsg, sandlock_handler_new(h_count, &nmsg, NULL, 0)},
	};
	const char *argv[] = {th_build("tests/probes/nlprobe"), "seq", "peek", "recvfrom",
			      "dump link"};
	struct tc_res res = tc_result(sandlock_run_with_handlers(p, NULL, argv, 5, r, 2));
	CHECK_EQ(res.code, 0);
	static const char *const want[] = {"ok 136 16 trunc=1",
					   "errno=EAGAIN",
					   "ok family=16 pid=0 len=12",
					   "link 1 lo flags=10049 mtu=65536",
					   "done",
					   NULL};
	tc_check_lines(res.out, want);
	CHECK(nfrom >= 1); /* peek's recv without an address, continued */
	printf("    note: the handlers saw recvfrom %d, recvmsg %d\n", nfrom, nmsg);
}

/* ---- attacks ----------------------------------------------------------------------- */

/* A real unix socket dup2()ed onto the netlink socket's number is not
 * ours: its name is a unix one, a send with a netlink name is the
 * kernel's EINVAL, a plain send reaches its real peer and a receive reads
 * the real peer's datagram with the kernel's (empty) name.  Nothing is
 * decided by the fd number. */
TEST(netlink_attack_socket_swapped_under_the_fd)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	static const char *const want[] = {"family 1", "errno=EINVAL", "ok", "got y namelen 0",
					   NULL};
	tc_check_lines(NL_IN(p, "swap"), want);
}

/* Forged requests, by plain send (through the pair) and by sendto (read
 * by the supervisor): a datagram shorter than a header, nlmsg_len 4, 0
 * and 0xffffffff, an empty datagram, a request with a partial one after
 * it, 4000 dump requests in one datagram (60 answered, then ENOBUFS),
 * an ack asked without NLM_F_REQUEST; a good request after them is
 * answered.  Twice in one sandbox: the supervisor is still there. */
TEST(netlink_attack_forged_requests)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = NL_IN(p, "seq", "forged send", "forged sendto", "dump link");
	static const char *const want[] = {"ok 61 1 1 1", "ok 61 1 1 1",
					   "link 1 lo flags=10049 mtu=65536", "done", NULL};
	tc_check_lines(out, want);
}

static long cpu_ms_self(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000L +
	       (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000L;
}

/* A child that never reads its replies: the supervisor stops reading its
 * requests once its replies fill the pair (a non-blocking send then
 * fails EAGAIN, by send or by sendto; a blocking sendto is held), keeps
 * nothing of them, and serves a new socket meanwhile.  Idle while the
 * child waits: the supervisor runs in this process. */
TEST(netlink_attack_replies_never_read)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	long before = cpu_ms_self();
	char *out = NL_IN(p, "seq", "noread send 100000", "noread sendto 100000",
			  "noread-block 1000", "sleep 500");
	long cpu = cpu_ms_self() - before;
	int sent[3] = {-1, -1, -1}, again[2] = {0, 0};
	CHECK(sscanf(tc_line(out, 0), "ok %d EAGAIN=%d", &sent[0], &again[0]) == 2);
	CHECK_LINE(out, 1, "fresh 4");
	CHECK(sscanf(tc_line(out, 2), "ok %d EAGAIN=%d", &sent[1], &again[1]) == 2);
	CHECK_LINE(out, 3, "fresh 4");
	CHECK(sscanf(tc_line(out, 4), "ok %d", &sent[2]) == 1);
	CHECK_LINE(out, 5, "ok");
	for (int i = 0; i < 3; i++)
		CHECK(sent[i] > 0 && sent[i] < 10000);
	CHECK(again[0] && again[1]);
	printf("    note: sent before the stop %d, %d, %d; supervisor CPU %ld ms\n", sent[0],
	       sent[1], sent[2], cpu);
	CHECK(cpu < 400);
}

/* A process holds at most 64 of them at once (the fd numbers they are
 * given, 896-959), a sandbox 128 (one fd each in the supervisor): then
 * no view (EAFNOSUPPORT, glibc's fallback); closed ones are freed, so a
 * new one works again. */
TEST(netlink_attack_sockets_by_the_hundred)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = NL_IN(p, "seq", "many 300", "many 300");
	static const char *const want[] = {"ok 64 EAFNOSUPPORT", "again ok", "ok 64 EAFNOSUPPORT",
					   "again ok", NULL};
	tc_check_lines(out, want);
}

/* The view's sockets get the numbers 896-959, so that only calls on those
 * are notified; a process whose RLIMIT_NOFILE does not reach them gets no
 * view, and glibc's lookups still work (it assumes both families). */
TEST(netlink_slots_and_low_nofile)
{
	if (access(PY, X_OK) != 0)
		SKIP("no %s on this host", PY);
	static const char code[] =
	    "import socket\n"
	    "s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)\n"
	    "print(896 <= s.fileno() < 960)\n";
	struct tc_res r = tc_run(tc_build(tc_builder_sys()), NULL, PY, "-c", code, NULL);
	CHECK_EQ(r.code, 0);
	CHECK_LINE(r.out, 0, "True");
	static const char low[] =
	    "import socket\n"
	    "try:\n"
	    "    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)\n"
	    "except OSError as e:\n"
	    "    print(e.errno == 97)\n"
	    "a = socket.getaddrinfo('localhost', None, socket.AF_INET, "
	    "flags=socket.AI_ADDRCONFIG)\n"
	    "print(a[0][4][0])\n";
	sandlock_builder_t *b = sandlock_sandbox_builder_max_open_files(tc_builder_sys(), 256);
	r = tc_run(tc_build(b), NULL, PY, "-c", low, NULL);
	CHECK_EQ(r.code, 0);
	CHECK_LINE(r.out, 0, "True");
	CHECK_LINE(r.out, 1, "127.0.0.1");
}

/* ---- where pidfd_getfd is refused ---------------------------------------------------- */

/* Docker's default seccomp profile refuses pidfd_getfd without
 * CAP_SYS_PTRACE (here a filter on the test process, the supervisor's):
 * no later call could tell the view's sockets from others, so there is
 * no view: EAFNOSUPPORT, as for every netlink socket.  glibc then falls
 * back (getaddrinfo assumes both families). */
TEST(netlink_without_pidfd_getfd)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	tc_refuse_pidfd_getfd();
	char *out = tc_probe_in(p, "seq", "socket netlink raw 0", "socket netlink dgram 0",
				"socket unix stream", NULL);
	static const char *const want[] = {"errno=EAFNOSUPPORT", "errno=EAFNOSUPPORT", "ok", NULL};
	tc_check_lines(out, want);
	CHECK_LINE(NL_IN(p, "ifaddrs"), 0, "errno=EAFNOSUPPORT");
}
