/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the BPF shrinking (src/plan/bpfshrink.c): the shrunk program
 * must decide exactly as libseccomp's does.  A small classic-BPF
 * interpreter (the subset seccomp accepts) runs both over every syscall
 * number with arguments drawn from values the rules compare against
 * (mode bits, flags, pids, high words set), for the policies whose
 * programs differ.
 */
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bpfrun.h"
#include "bpfshrink.h"
#include "filter.h"
#include "harness.h"
#include "policy.h"
#include "planreq.h"

/* Argument values worth trying: what the rules compare against. */
static const uint64_t values[] = {
    0,
    1,
    2,
    3,
    4,
    6,
    7,
    10,
    16,	 /* AF_NETLINK */
    17,	 /* IPPROTO_UDP */
    18,	 /* SIGCONT */
    58,	 /* IPPROTO_ICMPV6 */
    136, /* IPPROTO_UDPLITE */
    262, /* IPPROTO_MPTCP */
    0x11,
    0x20,
    0x40,
    0x400,
    0x800,
    0x1000,
    S_IFCHR | 0644,
    S_IFBLK | 0600,
    S_IFREG | S_ISUID | 0755,
    S_IFREG | S_ISGID | 0755,
    S_ISUID | S_ISGID | 0777,
    0x5410,	/* TIOCSPGRP */
    0x5412,	/* TIOCSTI */
    0x20000000, /* MSG_FASTOPEN */
    1ULL << 32, /* a high flags bit, which the kernel drops */
    (1ULL << 32) | 0x20000000,
    (1ULL << 32) | 0x4000,
    0x00400000, /* O_TMPFILE's bit */
    0x00410000,
    0x10000000, /* a namespace flag of clone */
    0x7e020000,
    0xffffffffu,
    0x100000000ULL,
    0x100000000ULL | S_ISUID,
    0x100000000ULL | 17,
    0xffffffff00000000ULL,
    0xffffffffffffffffULL,
    0x8000000000000000ULL | 0x800,
};
#define N_VALUES (sizeof(values) / sizeof(values[0]))

/* A deterministic stream (xorshift), so a failure reproduces. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define SWEEP  (6 * (int)N_VALUES)
#define RANDOM 1000

/* Counts the inputs on which the two programs disagree: every syscall
 * number, each argument alone at each value, then random combinations. */
static size_t disagreements(const struct sock_fprog *raw, const struct sock_fprog *small)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t bad = 0;
	const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64};
	for (size_t ai = 0; ai < 3; ai++)
		for (int nr = 0; nr < 480; nr++)
			for (int t = 0; t < SWEEP + RANDOM; t++) {
				struct seccomp_data d = {.nr = nr, .arch = arches[ai]};
				if (t == 1)
					d.nr = nr | 0x40000000; /* x32 */
				if (t < SWEEP)			/* one argument set, the others 0 */
					d.args[t % 6] = values[t / 6];
				for (int i = 0; t >= SWEEP && i < 6; i++)
					d.args[i] = values[next(&seed) % N_VALUES];
				uint32_t x = bpfrun(raw->filter, raw->len, &d);
				uint32_t y = bpfrun(small->filter, small->len, &d);
				bad += x != y || x == BPFRUN_NO_RESULT;
			}
	return bad;
}

/* The policies whose programs differ: the default, with max_memory, with
 * the terminal handed over, with UDP or ICMP sockets, and with a user
 * handler on a few calls. */
static void check_policy(bool mem, bool tty, unsigned dgram, const int *extra, size_t n_extra)
{
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	cfg.max_memory = (struct sl_opt_u64){mem, 64u << 20};
	struct filter_req req = planreq(&cfg, tty, extra, n_extra);
	req.allow_udp = dgram & 1;
	req.allow_icmp = dgram & 2;
	struct sock_fprog raw, small;
	CHECK_EQ(filter_assemble_raw(&req, &raw), 0);
	CHECK_EQ(filter_assemble(&req, &small), 0);
	CHECK(small.len < raw.len);
	CHECK_EQ(disagreements(&raw, &small), 0);
	filter_free(&raw);
	filter_free(&small);
	planreq_free(&req);
	policy_release(&cfg);
}

TEST(bpfshrink_decides_alike)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	check_policy(false, false, 0, NULL, 0);
	check_policy(true, false, 0, NULL, 0);
	check_policy(false, true, 0, NULL, 0);
	check_policy(false, false, 1, NULL, 0);
	check_policy(false, false, 2, NULL, 0);
	check_policy(false, false, 3, NULL, 0);
	const int user[] = {__NR_openat, __NR_chmod, __NR_setpriority, __NR_socket};
	check_policy(true, true, 0, user, 4);
}

/* The interpreter is strict enough to see a wrong jump: a program shrunk
 * by hand the wrong way (one removed triple's jumps left as they were)
 * disagrees. */
TEST(bpfshrink_check_can_fail)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct filter_req req = planreq(&cfg, false, NULL, 0);
	struct sock_fprog raw, broken;
	CHECK_EQ(filter_assemble_raw(&req, &raw), 0);
	CHECK_EQ(filter_assemble_raw(&req, &broken), 0);
	/* drop the first "ld; and #0; jeq #0" without fixing any jump */
	size_t at = broken.len;
	for (size_t i = 0; i + 3 < broken.len && at == broken.len; i++)
		if (broken.filter[i + 1].code == (BPF_ALU | BPF_AND | BPF_K) &&
		    broken.filter[i + 1].k == 0)
			at = i;
	CHECK(at < broken.len);
	memmove(&broken.filter[at], &broken.filter[at + 3],
		(broken.len - at - 3) * sizeof(struct sock_filter));
	broken.len -= 3;
	CHECK(disagreements(&raw, &broken) > 0);
	filter_free(&raw);
	filter_free(&broken);
	policy_release(&cfg);
}

