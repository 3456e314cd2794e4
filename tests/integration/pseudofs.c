/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pseudofs.c - what no grant makes reachable: writes to kernel pseudo
 * filesystems (a write grant on /proc or inside it is refused; one that
 * holds it, -w /, leaves it read-only, wherever it is mounted), and, for
 * a sandbox started as root, device nodes other than null, zero, full,
 * random, urandom, tty, ptmx and the pts terminals (refused when named, left out of
 * the trees that hold them).  Unprivileged, the device rules change
 * nothing: the same policies behave as before (the permission bits
 * decide).
 *
 * The probe is tests/probes/fsprobe.c: with / writable, it only tries
 * the forbidden writes and writes inside the test's temp dir.
 */
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *fsprobe(void)
{
	static char *p;
	if (!p)
		p = tc_path(tc_probe_dir(), "fsprobe");
	return p;
}

/* Runs `fsprobe seq CMDS...` in the sandbox; its stdout, or the test
 * fails. */
static char *fsprobe_in(const sandlock_sandbox_t *p, const char *first, ...)
{
	const char *argv[64] = {fsprobe(), "seq"};
	int n = 2;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && n < 63; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	struct tc_res r = tc_runv(p, NULL, argv);
	if (r.status != SANDLOCK_STATUS_EXITED || r.code != 0)
		th_fail(__FILE__, __LINE__, "fsprobe: status %d code %d, out \"%s\" err \"%s\"",
			r.status, r.code, r.out, r.err);
	return r.out;
}

/* fsprobe outside any sandbox: its one line. */
static char *fsprobe_out(const char *cmd, const char *arg)
{
	char *const argv[] = {(char *)fsprobe(), (char *)cmd, (char *)arg, NULL};
	char *out = NULL;
	th_run(argv, NULL, &out, NULL);
	return tc_line(out, 0);
}

/* The start of a sandbox for p is refused: the library's message. */
static const char *refused(const sandlock_sandbox_t *p)
{
	const char *argv[] = {fsprobe(), "read", "/dev/null", NULL};
	sandlock_result_t *r = sandlock_run(p, NULL, argv, 3);
	if (r) {
		struct tc_res res = tc_result(r);
		th_fail(__FILE__, __LINE__, "the sandbox started (out \"%s\")", res.out);
	}
	return sandlock_last_error();
}

/* A process outside the sandbox, of the test's uid. */
static pid_t outsider(void)
{
	pid_t v = fork();
	CHECK(v >= 0);
	if (v == 0)
		for (;;)
			pause();
	return v;
}

static void end(pid_t v)
{
	kill(v, SIGKILL);
	waitpid(v, NULL, 0);
}

static char *oom_adj(pid_t v)
{
	char *s = tc_read_file(tc_fmt("/proc/%d/oom_score_adj", (int)v));
	CHECK(s != NULL);
	s[strcspn(s, "\n")] = 0;
	return s;
}

/* The first block device node in /dev, or NULL. */
static char *block_device(dev_t *rdev)
{
	DIR *d = opendir("/dev");
	if (!d)
		return NULL;
	struct dirent *e;
	char *found = NULL;
	while (!found && (e = readdir(d))) {
		char *p = tc_path("/dev", e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISBLK(st.st_mode)) {
			found = p;
			if (rdev)
				*rdev = st.st_rdev;
		}
	}
	closedir(d);
	return found;
}

/* The first of these files that exists, or NULL. */
static const char *first_existing(const char *const *paths)
{
	for (; *paths; paths++)
		if (tc_exists(*paths))
			return *paths;
	return NULL;
}

/* ---- pseudo filesystems ------------------------------------------------- */

#define WHY                                                                                        \
	"where writes act on other processes and the kernel; grant the directories the "           \
	"command writes instead"

/* A write grant on /proc, or inside it, is refused, naming the mount and
 * its type; through the CLI too. */
