/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_opts.c - the option table of `sandlock run` and the setters that
 * store one value into struct run_opts.  Walking argv is run_parse.c's job;
 * printing the table is run_help.c's.
 */
#include "run_opts.h"
#include "toml.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "parse_util.h"
#include "run_opt_table.h"
#include "sandlock.h"

#define FIELD(o, d, type) ((type *)(void *)((char *)(o) + (d)->offset))

/* ---- generic setters ------------------------------------------------------ */

static int once(const struct run_opt *d, bool already, struct cli_err *e)
{
	if (already)
		return cli_errf(e, RUN_PARSE_USAGE, "option '--%s' given more than once", d->name);
	return RUN_PARSE_OK;
}

bool run_opts_relayer(struct run_opts *o, const struct run_opt *d)
{
	size_t row = (size_t)(d - run_opt_table);
	if (o->profile_layer || row >= 64 * RUN_OPTS_ROWS_WORDS ||
	    !(o->from_profile[row / 64] & (1ull << (row % 64))))
		return false;
	o->from_profile[row / 64] &= ~(1ull << (row % 64));
	return true;
}

static int oom(struct cli_err *e)
{
	return cli_errf(e, RUN_PARSE_FAIL, "out of memory");
}

static int set_flag(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	*FIELD(o, d, bool) = true;
	return RUN_PARSE_OK;
}

static int set_help(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	return RUN_PARSE_HELP;
}

static int set_str(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	const char **f = FIELD(o, d, const char *);

	if (*f && !run_opts_relayer(o, d))
		return once(d, true, e);
	*f = val;
	return RUN_PARSE_OK;
}

static int set_strs(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	struct cli_strv *l = FIELD(o, d, struct cli_strv);
	const char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return oom(e);
	v[l->n++] = val;
	l->v = v;
	return RUN_PARSE_OK;
}

/* A well-formed number outside [d->min, d->max], including one too large
 * for 64 bits: always "out of range", with the whole accepted range. */
static int range_error(const struct run_opt *d, const char *val, const char *what,
		       struct cli_err *e)
{
	if (d->min == 0)
		return cli_errf(e, RUN_PARSE_USAGE,
				"invalid value '%s' for --%s: out of range (%s must be at most "
				"%" PRIu64 ")",
				val, d->name, what, d->max);
	return cli_errf(e, RUN_PARSE_USAGE,
			"invalid value '%s' for --%s: out of range (%s must be between %" PRIu64
			" and %" PRIu64 ")",
			val, d->name, what, d->min, d->max);
}

static int num_error(const struct run_opt *d, const char *val, int r, struct cli_err *e)
{
	if (r == -EINVAL)
		return cli_errf(e, RUN_PARSE_USAGE,
				"invalid value '%s' for --%s: expected a non-negative integer", val,
				d->name);
	return range_error(d, val, d->metavar, e);
}

static int set_num(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	struct cli_num *f = FIELD(o, d, struct cli_num);
	int r;

	if (f->set && !run_opts_relayer(o, d))
		return once(d, true, e);
	r = parse_num(val, d->min, d->max, &f->v);
	if (r < 0)
		return num_error(d, val, r, e);
	f->set = true;
	return RUN_PARSE_OK;
}

static int u32v_push(struct cli_u32v *l, uint32_t x)
{
	uint32_t *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[l->n++] = x;
	l->v = v;
	return 0;
}

/* One number per occurrence, appended (--net-bind 80 --net-bind 443). */
static int set_nums(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	uint64_t x;
	int r = parse_num(val, d->min, d->max, &x);

	if (r < 0)
		return num_error(d, val, r, e);
	if (u32v_push(FIELD(o, d, struct cli_u32v), (uint32_t)x) < 0)
		return oom(e);
	return RUN_PARSE_OK;
}

/* A Landlock protection by its name (--disable net-tcp). */
static int set_protection(struct run_opts *o, const struct run_opt *d, const char *val,
			  struct cli_err *e)
{
	char names[256] = "";
	size_t n = 0;
	const char *name;
	for (uint32_t p = 0; (name = sandlock_protection_name(p)); p++) {
		if (!strcmp(name, val))
			return u32v_push(FIELD(o, d, struct cli_u32v), p) < 0 ? oom(e)
									      : RUN_PARSE_OK;
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "", name);
	}
	return cli_errf(e, RUN_PARSE_USAGE, "invalid value '%s' for --%s: expected one of %s", val,
			d->name, names);
}

