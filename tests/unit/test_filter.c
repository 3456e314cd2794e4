/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the seccomp program assembly (src/plan/filter.c). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bpfrun.h"
#include "filter.h"
#include "harness.h"
#include "planreq.h"
#include "netproto.h"
#include "policy.h"
#include "syscalls.h"
#include "util.h"

static void default_req(struct sandlock_sandbox *cfg, struct filter_req *req)
{
	policy_init(cfg);
	*req = planreq(cfg, false, NULL, 0);
}

extern const struct filter_prebuilt filter_prebuilts[];
extern const size_t filter_n_prebuilts;

/* The programs embedded at build time (the default policy, and with
 * max_memory) are what libseccomp makes now, and their keys are the
 * requests' keys, so they are used. */
TEST(filter_prebuilt_matches_fresh_assembly)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	CHECK_EQ(filter_n_prebuilts, 4);
	for (int i = 0; i < 4; i++) {
		int mem = i % 2;
		struct sandlock_sandbox cfg;
		policy_init(&cfg);
		cfg.max_memory = (struct sl_opt_u64){mem, 64u << 20};
		struct filter_req req = planreq(&cfg, i >= 2, NULL, 0);
		struct filter_key key;
		filter_key_of(&req, &key);
		CHECK(memcmp(&key, &filter_prebuilts[i].key, sizeof(key)) == 0);
		CHECK(memcmp(req.rules, filter_prebuilts[i].rules,
			     req.n_rules * sizeof(*req.rules)) == 0);
		struct sock_fprog pre, fresh;
		CHECK_EQ(filter_compile(&req, &pre), 0);
		CHECK_EQ(filter_assemble(&req, &fresh), 0);
		CHECK_EQ(pre.len, fresh.len);
		CHECK(memcmp(pre.filter, fresh.filter, pre.len * sizeof(struct sock_filter)) == 0);
		filter_free(&pre);
		filter_free(&fresh);
		planreq_free(&req);
		policy_release(&cfg);
	}
}

/* Any change of an input changes the key, so the prebuilt is not used. */
TEST(filter_key_tracks_inputs)
{
	struct sandlock_sandbox cfg;
	struct filter_req req;
	default_req(&cfg, &req);
	struct filter_key a, b;
	filter_key_of(&req, &a);
	CHECK_EQ(a.valid, 1);
	CHECK_EQ(sl_strv_push(&cfg.deny_syscalls, "getrandom"), 0);
	filter_key_of(&req, &b);
	CHECK(memcmp(&a, &b, sizeof(a)) != 0);
	sl_strv_free(&cfg.deny_syscalls);
	CHECK_EQ(sl_strv_push(&cfg.allow_groups, "sysv_ipc"), 0);
	filter_key_of(&req, &b);
	CHECK(memcmp(&a, &b, sizeof(a)) != 0);
	sl_strv_free(&cfg.allow_groups);
	req.allow_udp = true;
	filter_key_of(&req, &b);
	CHECK(memcmp(&a, &b, sizeof(a)) != 0);
	req.allow_udp = false;
	req.allow_icmp = true;
	struct filter_key c;
	filter_key_of(&req, &c);
	CHECK(memcmp(&a, &c, sizeof(a)) != 0 && memcmp(&b, &c, sizeof(b)) != 0);
	req.allow_icmp = false;
	/* a rule more or less, or a rule's comparison changed */
	req.n_rules--;
	filter_key_of(&req, &b);
	CHECK(memcmp(&a, &b, sizeof(a)) != 0);
	req.n_rules++;
	struct sl_nrule *last = (struct sl_nrule *)&req.rules[req.n_rules - 1];
	last->cmp[0].val ^= 1;
	filter_key_of(&req, &b);
	CHECK(memcmp(&a, &b, sizeof(a)) != 0);
	last->cmp[0].val ^= 1;
	planreq_free(&req);
	policy_release(&cfg);
}

