/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_netaddr.c - what network rules are made of: port sets (and the bind
 * specs, which are port sets) and IP addresses and CIDR ranges.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/un.h>

#include "error.h"
#include "harness.h"
#include "netaddr.h"
#include "policy.h"
#include "portset.h"

/* ---- port sets ----------------------------------------------------------------- */

static void set_is_at(int line, const struct sl_portset *s, const char *want)
{
	char *t = NULL;
	if (portset_format(s, &t) < 0 || strcmp(t, want) != 0)
		th_fail(__FILE__, line, "set \"%s\", wanted \"%s\"", t ? t : "(null)", want);
	free(t);
}
#define CHECK_SET(s, want) set_is_at(__LINE__, &(s), want)

static struct sl_portset bind_ok_at(int line, const char *spec)
{
	struct sl_portset s;
	if (portset_parse("net_allow_bind", spec, spec, true, &s) != 0)
		th_fail(__FILE__, line, "'%s' rejected: %s", spec, sl_error_get());
	return s;
}
#define bind_ok(spec) bind_ok_at(__LINE__, spec)

/* The spec fails with exactly "net_deny_bind: '<spec>': <why>". */
static void bind_bad_at(int line, const char *spec, const char *why)
{
	struct sl_portset s;
	char want[512];
	sl_error_clear();
	if (portset_parse("net_deny_bind", spec, spec, true, &s) != -EINVAL)
		th_fail(__FILE__, line, "'%s' accepted", spec);
	snprintf(want, sizeof(want), "net_deny_bind: '%s': %s", spec, why);
	if (strcmp(sl_error_get(), want) != 0)
		th_fail(__FILE__, line, "message \"%s\", wanted \"%s\"", sl_error_get(), want);
	if (s.v || s.n || s.all)
		th_fail(__FILE__, line, "'%s': the failed set holds something", spec);
}
#define bind_bad(spec, why) bind_bad_at(__LINE__, spec, why)

TEST(portset_bind_specs)
{
	struct sl_portset s = bind_ok("8080");
	CHECK_SET(s, "8080");
	CHECK_EQ(portset_count(&s), 1);
	portset_free(&s);
	s = bind_ok("*");
	CHECK(s.all);
	CHECK_SET(s, "*");
	CHECK_EQ(portset_count(&s), 65536);
	CHECK(portset_contains(&s, 0) && portset_contains(&s, 65535));
	portset_free(&s);
	s = bind_ok(" 3000-3999 , 80,443, 3500-4100,81 ");
	CHECK_SET(s, "80-81,443,3000-4100"); /* sorted, overlaps and neighbours merged */
	CHECK_EQ(s.n, 3);
	CHECK_EQ(portset_count(&s), 2 + 1 + 1101);
	portset_free(&s);
	s = bind_ok("1-65535");
	CHECK(!s.all);
	CHECK(!portset_contains(&s, 0));
	portset_free(&s);
	s = bind_ok("*,*");
	CHECK(s.all);
	portset_free(&s);
}

TEST(portset_bind_spec_errors)
{
	bind_bad("0", "port 0 is not allowed (it would let the sandbox bind an ephemeral port)");
	bind_bad("0-100",
		 "port 0 is not allowed (it would let the sandbox bind an ephemeral port)");
	bind_bad("9000-8000", "invalid port range '9000-8000': 9000 is above 8000");
	bind_bad("65536", "port 65536 is out of range (1-65535)");
	bind_bad("1-70000", "port 70000 is out of range (1-65535)");
	bind_bad("", "invalid port '' (an empty item in the list)");
	bind_bad("80,", "invalid port '' (an empty item in the list)");
	bind_bad("80,,90", "invalid port '' (an empty item in the list)");
	bind_bad("http", "invalid port 'http'");
	bind_bad("-", "invalid port range '-' (write lo-hi)");
	bind_bad("80-", "invalid port range '80-' (write lo-hi)");
	bind_bad("*,80", "cannot mix '*' with port numbers");
	bind_bad("8080-*", "invalid port range '8080-*' (write lo-hi)");
}

