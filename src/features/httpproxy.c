/* SPDX-License-Identifier: Apache-2.0 */
/* httpproxy.c - the HTTP ACL proxy's thread, listeners and the record of
 * redirected connects (httpproxy.h). */
#include "httpproxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "error.h"
#include "httpconn.h"
#include "httpgate.h"
#include "httptls.h"
#include "policy.h"
#include "util.h"

/* A redirected connect not accepted after this long is forgotten (its
 * connect failed, or the sandbox closed it first). */
#define EXPECT_TTL_MS 60000
/* At most this many pending at once: beyond, a connect fails (EAGAIN)
 * rather than the record growing without bound. */
#define EXPECT_MAX 4096
/* Connections open at once, at most (fewer when the supervisor has few
 * descriptors); beyond, an accepted one is closed unread. */
#define CONN_MAX 1024
#define CONN_MIN 16

struct hexpect {
	struct sockaddr_storage client; /* canonical: a v4-mapped one as IPv4 */
	struct sockaddr_storage dest;
	socklen_t destlen;
	int64_t at;
};

/* ---- addresses ----------------------------------------------------------------- */

/* sa with a v4-mapped IPv6 address turned into its IPv4 form, port kept:
 * a dual-stack socket bound to ::ffff:127.0.0.1 is 127.0.0.1 to the
 * IPv4 listener that accepts it. */
static void canon_sa(const struct sockaddr_storage *sa, struct sockaddr_storage *out)
{
	*out = *sa;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	if (sa->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = s6->sin6_port};
	memcpy(&s4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	memset(out, 0, sizeof(*out));
	memcpy(out, &s4, sizeof(s4));
}

static bool same_sa(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

/* ---- the record ---------------------------------------------------------------- */

static int expect_add(struct httpproxy *px, const struct sockaddr_storage *client,
		      const struct sockaddr_storage *dest, socklen_t destlen)
{
	int64_t now = sl_now_ms();
	int r = 0;
	pthread_mutex_lock(&px->lock);
	for (size_t i = 0; i < px->nexp; i++)
		if (now - px->exp[i].at > EXPECT_TTL_MS || same_sa(&px->exp[i].client, client))
			px->exp[i--] = px->exp[--px->nexp];
	if (px->nexp == EXPECT_MAX) {
		r = -EAGAIN;
	} else if (px->nexp == px->cap_exp) {
		size_t cap = px->cap_exp ? px->cap_exp * 2 : 16;
		struct hexpect *v = realloc(px->exp, cap * sizeof(*v));
		if (!v)
			r = -ENOMEM;
		else
			px->exp = v, px->cap_exp = cap;
	}
	if (r == 0) {
		px->exp[px->nexp] = (struct hexpect){.dest = *dest, .destlen = destlen, .at = now};
		canon_sa(client, &px->exp[px->nexp].client);
		px->nexp++;
	}
	pthread_mutex_unlock(&px->lock);
	return r;
}

int httpproxy_claim(struct httpproxy *px, const struct sockaddr_storage *peer,
		    struct sockaddr_storage *dest, socklen_t *destlen)
{
	struct sockaddr_storage key;
	canon_sa(peer, &key);
	int r = -ENOENT;
	pthread_mutex_lock(&px->lock);
	for (size_t i = 0; i < px->nexp; i++)
		if (same_sa(&px->exp[i].client, &key)) {
			*dest = px->exp[i].dest;
			*destlen = px->exp[i].destlen;
			px->exp[i] = px->exp[--px->nexp];
			r = 0;
			break;
		}
	pthread_mutex_unlock(&px->lock);
	return r;
}

bool httpproxy_intercepts(const struct httpproxy *px, uint16_t port)
{
	return sl_u32v_contains(&px->policy->http_ports, port);
}

/* The loopback address sock reaches the proxy from: an IPv6 socket
 * without IPV6_V6ONLY takes IPv4, and goes to the IPv4 listener (always
 * there) through its mapped form. */
static int proxy_addr(struct httpproxy *px, int sock, int domain, struct sockaddr_storage *to,
		      socklen_t *tolen, struct sockaddr_storage *bind_to)
{
	memset(to, 0, sizeof(*to));
	memset(bind_to, 0, sizeof(*bind_to));
	if (domain == AF_INET) {
		memcpy(to, &px->addr4, sizeof(px->addr4));
		*tolen = sizeof(px->addr4);
		struct sockaddr_in *b = (struct sockaddr_in *)bind_to;
		b->sin_family = AF_INET;
		b->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return 0;
	}
	int v6only = 0;
	socklen_t sl = sizeof(v6only);
	if (getsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &sl) < 0)
		return -errno;
	struct sockaddr_in6 *t = (struct sockaddr_in6 *)to, *b = (struct sockaddr_in6 *)bind_to;
	*tolen = sizeof(*t);
	b->sin6_family = AF_INET6;
	if (v6only) {
		if (px->lfd[1] < 0)
			return -ENETUNREACH; /* the host's loopback has no ::1 */
		*t = px->addr6;
		b->sin6_addr = in6addr_loopback;
		return 0;
	}
	t->sin6_family = AF_INET6;
	t->sin6_port = px->addr4.sin_port;
	t->sin6_addr.s6_addr[10] = t->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&t->sin6_addr.s6_addr[12], &px->addr4.sin_addr, 4);
	b->sin6_addr = t->sin6_addr;
	b->sin6_port = 0;
	return 0;
}

