/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fdmeta.c - metadata changes through an open fd (src/features/fsmeta.c):
 * fchmod, fchown, futimens, fsetxattr, fremovexattr.  Landlock decides
 * only the open, and a file opened for reading is still its owner's to
 * change: a sandbox allowed to read a tree must not change a mode, an
 * owner, times or an xattr there through an fd it holds.  Under a -w
 * tree they work; so they do on what no path reaches (a file unlinked or
 * made O_TMPFILE, a pipe), never on an anonymous inode.  With and
 * without the copy-on-write layer, and against a thread that swaps the
 * fd between a writable and a readable file.
 */
#include "common.h"

#include <fcntl.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Python: each fd-form call on fd, one line "<call> ok" or "<call> E<errno>". */
#define PY_CALLS                                                                                   \
	"import os, sys\n"                                                                         \
	"def calls(label, fd):\n"                                                                  \
	"    for name, fn in (('fchmod', lambda: os.fchmod(fd, 0o604)),\n"                         \
	"                     ('futimens', lambda: os.utime(fd, (7, 7))),\n"                       \
	"                     ('fchown', lambda: os.fchown(fd, os.getuid(), os.getgid())),\n"      \
	"                     ('fsetxattr', lambda: os.setxattr(fd, 'user.sl', b'1')),\n"          \
	"                     ('fremovexattr', lambda: os.removexattr(fd, 'user.sl'))):\n"         \
	"        try:\n"                                                                           \
	"            fn(); print(label, name, 'ok')\n"                                             \
	"        except OSError as e:\n"                                                           \
	"            print(label, name, 'E%d' % e.errno)\n"

static struct tc_res py(const sandlock_sandbox_t *p, const char *body, const char *a1,
			const char *a2)
{
	const char *argv[] = {TC_PYTHON, "-c", tc_fmt("%s%s", PY_CALLS, body), a1, a2, NULL};
	return tc_result(sandlock_run(p, NULL, argv, a2 ? 5 : 4));
}

/* A file of mode 0600 and mtime 100 in dir: its path. */
static char *victim(const char *dir, const char *name)
{
	char *f = tc_path(dir, name);
	tc_write_file(f, "data\n", 0600);
	struct timespec ts[2] = {{100, 0}, {100, 0}};
	CHECK_EQ(utimensat(AT_FDCWD, f, ts, 0), 0);
	return f;
}

static void check_untouched(const char *f)
{
	struct stat st;
	CHECK_EQ(stat(f, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(st.st_mtime, 100);
	char v[8];
	CHECK(getxattr(f, "user.sl", v, sizeof(v)) < 0);
}

static void check_lines(const char *out, const char *label, const char *want)
{
	static const char *const calls[] = {"fchmod", "futimens", "fchown", "fsetxattr",
					    "fremovexattr"};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		CHECK_CONTAINS(out, tc_fmt("%s %s %s\n", label, calls[i], want));
}

/* True when the file system of dir keeps user xattrs (tmpfs before 6.6
 * does not): the xattr lines are then checked too. */
static bool user_xattrs(const char *dir)
{
	char *f = tc_path(dir, ".xattr-probe");
	tc_write_file(f, "", 0600);
	bool ok = setxattr(f, "user.sl", "1", 1, 0) == 0;
	unlink(f);
	return ok;
}

/* Through a read-only fd of a file it owns in a -r tree: nothing changes
 * (EACCES), as by path; in a -w tree everything works. */
TEST(fdmeta_read_tree_refused_write_tree_allowed)
{
	tc_need_python();
	char *r = tc_mkdir("r"), *w = tc_mkdir("w");
	char *rf = victim(r, "f"), *wf = victim(w, "f");
	if (!user_xattrs(w))
		SKIP("no user xattrs on this file system");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(
	    sandlock_sandbox_builder_fs_read(tc_builder_sys(), r), w));
	struct tc_res res = py(p,
			       "calls('r', os.open(sys.argv[1], os.O_RDONLY))\n"
			       "calls('w', os.open(sys.argv[2], os.O_RDONLY))\n",
			       rf, wf);
	CHECK_EQ(res.code, 0);
	check_lines(res.out, "r", "E13");
	check_lines(res.out, "w", "ok");
	check_untouched(rf);
	struct stat st;
	CHECK_EQ(stat(wf, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0604);
	CHECK_EQ(st.st_mtime, 7);
}

/* What no path reaches is the command's own: an O_TMPFILE and an
 * unlinked file of a -w tree, a pipe.  An eventfd is not (all anonymous
 * inodes share one): refused. */
TEST(fdmeta_nameless_objects)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder_sys(), w));
	struct tc_res res =
	    py(p,
	       "d = sys.argv[1]\n"
	       "t = os.open(d, os.O_TMPFILE | os.O_RDWR, 0o600)\n"
	       "os.fchmod(t, 0o640); print('tmpfile', oct(os.fstat(t).st_mode & 0o777))\n"
	       "u = os.open(d + '/gone', os.O_CREAT | os.O_RDWR, 0o600); os.unlink(d + '/gone')\n"
	       "os.utime(u, (9, 9)); print('unlinked', os.fstat(u).st_mtime)\n"
	       "r, _ = os.pipe(); os.fchmod(r, 0o600); print('pipe ok')\n"
	       "try:\n"
	       "    os.fchmod(os.eventfd(0), 0o600); print('eventfd ok')\n"
	       "except OSError as e: print('eventfd E%d' % e.errno)\n",
	       w, NULL);
	CHECK_EQ(res.code, 0);
	CHECK_STR(res.out, "tmpfile 0o640\nunlinked 9.0\npipe ok\neventfd E13\n");
}

