/* SPDX-License-Identifier: Apache-2.0 */
/* mem.c - child memory access bracketed by NOTIF_ID_VALID (see mem.h). */
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "seccomp_uapi.h"

static int mem_id_valid(int listener, uint64_t id)
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

int mem_write(int listener, uint64_t id, pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	if (addr > (uint64_t)INT64_MAX - len)
		return -EFAULT;
	int fd = mem_open(listener, id, pid, O_WRONLY);
	if (fd < 0)
		return fd;
	size_t done = 0;
	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done, (off_t)(addr + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	close(fd);
	return done == len ? 0 : -EFAULT;
}
