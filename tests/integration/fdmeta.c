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
#include <sys/socket.h>
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

static char *py_at(const char *file, int line, const sandlock_sandbox_t *p, const char *body,
		   const char *a1, const char *a2)
{
	const char *argv[] = {TC_PYTHON, "-c", tc_fmt("%s%s", PY_CALLS, body), a1, a2, NULL};
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, a2 ? 5 : 4));
	if (r.code != 0)
		th_fail(file, line, "python exited %d: %s", r.code, r.err);
	return r.out;
}
/* The script's output; its exit code must be 0. */
#define py(...) py_at(__FILE__, __LINE__, __VA_ARGS__)

/* A file of mode 0600 and mtime 100 in dir: its path. */
static char *victim(const char *dir, const char *name)
{
	char *f = tc_path(dir, name);
	tc_write_file(f, "data\n", 0600);
	struct timespec ts[2] = {{100, 0}, {100, 0}};
	CHECK_EQ(utimensat(AT_FDCWD, f, ts, 0), 0);
	return f;
}

/* A sandbox that may read r and write w. */
static sandlock_sandbox_t *rw_policy(const char *r, const char *w)
{
	return tc_build(sandlock_sandbox_builder_fs_write(
	    sandlock_sandbox_builder_fs_read(tc_builder_sys(), r), w));
}

/* The seccomp layer on workdir wd, its staged changes in st. */
static sandlock_builder_t *layer_builder(const char *wd, const char *st)
{
	return sandlock_sandbox_builder_fs_storage(
	    sandlock_sandbox_builder_workdir(tc_builder_sys(), wd), st);
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
	sandlock_sandbox_t *p = rw_policy(r, w);
	char *out = py(p,
		       "calls('r', os.open(sys.argv[1], os.O_RDONLY))\n"
		       "calls('w', os.open(sys.argv[2], os.O_RDONLY))\n",
		       rf, wf);
	check_lines(out, "r", "E13");
	check_lines(out, "w", "ok");
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
	char *out =
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
	CHECK_STR(out, "tmpfile 0o640\nunlinked 9.0\npipe ok\neventfd E13\n");
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
	sandlock_sandbox_t *p = rw_policy(r, w);
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
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(layer_builder(wd, st), r);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_on_exit(b, 1 /* abort */));
	char *out = py(p,
		       "t = os.open(sys.argv[2], os.O_RDONLY)\n"
		       "os.fchmod(t, 0o640); print('low', oct(os.fstat(t).st_mode & 0o777))\n"
		       "r = os.open(sys.argv[1], os.O_RDONLY)\n"
		       "try: os.fchmod(r, 0o604); print('r ok')\n"
		       "except OSError as e: print('r E%d' % e.errno)\n",
		       rf, low);
	CHECK_STR(out, "low 0o640\nr E13\n");
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
	sandlock_sandbox_t *p = rw_policy(r, w);
	char *out =
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
	CHECK_STR(out, "r E13\nw ok\n");
	CHECK_EQ(inode_flags(rf), before);
	CHECK(inode_flags(wf) & FS_NODUMP_FL);
}

/* fchmodat and fchownat with a NULL path are no fd forms: the kernel
 * reads the path and answers EFAULT (only utimensat and futimesat act on
 * the fd then); the file under the -w tree is not changed. */
TEST(fdmeta_at_calls_with_null_path_fault)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	char *wf = victim(w, "f");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder_sys(), w));
	char *out =
	    py(p,
	       "import ctypes\n"
	       "libc = ctypes.CDLL(None, use_errno=True)\n"
	       "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
	       "for name, args in (('fchmodat', (268, fd, None, 0o604)),\n"
	       "                   ('fchmodat2', (452, fd, None, 0o604, 0x1000)),\n"
	       "                   ('fchownat', (260, fd, None, os.getuid(), os.getgid(), 0))):\n"
	       "    r = libc.syscall(*args)\n"
	       "    print(name, 'ok' if r == 0 else 'E%d' % ctypes.get_errno())\n",
	       wf, NULL);
	CHECK_CONTAINS(out, "fchmodat E14\n");
	CHECK_CONTAINS(out, "fchownat E14\n");
	CHECK(strstr(out, "fchmodat2 E14\n") || strstr(out, "fchmodat2 E38\n"));
	check_untouched(wf);
}

/* An O_PATH fd names a file but opens nothing: the kernel answers EBADF
 * to every fd form on it, under a -w tree too (the file keeps its mode,
 * times and xattrs). */
