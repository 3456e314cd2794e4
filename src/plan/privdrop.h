/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privdrop.h - no privilege inside the sandbox, whoever starts it.
 *
 * Run as root (CI jobs, containers), the command would otherwise hold
 * every capability: set the clock, make device nodes, chown anything,
 * read the kernel log, take real-time priority.  The child applies these
 * steps with raw syscalls, after its other setup (chdir may need root's
 * capabilities) and before NO_NEW_PRIVS, Landlock and the seccomp filter
 * (which denies PR_SET_SECUREBITS), deciding on the capabilities it holds
 * itself (capget):
 *
 *   1. securebits NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE, each
 *      with its lock, and KEEP_CAPS locked (off): uid 0 gains nothing at
 *      exec, whatever the file (needs CAP_SETPCAP);
 *   2. the bounding set emptied, 0..cap_last_cap (needs CAP_SETPCAP);
 *   3. the ambient set cleared;
 *   4. effective and inheritable emptied (capset), and the permitted set
 *      too, or kept until exec (below);
 *   5. RLIMIT_RTPRIO and RLIMIT_NICE lowered to 0, soft and hard: no
 *      real-time scheduling and no raised priority (raising a hard limit
 *      back needs CAP_SYS_RESOURCE, gone by then).
 *
 * Keeping the permitted set until exec: the child may share the host's
 * address space until its exec (plan.c: no page tables copied).  A child
 * without capabilities would let any process of its uid that lacks them
 * open its /proc/PID/mem (the kernel's ptrace check wants the target's
 * permitted set within the caller's effective one), and through it reach
 * the host's memory, for as long as that fd stays open.  With the host's
 * permitted set kept, that process needs the same capabilities, with
 * which it could reach the host directly.  Exec empties the set: file
 * capabilities count only within the bounding set, which step 2 emptied;
 * NOROOT (step 1) gives uid 0 nothing; the inheritable and ambient sets
 * are empty.  So it is kept only where steps 1 and 2 are made (the host
 * holds CAP_SETPCAP, privdrop_keeps_permitted), and the effective set is
 * emptied all the same: the child's own steps need none.
 *
 * Unprivileged, steps 1 and 2 are not permitted and not needed
 * (NO_NEW_PRIVS keeps exec from granting anything), and 3 and 4 have
 * nothing to drop: they are skipped.  A step that should work and fails
 * stops the start (fail closed), reported as a step of the child.
 */
#ifndef SL_PRIVDROP_H
#define SL_PRIVDROP_H

#include <stdbool.h>

/* Child, raw syscalls only: with CAP_SETPCAP, steps 1 and 2.  1 when
 * they were made, 0 when CAP_SETPCAP is not permitted (nothing made), or
 * -errno with *step set to the SL_STEP_ that failed. */
long privdrop_bound(int *step);

/* Child, raw syscalls only: steps 3 to 5, the permitted set kept when
 * keep_permitted (only after privdrop_bound() returned 1).  0, or -errno
 * with *step set. */
long privdrop_apply(int *step, bool keep_permitted);

/* Step 1's bits for securebits old: ours set and locked, a bit the host
 * locked kept as it is.  (Pure: unit-tested.) */
unsigned long privdrop_secbits(unsigned long old);

/* True when the calling thread holds any capability (a sandbox started
 * from it drops them). */
bool privdrop_caps_held(void);

/* True when a child of the calling thread can keep its permitted set
 * until exec (CAP_SETPCAP permitted: steps 1 and 2 will be made). */
bool privdrop_keeps_permitted(void);

#endif