int httpproxy_redirect(struct httpproxy *px, int sock, int domain, struct sockaddr_storage *to,
		       socklen_t *tolen)
{
	struct sockaddr_storage dest, paddr, bind_to, local;
	socklen_t destlen = *tolen, plen = 0, ll = sizeof(local);
	/* the proxy connects to it with a socket of its own family */
	canon_sa(to, &dest);
	if (dest.ss_family == AF_INET && domain == AF_INET6)
		destlen = sizeof(struct sockaddr_in);
	int r = proxy_addr(px, sock, domain, &paddr, &plen, &bind_to);
	if (r < 0)
		return r;
	if (getsockname(sock, (struct sockaddr *)&local, &ll) < 0)
		return -errno;
	/* the port is 0 until the socket is bound: bind it to the loopback
	 * so that its address, the proxy's key, is known before the connect
	 * (the proxy may accept before this thread runs again).  A socket
	 * the sandbox bound itself keeps its address; a wildcard one is seen
	 * from the loopback address its connect to the proxy takes. */
	if (((struct sockaddr_in *)&local)->sin_port == 0) {
		socklen_t bl =
		    domain == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		if (bind(sock, (struct sockaddr *)&bind_to, bl) < 0)
			return -errno;
		ll = sizeof(local);
		if (getsockname(sock, (struct sockaddr *)&local, &ll) < 0)
			return -errno;
	} else {
		in_port_t port = ((struct sockaddr_in *)&local)->sin_port;
		bool any =
		    domain == AF_INET
			? ((struct sockaddr_in *)&local)->sin_addr.s_addr == INADDR_ANY
			: IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&local)->sin6_addr);
		if (any) {
			local = bind_to;
			((struct sockaddr_in *)&local)->sin_port = port; /* same offset in both */
		}
	}
	if ((r = expect_add(px, &local, &dest, destlen)) < 0)
		return r;
	*to = paddr;
	*tolen = plen;
	return 0;
}

/* ---- the thread ---------------------------------------------------------------- */

/* Stops or restarts accepting (the listeners' events). */
static void listening(struct httpproxy *px, bool on)
{
	for (int i = 0; i < 2; i++)
		if (px->lev[i])
			(void)evloop_mod(&px->loop, px->lev[i], on ? EPOLLIN : 0);
	px->accept_paused = !on;
}

static void on_accept(void *arg, int fd, uint32_t events)
{
	(void)events;
	struct httpproxy *px = arg;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage peer, dest;
		socklen_t pl = sizeof(peer), dl = 0;
		int c = accept4(fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0 &&
		    (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) {
			/* the connection stays pending, the listener readable:
			 * polled now, it would wake the loop forever; the
			 * sweep listens again */
			listening(px, false);
			return;
		}
		if (c < 0)
			return; /* EAGAIN, or a failure the next round retries */
		/* nobody recorded it: not a connect the supervisor decided;
		 * or one connection too many: each holds up to two of the
		 * supervisor's descriptors, which the sandbox must not be able
		 * to take all of (it would be refused every call the
		 * supervisor needs one for) */
		if (httpproxy_claim(px, &peer, &dest, &dl) < 0 || px->nconns >= px->conn_max) {
			close(c);
			continue;
		}
		(void)hconn_open(px, c, &dest, dl);
	}
}

