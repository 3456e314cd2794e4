/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpacl.c - the HTTP ACL proxy: method/host/path rules on every request
 * of a connection (kept alive, pipelined, with bodies), path tricks, Host
 * spoofing, what is not HTTP, smuggling forms, upgrades.  The server is
 * the test's, on loopback (a port of its own, made an intercepted port
 * with http_port), and counts what reaches it: a denied request must
 * never arrive.  The client is webprobe (raw bytes) or curl.
 */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* An HTTP/1.1 server: answers each request with 200 and the body
 * "<METHOD> <TARGET> host=<Host> auth=<Authorization or ->\n", keeps the
 * connection; a request with "Upgrade: websocket" to /ws gets 101 and the
 * connection then echoes. */
struct web {
	int fd;
	uint16_t port;
	atomic_int requests;
	pthread_mutex_t lock;
	char last[4096]; /* the last request head */
};

static char *hdr(const char *head, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n"))
		if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
			const char *v = p + 3 + nl, *e = strstr(v, "\r\n");
			while (*v == ' ')
				v++;
			snprintf(out, cap, "%.*s", (int)(e - v), v);
			return out;
		}
	snprintf(out, cap, "-");
	return NULL;
}

/* The length of the request body at the front of b (n bytes there):
 * Content-Length, or chunked up to its last chunk; 0 for none; -1 while
 * incomplete. */
static long body_len(const char *head, const char *b, size_t n)
{
	char v[64];
	if (hdr(head, "Content-Length", v, sizeof(v))) {
		size_t want = strtoul(v, NULL, 10);
		return n >= want ? (long)want : -1;
	}
	if (!hdr(head, "Transfer-Encoding", v, sizeof(v)))
		return 0;
	const char *end = memmem(b, n, "0\r\n\r\n", 5);
	return end ? (long)(end - b) + 5 : -1;
}

static void serve_one(struct web *w, int c)
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
		char h[4096];
		snprintf(h, sizeof(h), "%.*s", (int)head, buf);
		long bl0 = body_len(h, buf + head, have - head);
		if (bl0 < 0) {
			ssize_t r = recv(c, buf + have, sizeof(buf) - have - 1, 0);
			if (r <= 0)
				return;
			have += (size_t)r;
			continue;
		}
		size_t blen = (size_t)bl0;
		atomic_fetch_add(&w->requests, 1);
		pthread_mutex_lock(&w->lock);
		snprintf(w->last, sizeof(w->last), "%s", h);
		pthread_mutex_unlock(&w->lock);
		char m[32] = "", t[1024] = "", host[256], auth[512], up[64], out[2048];
		sscanf(h, "%31s %1023s", m, t);
		hdr(h, "Host", host, sizeof(host));
		hdr(h, "Authorization", auth, sizeof(auth));
		memmove(buf, buf + head + blen, have - head - blen);
		have -= head + blen;
		if (hdr(h, "Upgrade", up, sizeof(up)) && strcmp(t, "/ws") == 0) {
			const char *sw =
			    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
			    "Connection: Upgrade\r\n\r\n";
			if (write(c, sw, strlen(sw)) < 0)
				return;
			for (;;) {
				if (have && write(c, buf, have) < 0)
					return;
				ssize_t r = recv(c, buf, sizeof(buf), 0);
				if (r <= 0)
					return;
				have = (size_t)r;
			}
		}
		char body[1600];
		int bl = snprintf(body, sizeof(body), "%s %s host=%s auth=%s\n", m, t, host, auth);
		int n = snprintf(out, sizeof(out),
				 "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", bl, body);
		if (write(c, out, (size_t)n) < 0)
			return;
	}
}

struct conn_arg {
	struct web *w;
	int c;
};

static void *conn_main(void *p)
{
	struct conn_arg *a = p;
	serve_one(a->w, a->c);
	close(a->c);
	free(a);
	return NULL;
}

static void *web_main(void *p)
{
	struct web *w = p;
	for (;;) {
		int c = accept(w->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		struct conn_arg *a = malloc(sizeof(*a));
		a->w = w;
		a->c = c;
		pthread_t t;
		if (pthread_create(&t, NULL, conn_main, a) == 0)
			pthread_detach(t);
	}
}

static struct web *web_start(const char *addr, uint16_t port)
{
	struct web *w = calloc(1, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port)};
	CHECK(inet_pton(AF_INET, addr, &s.sin_addr) == 1);
	socklen_t sl = sizeof(s);
	int one = 1;
	w->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(w->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK(bind(w->fd, (struct sockaddr *)&s, sl) == 0);
	CHECK(listen(w->fd, 64) == 0);
	CHECK(getsockname(w->fd, (struct sockaddr *)&s, &sl) == 0);
	w->port = ntohs(s.sin_port);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, web_main, w) == 0);
	pthread_detach(t);
	return w;
}

