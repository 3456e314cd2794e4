/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_policy.c - struct run_opts -> builder calls -> sandlock_sandbox_t.
 *
 * Only options that were given are passed on, so the library's defaults
 * stay the library's.  Values are not checked here: the builder knows
 * what it supports and says so ("not supported yet: <field>").
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile.h"
#include "run.h"
#include "run_opts.h"

/* Builder calls consume their builder and return the next one; NULL only
 * on failure, with the reason in sandlock_last_error(). */
#define APPLY(b, call)                                                                             \
	do {                                                                                       \
		if (!((b) = (call)))                                                               \
			return -1;                                                                 \
	} while (0)

typedef sandlock_builder_t *(*str_setter)(sandlock_builder_t *, const char *);

static int apply_strs(sandlock_builder_t **b, str_setter set, const struct cli_strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		APPLY(*b, set(*b, l->v[i]));
	return 0;
}

static int apply_str(sandlock_builder_t **b, str_setter set, const char *s)
{
	if (s)
		APPLY(*b, set(*b, s));
	return 0;
}

/* The builder takes syscall names as one comma-separated list. */
static char *join_csv(const struct cli_strv *l)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (size_t i = 0; i < l->n; i++)
		p = stpcpy(stpcpy(p, i ? "," : ""), l->v[i]);
	*p = '\0';
	return s;
}

static int apply_csv(sandlock_builder_t **b, str_setter set, const struct cli_strv *l)
{
	char *names;
	int r;

	if (l->n == 0)
		return 0;
	names = join_csv(l);
	if (!names)
		return -1;
	r = apply_str(b, set, names);
	free(names);
	return r;
}

static int apply_fs(sandlock_builder_t **b, const struct run_opts *o)
{
	if (apply_strs(b, sandlock_sandbox_builder_fs_read, &o->fs_read) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_fs_write, &o->fs_write) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_fs_deny, &o->fs_deny) < 0 ||
	    apply_str(b, sandlock_sandbox_builder_workdir, o->workdir) < 0 ||
	    apply_str(b, sandlock_sandbox_builder_cwd, o->cwd) < 0 ||
	    apply_str(b, sandlock_sandbox_builder_fs_storage, o->fs_storage) < 0 ||
	    apply_str(b, sandlock_sandbox_builder_chroot, o->chroot) < 0)
		return -1;
	if (o->fs_isolation.set)
		APPLY(*b, sandlock_sandbox_builder_fs_isolation(*b, (uint8_t)o->fs_isolation.v));
	if (o->max_disk.set)
		APPLY(*b, sandlock_sandbox_builder_max_disk(*b, o->max_disk.v));
	if (o->on_exit.set)
		APPLY(*b, sandlock_sandbox_builder_on_exit(*b, (uint8_t)o->on_exit.v));
	if (o->on_error.set)
		APPLY(*b, sandlock_sandbox_builder_on_error(*b, (uint8_t)o->on_error.v));
	for (size_t i = 0; i < o->fs_mount.n; i++)
		APPLY(*b, sandlock_sandbox_builder_fs_mount(*b, o->fs_mount.v[i].key,
							    o->fs_mount.v[i].value));
	return 0;
}

static int apply_protections(sandlock_builder_t **b, const struct run_opts *o)
{
	for (size_t i = 0; i < o->allow_degraded.n; i++)
		APPLY(*b, sandlock_sandbox_builder_allow_degraded(*b, o->allow_degraded.v[i]));
	for (size_t i = 0; i < o->disable.n; i++)
		APPLY(*b, sandlock_sandbox_builder_disable(*b, o->disable.v[i]));
	return 0;
}

static int apply_net(sandlock_builder_t **b, const struct run_opts *o)
{
	if (apply_csv(b, sandlock_sandbox_builder_extra_deny_syscalls, &o->extra_deny) < 0 ||
	    apply_csv(b, sandlock_sandbox_builder_extra_allow_syscalls, &o->extra_allow) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_net_allow, &o->net_allow) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_net_deny, &o->net_deny) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_net_allow_bind, &o->net_allow_bind) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_net_deny_bind, &o->net_deny_bind) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_http_allow, &o->http_allow) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_http_deny, &o->http_deny) < 0 ||
	    apply_str(b, sandlock_sandbox_builder_http_ca, o->http_ca) < 0 ||
	    apply_str(b, sandlock_sandbox_builder_http_key, o->http_key) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_http_inject_ca, &o->http_inject_ca) < 0 ||
	    apply_str(b, sandlock_sandbox_builder_http_ca_out, o->http_ca_out) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_credential, &o->credential) < 0 ||
	    apply_strs(b, sandlock_sandbox_builder_http_auth, &o->http_auth) < 0)
		return -1;
	for (size_t i = 0; i < o->net_bind.n; i++)
		APPLY(*b, sandlock_sandbox_builder_net_bind_port(*b, (uint16_t)o->net_bind.v[i]));
	for (size_t i = 0; i < o->http_port.n; i++)
		APPLY(*b, sandlock_sandbox_builder_http_port(*b, (uint16_t)o->http_port.v[i]));
	if (o->port_remap)
		APPLY(*b, sandlock_sandbox_builder_port_remap(*b, true));
	return 0;
}

