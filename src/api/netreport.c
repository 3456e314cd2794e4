/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netreport.c - sandlock_sandbox_net_report: which mechanism enforces
 * each part of a policy's network rules (`sandlock check` with run
 * options prints it).  The plan is the one a start would make
 * (netplan.h), names resolved.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "netaddr.h"
#include "netplan.h"
#include "netproto.h"
#include "policy.h"
#include "portset.h"
#include "util.h"

/* Appends a formatted line: 0 or -ENOMEM. */
__attribute__((format(printf, 2, 3))) static int add(struct sl_buf *b, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || sl_buf_reserve(b, (size_t)n + 2) < 0)
		return -ENOMEM;
	va_start(ap, f);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, f, ap);
	va_end(ap);
	b->len += (size_t)n;
	b->p[b->len++] = '\n';
	b->p[b->len] = 0;
	return 0;
}

/* "80,443" of a listed port vector (sorted, distinct): ranges folded. */
static char *ports_text(const struct sl_u32v *v)
{
	struct sl_portset s = {0};
	char *t = NULL;
	for (size_t i = 0; i < v->n; i++)
		if (portset_add(&s, (uint16_t)v->v[i], (uint16_t)v->v[i]) < 0)
			goto out;
	if (portset_format(&s, &t) < 0)
		t = NULL;
out:
	portset_free(&s);
	return t;
}

static int tcp_lines(struct sl_buf *b, const struct sl_netplan *np)
{
	char *c = ports_text(&np->connect_ports), *d = ports_text(&np->bind_ports);
	int r = c && d ? 0 : -ENOMEM;
	if (r == 0 && np->tcp_pure && np->connect_ruled)
		r = np->connect_ports.n
			? add(b, "tcp connect: Landlock port rules: %s (other ports: EACCES)", c)
			: add(b, "tcp connect: none (Landlock: EACCES)");
	else if (r == 0)
		r = add(b, "tcp connect: supervisor, by address (denied: ECONNREFUSED)%s%s",
			np->connect_ruled ? "; Landlock's outer bound: ports " : "",
			np->connect_ruled ? c : "");
	char *set = NULL;
	if (r == 0 && np->bind_checked)
		r = portset_format(&np->bind_set, &set) < 0
			? -ENOMEM
			: add(b, "tcp bind: supervisor, ports %s (other ports: EACCES)", set);
	else if (r == 0 && np->bind_ruled)
		r = np->bind_ports.n ? add(b,
					   "tcp bind: Landlock port rules: %s (other ports: "
					   "EACCES)",
					   d)
				     : add(b, "tcp bind: none (Landlock: EACCES)");
	else if (r == 0)
		r = add(b, "tcp bind: any port");
	free(set);
	free(c);
	free(d);
	return r;
}

static int report(struct sl_buf *b, const struct sl_netplan *np, const sandlock_sandbox_t *policy)
{
	struct netmatch_lists l = netmatch_lists_of(policy);
	int r = tcp_lines(b, np);
	static const struct {
		enum sl_proto p;
		const char *name;
	} dgram[] = {{SL_PROTO_UDP, "udp"}, {SL_PROTO_ICMP, "icmp (ping sockets)"}};
	for (size_t i = 0; r == 0 && i < 2; i++)
		r = netproto_used(&l, dgram[i].p)
			? add(b, "%s: supervisor, by address (denied: ECONNREFUSED)", dgram[i].name)
			: add(b, "%s: no socket (EPERM)", dgram[i].name);
	for (size_t i = 0; r == 0 && i < np->npins; i++)
		r = add(b, "host %s: %s (pinned in /etc/hosts)", np->pins[i].name,
			np->pins[i].addr);
	return r;
}

SL_API char *sandlock_sandbox_net_report(const sandlock_sandbox_t *policy)
{
	sl_error_clear();
	if (!policy) {
		sl_errorf(EINVAL, "policy is NULL");
		return NULL;
	}
	struct sl_netplan np;
	if (netplan_build(&np, policy) < 0)
		return NULL;
	struct sl_buf b = {0};
	int r = report(&b, &np, policy);
	netplan_release(&np);
	if (r < 0) {
		sl_buf_free(&b);
		sl_errorf(ENOMEM, "out of memory");
		return NULL;
	}
	return (char *)b.p;
}
