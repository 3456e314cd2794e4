/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A created sandbox's command parks until started sharing the host's
 * address space (no page tables copied: a fork of a 2 GB host took 57 ms
 * a create), and that sharing changes nothing it may see or be charged.
 */
#include "common.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long same_vm(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);
}

/* Parked: the host's address space, in every created mode but
 * no_huge_pages (which marks the whole address space: a copy), and but in
 * a host holding capabilities (a copy, see the test below). */
TEST(gated_child_shares_the_host_address_space)
{
	struct __user_cap_header_struct hd = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {{0}};
	CHECK_EQ(syscall(SYS_capget, &hd, caps), 0);
	bool privileged = caps[0].permitted | caps[1].permitted | caps[0].effective |
			  caps[1].effective | caps[0].inheritable | caps[1].inheritable;
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
		if (privileged)
			CHECK(r > 0);
		else
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

/* A value only the host writes: a process that can write it through a
 * parked child's memory has the host's memory. */
static volatile long host_secret = 1;

/* A host holding capabilities: a process of its uid without them cannot
 * reach its memory (the kernel's ptrace check wants the target's
 * permitted set within the caller's), nor through the parked command,
 * whose capabilities are dropped already. */
TEST(gated_child_does_not_open_a_privileged_host_to_a_lesser_process)
{
	struct __user_cap_header_struct hd = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {{0}};
	if (syscall(SYS_capget, &hd, caps) < 0 || !(caps[0].permitted | caps[1].permitted))
		SKIP("the host holds no capability");
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	sandlock_handle_t *h = sandlock_create(tc_build(tc_builder()), NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t parked = sandlock_handle_pid(h), host = getpid();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* same uid, no capability, no sandbox */
		struct __user_cap_data_struct none[2] = {{0}};
		if (syscall(SYS_capset, &hd, none) < 0)
			_exit(2);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)host);
		if (open(path, O_RDWR) >= 0)
			_exit(3); /* not the setup this test is about */
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)parked);
		int fd = open(path, O_RDWR);
		long v = 2;
		if (fd >= 0)
			(void)!pwrite(fd, &v, sizeof(v), (off_t)(uintptr_t)&host_secret);
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	if (WEXITSTATUS(st) == 3)
		SKIP("a process without capabilities reaches the host here");
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK_EQ(host_secret, 1);
	CHECK_EQ(sandlock_start(h), 0);
	CHECK_EQ(tc_result(sandlock_handle_wait(h)).code, 0);
	sandlock_handle_free(h);
}

/* The command's own execve, seen from its supervisor: whether the
 * process about to exec shares the host's address space. */
static int exec_vm_cb(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		      sandlock_action_out_t *out)
{
	(void)mem;
	long *seen = ud;
	if (*seen == -2)
		*seen = same_vm(getpid(), (pid_t)n->pid);
	sandlock_action_set_continue(out);
	return 0;
}

/* Started straight away, the same: in a host holding capabilities the
 * command's steps before its exec, capabilities dropped, do not run in the
 * host's address space (a process of its uid without capabilities that
 * opened the child's /proc/PID/mem then would keep the host's memory: its
 * fd holds the address space it was opened on). */
TEST(started_child_does_not_share_a_privileged_host_address_space)
{
	struct __user_cap_header_struct hd = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {{0}};
	if (syscall(SYS_capget, &hd, caps) < 0 || !(caps[0].permitted | caps[1].permitted))
		SKIP("the host holds no capability");
	long seen = -2;
	sandlock_handler_t *hd_ = sandlock_handler_new(exec_vm_cb, &seen, NULL, 0);
	CHECK(hd_ != NULL);
	sandlock_handler_registration_t reg = {.syscall_nr = SYS_execve, .handler = hd_};
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	struct tc_res r =
	    tc_result(sandlock_run_with_handlers(tc_build(tc_builder()), NULL, argv, 3, &reg, 1));
	CHECK_EQ(r.code, 0);
	if (seen == -1)
		SKIP("kcmp is not available here");
	CHECK(seen > 0);
}