TEST(fdmeta_o_path_fd_ebadf)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	char *wf = victim(w, "f");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder_sys(), w));
	char *out = py(p, "calls('p', os.open(sys.argv[1], os.O_PATH))\n", wf, NULL);
	check_lines(out, "p", "E9");
	check_untouched(wf);
}

/* A hard link of a -r file made in a -w tree would make the file the
 * -w tree's (a change by either name is the one inode's): Landlock
 * refuses the link (it would gain write access: EXDEV, or EACCES), so
 * the -r file stays untouched through any name the sandbox can make. */
TEST(fdmeta_hard_link_of_read_file_refused)
{
	tc_need_python();
	char *r = tc_mkdir("r"), *w = tc_mkdir("w");
	char *rf = victim(r, "f");
	sandlock_sandbox_t *p = rw_policy(r, w);
	char *out = py(p,
		       "l = sys.argv[2] + '/l'\n"
		       "try: os.link(sys.argv[1], l); print('link ok')\n"
		       "except OSError as e: print('link E%d' % e.errno)\n"
		       "if os.path.exists(l): calls('l', os.open(l, os.O_RDONLY))\n",
		       rf, w);
	CHECK(strstr(out, "link E18\n") || strstr(out, "link E13\n"));
	check_untouched(rf);
}

/* A directory fd: the directory itself decides (a -r directory refused,
 * a -w one changed), and an fd of an --fs-deny directory inside a -w
 * tree (O_PATH: Landlock does not decide O_PATH opens) changes
 * nothing. */
