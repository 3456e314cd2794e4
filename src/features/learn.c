/* SPDX-License-Identifier: Apache-2.0 */
/*
 * learn.c - what a trial run touches, for `sandlock learn`: every path it
 * opens, creates, removes or executes (with the loader or interpreter the
 * kernel opens for an exec), every inet destination it connects to and
 * every port it binds, written once each as a JSON line to the policy's
 * learn_log file as the run goes (a killed run leaves what it saw).
 *
 * Observe only: each handler reads the call's arguments and CONTINUEs, so
 * the kernel and the features after it decide as they would.  Reading a
 * pointer and continuing is no decision here: a process that rewrites its
 * buffer after the read only misleads its own profile, which the next,
 * enforced run then refuses.  Relative paths are made absolute from the
 * calling thread's working directory or the dirfd's target, as /proc
 * shows them; symlinks are left to the reader of the log (the CLI
 * resolves them on the host, as Landlock will).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "exechint.h"
#include "feature.h"
#include "jsonw.h"
#include "mem.h"
#include "netaddr.h"
#include "policy.h"
#include "registry.h"
#include "seccomp_uapi.h"

#define LEARN_MAX  100000 /* distinct observations kept */
#define LEARN_HASH 4096

struct seen {
	struct seen *next;
	char key[]; /* "op path" */
};

