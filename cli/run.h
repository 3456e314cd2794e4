/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.h - the steps of `sandlock run` after parsing: the policy built from
 * the options (run_policy.c), then create, start, wait and the exit status
 * (run.c).
 */
#ifndef SL_CLI_RUN_H
#define SL_CLI_RUN_H

#include <stddef.h>

#include "sandlock.h"

struct cli_err;
struct run_opts;

/* One builder call per option given, then sandlock_sandbox_build().  NULL
 * on failure with the library's message in e->msg. */
sandlock_sandbox_t *run_policy_build(const struct run_opts *o, struct cli_err *e);

/* Runs the parsed options (a --tmp directory made and removed around it):
 * the exit code of `sandlock run`.  learn.c runs through it too. */
int run_opts_run(struct run_opts *o);

/* The exit code of `sandlock run` for a sandbox that ended with status (an
 * enum sandlock_status) and exit_code: the command's own code, 124 for a
 * timeout, 1 for a signal or a kill. */
int run_exit_code(int status, int exit_code);

/* The --status-fd line, newline included, in buf (always NUL-terminated):
 *   {"exit_code":N}              normal exit
 *   {"exit_code":-1,"signal":S}  killed by signal S (other than SIGKILL)
 *   {"exit_code":-1}             killed, or timed out
 * Returns the length written. */
size_t run_status_json(char *buf, size_t size, int status, int exit_code, int sig);

#endif
