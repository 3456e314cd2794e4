/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mem.h - access to a notifying child's memory.
 *
 * process_vm_readv followed by SECCOMP_IOCTL_NOTIF_ID_VALID: the
 * notification still pending after the transfer proves the pid still
 * named the blocked notifier during it (a pid reused by another task
 * would have invalidated the id).  process_vm_writev preceded by it: a
 * check after could not take the bytes back, and the answer or the fd
 * injection that follows fails for a notification that is gone.  Short
 * transfers are errors, so a caller never decides on half of an argument.
 *
 * Whatever is read is a snapshot of memory the child (or another thread,
 * or another process sharing the pages) can change at any time: decide on
 * it only to deny or to emulate, never to let the original syscall run
 * (CONTINUE) — seccomp_unotify(2), "Caveats".
 */
#ifndef SL_MEM_H
#define SL_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_memref {
	int listener;
	uint64_t id; /* the pending notification */
	pid_t pid;   /* its thread */
};

/* The notification is still pending: its thread is alive, blocked in the
 * syscall, so its tid still names it (nothing can have reaped it). */
bool mem_pending(const struct sl_memref *m);

/* Reads exactly len bytes.  0 or -errno (EFAULT for a short read, ENOENT
 * when the notification is no longer pending). */
int mem_read(const struct sl_memref *m, uint64_t addr, void *buf, size_t len);
/* Reads the n ranges remote[] (lengths adding up to len, n at most
 * IOV_MAX) into buf, in order, with one process_vm_readv.  0 or -errno as
 * mem_read. */
struct iovec;
int mem_readv(const struct sl_memref *m, const struct iovec *remote, size_t n, void *buf,
	      size_t len);
/* Writes len bytes from buf into the ranges remote[] (lengths adding up
 * to len, n at most IOV_MAX), with one process_vm_writev.  0 or -errno as
 * mem_read. */
int mem_writev(const struct sl_memref *m, const struct iovec *remote, size_t n, const void *buf,
	       size_t len);
/* Writes exactly len bytes.  0 or -errno. */
int mem_write(const struct sl_memref *m, uint64_t addr, const void *buf, size_t len);
/* Reads a NUL-terminated string of at most max bytes including the NUL,
 * page by page (never asking for an unmapped page past the string).
 * *len excludes the NUL.  0, -ENAMETOOLONG when no NUL within max, or
 * -errno. */
int mem_read_cstr(const struct sl_memref *m, uint64_t addr, char *buf, size_t max, size_t *len);

#endif
