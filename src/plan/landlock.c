/* SPDX-License-Identifier: Apache-2.0 */
/* landlock.c - probe the ABI and build rulesets in the parent. */
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "util.h"
#include "fsdeny.h"
#include "fsspecial.h"
#include "protection.h"
#include "sandlock.h"
#include "mounts.h"

#define FS_READ SL_FS_READ

#define FS_WRITE_V1                                                                                \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                           \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |                           \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |                               \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |                             \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

static int ll_create(const struct sl_landlock_ruleset_attr *attr, size_t size, uint32_t flags)
{
	return (int)syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static int ll_add_rule(int fd, int type, const void *attr)
{
	return (int)syscall(__NR_landlock_add_rule, fd, type, attr, 0U);
}

int landlock_abi(void)
{
	int v = ll_create(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return v < 0 ? -errno : v;
}

int landlock_require_abi(int abi, uint32_t degradable, uint32_t disabled, uint32_t *skip)
{
	if (abi == -ENOSYS || abi == -EOPNOTSUPP)
		return sl_errorf(-abi,
				 "landlock unavailable: %s (kernel too old, or not in the "
				 "lsm= boot list)",
				 strerror(-abi));
	if (abi < 0)
		return sl_errorf(-abi, "landlock: cannot query the ABI: %s", strerror(-abi));
	uint32_t missing = 0;
	for (uint32_t p = 0; p < SL_N_PROTECTIONS; p++)
		if ((uint32_t)abi < protection_abi(p))
			missing |= 1u << p;
	uint32_t refused = missing & ~(degradable | disabled);
	*skip = disabled | (missing & degradable);
	if (!refused)
		return abi;
	char names[256] = "";
	size_t n = 0;
	for (uint32_t p = 0; p < SL_N_PROTECTIONS; p++)
		if (refused & (1u << p))
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s (v%u)",
					      n ? ", " : "", protection_name(p), protection_abi(p));
	return sl_errorf(ENOTSUP,
			 "landlock ABI v%d cannot enforce %s: run on a newer kernel, or allow "
			 "each to degrade (allow_degraded, --allow-degraded NAME)",
			 abi, names);
}

int landlock_require(uint32_t degradable, uint32_t disabled, uint32_t *skip)
{
	return landlock_require_abi(landlock_abi(), degradable, disabled, skip);
}

static bool applied(uint32_t skip, int abi, uint32_t protection)
{
	return !(skip & (1u << protection)) && (uint32_t)abi >= protection_abi(protection);
}

/* Every filesystem right this ABI knows and the policy applies: what we
 * handle (deny by default). */
static uint64_t fs_handled(int abi, uint32_t skip)
{
	uint64_t m = FS_READ | FS_WRITE_V1;
	if (applied(skip, abi, SANDLOCK_PROTECTION_FS_REFER))
		m |= LANDLOCK_ACCESS_FS_REFER;
	/* handled whenever the kernel can: left out, it is granted with
	 * every read rule (add_rules), never opened beyond the grants */
	if ((uint32_t)abi >= protection_abi(SANDLOCK_PROTECTION_FS_TRUNCATE))
		m |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (applied(skip, abi, SANDLOCK_PROTECTION_FS_IOCTL_DEV))
		m |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return m;
}

uint64_t landlock_fs_rights(int abi, uint32_t skip)
{
	return fs_handled(abi, skip);
}

static uint64_t scopes(int abi, uint32_t skip)
{
	uint64_t m = 0;
	if (applied(skip, abi, SANDLOCK_PROTECTION_SIGNAL_SCOPE))
		m |= LANDLOCK_SCOPE_SIGNAL;
	if (applied(skip, abi, SANDLOCK_PROTECTION_ABSTRACT_UNIX_SOCKET_SCOPE))
		m |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	return m;
}

/* fsdeny_rule_fn: one PATH_BENEATH rule; ctx points to the ruleset fd. */
static int add_fd(void *ctx, int fd, const struct stat *st, uint64_t access)
{
	if (!S_ISDIR(st->st_mode))
		access &= SL_FS_FILE_RIGHTS;
	struct landlock_path_beneath_attr pb = {.allowed_access = access, .parent_fd = fd};
	return ll_add_rule(*(int *)ctx, LANDLOCK_RULE_PATH_BENEATH, &pb) < 0 ? -errno : 0;
}

/* One grant (its O_PATH fd: what the checks saw) as rules. */
static int add_path(int rfd, struct fsdeny *deny, const char *field, const struct fs_grant *g,
		    uint64_t access)
{
	const char *path = g->path;
	struct stat st;
	int r;
	if (fstat(g->fd, &st) < 0)
		r = sl_errorf(errno, "%s: %s: %s", field, path, strerror(errno));
	else
		r = fsdeny_empty(deny) ? FSDENY_GRANT : fsdeny_classify(deny, path, &st, &access);
	if (r == FSDENY_GRANT) {
		if ((r = add_fd(&rfd, g->fd, &st, access)) < 0)
			r = sl_errorf(-r, "landlock: rule for %s %s: %s", field, path,
				      strerror(-r));
	} else if (r == FSDENY_EXPAND) {
		char *who;
		if (asprintf(&who, "%s %s", field, path) < 0)
			r = sl_errorf(ENOMEM, "%s: %s: out of memory", field, path);
		else
			r = fsdeny_expand(deny, who, path, g->fd, access, add_fd, &rfd);
		free(who);
	}
	return r < 0 ? r : 0;
}

static int add_port(int rfd, uint64_t access, uint32_t port)
{
	struct sl_landlock_net_port_attr np = {.allowed_access = access, .port = port};
	if (ll_add_rule(rfd, SL_LANDLOCK_RULE_NET_PORT, &np) < 0)
		return sl_errorf(errno, "landlock: rule for TCP port %u: %s", port,
				 strerror(errno));
	return 0;
}

int landlock_connect_ruleset(const struct sl_u32v *ports)
{
	struct sl_landlock_ruleset_attr attr = {.handled_access_net =
						    LANDLOCK_ACCESS_NET_CONNECT_TCP};
	int fd = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0U);
	if (fd < 0)
		return sl_errorf(errno, "landlock: TCP ruleset: %s", strerror(errno));
	for (size_t i = 0; i < ports->n; i++) {
		int r = add_port(fd, LANDLOCK_ACCESS_NET_CONNECT_TCP, ports->v[i]);
		if (r < 0) {
			close(fd);
			return r;
		}
	}
	return fd;
}

