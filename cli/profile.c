/* SPDX-License-Identifier: Apache-2.0 */
/* profile.c - TOML profiles made into the flags of `sandlock run`
 * (profile.h). */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "run_opt_table.h"
#include "run_opts.h"
#include "toml.h"

#ifndef SL_DATADIR
#define SL_DATADIR "/usr/local/share/sandlock"
#endif

#define PROFILE_MAX (1u << 20) /* the reader's own limit */

/* What a key's value becomes. */
enum pk {
	PK_STR,	  /* a string: --flag=value */
	PK_STRS,  /* an array of strings: --flag=value each */
	PK_INT,	  /* an integer: --flag=N */
	PK_INTS,  /* an array of integers: --flag=N each */
	PK_CSV,	  /* an array of integers: --flag=A,B,C */
	PK_BOOL,  /* true: --flag; false: nothing */
	PK_ENV,	  /* a table of strings: --env=KEY=VALUE each */
	PK_EXEC,  /* the command */
	PK_ARGS,  /* its arguments */
	PK_LATER, /* a key of the schema sandlock cannot honour yet */
};

/* The schema: 0.8.0's sections and keys, and the flags added since
 * (net deny and bind lists, the injected CA, credentials and the hosts
 * they go to, the Landlock protections a kernel may lack or that are
 * turned off). */
static const struct {
	const char *section, *key;
	enum pk kind;
	const char *flag;
} keys[] = {
    {"config", "http_ca", PK_STR, "http-ca"},
    {"config", "http_key", PK_STR, "http-key"},
    {"config", "fs_storage", PK_STR, "fs-storage"},
    {"config", "workdir", PK_STR, "workdir"},
    {"determinism", "random_seed", PK_INT, "random-seed"},
    {"determinism", "time_start", PK_STR, "time-start"},
    {"determinism", "deterministic_dirs", PK_BOOL, "deterministic-dirs"},
    {"determinism", "no_randomize_memory", PK_BOOL, "no-randomize-memory"},
    {"program", "exec", PK_EXEC, NULL},
    {"program", "args", PK_ARGS, NULL},
    {"program", "env", PK_ENV, "env"},
    {"program", "cwd", PK_STR, "cwd"},
    {"program", "uid", PK_INT, "uid"},
    {"program", "clean_env", PK_BOOL, "clean-env"},
    {"program", "no_coredump", PK_BOOL, "no-coredump"},
    {"program", "no_huge_pages", PK_BOOL, "no-huge-pages"},
    {"filesystem", "read", PK_STRS, "fs-read"},
    {"filesystem", "write", PK_STRS, "fs-write"},
    {"filesystem", "deny", PK_STRS, "fs-deny"},
    {"filesystem", "isolation", PK_STR, "fs-isolation"},
    {"filesystem", "chroot", PK_STR, "chroot"},
    {"filesystem", "mount", PK_STRS, "fs-mount"},
    {"filesystem", "tmp", PK_BOOL, "tmp"},
    {"filesystem", "on_exit", PK_STR, "on-exit"},
    {"filesystem", "on_error", PK_STR, "on-error"},
    {"network", "bind", PK_INTS, "net-bind"},
    {"network", "allow", PK_STRS, "net-allow"},
    {"network", "deny", PK_STRS, "net-deny"},
    {"network", "allow_bind", PK_STRS, "net-allow-bind"},
    {"network", "deny_bind", PK_STRS, "net-deny-bind"},
    {"network", "port_remap", PK_BOOL, "port-remap"},
    {"http", "ports", PK_INTS, "http-port"},
    {"http", "allow", PK_STRS, "http-allow"},
    {"http", "deny", PK_STRS, "http-deny"},
    {"http", "inject_ca", PK_STRS, "http-inject-ca"},
    {"http", "ca_out", PK_STR, "http-ca-out"},
    {"http", "credentials", PK_STRS, "credential"},
    {"http", "auth", PK_STRS, "http-auth"},
    {"syscalls", "extra_allow", PK_STRS, "extra-allow-syscall"},
    {"syscalls", "extra_deny", PK_STRS, "extra-deny-syscall"},
    {"limits", "memory", PK_STR, "max-memory"},
    {"limits", "processes", PK_INT, "max-processes"},
    {"limits", "open_files", PK_INT, "max-open-files"},
    {"limits", "cpu", PK_INT, "max-cpu"},
    {"limits", "disk", PK_STR, "max-disk"},
    {"limits", "gpu_devices", PK_CSV, "gpu"},
    {"limits", "cpu_cores", PK_CSV, "cpu-cores"},
    {"limits", "num_cpus", PK_INT, "num-cpus"},
    {"protections", "allow_degraded", PK_STRS, "allow-degraded"},
    {"protections", "disable", PK_STRS, "disable"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* ---- where profiles are --------------------------------------------------------- */

int profile_name_ok(const char *name)
{
	if (!name[0] || name[0] == '.' || strlen(name) > 64)
		return 0;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
			return 0;
	return 1;
}

int profile_user_dir(char *out, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n = x && x[0] == '/' ? snprintf(out, len, "%s/sandlock/profiles", x)
				 : snprintf(out, len, "%s/.config/sandlock/profiles",
					    home && home[0] ? home : "/tmp");
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Installed: the data directory; in a build tree (build/sandlock), the
 * source tree's profiles/ beside it. */
int profile_builtin_dir(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(out, len, "%s/../profiles", exe);
			struct stat sb;
			if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode))
				return 0;
		}
	}
	int m = snprintf(out, len, "%s/profiles", SL_DATADIR);
	return m > 0 && (size_t)m < len ? 0 : -1;
}