/* Arch check first, and x32 numbers (bit 30) go to the kill path. */
TEST(filter_checks_arch_and_x32)
{
	struct sandlock_sandbox cfg;
	struct filter_req req;
	default_req(&cfg, &req);
	struct sock_fprog p;
	CHECK_EQ(filter_compile(&req, &p), 0);
	CHECK(p.len > 10);
	CHECK_EQ(p.filter[0].code, BPF_LD | BPF_W | BPF_ABS);
	CHECK_EQ(p.filter[0].k, 4); /* offsetof(struct seccomp_data, arch) */
	bool arch = false, x32 = false;
	for (unsigned i = 0; i < p.len; i++) {
		if (p.filter[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
		    p.filter[i].k == AUDIT_ARCH_X86_64)
			arch = true;
		if (p.filter[i].code == (BPF_JMP | BPF_JGE | BPF_K) && p.filter[i].k == 0x40000000)
			x32 = true;
	}
	CHECK(arch);
	CHECK(x32);
	filter_free(&p);
	planreq_free(&req);
	policy_release(&cfg);
}

/* A denied syscall is never also notified: deny wins (0.8.0 let the notification win). */
TEST(filter_deny_wins_over_notify)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct sl_nrule notify[] = {{.nr = __NR_mount}};
	struct filter_req req = {.cfg = &cfg, .rules = notify, .n_rules = 1};
	struct filter_req none = {.cfg = &cfg};
	CHECK(filter_denies(&cfg, __NR_mount));
	/* asking to notify the denied syscall changes nothing */
	struct sock_fprog p, q;
	CHECK_EQ(filter_assemble(&req, &p), 0);
	CHECK_EQ(filter_assemble(&none, &q), 0);
	CHECK_EQ(p.len, q.len);
	CHECK(memcmp(p.filter, q.filter, p.len * sizeof(*p.filter)) == 0);
	filter_free(&p);
	filter_free(&q);
	policy_release(&cfg);
}

/* Only what the policy needs is notified (with raw fork for exact process
 * accounting; not exit_group: orphans land at the keeper, where they are
 * found without it). */
TEST(notify_rules_follow_policy)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	struct filter_req v = planreq(&cfg, false, NULL, 0);
	CHECK(filter_notifies_all(&v, __NR_clone) && filter_notifies_all(&v, __NR_fork) &&
	      filter_notifies_all(&v, __NR_vfork));
	CHECK(!planreq_notifies(&v, __NR_exit_group) && filter_notifies_all(&v, __NR_uname));
	/* read-only emulation of the clock discipline (timex.c) */
	CHECK(filter_notifies_all(&v, __NR_adjtimex) &&
	      filter_notifies_all(&v, __NR_clock_adjtime));
	CHECK(!planreq_notifies(&v, __NR_clone3)); /* the filter answers ENOSYS */
	CHECK(!planreq_notifies(&v, __NR_mmap) && !planreq_notifies(&v, __NR_mremap));
	/* the cross-process calls only for another pid */
	CHECK(planreq_notifies(&v, __NR_prlimit64) && !filter_notifies_all(&v, __NR_prlimit64));
	/* ioctl only in the inode commands' forms (fsmeta.c: chattr and
	 * kin), never every call */
	CHECK(planreq_notifies(&v, __NR_ioctl) && !filter_notifies_all(&v, __NR_ioctl));
	planreq_free(&v);
	v = planreq(&cfg, true, NULL, 0);
	CHECK(planreq_notifies(&v, __NR_ioctl) && !filter_notifies_all(&v, __NR_ioctl));
	planreq_free(&v);
	cfg.max_memory = (struct sl_opt_u64){true, 64u << 20};
	v = planreq(&cfg, false, NULL, 0);
	CHECK(filter_notifies_all(&v, __NR_mremap));
	/* argument-filtered rules instead */
	CHECK(planreq_notifies(&v, __NR_mmap) && !filter_notifies_all(&v, __NR_mmap));
	CHECK(!planreq_notifies(&v, __NR_shmget));
	size_t without_sysv = v.n_rules;
	planreq_free(&v);
	CHECK_EQ(sl_strv_push(&cfg.allow_groups, "sysv_ipc"), 0);
	v = planreq(&cfg, false, NULL, 0);
	CHECK(filter_notifies_all(&v, __NR_shmget));
	CHECK_EQ(v.n_rules, without_sysv + 1);
	int user[] = {__NR_getppid, __NR_uname};
	struct filter_req u = planreq(&cfg, false, user, 2);
	CHECK(filter_notifies_all(&u, __NR_getppid));
	CHECK_EQ(u.n_rules, v.n_rules + 1); /* no duplicates */
	/* the memory rules assemble, and change the program */
	struct sock_fprog a, b;
	CHECK_EQ(filter_assemble(&u, &a), 0);
	cfg.max_memory.set = false;
	struct filter_req w = planreq(&cfg, false, user, 2);
	CHECK_EQ(filter_assemble(&w, &b), 0);
	CHECK(a.len > b.len);
	filter_free(&a);
	filter_free(&b);
	planreq_free(&v);
	planreq_free(&u);
	planreq_free(&w);
	policy_release(&cfg);
}

