/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attackrace.c - the seccomp copy-on-write layer's "checked, then left to
 * the kernel" answers under attack.  A call the supervisor decides on and
 * then continues is made again by the kernel on what the child names at
 * that later moment: the fd number (another thread dup2()s onto it), the
 * path buffer (another thread rewrites it).  Each test races such a
 * change against the call and looks for what the layer promises never
 * happens: a name removed in the layer listed again, the host's workdir
 * changed by an aborted run.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PY TC_PYTHON

/* A layer that aborts at the end (the host's workdir must stay as it
 * was); extra_read: a tree outside granted for reading (extra_write: for
 * writing); sorted: deterministic_dirs. */
static sandlock_sandbox_t *race_policy_rw(const char *w, const char *extra_read,
					  const char *extra_write, bool sorted)
{
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, w);
	b = sandlock_sandbox_builder_fs_isolation(b, 0);
	b = sandlock_sandbox_builder_fs_storage(b, tc_mkdir("storage"));
	b = sandlock_sandbox_builder_on_exit(b, 1);
	if (extra_read)
		b = sandlock_sandbox_builder_fs_read(b, extra_read);
	if (extra_write)
		b = sandlock_sandbox_builder_fs_write(b, extra_write);
	if (sorted)
		b = sandlock_sandbox_builder_deterministic_dirs(b, true);
	return tc_build(b);
}

static sandlock_sandbox_t *race_policy(const char *w, const char *extra_read, bool sorted)
{
	return race_policy_rw(w, extra_read, NULL, sorted);
}

static struct tc_res py(const sandlock_sandbox_t *p, const char *code, const char *arg)
{
	const char *argv[] = {PY, "-c", code, arg, NULL};
	return tc_result(sandlock_run(p, NULL, argv, 4));
}

/* getdents64 on fd 50 while a second thread points it at a directory
 * outside the workdir and at the layer's view of the workdir's root in
 * turn (dup2).  A call checked as "not the layer's" on the outside
 * directory and then continued would have the kernel list the fd's
 * directory as it is then: the host's workdir (or the upper) raw, with
 * the name the command removed. */
static const char dents_code[] =
    "import ctypes, os, sys, threading, time\n"
    "w, out = sys.argv[1].split(':')\n"
    "os.chdir(w); os.unlink('gone')\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "layer = os.open('.', os.O_RDONLY | os.O_DIRECTORY)\n"
    "other = os.open(out, os.O_RDONLY | os.O_DIRECTORY)\n"
    "done = False\n"
    "def flip():\n"
    "    while not done:\n"
    "        os.dup2(other, 50); os.dup2(layer, 50)\n"
    "t = threading.Thread(target=flip); t.start()\n"
    "buf = ctypes.create_string_buffer(8192)\n"
    "seen = set(); calls = 0\n"
    "end = time.time() + 2\n"
    "while time.time() < end:\n"
    "    for _ in range(50):\n"
    "        libc.lseek(50, 0, 0)\n"
    "        n = libc.syscall(217, 50, buf, 8192)\n"
    "        calls += 1\n"
    "        off = 0\n"
    "        while n > 0 and off < n:\n"
    "            rl = int.from_bytes(buf.raw[off + 16:off + 18], 'little')\n"
    "            seen.add(buf.raw[off + 19:off + rl].split(b'\\0')[0]); off += rl\n"
    "done = True; t.join()\n"
    "print('leak' if b'gone' in seen or b'1' in seen else 'clean', b'kept' in seen, b'out1' in "
    "seen)\n";

static void dents_race(bool sorted)
{
	tc_need_python();
	char *w = tc_mkdir("w"), *out = tc_mkdir("outside");
	tc_write_file(tc_path(w, "gone"), "SECRET\n", 0644);
	tc_write_file(tc_path(w, "kept"), "fine\n", 0644);
	tc_write_file(tc_path(out, "out1"), "x\n", 0644);
	sandlock_sandbox_t *p = race_policy(w, out, sorted);
	struct tc_res r = py(p, dents_code, tc_fmt("%s:%s", w, out));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "clean True True\n");
	CHECK_STR(tc_read_file(tc_path(w, "gone")), "SECRET\n"); /* aborted: the host's */
}

TEST(attackrace_getdents_fd_swapped)
{
	dents_race(false);
}

/* The same with deterministic_dirs, whose handler comes after the
 * layer's in the chain and takes the fd again. */
TEST(attackrace_getdents_fd_swapped_sorted)
{
	dents_race(true);
}

/* The host's file "victim" of the workdir w for the inode flag tests:
 * our read-only fd of it, its flags in *before (skips where the
 * filesystem has none). */
