/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c - the configuration model: the builder ABI, build-time
 * validation, the "not supported yet" gate, deep copy and release.
 *
 * Builder calls cannot fail (the ABI returns the builder), so the first
 * problem one of them meets is parked in the builder and reported by
 * sandlock_sandbox_build().  Build then validates everything, parses the
 * network and HTTP rules into their structured form, merges HTTP ports into
 * the network rules and finally refuses fields whose enforcement has not
 * landed, in that order: a malformed value is reported before "not
 * supported yet".
 */
#include "policy.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credential.h"
#include "error.h"
#include "protection.h"
#include "httprule.h"
#include "rlimits.h"
#include "names.h"
#include "netrule.h"
#include "portset.h"
#include "syscalls.h"

#define OFF(member)		offsetof(struct sandlock_sandbox, member)
#define MEMBER(cfg, off, type)	((type *)(void *)((char *)(cfg) + (off)))
#define CMEMBER(cfg, off, type) ((const type *)(const void *)((const char *)(cfg) + (off)))

/* cpu_cores indexes must be below this: the size of a default cpu_set_t. */
#define SL_CPU_MAX 1024u

/*
 * Owned members, walked by policy_copy() and policy_release().  A new
 * pointer member of struct sandlock_sandbox must be listed here (or handled
 * next to net_rules/http_rules), or copies would share it.
 */
static const size_t strv_members[] = {
    OFF(fs_read),	   OFF(fs_write),	 OFF(fs_deny),	     OFF(fs_mount_virt),
    OFF(fs_mount_host),	   OFF(deny_syscalls),	 OFF(allow_groups),  OFF(net_allow),
    OFF(net_deny),	   OFF(net_allow_bind),	 OFF(net_deny_bind), OFF(http_allow),
    OFF(http_deny),	   OFF(env_keys),	 OFF(env_vals),	     OFF(http_inject_ca),
    OFF(credential_specs), OFF(http_auth_specs),
};
static const size_t str_members[] = {
    OFF(workdir),  OFF(cwd),	     OFF(fs_storage),	OFF(chroot),	OFF(http_ca),
    OFF(http_key), OFF(http_ca_out), OFF(profile_text), OFF(learn_log),
};
static const size_t u32v_members[] = {
    OFF(net_bind),
    OFF(http_ports),
    OFF(cpu_cores),
    OFF(gpu_devices),
};
static const size_t portset_members[] = {
    OFF(bind_allow),
    OFF(bind_deny),
};

/* ---- life cycle ------------------------------------------------------------ */

void policy_init(struct sandlock_sandbox *cfg)
{
	*cfg = (struct sandlock_sandbox){0};
	cfg->max_processes = SL_DEFAULT_MAX_PROCESSES;
	cfg->fs_isolation = SL_ISO_NONE;
	cfg->on_exit = SL_BRANCH_COMMIT;
	cfg->on_error = SL_BRANCH_ABORT;
}

static void free_rule_list(struct sl_net_rule **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		netrule_free(&(*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

/* The parsed forms of the network lists (what validation makes). */
static void free_net_rules(struct sandlock_sandbox *cfg)
{
	free_rule_list(&cfg->net_rules, &cfg->n_net_rules);
	free_rule_list(&cfg->net_deny_rules, &cfg->n_net_deny_rules);
	for (size_t i = 0; i < SL_ARRAY_SIZE(portset_members); i++)
		portset_free(MEMBER(cfg, portset_members[i], struct sl_portset));
}

static void free_http_rules(struct sandlock_sandbox *cfg)
{
	for (size_t i = 0; i < cfg->n_http_allow + cfg->n_http_deny; i++)
		httprule_free(&cfg->http_rules[i]);
	free(cfg->http_rules);
	cfg->http_rules = NULL;
	cfg->n_http_allow = cfg->n_http_deny = 0;
}

static void free_http_auths(struct sandlock_sandbox *cfg)
{
	for (size_t i = 0; i < cfg->n_http_auths; i++)
		credential_http_auth_free(&cfg->http_auths[i]);
	free(cfg->http_auths);
	cfg->http_auths = NULL;
	cfg->n_http_auths = 0;
}

/* The secrets are zeroed (credential_free). */
static void free_credentials(struct sandlock_sandbox *cfg)
{
	free_http_auths(cfg); /* they point into the credentials */
	for (size_t i = 0; i < cfg->n_credentials; i++)
		credential_free(&cfg->credentials[i]);
	free(cfg->credentials);
	cfg->credentials = NULL;
	cfg->n_credentials = 0;
}

void policy_release(struct sandlock_sandbox *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < SL_ARRAY_SIZE(strv_members); i++)
		sl_strv_free(MEMBER(cfg, strv_members[i], struct sl_strv));
	for (size_t i = 0; i < SL_ARRAY_SIZE(str_members); i++)
		free(*MEMBER(cfg, str_members[i], char *));
	for (size_t i = 0; i < SL_ARRAY_SIZE(u32v_members); i++)
		sl_u32v_free(MEMBER(cfg, u32v_members[i], struct sl_u32v));
	free_net_rules(cfg);
	free_http_rules(cfg);
	free_credentials(cfg);
	*cfg = (struct sandlock_sandbox){0};
}

/* Copies n rules; *dn counts those copied, so that release frees exactly
 * them after a failure. */
static int copy_rule_list(struct sl_net_rule **dv, size_t *dn, const struct sl_net_rule *sv,
			  size_t n)
{
	if (n == 0)
		return 0;
	*dv = calloc(n, sizeof(**dv));
	if (!*dv)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (netrule_copy(&(*dv)[i], &sv[i]) < 0)
			return -ENOMEM;
		*dn = i + 1;
	}
	return 0;
}

static int copy_net_rules(struct sandlock_sandbox *dst, const struct sandlock_sandbox *src)
{
	int r =
	    copy_rule_list(&dst->net_rules, &dst->n_net_rules, src->net_rules, src->n_net_rules);
	if (r == 0)
		r = copy_rule_list(&dst->net_deny_rules, &dst->n_net_deny_rules,
				   src->net_deny_rules, src->n_net_deny_rules);
	for (size_t i = 0; i < SL_ARRAY_SIZE(portset_members) && r == 0; i++)
		r = portset_copy(MEMBER(dst, portset_members[i], struct sl_portset),
				 CMEMBER(src, portset_members[i], struct sl_portset));
	return r;
}

static int copy_http_rules(struct sandlock_sandbox *dst, const struct sandlock_sandbox *src)
{
	size_t n = src->n_http_allow + src->n_http_deny;
	if (n == 0)
		return 0;
	dst->http_rules = calloc(n, sizeof(*dst->http_rules));
	if (!dst->http_rules)
		return -ENOMEM;
	/* counted as allow rules until complete, so release frees exactly
	 * what was copied */
	for (size_t i = 0; i < n; i++) {
		if (httprule_copy(&dst->http_rules[i], &src->http_rules[i]) < 0)
			return -ENOMEM;
		dst->n_http_allow = i + 1;
	}
	dst->n_http_allow = src->n_http_allow;
	dst->n_http_deny = src->n_http_deny;
	return 0;
}

/* The copies' cred pointers point into dst's own credentials. */
static int copy_credentials(struct sandlock_sandbox *dst, const struct sandlock_sandbox *src)
{
	if (src->n_credentials > 0 &&
	    !(dst->credentials = calloc(src->n_credentials, sizeof(*dst->credentials))))
		return -ENOMEM;
	for (size_t i = 0; i < src->n_credentials; i++) {
		if (credential_copy(&dst->credentials[i], &src->credentials[i]) < 0)
			return -ENOMEM;
		dst->n_credentials = i + 1;
	}
	if (src->n_http_auths > 0 &&
	    !(dst->http_auths = calloc(src->n_http_auths, sizeof(*dst->http_auths))))
		return -ENOMEM;
	for (size_t i = 0; i < src->n_http_auths; i++) {
		const struct sl_http_auth *a = &src->http_auths[i];
		struct sl_http_auth *d = &dst->http_auths[i];
		dst->n_http_auths = i + 1;
		d->cred = &dst->credentials[a->cred - src->credentials];
		if (!(d->host = strdup(a->host)) || (a->header && !(d->header = strdup(a->header))))
			return -ENOMEM;
	}
	return 0;
}

int policy_copy(struct sandlock_sandbox *dst, const struct sandlock_sandbox *src)
{
	/* Scalars by assignment; then every owned member is detached before
	 * it is copied, so a failure half way releases only dst's memory. */
	*dst = *src;
	for (size_t i = 0; i < SL_ARRAY_SIZE(strv_members); i++)
		*MEMBER(dst, strv_members[i], struct sl_strv) = (struct sl_strv){0};
	for (size_t i = 0; i < SL_ARRAY_SIZE(str_members); i++)
		*MEMBER(dst, str_members[i], char *) = NULL;
	for (size_t i = 0; i < SL_ARRAY_SIZE(u32v_members); i++)
		*MEMBER(dst, u32v_members[i], struct sl_u32v) = (struct sl_u32v){0};
	dst->net_rules = dst->net_deny_rules = NULL;
	dst->n_net_rules = dst->n_net_deny_rules = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(portset_members); i++)
		*MEMBER(dst, portset_members[i], struct sl_portset) = (struct sl_portset){0};
	dst->http_rules = NULL;
	dst->n_http_allow = dst->n_http_deny = 0;
	dst->credentials = NULL;
	dst->http_auths = NULL;
	dst->n_credentials = dst->n_http_auths = 0;

	for (size_t i = 0; i < SL_ARRAY_SIZE(strv_members); i++)
		if (sl_strv_copy(MEMBER(dst, strv_members[i], struct sl_strv),
				 CMEMBER(src, strv_members[i], struct sl_strv)) < 0)
			goto nomem;
	for (size_t i = 0; i < SL_ARRAY_SIZE(str_members); i++) {
		const char *s = *CMEMBER(src, str_members[i], char *);
		if (s && !(*MEMBER(dst, str_members[i], char *) = strdup(s)))
			goto nomem;
	}
	for (size_t i = 0; i < SL_ARRAY_SIZE(u32v_members); i++)
		if (sl_u32v_copy(MEMBER(dst, u32v_members[i], struct sl_u32v),
				 CMEMBER(src, u32v_members[i], struct sl_u32v)) < 0)
			goto nomem;
	if (copy_net_rules(dst, src) < 0 || copy_http_rules(dst, src) < 0 ||
	    copy_credentials(dst, src) < 0)
		goto nomem;
	return 0;
nomem:
	policy_release(dst);
	return sl_errorf(ENOMEM, "copying the policy: out of memory");
}

