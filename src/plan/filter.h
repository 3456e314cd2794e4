/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter.h - the seccomp-bpf program, assembled with libseccomp
 * in the parent and exported as raw BPF, so the child installs it with one
 * seccomp(2) call (libseccomp's own loader allocates).
 */
#ifndef SL_FILTER_H
#define SL_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct filter_req {
	const struct sandlock_sandbox *cfg; /* extra deny / allow groups */
	const int *notify;		    /* syscalls for the supervisor */
	size_t n_notify;
	bool allow_dgram; /* udp/icmp rules exist (later) */
	bool mem_rules;	  /* max_memory: notify the allocating forms of mmap & co */
	bool tty_jobs;	  /* the sandbox was handed the terminal: job control */
};

/* Everything the program depends on, as bitmaps of syscall numbers: two
 * requests with equal keys compile to the same program. */
#define FILTER_KEY_WORDS 8 /* syscall numbers below 512 */
struct filter_key {
	uint64_t deny[FILTER_KEY_WORDS];
	uint64_t notify[FILTER_KEY_WORDS];
	uint32_t flags;
	uint32_t valid; /* 0 if a number did not fit */
};

/* A program assembled at build time (tools/gen_filter.c runs
 * filter_assemble() on the default policy, with and without max_memory). */
struct filter_prebuilt {
	struct filter_key key;
	unsigned short len;
	const struct sock_filter *insns;
};

void filter_key_of(const struct filter_req *req, struct filter_key *key);

/* The program for req: a prebuilt one when the key matches (most runs:
 * libseccomp costs ~0.3 ms cold, a quarter of a process start),
 * else assembled now.  0 or -errno with a message. */
int filter_compile(const struct filter_req *req, struct sock_fprog *out);
/* Always assembles with libseccomp, then shrinks the program
 * (bpfshrink.h). */
int filter_assemble(const struct filter_req *req, struct sock_fprog *out);
/* libseccomp's program as exported (the tests check the shrunk one
 * decides alike). */
int filter_assemble_raw(const struct filter_req *req, struct sock_fprog *out);
void filter_free(struct sock_fprog *prog);

/* True if nr is denied outright by this policy (default list, sysv_ipc
 * unless allowed, extra_deny_syscalls). */
bool filter_denies(const struct sandlock_sandbox *cfg, int nr);
/* Why a custom handler cannot be put on nr under cfg (NULL: it can). */
const char *filter_handler_conflict(const struct sandlock_sandbox *cfg, int nr);

#endif
