/* SPDX-License-Identifier: Apache-2.0 */
/* test_fsspecial.c - which filesystems are kernel controls, which device
 * nodes root may have, which mounts are searched; the restrictions a
 * forged mount table leads to, without Landlock. */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "error.h"
#include "fsdeny.h"
#include "fstree.h"
#include "fsspecial.h"
#include "harness.h"
#include "mounts.h"
#include "util.h"

TEST(fsspecial_pseudo_list)
{
	CHECK_STR(fsspecial_pseudo("proc"), "other processes and the kernel");
	const char *yes[] = {"sysfs",	    "cgroup",  "cgroup2",   "debugfs",	"tracefs",
			     "securityfs",  "bpf",     "configfs",  "efivarfs", "pstore",
			     "binfmt_misc", "fusectl", "selinuxfs", "resctrl"};
	for (size_t i = 0; i < SL_ARRAY_SIZE(yes); i++)
		if (!fsspecial_pseudo(yes[i]))
			th_fail(__FILE__, __LINE__, "%s is not a pseudo filesystem", yes[i]);
	const char *no[] = {"tmpfs", "devtmpfs", "devpts", "mqueue", "ramfs",
			    "ext4",  "overlay",	 "fuse",   "proc2",  ""};
	for (size_t i = 0; i < SL_ARRAY_SIZE(no); i++)
		if (fsspecial_pseudo(no[i]))
			th_fail(__FILE__, __LINE__, "%s is a pseudo filesystem", no[i]);
	CHECK(fsspecial_pseudo(NULL) == NULL);
}

/* The same list by statfs f_type, on the mounts every host has. */
TEST(fsspecial_pseudo_by_magic)
{
	struct statfs sf;
	CHECK(statfs("/proc", &sf) == 0);
	CHECK(fsspecial_pseudo_magic((unsigned long)sf.f_type));
	if (statfs("/sys", &sf) == 0)
		CHECK(fsspecial_pseudo_magic((unsigned long)sf.f_type));
	CHECK(statfs("/dev", &sf) == 0);
	CHECK(!fsspecial_pseudo_magic((unsigned long)sf.f_type)); /* devtmpfs or tmpfs */
	CHECK(!fsspecial_pseudo_magic(0x01021994));		  /* tmpfs */
	CHECK(!fsspecial_pseudo_magic(0xEF53));			  /* ext4 */
}

TEST(fsspecial_device_set)
{
	CHECK(fsspecial_device_allowed(S_IFREG | 0644, 0));
	CHECK(fsspecial_device_allowed(S_IFDIR | 0755, 0));
	CHECK(fsspecial_device_allowed(S_IFIFO | 0644, 0));
	CHECK(!fsspecial_device_allowed(S_IFBLK | 0600, makedev(8, 0)));
	CHECK(!fsspecial_device_allowed(S_IFBLK | 0666, makedev(1, 3))); /* a block "null" */
	unsigned int ok[][2] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {0, 0}};
	for (size_t i = 0; i < SL_ARRAY_SIZE(ok); i++)
		if (!fsspecial_device_allowed(S_IFCHR | 0666, makedev(ok[i][0], ok[i][1])))
			th_fail(__FILE__, __LINE__, "%u:%u refused", ok[i][0], ok[i][1]);
	/* mem, kmem, port, kmsg, console, tty1, tun, kvm, a ttyS, 0:1, and
	 * pts terminals (only the one we run on: fsspecial_host_tty) */
	unsigned int no[][2] = {{1, 1},	  {1, 2},    {1, 4},	    {1, 11}, {5, 1},
				{4, 1},	  {10, 200}, {10, 232},	    {4, 64}, {0, 1},
				{144, 0}, {136, 0},  {143, 1048575}};
	for (size_t i = 0; i < SL_ARRAY_SIZE(no); i++)
		if (fsspecial_device_allowed(S_IFCHR | 0600, makedev(no[i][0], no[i][1])))
			th_fail(__FILE__, __LINE__, "%u:%u allowed", no[i][0], no[i][1]);
}

TEST(fsspecial_scanned_mounts)
{
	struct mounts m;
	CHECK_EQ(mounts_parse(&m,
			      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
			      "2 1 0:5 / /dev rw,nosuid - devtmpfs devtmpfs rw\n"
			      "3 2 0:6 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw\n"
			      "4 1 0:7 / /run rw - tmpfs tmpfs rw\n"
			      "5 1 0:8 / /r rw - ramfs ramfs rw\n"
			      "6 2 0:9 / /dev/pts rw - devpts devpts rw\n",
			      "test"),
		 0);
	CHECK(!fsspecial_scanned(&m.v[0]));
	CHECK(fsspecial_scanned(&m.v[1]));
	CHECK(!fsspecial_scanned(&m.v[2])); /* nodev: no node there opens */
	CHECK(fsspecial_scanned(&m.v[3]));
	CHECK(fsspecial_scanned(&m.v[4]));
	CHECK(fsspecial_scanned(&m.v[5])); /* other sessions' terminals */
	mounts_free(&m);
}

