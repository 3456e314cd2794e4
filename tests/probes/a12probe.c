/* SPDX-License-Identifier: Apache-2.0 */
/*
 * a12probe.c - attempts to act on, or learn about, a process outside the
 * sandbox (tests/integration/attack12.c).  Static.  Each prints "ok" or
 * "errno=ENAME" per call (probe_cmds.h) unless said otherwise.
 *
 *   signals PID PGID         kill, kill of the group, tkill, tgkill,
 *                            rt_sigqueueinfo, rt_tgsigqueueinfo, kill(-1),
 *                            each with a signal of its own (SIGUSR1,
 *                            SIGUSR2, SIGWINCH, SIGRTMIN+3, +1, +2,
 *                            SIGURG): one line each
 *   fown PID PGID DIR        the kernel's signals to a file's owner: a
 *                            pipe made O_ASYNC owned by PID (F_SETOWN),
 *                            by its thread (F_SETOWN_EX TID, F_SETSIG
 *                            SIGRTMIN+5), by the group (F_SETOWN -PGID),
 *                            then written; a directory notification
 *                            (F_NOTIFY on DIR, owner PID, F_SETSIG
 *                            SIGRTMIN+6) then a file made in DIR: the
 *                            F_SETOWN calls' results, one line each
 *   capget PID               capget of PID's sets: "ok EFFECTIVE" (hex)
 *   capget-race PID N        N capgets of our own sets (pid 0) while a
 *                            thread rewrites the header's pid to PID and
 *                            back: "leaked K", K of them that answered
 *                            a non-empty effective set (ours is empty)
 *   capget-child             capget of a child of ours: "ok EFFECTIVE"
 *   pidfd PID                pidfd_open(PID, PIDFD_THREAD), then with
 *                            PIDFD_NONBLOCK: one line each
 *   timer-tid TID            timer_create with SIGEV_THREAD_ID TID
 *   task PID                 open /proc/self/task/PID (a thread that is
 *                            not ours)
 *   own-lock FILE            flock of FILE (made), then whether our pid
 *                            is a holder's in /proc/locks: "found" or
 *                            "absent"
 *   peer PATH                a pidfd of the process listening at the unix
 *                            socket PATH (SO_PEERPIDFD), then on it:
 *                            pidfd_send_signal (SIGURG), pidfd_getfd,
 *                            process_madvise (MADV_COLD), process_mrelease,
 *                            waitid(P_PIDFD), PIDFD_GET_PID_NAMESPACE,
 *                            PIDFD_GET_INFO: one line each (the first
 *                            "errno=" when no pidfd was had)
 *   parent [orphan]          acts on our parent (sandlock's keeper, outside
 *                            the sandbox): kill (SIGURG), capget,
 *                            prlimit64, pidfd_open, getpgid,
 *                            sched_getaffinity, open of its /proc status;
 *                            one line each.  With "orphan", from a process
 *                            that left its session and lost its parent
 *                            (setsid, double fork): the keeper's orphan
 *   grep FILE WORD           "found" when a line of FILE holds WORD as a
 *                            whole field (spaces, ':' or tabs around
 *                            it), "absent" when not, or errno=
 *   cg-self PROCS THREADS    a second thread started, then whether our pid
 *                            is in PROCS and that thread's id in THREADS:
 *                            "found"/"absent"/errno= per line
 *   cg-race FILE WORD DECOY N  N opens of a path a second thread flips
 *                            between DECOY and FILE, each read whole:
 *                            "leaked K viewed V failed F", K reads that
 *                            held WORD as a line, V reads of a view (a
 *                            memfd), F opens that failed
 *   cg-opath PROCS PID       PROCS opened O_PATH, then read through
 *                            /proc/self/fd/N: "found"/"absent" for PID
 *   cg-ls DIR NAME           whether DIR lists NAME: "found"/"absent"
 *   cg-write PROCS           PROCS opened for writing
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_cmds.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

static siginfo_t user_info(int sig)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	return si;
}

static int cmd_signals(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	pid_t pid = atoi(argv[1]), pgid = atoi(argv[2]);
	siginfo_t a = user_info(SIGRTMIN + 1), b = user_info(SIGRTMIN + 2);
	probe_report(kill(pid, SIGUSR1));
	probe_report(kill(-pgid, SIGUSR2));
	probe_report(syscall(SYS_tkill, pid, SIGWINCH));
	probe_report(syscall(SYS_tgkill, pid, pid, SIGRTMIN + 3));
	probe_report(syscall(SYS_rt_sigqueueinfo, pid, SIGRTMIN + 1, &a));
	probe_report(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGRTMIN + 2, &b));
	/* SIGURG: ignored by default by whatever it reaches */
	probe_report(kill(-1, SIGURG));
	return 0;
}

