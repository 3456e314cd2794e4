/* SPDX-License-Identifier: Apache-2.0 */
/* test_mounts.c - the /proc/self/mountinfo parser: fields, escapes, the
 * optional fields before " - ", malformed lines, the live table. */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "harness.h"
#include "mounts.h"

TEST(mounts_line_fields)
{
	struct mounts_entry e;
	CHECK_EQ(mounts_parse_line("36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 "
				   "/dev/root rw,errors=continue\n",
				   &e),
		 0);
	CHECK_EQ(e.id, 36);
	CHECK_EQ(e.parent, 35);
	CHECK_EQ(e.major, 98);
	CHECK_EQ(e.minor, 0);
	CHECK_STR(e.root, "/mnt1");
	CHECK_STR(e.point, "/mnt/parent");
	CHECK_STR(e.opts, "rw,noatime");
	CHECK_STR(e.fstype, "ext3");
	CHECK_STR(e.source, "/dev/root");
	CHECK_STR(e.sb_opts, "rw,errors=continue");
	mounts_entry_free(&e);
}

/* Zero, one or several optional fields: the fstype is the field after the
 * lone "-", never a field that merely contains a dash. */
TEST(mounts_optional_fields)
{
	struct mounts_entry e;
	CHECK_EQ(mounts_parse_line(
		     "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw", &e),
		 0);
	CHECK_STR(e.fstype, "proc");
	CHECK_STR(e.point, "/proc");
	mounts_entry_free(&e);
	CHECK_EQ(
	    mounts_parse_line("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 master:4 "
			      "propagate_from:2 unbindable - cgroup2 cgroup2 rw,nsdelegate",
			      &e),
	    0);
	CHECK_STR(e.fstype, "cgroup2");
	CHECK_STR(e.sb_opts, "rw,nsdelegate");
	mounts_entry_free(&e);
	/* A dashed optional field and a dashed fstype. */
	CHECK_EQ(mounts_parse_line("50 1 0:50 / /x rw x-y:1 - fuse.my-fs my-src rw", &e), 0);
	CHECK_STR(e.fstype, "fuse.my-fs");
	CHECK_STR(e.source, "my-src");
	mounts_entry_free(&e);
}

/* Space, tab, newline and backslash arrive as \ooo in paths and the
 * source: unescaped; other backslashes stay. */
TEST(mounts_escapes)
{
	struct mounts_entry e;
	CHECK_EQ(mounts_parse_line("60 1 8:1 /a\\040b /mnt/x\\011y\\012z\\134w rw - ext4 "
				   "/dev/my\\040disk rw",
				   &e),
		 0);
	CHECK_STR(e.root, "/a b");
	CHECK_STR(e.point, "/mnt/x\ty\nz\\w");
	CHECK_STR(e.source, "/dev/my disk");
	mounts_entry_free(&e);
	/* Not an octal escape: kept as is. */
	CHECK_EQ(mounts_parse_line("61 1 8:1 / /m\\9x\\4 rw - ext4 s rw", &e), 0);
	CHECK_STR(e.point, "/m\\9x\\4");
	mounts_entry_free(&e);
	/* A path that reads " - " once unescaped does not end the options. */
	CHECK_EQ(mounts_parse_line("62 1 8:1 / /a\\040-\\040b rw - tmpfs none rw", &e), 0);
	CHECK_STR(e.point, "/a - b");
	CHECK_STR(e.fstype, "tmpfs");
	mounts_entry_free(&e);
}

TEST(mounts_malformed)
{
	struct mounts_entry e;
	const char *bad[] = {
	    "",
	    "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 ext3 /dev/root rw", /* no "-" */
	    "36 35 98:0 /mnt1 /mnt/parent rw,noatime -",			  /* no fstype */
	    "36 35 98:0 /mnt1 /mnt/parent rw - ext3",				  /* no source */
	    "x 35 98:0 / /m rw - ext3 s rw",					  /* id */
	    "36 35 98 / /m rw - ext3 s rw",					  /* device */
	    "36 35 98:0x / /m rw - ext3 s rw",
	    "36 -1 98:0 / /m rw - ext3 s rw",
	    "36  35 98:0 / /m rw - ext3 s rw", /* empty field */
	    "36 35 98:0 / /m",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mounts_parse_line(bad[i], &e) != -EINVAL)
			th_fail(__FILE__, __LINE__, "accepted: \"%s\"", bad[i]);
		CHECK(e.root == NULL && e.fstype == NULL);
	}
}

TEST(mounts_text_and_lookup)
{
	struct mounts m;
	CHECK_EQ(mounts_parse(&m,
			      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
			      "2 1 0:5 / /dev rw,nosuid - devtmpfs devtmpfs rw\n"
			      "3 2 0:6 / /dev/shm rw,nosuid,nodev shared:2 - tmpfs tmpfs rw\n",
			      "test"),
		 0);
	CHECK_EQ(m.n, 3);
	CHECK_STR(mounts_find(&m, 2)->point, "/dev");
	CHECK(mounts_find(&m, 4) == NULL);
	CHECK(!mounts_has_opt(mounts_find(&m, 2), "nodev"));
	CHECK(mounts_has_opt(mounts_find(&m, 3), "nodev"));
	CHECK(mounts_has_opt(mounts_find(&m, 3), "rw"));
	CHECK(!mounts_has_opt(mounts_find(&m, 3), "nosui"));
	mounts_free(&m);

	/* A malformed line fails the whole table, naming its number. */
	sl_error_clear();
	CHECK_EQ(mounts_parse(&m, "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:5 / /dev rw\n", "who"),
		 -EINVAL);
	CHECK_CONTAINS(sl_error_get(), "who: /proc/self/mountinfo: line 2 is malformed");
	CHECK(m.n == 0 && m.v == NULL);
}

