/* SPDX-License-Identifier: Apache-2.0 */
/* run_help.c - `sandlock run --help`, generated from the option table. */
#include <string.h>

#include "run_opt_table.h"
#include "run_opts.h"

#define HELP_COLUMN 32

static void print_row(FILE *out, const struct run_opt *d)
{
	char left[96];
	int n;

	if (d->short_name)
		n = snprintf(left, sizeof(left), "  -%c, --%s", d->short_name, d->name);
	else
		n = snprintf(left, sizeof(left), "      --%s", d->name);
	if (d->metavar && n > 0 && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, " %s", d->metavar);
	if (strlen(left) + 2 > HELP_COLUMN)
		fprintf(out, "%s\n%*s%s\n", left, HELP_COLUMN, "", d->help);
	else
		fprintf(out, "%-*s%s\n", HELP_COLUMN, left, d->help);
}

void run_opts_help(FILE *out)
{
	fputs("Usage: sandlock run [OPTIONS] -- COMMAND [ARGS...]\n"
	      "       sandlock run [OPTIONS] -e SHELL-COMMAND [-- ARG0 ARGS...]\n"
	      "\n"
	      "Runs COMMAND confined by Landlock, a seccomp filter and a seccomp\n"
	      "supervisor.  The command must follow \"--\".\n",
	      out);
	for (size_t i = 0; i < run_opt_count; i++) {
		const struct run_opt *d = &run_opt_table[i];

		if (d->name)
			print_row(out, d);
		else
			fprintf(out, "\n%s:\n", d->help);
	}
	fputs("\n"
	      "Options with a value accept --opt VALUE, --opt=VALUE, and for short options\n"
	      "-o VALUE and -oVALUE.  SIZE is digits with an optional K, M or G suffix.\n"
	      "\n"
	      "-e CMD runs /bin/sh -c CMD.  Arguments after -- are passed to the shell as\n"
	      "its positional parameters: `sandlock run -e 'echo $1' -- sh hello` prints\n"
	      "hello ($0 is \"sh\").\n"
	      "\n"
	      "--credential NAME=env:VAR, NAME=file:PATH or NAME=fd:N reads a secret when\n"
	      "the sandbox is set up; the command never sees it (VAR reads\n"
	      "sandlock-credential:NAME inside).  --http-auth HOST=NAME sends it to HOST as\n"
	      "\"Authorization: Bearer <secret>\", HOST=NAME:HEADER as \"HEADER: <secret>\",\n"
	      "over HTTPS only (--http-ca and --http-key, or --http-inject-ca).\n"
	      "\n"
	      "-i/--interactive is accepted for compatibility with sandlock 0.8.0 and has\n"
	      "no effect: `sandlock run` always passes its stdin, stdout and stderr on.\n"
	      "\n"
	      "Exit status: the command's own exit status; 124 when --timeout expired;\n"
	      "127 when the command could not be executed; 1 when the command was killed\n"
	      "by a signal or the sandbox could not be set up; 2 for a usage error.\n",
	      out);
}
