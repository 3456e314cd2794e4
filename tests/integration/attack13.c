/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack13.c - the cgroup view's pid lists reached other ways: through
 * each name an fd gives, a grant inside the cgroup mount itself, a bind
 * mount of a cgroup directory in a granted tree (a name the mount table
 * escapes), a list bind-mounted by itself as a file of another name, a
 * cgroup mount the host makes after the sandbox started; and what must
 * still work (a cgroup's other files read as the host's).  An outsider is
 * a process of ours outside the sandbox, in our cgroup.
 */
#include "common.h"

#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir_of(const char *path)
{
	char *dir = tc_fmt("%s", path);
	*strrchr(dir, '/') = 0;
	return dir;
}

/* The thread list beside a cgroup.procs: cgroup.threads (v2) or tasks
 * (v1). */
static char *threads_beside(const char *procs)
{
	char *v2 = tc_path(dir_of(procs), "cgroup.threads");
	return tc_exists(v2) ? v2 : tc_path(dir_of(procs), "tasks");
}

/* A mount namespace of the test's own, its mounts private: what it
 * mounts goes with it. */
static void private_mounts(void)
{
	if (getuid() != 0)
		SKIP("needs root to bind-mount");
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
}

/* The race of a path flipped between list and a decoy, in a sandbox
 * reading grant: never a read of the real list. */
static void race_never_leaks(const char *grant, const char *list, pid_t v)
{
	char *decoy = tc_path(tc_mkdir("decoy"), "plain");
	tc_write_file(decoy, "1\n", 0644);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), grant);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, decoy));
	char *out = tc_named_in(p, "a12probe", "cg-race", list, tc_itoa(v), decoy, "2000", NULL);
	tc_outsider_end(v);
	long leaked = -1, viewed = -1;
	CHECK_EQ(sscanf(out, "leaked %ld viewed %ld", &leaked, &viewed), 2);
	CHECK_EQ(leaked, 0L);
	CHECK(viewed > 0); /* the race ran: some opens did land on the list */
}

/* The list reopened through an O_PATH fd of it (/proc/self/fd,
 * thread-self, /proc/PID/fd, the task's fd link with O_NOFOLLOW), from
 * a directory fd of its cgroup (read and O_PATH), through
 * /proc/self/root, through a directory fd's link, from a working
 * directory entered by fchdir with O_CREAT: never the outsider. */
TEST(attack13_cgroup_list_through_every_fd_name)
{
	pid_t v = tc_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		tc_outsider_end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/sys/fs/cgroup"));
	char *out = tc_named_in(p, "a13probe", "links", procs, tc_itoa(v), NULL);
	char *threads =
	    tc_named_in(p, "a13probe", "links", threads_beside(procs), tc_itoa(v), NULL);
	tc_outsider_end(v);
	CHECK_EQ(tc_nlines(out), 9);
	CHECK(strstr(out, "found") == NULL);
	CHECK(strstr(threads, "found") == NULL);
	CHECK(strstr(out, "absent") != NULL);	       /* some did read the view */
	CHECK(!strncmp(tc_line(out, 3), "errno=", 6)); /* O_NOFOLLOW: the magic link itself */
}

/* The same where pidfd_getfd is refused (Docker's default profile): the
 * supervisor reaches the child's fds another way, or refuses; never the
 * outsider. */
TEST(attack13_cgroup_list_through_fd_names_without_pidfd_getfd)
{
	pid_t v = tc_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		tc_outsider_end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	tc_refuse_pidfd_getfd();
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/sys/fs/cgroup"));
	char *out = tc_named_in(p, "a13probe", "links", procs, tc_itoa(v), NULL);
	char *own = tc_named_in(p, "a12probe", "grep", procs, tc_itoa(v), NULL);
	tc_outsider_end(v);
	CHECK_EQ(tc_nlines(out), 9);
	CHECK(strstr(out, "found") == NULL);
	CHECK_STR(tc_line(own, 0), "absent");
}

/* A grant of the cgroup's own directory, inside the cgroup mount: the
 * mount's floor holds beneath it too (a rewritten path meets Landlock's
 * refusal). */
TEST(attack13_cgroup_grant_inside_the_mount_race)
{
	pid_t v = tc_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		tc_outsider_end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	race_never_leaks(dir_of(procs), procs, v);
}

/* A bind mount of the cgroup's directory in a granted tree, at a name
 * the mount table escapes (a space, a newline): found there and hidden
 * like the mount it comes from. */
