/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attacklayer.c - the seccomp copy-on-write layer (workdir with
 * fs_isolation none) under attack.  The supervisor serves every path call
 * that lands in the workdir; the kernel may only read it (Landlock).  A
 * hostile command must not change the host's workdir (only the commit
 * does, from the layer), must not read a file it removed in the layer by
 * any route, and must not steer a decision with memory it rewrites after
 * the call, a directory swapped for a symlink, "..", or /proc/self/cwd.
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PY TC_PYTHON

/* on_exit: 0 commit, 1 abort. */
static sandlock_sandbox_t *layer_policy(const char *w, int on_exit, const char *extra_read)
{
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, w);
	b = sandlock_sandbox_builder_fs_isolation(b, 0);
	b = sandlock_sandbox_builder_fs_storage(b, tc_mkdir("storage"));
	b = sandlock_sandbox_builder_on_exit(b, (uint8_t)on_exit);
	if (extra_read)
		b = sandlock_sandbox_builder_fs_read(b, extra_read);
	return tc_build(b);
}

static struct tc_res py(const sandlock_sandbox_t *p, const char *code, const char *arg)
{
	const char *argv[] = {PY, "-c", code, arg, NULL};
	return tc_result(sandlock_run(p, NULL, argv, 4));
}

/* Python: while a thread copies each of names in turn into buf, 6000
 * opens of buf, the first 64 bytes of what each opened in seen. */
#define FLIP_AND_OPEN                                                                              \
	"size = max(len(n) for n in names)\n"                                                      \
	"buf = ctypes.create_string_buffer(size)\n"                                                \
	"done = False\n"                                                                           \
	"def flip():\n"                                                                            \
	"    i = 0\n"                                                                              \
	"    while not done:\n"                                                                    \
	"        n = names[i % len(names)]; ctypes.memmove(buf, n, len(n)); i += 1\n"              \
	"t = threading.Thread(target=flip); t.start()\n"                                           \
	"seen = set()\n"                                                                           \
	"for _ in range(6000):\n"                                                                  \
	"    fd = libc.open(buf, os.O_RDONLY)\n"                                                   \
	"    if fd >= 0:\n"                                                                        \
	"        seen.add(os.read(fd, 64)); os.close(fd)\n"                                        \
	"done = True; t.join()\n"

/* A second thread rewrites the path buffer while the first opens it, over
 * and over: between a name outside the workdir (not a view: an open the
 * supervisor continues, Landlock deciding), a name in it, and a file the
 * command removed in the layer.  A continued open that the rewrite turns
 * into the workdir's meets Landlock, which gives the workdir no right:
 * the removed file's content never comes back, whatever the timing. */
TEST(attacklayer_path_rewritten_after_the_call)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "gone"), "SECRET\n", 0644);
	tc_write_file(tc_path(w, "here"), "fine\n", 0644);
	sandlock_sandbox_t *p = layer_policy(w, 1, NULL);
	static const char code[] =
	    "import ctypes, os, sys, threading\n"
	    "os.chdir(sys.argv[1]); os.unlink('gone')\n"
	    "libc = ctypes.CDLL(None, use_errno=True)\n"
	    "names = [b'/etc/passwd\\0', (sys.argv[1] + '/gone\\0').encode(), b'/etc/passwd\\0',\n"
	    "         b'gone\\0', b'/etc/passwd\\0', b'/proc/self/cwd/gone\\0', "
	    "b'here\\0']\n" FLIP_AND_OPEN
	    "print('leak' if any(b'SECRET' in s for s in seen) else 'clean', len(seen) > 0)\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "clean True\n");
	CHECK_STR(tc_read_file(tc_path(w, "gone")), "SECRET\n"); /* aborted: the host's */
}

/* A directory swapped for a symlink to a directory outside, over and
 * over, while another thread writes and reads through the name: nothing
 * outside is written (the outside tree is not granted) or read, and the
 * host's workdir is unchanged by an aborted run. */
