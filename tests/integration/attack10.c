/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack10.c - attacks on the HTTP ACL proxy (httpconn.c, httpproxy.c,
 * httpgate.c, httpmsg.c, httprule.c) from inside the sandbox: resets and
 * half-dead sockets that would make the proxy's level-triggered loop spin,
 * more connections than the supervisor has descriptors for, an upstream
 * reopened per request, a host named another way than the deny rule names
 * it, names the proxy would resolve for nobody's rule, and framing a
 * server reads otherwise.  The servers are the test's, on loopback; the
 * supervisor (and so the proxy's thread) runs in this process, whose CPU
 * time and heap the tests measure.  The probes are a10probe and webprobe.
 */
#include "common.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* What the test's server does with each request head it reads. */
enum a10_mode {
	A10_SILENT,	 /* reads, never answers */
	A10_CLOSE_AFTER, /* answers 200 "ok" (keep-alive), then closes */
	A10_NO_BODY,	 /* answers 200, never reads a body: what follows is a request */
	A10_H2C,	 /* a request with an Upgrade field gets 101, the rest 200 */
	A10_FOLD,	 /* methods case-insensitive: a "head" gets no body */
};

struct a10srv {
	int fd;
	uint16_t port;
	enum a10_mode mode;
	atomic_int requests;
	pthread_mutex_t lock;
	char targets[8192]; /* each request's target, space-separated */
};

static void a10_serve(struct a10srv *w, int c)
{
	static __thread char buf[1 << 16];
	size_t have = 0;
	for (;;) {
		char *end = memmem(buf, have, "\r\n\r\n", 4);
		if (!end) {
			ssize_t r = recv(c, buf + have, sizeof(buf) - have - 1, 0);
			if (r <= 0)
				return;
			have += (size_t)r;
			continue;
		}
		size_t head = (size_t)(end - buf) + 4;
		char m[32] = "", t[1024] = "";
		sscanf(buf, "%31s %1023s", m, t);
		atomic_fetch_add(&w->requests, 1);
		pthread_mutex_lock(&w->lock);
		size_t tl = strlen(w->targets);
		snprintf(w->targets + tl, sizeof(w->targets) - tl, "%s%s %s", tl ? "|" : "", m, t);
		pthread_mutex_unlock(&w->lock);
		buf[head - 2] = 0;
		bool upgrade = strcasestr(buf, "\r\nUpgrade:") != NULL;
		memmove(buf, buf + head, have - head);
		have -= head;
		if (w->mode == A10_SILENT)
			continue;
		const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
		/* an h2c server: HTTP/2 after the 101, which this one stands
		 * for by reading more requests (every one undecided) */
		if (w->mode == A10_H2C && upgrade)
			ok = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
			     "Upgrade: h2c\r\n\r\n";
		if (w->mode == A10_FOLD && strcasecmp(m, "HEAD") == 0)
			ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
		if (write(c, ok, strlen(ok)) < 0 || w->mode == A10_CLOSE_AFTER)
			return;
	}
}

struct a10arg {
	struct a10srv *w;
	int c;
};

static void *a10_conn(void *p)
{
	struct a10arg *a = p;
	a10_serve(a->w, a->c);
	close(a->c);
	free(a);
	return NULL;
}

static void *a10_accept(void *p)
{
	struct a10srv *w = p;
	for (;;) {
		int c = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			return NULL;
		struct a10arg *a = malloc(sizeof(*a));
		a->w = w;
		a->c = c;
		pthread_t t;
		if (pthread_create(&t, NULL, a10_conn, a) == 0)
			pthread_detach(t);
		else
			close(c), free(a);
	}
}

static struct a10srv *a10_start(enum a10_mode mode)
{
	struct a10srv *w = calloc(1, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	w->mode = mode;
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(s);
	w->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(w->fd >= 0);
	CHECK(bind(w->fd, (struct sockaddr *)&s, sl) == 0);
	CHECK(listen(w->fd, 256) == 0);
	CHECK(getsockname(w->fd, (struct sockaddr *)&s, &sl) == 0);
	w->port = ntohs(s.sin_port);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, a10_accept, w) == 0);
	pthread_detach(t);
	return w;
}