/* The file of profile name: the user's first, then the built-in one. */
static char *find(const char *name, struct cli_err *e)
{
	char dirs[2][PATH_MAX], *path = NULL;
	int nd = 0;
	if (profile_user_dir(dirs[nd], sizeof(dirs[nd])) == 0)
		nd++;
	if (profile_builtin_dir(dirs[nd], sizeof(dirs[nd])) == 0)
		nd++;
	for (int i = 0; i < nd; i++) {
		if (asprintf(&path, "%s/%s.toml", dirs[i], name) < 0)
			return NULL;
		if (access(path, F_OK) == 0)
			return path;
		free(path);
		path = NULL;
	}
	cli_errf(e, -1, "profile '%s' not found (looked in %s%s%s)", name, nd ? dirs[0] : "",
		 nd > 1 ? " and " : "", nd > 1 ? dirs[1] : "");
	return NULL;
}

static int read_all(const char *path, char **text, size_t *len, struct cli_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_errf(e, -1, "cannot read profile '%s': %s", path, strerror(errno));
	char *b = malloc(PROFILE_MAX + 1);
	size_t n = 0;
	ssize_t r = 1;
	while (b && n <= PROFILE_MAX && (r = read(fd, b + n, PROFILE_MAX + 1 - n)) > 0)
		n += (size_t)r;
	int err = errno;
	close(fd);
	if (!b || r < 0) {
		free(b);
		return cli_errf(e, -1, "cannot read profile '%s': %s", path,
				strerror(b ? err : ENOMEM));
	}
	*text = b;
	*len = n;
	return 0;
}

/* ---- the flags ------------------------------------------------------------------ */

static int push(struct profile *p, char *arg)
{
	char **v = arg ? realloc(p->argv, (size_t)(p->argc + 2) * sizeof(*v)) : NULL;
	if (!v) {
		free(arg);
		return -1;
	}
	v[p->argc++] = arg;
	v[p->argc] = NULL;
	p->argv = v;
	return 0;
}