TEST(attack13_cgroup_bind_mount_in_a_granted_tree_race)
{
	private_mounts();
	pid_t v = tc_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		tc_outsider_end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	char *tree = tc_mkdir("tree");
	char *at = tc_path(tree, "a b\nc");
	CHECK_EQ(mkdir(at, 0755), 0);
	CHECK_EQ(mount(dir_of(procs), at, NULL, MS_BIND, NULL), 0);
	race_never_leaks(tree, tc_path(at, "cgroup.procs"), v);
}

/*
 * A pid list bind-mounted by itself on a file of a granted tree: the
 * kernel prints its name as the mount point's ("file", or a cgroup's
 * memory.max it was mounted over), so told by name it was not a list and
 * was served whole.  Fixed: a cgroup file that is a mount's root is
 * refused (EACCES); the list at its own name is still the view.
 */
TEST(attack13_cgroup_list_bind_mounted_as_a_file_refused)
{
	private_mounts();
	pid_t v = tc_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		tc_outsider_end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	char *tree = tc_mkdir("tree");
	char *file = tc_path(tree, "file"), *tasks = tc_path(tree, "tasks2");
	tc_write_file(file, "", 0644);
	tc_write_file(tasks, "", 0644);
	CHECK_EQ(mount(procs, file, NULL, MS_BIND, NULL), 0);
	CHECK_EQ(mount(threads_beside(procs), tasks, NULL, MS_BIND, NULL), 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), tree);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, "/sys/fs/cgroup"));
	char *a = tc_named_in(p, "a12probe", "grep", file, tc_itoa(v), NULL);
	char *t = tc_named_in(p, "a12probe", "grep", tasks, tc_itoa(v), NULL);
	char *own = tc_named_in(p, "a12probe", "grep", procs, tc_itoa(v), NULL);
	tc_outsider_end(v);
	CHECK_STR(tc_line(a, 0), "errno=EACCES");
	CHECK_STR(tc_line(t, 0), "errno=EACCES");
	CHECK_STR(tc_line(own, 0), "absent");
}

/*
 * A cgroup mount the host makes in a granted tree after the sandbox
 * started: Landlock's rule on the tree covers it (rules are on inodes;
 * the floor was planned from the mount table at the start), so an open
 * the supervisor continues because its path named a plain file when it
 * was checked, rewritten by another thread to the list before the kernel
 * reads it, reads the real list.
 * Known hole: closing it takes noticing the mount table's change (poll
 * on /proc/self/mountinfo) and either stopping the sandbox or making
 * every open the supervisor's; neither is small.
 */
TEST(attack13_cgroup_mount_made_after_start)
{
	TC_KNOWN_HOLE("a procfs or cgroup mount the host makes in a granted tree after the start");
	private_mounts();
	pid_t v = tc_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		tc_outsider_end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	char *tree = tc_mkdir("late"), *at = tc_path(tree, "cg");
	CHECK_EQ(mkdir(at, 0755), 0);
	char *ready = tc_path(tc_mkdir("ready"), "now");
	char *decoy = tc_path(tc_mkdir("decoy"), "plain");
	tc_write_file(decoy, "1\n", 0644);
	pid_t host = fork();
	CHECK(host >= 0);
	if (host == 0) {
		for (int i = 0; i < 2000 && !tc_exists(ready); i++)
			usleep(10000);
		_exit(mount(dir_of(procs), at, NULL, MS_BIND, NULL) == 0 ? 0 : 1);
	}
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), tree);
	b = sandlock_sandbox_builder_fs_read(b, decoy);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(b, dir_of(ready)));
	char *out = tc_named_in(p, "a13probe", "late", tc_path(at, "cgroup.procs"), tc_itoa(v),
				decoy, "2000", ready, NULL);
	int st = -1;
	waitpid(host, &st, 0);
	tc_outsider_end(v);
	CHECK_EQ(st, 0);
	long leaked = -1, viewed = -1;
	CHECK_EQ(sscanf(out, "leaked %ld viewed %ld", &leaked, &viewed), 2);
	CHECK_EQ(leaked, 0L);
}

/* The outsider moved into a cgroup whose path is longer than PATH_MAX
 * (made as root beside ours): the kernel cannot print the list's name,
 * so which file it is cannot be told: refused, never served whole. */