TEST(pseudofs_write_grant_on_proc_refused)
{
	CHECK_STR(refused(tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/proc"))),
		  "fs_write /proc: the tree is /proc (proc), " WHY);
	CHECK_STR(refused(tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/proc/sys"))),
		  "fs_write /proc/sys: the tree is inside /proc (proc), " WHY);
	/* /proc/self, through a symlink: the tree it names is in /proc. */
	CHECK_CONTAINS(
	    refused(tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/proc/self"))),
	    "the tree is inside /proc (proc)");
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "-w", "/proc", "--", fsprobe(),
			    "read", "/proc/self/status", NULL);
	CHECK(rc != 0);
	CHECK_CONTAINS(err, "fs_write /proc: the tree is /proc (proc), " WHY);
}

TEST(pseudofs_write_grant_on_sys_refused)
{
	if (!tc_exists("/sys/kernel"))
		SKIP("no /sys/kernel");
	CHECK_STR(refused(tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/sys/kernel"))),
		  "fs_write /sys/kernel: the tree is inside /sys (sysfs), where writes act on the "
		  "kernel and its devices; grant the directories the command writes instead");
}

/*
 * -w /: the whole tree is writable but /proc and /sys: the outside
 * process's oom_score_adj and the sandbox's own (Landlock cannot tell
 * /proc/self from another pid), sysctls, sysfs attributes and cgroups.
 * They stay readable, and the ordinary files under / stay writable.
 */
TEST(pseudofs_write_root_leaves_proc_sys_read_only)
{
	pid_t v = outsider();
	char *before = oom_adj(v);
	char *w = tc_mkdir("w"), *existing = tc_path(w, "existing");
	tc_write_file(existing, "old\n", 0644);
	static const char *const sysfs[] = {"/sys/kernel/mm/transparent_hugepage/enabled",
					    "/sys/power/state", "/sys/kernel/uevent_helper",
					    "/sys/kernel/profiling", NULL};
	static const char *const cgroup[] = {
	    "/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/pids/cgroup.procs",
	    "/sys/fs/cgroup/memory/cgroup.procs", "/sys/fs/cgroup/unified/cgroup.procs", NULL};
	const char *sys = first_existing(sysfs), *cg = first_existing(cgroup);
	char *blk = block_device(NULL);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/"));
	char *out =
	    fsprobe_in(p, tc_fmt("write /proc/%d/oom_score_adj 1000", (int)v),	      /* 0 */
		       "write /proc/self/oom_score_adj 1000",			      /* 1 */
		       "open-w /proc/sys/vm/overcommit_memory",			      /* 2 */
		       tc_fmt("open-w %s", sys ? sys : "/sys/none"),		      /* 3 */
		       tc_fmt("open-w %s", cg ? cg : "/sys/none"),		      /* 4 */
		       "read /proc/self/status", "ls /proc", "ls /sys",		      /* 5, 6, 7 */
		       tc_fmt("create %s/new", w), tc_fmt("write %s more", existing), /* 8, 9 */
		       tc_fmt("mkdir %s/sub", w), "write /dev/null x",		      /* 10, 11 */
		       tc_fmt("read %s", blk ? blk : "/dev/none"), NULL);	      /* 12 */
	char *after = oom_adj(v);
	end(v);
	CHECK_LINE(out, 0, "errno=ENOENT"); /* the proc view: an outside process is not there */
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "errno=EACCES");
	CHECK_LINE(out, 3, sys ? "errno=EACCES" : "errno=ENOENT");
	CHECK_LINE(out, 4, cg ? "errno=EACCES" : "errno=ENOENT");
	CHECK_LINE(out, 5, "ok");
	CHECK_LINE(out, 6, "ok");
	CHECK_LINE(out, 7, "ok");
	CHECK_LINE(out, 8, "ok");
	CHECK_LINE(out, 9, "ok");
	CHECK_LINE(out, 10, "ok");
	CHECK_LINE(out, 11, "ok");
	/* A block device: as root no grant reaches it; unprivileged its
	 * permission bits refuse it, as before. */
	CHECK_LINE(out, 12, blk ? "errno=EACCES" : "errno=ENOENT");
	CHECK_STR(after, before);
	CHECK_STR(tc_read_file(tc_path(w, "new")), "new\n");
	CHECK_STR(tc_read_file(existing), "more"); /* written over from the start */
}

/* A procfs mounted somewhere else inside a write grant is found in the
 * mount table: read-only there too, as is a bind mount of /proc/sys. */
TEST(pseudofs_proc_mounted_in_granted_tree)
{
	if (!th_root())
		SKIP("needs root to mount");
	char *w = tc_mkdir("w"), *pr = tc_mkdir("w/p"), *sys = tc_mkdir("w/sys");
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	CHECK_EQ(mount("proc", pr, "proc", 0, NULL), 0);
	CHECK_EQ(mount("/proc/sys", sys, NULL, MS_BIND, NULL), 0);
	pid_t v = outsider();
	char *before = oom_adj(v);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), w));
	char *out = fsprobe_in(p, tc_fmt("write %s/%d/oom_score_adj 1000", pr, (int)v),
			       tc_fmt("open-w %s/vm/overcommit_memory", sys),
			       tc_fmt("read %s/self/status", pr), tc_fmt("create %s/new", w), NULL);
	char *after = oom_adj(v);
	end(v);
	CHECK_LINE(out, 0, "errno=ENOENT"); /* the proc view: an outside process is not there */
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "ok");
	CHECK_LINE(out, 3, "errno=EACCES"); /* w holds a mount that allows less: see the docs */
	CHECK_STR(after, before);
	/* A write grant on the mount itself is refused. */
	CHECK_CONTAINS(refused(tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), pr))),
		       tc_fmt("fs_write %s: the tree is %s (proc)", pr, pr));
}

