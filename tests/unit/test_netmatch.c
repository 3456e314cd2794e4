/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_netmatch.c - the network policy's matcher: the truth table of the
 * allow and deny lists, host tables, what Landlock alone can enforce, the
 * bind ports.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/un.h>

#include "error.h"
#include "harness.h"
#include "netaddr.h"
#include "netmatch.h"
#include "netrule.h"
#include "policy.h"
#include "portset.h"

static void set_is_at(int line, const struct sl_portset *s, const char *want)
{
	char *t = NULL;
	if (portset_format(s, &t) < 0 || strcmp(t, want) != 0)
		th_fail(__FILE__, line, "set \"%s\", wanted \"%s\"", t ? t : "(null)", want);
	free(t);
}
#define CHECK_SET(s, want) set_is_at(__LINE__, &(s), want)

static struct sl_net_addr addr_at(int line, const char *s)
{
	struct sl_net_addr a;
	if (netaddr_parse(s, 0, &a) != NETADDR_OK)
		th_fail(__FILE__, line, "'%s' is not an address", s);
	return a;
}
#define ADDR(s) addr_at(__LINE__, s)

/* ---- the matcher ------------------------------------------------------------------ */

/* Rules of one list, parsed from a NULL-terminated array. */
struct list {
	struct sl_net_rule v[8];
	size_t n;
};

static void parse_list(struct list *l, const char *name, const char *const *specs)
{
	l->n = 0;
	for (; specs && *specs; specs++)
		if (netrule_parse(name, *specs, &l->v[l->n++]) != 0)
			th_fail(__FILE__, __LINE__, "'%s': %s", *specs, sl_error_get());
}

static void free_list(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		netrule_free(&l->v[i]);
	l->n = 0;
}

/* The names the tests resolve: "svc" has an IPv4 and an IPv6 address,
 * "empty" none. */
static const struct sl_net_addr svc_addrs[] = {
    {AF_INET, 32, {192, 0, 2, 10}},
    {AF_INET6, 128, {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10}},
};
static const struct sl_net_host hosts[] = {
    {"svc", svc_addrs, 2},
    {"empty", NULL, 0},
};

/* A policy: allow (NULL: no allow list; {NULL}: an empty one) and deny. */
struct policy {
	struct list allow, deny;
	struct sl_net_acl acl;
	struct netmatch_lists lists;
};

static void policy_make(struct policy *p, const char *const *allow, const char *const *deny)
{
	parse_list(&p->allow, "net_allow", allow);
	parse_list(&p->deny, "net_deny", deny);
	p->lists = (struct netmatch_lists){
	    .allow = p->allow.v,
	    .n_allow = p->allow.n,
	    .has_allow = allow != NULL,
	    .deny = p->deny.v,
	    .n_deny = p->deny.n,
	};
	if (netmatch_acl_build(&p->acl, &p->lists, hosts, 2) != 0)
		th_fail(__FILE__, __LINE__, "acl: %s", sl_error_get());
}

static void policy_free(struct policy *p)
{
	netmatch_acl_free(&p->acl);
	free_list(&p->allow);
	free_list(&p->deny);
}

static enum sl_net_verdict decide(const struct policy *p, enum sl_proto proto, const char *ip,
				  uint32_t port)
{
	struct sl_net_addr a = ADDR(ip);
	enum sl_net_verdict v = netmatch_decide(&p->acl, proto, &a, port);
	/* deterministic */
	if (netmatch_decide(&p->acl, proto, &a, port) != v)
		th_fail(__FILE__, __LINE__, "two verdicts on %s:%u", ip, port);
	return v;
}

#define TCP  SL_PROTO_TCP
#define UDP  SL_PROTO_UDP
#define ICMP SL_PROTO_ICMP
#define A    SL_NET_ALLOW
#define D    SL_NET_DENY
#define LIST(...)                                                                                  \
	(const char *const[])                                                                      \
	{                                                                                          \
		__VA_ARGS__, NULL                                                                  \
	}

