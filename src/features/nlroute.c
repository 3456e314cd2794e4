/* SPDX-License-Identifier: Apache-2.0 */
/* nlroute.c - the answers of the NETLINK_ROUTE view (see nlroute.h). */
#include "nlroute.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

/* <linux/if.h> would clash with <net/if.h>: its two values used here */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#define SL_IF_OPER_UNKNOWN 0
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#define LO_FLAGS     (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP)
#define LO_MTU	     65536
#define LO_TXQLEN    1000
#define INFINITE_LFT 0xffffffffu /* the kernel's INFINITY_LIFE_TIME */
/* An error or ack: a header, the error, the request's header. */
#define ERR_SIZE NLMSG_SPACE(sizeof(struct nlmsgerr))

/* The reply being written: every piece zeroed and 4-aligned; a piece
 * that does not fit in cap fails, and the message is rolled back. */
struct out {
	unsigned char *buf;
	size_t len, cap;
};

/* The request a message answers. */
struct ask {
	struct nlmsghdr h;
	const unsigned char *body;
	size_t blen;
	uint32_t portid;
};

static void *grab(struct out *o, size_t n)
{
	n = NLMSG_ALIGN(n);
	if (o->cap - o->len < n)
		return NULL;
	void *p = o->buf + o->len;
	memset(p, 0, n);
	o->len += n;
	return p;
}

/* A message's header and fixed body; its length is set by msg_end. */
static bool msg_begin(struct out *o, const struct ask *q, uint16_t type, uint16_t flags,
		      const void *body, size_t blen, size_t *start)
{
	*start = o->len;
	struct nlmsghdr h = {.nlmsg_type = type,
			     .nlmsg_flags = flags,
			     .nlmsg_seq = q->h.nlmsg_seq,
			     .nlmsg_pid = q->portid};
	void *hp = grab(o, NLMSG_HDRLEN), *bp = hp ? grab(o, blen) : NULL;
	if (!bp)
		return false;
	memcpy(hp, &h, sizeof(h));
	memcpy(bp, body, blen);
	return true;
}

static bool attr(struct out *o, uint16_t type, const void *data, size_t len)
{
	struct rtattr a = {.rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type};
	unsigned char *p = grab(o, RTA_SPACE(len));
	if (!p)
		return false;
	memcpy(p, &a, sizeof(a));
	memcpy(p + RTA_LENGTH(0), data, len);
	return true;
}

static bool attr_u32(struct out *o, uint16_t type, uint32_t v)
{
	return attr(o, type, &v, sizeof(v));
}

static bool attr_u8(struct out *o, uint16_t type, uint8_t v)
{
	return attr(o, type, &v, sizeof(v));
}

static void msg_end(struct out *o, size_t start)
{
	uint32_t len = (uint32_t)(o->len - start);
	memcpy(o->buf + start + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
}

static bool link_lo(struct out *o, const struct ask *q)
{
	const struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				      .ifi_type = ARPHRD_LOOPBACK,
				      .ifi_index = NLROUTE_LO_INDEX,
				      .ifi_flags = LO_FLAGS};
	static const unsigned char zero_hw[6];
	size_t at;
	bool ok = msg_begin(o, q, RTM_NEWLINK, NLM_F_MULTI, &ifi, sizeof(ifi), &at) &&
		  attr(o, IFLA_IFNAME, "lo", 3) && attr_u32(o, IFLA_TXQLEN, LO_TXQLEN) &&
		  attr_u8(o, IFLA_OPERSTATE, SL_IF_OPER_UNKNOWN) && attr_u8(o, IFLA_LINKMODE, 0) &&
		  attr_u32(o, IFLA_MTU, LO_MTU) && attr_u32(o, IFLA_GROUP, 0) &&
		  attr(o, IFLA_QDISC, "noqueue", 8) &&
		  attr(o, IFLA_ADDRESS, zero_hw, sizeof(zero_hw)) &&
		  attr(o, IFLA_BROADCAST, zero_hw, sizeof(zero_hw));
	if (ok)
		msg_end(o, at);
	return ok;
}

/* The sandbox's own name's address (/etc/hosts), on lo as every
 * 127.0.0.0/8 address is.  Listed because glibc's AI_ADDRCONFIG counts
 * an IPv4 address other than 127.0.0.1 as "IPv4 configured": with lo's
 * 127.0.0.1 alone, getaddrinfo(AF_INET, AI_ADDRCONFIG) of any name
 * fails (no address), where without a view it worked. */
#define SELF_V4 0x7f000101u /* 127.0.1.1 */

