/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter.c - assemble the seccomp program with libseccomp.
 *
 * Layout (libseccomp orders the tree; the decisions are):
 *   - a foreign architecture, and on x86_64 any x32 syscall number, kills
 *     the process (SCMP_FLTATR_ACT_BADARCH);
 *   - the default deny list, the sysv_ipc group (unless allowed) and
 *     extra_deny_syscalls return EPERM.  A denied syscall is never also
 *     notified: deny wins (0.8.0 let the notification win);
 *   - clone3 returns ENOSYS: its flags live in memory BPF cannot read, so
 *     libc falls back to clone, whose namespace flags are checked here;
 *   - argument filters (EPERM unless noted), all on the low 32 bits where
 *     the kernel reads an int: ioctl TIOCSTI/TIOCLINUX/interface ioctls
 *     (TIOCSPGRP, TIOCSWINSZ and the terminal settings too, unless the
 *     sandbox was handed the terminal: add_tty_rules),
 *     prctl DUMPABLE/SECUREBITS/PTRACER, socket families other than
 *     unix/inet/inet6 and netlink's route protocol (EAFNOSUPPORT), raw
 *     inet sockets, datagram inet sockets but the UDP and ping sockets
 *     the policy can use, non-TCP stream protocols (MPTCP, SCTP:
 *     Landlock's TCP rules do not cover them), TCP Fast Open (sendto/sendmsg/sendmmsg with
 *     MSG_FASTOPEN, setsockopt TCP_FASTOPEN_CONNECT: an implicit connect
 *     that Landlock before 7.2 does not check), fcntl(F_SETLEASE) (a
 *     lease blocks the host's writers of a file the sandbox may read);
 *   - no device nodes and no set-id files: mknod/mknodat of a character or
 *     block device, or with S_ISUID/S_ISGID; chmod/fchmod/fchmodat/
 *     fchmodat2 setting S_ISUID/S_ISGID; open/openat/creat creating
 *     (O_CREAT or O_TMPFILE) with S_ISUID/S_ISGID in the mode.  The
 *     sandbox holds no capability (privdrop.c), but a setuid file left in
 *     a writable tree waits for someone outside to run it;
 *   - openat2 returns ENOSYS: its flags and mode live in memory (struct
 *     open_how), so callers fall back to openat, whose are checked here;
 *   - the supervisor's syscalls return USER_NOTIF; everything else ALLOW.
 *     A syscall with argument-filtered denials that a handler watches
 *     (clone, the open and chmod families) is notified only in the forms
 *     that are not denied.
 */
#include "filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfshrink.h"
#include "error.h"
#include "policy.h"
#include "syscalls.h"
#include "util.h"

#define LOW32 0xffffffffULL
/* Compare the low 32 bits only: the kernel truncates int arguments, so a
 * filter comparing all 64 bits is bypassed by setting high bits
 * (CVE-2019-10063). */
#define A32(i, v)    SCMP_CMP((i), SCMP_CMP_MASKED_EQ, LOW32, (v))
#define ABIT(i, bit) SCMP_CMP((i), SCMP_CMP_MASKED_EQ, (bit), (bit))

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
#endif

/* The namespace flags clone may not carry (one deny rule per bit). */
#define CLONE_NS_ALL                                                                               \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
	 CLONE_NEWPID | CLONE_NEWNET)

/* The kernel's __O_TMPFILE bit (glibc's __O_TMPFILE adds O_DIRECTORY);
 * the same on x86_64 and aarch64. */
#define SL_O_TMPFILE  020000000
#define SL_O_CREATING (O_CREAT | SL_O_TMPFILE)
#define SL_SETID      (S_ISUID | S_ISGID)

/* Where the mode (and, for the creating opens, the flags) argument is. */
struct mode_arg {
	int nr;
	unsigned int mode;
	int flags; /* -1: the call always creates or never does */
};

/* Device nodes and set-id bits (mknod also refuses device types). */
static const struct mode_arg mknod_calls[] = {
#ifdef __NR_mknod
    {__NR_mknod, 1, -1},
#endif
    {__NR_mknodat, 2, -1},
};
/* Set-id bits only. */
static const struct mode_arg chmod_calls[] = {
#ifdef __NR_chmod
    {__NR_chmod, 1, -1},
#endif
    {__NR_fchmod, 1, -1}, {__NR_fchmodat, 2, -1}, {__NR_fchmodat2, 2, -1},
#ifdef __NR_creat
    {__NR_creat, 1, -1},
#endif
#ifdef __NR_open
    {__NR_open, 2, 1},
#endif
    {__NR_openat, 3, 2},
};

