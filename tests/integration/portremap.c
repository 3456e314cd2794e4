/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portremap.c - port_remap: each sandbox its own TCP port space.  Two
 * sandboxes serve on 6379 at once, the host reaches each through the
 * real port sandlock_handle_port_mappings gives; inside, getsockname and
 * /proc/net/tcp show the virtual port; the bind list still holds, with
 * the kernel's own answers; and the bind is attacked (the address
 * rewritten during the call, another socket dup2()'d onto the fd).
 * The probe is tests/probes/prprobe.c.
 */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define VPORT 6379

static const char *prprobe(void)
{
	return tc_path(tc_probe_dir(), "prprobe");
}

/* A policy with port_remap, binding the ports given (0-terminated). */
static sandlock_sandbox_t *remap_policy(bool remap, const uint16_t *ports)
{
	sandlock_builder_t *b = tc_builder();
	for (; *ports; ports++)
		b = sandlock_sandbox_builder_net_bind_port(b, *ports);
	return tc_build(sandlock_sandbox_builder_port_remap(b, remap));
}

/* A listener of the test's own on the any address at port (v6only for
 * AF_INET6), or -1 when the port is taken already (by someone else: as
 * good for the test, the port is busy either way). */
static int hold(int fam, uint16_t port)
{
	int one = 1, fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof(struct sockaddr_in);
	CHECK(fd >= 0);
	if (fam == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	}
	ss.ss_family = (sa_family_t)fam;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* prprobe ARGS... (NULL-terminated) started in p, threaded. */
static sandlock_handle_t *start(const sandlock_sandbox_t *p, const char *name, const char *arg0,
				...) TC_SENTINEL;
static sandlock_handle_t *start(const sandlock_sandbox_t *p, const char *name, const char *arg0,
				...)
{
	const char *argv[16] = {prprobe(), arg0};
	unsigned n = 2;
	va_list ap;
	va_start(ap, arg0);
	for (const char *a; n < 15 && (a = va_arg(ap, const char *));)
		argv[n++] = a;
	va_end(ap);
	sandlock_handle_t *h = sandlock_create(p, name, argv, n);
	if (!h || sandlock_start(h) < 0)
		th_fail(__FILE__, __LINE__, "create/start: %s", sandlock_last_error());
	return h;
}

/* The real port of vport in h's mappings, waited for (up to 10 s); 0 if
 * it never shows. */
static int wait_mapped(sandlock_handle_t *h, uint16_t vport)
{
	char key[16];
	snprintf(key, sizeof(key), "\"%u\":", vport);
	for (int i = 0; i < 1000; i++) {
		char *json = sandlock_handle_port_mappings(h);
		const char *at = json ? strstr(json, key) : NULL;
		int real = at ? atoi(at + strlen(key)) : 0;
		sandlock_string_free(json);
		if (real)
			return real;
		usleep(10 * 1000);
	}
	return 0;
}

/* Connects to the loopback address of fam at port, retrying while nobody
 * listens (up to 10 s), and returns what the server sends; our own port
 * in *local. */
static char *greeting_of(int fam, uint16_t port, int *local)
{
	struct sockaddr_storage ss = {.ss_family = (sa_family_t)fam};
	socklen_t len = sizeof(struct sockaddr_in6);
	if (fam == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	} else {
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(struct sockaddr_in);
	}
	/* sin_port and sin6_port lie at the same offset */
	((struct sockaddr_in *)&ss)->sin_port = htons(port);
	for (int i = 0; i < 1000; i++) {
		int fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(fd >= 0);
		if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
			close(fd);
			usleep(10 * 1000);
			continue;
		}
		struct sockaddr_storage me;
		socklen_t ml = sizeof(me);
		CHECK(getsockname(fd, (struct sockaddr *)&me, &ml) == 0);
		*local = ntohs(((struct sockaddr_in *)&me)->sin_port);
		char buf[128];
		size_t got = 0;
		ssize_t n;
		while (got < sizeof(buf) - 1 &&
		       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
			got += (size_t)n;
		close(fd);
		buf[got] = 0;
		return tc_fmt("%s", buf);
	}
	th_fail(__FILE__, __LINE__, "nothing listens on %u", port);
}

static char *greeting(uint16_t port, int *local)
{
	return greeting_of(AF_INET, port, local);
}

static struct tc_res finish(sandlock_handle_t *h)
{
	struct tc_res r = tc_result(sandlock_handle_wait_timeout(h, 20000));
	sandlock_handle_free(h);
	return r;
}

/* The issue's own case: both sandboxes listen on 6379 while the host
 * holds it; each is reached through its real port, and sees 6379. */
TEST(remap_two_sandboxes_serve_6379)
{
	int held = hold(AF_INET, VPORT);
	sandlock_sandbox_t *p = remap_policy(true, (const uint16_t[]){VPORT, 0});
	sandlock_handle_t *a = start(p, "sb-a", "serve", "inet", "6379", "A", NULL);
	sandlock_handle_t *b = start(p, "sb-b", "serve", "inet", "6379", "B", NULL);
	int ra = wait_mapped(a, VPORT), rb = wait_mapped(b, VPORT);
	CHECK(ra > 0 && rb > 0 && ra != rb && ra != VPORT && rb != VPORT);
	char *json = sandlock_handle_port_mappings(a);
	CHECK_STR(json, tc_fmt("{\"6379\":%d}", ra));
	sandlock_string_free(json);
	int la, lb;
	char *ga = greeting((uint16_t)ra, &la), *gb = greeting((uint16_t)rb, &lb);
	/* the accepted socket's own name is virtual; its peer is the host's
	 * client, unchanged */
	CHECK_STR(ga, tc_fmt("A local=6379 peer=%d\n", la));
	CHECK_STR(gb, tc_fmt("B local=6379 peer=%d\n", lb));
	struct tc_res x = finish(a), y = finish(b);
	CHECK_STR(x.out, "port=6379\n");
	CHECK_STR(y.out, "port=6379\n");
	if (held >= 0)
		close(held);
}

/* A free port is bound as itself: nothing is remapped, the host finds it
 * where the sandbox says. */
TEST(remap_free_port_is_itself)
{
	uint16_t port = tc_free_port();
	sandlock_sandbox_t *p = remap_policy(true, (const uint16_t[]){port, 0});
	sandlock_handle_t *h = start(p, NULL, "serve", "inet6", tc_itoa(port), "T", NULL);
	int local;
	char *g = greeting_of(AF_INET6, port, &local);
	CHECK_STR(g, tc_fmt("T local=%u peer=%d\n", port, local));
	CHECK(sandlock_handle_port_mappings(h) == NULL);
	CHECK_STR(sandlock_last_error(), "");
	CHECK_STR(finish(h).out, tc_fmt("port=%u\n", port));
}

/* Without port_remap, or once the sandbox has ended: no mappings. */
TEST(remap_mappings_none)
{
	uint16_t port = tc_free_port();
	sandlock_sandbox_t *p = remap_policy(false, (const uint16_t[]){port, 0});
	sandlock_handle_t *h = start(p, NULL, "serve", "inet", tc_itoa(port), "T", NULL);
	int local;
	greeting(port, &local);
	CHECK(sandlock_handle_port_mappings(h) == NULL);
	sandlock_result_free(sandlock_handle_wait(h));
	CHECK(sandlock_handle_port_mappings(h) == NULL);
	sandlock_handle_free(h);
	CHECK(sandlock_handle_port_mappings(NULL) == NULL);
	CHECK_STR(sandlock_last_error(), "handle is NULL");
}

/* Every shape of bind answers what the kernel answers under Landlock's
 * bind rules alone: the same list, the same errors in the same order
 * (lengths, families, pointers, port 0, a port outside the list). */
TEST(remap_bind_matrix_as_landlock)
{
	uint16_t ok = tc_free_port(), bad = tc_free_port();
	const uint16_t ports[] = {ok, 0};
	char *os = tc_itoa(ok), *bs = tc_itoa(bad);
	char *kernel =
	    tc_named_in(remap_policy(false, ports), "prprobe", "bind-matrix", os, bs, NULL);
	char *ours = tc_named_in(remap_policy(true, ports), "prprobe", "bind-matrix", os, bs, NULL);
	CHECK_STR(ours, kernel);
	CHECK_CONTAINS(ours, "v4 inet D: errno=EACCES\n");
	CHECK_CONTAINS(ours, "v6 inet6 D: errno=EACCES\n");
	CHECK_CONTAINS(ours, "v4 port0: errno=EACCES\n");
	CHECK_CONTAINS(ours, "v4 inet P len 2^31-1: errno=EINVAL\n");
	CHECK_CONTAINS(ours, "v4 inet P len high bits: ok\n");
	/* and remapped (the host holds the port): the same answers */
	int held = hold(AF_INET, ok), held6 = hold(AF_INET6, ok);
	CHECK(held >= 0 && held6 >= 0);
	ours = tc_named_in(remap_policy(true, ports), "prprobe", "bind-matrix", os, bs, NULL);
	CHECK_STR(ours, kernel);
	close(held);
	close(held6);
}

/* The bind is made with the child's credentials: a privileged port (1,
 * below net.ipv4.ip_unprivileged_port_start) answers what the kernel
 * answers the child, EACCES, however privileged the supervisor is. */
TEST(remap_privileged_port_as_the_child)
{
	const uint16_t ports[] = {1, 0};
	char *bad = tc_itoa(tc_free_port());
	char *kernel =
	    tc_named_in(remap_policy(false, ports), "prprobe", "bind-matrix", "1", bad, NULL);
	char *ours =
	    tc_named_in(remap_policy(true, ports), "prprobe", "bind-matrix", "1", bad, NULL);
	CHECK_STR(ours, kernel);
	char *start = tc_read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start");
	if (start && atoi(start) > 1)
		CHECK_CONTAINS(ours, "v4 inet P: errno=EACCES\n");
}

/* A port outside the list stays closed with port_remap: EACCES, as
 * Landlock's; no list at all: none. */
TEST(remap_outside_list_eacces)
{
	uint16_t ok = tc_free_port(), other = tc_free_port();
	struct tc_res r = tc_named_run(remap_policy(true, (const uint16_t[]){ok, 0}), "prprobe",
				       "serve", "inet", tc_itoa(other), "T", NULL);
	CHECK_STR(r.out, "errno=EACCES\n");
	r = tc_named_run(remap_policy(true, (const uint16_t[]){0}), "prprobe", "serve", "inet6",
			 tc_itoa(ok), "T", NULL);
	CHECK_STR(r.out, "errno=EACCES\n");
}

/* Port 0 is the kernel's pick: only a list of every port ('*' alone)
 * holds it. */
TEST(remap_port_zero_with_star)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(
	    sandlock_sandbox_builder_port_remap(
		sandlock_sandbox_builder_net_allow_bind(tc_builder(), "*"), true),
	    &err, &msg);
	if (!p && msg && strstr(msg, "not supported yet"))
		SKIP("net_allow_bind: %s", msg);
	CHECK(p != NULL);
	char *out = tc_named_in(p, "prprobe", "bind-matrix", "0", tc_itoa(tc_free_port()), NULL);
	CHECK_CONTAINS(out, "v4 port0: ok\n");
	CHECK_CONTAINS(out, "v6 port0: ok\n");
}

