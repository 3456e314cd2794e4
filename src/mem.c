/* SPDX-License-Identifier: Apache-2.0 */
/* mem.c - child memory access bracketed by NOTIF_ID_VALID (see mem.h). */
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "seccomp_uapi.h"

int mem_id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 ? 0 : -ENOENT;
}

static int mem_open(int listener, uint64_t id, pid_t pid, int flags)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (mem_id_valid(listener, id) < 0) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

static int mem_xfer(int listener, uint64_t id, pid_t pid, uint64_t addr, void *buf, size_t len,
		    int write_access)
{
	if (addr > (uint64_t)INT64_MAX - len)
		return -EFAULT;
	int fd = mem_open(listener, id, pid, write_access ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return fd;
	size_t done = 0;
	while (done < len) {
		ssize_t r = write_access
				? pwrite(fd, (char *)buf + done, len - done, (off_t)(addr + done))
				: pread(fd, (char *)buf + done, len - done, (off_t)(addr + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	close(fd);
	return done == len ? 0 : -EFAULT;
}

int mem_read(int listener, uint64_t id, pid_t pid, uint64_t addr, void *buf, size_t len)
{
	int r = mem_xfer(listener, id, pid, addr, buf, len, 0);
	/* the read may have raced with the task's death: re-check */
	if (r == 0 && mem_id_valid(listener, id) < 0)
		return -ENOENT;
	return r;
}

int mem_write(int listener, uint64_t id, pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	return mem_xfer(listener, id, pid, addr, (void *)buf, len, 1);
}