/* One address of lo: 127.0.0.1/8 (or v4 given) or ::1/128. */
static bool addr_lo(struct out *o, const struct ask *q, int family, uint32_t v4_host)
{
	const struct ifaddrmsg ifa = {.ifa_family = (unsigned char)family,
				      .ifa_prefixlen = family == AF_INET ? 8 : 128,
				      .ifa_flags = IFA_F_PERMANENT,
				      .ifa_scope = RT_SCOPE_HOST,
				      .ifa_index = NLROUTE_LO_INDEX};
	const struct ifa_cacheinfo ci = {.ifa_prefered = INFINITE_LFT, .ifa_valid = INFINITE_LFT};
	const struct in_addr v4 = {.s_addr = htonl(v4_host)};
	const void *a = family == AF_INET ? (const void *)&v4 : (const void *)&in6addr_loopback;
	size_t alen = family == AF_INET ? sizeof(v4) : sizeof(in6addr_loopback), at;
	bool ok =
	    msg_begin(o, q, RTM_NEWADDR, NLM_F_MULTI, &ifa, sizeof(ifa), &at) &&
	    attr(o, IFA_ADDRESS, a, alen) &&
	    (family != AF_INET || (attr(o, IFA_LOCAL, a, alen) && attr(o, IFA_LABEL, "lo", 3))) &&
	    attr_u32(o, IFA_FLAGS, IFA_F_PERMANENT) && attr(o, IFA_CACHEINFO, &ci, sizeof(ci));
	if (ok)
		msg_end(o, at);
	return ok;
}

static bool done(struct out *o, const struct ask *q)
{
	const int zero = 0;
	size_t at;
	if (!msg_begin(o, q, NLMSG_DONE, NLM_F_MULTI, &zero, sizeof(zero), &at))
		return false;
	msg_end(o, at);
	return true;
}

/* An error (or, err 0, an ack) with the request's header only. */
static bool nl_error(struct out *o, const struct ask *q, int err)
{
	struct nlmsgerr e = {.error = err, .msg = q->h};
	size_t at;
	if (!msg_begin(o, q, NLMSG_ERROR, NLM_F_CAPPED, &e, sizeof(e), &at))
		return false;
	msg_end(o, at);
	return true;
}

/* The family a dump asks for: the first byte of its body (rtgenmsg and
 * ifaddrmsg alike), AF_UNSPEC without one. */
static int family_of(const struct ask *q)
{
	return q->blen ? q->body[0] : AF_UNSPEC;
}

/* The answer to one message (see nlroute.h); false when it did not fit. */
static bool answer_one(struct out *o, const struct ask *q)
{
	const struct nlmsghdr *h = &q->h;
	bool dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (!(h->nlmsg_flags & NLM_F_REQUEST) || h->nlmsg_type < NLMSG_MIN_TYPE)
		return !(h->nlmsg_flags & NLM_F_ACK) || nl_error(o, q, 0);
	if (dump && h->nlmsg_type == RTM_GETLINK)
		return link_lo(o, q) && done(o, q);
	if (dump && h->nlmsg_type == RTM_GETADDR) {
		int f = family_of(q);
		bool v4 = f == AF_UNSPEC || f == AF_INET, v6 = f == AF_UNSPEC || f == AF_INET6;
		return (!v4 || (addr_lo(o, q, AF_INET, INADDR_LOOPBACK) &&
				addr_lo(o, q, AF_INET, SELF_V4))) &&
		       (!v6 || addr_lo(o, q, AF_INET6, 0)) && done(o, q);
	}
	return nl_error(o, q, -EOPNOTSUPP);
}

size_t nlroute_answer(const void *req, size_t len, uint32_t portid, void *out)
{
	const unsigned char *p = req;
	struct out o = {.buf = out, .cap = NLROUTE_REPLY_MAX - ERR_SIZE};
	size_t off = 0;
	while (len - off >= NLMSG_HDRLEN) {
		struct ask q = {.portid = portid};
		memcpy(&q.h, p + off, sizeof(q.h));
		if (q.h.nlmsg_len < NLMSG_HDRLEN || q.h.nlmsg_len > len - off)
			break;
		q.body = p + off + NLMSG_HDRLEN;
		q.blen = q.h.nlmsg_len - NLMSG_HDRLEN;
		size_t mark = o.len;
		if (!answer_one(&o, &q)) {
			/* the room kept for it: this message's error ends the reply */
			o.len = mark;
			o.cap = NLROUTE_REPLY_MAX;
			nl_error(&o, &q, -ENOBUFS);
			break;
		}
		size_t step = NLMSG_ALIGN((size_t)q.h.nlmsg_len);
		off += step < len - off ? step : len - off;
	}
	return o.len;
}
