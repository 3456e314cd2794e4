/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policyctx.c - the live policy of a policy callback (policyctx.h), the
 * sandlock_ctx_* calls that change it, and the opens it decides.
 *
 * Opens, while deny_path holds any identity: emulate.  The path is read
 * once and resolved by the on-behalf core (onbehalf.h) as the opening
 * thread would; the object and every directory above it are checked
 * against the granted trees, fs_denied and the denied identities; the
 * supervisor then opens that very object again through /proc/self/fd/N
 * of the O_PATH fd it checked, with the child's credentials, and injects
 * the new fd.  Continuing instead would let a thread rewrite the path, or
 * swap a symlink, between the check and the kernel's own lookup.  An
 * O_CREAT open of a name that does not exist resolves its directory the
 * same way and creates the name there (O_NOFOLLOW on the last component:
 * a dangling symlink there is ELOOP, not followed out of the checked
 * directory), with the child's umask.  With no identity denied (before
 * the first deny_path, or after allow_path lifted the last), every open
 * is continued: the kernel and Landlock decide as always; so is an O_PATH
 * open, which reads and writes nothing (a reopen of its fd through
 * /proc/self/fd/N is an open decided here).  What differs from the
 * kernel's own open: an object outside the granted trees (a pipe reopened
 * through /proc/self/fd/N) is refused, as every on-behalf call refuses it;
 * an O_CREAT through a dangling symlink is ELOOP; O_TMPFILE's mode also
 * gets the supervisor's umask.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "netaddr.h"
#include "onbehalf.h"
#include "pidinfo.h"
#include "policy.h"
#include "policyctx.h"
#include "registry.h"
#include "seccomp_uapi.h"
#include "util.h"

struct pidnet {
	pid_t pid;
	struct sl_net_addr *v;
	size_t n;
};

struct ident {
	dev_t dev;
	ino_t ino;
};

struct sandlock_ctx {
	pthread_mutex_t mu;
	unsigned refs;
	bool dead;
	bool net_restricted;
	struct sl_net_addr *net; /* the live list, when restricted */
	size_t nnet;
	struct pidnet *pids;
	size_t npids;
	uint64_t mem;
	uint32_t procs;
	struct ident *deny;
	size_t ndeny;
};

struct sandlock_ctx *pctx_new(void)
{
	struct sandlock_ctx *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	pthread_mutex_init(&x->mu, NULL);
	x->refs = 1;
	x->mem = UINT64_MAX;
	x->procs = UINT32_MAX;
	return x;
}

void pctx_ref(struct sandlock_ctx *x)
{
	pthread_mutex_lock(&x->mu);
	x->refs++;
	pthread_mutex_unlock(&x->mu);
}

void pctx_unref(struct sandlock_ctx *x)
{
	if (!x)
		return;
	pthread_mutex_lock(&x->mu);
	bool last = --x->refs == 0;
	pthread_mutex_unlock(&x->mu);
	if (!last)
		return;
	for (size_t i = 0; i < x->npids; i++)
		free(x->pids[i].v);
	free(x->pids);
	free(x->net);
	free(x->deny);
	pthread_mutex_destroy(&x->mu);
	free(x);
}

void pctx_kill(struct sandlock_ctx *x)
{
	pthread_mutex_lock(&x->mu);
	x->dead = true;
	pthread_mutex_unlock(&x->mu);
}

/* ---- the ctx calls (the callback's thread) ----------------------------------------- */

/* The addresses and ranges of ips that parse (others are dropped, as the
 * reference drops them: fewer destinations, never more).  0 or -ENOMEM. */
static int parse_ips(const char *const *ips, uint32_t count, struct sl_net_addr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!count || !ips)
		return 0;
	struct sl_net_addr *v = calloc(count, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		if (ips[i] && netaddr_parse(ips[i], 0, &v[*n]) == NETADDR_OK) {
			netaddr_canon(&v[*n]);
			(*n)++;
		}
	}
	*out = v;
	return 0;
}

/* Locks x when it is alive (the caller unlocks); false when it is not. */
static bool lock_live(struct sandlock_ctx *x)
{
	if (!x)
		return false;
	pthread_mutex_lock(&x->mu);
	if (!x->dead)
		return true;
	pthread_mutex_unlock(&x->mu);
	return false;
}

SL_API void sandlock_ctx_restrict_network(sandlock_ctx_t *x, const char *const *ips, uint32_t count)
{
	struct sl_net_addr *v;
	size_t n;
	/* out of memory: an empty list, fail closed */
	parse_ips(ips, count, &v, &n);
	if (!lock_live(x)) {
		free(v);
		return;
	}
	free(x->net);
	x->net = v;
	x->nnet = n;
	x->net_restricted = true;
	pthread_mutex_unlock(&x->mu);
}

