/* SPDX-License-Identifier: Apache-2.0 */
/* aschild.c - fn(arg) with the child's credentials (see aschild.h). */
#include "aschild.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"
#include "pidinfo.h"
#include "util.h"

#define KEEP_CAPS (SL_CAP_BIT(CAP_SETUID) | SL_CAP_BIT(CAP_SETGID))

enum as_state { W_STARTING, W_IDLE, W_JOB, W_DONE, W_QUIT };

struct aschild {
	bool broken; /* a thread could not return to its credentials */
	int ruleset; /* applied by the worker, -1 none */
	/* the worker's own ids: made when it starts (4 KB with the groups,
	 * which a sandbox whose calls run here never needs) */
	struct sl_creds *self;
	uint64_t keep; /* the worker's capabilities: KEEP_CAPS it had */
	/* the worker: one call at a time, handed over through state (a
	 * futex: about 6 us for the round trip here, 10 with a condition
	 * variable); the fields below it are written before it changes */
	pthread_t th;
	bool started;
	pid_t tid;	  /* the worker's */
	int cpu;	  /* where it was last put (-1: anywhere; -2: it cannot be) */
	atomic_int state; /* enum as_state */
	int start_err;
	long (*fn)(void *);
	void *arg;
	const struct sl_creds *creds;
	long result;
};

/* ---- capabilities and ids of the calling thread (raw: per thread) ------ */

/* The worker's: keep effective or not, nothing inheritable. */
static int caps_keep(const struct aschild *a, bool effective)
{
	return sl_caps_set(&(struct sl_caps){effective ? a->keep : 0, a->keep, 0});
}

/* This thread's ids and groups. */
static int ids_read(struct sl_creds *c)
{
	uid_t u[3];
	gid_t g[3];
	if (getresuid(&u[0], &u[1], &u[2]) < 0 || getresgid(&g[0], &g[1], &g[2]) < 0)
		return -errno;
	/* an invalid id changes nothing and returns the current one */
	long fsu = syscall(SYS_setfsuid, -1), fsg = syscall(SYS_setfsgid, -1);
	int n = getgroups(SL_CREDS_MAX_GROUPS, (gid_t *)c->groups);
	if (n < 0)
		return -errno;
	for (int i = 0; i < 3; i++) {
		c->uid[i] = u[i];
		c->gid[i] = g[i];
	}
	c->uid[3] = (uint32_t)fsu;
	c->gid[3] = (uint32_t)fsg;
	c->ngroups = (uint32_t)n;
	return 0;
}

static bool groups_equal(const struct sl_creds *a, const struct sl_creds *b)
{
	return a->ngroups == b->ngroups &&
	       memcmp(a->groups, b->groups, a->ngroups * sizeof(a->groups[0])) == 0;
}

/* What the kernel checks of a call made with these credentials: real,
 * effective and filesystem ids (the saved ones never decide), groups. */
static bool acts_as(const struct sl_creds *a, const struct sl_creds *b)
{
	static const int idx[] = {0, 1, 3};
	for (size_t i = 0; i < 3; i++)
		if (a->uid[idx[i]] != b->uid[idx[i]] || a->gid[idx[i]] != b->gid[idx[i]])
			return false;
	return groups_equal(a, b);
}

/* Takes ids t, keeping the saved ids our own: the way back needs no
 * capability for the uid, and CAP_SETGID (still permitted) for the rest.
 * Groups and gids first, while CAP_SETGID is effective; a change of the
 * effective uid from 0 clears the effective set (capabilities(7)). */
static int ids_switch(const struct aschild *a, const struct sl_creds *t)
{
	if (a->keep & SL_CAP_BIT(CAP_SETGID)) {
		if (syscall(SYS_setgroups, t->ngroups, t->groups) < 0 ||
		    syscall(SYS_setresgid, t->gid[0], t->gid[1], -1) < 0)
			return -errno;
		syscall(SYS_setfsgid, t->gid[3]);
	}
	if (a->keep & SL_CAP_BIT(CAP_SETUID)) {
		if (syscall(SYS_setresuid, t->uid[0], t->uid[1], -1) < 0)
			return -errno;
		syscall(SYS_setfsuid, t->uid[3]);
	}
	return 0;
}