TEST(netmatch_no_policy)
{
	struct policy p;
	policy_make(&p, NULL, NULL);
	CHECK_EQ(decide(&p, TCP, "1.2.3.4", 80), SL_NET_NO_POLICY);
	CHECK_EQ(decide(&p, UDP, "::1", 53), SL_NET_NO_POLICY);
	CHECK_EQ(decide(&p, ICMP, "10.0.0.1", 0), SL_NET_NO_POLICY);
	CHECK(netmatch_tcp_pure_ports(&p.lists));
	struct sl_portset s;
	CHECK_EQ(netmatch_tcp_ports(&p.lists, &s), 0);
	CHECK(portset_empty(&s)); /* 0.8.0's default: no TCP connect */
	policy_free(&p);
}

TEST(netmatch_allow_only)
{
	struct policy p;
	policy_make(&p, LIST(":443", "svc:8000-8080,22", "udp://10.0.0.0/8:53"), NULL);
	CHECK_EQ(decide(&p, TCP, "1.2.3.4", 443), A);
	CHECK_EQ(decide(&p, TCP, "2001:db8::99", 443), A);
	CHECK_EQ(decide(&p, TCP, "1.2.3.4", 80), D);
	CHECK_EQ(decide(&p, UDP, "1.2.3.4", 443), D); /* a TCP rule is TCP's only */
	CHECK_EQ(decide(&p, TCP, "192.0.2.10", 8000), A);
	CHECK_EQ(decide(&p, TCP, "192.0.2.10", 8080), A);
	CHECK_EQ(decide(&p, TCP, "2001:db8::10", 22), A);
	CHECK_EQ(decide(&p, TCP, "192.0.2.10", 8081), D);
	CHECK_EQ(decide(&p, TCP, "192.0.2.10", 23), D);
	CHECK_EQ(decide(&p, TCP, "192.0.2.11", 8000), D);
	CHECK_EQ(decide(&p, TCP, "192.0.2.10", 0), D);
	CHECK_EQ(decide(&p, TCP, "192.0.2.10", 65536 + 8000), D);
	CHECK_EQ(decide(&p, UDP, "10.20.30.40", 53), A);
	CHECK_EQ(decide(&p, UDP, "11.0.0.1", 53), D);
	CHECK_EQ(decide(&p, TCP, "10.20.30.40", 53), D);
	CHECK_EQ(decide(&p, ICMP, "10.20.30.40", 0), D);
	policy_free(&p);
}

TEST(netmatch_deny_only)
{
	struct policy p;
	policy_make(&p, NULL, LIST("10.0.0.0/8:*", "[2001:db8::/32]:25", "udp://*:53"));
	CHECK_EQ(decide(&p, TCP, "10.1.2.3", 80), D);
	CHECK_EQ(decide(&p, TCP, "11.0.0.1", 80), A);
	CHECK_EQ(decide(&p, TCP, "::ffff:10.1.2.3", 80), D);
	CHECK_EQ(decide(&p, UDP, "10.1.2.3", 80), A); /* the deny rule is TCP's */
	CHECK_EQ(decide(&p, TCP, "2001:db8:1::1", 25), D);
	CHECK_EQ(decide(&p, TCP, "2001:db8:1::1", 26), A);
	CHECK_EQ(decide(&p, TCP, "2001:db9::1", 25), A);
	CHECK_EQ(decide(&p, UDP, "8.8.8.8", 53), D);
	CHECK_EQ(decide(&p, UDP, "8.8.8.8", 54), A);
	CHECK_EQ(decide(&p, ICMP, "10.1.2.3", 0), A);
	policy_free(&p);
}

TEST(netmatch_allow_and_deny)
{
	struct policy p;
	policy_make(&p, LIST(":80,443", "icmp://*"), LIST("10.0.0.0/8:443", "icmp://svc"));
	CHECK_EQ(decide(&p, TCP, "10.0.0.1", 443), D);
	CHECK_EQ(decide(&p, TCP, "10.0.0.1", 80), A);
	CHECK_EQ(decide(&p, TCP, "8.8.8.8", 443), A);
	CHECK_EQ(decide(&p, TCP, "8.8.8.8", 22), D); /* not allowed at all */
	CHECK_EQ(decide(&p, ICMP, "8.8.8.8", 0), A);
	CHECK_EQ(decide(&p, ICMP, "192.0.2.10", 0), D);
	CHECK_EQ(decide(&p, ICMP, "2001:db8::10", 7), D);
	policy_free(&p);
}

