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
 *   4. effective, permitted and inheritable emptied (capset);
 *   5. RLIMIT_RTPRIO and RLIMIT_NICE lowered to 0, soft and hard: no
 *      real-time scheduling and no raised priority (raising a hard limit
 *      back needs CAP_SYS_RESOURCE, gone by then).
 *
 * Unprivileged, steps 1 and 2 are not permitted and not needed
 * (NO_NEW_PRIVS keeps exec from granting anything), and 3 and 4 have
 * nothing to drop: they are skipped.  A step that should work and fails
 * stops the start (fail closed), reported as a step of the child.
 */
#ifndef SL_PRIVDROP_H
#define SL_PRIVDROP_H

#include <stdbool.h>

/* Child, raw syscalls only: with CAP_SETPCAP, steps 1 and 2.  0, or
 * -errno with *step set to the SL_STEP_ that failed. */
long privdrop_bound(int *step);

/* Child, raw syscalls only: steps 3 to 5.  0, or -errno with *step set. */
long privdrop_apply(int *step);

/* Step 1's bits for securebits old: ours set and locked, a bit the host
 * locked kept as it is.  (Pure: unit-tested.) */
unsigned long privdrop_secbits(unsigned long old);

/* True when the calling thread holds any capability (a sandbox started
 * from it drops them). */
bool privdrop_caps_held(void);

#endif