static int add_rules(int rfd, struct fsdeny *deny, const struct fs_grants *read,
		     const struct fs_grants *write, const struct landlock_req *req, int abi)
{
	uint64_t all = fs_handled(abi, req->skip);
	uint64_t rd = FS_READ & all;
	if (!applied(req->skip, abi, SANDLOCK_PROTECTION_FS_TRUNCATE))
		rd |= LANDLOCK_ACCESS_FS_TRUNCATE & all;
	int r;
	for (size_t i = 0; i < write->n; i++)
		if ((r = add_path(rfd, deny, write->field, &write->v[i], all)) < 0)
			return r;
	for (size_t i = 0; i < read->n; i++)
		if ((r = add_path(rfd, deny, read->field, &read->v[i], rd)) < 0)
			return r;
	if (!applied(req->skip, abi, SANDLOCK_PROTECTION_NET_TCP))
		return 0;
	for (size_t i = 0; req->handle_bind && req->bind_ports && i < req->bind_ports->n; i++)
		if ((r = add_port(rfd, LANDLOCK_ACCESS_NET_BIND_TCP, req->bind_ports->v[i])) < 0)
			return r;
	for (size_t i = 0; req->handle_connect && req->connect_ports && i < req->connect_ports->n;
	     i++)
		if ((r = add_port(rfd, LANDLOCK_ACCESS_NET_CONNECT_TCP, req->connect_ports->v[i])) <
		    0)
			return r;
	return 0;
}