/* An allow list that is there but empty lets nothing out. */
TEST(netmatch_empty_allow_list_denies_everything)
{
	static const char *const none[] = {NULL};
	struct policy p;
	policy_make(&p, none, NULL);
	CHECK(p.acl.has_allow && p.acl.n_allow == 0);
	CHECK_EQ(decide(&p, TCP, "1.2.3.4", 80), D);
	CHECK_EQ(decide(&p, UDP, "::1", 53), D);
	CHECK_EQ(decide(&p, ICMP, "127.0.0.1", 0), D);
	struct sl_portset s;
	CHECK_EQ(netmatch_tcp_ports(&p.lists, &s), 0);
	CHECK(portset_empty(&s));
	policy_free(&p);
	policy_make(&p, none, LIST("10.0.0.0/8:*"));
	CHECK_EQ(decide(&p, TCP, "1.2.3.4", 80), D);
	policy_free(&p);
}

/* A v4-mapped destination is matched as its IPv4 address, both ways. */
TEST(netmatch_v4_mapped_destinations)
{
	struct policy p;
	policy_make(&p, LIST("10.0.0.0/8:80", "[::/0]:443"), LIST("[::ffff:10.9.0.0/112]:80"));
	struct sl_net_addr mapped = {.family = AF_INET6, .prefix = 128};
	mapped.addr[10] = mapped.addr[11] = 0xff;
	mapped.addr[12] = 10;
	mapped.addr[15] = 1;
	CHECK_EQ(netmatch_decide(&p.acl, TCP, &mapped, 80), A);
	CHECK_EQ(netmatch_decide(&p.acl, TCP, &mapped, 443), D); /* ::/0 is IPv6 only */
	mapped.addr[13] = 9;
	CHECK_EQ(netmatch_decide(&p.acl, TCP, &mapped, 80), D); /* the mapped deny */
	CHECK_EQ(decide(&p, TCP, "10.9.0.1", 80), D);
	CHECK_EQ(decide(&p, TCP, "2001:db8::1", 443), A);

	/* through the socket address the child passed */
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
	inet_pton(AF_INET6, "::ffff:10.1.1.1", &in6.sin6_addr);
	CHECK_EQ(netmatch_sockaddr(&p.acl, TCP, &in6, sizeof(in6)), A);
	inet_pton(AF_INET6, "::ffff:10.9.1.1", &in6.sin6_addr);
	CHECK_EQ(netmatch_sockaddr(&p.acl, TCP, &in6, sizeof(in6)), D);
	struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = htons(80)};
	inet_pton(AF_INET, "10.9.1.1", &in4.sin_addr);
	CHECK_EQ(netmatch_sockaddr(&p.acl, TCP, &in4, sizeof(in4)), D);
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	CHECK_EQ(netmatch_sockaddr(&p.acl, TCP, &un, sizeof(un)), -EAFNOSUPPORT);
	CHECK_EQ(netmatch_sockaddr(&p.acl, TCP, &in4, 8), -EINVAL);
	policy_free(&p);
}

/* IPv6 forms that reach an IPv4 host where the network translates or
 * tunnels them: NAT64's well-known prefix (64:ff9b::/96, RFC 6052), a
 * v4-compatible address (::a.b.c.d, the kernel's sit tunnel) and 6to4
 * (2002:a.b.c.d::/48, the tunnel's endpoint).  A deny of the IPv4 host
 * covers them; an allow of it does not: they must be allowed as they
 * are written. */
