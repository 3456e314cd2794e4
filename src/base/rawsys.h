/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rawsys.h - system calls without libc: they return the kernel's result
 * (a value, or -errno) and touch neither errno nor any other thread-local
 * storage.
 *
 * Why: the sandbox child and the keeper process (keeper.c) run our code in
 * the host's address space (clone with CLONE_VM) while the host's threads
 * keep running.  They share the creating thread's TLS pointer, so a libc
 * wrapper that fails and writes errno would write the *host thread's*
 * errno behind its back.  Everything between clone and exec goes through
 * these instead, which also makes "only raw, async-signal-safe syscalls"
 * literally true.
 */
#ifndef SL_RAWSYS_H
#define SL_RAWSYS_H

#include <sys/syscall.h>

#if defined(__x86_64__)
static inline long sl_sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
static inline long sl_sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory", "cc");
	return x0;
}
#else
#error "sandlock supports x86_64 and aarch64"
#endif

#define SL_SYS_ARG(x)	     ((long)(x))
#define sl_sys0(nr)	     sl_sys6((nr), 0, 0, 0, 0, 0, 0)
#define sl_sys1(nr, a)	     sl_sys6((nr), SL_SYS_ARG(a), 0, 0, 0, 0, 0)
#define sl_sys2(nr, a, b)    sl_sys6((nr), SL_SYS_ARG(a), SL_SYS_ARG(b), 0, 0, 0, 0)
#define sl_sys3(nr, a, b, c) sl_sys6((nr), SL_SYS_ARG(a), SL_SYS_ARG(b), SL_SYS_ARG(c), 0, 0, 0)
#define sl_sys4(nr, a, b, c, d)                                                                    \
	sl_sys6((nr), SL_SYS_ARG(a), SL_SYS_ARG(b), SL_SYS_ARG(c), SL_SYS_ARG(d), 0, 0)
#define sl_sys5(nr, a, b, c, d, e)                                                                 \
	sl_sys6((nr), SL_SYS_ARG(a), SL_SYS_ARG(b), SL_SYS_ARG(c), SL_SYS_ARG(d), SL_SYS_ARG(e), 0)

/*
 * clone(2) running fn(arg) on a new stack in the child, which then leaves
 * with SYS_exit and fn's return value.  flags carry the exit signal in
 * their low byte.  With CLONE_PIDFD the pidfd is stored at *pidfd.
 * Returns the child's pid in the parent, or -errno; never touches TLS.
 */
long sl_raw_clone(unsigned long flags, void *stack_top, int *pidfd, int (*fn)(void *), void *arg);

/*
 * clone3(2) running fn(arg) on the stack the arguments give (its top must
 * be 16-byte aligned), then SYS_exit with fn's return value.  Returns the
 * child's pid in the parent, or -errno (-ENOSYS where a seccomp profile
 * such as Docker's default hides clone3); never touches TLS.
 */
struct clone_args;
long sl_raw_clone3(struct clone_args *args, unsigned long size, int (*fn)(void *), void *arg);

/* Leaves the calling thread (SYS_exit, not exit_group: see child.c),
 * exit_group where a policy denies exit (single-threaded callers only). */
__attribute__((noreturn)) void sl_raw_exit(int status);

#endif
