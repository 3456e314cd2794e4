/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp.c - the seccomp filter: the default deny list, the
 * SysV group, extra deny/allow lists, and the argument filters on ioctl,
 * clone/clone3 and prctl.
 *
 * Reachability tests run the same probe inside and outside the sandbox:
 * outside, the invalid arguments make the kernel fail the call with
 * EFAULT/EBADF/EINVAL/ENOSYS; inside, the filter answers EPERM first.  As
 * an unprivileged user some calls are EPERM outside too (a capability
 * check comes first); those only prove the inside result and are noted.
 */
#include "common.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char *const deny_list[] = {
    "mount",
    "umount2",
    "pivot_root",
    "swapon",
    "swapoff",
    "reboot",
    "sethostname",
    "setdomainname",
    "kexec_load",
    "init_module",
    "finit_module",
    "delete_module",
    "unshare",
    "setns",
    "perf_event_open",
    "bpf",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "open_by_handle_at",
    "name_to_handle_at",
    "ioperm",
    "iopl",
    "quotactl",
    "acct",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "personality",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "syslog",
    "settimeofday",
    "clock_settime",
    "kexec_file_load",
    "vhangup",
    "chroot",
    "fanotify_init",
    "quotactl_fd",
    "uselib",
    NULL,
};

static const char *const sysv_list[] = {
    "shmget", "shmat",	"shmdt", "shmctl", "msgget",	 "msgsnd", "msgrcv",
    "msgctl", "semget", "semop", "semctl", "semtimedop", NULL,
};

/* argv for `probe syscall NAME...`. */
static const char **syscall_argv(const char *const *names)
{
	static const char *argv[64];
	int n = 0;
	argv[n++] = tc_probe();
	argv[n++] = "syscall";
	for (int i = 0; names[i]; i++)
		argv[n++] = names[i];
	argv[n] = NULL;
	return argv;
}

static char *probe_outside_v(const char **argv)
{
	char *out = NULL, *err = NULL;
	int st = th_run((char *const *)argv, NULL, &out, &err);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "probe outside: status 0x%x, stderr %s", st, err);
	return out;
}

/* Checks that every named call is EPERM inside, and that outside it gives
 * another answer (or notes why it cannot). */
static void check_denied(const char *const *names, const char *inside, const char *outside)
{
	for (int i = 0; names[i]; i++) {
		char *want, *in = tc_line(inside, i), *out = outside ? tc_line(outside, i) : NULL;
		if (asprintf(&want, "%s errno=EPERM", names[i]) < 0)
			th_fail(__FILE__, __LINE__, "oom");
		if (strcmp(in, want) != 0)
			th_fail(__FILE__, __LINE__,
				"inside: got \"%s\", want \"%s\" (outside \"%s\")", in, want,
				out ? out : "-");
		if (out && !strcmp(out, want))
			printf("    note: %s is EPERM outside the sandbox too (%s)\n", names[i],
			       th_root() ? "root" : "unprivileged");
	}
}

TEST(deny_list_default_eperm)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char **argv = syscall_argv(deny_list);
	char *outside = probe_outside_v(argv);
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
	check_denied(deny_list, r.out, outside);
}

TEST(cli_deny_list_default_eperm)
{
	const char **argv = syscall_argv(deny_list);
	const char *cli[80];
	int n = 0;
	cli[n++] = tc_cli();
	cli[n++] = "run";
	cli[n++] = "-r";
	cli[n++] = tc_probe_dir();
	cli[n++] = "--";
	for (int i = 0; argv[i]; i++)
		cli[n++] = argv[i];
	cli[n] = NULL;
	char *out = NULL, *err = NULL;
	int st = th_run((char *const *)cli, NULL, &out, &err);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "cli status 0x%x, stderr %s", st, err);
	check_denied(deny_list, out, NULL);
}

TEST(sysv_denied_by_default)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char **argv = syscall_argv(sysv_list);
	char *outside = probe_outside_v(argv);
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
	check_denied(sysv_list, r.out, outside);
	CHECK_STR(tc_probe_in(p, "sysv", NULL), "shmget errno=EPERM");
}

