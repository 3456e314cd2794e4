/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile.h - TOML profiles for `sandlock run -p NAME` / `--profile-file`.
 *
 * A profile is read with the strict reader (toml.h) and turned into the
 * flags of `sandlock run` ("--fs-read=/usr"...): the command line's own
 * parser and the library's builder then check every value, so a profile
 * can say nothing a flag cannot, and errors read the same.  The command
 * line goes on top (run_opts_parse_layered): its scalars replace the
 * profile's, its lists add to them.
 *
 * Where a NAME is looked for: the user's directory
 * ($XDG_CONFIG_HOME/sandlock/profiles, else $HOME/.config/sandlock/profiles;
 * /tmp when HOME is unset), then the built-in ones (installed in
 * $(PREFIX)/share/sandlock/profiles; in a build tree, profiles/ beside
 * it).  A name is letters, digits, '.', '_' and '-', not starting with '.'.
 */
#ifndef SL_CLI_PROFILE_H
#define SL_CLI_PROFILE_H

#include <stddef.h>

struct cli_err;
struct toml_value;

struct profile {
	char *path; /* the file read */
	struct toml_value *doc;
	char **argv; /* the flags, owned */
	int argc;
	const char **cmd; /* [program] exec and args (NULL-terminated), or NULL */
	unsigned cmd_argc;
};

/* Finds and reads the profile (name, or the file path), and makes its
 * flags.  0, or -1 with e->msg ("profile 'x' not found (looked in ...)",
 * "<file>:<line>:<col>: unknown field [limits].foo", a type error...). */
int profile_load(const char *name, const char *file, struct profile *p, struct cli_err *e);
void profile_free(struct profile *p);

/* The options o as a profile (TOML), every key of the schema that o sets,
 * in sections: what `sandlock inspect --toml` shows, and what loads back
 * into the same options.  A malloc'd string, or NULL (out of memory). */
struct run_opts;
char *profile_render(const struct run_opts *o);

/* The directory of the user's profiles, in out (len bytes).  0 or -1. */
int profile_user_dir(char *out, size_t len);
/* The directory of the built-in profiles, in out.  0 or -1 (none). */
int profile_builtin_dir(char *out, size_t len);
/* Whether name is a valid profile name. */
int profile_name_ok(const char *name);

#endif
