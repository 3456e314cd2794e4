/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evloop.h - an epoll event loop with registration.
 *
 * Anything with an fd registers it with a callback (the seccomp listener,
 * every tracked process's pidfd, capture pipes, later a proxy's sockets or
 * a control socket), anything with a deadline registers a timer source
 * (next deadline, tick); one thread runs rounds: wait until the earliest
 * deadline or an event, run the due timers, call back each ready fd.
 * Several sandboxes can share one loop: nothing here belongs to one.
 *
 * Registration is thread-safe (live control on other threads adds a
 * process found by a settle); a callback runs on the loop's thread only.
 * Removal is deferred: a removed registration is taken out of the epoll
 * set at once but freed only after the round in progress, so an event
 * the round already holds for it is skipped, never a use after free.
 * There is no cap on registrations: epoll holds them, not an array.
 */
#ifndef SL_EVLOOP_H
#define SL_EVLOOP_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*sl_ev_fn)(void *arg, int fd, uint32_t events);

struct sl_ev;

/* A timer source: its next deadline (monotonic ms, -1 none) and what runs
 * when it is due. */
struct sl_tsrc {
	int64_t (*next)(void *arg);
	void (*tick)(void *arg, int64_t now_ms);
	void *arg;
};

struct sl_evloop {
	int epfd;
	pthread_mutex_t lock; /* the graveyard and the timer sources */
	struct sl_ev *graveyard;
	struct sl_tsrc *timers;
	size_t ntimers, cap_timers;
	struct sl_ev **direct; /* evloop_add_direct */
	size_t ndirect, cap_direct;
	struct pollfd *pfd; /* the loop thread's poll set: the direct ones, epfd */
	struct sl_ev **pev;
	size_t cap_poll;
	bool lock_init;
};

/* 0 or -errno with a message. */
int evloop_init(struct sl_evloop *l);
/* Frees everything (registrations still in place included); closes no
 * registered fd. */
void evloop_release(struct sl_evloop *l);

/* Calls fn(arg, fd, events) on the loop's thread whenever fd is ready for
 * events (EPOLLIN...; level-triggered).  NULL with -errno in *err. */
struct sl_ev *evloop_add(struct sl_evloop *l, int fd, uint32_t events, sl_ev_fn fn, void *arg,
			 int *err);
/* The same, called back before the registrations added with evloop_add
 * in the rounds where both are ready (facts others decide on: a process's
 * exit before the notification that may count it). */
struct sl_ev *evloop_add_first(struct sl_evloop *l, int fd, uint32_t events, sl_ev_fn fn, void *arg,
			       int *err);
/* The same, but fd is polled by itself (poll(2)) rather than through the
 * epoll set: for the seccomp listener, whose wake-up hint epoll loses (see
 * evloop.c).  Ready ones are called back after the evloop_add_first ones
 * and before the rest. */
struct sl_ev *evloop_add_direct(struct sl_evloop *l, int fd, uint32_t events, sl_ev_fn fn,
				void *arg, int *err);
/* Changes the events an evloop_add / evloop_add_first registration waits
 * for (a connection that has data to send waits for EPOLLOUT too).  A
 * no-op when they are the same.  0 or -errno. */
int evloop_mod(struct sl_evloop *l, struct sl_ev *ev, uint32_t events);
/* Takes ev out (before its fd is closed); freed after the current round.
 * NULL is ignored. */
void evloop_del(struct sl_evloop *l, struct sl_ev *ev);

/* Adds a timer source (copied).  0 or -ENOMEM. */
int evloop_timer_add(struct sl_evloop *l, const struct sl_tsrc *t);
/* Removes the source whose arg is arg. */
void evloop_timer_del(struct sl_evloop *l, void *arg);

/* One round: waits until an event, the earliest timer, or deadline_ms
 * (monotonic, -1 none), then runs what is due.  0, or -errno when the
 * wait failed (not EINTR). */
int evloop_round(struct sl_evloop *l, int64_t deadline_ms);

#endif