/* ---- devices ------------------------------------------------------------ */

/* -r /dev: as root, a block device stays closed while null, zero and
 * urandom work; unprivileged, the same (the permission bits decide). */
TEST(devices_dev_read_grant)
{
	char *blk = block_device(NULL);
	if (!blk)
		SKIP("no block device in /dev");
	if (th_root())
		CHECK_STR(fsprobe_out("read", blk), "ok"); /* it could be read outside */
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/dev"));
	char *out = fsprobe_in(p, tc_fmt("read %s", blk), "read /dev/null", "read /dev/zero",
			       "read /dev/urandom", "ls /dev", "ls /dev/pts", NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "ok");
	CHECK_LINE(out, 2, "ok");
	CHECK_LINE(out, 3, "ok");
	CHECK_LINE(out, 4, "ok");
	CHECK_LINE(out, 5, "ok");
}

/* Naming a block device: refused as root, with the reason; unprivileged
 * it starts as before, and the device's permission bits refuse it. */
TEST(devices_explicit_grant)
{
	dev_t rdev;
	char *blk = block_device(&rdev);
	if (!blk)
		SKIP("no block device in /dev");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), blk));
	if (th_root()) {
		CHECK_STR(
		    refused(p),
		    tc_fmt("fs_read %s: a block device (%u:%u), and the sandbox runs as root: "
			   "uid 0 passes its permission bits without any capability, and a "
			   "device reaches data beneath every Landlock rule; as root, only "
			   "null, zero, full, random, urandom, tty, ptmx and the terminal "
			   "sandlock runs on are granted",
			   blk, major(rdev), minor(rdev)));
	} else {
		CHECK_LINE(fsprobe_in(p, tc_fmt("read %s", blk), NULL), 0, "errno=EACCES");
	}
	/* The safe ones stay grantable. */
	p = tc_build(sandlock_sandbox_builder_fs_write(
	    sandlock_sandbox_builder_fs_read(tc_builder(), "/dev/zero"), "/dev/null"));
	char *out = fsprobe_in(p, "read /dev/zero", "write /dev/null x", NULL);
	CHECK_LINE(out, 0, "ok");
	CHECK_LINE(out, 1, "ok");
}

/*
 * Device nodes made outside the sandbox (as root, in a tmpfs: device
 * nodes live in devtmpfs and tmpfs) in a granted directory: the block
 * devices get nothing, at any depth; an allowed node and the files beside
 * them keep the grant.  Under a write grant, the directory holding a
 * device gets no right to create entries (the cost, see the docs).
 */