/* A comma-separated list of numbers, appended (--cpu-cores 0,2,3). */
static int set_csv(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	const char *p = val;

	for (;;) {
		size_t len = strcspn(p, ",");
		uint64_t x;
		int r = parse_num_n(p, len, d->min, d->max, &x);

		if (r == -EINVAL)
			return cli_errf(
			    e, RUN_PARSE_USAGE,
			    "invalid value '%s' for --%s: expected a comma-separated list "
			    "of non-negative integers",
			    val, d->name);
		if (r < 0)
			return range_error(d, val, "entries", e);
		if (u32v_push(FIELD(o, d, struct cli_u32v), (uint32_t)x) < 0)
			return oom(e);
		if (p[len] == '\0')
			return RUN_PARSE_OK;
		p += len + 1;
	}
}

/* The grammar of sandlock_parse_size (digits, then at most one K, M or G):
 * a well-formed size the library refuses is too large for 64 bits. */
static bool size_well_formed(const char *val)
{
	size_t n = strspn(val, "0123456789");

	return n > 0 && (val[n] == '\0' || (strchr("kKmMgG", val[n]) && val[n + 1] == '\0'));
}

static int set_size(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	struct cli_num *f = FIELD(o, d, struct cli_num);

	if (f->set && !run_opts_relayer(o, d))
		return once(d, true, e);
	if (sandlock_parse_size(val, &f->v) == 0) {
		f->set = true;
		return RUN_PARSE_OK;
	}
	if (size_well_formed(val))
		return range_error(d, val, "SIZE in bytes", e);
	return cli_errf(e, RUN_PARSE_USAGE,
			"invalid value '%s' for --%s: expected a size such as 512M "
			"(digits with an optional K, M or G suffix)",
			val, d->name);
}

/* KEY<sep>VALUE, split at the first sep; the key may not be empty.  The
 * message wording is the one of sandlock 0.8.0. */
static int set_pair(struct run_opts *o, const struct run_opt *d, const char *val, char sep,
		    struct cli_err *e)
{
	struct cli_pairv *l = FIELD(o, d, struct cli_pairv);
	const char *at = strchr(val, sep);
	struct cli_pair *v;
	char *key;

	if (!at || at == val)
		return cli_errf(e, RUN_PARSE_USAGE, "--%s requires %s, got: %s", d->name,
				d->metavar, val);
	key = strndup(val, (size_t)(at - val));
	v = key ? realloc(l->v, (l->n + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(key);
		return oom(e);
	}
	v[l->n++] = (struct cli_pair){key, at + 1};
	l->v = v;
	return RUN_PARSE_OK;
}

/* ---- value-specific setters ------------------------------------------------ */

static int set_env(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	return set_pair(o, d, val, '=', e);
}

static int set_mount(struct run_opts *o, const struct run_opt *d, const char *val,
		     struct cli_err *e)
{
	return set_pair(o, d, val, ':', e);
}

static int set_isolation(struct run_opts *o, const struct run_opt *d, const char *val,
			 struct cli_err *e)
{
	static const char *const modes[] = {"none", "overlayfs", "branchfs"};
	struct cli_num *f = FIELD(o, d, struct cli_num);

	if (f->set && !run_opts_relayer(o, d))
		return once(d, true, e);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(val, modes[i]) == 0) {
			*f = (struct cli_num){true, i};
			return RUN_PARSE_OK;
		}
	}
	return cli_errf(e, RUN_PARSE_USAGE,
			"unknown --fs-isolation mode: %s (expected none, overlayfs or branchfs)",
			val);
}

static const char *const branch_actions[] = {"commit", "abort", "keep"};

/* --on-exit, --on-error: what becomes of the staged changes */
static int set_action(struct run_opts *o, const struct run_opt *d, const char *val,
		      struct cli_err *e)
{
	struct cli_num *f = FIELD(o, d, struct cli_num);

	if (f->set && !run_opts_relayer(o, d))
		return once(d, true, e);
	for (size_t i = 0; i < sizeof(branch_actions) / sizeof(branch_actions[0]); i++) {
		if (strcmp(val, branch_actions[i]) == 0) {
			*f = (struct cli_num){true, i};
			return RUN_PARSE_OK;
		}
	}
	return cli_errf(e, RUN_PARSE_USAGE,
			"unknown --%s action: %s (expected commit, abort or keep)", d->name, val);
}

/* --time-start: seconds since the epoch (digits only) or RFC 3339; at
 * most 9999-12-31T23:59:59Z, as the library takes it. */