static int flagged_victim(const char *w, int *before)
{
	tc_need_python();
	struct stat sb;
	int hfd = open(tc_victim(w, "victim", &sb), O_RDONLY | O_CLOEXEC);
	CHECK(hfd >= 0);
	if (ioctl(hfd, FS_IOC_GETFLAGS, before) < 0) {
		close(hfd);
		SKIP("this filesystem has no inode flags (FS_IOC_GETFLAGS)");
	}
	return hfd;
}

/* The host file's flags as they were (hfd: flagged_victim's, closed). */
static void flags_kept(int hfd, int before)
{
	int after = -1;
	CHECK_EQ(ioctl(hfd, FS_IOC_GETFLAGS, &after), 0);
	close(hfd);
	CHECK_EQ(after, before);
}

/* The inode flags of a file the command opened for reading in the
 * workdir: its fd is the host's file (a read open is served from the
 * lower), and FS_IOC_SETFLAGS needs only ownership, no write access, so
 * the kernel would set them on the host's file, past the layer and the
 * abort.  Refused (EPERM); an upper file of the layer's and a file
 * outside the workdir take them as the kernel gives them. */
TEST(attackrace_inode_flags_of_a_workdir_file)
{
	char *w = tc_mkdir("w");
	int before = 0, hfd = flagged_victim(w, &before);
	sandlock_sandbox_t *p = race_policy(w, NULL, false);
	static const char code[] =
	    "import array, fcntl, os, sys\n"
	    "os.chdir(sys.argv[1])\n"
	    "GET, SET, NODUMP = 0x80086601, 0x40086602, 0x40\n"
	    "def flip(name, flags):\n"
	    "    fd = os.open(name, flags)\n"
	    "    a = array.array('l', [0])\n"
	    "    try:\n"
	    "        fcntl.ioctl(fd, GET, a, True); a[0] |= NODUMP\n"
	    "        fcntl.ioctl(fd, SET, a, True); return 'OK'\n"
	    "    except OSError as e: return 'E%d' % e.errno\n"
	    "    finally: os.close(fd)\n"
	    "print(flip('victim', os.O_RDONLY), flip('mine', os.O_RDWR | os.O_CREAT))\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "E1 OK\n");
	flags_kept(hfd, before);
	CHECK(!tc_exists(tc_path(w, "mine")));
}

/* The same ioctl while a second thread points the fd number at an upper
 * file and at the host's file in turn (dup2): one checked on the upper
 * file and then continued would set the host's flags.  Each is made on
 * the supervisor's duplicate of the child's file, proven the object
 * checked. */
TEST(attackrace_inode_flags_fd_swapped)
{
	char *w = tc_mkdir("w");
	int before = 0, hfd = flagged_victim(w, &before);
	sandlock_sandbox_t *p = race_policy(w, NULL, false);
	static const char code[] =
	    "import array, fcntl, os, sys, threading, time\n"
	    "os.chdir(sys.argv[1])\n"
	    "SET, NODUMP = 0x40086602, 0x40\n" TC_PY_DUP2_FLIP(
		"victim") "a = array.array('l', [NODUMP]); ok = 0\n"
			  "end = time.time() + 1.5\n"
			  "while time.time() < end:\n"
			  "    for _ in range(100):\n"
			  "        try: fcntl.ioctl(50, SET, a, True); ok += 1\n"
			  "        except OSError: pass\n"
			  "done = True; t.join()\n"
			  "print(ok > 0)\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "True\n");
	flags_kept(hfd, before);
}

/* getxattr while a second thread rewrites the path between a name
 * outside the workdir and a file the command removed in the layer: a
 * call decided "not the layer's" on the first and then continued would
 * have the kernel read the removed file's xattr by name (Landlock has no
 * right for it).  It is made on the path read once.  (readlink is left
 * to the kernel, as stat is: a removed symlink's target can be read that
 * way, never a file's content.) */