/* Handlers are refused where they would reopen what the filter closes. */
TEST(handler_conflicts)
{
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	CHECK(filter_handler_conflict(&cfg, __NR_mount) != NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_clone3) != NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_ioctl) != NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_socket) != NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_openat) == NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_clone) == NULL);
	/* argument-denied forms: mknod's complement is not one comparison
	 * per rule; the open and chmod families get conditional
	 * notifications instead; openat2 is answered ENOSYS */
	CHECK(filter_handler_conflict(&cfg, __NR_mknodat) != NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_openat2) != NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_fchmodat) == NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_fchmod) == NULL);
	CHECK(filter_handler_conflict(&cfg, __NR_chroot) != NULL); /* denied */
	CHECK(filter_handler_conflict(&cfg, __NR_shmget) != NULL); /* sysv denied */
	CHECK_EQ(sl_strv_push(&cfg.allow_groups, "sysv_ipc"), 0);
	CHECK(filter_handler_conflict(&cfg, __NR_shmget) == NULL);
	policy_release(&cfg);
}

/* The added denials are in the default list and have names. */
TEST(filter_denies_privileged_calls)
{
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	static const char *const names[] = {
	    "fsopen",	  "fsconfig",	  "fsmount",	    "fspick",
	    "move_mount", "open_tree",	  "open_tree_attr", "mount_setattr",
	    "syslog",	  "settimeofday", "clock_settime",  "kexec_file_load",
	    "vhangup",	  "chroot",	  "fanotify_init",  "quotactl_fd"};
#ifdef __NR_uselib
	CHECK(filter_denies(&cfg, __NR_uselib));
#endif
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int nr = syscalls_nr(names[i]);
		CHECK(nr >= 0);
		CHECK_STR(syscalls_name(nr), names[i]);
		CHECK(filter_denies(&cfg, nr));
	}
	CHECK(!filter_denies(&cfg, __NR_adjtimex));
	CHECK(!filter_denies(&cfg, __NR_mknodat));
	policy_release(&cfg);
}

/* A program with a handler on truncate (not notified by default) and on
 * fchmodat (conditional notification next to the set-id denials)
 * assembles, and differs from the default one.  (openat is notified
 * whole by default: the proc view decides on every open.) */
TEST(filter_conditional_notify_assembles)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	struct sandlock_sandbox cfg;
	policy_init(&cfg);
	int user[] = {__NR_truncate, __NR_fchmodat};
	struct filter_req req = planreq(&cfg, false, user, 2);
	struct filter_req plain = planreq(&cfg, false, NULL, 0);
	struct sock_fprog a, b;
	CHECK_EQ(filter_assemble(&req, &a), 0);
	CHECK_EQ(filter_assemble(&plain, &b), 0);
	CHECK(a.len > b.len);
	filter_free(&a);
	filter_free(&b);
	planreq_free(&req);
	planreq_free(&plain);
	policy_release(&cfg);
}