TEST(attacklayer_dir_swapped_for_a_symlink)
{
	tc_need_python();
	char *w = tc_mkdir("w"), *out = tc_mkdir("outside");
	CHECK_EQ(mkdir(tc_path(w, "d"), 0755), 0);
	tc_write_file(tc_path(w, "d/f"), "inside\n", 0644);
	tc_write_file(tc_path(out, "f"), "OUTSIDE\n", 0644);
	sandlock_sandbox_t *p = layer_policy(w, 1, NULL);
	static const char code[] =
	    "import os, sys, threading\n"
	    "w, out = sys.argv[1].split(':')\n"
	    "os.chdir(w)\n"
	    "done = False\n"
	    "def swap():\n"
	    "    while not done:\n"
	    "        try:\n"
	    "            os.rename('d', 'd2'); os.symlink(out, 'd')\n"
	    "            os.unlink('d'); os.rename('d2', 'd')\n"
	    "        except OSError: pass\n"
	    "t = threading.Thread(target=swap); t.start()\n"
	    "seen = set(); wrote = 0\n"
	    "for i in range(2000):\n"
	    "    try:\n"
	    "        with open('d/f') as f: seen.add(f.read())\n"
	    "    except OSError: pass\n"
	    "    try:\n"
	    "        with open('d/f', 'w') as f: f.write('mine\\n'); wrote += 1\n"
	    "    except OSError: pass\n"
	    "done = True; t.join()\n"
	    "print('leak' if 'OUTSIDE\\n' in seen else 'clean', wrote > 0)\n";
	char *arg = tc_fmt("%s:%s", w, out);
	struct tc_res r = py(p, code, arg);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "clean True\n");
	CHECK_STR(tc_read_file(tc_path(out, "f")), "OUTSIDE\n");
	CHECK_STR(tc_read_file(tc_path(w, "d/f")), "inside\n");
	struct stat st;
	CHECK_EQ(lstat(tc_path(w, "d"), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
}

/* ".." out of the workdir and back in, /proc/self/cwd, /proc/self/root,
 * a symlink outside that leads back in: each names the layer's view (a
 * removed file stays removed), and a write out through ".." meets the
 * policy (the parent is not granted). */
TEST(attacklayer_dotdot_and_proc_self_cwd)
{
	tc_need_python();
	char *w = tc_mkdir("w"), *out = tc_mkdir("outside3");
	tc_write_file(tc_path(w, "gone"), "SECRET\n", 0644);
	CHECK_EQ(symlink(tc_path(w, "gone"), tc_path(out, "back")), 0);
	sandlock_sandbox_t *p = layer_policy(w, 1, out);
	static const char code[] =
	    "import errno, os, sys\n"
	    "w = sys.argv[1]; base = os.path.basename(w)\n"
	    "os.chdir(w); os.unlink('gone')\n"
	    "open('new', 'w').write('n\\n')\n"
	    "res = []\n"
	    "for p in ['../%s/gone' % base, '/proc/self/cwd/gone', '/proc/self/root' + w + "
	    "'/gone',\n"
	    "          '/proc/self/cwd/../%s/gone' % base, w + '/../%s/gone' % base,\n"
	    "          sys.argv[2] + '/back', 'sub/../gone']:\n"
	    "    try: open(p).read(); res.append('READ ' + p)\n"
	    "    except OSError as e: res.append(errno.errorcode[e.errno])\n"
	    "for p in ['../%s/new' % base, '/proc/self/cwd/new']:\n"
	    "    res.append(open(p).read().strip())\n"
	    "try: open('../escaped', 'w').write('x'); res.append('WROTE')\n"
	    "except OSError as e: res.append(errno.errorcode[e.errno])\n"
	    "print(' '.join(res))\n";
	const char *argv[] = {PY, "-c", code, w, out, NULL};
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 5));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT n n EACCES\n");
	CHECK(!tc_exists(tc_path(th_tmpdir(), "escaped")));
	CHECK_STR(tc_read_file(tc_path(w, "gone")), "SECRET\n");
}

/* The same with the workdir inside a tree the policy lets the command
 * read (the grant is expanded around the workdir), a file the run
 * changed, and opens of the parent's other files continued: the lower's
 * old content never comes back, the parent's files still read. */
