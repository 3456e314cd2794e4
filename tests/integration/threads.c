/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library in a multi-threaded host: concurrent runs and live handles
 * from several threads, each getting its own result, and no fd left
 * behind.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define THREADS 4
#define RUNS	5

static const sandlock_sandbox_t *policy;
static const char *probe; /* resolved once: tc_probe() is not thread-safe */

/* The descriptors open after one run: the library keeps one of its own,
 * the mount table opened at the first start (close-on-exec, reused). */
static int count_fds(void)
{
	struct tc_res r = tc_run(policy, NULL, probe, "exit", "0", NULL);
	CHECK_EQ(r.code, 0);
	free(r.out);
	free(r.err);
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Each run exits with its own code; a mix-up of results would show. */
static void *runner(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < RUNS; i++) {
		char code[8];
		snprintf(code, sizeof(code), "%ld", id * 10 + i);
		const char *argv[] = {probe, "exit", code};
		sandlock_result_t *r = sandlock_run(policy, NULL, argv, 3);
		if (!r) {
			fprintf(stderr, "    thread %ld run %d: %s\n", id, i,
				sandlock_last_error());
			return (void *)1;
		}
		if (sandlock_result_exit_code(r) != id * 10 + i) {
			size_t n;
			const uint8_t *err = sandlock_result_stderr_bytes(r, &n);
			fprintf(stderr,
				"    thread %ld run %d: status %d code %d signal %d: %.*s\n", id, i,
				sandlock_result_status(r), sandlock_result_exit_code(r),
				sandlock_result_signal(r), (int)n, (const char *)err);
			return (void *)1;
		}
		sandlock_result_free(r);
	}
	return NULL;
}

TEST(threads_concurrent_runs)
{
	policy = tc_build(tc_builder());
	probe = tc_probe();
	int before = count_fds();
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, runner, (void *)(i + 1)), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		CHECK_EQ(pthread_join(t[i], &ret), 0);
		CHECK(ret == NULL);
	}
	CHECK_EQ(count_fds(), before);
}

/* Live handles (one supervisor thread each) created from several
 * threads, then waited from the main thread. */
static void *creator(void *arg)
{
	long id = (long)arg;
	char code[8];
	snprintf(code, sizeof(code), "%ld", id);
	const char *argv[] = {probe, "exit", code};
	return sandlock_create(policy, NULL, argv, 3);
}

TEST(threads_handles_waited_elsewhere)
{
	policy = tc_build(tc_builder());
	probe = tc_probe();
	int before = count_fds();
	pthread_t t[THREADS];
	sandlock_handle_t *h[THREADS];
	for (long i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, creator, (void *)(i + 1)), 0);
	for (int i = 0; i < THREADS; i++) {
		CHECK_EQ(pthread_join(t[i], (void **)&h[i]), 0);
		CHECK(h[i] != NULL);
		CHECK_EQ(sandlock_start(h[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		sandlock_result_t *r = sandlock_handle_wait(h[i]);
		CHECK(r != NULL);
		CHECK_EQ(sandlock_result_exit_code(r), i + 1);
		sandlock_result_free(r);
		sandlock_handle_free(h[i]);
	}
	CHECK_EQ(count_fds(), before);
}
