/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unixsock.c - connect, and the sends that can name an address (sendto
 * with one, sendmsg, sendmmsg): a pathname unix socket only in a
 * writable tree, an inet address only as the network policy allows; and
 * listen, which can bind, and the socket options that route.
 *
 * Emulate.  Landlock (ABI 7) does not check a connect or a send to a
 * pathname unix socket: a readable /run would reach a root daemon's
 * socket (the Docker or D-Bus system socket, a datagram to /dev/log).
 * The address is in memory BPF cannot read, so every connect, every
 * sendto whose address pointer is not NULL (a register: the filter tests
 * it, and keeps refusing MSG_FASTOPEN), and every sendmsg and sendmmsg
 * (their address is inside a struct msghdr) is notified.  Nothing here
 * is continued after the child's memory was read, and every decision is
 * on our duplicate of the socket (its family from getsockopt(SO_DOMAIN):
 * a kernel fact), never on the fd number: a thread could dup2() a unix
 * socket onto that number after the check.
 *
 *   - a unix socket: the address is read once.  A pathname is resolved
 *     and decided by the on-behalf core (onbehalf.h: the socket file must
 *     lie in a writable tree), and the supervisor connects (or sends a
 *     copy of the data) on the duplicate, to /proc/self/fd/N of the O_PATH
 *     fd it checked, with the child's credentials (aschild.h: the peer's
 *     SO_PEERCRED, and the SCM_CREDENTIALS the kernel attaches to a
 *     datagram for a receiver with SO_PASSCRED, show the child's ids but
 *     the supervisor's pid).  An abstract address is refused (EPERM)
 *     while Landlock's abstract-socket scope is on: connecting here would
 *     bypass the scope (the supervisor is outside the sandbox's domain),
 *     and continuing would let a thread turn the address into a pathname
 *     after the check; with the scope off it is made here like the rest.
 *     Other addresses (none, AF_UNSPEC, too short) are made here too: the
 *     kernel answers without a lookup;
 *   - a message's control data (sockmsg.h): SCM_RIGHTS is passed by the
 *     fetcher (onbehalf_send_fds: a file of the child's must never enter
 *     the host's table, where its close would drop the host's POSIX
 *     locks); SCM_CREDENTIALS is refused (EPERM: the supervisor cannot
 *     send the child's pid, and with a capability could send any); for a
 *     unix socket nothing else reaches the kernel, for another family the
 *     rest is passed on;
 *   - a TCP connect, when Landlock's port rules alone decide the
 *     sandbox's TCP connects (no network policy, or one whose TCP rules
 *     all target any address: netplan.h): made on a worker thread
 *     (onbehalf_call_confined) which carries a ruleset with the same
 *     connect rules, so the kernel gives the answer it would give the
 *     child (EACCES, or the AF_UNSPEC disconnect);
 *   - an inet connect, and an inet datagram send with an address, under a
 *     network policy that names addresses (net_allow, net_deny): the
 *     address, read once, is decided by the policy (netmatch.h: a
 *     v4-mapped address as its IPv4 one; the protocol from SO_PROTOCOL)
 *     and refused with ECONNREFUSED, or connected or sent to here on the
 *     duplicate, with that same copy.  udp_sendmsg() takes an AF_UNSPEC
 *     address as AF_INET: it is decided and sent as one.  A send on a
 *     TCP socket never connects (MSG_FASTOPEN and TCP_FASTOPEN_CONNECT
 *     are refused by the filter), and the kernel ignores its address:
 *     made here, on the duplicate, undecided;
 *   - a datagram socket with no network policy (none can be made inside
 *     then: the filter refuses them; one inherited from the host), and a
 *     TCP connect when the net-tcp protection is disabled and no network
 *     policy applies: connected or sent to here, on the duplicate, with
 *     no decision.  Never continued: a TCP connect once was (the kernel
 *     checks nothing then), and a thread swapping a unix socket onto the
 *     fd number between the check and the kernel's own call connected
 *     that one to any pathname, outside the writable trees too;
 *   - refused (EACCES): any other socket of another family, which only an
 *     fd inherited from the host can be;
 *   - listen (every call, continued when the bind rules allow a port of
 *     the kernel's choice): an unbound TCP socket binds one itself, a bind
 *     Landlock does not see (on_listen): refused (EACCES), and any other
 *     listen made on the duplicate;
 *   - a route of the socket's own (setsockopt IP_OPTIONS, IPV6_RTHDR,
 *     IPV6_2292PKTOPTIONS; as control data, sockmsg.h): refused (EPERM),
 *     its packets would go to its first hop, not to the address decided
 *     (on_route_opt).
 * Where pidfd_getfd is refused (Docker's default seccomp profile without
 * CAP_SYS_PTRACE), no socket can be duplicated: these calls are refused
 * with EPERM.
 *
 * Blocking: the supervisor must not sleep in a call.  A connect is made
 * with O_NONBLOCK set on the open file for its duration (the child's
 * other threads may see it set meanwhile), a send with MSG_DONTWAIT.  A
 * blocking TCP connect whose handshake is not over when connect returns
 * (EINPROGRESS) is held until our copy polls writable, and then answered
 * from the socket's state (connect_progress: SO_ERROR, the peer), never
 * from its address read again; SO_SNDTIMEO does not bound that wait, nor
 * does a signal end it (the notification is received: the caller's wait
 * is killable only).  Otherwise,
 * when the child's own call would have waited (EAGAIN, a full backlog or
 * receive queue), the notification is held and made again later (the
 * engine offers it again every 100 ms, or at once when our copy of a
 * stream socket, or of one sending without a name, polls writable:
 * wait_fd()).  SO_SNDTIMEO is not honoured, and a blocking stream send
 * may return a short count (what the send buffer took: no more than the socket's send buffer is
 * read from the child per call), as may a blocking sendmmsg (the messages sent before one that
 * would wait). What a call would wait for costs the supervisor little: a send's data is read last,
 * and for a held call offered again, or one of more than 64 KiB, only once the kernel's poll says
 * the socket (and for a datagram to a pathname, the receiver's queue: gate()) has room; a unix
 * datagram larger than the send buffer allows is refused (EMSGSIZE) before any is read.
 *
 * MSG_ZEROCOPY: ignored on a socket without SO_ZEROCOPY, as the kernel
 * does; refused (EOPNOTSUPP) on one with it: the kernel would send from
 * our copy of the data after the call, once that memory is the host's
 * again (send_do).
 *
 * Not covered, or not the same: the peer sees the supervisor's pid
 * (SO_PEERCRED, and the SCM_CREDENTIALS the kernel attaches for a
 * receiver with SO_PASSCRED), with the child's ids; a message with
 * SCM_CREDENTIALS of the child's own is refused too; the files a message
 * passes are held to the supervisor's RLIMIT_NOFILE in the kernel's
 * per-user count of fds in flight, not the child's (rlimits are per
 * process: max_open_files does not bound them); io_uring, which could send
 * without any of these syscalls, is denied outright (syscalls.c).  Every
 * sendmsg and sendmmsg costs a round trip, a hand-off to the fetcher for
 * our duplicate of the socket and a copy of its data (40 to 75 us on a
 * 2-vCPU VM against 1 to 2 bare, docs/architecture.md): the price of
 * deciding on memory BPF cannot read.  send, write and sendto without an
 * address are never notified.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "feature.h"
