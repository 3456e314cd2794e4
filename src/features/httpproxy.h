/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpproxy.h - the HTTP ACL proxy: a thread of the supervisor's process
 * with an event loop of its own, listening on loopback ports no rule
 * names.
 *
 * The sockets feature redirects the sandbox's TCP connects to the
 * intercepted ports (http_ports) here, after the network policy allowed
 * their destination (httpproxy_redirect): the child's socket is bound to
 * a loopback address of the kernel's choice first, and that address is
 * recorded with the real destination, so the proxy knows each accepted
 * connection's destination from its peer address (a kernel fact), never
 * from what the client sends.  A connection from an address nobody
 * recorded (another host process, or the sandbox connecting to the
 * proxy's port itself) is closed unread: the proxy forwards only what
 * the supervisor decided.
 *
 * Each connection (httpconn.c) is HTTP/1.1, or TLS around it when HTTPS
 * interception is on (httptls.h); each request is decided by the gate
 * (httpgate.h) before a byte of it goes upstream, to the recorded
 * destination only.
 *
 * Why a thread of its own rather than the supervisor's loop: a proxied
 * byte never waits behind a notification (a held connect, a process
 * scan), and a notification never waits behind a TLS handshake or a
 * resolver answer.
 */
#ifndef SL_HTTPPROXY_H
#define SL_HTTPPROXY_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "evloop.h"

struct sandlock_sandbox;
struct sl_netplan;
struct httpgate;
struct httptls;
struct sl_denials;
struct hconn;
struct hexpect;

struct httpproxy {
	struct sl_evloop loop;
	pthread_t thread;
	bool started;
	int wake; /* eventfd: httpproxy_stop */
	bool stop;
	int lfd[2]; /* listening: 127.0.0.1, ::1 (-1 when the host has no ::1) */
	struct sl_ev *lev[2], *wake_ev;
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
	const struct sandlock_sandbox *policy;
	struct httpgate *gate;
	struct httptls *tls;  /* NULL: TLS is not intercepted */
	pthread_mutex_t lock; /* the expectations: the supervisor's thread adds */
	struct hexpect *exp;
	size_t nexp, cap_exp;
	struct hconn *conns; /* the proxy's thread only */
	int64_t sweep_at;    /* the next check of the connections' timeouts */
	size_t nconns;
	size_t conn_max;	    /* nconns at most: the rest are closed at accept */
	bool accept_paused;	    /* an accept failed for want of memory or descriptors */
	struct sl_denials *denials; /* where a refused request is recorded (thread-safe) */
};

/* Starts the proxy for policy (its http rules, ports and credentials)
 * and net (the pinned names); both must outlive it.  tls: the HTTPS
 * interception's CA, or NULL; the proxy owns it from here, also on
 * failure.  denials: where each refused request is recorded (outlives
 * it).  0 or -errno with a message. */
int httpproxy_start(struct httpproxy **out, const struct sandlock_sandbox *policy,
		    const struct sl_netplan *net, struct httptls *tls, struct sl_denials *denials);
/* Stops the thread, closes every connection.  Accepts NULL. */
void httpproxy_stop(struct httpproxy *px);

/* Whether a TCP connect to port is intercepted. */
bool httpproxy_intercepts(const struct httpproxy *px, uint16_t port);

/* Redirects a connect: sock (the supervisor's duplicate of the child's
 * TCP socket, of family domain) is bound to a loopback address if it is
 * not bound yet, that address is recorded as going to *to (the decided
 * destination), and *to becomes the proxy's address for the socket
 * (an IPv6 socket that takes IPv4 reaches 127.0.0.1 as ::ffff:127.0.0.1).
 * 0 or -errno (the connect's answer). */
int httpproxy_redirect(struct httpproxy *px, int sock, int domain, struct sockaddr_storage *to,
		       socklen_t *tolen);

/* For httpconn.c: the recorded destination of a connection accepted from
 * peer, taken out of the record.  0, or -ENOENT. */
int httpproxy_claim(struct httpproxy *px, const struct sockaddr_storage *peer,
		    struct sockaddr_storage *dest, socklen_t *destlen);

#endif
