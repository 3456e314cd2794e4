/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netrule.h - the grammar of net_allow and net_deny rules.
 *
 *   [tcp:// | udp:// | icmp://] body           no scheme: TCP
 *   tcp/udp body:  target:ports   split at the last ':' outside brackets
 *   icmp body:     target         no port
 *
 *   target:  '' or '*'            any address
 *            a.b.c.d[/N]          IPv4 address or CIDR range (N 0-32)
 *            [v6[/N]]             IPv6 address or CIDR range (N 0-128); the
 *                                 brackets may be left out when the port
 *                                 still comes after the last ':' (0.8.0's
 *                                 "::1:80")
 *            hostname             resolved before fork by the enforcing
 *                                 code, never here
 *   ports:   see portset.h: '*', or a comma list of ports and lo-hi ranges
 *
 * A CIDR range must be written with its host bits clear (10.0.0.1/8 is
 * refused, naming 10.0.0.0/8): a typo there would silently widen or move
 * the range.  v4-mapped IPv6 (::ffff:a.b.c.d, also as a range of prefix 96
 * or more) is stored as IPv4 (netaddr.h).  A name the system resolver would
 * read as an address in another notation (010.0.0.1 is 8.0.0.1 to
 * inet_aton, 10.1 is 10.0.0.1) is refused rather than treated as a name.
 *
 * Pure parsing: no resolution, no I/O.
 */
#ifndef SL_NETRULE_H
#define SL_NETRULE_H

#include <stdbool.h>

struct sl_net_rule;

/* Parses one rule of the list named list ("net_allow", "net_deny") into
 * *out, which is overwritten.  Returns 0; -EINVAL with the message
 * "<list>: '<spec>': <reason>"; or -ENOMEM.  On failure *out holds nothing
 * to free. */
int netrule_parse(const char *list, const char *spec, struct sl_net_rule *out);

/* Sets r's target from a host as an HTTP rule holds it (already checked by
 * its own grammar): NULL, "" or "*" any address; an IP literal, bracketed
 * or not, an address; anything else a name.  0 or -ENOMEM. */
int netrule_set_host(struct sl_net_rule *r, const char *host);

/* The rule in its canonical text: scheme always, "*" for any address,
 * IPv6 in brackets, ports merged ("tcp://[2001:db8::/32]:22,80-90").  It
 * parses back to an equal rule.  0 or -ENOMEM; *out is malloc'd. */
int netrule_format(const struct sl_net_rule *r, char **out);

/* Same protocol, target and ports (host names compared exactly). */
bool netrule_equal(const struct sl_net_rule *a, const struct sl_net_rule *b);

/* Deep copy; 0 or -ENOMEM (then *dst holds nothing to free). */
int netrule_copy(struct sl_net_rule *dst, const struct sl_net_rule *src);

/* Frees what the rule owns and zeroes it.  Accepts NULL. */
void netrule_free(struct sl_net_rule *r);

#endif
