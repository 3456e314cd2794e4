/* SPDX-License-Identifier: Apache-2.0 */
/* loop.c - one sandbox's run on the event loop (see loop.h). */
#include "loop.h"

#include "evloop.h"
#include "supervisor.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK     (64 * 1024)
#define DRAIN_GRACE_MS 100

enum { P_LISTENER, P_PIDFD, P_OUT, P_ERR, P_WAKE, P__N };

/* Reads one chunk into b.  Returns > 0, 0 at EOF, -errno.  If memory runs
 * out the data is read and dropped, so the child never blocks on a full
 * pipe. */
static ssize_t read_chunk(int fd, struct sl_buf *b)
{
	char scratch[4096];
	ssize_t r;
	size_t want = b->len >= 4 * READ_CHUNK ? b->len / 4 : READ_CHUNK;
	if (sl_buf_reserve(b, want) == 0) {
		do
			r = read(fd, b->p + b->len, b->cap - b->len);
		while (r < 0 && errno == EINTR);
		if (r > 0)
			b->len += (size_t)r;
	} else {
		do
			r = read(fd, scratch, sizeof(scratch));
		while (r < 0 && errno == EINTR);
	}
	return r < 0 ? -errno : r;
}

/* Services a capture pipe; marks it done (fd -1) at EOF or error.  The
 * fd itself stays owned by the caller. */
static void service_pipe(int *fd, struct sl_buf *b)
{
	if (read_chunk(*fd, b) <= 0)
		*fd = -1;
}

static void on_pidfd(void *arg, int fd, uint32_t events)
{
	struct sl_loop *l = arg;
	l->exited = true;
}

/* A capture pipe: read; at EOF or error, out of the loop, marked -1 (the
 * fd itself stays the caller's). */
static void on_pipe(void *arg, int fd, uint32_t events)
{
	struct sl_loop *l = arg;
	bool out = fd == l->out_fd;
	if (read_chunk(fd, out ? l->out : l->err) > 0)
		return;
	struct sl_ev **ev = out ? &l->out_ev : &l->err_ev;
	evloop_del(l->sup->loop, *ev);
	*ev = NULL;
	if (out)
		l->out_fd = -1;
	else
		l->err_fd = -1;
}

static int add(struct sl_loop *l, int fd, sl_ev_fn fn, struct sl_ev **ev)
{
	int err = 0;
	if (fd >= 0 && !(*ev = evloop_add(l->sup->loop, fd, EPOLLIN, fn, l, &err)))
		return err;
	return 0;
}

static int register_run(struct sl_loop *l)
{
	if (l->registered)
		return 0;
	l->registered = true;
	int r = add(l, l->pidfd, on_pidfd, &l->pid_ev);
	if (r == 0)
		r = add(l, l->out_fd, on_pipe, &l->out_ev);
	if (r == 0)
		r = add(l, l->err_fd, on_pipe, &l->err_ev);
	return r;
}

int loop_run(struct sl_loop *l, int64_t deadline_ms)
{
	if (register_run(l) < 0)
		return LOOP_FAILED;
	while (!l->exited) {
		if (evloop_round(l->sup->loop, deadline_ms) < 0)
			return LOOP_FAILED;
		/* every round, not only when the wait timed out: a sandbox
		 * that keeps an fd busy must not push its deadline back */
		if (!l->exited && deadline_ms >= 0 && sl_now_ms() >= deadline_ms)
			return LOOP_DEADLINE;
	}
	return LOOP_EXITED;
}

void loop_release(struct sl_loop *l)
{
	struct sl_ev **evs[] = {&l->pid_ev, &l->out_ev, &l->err_ev};
	for (size_t i = 0; i < 3; i++) {
		if (l->sup && *evs[i])
			evloop_del(l->sup->loop, *evs[i]);
		*evs[i] = NULL;
	}
	l->registered = false;
}

void loop_drain(struct sl_loop *l)
{
	while (l->out_fd >= 0 || l->err_fd >= 0) {
		struct pollfd pfd[2] = {{l->out_fd, POLLIN, 0}, {l->err_fd, POLLIN, 0}};
		int n = poll(pfd, 2, DRAIN_GRACE_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (pfd[0].revents)
			service_pipe(&l->out_fd, l->out);
		if (pfd[1].revents)
			service_pipe(&l->err_fd, l->err);
	}
}
