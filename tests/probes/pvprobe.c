/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pvprobe.c - attacks on the proc view (tests/integration/procview.c).
 * Static.
 *
 *   race BENIGN TARGET N     a second thread rewrites one path buffer
 *                            between BENIGN and TARGET in a loop while
 *                            the main thread opens it N times (read-only,
 *                            by open and by openat in turn), reading what
 *                            it opened: prints
 *                            "benign=B target=T other=O" (opens that read
 *                            BENIGN's content, TARGET's, or anything else)
 *   dents PID                lists /proc with raw getdents64 calls of 64
 *                            bytes each (a record or two a call): "seen"
 *                            when PID is listed, "unseen" otherwise
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char buf[4096];
static const char *paths[2];
static atomic_int stop;

static void *flipper(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !atomic_load(&stop); i++) {
		const char *p = paths[i & 1];
		memcpy(buf, p, strlen(p) + 1);
	}
	return NULL;
}

static ssize_t slurp(const char *path, char *out, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, out, size);
	close(fd);
	return n;
}

static int race(const char *benign, const char *target, long n)
{
	char want[256], got[256];
	ssize_t wl = slurp(benign, want, sizeof(want));
	if (wl < 0) {
		printf("errno=%d reading %s\n", errno, benign);
		return 1;
	}
	paths[0] = benign;
	paths[1] = target;
	memcpy(buf, benign, strlen(benign) + 1);
	pthread_t th;
	if (pthread_create(&th, NULL, flipper, NULL) != 0)
		return 1;
	long b = 0, t = 0, o = 0;
	for (long i = 0; i < n; i++) {
		int fd = (i & 1) ? (int)syscall(SYS_openat, AT_FDCWD, buf, O_RDONLY | O_CLOEXEC)
				 : (int)syscall(SYS_open, buf, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t k = read(fd, got, sizeof(got));
		close(fd);
		if (k == wl && !memcmp(got, want, (size_t)wl))
			b++;
		else if (k > 0)
			t++;
		else
			o++;
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	printf("benign=%ld target=%ld other=%ld\n", b, t, o);
	return 0;
}

static int dents(const char *pid)
{
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		printf("errno=%d\n", errno);
		return 1;
	}
	char d[64];
	bool seen = false;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, d, sizeof(d));
		if (n < 0) {
			printf("errno=%d\n", errno);
			return 1;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			unsigned short reclen;
			memcpy(&reclen, d + off + 16, sizeof(reclen));
			if (!strcmp(d + off + 19, pid))
				seen = true;
			off += reclen;
		}
	}
	printf("%s\n", seen ? "seen" : "unseen");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 5 && !strcmp(argv[1], "race"))
		return race(argv[2], argv[3], atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "dents"))
		return dents(argv[2]);
	fprintf(stderr, "usage: pvprobe race BENIGN TARGET N | dents PID\n");
	return 2;
}
