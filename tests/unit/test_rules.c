/* SPDX-License-Identifier: Apache-2.0 */
/* test_rules.c - net_allow grammar, HTTP rules, path normalization. */
#include <stdlib.h>

#include "error.h"
#include "harness.h"
#include "httprule.h"
#include "netrule.h"
#include "policy.h"

/* ---- net_allow ---------------------------------------------------------- */

static struct sl_net_rule net_ok(const char *spec)
{
	struct sl_net_rule r;
	if (netrule_parse(spec, &r) != 0)
		th_fail(__FILE__, __LINE__, "'%s' rejected: %s", spec, sl_error_get());
	return r;
}

/* The rule must fail with a message holding "net_allow: '<spec>'" and why. */
static void net_bad(const char *spec, const char *why)
{
	struct sl_net_rule r;
	char want[512];
	sl_error_clear();
	if (netrule_parse(spec, &r) != -EINVAL)
		th_fail(__FILE__, __LINE__, "'%s' accepted", spec);
	snprintf(want, sizeof(want), "net_allow: '%s': ", spec);
	if (!strstr(sl_error_get(), want) || !strstr(sl_error_get(), why))
		th_fail(__FILE__, __LINE__, "'%s': message \"%s\" lacks \"%s\"", spec,
			sl_error_get(), why);
	CHECK(r.host == NULL && r.ports.v == NULL);
}

TEST(netrule_host_and_ports)
{
	struct sl_net_rule r = net_ok("api.openai.com:443");
	CHECK_EQ(r.proto, SL_PROTO_TCP);
	CHECK_STR(r.host, "api.openai.com");
	CHECK(!r.all_ports);
	CHECK_EQ(r.ports.n, 1);
	CHECK_EQ(r.ports.v[0], 443);
	netrule_free(&r);

	r = net_ok("github.com:443, 22 ,443");
	CHECK_STR(r.host, "github.com");
	CHECK_EQ(r.ports.n, 2); /* sorted, deduplicated */
	CHECK_EQ(r.ports.v[0], 22);
	CHECK_EQ(r.ports.v[1], 443);
	netrule_free(&r);
	CHECK(r.host == NULL);
	netrule_free(NULL);
}

TEST(netrule_any_host_and_any_port)
{
	const char *any_host[] = {":8080", "*:8080"};
	for (size_t i = 0; i < 2; i++) {
		struct sl_net_rule r = net_ok(any_host[i]);
		CHECK(r.host == NULL);
		CHECK_EQ(r.ports.n, 1);
		CHECK_EQ(r.ports.v[0], 8080);
		netrule_free(&r);
	}
	struct sl_net_rule r = net_ok("host:*");
	CHECK_STR(r.host, "host");
	CHECK(r.all_ports);
	CHECK_EQ(r.ports.n, 0);
	netrule_free(&r);
	const char *all[] = {":*", "*:*", "*:*,*"};
	for (size_t i = 0; i < 3; i++) {
		r = net_ok(all[i]);
		CHECK(r.host == NULL);
		CHECK(r.all_ports);
		netrule_free(&r);
	}
}

TEST(netrule_schemes)
{
	struct sl_net_rule r = net_ok("tcp://h:443");
	CHECK_EQ(r.proto, SL_PROTO_TCP);
	CHECK_STR(r.host, "h");
	netrule_free(&r);
	r = net_ok("udp://1.1.1.1:53");
	CHECK_EQ(r.proto, SL_PROTO_UDP);
	CHECK_STR(r.host, "1.1.1.1");
	CHECK_EQ(r.ports.v[0], 53);
	netrule_free(&r);
	r = net_ok("udp://*:*");
	CHECK_EQ(r.proto, SL_PROTO_UDP);
	CHECK(r.host == NULL && r.all_ports);
	netrule_free(&r);
	r = net_ok("icmp://github.com");
	CHECK_EQ(r.proto, SL_PROTO_ICMP);
	CHECK_STR(r.host, "github.com");
	CHECK_EQ(r.ports.n, 0);
	CHECK(!r.all_ports);
	netrule_free(&r);
	r = net_ok("icmp://*");
	CHECK_EQ(r.proto, SL_PROTO_ICMP);
	CHECK(r.host == NULL);
	netrule_free(&r);
}

