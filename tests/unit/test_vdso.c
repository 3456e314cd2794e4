/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the vDSO patcher (src/features/vdso.c): a forked child
 * patches its own vDSO through /proc/self/mem, as the supervisor does a
 * sandboxed process's, and reads the clocks through libc (which calls
 * the vDSO) against the raw system calls (which the patch leaves alone
 * outside a sandbox).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "vdso.h"

#define OFFSET (-1000000000LL) /* about 31.7 years back */

static long long sys_sec(clockid_t c)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, c, &ts);
	return (long long)ts.tv_sec;
}

static bool near(long long a, long long b)
{
	return a - b < 3 && b - a < 3;
}

/* The child's checks, numbered: its exit code names the first failed. */
static int patched_checks(bool via_syscall)
{
	int dirfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	uint64_t base;
	size_t len;
	if (dirfd < 0 || memfd < 0 || vdso_find(dirfd, &base, &len) < 0)
		return 1;
	if (base != getauxval(AT_SYSINFO_EHDR) || vdso_is_patched(memfd, base, len))
		return 2;
	struct vdso_req req = {.time = true, .offset = OFFSET, .via_syscall = via_syscall};
	struct vdso_done done;
	if (vdso_patch(memfd, base, len, &req, &done) < 0)
		return 3;
	enum vdso_how want = via_syscall ? VDSO_SYSCALL : done.clock_gettime;
	if (done.clock_gettime == VDSO_ABSENT || done.clock_gettime != want ||
	    done.gettimeofday == VDSO_ABSENT || done.time == VDSO_ABSENT)
		return 4;
	struct timespec ts, mono;
	for (clockid_t c = 0; c <= 11; c++) {
		if (c == CLOCK_REALTIME_ALARM || c == CLOCK_BOOTTIME_ALARM || c == 6 || c == 10)
			continue; /* the alarm clocks need an RTC; ids 6, 10 none */
		if (clock_gettime(c, &ts) != 0)
			return 5;
		long long want_sec = sys_sec(c) + (vdso_realtime_clock(c) ? OFFSET : 0);
		if (c != CLOCK_PROCESS_CPUTIME_ID && c != CLOCK_THREAD_CPUTIME_ID &&
		    !near(ts.tv_sec, want_sec))
			return 6;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &mono) != 0 || !near(mono.tv_sec, sys_sec(1)))
		return 7;
	struct timeval tv, *volatile none = NULL; /* (volatile: gcc knows NULL is odd) */
	if (gettimeofday(&tv, NULL) != 0 || !near(tv.tv_sec, sys_sec(0) + OFFSET) ||
	    gettimeofday(none, NULL) != 0)
		return 8;
	time_t t = 0, r = time(&t);
	if (!near(r, sys_sec(0) + OFFSET) || t != r || !near(time(NULL), sys_sec(0) + OFFSET))
		return 9;
	if (!vdso_is_patched(memfd, base, len) ||
	    vdso_patch(memfd, base, len, &req, &done) != -EALREADY)
		return 10;
	/* a fork keeps the patched copy */
	pid_t pid = fork();
	if (pid == 0)
		_exit(near(time(NULL), sys_sec(0) + OFFSET) ? 0 : 1);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
		return 11;
	return 0;
}

static void check_patch(bool via_syscall)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(patched_checks(via_syscall));
	int st;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		th_fail(__FILE__, __LINE__, "patched vDSO: check %d failed (status 0x%x)",
			WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
}

TEST(vdso_patch_shifts_the_realtime_family)
{
	if (!getauxval(AT_SYSINFO_EHDR))
		SKIP("no vDSO");
	check_patch(false);
}

TEST(vdso_patch_syscall_trampolines)
{
	if (!getauxval(AT_SYSINFO_EHDR))
		SKIP("no vDSO");
	check_patch(true);
}

/* getrandom: -ENOSYS once patched (kernels with a vDSO getrandom). */
TEST(vdso_patch_getrandom_enosys)
{
	pid_t pid = fork();
	if (pid == 0) {
		int dirfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
		int memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		uint64_t base;
		size_t len;
		struct vdso_req req = {.getrandom = true};
		struct vdso_done done;
		if (dirfd < 0 || memfd < 0 || vdso_find(dirfd, &base, &len) < 0 ||
		    vdso_patch(memfd, base, len, &req, &done) < 0)
			_exit(1);
		if (!done.getrandom)
			_exit(77);
		uint8_t *img = malloc(len);
		if (!img || pread(memfd, img, len, (off_t)base) != (ssize_t)len)
			_exit(2);
		struct vdso_plan plan;
		/* the image is marked now: planning again refuses */
		_exit(vdso_plan_image(img, len, &req, &plan) == -EALREADY ? 0 : 3);
	}
	int st;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		SKIP("no vDSO getrandom on this kernel");
	CHECK_EQ(WEXITSTATUS(st), 0);
}

/* An image that is not an x86_64 ELF, or is cut short, is refused. */
TEST(vdso_plan_refuses_other_images)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	if (!base)
		SKIP("no vDSO");
	size_t len = 8192;
	uint8_t *img = aligned_alloc(16, len);
	CHECK(img != NULL);
	struct vdso_req req = {.time = true, .offset = 1};
	struct vdso_plan plan;
	memset(img, 0, len);
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), -ENOEXEC);
	memcpy(img, (const void *)base, len);
	img[18] = 0xb7; /* e_machine: aarch64 */
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), -ENOEXEC);
	memcpy(img, (const void *)base, len);
	memset(img + 0x28, 0xff, 8); /* e_shoff past the end */
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), -ENOEXEC);
	/* the real one plans: stubs after everything, the entries jmps */
	memcpy(img, (const void *)base, len);
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), 0);
	CHECK(plan.n_entries == 3 && plan.tail_off + plan.tail_len == len);
	for (size_t i = 0; i < plan.n_entries; i++)
		CHECK_EQ(img[plan.entries[i]], 0xe9);
	free(img);
}
