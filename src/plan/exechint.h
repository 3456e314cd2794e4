/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exechint.h - why the command could not be executed, in the terms of
 * the policy: which file the exec needed (the program, its ELF loader,
 * a script's #! interpreter) that no grant reaches, and the flag that
 * would grant it.  Run in the parent after the child reported the exec's
 * errno, on the host's view of the files: a hint for the user, never a
 * decision.
 */
#ifndef SL_EXECHINT_H
#define SL_EXECHINT_H

#include <stddef.h>

#include "util.h"

/* Writes "CMD: why (flag)" to out.  cands: the paths the child tried
 * (the plan's exec_paths); grants: the read and write trees. */
void exechint(const char *cmd, const struct sl_strv *cands, const struct sl_strv *grants, int err,
	      char *out, size_t size);

/* The file the program at path needs to start: a script's #! interpreter,
 * or an ELF's loader (PT_INTERP), absolute, in out; false when none. */
#include <stdbool.h>
bool exechint_needs(const char *path, char *out, size_t size);

#endif
