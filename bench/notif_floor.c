/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notif_floor.c - the bare seccomp user-notification round trip, and the
 * same timed loop to run inside sandlock (bench/notif.sh runs both).
 *
 *   notif_floor floor N       a child notifies uname; answered {val 0, error 0}
 *   notif_floor mem N         the answer also writes a struct utsname into the
 *                             child: open /proc/PID/mem, NOTIF_ID_VALID,
 *                             pwrite, close, at every call (the recipe that
 *                             stays safe when a pid is reused)
 *   notif_floor mem-cached N  the same with /proc/PID/mem opened once
 *   notif_floor vm N          the answer writes the struct utsname with
 *                             process_vm_writev between two NOTIF_ID_VALID
 *                             checks (sandlock's recipe, src/engine/mem.c)
 *   notif_floor loop N        the timed loop alone: run it under sandlock
 *   notif_floor loop-getppid N  N syscall(SYS_getppid) calls alone: run it
 *                             under a sandlock handler on getppid
 *                             (bench/notif_engine.c)
 *
 * Each prints one line, e.g.
 *   mode=floor sync_wake_up=1 cpus=2 calls=20000 uname_ns=7012.3 getppid_ns=231.0
 * uname_ns is the mean of N syscall(SYS_uname) calls, getppid_ns the mean
 * of N getppid calls in the same process, a syscall the filter allows.
 * loop-getppid prints getppid_ns (the probe, notified there) and
 * getpid_ns, the mean of N plain getpid calls.
 *
 * With NOTIF_GAP_US=G in the environment every timed call is preceded by
 * G microseconds of busy work and timed alone, and the mode is printed
 * with "-sparse" added: the supervisor is then asleep at each call, as
 * it is between the notifications of a real program (bench/notif.sh
 * measures floor and loop-getppid that way too).
 *
 * Why uname: sandlock always notifies it and answers by writing the
 * child's buffer, so `loop` under sandlock and `vm` here do the same
 * work; `floor` is the cheapest answer the kernel accepts, as is a
 * sandlock handler that returns 0 without touching the child's memory
 * (loop-getppid under notif_engine).  The supervisor
 * here does what any must at least: poll, NOTIF_RECV, NOTIF_SEND, with
 * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP set as sandlock sets it.
 *
 * Keep it linked against libc alone: the loop runs inside a sandbox that
 * grants only the system trees and the bench directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Linux 6.7, missing from Debian 12's 6.1 headers.  The kernel defines the
 * ioctl as _IOW and takes the flags by value, not through a pointer. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/* Untimed calls first: page faults, the supervisor's first wake-ups. */
#define WARMUP 500

enum mode { M_FLOOR, M_MEM, M_MEM_CACHED, M_VM, M_LOOP, M_LOOP_GETPPID, M__N };
static const char *const mode_names[M__N] = {"floor", "mem",  "mem-cached",
					     "vm",    "loop", "loop-getppid"};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* NOTIF_GAP_US: sparse calls, this many microseconds of busy work before
 * each (0: back to back).  Sparse calls find the supervisor asleep, as the
 * notifications of a real program do. */
static double gap_ns;

/* Mean ns of n calls of syscall nr(arg), or -1 when one fails.  Sparse:
 * each call timed alone, the gaps left out. */
static double time_calls(long nr, void *arg, long n)
{
	double t0 = now_ns(), spent = 0;

	for (long i = 0; i < n; i++) {
		if (gap_ns > 0) {
			while (now_ns() - t0 < gap_ns)
				;
			t0 = now_ns();
		}
		if (syscall(nr, arg) < 0)
			return -1;
		if (gap_ns > 0) {
			double t1 = now_ns();
			spent += t1 - t0;
			t0 = t1;
		}
	}
	return (gap_ns > 0 ? spent : now_ns() - t0) / (double)n;
}

/* The mode's name as printed: "-sparse" added under NOTIF_GAP_US. */
static void print_mode(const char *name)
{
	printf("mode=%s%s", name, gap_ns > 0 ? "-sparse" : "");
}

/* loop-getppid: getppid is the probe (notified by the handler that runs
 * this loop), getpid the plain syscall beside it. */
static int run_loop_getppid(long n)
{
	cpu_set_t cpus;
	double pp, pid;

	CPU_ZERO(&cpus);
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		CPU_ZERO(&cpus);
	if (time_calls(SYS_getppid, NULL, WARMUP) < 0 || time_calls(SYS_getpid, NULL, WARMUP) < 0) {
		perror("notif_floor: warm-up");
		return 1;
	}
	pp = time_calls(SYS_getppid, NULL, n);
	pid = time_calls(SYS_getpid, NULL, n);
	if (pp < 0 || pid < 0) {
		perror("notif_floor: timed loop");
		return 1;
	}
	print_mode(mode_names[M_LOOP_GETPPID]);
	printf(" cpus=%d calls=%ld getppid_ns=%.1f getpid_ns=%.1f\n", CPU_COUNT(&cpus), n, pp, pid);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The measurement proper; sync is -1 when unknown (under sandlock). */
static int run_loop(enum mode m, int sync, long n)
{
	struct utsname u;
	cpu_set_t cpus;
	double un, pp;

	memset(&u, 0, sizeof(u));
	CPU_ZERO(&cpus);
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		CPU_ZERO(&cpus);
	if (time_calls(SYS_uname, &u, WARMUP) < 0 || time_calls(SYS_getppid, NULL, WARMUP) < 0) {
		perror("notif_floor: warm-up");
		return 1;
	}
	un = time_calls(SYS_uname, &u, n);
	pp = time_calls(SYS_getppid, NULL, n);
	if (un < 0 || pp < 0) {
		perror("notif_floor: timed loop");
		return 1;
	}
	print_mode(mode_names[m]);
	if (sync >= 0)
		printf(" sync_wake_up=%d", sync);
	/* written=0 after a mem answer would mean the answer skipped the work */
	printf(" cpus=%d calls=%ld uname_ns=%.1f getppid_ns=%.1f written=%d\n", CPU_COUNT(&cpus), n,
	       un, pp, u.sysname[0] != 0);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int send_fd(int sock, int fd)
{
	char byte = 0;
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = c.buf,
			     .msg_controllen = sizeof(c.buf)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&msg);

	memset(&c, 0, sizeof(c));
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = c.buf,
			     .msg_controllen = sizeof(c.buf)};
	struct cmsghdr *h;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	h = CMSG_FIRSTHDR(&msg);
	if (!h || h->cmsg_type != SCM_RIGHTS || h->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

/* Child: notify uname, allow the rest, hand the listener to the parent,
 * wait for its SYNC_WAKE_UP result, measure. */
static int child(int sock, enum mode m, long n)
{
	/* No arch check: this filter only picks notify or allow, never deny. */
	struct sock_filter insns[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_uname, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(insns) / sizeof(insns[0]), insns};
	char sync;
	int fd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("notif_floor: PR_SET_NO_NEW_PRIVS");
		return 1;
	}
	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			  &prog);
	if (fd < 0 || send_fd(sock, fd) < 0 || read(sock, &sync, 1) != 1) {
		perror("notif_floor: seccomp listener hand-over");
		return 1;
	}
	close(fd);
	return run_loop(m, sync, n);
}

/* Writes *u at the child's args[0], checking the notification is still
 * pending after the open (the fd pins the mm, so a reused pid cannot
 * receive the write).  cached_fd < 0: open and close around this call. */
static int write_child(int listener, const struct seccomp_notif *req, int cached_fd,
		       const struct utsname *u)
{
	char path[32];
	int fd = cached_fd, ok;

	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
	}
	ok = ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0 &&
	     pwrite(fd, u, sizeof(*u), (off_t)req->data.args[0]) == (ssize_t)sizeof(*u);
	if (fd != cached_fd)
		close(fd);
	return ok ? 0 : -1;
}

