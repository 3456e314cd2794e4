/* SPDX-License-Identifier: Apache-2.0 */
/* supervisor.c - receive, dispatch through chains, answer (see supervisor.h). */
#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "error.h"
#include "filter.h"
#include "reslimit.h"
#include "seccomp_uapi.h"
#include "timex.h"
#include "cpulimit.h"
#include "tty.h"
#include "xproc.h"

#define HELD_RETRY_MS 100
#define SETTLE_MS     5	   /* after a fork, look for the new child... */
#define SETTLE_MAX_MS 1000 /* ...backing off while nothing changes */

/* uname (emulate): the host's uname with nodename replaced by the sandbox
 * name (prepared once, at init), written into the child's buffer; the
 * child's memory is only written, never trusted. */
static void on_uname(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	if (mem_write(&c->mem, c->req->data.args[0], &c->sup->uts, sizeof(c->sup->uts)) < 0)
		*a = sl_act_errno(EFAULT);
	else
		*a = sl_act_return(0);
}

enum when { ALWAYS, ALWAYS_FILTERED, MEMORY, MEMORY_FILTERED, MEMORY_SYSV };

/* The builtins in dispatch order.  *_FILTERED syscalls are
 * notified by argument-filtered rules (filter.c), not by the list. */
static const struct {
	int nr;
	sl_hfn fn;
	enum when when;
} builtins[] = {
    {__NR_clone, nproc_on_fork, ALWAYS},
    {__NR_fork, nproc_on_fork, ALWAYS},
    {__NR_vfork, nproc_on_fork, ALWAYS},
    {__NR_clone, memlimit_on_fork, MEMORY},
    {__NR_fork, memlimit_on_fork, MEMORY},
    {__NR_mmap, memlimit_on_alloc, MEMORY_FILTERED},
    {__NR_mprotect, memlimit_on_alloc, MEMORY_FILTERED},
    {__NR_pkey_mprotect, memlimit_on_alloc, MEMORY_FILTERED},
    {__NR_brk, memlimit_on_alloc, MEMORY_FILTERED},
    {__NR_mremap, memlimit_on_alloc, MEMORY},
    {__NR_shmget, memlimit_on_alloc, MEMORY_SYSV},
    {__NR_uname, on_uname, ALWAYS},
    /* naming another process: only pids other than the caller's */
    {__NR_prlimit64, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_setaffinity, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_setscheduler, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_setparam, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_setattr, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_setpriority, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_getpriority, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_ioprio_set, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_migrate_pages, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_move_pages, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_get_robust_list, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_kcmp, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_pidfd_open, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_setpgid, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_getaffinity, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_getscheduler, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_getparam, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_getattr, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_sched_rr_get_interval, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_getpgid, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_getsid, xproc_on_pid, ALWAYS_FILTERED},
    {__NR_ioprio_get, xproc_on_pid, ALWAYS_FILTERED},
    /* an interactive sandbox's TIOCSPGRP: set on its behalf */
    {__NR_ioctl, tty_on_setpgrp, ALWAYS_FILTERED},
    /* SIGCONT from inside, held while the sandbox is stopped */
    {__NR_kill, cpulimit_on_sigcont, ALWAYS_FILTERED},
    {__NR_tkill, cpulimit_on_sigcont, ALWAYS_FILTERED},
    {__NR_tgkill, cpulimit_on_sigcont, ALWAYS_FILTERED},
    {__NR_rt_sigqueueinfo, cpulimit_on_sigcont, ALWAYS_FILTERED},
    {__NR_rt_tgsigqueueinfo, cpulimit_on_sigcont, ALWAYS_FILTERED},
    {__NR_pidfd_send_signal, cpulimit_on_sigcont, ALWAYS_FILTERED},
    /* emulate (timex.c): read-only, the struct timex is in memory */
    {__NR_adjtimex, timex_on_adjtimex, ALWAYS},
    {__NR_clock_adjtime, timex_on_clock_adjtime, ALWAYS},
};

