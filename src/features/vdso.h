/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vdso.h - the vDSO of a sandboxed process, patched from the supervisor
 * (x86_64): clock_gettime, gettimeofday and time answer the shifted wall
 * clock without a system call, and getrandom answers -ENOSYS so that
 * every libc falls back on the getrandom system call (which random.c
 * answers from the seed).
 *
 * How: the image is read through /proc/PID/mem at the [vdso] mapping of
 * /proc/PID/maps (both written by the kernel), its ELF section headers
 * give the dynamic symbols and the end of what the image uses; the rest
 * of its last page (the tail) takes the detours.  Each patched entry gets a
 * 5-byte `jmp rel32` to its detour (after an `endbr64` when it starts with
 * one, kept for indirect branch tracking).  A detour calls a trampoline:
 * the instructions the jmp overwrote, moved (a small whitelist of
 * position-independent or RIP-relative ones, their displacement
 * adjusted), then a jmp back behind them; the original function runs
 * unchanged and the detour adds the offset to what it returned.  An entry
 * whose first instructions are not on the whitelist gets a trampoline
 * that makes the system call instead (one notified call per read: the
 * supervisor lets calls from a patched vDSO through unshifted).
 *
 * The writes go through /proc/PID/mem (the kernel's FOLL_FORCE write
 * gives the process a private copy of the page, as a debugger's
 * breakpoint does): the supervisor must be allowed to ptrace-attach the
 * process (same uid and dumpable, or CAP_SYS_PTRACE).
 */
#ifndef SL_VDSO_H
#define SL_VDSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest vDSO image handled (x86_64's is two pages). */
#define VDSO_MAX_LEN ((size_t)64 << 10)

struct vdso_req {
	bool time;	/* shift clock_gettime, gettimeofday, time */
	int64_t offset; /* seconds added to the realtime family */
	bool getrandom; /* getrandom answers -ENOSYS */
	/* the system-call trampolines only, whatever the prologues (the
	 * unit tests' way to run the fallback on any kernel) */
	bool via_syscall;
};

/* What a patch did, per function. */
enum vdso_how { VDSO_ABSENT = 0, VDSO_DIRECT, VDSO_SYSCALL };
struct vdso_done {
	enum vdso_how clock_gettime, gettimeofday, time;
	bool getrandom;
};

/* The realtime clocks the detours and the supervisor shift:
 * CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_REALTIME_ALARM, CLOCK_TAI. */
bool vdso_realtime_clock(int64_t clock);

/* The [vdso] mapping of the process whose /proc directory is dirfd:
 * 0 with *base and *len, -ENOENT when it has none, or -errno. */
int vdso_find(int dirfd, uint64_t *base, size_t *len);

/* True when the image at base (through memfd, the process's
 * /proc/PID/mem) carries this module's mark at its end. */
bool vdso_is_patched(int memfd, uint64_t base, size_t len);

/* Patches img (len bytes, a copy of the vDSO) in place: detours in the tail,
 * jmps at the entries; the changed ranges in *tail_off/tail_len and
 * entries[] (*n_entries of at most 4, each 5 bytes at an offset), so the
 * writer can put the detours first.  0, or -errno: -ENOEXEC for an image it
 * cannot read, -ENOSPC when the tail is too short, -EALREADY when marked. */
struct vdso_plan {
	size_t tail_off, tail_len;
	size_t entries[4];
	size_t n_entries;
	struct vdso_done done;
};
int vdso_plan_image(uint8_t *img, size_t len, const struct vdso_req *req, struct vdso_plan *out);

/* Reads the image, plans and writes it: 0 (done in *done), -EALREADY
 * when it already is, or -errno. */
int vdso_patch(int memfd, uint64_t base, size_t len, const struct vdso_req *req,
	       struct vdso_done *done);

#endif
