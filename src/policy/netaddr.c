/* SPDX-License-Identifier: Apache-2.0 */
/* netaddr.c - IP addresses and CIDR ranges (see netaddr.h). */
#include "netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static unsigned int max_prefix(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Clears the bits past prefix; returns whether any was set. */
static bool clear_host_bits(struct sl_net_addr *a)
{
	bool set = false;
	unsigned int bytes = max_prefix(a->family) / 8;
	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int keep = a->prefix > 8 * i ? a->prefix - 8 * i : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00u >> keep);
		set |= (a->addr[i] & ~mask) != 0;
		a->addr[i] &= mask;
	}
	return set;
}

int netaddr_parse(const char *s, int family, struct sl_net_addr *out)
{
	*out = (struct sl_net_addr){0};
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char text[INET6_ADDRSTRLEN];
	if (n >= sizeof(text))
		return NETADDR_BAD_ADDR;
	memcpy(text, s, n);
	text[n] = 0;
	if (family != AF_INET6 && inet_pton(AF_INET, text, out->addr) == 1)
		out->family = AF_INET;
	else if (family != AF_INET && inet_pton(AF_INET6, text, out->addr) == 1)
		out->family = AF_INET6;
	else
		return NETADDR_BAD_ADDR;
	unsigned int prefix = max_prefix(out->family);
	if (slash) {
		const char *p = slash + 1;
		size_t digits = strspn(p, "0123456789");
		/* three digits hold 128; more are refused before they could
		 * overflow anything */
		if (digits == 0 || digits > 3 || p[digits])
			return NETADDR_BAD_PREFIX;
		prefix = 0;
		for (size_t i = 0; i < digits; i++)
			prefix = prefix * 10 + (unsigned int)(p[i] - '0');
		if (prefix > max_prefix(out->family))
			return NETADDR_BAD_PREFIX;
	}
	out->prefix = (uint8_t)prefix;
	netaddr_canon(out);
	return clear_host_bits(out) ? NETADDR_HOST_BITS : NETADDR_OK;
}

void netaddr_canon(struct sl_net_addr *a)
{
	if (a->family != AF_INET6 || a->prefix < 96 || a->prefix > 128 ||
	    memcmp(a->addr, v4mapped_prefix, sizeof(v4mapped_prefix)) != 0)
		return;
	uint8_t v4[4];
	memcpy(v4, a->addr + 12, 4);
	memset(a->addr, 0, sizeof(a->addr));
	memcpy(a->addr, v4, 4);
	a->family = AF_INET;
	a->prefix = (uint8_t)(a->prefix - 96);
}

bool netaddr_contains(const struct sl_net_addr *net, const struct sl_net_addr *a)
{
	struct sl_net_addr n = *net, x = *a;
	netaddr_canon(&n);
	netaddr_canon(&x);
	if ((n.family != AF_INET && n.family != AF_INET6) || n.family != x.family ||
	    n.prefix > max_prefix(n.family))
		return false;
	unsigned int full = n.prefix / 8, rest = n.prefix % 8;
	if (memcmp(n.addr, x.addr, full) != 0)
		return false;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return rest == 0 || ((n.addr[full] ^ x.addr[full]) & mask) == 0;
}

bool netaddr_equal(const struct sl_net_addr *a, const struct sl_net_addr *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

int netaddr_from_sockaddr(const void *sa, size_t len, struct sl_net_addr *out, uint16_t *port)
{
	sa_family_t family;
	*out = (struct sl_net_addr){0};
	*port = 0;
	if (len < sizeof(family))
		return -EINVAL;
	/* copied out: the bytes come from a buffer read from the child, at
	 * whatever alignment */
	memcpy(&family, sa, sizeof(family));
	if (family == AF_INET) {
		struct sockaddr_in in;
		if (len < sizeof(in))
			return -EINVAL;
		memcpy(&in, sa, sizeof(in));
		*out = (struct sl_net_addr){.family = AF_INET, .prefix = 32};
		memcpy(out->addr, &in.sin_addr, 4);
		*port = ntohs(in.sin_port);
		return 0;
	}
	if (family == AF_INET6) {
		/* the kernel takes the RFC 2133 form, without sin6_scope_id */
		struct sockaddr_in6 in6 = {0};
		if (len < offsetof(struct sockaddr_in6, sin6_scope_id))
			return -EINVAL;
		memcpy(&in6, sa, len < sizeof(in6) ? len : sizeof(in6));
		*out = (struct sl_net_addr){.family = AF_INET6, .prefix = 128};
		memcpy(out->addr, &in6.sin6_addr, 16);
		*port = ntohs(in6.sin6_port);
		netaddr_canon(out);
		return 0;
	}
	return -EAFNOSUPPORT;
}

void netaddr_format(const struct sl_net_addr *a, char buf[NETADDR_STRLEN])
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->addr, buf, INET6_ADDRSTRLEN)) {
		strcpy(buf, "?");
		return;
	}
	if (a->prefix != max_prefix(a->family))
		snprintf(buf + strlen(buf), NETADDR_STRLEN - strlen(buf), "/%u", a->prefix);
}
