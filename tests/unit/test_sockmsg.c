/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the control data walk of a sendmsg (src/features/sockmsg.c). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"
#include "sockmsg.h"

/* Control data built as a sender would: each message aligned. */
struct ctlbuf {
	union {
		unsigned char b[2048];
		struct cmsghdr align;
	} u;
	size_t len;
};

static void add(struct ctlbuf *c, int level, int type, const void *data, size_t n)
{
	struct cmsghdr h = {.cmsg_len = CMSG_LEN(n), .cmsg_level = level, .cmsg_type = type};
	memcpy(c->u.b + c->len, &h, sizeof(h));
	memcpy(c->u.b + c->len + CMSG_LEN(0), data, n);
	c->len += CMSG_SPACE(n);
}

static int walk(const struct ctlbuf *c, size_t len, bool unix_sock, struct sockmsg *m, bool *pass)
{
	memset(m, 0, sizeof(*m));
	return sockmsg_control(c->u.b, len, unix_sock, m, pass);
}

TEST(sockmsg_rights_gathered_on_unix_only)
{
	struct ctlbuf c = {.len = 0};
	int a[2] = {3, 7}, b[1] = {9};
	add(&c, SOL_SOCKET, SCM_RIGHTS, a, sizeof(a));
	add(&c, SOL_SOCKET, SCM_RIGHTS, b, sizeof(b));
	struct sockmsg m;
	bool pass;
	CHECK_EQ(walk(&c, c.len, true, &m, &pass), 0);
	CHECK_EQ(m.nfds, 3);
	CHECK_EQ(m.fds[0], 3);
	CHECK_EQ(m.fds[1], 7);
	CHECK_EQ(m.fds[2], 9);
	CHECK(!pass);
	/* the kernel's answer on another family */
	CHECK_EQ(walk(&c, c.len, false, &m, &pass), -EINVAL);
}

TEST(sockmsg_credentials_refused)
{
	struct ctlbuf c = {.len = 0};
	struct ucred u = {.pid = 1, .uid = 0, .gid = 0};
	add(&c, SOL_SOCKET, SCM_CREDENTIALS, &u, sizeof(u));
	struct sockmsg m;
	bool pass;
	CHECK_EQ(walk(&c, c.len, true, &m, &pass), -EPERM);
	CHECK_EQ(walk(&c, c.len, false, &m, &pass), -EPERM);
}

/* On a unix socket: another SOL_SOCKET type is EINVAL (as __scm_send),
 * another level dropped (as the kernel ignores it); elsewhere passed on. */
TEST(sockmsg_other_messages)
{
	struct ctlbuf so = {.len = 0}, ip = {.len = 0};
	int v = 1;
	add(&so, SOL_SOCKET, SO_MARK, &v, sizeof(v));
	add(&ip, 0 /* SOL_IP */, 1, &v, sizeof(v));
	struct sockmsg m;
	bool pass;
	CHECK_EQ(walk(&so, so.len, true, &m, &pass), -EINVAL);
	CHECK_EQ(walk(&ip, ip.len, true, &m, &pass), 0);
	CHECK(!pass);
	CHECK_EQ(walk(&so, so.len, false, &m, &pass), 0);
	CHECK(pass);
	CHECK_EQ(walk(&ip, ip.len, false, &m, &pass), 0);
	CHECK(pass);
}

/* What routes the packet through hosts of its own, on an inet socket:
 * IPv4 options (a loose source route here), an IPv6 routing header of
 * either API: EPERM, the packet would go to its first hop.  Dropped on a
 * unix socket, as other levels are; IP_TTL and IPV6_HOPLIMIT pass. */