#include "policyfn.h"
#include "httpacl.h"
#include "landlock.h"
#include "netmatch.h"
#include "netplan.h"
#include "netaddr.h"
#include "mem.h"
#include "onbehalf.h"
#include "pidinfo.h"
#include "portremap.h"
#include "portset.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "sockmsg.h"
#include "util.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#define MMSG_MAX   1024	       /* sendmmsg's vlen, as the kernel caps it (UIO_MAXIOV) */
#define STREAM_MIN (64u << 10) /* the least a stream send is read up to */
#define GATE_MIN   (64u << 10) /* more is read only when the socket has room */

struct unixsock_state {
	struct onbehalf *ob;
	const struct sl_netplan *net; /* the network policy (the handle's) */
	int ruleset;		      /* the worker's TCP rules, -1 none */
	bool scoped;		      /* Landlock's abstract unix socket scope is on */
	bool tcp_ruled;		      /* Landlock's net-tcp protection is applied */
	bool ll_decides;	      /* ...and its connect rules alone decide TCP */
	bool remap;		      /* port_remap: loopback connects to virtual ports */
	bool http;		      /* the HTTP ACL: connects to its ports go to its proxy */
};

/* One call (one message of a sendmmsg), its memory read once. */
struct sockcall {
	bool send;
	int sock;		    /* our duplicate */
	int type;		    /* its SO_TYPE */
	int domain;		    /* its SO_DOMAIN */
	int proto;		    /* its SO_PROTOCOL */
	struct sockmsg_bound bound; /* what one call on it may carry */
	struct sockmsg m;
	int flags;  /* the send's */
	bool nosig; /* the child asked for MSG_NOSIGNAL */
	bool waits; /* the child's own call would block */
	pid_t tgid, tid;
	struct onbehalf *ob; /* for a message with files (onbehalf_send_fds) */
	struct sl_ctx *c;
};

/* Where a call is made (route_of). */
enum route { R_UNIX, R_DUP, R_CONFINED };

static bool is_inet(const struct sockcall *k)
{
	return k->domain == AF_INET || k->domain == AF_INET6;
}

/* A TCP connect that may complete later (EINPROGRESS), as the child's
 * blocking call would wait for. */
static bool tcp_connect(const struct sockcall *k)
{
	return !k->send && is_inet(k) && k->type == SOCK_STREAM;
}

/* ---- the operations (with the child's credentials) ------------------------ */

static long sys(long r)
{
	return r < 0 ? -errno : r;
}

/* A send on our duplicate, to `to` or (target >= 0) to the socket file
 * target is an O_PATH fd of; a message with the child's files goes
 * through the fetcher. */
static long send_do(struct sockcall *k, const struct sockaddr *to, socklen_t tolen, int target)
{
	int f = k->flags | MSG_DONTWAIT | MSG_NOSIGNAL, zc = 0;
	socklen_t zl = sizeof(zc);
	/* MSG_ZEROCOPY on a socket with SO_ZEROCOPY (TCP, UDP) pins the
	 * sender's pages and sends from them after the call returns: from
	 * our copy of the data, freed right after and its memory reused by
	 * the host process, whose heap would then go out on the wire.  The
	 * kernel ignores the flag on a socket without SO_ZEROCOPY: so do we.
	 * On one with it the call is refused (EOPNOTSUPP): a copy made
	 * instead would queue none of the completions the sandbox waits for. */
	if ((f & MSG_ZEROCOPY) && getsockopt(k->sock, SOL_SOCKET, SO_ZEROCOPY, &zc, &zl) == 0 && zc)
		return -EOPNOTSUPP;
	f &= ~MSG_ZEROCOPY;
	if (k->m.nfds)
		return onbehalf_send_fds(k->ob, k->c,
					 &(struct ob_send){.sock = k->sock,
							   .target = target,
							   .to = target >= 0 ? NULL : to,
							   .tolen = tolen,
							   .data = k->m.data,
							   .len = k->m.len,
							   .flags = f,
							   .fds = k->m.fds,
							   .nfds = k->m.nfds});
	struct iovec iov = {.iov_base = k->m.data, .iov_len = k->m.len};
	struct msghdr mh = {.msg_name = (void *)to,
			    .msg_namelen = to ? tolen : 0,
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = k->m.ctl,
			    .msg_controllen = k->m.ctllen};
	return sys(sendmsg(k->sock, &mh, f));
}