TEST(sysv_allowed_with_group)
{
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_extra_allow_syscalls(tc_builder(), "sysv_ipc"));
	CHECK_STR(tc_probe_out("sysv", NULL), "ok");
	CHECK_STR(tc_probe_in(p, "sysv", NULL), "ok");
	/* Each call reaches the kernel: inside answers like outside. */
	const char **argv = syscall_argv(sysv_list);
	char *outside = probe_outside_v(argv);
	struct tc_res r = tc_runv(p, NULL, argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, outside);
	/* The group does not relax the rest of the deny list. */
	CHECK_STR(tc_probe_in(p, "syscall", "unshare", NULL), "unshare errno=EPERM");
}

TEST(cli_sysv_allowed_with_group)
{
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--extra-allow-syscall", "sysv_ipc",
			    "--", tc_probe(), "sysv", NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "ok\n");
	rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--", tc_probe(), "sysv", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "shmget errno=EPERM\n");
}

TEST(extra_deny_syscall)
{
	sandlock_sandbox_t *plain = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(plain, "syscall", "getrandom", NULL), "getrandom ok");
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "getrandom"));
	CHECK_STR(tc_probe_in(p, "syscall", "getrandom", NULL), "getrandom errno=EPERM");
	/* A comma-separated list: both names are denied. */
	p = tc_build(sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "getrandom,ioctl"));
	char *out = tc_probe_in(p, "seq", "syscall getrandom", "ioctl fionread", NULL);
	CHECK_LINE(out, 0, "getrandom errno=EPERM");
	CHECK_LINE(out, 1, "errno=EPERM");
}

TEST(cli_extra_deny_syscall)
{
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--extra-deny-syscall", "getrandom",
			    "--", tc_probe(), "syscall", "getrandom", NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "getrandom errno=EPERM\n");
}

/* ioctl requests that are denied whatever the fd; on a pipe the kernel
 * would answer ENOTTY. */
static const char *const tty_ioctls[] = {"tiocsti", "tioclinux", NULL};
static const char *const if_ioctls[] = {
    "siocgifname",   "siocgifconf",  "siocgifflags", "siocgifaddr",
    "siocgifhwaddr", "siocgifindex", "siocethtool",  NULL};

static void check_ioctls(const char *const *names, bool highbits)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	for (int i = 0; names[i]; i++) {
		const char *hb = highbits ? "highbits" : NULL;
		char *out = tc_probe_out("ioctl", names[i], hb, NULL);
		char *in = tc_probe_in(p, "ioctl", names[i], hb, NULL);
		if (strcmp(in, "errno=EPERM") != 0)
			th_fail(__FILE__, __LINE__, "ioctl %s%s inside: %s (outside %s)", names[i],
				highbits ? " highbits" : "", in, out);
		CHECK(strcmp(out, "errno=EPERM") != 0);
	}
}

TEST(ioctl_tiocsti_tioclinux_denied)
{
	check_ioctls(tty_ioctls, false);
}

/* CVE-2019-10063: the kernel ignores the upper 32 bits of the command, so
 * the filter must too. */
TEST(ioctl_tiocsti_highbits_denied)
{
	check_ioctls(tty_ioctls, true);
}

TEST(ioctl_interface_requests_denied)
{
	check_ioctls(if_ioctls, false);
}

/* A lease on a file it may read (its own, in a -w tree) would hold back
 * every host process opening it for writing (lease-break-time, 45 s):
 * fcntl(F_SETLEASE) is EPERM, in any form; other fcntls work. */
TEST(fcntl_lease_denied)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	char *f = tc_path(w, "f");
	tc_write_file(f, "x\n", 0644);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder_sys(), w));
	const char *code =
	    "import fcntl, os, sys\n"
	    "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
	    "try:\n"
	    "    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK); print('lease ok')\n"
	    "except OSError as e: print('lease E%d' % e.errno)\n"
	    "print('flags', fcntl.fcntl(fd, fcntl.F_GETFL) & 3)\n";
	struct tc_res r = tc_run(p, NULL, TC_PYTHON, "-c", code, f, NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "lease E1\nflags 0\n");
}

/* Other ioctls still work. */
TEST(ioctl_other_allowed)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(p, "ioctl", "fionread", NULL), "ok");
}

/* clone3 is answered ENOSYS so libc falls back to clone, whose flags the
 * filter can see. */
TEST(clone3_enosys)
{
	CHECK_STR(tc_probe_out("clone3", NULL), "ok");
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(tc_probe_in(p, "clone3", NULL), "errno=ENOSYS");
}

