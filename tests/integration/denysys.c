/* SPDX-License-Identifier: Apache-2.0 */
/*
 * denysys.c - extra_deny_syscalls with any syscall of the architecture,
 * the ones the sandbox's own start makes among them.
 *
 * The child installs its filter before it hands the supervisor the
 * listener (sendmsg), sets the open-file limit (prlimit64), waits at the
 * release gate (read), restores the signal mask (rt_sigprocmask) and
 * execs (execve): a deny of one of those either has a second way (the
 * command still starts, and gets EPERM for the call) or is refused when
 * the policy is built, naming the syscall.  Never a hang, never a report
 * that blames something else.
 */
#include "common.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>

static sandlock_sandbox_t *deny(const char *names)
{
	return tc_build(sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), names));
}

/* Builds with names denied: NULL and the message, or fails the test. */
static void check_refused(sandlock_builder_t *b, const char *want)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (p)
		th_fail(__FILE__, __LINE__, "built, expected a refusal with \"%s\"", want);
	CHECK_EQ(err, -1);
	CHECK_CONTAINS(msg, want);
	sandlock_string_free(msg);
}

TEST(denysys_every_name_known)
{
	CHECK_EQ(sandlock_syscall_nr("read"), SYS_read);
	CHECK_EQ(sandlock_syscall_nr("getppid"), SYS_getppid);
	CHECK_EQ(sandlock_syscall_nr("close"), SYS_close);
	CHECK_EQ(sandlock_syscall_nr("rt_sigreturn"), SYS_rt_sigreturn);
	CHECK_EQ(sandlock_syscall_nr("set_tid_address"), SYS_set_tid_address);
	CHECK_EQ(sandlock_syscall_nr("cachestat"), 451);
	CHECK_EQ(sandlock_syscall_nr("file_setattr"), 469);
	/* the names of a policy are checked against the same table */
	sandlock_sandbox_free(deny("read,write,close,getppid,futex_wake,mseal"));
	check_refused(
	    sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "read,sl_bogus,write"),
	    "unknown syscall name(s): sl_bogus");
}

/* Common calls, each denied on its own: the command gets EPERM where the
 * kernel would have answered. */
TEST(denysys_common_calls_eperm)
{
	static const char *const names[] = {"getppid", "read",	   "close",
					    "execve",  "execveat", "rt_sigprocmask"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *out = tc_probe_out("syscall", names[i], NULL);
		CHECK(strstr(out, "EPERM") == NULL);
		char *in = tc_probe_in(deny(names[i]), "syscall", names[i], NULL);
		CHECK_STR(in, tc_fmt("%s errno=EPERM", names[i]));
	}
	/* reading a file, as a command would */
	char *in = tc_probe_in(deny("read"), "read", tc_probe(), NULL);
	CHECK_STR(in, "errno=EPERM");
}

/* write denied: the command runs and ends as it would, its output lost;
 * read and write both: still runs. */
TEST(denysys_write_denied_command_runs)
{
	struct tc_res r = tc_run(deny("write"), NULL, tc_probe(), "syscall", "getpid", NULL);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "");
	r = tc_run(deny("read,write"), NULL, tc_probe(), "exit", "5", NULL);
	CHECK_EQ(r.code, 5);
	CHECK_STR(r.note, "");
}

/* exit_group denied: libc's _exit falls back to exit, the status is
 * kept.  exit denied: the child leaves with exit_group where its start
 * fails (here the exec: "not found", not a hang). */
TEST(denysys_exit_calls)
{
	struct tc_res r = tc_run(deny("exit_group"), NULL, tc_probe(), "exit", "7", NULL);
	CHECK_EQ(r.code, 7);
	r = tc_run(deny("exit"), NULL, tc_probe(), "exit", "7", NULL);
	CHECK_EQ(r.code, 7);
	r = tc_run(deny("exit"), NULL, "/nonexistent/sl-cmd", NULL);
	CHECK_EQ(r.code, 127);
	CHECK_CONTAINS(r.note, "not found");
}

/* execve denied: the sandbox starts the command with execveat; the
 * command's own exec is refused. */
TEST(denysys_execve_denied_command_starts)
{
	sandlock_sandbox_t *p = deny("execve");
	CHECK_STR(tc_probe_in(p, "syscall", "getpid", NULL), "getpid ok");
	CHECK_STR(tc_probe_in(p, "exec", tc_probe(), "syscall", "getpid", NULL), "errno=EPERM");
	/* execveat alone: the usual exec, the command's execveat refused */
	p = deny("execveat");
	CHECK_STR(tc_probe_in(p, "syscall", "execveat", NULL), "execveat errno=EPERM");
	CHECK_STR(tc_probe_in(p, "exec", tc_probe(), "syscall", "getpid", NULL), "getpid ok");
	/* a command that cannot be run is still told apart */
	struct tc_res r = tc_run(p, NULL, "/nonexistent/sl-cmd", NULL);
	CHECK_EQ(r.code, 127);
	CHECK_CONTAINS(r.note, "not found");
}

/* What no second way survives is refused when the policy is built,
 * naming the syscalls and why.  sendmsg, seccomp and prctl are not among
 * them: the start-up hands its listener over from a thread outside the
 * filter. */