/* A held TCP connect offered again: how the handshake it started went,
 * from the kernel's state of our copy of the socket (still under way:
 * held again; failed: its error, taken as a blocking connect takes it;
 * done: 0), with nothing read from the child.  Its address was decided
 * when the handshake began; read again, it could be another (a thread
 * rewriting it), and deciding on that would answer for a connection
 * that was never made.  1 when the socket is not connecting (the fd now
 * names another socket): then the call is made afresh. */
static long connect_progress(struct sockcall *k)
{
	struct pollfd p = {.fd = k->sock, .events = POLLOUT};
	if (poll(&p, 1, 0) == 0)
		return ONBEHALF_HOLD;
	int e = 0;
	socklen_t sl = sizeof(e);
	if (getsockopt(k->sock, SOL_SOCKET, SO_ERROR, &e, &sl) < 0)
		return -errno;
	if (e)
		return -e;
	struct sockaddr_storage peer;
	sl = sizeof(peer);
	return getpeername(k->sock, (struct sockaddr *)&peer, &sl) == 0 ? 0 : 1;
}

/* SIGPIPE to the calling thread, as the kernel would send it: through a
 * pidfd of the thread, proven to be the notifier's by the notification
 * still pending after the open, never by its tid (the caller killed
 * meanwhile, the number could be a thread outside the sandbox).  Before
 * thread pidfds (Linux 6.9) by tid, right after the same proof. */
static void sigpipe_caller(const struct sockcall *k)
{
	int fd = pidinfo_pidfd_open(k->tid, PIDFD_THREAD);
	if (mem_pending(&k->c->mem)) {
		if (fd >= 0)
			pidinfo_signal(fd, SIGPIPE);
		else if (fd == -EINVAL)
			syscall(SYS_tgkill, k->tgid, k->tid, SIGPIPE);
	}
	if (fd >= 0)
		close(fd);
}

/* connect or send on our duplicate, never sleeping (see the file's
 * comment); ONBEHALF_HOLD when the child's call would wait. */
static long sock_do(struct sockcall *k, const struct sockaddr *to, socklen_t tolen, int target)
{
	long r;
	if (k->send) {
		r = send_do(k, to, tolen, target);
		/* the kernel would have sent it to the calling thread */
		if (r == -EPIPE && !k->nosig)
			sigpipe_caller(k);
	} else {
		int fl = fcntl(k->sock, F_GETFL);
		if (fl < 0)
			return -errno;
		if (!(fl & O_NONBLOCK) && fcntl(k->sock, F_SETFL, fl | O_NONBLOCK) < 0)
			return -errno;
		r = sys(connect(k->sock, to, tolen));
		if (!(fl & O_NONBLOCK))
			(void)fcntl(k->sock, F_SETFL, fl);
		/* a TCP handshake under way: held until our copy polls
		 * writable, then connected again, which the kernel answers
		 * with 0, the handshake's error, or EALREADY (still waiting) */
		if ((r == -EINPROGRESS || r == -EALREADY) && tcp_connect(k) && k->waits) {
			/* a loopback handshake is often over already */
			long p = connect_progress(k);
			return p == 1 ? ONBEHALF_HOLD : p;
		}
	}
	return r == -EAGAIN && k->waits ? ONBEHALF_HOLD : r;
}

/* A pathname socket, resolved and decided: reached through our O_PATH
 * fd of it, so the kernel looks up the very inode that was checked. */
static long path_op(const struct ob_obj *o, void *arg)
{
	if (!S_ISSOCK(o->st.st_mode))
		return -ECONNREFUSED; /* what the kernel answers for a non-socket */
	struct sockaddr_un to = {.sun_family = AF_UNIX};
	snprintf(to.sun_path, sizeof(to.sun_path), "/proc/self/fd/%d", o->fd);
	return sock_do(arg, (const struct sockaddr *)&to, sizeof(to), o->fd);
}

static long addr_op(void *arg)
{
	struct sockcall *k = arg;
	const struct sockaddr *to = k->m.addrlen ? (const struct sockaddr *)&k->m.addr : NULL;
	return sock_do(k, to, k->m.addrlen, -1);
}

/* ---- the decision ---------------------------------------------------------------- */

enum kind { PATHNAME, ABSTRACT, OTHER };

static enum kind kind_of(const struct sockcall *k)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&k->m.addr;
	if (k->m.addrlen <= offsetof(struct sockaddr_un, sun_path) || un->sun_family != AF_UNIX)
		return OTHER;
	return un->sun_path[0] ? PATHNAME : ABSTRACT;
}

/* The path of a pathname address, as unix_mkname_bsd() reads it: up to
 * the first NUL within the length given. */
static void path_of(const struct sockcall *k, char *out)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&k->m.addr;
	size_t max = k->m.addrlen - offsetof(struct sockaddr_un, sun_path);
	if (max > sizeof(un->sun_path))
		max = sizeof(un->sun_path);
	size_t n = strnlen(un->sun_path, max);
	memcpy(out, un->sun_path, n);
	out[n] = 0;
}

/* The network policy's answer for the address of an inet call made
 * here: 0 to go on, -ECONNREFUSED when denied, -EINVAL for an address too
 * short to be one.  The protocol is the socket's (SO_PROTOCOL), never
 * what the child says; the address is the copy the call will use. */
