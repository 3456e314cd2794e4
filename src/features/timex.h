/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timex.h - adjtimex and clock_adjtime, read-only (builtin handlers of
 * the supervisor, always active).
 */
#ifndef SL_TIMEX_H
#define SL_TIMEX_H

#include "supervisor.h"

/* adjtimex(buf): emulated when buf->modes == 0, else EPERM. */
void timex_on_adjtimex(struct sl_ctx *c, struct sl_action *a, void *arg);
/* clock_adjtime(clock, buf): emulated when buf->modes == 0 and clock is
 * CLOCK_REALTIME or CLOCK_TAI, else EPERM. */
void timex_on_clock_adjtime(struct sl_ctx *c, struct sl_action *a, void *arg);

#endif
