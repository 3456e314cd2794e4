/* SPDX-License-Identifier: Apache-2.0 */
/* throttle.c - duty cycle of max_cpu (see throttle.h). */
#include "throttle.h"

#include <signal.h>

void throttle_init(struct sl_throttle *t, unsigned pct, int64_t now_ms)
{
	*t = (struct sl_throttle){.pct = pct < 100 ? pct : 0};
	t->next_ms = now_ms + (int64_t)t->pct * THROTTLE_PERIOD_MS / 100;
}

int64_t throttle_next(const struct sl_throttle *t)
{
	return t->pct ? t->next_ms : -1;
}

int throttle_due(struct sl_throttle *t, int64_t now_ms)
{
	if (!t->pct || now_ms < t->next_ms)
		return 0;
	t->stopped = !t->stopped;
	int64_t run = (int64_t)t->pct * THROTTLE_PERIOD_MS / 100;
	/* Schedule from now, not from the missed deadline: a late wake-up
	 * must not shorten the stop phase below its share. */
	t->next_ms = now_ms + (t->stopped ? THROTTLE_PERIOD_MS - run : run);
	return t->stopped ? SIGSTOP : SIGCONT;
}