static long inet_check(const struct unixsock_state *st, struct sockcall *k)
{
	if (!st->net->policy || !k->m.addrlen)
		return 0; /* no address: the connected peer, checked at its connect */
	struct sockaddr_in *in = (struct sockaddr_in *)&k->m.addr;
	/* udp_sendmsg() sends to an AF_UNSPEC address as to an AF_INET one:
	 * so it is decided, and sent, as one (elsewhere AF_UNSPEC is a
	 * disconnect, or no address) */
	if (k->send && k->domain == AF_INET && k->proto == IPPROTO_UDP &&
	    k->m.addrlen >= sizeof(*in) && in->sin_family == AF_UNSPEC)
		in->sin_family = AF_INET;
	/* 0.0.0.0 and :: are the loopback to the kernel: decided, and
	 * made, as the loopback (netmatch.h) */
	netmatch_sockaddr_pin_unspecified(&k->m.addr, k->m.addrlen);
	enum sl_proto p;
	switch (k->proto) {
	case IPPROTO_TCP:
		p = SL_PROTO_TCP;
		break;
	case IPPROTO_UDP:
		p = SL_PROTO_UDP;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		p = SL_PROTO_ICMP;
		break;
	default:
		return -ECONNREFUSED; /* no rule speaks of it (UDP-Lite...) */
	}
	int v = netmatch_sockaddr(&st->net->acl, p, &k->m.addr, k->m.addrlen);
	if (v == -EAFNOSUPPORT) /* the kernel refuses it, or disconnects */
		return 0;
	if (v < 0)
		return v;
	return v == SL_NET_ALLOW ? 0 : -ECONNREFUSED;
}

static long on_unix(struct unixsock_state *st, struct sl_ctx *c, struct sockcall *k)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	switch (kind_of(k)) {
	case PATHNAME:
		path_of(k, path);
		return onbehalf_run(st->ob, c,
				    &(struct ob_req){.dirfd = AT_FDCWD,
						     .path = path,
						     .need = OB_WRITE,
						     .op = path_op,
						     .arg = k});
	case ABSTRACT:
		if (st->scoped)
			return -EPERM;
		return onbehalf_call(st->ob, c, addr_op, k);
	case OTHER:
		break;
	}
	return onbehalf_call(st->ob, c, addr_op, k);
}

/* What one send on sock may carry, so that no more is read from the
 * child than the kernel could take: a unix datagram (or seqpacket)
 * larger than its send buffer less 32 bytes fails EMSGSIZE
 * (unix_dgram_sendmsg's own check, made before the kernel reads a byte);
 * a byte stream takes about its send buffer in one non-blocking call
 * (the rest would be copied for nothing, and copied again at each
 * retry); another family's datagram, SOCKMSG_DATA_MAX. */
static struct sockmsg_bound send_bound(int sock, int domain, int type)
{
	int buf = 0;
	socklen_t sl = sizeof(buf);
	bool stream = type == SOCK_STREAM;
	size_t max = SOCKMSG_DATA_MAX;
	if ((stream || domain == AF_UNIX) &&
	    getsockopt(sock, SOL_SOCKET, SO_SNDBUF, &buf, &sl) == 0)
		max = stream ? ((size_t)buf < STREAM_MIN ? STREAM_MIN : (size_t)buf)
			     : (buf > 32 ? (size_t)buf - 32 : 0);
	return (struct sockmsg_bound){.max = max, .stream = stream};
}

/* Where a TCP connect is made: on the worker when Landlock's connect
 * rules decide it, here when the addresses do (after the policy's check)
 * or when no rule of either kind applies (net-tcp disabled, no network
 * policy: nothing to decide, but the call is still made on our
 * duplicate, never continued). */
static enum route tcp_route(const struct unixsock_state *st)
{
	if (st->http)
		return R_DUP; /* where the connect goes is ours to choose */
	if (st->ll_decides)
		return R_CONFINED;
	if (st->net->policy || !st->tcp_ruled)
		return R_DUP;
	return R_CONFINED;
}

/* Where the call on our duplicate (sock, of family domain) is made, or
 * -EACCES (see the file's comment).  Decided before anything is read
 * from the child: nothing it wrote decides it. */
static long route_of(const struct unixsock_state *st, struct sockcall *k, int domain,
		     enum route *rt)
{
	int proto = 0;
	socklen_t sl = sizeof(k->type);
	if (getsockopt(k->sock, SOL_SOCKET, SO_TYPE, &k->type, &sl) < 0 ||
	    getsockopt(k->sock, SOL_SOCKET, SO_PROTOCOL, &proto, &sl) < 0)
		return -errno;
	k->domain = domain;
	k->proto = proto;
	if (k->send)
		k->bound = send_bound(k->sock, domain, k->type);
	if (domain == AF_UNIX)
		*rt = R_UNIX;
	else if (is_inet(k) && k->type == SOCK_STREAM && proto == IPPROTO_TCP)
		*rt = k->send ? R_DUP : tcp_route(st);
	else if (k->type == SOCK_DGRAM)
		*rt = R_DUP;
	else
		return -EACCES;
	return 0;
}

static bool loopback(const struct sl_net_addr *a)
{
	static const uint8_t v6[16] = {[15] = 1};
	return a->family == AF_INET ? a->addr[0] == 127 : memcmp(a->addr, v6, 16) == 0;
}

/* port_remap: a loopback TCP connect to a virtual port the sandbox bound
 * goes to the real port the supervisor bound for it (portremap.h).  It is
 * decided on the virtual port, which the sandbox asked for and its rules
 * speak of: where Landlock decides (the confined worker), which would see
 * the real port, the same list is checked here, and the call is made
 * here.  0 (the port in k's address rewritten, *here set), or -EACCES. */
static long remap_dest(const struct unixsock_state *st, struct sl_ctx *c, struct sockcall *k,
		       enum route rt, bool *here)
{
	struct sl_net_addr a;
	uint16_t port;
	if (!st->remap || !tcp_connect(k) ||
	    netaddr_from_sockaddr(&k->m.addr, k->m.addrlen, &a, &port) < 0 || !loopback(&a))
		return 0;
	int real = portremap_real(c->sup, k->domain, port);
	if (real <= 0 || real == port)
		return 0;
	if (rt == R_CONFINED && !sl_u32v_contains(&st->net->connect_ports, port))
		return -EACCES;
	/* sin_port and sin6_port are both at offset 2 */
	uint16_t be = htons((uint16_t)real);
	memcpy((char *)&k->m.addr + 2, &be, sizeof(be));
	*here = true;
	return 0;
}

