/* SPDX-License-Identifier: Apache-2.0 */
/* httpgate.c - the HTTP ACL proxy's decision on one request (httpgate.h). */
#include "httpgate.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "httpmsg.h"
#include "httprule.h"
#include "netaddr.h"
#include "netplan.h"
#include "policy.h"
#include "util.h"

#define DNS_TTL_MS    30000
#define DNS_CACHE_MAX 256
/* the 0.8.0 body's words, then which rule */
#define ACL "Blocked by sandlock HTTP ACL policy: "

struct gate_pin {
	char *name;
	struct sl_net_addr addr;
};

/* A resolver answer, kept DNS_TTL_MS. */
struct gate_dns {
	char *name;
	struct sl_net_addr *addrs;
	size_t n;
	int64_t until;
};

struct httpgate {
	const struct sandlock_sandbox *p;
	struct gate_pin *pins;
	size_t npins;
	struct gate_dns *dns;
	size_t ndns;
};

int httpgate_new(struct httpgate **out, const struct sandlock_sandbox *policy,
		 const struct sl_netplan *net)
{
	struct httpgate *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->p = policy;
	g->pins = calloc(net->npins ? net->npins : 1, sizeof(*g->pins));
	if (!g->pins) {
		free(g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < net->npins; i++) {
		struct gate_pin *gp = &g->pins[g->npins];
		if (netaddr_parse(net->pins[i].addr, 0, &gp->addr) != NETADDR_OK)
			continue; /* netplan writes only addresses it parsed */
		netaddr_canon(&gp->addr);
		if (!(gp->name = strdup(net->pins[i].name))) {
			httpgate_free(g);
			return -ENOMEM;
		}
		g->npins++;
	}
	*out = g;
	return 0;
}

static void dns_free(struct gate_dns *d)
{
	free(d->name);
	free(d->addrs);
}

void httpgate_free(struct httpgate *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->npins; i++)
		free(g->pins[i].name);
	for (size_t i = 0; i < g->ndns; i++)
		dns_free(&g->dns[i]);
	free(g->pins);
	free(g->dns);
	free(g);
}

void gate_verdict_free(struct gate_verdict *v)
{
	if (!v)
		return;
	if (v->add) {
		explicit_bzero(v->add, strlen(v->add));
		free(v->add);
	}
	v->add = NULL;
	v->drop = NULL;
}

/* ---- the host ------------------------------------------------------------------ */

/* The resolver's addresses for name, from the cache or asked now (the
 * proxy's thread waits for it: a name no rule pins is the rare case).
 * NULL when it does not resolve. */
static const struct gate_dns *resolve(struct httpgate *g, const char *name)
{
	int64_t now = sl_now_ms();
	for (size_t i = 0; i < g->ndns; i++)
		if (strcmp(g->dns[i].name, name) == 0) {
			if (g->dns[i].until > now)
				return &g->dns[i];
			dns_free(&g->dns[i]);
			g->dns[i--] = g->dns[--g->ndns];
		}
	/* a failure is kept too (no address): the proxy's thread waits for
	 * the resolver, and a name that does not resolve (a deny rule's,
	 * checked against every request naming an address) would make it
	 * wait at every request */
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		res = NULL;
	struct gate_dns d = {.name = strdup(name), .until = now + DNS_TTL_MS};
	size_t cap = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		cap++;
	d.addrs = calloc(cap ? cap : 1, sizeof(*d.addrs));
	for (struct addrinfo *ai = res; d.addrs && ai; ai = ai->ai_next) {
		uint16_t port;
		if (netaddr_from_sockaddr(ai->ai_addr, ai->ai_addrlen, &d.addrs[d.n], &port) == 0)
			d.n++;
	}
	if (res)
		freeaddrinfo(res);
	if (!d.name || !d.addrs || (g->ndns == DNS_CACHE_MAX)) {
		/* no room to keep it: the oldest entry goes */
		if (d.name && d.addrs && g->ndns) {
			dns_free(&g->dns[0]);
			g->dns[0] = g->dns[--g->ndns];
		} else {
			dns_free(&d);
			return NULL;
		}
	}
	struct gate_dns *v = realloc(g->dns, (g->ndns + 1) * sizeof(*v));
	if (!v) {
		dns_free(&d);
		return NULL;
	}
	g->dns = v;
	v[g->ndns] = d;
	return &v[g->ndns++];
}

/* Is host (lower-case, no port, no brackets) an address, or the
 * loopback's name: a request naming it names the destination itself,
 * not one of the sites served there? */
static bool names_address(const char *host)
{
	struct sl_net_addr a;
	return strcmp(host, "localhost") == 0 || netaddr_parse(host, 0, &a) == NETADDR_OK;
}

