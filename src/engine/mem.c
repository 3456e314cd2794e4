/* SPDX-License-Identifier: Apache-2.0 */
/* mem.c - child memory access proven by NOTIF_ID_VALID (see mem.h). */
#include "mem.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "seccomp_uapi.h"
#include "util.h"

static int id_valid(const struct sl_memref *m)
{
	uint64_t id = m->id;
	return ioctl(m->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 ? 0 : -ENOENT;
}

bool mem_pending(const struct sl_memref *m)
{
	return id_valid(m) == 0;
}

/* A write is proven before (a pid reused by another task would take the
 * bytes: nothing undoes that), not after: what the caller does next
 * proves it again (the answer, or an fd's injection, fails with ENOENT
 * for a notification that is gone), and a check after could not take
 * the bytes back.  A read only after: the notification still pending
 * then means the notifier lived throughout, so its pid named no other
 * task during the read; bytes read from a task that took a dead
 * notifier's pid are thrown away unused. */
static int transfer(const struct sl_memref *m, uint64_t addr, void *buf, size_t len, bool wr)
{
	if (len == 0)
		return 0;
	if (addr == 0 || addr > UINT64_MAX - len)
		return -EFAULT;
	int r = wr ? id_valid(m) : 0;
	if (r < 0)
		return r;
	struct iovec local = {buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = wr ? process_vm_writev(m->pid, &local, 1, &remote, 1, 0)
		       : process_vm_readv(m->pid, &local, 1, &remote, 1, 0);
	int e = errno;
	if (!wr && (r = id_valid(m)) < 0)
		return r;
	if (n < 0)
		return e == ESRCH ? -ENOENT : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

int mem_read(const struct sl_memref *m, uint64_t addr, void *buf, size_t len)
{
	return transfer(m, addr, buf, len, false);
}

/* One process_vm_readv or _writev over the ranges remote[]. */
static int transferv(const struct sl_memref *m, const struct iovec *remote, size_t n, void *buf,
		     size_t len, bool wr)
{
	if (len == 0)
		return 0;
	int r = wr ? id_valid(m) : 0; /* as transfer() */
	if (r < 0)
		return r;
	struct iovec local = {buf, len};
	ssize_t got = wr ? process_vm_writev(m->pid, &local, 1, remote, n, 0)
			 : process_vm_readv(m->pid, &local, 1, remote, n, 0);
	int e = errno;
	if (!wr && (r = id_valid(m)) < 0)
		return r;
	if (got < 0)
		return e == ESRCH ? -ENOENT : -EFAULT;
	return (size_t)got == len ? 0 : -EFAULT;
}

int mem_readv(const struct sl_memref *m, const struct iovec *remote, size_t n, void *buf,
	      size_t len)
{
	return transferv(m, remote, n, buf, len, false);
}

int mem_writev(const struct sl_memref *m, const struct iovec *remote, size_t n, const void *buf,
	       size_t len)
{
	return transferv(m, remote, n, (void *)buf, len, true);
}

int mem_write(const struct sl_memref *m, uint64_t addr, const void *buf, size_t len)
{
	return transfer(m, addr, (void *)buf, len, true);
}

int mem_read_cstr(const struct sl_memref *m, uint64_t addr, char *buf, size_t max, size_t *len)
{
	size_t got = 0;
	while (got < max) {
		/* up to the end of the current page, so a string that ends
		 * just before an unmapped page is still readable */
		uint64_t at = addr + got;
		size_t page = sl_page_size();
		size_t chunk = page - (size_t)(at % page);
		if (chunk > max - got)
			chunk = max - got;
		int r = mem_read(m, at, buf + got, chunk);
		if (r < 0)
			return r;
		char *nul = memchr(buf + got, 0, chunk);
		if (nul) {
			*len = (size_t)(nul - buf);
			return 0;
		}
		got += chunk;
	}
	return -ENAMETOOLONG;
}
