/* SPDX-License-Identifier: Apache-2.0 */
/*
 * child.h - the child between clone and exec.
 *
 * Cloned by the keeper (keeper.h), possibly sharing the host's address
 * space: only raw syscalls (rawsys.h), no allocation, no locks, no stdio,
 * no errno.  Every failure before the release gate goes back to the
 * parent as (step, errno) on the status socket, then the child exits 127.
 */
#ifndef SL_CHILD_H
#define SL_CHILD_H

#include "plan.h"

/* clone() entry point; arg is the struct sl_plan. */
int child_main(void *arg);

/* Sends (step, value) on the status socket, with nfds (at most 2) fds as
 * SCM_RIGHTS.  Raw syscalls only (the keeper uses it too, and the parent
 * to send the ruleset).  The bytes sent, or -errno. */
long child_send(int sock, int step, int value, const int *fds, int nfds);

/* The syscalls the child makes after installing its filter and before
 * handing over the listener: they must not be notified unconditionally
 * (plan.c refuses such a policy; nobody could answer). */
const int *child_pre_ready_syscalls(size_t *n);
/* Those it makes there only when the ruleset comes after the filter (the
 * overlap, plan.h): a user handler on one turns the overlap off. */
const int *child_overlap_syscalls(size_t *n);

#endif
