/* SPDX-License-Identifier: Apache-2.0 */
/* netrule.c - the net_allow rule grammar (see netrule.h). */
#include "netrule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "policy.h"

static const struct {
	const char *name;
	enum sl_proto proto;
} schemes[] = {
    {"tcp", SL_PROTO_TCP},
    {"udp", SL_PROTO_UDP},
    {"icmp", SL_PROTO_ICMP},
};

/* Records "net_allow: '<spec>': <reason>" and returns -EINVAL. */
__attribute__((format(printf, 2, 3))) static int bad(const char *spec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sl_error_value("net_allow", spec, fmt, ap);
	va_end(ap);
	return r;
}

static bool is_ipv6(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET6, s, buf) == 1;
}

/*
 * Host part of a rule.  "" and "*" mean any IP (*out = NULL).  "[addr]" must
 * hold an IPv6 literal and loses its brackets.  Anything that cannot name a
 * host (spaces, '/', partial wildcards, stray brackets) is refused here
 * rather than failing later at resolution with a vaguer message.
 */
static int parse_host(const char *spec, char *host, char **out)
{
	*out = NULL;
	if (!*host || strcmp(host, "*") == 0)
		return 0;
	size_t n = strlen(host);
	if (host[0] == '[') {
		if (host[n - 1] != ']')
			return bad(spec, "unbalanced '[' in host '%s'", host);
		host[n - 1] = 0;
		host++;
		if (!is_ipv6(host))
			return bad(spec, "'[%s]' is not an IPv6 address", host);
	} else if (strchr(host, ':')) {
		/* "::1:80" splits into "::1" and 80, as in 0.8.0; anything
		 * else with a colon is a mistake. */
		if (!is_ipv6(host))
			return bad(spec, "invalid host '%s' (write IPv6 addresses as [addr]:port)",
				   host);
	} else if (strchr(host, '*')) {
		return bad(spec,
			   "host wildcards like '%s' are not supported (use '*' for any host)",
			   host);
	} else {
		for (const char *p = host; *p; p++)
			if ((unsigned char)*p <= ' ' || *p == '/' || *p == '[' || *p == ']' ||
			    *p == 0x7f)
				return bad(spec, "invalid host '%s'", host);
	}
	*out = strdup(host);
	return *out ? 0 : -ENOMEM;
}

/* One port: "*" (sets *star), or 1-65535. */
static int parse_port(const char *spec, const char *s, bool *star, struct sl_u32v *ports)
{
	if (strcmp(s, "*") == 0) {
		*star = true;
		return 0;
	}
	if (!*s)
		return bad(spec, "invalid port ''");
	uint32_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return bad(spec, "invalid port '%s'", s);
		if (v <= 65535)
			v = v * 10 + (uint32_t)(*p - '0');
	}
	if (v == 0)
		return bad(spec, "port 0 is not valid");
	if (v > 65535)
		return bad(spec, "port %s is out of range (1-65535)", s);
	return sl_u32v_push(ports, v);
}

static int parse_ports(const char *spec, char *list, struct sl_net_rule *out)
{
	bool star = false;
	char *save = NULL;
	/* strtok_r would merge empty fields; walk the commas by hand. */
	for (char *p = list;; p = save + 1) {
		save = strchr(p, ',');
		if (save)
			*save = 0;
		int r = parse_port(spec, sl_trim(p), &star, &out->ports);
		if (r < 0)
			return r;
		if (!save)
			break;
	}
	if (star && out->ports.n > 0)
		return bad(spec, "cannot mix '*' with port numbers");
	out->all_ports = star;
	sl_u32v_sort_unique(&out->ports);
	return 0;
}

static int parse_tcp_udp(const char *spec, char *body, struct sl_net_rule *out)
{
	body = sl_trim(body);
	char *colon = strrchr(body, ':');
	const char *rb = body[0] == '[' ? strchr(body, ']') : NULL;
	/* "[::1]" has colons but no port: the last one is inside brackets */
	if (!colon || (rb && colon < rb))
		return bad(spec, "expected host:port or :port");
	*colon = 0;
	int r = parse_host(spec, sl_trim(body), &out->host);
	if (r < 0)
		return r;
	return parse_ports(spec, colon + 1, out);
}

static int parse_icmp(const char *spec, char *body, struct sl_net_rule *out)
{
	body = sl_trim(body);
	if (!*body)
		return bad(spec, "icmp rule needs a host or '*'");
	const char *after = body;
	if (body[0] == '[') {
		const char *rb = strchr(body, ']');
		after = rb ? rb + 1 : body + strlen(body);
	}
	if (strchr(after, ':'))
		return bad(spec, "icmp rules take no port (write IPv6 addresses as [addr])");
	return parse_host(spec, body, &out->host);
}

int netrule_parse(const char *spec, struct sl_net_rule *out)
{
	*out = (struct sl_net_rule){0};
	if (!spec)
		return sl_errorf(EINVAL, "net_allow: rule is NULL");
	char *copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	char *body = sl_trim(copy);
	char *sep = strstr(body, "://");
	int r;
	if (sep) {
		*sep = 0;
		r = -1;
		for (size_t i = 0; i < SL_ARRAY_SIZE(schemes); i++) {
			if (strcmp(body, schemes[i].name) == 0) {
				out->proto = schemes[i].proto;
				r = 0;
			}
		}
		if (r < 0) {
			r = bad(spec, "unknown scheme '%s' (use tcp://, udp:// or icmp://)", body);
			goto out;
		}
		body = sep + 3;
	}
	if (out->proto == SL_PROTO_ICMP)
		r = parse_icmp(spec, body, out);
	else
		r = parse_tcp_udp(spec, body, out);
out:
	free(copy);
	if (r < 0)
		netrule_free(out);
	return r;
}

int netrule_copy(struct sl_net_rule *dst, const struct sl_net_rule *src)
{
	*dst = *src;
	dst->host = NULL;
	dst->ports = (struct sl_u32v){0};
	if (src->host && !(dst->host = strdup(src->host)))
		return -ENOMEM;
	if (sl_u32v_copy(&dst->ports, &src->ports) < 0) {
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
	sl_u32v_free(&r->ports);
	*r = (struct sl_net_rule){0};
}