static int served(struct web *w)
{
	return atomic_load(&w->requests);
}

/* A sandbox whose HTTP ACL intercepts w's port, with rules
 * "allow:RULE" / "deny:RULE" and extra net_allow rules "net:SPEC". */
static sandlock_sandbox_t *acl(struct web *w, const char *rule, ...)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_http_port(tc_builder(), w->port);
	va_list ap;
	va_start(ap, rule);
	for (const char *r = rule; r; r = va_arg(ap, const char *)) {
		if (strncmp(r, "allow:", 6) == 0)
			b = sandlock_sandbox_builder_http_allow(b, r + 6);
		else if (strncmp(r, "deny:", 5) == 0)
			b = sandlock_sandbox_builder_http_deny(b, r + 5);
		else if (strncmp(r, "net:", 4) == 0)
			b = sandlock_sandbox_builder_net_allow(b, r + 4);
	}
	va_end(ap);
	return tc_build(b);
}

#define GET(path, host) "GET " path " HTTP/1.1\\r\\nHost: " host "\\r\\n\\r\\n"

/* Method and path: an allow rule lets its requests through, nothing else
 * reaches the server; the 403 says why. */
TEST(http_allow_method_and_path)
{
	struct web *w = web_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = acl(w, "allow:GET 127.0.0.1/ok/*", NULL);
	char *out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port),
				GET("/ok/a", "127.0.0.1"), GET("/ok/b?x=1", "127.0.0.1"), NULL);
	tc_check_lines(out, (const char *const[]){"200 GET /ok/a host=127.0.0.1 auth=-",
						  "200 GET /ok/b?x=1 host=127.0.0.1 auth=-", NULL});
	out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port), GET("/other", "127.0.0.1"),
			  NULL);
	CHECK(strstr(out, "403 Blocked by sandlock HTTP ACL policy: no http_allow rule matches GET "
			  "127.0.0.1/other") == out);
	out = tc_named_in(
	    p, "webprobe", "127.0.0.1", tc_itoa(w->port),
	    "POST /ok/a HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 0\\r\\n\\r\\n", NULL);
	CHECK(strncmp(out, "403 ", 4) == 0);
	CHECK_EQ(served(w), 2);
}

/* A deny rule wins over an allow rule, on the normalized path: dot
 * segments, percent escapes and doubled slashes do not slip past it. */
TEST(http_deny_on_normalized_paths)
{
	struct web *w = web_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = acl(w, "allow:* 127.0.0.1/*", "deny:* 127.0.0.1/admin/*",
				    "deny:GET 127.0.0.1/admin", NULL);
	const char *tricks[] = {
	    GET("/admin", "127.0.0.1"),		 GET("/admin/x", "127.0.0.1"),
	    GET("/pub/../admin/x", "127.0.0.1"), GET("/%61dmin/x", "127.0.0.1"),
	    GET("//admin//x", "127.0.0.1"),	 GET("/pub/%2e%2e/admin", "127.0.0.1"),
	    GET("/./admin/./x", "127.0.0.1"),	 GET("/ADMIN/../admin/x", "127.0.0.1")};
	for (size_t i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++) {
		char *out =
		    tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port), tricks[i], NULL);
		if (strncmp(out, "403 Blocked by sandlock HTTP ACL policy: denied by the http_deny",
			    63) != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", tricks[i], out);
	}
	CHECK_EQ(served(w), 0);
	char *out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port),
				GET("/pub", "127.0.0.1"), NULL);
	CHECK(strncmp(out, "200 GET /pub ", 13) == 0);
}

/* Every request of a kept-alive connection is decided: an allowed one,
 * then a denied one on the same connection. */
TEST(http_keepalive_each_request_decided)
{
	struct web *w = web_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = acl(w, "allow:GET 127.0.0.1/ok", NULL);
	char *out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port),
				GET("/ok", "127.0.0.1"), GET("/ok", "127.0.0.1"),
				GET("/secret", "127.0.0.1"), GET("/ok", "127.0.0.1"), NULL);
	CHECK(strncmp(tc_line(out, 0), "200 ", 4) == 0);
	CHECK(strncmp(tc_line(out, 1), "200 ", 4) == 0);
	CHECK(strncmp(tc_line(out, 2), "403 ", 4) == 0);
	CHECK_STR(tc_line(out, 3), "closed");
	CHECK_EQ(served(w), 2);
}

