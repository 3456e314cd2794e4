/* SPDX-License-Identifier: Apache-2.0 */
/*
 * child.c - the child sequence, from the keeper's clone to exec.
 *
 * Only raw syscalls below this line (rawsys.h): the child may share the
 * host's address space (CLONE_VM) while the host's threads run, so it
 * must not touch errno or any other thread-local storage, allocate, or
 * take a lock.  Every failure goes back to the parent as (step, errno) on
 * the status socket.
 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "filter.h"
#include "landlock.h"
#include "overlay.h"
#include "privdrop.h"
#include "rawsys.h"
#include "seccomp_uapi.h"

#define CHILD_FAIL_STATUS 127
#define KSIGSET_SIZE	  8 /* the kernel's sigset_t: 64 signals */

long child_send(int sock, int step, int value, const int *fds, int nfds)
{
	struct sl_child_msg m = {.step = step, .value = value};
	struct iovec iov = {&m, sizeof(m)};
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (nfds > 0) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		int *data = (int *)(void *)CMSG_DATA(c);
		for (int i = 0; i < nfds; i++)
			data[i] = fds[i];
	}
	long r;
	while ((r = sl_sys3(SYS_sendmsg, sock, &mh, MSG_NOSIGNAL)) == -EINTR)
		;
	return r;
}

/* A report after READY (the supervisor answers now): sendto with no
 * address, which no rule notifies, or write where the policy denies
 * sendto.  Nothing to pass: no fd goes to the parent after READY. */
static void send_late(const struct sl_plan *p, int step, int value)
{
	struct sl_child_msg m = {.step = step, .value = value};
	long r;
	while ((r = sl_sys6(SYS_sendto, p->status_w, (long)&m, sizeof(m), MSG_NOSIGNAL, 0, 0)) ==
	       -EINTR)
		;
	/* (no MSG_NOSIGNAL for write: a parent gone by now makes the exit a
	 * SIGPIPE, which nobody is left to read either) */
	if (r == -EPERM)
		while (sl_sys3(SYS_write, p->status_w, &m, sizeof(m)) == -EINTR)
			;
}

/* A failure before the filter (after it, the courier reports: see
 * below).  Leaves with SYS_exit (the child is single-threaded until the
 * courier starts): a user handler may watch exit_group, and nobody
 * answers before the supervisor runs. */
static _Noreturn void fail(const struct sl_plan *p, int step, long err)
{
	child_send(p->status_w, step, (int)-err, NULL, 0);
	sl_raw_exit(CHILD_FAIL_STATUS);
}

static void close_fd(int fd)
{
	if (fd >= 0)
		sl_sys1(SYS_close, fd);
}

static void move_fd(const struct sl_plan *p, int from, int to)
{
	/* dup3 (aarch64 has no dup2); our pipe ends are never 0-2
	 * (plan.c moves them above stdio), so from != to */
	long r = sl_sys3(SYS_dup3, from, to, 0);
	if (r < 0)
		fail(p, SL_STEP_STDIO, r);
}

static void setup_stdio(const struct sl_plan *p)
{
	/* Drop our copies of the parent's pipe ends: the gate must see EOF
	 * when the parent closes it without releasing us. */
	close_fd(p->gate_w);
	close_fd(p->status_r);
	close_fd(p->stdout_r);
	close_fd(p->stderr_r);
	if (p->stdin_r >= 0)
		move_fd(p, p->stdin_r, STDIN_FILENO);
	if (p->stdout_w >= 0)
		move_fd(p, p->stdout_w, STDOUT_FILENO);
	if (p->stderr_w >= 0)
		move_fd(p, p->stderr_w, STDERR_FILENO);
}

/* Returns a pidfd of the child itself, opened before the filter exists
 * (pidfd_open of another pid may be notified), and our pid in *me: asked
 * once, before the filter, as a user handler on getpid would wait for a
 * supervisor that has no listener yet. */