TEST(devices_root_private_node)
{
	if (!th_root())
		SKIP("needs root to make device nodes");
	dev_t rdev;
	if (!block_device(&rdev))
		SKIP("no block device in /dev to copy");
	char *dir = tc_mkdir("devs");
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	CHECK_EQ(mount("tmpfs", dir, "tmpfs", 0, "mode=0755"), 0);
	char *blk = tc_path(dir, "blk"), *nul = tc_path(dir, "nul"), *file = tc_path(dir, "file");
	char *sub = tc_mkdir("devs/sub"), *deep = tc_path(sub, "blk2"), *clean = tc_mkdir("devs/c");
	CHECK_EQ(mknod(blk, S_IFBLK | 0600, rdev), 0);
	CHECK_EQ(mknod(deep, S_IFBLK | 0600, rdev), 0);
	CHECK_EQ(mknod(nul, S_IFCHR | 0666, makedev(1, 3)), 0);
	tc_write_file(file, "data\n", 0644);
	CHECK_STR(fsprobe_out("read", blk), "ok"); /* it can be opened outside */

	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), dir));
	char *out =
	    fsprobe_in(p, tc_fmt("read %s", blk), tc_fmt("read %s", deep), tc_fmt("read %s", nul),
		       tc_fmt("read %s", file), tc_fmt("ls %s", dir), tc_fmt("ls %s", sub), NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "ok");
	CHECK_LINE(out, 3, "ok");
	CHECK_LINE(out, 4, "ok");
	CHECK_LINE(out, 5, "ok");

	p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), dir));
	out = fsprobe_in(p, tc_fmt("open-w %s", blk), tc_fmt("read %s", deep),
			 tc_fmt("write %s x", file), tc_fmt("write %s x", nul),
			 tc_fmt("create %s/new", clean), tc_fmt("create %s/new", dir), NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "ok");
	CHECK_LINE(out, 3, "ok");
	CHECK_LINE(out, 4, "ok");
	CHECK_LINE(out, 5, "errno=EACCES");
}

/* Another session's terminal (here a pty the test opens, as an admin's
 * ssh session would hold one): as root, uid 0 owns it and could read the
 * keystrokes typed there; under -w /dev it stays closed, and naming it is
 * refused, while /dev/pts lists and ptmx opens.  Unprivileged, the
 * permission bits decide (this pty is the test's own: it opens). */
TEST(devices_other_terminal_closed_to_root)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0)
		SKIP("no pty: %s", strerror(errno));
	const char *pts = ptsname(m);
	CHECK(pts != NULL);
	char *path = tc_fmt("%s", pts);
	CHECK_STR(fsprobe_out("open-w", path), "ok"); /* it opens outside */
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/dev"));
	char *out = fsprobe_in(p, tc_fmt("open-w %s", path), "ls /dev/pts", "open-w /dev/ptmx",
			       "open-w /dev/null", NULL);
	CHECK_LINE(out, 0, th_root() ? "errno=EACCES" : "ok");
	CHECK_LINE(out, 1, "ok");
	CHECK_LINE(out, 2, "ok");
	CHECK_LINE(out, 3, "ok");
	sandlock_sandbox_t *named = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), path));
	if (th_root())
		CHECK_CONTAINS(refused(named), "the terminal sandlock runs on are granted");
	close(m);
}

/* A granted path swapped while the sandbox is built: x flips between a
 * symlink to an empty directory and one to /dev, as fast as rename goes.
 * The checks (no device under x) and the Landlock rule must be about the
 * same object, whichever it was: as root, a block device is never
 * reachable through x (when x named /dev at the check, its devices were
 * looked for; when it named the empty directory, the rule names it). */
