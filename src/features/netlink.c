/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netlink.c - NETLINK_ROUTE answered by the supervisor: the sandbox sees
 * a host with one interface, lo, and the loopback addresses (nlroute.h).
 *
 * ip addr, getifaddrs(), if_nameindex() and glibc's getaddrinfo() with
 * AI_ADDRCONFIG read the interfaces through a NETLINK_ROUTE socket.  A
 * real one would tell the host's interfaces, addresses, routes and
 * neighbours (and, with a capability, change them); every netlink socket
 * is refused by the filter (EAFNOSUPPORT) but this one form:
 * socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM, NETLINK_ROUTE), registers
 * only (filter.h, SL_NETLINK_ROUTE_CMPS), notified here.
 *
 * Emulate.  The answer is one end of an AF_UNIX SOCK_SEQPACKET pair the
 * supervisor makes (SECCOMP_ADDFD_FLAG_SEND; SOCK_CLOEXEC and
 * SOCK_NONBLOCK honoured); the other end stays here, in the event loop,
 * and each request datagram that arrives on it is answered with one
 * reply datagram.  SEQPACKET, not DGRAM: it keeps message boundaries as
 * netlink does, its recvmsg honours MSG_PEEK and MSG_TRUNC as netlink's
 * (iproute2 asks the size of the next message that way), and its peer's
 * close reads as a hang-up here, so a closed socket's end is freed
 * (getaddrinfo makes one per call).  A DGRAM pair says nothing when the
 * child closes its end.
 *
 * The calls glibc makes around it, on such a socket only: bind (a
 * sockaddr_nl; an explicit port id is taken as the socket's), getsockname
 * (a sockaddr_nl whose nl_pid is the port id: the creating process's
 * tgid, as the kernel's first socket of a process gets), connect (to the
 * kernel: nothing to do), sendto with an address and sendmsg (read once,
 * answered here directly: the reply is queued before the call returns;
 * an address other than the kernel's is EPERM, as netlink's for an
 * unprivileged sender), recvmsg and recvfrom with an address (made here
 * on our duplicate of the child's end, the data and a sockaddr_nl of the
 * kernel, nl_pid 0, written back: glibc ignores a message whose sender
 * is not pid 0, and iproute2 exits when the name's length is not 12;
 * the kernel would write a unix socket's empty name).
 *
 * A socket is ours when the kernel names the caller's fd as the very
 * socket we handed out, by its inode, at each call: never by fd number,
 * which a thread can dup2 anything onto.  The name /proc prints for the
 * fd (socket:[INODE], through the notifying thread's own table) tells
 * it; a receive, which needs the file itself, takes our duplicate of it
 * (onbehalf_child_fd) and checks the duplicate's device and inode (so
 * does any call where /proc cannot be read).  Why a look suffices where
 * nothing is received: what is decided grants nothing.  A fd swapped
 * after the look onto one of ours only has the kernel make the call on
 * our pair (no name read back), one swapped off ours has a call of the
 * child's on its own socket answered as netlink would (nothing bound,
 * nothing sent anywhere): the child's own loss either way.  For any
 * other socket these handlers answer CONTINUE having read nothing
 * (unixsock.c, after us, decides the sends and connects on its own
 * duplicate); for ours nothing is continued.
 *
 * Bounded: at most NL_LINKS_MAX live sockets per sandbox (ENOBUFS beyond;
 * one fd each here), a request datagram of NL_REQ_MAX bytes (the child's
 * end's send buffer refuses larger ones: EMSGSIZE), a reply of
 * NLROUTE_REPLY_MAX.  A request is read only when our end has room for
 * its reply (it polls writable): a child that never reads its replies
 * fills our send buffer, we stop reading its requests, and its own sends
 * then wait (or fail EAGAIN), with nothing held here.  The supervisor
 * never sleeps: every call here is non-blocking, and a call of the
 * child's that would wait is held and offered again (a send when our end
 * polls writable, a receive at the engine's next retry, 100 ms).
 *
 * Where pidfd_getfd is refused (Docker's default seccomp profile), no
 * call could tell our sockets from others: socket() answers EAFNOSUPPORT,
 * as for every netlink socket.
 *
 * Not the same: getsockopt(SO_DOMAIN, SO_TYPE) tell a unix seqpacket
 * socket, setsockopt(SOL_NETLINK) is ENOPROTOOPT, nothing is ever
 * multicast (a subscription is accepted, no event comes), recvmmsg and
 * read/recv (no name: not notified) are the kernel's on the pair.  A view socket is given a number
 * of a fixed block (896-959, free_slot), and recvmsg, recvfrom with an address, bind and
 * getsockname are notified on those numbers only: the sandbox's other
 * sockets pay nothing (9 us a call when every one was notified); a
 * socket of the child's own dup2()ed there is notified and answered
 * CONTINUE; a view socket dup2()ed elsewhere is not notified (its
 * receives read no name: the child's own loss).  getpeername on ours is
 * the pair's (AF_UNIX), sendmmsg made by unixsock.c on the pair (the
 * names ignored, as a seqpacket socket ignores them).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "error.h"
#include "evloop.h"
#include "feature.h"
#include "nlroute.h"
#include "onbehalf.h"
#include "procs.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "sockmsg.h"
#include "util.h"

#define NL_LINKS_MAX 128	 /* live route sockets per sandbox */
#define NL_REQ_MAX   (64u << 10) /* a request datagram */
#define NL_PUMP_MAX  64		 /* request datagrams served per call */
#define NL_TYPE_OK   (0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)
/* The fd numbers the view's sockets are given: 896-959, one aligned
 * block, so that one masked compare of the fd register tells the filter
 * a call on one of them (free_slot).  Below select()'s FD_SETSIZE (1024)
 * and the usual soft RLIMIT_NOFILE (1024). */
#define NL_SLOT_BASE 896u
#define NL_SLOT_SPAN 64u
#define SLOT_CMP     SL_AMASK(0, ~(uint64_t)(NL_SLOT_SPAN - 1), NL_SLOT_BASE)
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

/* One socket handed out: our end, and the child's by identity. */
struct nl_link {
	int fd;
	dev_t dev;
	ino_t ino;
	uint32_t portid;
	bool bound;
	uint32_t events; /* what our end is watched for: EPOLLIN, or EPOLLOUT when full */
	struct sl_ev *ev;
	struct nl_state *st;
};

struct nl_state {
	struct onbehalf *ob;
	struct sl_evloop *loop;
	struct nl_link *links[NL_LINKS_MAX];
	size_t n;
	unsigned char *req, *reply; /* NL_REQ_MAX, NLROUTE_REPLY_MAX: at the first socket */
};

/* What serving our end came to. */
enum serve { SERVED, IDLE, FULL, GONE };

/* ---- our ends ---------------------------------------------------------------- */

static void link_free(struct nl_state *st, struct nl_link *l)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->links[i] == l) {
			st->links[i] = st->links[--st->n];
			break;
		}
	evloop_del(st->loop, l->ev);
	close(l->fd);
	free(l);
}

static bool has_room(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/* The child's end is closed (a zero-length datagram reads as 0 too). */
static bool peer_gone(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Answers one request datagram, already read (data, len), on our end.
 * A reply that finds no room is dropped (the kernel would overrun the
 * receiver's buffer, ENOBUFS): never, as requests are read only when our
 * end has room for a reply. */
static void respond(struct nl_link *l, const void *data, size_t len)
{
	size_t n = nlroute_answer(data, len, l->portid, l->st->reply);
	if (n)
		(void)send(l->fd, l->st->reply, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Reads one request from our end and answers it, if there is room. */
static enum serve serve_one(struct nl_link *l)
{
	if (!has_room(l->fd))
		return FULL;
	ssize_t n = recv(l->fd, l->st->req, NL_REQ_MAX, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? IDLE : GONE;
	if (n == 0 && peer_gone(l->fd))
		return GONE;
	respond(l, l->st->req, (size_t)n);
	return SERVED;
}

static void on_ready(void *arg, int fd, uint32_t events);

/* Our end watched for events (a failed registration leaves it to the
 * handlers' pumps: the child's next notified call on it serves it). */
static void watch(struct nl_link *l, uint32_t events)
{
	if (l->ev && l->events == events)
		return;
	int err;
	evloop_del(l->st->loop, l->ev);
	l->ev = evloop_add(l->st->loop, l->fd, events, on_ready, l, &err);
	l->events = events;
}

/* Serves what waits on our end, up to max datagrams; then watches it
 * for more requests, or for room when the child does not read.  false
 * when the child's end is gone (l is freed). */
static bool pump(struct nl_link *l, int max)
{
	enum serve r = SERVED;
	for (int i = 0; i < max && r == SERVED; i++)
		r = serve_one(l);
	if (r == GONE) {
		link_free(l->st, l);
		return false;
	}
	watch(l, r == FULL ? EPOLLOUT : EPOLLIN);
	return true;
}

/* The event loop: requests (or room for replies) on our end, or the
 * child's end closed.  A few datagrams per round: the loop is shared. */
static void on_ready(void *arg, int fd, uint32_t events)
{
	(void)fd;
	struct nl_link *l = arg;
	if (events & (EPOLLHUP | EPOLLERR))
		link_free(l->st, l);
	else
		pump(l, 8);
}

/* Frees the links whose child's end is closed, the loop not having seen
 * it yet (a program that makes sockets in a burst). */
static void reap(struct nl_state *st)
{
	for (size_t i = st->n; i-- > 0;)
		if (peer_gone(st->links[i]->fd))
			link_free(st, st->links[i]);
}

/* ---- which socket ------------------------------------------------------------------- */

/* The link of the socket whose inode is ino, or NULL. */
static struct nl_link *link_ino(const struct nl_state *st, unsigned long long ino)
{
	for (size_t i = 0; i < st->n; i++)
		if ((unsigned long long)st->links[i]->ino == ino)
			return st->links[i];
	return NULL;
}

/* Our duplicate of the caller's fd n when it is l's socket (any of ours
 * when l is NULL: *found), else -1. */
static int dup_of(struct nl_state *st, struct sl_ctx *c, int n, const struct nl_link *l,
		  struct nl_link **found)
{
	int fd = onbehalf_child_fd(st->ob, c, n, OB_FD_SOCKET);
	struct stat sb;
	struct nl_link *m = NULL;
	if (fd >= 0 && fstat(fd, &sb) == 0 && (m = link_ino(st, sb.st_ino)) &&
	    m->dev == sb.st_dev && (!l || m == l)) {
		if (found)
			*found = m;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The link the caller's fd n is one end of, by the kernel's identity of
 * the file: the name /proc prints for the fd (socket:[INODE]; only
 * sockfs names its files so, all on its one device), read through the
 * notifying thread's own table; where that cannot be read, our
 * duplicate's inode.  NULL: no such fd, a file, another socket.  Never
 * the fd number: a thread can dup2() anything onto it. */
static struct nl_link *link_at(struct nl_state *st, struct sl_ctx *c, int n)
{
	char path[48], name[48];
	int dir = st->n && n >= 0 ? procs_dir(c->proc) : -2, end = 0;
	if (dir == -2)
		return NULL;
	snprintf(path, sizeof(path), "task/%d/fd/%d", (int)c->req->pid, n);
	ssize_t k = dir < 0 ? -1 : readlinkat(dir, path, name, sizeof(name) - 1);
	if (k < 0 && dir >= 0 && errno == ENOENT)
		return NULL;
	if (k < 0) {
		struct nl_link *l = NULL;
		int fd = dup_of(st, c, n, NULL, &l);
		if (fd >= 0)
			close(fd);
		return fd >= 0 ? l : NULL;
	}
	name[k] = 0;
	unsigned long long ino;
	if (sscanf(name, "socket:[%llu]%n", &ino, &end) != 1 || end != k)
		return NULL;
	return link_ino(st, ino);
}

/* The child's own call would wait: its socket blocks and the call did
 * not ask otherwise. */
static bool would_wait(int dup, int flags)
{
	int fl = fcntl(dup, F_GETFL);
	return fl >= 0 && !(fl & O_NONBLOCK) && !(flags & MSG_DONTWAIT);
}

/* ---- socket() ------------------------------------------------------------------------ */

/* pidfd_getfd of the caller is allowed (EBADF for a number it has not),
 * so later calls can tell our sockets apart. */
static bool can_tell(struct nl_state *st, struct sl_ctx *c)
{
	int fd = onbehalf_child_fd(st->ob, c, INT_MAX, OB_FD_SOCKET);
	if (fd >= 0)
		close(fd);
	return fd == -EBADF;
}

/* The number the new socket is given in the calling thread's table: the
 * first of the slot block it has free, as /proc shows its table now (a
 * thread of the child opening that very number meanwhile loses its fd to
 * ours: its own loss, and only with 897+ fds open).  -1 when none is, or
 * its RLIMIT_NOFILE does not reach the block: then there is no view
 * (EAFNOSUPPORT, as without one: glibc assumes both families configured).
 * Why a block of high numbers: recvmsg, recvfrom, bind and getsockname
 * are notified only on these numbers, so the sandbox's other sockets
 * pay nothing for the view (every recvmsg cost 7 us more when the view
 * took the lowest free number). */
static int free_slot(struct sl_ctx *c)
{
	struct rlimit rl;
	if (prlimit((pid_t)c->req->pid, RLIMIT_NOFILE, NULL, &rl) < 0 ||
	    rl.rlim_cur <= NL_SLOT_BASE)
		return -1;
	for (unsigned n = NL_SLOT_BASE; n < NL_SLOT_BASE + NL_SLOT_SPAN && n < rl.rlim_cur; n++) {
		char path[64];
		struct stat sb;
		snprintf(path, sizeof(path), "/proc/%u/fd/%u", (unsigned)c->req->pid, n);
		if (fstatat(AT_FDCWD, path, &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			return (int)n;
	}
	return -1;
}

static int buffers(struct nl_state *st)
{
	if (!st->req)
		st->req = malloc(NL_REQ_MAX);
	if (!st->reply)
		st->reply = malloc(NLROUTE_REPLY_MAX);
	return st->req && st->reply ? 0 : -ENOMEM;
}

/* A pair: our end (kept, non-blocking) and the child's (to inject),
 * whose send buffer bounds a request datagram. */
static int make_pair(int type, int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return -errno;
	int half = NL_REQ_MAX / 2; /* the kernel doubles it */
	int fl = fcntl(sv[1], F_GETFL);
	if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &half, sizeof(half)) < 0 || fl < 0 ||
	    (!(type & SOCK_NONBLOCK) && fcntl(sv[1], F_SETFL, fl & ~O_NONBLOCK) < 0)) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	return 0;
}

/* A new link for the child's end sv[1] (ours sv[0]).  0 or -errno. */
static int link_add(struct nl_state *st, int sv[2], uint32_t portid)
{
	struct stat sb;
	struct nl_link *l = calloc(1, sizeof(*l));
	if (!l || fstat(sv[1], &sb) < 0) {
		free(l);
		return -ENOMEM;
	}
	*l = (struct nl_link){
	    .fd = sv[0], .dev = sb.st_dev, .ino = sb.st_ino, .portid = portid, .st = st};
	st->links[st->n++] = l;
	watch(l, EPOLLIN);
	return 0;
}

/* Emulate: socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM, NETLINK_ROUTE),
 * the only form notified (the registers).  The flags are checked as the
 * kernel checks them (EINVAL). */
static void on_socket(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct nl_state *st = arg;
	int type = (int)c->req->data.args[1], sv[2];
	if (type & ~NL_TYPE_OK) {
		*a = sl_act_errno(EINVAL);
		return;
	}
	int slot = can_tell(st, c) ? free_slot(c) : -1;
	if (slot < 0) {
		*a = sl_act_errno(EAFNOSUPPORT);
		return;
	}
	if (st->n == NL_LINKS_MAX)
		reap(st);
	int r = st->n == NL_LINKS_MAX ? -ENOBUFS : buffers(st);
	if (r == 0)
		r = make_pair(type, sv);
	if (r == 0 && (r = link_add(st, sv, (uint32_t)c->proc->pid)) < 0) {
		close(sv[0]);
		close(sv[1]);
	}
	if (r < 0) {
		*a = sl_act_errno(-r);
		return;
	}
	/* a failed injection closes sv[1]: our end hangs up and is freed */
	*a = (struct sl_action){.kind = SL_ACT_INJECT_SEND,
				.fd = sv[1],
				.fd_flags = (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0,
				.setfd = true,
				.newfd = slot};
}

/* ---- addresses --------------------------------------------------------------------- */

/* A sockaddr_nl argument as the kernel takes one (move_addr_to_kernel,
 * then netlink's own length and family checks), its first 12 bytes
 * read.  AF_UNSPEC is left to the caller (connect). */
static int read_nladdr(struct sl_ctx *c, uint64_t at, int len, struct sockaddr_nl *sa)
{
	if (len < 0 || (size_t)len > sizeof(struct sockaddr_storage))
		return -EINVAL;
	*sa = (struct sockaddr_nl){0};
	size_t n = (size_t)len < sizeof(*sa) ? (size_t)len : sizeof(*sa);
	if (n && mem_read(&c->mem, at, sa, n) < 0)
		return -EFAULT;
	if (n >= sizeof(sa->nl_family) && sa->nl_family == AF_UNSPEC)
		return 0;
	return n < sizeof(*sa) || sa->nl_family != AF_NETLINK ? -EINVAL : 0;
}

/* A destination other than the kernel (another socket, a group): EPERM,
 * netlink's answer to an unprivileged sender on NETLINK_ROUTE. */
static int to_kernel(const struct sockaddr_nl *sa)
{
	return sa->nl_pid || sa->nl_groups ? -EPERM : 0;
}

/* The length at lenp (a socklen_t of the child's), read once. */
static int read_len(struct sl_ctx *c, uint64_t lenp, int32_t *len)
{
	if (mem_read(&c->mem, lenp, len, sizeof(*len)) < 0)
		return -EFAULT;
	return *len < 0 ? -EINVAL : 0;
}

/* Writes a sockaddr_nl of port id pid at addr, at most len bytes (the
 * child's *lenp, read before), and its full length to *lenp. */
static int write_nladdr(struct sl_ctx *c, uint64_t addr, uint64_t lenp, int32_t len, uint32_t pid)
{
	const struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_pid = pid};
	int32_t full = sizeof(sa);
	size_t n = (size_t)len < sizeof(sa) ? (size_t)len : sizeof(sa);
	if ((n && mem_write(&c->mem, addr, &sa, n) < 0) ||
	    mem_write(&c->mem, lenp, &full, sizeof(full)) < 0)
		return -EFAULT;
	return 0;
}

/* Emulate for ours (else continue): bind.  An explicit port id becomes
 * the socket's, once (the kernel's EINVAL for another one later). */
static void on_bind(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *x = c->req->data.args;
	struct nl_link *l = link_at(arg, c, (int)x[0]);
	if (!l)
		return;
	struct sockaddr_nl sa;
	long r = read_nladdr(c, x[1], (int)x[2], &sa);
	if (r == 0 && sa.nl_family != AF_NETLINK)
		r = -EINVAL;
	if (r == 0 && sa.nl_pid && sa.nl_pid != l->portid && l->bound)
		r = -EINVAL;
	if (r == 0) {
		l->portid = sa.nl_pid ? sa.nl_pid : l->portid;
		l->bound = true;
	}
	onbehalf_answer(a, r);
}

/* Emulate for ours (else continue): connect, to the kernel only. */
static void on_connect(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *x = c->req->data.args;
	if (!link_at(arg, c, (int)x[0]))
		return;
	struct sockaddr_nl sa;
	long r =
	    (int)x[2] < (int)sizeof(sa.nl_family) ? -EINVAL : read_nladdr(c, x[1], (int)x[2], &sa);
	if (r == 0 && sa.nl_family == AF_NETLINK)
		r = to_kernel(&sa);
	onbehalf_answer(a, r);
}

/* Emulate for ours (else continue): getsockname. */
static void on_getsockname(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *x = c->req->data.args;
	struct nl_link *l = link_at(arg, c, (int)x[0]);
	if (!l)
		return;
	int32_t len;
	long r = read_len(c, x[2], &len);
	if (r == 0)
		r = write_nladdr(c, x[1], x[2], len, l->portid);
	onbehalf_answer(a, r);
}

/* ---- sends ------------------------------------------------------------------------------ */

/* Before a send is read: the requests queued before it are served (the
 * replies keep their order), and it goes on only when our end has room
 * for its reply; else held (offered again once our end polls writable:
 * the child read) when the child's socket blocks (its file's flags, on
 * our duplicate), or EAGAIN.  0 to go on, or the answer. */
static long send_gate(struct nl_link *l, struct sl_ctx *c, int n, int flags, struct sl_action *a)
{
	struct nl_state *st = l->st;
	int wfd = l->fd;
	if (!pump(l, NL_PUMP_MAX))
		return -EPIPE;
	if (has_room(wfd))
		return 0;
	int dup = dup_of(st, c, n, l, NULL);
	bool wait = dup >= 0 && would_wait(dup, flags);
	if (dup >= 0)
		close(dup);
	if (!wait)
		return -EAGAIN;
	a->fd = fcntl(wfd, F_DUPFD_CLOEXEC, 3);
	return ONBEHALF_HOLD;
}

static void answer_send(struct sl_action *a, long r)
{
	int fd = a->fd;
	onbehalf_answer(a, r);
	if (a->kind == SL_ACT_HOLD)
		a->fd = fd;
	else if (fd >= 0)
		close(fd);
}

/* Emulate for ours (else continue): sendto with an address (the only
 * form notified). */
static void on_sendto(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *x = c->req->data.args;
	int flags = (int)x[3];
	struct nl_link *l = link_at(arg, c, (int)x[0]);
	if (!l)
		return;
	struct nl_state *st = l->st;
	struct sockaddr_nl sa;
	size_t len = (size_t)x[2];
	long r = flags & MSG_OOB ? -EOPNOTSUPP : read_nladdr(c, x[4], (int)x[5], &sa);
	if (r == 0)
		r = sa.nl_family != AF_NETLINK ? -EINVAL : to_kernel(&sa);
	if (r == 0 && len > NL_REQ_MAX)
		r = -EMSGSIZE;
	if (r == 0)
		r = send_gate(l, c, (int)x[0], flags, a);
	if (r == 0 && len && mem_read(&c->mem, x[1], st->req, len) < 0)
		r = -EFAULT;
	if (r == 0) {
		respond(l, st->req, len);
		r = (long)len;
	}
	answer_send(a, r);
}

/* Emulate for ours (else continue): sendmsg.  The message is read once
 * (sockmsg.h; control data other than SCM_RIGHTS, refused, is ignored). */
static void on_sendmsg(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *x = c->req->data.args;
	int flags = (int)x[2];
	struct nl_link *l = link_at(arg, c, (int)x[0]);
	if (!l)
		return;
	struct sockmsg m = {.addrlen = 0};
	const struct sockaddr_nl *sa = (const struct sockaddr_nl *)&m.addr;
	long r = flags & MSG_OOB ? -EOPNOTSUPP : send_gate(l, c, (int)x[0], flags, a);
	if (r == 0)
		r = sockmsg_read(c, x[1], false, (struct sockmsg_bound){.max = NL_REQ_MAX}, &m);
	if (r == 0 && m.addrlen)
		r = m.addrlen < sizeof(*sa) || sa->nl_family != AF_NETLINK ? -EINVAL
									   : to_kernel(sa);
	if (r == 0)
		r = sockmsg_read_payload(c, &m);
	if (r == 0) {
		respond(l, m.data, m.len);
		r = (long)m.len;
	}
	sockmsg_free(&m);
	answer_send(a, r);
}

/* ---- receives --------------------------------------------------------------------------- */

/* A receive on our duplicate of the child's end, into st->req (at most
 * want bytes: every datagram there is a reply of ours, no larger than
 * NLROUTE_REPLY_MAX), after the requests queued on our end are served.
 * The kernel's result (the datagram's length with MSG_TRUNC), *trunc
 * when it did not fit; ONBEHALF_HOLD or -EAGAIN when nothing is queued.
 * l may be freed (its end gone): not used after. */
static long recv_dup(struct nl_link *l, int dup, size_t want, int flags, bool *trunc)
{
	struct nl_state *st = l->st;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (!pump(l, NL_PUMP_MAX))
		return 0; /* our end is gone: end of file */
	struct iovec iov = {st->req, want};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = recvmsg(dup, &mh, (flags & (MSG_PEEK | MSG_TRUNC)) | MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return would_wait(dup, flags) ? ONBEHALF_HOLD : -EAGAIN;
	*trunc = mh.msg_flags & MSG_TRUNC;
	return n < 0 ? -errno : n;
}

/* The iovecs of a struct msghdr, read once: at most want bytes of them
 * (*n ranges in *out, malloc'd), their total up to it in *room. */
static int read_iovs(struct sl_ctx *c, const struct sockmsg_hdr *h, struct iovec **out, size_t *n,
		     size_t *room)
{
	*out = NULL;
	*n = *room = 0;
	if (h->iovlen > SOCKMSG_IOV_MAX)
		return -EMSGSIZE;
	struct iovec *v = h->iovlen ? malloc(h->iovlen * sizeof(*v)) : NULL;
	if (h->iovlen && !v)
		return -ENOMEM;
	if (h->iovlen && mem_read(&c->mem, h->iov, v, h->iovlen * sizeof(*v)) < 0) {
		free(v);
		return -EFAULT;
	}
	for (size_t i = 0; i < h->iovlen; i++) {
		if ((ssize_t)v[i].iov_len < 0) {
			free(v);
			return -EINVAL;
		}
		size_t take = NLROUTE_REPLY_MAX - *room;
		if (v[i].iov_len < take)
			take = v[i].iov_len;
		if (take)
			v[(*n)++] = (struct iovec){v[i].iov_base, take};
		*room += take;
	}
	*out = v;
	return 0;
}

/* The copied bytes scattered over the child's ranges. */
static int scatter(struct sl_ctx *c, struct iovec *v, size_t n, const void *data, size_t len)
{
	size_t k = 0, left = len;
	for (; k < n && left; k++) {
		if (v[k].iov_len > left)
			v[k].iov_len = left;
		left -= v[k].iov_len;
	}
	return len && mem_writev(&c->mem, v, k, data, len) < 0 ? -EFAULT : 0;
}

/* The ranges one write fills: where each goes in the child, its bytes
 * appended to buf. */
struct wlist {
	struct iovec r[4];
	size_t n, len;
	unsigned char buf[32];
};

static void wput(struct wlist *w, uint64_t at, const void *v, size_t len)
{
	w->r[w->n++] = (struct iovec){(void *)(uintptr_t)at, len};
	memcpy(w->buf + w->len, v, len);
	w->len += len;
}

/* What the kernel writes back into the child's struct msghdr after a
 * receive, in one write: the name (the kernel, nl_pid 0) and its length
 * when a name was given, no control data, the flags. */
static int msghdr_back(struct sl_ctx *c, uint64_t at, const struct sockmsg_hdr *h, bool trunc)
{
	const struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	const int32_t full = sizeof(sa);
	const uint64_t ctl = 0;
	const uint32_t fl = trunc ? MSG_TRUNC : 0;
	size_t n = (size_t)h->namelen < sizeof(sa) ? (size_t)h->namelen : sizeof(sa);
	struct wlist w = {.n = 0};
	if (h->name && n)
		wput(&w, h->name, &sa, n);
	if (h->name)
		wput(&w, at + offsetof(struct sockmsg_hdr, namelen), &full, sizeof(full));
	wput(&w, at + offsetof(struct sockmsg_hdr, controllen), &ctl, sizeof(ctl));
	wput(&w, at + offsetof(struct sockmsg_hdr, flags), &fl, sizeof(fl));
	return mem_writev(&c->mem, w.r, w.n, w.buf, w.len) < 0 ? -EFAULT : 0;
}

/* Emulate for ours (else continue): recvmsg. */
static void on_recvmsg(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct nl_state *st = arg;
	const __u64 *x = c->req->data.args;
	int flags = (int)x[2];
	struct nl_link *l = link_at(st, c, (int)x[0]);
	int dup = l ? dup_of(st, c, (int)x[0], l, NULL) : -1;
	if (dup < 0)
		return;
	struct sockmsg_hdr h;
	struct iovec *v = NULL;
	size_t nv = 0, room = 0;
	bool trunc = false;
	long r = mem_read(&c->mem, x[1], &h, sizeof(h)) < 0 ? -EFAULT : 0;
	if (r == 0 && h.name && h.namelen < 0)
		r = -EINVAL;
	if (r == 0)
		r = read_iovs(c, &h, &v, &nv, &room);
	if (r == 0)
		r = recv_dup(l, dup, room, flags, &trunc);
	if (r >= 0) {
		size_t copied = (size_t)r < room ? (size_t)r : room;
		int w = scatter(c, v, nv, st->req, copied);
		r = w < 0 ? w : msghdr_back(c, x[1], &h, trunc) < 0 ? -EFAULT : r;
	}
	free(v);
	close(dup);
	onbehalf_answer(a, r);
}

/* Emulate for ours (else continue): recvfrom with an address (the form
 * notified). */
static void on_recvfrom(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct nl_state *st = arg;
	const __u64 *x = c->req->data.args;
	int flags = (int)x[3];
	/* without an address (a user handler's rule brings every call): the
	 * pair's own receive is the kernel's answer */
	struct nl_link *l = x[4] ? link_at(st, c, (int)x[0]) : NULL;
	int dup = l ? dup_of(st, c, (int)x[0], l, NULL) : -1;
	if (dup < 0)
		return;
	size_t want = x[2] < NLROUTE_REPLY_MAX ? (size_t)x[2] : NLROUTE_REPLY_MAX;
	int32_t alen;
	bool trunc = false;
	long r = read_len(c, x[5], &alen);
	if (r == 0)
		r = recv_dup(l, dup, want, flags, &trunc);
	if (r >= 0) {
		size_t copied = (size_t)r < want ? (size_t)r : want;
		if ((copied && mem_write(&c->mem, x[1], st->req, copied) < 0) ||
		    write_nladdr(c, x[4], x[5], alen, 0) < 0)
			r = -EFAULT;
	}
	close(dup);
	onbehalf_answer(a, r);
}

/* clang-format off */
/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
    H_on_socket,
    H_on_bind,
    H_on_getsockname,
    H_on_connect,
    H_on_sendto,
    H_on_sendmsg,
    H_on_recvmsg,
    H_on_recvfrom,
};

static const sl_hfn handlers[] = {
    [H_on_socket] = on_socket,
    [H_on_bind] = on_bind,
    [H_on_getsockname] = on_getsockname,
    [H_on_connect] = on_connect,
    [H_on_sendto] = on_sendto,
    [H_on_sendmsg] = on_sendmsg,
    [H_on_recvmsg] = on_recvmsg,
    [H_on_recvfrom] = on_recvfrom,
};

static const struct sl_frow netlink_rules[] = {
    {{__NR_socket, 3, SL_NETLINK_ROUTE_CMPS}, H_on_socket},
    /* the calls only a view socket needs answered: on the fd numbers the
     * view's sockets are given (free_slot), nothing else */
    {{__NR_bind, 1, {SLOT_CMP}}, H_on_bind},
    {{__NR_getsockname, 1, {SLOT_CMP}}, H_on_getsockname},
    {{__NR_connect, 0, {{0}}}, H_on_connect},
    /* unixsock.c's forms, exactly (the rules are merged): an address
     * given and no Fast Open; every sendmsg but Fast Open */
    {{__NR_sendto, 2, {SL_ANE(4, 0), SL_AMASK(3, MSG_FASTOPEN, 0)}}, H_on_sendto},
    {{__NR_sendmsg, 1, {SL_AMASK(2, MSG_FASTOPEN, 0)}}, H_on_sendmsg},
    /* on the view's fd numbers */
    {{__NR_recvmsg, 1, {SLOT_CMP}}, H_on_recvmsg},
    {{__NR_recvfrom, 2, {SLOT_CMP, SL_ANE(4, 0)}}, H_on_recvfrom},
};
/* clang-format on */

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct nl_state *st = state;
	st->loop = s->loop;
	return onbehalf_get(s, env->policy, -1, &st->ob);
}

static void release(void *state)
{
	struct nl_state *st = state;
	while (st->n)
		link_free(st, st->links[st->n - 1]);
	free(st->req);
	free(st->reply);
	onbehalf_put(st->ob);
}

/* Always on: getifaddrs and getaddrinfo need it in every sandbox. */
const struct sl_feature feature_netlink = {
    .name = "netlink route view",
    SL_FRULES(netlink_rules, handlers),
    .state_size = sizeof(struct nl_state),
    .init = init,
    .release = release,
};