static bool any(const struct sl_strv *l)
{
	return l && l->n;
}

/* What the grants may not reach: the denied paths (fsdeny.h), kernel
 * pseudo filesystems under write grants and, for a sandbox started as
 * root, device nodes (fsspecial.h).  *out stays NULL when nothing applies
 * (no mount table read). */
bool landlock_reads_mounts(const struct landlock_req *req)
{
	return any(req->deny) || any(req->write) || req->cow_hidden ||
	       ((geteuid() == 0 || req->proc_view) && any(req->read));
}

static int restrictions(const struct landlock_req *req, const struct fs_grants *read,
			const struct fs_grants *write, struct fsdeny **out)
{
	bool root = geteuid() == 0;
	*out = NULL;
	if (!landlock_reads_mounts(req))
		return 0;
	struct mounts mnts;
	int r = mounts_read(&mnts, "fs");
	if (r < 0)
		return r;
	struct fsdeny *d = NULL;
	r = fsdeny_create(&d);
	if (r == 0)
		r = fsdeny_add_denied(d, req->deny, &mnts);
	if (r == 0)
		r = fsspecial_apply(d, &mnts, read, write, root);
	if (r == 0 && req->proc_view)
		r = fsspecial_hide_proc(d, &mnts);
	/* the workdir may be listed (a listing tells only names), never
	 * read or executed: its calls are the layer's, and a call the
	 * supervisor continues that a rewritten path turned into the
	 * workdir's reaches nothing of it */
	if (r == 0 && req->cow_hidden)
		r = fsdeny_restrict(d, "the copy-on-write workdir", req->cow_hidden,
				    LANDLOCK_ACCESS_FS_READ_DIR, LANDLOCK_ACCESS_FS_READ_DIR);
	if (r == 0)
		r = fsspecial_check_start_dir(req->start_dir);
	mounts_free(&mnts);
	if (r < 0) {
		fsdeny_free(d);
		return r;
	}
	fsdeny_seal(d);
	*out = d;
	return 0;
}

int landlock_build(const struct landlock_req *req, int abi)
{
	bool net = applied(req->skip, abi, SANDLOCK_PROTECTION_NET_TCP);
	struct sl_landlock_ruleset_attr attr = {
	    .handled_access_fs = fs_handled(abi, req->skip),
	    .handled_access_net =
		(net && req->handle_bind ? LANDLOCK_ACCESS_NET_BIND_TCP : 0) |
		(net && req->handle_connect ? LANDLOCK_ACCESS_NET_CONNECT_TCP : 0),
	    /* On unless left out: no connecting to abstract sockets made
	     * outside the sandbox, no signals to processes outside it.  (A
	     * kernel older than a field reads it as zero: the attr's size
	     * may exceed its own.) */
	    .scoped = scopes(abi, req->skip),
	};
	/* Each granted path is opened once: the checks and the rule are
	 * about the same object. */
	struct fs_grants rd, wr;
	int r = fsspecial_grants_open(&wr, "fs_write", req->write);
	if (r == 0 && (r = fsspecial_grants_open(&rd, "fs_read", req->read)) < 0)
		fsspecial_grants_close(&wr);
	if (r < 0)
		return r;
	struct fsdeny *deny = NULL;
	int rfd = -1;
	r = restrictions(req, &rd, &wr, &deny);
	if (r == 0 && (rfd = ll_create(&attr, sizeof(attr), 0)) < 0)
		r = sl_errorf(errno, "landlock: create ruleset: %s", strerror(errno));
	else if (r == 0)
		r = add_rules(rfd, deny, &rd, &wr, req, abi);
	fsdeny_free(deny);
	fsspecial_grants_close(&rd);
	fsspecial_grants_close(&wr);
	if (r < 0) {
		if (rfd >= 0)
			close(rfd);
		return r;
	}
	return rfd;
}
