/* SPDX-License-Identifier: Apache-2.0 */
/*
 * learn.c - `sandlock learn [OPTIONS] -- CMD [ARGS...]`: runs CMD with
 * every path readable and writable and every TCP destination allowed, the
 * library observing what it touches (sandlock_sandbox_builder_learn_log),
 * then writes the narrowest profile under which the same run passes:
 *
 *   - reads and executions: the files themselves, collapsed to their
 *     ancestor at depth N (--collapse N, default 3: /usr/lib/x86_64-linux-
 *     gnu/libc.so.6 becomes /usr/lib/x86_64-linux-gnu; 0 keeps files);
 *   - writes: the files; a name made or removed: its directory;
 *   - sensitive paths (~/.ssh, ~/.gnupg, ~/.aws, /etc/shadow...) are never
 *     collapsed, nor is anything collapsed into a tree that holds one,
 *     without --force-sensitive-collapse;
 *   - /proc and /sys as wholes, device nodes one by one;
 *   - TCP destinations as addresses (UDP too for port 53), bound ports.
 *
 * Every path is resolved on the host after the run (symlinks as Landlock
 * follows them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "profile.h"
#include "run.h"
#include "run_opts.h"
#include "toml.h"

#define USAGE                                                                                      \
	"Usage: sandlock learn [-o FILE | --profile NAME] [--collapse N]\n"                        \
	"                      [--force-sensitive-collapse] -- CMD [ARGS...]\n"

struct set {
	char **v;
	size_t n;
};

struct learned {
	struct set read, write, allow, bind;
	struct set names;	      /* looked up (DNS queries) */
	int64_t peak_procs, peak_mem; /* 0: not seen */
};

static int set_add(struct set *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], v) == 0)
			return 0;
	char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (!nv || !(nv[s->n] = strdup(v)))
		return -1;
	s->v = nv;
	s->n++;
	return 0;
}

static void set_free(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- sensitive paths ------------------------------------------------------------ */

static const char *const sensitive_home[] = {
    ".ssh",	      ".gnupg",		 ".aws",
    ".azure",	      ".kube",		 ".docker",
    ".netrc",	      ".pgpass",	 ".git-credentials",
    ".config/gcloud", ".password-store", ".local/share/keyrings",
};
static const char *const sensitive_abs[] = {"/etc/shadow", "/etc/gshadow", "/etc/sudoers",
					    "/etc/ssh", "/root"};

/* Whether a lies in b or is b. */
static bool under(const char *a, const char *b)
{
	size_t n = strlen(b);
	return strncmp(a, b, n) == 0 && (a[n] == '/' || a[n] == 0 || (n == 1 && b[0] == '/'));
}

/* Calls fn on each sensitive path until it returns true. */
static bool any_sensitive(bool (*fn)(const char *s, const char *p), const char *p)
{
	const char *home = getenv("HOME");
	char buf[PATH_MAX];
	for (size_t i = 0;
	     home && home[0] == '/' && i < sizeof(sensitive_home) / sizeof(*sensitive_home); i++) {
		snprintf(buf, sizeof(buf), "%s/%s", home, sensitive_home[i]);
		if (fn(buf, p))
			return true;
	}
	for (size_t i = 0; i < sizeof(sensitive_abs) / sizeof(*sensitive_abs); i++)
		if (fn(sensitive_abs[i], p))
			return true;
	return false;
}

static bool s_holds_p(const char *s, const char *p)
{
	return under(p, s);
}

static bool p_holds_s(const char *s, const char *p)
{
	return under(s, p);
}

/* ---- collapsing ----------------------------------------------------------------- */

/* The ancestor of p (canonical) at depth n, in out; p itself when it is
 * no deeper, sensitive, or when every ancestor would hold a sensitive
 * path (the deepest one that holds none is taken). */
static void collapse(const char *p, int depth, bool force, char *out, size_t size)
{
	snprintf(out, size, "%s", p);
	if (depth <= 0 || (!force && any_sensitive(s_holds_p, p)))
		return;
	if (under(p, "/proc") || under(p, "/sys")) {
		snprintf(out, size, "%s", under(p, "/proc") ? "/proc" : "/sys");
		return;
	}
	if (under(p, "/dev"))
		return; /* device nodes one by one */
	for (int d = depth < 2 ? 2 : depth;; d++) {
		const char *c = p;
		for (int k = 0; k < d && c; k++) /* past d components */
			c = strchr(c + 1, '/');
		if (!c)
			return; /* no deeper than d: itself */
		snprintf(out, size, "%.*s", (int)(c - p), p);
		if (force || !any_sensitive(p_holds_s, out))
			return;
	}
}

/* Drops the entries of s that an entry of by holds (by may be s: the
 * verdicts are all taken before anything moves). */
static void prune(struct set *s, const struct set *by)
{
	bool *drop = calloc(s->n ? s->n : 1, sizeof(*drop));
	if (!drop)
		return;
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; !drop[i] && j < by->n; j++)
			drop[i] = strcmp(s->v[i], by->v[j]) != 0 && under(s->v[i], by->v[j]);
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (drop[i])
			free(s->v[i]);
		else
			s->v[k++] = s->v[i];
	}
	s->n = k;
	free(drop);
}

