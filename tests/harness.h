/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness.h - a fork-per-test harness.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_EQ(a, b); if (!ok) SKIP("why"); }
 *
 * Every test runs in its own forked process (sandbox restrictions are
 * irreversible), with a 120 s alarm.  A test passes when it returns, fails
 * on the first failed CHECK, and is skipped by SKIP().  The runner prints
 * one line per test and a closing "N passed, N failed" line; arguments
 * select tests whose name contains any of them.  With
 * SANDLOCK_TEST_MUST_WORK=1 a skip fails unless tests/expected-skips.txt
 * lists it (see harness.c).
 */
#ifndef SL_HARNESS_H
#define SL_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*th_fn)(void);
void th_register(const char *name, th_fn fn);
_Noreturn void th_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void th_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                             \
	__attribute__((constructor)) static void th_reg_##name(void)                               \
	{                                                                                          \
		th_register(#name, test_##name);                                                   \
	}                                                                                          \
	static void test_##name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			th_fail(__FILE__, __LINE__, "CHECK(%s) failed (errno %d %s)", #cond,       \
				errno, strerror(errno));                                           \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long th_a = (long long)(a), th_b = (long long)(b);                            \
		if (th_a != th_b)                                                                  \
			th_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %lld != %lld", #a, #b,      \
				th_a, th_b);                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *th_a = (a), *th_b = (b);                                               \
		if (!th_a || !th_b || strcmp(th_a, th_b) != 0)                                     \
			th_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, #b, \
				th_a ? th_a : "(null)", th_b ? th_b : "(null)");                   \
	} while (0)

/* Checks that haystack contains needle. */
#define CHECK_CONTAINS(hay, needle)                                                                \
	do {                                                                                       \
		const char *th_h = (hay), *th_n = (needle);                                        \
		if (!th_h || !strstr(th_h, th_n))                                                  \
			th_fail(__FILE__, __LINE__, "CHECK_CONTAINS(%s): \"%s\" not in \"%s\"",    \
				#hay, th_n, th_h ? th_h : "(null)");                               \
	} while (0)

#define SKIP(...) th_skip(__VA_ARGS__)

/* Absolute path of a file in the build directory, e.g. th_build("sandlock")
 * or th_build("tests/probes/probe").  Derived from the test binary's own
 * location (build/tests/<binary>), so the tree can be copied elsewhere. */
const char *th_build(const char *rel);

/* A fresh private directory for the running test (removed by the runner's
 * caller is not needed: it lives under $TMPDIR and is deleted at exit). */
const char *th_tmpdir(void);

/* Runs argv (NULL-terminated) with stdout/stderr captured, stdin from
 * /dev/null.  Returns the wait status; out/err (may be NULL) receive
 * malloc'd NUL-terminated output.  env may be NULL (inherit). */
int th_run(char *const argv[], char *const env[], char **out, char **err);

/* True when running as root. */
bool th_root(void);
/* Skips the test when it runs under valgrind (make check-valgrind), which
 * does not know the syscall named in why, or misreads memory that raw
 * syscalls write: the test runs in the other suites. */
void th_skip_under_valgrind(const char *why);

#endif
