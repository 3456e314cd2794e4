/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c - a static multi-call helper run inside (and outside) sandboxes
 * by the integration tests.
 *
 *   probe <subcommand> [args...]
 *
 * Each subcommand does one thing and prints one machine-readable line:
 * "ok" (sometimes followed by a value) or "errno=<NAME>".  The exit status
 * is 0 unless the subcommand was misused (2) or is `exit N`.  `seq` runs
 * several subcommands, one per argument ("socket inet raw"), printing one
 * line each, so a single sandbox run can answer many questions.
 *
 * System calls are issued with harmless or invalid arguments in the style
 * of bubblewrap's try-syscall helper: outside a sandbox they fail with
 * EFAULT/EBADF/EINVAL (or succeed without side effects); inside one, a
 * denied call fails with EPERM before the kernel looks at its arguments.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

extern char **environ;

/* ---- result printing ----------------------------------------------------- */

static int usage(const char *what)
{
	fprintf(stderr, "probe: usage: %s\n", what);
	return 2;
}

/* ---- syscall reachability ------------------------------------------------ */

/* An address that is never mapped: the kernel answers EFAULT. */
#define BADPTR ((void *)1)

/* Set in the upper half of a 64-bit argument register whose syscall
 * parameter is a 32-bit int: the kernel ignores these bits, so a filter
 * that compares all 64 bits can be bypassed (CVE-2019-10063 style). */
#define HIGHBITS 0xffffffff00000000UL

static bool want_highbits(int argc, char **argv, int i)
{
	return argc > i && !strcmp(argv[i], "highbits");
}

/* Numbers older headers may lack (the same on x86_64 and aarch64). */
#define SYS_open_tree_nr     428
#define SYS_move_mount_nr    429
#define SYS_fsopen_nr	     430
#define SYS_fsconfig_nr	     431
#define SYS_fsmount_nr	     432
#define SYS_fspick_nr	     433
#define SYS_mount_setattr_nr 442
#define SYS_quotactl_fd_nr   443
#if defined(__x86_64__)
#define SYS_kexec_file_load_nr 320
#else
#define SYS_kexec_file_load_nr 294
#endif

/* vhangup hangs up the caller's controlling terminal (with
 * CAP_SYS_TTY_CONFIG): call it in a child that has none (setsid). */
static long vhangup_detached(void)
{
	pid_t c = fork();
	if (c == 0) {
		setsid();
		_exit(syscall(SYS_vhangup) < 0 ? errno : 0);
	}
	int st;
	if (c < 0 || waitpid(c, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	errno = WEXITSTATUS(st);
	return errno ? -1 : 0;
}

static long try_syscall(const char *name, bool *known)
{
	*known = true;
	/* Filesystem and namespace administration. */
	if (!strcmp(name, "mount"))
		return syscall(SYS_mount, NULL, NULL, NULL, 0UL, NULL);
	if (!strcmp(name, "umount2"))
		return syscall(SYS_umount2, "", 0xffff0000UL); /* bad flags: EINVAL */
	if (!strcmp(name, "pivot_root"))
		return syscall(SYS_pivot_root, NULL, NULL);
	if (!strcmp(name, "swapon"))
		return syscall(SYS_swapon, NULL, 0);
	if (!strcmp(name, "swapoff"))
		return syscall(SYS_swapoff, NULL);
	if (!strcmp(name, "reboot")) /* wrong magic: EINVAL */
		return syscall(SYS_reboot, 0, 0, 0, NULL);
	if (!strcmp(name, "sethostname"))
		return syscall(SYS_sethostname, NULL, -1L);
	if (!strcmp(name, "setdomainname"))
		return syscall(SYS_setdomainname, NULL, -1L);
	if (!strcmp(name, "kexec_load")) /* no segments, bad flags: EINVAL */
		return syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xffff0000UL);
	if (!strcmp(name, "init_module")) /* zero-length image: ENOEXEC */
		return syscall(SYS_init_module, NULL, 0UL, "");
	if (!strcmp(name, "finit_module"))
		return syscall(SYS_finit_module, -1, "", 0);
	if (!strcmp(name, "delete_module"))
		return syscall(SYS_delete_module, NULL, 0);
	if (!strcmp(name, "unshare")) /* 0x1 is no unshare flag: EINVAL */
		return syscall(SYS_unshare, 0x1);
	if (!strcmp(name, "setns"))
		return syscall(SYS_setns, -1, 0);
	if (!strcmp(name, "quotactl")) /* no device: ENODEV */
		return syscall(SYS_quotactl, 0, NULL, 0, NULL);
	if (!strcmp(name, "acct"))
		return syscall(SYS_acct, BADPTR);
	if (!strcmp(name, "open_by_handle_at"))
		return syscall(SYS_open_by_handle_at, -1, NULL, 0);
	if (!strcmp(name, "name_to_handle_at")) /* bad flags: EINVAL */
		return syscall(SYS_name_to_handle_at, -1, NULL, NULL, NULL, 0xffff0000);
	/* Kernel interfaces with a large attack surface. */
	if (!strcmp(name, "perf_event_open"))
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0UL);
	if (!strcmp(name, "bpf"))
		return syscall(SYS_bpf, 0xffff, NULL, 0);
	if (!strcmp(name, "userfaultfd")) /* bad flags: EINVAL */
		return syscall(SYS_userfaultfd, 0xffff0000);
	if (!strcmp(name, "keyctl")) /* unknown operation: EOPNOTSUPP */
		return syscall(SYS_keyctl, 0xffff, 0, 0, 0, 0);
	if (!strcmp(name, "add_key"))
		return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0);
	if (!strcmp(name, "request_key"))
		return syscall(SYS_request_key, NULL, NULL, NULL, 0);
	if (!strcmp(name, "io_uring_setup"))
		return syscall(SYS_io_uring_setup, 0, NULL);
	if (!strcmp(name, "io_uring_enter"))
		return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
	if (!strcmp(name, "io_uring_register"))
		return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
	/* Cross-process access. */
	if (!strcmp(name, "ptrace")) /* unknown request, no such pid */
		return syscall(SYS_ptrace, 0xffff, -1, NULL, NULL);
	if (!strcmp(name, "process_vm_readv")) /* bad flags: EINVAL */
		return syscall(SYS_process_vm_readv, 0, NULL, 0, NULL, 0, 1UL);
	if (!strcmp(name, "process_vm_writev"))
		return syscall(SYS_process_vm_writev, 0, NULL, 0, NULL, 0, 1UL);
