/* SPDX-License-Identifier: Apache-2.0 */
/* planreq.c - the seccomp request the library makes for a policy (see planreq.h). */
#include "planreq.h"

#include <stdlib.h>

#include "feature.h"
#include "harness.h"
#include "netproto.h"
#include "registry.h"

struct filter_req planreq(const struct sandlock_sandbox *cfg, bool tty, const int *user,
			  size_t n_user)
{
	struct sl_feature_env env = {.policy = cfg, .tty_jobs = tty};
	struct sl_nrule *rules = NULL;
	size_t n = 0;
	CHECK_EQ(feature_plan_rules(registry_features(), &env, user, n_user, &rules, &n), 0);
	const struct netmatch_lists nl = netmatch_lists_of(cfg);
	return (struct filter_req){.cfg = cfg,
				   .rules = rules,
				   .n_rules = n,
				   .allow_udp = netproto_used(&nl, SL_PROTO_UDP),
				   .allow_icmp = netproto_used(&nl, SL_PROTO_ICMP),
				   .tty_jobs = tty};
}

void planreq_free(struct filter_req *req)
{
	free((void *)req->rules);
	req->rules = NULL;
	req->n_rules = 0;
}

bool planreq_notifies(const struct filter_req *req, int nr)
{
	for (size_t i = 0; i < req->n_rules; i++)
		if (req->rules[i].nr == nr)
			return true;
	return false;
}
