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
#include <signal.h>
#include <stdio.h>

#include "feature.h"
#include "procs.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "syscalls.h"
#include "throttle.h"
#include "util.h"

#define CPULIMIT_WATCH_MS 50 /* how often a paused sandbox is checked */

struct cpu_state {
	struct sl_throttle throttle;
	bool was_stopped;      /* at the last check */
	int64_t watch_at;      /* next check of a paused sandbox */
	struct sl_kills kills; /* running while stopped */
};

static bool stopped(const struct sl_sup *s, const struct cpu_state *st)
{
	return s->paused || st->throttle.stopped;
}

/* register-only: the signal number is a register; HOLD does nothing now.
 * The filter notifies only SIGCONT, unless a user handler watches the
 * call: then every signal comes here, and only SIGCONT is held. */
static void on_sigcont(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	int i = syscalls_signal_arg(c->req->data.nr);
	if (i >= 0 && (int)c->req->data.args[i] == SIGCONT && stopped(c->sup, arg))
		*a = (struct sl_action){.kind = SL_ACT_HOLD, .fd = -1};
}

static int64_t next(struct sl_sup *s, void *state)
{
	struct cpu_state *st = state;
	int64_t t = throttle_next(&st->throttle);
	if (t < 0 && s->paused)
		t = st->watch_at;
	return t;
}

static void tick(struct sl_sup *s, void *state, int64_t now_ms)
{
	struct cpu_state *st = state;
	int64_t t = next(s, st);
	if (t < 0 || now_ms < t)
		return;
	/* stopped over the whole interval since the last check */
	bool held = st->was_stopped && stopped(s, st);
	int64_t used = procs_cpu_used(&s->procs, held, &st->kills);
	int sig = 0;
	if (st->throttle.pct)
		sig = throttle_check(&st->throttle, now_ms, used);
	/* a sandbox paused by live control stays stopped */
	if (sig == SIGCONT && s->paused)
		sig = 0;
	/* stopped and something ran: stop it again */
	if (!sig && s->paused && used > 0)
		sig = SIGSTOP;
	if (sig)
		procs_signal_all(&s->procs, sig);
	/* the CPU read above came before this stop: what ran from then to the
	 * signal (the supervisor preempted between the two, on a loaded host,
	 * while the command spun) is not running while stopped; counted so,
	 * it got a throttled command killed */
	if (sig == SIGSTOP && !st->was_stopped)
		procs_cpu_rebase(&s->procs);
	st->was_stopped = stopped(s, st);
	st->watch_at = now_ms + CPULIMIT_WATCH_MS;
}

/* A pause is watched from now on.  A resume's SIGCONT reaches every
 * member, also while the throttle holds the sandbox stopped (the engine
 * sends it whatever the features say): what runs until the next check
 * was let run by the host, not behind the stop.  (Counted as running
 * while stopped, it got the command killed: a few resumes during a long
 * throttle stop added up to PROCS_STOPPED_CPU_MS.)  The next tick sees
 * the debt and that something ran, and stops it again. */
static void control(struct sl_sup *s, void *state, int sig)
{
	(void)s;
	struct cpu_state *st = state;
	if (sig == SIGSTOP)
		st->watch_at = sl_now_ms() + CPULIMIT_WATCH_MS;
	else if (sig == SIGCONT)
		st->was_stopped = false;
}

static bool note(const void *state, const struct sl_end *e, char *buf, size_t size)
{
	const struct sl_kills *k = &((const struct cpu_state *)state)->kills;
	if (!k->n)
		return false;
	snprintf(buf, size,
		 "%s %d was killed: it kept running while the sandbox was stopped "
		 "(max_cpu or pause)%s",
		 k->last == e->root ? "the command, process" : "process", (int)k->last,
		 k->n > 1 ? ", and others" : "");
	return true;
}

/* kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo,
 * pidfd_send_signal with SIGCONT: the signal is a register. */
static size_t rules(const struct sl_feature_env *env, struct sl_frule *out, size_t max)
{
	(void)env;
	size_t n;
	const struct sl_sig_sender *sends = syscalls_signal_senders(&n);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = (struct sl_frule){
		    {sends[i].nr, 1, {SL_A32((uint32_t)sends[i].sig_arg, SIGCONT)}}, on_sigcont};
	return n;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)s;
	(void)proc_off;
	struct cpu_state *st = state;
	const struct sandlock_sandbox *p = env->policy;
	throttle_init(&st->throttle, p->max_cpu.set ? (unsigned)p->max_cpu.v : 100, sl_now_ms());
	return 0;
}

/* Always on: live control's pause must hold even without max_cpu. */
const struct sl_feature feature_cpulimit = {
    .name = "max_cpu",
    .rules = rules,
    .state_size = sizeof(struct cpu_state),
    .init = init,
    .next = next,
    .tick = tick,
    .control = control,
    .note = note,
};
