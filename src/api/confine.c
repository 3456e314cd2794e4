/* SPDX-License-Identifier: Apache-2.0 */
/*
 * confine.c - sandlock_confine(): Landlock filesystem confinement of the
 * calling process, in place and irreversible.  No seccomp, no
 * fork, no network handling.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "error.h"
#include "landlock.h"
#include "policy.h"

/* Names of the fields set to something else than their default, other
 * than the filesystem lists confine() applies.  Empty when none. */
static void unsupported_fields(const sandlock_sandbox_t *p, char *buf, size_t len)
{
	const struct {
		bool set;
		const char *name;
	} f[] = {
	    {p->workdir != NULL, "workdir"},
	    {p->cwd != NULL, "cwd"},
	    {p->fs_storage != NULL, "fs_storage"},
	    {p->chroot != NULL, "chroot"},
	    {p->fs_isolation != 0, "fs_isolation"},
	    {p->fs_mount_virt.n > 0, "fs_mount"},
	    {p->max_disk.set, "max_disk"},
	    {p->deny_syscalls.n > 0, "extra_deny_syscalls"},
	    {p->allow_groups.n > 0, "extra_allow_syscalls"},
	    {p->net_allow.n > 0, "net_allow"},
	    {p->net_bind.n > 0, "net_bind"},
	    {p->port_remap, "port_remap"},
	    {p->http_allow.n > 0, "http_allow"},
	    {p->http_deny.n > 0, "http_deny"},
	    {p->http_ports.n > 0, "http_ports"},
	    {p->http_ca != NULL || p->http_key != NULL, "http_ca/http_key"},
	    {p->max_memory.set, "max_memory"},
	    {p->max_processes != SL_DEFAULT_MAX_PROCESSES, "max_processes"},
	    {p->max_open_files.set, "max_open_files"},
	    {p->max_cpu.set, "max_cpu"},
	    {p->num_cpus.set, "num_cpus"},
	    {p->cpu_cores.n > 0, "cpu_cores"},
	    {p->gpu_devices_set, "gpu_devices"},
	    {p->random_seed.set, "random_seed"},
	    {p->time_start.set, "time_start"},
	    {p->no_randomize_memory, "no_randomize_memory"},
	    {p->no_huge_pages, "no_huge_pages"},
	    {p->no_coredump, "no_coredump"},
	    {p->deterministic_dirs, "deterministic_dirs"},
	    {p->clean_env, "clean_env"},
	    {p->env_keys.n > 0, "env"},
	    {p->uid.set, "uid"},
	    {p->policy_fn != NULL, "policy_fn"},
	};
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(f); i++)
		if (f[i].set && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 f[i].name);
}

/* Landlock before ABI 8 restricts only the calling thread: refuse rather
 * than leave sibling threads unconfined. */
static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -errno;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int confine(const sandlock_sandbox_t *p)
{
	char fields[512];
	unsupported_fields(p, fields, sizeof(fields));
	if (fields[0])
		return sl_errorf(EINVAL,
				 "confine() only accepts Landlock filesystem policy; unsupported "
				 "fields: %s",
				 fields);
	int threads = count_threads();
	if (threads != 1)
		return sl_errorf(EBUSY,
				 "confine(): the process has %d threads; Landlock restricts only "
				 "the calling thread, so confine before starting threads",
				 threads);
	uint32_t skip;
	int abi = landlock_require(p->prot_degradable, p->prot_disabled, &skip);
	if (abi < 0)
		return abi;
	struct landlock_req req = {
	    .read = &p->fs_read, .write = &p->fs_write, .deny = &p->fs_deny, .skip = skip};
	int rfd = landlock_build(&req, abi);
	if (rfd < 0)
		return rfd;
	int r = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = sl_errorf(errno, "confine: no_new_privs: %s", strerror(errno));
	else if (landlock_restrict(rfd) < 0)
		r = sl_errorf(errno, "confine: landlock restrict_self: %s", strerror(errno));
	close(rfd);
	return r;
}

SL_API int sandlock_confine(const sandlock_sandbox_t *policy)
{
	sl_error_clear();
	if (!policy)
		return sl_errorf(EINVAL, "policy is NULL"), -1;
	return confine(policy) < 0 ? -1 : 0;
}

SL_API int sandlock_landlock_abi_version(void)
{
	int abi = landlock_abi();
	return abi < 0 ? -1 : abi;
}

SL_API int sandlock_min_landlock_abi(void)
{
	return SL_MIN_LANDLOCK_ABI;
}
