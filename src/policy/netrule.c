/* SPDX-License-Identifier: Apache-2.0 */
/* netrule.c - the net_allow / net_deny rule grammar (see netrule.h). */
#include "netrule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "netaddr.h"
#include "policy.h"
#include "portset.h"

/* A host name longer than DNS allows cannot resolve: refused here with a
 * clear message, and it bounds what the resolution step is handed. */
#define HOSTNAME_MAX 253

static const struct {
	const char *name;
	enum sl_proto proto;
} schemes[] = {
    {"tcp", SL_PROTO_TCP},
    {"udp", SL_PROTO_UDP},
    {"icmp", SL_PROTO_ICMP},
};

/* What names an error: the list and the rule as the user wrote it. */
struct where {
	const char *list, *spec;
};

/* Records "<list>: '<spec>': <reason>" and returns -EINVAL. */
__attribute__((format(printf, 2, 3))) static int bad(const struct where *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sl_error_value(w->list, w->spec, fmt, ap);
	va_end(ap);
	return r;
}

/* An address or range; text is what the user wrote for it (for the
 * messages), s the same without brackets. */
static int parse_addr(const struct where *w, const char *text, const char *s, int family,
		      struct sl_net_rule *out)
{
	char net[NETADDR_STRLEN];
	switch (netaddr_parse(s, family, &out->addr)) {
	case NETADDR_OK:
		out->target = SL_TARGET_ADDR;
		return 0;
	case NETADDR_BAD_PREFIX:
		return bad(w, "invalid prefix length in '%s' (0-%d)", text,
			   out->addr.family == AF_INET ? 32 : 128);
	case NETADDR_HOST_BITS:
		netaddr_format(&out->addr, net);
		return bad(w, "'%s' has bits set past its prefix length (the range is %s)", text,
			   net);
	default:
		if (family == AF_INET6 && text[0] == '[')
			return bad(w, "'%s' is not an IPv6 address", text);
		if (family == AF_INET6)
			return bad(w, "invalid host '%s' (write IPv6 addresses as [addr]:port)",
				   text);
		if (strchr(text, '/'))
			return bad(w, "invalid host '%s' (a range is written a.b.c.d/N)", text);
		return bad(w, "invalid host '%s'", text);
	}
}

/* A hostname: anything that cannot name a host (white space, '/',
 * brackets, partial wildcards) is refused here rather than failing later
 * at resolution with a vaguer message. */
static int parse_name(const struct where *w, const char *host, struct sl_net_rule *out)
{
	if (strchr(host, '*'))
		return bad(w, "host wildcards like '%s' are not supported (use '*' for any host)",
			   host);
	for (const char *p = host; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '/' || *p == '[' || *p == ']' || *p == 0x7f)
			return bad(w, "invalid host '%s'", host);
	if (strlen(host) > HOSTNAME_MAX)
		return bad(w, "host name longer than %d characters", HOSTNAME_MAX);
	/* getaddrinfo reads these with inet_aton, which takes octal, hex and
	 * short forms: the rule would name another address than it shows */
	struct in_addr a;
	char shown[INET_ADDRSTRLEN];
	if (inet_aton(host, &a) && inet_ntop(AF_INET, &a, shown, sizeof(shown)))
		return bad(w, "'%s' reads as the address %s (write IPv4 addresses as a.b.c.d)",
			   host, shown);
	out->target = SL_TARGET_NAME;
	out->host = strdup(host);
	return out->host ? 0 : -ENOMEM;
}

/* The target of a rule: "" and "*" any address, "[...]" IPv6, text with a
 * ':' IPv6 too, with a '/' or an IPv4 literal IPv4, anything else a name. */
static int parse_target(const struct where *w, char *host, struct sl_net_rule *out)
{
	out->target = SL_TARGET_ANY;
	if (!*host || strcmp(host, "*") == 0)
		return 0;
	if (host[0] == '[') {
		char *rb = strchr(host, ']');
		if (!rb)
			return bad(w, "unbalanced '[' in host '%s'", host);
		if (rb[1])
			return bad(w, "unexpected '%s' after ']' in host '%s'", rb + 1, host);
		char *inner = strndup(host + 1, (size_t)(rb - host - 1));
		if (!inner)
			return -ENOMEM;
		int r = parse_addr(w, host, inner, AF_INET6, out);
		free(inner);
		return r;
	}
	if (strchr(host, ':'))
		return parse_addr(w, host, host, AF_INET6, out);
	struct sl_net_addr a;
	if (strchr(host, '/') || netaddr_parse(host, AF_INET, &a) != NETADDR_BAD_ADDR)
		return parse_addr(w, host, host, AF_INET, out);
	return parse_name(w, host, out);
}

static int parse_tcp_udp(const struct where *w, char *body, struct sl_net_rule *out)
{
	char *colon = strrchr(body, ':');
	const char *rb = body[0] == '[' ? strchr(body, ']') : NULL;
	/* "[::1]" has colons but no port: the last one is inside brackets */
	if (!colon || (rb && colon < rb))
		return bad(w, "expected host:port or :port");
	*colon = 0;
	int r = parse_target(w, sl_trim(body), out);
	if (r < 0)
		return r;
	return portset_parse(w->list, w->spec, colon + 1, false, &out->ports);
}