SL_API void sandlock_ctx_grant_network(sandlock_ctx_t *x, const char *const *ips, uint32_t count)
{
	struct sl_net_addr *v;
	size_t n;
	if (parse_ips(ips, count, &v, &n) < 0 || !n) {
		free(v);
		return;
	}
	if (!lock_live(x)) {
		free(v);
		return;
	}
	/* unrestricted, the live list is the static policy: nothing to add */
	struct sl_net_addr *m =
	    x->net_restricted ? realloc(x->net, (x->nnet + n) * sizeof(*m)) : NULL;
	if (m) {
		memcpy(m + x->nnet, v, n * sizeof(*v));
		x->net = m;
		x->nnet += n;
	}
	pthread_mutex_unlock(&x->mu);
	free(v);
}

SL_API void sandlock_ctx_restrict_pid_network(sandlock_ctx_t *x, uint32_t pid,
					      const char *const *ips, uint32_t count)
{
	struct sl_net_addr *v;
	size_t n;
	parse_ips(ips, count, &v, &n);
	if (!lock_live(x)) {
		free(v);
		return;
	}
	size_t i = 0;
	while (i < x->npids && x->pids[i].pid != (pid_t)pid)
		i++;
	if (i == x->npids) {
		struct pidnet *p = realloc(x->pids, (x->npids + 1) * sizeof(*p));
		if (!p) {
			/* cannot record it: the whole sandbox loses the network */
			x->net_restricted = true;
			x->nnet = 0;
			pthread_mutex_unlock(&x->mu);
			free(v);
			return;
		}
		x->pids = p;
		x->pids[x->npids++] = (struct pidnet){.pid = (pid_t)pid};
	}
	free(x->pids[i].v);
	x->pids[i].v = v;
	x->pids[i].n = n;
	pthread_mutex_unlock(&x->mu);
}

SL_API void sandlock_ctx_restrict_max_memory(sandlock_ctx_t *x, uint64_t bytes)
{
	if (!lock_live(x))
		return;
	if (bytes < x->mem)
		x->mem = bytes;
	pthread_mutex_unlock(&x->mu);
}

SL_API void sandlock_ctx_restrict_max_processes(sandlock_ctx_t *x, uint32_t n)
{
	if (!lock_live(x))
		return;
	if (n < x->procs)
		x->procs = n;
	pthread_mutex_unlock(&x->mu);
}

/* The identity path names now (symlinks followed), or false. */
static bool ident_of(const char *path, struct ident *out)
{
	struct stat st;
	if (!path || stat(path, &st) < 0)
		return false;
	*out = (struct ident){st.st_dev, st.st_ino};
	return true;
}

static size_t ident_find(const struct sandlock_ctx *x, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < x->ndeny; i++)
		if (x->deny[i].dev == dev && x->deny[i].ino == ino)
			return i;
	return x->ndeny;
}

SL_API void sandlock_ctx_deny_path(sandlock_ctx_t *x, const char *path)
{
	struct ident id;
	if (!ident_of(path, &id) || !lock_live(x))
		return;
	if (ident_find(x, id.dev, id.ino) == x->ndeny) {
		struct ident *v = realloc(x->deny, (x->ndeny + 1) * sizeof(*v));
		if (v) {
			v[x->ndeny++] = id;
			x->deny = v;
		}
	}
	pthread_mutex_unlock(&x->mu);
}

SL_API void sandlock_ctx_allow_path(sandlock_ctx_t *x, const char *path)
{
	struct ident id;
	if (!ident_of(path, &id) || !lock_live(x))
		return;
	size_t i = ident_find(x, id.dev, id.ino);
	if (i < x->ndeny)
		x->deny[i] = x->deny[--x->ndeny];
	pthread_mutex_unlock(&x->mu);
}

/* ---- queries (the supervisor, the on-behalf workers) ----------------------------- */

static bool in_list(const struct sl_net_addr *v, size_t n, const struct sl_net_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (netaddr_contains(&v[i], a))
			return true;
	return false;
}

