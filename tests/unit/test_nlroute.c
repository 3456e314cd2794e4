/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the NETLINK_ROUTE view's answers (src/features/nlroute.c). */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"
#include "nlroute.h"

#define PORTID 4321u

struct req {
	struct nlmsghdr h;
	unsigned char family;
	unsigned char pad[3];
};

static struct req request(uint16_t type, uint16_t flags, uint32_t seq, unsigned char family)
{
	struct req r;
	memset(&r, 0, sizeof(r));
	r.h = (struct nlmsghdr){
	    .nlmsg_len = sizeof(r), .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq};
	r.family = family;
	return r;
}

/* The reply's messages, each checked to lie within it, aligned, with
 * the socket's pid: their types in types[], their count. */
static int messages(const unsigned char *buf, size_t len, uint16_t *types, int max,
		    const struct nlmsghdr **last)
{
	int n = 0;
	size_t off = 0;
	while (off < len) {
		const struct nlmsghdr *h = (const void *)(buf + off);
		CHECK(len - off >= NLMSG_HDRLEN && h->nlmsg_len >= NLMSG_HDRLEN &&
		      h->nlmsg_len <= len - off);
		CHECK_EQ(h->nlmsg_pid, PORTID);
		if (n < max)
			types[n] = h->nlmsg_type;
		n++;
		*last = h;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	CHECK_EQ(off, len);
	return n;
}

static int answer(const void *req, size_t len, uint16_t *types, int max,
		  const struct nlmsghdr **last)
{
	static unsigned char out[NLROUTE_REPLY_MAX];
	size_t n = nlroute_answer(req, len, PORTID, out);
	CHECK(n <= NLROUTE_REPLY_MAX);
	*last = NULL;
	return messages(out, n, types, max, last);
}

/* A link dump: lo, then NLMSG_DONE, the request's seq echoed. */
TEST(nlroute_link_dump)
{
	static unsigned char out[NLROUTE_REPLY_MAX];
	struct req r = request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 7, AF_UNSPEC);
	size_t n = nlroute_answer(&r, sizeof(r), PORTID, out);
	const struct nlmsghdr *h = (const void *)out;
	CHECK_EQ(h->nlmsg_type, RTM_NEWLINK);
	CHECK_EQ(h->nlmsg_seq, 7);
	CHECK(h->nlmsg_flags & NLM_F_MULTI);
	const struct ifinfomsg *i = NLMSG_DATA(h);
	CHECK_EQ(i->ifi_index, NLROUTE_LO_INDEX);
	CHECK_EQ(i->ifi_type, 772); /* ARPHRD_LOOPBACK */
	CHECK(i->ifi_flags & IFF_UP && i->ifi_flags & IFF_LOOPBACK && i->ifi_flags & IFF_RUNNING);
	int len = (int)IFLA_PAYLOAD(h);
	const char *name = NULL;
	unsigned mtu = 0;
	for (const struct rtattr *a = IFLA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME)
			name = RTA_DATA(a);
		else if (a->rta_type == IFLA_MTU)
			memcpy(&mtu, RTA_DATA(a), sizeof(mtu));
	CHECK_STR(name, "lo");
	CHECK_EQ(mtu, 65536);
	const struct nlmsghdr *d = (const void *)(out + NLMSG_ALIGN(h->nlmsg_len));
	CHECK_EQ(d->nlmsg_type, NLMSG_DONE);
	CHECK_EQ(d->nlmsg_seq, 7);
	CHECK_EQ(NLMSG_ALIGN(h->nlmsg_len) + d->nlmsg_len, n);
}

/* An address dump, by the family asked for. */
TEST(nlroute_addr_dump_by_family)
{
	static const struct {
		unsigned char family;
		int n;
	} cases[] = {{AF_UNSPEC, 4}, {AF_INET, 3}, {AF_INET6, 2}, {AF_PACKET, 1}};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct req r = request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, cases[k].family);
		uint16_t t[8];
		const struct nlmsghdr *last;
		CHECK_EQ(answer(&r, sizeof(r), t, 8, &last), cases[k].n);
		CHECK_EQ(last->nlmsg_type, NLMSG_DONE);
		for (int i = 0; i + 1 < cases[k].n; i++) {
			CHECK_EQ(t[i], RTM_NEWADDR);
		}
	}
	/* a bare header (no rtgenmsg): both families */
	struct req r = request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, 0);
	r.h.nlmsg_len = NLMSG_HDRLEN;
	uint16_t t[8];
	const struct nlmsghdr *last;
	CHECK_EQ(answer(&r, NLMSG_HDRLEN, t, 8, &last), 4);
}

