/* SPDX-License-Identifier: Apache-2.0 */
/* test_rules.c - net_allow/net_deny grammar, HTTP rules, path normalization. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "error.h"
#include "harness.h"
#include "httprule.h"
#include "netaddr.h"
#include "netrule.h"
#include "policy.h"
#include "portset.h"

/* ---- net_allow / net_deny ------------------------------------------------ */

static struct sl_net_rule net_ok_at(int line, const char *spec)
{
	struct sl_net_rule r;
	if (netrule_parse("net_allow", spec, &r) != 0)
		th_fail(__FILE__, line, "'%s' rejected: %s", spec, sl_error_get());
	return r;
}
#define net_ok(spec) net_ok_at(__LINE__, spec)

/* The rule must fail with a message holding "<list>: '<spec>': " and why. */
static void bad_at(int line, const char *list, const char *spec, const char *why)
{
	struct sl_net_rule r;
	char want[512];
	sl_error_clear();
	if (netrule_parse(list, spec, &r) != -EINVAL)
		th_fail(__FILE__, line, "'%s' accepted", spec);
	snprintf(want, sizeof(want), "%s: '%s': ", list, spec);
	if (!strstr(sl_error_get(), want) || !strstr(sl_error_get(), why))
		th_fail(__FILE__, line, "'%s': message \"%s\" lacks \"%s\"", spec, sl_error_get(),
			why);
	if (r.host || r.ports.v || r.target != SL_TARGET_ANY)
		th_fail(__FILE__, line, "'%s': the failed rule holds something", spec);
}
#define net_bad(spec, why) bad_at(__LINE__, "net_allow", spec, why)

/* The rule's ports, as portset_format writes them. */
static void ports_at(int line, const struct sl_net_rule *r, const char *want)
{
	char *s = NULL;
	if (portset_format(&r->ports, &s) < 0 || strcmp(s, want) != 0)
		th_fail(__FILE__, line, "ports \"%s\", wanted \"%s\"", s ? s : "(null)", want);
	free(s);
}
#define CHECK_PORTS(r, want) ports_at(__LINE__, &(r), want)

/* The rule targets the address or range want (netaddr_format's text). */
static void addr_at(int line, const struct sl_net_rule *r, int family, const char *want)
{
	char s[NETADDR_STRLEN];
	if (r->target != SL_TARGET_ADDR || r->host)
		th_fail(__FILE__, line, "target %d, wanted an address", r->target);
	netaddr_format(&r->addr, s);
	if (r->addr.family != family || strcmp(s, want) != 0)
		th_fail(__FILE__, line, "address %s (family %d), wanted %s (family %d)", s,
			r->addr.family, want, family);
}
#define CHECK_ADDR(r, family, want) addr_at(__LINE__, &(r), family, want)

TEST(netrule_host_and_ports)
{
	struct sl_net_rule r = net_ok("api.openai.com:443");
	CHECK_EQ(r.proto, SL_PROTO_TCP);
	CHECK_EQ(r.target, SL_TARGET_NAME);
	CHECK_STR(r.host, "api.openai.com");
	CHECK(!r.ports.all);
	CHECK_PORTS(r, "443");
	netrule_free(&r);

	r = net_ok("github.com:443, 22 ,443");
	CHECK_STR(r.host, "github.com");
	CHECK_PORTS(r, "22,443"); /* sorted, deduplicated */
	netrule_free(&r);
	CHECK(r.host == NULL);
	netrule_free(NULL);
	/* names with digits, dashes and a numeric last label but one are names */
	r = net_ok("my-host-1.example:80");
	CHECK_STR(r.host, "my-host-1.example");
	netrule_free(&r);
	r = net_ok("1.2.3.4.nip.io:80");
	CHECK_EQ(r.target, SL_TARGET_NAME);
	netrule_free(&r);
}