TEST(netmatch_ipv4_embedded_in_ipv6)
{
	struct policy p;
	policy_make(&p, NULL, LIST("10.0.0.0/8:*", "udp://10.0.0.0/8:*"));
	static const char *const denied[] = {"64:ff9b::a00:1", "::10.1.2.3", "2002:a01:203::1"};
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		if (decide(&p, TCP, denied[i], 80) != D)
			th_fail(__FILE__, __LINE__, "%s allowed", denied[i]);
		CHECK_EQ(decide(&p, UDP, denied[i], 53), D);
		CHECK_EQ(decide(&p, ICMP, denied[i], 0), A); /* no ICMP rule denies it */
	}
	static const char *const allowed[] = {"64:ff9b::b00:1",	 "::11.1.2.3",
					      "2002:b01:203::1", "64:ff9b:1::a00:1",
					      "2001:db8::a00:1", "::1"};
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (decide(&p, TCP, allowed[i], 80) != A)
			th_fail(__FILE__, __LINE__, "%s denied", allowed[i]);
	policy_free(&p);
	policy_make(&p, LIST("10.0.0.1:80", "[64:ff9b::a00:2]:80"), NULL);
	CHECK_EQ(decide(&p, TCP, "10.0.0.1", 80), A);
	CHECK_EQ(decide(&p, TCP, "64:ff9b::a00:1", 80), D);
	CHECK_EQ(decide(&p, TCP, "64:ff9b::a00:2", 80), A);
	policy_free(&p);
}

/* An unspecified destination is rewritten to the loopback the kernel
 * reaches with it (0.0.0.0, ::, ::ffff:0.0.0.0), nothing else; too
 * short an address or another family is left alone. */
TEST(netmatch_unspecified_is_the_loopback)
{
	char text[INET6_ADDRSTRLEN];
	struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = htons(80)};
	CHECK(netmatch_sockaddr_pin_unspecified(&in4, sizeof(in4)));
	CHECK_STR(inet_ntop(AF_INET, &in4.sin_addr, text, sizeof(text)), "127.0.0.1");
	CHECK_EQ(ntohs(in4.sin_port), 80);
	CHECK(!netmatch_sockaddr_pin_unspecified(&in4, sizeof(in4)));
	in4.sin_addr.s_addr = 0;
	CHECK(!netmatch_sockaddr_pin_unspecified(&in4, sizeof(in4) - 1));
	static const char *const v6[][2] = {
	    {"::", "::1"},	  {"::ffff:0.0.0.0", "::ffff:127.0.0.1"},
	    {"::1", NULL},	  {"::ffff:10.0.0.1", NULL},
	    {"2001:db8::", NULL}, {"fe80::", NULL}};
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
		CHECK(inet_pton(AF_INET6, v6[i][0], &in6.sin6_addr) == 1);
		CHECK_EQ(netmatch_sockaddr_pin_unspecified(&in6, 24), v6[i][1] != NULL);
		inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
		CHECK_STR(text, v6[i][1] ? v6[i][1] : v6[i][0]);
	}
	struct sockaddr_in6 short6 = {.sin6_family = AF_INET6};
	CHECK(!netmatch_sockaddr_pin_unspecified(&short6, 23));
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	CHECK(!netmatch_sockaddr_pin_unspecified(&un, sizeof(un)));
	CHECK(!netmatch_sockaddr_pin_unspecified(&un, 1));
}

TEST(netmatch_cidr_prefixes)
{
	struct policy p;
	policy_make(&p,
		    LIST("udp://0.0.0.0/0:1", "udp://10.0.0.0/8:2", "udp://192.0.2.7/32:3",
			 "udp://[2001:db8::7/128]:4", "udp://[2001:db8:0:1::/64]:5"),
		    NULL);
	CHECK_EQ(decide(&p, UDP, "255.255.255.255", 1), A);
	CHECK_EQ(decide(&p, UDP, "::1", 1), D);
	CHECK_EQ(decide(&p, UDP, "10.255.0.1", 2), A);
	CHECK_EQ(decide(&p, UDP, "11.0.0.1", 2), D);
	CHECK_EQ(decide(&p, UDP, "192.0.2.7", 3), A);
	CHECK_EQ(decide(&p, UDP, "192.0.2.8", 3), D);
	CHECK_EQ(decide(&p, UDP, "2001:db8::7", 4), A);
	CHECK_EQ(decide(&p, UDP, "2001:db8::6", 4), D);
	CHECK_EQ(decide(&p, UDP, "2001:db8:0:1:1:2:3:4", 5), A);
	CHECK_EQ(decide(&p, UDP, "2001:db8:0:2::1", 5), D);
	policy_free(&p);
}

