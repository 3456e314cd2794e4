/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter.h - the seccomp-bpf program (spec 2.4), assembled with libseccomp
 * in the parent and exported as raw BPF, so the child installs it with one
 * seccomp(2) call (libseccomp's own loader allocates).
 */
#ifndef SL_FILTER_H
#define SL_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

struct filter_req {
	const struct sandlock_sandbox *cfg; /* extra deny / allow groups */
	const int *notify;                  /* syscalls for the supervisor */
	size_t n_notify;
	bool allow_dgram;                   /* udp/icmp rules exist (later) */
};

/* Compiles the program.  0 or -errno with a message. */
int filter_compile(const struct filter_req *req, struct sock_fprog *out);
void filter_free(struct sock_fprog *prog);

/* True if nr is denied outright by this policy (default list, sysv_ipc
 * unless allowed, extra_deny_syscalls). */
bool filter_denies(const struct sandlock_sandbox *cfg, int nr);

#endif