static int setup_process(const struct sl_plan *p, pid_t *me)
{
	long r = sl_sys2(SYS_setpgid, 0, 0);
	if (r < 0)
		fail(p, SL_STEP_SETPGID, r);
	*me = (pid_t)sl_sys0(SYS_getpid);
	if (p->take_tty) {
		/* Become the terminal's foreground group so an interactive
		 * shell can read it.  All signals are blocked, so the
		 * SIGTTOU a background group gets here is not delivered. */
		(void)sl_sys3(SYS_ioctl, STDIN_FILENO, TIOCSPGRP, me);
	}
	r = sl_sys2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
	if (r < 0)
		fail(p, SL_STEP_PDEATHSIG, r);
	/* The keeper may have died before PDEATHSIG was armed. */
	if (sl_sys0(SYS_getppid) != p->keeper.self)
		fail(p, SL_STEP_PARENT_GONE, -ESRCH);
	long pidfd = sl_sys2(SYS_pidfd_open, *me, 0);
	if (pidfd < 0)
		fail(p, SL_STEP_PIDFD, pidfd);
	return (int)pidfd;
}

static void set_rlimit(const struct sl_plan *p, int res, uint64_t cur, uint64_t max, int step)
{
	struct rlimit rl = {cur, max};
	long r = sl_sys4(SYS_prlimit64, 0, res, &rl, NULL);
	if (r < 0)
		fail(p, step, r);
}

/* Lowers the stack limit to at most max (never raises it). */
static void cap_stack(const struct sl_plan *p, uint64_t max)
{
	struct rlimit rl;
	long r = sl_sys4(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &rl);
	if (r < 0)
		fail(p, SL_STEP_RLIMIT_STACK, r);
	set_rlimit(p, RLIMIT_STACK, rl.rlim_cur < max ? rl.rlim_cur : max,
		   rl.rlim_max < max ? rl.rlim_max : max, SL_STEP_RLIMIT_STACK);
}

static void setup_limits(const struct sl_plan *p)
{
	long r;
	if (p->no_aslr) {
		/* personality is denied by the filter later: set it now. */
		long cur = sl_sys1(SYS_personality, 0xffffffff);
		r = cur < 0 ? cur
			    : sl_sys1(SYS_personality, (unsigned long)cur | ADDR_NO_RANDOMIZE);
		if (r < 0)
			fail(p, SL_STEP_PERSONALITY, r);
	}
	if (p->set_cpus && (r = sl_sys3(SYS_sched_setaffinity, 0, sizeof(p->cpus), &p->cpus)) < 0)
		fail(p, SL_STEP_AFFINITY, r);
	if (p->no_thp && (r = sl_sys5(SYS_prctl, PR_SET_THP_DISABLE, 1, 0, 0, 0)) < 0)
		fail(p, SL_STEP_THP, r);
	/* RLIMIT_CORE, not PR_SET_DUMPABLE: a non-dumpable child would lock
	 * the supervisor out of its memory. */
	if (p->no_core)
		set_rlimit(p, RLIMIT_CORE, 0, 0, SL_STEP_RLIMIT_CORE);
	/* the kernel's own per-process caps under max_memory: heap and
	 * private mappings, and the stack, which grows without a syscall */
	if (p->set_mem) {
		set_rlimit(p, RLIMIT_DATA, p->mem_limit, p->mem_limit, SL_STEP_RLIMIT_DATA);
		cap_stack(p, p->mem_limit);
	}
	/* only the hard limit now, while we may still raise it; the soft
	 * one after the filter (confine_self) */
	if (p->raise_nofile)
		set_rlimit(p, RLIMIT_NOFILE, p->nofile_cur, p->nofile, SL_STEP_RLIMIT_NOFILE);
	if (p->cwd && (r = sl_sys1(SYS_chdir, p->cwd)) < 0)
		fail(p, SL_STEP_CHDIR, r);
}

/* No capability, no securebits to exploit, no real-time priority
 * (privdrop.h); before NO_NEW_PRIVS and the filter, which denies
 * PR_SET_SECUREBITS. */
static void drop_privileges(const struct sl_plan *p)
{
	int step = SL_STEP_CAPBSET;
	long r = privdrop_bound(&step);
	/* the plan counted on the drop (the host held CAP_SETPCAP): without
	 * it the permitted set must go, and our address space is the host's */
	if (r == 0 && p->keep_perm)
		r = -EPERM;
	if (r >= 0)
		r = privdrop_apply(&step, p->keep_perm);
	if (r < 0)
		fail(p, step, r);
}

static void no_new_privs(const struct sl_plan *p)
{
	long r = sl_sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (r < 0)
		fail(p, SL_STEP_NO_NEW_PRIVS, r);
}

/* Takes the Landlock ruleset from the status socket, where the parent
 * queued it before the clone or sends it once built (plan.h: overlap).
 * 1 with the fd in *fd, 0 on EOF (the parent gave up: its planning
 * failed, or it died; it reports or is gone), or -errno (-EAGAIN: not
 * yet, with MSG_DONTWAIT in flags). */