TEST(devices_grant_swapped_during_build)
{
	if (!th_root())
		SKIP("needs root (devices are root's only)");
	char *blk = block_device(NULL);
	if (!blk)
		SKIP("no block device in /dev");
	char *safe = tc_mkdir("swap-safe"), *x = tc_path(safe, "../swap-x");
	char *l1 = tc_path(safe, "../swap-l1"), *l2 = tc_path(safe, "../swap-l2");
	CHECK(symlink(safe, x) == 0);
	pid_t flipper = fork();
	CHECK(flipper >= 0);
	if (flipper == 0)
		for (;;) {
			if (symlink("/dev", l1) == 0)
				rename(l1, x);
			if (symlink(safe, l2) == 0)
				rename(l2, x);
		}
	char *probe = tc_fmt("read %s/%s", x, strrchr(blk, '/') + 1);
	int reached = 0, ran = 0;
	for (int i = 0; i < 150 && !reached; i++) {
		sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), x));
		const char *argv[] = {fsprobe(), "seq", probe, NULL};
		sandlock_result_t *r = sandlock_run(p, NULL, argv, 3);
		if (r) { /* a start refused (x vanished mid-rename) proves nothing */
			struct tc_res res = tc_result(r);
			ran++;
			reached += res.out && !strcmp(tc_line(res.out, 0), "ok");
		}
		sandlock_sandbox_free(p);
	}
	end(flipper);
	CHECK(ran > 0);
	CHECK_EQ(reached, 0);
}

/* As root under -r /dev, the character devices outside the safe set stay
 * closed: the kernel log, the console, a virtual terminal (and memory,
 * where the kernel has those nodes). */
TEST(devices_char_nodes_closed_to_root)
{
	if (!th_root())
		SKIP("needs root (devices are root's only)");
	const char *nodes[] = {"/dev/kmsg", "/dev/console", "/dev/tty1", "/dev/mem", "/dev/port"};
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/dev"));
	int tried = 0;
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		if (!tc_exists(nodes[i]))
			continue;
		char *out = fsprobe_in(p, tc_fmt("read %s", nodes[i]), NULL);
		if (strcmp(tc_line(out, 0), "errno=EACCES") != 0)
			th_fail(__FILE__, __LINE__, "%s: %s", nodes[i], out);
		tried++;
	}
	if (!tried)
		SKIP("none of these nodes exists here");
}

/* A device bind-mounted onto a file of a disk filesystem (which is not
 * searched) is found by its mount: as root, a grant holding it reaches
 * everything but that file. */
TEST(devices_bind_mounted_device_file)
{
	if (!th_root())
		SKIP("needs root to mount");
	char *blk = block_device(NULL);
	if (!blk)
		SKIP("no block device in /dev");
	char *dir = tc_mkdir("bindev"), *disk = tc_path(dir, "disk"), *file = tc_path(dir, "f");
	tc_write_file(disk, "", 0600);
	tc_write_file(file, "data\n", 0644);
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	CHECK_EQ(mount(blk, disk, NULL, MS_BIND, NULL), 0);
	CHECK_STR(fsprobe_out("read", disk), "ok"); /* the raw device, outside */
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), dir));
	char *out = fsprobe_in(p, tc_fmt("read %s", disk), tc_fmt("read %s", file), NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "ok");
}

/* ---- mounts the search once did not see ------------------------------------ */

/* The name of the first block device in /dev ("loop0"), or NULL. */
static dev_t blk_rdev;
static const char *block_name(void)
{
	char *blk = block_device(&blk_rdev);
	return blk ? strrchr(blk, '/') + 1 : NULL;
}

/* A tmpfs (without nodev, so searched like devtmpfs) at dir holding a
 * copy of the block device and console: not a devtmpfs, which is the
 * host's one /dev and which the harness's cleanup would empty. */
static void dev_tmpfs(const char *dir, const char *blk)
{
	CHECK_EQ(mount("tmpfs", dir, "tmpfs", 0, "mode=0755"), 0);
	CHECK_EQ(mknod(tc_fmt("%s/%s", dir, blk), S_IFBLK | 0600, blk_rdev), 0);
	CHECK_EQ(mknod(tc_fmt("%s/console", dir), S_IFCHR | 0600, makedev(5, 1)), 0);
}

