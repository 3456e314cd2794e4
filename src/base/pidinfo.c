/* SPDX-License-Identifier: Apache-2.0 */
/* pidinfo.c - unforgeable process facts (see pidinfo.h). */
#include "pidinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PIDFD_GET_INFO /* Linux 6.13 */
struct pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define PIDFD_GET_INFO _IOWR(0xFF, 11, struct pidfd_info)
#endif
#ifndef PIDFD_INFO_PID
#define PIDFD_INFO_PID (1UL << 0)
#endif
#ifndef PIDFD_INFO_EXIT /* Linux 6.15 */
#define PIDFD_INFO_EXIT (1UL << 3)
#endif

int pidinfo_pidfd_open(pid_t pid, unsigned int flags)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, flags);
	return fd < 0 ? -errno : fd;
}

bool pidinfo_exited(int pidfd)
{
	struct pollfd p = {pidfd, POLLIN, 0};
	return poll(&p, 1, 0) != 0; /* readable, or an error: not ours any more */
}

int pidinfo_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0U) < 0 ? -errno : 0;
}

bool pidinfo_reaped(int pidfd)
{
	return pidinfo_signal(pidfd, 0) == -ESRCH;
}

int pidinfo_open_dir(pid_t pid, int pidfd)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* not reaped after the open (alive, or a zombie: both still hold
	 * the pid and take signal 0): the number named our process when we
	 * opened it, and the directory stays bound to that process */
	if (pidinfo_signal(pidfd, 0) < 0) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* PIDFD_GET_INFO: 0, or -errno (ENOTTY/EINVAL before Linux 6.13, ESRCH
 * once the process is gone). */
static int get_info(int pidfd, struct pidfd_info *info)
{
	*info = (struct pidfd_info){.mask = PIDFD_INFO_PID};
	return ioctl(pidfd, PIDFD_GET_INFO, info) < 0 ? -errno : 0;
}

