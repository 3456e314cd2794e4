/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proclists.c - procfs lists of the whole host that name processes by
 * pid, as the sandbox sees them: its own entries only.
 *
 * Each would break the proc view's promise (no process outside is
 * listed) in one read; synthetic.c serves these live views at each open
 * instead, made from the host's list as the supervisor reads it:
 *   - /proc/locks: every file lock with its holder's pid and the file's
 *     device and inode.  Only the lines whose holder is a live process of
 *     the sandbox (an OFD lock shows -1, no holder: not listed either),
 *     numbered again from 1.  A waiter's line ("N: -> ...", a lock
 *     blocked on the one above it) follows its blocker: listed when that
 *     one is and it is a member's itself;
 *   - /proc/net/netlink: every netlink socket of the network namespace
 *     (the host's) with its port id, which the kernel makes its
 *     process's pid when it binds one without a port.  A positive port
 *     id is listed only when it is a member's pid; 0 (the kernel's own
 *     sockets) and the negative ones the kernel hands out once the pid
 *     is taken (printed unsigned, past INT32_MAX) name no process;
 *   - /proc/sysvipc/shm and msg: every System V segment and queue of the
 *     IPC namespace (the host's) with the pids of its creator and last
 *     user (shm: cpid, lpid; msg: lspid, lrpid).  A row is listed when
 *     each is 0 (none yet) or a member's.  (sem names no process.)
 * And a cgroup's pid lists (cgroupview.c opens them): cgroup.procs, a
 * pid a line, only the members'; cgroup.threads and v1's tasks, a thread
 * id a line, only those of the members' threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feature.h"
#include "pidinfo.h"
#include "procs.h"
#include "procview.h"
#include "synthetic.h"
#include "util.h"

#define LOCKS_MAX (16u << 20) /* the host's list read whole, at most */
#define LINE_MAX  512	      /* a longer line is none the kernel prints */

/* The host's list at path into b, NUL-terminated.  0 or -errno. */
static int read_list(const char *path, struct sl_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = sl_buf_read_fd(b, fd, LOCKS_MAX);
	close(fd);
	if (r == 0 && sl_buf_reserve(b, 1) < 0)
		r = -ENOMEM;
	if (r == 0)
		b->p[b->len] = 0;
	return r;
}

/* A line "N: [->] TYPE KIND MODE PID ...": its holder's pid (-1 when not
 * understood), whether it waits, and in *rest what follows "N:". */
static long holder(const char *line, bool *waiter, const char **rest)
{
	const char *colon = strchr(line, ':');
	if (!colon)
		return -1;
	*rest = colon + 1;
	const char *p = colon + 1;
	while (*p == ' ')
		p++;
	*waiter = strncmp(p, "->", 2) == 0;
	if (*waiter)
		p += 2;
	char type[16], kind[16], mode[16];
	long pid;
	if (sscanf(p, "%15s %15s %15s %ld", type, kind, mode, &pid) != 4)
		return -1;
	return pid;
}

static bool member(const pid_t *v, size_t n, long pid)
{
	for (size_t i = 0; pid > 0 && i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/* Appends "<k>:<rest>\n". */
static int put(struct sl_buf *out, unsigned long k, const char *rest)
{
	size_t len = strlen(rest) + 24;
	if (sl_buf_reserve(out, len) < 0)
		return -ENOMEM;
	int n = snprintf((char *)out->p + out->len, len, "%lu:%s\n", k, rest);
	out->len += (size_t)n;
	return 0;
}

/* The lines of text (NUL-terminated) held by members, renumbered. */
static int filter_locks(struct sl_buf *out, char *text, const pid_t *v, size_t n)
{
	unsigned long k = 0;
	bool top_kept = false;
	int r = 0;
	for (char *line = text, *next; r == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		bool waiter = false;
		const char *rest = NULL;
		long pid = strlen(line) < LINE_MAX ? holder(line, &waiter, &rest) : -1;
		bool keep = member(v, n, pid);
		if (!waiter)
			top_kept = keep;
		if (!keep || !top_kept)
			continue;
		r = put(out, waiter ? k : ++k, rest);
	}
	return r;
}

/* Appends line (without its newline) and a newline. */
static int put_line(struct sl_buf *out, const char *line)
{
	size_t len = strlen(line);
	if (sl_buf_reserve(out, len + 1) < 0)
		return -ENOMEM;
	memcpy(out->p + out->len, line, len);
	out->p[out->len + len] = '\n';
	out->len += len + 1;
	return 0;
}

/* The header, and the sockets whose port id names no process outside. */
static int filter_netlink(struct sl_buf *out, char *text, const pid_t *v, size_t n)
{
	int r = 0;
	bool header = true;
	for (char *line = text, *next; r == 0 && line && *line; line = next, header = false) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		unsigned long long sk, proto, port;
		bool row = sscanf(line, "%llx %llu %llu", &sk, &proto, &port) == 3;
		if (header || (row && (port == 0 || port > INT32_MAX || member(v, n, (long)port))))
			r = put_line(out, line);
	}
	return r;
}

/* The header, and the rows whose fields a and b (0-based) are each 0 or
 * a member's pid. */
static int filter_columns(struct sl_buf *out, char *text, const pid_t *v, size_t n, int a, int b)
{
	int r = 0;
	bool header = true;
	for (char *line = text, *next; r == 0 && line && *line; line = next, header = false) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		long f[2] = {-1, -1};
		const char *p = line;
		for (int i = 0; i <= b && *p; i++) {
			while (*p == ' ')
				p++;
			char *end;
			long x = strtol(p, &end, 10);
			if (i == a || i == b)
				f[i == b] = end > p && (*end == ' ' || !*end) ? x : -1;
			p += strcspn(p, " ");
		}
		bool keep = true;
		for (int i = 0; i < 2; i++)
			keep = keep && (f[i] == 0 || member(v, n, f[i]));
		if (header || keep)
			r = put_line(out, line);
	}
	return r;
}

static int filter_shm(struct sl_buf *out, char *text, const pid_t *v, size_t n)
{
	return filter_columns(out, text, v, n, 4, 5); /* cpid, lpid */
}

static int filter_msg(struct sl_buf *out, char *text, const pid_t *v, size_t n)
{
	return filter_columns(out, text, v, n, 5, 6); /* lspid, lrpid */
}

typedef int (*keep_fn)(struct sl_buf *, char *, const pid_t *, size_t);

/* The host's list in host (NUL-terminated), through keep, for the sandbox
 * of c; host is freed. */
static int filtered(struct sl_buf *out, struct sl_ctx *c, struct sl_buf *host, int r, keep_fn keep)
{
	pid_t *v = NULL;
	size_t n = 0;
	if (r == 0)
		r = procview_members(&c->sup->procs, &v, &n);
	if (r == 0)
		r = keep(out, (char *)host->p, v, n);
	free(v);
	sl_buf_free(host);
	return r;
}

/* The host's list at path, through keep, for the sandbox of c. */
static int view(struct sl_buf *out, struct sl_ctx *c, const char *path, keep_fn keep)
{
	struct sl_buf host = {0};
	int r = read_list(path, &host);
	return filtered(out, c, &host, r, keep);
}

/* A number alone on its line (the lists below print nothing else): it,
 * or -1. */
static long id_of(const char *line)
{
	char *end;
	errno = 0;
	long id = strtol(line, &end, 10);
	return errno || end == line || *end || id <= 0 ? -1 : id;
}

/* A cgroup's processes: one pid a line. */
static int filter_pids(struct sl_buf *out, char *text, const pid_t *v, size_t n)
{
	int r = 0;
	for (char *line = text, *next; r == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (member(v, n, id_of(line)))
			r = put_line(out, line);
	}
	return r;
}

/* The process (thread group) of thread tid, from its status file, which
 * the kernel writes (pidinfo.h parses it strictly: the thread's name is
 * its own text): it, or -1. */
static long group_of(long tid)
{
	char dir[32];
	snprintf(dir, sizeof(dir), "/proc/%ld", tid);
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	pid_t tgid = -1;
	if (pidinfo_tgid(-1, fd, (pid_t)tid, &tgid) < 0)
		tgid = -1;
	close(fd);
	return tgid;
}

/* A cgroup's threads: one thread id a line, listed when its process is a
 * member (a thread that is gone meanwhile is not listed). */
static int filter_tids(struct sl_buf *out, char *text, const pid_t *v, size_t n)
{
	int r = 0;
	for (char *line = text, *next; r == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		long tid = id_of(line);
		if (member(v, n, tid) || (tid > 0 && member(v, n, group_of(tid))))
			r = put_line(out, line);
	}
	return r;
}

int proclists_cgroup(struct sl_buf *out, struct sl_ctx *c, int fd, bool threads)
{
	struct sl_buf host = {0};
	int r = sl_buf_read_fd(&host, fd, LOCKS_MAX);
	if (r == 0 && sl_buf_reserve(&host, 1) < 0)
		r = -ENOMEM;
	if (r == 0)
		host.p[host.len] = 0;
	return filtered(out, c, &host, r, threads ? filter_tids : filter_pids);
}

int proclists_locks(struct sl_buf *out, struct sl_ctx *c)
{
	return view(out, c, "/proc/locks", filter_locks);
}

int proclists_netlink(struct sl_buf *out, struct sl_ctx *c)
{
	return view(out, c, "/proc/thread-self/net/netlink", filter_netlink);
}

int proclists_shm(struct sl_buf *out, struct sl_ctx *c)
{
	return view(out, c, "/proc/sysvipc/shm", filter_shm);
}

int proclists_msg(struct sl_buf *out, struct sl_ctx *c)
{
	return view(out, c, "/proc/sysvipc/msg", filter_msg);
}
