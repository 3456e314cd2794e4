/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rawclone.c - clone(2) with a function on a new stack, written against
 * the kernel ABI directly (see rawsys.h for why libc's clone() is not
 * used: on failure it writes errno, which in a CLONE_VM child is the
 * creating host thread's errno).
 *
 * The function and its argument are pushed on the new stack before the
 * syscall; the child pops them, calls fn(arg) and exits with its result.
 * The parent returns the kernel's answer (pid or -errno).
 */
#include "rawsys.h"

#include <sys/syscall.h>

#if defined(__x86_64__)
/* rdi = flags, rsi = stack top, rdx = pidfd, rcx = fn, r8 = arg.
 * clone(flags, newsp, parent_tid, child_tid, tls) in rdi, rsi, rdx, r10, r8. */
__asm__(".text\n"
	".globl sl_raw_clone\n"
	".hidden sl_raw_clone\n"
	".type sl_raw_clone,@function\n"
	"sl_raw_clone:\n"
	"	andq $-16, %rsi\n"
	"	subq $16, %rsi\n"
	"	movq %r8, 0(%rsi)\n"
	"	movq %rcx, 8(%rsi)\n"
	"	xorl %r10d, %r10d\n"
	"	xorl %r8d, %r8d\n"
	"	movl $56, %eax\n" /* SYS_clone */
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jnz 1f\n"
	/* child: a fresh frame on the new stack (aligned for the call) */
	"	xorl %ebp, %ebp\n"
	"	popq %rdi\n"
	"	popq %rax\n"
	"	callq *%rax\n"
	"	movl %eax, %edi\n"
	"	movl $60, %eax\n" /* SYS_exit */
	"	syscall\n"
	"	hlt\n"
	"1:	retq\n"
	".size sl_raw_clone, .-sl_raw_clone\n");
/* rdi = clone_args, rsi = size, rdx = fn, rcx = arg.  clone3 starts the
 * child on stack + stack_size with every register but rax, rcx and r11 as
 * the parent had them: fn and arg travel in r9 and r8. */
__asm__(".text\n"
	".globl sl_raw_clone3\n"
	".hidden sl_raw_clone3\n"
	".type sl_raw_clone3,@function\n"
	"sl_raw_clone3:\n"
	"	movq %rdx, %r9\n"
	"	movq %rcx, %r8\n"
	"	movl $435, %eax\n" /* SYS_clone3 */
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jnz 1f\n"
	"	xorl %ebp, %ebp\n"
	"	movq %r8, %rdi\n"
	"	callq *%r9\n"
	"	movl %eax, %edi\n"
	"	movl $60, %eax\n" /* SYS_exit */
	"	syscall\n"
	"	hlt\n"
	"1:	retq\n"
	".size sl_raw_clone3, .-sl_raw_clone3\n");
#elif defined(__aarch64__)
/* x0 = flags, x1 = stack top, x2 = pidfd, x3 = fn, x4 = arg.
 * clone(flags, newsp, parent_tid, tls, child_tid) in x0..x4. */
__asm__(".text\n"
	".globl sl_raw_clone\n"
	".hidden sl_raw_clone\n"
	".type sl_raw_clone,%function\n"
	"sl_raw_clone:\n"
	"	and x1, x1, #-16\n"
	"	stp x3, x4, [x1, #-16]!\n"
	"	mov x3, xzr\n"
	"	mov x4, xzr\n"
	"	mov x8, #220\n" /* SYS_clone */
	"	svc #0\n"
	"	cbnz x0, 1f\n"
	"	mov x29, xzr\n"
	"	mov x30, xzr\n"
	"	ldp x1, x0, [sp], #16\n"
	"	blr x1\n"
	"	mov x8, #93\n" /* SYS_exit */
	"	svc #0\n"
	"	brk #0\n"
	"1:	ret\n"
	".size sl_raw_clone, .-sl_raw_clone\n");
/* x0 = clone_args, x1 = size, x2 = fn, x3 = arg; the child has every
 * register but x0 as the parent had them: fn and arg travel in x10, x11. */
__asm__(".text\n"
	".globl sl_raw_clone3\n"
	".hidden sl_raw_clone3\n"
	".type sl_raw_clone3,%function\n"
	"sl_raw_clone3:\n"
	"	mov x10, x2\n"
	"	mov x11, x3\n"
	"	mov x8, #435\n" /* SYS_clone3 */
	"	svc #0\n"
	"	cbnz x0, 1f\n"
	"	mov x29, xzr\n"
	"	mov x30, xzr\n"
	"	mov x0, x11\n"
	"	blr x10\n"
	"	mov x8, #93\n" /* SYS_exit */
	"	svc #0\n"
	"	brk #0\n"
	"1:	ret\n"
	".size sl_raw_clone3, .-sl_raw_clone3\n");
#endif

/* exit_group where a policy denies exit (the child calls this under its
 * filter; policy.c refuses denying both): the callers are
 * single-threaded, either ends the process. */
void sl_raw_exit(int status)
{
	for (;;) {
		sl_sys1(SYS_exit, status);
		sl_sys1(SYS_exit_group, status);
	}
}
