/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack12.c - reaching a process outside the sandbox, of the same uid:
 * signals by every syscall and by the kernel's own routes (a file's
 * owner, a directory notification, the terminal's window size), reading
 * its capabilities, a pidfd or a timer aimed at it, and what procfs and
 * cgroupfs list of it.  Each test fails while the hole it names is open.
 *
 * The outsider blocks every signal it can: a signal that reached it stays
 * pending, where its /proc status shows it at once (no waiting for a
 * delivery).  The probe is tests/probes/a12probe.c.
 */
#include "common.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the outsider holds: a lock on a file, a unix socket listening at
 * a path, a netlink socket (bound: the kernel gives it our pid as its
 * port id). */
struct holds {
	const char *lock;
	const char *listen;
	bool netlink;
	key_t ipc; /* a System V segment and queue of that key */
};

/* Sets up h in the outsider: 0, or -1. */
static int hold(const struct holds *h)
{
	int fd = h->lock ? open(h->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
	if (h->lock && (fd < 0 || flock(fd, LOCK_EX) < 0))
		return -1;
	if (h->listen) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", h->listen);
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0 ||
		    chmod(h->listen, 0777) < 0)
			return -1;
	}
	if (h->ipc &&
	    (shmget(h->ipc, 4096, IPC_CREAT | 0600) < 0 || msgget(h->ipc, IPC_CREAT | 0600) < 0))
		return -1;
	if (h->netlink) {
		struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
		int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (s < 0 || bind(s, (struct sockaddr *)&nl, sizeof(nl)) < 0)
			return -1;
	}
	return 0;
}

/*
 * A process outside any sandbox, of our uid, leading a process group of
 * its own, with every signal blocked (SIGKILL ends it, and so does our
 * death), holding h (may be NULL).
 */
static pid_t outsider_holding(const struct holds *h)
{
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t v = fork();
	CHECK(v >= 0);
	if (v == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0);
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		if (h && hold(h) < 0)
			_exit(1);
		(void)!write(p[1], "r", 1);
		for (;;)
			pause();
	}
	setpgid(v, v);
	close(p[1]);
	char c;
	CHECK(read(p[0], &c, 1) == 1);
	close(p[0]);
	return v;
}

static pid_t blocked_outsider(const char *lock)
{
	struct holds h = {.lock = lock};
	return outsider_holding(&h);
}

/* The signals pending for pid (its own and its process's), a mask with
 * bit sig-1 for each. */
static unsigned long long pending(pid_t pid)
{
	char *st = tc_read_file(tc_fmt("/proc/%d/status", (int)pid));
	CHECK(st != NULL);
	unsigned long long m = 0;
	const char *keys[] = {"\nSigPnd:", "\nShdPnd:"};
	for (int i = 0; i < 2; i++) {
		const char *l = strstr(st, keys[i]);
		CHECK(l != NULL);
		m |= strtoull(l + strlen(keys[i]), NULL, 16);
	}
	return m;
}

static void end(pid_t v)
{
	kill(v, SIGKILL);
	waitpid(v, NULL, 0);
}

/* kill, kill of its group, tkill, tgkill, rt_sigqueueinfo,
 * rt_tgsigqueueinfo, kill(-1): Landlock's signal scope refuses each
 * (EPERM), and nothing reaches the outsider. */
TEST(attack12_signal_syscalls_to_outsider_refused)
{
	pid_t v = blocked_outsider(NULL);
	char *pid = tc_itoa(v);
	struct tc_res r =
	    tc_named_run(tc_build(tc_builder()), "a12probe", "signals", pid, pid, NULL);
	unsigned long long got = pending(v);
	end(v);
	CHECK_EQ(r.code, 0);
	static const char *const want[] = {"errno=EPERM", "errno=EPERM", "errno=EPERM",
					   "errno=EPERM", "errno=EPERM", "errno=EPERM",
					   NULL};
	tc_check_lines(r.out, want);
	CHECK_EQ(got, 0ULL);
}

/* The kernel signals a file's owner for I/O on it (SIGIO, or F_SETSIG's
 * signal) and a directory's notification owner for changes in it: an
 * owner set to the outsider, its thread or its group, then the I/O made
 * from inside.  Landlock checks the sender's domain when it sends. */