TEST(attacklayer_changed_file_under_a_read_tree_race)
{
	tc_need_python();
	char *parent = tc_mkdir("parent");
	char *w = tc_path(parent, "w");
	CHECK_EQ(mkdir(w, 0755), 0);
	tc_write_file(tc_path(w, "f"), "OLDCONTENT\n", 0644);
	tc_write_file(tc_path(parent, "sib"), "sibling\n", 0644);
	sandlock_sandbox_t *p = layer_policy(w, 1, parent);
	static const char code[] =
	    "import ctypes, os, sys, threading\n"
	    "w = sys.argv[1]; parent = os.path.dirname(w)\n"
	    "open(w + '/f', 'w').write('NEW\\n')\n"
	    "libc = ctypes.CDLL(None, use_errno=True)\n"
	    "names = [(parent + '/sib\\0').encode(), (w + '/f\\0').encode()]\n" FLIP_AND_OPEN
	    "print('leak' if b'OLDCONTENT\\n' in seen else 'clean', sorted(seen))\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "clean [b'NEW\\n', b'sibling\\n']\n");
	CHECK_STR(tc_read_file(tc_path(w, "f")), "OLDCONTENT\n");
}

/* A file of the workdir opened read-only hands the command the host's
 * inode: fchmod, fchown, futimens, fsetxattr and fremovexattr on that fd
 * are made by name in the layer (the view shows them), never on the
 * host's file (unchanged after an aborted run). */
TEST(attacklayer_fd_metadata_on_a_lower_file)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	struct stat before;
	char *f = tc_victim(w, "f", &before);
	sandlock_sandbox_t *p = layer_policy(w, 1, NULL);
	static const char code[] =
	    "import os, sys\n"
	    "os.chdir(sys.argv[1])\n"
	    "fd = os.open('f', os.O_RDONLY)\n"
	    "os.fchmod(fd, 0o600)\n"
	    "os.utime(fd, (1, 1))\n"
	    "xa = 'none'\n"
	    "try: os.setxattr(fd, 'user.mark', b'v'); xa = os.getxattr('f', 'user.mark').decode()\n"
	    "except OSError as e: xa = 'E%d' % e.errno\n"
	    "st = os.stat('f')\n"
	    "print(oct(st.st_mode & 0o777), int(st.st_mtime), xa)\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	/* user xattrs need a filesystem that has them (tmpfs does, as
	 * ext4): the view shows the change either way */
	CHECK(!strcmp(r.out, "0o600 1 v\n") || !strncmp(r.out, "0o600 1 E", 9));
	struct stat after;
	CHECK_EQ(stat(f, &after), 0);
	CHECK_EQ(after.st_mode, before.st_mode);
	CHECK_EQ(after.st_mtime, before.st_mtime);
	CHECK(getxattr(f, "user.mark", NULL, 0) < 0);
}

/* The same calls while a second thread points the fd number at an upper
 * file and at the host's file in turn (dup2): a call checked on the
 * upper file and then continued would reach the host's file.  Each is
 * made on the supervisor's own fd of the object it checked.  An O_PATH
 * fd gets EBADF, as from the kernel. */
TEST(attacklayer_fd_metadata_fd_swapped)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	struct stat before;
	char *f = tc_victim(w, "victim", &before);
	sandlock_sandbox_t *p = layer_policy(w, 1, NULL);
	static const char code[] =
	    "import os, sys, threading, time\n"
	    "os.chdir(sys.argv[1])\n" TC_PY_DUP2_FLIP(
		"victim") "end = time.time() + 1.5\n"
			  "while time.time() < end:\n"
			  "    for _ in range(100):\n"
			  "        for call in (lambda: os.fchmod(50, 0o600), lambda: os.utime(50, "
			  "(1, 1)),\n"
			  "                     lambda: os.chown(50, os.getuid(), os.getgid())):\n"
			  "            try: call()\n"
			  "            except OSError: pass\n"
			  "done = True; t.join()\n"
			  "o = os.open('/etc/passwd', os.O_PATH)\n"
			  "try: os.fchmod(o, 0o600); print('fchmod on O_PATH worked')\n"
			  "except OSError as e: print('E%d' % e.errno)\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "E9\n");
	struct stat after;
	CHECK_EQ(stat(f, &after), 0);
	CHECK_EQ(after.st_mode, before.st_mode);
	CHECK_EQ(after.st_mtime, before.st_mtime);
	CHECK(!tc_exists(tc_path(w, "u")));
}