TEST(portset_operations)
{
	struct sl_portset a = {0}, b = {0};
	CHECK(portset_empty(&a));
	CHECK_SET(a, "");
	CHECK_EQ(portset_add(&a, 10, 20), 0);
	CHECK_EQ(portset_add(&a, 30, 40), 0);
	CHECK_EQ(portset_add(&a, 21, 29), 0); /* fills the gap: one range */
	CHECK_SET(a, "10-40");
	CHECK_EQ(portset_add(&a, 5, 4), 0); /* lo > hi adds nothing */
	CHECK_SET(a, "10-40");
	CHECK_EQ(portset_add(&b, 15, 15), 0);
	CHECK_EQ(portset_add(&b, 40, 50), 0);
	CHECK_EQ(portset_subtract(&a, &b), 0);
	CHECK_SET(a, "10-14,16-39");
	CHECK(portset_contains(&a, 10) && portset_contains(&a, 14) && portset_contains(&a, 39));
	CHECK(!portset_contains(&a, 15) && !portset_contains(&a, 40) && !portset_contains(&a, 9));
	CHECK(!portset_contains(&a, 65536 + 10));
	CHECK_EQ(portset_union(&a, &b), 0);
	CHECK_SET(a, "10-50");
	portset_free(&b);

	/* everything less a few ports, and back */
	b = (struct sl_portset){.all = true};
	struct sl_portset c = bind_ok("22,80-90");
	CHECK_EQ(portset_subtract(&b, &c), 0);
	CHECK_SET(b, "0-21,23-79,91-65535");
	CHECK_EQ(portset_count(&b), 65536 - 12);
	CHECK_EQ(portset_union(&b, &c), 0);
	CHECK(b.all); /* 0-65535 is stored as '*' */
	struct sl_portset all = {.all = true};
	CHECK_EQ(portset_subtract(&c, &all), 0);
	CHECK(portset_empty(&c));
	CHECK_EQ(portset_add(&c, 0, 65535), 0);
	CHECK(c.all && c.n == 0);
	CHECK(portset_equal(&b, &c));
	CHECK(!portset_equal(&a, &c));
	portset_free(&a);
	portset_free(&b);
	portset_free(&c);
	portset_free(NULL);
}

TEST(portset_copy_is_deep)
{
	struct sl_portset a = bind_ok("1,5-7"), b;
	CHECK_EQ(portset_copy(&b, &a), 0);
	CHECK(b.v != a.v && portset_equal(&a, &b));
	portset_free(&a);
	CHECK_SET(b, "1,5-7");
	CHECK_EQ(portset_add(&b, 2, 2), 0); /* the copy can grow */
	CHECK_SET(b, "1-2,5-7");
	portset_free(&b);
}

/* ---- addresses ----------------------------------------------------------------- */

static struct sl_net_addr addr_at(int line, const char *s)
{
	struct sl_net_addr a;
	if (netaddr_parse(s, 0, &a) != NETADDR_OK)
		th_fail(__FILE__, line, "'%s' is not an address", s);
	return a;
}
#define ADDR(s) addr_at(__LINE__, s)

static bool in(const char *net, const char *ip)
{
	struct sl_net_addr n = ADDR(net), a = ADDR(ip);
	return netaddr_contains(&n, &a);
}

TEST(netaddr_parse_forms)
{
	struct sl_net_addr a;
	char s[NETADDR_STRLEN];
	CHECK_EQ(netaddr_parse("10.0.0.0/8", 0, &a), NETADDR_OK);
	CHECK(a.family == AF_INET && a.prefix == 8 && a.addr[0] == 10 && a.addr[4] == 0);
	CHECK_EQ(netaddr_parse("10.0.0.0/8", AF_INET6, &a), NETADDR_BAD_ADDR);
	CHECK_EQ(netaddr_parse("::1", AF_INET, &a), NETADDR_BAD_ADDR);
	CHECK_EQ(netaddr_parse("::1", AF_INET6, &a), NETADDR_OK);
	CHECK(a.family == AF_INET6 && a.prefix == 128 && a.addr[15] == 1);
	CHECK_EQ(netaddr_parse("10.0.0.1/8", 0, &a), NETADDR_HOST_BITS);
	netaddr_format(&a, s);
	CHECK_STR(s, "10.0.0.0/8"); /* the range, for the message */
	CHECK_EQ(netaddr_parse("10.0.0.0/33", 0, &a), NETADDR_BAD_PREFIX);
	CHECK_EQ(netaddr_parse("::/129", 0, &a), NETADDR_BAD_PREFIX);
	CHECK_EQ(netaddr_parse("::/128", 0, &a), NETADDR_OK);
	CHECK_EQ(netaddr_parse("1.2.3", 0, &a), NETADDR_BAD_ADDR);
	CHECK_EQ(netaddr_parse("01.2.3.4", 0, &a), NETADDR_BAD_ADDR);
	CHECK_EQ(netaddr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", 0, &a),
		 NETADDR_OK);
	CHECK_EQ(netaddr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555", 0, &a),
		 NETADDR_BAD_ADDR);
	CHECK_EQ(netaddr_parse("::ffff:192.0.2.1", 0, &a), NETADDR_OK);
	CHECK(a.family == AF_INET && a.prefix == 32);
	netaddr_format(&a, s);
	CHECK_STR(s, "192.0.2.1");
	struct sl_net_addr odd = {.family = 99};
	netaddr_format(&odd, s);
	CHECK_STR(s, "?");
}