/* The network policy's refusal, as an event (denials.h). */
static void refused(struct sl_ctx *c, const struct sockcall *k)
{
	struct sl_net_addr a;
	uint16_t port = 0;
	char host[NETADDR_STRLEN] = "?", target[NETADDR_STRLEN + 16];
	if (netaddr_from_sockaddr(&k->m.addr, k->m.addrlen, &a, &port) == 0)
		netaddr_format(&a, host);
	snprintf(target, sizeof(target), "%s%s%s:%u", strchr(host, ':') ? "[" : "", host,
		 strchr(host, ':') ? "]" : "", port);
	supervisor_denied(c, ECONNREFUSED, target,
			  "the network policy: no --net-allow rule allows it, or a --net-deny "
			  "rule refuses it");
}

static long run_call(struct unixsock_state *st, struct sl_ctx *c, struct sockcall *k, enum route rt)
{
	/* a TCP send's address is ignored (Fast Open is refused) */
	long r = rt == R_DUP && is_inet(k) && !(k->send && k->type == SOCK_STREAM)
		     ? inet_check(st, k)
		     : 0;
	if (r == -ECONNREFUSED)
		refused(c, k);
	/* the policy callback's say, on the copy the call will use; a send
	 * with no destination goes to the peer decided at its connect */
	if ((r == 0 || r == -ECONNREFUSED) &&
	    !(k->send && (!k->m.addrlen || k->type == SOCK_STREAM))) {
		long p = policyfn_net(c, k->m.addrlen ? &k->m.addr : NULL, k->m.addrlen, r < 0);
		if (r == 0)
			r = p;
	}
	bool here = false;
	if (r == 0)
		r = remap_dest(st, c, k, rt, &here);
	/* decided: an intercepted port's connect goes to the HTTP proxy,
	 * which forwards each request the HTTP rules allow to this address */
	if (r == 0 && st->http && rt == R_DUP && tcp_connect(k) && k->m.addrlen)
		r = httpacl_redirect(c->sup, k->sock, k->domain, &k->m.addr, &k->m.addrlen);
	if (r < 0)
		return r;
	if (here)
		return addr_op(k);
	switch (rt) {
	case R_UNIX:
		return on_unix(st, c, k);
	case R_DUP:
		/* an inet connect checks no credential of the caller (the
		 * socket's own were fixed when it was made; an autobind takes
		 * an ephemeral port): made as is, without switching ids and
		 * capabilities for it.  A send may carry control data some of
		 * which does (SO_MARK, IP_TRANSPARENT's): as the child. */
		if (!k->send && is_inet(k))
			return addr_op(k);
		return onbehalf_call(st->ob, c, addr_op, k);
	case R_CONFINED:
		break;
	}
	return onbehalf_call_confined(st->ob, c, addr_op, k);
}

/* ---- room: asked before the data is read -------------------------------------------- */

/* Whether sock has no room for a send now, as the kernel's poll tells a
 * sender it would wake (a listening socket never has any, but a send on
 * it fails at once: never waited for). */
static bool sock_full(int sock)
{
	int listening = 0;
	socklen_t sl = sizeof(listening);
	if (getsockopt(sock, SOL_SOCKET, SO_ACCEPTCONN, &listening, &sl) == 0 && listening)
		return false;
	struct pollfd p = {.fd = sock, .events = POLLOUT};
	int n = poll(&p, 1, 0);
	return n == 0 || (n == 1 && !(p.revents & (POLLOUT | POLLERR | POLLHUP)));
}

/* A datagram to the socket file o (resolved and decided): 1 when the
 * receiver's queue is full.  Asked of the kernel with a socket of ours
 * connected to it, no data sent (the poll of a connected datagram socket
 * looks at its peer's queue); 0 on any failure: the send reports it. */
static long room_op(const struct ob_obj *o, void *arg)
{
	(void)arg;
	if (!S_ISSOCK(o->st.st_mode))
		return 0;
	struct sockaddr_un to = {.sun_family = AF_UNIX};
	snprintf(to.sun_path, sizeof(to.sun_path), "/proc/self/fd/%d", o->fd);
	int t = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	long full =
	    t >= 0 && connect(t, (const struct sockaddr *)&to, sizeof(to)) == 0 && sock_full(t);
	if (t >= 0)
		close(t);
	return full;
}

/* Whether an unconnected send on sock would wait for its own send
 * buffer: what it has queued (SIOCOUTQ: the bytes charged to it) fills
 * the buffer, the kernel's test before it takes a datagram.  Its poll
 * would look at the peer it is connected to, not where this one goes. */
static bool own_full(int sock)
{
	int queued = 0, buf = 0;
	socklen_t sl = sizeof(buf);
	return ioctl(sock, SIOCOUTQ, &queued) == 0 &&
	       getsockopt(sock, SOL_SOCKET, SO_SNDBUF, &buf, &sl) == 0 && queued >= buf;
}

/* Asked before the message's data is read, for a held call offered
 * again and for one of more than GATE_MIN bytes: would it wait?  Then
 * the call is held again (or EAGAIN without a wait), nothing read.  The
 * engine offers a held call again at intervals, and each offer used to
 * read its data again: a sandbox holding a few hundred sends to a peer
 * that never reads, each of megabytes where the send buffer allows it,
 * kept the host's CPU busy with copies while its threads slept (and a
 * non-blocking send to a full socket cost a copy per call).  A stream or
 * a send without a name: the socket's poll.  With a name: its own send
 * buffer, and for a unix datagram to a pathname the receiver's queue
 * (room_op; the name resolved and decided as for the send, which does it
 * again).  A unix stream given a name fails at once: never held.  0 to
 * go on, or the call's answer. */
