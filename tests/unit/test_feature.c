/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the feature seam (src/engine/feature.c, supervisor.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "error.h"
#include "feature.h"
#include "harness.h"
#include "policy.h"
#include "registry.h"
#include "supervisor.h"

static void nop(struct sl_ctx *c, struct sl_action *a, void *arg)
{
}

/* Two forms of getppid for one handler, one unconditional getpid; a
 * handler relying on its condition for gettid. */
static const struct sl_frow two_forms[] = {
    {{__NR_getppid, 1, {SL_ANE(0, 1)}}, 0},
    {{__NR_getppid, 1, {SL_ANE(0, 2)}}, 0},
    {{__NR_getpid, 0, {{0}}}, 0},
    {{__NR_gettid, 1, {SL_ANE(0, 1)}}, 0},
};
static const sl_hfn nops[] = {nop};

static size_t rules_two(const struct sl_feature_env *env, struct sl_frule *out, size_t max)
{
	return feature_rows_copy(two_forms, 4, nops, 1, out, max);
}

/* A row naming a handler the list does not hold (past its end, or a
 * hole: one left out by an #ifdef). */
static const struct sl_frow bad_rows[] = {
    {{__NR_getpid, 0, {{0}}}, 0},
    {{__NR_getppid, 0, {{0}}}, 1},
};
static const sl_hfn holed[] = {[2] = nop};
static const struct sl_feature f_past = {.name = "past", SL_FRULES(bad_rows, nops)};
static const struct sl_feature f_hole = {.name = "hole", SL_FRULES(bad_rows, holed)};

/* Each refused, naming the feature and the row; no rule is made. */
TEST(feature_rows_without_handler_refused)
{
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct sl_feature_env env = {.policy = &cfg};
	struct sl_frule *rules = (struct sl_frule *)1;
	size_t n = 7;
	CHECK_EQ(feature_rules_of(&f_past, &env, &rules, &n), -EINVAL);
	CHECK(rules == NULL);
	CHECK_EQ(n, 0);
	CHECK_STR(sl_error_get(), "feature past: notify rule 1 has no handler");
	CHECK_EQ(feature_rules_of(&f_hole, &env, &rules, &n), -EINVAL);
	CHECK_STR(sl_error_get(), "feature hole: notify rule 0 has no handler");
	policy_release(&cfg);
}

/* Every built-in feature's table names handlers it holds. */
TEST(feature_builtin_rows_have_handlers)
{
	const struct sl_feature_set *set = registry_features();
	for (size_t i = 0; i < set->n; i++) {
		const struct sl_feature *f = set->v[i];
		for (size_t k = 0; k < f->n_table; k++)
			if (f->table[k].h >= f->n_fns || !f->fns[f->table[k].h])
				th_fail(__FILE__, __LINE__, "%s: row %zu", f->name, k);
	}
}

static size_t rules_many(const struct sl_feature_env *env, struct sl_frule *out, size_t max)
{
	return max + 1;
}

static int init_fails(struct sl_sup *s, void *state, const struct sl_feature_env *env,
		      size_t proc_off)
{
	return sl_errorf(EIO, "the device is gone");
}

static bool never(const struct sl_feature_env *env)
{
	return false;
}

static const int two_exact[] = {__NR_gettid};
static const struct sl_feature f_two = {
    .name = "two forms", .rules = rules_two, .exact = two_exact, .n_exact = 1};
static const struct sl_feature f_many = {.name = "too many", .rules = rules_many};
static const struct sl_feature f_fails = {.name = "failing", .init = init_fails};
static const struct sl_feature f_off = {.name = "off", .active = never, .rules = rules_many};

/* The plan gets each distinct rule once; an inactive feature adds none,
 * and user handlers add unconditional rules. */
TEST(feature_plan_rules_gathers_active)
{
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct sl_feature_env env = {.policy = &cfg};
	const struct sl_feature *const v[] = {&f_two, &f_off, &f_two};
	struct sl_feature_set set = {v, 3};
	int user[] = {__NR_getpid, __NR_getuid};
	struct sl_nrule *rules;
	size_t n;
	CHECK_EQ(feature_plan_rules(&set, &env, user, 2, &rules, &n), 0);
	CHECK_EQ(n, 5); /* two getppid forms, getpid, gettid, getuid */
	CHECK_EQ(rules[0].nr, __NR_getppid);
	CHECK_EQ(rules[3].nr, __NR_gettid);
	CHECK_EQ(rules[4].nr, __NR_getuid);
	CHECK_EQ(rules[4].ncmp, 0);
	free(rules);
	policy_release(&cfg);
}

/* A handler on a syscall an active feature has an exact rule for is
 * refused, naming the feature; a conditional rule whose handler checks
 * its arguments itself (getppid here), an unconditional one, or the same
 * feature inactive, are fine. */
TEST(feature_exact_rule_refuses_user_handler)
{
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct sl_feature_env env = {.policy = &cfg};
	const struct sl_feature *const v[] = {&f_two};
	struct sl_feature_set set = {v, 1};
	int user[] = {__NR_gettid};
	struct sl_nrule *rules = NULL;
	size_t n;
	CHECK_EQ(feature_plan_rules(&set, &env, user, 1, &rules, &n), -EPERM);
	CHECK(rules == NULL);
	CHECK_CONTAINS(sl_error_get(), "the feature \"two forms\" is notified of it only");
	int fine[] = {__NR_getppid, __NR_getpid};
	CHECK_EQ(feature_plan_rules(&set, &env, fine, 2, &rules, &n), 0);
	free(rules);
	const struct sl_feature *const off[] = {&f_off};
	set = (struct sl_feature_set){off, 1};
	CHECK_EQ(feature_plan_rules(&set, &env, user, 1, &rules, &n), 0);
	CHECK_EQ(n, 1);
	free(rules);
	policy_release(&cfg);
}

/* A feature asking for more rules than fit is refused by name. */
TEST(feature_too_many_rules_named)
{
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct sl_feature_env env = {.policy = &cfg};
	const struct sl_feature *const v[] = {&f_many};
	struct sl_feature_set set = {v, 1};
	struct sl_nrule *rules;
	size_t n;
	CHECK_EQ(feature_plan_rules(&set, &env, NULL, 0, &rules, &n), -E2BIG);
	CHECK(strstr(sl_error_get(), "too many") != NULL);
	policy_release(&cfg);
}

/* A feature that cannot start fails the start with its name and errno;
 * a handler notified in several forms is chained once. */
TEST(feature_init_failure_named_and_chains_once)
{
	th_skip_under_valgrind("the engine asks the seccomp syscall for its sizes");
	static struct sl_sup s;
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	const struct sl_feature *const bad[] = {&f_two, &f_fails};
	struct sl_feature_set set = {bad, 2};
	struct sl_sup_cfg sc = {.policy = &cfg, .name = "t", .features = &set};
	CHECK_EQ(supervisor_init(&s, &sc), -EIO);
	CHECK_STR(sl_error_get(), "failing: the device is gone");
	const struct sl_feature *const good[] = {&f_two};
	set = (struct sl_feature_set){good, 1};
	CHECK_EQ(supervisor_init(&s, &sc), 0);
	CHECK_EQ(supervisor_chain_len(&s, __NR_getppid), 1);
	CHECK_EQ(supervisor_chain_len(&s, __NR_getpid), 1);
	CHECK_EQ(s.nfeat, 1);
	supervisor_release(&s);
	policy_release(&cfg);
}

/* One feature reaches another's state by its struct: an active one's is
 * the state its handlers get, an inactive one has none. */
TEST(feature_state_found_by_struct)
{
	th_skip_under_valgrind("the engine asks the seccomp syscall for its sizes");
	static struct sl_sup s;
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	static const struct sl_feature f_state = {.name = "state", .state_size = 64};
	const struct sl_feature *const v[] = {&f_two, &f_off, &f_state};
	struct sl_feature_set set = {v, 3};
	struct sl_sup_cfg sc = {.policy = &cfg, .name = "t", .features = &set};
	CHECK_EQ(supervisor_init(&s, &sc), 0);
	CHECK(supervisor_feature_state(&s, &f_state) == s.feat[1].state);
	CHECK(supervisor_feature_state(&s, &f_two) == s.feat[0].state);
	CHECK(supervisor_feature_state(&s, &f_off) == NULL);
	CHECK(supervisor_feature_state(&s, &f_many) == NULL);
	supervisor_release(&s);
	CHECK(supervisor_feature_state(&s, &f_state) == NULL);
	policy_release(&cfg);
}