static int parse_time_start(const char *val, uint64_t *v, const char **why)
{
	if (*val && strspn(val, "0123456789") == strlen(val)) {
		int r = parse_num(val, 0, 253402300799ULL, v);
		if (r < 0)
			*why = "seconds since the epoch past 9999-12-31T23:59:59Z (253402300799)";
		return r;
	}
	return parse_rfc3339(val, v, why);
}

static int set_time(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	struct cli_num *f = FIELD(o, d, struct cli_num);
	const char *why = "";

	if (f->set && !run_opts_relayer(o, d))
		return once(d, true, e);
	if (parse_time_start(val, &f->v, &why) < 0)
		return cli_errf(e, RUN_PARSE_USAGE,
				"invalid --time-start '%s': %s (expected RFC 3339, e.g. "
				"2000-01-01T00:00:00Z, or seconds since the epoch)",
				val, why);
	f->set = true;
	return RUN_PARSE_OK;
}

/* A percentage: "50" or "50%". */
static int set_pct(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	struct cli_num *f = FIELD(o, d, struct cli_num);
	size_t len = strlen(val);
	int r;

	if (f->set && !run_opts_relayer(o, d))
		return once(d, true, e);
	if (len > 0 && val[len - 1] == '%')
		len--;
	r = parse_num_n(val, len, d->min, d->max, &f->v);
	if (r == -EINVAL)
		return cli_errf(e, RUN_PARSE_USAGE,
				"invalid value '%s' for --%s: expected a percentage such as 50",
				val, d->name);
	if (r < 0)
		return num_error(d, val, r, e);
	f->set = true;
	return RUN_PARSE_OK;
}

/* The fd must be open now: better a usage error than a run whose status
 * is lost. */
static int set_fd(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	struct cli_num *f = FIELD(o, d, struct cli_num);
	int r = set_num(o, d, val, e);

	if (r != RUN_PARSE_OK)
		return r;
	if (fcntl((int)f->v, F_GETFD) < 0)
		return cli_errf(e, RUN_PARSE_USAGE,
				"invalid value '%s' for --%s: file descriptor %s is not open", val,
				d->name, val);
	return RUN_PARSE_OK;
}

/* ---- the table ----------------------------------------------------------------- */

#define F(field) offsetof(struct run_opts, field)
#define SECTION(title)                                                                             \
	{                                                                                          \
		.help = title                                                                      \
	}
#define U16 .min = 0, .max = UINT16_MAX
#define U32 .min = 0, .max = UINT32_MAX
#define U64 .min = 0, .max = UINT64_MAX