/* A sandbox whose HTTP ACL intercepts port, with rules "allow:RULE",
 * "deny:RULE", "net:SPEC" and "nofile:N". */
static sandlock_sandbox_t *a10_acl(uint16_t port, const char *rule, ...)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_http_port(tc_builder(), port);
	va_list ap;
	va_start(ap, rule);
	for (const char *r = rule; r; r = va_arg(ap, const char *)) {
		if (strncmp(r, "allow:", 6) == 0)
			b = sandlock_sandbox_builder_http_allow(b, r + 6);
		else if (strncmp(r, "deny:", 5) == 0)
			b = sandlock_sandbox_builder_http_deny(b, r + 5);
		else if (strncmp(r, "net:", 4) == 0)
			b = sandlock_sandbox_builder_net_allow(b, r + 4);
		else if (strncmp(r, "nofile:", 7) == 0)
			b = sandlock_sandbox_builder_max_open_files(b, (unsigned)atoi(r + 7));
	}
	va_end(ap);
	return tc_build(b);
}

/* This process's CPU time (every thread: the proxy's too), in ms. */
static long cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define A10_GET(path, host) "GET " path " HTTP/1.1\\r\\nHost: " host "\\r\\n\\r\\n"

/* A client that resets its connection while its request waits for the
 * server's answer: the socket reports EPOLLHUP|EPOLLERR whatever events
 * are asked, and a loop that neither reads it nor drops it would spin
 * until the idle timeout (two minutes of a core, per connection). */
TEST(a10_client_reset_does_not_spin)
{
	struct a10srv *w = a10_start(A10_SILENT);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/*", NULL);
	long before = cpu_ms();
	char *out = tc_named_in(p, "a10probe", "rst", "127.0.0.1", tc_itoa(w->port),
				A10_GET("/slow", "127.0.0.1"), "2000", NULL);
	long used = cpu_ms() - before;
	CHECK_STR(tc_line(out, 0), "done");
	CHECK_EQ(atomic_load(&w->requests), 1);
	if (used > 1000)
		th_fail(__FILE__, __LINE__, "%ld ms of CPU in 2.2 s: the proxy spins", used);
}

/* The same with an upgrade request, whose client the proxy stops
 * reading until the answer: the reset is never read, only reported. */
TEST(a10_client_reset_while_upgrade_waits)
{
	struct a10srv *w = a10_start(A10_SILENT);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/*", NULL);
	long before = cpu_ms();
	char *out = tc_named_in(p, "a10probe", "rst", "127.0.0.1", tc_itoa(w->port),
				"GET /ws HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: echo\\r\\n"
				"Connection: Upgrade\\r\\n\\r\\n",
				"2000", NULL);
	long used = cpu_ms() - before;
	CHECK_STR(tc_line(out, 0), "done");
	if (used > 1000)
		th_fail(__FILE__, __LINE__, "%ld ms of CPU in 2.2 s: the proxy spins", used);
}

static int fd_count(void)
{
	char *out = NULL;
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	free(out);
	return n;
}

/* More connections than the supervisor has descriptors for (each takes
 * one of the proxy's, two once a request opened its upstream): the
 * proxy must not take them all (the supervisor needs its own for every
 * call it handles), and a listener whose accept fails with EMFILE must
 * not wake the loop forever. */
TEST(a10_connection_flood_bounded)
{
	struct a10srv *w = a10_start(A10_CLOSE_AFTER);
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = 200;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/*", "nofile:1000", NULL);
	int fds = fd_count();
	long before = cpu_ms();
	char *out = tc_named_in(p, "a10probe", "hold", "127.0.0.1", tc_itoa(w->port), "600", "1500",
				"-", NULL);
	long used = cpu_ms() - before;
	/* every connect was handled: the supervisor had descriptors for it */
	int opened = -1, closed = -1;
	CHECK(sscanf(out, "opened %d closed %d", &opened, &closed) == 2);
	if (opened != 600 || closed == 0)
		th_fail(__FILE__, __LINE__, "%s: the proxy took the supervisor's descriptors", out);
	if (used > 1000)
		th_fail(__FILE__, __LINE__, "%ld ms of CPU in 1.5 s: the proxy spins (%s)", used,
			out);
	/* the supervisor still works, and kept no descriptor */
	out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port), A10_GET("/a", "127.0.0.1"),
			  NULL);
	CHECK_STR(tc_line(out, 0), "200 ok");
	CHECK(fd_count() <= fds + 1);
}

