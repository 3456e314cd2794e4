/* SPDX-License-Identifier: Apache-2.0 */
/* throttle.c - the CPU budget of max_cpu (see throttle.h). */
#include "throttle.h"

#include <signal.h>

void throttle_init(struct sl_throttle *t, unsigned pct, int64_t now_ms)
{
	*t = (struct sl_throttle){.pct = pct < 100 ? pct : 0, .last_ms = now_ms};
	t->bank_us = (int64_t)t->pct * THROTTLE_PERIOD_MS * 10; /* pct % of a period, in us */
	t->next_ms = now_ms + THROTTLE_TICK_MS;
}

int64_t throttle_next(const struct sl_throttle *t)
{
	return t->pct ? t->next_ms : -1;
}

int throttle_check(struct sl_throttle *t, int64_t now_ms, int64_t used_us)
{
	int64_t cap = (int64_t)t->pct * THROTTLE_PERIOD_MS * 10;
	t->bank_us +=
	    (now_ms - t->last_ms) * 10 * (int64_t)t->pct; /* earned: pct % of 1000 us/ms */
	if (t->bank_us > cap)
		t->bank_us = cap;
	t->bank_us -= used_us > 0 ? used_us : 0;
	t->last_ms = now_ms;
	if (t->bank_us < 0) {
		/* until the debt is paid (debt / (pct % of a core)), but
		 * checking every tick meanwhile: a process resumed behind the
		 * stop is stopped again, and its time is debt too */
		int64_t paid = now_ms + 1 + (-t->bank_us) / (10 * (int64_t)t->pct);
		t->next_ms = paid < now_ms + THROTTLE_TICK_MS ? paid : now_ms + THROTTLE_TICK_MS;
		/* still in debt and something ran (a process resumed from
		 * outside, or one born meanwhile): stop again */
		if (t->stopped && used_us == 0)
			return 0;
		t->stopped = true;
		return SIGSTOP;
	}
	t->next_ms = now_ms + THROTTLE_TICK_MS;
	if (!t->stopped)
		return 0;
	t->stopped = false;
	return SIGCONT;
}