const struct run_opt run_opt_table[] = {
    SECTION("Filesystem"),
    {"fs-read", NULL, 'r', "PATH", set_strs, F(fs_read), .help = "allow reading PATH (repeatable)"},
    {"fs-write", NULL, 'w', "PATH", set_strs, F(fs_write),
     .help = "allow reading and writing PATH (repeatable)"},
    {"fs-deny", NULL, 0, "PATH", set_strs, F(fs_deny),
     .help = "deny all access to PATH (repeatable)"},
    {"workdir", NULL, 0, "PATH", set_str, F(workdir),
     .help = "copy-on-write root: stage writes under PATH"},
    {"cwd", NULL, 0, "PATH", set_str, F(cwd), .help = "working directory of the command"},
    {"tmp", NULL, 0, NULL, set_flag, F(tmp),
     .help = "a fresh writable temporary directory (TMPDIR), removed at the end"},
    {"fs-storage", NULL, 0, "PATH", set_str, F(fs_storage),
     .help = "where copy-on-write changes are staged"},
    {"fs-isolation", NULL, 0, "MODE", set_isolation, F(fs_isolation),
     .help = "copy-on-write backend: none, overlayfs or branchfs"},
    {"max-disk", NULL, 0, "SIZE", set_size, F(max_disk), U64,
     .help = "quota on staged copy-on-write data"},
    {"on-exit", NULL, 0, "ACTION", set_action, F(on_exit),
     .help = "the staged changes after a success: commit (default), abort or keep"},
    {"on-error", NULL, 0, "ACTION", set_action, F(on_error),
     .help = "the staged changes after a failure: abort (default), commit or keep"},
    {"dry-run", NULL, 0, NULL, set_flag, F(dry_run),
     .help = "run, list the changes to the workdir, discard them"},
    {"fs-mount", NULL, 0, "VIRTUAL:HOST", set_mount, F(fs_mount),
     .help = "show host directory HOST at VIRTUAL (repeatable)"},
    {"chroot", NULL, 0, "PATH", set_str, F(chroot),
     .help = "make PATH the command's root directory"},

    SECTION("System calls"),
    {"extra-deny-syscall", NULL, 0, "NAME", set_strs, F(extra_deny),
     .help = "also deny the syscall NAME (repeatable)"},
    {"extra-allow-syscall", NULL, 0, "GROUP", set_strs, F(extra_allow),
     .help = "allow a denied group, e.g. sysv_ipc (repeatable)"},

    SECTION("Landlock protections"),
    {"allow-degraded", NULL, 0, "NAME", set_protection, F(allow_degraded),
     .help = "skip protection NAME on a kernel without it (repeatable)"},
    {"disable", NULL, 0, "NAME", set_protection, F(disable),
     .help = "never apply protection NAME (repeatable)"},

    SECTION("Network"),
    {"net-allow", NULL, 0, "SPEC", set_strs, F(net_allow),
     .help = "allow egress, e.g. tcp://example.com:443 (repeatable)"},
    {"net-deny", NULL, 0, "SPEC", set_strs, F(net_deny),
     .help = "deny egress, e.g. 10.0.0.0/8:* (repeatable)"},
    {"net-bind", NULL, 0, "PORT", set_nums, F(net_bind), U16,
     .help = "allow binding TCP PORT (repeatable)"},
    {"net-allow-bind", NULL, 0, "PORTS", set_strs, F(net_allow_bind),
     .help = "allow binding TCP PORTS, e.g. 8000-8100 or '*' (repeatable)"},
    {"net-deny-bind", NULL, 0, "PORTS", set_strs, F(net_deny_bind),
     .help = "deny binding TCP PORTS, e.g. 22,6000-6010 (repeatable)"},
    {"port-remap", NULL, 0, NULL, set_flag, F(port_remap),
     .help = "its own TCP port space: a bind to a busy port gets another"},
    {"http-allow", NULL, 0, "RULE", set_strs, F(http_allow),
     .help = "allow HTTP requests matching RULE, e.g. 'GET example.com/*'"},
    {"http-deny", NULL, 0, "RULE", set_strs, F(http_deny),
     .help = "deny HTTP requests matching RULE (repeatable)"},
    {"http-port", NULL, 0, "PORT", set_nums, F(http_port), U16,
     .help = "intercept HTTP on PORT instead of 80 and 443 (repeatable)"},
    {"http-ca", NULL, 0, "PATH", set_str, F(http_ca),
     .help = "CA certificate for HTTPS interception (with --http-key)"},
    {"http-key", NULL, 0, "PATH", set_str, F(http_key), .help = "private key of --http-ca"},
    {"http-inject-ca", NULL, 0, "BUNDLE", set_strs, F(http_inject_ca),
     .help = "HTTPS via a CA the proxy makes, added to BUNDLE (repeatable)"},
    {"http-ca-out", NULL, 0, "PATH", set_str, F(http_ca_out),
     .help = "write the proxy's CA certificate to PATH"},
    {"credential", NULL, 0, "NAME=SRC", set_strs, F(credential),
     .help = "secret NAME from env:VAR, file:PATH or fd:N (repeatable)"},
    {"http-auth", NULL, 0, "HOST=NAME[:HDR]", set_strs, F(http_auth),
     .help = "send credential NAME to HOST over HTTPS (repeatable)"},

    SECTION("Resources"),
    {"max-memory", NULL, 'm', "SIZE", set_size, F(max_memory), U64,
     .help = "memory limit, e.g. 512M"},
    {"max-processes", NULL, 'P', "N", set_num, F(max_processes), U32,
     .help = "limit on processes at a time"},
    {"max-open-files", NULL, 0, "N", set_num, F(max_open_files), U32,
     .help = "limit on open files"},
    {"cpu", "max-cpu", 'c', "PCT", set_pct, F(cpu), .min = 1, .max = 100,
     .help = "CPU throttle, 1..100 percent (also --max-cpu)"},
    {"cpu-cores", NULL, 0, "LIST", set_csv, F(cpu_cores), U32,
     .help = "run on these CPU cores, e.g. 0,2,3"},
    {"num-cpus", NULL, 0, "N", set_num, F(num_cpus), U32,
     .help = "number of CPUs the command sees"},
    {"gpu", NULL, 0, "LIST", set_csv, F(gpu), U32, .help = "GPU devices to expose, e.g. 0,1"},

    SECTION("Determinism"),
    {"random-seed", NULL, 0, "N", set_num, F(random_seed), U64,
     .help = "seed for the command's random numbers"},
    {"time-start", NULL, 0, "TIME", set_time, F(time_start),
     .help = "start the wall clock at TIME (RFC 3339, e.g. 2000-01-01T00:00:00Z, or epoch "
	     "seconds)"},
    {"no-randomize-memory", NULL, 0, NULL, set_flag, F(no_randomize_memory),
     .help = "disable address space randomization"},
    {"no-huge-pages", NULL, 0, NULL, set_flag, F(no_huge_pages),
     .help = "disable transparent huge pages"},
    {"no-coredump", NULL, 0, NULL, set_flag, F(no_coredump), .help = "disable core dumps"},
    {"deterministic-dirs", NULL, 0, NULL, set_flag, F(deterministic_dirs),
     .help = "list directory entries in a stable order"},

    SECTION("Environment and identity"),
    {"clean-env", NULL, 0, NULL, set_flag, F(clean_env), .help = "start from an empty environment"},
    {"env", NULL, 0, "KEY=VALUE", set_env, F(env), .help = "set a variable (repeatable)"},
    {"uid", NULL, 0, "N", set_num, F(uid), U32, .help = "user id seen inside the sandbox"},
    {"name", NULL, 0, "NAME", set_str, F(name),
     .help = "sandbox name, also its hostname (letters, digits, . _ -)"},

    SECTION("Profiles"),
    {"profile", NULL, 'p', "NAME", set_str, F(profile), .help = "load the saved profile NAME"},
    {"profile-file", NULL, 0, "PATH", set_str, F(profile_file), .help = "load a profile from PATH"},

    SECTION("Running"),
    {"timeout", NULL, 't', "SECS", set_num, F(timeout), .min = 1, .max = RUN_TIMEOUT_MAX,
     .help = "kill the sandbox after SECS seconds (exit 124)"},
    {"status-fd", NULL, 0, "FD", set_fd, F(status_fd), .min = 0, .max = INT_MAX,
     .help = "write the exit status as one JSON line to FD"},
    {"log-denials", NULL, 0, "FILE", set_str, F(log_denials),
     .help = "write what the sandbox was refused to FILE (JSON lines; implies --explain)"},
    {"explain", NULL, 0, NULL, set_flag, F(explain),
     .help = "also report what Landlock refuses in the kernel (costs a round trip per open)"},
    {"exec-shell", NULL, 'e', "CMD", set_str, F(exec_shell),
     .help = "run /bin/sh -c CMD; arguments after -- become $0 $1 ..."},
    {"interactive", NULL, 'i', NULL, set_flag, F(interactive),
     .help = "accepted for compatibility: stdio is always inherited"},
    {"help", NULL, 'h', NULL, set_help, 0, .help = "print this help"},

    SECTION("Not supported yet (accepted, then refused)"),
    {"image", NULL, 0, "IMAGE", set_str, F(image), .later = true,
     .help = "use a container image as the root"},
    {"no-supervisor", NULL, 0, NULL, set_flag, F(no_supervisor), .later = true,
     .help = "confine without the seccomp supervisor"},
};

