/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netpolicy.c - net_allow / net_deny on TCP connects: host:port, CIDR and
 * port-only rules, the deny list, names resolved before the start and
 * pinned in /etc/hosts, v4-mapped destinations, a blocking connect that
 * must wait, and a thread rewriting the address after the check.  The
 * servers are the test's, on loopback addresses of their own (the whole
 * of 127.0.0.0/8 is local), so the tests run unprivileged too.
 */
#include "common.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A TCP server on addr (a port of its own) that answers each connection
 * with "hi <addr>\n" and counts them; or, with backlog_full, one whose
 * accept queue stays full until release. */
struct srv {
	int fd;
	uint16_t port;
	const char *addr;
	atomic_int accepted;
	pthread_t t;
};

static void *serve(void *arg)
{
	struct srv *s = arg;
	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		atomic_fetch_add(&s->accepted, 1);
		char line[64];
		int n = snprintf(line, sizeof(line), "hi %s\n", s->addr);
		if (write(c, line, (size_t)n) < 0) {
			/* the client may be gone */
		}
		close(c);
	}
}

/* A listener on addr (IPv4 or IPv6 text):port; skips when IPv6 is off. */
static int listen_on(const char *addr, uint16_t port, int backlog, uint16_t *bound)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(port)};
	bool v6 = strchr(addr, ':') != NULL;
	CHECK(v6 ? inet_pton(AF_INET6, addr, &s6.sin6_addr) == 1
		 : inet_pton(AF_INET, addr, &s4.sin_addr) == 1);
	struct sockaddr *sa = v6 ? (struct sockaddr *)&s6 : (struct sockaddr *)&s4;
	socklen_t len = v6 ? sizeof(s6) : sizeof(s4);
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0 && v6)
		SKIP("no IPv6 on this host");
	CHECK(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, sa, len) < 0 && v6 && errno == EADDRNOTAVAIL)
		SKIP("no %s on this host", addr);
	if (listen(fd, backlog) < 0 || getsockname(fd, sa, &len) < 0)
		th_fail(__FILE__, __LINE__, "listen on %s:%u: %s", addr, port, strerror(errno));
	*bound = ntohs(v6 ? s6.sin6_port : s4.sin_port);
	return fd;
}

/* A server on addr:port (0: any free port). */
static struct srv *srv_start(const char *addr, uint16_t port)
{
	struct srv *s = calloc(1, sizeof(*s));
	s->addr = addr;
	s->fd = listen_on(addr, port, 64, &s->port);
	CHECK(pthread_create(&s->t, NULL, serve, s) == 0);
	return s;
}

static int srv_count(struct srv *s)
{
	return atomic_load(&s->accepted);
}

/* The count once it reaches n, or after 10 s: a connect completes when
 * the kernel queues the connection, before the server's thread takes
 * it. */
static int srv_count_reaching(struct srv *s, int n)
{
	for (int i = 0; i < 1000 && srv_count(s) < n; i++)
		usleep(10000);
	return srv_count(s);
}

static const char *P(uint16_t port)
{
	return tc_itoa(port);
}

static sandlock_sandbox_t *allow(const char *rule)
{
	return tc_build(sandlock_sandbox_builder_net_allow(tc_builder(), rule));
}

/* net_allow host:port: that port of that host, nothing else; the
 * supervisor refuses the rest with ECONNREFUSED. */
TEST(net_allow_host_port)
{
	struct srv *a = srv_start("127.0.0.1", 0);
	struct srv *b = srv_start("127.0.0.2", a->port);
	struct srv *other = srv_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = allow(tc_fmt("127.0.0.1:%u", a->port));
	char *out = tc_named_in(
	    p, "netprobe", "seq", tc_fmt("connect 127.0.0.1 %u", a->port),
	    tc_fmt("connect 127.0.0.1 %u nb", a->port), tc_fmt("connect 127.0.0.1 %u", other->port),
	    tc_fmt("connect 127.0.0.2 %u", b->port), tc_fmt("connect ::ffff:127.0.0.2 %u", b->port),
	    tc_fmt("connect ::ffff:127.0.0.1 %u", a->port), NULL);
	tc_check_lines(out, (const char *const[]){"ok hi 127.0.0.1", "ok hi 127.0.0.1",
						  "errno=ECONNREFUSED", "errno=ECONNREFUSED",
						  "errno=ECONNREFUSED", "ok hi 127.0.0.1", NULL});
	CHECK_EQ(srv_count(other), 0);
	CHECK_EQ(srv_count(b), 0);
}