static int pushf(struct profile *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pushf(struct profile *p, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return push(p, n < 0 ? NULL : s);
}

static int type_error(struct cli_err *e, const struct profile *p, const struct toml_value *v,
		      const char *sec, const char *key, const char *want)
{
	return cli_errf(
	    e, -1, "%s:%u:%u: [%s].%s expected %s, got %s%s", p->path, v->line, v->col, sec, key,
	    want, v->type == TOML_ARRAY ? "an array with " : "",
	    toml_type_name(v->type == TOML_ARRAY && v->arr.n ? v->arr.v[0]->type : v->type));
}

/* Every value of table v is a string. */
static bool all_of_table_strings(const struct toml_value *v)
{
	for (size_t i = 0; v->type == TOML_TABLE && i < v->tab.n; i++)
		if (v->tab.kv[i].val->type != TOML_STRING)
			return false;
	return true;
}

/* Every element of array v is of type t. */
static bool all_of(const struct toml_value *v, enum toml_type t)
{
	for (size_t i = 0; i < v->arr.n; i++)
		if (v->arr.v[i]->type != t)
			return false;
	return true;
}

static int command(struct profile *p, const struct toml_value *v, bool exec)
{
	size_t add = exec ? 1 : v->arr.n;
	const char **c = realloc(p->cmd, (p->cmd_argc + add + 1) * sizeof(*c));
	if (!c)
		return -1;
	p->cmd = c;
	if (exec) {
		/* the program first, whatever the order of the keys */
		memmove(c + 1, c, p->cmd_argc * sizeof(*c));
		c[0] = v->str.s;
	} else {
		for (size_t i = 0; i < v->arr.n; i++)
			c[p->cmd_argc + i] = v->arr.v[i]->str.s;
	}
	p->cmd_argc += (unsigned)add;
	c[p->cmd_argc] = NULL;
	return 0;
}

static int csv(struct profile *p, const char *flag, const struct toml_value *v)
{
	char buf[4096];
	size_t n = 0;
	for (size_t i = 0; i < v->arr.n && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%" PRId64, i ? "," : "",
				      v->arr.v[i]->i);
	return n >= sizeof(buf) ? -1 : pushf(p, "--%s=%s", flag, buf);
}

/* The value v of [sec].key, of kind k, as flags (or the command).  0, or
 * -1 (out of memory: e->msg untouched). */
static int one(struct profile *p, const char *sec, const char *key, enum pk k, const char *flag,
	       const struct toml_value *v, struct cli_err *e)
{
	if (k == PK_LATER)
		return cli_errf(e, -1, "%s:%u:%u: [%s].%s: not supported yet", p->path, v->line,
				v->col, sec, key);
	static const enum toml_type want[] = {
	    [PK_STR] = TOML_STRING, [PK_STRS] = TOML_ARRAY,  [PK_INT] = TOML_INT,
	    [PK_INTS] = TOML_ARRAY, [PK_CSV] = TOML_ARRAY,   [PK_BOOL] = TOML_BOOL,
	    [PK_ENV] = TOML_TABLE,  [PK_EXEC] = TOML_STRING, [PK_ARGS] = TOML_ARRAY};
	static const char *const want_name[] = {[PK_STR] = "a string",
						[PK_STRS] = "an array of strings",
						[PK_INT] = "an integer",
						[PK_INTS] = "an array of integers",
						[PK_CSV] = "an array of integers",
						[PK_BOOL] = "a boolean",
						[PK_ENV] = "a table of strings",
						[PK_EXEC] = "a string",
						[PK_ARGS] = "an array of strings",
						[PK_LATER] = ""};
	enum toml_type elem = k == PK_STRS || k == PK_ARGS ? TOML_STRING : TOML_INT;
	bool arr = want[k] == TOML_ARRAY;
	if (v->type != want[k] || (arr && !all_of(v, elem)) ||
	    (k == PK_ENV && !all_of_table_strings(v)))
		return type_error(e, p, v, sec, key, want_name[k]);
	switch (k) {
	case PK_STR:
		return pushf(p, "--%s=%s", flag, v->str.s);
	case PK_INT:
		return pushf(p, "--%s=%" PRId64, flag, v->i);
	case PK_BOOL:
		return v->b ? pushf(p, "--%s", flag) : 0;
	case PK_STRS:
	case PK_INTS:
		for (size_t i = 0; i < v->arr.n; i++) {
			const struct toml_value *x = v->arr.v[i];
			int r = k == PK_STRS ? pushf(p, "--%s=%s", flag, x->str.s)
					     : pushf(p, "--%s=%" PRId64, flag, x->i);
			if (r < 0)
				return r;
		}
		return 0;
	case PK_CSV:
		return v->arr.n ? csv(p, flag, v) : 0;
	case PK_ENV:
		for (size_t i = 0; i < v->tab.n; i++)
			if (pushf(p, "--%s=%s=%s", flag, v->tab.kv[i].key,
				  v->tab.kv[i].val->str.s) < 0)
				return -1;
		return 0;
	case PK_EXEC:
	case PK_ARGS:
		return command(p, v, k == PK_EXEC);
	case PK_LATER:
		break;
	}
	return 0;
}

/* ---- the document --------------------------------------------------------------- */

static bool known_section(const char *sec)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].section, sec) == 0)
			return true;
	return false;
}

static int section(struct profile *p, const struct toml_kv *s, struct cli_err *e)
{
	for (size_t j = 0; j < s->val->tab.n; j++) {
		const struct toml_kv *kv = &s->val->tab.kv[j];
		size_t i = 0;
		while (i < sizeof(keys) / sizeof(keys[0]) &&
		       (strcmp(keys[i].section, s->key) != 0 || strcmp(keys[i].key, kv->key) != 0))
			i++;
		if (i == sizeof(keys) / sizeof(keys[0]))
			return cli_errf(e, -1, "%s:%u:%u: unknown field [%s].%s", p->path, kv->line,
					kv->col, s->key, kv->key);
		e->msg[0] = 0;
		if (one(p, s->key, kv->key, keys[i].kind, keys[i].flag, kv->val, e) < 0)
			return e->msg[0] ? -1 : cli_errf(e, -1, "out of memory");
	}
	return 0;
}

/* The document's sections as flags; the old flat form (keys at the top)
 * is refused. */