/* Pipelined: requests sent at once are decided one by one, and the
 * refusal comes after the responses to the requests before it. */
TEST(http_pipelined_requests)
{
	struct web *w = web_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = acl(w, "allow:* 127.0.0.1/ok*", NULL);
	char *out = tc_named_in(
	    p, "webprobe", "127.0.0.1", tc_itoa(w->port), "-p", "4", GET("/ok1", "127.0.0.1"),
	    "POST /ok2 HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 5\\r\\n\\r\\nhello",
	    "PUT /ok3 HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
	    "3\\r\\nabc\\r\\n0\\r\\n\\r\\n",
	    GET("/no", "127.0.0.1"), GET("/ok5", "127.0.0.1"), NULL);
	tc_check_lines(out, (const char *const[]){"200 GET /ok1 host=127.0.0.1 auth=-",
						  "200 POST /ok2 host=127.0.0.1 auth=-",
						  "200 PUT /ok3 host=127.0.0.1 auth=-", NULL});
	CHECK(strncmp(tc_line(out, 3), "403 ", 4) == 0);
	CHECK_EQ(served(w), 3);
}

/* The host checked is the connection's: a request that names an allowed
 * host while connected to another address is refused. */
TEST(http_host_spoofing_refused)
{
	struct web *good = web_start("127.0.0.1", 0);
	struct web *evil = web_start("127.0.0.2", good->port);
	sandlock_sandbox_t *p = acl(good, "allow:* 127.0.0.1/*", "deny:* 127.0.0.2/*",
				    tc_fmt("net:127.0.0.2:%u", good->port), NULL);
	char *out = tc_named_in(p, "webprobe", "127.0.0.2", tc_itoa(good->port),
				GET("/", "127.0.0.1"), NULL);
	CHECK(strstr(out, "403 Blocked by sandlock: Host header does not match connection "
			  "destination") == out);
	/* the absolute form's authority is the host, and must agree with Host */
	out = tc_named_in(p, "webprobe", "127.0.0.2", tc_itoa(good->port),
			  "GET http://127.0.0.1/ HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n", NULL);
	CHECK(strncmp(out, "403 ", 4) == 0);
	out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(good->port),
			  "GET http://127.0.0.2/ HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n", NULL);
	CHECK(strncmp(out, "400 ", 4) == 0);
	CHECK_EQ(served(evil), 0);
	CHECK_EQ(served(good), 0);
}

/* What is not HTTP on an intercepted port is refused; nothing reaches the
 * server, smuggling forms included. */
TEST(http_not_http_and_smuggling_refused)
{
	struct web *w = web_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = acl(w, "allow:* */*", NULL);
	const char *bad[] = {
	    "SSH-2.0-OpenSSH_9.2\\r\\n\\r\\n",
	    "GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 3\\r\\n"
	    "Transfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
	    "GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nTransfer-Encoding: chunked, "
	    "identity\\r\\n\\r\\n",
	    "GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 1\\r\\nContent-Length: "
	    "2\\r\\n\\r\\n",
	    "GET / HTTP/1.1\\nHost: 127.0.0.1\\n\\n",
	    "GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nHost: 127.0.0.2\\r\\n\\r\\n",
	    "GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n X-Folded: yes\\r\\n\\r\\n",
	    "CONNECT 127.0.0.1:22 HTTP/1.1\\r\\nHost: 127.0.0.1:22\\r\\n\\r\\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port), bad[i], NULL);
		if (strncmp(out, "400 ", 4) != 0 && strncmp(out, "501 ", 4) != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", bad[i], out);
	}
	CHECK_EQ(served(w), 0);
}

/* An upgrade is decided at its request; the tunnel opens only on the
 * server's 101.  A server that does not upgrade leaves the connection
 * HTTP: the next request is decided like any other. */
TEST(http_upgrade_checked_at_request)
{
	struct web *w = web_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = acl(w, "allow:GET 127.0.0.1/ws", "allow:GET 127.0.0.1/plain", NULL);
	char *out =
	    tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port), "-t",
			"GET /ws HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket\\r\\n"
			"Connection: Upgrade\\r\\n\\r\\n",
			"GET /anything HTTP/1.1\\r\\n\\r\\n", NULL);
	tc_check_lines(out, (const char *const[]){"101 ", "tunnel GET /anything HTTP/1.1", NULL});
	/* not upgraded (the server answers /plain with 200): what follows is
	 * a request again, and this one is denied */
	out = tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port),
			  "GET /plain HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket\\r\\n"
			  "Connection: Upgrade\\r\\n\\r\\n",
			  GET("/secret", "127.0.0.1"), NULL);
	CHECK(strncmp(tc_line(out, 0), "200 GET /plain", 14) == 0);
	CHECK(strncmp(tc_line(out, 1), "403 ", 4) == 0);
	CHECK_EQ(served(w), 2);
}

