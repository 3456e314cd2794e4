/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dprobe.c - directory listings, run inside sandboxes by
 * tests/integration/dirs.c.  Static; one subcommand per run.
 *
 *   list DIR SIZE        getdents64 with a SIZE-byte buffer until 0: one
 *                        name per line, then "calls=N"; a record whose
 *                        d_off is not the next one's start position is
 *                        reported ("bad d_off")
 *   list-old DIR SIZE    the same through getdents (the old layout;
 *                        "none" where the architecture has no getdents)
 *   rewind DIR           two entries, rewinddir, then every name
 *   seekdir DIR          telldir after the third entry, the rest, seekdir
 *                        back: the rest again ("same" or "differs")
 *   efault DIR           getdents64 into unmapped memory, then the first
 *                        name read normally: "errno=EFAULT first=NAME"
 *   count DIR N          getdents64 with count N (a 64-bit register value)
 *                        into a 1 MiB buffer: "ok BYTES" or "errno=NAME"
 *   notdir FILE DIR      getdents64 on FILE, on an O_PATH fd of DIR, on
 *                        fd 999: three lines
 *   race A B N           lists A with a 64-byte buffer N times while a
 *                        thread dup2()s A and B onto the fd: "names=OK" when
 *                        every name returned is one of A's or B's, then a
 *                        clean listing of A
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe_cmds.h"

struct d64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int list(const char *dir, size_t size, bool old)
{
#ifndef SYS_getdents
	if (old) {
		printf("none\n");
		return 0;
	}
#endif
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *buf = malloc(size);
	if (fd < 0 || !buf)
		return probe_report(-1);
	int calls = 0;
	for (;;) {
		long n;
#ifdef SYS_getdents
		n = syscall(old ? SYS_getdents : SYS_getdents64, fd, buf, size);
#else
		n = syscall(SYS_getdents64, fd, buf, size);
#endif
		calls++;
		if (n < 0)
			return probe_report(-1);
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			unsigned short rl;
			const char *name;
			long doff;
			if (old) {
				memcpy(&doff, buf + off + sizeof(long), sizeof(long));
				memcpy(&rl, buf + off + 2 * sizeof(long), sizeof(rl));
				name = buf + off + 2 * sizeof(long) + 2;
			} else {
				struct d64 *d = (struct d64 *)(buf + off);
				rl = d->reclen;
				doff = d->off;
				name = d->name;
			}
			printf("%s\n", name);
			off += rl;
			if (off == n && lseek(fd, 0, SEEK_CUR) != doff)
				printf("bad d_off\n");
		}
	}
	printf("calls=%d\n", calls);
	return 0;
}

static int rewind_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return probe_report(-1);
	readdir(d);
	readdir(d);
	rewinddir(d);
	for (struct dirent *e; (e = readdir(d));)
		printf("%s\n", e->d_name);
	closedir(d);
	return 0;
}

static char *rest(DIR *d)
{
	size_t len = 0;
	char *s = calloc(1, 1);
	for (struct dirent *e; (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		s = realloc(s, len + n + 2);
		memcpy(s + len, e->d_name, n);
		s[len + n] = '\n';
		len += n + 1;
		s[len] = 0;
	}
	return s;
}

static int seek_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return probe_report(-1);
	for (int i = 0; i < 3; i++)
		readdir(d);
	long at = telldir(d);
	char *a = rest(d);
	seekdir(d, at);
	char *b = rest(d);
	printf("%s\n", strcmp(a, b) || !*a ? "differs" : "same");
	closedir(d);
	return 0;
}

static int efault(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || gone == MAP_FAILED || munmap(gone, 4096) < 0)
		return probe_report(-1);
	long n = syscall(SYS_getdents64, fd, gone, 4096);
	int e = errno;
	char buf[4096];
	long m = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	printf("%s first=%s\n", n < 0 ? probe_errname(e) : "no error",
	       m > 0 ? ((struct d64 *)buf)->name : "?");
	return 0;
}

static int count(const char *dir, const char *n)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || buf == MAP_FAILED)
		return probe_report(-1);
	long r = syscall(SYS_getdents64, fd, buf, strtoull(n, NULL, 0));
	if (r < 0)
		return probe_report(r);
	printf("ok %ld\n", r);
	return 0;
}

static int notdir(const char *file, const char *dir)
{
	char buf[4096];
	int f = open(file, O_RDONLY | O_CLOEXEC), p = open(dir, O_PATH | O_CLOEXEC);
	probe_report(syscall(SYS_getdents64, f, buf, sizeof(buf)));
	probe_report(syscall(SYS_getdents64, p, buf, sizeof(buf)));
	probe_report(syscall(SYS_getdents64, 999, buf, sizeof(buf)));
	return 0;
}

struct race {
	int fd, a, b;
	atomic_bool stop;
};

static void *swapper(void *p)
{
	struct race *r = p;
	for (int i = 0; !atomic_load(&r->stop); i++)
		dup2(i & 1 ? r->b : r->a, r->fd);
	return NULL;
}

/* Whether name is an entry of dir. */
static bool has(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !strcmp(name, ".") || !strcmp(name, "..") || access(path, F_OK) == 0;
}

static int race(const char *a, const char *b, int n)
{
	struct race r = {.fd = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
			 .a = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
			 .b = open(b, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	pthread_t th;
	if (r.fd < 0 || r.a < 0 || r.b < 0 || pthread_create(&th, NULL, swapper, &r))
		return probe_report(-1);
	bool ok = true;
	char buf[64];
	for (int i = 0; i < n; i++) {
		long m = syscall(SYS_getdents64, r.fd, buf, sizeof(buf));
		if (m < 0 && errno != EBADF) {
			printf("errno=%s\n", probe_errname(errno));
			ok = false;
		}
		for (long off = 0; m > 0 && off < m; off += ((struct d64 *)(buf + off))->reclen) {
			const char *name = ((struct d64 *)(buf + off))->name;
			if (!has(a, name) && !has(b, name)) {
				printf("stray %s\n", name);
				ok = false;
			}
		}
		if (m == 0) {
			lseek(r.a, 0, SEEK_SET);
			lseek(r.b, 0, SEEK_SET);
		}
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	printf("names=%s\n", ok ? "OK" : "BAD");
	return list(a, 4096, false);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *c = argc > 1 ? argv[1] : "";
	if (!strcmp(c, "list") && argc == 4)
		return list(argv[2], strtoul(argv[3], NULL, 0), false);
	if (!strcmp(c, "list-old") && argc == 4)
		return list(argv[2], strtoul(argv[3], NULL, 0), true);
	if (!strcmp(c, "rewind") && argc == 3)
		return rewind_dir(argv[2]);
	if (!strcmp(c, "seekdir") && argc == 3)
		return seek_dir(argv[2]);
	if (!strcmp(c, "efault") && argc == 3)
		return efault(argv[2]);
	if (!strcmp(c, "count") && argc == 4)
		return count(argv[2], argv[3]);
	if (!strcmp(c, "notdir") && argc == 4)
		return notdir(argv[2], argv[3]);
	if (!strcmp(c, "race") && argc == 5)
		return race(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: dprobe list|list-old|rewind|seekdir|efault|count|notdir|race\n");
	return 2;
}