TEST(fdmeta_directory_fds)
{
	tc_need_python();
	char *r = tc_mkdir("r"), *w = tc_mkdir("w");
	char *rd = tc_path(r, "d"), *wd = tc_path(w, "d"), *deny = tc_path(w, "deny");
	CHECK_EQ(mkdir(rd, 0700), 0);
	CHECK_EQ(mkdir(wd, 0700), 0);
	CHECK_EQ(mkdir(deny, 0700), 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), r);
	b = sandlock_sandbox_builder_fs_deny(sandlock_sandbox_builder_fs_write(b, w), deny);
	sandlock_sandbox_t *p = tc_build(b);
	char *out =
	    py(p,
	       "def ch(label, fd):\n"
	       "    try: os.fchmod(fd, 0o705); print(label, 'ok')\n"
	       "    except OSError as e: print(label, 'E%d' % e.errno)\n"
	       "    try: os.chmod('/proc/self/fd/%d' % fd, 0o705); print(label, 'proc ok')\n"
	       "    except OSError as e: print(label, 'proc E%d' % e.errno)\n"
	       "ch('r', os.open(sys.argv[1] + '/d', os.O_RDONLY | os.O_DIRECTORY))\n"
	       "ch('w', os.open(sys.argv[2] + '/d', os.O_RDONLY | os.O_DIRECTORY))\n"
	       "ch('deny', os.open(sys.argv[2] + '/deny', os.O_PATH))\n",
	       r, w);
	CHECK_CONTAINS(out, "r E13\n");
	CHECK_CONTAINS(out, "w ok\n");
	CHECK_CONTAINS(out, "deny E9\n");
	CHECK(!strstr(out, "r proc ok") && !strstr(out, "deny proc ok"));
	struct stat st;
	CHECK_EQ(stat(rd, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0700);
	CHECK_EQ(stat(deny, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0700);
	CHECK_EQ(stat(wd, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0705);
}

/* The swap of fdmeta_fd_swapped_between_trees with every fd form (a
 * chown to the file's own ids, a user xattr), without the layer and in
 * it: there the thread points fd 50 at the workdir's (lower) file and a
 * -r file outside in turn, and what is decided outside the workdir is
 * handed to the next feature, which reads fd 50 again.  Neither host
 * file changes (the layer's changes are dropped: on_exit abort). */
#define PY_SWAP                                                                                    \
	"import threading, time\n"                                                                 \
	"a = os.open(sys.argv[1], os.O_RDONLY)\n"                                                  \
	"b = os.open(sys.argv[2], os.O_RDONLY)\n"                                                  \
	"done = False\n"                                                                           \
	"def flip():\n"                                                                            \
	"    while not done:\n"                                                                    \
	"        os.dup2(a, 50); os.dup2(b, 50)\n"                                                 \
	"t = threading.Thread(target=flip); t.start()\n"                                           \
	"end = time.time() + 1.5\n"                                                                \
	"while time.time() < end:\n"                                                               \
	"    for call in (lambda: os.fchmod(50, 0o604), lambda: os.utime(50, (1, 1)),\n"           \
	"                 lambda: os.fchown(50, os.getuid(), os.getgid()),\n"                      \
	"                 lambda: os.setxattr(50, 'user.sl', b'1')):\n"                            \
	"        try: call()\n"                                                                    \
	"        except OSError: pass\n"                                                           \
	"done = True; t.join()\n"

TEST(fdmeta_fd_swapped_every_call_and_layer)
{
	tc_need_python();
	char *r = tc_mkdir("r"), *w = tc_mkdir("w"), *wd = tc_mkdir("wd"), *st = tc_mkdir("st");
	char *rf = victim(r, "f"), *low = victim(wd, "low");
	char *wf = victim(w, "f");
	sandlock_sandbox_t *p = rw_policy(r, w);
	py(p, PY_SWAP, rf, wf);
	check_untouched(rf);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(layer_builder(wd, st), r);
	p = tc_build(sandlock_sandbox_builder_on_exit(b, 1 /* abort */));
	py(p, PY_SWAP, rf, low);
	check_untouched(rf);
	check_untouched(low);
}

/* fs_isolation overlayfs: the fd's object is named in the sandbox's own
 * mount namespace (the overlay on the workdir).  A workdir file changes
 * in the overlay (the host's file untouched: on_exit abort), a -r file
 * is refused, a file unlinked in the overlay is the command's own, and
 * the swap of fd 50 between the two leaves the host's files as they
 * were. */
TEST(fdmeta_overlayfs_workdir_read_tree_and_swap)
{
	tc_need_python();
	char *r = tc_mkdir("r"), *wd = tc_mkdir("wd"), *st = tc_mkdir("st");
	char *rf = victim(r, "f"), *low = victim(wd, "low");
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), r);
	b = sandlock_sandbox_builder_fs_isolation(sandlock_sandbox_builder_workdir(b, wd), 1);
	b = sandlock_sandbox_builder_fs_storage(b, st);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_on_exit(b, 1 /* abort */));
	const char *argv[] = {
	    TC_PYTHON,
	    "-c",
	    tc_fmt("%s%s", PY_CALLS,
		   "calls('r', os.open(sys.argv[1], os.O_RDONLY))\n"
		   "t = os.open(sys.argv[2], os.O_RDONLY)\n"
		   "os.fchmod(t, 0o640); print('low', oct(os.fstat(t).st_mode & 0o777))\n"
		   "g = sys.argv[3] + '/gone'\n"
		   "u = os.open(g, os.O_CREAT | os.O_RDWR, 0o600); os.unlink(g)\n"
		   "os.fchmod(u, 0o640); print('gone ok')\n"),
	    rf,
	    low,
	    wd,
	    NULL};
	sandlock_result_t *run = sandlock_run(p, NULL, argv, 6);
	if (!run && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
		SKIP("no overlay for this caller here: %s", sandlock_last_error());
	struct tc_res res = tc_result(run);
	CHECK_EQ(res.code, 0);
	check_lines(res.out, "r", "E13");
	CHECK_CONTAINS(res.out, "low 0o640\ngone ok\n");
	check_untouched(rf);
	check_untouched(low);
	const char *swap[] = {TC_PYTHON, "-c", "import os, sys\n" PY_SWAP, rf, low, NULL};
	res = tc_result(sandlock_run(p, NULL, swap, 5));
	CHECK_EQ(res.code, 0);
	check_untouched(rf);
	check_untouched(low);
	/* the host's own lower file, handed in as stdin: no file of the
	 * sandbox's namespace (the overlay's has another device), refused */
	int in = open(low, O_RDONLY | O_CLOEXEC);
	CHECK(in >= 0 && dup2(in, 0) == 0);
	const char *host[] = {TC_PYTHON, "-c", tc_fmt("%s%s", PY_CALLS, "calls('in', 0)\n"), NULL};
	res = tc_result(sandlock_run(p, NULL, host, 3));
	CHECK_EQ(res.code, 0);
	check_lines(res.out, "in", "E13");
	check_untouched(low);
}

/* Under a -w tree the change is the kernel's with the command's
 * credentials, which hold no capability: a chown to other ids and the
 * xattr namespaces that want one (trusted.*, security.*) are refused
 * (EPERM), as root too; the file keeps its owner and has none of them. */
