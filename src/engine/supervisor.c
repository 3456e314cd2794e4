/* SPDX-License-Identifier: Apache-2.0 */
/* supervisor.c - receive, dispatch through chains, answer (see supervisor.h). */
#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "error.h"
#include "evloop.h"
#include "feature.h"
#include "jsonw.h"
#include "seccomp_uapi.h"

#define HELD_RETRY_MS 100  /* a held notification's offers: this far apart */
#define SETTLE_MS     5	   /* after a fork, look for the new child... */
#define SETTLE_MAX_MS 1000 /* ...backing off while nothing changes */

/* nr's chain, or NULL when nothing is chained on it. */
static struct sl_chain *chain_of(const struct sl_sup *s, int nr)
{
	unsigned k = nr >= 0 && nr < SL_NR_MAX ? s->chain_ix[nr] : 0;
	return k ? &s->chains[k - 1] : NULL;
}

/* nr's chain, made empty when it has none.  NULL: out of memory. */
static struct sl_chain *chain_make(struct sl_sup *s, int nr)
{
	struct sl_chain *ch = chain_of(s, nr);
	if (ch)
		return ch;
	if (s->nchains == s->chains_cap) {
		size_t cap = s->chains_cap ? s->chains_cap * 2 : 64;
		struct sl_chain *m = realloc(s->chains, cap * sizeof(*m));
		if (!m)
			return NULL;
		s->chains = m;
		s->chains_cap = cap;
	}
	struct sl_chain *v = s->chains;
	v[s->nchains] = (struct sl_chain){0};
	s->chain_ix[nr] = (uint16_t)++s->nchains;
	return &v[s->nchains - 1];
}

size_t supervisor_chain_len(const struct sl_sup *s, int nr)
{
	const struct sl_chain *ch = chain_of(s, nr);
	return ch ? ch->n : 0;
}

static int chain_add(struct sl_sup *s, int nr, sl_hfn fn, void *arg)
{
	if (nr < 0 || nr >= SL_NR_MAX)
		return sl_errorf(EINVAL, "syscall %d cannot be supervised", nr);
	struct sl_chain *ch = chain_make(s, nr);
	if (!ch)
		return sl_errorf(ENOMEM, "out of memory");
	struct sl_link *v = realloc(ch->v, (ch->n + 1) * sizeof(*v));
	if (!v)
		return sl_errorf(ENOMEM, "out of memory");
	v[ch->n++] = (struct sl_link){fn, arg};
	ch->v = v;
	return 0;
}

/* Puts fn on nr's chain unless it is there already (a handler whose
 * syscall the filter notifies in several forms is chained once). */
static int chain_add_once(struct sl_sup *s, int nr, sl_hfn fn, void *arg)
{
	const struct sl_chain *ch = chain_of(s, nr);
	for (size_t i = 0; ch && i < ch->n; i++)
		if (ch->v[i].fn == fn && ch->v[i].arg == arg)
			return 0;
	return chain_add(s, nr, fn, arg);
}

static int chain_feature(struct sl_sup *s, const struct sl_fslot *slot,
			 const struct sl_feature_env *env)
{
	struct sl_frule *rules;
	size_t n;
	int r = feature_rules_of(slot->f, env, &rules, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = chain_add_once(s, rules[i].when.nr, rules[i].fn, slot->state);
	free(rules);
	return r;
}

/* The process blocks' release hook (procs.h). */
static void procs_gone(void *arg, struct sl_pent *e)
{
	struct sl_sup *s = arg;
	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat[i].f->proc_gone)
			s->feat[i].f->proc_gone(s->feat[i].state,
						feature_proc(e, s->feat[i].proc_off));
}

/* The active features' states, set up in order, and their chains; then
 * the user handlers at the ends of theirs. */
