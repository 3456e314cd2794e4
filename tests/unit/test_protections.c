/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of what a kernel's Landlock ABI leaves out of a policy
 * (landlock_require_abi): strict by default, naming what is missing;
 * degradable protections skipped only where missing; disabled ones always.
 */
#include <errno.h>

#include "error.h"
#include "harness.h"
#include "landlock.h"
#include "protection.h"
#include "sandlock.h"

#define BIT(p) (1u << SANDLOCK_PROTECTION_##p)

TEST(protections_strict_by_default)
{
	uint32_t skip = 99;
	CHECK_EQ(landlock_require_abi(7, 0, 0, &skip), 7);
	CHECK_EQ(skip, 0);
	CHECK_EQ(landlock_require_abi(6, 0, 0, &skip), 6);
	CHECK_EQ(landlock_require_abi(3, 0, 0, &skip), -ENOTSUP);
	CHECK_CONTAINS(sl_error_get(), "landlock ABI v3 cannot enforce net-tcp (v4), fs-ioctl-dev "
				       "(v5), signal-scope (v6), abstract-unix-socket-scope (v6)");
	CHECK_EQ(landlock_require_abi(1, 0, 0, &skip), -ENOTSUP);
	CHECK_CONTAINS(sl_error_get(), "fs-refer (v2), fs-truncate (v3)");
	CHECK_EQ(landlock_require_abi(-ENOSYS, 0, 0, &skip), -ENOSYS);
	CHECK_CONTAINS(sl_error_get(), "landlock unavailable");
}

TEST(protections_degraded_only_where_missing)
{
	uint32_t skip = 0, all = (1u << SL_N_PROTECTIONS) - 1;
	CHECK_EQ(landlock_require_abi(7, all, 0, &skip), 7);
	CHECK_EQ(skip, 0);
	uint32_t late =
	    BIT(NET_TCP) | BIT(FS_IOCTL_DEV) | BIT(SIGNAL_SCOPE) | BIT(ABSTRACT_UNIX_SOCKET_SCOPE);
	CHECK_EQ(landlock_require_abi(3, late, 0, &skip), 3);
	CHECK_EQ(skip, late);
	/* one missing protection not degradable is enough to refuse */
	CHECK_EQ(landlock_require_abi(3, late & ~BIT(SIGNAL_SCOPE), 0, &skip), -ENOTSUP);
	CHECK_CONTAINS(sl_error_get(), "cannot enforce signal-scope (v6)");
}

TEST(protections_disabled_always_skipped)
{
	uint32_t skip = 0;
	CHECK_EQ(landlock_require_abi(7, 0, BIT(FS_TRUNCATE), &skip), 7);
	CHECK_EQ(skip, BIT(FS_TRUNCATE));
	/* disabling a protection the kernel lacks also lets it run */
	CHECK_EQ(landlock_require_abi(5, BIT(SIGNAL_SCOPE), BIT(ABSTRACT_UNIX_SOCKET_SCOPE), &skip),
		 5);
	CHECK_EQ(skip, BIT(SIGNAL_SCOPE) | BIT(ABSTRACT_UNIX_SOCKET_SCOPE));
}

TEST(protections_names_and_abis)
{
	CHECK_STR(protection_name(SANDLOCK_PROTECTION_FS_REFER), "fs-refer");
	CHECK_STR(protection_name(SANDLOCK_PROTECTION_ABSTRACT_UNIX_SOCKET_SCOPE),
		  "abstract-unix-socket-scope");
	CHECK(protection_name(SL_N_PROTECTIONS) == NULL);
	CHECK_EQ(protection_abi(SANDLOCK_PROTECTION_FS_IOCTL_DEV), 5);
	CHECK_EQ(protection_abi(SL_N_PROTECTIONS), 0);
}
