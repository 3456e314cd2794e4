/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpconn.c - one connection through the HTTP ACL proxy.
 *
 * Two sides, the client (the sandbox's socket, accepted) and the upstream
 * (opened by the proxy to the recorded destination at the first allowed
 * request, never before: a denied request reaches no server).  Both are
 * non-blocking, TLS or not, and driven by pump(): read what flow control
 * allows, frame, decide, forward, write, until nothing moves.
 *
 * Requests are framed by their own heads (httpmsg.h): each head is parsed
 * and decided (httpgate.h) before any of it is forwarded, its body
 * (Content-Length or chunked) relayed unchanged, and the next head
 * parsed after it: a kept-alive or pipelined request is decided like the
 * first.  Responses are framed too, in the order of the requests (a FIFO
 * of their methods: a HEAD's response has no body), for two reasons: a
 * refusal of a pipelined request must come after the responses to the
 * requests before it, and an upgrade (WebSocket) turns the connection
 * into an opaque tunnel only when the server answered 101 to a request
 * that asked for it; until that answer, nothing more of the client's is
 * read as a request or forwarded.  A message the parser refuses
 * (smuggling forms, a head too large, not HTTP at all) ends the
 * connection after a 400, 431 or 501; a refused request after a 403.
 */
#include "httpconn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "denials.h"
#include "httpgate.h"
#include "httpmsg.h"
#include "httpproxy.h"
#include "httptls.h"
#include "netaddr.h"
#include "policy.h"
#include "util.h"

#define IN_MAX	   (HTTPMSG_HEAD_MAX + 16384) /* a side's unprocessed input */
#define OUT_MAX	   (256 * 1024)		      /* pending to a side: the other stops reading */
#define READ_CHUNK 16384
#define FIFO_MAX   16		/* requests awaiting their responses */
#define IDLE_MS	   (120 * 1000) /* nothing moved either way */
#define SWEEP_MS   1000

struct hbuf {
	char *d;
	size_t off, len, cap;
};

struct hside {
	int fd;
	struct sl_ev *ev;
	SSL *ssl;
	bool hs;    /* ready for data: connected, and TLS's handshake done */
	bool eof;   /* nothing more to read */
	bool ready; /* plain: readable, as far as we know (see side_fill) */
	bool shut;  /* our write side shut (a tunnel's half-close) */
	short want; /* the poll events TLS's last call waits for */
	struct hbuf in, out;
};

enum rq_state { RQ_START, RQ_HS, RQ_HEAD, RQ_LEN, RQ_CHUNKED, RQ_WAIT, RQ_TUNNEL, RQ_STOP };
enum rs_state { RS_HEAD, RS_LEN, RS_CHUNKED, RS_CLOSE, RS_TUNNEL };

struct inflight {
	char method[32];
	bool upgrade;
};

struct hconn {
	struct httpproxy *px;
	struct hconn *prev, *next;
	struct hside c, u;
	struct sockaddr_storage dest;
	socklen_t destlen;
	struct sl_net_addr daddr;
	char dtext[NETADDR_STRLEN];
	bool tls;	 /* the client speaks TLS (so does the upstream) */
	bool connecting; /* the upstream's TCP connect is under way */
	char *sni;	 /* the client's server name (TLS), or NULL */
	char *up_host;	 /* the host the upstream's certificate is checked for */
	enum rq_state rq;
	uint64_t rq_left;
	struct httpmsg_chunked rq_ch;
	bool rq_upgrade; /* the request being relayed asked to upgrade */
	enum rs_state rs;
	uint64_t rs_left;
	struct httpmsg_chunked rs_ch;
	bool rs_started;	       /* some of the current response went to the client */
	bool rs_close;		       /* the connection ends with the current response */
	size_t rq_scanned, rs_scanned; /* of the head being received (httpmsg_head_scan) */
	struct inflight fifo[FIFO_MAX];
	unsigned fhead, nfifo;
	char *refusal; /* an answer waiting for the responses before it */
	size_t refusal_len;
	bool closing; /* close once the client has everything */
	bool dead;
	int64_t deadline;
};

/* ---- buffers ------------------------------------------------------------------- */

static size_t hb_n(const struct hbuf *b)
{
	return b->len - b->off;
}

static char *hb_data(const struct hbuf *b)
{
	return b->d + b->off;
}

/* Room for n more bytes at the end. */
static int hb_reserve(struct hbuf *b, size_t n)
{
	if (b->off && b->off == b->len)
		b->off = b->len = 0;
	if (b->len + n <= b->cap)
		return 0;
	if (b->off) {
		memmove(b->d, b->d + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->len + n <= b->cap)
			return 0;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	char *d = realloc(b->d, cap);
	if (!d)
		return -ENOMEM;
	b->d = d;
	b->cap = cap;
	return 0;
}

static int hb_put(struct hbuf *b, const void *p, size_t n)
{
	int r = hb_reserve(b, n);
	if (r == 0 && n) {
		memcpy(b->d + b->len, p, n);
		b->len += n;
	}
	return r;
}

/* Drops n bytes from the front; an emptied buffer gives its memory back
 * (an idle connection holds none). */
static void hb_drop(struct hbuf *b, size_t n)
{
	b->off += n;
	if (b->off == b->len) {
		free(b->d);
		*b = (struct hbuf){0};
	}
}

/* Moves n bytes of from's front to to's end. */
static int hb_move(struct hbuf *to, struct hbuf *from, size_t n)
{
	int r = hb_put(to, hb_data(from), n);
	if (r == 0)
		hb_drop(from, n);
	return r;
}

/* ---- sides --------------------------------------------------------------------- */

static long side_read(struct hside *s, char *b, size_t n)
{
	if (s->ssl)
		return httptls_read(s->ssl, b, n, &s->want);
	ssize_t r = recv(s->fd, b, n, 0);
	return r < 0 ? -errno : r;
}

static long side_write(struct hside *s, const char *b, size_t n)
{
	if (s->ssl)
		return httptls_write(s->ssl, b, n, &s->want);
	ssize_t r = send(s->fd, b, n, MSG_NOSIGNAL);
	return r < 0 ? -errno : r;
}

/* Reads what there is into s->in while allowed.  true when something
 * came (or the end). */
static bool side_fill(struct hconn *c, struct hside *s, bool allowed)
{
	bool moved = false;
	/* A plain socket is read only when the loop said it is readable, and
	 * no more once a read came back short (the kernel had no more then;
	 * the level-triggered loop says when there is): a read that would
	 * only find EAGAIN was a third of the proxy's syscalls per request.
	 * TLS may hold a record's rest in its own buffer: read to EAGAIN. */
	if (!s->ssl && !s->ready && s->ev) /* out of the loop (hung up): no word will come */
		return false;
	while (allowed && s->hs && !s->eof && hb_n(&s->in) < IN_MAX) {
		if (hb_reserve(&s->in, READ_CHUNK) < 0) {
			c->dead = true;
			return true;
		}
		long r = side_read(s, s->in.d + s->in.len, READ_CHUNK);
		if (r == -EAGAIN || r == -EINTR) {
			s->ready = false;
			break;
		}
		moved = true;
		if (r <= 0) {
			s->eof = true; /* the end, or a reset: nothing more comes */
			break;
		}
		s->in.len += (size_t)r;
		if (!s->ssl && r < READ_CHUNK) {
			s->ready = false; /* drained: the loop says when there is more */
			break;
		}
	}
	if (s->in.d && hb_n(&s->in) == 0)
		hb_drop(&s->in, 0);
	return moved;
}

/* Writes what s->out holds.  true when something went. */
static bool side_flush(struct hconn *c, struct hside *s)
{
	bool moved = false;
	while (s->fd >= 0 && s->hs && hb_n(&s->out)) {
		long r = side_write(s, hb_data(&s->out), hb_n(&s->out));
		if (r == -EAGAIN || r == -EINTR)
			break;
		if (r <= 0) {
			c->dead = true; /* the peer is gone: nobody to answer */
			return true;
		}
		hb_drop(&s->out, (size_t)r);
		moved = true;
	}
	return moved;
}

static void side_close(struct httpproxy *px, struct hside *s)
{
	evloop_del(&px->loop, s->ev);
	s->ev = NULL;
	if (s->ssl)
		httptls_close(s->ssl);
	s->ssl = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->in.d);
	free(s->out.d);
	s->in = s->out = (struct hbuf){0};
	s->hs = s->eof = s->shut = s->ready = false;
	s->want = 0;
}

/* ---- answers of the proxy's own ------------------------------------------------ */

/* An answer with a one-line text body that closes the connection. */
static char *answer(int status, const char *text, const char *why, size_t *len)
{
	char *s = NULL;
	int n = asprintf(&s,
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s\n",
			 status, text, strlen(why) + 1, why);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return s;
}

/* A request the policy refuses, as a denial event: its method, the host
 * and path it named (the destination's address without a host), the
 * reason the 403 gives. */
static void denied(struct hconn *c, const struct httpmsg_req *rq, const char *why)
{
	static const char prefix[] = "Blocked by sandlock HTTP ACL policy: ";
	char target[512];
	if (strncmp(why, prefix, sizeof(prefix) - 1) == 0)
		why += sizeof(prefix) - 1;
	snprintf(target, sizeof(target), "%s%s%s", c->tls ? "https://" : "http://",
		 rq->host ? rq->host : c->dtext, rq->path ? rq->path : "");
	denials_add_op(c->px->denials, "supervisor", rq->method, 0, EACCES, target, why);
}

/* Refuses the request at the head of the client's input: nothing more of
 * the client's is read, the answer goes after the responses still due
 * (now, when none is), then the connection closes. */
static void refuse(struct hconn *c, int status, const char *text, const char *why)
{
	size_t len = 0;
	char *s = answer(status, text, why, &len);
	c->rq = RQ_STOP;
	if (!s) {
		c->dead = true;
		return;
	}
	if (c->nfifo == 0 && !c->rs_started) {
		if (hb_put(&c->c.out, s, len) < 0)
			c->dead = true;
		free(s);
		c->closing = true;
		return;
	}
	c->refusal = s;
	c->refusal_len = len;
}

/* The upstream failed before its response began: 502 to the client. */
static void bad_gateway(struct hconn *c, const char *why)
{
	char line[700];
	snprintf(line, sizeof(line), "Bad gateway: %s", why);
	c->nfifo = 0;
	c->rq = RQ_STOP;
	if (c->rs_started) {
		c->dead = true; /* half a response went: the client sees it cut */
		return;
	}
	free(c->refusal);
	c->refusal = NULL;
	refuse(c, 502, "Bad Gateway", line);
}

/* ---- the upstream ------------------------------------------------------------- */

static void on_event(void *arg, int fd, uint32_t events);

static int up_open(struct hconn *c, const char *host)
{
	int fd = socket(c->dest.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	c->u.fd = fd;
	/* an upstream that went idle is reopened by the next request */
	free(c->up_host);
	if (!(c->up_host = strdup(host)))
		return -ENOMEM;
	if (connect(fd, (struct sockaddr *)&c->dest, c->destlen) < 0 && errno != EINPROGRESS)
		return -errno;
	c->connecting = true;
	int err = 0;
	c->u.ev = evloop_add(&c->px->loop, fd, EPOLLOUT, on_event, c, &err);
	return err;
}

/* The upstream's TCP connect is over: its error, or TLS begins. */
static void up_connected(struct hconn *c)
{
	int e = 0;
	socklen_t sl = sizeof(e);
	if (getsockopt(c->u.fd, SOL_SOCKET, SO_ERROR, &e, &sl) < 0)
		e = errno;
	if (e == EINPROGRESS || e == EALREADY)
		return;
	c->connecting = false;
	if (e) {
		char why[200];
		snprintf(why, sizeof(why), "connecting to %s: %s", c->dtext, strerror(e));
		bad_gateway(c, why);
		return;
	}
	if (!c->tls) {
		c->u.hs = c->u.ready = true;
		return;
	}
	if (!(c->u.ssl = httptls_client(c->px->tls, c->u.fd, c->up_host)))
		bad_gateway(c, "TLS to the server could not be set up");
}

/* TLS handshakes in progress on either side. */
static bool handshakes(struct hconn *c)
{
	bool moved = false;
	struct hside *sides[2] = {&c->c, &c->u};
	for (int i = 0; i < 2; i++) {
		struct hside *s = sides[i];
		if (!s->ssl || s->hs || c->dead)
			continue;
		int r = httptls_handshake(s->ssl, &s->want);
		if (r == -EAGAIN)
			continue;
		moved = true;
		if (r < 0 && s == &c->c) {
			c->dead = true; /* the client's TLS failed: nothing to answer in */
		} else if (r < 0) {
			char why[256], line[640];
			httptls_error(s->ssl, r, why, sizeof(why));
			snprintf(line, sizeof(line), "TLS to %s (%s): %s", c->up_host, c->dtext,
				 why);
			bad_gateway(c, line);
		} else {
			s->hs = true;
			s->want = 0;
			if (s == &c->c) {
				const char *sni = httptls_sni(s->ssl);
				if (sni && !(c->sni = strdup(sni)))
					c->dead = true;
				c->rq = RQ_HEAD;
			}
		}
	}
	return moved;
}

/* ---- requests ------------------------------------------------------------------ */

static void fifo_push(struct hconn *c, const char *method, bool upgrade)
{
	struct inflight *f = &c->fifo[(c->fhead + c->nfifo++) % FIFO_MAX];
	snprintf(f->method, sizeof(f->method), "%s", method);
	f->upgrade = upgrade;
}

/* Forwards an allowed request's head (with the credential's header in
 * place of the client's own, when the gate gave one) and sets up its
 * body's relay. */
static int forward_head(struct hconn *c, const struct httpmsg_req *rq, const struct gate_verdict *v)
{
	int r;
	if (c->u.fd < 0 && (r = up_open(c, rq->host)) < 0) {
		char why[200];
		snprintf(why, sizeof(why), "connecting to %s: %s", c->dtext, strerror(-r));
		bad_gateway(c, why);
		return 0;
	}
	if (v->add) {
		char *h = NULL;
		size_t hl = 0;
		if ((r = httpmsg_rewrite_head(hb_data(&c->c.in), rq->head_len, v->drop, v->add, &h,
					      &hl)) < 0)
			return r;
		r = hb_put(&c->u.out, h, hl);
		explicit_bzero(h, hl);
		free(h);
		hb_drop(&c->c.in, rq->head_len);
	} else {
		r = hb_move(&c->u.out, &c->c.in, rq->head_len);
	}
	if (r < 0)
		return r;
	c->rq_scanned = 0;
	fifo_push(c, rq->method, rq->upgrade);
	c->rq_upgrade = rq->upgrade;
	c->rq = rq->body == HM_LENGTH ? RQ_LEN : rq->body == HM_CHUNKED ? RQ_CHUNKED : RQ_HEAD;
	c->rq_left = rq->length;
	httpmsg_chunked_init(&c->rq_ch);
	if (c->rq == RQ_LEN && c->rq_left == 0)
		c->rq = RQ_HEAD;
	if (c->rq == RQ_HEAD && rq->upgrade)
		c->rq = RQ_WAIT;
	return 0;
}

static void head(struct hconn *c)
{
	struct httpmsg_req rq = {0};
	const char *why = "malformed request";
	/* checked as it grows: parsing afresh at each read of a head that
	 * comes a byte at a time would cost the square of its size */
	int r = httpmsg_head_scan(hb_data(&c->c.in), hb_n(&c->c.in), &c->rq_scanned, &why);
	if (r == 0)
		r = httpmsg_parse_req(hb_data(&c->c.in), hb_n(&c->c.in), &rq, &why);
	if (r == -EAGAIN) {
		if (c->c.eof) /* a head cut short: nothing to answer */
			c->rq = RQ_STOP;
		return;
	}
	char line[400];
	if (r < 0) {
		snprintf(line, sizeof(line), "Bad request: %s", why ? why : "malformed");
		if (r == -E2BIG)
			refuse(c, 431, "Request Header Fields Too Large", line);
		else if (r == -ENOSYS)
			refuse(c, 501, "Not Implemented", line);
		else
			refuse(c, 400, "Bad Request", line);
		return;
	}
	char proto[64];
	if (rq.upgrade &&
	    !httpgate_upgrade_ok(hb_data(&c->c.in), rq.head_len, proto, sizeof(proto))) {
		snprintf(line, sizeof(line),
			 "Blocked by sandlock HTTP ACL policy: an upgrade to '%s' would carry what "
			 "the proxy cannot see (only websocket is tunnelled)",
			 proto);
		denied(c, &rq, line);
		refuse(c, 403, "Forbidden", line);
		httpmsg_req_free(&rq);
		return;
	}
	struct gate_verdict v;
	r = httpgate_check(c->px->gate, &rq, &c->daddr, c->tls, c->sni, &v);
	if (r == 0 && v.status == GATE_DENY) {
		denied(c, &rq, v.reason);
		refuse(c, 403, "Forbidden", v.reason);
	} else if (r == 0 && v.status == GATE_BAD)
		refuse(c, 400, "Bad Request", v.reason);
	else if (r == 0 && (r = forward_head(c, &rq, &v)) < 0)
		c->dead = true;
	if (r < 0)
		c->dead = true;
	gate_verdict_free(&v);
	httpmsg_req_free(&rq);
}

/* Relays body bytes (or a tunnel's) from the client to the upstream. */
static void body(struct hconn *c)
{
	size_t n = hb_n(&c->c.in);
	if (c->rq == RQ_LEN && n > c->rq_left)
		n = (size_t)c->rq_left;
	if (c->rq == RQ_CHUNKED) {
		const char *why = NULL;
		long k = httpmsg_chunked_feed(&c->rq_ch, hb_data(&c->c.in), n, &why);
		if (k < 0) {
			/* part of the request went: the server sees it cut */
			c->dead = true;
			return;
		}
		n = (size_t)k;
	}
	if (hb_move(&c->u.out, &c->c.in, n) < 0) {
		c->dead = true;
		return;
	}
	bool done =
	    (c->rq == RQ_LEN && (c->rq_left -= n) == 0) || (c->rq == RQ_CHUNKED && c->rq_ch.done);
	if (done)
		c->rq = c->rq_upgrade ? RQ_WAIT : RQ_HEAD;
}

static bool requests(struct hconn *c)
{
	bool moved = false;
	while (!c->dead && c->c.hs && hb_n(&c->u.out) < OUT_MAX) {
		size_t before = hb_n(&c->c.in);
		enum rq_state st = c->rq;
		if (st == RQ_HEAD && before && c->nfifo < FIFO_MAX)
			head(c);
		else if ((st == RQ_LEN || st == RQ_CHUNKED || st == RQ_TUNNEL) && before)
			body(c);
		else
			break;
		if (hb_n(&c->c.in) == before && c->rq == st)
			break;
		moved = true;
	}
	return moved;
}

/* ---- responses ----------------------------------------------------------------- */

static void response_done(struct hconn *c, bool close_after)
{
	struct inflight *f = &c->fifo[c->fhead];
	if (f->upgrade && c->rq == RQ_WAIT)
		c->rq = RQ_HEAD; /* not upgraded: requests again */
	c->fhead = (c->fhead + 1) % FIFO_MAX;
	c->nfifo--;
	c->rs = RS_HEAD;
	c->rs_started = false;
	if (close_after) {
		c->closing = true;
		c->rq = RQ_STOP;
	}
	if (c->nfifo == 0 && c->refusal) {
		if (hb_put(&c->c.out, c->refusal, c->refusal_len) < 0)
			c->dead = true;
		free(c->refusal);
		c->refusal = NULL;
		c->closing = true;
	}
}

static void resp_head(struct hconn *c)
{
	if (c->nfifo == 0) {
		c->dead = true; /* the server speaks unasked */
		return;
	}
	struct inflight *f = &c->fifo[c->fhead];
	struct httpmsg_resp rs = {0};
	const char *why = "malformed response";
	int r = httpmsg_head_scan(hb_data(&c->u.in), hb_n(&c->u.in), &c->rs_scanned, &why);
	if (r == 0)
		r = httpmsg_parse_resp(hb_data(&c->u.in), hb_n(&c->u.in), f->method, f->upgrade,
				       &rs, &why);
	if (r == -EAGAIN) {
		if (c->u.eof)
			bad_gateway(c, "the server closed the connection before its response");
		return;
	}
	if (r < 0) {
		char line[200];
		snprintf(line, sizeof(line), "the server's response is malformed: %s", why);
		bad_gateway(c, line);
		return;
	}
	c->rs_scanned = 0;
	if (hb_move(&c->c.out, &c->u.in, rs.head_len) < 0) {
		c->dead = true;
		return;
	}
	c->rs_started = true;
	if (rs.interim) {
		c->rs_started = false;
		return;
	}
	bool close_after = !rs.keep_alive;
	switch (rs.body) {
	case HM_TUNNEL:
		c->nfifo = 0;
		c->rs = RS_TUNNEL;
		c->rq = RQ_TUNNEL;
		break;
	case HM_LENGTH:
		c->rs = RS_LEN;
		c->rs_left = rs.length;
		if (rs.length == 0)
			response_done(c, close_after);
		break;
	case HM_CHUNKED:
		c->rs = RS_CHUNKED;
		httpmsg_chunked_init(&c->rs_ch);
		break;
	case HM_CLOSE:
		c->rs = RS_CLOSE;
		break;
	case HM_NONE:
		response_done(c, close_after);
		break;
	}
	c->rs_close = close_after;
}

/* Relays response body bytes (or a tunnel's) to the client. */
static void resp_body(struct hconn *c)
{
	size_t n = hb_n(&c->u.in);
	if (c->rs == RS_LEN && n > c->rs_left)
		n = (size_t)c->rs_left;
	if (c->rs == RS_CHUNKED) {
		const char *why = NULL;
		long k = httpmsg_chunked_feed(&c->rs_ch, hb_data(&c->u.in), n, &why);
		if (k < 0) {
			c->dead = true;
			return;
		}
		n = (size_t)k;
	}
	if (hb_move(&c->c.out, &c->u.in, n) < 0) {
		c->dead = true;
		return;
	}
	if ((c->rs == RS_LEN && (c->rs_left -= n) == 0) || (c->rs == RS_CHUNKED && c->rs_ch.done))
		response_done(c, c->rs_close);
}

static bool responses(struct hconn *c)
{
	bool moved = false;
	while (!c->dead && hb_n(&c->c.out) < OUT_MAX) {
		size_t before = hb_n(&c->u.in);
		enum rs_state st = c->rs;
		if (st == RS_HEAD && before && !c->closing)
			resp_head(c);
		else if (st != RS_HEAD && before)
			resp_body(c);
		else
			break;
		if (hb_n(&c->u.in) == before && c->rs == st)
			break;
		moved = true;
	}
	return moved;
}

/* ---- ends ---------------------------------------------------------------------- */

/* What the ends of the sides mean.  true when the connection is over. */
static bool ends(struct hconn *c)
{
	struct httpproxy *px = c->px;
	if (c->rs == RS_CLOSE && c->u.eof && hb_n(&c->u.in) == 0)
		response_done(c, true); /* a response delimited by the close */
	if (c->rq == RQ_TUNNEL) {
		/* a tunnel passes each half-close on, and ends with both */
		if (c->c.eof && !hb_n(&c->c.in) && !hb_n(&c->u.out) && !c->u.shut && c->u.hs) {
			(void)shutdown(c->u.fd, SHUT_WR);
			c->u.shut = true;
		}
		if (c->u.eof && !hb_n(&c->u.in) && !hb_n(&c->c.out) && !c->c.shut) {
			(void)shutdown(c->c.fd, SHUT_WR);
			c->c.shut = true;
		}
		return c->c.shut && c->u.shut;
	}
	if (c->u.fd >= 0 && c->u.eof && c->nfifo && !c->closing && c->rs == RS_HEAD &&
	    !hb_n(&c->u.in))
		bad_gateway(c, "the server closed the connection before its response");
	else if (c->u.fd >= 0 && c->u.eof && c->nfifo == 0 && !hb_n(&c->u.out))
		side_close(px, &c->u); /* an idle upstream went: the next request opens another */
	else if (c->u.fd >= 0 && c->u.eof && c->rs != RS_HEAD)
		c->dead = true; /* cut in the middle of a response */
	if (c->closing || c->rq == RQ_STOP)
		return !hb_n(&c->c.out) && (c->closing || c->nfifo == 0);
	/* the client is done and nothing is due to it */
	return c->c.eof && !hb_n(&c->c.in) && c->nfifo == 0 && !hb_n(&c->c.out);
}

/* ---- the loop's side ----------------------------------------------------------- */

/* The client's first byte: 0x16 begins a TLS record (a handshake). */
static void start(struct hconn *c)
{
	unsigned char b;
	ssize_t n = recv(c->c.fd, &b, 1, MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->dead = true;
		return;
	}
	if (b != 0x16) {
		c->c.hs = true;
		c->rq = RQ_HEAD;
		return;
	}
	/* TLS when it is not intercepted: nothing can be checked, and the
	 * proxy cannot even answer in it */
	if (!c->px->tls || !(c->c.ssl = httptls_server(c->px->tls, c->c.fd, c->dtext))) {
		c->dead = true;
		return;
	}
	c->tls = true;
	c->rq = RQ_HS;
}

static uint32_t events_of(const struct hconn *c, const struct hside *s, bool reading)
{
	/* POLLIN and POLLOUT have epoll's values */
	if (s->ssl && s->want)
		return (uint16_t)s->want;
	uint32_t e = 0;
	if (reading && !s->eof)
		e |= EPOLLIN;
	if ((s == &c->u && c->connecting) || (s->hs && hb_n(&s->out)))
		e |= EPOLLOUT;
	return e;
}

static bool client_reads(const struct hconn *c)
{
	return c->rq != RQ_STOP && c->rq != RQ_WAIT && hb_n(&c->u.out) < OUT_MAX;
}

static bool upstream_reads(const struct hconn *c)
{
	return hb_n(&c->c.out) < OUT_MAX;
}

static void conn_free(struct hconn *c)
{
	struct httpproxy *px = c->px;
	side_close(px, &c->c);
	side_close(px, &c->u);
	if (c->prev)
		c->prev->next = c->next;
	else
		px->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	px->nconns--;
	free(c->refusal);
	free(c->sni);
	free(c->up_host);
	free(c);
}

static void pump(struct hconn *c)
{
	for (int round = 0; round < 64 && !c->dead; round++) {
		bool moved = false;
		if (c->rq == RQ_START)
			start(c);
		if (c->connecting)
			up_connected(c);
		moved |= handshakes(c);
		moved |= side_fill(c, &c->c, client_reads(c));
		moved |= requests(c);
		moved |= side_flush(c, &c->u);
		moved |= side_fill(c, &c->u, upstream_reads(c));
		moved |= responses(c);
		moved |= side_flush(c, &c->c);
		if (!c->dead && ends(c))
			c->dead = true;
		if (moved)
			c->deadline = sl_now_ms() + IDLE_MS;
		else
			break;
	}
	if (c->dead) {
		conn_free(c);
		return;
	}
	bool cr = c->rq == RQ_START || c->rq == RQ_HS || client_reads(c);
	if ((c->c.ev && evloop_mod(&c->px->loop, c->c.ev, events_of(c, &c->c, cr)) < 0) ||
	    (c->u.ev &&
	     evloop_mod(&c->px->loop, c->u.ev, events_of(c, &c->u, upstream_reads(c))) < 0))
		conn_free(c);
}

static void on_event(void *arg, int fd, uint32_t events)
{
	struct hconn *c = arg;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
		if (fd == c->c.fd)
			c->c.ready = true;
		else if (fd == c->u.fd)
			c->u.ready = true;
	}
	/* EPOLLHUP and EPOLLERR come whatever events are asked, for as long
	 * as they hold (the loop is level-triggered): a side that reports
	 * them while the connection neither reads nor writes it (its request
	 * waits for an answer, flow control) would wake the loop forever. */
	if (events & (EPOLLHUP | EPOLLERR)) {
		struct hside *s = fd == c->c.fd ? &c->c : &c->u;
		if (s == &c->c && !s->shut) {
			/* the client reset (or closed both ways): nothing can
			 * reach it any more, and what it sent has nobody to
			 * answer */
			c->dead = true;
		} else if (!(s == &c->u && c->connecting)) {
			/* (a failed connect is read by pump first) what it still
			 * holds is read as the other side's events move things;
			 * a write to it fails */
			evloop_del(&c->px->loop, s->ev);
			s->ev = NULL;
		}
	}
	pump(c);
}

int hconn_open(struct httpproxy *px, int fd, const struct sockaddr_storage *dest, socklen_t destlen)
{
	struct hconn *c = calloc(1, sizeof(*c));
	uint16_t port;
	if (!c || netaddr_from_sockaddr(dest, destlen, &c->daddr, &port) < 0) {
		free(c);
		close(fd);
		return -ENOMEM;
	}
	c->px = px;
	c->c.fd = fd;
	c->c.ready = true; /* the request may be there already */
	c->u.fd = -1;
	c->dest = *dest;
	c->destlen = destlen;
	netaddr_format(&c->daddr, c->dtext);
	c->deadline = sl_now_ms() + IDLE_MS;
	int err = 0;
	if (!(c->c.ev = evloop_add(&px->loop, fd, EPOLLIN, on_event, c, &err))) {
		close(fd);
		free(c);
		return err;
	}
	c->next = px->conns;
	if (px->conns)
		px->conns->prev = c;
	px->conns = c;
	px->nconns++;
	return 0;
}

void hconn_close_all(struct httpproxy *px)
{
	while (px->conns)
		conn_free(px->conns);
}

int64_t hconn_next(struct httpproxy *px)
{
	if (!px->conns)
		return -1;
	if (!px->sweep_at)
		px->sweep_at = sl_now_ms() + SWEEP_MS;
	return px->sweep_at;
}

void hconn_sweep(struct httpproxy *px, int64_t now_ms)
{
	px->sweep_at = now_ms + SWEEP_MS;
	for (struct hconn *c = px->conns, *next; c; c = next) {
		next = c->next;
		if (now_ms >= c->deadline)
			conn_free(c);
	}
}
