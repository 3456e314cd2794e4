/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policyfn.c - the cost of a syscall held for a policy callback, against
 * the plain supervisor round trip.
 *
 *   policyfn MODE CALLS        runs itself in a sandbox: `policyfn child
 *                              CALLS DIR`, which times CALLS
 *                              openat(DIR, O_RDONLY | O_DIRECTORY) and
 *                              prints "ns=<mean per call>"
 *
 * MODE:
 *   bare      no callback, no handler: that open is never notified (the
 *             kernel and Landlock alone)
 *   handler   a user handler on openat that continues: the plain
 *             supervisor round trip (receive, dispatch, answer)
 *   policyfn  a trivial policy callback (returns 0): the round trip, the
 *             hand-off to the callback's thread and back, the event
 *   filtered  the same callback with opens left out of its events
 *             (SANDLOCK_POLICY_EVENT_EXEC): the open is still notified
 *             (deny_path may need it), but no callback runs
 * Prints "MODE ns=<mean>"; bench/policyfn.sh runs the modes in rounds and
 * prints the ratios.  Exit status 0, or 1 on a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int child(long calls, const char *dir)
{
	double t0 = now_ns();
	for (long i = 0; i < calls; i++) {
		int fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "openat %s: %s\n", dir, strerror(errno));
			return 1;
		}
		close(fd);
	}
	printf("ns=%.1f\n", (now_ns() - t0) / (double)calls);
	return 0;
}

static int32_t trivial(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	(void)ctx;
	return 0;
}

static int on_open(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		   sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	sandlock_action_set_continue(out);
	return 0;
}

static sandlock_sandbox_t *policy(const char *mode, const char *dir)
{
	static const char *const sys[] = {"/usr", "/lib", "/lib64", "/bin", "/etc"};
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	struct stat st;
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (stat(sys[i], &st) == 0)
			b = sandlock_sandbox_builder_fs_read(b, sys[i]);
	b = sandlock_sandbox_builder_fs_read(b, dir);
	if (!strcmp(mode, "policyfn") || !strcmp(mode, "filtered"))
		b = sandlock_sandbox_builder_policy_fn(b, trivial);
	if (!strcmp(mode, "filtered"))
		b = sandlock_sandbox_builder_policy_fn_events(b, SANDLOCK_POLICY_EVENT_EXEC);
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (!p)
		fprintf(stderr, "policyfn: build: %s\n", msg ? msg : "?");
	sandlock_string_free(msg);
	return p;
}

static int run(const char *self, const char *mode, const char *calls)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", self);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return 1;
	*slash = 0;
	/* the library, one level up (the binary's rpath) */
	char *lib = strrchr(dir, '/');
	char up[PATH_MAX];
	snprintf(up, sizeof(up), "%.*s", lib ? (int)(lib - dir) : 1, lib ? dir : "/");
	sandlock_sandbox_t *p = policy(mode, up);
	if (!p)
		return 1;
	const char *argv[] = {self, "child", calls, dir, NULL};
	sandlock_result_t *r;
	if (!strcmp(mode, "handler")) {
		sandlock_handler_t *h = sandlock_handler_new(on_open, NULL, NULL, 0);
		const sandlock_handler_registration_t reg = {SYS_openat, h};
		r = sandlock_run_with_handlers(p, NULL, argv, 4, &reg, 1);
	} else {
		r = sandlock_run(p, NULL, argv, 4);
	}
	sandlock_sandbox_free(p);
	size_t len = 0;
	const uint8_t *out = r ? sandlock_result_stdout_bytes(r, &len) : NULL;
	int ok = r && sandlock_result_success(r) && out;
	if (ok)
		printf("%s %.*s", mode, (int)len, (const char *)out);
	else
		fprintf(stderr, "policyfn: %s: %s\n", mode,
			r ? "the child failed" : sandlock_last_error());
	sandlock_result_free(r);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "child"))
		return child(atol(argv[2]), argv[3]);
	if (argc != 3) {
		fputs("usage: policyfn bare|handler|policyfn|filtered CALLS\n", stderr);
		return 2;
	}
	char self[PATH_MAX];
	if (!realpath("/proc/self/exe", self))
		return 1;
	return run(self, argv[1], argv[2]);
}