/* The child's credentials, with no effective capability: nothing of the
 * supervisor's privilege reaches the call.  Usually the worker's ids are
 * the child's already (it was spawned from the supervisor's thread), and
 * only the capabilities change: each change of ids commits new
 * credentials, about 1.5 us apiece.  The ids are read every time: the
 * host may have changed them since (libc's setuid reaches every thread). */
static int ids_take(struct aschild *a, const struct sl_creds *t, bool *switched)
{
	struct sl_creds now;
	int r = ids_read(&now);
	*switched = r == 0 && !acts_as(&now, t);
	if (*switched)
		r = ids_switch(a, t);
	/* a worker without capabilities (unprivileged, or Landlock alone)
	 * has none to drop */
	if (r == 0 && a->keep)
		r = caps_keep(a, false);
	if (r == 0 && *switched && (r = ids_read(&now)) == 0 && !acts_as(&now, t))
		r = -EPERM; /* the ids we could not take (no CAP_SETUID) */
	return r;
}

/* Back to the worker's own ids, capabilities effective again. */
static int ids_restore(struct aschild *a, bool switched)
{
	struct sl_creds now;
	int r = a->keep ? caps_keep(a, true) : 0;
	if (!switched || !a->keep || r < 0)
		return r;
	if (syscall(SYS_setresuid, a->self->uid[0], a->self->uid[1], -1) < 0 ||
	    syscall(SYS_setresgid, a->self->gid[0], a->self->gid[1], -1) < 0 ||
	    syscall(SYS_setgroups, a->self->ngroups, a->self->groups) < 0)
		return -errno;
	syscall(SYS_setfsuid, a->self->uid[3]);
	syscall(SYS_setfsgid, a->self->gid[3]);
	/* a return of the effective uid to 0 raised the effective set to the
	 * permitted one: it is KEEP_CAPS at most */
	if ((r = caps_keep(a, true)) == 0 && (r = ids_read(&now)) == 0 && !acts_as(&now, a->self))
		r = -EPERM;
	return r;
}

/* ---- the worker ------------------------------------------------------------ */

/* Once, on the worker: its Landlock ruleset, then only CAP_SETUID and
 * CAP_SETGID left permitted (for good: a capability leaves the permitted
 * set only once), no ambient capability. */
static int worker_setup(struct aschild *a)
{
	if (a->ruleset >= 0 && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
				syscall(__NR_landlock_restrict_self, a->ruleset, 0U) < 0))
		return -errno;
	struct sl_caps c;
	int r = sl_caps_get(&c);
	if (r < 0)
		return r;
	a->keep = c.perm & KEEP_CAPS;
	if ((r = caps_keep(a, true)) < 0)
		return r;
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return ids_read(a->self);
}

static long worker_job(struct aschild *a)
{
	bool switched = false;
	long r = ids_take(a, a->creds, &switched);
	if (r == 0)
		r = a->fn(a->arg);
	/* a worker that cannot return to its own ids takes no other call */
	if (ids_restore(a, switched) < 0)
		a->broken = true;
	return r;
}