/* ---- socket(): the family, the type and the protocol are registers -------- */

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#else
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif
#define HI	  (1ULL << 32) /* a high bit the kernel's int never sees */
#define RET_EPERM (SECCOMP_RET_ERRNO | EPERM)
#define RET_EAFNO (SECCOMP_RET_ERRNO | EAFNOSUPPORT)

/* What socket(af, type, proto) must get, from the rules written out
 * plainly (filter.c's comment): families compared on 64 bits, the type's
 * low four bits, protocols on 64 bits. */
static uint32_t socket_expect(uint64_t af, uint64_t type, uint64_t proto, bool udp, bool icmp,
			      bool route)
{
	unsigned t = (unsigned)(type & 0xf);
	if (af == AF_UNIX)
		return SECCOMP_RET_ALLOW;
	if (af == AF_NETLINK)
		return route && (t == SOCK_RAW || t == SOCK_DGRAM) && proto == 0
			   ? SECCOMP_RET_USER_NOTIF
			   : RET_EAFNO;
	if (af != AF_INET && af != AF_INET6)
		return RET_EAFNO;
	if (t == SOCK_RAW || t == SOCK_RDM || t == SOCK_SEQPACKET || t == SOCK_DCCP ||
	    t == SOCK_PACKET)
		return RET_EPERM;
	if (t == SOCK_STREAM)
		return proto > IPPROTO_TCP ? RET_EPERM : SECCOMP_RET_ALLOW;
	if (t != SOCK_DGRAM)
		return SECCOMP_RET_ALLOW; /* the kernel refuses those types itself */
	if (proto == 0 || proto == IPPROTO_UDP)
		return udp ? SECCOMP_RET_ALLOW : RET_EPERM;
	if (proto == (af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return icmp ? SECCOMP_RET_ALLOW : RET_EPERM;
	return RET_EPERM;
}

static const uint64_t sock_af[] = {
    AF_UNSPEC,
    AF_UNIX,
    AF_INET,
    AF_INET6,
    AF_NETLINK,
    AF_PACKET,
    AF_ALG,
    AF_VSOCK,
    AF_XDP,
    11,
    15,
    17,
    255,
    AF_INET | HI,
    AF_INET6 | HI,
    AF_UNIX | HI,
    AF_NETLINK | HI,
    ~0ULL,
};
static const uint64_t sock_type[] = {
    0,
    SOCK_STREAM,
    SOCK_DGRAM,
    SOCK_RAW,
    SOCK_RDM,
    SOCK_SEQPACKET,
    SOCK_DCCP,
    SOCK_PACKET,
    11,
    15,
    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
    SOCK_RAW | SOCK_CLOEXEC,
    SOCK_STREAM | SOCK_NONBLOCK,
    SOCK_DGRAM | HI,
    SOCK_RAW | HI,
    SOCK_STREAM | HI | SOCK_CLOEXEC,
    0x10 | SOCK_RAW, /* a bit the kernel refuses (EINVAL) */
};
static const uint64_t sock_proto[] = {
    0,
    IPPROTO_ICMP,
    IPPROTO_TCP,
    IPPROTO_UDP,
    IPPROTO_ICMPV6,
    IPPROTO_SCTP,
    IPPROTO_UDPLITE,
    262 /* MPTCP */,
    255,
    2,
    16,
    18,
    57,
    59,
    HI,
    HI | IPPROTO_UDP,
    HI | IPPROTO_ICMP,
    HI | IPPROTO_ICMPV6,
    HI | IPPROTO_TCP,
    ~0ULL,
};

/* Every (family, type, protocol) of the tables above, high bits set in
 * each register, under one pair of flags: counts the disagreements. */
static size_t socket_mismatches(const struct filter_req *req, bool route)
{
	struct sock_fprog prog;
	CHECK_EQ(filter_compile(req, &prog), 0);
	size_t bad = 0;
	for (size_t a = 0; a < SL_ARRAY_SIZE(sock_af); a++)
		for (size_t t = 0; t < SL_ARRAY_SIZE(sock_type); t++)
			for (size_t p = 0; p < SL_ARRAY_SIZE(sock_proto); p++) {
				struct seccomp_data d = {.nr = __NR_socket, .arch = NATIVE_ARCH};
				d.args[0] = sock_af[a];
				d.args[1] = sock_type[t];
				d.args[2] = sock_proto[p];
				uint32_t got = bpfrun(prog.filter, prog.len, &d);
				uint32_t want =
				    socket_expect(sock_af[a], sock_type[t], sock_proto[p],
						  req->allow_udp, req->allow_icmp, route);
				if (got != want && bad++ < 5)
					fprintf(stderr,
						"socket(%#llx, %#llx, %#llx) udp %d icmp %d: "
						"%#x, want %#x\n",
						(unsigned long long)sock_af[a],
						(unsigned long long)sock_type[t],
						(unsigned long long)sock_proto[p], req->allow_udp,
						req->allow_icmp, got, want);
			}
	filter_free(&prog);
	return bad;
}

/* UDP and ping sockets by the request's flags, the rest as always;
 * netlink's route protocol notified (the default rules ask for it),
 * every other netlink socket EAFNOSUPPORT. */
TEST(filter_socket_by_protocol)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	struct sandlock_sandbox cfg;
	struct filter_req req;
	default_req(&cfg, &req);
	const struct sl_nrule route = {__NR_socket, 3, SL_NETLINK_ROUTE_CMPS};
	bool has_route = false;
	for (size_t i = 0; i < req.n_rules; i++)
		has_route = has_route || memcmp(&req.rules[i], &route, sizeof(route)) == 0;
	CHECK(has_route);
	for (unsigned f = 0; f < 4; f++) {
		req.allow_udp = f & 1;
		req.allow_icmp = f & 2;
		CHECK_EQ(socket_mismatches(&req, true), 0);
	}
	/* without the rule, the route protocol is refused like the rest */
	struct filter_req bare = {.cfg = &cfg, .allow_udp = true};
	CHECK_EQ(socket_mismatches(&bare, false), 0);
	planreq_free(&req);
	policy_release(&cfg);
}

/* plan.c's flags: no lists, no UDP or ICMP socket; an allow list, its
 * rules' protocols; a deny list alone, both. */
TEST(netproto_used_by_lists)
{
	struct sl_net_rule udp = {.proto = SL_PROTO_UDP}, tcp = {.proto = SL_PROTO_TCP};
	struct sl_net_rule both[] = {{.proto = SL_PROTO_TCP}, {.proto = SL_PROTO_ICMP}};
	struct netmatch_lists none = {0};
	CHECK(!netproto_used(&none, SL_PROTO_UDP) && !netproto_used(&none, SL_PROTO_ICMP));
	struct netmatch_lists allow = {.allow = &udp, .n_allow = 1, .has_allow = true};
	CHECK(netproto_used(&allow, SL_PROTO_UDP) && !netproto_used(&allow, SL_PROTO_ICMP));
	allow.allow = both;
	allow.n_allow = 2;
	CHECK(!netproto_used(&allow, SL_PROTO_UDP) && netproto_used(&allow, SL_PROTO_ICMP));
	struct netmatch_lists empty = {.has_allow = true};
	CHECK(!netproto_used(&empty, SL_PROTO_UDP));
	struct netmatch_lists deny = {.deny = &tcp, .n_deny = 1};
	CHECK(netproto_used(&deny, SL_PROTO_UDP) && netproto_used(&deny, SL_PROTO_ICMP));
	allow.deny = &tcp;
	allow.n_deny = 1;
	CHECK(!netproto_used(&allow, SL_PROTO_UDP)); /* the allow list decides */
}

/* ---- open and openat: which forms reach the supervisor -------------------- */

#define SETID_MODE (S_ISUID | S_ISGID)
#define TMPF_BIT   020000000 /* O_TMPFILE without its O_DIRECTORY */

/* What the default rules must give an open of flags and mode: a set-id
 * creation is refused, an exclusive creation left to the kernel (it opens
 * nothing that exists: no view, nothing on procfs), any other form
 * notified. */
static uint32_t open_expect(uint64_t flags, uint64_t mode)
{
	uint32_t f = (uint32_t)flags, m = (uint32_t)mode;
	bool creating = f & (O_CREAT | TMPF_BIT);
	if (creating && (m & SETID_MODE))
		return RET_EPERM;
	/* O_PATH makes the kernel drop O_CREAT and O_EXCL: it opens */
	if ((f & (O_CREAT | O_EXCL | O_PATH)) == (O_CREAT | O_EXCL))
		return SECCOMP_RET_ALLOW;
	return SECCOMP_RET_USER_NOTIF;
}

/* One open form through the program: 1 (and a line on stderr) when it
 * gets another answer than open_expect's. */
static size_t open_mismatch(const struct sock_fprog *prog, int nr, unsigned int flags_arg,
			    uint64_t flags, uint64_t mode)
{
	struct seccomp_data d = {.nr = nr, .arch = NATIVE_ARCH};
	if (nr == __NR_openat)
		d.args[0] = (uint64_t)AT_FDCWD;
	d.args[flags_arg] = flags;
	d.args[flags_arg + 1] = mode;
	uint32_t got = bpfrun(prog->filter, prog->len, &d), want = open_expect(flags, mode);
	if (got == want)
		return 0;
	fprintf(stderr, "syscall %d flags %#llx mode %#llo: %#x, want %#x\n", nr,
		(unsigned long long)flags, (unsigned long long)mode, got, want);
	return 1;
}

TEST(filter_exclusive_create_not_notified)
{
	th_skip_under_valgrind("libseccomp probes the seccomp syscall");
	struct sandlock_sandbox cfg;
	struct filter_req req;
	default_req(&cfg, &req);
	struct sock_fprog prog;
	CHECK_EQ(filter_compile(&req, &prog), 0);
	static const uint64_t flags[] = {
	    O_RDONLY,
	    O_WRONLY | O_CREAT,
	    O_WRONLY | O_CREAT | O_EXCL,
	    O_RDWR | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC,
	    O_RDONLY | O_EXCL,
	    O_RDONLY | O_DIRECTORY,
	    O_PATH,
	    O_TMPFILE | O_RDWR,
	    O_TMPFILE | O_RDWR | O_EXCL,
	    O_CREAT | O_EXCL | HI,
	    O_RDONLY | HI | O_CREAT,
	    O_PATH | O_CREAT | O_EXCL,
	    O_PATH | O_CREAT | O_EXCL | O_DIRECTORY | O_NOFOLLOW,
	    O_PATH | O_CREAT | O_EXCL | O_TMPFILE,
	    O_PATH | O_CREAT | O_EXCL | HI,
	    O_PATH | O_CREAT,
	    HI | O_PATH,
	};
	static const uint64_t modes[] = {0, 0644, 04755, 02755, 0644 | HI, 04000 | HI};
	size_t bad = 0;
	for (size_t i = 0; i < SL_ARRAY_SIZE(flags); i++)
		for (size_t j = 0; j < SL_ARRAY_SIZE(modes); j++) {
			bad += open_mismatch(&prog, __NR_openat, 2, flags[i], modes[j]);
#ifdef __NR_open
			bad += open_mismatch(&prog, __NR_open, 1, flags[i], modes[j]);
#endif
		}
	CHECK_EQ(bad, 0);
	filter_free(&prog);
	planreq_free(&req);
	policy_release(&cfg);
}
