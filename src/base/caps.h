/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps.h - the calling thread's capability sets (capget/capset act on one
 * thread, not on the process).  Not for code between clone and exec (it
 * sets errno): that code reads them with raw syscalls.
 */
#ifndef SL_CAPS_H
#define SL_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#define SL_CAP_BIT(c) (1ULL << (c))

struct sl_caps {
	uint64_t eff, perm, inh;
};

/* 0 or -errno. */
int sl_caps_get(struct sl_caps *c);
int sl_caps_set(const struct sl_caps *c);
/* Whether the thread holds cap in its effective set (false when capget
 * fails). */
bool sl_caps_effective(int cap);

#endif
