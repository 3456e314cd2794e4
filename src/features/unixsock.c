/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unixsock.c - connect and sendto with an address: a pathname unix
 * socket only in a writable tree.
 *
 * Emulate.  Landlock (ABI 7) does not check a connect to a pathname unix
 * socket: a readable /run would reach a root daemon's socket (the Docker
 * or D-Bus system socket).  The address is in memory BPF cannot read, so
 * every connect, and every sendto whose address pointer is not NULL (a
 * register: the filter tests it, and keeps refusing MSG_FASTOPEN), is
 * notified.  Nothing here is continued after the child's memory was
 * read, and every decision is on our duplicate of the socket (its family
 * from getsockopt(SO_DOMAIN): a kernel fact), never on the fd number: a
 * thread could dup2() a unix socket onto that number after the check.
 *
 *   - a unix socket: the address is read once.  A pathname is resolved
 *     and decided by the on-behalf core (onbehalf.h: the socket file must
 *     lie in a writable tree), and the supervisor connects (or sends a
 *     copy of the data) on the duplicate, to /proc/self/fd/N of the O_PATH
 *     fd it checked, with the child's credentials (aschild.h: the peer's
 *     SO_PEERCRED shows the child's ids, but the supervisor's pid).  An
 *     abstract address is refused (EPERM) while Landlock's abstract-socket
 *     scope is on: connecting here would bypass the scope (the supervisor
 *     is outside the sandbox's domain), and continuing would let a thread
 *     turn the address into a pathname after the check; with the scope
 *     off it is made here like the rest.  Other addresses (AF_UNSPEC, too
 *     short) are made here too: the kernel answers without a lookup;
 *   - a TCP socket, when Landlock rules the sandbox's TCP connects: made
 *     on a worker thread (onbehalf_call_confined) which carries a ruleset
 *     with the same connect rules (none allowed: net_allow is not
 *     supported yet), so the kernel gives the answer it would give the
 *     child (EACCES, or the AF_UNSPEC disconnect), with no network
 *     traffic that could block;
 *   - continued: a TCP socket when the net-tcp protection is disabled
 *     (then the kernel checks nothing and a thread swapping a unix socket
 *     onto the fd after the check could reach any pathname: that gap is
 *     the price of disabling it), and a datagram socket of another family
 *     (none can be made inside: the filter refuses them);
 *   - refused (EACCES): a connection-oriented socket of another family,
 *     which only an fd inherited from the host can be.
 * Where pidfd_getfd is refused (Docker's default seccomp profile without
 * CAP_SYS_PTRACE), no socket can be duplicated: these calls are refused
 * with EPERM.
 *
 * Blocking: the supervisor must not sleep in a call.  A connect is made
 * with O_NONBLOCK set on the open file for its duration (the child's
 * other threads may see it set meanwhile), a send with MSG_DONTWAIT;
 * when the child's own call would have waited (EAGAIN, a full backlog or
 * receive queue), the notification is held and made again later.
 * SO_SNDTIMEO is not honoured, and a blocking stream send may return a
 * short count.
 *
 * Not covered: sendmsg and sendmmsg carry the address inside a struct
 * msghdr BPF cannot read, and the sandbox's own start-up sends its
 * listener with sendmsg before exec (a notification nobody could answer
 * yet), so they are not notified: a datagram to a pathname unix socket
 * outside the writable trees goes through sendmsg.  A stream socket can
 * only be connected by connect.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "feature.h"
#include "landlock.h"
#include "onbehalf.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif
#define SEND_MAX (8u << 20) /* a datagram larger than any send buffer */
/* on_other's "let the kernel make the call": no result or -errno can be
 * this (a byte count of 1 was, once: the datagram then went twice, the
 * second time to whatever the child's buffer held by then) */
#define CALL_CONTINUES (-200000L)

struct unixsock_state {
	struct onbehalf *ob;
	int ruleset;	/* the worker's TCP rules, -1 none */
	bool scoped;	/* Landlock's abstract unix socket scope is on */
	bool tcp_ruled; /* Landlock decides the sandbox's TCP connects */
};