/* ---- the observations ----------------------------------------------------------- */

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The canonical path; for a name made or removed (parent), or a file
 * written and gone, its directory's.  A read of what does not exist needs
 * no grant: NULL. */
static char *canon(const char *path, bool parent, bool read)
{
	char *r = parent ? NULL : realpath(path, NULL);
	if (r || read)
		return r;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return NULL;
	if (slash == dir)
		slash[1] = 0;
	else
		*slash = 0;
	return realpath(dir, NULL);
}

static int take(struct learned *l, const char *line, int depth, bool force)
{
	char *op = json_str(line, "op"), *path = json_str(line, "path"),
	     *addr = json_str(line, "addr"), *port = json_str(line, "port");
	int r = 0;
	if (op && path) {
		bool made = !strcmp(op, "create") || !strcmp(op, "remove");
		bool rd = !made && strcmp(op, "write") != 0;
		char *c = canon(path, made, rd);
		if (c && (made || !strcmp(op, "write"))) {
			r = set_add(&l->write, c);
		} else if (c && !force && is_dir(c) && any_sensitive(p_holds_s, c)) {
			/* a directory grant is its whole tree: a listing of the home
			 * must not become a grant of ~/.ssh */
			fprintf(stderr,
				"sandlock: learn: not granted: %s (it holds sensitive paths)\n", c);
		} else if (c) {
			char out[PATH_MAX];
			collapse(c, depth, force, out, sizeof(out));
			r = set_add(&l->read, out);
		}
		free(c);
	} else if (op && addr && !strcmp(op, "connect")) {
		r = set_add(&l->allow, addr);
		size_t n = strlen(addr);
		if (r == 0 && n > 3 && !strcmp(addr + n - 3, ":53")) {
			char udp[128];
			snprintf(udp, sizeof(udp), "udp://%s", addr);
			r = set_add(&l->allow, udp);
		}
	} else if (op && port && !strcmp(op, "bind")) {
		r = set_add(&l->bind, port);
	} else if (op && !strcmp(op, "lookup")) {
		char *name = json_str(line, "name");
		r = name ? set_add(&l->names, name) : 0;
		free(name);
	} else if (op && !strcmp(op, "peak")) {
		json_int(line, "processes", &l->peak_procs);
		json_int(line, "memory", &l->peak_mem);
	}
	free(op);
	free(path);
	free(addr);
	free(port);
	return r;
}

/* ---- host names ------------------------------------------------------------------ */

/* The address of "ADDR:PORT" / "[V6]:PORT" in canonical form, and where
 * its port starts; false for anything else (a udp:// rule). */