static long gate(struct unixsock_state *st, struct sl_ctx *c, struct sockcall *k, enum route rt)
{
	if (!c->reoffer && k->m.len <= GATE_MIN)
		return 0;
	bool stream = k->type == SOCK_STREAM, full;
	if (stream && k->m.addrlen && rt == R_UNIX)
		return 0;
	if (stream || !k->m.addrlen) {
		full = sock_full(k->sock);
	} else {
		full = own_full(k->sock);
		if (!full && rt == R_UNIX && kind_of(k) == PATHNAME) {
			char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
			path_of(k, path);
			full = onbehalf_run(st->ob, c,
					    &(struct ob_req){.dirfd = AT_FDCWD,
							     .path = path,
							     .need = OB_WRITE,
							     .op = room_op}) == 1;
		}
	}
	if (!full)
		return 0;
	return k->waits ? ONBEHALF_HOLD : -EAGAIN;
}

/* ---- the calls ---------------------------------------------------------------------- */

/* The address of connect or sendto (at most a sockaddr_storage, as
 * move_addr_to_kernel). */
static int read_addr(struct sl_ctx *c, uint64_t addr, int len, struct sockcall *k)
{
	if (len < 0 || (size_t)len > sizeof(k->m.addr))
		return -EINVAL;
	k->m.addrlen = (socklen_t)len;
	return len && mem_read(&c->mem, addr, &k->m.addr, (size_t)len) < 0 ? -EFAULT : 0;
}

/* What the child's own call would do when the socket has no room. */
static bool would_wait(const struct sockcall *k)
{
	int fl = fcntl(k->sock, F_GETFL);
	return fl >= 0 && !(fl & O_NONBLOCK) && !(k->send && (k->flags & MSG_DONTWAIT));
}

/* Our duplicate of the call's socket (its first argument), -EPERM where
 * pidfd_getfd is refused: nothing can be checked, and nothing is let
 * through unchecked.  sock_open: and where the call goes. */
static int child_sock(struct unixsock_state *st, struct sl_ctx *c)
{
	int fd = onbehalf_child_fd(st->ob, c, (int)c->req->data.args[0], OB_FD_SOCKET);
	return fd == -EPERM || fd == -EACCES || fd == -ENOSYS ? -EPERM : fd;
}

static long sock_open(struct unixsock_state *st, struct sl_ctx *c, struct sockcall *k,
		      enum route *rt)
{
	k->sock = child_sock(st, c);
	if (k->sock < 0)
		return k->sock;
	int domain = 0;
	socklen_t sl = sizeof(domain);
	if (getsockopt(k->sock, SOL_SOCKET, SO_DOMAIN, &domain, &sl) < 0)
		return -errno; /* ENOTSOCK, as the kernel */
	k->ob = st->ob;
	k->c = c;
	k->tgid = c->proc->pid;
	k->tid = (pid_t)c->req->pid;
	return route_of(st, k, domain, rt);
}

static void sock_close(struct sockcall *k)
{
	if (k->sock >= 0)
		close(k->sock);
	sockmsg_free(&k->m);
}

/* A held send waits on the socket's own room when that is what it waits
 * for: a stream, or a send without a name (the poll of a connected
 * datagram socket looks at its peer's queue).  The engine offers it again
 * once our copy polls writable, instead of at its next retry (a bulk
 * stream sendmsg to a reader took 100 ms per send buffer).  A datagram
 * to a name (the receiver's queue: no fd of ours tells) and a connect
 * wait for the retry. */
static int wait_fd(const struct sockcall *k)
{
	if (k->sock < 0 || (!k->send && !tcp_connect(k)) ||
	    (k->send && k->type != SOCK_STREAM && k->m.addrlen))
		return -1;
	return fcntl(k->sock, F_DUPFD_CLOEXEC, 3);
}

static void answer(struct sl_action *a, long r, const struct sockcall *k)
{
	onbehalf_answer(a, r);
	if (a->kind == SL_ACT_HOLD)
		a->fd = wait_fd(k);
}

/* Emulate: connect (every call). */
static void on_connect(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct unixsock_state *st = arg;
	struct sockcall k = {.sock = -1};
	enum route rt;
	long r = sock_open(st, c, &k, &rt);
	if (r == 0 && c->reoffer && tcp_connect(&k) && (r = connect_progress(&k)) != 1) {
		answer(a, r, &k);
		sock_close(&k);
		return;
	}
	r = r == 1 ? 0 : r;
	if (r == 0)
		r = read_addr(c, c->req->data.args[1], (int)c->req->data.args[2], &k);
	if (r == 0) {
		k.waits = would_wait(&k);
		r = run_call(st, c, &k, rt);
	}
	answer(a, r, &k);
	sock_close(&k);
}

/* Emulate: sendto with an address (the filter notifies no other). */
static void on_sendto(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct unixsock_state *st = arg;
	const __u64 *x = c->req->data.args;
	struct sockcall k = {.send = true, .sock = -1, .flags = (int)x[3]};
	enum route rt;
	k.nosig = k.flags & MSG_NOSIGNAL;
	long r = sock_open(st, c, &k, &rt);
	if (r == 0)
		r = read_addr(c, x[4], (int)x[5], &k);
	if (r == 0)
		r = sockmsg_read_data(x[1], (size_t)x[2], k.bound, &k.m);
	if (r == 0) {
		k.waits = would_wait(&k);
		r = gate(st, c, &k, rt);
	}
	if (r == 0)
		r = sockmsg_read_payload(c, &k.m);
	if (r == 0)
		r = run_call(st, c, &k, rt);
	answer(a, r, &k);
	sock_close(&k);
}

/* One message of sendmsg or sendmmsg, its struct msghdr at hdr. */
static long one_msg(struct unixsock_state *st, struct sl_ctx *c, struct sockcall *k, enum route rt,
		    uint64_t hdr)
{
	sockmsg_free(&k->m);
	k->m = (struct sockmsg){.addrlen = 0};
	long r = sockmsg_read(c, hdr, rt == R_UNIX, k->bound, &k->m);
	if (r == 0)
		r = gate(st, c, k, rt);
	if (r == 0)
		r = sockmsg_read_payload(c, &k->m);
	return r < 0 ? r : run_call(st, c, k, rt);
}