/* One call, its memory read once. */
struct sockcall {
	bool send;
	int sock; /* our duplicate */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int flags;  /* sendto's */
	void *data; /* sendto's copy */
	size_t len;
	bool nosig; /* the child asked for MSG_NOSIGNAL */
	bool waits; /* the child's own call would block */
	pid_t tgid, tid;
};

/* ---- the operations (with the child's credentials, on the worker) -------- */

static long sys(long r)
{
	return r < 0 ? -errno : r;
}

/* connect or sendto on our duplicate, never sleeping (see the file's
 * comment); ONBEHALF_HOLD when the child's call would wait. */
static long sock_do(struct sockcall *k, const struct sockaddr *to, socklen_t tolen)
{
	long r;
	if (k->send) {
		int f = k->flags | MSG_DONTWAIT | MSG_NOSIGNAL;
		r = sys(sendto(k->sock, k->data, k->len, f, to, tolen));
		/* the kernel would have sent it to the calling thread */
		if (r == -EPIPE && !k->nosig)
			syscall(SYS_tgkill, k->tgid, k->tid, SIGPIPE);
	} else {
		int fl = fcntl(k->sock, F_GETFL);
		if (fl < 0)
			return -errno;
		if (!(fl & O_NONBLOCK) && fcntl(k->sock, F_SETFL, fl | O_NONBLOCK) < 0)
			return -errno;
		r = sys(connect(k->sock, to, tolen));
		if (!(fl & O_NONBLOCK))
			(void)fcntl(k->sock, F_SETFL, fl);
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
	return sock_do(arg, (const struct sockaddr *)&to, sizeof(to));
}

static long addr_op(void *arg)
{
	struct sockcall *k = arg;
	return sock_do(k, k->addrlen ? (const struct sockaddr *)&k->addr : NULL, k->addrlen);
}

/* ---- the decision ---------------------------------------------------------------- */

enum kind { PATHNAME, ABSTRACT, OTHER };

static enum kind kind_of(const struct sockcall *k)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&k->addr;
	if (k->addrlen <= offsetof(struct sockaddr_un, sun_path) || un->sun_family != AF_UNIX)
		return OTHER;
	return un->sun_path[0] ? PATHNAME : ABSTRACT;
}

/* The path of a pathname address, as unix_mkname_bsd() reads it: up to
 * the first NUL within the length given. */
static void path_of(const struct sockcall *k, char *out)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&k->addr;
	size_t max = k->addrlen - offsetof(struct sockaddr_un, sun_path);
	if (max > sizeof(un->sun_path))
		max = sizeof(un->sun_path);
	size_t n = strnlen(un->sun_path, max);
	memcpy(out, un->sun_path, n);
	out[n] = 0;
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

/* A socket of another family: CALL_CONTINUES, -EACCES, or 0 to make the
 * call on the worker (see the file's comment). */
static long other_family(const struct unixsock_state *st, int sock, int domain)
{
	int type = 0, proto = 0;
	socklen_t sl = sizeof(type);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &sl) < 0 ||
	    getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &proto, &sl) < 0)
		return -errno;
	bool inet = domain == AF_INET || domain == AF_INET6;
	if (inet && type == SOCK_STREAM && proto == IPPROTO_TCP)
		return st->tcp_ruled ? 0 : CALL_CONTINUES;
	return type == SOCK_DGRAM ? CALL_CONTINUES : -EACCES;
}

/* ---- the calls ---------------------------------------------------------------------- */

/* The address (at most a sockaddr_storage, as move_addr_to_kernel). */
static int read_addr(struct sl_ctx *c, uint64_t addr, int len, struct sockcall *k)
{
	if (len < 0 || (size_t)len > sizeof(k->addr))
		return -EINVAL;
	k->addrlen = (socklen_t)len;
	return len && mem_read(&c->mem, addr, &k->addr, (size_t)len) < 0 ? -EFAULT : 0;
}

/* sendto's data, copied (bounded: a larger one fails EMSGSIZE anyway). */
static int read_data(struct sl_ctx *c, uint64_t buf, size_t len, struct sockcall *k)
{
	if (len > SEND_MAX)
		return -EMSGSIZE;
	k->len = len;
	if (len && !(k->data = malloc(len)))
		return -ENOMEM;
	return len && mem_read(&c->mem, buf, k->data, len) < 0 ? -EFAULT : 0;
}