static int parse_icmp(const struct where *w, char *body, struct sl_net_rule *out)
{
	if (!*body)
		return bad(w, "icmp rule needs a host or '*'");
	const char *after = body;
	if (body[0] == '[') {
		const char *rb = strchr(body, ']');
		after = rb ? rb + 1 : body + strlen(body);
	}
	if (strchr(after, ':'))
		return bad(w, "icmp rules take no port (write IPv6 addresses as [addr])");
	return parse_target(w, body, out);
}

/* Splits "scheme://" off body: the protocol, and body moved past it. */
static int parse_scheme(const struct where *w, char **body, enum sl_proto *proto)
{
	char *sep = strstr(*body, "://");
	*proto = SL_PROTO_TCP;
	if (!sep)
		return 0;
	*sep = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(schemes); i++) {
		if (strcmp(*body, schemes[i].name) == 0) {
			*proto = schemes[i].proto;
			*body = sep + 3;
			return 0;
		}
	}
	return bad(w, "unknown scheme '%s' (use tcp://, udp:// or icmp://)", *body);
}

int netrule_parse(const char *list, const char *spec, struct sl_net_rule *out)
{
	const struct where w = {list, spec};
	*out = (struct sl_net_rule){0};
	if (!spec)
		return sl_errorf(EINVAL, "%s: rule is NULL", list);
	char *copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	char *body = sl_trim(copy);
	int r = parse_scheme(&w, &body, &out->proto);
	if (r == 0 && out->proto == SL_PROTO_ICMP)
		r = parse_icmp(&w, sl_trim(body), out);
	else if (r == 0)
		r = parse_tcp_udp(&w, sl_trim(body), out);
	free(copy);
	if (r < 0)
		netrule_free(out);
	return r;
}

int netrule_set_host(struct sl_net_rule *r, const char *host)
{
	free(r->host);
	r->host = NULL;
	r->target = SL_TARGET_ANY;
	if (!host || !*host || strcmp(host, "*") == 0)
		return 0;
	size_t n = strlen(host);
	bool brackets = n >= 2 && host[0] == '[' && host[n - 1] == ']';
	char *bare = brackets ? strndup(host + 1, n - 2) : strdup(host);
	if (!bare)
		return -ENOMEM;
	struct sl_net_addr a;
	/* no '/' in a host: only a plain address can come out OK */
	if (!strchr(bare, '/') && netaddr_parse(bare, 0, &a) == NETADDR_OK) {
		r->target = SL_TARGET_ADDR;
		r->addr = a;
		free(bare);
		return 0;
	}
	free(bare);
	r->target = SL_TARGET_NAME;
	r->host = strdup(host);
	return r->host ? 0 : -ENOMEM;
}

int netrule_format(const struct sl_net_rule *r, char **out)
{
	static const char *const names[] = {"tcp", "udp", "icmp"};
	char addr[NETADDR_STRLEN], *ports = NULL;
	const char *host = "*", *lb = "", *rb = "";
	*out = NULL;
	if (r->target == SL_TARGET_NAME && r->host) {
		host = r->host;
	} else if (r->target == SL_TARGET_ADDR) {
		netaddr_format(&r->addr, addr);
		host = addr;
		if (r->addr.family == AF_INET6)
			lb = "[", rb = "]";
	}
	const char *scheme = (unsigned)r->proto < SL_ARRAY_SIZE(names) ? names[r->proto] : "?";
	if (r->proto != SL_PROTO_ICMP && portset_format(&r->ports, &ports) < 0)
		return -ENOMEM;
	int n = asprintf(out, "%s://%s%s%s%s%s", scheme, lb, host, rb, ports ? ":" : "",
			 ports ? ports : "");
	free(ports);
	if (n < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

bool netrule_equal(const struct sl_net_rule *a, const struct sl_net_rule *b)
{
	if (a->proto != b->proto || a->target != b->target || !portset_equal(&a->ports, &b->ports))
		return false;
	if (a->target == SL_TARGET_ADDR)
		return netaddr_equal(&a->addr, &b->addr);
	if (a->target == SL_TARGET_NAME)
		return a->host && b->host && strcmp(a->host, b->host) == 0;
	return true;
}

int netrule_copy(struct sl_net_rule *dst, const struct sl_net_rule *src)
{
	*dst = *src;
	dst->host = NULL;
	dst->ports = (struct sl_portset){0};
	if (src->host && !(dst->host = strdup(src->host)))
		return -ENOMEM;
	if (portset_copy(&dst->ports, &src->ports) < 0) {
		netrule_free(dst);
		return -ENOMEM;
	}
	return 0;
}

void netrule_free(struct sl_net_rule *r)
{
	if (!r)
		return;
	free(r->host);
	portset_free(&r->ports);
	*r = (struct sl_net_rule){0};
}