/* TIOCSTI, TIOCLINUX, SIOCGIFNAME, SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFADDR,
 * SIOCGIFDSTADDR, SIOCGIFBRDADDR, SIOCGIFNETMASK, SIOCGIFHWADDR,
 * SIOCGIFINDEX, SIOCETHTOOL */
static const unsigned int ioctl_deny[] = {
    0x5412, 0x541C, 0x8910, 0x8912, 0x8913, 0x8915, 0x8917, 0x8919, 0x891B, 0x8927, 0x8933, 0x8946,
};

static const unsigned int prctl_deny[] = {PR_SET_DUMPABLE, PR_SET_SECUREBITS, PR_SET_PTRACER};

/* Socket families other than unix (1), inet (2), inet6 (10) and netlink
 * (16, see add_netlink_rules) get EAFNOSUPPORT: these and everything
 * above AF_NETLINK (packet, alg, vsock, xdp...). */
static const unsigned int af_denied_low[] = {0, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15};
#define AF_NETLINK_NR 16

/* inet socket types refused outright (datagram handled separately). */
static const unsigned int inet_type_deny[] = {SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET, SOCK_DCCP,
					      SOCK_PACKET};

static bool in_list(const int *v, size_t n, int nr)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == nr)
			return true;
	return false;
}

static bool sysv_allowed(const struct sandlock_sandbox *cfg)
{
	for (size_t i = 0; i < cfg->allow_groups.n; i++)
		if (strcmp(cfg->allow_groups.v[i], SL_GROUP_SYSV_IPC) == 0)
			return true;
	return false;
}

bool filter_denies(const struct sandlock_sandbox *cfg, int nr)
{
	size_t n;
	const int *d = syscalls_default_deny(&n);
	if (in_list(d, n, nr))
		return true;
	d = syscalls_sysv_ipc(&n);
	if (!sysv_allowed(cfg) && in_list(d, n, nr))
		return true;
	for (size_t i = 0; i < cfg->deny_syscalls.n; i++)
		if (syscalls_nr(cfg->deny_syscalls.v[i]) == nr)
			return true;
	return false;
}

/* Syscalls whose arguments the program checks itself.  libseccomp lets an
 * unconditional rule supersede a syscall's argument rules, so a plain
 * notification would switch those checks off: handlers are refused on
 * these.  Where the denied forms have a complement libseccomp can express
 * (one comparison per rule), the notification is made conditional on it
 * instead (notify_forms below): clone, the open and chmod families. */
static const int arg_ruled[] = {
    __NR_prctl,	  __NR_ioctl,	__NR_socket,   __NR_sendto,
    __NR_fcntl,	  __NR_sendmsg, __NR_sendmmsg, __NR_setsockopt,
#ifdef __NR_mknod
    __NR_mknod,
#endif
    __NR_mknodat,
};

/* The forms of nr that are notified when something watches it, as
 * (argument & mask) == 0 comparisons, one rule each: together exactly
 * what the argument rules deny not (clone without a namespace flag; the
 * chmod and creating-open family without a set-id bit, or not creating).
 * Returns how many (0: notify unconditionally). */
static size_t notify_forms(int nr, struct scmp_arg_cmp out[2])
{
	if (nr == __NR_clone) {
		out[0] = (struct scmp_arg_cmp)SCMP_CMP(0, SCMP_CMP_MASKED_EQ, CLONE_NS_ALL, 0);
		return 1;
	}
	for (size_t i = 0; i < SL_ARRAY_SIZE(chmod_calls); i++) {
		const struct mode_arg *m = &chmod_calls[i];
		if (m->nr != nr)
			continue;
		size_t n = 0;
		if (m->flags >= 0)
			out[n++] = (struct scmp_arg_cmp)SCMP_CMP(
			    (unsigned)m->flags, SCMP_CMP_MASKED_EQ, SL_O_CREATING, 0);
		out[n++] = (struct scmp_arg_cmp)SCMP_CMP(m->mode, SCMP_CMP_MASKED_EQ, SL_SETID, 0);
		return n;
	}
	return 0;
}

