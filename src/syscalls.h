/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscalls.h - the known-name table (spec 2.4.3) and the fixed syscall
 * groups: the default deny list (2.4.2) and the sysv_ipc group.
 */
#ifndef SL_SYSCALLS_H
#define SL_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>

/* Number of a name in the known-name table for this architecture, or -1. */
int syscalls_nr(const char *name);
/* Name of a number in the table, or NULL. */
const char *syscalls_name(int nr);

/* The default deny list (always applied, EPERM). */
const int *syscalls_default_deny(size_t *n);
/* The sysv_ipc group (denied unless extra_allow_syscalls has "sysv_ipc"). */
const int *syscalls_sysv_ipc(size_t *n);
/* True for group names extra_allow_syscalls accepts. */
bool syscalls_group_known(const char *name);

#define SL_GROUP_SYSV_IPC "sysv_ipc"

#endif
