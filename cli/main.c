/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the sandlock command: picks a subcommand, nothing else.  The
 * subcommands live in run.c and check.c, their parsers in run_parse.c and
 * run_opts.c, where unit tests can reach them.
 */
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "sandlock.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv); /* NULL: not supported yet */
	const char *help;
};

static const struct subcommand subcommands[] = {
    {"run", cmd_run, "run a command in a sandbox"},
    {"check", cmd_check, "report what this kernel lets sandlock enforce"},
    {"ps", cmd_ps, "list this user's running sandboxes (--json)"},
    {"list", cmd_ps, "the same as ps"},
    {"inspect", cmd_inspect, "show a running sandbox and its profile (--toml, --json)"},
    {"kill", cmd_kill, "kill a running sandbox by name"},
    {"pause", cmd_pause, "stop every process of a running sandbox"},
    {"resume", cmd_resume, "let a paused sandbox run again"},
    {"profile", cmd_profile, "list, show or delete saved profiles"},
    {"learn", cmd_learn, "run a command observed, write the profile it needs"},
};

#define USAGE_LINE "Usage: sandlock [--help | --version] <SUBCOMMAND> [ARGS...]\n"

static void print_help(void)
{
	printf(USAGE_LINE "\n"
			  "Runs programs confined by Landlock and seccomp.\n\n"
			  "Commands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		printf("  %-10s %s%s\n", subcommands[i].name, subcommands[i].help,
		       subcommands[i].fn ? "" : " (not supported yet)");
	printf("\nOptions:\n"
	       "  -h, --help     print this help\n"
	       "      --version  print the version\n"
	       "\n"
	       "`sandlock <SUBCOMMAND> --help` describes a subcommand.\n");
}

static int usage_error(const char *problem, const char *arg)
{
	fprintf(stderr, "sandlock: %s%s%s%s\n" USAGE_LINE, problem, arg ? " '" : "", arg ? arg : "",
		arg ? "'" : "");
	return CLI_EXIT_USAGE;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif

/* Maps the program's read-only segments (its code and constants), the
 * main program's only (the first dl_iterate_phdr calls back with). */
static int map_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	const long *psize = arg;
	uintptr_t page = (uintptr_t)*psize;
	for (unsigned i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
			continue;
		uintptr_t a = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		uintptr_t b =
		    (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);
		(void)madvise((void *)a, b - a, MADV_POPULATE_READ);
	}
	return 1; /* the libraries' too measured no better */
}

/* A start runs through nearly all of the program's code, which the kernel
 * maps 64 KB at a time as it is first touched: a dozen page faults (12 to
 * 22 us each on the development VM) against one call that maps it all.
 * Best effort: a kernel before 5.14 does not know the advice. */
static void map_own_code(void)
{
	long page = sysconf(_SC_PAGESIZE);
	if (page > 0)
		dl_iterate_phdr(map_segments, &page);
}

int main(int argc, char **argv)
{
	map_own_code();
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return usage_error("missing subcommand", NULL);
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		print_help();
		return CLI_EXIT_OK;
	}
	if (strcmp(sub, "--version") == 0) {
		printf("sandlock %s (sandlock %s C ABI)\n", SANDLOCK_VERSION, SANDLOCK_ABI_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(sub, subcommands[i].name) != 0)
			continue;
		if (!subcommands[i].fn) {
			fprintf(stderr, "sandlock: %s: not supported yet\n", sub);
			return CLI_EXIT_FAILURE;
		}
		return subcommands[i].fn(argc - 1, argv + 1);
	}
	return usage_error("unknown subcommand", sub);
}