bool pctx_net_allows(struct sandlock_ctx *x, pid_t pid, const void *sa, size_t len)
{
	struct sl_net_addr a;
	uint16_t port;
	if (netaddr_from_sockaddr(sa, len, &a, &port) < 0)
		return true; /* not an IP destination */
	pthread_mutex_lock(&x->mu);
	bool ok = true, found = false;
	for (size_t i = 0; i < x->npids && !found; i++) {
		if (x->pids[i].pid == pid) {
			found = true;
			ok = in_list(x->pids[i].v, x->pids[i].n, &a);
		}
	}
	if (!found && x->net_restricted)
		ok = in_list(x->net, x->nnet, &a);
	pthread_mutex_unlock(&x->mu);
	return ok;
}

uint64_t pctx_max_memory(struct sandlock_ctx *x, uint64_t ceiling)
{
	pthread_mutex_lock(&x->mu);
	uint64_t v = x->mem < ceiling ? x->mem : ceiling;
	pthread_mutex_unlock(&x->mu);
	return v;
}

uint32_t pctx_max_processes(struct sandlock_ctx *x, uint32_t ceiling)
{
	pthread_mutex_lock(&x->mu);
	uint32_t v = x->procs < ceiling ? x->procs : ceiling;
	pthread_mutex_unlock(&x->mu);
	return v;
}

bool pctx_denied(struct sandlock_ctx *x, const struct stat *st)
{
	pthread_mutex_lock(&x->mu);
	bool d = ident_find(x, st->st_dev, st->st_ino) < x->ndeny;
	pthread_mutex_unlock(&x->mu);
	return d;
}

bool pctx_any_denied(struct sandlock_ctx *x)
{
	pthread_mutex_lock(&x->mu);
	bool d = x->ndeny > 0;
	pthread_mutex_unlock(&x->mu);
	return d;
}

/* ---- the feature ------------------------------------------------------------------- */

struct pctx_state {
	struct sandlock_ctx *x;
	struct onbehalf *ob;
};

struct sandlock_ctx *policyctx_of(struct sl_sup *s)
{
	struct pctx_state *st = supervisor_feature_state(s, &feature_policyctx);
	return st ? st->x : NULL;
}

uint64_t policyctx_max_memory(struct sl_sup *s, uint64_t ceiling)
{
	struct sandlock_ctx *x = policyctx_of(s);
	return x ? pctx_max_memory(x, ceiling) : ceiling;
}

uint32_t policyctx_max_processes(struct sl_sup *s, uint32_t ceiling)
{
	struct sandlock_ctx *x = policyctx_of(s);
	return x ? pctx_max_processes(x, ceiling) : ceiling;
}

/* The on-behalf core's question for every object and directory it
 * walks (onbehalf_set_deny). */
static bool denied_hook(void *arg, const struct stat *st)
{
	return pctx_denied(arg, st);
}

/* One open made here. */
struct openq {
	struct sandlock_ctx *x;
	int flags;
	mode_t mode; /* already under the child's umask */
	const char *base;
};

/* The kernel's flags for our open: never a controlling terminal of ours,
 * never an fd the supervisor leaks to its own children. */