/* As root, in a mount namespace of this test's own (mounts made here go
 * with it): the name of the block device dev_tmpfs copies, or a skip. */
static const char *root_mount_test(void)
{
	if (!th_root())
		SKIP("needs root to mount");
	const char *blk = block_name();
	if (!blk)
		SKIP("no block device in /dev");
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	return blk;
}

#define DEEP_STEPS 20

/* Makes top/d1/d2/.../d20 with 250-byte names (deeper than PATH_MAX) and
 * leaves the caller's cwd there. */
static void deep_chain(const char *top)
{
	CHECK_EQ(chdir(top), 0);
	for (int i = 0; i < DEEP_STEPS; i++) {
		char *name = tc_fmt("d%0250d", i + 1);
		CHECK_EQ(mkdir(name, 0755), 0);
		CHECK_EQ(chdir(name), 0);
	}
}
/*
 * A devtmpfs and a procfs mounted in a granted tree at a path longer than
 * PATH_MAX: no path names them, but the command walks there with relative
 * chdir()s.  They were skipped (lstat: ENAMETOOLONG) and a block device,
 * the console and another process's oom_score_adj were reached; now a
 * mount in a granted tree that cannot be examined refuses the start.
 */
TEST(devices_mounts_beyond_path_max_refused)
{
	char *top = tc_mkdir("deep");
	const char *blk = root_mount_test();
	deep_chain(top);
	CHECK_EQ(mkdir("dev", 0755), 0);
	CHECK_EQ(mkdir("proc", 0755), 0);
	dev_tmpfs("dev", blk);
	CHECK_EQ(mount("proc", "proc", "proc", 0, NULL), 0);
	int deep = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(deep >= 0);
	CHECK_EQ(chdir("/"), 0);
	const char *why = refused(tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), top)));
	char *msg = tc_fmt("%s", why);
	/* (the harness removes the temp dir: nothing mounted is left there) */
	CHECK_EQ(fchdir(deep), 0);
	umount2("dev", MNT_DETACH);
	umount2("proc", MNT_DETACH);
	CHECK_EQ(chdir("/"), 0);
	CHECK_CONTAINS(msg, "cannot be examined");
}

/*
 * A devtmpfs and a procfs hidden by a later mount on a directory above
 * them, while the caller's working directory is still inside: no path
 * shows them, but the command inherits that directory, and a block
 * device, the console and another process's oom_score_adj were reached
 * from it.  Now a working directory that is not what its path shows
 * refuses the start.
 */
TEST(devices_hidden_mounts_through_cwd_refused)
{
	char *top = tc_mkdir("h"), *a = tc_mkdir("h/a");
	tc_mkdir("h/a/dev");
	tc_mkdir("h/a/proc");
	const char *blk = root_mount_test();
	dev_tmpfs(tc_path(a, "dev"), blk);
	CHECK_EQ(mount("proc", tc_path(a, "proc"), "proc", 0, NULL), 0);
	CHECK_EQ(chdir(a), 0);
	CHECK_EQ(mount("tmpfs", a, "tmpfs", 0, "mode=0755"), 0); /* hides both */
	const char *why = refused(tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), top)));
	char *msg = tc_fmt("%s", why);
	CHECK_EQ(chdir("/"), 0);
	umount2(a, MNT_DETACH);
	umount2(tc_path(a, "dev"), MNT_DETACH);
	umount2(tc_path(a, "proc"), MNT_DETACH);
	CHECK_CONTAINS(msg, "a later mount hides it");
}

/*
 * The library once kept the mount table between runs, refreshed on
 * POLLPRI, which a mount or unmount raises but a rename of a directory
 * above a mount point does not: the second run looked for the device
 * mount at its old path, found nothing there, and granted it whole at its
 * new one.  The table is read at every start now.
 */