/* ---- validation -------------------------------------------------------------- */

enum path_kind { PATH_ANY, PATH_DIR, PATH_FILE };

/* The path must exist (stat follows symlinks) and be of the wanted kind. */
static int check_path(const char *field, const char *path, enum path_kind kind)
{
	struct stat st;
	if (!*path)
		return sl_errorf(EINVAL, "%s: empty path", field);
	if (stat(path, &st) < 0) {
		int e = errno;
		return sl_errorf(e, "%s: %s: %s", field, path, strerror(e));
	}
	if (kind == PATH_DIR && !S_ISDIR(st.st_mode))
		return sl_errorf(ENOTDIR, "%s: %s: %s", field, path, strerror(ENOTDIR));
	if (kind == PATH_FILE && S_ISDIR(st.st_mode))
		return sl_errorf(EISDIR, "%s: %s: %s", field, path, strerror(EISDIR));
	return 0;
}

static int check_opt_path(const char *field, const char *path, enum path_kind kind)
{
	return path ? check_path(field, path, kind) : 0;
}

/* With chroot, cwd names a directory inside the new root. */
static int check_cwd(const struct sandlock_sandbox *cfg)
{
	if (!cfg->cwd)
		return 0;
	if (!cfg->chroot || !*cfg->cwd)
		return check_path("cwd", cfg->cwd, PATH_DIR);
	char *p = NULL;
	if (asprintf(&p, "%s/%s", cfg->chroot, cfg->cwd) < 0)
		return -ENOMEM;
	int r = check_path("cwd", p, PATH_DIR);
	free(p);
	return r;
}

static const struct {
	const char *field;
	size_t off;
} fs_lists[] = {
    {"fs_read", OFF(fs_read)},
    {"fs_write", OFF(fs_write)},
    {"fs_deny", OFF(fs_deny)},
};

static int validate_fs(const struct sandlock_sandbox *cfg)
{
	int r;
	for (size_t i = 0; i < SL_ARRAY_SIZE(fs_lists); i++) {
		const struct sl_strv *l = CMEMBER(cfg, fs_lists[i].off, struct sl_strv);
		for (size_t j = 0; j < l->n; j++) {
			/* under chroot these are virtual paths, checked in the
			 * rootfs when the sandbox starts */
			if (cfg->chroot && l->v[j][0] != '/')
				return sl_errorf(EINVAL,
						 "%s: '%s' must be an absolute path (chroot)",
						 fs_lists[i].field, l->v[j]);
			if (!cfg->chroot &&
			    (r = check_path(fs_lists[i].field, l->v[j], PATH_ANY)) < 0)
				return r;
		}
	}
	if ((r = check_opt_path("workdir", cfg->workdir, PATH_DIR)) < 0 ||
	    (r = check_opt_path("chroot", cfg->chroot, PATH_DIR)) < 0 ||
	    (r = check_opt_path("fs_storage", cfg->fs_storage, PATH_DIR)) < 0 ||
	    (r = check_cwd(cfg)) < 0)
		return r;
	for (size_t i = 0; i < cfg->fs_mount_virt.n; i++) {
		if (cfg->fs_mount_virt.v[i][0] != '/')
			return sl_errorf(EINVAL, "fs_mount: virtual path '%s' must be absolute",
					 cfg->fs_mount_virt.v[i]);
		if ((r = check_path("fs_mount", cfg->fs_mount_host.v[i], PATH_DIR)) < 0)
			return r;
	}
	if (cfg->fs_mount_virt.n > 0 && !cfg->chroot)
		return sl_errorf(EINVAL, "fs_mount requires chroot");
	return 0;
}

/* The staged changes must not be part of what they change. */
static int check_storage(const struct sandlock_sandbox *cfg)
{
	if (!cfg->workdir || !cfg->fs_storage)
		return 0;
	char *wd = realpath(cfg->workdir, NULL), *st = realpath(cfg->fs_storage, NULL);
	int r = 0;
	if (!wd || !st) {
		r = sl_errorf(errno, "%s: %s", wd ? "fs_storage" : "workdir", strerror(errno));
	} else {
		size_t n = strlen(wd);
		if (!strncmp(st, wd, n) && (st[n] == 0 || st[n] == '/' || n == 1))
			r = sl_errorf(EINVAL,
				      "fs_storage '%s' is inside the workdir '%s' (the staged "
				      "changes would be part of what they change)",
				      cfg->fs_storage, cfg->workdir);
	}
	free(wd);
	free(st);
	return r;
}

