/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reslimit.h - builtin handlers of the resource limits:
 * max_processes (nproc.c) and max_memory (memlimit.c).  CPU throttling
 * needs no handler (throttle.c).
 */
#ifndef SL_RESLIMIT_H
#define SL_RESLIMIT_H

#include "supervisor.h"

/* clone, fork, vfork: count a new process, EAGAIN over the cap; a thread,
 * EAGAIN when the sandbox holds NPROC_THREADS_PER_PROCESS times the cap. */
#define NPROC_THREADS_PER_PROCESS 64
void nproc_on_fork(struct sl_ctx *c, struct sl_action *a, void *arg);

/* mmap, mprotect, pkey_mprotect, brk, mremap, shmget: ENOMEM over
 * max_memory. */
void memlimit_on_alloc(struct sl_ctx *c, struct sl_action *a, void *arg);
/* clone, fork: charge the new process's copy-on-write memory, ENOMEM over
 * max_memory. */
void memlimit_on_fork(struct sl_ctx *c, struct sl_action *a, void *arg);
/* Periodic: re-reads every process; over max, kills the largest (memory
 * that grew without a syscall).  Returns the pid killed, or 0. */
#define MEMLIMIT_CHECK_MS 100
pid_t memlimit_check(struct sl_procs *ps, uint64_t max, pid_t unstarted);

#endif