/* ---- fsspecial_apply on a forged mount table ----------------------------------------- */

/* A table where `path` (really on the mount holding the temp dir) is a
 * mount of fstype with the options opts; "/" first, as it really is. */
static void forge(struct mounts *m, const char *path, const char *fstype, const char *opts)
{
	int root, id;
	CHECK_EQ(mounts_id("/", true, &root), 0);
	CHECK_EQ(mounts_id(path, true, &id), 0);
	char *text;
	CHECK(asprintf(&text,
		       "%d %d 8:1 / / rw - ext4 /dev/x rw\n%d %d 0:99 / %s %s - %s none rw\n", root,
		       root, id, root, path, opts, fstype) > 0);
	if (mounts_parse(m, text, "test") < 0)
		th_fail(__FILE__, __LINE__, "%s", sl_error_get());
	free(text);
}

static struct sl_strv list(const char *path)
{
	struct sl_strv l = {0};
	CHECK_EQ(sl_strv_push(&l, path), 0);
	return l;
}

/* fsspecial_apply on the paths of rl and wl (either may be NULL), each
 * opened as the library opens grants. */
static int apply(struct fsdeny *d, const struct mounts *m, const struct sl_strv *rl,
		 const struct sl_strv *wl, bool root)
{
	struct fs_grants r, w;
	CHECK_EQ(fsspecial_grants_open(&r, "fs_read", rl), 0);
	CHECK_EQ(fsspecial_grants_open(&w, "fs_write", wl), 0);
	int ret = fsspecial_apply(d, m, &r, &w, root);
	fsspecial_grants_close(&r);
	fsspecial_grants_close(&w);
	return ret;
}

/* Expands the granted tree at path asking for access. */
static void expand(struct fsdeny *d, const char *path, uint64_t access, struct rec *r)
{
	struct stat st;
	CHECK_EQ(stat(path, &st), 0);
	uint64_t a = access;
	int c = fsdeny_classify(d, path, &st, &a);
	CHECK_EQ(c, FSDENY_EXPAND);
	int fd = open(path, O_PATH | O_CLOEXEC);
	CHECK(fd >= 0);
	if (fsdeny_expand(d, "test", path, fd, a, record, r) < 0)
		th_fail(__FILE__, __LINE__, "%s", sl_error_get());
	close(fd);
}

/* A pseudo filesystem's mount under a write grant: read rights there and
 * on the way, the tree's rights beside it. */
TEST(fsspecial_pseudo_mount_in_write_tree)
{
	char *w = mkd("w"), *p = mkd("w/p"), *f = mkf("w/f"), *d2 = mkd("w/d");
	struct mounts m;
	forge(&m, p, "proc", "rw");
	struct fsdeny *d;
	CHECK_EQ(fsdeny_create(&d), 0);
	struct sl_strv wl = list(w);
	if (apply(d, &m, NULL, &wl, false) < 0)
		th_fail(__FILE__, __LINE__, "%s", sl_error_get());
	fsdeny_seal(d);
	struct rec rec = {0};
	expand(d, w, ALL, &rec);
	CHECK_EQ(rights(&rec, w), RD);
	CHECK_EQ(rights(&rec, p), 0); /* RD from w's rule */
	CHECK_EQ(rights(&rec, f), ALL);
	CHECK_EQ(rights(&rec, d2), ALL);
	/* Read grants are not touched. */
	struct stat st;
	uint64_t a = RD;
	CHECK_EQ(stat(w, &st), 0);
	CHECK_EQ(fsdeny_classify(d, w, &st, &a), FSDENY_GRANT);
	fsdeny_free(d);
	sl_strv_free(&wl);
	mounts_free(&m);
}

/* As root, device nodes on a searched mount get nothing, at any depth;
 * the directories above them READ_DIR; allowed nodes and files the
 * grant.  A nodev mount is not searched.  Unprivileged, nothing changes. */
