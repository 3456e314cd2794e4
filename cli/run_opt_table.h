/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_opt_table.h - the option table of `sandlock run`, shared by the
 * parser (run_parse.c), the field setters (run_opts.c) and the help
 * generator (run_help.c).  Private to the CLI.
 */
#ifndef SL_CLI_RUN_OPT_TABLE_H
#define SL_CLI_RUN_OPT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cli_err;
struct run_opts;
struct run_opt;

/* Stores val (NULL for flags without a value) in the row's field.  Returns
 * an enum run_parse_result. */
typedef int (*run_opt_set_fn)(struct run_opts *o, const struct run_opt *d, const char *val,
			      struct cli_err *e);

struct run_opt {
	const char *name;    /* long name without "--"; NULL for a section heading */
	const char *alias;   /* another accepted long name, or NULL */
	char short_name;     /* 0 when none */
	const char *metavar; /* NULL: the flag takes no value */
	run_opt_set_fn set;
	size_t offset;	   /* the field of struct run_opts that set writes */
	uint64_t min, max; /* range of numeric values */
	bool later;	   /* accepted, but `sandlock run` refuses it for now */
	const char *help;  /* one line; the heading of a section */
};

extern const struct run_opt run_opt_table[];
extern const size_t run_opt_count;

/* The row of a long option (name of len characters, without "--"). */
const struct run_opt *run_opt_find_long(const char *name, size_t len);
const struct run_opt *run_opt_find_short(char c);

#endif