/* A thread points fd 50 at a file of the -w tree and one of the -r tree
 * in turn while the main thread changes metadata through fd 50: the
 * decision and the change are on the one object the number held, so the
 * read-only file never changes. */
TEST(fdmeta_fd_swapped_between_trees)
{
	tc_need_python();
	char *r = tc_mkdir("r"), *w = tc_mkdir("w");
	char *rf = victim(r, "f");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(
	    sandlock_sandbox_builder_fs_read(tc_builder_sys(), r), w));
	struct tc_res res =
	    py(p,
	       "import threading, time\n"
	       "low = os.open(sys.argv[1], os.O_RDONLY)\n"
	       "up = os.open(sys.argv[2] + '/u', os.O_CREAT | os.O_RDWR, 0o600)\n"
	       "done = False\n"
	       "def flip():\n"
	       "    while not done:\n"
	       "        os.dup2(up, 50); os.dup2(low, 50)\n"
	       "t = threading.Thread(target=flip); t.start()\n"
	       "end = time.time() + 1.5\n"
	       "while time.time() < end:\n"
	       "    for call in (lambda: os.fchmod(50, 0o604), lambda: os.utime(50, (1, 1))):\n"
	       "        try: call()\n"
	       "        except OSError: pass\n"
	       "done = True; t.join()\n",
	       rf, w);
	CHECK_EQ(res.code, 0);
	check_untouched(rf);
}

/* In the copy-on-write layer: a workdir file's change is staged (the
 * host's file untouched after an abort), a -r file outside is refused
 * as without the layer. */
TEST(fdmeta_layer_stages_workdir_refuses_read_tree)
{
	tc_need_python();
	char *r = tc_mkdir("r"), *wd = tc_mkdir("wd"), *st = tc_mkdir("st");
	char *rf = victim(r, "f"), *low = victim(wd, "low");
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), r);
	b = sandlock_sandbox_builder_fs_storage(sandlock_sandbox_builder_workdir(b, wd), st);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_on_exit(b, 1 /* abort */));
	struct tc_res res =
	    py(p,
	       "t = os.open(sys.argv[2], os.O_RDONLY)\n"
	       "os.fchmod(t, 0o640); print('low', oct(os.fstat(t).st_mode & 0o777))\n"
	       "r = os.open(sys.argv[1], os.O_RDONLY)\n"
	       "try: os.fchmod(r, 0o604); print('r ok')\n"
	       "except OSError as e: print('r E%d' % e.errno)\n",
	       rf, low);
	CHECK_EQ(res.code, 0);
	CHECK_STR(res.out, "low 0o640\nr E13\n");
	check_untouched(rf);
	check_untouched(low);
}

/* The inode flags of this file (FS_IOC_GETFLAGS), or -1 where the file
 * system keeps none. */
static long inode_flags(const char *f)
{
	int fd = open(f, O_RDONLY | O_CLOEXEC);
	int v = 0;
	long r = fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &v) == 0 ? v : -1;
	if (fd >= 0)
		close(fd);
	return r;
}

/* chattr through a read-only fd (FS_IOC_SETFLAGS, FS_NODUMP_FL: the
 * owner's to set, no capability needed): refused on a -r tree's file
 * (its flags unchanged), made on a -w tree's. */
TEST(fdmeta_inode_flags_read_tree_refused)
{
	tc_need_python();
	char *r = tc_mkdir("r"), *w = tc_mkdir("w");
	char *rf = victim(r, "f"), *wf = victim(w, "f");
	long before = inode_flags(rf);
	if (before < 0)
		SKIP("no inode flags on this file system");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(
	    sandlock_sandbox_builder_fs_read(tc_builder_sys(), r), w));
	struct tc_res res =
	    py(p,
	       "import fcntl, struct\n"
	       "for label, path in (('r', sys.argv[1]), ('w', sys.argv[2])):\n"
	       "    fd = os.open(path, os.O_RDONLY)\n"
	       "    b = bytearray(4); fcntl.ioctl(fd, 0x80086601, b, True)\n"
	       "    v = struct.unpack('i', b)[0] | 0x40\n"
	       "    try:\n"
	       "        fcntl.ioctl(fd, 0x40086602, struct.pack('i', v)); print(label, 'ok')\n"
	       "    except OSError as e: print(label, 'E%d' % e.errno)\n",
	       rf, wf);
	CHECK_EQ(res.code, 0);
	CHECK_STR(res.out, "r E13\nw ok\n");
	CHECK_EQ(inode_flags(rf), before);
	CHECK(inode_flags(wf) & FS_NODUMP_FL);
}
