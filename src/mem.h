/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mem.h - access to a notifying child's memory.
 *
 * Each access opens /proc/<pid>/mem, then checks with
 * SECCOMP_IOCTL_NOTIF_ID_VALID that the notification is still pending:
 * the open fd pins that process's address space, so a pid reused after
 * the check cannot receive the access.  Short transfers are errors.
 */
#ifndef SL_MEM_H
#define SL_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes exactly len bytes, or -errno (EFAULT for a short transfer). */
int mem_write(int listener, uint64_t id, pid_t pid, uint64_t addr, const void *buf, size_t len);

#endif
