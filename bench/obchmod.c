/* SPDX-License-Identifier: Apache-2.0 */
/*
 * obchmod.c - the timed loop of bench/onbehalf.sh: chmod of one file by
 * path, CALLS times, and as many fchmod on an open fd of it (the fd form,
 * which sandlock decides too: a file opened for reading is still its
 * owner's to chmod).
 *
 *   obchmod FILE CALLS
 *
 * prints one line, e.g. "calls=20000 chmod_ns=41235.2 fchmod_ns=512.3".
 * Under sandlock with FILE in a writable tree, each call is notified and
 * made by the supervisor on the child's behalf (src/features/fsmeta.c);
 * bare, it is the kernel's alone.  Libc only.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 200

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Mean ns per call, alternating two modes (each call changes the file);
 * -1 when one fails. */
static double loop(const char *path, int fd, long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		mode_t m = i & 1 ? 0600 : 0644;
		if ((fd < 0 ? chmod(path, m) : fchmod(fd, m)) < 0)
			return -1;
	}
	return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	long n = argc == 3 ? atol(argv[2]) : 0;
	if (n < 1) {
		fputs("usage: obchmod FILE CALLS\n", stderr);
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || loop(argv[1], -1, WARMUP) < 0 || loop(argv[1], fd, WARMUP) < 0) {
		perror("obchmod: warm-up");
		return 1;
	}
	double by_path = loop(argv[1], -1, n), by_fd = loop(argv[1], fd, n);
	if (by_path < 0 || by_fd < 0) {
		perror("obchmod: timed loop");
		return 1;
	}
	printf("calls=%ld chmod_ns=%.1f fchmod_ns=%.1f\n", n, by_path, by_fd);
	return fflush(stdout) == 0 ? 0 : 1;
}
