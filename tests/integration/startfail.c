/* SPDX-License-Identifier: Apache-2.0 */
/*
 * startfail.c - a start that fails once the child runs two threads: the
 * child and its courier, the thread started outside the seccomp filter
 * that hands the listener to the supervisor (src/plan/child.c).  A step
 * that fails before the filter, at it or after it must be reported by
 * name, and end both threads: the run returns, nothing is left running.
 * Each failure is made by a filter of the test process's own, which the
 * sandbox inherits.
 */
#include "common.h"

#include <errno.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Refuses nr with err when the low half of argument argi is val (any
 * value with argi < 0), and argument nzi (when >= 0) is not 0. */
static void refuse(int nr, int argi, uint32_t val, int nzi, int err)
{
	struct sock_filter insns[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 5),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, args[argi < 0 ? 0 : argi])),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, val, 0, argi < 0 ? 0 : 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, args[nzi < 0 ? 0 : nzi])),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, nzi < 0 ? 0 : 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (uint32_t)err),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(insns) / sizeof(insns[0]), insns};
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
}

/* The run fails with a note naming the step; the sandbox's child and
 * its courier are gone (the run returned: the keeper reaped the child,
 * which it does only once every thread of it has ended). */
static void check_fails(sandlock_sandbox_t *p, const char *step)
{
	const char *argv[] = {"/bin/true", NULL};
	sandlock_result_t *r = sandlock_run(p, NULL, argv, 1);
	CHECK(r == NULL);
	CHECK_CONTAINS(sandlock_last_error(), tc_fmt("sandbox setup failed: %s: ", step));
}

/* At the filter: the child is still outside it, the courier waits. */
TEST(startfail_at_the_filter)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	refuse(SYS_seccomp, 0, SECCOMP_SET_MODE_FILTER, 2, EINVAL);
	check_fails(p, "seccomp filter");
}

/* After the filter: the open-file limit, set last (max_open_files); the
 * courier reports it and ends the process. */
TEST(startfail_after_the_filter)
{
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_open_files(tc_builder(), 64));
	refuse(SYS_prlimit64, 1, RLIMIT_NOFILE, 2, EIO);
	check_fails(p, "RLIMIT_NOFILE (max_open_files)");
}

/* Landlock: before the filter, or after it where the ruleset comes late
 * (then the courier received it). */
TEST(startfail_landlock)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	refuse(SYS_landlock_restrict_self, -1, 0, -1, EIO);
	check_fails(p, "landlock restrict_self");
}

/* The courier's own clone refused (a host whose filter refuses a thread
 * of these flags, or a task limit): the run fails naming that step, no
 * command runs, and nothing of the child is left. */
TEST(startfail_courier_clone_refused)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	refuse(SYS_clone, 0,
	       CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM, -1,
	       EAGAIN);
	check_fails(p, "start-up thread (clone)");
}
