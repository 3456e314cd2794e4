/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common.h - helpers shared by the integration tests: policies that grant
 * the probe, running the probe (or any command) through the library and
 * through the CLI, and small file/socket utilities.
 *
 * The helpers are not thread-safe (static buffers): a test that starts
 * threads resolves paths before it does.
 *
 * Every helper that cannot do its job fails the running test (th_fail), so
 * tests read as straight-line expectations.  Returned strings are malloc'd
 * and never freed: each test is its own short-lived process.
 */
#ifndef SL_TEST_COMMON_H
#define SL_TEST_COMMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "harness.h"
#include "sandlock.h"

#define TC_SENTINEL __attribute__((sentinel))

/* Absolute paths inside the build tree (stable copies, unlike th_build). */
const char *tc_probe(void);	/* build/tests/probes/probe */
const char *tc_probe_dir(void); /* build/tests/probes */
const char *tc_cli(void);	/* build/sandlock */

/* Skips the running test when the kernel lacks what sandlock needs
 * (Landlock ABI 6, seccomp user notification); tc_builder() and
 * tc_cli_run() call it. */
void tc_require_kernel(void);

/* Refuses pidfd_getfd (EPERM) to this process, as Docker's default
 * seccomp profile does without CAP_SYS_PTRACE: the supervisor runs in
 * the test's process, so its fallbacks and refusals can be tested.
 * Irreversible: call it in the test's own (forked) process. */
void tc_refuse_pidfd_getfd(void);
/* A builder granting read (and so exec) of the probe's directory. */
sandlock_builder_t *tc_builder(void);
/* tc_builder() plus what dynamically linked system programs (/bin/sh,
 * coreutils) need: /usr, /lib, /lib64 (when present), /bin, /etc and
 * /dev/null (read). */
sandlock_builder_t *tc_builder_sys(void);
/* Builds the policy; fails the test with the library's message if not. */
sandlock_sandbox_t *tc_build(sandlock_builder_t *b);
/* Builds the policy; skips the test, naming what, while the library
 * refuses it as "not supported yet" (a test written ahead of what it
 * needs starts running once that lands); fails it on another error. */
sandlock_sandbox_t *tc_build_or_skip(sandlock_builder_t *b);
/* Builds b expecting a failure: its message (fails the test if b builds). */
char *tc_build_error(sandlock_builder_t *b);

/* A malloc'd string formatted as printf would (fails the test when out
 * of memory). */
char *tc_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* A finished sandbox run, taken out of a sandlock_result_t. */
struct tc_res {
	int status; /* SANDLOCK_STATUS_* */
	int code;   /* exit code, -1 for non-exits */
	int sig;    /* terminating signal or -1 */
	bool success;
	char *out; /* NUL-terminated copies of the captured output */
	size_t out_len;
	char *err;
	size_t err_len;
	char *note; /* sandlock_result_note(), "" when none */
};

/* Copies everything out of r and frees it; fails the test when r is NULL
 * (naming sandlock_last_error()). */
struct tc_res tc_result(sandlock_result_t *r);

/* sandlock_run of a NULL-terminated argument list. */
struct tc_res tc_run(const sandlock_sandbox_t *p, const char *name, const char *arg0,
		     ...) TC_SENTINEL;
/* sandlock_run of an argv array (NULL-terminated). */
struct tc_res tc_runv(const sandlock_sandbox_t *p, const char *name, const char *const *argv);

/* Runs `probe ARGS...` inside the sandbox and returns its stdout without
 * the final newline; fails the test unless the probe exited 0. */
char *tc_probe_in(const sandlock_sandbox_t *p, const char *arg0, ...) TC_SENTINEL;
/* Another probe of the build (tests/probes/PROBE.c) with ARGS...
 * (NULL-terminated) inside p: however it ends; or its stdout, the test
 * failing unless it exited 0. */
struct tc_res tc_named_run(const sandlock_sandbox_t *p, const char *probe, const char *arg0,
			   ...) TC_SENTINEL;
char *tc_named_in(const sandlock_sandbox_t *p, const char *probe, const char *arg0,
		  ...) TC_SENTINEL;
