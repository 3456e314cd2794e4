/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the vDSO patcher (src/features/vdso.c): a forked child
 * patches its own vDSO through /proc/self/mem, as the supervisor does a
 * sandboxed process's, and reads the clocks through libc (which calls
 * the vDSO) against the raw system calls (which the patch leaves alone
 * outside a sandbox).
 */
#include <elf.h>
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
	/* through a pointer: glibc declares tv non-null, the vDSO takes NULL */
	int (*volatile gtod)(struct timeval *, void *) = gettimeofday;
	struct timeval tv;
	if (gettimeofday(&tv, NULL) != 0 || !near(tv.tv_sec, sys_sec(0) + OFFSET) ||
	    gtod(NULL, NULL) != 0)
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
	if (!getauxval(AT_SYSINFO_EHDR))
		SKIP("no vDSO");
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
/* Where the jmp at entry leads, and the trampoline its detour calls (the
 * call after 7 bytes, or after 1 for time's detour). */
static size_t jmp_target(const uint8_t *img, size_t at)
{
	int32_t rel;
	memcpy(&rel, img + at + 1, 4);
	return (size_t)((int64_t)at + 5 + rel);
}

static size_t tramp_of(const uint8_t *img, size_t detour, size_t call_at)
{
	int32_t rel;
	CHECK_EQ(img[detour + call_at], 0xe8);
	memcpy(&rel, img + detour + call_at + 1, 4);
	return (size_t)((int64_t)detour + (int64_t)call_at + 5 + rel);
}

/* The offset of the vDSO's function name in img (its dynamic symbols
 * through the section headers). */
static size_t func_off(const uint8_t *img, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
		const char *str = (const char *)img + sh[sh[i].sh_link].sh_offset;
		for (size_t j = 0; j < sh[i].sh_size / sizeof(*sym); j++)
			if (!strcmp(str + sym[j].st_name, name))
				return sym[j].st_value;
	}
	th_fail(__FILE__, __LINE__, "no %s in the vDSO", name);
	return 0;
}

/* A copy of this process's vDSO (its length in *len), or NULL. */
static uint8_t *own_vdso(size_t *len)
{
	uint64_t base;
	int dirfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(dirfd >= 0);
	int r = vdso_find(dirfd, &base, len);
	close(dirfd);
	if (r == -ENOENT)
		return NULL;
	CHECK_EQ(r, 0);
	uint8_t *img = aligned_alloc(16, *len);
	CHECK(img != NULL);
	memcpy(img, (const void *)(uintptr_t)base, *len);
	return img;
}

TEST(vdso_plan_refuses_other_images)
{
	size_t len;
	uint8_t *real = own_vdso(&len);
	if (!real)
		SKIP("no vDSO");
	uint8_t *img = aligned_alloc(16, len);
	CHECK(img != NULL);
	struct vdso_req req = {.time = true, .offset = 1};
	struct vdso_plan plan;
	memset(img, 0, len);
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), -ENOEXEC);
	memcpy(img, real, len);
	img[18] = 0xb7; /* e_machine: aarch64 */
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), -ENOEXEC);
	memcpy(img, real, len);
	memset(img + 0x28, 0xff, 8); /* e_shoff past the end */
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), -ENOEXEC);
	/* the real one plans: detours after everything, the entries jmps */
	memcpy(img, real, len);
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), 0);
	CHECK(plan.n_entries == 3 && plan.tail_off + plan.tail_len == len);
	for (size_t i = 0; i < plan.n_entries; i++)
		CHECK_EQ(img[plan.entries[i]], 0xe9);
	free(img);
	free(real);
}

/* An entry that starts with endbr64 keeps it: the jmp comes after it,
 * the trampoline moves what follows (whole instructions covering at
 * least 5 bytes) and jumps back behind them.  The prologue is written
 * into the copy: the test does not hang on this kernel's. */
TEST(vdso_plan_keeps_endbr64)
{
	size_t len;
	uint8_t *img = own_vdso(&len);
	if (!img)
		SKIP("no vDSO");
	size_t f = func_off(img, "__vdso_clock_gettime");
	/* endbr64; push r14; push rbx; and rsp,-16 */
	memcpy(img + f, "\xf3\x0f\x1e\xfa\x41\x56\x53\x48\x83\xe4\xf0", 11);
	struct vdso_req req = {.time = true, .offset = 5};
	struct vdso_plan plan;
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), 0);
	CHECK_EQ(plan.done.clock_gettime, VDSO_DIRECT);
	CHECK(memcmp(img + f, "\xf3\x0f\x1e\xfa\xe9", 5) == 0);
	CHECK_EQ(img[f + 9], 0xcc); /* the rest of the moved bytes */
	size_t t = tramp_of(img, jmp_target(img, f + 4), 6);
	CHECK(memcmp(img + t, "\x41\x56\x53\x48\x83\xe4\xf0\xe9", 8) == 0);
	CHECK_EQ(jmp_target(img, t + 7), f + 4 + 7);
	free(img);
}

/* A RIP-relative operand is moved with its displacement adjusted: the
 * same target from the trampoline. */
TEST(vdso_plan_moves_rip_relative)
{
	size_t len;
	uint8_t *img = own_vdso(&len);
	if (!img)
		SKIP("no vDSO");
	size_t f = func_off(img, "__vdso_time");
	/* cmpl $0x7fffffff, -0x1234(%rip) */
	memcpy(img + f, "\x81\x3d\xcc\xed\xff\xff\xff\xff\xff\x7f", 10);
	uint8_t *orig = malloc(len);
	CHECK(orig != NULL);
	memcpy(orig, img, len);
	struct vdso_req req = {.time = true, .offset = 5};
	struct vdso_plan plan;
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), 0);
	CHECK_EQ(plan.done.time, VDSO_DIRECT);
	size_t t = tramp_of(img, jmp_target(img, f), 1);
	int32_t d0, d1;
	memcpy(&d0, orig + f + 2, 4);
	memcpy(&d1, img + t + 2, 4);
	CHECK_EQ((int64_t)f + 10 + d0, (int64_t)t + 10 + d1);
	CHECK(memcmp(img + t + 6, orig + f + 6, 4) == 0); /* the immediate */
	free(orig);
	free(img);
}

/* An entry whose first instruction is not on the whitelist (a call) gets
 * the system-call trampoline: mov eax, 228; syscall; ret. */
TEST(vdso_plan_falls_back_on_syscall)
{
	size_t len;
	uint8_t *img = own_vdso(&len);
	if (!img)
		SKIP("no vDSO");
	size_t f = func_off(img, "__vdso_clock_gettime");
	memcpy(img + f, "\xe8\x00\x00\x00\x00", 5);
	struct vdso_req req = {.time = true, .offset = 5};
	struct vdso_plan plan;
	CHECK_EQ(vdso_plan_image(img, len, &req, &plan), 0);
	CHECK_EQ(plan.done.clock_gettime, VDSO_SYSCALL);
	CHECK_EQ(img[f], 0xe9);
	size_t t = tramp_of(img, jmp_target(img, f), 6);
	CHECK(memcmp(img + t, "\xb8\xe4\x00\x00\x00\x0f\x05\xc3", 8) == 0);
	free(img);
}
