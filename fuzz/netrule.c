/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netrule.c - the net_allow/net_deny grammar, the port lists and the
 * matcher.  Properties:
 *   - parsing never crashes or leaks, and an accepted rule is well formed
 *     (ports sorted, disjoint, in 1-65535; ranges with no host bits; no
 *     v4-mapped address left);
 *   - the canonical text of a rule parses to an equal rule, and is a fixed
 *     point; a copy is equal;
 *   - the matcher is total and deterministic, and one rule as the allow
 *     list and as the deny list gives opposite verdicts; a rule's own
 *     address on one of its ports is allowed by it;
 *   - the same input as a bind spec: a well-formed set whose text parses
 *     back to it.
 */
#include <errno.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "netaddr.h"
#include "netmatch.h"
#include "netrule.h"
#include "policy.h"
#include "portset.h"

static void check_set(const struct sl_portset *s, uint32_t lowest)
{
	FUZZ_ASSERT(!s->all || s->n == 0);
	for (size_t i = 0; i < s->n; i++) {
		FUZZ_ASSERT(s->v[i].lo >= lowest && s->v[i].lo <= s->v[i].hi);
		/* never adjacent: one form per set */
		FUZZ_ASSERT(i == 0 || (uint32_t)s->v[i - 1].hi + 1 < s->v[i].lo);
	}
}

static void check_rule(const struct sl_net_rule *r)
{
	check_set(&r->ports, 1);
	if (r->proto == SL_PROTO_ICMP)
		FUZZ_ASSERT(portset_empty(&r->ports));
	else
		FUZZ_ASSERT(!portset_empty(&r->ports));
	FUZZ_ASSERT((r->target == SL_TARGET_NAME) == (r->host != NULL));
	if (r->target == SL_TARGET_ADDR) {
		struct sl_net_addr a = r->addr;
		FUZZ_ASSERT(a.family == AF_INET || a.family == AF_INET6);
		FUZZ_ASSERT(a.prefix <= (a.family == AF_INET ? 32 : 128));
		netaddr_canon(&a);
		FUZZ_ASSERT(netaddr_equal(&a, &r->addr)); /* already canonical */
		/* the range holds its own network address */
		FUZZ_ASSERT(netaddr_contains(&r->addr, &r->addr));
	}
}

static void check_round_trip(const struct sl_net_rule *r)
{
	char *text = NULL, *again = NULL;
	struct sl_net_rule back, copy;
	if (netrule_format(r, &text) < 0)
		return;
	int e = netrule_parse("net_allow", text, &back);
	if (e == -ENOMEM) {
		free(text);
		return;
	}
	if (e != 0)
		fprintf(stderr, "'%s' does not parse back\n", text);
	FUZZ_ASSERT(e == 0);
	FUZZ_ASSERT(netrule_equal(r, &back));
	if (netrule_format(&back, &again) == 0) {
		FUZZ_ASSERT(strcmp(text, again) == 0);
		free(again);
	}
	if (netrule_copy(&copy, r) == 0) {
		FUZZ_ASSERT(netrule_equal(r, &copy));
		netrule_free(&copy);
	}
	netrule_free(&back);
	free(text);
}

/* Destinations taken from the input's bytes, and the rule's own. */
static void check_matcher(const struct sl_net_rule *r, const uint8_t *data, size_t size)
{
	struct sl_net_addr resolved[2] = {{AF_INET, 32, {192, 0, 2, 1}},
					  {AF_INET6, 128, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}}};
	struct sl_net_host host = {r->host, resolved, 2};
	struct netmatch_lists as_allow = {.allow = r, .n_allow = 1, .has_allow = true};
	struct netmatch_lists as_deny = {.deny = r, .n_deny = 1};
	struct sl_net_acl allow, deny;
	if (netmatch_acl_build(&allow, &as_allow, &host, 1) < 0)
		return;
	if (netmatch_acl_build(&deny, &as_deny, &host, 1) < 0) {
		netmatch_acl_free(&allow);
		return;
	}
	for (size_t i = 0; i < 4; i++) {
		struct sl_net_addr dst = {.family = i % 2 ? AF_INET6 : AF_INET};
		dst.prefix = dst.family == AF_INET ? 32 : 128;
		for (size_t j = 0; j < (dst.family == AF_INET ? 4 : 16) && j < size; j++)
			dst.addr[j] = data[(i * 7 + j) % size];
		if (i == 3 && r->target == SL_TARGET_ADDR)
			dst = r->addr;
		uint32_t port =
		    size >= 2 ? (uint32_t)(data[i % size] << 8 | data[(i + 1) % size]) : 0;
		if (i == 3 && r->ports.n > 0)
			port = r->ports.v[0].lo;
		for (enum sl_proto p = SL_PROTO_TCP; p <= SL_PROTO_ICMP; p++) {
			enum sl_net_verdict a = netmatch_decide(&allow, p, &dst, port);
			enum sl_net_verdict d = netmatch_decide(&deny, p, &dst, port);
			FUZZ_ASSERT(a == SL_NET_ALLOW || a == SL_NET_DENY);
			FUZZ_ASSERT(d == SL_NET_ALLOW || d == SL_NET_DENY);
			FUZZ_ASSERT((a == SL_NET_ALLOW) == (d == SL_NET_DENY));
			FUZZ_ASSERT(netmatch_decide(&allow, p, &dst, port) == a);
			if (i == 3 && p == r->proto && r->target != SL_TARGET_NAME &&
			    (r->ports.all || r->ports.n > 0 || p == SL_PROTO_ICMP))
				FUZZ_ASSERT(a == SL_NET_ALLOW);
		}
	}
	netmatch_acl_free(&allow);
	netmatch_acl_free(&deny);
}

static void check_bind_spec(const char *s)
{
	struct sl_portset set, back;
	char *text = NULL;
	if (portset_parse("net_allow_bind", s, s, true, &set) != 0)
		return;
	check_set(&set, 1);
	FUZZ_ASSERT(!portset_empty(&set));
	if (portset_format(&set, &text) == 0) {
		int e = portset_parse("net_allow_bind", text, text, true, &back);
		FUZZ_ASSERT(e == 0 || e == -ENOMEM);
		if (e == 0) {
			FUZZ_ASSERT(portset_equal(&set, &back));
			portset_free(&back);
		}
		free(text);
	}
	portset_free(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct sl_net_rule r;
	if (!s)
		return 0;
	if (netrule_parse("net_allow", s, &r) == 0) {
		check_rule(&r);
		check_round_trip(&r);
		check_matcher(&r, data, size);
		netrule_free(&r);
	}
	check_bind_spec(s);
	free(s);
	return 0;
}
