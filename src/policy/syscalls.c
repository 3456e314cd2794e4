/* SPDX-License-Identifier: Apache-2.0 */
/* syscalls.c - syscall names and groups (see syscalls.h). */
#include "syscalls.h"

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "sandlock.h"
#include "util.h"

/* Default deny list.  nfsservctl is left out: its numbers have had no
 * implementation since Linux 3.1 (ENOSYS); ioperm/iopl exist only on x86. */
static const int default_deny[] = {
    __NR_mount,
    __NR_umount2,
    __NR_pivot_root,
    __NR_swapon,
    __NR_swapoff,
    __NR_reboot,
    __NR_sethostname,
    __NR_setdomainname,
    __NR_kexec_load,
    __NR_init_module,
    __NR_finit_module,
    __NR_delete_module,
    __NR_unshare,
    __NR_setns,
    __NR_perf_event_open,
    __NR_bpf,
    __NR_userfaultfd,
    __NR_keyctl,
    __NR_add_key,
    __NR_request_key,
    __NR_ptrace,
    __NR_process_vm_readv,
    __NR_process_vm_writev,
    __NR_open_by_handle_at,
    __NR_name_to_handle_at,
#ifdef __NR_ioperm
    __NR_ioperm,
#endif
#ifdef __NR_iopl
    __NR_iopl,
#endif
    __NR_quotactl,
    __NR_acct,
#ifdef __NR_lookup_dcookie
    __NR_lookup_dcookie,
#endif
    __NR_io_uring_setup,
    __NR_io_uring_enter,
    __NR_io_uring_register,
    __NR_personality,
    /* privileged operations the dropped capabilities already refuse
     * (privdrop.c), denied outright as well: the new mount API (Landlock
     * does not mediate it), the kernel log, the clock, kexec, the
     * terminal hang-up, chroot, fanotify (permission events can hang the
     * host's opens), quotas */
    __NR_fsopen,
    __NR_fsconfig,
    __NR_fsmount,
    __NR_fspick,
    __NR_move_mount,
    __NR_open_tree,
    __NR_open_tree_attr,
    __NR_mount_setattr,
    __NR_syslog,
    __NR_settimeofday,
    __NR_clock_settime,
    __NR_kexec_file_load,
    __NR_vhangup,
    __NR_chroot,
    __NR_fanotify_init,
    __NR_quotactl_fd,
/* the a.out-era library loader: it maps a file it opens for execute,
 * so in a copy-on-write workdir (read and execute granted on the
 * host's tree under the layer) it could map a file the layer
 * removed; no program has used it since glibc 2.x dropped libc5 */
#ifdef __NR_uselib
    __NR_uselib,
#endif
};

static const int sysv_ipc[] = {
    __NR_shmget, __NR_shmat,  __NR_shmdt,  __NR_shmctl, __NR_msgget, __NR_msgsnd,
    __NR_msgrcv, __NR_msgctl, __NR_semget, __NR_semop,	__NR_semctl, __NR_semtimedop,
};

static int by_name(const void *key, const void *ent)
{
	return strcmp(key, ((const struct sl_sysent *)ent)->name);
}

int syscalls_nr(const char *name)
{
	if (!name)
		return -1;
	const struct sl_sysent *e =
	    bsearch(name, syscalls_table, syscalls_table_n, sizeof(syscalls_table[0]), by_name);
	return e ? e->nr : -1;
}

/* A linear search: only tests and messages ask by number. */
const char *syscalls_name(int nr)
{
	for (size_t i = 0; i < syscalls_table_n; i++)
		if (syscalls_table[i].nr == nr)
			return syscalls_table[i].name;
	return NULL;
}

const struct sl_sysent *syscalls_all(size_t *n)
{
	*n = syscalls_table_n;
	return syscalls_table;
}

int syscalls_max(void)
{
	size_t n;
	const struct sl_sysent *all = syscalls_all(&n);
	int max = -1;
	for (size_t i = 0; i < n; i++)
		if (all[i].nr > max)
			max = all[i].nr;
	return max;
}

const int *syscalls_default_deny(size_t *n)
{
	*n = SL_ARRAY_SIZE(default_deny);
	return default_deny;
}

const int *syscalls_sysv_ipc(size_t *n)
{
	*n = SL_ARRAY_SIZE(sysv_ipc);
	return sysv_ipc;
}

bool syscalls_group_known(const char *name)
{
	return name && strcmp(name, SL_GROUP_SYSV_IPC) == 0;
}

SL_API int64_t sandlock_syscall_nr(const char *name)
{
	if (!name || !sl_utf8_valid(name, strlen(name)))
		return -1;
	return syscalls_nr(name);
}

static const struct sl_sig_sender sig_senders[] = {
    {__NR_kill, 1},
    {__NR_tkill, 1},
    {__NR_tgkill, 2},
    {__NR_rt_sigqueueinfo, 1},
    {__NR_rt_tgsigqueueinfo, 2},
    {__NR_pidfd_send_signal, 1},
};

const struct sl_sig_sender *syscalls_signal_senders(size_t *n)
{
	*n = sizeof(sig_senders) / sizeof(sig_senders[0]);
	return sig_senders;
}

int syscalls_signal_arg(int nr)
{
	for (size_t i = 0; i < sizeof(sig_senders) / sizeof(sig_senders[0]); i++)
		if (sig_senders[i].nr == nr)
			return (int)sig_senders[i].sig_arg;
	return -1;
}
