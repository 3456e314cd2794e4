/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack14.c - the filesystem policy as Landlock rules: a restriction
 * (the proc view's procfs, a kernel pseudo filesystem under a write
 * grant, root's device nodes, a denied path) holds only if no directory
 * on any way up from the restricted inode gets a rule covering it.  Each
 * test forges another way: a bind mount, a second procfs, a grant given
 * as a symlink, a path another thread rewrites, a mount the host makes
 * after the start.  The probe is tests/probes/a14probe.c.
 *
 * The mounting tests run as root in a mount namespace of their own
 * (unshare in the test's forked process): what they mount goes with it.
 */
#include "common.h"

#include <dirent.h>
#include <linux/magic.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* As root, in a mount namespace of this test's own, or a skip. */
static void own_mounts(void)
{
	if (!th_root())
		SKIP("needs root to mount");
	if (unshare(CLONE_NEWNS) < 0)
		SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
}

/* A decoy directory and a decoy file in it ("1\n"): the file's path. */
static char *decoy_file(void)
{
	char *f = tc_path(tc_mkdir("decoy"), "plain");
	tc_write_file(f, "1\n", 0644);
	return f;
}

/* "leaked K ... failed F" of a race probe: K, and F in *failed. */
static long leaked_of(const char *out, long *failed)
{
	long leaked = -1;
	const char *f = strstr(out, "failed ");
	CHECK(sscanf(out, "leaked %ld", &leaked) == 1 && f != NULL);
	*failed = strtol(f + 7, NULL, 10);
	return leaked;
}

/*
 * The directories above a procfs mount keep READ_DIR (so that `ls /`
 * works under -r /), and Landlock applies it to every directory beneath:
 * a second thread that flips the path after the proc view's check gets
 * an outsider's /proc/<pid>/task opened, and lists its threads.  (The
 * names are what stat(2) of /proc/<pid>/task/<tid> tells anyway, which
 * the proc view answers as the kernel does; the opening itself is what
 * the view promises never happens.)
 */
TEST(attack14_proc_dir_race_with_root_granted)
{
	TC_KNOWN_HOLE("a procfs directory opened by a rewritten path: the READ_DIR the "
		      "directories above procfs keep for listing covers it");
	pid_t v = tc_outsider(NULL);
	char *decoy = decoy_file();
	*strrchr(decoy, '/') = 0;
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/"));
	char *out = tc_named_in(p, "a14probe", "dir-race", tc_fmt("/proc/%d/task", (int)v),
				tc_itoa(v), decoy, "3000", NULL);
	tc_outsider_end(v);
	long opened = -1, leaked = -1;
	CHECK_EQ(sscanf(out, "leaked %ld opened %ld", &leaked, &opened), 2);
	CHECK_EQ(leaked, 0L);
	CHECK_EQ(opened, 0L);
}

/*
 * A bind mount of an outsider's /proc/<pid> and a second procfs, both
 * made before the start inside the tree granted ("/"): each is another
 * way up from the outsider's files, each mount gets no right, and a path
 * flipped between a decoy and the outsider's status file never reads it.
 */
TEST(attack14_proc_bind_and_second_procfs_race)
{
	own_mounts();
	pid_t v = tc_outsider(NULL);
	char *b = tc_mkdir("b"), *pp = tc_mkdir("p");
	CHECK_EQ(mount(tc_fmt("/proc/%d", (int)v), b, NULL, MS_BIND, NULL), 0);
	CHECK_EQ(mount("proc", pp, "proc", 0, NULL), 0);
	char *decoy = decoy_file();
	char *go = tc_path(th_tmpdir(), "go");
	tc_write_file(go, "", 0644); /* no handshake: all is mounted already */
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/"));
	char *word = tc_fmt("Pid:\t%d", (int)v);
	char *ready = go;
	struct tc_res viab = tc_named_run(p, "a14probe", "ready-race", ready, go,
					  tc_path(b, "status"), word, decoy, "2000", NULL);
	struct tc_res viap =
	    tc_named_run(p, "a14probe", "ready-race", ready, go, tc_fmt("%s/%d/status", pp, (int)v),
			 word, decoy, "2000", NULL);
	tc_outsider_end(v);
	umount2(b, MNT_DETACH);
	umount2(pp, MNT_DETACH);
	long fb, fp;
	CHECK_EQ(leaked_of(viab.out, &fb), 0L);
	CHECK_EQ(leaked_of(viap.out, &fp), 0L);
	CHECK(fb > 0 && fp > 0); /* the races ran: some opens named the outsider */
}

/*
 * The same race through a grant given as a symlink to /proc: the grant
 * is what the link names (procfs, no right), so nothing of an outsider
 * is read whatever the path says when the kernel resolves it.
 */
TEST(attack14_grant_symlink_to_proc_race)
{
	pid_t v = tc_outsider(NULL);
	char *lnk = tc_path(th_tmpdir(), "lnk");
	CHECK_EQ(symlink("/proc", lnk), 0);
	char *decoy = decoy_file();
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(
	    sandlock_sandbox_builder_fs_read(tc_builder(), lnk), decoy));
	char *out = tc_named_in(p, "a12probe", "cg-race", tc_fmt("%s/%d/status", lnk, (int)v),
				tc_fmt("Pid:\t%d", (int)v), decoy, "2000", NULL);
	tc_outsider_end(v);
	long failed;
	CHECK_EQ(leaked_of(out, &failed), 0L);
	CHECK(failed > 0);
}

/*
 * Everything granted for writing: the kernel's files stay unwritable,
 * the sandbox's own /proc/self ones included (procfs, sysfs: read at
 * most).
 */
TEST(attack14_write_root_opens_no_kernel_file_for_writing)
{
	const char *files[] = {"/proc/sys/kernel/hostname", "/proc/self/comm",
			       "/proc/self/oom_score_adj", "/sys/kernel/uevent_helper"};
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), "/"));
	char *out =
	    tc_named_in(p, "a14probe", "open-w", files[0], files[1], files[2], files[3], NULL);
	for (int i = 0; i < 4; i++)
		if (strcmp(files[i], "/sys/kernel/uevent_helper") || tc_exists(files[i]))
			CHECK_STR(tc_line(out, i), "errno=EACCES");
}