static void on_wake(void *arg, int fd, uint32_t events)
{
	(void)events;
	uint64_t v;
	struct httpproxy *px = arg;
	if (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		px->stop = true;
}

static int64_t timer_next(void *arg)
{
	struct httpproxy *px = arg;
	if (px->accept_paused && !px->sweep_at)
		px->sweep_at = sl_now_ms() + 1000;
	return px->accept_paused && !px->conns ? px->sweep_at : hconn_next(px);
}

static void timer_tick(void *arg, int64_t now)
{
	struct httpproxy *px = arg;
	if (px->accept_paused)
		listening(px, true);
	hconn_sweep(px, now);
}

static void *run(void *arg)
{
	struct httpproxy *px = arg;
	while (!px->stop)
		if (evloop_round(&px->loop, -1) < 0)
			break;
	hconn_close_all(px);
	return NULL;
}

/* A listening socket on the loopback address a (family's), port of the
 * kernel's choice, registered in the loop; its address in *a.  -1 and
 * no error for an IPv6 host without ::1. */
static int listen_on(struct httpproxy *px, struct sockaddr_storage *a, socklen_t len,
		     struct sl_ev **ev)
{
	int fd = socket(a->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	if (a->ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	int err = 0;
	if (bind(fd, (struct sockaddr *)a, len) < 0 || listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)a, &len) < 0)
		err = -errno;
	if (err == 0)
		*ev = evloop_add(&px->loop, fd, EPOLLIN, on_accept, px, &err);
	if (err < 0) {
		close(fd);
		return a->ss_family == AF_INET6 && err == -EADDRNOTAVAIL ? -1 : err;
	}
	return fd;
}

static int listen_both(struct httpproxy *px)
{
	struct sockaddr_storage a4 = {0}, a6 = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a4;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a6;
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s6->sin6_family = AF_INET6;
	s6->sin6_addr = in6addr_loopback;
	px->lfd[0] = listen_on(px, &a4, sizeof(*s4), &px->lev[0]);
	if (px->lfd[0] < 0)
		return sl_errorf(-px->lfd[0], "http proxy: cannot listen on 127.0.0.1: %s",
				 strerror(-px->lfd[0]));
	memcpy(&px->addr4, s4, sizeof(*s4));
	int r = listen_on(px, &a6, sizeof(*s6), &px->lev[1]);
	if (r < -1)
		return sl_errorf(-r, "http proxy: cannot listen on ::1: %s", strerror(-r));
	px->lfd[1] = r;
	memcpy(&px->addr6, s6, sizeof(*s6));
	return 0;
}

static int setup(struct httpproxy *px, const struct sandlock_sandbox *policy,
		 const struct sl_netplan *net)
{
	int r = evloop_init(&px->loop);
	if (r < 0)
		return r;
	if ((r = httpgate_new(&px->gate, policy, net)) < 0)
		return sl_errorf(-r, "http proxy: out of memory");
	if ((px->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return sl_errorf(errno, "http proxy: eventfd: %s", strerror(errno));
	if (!(px->wake_ev = evloop_add(&px->loop, px->wake, EPOLLIN, on_wake, px, &r)))
		return sl_errorf(-r, "http proxy: %s", strerror(-r));
	if ((r = listen_both(px)) < 0)
		return r;
	if ((r = evloop_timer_add(&px->loop, &(struct sl_tsrc){timer_next, timer_tick, px})) < 0)
		return sl_errorf(-r, "http proxy: out of memory");
	if ((r = pthread_create(&px->thread, NULL, run, px)) != 0)
		return sl_errorf(r, "http proxy: cannot start its thread: %s", strerror(r));
	px->started = true;
	return 0;
}

int httpproxy_start(struct httpproxy **out, const struct sandlock_sandbox *policy,
		    const struct sl_netplan *net, struct httptls *tls, struct sl_denials *denials)
{
	struct httpproxy *px = calloc(1, sizeof(*px));
	if (!px) {
		httptls_free(tls);
		return sl_errorf(ENOMEM, "http proxy: out of memory");
	}
	px->policy = policy;
	px->tls = tls;
	px->denials = denials;
	px->wake = px->lfd[0] = px->lfd[1] = -1;
	/* a quarter of the supervisor's descriptors at most (two a
	 * connection): the rest stay its own */
	struct rlimit rl;
	px->conn_max = CONN_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 8 < CONN_MAX)
		px->conn_max = rl.rlim_cur / 8 > CONN_MIN ? (size_t)rl.rlim_cur / 8 : CONN_MIN;
	pthread_mutex_init(&px->lock, NULL);
	int r = setup(px, policy, net);
	if (r < 0) {
		httpproxy_stop(px);
		return r;
	}
	*out = px;
	return 0;
}

void httpproxy_stop(struct httpproxy *px)
{
	if (!px)
		return;
	if (px->started) {
		uint64_t one = 1;
		(void)!write(px->wake, &one, sizeof(one));
		pthread_join(px->thread, NULL);
	}
	if (px->loop.lock_init) {
		/* the loop frees only what was taken out of it */
		evloop_del(&px->loop, px->wake_ev);
		for (int i = 0; i < 2; i++)
			evloop_del(&px->loop, px->lev[i]);
		evloop_timer_del(&px->loop, px);
		evloop_release(&px->loop);
	}
	for (int i = 0; i < 2; i++)
		if (px->lfd[i] >= 0)
			close(px->lfd[i]);
	if (px->wake >= 0)
		close(px->wake);
	httpgate_free(px->gate);
	httptls_free(px->tls);
	pthread_mutex_destroy(&px->lock);
	free(px->exp);
	free(px);
}