static long heap_used(void)
{
	malloc_trim(0);
	struct mallinfo2 mi = mallinfo2();
	return (long)mi.uordblks;
}

/* An upstream that closes after each response is reopened for the next
 * request of the same client connection: what the old one held is freed
 * (a leak per request, in the supervisor, is growth without bound). */
TEST(a10_upstream_reopen_does_not_leak)
{
	struct a10srv *w = a10_start(A10_CLOSE_AFTER);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/*", NULL);
	const char *port = tc_itoa(w->port);
	(void)tc_named_in(p, "a10probe", "loop", "127.0.0.1", port, "50",
			  A10_GET("/a", "127.0.0.1"), NULL);
	long base = heap_used();
	char *out = tc_named_in(p, "a10probe", "loop", "127.0.0.1", port, "3000",
				A10_GET("/a", "127.0.0.1"), NULL);
	long grew = heap_used() - base;
	int good = 0, conns = 0;
	CHECK(sscanf(out, "ok %d %d", &good, &conns) == 2);
	fprintf(stderr, "    %d answered on %d connections, heap %+ld bytes\n", good, conns, grew);
	/* a send that meets the server's close costs an iteration (more of
	 * them on a slow host: ASan's run answered 1955): at least a third */
	CHECK(good > 1000 && conns < good);
	if (grew > 32 * 1024)
		th_fail(__FILE__, __LINE__, "the heap grew by %ld bytes", grew);
}

/* A deny rule names a host; the request names the same destination
 * another way the Host check accepts (an IPv4-mapped IPv6 literal,
 * "localhost" for the loopback, the address for a name): the deny rule
 * still applies, whatever the spelling. */
