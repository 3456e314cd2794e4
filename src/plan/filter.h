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

struct sandlock_sandbox;

/* One comparison of a syscall argument, on all 64 bits of the register.
 * An int argument is compared with SL_A32: the kernel truncates it, so a
 * filter comparing 64 bits is bypassed by setting high bits
 * (CVE-2019-10063). */
enum sl_cmp_op { SL_CMP_EQ = 1, SL_CMP_NE, SL_CMP_GT, SL_CMP_MASKED_EQ };
struct sl_argcmp {
	uint32_t arg, op;
	uint64_t mask, val;
};
/* clang-format off */
#define SL_A32(i, v)      {(i), SL_CMP_MASKED_EQ, 0xffffffffULL, (v)}
#define SL_ABIT(i, bit)   {(i), SL_CMP_MASKED_EQ, (bit), (bit)}
#define SL_AMASK(i, m, v) {(i), SL_CMP_MASKED_EQ, (m), (v)}
#define SL_ANE(i, v)      {(i), SL_CMP_NE, 0, (v)}
/* clang-format on */

/*
 * socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM, NETLINK_ROUTE), flags
 * (SOCK_CLOEXEC, SOCK_NONBLOCK) allowed in the type: the one form of
 * socket() the program leaves to a notify rule (features/netlink.c serves
 * it), when a rule of exactly these comparisons asks for it; every other
 * netlink socket, and this one without the rule, is EAFNOSUPPORT.  The
 * family and the protocol are compared on all 64 bits (a value with high
 * bits set is refused with the other families: none can hide a second
 * value there), the type through a mask, as the kernel reads it (an int,
 * its low four bits the type; SOCK_RAW 3 and SOCK_DGRAM 2 differ in bit 0).
 */
/* clang-format off */
#define SL_NETLINK_ROUTE_CMPS                                                                      \
	{{0, SL_CMP_EQ, 0, 16 /* AF_NETLINK */},                                                   \
	 {1, SL_CMP_MASKED_EQ, 0xe, 2 /* SOCK_DGRAM, SOCK_RAW */},                                 \
	 {2, SL_CMP_EQ, 0, 0 /* NETLINK_ROUTE */}}
/* clang-format on */

/* A notify rule: syscall nr goes to the supervisor when every comparison
 * holds (ncmp 0: every call).  No padding: rules compare with memcmp. */
#define SL_NRULE_CMPS 3
struct sl_nrule {
	int32_t nr;
	uint32_t ncmp;
	struct sl_argcmp cmp[SL_NRULE_CMPS];
};

struct filter_req {
	const struct sandlock_sandbox *cfg; /* extra deny / allow groups */
	const struct sl_nrule *rules;	    /* what goes to the supervisor */
	size_t n_rules;
	/* inet datagram sockets: UDP (protocol 0 or IPPROTO_UDP), and ICMP
	 * "ping" sockets (IPPROTO_ICMP on AF_INET, IPPROTO_ICMPV6 on
	 * AF_INET6); refused (EPERM) without (netproto.h decides) */
	bool allow_udp, allow_icmp;
	bool tty_jobs; /* the sandbox was handed the terminal: job control */
};

/* Everything the program depends on: the denied syscalls as a bitmap,
 * the flags, and the notify rules (a hash here, compared in full with the
 * prebuilt's own rules): two requests with equal keys and rules compile
 * to the same program. */
#define FILTER_KEY_WORDS 8 /* syscall numbers below 512 */
struct filter_key {
	uint64_t deny[FILTER_KEY_WORDS];
	uint64_t rules_hash;
	uint32_t n_rules;
	uint32_t flags;
	uint32_t valid; /* 0 if a number did not fit */
	uint32_t pad;
};

/* A program assembled at build time (tools/gen_filter.c runs
 * filter_assemble() on the default policy, with and without max_memory). */
struct filter_prebuilt {
	struct filter_key key;
	const struct sl_nrule *rules;
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

/* True when a rule notifies every call of nr. */
bool filter_notifies_all(const struct filter_req *req, int nr);

/* True if nr is denied outright by this policy (default list, sysv_ipc
 * unless allowed, extra_deny_syscalls). */
bool filter_denies(const struct sandlock_sandbox *cfg, int nr);
/* Why a custom handler cannot be put on nr under cfg (NULL: it can). */
const char *filter_handler_conflict(const struct sandlock_sandbox *cfg, int nr);

#endif