int pidinfo_read_at(int dirfd, const char *name, int *fd, char *buf, size_t size)
{
	if (*fd < 0 && (dirfd < 0 || (*fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) < 0))
		return dirfd < 0 ? -ESRCH : -errno;
	/* a read at offset 0 makes the kernel print the file afresh */
	ssize_t n = pread(*fd, buf, size - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

int pidinfo_read(int dirfd, const char *name, char *buf, size_t size)
{
	int fd = -1;
	int r = pidinfo_read_at(dirfd, name, &fd, buf, size);
	if (fd >= 0)
		close(fd);
	return r;
}

/* What follows key at the start of a line of buf, or NULL. */
static const char *line_value(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = buf; line && *line;) {
		if (strncmp(line, key, klen) == 0)
			return line + klen;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

static int parse_field(const char *buf, const char *key, const char *unit, long *out)
{
	const char *p = line_value(buf, key);
	if (!p)
		return -ENOENT;
	size_t ulen = strlen(unit);
	char *end;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (end == p || errno || strncmp(end, unit, ulen) != 0)
		return -EIO;
	end += ulen;
	if (*end && *end != '\n')
		return -EIO;
	*out = v;
	return 0;
}

/* An unsigned field "key<value>\n" in base, at a line's start. */
static int parse_ufield(const char *buf, const char *key, int base, unsigned long long *out)
{
	const char *p = line_value(buf, key);
	if (!p)
		return -ENOENT;
	while (*p == '\t' || *p == ' ')
		p++;
	char *end;
	errno = 0;
	unsigned long long v = *p == '-' ? 0 : strtoull(p, &end, base);
	if (*p == '-' || end == p || errno || (*end && *end != '\n'))
		return -EIO;
	*out = v;
	return 0;
}

int pidinfo_parse_fdinfo(const char *buf, struct sl_fdinfo *out)
{
	unsigned long long flags, mnt, ino;
	int r = parse_ufield(buf, "flags:", 8, &flags);
	if (r == 0)
		r = parse_ufield(buf, "mnt_id:", 10, &mnt);
	if (r == 0)
		r = parse_ufield(buf, "ino:", 10, &ino);
	if (r == 0 && flags > UINT_MAX)
		r = -EIO;
	if (r == 0)
		*out = (struct sl_fdinfo){.flags = (unsigned int)flags, .mnt_id = mnt, .ino = ino};
	return r;
}

int pidinfo_parse_status(const char *buf, const char *key, long *out)
{
	return parse_field(buf, key, "", out);
}

int pidinfo_parse_status_kb(const char *buf, const char *key, long *out)
{
	return parse_field(buf, key, " kB", out);
}

/* A status field of the process whose /proc directory is dirfd (or of
 * pid, opened and proven against pidfd here). */
static int status_field(int pidfd, int dirfd, pid_t pid, const char *key, long *out)
{
	int own = -1;
	if (dirfd < 0 && pidfd < 0)
		return -EBADF;
	if (dirfd < 0 && (dirfd = own = pidinfo_open_dir(pid, pidfd)) < 0)
		return dirfd;
	char buf[2048];
	int r = pidinfo_read(dirfd, "status", buf, sizeof(buf));
	if (own >= 0)
		close(own);
	return r < 0 ? r : pidinfo_parse_status(buf, key, out);
}

enum which { PPID, TGID };

/* The parent or the thread group: from PIDFD_GET_INFO, else (before
 * Linux 6.13, or without a pidfd) from status. */
static int pid_fact(int pidfd, int dirfd, pid_t pid, enum which w, pid_t *out)
{
	struct pidfd_info info;
	int r = pidfd >= 0 ? get_info(pidfd, &info) : -ENOTTY;
	if (r == 0) {
		*out = (pid_t)(w == PPID ? info.ppid : info.tgid);
		return 0;
	}
	if (r != -ENOTTY && r != -EINVAL)
		return r;
	long v;
	r = status_field(pidfd, dirfd, pid, w == PPID ? "PPid:" : "Tgid:", &v);
	if (r == 0)
		*out = (pid_t)v;
	return r;
}

int pidinfo_ppid(int pidfd, int dirfd, pid_t pid, pid_t *ppid)
{
	return pid_fact(pidfd, dirfd, pid, PPID, ppid);
}

int pidinfo_tgid(int pidfd, int dirfd, pid_t pid, pid_t *tgid)
{
	return pid_fact(pidfd, dirfd, pid, TGID, tgid);
}

int pidinfo_exit_status(int pidfd, int *status)
{
	struct pidfd_info info = {.mask = PIDFD_INFO_EXIT};
	if (ioctl(pidfd, PIDFD_GET_INFO, &info) < 0)
		return -errno;
	if (!(info.mask & PIDFD_INFO_EXIT))
		return -ENODATA;
	*status = info.exit_code;
	return 0;
}

int pidinfo_parse_stat(const char *buf, struct sl_pstat *st)
{
	/* the name is in parentheses and may hold anything but a NUL */
	const char *s = strrchr(buf, ')');
	if (!s)
		return -EIO;
	/* f[k] is field k (1-based, man proc): 4 ppid, 5 pgrp, 6 session,
	 * 7 tty_nr, 8 tpgid, 9 flags, 10-13 faults, 14 utime, 15 stime,
	 * 16 cutime, 17 cstime */
	long long f[18] = {0};
	char state;
	int n = sscanf(s + 1,
		       " %c %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld",
		       &state, &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11], &f[12],
		       &f[13], &f[14], &f[15], &f[16], &f[17]);
	if (n != 15)
		return -EIO;
	*st = (struct sl_pstat){.state = state,
				.ppid = (pid_t)f[4],
				.pgrp = (pid_t)f[5],
				.session = (pid_t)f[6],
				.flags = (unsigned long)f[9],
				.utime = (uint64_t)f[14],
				.stime = (uint64_t)f[15],
				.cutime = (uint64_t)f[16],
				.cstime = (uint64_t)f[17]};
	return 0;
}

int pidinfo_stat(int dirfd, struct sl_pstat *st)
{
	char buf[1024];
	int r = pidinfo_read(dirfd, "stat", buf, sizeof(buf));
	return r < 0 ? r : pidinfo_parse_stat(buf, st);
}

int pidinfo_stat_at(int dirfd, int *fd, struct sl_pstat *st)
{
	char buf[1024];
	int r = pidinfo_read_at(dirfd, "stat", fd, buf, sizeof(buf));
	return r < 0 ? r : pidinfo_parse_stat(buf, st);
}

/* A maps line's pathname field must be exactly "[heap]": a file mapping's
 * path starts with '/', and a named anonymous mapping shows as
 * "[anon:...]", so neither can pass for it, whatever it is called. */
static bool heap_line(const char *line, size_t len, uint64_t *end)
{
	char one[512];
	if (len >= sizeof(one))
		return false;
	memcpy(one, line, len);
	one[len] = 0;
	unsigned long long lo, hi;
	int path = -1;
	if (sscanf(one, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi, &path) < 2 || path < 0)
		return false;
	if (strcmp(one + path, "[heap]") != 0)
		return false;
	*end = hi;
	return true;
}

int pidinfo_parse_heap(const char *maps, uint64_t *end)
{
	for (const char *line = maps; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (heap_line(line, len, end))
			return 0;
		if (!nl)
			break;
		line = nl + 1;
	}
	return -ENOENT;
}

/* The line of buf starting with key (at the start of a line), or NULL. */
static const char *line_of(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = buf; line && *line;) {
		if (strncmp(line, key, klen) == 0)
			return line + klen;
		if ((line = strchr(line, '\n')))
			line++;
	}
	return NULL;
}

/* Up to max unsigned ids separated by tabs or spaces, up to the end of
 * the line; how many in *n.  0 or -EIO (-E2BIG past max). */
static int parse_ids(const char *p, uint32_t *out, uint32_t max, uint32_t *n)
{
	*n = 0;
	for (;;) {
		while (*p == '\t' || *p == ' ')
			p++;
		if (!*p || *p == '\n')
			return 0;
		if (*n == max)
			return -E2BIG;
		if (*p < '0' || *p > '9')
			return -EIO;
		char *end;
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		if (errno || v > UINT32_MAX)
			return -EIO;
		out[(*n)++] = (uint32_t)v;
		p = end;
	}
}

/* Exactly four ids. */
static int parse_four(const char *p, uint32_t out[4])
{
	uint32_t n;
	return p && parse_ids(p, out, 4, &n) == 0 && n == 4 ? 0 : -EIO;
}

int pidinfo_parse_creds(const char *buf, struct sl_creds *out)
{
	const char *groups = line_of(buf, "Groups:");
	if (parse_four(line_of(buf, "Uid:"), out->uid) < 0 ||
	    parse_four(line_of(buf, "Gid:"), out->gid) < 0 || !groups)
		return -EIO;
	return parse_ids(groups, out->groups, SL_CREDS_MAX_GROUPS, &out->ngroups);
}

int pidinfo_creds(int dirfd, const char *name, struct sl_creds *out)
{
	/* a status holds about 1.5 KiB, and up to 11 bytes per group */
	size_t size = 2048 + 12 * SL_CREDS_MAX_GROUPS;
	char *buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	int r = pidinfo_read(dirfd, name, buf, size);
	if (r == 0)
		r = pidinfo_parse_creds(buf, out);
	free(buf);
	return r;
}
