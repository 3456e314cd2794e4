/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_opts.h - the command line of `sandlock run`, parsed into a struct.
 *
 * The parser is table-driven (one row per flag in run_opts.c, the same rows
 * generate --help), checks syntax only and never exits or prints, so unit
 * tests can call it.  Values are validated by the library's builder.
 */
#ifndef SL_CLI_RUN_OPTS_H
#define SL_CLI_RUN_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cli_err;

/* Strings borrowed from argv. */
struct cli_strv {
	const char **v;
	size_t n;
};

struct cli_u32v {
	uint32_t *v;
	size_t n;
};

/* KEY=VALUE or VIRTUAL:HOST: key is owned, value points into argv. */
struct cli_pair {
	char *key;
	const char *value;
};

struct cli_pairv {
	struct cli_pair *v;
	size_t n;
};

/* The largest --timeout, in seconds (about 136 years): its milliseconds
 * stay far below INT64_MAX, so no deadline computed from it can wrap. */
#define RUN_TIMEOUT_MAX UINT32_MAX

/* A number that may be absent. */
struct cli_num {
	bool set;
	uint64_t v;
};

#define RUN_OPTS_ROWS_WORDS 2 /* bits for the option table's rows */

struct run_opts {
	/* filesystem */
	struct cli_strv fs_read, fs_write, fs_deny;
	const char *workdir, *cwd, *fs_storage, *chroot;
	bool tmp;		     /* --tmp: a fresh writable directory, TMPDIR */
	const char *tmp_dir;	     /* ...made by `sandlock run` before the build */
	struct cli_num fs_isolation; /* 0 none, 1 overlayfs, 2 branchfs */
	struct cli_num max_disk;
	struct cli_num on_exit, on_error; /* 0 commit, 1 abort, 2 keep */
	struct cli_pairv fs_mount;

	/* syscalls */
	struct cli_strv extra_deny, extra_allow;

	/* network */
	struct cli_strv net_allow, net_deny, http_allow, http_deny;
	struct cli_strv net_allow_bind, net_deny_bind; /* port lists, as given */
	struct cli_u32v net_bind, http_port;
	const char *http_ca, *http_key, *http_ca_out;
	struct cli_strv http_inject_ca;	       /* CA bundles, as given */
	struct cli_strv credential, http_auth; /* NAME=SOURCE, HOST=NAME[:HEADER] */
	bool port_remap;

	/* resources */
	struct cli_num max_memory, max_processes, max_open_files, cpu, num_cpus;
	struct cli_u32v cpu_cores, gpu;
	struct cli_u32v allow_degraded, disable; /* SANDLOCK_PROTECTION_* */

	/* determinism */
	struct cli_num random_seed, time_start;
	bool no_randomize_memory, no_huge_pages, no_coredump, deterministic_dirs;

	/* environment and identity */
	bool clean_env;
	struct cli_pairv env;
	struct cli_num uid;
	const char *name;

	/* running */
	struct cli_num timeout, status_fd;
	const char *log_denials; /* --log-denials FILE */
	bool explain;		 /* --explain */
	const char *learn_log;	 /* sandlock learn's observation file (no flag) */
	const char *exec_shell;
	bool interactive; /* accepted; stdio is always inherited */

	/* accepted by the parser, refused by `sandlock run` until they land */
	const char *profile, *profile_file, *image;
	bool dry_run, no_supervisor;

	/* The profile layer (run_opts_parse_layered): the rows the profile
	 * set, which the command line may set again (a scalar then replaces
	 * the profile's value, a list adds to it). */
	bool profile_layer;
	uint64_t from_profile[RUN_OPTS_ROWS_WORDS];

	/* The command: cmd[cmd_argc] is NULL.  The array is owned, the
	 * strings are borrowed from argv (or are literals). */
	const char **cmd;
	unsigned int cmd_argc;
};

enum run_parse_result {
	RUN_PARSE_OK = 0,
	RUN_PARSE_HELP = 1,  /* -h/--help was given: print run_opts_help() */
	RUN_PARSE_USAGE = 2, /* e->msg says what is wrong with the command line */
	RUN_PARSE_FAIL = 3,  /* out of memory; e->msg says so */
};

/* Parses the arguments that follow "run" (argv[0] is the first option).
 * Fills *o (which it zeroes first) and returns an enum run_parse_result.
 * The strings in argv must outlive *o.  Call run_opts_free() afterwards
 * whatever the result. */
int run_opts_parse(struct run_opts *o, int argc, const char *const *argv, struct cli_err *e);

/* The same, with a profile's flags (pargv: flags only, as
 * profile_args() makes them) parsed first: the command line's then add to
 * the profile's lists and replace its scalars. */
int run_opts_parse_layered(struct run_opts *o, int pargc, const char *const *pargv, int argc,
			   const char *const *argv, struct cli_err *e);

/* Whether row d was set by the profile layer and may be set again now
 * (the mark is then taken: a second time on the command line is an
 * error as ever).  For the setters. */
struct run_opt;
bool run_opts_relayer(struct run_opts *o, const struct run_opt *d);

void run_opts_free(struct run_opts *o);

/* The long name (without "--") of the first flag given that sandlock
 * cannot honour yet, e.g. "profile"; NULL when there is none. */
const char *run_opts_unsupported(const struct run_opts *o);

/* Writes the value of row d of o as TOML (a string, an integer, a
 * boolean, an array) to out; false, writing nothing, when d is unset or
 * has no TOML form (--env is a table: the caller writes it). */
bool run_opts_toml_value(const struct run_opts *o, const struct run_opt *d, FILE *out);

/* Writes the help of `sandlock run` (generated from the option table). */
void run_opts_help(FILE *out);

#endif
