/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscalls.h - the syscall name table and the fixed syscall
 * groups: the default deny list, the sysv_ipc group, and where the
 * signal-sending calls carry their signal.
 */
#ifndef SL_SYSCALLS_H
#define SL_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "sysnr.h"

/* The longest syscall name the table holds, with its NUL (checked when
 * the table is generated). */
#define SL_SYSNAME_MAX 32

/* One row of the name table: the name in the row, not a pointer to it, so
 * that the table needs no relocation (a page of relocated data is
 * written by the loader at every start: a page fault each). */
struct sl_sysent {
	char name[SL_SYSNAME_MAX];
	int nr;
};

/* The name table, generated at build time (tools/gen_syscalls.sh, into
 * build/gen/syscall_table.c): every syscall of the native ABI, sorted by
 * name (strcmp), one row per name. */
extern const struct sl_sysent syscalls_table[];
extern const size_t syscalls_table_n;

/* Number of a syscall name on this architecture, or -1. */
int syscalls_nr(const char *name);
/* Name of a syscall number on this architecture, or NULL (unassigned). */
const char *syscalls_name(int nr);
/* The highest syscall number the table knows on this architecture. */
int syscalls_max(void);
/* The name table and its size. */
const struct sl_sysent *syscalls_all(size_t *n);

/* The default deny list (always applied, EPERM). */
const int *syscalls_default_deny(size_t *n);
/* The sysv_ipc group (denied unless extra_allow_syscalls has "sysv_ipc"). */
const int *syscalls_sysv_ipc(size_t *n);
/* True for group names extra_allow_syscalls accepts. */
bool syscalls_group_known(const char *name);

#define SL_GROUP_SYSV_IPC "sysv_ipc"

/* The calls that send a signal to another process or thread, with the
 * argument that holds the signal number. */
struct sl_sig_sender {
	int nr;
	unsigned int sig_arg;
};
const struct sl_sig_sender *syscalls_signal_senders(size_t *n);
/* The signal argument of nr, or -1 when nr sends none. */
int syscalls_signal_arg(int nr);

#endif
