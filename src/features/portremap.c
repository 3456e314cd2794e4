/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portremap.c - port_remap: each sandbox has its own virtual TCP port
 * space.  A bind to a port the host has taken is given another real
 * port, getsockname shows the virtual one, and so does the sandbox's
 * /proc/net/tcp (synthetic.c serves it, portremap_tcp4_file).  Two
 * sandboxes can both listen on 6379; the host finds where each is with
 * sandlock_handle_port_mappings.
 *
 * Emulate: bind and getsockname, every call (an fd and a pointer: BPF
 * can decide nothing).  Every decision is on our duplicate of the socket
 * (onbehalf_child_fd), its family, type and protocol from getsockopt
 * (kernel facts), never on the fd number: a thread can dup2() another
 * socket onto the number after the check.
 *
 *   - a TCP socket of AF_INET or AF_INET6: the address is read once, and
 *     that copy is decided and bound by the supervisor, on the duplicate,
 *     with the child's credentials (aschild.h: a privileged port needs
 *     the capability the child lacks).  Never continued: the kernel would
 *     read the address again, and a thread could have rewritten it.  The
 *     supervisor is outside the sandbox's Landlock domain, so the bind
 *     allowlist (netmatch_bind_ports: net_bind, net_allow_bind less
 *     net_deny_bind) is checked here on the virtual port, with the
 *     errors Landlock's own hook gives in the order it gives them
 *     (bind_check), unless the policy disables the net-tcp protection
 *     (then the kernel would check nothing).  Port 0, the kernel's pick,
 *     is in the list only when the list is '*' alone;
 *   - the port: the virtual port's recorded real port, else the virtual
 *     port itself; on EADDRINUSE, unless the sandbox's own socket holds
 *     that recorded port (then EADDRINUSE, as without the remap), port 0
 *     and the kernel's pick is recorded.  The first bind of a virtual
 *     port is made with SO_REUSEPORT off for its duration: with it, a
 *     second sandbox of the same uid would join the first one's listener
 *     (the kernel lets same-uid SO_REUSEPORT sockets share a port) and
 *     take its connections;
 *   - any other socket (unix, netlink, a UDP socket inherited from the
 *     host) is continued: nothing of the child's memory was read, and the
 *     kernel binds under the sandbox's Landlock domain (a TCP socket
 *     swapped onto the number meanwhile meets Landlock's bind rules,
 *     which are the same list).  So is a bind where pidfd_getfd is
 *     refused (no duplicate: unremapped, Landlock decides);
 *   - getsockname on a TCP socket of ours: made on the duplicate, a real
 *     port shown as its virtual one (an accepted connection's too), and
 *     written back as the kernel's move_addr_to_user() does.
 *
 * Not covered, or not the same: UDP binds are neither remapped nor
 * checked (0.8.0 leaves UDP bind ungoverned); getpeername is not
 * notified (a connection to a remapped port of the same sandbox shows
 * the real port as its peer's); a record outlives its socket (a port the
 * kernel later gives an outgoing connection would show as virtual); a
 * socket bound but not listening is not in /proc/net/tcp, so a second
 * bind of its virtual port is remapped instead of refused; a port the
 * kernel gives a socket that listens or connects unbound (autobind) is
 * not recorded: shown as itself, and not in the sandbox's /proc/net/tcp.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "feature.h"
#include "netmatch.h"
#include "netplan.h"
#include "onbehalf.h"
#include "portmap.h"
#include "portremap.h"

#include "jsonw.h"
#include "portset.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "synthetic.h"
#include "util.h"

#define SIN6_LEN_RFC2133 24	     /* the shortest sockaddr_in6 a bind takes */
#define TABLE_MAX	 (64u << 20) /* the most of /proc/net/tcp read */

struct pr_state {
	struct onbehalf *ob;
	struct sl_portset allow; /* the bind allowlist (virtual ports) */
	bool ruled;		 /* the list applies (net-tcp not disabled) */
	bool remap;		 /* port_remap; else binds are only checked here
				  * (a list too large for Landlock: netplan.h) */
	pthread_mutex_t lock;	 /* the map: the API reads it from other threads */
	bool lock_init;
	struct portmap map;
};

/* One bind, its address read once. */
struct bindcall {
	struct pr_state *st;
	int sock;   /* our duplicate */
	int domain; /* its family */
	int procfd; /* the notifier's /proc/<pid> */
	struct sockaddr_storage sa;
	socklen_t len;
	uint16_t vport;
};

/* ---- the map, under its lock -------------------------------------------------------- */

static uint16_t recorded(struct pr_state *st, int fam, uint16_t vport)
{
	pthread_mutex_lock(&st->lock);
	uint16_t r = portmap_real(&st->map, fam, vport);
	if (!r)
		r = portmap_real(&st->map, fam == AF_INET ? AF_INET6 : AF_INET, vport);
	pthread_mutex_unlock(&st->lock);
	return r;
}

/* A bound socket: a record that fails (no memory) leaves it bound and
 * unmapped (its real port shows), not failed: the bind happened. */
static long record(struct bindcall *b, uint16_t vport, uint16_t real)
{
	struct stat sb;
	uint64_t ino = fstat(b->sock, &sb) == 0 ? (uint64_t)sb.st_ino : 0;
	pthread_mutex_lock(&b->st->lock);
	(void)portmap_set(&b->st->map, b->domain, vport, real, ino);
	pthread_mutex_unlock(&b->st->lock);
	return 0;
}

/* The whole of /proc/<pid>/<name> (a table of the notifier's network
 * namespace) into out: 0 or -errno. */
static int read_table(int procfd, const char *name, struct sl_buf *out)
{
	if (procfd < 0)
		return procfd;
	int fd = openat(procfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = sl_buf_read_fd(out, fd, TABLE_MAX);
	close(fd);
	return r;
}

/* Whether a socket the sandbox bound still holds real port real: listed
 * at it in the notifier's tables, either family.  A table that cannot be
 * read says no (the bind then takes another port). */
static bool own_holds(struct bindcall *b, uint16_t real)
{
	static const char *const tables[] = {"net/tcp", "net/tcp6"};
	bool held = false;
	for (size_t i = 0; i < SL_ARRAY_SIZE(tables) && !held; i++) {
		struct sl_buf t = {0};
		if (read_table(b->procfd, tables[i], &t) == 0) {
			pthread_mutex_lock(&b->st->lock);
			held = portmap_holds(&b->st->map, (const char *)t.p, t.len, real);
			pthread_mutex_unlock(&b->st->lock);
		}
		sl_buf_free(&t);
	}
	return held;
}

/* ---- the bind (with the child's credentials) ---------------------------------------- */

static void set_port(struct sockaddr_storage *sa, uint16_t port)
{
	/* sin_port and sin6_port lie at the same offset */
	((struct sockaddr_in *)sa)->sin_port = htons(port);
}

static uint16_t port_of(const struct sockaddr_storage *sa)
{
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

/* Binds our copy of the address at port.  exclusive: with SO_REUSEPORT
 * off for the call (see the file's comment), restored after. */
static long bind_at(struct bindcall *b, uint16_t port, bool exclusive)
{
	struct sockaddr_storage sa = b->sa;
	int reuse = 0, off = 0;
	socklen_t sl = sizeof(reuse);
	set_port(&sa, port);
	if (exclusive && getsockopt(b->sock, SOL_SOCKET, SO_REUSEPORT, &reuse, &sl) == 0 && reuse &&
	    setsockopt(b->sock, SOL_SOCKET, SO_REUSEPORT, &off, sizeof(off)) < 0)
		return -errno;
	long r = bind(b->sock, (const struct sockaddr *)&sa, b->len) < 0 ? -errno : 0;
	if (exclusive && reuse)
		(void)setsockopt(b->sock, SOL_SOCKET, SO_REUSEPORT, &reuse, sizeof(reuse));
	return r;
}

/* The kernel's pick (port 0), recorded for vport (0: as itself). */
static long bind_pick(struct bindcall *b, uint16_t vport)
{
	long r = bind_at(b, 0, true);
	struct sockaddr_storage got;
	socklen_t gl = sizeof(got);
	if (r < 0)
		return r;
	/* bound: a name that cannot be read leaves it unrecorded */
	if (getsockname(b->sock, (struct sockaddr *)&got, &gl) < 0 || !port_of(&got))
		return 0;
	return record(b, vport ? vport : port_of(&got), port_of(&got));
}

static long bind_op(void *arg)
{
	struct bindcall *b = arg;
	if (!b->st->remap)
		return bind(b->sock, (const struct sockaddr *)&b->sa, b->len) < 0 ? -errno : 0;
	if (!b->vport)
		return bind_pick(b, 0);
	uint16_t rec = recorded(b->st, b->domain, b->vport);
	uint16_t port = rec ? rec : b->vport;
	long r = bind_at(b, port, !rec);
	if (r == 0)
		return record(b, b->vport, port);
	if (r != -EADDRINUSE || (rec && own_holds(b, rec)))
		return r;
	return bind_pick(b, b->vport);
}

/* ---- the decision (before the bind) ------------------------------------------------ */

static bool any_v4(const struct sockaddr_storage *sa)
{
	return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
}

/* Landlock's hook (security/landlock/net.c, current_check_access_socket)
 * on the allowlist: its errors, in its order, so that a bind answers
 * what it would without port_remap. */
static long landlock_check(const struct pr_state *st, const struct bindcall *b)
{
	int fam = b->sa.ss_family;
	if (b->len < offsetof(struct sockaddr, sa_data))
		return -EINVAL;
	/* not Landlock's, and never bound: the protocol refuses them (an
	 * IPv6 socket takes no AF_UNSPEC: Linux 6.18 answers what
	 * inet6_bind would, EINVAL short of 24 bytes, else EAFNOSUPPORT) */
	if ((fam != AF_UNSPEC && fam != AF_INET && fam != AF_INET6) ||
	    (fam == AF_UNSPEC && b->domain != AF_INET))
		return 0;
	if (b->len < (fam == AF_INET6 ? SIN6_LEN_RFC2133 : sizeof(struct sockaddr_in)))
		return -EINVAL;
	if (fam == AF_UNSPEC && !any_v4(&b->sa))
		return -EAFNOSUPPORT;
	if (fam != AF_UNSPEC && fam != b->domain)
		return -EINVAL;
	return portset_contains(&st->allow, port_of(&b->sa)) ? 0 : -EACCES;
}

/* inet_bind's and inet6_bind's own checks, made before they bind. */
static long proto_check(const struct bindcall *b)
{
	int fam = b->len >= offsetof(struct sockaddr, sa_data) ? b->sa.ss_family : -1;
	if (b->domain == AF_INET) {
		if (b->len < sizeof(struct sockaddr_in))
			return -EINVAL;
		/* AF_UNSPEC with INADDR_ANY: an old form __inet_bind takes */
		return fam == AF_INET || (fam == AF_UNSPEC && any_v4(&b->sa)) ? 0 : -EAFNOSUPPORT;
	}
	if (b->len < SIN6_LEN_RFC2133)
		return -EINVAL;
	return fam == AF_INET6 ? 0 : -EAFNOSUPPORT;
}

static long bind_check(const struct pr_state *st, const struct bindcall *b)
{
	long r = st->ruled ? landlock_check(st, b) : 0;
	return r < 0 ? r : proto_check(b);
}

/* ---- the handlers -------------------------------------------------------------------- */

/* Our duplicate of the call's socket (its first argument) when it is a
 * TCP socket of an IP family: 1, *sock and *domain set.  0 for any other
 * socket, or none to be had (the kernel's call: see the file's comment);
 * -errno as the kernel's (EBADF, ENOTSOCK). */
static int tcp_sock(struct pr_state *st, struct sl_ctx *c, int *sock, int *domain)
{
	int fd = onbehalf_child_fd(st->ob, c, (int)c->req->data.args[0], OB_FD_SOCKET);
	if (fd == -EPERM || fd == -EACCES || fd == -ENOSYS)
		return 0;
	if (fd < 0)
		return fd;
	int dom = 0, type = 0, proto = 0;
	socklen_t sl = sizeof(dom);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &sl) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &sl) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &sl) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if ((dom == AF_INET || dom == AF_INET6) && type == SOCK_STREAM && proto == IPPROTO_TCP) {
		*sock = fd;
		*domain = dom;
		return 1;
	}
	close(fd);
	return 0;
}