/* Through an fd of a file the run made: a mode, times and a chown to
 * the ids it has are the owner's own (the supervisor makes them as is);
 * a chown to other ids needs a capability the sandbox has none of, root
 * or not: EPERM, the file's owner unchanged. */
TEST(attacklayer_fd_metadata_owner_only)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	sandlock_sandbox_t *p = layer_policy(w, 0, NULL);
	static const char code[] =
	    "import os, sys\n"
	    "os.chdir(sys.argv[1])\n"
	    "fd = os.open('made', os.O_CREAT | os.O_WRONLY, 0o600)\n"
	    "os.fchmod(fd, 0o640); os.utime(fd, (7, 7))\n"
	    "os.fchown(fd, os.getuid(), os.getgid())\n"
	    "try: os.fchown(fd, os.getuid() + 1, -1); print('chown worked')\n"
	    "except OSError as e: print('E%d' % e.errno)\n"
	    "st = os.stat('made'); print(oct(st.st_mode & 0o777), int(st.st_mtime), st.st_uid == "
	    "os.getuid())\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "E1\n0o640 7 True\n");
	struct stat sb;
	CHECK_EQ(stat(tc_path(w, "made"), &sb), 0); /* committed */
	CHECK_EQ(sb.st_uid, getuid());
	CHECK_EQ(sb.st_mode & 0777, 0640);
}

/* A removed file is gone by every route: open, stat, access, readlink
 * of a symlink to it, the listing, exec, a symlink outside leading back;
 * an fd opened before the removal still reads (the open file). */
TEST(attacklayer_removed_file_gone_by_every_route)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "gone"), "SECRET\n", 0644);
	tc_write_file(tc_path(w, "run.sh"), "#!/bin/sh\necho RAN\n", 0755);
	sandlock_sandbox_t *p = layer_policy(w, 1, NULL);
	static const char code[] = "import errno, os, subprocess, sys\n"
				   "os.chdir(sys.argv[1])\n"
				   "old = os.open('gone', os.O_RDONLY)\n"
				   "os.unlink('gone'); os.unlink('run.sh')\n"
				   "res = []\n"
				   "def e(f):\n"
				   "    try: f(); res.append('OK')\n"
				   "    except OSError as x: res.append(errno.errorcode[x.errno])\n"
				   "e(lambda: open('gone').read())\n"
				   "e(lambda: os.stat('gone'))\n"
				   "e(lambda: os.lstat(sys.argv[1] + '/gone'))\n"
				   "res.append(str(os.access('gone', os.F_OK)))\n"
				   "e(lambda: subprocess.run(['./run.sh']))\n"
				   "e(lambda: subprocess.run([sys.argv[1] + '/run.sh']))\n"
				   "res.append(','.join(sorted(os.listdir('.'))) or '-')\n"
				   "res.append(os.read(old, 64).decode().strip())\n"
				   "print(' '.join(res))\n";
	struct tc_res r = py(p, code, w);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "ENOENT ENOENT ENOENT False ENOENT ENOENT - SECRET\n");
	CHECK_STR(tc_read_file(tc_path(w, "gone")), "SECRET\n");
}

/* What the layer makes can be used: a script written in the layer runs
 * (the kernel executes it from the upper, which Landlock lets it read and
 * execute), a directory made there can be entered, and the commit brings
 * both to the host.  (The shell's logical $PWD is the text of its chdir,
 * which the layer may rewrite to reach the upper: pwd -P asks getcwd.) */
TEST(attacklayer_exec_and_chdir_in_the_layer)
{
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "src"), 0755), 0);
	sandlock_sandbox_t *p = layer_policy(w, 0, NULL);
	char *cmd =
	    tc_fmt("cd %s && mkdir build && printf '#!/bin/sh\\necho ran $1\\n' > build/tool.sh"
		   " && chmod +x build/tool.sh && %s/build/tool.sh a && cd src && pwd -P && "
		   "../build/tool.sh b > out",
		   w, w);
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 3));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s", r.err);
	CHECK_STR(r.out, tc_fmt("ran a\n%s/src\n", w));
	CHECK_STR(tc_read_file(tc_path(w, "src/out")), "ran b\n");
	CHECK(access(tc_path(w, "build/tool.sh"), X_OK) == 0);
}