TEST(denysys_start_needs_refused)
{
	sandlock_sandbox_t *q = deny("sendmsg,seccomp,prctl");
	CHECK_STR(tc_probe_in(q, "syscall", "getpid", NULL), "getpid ok");
	check_refused(sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "execveat,execve"),
		      "execve and execveat cannot both be denied");
	check_refused(sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "exit,exit_group"),
		      "exit and exit_group cannot both be denied");
	check_refused(
	    sandlock_sandbox_builder_max_open_files(
		sandlock_sandbox_builder_extra_deny_syscalls(tc_builder(), "prlimit64"), 64),
	    "prlimit64 cannot be denied");
	/* prlimit64 without max_open_files: the child does not need it */
	sandlock_sandbox_t *p = deny("prlimit64");
	CHECK_STR(tc_probe_in(p, "syscall", "getpid", NULL), "getpid ok");
}

/* Creates the sandbox parked, starts it and waits: its result. */
static struct tc_res created_run(sandlock_sandbox_t *p, const char *const *argv, unsigned argc)
{
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, argc);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	sandlock_handle_free(h);
	return r;
}

/* The child waits for its courier (the thread that hands the listener
 * over) with futex: denied, the courier's wait is timed and the child's
 * polls; the start still works, parked or not. */
TEST(denysys_futex_denied_start_polls)
{
	sandlock_sandbox_t *p = deny("futex,sched_yield");
	CHECK_STR(tc_probe_in(p, "syscall", "getpid", NULL), "getpid ok");
	const char *argv[] = {tc_probe(), "syscall", "getpid", NULL};
	struct tc_res r = created_run(p, argv, 3);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "getpid ok\n");
}

/* A created sandbox waits at its release gate with read: recvfrom where
 * read is denied; both denied is refused at create, naming them. */
TEST(denysys_read_denied_created_sandbox)
{
	const char *argv[] = {tc_probe(), "syscall", "read", NULL};
	struct tc_res r = created_run(deny("read"), argv, 3);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "read errno=EPERM\n");
	CHECK(sandlock_create(deny("read,recvfrom"), NULL, argv, 3) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "read and recvfrom cannot both be denied");
	/* run straight to exec: no gate, no need for either */
	r = tc_run(deny("read,recvfrom"), NULL, tc_probe(), "syscall", "read", NULL);
	CHECK_STR(r.out, "read errno=EPERM\n");
}

/* A line of this thread's /proc status ("SigBlk:"), its value. */
static unsigned long long own_sigset(const char *key)
{
	char *status = tc_read_file("/proc/thread-self/status");
	char *at = strstr(status, key);
	CHECK(at != NULL);
	return strtoull(at + strlen(key), NULL, 16);
}

/* The child restores the host's signal mask for the command with
 * rt_sigprocmask (before its filter where that is denied) and resets an
 * ignored SIGPIPE with rt_sigaction (before the filter): the command
 * starts with the same signal state either way: the host thread's mask,
 * what it ignores but SIGPIPE and SIGXFSZ. */
TEST(denysys_signal_calls_keep_signal_state)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_EQ(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
	signal(SIGPIPE, SIG_IGN);
	unsigned long long blk = own_sigset("SigBlk:");
	unsigned long long ign = own_sigset("SigIgn:");
	CHECK(blk & (1ULL << (SIGUSR1 - 1)));
	CHECK(ign & (1ULL << (SIGPIPE - 1)));
	ign &= ~(1ULL << (SIGPIPE - 1) | 1ULL << (SIGXFSZ - 1));
	char *want = tc_fmt("SigBlk:\t%016llx\nSigIgn:\t%016llx", blk, ign);
	static const char *const names[] = {NULL, "rt_sigprocmask", "rt_sigaction",
					    "rt_sigprocmask,rt_sigaction"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), "/proc");
		if (names[i])
			b = sandlock_sandbox_builder_extra_deny_syscalls(b, names[i]);
		char *in = tc_probe_in(tc_build(b), "status-sigs", NULL);
		if (strcmp(in, want) != 0)
			th_fail(__FILE__, __LINE__, "deny %s: %s", names[i] ? names[i] : "none",
				in);
	}
}

/* recvmsg and landlock_restrict_self: a child that would take its
 * Landlock ruleset after its filter (the overlap, with a write grant or
 * as root) takes it before instead; the ruleset still holds. */
TEST(denysys_ruleset_calls_denied)
{
	char *dir = tc_mkdir("w");
	static const char *const names[] = {"recvmsg", "landlock_restrict_self"};
	for (size_t i = 0; i < 2; i++) {
		sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder(), dir);
		b = sandlock_sandbox_builder_extra_deny_syscalls(b, names[i]);
		sandlock_sandbox_t *p = tc_build(b);
		CHECK_STR(tc_probe_in(p, "syscall", "getpid", NULL), "getpid ok");
		CHECK_STR(tc_probe_in(p, "read", "/etc/passwd", NULL), "errno=EACCES");
	}
}

TEST(denysys_cli_read)
{
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--extra-deny-syscall", "read",
			    "--extra-deny-syscall", "getppid", "--", tc_probe(), "syscall", "read",
			    "getppid", NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "cli exit %d, stderr %s", rc, err);
	CHECK_STR(out, "read errno=EPERM\ngetppid errno=EPERM\n");
	rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--extra-deny-syscall", "execve",
			"--extra-deny-syscall", "execveat", "--", tc_probe(), "exit", "0", NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "execve and execveat cannot both be denied");
	CHECK_STR(out, "");
}
