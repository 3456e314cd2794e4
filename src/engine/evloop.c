/* SPDX-License-Identifier: Apache-2.0 */
/* evloop.c - epoll, registrations, timer sources (see evloop.h). */
#include "evloop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#define ROUND_EVENTS 64	   /* events taken per wait; the rest wait a round */
#define MAX_WAIT_MS  60000 /* a wait is re-armed at least this often */

struct sl_ev {
	int fd;
	sl_ev_fn fn;
	void *arg;
	uint32_t events;
	bool first;  /* called back before the others of its round */
	bool direct; /* polled itself, not through epoll (evloop_add_direct) */
	bool dead;
	struct sl_ev *next_dead;
};

int evloop_init(struct sl_evloop *l)
{
	*l = (struct sl_evloop){.epfd = -1};
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return sl_errorf(errno, "epoll: %s", strerror(errno));
	pthread_mutex_init(&l->lock, NULL);
	l->lock_init = true;
	return 0;
}

static void bury(struct sl_evloop *l)
{
	pthread_mutex_lock(&l->lock);
	struct sl_ev *dead = l->graveyard;
	l->graveyard = NULL;
	pthread_mutex_unlock(&l->lock);
	while (dead) {
		struct sl_ev *next = dead->next_dead;
		free(dead);
		dead = next;
	}
}

void evloop_release(struct sl_evloop *l)
{
	if (!l->lock_init)
		return;
	bury(l);
	for (size_t i = 0; i < l->ndirect; i++)
		free(l->direct[i]);
	free(l->direct);
	free(l->pfd);
	free(l->pev);
	sl_close(&l->epfd);
	free(l->timers);
	pthread_mutex_destroy(&l->lock);
	*l = (struct sl_evloop){.epfd = -1};
}

/* Room for one more element of size sz in *v (capacity *cap, count n):
 * doubled as needed.  false when out of memory. */
static bool grow(void **v, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? 2 * *cap : 4;
	void *w = realloc(*v, c * sz);
	if (!w)
		return false;
	*v = w;
	*cap = c;
	return true;
}

/* Direct registrations go into the array that each round polls, the
 * others into the epoll set. */
static struct sl_ev *add(struct sl_evloop *l, int fd, uint32_t events, sl_ev_fn fn, void *arg,
			 bool first, bool direct, int *err)
{
	struct sl_ev *ev = calloc(1, sizeof(*ev));
	if (!ev) {
		*err = -ENOMEM;
		return NULL;
	}
	*ev = (struct sl_ev){
	    .fd = fd, .fn = fn, .arg = arg, .events = events, .first = first, .direct = direct};
	int r = 0;
	if (direct) {
		pthread_mutex_lock(&l->lock);
		if (grow((void **)&l->direct, &l->cap_direct, l->ndirect, sizeof(*l->direct)))
			l->direct[l->ndirect++] = ev;
		else
			r = -ENOMEM;
		pthread_mutex_unlock(&l->lock);
	} else {
		struct epoll_event e = {.events = events, .data.ptr = ev};
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &e) < 0)
			r = -errno;
	}
	if (r < 0) {
		*err = r;
		free(ev);
		return NULL;
	}
	return ev;
}

struct sl_ev *evloop_add(struct sl_evloop *l, int fd, uint32_t events, sl_ev_fn fn, void *arg,
			 int *err)
{
	return add(l, fd, events, fn, arg, false, false, err);
}

struct sl_ev *evloop_add_first(struct sl_evloop *l, int fd, uint32_t events, sl_ev_fn fn, void *arg,
			       int *err)
{
	return add(l, fd, events, fn, arg, true, false, err);
}

struct sl_ev *evloop_add_direct(struct sl_evloop *l, int fd, uint32_t events, sl_ev_fn fn,
				void *arg, int *err)
{
	return add(l, fd, events, fn, arg, false, true, err);
}

int evloop_mod(struct sl_evloop *l, struct sl_ev *ev, uint32_t events)
{
	if (ev->direct)
		return -EINVAL; /* polled by itself: its events are fixed */
	if (ev->events == events)
		return 0;
	struct epoll_event e = {.events = events, .data.ptr = ev};
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, ev->fd, &e) < 0)
		return -errno;
	ev->events = events;
	return 0;
}

void evloop_del(struct sl_evloop *l, struct sl_ev *ev)
{
	if (!ev)
		return;
	if (!ev->direct)
		(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; ev->direct && i < l->ndirect; i++)
		if (l->direct[i] == ev) {
			l->direct[i] = l->direct[--l->ndirect];
			break;
		}
	__atomic_store_n(&ev->dead, true, __ATOMIC_RELEASE);
	ev->next_dead = l->graveyard;
	l->graveyard = ev;
	pthread_mutex_unlock(&l->lock);
}

int evloop_timer_add(struct sl_evloop *l, const struct sl_tsrc *t)
{
	pthread_mutex_lock(&l->lock);
	bool ok = grow((void **)&l->timers, &l->cap_timers, l->ntimers, sizeof(*l->timers));
	if (ok)
		l->timers[l->ntimers++] = *t;
	pthread_mutex_unlock(&l->lock);
	return ok ? 0 : -ENOMEM;
}