TEST(devices_mount_moved_by_rename_between_runs)
{
	char *g = tc_mkdir("g"), *a = tc_mkdir("g/a"), *dev = tc_mkdir("g/a/dev");
	const char *blk = root_mount_test();
	dev_tmpfs(dev, blk);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), g));
	CHECK_LINE(fsprobe_in(p, tc_fmt("read %s/%s", dev, blk), NULL), 0, "errno=EACCES");
	char *b = tc_path(g, "b");
	CHECK_EQ(rename(a, b), 0);
	char *out = fsprobe_in(p, tc_fmt("read %s/dev/%s", b, blk),
			       tc_fmt("open-w %s/dev/console", b), NULL);
	umount2(tc_path(b, "dev"), MNT_DETACH);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
}

/*
 * A devpts with no other terminal in it when the sandbox is built (only
 * ptmx): nothing was found, so /dev/pts was granted whole, and a terminal
 * opened afterwards by another session was readable (its keystrokes) from
 * the sandbox.  A devpts is sealed now: only what is there and allowed at
 * the build gets a right.
 */
TEST(devices_pts_made_after_build_closed)
{
	if (!th_root())
		SKIP("needs root to mount");
	char *pts = tc_mkdir("pts");
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	CHECK_EQ(mount("devpts", pts, "devpts", 0, "newinstance,ptmxmode=0666,mode=0600"), 0);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), pts));
	const char *argv[] = {fsprobe(), "read", tc_fmt("%s/0", pts), NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 3); /* ruleset built */
	CHECK(h != NULL);
	int m = open(tc_path(pts, "ptmx"), O_RDWR | O_NOCTTY);
	CHECK(m >= 0);
	int unlock = 0;
	CHECK_EQ(ioctl(m, TIOCSPTLCK, &unlock), 0);
	CHECK(tc_exists(tc_fmt("%s/0", pts)));
	CHECK_EQ(write(m, "typed\n", 6), 6);
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	close(m);
	sandlock_handle_free(h);
	umount2(pts, MNT_DETACH);
	CHECK_LINE(r.out, 0, "errno=EACCES");
}

/* A tmpfs mounted nodev (not searched: no node there opens) remounted
 * without nodev between two runs of one process: the second run looks at
 * the mounts as they are then, searches it, and the device stays closed. */
TEST(devices_remount_dev_between_runs)
{
	char *dir = tc_mkdir("rmt");
	const char *blk = root_mount_test();
	CHECK_EQ(mount("tmpfs", dir, "tmpfs", MS_NODEV, "mode=0755"), 0);
	CHECK_EQ(mknod(tc_fmt("%s/%s", dir, blk), S_IFBLK | 0600, blk_rdev), 0);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), dir));
	char *node = tc_fmt("read %s/%s", dir, blk);
	CHECK_LINE(fsprobe_in(p, node, NULL), 0, "errno=EACCES");     /* nodev */
	CHECK_EQ(mount(NULL, dir, NULL, MS_REMOUNT, "mode=0755"), 0); /* dev again */
	CHECK_STR(fsprobe_out("read", tc_fmt("%s/%s", dir, blk)), "ok");
	char *out = fsprobe_in(p, node, NULL);
	umount2(dir, MNT_DETACH);
	CHECK_LINE(out, 0, "errno=EACCES");
}

/* A grant inside a searched mount, not at its root (a subdirectory of a
 * tmpfs without nodev): the tree is searched from the grant down, and a
 * block device in it gets no right while its files keep theirs. */
TEST(devices_grant_inside_searched_mount)
{
	char *dir = tc_mkdir("inside");
	const char *blk = root_mount_test();
	CHECK_EQ(mount("tmpfs", dir, "tmpfs", 0, "mode=0755"), 0);
	char *sub = tc_fmt("%s/sub", dir);
	CHECK_EQ(mkdir(sub, 0755), 0);
	CHECK_EQ(mknod(tc_fmt("%s/%s", sub, blk), S_IFBLK | 0600, blk_rdev), 0);
	tc_write_file(tc_fmt("%s/f", sub), "data\n", 0644);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), sub));
	char *out = fsprobe_in(p, tc_fmt("read %s/%s", sub, blk), tc_fmt("read %s/f", sub), NULL);
	umount2(dir, MNT_DETACH);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "ok");
}
