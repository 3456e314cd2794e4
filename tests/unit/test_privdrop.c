/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the parent side of the privilege drop (src/privdrop.c). */
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "privdrop.h"

static int proc_last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int v = CAP_LAST_CAP;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = CAP_LAST_CAP;
		fclose(f);
	}
	return v;
}

/* The plan follows this thread's capabilities: everything with
 * CAP_SETPCAP, only the capability sets without it, nothing without any. */
TEST(privdrop_plan_follows_caps)
{
	struct sl_privdrop pd;
	CHECK_EQ(privdrop_plan(&pd), 0);
	CHECK_EQ(pd.caps, privdrop_caps_held());
	if (!privdrop_caps_held()) {
		CHECK(!pd.securebits);
		return;
	}
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	CHECK(syscall(SYS_capget, &h, d) == 0);
	CHECK_EQ(pd.securebits, !!(d[0].effective & CAP_TO_MASK(CAP_SETPCAP)));
	if (pd.securebits) {
		CHECK_EQ(pd.last_cap, proc_last_cap());
		unsigned long want = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
				     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
				     SECBIT_NO_CAP_AMBIENT_RAISE |
				     SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
		CHECK_EQ(pd.secbits & want, want);
		CHECK_EQ(pd.secbits & SECBIT_KEEP_CAPS, 0);
	}
	/* without CAP_SETPCAP (this test runs in its own process) */
	d[0].effective &= ~CAP_TO_MASK(CAP_SETPCAP);
	CHECK(syscall(SYS_capset, &h, d) == 0);
	CHECK_EQ(privdrop_plan(&pd), 0);
	CHECK(pd.caps && !pd.securebits);
	/* with none at all */
	d[0].effective = d[0].permitted = d[0].inheritable = 0;
	d[1].effective = d[1].permitted = d[1].inheritable = 0;
	CHECK(syscall(SYS_capset, &h, d) == 0);
	CHECK_EQ(privdrop_plan(&pd), 0);
	CHECK(!pd.caps && !pd.securebits);
	CHECK(!privdrop_caps_held());
}

/* A securebit the host locked keeps its value: the kernel would refuse
 * to change it, and the start would fail. */
TEST(privdrop_plan_keeps_locked_bits)
{
	struct sl_privdrop pd;
	CHECK_EQ(privdrop_plan(&pd), 0);
	if (!pd.securebits)
		SKIP("needs CAP_SETPCAP");
	/* lock NOROOT off in this (forked) test process */
	CHECK(prctl(PR_SET_SECUREBITS, SECBIT_NOROOT_LOCKED, 0, 0, 0) == 0);
	CHECK_EQ(privdrop_plan(&pd), 0);
	CHECK_EQ(pd.secbits & SECBIT_NOROOT, 0);
	CHECK(pd.secbits & SECBIT_NO_SETUID_FIXUP_LOCKED);
	CHECK(prctl(PR_SET_SECUREBITS, pd.secbits, 0, 0, 0) == 0);
}