void evloop_timer_del(struct sl_evloop *l, void *arg)
{
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->ntimers; i++)
		if (l->timers[i].arg == arg) {
			l->timers[i] = l->timers[--l->ntimers];
			break;
		}
	pthread_mutex_unlock(&l->lock);
}

static int64_t earlier(int64_t a, int64_t b)
{
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

/* The earliest deadline of the sources and deadline_ms. */
static int64_t next_deadline(struct sl_evloop *l, int64_t deadline_ms)
{
	int64_t t = deadline_ms;
	pthread_mutex_lock(&l->lock);
	size_t n = l->ntimers;
	pthread_mutex_unlock(&l->lock);
	/* sources are added and removed on the loop's thread only, between
	 * rounds; their next() may take locks of their own */
	for (size_t i = 0; i < n; i++)
		t = earlier(t, l->timers[i].next(l->timers[i].arg));
	return t;
}

static int wait_ms(int64_t t)
{
	if (t < 0)
		return MAX_WAIT_MS;
	int64_t left = t - sl_now_ms();
	return left <= 0 ? 0 : left > MAX_WAIT_MS ? MAX_WAIT_MS : (int)left;
}

/* The direct registrations, copied under the lock into the loop's own
 * poll set (grown as needed: no cap), the epoll fd last.  Their count, or
 * -ENOMEM. */
static long snapshot_direct(struct sl_evloop *l)
{
	pthread_mutex_lock(&l->lock);
	size_t nd = l->ndirect;
	if (nd + 1 > l->cap_poll) {
		struct pollfd *p = realloc(l->pfd, (nd + 1) * sizeof(*p));
		struct sl_ev **e = p ? realloc(l->pev, (nd + 1) * sizeof(*e)) : NULL;
		if (p)
			l->pfd = p;
		if (e) {
			l->pev = e;
			l->cap_poll = nd + 1;
		}
	}
	bool ok = nd + 1 <= l->cap_poll;
	for (size_t i = 0; ok && i < nd; i++) {
		l->pev[i] = l->direct[i];
		l->pfd[i] =
		    (struct pollfd){.fd = l->direct[i]->fd, .events = (short)l->direct[i]->events};
	}
	pthread_mutex_unlock(&l->lock);
	if (!ok)
		return -ENOMEM;
	l->pfd[nd] = (struct pollfd){.fd = l->epfd, .events = POLLIN};
	return (long)nd;
}

/* The wait: epoll alone, or poll() over the direct registrations and the
 * epoll fd, which is itself pollable.  Why poll: a seccomp listener set
 * to SYNC_WAKE_UP wakes its waiter on the notifying CPU (WF_CURRENT_CPU),
 * and poll's wait entry passes that flag on to the scheduler, while
 * epoll's callback drops it: through epoll the supervisor was woken on
 * the other, idle CPU, and on a VM a sparse notification then cost 27 to
 * 37 us instead of 10 to 12 (an IPI out of idle, twice).  The epoll
 * events in evs (*n), the direct registrations' in l->pfd (*nd). */
static int wait_round(struct sl_evloop *l, int timeout, struct epoll_event *evs, int *n, size_t *nd)
{
	*n = 0;
	*nd = 0;
	long d = snapshot_direct(l);
	if (d < 0)
		return (int)d;
	if (d == 0) {
		*n = epoll_wait(l->epfd, evs, ROUND_EVENTS, timeout);
		return *n < 0 ? -errno : 0;
	}
	if (poll(l->pfd, (nfds_t)d + 1, timeout) < 0)
		return -errno;
	*nd = (size_t)d;
	if (l->pfd[d].revents & POLLIN) {
		*n = epoll_wait(l->epfd, evs, ROUND_EVENTS, 0);
		if (*n < 0)
			return -errno;
	}
	return 0;
}

static void call(struct sl_ev *ev, uint32_t events)
{
	if (!__atomic_load_n(&ev->dead, __ATOMIC_ACQUIRE))
		ev->fn(ev->arg, ev->fd, events);
}

int evloop_round(struct sl_evloop *l, int64_t deadline_ms)
{
	struct epoll_event evs[ROUND_EVENTS];
	size_t nd;
	int n;
	int r = wait_round(l, wait_ms(next_deadline(l, deadline_ms)), evs, &n, &nd);
	if (r < 0 && r != -EINTR)
		return r;
	int64_t now = sl_now_ms();
	for (size_t i = 0; i < l->ntimers; i++) {
		int64_t t = l->timers[i].next(l->timers[i].arg);
		if (t >= 0 && now >= t)
			l->timers[i].tick(l->timers[i].arg, now);
	}
	/* three passes: the registrations marked first, the direct ones,
	 * then the rest */
	for (int i = 0; i < n; i++)
		if (((struct sl_ev *)evs[i].data.ptr)->first)
			call(evs[i].data.ptr, evs[i].events);
	/* POLLIN, POLLOUT, POLLERR, POLLHUP have epoll's values */
	for (size_t i = 0; i < nd; i++)
		if (l->pfd[i].revents)
			call(l->pev[i], (uint16_t)l->pfd[i].revents);
	for (int i = 0; i < n; i++)
		if (!((struct sl_ev *)evs[i].data.ptr)->first)
			call(evs[i].data.ptr, evs[i].events);
	bury(l);
	return 0;
}
