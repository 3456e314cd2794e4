/* SPDX-License-Identifier: Apache-2.0 */
/* bpfrun.h - a classic-BPF interpreter for seccomp programs (tests). */
#ifndef SL_TEST_BPFRUN_H
#define SL_TEST_BPFRUN_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#define BPFRUN_NO_RESULT 0xdeadbeefu

/* The action of the program p (n instructions) for d, or BPFRUN_NO_RESULT
 * for an instruction this interpreter does not know (the subset seccomp
 * accepts; a test then fails: it must know them all). */
uint32_t bpfrun(const struct sock_filter *p, size_t n, const struct seccomp_data *d);

#endif
