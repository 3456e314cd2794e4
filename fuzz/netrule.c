/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netrule.c - the net_allow/net_deny grammar and the port lists.
 * Properties:
 *   - parsing never crashes or leaks, and an accepted rule is well formed
 *     (ports sorted, disjoint, in 1-65535; ranges with no host bits; no
 *     v4-mapped address left);
 *   - the canonical text of a rule parses to an equal rule, and is a fixed
 *     point; a copy is equal;
 *   - the same input as a bind spec: a well-formed set whose text parses
 *     back to it.
 */
#include <errno.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "netaddr.h"
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
		netrule_free(&r);
	}
	check_bind_spec(s);
	free(s);
	return 0;
}