/* fs_deny of a file that is a bind mount: the file it shows is denied
 * by both names, the mount point's and its own. */
TEST(attack14_deny_bind_mounted_file_and_its_source)
{
	own_mounts();
	char *dir = tc_mkdir("t"), *src = tc_path(tc_mkdir("t/src"), "f");
	char *bf = tc_path(dir, "bf");
	tc_write_file(src, "secret\n", 0644);
	tc_write_file(bf, "", 0644);
	CHECK_EQ(mount(src, bf, NULL, MS_BIND, NULL), 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), dir);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, bf));
	char *out = tc_named_in(p, "a14probe", "open-r", bf, src, NULL);
	umount2(bf, MNT_DETACH);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
}

/* fs_deny of a directory holding a mount point: the filesystem mounted
 * there (reached through the denied directory only) is denied too. */
TEST(attack14_deny_dir_holding_a_mount)
{
	own_mounts();
	char *dir = tc_mkdir("t"), *d = tc_mkdir("t/d"), *m = tc_mkdir("t/d/m");
	CHECK_EQ(mount("tmpfs", m, "tmpfs", 0, "mode=0755"), 0);
	tc_write_file(tc_path(m, "f"), "secret\n", 0644);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder(), dir);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, d));
	char *out = tc_named_in(p, "a14probe", "open-r", tc_path(m, "f"), m, NULL);
	char *w = tc_named_in(p, "a14probe", "open-w", tc_path(m, "f"), NULL);
	umount2(m, MNT_DETACH);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(w, 0, "errno=EACCES");
}

/* Runs fn(dir) in a forked helper once `ready` exists, then makes `go`;
 * the helper's pid. */
static pid_t after_ready(const char *ready, const char *go, void (*fn)(const char *),
			 const char *dir)
{
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0) {
		while (access(ready, F_OK) != 0)
			usleep(1000);
		fn(dir);
		int fd = open(go, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		_exit(fd < 0);
	}
	return h;
}

static void mount_proc(const char *dir)
{
	if (mount("proc", dir, "proc", 0, NULL) < 0)
		_exit(3);
}

/*
 * A procfs the host mounts inside a granted tree after the start: the
 * ruleset was built before it existed, the granted tree's rule covers
 * it, and a path flipped after the proc view's check reads an outsider's
 * status file.  (Landlock cannot take a right back, nor say "not across
 * mounts made later".)
 */
