/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stress.c - the long form of the concurrent stress run (tests/stress.h;
 * its short form is the integration test stress_concurrent_runs).
 *
 *   stress [-t THREADS] [-n RUNS] [-p PROBE]
 *
 * THREADS threads (default 8) each start RUNS sandboxes (default 1000)
 * one after another, through every way the library offers (sandlock_run,
 * sandlock_create with a supervisor thread or inline, created started,
 * popen), with four commands (plain, under max_memory and max_processes,
 * output larger than a pipe, a shell), and check every output byte and
 * exit code.  A first round of THREADS x 20 runs brings the process to
 * its steady state; the counts of open descriptors, threads and children
 * and the resident memory are taken after it and after the timed round.
 *
 * Prints the sandboxes per second, the percentiles of the per-run wall
 * time (create to free) overall, per way of starting and per command,
 * and the deltas.  PROBE defaults to tests/probes/probe of this build
 * tree (found from the program's own path, build/bench/stress).
 *
 * Exit status: 0 when every run was right and nothing grew (more memory
 * than STRESS_RSS_SLACK_KIB; built with AddressSanitizer, LeakSanitizer
 * decides instead), 1 otherwise (or when the run could not start), 2 on
 * a usage error.
 */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>

#include "stress.h"

#define WARM_RUNS 20

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile p (0-100) of n sorted values, in ms. */
static double pct_ms(const uint64_t *v, size_t n, double p)
{
	size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
	k = k ? k - 1 : 0;
	return (double)v[k < n ? k : n - 1] / 1e6;
}

/* One row: the percentiles of the runs that keep(t, i) selects. */
static void row(const struct stress *s, const char *label, int kind, int mode, uint64_t *tmp)
{
	size_t n = 0;
	for (int t = 0; t < s->threads; t++)
		for (int i = 0; i < s->runs; i++) {
			if (kind >= 0 && i % STRESS_NKINDS != kind)
				continue;
			if (mode >= 0 && (t + i) % STRESS_NMODES != mode)
				continue;
			tmp[n++] = s->ns[(size_t)t * (size_t)s->runs + (size_t)i];
		}
	if (!n)
		return;
	qsort(tmp, n, sizeof(*tmp), cmp_u64);
	printf("  %-15s %6zu %7.2f %7.2f %7.2f %7.2f %8.2f\n", label, n, pct_ms(tmp, n, 50),
	       pct_ms(tmp, n, 90), pct_ms(tmp, n, 99), pct_ms(tmp, n, 99.9), pct_ms(tmp, n, 100));
}

static void report(const struct stress *s, double wall_s)
{
	size_t total = (size_t)s->threads * (size_t)s->runs;
	uint64_t *tmp = malloc(total * sizeof(*tmp));
	if (!tmp)
		return;
	printf("%zu sandboxes in %.2f s: %.1f runs/s\n", total, wall_s, (double)total / wall_s);
	printf("per-run wall time, create to free (ms):\n");
	printf("  %-15s %6s %7s %7s %7s %7s %8s\n", "", "runs", "p50", "p90", "p99", "p99.9",
	       "max");
	row(s, "all", -1, -1, tmp);
	for (int m = 0; m < STRESS_NMODES; m++)
		row(s, stress_mode_name[m], -1, m, tmp);
	for (int k = 0; k < STRESS_NKINDS; k++)
		row(s, stress_kind_name[k], k, -1, tmp);
	free(tmp);
	/* the slowest run, to tell a stall of one way of starting or one
	 * command from the machine's (every row's max high at once) */
	size_t worst = 0;
	for (size_t k = 1; k < total; k++)
		if (s->ns[k] > s->ns[worst])
			worst = k;
	int t = (int)(worst / (size_t)s->runs), i = (int)(worst % (size_t)s->runs);
	printf("slowest: thread %d run %d (%s, %s), %.2f ms\n", t, i,
	       stress_kind_name[i % STRESS_NKINDS], stress_mode_name[(t + i) % STRESS_NMODES],
	       (double)s->ns[worst] / 1e6);
}

static int usage(void)
{
	fprintf(stderr, "usage: stress [-t THREADS] [-n RUNS] [-p PROBE]\n");
	return 2;
}

/* build/bench/stress -> build/tests/probes/probe */
static const char *default_probe(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = 0;
	snprintf(buf, size, "%s/tests/probes/probe", dirname(dirname(exe)));
	return buf;
}

int main(int argc, char **argv)
{
	int threads = 8, runs = 1000, c;
	char pbuf[PATH_MAX + 32], dbuf[PATH_MAX + 32], msg[512];
	const char *probe = NULL;
	while ((c = getopt(argc, argv, "t:n:p:")) != -1) {
		if (c == 't')
			threads = atoi(optarg);
		else if (c == 'n')
			runs = atoi(optarg);
		else if (c == 'p')
			probe = optarg;
		else
			return usage();
	}
	if (optind != argc || threads < 1 || threads > 1024 || runs < 1 || runs > 10000000)
		return usage();
	if (!probe && !(probe = default_probe(pbuf, sizeof(pbuf)))) {
		perror("stress: /proc/self/exe");
		return 1;
	}
	if (access(probe, X_OK) < 0) {
		fprintf(stderr, "stress: %s: %s (build it with make tests or make bench)\n", probe,
			strerror(errno));
		return 1;
	}
	snprintf(dbuf, sizeof(dbuf), "%s", probe);
	const char *probe_dir = dirname(dbuf);

	struct stress s;
	if (stress_init(&s, probe, probe_dir, threads, WARM_RUNS, "stress", msg, sizeof(msg)) < 0) {
		fprintf(stderr, "stress: %s\n", msg);
		stress_release(&s);
		return 1;
	}
	printf("%d threads x %d runs, after a first round of %d x %d; probe %s\n", threads, runs,
	       threads, WARM_RUNS, probe);
	long bad = stress_round(&s, false);
	struct stress_usage before = stress_usage_now();
	s.runs = runs;
	uint64_t t0 = stress_now_ns();
	long bad2 = stress_round(&s, true);
	double wall = (double)(stress_now_ns() - t0) / 1e9;
	if (bad2 >= 0)
		report(&s, wall);
	struct stress_usage after = stress_usage_settled(&before);
	char bound[64] = "not checked under AddressSanitizer";
	if (STRESS_RSS_CHECKED)
		snprintf(bound, sizeof(bound), "at most %+ld", STRESS_RSS_SLACK_KIB / 1024);
	printf("process: fds %d -> %d, threads %d -> %d, children %d -> %d, "
	       "rss %.1f -> %.1f MiB (%+.1f, %s)\n",
	       before.fds, after.fds, before.threads, after.threads, before.children,
	       after.children, (double)before.rss_kib / 1024, (double)after.rss_kib / 1024,
	       (double)(after.rss_kib - before.rss_kib) / 1024, bound);
	int leak = stress_usage_check(&before, &after, msg, sizeof(msg));
	long failures = stress_failures(&s);
	stress_release(&s);
	if (leak < 0) {
		printf("stress: FAIL: %s\n", msg);
	} else if (stress_leak_check() != 0) {
		printf("stress: FAIL: LeakSanitizer found leaks (above)\n");
		leak = -1;
	}
	if (bad < 0 || bad2 < 0 || failures)
		printf("stress: FAIL: %ld wrong runs (the first are printed above)\n", failures);
	if (leak < 0 || bad < 0 || bad2 < 0 || failures)
		return 1;
	printf("stress: ok, every output and exit code as expected, nothing grew\n");
	return 0;
}
