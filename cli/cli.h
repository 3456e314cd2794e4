/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h - what the sandlock command's files share: exit codes, the
 * subcommand entry points and a message buffer for usage errors.
 *
 * The CLI is a thin client of include/sandlock.h; it never includes the
 * library's internal headers.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

/* Exit codes of the sandlock command.  A sandboxed
 * command's own exit code is passed through unchanged. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,  /* setup or validation error; signal; killed */
	CLI_EXIT_USAGE = 2,    /* malformed command line, nothing started */
	CLI_EXIT_TIMEOUT = 124 /* --timeout expired (like timeout(1)) */
};

/* A message for the user, without the "sandlock: " prefix; room for any
 * library message (at most 1023 bytes: the library shortens longer ones
 * in the middle, and so does cli_errf). */
#define CLI_ERR_MAX 1024
struct cli_err {
	char msg[CLI_ERR_MAX];
};

/* Formats into e->msg (a message too long loses its middle) and returns ret, so a parser can write
 * `return cli_errf(e, RUN_PARSE_USAGE, "...", ...);`. */
int cli_errf(struct cli_err *e, int ret, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Subcommands.  argv[0] is the subcommand's name; the return value is the
 * process exit code. */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_learn(int argc, char **argv);

#endif