#define DEEP_LEVELS 22
TEST(attack13_cgroup_list_past_path_max_refused)
{
	if (getuid() != 0)
		SKIP("needs root to make cgroups");
	pid_t v = tc_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	if (!procs) {
		tc_outsider_end(v);
		SKIP("no cgroup.procs of ours lists our processes");
	}
	char name[201];
	memset(name, 'd', 200);
	name[200] = 0;
	char *dir = dir_of(procs), *at = dir;
	int made = 0;
	while (made < DEEP_LEVELS) {
		char *next = tc_path(at, tc_fmt("%.*s%d", 190, name, (int)getpid()));
		if (strlen(next) >= 4000 || mkdir(next, 0755) < 0)
			break; /* past what a path names: the rest below by fd */
		at = next;
		made++;
	}
	int fd = open(at, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	const char *sub = tc_fmt("%.*s%d", 190, name, (int)getpid());
	int deep = 0;
	for (int i = made; fd >= 0 && i < DEEP_LEVELS; i++, deep++) {
		if (mkdirat(fd, sub, 0755) < 0)
			break;
		int next = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	bool moved = fd >= 0 && made + deep == DEEP_LEVELS;
	if (moved) {
		int w = openat(fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		moved = w >= 0 && dprintf(w, "%d\n", (int)v) > 0;
		if (w >= 0)
			close(w);
	}
	char *out = NULL;
	if (moved) {
		sandlock_sandbox_t *p =
		    tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/sys/fs/cgroup"));
		out = tc_named_in(p, "a13probe", "deep", dir, sub, tc_itoa(DEEP_LEVELS), tc_itoa(v),
				  NULL);
	}
	tc_outsider_end(v); /* the deep cgroup empty: removable */
	if (fd >= 0)
		close(fd);
	for (int i = DEEP_LEVELS; i > 0; i--) {
		char *path = tc_fmt("%s", dir);
		int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		for (int k = 1; dfd >= 0 && k < i; k++) {
			int next = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			close(dfd);
			dfd = next;
		}
		if (dfd >= 0) {
			unlinkat(dfd, sub, AT_REMOVEDIR);
			close(dfd);
		}
	}
	CHECK(moved);
	CHECK_EQ(tc_nlines(out), 3);
	CHECK(strstr(out, "found") == NULL);
	CHECK(strstr(out, "errno=EACCES") != NULL);
}

/* fstype of the mount at path is type, or one is mounted there now
 * (in the test's own mount namespace): false when neither. */
static bool mounted_here(const char *path, const char *type)
{
	char *info = tc_read_file("/proc/self/mountinfo");
	if (info && strstr(info, tc_fmt(" %s ", path)) &&
	    strstr(strstr(info, tc_fmt(" %s ", path)), tc_fmt(" - %s ", type)))
		return true;
	return mount("none", path, type, 0, NULL) == 0;
}

/*
 * debugfs's sched/debug lists every task of the host (comm and pid),
 * tracefs's trace, saved_cmdlines and saved_tgids the pids of the tasks
 * traced; uid 0 reads them (mode 0700), so a sandbox started as root
 * with /sys granted read them through the grant, as it would
 * cgroup.procs.  Fixed: debugfs and tracefs mounts get no Landlock right
 * (the directories above them listing only), their files EACCES; the
 * rest of /sys reads and lists as before.
 */
TEST(attack13_debugfs_and_tracefs_task_lists_refused)
{
	private_mounts();
	if (!mounted_here("/sys/kernel/debug", "debugfs") ||
	    !mounted_here("/sys/kernel/tracing", "tracefs"))
		SKIP("cannot mount debugfs and tracefs");
	if (!tc_exists("/sys/kernel/debug/sched/debug"))
		SKIP("no /sys/kernel/debug/sched/debug");
	pid_t v = tc_outsider(NULL);
	char *host = tc_read_file("/sys/kernel/debug/sched/debug");
	bool listed = host && strstr(host, tc_fmt(" %d ", (int)v));
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/sys"));
	char *sched =
	    tc_named_in(p, "a12probe", "grep", "/sys/kernel/debug/sched/debug", tc_itoa(v), NULL);
	char *trace = tc_named_in(p, "a12probe", "grep", "/sys/kernel/tracing/README", "x", NULL);
	char *ls = tc_named_in(p, "a12probe", "cg-ls", "/sys/kernel", "mm", NULL);
	char *mm = tc_named_in(p, "a12probe", "grep", "/sys/kernel/mm/transparent_hugepage/enabled",
			       "x", NULL);
	tc_outsider_end(v);
	CHECK(listed); /* the host's file does list the outsider */
	CHECK_STR(tc_line(sched, 0), "errno=EACCES");
	CHECK_STR(tc_line(trace, 0), "errno=EACCES");
	CHECK_STR(tc_line(ls, 0), "found");
	CHECK_STR(tc_line(mm, 0), "absent"); /* read: no line "x" */
}

/*
 * A POSIX message queue's file (an mqueue mount, /dev/mqueue on most
 * hosts, in a granted tree) reads NOTIFY_PID, the process that
 * registered for its notification: an outsider's pid, to any sandbox
 * its mode lets read it (0644), as root and as any user.  Fixed: an
 * mqueue mount gets no Landlock right (EACCES).
 */
TEST(attack13_mqueue_notify_pid_refused)
{
	private_mounts();
	char *tree = tc_mkdir("tree"), *at = tc_path(tree, "mq");
	CHECK_EQ(mkdir(at, 0755), 0);
	if (mount("none", at, "mqueue", 0, NULL) < 0)
		SKIP("cannot mount mqueue: %s", strerror(errno));
	char *name = tc_fmt("/atk13-%d", (int)getpid());
	int p[2];
	CHECK(pipe(p) == 0);
	pid_t v = fork();
	CHECK(v >= 0);
	if (v == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGUSR1, SIG_IGN);
		mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0644, NULL);
		struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
		if (q < 0 || mq_notify(q, &ev) < 0)
			_exit(1);
		(void)!write(p[1], "r", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	char c;
	bool ready = read(p[0], &c, 1) == 1;
	close(p[0]);
	char *file = tc_path(at, name + 1);
	char *host = ready ? tc_read_file(file) : NULL;
	/* the tree holding the mount (a grant of the mount itself is refused) */
	sandlock_sandbox_t *sb = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), tree));
	char *out =
	    ready ? tc_named_in(sb, "a12probe", "grep", file, tc_fmt("NOTIFY_PID:%d", (int)v), NULL)
		  : NULL;
	kill(v, SIGKILL);
	waitpid(v, NULL, 0);
	mq_unlink(name);
	CHECK(ready);
	CHECK(host && strstr(host, tc_fmt("NOTIFY_PID:%d", (int)v))); /* the host's tells */
	CHECK_STR(tc_line(out, 0), "errno=EACCES");
}

