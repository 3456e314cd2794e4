/* SPDX-License-Identifier: Apache-2.0 */
/* netrule.c - the net_allow grammar: no crash, no leak; an accepted rule
 * copies to an equal rule with sorted, distinct ports in 1-65535. */
#include "fuzz.h"
#include "netrule.h"
#include "policy.h"

static void check_rule(const struct sl_net_rule *r)
{
	for (size_t i = 0; i < r->ports.n; i++) {
		FUZZ_ASSERT(r->ports.v[i] >= 1 && r->ports.v[i] <= 65535);
		FUZZ_ASSERT(i == 0 || r->ports.v[i - 1] < r->ports.v[i]);
	}
	FUZZ_ASSERT(!r->all_ports || r->ports.n == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct sl_net_rule r, c;
	if (s && netrule_parse(s, &r) == 0) {
		check_rule(&r);
		if (netrule_copy(&c, &r) == 0) {
			FUZZ_ASSERT(c.proto == r.proto && c.all_ports == r.all_ports);
			FUZZ_ASSERT(!c.host == !r.host && (!c.host || !strcmp(c.host, r.host)));
			FUZZ_ASSERT(c.ports.n == r.ports.n);
			netrule_free(&c);
		}
		netrule_free(&r);
	}
	free(s);
	return 0;
}
