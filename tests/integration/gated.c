/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A created sandbox's command parks until started sharing the host's
 * address space (no page tables copied: a fork of a 2 GB host took 57 ms
 * a create), and that sharing changes nothing it may see or be charged.
 */
#include "common.h"

#include <linux/kcmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long same_vm(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);
}

/* Parked: the host's address space, in every created mode but
 * no_huge_pages (which marks the whole address space: a copy). */
TEST(gated_child_shares_the_host_address_space)
{
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	static const uint32_t flags[] = {0, SANDLOCK_CREATE_INLINE};
	for (size_t i = 0; i < 2; i++) {
		sandlock_sandbox_t *p = tc_build(tc_builder());
		sandlock_handle_t *h = sandlock_create_ex(p, NULL, argv, 3, flags[i]);
		if (!h)
			th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
		pid_t pid = sandlock_handle_pid(h);
		long r = same_vm(getpid(), pid);
		if (r < 0)
			SKIP("kcmp is not available here");
		CHECK_EQ(r, 0);
		CHECK_EQ(sandlock_start(h), 0);
		struct tc_res res = tc_result(sandlock_handle_wait(h));
		CHECK_EQ(res.code, 0);
		sandlock_handle_free(h);
	}
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_no_huge_pages(tc_builder(), true));
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	CHECK(h != NULL);
	CHECK(same_vm(getpid(), sandlock_handle_pid(h)) > 0);
	CHECK_EQ(sandlock_start(h), 0);
	CHECK_EQ(tc_result(sandlock_handle_wait(h)).code, 0);
	sandlock_handle_free(h);
}

/* Parked in a host that uses more memory than max_memory, over several
 * of the memory check's rounds: the host's memory is not the command's,
 * which starts and runs. */
TEST(gated_child_not_charged_with_the_host_memory)
{
	size_t big = 96u << 20;
	char *m = malloc(big);
	CHECK(m != NULL);
	memset(m, 1, big);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_max_memory(tc_builder(), 32u << 20));
	const char *argv[] = {tc_probe(), "echo", "ran", NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	usleep(350 * 1000);
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_EXITED);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "ran\n");
	sandlock_handle_free(h);
	CHECK_EQ(m[big - 1], 1);
	free(m);
}
