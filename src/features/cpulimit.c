/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpulimit.c - stops that hold.
 *
 * max_cpu and pause stop the sandbox with SIGSTOP, the only unprivileged
 * way to stop processes without cgroups.  But SIGCONT resumes a stopped
 * process whoever sends it, and the sandbox may send it to itself: another
 * of its processes not stopped yet (kill and friends), the kernel on its
 * behalf later (a clone's exit signal, PR_SET_PDEATHSIG, F_SETSIG, a POSIX
 * timer, mq_notify).  So:
 *   - the senders that carry the signal in a register are decided in the
 *     kernel or here: PR_SET_PDEATHSIG and F_SETSIG with SIGCONT are
 *     refused by the filter, a clone with exit signal SIGCONT by nproc.c,
 *     and kill & co with SIGCONT are held (below) while the sandbox is
 *     stopped, then let through when it runs again;
 *   - while stopped, the sandbox is checked every tick (the throttle) or
 *     every CPULIMIT_WATCH_MS (a pause): SIGSTOP goes out again, and a
 *     process that ran more than PROCS_STOPPED_CPU_MS in all while the
 *     sandbox was stopped (a SIGCONT timer, the senders whose signal is
 *     in memory, a terminal's SIGCONT to an orphaned process group) is
 *     killed: a stop that does not hold is no limit.  The run's result
 *     says so.
 */
#include "cpulimit.h"

#include <signal.h>

#include "procs.h"
#include "seccomp_uapi.h"
#include "syscalls.h"

static bool stopped(const struct sl_sup *s)
{
	return s->paused || s->throttle.stopped;
}

/* register-only: the signal number is a register; HOLD does nothing now.
 * The filter notifies only SIGCONT, unless a user handler watches the
 * call: then every signal comes here, and only SIGCONT is held. */
void cpulimit_on_sigcont(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	int i = syscalls_signal_arg(c->req->data.nr);
	if (i >= 0 && (int)c->req->data.args[i] == SIGCONT && stopped(c->sup))
		*a = (struct sl_action){.kind = SL_ACT_HOLD, .fd = -1};
}

int64_t cpulimit_next(const struct sl_sup *s)
{
	int64_t t = throttle_next(&s->throttle);
	if (t < 0 && s->paused)
		t = s->watch_at;
	return t;
}

void cpulimit_tick(struct sl_sup *s, int64_t now_ms)
{
	/* stopped over the whole interval since the last check */
	bool held = s->was_stopped && stopped(s);
	int64_t used = procs_cpu_used(&s->procs, held, &s->cpu_kills);
	int sig = 0;
	if (s->throttle.pct)
		sig = throttle_check(&s->throttle, now_ms, used);
	/* a sandbox paused by live control stays stopped */
	if (sig == SIGCONT && s->paused)
		sig = 0;
	/* stopped and something ran: stop it again */
	if (!sig && s->paused && used > 0)
		sig = SIGSTOP;
	if (sig)
		procs_signal_all(&s->procs, sig);
	s->was_stopped = stopped(s);
	s->watch_at = now_ms + CPULIMIT_WATCH_MS;
}