/* Emulate: sendmsg (every call but the filter's refusals and the start's
 * own, filter.h).  Never continued: another thread could rewrite the
 * name after the check, or dup2 a unix socket onto the fd. */
static void on_sendmsg(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct unixsock_state *st = arg;
	const __u64 *x = c->req->data.args;
	struct sockcall k = {.send = true, .sock = -1, .flags = (int)x[2]};
	enum route rt;
	k.nosig = k.flags & MSG_NOSIGNAL;
	long r = sock_open(st, c, &k, &rt);
	if (r == 0) {
		k.waits = would_wait(&k);
		r = one_msg(st, c, &k, rt, x[1]);
	}
	answer(a, r, &k);
	sock_close(&k);
}

/* Emulate: sendmmsg, message by message as the kernel does: each one's
 * length written back into the child's array, the count sent returned;
 * a failure (or a wait) on the first is the answer, on a later one the
 * count so far (the kernel's answer, the error left for the next call). */
static void on_sendmmsg(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct unixsock_state *st = arg;
	const __u64 *x = c->req->data.args;
	struct sockcall k = {.send = true, .sock = -1, .flags = (int)x[3]};
	enum route rt;
	k.nosig = k.flags & MSG_NOSIGNAL;
	unsigned int vlen = (unsigned int)x[2], sent = 0;
	if (vlen > MMSG_MAX)
		vlen = MMSG_MAX;
	long r = sock_open(st, c, &k, &rt);
	if (r == 0)
		k.waits = would_wait(&k);
	for (; r == 0 && sent < vlen; sent++) {
		uint64_t at = x[1] + (uint64_t)sent * SOCKMSG_MMSG_SIZE;
		long n = one_msg(st, c, &k, rt, at);
		uint32_t len = (uint32_t)n;
		if (n < 0) /* -errno, or ONBEHALF_HOLD */
			r = n;
		else if (mem_write(&c->mem, at + SOCKMSG_MMSG_LENOFF, &len, sizeof(len)) < 0)
			r = -EFAULT;
		if (r != 0)
			break;
	}
	if (r == 0 || sent > 0)
		r = sent;
	answer(a, r, &k);
	sock_close(&k);
}

/* ---- listen ------------------------------------------------------------------------- */

/* Whether the bind rules let a TCP socket take a port of the kernel's
 * choice: Landlock does not restrict binds (net-tcp not applied, or every
 * port allowed), or port 0 is allowed (netmatch_bind_ports). */
static bool autobind_allowed(const struct unixsock_state *st)
{
	return !st->tcp_ruled || !st->net->bind_ruled || portset_contains(&st->net->bind_set, 0);
}

/* Whether a listen on sock may be made: a TCP socket that is not bound
 * yet would bind a port itself (inet_listen: inet_autobind), a bind
 * Landlock never sees (it checks bind and connect), so it is refused as
 * the bind would be (EACCES).  Asked of the socket's state, then of its
 * name: a socket whose connect is under way holds a port it loses when
 * the handshake fails, so anything but an unconnected or listening
 * socket gets inet_listen's own EINVAL without a call.  tcp_set_state()
 * releases that port before it stores TCP_CLOSE, so an unconnected
 * socket seen with a port keeps it: only a bind gives one (Landlock's to
 * check), and a connect, the other way to lose it, is ours, never made
 * while this call is. */
static long listen_check(int sock)
{
	int domain = 0, type = 0, proto = 0;
	socklen_t sl = sizeof(domain);
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &sl) < 0 ||
	    getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &sl) < 0 ||
	    getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &proto, &sl) < 0)
		return -errno;
	if ((domain != AF_INET && domain != AF_INET6) || type != SOCK_STREAM)
		return 0; /* no port, or the kernel's refusal */
	if (proto != IPPROTO_TCP)
		return -EACCES; /* as route_of: only inherited */
	struct tcp_info ti;
	sl = sizeof(ti);
	if (getsockopt(sock, IPPROTO_TCP, TCP_INFO, &ti, &sl) < 0)
		return -errno;
	if (ti.tcpi_state == TCP_LISTEN)
		return 0;
	if (ti.tcpi_state != TCP_CLOSE)
		return -EINVAL;
	struct sockaddr_storage me;
	struct sockaddr_in *in = (struct sockaddr_in *)&me; /* sin6_port is there too */
	sl = sizeof(me);
	if (getsockname(sock, (struct sockaddr *)&me, &sl) < 0)
		return -errno;
	return in->sin_port ? 0 : -EACCES;
}

struct listen_call {
	int sock, backlog;
};

static long listen_op(void *arg)
{
	const struct listen_call *l = arg;
	return sys(listen(l->sock, l->backlog));
}

/* Emulate: listen (every call), when the bind rules refuse a port of
 * the kernel's choice; otherwise continued (nothing to decide).  Made on
 * our duplicate: a thread could dup2 an unbound socket onto the fd
 * number after the check. */
static void on_listen(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct unixsock_state *st = arg;
	if (autobind_allowed(st)) {
		*a = sl_act_continue();
		return;
	}
	struct listen_call l = {.sock = child_sock(st, c), .backlog = (int)c->req->data.args[1]};
	long r = l.sock < 0 ? l.sock : listen_check(l.sock);
	if (r == 0)
		r = onbehalf_call(st->ob, c, listen_op, &l);
	onbehalf_answer(a, r);
	if (l.sock >= 0)
		close(l.sock);
}

/* ---- routes ---------------------------------------------------------------------------- */

/* setsockopt of what routes a socket's packets through hosts of its
 * own: IPv4 options (IP_OPTIONS), an IPv6 routing header (IPV6_RTHDR),
 * RFC 2292's sticky options, which can carry one (IPV6_2292PKTOPTIONS). */
