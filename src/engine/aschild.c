/* SPDX-License-Identifier: Apache-2.0 */
/* aschild.c - fn(arg) with the child's credentials (see aschild.h). */
#include "aschild.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "pidinfo.h"

#define CAP_BIT(c) (1ULL << (c))
#define KEEP_CAPS  (CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID))

enum as_mode { AS_UNSET, AS_INLINE, AS_WORKER, AS_BROKEN };
enum as_state { W_STARTING, W_IDLE, W_JOB, W_DONE, W_QUIT };

struct aschild {
	enum as_mode mode;
	int ruleset;	      /* applied by the worker, -1 none */
	struct sl_creds self; /* the running thread's own (inline: ours) */
	uint64_t keep;	      /* the worker's capabilities: KEEP_CAPS it had */
	/* the worker: one call at a time, handed over through state (a
	 * futex: about 6 us for the round trip here, 10 with a condition
	 * variable); the fields below it are written before it changes */
	pthread_t th;
	bool started;
	atomic_int state; /* enum as_state */
	int start_err;
	long (*fn)(void *);
	void *arg;
	const struct sl_creds *creds;
	long result;
};

/* ---- capabilities and ids of the calling thread (raw: per thread) ------ */

static int caps_get(uint64_t *eff, uint64_t *perm)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

/* Effective and permitted sets; no inheritable capability. */
static int caps_set(uint64_t eff, uint64_t perm)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {
	    {(uint32_t)eff, (uint32_t)perm, 0},
	    {(uint32_t)(eff >> 32), (uint32_t)(perm >> 32), 0},
	};
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
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
	if (a->keep & CAP_BIT(CAP_SETGID)) {
		if (syscall(SYS_setgroups, t->ngroups, t->groups) < 0 ||
		    syscall(SYS_setresgid, t->gid[0], t->gid[1], -1) < 0)
			return -errno;
		syscall(SYS_setfsgid, t->gid[3]);
	}
	if (a->keep & CAP_BIT(CAP_SETUID)) {
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
		r = caps_set(0, a->keep);
	if (r == 0 && *switched && (r = ids_read(&now)) == 0 && !acts_as(&now, t))
		r = -EPERM; /* the ids we could not take (no CAP_SETUID) */
	return r;
}

/* Back to the worker's own ids, capabilities effective again. */
static int ids_restore(struct aschild *a, bool switched)
{
	struct sl_creds now;
	int r = a->keep ? caps_set(a->keep, a->keep) : 0;
	if (!switched || !a->keep || r < 0)
		return r;
	if (syscall(SYS_setresuid, a->self.uid[0], a->self.uid[1], -1) < 0 ||
	    syscall(SYS_setresgid, a->self.gid[0], a->self.gid[1], -1) < 0 ||
	    syscall(SYS_setgroups, a->self.ngroups, a->self.groups) < 0)
		return -errno;
	syscall(SYS_setfsuid, a->self.uid[3]);
	syscall(SYS_setfsgid, a->self.gid[3]);
	/* a return of the effective uid to 0 raised the effective set to the
	 * permitted one: it is KEEP_CAPS at most */
	if ((r = caps_set(a->keep, a->keep)) == 0 && (r = ids_read(&now)) == 0 &&
	    !acts_as(&now, &a->self))
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
	uint64_t eff, perm;
	int r = caps_get(&eff, &perm);
	if (r < 0)
		return r;
	a->keep = perm & KEEP_CAPS;
	if ((r = caps_set(a->keep, a->keep)) < 0)
		return r;
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return ids_read(&a->self);
}

static long worker_job(struct aschild *a)
{
	bool switched = false;
	long r = ids_take(a, a->creds, &switched);
	if (r == 0)
		r = a->fn(a->arg);
	/* a worker that cannot return to its own ids takes no other call */
	if (ids_restore(a, switched) < 0)
		a->mode = AS_BROKEN;
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
	a->start_err = worker_setup(a);
	state_set(a, a->start_err < 0 ? W_QUIT : W_IDLE, true);
	while (a->start_err == 0 && state_wait(a, W_JOB, W_QUIT) == W_JOB) {
		a->result = worker_job(a);
		state_set(a, W_DONE, true);
	}
	return NULL;
}

/* Started with every signal blocked: the host's handlers stay on the
 * host's threads. */
static int worker_start(struct aschild *a)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(&a->th, NULL, worker_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return -r;
	a->started = true;
	state_wait(a, W_IDLE, W_QUIT);
	return a->start_err;
}

static long worker_call(struct aschild *a, const struct sl_creds *creds, long (*fn)(void *),
			void *arg)
{
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
	free(a);
}

/* On the first call: the calling thread's capabilities decide. */
static enum as_mode choose(struct aschild *a)
{
	uint64_t eff, perm;
	if (a->ruleset < 0 && caps_get(&eff, &perm) == 0 && eff == 0)
		return ids_read(&a->self) == 0 ? AS_INLINE : AS_BROKEN;
	return worker_start(a) == 0 ? AS_WORKER : AS_BROKEN;
}

long aschild_run(struct aschild *a, const struct sl_creds *creds, long (*fn)(void *), void *arg)
{
	if (a->mode == AS_UNSET)
		a->mode = choose(a);
	switch (a->mode) {
	case AS_INLINE:
		/* read again: the host may have changed them since */
		return ids_read(&a->self) == 0 && acts_as(&a->self, creds) ? fn(arg) : -EPERM;
	case AS_WORKER:
		return worker_call(a, creds, fn, arg);
	default:
		return -EPERM;
	}
}

int aschild_on_worker(const struct aschild *a)
{
	return a->mode == AS_WORKER;
}