TEST(fsspecial_devices_in_tree)
{
	if (geteuid() != 0)
		SKIP("needs root to make device nodes");
	char *t = mkd("t"), *blk = at("t/blk"), *nul = at("t/nul"), *f = mkf("t/f");
	char *sub = mkd("t/sub"), *blk2 = at("t/sub/blk2"), *c = mkd("t/c");
	CHECK_EQ(mknod(blk, S_IFBLK | 0600, makedev(7, 0)), 0);
	CHECK_EQ(mknod(blk2, S_IFBLK | 0600, makedev(7, 0)), 0);
	CHECK_EQ(mknod(nul, S_IFCHR | 0666, makedev(1, 3)), 0);
	struct sl_strv rl = list(t);

	struct mounts m;
	forge(&m, t, "tmpfs", "rw,nosuid");
	struct fsdeny *d;
	CHECK_EQ(fsdeny_create(&d), 0);
	if (apply(d, &m, &rl, NULL, true) < 0)
		th_fail(__FILE__, __LINE__, "%s", sl_error_get());
	fsdeny_seal(d);
	struct rec rec = {0};
	expand(d, t, RD, &rec);
	CHECK_EQ(rights(&rec, t), LS);
	CHECK_EQ(rights(&rec, blk), 0);
	CHECK_EQ(rights(&rec, nul), RD);
	CHECK_EQ(rights(&rec, f), RD);
	CHECK_EQ(rights(&rec, sub), LS);
	CHECK_EQ(rights(&rec, blk2), 0);
	CHECK_EQ(rights(&rec, c), RD);
	fsdeny_free(d);
	mounts_free(&m);

	/* nodev: not searched; unprivileged: not searched. */
	forge(&m, t, "tmpfs", "rw,nodev");
	CHECK_EQ(fsdeny_create(&d), 0);
	CHECK_EQ(apply(d, &m, &rl, NULL, true), 0);
	fsdeny_seal(d);
	CHECK(fsdeny_empty(d));
	fsdeny_free(d);
	mounts_free(&m);
	forge(&m, t, "tmpfs", "rw");
	CHECK_EQ(fsdeny_create(&d), 0);
	CHECK_EQ(apply(d, &m, &rl, NULL, false), 0);
	fsdeny_seal(d);
	CHECK(fsdeny_empty(d));
	fsdeny_free(d);

	/* Naming the device is refused, as root only. */
	struct sl_strv bl = list(blk);
	CHECK_EQ(fsdeny_create(&d), 0);
	sl_error_clear();
	CHECK_EQ(apply(d, &m, &bl, NULL, true), -EPERM);
	CHECK_CONTAINS(sl_error_get(), "a block device (7:0), and the sandbox runs as root");
	CHECK_CONTAINS(sl_error_get(), blk);
	CHECK_EQ(apply(d, &m, &bl, NULL, false), 0);
	fsdeny_free(d);
	mounts_free(&m);
	sl_strv_free(&bl);
	sl_strv_free(&rl);
}

/* As root, a granted tree whose mount is missing from the table (the
 * mounts changed after it was read) cannot be told free of devices: the
 * grant is refused, not passed unsearched. */
TEST(fsspecial_grant_on_unknown_mount_refused)
{
	if (geteuid() != 0)
		SKIP("devices are only looked for as root");
	char *t = mkd("u");
	int id;
	CHECK_EQ(mounts_id(t, true, &id), 0);
	char *text;
	CHECK(asprintf(&text, "%d %d 8:1 / / rw - ext4 /dev/x rw\n", id + 1000, id + 1000) > 0);
	struct mounts m;
	if (mounts_parse(&m, text, "test") < 0)
		th_fail(__FILE__, __LINE__, "%s", sl_error_get());
	free(text);
	struct sl_strv rl = list(t);
	struct fsdeny *d;
	CHECK_EQ(fsdeny_create(&d), 0);
	sl_error_clear();
	CHECK_EQ(apply(d, &m, &rl, NULL, true), -EAGAIN);
	CHECK_CONTAINS(sl_error_get(), "is not in /proc/self/mountinfo");
	fsdeny_free(d);
	mounts_free(&m);
	sl_strv_free(&rl);
}

/* The terminal on our stdio is the host's; another pty is not. */
TEST(fsspecial_host_tty_is_ours_only)
{
	int a = posix_openpt(O_RDWR | O_NOCTTY), b = posix_openpt(O_RDWR | O_NOCTTY);
	if (a < 0 || b < 0)
		SKIP("no pty: %s", strerror(errno));
	CHECK(grantpt(a) == 0 && unlockpt(a) == 0 && grantpt(b) == 0 && unlockpt(b) == 0);
	int sa = open(ptsname(a), O_RDWR | O_NOCTTY);
	CHECK(sa >= 0);
	struct stat st_a, st_b;
	CHECK(fstat(sa, &st_a) == 0);
	CHECK(stat(ptsname(b), &st_b) == 0);
	CHECK(dup2(sa, STDIN_FILENO) == STDIN_FILENO); /* the test runs in a fork */
	CHECK(fsspecial_host_tty(st_a.st_rdev));
	CHECK(!fsspecial_host_tty(st_b.st_rdev));
	CHECK(!fsspecial_device_allowed(st_b.st_mode, st_b.st_rdev));
}