/* A grant of such a mount itself (or of a tree inside it) is refused at
 * the start, naming it, rather than left to fail at each open; a grant
 * holding one (/sys) is not. */
/* The start's refusal of p (its message); fails the test if it ran. */
static const char *refused(sandlock_builder_t *b)
{
	sandlock_sandbox_t *p = tc_build(b);
	const char *argv[] = {"/bin/true", NULL};
	sandlock_result_t *r = sandlock_run(p, NULL, argv, 1);
	if (r)
		th_fail(__FILE__, __LINE__, "the sandbox started");
	return sandlock_last_error();
}

TEST(attack13_grant_of_an_unserved_mount_refused)
{
	private_mounts();
	char *mq = tc_mkdir("mq");
	if (!mounted_here("/sys/kernel/tracing", "tracefs") ||
	    mount("none", mq, "mqueue", 0, NULL) < 0)
		SKIP("cannot mount tracefs and mqueue");
	CHECK_CONTAINS(
	    refused(sandlock_sandbox_builder_fs_read(tc_builder(), "/sys/kernel/tracing")),
	    "fs_read /sys/kernel/tracing: the tree is in /sys/kernel/tracing (tracefs)");
	CHECK_CONTAINS(refused(sandlock_sandbox_builder_fs_read(tc_builder(), mq)), "(mqueue)");
	CHECK_CONTAINS(refused(sandlock_sandbox_builder_fs_write(tc_builder(), mq)), "(mqueue)");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/sys"));
	CHECK_STR(tc_line(tc_named_in(p, "a12probe", "cg-ls", "/sys", "kernel", NULL), 0), "found");
}

/* What must still work: a cgroup's files other than its lists read as
 * the host's, under a grant of /sys or of the whole filesystem. */
TEST(attack13_cgroup_other_files_read_as_the_host)
{
	pid_t v = tc_outsider(NULL);
	char *procs = tc_cgroup_procs(v);
	tc_outsider_end(v);
	if (!procs)
		SKIP("no cgroup.procs of ours lists our processes");
	const char *names[] = {"cgroup.controllers", "notify_on_release", "cgroup.clone_children"};
	char *file = NULL;
	for (size_t i = 0; !file && i < sizeof(names) / sizeof(names[0]); i++)
		if (tc_exists(tc_path(dir_of(procs), names[i])))
			file = tc_path(dir_of(procs), names[i]);
	if (!file)
		SKIP("no plain file beside our cgroup.procs");
	char *host = tc_read_file(file);
	CHECK(host != NULL);
	const char *grants[] = {"/sys", "/"};
	for (int i = 0; i < 2; i++) {
		sandlock_sandbox_t *p =
		    tc_build(sandlock_sandbox_builder_fs_read(tc_builder_sys(), grants[i]));
		struct tc_res r = tc_run(p, NULL, "/bin/cat", file, NULL);
		CHECK_EQ(r.code, 0);
		CHECK_STR(r.out, host);
	}
}