/* Writes *u at the child's args[0] as sandlock does (src/engine/mem.c): the
 * notification must be pending before process_vm_writev (the pid is still
 * the notifier's) and after it (the pid was not reused meanwhile, so the
 * bytes landed in the notifier's memory). */
static int write_child_vm(int listener, const struct seccomp_notif *req, const struct utsname *u)
{
	struct iovec local = {(void *)u, sizeof(*u)};
	struct iovec remote = {(void *)(uintptr_t)req->data.args[0], sizeof(*u)};
	ssize_t n;

	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		return -1;
	n = process_vm_writev((pid_t)req->pid, &local, 1, &remote, 1, 0);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		return -1;
	return n == (ssize_t)sizeof(*u) ? 0 : -1;
}

/* Answers notifications until the child's filter is gone (POLLHUP). */
static int supervise(int listener, enum mode m, pid_t pid)
{
	struct seccomp_notif_sizes sz;
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	struct utsname u;
	int memfd = -1, rc = -1;

	/* The running kernel's structs may be larger than our headers' ones. */
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0 || uname(&u) < 0)
		return -1;
	req = calloc(1, sz.seccomp_notif > sizeof(*req) ? sz.seccomp_notif : sizeof(*req));
	resp = calloc(1, sz.seccomp_notif_resp > sizeof(*resp) ? sz.seccomp_notif_resp
							       : sizeof(*resp));
	if (m == M_MEM_CACHED) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		memfd = open(path, O_WRONLY | O_CLOEXEC);
	}
	if (!req || !resp || (m == M_MEM_CACHED && memfd < 0))
		goto out;

	for (;;) {
		struct pollfd p = {listener, POLLIN, 0};

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (!(p.revents & POLLIN))
			break;
		/* NOTIF_RECV rejects a buffer that is not zeroed. */
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			goto out;
		}
		memset(resp, 0, sz.seccomp_notif_resp);
		resp->id = req->id;
		if (m == M_VM ? write_child_vm(listener, req, &u) < 0
			      : m != M_FLOOR && write_child(listener, req, memfd, &u) < 0)
			resp->error = -EFAULT;
		/* ENOENT: the child was interrupted or died meanwhile. */
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		perror("notif_floor: supervisor");
	if (memfd >= 0)
		close(memfd);
	free(req);
	free(resp);
	return rc;
}

