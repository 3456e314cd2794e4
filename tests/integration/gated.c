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

/* Whether the host holds capabilities its children cannot keep until
 * exec (some, but not CAP_SETPCAP: the child is then a copy). */
static bool caps_unkept(void)
{
	struct __user_cap_header_struct hd = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {{0}};
	CHECK_EQ(syscall(SYS_capget, &hd, caps), 0);
	bool held = caps[0].permitted | caps[1].permitted | caps[0].effective | caps[1].effective |
		    caps[0].inheritable | caps[1].inheritable;
	return held && !(caps[0].permitted & CAP_TO_MASK(CAP_SETPCAP));
}

/* Parked: the host's address space, in every created mode but
 * no_huge_pages (which marks the whole address space: a copy), and but in
 * a host holding capabilities without CAP_SETPCAP (a copy, see below). */
TEST(gated_child_shares_the_host_address_space)
{
	bool privileged = caps_unkept();
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
 * which shares the host's address space and keeps the host's permitted
 * set until its exec (none effective). */
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

/* A host holding capabilities but not CAP_SETPCAP: its child cannot
 * keep them until exec (the bounding set stays, so exec could grant file
 * capabilities within it) and drops them all, so it runs on a copy of
 * the host's memory: a process of its uid without capabilities that
 * opens the parked child's /proc/PID/mem reaches only the copy. */
TEST(gated_child_of_a_host_without_setpcap_is_a_copy)
{
	struct __user_cap_header_struct hd = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {{0}};
	if (syscall(SYS_capget, &hd, caps) < 0 || !(caps[0].permitted & CAP_TO_MASK(CAP_SETPCAP)))
		SKIP("the host does not hold CAP_SETPCAP");
	caps[0].permitted &= ~CAP_TO_MASK(CAP_SETPCAP);
	caps[0].effective &= ~CAP_TO_MASK(CAP_SETPCAP);
	CHECK_EQ(syscall(SYS_capset, &hd, caps), 0);
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	sandlock_handle_t *h = sandlock_create(tc_build(tc_builder()), NULL, argv, 3);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	pid_t parked = sandlock_handle_pid(h);
	long r = same_vm(getpid(), parked);
	if (r >= 0)
		CHECK(r > 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct __user_cap_data_struct none[2] = {{0}};
		if (syscall(SYS_capset, &hd, none) < 0)
			_exit(2);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)parked);
		int fd = open(path, O_RDWR);
		long v = 2;
		if (fd >= 0)
			(void)!pwrite(fd, &v, sizeof(v), (off_t)(uintptr_t)&host_secret);
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(host_secret, 1);
	CHECK_EQ(sandlock_start(h), 0);
	CHECK_EQ(tc_result(sandlock_handle_wait(h)).code, 0);
	sandlock_handle_free(h);
}

/* A capability set of pid, as /proc/PID/status shows it ("CapPrm:"). */
static unsigned long long cap_set(pid_t pid, const char *key)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char k[16];
	snprintf(k, sizeof(k), "\n%s", key);
	const char *at = strstr(buf, k); /* after a newline: not in Name: */
	CHECK(at != NULL);
	return strtoull(at + strlen(k), NULL, 16);
}

/* What the command's process is at its own execve, seen from its
 * supervisor: whether it shares the host's address space, its permitted
 * and effective sets, and whether a process of the host's uid without
 * capabilities could open its /proc/PID/mem (0 no, 1 yes). */
struct at_exec {
	long same_vm;
	unsigned long long prm, eff;
	int opened;
};

static int exec_vm_cb(void *ud, const sandlock_notif_data_t *n, sandlock_mem_handle_t *mem,
		      sandlock_action_out_t *out)
{
	(void)mem;
	struct at_exec *seen = ud;
	pid_t pid = (pid_t)n->pid;
	if (seen->same_vm == -2) {
		seen->same_vm = same_vm(getpid(), pid);
		seen->prm = cap_set(pid, "CapPrm:");
		seen->eff = cap_set(pid, "CapEff:");
		pid_t k = fork();
		if (k == 0) {
			struct __user_cap_header_struct hd = {.version =
								  _LINUX_CAPABILITY_VERSION_3};
			struct __user_cap_data_struct none[2] = {{0}};
			if (syscall(SYS_capset, &hd, none) < 0)
				_exit(2);
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
			_exit(open(path, O_RDWR) >= 0);
		}
		int st = 0;
		seen->opened =
		    k > 0 && waitpid(k, &st, 0) == k && WIFEXITED(st) ? WEXITSTATUS(st) : 3;
	}
	sandlock_action_set_continue(out);
	return 0;
}

/* Started straight away, in a host holding CAP_SETPCAP: the command's
 * steps before its exec run in the host's address space (no copy), with
 * the host's permitted set kept and none effective, so that a process of
 * its uid without capabilities cannot open its /proc/PID/mem (whose fd
 * would keep the host's memory, writable).  After the exec it holds
 * nothing (privilege.c). */
TEST(started_child_keeps_a_privileged_host_permitted_set_until_exec)
{
	struct __user_cap_header_struct hd = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {{0}};
	if (syscall(SYS_capget, &hd, caps) < 0 || !(caps[0].permitted & CAP_TO_MASK(CAP_SETPCAP)))
		SKIP("the host does not hold CAP_SETPCAP");
	struct at_exec seen = {.same_vm = -2};
	sandlock_handler_t *hd_ = sandlock_handler_new(exec_vm_cb, &seen, NULL, 0);
	CHECK(hd_ != NULL);
	sandlock_handler_registration_t reg = {.syscall_nr = SYS_execve, .handler = hd_};
	const char *argv[] = {tc_probe(), "exit", "0", NULL};
	struct tc_res r =
	    tc_result(sandlock_run_with_handlers(tc_build(tc_builder()), NULL, argv, 3, &reg, 1));
	CHECK_EQ(r.code, 0);
	CHECK_EQ(seen.opened, 0);
	CHECK_EQ(seen.eff, 0);
	unsigned long long host_prm = caps[0].permitted | (unsigned long long)caps[1].permitted
							      << 32;
	CHECK_EQ(seen.prm, host_prm);
	if (seen.same_vm == -1)
		SKIP("kcmp is not available here");
	CHECK_EQ(seen.same_vm, 0);
}
