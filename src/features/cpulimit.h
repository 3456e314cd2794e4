/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpulimit.h - stops that hold: max_cpu's throttle and live control's
 * pause (see cpulimit.c).
 */
#ifndef SL_CPULIMIT_H
#define SL_CPULIMIT_H

#include <stdint.h>

#include "supervisor.h"

#define CPULIMIT_WATCH_MS 50 /* how often a paused sandbox is checked */

/* kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo,
 * pidfd_send_signal with SIGCONT: held while the sandbox is stopped. */
void cpulimit_on_sigcont(struct sl_ctx *c, struct sl_action *a, void *arg);

/* The next check (monotonic ms, -1 none) and the check itself.  Caller
 * holds the supervisor's lock for the tick. */
int64_t cpulimit_next(const struct sl_sup *s);
void cpulimit_tick(struct sl_sup *s, int64_t now_ms);

#endif
