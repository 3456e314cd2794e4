/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the event loop (src/engine/evloop.c). */
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "harness.h"

#include "evloop.h"

#define MANY 40 /* more direct registrations than any fixed poll set held */

struct seen {
	char order[MANY + 8];
	int n;
	uint32_t events[MANY + 8];
	struct sl_evloop *loop;
	struct sl_ev *victim; /* deleted by the first callback that runs */
};

static void note(struct seen *s, char tag, uint32_t events)
{
	s->events[s->n] = events;
	s->order[s->n++] = tag;
	s->order[s->n] = 0;
}

static void on_first(void *arg, int fd, uint32_t events)
{
	(void)fd;
	note(arg, 'f', events);
}

static void on_direct(void *arg, int fd, uint32_t events)
{
	(void)fd;
	note(arg, 'd', events);
}

static void on_plain(void *arg, int fd, uint32_t events)
{
	(void)fd;
	note(arg, 'p', events);
}

static void on_killer(void *arg, int fd, uint32_t events)
{
	struct seen *s = arg;
	(void)fd;
	note(s, 'k', events);
	evloop_del(s->loop, s->victim);
	s->victim = NULL;
}

static int ready_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	return write(p[1], "x", 1) == 1 ? 0 : -1;
}

/* In one round: the first registrations, then the direct ones, then the
 * rest, whatever order they were added in. */
TEST(evloop_round_order_first_direct_rest)
{
	struct sl_evloop l;
	struct seen s = {0};
	int a[2], b[2], c[2], err = 0;
	CHECK_EQ(evloop_init(&l), 0);
	CHECK_EQ(ready_pipe(a), 0);
	CHECK_EQ(ready_pipe(b), 0);
	CHECK_EQ(ready_pipe(c), 0);
	CHECK(evloop_add(&l, a[0], EPOLLIN, on_plain, &s, &err));
	CHECK(evloop_add_direct(&l, b[0], EPOLLIN, on_direct, &s, &err));
	CHECK(evloop_add_first(&l, c[0], EPOLLIN, on_first, &s, &err));
	CHECK_EQ(evloop_round(&l, -1), 0);
	CHECK_STR(s.order, "fdp");
	CHECK_EQ(s.events[1], (uint32_t)EPOLLIN);
	evloop_release(&l);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
		close(c[i]);
	}
}

/* A direct registration gets the events that happened, not the ones it
 * asked for: a hang-up is told (the listener's "no task left"). */
TEST(evloop_direct_reports_hangup)
{
	struct sl_evloop l;
	struct seen s = {0};
	int p[2], err = 0;
	CHECK_EQ(evloop_init(&l), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK(evloop_add_direct(&l, p[0], EPOLLIN, on_direct, &s, &err));
	close(p[1]);
	CHECK_EQ(evloop_round(&l, -1), 0);
	CHECK_EQ(s.n, 1);
	CHECK(s.events[0] & EPOLLHUP);
	evloop_release(&l);
	close(p[0]);
}

/* No cap: every one of many direct registrations is polled and called. */
TEST(evloop_direct_many)
{
	struct sl_evloop l;
	struct seen s = {0};
	int p[MANY][2], err = 0;
	CHECK_EQ(evloop_init(&l), 0);
	for (int i = 0; i < MANY; i++) {
		CHECK_EQ(ready_pipe(p[i]), 0);
		CHECK(evloop_add_direct(&l, p[i][0], EPOLLIN, on_direct, &s, &err));
	}
	CHECK_EQ(evloop_round(&l, -1), 0);
	CHECK_EQ(s.n, MANY);
	evloop_release(&l);
	for (int i = 0; i < MANY; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
}

/* A direct registration removed by an earlier callback of the same round
 * is not called back (and is freed only after the round: ASan checks). */
TEST(evloop_direct_removed_in_round_is_skipped)
{
	struct sl_evloop l;
	struct seen s = {0};
	int a[2], b[2], err = 0;
	CHECK_EQ(evloop_init(&l), 0);
	s.loop = &l;
	CHECK_EQ(ready_pipe(a), 0);
	CHECK_EQ(ready_pipe(b), 0);
	CHECK(evloop_add_first(&l, a[0], EPOLLIN, on_killer, &s, &err));
	CHECK((s.victim = evloop_add_direct(&l, b[0], EPOLLIN, on_direct, &s, &err)));
	CHECK_EQ(evloop_round(&l, -1), 0);
	CHECK_STR(s.order, "k");
	/* gone from the poll set: the next round sees only the killer */
	CHECK_EQ(evloop_round(&l, -1), 0);
	CHECK_STR(s.order, "kk");
	evloop_release(&l);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
}
