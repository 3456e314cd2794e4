/* SPDX-License-Identifier: Apache-2.0 */
/* observe.c - a watched call decoded into events (observe.h). */
#include "observe.h"

#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "mem.h"
#include "netaddr.h"
#include "seccomp_uapi.h"
#include "util.h"

void observe_fold(char *p)
{
	char *out = p, *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		char *end = strchrnul(s, '/');
		size_t n = (size_t)(end - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else if (n && !(n == 1 && s[0] == '.')) {
			*out++ = '/';
			memmove(out, s, n);
			out += n;
		}
		s = end;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

bool observe_abs_path(struct sl_ctx *c, const struct obs_event *e, char *out, size_t size)
{
	if (e->path[0] == '/') {
		if ((size_t)snprintf(out, size, "%s", e->path) >= size)
			return false;
	} else {
		char link[64], base[PATH_MAX];
		if (e->dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/%u/cwd", c->req->pid);
		else
			snprintf(link, sizeof(link), "/proc/%u/fd/%d", c->req->pid, e->dirfd);
		ssize_t n = readlink(link, base, sizeof(base) - 1);
		if (n <= 0 || base[0] != '/')
			return false;
		base[n] = 0;
		if ((size_t)snprintf(out, size, "%s/%s", base, e->path) >= size)
			return false;
	}
	observe_fold(out);
	return true;
}

static int arg_fd(uint64_t v)
{
	return (int)(int32_t)v; /* the kernel reads a dirfd as an int */
}

/* One filesystem event on the path argument at addr. */
static void path_event(struct sl_ctx *c, obs_sink sink, void *arg, enum obs_op op, int dirfd,
		       uint64_t addr, bool nofollow)
{
	char path[PATH_MAX];
	size_t len;
	if (!addr || mem_read_cstr(&c->mem, addr, path, sizeof(path), &len) < 0 || !len)
		return;
	struct obs_event e = {.op = op, .dirfd = dirfd, .path = path, .nofollow = nofollow};
	sink(c, &e, arg);
}

static void open_like(struct sl_ctx *c, obs_sink sink, void *arg, int dirfd, uint64_t addr,
		      uint64_t flags)
{
	if (flags & O_PATH)
		return; /* no access right is needed for an O_PATH fd */
	bool nofollow = (flags & O_NOFOLLOW) != 0;
	if (flags & O_CREAT)
		path_event(c, sink, arg, OBS_CREATE, dirfd, addr, nofollow);
	bool wr = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	path_event(c, sink, arg, wr ? OBS_WRITE : OBS_READ, dirfd, addr, nofollow);
}

/* (dirfd index or -1 for AT_FDCWD, path index, op) per syscall: the
 * calls that make, remove or change a name; path2 -1: one name. */
static const struct {
	int nr, dirfd, path;
	enum obs_op op;
	int dirfd2, path2;
	enum obs_op op2;
} names[] = {
#ifdef __NR_mkdir
    {__NR_mkdir, -1, 0, OBS_CREATE, 0, -1, 0},
    {__NR_rmdir, -1, 0, OBS_REMOVE, 0, -1, 0},
    {__NR_unlink, -1, 0, OBS_REMOVE, 0, -1, 0},
    {__NR_mknod, -1, 0, OBS_CREATE, 0, -1, 0},
    {__NR_rename, -1, 0, OBS_REMOVE, -1, 1, OBS_CREATE},
    {__NR_link, -1, 0, OBS_READ, -1, 1, OBS_CREATE},
    {__NR_symlink, -1, 1, OBS_CREATE, 0, -1, 0},
#endif
    {__NR_mkdirat, 0, 1, OBS_CREATE, 0, -1, 0},
    {__NR_mknodat, 0, 1, OBS_CREATE, 0, -1, 0},
    {__NR_unlinkat, 0, 1, OBS_REMOVE, 0, -1, 0},
    {__NR_renameat, 0, 1, OBS_REMOVE, 2, 3, OBS_CREATE},
    {__NR_renameat2, 0, 1, OBS_REMOVE, 2, 3, OBS_CREATE},
    {__NR_linkat, 0, 1, OBS_READ, 2, 3, OBS_CREATE},
    {__NR_symlinkat, 1, 2, OBS_CREATE, 0, -1, 0},
    {__NR_truncate, -1, 0, OBS_WRITE, 0, -1, 0},
};

static bool on_name(struct sl_ctx *c, obs_sink sink, void *arg)
{
	const __u64 *r = c->req->data.args;
	for (size_t i = 0; i < SL_ARRAY_SIZE(names); i++) {
		if (names[i].nr != c->req->data.nr)
			continue;
		int d = names[i].dirfd < 0 ? AT_FDCWD : arg_fd(r[names[i].dirfd]);
		/* the calls that remove or rename act on the name, never
		 * following its last component */
		path_event(c, sink, arg, names[i].op, d, r[names[i].path],
			   names[i].op != OBS_WRITE);
		if (names[i].path2 >= 0) {
			d = names[i].dirfd2 < 0 ? AT_FDCWD : arg_fd(r[names[i].dirfd2]);
			path_event(c, sink, arg, names[i].op2, d, r[names[i].path2], true);
		}
		return true;
	}
	return false;
}

/* An inet address's "host:port" (IPv6 in brackets), a bound port, or a
 * unix socket's path. */
static void on_sockaddr(struct sl_ctx *c, obs_sink sink, void *arg, enum obs_op op)
{
	const __u64 *r = c->req->data.args;
	struct sockaddr_storage ss = {0};
	size_t len = r[2] < sizeof(ss) ? (size_t)r[2] : sizeof(ss);
	if (!r[1] || len < sizeof(sa_family_t) || mem_read(&c->mem, r[1], &ss, len) < 0)
		return;
	struct obs_event e = {.op = op, .dirfd = AT_FDCWD};
	if (ss.ss_family == AF_UNIX && op == OBS_CONNECT) {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		if (len <= off || un->sun_path[0] != '/')
			return;
		char path[sizeof(un->sun_path) + 1];
		size_t n = strnlen(un->sun_path, len - off);
		memcpy(path, un->sun_path, n);
		path[n] = 0;
		observe_fold(path);
		e.addr = e.path = path;
		e.unix_path = true;
		sink(c, &e, arg);
		return;
	}
	struct sl_net_addr na;
	if (netaddr_from_sockaddr(&ss, len, &na, &e.port) < 0)
		return;
	char host[NETADDR_STRLEN], val[NETADDR_STRLEN + 16];
	netaddr_format(&na, host);
	bool v6 = strchr(host, ':') != NULL;
	snprintf(val, sizeof(val), "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", e.port);
	e.addr = val;
	sink(c, &e, arg);
}

/* ---- DNS queries ------------------------------------------------------------------- */

bool observe_dns_query(const unsigned char *buf, size_t len, char *out, size_t size)
{
	/* header: id, flags (QR 0, opcode 0), one question, no answer or
	 * authority, at most one additional record (EDNS) */
	if (len < 17 || (buf[2] & 0xf8) || buf[4] || buf[5] != 1 || buf[6] || buf[7] || buf[8] ||
	    buf[9] || buf[10] || buf[11] > 1)
		return false;
	size_t at = 12, o = 0;
	while (at < len && buf[at]) {
		size_t n = buf[at++];
		if (n > 63 || at + n > len || o + n + 2 > size)
			return false;
		if (o)
			out[o++] = '.';
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = buf[at + i];
			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
				return false;
			out[o++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
		}
		at += n;
	}
	/* the root label, then the type and class IN */
	if (!o || at + 5 > len || buf[at + 3] != 0 || buf[at + 4] != 1)
		return false;
	out[o] = 0;
	return true;
}

/* The inet port of a sockaddr in the child's memory (0: none, or not
 * inet). */
static uint16_t port_at(struct sl_ctx *c, uint64_t addr, uint64_t len)
{
	struct sockaddr_storage ss = {0};
	size_t n = len < sizeof(ss) ? (size_t)len : sizeof(ss);
	struct sl_net_addr na;
	uint16_t port = 0;
	if (!addr || n < sizeof(sa_family_t) || mem_read(&c->mem, addr, &ss, n) < 0 ||
	    netaddr_from_sockaddr(&ss, n, &na, &port) < 0)
		return 0;
	return port;
}

/* A message sent: to port 53 (or with no address: a connected socket),
 * holding a DNS query in its first buffer. */
static void lookup(struct sl_ctx *c, obs_sink sink, void *arg, uint64_t buf, uint64_t len,
		   uint64_t addr, uint64_t addrlen)
{
	unsigned char q[512];
	char name[256];
	size_t n = len < sizeof(q) ? (size_t)len : sizeof(q);
	if ((addr && port_at(c, addr, addrlen) != 53) || !buf || n < 17 ||
	    mem_read(&c->mem, buf, q, n) < 0 || !observe_dns_query(q, n, name, sizeof(name)))
		return;
	struct obs_event e = {.op = OBS_LOOKUP, .dirfd = AT_FDCWD, .addr = name};
	sink(c, &e, arg);
}

/* A struct msghdr at addr: its address and first buffer. */
static void lookup_msg(struct sl_ctx *c, obs_sink sink, void *arg, uint64_t addr)
{
	struct msghdr m;
	struct iovec iov;
	if (!addr || mem_read(&c->mem, addr, &m, sizeof(m)) < 0 || m.msg_iovlen < 1 ||
	    mem_read(&c->mem, (uint64_t)(uintptr_t)m.msg_iov, &iov, sizeof(iov)) < 0)
		return;
	lookup(c, sink, arg, (uint64_t)(uintptr_t)iov.iov_base, iov.iov_len,
	       (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen);
}

static void on_send(struct sl_ctx *c, obs_sink sink, void *arg)
{
	const __u64 *r = c->req->data.args;
	switch (c->req->data.nr) {
	case __NR_sendto:
		lookup(c, sink, arg, r[1], r[2], r[4], r[5]);
		return;
	case __NR_sendmmsg:
		/* a resolver sends the A and AAAA queries in one call */
		for (uint64_t i = 0; i < r[2] && i < 2; i++)
			lookup_msg(c, sink, arg, r[1] + i * sizeof(struct mmsghdr));
		return;
	}
}

void observe_call(struct sl_ctx *c, obs_sink sink, void *arg)
{
	const __u64 *r = c->req->data.args;
	switch (c->req->data.nr) {
	case __NR_openat:
		open_like(c, sink, arg, arg_fd(r[0]), r[1], r[2]);
		return;
#ifdef __NR_open
	case __NR_open:
		open_like(c, sink, arg, AT_FDCWD, r[0], r[1]);
		return;
	case __NR_creat:
		open_like(c, sink, arg, AT_FDCWD, r[0], O_CREAT | O_WRONLY | O_TRUNC);
		return;
#endif
	case __NR_execve:
		path_event(c, sink, arg, OBS_EXEC, AT_FDCWD, r[0], false);
		return;
	case __NR_execveat:
		path_event(c, sink, arg, OBS_EXEC, arg_fd(r[0]), r[1],
			   (r[4] & AT_SYMLINK_NOFOLLOW) != 0);
		return;
	case __NR_connect:
		on_sockaddr(c, sink, arg, OBS_CONNECT);
		return;
	case __NR_bind:
		on_sockaddr(c, sink, arg, OBS_BIND);
		return;
	case __NR_sendto:
	case __NR_sendmmsg:
		on_send(c, sink, arg);
		return;
	default:
		on_name(c, sink, arg);
	}
}

static const int watched[] = {
    __NR_openat,
#ifdef __NR_open
    __NR_open,	    __NR_creat,	   __NR_mkdir,	   __NR_rmdir,	  __NR_unlink,	 __NR_mknod,
    __NR_rename,    __NR_link,	   __NR_symlink,
#endif
    __NR_execve,    __NR_execveat, __NR_mkdirat,   __NR_mknodat,  __NR_unlinkat, __NR_renameat,
    __NR_renameat2, __NR_linkat,   __NR_symlinkat, __NR_truncate, __NR_connect,	 __NR_bind,
};

/* Not sendmsg: the child makes it before its exec, before the supervisor
 * can answer (it reports to the parent), so it cannot be notified in every
 * form; resolvers send with send (sendto) or sendmmsg. */
static const int sends[] = {__NR_sendto, __NR_sendmmsg};

size_t observe_rules(sl_hfn fn, bool lookups, struct sl_frule *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(watched); i++, n++)
		if (n < max)
			out[n] = (struct sl_frule){{watched[i], 0, {{0}}}, fn};
	for (size_t i = 0; lookups && i < SL_ARRAY_SIZE(sends); i++, n++)
		if (n < max)
			out[n] = (struct sl_frule){{sends[i], 0, {{0}}}, fn};
	return n;
}
