/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpacl.h - the HTTP ACL feature (httpacl.c), as the sockets feature
 * reaches it: which connects go to the proxy, and their redirection.
 */
#ifndef SL_HTTPACL_H
#define SL_HTTPACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct sl_sup;
struct sandlock_sandbox;

/* Whether the sandbox's HTTP ACL is on (the policy has HTTP rules or
 * ports): then every TCP connect is made on the supervisor's copy of
 * the socket, so that those to an intercepted port can be redirected. */
bool httpacl_wanted(const struct sandlock_sandbox *policy);

/* For a TCP connect whose destination *to the network policy allowed:
 * when its port is intercepted, binds sock to the loopback, records the
 * destination for the proxy and points *to at the proxy (httpproxy.h).
 * 0 (redirected or not), or -errno, the connect's answer.  The engine's
 * thread. */
int httpacl_redirect(struct sl_sup *s, int sock, int domain, struct sockaddr_storage *to,
		     socklen_t *tolen);

/* The HTTPS interception CA's certificate (PEM, the public part only),
 * as the sandbox's trust bundles get it appended (synthetic.c):
 * *pem points into the feature's state, valid for the sandbox's run.
 * 0, or -ENOENT when the sandbox intercepts no HTTPS.  Any thread. */
int httpacl_ca_pem(struct sl_sup *s, const char **pem, size_t *len);

#endif