static int run_floor(enum mode m, long n)
{
	int sv[2], listener, status, rc;
	char sync;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("notif_floor: socketpair");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("notif_floor: fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		_exit(child(sv[1], m, n));
	}
	close(sv[1]);
	listener = recv_fd(sv[0]);
	sync = listener >= 0 && ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
				      SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
	rc = listener >= 0 && write(sv[0], &sync, 1) == 1 ? supervise(listener, m, pid) : -1;
	if (rc < 0)
		kill(pid, SIGKILL); /* else it would wait for an answer forever */
	if (listener >= 0)
		close(listener);
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("notif_floor: waitpid");
			return 1;
		}
	}
	if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "notif_floor: %s run failed (child status 0x%x)\n", mode_names[m],
			status);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *end;
	long n;
	int m;

	if (argc != 3)
		goto usage;
	for (m = 0; m < M__N; m++)
		if (strcmp(argv[1], mode_names[m]) == 0)
			break;
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (m == M__N || errno || end == argv[2] || *end || n < 1 || n > 100000000)
		goto usage;
	const char *gap = getenv("NOTIF_GAP_US");
	if (gap && *gap) {
		long g = strtol(gap, &end, 10);
		if (errno || *end || g < 0 || g > 1000000)
			goto usage;
		gap_ns = (double)g * 1e3;
	}
	if (m == M_LOOP)
		return run_loop(M_LOOP, -1, n);
	if (m == M_LOOP_GETPPID)
		return run_loop_getppid(n);
	return run_floor((enum mode)m, n);

usage:
	fputs("usage: [NOTIF_GAP_US=0..1000000] notif_floor "
	      "floor|mem|mem-cached|vm|loop|loop-getppid "
	      "CALLS\n",
	      stderr);
	return 2;
}