TEST(netmatch_icmp_ignores_ports)
{
	struct policy p;
	policy_make(&p, LIST("icmp://10.0.0.0/8", "icmp://[::1]"), NULL);
	CHECK_EQ(decide(&p, ICMP, "10.1.1.1", 0), A);
	CHECK_EQ(decide(&p, ICMP, "10.1.1.1", 12345), A);
	CHECK_EQ(decide(&p, ICMP, "::1", 0), A);
	CHECK_EQ(decide(&p, ICMP, "11.0.0.1", 0), D);
	CHECK_EQ(decide(&p, TCP, "10.1.1.1", 80), D);
	policy_free(&p);
}

TEST(netmatch_fails_closed_on_nonsense)
{
	struct policy p;
	policy_make(&p, LIST(":*", "udp://*:*", "icmp://*"), NULL);
	struct sl_net_addr odd = {.family = AF_UNIX};
	CHECK_EQ(netmatch_decide(&p.acl, TCP, &odd, 80), D);
	struct sl_net_addr a = ADDR("1.2.3.4");
	CHECK_EQ(netmatch_decide(&p.acl, (enum sl_proto)7, &a, 80), D);
	CHECK_EQ(netmatch_decide(&p.acl, TCP, &a, 80), A);
	policy_free(&p);
}

TEST(netmatch_host_table)
{
	struct list allow;
	parse_list(&allow, "net_allow", LIST("SVC:80", "empty:80"));
	struct netmatch_lists l = {.allow = allow.v, .n_allow = 2, .has_allow = true};
	struct sl_net_acl acl;
	CHECK_EQ(netmatch_acl_build(&acl, &l, hosts, 2), 0); /* names without case */
	CHECK_EQ(acl.allow[0].n_addrs, 2);
	CHECK_EQ(acl.allow[1].n_addrs, 0); /* matches nothing */
	struct sl_net_addr a = ADDR("192.0.2.10");
	CHECK_EQ(netmatch_decide(&acl, TCP, &a, 80), A);
	netmatch_acl_free(&acl);
	netmatch_acl_free(NULL);
	free_list(&allow);

	/* a name the table lacks: no ACL with a hole */
	struct list deny;
	parse_list(&deny, "net_deny", LIST("10.0.0.0/8:*", "other.example:*"));
	l = (struct netmatch_lists){.deny = deny.v, .n_deny = 2};
	CHECK_EQ(netmatch_acl_build(&acl, &l, hosts, 2), -ENOENT);
	CHECK_STR(sl_error_get(), "net_deny: host 'other.example' was not resolved");
	CHECK(acl.deny == NULL && acl.n_deny == 0);

	struct sl_strv names = {0};
	struct list both;
	parse_list(&both, "net_allow",
		   LIST("a.example:1", "B.example:2", "A.EXAMPLE:3", "1.2.3.4:4"));
	l.allow = both.v;
	l.n_allow = both.n;
	CHECK_EQ(netmatch_hostnames(&l, &names), 0);
	CHECK_EQ(names.n, 3);
	CHECK_STR(names.v[0], "a.example");
	CHECK_STR(names.v[1], "B.example");
	CHECK_STR(names.v[2], "other.example");
	sl_strv_free(&names);
	free_list(&both);
	free_list(&deny);
}