/* A pipe whose read end is owned as set() says and made O_ASYNC, then
 * written: the kernel sends the owner SIGIO (or the F_SETSIG signal). */
static void pipe_owned(int cmd, const void *arg, int sig)
{
	int p[2];
	if (pipe(p) < 0) {
		probe_report(-1);
		return;
	}
	long r = fcntl(p[0], cmd, arg);
	if (r >= 0 && sig)
		r = fcntl(p[0], F_SETSIG, sig);
	if (r >= 0)
		r = fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK);
	probe_report(r);
	(void)!write(p[1], "x", 1);
	close(p[0]);
	close(p[1]);
}

static int cmd_fown(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	pid_t pid = atoi(argv[1]), pgid = atoi(argv[2]);
	struct f_owner_ex tid = {F_OWNER_TID, pid};
	pipe_owned(F_SETOWN, (void *)(intptr_t)pid, 0);
	pipe_owned(F_SETOWN_EX, &tid, SIGRTMIN + 5);
	pipe_owned(F_SETOWN, (void *)(intptr_t)-pgid, 0);
	int d = open(argv[3], O_RDONLY | O_DIRECTORY);
	long r = d < 0 ? -1 : fcntl(d, F_NOTIFY, DN_CREATE | DN_MULTISHOT);
	/* F_NOTIFY makes the caller the owner: moved to PID after it */
	if (r >= 0)
		r = fcntl(d, F_SETOWN, pid);
	if (r >= 0)
		r = fcntl(d, F_SETSIG, SIGRTMIN + 6);
	probe_report(r);
	char path[4096];
	snprintf(path, sizeof(path), "%s/made", argv[3]);
	int f = open(path, O_CREAT | O_WRONLY, 0600);
	if (f >= 0)
		close(f);
	return 0;
}

static void print_caps(pid_t pid)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, pid};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		printf("errno=%s\n", probe_errname(errno));
	else
		printf("ok %x\n", d[0].effective);
}

static int cmd_capget(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	print_caps(atoi(argv[1]));
	return 0;
}

static struct __user_cap_header_struct race_hdr;
static volatile int race_done;
static pid_t race_pid;