static bool builtin_active(const struct sandlock_sandbox *cfg, enum when w)
{
	switch (w) {
	case ALWAYS:
	case ALWAYS_FILTERED:
		return true;
	case MEMORY:
	case MEMORY_FILTERED:
		return cfg->max_memory.set;
	case MEMORY_SYSV:
		return cfg->max_memory.set && !filter_denies(cfg, __NR_shmget);
	}
	return false;
}

static size_t add_unique(int *out, size_t n, size_t max, int nr)
{
	for (size_t i = 0; i < n; i++)
		if (out[i] == nr)
			return n;
	if (n < max)
		out[n++] = nr;
	return n;
}

size_t supervisor_notify_list(const struct sandlock_sandbox *cfg, const int *user, size_t n_user,
			      int *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(builtins); i++)
		if (builtins[i].when != MEMORY_FILTERED && builtins[i].when != ALWAYS_FILTERED &&
		    builtin_active(cfg, builtins[i].when))
			n = add_unique(out, n, max, builtins[i].nr);
	for (size_t i = 0; i < n_user; i++)
		n = add_unique(out, n, max, user[i]);
	return n;
}

static int chain_add(struct sl_sup *s, int nr, sl_hfn fn, void *arg)
{
	if (nr < 0 || nr >= SL_NR_MAX)
		return sl_errorf(EINVAL, "syscall %d cannot be supervised", nr);
	struct sl_chain *ch = &s->chains[nr];
	struct sl_link *v = realloc(ch->v, (ch->n + 1) * sizeof(*v));
	if (!v)
		return sl_errorf(ENOMEM, "out of memory");
	v[ch->n++] = (struct sl_link){fn, arg};
	ch->v = v;
	return 0;
}

static int build_chains(struct sl_sup *s, const struct sl_sup_cfg *cfg)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(builtins); i++)
		if (builtin_active(cfg->policy, builtins[i].when))
			r = chain_add(s, builtins[i].nr, builtins[i].fn, NULL);
	for (size_t i = 0; r == 0 && i < cfg->n_user; i++)
		r = chain_add(s, cfg->user[i].nr, cfg->user[i].fn, cfg->user[i].arg);
	return r;
}

static int alloc_buffers(struct sl_sup *s)
{
	struct seccomp_notif_sizes sz;
	/* The kernel's structs may be larger than our headers' copies. */
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return sl_errorf(errno, "seccomp: notification sizes: %s", strerror(errno));
	s->req_size = sz.seccomp_notif > sizeof(*s->req) ? sz.seccomp_notif : sizeof(*s->req);
	s->resp_size =
	    sz.seccomp_notif_resp > sizeof(*s->resp) ? sz.seccomp_notif_resp : sizeof(*s->resp);
	s->req = calloc(1, s->req_size);
	s->resp = calloc(1, s->resp_size);
	if (!s->req || !s->resp)
		return sl_errorf(ENOMEM, "out of memory");
	return 0;
}