static int translate(struct profile *p, struct cli_err *e)
{
	const struct toml_value *root = p->doc;
	for (size_t i = 0; i < root->tab.n; i++) {
		const struct toml_kv *s = &root->tab.kv[i];
		if (s->val->type != TOML_TABLE)
			return cli_errf(e, -1,
					"%s:%u:%u: unknown field '%s' (a profile's keys are in "
					"sections: [filesystem], [network], [limits]...)",
					p->path, s->line, s->col, s->key);
		if (!known_section(s->key))
			return cli_errf(e, -1, "%s:%u:%u: unknown section [%s]", p->path, s->line,
					s->col, s->key);
		if (section(p, s, e) < 0)
			return -1;
	}
	return 0;
}

int profile_load(const char *name, const char *file, struct profile *p, struct cli_err *e)
{
	memset(p, 0, sizeof(*p));
	e->msg[0] = 0;
	if (name && !profile_name_ok(name))
		return cli_errf(e, -1,
				"invalid profile name '%s' (letters, digits, '.', '_', '-'; not "
				"starting with '.')",
				name);
	p->path = name ? find(name, e) : strdup(file);
	if (!p->path)
		return name && e->msg[0] ? -1 : cli_errf(e, -1, "out of memory");
	char *text = NULL, err[CLI_ERR_MAX];
	size_t len = 0;
	if (read_all(p->path, &text, &len, e) < 0)
		return -1;
	int r = toml_parse(text, len, p->path, &p->doc, err, sizeof(err));
	free(text);
	if (r < 0)
		return cli_errf(e, -1, "%s", err);
	return translate(p, e);
}

void profile_free(struct profile *p)
{
	for (int i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->cmd);
	toml_free(p->doc);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

/* ---- options back to a profile ------------------------------------------------- */

static void render_env(FILE *out, const struct run_opts *o)
{
	if (!o->env.n)
		return;
	fputs("env = {", out);
	for (size_t i = 0; i < o->env.n; i++) {
		fputs(i ? ", " : " ", out);
		toml_quote(out, o->env.v[i].key);
		fputs(" = ", out);
		toml_quote(out, o->env.v[i].value);
	}
	fputs(" }\n", out);
}

static void render_command(FILE *out, const struct run_opts *o)
{
	if (!o->cmd_argc)
		return;
	fputs("exec = ", out);
	toml_quote(out, o->cmd[0]);
	fputs("\nargs = [", out);
	for (unsigned i = 1; i < o->cmd_argc; i++) {
		fputs(i > 1 ? ", " : "", out);
		toml_quote(out, o->cmd[i]);
	}
	fputs("]\n", out);
}

/* One key: "key = value" when o sets it.  Written whole, with its
 * section's header when the section changes, then taken back when o does
 * not set it (a memory stream's end is its position: one stream for the
 * whole text, whose buffer every start allocates). */
static void render_key(FILE *out, const struct run_opts *o, size_t k, const char **section)
{
	long start = ftell(out);
	const char *was = *section;
	if (start < 0)
		return;
	if (!*section || strcmp(*section, keys[k].section)) {
		fprintf(out, "%s[%s]\n", *section ? "\n" : "", keys[k].section);
		*section = keys[k].section;
	}
	long value = ftell(out);
	bool set = false;
	if (keys[k].kind == PK_ENV) {
		render_env(out, o);
	} else if (keys[k].kind == PK_EXEC) {
		render_command(out, o);
	} else if (keys[k].kind != PK_LATER && keys[k].kind != PK_ARGS) {
		const struct run_opt *d = run_opt_find_long(keys[k].flag, strlen(keys[k].flag));
		fprintf(out, "%s = ", keys[k].key);
		if (d && (set = run_opts_toml_value(o, d, out)))
			fputc('\n', out);
	}
	/* env and exec write a whole line or nothing */
	if (keys[k].kind == PK_ENV || keys[k].kind == PK_EXEC)
		set = ftell(out) > value;
	if (!set) {
		fseek(out, start, SEEK_SET);
		*section = was;
	}
}

char *profile_render(const struct run_opts *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	/* the sections in the order of the schema's first key of each */
	const char *done[16] = {0}, *section = NULL;
	size_t nd = 0;
	for (size_t i = 0; i < NKEYS; i++) {
		bool seen = false;
		for (size_t j = 0; j < nd; j++)
			seen |= strcmp(done[j], keys[i].section) == 0;
		if (seen || nd == (sizeof(done) / sizeof(done[0])))
			continue;
		done[nd++] = keys[i].section;
		for (size_t k = i; k < NKEYS; k++)
			if (strcmp(keys[k].section, keys[i].section) == 0)
				render_key(out, o, k, &section);
	}
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