/* The address of a bind, as move_addr_to_kernel reads it. */
static long read_addr(struct sl_ctx *c, uint64_t addr, int len, struct bindcall *b)
{
	if (len < 0 || (size_t)len > sizeof(b->sa))
		return -EINVAL;
	b->len = (socklen_t)len;
	return len && mem_read(&c->mem, addr, &b->sa, (size_t)len) < 0 ? -EFAULT : 0;
}

/* Emulate: bind (every call; any socket but TCP continues, see above). */
static void on_bind(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct pr_state *st = arg;
	struct bindcall b = {.st = st, .sock = -1, .procfd = procs_dir(c->proc)};
	long r = tcp_sock(st, c, &b.sock, &b.domain);
	if (r == 0) {
		*a = sl_act_continue();
		return;
	}
	/* the kernel reads the length as an int */
	if (r > 0)
		r = read_addr(c, c->req->data.args[1], (int)c->req->data.args[2], &b);
	if (r == 0 && (r = bind_check(st, &b)) == 0) {
		b.vport = port_of(&b.sa);
		r = onbehalf_call(st->ob, c, bind_op, &b);
	}
	onbehalf_answer(a, r);
	if (b.sock >= 0)
		close(b.sock);
}

/* Writes a name back as move_addr_to_user(): the length the child gave
 * read, the name's whole length written back when that one was not
 * negative, then the name cut to the length given. */