int supervisor_init(struct sl_sup *s, const struct sl_sup_cfg *cfg)
{
	*s = (struct sl_sup){.listener = -1, .wake_fd = -1};
	procs_init(&s->procs);
	pthread_mutex_init(&s->lock, NULL);
	s->lock_init = true;
	const struct sandlock_sandbox *p = cfg->policy;
	s->max_processes = p->max_processes;
	s->max_memory = p->max_memory.set ? p->max_memory.v : 0;
	s->mem_check_at = sl_now_ms() + MEMLIMIT_CHECK_MS;
	if (uname(&s->uts) < 0) {
		supervisor_release(s);
		return sl_errorf(errno, "uname: %s", strerror(errno));
	}
	size_t len = strlen(cfg->name);
	memset(s->uts.nodename, 0, sizeof(s->uts.nodename));
	memcpy(s->uts.nodename, cfg->name, len < SL_NAME_MAX ? len : SL_NAME_MAX);
	throttle_init(&s->throttle, p->max_cpu.set ? (unsigned)p->max_cpu.v : 100, sl_now_ms());
	int r = alloc_buffers(s);
	if (r == 0 && (s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		r = sl_errorf(errno, "eventfd: %s", strerror(errno));
	if (r == 0)
		r = build_chains(s, cfg);
	if (r < 0)
		supervisor_release(s);
	return r;
}

void supervisor_woken(struct sl_sup *s)
{
	uint64_t v;
	(void)!read(s->wake_fd, &v, sizeof(v));
	/* resumed: what was held for the stop goes through */
	if (s->nheld && s->listener >= 0)
		supervisor_retry_held(s);
}

int supervisor_attach(struct sl_sup *s, int listener, const struct sl_sup_root *root)
{
	s->listener = listener;
	s->root_pgid = root->pid;
	if (procs_add_root(&s->procs, root->pid, root->pidfd, root->keeper, root->keeper_pidfd) < 0)
		return sl_errorf(ENOMEM, "cannot track the sandbox's process");
	return 0;
}

void supervisor_detach(struct sl_sup *s)
{
	sl_close(&s->listener);
}

void supervisor_release(struct sl_sup *s)
{
	supervisor_detach(s);
	sl_close(&s->wake_fd);
	for (size_t i = 0; i < SL_NR_MAX; i++)
		free(s->chains[i].v);
	for (size_t i = 0; i < s->nheld; i++)
		free(s->held[i]);
	free(s->held);
	free(s->req);
	free(s->resp);
	procs_release(&s->procs);
	if (s->lock_init)
		pthread_mutex_destroy(&s->lock);
	s->lock_init = false;
	s->req = NULL;
	s->resp = NULL;
	s->held = NULL;
	s->nheld = 0;
	memset(s->chains, 0, sizeof(s->chains));
}

/* Walks the chain: the first answer other than CONTINUE wins. */
static void run_chain(struct sl_ctx *c, struct sl_action *a)
{
	int nr = c->req->data.nr;
	*a = sl_act_errno(EPERM);
	if (nr < 0 || nr >= SL_NR_MAX || !c->sup->chains[nr].n)
		return; /* nothing asked for this syscall: deny */
	const struct sl_chain *ch = &c->sup->chains[nr];
	for (size_t i = 0; i < ch->n; i++) {
		*a = sl_act_continue();
		ch->v[i].fn(c, a, ch->v[i].arg);
		if (a->kind != SL_ACT_CONTINUE)
			return;
	}
}

static void answer_errno(struct sl_sup *s, uint64_t id, int err)
{
	memset(s->resp, 0, s->resp_size);
	s->resp->id = id;
	s->resp->error = -err;
	/* ENOENT: the task died or was interrupted meanwhile; moot. */
	(void)ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, s->resp);
}

/* SECCOMP_ADDFD_FLAG_SEND installs the fd and answers with its number in
 * one step (a signal cannot separate them, pitfall U5).  If it fails (the
 * child's RLIMIT_NOFILE, a bad fd) the call is denied, never continued
 * (pitfall U4). */
static void answer_inject(struct sl_sup *s, uint64_t id, struct sl_action *a)
{
	struct seccomp_notif_addfd add = {
	    .id = id,
	    .flags = SECCOMP_ADDFD_FLAG_SEND,
	    .srcfd = (uint32_t)a->fd,
	    .newfd_flags = a->fd_flags,
	};
	int r = a->fd < 0 ? -1 : ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	int e = a->fd < 0 ? EBADF : errno;
	sl_close(&a->fd);
	if (r < 0 && e != ENOENT)
		answer_errno(s, id, e == EINPROGRESS ? EIO : e);
}

/* Kill: the members of process group pgid, through their pidfds (never
 * kill(-pgid): a group may hold processes that are not ours). */
static void answer_kill(struct sl_sup *s, uint64_t id, const struct sl_action *a)
{
	if (a->pgid > 0 && a->sig >= 0 && a->sig < 65)
		procs_signal_group(&s->procs, a->pgid, a->sig);
	answer_errno(s, id, ENOMEM);
}

/* Sends the answer.  Returns false when the notification is held. */
static bool answer(struct sl_sup *s, const struct seccomp_notif *req, struct sl_action *a)
{
	memset(s->resp, 0, s->resp_size);
	s->resp->id = req->id;
	switch (a->kind) {
	case SL_ACT_CONTINUE:
		s->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		break;
	case SL_ACT_RETURN:
		s->resp->val = a->val;
		break;
	case SL_ACT_INJECT_SEND:
		answer_inject(s, req->id, a);
		return true;
	case SL_ACT_KILL:
		answer_kill(s, req->id, a);
		return true;
	case SL_ACT_HOLD:
		return false;
	case SL_ACT_ERRNO:
	default:
		s->resp->error = a->val > 0 && a->val < 4096 ? -(int32_t)a->val : -EPERM;
		break;
	}
	(void)ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, s->resp);
	return true;
}

