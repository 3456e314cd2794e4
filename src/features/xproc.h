/* SPDX-License-Identifier: Apache-2.0 */
/* xproc.h - syscalls that name another process by pid (see xproc.c). */
#ifndef SL_XPROC_H
#define SL_XPROC_H

#include "supervisor.h"

/* prlimit64, sched_set*, set/getpriority, ioprio_set, migrate_pages,
 * move_pages, get_robust_list, kcmp: ESRCH unless the pid is the caller
 * or a live member; pidfd_open: emulated for members. */
void xproc_on_pid(struct sl_ctx *c, struct sl_action *a, void *arg);

#endif