#ifdef SYS_uselib
	if (!strcmp(name, "uselib")) /* no path: EFAULT (ENOSYS without CONFIG_USELIB) */
		return syscall(SYS_uselib, NULL);
#endif
#ifdef SYS_ioperm
	if (!strcmp(name, "ioperm")) /* out of range: EINVAL */
		return syscall(SYS_ioperm, 0xffffffffUL, 1UL, 0);
#endif
#ifdef SYS_iopl
	if (!strcmp(name, "iopl")) /* level > 3: EINVAL */
		return syscall(SYS_iopl, 99);
#endif
	if (!strcmp(name, "personality")) /* a query: changes nothing */
		return syscall(SYS_personality, 0xffffffffUL);
	/* SysV IPC: keys that do not exist, ids that are invalid. */
	if (!strcmp(name, "shmget"))
		return syscall(SYS_shmget, 0x5a4e0001, 0, 0);
	if (!strcmp(name, "shmat"))
		return syscall(SYS_shmat, -1, NULL, 0);
	if (!strcmp(name, "shmdt"))
		return syscall(SYS_shmdt, BADPTR);
	if (!strcmp(name, "shmctl"))
		return syscall(SYS_shmctl, -1, 0xffff, NULL);
	if (!strcmp(name, "msgget"))
		return syscall(SYS_msgget, 0x5a4e0001, 0);
	if (!strcmp(name, "msgsnd"))
		return syscall(SYS_msgsnd, -1, NULL, 0, 0);
	if (!strcmp(name, "msgrcv"))
		return syscall(SYS_msgrcv, -1, NULL, 0, 0, 0);
	if (!strcmp(name, "msgctl"))
		return syscall(SYS_msgctl, -1, 0xffff, NULL);
	if (!strcmp(name, "semget"))
		return syscall(SYS_semget, 0x5a4e0001, -1, 0);
	if (!strcmp(name, "semop"))
		return syscall(SYS_semop, -1, NULL, 0);
	if (!strcmp(name, "semctl"))
		return syscall(SYS_semctl, -1, 0, 0xffff, 0);
	if (!strcmp(name, "semtimedop"))
		return syscall(SYS_semtimedop, -1, NULL, 0, NULL);
	/* The new mount API, clock, log, kexec, tty, chroot, fanotify,
	 * quotas: invalid flags, fds or values, which the kernel checks
	 * before doing anything (some after the capability check: EPERM
	 * unprivileged). */
	if (!strcmp(name, "fsopen")) /* no name: EFAULT */
		return syscall(SYS_fsopen_nr, NULL, 0);
	if (!strcmp(name, "fsconfig")) /* bad command: EINVAL */
		return syscall(SYS_fsconfig_nr, -1, 0xffff, NULL, NULL, 0);
	if (!strcmp(name, "fsmount")) /* bad flags: EINVAL */
		return syscall(SYS_fsmount_nr, -1, 0xffffffffU, 0);
	if (!strcmp(name, "fspick")) /* bad flags: EINVAL */
		return syscall(SYS_fspick_nr, -1, "", 0xffffffffU);
	if (!strcmp(name, "move_mount")) /* bad flags: EINVAL */
		return syscall(SYS_move_mount_nr, -1, "", -1, "", 0xffffffffU);
	if (!strcmp(name, "open_tree")) /* bad flags: EINVAL */
		return syscall(SYS_open_tree_nr, -1, "", 0xffffffffU);
	if (!strcmp(name, "mount_setattr")) /* bad flags: EINVAL */
		return syscall(SYS_mount_setattr_nr, -1, "", 0xffffffffU, NULL, 0UL);
	if (!strcmp(name, "syslog")) /* unknown action: EINVAL */
		return syscall(SYS_syslog, 100, NULL, 0);
	if (!strcmp(name, "settimeofday")) { /* tv_usec out of range: EINVAL */
		struct timeval tv = {0, 2000000};
		return syscall(SYS_settimeofday, &tv, NULL);
	}
	if (!strcmp(name, "clock_settime")) { /* tv_nsec out of range: EINVAL */
		struct timespec ts = {0, 2000000000L};
		return syscall(SYS_clock_settime, CLOCK_REALTIME, &ts);
	}
	if (!strcmp(name, "kexec_file_load")) /* bad flags: EINVAL */
		return syscall(SYS_kexec_file_load_nr, -1, -1, 0UL, NULL, 0xffff0000UL);
	if (!strcmp(name, "vhangup")) /* without a controlling terminal */
		return vhangup_detached();
	if (!strcmp(name, "chroot")) /* no path: EFAULT */
		return syscall(SYS_chroot, NULL);
	if (!strcmp(name, "fanotify_init")) /* bad flags: EINVAL */
		return syscall(SYS_fanotify_init, 0xffffffffU, 0U);
	if (!strcmp(name, "quotactl_fd")) /* no such fd: EBADF */
		return syscall(SYS_quotactl_fd_nr, -1, 0U, 0, NULL);
	/* Ordinary calls, for extra_deny_syscalls. */
	if (!strcmp(name, "getrandom")) {
		char b[4];
		return syscall(SYS_getrandom, b, sizeof(b), 0);
	}
	if (!strcmp(name, "getpid"))
		return syscall(SYS_getpid);
	if (!strcmp(name, "getppid"))
		return syscall(SYS_getppid);
	/* Calls the command itself cannot do without, in a form the kernel
	 * refuses after the filter let it through (no such fd: EBADF; no
	 * path: EFAULT): a deny shows as EPERM instead. */
	if (!strcmp(name, "read")) {
		char b;
		return syscall(SYS_read, -1, &b, 1);
	}
	if (!strcmp(name, "close"))
		return syscall(SYS_close, -1);
	if (!strcmp(name, "execve"))
		return syscall(SYS_execve, NULL, NULL, NULL);
	if (!strcmp(name, "execveat"))
		return syscall(SYS_execveat, -1, NULL, NULL, NULL, 0);
	if (!strcmp(name, "rt_sigprocmask")) /* reads the mask */
		return syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 8);
	*known = false;
	return -1;
}