TEST(sockmsg_routes_refused)
{
	static const unsigned char lsrr[8] = {0x83, 7, 4, 127, 0, 0, 2, 0};
	unsigned char srh[40] = {0, 4, 4, 1, 1};
	static const struct {
		int level, type;
	} routes[] = {
	    {IPPROTO_IP, IP_RETOPTS}, {IPPROTO_IPV6, IPV6_RTHDR}, {IPPROTO_IPV6, IPV6_2292RTHDR}};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		struct ctlbuf c = {.len = 0};
		int ttl = 9;
		add(&c, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
		if (routes[i].level == IPPROTO_IP)
			add(&c, routes[i].level, routes[i].type, lsrr, sizeof(lsrr));
		else
			add(&c, routes[i].level, routes[i].type, srh, sizeof(srh));
		struct sockmsg m;
		bool pass;
		CHECK_EQ(walk(&c, c.len, false, &m, &pass), -EPERM);
		CHECK_EQ(walk(&c, c.len, true, &m, &pass), 0);
		CHECK(!pass);
		CHECK(sockmsg_routes(routes[i].level, routes[i].type));
	}
	CHECK(!sockmsg_routes(IPPROTO_IP, IP_TTL));
	CHECK(!sockmsg_routes(IPPROTO_IPV6, IPV6_HOPLIMIT));
	CHECK(!sockmsg_routes(SOL_SOCKET, IP_RETOPTS));
	struct ctlbuf ok = {.len = 0};
	int hl = 5;
	add(&ok, IPPROTO_IPV6, IPV6_HOPLIMIT, &hl, sizeof(hl));
	struct sockmsg m;
	bool pass;
	CHECK_EQ(walk(&ok, ok.len, false, &m, &pass), 0);
	CHECK(pass);
}

/* The receive-side types a sender might try on a unix socket, to make
 * the receiver trust what the supervisor's send would attach
 * (SCM_SECURITY: an LSM label; SCM_PIDFD: a pidfd): EINVAL, as
 * __scm_send answers them; the child's own sends get the same. */
TEST(sockmsg_receive_side_types_refused_on_unix)
{
	static const int types[] = {0x03 /* SCM_SECURITY */, 0x04 /* SCM_PIDFD */};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct ctlbuf c = {.len = 0};
		int v = 3;
		add(&c, SOL_SOCKET, types[i], &v, sizeof(v));
		struct sockmsg m;
		bool pass;
		CHECK_EQ(walk(&c, c.len, true, &m, &pass), -EINVAL);
		CHECK_EQ(m.nfds, 0);
	}
}

/* Malformed headers, as CMSG_OK: too short, or running past the end;
 * trailing bytes too few for a header are ignored. */
TEST(sockmsg_malformed_control)
{
	struct ctlbuf c = {.len = 0};
	int fd = 4;
	add(&c, SOL_SOCKET, SCM_RIGHTS, &fd, sizeof(fd));
	struct sockmsg m;
	bool pass;
	CHECK_EQ(walk(&c, CMSG_LEN(sizeof(int)) - 1, true, &m, &pass), -EINVAL);
	CHECK_EQ(walk(&c, sizeof(struct cmsghdr) - 1, true, &m, &pass), 0);
	CHECK_EQ(m.nfds, 0);
	struct cmsghdr *h = &c.u.align;
	h->cmsg_len = sizeof(*h) - 1;
	CHECK_EQ(walk(&c, c.len, true, &m, &pass), -EINVAL);
	h->cmsg_len = c.len + 1;
	CHECK_EQ(walk(&c, c.len, true, &m, &pass), -EINVAL);
	h->cmsg_len = CMSG_LEN(sizeof(int));
	CHECK_EQ(walk(&c, c.len + sizeof(*h) - 1, true, &m, &pass), 0);
	CHECK_EQ(m.nfds, 1);
	CHECK_EQ(walk(&c, 0, true, &m, &pass), 0);
	CHECK_EQ(m.nfds, 0);
}

/* At most SCM_MAX_FD fds in one message, over all its SCM_RIGHTS. */
TEST(sockmsg_fd_count_bounded)
{
	static struct ctlbuf c;
	int fds[200];
	for (int i = 0; i < 200; i++)
		fds[i] = i;
	c.len = 0;
	add(&c, SOL_SOCKET, SCM_RIGHTS, fds, 200 * sizeof(int));
	struct sockmsg m;
	bool pass;
	CHECK_EQ(walk(&c, c.len, true, &m, &pass), 0);
	CHECK_EQ(m.nfds, 200);
	size_t one = c.len;
	add(&c, SOL_SOCKET, SCM_RIGHTS, fds, 60 * sizeof(int));
	CHECK_EQ(walk(&c, c.len, true, &m, &pass), -EINVAL);
	CHECK_EQ(walk(&c, one, true, &m, &pass), 0);
}