/* Anything else is EOPNOTSUPP; a message that is not a request is
 * answered only with the ack it asks for, as the kernel's. */
TEST(nlroute_other_requests)
{
	uint16_t t[4];
	const struct nlmsghdr *last;
	struct req get = request(RTM_GETLINK, NLM_F_REQUEST, 3, AF_UNSPEC);
	CHECK_EQ(answer(&get, sizeof(get), t, 4, &last), 1);
	CHECK_EQ(t[0], NLMSG_ERROR);
	const struct nlmsgerr *e = NLMSG_DATA(last);
	CHECK_EQ(e->error, -EOPNOTSUPP);
	CHECK_EQ(e->msg.nlmsg_seq, 3);
	CHECK_EQ(last->nlmsg_seq, 3);
	struct req route = request(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE, 4, AF_INET);
	CHECK_EQ(answer(&route, sizeof(route), t, 4, &last), 1);
	CHECK_EQ(((const struct nlmsgerr *)NLMSG_DATA(last))->error, -EOPNOTSUPP);
	struct req quiet = request(RTM_GETLINK, NLM_F_DUMP, 5, AF_UNSPEC);
	CHECK_EQ(answer(&quiet, sizeof(quiet), t, 4, &last), 0);
	struct req ack = request(RTM_GETLINK, NLM_F_ACK, 6, AF_UNSPEC);
	CHECK_EQ(answer(&ack, sizeof(ack), t, 4, &last), 1);
	CHECK_EQ(((const struct nlmsgerr *)NLMSG_DATA(last))->error, 0);
	struct req noop = request(NLMSG_NOOP, NLM_F_REQUEST, 7, 0);
	CHECK_EQ(answer(&noop, sizeof(noop), t, 4, &last), 0);
}

/* Walked as netlink_rcv_skb: a length below a header, or past the
 * datagram, ends the walk; what came before is answered. */
TEST(nlroute_malformed_lengths)
{
	uint16_t t[4];
	const struct nlmsghdr *last;
	struct req two[2] = {request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0),
			     request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 2, 0)};
	const uint32_t bad[] = {0, 4, 15, sizeof(two[1]) + 1, 0xffffffffu};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		two[1].h.nlmsg_len = bad[i];
		CHECK_EQ(answer(two, sizeof(two), t, 4, &last), 2);
		CHECK_EQ(last->nlmsg_seq, 1);
	}
	CHECK_EQ(answer(two, 0, t, 4, &last), 0);
	CHECK_EQ(answer(two, NLMSG_HDRLEN - 1, t, 4, &last), 0);
	/* a length that is not a multiple of 4 still advances aligned */
	struct req odd[2] = {request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0),
			     request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 2, 0)};
	odd[0].h.nlmsg_len = NLMSG_HDRLEN + 1;
	CHECK_EQ(answer(odd, sizeof(odd), t, 4, &last), 4);
	CHECK_EQ(last->nlmsg_seq, 2);
}

/* One datagram asking more than one reply holds: what fits, then
 * ENOBUFS for the first message left unanswered. */
TEST(nlroute_reply_bounded)
{
	static struct req many[4000];
	for (int i = 0; i < 4000; i++)
		many[i] = request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, (uint32_t)i, 0);
	static uint16_t t[200];
	const struct nlmsghdr *last;
	int n = answer(many, sizeof(many), t, 200, &last);
	CHECK(n > 10 && n < 200);
	CHECK_EQ(t[n - 1], NLMSG_ERROR);
	const struct nlmsgerr *e = NLMSG_DATA(last);
	CHECK_EQ(e->error, -ENOBUFS);
	CHECK_EQ(last->nlmsg_seq, (uint32_t)(n - 1) / 2);
}