/* syscall NAME...: one line "<name> <result>" per name. */
static int cmd_syscall(int argc, char **argv)
{
	if (argc < 2)
		return usage("syscall NAME...");
	for (int i = 1; i < argc; i++) {
		bool known;
		errno = 0;
		long rc = try_syscall(argv[i], &known);
		if (!known) {
			printf("%s unknown\n", argv[i]);
			continue;
		}
		printf("%s ", argv[i]);
		probe_report(rc);
	}
	return 0;
}

/* sysv: really uses each SysV facility once (private objects, removed). */
static int cmd_sysv(int argc, char **argv)
{
	int id = (int)syscall(SYS_shmget, IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0)
		return printf("shmget "), probe_report(-1);
	syscall(SYS_shmctl, id, IPC_RMID, NULL);
	id = (int)syscall(SYS_msgget, IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0)
		return printf("msgget "), probe_report(-1);
	syscall(SYS_msgctl, id, IPC_RMID, NULL);
	id = (int)syscall(SYS_semget, IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (id < 0)
		return printf("semget "), probe_report(-1);
	syscall(SYS_semctl, id, 0, IPC_RMID, 0);
	printf("ok\n");
	return 0;
}

/* ---- ioctl filters ----------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned long cmd;
} ioctls[] = {
    {"tiocsti", 0x5412},       {"tioclinux", 0x541C},	 {"siocgifname", 0x8910},
    {"siocgifconf", 0x8912},   {"siocgifflags", 0x8913}, {"siocgifaddr", 0x8915},
    {"siocgifhwaddr", 0x8927}, {"siocgifindex", 0x8933}, {"siocethtool", 0x8946},
    {"fionread", 0x541B},
};

/* ioctl NAME [highbits]: the request on a pipe (a non-tty, non-socket fd),
 * optionally with the upper 32 bits of the command set (CVE-2019-10063). */
static int cmd_ioctl(int argc, char **argv)
{
	if (argc < 2)
		return usage("ioctl NAME [highbits]");
	unsigned long cmd = 0;
	bool found = false;
	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		if (!strcmp(argv[1], ioctls[i].name)) {
			cmd = ioctls[i].cmd;
			found = true;
		}
	if (!found)
		return usage("ioctl: unknown request name");
	if (argc > 2 && !strcmp(argv[2], "highbits"))
		cmd |= 0xffffffff00000000UL;
	int p[2];
	if (pipe(p) < 0)
		return probe_report(-1);
	char c = 'x';
	int n = 0;
	/* The raw syscall: the libc wrapper truncates the command to int. */
	long rc = syscall(SYS_ioctl, p[0], cmd, strcmp(argv[1], "fionread") ? (void *)&c : &n);
	return probe_report(rc);
}

/* ---- process creation ------------------------------------------------------ */

/* clone3: a plain fork through clone3; the child exits at once. */
static int cmd_clone3(int argc, char **argv)
{
	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	long rc = syscall(SYS_clone3, &ca, sizeof(ca));
	if (rc == 0)
		syscall(SYS_exit_group, 0);
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	return probe_report(rc);
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* threads [N]: creates and joins N pthreads (default 4). */
static int cmd_threads(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	for (int i = 0; i < n; i++) {
		pthread_t t;
		int e = pthread_create(&t, NULL, thread_fn, (void *)(intptr_t)i);
		if (e) {
			errno = e;
			return probe_report(-1);
		}
		void *ret;
		pthread_join(t, &ret);
		if ((intptr_t)ret != i) {
			printf("bad join value\n");
			return 0;
		}
	}
	printf("ok\n");
	return 0;
}

static const struct {
	const char *name;
	unsigned long flag;
} nsflags[] = {
    {"user", CLONE_NEWUSER},	 {"ns", CLONE_NEWNS},	{"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID},	 {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
    {"cgroup", CLONE_NEWCGROUP},
};

/* clone-ns [user|ns|net|pid|uts|ipc|cgroup] [highbits]: raw clone with that
 * namespace flag (default user); a created child exits at once. */
static int cmd_clone_ns(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "user";
	unsigned long flag = 0;
	for (size_t i = 0; i < sizeof(nsflags) / sizeof(nsflags[0]); i++)
		if (!strcmp(which, nsflags[i].name))
			flag = nsflags[i].flag;
	if (!flag)
		return usage("clone-ns user|ns|net|pid|uts|ipc|cgroup");
	if (want_highbits(argc, argv, 2))
		flag |= HIGHBITS;
	long rc = syscall(SYS_clone, flag | SIGCHLD, NULL, NULL, NULL, 0UL);
	if (rc == 0)
		syscall(SYS_exit_group, 0);
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	return probe_report(rc);
}

/* fork: a plain fork (glibc uses clone); the child exits at once. */
static int cmd_fork(int argc, char **argv)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return probe_report(pid);
}

/* prctl dumpable|securebits|ptracer [highbits]: sets each to a harmless
 * value (the option is an int: the kernel ignores high bits). */
static int cmd_prctl(int argc, char **argv)
{
	if (argc < 2)
		return usage("prctl dumpable|securebits|ptracer [highbits]");
	unsigned long hb = want_highbits(argc, argv, 2) ? HIGHBITS : 0;
	long rc;
	if (!strcmp(argv[1], "dumpable")) {
		rc = syscall(SYS_prctl, hb | PR_SET_DUMPABLE, 1UL, 0UL, 0UL, 0UL);
	} else if (!strcmp(argv[1], "securebits")) {
		int cur = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
		rc = syscall(SYS_prctl, hb | PR_SET_SECUREBITS, (unsigned long)(cur < 0 ? 0 : cur),
			     0UL, 0UL, 0UL);
	} else if (!strcmp(argv[1], "ptracer")) {
		rc = syscall(SYS_prctl, hb | 0x59616d61UL /* PR_SET_PTRACER */, 0UL, 0UL, 0UL, 0UL);
	} else {
		return usage("prctl dumpable|securebits|ptracer [highbits]");
	}
	return probe_report(rc);
}

/* ---- foreign syscall ABIs ---------------------------------------------------- */

/* int80 NR [ARG]: a 32-bit (i386) syscall through int 0x80; "ok <ret>" or
 * the errno.  The seccomp filter must not treat it as the native call. */
static int cmd_int80(int argc, char **argv)
{
	if (argc < 2)
		return usage("int80 NR [ARG]");
#if defined(__x86_64__)
	long nr = strtol(argv[1], NULL, 0), a1 = argc > 2 ? strtol(argv[2], NULL, 0) : 0, ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1) : "memory");
	if (ret < 0 && ret > -4096) {
		printf("errno=%s\n", probe_errname((int)-ret));
		return 0;
	}
	printf("ok %ld\n", ret);
	return 0;
#else
	printf("unsupported\n");
	return 0;
#endif
}