static bool split_dest(const char *dest, char *addr, size_t size, const char **port)
{
	const char *colon = strrchr(dest, ':');
	if (!colon || strncmp(dest, "udp://", 6) == 0)
		return false;
	char host[INET6_ADDRSTRLEN + 2];
	bool v6 = dest[0] == '[';
	int n = snprintf(host, sizeof(host), "%.*s", (int)(colon - dest - (v6 ? 2 : 0)),
			 dest + (v6 ? 1 : 0));
	unsigned char bin[16];
	int af = v6 ? AF_INET6 : AF_INET;
	*port = colon + 1;
	return n > 0 && (size_t)n < sizeof(host) && inet_pton(af, host, bin) == 1 &&
	       inet_ntop(af, bin, addr, (socklen_t)size) != NULL;
}

/* The addresses name resolves to, into out (none when it does not). */
static int resolve_into(const char *name, struct set *out)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	int r = 0;
	for (struct addrinfo *a = res; a && r == 0; a = a->ai_next) {
		char s[INET6_ADDRSTRLEN];
		const void *bin =
		    a->ai_family == AF_INET
			? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
			: (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
		if (inet_ntop(a->ai_family, bin, s, sizeof(s)))
			r = set_add(out, s);
	}
	freeaddrinfo(res);
	return r;
}

/* Names resolved after the trial, each once: a lookup may wait on the
 * network for seconds, and a trial may send any number of queries (one
 * per name and destination, 300 names and 30 destinations held learn
 * for minutes). */
#define LEARN_NAMES_MAX 64

/* A destination reached by a name the run looked up becomes NAME:PORT:
 * the rule then follows the name (resolved when the sandbox starts), not
 * the address it had during the trial.  An address no name explains
 * stays (as one the first LEARN_NAMES_MAX names do not). */
static int name_destinations(struct learned *l)
{
	size_t nn = l->names.n < LEARN_NAMES_MAX ? l->names.n : LEARN_NAMES_MAX;
	struct set named = {0}, addrs[LEARN_NAMES_MAX] = {{0}};
	int r = 0;
	for (size_t j = 0; r == 0 && j < nn; j++)
		r = resolve_into(l->names.v[j], &addrs[j]);
	for (size_t i = 0; r == 0 && i < l->allow.n; i++) {
		char addr[INET6_ADDRSTRLEN], rule[512];
		const char *port, *name = NULL;
		if (split_dest(l->allow.v[i], addr, sizeof(addr), &port))
			for (size_t j = 0; !name && j < nn; j++)
				for (size_t k = 0; !name && k < addrs[j].n; k++)
					if (strcmp(addrs[j].v[k], addr) == 0)
						name = l->names.v[j];
		if (name)
			snprintf(rule, sizeof(rule), "%s:%s", name, port);
		r = set_add(&named, name ? rule : l->allow.v[i]);
	}
	for (size_t j = 0; j < nn; j++)
		set_free(&addrs[j]);
	set_free(&l->allow);
	l->allow = named;
	return r;
}

