/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netplan.h - the network policy made concrete before the start.
 *
 * The host names of the rules are resolved here, once, with the system's
 * resolver: the sandbox sees those addresses for its whole run, in every
 * decision and in its /etc/hosts (the pins), so a DNS answer that changes
 * later (rebinding) changes nothing inside.  Then the lists become the
 * matcher's ACL (netmatch.h), and each kernel mechanism gets its part:
 * Landlock's TCP port rules, when the ports are few enough to list (a
 * rule per port: 65535 of them cost 30-45 ms per start), and otherwise
 * the supervisor alone, which makes every connect on the child's behalf.
 */
#ifndef SL_NETPLAN_H
#define SL_NETPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "netmatch.h"
#include "util.h"

struct sandlock_sandbox;

/* The most ports Landlock is given rules for (about 0.5 ms of rules). */
#define NETPLAN_LL_PORTS_MAX 1024

/* A line "<addr> <name>" of the sandbox's /etc/hosts. */
struct netplan_pin {
	char *addr;
	char *name;
};

struct sl_netplan {
	/* net_allow or net_deny is set: the supervisor decides every inet
	 * connect and send by the ACL (ECONNREFUSED), but where Landlock's
	 * port rules decide TCP alone (tcp_pure) */
	bool policy;
	struct sl_net_acl acl;
	/* every TCP rule targets any address: the port decides */
	bool tcp_pure;
	/* Landlock handles TCP connect (connect_ports allowed) and bind
	 * (bind_ports allowed); when false, the set was too large to list
	 * (or every port): not handled by Landlock */
	bool connect_ruled, bind_ruled;
	struct sl_u32v connect_ports, bind_ports;
	/* binds are the supervisor's: a bind set too large for Landlock
	 * that is not every port (a net_deny_bind list); Landlock then
	 * handles binds with no port allowed (bind_ruled, bind_ports empty) */
	bool bind_checked;
	struct sl_portset bind_set; /* the TCP ports a bind may take */
	struct netplan_pin *pins;
	size_t npins;
};

/* Resolves the policy's host names and fills *np.  0, or -errno with a
 * message: a name that does not resolve ("net_allow: host 'x' does not
 * resolve: ..."), -ENOMEM.  *np is then empty (netplan_release is safe). */
int netplan_build(struct sl_netplan *np, const struct sandlock_sandbox *cfg);
/* Frees what np owns and empties it.  Accepts NULL. */
void netplan_release(struct sl_netplan *np);

#endif