/* A CIDR range matches by containment. */
TEST(net_allow_cidr)
{
	struct srv *a = srv_start("127.0.0.1", 0);
	struct srv *b = srv_start("127.0.0.3", a->port);
	sandlock_sandbox_t *p = allow(tc_fmt("127.0.0.0/31:%u", a->port));
	char *out = tc_named_in(p, "netprobe", "seq", tc_fmt("connect 127.0.0.1 %u", a->port),
				tc_fmt("connect 127.0.0.3 %u", b->port), NULL);
	tc_check_lines(out, (const char *const[]){"ok hi 127.0.0.1", "errno=ECONNREFUSED", NULL});
	CHECK_EQ(srv_count(b), 0);
}

/* A ":port" rule is Landlock's alone: any host on that port, and the
 * kernel's own refusal (EACCES) for another port. */
TEST(net_allow_port_only_is_landlock)
{
	struct srv *a = srv_start("127.0.0.1", 0);
	struct srv *b = srv_start("127.0.0.2", a->port);
	struct srv *other = srv_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = allow(tc_fmt(":%u", a->port));
	char *out = tc_named_in(p, "netprobe", "seq", tc_fmt("connect 127.0.0.1 %u", a->port),
				tc_fmt("connect 127.0.0.2 %u", b->port),
				tc_fmt("connect 127.0.0.1 %u", other->port), NULL);
	tc_check_lines(
	    out, (const char *const[]){"ok hi 127.0.0.1", "ok hi 127.0.0.2", "errno=EACCES", NULL});
	CHECK_EQ(srv_count(other), 0);
}

/* net_deny alone: everything but the listed; with both lists, an allow
 * rule must match and no deny rule. */
TEST(net_deny_lists)
{
	struct srv *a = srv_start("127.0.0.1", 0);
	struct srv *b = srv_start("127.0.0.2", a->port);
	struct srv *c = srv_start("127.0.0.1", 0);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_net_deny(tc_builder(), "127.0.0.2:*"));
	char *out = tc_named_in(p, "netprobe", "seq", tc_fmt("connect 127.0.0.1 %u", a->port),
				tc_fmt("connect 127.0.0.1 %u", c->port),
				tc_fmt("connect 127.0.0.2 %u", b->port), NULL);
	tc_check_lines(out, (const char *const[]){"ok hi 127.0.0.1", "ok hi 127.0.0.1",
						  "errno=ECONNREFUSED", NULL});
	sandlock_builder_t *bb = sandlock_sandbox_builder_net_allow(tc_builder(), "127.0.0.0/8:*");
	p = tc_build(sandlock_sandbox_builder_net_deny(bb, tc_fmt(":%u", c->port)));
	out = tc_named_in(p, "netprobe", "seq", tc_fmt("connect 127.0.0.2 %u", b->port),
			  tc_fmt("connect 127.0.0.1 %u", c->port), NULL);
	tc_check_lines(out, (const char *const[]){"ok hi 127.0.0.2", "errno=ECONNREFUSED", NULL});
	CHECK_EQ(srv_count(c), 1); /* the deny-list run's only */
}

/* A host name is resolved once, before the start, and pinned: the
 * sandbox's /etc/hosts names it, and the connect reaches its address. */
TEST(net_allow_hostname_pinned)
{
	struct srv *a = srv_start("127.0.0.1", 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), "/etc");
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_net_allow(b, tc_fmt("localhost:%u", a->port)));
	char *out = tc_named_in(p, "netprobe", "connect", "127.0.0.1", P(a->port), NULL);
	CHECK_LINE(out, 0, "ok hi 127.0.0.1");
	const char *argv[] = {"/usr/bin/getent", "ahostsv4", "localhost", NULL};
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
	CHECK(strstr(r.out, "127.0.0.1") != NULL);
	const char *cat[] = {"/bin/cat", "/etc/hosts", NULL};
	r = tc_runv(p, "box", cat);
	CHECK_EQ(r.code, 0);
	CHECK(strstr(r.out, "127.0.1.1 box\n127.0.0.1 localhost\n") != NULL);
}

