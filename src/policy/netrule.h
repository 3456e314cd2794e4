/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netrule.h - the net_allow rule grammar.
 *
 *   [tcp:// | udp:// | icmp://] body
 *   tcp/udp body:  host:ports   split at the last ':'; host empty or '*' =
 *                               any IP, "[v6]" brackets are stripped;
 *                               ports "*" or a comma list of 1-65535
 *   icmp body:     host | '*'   no port
 *
 * Pure parsing: hostnames are not resolved here (that happens before fork,
 * when the sandbox is created).
 */
#ifndef SL_NETRULE_H
#define SL_NETRULE_H

struct sl_net_rule;

/* Parses one rule into *out, which is overwritten.  Returns 0; -EINVAL with
 * the message "net_allow: '<spec>': <reason>"; or -ENOMEM.  On failure *out
 * holds nothing to free.  The parsed ports are sorted and deduplicated. */
int netrule_parse(const char *spec, struct sl_net_rule *out);

/* Deep copy; 0 or -ENOMEM (then *dst holds nothing to free). */
int netrule_copy(struct sl_net_rule *dst, const struct sl_net_rule *src);

/* Frees what the rule owns and zeroes it.  Accepts NULL. */
void netrule_free(struct sl_net_rule *r);

#endif