/* Fails the test unless line i of out is want[i] for each of want
 * (NULL-terminated). */
void tc_check_lines(const char *out, const char *const *want);
/* The same probe run outside any sandbox. */
char *tc_probe_out(const char *arg0, ...) TC_SENTINEL;
/* The probe outside any sandbox, for probes that may fail there: its
 * stdout (without the final newline), whatever happened, and its raw
 * wait status in *status (never fails the test). */
char *tc_probe_out_status(int *status, const char *arg0, ...) TC_SENTINEL;

/* Runs `sandlock run ARGS...` (NULL-terminated); returns the exit code, or
 * 128 + signal.  out/err (may be NULL) receive the captured output. */
int tc_cli_run(char **out, char **err, const char *arg0, ...) TC_SENTINEL;

/* Line n (0-based) of text, without its newline; "" past the end. */
char *tc_line(const char *text, int n);
/* Number of lines in text (a final line without '\n' counts). */
int tc_nlines(const char *text);
/* Checks that line n of text equals want. */
#define CHECK_LINE(text, n, want) CHECK_STR(tc_line((text), (n)), (want))

/* The cgroup.procs of our own cgroup that lists pid, under one of the
 * hierarchies /proc/self/cgroup names ("0::/p" of cgroup v2 at
 * /sys/fs/cgroup or its unified/ mount, "N:ctrl:/p" of v1), or NULL. */
char *tc_cgroup_procs(pid_t pid);
/* "dir/name" in a new buffer. */
char *tc_path(const char *dir, const char *name);
/* A directory under the test's private temp dir (created, mode 0755). */
char *tc_mkdir(const char *name);
/* Writes text to path (creating it with mode). */
void tc_write_file(const char *path, const char *text, mode_t mode);
/* The whole file, or NULL when it cannot be read. */
char *tc_read_file(const char *path);
/* True when path exists (lstat). */
bool tc_exists(const char *path);
/* path's permission bits (lstat: a symlink's own), failing the test when
 * it cannot be read. */
mode_t tc_mode_of(const char *path);

/* A process outside any sandbox, of the test's uid: /bin/sleep exec'd
 * (its cmdline "sleep" read back before this returns), in cwd (NULL: the
 * test's own).  tc_outsider_end kills and reaps it. */
pid_t tc_outsider(const char *cwd);
void tc_outsider_end(pid_t p);

/* The interpreter the script tests run (not the python3 on PATH: it may
 * be a shim a sandbox cannot run). */
#define TC_PYTHON "/usr/bin/python3"
/* A test that shows a hole not closed yet: it skips with "known hole:
 * why" (listed in tests/expected-skips.txt) unless
 * SANDLOCK_TEST_KNOWN_HOLES is set, when it runs and fails. */
#define TC_KNOWN_HOLE(why)                                                                         \
	do {                                                                                       \
		if (!getenv("SANDLOCK_TEST_KNOWN_HOLES"))                                          \
			SKIP("known hole: " why);                                                  \
	} while (0)

/* Skips the test when TC_PYTHON is missing. */
void tc_need_python(void);
/* A host file of the workdir w for an attack to spare: name, holding
 * "data\n" with mode 0644, its stat in *before.  Its path. */
char *tc_victim(const char *w, const char *name, struct stat *before);
/* Python that opens name (a file of the workdir: the host's, read-only)
 * as low and makes u (the layer's) as up, then starts a thread that
 * points fd 50 at one and the other in turn until done is set. */
#define TC_PY_DUP2_FLIP(name)                                                                      \
	"low = os.open('" name "', os.O_RDONLY)\n"                                                \
	"up = os.open('u', os.O_CREAT | os.O_RDWR, 0o644)\n"                                      \
	"done = False\n"                                                                          \
	"def flip():\n"                                                                           \
	"    while not done:\n"                                                                   \
	"        os.dup2(up, 50); os.dup2(low, 50)\n"                                             \
	"t = threading.Thread(target=flip); t.start()\n"
/* A script named name in the test's "scripts" directory: prelude, then
 * body. */
