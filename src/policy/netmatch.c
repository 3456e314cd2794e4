/* SPDX-License-Identifier: Apache-2.0 */
/* netmatch.c - the network policy's decisions (see netmatch.h). */
#include "netmatch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "error.h"
#include "netaddr.h"
#include "portset.h"

struct netmatch_lists netmatch_lists_of(const struct sandlock_sandbox *cfg)
{
	return (struct netmatch_lists){
	    .allow = cfg->net_rules,
	    .n_allow = cfg->n_net_rules,
	    .has_allow = cfg->n_net_rules > 0,
	    .deny = cfg->net_deny_rules,
	    .n_deny = cfg->n_net_deny_rules,
	};
}

/* ---- host names ------------------------------------------------------------ */

static bool strv_has_nocase(const struct sl_strv *l, size_t from, const char *s)
{
	for (size_t i = from; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

static int add_names(const struct sl_net_rule *v, size_t n, struct sl_strv *out, size_t from)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].target != SL_TARGET_NAME || !v[i].host ||
		    strv_has_nocase(out, from, v[i].host))
			continue;
		if (sl_strv_push(out, v[i].host) < 0)
			return -ENOMEM;
	}
	return 0;
}

int netmatch_hostnames(const struct netmatch_lists *l, struct sl_strv *out)
{
	size_t from = out->n;
	if (add_names(l->allow, l->n_allow, out, from) < 0 ||
	    add_names(l->deny, l->n_deny, out, from) < 0) {
		while (out->n > from) {
			free(out->v[--out->n]);
			out->v[out->n] = NULL;
		}
		return -ENOMEM;
	}
	return 0;
}

/* ---- building the resolved lists -------------------------------------------- */

static const struct sl_net_host *find_host(const struct sl_net_host *hosts, size_t n,
					   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (hosts[i].name && strcasecmp(hosts[i].name, name) == 0)
			return &hosts[i];
	return NULL;
}

static int resolve_rule(const char *list, const struct sl_net_rule *r,
			const struct sl_net_host *hosts, size_t n_hosts,
			struct sl_net_resolved *out)
{
	const struct sl_net_addr *addrs = NULL;
	size_t n = 0;
	*out = (struct sl_net_resolved){.proto = r->proto, .any_addr = r->target == SL_TARGET_ANY};
	if (r->target == SL_TARGET_ADDR) {
		addrs = &r->addr;
		n = 1;
	} else if (r->target == SL_TARGET_NAME) {
		const struct sl_net_host *h = find_host(hosts, n_hosts, r->host ? r->host : "");
		if (!h)
			return sl_errorf(ENOENT, "%s: host '%s' was not resolved", list,
					 r->host ? r->host : "");
		addrs = h->addrs;
		n = h->n;
	}
	if (portset_copy(&out->ports, &r->ports) < 0)
		return -ENOMEM;
	if (n == 0)
		return 0;
	out->addrs = reallocarray(NULL, n, sizeof(*out->addrs));
	if (!out->addrs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		out->addrs[i] = addrs[i];
		/* a table entry made by hand may hold a mapped address */
		netaddr_canon(&out->addrs[i]);
	}
	out->n_addrs = n;
	return 0;
}

static void free_resolved(struct sl_net_resolved *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].addrs);
		portset_free(&v[i].ports);
	}
	free(v);
}

/* Resolves n rules into *out; *count says how many are there to free. */
static int resolve_list(const char *list, const struct sl_net_rule *v, size_t n,
			const struct sl_net_host *hosts, size_t n_hosts,
			struct sl_net_resolved **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (n == 0)
		return 0;
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = resolve_rule(list, &v[i], hosts, n_hosts, &(*out)[i]);
		*count = i + 1; /* a failed rule holds what it got so far */
		if (r < 0)
			return r;
	}
	return 0;
}

int netmatch_acl_build(struct sl_net_acl *acl, const struct netmatch_lists *l,
		       const struct sl_net_host *hosts, size_t n_hosts)
{
	*acl = (struct sl_net_acl){.has_allow = l->has_allow};
	int r = resolve_list("net_allow", l->allow, l->n_allow, hosts, n_hosts, &acl->allow,
			     &acl->n_allow);
	if (r == 0)
		r = resolve_list("net_deny", l->deny, l->n_deny, hosts, n_hosts, &acl->deny,
				 &acl->n_deny);
	if (r < 0)
		netmatch_acl_free(acl);
	return r;
}