struct learn_state {
	int fd; /* the log */
	pthread_mutex_t lock;
	bool lock_init;
	struct seen *tab[LEARN_HASH];
	size_t n;
	uint64_t dropped;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Whether key is new (then remembered). */
static bool first_time(struct learn_state *st, const char *key)
{
	uint64_t h = fnv(key) % LEARN_HASH;
	for (struct seen *e = st->tab[h]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return false;
	if (st->n >= LEARN_MAX) {
		st->dropped++;
		return false;
	}
	size_t len = strlen(key) + 1;
	struct seen *e = malloc(sizeof(*e) + len);
	if (!e)
		return false;
	memcpy(e->key, key, len);
	e->next = st->tab[h];
	st->tab[h] = e;
	st->n++;
	return true;
}

/* One observation: {"op":op,"path":value} (or "addr"/"port" for the
 * network), written the first time it is seen. */
static void record(struct learn_state *st, const char *op, const char *field, const char *value)
{
	char key[PATH_MAX + 32];
	snprintf(key, sizeof(key), "%s %s %s", op, field, value);
	pthread_mutex_lock(&st->lock);
	bool fresh = first_time(st, key);
	pthread_mutex_unlock(&st->lock);
	if (!fresh)
		return;
	struct jsonw w = {0};
	jsonw_raw(&w, "{\"op\":");
	jsonw_str(&w, op);
	jsonw_raw(&w, ",");
	jsonw_key(&w, field);
	jsonw_str(&w, value);
	jsonw_raw(&w, "}\n");
	char *line;
	if (jsonw_end(&w, &line) == 0) {
		/* one write per line: O_APPEND keeps lines whole */
		(void)!write(st->fd, line, strlen(line));
		free(line);
	}
}

/* ".." and "." folded, repeated slashes dropped: the path as the kernel
 * walks it (symlinks aside). */
static void fold(char *p)
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

/* The path argument at addr, absolute, in out: from dirfd (the thread's
 * cwd for AT_FDCWD).  false when it cannot be read. */
static bool abs_path(struct sl_ctx *c, int dirfd, uint64_t addr, char *out, size_t size)
{
	char rel[PATH_MAX];
	size_t len;
	if (!addr || mem_read_cstr(&c->mem, addr, rel, sizeof(rel), &len) < 0 || !len)
		return false;
	if (rel[0] == '/') {
		snprintf(out, size, "%s", rel);
	} else {
		char link[64], base[PATH_MAX];
		if (dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/%u/cwd", c->req->pid);
		else
			snprintf(link, sizeof(link), "/proc/%u/fd/%d", c->req->pid, dirfd);
		ssize_t n = readlink(link, base, sizeof(base) - 1);
		if (n <= 0 || base[0] != '/')
			return false;
		base[n] = 0;
		if ((size_t)snprintf(out, size, "%s/%s", base, rel) >= size)
			return false;
	}
	fold(out);
	return true;
}

static void path_op(struct sl_ctx *c, struct learn_state *st, const char *op, int dirfd,
		    uint64_t addr)
{
	char path[PATH_MAX];
	if (abs_path(c, dirfd, addr, path, sizeof(path)))
		record(st, op, "path", path);
}

static int arg_fd(uint64_t v)
{
	return (int)(int32_t)v; /* the kernel reads a dirfd as an int */
}

/* ---- the handlers (observe, then continue) --------------------------------------- */

static void open_like(struct sl_ctx *c, struct learn_state *st, int dirfd, uint64_t addr,
		      uint64_t flags)
{
	if (flags & O_PATH)
		return; /* no access right is needed for an O_PATH fd */
	if (flags & O_CREAT)
		path_op(c, st, "create", dirfd, addr);
	bool wr = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	path_op(c, st, wr ? "write" : "read", dirfd, addr);
}

static void on_openat(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	open_like(c, arg, arg_fd(r[0]), r[1], r[2]);
	*a = sl_act_continue();
}

#ifdef __NR_open
static void on_open(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	open_like(c, arg, AT_FDCWD, r[0], r[1]);
	*a = sl_act_continue();
}

static void on_creat(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	open_like(c, arg, AT_FDCWD, c->req->data.args[0], O_CREAT | O_WRONLY | O_TRUNC);
	*a = sl_act_continue();
}
#endif

/* The program, and what the kernel opens to start it. */
static void exec_like(struct sl_ctx *c, struct learn_state *st, int dirfd, uint64_t addr)
{
	char path[PATH_MAX], need[PATH_MAX];
	if (!abs_path(c, dirfd, addr, path, sizeof(path)))
		return;
	record(st, "exec", "path", path);
	for (int depth = 0; depth < 4 && exechint_needs(path, need, sizeof(need)); depth++) {
		record(st, "exec", "path", need);
		snprintf(path, sizeof(path), "%s", need);
	}
}

static void on_execve(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	exec_like(c, arg, AT_FDCWD, c->req->data.args[0]);
	*a = sl_act_continue();
}

static void on_execveat(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	exec_like(c, arg, arg_fd(c->req->data.args[0]), c->req->data.args[1]);
	*a = sl_act_continue();
}

/* (dirfd index or -1 for AT_FDCWD, path index, op) per syscall: the
 * calls that make, remove or change a name. */
static const struct {
	int nr, dirfd, path;
	const char *op;
	int dirfd2, path2; /* a second name (rename, link), or path2 -1 */
	const char *op2;
} names[] = {
#ifdef __NR_mkdir
    {__NR_mkdir, -1, 0, "create", 0, -1, NULL},
    {__NR_rmdir, -1, 0, "remove", 0, -1, NULL},
    {__NR_unlink, -1, 0, "remove", 0, -1, NULL},
    {__NR_mknod, -1, 0, "create", 0, -1, NULL},
    {__NR_rename, -1, 0, "remove", -1, 1, "create"},
    {__NR_link, -1, 0, "read", -1, 1, "create"},
    {__NR_symlink, -1, 1, "create", 0, -1, NULL},
#endif
    {__NR_mkdirat, 0, 1, "create", 0, -1, NULL},
    {__NR_mknodat, 0, 1, "create", 0, -1, NULL},
    {__NR_unlinkat, 0, 1, "remove", 0, -1, NULL},
    {__NR_renameat, 0, 1, "remove", 2, 3, "create"},
    {__NR_renameat2, 0, 1, "remove", 2, 3, "create"},
    {__NR_linkat, 0, 1, "read", 2, 3, "create"},
    {__NR_symlinkat, 1, 2, "create", 0, -1, NULL},
    {__NR_truncate, -1, 0, "write", 0, -1, NULL},
};

static void on_name(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	*a = sl_act_continue();
	for (size_t i = 0; i < SL_ARRAY_SIZE(names); i++) {
		if (names[i].nr != c->req->data.nr)
			continue;
		int d = names[i].dirfd < 0 ? AT_FDCWD : arg_fd(r[names[i].dirfd]);
		path_op(c, arg, names[i].op, d, r[names[i].path]);
		if (names[i].path2 >= 0) {
			d = names[i].dirfd2 < 0 ? AT_FDCWD : arg_fd(r[names[i].dirfd2]);
			path_op(c, arg, names[i].op2, d, r[names[i].path2]);
		}
		return;
	}
}

/* An inet address's "host:port" (IPv6 in brackets), or a unix path. */
static void on_sockaddr(struct sl_ctx *c, struct sl_action *a, void *arg, const char *op)
{
	struct learn_state *st = arg;
	const __u64 *r = c->req->data.args;
	struct sockaddr_storage ss = {0};
	size_t len = r[2] < sizeof(ss) ? (size_t)r[2] : sizeof(ss);
	*a = sl_act_continue();
	if (!r[1] || len < sizeof(sa_family_t) || mem_read(&c->mem, r[1], &ss, len) < 0)
		return;
	if (ss.ss_family == AF_UNIX && strcmp(op, "connect") == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss;
		if (len > offsetof(struct sockaddr_un, sun_path) && un->sun_path[0] == '/') {
			char path[sizeof(un->sun_path) + 1];
			size_t n =
			    strnlen(un->sun_path, len - offsetof(struct sockaddr_un, sun_path));
			memcpy(path, un->sun_path, n);
			path[n] = 0;
			fold(path);
			record(st, "write", "path", path); /* a connect needs a writable tree */
		}
		return;
	}
	struct sl_net_addr na;
	uint16_t port;
	if (netaddr_from_sockaddr(&ss, len, &na, &port) < 0)
		return;
	char host[NETADDR_STRLEN], val[NETADDR_STRLEN + 16];
	netaddr_format(&na, host);
	if (strcmp(op, "bind") == 0) {
		snprintf(val, sizeof(val), "%u", port);
		if (port)
			record(st, "bind", "port", val);
		return;
	}
	bool v6 = strchr(host, ':') != NULL;
	snprintf(val, sizeof(val), "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
	record(st, "connect", "addr", val);
}

static void on_connect(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	on_sockaddr(c, a, arg, "connect");
}

static void on_bind(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	on_sockaddr(c, a, arg, "bind");
}

static const struct sl_frule learn_rules[] = {
    {{__NR_openat, 0, {{0}}}, on_openat},
#ifdef __NR_open
    {{__NR_open, 0, {{0}}}, on_open},	    {{__NR_creat, 0, {{0}}}, on_creat},
    {{__NR_mkdir, 0, {{0}}}, on_name},	    {{__NR_rmdir, 0, {{0}}}, on_name},
    {{__NR_unlink, 0, {{0}}}, on_name},	    {{__NR_mknod, 0, {{0}}}, on_name},
    {{__NR_rename, 0, {{0}}}, on_name},	    {{__NR_link, 0, {{0}}}, on_name},
    {{__NR_symlink, 0, {{0}}}, on_name},
#endif
    {{__NR_execve, 0, {{0}}}, on_execve},   {{__NR_execveat, 0, {{0}}}, on_execveat},
    {{__NR_mkdirat, 0, {{0}}}, on_name},    {{__NR_mknodat, 0, {{0}}}, on_name},
    {{__NR_unlinkat, 0, {{0}}}, on_name},   {{__NR_renameat, 0, {{0}}}, on_name},
    {{__NR_renameat2, 0, {{0}}}, on_name},  {{__NR_linkat, 0, {{0}}}, on_name},
    {{__NR_symlinkat, 0, {{0}}}, on_name},  {{__NR_truncate, 0, {{0}}}, on_name},
    {{__NR_connect, 0, {{0}}}, on_connect}, {{__NR_bind, 0, {{0}}}, on_bind},
};

static bool active(const struct sl_feature_env *env)
{
	return env->policy->learn_log != NULL;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)s;
	(void)proc_off;
	struct learn_state *st = state;
	const char *path = env->policy->learn_log;
	st->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->fd < 0)
		return sl_errorf(errno, "learn_log %s: %s", path, strerror(errno));
	int r = pthread_mutex_init(&st->lock, NULL);
	st->lock_init = r == 0;
	return r ? sl_errorf(r, "learn: %s", strerror(r)) : 0;
}

static void release(void *state)
{
	struct learn_state *st = state;
	if (st->dropped && st->fd > 0) {
		char line[64];
		int n = snprintf(line, sizeof(line), "{\"dropped\":%llu}\n",
				 (unsigned long long)st->dropped);
		(void)!write(st->fd, line, (size_t)n);
	}
	if (st->fd > 0)
		close(st->fd);
	for (size_t i = 0; i < LEARN_HASH; i++)
		for (struct seen *e = st->tab[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
	if (st->lock_init)
		pthread_mutex_destroy(&st->lock);
}

/* First in the dispatch order: it sees every call before a feature
 * answers it. */
const struct sl_feature feature_learn = {
    .name = "learn",
    .active = active,
    SL_FRULES(learn_rules),
    .state_size = sizeof(struct learn_state),
    .init = init,
    .release = release,
};