TEST(netmatch_tcp_pure_ports)
{
	struct policy p;
	policy_make(&p, LIST(":443", "*:80-90", "udp://1.1.1.1:53", "icmp://svc"), NULL);
	CHECK(netmatch_tcp_pure_ports(&p.lists));
	struct sl_portset s;
	CHECK_EQ(netmatch_tcp_ports(&p.lists, &s), 0);
	CHECK_SET(s, "80-90,443");
	portset_free(&s);
	policy_free(&p);

	policy_make(&p, LIST(":443", "svc:80"), NULL);
	CHECK(!netmatch_tcp_pure_ports(&p.lists));
	CHECK_EQ(netmatch_tcp_ports(&p.lists, &s), 0);
	CHECK_SET(s, "80,443"); /* the outer bound */
	portset_free(&s);
	policy_free(&p);

	policy_make(&p, LIST(":*"), LIST("10.0.0.0/8:22"));
	CHECK(!netmatch_tcp_pure_ports(&p.lists));
	CHECK_EQ(netmatch_tcp_ports(&p.lists, &s), 0);
	CHECK(s.all); /* an address's deny takes no port from the others */
	portset_free(&s);
	policy_free(&p);

	policy_make(&p, NULL, LIST(":25", "udp://10.0.0.0/8:*"));
	CHECK(netmatch_tcp_pure_ports(&p.lists));
	CHECK_EQ(netmatch_tcp_ports(&p.lists, &s), 0);
	CHECK_SET(s, "0-24,26-65535");
	portset_free(&s);
	policy_free(&p);

	policy_make(&p, LIST(":1-1000"), LIST(":22", "*:*"));
	CHECK_EQ(netmatch_tcp_ports(&p.lists, &s), 0);
	CHECK(portset_empty(&s));
	policy_free(&p);
}

/* ---- bind ports, from a validated policy ------------------------------------------ */

static struct sl_portset bind_ports(sandlock_builder_t *b)
{
	struct sl_portset s;
	if (policy_validate(&b->cfg) != 0)
		th_fail(__FILE__, __LINE__, "validate: %s", sl_error_get());
	if (netmatch_bind_ports(&b->cfg, &s) != 0)
		th_fail(__FILE__, __LINE__, "bind ports: out of memory");
	/* frees b (and the policy, which builds when no field is pending) */
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));
	return s;
}

TEST(netmatch_bind_ports)
{
	struct sl_portset s = bind_ports(sandlock_sandbox_builder_new());
	CHECK(portset_empty(&s)); /* 0.8.0: no TCP bind */

	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	b = sandlock_sandbox_builder_net_bind_port(b, 8080);
	b = sandlock_sandbox_builder_net_allow_bind(b, "9000-9010");
	b = sandlock_sandbox_builder_net_allow_bind(b, "9005-9020,22");
	s = bind_ports(b);
	CHECK_SET(s, "22,8080,9000-9020");
	portset_free(&s);

	b = sandlock_sandbox_builder_net_allow_bind(sandlock_sandbox_builder_new(), "*");
	s = bind_ports(b);
	CHECK(s.all); /* '*' alone: the kernel's pick too */
	portset_free(&s);

	b = sandlock_sandbox_builder_net_deny_bind(sandlock_sandbox_builder_new(), "22,6000-6010");
	s = bind_ports(b);
	CHECK_SET(s, "1-21,23-5999,6011-65535"); /* no port 0 with a deny list */
	portset_free(&s);

	b = sandlock_sandbox_builder_net_allow_bind(sandlock_sandbox_builder_new(), "8000-8100");
	b = sandlock_sandbox_builder_net_deny_bind(b, "8080");
	s = bind_ports(b);
	CHECK_SET(s, "8000-8079,8081-8100");
	portset_free(&s);
}

/* What validation leaves for the matcher. */
TEST(netmatch_lists_of_policy)
{
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_net_allow(sandlock_sandbox_builder_new(), "10.0.0.0/8:443");
	b = sandlock_sandbox_builder_net_deny(b, "10.0.0.1:*");
	b = sandlock_sandbox_builder_http_allow(b, "GET api.example.com/*");
	CHECK_EQ(policy_validate(&b->cfg), 0);
	struct netmatch_lists l = netmatch_lists_of(&b->cfg);
	CHECK(l.has_allow);
	CHECK_EQ(l.n_allow, 2); /* with the HTTP host's rule */
	CHECK_EQ(l.n_deny, 1);
	CHECK_STR(l.allow[1].host, "api.example.com");
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));

	b = sandlock_sandbox_builder_net_deny(sandlock_sandbox_builder_new(), ":25");
	CHECK_EQ(policy_validate(&b->cfg), 0);
	l = netmatch_lists_of(&b->cfg);
	CHECK(!l.has_allow);
	CHECK_EQ(l.n_deny, 1);
	sandlock_sandbox_free(sandlock_sandbox_build(b, NULL, NULL));
}