TEST(fdmeta_capability_changes_refused)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	char *wf = victim(w, "f");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder_sys(), w));
	char *out =
	    py(p,
	       "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
	       "for name, fn in (('chown', lambda: os.fchown(fd, 12345, 12345)),\n"
	       "                 ('trusted', lambda: os.setxattr(fd, 'trusted.sl', b'1')),\n"
	       "                 ('security', lambda: os.setxattr(fd, 'security.capability',\n"
	       "                                                  b'\\x01\\x00\\x00\\x02' + "
	       "b'\\xff' * 16))):\n"
	       "    try: fn(); print(name, 'ok')\n"
	       "    except OSError as e: print(name, 'E%d' % e.errno)\n",
	       wf, NULL);
	CHECK_CONTAINS(out, "chown E1\n");
	CHECK(strstr(out, "trusted E1\n") || strstr(out, "trusted E95\n"));
	CHECK(strstr(out, "security E1\n") || strstr(out, "security E95\n") ||
	      strstr(out, "security E22\n"));
	struct stat st;
	CHECK_EQ(stat(wf, &st), 0);
	CHECK_EQ(st.st_uid, getuid());
	char v[32];
	CHECK(getxattr(wf, "trusted.sl", v, sizeof(v)) < 0);
	CHECK(getxattr(wf, "security.capability", v, sizeof(v)) < 0);
}

/* utimensat and futimesat with a NULL path and AT_FDCWD: no fd to act
 * on, the kernel's EFAULT, with the layer and without. */
TEST(fdmeta_null_path_at_fdcwd_fault)
{
	tc_need_python();
	char *wd = tc_mkdir("wd"), *st = tc_mkdir("st");
	const char *body = "import ctypes\n"
			   "libc = ctypes.CDLL(None, use_errno=True)\n"
			   "for name, nr in (('utimensat', 280), ('futimesat', 261)):\n"
			   "    r = libc.syscall(nr, -100, None, None, 0)\n"
			   "    print(name, 'ok' if r == 0 else 'E%d' % ctypes.get_errno())\n";
	sandlock_sandbox_t *p = tc_build(tc_builder_sys());
	char *out = py(p, body, "", NULL);
	CHECK_STR(out, "utimensat E14\nfutimesat E14\n");
	p = tc_build(layer_builder(wd, st));
	out = py(p, body, "", NULL);
	CHECK_STR(out, "utimensat E14\nfutimesat E14\n");
}

/* In the layer, a file whose name ends in " (deleted)" (the kernel's
 * mark of a removed name, read from /proc) is no removed file when that
 * name still reaches it: the command's own new file changes, and a
 * workdir file so named is staged (the host's untouched after abort). */
TEST(fdmeta_layer_file_named_deleted)
{
	tc_need_python();
	char *wd = tc_mkdir("wd"), *st = tc_mkdir("st");
	char *low = victim(wd, "low (deleted)");
	sandlock_builder_t *b = layer_builder(wd, st);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_on_exit(b, 1 /* abort */));
	char *out =
	    py(p,
	       "n = os.open(sys.argv[2] + '/new (deleted)', os.O_CREAT | os.O_RDWR, 0o600)\n"
	       "os.fchmod(n, 0o640); print('new', oct(os.fstat(n).st_mode & 0o777))\n"
	       "t = os.open(sys.argv[1], os.O_RDONLY)\n"
	       "os.fchmod(t, 0o640); print('low', oct(os.fstat(t).st_mode & 0o777))\n",
	       low, wd);
	CHECK_STR(out, "new 0o640\nlow 0o640\n");
	check_untouched(low);
}

/* Files the host hands in over a unix socket (SCM_RIGHTS; here stdin):
 * one outside every granted tree, one of a -r tree.  Neither changes. */
TEST(fdmeta_fds_received_from_the_host)
{
	tc_need_python();
	char *o = tc_mkdir("o"), *r = tc_mkdir("r");
	char *of = victim(o, "f"), *rf = victim(r, "f");
	int sv[2];
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	int fds[2] = {open(of, O_RDONLY | O_CLOEXEC), open(rf, O_RDONLY | O_CLOEXEC)};
	CHECK(fds[0] >= 0 && fds[1] >= 0);
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} ctl = {{0}};
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.buf,
			   .msg_controllen = sizeof(ctl)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(h), fds, sizeof(fds));
	CHECK_EQ(sendmsg(sv[0], &m, 0), 1);
	CHECK_EQ(dup2(sv[1], 0), 0);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(tc_builder_sys(), r));
	char *out = py(p,
		       "import socket\n"
		       "s = socket.socket(fileno=0)\n"
		       "_, got, _, _ = socket.recv_fds(s, 1, 2)\n"
		       "calls('o', got[0]); calls('r', got[1])\n",
		       "", NULL);
	check_lines(out, "o", "E13");
	check_lines(out, "r", "E13");
	check_untouched(of);
	check_untouched(rf);
}