/* getsockname of every shape answers as the kernel's (lengths, pointers,
 * a unix socket, no socket), the port virtual though the host holds it. */
TEST(remap_getsockname_as_kernel)
{
	uint16_t port = tc_free_port();
	char *ps = tc_itoa(port);
	/* without port_remap, the port free: the kernel's own answers */
	char *kernel = tc_named_in(remap_policy(false, (const uint16_t[]){port, 0}), "prprobe",
				   "name-matrix", ps, NULL);
	int held = hold(AF_INET, port), held6 = hold(AF_INET6, port);
	CHECK(held >= 0 && held6 >= 0);
	char *ours = tc_named_in(remap_policy(true, (const uint16_t[]){port, 0}), "prprobe",
				 "name-matrix", ps, NULL);
	CHECK_STR(ours, kernel);
	CHECK_CONTAINS(ours, tc_fmt("bound: ok len=16 fam=2 port=%u after=ee\n", port));
	CHECK_CONTAINS(ours, tc_fmt("bound v6: ok len=28 fam=10 port=%u after=ee\n", port));
	close(held);
	close(held6);
}

/* The sandbox's own virtual port space: a port it holds is busy for it
 * (EADDRINUSE, as without the remap), free again once closed. */
TEST(remap_second_bind_in_use)
{
	uint16_t port = tc_free_port();
	int held = hold(AF_INET, port);
	CHECK(held >= 0);
	char *out = tc_named_in(remap_policy(true, (const uint16_t[]){port, 0}), "prprobe", "twice",
				tc_itoa(port), NULL);
	CHECK_STR(out, "ok\nerrno=EADDRINUSE\nok\n");
	close(held);
}