const size_t run_opt_count = sizeof(run_opt_table) / sizeof(run_opt_table[0]);
/* every row has its bit in run_opts.from_profile */
_Static_assert(sizeof(run_opt_table) / sizeof(run_opt_table[0]) <= 64 * RUN_OPTS_ROWS_WORDS,
	       "run_opts.from_profile is too small for the option table");

/* ---- lookups, unsupported flags, freeing ------------------------------------- */

static bool name_is(const char *want, const char *name, size_t len)
{
	return want && strlen(want) == len && memcmp(want, name, len) == 0;
}

const struct run_opt *run_opt_find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < run_opt_count; i++) {
		const struct run_opt *d = &run_opt_table[i];

		if (name_is(d->name, name, len) || name_is(d->alias, name, len))
			return d;
	}
	return NULL;
}

const struct run_opt *run_opt_find_short(char c)
{
	for (size_t i = 0; i < run_opt_count; i++)
		if (run_opt_table[i].name && run_opt_table[i].short_name == c)
			return &run_opt_table[i];
	return NULL;
}

const char *run_opts_unsupported(const struct run_opts *o)
{
	for (size_t i = 0; i < run_opt_count; i++) {
		const struct run_opt *d = &run_opt_table[i];
		bool given;

		if (!d->later)
			continue;
		if (d->set == set_flag)
			given = *FIELD(o, d, bool);
		else
			given = *FIELD(o, d, const char *) != NULL;
		if (given)
			return d->name;
	}
	return NULL;
}