static long write_name(struct sl_ctx *c, uint64_t uaddr, uint64_t ulen, const void *k, int klen)
{
	int len;
	if (mem_read(&c->mem, ulen, &len, sizeof(len)) < 0)
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len >= 0 && mem_write(&c->mem, ulen, &klen, sizeof(klen)) < 0)
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return len && mem_write(&c->mem, uaddr, k, (size_t)len) < 0 ? -EFAULT : 0;
}

static long sockname(struct pr_state *st, struct sl_ctx *c, int sock, int domain)
{
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	if (getsockname(sock, (struct sockaddr *)&sa, &sl) < 0)
		return -errno;
	pthread_mutex_lock(&st->lock);
	uint16_t v = portmap_virtual(&st->map, domain, port_of(&sa));
	pthread_mutex_unlock(&st->lock);
	if (v)
		set_port(&sa, v);
	const __u64 *x = c->req->data.args;
	return write_name(c, x[1], x[2], &sa, (int)sl);
}

static bool remaps(struct pr_state *st)
{
	pthread_mutex_lock(&st->lock);
	bool r = portmap_remaps(&st->map);
	pthread_mutex_unlock(&st->lock);
	return r;
}

/* Emulate: getsockname on a TCP socket, while some port is remapped;
 * continued otherwise (the kernel's name is the virtual one then: a
 * notification, 10 us, instead of a duplicate and a call, 47). */