/* SO_REUSEPORT shares a port between the sockets of one sandbox, never
 * with another sandbox of the same user: the second one's first bind is
 * made without it, and remapped. */
TEST(remap_reuseport_stays_inside)
{
	uint16_t port = tc_free_port();
	char *ps = tc_itoa(port), *dir = tc_mkdir("rp");
	char *fa = tc_path(dir, "a"), *fb = tc_path(dir, "b");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_port_remap(
	    sandlock_sandbox_builder_fs_write(
		sandlock_sandbox_builder_net_bind_port(tc_builder(), port), dir),
	    true));
	sandlock_handle_t *a = start(p, NULL, "reuseport", ps, fa, NULL);
	for (int i = 0; i < 3000 && !tc_exists(fa); i++) /* slow on a loaded host */
		usleep(10 * 1000);
	CHECK(tc_exists(fa));
	sandlock_handle_t *b = start(p, NULL, "reuseport", ps, fb, NULL);
	int rb = wait_mapped(b, port);
	CHECK(rb > 0 && rb != port);
	CHECK(sandlock_handle_port_mappings(a) == NULL);
	sandlock_handle_kill(a);
	sandlock_handle_kill(b);
	CHECK_STR(finish(a).out, tc_fmt("ports=%s,%s\n", ps, ps));
	CHECK_STR(finish(b).out, tc_fmt("ports=%s,%s\n", ps, ps));
}