const char *filter_handler_conflict(const struct sandlock_sandbox *cfg, int nr)
{
	if (filter_denies(cfg, nr))
		return "it is denied by the policy's syscall blocklist, and a handler would let "
		       "user code bypass it";
	if (nr == __NR_clone3)
		return "the filter answers it itself (ENOSYS, so libc falls back to clone)";
	if (nr == __NR_openat2)
		return "the filter answers it itself (ENOSYS, so callers fall back to openat)";
	if (in_list(arg_ruled, SL_ARRAY_SIZE(arg_ruled), nr))
		return "the filter checks its arguments, and a handler would switch those "
		       "checks off";
	return NULL;
}

/* Adds a rule unless nr is denied outright (an unconditional deny makes
 * argument rules for the same syscall moot). */
static int rule(scmp_filter_ctx ctx, const struct sandlock_sandbox *cfg, uint32_t action, int nr,
		unsigned int n, const struct scmp_arg_cmp *cmp)
{
	if (filter_denies(cfg, nr))
		return 0;
	int r = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (r < 0)
		return sl_errorf(-r, "seccomp: rule for syscall %d: %s", nr, strerror(-r));
	return 0;
}

static int deny(scmp_filter_ctx ctx, int nr)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	if (r < 0 && r != -EEXIST) /* EEXIST: listed twice */
		return sl_errorf(-r, "seccomp: deny syscall %d: %s", nr, strerror(-r));
	return 0;
}

static int add_deny_lists(scmp_filter_ctx ctx, const struct sandlock_sandbox *cfg)
{
	size_t n;
	const int *d = syscalls_default_deny(&n);
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = deny(ctx, d[i]);
	d = syscalls_sysv_ipc(&n);
	for (size_t i = 0; r == 0 && !sysv_allowed(cfg) && i < n; i++)
		r = deny(ctx, d[i]);
	for (size_t i = 0; r == 0 && i < cfg->deny_syscalls.n; i++) {
		int nr = syscalls_nr(cfg->deny_syscalls.v[i]);
		if (nr < 0)
			return sl_errorf(EINVAL, "unknown syscall name(s): %s",
					 cfg->deny_syscalls.v[i]);
		r = deny(ctx, nr);
	}
	return r;
}

static int add_process_rules(scmp_filter_ctx ctx, const struct sandlock_sandbox *cfg)
{
	int r = rule(ctx, cfg, SCMP_ACT_ERRNO(ENOSYS), __NR_clone3, 0, NULL);
	for (unsigned long rest = CLONE_NS_ALL; r == 0 && rest; rest &= rest - 1) {
		struct scmp_arg_cmp c[] = {ABIT(0, rest & -rest)};
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_clone, 1, c);
	}
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(prctl_deny); i++) {
		struct scmp_arg_cmp c[] = {A32(0, prctl_deny[i])};
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_prctl, 1, c);
	}
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(ioctl_deny); i++) {
		struct scmp_arg_cmp c[] = {A32(1, ioctl_deny[i])};
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_ioctl, 1, c);
	}
	/* SIGCONT the kernel would send later, behind the supervisor's
	 * back, to resume a stopped sandbox (max_cpu, pause): on a parent's
	 * death, on I/O readiness (a clone's exit signal SIGCONT is refused
	 * by nproc.c, which sees clone anyway) */
	struct scmp_arg_cmp pdeath[] = {A32(0, PR_SET_PDEATHSIG), A32(1, SIGCONT)};
	struct scmp_arg_cmp setsig[] = {A32(1, F_SETSIG), A32(2, SIGCONT)};
	if (r == 0)
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_prctl, 2, pdeath);
	if (r == 0)
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_fcntl, 2, setsig);
	/* A lease holds back every other process's open for writing (or
	 * truncating) of the file for up to lease-break-time, 45 s by
	 * default, until the holder lets go: its owner may take one on a
	 * file opened for reading, and a root sandbox owns most of the
	 * host's files it may read (Landlock sees no fcntl). */
	struct scmp_arg_cmp lease[] = {A32(1, F_SETLEASE)};
	if (r == 0)
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_fcntl, 1, lease);
	return r;
}