TEST(attack12_file_owner_signals_to_outsider_not_sent)
{
	pid_t v = blocked_outsider(NULL);
	char *pid = tc_itoa(v);
	char *dir = tc_mkdir("notified");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), dir));
	struct tc_res r = tc_named_run(p, "a12probe", "fown", pid, pid, dir, NULL);
	unsigned long long got = pending(v);
	end(v);
	CHECK_EQ(r.code, 0);
	static const char *const want[] = {"ok", "ok", "ok", "ok", NULL};
	tc_check_lines(r.out, want);
	CHECK(tc_exists(tc_path(dir, "made")));
	CHECK_EQ(got, 0ULL);
}

/* capget(pid) reads any process's capability sets (the kernel checks
 * nothing but that it exists): the outsider's are not the sandbox's to
 * learn (ESRCH, as for a pid that does not exist), its own child's are. */
TEST(attack12_capget_of_outsider_refused)
{
	pid_t v = blocked_outsider(NULL);
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = tc_named_in(p, "a12probe", "capget", tc_itoa(v), NULL);
	char *child = tc_named_in(p, "a12probe", "capget-child", NULL);
	char *self = tc_named_in(p, "a12probe", "capget", "0", NULL);
	end(v);
	CHECK_STR(tc_line(out, 0), "errno=ESRCH");
	CHECK_STR(tc_line(child, 0), "ok 0");
	CHECK_STR(tc_line(self, 0), "ok 0");
}

/* The header's pid rewritten by a second thread while capget runs: read
 * once, checked and used as read, it never names the outsider (a root
 * one, whose sets are full while the sandbox's are empty: as nobody both
 * are empty and nothing can be told). */
TEST(attack12_capget_pid_rewritten_meanwhile)
{
	pid_t v = blocked_outsider(NULL);
	char *st = tc_read_file(tc_fmt("/proc/%d/status", (int)v));
	const char *eff = st ? strstr(st, "\nCapEff:") : NULL;
	if (!eff || strtoull(eff + 8, NULL, 16) == 0) {
		end(v);
		SKIP("the outsider holds no capability (not root)");
	}
	char *out = tc_named_in(tc_build(tc_builder()), "a12probe", "capget-race", tc_itoa(v),
				"3000", NULL);
	end(v);
	CHECK_STR(tc_line(out, 0), "leaked 0");
}

/* pidfd_open of the outsider with PIDFD_THREAD or PIDFD_NONBLOCK, a timer
 * whose signal goes to the outsider's thread, its thread's directory
 * under our own /proc/self/task. */
TEST(attack12_pidfd_timer_task_of_outsider_refused)
{
	pid_t v = blocked_outsider(NULL);
	char *pid = tc_itoa(v);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/proc"));
	char *out = tc_named_in(p, "a12probe", "seq", tc_fmt("pidfd %s", pid),
				tc_fmt("timer-tid %s", pid), tc_fmt("task %s", pid), NULL);
	unsigned long long got = pending(v);
	end(v);
	static const char *const want[] = {"errno=ESRCH", "errno=ESRCH", "errno=EINVAL",
					   "errno=ENOENT", NULL};
	tc_check_lines(out, want);
	CHECK_EQ(got, 0ULL);
}

/* Runs fn(arg) in a child leading a session on a new pseudo terminal
 * (the terminal at fd 0; the master drained meanwhile), and returns its
 * exit status: 0x40 is a setup failure, checked here. */
static int on_new_terminal(int (*fn)(void *), void *arg)
{
	char *slave = NULL;
	int m = tc_openpt(&slave);
	CHECK(m >= 0);
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0)
		_exit(tc_session_on(slave, 1) < 0 ? 0x40 : fn(arg));
	int st = tc_drain_tty_until_exit(m, h);
	CHECK(WIFEXITED(st));
	CHECK(!(WEXITSTATUS(st) & 0x40));
	return WEXITSTATUS(st);
}

/*
 * The terminal the sandbox shares with the host: a window-size change
 * (TIOCSWINSZ, on any descriptor of it) makes the kernel send SIGWINCH
 * to the terminal's foreground group, past Landlock's signal scope.  The
 * helper leads a session on a pseudo terminal and makes the outsider's
 * group the foreground, as a shell would its job; the sandbox (handed
 * the terminal, or not) runs `xprobe tty-fg TARGET` on it (TIOCSPGRP of
 * TARGET, then TIOCSWINSZ).  The helper's status: bit 0 the outsider got
 * SIGWINCH, bit 1 the resize was refused (EPERM), bit 2 it was done,
 * 0x40 a setup failure.
 */