static int apply_resources(sandlock_builder_t **b, const struct run_opts *o)
{
	if (o->max_memory.set)
		APPLY(*b, sandlock_sandbox_builder_max_memory(*b, o->max_memory.v));
	if (o->max_processes.set)
		APPLY(*b, sandlock_sandbox_builder_max_processes(*b, (uint32_t)o->max_processes.v));
	if (o->max_open_files.set)
		APPLY(*b,
		      sandlock_sandbox_builder_max_open_files(*b, (unsigned)o->max_open_files.v));
	if (o->cpu.set)
		APPLY(*b, sandlock_sandbox_builder_max_cpu(*b, (uint8_t)o->cpu.v));
	if (o->num_cpus.set)
		APPLY(*b, sandlock_sandbox_builder_num_cpus(*b, (uint32_t)o->num_cpus.v));
	if (o->cpu_cores.n)
		APPLY(*b, sandlock_sandbox_builder_cpu_cores(*b, o->cpu_cores.v,
							     (uint32_t)o->cpu_cores.n));
	if (o->gpu.n)
		APPLY(*b, sandlock_sandbox_builder_gpu_devices(*b, o->gpu.v, (uint32_t)o->gpu.n));
	return 0;
}

static int apply_determinism(sandlock_builder_t **b, const struct run_opts *o)
{
	if (o->random_seed.set)
		APPLY(*b, sandlock_sandbox_builder_random_seed(*b, o->random_seed.v));
	if (o->time_start.set)
		APPLY(*b, sandlock_sandbox_builder_time_start(*b, o->time_start.v));
	if (o->no_randomize_memory)
		APPLY(*b, sandlock_sandbox_builder_no_randomize_memory(*b, true));
	if (o->no_huge_pages)
		APPLY(*b, sandlock_sandbox_builder_no_huge_pages(*b, true));
	if (o->no_coredump)
		APPLY(*b, sandlock_sandbox_builder_no_coredump(*b, true));
	if (o->deterministic_dirs)
		APPLY(*b, sandlock_sandbox_builder_deterministic_dirs(*b, true));
	return 0;
}

static int apply_env(sandlock_builder_t **b, const struct run_opts *o)
{
	if (o->clean_env)
		APPLY(*b, sandlock_sandbox_builder_clean_env(*b, true));
	/* --tmp: its directory writable, and named where programs look */
	if (o->tmp_dir) {
		APPLY(*b, sandlock_sandbox_builder_fs_write(*b, o->tmp_dir));
		APPLY(*b, sandlock_sandbox_builder_env_var(*b, "TMPDIR", o->tmp_dir));
	}
	for (size_t i = 0; i < o->env.n; i++)
		APPLY(*b, sandlock_sandbox_builder_env_var(*b, o->env.v[i].key, o->env.v[i].value));
	if (o->uid.set)
		APPLY(*b, sandlock_sandbox_builder_uid(*b, (uint32_t)o->uid.v));
	return 0;
}

/* The first non-empty of msg and the library's last error. */
static void copy_error(struct cli_err *e, const char *msg)
{
	if (!msg || !*msg)
		msg = sandlock_last_error();
	cli_errf(e, 0, "%s", msg && *msg ? msg : "cannot configure the sandbox");
}

sandlock_sandbox_t *run_policy_build(const struct run_opts *o, struct cli_err *e)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	sandlock_sandbox_t *policy;
	char *msg = NULL;
	int err = 0;

	if (!b || apply_fs(&b, o) < 0 || apply_protections(&b, o) < 0 || apply_net(&b, o) < 0 ||
	    apply_resources(&b, o) < 0 || apply_determinism(&b, o) < 0 || apply_env(&b, o) < 0) {
		/* A failed call has consumed the builder. */
		copy_error(e, NULL);
		return NULL;
	}
	if (o->explain || o->log_denials)
		b = sandlock_sandbox_builder_explain_denials(b, true);
	if (o->learn_log)
		b = sandlock_sandbox_builder_learn_log(b, o->learn_log);
	/* what `sandlock inspect --toml` shows: these options as a profile */
	char *text = profile_render(o);
	/* a command line too long to keep (an argument of megabytes) leaves
	 * the sandbox without one: inspect --toml says so */
	if (text && strlen(text) <= SANDLOCK_PROFILE_TEXT_MAX)
		b = sandlock_sandbox_builder_profile_text(b, text);
	free(text);
	policy = sandlock_sandbox_build(b, &err, &msg);
	if (!policy || err) {
		copy_error(e, msg);
		sandlock_string_free(msg);
		sandlock_sandbox_free(policy);
		return NULL;
	}
	sandlock_string_free(msg);
	return policy;
}
