/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protection.h - the Landlock protections a policy may let degrade or
 * disable (enum sandlock_protection): their names, as the CLI spells
 * them, and the Landlock ABI that brings each.
 */
#ifndef SL_PROTECTION_H
#define SL_PROTECTION_H

#include <stdint.h>

#define SL_N_PROTECTIONS 6

/* "net-tcp"..., NULL when unknown. */
const char *protection_name(uint32_t protection);
/* The ABI, 0 when unknown. */
uint32_t protection_abi(uint32_t protection);

#endif
