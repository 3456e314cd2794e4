/* SPDX-License-Identifier: Apache-2.0 */
/* caps.c - the calling thread's capability sets (see caps.h). */
#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

int sl_caps_get(struct sl_caps *c)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	c->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	c->perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	c->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

int sl_caps_set(const struct sl_caps *c)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {
	    {(uint32_t)c->eff, (uint32_t)c->perm, (uint32_t)c->inh},
	    {(uint32_t)(c->eff >> 32), (uint32_t)(c->perm >> 32), (uint32_t)(c->inh >> 32)},
	};
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

bool sl_caps_effective(int cap)
{
	struct sl_caps c;
	return sl_caps_get(&c) == 0 && (c.eff & SL_CAP_BIT(cap));
}