/* The live table: / is there, and the mount id statx gives for / and
 * /proc names entries of it. */
TEST(mounts_live)
{
	struct mounts m;
	if (mounts_read(&m, "test") < 0)
		th_fail(__FILE__, __LINE__, "%s", sl_error_get());
	int id;
	CHECK_EQ(mounts_id("/", true, &id), 0);
	const struct mounts_entry *e = mounts_find(&m, id);
	CHECK(e != NULL);
	CHECK_STR(e->point, "/");
	if (mounts_id("/proc", true, &id) == 0 && (e = mounts_find(&m, id)))
		CHECK_STR(e->fstype, "proc");
	mounts_free(&m);
}

static bool has_point(const char *point)
{
	struct mounts m;
	if (mounts_read(&m, "test") < 0)
		th_fail(__FILE__, __LINE__, "%s", sl_error_get());
	bool found = false;
	for (size_t i = 0; i < m.n; i++)
		found |= strcmp(m.v[i].point, point) == 0;
	mounts_free(&m);
	return found;
}

/* A read after a mount, an unmount, a move to another mount namespace or
 * the rename of a directory above a mount point (which the kernel reports
 * to no poll) sees the table as it is now. */
TEST(mounts_read_follows_changes)
{
	th_skip_under_valgrind("mount(2) with a NULL source type");
	char dir[] = "/tmp/sl-mounts-XXXXXX", sub[64], a[64], am[64], b[64], bm[64];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof sub, "%s/sub", dir);
	CHECK(!has_point(dir)); /* fills the cache, in the first namespace */
	if (unshare(CLONE_NEWNS) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
		rmdir(dir);
		SKIP("no mount namespace: %s", strerror(errno));
	}
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	if (mount("t", dir, "tmpfs", 0, NULL) != 0) {
		rmdir(dir);
		SKIP("tmpfs mount: %s", strerror(errno));
	}
	CHECK(has_point(dir)); /* another namespace */
	CHECK_EQ(mkdir(sub, 0700), 0);
	CHECK(!has_point(sub));
	CHECK_EQ(mount("t", sub, "tmpfs", 0, NULL), 0);
	CHECK(has_point(sub)); /* a mount in the same namespace */
	CHECK_EQ(umount(sub), 0);
	CHECK(!has_point(sub)); /* an unmount */
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(am, sizeof am, "%s/a/m", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	snprintf(bm, sizeof bm, "%s/b/m", dir);
	CHECK(mkdir(a, 0700) == 0 && mkdir(am, 0700) == 0);
	CHECK_EQ(mount("t", am, "tmpfs", 0, NULL), 0);
	CHECK(has_point(am));
	CHECK_EQ(rename(a, b), 0);
	CHECK(has_point(bm)); /* the mount moved with its directory */
	CHECK(!has_point(am));
	CHECK_EQ(umount(bm), 0);
	CHECK_EQ(umount(dir), 0);
	rmdir(dir);
}

struct layers {
	char seen[4][64];
	int n;
};

static int note_layer(void *ctx, const char *layer, bool upper)
{
	struct layers *l = ctx;
	if (l->n < 4)
		snprintf(l->seen[l->n], sizeof(l->seen[0]), "%s%s", upper ? "U" : "", layer);
	l->n++;
	return 0;
}

/* An overlay's layers from its super options: upperdir, each of
 * lowerdir's ':'-separated paths, lowerdir+ (unescaped: "\054" is a
 * comma, and "\134:" overlayfs's "\:", a colon inside a path), not
 * workdir; no layer for another fstype. */
TEST(mounts_overlay_layers)
{
	struct mounts_entry e;
	CHECK_EQ(mounts_parse_line("70 1 0:39 / /ov rw - overlay overlay rw,lowerdir=/l1:/l\\134:2,"
				   "upperdir=/u\\054p,workdir=/w,lowerdir+=/l3",
				   &e),
		 0);
	struct layers l = {0};
	CHECK_EQ(mounts_overlay_layers(&e, note_layer, &l), 0);
	CHECK_EQ(l.n, 4);
	CHECK_STR(l.seen[0], "/l1");
	CHECK_STR(l.seen[1], "/l:2");
	CHECK_STR(l.seen[2], "U/u,p"); /* the upper layer, told so */
	CHECK_STR(l.seen[3], "/l3");
	mounts_entry_free(&e);
	CHECK_EQ(mounts_parse_line("71 1 8:1 / /x rw - ext4 /dev/sda rw,lowerdir=/l", &e), 0);
	l.n = 0;
	CHECK_EQ(mounts_overlay_layers(&e, note_layer, &l), 0);
	CHECK_EQ(l.n, 0);
	mounts_entry_free(&e);
}
