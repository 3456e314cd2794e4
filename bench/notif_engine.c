/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notif_engine.c - one notified syscall through sandlock's supervisor
 * engine, answered the cheapest way: the counterpart of `notif_floor floor`.
 *
 *   notif_engine [-r DIR]... PROBE CALLS
 *
 * Runs `PROBE loop-getppid CALLS` (PROBE is bench/notif_floor) with
 * sandlock_run_with_handlers() and a handler on getppid that answers
 * sandlock_action_set_return_value(out, 0): no memory access, the same
 * {val 0, error 0} answer the floor sends.  getppid is allowed by default,
 * so only the handler makes it notified, and every call reaches the
 * supervisor; the per-call time therefore holds the kernel round trip,
 * sandlock's receive/dispatch/answer and the handler call (the handler
 * runs inline on the supervisor's thread).
 *
 * Policy: fs_read of /usr /lib /lib64 /bin /etc (those present), the
 * probe's directory and every -r DIR.  Prints the probe's line with
 * " handled=K" appended (K: calls the handler answered), e.g.
 *   mode=loop-getppid cpus=2 calls=20000 getppid_ns=5301.2 getpid_ns=230.4 handled=21000
 *
 * Exit status: 0 when the probe ran and the handler saw at least CALLS
 * calls, 1 on a failure, 2 on a usage error.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandlock.h"

#define MAX_GRANTS 64

struct counter {
	unsigned long handled, other;
};

/* Answers getppid with 0 (the floor's {val 0, error 0}); counts. */
static int on_getppid(void *ud, const sandlock_notif_data_t *notif, sandlock_mem_handle_t *mem,
		      sandlock_action_out_t *out)
{
	struct counter *c = ud;

	(void)mem;
	if (notif->syscall_nr == SYS_getppid)
		c->handled++;
	else
		c->other++;
	sandlock_action_set_return_value(out, 0);
	return 0;
}

static sandlock_sandbox_t *build_policy(const char *probe_dir, const char *const *extra,
					size_t n_extra)
{
	static const char *const sys[] = {"/usr", "/lib", "/lib64", "/bin", "/etc"};
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	sandlock_sandbox_t *p;
	struct stat st;
	char *msg = NULL;
	int err = 0;

	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (stat(sys[i], &st) == 0)
			b = sandlock_sandbox_builder_fs_read(b, sys[i]);
	b = sandlock_sandbox_builder_fs_read(b, probe_dir);
	for (size_t i = 0; i < n_extra; i++)
		b = sandlock_sandbox_builder_fs_read(b, extra[i]);
	p = sandlock_sandbox_build(b, &err, &msg);
	if (!p || err) {
		fprintf(stderr, "notif_engine: sandbox_build: %s\n",
			msg ? msg : sandlock_last_error());
		sandlock_string_free(msg);
		sandlock_sandbox_free(p);
		return NULL;
	}
	return p;
}

static void usage(void)
{
	fputs("usage: notif_engine [-r DIR]... PROBE CALLS\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *extra[MAX_GRANTS];
	size_t n_extra = 0;
	char probe[PATH_MAX], probe_dir[PATH_MAX], *slash, *end;
	struct counter count = {0, 0};
	sandlock_sandbox_t *policy;
	sandlock_handler_t *h;
	sandlock_result_t *res;
	const uint8_t *out;
	size_t len;
	long calls;
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r' || n_extra == MAX_GRANTS)
			usage();
		extra[n_extra++] = optarg;
	}
	if (argc - optind != 2)
		usage();
	errno = 0;
	calls = strtol(argv[optind + 1], &end, 10);
	if (errno || end == argv[optind + 1] || *end || calls < 1 || calls > 100000000)
		usage();
	if (!realpath(argv[optind], probe)) {
		fprintf(stderr, "notif_engine: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	memcpy(probe_dir, probe, sizeof(probe));
	slash = strrchr(probe_dir, '/');
	if (slash == probe_dir)
		slash[1] = 0;
	else
		*slash = 0;

	policy = build_policy(probe_dir, extra, n_extra);
	if (!policy)
		return 1;
	/* the registration owns the handler from here on, on every path */
	h = sandlock_handler_new(on_getppid, &count, NULL, SANDLOCK_EXCEPTION_KILL);
	if (!h) {
		fprintf(stderr, "notif_engine: handler_new: %s\n", sandlock_last_error());
		sandlock_sandbox_free(policy);
		return 1;
	}
	const sandlock_handler_registration_t reg = {SYS_getppid, h};
	const char *const run_argv[] = {probe, "loop-getppid", argv[optind + 1], NULL};
	res = sandlock_run_with_handlers(policy, NULL, run_argv, 3, &reg, 1);
	if (!res) {
		fprintf(stderr, "notif_engine: run_with_handlers: %s\n", sandlock_last_error());
		goto out;
	}
	if (!sandlock_result_success(res)) {
		const uint8_t *e = sandlock_result_stderr_bytes(res, &len);

		fprintf(stderr, "notif_engine: the probe failed (exit %d): %.*s\n",
			sandlock_result_exit_code(res), (int)(len > 400 ? 400 : len),
			e ? (const char *)e : "");
		goto out;
	}
	out = sandlock_result_stdout_bytes(res, &len);
	while (len && out[len - 1] == '\n')
		len--;
	if (!out || len == 0 || memchr(out, '\n', len)) {
		fprintf(stderr, "notif_engine: expected one line from the probe, got %zu bytes\n",
			len);
		goto out;
	}
	if (count.handled < (unsigned long)calls || count.other) {
		fprintf(stderr,
			"notif_engine: the handler answered %lu getppid calls (and %lu others) "
			"for %ld timed calls: the probe did not go through it\n",
			count.handled, count.other, calls);
		goto out;
	}
	printf("%.*s handled=%lu\n", (int)len, (const char *)out, count.handled);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	sandlock_result_free(res);
	sandlock_sandbox_free(policy);
	return rc;
}