static int validate_modes(const struct sandlock_sandbox *cfg)
{
	if (cfg->fs_isolation > SL_ISO_BRANCHFS)
		return sl_errorf(EINVAL,
				 "fs_isolation: invalid mode %u (0 none, 1 overlayfs, 2 branchfs)",
				 cfg->fs_isolation);
	if (cfg->on_exit > SL_BRANCH_KEEP)
		return sl_errorf(EINVAL, "on_exit: invalid action %u (0 commit, 1 abort, 2 keep)",
				 cfg->on_exit);
	if (cfg->on_error > SL_BRANCH_KEEP)
		return sl_errorf(EINVAL, "on_error: invalid action %u (0 commit, 1 abort, 2 keep)",
				 cfg->on_error);
	if (cfg->fs_isolation != SL_ISO_NONE && !cfg->workdir)
		return sl_errorf(EINVAL, "fs_isolation requires workdir to be set");
	if (cfg->fs_storage && !cfg->workdir)
		return sl_errorf(EINVAL, "fs_storage requires workdir to be set");
	if (cfg->max_disk.set && cfg->max_disk.v && !cfg->workdir)
		return sl_errorf(EINVAL, "max_disk requires workdir to be set");
	return check_storage(cfg);
}

static bool syscall_known(const char *name)
{
	return syscalls_nr(name) >= 0;
}

/* Fails listing every entry of l that known() rejects: "unknown syscall
 * name(s): a, b". */
static int check_names(const struct sl_strv *l, bool (*known)(const char *), const char *what)
{
	char list[SL_ERRMSG_MAX] = "";
	size_t len = 0;
	bool bad = false;
	for (size_t i = 0; i < l->n; i++) {
		if (known(l->v[i]))
			continue;
		int n = snprintf(list + len, sizeof(list) - len, "%s%s", bad ? ", " : "", l->v[i]);
		if (n > 0)
			len += (size_t)n < sizeof(list) - len ? (size_t)n : sizeof(list) - len - 1;
		bad = true;
	}
	if (bad)
		return sl_errorf(EINVAL, "unknown syscall %s(s): %s", what, list);
	return 0;
}

static bool denied_name(const struct sandlock_sandbox *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->deny_syscalls.n; i++)
		if (strcmp(cfg->deny_syscalls.v[i], name) == 0)
			return true;
	return false;
}

/*
 * The sandbox's child makes a few syscalls itself once its filter is
 * installed, before and at exec (src/plan/child.c).  Denying one of these
 * would break the start, not the command: refused, naming the syscall.
 * The child has a second way for some (alt): only denying both is
 * refused.  What else it makes there has a fallback the plan picks (the
 * gate's read, the signal mask, the overlap) or can fail harmlessly
 * (closing fds that exec closes anyway).
 */
static const struct start_need {
	const char *name, *alt;
	bool nofile; /* needed only with max_open_files */
	const char *why;
} start_needs[] = {
    {"execve", "execveat", false, "the sandbox starts the command with one of them"},
    {"exit", "exit_group", false,
     "the sandbox's child leaves with one of them when its start fails"},
    {"prlimit64", NULL, true, "the sandbox sets the open-file limit (max_open_files) with it"},
};

static int check_start_needs(const struct sandlock_sandbox *cfg)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(start_needs); i++) {
		const struct start_need *s = &start_needs[i];
		if (!denied_name(cfg, s->name) || (s->alt && !denied_name(cfg, s->alt)) ||
		    (s->nofile && !cfg->max_open_files.set))
			continue;
		if (s->alt)
			return sl_errorf(
			    EINVAL,
			    "extra_deny_syscalls: %s and %s cannot both be denied: after "
			    "installing its seccomp filter, %s",
			    s->name, s->alt, s->why);
		return sl_errorf(EINVAL,
				 "extra_deny_syscalls: %s cannot be denied: after installing its "
				 "seccomp filter, %s",
				 s->name, s->why);
	}
	return 0;
}

static int validate_syscalls(const struct sandlock_sandbox *cfg)
{
	int r = check_names(&cfg->deny_syscalls, syscall_known, "name");
	if (r == 0)
		r = check_start_needs(cfg);
	if (r < 0)
		return r;
	/* 0.8.0 ignores unknown groups; a misspelt "sysv_ipc" must not
	 * silently leave SysV IPC denied */
	return check_names(&cfg->allow_groups, syscalls_group_known, "group");
}

/* Each core must exist; duplicates are dropped (the cores are a set). */
static int validate_cpu_cores(struct sandlock_sandbox *cfg)
{
	struct sl_u32v *l = &cfg->cpu_cores;
	/* sysconf reads /sys: only when there is something to check */
	long conf = l->n ? sysconf(_SC_NPROCESSORS_CONF) : 0;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i] >= SL_CPU_MAX)
			return sl_errorf(EINVAL, "cpu_cores: CPU %u is out of range (0-%u)",
					 l->v[i], SL_CPU_MAX - 1);
		if (conf > 0 && l->v[i] >= (unsigned long)conf)
			return sl_errorf(EINVAL,
					 "cpu_cores: CPU %u does not exist (this machine has %ld)",
					 l->v[i], conf);
	}
	sl_u32v_sort_unique(l);
	return 0;
}

/* num_cpus: at least one, and no more than the command may run on (its
 * cores, or this thread's affinity, which the command inherits): the
 * child is pinned to that many, so the kernel's own answers agree. */
static int validate_num_cpus(const struct sandlock_sandbox *cfg)
{
	if (!cfg->num_cpus.set)
		return 0;
	unsigned long long n = cfg->num_cpus.v;
	long have = (long)cfg->cpu_cores.n;
	cpu_set_t mine;
	if (!have && sched_getaffinity(0, sizeof(mine), &mine) == 0)
		have = CPU_COUNT(&mine);
	if (n == 0 || (have > 0 && n > (unsigned long long)have))
		return sl_errorf(
		    EINVAL, "num_cpus: %llu is not a CPU count of this sandbox (1-%ld)", n, have);
	return 0;
}

/* time_start: at most 9999-12-31T23:59:59Z, the last instant RFC 3339
 * writes; the shifted clocks then stay far from time_t's limits. */
#define SL_TIME_START_MAX 253402300799ULL

static int validate_time_start(const struct sandlock_sandbox *cfg)
{
	if (cfg->time_start.set && cfg->time_start.v > SL_TIME_START_MAX)
		return sl_errorf(EINVAL,
				 "time_start: %llu is out of range (at most %llu, "
				 "9999-12-31T23:59:59Z)",
				 (unsigned long long)cfg->time_start.v, SL_TIME_START_MAX);
	return 0;
}

static const struct {
	const char *field;
	size_t off;
} positive_limits[] = {
    {"max_memory", OFF(max_memory)},
    {"max_disk", OFF(max_disk)},
    {"max_open_files", OFF(max_open_files)},
    {"policy_fn_timeout_ms", OFF(policy_fn_timeout_ms)},
};