/* x32 NAME: the x32 variant (nr | 0x40000000) of getpid or unshare(0x1). */
static int cmd_x32(int argc, char **argv)
{
	if (argc < 2)
		return usage("x32 getpid|unshare");
#if defined(__x86_64__)
	if (!strcmp(argv[1], "getpid"))
		return probe_report(syscall(0x40000000L | SYS_getpid));
	return probe_report(syscall(0x40000000L | SYS_unshare, 0x1));
#else
	printf("unsupported\n");
	return 0;
#endif
}

/* ---- signals -------------------------------------------------------------- */

static int cmd_kill_parent(int argc, char **argv)
{
	return probe_report(kill(getppid(), 0));
}

/* signal-parent SIG: sends signal SIG (a number) to the parent, for real. */
static int cmd_signal_parent(int argc, char **argv)
{
	if (argc < 2)
		return usage("signal-parent SIG");
	return probe_report(kill(getppid(), atoi(argv[1])));
}

static int cmd_kill_self(int argc, char **argv)
{
	return probe_report(kill(getpid(), 0));
}

/* ---- sockets ---------------------------------------------------------------- */

static const struct {
	const char *name;
	int value;
} sockconst[] = {
    {"unix", AF_UNIX},
    {"inet", AF_INET},
    {"inet6", AF_INET6},
    {"packet", AF_PACKET},
    {"netlink", AF_NETLINK},
    {"alg", 38},
    {"vsock", 40},
    {"stream", SOCK_STREAM},
    {"dgram", SOCK_DGRAM},
    {"raw", SOCK_RAW},
    {"seqpacket", SOCK_SEQPACKET},
};

static int sock_value(const char *s)
{
	for (size_t i = 0; i < sizeof(sockconst) / sizeof(sockconst[0]); i++)
		if (!strcmp(s, sockconst[i].name))
			return sockconst[i].value;
	return atoi(s);
}

