/* SPDX-License-Identifier: Apache-2.0 */
/*
 * child.h - the child between fork and exec (spec 8.2).
 *
 * Runs in the forked child of a possibly multi-threaded host: only raw,
 * async-signal-safe syscalls, no allocation, no locks, no stdio.  Every
 * failure before the release gate goes back to the parent as
 * (step, errno) on the status pipe, then the child exits 127.
 */
#ifndef SL_CHILD_H
#define SL_CHILD_H

#include "plan.h"

/* clone() entry point; arg is the struct sl_plan. */
int child_main(void *arg);

/* The syscalls the child makes after its filter is installed (for the
 * vfork-safety check in plan.c). */
const int *child_late_syscalls(size_t *n);

#endif