struct winsize_q {
	bool interactive, target_self;
};

static int winsize_body(void *arg)
{
	const struct winsize_q *q = arg;
	pid_t v = blocked_outsider(NULL);
	signal(SIGTTOU, SIG_IGN);
	if (tcsetpgrp(0, v) < 0)
		return 0x40;
	const char *argv[] = {tc_path(tc_probe_dir(), "xprobe"), "tty-fg",
			      q->target_self ? "self" : tc_itoa(v), NULL};
	sandlock_sandbox_t *p = tc_build(tc_builder());
	char *out = NULL, buf[256] = "";
	if (q->interactive) {
		/* its output into a pipe: the terminal stays at fd 0 */
		int o[2];
		if (pipe(o) < 0 || dup2(o[1], 1) < 0)
			return 0x40;
		close(o[1]);
		sandlock_run_interactive(p, NULL, argv, 3);
		close(1);
		ssize_t n = read(o[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		out = buf;
	} else {
		out = tc_runv(p, NULL, argv).out;
	}
	bool winch = pending(v) & (1ULL << (SIGWINCH - 1));
	end(v);
	return (winch ? 1 : 0) | (out && strstr(out, "tiocswinsz=EPERM") ? 2 : 0) |
	       (out && strstr(out, "tiocswinsz=ok") ? 4 : 0);
}

static int winsize_run(bool interactive, bool target_self)
{
	return on_new_terminal(winsize_body, &(struct winsize_q){interactive, target_self});
}

/* Not handed the terminal: a host job is its foreground, refused. */
TEST(attack12_tty_winsize_signals_host_foreground_refused)
{
	CHECK_EQ(winsize_run(false, false), 2);
}

/* Handed the terminal: the sandbox's group is the foreground, its resize
 * is made (for its own group only), and the host job gets nothing. */
TEST(attack12_tty_interactive_winsize_own_group)
{
	CHECK_EQ(winsize_run(true, true), 4);
}

/* The output of argv run handed the terminal (interactive) from a session
 * on a new pseudo terminal: stdout into a pipe, the terminal at fd 0. */
struct interactive_q {
	sandlock_sandbox_t *p;
	const char *const *argv;
	unsigned argc;
	int out;
};

static int interactive_body(void *arg)
{
	const struct interactive_q *q = arg;
	if (dup2(q->out, 1) < 0)
		return 0x40;
	close(q->out);
	sandlock_run_interactive(q->p, NULL, q->argv, q->argc);
	return 0;
}

static char *interactive_out(sandlock_sandbox_t *p, const char *const *argv, unsigned argc)
{
	int o[2];
	CHECK(pipe(o) == 0);
	CHECK_EQ(on_new_terminal(interactive_body, &(struct interactive_q){p, argv, argc, o[1]}),
		 0);
	close(o[1]);
	static char buf[512];
	ssize_t n = read(o[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(o[0]);
	return buf;
}

/* Every notified ioctl reaches each handler on the syscall: the
 * terminal's (handed the terminal) must leave the inode ioctls (chattr's
 * FS_IOC_SETFLAGS, FS_NODUMP_FL: the owner's to set) to theirs, not
 * answer them as a foreground change. */
TEST(attack12_tty_interactive_leaves_inode_ioctls)
{
	tc_need_python();
	char *dir = tc_mkdir("flags");
	char *f = tc_path(dir, "f");
	tc_write_file(f, "x", 0644);
	int fd = open(f, O_RDONLY | O_CLOEXEC);
	int v = 0;
	bool flags = fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &v) == 0;
	if (fd >= 0)
		close(fd);
	if (!flags)
		SKIP("this filesystem has no inode flags (FS_IOC_GETFLAGS)");
	const char *script =
	    "import fcntl, os, struct, sys\n"
	    "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
	    "v = struct.unpack('i', fcntl.ioctl(fd, 0x80086601, b'\\0' * 4))[0]\n"
	    "try:\n"
	    "    fcntl.ioctl(fd, 0x40086602, struct.pack('i', v | 0x40)); print('ok')\n"
	    "except OSError as e: print('errno', e.errno)\n";
	const char *argv[] = {TC_PYTHON, "-c", script, f, NULL};
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder_sys(), dir));
	CHECK_STR(interactive_out(p, argv, 4), "ok\n");
}

static volatile sig_atomic_t ttou;

static void on_ttou(int sig)
{
	(void)sig;
	ttou = 1;
}

/*
 * The terminal's settings decide what the kernel signals later: with
 * TOSTOP set, a background job that writes to the terminal gets SIGTTOU
 * and stops.  A sandbox not handed the terminal (never its foreground)
 * sets it (blocking SIGTTOU, which a background caller gets for
 * tcsetattr); then a host job in the background writes.  The helper's
 * status: bit 0 the host job got SIGTTOU, 0x40 a setup failure.
 */
static int tostop_body(void *arg)
{
	(void)arg;
	int go[2], rep[2];
	if (pipe(go) < 0 || pipe(rep) < 0)
		return 0x40;
	pid_t b = fork();
	if (b == 0) {
		setpgid(0, 0);
		struct sigaction sa = {.sa_handler = on_ttou};
		sigaction(SIGTTOU, &sa, NULL);
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		ssize_t w = write(1, "x", 1);
		(void)!write(rep[1], ttou ? "T" : w == 1 ? "W" : "E", 1);
		_exit(0);
	}
	setpgid(b, b);
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(0, getpgrp()); /* the leader's group: the foreground */
	const char *argv[] = {tc_path(tc_probe_dir(), "xprobe"), "tty-fg", "self", "tostop", NULL};
	tc_runv(tc_build(tc_builder()), NULL, argv);
	char c = 0;
	if (write(go[1], "g", 1) != 1 || read(rep[0], &c, 1) != 1)
		return 0x40;
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
	return c == 'T' ? 1 : c == 'W' ? 0 : 0x40;
}

TEST(attack12_tty_settings_stop_no_host_job)
{
	/* 0: the host job wrote, unstopped; 1: it got SIGTTOU */
	CHECK_EQ(on_new_terminal(tostop_body, NULL), 0);
}

/* /proc/locks names the pid of every lock's holder on the host: the
 * outsider's lock is not the sandbox's to see; its own lock is listed. */
TEST(attack12_proc_locks_hides_outsider)
{
	char *dir = tc_mkdir("locks");
	pid_t v = blocked_outsider(tc_path(dir, "held"));
	char *pid = tc_itoa(v);
	CHECK(strstr(tc_read_file("/proc/locks"), tc_fmt(" %s ", pid)) != NULL);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/proc"));
	char *out = tc_named_in(p, "a12probe", "grep", "/proc/locks", pid, NULL);
	sandlock_sandbox_t *w = tc_build(sandlock_sandbox_builder_fs_write(
	    sandlock_sandbox_builder_fs_read(tc_builder(), "/proc"), dir));
	char *own = tc_named_in(w, "a12probe", "own-lock", tc_path(dir, "mine"), NULL);
	end(v);
	CHECK_STR(tc_line(out, 0), "absent");
	CHECK_STR(tc_line(own, 0), "found");
}

/* /proc/net/netlink lists every netlink socket of the network namespace,
 * the host's, with its port id: the kernel gives a bound socket its
 * process's pid, so the list names processes outside. */
TEST(attack12_proc_net_netlink_hides_outsider)
{
	struct holds h = {.netlink = true};
	pid_t v = outsider_holding(&h);
	char *pid = tc_itoa(v);
	CHECK(strstr(tc_read_file("/proc/net/netlink"), tc_fmt(" %s ", pid)) != NULL);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/proc"));
	char *out = tc_named_in(p, "a12probe", "seq", tc_fmt("grep /proc/net/netlink %s", pid),
				"grep /proc/net/netlink Inode", NULL);
	end(v);
	CHECK_STR(tc_line(out, 0), "absent");
	CHECK_STR(tc_line(out, 1), "found"); /* the header stays */
}

/* /proc/sysvipc/shm and msg list every System V segment and queue of the
 * host's IPC namespace with the pids of their creator and last user. */
TEST(attack12_proc_sysvipc_hides_outsider)
{
	struct holds h = {.ipc = (key_t)(0x5a120000 | (getpid() & 0xffff))};
	pid_t v = outsider_holding(&h);
	char *pid = tc_itoa(v);
	int shm = shmget(h.ipc, 0, 0), msq = msgget(h.ipc, 0);
	CHECK(strstr(tc_read_file("/proc/sysvipc/shm"), tc_fmt(" %s ", pid)) != NULL);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/proc"));
	char *out = tc_named_in(p, "a12probe", "seq", tc_fmt("grep /proc/sysvipc/shm %s", pid),
				tc_fmt("grep /proc/sysvipc/msg %s", pid),
				"grep /proc/sysvipc/shm shmid", NULL);
	end(v);
	shmctl(shm, IPC_RMID, NULL);
	msgctl(msq, IPC_RMID, NULL);
	static const char *const want[] = {"absent", "absent", "found", NULL};
	tc_check_lines(out, want);
}

/*
 * A pidfd of an outside process, had without pidfd_open: the peer of a
 * unix socket the policy lets the sandbox connect to (SO_PEERPIDFD).
 * Nothing may be done to it through the pidfd: no signal, no fd taken,
 * no memory advice or release, no wait, no namespace.  What PIDFD_GET_INFO
 * tells (its pid, parent, ids, cgroup) is the peer's credentials, which
 * SO_PEERCRED gives any peer too: not refused.
 */
TEST(attack12_peer_pidfd_of_outsider_acts_on_nothing)
{
	char *dir = tc_mkdir("peer");
	struct holds h = {.listen = tc_path(dir, "sock")};
	pid_t v = outsider_holding(&h);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), dir));
	char *out = tc_named_in(p, "a12probe", "peer", h.listen, NULL);
	unsigned long long got = pending(v);
	end(v);
	if (!strncmp(out, "errno=ENOPROTOOPT", 17))
		SKIP("no SO_PEERPIDFD (Linux 6.5)");
	static const char *const want[] = {
	    "errno=EPERM",  "errno=EPERM",  "errno=EACCES", "errno=EINVAL",
	    "errno=ECHILD", "errno=EACCES", "ok",	    NULL};
	tc_check_lines(out, want);
	CHECK_EQ(got, 0ULL);
}