TEST(attackrace_xattr_path_rewritten)
{
	tc_need_python();
	char *w = tc_mkdir("w"), *out = tc_mkdir("outside");
	char *xf = tc_path(w, "xgone");
	tc_write_file(xf, "x\n", 0644);
	if (setxattr(xf, "user.k", "SECRET-VALUE", 12, 0) != 0)
		SKIP("no user xattrs on this filesystem");
	tc_write_file(tc_path(out, "xf"), "x\n", 0644);
	CHECK_EQ(setxattr(tc_path(out, "xf"), "user.k", "fine", 4, 0), 0);
	sandlock_sandbox_t *p = race_policy(w, out, false);
	static const char code[] =
	    "import ctypes, os, sys, threading, time\n"
	    "w, out = sys.argv[1].split(':')\n"
	    "os.unlink(w + '/xgone')\n"
	    "libc = ctypes.CDLL(None, use_errno=True)\n"
	    "xa, xb = (out + '/xf').encode(), (w + '/xgone').encode()\n"
	    "size = max(len(xa), len(xb)) + 1\n"
	    "xbuf = ctypes.create_string_buffer(size); ctypes.memmove(xbuf, xa, len(xa))\n"
	    "done = False\n"
	    "def flip():\n"
	    "    while not done:\n"
	    "        for n in (xb, xa):\n"
	    "            ctypes.memset(xbuf, 0, size); ctypes.memmove(xbuf, n, len(n))\n"
	    "t = threading.Thread(target=flip); t.start()\n"
	    "seen = set(); out_buf = ctypes.create_string_buffer(256)\n"
	    "end = time.time() + 2\n"
	    "while time.time() < end:\n"
	    "    for _ in range(100):\n"
	    "        n = libc.getxattr(xbuf, b'user.k', out_buf, 255)\n"
	    "        if n > 0: seen.add(out_buf.raw[:n])\n"
	    "done = True; t.join()\n"
	    "print('leak' if any(s.startswith(b'SECRET') for s in seen) else 'clean', b'fine' in "
	    "seen)\n";
	struct tc_res r = py(p, code, tc_fmt("%s:%s", w, out));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "clean True\n");
	char v[32] = {0};
	CHECK_EQ(getxattr(xf, "user.k", v, sizeof(v) - 1), 12); /* aborted: the host's */
}

/* truncate while a second thread rewrites the path between a file in a
 * writable tree outside and the host's file in the workdir: one decided
 * "not the layer's" and continued would have the kernel cut the host's
 * file wherever Landlock has no truncate right (ABI < 3, degraded).  It
 * is made on the path read once, on the object, granted only under a
 * writable tree: the outside file is cut, the workdir's never. */
TEST(attackrace_truncate_path_rewritten)
{
	tc_need_python();
	char *w = tc_mkdir("w"), *out = tc_mkdir("outw");
	tc_write_file(tc_path(w, "victim"), "data\n", 0644);
	tc_write_file(tc_path(out, "f"), "outside\n", 0644);
	sandlock_sandbox_t *p = race_policy_rw(w, NULL, out, false);
	static const char code[] =
	    "import ctypes, os, sys, threading, time\n"
	    "w, out = sys.argv[1].split(':')\n"
	    "libc = ctypes.CDLL(None, use_errno=True)\n"
	    "a, b = (out + '/f').encode(), (w + '/victim').encode()\n"
	    "size = max(len(a), len(b)) + 1\n"
	    "buf = ctypes.create_string_buffer(size)\n"
	    "done = False\n"
	    "def flip():\n"
	    "    while not done:\n"
	    "        for n in (a, b):\n"
	    "            ctypes.memset(buf, 0, size); ctypes.memmove(buf, n, len(n))\n"
	    "t = threading.Thread(target=flip); t.start()\n"
	    "ok = 0; end = time.time() + 1.5\n"
	    "while time.time() < end:\n"
	    "    for _ in range(100):\n"
	    "        if libc.truncate(buf, ctypes.c_long(0)) == 0: ok += 1\n"
	    "done = True; t.join()\n"
	    "print(ok > 0, os.path.getsize(out + '/f'))\n";
	struct tc_res r = py(p, code, tc_fmt("%s:%s", w, out));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "True 0\n");
	CHECK_STR(tc_read_file(tc_path(w, "victim")), "data\n");
}

/* The same race between the layer's root and /proc, whose listing the
 * /proc view filters (a handler after the layer's in the chain): neither
 * the removed name nor a process outside the sandbox (the host's init,
 * pid 1) is ever listed. */
TEST(attackrace_getdents_proc_view_kept)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "gone"), "SECRET\n", 0644);
	tc_write_file(tc_path(w, "kept"), "fine\n", 0644);
	sandlock_sandbox_t *p = race_policy(w, "/proc", false);
	struct tc_res r = py(p, dents_code, tc_fmt("%s:/proc", w));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "clean True False\n");
	static const char code[] = "import os\n"
				   "names = os.listdir('/proc')\n"
				   "print('1' in names, str(os.getpid()) in names)\n";
	r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "False True\n");
}