static long recv_ruleset(int sock, int flags, int *fd)
{
	struct sl_child_msg m = {.step = -1};
	struct iovec iov = {&m, sizeof(m)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	long r;
	while ((r = sl_sys3(SYS_recvmsg, sock, &mh, MSG_CMSG_CLOEXEC | flags)) == -EINTR)
		;
	if (r <= 0)
		return r;
	if (mh.msg_flags & MSG_CTRUNC)
		return -EMFILE; /* the fd could not be received */
	struct cmsghdr *c = r == (long)sizeof(m) ? CMSG_FIRSTHDR(&mh) : NULL;
	if (!c || m.step != SL_STEP_READY || c->cmsg_level != SOL_SOCKET ||
	    c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	*fd = *(const int *)(const void *)CMSG_DATA(c);
	return 1;
}

/* Restricts ourselves with the ruleset (and the overlay's root rule):
 * 0, or -errno with the step in *step. */
static long restrict_self(const struct sl_plan *p, int ruleset, int ovl_root, int *step)
{
	long r = 0;
	*step = SL_STEP_OVERLAY_RULE;
	if (p->ovl.on && (r = overlay_child_rule(&p->ovl, ruleset, ovl_root)) < 0)
		return r;
	*step = SL_STEP_LANDLOCK;
	return sl_sys2(__NR_landlock_restrict_self, ruleset, p->landlock_flags);
}

/* Before the filter: the ruleset, then Landlock.  With MSG_DONTWAIT (the
 * overlap), false when the ruleset is not there yet. */
static bool apply_ruleset(const struct sl_plan *p, int ovl_root, int flags)
{
	int fd = -1;
	long r = recv_ruleset(p->status_w, flags, &fd);
	if (r == -EAGAIN)
		return false;
	if (r == 0)
		sl_raw_exit(CHILD_FAIL_STATUS);
	int step = SL_STEP_LANDLOCK;
	if (r > 0)
		r = restrict_self(p, fd, ovl_root, &step);
	if (r < 0)
		fail(p, step, r);
	return true;
}

/*
 * The courier: a thread of the child started right before the seccomp
 * filter, hence outside it.  The filter's listener must reach the parent
 * (sendmsg, SCM_RIGHTS) before anybody can answer a notification; made
 * by the filtered thread, that call would need an exemption in the filter
 * that the command would inherit too.  The courier makes it, and every
 * report until then; in the overlap it also receives the ruleset, which
 * arrives after the filter.  It runs our code only, and is gone before
 * the command runs: the child waits for its last word, and exec kills
 * every other thread of the process anyway.
 *
 * The two threads talk through two words in the child's memory, each
 * written by one side and futex-woken.  The child's futex may be denied
 * by the policy (extra_deny_syscalls): the courier then sees the child's
 * word at its next timed wake-up, and the child polls.
 */
enum {
	TO_WAIT,   /* child -> courier: nothing yet */
	TO_READY,  /* send READY with fds[] */
	TO_REPORT, /* send msg (a failed step), then end the process */
};
enum {
	FROM_WAIT,    /* courier -> child: nothing yet */
	FROM_RULESET, /* the overlap: ruleset received (>= 0), or < 0 */
	FROM_SENT,    /* READY sent: err is the sendmsg's result */
};

struct courier {
	const struct sl_plan *p;
	bool get_ruleset; /* the overlap, the ruleset still on its way */
	uint32_t to, from;
	int ruleset;
	long err;
	struct sl_child_msg msg;
	int fds[3], nfds;
	int cpu; /* the child's when it started the courier, -1 unknown */
};

#define COURIER_POLL_NS 1000000 /* the courier's wait for a child without futex */

static void word_set(uint32_t *w, uint32_t v)
{
	__atomic_store_n(w, v, __ATOMIC_RELEASE);
	sl_sys6(SYS_futex, (long)w, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}

/* Waits until *w is at least v; returns it. */
static uint32_t word_wait(uint32_t *w, uint32_t v, bool timed)
{
	uint32_t cur;
	while ((cur = __atomic_load_n(w, __ATOMIC_ACQUIRE)) < v) {
		struct timespec ts = {0, COURIER_POLL_NS};
		long r = sl_sys6(SYS_futex, (long)w, FUTEX_WAIT_PRIVATE, cur, timed ? (long)&ts : 0,
				 0, 0);
		if (r < 0 && r != -EAGAIN && r != -EINTR && r != -ETIMEDOUT)
			sl_sys0(SYS_sched_yield); /* denied: poll */
	}
	return cur;
}

/* Ends the whole process (the child with it) after a failed step: the
 * courier is outside the filter, exit_group cannot be notified here. */
static _Noreturn void courier_end(void)
{
	sl_sys1(SYS_exit_group, CHILD_FAIL_STATUS);
	__builtin_unreachable();
}

/* The courier onto the child's CPU.  The two hand each other the
 * ruleset and READY through futexes, and a wake-up on another vCPU is
 * dear (about 50 us on the development VM): on the child's, READY went
 * from 150 to 83 us after the filter.  Best effort: a refusal (a cpuset
 * changed meanwhile) leaves it where the kernel put it. */
static void courier_place(const struct courier *c)
{
	unsigned long mask[CPU_SETSIZE / (8 * sizeof(unsigned long))] = {0};
	const unsigned bits = 8 * sizeof(unsigned long);
	if (c->cpu < 0 || c->cpu >= CPU_SETSIZE)
		return;
	mask[(unsigned)c->cpu / bits] = 1UL << ((unsigned)c->cpu % bits);
	sl_sys3(SYS_sched_setaffinity, 0, sizeof(mask), mask);
}

static int courier_main(void *arg)
{
	struct courier *c = arg;
	const struct sl_plan *p = c->p;
	courier_place(c);
	if (c->get_ruleset) {
		long r = recv_ruleset(p->status_w, 0, &c->ruleset);
		if (r < 0)
			child_send(p->status_w, SL_STEP_LANDLOCK, (int)-r, NULL, 0);
		if (r <= 0)
			courier_end();
		word_set(&c->from, FROM_RULESET);
	}
	if (word_wait(&c->to, TO_READY, true) == TO_REPORT) {
		child_send(p->status_w, c->msg.step, c->msg.value, NULL, 0);
		courier_end();
	}
	c->err = child_send(p->status_w, SL_STEP_READY, c->msg.value, c->fds, c->nfds);
	word_set(&c->from, FROM_SENT);
	/* The child's own exit code: a thread group whose threads leave one
	 * by one (SYS_exit, no exit_group) reports the last one's code, and
	 * ours may come after the child's 127 of a failed exec (a start
	 * that failed read "exited 0" in one CI run).  After a good exec we
	 * are gone (exec waits for every other thread to die). */
	return CHILD_FAIL_STATUS;
}

/* Starts the courier on its own stack (plan.c), in our address space,
 * file table and thread group. */
static void start_courier(const struct sl_plan *p, struct courier *c, bool get_ruleset)
{
	*c = (struct courier){.p = p, .get_ruleset = get_ruleset, .ruleset = -1, .cpu = -1};
	unsigned cpu;
	if (sl_sys3(SYS_getcpu, &cpu, 0, 0) == 0)
		c->cpu = (int)cpu;
	long r = sl_raw_clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
				  CLONE_SYSVSEM,
			      (char *)p->cstack + p->cstack_size, NULL, courier_main, c);
	if (r < 0)
		fail(p, SL_STEP_COURIER, r);
}

/* A failure after the filter: the courier says it and ends us both. */
static _Noreturn void fail_late(struct courier *c, int step, long err)
{
	c->msg = (struct sl_child_msg){.step = step, .value = (int)-err};
	word_set(&c->to, TO_REPORT);
	for (;;)
		word_wait(&c->from, FROM_SENT + 1, false);
}

/* The filter failed: we are outside it still, the courier must go too. */
static _Noreturn void fail_filter(const struct sl_plan *p, long err)
{
	child_send(p->status_w, SL_STEP_SECCOMP, (int)-err, NULL, 0);
	courier_end();
}

/* The seccomp filter; returns the listener.  The courier runs: a
 * failure ends it too. */
static int install_filter(const struct sl_plan *p)
{
	/* WAIT_KILLABLE_RECV: once the supervisor has received a
	 * notification only a fatal signal interrupts the wait, so a
	 * restarted syscall cannot repeat an emulated side effect. */
	long listener = sl_sys3(
	    SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &p->prog);
	if (listener < 0)
		fail_filter(p, listener);
	return (int)listener;
}

/* Hands the parent, through the courier, the listener and a pidfd of
 * ourselves (the parent does not clone us, the keeper does: this pidfd
 * is how it holds us), and under max_disk the root of the tmpfs that
 * holds the staged layer (it lives in our mount namespace only: the fd
 * keeps it for the commit).  Once it returns, the courier is done. */
static void report_ready(struct courier *c, int listener, int self_pidfd, int quota_fd, pid_t me)
{
	c->fds[0] = listener;
	c->fds[1] = self_pidfd;
	c->fds[2] = quota_fd;
	c->nfds = quota_fd >= 0 ? 3 : 2;
	c->msg.value = (int)me;
	word_set(&c->to, TO_READY);
	word_wait(&c->from, FROM_SENT, false);
	/* no READY, no supervisor: the parent reports what it saw */
	if (c->err < 0)
		sl_raw_exit(CHILD_FAIL_STATUS);
}

/* Parks until the parent releases the child (start()).  EOF means the
 * parent gave up: leave quietly.  recvfrom where the policy denies read
 * (plan.h). */
static void wait_gate(const struct sl_plan *p)
{
	if (!p->gated)
		return;
	char token;
	long r;
	do
		r = p->gate_recvfrom ? sl_sys6(SYS_recvfrom, p->gate_r, (long)&token, 1, 0, 0, 0)
				     : sl_sys3(SYS_read, p->gate_r, &token, 1);
	while (r == -EINTR);
	if (r != 1)
		sl_raw_exit(CHILD_FAIL_STATUS);
}

/* The kernel's struct sigaction layout for rt_sigaction. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

/* Ignored SIGPIPE/SIGXFSZ survive exec; hosts such as Python ignore
 * SIGPIPE, which would change how pipelines in the sandbox end.  Before
 * the filter, which may deny rt_sigaction: with every signal blocked
 * until exec, the disposition matters only from there. */
static void default_signals(void)
{
	struct ksigaction dfl = {.handler = SIG_DFL};
	sl_sys4(SYS_rt_sigaction, SIGPIPE, &dfl, NULL, KSIGSET_SIZE);
	sl_sys4(SYS_rt_sigaction, SIGXFSZ, &dfl, NULL, KSIGSET_SIZE);
}

/* The host's signal mask, for the command: right before exec, or before
 * the filter when it denies rt_sigprocmask (plan.h). */
static void restore_mask(const struct sl_plan *p)
{
	sl_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &p->child_mask, NULL, KSIGSET_SIZE);
}

/* A stat the policy denies cannot tell: the file counts as there (the
 * report stays EACCES rather than "not found"). */
static bool exists(const char *path)
{
	struct stat st;
	long r = sl_sys4(SYS_newfstatat, AT_FDCWD, path, &st, 0);
	return r == 0 || r == -EPERM;
}

/* execve, or execveat where the policy denies execve (plan.h). */
static long exec_path(const struct sl_plan *p, const char *path)
{
	if (p->exec_at)
		return sl_sys5(SYS_execveat, AT_FDCWD, path, p->argv.v, p->envp.v, 0);
	return sl_sys3(SYS_execve, path, p->argv.v, p->envp.v);
}

/* execvp semantics over the candidates prepared in the parent: keep
 * looking past ENOENT/ENOTDIR/EACCES, report EACCES if any candidate
 * existed but was not executable.  A failure goes to the parent as (EXEC,
 * errno) on the status socket, kept open to here (close-on-exec: a
 * successful exec closes it), and says nothing on the command's stderr:
 * the parent tells it apart from a command that exits 127 by itself. */
static _Noreturn void exec_command(const struct sl_plan *p)
{
	long err = ENOENT;
	bool saw_eacces = false;
	for (size_t i = 0; i < p->exec_paths.n; i++) {
		err = -exec_path(p, p->exec_paths.v[i]);
		/* EACCES counts only for a file that exists: an unsearchable
		 * PATH directory also yields EACCES, and means "not here". */
		if (err == EACCES && exists(p->exec_paths.v[i]))
			saw_eacces = true;
		else if (err == EACCES)
			err = ENOENT;
		else if (err != ENOENT && err != ENOTDIR && err != ESTALE)
			break;
	}
	if (saw_eacces && (err == ENOENT || err == ENOTDIR))
		err = EACCES;
	send_late(p, SL_STEP_EXEC, (int)err);
	sl_raw_exit(CHILD_FAIL_STATUS);
}

/* The syscalls the filtered thread makes between installing the filter
 * and the courier's READY: nobody can answer a notification for them yet
 * (the listener is still on its way).  Its wait for the courier (futex,
 * sched_yield where the policy denies futex) and the open-file limit.
 * Keep in sync with child_main(), and with what policy.c and plan.c do
 * for a policy that denies a syscall made after the filter (prlimit64,
 * the exec, the gate, the signal mask, the late report's sendto or write,
 * exit). */
static const int pre_ready_syscalls[] = {__NR_prlimit64, __NR_futex, __NR_sched_yield};
/* ... and those made there only in the overlap (plan.h). */
static const int overlap_syscalls[] = {__NR_landlock_restrict_self};

const int *child_pre_ready_syscalls(size_t *n)
{
	*n = sizeof(pre_ready_syscalls) / sizeof(pre_ready_syscalls[0]);
	return pre_ready_syscalls;
}

const int *child_overlap_syscalls(size_t *n)
{
	*n = sizeof(overlap_syscalls) / sizeof(overlap_syscalls[0]);
	return overlap_syscalls;
}

/* Closes every fd from 3 up but a and b (both >= 3; equal for one). */
static void close_all_but(unsigned a, unsigned b)
{
	if (a > b) {
		unsigned t = a;
		a = b;
		b = t;
	}
	sl_sys3(SYS_close_range, 3U, a - 1, 0U);
	if (b > a + 1)
		sl_sys3(SYS_close_range, a + 1, b - 1, 0U);
	sl_sys3(SYS_close_range, b + 1, ~0U, 0U);
}

/* Closes every fd above stdio but the status socket (exec closes it) and
 * the gate. */
static void close_inherited(const struct sl_plan *p)
{
	close_all_but((unsigned)p->status_w,
		      p->gate_r >= 0 ? (unsigned)p->gate_r : (unsigned)p->status_w);
}

int child_main(void *arg)
{
	const struct sl_plan *p = arg;
	/* started away from the host's CPU (the overlap, keeper.c): back to
	 * the host's set, which the command inherits (should a cpuset have
	 * changed meanwhile and the kernel refuse, the command keeps the
	 * others) */
	if (p->overlap)
		sl_sys3(SYS_sched_setaffinity, 0, sizeof(p->home_cpus), &p->home_cpus);
	setup_stdio(p);
	/* the host's fds (a popen caller's ends among them, whose close must
	 * read as EOF) go now, before a sandbox created parked is reported
	 * ready: after READY would leave them open while the host goes on */
	close_inherited(p);
	pid_t me;
	int self_pidfd = setup_process(p, &me);
	/* the overlay before the chdir (the command starts in it) and
	 * before anything is dropped (the mount needs CAP_SYS_ADMIN, ours or
	 * a new user namespace's) */
	int step, quota_fd = -1;
	long r = p->ovl.on ? overlay_child_mount(&p->ovl, &step, &quota_fd) : 0;
	if (r < 0)
		fail(p, step, r);
	long ovl_root = p->ovl.on ? overlay_child_root(&p->ovl) : -1;
	if (ovl_root < 0 && p->ovl.on)
		fail(p, SL_STEP_OVERLAY_RULE, ovl_root);
	setup_limits(p);
	drop_privileges(p);
	default_signals();
	no_new_privs(p);
	/* Landlock, then the filter; in the overlap, unless the ruleset is
	 * there already, the filter first: it is ready, the ruleset not yet
	 * (the courier receives it) */
	bool late_ruleset = !apply_ruleset(p, (int)ovl_root, p->overlap ? MSG_DONTWAIT : 0);
	struct courier c;
	start_courier(p, &c, late_ruleset);
	if (p->early_mask)
		restore_mask(p);
	int listener = install_filter(p);
	if (late_ruleset) {
		word_wait(&c.from, FROM_RULESET, false);
		if ((r = restrict_self(p, c.ruleset, (int)ovl_root, &step)) < 0)
			fail_late(&c, step, r);
	}
	if (ovl_root >= 0)
		sl_sys1(SYS_close, (int)ovl_root);
	/* Last fd-allocating step is done: from here on the limit cannot
	 * break our own setup. */
	struct rlimit nofile = {p->nofile, p->nofile};
	if (p->set_nofile && (r = sl_sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, &nofile, NULL)) < 0)
		fail_late(&c, SL_STEP_RLIMIT_NOFILE, r);
	report_ready(&c, listener, self_pidfd, quota_fd, me);
	/* what we opened since (the listener, our pidfd, the ruleset) */
	close_inherited(p);
	wait_gate(p);
	if (!p->early_mask)
		restore_mask(p);
	exec_command(p);
}
