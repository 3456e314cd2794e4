/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netmatch.h - the network policy's decisions: may this socket reach this
 * address and port, may it bind this port.  Pure: the enforcing code
 * resolves the host names (before fork), reads the destination from the
 * child and acts on the verdict; nothing here does I/O.
 *
 * Connect/send semantics, per protocol (TCP, UDP, ICMP: a rule covers only
 * its own; ICMP rules have no ports):
 *   neither list         SL_NET_NO_POLICY: the caller's default (0.8.0's:
 *                        no TCP connect, no UDP or ICMP socket)
 *   allow list only      allowed when some allow rule matches
 *   deny list only       allowed unless some deny rule matches
 *   both                 an allow rule matches and no deny rule does
 *   allow list, empty    nothing is allowed.  The reference once let an
 *                        empty allow list mean "no restriction": a policy
 *                        that names an allow list means only it lets
 *                        anything out, however short it is.
 * A rule matches when the protocol is its own, the address lies in one of
 * its addresses or ranges (or it targets any address) and, for TCP/UDP,
 * the port is in its set.  Destinations are canonical (netaddr.h): a
 * v4-mapped IPv6 destination is matched as its IPv4 address.  An IPv6
 * destination that reaches an IPv4 host through the network (NAT64's
 * 64:ff9b::/96, v4-compatible ::a.b.c.d, 6to4 2002:a.b.c.d::/48) is
 * denied when that host is: a deny of 10.0.0.0/8 is not stepped around
 * on an IPv6-only network with DNS64.  It is allowed only as written.
 */
#ifndef SL_NETMATCH_H
#define SL_NETMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

enum sl_net_verdict {
	SL_NET_NO_POLICY = 0, /* neither list: the caller decides */
	SL_NET_ALLOW = 1,
	SL_NET_DENY = 2,
};

/* The two lists of a policy as parsed (a view: nothing owned). */
struct netmatch_lists {
	const struct sl_net_rule *allow, *deny;
	size_t n_allow, n_deny;
	bool has_allow; /* an allow list exists (even an empty one) */
};

/* A host name's addresses, as the enforcing code resolved them
 * (netaddr_from_sockaddr() on each getaddrinfo result canonicalises). */
struct sl_net_host {
	const char *name;
	const struct sl_net_addr *addrs;
	size_t n;
};

/* A rule with its target turned into addresses. */
struct sl_net_resolved {
	enum sl_proto proto;
	bool any_addr;		   /* the rule's target was '*' */
	struct sl_net_addr *addrs; /* owned: the literal or range, or the name's */
	size_t n_addrs;
	struct sl_portset ports; /* owned; empty for ICMP (ports do not apply) */
};

/* The resolved lists: what netmatch_decide() reads.  Owns everything, so
 * it outlives the policy and the host table it was built from. */
struct sl_net_acl {
	bool has_allow;
	struct sl_net_resolved *allow, *deny;
	size_t n_allow, n_deny;
};

/* The lists of a validated policy: net_allow's rules with the HTTP rules'
 * merged in (has_allow when there is any), and net_deny's. */
struct netmatch_lists netmatch_lists_of(const struct sandlock_sandbox *cfg);

/* The distinct host names of both lists (compared without case), in
 * order: what the enforcing code must resolve.  0 or -ENOMEM (*out then
 * empty).  *out is appended to; free it with sl_strv_free. */
int netmatch_hostnames(const struct netmatch_lists *l, struct sl_strv *out);

/* Builds *acl from l, looking each host name up in hosts[] (without case;
 * the first entry of a name counts).  A name with no entry fails with
 * -ENOENT and "<list>: host '<name>' was not resolved" (the caller must
 * not enforce a list with a hole); a name with zero addresses is a rule
 * that matches nothing.  0, -ENOENT or -ENOMEM (*acl then empty). */
int netmatch_acl_build(struct sl_net_acl *acl, const struct netmatch_lists *l,
		       const struct sl_net_host *hosts, size_t n_hosts);
/* Frees what acl owns and empties it.  Accepts NULL. */
void netmatch_acl_free(struct sl_net_acl *acl);

/* The verdict on sending to dst (canonicalised here too), port in host
 * order.  Total and deterministic: any input has a verdict; a protocol or
 * address family that is neither known nor matchable is SL_NET_DENY when
 * there is a policy. */
enum sl_net_verdict netmatch_decide(const struct sl_net_acl *acl, enum sl_proto proto,
				    const struct sl_net_addr *dst, uint32_t port);

/* netmatch_decide() on a socket address as the child passed it (len bytes
 * at sa).  An enum sl_net_verdict, or -EAFNOSUPPORT (not IPv4/IPv6: an
 * AF_UNIX or AF_UNSPEC address is not this policy's) or -EINVAL (too
 * short: the caller refuses it). */
int netmatch_sockaddr(const struct sl_net_acl *acl, enum sl_proto proto, const void *sa,
		      size_t len);

/* Rewrites, in the socket address at sa (len bytes, the copy the caller
 * will make the call with), an unspecified destination into the loopback
 * the kernel would reach with it: 0.0.0.0 is routed to the socket's own
 * source address, 127.0.0.1 when it has none (ip_route_connect(),
 * ip_route_output_key_hash_rcu()), and tcp_v6_connect(),
 * ip6_datagram_connect() and udpv6_sendmsg() make :: the loopback ::1
 * (::ffff:0.0.0.0 is 0.0.0.0 on the IPv4 path).  Decided as written, a
 * deny of 127.0.0.1 let connect(0.0.0.0) through to it.  A socket bound
 * to another local address goes to the loopback too: the call reaches
 * the address decided.  True when rewritten. */
bool netmatch_sockaddr_pin_unspecified(void *sa, size_t len);

/* Whether the TCP decisions depend on the port alone: every TCP rule of
 * either list targets any address.  Then Landlock's port rules can
 * enforce TCP without the supervisor (netmatch_tcp_ports gives them);
 * UDP and ICMP, which Landlock does not see, are not considered. */
bool netmatch_tcp_pure_ports(const struct netmatch_lists *l);

/* The TCP ports a connect may be allowed to: exact when
 * netmatch_tcp_pure_ports(), else a superset (an outer bound for Landlock
 * while the supervisor checks the addresses).  Neither list: empty (the
 * 0.8.0 default, no TCP connect).  0 or -ENOMEM (*out then empty). */
int netmatch_tcp_ports(const struct netmatch_lists *l, struct sl_portset *out);

/* The TCP ports the sandbox may bind: net_bind's ports and the
 * net_allow_bind specs, or every port when only net_deny_bind is given,
 * less the net_deny_bind ports; neither: none (0.8.0's default).  With a
 * deny list, port 0 (the kernel's pick of an ephemeral port) is left out:
 * the pick could be a denied port.  '*' alone keeps it.  0 or -ENOMEM
 * (*out then empty). */
int netmatch_bind_ports(const struct sandlock_sandbox *cfg, struct sl_portset *out);

#endif
