/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the privilege drop (src/plan/privdrop.c); each test runs in its
 * own forked process, so dropping is for real. */
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "privdrop.h"

#define OURS                                                                                       \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |                           \
	 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |   \
	 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

/* Ours set and locked; a bit the host locked keeps its value (the kernel
 * would refuse to change it, and the start would fail). */
TEST(privdrop_secbits_keep_locked_bits)
{
	CHECK_EQ(privdrop_secbits(0), OURS);
	CHECK_EQ(privdrop_secbits(SECBIT_KEEP_CAPS) & SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS);
	unsigned long locked_off = SECBIT_NOROOT_LOCKED;
	unsigned long b = privdrop_secbits(locked_off);
	CHECK_EQ(b & SECBIT_NOROOT, 0);
	CHECK(b & SECBIT_NO_SETUID_FIXUP_LOCKED);
	unsigned long locked_on = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED;
	CHECK_EQ(privdrop_secbits(locked_on) & SECBIT_NOROOT, SECBIT_NOROOT);
}

static bool any_cap(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	CHECK(syscall(SYS_capget, &h, d) == 0);
	return (d[0].effective | d[0].permitted | d[0].inheritable | d[1].effective |
		d[1].permitted | d[1].inheritable) != 0;
}

/* Whatever this process holds, afterwards it holds nothing: no
 * capability, an empty bounding set when it could be emptied, locked
 * securebits, no real-time or raised priority. */
TEST(privdrop_drops_everything_held)
{
	th_skip_under_valgrind("capget through a raw syscall");
	bool setpcap = prctl(PR_CAPBSET_READ, CAP_SETPCAP) == 1 && any_cap();
	CHECK_EQ(privdrop_caps_held(), any_cap());
	int step = 0;
	CHECK_EQ(privdrop_bound(&step), 0);
	CHECK_EQ(privdrop_apply(&step), 0);
	CHECK(!any_cap());
	CHECK(!privdrop_caps_held());
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_RTPRIO, &rl) == 0 && rl.rlim_max == 0);
	CHECK(getrlimit(RLIMIT_NICE, &rl) == 0 && rl.rlim_max == 0);
	if (!setpcap)
		return;
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		CHECK_EQ(prctl(PR_CAPBSET_READ, cap), 0);
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	CHECK_EQ(bits & OURS, OURS);
}

/* Takes CAP_SETPCAP out of the effective set, and out of the permitted
 * set too when asked.  False when it was not permitted to begin with. */
static bool drop_setpcap(bool permitted)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	CHECK(syscall(SYS_capget, &h, d) == 0);
	bool had = d[0].permitted & CAP_TO_MASK(CAP_SETPCAP);
	d[0].effective &= ~CAP_TO_MASK(CAP_SETPCAP);
	if (permitted)
		d[0].permitted &= ~CAP_TO_MASK(CAP_SETPCAP);
	CHECK(syscall(SYS_capset, &h, d) == 0);
	return had;
}

/* CAP_SETPCAP permitted but not effective (a service may run so): it is
 * raised for the drop, and the bounding set still goes. */
TEST(privdrop_setpcap_permitted_only)
{
	th_skip_under_valgrind("capget through a raw syscall");
	if (prctl(PR_CAPBSET_READ, CAP_SETPCAP) != 1 || !any_cap())
		SKIP("needs CAP_SETPCAP");
	if (!drop_setpcap(false))
		SKIP("CAP_SETPCAP is not permitted");
	int step = 0;
	CHECK_EQ(privdrop_bound(&step), 0);
	CHECK_EQ(privdrop_apply(&step), 0);
	CHECK(!any_cap());
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		CHECK_EQ(prctl(PR_CAPBSET_READ, cap), 0);
}

/* Without CAP_SETPCAP permitted the bounding set stays (it cannot be
 * dropped, and nothing can be gained through it: NO_NEW_PRIVS and an
 * empty permitted set), the capability sets still go. */
TEST(privdrop_without_setpcap)
{
	th_skip_under_valgrind("capget through a raw syscall");
	if (!any_cap())
		SKIP("needs some capability");
	drop_setpcap(true);
	int step = 0;
	CHECK_EQ(privdrop_bound(&step), 0);
	CHECK_EQ(privdrop_apply(&step), 0);
	CHECK(!any_cap());
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_SETPCAP), 1);
}