static void *flip_pid(void *arg)
{
	(void)arg;
	while (!race_done) {
		__atomic_store_n(&race_hdr.pid, race_pid, __ATOMIC_RELAXED);
		__atomic_store_n(&race_hdr.pid, 0, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int cmd_capget_race(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	race_pid = atoi(argv[1]);
	race_hdr.version = _LINUX_CAPABILITY_VERSION_3;
	int n = atoi(argv[2]), leaked = 0;
	pthread_t t;
	if (pthread_create(&t, NULL, flip_pid, NULL) != 0)
		return 1;
	for (int i = 0; i < n; i++) {
		struct __user_cap_data_struct d[2];
		memset(d, 0, sizeof(d));
		if (syscall(SYS_capget, &race_hdr, d) == 0 && d[0].effective)
			leaked++;
	}
	race_done = 1;
	pthread_join(t, NULL);
	printf("leaked %d\n", leaked);
	return 0;
}

static int cmd_capget_child(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t c = fork();
	if (c == 0) {
		close(p[1]);
		char x;
		(void)!read(p[0], &x, 1);
		_exit(0);
	}
	print_caps(c);
	close(p[1]);
	waitpid(c, NULL, 0);
	return 0;
}

static int cmd_pidfd(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pid_t pid = atoi(argv[1]);
	probe_report(syscall(SYS_pidfd_open, pid, PIDFD_THREAD));
	probe_report(syscall(SYS_pidfd_open, pid, PIDFD_NONBLOCK));
	return 0;
}

static int cmd_timer_tid(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGUSR1;
	ev._sigev_un._tid = atoi(argv[1]);
	timer_t t;
	probe_report(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &t));
	return 0;
}

static int cmd_task(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%s", argv[1]);
	probe_report(open(path, O_RDONLY | O_DIRECTORY));
	return 0;
}

static bool field_char(char c)
{
	return c == ' ' || c == '\t' || c == ':' || c == '\n' || c == 0;
}

static int cmd_grep(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		printf("errno=%s\n", probe_errname(errno));
		return 0;
	}
	char line[4096];
	size_t wl = strlen(argv[2]);
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		for (char *s = strstr(line, argv[2]); s && !found; s = strstr(s + 1, argv[2]))
			found = (s == line || field_char(s[-1])) && field_char(s[wl]);
	fclose(f);
	printf("%s\n", found ? "found" : "absent");
	return 0;
}

static int cmd_own_lock(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int fd = open(argv[1], O_RDWR | O_CREAT, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return 0;
	}
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	char *args[] = {"grep", "/proc/locks", pid, NULL};
	return cmd_grep(3, args);
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#define PIDFS_IOCTL(nr)	     _IO(0xFF, (nr))
#define A12_PIDFD_GET_PID_NS PIDFS_IOCTL(6)
#define A12_PIDFD_GET_INFO   _IOWR(0xFF, 11, struct a12_pidfd_info)
struct a12_pidfd_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};

static int cmd_peer(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	int pfd = -1;
	socklen_t len = sizeof(pfd);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockopt(s, SOL_SOCKET, SO_PEERPIDFD, &pfd, &len) < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return 0;
	}
	struct iovec iov = {&a, 4096};
	siginfo_t si;
	struct a12_pidfd_info info = {.mask = 1};
	probe_report(syscall(SYS_pidfd_send_signal, pfd, SIGURG, NULL, 0));
	probe_report(syscall(SYS_pidfd_getfd, pfd, 0, 0));
	probe_report(syscall(SYS_process_madvise, pfd, &iov, 1, MADV_COLD, 0));
	probe_report(syscall(SYS_process_mrelease, pfd, 0));
	probe_report(waitid(P_PIDFD, (id_t)pfd, &si, WEXITED | WNOHANG));
	probe_report(ioctl(pfd, A12_PIDFD_GET_PID_NS, 0));
	probe_report(ioctl(pfd, A12_PIDFD_GET_INFO, &info));
	return 0;
}

static void act_on_parent(void)
{
	pid_t pp = getppid();
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, pp};
	struct __user_cap_data_struct d[2];
	struct rlimit old;
	cpu_set_t set;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pp);
	probe_report(kill(pp, SIGURG));
	probe_report(syscall(SYS_capget, &h, d));
	probe_report(syscall(SYS_prlimit64, pp, RLIMIT_NOFILE, NULL, &old));
	probe_report(syscall(SYS_pidfd_open, pp, 0));
	probe_report(getpgid(pp));
	probe_report(sched_getaffinity(pp, sizeof(set), &set));
	probe_report(open(path, O_RDONLY));
}

static int cmd_parent(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "orphan")) {
		act_on_parent();
		return 0;
	}
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t first = getpid();
	pid_t c = fork();
	if (c == 0) {
		pid_t middle = getpid();
		setsid();
		if (fork() != 0)
			_exit(0);
		close(p[0]);
		/* reparented once the middle one has gone */
		while (getppid() == first || getppid() == middle)
			usleep(1000);
		act_on_parent();
		_exit(0);
	}
	close(p[1]);
	waitpid(c, NULL, 0);
	char x;
	(void)!read(p[0], &x, 1); /* EOF: the orphan is done */
	return 0;
}

