/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libbench.c - cost of sandlock_run() from a running process.
 *
 *   libbench [-n CALLS] [-b BLOCKS]
 *
 * Times CALLS calls of sandlock_run("/bin/true") with /usr /lib /lib64
 * /bin /etc readable, against CALLS plain fork + execve + waitpid of
 * /bin/true.  The calls are split into BLOCKS blocks that alternate
 * between the two (and alternate which goes first), so that drift of the
 * shared machine hits both sides alike.  Prints the median per-call time
 * of each and their ratio against the project's goal (<= 1.0x).
 *
 * Exit status: 0 when the measurement ran (whether or not the goal is
 * met), 1 on an error (the sandbox cannot be built or a run fails), 2 on a
 * usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"

#define TARGET_RATIO 1.0
#define WARMUP_CALLS 5

extern char **environ;

static const char *const true_argv[] = {"/bin/true", NULL};
static const char *const readable[] = {"/usr", "/lib", "/lib64", "/bin", "/etc"};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One plain fork + execve + waitpid of /bin/true: 0, or -1 with a message. */
static int plain_call(void)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0) {
		perror("libbench: fork");
		return -1;
	}
	if (pid == 0) {
		execve(true_argv[0], (char *const *)true_argv, environ);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("libbench: waitpid");
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "libbench: plain /bin/true ended with status 0x%x\n", status);
		return -1;
	}
	return 0;
}

/* One sandlock_run of /bin/true: 0, or -1 with a message. */
static int sandlock_call(const sandlock_sandbox_t *sb)
{
	sandlock_result_t *r;
	int code;

	r = sandlock_run(sb, NULL, true_argv, 1);
	if (!r) {
		fprintf(stderr, "libbench: sandlock_run: %s\n", sandlock_last_error());
		return -1;
	}
	code = sandlock_result_exit_code(r);
	sandlock_result_free(r);
	if (code != 0) {
		fprintf(stderr, "libbench: sandboxed /bin/true exited with %d\n", code);
		return -1;
	}
	return 0;
}

static sandlock_sandbox_t *build_sandbox(void)
{
	sandlock_builder_t *b;
	sandlock_sandbox_t *sb;
	char *msg = NULL;
	int err = 0;

	b = sandlock_sandbox_builder_new();
	for (size_t i = 0; i < sizeof(readable) / sizeof(readable[0]); i++)
		b = sandlock_sandbox_builder_fs_read(b, readable[i]);
	sb = sandlock_sandbox_build(b, &err, &msg);
	if (!sb) {
		fprintf(stderr, "libbench: sandlock_sandbox_build: %s\n",
			msg ? msg : sandlock_last_error());
		sandlock_string_free(msg);
	}
	return sb;
}

/* Times `count` calls of one side, storing each duration in out[]. */
static int time_calls(const sandlock_sandbox_t *sb, int sandboxed, double *out, int count)
{
	for (int i = 0; i < count; i++) {
		double t0 = now_ns();
		int rc = sandboxed ? sandlock_call(sb) : plain_call();

		out[i] = now_ns() - t0;
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v in place and returns the value at quantile q (0..1). */
static double quantile(double *v, int n, double q)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	if (n % 2 == 0 && q == 0.5)
		return (v[n / 2 - 1] + v[n / 2]) / 2;
	return v[(int)(q * (n - 1) + 0.5)];
}

static int parse_count(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

static void print_side(const char *name, double *v, int n)
{
	double p10 = quantile(v, n, 0.1), p90 = quantile(v, n, 0.9);
	double med = quantile(v, n, 0.5);

	printf("  %-24s median %8.3f ms   p10 %8.3f   p90 %8.3f\n", name, med / 1e6, p10 / 1e6,
	       p90 / 1e6);
}

static int measure(const sandlock_sandbox_t *sb, int calls, int blocks)
{
	double *plain = calloc((size_t)calls, sizeof(double));
	double *sand = calloc((size_t)calls, sizeof(double));
	double scratch[WARMUP_CALLS];
	double mp, ms;
	int done = 0, rc = -1;

	if (!plain || !sand) {
		fputs("libbench: out of memory\n", stderr);
		goto out;
	}
	/* Warm the page cache, the loader and the library's first-use paths. */
	if (time_calls(sb, 0, scratch, WARMUP_CALLS) < 0 ||
	    time_calls(sb, 1, scratch, WARMUP_CALLS) < 0)
		goto out;

	for (int blk = 0; blk < blocks; blk++) {
		int n = calls / blocks + (blk < calls % blocks);
		int first = blk % 2; /* alternate which side opens the block */

		for (int side = 0; side < 2; side++) {
			int sandboxed = side ^ first;

			if (time_calls(sb, sandboxed, (sandboxed ? sand : plain) + done, n) < 0)
				goto out;
		}
		done += n;
	}

	printf("libbench: %d calls each of /bin/true, %d interleaved blocks\n", calls, blocks);
	print_side("fork+execve+waitpid", plain, calls);
	print_side("sandlock_run", sand, calls);
	mp = quantile(plain, calls, 0.5);
	ms = quantile(sand, calls, 0.5);
	printf("  ratio sandlock_run / fork+exec: %.2fx   target <= %.2fx   %s\n", ms / mp,
	       TARGET_RATIO, ms / mp <= TARGET_RATIO ? "PASS" : "MISS");
	rc = 0;
out:
	free(plain);
	free(sand);
	return rc;
}

int main(int argc, char **argv)
{
	sandlock_sandbox_t *sb;
	int calls = 300, blocks = 10, opt, rc;

	while ((opt = getopt(argc, argv, "n:b:h")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_count(optarg, &calls) < 0)
				goto usage;
			break;
		case 'b':
			if (parse_count(optarg, &blocks) < 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || blocks > calls)
		goto usage;

	sb = build_sandbox();
	if (!sb)
		return 1;
	rc = measure(sb, calls, blocks);
	sandlock_sandbox_free(sb);
	return rc < 0 ? 1 : 0;

usage:
	fputs("usage: libbench [-n CALLS (default 300)] [-b BLOCKS (default 10)]\n", stderr);
	return 2;
}
