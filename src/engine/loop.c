/* SPDX-License-Identifier: Apache-2.0 */
/* loop.c - poll loop of one sandbox (see loop.h). */
#include "loop.h"

#include <errno.h>
#include <poll.h>
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

#define LOOP_MAX_PROCS 1024

/* Milliseconds until the earlier of the deadline and the supervisor's
 * next timer (-1: none). */
static int timeout_for(int64_t deadline_ms, int64_t timer_ms)
{
	int64_t t = deadline_ms;
	if (timer_ms >= 0 && (t < 0 || timer_ms < t))
		t = timer_ms;
	if (t < 0)
		return -1;
	int64_t left = t - sl_now_ms();
	if (left <= 0)
		return 0;
	return left > 60000 ? 60000 : (int)left;
}

static void service_listener(struct sl_sup *s, short revents)
{
	if (revents & POLLIN) {
		if (supervisor_handle_one(s) < 0)
			supervisor_detach(s); /* fail closed: ENOSYS */
	} else if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		supervisor_detach(s); /* no task uses the filter any more */
	}
}

/* The poll set: the fixed entries, then the tracked pidfds (grown as the
 * sandbox grows, kept across calls). */
static struct pollfd *poll_set(struct sl_loop *l, size_t *np)
{
	size_t want = P__N + l->sup->procs.n;
	if (want > P__N + LOOP_MAX_PROCS)
		want = P__N + LOOP_MAX_PROCS;
	if (want > l->pfd_cap) {
		struct pollfd *p = realloc(l->pfd, want * sizeof(*p));
		if (!p)
			return NULL;
		l->pfd = p;
		l->pfd_cap = want;
	}
	struct pollfd *pfd = l->pfd;
	pfd[P_LISTENER] = (struct pollfd){l->sup->listener, POLLIN, 0};
	pfd[P_PIDFD] = (struct pollfd){l->pidfd, POLLIN, 0};
	pfd[P_OUT] = (struct pollfd){l->out_fd, POLLIN, 0};
	pfd[P_ERR] = (struct pollfd){l->err_fd, POLLIN, 0};
	/* live control from another thread changed the timers */
	pfd[P_WAKE] = (struct pollfd){l->sup->wake_fd, POLLIN, 0};
	/* every tracked process's pidfd: exits free their slots and memory
	 * promptly */
	*np = supervisor_pollfds(l->sup, pfd + P__N, l->pfd_cap - P__N);
	return pfd;
}

int loop_run(struct sl_loop *l, int64_t deadline_ms)
{
	for (;;) {
		size_t np;
		struct pollfd *pfd = poll_set(l, &np);
		if (!pfd)
			return LOOP_FAILED;
		int64_t timer = supervisor_next_timer(l->sup);
		int n = poll(pfd, P__N + np, timeout_for(deadline_ms, timer));
		if (n < 0 && errno != EINTR)
			return LOOP_FAILED;
		int64_t now = sl_now_ms();
		if (timer >= 0 && now >= timer)
			supervisor_tick(l->sup, now);
		/* every round, not only when poll timed out: a sandbox that
		 * keeps an fd busy must not push its deadline back */
		if (deadline_ms >= 0 && now >= deadline_ms)
			return LOOP_DEADLINE;
		if (n <= 0)
			continue;
		if (pfd[P_WAKE].revents)
			supervisor_woken(l->sup);
		supervisor_proc_events(l->sup, pfd + P__N, np);
		service_listener(l->sup, pfd[P_LISTENER].revents);
		if (pfd[P_OUT].revents)
			service_pipe(&l->out_fd, l->out);
		if (pfd[P_ERR].revents)
			service_pipe(&l->err_fd, l->err);
		if (pfd[P_PIDFD].revents)
			return LOOP_EXITED;
	}
}

void loop_release(struct sl_loop *l)
{
	free(l->pfd);
	l->pfd = NULL;
	l->pfd_cap = 0;
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
