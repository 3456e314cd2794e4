/* SPDX-License-Identifier: Apache-2.0 */
/* syscalls.c - the known-name table and syscall groups (see syscalls.h). */
#include "syscalls.h"

#include <string.h>
#include <sys/syscall.h>

#include "sandlock.h"
#include "util.h"

struct sl_sysent {
	const char *name;
	int nr;
};

/* Linux 6.15 (open_tree with mount attributes); new syscalls have one
 * number on every architecture.  Debian 12's headers predate it. */
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif

#define E(n)                                                                                       \
	{                                                                                          \
#n, __NR_##n                                                                       \
	}

/* Default deny list.  nfsservctl has no number on x86_64 or
 * aarch64 and is left out; ioperm/iopl exist only on x86. */
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
};

static const int sysv_ipc[] = {
    __NR_shmget, __NR_shmat,  __NR_shmdt,  __NR_shmctl, __NR_msgget, __NR_msgsnd,
    __NR_msgrcv, __NR_msgctl, __NR_semget, __NR_semop,	__NR_semctl, __NR_semtimedop,
};

/* The known-name table: the only names extra_deny_syscalls and
 * sandlock_syscall_nr() accept.  Legacy names exist only on x86_64. */
static const struct sl_sysent table[] = {
    E(mount),
    E(umount2),
    E(pivot_root),
    E(swapon),
    E(swapoff),
    E(reboot),
    E(sethostname),
    E(setdomainname),
    E(kexec_load),
    E(init_module),
    E(finit_module),
    E(delete_module),
    E(unshare),
    E(setns),
    E(perf_event_open),
    E(bpf),
    E(userfaultfd),
    E(keyctl),
    E(add_key),
    E(request_key),
    E(ptrace),
    E(process_vm_readv),
    E(process_vm_writev),
    E(open_by_handle_at),
    E(name_to_handle_at),
#ifdef __NR_ioperm
    E(ioperm),
#endif
#ifdef __NR_iopl
    E(iopl),
#endif
    E(quotactl),
    E(acct),
#ifdef __NR_lookup_dcookie
    E(lookup_dcookie),
#endif
    E(io_uring_setup),
    E(io_uring_enter),
    E(io_uring_register),
    E(personality),
    E(fsopen),
    E(fsconfig),
    E(fsmount),
    E(fspick),
    E(move_mount),
    E(open_tree),
    E(open_tree_attr),
    E(mount_setattr),
    E(syslog),
    E(settimeofday),
    E(clock_settime),
    E(kexec_file_load),
    E(vhangup),
    E(chroot),
    E(fanotify_init),
    E(quotactl_fd),
    /* process, memory, network, time, path syscalls */
    E(clone),
    E(clone3),
#ifdef __NR_vfork
    E(vfork),
#endif
#ifdef __NR_fork
    E(fork),
#endif
    E(mmap),
    E(munmap),
    E(brk),
    E(mremap),
    E(connect),
    E(sendto),
    E(sendmsg),
    E(sendmmsg),
    E(ioctl),
    E(socket),
    E(prctl),
    E(getrandom),
    E(openat),
#ifdef __NR_open
    E(open),
#endif
    E(getdents64),
#ifdef __NR_getdents
    E(getdents),
#endif
    E(bind),
    E(getsockname),
    E(clock_gettime),
    E(gettimeofday),
#ifdef __NR_time
    E(time),
#endif
    E(clock_nanosleep),
    E(timerfd_settime),
    E(timer_settime),
    E(adjtimex),
    E(clock_adjtime),
    E(execve),
    E(execveat),
    E(unlinkat),
    E(mkdirat),
    E(renameat2),
    E(newfstatat),
    E(statx),
    E(faccessat),
    E(symlinkat),
    E(linkat),
    E(fchmodat),
    E(fchmodat2),
    E(fchmod),
    E(mknodat),
    E(openat2),
    E(fchownat),
    E(readlinkat),
    E(truncate),
    E(utimensat),
#ifdef __NR_unlink
    E(unlink),
    E(rmdir),
    E(mkdir),
    E(rename),
    E(stat),
    E(lstat),
    E(access),
    E(symlink),
    E(link),
    E(chmod),
    E(chown),
    E(lchown),
    E(readlink),
    E(futimesat),
    E(mknod),
    E(creat),
#endif
    /* sysv_ipc */
    E(shmget),
    E(shmat),
    E(shmdt),
    E(shmctl),
    E(msgget),
    E(msgsnd),
    E(msgrcv),
    E(msgctl),
    E(semget),
    E(semop),
    E(semctl),
    E(semtimedop),
};

int syscalls_nr(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < SL_ARRAY_SIZE(table); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].nr;
	return -1;
}

const char *syscalls_name(int nr)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(table); i++)
		if (table[i].nr == nr)
			return table[i].name;
	return NULL;
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