/* The terminal the command inherits is the host's: the session is the
 * host's too, and TIOCSPGRP could make any process group of it the
 * terminal's foreground, where the kernel signals it for the sandbox (^C,
 * SIGWINCH, SIGTTOU stopping a host job), past Landlock's signal scope.
 * A window-size change (TIOCSWINSZ, on any fd of the terminal) makes the
 * kernel send SIGWINCH to the foreground, which is the host's unless the
 * sandbox was handed the terminal.  And the terminal's settings decide
 * what the kernel signals later: TOSTOP stops a host job in the
 * background at its next write (SIGTTOU), ISIG and the control characters
 * turn what the user types into signals for the host's foreground.  All
 * refused, unless the sandbox was handed the terminal (job control in a
 * shell there, its foreground): then a feature's rules notify the first
 * two instead.  (A command that is not the foreground gets SIGTTOU for a
 * settings change anyway, unless it blocks it.) */
/* TCSETS2 and co. name struct termios2, which the C library's headers
 * do not define: 44 bytes on x86_64 and aarch64 alike. */
#define SL_TERMIOS2_SIZE 44
#define SL_TCSETS2(nr)	 _IOC(_IOC_WRITE, 'T', (nr), SL_TERMIOS2_SIZE)
static const unsigned int tty_deny[] = {
    TIOCSPGRP, TIOCSWINSZ, TCSETS,	     TCSETSW,	       TCSETSF,		 TCSETA,
    TCSETAW,   TCSETAF,	   SL_TCSETS2(0x2B), SL_TCSETS2(0x2C), SL_TCSETS2(0x2D),
};
static int add_tty_rules(scmp_filter_ctx ctx, const struct filter_req *req)
{
	int r = 0;
	if (req->tty_jobs)
		return 0;
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(tty_deny); i++) {
		struct scmp_arg_cmp c[] = {A32(1, tty_deny[i])};
		r = rule(ctx, req->cfg, SCMP_ACT_ERRNO(EPERM), __NR_ioctl, 1, c);
	}
	return r;
}

/* Device nodes and set-id files.  Modes are compared with masks inside the
 * low 32 bits (the kernel reads a umode_t), flags likewise. */
static int add_file_rules(scmp_filter_ctx ctx, const struct sandlock_sandbox *cfg)
{
	const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	int r = 0;
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(mknod_calls); i++) {
		unsigned int m = mknod_calls[i].mode;
		struct scmp_arg_cmp chr[] = {SCMP_CMP(m, SCMP_CMP_MASKED_EQ, S_IFMT, S_IFCHR)};
		struct scmp_arg_cmp blk[] = {SCMP_CMP(m, SCMP_CMP_MASKED_EQ, S_IFMT, S_IFBLK)};
		r = rule(ctx, cfg, eperm, mknod_calls[i].nr, 1, chr);
		if (r == 0)
			r = rule(ctx, cfg, eperm, mknod_calls[i].nr, 1, blk);
	}
	const struct mode_arg *calls[] = {mknod_calls, chmod_calls};
	const size_t ncalls[] = {SL_ARRAY_SIZE(mknod_calls), SL_ARRAY_SIZE(chmod_calls)};
	const unsigned long bits[] = {S_ISUID, S_ISGID}, creating[] = {O_CREAT, SL_O_TMPFILE};
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; r == 0 && i < ncalls[k]; i++)
			for (size_t b = 0; r == 0 && b < 2; b++) {
				const struct mode_arg *c = &calls[k][i];
				struct scmp_arg_cmp one[] = {ABIT(c->mode, bits[b])};
				if (c->flags < 0) {
					r = rule(ctx, cfg, eperm, c->nr, 1, one);
					continue;
				}
				/* creating, and with the bit: two arguments, one rule */
				for (size_t f = 0; r == 0 && f < 2; f++) {
					struct scmp_arg_cmp two[] = {
					    ABIT((unsigned int)c->flags, creating[f]),
					    ABIT(c->mode, bits[b])};
					r = rule(ctx, cfg, eperm, c->nr, 2, two);
				}
			}
	/* its mode is in memory: callers fall back to openat */
	if (r == 0)
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(ENOSYS), __NR_openat2, 0, NULL);
	return r;
}

