/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privdrop.c - no privilege inside the sandbox (see privdrop.h).
 *
 * privdrop_bound() and privdrop_apply() run in the child between clone
 * and exec: raw syscalls only (rawsys.h), no errno, no allocation.
 */
#include "privdrop.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "error.h"
#include "plan.h"
#include "rawsys.h"

#define CAP_WORDS 2 /* _LINUX_CAPABILITY_U32S_3 */

/* Step 1's bits: set and locked.  KEEP_CAPS is locked as it is (off, as
 * execve leaves it). */
#define PRIVDROP_SECBITS                                                                           \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |                           \
	 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |   \
	 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

/* ---- parent ---------------------------------------------------------------- */

unsigned long privdrop_secbits(unsigned long old)
{
	/* A locked bit keeps its value (the kernel refuses to change it);
	 * each lock is the bit above the one it locks. */
	unsigned long locked = (old & 0xaaaaaaaaUL) >> 1;
	return ((old | PRIVDROP_SECBITS) & ~locked) | (old & locked);
}

bool privdrop_caps_held(void)
{
	struct sl_caps c;
	return sl_caps_get(&c) == 0 && (c.eff | c.perm | c.inh) != 0;
}

bool privdrop_keeps_permitted(void)
{
	struct sl_caps c;
	return sl_caps_get(&c) == 0 && (c.perm & (1ULL << CAP_SETPCAP));
}

/* ---- child: raw syscalls only ------------------------------------------------ */

static long lower_to_zero(int res)
{
	struct rlimit rl = {0, 0};
	return sl_sys4(SYS_prlimit64, 0, res, &rl, NULL);
}

/* Steps 3 and 4: with keep, the permitted set stays as it is until
 * exec empties it (privdrop.h).  Dropping is always permitted. */
static long drop_caps(int *step, bool keep)
{
	long r = sl_sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (r < 0) {
		*step = SL_STEP_CAP_AMBIENT;
		return r;
	}
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[CAP_WORDS] = {{0, 0, 0}, {0, 0, 0}};
	if (keep && (r = sl_sys2(SYS_capget, &h, d)) < 0) {
		*step = SL_STEP_CAPSET;
		return r;
	}
	for (int i = 0; i < CAP_WORDS; i++)
		d[i].effective = d[i].inheritable = 0;
	r = sl_sys2(SYS_capset, &h, d);
	if (r < 0)
		*step = SL_STEP_CAPSET;
	return r;
}

/* Whether this thread holds a capability.  A failing capget counts as
 * "yes": drop anyway. */
static bool caps_left(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[CAP_WORDS] = {{0, 0, 0}, {0, 0, 0}};
	if (sl_sys2(SYS_capget, &h, d) < 0)
		return true;
	for (int i = 0; i < CAP_WORDS; i++)
		if (d[i].effective | d[i].permitted | d[i].inheritable)
			return true;
	return false;
}

/* Removes cap from the bounding set if it is there.  0 or -errno (EINVAL:
 * no such capability). */
static long drop_bound(int cap)
{
	long r = sl_sys2(SYS_prctl, PR_CAPBSET_READ, cap);
	if (r == 1)
		r = sl_sys5(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0);
	return r < 0 ? r : 0;
}

/* Makes CAP_SETPCAP effective when it is permitted (a process may hold it
 * permitted only: the drop needs it effective).  1 when it is, 0 when it
 * is not permitted (nothing can be dropped, nor gained: NO_NEW_PRIVS and
 * an empty permitted set), or -errno: a capget that fails must not pass
 * for "not permitted". */
static long raise_setpcap(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[CAP_WORDS] = {{0, 0, 0}, {0, 0, 0}};
	uint32_t bit = CAP_TO_MASK(CAP_SETPCAP); /* 0..31: word 0 */
	long r = sl_sys2(SYS_capget, &h, d);
	if (r < 0)
		return r;
	if (!(d[0].permitted & bit))
		return 0;
	if (d[0].effective & bit)
		return 1;
	d[0].effective |= bit;
	r = sl_sys2(SYS_capset, &h, d);
	return r < 0 ? r : 1;
}

long privdrop_bound(int *step)
{
	long r = raise_setpcap();
	if (r <= 0) {
		*step = SL_STEP_CAPBSET;
		return r;
	}
	long bits = sl_sys5(SYS_prctl, PR_GET_SECUREBITS, 0, 0, 0, 0);
	r = bits < 0 ? bits
		     : sl_sys5(SYS_prctl, PR_SET_SECUREBITS, privdrop_secbits((unsigned long)bits),
			       0, 0, 0);
	if (r < 0) {
		*step = SL_STEP_SECUREBITS;
		return r;
	}
	/* Each drop commits new credentials (about 1.5 us): drop only what
	 * the set holds (a container's root holds few), up to the first
	 * number the kernel does not know. */
	for (int cap = 0; cap < 64; cap++) {
		r = drop_bound(cap);
		if (r == -EINVAL && cap >= 32) /* every kernel knows 0..37 */
			break;
		if (r < 0) {
			*step = SL_STEP_CAPBSET;
			return r;
		}
	}
	return 1;
}

long privdrop_apply(int *step, bool keep_permitted)
{
	long r;
	if (caps_left() && (r = drop_caps(step, keep_permitted)) < 0)
		return r;
	if ((r = lower_to_zero(RLIMIT_RTPRIO)) < 0) {
		*step = SL_STEP_RLIMIT_RTPRIO;
		return r;
	}
	if ((r = lower_to_zero(RLIMIT_NICE)) < 0) {
		*step = SL_STEP_RLIMIT_NICE;
		return r;
	}
	return 0;
}