char *tc_script(const char *name, const char *prelude, const char *body);

/* A unix socket of type (SOCK_STREAM: listening) bound at path, made
 * non-blocking and world-writable (mode 0777). */
int tc_unix_server(const char *path, int type);
/* What a thread takes from a server socket (connections accepted and
 * closed, or datagrams read) while a probe runs: a full backlog or queue
 * would otherwise hold the probe's blocking calls.  Stopping waits 20 ms
 * for what is in flight and returns how many were taken. */
struct tc_drain {
	int s;
	bool dgram;
	atomic_long n;
	atomic_int stop;
	pthread_t th;
};
void tc_drain_start(struct tc_drain *d, int s, bool dgram);
long tc_drain_stop(struct tc_drain *d);

/* A TCP socket listening on 127.0.0.1 at an ephemeral port. */
int tc_tcp_listener(uint16_t *port);
/* A currently unused loopback TCP port (bound and released). */
uint16_t tc_free_port(void);
/* Decimal string of a number, in a new buffer. */
char *tc_itoa(long v);

/* A new pseudo terminal: its master (O_NOCTTY), and in *slave the path of
 * its slave (a new buffer); -1 when none can be made. */
int tc_openpt(char **slave);
/* In a forked helper: a new session whose controlling terminal is slave,
 * on fds 0 to last.  0, or -1 on a failure. */
int tc_session_on(const char *slave, int last);

/* Makes the calling process a child subreaper (PR_SET_CHILD_SUBREAPER):
 * the orphans of its descendants are reparented to it instead of init, so
 * that tc_kill_all_below() and tc_wait_nothing_below() see them. */
void tc_subreaper(void);
/* Kills (SIGKILL, after SIGCONT) every process below the calling thread
 * until none is left, and reaps them: a test made a child subreaper
 * cleans up what a failed sandbox left behind (its orphans come to it). */
void tc_kill_all_below(void);
/* True once every child of the calling thread has ended (a zombie, or
 * reaped), bounded at timeout_ms.  In a subreaper this means nothing
 * below it runs: a process that ends hands its children to the caller
 * before it becomes a zombie. */
bool tc_wait_nothing_below(int timeout_ms);

/* The one-letter state of /proc/<pid>/stat, or 0 when the process is gone. */
char tc_proc_state(pid_t pid);
/* Polls (bounded at timeout_ms) until tc_proc_state(pid) is / is not want. */
bool tc_wait_state(pid_t pid, char want, bool equal, int timeout_ms);
/* The parent of pid from /proc/<pid>/stat, -1 when gone. */
pid_t tc_ppid(pid_t pid);
/* CPU time (ms) of pid from /proc (utime + stime), -1 when gone. */
long tc_cpu_ms(pid_t pid);
/* True once pid no longer exists or is a zombie (bounded poll). */
bool tc_wait_gone(pid_t pid, int timeout_ms);
/* Whether a process other than this one sees a write lock on path (a
 * POSIX lock of this process's). */
bool tc_lock_held(const char *path);

/* A tree as text, read outside any sandbox (by /usr/bin/python3): one
 * sorted line per entry beneath root, its path, mode, owner
 * (TC_DUMP_OWNER), modification time (TC_DUMP_MTIME), body (a symlink's
 * target, "D" for a directory, a regular file's content digest, "S" and
 * the device number for anything else), which entries share an inode,
 * and its xattr names.  skip: a path (relative to root) left out, or
 * NULL.  Two trees compare equal when their dumps do. */
#define TC_DUMP_OWNER 1u
#define TC_DUMP_MTIME 2u
char *tc_tree_dump(const char *root, unsigned flags, const char *skip);
/* Reads and drops what a terminal's master side gets until child pid
 * exits; closes master and returns pid's wait status. */
int tc_drain_tty_until_exit(int master, pid_t pid);
/* Polls (bounded at timeout_ms) until path holds a whole line (one
 * ending in '\n', as one write(2) of a shell's echo leaves it) and
 * returns that line's number, or -1 on timeout or when it is no number. */
long tc_wait_number_in(const char *path, int timeout_ms);

#endif