/* /proc/net/tcp and tcp6, by every name the kernel resolves to them: the
 * header and the sandbox's own listeners, at their virtual ports; none of
 * the host's. */
TEST(remap_proc_net_tcp_virtual)
{
	uint16_t port = tc_free_port(), hostp;
	while (port > 60000)
		port = tc_free_port();
	int mine = tc_tcp_listener(&hostp);
	int held = hold(AF_INET, port), held6 = hold(AF_INET6, (uint16_t)(port + 1));
	CHECK(held >= 0);
	const uint16_t ports[] = {port, (uint16_t)(port + 1), 0};
	char *out =
	    tc_named_in(remap_policy(true, ports), "prprobe", "proc-tcp", tc_itoa(port), NULL);
	char *v4 = tc_fmt("header=yes listen=%u", port),
	     *v6 = tc_fmt("header=yes listen=%u", port + 1);
	tc_check_lines(out, (const char *const[]){tc_fmt("net/tcp: %s", v4), tc_fmt("self: %s", v4),
						  tc_fmt("thread-self: %s", v4),
						  tc_fmt("pid: %s", v4), tc_fmt("task: %s", v4),
						  tc_fmt("dirfd: %s", v4), tc_fmt("dotdot: %s", v4),
						  "openat2: errno=ENOSYS", tc_fmt("tcp6: %s", v6),
						  tc_fmt("self tcp6: %s", v6), NULL});
	/* without port_remap, the real table: the host's listener is there */
	uint16_t q = tc_free_port();
	while (q > 60000)
		q = tc_free_port();
	sandlock_sandbox_t *plain = tc_build(sandlock_sandbox_builder_fs_read(
	    sandlock_sandbox_builder_net_bind_port(
		sandlock_sandbox_builder_net_bind_port(tc_builder(), q), (uint16_t)(q + 1)),
	    "/proc"));
	out = tc_named_in(plain, "prprobe", "proc-tcp", tc_itoa(q), NULL);
	CHECK_CONTAINS(tc_line(out, 0), tc_fmt("%u", hostp));
	close(mine);
	close(held);
	if (held6 >= 0)
		close(held6);
}

/* The host's table, for a listener on port. */
static bool host_listens(uint16_t port)
{
	char *t = tc_read_file("/proc/net/tcp");
	char *want = tc_fmt(":%04X 00000000:0000 0A", port);
	return t && strstr(t, want);
}

/* A thread flips the port of the sockaddr between an allowed port and a
 * denied one while the binds run: each bind is decided and made on one
 * copy, so it lands on the allowed port (remapped) or fails EACCES;
 * never on the denied one. */