static int validate_limits(struct sandlock_sandbox *cfg)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(positive_limits); i++) {
		const struct sl_opt_u64 *o =
		    CMEMBER(cfg, positive_limits[i].off, struct sl_opt_u64);
		if (o->set && o->v == 0)
			return sl_errorf(EINVAL, "%s must be greater than 0",
					 positive_limits[i].field);
	}
	if (cfg->max_processes == 0)
		return sl_errorf(EINVAL, "max_processes must be greater than 0");
	if (cfg->policy_fn_events.v & ~(uint64_t)SANDLOCK_POLICY_EVENT_ALL)
		return sl_errorf(EINVAL, "policy_fn_events: unknown bits 0x%llx",
				 (unsigned long long)(cfg->policy_fn_events.v &
						      ~(uint64_t)SANDLOCK_POLICY_EVENT_ALL));
	bool raise;
	int r;
	if (cfg->max_open_files.set &&
	    (r = rlimits_check_nofile(cfg->max_open_files.v, &raise)) < 0)
		return r;
	if (cfg->max_cpu.set && (cfg->max_cpu.v < 1 || cfg->max_cpu.v > 100))
		return sl_errorf(EINVAL, "max_cpu must be 1-100, got %llu",
				 (unsigned long long)cfg->max_cpu.v);
	if ((r = validate_cpu_cores(cfg)) < 0)
		return r;
	return validate_num_cpus(cfg);
}

static int validate_env(const struct sandlock_sandbox *cfg)
{
	for (size_t i = 0; i < cfg->env_keys.n; i++) {
		int r = names_check_env_key(cfg->env_keys.v[i]);
		if (r < 0)
			return r;
	}
	return rlimits_check_env((const char *const *)cfg->env_keys.v,
				 (const char *const *)cfg->env_vals.v, cfg->env_keys.n);
}

/* Appends *r to a rule list (taking what it owns, also on failure). */
static int push_rule(struct sl_net_rule **list, size_t *n, struct sl_net_rule *r)
{
	struct sl_net_rule *v = reallocarray(*list, *n + 1, sizeof(*v));
	if (!v) {
		netrule_free(r);
		return -ENOMEM;
	}
	*list = v;
	v[(*n)++] = *r;
	*r = (struct sl_net_rule){0};
	return 0;
}

static int push_net_rule(struct sandlock_sandbox *cfg, struct sl_net_rule *r)
{
	return push_rule(&cfg->net_rules, &cfg->n_net_rules, r);
}

static int parse_rule_list(const char *list, const struct sl_strv *specs, struct sl_net_rule **v,
			   size_t *n)
{
	for (size_t i = 0; i < specs->n; i++) {
		struct sl_net_rule r;
		int e = netrule_parse(list, specs->v[i], &r);
		if (e < 0 || (e = push_rule(v, n, &r)) < 0)
			return e;
	}
	return 0;
}

/* Each list of bind specs becomes one set: the union of its specs. */
static int parse_bind_specs(const char *field, const struct sl_strv *specs, struct sl_portset *out)
{
	for (size_t i = 0; i < specs->n; i++) {
		struct sl_portset s;
		int r = portset_parse(field, specs->v[i], specs->v[i], true, &s);
		if (r < 0)
			return r;
		r = portset_union(out, &s);
		portset_free(&s);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_net_rules(struct sandlock_sandbox *cfg)
{
	int r;
	if ((r = parse_rule_list("net_allow", &cfg->net_allow, &cfg->net_rules,
				 &cfg->n_net_rules)) < 0 ||
	    (r = parse_rule_list("net_deny", &cfg->net_deny, &cfg->net_deny_rules,
				 &cfg->n_net_deny_rules)) < 0 ||
	    (r = parse_bind_specs("net_allow_bind", &cfg->net_allow_bind, &cfg->bind_allow)) < 0)
		return r;
	return parse_bind_specs("net_deny_bind", &cfg->net_deny_bind, &cfg->bind_deny);
}

static int parse_http_list(struct sl_http_rule *out, const struct sl_strv *l, size_t *count)
{
	for (size_t i = 0; i < l->n; i++) {
		int r = httprule_parse(l->v[i], &out[i]);
		if (r < 0)
			return r;
		*count = i + 1;
	}
	return 0;
}

static int parse_http_rules(struct sandlock_sandbox *cfg)
{
	size_t n = cfg->http_allow.n + cfg->http_deny.n;
	if (n == 0)
		return 0;
	cfg->http_rules = calloc(n, sizeof(*cfg->http_rules));
	if (!cfg->http_rules)
		return -ENOMEM;
	int r = parse_http_list(cfg->http_rules, &cfg->http_allow, &cfg->n_http_allow);
	if (r < 0)
		return r;
	return parse_http_list(cfg->http_rules + cfg->http_allow.n, &cfg->http_deny,
			       &cfg->n_http_deny);
}

/* A TCP rule for host on http_ports; an IP literal host becomes an address
 * target, so the matcher treats it as net_allow's "1.2.3.4:80" would be. */
static int add_http_net_rule(struct sandlock_sandbox *cfg, const char *host)
{
	struct sl_net_rule r = {.proto = SL_PROTO_TCP};
	int e = netrule_set_host(&r, host);
	for (size_t i = 0; i < cfg->http_ports.n && e == 0; i++)
		e = portset_add(&r.ports, (uint16_t)cfg->http_ports.v[i],
				(uint16_t)cfg->http_ports.v[i]);
	if (e < 0) {
		netrule_free(&r);
		return e;
	}
	return push_net_rule(cfg, &r);
}

/* HTTPS is intercepted with the caller's CA, or with one the proxy makes
 * (http_inject_ca: the sandbox's bundles trust it; http_ca_out: a runtime
 * with a trust store of its own is given it). */
static bool https_intercepted(const struct sandlock_sandbox *cfg)
{
	return cfg->http_ca || cfg->http_inject_ca.n > 0 || cfg->http_ca_out;
}

/* Is host that of one of the first n_rules HTTP rules or n_auths
 * http_auths? */
static bool http_host_seen(const struct sandlock_sandbox *cfg, const char *host, size_t n_rules,
			   size_t n_auths)
{
	for (size_t j = 0; j < n_rules; j++)
		if (strcmp(cfg->http_rules[j].host, host) == 0)
			return true;
	for (size_t j = 0; j < n_auths; j++)
		if (strcmp(cfg->http_auths[j].host, host) == 0)
			return true;
	return false;
}

/*
 * HTTP -> network auto-merge.  The proxy
 * sees a connection only if net_allow lets it through, so:
 *   - http_ports defaults to 80, plus 443 when HTTPS is intercepted
 *     (http_ca or http_inject_ca), when any HTTP rule or http_auth exists
 *     and no port was given;
 *   - every distinct concrete host of the allow and deny rules and of the
 *     http_auths gets a TCP rule on http_ports (an http_auth adds no HTTP
 *     rule: its host is reachable, and the HTTP rules decide as before);
 *   - a '*' host, or http_ports given without rules or http_auths, gets a
 *     TCP any-IP rule on http_ports.
 * The rules are appended to net_rules only (net_allow keeps what the user
 * wrote), which keeps validation idempotent.
 */
static int merge_http_into_net(struct sandlock_sandbox *cfg)
{
	size_t n = cfg->n_http_allow + cfg->n_http_deny, na = cfg->n_http_auths;
	/* (validation may run again: the defaults it filled in are not the
	 * user's ports) */
	bool ports_given = cfg->http_ports.n > 0 && !cfg->http_ports_default;
	/* HTTPS interception alone (http_inject_ca, http_ca_out): the proxy
	 * runs on the default ports, and the network rules stay the user's:
	 * no rule names a host, so none is added (an any-address rule would
	 * open what net_allow keeps shut) */
	bool tls_only = n == 0 && na == 0 && !ports_given && https_intercepted(cfg);
	if (n == 0 && na == 0 && !ports_given && !tls_only)
		return 0;
	if (!ports_given && !cfg->http_ports_default) {
		if (sl_u32v_push(&cfg->http_ports, 80) < 0 ||
		    (https_intercepted(cfg) && sl_u32v_push(&cfg->http_ports, 443) < 0))
			return -ENOMEM;
		cfg->http_ports_default = true;
	}
	bool any_host = n == 0 && na == 0 && !tls_only;
	for (size_t i = 0; i < n; i++) {
		const char *host = cfg->http_rules[i].host;
		if (strcmp(host, "*") == 0) {
			any_host = true;
			continue;
		}
		int r = http_host_seen(cfg, host, i, 0) ? 0 : add_http_net_rule(cfg, host);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < na; i++) {
		const char *host = cfg->http_auths[i].host;
		int r = http_host_seen(cfg, host, n, i) ? 0 : add_http_net_rule(cfg, host);
		if (r < 0)
			return r;
	}
	return any_host ? add_http_net_rule(cfg, NULL) : 0;
}

/* A CA bundle the proxy adds its CA to: an absolute path of a regular
 * file this process can read. */
static int check_bundle(const char *path)
{
	if (path[0] != '/')
		return sl_errorf(EINVAL, "http_inject_ca: '%s' must be an absolute path", path);
	/* O_NONBLOCK: a FIFO must not hang the build */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return sl_errorf(e, "http_inject_ca: %s: %s", path, strerror(e));
	}
	close(fd);
	if (!S_ISREG(st.st_mode))
		return sl_errorf(EINVAL, "http_inject_ca: %s: not a regular file", path);
	return 0;
}

/* The proxy writes its CA at path: its directory must exist and take a
 * new file. */
static int check_ca_out(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!*path || (slash && !slash[1]))
		return sl_errorf(EINVAL, "http_ca_out: '%s' must name a file", path);
	char *dir = !slash	    ? strdup(".")
		    : slash == path ? strdup("/")
				    : strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	struct stat st;
	int r = 0, e = 0;
	if (stat(dir, &st) < 0)
		e = errno;
	else if (!S_ISDIR(st.st_mode))
		e = ENOTDIR;
	else if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0)
		e = errno;
	if (e) {
		r = sl_errorf(e, "http_ca_out: directory %s: %s", dir, strerror(e));
	} else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = sl_errorf(EISDIR, "http_ca_out: %s: %s", path, strerror(EISDIR));
	}
	free(dir);
	return r;
}