void netmatch_acl_free(struct sl_net_acl *acl)
{
	if (!acl)
		return;
	free_resolved(acl->allow, acl->n_allow);
	free_resolved(acl->deny, acl->n_deny);
	*acl = (struct sl_net_acl){0};
}

/* ---- decisions ------------------------------------------------------------------ */

static bool rule_matches(const struct sl_net_resolved *r, enum sl_proto proto,
			 const struct sl_net_addr *dst, uint32_t port)
{
	if (r->proto != proto)
		return false;
	if (proto != SL_PROTO_ICMP && !portset_contains(&r->ports, port))
		return false;
	if (r->any_addr)
		return true;
	for (size_t i = 0; i < r->n_addrs; i++)
		if (netaddr_contains(&r->addrs[i], dst))
			return true;
	return false;
}

static bool any_matches(const struct sl_net_resolved *v, size_t n, enum sl_proto proto,
			const struct sl_net_addr *dst, uint32_t port)
{
	for (size_t i = 0; i < n; i++)
		if (rule_matches(&v[i], proto, dst, port))
			return true;
	return false;
}

/* The IPv4 host an IPv6 destination reaches where the network
 * translates or tunnels it, into *v4: NAT64's well-known prefix
 * 64:ff9b::/96 (RFC 6052: DNS64 hands these out on IPv6-only networks),
 * a v4-compatible ::a.b.c.d (the kernel's sit tunnel, when loaded,
 * routes ::/96 to it; :: and ::1 are not), a 6to4 2002:a.b.c.d::/48 (its
 * tunnel endpoint).  A prefix of the network's own choosing for NAT64
 * cannot be known here. */
static bool embedded_v4(const struct sl_net_addr *d, struct sl_net_addr *v4)
{
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b}, compat[12];
	const uint8_t *at = NULL;
	if (d->family != AF_INET6)
		return false;
	if (memcmp(d->addr, nat64, 12) == 0)
		at = d->addr + 12;
	else if (memcmp(d->addr, compat, 12) == 0 &&
		 ((d->addr[12] | d->addr[13] | d->addr[14]) != 0 || d->addr[15] > 1))
		at = d->addr + 12;
	else if (d->addr[0] == 0x20 && d->addr[1] == 0x02)
		at = d->addr + 2;
	if (!at)
		return false;
	*v4 = (struct sl_net_addr){.family = AF_INET, .prefix = 32};
	memcpy(v4->addr, at, 4);
	return true;
}

enum sl_net_verdict netmatch_decide(const struct sl_net_acl *acl, enum sl_proto proto,
				    const struct sl_net_addr *dst, uint32_t port)
{
	if (!acl->has_allow && acl->n_deny == 0)
		return SL_NET_NO_POLICY;
	struct sl_net_addr d = *dst;
	netaddr_canon(&d);
	/* fail closed on what no rule could be written for */
	if ((proto != SL_PROTO_TCP && proto != SL_PROTO_UDP && proto != SL_PROTO_ICMP) ||
	    (d.family != AF_INET && d.family != AF_INET6))
		return SL_NET_DENY;
	if (acl->has_allow && !any_matches(acl->allow, acl->n_allow, proto, &d, port))
		return SL_NET_DENY;
	if (any_matches(acl->deny, acl->n_deny, proto, &d, port))
		return SL_NET_DENY;
	/* the IPv4 host behind it is denied too (allowed only as written) */
	struct sl_net_addr v4;
	if (embedded_v4(&d, &v4) && any_matches(acl->deny, acl->n_deny, proto, &v4, port))
		return SL_NET_DENY;
	return SL_NET_ALLOW;
}

int netmatch_sockaddr(const struct sl_net_acl *acl, enum sl_proto proto, const void *sa, size_t len)
{
	struct sl_net_addr dst;
	uint16_t port;
	int r = netaddr_from_sockaddr(sa, len, &dst, &port);
	if (r < 0)
		return r;
	return (int)netmatch_decide(acl, proto, &dst, port);
}

