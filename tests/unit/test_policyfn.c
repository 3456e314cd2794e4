/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policyfn.c - the policy callback's pure parts: the verdict
 * encoding (a value outside the documented ones denies), the builder's
 * extensions and their validation, the live policy's narrowing.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "policy.h"
#include "policyctx.h"
#include "policyfn.h"
#include "sandlock.h"

static int32_t cb(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	(void)ctx;
	return 0;
}

TEST(policyfn_verdict_encoding)
{
	bool audit = true;
	CHECK_EQ(policyfn_verdict(0, &audit), 0);
	CHECK(!audit);
	CHECK_EQ(policyfn_verdict(-2, &audit), 0);
	CHECK(audit);
	CHECK_EQ(policyfn_verdict(-1, &audit), EPERM);
	CHECK(!audit);
	CHECK_EQ(policyfn_verdict(ECONNREFUSED, &audit), ECONNREFUSED);
	CHECK_EQ(policyfn_verdict(1, &audit), 1);
	CHECK_EQ(policyfn_verdict(4095, &audit), 4095);
	/* outside the documented values: denied, never allowed */
	CHECK_EQ(policyfn_verdict(-3, &audit), EPERM);
	CHECK_EQ(policyfn_verdict(4096, &audit), EPERM);
	CHECK_EQ(policyfn_verdict(INT32_MIN, &audit), EPERM);
	CHECK_EQ(policyfn_verdict(INT32_MAX, &audit), EPERM);
	CHECK(!audit);
}

TEST(policyfn_builder_builds)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	b = sandlock_sandbox_builder_policy_fn(b, cb);
	b = sandlock_sandbox_builder_policy_fn_timeout_ms(b, 250);
	b = sandlock_sandbox_builder_policy_fn_events(b, SANDLOCK_POLICY_EVENT_EXEC);
	int err = 1;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	CHECK(p != NULL);
	CHECK_EQ(err, 0);
	CHECK(p->policy_fn == cb);
	CHECK(p->policy_fn_timeout_ms.set && p->policy_fn_timeout_ms.v == 250);
	CHECK(p->policy_fn_events.set && p->policy_fn_events.v == SANDLOCK_POLICY_EVENT_EXEC);
	sandlock_sandbox_free(p);
}

static char *build_error(sandlock_builder_t *b)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	sandlock_sandbox_free(p);
	return p ? NULL : msg;
}

TEST(policyfn_builder_refusals)
{
	char *m = build_error(sandlock_sandbox_builder_policy_fn_timeout_ms(
	    sandlock_sandbox_builder_policy_fn(sandlock_sandbox_builder_new(), cb), 0));
	CHECK(m && strstr(m, "policy_fn_timeout_ms must be greater than 0"));
	sandlock_string_free(m);
	m = build_error(sandlock_sandbox_builder_policy_fn_events(
	    sandlock_sandbox_builder_policy_fn(sandlock_sandbox_builder_new(), cb), 0x10));
	CHECK(m && strstr(m, "policy_fn_events: unknown bits 0x10"));
	sandlock_string_free(m);
}

static struct sockaddr_in v4(const char *a)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(80)};
	CHECK_EQ(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return s;
}

TEST(policyfn_live_network_narrows)
{
	struct sandlock_ctx *x = pctx_new();
	CHECK(x != NULL);
	struct sockaddr_in a = v4("10.1.2.3"), b = v4("192.0.2.7");
	/* unrestricted: the static policy alone decides */
	CHECK(pctx_net_allows(x, 100, &a, sizeof(a)));
	const char *none[] = {NULL};
	sandlock_ctx_restrict_network(x, none, 0);
	CHECK(!pctx_net_allows(x, 100, &a, sizeof(a)));
	CHECK(!pctx_net_allows(x, 100, &b, sizeof(b)));
	const char *net[] = {"10.0.0.0/8", "not an address"};
	sandlock_ctx_grant_network(x, net, 2);
	CHECK(pctx_net_allows(x, 100, &a, sizeof(a)));
	CHECK(!pctx_net_allows(x, 100, &b, sizeof(b)));
	/* a pid of its own: its list replaces the live one */
	const char *one[] = {"192.0.2.7"};
	sandlock_ctx_restrict_pid_network(x, 200, one, 1);
	CHECK(!pctx_net_allows(x, 200, &a, sizeof(a)));
	CHECK(pctx_net_allows(x, 200, &b, sizeof(b)));
	CHECK(pctx_net_allows(x, 100, &a, sizeof(a)));
	/* a v4-mapped IPv6 destination is its IPv4 one */
	struct sockaddr_in6 m = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
	CHECK_EQ(inet_pton(AF_INET6, "::ffff:192.0.2.7", &m.sin6_addr), 1);
	CHECK(!pctx_net_allows(x, 100, &m, sizeof(m)));
	CHECK(pctx_net_allows(x, 200, &m, sizeof(m)));
	/* dead: later calls are ignored */
	pctx_kill(x);
	sandlock_ctx_restrict_pid_network(x, 200, none, 0);
	CHECK(pctx_net_allows(x, 200, &b, sizeof(b)));
	pctx_unref(x);
}

TEST(policyfn_live_limits_only_tighten)
{
	struct sandlock_ctx *x = pctx_new();
	CHECK_EQ(pctx_max_memory(x, 1000), 1000);
	sandlock_ctx_restrict_max_memory(x, 500);
	sandlock_ctx_restrict_max_memory(x, 800);
	CHECK_EQ(pctx_max_memory(x, 1000), 500);
	CHECK_EQ(pctx_max_memory(x, 100), 100);
	sandlock_ctx_restrict_max_processes(x, 3);
	sandlock_ctx_restrict_max_processes(x, 9);
	CHECK_EQ(pctx_max_processes(x, 64), 3);
	pctx_unref(x);
}

TEST(policyfn_denied_paths_by_identity)
{
	struct sandlock_ctx *x = pctx_new();
	struct stat st;
	CHECK_EQ(stat("/etc/passwd", &st), 0);
	CHECK(!pctx_any_denied(x));
	sandlock_ctx_deny_path(x, "/etc/../etc/passwd");
	CHECK(pctx_any_denied(x));
	CHECK(pctx_denied(x, &st));
	sandlock_ctx_deny_path(x, "/nope/not/there"); /* nothing to deny */
	sandlock_ctx_allow_path(x, "/etc/passwd");
	CHECK(!pctx_denied(x, &st));
	CHECK(!pctx_any_denied(x));
	pctx_unref(x);
}