TEST(attack14_procfs_mounted_after_start)
{
	own_mounts();
	TC_KNOWN_HOLE("a procfs mounted in a granted tree after the start is covered by the "
		      "tree's rule");
	pid_t v = tc_outsider(NULL);
	char *g = tc_mkdir("g"), *pp = tc_mkdir("g/p");
	char *decoy = decoy_file();
	char *ready = tc_path(g, "ready"), *go = tc_path(g, "go");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(
	    sandlock_sandbox_builder_fs_write(tc_builder(), g), decoy));
	pid_t h = after_ready(ready, go, mount_proc, pp);
	char *out =
	    tc_named_in(p, "a14probe", "ready-race", ready, go, tc_fmt("%s/%d/status", pp, (int)v),
			tc_fmt("Pid:\t%d", (int)v), decoy, "3000", NULL);
	int st;
	CHECK_EQ(waitpid(h, &st, 0), h);
	tc_outsider_end(v);
	umount2(pp, MNT_DETACH);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	long failed;
	CHECK_EQ(leaked_of(out, &failed), 0L);
}

/* A device node of the host that root opens here (read-only) and that a
 * sandbox started as root may not have: a block device, else a character
 * device off the mem, tty and pts majors (loop-control, net/tun...).
 * Its number in *rdev and its type in *type; false when there is none. */
static bool openable_device(dev_t *rdev, mode_t *type)
{
	DIR *d = opendir("/dev");
	bool found = false;
	for (int pass = 0; d && !found && pass < 2; pass++) {
		rewinddir(d);
		for (struct dirent *e; !found && (e = readdir(d));) {
			struct stat st;
			char *path = tc_path("/dev", e->d_name);
			if (lstat(path, &st) < 0 ||
			    !(pass ? S_ISCHR(st.st_mode) : S_ISBLK(st.st_mode)))
				continue;
			unsigned ma = major(st.st_rdev);
			if (pass && (ma == 1 || ma == 4 || ma == 5 || (ma >= 136 && ma <= 143)))
				continue;
			int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
			if (fd >= 0) {
				*rdev = st.st_rdev;
				*type = st.st_mode & S_IFMT;
				found = true;
				close(fd);
			}
		}
	}
	if (d)
		closedir(d);
	return found;
}

static dev_t late_dev;
static mode_t late_type;

static void mount_device(const char *dir)
{
	if (mount("tmpfs", dir, "tmpfs", 0, "mode=0755") < 0 ||
	    mknod(tc_fmt("%s/blk", dir), late_type | 0600, late_dev) < 0)
		_exit(3);
}

/*
 * A tmpfs holding a device node (a block device), mounted by the host inside a
 * granted tree after the start (a container's or a chroot's /dev made
 * meanwhile): the device search ran before it existed, and the sandbox
 * started as root opens the raw disk through the tree's rule.
 */
TEST(attack14_device_mounted_after_start)
{
	own_mounts();
	TC_KNOWN_HOLE("a device node mounted in a granted tree after the start is covered by "
		      "the tree's rule");
	if (!openable_device(&late_dev, &late_type))
		SKIP("no device node root can open here");
	char *g = tc_mkdir("g"), *dd = tc_mkdir("g/d");
	char *ready = tc_path(g, "ready"), *go = tc_path(g, "go");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), g));
	pid_t h = after_ready(ready, go, mount_device, dd);
	char *out = tc_named_in(p, "a14probe", "ready-open", ready, go, tc_path(dd, "blk"), NULL);
	int st;
	CHECK_EQ(waitpid(h, &st, 0), h);
	umount2(dd, MNT_DETACH);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_LINE(out, 0, "errno=EACCES");
}

/*
 * A denied file (and a denied directory) in a layer of an overlay
 * mounted elsewhere: the overlay shows the same content as inodes of its
 * own and opens the layer's file with the mounter's credentials, so
 * Landlock checks the overlay's path only, which the grant covered: the
 * secret was read there.  Now the mount table's overlays are searched
 * for layers holding a denied path, and the path they show is denied.
 */