/* The one outside process every sandboxed process can name: its parent,
 * sandlock's keeper (getppid), or the keeper again for an orphan that left
 * its session (setsid, double fork).  Nothing reaches it. */
static void parent_untouched(bool orphan)
{
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/proc"));
	char *out = tc_named_in(p, "a12probe", "parent", orphan ? "orphan" : "direct", NULL);
	static const char *const want[] = {"errno=EPERM",  "errno=ESRCH", "errno=ESRCH",
					   "errno=ESRCH",  "errno=ESRCH", "errno=ESRCH",
					   "errno=ENOENT", NULL};
	tc_check_lines(out, want);
}

TEST(attack12_keeper_untouched_by_the_command)
{
	parent_untouched(false);
}

TEST(attack12_keeper_untouched_by_an_orphan)
{
	parent_untouched(true);
}

/*
 * The sandbox runs in the host's cgroup: where the policy lets it read
 * /sys/fs/cgroup (-r /sys, -r /), that cgroup's cgroup.procs lists every
 * process there, the outsider included.  The cgroup view (cgroupview.c)
 * lists the sandbox's own only; a cgroup mount gets no Landlock right, so
 * a path rewritten after the check meets the kernel's refusal.
 */
TEST(attack12_cgroup_procs_hides_outsider)
{
	pid_t v = blocked_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/sys/fs/cgroup"));
	char *out = tc_named_in(p, "a12probe", "grep", procs, tc_itoa(v), NULL);
	end(v);
	CHECK_STR(tc_line(out, 0), "absent");
}