TEST(netrule_ipv6)
{
	struct sl_net_rule r = net_ok("[::1]:80");
	CHECK_STR(r.host, "::1");
	CHECK_EQ(r.ports.v[0], 80);
	netrule_free(&r);
	r = net_ok("udp://[2001:db8::53]:53");
	CHECK_STR(r.host, "2001:db8::53");
	netrule_free(&r);
	/* unbracketed: split at the last colon, as 0.8.0 does */
	r = net_ok("::1:80");
	CHECK_STR(r.host, "::1");
	netrule_free(&r);
	r = net_ok("icmp://[fe80::1]");
	CHECK_STR(r.host, "fe80::1");
	netrule_free(&r);
	net_bad("[::1]", "expected host:port or :port");
	net_bad("[nothost]:80", "not an IPv6 address");
	net_bad("[::1:80", "unbalanced");
	net_bad("a:b:80", "invalid host 'a:b'");
	net_bad("icmp://[::1]:80", "icmp rules take no port");
}

TEST(netrule_errors)
{
	net_bad("sctp://h:1", "unknown scheme 'sctp'");
	net_bad("icmp-raw://h", "unknown scheme 'icmp-raw'");
	net_bad("://h:1", "unknown scheme ''");
	net_bad("h:0", "port 0 is not valid");
	net_bad("h:abc", "invalid port 'abc'");
	net_bad("h:", "invalid port ''");
	net_bad("h:80,", "invalid port ''");
	net_bad("h:-1", "invalid port '-1'");
	net_bad("h:+80", "invalid port '+80'");
	net_bad("h:65536", "port 65536 is out of range");
	net_bad("h:99999999999999999999", "out of range");
	net_bad("h:*,80", "cannot mix '*' with port numbers");
	net_bad("h:80,*", "cannot mix '*' with port numbers");
	net_bad("github.com", "expected host:port or :port");
	net_bad("", "expected host:port or :port");
	net_bad("udp://h", "expected host:port or :port");
	net_bad("icmp://h:80", "icmp rules take no port");
	net_bad("icmp://", "icmp rule needs a host or '*'");
	net_bad("icmp://  ", "icmp rule needs a host or '*'");
	net_bad("*.example.com:443", "host wildcards");
	net_bad("a b:443", "invalid host 'a b'");
	net_bad("a/b:443", "invalid host");
	struct sl_net_rule r;
	CHECK_EQ(netrule_parse(NULL, &r), -EINVAL);
}

TEST(netrule_ports_edges)
{
	struct sl_net_rule r = net_ok("h:1,65535");
	CHECK_EQ(r.ports.n, 2);
	CHECK_EQ(r.ports.v[0], 1);
	CHECK_EQ(r.ports.v[1], 65535);
	netrule_free(&r);
	r = net_ok("  h : 080  ");
	CHECK_STR(r.host, "h");
	CHECK_EQ(r.ports.v[0], 80);
	netrule_free(&r);
}

