/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keeper.h - the process that holds the sandbox's process tree.
 *
 * Why it exists: a process of the sandbox whose parent dies is reparented
 * by the kernel to the nearest "child subreaper" ancestor, else to init.
 * Without one, a child whose parent exits (or is killed) before the
 * supervisor has found it leaves the sandbox's ancestry for good: nothing
 * can find it by parentage any more, so it could setsid() and outlive the
 * run, escape the CPU throttle and the process count.  The keeper is a
 * subreaper standing between the host and the command:
 *
 *   host (supervisor) -- keeper -- command -- ...
 *
 * so every orphan of the sandbox becomes the keeper's child, where the
 * supervisor finds it (/proc/<keeper>/task/<keeper>/children, a list the
 * kernel writes), and at the end the keeper kills and reaps its whole
 * subtree by kernel parentage alone: nothing the sandbox can name itself,
 * no pid that could have been reused (a parent's unreaped child keeps its
 * pid).
 *
 * The keeper runs library code in the host's address space (clone with
 * CLONE_VM: no page tables copied, no copy-on-write of the host's memory
 * for as long as the sandbox lives) on its own stack, with raw syscalls
 * only (rawsys.h), all signals blocked.  It is outside the sandbox's
 * Landlock domain, so the sandbox cannot signal it (signal scope) nor
 * ptrace it.  It:
 *   1. arms PR_SET_PDEATHSIG (SIGTERM) on the thread that created it,
 *      becomes a child subreaper and leads a process group of its own
 *      (the host's group may get the SIGKILL no mask blocks);
 *   2. clones the command (child.c);
 *   3. closes every fd it inherited (it needs none: the host's pipes must
 *      see EOF when the sandbox's ends close);
 *   4. reaps orphans as they die (never the command: an unreaped command
 *      keeps its pid, and its status waits for the end), until SIGTERM
 *      (from the supervisor at the end of the run, or the parent-death
 *      signal) makes it kill and reap its whole subtree, record the
 *      command's status, and exit.
 */
#ifndef SL_KEEPER_H
#define SL_KEEPER_H

#include <stdint.h>
#include <sys/types.h>

/* Shared between the keeper and the host (same address space). */
struct sl_keeper {
	pid_t self;	/* the keeper's pid, written before the command is cloned */
	pid_t child;	/* the command's pid */
	int32_t code;	/* the command's waitid si_code (0: not reaped by the keeper) */
	int32_t status; /* and si_status */
	/* set (and futex-woken) by the host once it has moved us to
	 * another CPU, or decided not to: we wait for it before starting */
	uint32_t placed;
};

/* clone() entry point of the keeper; arg is the struct sl_plan. */
int keeper_main(void *arg);

#endif
