/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reslimit.h - builtin handlers of the resource limits (spec 2.10):
 * max_processes (nproc.c) and max_memory (memlimit.c).  CPU throttling
 * needs no handler (throttle.c).
 */
#ifndef SL_RESLIMIT_H
#define SL_RESLIMIT_H

#include "supervisor.h"

/* clone, fork, vfork: count a new process, EAGAIN over the cap. */
void nproc_on_fork(struct sl_ctx *c, struct sl_action *a, void *arg);
/* exit_group: register the exiting process's last children. */
void nproc_on_exit(struct sl_ctx *c, struct sl_action *a, void *arg);

/* mmap, mprotect, pkey_mprotect, brk, mremap, shmget: ENOMEM over
 * max_memory. */
void memlimit_on_alloc(struct sl_ctx *c, struct sl_action *a, void *arg);

#endif