static void on_getsockname(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	struct pr_state *st = arg;
	int sock = -1, domain = 0;
	long r = remaps(st) ? tcp_sock(st, c, &sock, &domain) : 0;
	if (r == 0) {
		*a = sl_act_continue();
		return;
	}
	if (r > 0)
		r = sockname(st, c, sock, domain);
	onbehalf_answer(a, r);
	if (sock >= 0)
		close(sock);
}

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_bind,
	H_on_getsockname,
};

static const sl_hfn handlers[] = {
    [H_on_bind] = on_bind,
    [H_on_getsockname] = on_getsockname,
};

static const struct sl_frow portremap_rules[] = {
    {{__NR_bind, 0, {{0}}}, H_on_bind},
    {{__NR_getsockname, 0, {{0}}}, H_on_getsockname},
};

/* ---- the views ----------------------------------------------------------------------- */

/* The notifier's table name (fam's), filtered: the sandbox's own ports,
 * shown as its virtual ones. */
static int tcp_file(struct sl_buf *out, struct sl_ctx *c, int fam, const char *name)
{
	struct pr_state *st = supervisor_feature_state(c->sup, &feature_portremap);
	struct sl_buf t = {0};
	int r = st ? read_table(procs_dir(c->proc), name, &t) : -ENOENT;
	if (r == 0) {
		pthread_mutex_lock(&st->lock);
		r = portmap_tcp_view(&st->map, fam, (const char *)t.p, t.len, out);
		pthread_mutex_unlock(&st->lock);
	}
	sl_buf_free(&t);
	return r;
}