static int our_flags(int flags)
{
	return (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC | O_NOCTTY;
}

/* The checked object opened again (a magic link names the inode, not a
 * path: nothing can be swapped in). */
static long open_op(const struct ob_obj *o, void *arg)
{
	const struct openq *q = arg;
	if ((q->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST; /* the name exists: the kernel's answer */
	char link[32];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", o->fd);
	int fd = open(link, our_flags(q->flags), q->mode);
	return fd < 0 ? -errno : fd;
}

/* A name made in the checked directory o. */
static long create_op(const struct ob_obj *o, void *arg)
{
	const struct openq *q = arg;
	if (!S_ISDIR(o->st.st_mode))
		return -ENOTDIR;
	int fl = our_flags(q->flags) | O_NOFOLLOW;
	int fd = (q->flags & O_EXCL) ? -1 : openat(o->fd, q->base, fl, q->mode);
	if (fd < 0 && ((q->flags & O_EXCL) || errno == ENOENT)) {
		/* made with no mode bits, then given the child's: our own
		 * umask must not apply */
		fd = openat(o->fd, q->base, fl | O_CREAT | O_EXCL, 0);
		if (fd >= 0 && fchmod(fd, q->mode) < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
	}
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || pctx_denied(q->x, &st)) {
		close(fd);
		return -EACCES; /* a hard link of a denied file */
	}
	return fd;
}

/* The child's umask (status "Umask:", octal); 022 when unread. */
static mode_t child_umask(struct sl_ctx *c)
{
	char buf[4096];
	if (pidinfo_read(procs_dir(c->proc), "status", buf, sizeof(buf)) != 0)
		return 022;
	const char *p = strstr(buf, "\nUmask:\t");
	if (!p)
		return 022;
	char *end;
	long v = strtol(p + 8, &end, 8);
	return *end == '\n' && v >= 0 && v <= 0777 ? (mode_t)v : 022;
}

static bool writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* An O_CREAT open of a missing name: its directory resolved and checked,
 * the name made there. */
static long create_in_dir(struct pctx_state *st, struct sl_ctx *c, int dirfd, char *path,
			  struct openq *q)
{
	char *slash = strrchr(path, '/');
	const char *dir = ".";
	if (slash) {
		*slash = 0;
		dir = slash == path ? "/" : path;
		q->base = slash + 1;
	} else {
		q->base = path;
	}
	if (!*q->base || !strcmp(q->base, ".") || !strcmp(q->base, ".."))
		return -EISDIR;
	return onbehalf_run(
	    st->ob, c,
	    &(struct ob_req){
		.dirfd = dirfd, .path = dir, .need = OB_WRITE, .op = create_op, .arg = q});
}

static void open_at(struct sl_ctx *c, struct sl_action *a, void *arg, int dirfd, uint64_t addr,
		    int flags, mode_t mode)
{
	struct pctx_state *st = arg;
	/* O_PATH reads and writes nothing (Landlock does not check it
	 * either): a reopen through /proc/self/fd/N comes back here */
	if ((flags & O_PATH) || !pctx_any_denied(st->x)) {
		*a = sl_act_continue();
		return;
	}
	char path[PATH_MAX];
	long r = onbehalf_read_path(c, addr, path, sizeof(path));
	struct openq q = {.x = st->x, .flags = flags};
	if (r == 0 && (flags & (O_CREAT | __O_TMPFILE)))
		q.mode = mode & ~child_umask(c) & 07777;
	if (r == 0)
		r = onbehalf_run(st->ob, c,
				 &(struct ob_req){.dirfd = dirfd,
						  .path = path,
						  .flags = (flags & O_NOFOLLOW) ? OB_NOFOLLOW : 0,
						  .need = writes(flags) ? OB_WRITE : OB_READ,
						  .op = open_op,
						  .arg = &q});
	if (r == -ENOENT && (flags & O_CREAT))
		r = create_in_dir(st, c, dirfd, path, &q);
	if (r >= 0)
		*a = (struct sl_action){.kind = SL_ACT_INJECT_SEND,
					.fd = (int)r,
					.fd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0};
	else
		onbehalf_answer(a, r);
}

/* Emulate while an identity is denied; else continued. */
static void on_openat(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	open_at(c, a, arg, (int)(int32_t)r[0], r[1], (int)r[2], (mode_t)r[3]);
}

#ifdef __NR_open
static void on_open(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	open_at(c, a, arg, AT_FDCWD, r[0], (int)r[1], (mode_t)r[2]);
}

static void on_creat(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	const __u64 *r = c->req->data.args;
	open_at(c, a, arg, AT_FDCWD, r[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)r[1]);
}
#endif

/* The handlers of this file's rule tables, by index (struct sl_frow). */
enum {
	H_on_openat,
	H_on_open,
	H_on_creat,
};

static const sl_hfn handlers[] = {
    [H_on_openat] = on_openat,
#ifdef __NR_open
    [H_on_open] = on_open,
#endif
#ifdef __NR_open
    [H_on_creat] = on_creat,
#endif
};

static const struct sl_frow pctx_rules[] = {
    {{__NR_openat, 0, {{0}}}, H_on_openat},
#ifdef __NR_open
    {{__NR_open, 0, {{0}}}, H_on_open},
    {{__NR_creat, 0, {{0}}}, H_on_creat},
#endif
};

static bool active(const struct sl_feature_env *env)
{
	return env->policy->policy_fn != NULL;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct pctx_state *st = state;
	if (!(st->x = pctx_new()))
		return sl_errorf(ENOMEM, "out of memory");
	int r = onbehalf_get(s, env->policy, -1, &st->ob);
	if (r < 0)
		return r;
	onbehalf_set_deny(st->ob, denied_hook, st->x);
	return 0;
}

static void release(void *state)
{
	struct pctx_state *st = state;
	if (st->ob)
		onbehalf_set_deny(st->ob, NULL, NULL);
	onbehalf_put(st->ob);
	if (st->x)
		pctx_kill(st->x);
	pctx_unref(st->x);
}

/* With a policy callback: the live policy, and the opens its denied
 * paths decide. */
const struct sl_feature feature_policyctx = {
    .name = "policy_fn paths",
    .active = active,
    SL_FRULES(pctx_rules, handlers),
    .state_size = sizeof(struct pctx_state),
    .init = init,
    .release = release,
};