static int validate_https(const struct sandlock_sandbox *cfg)
{
	int r;
	if (cfg->http_inject_ca.n > 0 && (cfg->http_ca || cfg->http_key))
		return sl_errorf(EINVAL,
				 "http_inject_ca makes its own CA: it cannot be combined with "
				 "http_ca");
	for (size_t i = 0; i < cfg->http_inject_ca.n; i++)
		if ((r = check_bundle(cfg->http_inject_ca.v[i])) < 0)
			return r;
	return cfg->http_ca_out ? check_ca_out(cfg->http_ca_out) : 0;
}

/* Loads the specs not loaded yet: a secret is read once (an fd's content
 * is gone after a read), by the first validation that reaches it. */
static int load_credentials(struct sandlock_sandbox *cfg)
{
	for (size_t i = cfg->n_credentials; i < cfg->credential_specs.n; i++) {
		struct sl_credential c;
		int r = credential_load(cfg->credential_specs.v[i], cfg->credentials,
					cfg->n_credentials, &c);
		if (r < 0)
			return r;
		struct sl_credential *v =
		    reallocarray(cfg->credentials, cfg->n_credentials + 1, sizeof(*v));
		if (!v) {
			credential_free(&c);
			return -ENOMEM;
		}
		/* the http_auths point into the old array: parsed again after */
		free_http_auths(cfg);
		cfg->credentials = v;
		v[cfg->n_credentials++] = c;
	}
	return 0;
}

/* A credential travels only over TLS: an http_auth needs HTTPS
 * interception.  One credential per host. */