/* The thread list beside a cgroup.procs: cgroup.threads (v2) or tasks
 * (v1). */
static char *threads_beside(const char *procs)
{
	char *dir = tc_fmt("%s", procs);
	*strrchr(dir, '/') = 0;
	char *v2 = tc_path(dir, "cgroup.threads");
	return tc_exists(v2) ? v2 : tc_path(dir, "tasks");
}

static sandlock_builder_t *cgroups_read_builder(void)
{
	return sandlock_sandbox_builder_fs_read(tc_builder(), "/sys/fs/cgroup");
}

static sandlock_sandbox_t *cgroups_read(void)
{
	return tc_build(cgroups_read_builder());
}

/* The view keeps the sandbox's own: its pid in cgroup.procs, a thread of
 * it in the thread list; the outsider's thread is not listed there
 * either. */
TEST(attack12_cgroup_lists_keep_the_sandbox)
{
	pid_t v = blocked_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	char *threads = threads_beside(procs);
	sandlock_sandbox_t *p = cgroups_read();
	char *self = tc_named_in(p, "a12probe", "cg-self", procs, threads, NULL);
	char *outside = tc_named_in(p, "a12probe", "grep", threads, tc_itoa(v), NULL);
	end(v);
	CHECK_STR(tc_line(self, 0), "found");
	CHECK_STR(tc_line(self, 1), "found");
	CHECK_STR(tc_line(outside, 0), "absent");
}

