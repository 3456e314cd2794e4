/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the HTTP/1.1 head parsers and the chunked framer
 * (src/policy/httpmsg.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "httpmsg.h"

/* Parses s as a request head; a refusal must give a reason, success none. */
static int preq(const char *s, struct httpmsg_req *r)
{
	const char *why = "unset";
	int e = httpmsg_parse_req(s, strlen(s), r, &why);
	if (e < 0)
		CHECK(why && why[0] && strcmp(why, "unset") != 0);
	else
		CHECK(why == NULL);
	return e;
}

/* The result of parsing s as a request head, which is then freed. */
static int req_err(const char *s)
{
	struct httpmsg_req r;
	int e = preq(s, &r);
	if (e < 0)
		CHECK(r.target == NULL && r.host == NULL && r.head_len == 0);
	httpmsg_req_free(&r);
	return e;
}

static int presp(const char *s, const char *method, bool upgrade, struct httpmsg_resp *r)
{
	const char *why = "unset";
	int e = httpmsg_parse_resp(s, strlen(s), method, upgrade, r, &why);
	if (e < 0)
		CHECK(why && why[0] && strcmp(why, "unset") != 0);
	else
		CHECK(why == NULL);
	return e;
}

static int resp_err(const char *s)
{
	struct httpmsg_resp r;
	return presp(s, "GET", false, &r);
}

#define H11(lines) "GET / HTTP/1.1\r\nHost: a.example\r\n" lines "\r\n"

TEST(httpmsg_req_simple)
{
	const char *s = "GET /p/q?x=1&y HTTP/1.1\r\nHost: Api.Example.COM\r\nX: y\r\n\r\nBODY";
	struct httpmsg_req r;
	CHECK_EQ(preq(s, &r), 0);
	CHECK_EQ(r.head_len, strlen(s) - 4);
	CHECK_STR(r.method, "GET");
	CHECK_STR(r.target, "/p/q?x=1&y");
	CHECK_STR(r.path, "/p/q");
	CHECK_STR(r.host, "api.example.com");
	CHECK_EQ(r.port, 0);
	CHECK(!r.absolute && !r.https_scheme);
	CHECK_EQ(r.minor, 1);
	CHECK_EQ(r.body, HM_NONE);
	CHECK(r.keep_alive && !r.upgrade && !r.expect_continue);
	httpmsg_req_free(&r);
	CHECK(r.target == NULL && r.head_len == 0);
	httpmsg_req_free(&r);
	httpmsg_req_free(NULL);
}

TEST(httpmsg_req_method_case_kept)
{
	struct httpmsg_req r;
	CHECK_EQ(preq("pAtCh /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n", &r), 0);
	CHECK_STR(r.method, "pAtCh");
	CHECK_EQ(r.body, HM_LENGTH);
	CHECK_EQ(r.length, 3);
	httpmsg_req_free(&r);
	/* 31 bytes fit, 32 do not; a method must be a token */
	CHECK_EQ(req_err("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
	CHECK_EQ(req_err("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\r\nHost: h\r\n\r\n"),
		 -EINVAL);
	CHECK_EQ(req_err("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("G\x80T / HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
}

TEST(httpmsg_req_partial_and_too_large)
{
	const char *full = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	struct httpmsg_req r;
	for (size_t n = 0; n < strlen(full); n++) {
		const char *why = NULL;
		CHECK_EQ(httpmsg_parse_req(full, n, &r, &why), -EAGAIN);
		CHECK(why != NULL);
	}
	CHECK_EQ(req_err(full), 0);

	/* no end within HTTPMSG_HEAD_MAX bytes: -E2BIG; fewer: -EAGAIN */
	size_t big = HTTPMSG_HEAD_MAX + 10;
	char *b = malloc(big + 1);
	CHECK(b);
	memcpy(b, "GET / HTTP/1.1\r\nX: ", 19);
	memset(b + 19, 'a', big - 19);
	b[big] = 0;
	const char *why = NULL;
	CHECK_EQ(httpmsg_parse_req(b, HTTPMSG_HEAD_MAX - 1, &r, &why), -EAGAIN);
	CHECK_EQ(httpmsg_parse_req(b, HTTPMSG_HEAD_MAX, &r, &why), -E2BIG);
	CHECK_EQ(httpmsg_parse_req(b, big, &r, &why), -E2BIG);
	CHECK_STR(why, "head too large");

	/* a head of exactly HTTPMSG_HEAD_MAX bytes is taken, one more is not */
	const char *pre = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
	size_t pl = strlen(pre);
	memcpy(b, pre, pl);
	memset(b + pl, 'a', HTTPMSG_HEAD_MAX - pl - 4);
	memcpy(b + HTTPMSG_HEAD_MAX - 4, "\r\n\r\n", 4);
	CHECK_EQ(httpmsg_parse_req(b, HTTPMSG_HEAD_MAX, &r, &why), 0);
	CHECK_EQ(r.head_len, HTTPMSG_HEAD_MAX);
	httpmsg_req_free(&r);
	memset(b + pl, 'a', HTTPMSG_HEAD_MAX - pl - 3);
	memcpy(b + HTTPMSG_HEAD_MAX - 3, "\r\n\r\n", 4);
	CHECK_EQ(httpmsg_parse_req(b, HTTPMSG_HEAD_MAX + 1, &r, &why), -E2BIG);
	free(b);
}

/* httpmsg_head_scan over buf[0..n) grown a byte at a time: its first
 * result other than -EAGAIN, and where. */
static int scan_bytewise(const char *buf, size_t n, size_t *at, size_t *checked)
{
	*checked = 0;
	for (size_t i = 1; i <= n; i++) {
		const char *why = NULL;
		int r = httpmsg_head_scan(buf, i, checked, &why);
		CHECK(why != NULL || r == 0);
		if (r != -EAGAIN) {
			*at = i;
			return r;
		}
		CHECK_EQ(*checked, i);
	}
	*at = n;
	return -EAGAIN;
}

TEST(httpmsg_head_scan)
{
	size_t at, checked;
	const char *ok = "GET / HTTP/1.1\r\nHost: h\r\n\r\nBODY";
	CHECK_EQ(scan_bytewise(ok, strlen(ok), &at, &checked), 0);
	CHECK_EQ(at, strlen(ok) - 4);
	CHECK_EQ(checked, strlen(ok) - 4);
	const char *resp = "HTTP/1.1 200 OK\r\n\r\n";
	CHECK_EQ(scan_bytewise(resp, strlen(resp), &at, &checked), 0);
	CHECK_EQ(checked, strlen(resp));
	/* each bad byte is found when it arrives, or with the byte after it */
	static const struct {
		const char *s;
		size_t at;
	} bad[] = {
	    {"GET / HTTP/1.1\nX", 15},
	    {"GET / HTTP/1.1\rX", 16},
	    {"GET / HTTP/1.1\r\n\r\r", 18},
	    {"GET / HTTP/1.1\r\nX\x01", 18},
	    {"\r\n", 1},
	    {"GET /\x7f", 6},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(scan_bytewise(bad[i].s, strlen(bad[i].s), &at, &checked), -EINVAL);
		if (at != bad[i].at)
			th_fail(__FILE__, __LINE__, "case %zu refused at %zu", i, at);
	}
	/* in big pieces, to the size limit */
	size_t big = HTTPMSG_HEAD_MAX + 100;
	char *b = malloc(big);
	CHECK(b);
	memset(b, 'a', big);
	memcpy(b, "GET / HTTP/1.1\r\nX: ", 19);
	const char *why;
	checked = 0;
	CHECK_EQ(httpmsg_head_scan(b, 1000, &checked, &why), -EAGAIN);
	CHECK_EQ(httpmsg_head_scan(b, HTTPMSG_HEAD_MAX - 1, &checked, &why), -EAGAIN);
	CHECK_EQ(httpmsg_head_scan(b, big, &checked, &why), -E2BIG);
	/* a CRLFCRLF split across calls */
	memcpy(b + 500, "\r\n\r\n", 4);
	checked = 0;
	CHECK_EQ(httpmsg_head_scan(b, 502, &checked, &why), -EAGAIN);
	CHECK_EQ(httpmsg_head_scan(b, 503, &checked, &why), -EAGAIN);
	CHECK_EQ(httpmsg_head_scan(b, 600, &checked, &why), 0);
	CHECK_EQ(checked, 504);
	free(b);
}

TEST(httpmsg_req_field_count)
{
	char buf[8192];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 1; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X-%d: v\r\n", i);
	strcpy(buf + n, "\r\n");
	CHECK_EQ(req_err(buf), 0); /* 100 fields */
	strcpy(buf + n, "Y: z\r\n\r\n");
	CHECK_EQ(req_err(buf), -E2BIG);
}

TEST(httpmsg_req_line_endings_and_bytes)
{
	CHECK_EQ(req_err("GET / HTTP/1.1\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: h\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: h\r\n\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n"), -EINVAL);
	/* a bad byte is refused before the head ends */
	CHECK_EQ(req_err("GET / HTTP/1.1\nHo"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nX: \x01"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r"), -EAGAIN);
	/* NUL, controls, DEL; HTAB only in values */
	struct httpmsg_req r;
	const char *why;
	const char nul[] = "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n";
	CHECK_EQ(httpmsg_parse_req(nul, sizeof(nul) - 1, &r, &why), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: h\r\nX: a\x1b b\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: h\r\nX: a\tb\t\r\n\r\n"), 0);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9\r\n\r\n"), 0);
	CHECK_EQ(req_err("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /\tHTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	/* leading empty lines */
	CHECK_EQ(req_err("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("\r"), -EINVAL);
	CHECK_EQ(req_err(" GET / HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
}

TEST(httpmsg_req_fields_syntax)
{
	CHECK_EQ(req_err(H11("X: a\r\n folded\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("X: a\r\n\tfolded\r\n")), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\n Host: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err(H11("X : a\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("X\t: a\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11(": a\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("X a\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("X(y): a\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("X:\r\n")), 0);
	CHECK_EQ(req_err(H11("X-Y.Z~!#$%&'*+^_`|:   v   \r\n")), 0);
}

TEST(httpmsg_req_line_forms)
{
	CHECK_EQ(req_err("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /  HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.10\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / http/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/0.9\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/2\r\nHost: h\r\n\r\n"), -ENOSYS);
	CHECK_EQ(req_err("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), -ENOSYS);
	CHECK_EQ(req_err("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), -ENOSYS);
	CHECK_EQ(req_err("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
		 -ENOSYS);
	CHECK_EQ(req_err("connect example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
		 -ENOSYS);
	CHECK_EQ(req_err("GET example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"), -EINVAL);
}

TEST(httpmsg_req_targets)
{
	struct httpmsg_req r;
	CHECK_EQ(preq("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", &r), 0);
	CHECK_STR(r.path, "*");
	CHECK_STR(r.target, "*");
	httpmsg_req_free(&r);
	CHECK_EQ(req_err("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("OPTIONS *x HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a?q#frag HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET a/b HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a\\..\\admin HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a%2 HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a%2?x HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a%2F%2e HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
	CHECK_EQ(req_err("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET /a{b} HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
	/* the query may hold any visible ASCII but '#' */
	CHECK_EQ(preq("GET /a/b;p=1:@!$&'()*+,=~?q={|}[]\\^`\"<>% HTTP/1.1\r\nHost: h\r\n\r\n", &r),
		 0);
	CHECK_STR(r.path, "/a/b;p=1:@!$&'()*+,=~");
	httpmsg_req_free(&r);
	CHECK_EQ(req_err("GET /a?q\x80 HTTP/1.1\r\nHost: h\r\n\r\n"), -EINVAL);
}

TEST(httpmsg_req_absolute_form)
{
	struct httpmsg_req r;
	CHECK_EQ(
	    preq("GET HTTP://Example.COM:8080/a/b?c HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
		 &r),
	    0);
	CHECK(r.absolute && !r.https_scheme);
	CHECK_STR(r.host, "example.com");
	CHECK_EQ(r.port, 8080);
	CHECK_STR(r.path, "/a/b");
	CHECK_STR(r.target, "HTTP://Example.COM:8080/a/b?c");
	httpmsg_req_free(&r);

	CHECK_EQ(preq("GET https://h?x HTTP/1.1\r\nHost: H:443\r\n\r\n", &r), 0);
	CHECK(r.absolute && r.https_scheme);
	CHECK_STR(r.path, "/");
	CHECK_STR(r.host, "h");
	CHECK_EQ(r.port, 0);
	httpmsg_req_free(&r);

	CHECK_EQ(preq("GET http://h HTTP/1.0\r\n\r\n", &r), 0);
	CHECK_STR(r.path, "/");
	CHECK_STR(r.host, "h");
	httpmsg_req_free(&r);

	/* a Host field that disagrees, in host or port */
	CHECK_EQ(req_err("GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET http://a.example/ HTTP/1.1\r\nHost: a.example:81\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET http://a.example:81/ HTTP/1.1\r\nHost: a.example\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET https://a.example/ HTTP/1.1\r\nHost: a.example:80\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET http://a.example/ HTTP/1.1\r\nHost: a.example:80\r\n\r\n"), 0);
	CHECK_EQ(req_err("GET http://a.example/ HTTP/1.0\r\nHost: b.example\r\n\r\n"), -EINVAL);
	/* HTTP/1.1 still needs its Host field */
	CHECK_EQ(req_err("GET http://a.example/ HTTP/1.1\r\n\r\n"), -EINVAL);
	/* userinfo, other schemes, no host */
	CHECK_EQ(req_err("GET http://u:p@a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET http://a.example@b.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n"),
		 -EINVAL);
	CHECK_EQ(req_err("GET ftp://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET http:/// HTTP/1.1\r\nHost: a\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET http:// HTTP/1.1\r\nHost: a\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET http://a.example/x#f HTTP/1.1\r\nHost: a.example\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET http://a.example/\\x HTTP/1.1\r\nHost: a.example\r\n\r\n"), -EINVAL);
}

TEST(httpmsg_req_host)
{
	struct httpmsg_req r;
	CHECK_EQ(preq("GET / HTTP/1.1\r\nHost: [2001:DB8:0:0::1]:8443\r\n\r\n", &r), 0);
	CHECK_STR(r.host, "2001:db8::1");
	CHECK_EQ(r.port, 8443);
	httpmsg_req_free(&r);
	CHECK_EQ(preq("GET / HTTP/1.1\r\nHost: 10.0.0.255:65535\r\n\r\n", &r), 0);
	CHECK_STR(r.host, "10.0.0.255");
	CHECK_EQ(r.port, 65535);
	httpmsg_req_free(&r);
	CHECK_EQ(preq("GET / HTTP/1.1\r\nHost:\tA_b~c-D.example\t\r\n\r\n", &r), 0);
	CHECK_STR(r.host, "a_b~c-d.example");
	httpmsg_req_free(&r);
	/* HTTP/1.0: optional */
	CHECK_EQ(preq("GET / HTTP/1.0\r\n\r\n", &r), 0);
	CHECK(r.host == NULL);
	CHECK_EQ(r.minor, 0);
	httpmsg_req_free(&r);

	static const char *const bad[] = {
	    "",
	    " ",
	    "a:",
	    "a:0",
	    "a:65536",
	    "a:080",
	    "a:8o",
	    "a:-1",
	    "a:+80",
	    "a:123456",
	    ":80",
	    "a b",
	    "a,b",
	    "a;b",
	    "a!b",
	    "a%41",
	    "a@b",
	    "a/b",
	    "a.",
	    ".a",
	    "a..b",
	    "127.1",
	    "0x7f.0.0.1",
	    "1.2.3.04",
	    "1.2.3.256",
	    "1.2.3.4.5",
	    "a.0x10",
	    "[::1",
	    "[::1]x",
	    "[::1]:",
	    "[fe80::1%25eth0]",
	    "[v1.x]",
	    "[1.2.3.4]",
	    "::1",
	    "[]",
	    "a:1:2",
	};
	char buf[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", bad[i]);
		if (req_err(buf) != -EINVAL)
			th_fail(__FILE__, __LINE__, "Host: '%s' taken", bad[i]);
	}
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: 1.2.3.4.example\r\n\r\n"), 0);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: 0.0.0.0\r\n\r\n"), 0);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: 9a\r\n\r\n"), 0);

	/* 0 or 2+ Host fields */
	CHECK_EQ(req_err("GET / HTTP/1.1\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err("GET / HTTP/1.1\r\nHost: a, b\r\n\r\n"), -EINVAL);
}

TEST(httpmsg_req_framing)
{
	struct httpmsg_req r;
	CHECK_EQ(preq(H11("Transfer-Encoding:  ChunKed \r\n"), &r), 0);
	CHECK_EQ(r.body, HM_CHUNKED);
	httpmsg_req_free(&r);
	CHECK_EQ(preq(H11("Content-Length: 18446744073709551615\r\n"), &r), 0);
	CHECK_EQ(r.body, HM_LENGTH);
	CHECK(r.length == UINT64_MAX);
	httpmsg_req_free(&r);
	CHECK_EQ(preq(H11("Content-Length: 0\r\n"), &r), 0);
	CHECK_EQ(r.body, HM_LENGTH);
	CHECK_EQ(r.length, 0);
	httpmsg_req_free(&r);

	/* the smuggling classics */
	CHECK_EQ(req_err(H11("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Transfer-Encoding: chunked, identity\r\n")), -ENOSYS);
	CHECK_EQ(req_err(H11("Transfer-Encoding: gzip, chunked\r\n")), -ENOSYS);
	CHECK_EQ(req_err(H11("Transfer-Encoding: identity\r\n")), -ENOSYS);
	CHECK_EQ(req_err(H11("Transfer-Encoding: xchunked\r\n")), -ENOSYS);
	CHECK_EQ(req_err(H11("Transfer-Encoding: chunked;q=1\r\n")), -ENOSYS);
	CHECK_EQ(req_err(H11("Transfer-Encoding: \"chunked\"\r\n")), -ENOSYS);
	CHECK_EQ(req_err(H11("Transfer-Encoding:\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Transfer-Encoding : chunked\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Transfer-Encoding\t: chunked\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")),
		 -EINVAL);
	CHECK_EQ(req_err(H11("Transfer-Encoding: chunked\x0b\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("X: y\r\n Transfer-Encoding: chunked\r\n")), -EINVAL);
	CHECK_EQ(req_err("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: +5\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: -5\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: 5, 5\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: 5\r\nContent-Length: 5\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: 5\r\nContent-Length: 6\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: 0x5\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: 5 5\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length:\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: 18446744073709551616\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Content-Length: 99999999999999999999999\r\n")), -EINVAL);
}

TEST(httpmsg_req_connection)
{
	struct httpmsg_req r;
	struct {
		const char *head;
		bool ka, up;
	} cases[] = {
	    {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", true, false},
	    {"GET / HTTP/1.0\r\n\r\n", false, false},
	    {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true, false},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false, false},
	    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: CLOSE\r\n\r\n", false, false},
	    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: x\r\nConnection: ,, close ,\r\n\r\n", false,
	     false},
	    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", true,
	     true},
	    {"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, "
	     "upgrade\r\n\r\n",
	     true, true},
	    {"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n", true, false},
	    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n", true, false},
	    {"GET / HTTP/1.1\r\nHost: h\r\nConnection: upgraded\r\nUpgrade: h2c\r\n\r\n", true,
	     false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(preq(cases[i].head, &r), 0);
		if (r.keep_alive != cases[i].ka || r.upgrade != cases[i].up)
			th_fail(__FILE__, __LINE__, "case %zu: keep_alive %d upgrade %d", i,
				r.keep_alive, r.upgrade);
		httpmsg_req_free(&r);
	}
	CHECK_EQ(req_err(H11("Connection: close; x\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Connection: \"close\"\r\n")), -EINVAL);
}

TEST(httpmsg_req_expect)
{
	struct httpmsg_req r;
	CHECK_EQ(preq(H11("Expect: 100-Continue\r\nContent-Length: 9\r\n"), &r), 0);
	CHECK(r.expect_continue);
	httpmsg_req_free(&r);
	CHECK_EQ(preq("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 9\r\n\r\n", &r),
		 0);
	CHECK(!r.expect_continue);
	httpmsg_req_free(&r);
	CHECK_EQ(req_err("POST / HTTP/1.0\r\nExpect: x\r\n\r\n"), -EINVAL);
	CHECK_EQ(req_err(H11("Expect: 100-continue\r\nExpect: 100-continue\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Expect: 200-ok\r\n")), -EINVAL);
	CHECK_EQ(req_err(H11("Expect: 100-continue, x\r\n")), -EINVAL);
}

/* ---- responses ---- */

TEST(httpmsg_resp_framing)
{
	struct httpmsg_resp r;
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello world!";
	CHECK_EQ(presp(s, "GET", false, &r), 0);
	CHECK_EQ(r.head_len, strlen(s) - 12);
	CHECK_EQ(r.status, 200);
	CHECK_EQ(r.minor, 1);
	CHECK_EQ(r.body, HM_LENGTH);
	CHECK_EQ(r.length, 12);
	CHECK(r.keep_alive && !r.interim);

	/* HEAD: no body whatever the fields say */
	CHECK_EQ(presp(s, "HEAD", false, &r), 0);
	CHECK_EQ(r.body, HM_NONE);
	CHECK(r.keep_alive);
	CHECK_EQ(presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HEAD", false, &r),
		 0);
	CHECK_EQ(r.body, HM_NONE);

	CHECK_EQ(presp("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", "GET", false, &r),
		 0);
	CHECK_EQ(r.body, HM_NONE);
	CHECK_EQ(presp("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", "GET",
		       false, &r),
		 0);
	CHECK_EQ(r.body, HM_NONE);
	CHECK(r.keep_alive);

	CHECK_EQ(presp("HTTP/1.1 100 Continue\r\n\r\n", "POST", false, &r), 0);
	CHECK_EQ(r.body, HM_NONE);
	CHECK(r.interim);
	CHECK_EQ(presp("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", "GET", false, &r), 0);
	CHECK(r.interim);
	CHECK_EQ(r.status, 103);

	CHECK_EQ(presp("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		       "Connection: Upgrade\r\n\r\n",
		       "GET", true, &r),
		 0);
	CHECK_EQ(r.body, HM_TUNNEL);
	CHECK(!r.interim && !r.keep_alive);
	CHECK_EQ(presp("HTTP/1.1 101 Switching Protocols\r\n\r\n", "GET", false, &r), -EINVAL);

	CHECK_EQ(
	    presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "GET", false, &r),
	    0);
	CHECK_EQ(r.body, HM_CHUNKED);
	CHECK(r.keep_alive);
	CHECK_EQ(
	    presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: CHUNKED\r\n"
		  "\r\n",
		  "GET", false, &r),
	    0);
	CHECK_EQ(r.body, HM_CHUNKED);
	CHECK_EQ(
	    presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "GET", false, &r),
	    0);
	CHECK_EQ(r.body, HM_CLOSE);
	CHECK(!r.keep_alive);
	CHECK_EQ(presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
		       "GET", false, &r),
		 0);
	CHECK_EQ(r.body, HM_CHUNKED);
	CHECK(!r.keep_alive);

	CHECK_EQ(presp("HTTP/1.1 200 OK\r\n\r\n", "GET", false, &r), 0);
	CHECK_EQ(r.body, HM_CLOSE);
	CHECK(!r.keep_alive);
	CHECK_EQ(presp("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", NULL, false, &r), 0);
	CHECK_EQ(r.body, HM_LENGTH);
	CHECK_EQ(r.length, 0);
}

TEST(httpmsg_resp_keep_alive)
{
	struct httpmsg_resp r;
	CHECK_EQ(presp("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", "GET", false, &r), 0);
	CHECK(!r.keep_alive);
	CHECK_EQ(r.minor, 0);
	CHECK_EQ(presp("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n",
		       "GET", false, &r),
		 0);
	CHECK(r.keep_alive);
	CHECK_EQ(presp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n", "GET",
		       false, &r),
		 0);
	CHECK(!r.keep_alive);
	CHECK_EQ(r.body, HM_LENGTH);
}

TEST(httpmsg_resp_status_line)
{
	struct httpmsg_resp r;
	CHECK_EQ(presp("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", "GET", false, &r), 0);
	CHECK_EQ(r.status, 200);
	CHECK_EQ(resp_err("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"), 0);
	CHECK_EQ(resp_err("HTTP/1.1 999 Whatever \t it is\r\nContent-Length: 0\r\n\r\n"), 0);
	CHECK_EQ(resp_err("HTTP/1.1 099 x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 20 x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 2000 x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1  200 x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.2 200 x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/2 200 x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("http/1.1 200 x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("\r\nHTTP/1.1 200 x\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"), -EAGAIN);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("xTTP/1.1 200 OK\r\n"), -EINVAL);
}

TEST(httpmsg_resp_lengths)
{
	struct httpmsg_resp r;
	CHECK_EQ(presp("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n", "GET",
		       false, &r),
		 0);
	CHECK_EQ(r.length, 7);
	CHECK_EQ(presp("HTTP/1.1 200 OK\r\nContent-Length: 7 , 7\r\n\r\n", "GET", false, &r), 0);
	CHECK_EQ(r.body, HM_LENGTH);
	CHECK_EQ(r.length, 7);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n"),
		 -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nContent-Length: 7, 8\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nContent-Length: 7,\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nContent-Length: +7\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n"),
		 -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.1 200 OK\r\nTransfer-Encoding: \"chunked\"\r\n\r\n"), -EINVAL);
	CHECK_EQ(resp_err("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), -EINVAL);
	/* a bad length is refused even where no body follows */
	CHECK_EQ(presp("HTTP/1.1 204 x\r\nContent-Length: x\r\n\r\n", "GET", false, &r), -EINVAL);
}

/* ---- chunked bodies ---- */

/* Feeds body[0..n) cut at the given points; the total the framer took, or
 * its refusal. */
static long feed_cut(const char *body, size_t n, const size_t *cuts, size_t ncuts, bool *done)
{
	struct httpmsg_chunked c;
	httpmsg_chunked_init(&c);
	size_t at = 0;
	long total = 0;
	for (size_t k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : n;
		const char *why = NULL;
		long r = httpmsg_chunked_feed(&c, body + at, end - at, &why);
		if (r < 0) {
			CHECK(why != NULL);
			/* refusals stick */
			CHECK_EQ(httpmsg_chunked_feed(&c, "0\r\n\r\n", 5, &why), r);
			*done = false;
			return r;
		}
		CHECK((size_t)r <= end - at);
		if ((size_t)r < end - at)
			CHECK(c.done);
		total += r;
		at = end;
		if (c.done)
			break;
	}
	*done = c.done;
	return total;
}

static long feed_all(const char *body, bool *done)
{
	return feed_cut(body, strlen(body), NULL, 0, done);
}

/* The same result fed whole, one byte at a time, and cut at each point. */
static long feed_every_way(const char *body, bool *done)
{
	size_t n = strlen(body);
	bool d1, d2;
	long whole = feed_all(body, &d1);
	size_t *cuts = malloc((n + 1) * sizeof(*cuts));
	CHECK(cuts);
	for (size_t i = 0; i < n; i++)
		cuts[i] = i + 1;
	long bytes = feed_cut(body, n, cuts, n ? n - 1 : 0, &d2);
	CHECK_EQ(bytes, whole);
	CHECK_EQ(d2, d1);
	for (size_t i = 0; i <= n; i++) {
		size_t cut = i;
		long two = feed_cut(body, n, &cut, 1, &d2);
		CHECK_EQ(two, whole);
		CHECK_EQ(d2, d1);
	}
	free(cuts);
	*done = d1;
	return whole;
}

TEST(httpmsg_chunked_valid)
{
	static const char *const bodies[] = {
	    "0\r\n\r\n",
	    "5\r\nhello\r\n0\r\n\r\n",
	    "5;ext=1;x=\"q\"\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n",
	    "00005\r\nhe\r\nl\r\n1\r\n\n\r\n0;last\r\nX-Sum: abc\r\nY:\tz\r\n\r\n",
	    "aB\r\n"
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890\r\n0\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		bool done;
		long n = feed_every_way(bodies[i], &done);
		if (n != (long)strlen(bodies[i]) || !done)
			th_fail(__FILE__, __LINE__, "body %zu: %ld, done %d", i, n, done);
	}
}

TEST(httpmsg_chunked_next_message)
{
	/* the bytes after the body are not taken */
	const char *s = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
	bool done;
	long n = feed_every_way(s, &done);
	CHECK(done);
	CHECK_EQ(n, 13);
	struct httpmsg_chunked c;
	httpmsg_chunked_init(&c);
	const char *why;
	CHECK_EQ(httpmsg_chunked_feed(&c, s, strlen(s), &why), 13);
	CHECK_EQ(httpmsg_chunked_feed(&c, "x", 1, &why), 0);
	CHECK(c.done);
	/* an unfinished body: all taken, not done */
	n = feed_every_way("5\r\nhel", &done);
	CHECK_EQ(n, 6);
	CHECK(!done);
	n = feed_every_way("5\r\nhello\r\n0\r\nX: y\r\n", &done);
	CHECK_EQ(n, 19);
	CHECK(!done);
}

TEST(httpmsg_chunked_refused)
{
	static const char *const bad[] = {
	    "\r\n",			 /* no size */
	    " 5\r\nhello\r\n0\r\n\r\n",	 /* leading whitespace */
	    "5 \r\nhello\r\n0\r\n\r\n",	 /* trailing whitespace */
	    "0x5\r\nhello\r\n0\r\n\r\n", /* 0x */
	    "-5\r\n",			 /* sign */
	    "g\r\n",			 /* not hex */
	    ";x\r\n",			 /* ext without size */
	    "5\nhello\r\n0\r\n\r\n",	 /* bare LF after the size */
	    "5\rhello\r\n0\r\n\r\n",	 /* bare CR after the size */
	    "5\r\nhelloX\r\n0\r\n\r\n",	 /* data longer than its size */
	    "5\r\nhello\n0\r\n\r\n",	 /* bare LF after the data */
	    "5\r\nhello\r0\r\n\r\n",	 /* bare CR after the data */
	    "5;a\nb\r\nhello\r\n",	 /* bare LF in an ext */
	    "5;a\x01\r\nhello\r\n",	 /* control byte in an ext */
	    "0\r\nX: y\n\r\n",		 /* bare LF in a trailer */
	    "0\r\n\n",			 /* bare LF ending the trailers */
	    "0\r\n\rx",			 /* bare CR ending the trailers */
	    "0\r\n folded\r\n\r\n",	 /* obs-fold in the trailers */
	    "0\r\nX : y\r\n\r\n",	 /* whitespace before ':' */
	    "0\r\nnocolon\r\n\r\n",	 /* no ':' */
	    "0\r\nX: a\x7f\r\n\r\n",	 /* DEL in a trailer */
	    "8000000000000000\r\n",	 /* 2^63 */
	    "10000000000000000\r\n",	 /* 2^64 */
	    "FFFFFFFFFFFFFFFFFFFF\r\n",	 /* more */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool done;
		if (feed_every_way(bad[i], &done) != -EINVAL)
			th_fail(__FILE__, __LINE__, "body %zu taken", i);
	}
	bool done;
	CHECK_EQ(feed_every_way("7fffffffffffffff\r\nabc", &done), 21);
	CHECK(!done);
}

TEST(httpmsg_chunked_limits)
{
	size_t big = 3 * HTTPMSG_TRAILERS_MAX;
	char *b = malloc(big + 1);
	CHECK(b);
	bool done;
	/* a chunk-ext line of HTTPMSG_CHUNK_LINE_MAX bytes (with its CR) is
	 * taken, one more is not */
	b[0] = '1';
	b[1] = ';';
	memset(b + 2, 'e', HTTPMSG_CHUNK_LINE_MAX - 3);
	strcpy(b + HTTPMSG_CHUNK_LINE_MAX - 1, "\r\nx\r\n0\r\n\r\n");
	CHECK_EQ(feed_all(b, &done), (long)strlen(b));
	CHECK(done);
	memset(b + 2, 'e', HTTPMSG_CHUNK_LINE_MAX - 2);
	strcpy(b + HTTPMSG_CHUNK_LINE_MAX, "\r\nx\r\n0\r\n\r\n");
	CHECK_EQ(feed_all(b, &done), -EINVAL);
	/* leading zeros count too */
	memset(b, '0', HTTPMSG_CHUNK_LINE_MAX + 1);
	strcpy(b + HTTPMSG_CHUNK_LINE_MAX + 1, "\r\n\r\n");
	CHECK_EQ(feed_all(b, &done), -EINVAL);
	/* a long trailer line */
	strcpy(b, "0\r\nX: ");
	memset(b + 6, 'v', HTTPMSG_CHUNK_LINE_MAX);
	strcpy(b + 6 + HTTPMSG_CHUNK_LINE_MAX, "\r\n\r\n");
	CHECK_EQ(feed_all(b, &done), -EINVAL);
	/* many short trailer lines, too many bytes in all */
	size_t n = 3;
	memcpy(b, "0\r\n", 3);
	while (n + 20 < big) {
		memcpy(b + n, "X-Trailer: 12345678\r\n", 21);
		n += 21;
	}
	strcpy(b + n, "\r\n");
	CHECK_EQ(feed_all(b, &done), -EINVAL);
	/* and just under the limit */
	n = 3 + (HTTPMSG_TRAILERS_MAX / 20) * 21;
	strcpy(b + n, "\r\n");
	CHECK_EQ(feed_all(b, &done), (long)strlen(b));
	CHECK(done);
	free(b);
}

TEST(httpmsg_chunked_random_splits)
{
	const char *body = "4;a=b\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
			   "0\r\nExpires: never\r\n\r\nNEXT";
	size_t n = strlen(body);
	unsigned seed = 12345;
	for (int round = 0; round < 2000; round++) {
		size_t cuts[8], nc = 0, at = 0;
		while (nc < 8) {
			seed = seed * 1103515245u + 12345u;
			at += (seed >> 16) % 9;
			if (at > n)
				break;
			cuts[nc++] = at;
		}
		bool done;
		CHECK_EQ(feed_cut(body, n, cuts, nc, &done), (long)n - 4);
		CHECK(done);
	}
}

/* ---- rewriting ---- */

TEST(httpmsg_rewrite)
{
	const char *h = "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: old\r\nX: 1\r\n"
			"authorization: older\r\n\r\nBODY";
	struct httpmsg_req r;
	CHECK_EQ(preq(h, &r), 0);
	char *o;
	size_t on;
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, "Authorization", "Authorization: Bearer t", &o,
				      &on),
		 0);
	CHECK_STR(o, "GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\nAuthorization: Bearer t\r\n\r\n");
	CHECK_EQ(on, strlen(o));
	free(o);
	/* drop only, add only, neither */
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, "x", NULL, &o, &on), 0);
	CHECK_STR(o, "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: old\r\n"
		     "authorization: older\r\n\r\n");
	free(o);
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, NULL, "Y: 2", &o, &on), 0);
	CHECK_EQ(on, r.head_len + 6);
	CHECK(!memcmp(o, h, r.head_len - 2));
	CHECK_STR(o + r.head_len - 2, "Y: 2\r\n\r\n");
	free(o);
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, NULL, NULL, &o, &on), 0);
	CHECK_EQ(on, r.head_len);
	CHECK(!memcmp(o, h, on));
	free(o);
	/* a name is dropped only whole: "X" is not "X-Y" */
	const char *h2 = "GET / HTTP/1.1\r\nX-Y: 1\r\nX: 2\r\nHost: h\r\n\r\n";
	CHECK_EQ(httpmsg_rewrite_head(h2, strlen(h2), "X", NULL, &o, &on), 0);
	CHECK_STR(o, "GET / HTTP/1.1\r\nX-Y: 1\r\nHost: h\r\n\r\n");
	free(o);
	/* the start line is never dropped, the result parses */
	const char *h3 = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	CHECK_EQ(httpmsg_rewrite_head(h3, strlen(h3), "GET / HTTP/1.1\r\nHost", "Z:z", &o, &on), 0);
	CHECK_STR(o, "GET / HTTP/1.1\r\nHost: h\r\nZ:z\r\n\r\n");
	struct httpmsg_req r2;
	CHECK_EQ(preq(o, &r2), 0);
	CHECK_EQ(r2.head_len, on);
	httpmsg_req_free(&r2);
	free(o);

	/* bad additions and heads */
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, NULL, "A: b\r\nC: d", &o, &on), -EINVAL);
	CHECK(o == NULL);
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, NULL, "A: b\n", &o, &on), -EINVAL);
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, NULL, "A: b\r", &o, &on), -EINVAL);
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, NULL, "A b", &o, &on), -EINVAL);
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, NULL, " A: b", &o, &on), -EINVAL);
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len, NULL, "A: b\x01", &o, &on), -EINVAL);
	CHECK_EQ(httpmsg_rewrite_head(h, r.head_len - 1, NULL, NULL, &o, &on), -EINVAL);
	CHECK_EQ(httpmsg_rewrite_head("\r\n\r\n", 4, NULL, NULL, &o, &on), -EINVAL);
	CHECK_EQ(httpmsg_rewrite_head("a\r\n\r\nb\r\n\r\n", 10, NULL, NULL, &o, &on), -EINVAL);
	httpmsg_req_free(&r);
}