TEST(remap_attack_sockaddr_rewritten)
{
	uint16_t ok = tc_free_port(), bad = tc_free_port();
	int held = hold(AF_INET, ok);
	CHECK(held >= 0 && !host_listens(bad));
	char *dir = tc_mkdir("race"), *file = tc_path(dir, "done");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_port_remap(
	    sandlock_sandbox_builder_fs_write(
		sandlock_sandbox_builder_net_bind_port(tc_builder(), ok), dir),
	    true));
	sandlock_handle_t *h =
	    start(p, NULL, "race", tc_itoa(ok), tc_itoa(bad), "1500", file, NULL);
	for (int i = 0; i < 3000 && !tc_exists(file); i++)
		usleep(10 * 1000);
	CHECK(tc_exists(file));
	CHECK(!host_listens(bad));
	sandlock_handle_kill(h);
	struct tc_res r = finish(h);
	int n_ok = -1, n_acc = -1, n_other = -1;
	CHECK_EQ(sscanf(r.out, "ok=%d eacces=%d other=%d seen=\n", &n_ok, &n_acc, &n_other), 3);
	printf("    note: %d bound, %d refused\n", n_ok, n_acc);
	CHECK_EQ(n_ok + n_acc, 1500);
	CHECK_EQ(n_other, 0);
	CHECK(n_ok > 0);
	CHECK_CONTAINS(r.out, " seen=\n");
	close(held);
}

/* A thread dup2()s a unix socket and fresh TCP sockets onto the fd while
 * binds to a denied port run: a TCP socket seen is refused here, a unix
 * one continued to the kernel, where Landlock refuses a TCP socket
 * swapped in meanwhile.  No TCP socket ever ends on the port. */
TEST(remap_attack_dup2_swap)
{
	uint16_t ok = tc_free_port(), bad = tc_free_port();
	char *out = tc_named_in(remap_policy(true, (const uint16_t[]){ok, 0}), "prprobe",
				"dup2-race", tc_itoa(bad), "3000", NULL);
	int breach = -1, n_ok = -1, socks = -1;
	CHECK_EQ(sscanf(out, "bad=%d ok=%d sockets=%d", &breach, &n_ok, &socks), 3);
	printf("    note: %d TCP sockets swapped in\n", socks);
	CHECK_EQ(breach, 0);
	CHECK_EQ(n_ok, 0);
	CHECK(socks > 0);
}

/* The CLI's --port-remap. */
TEST(remap_cli)
{
	uint16_t port = tc_free_port();
	int held = hold(AF_INET, port);
	char *ps = tc_itoa(port), *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--net-bind", ps, "--port-remap",
			    "--", prprobe(), "twice", ps, NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "ok\nerrno=EADDRINUSE\nok\n");
	if (held >= 0)
		close(held);
}

/* Inside, a loopback connect to the virtual port reaches the sandbox's
 * own listener (on its real port), not the host's that holds the virtual
 * one: under a host:port rule (the supervisor decides) and under a :port
 * rule (Landlock's list, checked on the virtual port). */
TEST(remap_connect_inside_reaches_own_listener)
{
	int held = hold(AF_INET, VPORT);
	if (held < 0)
		SKIP("port %d is in use here", VPORT);
	char *dir = tc_mkdir("remapc");
	const char *rules[] = {"127.0.0.1:6379", ":6379"};
	for (int i = 0; i < 2; i++) {
		sandlock_builder_t *b =
		    sandlock_sandbox_builder_net_bind_port(tc_builder_sys(), VPORT);
		b = sandlock_sandbox_builder_port_remap(b, true);
		b = sandlock_sandbox_builder_net_allow(sandlock_sandbox_builder_fs_write(b, dir),
						       rules[i]);
		sandlock_sandbox_t *p = tc_build(b);
		char *out = tc_path(dir, tc_fmt("out%d", i));
		char *script = tc_fmt("%s serve inet 6379 IN 1 > %s & "
				      "while ! grep -q port= %s; do sleep 0.02; done; "
				      "%s connect 127.0.0.1 6379",
				      prprobe(), out, out, tc_path(tc_probe_dir(), "netprobe"));
		struct tc_res r = tc_run(p, NULL, "/bin/sh", "-c", script, NULL);
		CHECK_EQ(r.code, 0);
		/* the listener's answer: its accepted socket shows the virtual
		 * port; the host's holder would have answered nothing */
		CHECK_EQ(strncmp(tc_line(r.out, 0), "ok IN local=6379 peer=", 22), 0);
	}
	close(held);
}