static int parse_http_auths(struct sandlock_sandbox *cfg)
{
	size_t n = cfg->http_auth_specs.n;
	if (n == 0)
		return 0;
	if (!(cfg->http_auths = calloc(n, sizeof(*cfg->http_auths))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = credential_parse_http_auth(cfg->http_auth_specs.v[i], cfg->credentials,
						   cfg->n_credentials, &cfg->http_auths[i]);
		if (r < 0)
			return r;
		cfg->n_http_auths = i + 1;
		if (http_host_seen(cfg, cfg->http_auths[i].host, 0, i))
			return sl_errorf(EINVAL, "http_auth: host '%s' is given more than once",
					 cfg->http_auths[i].host);
	}
	if (!(cfg->http_ca && cfg->http_key) && cfg->http_inject_ca.n == 0)
		return sl_errorf(EINVAL, "http_auth: a credential is sent only over TLS: give "
					 "--http-ca and --http-key, or --http-inject-ca");
	return 0;
}

/* The grant of list (fs_read or fs_write) that covers path, both
 * resolved, or NULL. */
static const char *granted_tree(const struct sl_strv *list, const char *path)
{
	char real[PATH_MAX], tree[PATH_MAX];
	if (!realpath(path, real))
		return NULL;
	for (size_t i = 0; i < list->n; i++) {
		if (!realpath(list->v[i], tree))
			continue;
		size_t n = strlen(tree);
		if (strcmp(tree, "/") == 0 ||
		    (strncmp(real, tree, n) == 0 && (real[n] == '/' || real[n] == 0)))
			return list->v[i];
	}
	return NULL;
}

/* A secret the proxy holds so that the sandbox does not: refused when the
 * sandbox could read its file itself (a file: credential, the CA's key
 * under a read or write grant). */
static int check_secret_file(const struct sandlock_sandbox *cfg, const char *what, const char *path)
{
	const char *t = granted_tree(&cfg->fs_read, path);
	if (!t)
		t = granted_tree(&cfg->fs_write, path);
	struct stat sb;
	/* another name of the same file may lie in a granted tree, where no
	 * path comparison finds it */
	if (!t && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_nlink > 1)
		return sl_errorf(EINVAL,
				 "%s: '%s' has %ju hard links: another may lie where the sandbox "
				 "can read the secret (give it a file of its own)",
				 what, path, (uintmax_t)sb.st_nlink);
	if (!t)
		return 0;
	return sl_errorf(EINVAL,
			 "%s: '%s' lies under the granted tree '%s': the sandbox could read the "
			 "secret itself (keep it outside the grants, or use env: or fd:)",
			 what, path, t);
}

static int check_secret_files(const struct sandlock_sandbox *cfg)
{
	int r = cfg->http_key ? check_secret_file(cfg, "http_key", cfg->http_key) : 0;
	for (size_t i = 0; r == 0 && i < cfg->credential_specs.n; i++) {
		const char *spec = cfg->credential_specs.v[i], *src = strchr(spec, '=');
		if (src && strncmp(src + 1, "file:", 5) == 0)
			r = check_secret_file(cfg, "credential", src + 6);
	}
	return r;
}

static int validate_net(struct sandlock_sandbox *cfg)
{
	int r;
	/* parsed afresh: validation may run again on the same policy */
	free_net_rules(cfg);
	free_http_rules(cfg);
	free_http_auths(cfg);
	if (!cfg->http_ca != !cfg->http_key)
		return sl_errorf(EINVAL, "http_ca and http_key must be given together");
	if ((r = check_opt_path("http_ca", cfg->http_ca, PATH_FILE)) < 0 ||
	    (r = check_opt_path("http_key", cfg->http_key, PATH_FILE)) < 0)
		return r;
	if (sl_u32v_contains(&cfg->http_ports, 0))
		return sl_errorf(EINVAL, "http_ports: port 0 is not valid");
	/* Landlock reads a bind rule for port 0 as "may bind(0)", and the
	 * kernel then picks any free ephemeral port */
	if (sl_u32v_contains(&cfg->net_bind, 0))
		return sl_errorf(EINVAL, "net_bind: port 0 is not allowed (it would let the "
					 "sandbox bind an ephemeral port)");
	/* the ports are Landlock's TCP rules: none without them */
	if (cfg->net_bind.n && (cfg->prot_disabled & (1u << SANDLOCK_PROTECTION_NET_TCP)))
		return sl_errorf(EINVAL, "net_bind: the TCP port rules are Landlock's net-tcp "
					 "protection, which the policy disables");
	if ((r = validate_https(cfg)) < 0 || (r = parse_net_rules(cfg)) < 0 ||
	    (r = parse_http_rules(cfg)) < 0 || (r = load_credentials(cfg)) < 0 ||
	    (r = parse_http_auths(cfg)) < 0 || (r = check_secret_files(cfg)) < 0)
		return r;
	return merge_http_into_net(cfg);
}

int policy_validate(struct sandlock_sandbox *cfg)
{
	int r;
	if ((r = validate_fs(cfg)) < 0 || (r = validate_modes(cfg)) < 0 ||
	    (r = validate_syscalls(cfg)) < 0 || (r = validate_limits(cfg)) < 0 ||
	    (r = validate_env(cfg)) < 0 || (r = validate_net(cfg)) < 0 ||
	    (r = validate_time_start(cfg)) < 0) {
		/* the parsers and containers report ENOMEM without a message */
		if (r == -ENOMEM)
			sl_errorf(ENOMEM, "validating the policy: out of memory");
		return r;
	}
	return 0;
}

/* ---- "not supported yet" ------------------------------------------------------ */

enum member_kind { MK_STRV, MK_STR, MK_U32V, MK_OPT, MK_BOOL, MK_U8, MK_FN };

/*
 * Fields whose enforcement has not landed, in the spec's names.  A field is
 * refused when it differs from its default.  Each milestone that enforces a
 * field deletes its line.
 */
/* clang-format off */
static const struct {
	const char *field;
	enum member_kind kind;
	size_t off;
} pending[] = {
    {"fs_mount", MK_STRV, OFF(fs_mount_virt)},
    {"chroot", MK_STR, OFF(chroot)},
    {"gpu_devices", MK_BOOL, OFF(gpu_devices_set)},
    {"uid", MK_OPT, OFF(uid)},
};
/* clang-format on */

static bool member_set(const struct sandlock_sandbox *cfg, enum member_kind kind, size_t off)
{
	switch (kind) {
	case MK_STRV:
		return CMEMBER(cfg, off, struct sl_strv)->n > 0;
	case MK_STR:
		return *CMEMBER(cfg, off, char *) != NULL;
	case MK_U32V:
		return CMEMBER(cfg, off, struct sl_u32v)->n > 0;
	case MK_OPT:
		return CMEMBER(cfg, off, struct sl_opt_u64)->set;
	case MK_BOOL:
		return *CMEMBER(cfg, off, bool);
	case MK_U8:
		return *CMEMBER(cfg, off, uint8_t) != 0;
	case MK_FN:
		return *CMEMBER(cfg, off, sandlock_policy_fn_t) != NULL;
	}
	return false;
}

/* The copy-on-write workdir: only its overlayfs mode has landed. */
static int check_cow_supported(const struct sandlock_sandbox *cfg)
{
	if (!cfg->workdir)
		return 0;
	if (cfg->fs_isolation == SL_ISO_BRANCHFS)
		return sl_errorf(ENOTSUP, "fs_isolation branchfs is not supported: sandlock "
					  "provides no BranchFS; use overlayfs");
	if (cfg->chroot)
		return sl_unsupported("workdir with chroot");
	/* overlay mode's quota is a tmpfs that ends with the run (the
	 * seccomp layer's is counted on the upper, which keep leaves) */
	if (cfg->fs_isolation == SL_ISO_OVERLAYFS && cfg->max_disk.set &&
	    (cfg->on_exit == SL_BRANCH_KEEP || cfg->on_error == SL_BRANCH_KEEP))
		return sl_unsupported("keep (on_exit, on_error) with max_disk");
	return 0;
}

int policy_check_supported(const struct sandlock_sandbox *cfg)
{
	int r = check_cow_supported(cfg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < SL_ARRAY_SIZE(pending); i++)
		if (member_set(cfg, pending[i].kind, pending[i].off))
			return sl_unsupported(pending[i].field);
	return 0;
}

/* ---- builder ----------------------------------------------------------------- */

/* Parks the first error of a builder call for build to report. */
__attribute__((format(printf, 3, 4))) static void builder_error(struct sandlock_builder *b, int err,
								const char *fmt, ...)
{
	if (b->err)
		return;
	b->err = err;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&b->errmsg, fmt, ap) < 0)
		b->errmsg = NULL; /* build falls back to strerror */
	va_end(ap);
}

static void builder_nomem(struct sandlock_builder *b, const char *field)
{
	builder_error(b, -ENOMEM, "%s: out of memory", field);
}

