/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privdrop.h - no privilege inside the sandbox, whoever starts it.
 *
 * Run as root (CI jobs, containers), the command would otherwise hold
 * every capability: set the clock, make device nodes, chown anything,
 * read the kernel log, take real-time priority.  The parent reads the
 * real capability state and decides which steps apply (privdrop_plan);
 * the child applies them with raw syscalls (privdrop_apply), after its
 * other setup and before NO_NEW_PRIVS, Landlock and the seccomp filter
 * (which denies PR_SET_SECUREBITS):
 *
 *   1. securebits NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE, each
 *      with its lock, and KEEP_CAPS locked (off): uid 0 gains nothing at
 *      exec, whatever the file (needs CAP_SETPCAP);
 *   2. the bounding set emptied, 0..cap_last_cap (needs CAP_SETPCAP);
 *   3. the ambient set cleared;
 *   4. effective, permitted and inheritable emptied (capset);
 *   5. RLIMIT_RTPRIO and RLIMIT_NICE lowered to 0, soft and hard: no
 *      real-time scheduling and no raised priority (raising a hard limit
 *      back needs CAP_SYS_RESOURCE, gone by then).
 *
 * Unprivileged, steps 1 and 2 are not permitted and not needed
 * (NO_NEW_PRIVS keeps exec from granting anything), and 3 and 4 have
 * nothing to drop: the plan skips them.  A step the plan decided on that
 * fails stops the start (fail closed), reported as a step of the child.
 */
#ifndef SL_PRIVDROP_H
#define SL_PRIVDROP_H

#include <stdbool.h>

struct sl_privdrop {
	bool securebits;       /* steps 1 and 2: we hold CAP_SETPCAP */
	bool caps;	       /* steps 3 and 4: we hold some capability */
	int last_cap;	       /* step 2: the kernel's highest capability number */
	unsigned long secbits; /* step 1: what to set (locked bits kept as they are) */
};

/* Parent: reads this thread's capabilities (capget) and, with
 * CAP_SETPCAP, its securebits and /proc/sys/kernel/cap_last_cap (the
 * headers' CAP_LAST_CAP when that is unreadable).  0 or -errno with a
 * message. */
int privdrop_plan(struct sl_privdrop *pd);

/* Child, raw syscalls only: applies the plan.  0, or -errno with *step
 * set to the SL_STEP_ that failed. */
long privdrop_apply(const struct sl_privdrop *pd, int *step);

/* True when the calling thread holds any capability (a sandbox started
 * from it drops them). */
bool privdrop_caps_held(void);

#endif