/* A name that does not resolve fails the start, naming it. */
TEST(net_allow_unresolvable_name_fails)
{
	sandlock_sandbox_t *p = allow("no-such-host.invalid:443");
	const char *argv[] = {tc_probe(), "exit", "0"};
	sandlock_result_t *r = sandlock_run(p, NULL, argv, 3);
	CHECK(r == NULL);
	const char *msg = sandlock_last_error();
	CHECK(msg &&
	      strstr(msg, "net_allow: host 'no-such-host.invalid' does not resolve") != NULL);
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--net-allow",
			    "no-such-host.invalid:443", "--", tc_probe(), "exit", "0", NULL);
	CHECK_EQ(rc, 1);
	CHECK(strstr(err, "host 'no-such-host.invalid' does not resolve") != NULL);
}

/* A thread rewrites the address between an allowed and a denied host
 * while connects are made: the address is read once, and the denied
 * server never sees a connection. */
TEST(net_allow_connect_race)
{
	struct srv *a = srv_start("127.0.0.1", 0);
	struct srv *b = srv_start("127.0.0.2", a->port);
	sandlock_sandbox_t *p = allow(tc_fmt("127.0.0.1:%u", a->port));
	char *out = tc_named_in(p, "netprobe", "race-connect", "127.0.0.1", "127.0.0.2", P(a->port),
				"400", NULL);
	long ok = 0, refused = 0;
	CHECK(sscanf(out, "ok %ld %ld", &ok, &refused) == 2);
	printf("    note: %ld connected, %ld refused\n", ok, refused);
	CHECK_EQ(ok + refused, 400);
	CHECK_EQ(srv_count_reaching(a, (int)ok), (int)ok);
	CHECK_EQ(srv_count(b), 0);
}

/* A blocking connect whose handshake waits (the server's accept queue is
 * full, so the kernel drops the SYN and retries): held, not answered
 * early, and completed once the queue has room. */