static bool strv_has(const struct sl_strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static void builder_push(struct sandlock_builder *b, struct sl_strv *l, const char *s,
			 const char *field)
{
	if (sl_strv_push(l, s) < 0)
		builder_nomem(b, field);
}

/* Scalars override: the last call wins. */
static void builder_set_str(struct sandlock_builder *b, char **slot, const char *s,
			    const char *field)
{
	char *copy = strdup(s);
	if (!copy) {
		builder_nomem(b, field);
		return;
	}
	free(*slot);
	*slot = copy;
}

static void builder_push_port(struct sandlock_builder *b, struct sl_u32v *l, uint16_t port,
			      const char *field)
{
	if (!sl_u32v_contains(l, port) && sl_u32v_push(l, port) < 0)
		builder_nomem(b, field);
}

static void builder_push_array(struct sandlock_builder *b, struct sl_u32v *l, bool *set,
			       const uint32_t *v, uint32_t len, const char *field)
{
	if (!v && len > 0) {
		builder_error(b, -EINVAL, "%s: NULL array with length %u", field, len);
		return;
	}
	*set = true; /* an explicit empty list is a value too */
	for (uint32_t i = 0; i < len; i++) {
		if (sl_u32v_push(l, v[i]) < 0) {
			builder_nomem(b, field);
			return;
		}
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* "a, b,,c" -> a, b, c: split at commas, trim, skip empty, skip repeats.
 * Names are checked by build so that every unknown one is listed. */
static void builder_push_csv(struct sandlock_builder *b, struct sl_strv *l, const char *csv,
			     const char *field)
{
	for (const char *p = csv;;) {
		const char *end = strchrnul(p, ',');
		const char *s = p, *e = end;
		while (s < e && is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			e--;
		if (e > s) {
			char *name = strndup(s, (size_t)(e - s));
			if (!name) {
				builder_nomem(b, field);
				return;
			}
			if (strv_has(l, name))
				free(name);
			else if (sl_strv_push_owned(l, name) < 0) {
				builder_nomem(b, field);
				return;
			}
		}
		if (!*end)
			return;
		p = end + 1;
	}
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_new(void)
{
	sl_error_clear();
	struct sandlock_builder *b = calloc(1, sizeof(*b));
	if (!b) {
		sl_errorf(ENOMEM, "sandlock_sandbox_builder_new: out of memory");
		return NULL;
	}
	policy_init(&b->cfg);
	return b;
}

/* ---- builder: filesystem ---- */

SL_API sandlock_builder_t *sandlock_sandbox_builder_fs_read(sandlock_builder_t *b, const char *path)
{
	if (b && path)
		builder_push(b, &b->cfg.fs_read, path, "fs_read");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_fs_write(sandlock_builder_t *b,
							     const char *path)
{
	if (b && path)
		builder_push(b, &b->cfg.fs_write, path, "fs_write");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_fs_deny(sandlock_builder_t *b, const char *path)
{
	if (b && path)
		builder_push(b, &b->cfg.fs_deny, path, "fs_deny");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_fs_storage(sandlock_builder_t *b,
							       const char *path)
{
	if (b && path)
		builder_set_str(b, &b->cfg.fs_storage, path, "fs_storage");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_fs_isolation(sandlock_builder_t *b,
								 uint8_t mode)
{
	if (b)
		b->cfg.fs_isolation = mode; /* range checked by build */
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_workdir(sandlock_builder_t *b, const char *path)
{
	if (b && path)
		builder_set_str(b, &b->cfg.workdir, path, "workdir");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_cwd(sandlock_builder_t *b, const char *path)
{
	if (b && path)
		builder_set_str(b, &b->cfg.cwd, path, "cwd");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_chroot(sandlock_builder_t *b, const char *path)
{
	if (b && path)
		builder_set_str(b, &b->cfg.chroot, path, "chroot");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_fs_mount(sandlock_builder_t *b,
							     const char *virtual_path,
							     const char *host_path)
{
	if (!b || !virtual_path || !host_path)
		return b;
	struct sl_strv *virt = &b->cfg.fs_mount_virt, *host = &b->cfg.fs_mount_host;
	if (sl_strv_push(virt, virtual_path) < 0) {
		builder_nomem(b, "fs_mount");
	} else if (sl_strv_push(host, host_path) < 0) {
		/* keep the two lists the same length */
		free(virt->v[--virt->n]);
		virt->v[virt->n] = NULL;
		builder_nomem(b, "fs_mount");
	}
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_on_exit(sandlock_builder_t *b, uint8_t action)
{
	if (b) {
		b->cfg.on_exit = action; /* range checked by build */
		b->cfg.on_exit_set = true;
	}
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_on_error(sandlock_builder_t *b, uint8_t action)
{
	if (b) {
		b->cfg.on_error = action;
		b->cfg.on_error_set = true;
	}
	return b;
}

/* ---- builder: limits ---- */

static void set_opt(struct sl_opt_u64 *o, uint64_t v)
{
	o->set = true;
	o->v = v;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_max_memory(sandlock_builder_t *b,
							       uint64_t bytes)
{
	if (b)
		set_opt(&b->cfg.max_memory, bytes);
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_max_disk(sandlock_builder_t *b, uint64_t bytes)
{
	if (b)
		set_opt(&b->cfg.max_disk, bytes);
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_max_processes(sandlock_builder_t *b, uint32_t n)
{
	if (b)
		b->cfg.max_processes = n;
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_max_cpu(sandlock_builder_t *b, uint8_t pct)
{
	if (b)
		set_opt(&b->cfg.max_cpu, pct);
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_num_cpus(sandlock_builder_t *b, uint32_t n)
{
	if (b)
		set_opt(&b->cfg.num_cpus, n);
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_cpu_cores(sandlock_builder_t *b,
							      const uint32_t *cores, uint32_t len)
{
	if (b)
		builder_push_array(b, &b->cfg.cpu_cores, &b->cfg.cpu_cores_set, cores, len,
				   "cpu_cores");
	return b;
}

SL_API sandlock_builder_t *
sandlock_sandbox_builder_gpu_devices(sandlock_builder_t *b, const uint32_t *devices, uint32_t len)
{
	if (b)
		builder_push_array(b, &b->cfg.gpu_devices, &b->cfg.gpu_devices_set, devices, len,
				   "gpu_devices");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_max_open_files(sandlock_builder_t *b,
								   unsigned int n)
{
	if (b)
		set_opt(&b->cfg.max_open_files, n);
	return b;
}

/* ---- builder: network ---- */

SL_API sandlock_builder_t *sandlock_sandbox_builder_net_allow(sandlock_builder_t *b,
							      const char *spec)
{
	if (b && spec)
		builder_push(b, &b->cfg.net_allow, spec, "net_allow");
	return b;
}

/* net_deny and the bind specs are recorded, then checked by build (the
 * grammar) and refused by it until their enforcement lands. */
SL_API sandlock_builder_t *sandlock_sandbox_builder_net_deny(sandlock_builder_t *b,
							     const char *spec)
{
	if (b && spec)
		builder_push(b, &b->cfg.net_deny, spec, "net_deny");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_net_allow_bind(sandlock_builder_t *b,
								   const char *spec)
{
	if (b && spec)
		builder_push(b, &b->cfg.net_allow_bind, spec, "net_allow_bind");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_net_deny_bind(sandlock_builder_t *b,
								  const char *spec)
{
	if (b && spec)
		builder_push(b, &b->cfg.net_deny_bind, spec, "net_deny_bind");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_net_bind_port(sandlock_builder_t *b,
								  uint16_t port)
{
	if (b)
		builder_push_port(b, &b->cfg.net_bind, port, "net_bind");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_port_remap(sandlock_builder_t *b, bool v)
{
	if (b)
		b->cfg.port_remap = v;
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_http_allow(sandlock_builder_t *b,
							       const char *rule)
{
	if (b && rule)
		builder_push(b, &b->cfg.http_allow, rule, "http_allow");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_http_deny(sandlock_builder_t *b,
							      const char *rule)
{
	if (b && rule)
		builder_push(b, &b->cfg.http_deny, rule, "http_deny");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_http_port(sandlock_builder_t *b, uint16_t port)
{
	if (b)
		builder_push_port(b, &b->cfg.http_ports, port, "http_ports");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_http_ca(sandlock_builder_t *b, const char *path)
{
	if (b && path)
		builder_set_str(b, &b->cfg.http_ca, path, "http_ca");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_http_key(sandlock_builder_t *b,
							     const char *path)
{
	if (b && path)
		builder_set_str(b, &b->cfg.http_key, path, "http_key");
	return b;
}

/* Checked by build (validate_https), refused by it until the proxy lands. */
SL_API sandlock_builder_t *sandlock_sandbox_builder_http_inject_ca(sandlock_builder_t *b,
								   const char *path)
{
	if (b && path)
		builder_push(b, &b->cfg.http_inject_ca, path, "http_inject_ca");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_http_ca_out(sandlock_builder_t *b,
								const char *path)
{
	if (b && path)
		builder_set_str(b, &b->cfg.http_ca_out, path, "http_ca_out");
	return b;
}

/* An absolute path: the learn feature writes what the run touches there. */
SL_API sandlock_builder_t *sandlock_sandbox_builder_learn_log(sandlock_builder_t *b,
							      const char *path)
{
	if (b && path && path[0] != '/')
		builder_error(b, -EINVAL, "learn_log: '%s' is not an absolute path", path);
	else if (b && path)
		builder_set_str(b, &b->cfg.learn_log, path, "learn_log");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_explain_denials(sandlock_builder_t *b, bool on)
{
	if (b)
		b->cfg.explain_denials = on;
	return b;
}

/* Kept, never parsed: a running sandbox's control socket serves it. */
SL_API sandlock_builder_t *sandlock_sandbox_builder_profile_text(sandlock_builder_t *b,
								 const char *text)
{
	if (b && text && strlen(text) > SANDLOCK_PROFILE_TEXT_MAX)
		builder_error(b, -EINVAL, "profile_text: %zu bytes, more than %u", strlen(text),
			      SANDLOCK_PROFILE_TEXT_MAX);
	else if (b && text)
		builder_set_str(b, &b->cfg.profile_text, text, "profile_text");
	return b;
}

/* The specs are copied; the secrets are loaded by build. */
SL_API sandlock_builder_t *sandlock_sandbox_builder_credential(sandlock_builder_t *b,
							       const char *spec)
{
	if (b && spec)
		builder_push(b, &b->cfg.credential_specs, spec, "credential");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_http_auth(sandlock_builder_t *b,
							      const char *spec)
{
	if (b && spec)
		builder_push(b, &b->cfg.http_auth_specs, spec, "http_auth");
	return b;
}

/* ---- builder: process, determinism, syscalls ---- */

SL_API sandlock_builder_t *sandlock_sandbox_builder_uid(sandlock_builder_t *b, uint32_t id)
{
	if (b)
		set_opt(&b->cfg.uid, id);
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_random_seed(sandlock_builder_t *b,
								uint64_t seed)
{
	if (b)
		set_opt(&b->cfg.random_seed, seed);
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_time_start(sandlock_builder_t *b,
							       uint64_t epoch_secs)
{
	if (b)
		set_opt(&b->cfg.time_start, epoch_secs);
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_clean_env(sandlock_builder_t *b, bool v)
{
	if (b)
		b->cfg.clean_env = v;
	return b;
}

/* A repeated key replaces the earlier value in place: later calls win. */
SL_API sandlock_builder_t *sandlock_sandbox_builder_env_var(sandlock_builder_t *b, const char *key,
							    const char *value)
{
	if (!b || !key || !value)
		return b;
	struct sl_strv *keys = &b->cfg.env_keys, *vals = &b->cfg.env_vals;
	for (size_t i = 0; i < keys->n; i++) {
		if (strcmp(keys->v[i], key) == 0) {
			builder_set_str(b, &vals->v[i], value, "env");
			return b;
		}
	}
	if (sl_strv_push(keys, key) < 0) {
		builder_nomem(b, "env");
	} else if (sl_strv_push(vals, value) < 0) {
		free(keys->v[--keys->n]);
		keys->v[keys->n] = NULL;
		builder_nomem(b, "env");
	}
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_extra_deny_syscalls(sandlock_builder_t *b,
									const char *names)
{
	if (b && names)
		builder_push_csv(b, &b->cfg.deny_syscalls, names, "extra_deny_syscalls");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_extra_allow_syscalls(sandlock_builder_t *b,
									 const char *names)
{
	if (b && names)
		builder_push_csv(b, &b->cfg.allow_groups, names, "extra_allow_syscalls");
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_no_randomize_memory(sandlock_builder_t *b,
									bool v)
{
	if (b)
		b->cfg.no_randomize_memory = v;
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_no_huge_pages(sandlock_builder_t *b, bool v)
{
	if (b)
		b->cfg.no_huge_pages = v;
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_no_coredump(sandlock_builder_t *b, bool v)
{
	if (b)
		b->cfg.no_coredump = v;
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_deterministic_dirs(sandlock_builder_t *b,
								       bool v)
{
	if (b)
		b->cfg.deterministic_dirs = v;
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_policy_fn(sandlock_builder_t *b,
							      sandlock_policy_fn_t cb)
{
	if (b && cb)
		b->cfg.policy_fn = cb;
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_policy_fn_timeout_ms(sandlock_builder_t *b,
									 uint32_t ms)
{
	if (b)
		set_opt(&b->cfg.policy_fn_timeout_ms, ms);
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_policy_fn_events(sandlock_builder_t *b,
								     uint32_t mask)
{
	if (b)
		set_opt(&b->cfg.policy_fn_events, mask);
	return b;
}

/* ---- build / free ------------------------------------------------------------- */

static void builder_free(struct sandlock_builder *b)
{
	if (!b)
		return;
	policy_release(&b->cfg);
	free(b->errmsg);
	free(b);
}

/* Validates b's policy and moves it into a new sandbox. */
static int build_policy(struct sandlock_builder *b, struct sandlock_sandbox **out)
{
	int r;
	if (b->err)
		return sl_errorf(-b->err, "%s", b->errmsg ? b->errmsg : strerror(-b->err));
	if ((r = policy_validate(&b->cfg)) < 0 || (r = policy_check_supported(&b->cfg)) < 0)
		return r;
	struct sandlock_sandbox *p = malloc(sizeof(*p));
	if (!p)
		return sl_errorf(ENOMEM, "sandlock_sandbox_build: out of memory");
	*p = b->cfg;
	policy_init(&b->cfg); /* moved: nothing left for builder_free */
	*out = p;
	return 0;
}

/* ---- setters of the later releases that have not landed ---------------------- */

/* Parks "not supported yet: feature" for build to report. */
static sandlock_builder_t *builder_unsupported(sandlock_builder_t *b, const char *feature)
{
	if (b)
		builder_error(b, -ENOTSUP, "not supported yet: %s", feature);
	return b;
}

SL_API uint32_t sandlock_protection_min_abi(uint32_t protection)
{
	return protection_abi(protection);
}

SL_API const char *sandlock_protection_name(uint32_t protection)
{
	return protection_name(protection);
}

static sandlock_builder_t *set_protection(sandlock_builder_t *b, uint32_t *bits,
					  uint32_t protection, const char *field)
{
	if (b && protection >= SL_N_PROTECTIONS)
		builder_error(b, -EINVAL, "%s: unknown protection %u (0-%d)", field, protection,
			      SL_N_PROTECTIONS - 1);
	else if (b)
		*bits |= 1u << protection;
	return b;
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_allow_degraded(sandlock_builder_t *b,
								   uint32_t protection)
{
	return set_protection(b, b ? &b->cfg.prot_degradable : NULL, protection, "allow_degraded");
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_disable(sandlock_builder_t *b,
							    uint32_t protection)
{
	return set_protection(b, b ? &b->cfg.prot_disabled : NULL, protection, "disable");
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_user(sandlock_builder_t *b, uint32_t uid,
							 uint32_t gid)
{
	return builder_unsupported(b, "user");
}

SL_API sandlock_builder_t *sandlock_sandbox_builder_fs_mount_ro(sandlock_builder_t *b,
								const char *virtual_path,
								const char *host_path)
{
	return builder_unsupported(b, "fs_mount_ro");
}

SL_API sandlock_sandbox_t *sandlock_sandbox_build(sandlock_builder_t *b, int *err, char **err_msg)
{
	sl_error_clear();
	struct sandlock_sandbox *p = NULL;
	int r = b ? build_policy(b, &p) : sl_errorf(EINVAL, "builder is NULL");
	builder_free(b);
	if (err_msg)
		*err_msg = r < 0 ? strdup(sl_error_get()) : NULL;
	if (err)
		*err = r < 0 ? -1 : 0;
	return r < 0 ? NULL : p;
}

SL_API void sandlock_sandbox_free(sandlock_sandbox_t *p)
{
	if (!p)
		return;
	policy_release(p);
	free(p);
}
