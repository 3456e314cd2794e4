/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netaddr.h - IP addresses and CIDR ranges (struct sl_net_addr): text and
 * socket addresses in, containment out.  Pure functions.
 *
 * One rule everywhere: a v4-mapped IPv6 address (::ffff:a.b.c.d, the form
 * an AF_INET6 socket uses to reach an IPv4 host) is its IPv4 address, in a
 * rule and in a destination alike.  A rule for 10.0.0.0/8 then covers
 * connect(::ffff:10.1.2.3), and a deny rule cannot be stepped around by
 * writing the destination the other way.  The families stay apart
 * otherwise: ::/0 is every IPv6 destination, not the IPv4 ones.
 */
#ifndef SL_NETADDR_H
#define SL_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_net_addr;

enum netaddr_parse_result {
	NETADDR_OK = 0,
	NETADDR_BAD_ADDR,   /* not an address of the family asked for */
	NETADDR_BAD_PREFIX, /* not 0-32 (IPv4) or 0-128 (IPv6) in decimal */
	NETADDR_HOST_BITS,  /* bits set past the prefix; *out holds the range
			     * with them cleared, for the message */
};

/* Parses "ADDR" or "ADDR/PREFIX" (ADDR in the strict forms of inet_pton:
 * dotted-quad decimal, or IPv6 text) of family AF_INET, AF_INET6, or 0 for
 * either.  Returns an enum netaddr_parse_result. */
int netaddr_parse(const char *s, int family, struct sl_net_addr *out);

/* A v4-mapped IPv6 address or range (prefix 96 or more) becomes IPv4. */
void netaddr_canon(struct sl_net_addr *a);

/* Whether address a lies in range net (same family after netaddr_canon;
 * the first net->prefix bits equal).  Total: any family or prefix value
 * gives an answer, out-of-range ones false. */
bool netaddr_contains(const struct sl_net_addr *net, const struct sl_net_addr *a);

bool netaddr_equal(const struct sl_net_addr *a, const struct sl_net_addr *b);

/* The destination of a socket address as the kernel takes it (len bytes at
 * sa, of any alignment): AF_INET (16 bytes or more), or AF_INET6 (24 or
 * more, the scope id optional), canonical, with a full prefix; *port in
 * host order.  0; -EAFNOSUPPORT for any other family (AF_UNIX, AF_UNSPEC:
 * not this matcher's to decide); -EINVAL when len is too short. */
int netaddr_from_sockaddr(const void *sa, size_t len, struct sl_net_addr *out, uint16_t *port);

/* "10.0.0.0/8", "2001:db8::/32", "192.0.2.1", "::1" (no prefix when it is
 * the full length, no brackets); "?" for a family that is neither. */
#define NETADDR_STRLEN 50
void netaddr_format(const struct sl_net_addr *a, char buf[NETADDR_STRLEN]);

#endif