TEST(threads_and_fork_work)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = tc_probe_in(p, "seq", "threads 8", "fork", NULL);
	CHECK_LINE(out, 0, "ok");
	CHECK_LINE(out, 1, "ok");
}

TEST(clone_namespace_flags_denied)
{
	static const char *const ns[] = {"user", "ns", "net", "pid", "uts", "ipc", "cgroup", NULL};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	/* Outside, an unprivileged user may create a user namespace. */
	printf("    note: clone(CLONE_NEWUSER) outside: %s\n",
	       tc_probe_out("clone-ns", "user", NULL));
	for (int i = 0; ns[i]; i++) {
		char *in = tc_probe_in(p, "clone-ns", ns[i], NULL);
		if (strcmp(in, "errno=EPERM") != 0)
			th_fail(__FILE__, __LINE__, "clone with CLONE_NEW%s inside: %s", ns[i], in);
	}
}

TEST(prctl_denied)
{
	static const char *const which[] = {"dumpable", "securebits", "ptracer", NULL};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	for (int i = 0; which[i]; i++) {
		char *out = tc_probe_out("prctl", which[i], NULL);
		char *in = tc_probe_in(p, "prctl", which[i], NULL);
		if (strcmp(in, "errno=EPERM") != 0)
			th_fail(__FILE__, __LINE__, "prctl %s inside: %s (outside %s)", which[i],
				in, out);
		if (!strcmp(out, "errno=EPERM"))
			printf("    note: prctl %s is EPERM outside the sandbox too\n", which[i]);
	}
}

/* prctl's option and clone's flags with the upper 32 bits set. */
TEST(prctl_and_clone_highbits_denied)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	CHECK_STR(tc_probe_out("prctl", "dumpable", "highbits", NULL), "ok");
	char *out = tc_probe_in(p, "seq", "prctl dumpable highbits", "prctl securebits highbits",
				"prctl ptracer highbits", "clone-ns user highbits",
				"clone-ns net highbits", NULL);
	for (int i = 0; i < 5; i++)
		CHECK_LINE(out, i, "errno=EPERM");
}

/* A 32-bit syscall through int 0x80 has another audit arch and other
 * numbers: it must never run (the filter kills the process).  Without
 * IA32 emulation (CONFIG_IA32_EMULATION=n, ia32_emulation=0) int 0x80
 * is a general protection fault: the probe dies of SIGSEGV outside the
 * sandbox already, and there is nothing to refuse. */
TEST(int80_syscall_refused)
{
	int st;
	char *outside = tc_probe_out_status(&st, "int80", "20", NULL); /* i386 getpid */
	if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGSYS))
		SKIP("no 32-bit syscall entry on this kernel (int 0x80 outside the sandbox: "
		     "killed by %s)",
		     WTERMSIG(st) == SIGSEGV ? "SIGSEGV" : "SIGSYS");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		th_fail(__FILE__, __LINE__, "probe int80 outside: status 0x%x, stdout \"%s\"", st,
			outside);
	if (strncmp(outside, "ok ", 3) != 0)
		SKIP("no 32-bit syscall entry on this kernel (%s)", outside);
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct tc_res r = tc_run(p, NULL, tc_probe(), "int80", "20", NULL);
	if (strstr(r.out, "ok"))
		th_fail(__FILE__, __LINE__, "int 0x80 getpid ran inside: %s", r.out);
	CHECK_EQ(r.status, SANDLOCK_STATUS_SIGNALED);
	CHECK_EQ(r.sig, SIGSYS);
}

/* x32 numbers (bit 30) share the x86_64 audit arch. */
TEST(x32_syscall_refused)
{
	char *outside = tc_probe_out("x32", "getpid", NULL);
	if (!strcmp(outside, "errno=ENOSYS"))
		printf("    note: the kernel has no x32 ABI; checking only that it is refused\n");
	sandlock_sandbox_t *p = tc_build(tc_builder());
	struct tc_res r = tc_run(p, NULL, tc_probe(), "x32", "unshare", NULL);
	if (r.status == SANDLOCK_STATUS_EXITED)
		CHECK(strcmp(r.out, "ok\n") != 0 && strcmp(r.out, "errno=EINVAL\n") != 0);
}
