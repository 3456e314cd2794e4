/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpfshrink.h - make libseccomp's classic BPF program shorter without
 * changing a single decision.
 *
 * The kernel converts and JIT-compiles the program when the child installs
 * it, at about 0.16 us per instruction: every instruction saved is paid
 * back at every start.  libseccomp compares the high word of every masked
 * argument even when the mask's high word is 0 ("ld hi; and #0; jeq #0"),
 * a test that always passes.  Those triples are removed where the next
 * instruction reloads the accumulator (so the removed load's value is
 * never read) and nothing jumps into their middle; jumps over them are
 * shortened.  Runs in the parent (build time and run time alike).
 */
#ifndef SL_BPFSHRINK_H
#define SL_BPFSHRINK_H

#include <linux/filter.h>
#include <stddef.h>

/* Shrinks the n instructions of prog in place; returns the new count. */
size_t bpfshrink(struct sock_filter *prog, size_t n);

#endif
