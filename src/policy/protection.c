/* SPDX-License-Identifier: Apache-2.0 */
/* protection.c - names and ABIs of the Landlock protections (see protection.h). */
#include "protection.h"

#include <stddef.h>

#include "sandlock.h"

static const struct {
	const char *name;
	uint32_t abi;
} protections[SL_N_PROTECTIONS] = {
    [SANDLOCK_PROTECTION_FS_REFER] = {"fs-refer", 2},
    [SANDLOCK_PROTECTION_FS_TRUNCATE] = {"fs-truncate", 3},
    [SANDLOCK_PROTECTION_NET_TCP] = {"net-tcp", 4},
    [SANDLOCK_PROTECTION_FS_IOCTL_DEV] = {"fs-ioctl-dev", 5},
    [SANDLOCK_PROTECTION_SIGNAL_SCOPE] = {"signal-scope", 6},
    [SANDLOCK_PROTECTION_ABSTRACT_UNIX_SOCKET_SCOPE] = {"abstract-unix-socket-scope", 6},
};

const char *protection_name(uint32_t p)
{
	return p < SL_N_PROTECTIONS ? protections[p].name : NULL;
}

uint32_t protection_abi(uint32_t p)
{
	return p < SL_N_PROTECTIONS ? protections[p].abi : 0;
}