TEST(attack14_deny_reached_through_an_overlay)
{
	own_mounts();
	char *dir = tc_mkdir("t"), *lower = tc_mkdir("t/lower"), *sub = tc_mkdir("t/lower/sub");
	char *ov = tc_mkdir("t/ov");
	tc_mkdir("t/up");
	tc_mkdir("t/wk");
	tc_write_file(tc_path(lower, "secret"), "secret\n", 0644);
	tc_write_file(tc_path(sub, "f"), "secret\n", 0644);
	tc_write_file(tc_path(tc_mkdir("t/lower/sub/deeper"), "g"), "secret\n", 0644);
	char *opts = tc_fmt("lowerdir=%s,upperdir=%s/up,workdir=%s/wk", lower, dir, dir);
	if (mount("overlay", ov, "overlay", 0, opts) < 0)
		SKIP("overlayfs: %s", strerror(errno));
	/* and a bind mount of a part of the overlay beneath the denied
	 * directory: all it shows is denied content */
	char *part = tc_mkdir("t/part");
	CHECK_EQ(mount(tc_fmt("%s/sub/deeper", ov), part, NULL, MS_BIND, NULL), 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder(), dir);
	b = sandlock_sandbox_builder_fs_deny(b, tc_path(lower, "secret"));
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_deny(b, sub));
	char *out =
	    tc_named_in(p, "a14probe", "open-r", tc_path(ov, "secret"), tc_fmt("%s/sub/f", ov),
			tc_fmt("%s/sub", ov), tc_path(part, "g"), NULL);
	umount2(part, MNT_DETACH);
	umount2(ov, MNT_DETACH);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	CHECK_LINE(out, 2, "errno=EACCES");
	CHECK_LINE(out, 3, "errno=EACCES");
}

/* A directory of a cgroup mount holding cgroup.procs, or NULL. */
static const char *cgroup_dir(void)
{
	static const char *const dirs[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified",
					   "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct statfs sf;
		if (statfs(dirs[i], &sf) == 0 &&
		    ((uint32_t)sf.f_type == CGROUP2_SUPER_MAGIC ||
		     (uint32_t)sf.f_type == CGROUP_SUPER_MAGIC) &&
		    tc_exists(tc_path(dirs[i], "cgroup.procs")))
			return dirs[i];
	}
	return NULL;
}

/*
 * An overlay whose lower layer is a cgroup directory, mounted in the
 * granted tree before the start: its cgroup.procs is the overlay's file
 * (the cgroup view, which serves files of a cgroup mount, never sees
 * it) read with the mounter's credentials, and it listed every process
 * of the host's cgroup.  Now such an overlay gets no right, as a cgroup
 * mount does.
 */
TEST(attack14_cgroup_overlay_gets_no_right)
{
	own_mounts();
	const char *cg = cgroup_dir();
	if (!cg)
		SKIP("no cgroup mount with cgroup.procs");
	char *empty = tc_mkdir("empty"), *ov = tc_mkdir("ov");
	CHECK_EQ(mount("overlay", ov, "overlay", MS_RDONLY, tc_fmt("lowerdir=%s:%s", cg, empty)),
		 0);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), "/"));
	char *out = tc_named_in(p, "a14probe", "open-r", tc_path(ov, "cgroup.procs"), NULL);
	umount2(ov, MNT_DETACH);
	CHECK_LINE(out, 0, "errno=EACCES");
}

/*
 * An overlay over a /dev (its lower layer a tmpfs holding a block device
 * node), mounted in the granted tree before the start: the overlay's
 * node is an inode of its own and opens the device, and overlays were
 * not searched for device nodes, so a sandbox started as root opened the
 * raw disk through it.  Now an overlay with a layer on a searched
 * filesystem is searched like one.
 */
TEST(attack14_device_through_an_overlay_of_dev)
{
	own_mounts();
	dev_t rdev;
	mode_t type;
	if (!openable_device(&rdev, &type))
		SKIP("no device node root can open here");
	char *dev = tc_mkdir("dev"), *empty = tc_mkdir("empty"), *ov = tc_mkdir("ov");
	CHECK_EQ(mount("tmpfs", dev, "tmpfs", 0, "mode=0755"), 0);
	CHECK_EQ(mknod(tc_path(dev, "blk"), type | 0600, rdev), 0);
	CHECK_EQ(mount("overlay", ov, "overlay", MS_RDONLY, tc_fmt("lowerdir=%s:%s", dev, empty)),
		 0);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder(), ov));
	char *out = tc_named_in(p, "a14probe", "open-r", tc_path(ov, "blk"), NULL);
	umount2(ov, MNT_DETACH);
	umount2(dev, MNT_DETACH);
	CHECK_LINE(out, 0, "errno=EACCES");
}