/* Effects a handler deferred until the syscall is let through. */
static void commit(struct sl_ctx *c, const struct sl_action *a)
{
	if (a->kind != SL_ACT_CONTINUE)
		return;
	if (c->fork_commit) {
		c->sup->settle_delay = SETTLE_MS;
		c->sup->settle_at = sl_now_ms() + SETTLE_MS;
	}
	c->proc->data_bytes += c->data_charge;
	c->proc->shared_bytes += c->shared_charge;
	c->sup->procs.mem_total += c->data_charge + c->shared_charge + c->sysv_charge;
}

/* Dispatches one received notification.  Returns false if it is held
 * (the caller keeps req). */
static bool dispatch(struct sl_sup *s, const struct seccomp_notif *req)
{
	pthread_mutex_lock(&s->lock);
	struct sl_ctx c = {.sup = s, .req = req, .mem = {s->listener, req->id, (pid_t)req->pid}};
	struct sl_action a = {.kind = SL_ACT_ERRNO, .val = EPERM, .fd = -1};
	c.proc = procs_notifier(&s->procs, &c.mem);
	if (c.proc && c.proc->pid == s->root_pgid)
		s->root_ran = true;
	if (c.proc)
		run_chain(&c, &a);
	/* else: the notifier vanished (or the index is out of memory): deny */
	/* count a new process before the answer lets the clone run; if it
	 * cannot be counted, deny (fail closed) */
	if (a.kind == SL_ACT_CONTINUE && c.fork_commit &&
	    procs_fork_pending(&s->procs, c.proc, (pid_t)req->pid, c.fork_charge) < 0)
		a = sl_act_errno(EAGAIN);
	bool done = answer(s, req, &a);
	commit(&c, &a);
	pthread_mutex_unlock(&s->lock);
	return done;
}

static void hold(struct sl_sup *s)
{
	if (s->nheld == 0)
		s->held_retry_ms = sl_now_ms() + HELD_RETRY_MS;
	if (s->nheld == SL_MAX_HELD) {
		answer_errno(s, s->req->id, EAGAIN); /* bounded: deny the excess */
		return;
	}
	if (!s->held && !(s->held = calloc(SL_MAX_HELD, sizeof(*s->held)))) {
		answer_errno(s, s->req->id, ENOMEM);
		return;
	}
	struct seccomp_notif *copy = malloc(s->req_size);
	if (!copy) {
		answer_errno(s, s->req->id, ENOMEM);
		return;
	}
	memcpy(copy, s->req, s->req_size);
	s->held[s->nheld++] = copy;
}

int supervisor_handle_one(struct sl_sup *s)
{
	memset(s->req, 0, s->req_size); /* RECV requires a zeroed buffer */
	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0) {
		/* ENOENT: the task died between poll and recv; EINTR: retry */
		if (errno == ENOENT || errno == EINTR)
			return 0;
		return -errno;
	}
	bool done = dispatch(s, s->req);
	/* Re-offer what was held before this notification (it may be what
	 * they wait for); a call held just now waits for a later event. */
	if (s->nheld)
		supervisor_retry_held(s);
	if (!done)
		hold(s);
	return 0;
}

void supervisor_retry_held(struct sl_sup *s)
{
	for (size_t i = 0; i < s->nheld;) {
		uint64_t id = s->held[i]->id;
		bool gone = ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0;
		if (gone || dispatch(s, s->held[i])) {
			free(s->held[i]);
			s->held[i] = s->held[--s->nheld];
			continue;
		}
		i++;
	}
	s->held_retry_ms = sl_now_ms() + HELD_RETRY_MS;
}