TEST(netrule_any_host_and_any_port)
{
	const char *any_host[] = {":8080", "*:8080", " * : 8080 "};
	for (size_t i = 0; i < 3; i++) {
		struct sl_net_rule r = net_ok(any_host[i]);
		CHECK_EQ(r.target, SL_TARGET_ANY);
		CHECK(r.host == NULL);
		CHECK_PORTS(r, "8080");
		netrule_free(&r);
	}
	struct sl_net_rule r = net_ok("host:*");
	CHECK_STR(r.host, "host");
	CHECK(r.ports.all);
	CHECK_EQ(r.ports.n, 0);
	netrule_free(&r);
	const char *all[] = {":*", "*:*", "*:*,*"};
	for (size_t i = 0; i < 3; i++) {
		r = net_ok(all[i]);
		CHECK_EQ(r.target, SL_TARGET_ANY);
		CHECK(r.ports.all);
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
	CHECK_ADDR(r, AF_INET, "1.1.1.1");
	CHECK_PORTS(r, "53");
	netrule_free(&r);
	r = net_ok("udp://*:*");
	CHECK_EQ(r.proto, SL_PROTO_UDP);
	CHECK(r.target == SL_TARGET_ANY && r.ports.all);
	netrule_free(&r);
	r = net_ok("icmp://github.com");
	CHECK_EQ(r.proto, SL_PROTO_ICMP);
	CHECK_STR(r.host, "github.com");
	CHECK(portset_empty(&r.ports));
	netrule_free(&r);
	r = net_ok("icmp://*");
	CHECK_EQ(r.proto, SL_PROTO_ICMP);
	CHECK_EQ(r.target, SL_TARGET_ANY);
	netrule_free(&r);
}

TEST(netrule_ipv4_literals_and_ranges)
{
	struct sl_net_rule r = net_ok("192.168.1.5:22");
	CHECK_ADDR(r, AF_INET, "192.168.1.5");
	CHECK_EQ(r.addr.prefix, 32);
	netrule_free(&r);
	r = net_ok("10.0.0.0/8:443");
	CHECK_ADDR(r, AF_INET, "10.0.0.0/8");
	CHECK_EQ(r.addr.prefix, 8);
	CHECK_EQ(r.addr.addr[0], 10);
	netrule_free(&r);
	r = net_ok("0.0.0.0/0:*");
	CHECK_ADDR(r, AF_INET, "0.0.0.0/0");
	netrule_free(&r);
	r = net_ok("10.1.2.3/32:1");
	CHECK_ADDR(r, AF_INET, "10.1.2.3");
	netrule_free(&r);
	r = net_ok("udp://172.16.0.0/12:53");
	CHECK_ADDR(r, AF_INET, "172.16.0.0/12");
	netrule_free(&r);
	r = net_ok("icmp://10.0.0.0/8");
	CHECK_ADDR(r, AF_INET, "10.0.0.0/8");
	netrule_free(&r);
}

TEST(netrule_ipv6)
{
	struct sl_net_rule r = net_ok("[::1]:80");
	CHECK_ADDR(r, AF_INET6, "::1");
	CHECK_EQ(r.addr.prefix, 128);
	CHECK_PORTS(r, "80");
	netrule_free(&r);
	r = net_ok("udp://[2001:db8::53]:53");
	CHECK_ADDR(r, AF_INET6, "2001:db8::53");
	netrule_free(&r);
	/* unbracketed: split at the last colon, as 0.8.0 does */
	r = net_ok("::1:80");
	CHECK_ADDR(r, AF_INET6, "::1");
	netrule_free(&r);
	r = net_ok("icmp://[fe80::1]");
	CHECK_ADDR(r, AF_INET6, "fe80::1");
	netrule_free(&r);
	r = net_ok("[2001:db8::/32]:443");
	CHECK_ADDR(r, AF_INET6, "2001:db8::/32");
	netrule_free(&r);
	r = net_ok("2001:db8::/32:443");
	CHECK_ADDR(r, AF_INET6, "2001:db8::/32");
	netrule_free(&r);
	r = net_ok("[::/0]:80");
	CHECK_ADDR(r, AF_INET6, "::/0");
	netrule_free(&r);
	r = net_ok("icmp://[2001:db8:1::/48]");
	CHECK_ADDR(r, AF_INET6, "2001:db8:1::/48");
	netrule_free(&r);
	net_bad("[::1]", "expected host:port or :port");
	net_bad("[nothost]:80", "'[nothost]' is not an IPv6 address");
	net_bad("[10.0.0.1]:80", "'[10.0.0.1]' is not an IPv6 address");
	net_bad("[::1:80", "unbalanced");
	net_bad("a:b:80", "invalid host 'a:b'");
	net_bad("icmp://[::1]:80", "icmp rules take no port");
	net_bad("icmp://::1", "icmp rules take no port");
	net_bad("[fe80::1%eth0]:80", "is not an IPv6 address");
}

/* ::ffff:a.b.c.d is its IPv4 address, a range of prefix 96+ an IPv4 one. */
TEST(netrule_v4_mapped_is_ipv4)
{
	struct sl_net_rule r = net_ok("[::ffff:10.0.0.1]:80");
	CHECK_ADDR(r, AF_INET, "10.0.0.1");
	CHECK_EQ(r.addr.prefix, 32);
	netrule_free(&r);
	r = net_ok("::ffff:1.2.3.4:80");
	CHECK_ADDR(r, AF_INET, "1.2.3.4");
	netrule_free(&r);
	r = net_ok("[::ffff:10.0.0.0/104]:80");
	CHECK_ADDR(r, AF_INET, "10.0.0.0/8");
	netrule_free(&r);
	r = net_ok("[::ffff:0:0/96]:80");
	CHECK_ADDR(r, AF_INET, "0.0.0.0/0");
	netrule_free(&r);
	r = net_ok("icmp://[::ffff:127.0.0.1]");
	CHECK_ADDR(r, AF_INET, "127.0.0.1");
	netrule_free(&r);
	/* below 96 the range holds more than mapped addresses: IPv6 */
	r = net_ok("[::/80]:80");
	CHECK_ADDR(r, AF_INET6, "::/80");
	netrule_free(&r);
}

/* A range with host bits set is refused, naming the range it would be. */
TEST(netrule_range_errors)
{
	net_bad("10.0.0.1/8:443",
		"'10.0.0.1/8' has bits set past its prefix length (the range is 10.0.0.0/8)");
	net_bad("[2001:db8::1/32]:443", "'[2001:db8::1/32]' has bits set past its prefix length "
					"(the range is 2001:db8::/32)");
	net_bad("[::ffff:10.0.0.1/120]:1", "(the range is 10.0.0.0/24)");
	net_bad("icmp://192.168.1.1/16", "(the range is 192.168.0.0/16)");
	net_bad("10.0.0.0/33:1", "invalid prefix length in '10.0.0.0/33' (0-32)");
	net_bad("[::/129]:1", "invalid prefix length in '[::/129]' (0-128)");
	net_bad("10.0.0.0/:1", "invalid prefix length in '10.0.0.0/'");
	net_bad("10.0.0.0/-1:1", "invalid prefix length");
	net_bad("10.0.0.0/+8:1", "invalid prefix length");
	net_bad("10.0.0.0/0008:1", "invalid prefix length");
	net_bad("10.0.0.0/8/8:1", "invalid prefix length");
	net_bad("10.0.0.0/ 8:1", "invalid prefix length");
	net_bad("10.0.0/8:1", "invalid host '10.0.0/8' (a range is written a.b.c.d/N)");
	net_bad("a/b:443", "invalid host 'a/b'");
	net_bad("/8:443", "invalid host '/8'");
}

/* What the resolver would read as an address in another notation. */
TEST(netrule_numeric_names_refused)
{
	net_bad("010.0.0.1:80", "'010.0.0.1' reads as the address 8.0.0.1 (write IPv4 "
				"addresses as a.b.c.d)");
	net_bad("10.1:80", "reads as the address 10.0.0.1");
	net_bad("0x7f.1:80", "reads as the address 127.0.0.1");
	net_bad("2130706433:80", "reads as the address 127.0.0.1");
	net_bad("icmp://127.1", "reads as the address 127.0.0.1");
}

TEST(netrule_port_ranges)
{
	struct sl_net_rule r = net_ok("h:80-90");
	CHECK_PORTS(r, "80-90");
	CHECK_EQ(r.ports.n, 1);
	CHECK_EQ(r.ports.v[0].lo, 80);
	CHECK_EQ(r.ports.v[0].hi, 90);
	netrule_free(&r);
	r = net_ok("h:90-95,80-91, 443 ");
	CHECK_PORTS(r, "80-95,443");
	netrule_free(&r);
	r = net_ok("h:22,23,24,8080");
	CHECK_PORTS(r, "22-24,8080"); /* adjacent ports merge */
	netrule_free(&r);
	r = net_ok("h:1-65535");
	CHECK_PORTS(r, "1-65535");
	CHECK(!r.ports.all); /* '*' also holds port 0 */
	netrule_free(&r);
	r = net_ok("h:443-443");
	CHECK_PORTS(r, "443");
	netrule_free(&r);
	r = net_ok("udp://[::1]:5000-5010");
	CHECK_PORTS(r, "5000-5010");
	netrule_free(&r);
}

TEST(netrule_errors)
{
	net_bad("sctp://h:1", "unknown scheme 'sctp'");
	net_bad("icmp-raw://h", "unknown scheme 'icmp-raw'");
	net_bad("://h:1", "unknown scheme ''");
	net_bad("h:0", "port 0 is not valid");
	net_bad("h:abc", "invalid port 'abc'");
	net_bad("h:", "invalid port ''");
	net_bad("h:80,", "invalid port '' (an empty item in the list)");
	net_bad("h:80,,81", "an empty item in the list");
	net_bad("h:,80", "an empty item in the list");
	net_bad("h:-1", "invalid port range '-1' (write lo-hi)");
	net_bad("h:+80", "invalid port '+80'");
	net_bad("h:65536", "port 65536 is out of range (1-65535)");
	net_bad("h:99999999999999999999", "out of range");
	net_bad("h:*,80", "cannot mix '*' with port numbers");
	net_bad("h:80,*", "cannot mix '*' with port numbers");
	net_bad("h:*,80-90", "cannot mix '*' with port numbers");
	net_bad("h:90-80", "invalid port range '90-80': 90 is above 80");
	net_bad("h:0-10", "port 0 is not valid");
	net_bad("h:1-65536", "port 65536 is out of range");
	net_bad("h:80-", "invalid port range '80-'");
	net_bad("h:1-2-3", "invalid port range '1-2-3'");
	net_bad("h:80 - 90", "invalid port range '80 - 90'");
	net_bad("h:*-80", "invalid port range '*-80'");
	net_bad("github.com", "expected host:port or :port");
	net_bad("", "expected host:port or :port");
	net_bad("udp://h", "expected host:port or :port");
	net_bad("icmp://h:80", "icmp rules take no port");
	net_bad("icmp://10.0.0.0/8:80", "icmp rules take no port");
	net_bad("icmp://", "icmp rule needs a host or '*'");
	net_bad("icmp://  ", "icmp rule needs a host or '*'");
	net_bad("*.example.com:443", "host wildcards");
	net_bad("a b:443", "invalid host 'a b'");
	net_bad("[::1]x:80", "unexpected 'x' after ']' in host '[::1]x'");
	net_bad("[::1]]:80", "unexpected ']' after ']'");
	net_bad("icmp://[::1]junk", "unexpected 'junk' after ']'");
	net_bad("[]:80", "'[]' is not an IPv6 address");
	struct sl_net_rule r;
	CHECK_EQ(netrule_parse("net_allow", NULL, &r), -EINVAL);
	CHECK_STR(sl_error_get(), "net_allow: rule is NULL");
}

/* Each list's errors carry its own name. */
TEST(netrule_list_name_in_messages)
{
	bad_at(__LINE__, "net_deny", "h:0", "port 0 is not valid");
	bad_at(__LINE__, "net_deny", "10.0.0.1/8:*", "has bits set past its prefix length");
	CHECK_STR(sl_error_get(), "net_deny: '10.0.0.1/8:*': '10.0.0.1/8' has bits set past its "
				  "prefix length (the range is 10.0.0.0/8)");
	struct sl_net_rule r;
	CHECK_EQ(netrule_parse("net_deny", NULL, &r), -EINVAL);
	CHECK_STR(sl_error_get(), "net_deny: rule is NULL");
	CHECK_EQ(netrule_parse("net_deny", "10.0.0.0/8:*", &r), 0);
	netrule_free(&r);
}

TEST(netrule_ports_edges)
{
	struct sl_net_rule r = net_ok("h:1,65535");
	CHECK_PORTS(r, "1,65535");
	netrule_free(&r);
	r = net_ok("  h : 080  ");
	CHECK_STR(r.host, "h");
	CHECK_PORTS(r, "80");
	netrule_free(&r);
}

TEST(netrule_long_rule_message_is_bounded)
{
	char spec[4000];
	memset(spec, 'a', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = 0;
	struct sl_net_rule r;
	CHECK_EQ(netrule_parse("net_allow", spec, &r), -EINVAL);
	CHECK_CONTAINS(sl_error_get(), "...': expected host:port or :port");
	/* a host name DNS could not hold */
	spec[254] = ':';
	spec[255] = '1';
	spec[256] = 0;
	CHECK_EQ(netrule_parse("net_allow", spec, &r), -EINVAL);
	CHECK_CONTAINS(sl_error_get(), "host name longer than 253 characters");
	spec[253] = ':';
	spec[254] = '1';
	spec[255] = 0;
	CHECK_EQ(netrule_parse("net_allow", spec, &r), 0);
	netrule_free(&r);
}

/* The canonical text parses back to an equal rule. */
TEST(netrule_format_round_trip)
{
	static const struct {
		const char *spec, *text;
	} cases[] = {
	    {"api.openai.com:443", "tcp://api.openai.com:443"},
	    {":*", "tcp://*:*"},
	    {"*:8080", "tcp://*:8080"},
	    {"udp://[::1]:53", "udp://[::1]:53"},
	    {"10.0.0.0/8:443,80-90,81", "tcp://10.0.0.0/8:80-90,443"},
	    {"[2001:db8::/32]:22", "tcp://[2001:db8::/32]:22"},
	    {"::1:80", "tcp://[::1]:80"},
	    {"[::ffff:1.2.3.0/120]:1-3", "tcp://1.2.3.0/24:1-3"},
	    {"icmp://*", "icmp://*"},
	    {"icmp://[::ffff:1.2.3.4]", "icmp://1.2.3.4"},
	    {"icmp://h", "icmp://h"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_net_rule a = net_ok(cases[i].spec), b;
		char *text = NULL;
		CHECK_EQ(netrule_format(&a, &text), 0);
		CHECK_STR(text, cases[i].text);
		b = net_ok(text);
		CHECK(netrule_equal(&a, &b));
		free(text);
		netrule_free(&a);
		netrule_free(&b);
	}
}

TEST(netrule_equal)
{
	struct sl_net_rule a = net_ok("h:80,81"), b = net_ok("tcp://h:80-81");
	struct sl_net_rule c = net_ok("udp://h:80,81"), d = net_ok("H:80,81");
	CHECK(netrule_equal(&a, &b));
	CHECK(!netrule_equal(&a, &c));
	CHECK(!netrule_equal(&a, &d)); /* names compare exactly */
	netrule_free(&a);
	netrule_free(&b);
	netrule_free(&c);
	netrule_free(&d);
	a = net_ok("10.0.0.0/8:1");
	b = net_ok("[::ffff:10.0.0.0/104]:1");
	c = net_ok("10.0.0.0/9:1");
	CHECK(netrule_equal(&a, &b));
	CHECK(!netrule_equal(&a, &c));
	netrule_free(&a);
	netrule_free(&b);
	netrule_free(&c);
}

/* An HTTP rule's host: IP literals become addresses. */
TEST(netrule_set_host)
{
	struct sl_net_rule r = {.proto = SL_PROTO_TCP};
	CHECK_EQ(netrule_set_host(&r, NULL), 0);
	CHECK_EQ(r.target, SL_TARGET_ANY);
	CHECK_EQ(netrule_set_host(&r, "*"), 0);
	CHECK_EQ(r.target, SL_TARGET_ANY);
	CHECK_EQ(netrule_set_host(&r, "example.com"), 0);
	CHECK_EQ(r.target, SL_TARGET_NAME);
	CHECK_STR(r.host, "example.com");
	CHECK_EQ(netrule_set_host(&r, "1.2.3.4"), 0);
	CHECK_ADDR(r, AF_INET, "1.2.3.4");
	CHECK_EQ(netrule_set_host(&r, "::1"), 0);
	CHECK_ADDR(r, AF_INET6, "::1");
	CHECK_EQ(netrule_set_host(&r, "[2001:db8::1]"), 0);
	CHECK_ADDR(r, AF_INET6, "2001:db8::1");
	CHECK_EQ(netrule_set_host(&r, "::ffff:1.2.3.4"), 0);
	CHECK_ADDR(r, AF_INET, "1.2.3.4");
	netrule_free(&r);
}

TEST(netrule_copy_is_deep)
{
	struct sl_net_rule a = net_ok("h:1,2,7-9"), b;
	CHECK_EQ(netrule_copy(&b, &a), 0);
	CHECK(b.host != a.host && b.ports.v != a.ports.v);
	CHECK(netrule_equal(&a, &b));
	netrule_free(&a);
	CHECK_STR(b.host, "h");
	CHECK_PORTS(b, "1-2,7-9");
	netrule_free(&b);
	a = net_ok("[2001:db8::/32]:*");
	CHECK_EQ(netrule_copy(&b, &a), 0);
	CHECK(netrule_equal(&a, &b));
	netrule_free(&a);
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
	/* a backslash separates, as some servers read it */
	norm_is("/x%5C..%5Cadmin", false, "/admin");
	norm_is("/x%5c..%5cadmin/y", false, "/admin/y");
	norm_is("/a\\b", false, "/a/b");
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
