/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpfshrink.h - make libseccomp's classic BPF program shorter without
 * changing a single decision.
 *
 * The kernel converts, checks and JIT-compiles the program at install and
 * runs it at every syscall the sandbox makes.  Two of libseccomp's
 * patterns are wasteful:
 *   - it compares the high word of every masked argument even when the
 *     mask's high word is 0 ("ld hi; and #0; jeq #0"), a test that always
 *     passes: removed where the next instruction reloads the accumulator
 *     (the removed load's value is never read) and nothing jumps into the
 *     triple's middle;
 *   - it tests one bit with "and #bit; jeq #bit": one "jset #bit" where no
 *     path reads the accumulator before reloading it and nothing jumps onto
 *     the jeq.
 * Jumps over what is removed are shortened.  The default policy's program
 * goes from 423 to 322 instructions.  (Its install time did not move
 * measurably on our VM, about 82 us: the kernel's fixed costs dominate
 * there.)  Runs in the parent (build time and run time alike).
 */
#ifndef SL_BPFSHRINK_H
#define SL_BPFSHRINK_H

#include <linux/filter.h>
#include <stddef.h>

/* Shrinks the n instructions of prog in place; returns the new count. */
size_t bpfshrink(struct sock_filter *prog, size_t n);

#endif
