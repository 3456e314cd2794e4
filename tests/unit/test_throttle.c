/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the max_cpu budget (src/features/throttle.c). */
#include <signal.h>
#include <sys/syscall.h>

#include "harness.h"
#include <stdlib.h>

#include "feature.h"
#include "policy.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "supervisor.h"
#include "throttle.h"

/* Under its share the sandbox is never stopped. */
TEST(throttle_light_load_runs)
{
	struct sl_throttle t;
	throttle_init(&t, 25, 1000);
	for (int64_t now = 1010; now < 3000; now += 10) {
		CHECK_EQ(throttle_next(&t), now);
		CHECK_EQ(throttle_check(&t, now, 2000), 0); /* 20 % of a core */
	}
	CHECK(!t.stopped);
}

/* Over it: stopped until the debt is paid, then continued; over time the
 * share is pct % of one core plus the one-period bank. */
TEST(throttle_heavy_load_gets_its_share)
{
	struct sl_throttle t;
	throttle_init(&t, 25, 0);
	int64_t now = 0, used_total = 0;
	int stops = 0;
	while (now < 10000) {
		now = throttle_next(&t);
		/* a busy process: all of the elapsed time while running */
		int64_t used = t.stopped ? 0 : (now - t.last_ms) * 1000;
		used_total += used;
		int sig = throttle_check(&t, now, used);
		stops += sig == SIGSTOP;
		CHECK(sig == 0 || sig == SIGSTOP || sig == SIGCONT);
	}
	CHECK(stops > 10);
	/* 25 % of 10 s is 2.5 s; the bank and one tick of overshoot at most */
	CHECK(used_total <= 2500000 + 25000 + 10000);
	CHECK(used_total >= 2400000);
}

/* Something that ran while the sandbox should be stopped (resumed from
 * outside, or born meanwhile) is stopped again. */
TEST(throttle_restops_when_debt_and_activity)
{
	struct sl_throttle t;
	throttle_init(&t, 10, 0);
	CHECK_EQ(throttle_check(&t, 10, 50000), SIGSTOP);
	int64_t next = throttle_next(&t);
	CHECK(next > 10);
	CHECK_EQ(throttle_check(&t, 11, 5000), SIGSTOP);
	CHECK_EQ(throttle_check(&t, 12, 0), 0);
	CHECK_EQ(throttle_check(&t, throttle_next(&t) + 1000, 0), SIGCONT);
}

/* 100 % (and 0, "unset") mean no throttle. */
TEST(throttle_off)
{
	struct sl_throttle t;
	throttle_init(&t, 100, 0);
	CHECK_EQ(throttle_next(&t), -1);
}

/* While the sandbox is stopped, a SIGCONT sent from inside is held; any
 * other signal is not (a user handler on kill makes every kill reach the
 * builtin, not only the SIGCONTs the filter picks). */
TEST(cpulimit_holds_only_sigcont)
{
	static struct sl_sup s; /* large: not on the stack */
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct sl_feature_env env = {.policy = &cfg};
	const struct sl_feature *f = &feature_cpulimit;
	void *state = calloc(1, f->state_size);
	CHECK(state != NULL);
	CHECK_EQ(f->init(&s, state, &env, 0), 0);
	/* its handler of tgkill, as the engine chains it */
	struct sl_frule *rules;
	size_t n;
	CHECK_EQ(feature_rules_of(f, &env, &rules, &n), 0);
	sl_hfn fn = NULL;
	for (size_t i = 0; i < n; i++)
		if (rules[i].when.nr == __NR_tgkill)
			fn = rules[i].fn;
	CHECK(fn != NULL);
	s.paused = true;
	struct seccomp_notif req = {.data = {.nr = __NR_tgkill}};
	struct sl_ctx c = {.sup = &s, .req = &req};
	int sigs[] = {SIGCONT, SIGUSR1, SIGTERM, SIGKILL, 0};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		req.data.args[2] = (uint64_t)sigs[i];
		struct sl_action a = sl_act_continue();
		fn(&c, &a, state);
		CHECK_EQ(a.kind, sigs[i] == SIGCONT ? SL_ACT_HOLD : SL_ACT_CONTINUE);
	}
	s.paused = false;
	req.data.args[2] = SIGCONT;
	struct sl_action a = sl_act_continue();
	fn(&c, &a, state);
	CHECK_EQ(a.kind, SL_ACT_CONTINUE);
	free(state);
	policy_release(&cfg);
	free(rules);
}