int portremap_tcp4_file(struct sl_buf *out, struct sl_ctx *c)
{
	return tcp_file(out, c, AF_INET, "net/tcp");
}

int portremap_tcp6_file(struct sl_buf *out, struct sl_ctx *c)
{
	return tcp_file(out, c, AF_INET6, "net/tcp6");
}

bool portremap_on(const struct sandlock_sandbox *policy)
{
	return policy->port_remap;
}

/* ---- the host's side ------------------------------------------------------------------ */

int portremap_real(struct sl_sup *s, int family, uint16_t vport)
{
	struct pr_state *st = supervisor_feature_state(s, &feature_portremap);
	return st ? recorded(st, family, vport) : 0;
}

int portremap_json(struct sl_sup *s, char **out)
{
	struct pr_state *st = supervisor_feature_state(s, &feature_portremap);
	*out = NULL;
	if (!st)
		return 0;
	pthread_mutex_lock(&st->lock);
	int r = portmap_json(&st->map, out);
	pthread_mutex_unlock(&st->lock);
	return r;
}

/* ---- the feature ------------------------------------------------------------------------ */

/* With port_remap; and without it where the bind list is too large for
 * Landlock's rules (netplan.h: a net_deny_bind list): then every TCP bind
 * is made here, checked against it, and Landlock, handling binds with no
 * port allowed, refuses any the child makes itself (a TCP socket swapped
 * onto the fd after our look, or every one where pidfd_getfd is
 * refused). */
static bool active(const struct sl_feature_env *env)
{
	return portremap_on(env->policy) || (env->net && env->net->bind_checked);
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct pr_state *st = state;
	const struct sandlock_sandbox *p = env->policy;
	if (pthread_mutex_init(&st->lock, NULL) != 0)
		return sl_errorf(ENOMEM, "port_remap: cannot make a lock");
	st->lock_init = true;
	/* the list applies unless the policy disables the TCP rules: the
	 * kernel would then check none (a kernel without them is no reason
	 * to check less here) */
	st->ruled = !(p->prot_disabled & (1u << SANDLOCK_PROTECTION_NET_TCP));
	st->remap = p->port_remap;
	if (netmatch_bind_ports(p, &st->allow) < 0)
		return sl_errorf(ENOMEM, "port_remap: out of memory");
	return onbehalf_get(s, p, -1, &st->ob);
}

static void release(void *state)
{
	struct pr_state *st = state;
	onbehalf_put(st->ob);
	portset_free(&st->allow);
	portmap_free(&st->map);
	if (st->lock_init)
		pthread_mutex_destroy(&st->lock);
}

/* "ports": the remapped ones, virtual to real (what `sandlock ps` shows). */
static void describe(void *state, struct jsonw *w)
{
	struct pr_state *st = state;
	char *json = NULL;
	pthread_mutex_lock(&st->lock);
	int r = portmap_json(&st->map, &json);
	pthread_mutex_unlock(&st->lock);
	jsonw_raw(w, ",\"ports\":");
	jsonw_raw(w, r == 0 && json ? json : "{}");
	free(json);
}

const struct sl_feature feature_portremap = {
    .name = "port_remap",
    .active = active,
    SL_FRULES(portremap_rules, handlers),
    .state_size = sizeof(struct pr_state),
    .init = init,
    .release = release,
    .describe = describe,
};