/* What the child's own call would do when the socket has no room. */
static bool would_wait(const struct sockcall *k)
{
	int fl = fcntl(k->sock, F_GETFL);
	return fl >= 0 && !(fl & O_NONBLOCK) && !(k->send && (k->flags & MSG_DONTWAIT));
}

static long sock_call(struct unixsock_state *st, struct sl_ctx *c, struct sockcall *k)
{
	uint64_t a[6];
	for (int i = 0; i < 6; i++)
		a[i] = c->req->data.args[i];
	int domain = 0;
	socklen_t sl = sizeof(domain);
	long r = 0;
	if (getsockopt(k->sock, SOL_SOCKET, SO_DOMAIN, &domain, &sl) < 0)
		return -errno; /* ENOTSOCK, as the kernel */
	/* decided before anything is read: nothing read decides it */
	if (domain != AF_UNIX && (r = other_family(st, k->sock, domain)) != 0)
		return r;
	if (k->send) {
		k->flags = (int)a[3];
		k->nosig = k->flags & MSG_NOSIGNAL;
		r = read_data(c, a[1], (size_t)a[2], k);
	}
	if (r == 0)
		r = read_addr(c, k->send ? a[4] : a[1], (int)(k->send ? a[5] : a[2]), k);
	k->waits = would_wait(k);
	k->tgid = c->proc->pid;
	k->tid = (pid_t)c->req->pid;
	if (r < 0)
		return r;
	if (domain == AF_UNIX)
		return on_unix(st, c, k);
	return onbehalf_call_confined(st->ob, c, addr_op, k);
}

static void on_sock(struct sl_ctx *c, struct sl_action *a, void *arg, bool send)
{
	struct unixsock_state *st = arg;
	struct sockcall k = {.send = send};
	/* a NULL address: the filter does not notify it (sendto) */
	if (send && !c->req->data.args[4]) {
		*a = sl_act_continue();
		return;
	}
	k.sock = onbehalf_child_fd(st->ob, c, (int)c->req->data.args[0], OB_FD_SOCKET);
	long r = k.sock;
	if (r == -EPERM || r == -EACCES || r == -ENOSYS)
		r = -EPERM; /* pidfd_getfd refused: nothing can be checked */
	if (k.sock >= 0)
		r = sock_call(st, c, &k);
	if (k.sock >= 0)
		close(k.sock);
	free(k.data);
	if (r == CALL_CONTINUES)
		*a = sl_act_continue();
	else
		onbehalf_answer(a, r);
}

static void on_connect(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	on_sock(c, a, arg, false);
}

static void on_sendto(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	on_sock(c, a, arg, true);
}

static const struct sl_frule unixsock_rules[] = {
    {{__NR_connect, 0, {{0}}}, on_connect},
    /* an address given, and not a Fast Open (the filter refuses those):
     * exactly what the filter's sendto rule leaves */
    {{__NR_sendto, 2, {SL_ANE(4, 0), SL_AMASK(3, MSG_FASTOPEN, 0)}}, on_sendto},
};

/* The worker's ruleset: TCP connects handled, none allowed, the same as
 * the sandbox's (plan.c grants connect ports to none while net_allow,
 * which would, is refused as "not supported yet"). */
static int tcp_ruleset(const struct sandlock_sandbox *p)
{
	if (p->net_allow.n)
		return sl_errorf(ENOTSUP, "net_allow: connect rules are not mirrored here yet");
	struct sl_landlock_ruleset_attr attr = {.handled_access_net =
						    LANDLOCK_ACCESS_NET_CONNECT_TCP};
	int fd = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0U);
	return fd < 0 ? sl_errorf(errno, "landlock: TCP ruleset: %s", strerror(errno)) : fd;
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
	st->tcp_ruled = !(skip & (1u << SANDLOCK_PROTECTION_NET_TCP));
	if (st->tcp_ruled && (st->ruleset = tcp_ruleset(p)) < 0)
		return st->ruleset;
	return onbehalf_get(s, p, st->ruleset, &st->ob);
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
    .name = "unix socket addresses",
    SL_FRULES(unixsock_rules),
    .state_size = sizeof(struct unixsock_state),
    .init = init,
    .release = release,
};
