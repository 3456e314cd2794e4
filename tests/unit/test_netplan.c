/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_netplan.c - the network plan: what Landlock is given (ports it can
 * list, nothing when a set is too large or every port), the pins of the
 * resolved names, refusals.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "harness.h"
#include "netplan.h"
#include "policy.h"

static sandlock_sandbox_t *built(sandlock_builder_t *b)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (!p)
		th_fail(__FILE__, __LINE__, "build: %s", msg);
	return p;
}

/* No rules: Landlock handles connect and bind with nothing allowed. */
TEST(netplan_default_denies_by_landlock)
{
	sandlock_sandbox_t *p = built(sandlock_sandbox_builder_new());
	struct sl_netplan np;
	CHECK_EQ(netplan_build(&np, p), 0);
	CHECK(!np.policy);
	CHECK(np.connect_ruled && np.bind_ruled && np.tcp_pure);
	CHECK_EQ(np.connect_ports.n, 0);
	CHECK_EQ(np.bind_ports.n, 0);
	CHECK_EQ(np.npins, 0);
	netplan_release(&np);
	sandlock_sandbox_free(p);
}

/* Port rules are listed; an address rule keeps Landlock's ports as an
 * outer bound while the supervisor decides. */
TEST(netplan_ports_listed)
{
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_net_allow(sandlock_sandbox_builder_new(), ":80,443");
	b = sandlock_sandbox_builder_net_allow(b, "10.0.0.0/8:8080");
	sandlock_sandbox_t *p = built(b);
	struct sl_netplan np;
	CHECK_EQ(netplan_build(&np, p), 0);
	CHECK(np.policy && !np.tcp_pure && np.connect_ruled);
	CHECK_EQ(np.connect_ports.n, 3);
	CHECK_EQ(np.connect_ports.v[0], 80);
	CHECK_EQ(np.connect_ports.v[2], 8080);
	netplan_release(&np);
	sandlock_sandbox_free(p);
}

/* Every port, or more than Landlock is given rules for: not handled by
 * Landlock (the supervisor decides connects). */
TEST(netplan_large_sets_left_to_the_supervisor)
{
	sandlock_sandbox_t *p = built(
	    sandlock_sandbox_builder_net_allow(sandlock_sandbox_builder_new(), "127.0.0.1:*"));
	struct sl_netplan np;
	CHECK_EQ(netplan_build(&np, p), 0);
	CHECK(!np.connect_ruled);
	netplan_release(&np);
	sandlock_sandbox_free(p);
	p = built(sandlock_sandbox_builder_net_deny(sandlock_sandbox_builder_new(), ":25"));
	CHECK_EQ(netplan_build(&np, p), 0);
	CHECK(np.policy && np.tcp_pure && !np.connect_ruled);
	netplan_release(&np);
	sandlock_sandbox_free(p);
	p = built(sandlock_sandbox_builder_net_allow_bind(sandlock_sandbox_builder_new(), "*"));
	CHECK_EQ(netplan_build(&np, p), 0);
	CHECK(!np.bind_ruled && !np.bind_checked);
	netplan_release(&np);
	sandlock_sandbox_free(p);
	p = built(
	    sandlock_sandbox_builder_net_allow_bind(sandlock_sandbox_builder_new(), "8000-8999"));
	CHECK_EQ(netplan_build(&np, p), 0);
	CHECK(np.bind_ruled);
	CHECK_EQ(np.bind_ports.n, 1000);
	netplan_release(&np);
	sandlock_sandbox_free(p);
}

/* A name is resolved and pinned once per address; an address rule pins
 * nothing. */
TEST(netplan_names_pinned)
{
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_net_allow(sandlock_sandbox_builder_new(), "LocalHost:80");
	b = sandlock_sandbox_builder_net_allow(b, "localhost:443");
	b = sandlock_sandbox_builder_net_allow(b, "192.0.2.1:443");
	sandlock_sandbox_t *p = built(b);
	struct sl_netplan np;
	CHECK_EQ(netplan_build(&np, p), 0);
	CHECK(np.npins >= 1);
	bool v4 = false;
	for (size_t i = 0; i < np.npins; i++) {
		CHECK_STR(np.pins[i].name, "LocalHost");
		v4 |= strcmp(np.pins[i].addr, "127.0.0.1") == 0;
		CHECK(strcmp(np.pins[i].addr, "192.0.2.1") != 0);
	}
	CHECK(v4);
	netplan_release(&np);
	sandlock_sandbox_free(p);
}

TEST(netplan_unresolvable_name_refused)
{
	sandlock_sandbox_t *p = built(sandlock_sandbox_builder_net_deny(
	    sandlock_sandbox_builder_new(), "no-such-host.invalid:*"));
	struct sl_netplan np;
	int r = netplan_build(&np, p);
	CHECK(r < 0);
	CHECK(strstr(sl_error_get(), "net_deny: host 'no-such-host.invalid' does not resolve") !=
	      NULL);
	netplan_release(&np);
	sandlock_sandbox_free(p);
}