/* Is host (lower-case, no port, no brackets) the address dest, as far as
 * known without a resolver: 1 yes, 0 no, -1 a name to resolve. */
static int host_known(struct httpgate *g, const char *host, const struct sl_net_addr *dest)
{
	struct sl_net_addr a;
	if (netaddr_parse(host, 0, &a) == NETADDR_OK) {
		netaddr_canon(&a);
		return netaddr_equal(&a, dest);
	}
	/* the sandbox's /etc/hosts: localhost, then the pinned names; a
	 * pinned name is only what it is pinned to */
	if (strcmp(host, "localhost") == 0) {
		static const uint8_t v6[16] = {[15] = 1};
		return dest->family == AF_INET ? dest->addr[0] == 127
					       : memcmp(dest->addr, v6, 16) == 0;
	}
	bool pinned = false;
	for (size_t i = 0; i < g->npins; i++) {
		if (strcasecmp(g->pins[i].name, host) != 0)
			continue;
		pinned = true;
		if (netaddr_equal(&g->pins[i].addr, dest))
			return 1;
	}
	return pinned ? 0 : -1;
}

/* Is host the address dest, asking the resolver when nothing else
 * knows? */
static bool host_is_dest(struct httpgate *g, const char *host, const struct sl_net_addr *dest)
{
	int k = host_known(g, host, dest);
	if (k >= 0)
		return k;
	const struct gate_dns *d = resolve(g, host);
	for (size_t i = 0; d && i < d->n; i++)
		if (netaddr_equal(&d->addrs[i], dest))
			return true;
	return false;
}

/* ---- the rules ----------------------------------------------------------------- */

