/* SPDX-License-Identifier: Apache-2.0 */
/* netplan.c - the network policy made concrete before the start (see netplan.h). */
#include "netplan.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "error.h"
#include "netaddr.h"
#include "policy.h"
#include "portset.h"

/* ---- host names ------------------------------------------------------------------ */

/* Which list names host: for the message. */
static const char *list_of(const struct netmatch_lists *l, const char *host)
{
	for (size_t i = 0; i < l->n_allow; i++)
		if (l->allow[i].host && strcasecmp(l->allow[i].host, host) == 0)
			return "net_allow";
	return "net_deny";
}

static int gai_errno(int e)
{
	switch (e) {
	case EAI_NONAME:
	case EAI_NODATA:
		return ENOENT;
	case EAI_AGAIN:
		return EAGAIN;
	case EAI_MEMORY:
		return ENOMEM;
	case EAI_SYSTEM:
		return errno ? errno : EIO;
	default:
		return EINVAL;
	}
}

/* Appends a's text and name as a pin (no duplicate lines). */
static int pin(struct sl_netplan *np, const struct sl_net_addr *a, const char *name)
{
	char text[NETADDR_STRLEN];
	netaddr_format(a, text);
	for (size_t i = 0; i < np->npins; i++)
		if (strcmp(np->pins[i].addr, text) == 0 && strcasecmp(np->pins[i].name, name) == 0)
			return 0;
	struct netplan_pin *v = realloc(np->pins, (np->npins + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	np->pins = v;
	v[np->npins] = (struct netplan_pin){.addr = strdup(text), .name = strdup(name)};
	if (!v[np->npins].addr || !v[np->npins].name) {
		free(v[np->npins].addr);
		free(v[np->npins].name);
		return -ENOMEM;
	}
	np->npins++;
	return 0;
}

/* name's addresses (every one the resolver gives, canonical, without
 * duplicates) into *h, pinned. */
static int resolve(struct sl_netplan *np, const struct netmatch_lists *l, const char *name,
		   struct sl_net_host *h)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
	int e = getaddrinfo(name, NULL, &hints, &res);
	if (e != 0)
		return sl_errorf(gai_errno(e), "%s: host '%s' does not resolve: %s",
				 list_of(l, name), name, gai_strerror(e));
	size_t n = 0;
	for (struct addrinfo *p = res; p; p = p->ai_next)
		n++;
	struct sl_net_addr *v = calloc(n ? n : 1, sizeof(*v));
	int r = v ? 0 : -ENOMEM;
	size_t k = 0;
	for (struct addrinfo *p = res; r == 0 && p; p = p->ai_next) {
		struct sl_net_addr a;
		uint16_t port;
		if (netaddr_from_sockaddr(p->ai_addr, p->ai_addrlen, &a, &port) < 0)
			continue;
		bool dup = false;
		for (size_t i = 0; i < k && !dup; i++)
			dup = netaddr_equal(&v[i], &a);
		if (!dup) {
			v[k++] = a;
			r = pin(np, &a, name);
		}
	}
	freeaddrinfo(res);
	if (r < 0) {
		free(v);
		return r;
	}
	*h = (struct sl_net_host){.name = name, .addrs = v, .n = k};
	return 0;
}

/* The ACL of the lists, their host names resolved and pinned. */
static int build_acl(struct sl_netplan *np, const struct netmatch_lists *l)
{
	struct sl_strv names = {0};
	int r = netmatch_hostnames(l, &names);
	struct sl_net_host *hosts = r == 0 ? calloc(names.n ? names.n : 1, sizeof(*hosts)) : NULL;
	if (r == 0 && !hosts)
		r = -ENOMEM;
	size_t n = 0;
	for (; r == 0 && n < names.n; n++)
		if ((r = resolve(np, l, names.v[n], &hosts[n])) < 0)
			break;
	if (r == 0)
		r = netmatch_acl_build(&np->acl, l, hosts, n);
	for (size_t i = 0; hosts && i < n; i++)
		free((void *)hosts[i].addrs);
	free(hosts);
	sl_strv_free(&names);
	return r;
}

/* ---- what Landlock lists ------------------------------------------------------------ */

/* s's ports into *out when there are at most NETPLAN_LL_PORTS_MAX and s
 * is not every port: *ruled then.  0 or -ENOMEM. */
static int listable(const struct sl_portset *s, struct sl_u32v *out, bool *ruled)
{
	*ruled = !s->all && portset_count(s) <= NETPLAN_LL_PORTS_MAX;
	for (size_t i = 0; *ruled && i < s->n; i++)
		for (uint32_t p = s->v[i].lo; p <= s->v[i].hi; p++)
			if (sl_u32v_push(out, p) < 0)
				return -ENOMEM;
	return 0;
}

static int plan_ports(struct sl_netplan *np, const struct netmatch_lists *l,
		      const struct sandlock_sandbox *cfg)
{
	struct sl_portset connect = {0};
	int r = netmatch_tcp_ports(l, &connect);
	if (r == 0)
		r = listable(&connect, &np->connect_ports, &np->connect_ruled);
	portset_free(&connect);
	if (r == 0)
		r = netmatch_bind_ports(cfg, &np->bind_set);
	if (r == 0)
		r = listable(&np->bind_set, &np->bind_ports, &np->bind_ruled);
	/* too many to list, not every one: Landlock refuses every TCP bind
	 * the child makes itself, and the supervisor makes them, checked
	 * against the set (portremap.c) */
	np->bind_checked = !np->bind_ruled && !np->bind_set.all;
	if (np->bind_checked)
		np->bind_ruled = true;
	return r;
}

int netplan_build(struct sl_netplan *np, const struct sandlock_sandbox *cfg)
{
	*np = (struct sl_netplan){0};
	struct netmatch_lists l = netmatch_lists_of(cfg);
	np->policy = l.has_allow || l.n_deny > 0;
	np->tcp_pure = netmatch_tcp_pure_ports(&l);
	int r = build_acl(np, &l);
	if (r == 0)
		r = plan_ports(np, &l, cfg);
	if (r < 0) {
		netplan_release(np);
		if (r == -ENOMEM)
			sl_errorf(ENOMEM, "network rules: out of memory");
	}
	return r;
}

void netplan_release(struct sl_netplan *np)
{
	if (!np)
		return;
	netmatch_acl_free(&np->acl);
	sl_u32v_free(&np->connect_ports);
	sl_u32v_free(&np->bind_ports);
	portset_free(&np->bind_set);
	for (size_t i = 0; i < np->npins; i++) {
		free(np->pins[i].addr);
		free(np->pins[i].name);
	}
	free(np->pins);
	*np = (struct sl_netplan){0};
}