/* The comparisons every inet rule starts with: the family on all 64 bits
 * (a family with high bits set is EAFNOSUPPORT, add_socket_rules: the
 * rules never overlap, so no two actions compete) and the type as the
 * kernel reads it (its low four bits; SOCK_NONBLOCK and SOCK_CLOEXEC are
 * higher, and so is whatever a 64-bit register carries above the int). */
#define INET_OF(af, type)                                                                          \
	SCMP_CMP(0, SCMP_CMP_EQ, (af)), SCMP_CMP(1, SCMP_CMP_MASKED_EQ, 0xf, (type))

/* Refuses datagram sockets of af whose protocol is in [lo, hi], as
 * aligned blocks of powers of two (libseccomp takes one comparison per
 * argument, so a range is no "lo <= p <= hi"), each compared on all 64
 * bits: a value with high bits set matches none of them, and is refused
 * by the "greater than" rule (add_dgram_rules). */
static int deny_dgram_range(scmp_filter_ctx ctx, const struct filter_req *req, unsigned int af,
			    uint64_t lo, uint64_t hi)
{
	int r = 0;
	while (r == 0 && lo <= hi) {
		uint64_t size = lo ? lo & -lo : 1ULL << 32;
		while (size > hi - lo + 1)
			size >>= 1;
		struct scmp_arg_cmp c[] = {INET_OF(af, SOCK_DGRAM),
					   SCMP_CMP(2, SCMP_CMP_MASKED_EQ, ~(size - 1), lo)};
		r = rule(ctx, req->cfg, SCMP_ACT_ERRNO(EPERM), __NR_socket, 3, c);
		lo += size;
	}
	return r;
}

/* Datagram sockets of af: UDP (protocol 0 or IPPROTO_UDP) with
 * allow_udp, a ping socket (IPPROTO_ICMP on AF_INET, IPPROTO_ICMPV6 on
 * AF_INET6) with allow_icmp; any other protocol (UDP-Lite, ICMP on the
 * other family, anything) never.  What is refused is the complement of
 * the allowed values: the gaps between them, and every 64-bit value above
 * the largest (so high bits cannot hide an allowed value's low word). */
static int add_dgram_rules(scmp_filter_ctx ctx, const struct filter_req *req, unsigned int af)
{
	uint64_t ok[3];
	size_t n = 0;
	if (req->allow_udp)
		ok[n++] = 0;
	if (req->allow_icmp)
		ok[n++] = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (req->allow_udp)
		ok[n++] = IPPROTO_UDP;
	if (n == 3 && ok[1] > ok[2]) { /* ICMPv6 (58) after UDP (17) */
		uint64_t t = ok[1];
		ok[1] = ok[2];
		ok[2] = t;
	}
	if (n == 0) {
		struct scmp_arg_cmp c[] = {INET_OF(af, SOCK_DGRAM)};
		return rule(ctx, req->cfg, SCMP_ACT_ERRNO(EPERM), __NR_socket, 2, c);
	}
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		uint64_t lo = i ? ok[i - 1] + 1 : 0;
		if (ok[i] > lo)
			r = deny_dgram_range(ctx, req, af, lo, ok[i] - 1);
	}
	struct scmp_arg_cmp above[] = {INET_OF(af, SOCK_DGRAM),
				       SCMP_CMP(2, SCMP_CMP_GT, ok[n - 1])};
	return r ? r : rule(ctx, req->cfg, SCMP_ACT_ERRNO(EPERM), __NR_socket, 3, above);
}

static int add_inet_rules(scmp_filter_ctx ctx, const struct filter_req *req, unsigned int af)
{
	const struct sandlock_sandbox *cfg = req->cfg;
	int r = 0;
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(inet_type_deny); i++) {
		struct scmp_arg_cmp c[] = {INET_OF(af, inet_type_deny[i])};
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_socket, 2, c);
	}
	if (r == 0)
		r = add_dgram_rules(ctx, req, af);
	if (r == 0) {
		/* Stream sockets must be TCP (0 or IPPROTO_TCP): a 64-bit
		 * "greater than" also catches any value whose low 32 bits
		 * exceed 6, so high bits cannot hide MPTCP or SCTP. */
		struct scmp_arg_cmp c[] = {INET_OF(af, SOCK_STREAM),
					   SCMP_CMP(2, SCMP_CMP_GT, IPPROTO_TCP)};
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_socket, 3, c);
	}
	return r;
}

