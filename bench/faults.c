/* SPDX-License-Identifier: Apache-2.0 */
/*
 * faults.c - the page faults one start of a command takes: `faults N CMD
 * ARGS...` runs CMD N times (fork, exec, wait4) and prints the median
 * count of minor and major faults of its whole process tree (wait4 counts
 * the child and every descendant it or they reaped: the keeper and the
 * command of a sandlock start).
 *
 * Unlike a time, the count barely moves from one run to the next, and on
 * a VM each fault is costly (a first touch of a page: 12 to 22 us on the
 * development VM), so it tells what a change to the start costs before a
 * timing can.  bench/startup.sh prints it for each candidate.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* One start: its faults, or -1 when it could not run or failed. */
static long one(char **cmd)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return ru.ru_minflt + ru.ru_majflt;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	if (n < 1) {
		fputs("usage: faults N CMD [ARGS...]\n", stderr);
		return 2;
	}
	long *v = calloc((size_t)n, sizeof(*v));
	if (!v)
		return 1;
	for (int i = 0; i < n; i++) {
		if ((v[i] = one(argv + 2)) < 0) {
			fprintf(stderr, "faults: %s did not run or failed\n", argv[2]);
			return 1;
		}
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_long);
	printf("%ld\n", v[n / 2]);
	free(v);
	return 0;
}