TEST(a10_deny_rule_host_aliases)
{
	struct a10srv *w = a10_start(A10_CLOSE_AFTER);
	const char *port = tc_itoa(w->port);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:* */*", "deny:* 127.0.0.1/admin/*",
					"deny:* localhost/priv/*", NULL);
	const char *tricks[] = {
	    A10_GET("/admin/x", "[::ffff:127.0.0.1]"),
	    A10_GET("/admin/x", "[::ffff:7f00:1]"),
	    A10_GET("/admin/x", "localhost"),
	    A10_GET("/admin/x", "LOCALHOST"),
	    A10_GET("/priv/x", "127.0.0.1"),
	    A10_GET("/priv/x", "[::ffff:127.0.0.1]"),
	    "GET http://localhost/admin/x HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n",
	};
	for (size_t i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++) {
		char *out = tc_named_in(p, "webprobe", "127.0.0.1", port, tricks[i], NULL);
		if (strncmp(out, "403 ", 4) != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", tricks[i], out);
	}
	CHECK_EQ(atomic_load(&w->requests), 0);
	char *out =
	    tc_named_in(p, "webprobe", "127.0.0.1", port, A10_GET("/pub", "localhost"), NULL);
	CHECK_STR(tc_line(out, 0), "200 ok");
}

/* A name no rule allows is refused by the rules before the proxy asks a
 * resolver about it: the sandbox cannot make the supervisor send DNS
 * queries of its choosing (a channel out past the network policy, and a
 * wait the proxy's thread would spend for everyone). */
TEST(a10_no_resolution_for_names_no_rule_allows)
{
	struct a10srv *w = a10_start(A10_CLOSE_AFTER);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/*", NULL);
	char *out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port),
				A10_GET("/x", "secret-data.a10-exfil.invalid"), NULL);
	CHECK(strstr(out, "403 Blocked by sandlock HTTP ACL policy: no http_allow rule matches") ==
	      out);
	CHECK_EQ(atomic_load(&w->requests), 0);
}

/* A body on a GET: the proxy relays it as a body, undecided; a server
 * that ignores a GET's body (Python's http.server does, as many
 * handlers) reads it as the next request.  RFC 9110 9.3.1 lets a GET's
 * content be refused for that very reason. */
TEST(a10_get_body_is_not_a_second_request)
{
	struct a10srv *w = a10_start(A10_NO_BODY);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/ok", NULL);
	const char *port = tc_itoa(w->port);
#define SMUGGLED "GET /secret HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n"
	const char *tricks[] = {
	    "GET /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 43\\r\\n\\r\\n" SMUGGLED,
	    "HEAD /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 43\\r\\n\\r\\n" SMUGGLED,
	    "GET /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
	    "2b\\r\\n" SMUGGLED "\\r\\n0\\r\\n\\r\\n",
	};
#undef SMUGGLED
	for (size_t i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++)
		(void)tc_named_in(p, "webprobe", "127.0.0.1", port, "-p", "2", tricks[i], NULL);
	pthread_mutex_lock(&w->lock);
	bool leaked = strstr(w->targets, "/secret") != NULL;
	char seen[sizeof(w->targets)];
	snprintf(seen, sizeof(seen), "%s", w->targets);
	pthread_mutex_unlock(&w->lock);
	if (leaked)
		th_fail(__FILE__, __LINE__, "the server read a request nobody decided: %s", seen);
	/* an empty body is no body */
	char *out = tc_named_in(p, "webprobe", "127.0.0.1", port,
				"GET /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: "
				"0\\r\\n\\r\\n",
				NULL);
	CHECK_STR(tc_line(out, 0), "200 ok");
}

/* Paths servers read otherwise than the rules: Tomcat, Jetty and Spring
 * drop a segment's ";parameters" (so "..;" is ".."), some servers take
 * "\" (%5C) for "/", some decode twice (%252e is ".").  A deny rule holds under any of those
 * readings, an allow rule must hold under all. */
TEST(a10_path_parameters_and_backslashes)
{
	struct a10srv *w = a10_start(A10_CLOSE_AFTER);
	const char *port = tc_itoa(w->port);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:* */*", "deny:* 127.0.0.1/admin/*",
					"deny:GET 127.0.0.1/admin", NULL);
	const char *denied[] = {
	    A10_GET("/admin;x/y", "127.0.0.1"),	      A10_GET("/admin;/y", "127.0.0.1"),
	    A10_GET("/pub/..;/admin/y", "127.0.0.1"), A10_GET("/admin;jsessionid=1", "127.0.0.1"),
	    A10_GET("/admin%5Cy", "127.0.0.1"),	      A10_GET("/pub%5C..%5Cadmin%5Cy", "127.0.0.1"),
	};
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		char *out = tc_named_in(p, "webprobe", "127.0.0.1", port, denied[i], NULL);
		if (strncmp(out, "403 ", 4) != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", denied[i], out);
	}
	CHECK_EQ(atomic_load(&w->requests), 0);
	p = a10_acl(w->port, "allow:GET 127.0.0.1/pub/*", NULL);
	const char *outside[] = {
	    A10_GET("/pub/..;/secret", "127.0.0.1"),
	    A10_GET("/pub/..%5Csecret", "127.0.0.1"),
	    A10_GET("/pub;/../secret", "127.0.0.1"),
	    A10_GET("/pub/%252e%252e/secret", "127.0.0.1"),
	};
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		char *out = tc_named_in(p, "webprobe", "127.0.0.1", port, outside[i], NULL);
		if (strncmp(out, "403 ", 4) != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", outside[i], out);
	}
	CHECK_EQ(atomic_load(&w->requests), 0);
	char *out = tc_named_in(p, "webprobe", "127.0.0.1", port,
				A10_GET("/pub/a;v=1/b", "127.0.0.1"), NULL);
	CHECK_STR(tc_line(out, 0), "200 ok");
}

/* Held: the proxy's own ports, reached directly (the network policy
 * lets the sandbox reach every loopback port), serve nobody: a
 * connection nobody recorded is closed unread. */
TEST(a10_direct_connect_to_proxy_closed)
{
	struct a10srv *w = a10_start(A10_CLOSE_AFTER);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/ok", "net:127.0.0.1:*", NULL);
	char *out = tc_named_in(p, "a10probe", "direct", "127.0.0.1", tc_itoa(w->port),
				A10_GET("/secret", "127.0.0.1"), NULL);
	CHECK_STR(tc_line(out, 0), "proxy 0");
	CHECK_EQ(atomic_load(&w->requests), 0);
}

/* Held: more pipelined requests than the proxy keeps in flight (16), a
 * denied one among them: the ones before it answered in order, it
 * refused, nothing after it forwarded. */
TEST(a10_pipeline_beyond_fifo)
{
	struct a10srv *w = a10_start(A10_NO_BODY);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/ok", NULL);
	const char *argv[40];
	int n = 0;
	argv[n++] = tc_path(tc_probe_dir(), "webprobe");
	argv[n++] = "127.0.0.1";
	argv[n++] = tc_itoa(w->port);
	argv[n++] = "-p";
	argv[n++] = "22";
	for (int i = 0; i < 20; i++)
		argv[n++] = A10_GET("/ok", "127.0.0.1");
	argv[n++] = A10_GET("/secret", "127.0.0.1");
	argv[n++] = A10_GET("/ok", "127.0.0.1");
	argv[n] = NULL;
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
	for (int i = 0; i < 20; i++)
		CHECK_STR(tc_line(r.out, i), "200 ok");
	CHECK(strncmp(tc_line(r.out, 20), "403 ", 4) == 0);
	CHECK_EQ(atomic_load(&w->requests), 20);
}

/* Held: TLS to an intercepted port with no CA given (nothing can be
 * checked in it) is closed unanswered; so is a dual-stack socket's
 * connect to the IPv4-mapped address decided like any. */
TEST(a10_tls_without_ca_and_mapped_connect)
{
	struct a10srv *w = a10_start(A10_CLOSE_AFTER);
	const char *port = tc_itoa(w->port);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/ok", NULL);
	char *out =
	    tc_named_in(p, "webprobe", "127.0.0.1", port, "\\x16\\x03\\x01\\x00\\x05hello", NULL);
	CHECK_STR(tc_line(out, 0), "closed");
	out = tc_named_in(p, "webprobe", "::ffff:127.0.0.1", port, A10_GET("/secret", "127.0.0.1"),
			  NULL);
	CHECK(strncmp(out, "403 ", 4) == 0);
	out =
	    tc_named_in(p, "webprobe", "::ffff:127.0.0.1", port, A10_GET("/ok", "127.0.0.1"), NULL);
	CHECK_STR(tc_line(out, 0), "200 ok");
	CHECK_EQ(atomic_load(&w->requests), 1);
}

/* An upgrade to h2c: after the server's 101 the client speaks HTTP/2,
 * every request of it undecided (the proxy only relays a tunnel). */
TEST(a10_h2c_upgrade_refused)
{
	struct a10srv *w = a10_start(A10_H2C);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:GET 127.0.0.1/ok", NULL);
	const char *port = tc_itoa(w->port);
	const char *ups[] = {"h2c", "H2C", "websocket, h2c", "HTTP/2.0"};
	for (size_t i = 0; i < sizeof(ups) / sizeof(ups[0]); i++) {
		char *out = tc_named_in(
		    p, "webprobe", "127.0.0.1", port, "-t",
		    tc_fmt("GET /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: Upgrade, "
			   "HTTP2-Settings\\r\\nUpgrade: %s\\r\\nHTTP2-Settings: "
			   "AAMAAABkAAQAoAAAAAIAAAAA\\r\\n\\r\\n",
			   ups[i]),
		    A10_GET("/secret", "127.0.0.1"), NULL);
		if (strncmp(out, "101", 3) == 0)
			th_fail(__FILE__, __LINE__, "Upgrade: %s: %s", ups[i], out);
	}
	pthread_mutex_lock(&w->lock);
	bool leaked = strstr(w->targets, "/secret") != NULL;
	pthread_mutex_unlock(&w->lock);
	CHECK(!leaked);
	CHECK_EQ(atomic_load(&w->requests), 0);
}

/* Open: a server whose handler ignores a request's body (a Python
 * BaseHTTPRequestHandler whose do_POST never reads rfile, on a
 * keep-alive HTTP/1.1 connection) reads an allowed POST's body as the
 * next request, which the proxy relayed as opaque body bytes.  The
 * proxy cannot see what a server leaves unread; closing the upstream
 * after every request with a body ("Connection: close") would stop it
 * at the cost of keep-alive for every POST. */
TEST(a10_post_body_read_as_request_by_careless_server)
{
	SKIP("open: an allowed request's body is a request to a server that does not read it");
	struct a10srv *w = a10_start(A10_NO_BODY);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:POST 127.0.0.1/ok", NULL);
	(void)tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port), "-p", "2",
			  "POST /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: "
			  "44\\r\\n\\r\\nDELETE /secret HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n",
			  NULL);
	pthread_mutex_lock(&w->lock);
	bool leaked = strstr(w->targets, "/secret") != NULL;
	pthread_mutex_unlock(&w->lock);
	CHECK(!leaked);
}

/* Field names a CGI-style server (WSGI, CGI, PHP-FPM map '-' and '_' to
 * the same variable) may take for the framing or routing fields the
 * proxy decided on: refused, not forwarded. */
TEST(a10_underscore_field_names_refused)
{
	struct a10srv *w = a10_start(A10_CLOSE_AFTER);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:* 127.0.0.1/ok", NULL);
	const char *port = tc_itoa(w->port);
	const char *bad[] = {
	    "POST /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nTransfer_Encoding: chunked\\r\\n"
	    "Content-Length: 5\\r\\n\\r\\n0\\r\\n\\r\\n",
	    "POST /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent_Length: 5\\r\\n\\r\\n",
	    "POST /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\ntransfer_encoding: chunked\\r\\n\\r\\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = tc_named_in(p, "webprobe", "127.0.0.1", port, bad[i], NULL);
		if (strncmp(out, "400 ", 4) != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", bad[i], out);
	}
	CHECK_EQ(atomic_load(&w->requests), 0);
}

/* A method in another case than its own ("head"): the rules match it
 * (they ignore case), a server that folds case answers it as a HEAD,
 * without a body, and a proxy that took it for another method would
 * read the next response as that body: the responses desynchronized,
 * a 101 in a body the server echoes could open a tunnel the server
 * never opened. */
TEST(a10_method_case_variants_refused)
{
	struct a10srv *w = a10_start(A10_FOLD);
	sandlock_sandbox_t *p = a10_acl(w->port, "allow:* 127.0.0.1/ok", NULL);
	char *out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port), "-p", "2",
				"head /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n",
				A10_GET("/ok", "127.0.0.1"), NULL);
	if (strncmp(tc_line(out, 0), "400 ", 4) != 0)
		th_fail(__FILE__, __LINE__, "head forwarded: %s", out);
	out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port),
			  "Get /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n", NULL);
	CHECK(strncmp(out, "400 ", 4) == 0);
	CHECK_EQ(atomic_load(&w->requests), 0);
	/* a method of no standard name keeps its case */
	out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port),
			  "mkThing /ok HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n", NULL);
	CHECK_STR(tc_line(out, 0), "200 ok");
}