void run_opts_free(struct run_opts *o)
{
	for (size_t i = 0; i < run_opt_count; i++) {
		const struct run_opt *d = &run_opt_table[i];

		if (d->set == set_strs) {
			free(FIELD(o, d, struct cli_strv)->v);
		} else if (d->set == set_nums || d->set == set_csv || d->set == set_protection) {
			free(FIELD(o, d, struct cli_u32v)->v);
		} else if (d->set == set_env || d->set == set_mount) {
			struct cli_pairv *l = FIELD(o, d, struct cli_pairv);

			for (size_t j = 0; j < l->n; j++)
				free(l->v[j].key);
			free(l->v);
		}
	}
	free(o->cmd);
	memset(o, 0, sizeof(*o));
}

/* ---- the options as TOML values (profile_render) ------------------------------ */

static void toml_u32s(FILE *out, const struct cli_u32v *l)
{
	fputc('[', out);
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, "%s%" PRIu32, i ? ", " : "", l->v[i]);
	fputc(']', out);
}

static void toml_strs(FILE *out, const struct cli_strv *l)
{
	fputc('[', out);
	for (size_t i = 0; i < l->n; i++) {
		fputs(i ? ", " : "", out);
		toml_quote(out, l->v[i]);
	}
	fputc(']', out);
}

/* Scalars of one cli_num: what the setter parsed, as its flag takes it. */
static bool toml_num(FILE *out, const struct run_opt *d, const struct cli_num *n)
{
	static const char *const modes[] = {"none", "overlayfs", "branchfs"};
	if (!n->set)
		return false;
	if (d->set == set_isolation && n->v < 3) {
		toml_quote(out, modes[n->v]);
	} else if (d->set == set_action && n->v < 3) {
		toml_quote(out, branch_actions[n->v]);
	} else if (d->set == set_time) {
		char buf[64];
		time_t t = (time_t)n->v;
		struct tm tm;
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		toml_quote(out, buf);
	} else if (d->set == set_size) {
		fprintf(out, "\"%" PRIu64 "\"", n->v);
	} else {
		fprintf(out, "%" PRIu64, n->v);
	}
	return true;
}

bool run_opts_toml_value(const struct run_opts *o, const struct run_opt *d, FILE *out)
{
	struct run_opts *m = (struct run_opts *)o; /* FIELD takes a mutable struct */
	if (d->set == set_str) {
		const char *s = *FIELD(m, d, const char *);
		if (s)
			toml_quote(out, s);
		return s != NULL;
	}
	if (d->set == set_flag) {
		if (*FIELD(m, d, bool))
			fputs("true", out);
		return *FIELD(m, d, bool);
	}
	if (d->set == set_strs) {
		const struct cli_strv *l = FIELD(m, d, struct cli_strv);
		if (l->n)
			toml_strs(out, l);
		return l->n > 0;
	}
	if (d->set == set_nums || d->set == set_csv) {
		const struct cli_u32v *l = FIELD(m, d, struct cli_u32v);
		if (l->n)
			toml_u32s(out, l);
		return l->n > 0;
	}
	if (d->set == set_mount) {
		const struct cli_pairv *l = FIELD(m, d, struct cli_pairv);
		fputc('[', out);
		for (size_t i = 0; i < l->n; i++) {
			char *s = NULL;
			if (asprintf(&s, "%s:%s", l->v[i].key, l->v[i].value) < 0)
				continue;
			fputs(i ? ", " : "", out);
			toml_quote(out, s);
			free(s);
		}
		fputc(']', out);
		return l->n > 0;
	}
	if (d->set == set_num || d->set == set_pct || d->set == set_size ||
	    d->set == set_isolation || d->set == set_action || d->set == set_time)
		return toml_num(out, d, FIELD(m, d, struct cli_num));
	if (d->set == set_protection) {
		const struct cli_u32v *l = FIELD(m, d, struct cli_u32v);
		fputc('[', out);
		for (size_t i = 0; i < l->n; i++) {
			fputs(i ? ", " : "", out);
			toml_quote(out, sandlock_protection_name(l->v[i]));
		}
		fputc(']', out);
		return l->n > 0;
	}
	return false; /* env: the profile writes its table; the rest is no key */
}