/* socket DOMAIN TYPE [PROTO]: names or numbers (proto 262 MPTCP, 132 SCTP). */
static int cmd_socket(int argc, char **argv)
{
	if (argc < 3)
		return usage("socket DOMAIN TYPE [PROTO]");
	int fd = socket(sock_value(argv[1]), sock_value(argv[2]), argc > 3 ? atoi(argv[3]) : 0);
	probe_report(fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* socket-hb domain|type|proto DOMAIN TYPE PROTO: the same through the raw
 * syscall with the upper 32 bits of one int argument set. */
static int cmd_socket_hb(int argc, char **argv)
{
	if (argc < 5)
		return usage("socket-hb domain|type|proto DOMAIN TYPE PROTO");
	unsigned long a[3] = {(unsigned int)sock_value(argv[2]), (unsigned int)sock_value(argv[3]),
			      (unsigned int)atoi(argv[4])};
	int which = !strcmp(argv[1], "domain") ? 0 : !strcmp(argv[1], "type") ? 1 : 2;
	a[which] |= HIGHBITS;
	long fd = syscall(SYS_socket, a[0], a[1], a[2]);
	probe_report(fd);
	if (fd >= 0)
		close((int)fd);
	return 0;
}

static struct sockaddr_in loopback(const char *port)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* tcp-connect PORT: connect to 127.0.0.1:PORT. */
static int cmd_tcp_connect(int argc, char **argv)
{
	if (argc < 2)
		return usage("tcp-connect PORT");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return probe_report(-1);
	struct sockaddr_in sa = loopback(argv[1]);
	return probe_report(connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
}

/* tcp-bind PORT: bind 127.0.0.1:PORT. */
static int cmd_tcp_bind(int argc, char **argv)
{
	if (argc < 2)
		return usage("tcp-bind PORT");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return probe_report(-1);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa = loopback(argv[1]);
	return probe_report(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
}

/* tfo-sendto PORT [EXTRA-FLAGS-HEX]: TCP Fast Open, which connects inside
 * sendto(); extra flags are or'ed in (e.g. 40 = MSG_DONTWAIT). */
static int cmd_tfo_sendto(int argc, char **argv)
{
	if (argc < 2)
		return usage("tfo-sendto PORT [EXTRA-FLAGS-HEX]");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return probe_report(-1);
	struct sockaddr_in sa = loopback(argv[1]);
	int flags = MSG_FASTOPEN | (argc > 2 ? (int)strtol(argv[2], NULL, 16) : 0);
	return probe_report(sendto(fd, "x", 1, flags, (struct sockaddr *)&sa, sizeof(sa)));
}

/* tfo-sendmsg PORT / tfo-sendmmsg PORT: the same connect through sendmsg()
 * and sendmmsg(), which take MSG_FASTOPEN too. */
static int tfo_msg(int argc, char **argv, bool mmsg)
{
	if (argc < 2)
		return usage("tfo-sendmsg|tfo-sendmmsg PORT");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return probe_report(-1);
	struct sockaddr_in sa = loopback(argv[1]);
	struct iovec iov = {"x", 1};
	struct mmsghdr mh;
	memset(&mh, 0, sizeof(mh));
	mh.msg_hdr.msg_name = &sa;
	mh.msg_hdr.msg_namelen = sizeof(sa);
	mh.msg_hdr.msg_iov = &iov;
	mh.msg_hdr.msg_iovlen = 1;
	if (mmsg)
		return probe_report(sendmmsg(fd, &mh, 1, MSG_FASTOPEN));
	return probe_report(sendmsg(fd, &mh.msg_hdr, MSG_FASTOPEN));
}

static int cmd_tfo_sendmsg(int argc, char **argv)
{
	return tfo_msg(argc, argv, false);
}

static int cmd_tfo_sendmmsg(int argc, char **argv)
{
	return tfo_msg(argc, argv, true);
}

/* tfo-sockopt [highbits]: setsockopt(TCP_FASTOPEN_CONNECT), the other way
 * into TFO; level and optname are ints (high bits ignored by the kernel). */
static int cmd_tfo_sockopt(int argc, char **argv)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return probe_report(-1);
	int one = 1;
	unsigned long hb = want_highbits(argc, argv, 1) ? HIGHBITS : 0;
	return probe_report(syscall(SYS_setsockopt, fd, hb | IPPROTO_TCP, hb | TCP_FASTOPEN_CONNECT,
				    &one, sizeof(one)));
}

static socklen_t abstract_addr(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	size_t n = strlen(name);
	if (n > sizeof(sa->sun_path) - 1)
		n = sizeof(sa->sun_path) - 1;
	memcpy(sa->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* connect-abstract NAME: connect to the abstract unix socket "\0NAME". */
static int cmd_connect_abstract(int argc, char **argv)
{
	if (argc < 2)
		return usage("connect-abstract NAME");
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return probe_report(-1);
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(&sa, argv[1]);
	return probe_report(connect(fd, (struct sockaddr *)&sa, len));
}

/* connect-seqpacket PATH MSG: connects a SOCK_SEQPACKET socket to PATH
 * and sends MSG (a control socket's request): ok, or the errno. */
static int cmd_connect_seqpacket(int argc, char **argv)
{
	if (argc < 3)
		return usage("connect-seqpacket PATH MSG");
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return probe_report(-1);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return probe_report(-1);
	return probe_report(send(fd, argv[2], strlen(argv[2]), 0) < 0 ? -1 : 0);
}

/* landlock-nest FILE DIR: makes a Landlock domain of its own that
 * refuses every file read, reads FILE (refused by it), then makes DIR/d
 * (left to the domains above): "nested=<errno> mkdir=<errno>". */
static int cmd_landlock_nest(int argc, char **argv)
{
	if (argc < 3)
		return usage("landlock-nest FILE DIR");
	uint64_t handled = 1u << 2; /* LANDLOCK_ACCESS_FS_READ_FILE */
	long fd = syscall(444 /* landlock_create_ruleset */, &handled, sizeof(handled), 0);
	if (fd < 0 || syscall(446 /* landlock_restrict_self */, fd, 0) < 0)
		return probe_report(-1);
	int rd = open(argv[1], O_RDONLY);
	int e1 = rd < 0 ? errno : 0;
	char d[PATH_MAX];
	snprintf(d, sizeof(d), "%s/d", argv[2]);
	int e2 = mkdir(d, 0755) < 0 ? errno : 0;
	printf("nested=%s mkdir=%s\n", e1 ? strerrorname_np(e1) : "ok",
	       e2 ? strerrorname_np(e2) : "ok");
	return 0;
}

/* unix-pair PATH: listens on a pathname unix socket, a forked child
 * connects and sends "hi", the parent accepts and reads it. */
static int cmd_unix_pair(int argc, char **argv)
{
	if (argc < 2)
		return usage("unix-pair PATH");
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0)
		return printf("socket "), probe_report(-1);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return printf("bind "), probe_report(-1);
	if (listen(lfd, 1) < 0)
		return printf("listen "), probe_report(-1);
	pid_t pid = fork();
	if (pid < 0)
		return printf("fork "), probe_report(-1);
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(1);
		_exit(write(c, "hi", 2) == 2 ? 0 : 1);
	}
	int a = accept(lfd, NULL, NULL);
	char buf[3] = {0};
	ssize_t n = a >= 0 ? read(a, buf, 2) : -1;
	int st = 0;
	waitpid(pid, &st, 0);
	unlink(argv[1]);
	if (a < 0)
		return printf("accept "), probe_report(-1);
	printf("%s\n", n == 2 && !strcmp(buf, "hi") && st == 0 ? "ok" : "bad exchange");
	return 0;
}

/* ---- files -------------------------------------------------------------------- */

/* Reads fd to its end: "ok <bytes>", or the errno. */
static int report_read(int fd)
{
	char buf[4096];
	ssize_t n, total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		return probe_report(-1);
	printf("ok %zd\n", total);
	return 0;
}

/* read PATH: opens and reads the file; "ok <bytes>". */
static int cmd_read(int argc, char **argv)
{
	if (argc < 2)
		return usage("read PATH");
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	return report_read(fd);
}

/* cat PATH: copies the file to stdout (no result line). */
static int cmd_cat(int argc, char **argv)
{
	if (argc < 2)
		return usage("cat PATH");
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* openat, or openat2 with the same flags (no mode, no resolve flags). */
static int view_open(int dfd, const char *path, int flags, bool two)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = {(uint64_t)flags, 0, 0};
	return two ? (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how))
		   : openat(dfd, path, flags);
}

/* view PATH [DIR|-] [nofollow|rdwr|keep|openat2]...: opens PATH (relative
 * to an O_PATH fd of DIR unless "-"), with O_NOFOLLOW, O_RDWR instead of
 * O_RDONLY, without O_CLOEXEC (keep), or through openat2, twice, reading
 * the first open whole and one byte of the second: "<text of the first>
 * cloexec=<0|1> first-of-second=<c>" (newlines as \n), or the errno. */
static int cmd_view(int argc, char **argv)
{
	if (argc < 2)
		return usage("view PATH [DIR|-] [nofollow|rdwr|keep|openat2]...");
	int flags = O_RDONLY | O_CLOEXEC, dfd = AT_FDCWD;
	bool two = false;
	for (int i = 3; i < argc; i++) {
		flags = !strcmp(argv[i], "nofollow") ? flags | O_NOFOLLOW
			: !strcmp(argv[i], "rdwr")   ? (flags & ~O_ACCMODE) | O_RDWR
			: !strcmp(argv[i], "keep")   ? flags & ~O_CLOEXEC
						     : flags;
		two |= !strcmp(argv[i], "openat2");
	}
	if (argc > 2 && strcmp(argv[2], "-") != 0 &&
	    (dfd = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return printf("dir "), probe_report(-1);
	int fd = view_open(dfd, argv[1], flags, two), fd2 = view_open(dfd, argv[1], flags, two);
	if (fd < 0 || fd2 < 0)
		return probe_report(-1);
	char buf[256], c = '?';
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0 || read(fd2, &c, 1) != 1)
		return probe_report(-1);
	buf[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			printf("\\n");
		else
			putchar(buf[i]);
	printf(" cloexec=%d first-of-second=%c\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, c);
	return 0;
}

/* view-chmod PATH: opens PATH read-only, chmods the open file to 0 (an fd
 * form: no path to decide on), then opens PATH again and reads it:
 * "ok <text>" (newlines as \n), or the errno of the step that failed. */
static int cmd_view_chmod(int argc, char **argv)
{
	if (argc < 2)
		return usage("view-chmod PATH");
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return printf("open "), probe_report(-1);
	if (fchmod(fd, 0) < 0)
		return printf("fchmod "), probe_report(-1);
	int fd2 = open(argv[1], O_RDONLY | O_CLOEXEC);
	char buf[256];
	ssize_t n = fd2 < 0 ? -1 : read(fd2, buf, sizeof(buf) - 1);
	if (n < 0)
		return probe_report(-1);
	buf[n] = 0;
	printf("ok ");
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			printf("\\n");
		else
			putchar(buf[i]);
	printf("\n");
	return 0;
}

/* The errno name of a call that should fail, "ok" when it did not. */
static const char *failed(long rc)
{
	return rc < 0 ? probe_errname(errno) : "ok";
}

/* view-write PATH: opens PATH read-only and tries to change the file it
 * got: a write on that fd, an fchmod to 0666, a read-write reopen through
 * /proc/self/fd, and on that reopen (when it opened) a write, an
 * ftruncate, a fallocate and a shared writable mapping; then opens PATH
 * again and reads it: "write=<e> fchmod=<e> reopen=<e> write=<e>
 * truncate=<e> grow=<e> mmap=<e> then <text>" (newlines as \n). */
static int cmd_view_write(int argc, char **argv)
{
	if (argc < 2)
		return usage("view-write PATH");
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return printf("open "), probe_report(-1);
	printf("write=%s", failed(write(fd, "x", 1)));
	printf(" fchmod=%s", failed(fchmod(fd, 0666)));
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	int rw = open(self, O_RDWR | O_CLOEXEC);
	printf(" reopen=%s", failed(rw));
	if (rw >= 0) {
		printf(" write=%s", failed(pwrite(rw, "x", 1, 0)));
		printf(" truncate=%s", failed(ftruncate(rw, 0)));
		printf(" grow=%s", failed(fallocate(rw, 0, 0, 65536)));
		void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
		printf(" mmap=%s", failed(m == MAP_FAILED ? -1 : 0));
	}
	int fd2 = open(argv[1], O_RDONLY | O_CLOEXEC);
	char buf[256];
	ssize_t n = fd2 < 0 ? -1 : read(fd2, buf, sizeof(buf) - 1);
	if (n < 0)
		return printf(" then "), probe_report(-1);
	printf(" then ");
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			printf("\\n");
		else
			putchar(buf[i]);
	printf("\n");
	return 0;
}

/* write PATH [TEXT]: creates/truncates the file and writes TEXT. */
static int cmd_write(int argc, char **argv)
{
	if (argc < 2)
		return usage("write PATH [TEXT]");
	const char *text = argc > 2 ? argv[2] : "probe\n";
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return probe_report(-1);
	ssize_t n = write(fd, text, strlen(text));
	if (n < 0)
		return probe_report(-1);
	return probe_report(close(fd));
}

/* truncate PATH: truncate(2) to 0 bytes, by path. */
static int cmd_truncate(int argc, char **argv)
{
	if (argc < 2)
		return usage("truncate PATH");
	return probe_report(truncate(argv[1], 0));
}

/* open-trunc PATH: open(2) read-only with O_TRUNC (the kernel truncates a
 * file the permission bits let us write, whatever the access mode). */
static int cmd_open_trunc(int argc, char **argv)
{
	if (argc < 2)
		return usage("open-trunc PATH");
	int fd = open(argv[1], O_RDONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	return probe_report(close(fd));
}

/* append PATH TEXT: opens an existing file for writing without O_CREAT. */
static int cmd_append(int argc, char **argv)
{
	if (argc < 3)
		return usage("append PATH TEXT");
	int fd = open(argv[1], O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	if (write(fd, argv[2], strlen(argv[2])) < 0)
		return probe_report(-1);
	return probe_report(close(fd));
}

static int cmd_unlink(int argc, char **argv)
{
	if (argc < 2)
		return usage("unlink PATH");
	return probe_report(unlink(argv[1]));
}

static int cmd_mkdir(int argc, char **argv)
{
	if (argc < 2)
		return usage("mkdir PATH");
	return probe_report(mkdir(argv[1], 0755));
}

/* link OLD NEW, rename OLD NEW, symlink TARGET LINK: the syscall's result. */
static int cmd_link(int argc, char **argv)
{
	if (argc < 3)
		return usage("link OLD NEW");
	return probe_report(link(argv[1], argv[2]));
}

static int cmd_rename(int argc, char **argv)
{
	if (argc < 3)
		return usage("rename OLD NEW");
	return probe_report(rename(argv[1], argv[2]));
}

static int cmd_symlink(int argc, char **argv)
{
	if (argc < 3)
		return usage("symlink TARGET LINK");
	return probe_report(symlink(argv[1], argv[2]));
}

/* stat PATH: metadata only ("ok" or the errno). */
static int cmd_stat(int argc, char **argv)
{
	struct stat st;
	if (argc < 2)
		return usage("stat PATH");
	return probe_report(stat(argv[1], &st));
}

/* ls DIR: lists the directory; "ok <entries>" without . and .. */
static int cmd_ls(int argc, char **argv)
{
	if (argc < 2)
		return usage("ls DIR");
	DIR *d = opendir(argv[1]);
	if (!d)
		return probe_report(-1);
	long count = 0;
	struct dirent *e;
	while ((errno = 0, e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			count++;
	int err = errno;
	closedir(d);
	if (err) {
		errno = err;
		return probe_report(-1);
	}
	printf("ok %ld\n", count);
	return 0;
}

/* openat-rel DIR NAME: NAME opened for reading relative to an O_PATH fd
 * on DIR; "ok <bytes>" as for read. */
static int cmd_openat_rel(int argc, char **argv)
{
	if (argc < 3)
		return usage("openat-rel DIR NAME");
	int dfd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return printf("dir "), probe_report(-1);
	int fd = openat(dfd, argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	return report_read(fd);
}

/* exec PATH [ARGS...]: execv(PATH, {PATH, ARGS...}); prints the errno
 * only when the exec fails (the new program prints the rest). */
static int cmd_exec(int argc, char **argv)
{
	if (argc < 2)
		return usage("exec PATH [ARGS...]");
	fflush(stdout);
	execv(argv[1], argv + 1);
	return probe_report(-1);
}

/* race GOOD DENIED N: two threads keep copying GOOD and DENIED into one
 * path buffer while this thread opens it N times; each opened file is
 * identified by its inode (stat is not mediated by Landlock) and read.
 * "ok good=<reads of GOOD> denied=<reads of DENIED> eacces=<N> other=<N>". */
struct race {
	char buf[PATH_MAX];
	int stop;
};

struct race_writer {
	struct race *r;
	const char *path;
};

static void *race_write(void *arg)
{
	const struct race_writer *w = arg;
	size_t n = strlen(w->path) + 1;
	while (!__atomic_load_n(&w->r->stop, __ATOMIC_RELAXED))
		for (size_t i = 0; i < n; i++)
			__atomic_store_n(&w->r->buf[i], w->path[i], __ATOMIC_RELAXED);
	return NULL;
}

static int cmd_race(int argc, char **argv)
{
	if (argc < 4)
		return usage("race GOOD DENIED N");
	struct stat good, denied;
	if (stat(argv[1], &good) < 0 || stat(argv[2], &denied) < 0)
		return printf("stat "), probe_report(-1);
	if (strlen(argv[1]) >= PATH_MAX || strlen(argv[2]) >= PATH_MAX)
		return usage("race: path too long");
	static struct race r;
	snprintf(r.buf, sizeof(r.buf), "%s", argv[1]);
	struct race_writer w[2] = {{&r, argv[1]}, {&r, argv[2]}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if ((errno = pthread_create(&t[i], NULL, race_write, &w[i])))
			return printf("thread "), probe_report(-1);
	long n = atol(argv[3]), n_good = 0, n_denied = 0, n_eacces = 0, n_other = 0;
	for (long i = 0; i < n; i++) {
		int fd = open(r.buf, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == EACCES)
				n_eacces++;
			else
				n_other++;
			continue;
		}
		struct stat st;
		char c;
		if (fstat(fd, &st) == 0 && read(fd, &c, 1) >= 0) {
			if (st.st_dev == denied.st_dev && st.st_ino == denied.st_ino)
				n_denied++;
			else if (st.st_dev == good.st_dev && st.st_ino == good.st_ino)
				n_good++;
			else
				n_other++;
		}
		close(fd);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("ok good=%ld denied=%ld eacces=%ld other=%ld\n", n_good, n_denied, n_eacces,
	       n_other);
	return 0;
}

/* ---- process state ----------------------------------------------------------- */

/* status-sigs: the blocked and ignored signals as the kernel reports them
 * ("SigBlk:\t<hex>" and "SigIgn:\t<hex>" from /proc/self/status), read
 * without rt_sigprocmask, which a policy may deny. */
static int cmd_status_sigs(int argc, char **argv)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return probe_report(-1);
	char line[256];
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7))
			fputs(line, stdout);
	fclose(f);
	return 0;
}

static int cmd_exit(int argc, char **argv)
{
	fflush(stdout);
	_exit(argc > 1 ? atoi(argv[1]) : 0);
}

/* echo WORDS...: the words, space-separated, on one line (in `seq`, a
 * marker between the other subcommands' lines). */
static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("%s%s", i > 1 ? " " : "", argv[i]);
	printf("\n");
	return 0;
}

/* sleep SECS */
static int cmd_sleep(int argc, char **argv)
{
	unsigned s = argc > 1 ? (unsigned)atoi(argv[1]) : 30;
	while (s)
		s = sleep(s);
	printf("ok\n");
	return 0;
}

/* The byte at offset i of `spew` output. 251 is prime, so the pattern does
 * not line up with any buffer or pipe size. */
static unsigned char spew_byte(size_t i)
{
	return (unsigned char)('!' + i % 251 % 90);
}

/* spew BYTES [stderr]: BYTES of a known pattern on stdout (or stderr);
 * one line per MiB on the other stream and "spew done" at the end, so both
 * streams flow at the same time. */
static int cmd_spew(int argc, char **argv)
{
	if (argc < 2)
		return usage("spew BYTES [stderr]");
	size_t total = strtoull(argv[1], NULL, 10), off = 0;
	int data = 1, other = 2;
	if (argc > 2 && !strcmp(argv[2], "stderr")) {
		data = 2;
		other = 1;
	}
	static unsigned char buf[65536];
	size_t next_mark = 1 << 20;
	while (off < total) {
		size_t n = total - off < sizeof(buf) ? total - off : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = spew_byte(off + i);
		size_t done = 0;
		while (done < n) {
			ssize_t w = write(data, buf + done, n - done);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return 1;
			}
			done += (size_t)w;
		}
		off += n;
		if (off >= next_mark) {
			dprintf(other, "spew %zu\n", off);
			next_mark += 1 << 20;
		}
	}
	dprintf(other, "spew done\n");
	return 0;
}

static int cmd_rlimit(int resource)
{
	struct rlimit rl;
	if (getrlimit(resource, &rl) < 0)
		return probe_report(-1);
	printf("%llu %llu\n", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	return 0;
}

static int cmd_rlimit_nofile(int argc, char **argv)
{
	return cmd_rlimit(RLIMIT_NOFILE);
}

static int cmd_rlimit_core(int argc, char **argv)
{
	return cmd_rlimit(RLIMIT_CORE);
}

/* open-many PATH: opens PATH until that fails; "opened=N errno=<NAME>". */
static int cmd_open_many(int argc, char **argv)
{
	if (argc < 2)
		return usage("open-many PATH");
	int n = 0;
	for (; n < 100000; n++)
		if (open(argv[1], O_RDONLY) < 0)
			break;
	printf("opened=%d errno=%s\n", n, probe_errname(errno));
	return 0;
}

/* affinity: the CPUs this process may run on, comma-separated. */
static int cmd_affinity(int argc, char **argv)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return probe_report(-1);
	const char *sep = "";
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set)) {
			printf("%s%d", sep, i);
			sep = ",";
		}
	printf("\n");
	return 0;
}

/* personality: the persona word from /proc/self/personality (hex). */
static int cmd_personality(int argc, char **argv)
{
	int fd = open("/proc/self/personality", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return probe_report(-1);
	char buf[32] = {0};
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return probe_report(-1);
	printf("%s", buf);
	if (n == 0 || buf[n - 1] != '\n')
		printf("\n");
	return 0;
}

/* thp: PR_GET_THP_DISABLE (1 when transparent huge pages are off). */
static int cmd_thp(int argc, char **argv)
{
	int v = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	if (v < 0)
		return probe_report(-1);
	printf("%d\n", v);
	return 0;
}

static int cmd_uname(int argc, char **argv)
{
	struct utsname u;
	if (uname(&u) < 0)
		return probe_report(-1);
	printf("%s\n", u.nodename);
	return 0;
}

static int cmd_pwd(int argc, char **argv)
{
	char buf[PATH_MAX];
	if (!getcwd(buf, sizeof(buf)))
		return probe_report(-1);
	printf("%s\n", buf);
	return 0;
}

/* stdin: copies standard input to stdout. */
static int cmd_stdin(int argc, char **argv)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n < 0)
		return probe_report(-1);
	return 0;
}

static int cmd_env(int argc, char **argv)
{
	for (char **e = environ; *e; e++)
		printf("%s\n", *e);
	return 0;
}

/* sigstate: "blk=<mask> ign=<mask>", the kernel's blocked signals and
 * those set to SIG_IGN, as 64-bit hex masks (bit n-1 is signal n; raw
 * syscalls, so libc's reserved signals show too). */
static int cmd_sigstate(int argc, char **argv)
{
	uint64_t blk = 0, ign = 0;
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &blk, sizeof(blk)) < 0)
		return probe_report(-1);
	for (int sig = 1; sig <= 64; sig++) {
		struct {
			void *handler;
			unsigned long flags;
			void *restorer;
			uint64_t mask;
		} sa;
		if (syscall(SYS_rt_sigaction, sig, NULL, &sa, sizeof(uint64_t)) == 0 &&
		    sa.handler == (void *)SIG_IGN)
			ign |= 1ull << (sig - 1);
	}
	printf("blk=%016llx ign=%016llx\n", (unsigned long long)blk, (unsigned long long)ign);
	return 0;
}

/* fds: the open file descriptors, comma-separated (from fcntl, not /proc). */
static int cmd_fds(int argc, char **argv)
{
	const char *sep = "";
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0) {
			printf("%s%d", sep, fd);
			sep = ",";
		}
	printf("\n");
	return 0;
}

