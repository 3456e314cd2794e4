/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pidinfo.h - facts about a process that it cannot forge.
 *
 * A process names itself (prctl(PR_SET_NAME), exec of a file called
 * anything): the Name: line of /proc/PID/status and the comm field of
 * /proc/PID/stat are its own text.  So every fact here comes from the
 * kernel's side of a process handle:
 *   - PIDFD_GET_INFO on a pidfd (Linux 6.13): pid, tgid, ppid of the
 *     process the pidfd pins, whatever its pid number means now;
 *   - else /proc/PID files read through a directory fd that was proven to
 *     belong to the pidfd's process (opened by number, then the pidfd seen
 *     still alive: a live process's pid cannot name anyone else), parsed
 *     strictly: a status field only at the start of a line (the kernel
 *     escapes a newline in a name as "\n"), stat fields only after the
 *     last ')' (the name is in parentheses and may hold any of them).
 */
#ifndef SL_PIDINFO_H
#define SL_PIDINFO_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef PIDFD_THREAD /* Linux 6.9 */
#define PIDFD_THREAD O_EXCL
#endif

int pidinfo_pidfd_open(pid_t pid, unsigned int flags); /* fd or -errno */

/* The process has exited (its pidfd is readable). */
bool pidinfo_exited(int pidfd);

/* The process has been reaped: its pid is free (a zombie still takes
 * signal 0). */
bool pidinfo_reaped(int pidfd);

/* Sends sig to the process of pidfd (never a bare pid: a pid may have
 * been reused).  0 or -errno. */
int pidinfo_signal(int pidfd, int sig);

/* Opens /proc/<pid> (O_PATH) for the process of pidfd: fd, or -ESRCH
 * when the process has been reaped (the number may be someone else's).
 * A zombie's directory still opens (its stat is readable). */
int pidinfo_open_dir(pid_t pid, int pidfd);

/* Reads file name under the /proc directory dirfd into buf (at most
 * size - 1 bytes, NUL-terminated).  0 or -errno. */
int pidinfo_read(int dirfd, const char *name, char *buf, size_t size);

/* Parent process (tgid) and thread group of the process of pidfd, whose
 * /proc directory is dirfd (-1: opened on demand).  pidfd may be -1 when
 * dirfd is proven otherwise.  0 or -errno. */
int pidinfo_ppid(int pidfd, int dirfd, pid_t pid, pid_t *ppid);
int pidinfo_tgid(int pidfd, int dirfd, pid_t pid, pid_t *tgid);

/* The wait status of a process that has exited and been reaped, kept on
 * its pidfd (PIDFD_INFO_EXIT, Linux 6.15).  0 or -errno (-ENODATA: not
 * known, or not reaped yet). */
int pidinfo_exit_status(int pidfd, int *status);

/* Fields of /proc/PID/stat (after the name). */
struct sl_pstat {
	char state;
	pid_t ppid, pgrp, session;
	unsigned long flags;		       /* the kernel's PF_* bits */
	uint64_t utime, stime, cutime, cstime; /* clock ticks */
};

/* PF_FORKNOEXEC (include/linux/sched.h): set by fork, cleared by exec;
 * the process cannot change it but by exec'ing. */
#define SL_PF_FORKNOEXEC 0x00000040UL

/* Reads "stat" under dirfd.  0 or -errno. */
int pidinfo_stat(int dirfd, struct sl_pstat *st);

/* Strict parsers, exposed for the unit tests. */
int pidinfo_parse_status(const char *buf, const char *key, long *out);
/* The same for a size field ("RssShmem:\t  123 kB"). */
int pidinfo_parse_status_kb(const char *buf, const char *key, long *out);
int pidinfo_parse_stat(const char *buf, struct sl_pstat *st);
/* pidinfo_read through *fd, <dirfd>/name opened on first use (-1: not
 * yet) and read again from its start each time: the periodic checks read
 * every member's files every few milliseconds.  The caller closes *fd. */
int pidinfo_read_at(int dirfd, const char *name, int *fd, char *buf, size_t size);
/* pidinfo_stat the same way. */
int pidinfo_stat_at(int dirfd, int *fd, struct sl_pstat *st);
/* The end of the [heap] mapping in the text of /proc/PID/maps (only a
 * line whose pathname is exactly "[heap]").  0 or -ENOENT. */
int pidinfo_parse_heap(const char *maps, uint64_t *end);

/* What /proc/PID/fdinfo/N tells of the open file behind fd N (the
 * kernel writes every line; "ino:" since Linux 5.14): its open flags
 * (O_PATH among them), its mount's id and its inode number, enough to
 * tell whether an fd of ours names the same object. */
struct sl_fdinfo {
	unsigned int flags;
	uint64_t mnt_id, ino;
};
/* The flags:, mnt_id: and ino: lines of fdinfo text, each at the start
 * of a line, one number on it.  0, -ENOENT (a line missing), -EIO. */
int pidinfo_parse_fdinfo(const char *buf, struct sl_fdinfo *out);

/* The credentials of a task: real, effective, saved and filesystem ids
 * (that order, as status prints them) and the supplementary groups.
 * Credentials are per thread: read them through the thread's directory
 * ("task/<tid>/status") where it matters. */
#define SL_CREDS_MAX_GROUPS 1024
struct sl_creds {
	uint32_t uid[4], gid[4];
	uint32_t ngroups;
	uint32_t groups[SL_CREDS_MAX_GROUPS];
};
/* Reads file name (a status file) under the /proc directory dirfd.  0 or
 * -errno (-E2BIG: more groups than SL_CREDS_MAX_GROUPS). */
int pidinfo_creds(int dirfd, const char *name, struct sl_creds *out);
/* The Uid:, Gid: and Groups: lines of status text, strictly: each at the
 * start of a line, exactly four ids, nothing else on the line. */
int pidinfo_parse_creds(const char *buf, struct sl_creds *out);

#endif