static int read_log(const char *file, struct learned *l, int depth, bool force)
{
	FILE *f = fopen(file, "re");
	if (!f) {
		fprintf(stderr, "sandlock: learn: %s: %s\n", file, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	int r = 0;
	while (r == 0 && getline(&line, &cap, f) > 0)
		r = take(l, line, depth, force);
	free(line);
	fclose(f);
	/* a write grant reads too; what a wider grant holds goes */
	prune(&l->read, &l->write);
	prune(&l->read, &l->read);
	prune(&l->write, &l->write);
	if (r == 0 && l->names.n)
		r = name_destinations(l);
	struct set *sorted[] = {&l->read, &l->write, &l->allow};
	for (size_t i = 0; i < sizeof(sorted) / sizeof(*sorted); i++)
		if (sorted[i]->n) /* qsort of NULL is undefined, even for none */
			qsort(sorted[i]->v, sorted[i]->n, sizeof(char *), cmp_str);
	return r;
}

/* ---- the profile ---------------------------------------------------------------- */

static void strs(FILE *out, const char *key, const struct set *s)
{
	fprintf(out, "%s = [", key);
	for (size_t i = 0; i < s->n; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		toml_quote(out, s->v[i]);
	}
	fputs(s->n ? ",\n]\n" : "]\n", out);
}

/* The limits, with headroom: a run is never the same twice (timing,
 * address space layout, what the allocator keeps), so twice the peak,
 * and at least 8 processes and 64 MiB more than it. */
#define LEARN_MIB (1024 * 1024)
static void limits(FILE *out, const struct learned *l)
{
	if (l->peak_procs <= 0)
		return;
	int64_t procs =
	    l->peak_procs * 2 > l->peak_procs + 8 ? l->peak_procs * 2 : l->peak_procs + 8;
	fprintf(out, "\n[limits]\nprocesses = %lld\n", (long long)procs);
	if (l->peak_mem > 0) {
		int64_t mem = l->peak_mem * 2 > l->peak_mem + 64LL * LEARN_MIB
				  ? l->peak_mem * 2
				  : l->peak_mem + 64LL * LEARN_MIB;
		fprintf(out, "memory = \"%lldM\"\n",
			(long long)((mem + LEARN_MIB - 1) / LEARN_MIB));
	}
}

static int write_profile(const char *path, const struct learned *l, char **cmd, int argc)
{
	FILE *out = fopen(path, "we");
	if (!out) {
		fprintf(stderr, "sandlock: learn: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* the command in a comment: a line break in it would end the
	 * comment, so control bytes are shown escaped */
	fputs("# learned by `sandlock learn` from:", out);
	for (int i = 0; i < argc; i++) {
		fputc(' ', out);
		for (const unsigned char *c = (const unsigned char *)cmd[i]; *c; c++)
			if (*c < 0x20 || *c == 0x7f)
				fprintf(out, "\\x%02x", *c);
			else
				fputc(*c, out);
	}
	fputs("\n[filesystem]\n", out);
	strs(out, "read", &l->read);
	strs(out, "write", &l->write);
	if (l->allow.n || l->bind.n)
		fputs("\n[network]\n", out);
	if (l->allow.n)
		strs(out, "allow", &l->allow);
	if (l->bind.n) {
		fputs("bind = [", out);
		for (size_t i = 0; i < l->bind.n; i++)
			fprintf(out, "%s%s", i ? ", " : "", l->bind.v[i]);
		fputs("]\n", out);
	}
	limits(out, l);
	if (fclose(out) != 0) {
		fprintf(stderr, "sandlock: learn: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Where the profile goes: -o FILE, else NAME.toml in the user's
 * profile directory (made if missing). */
static int destination(const char *file, const char *name, char *out, size_t len)
{
	if (file) {
		snprintf(out, len, "%s", file);
		return 0;
	}
	char dir[PATH_MAX];
	if (!profile_name_ok(name) || profile_user_dir(dir, sizeof(dir)) < 0) {
		fprintf(stderr, "sandlock: learn: bad profile name '%s'\n", name);
		return -1;
	}
	char mk[PATH_MAX];
	for (char *s = dir + 1; (s = strchr(s, '/')); s++) {
		snprintf(mk, sizeof(mk), "%.*s", (int)(s - dir), dir);
		mkdir(mk, 0700);
	}
	mkdir(dir, 0700);
	if ((size_t)snprintf(out, len, "%s/%s.toml", dir, name) >= len)
		return -1;
	return 0;
}

/* ---- the command ---------------------------------------------------------------- */

struct learn_args {
	const char *file, *name;
	int depth;
	bool force;
	int cmd; /* index of the command in argv */
};

static int parse(int argc, char **argv, struct learn_args *a)
{
	*a = (struct learn_args){.name = "learned", .depth = 3, .cmd = -1};
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--")) {
			a->cmd = i + 1 < argc ? i + 1 : -1;
			break;
		}
		if ((!strcmp(s, "-o") || !strcmp(s, "--profile") || !strcmp(s, "--collapse")) &&
		    i + 1 < argc) {
			const char *v = argv[++i];
			char *end;
			if (!strcmp(s, "-o"))
				a->file = v;
			else if (!strcmp(s, "--profile"))
				a->name = v;
			else if ((a->depth = (int)strtol(v, &end, 10)) < 0 || *end || !*v)
				return -1;
		} else if (!strcmp(s, "--force-sensitive-collapse")) {
			a->force = true;
		} else {
			return -1;
		}
	}
	return a->cmd < 0 ? -1 : 0;
}

/* The trial run: every path readable and writable, TCP and UDP open,
 * every port bindable, processes and memory counted (to the machine's
 * memory, and far more processes than the default allows) for their
 * peaks. */
static int trial(char **cmd, int n, const char *log)
{
	char mem[32];
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	snprintf(mem, sizeof(mem), "%lldM",
		 pages > 0 && size > 0 ? (long long)pages * size / LEARN_MIB : 1LL << 20);
	const char *flags[] = {"-r",
			       "/",
			       "-w",
			       "/",
			       "--net-allow",
			       "*:*",
			       "--net-allow",
			       "udp://*:*",
			       "--net-allow-bind",
			       "*",
			       "-P",
			       "4096",
			       "-m",
			       mem};
	size_t nf = sizeof(flags) / sizeof(*flags);
	const char **argv = calloc(nf + 2 + (size_t)n, sizeof(*argv));
	if (!argv)
		return CLI_EXIT_FAILURE;
	memcpy(argv, flags, sizeof(flags));
	argv[nf] = "--";
	memcpy(argv + nf + 1, cmd, (size_t)n * sizeof(*argv));
	struct run_opts o;
	struct cli_err e;
	int rc = run_opts_parse(&o, (int)(nf + 1) + n, argv, &e);
	if (rc == RUN_PARSE_OK) {
		o.learn_log = log;
		rc = run_opts_run(&o);
	} else {
		fprintf(stderr, "sandlock: %s\n", e.msg);
		rc = CLI_EXIT_USAGE;
	}
	run_opts_free(&o);
	free(argv);
	return rc;
}

int cmd_learn(int argc, char **argv)
{
	struct learn_args a;
	if (parse(argc, argv, &a) < 0) {
		fputs(USAGE, stderr);
		return CLI_EXIT_USAGE;
	}
	char dest[PATH_MAX], log[] = "/tmp/sandlock-learn-XXXXXX";
	if (destination(a.file, a.name, dest, sizeof(dest)) < 0)
		return CLI_EXIT_FAILURE;
	int fd = mkstemp(log);
	if (fd < 0) {
		fprintf(stderr, "sandlock: learn: %s: %s\n", log, strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	close(fd);
	int rc = trial(argv + a.cmd, argc - a.cmd, log);
	struct learned l = {0};
	int r = read_log(log, &l, a.depth, a.force);
	unlink(log);
	if (r == 0)
		r = write_profile(dest, &l, argv + a.cmd, argc - a.cmd);
	if (r == 0)
		fprintf(stderr,
			"sandlock: learned %zu read, %zu write, %zu network rules: %s\n"
			"sandlock: run it with: sandlock run %s%s -- ...\n",
			l.read.n, l.write.n, l.allow.n + l.bind.n, dest,
			a.file ? "--profile-file " : "-p ", a.file ? dest : a.name);
	set_free(&l.read);
	set_free(&l.write);
	set_free(&l.allow);
	set_free(&l.bind);
	set_free(&l.names);
	return r < 0 ? CLI_EXIT_FAILURE : rc;
}