/* An O_PATH open cannot be answered with an injected fd (the kernel's
 * fget refuses an O_PATH file), so one outside the workdir is continued:
 * a thread rewriting the path in between gets an O_PATH fd of a program
 * the layer removed, and fexecve (execveat AT_EMPTY_PATH, continued as
 * an open file's exec) tries it: Landlock gives the workdir no right, so
 * the removed program never runs.  Every other call through the fd is
 * placed again by its kernel name (ENOENT). */
TEST(attackrace_opath_exec_of_a_removed_program)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	char *prog = tc_path(w, "prog");
	FILE *f = fopen(prog, "w");
	CHECK(f != NULL);
	int in = open("/bin/echo", O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t n;
	while (in >= 0 && (n = read(in, chunk, sizeof(chunk))) > 0)
		CHECK_EQ(fwrite(chunk, 1, (size_t)n, f), (size_t)n);
	close(in);
	fclose(f);
	CHECK_EQ(chmod(prog, 0755), 0);
	sandlock_sandbox_t *p = race_policy(w, NULL, false);
	static const char code[] =
	    "import ctypes, os, sys, threading, time\n"
	    "w = sys.argv[1]\n"
	    "os.unlink(w + '/prog')\n"
	    "libc = ctypes.CDLL(None, use_errno=True)\n"
	    "a, b = b'/etc/passwd', (w + '/prog').encode()\n"
	    "size = max(len(a), len(b)) + 1\n"
	    "buf = ctypes.create_string_buffer(size)\n"
	    "done = False\n"
	    "def flip():\n"
	    "    while not done:\n"
	    "        for n in (a, b):\n"
	    "            ctypes.memset(buf, 0, size); ctypes.memmove(buf, n, len(n))\n"
	    "t = threading.Thread(target=flip); t.start()\n"
	    "got = None; end = time.time() + 3\n"
	    "while got is None and time.time() < end:\n"
	    "    fd = libc.open(buf, os.O_PATH)\n"
	    "    if fd < 0: continue\n"
	    "    try: os.fstat(fd); os.close(fd)\n"
	    "    except OSError: got = fd  # placed: the layer's removed name\n"
	    "done = True; t.join()\n"
	    "out = b''\n"
	    "if got is not None:\n"
	    "    r, wr = os.pipe(); pid = os.fork()\n"
	    "    if pid == 0:\n"
	    "        os.dup2(wr, 1)\n"
	    "        try: os.execve(got, ['prog', 'RAN'], {})\n"
	    "        finally: os._exit(1)\n"
	    "    os.close(wr); out = os.read(r, 64); os.waitpid(pid, 0)\n"
	    "print('leak' if b'RAN' in out else 'clean')\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "clean\n");
	CHECK(tc_exists(prog)); /* aborted: the host's */
}

/* A relative path that leaves the workdir by ".." from the cwd (the
 * layer's answer: outside) and comes back in through a symlink outside:
 * the on-behalf core resolves it on the host's names, so the object it
 * meets is the lower's; a stat, readlink or access of it is the layer's
 * by that object's name (a removed name stays removed, a chmod made in
 * the layer shows), never the host's entry. */
TEST(attackrace_symlink_outside_back_in)
{
	tc_need_python();
	char *w = tc_mkdir("w"), *out = tc_mkdir("outlink");
	CHECK_EQ(symlink("T1", tc_path(w, "gone")), 0);
	tc_write_file(tc_path(w, "g"), "hi\n", 0644);
	tc_write_file(tc_path(w, "f"), "x\n", 0644);
	CHECK_EQ(symlink(w, tc_path(out, "lnk")), 0);
	sandlock_sandbox_t *p = race_policy(w, out, false);
	static const char code[] =
	    "import os, sys\n"
	    "w, out = sys.argv[1].split(':')\n"
	    "os.unlink(w + '/gone'); os.unlink(w + '/g'); os.chmod(w + '/f', 0o600)\n"
	    "os.chdir(w)\n"
	    "o = '../' + os.path.basename(out) + '/lnk'\n"
	    "r = []\n"
	    "for f in (lambda: os.readlink(o + '/gone'), lambda: os.stat(o + '/g').st_size,\n"
	    "          lambda: os.access(o + '/g', os.F_OK), lambda: oct(os.stat(o + '/f').st_mode "
	    "& 0o777)):\n"
	    "    try: r.append(str(f()))\n"
	    "    except OSError as e: r.append('E%d' % e.errno)\n"
	    "print(' '.join(r))\n";
	struct tc_res r = py(p, code, tc_fmt("%s:%s", w, out));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "E2 E2 False 0o600\n");
	CHECK_STR(tc_read_file(tc_path(w, "g")), "hi\n"); /* aborted: the host's */
}