TEST(netrule_long_rule_message_is_bounded)
{
	char spec[4000];
	memset(spec, 'a', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = 0;
	struct sl_net_rule r;
	CHECK_EQ(netrule_parse(spec, &r), -EINVAL);
	CHECK_CONTAINS(sl_error_get(), "...': expected host:port or :port");
}

TEST(netrule_copy_is_deep)
{
	struct sl_net_rule a = net_ok("h:1,2"), b;
	CHECK_EQ(netrule_copy(&b, &a), 0);
	CHECK(b.host != a.host && b.ports.v != a.ports.v);
	netrule_free(&a);
	CHECK_STR(b.host, "h");
	CHECK_EQ(b.ports.n, 2);
	CHECK_EQ(b.ports.v[1], 2);
	netrule_free(&b);
}

/* ---- path normalization ---------------------------------------------------- */

static void norm_is(const char *in, bool rule, const char *want)
{
	char *out = NULL;
	int r = httprule_normalize_path(in, rule, &out);
	if (r != 0)
		th_fail(__FILE__, __LINE__, "normalize '%s': %d", in, r);
	if (strcmp(out, want) != 0)
		th_fail(__FILE__, __LINE__, "normalize '%s' (rule %d): '%s' != '%s'", in, rule, out,
			want);
	free(out);
}

TEST(httprule_normalize_spec_examples)
{
	norm_is("/foo//bar", false, "/foo/bar");
	norm_is("/foo/../bar", false, "/bar");
	norm_is("/../../foo", false, "/foo");
	norm_is("/%61dmin/settings", false, "/admin/settings");
	norm_is("/v1/%2e%2e/admin", false, "/admin");
	norm_is("/v1/", false, "/v1");
}

TEST(httprule_normalize_edges)
{
	norm_is("", false, "/");
	norm_is("/", false, "/");
	norm_is("//", false, "/");
	norm_is("/./.", false, "/");
	norm_is("/..", false, "/");
	norm_is("a/b", false, "/a/b");
	norm_is("/a/./b/.", false, "/a/b");
	norm_is("/a/b/../../c", false, "/c");
	norm_is("/a/%2E%2E/b", false, "/b");
	norm_is("/a%2fb", false, "/a/b");     /* decoded before splitting */
	norm_is("/%zz/%4", false, "/%zz/%4"); /* malformed kept */
	norm_is("/%", false, "/%");
	norm_is("/%252e%252e/x", false, "/%2e%2e/x"); /* decoded once */
	norm_is("/a*", false, "/a*");		      /* literal in requests */
	norm_is("/...", false, "/...");
	char *out = (char *)1;
	CHECK_EQ(httprule_normalize_path("/a%00b", false, &out), -EINVAL);
	CHECK(out == NULL);
}

TEST(httprule_normalize_rule_star)
{
	norm_is("/*", true, "/*");
	norm_is("*", true, "/*");
	norm_is("/v1/*", true, "/v1/*");
	norm_is("/v1//*", true, "/v1/*");
	norm_is("/api/v*", true, "/api/v*");
	norm_is("/a/../b/*", true, "/b/*");
	norm_is("/a/../*", true, "/*");
	norm_is("/foo/..*", true, "/foo/..*"); /* partial name, not a segment */
	norm_is("/%61pi/*", true, "/api/*");
	norm_is("/v1/", true, "/v1");
}

TEST(httprule_path_match)
{
	CHECK(httprule_path_match("/*", "/"));
	CHECK(httprule_path_match("/*", "/anything/at/all"));
	CHECK(httprule_path_match("*", "/x"));
	CHECK(httprule_path_match("/v1/*", "/v1/models"));
	CHECK(!httprule_path_match("/v1/*", "/v1"));
	CHECK(!httprule_path_match("/v1/*", "/v2/x"));
	CHECK(httprule_path_match("/api/v*", "/api/v2/x"));
	CHECK(httprule_path_match("/admin", "/admin"));
	CHECK(!httprule_path_match("/admin", "/admin/x"));
	CHECK(!httprule_path_match("/admin", "/Admin"));
}

/* ---- http rules ------------------------------------------------------------ */

static struct sl_http_rule http_ok(const char *rule)
{
	struct sl_http_rule r;
	if (httprule_parse(rule, &r) != 0)
		th_fail(__FILE__, __LINE__, "'%s' rejected: %s", rule, sl_error_get());
	return r;
}

static void http_bad(const char *rule, const char *why)
{
	struct sl_http_rule r;
	char want[512];
	sl_error_clear();
	if (httprule_parse(rule, &r) != -EINVAL)
		th_fail(__FILE__, __LINE__, "'%s' accepted", rule);
	snprintf(want, sizeof(want), "invalid http rule: '%s': ", rule);
	if (!strstr(sl_error_get(), want) || !strstr(sl_error_get(), why))
		th_fail(__FILE__, __LINE__, "'%s': message \"%s\" lacks \"%s\"", rule,
			sl_error_get(), why);
	CHECK(!r.method && !r.host && !r.path);
}

TEST(httprule_parse_forms)
{
	struct sl_http_rule r = http_ok("GET api.example.com/v1/*");
	CHECK_STR(r.method, "GET");
	CHECK_STR(r.host, "api.example.com");
	CHECK_STR(r.path, "/v1/*");
	httprule_free(&r);

	r = http_ok("  post \t Example.COM  ");
	CHECK_STR(r.method, "POST");
	CHECK_STR(r.host, "example.com");
	CHECK_STR(r.path, "/*"); /* no path */
	httprule_free(&r);

	r = http_ok("* *");
	CHECK_STR(r.method, "*");
	CHECK_STR(r.host, "*");
	CHECK_STR(r.path, "/*");
	httprule_free(&r);

	r = http_ok("DELETE */a/./b/../c");
	CHECK_STR(r.host, "*");
	CHECK_STR(r.path, "/a/c");
	httprule_free(&r);

	r = http_ok("GET [::1]/x");
	CHECK_STR(r.host, "::1");
	httprule_free(&r);

	r = http_ok("GET host/%61dmin");
	CHECK_STR(r.path, "/admin");
	httprule_free(&r);
	httprule_free(NULL);
}

TEST(httprule_parse_errors)
{
	http_bad("", "expected METHOD HOST[/PATH]");
	http_bad("   ", "expected METHOD HOST[/PATH]");
	http_bad("GET", "expected METHOD HOST[/PATH]");
	http_bad("GET   ", "expected METHOD HOST[/PATH]");
	http_bad("GET /path", "missing host");
	http_bad("GET *.example.com/x", "host wildcards");
	http_bad("GET ex*ample.com", "host wildcards");
	http_bad("GET example.com:8080/x", "must not include a port");
	http_bad("GET exa$mple.com", "invalid host");
	http_bad("GET [zz]/x", "not an IPv6 address");
	http_bad("G*T host", "partial method wildcards");
	http_bad("G(T host", "invalid method");
	http_bad("GET host/a b", "unexpected whitespace");
	http_bad("GET host/a/*/b", "only allowed at the end");
	http_bad("GET host/a%00", "%00");
	struct sl_http_rule r;
	CHECK_EQ(httprule_parse(NULL, &r), -EINVAL);
}

TEST(httprule_match_and_decide)
{
	struct sl_http_rule rules[3];
	rules[0] = http_ok("GET api.example.com/v1/*");
	rules[1] = http_ok("* [::1]");
	rules[2] = http_ok("* */v1/admin*"); /* deny */

	CHECK(httprule_match(&rules[0], "get", "API.example.com", "/v1/x"));
	CHECK(!httprule_match(&rules[0], "POST", "api.example.com", "/v1/x"));
	CHECK(!httprule_match(&rules[0], "GET", "other.com", "/v1/x"));
	CHECK(!httprule_match(&rules[0], "GET", "api.example.com", "/v1"));
	CHECK(httprule_match(&rules[1], "PUT", "[::1]", "/"));
	CHECK(httprule_match(&rules[1], "PUT", "::1", "/z"));

	CHECK(httprule_allows(rules, 2, 1, "GET", "api.example.com", "/v1/models"));
	CHECK(!httprule_allows(rules, 2, 1, "GET", "api.example.com", "/v1/admin/users"));
	CHECK(!httprule_allows(rules, 2, 1, "GET", "evil.com", "/v1/models"));
	/* deny rules only: everything else allowed */
	CHECK(httprule_allows(rules + 2, 0, 1, "GET", "evil.com", "/v1/models"));
	CHECK(!httprule_allows(rules + 2, 0, 1, "GET", "evil.com", "/v1/admin"));
	/* no rules at all */
	CHECK(httprule_allows(NULL, 0, 0, "GET", "x", "/"));

	/* a request path is normalized before matching */
	char *p = NULL;
	CHECK_EQ(httprule_normalize_path("/v1/models/%2e%2e/admin", false, &p), 0);
	CHECK(!httprule_allows(rules, 2, 1, "GET", "api.example.com", p));
	free(p);
	for (size_t i = 0; i < 3; i++)
		httprule_free(&rules[i]);
}

TEST(httprule_copy_is_deep)
{
	struct sl_http_rule a = http_ok("GET h/x"), b;
	CHECK_EQ(httprule_copy(&b, &a), 0);
	CHECK(a.path != b.path);
	httprule_free(&a);
	CHECK_STR(b.method, "GET");
	CHECK_STR(b.host, "h");
	CHECK_STR(b.path, "/x");
	httprule_free(&b);
}