/* A real client, curl, through the CLI: allowed and denied. */
TEST(http_acl_cli_curl)
{
	if (!tc_exists("/usr/bin/curl"))
		SKIP("no /usr/bin/curl");
	struct web *w = web_start("127.0.0.1", 0);
	char *out = NULL, *err = NULL;
	const char *url = tc_fmt("http://127.0.0.1:%u/v1/models", w->port);
	int st = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "--http-port",
			    tc_itoa(w->port), "--http-allow", "GET 127.0.0.1/v1/*", "--",
			    "/usr/bin/curl", "-sS", url, NULL);
	CHECK_EQ(st, 0);
	CHECK(strstr(out, "GET /v1/models host=127.0.0.1:") == out);
	st = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "--http-port",
			tc_itoa(w->port), "--http-allow", "GET 127.0.0.1/v1/*", "--",
			"/usr/bin/curl", "-sS", "-X", "DELETE", url, NULL);
	CHECK(strstr(out, "Blocked by sandlock HTTP ACL policy") == out);
	CHECK_EQ(served(w), 1);
	/* and the refusal is a denial event, in the summary of a failed run */
	st = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "--http-port",
			tc_itoa(w->port), "--http-allow", "GET 127.0.0.1/v1/*", "--",
			"/usr/bin/curl", "-sSf", "-X", "DELETE", url, NULL);
	CHECK(st != 0);
	CHECK_CONTAINS(err, "sandlock: denied: DELETE http://127.0.0.1/v1/models (no http_allow "
			    "rule matches DELETE 127.0.0.1/v1/models");
	CHECK_EQ(served(w), 1);
}

/* An upgrade to something the proxy cannot read (h2c: HTTP/2 requests)
 * is refused, even on an allowed path: only websocket is tunnelled. */
TEST(http_upgrade_h2c_refused)
{
	struct web *w = web_start("127.0.0.1", 0);
	sandlock_sandbox_t *p = acl(w, "allow:* 127.0.0.1/*", NULL);
	char *out =
	    tc_named_in(p, "webprobe", "127.0.0.1", tc_itoa(w->port),
			"GET /ws HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: h2c\\r\\n"
			"Connection: Upgrade, HTTP2-Settings\\r\\nHTTP2-Settings: AAMAAABkAAQAAP__"
			"\\r\\n\\r\\n",
			NULL);
	/* the parser refuses an upgrade to HTTP again (501); the gate any
	 * other that is not websocket (403) */
	if (strncmp(out, "501 ", 4) != 0 && strncmp(out, "403 ", 4) != 0)
		th_fail(__FILE__, __LINE__, "h2c: %s", out);
	out = tc_named_in(
	    p, "webprobe", "127.0.0.1", tc_itoa(w->port),
	    "GET /ws HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket, TLS/1.2\\r\\n"
	    "Connection: Upgrade\\r\\n\\r\\n",
	    NULL);
	CHECK(strncmp(out, "403 ", 4) == 0);
	CHECK_EQ(served(w), 0);
}

/* Python's urllib in the sandbox: an allowed request answered, a denied
 * one a 403 (HTTPError) naming the rule. */
TEST(http_acl_python_client)
{
	if (!tc_exists("/usr/bin/python3"))
		SKIP("no /usr/bin/python3");
	struct web *w = web_start("127.0.0.1", 0);
	static const char py[] = "import sys, urllib.request, urllib.error\n"
				 "for path in sys.argv[2:]:\n"
				 "    try:\n"
				 "        with urllib.request.urlopen('http://127.0.0.1:%s%s' % "
				 "(sys.argv[1], path)) as r:\n"
				 "            print(r.status, r.read().decode().split()[1])\n"
				 "    except urllib.error.HTTPError as e:\n"
				 "        print(e.code, e.read().decode().strip())\n";
	char *out = NULL, *err = NULL;
	int st =
	    tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/etc", "--http-port",
		       tc_itoa(w->port), "--http-allow", "GET 127.0.0.1/api/*", "--",
		       "/usr/bin/python3", "-c", py, tc_itoa(w->port), "/api/v1", "/admin", NULL);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "python: %d %s", st, err);
	tc_check_lines(out, (const char *const[]){"200 /api/v1",
						  "403 Blocked by sandlock HTTP ACL policy: no "
						  "http_allow rule matches GET 127.0.0.1/admin",
						  NULL});
	CHECK_EQ(served(w), 1);
}
