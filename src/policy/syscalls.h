/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscalls.h - the known-name table and the fixed syscall
 * groups: the default deny list, the sysv_ipc group, and where the
 * signal-sending calls carry their signal.
 */
#ifndef SL_SYSCALLS_H
#define SL_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>

/* Numbers the oldest supported headers (Linux 6.1) may lack: the same on
 * x86_64 and aarch64 (the generic table from 424 on). */
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_quotactl_fd
#define __NR_quotactl_fd 443
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_kexec_file_load
#if defined(__x86_64__)
#define __NR_kexec_file_load 320
#else
#define __NR_kexec_file_load 294
#endif
#endif

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