/* Whether a rule notifies the NETLINK_ROUTE form (filter.h). */
static bool route_notified(const struct filter_req *req)
{
	const struct sl_nrule route = {__NR_socket, 3, SL_NETLINK_ROUTE_CMPS};
	for (size_t i = 0; i < req->n_rules; i++)
		if (memcmp(&req->rules[i], &route, sizeof(route)) == 0)
			return true;
	return false;
}

/* AF_NETLINK: EAFNOSUPPORT, but the NETLINK_ROUTE form when a rule
 * notifies it: then the rules here are its complement in the family
 * (another protocol, or another type), so no call is both refused and
 * notified.  The family on all 64 bits, as for inet. */
static int add_netlink_rules(scmp_filter_ctx ctx, const struct filter_req *req)
{
	const uint32_t act = SCMP_ACT_ERRNO(EAFNOSUPPORT);
	struct scmp_arg_cmp all[] = {SCMP_CMP(0, SCMP_CMP_EQ, AF_NETLINK_NR)};
	if (!route_notified(req))
		return rule(ctx, req->cfg, act, __NR_socket, 1, all);
	struct scmp_arg_cmp proto[] = {SCMP_CMP(0, SCMP_CMP_EQ, AF_NETLINK_NR),
				       SCMP_CMP(2, SCMP_CMP_GT, 0)};
	int r = rule(ctx, req->cfg, act, __NR_socket, 2, proto);
	/* the types but 2 and 3 in the low four bits: 0-1, 4-7, 8-15 */
	static const uint32_t mask[] = {0xe, 0xc, 0x8}, val[] = {0, 4, 8};
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(mask); i++) {
		struct scmp_arg_cmp c[] = {SCMP_CMP(0, SCMP_CMP_EQ, AF_NETLINK_NR),
					   SCMP_CMP(1, SCMP_CMP_MASKED_EQ, mask[i], val[i])};
		r = rule(ctx, req->cfg, act, __NR_socket, 2, c);
	}
	return r;
}

static int add_socket_rules(scmp_filter_ctx ctx, const struct filter_req *req)
{
	const struct sandlock_sandbox *cfg = req->cfg;
	struct scmp_arg_cmp gt[] = {SCMP_CMP(0, SCMP_CMP_GT, AF_NETLINK_NR)};
	int r = rule(ctx, cfg, SCMP_ACT_ERRNO(EAFNOSUPPORT), __NR_socket, 1, gt);
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(af_denied_low); i++) {
		struct scmp_arg_cmp c[] = {A32(0, af_denied_low[i])};
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EAFNOSUPPORT), __NR_socket, 1, c);
	}
	if (r == 0)
		r = add_netlink_rules(ctx, req);
	if (r == 0)
		r = add_inet_rules(ctx, req, AF_INET);
	if (r == 0)
		r = add_inet_rules(ctx, req, AF_INET6);
	/* TCP Fast Open connects implicitly, past Landlock's connect check. */
	struct scmp_arg_cmp to[] = {ABIT(3, MSG_FASTOPEN)};
	struct scmp_arg_cmp msg[] = {ABIT(2, MSG_FASTOPEN)};
	struct scmp_arg_cmp so[] = {A32(1, IPPROTO_TCP), A32(2, TCP_FASTOPEN_CONNECT)};
	if (r == 0)
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_sendto, 1, to);
	if (r == 0)
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_sendmsg, 1, msg);
	if (r == 0)
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_sendmmsg, 1, to);
	if (r == 0)
		r = rule(ctx, cfg, SCMP_ACT_ERRNO(EPERM), __NR_setsockopt, 2, so);
	return r;
}

bool filter_notifies_all(const struct filter_req *req, int nr)
{
	for (size_t i = 0; i < req->n_rules; i++)
		if (req->rules[i].nr == nr && req->rules[i].ncmp == 0)
			return true;
	return false;
}

static struct scmp_arg_cmp scmp_of(const struct sl_argcmp *c)
{
	switch (c->op) {
	case SL_CMP_NE:
		return (struct scmp_arg_cmp)SCMP_CMP(c->arg, SCMP_CMP_NE, c->val);
	case SL_CMP_GT:
		return (struct scmp_arg_cmp)SCMP_CMP(c->arg, SCMP_CMP_GT, c->val);
	case SL_CMP_MASKED_EQ:
		return (struct scmp_arg_cmp)SCMP_CMP(c->arg, SCMP_CMP_MASKED_EQ, c->mask, c->val);
	case SL_CMP_EQ:
	default:
		return (struct scmp_arg_cmp)SCMP_CMP(c->arg, SCMP_CMP_EQ, c->val);
	}
}