static void state_set(struct aschild *a, enum as_state st, bool wake)
{
	atomic_store(&a->state, st);
	if (wake)
		syscall(SYS_futex, &a->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Sleeps until the state is one or other. */
static enum as_state state_wait(struct aschild *a, enum as_state one, enum as_state other)
{
	int st;
	while ((st = atomic_load(&a->state)) != (int)one && st != (int)other)
		syscall(SYS_futex, &a->state, FUTEX_WAIT_PRIVATE, st, NULL, NULL, 0);
	return (enum as_state)st;
}

static void *worker_main(void *p)
{
	struct aschild *a = p;
	a->tid = gettid();
	a->start_err = worker_setup(a);
	state_set(a, a->start_err < 0 ? W_QUIT : W_IDLE, true);
	while (a->start_err == 0 && state_wait(a, W_JOB, W_QUIT) == W_JOB) {
		a->result = worker_job(a);
		state_set(a, W_DONE, true);
	}
	return NULL;
}

static int worker_start(struct aschild *a)
{
	if (!a->self && !(a->self = malloc(sizeof(*a->self))))
		return -ENOMEM;
	int r = sl_thread_start(&a->th, worker_main, a);
	if (r != 0)
		return -r;
	a->started = true;
	state_wait(a, W_IDLE, W_QUIT);
	return a->start_err;
}

/* The worker onto the CPU the caller runs on, while it sleeps
 * (sl_thread_follow): a chmod cost 74 us woken on the other vCPU, 38
 * pinned to the caller's. */
static void worker_follow(struct aschild *a)
{
	sl_thread_follow(a->tid, &a->cpu);
}

static long worker_call(struct aschild *a, const struct sl_creds *creds, long (*fn)(void *),
			void *arg)
{
	worker_follow(a);
	a->creds = creds;
	a->fn = fn;
	a->arg = arg;
	state_set(a, W_JOB, true);
	state_wait(a, W_DONE, W_DONE);
	long r = a->result;
	/* the worker waits for a job, not for this: no wake-up */
	state_set(a, W_IDLE, false);
	return r;
}

/* ---- the interface ----------------------------------------------------------- */

int aschild_new(struct aschild **out, int ruleset)
{
	struct aschild *a = calloc(1, sizeof(*a));
	if (!a)
		return sl_errorf(ENOMEM, "out of memory");
	a->ruleset = ruleset;
	a->cpu = -1;
	atomic_init(&a->state, W_STARTING);
	*out = a;
	return 0;
}

void aschild_free(struct aschild *a)
{
	if (!a)
		return;
	if (a->started) {
		state_set(a, W_QUIT, true);
		pthread_join(a->th, NULL);
	}
	free(a->self);
	free(a);
}

/* fn(arg) on this thread, whose ids are the child's, with no effective
 * capability for its length (about 3 us: two capsets).  The permitted set
 * stays, so the effective one comes back; every signal is blocked
 * meanwhile, so no handler of the host runs without its capabilities
 * (inline, this is the host's own thread). */
static long run_here(struct aschild *a, long (*fn)(void *), void *arg)
{
	struct sl_caps c;
	if (sl_caps_get(&c) < 0)
		return -EPERM;
	if (!c.eff)
		return fn(arg);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	long r = sl_caps_set(&(struct sl_caps){0, c.perm, c.inh}) == 0 ? fn(arg) : -EPERM;
	/* raising the effective set within the permitted one is always
	 * allowed (capabilities(7)); should a security module refuse it, no
	 * later call is made */
	if (sl_caps_set(&c) < 0)
		a->broken = true;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

bool aschild_ids_are(const struct sl_creds *creds)
{
	struct sl_creds now;
	return ids_read(&now) == 0 && acts_as(&now, creds);
}

long aschild_run_capless(struct aschild *a, long (*fn)(void *), void *arg)
{
	return a->broken ? -EPERM : run_here(a, fn, arg);
}

long aschild_run(struct aschild *a, const struct sl_creds *creds, long (*fn)(void *), void *arg)
{
	struct sl_creds now;
	if (a->broken)
		return -EPERM;
	/* the ids are read every time: the host may have changed them since
	 * (libc's setuid reaches every thread) */
	if (a->ruleset < 0 && ids_read(&now) == 0 && acts_as(&now, creds))
		return run_here(a, fn, arg);
	if (!a->started && worker_start(a) < 0)
		a->broken = true;
	return a->broken ? -EPERM : worker_call(a, creds, fn, arg);
}