/* A second thread flips the path between a file of ours and the list
 * while the first opens it: whatever the supervisor checked, the kernel
 * never opens the real list (Landlock gives a cgroup mount no right). */
TEST(attack12_cgroup_path_race_never_reads_the_list)
{
	pid_t v = blocked_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	char *decoy = tc_path(tc_mkdir("decoy"), "plain");
	tc_write_file(decoy, "1\n", 0644);
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_read(cgroups_read_builder(), decoy));
	char *out = tc_named_in(p, "a12probe", "cg-race", procs, tc_itoa(v), decoy, "3000", NULL);
	end(v);
	long leaked = -1, viewed = -1;
	CHECK_EQ(sscanf(out, "leaked %ld viewed %ld", &leaked, &viewed), 2);
	CHECK_EQ(leaked, 0L);
	CHECK(viewed > 0); /* the race ran: some opens did land on the list */
}

/* The same race on the proc view, with the whole filesystem granted (a
 * rule on "/" covered /proc until its directories above procfs were
 * limited to listing): an outsider's status file is never read. */
TEST(attack12_proc_path_race_with_root_granted)
{
	pid_t v = blocked_outsider(NULL);
	char *decoy = tc_path(tc_mkdir("decoy"), "plain");
	tc_write_file(decoy, "1\n", 0644);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/"));
	char *out = tc_named_in(p, "a12probe", "cg-race", tc_fmt("/proc/%d/status", (int)v),
				tc_fmt("Pid:\t%d", (int)v), decoy, "3000", NULL);
	end(v);
	long leaked = -1, viewed = -1, failed = -1;
	CHECK_EQ(sscanf(out, "leaked %ld viewed %ld failed %ld", &leaked, &viewed, &failed), 3);
	CHECK_EQ(leaked, 0L);
	CHECK(failed > 0); /* the race ran: some opens did name the outsider */
}

/* The list reached through an O_PATH handle and /proc/self/fd is the
 * view too. */
TEST(attack12_cgroup_procs_through_opath_hides_outsider)
{
	pid_t v = blocked_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	char *out = tc_named_in(cgroups_read(), "a12probe", "cg-opath", procs, tc_itoa(v), NULL);
	end(v);
	CHECK_STR(tc_line(out, 0), "absent");
}

/* The rest of the cgroup filesystem reads as the policy says: listed and
 * read where granted, EACCES elsewhere; never written. */
TEST(attack12_cgroup_files_read_as_granted)
{
	pid_t v = blocked_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	end(v);
	if (!procs)
		SKIP("no cgroup.procs of ours lists our processes");
	char *dir = tc_fmt("%s", procs);
	*strrchr(dir, '/') = 0;
	sandlock_sandbox_t *p = cgroups_read();
	char *ls = tc_named_in(p, "a12probe", "cg-ls", dir, "cgroup.procs", NULL);
	char *wr = tc_named_in(p, "a12probe", "cg-write", procs, NULL);
	char *ungranted = tc_named_in(tc_build(tc_builder()), "a12probe", "grep", procs, "1", NULL);
	CHECK_STR(tc_line(ls, 0), "found");
	CHECK_STR(tc_line(wr, 0), "errno=EACCES");
	CHECK_STR(tc_line(ungranted, 0), "errno=EACCES");
}