static int start_features(struct sl_sup *s, const struct sl_sup_cfg *cfg)
{
	const struct sl_feature_set *set = cfg->features;
	struct sl_feature_env env = {.policy = cfg->policy,
				     .tty_jobs = cfg->tty_jobs,
				     .net = cfg->net,
				     .kernel_audit = cfg->kernel_audit,
				     .cow = cfg->cow,
				     .ruleset = cfg->ruleset};
	size_t proc_size = 0;
	if (set && !(s->feat = calloc(set->n ? set->n : 1, sizeof(*s->feat))))
		return sl_errorf(ENOMEM, "out of memory");
	for (size_t i = 0; set && i < set->n; i++) {
		const struct sl_feature *f = set->v[i];
		if (!feature_is_active(f, &env))
			continue;
		struct sl_fslot *slot = &s->feat[s->nfeat];
		*slot = (struct sl_fslot){.f = f, .proc_off = proc_size};
		if (!(slot->state = calloc(1, f->state_size ? f->state_size : 1)))
			return sl_errorf(ENOMEM, "out of memory");
		s->nfeat++;
		proc_size += (f->proc_size + 15) & ~(size_t)15;
		int r = f->init ? f->init(s, slot->state, &env, slot->proc_off) : 0;
		if (r < 0) {
			char why[256]; /* the feature's message, before it is replaced */
			snprintf(why, sizeof(why), "%s", sl_error_get());
			return sl_errorf(-r, "%s: %s", f->name, why);
		}
		if ((r = chain_feature(s, slot, &env)) < 0)
			return r;
	}
	procs_set_features(&s->procs, proc_size, procs_gone, s);
	int r = 0;
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

/* Landlock's refusals from the audit records, where they can be read:
 * the reader (about 10 KB, most of the engine's state) is made only then,
 * so that the other starts do not touch its pages.  Takes cfg's fd. */
static int audit_init(struct sl_sup *s, const struct sl_sup_cfg *cfg)
{
	if (!cfg->kernel_audit)
		return 0;
	struct kaudit *k = s->kaudit = malloc(sizeof(*k));
	if (!k) {
		close(cfg->kaudit_fd);
		return sl_errorf(ENOMEM, "out of memory");
	}
	*k = (struct kaudit){.fd = cfg->kaudit_fd, .out = &s->denials};
	ssize_t n = readlink("/proc/self/exe", k->exe, sizeof(k->exe) - 1);
	k->exe[n > 0 ? n : 0] = 0;
	return 0;
}

int supervisor_init(struct sl_sup *s, const struct sl_sup_cfg *cfg)
{
	*s = (struct sl_sup){.listener = -1, .wake_fd = -1, .name = cfg->name, .loop = cfg->loop};
	procs_init(&s->procs);
	pthread_mutex_init(&s->lock, NULL);
	s->lock_init = true;
	int r = audit_init(s, cfg);
	if (r == 0)
		r = denials_init(&s->denials);
	if (r == 0)
		r = alloc_buffers(s);
	if (r == 0 && (s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		r = sl_errorf(errno, "eventfd: %s", strerror(errno));
	if (r == 0)
		r = start_features(s, cfg);
	if (r < 0)
		supervisor_release(s);
	return r;
}

static void retry_held(struct sl_sup *s, bool all);
static void held_unwait(struct sl_sup *s, struct sl_held *h);

/* The earlier of two times, -1 being none. */
static int64_t earlier(int64_t a, int64_t b)
{
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

/* Live control changed the timers, or resumed the sandbox. */
static void on_wake(void *arg, int fd, uint32_t events)
{
	struct sl_sup *s = arg;
	uint64_t v;
	(void)!read(s->wake_fd, &v, sizeof(v));
	/* resumed: what was held for the stop goes through */
	if (s->nheld && s->listener >= 0)
		retry_held(s, true);
}

static void on_listener(void *arg, int fd, uint32_t events)
{
	struct sl_sup *s = arg;
	if (events & EPOLLIN) {
		if (supervisor_handle_one(s) < 0)
			supervisor_detach(s); /* fail closed: ENOSYS */
	} else if (events & (EPOLLHUP | EPOLLERR)) {
		supervisor_detach(s); /* no task uses the filter any more */
	}
}

/* A tracked process's pidfd is readable: it exited. */
static void on_proc_exit(void *arg, int fd, uint32_t events)
{
	struct sl_sup *s = arg;
	pthread_mutex_lock(&s->lock);
	uint32_t ghosts = s->procs.ghosts;
	procs_exit_seen(&s->procs, fd);
	/* a parent died before its child was found: the orphan is already
	 * the keeper's (reparenting precedes the exit event); look now */
	if (s->procs.ghosts > ghosts) {
		s->settle_delay = SETTLE_MS;
		s->settle_at = sl_now_ms();
	}
	pthread_mutex_unlock(&s->lock);
}

/* procs' watch hook: under the lock, on any thread. */
static void watch_proc(void *arg, struct sl_pent *e, bool on)
{
	struct sl_sup *s = arg;
	int err;
	if (!on)
		evloop_del(s->loop, e->watch_ev);
	else if (e->pidfd >= 0)
		/* if it cannot be watched, its exit is found by the
		 * reconcile near the cap: it is counted meanwhile */
		e->watch_ev = evloop_add_first(s->loop, e->pidfd, EPOLLIN, on_proc_exit, s, &err);
}

static int64_t timer_next(void *arg)
{
	return supervisor_next_timer(arg);
}

static void timer_tick(void *arg, int64_t now_ms)
{
	supervisor_tick(arg, now_ms);
}

static void on_kaudit(void *arg, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	kaudit_read(((struct sl_sup *)arg)->kaudit);
}

void supervisor_audit_drain(struct sl_sup *s)
{
	/* kauditd sends the records from a kernel thread, after the call */
	if (s->kaudit)
		kaudit_drain(s->kaudit, 20);
}

/* The listener, the wake fd and the timers go into the loop. */
static int register_loop(struct sl_sup *s)
{
	int err = 0;
	s->listener_ev = evloop_add_direct(s->loop, s->listener, EPOLLIN, on_listener, s, &err);
	if (s->listener_ev)
		s->wake_ev = evloop_add(s->loop, s->wake_fd, EPOLLIN, on_wake, s, &err);
	if (s->wake_ev &&
	    (err = evloop_timer_add(s->loop, &(struct sl_tsrc){timer_next, timer_tick, s})) == 0)
		s->timer_on = true;
	if (s->timer_on && s->kaudit)
		s->kaudit_ev = evloop_add(s->loop, s->kaudit->fd, EPOLLIN, on_kaudit, s, &err);
	return err < 0 ? sl_errorf(-err, "event loop: %s", strerror(-err)) : 0;
}

int supervisor_attach(struct sl_sup *s, int listener, const struct sl_sup_root *root)
{
	s->listener = listener;
	s->root_pgid = root->pid;
	if (s->kaudit)
		s->kaudit->root = root->pid;
	int r = register_loop(s);
	if (r < 0)
		return r;
	procs_set_watch(&s->procs, watch_proc, s);
	if (procs_add_root(&s->procs, root->pid, root->pidfd, root->keeper, root->keeper_pidfd) < 0)
		return sl_errorf(ENOMEM, "cannot track the sandbox's process");
	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat[i].f->attached)
			s->feat[i].f->attached(s, s->feat[i].state);
	return 0;
}

void supervisor_detach(struct sl_sup *s)
{
	if (s->listener_ev)
		evloop_del(s->loop, s->listener_ev);
	s->listener_ev = NULL;
	sl_close(&s->listener);
}

void supervisor_release(struct sl_sup *s)
{
	supervisor_detach(s);
	if (s->wake_ev)
		evloop_del(s->loop, s->wake_ev);
	s->wake_ev = NULL;
	if (s->timer_on)
		evloop_timer_del(s->loop, s);
	s->timer_on = false;
	sl_close(&s->wake_fd);
	if (s->kaudit_ev)
		evloop_del(s->loop, s->kaudit_ev);
	s->kaudit_ev = NULL;
	if (s->kaudit)
		sl_close(&s->kaudit->fd);
	free(s->kaudit);
	s->kaudit = NULL;
	for (size_t i = 0; i < s->nchains; i++)
		free(s->chains[i].v);
	free(s->chains);
	for (size_t i = 0; i < s->nheld; i++) {
		held_unwait(s, &s->held[i]);
		free(s->held[i].req);
	}
	free(s->held);
	free(s->req);
	free(s->resp);
	/* the processes' blocks go first: their hook reads the states */
	procs_release(&s->procs);
	denials_release(&s->denials);
	for (size_t i = 0; i < s->nfeat; i++) {
		if (s->feat[i].f->release)
			s->feat[i].f->release(s->feat[i].state);
		free(s->feat[i].state);
	}
	free(s->feat);
	s->feat = NULL;
	s->nfeat = 0;

	if (s->lock_init)
		pthread_mutex_destroy(&s->lock);
	s->lock_init = false;
	s->req = NULL;
	s->resp = NULL;
	s->held = NULL;
	s->nheld = 0;
	s->chains = NULL;
	s->nchains = s->chains_cap = 0;
	memset(s->chain_ix, 0, sizeof(s->chain_ix));
}

/* Walks the chain: the first answer other than CONTINUE wins. */
static void run_chain(struct sl_ctx *c, struct sl_action *a)
{
	const struct sl_chain *ch = chain_of(c->sup, c->req->data.nr);
	*a = sl_act_errno(EPERM);
	if (!ch || !ch->n)
		return; /* nothing asked for this syscall: deny */
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
 * one step: a signal cannot come between the install and the answer
 * and leave the child an fd it never learns of.  If it fails (the child's
 * RLIMIT_NOFILE, a bad fd) the call is denied, never continued: the
 * child's own call would run unchecked. */
static void answer_inject(struct sl_sup *s, uint64_t id, struct sl_action *a)
{
	struct seccomp_notif_addfd add = {
	    .id = id,
	    .flags = SECCOMP_ADDFD_FLAG_SEND | (a->setfd ? SECCOMP_ADDFD_FLAG_SETFD : 0),
	    .srcfd = (uint32_t)a->fd,
	    .newfd = a->setfd ? (uint32_t)a->newfd : 0,
	    .newfd_flags = a->fd_flags,
	};
	int r = a->fd < 0 ? -1 : ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	int e = a->fd < 0 ? EBADF : errno;
	sl_close(&a->fd);
	a->installed = r >= 0;
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
	procs_note_peaks(&c->sup->procs);
}

/* Dispatches one received notification.  Returns false if it is held
 * (the caller keeps req). */
static bool dispatch(struct sl_sup *s, const struct seccomp_notif *req, bool reoffer, int *hold_fd)
{
	pthread_mutex_lock(&s->lock);
	struct sl_ctx c = {.sup = s,
			   .req = req,
			   .mem = {s->listener, req->id, (pid_t)req->pid},
			   .reoffer = reoffer};
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
	if (c.injected)
		c.injected(&c, a.kind == SL_ACT_INJECT_SEND && a.installed, c.injected_arg);
	commit(&c, &a);
	pthread_mutex_unlock(&s->lock);
	*hold_fd = done ? -1 : a.fd;
	return done;
}

/* ---- held notifications ---------------------------------------------------------- */

static void held_unwait(struct sl_sup *s, struct sl_held *h)
{
	evloop_del(s->loop, h->ev);
	h->ev = NULL;
	sl_close(&h->wait_fd);
}

/* A held call's fd became writable (a peer read, its buffer emptied):
 * offered again now.  One shot: the next hold brings its own fd. */
static void held_ready(void *arg, int fd, uint32_t events)
{
	(void)events;
	struct sl_sup *s = arg;
	for (size_t i = 0; i < s->nheld; i++)
		if (s->held[i].wait_fd == fd) {
			held_unwait(s, &s->held[i]);
			s->held[i].due = 0;
		}
	if (s->listener >= 0)
		retry_held(s, false);
}

/* The hold's wait fd, registered (EPOLLONESHOT: a level-triggered fd
 * that stays writable must not call back in a loop); without a
 * registration the timer offers the call again. */
static void held_wait(struct sl_sup *s, struct sl_held *h, int fd)
{
	h->wait_fd = fd;
	h->ev = NULL;
	int err;
	if (fd >= 0 &&
	    !(h->ev = evloop_add(s->loop, fd, EPOLLOUT | EPOLLONESHOT, held_ready, s, &err)))
		sl_close(&h->wait_fd);
}

static void hold(struct sl_sup *s, int fd)
{
	if (s->nheld == SL_MAX_HELD ||
	    (!s->held && !(s->held = calloc(SL_MAX_HELD, sizeof(*s->held))))) {
		sl_close(&fd);
		/* bounded: deny the excess */
		answer_errno(s, s->req->id, s->nheld == SL_MAX_HELD ? EAGAIN : ENOMEM);
		return;
	}
	struct seccomp_notif *copy = malloc(s->req_size);
	if (!copy) {
		sl_close(&fd);
		answer_errno(s, s->req->id, ENOMEM);
		return;
	}
	memcpy(copy, s->req, s->req_size);
	int64_t due = sl_now_ms() + HELD_RETRY_MS;
	struct sl_held *h = &s->held[s->nheld++];
	*h = (struct sl_held){.req = copy, .due = due};
	held_wait(s, h, fd);
	s->held_retry_ms = s->nheld == 1 ? due : earlier(s->held_retry_ms, due);
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
	int fd;
	bool done = dispatch(s, s->req, false, &fd);
	/* Re-offer what was held before this notification and is due (this
	 * one may be what they wait for); a call held just now waits for a
	 * later event. */
	if (s->nheld)
		retry_held(s, false);
	if (!done)
		hold(s, fd);
	return 0;
}

/* Re-offers held notifications to their chains: the due ones, or all
 * (a resume, a feature's tick: what held them may be lifted).
 *
 * Each is due HELD_RETRY_MS after its hold or its last offer, whichever
 * event comes then (a notification, the timer).  They were offered again
 * after every notification: an offer can cost what the call first did
 * (unixsock.c makes a held send again: the name resolved again, the data
 * read again where the socket may have room), and a sandbox can hold
 * SL_MAX_HELD calls (sends to a peer that never reads) and make a cheap
 * notified call in a loop, the supervisor's CPU (the host's) spent on
 * offers while the sandbox's threads slept.  Now a bounded number of
 * offers per second, whatever the sandbox does. */
static void retry_held(struct sl_sup *s, bool all)
{
	int64_t now = sl_now_ms(), next = -1;
	for (size_t i = 0; i < s->nheld;) {
		struct sl_held *h = &s->held[i];
		if (!all && now < h->due) {
			next = earlier(next, h->due);
			i++;
			continue;
		}
		uint64_t id = h->req->id;
		bool gone = ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0;
		int fd = -1;
		if (gone || dispatch(s, h->req, true, &fd)) {
			held_unwait(s, h);
			free(h->req);
			*h = s->held[--s->nheld];
			continue;
		}
		held_unwait(s, h);
		held_wait(s, h, fd);
		h->due = now + HELD_RETRY_MS;
		next = earlier(next, h->due);
		i++;
	}
	s->held_retry_ms = next;
}

void supervisor_signal(struct sl_sup *s, int sig)
{
	pthread_mutex_lock(&s->lock);
	if (sig == SIGSTOP)
		s->paused = true;
	else if (sig == SIGCONT)
		s->paused = false;
	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat[i].f->control)
			s->feat[i].f->control(s, s->feat[i].state, sig);
	procs_signal_all(&s->procs, sig);
	pthread_mutex_unlock(&s->lock);
	/* the loop may sleep with no timer: it has one now (a pause is
	 * watched), or held SIGCONTs to let through */
	uint64_t one = 1;
	(void)!write(s->wake_fd, &one, sizeof(one));
}

/* Under the lock: live control (supervisor_signal, on the caller's
 * thread) changes the pause and the index. */
int64_t supervisor_next_timer(struct sl_sup *s)
{
	pthread_mutex_lock(&s->lock);
	int64_t t = -1;
	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat[i].f->next)
			t = earlier(t, s->feat[i].f->next(s, s->feat[i].state));
	/* a fixed deadline: loop wake-ups that are no notification (output,
	 * exits) must not push it back */
	if (s->nheld && s->listener >= 0)
		t = earlier(t, s->held_retry_ms);
	if (s->procs.npend || s->procs.ghosts)
		t = earlier(t, s->settle_at);
	pthread_mutex_unlock(&s->lock);
	return t;
}

/* A kernel fact (PF_FORKNOEXEC), not a notified syscall: a command need
 * make none to grow. */
pid_t supervisor_unstarted_root(struct sl_sup *s)
{
	if (s->root_execd)
		return 0;
	if (procs_exec_pending(&s->procs, s->root_pgid))
		return s->root_pgid;
	s->root_execd = true;
	return 0;
}

void *supervisor_feature_state(struct sl_sup *s, const struct sl_feature *f)
{
	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat[i].f == f)
			return s->feat[i].state;
	return NULL;
}

void supervisor_denied(struct sl_ctx *c, int err, const char *target, const char *rule)
{
	supervisor_denied_by(c, "supervisor", err, target, rule);
}

void supervisor_denied_by(struct sl_ctx *c, const char *source, int err, const char *target,
			  const char *rule)
{
	denials_add(&c->sup->denials, source, (pid_t)c->req->pid, c->req->data.nr, err, target,
		    rule);
}

void supervisor_describe(struct sl_sup *s, struct jsonw *w)
{
	pthread_mutex_lock(&s->lock);
	jsonw_raw(w, ",\"state\":");
	jsonw_str(w, s->paused ? "paused" : "running");
	jsonw_raw(w, ",\"processes\":");
	jsonw_u64(w, procs_count(&s->procs, false));
	jsonw_raw(w, ",\"memory_charged\":");
	jsonw_u64(w, s->procs.mem_total);
	jsonw_raw(w, ",\"denials\":");
	jsonw_u64(w, denials_total(&s->denials));
	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat[i].f->describe)
			s->feat[i].f->describe(s->feat[i].state, w);
	pthread_mutex_unlock(&s->lock);
}

bool supervisor_note(struct sl_sup *s, const struct sl_end *end, char *buf, size_t size)
{
	for (size_t i = 0; i < s->nfeat; i++)
		if (s->feat[i].f->note && s->feat[i].f->note(s->feat[i].state, end, buf, size))
			return true;
	return false;
}

/* The due timers under one lock (see supervisor_next_timer); the held
 * notifications are retried after it (dispatch takes it): a feature's
 * tick may have lifted what held them. */
void supervisor_tick(struct sl_sup *s, int64_t now_ms)
{
	pthread_mutex_lock(&s->lock);
	bool ticked = false;
	for (size_t i = 0; i < s->nfeat; i++) {
		const struct sl_feature *f = s->feat[i].f;
		int64_t t = f->next ? f->next(s, s->feat[i].state) : -1;
		if (t >= 0 && now_ms >= t && f->tick) {
			f->tick(s, s->feat[i].state, now_ms);
			ticked = true;
		}
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
	pthread_mutex_unlock(&s->lock);
	if (s->nheld && s->listener >= 0 && (ticked || now_ms >= s->held_retry_ms))
		retry_held(s, ticked);
}