/* A jump into the middle of a triple keeps it; a triple not followed by
 * a reload keeps it (the accumulator's value would be read). */
TEST(bpfshrink_keeps_what_it_must)
{
	struct sock_filter p[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 1), /* into the and below */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 20),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 28),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
	    BPF_STMT(BPF_RET | BPF_A, 0), /* reads A: no reload before it */
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter q[sizeof(p) / sizeof(p[0])];
	memcpy(q, p, sizeof(p));
	CHECK_EQ(bpfshrink(q, sizeof(p) / sizeof(p[0])), sizeof(p) / sizeof(p[0]));
	CHECK(memcmp(p, q, sizeof(p)) == 0);
}

/* "and #bit; jeq #bit" becomes one jset where the accumulator is dead
 * after the test; kept where a branch still reads it, where a jump lands
 * on the jeq, and for a mask of several bits. */
TEST(bpfshrink_single_bit_tests)
{
	struct sock_filter dead[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x800),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	CHECK_EQ(bpfshrink(dead, 5), 4);
	CHECK_EQ(dead[1].code, BPF_JMP | BPF_JSET | BPF_K);
	CHECK_EQ(dead[1].k, 0x800);
	CHECK_EQ(dead[1].jt, 0);
	CHECK_EQ(dead[1].jf, 1);
	struct sock_filter live[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x800),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 1),
	    BPF_STMT(BPF_RET | BPF_A, 0), /* reads the masked A */
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	CHECK_EQ(bpfshrink(live, 5), 5);
	struct sock_filter landed[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 7, 1, 0), /* lands on the jeq */
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x800),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	CHECK_EQ(bpfshrink(landed, 6), 6);
	struct sock_filter bits[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xc00),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc00, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	CHECK_EQ(bpfshrink(bits, 5), 5);
}

/* No exemption for anybody's sends (the start-up hands its listener over
 * from a thread outside the filter): every sendmsg and sendmmsg is
 * notified, with bit 32 of the flags set or not (the kernel drops the
 * high half), Fast Open refused either way; sendto only with an address.
 * recvmsg is notified on the netlink view's fd numbers (896-959) only,
 * whatever the flags; recvfrom there only with an address. */
TEST(filter_sends_without_exemption)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct filter_req req = planreq(&cfg, false, NULL, 0);
	struct sock_fprog prog;
	CHECK_EQ(filter_compile(&req, &prog), 0);
#if defined(__x86_64__)
	const uint32_t arch = AUDIT_ARCH_X86_64;
#else
	const uint32_t arch = AUDIT_ARCH_AARCH64;
#endif
	const uint64_t bit32 = 1ULL << 32;
	static const struct {
		int nr, arg;
		uint64_t flags;
		uint32_t want;
		uint64_t fd; /* args[0] */
	} cases[] = {
	    {__NR_sendmsg, 2, 0, SECCOMP_RET_USER_NOTIF, 0},
	    {__NR_sendmsg, 2, 0x4000, SECCOMP_RET_USER_NOTIF, 0},
	    {__NR_sendmsg, 2, (1ULL << 32) | 0x4000, SECCOMP_RET_USER_NOTIF, 0},
	    {__NR_sendmsg, 2, 0x20000000, SECCOMP_RET_ERRNO | EPERM, 0},
	    {__NR_sendmsg, 2, (1ULL << 32) | 0x20000000, SECCOMP_RET_ERRNO | EPERM, 0},
	    {__NR_sendmmsg, 3, 0, SECCOMP_RET_USER_NOTIF, 0},
	    {__NR_sendmmsg, 3, 1ULL << 32, SECCOMP_RET_USER_NOTIF, 0},
	    {__NR_sendto, 3, 1ULL << 32, SECCOMP_RET_ALLOW, 0},
	    {__NR_recvmsg, 2, 1ULL << 32, SECCOMP_RET_ALLOW, 0},
	    {__NR_recvmsg, 2, 0, SECCOMP_RET_USER_NOTIF, 900},
	    {__NR_recvmsg, 2, 0x40000000 /* MSG_CMSG_CLOEXEC */, SECCOMP_RET_USER_NOTIF, 959},
	    {__NR_recvmsg, 2, (1ULL << 32) | 0x40000000, SECCOMP_RET_USER_NOTIF, 900},
	    {__NR_recvmsg, 2, 0, SECCOMP_RET_ALLOW, 5},
	    {__NR_recvmsg, 2, 0, SECCOMP_RET_ALLOW, 960},
	    {__NR_recvmsg, 2, 0, SECCOMP_RET_ALLOW, 900 | (1ULL << 32)},
	    {__NR_recvfrom, 4, 0x1000, SECCOMP_RET_USER_NOTIF, 896},
	    {__NR_recvfrom, 4, 0x1000, SECCOMP_RET_ALLOW, 3},
	    {__NR_recvfrom, 3, 0x40, SECCOMP_RET_ALLOW, 900},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seccomp_data d = {.nr = cases[i].nr, .arch = arch};
		d.args[0] = cases[i].fd;
		d.args[cases[i].arg] = cases[i].flags;
		CHECK_EQ(bpfrun(prog.filter, prog.len, &d), cases[i].want);
	}
	struct seccomp_data foreign = {.nr = __NR_sendmsg, .arch = AUDIT_ARCH_I386};
	foreign.args[2] = bit32;
	CHECK_EQ(bpfrun(prog.filter, prog.len, &foreign), SECCOMP_RET_KILL_PROCESS);
	filter_free(&prog);
	planreq_free(&req);
	policy_release(&cfg);
}