static void deny(struct gate_verdict *v, enum gate_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void deny(struct gate_verdict *v, enum gate_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	v->status = st;
}

/* Does the deny rule r speak of the connection's destination dest under
 * another name than the request's host?  A rule naming an address
 * speaks of it whatever the request calls it; a rule naming a host
 * speaks of a request that names only the address (an IP literal, an
 * IPv4-mapped one, "localhost") when that host is the address: else
 * spelling the destination otherwise would slip past the rule. */
static bool deny_names_dest(struct httpgate *g, const struct sl_http_rule *r, const char *host,
			    const struct sl_net_addr *dest)
{
	struct sl_net_addr a;
	if (strcmp(r->host, "*") == 0)
		return false; /* it matched any host already */
	if (netaddr_parse(r->host, 0, &a) == NETADDR_OK) {
		netaddr_canon(&a);
		return netaddr_equal(&a, dest);
	}
	return names_address(host) && host_is_dest(g, r->host, dest);
}

/* The readings of a path the rules are checked on (the first as sent). */
#define READINGS 8

/* Is a deny rule matched by the request on one of its readings? */
static bool denied_on(struct httpgate *g, const struct sl_http_rule *r,
		      const struct httpmsg_req *rq, char *const *paths, size_t n,
		      const struct sl_net_addr *dest)
{
	for (size_t k = 0; k < n; k++)
		/* the rule's own host stands for the request's when both
		 * name the destination */
		if (httprule_match(r, rq->method, rq->host, paths[k]) ||
		    (httprule_match(r, rq->method, r->host, paths[k]) &&
		     deny_names_dest(g, r, rq->host, dest)))
			return true;
	return false;
}

/* The rules' verdict on (method, host, path) for each reading of the
 * path: a deny rule on any of them first, then an allow rule for each.
 * The rule that decided is named in the reason. */
static void rules_check(struct httpgate *g, const struct httpmsg_req *rq, char *const *paths,
			size_t n, const struct sl_net_addr *dest, struct gate_verdict *v)
{
	const struct sandlock_sandbox *p = g->p;
	const struct sl_http_rule *deny_rules = p->http_rules + p->n_http_allow;
	for (size_t i = 0; i < p->n_http_deny; i++)
		if (denied_on(g, &deny_rules[i], rq, paths, n, dest)) {
			deny(v, GATE_DENY, ACL "denied by the http_deny rule '%s'",
			     p->http_deny.v[i]);
			return;
		}
	if (!p->n_http_allow)
		return;
	for (size_t k = 0; k < n; k++) {
		bool allowed = false;
		for (size_t i = 0; i < p->n_http_allow && !allowed; i++)
			allowed = httprule_match(&p->http_rules[i], rq->method, rq->host, paths[k]);
		if (!allowed) {
			deny(v, GATE_DENY, ACL "no http_allow rule matches %.31s %.120s%.160s",
			     rq->method, rq->host, paths[k]);
			return;
		}
	}
}

/* The path as servers of another family read it: each segment's
 * ";parameters" dropped (Tomcat, Jetty, Spring: "..;" is ".."), and/or
 * "%5C" taken for "/" (servers that take a backslash for a slash).
 * malloc'd, or NULL. */
static char *path_reading(const char *path, bool params, bool backslash)
{
	char *o = malloc(strlen(path) + 1);
	size_t ol = 0;
	if (!o)
		return NULL;
	for (const char *q = path; *q;) {
		bool bs = backslash && q[0] == '%' && q[1] == '5' && (q[2] == 'c' || q[2] == 'C');
		if (bs) {
			o[ol++] = '/';
			q += 3;
		} else if (params && *q == ';') {
			while (*q && *q != '/' &&
			       !(backslash && q[0] == '%' && q[1] == '5' &&
				 (q[2] == 'c' || q[2] == 'C')))
				q++;
		} else {
			o[ol++] = *q++;
		}
	}
	o[ol] = 0;
	return o;
}

/* path with each "%25" that begins another escape made "%": what a
 * server that decodes twice (or sits behind a proxy that decoded once)
 * decodes the second time.  malloc'd, or NULL. */
static char *undouble(const char *path)
{
	char *o = malloc(strlen(path) + 1);
	size_t ol = 0;
	if (!o)
		return NULL;
	for (const char *q = path; *q;) {
		o[ol++] = *q;
		if (q[0] == '%' && q[1] == '2' && q[2] == '5' && isxdigit((unsigned char)q[3]) &&
		    isxdigit((unsigned char)q[4]))
			q += 3;
		else
			q++;
	}
	o[ol] = 0;
	return o;
}

/* Normalizes the readings of path into paths (*n of them): as sent, and
 * when it holds what servers read otherwise, decoded twice, with
 * parameters dropped, with backslashes for slashes, and each
 * combination.  0, -ENOMEM, or -EINVAL (a NUL byte encoded). */
static int readings(const char *path, char **paths, size_t *n)
{
	*n = 0;
	for (int k = 0; k < READINGS; k++) {
		bool params = k & 1, backslash = k & 2, twice = k & 4;
		if (twice && !strstr(path, "%25"))
			continue;
		char *base = twice ? undouble(path) : NULL;
		if (twice && !base)
			return -ENOMEM;
		const char *b = twice ? base : path;
		if ((params && !strchr(b, ';')) || (backslash && !strcasestr(b, "%5c"))) {
			free(base);
			continue;
		}
		char *raw = params || backslash ? path_reading(b, params, backslash) : NULL;
		int r = (params || backslash) && !raw
			    ? -ENOMEM
			    : httprule_normalize_path(raw ? raw : b, false, &paths[*n]);
		free(raw);
		free(base);
		if (r < 0)
			return r;
		(*n)++;
	}
	return 0;
}

static void host_mismatch(struct gate_verdict *v, const char *host, const struct sl_net_addr *dest)
{
	char a[NETADDR_STRLEN];
	netaddr_format(dest, a);
	deny(v, GATE_DENY,
	     "Blocked by sandlock: Host header does not match connection destination "
	     "('%.200s' is not %s)",
	     host, a);
}

/* Is host (the request's, checked to be the destination) the http_auth
 * host a names?  Names compare without case, addresses as addresses. */
static bool auth_host(const struct sl_http_auth *a, const char *host)
{
	struct sl_net_addr x, y;
	if (netaddr_parse(a->host, 0, &x) == NETADDR_OK &&
	    netaddr_parse(host, 0, &y) == NETADDR_OK) {
		netaddr_canon(&x);
		netaddr_canon(&y);
		return netaddr_equal(&x, &y);
	}
	return strcasecmp(a->host, host) == 0;
}

/* An allowed request's credential (http_auth): over TLS only, where the
 * host is the name the server's certificate was verified for, so a
 * secret goes to that origin and no other: not in clear text, not to a
 * host the client names while connected elsewhere (refused before), not
 * after a redirect (the next request names the other host).  The
 * client's own header of that name is dropped.  Never on TRACE: its
 * answer is the request as the server got it, the secret with it, read
 * by the sandbox (the request goes as the client wrote it). */
static int credential(struct httpgate *g, const struct httpmsg_req *rq, bool tls,
		      struct gate_verdict *v)
{
	const struct sandlock_sandbox *p = g->p;
	bool trace = strcmp(rq->method, "TRACE") == 0;
	for (size_t i = 0; tls && !trace && i < p->n_http_auths; i++) {
		const struct sl_http_auth *a = &p->http_auths[i];
		if (!auth_host(a, rq->host))
			continue;
		int n = a->header ? asprintf(&v->add, "%s: %.*s", a->header, (int)a->cred->len,
					     a->cred->secret)
				  : asprintf(&v->add, "Authorization: Bearer %.*s",
					     (int)a->cred->len, a->cred->secret);
		if (n < 0) {
			v->add = NULL;
			return -ENOMEM;
		}
		v->drop = a->header ? a->header : "Authorization";
		return 0;
	}
	return 0;
}

int httpgate_check(struct httpgate *g, const struct httpmsg_req *rq, const struct sl_net_addr *dest,
		   bool tls, const char *sni, struct gate_verdict *v)
{
	*v = (struct gate_verdict){.status = GATE_ALLOW};
	if (!rq->host) {
		deny(v, GATE_DENY, ACL "the request names no host");
		return 0;
	}
	/* a standard method in another case ("head"): the rules ignore case,
	 * servers differ (one folds it, one answers 501), and so would the
	 * framing of its response (a HEAD's has no body): the proxy and the
	 * server would read the responses out of step */
	static const char *const std_methods[] = {"GET",     "HEAD",	"POST",	 "PUT",	 "DELETE",
						  "CONNECT", "OPTIONS", "TRACE", "PATCH"};
	for (size_t i = 0; i < sizeof(std_methods) / sizeof(std_methods[0]); i++)
		if (!strcasecmp(rq->method, std_methods[i]) && strcmp(rq->method, std_methods[i])) {
			deny(v, GATE_BAD, "Bad request: the method '%.31s' is not in upper case",
			     rq->method);
			return 0;
		}
	/* a GET's or HEAD's content has no meaning (RFC 9110 9.3.1), and
	 * servers that ignore it read it as the next request, one nobody
	 * decided: refused, as the RFC allows for this very reason */
	if ((!strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD")) &&
	    (rq->body == HM_CHUNKED || (rq->body == HM_LENGTH && rq->length))) {
		deny(v, GATE_BAD,
		     "Bad request: a %.31s request with a body (a server that ignores it would "
		     "read it as another request)",
		     rq->method);
		return 0;
	}
	/* over TLS the host is the name the upstream certificate is checked
	 * for: the client's SNI, or with none the address itself */
	struct sl_net_addr lit;
	if (tls && !sni && netaddr_parse(rq->host, 0, &lit) != NETADDR_OK) {
		deny(v, GATE_DENY,
		     ACL "the TLS handshake gave no server name (SNI): only the address itself "
			 "may be asked for, not '%.200s'",
		     rq->host);
		return 0;
	}
	if (tls && sni && strcmp(sni, rq->host) != 0) {
		deny(v, GATE_DENY, ACL "the host '%.200s' is not the TLS server name '%.200s'",
		     rq->host, sni);
		return 0;
	}
	/* a name only a resolver knows is asked about once the rules let
	 * the request go: the sandbox must not have the supervisor send DNS
	 * queries of its choosing (past the network policy) */
	int known = host_known(g, rq->host, dest);
	if (known == 0) {
		host_mismatch(v, rq->host, dest);
		return 0;
	}
	char *paths[READINGS] = {0};
	size_t n = 0;
	int r = readings(rq->path, paths, &n);
	if (r == 0)
		rules_check(g, rq, paths, n, dest, v);
	else if (r == -EINVAL)
		deny(v, GATE_BAD,
		     "Bad request: the path cannot be checked (it decodes to a NUL byte)");
	for (size_t k = 0; k < READINGS; k++)
		free(paths[k]);
	if (r == -ENOMEM)
		return r;
	if (v->status == GATE_ALLOW && known < 0 && !host_is_dest(g, rq->host, dest))
		host_mismatch(v, rq->host, dest);
	return v->status == GATE_ALLOW ? credential(g, rq, tls, v) : 0;
}

/* The value of the first field named name in a parsed head, its length
 * in *n; NULL when absent. */
static const char *field(const char *head, size_t len, const char *name, size_t *n)
{
	size_t nl = strlen(name);
	const char *end = head + len;
	for (const char *p = memmem(head, len, "\r\n", 2); p && p + 2 < end;
	     p = memmem(p + 2, (size_t)(end - p - 2), "\r\n", 2)) {
		const char *l = p + 2;
		if ((size_t)(end - l) > nl && strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
			const char *v = l + nl + 1, *e = memmem(v, (size_t)(end - v), "\r\n", 2);
			*n = (size_t)((e ? e : end) - v);
			return v;
		}
	}
	return NULL;
}

bool httpgate_upgrade_ok(const char *head, size_t head_len, char *what, size_t cap)
{
	size_t n = 0;
	const char *v = field(head, head_len, "upgrade", &n);
	for (size_t i = 0; v && i < n;) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t b = i;
		while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		if (i == b)
			continue;
		if (i - b != 9 || strncasecmp(v + b, "websocket", 9) != 0) {
			snprintf(what, cap, "%.*s", (int)(i - b), v + b);
			return false;
		}
	}
	return true;
}