/* Whether the text of fd holds word as a whole line; -errno on a
 * failed read. */
static int holds_line(int fd, const char *word)
{
	char buf[65536];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	size_t wl = strlen(word);
	for (char *s = strstr(buf, word); s; s = strstr(s + 1, word))
		if ((s == buf || s[-1] == '\n') && (s[wl] == '\n' || s[wl] == 0))
			return 1;
	return 0;
}

static void print_holds(const char *path, const char *word)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return;
	}
	printf("%s\n", holds_line(fd, word) ? "found" : "absent");
	close(fd);
}

static volatile pid_t cg_tid;
static volatile int cg_stop;

static void *cg_thread(void *arg)
{
	(void)arg;
	cg_tid = gettid();
	while (!cg_stop)
		usleep(1000);
	return NULL;
}

static int cmd_cg_self(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	pthread_t t;
	if (pthread_create(&t, NULL, cg_thread, NULL) != 0)
		return 1;
	while (!cg_tid)
		usleep(1000);
	char pid[16], tid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(tid, sizeof(tid), "%d", (int)cg_tid);
	print_holds(argv[1], pid);
	print_holds(argv[2], tid);
	cg_stop = 1;
	pthread_join(t, NULL);
	return 0;
}

static char cg_path[4096];
static const char *cg_names[2];

static void *cg_flip(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !cg_stop; i++)
		strcpy(cg_path, cg_names[i & 1]);
	return NULL;
}

static int cmd_cg_race(int argc, char **argv)
{
	if (argc < 5 || strlen(argv[1]) >= sizeof(cg_path) || strlen(argv[3]) >= sizeof(cg_path))
		return 2;
	cg_names[0] = argv[1];
	cg_names[1] = argv[3];
	strcpy(cg_path, argv[3]);
	pthread_t t;
	if (pthread_create(&t, NULL, cg_flip, NULL) != 0)
		return 1;
	long n = strtol(argv[4], NULL, 10), leaked = 0, viewed = 0, failed = 0;
	for (long i = 0; i < n; i++) {
		int fd = open(cg_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			failed++;
			continue;
		}
		struct stat st;
		/* the view is a memfd; the decoy a regular file on a disk */
		if (fstat(fd, &st) == 0 && st.st_nlink == 0)
			viewed++;
		leaked += holds_line(fd, argv[2]) == 1;
		close(fd);
	}
	cg_stop = 1;
	pthread_join(t, NULL);
	printf("leaked %ld viewed %ld failed %ld\n", leaked, viewed, failed);
	return 0;
}

static int cmd_cg_opath(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int o = open(argv[1], O_PATH | O_CLOEXEC);
	if (o < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return 0;
	}
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", o);
	print_holds(self, argv[2]);
	return 0;
}

static int cmd_cg_ls(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	DIR *d = opendir(argv[1]);
	if (!d) {
		printf("errno=%s\n", probe_errname(errno));
		return 0;
	}
	bool found = false;
	for (struct dirent *e; !found && (e = readdir(d));)
		found = !strcmp(e->d_name, argv[2]);
	closedir(d);
	printf("%s\n", found ? "found" : "absent");
	return 0;
}

static int cmd_cg_write(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		printf("errno=%s\n", probe_errname(errno));
	else
		printf("ok\n");
	return 0;
}

static const struct probe_cmd cmds[] = {
    {"signals", cmd_signals},
    {"fown", cmd_fown},
    {"capget", cmd_capget},
    {"capget-race", cmd_capget_race},
    {"capget-child", cmd_capget_child},
    {"pidfd", cmd_pidfd},
    {"timer-tid", cmd_timer_tid},
    {"task", cmd_task},
    {"grep", cmd_grep},
    {"own-lock", cmd_own_lock},
    {"peer", cmd_peer},
    {"parent", cmd_parent},
    {"cg-self", cmd_cg_self},
    {"cg-race", cmd_cg_race},
    {"cg-opath", cmd_cg_opath},
    {"cg-ls", cmd_cg_ls},
    {"cg-write", cmd_cg_write},
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "a12probe", argc, argv);
}
