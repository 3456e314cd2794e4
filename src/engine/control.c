/* SPDX-License-Identifier: Apache-2.0 */
/* control.c - the control socket of a running sandbox (control.h). */
#include "control.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "evloop.h"

#define REQUEST_MAX 64

int control_claim(struct control *c, const char *name, const char *profile)
{
	*c = (struct control){0};
	for (size_t i = 0; i < CONTROL_CONNS; i++)
		c->conns[i].fd = -1;
	if (profile && !(c->profile = strdup(profile)))
		return sl_errorf(ENOMEM, "out of memory");
	int r = runtime_claim(&c->claim, name);
	if (r < 0) {
		free(c->profile);
		c->profile = NULL;
		return r;
	}
	c->claimed = true;
	return 0;
}

static void conn_close(struct control_conn *k)
{
	if (k->fd < 0)
		return;
	evloop_del(k->ctl->loop, k->ev);
	k->ev = NULL;
	sl_close(&k->fd);
}

/* One message; a reply that does not fit the socket's buffer now is not
 * waited for (the loop never blocks): the client sees the end. */
static void reply(int fd, const char *status, const char *body)
{
	size_t a = strlen(status), b = body ? strlen(body) : 0;
	char *msg = malloc(a + b + 1);
	if (!msg)
		return;
	memcpy(msg, status, a);
	if (b)
		memcpy(msg + a, body, b);
	send(fd, msg, a + b, MSG_DONTWAIT | MSG_NOSIGNAL);
	free(msg);
}

static void answer(struct control *c, int fd, const char *req)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {{"pause", SIGSTOP}, {"resume", SIGCONT}, {"kill", SIGKILL}};
	if (strcmp(req, "info") == 0) {
		char *json = NULL;
		if (c->ops.info(c->ops.arg, &json) < 0)
			reply(fd, "error\n", "cannot describe the sandbox (out of memory)");
		else
			reply(fd, "ok\n", json);
		free(json);
		return;
	}
	if (strcmp(req, "profile") == 0) {
		reply(fd, c->profile ? "ok\n" : "error\n",
		      c->profile ? c->profile : "the sandbox was started without a profile text");
		return;
	}
	for (size_t i = 0; i < SL_ARRAY_SIZE(sigs); i++)
		if (strcmp(req, sigs[i].name) == 0) {
			bool ok = c->ops.signal(c->ops.arg, sigs[i].sig) == 0;
			reply(fd, ok ? "ok\n" : "error\n",
			      ok ? NULL : "the sandbox is not running");
			return;
		}
	reply(fd, "error\n", "unknown request (info, profile, pause, resume, kill)");
}

static void on_conn(void *arg, int fd, uint32_t events)
{
	struct control_conn *k = arg;
	char req[REQUEST_MAX + 1];
	ssize_t n = (events & EPOLLIN) ? recv(fd, req, REQUEST_MAX, MSG_DONTWAIT | MSG_TRUNC) : -1;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && n <= REQUEST_MAX) {
		req[n] = 0;
		req[strcspn(req, "\n")] = 0;
		answer(k->ctl, fd, req);
	}
	conn_close(k);
}

/* A free slot, else the oldest connection's (closed). */
static struct control_conn *slot(struct control *c)
{
	struct control_conn *old = &c->conns[0];
	for (size_t i = 0; i < CONTROL_CONNS; i++) {
		if (c->conns[i].fd < 0)
			return &c->conns[i];
		if (c->conns[i].seq < old->seq)
			old = &c->conns[i];
	}
	conn_close(old);
	return old;
}

/* Only the owner: a peer of another uid (root included: the sandbox is
 * the user's to manage) is closed unanswered. */
static bool peer_ok(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.uid == geteuid();
}

static void on_listen(void *arg, int fd, uint32_t events)
{
	(void)events;
	struct control *c = arg;
	int s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s < 0)
		return;
	if (!peer_ok(s)) {
		close(s);
		return;
	}
	struct control_conn *k = slot(c);
	int err;
	*k = (struct control_conn){.ctl = c, .fd = s, .seq = ++c->seq};
	k->ev = evloop_add(c->loop, s, EPOLLIN, on_conn, k, &err);
	if (!k->ev)
		sl_close(&k->fd);
}

int control_serve(struct control *c, struct sl_evloop *loop, const struct control_ops *ops)
{
	int err = 0;
	c->loop = loop;
	c->ops = *ops;
	c->ev = evloop_add(loop, c->claim.sock_fd, EPOLLIN, on_listen, c, &err);
	return c->ev ? 0 : sl_errorf(-err, "control socket: cannot watch it: %s", strerror(-err));
}

void control_release(struct control *c)
{
	if (!c->claimed)
		return;
	for (size_t i = 0; i < CONTROL_CONNS; i++)
		conn_close(&c->conns[i]);
	if (c->ev)
		evloop_del(c->loop, c->ev);
	c->ev = NULL;
	runtime_release(&c->claim);
	free(c->profile);
	c->profile = NULL;
	c->claimed = false;
}