static bool route_opt(int level, int name)
{
	return (level == IPPROTO_IP && name == IP_OPTIONS) ||
	       (level == IPPROTO_IPV6 && (name == IPV6_RTHDR || name == IPV6_2292PKTOPTIONS));
}

/* Refuse (EPERM): setting a route_opt(), unless it only clears it
 * (optlen 0: nothing is read).  Every later packet of the socket would go
 * to the route's first hop, not to the destination decided at connect
 * or send: the kernel takes a segment routing header from anyone, and a
 * connect to an allowed host sent its SYN to ::1.  (An IPv4 source route
 * needs CAP_NET_RAW on recent kernels, not on every one: IPv4 options
 * are refused whole, nothing in a sandbox needs them.)  The same as
 * control data: sockmsg_routes().  Continued otherwise: a user handler's
 * unconditional rule brings every setsockopt here, and nothing else is
 * decided. */
static void on_route_opt(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	(void)arg;
	const __u64 *x = c->req->data.args;
	if (route_opt((int)x[1], (int)x[2]) && (int)x[4] != 0)
		*a = sl_act_errno(EPERM);
	else
		*a = sl_act_continue();
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_connect,
	H_on_sendto,
	H_on_sendmsg,
	H_on_sendmmsg,
	H_on_listen,
	H_on_route_opt,
};

static const sl_hfn handlers[] = {
    [H_on_connect] = on_connect,   [H_on_sendto] = on_sendto, [H_on_sendmsg] = on_sendmsg,
    [H_on_sendmmsg] = on_sendmmsg, [H_on_listen] = on_listen, [H_on_route_opt] = on_route_opt,
};

static const struct sl_frow unixsock_rules[] = {
    {{__NR_connect, 0, {{0}}}, H_on_connect},
    /* an address given, and not a Fast Open (the filter refuses those):
     * exactly what the filter's sendto rule leaves */
    {{__NR_sendto, 2, {SL_ANE(4, 0), SL_AMASK(3, MSG_FASTOPEN, 0)}}, H_on_sendto},
    /* every call the filter does not refuse (Fast Open) */
    {{__NR_sendmsg, 1, {SL_AMASK(2, MSG_FASTOPEN, 0)}}, H_on_sendmsg},
    {{__NR_sendmmsg, 1, {SL_AMASK(3, MSG_FASTOPEN, 0)}}, H_on_sendmmsg},
    {{__NR_listen, 0, {{0}}}, H_on_listen},
    {{__NR_setsockopt, 2, {SL_A32(1, IPPROTO_IP), SL_A32(2, IP_OPTIONS)}}, H_on_route_opt},
    {{__NR_setsockopt, 2, {SL_A32(1, IPPROTO_IPV6), SL_A32(2, IPV6_RTHDR)}}, H_on_route_opt},
    {{__NR_setsockopt, 2, {SL_A32(1, IPPROTO_IPV6), SL_A32(2, IPV6_2292PKTOPTIONS)}},
     H_on_route_opt},
};

/* Network rules that let a connect or a send out need our copy of the
 * socket for every one, and bind rules that leave port 0 out need it for
 * every listen (on_listen): where it cannot be had, the start is refused
 * rather than every such call (EPERM) at run time.  Without bind rules
 * no TCP socket can be bound, so any listen is refused there (a unix
 * socket's too: which one the fd names cannot be told without a copy). */
static int need_fetch(struct unixsock_state *st)
{
	bool outbound = st->net->policy || !st->net->connect_ruled || st->net->connect_ports.n;
	bool listens = st->net->bind_ports.n && !autobind_allowed(st);
	if ((!outbound && !listens) || onbehalf_can_fetch(st->ob))
		return 0;
	if (!outbound)
		return sl_errorf(EPERM,
				 "bind rules: the supervisor makes the sandbox's listens itself, "
				 "on its copy of each socket, and pidfd_getfd is refused here "
				 "(Docker's default seccomp profile allows it only with "
				 "CAP_SYS_PTRACE: add that capability, or a profile that allows "
				 "pidfd_getfd)");
	return sl_errorf(EPERM,
			 "network rules: the supervisor makes the sandbox's connects and "
			 "sends itself, on its copy of each socket, and pidfd_getfd is "
			 "refused here (Docker's default seccomp profile allows it only with "
			 "CAP_SYS_PTRACE: add that capability, or a profile that allows "
			 "pidfd_getfd)");
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct unixsock_state *st = state;
	const struct sandlock_sandbox *p = env->policy;
	uint32_t skip = 0;
	st->ruleset = -1;
	int abi = landlock_require(p->prot_degradable, p->prot_disabled, &skip);
	if (abi < 0)
		return abi;
	st->scoped = !(skip & (1u << SANDLOCK_PROTECTION_ABSTRACT_UNIX_SOCKET_SCOPE));
	st->net = env->net;
	st->tcp_ruled = !(skip & (1u << SANDLOCK_PROTECTION_NET_TCP));
	st->ll_decides = st->tcp_ruled && st->net->connect_ruled && st->net->tcp_pure;
	st->remap = p->port_remap;
	st->http = httpacl_wanted(p);
	if (st->tcp_ruled && st->net->connect_ruled &&
	    (st->ruleset = landlock_connect_ruleset(&st->net->connect_ports)) < 0)
		return st->ruleset;
	int r = onbehalf_get(s, p, st->ruleset, &st->ob);
	return r < 0 ? r : need_fetch(st);
}

static void release(void *state)
{
	struct unixsock_state *st = state;
	onbehalf_put(st->ob);
	if (st->ruleset >= 0)
		close(st->ruleset);
}

/* Always on: every sandbox may make unix sockets. */
const struct sl_feature feature_unixsock = {
    .name = "sockets",
    SL_FRULES(unixsock_rules, handlers),
    .state_size = sizeof(struct unixsock_state),
    .init = init,
    .release = release,
};
