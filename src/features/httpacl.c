/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpacl.c - http_allow, http_deny, http_ports and HTTPS interception:
 * the proxy's life (httpproxy.h), one per sandbox, from the start to the
 * end of its run.
 *
 * The feature notifies nothing of its own: the sockets feature
 * (unixsock.c) makes every TCP connect of a sandbox with an HTTP ACL on
 * its copy of the socket, and hands the ones to an intercepted port to
 * httpacl_redirect once the network policy allowed their destination.
 * The policy's HTTP rules already put their hosts (and ports) into the
 * network policy at build time, so a request can only go where net_allow
 * lets the connection go, and only as the HTTP rules let the request.
 */
#include "httpacl.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "error.h"
#include "feature.h"
#include "httpproxy.h"
#include "httptls.h"
#include "policy.h"
#include "registry.h"
#include "util.h"

struct httpacl_state {
	struct httpproxy *px;
};

bool httpacl_wanted(const struct sandlock_sandbox *policy)
{
	return policy->http_ports.n > 0;
}

static bool active(const struct sl_feature_env *env)
{
	return httpacl_wanted(env->policy);
}

int httpacl_redirect(struct sl_sup *s, int sock, int domain, struct sockaddr_storage *to,
		     socklen_t *tolen)
{
	struct httpacl_state *st = supervisor_feature_state(s, &feature_httpacl);
	if (!st)
		return 0;
	socklen_t need = to->ss_family == AF_INET    ? sizeof(struct sockaddr_in)
			 : to->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						     : 0;
	if (!need || *tolen < need)
		return 0; /* not an address the kernel connects to */
	/* sin_port and sin6_port are both at offset 2 */
	uint16_t port = ntohs(((struct sockaddr_in *)to)->sin_port);
	if (!httpproxy_intercepts(st->px, port))
		return 0;
	return httpproxy_redirect(st->px, sock, domain, to, tolen);
}

/* The CA of HTTPS interception: the policy's, or none. */
static int tls_of(const struct sandlock_sandbox *p, struct httptls **tls)
{
	*tls = NULL;
	if (p->http_ca)
		return httptls_load(tls, p->http_ca, p->http_key);
	return 0;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)s;
	(void)proc_off;
	struct httpacl_state *st = state;
	struct httptls *tls;
	int r = tls_of(env->policy, &tls);
	if (r < 0)
		return r;
	return httpproxy_start(&st->px, env->policy, env->net, tls);
}

static void release(void *state)
{
	struct httpacl_state *st = state;
	httpproxy_stop(st->px);
	st->px = NULL;
}

const struct sl_feature feature_httpacl = {
    .name = "http-acl",
    .active = active,
    .state_size = sizeof(struct httpacl_state),
    .init = init,
    .release = release,
};