/* Every call of nr: unconditional, or where the filter denies forms of it
 * by its arguments, exactly the forms it denies not (an unconditional
 * rule would supersede those denials in libseccomp). */
static int notify_all(scmp_filter_ctx ctx, const struct filter_req *req, int nr)
{
	struct scmp_arg_cmp forms[2];
	size_t n = notify_forms(nr, forms);
	int r = 0;
	for (size_t k = 0; r == 0 && k < n; k++)
		r = rule(ctx, req->cfg, SCMP_ACT_NOTIFY, nr, 1, &forms[k]);
	return n ? r : rule(ctx, req->cfg, SCMP_ACT_NOTIFY, nr, 0, NULL);
}

/* The features' and the user handlers' notify rules.  A syscall some
 * rule notifies in every form needs none of its conditional rules. */
static int add_notify(scmp_filter_ctx ctx, const struct filter_req *req)
{
	for (size_t i = 0; i < req->n_rules; i++) {
		const struct sl_nrule *nr = &req->rules[i];
		int r = 0;
		if (filter_notifies_all(req, nr->nr)) {
			bool first = true;
			for (size_t k = 0; k < i; k++)
				first = first && req->rules[k].nr != nr->nr;
			r = first ? notify_all(ctx, req, nr->nr) : 0;
		} else {
			struct scmp_arg_cmp c[SL_NRULE_CMPS];
			for (uint32_t k = 0; k < nr->ncmp && k < SL_NRULE_CMPS; k++)
				c[k] = scmp_of(&nr->cmp[k]);
			r = rule(ctx, req->cfg, SCMP_ACT_NOTIFY, nr->nr, nr->ncmp, c);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* setpriority & co naming every process of a uid are refused (a
 * feature's rules notify the other forms that name another process),
 * unless a rule takes every call of the syscall. */
static int add_which_user_rules(scmp_filter_ctx ctx, const struct filter_req *req)
{
	static const struct {
		int nr, user;
	} which_user[] = {
	    {__NR_setpriority, 2},
	    {__NR_getpriority, 2},
	    {__NR_ioprio_set, 3},
	    {__NR_ioprio_get, 3},
	};
	int r = 0;
	for (size_t i = 0; r == 0 && i < SL_ARRAY_SIZE(which_user); i++) {
		if (filter_notifies_all(req, which_user[i].nr))
			continue;
		struct scmp_arg_cmp user[] = {A32(0, which_user[i].user)};
		r = rule(ctx, req->cfg, SCMP_ACT_ERRNO(EPERM), which_user[i].nr, 1, user);
	}
	return r;
}

/* libseccomp 2.5.4 exports only to an fd: write to a memfd, read back. */
static int export_prog(scmp_filter_ctx ctx, struct sock_fprog *out)
{
	int mfd = memfd_create("sandlock-bpf", MFD_CLOEXEC);
	if (mfd < 0)
		return sl_errorf(errno, "seccomp: memfd: %s", strerror(errno));
	int r = seccomp_export_bpf(ctx, mfd);
	if (r < 0) {
		close(mfd);
		return sl_errorf(-r, "seccomp: export: %s", strerror(-r));
	}
	off_t len = lseek(mfd, 0, SEEK_CUR);
	size_t n = (size_t)len / sizeof(struct sock_filter);
	if (len <= 0 || n > BPF_MAXINSNS) {
		close(mfd);
		return sl_errorf(E2BIG, "seccomp: BPF program too large (%zu instructions)", n);
	}
	struct sock_filter *insns = malloc((size_t)len);
	if (!insns || pread(mfd, insns, (size_t)len, 0) != len) {
		free(insns);
		close(mfd);
		return sl_errorf(EIO, "seccomp: cannot read the exported program");
	}
	close(mfd);
	out->filter = insns;
	out->len = (unsigned short)n;
	return 0;
}

/* Defined by the generated build/gen/filter_default.c (the default
 * policy, and the default with max_memory); the generator itself defines
 * none. */
extern const struct filter_prebuilt filter_prebuilts[];
extern const size_t filter_n_prebuilts;

static void key_set(uint64_t *bits, int nr, struct filter_key *key)
{
	if (nr < 0 || nr >= FILTER_KEY_WORDS * 64)
		key->valid = 0;
	else
		bits[nr / 64] |= 1ULL << (nr % 64);
}

/* FNV-1a over the rules as they are (no padding in struct sl_nrule). */
static uint64_t rules_hash(const struct sl_nrule *v, size_t n)
{
	const unsigned char *p = (const unsigned char *)v;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n * sizeof(*v); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

void filter_key_of(const struct filter_req *req, struct filter_key *key)
{
	const struct sandlock_sandbox *cfg = req->cfg;
	*key = (struct filter_key){.valid = 1,
				   .flags = (req->allow_udp ? 1u : 0u) |
					    (req->allow_icmp ? 2u : 0u) | (req->tty_jobs ? 4u : 0u),
				   .n_rules = (uint32_t)req->n_rules,
				   .rules_hash = rules_hash(req->rules, req->n_rules)};
	size_t n;
	const int *d = syscalls_default_deny(&n);
	for (size_t i = 0; i < n; i++)
		key_set(key->deny, d[i], key);
	d = syscalls_sysv_ipc(&n);
	for (size_t i = 0; !sysv_allowed(cfg) && i < n; i++)
		key_set(key->deny, d[i], key);
	for (size_t i = 0; i < cfg->deny_syscalls.n; i++)
		key_set(key->deny, syscalls_nr(cfg->deny_syscalls.v[i]), key);
}

static bool prebuilt_matches(const struct filter_prebuilt *pre, const struct filter_key *key,
			     const struct filter_req *req)
{
	return memcmp(key, &pre->key, sizeof(*key)) == 0 &&
	       (!req->n_rules ||
		memcmp(req->rules, pre->rules, req->n_rules * sizeof(*req->rules)) == 0);
}

int filter_compile(const struct filter_req *req, struct sock_fprog *out)
{
	struct filter_key key;
	filter_key_of(req, &key);
	const struct filter_prebuilt *pre = NULL;
	for (size_t i = 0; key.valid && i < filter_n_prebuilts; i++)
		if (prebuilt_matches(&filter_prebuilts[i], &key, req))
			pre = &filter_prebuilts[i];
	if (!pre)
		return filter_assemble(req, out);
	size_t size = pre->len * sizeof(struct sock_filter);
	out->filter = malloc(size);
	if (!out->filter)
		return sl_errorf(ENOMEM, "out of memory");
	memcpy(out->filter, pre->insns, size);
	out->len = pre->len;
	return 0;
}

int filter_assemble_raw(const struct filter_req *req, struct sock_fprog *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return sl_errorf(ENOMEM, "seccomp: cannot create a filter context");
	/* A foreign arch (and x32 on x86_64, which libseccomp folds into the
	 * bad-arch path when the filter holds only x86_64) kills the process. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		r = sl_errorf(-r, "seccomp: bad-arch action: %s", strerror(-r));
	/* A binary tree over the syscall numbers, not a linear chain.  The
	 * kernel evaluates the program for every syscall number when it is
	 * installed (the action cache), so installing a chain costs about
	 * half a microsecond per instruction: 200 us for this one, half
	 * that as a tree. */
	if (r == 0 && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		r = sl_errorf(-r, "seccomp: optimize: %s", strerror(-r));
	if (r == 0)
		r = add_deny_lists(ctx, req->cfg);
	if (r == 0)
		r = add_process_rules(ctx, req->cfg);
	if (r == 0)
		r = add_file_rules(ctx, req->cfg);
	if (r == 0)
		r = add_socket_rules(ctx, req);
	if (r == 0)
		r = add_notify(ctx, req);
	if (r == 0)
		r = add_which_user_rules(ctx, req);
	if (r == 0)
		r = add_tty_rules(ctx, req);
	if (r == 0)
		r = export_prog(ctx, out);
	seccomp_release(ctx);
	return r;
}

int filter_assemble(const struct filter_req *req, struct sock_fprog *out)
{
	int r = filter_assemble_raw(req, out);
	if (r == 0)
		out->len = (unsigned short)bpfshrink(out->filter, out->len);
	return r;
}

void filter_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}