bool netmatch_sockaddr_pin_unspecified(void *sa, size_t len)
{
	static const uint8_t zero[16], mapped[12] = {[10] = 0xff, [11] = 0xff};
	sa_family_t family;
	if (len < sizeof(family))
		return false;
	memcpy(&family, sa, sizeof(family));
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct in_addr *a =
		    (struct in_addr *)((char *)sa + offsetof(struct sockaddr_in, sin_addr));
		uint32_t v;
		memcpy(&v, a, sizeof(v));
		if (v != 0)
			return false;
		v = htonl(INADDR_LOOPBACK);
		memcpy(a, &v, sizeof(v));
		return true;
	}
	if (family != AF_INET6 || len < offsetof(struct sockaddr_in6, sin6_scope_id))
		return false;
	uint8_t *a = (uint8_t *)sa + offsetof(struct sockaddr_in6, sin6_addr);
	if (memcmp(a, zero, 16) == 0) {
		a[15] = 1; /* ::1 */
		return true;
	}
	if (memcmp(a, mapped, sizeof(mapped)) == 0 && memcmp(a + 12, zero, 4) == 0) {
		a[12] = 127; /* ::ffff:127.0.0.1 */
		a[15] = 1;
		return true;
	}
	return false;
}

/* ---- what Landlock can do alone ----------------------------------------------- */

static bool tcp_rules_any_addr(const struct sl_net_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].proto == SL_PROTO_TCP && v[i].target != SL_TARGET_ANY)
			return false;
	return true;
}

bool netmatch_tcp_pure_ports(const struct netmatch_lists *l)
{
	return tcp_rules_any_addr(l->allow, l->n_allow) && tcp_rules_any_addr(l->deny, l->n_deny);
}

/* The union of the ports of v's TCP rules (those of any address only,
 * when any_only) into *out. */
static int tcp_union(const struct sl_net_rule *v, size_t n, bool any_only, struct sl_portset *out)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].proto != SL_PROTO_TCP || (any_only && v[i].target != SL_TARGET_ANY))
			continue;
		if (portset_union(out, &v[i].ports) < 0)
			return -ENOMEM;
	}
	return 0;
}

int netmatch_tcp_ports(const struct netmatch_lists *l, struct sl_portset *out)
{
	struct sl_portset deny = {0};
	int r = 0;
	*out = (struct sl_portset){0};
	if (!l->has_allow && l->n_deny == 0)
		return 0;
	if (l->has_allow)
		r = tcp_union(l->allow, l->n_allow, false, out);
	else
		out->all = true;
	/* a deny rule for some addresses only takes no port away from every
	 * address: only those of any address shrink the set */
	if (r == 0)
		r = tcp_union(l->deny, l->n_deny, true, &deny);
	if (r == 0)
		r = portset_subtract(out, &deny);
	portset_free(&deny);
	if (r < 0)
		portset_free(out);
	return r;
}

int netmatch_bind_ports(const struct sandlock_sandbox *cfg, struct sl_portset *out)
{
	bool allow = cfg->net_bind.n > 0 || cfg->net_allow_bind.n > 0;
	bool deny = cfg->net_deny_bind.n > 0;
	struct sl_portset zero = {0};
	int r = 0;
	*out = (struct sl_portset){0};
	for (size_t i = 0; i < cfg->net_bind.n && r == 0; i++)
		if (cfg->net_bind.v[i] <= UINT16_MAX)
			r = portset_add(out, (uint16_t)cfg->net_bind.v[i],
					(uint16_t)cfg->net_bind.v[i]);
	if (r == 0 && allow)
		r = portset_union(out, &cfg->bind_allow);
	else if (r == 0 && deny)
		out->all = true;
	if (r == 0 && deny && (r = portset_add(&zero, 0, 0)) == 0 &&
	    (r = portset_subtract(out, &cfg->bind_deny)) == 0)
		r = portset_subtract(out, &zero);
	portset_free(&zero);
	if (r < 0)
		portset_free(out);
	return r;
}