TEST(netaddr_containment)
{
	/* /0 */
	CHECK(in("0.0.0.0/0", "255.255.255.255"));
	CHECK(in("0.0.0.0/0", "0.0.0.0"));
	CHECK(!in("0.0.0.0/0", "::1")); /* the families stay apart */
	CHECK(in("::/0", "2001:db8::1"));
	CHECK(!in("::/0", "10.0.0.1"));
	CHECK(!in("::/0", "::ffff:10.0.0.1")); /* that is 10.0.0.1 */
	/* /8, /9, /31, /32 */
	CHECK(in("10.0.0.0/8", "10.255.255.255"));
	CHECK(!in("10.0.0.0/8", "11.0.0.0"));
	CHECK(!in("10.0.0.0/8", "9.255.255.255"));
	CHECK(in("10.128.0.0/9", "10.200.0.1"));
	CHECK(!in("10.128.0.0/9", "10.127.255.255"));
	CHECK(in("192.0.2.0/31", "192.0.2.1"));
	CHECK(!in("192.0.2.0/31", "192.0.2.2"));
	CHECK(in("192.0.2.7", "192.0.2.7"));
	CHECK(!in("192.0.2.7", "192.0.2.6"));
	/* /64, /127, /128 */
	CHECK(in("2001:db8:0:1::/64", "2001:db8:0:1:ffff:ffff:ffff:ffff"));
	CHECK(!in("2001:db8:0:1::/64", "2001:db8:0:2::"));
	CHECK(in("2001:db8::/127", "2001:db8::1"));
	CHECK(!in("2001:db8::/127", "2001:db8::2"));
	CHECK(in("::1", "::1"));
	CHECK(!in("::1", "::2"));
	/* v4-mapped ranges are IPv4 ranges; a mapped address is its IPv4 one */
	CHECK(in("::ffff:10.0.0.0/104", "10.9.8.7"));
	CHECK(in("10.0.0.0/8", "::ffff:10.9.8.7"));
	/* not canonicalised by hand: still compared as IPv4 */
	struct sl_net_addr mapped = {.family = AF_INET6, .prefix = 128};
	mapped.addr[10] = mapped.addr[11] = 0xff;
	mapped.addr[12] = 10;
	mapped.addr[15] = 1;
	struct sl_net_addr net = ADDR("10.0.0.0/8");
	CHECK(netaddr_contains(&net, &mapped));
	/* nonsense is never contained */
	struct sl_net_addr bad_prefix = net;
	bad_prefix.prefix = 33;
	CHECK(!netaddr_contains(&bad_prefix, &net));
	struct sl_net_addr bad_family = {.family = 1};
	CHECK(!netaddr_contains(&bad_family, &bad_family));
}

TEST(netaddr_from_sockaddr)
{
	struct sl_net_addr a;
	uint16_t port;
	char s[NETADDR_STRLEN];
	struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = htons(443)};
	inet_pton(AF_INET, "192.0.2.9", &in4.sin_addr);
	CHECK_EQ(netaddr_from_sockaddr(&in4, sizeof(in4), &a, &port), 0);
	netaddr_format(&a, s);
	CHECK_STR(s, "192.0.2.9");
	CHECK_EQ(port, 443);
	CHECK_EQ(netaddr_from_sockaddr(&in4, sizeof(in4) - 1, &a, &port), -EINVAL);

	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(53)};
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr);
	CHECK_EQ(netaddr_from_sockaddr(&in6, sizeof(in6), &a, &port), 0);
	CHECK_EQ(a.family, AF_INET);
	netaddr_format(&a, s);
	CHECK_STR(s, "10.1.2.3");
	CHECK_EQ(port, 53);
	/* without sin6_scope_id, as the kernel takes it */
	inet_pton(AF_INET6, "2001:db8::5", &in6.sin6_addr);
	CHECK_EQ(netaddr_from_sockaddr(&in6, 24, &a, &port), 0);
	netaddr_format(&a, s);
	CHECK_STR(s, "2001:db8::5");
	CHECK_EQ(netaddr_from_sockaddr(&in6, 23, &a, &port), -EINVAL);

	/* at an odd address: read byte-wise */
	unsigned char buf[sizeof(in4) + 1];
	memcpy(buf + 1, &in4, sizeof(in4));
	CHECK_EQ(netaddr_from_sockaddr(buf + 1, sizeof(in4), &a, &port), 0);
	CHECK_EQ(port, 443);

	struct sockaddr_un un = {.sun_family = AF_UNIX};
	CHECK_EQ(netaddr_from_sockaddr(&un, sizeof(un), &a, &port), -EAFNOSUPPORT);
	sa_family_t unspec = AF_UNSPEC;
	CHECK_EQ(netaddr_from_sockaddr(&unspec, sizeof(unspec), &a, &port), -EAFNOSUPPORT);
	CHECK_EQ(netaddr_from_sockaddr(&unspec, 1, &a, &port), -EINVAL);
	CHECK_EQ(netaddr_from_sockaddr(&unspec, 0, &a, &port), -EINVAL);
}