void supervisor_signal(struct sl_sup *s, int sig)
{
	pthread_mutex_lock(&s->lock);
	if (sig == SIGSTOP) {
		s->paused = true;
		s->watch_at = sl_now_ms() + CPULIMIT_WATCH_MS;
	} else if (sig == SIGCONT) {
		s->paused = false;
	}
	procs_signal_all(&s->procs, sig);
	pthread_mutex_unlock(&s->lock);
	/* the loop may sleep with no timer: it has one now (a pause is
	 * watched), or held SIGCONTs to let through */
	uint64_t one = 1;
	(void)!write(s->wake_fd, &one, sizeof(one));
}

size_t supervisor_pollfds(struct sl_sup *s, struct pollfd *pfd, size_t max)
{
	pthread_mutex_lock(&s->lock);
	size_t n = procs_pollfds(&s->procs, pfd, max);
	pthread_mutex_unlock(&s->lock);
	return n;
}

void supervisor_proc_events(struct sl_sup *s, const struct pollfd *pfd, size_t n)
{
	pthread_mutex_lock(&s->lock);
	uint32_t ghosts = s->procs.ghosts;
	procs_reap_events(&s->procs, pfd, n);
	/* a parent died before its child was found: the orphan is already
	 * the keeper's (reparenting precedes the exit event); look now */
	if (s->procs.ghosts > ghosts) {
		s->settle_delay = SETTLE_MS;
		s->settle_at = sl_now_ms();
	}
	pthread_mutex_unlock(&s->lock);
}

static int64_t earlier(int64_t a, int64_t b)
{
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

/* Under the lock: live control (supervisor_signal, on the caller's
 * thread) changes the pause and the index. */
int64_t supervisor_next_timer(struct sl_sup *s)
{
	pthread_mutex_lock(&s->lock);
	int64_t t = cpulimit_next(s);
	/* a fixed deadline: loop wake-ups that are no notification (output,
	 * exits) must not push it back */
	if (s->nheld && s->listener >= 0)
		t = earlier(t, s->held_retry_ms);
	if (s->procs.npend || s->procs.ghosts)
		t = earlier(t, s->settle_at);
	if (s->max_memory)
		t = earlier(t, s->mem_check_at);
	pthread_mutex_unlock(&s->lock);
	return t;
}

/* The command while it has not exec'd (parked at the gate, or on its way):
 * its address space is still the host's or a copy of it, not the
 * sandbox's.  A kernel fact (PF_FORKNOEXEC), not a notified syscall: a
 * command need make none to grow. */
static pid_t unstarted_root(struct sl_sup *s)
{
	if (s->root_execd)
		return 0;
	if (procs_exec_pending(&s->procs, s->root_pgid))
		return s->root_pgid;
	s->root_execd = true;
	return 0;
}

/* The due timers under one lock (see supervisor_next_timer); the held
 * notifications are retried after it (dispatch takes it). */
void supervisor_tick(struct sl_sup *s, int64_t now_ms)
{
	pthread_mutex_lock(&s->lock);
	bool resumed = false;
	int64_t t = cpulimit_next(s);
	if (t >= 0 && now_ms >= t) {
		bool was = s->throttle.stopped;
		cpulimit_tick(s, now_ms);
		resumed = was && !s->throttle.stopped;
	}
	if ((s->procs.npend || s->procs.ghosts) && now_ms >= s->settle_at) {
		size_t before = s->procs.npend + s->procs.ghosts;
		procs_settle(&s->procs);
		/* a pending fork whose child is already gone is only settled
		 * by its thread's next notification: do not spin meanwhile */
		if (s->procs.npend + s->procs.ghosts == before && s->settle_delay < SETTLE_MAX_MS)
			s->settle_delay *= 2;
		s->settle_at = now_ms + s->settle_delay;
	}
	if (s->max_memory && now_ms >= s->mem_check_at) {
		pid_t killed = memlimit_check(&s->procs, s->max_memory, unstarted_root(s));
		if (killed) {
			s->mem_kills.last = killed;
			s->mem_kills.n++;
		}
		s->mem_check_at = now_ms + MEMLIMIT_CHECK_MS;
	}
	pthread_mutex_unlock(&s->lock);
	/* what was held for the stop goes through now, or is offered again */
	if (s->nheld && s->listener >= 0 && (resumed || now_ms >= s->held_retry_ms))
		supervisor_retry_held(s);
}
