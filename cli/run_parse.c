/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_parse.c - walks the arguments of `sandlock run` and assembles the
 * command (see run_opts.h).  Each flag's value goes through its table row
 * (run_opts.c); this file only knows the shapes of arguments:
 *
 *   --flag value   --flag=value   -f value   -fvalue   -f=value   -if value
 *
 * and that the command follows "--".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run_opt_table.h"
#include "run_opts.h"

/* Like clap, a following argument that looks like an option is not taken
 * as a value: `-r -- ls` is a missing value, not a path named "--".  A
 * value starting with '-' can still be attached: --fs-read=-dir. */
static bool looks_like_option(const char *a)
{
	return a[0] == '-' && a[1] != '\0';
}

/* The value of d: the attached text, else the next argument. */
static int take_value(const struct run_opt *d, const char *attached, int argc,
		      const char *const *argv, int *i, const char **val, struct cli_err *e)
{
	if (attached) {
		*val = attached;
		return RUN_PARSE_OK;
	}
	if (*i + 1 >= argc || looks_like_option(argv[*i + 1]))
		return cli_errf(e, RUN_PARSE_USAGE, "option '--%s' requires a value (%s)", d->name,
				d->metavar);
	*i += 1;
	*val = argv[*i];
	return RUN_PARSE_OK;
}

/* A row's setter; under the profile layer the row is marked (the
 * command line may then give it again: run_opts.h). */
static int set(struct run_opts *o, const struct run_opt *d, const char *val, struct cli_err *e)
{
	int r = d->set(o, d, val, e);
	size_t row = (size_t)(d - run_opt_table);
	if (r == RUN_PARSE_OK && o->profile_layer && row < 64 * RUN_OPTS_ROWS_WORDS)
		o->from_profile[row / 64] |= 1ull << (row % 64);
	return r;
}

static int parse_long(struct run_opts *o, int argc, const char *const *argv, int *i,
		      struct cli_err *e)
{
	const char *arg = argv[*i] + 2;
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct run_opt *d = run_opt_find_long(arg, len);
	const char *val = NULL;
	int r;

	if (!d)
		return cli_errf(e, RUN_PARSE_USAGE, "unknown option '--%.*s'", (int)len, arg);
	if (!d->metavar) {
		if (eq)
			return cli_errf(e, RUN_PARSE_USAGE, "option '--%s' takes no value",
					d->name);
		return set(o, d, NULL, e);
	}
	r = take_value(d, eq ? eq + 1 : NULL, argc, argv, i, &val, e);
	return r != RUN_PARSE_OK ? r : set(o, d, val, e);
}

/* A cluster of short flags: the flags without value first, then at most
 * one flag with a value, which takes the rest of the cluster if any. */
static int parse_short(struct run_opts *o, int argc, const char *const *argv, int *i,
		       struct cli_err *e)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		const struct run_opt *d = run_opt_find_short(*p);
		const char *attached, *val = NULL;
		int r;

		if (!d)
			return cli_errf(e, RUN_PARSE_USAGE, "unknown option '-%c'", *p);
		if (!d->metavar) {
			r = set(o, d, NULL, e);
			if (r != RUN_PARSE_OK)
				return r;
			continue;
		}
		/* -rPATH and, as clap allows, -r=PATH. */
		attached = p[1] ? p + 1 + (p[1] == '=') : NULL;
		r = take_value(d, attached, argc, argv, i, &val, e);
		return r != RUN_PARSE_OK ? r : set(o, d, val, e);
	}
	return RUN_PARSE_OK;
}

/* No command is fine when one may come from a profile or an image: those
 * flags are refused later with a clearer message. */
static bool command_may_come_later(const struct run_opts *o)
{
	return o->profile || o->profile_file || o->image;
}

/* cmd = [/bin/sh -c CMD] ARGS...  With -e, the trailing arguments become
 * the shell's $0, $1, ... */
static int set_command(struct run_opts *o, int argc, const char *const *argv, struct cli_err *e)
{
	const char *shell[] = {"/bin/sh", "-c", o->exec_shell};
	size_t nshell = o->exec_shell ? 3 : 0;
	size_t n = nshell + (size_t)argc;

	if (!o->exec_shell && argc == 0) {
		if (command_may_come_later(o))
			return RUN_PARSE_OK;
		return cli_errf(e, RUN_PARSE_USAGE, "no command given");
	}
	if (!o->exec_shell && argv[0][0] == '\0')
		return cli_errf(e, RUN_PARSE_USAGE, "empty command name after --");
	o->cmd = calloc(n + 1, sizeof(*o->cmd));
	if (!o->cmd)
		return cli_errf(e, RUN_PARSE_FAIL, "out of memory");
	memcpy(o->cmd, shell, nshell * sizeof(*o->cmd));
	memcpy(o->cmd + nshell, argv, (size_t)argc * sizeof(*o->cmd));
	o->cmd_argc = (unsigned int)n;
	return RUN_PARSE_OK;
}

static int check_conflicts(const struct run_opts *o, struct cli_err *e)
{
	if (o->profile && o->profile_file)
		return cli_errf(e, RUN_PARSE_USAGE,
				"options '--profile' and '--profile-file' cannot be used together");
	return RUN_PARSE_OK;
}

/* The flags of argv into o, up to "--" (its index, or argc, in *end). */
static int parse_flags(struct run_opts *o, int argc, const char *const *argv, int *end,
		       struct cli_err *e)
{
	int i = 0, r;

	for (; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] == '-' && a[1] == '-')
			r = parse_long(o, argc, argv, &i, e);
		else if (a[0] == '-' && a[1] != '\0')
			r = parse_short(o, argc, argv, &i, e);
		else
			r = cli_errf(e, RUN_PARSE_USAGE,
				     "unexpected argument '%s' (put the command after --)", a);
		if (r != RUN_PARSE_OK)
			return r;
	}
	*end = i;
	return RUN_PARSE_OK;
}

static int parse_rest(struct run_opts *o, int argc, const char *const *argv, struct cli_err *e)
{
	int i, r = parse_flags(o, argc, argv, &i, e);

	if (r != RUN_PARSE_OK)
		return r;
	i += i < argc; /* the "--" */
	r = check_conflicts(o, e);
	return r != RUN_PARSE_OK ? r : set_command(o, argc - i, argv + i, e);
}

int run_opts_parse(struct run_opts *o, int argc, const char *const *argv, struct cli_err *e)
{
	memset(o, 0, sizeof(*o));
	e->msg[0] = '\0';
	return parse_rest(o, argc, argv, e);
}

int run_opts_parse_layered(struct run_opts *o, int pargc, const char *const *pargv, int argc,
			   const char *const *argv, struct cli_err *e)
{
	int end, r;

	memset(o, 0, sizeof(*o));
	e->msg[0] = '\0';
	o->profile_layer = true;
	r = parse_flags(o, pargc, pargv, &end, e);
	o->profile_layer = false;
	if (r == RUN_PARSE_OK && end != pargc)
		r = cli_errf(e, RUN_PARSE_USAGE, "a profile gives flags only");
	if (r != RUN_PARSE_OK) {
		/* the flag named is the profile key's (profile.c's table) */
		char was[CLI_ERR_MAX];
		snprintf(was, sizeof(was), "%s", e->msg);
		return cli_errf(e, r, "in the profile: %s", was);
	}
	return parse_rest(o, argc, argv, e);
}