TEST(net_allow_blocking_connect_waits)
{
	uint16_t port;
	int lfd = listen_on("127.0.0.1", 0, 0, &port);
	/* fill the queue: a backlog of 0 holds one connection */
	int fill = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(fill, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	sandlock_sandbox_t *p = allow(tc_fmt("127.0.0.1:%u", port));
	pid_t kid = fork();
	CHECK(kid >= 0);
	if (kid == 0) {
		/* drain the queue a while after the sandboxed connect began:
		 * the filler's connection, then the sandbox's */
		usleep(300 * 1000);
		int c = accept(lfd, NULL, NULL);
		if (c >= 0)
			close(c);
		c = accept(lfd, NULL, NULL);
		if (c < 0 || write(c, "late\n", 5) < 0)
			_exit(1);
		_exit(0);
	}
	char *out = tc_named_in(p, "netprobe", "connect", "127.0.0.1", P(port), NULL);
	CHECK_LINE(out, 0, "ok late");
	int st;
	waitpid(kid, &st, 0);
	close(fill);
	close(lfd);
}

/* The CLI takes the lists. */
TEST(cli_net_allow_and_deny)
{
	struct srv *a = srv_start("127.0.0.1", 0);
	struct srv *b = srv_start("127.0.0.2", a->port);
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(
	    &out, &err, "-r", tc_probe_dir(), "--net-allow", tc_fmt("127.0.0.1:%u", a->port), "--",
	    tc_path(tc_probe_dir(), "netprobe"), "seq", tc_fmt("connect 127.0.0.1 %u", a->port),
	    tc_fmt("connect 127.0.0.2 %u", b->port), NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d: %s", rc, err);
	CHECK_STR(out, "ok hi 127.0.0.1\nerrno=ECONNREFUSED\n");
	rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--net-deny", "127.0.0.2:*", "--",
			tc_path(tc_probe_dir(), "netprobe"), "seq",
			tc_fmt("connect 127.0.0.1 %u", a->port),
			tc_fmt("connect 127.0.0.2 %u", b->port), NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d: %s", rc, err);
	CHECK_STR(out, "ok hi 127.0.0.1\nerrno=ECONNREFUSED\n");
	CHECK_EQ(srv_count(b), 0);
}

/* Bind lists are Landlock's bind rules: net_allow_bind ranges, and
 * net_deny_bind taking ports out of them. */
TEST(net_allow_bind_ranges)
{
	uint16_t base = tc_free_port();
	if (base > 65000)
		base = 40000;
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_net_allow_bind(tc_builder(), tc_fmt("%u-%u", base, base + 3));
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_net_deny_bind(b, tc_fmt("%u", base + 1)));
	char *out =
	    tc_probe_in(p, "seq", tc_fmt("tcp-bind %u", base), tc_fmt("tcp-bind %u", base + 1),
			tc_fmt("tcp-bind %u", base + 4), NULL);
	tc_check_lines(out, (const char *const[]){"ok", "errno=EACCES", "errno=EACCES", NULL});
}

/* `sandlock check` with run options says which mechanism enforces what. */
TEST(cli_check_reports_network_paths)
{
	char *out = NULL, *err = NULL;
	char *const argv[] = {(char *)tc_cli(), "check",	  "--net-allow", ":80,443",
			      "--net-allow",	"localhost:8080", NULL};
	CHECK_EQ(th_run(argv, NULL, &out, &err), 0);
	CHECK_LINE(out, 0, "Network enforcement (this policy)");
	CHECK_LINE(out, 1,
		   "  tcp connect: supervisor, by address (denied: ECONNREFUSED); Landlock's outer "
		   "bound: ports 80,443,8080");
	CHECK_LINE(out, 2, "  tcp bind: none (Landlock: EACCES)");
	CHECK_LINE(out, 3, "  udp: no socket (EPERM)");
	CHECK(strstr(out, "  host localhost: 127.0.0.1 (pinned in /etc/hosts)\n") != NULL);
	char *const pure[] = {(char *)tc_cli(), "check", "--net-allow", ":80", NULL};
	CHECK_EQ(th_run(pure, NULL, &out, &err), 0);
	CHECK_LINE(out, 1, "  tcp connect: Landlock port rules: 80 (other ports: EACCES)");
}

/* IPv6: a literal and a range in brackets; the IPv4 loopback is another
 * family, not covered by [::1]. */
TEST(net_allow_ipv6)
{
	struct srv *a = srv_start("::1", 0);
	struct srv *b = srv_start("127.0.0.1", a->port);
	sandlock_sandbox_t *p = allow(tc_fmt("[::1]:%u", a->port));
	char *out = tc_named_in(p, "netprobe", "seq", tc_fmt("connect ::1 %u", a->port),
				tc_fmt("connect 127.0.0.1 %u", b->port), NULL);
	tc_check_lines(out, (const char *const[]){"ok hi ::1", "errno=ECONNREFUSED", NULL});
	p = allow(tc_fmt("[::/64]:%u", a->port));
	out = tc_named_in(p, "netprobe", "connect", "::1", P(a->port), NULL);
	CHECK_LINE(out, 0, "ok hi ::1");
	CHECK_EQ(srv_count(b), 0);
}

/* Where pidfd_getfd is refused (Docker's default profile; here a filter
 * on the test process, the supervisor's), no connect could be made for
 * the sandbox: a policy that lets connects out refuses the start, saying
 * why; the default (nothing out) still runs. */
TEST(net_rules_without_pidfd_getfd_refused)
{
	sandlock_sandbox_t *p = allow("127.0.0.1:80");
	sandlock_sandbox_t *dflt = tc_build(tc_builder());
	tc_refuse_pidfd_getfd();
	const char *argv[] = {tc_probe(), "exit", "0"};
	CHECK(sandlock_run(p, NULL, argv, 3) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "sockets: network rules: the supervisor makes the "
					      "sandbox's connects and sends itself");
	CHECK_CONTAINS(sandlock_last_error(), "pidfd_getfd is refused here");
	CHECK_STR(tc_probe_in(dflt, "exit", "0", NULL), "");
}

/* net_deny_bind alone leaves more ports than Landlock is given rules for:
 * the supervisor makes every TCP bind, checked against the list, and
 * Landlock refuses the ones the command would make itself; port 0 (the
 * kernel's pick, which could be a denied port) is refused too. */
TEST(net_deny_bind_alone)
{
	uint16_t denied = tc_free_port(), other = tc_free_port();
	if (denied == other)
		other = tc_free_port();
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_net_deny_bind(tc_builder(), tc_fmt("22,%u", denied)));
	char *out = tc_probe_in(p, "seq", tc_fmt("tcp-bind %u", denied),
				tc_fmt("tcp-bind %u", other), "tcp-bind 22", "tcp-bind 0", NULL);
	tc_check_lines(
	    out, (const char *const[]){"errno=EACCES", "ok", "errno=EACCES", "errno=EACCES", NULL});
}
