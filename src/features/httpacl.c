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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "feature.h"
#include "httpproxy.h"
#include "httptls.h"
#include "policy.h"
#include "registry.h"
#include "util.h"

struct httpacl_state {
	struct httpproxy *px;
	char *ca_pem; /* the interception CA's certificate, made at set-up */
	size_t ca_len;
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

int httpacl_ca_pem(struct sl_sup *s, const char **pem, size_t *len)
{
	const struct httpacl_state *st = supervisor_feature_state(s, &feature_httpacl);
	if (!st || !st->ca_pem)
		return -ENOENT;
	*pem = st->ca_pem;
	*len = st->ca_len;
	return 0;
}

/* The CA of HTTPS interception: the policy's; or, for http_inject_ca or
 * http_ca_out, one made now whose key never leaves this process's
 * memory; or none. */
static int tls_of(const struct sandlock_sandbox *p, struct httptls **tls)
{
	*tls = NULL;
	if (p->http_ca)
		return httptls_load(tls, p->http_ca, p->http_key);
	if (p->http_inject_ca.n || p->http_ca_out)
		return httptls_ephemeral(tls);
	return 0;
}

/* http_ca_out: the CA's certificate, written for runtimes that bring
 * their own trust store (the key is never written).  Replaced whole: a
 * temporary file renamed over it, so a reader never sees half of it. */
static int write_ca_out(const char *path, const char *pem, size_t len)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return sl_errorf(ENAMETOOLONG, "http_ca_out: '%s': path too long", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return sl_errorf(errno, "http_ca_out: cannot write beside '%s': %s", path,
				 strerror(errno));
	int r = 0;
	for (size_t off = 0; r == 0 && off < len;) {
		ssize_t n = write(fd, pem + off, len - off);
		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (r == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return sl_errorf(-r, "http_ca_out: cannot write '%s': %s", path, strerror(-r));
	}
	return 0;
}

/* The CA's public certificate, kept for the trust bundles and written
 * to http_ca_out, before the proxy's thread starts (the TLS context is
 * that thread's from then on). */
static int publish_ca(struct httpacl_state *st, const struct sandlock_sandbox *p,
		      struct httptls *tls)
{
	if (!tls || (!p->http_inject_ca.n && !p->http_ca_out))
		return 0;
	int r = httptls_ca_pem(tls, &st->ca_pem, &st->ca_len);
	if (r == 0 && p->http_ca_out)
		r = write_ca_out(p->http_ca_out, st->ca_pem, st->ca_len);
	return r;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct httpacl_state *st = state;
	struct httptls *tls;
	int r = tls_of(env->policy, &tls);
	if (r == 0 && (r = publish_ca(st, env->policy, tls)) < 0)
		httptls_free(tls);
	if (r < 0)
		return r;
	return httpproxy_start(&st->px, env->policy, env->net, tls, &s->denials);
}

static void release(void *state)
{
	struct httpacl_state *st = state;
	httpproxy_stop(st->px);
	st->px = NULL;
	free(st->ca_pem);
	st->ca_pem = NULL;
}

const struct sl_feature feature_httpacl = {
    .name = "http-acl",
    .active = active,
    .state_size = sizeof(struct httpacl_state),
    .init = init,
    .release = release,
};