static const struct probe_cmd commands[] = {
    {"syscall", cmd_syscall},
    {"sysv", cmd_sysv},
    {"ioctl", cmd_ioctl},
    {"clone3", cmd_clone3},
    {"threads", cmd_threads},
    {"clone-ns", cmd_clone_ns},
    {"fork", cmd_fork},
    {"prctl", cmd_prctl},
    {"int80", cmd_int80},
    {"x32", cmd_x32},
    {"kill-parent", cmd_kill_parent},
    {"kill-self", cmd_kill_self},
    {"signal-parent", cmd_signal_parent},
    {"status-sigs", cmd_status_sigs},
    {"socket", cmd_socket},
    {"socket-hb", cmd_socket_hb},
    {"tcp-connect", cmd_tcp_connect},
    {"tcp-bind", cmd_tcp_bind},
    {"tfo-sendto", cmd_tfo_sendto},
    {"tfo-sendmsg", cmd_tfo_sendmsg},
    {"tfo-sendmmsg", cmd_tfo_sendmmsg},
    {"tfo-sockopt", cmd_tfo_sockopt},
    {"connect-abstract", cmd_connect_abstract},
    {"unix-pair", cmd_unix_pair},
    {"connect-seqpacket", cmd_connect_seqpacket},
    {"landlock-nest", cmd_landlock_nest},
    {"read", cmd_read},
    {"cat", cmd_cat},
    {"write", cmd_write},
    {"append", cmd_append},
    {"unlink", cmd_unlink},
    {"mkdir", cmd_mkdir},
    {"link", cmd_link},
    {"rename", cmd_rename},
    {"truncate", cmd_truncate},
    {"open-trunc", cmd_open_trunc},
    {"symlink", cmd_symlink},
    {"stat", cmd_stat},
    {"ls", cmd_ls},
    {"openat-rel", cmd_openat_rel},
    {"exec", cmd_exec},
    {"race", cmd_race},
    {"exit", cmd_exit},
    {"echo", cmd_echo},
    {"sleep", cmd_sleep},
    {"spew", cmd_spew},
    {"rlimit-nofile", cmd_rlimit_nofile},
    {"rlimit-core", cmd_rlimit_core},
    {"open-many", cmd_open_many},
    {"affinity", cmd_affinity},
    {"personality", cmd_personality},
    {"thp", cmd_thp},
    {"uname", cmd_uname},
    {"pwd", cmd_pwd},
    {"env", cmd_env},
    {"stdin", cmd_stdin},
    {"fds", cmd_fds},
    {"sigstate", cmd_sigstate},
    {"view", cmd_view},
    {"view-chmod", cmd_view_chmod},
    {"view-write", cmd_view_write},
};

int main(int argc, char **argv)
{
	return probe_main(commands, sizeof(commands) / sizeof(commands[0]), "probe", argc, argv);
}
