/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attackcowsec.c - the seccomp copy-on-write layer (a workdir with
 * fs_isolation none) under attack from inside: the command tries every
 * route out of the workdir for writing (symlinks planted or made in the
 * run, ".." chains, /proc's magic links, fds, hard links, renames with
 * flags, the upper's own path, overlayfs's xattrs), every route back to
 * a file it removed, races on the path and the tree, bad pointers, huge
 * trees, concurrent copy-ups, max_disk and a kill in the middle.  Each
 * test asserts the safe outcome: the host's workdir and a file outside
 * byte for byte as they were after an abort, only the intended change
 * after a commit, a removed file gone by every route, the supervisor
 * alive.  A test that exposes a hole the layer still has skips at its
 * start with "known hole: ..." unless SANDLOCK_TEST_KNOWN_HOLES is set
 * (then it runs and fails until the hole is closed).  The attempts each
 * script makes and what they got: ATTACKCOWSEC_VERBOSE=1.
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PY TC_PYTHON

/* What every attack script starts with: W (the workdir, also its cwd),
 * O (a directory outside), S (the storage), T (a writable tree outside,
 * or "-"); t() runs one attempt and prints "NAME ok" or "NAME ERRNO". */
static const char prelude_py[] =
    "import ctypes, errno, mmap, os, socket, stat, sys, threading\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "W, O, S, T = sys.argv[1:5]\n"
    "ARGS = sys.argv[5:]\n"
    "os.chdir(W)\n"
    "PID = os.getpid()\n"
    "def en(e): return errno.errorcode.get(e, str(e))\n"
    "def t(name, fn, *a):\n"
    "    try:\n"
    "        r = fn(*a)\n"
    "        print(name, 'ok', flush=True)\n"
    "        return r if r is not None else True\n"
    "    except OSError as e:\n"
    "        print(name, en(e.errno), flush=True)\n"
    "        return None\n"
    "def cc(name, r):\n"
    "    e = ctypes.get_errno()\n"
    "    print(name, 'ok' if r >= 0 else en(e), flush=True)\n"
    "    return r\n"
    "def wr(p, fl=os.O_WRONLY | os.O_TRUNC):\n"
    "    fd = os.open(p, fl, 0o666)\n"
    "    try: os.write(fd, b'PWNED')\n"
    "    finally: os.close(fd)\n"
    "def app(p): wr(p, os.O_WRONLY | os.O_APPEND)\n"
    "def creat(p): wr(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL)\n"
    "def rd(p):\n"
    "    with open(p, 'rb') as f: return f.read()\n"
    "def bindsock(p):\n"
    "    s = socket.socket(socket.AF_UNIX)\n"
    "    try: s.bind(p)\n"
    "    finally: s.close()\n"
    "def tmpf(d):\n"
    "    fd = os.open(d, os.O_TMPFILE | os.O_WRONLY, 0o600)\n"
    "    os.write(fd, b'PWNED')\n"
    "    r = libc.linkat(-100, b'/proc/self/fd/%d' % fd, -100, (d + '/tl').encode(), 0x400)\n"
    "    e = ctypes.get_errno(); os.close(fd)\n"
    "    if r: raise OSError(e, 'linkat')\n"
    "def o2w(p, res=0):\n"
    "    how = (ctypes.c_uint64 * 3)(os.O_WRONLY | os.O_TRUNC, 0, res)\n"
    "    r = libc.syscall(437, -100, p.encode(), how, 24)\n"
    "    if r < 0: raise OSError(ctypes.get_errno(), p)\n"
    "    os.write(r, b'PWNED'); os.close(r)\n"
    "def file_attacks(p):\n"
    "    for n, f, a in (('write', wr, (p,)), ('append', app, (p,)),\n"
    "                    ('rdwr', wr, (p, os.O_RDWR)), ('truncate', os.truncate, (p, 0)),\n"
    "                    ('chmod', os.chmod, (p, 0o600)), ('utime', os.utime, (p, (1, 1))),\n"
    "                    ('setxattr', os.setxattr, (p, 'user.pwn', b'1')),\n"
    "                    ('link', os.link, (p, W + '/hl')), ('openat2', o2w, (p,)),\n"
    "                    ('openat2-beneath', o2w, (p, 0x08)), ('openat2-root', o2w, (p, 0x10))):\n"
    "        t(n + ' ' + p, f, *a)\n"
    "    if os.path.lexists(W + '/hl'):\n"
    "        t('write-hl ' + p, wr, W + '/hl'); t('rm-hl', os.unlink, W + '/hl')\n"
    "def file_destroy(p):\n"
    "    t('rename ' + p, os.rename, p, W + '/mv')\n"
    "    t('unlink ' + p, os.unlink, p)\n"
    "def dir_attacks(p, tmp=False):  # O_TMPFILE: tmpfile_outside_keeps_the_supervisor\n"
    "    for n, f, a in (('creat', creat, (p + '/new',)), ('mkdir', os.mkdir, (p + '/nd',)),\n"
    "                    ('symlink', os.symlink, ('x', p + '/ns')),\n"
    "                    ('fifo', os.mkfifo, (p + '/nf',)), ('bind', bindsock, (p + '/nsock',)),\n"
    "                    ('link-in', os.link, (W + '/f', p + '/nl')),\n"
    "                    ('write-in', wr, (p + '/secret',)), ('tmpfile', tmpf, (p,)),\n"
    "                    ('chmod', os.chmod, (p, 0o700)),\n"
    "                    ('rename-in', os.rename, (W + '/f', p + '/nr')),\n"
    "                    ('rmsecret', os.unlink, (p + '/secret',))):\n"
    "        if tmp or n != 'tmpfile': t(n + ' ' + p, f, *a)\n"
    "\n";

static char *mkscript(const char *name, const char *body)
{
	return tc_script(name, prelude_py, body);
}

/* A tree as text, outside any sandbox: owners and modification times
 * included (tc_tree_dump). */
static char *dump(const char *root)
{
	return tc_tree_dump(root, TC_DUMP_OWNER | TC_DUMP_MTIME, NULL);
}

/* A directory itself (not its entries): mode, owner, times. */
static char *dstat(const char *p)
{
	struct stat st;
	CHECK_EQ(lstat(p, &st), 0);
	return tc_fmt("%o %d:%d %ld.%ld %ld.%ld", st.st_mode, (int)st.st_uid, (int)st.st_gid,
		      (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long)st.st_ctim.tv_sec,
		      st.st_ctim.tv_nsec);
}

/* The scene: the workdir W (f, d/g, ro, and symlinks out of it: sec to
 * O/secret, out to O, rel to ../outside), O outside (secret, mode 0777
 * so that only the sandbox, never the file modes, keeps a write out), the
 * storage S, and T: a writable tree outside when the test asks for it. */
struct scene {
	char *w, *o, *s, *t;
	char *w_before, *o_before, *o_self, *parent_self;
};

static struct scene scene(bool writable_tree)
{
	struct scene sc;
	sc.w = tc_mkdir("w");
	sc.o = tc_mkdir("outside");
	sc.s = tc_mkdir("storage");
	sc.t = writable_tree ? tc_mkdir("tree") : "-";
	CHECK_EQ(chmod(sc.o, 0777), 0);
	tc_write_file(tc_path(sc.o, "secret"), "secret\n", 0666);
	tc_write_file(tc_path(sc.w, "f"), "lower\n", 0644);
	tc_write_file(tc_path(sc.w, "ro"), "readonly\n", 0444);
	CHECK_EQ(mkdir(tc_path(sc.w, "d"), 0755), 0);
	tc_write_file(tc_path(sc.w, "d/g"), "g\n", 0644);
	CHECK_EQ(symlink(tc_path(sc.o, "secret"), tc_path(sc.w, "sec")), 0);
	CHECK_EQ(symlink(sc.o, tc_path(sc.w, "out")), 0);
	CHECK_EQ(symlink("../outside", tc_path(sc.w, "rel")), 0);
	CHECK_EQ(symlink(tc_path(sc.o, "created"), tc_path(sc.w, "dang")), 0);
	sc.w_before = dump(sc.w);
	sc.o_before = dump(sc.o);
	sc.o_self = dstat(sc.o);
	sc.parent_self = NULL;
	return sc;
}

static sandlock_builder_t *sc_builder(const struct scene *sc, const char *script)
{
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, sc->w);
	b = sandlock_sandbox_builder_fs_isolation(b, 0);
	b = sandlock_sandbox_builder_fs_storage(b, sc->s);
	b = sandlock_sandbox_builder_fs_read(b, script);
	if (strcmp(sc->t, "-") != 0)
		b = sandlock_sandbox_builder_fs_write(b, sc->t);
	return b;
}

/* Runs the script in p with its scene's arguments (and extra, may be
 * NULL), its exit code forced to code (0 commits, 1 aborts). */
static struct tc_res sc_run(const sandlock_sandbox_t *p, const struct scene *sc, const char *script,
			    const char *extra)
{
	const char *argv[] = {PY, script, sc->w, sc->o, sc->s, sc->t, extra, NULL};
	unsigned int argc = extra ? 7 : 6;
	sandlock_result_t *res = sandlock_run(p, NULL, argv, argc);
	if (!res)
		th_fail(__FILE__, __LINE__, "run: %s", sandlock_last_error());
	struct tc_res r = tc_result(res);
	if (getenv("ATTACKCOWSEC_VERBOSE")) /* what each attempt got */
		fprintf(stderr, "--- %s %s\n%s%s%s\n", script, extra ? extra : "", r.out, r.err,
			r.note);
	return r;
}

static void storage_empty(const struct scene *sc)
{
	DIR *d = opendir(sc->s);
	CHECK(d != NULL);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			th_fail(__FILE__, __LINE__, "storage holds %s", e->d_name);
	closedir(d);
}

/* Outside as it was: its entries and the directory itself. */
static void outside_intact(const struct scene *sc, const struct tc_res *r)
{
	char *now = dump(sc->o);
	if (strcmp(now, sc->o_before) != 0)
		th_fail(__FILE__, __LINE__, "outside changed:\n%s\nwas:\n%s\nscript said:\n%s%s",
			now, sc->o_before, r->out, r->err);
	CHECK_STR(dstat(sc->o), sc->o_self);
}

static void workdir_intact(const struct scene *sc, const struct tc_res *r)
{
	char *now = dump(sc->w);
	if (strcmp(now, sc->w_before) != 0)
		th_fail(__FILE__, __LINE__, "workdir changed after an abort:\n%s\nwas:\n%s\n%s%s",
			now, sc->w_before, r->out, r->err);
}

/* No file of the workdir shares an inode with one outside. */
static void no_shared_inode(const char *w, const char *o)
{
	struct stat a, b;
	CHECK_EQ(stat(tc_path(o, "secret"), &b), 0);
	DIR *d = opendir(w);
	CHECK(d != NULL);
	struct dirent *e;
	while ((e = readdir(d)))
		if (lstat(tc_path(w, e->d_name), &a) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			th_fail(__FILE__, __LINE__, "%s/%s is a link of the outside file", w,
				e->d_name);
	closedir(d);
}

/* Fresh directories for the next round. */
static void scene_clean(const struct scene *sc)
{
	char *argv[] = {"/bin/rm", "-rf", sc->w, sc->o, sc->s, NULL};
	CHECK_EQ(th_run(argv, NULL, NULL, NULL), 0);
	if (strcmp(sc->t, "-") != 0) {
		char *rt[] = {"/bin/rm", "-rf", sc->t, NULL};
		CHECK_EQ(th_run(rt, NULL, NULL, NULL), 0);
	}
}

/* The script run twice on fresh scenes: aborted (exit 1: the workdir and
 * outside as they were, the storage empty) and committed (exit 0:
 * outside as it was, no inode shared). */
static void both_ends(const char *name, const char *body, bool writable_tree)
{
	tc_need_python();
	char *script = mkscript(name, body);
	for (int commit = 0; commit < 2; commit++) {
		struct scene sc = scene(writable_tree);
		sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
		struct tc_res r = sc_run(p, &sc, script, commit ? "commit" : "abort");
		if (r.code != (commit ? 0 : 1))
			th_fail(__FILE__, __LINE__, "%s ended %d: %s%s", name, r.code, r.out,
				r.err);
		outside_intact(&sc, &r);
		if (!commit)
			workdir_intact(&sc, &r);
		else
			no_shared_inode(sc.w, sc.o);
		storage_empty(&sc);
		scene_clean(&sc);
	}
}

#define END_PY "sys.exit(0 if ARGS and ARGS[0] == 'commit' else 1)\n"

/* ---- writes out of the workdir ------------------------------------------------ */

/* Symlinks planted in the workdir before the run lead nowhere writable. */
TEST(attackcowsec_planted_symlinks)
{
	both_ends("planted.py",
		  "for p in ('sec', W + '/sec', 'd/../sec', 'out/secret', 'rel/secret'):\n"
		  "    file_attacks(p)\n"
		  "t('dangling-creat', creat, 'dang')\n"
		  "t('dangling-open', wr, 'dang', os.O_WRONLY | os.O_CREAT)\n"
		  "t('dangling-mkdir', os.mkdir, 'dang')\n"
		  "for p in ('out', 'rel', W + '/out', 'd/../rel'):\n"
		  "    dir_attacks(p)\n"
		  "for p in ('sec', 'out/secret', 'rel/secret'):\n"
		  "    file_destroy(p)\n" END_PY,
		  false);
}

/* Symlinks the command makes in the run lead nowhere writable either. */
TEST(attackcowsec_symlinks_made_in_the_run)
{
	both_ends("made.py",
		  "os.symlink(O + '/secret', 'm1'); os.symlink('../outside/secret', 'm2')\n"
		  "os.symlink(O, 'm3'); os.symlink('m3', 'm4'); os.mkdir('nd')\n"
		  "os.symlink('../../outside', 'nd/m5'); os.symlink('/proc/self/cwd/rel', 'm6')\n"
		  "for p in ('m1', 'm2', 'm3/secret', 'm4/secret', 'nd/m5/secret', 'm6/secret'):\n"
		  "    file_attacks(p)\n"
		  "for p in ('m3', 'm4', 'nd/m5', 'm6'):\n"
		  "    dir_attacks(p)\n"
		  "for p in ('m1', 'm4/secret'):\n"
		  "    file_destroy(p)\n" END_PY,
		  false);
}

/* ".." chains from the workdir, relative and absolute, past the root. */
TEST(attackcowsec_dotdot_chains)
{
	both_ends("dotdot.py",
		  "deep = 'd/' + '../' * 40 + O.lstrip('/')\n"
		  "for p in ('../outside/secret', 'd/../../outside/secret',\n"
		  "          W + '/../outside/secret', W + '/d/../../outside/secret',\n"
		  "          deep + '/secret', W + '/./d/.././../outside/secret'):\n"
		  "    file_attacks(p)\n"
		  "for p in ('..', '../outside', deep, W + '/d/../..'):\n"
		  "    dir_attacks(p)\n"
		  "file_destroy('d/../../outside/secret')\n" END_PY,
		  false);
}

/* /proc's magic links: cwd, root, thread-self, the own pid, a task's,
 * fd/N of a workdir directory and of an O_PATH fd, then "..". */
TEST(attackcowsec_proc_magic_links)
{
	both_ends(
	    "proc.py",
	    "dfd = os.open('d', os.O_RDONLY | os.O_DIRECTORY)\n"
	    "pfd = os.open('.', os.O_PATH)\n"
	    "files = ['/proc/self/cwd/sec', '/proc/self/cwd/../outside/secret',\n"
	    "         '/proc/self/root' + O + '/secret', '/proc/thread-self/cwd/sec',\n"
	    "         '/proc/%d/cwd/sec' % PID, '/proc/%d/task/%d/cwd/sec' % (PID, PID),\n"
	    "         '/proc/self/fd/%d/../sec' % dfd, '/proc/self/fd/%d/../../outside/secret' % "
	    "dfd,\n"
	    "         '/proc/self/fd/%d/sec' % pfd, '/proc/self/root/proc/self/cwd/sec',\n"
	    "         '/proc/self/root' + W + '/rel/secret']\n"
	    "for p in files: file_attacks(p)\n"
	    "for p in ('/proc/self/cwd/out', '/proc/self/fd/%d/..' % dfd,\n"
	    "          '/proc/self/fd/%d/../..' % pfd, '/proc/thread-self/root' + O,\n"
	    "          '/proc/%d/cwd/rel' % PID):\n"
	    "    dir_attacks(p)\n"
	    "for p in files[:3]: file_destroy(p)\n" END_PY,
	    false);
}

/* Calls on an fd of a workdir file opened read-only, and on an O_PATH
 * fd: no change reaches the host's file before a commit. */
TEST(attackcowsec_fd_of_a_lower_file)
{
	both_ends(
	    "fds.py",
	    "fd = os.open('f', os.O_RDONLY); pfd = os.open('ro', os.O_PATH)\n"
	    "dfd = os.open('d', os.O_RDONLY | os.O_DIRECTORY)\n"
	    "t('ftruncate', os.ftruncate, fd, 0)\n"
	    "t('pwrite', os.pwrite, fd, b'X', 0)\n"
	    "t('fchmod', os.fchmod, fd, 0o777)\n"
	    "t('fchown', os.fchown, fd, os.getuid(), os.getgid())\n"
	    "t('fsetxattr', os.setxattr, fd, 'user.pwn', b'1')\n"
	    "t('futimens', os.utime, fd, (5, 5))\n"
	    "t('fallocate', os.posix_fallocate, fd, 0, 4096)\n"
	    "t('mmap-shared', mmap.mmap, fd, 0, mmap.MAP_SHARED, mmap.PROT_WRITE)\n"
	    "cc('utimensat-null', libc.utimensat(fd, None, None, 0))\n"
	    "cc('fchownat-empty', libc.fchownat(pfd, b'', os.getuid(), os.getgid(), 0x1000))\n"
	    "cc('fchmodat-empty', libc.syscall(452, pfd, b'', 0o777, 0x1000))\n"
	    "cc('fchmod-dir', libc.fchmod(dfd, 0o700))\n"
	    "cc('linkat-empty', libc.linkat(pfd, b'', -100, b'el', 0x1000))\n"
	    "t('reopen-w', wr, '/proc/self/fd/%d' % fd)\n"
	    "t('reopen-opath-w', wr, '/proc/self/fd/%d' % pfd)\n"
	    "t('reopen-opath-chmod', os.chmod, '/proc/self/fd/%d' % pfd, 0o666)\n"
	    "t('at-dfd', lambda: os.open('g', os.O_WRONLY | os.O_APPEND, dir_fd=dfd))\n"
	    "os.fchdir(dfd)\n"
	    "t('cwd-write', app, 'g')\n" END_PY,
	    false);
}

/* Hard links: a file outside linked in (plain, following a symlink, by
 * its /proc fd, by AT_EMPTY_PATH), then written; a workdir file linked
 * out into a writable tree, then written. */
TEST(attackcowsec_hard_links)
{
	both_ends("links.py",
		  "sfd = t('open-secret', os.open, O + '/secret', os.O_PATH) or -1\n"
		  "t('link-plain', os.link, O + '/secret', 'h1')\n"
		  "cc('link-follow', libc.linkat(-100, (O + '/secret').encode(), -100, b'h2', "
		  "0x400))\n"
		  "cc('link-follow-sym', libc.linkat(-100, b'sec', -100, b'h3', 0x400))\n"
		  "cc('link-procfd', libc.linkat(-100, b'/proc/self/fd/%d' % sfd, -100, b'h4', "
		  "0x400))\n"
		  "cc('link-empty', libc.linkat(sfd, b'', -100, b'h5', 0x1000))\n"
		  "for h in ('h1', 'h2', 'h3', 'h4', 'h5'):\n"
		  "    if os.path.lexists(h): t('write ' + h, wr, h)\n"
		  "lf = os.open('f', os.O_PATH)\n"
		  "t('link-out', os.link, 'f', T + '/x1')\n"
		  "cc('link-out-empty', libc.linkat(lf, b'', -100, (T + '/x2').encode(), 0x1000))\n"
		  "cc('link-out-procfd', libc.linkat(-100, b'/proc/self/fd/%d' % lf, -100,\n"
		  "   (T + '/x3').encode(), 0x400))\n"
		  "t('sym-in-tree', os.symlink, W + '/f', T + '/sl')\n"
		  "cc('link-out-via-tree', libc.linkat(-100, (T + '/sl').encode(), -100,\n"
		  "   (T + '/x4').encode(), 0x400))\n"
		  "t('rename-out', os.rename, 'ro', T + '/x5')\n"
		  "for x in ('x1', 'x2', 'x3', 'x4', 'x5'):\n"
		  "    if os.path.lexists(T + '/' + x): t('write ' + x, wr, T + '/' + x)\n" END_PY,
		  true);
}

/* renameat2's flags between the workdir and outside, and inside. */
TEST(attackcowsec_rename_flags)
{
	both_ends("rename.py",
		  "def r2(a, b, fl):\n"
		  "    return libc.renameat2(-100, a.encode(), -100, b.encode(), fl)\n"
		  "flags = ((0, 'plain'), (1, 'noreplace'), (2, 'exchange'), (4, 'whiteout'))\n"
		  "for fl, n in flags:\n"
		  "    cc(n + '-out', r2('f', O + '/secret', fl))\n"
		  "    cc(n + '-via', r2('f', 'out/secret', fl))\n"
		  "    cc(n + '-back', r2('out/secret', 'f', fl))\n"
		  "    cc(n + '-dir', r2('d', 'rel/d', fl))\n"
		  "    cc(n + '-tree', r2('f', T + '/f', fl))\n"
		  "cc('exchange-in', r2('f', 'ro', 2))\n"
		  "cc('whiteout-in', r2('ro', 'ro2', 4))\n"
		  "cc('exchange-dir-link', r2('d', 'out', 2))\n"
		  "t('write-after', app, 'out/secret')\n"
		  "for fl, n in flags:\n"
		  "    open('s%d' % fl, 'w').write('s')\n"
		  "    cc(n + '-sec', r2('s%d' % fl, 'sec', fl))\n"
		  "    t('write-sec', app, 'sec')\n" END_PY,
		  true);
}

/* The upper's own path (told by an injected fd's /proc link) and the
 * storage: not writable from inside, by any call. */
TEST(attackcowsec_upper_by_its_path)
{
	both_ends("upper.py",
		  "fd = os.open('f', os.O_WRONLY | os.O_APPEND); os.write(fd, b'staged\\n')\n"
		  "up = os.readlink('/proc/self/fd/%d' % fd); U = os.path.dirname(up)\n"
		  "print('upper', U)\n"
		  "ufd = t('open-upper-dir', os.open, U, os.O_RDONLY | os.O_DIRECTORY)\n"
		  "if ufd:\n"
		  "    t('fset-opaque-upper', os.setxattr, ufd, 'user.overlay.opaque', b'y')\n"
		  "    t('fchmod-upper', os.fchmod, ufd, 0o777)\n"
		  "for p in (up, U + '/f', S + '/x'):\n"
		  "    file_attacks(p)\n"
		  "for p in (U, S, os.path.dirname(U), os.path.dirname(U) + '/work'):\n"
		  "    dir_attacks(p)\n"
		  "t('mknod-wh', os.mknod, U + '/d', stat.S_IFCHR, 0)\n"
		  "t('opaque', os.setxattr, U, 'user.overlay.opaque', b'y')\n"
		  "t('rmdir-upper', os.rmdir, U)\n"
		  "if t('chdir-upper', os.chdir, U): print('cwd', os.getcwd())\n"
		  "t('rel-write', creat, 'fromupper')\n"
		  "t('rel-dotdot', creat, '../outside/escape')\n" END_PY,
		  false);
}

/* overlayfs's own xattrs (whiteout, opaque, redirect, metacopy) and a
 * whiteout's device node, forged by the command: refused, or taken as
 * plain data; the lower's entries stay, and a commit deletes nothing. */
TEST(attackcowsec_overlay_xattr_forgery)
{
	tc_need_python();
	char *script = mkscript(
	    "xattr.py", "for pre in ('trusted.overlay.', 'user.overlay.'):\n"
			"    for p, n, v in (('d', 'opaque', b'y'), ('d', 'opaque', b'x'), ('f', "
			"'whiteout', b''),\n"
			"                    ('ro', 'redirect', b'/f'), ('ro', 'metacopy', b''),\n"
			"                    ('d/g', 'whiteout', b'')):\n"
			"        t('set ' + pre + n + ' ' + p, os.setxattr, p, pre + n, v)\n"
			"    fd = os.open('d', os.O_RDONLY | os.O_DIRECTORY)\n"
			"    t('fset ' + pre + 'opaque', os.setxattr, fd, pre + 'opaque', b'y')\n"
			"    os.close(fd)\n"
			"t('mknod-whiteout', os.mknod, 'wh', stat.S_IFCHR | 0o644, 0)\n"
			"t('mknod-over', os.mknod, 'f', stat.S_IFCHR | 0o644, 0)\n"
			"os.mkdir('nd'); open('nd/x', 'w').write('x')\n"
			"t('set new dir opaque', os.setxattr, 'nd', 'user.overlay.opaque', b'y')\n"
			"print('list d', sorted(os.listdir('d')))\n"
			"print('list .', sorted(os.listdir('.')))\n"
			"print('read f', rd('f'))\n"
			"print('read ro', rd('ro'))\n" END_PY);
	for (int commit = 0; commit < 2; commit++) {
		struct scene sc = scene(false);
		sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
		struct tc_res r = sc_run(p, &sc, script, commit ? "commit" : "abort");
		CHECK_EQ(r.code, commit ? 0 : 1);
		CHECK_CONTAINS(r.out, "list d ['g']\n");
		CHECK_CONTAINS(r.out, "read f b'lower\\n'\n");
		CHECK_CONTAINS(r.out, "read ro b'readonly\\n'\n");
		CHECK_CONTAINS(r.out, "mknod-whiteout EPERM\n");
		outside_intact(&sc, &r);
		if (!commit) {
			workdir_intact(&sc, &r);
			scene_clean(&sc);
			continue;
		}
		CHECK_STR(tc_read_file(tc_path(sc.w, "d/g")), "g\n");
		CHECK_STR(tc_read_file(tc_path(sc.w, "f")), "lower\n");
		CHECK_STR(tc_read_file(tc_path(sc.w, "ro")), "readonly\n");
		CHECK_STR(tc_read_file(tc_path(sc.w, "nd/x")), "x");
		char *d = dump(sc.w);
		if (strstr(d, "overlay"))
			th_fail(__FILE__, __LINE__, "an overlay xattr committed:\n%s", d);
		storage_empty(&sc);
	}
}

/* mknod of every allowed kind, and a unix socket's bind, in the
 * workdir and through a link out. */
TEST(attackcowsec_mknod_and_sockets)
{
	both_ends("nodes.py",
		  "t('fifo', os.mkfifo, 'ff')\n"
		  "t('reg', os.mknod, 'rf', stat.S_IFREG | 0o644)\n"
		  "t('sock', os.mknod, 'sk', stat.S_IFSOCK | 0o644)\n"
		  "t('chr', os.mknod, 'ch', stat.S_IFCHR | 0o644, os.makedev(1, 3))\n"
		  "t('blk', os.mknod, 'bl', stat.S_IFBLK | 0o644, os.makedev(7, 0))\n"
		  "t('setuid-reg', os.mknod, 'su', stat.S_IFREG | 0o4755)\n"
		  "t('bind', bindsock, W + '/bs')\n"
		  "t('bind-rel', bindsock, 'bs2')\n"
		  "t('bind-out', bindsock, 'out/bs3')\n"
		  "t('fifo-out', os.mkfifo, 'out/ff')\n"
		  "t('reg-out', os.mknod, 'rel/rf', stat.S_IFREG | 0o644)\n" END_PY,
		  false);
}

/* ---- reading what was removed ------------------------------------------------- */

static const char deleted_py[] =
    "app('cu')\n" /* copied up, then removed */
    "keep = os.open('sfile', os.O_RDONLY)\n"
    "dfd = os.open('.', os.O_RDONLY | os.O_DIRECTORY); pfd = os.open('.', os.O_PATH)\n"
    "ddfd = os.open('sd', os.O_RDONLY | os.O_DIRECTORY)\n"
    "os.unlink('gone'); os.unlink('sfile'); os.unlink('glink'); os.unlink('cu')\n"
    "for n in os.listdir('sd'): os.unlink('sd/' + n)\n"
    "os.rmdir('sd')\n"
    "leaks = []\n"
    "def must_fail(name, fn, *a):\n"
    "    try:\n"
    "        r = fn(*a)\n"
    "    except OSError as e:\n"
    "        return\n"
    "    leaks.append(name); print('LEAK', name, r, flush=True)\n"
    "def st_x(p):\n"
    "    buf = ctypes.create_string_buffer(256)\n"
    "    if libc.statx(-100, p.encode(), 0, 0xfff, buf): raise OSError(ctypes.get_errno(), "
    "p)\n"
    "def ex(p):\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        try: os.execv(p, [p])\n"
    "        except OSError: os._exit(100)\n"
    "    _, st = os.waitpid(pid, 0)\n"
    "    if os.waitstatus_to_exitcode(st) == 100: raise OSError(errno.ENOENT, p)\n"
    "def exat(d, n):\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        argv = (ctypes.c_char_p * 2)(n.encode(), None)\n"
    "        libc.syscall(322, d, n.encode(), argv, None, 0); os._exit(100)\n"
    "    _, st = os.waitpid(pid, 0)\n"
    "    if os.waitstatus_to_exitcode(st) == 100: raise OSError(errno.ENOENT, n)\n"
    "def o2(p):\n"
    "    how = (ctypes.c_uint64 * 3)(0, 0, 0)\n"
    "    r = libc.syscall(437, -100, p.encode(), how, 24)\n"
    "    if r < 0: raise OSError(ctypes.get_errno(), p)\n"
    "    return rd('/proc/self/fd/%d' % r)\n"
    "def routes(n):\n"
    "    return [n, W + '/' + n, './' + n, 'd/../' + n, '/proc/self/cwd/' + n,\n"
    "            '/proc/self/root' + W + '/' + n, '/proc/self/fd/%d/%s' % (dfd, n),\n"
    "            '/proc/self/fd/%d/%s' % (pfd, n), '/proc/thread-self/cwd/' + n,\n"
    "            '/proc/%d/cwd/%s' % (PID, n), 'tolow/' + n, 'back/' + n, 'absw/' + n,\n"
    "            'd/../back/' + n] + [T + '/' + x for x in ARGS[1:]]\n"
    "for n in ('gone', 'sfile', 'sd/inner', 'glink', 'cu'):\n"
    "    for p in routes(n):\n"
    "        must_fail('open ' + p, rd, p)\n"
    "        must_fail('stat ' + p, os.stat, p)\n"
    "        if p not in globals().get('SELF_LINKS', ()):\n"
    "            must_fail('lstat ' + p, os.lstat, p)\n"
    "            must_fail('readlink ' + p, os.readlink, p)\n"
    "        must_fail('statx ' + p, st_x, p)\n"
    "        must_fail('access ' + p, lambda q: os.access(q, os.F_OK) or "
    "os.stat('/nonexistent'), p)\n"
    "        must_fail('xattr ' + p, os.listxattr, p)\n"
    "        must_fail('openat2 ' + p, o2, p)\n"
    "    must_fail('openat dfd ' + n, lambda: os.open(n, os.O_RDONLY, dir_fd=dfd))\n"
    "    must_fail('openat pfd ' + n, lambda: os.open(n, os.O_RDONLY, dir_fd=pfd))\n"
    "    must_fail('exec ' + n, ex, W + '/' + n)\n"
    "    must_fail('execveat ' + n, exat, dfd, n)\n"
    "    must_fail('fstatat ' + n, lambda: os.stat(n, dir_fd=dfd))\n"
    "for d in ('.', W, '/proc/self/cwd', 'd/..'):\n"
    "    names = os.listdir(d)\n"
    "    if {'gone', 'sfile', 'sd', 'glink', 'cu'} & set(names):\n"
    "        leaks.append('listdir ' + d); print('LEAK listdir', d, names)\n"
    "try:\n"
    "    if os.listdir(ddfd): print('LEAK listdir removed dir'); leaks.append('dd')\n"
    "except OSError as e: print('listdir removed dir', en(e.errno))\n"
    "print('kept fd reads', os.read(keep, 100))\n"
    "print('leaks', len(leaks))\n" END_PY;

static struct scene deleted_scene(bool tree)
{
	struct scene sc = scene(tree);
	tc_write_file(tc_path(sc.w, "gone"), "#!/bin/sh\necho EXECUTED-GONE\n", 0755);
	tc_write_file(tc_path(sc.w, "sfile"), "removed-content\n", 0644);
	CHECK_EQ(mkdir(tc_path(sc.w, "sd"), 0755), 0);
	tc_write_file(tc_path(sc.w, "sd/inner"), "removed-inner\n", 0755);
	CHECK_EQ(symlink("f", tc_path(sc.w, "glink")), 0);
	CHECK_EQ(symlink(".", tc_path(sc.w, "tolow")), 0);
	CHECK_EQ(symlink("../w", tc_path(sc.w, "back")), 0); /* out and in again */
	CHECK_EQ(symlink(sc.w, tc_path(sc.w, "absw")), 0);
	tc_write_file(tc_path(sc.w, "cu"), "#!/bin/sh\necho EXECUTED-CU\n", 0755);
	sc.w_before = dump(sc.w);
	return sc;
}

/* A removed file is ENOENT by every route inside the workdir: open,
 * stat, statx, access, readlink, xattrs, openat2, exec, a dirfd opened
 * before, /proc's magic links, a symlink in the workdir, the listings;
 * an fd opened before the removal keeps reading, as the kernel's. */
TEST(attackcowsec_removed_file_gone_by_every_route)
{
	tc_need_python();
	char *script = mkscript("deleted.py", deleted_py);
	struct scene sc = deleted_scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "abort");
	CHECK_EQ(r.code, 1);
	if (strstr(r.out, "LEAK") || !strstr(r.out, "leaks 0\n"))
		th_fail(__FILE__, __LINE__, "a removed name still answers:\n%s%s", r.out, r.err);
	CHECK_CONTAINS(r.out, "kept fd reads b'removed-content\\n'\n");
	CHECK(!strstr(r.out, "EXECUTED"));
	workdir_intact(&sc, &r);
	outside_intact(&sc, &r);
}

/* The same through a writable tree outside, where the command plants a
 * symlink to the workdir and one to a removed file: the kernel resolves
 * those (they do not start in the workdir), and what it finds must not be
 * the lower's removed file. */
TEST(attackcowsec_removed_file_gone_through_a_tree_symlink)
{
	TC_KNOWN_HOLE("stat, statx, access and listxattr through a symlink in a writable tree "
		      "outside see the lower's removed files");
	tc_need_python();
	char *script = mkscript(
	    "deleted2.py",
	    tc_fmt("os.symlink(W, T + '/wl'); os.symlink(W + '/sfile', T + '/sl')\n"
		   "os.symlink(W + '/gone', T + '/gl'); os.symlink(W + '/sd', T + '/sdl')\n"
		   "ARGS[1:] = ['wl/sfile', 'sl', 'gl', 'wl/gone', 'sdl/inner', 'wl/sd/inner']\n"
		   "SELF_LINKS = (T + '/sl', T + '/gl')\n%s",
		   deleted_py));
	struct scene sc = deleted_scene(true);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "abort");
	CHECK_EQ(r.code, 1);
	if (strstr(r.out, "LEAK") || !strstr(r.out, "leaks 0\n")) {
		th_fail(__FILE__, __LINE__, "a removed name still answers:\n%s%s", r.out, r.err);
	}
	workdir_intact(&sc, &r);
	outside_intact(&sc, &r);
}

/* A file outside the policy's read trees, reached through a symlink in
 * the workdir (planted or made in the run, /proc routes): unreadable. */
TEST(attackcowsec_unreadable_outside_stays_unreadable)
{
	tc_need_python();
	char *script =
	    mkscript("hidden.py",
		     "os.symlink(O + '/secret', 'm1'); os.symlink(O, 'm2')\n"
		     "got = []\n"
		     "for p in ('sec', 'out/secret', 'rel/secret', 'm1', 'm2/secret', "
		     "'/proc/self/cwd/sec',\n"
		     "          '/proc/self/root' + W + '/out/secret', 'd/../../outside/secret',\n"
		     "          '/proc/self/fd/%d/secret' % (t('opath out', os.open, 'out', "
		     "os.O_PATH) or 0)):\n"
		     "    r = t('read ' + p, rd, p)\n"
		     "    if r: got.append(r)\n"
		     "    r = t('list ' + p, os.listdir, os.path.dirname(p) or '.')\n"
		     "for p in ('out', 'rel', 'm2'):\n"
		     "    r = t('list ' + p, os.listdir, p)\n"
		     "    if r: got.append(repr(r))\n"
		     "print('GOT', got)\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "abort");
	CHECK_EQ(r.code, 1);
	if (strstr(r.out, "secret\\n") || !strstr(r.out, "GOT []\n"))
		th_fail(__FILE__, __LINE__, "read outside the grants:\n%s%s", r.out, r.err);
	workdir_intact(&sc, &r);
}

/* ---- races ------------------------------------------------------------------------ */

/* A directory swapped for a symlink out (renames in the layer) while
 * another thread makes entries in it: nothing lands outside. */
TEST(attackcowsec_dir_swapped_for_symlink_race)
{
	both_ends(
	    "swap.py",
	    "os.mkdir('dd'); os.mkdir('real'); os.symlink(O, 'ln')\n"
	    "stop = False\n"
	    "def swapper():\n"
	    "    while not stop:\n"
	    "        try:\n"
	    "            if libc.renameat2(-100, b'dd', -100, b'ln', 2):\n"
	    "                os.rename('dd', 'tmp'); os.rename('ln', 'dd'); os.rename('tmp', "
	    "'ln')\n"
	    "        except OSError: pass\n"
	    "th = threading.Thread(target=swapper); th.start()\n"
	    "for i in range(int(os.environ.get('N', '400'))):\n"
	    "    for fn, a in ((creat, ('dd/c%d' % i,)), (os.mkdir, ('dd/m%d' % i,)),\n"
	    "                  (os.symlink, ('x', 'dd/s%d' % i)), (os.mkfifo, ('dd/p%d' % i,)),\n"
	    "                  (app, ('dd/secret',)), (os.truncate, ('dd/secret', 0)),\n"
	    "                  (os.chmod, ('dd/secret', 0o600)), (os.unlink, ('dd/secret',)),\n"
	    "                  (os.rename, ('f', 'dd/f')), (os.rename, ('dd/f', 'f'))):\n"
	    "        try: fn(*a)\n"
	    "        except OSError: pass\n"
	    "stop = True; th.join()\n"
	    "print('done')\n" END_PY,
	    false);
}

/* A second thread rewrites the path buffer while the call is in flight
 * (the workdir's name and one outside, of one length): the supervisor
 * reads it once; whatever the kernel then reads, nothing outside
 * changes, and a removed file's bytes never come back. */
TEST(attackcowsec_path_rewritten_in_flight)
{
	both_ends("rewrite.py",
		  "a = (W + '/newfile').encode(); b = (O + '/secret').encode()\n"
		  "n = max(len(a), len(b)) + 1\n"
		  "a = a.ljust(n, b'\\0'); b = b.ljust(n, b'\\0')\n"
		  "buf = ctypes.create_string_buffer(n)\n"
		  "stop = False\n"
		  "def flip():\n"
		  "    while not stop:\n"
		  "        ctypes.memmove(buf, a, n); ctypes.memmove(buf, b, n)\n"
		  "th = threading.Thread(target=flip); th.start()\n"
		  "for i in range(int(os.environ.get('N', '800'))):\n"
		  "    fd = libc.open(buf, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)\n"
		  "    if fd >= 0: os.write(fd, b'PWNED'); os.close(fd)\n"
		  "    libc.truncate(buf, 0); libc.chmod(buf, 0o700); libc.unlink(buf)\n"
		  "    libc.mkdir(buf, 0o755); libc.rmdir(buf)\n"
		  "    libc.rename(b'f', buf); libc.rename(buf, b'f')\n"
		  "stop = True; th.join()\n"
		  "print('done')\n" END_PY,
		  false);
}

/* The same rewrite against a removed file: the supervisor judges a path
 * outside the workdir (continued), the kernel reads the removed lower
 * file's name. */
TEST(attackcowsec_removed_file_path_rewrite_race)
{
	tc_need_python();
	char *script =
	    mkscript("rwdel.py", "os.unlink('f')\n"
				 "a = (W + '/f').encode(); b = b'/etc/hostname'\n"
				 "n = max(len(a), len(b)) + 1\n"
				 "a = a.ljust(n, b'\\0'); b = b.ljust(n, b'\\0')\n"
				 "buf = ctypes.create_string_buffer(n)\n"
				 "stop = False\n"
				 "def flip():\n"
				 "    while not stop:\n"
				 "        ctypes.memmove(buf, a, n); ctypes.memmove(buf, b, n)\n"
				 "th = threading.Thread(target=flip); th.start()\n"
				 "leak = 0\n"
				 "for i in range(3000):\n"
				 "    fd = libc.open(buf, os.O_RDONLY)\n"
				 "    if fd >= 0:\n"
				 "        if os.read(fd, 100) == b'lower\\n': leak += 1\n"
				 "        os.close(fd)\n"
				 "stop = True; th.join()\n"
				 "print('leaked', leak)\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "abort");
	CHECK_EQ(r.code, 1);
	if (!strstr(r.out, "leaked 0\n")) {
		th_fail(__FILE__, __LINE__, "removed bytes read:\n%s%s", r.out, r.err);
	}
	workdir_intact(&sc, &r);
}

/* ---- the supervisor under load and bad input ------------------------------------ */

/* Bad pointers (EFAULT, never a crash), a path with no NUL up to an
 * unmapped page, paths of PATH_MAX and beyond, and the layer still
 * answering after all of them. */
TEST(attackcowsec_bad_pointers_and_huge_paths)
{
	tc_need_python();
	char *script = mkscript(
	    "bad.py",
	    "libc.mmap.restype = ctypes.c_void_p\n"
	    "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,\n"
	    "                      ctypes.c_int, ctypes.c_long]\n"
	    "pg = mmap.PAGESIZE\n"
	    "m = libc.mmap(None, 2 * pg, 3, 0x22, -1, 0)\n"
	    "libc.mprotect(ctypes.c_void_p(m + pg), pg, 0)\n"
	    "ctypes.memset(m, ord('a'), pg)\n"
	    "nonul = ctypes.c_void_p(m + pg - 64)\n"
	    "bad = ctypes.c_void_p(m + pg)\n"
	    "big = ctypes.c_void_p(m)\n"
	    "def sys_(nr, *a): return libc.syscall(nr, *a)\n"
	    "for name, nr, args in (('openat', 257, (-100, bad, 0)), ('openat-nonul', 257, (-100, "
	    "nonul, 0)),\n"
	    "    ('mkdirat', 258, (-100, bad, 0o755)), ('unlinkat', 263, (-100, nonul, 0)),\n"
	    "    ('renameat2-a', 316, (-100, bad, -100, b'x', 0)),\n"
	    "    ('renameat2-b', 316, (-100, b'f', -100, bad, 0)),\n"
	    "    ('linkat', 265, (-100, b'f', -100, nonul, 0)),\n"
	    "    ('symlinkat', 266, (bad, -100, b'sl')), ('symlinkat-b', 266, (b'f', -100, bad)),\n"
	    "    ('statx-buf', 332, (-100, b'f', 0, 0xfff, bad)),\n"
	    "    ('newfstatat-buf', 262, (-100, b'f', bad, 0)),\n"
	    "    ('readlinkat-buf', 267, (-100, b'sec', bad, 100)),\n"
	    "    ('getxattr-buf', 191, (b'f', b'user.x', bad, 100)),\n"
	    "    ('setxattr-val', 188, (b'f', b'user.x', bad, 100, 0)),\n"
	    "    ('setxattr-name', 188, (b'f', bad, b'v', 1, 0)),\n"
	    "    ('utimensat-times', 280, (-100, b'f', bad, 0)),\n"
	    "    ('execve', 59, (bad, None, None)), ('chdir', 80, (bad,)),\n"
	    "    ('truncate-big', 76, (big, 0)), ('openat-big', 257, (-100, big, 0o101, 0o644)),\n"
	    "    ('creat-nonul', 85, (nonul, 0o644))):\n"
	    "    cc(name, sys_(nr, *args))\n"
	    "dfd = os.open('.', os.O_RDONLY | os.O_DIRECTORY)\n"
	    "cc('getdents-buf', sys_(217, dfd, bad, 4096))\n"
	    "cc('getdents-tiny', sys_(217, dfd, ctypes.create_string_buffer(8), 8))\n"
	    "long = 'x' * 5000\n"
	    "t('open-long', creat, long)\n"
	    "t('name-256', creat, 'n' * 256)\n"
	    "t('path-max', creat, 'd/' + './' * 2045 + 'g2')\n"
	    "t('path-max+1', creat, 'd/' + './' * 2047 + 'h')\n"
	    "creat('alive'); print('alive', rd('alive'))\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	static const char *const efault[] = {
	    "openat",	     "mkdirat",		"renameat2-a",	  "renameat2-b",    "symlinkat",
	    "symlinkat-b",   "statx-buf",	"newfstatat-buf", "readlinkat-buf", "setxattr-val",
	    "setxattr-name", "utimensat-times", "execve",	  "chdir",	    "getdents-buf",
	    "openat-nonul",  "unlinkat",	"linkat",	  "creat-nonul",    NULL};
	char *out = tc_fmt("\n%s", r.out);
	for (size_t i = 0; efault[i]; i++)
		if (!strstr(out, tc_fmt("\n%s EFAULT\n", efault[i])))
			th_fail(__FILE__, __LINE__, "%s is not EFAULT:\n%s", efault[i], r.out);
	CHECK_CONTAINS(r.out, "\nopen-long ENAMETOOLONG\n");
	CHECK_CONTAINS(r.out, "\nname-256 ENAMETOOLONG\n");
	CHECK_CONTAINS(r.out, "\npath-max+1 ENAMETOOLONG\n");
	CHECK_CONTAINS(r.out, "\ntruncate-big ENAMETOOLONG\n");
	CHECK_CONTAINS(r.out, "\nopenat-big ENAMETOOLONG\n");
	outside_intact(&sc, &r);
}

/* A relative path of PATH_MAX - 1 bytes, the longest the kernel takes,
 * whose absolute form is longer: the layer makes it as the kernel (and
 * one byte more is ENAMETOOLONG, as the kernel's). */
TEST(attackcowsec_relative_path_of_path_max)
{
	tc_need_python();
	char *script =
	    mkscript("pathmax.py", "t('path-max', creat, 'd/' + './' * 2045 + 'g23')\n"
				   "t('path-max-rd', rd, 'd/' + './' * 2046 + 'g')\n"
				   "t('path-max+1', creat, 'd/' + './' * 2046 + 'g2')\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	CHECK_EQ(r.code, 0);
	if (!strstr(r.out, "path-max ok\n") || !strstr(r.out, "path-max-rd ok\n")) {
		th_fail(__FILE__, __LINE__, "refused:\n%s", r.out);
	}
	CHECK_CONTAINS(r.out, "path-max+1 ENAMETOOLONG\n"); /* as the kernel's */
	CHECK_STR(tc_read_file(tc_path(sc.w, "d/g23")), "PWNED");
	CHECK(!tc_exists(tc_path(sc.w, "d/g2")));
	outside_intact(&sc, &r);
}

/* Thousands of files and a tree deeper than PATH_MAX (chdir by chdir):
 * listed right in the run, committed whole; the supervisor holds. */
TEST(attackcowsec_many_files_and_deep_trees)
{
	tc_need_python();
	char *script =
	    mkscript("many.py",
		     "os.mkdir('many')\n"
		     "for i in range(3000): open('many/%05d' % i, 'w').write(str(i))\n"
		     "for i in range(0, 3000, 3): os.unlink('many/%05d' % i)\n"
		     "names = os.listdir('many')\n"
		     "print('listed', len(names), len(set(names)))\n"
		     "os.chdir(W)\n"
		     "depth = 0\n"
		     "try:\n"
		     "    for i in range(150): os.mkdir('x' * 40); os.chdir('x' * 40); depth += 1\n"
		     "except OSError as e: print('deep stopped', depth, en(e.errno))\n"
		     "t('deep-create', creat, 'bottom')\n"
		     "t('deep-mkdir', os.mkdir, 'sub')\n"
		     "t('deep-read', rd, 'bottom')\n"
		     "print('cwd-len', len(os.getcwd()) > 4096)\n"
		     "os.chdir(W)\n"
		     "creat('after')\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	CHECK_CONTAINS(r.out, "listed 2000 2000\n");
	CHECK_STR(tc_read_file(tc_path(sc.w, "after")), "PWNED");
	DIR *d = opendir(tc_path(sc.w, "many"));
	CHECK(d != NULL);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	CHECK_EQ(n, 2000);
	CHECK_STR(tc_read_file(tc_path(sc.w, "many/00001")), "1");
	CHECK(!tc_exists(tc_path(sc.w, "many/00003")));
	/* the deep tree: whatever the run managed is committed or refused
	 * as a whole, never outside */
	outside_intact(&sc, &r);
	storage_empty(&sc);
}

/* getdents64 in small pages while entries are made and removed between
 * the pages: no name twice, every untouched name exactly once. */
TEST(attackcowsec_listing_while_modified)
{
	tc_need_python();
	char *script = mkscript(
	    "dents.py",
	    "os.mkdir('ls')\n"
	    "for i in range(200): open('ls/k%03d' % i, 'w').close()\n"
	    "for i in range(100): open('d/l%03d' % i, 'w').close()\n"
	    "def walk(dirpath, mutate):\n"
	    "    fd = os.open(dirpath, os.O_RDONLY | os.O_DIRECTORY)\n"
	    "    buf = ctypes.create_string_buffer(256); seen = []; k = 0\n"
	    "    while True:\n"
	    "        n = libc.syscall(217, fd, buf, 256)\n"
	    "        if n < 0: raise OSError(ctypes.get_errno(), 'getdents')\n"
	    "        if n == 0: break\n"
	    "        off = 0\n"
	    "        while off < n:\n"
	    "            reclen = int.from_bytes(buf.raw[off + 16:off + 18], 'little')\n"
	    "            name = buf.raw[off + 19:off + reclen].split(b'\\0')[0].decode()\n"
	    "            seen.append(name); off += reclen\n"
	    "        mutate(k); k += 1\n"
	    "    os.close(fd); return seen\n"
	    "def m_ls(k):\n"
	    "    open('ls/new%03d' % k, 'w').close()\n"
	    "    if os.path.exists('ls/k%03d' % (199 - k)): os.unlink('ls/k%03d' % (199 - k))\n"
	    "seen = walk('ls', m_ls)\n"
	    "dup = len(seen) - len(set(seen))\n"
	    "kept = [n for n in ('k%03d' % i for i in range(60)) if os.path.exists('ls/' + n)]\n"
	    "missing = [n for n in kept if n not in seen]\n"
	    "print('dup', dup, 'missing', len(missing))\n"
	    "seen = walk('d', lambda k: os.rename('d/l%03d' % k, 'd/r%03d' % k))\n"
	    "print('d dup', len(seen) - len(set(seen)), 'g', seen.count('g'))\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "abort");
	if (r.code != 1)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	CHECK_CONTAINS(r.out, "dup 0 missing 0\n");
	CHECK_CONTAINS(r.out, "d dup 0 g 1\n");
	workdir_intact(&sc, &r);
}

/* Many threads copy one lower file up at once (each its own open,
 * appending): one copy, every line kept, committed whole. */
TEST(attackcowsec_concurrent_copy_ups)
{
	tc_need_python();
	char *script = mkscript(
	    "copyup.py", "open('big', 'rb').read()\n"
			 "go = threading.Barrier(8)\n"
			 "def worker(k):\n"
			 "    go.wait()\n"
			 "    for j in range(25):\n"
			 "        fd = os.open('big', os.O_WRONLY | os.O_APPEND)\n"
			 "        os.write(fd, b'T%d-%02d\\n' % (k, j)); os.close(fd)\n"
			 "        fd = os.open('d/g', os.O_RDWR); os.close(fd)\n"
			 "ths = [threading.Thread(target=worker, args=(k,)) for k in range(8)]\n"
			 "[x.start() for x in ths]; [x.join() for x in ths]\n"
			 "print('lines', rd('big').count(b'\\n'))\n" END_PY);
	struct scene sc = scene(false);
	char *base = malloc(200001);
	CHECK(base != NULL);
	memset(base, 'b', 200000);
	base[199999] = '\n';
	base[200000] = 0;
	tc_write_file(tc_path(sc.w, "big"), base, 0644);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	CHECK_CONTAINS(r.out, "lines 201\n");
	char *got = tc_read_file(tc_path(sc.w, "big"));
	CHECK(got != NULL);
	CHECK(strncmp(got, base, 200000) == 0);
	CHECK_EQ(tc_nlines(got), 201);
	CHECK_STR(tc_read_file(tc_path(sc.w, "d/g")), "g\n");
	outside_intact(&sc, &r);
}

/* max_disk: one open fd written far past the limit, fallocate, and many
 * small files: ENOSPC holds, the upper never holds much more than it. */
TEST(attackcowsec_max_disk_holds)
{
	TC_KNOWN_HOLE("max_disk is counted at opens only: write(2) and fallocate on an open "
		      "fd fill the storage past it");
	tc_need_python();
	char *script =
	    mkscript("quota.py",
		     "def fill(p, total, chunk):\n"
		     "    fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o644); n = 0\n"
		     "    try:\n"
		     "        while n < total: n += os.write(fd, b'z' * chunk)\n"
		     "    except OSError as e: print('fill', p, en(e.errno))\n"
		     "    os.close(fd); return n\n"
		     "print('one-fd', fill('a', 8 << 20, 65536) <= (1 << 20) + 65536)\n"
		     "os.unlink('a')\n"
		     "fd = os.open('b', os.O_WRONLY | os.O_CREAT, 0o644)\n"
		     "t('fallocate', os.posix_fallocate, fd, 0, 8 << 20)\n"
		     "print('fallocate-size', os.fstat(fd).st_blocks * 512 <= (1 << 20) + 65536)\n"
		     "os.close(fd); os.unlink('b')\n"
		     "made = 0\n"
		     "for i in range(3000):\n"
		     "    try: open('s%d' % i, 'w').write('q' * 1024); made += 1\n"
		     "    except OSError: break\n"
		     "print('small-files-bounded', made < 1200)\n" END_PY);
	struct scene sc = scene(false);
	sandlock_builder_t *b = sandlock_sandbox_builder_max_disk(sc_builder(&sc, script), 1 << 20);
	sandlock_sandbox_t *p = tc_build(b);
	struct tc_res r = sc_run(p, &sc, script, "abort");
	CHECK_EQ(r.code, 1);
	workdir_intact(&sc, &r);
	storage_empty(&sc);
	CHECK_CONTAINS(r.out, "small-files-bounded True\n");
	if (!strstr(r.out, "one-fd True\n") || !strstr(r.out, "fallocate-size True\n")) {
		th_fail(__FILE__, __LINE__, "max_disk passed:\n%s%s", r.out, r.err);
	}
}

static bool storage_has(const char *s, const char *name)
{
	glob_t g;
	bool found = glob(tc_fmt("%s/*/upper/%s", s, name), 0, NULL, &g) == 0;
	if (found)
		globfree(&g);
	return found;
}

/* The command SIGKILLed while threads copy up and write: the workdir as
 * it was, the storage empty, and the next run commits. */
TEST(attackcowsec_sigkill_during_copy_ups)
{
	tc_need_python();
	char *script = mkscript(
	    "killed.py",
	    "def worker(k):\n"
	    "    i = 0\n"
	    "    os.mkdir('w%d' % k)\n"
	    "    while True:\n"
	    "        i += 1\n"
	    "        try:\n"
	    "            fd = os.open('f', os.O_WRONLY | os.O_APPEND); os.write(fd, b'x' * 4096)\n"
	    "            os.close(fd); os.rename('w%d' % k, 'v%d' % k); os.rename('v%d' % k, 'w%d' "
	    "% k)\n"
	    "            creat('n%d-%d' % (k, i))\n"
	    "        except OSError as e: print(k, i, en(e.errno), flush=True)\n"
	    "for k in range(4): threading.Thread(target=worker, args=(k,), daemon=True).start()\n"
	    "threading.Event().wait()\n");
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	const char *argv[] = {PY, script, sc.w, sc.o, sc.s, sc.t, NULL};
	sandlock_handle_t *h = sandlock_create_ex(p, NULL, argv, 6, SANDLOCK_CREATE_START);
	CHECK(h != NULL);
	CHECK_EQ(sandlock_start(h), 0);
	/* killed once the threads are well into it: their files in the
	 * storage tell (bounded at 20 s: a slow start only kills earlier) */
	for (int i = 0; i < 400 && !storage_has(sc.s, "n3-30"); i++)
		usleep(50 * 1000);
	CHECK_EQ(sandlock_handle_kill(h), 0);
	sandlock_result_t *res = sandlock_handle_wait(h);
	CHECK(res != NULL);
	CHECK_EQ(sandlock_result_reason(res), SANDLOCK_STATUS_KILLED);
	sandlock_result_free(res);
	sandlock_handle_free(h);
	struct tc_res none = {.out = "", .err = ""};
	workdir_intact(&sc, &none);
	outside_intact(&sc, &none);
	storage_empty(&sc);
	char *again = mkscript("again.py", "creat('later')\n" END_PY);
	p = tc_build(sc_builder(&sc, again));
	struct tc_res r = sc_run(p, &sc, again, "commit");
	CHECK_EQ(r.code, 0);
	CHECK_STR(tc_read_file(tc_path(sc.w, "later")), "PWNED");
}

/* ---- ownership: root and not ---------------------------------------------------- */

/* chown and chmod of host files through the layer: a file of another
 * user (root's run: one of nobody's) keeps its owner and mode; giving a
 * file away is EPERM without CAP_CHOWN, whoever runs. */
TEST(attackcowsec_no_chown_chmod_of_others_files)
{
	tc_need_python();
	char *script =
	    mkscript("owner.py", "for p in ('f', 'other', 'd'):\n"
				 "    t('chown-root ' + p, os.chown, p, 0, 0)\n"
				 "    t('chown-1234 ' + p, os.chown, p, 1234, 1234)\n"
				 "    t('lchown ' + p, os.lchown, p, 1234, -1)\n"
				 "    fd = os.open(p, os.O_RDONLY)\n"
				 "    t('fchown ' + p, os.fchown, fd, 1234, 1234)\n"
				 "    os.close(fd)\n"
				 "fd = os.open('other', os.O_RDONLY)\n"
				 "t('fchmod-suid other', os.fchmod, fd, 0o4777)\n"
				 "t('chmod-other', os.chmod, 'other', 0o777)\n"
				 "t('utime-other', os.utime, 'other', (1, 1))\n"
				 "t('xattr-other', os.setxattr, 'other', 'user.x', b'1')\n"
				 "t('write-other', app, 'other')\n"
				 "t('chmod-sec', os.chmod, 'sec', 0o600)\n"
				 "t('chown-sec', os.chown, 'sec', 1234, 1234)\n"
				 "print('owner f', os.stat('f').st_uid)\n" END_PY);
	struct scene sc = scene(false);
	tc_write_file(tc_path(sc.w, "other"), "other's\n", 0644);
	bool root = geteuid() == 0;
	if (root) {
		CHECK_EQ(chown(tc_path(sc.w, "other"), 65534, 65534), 0);
		CHECK_EQ(chown(tc_path(sc.o, "secret"), 65534, 65534), 0);
		sc.o_before = dump(sc.o);
	}
	sc.w_before = dump(sc.w);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	/* root's run: the command is root without a capability (no
	 * CAP_CHOWN, CAP_FOWNER, CAP_DAC_OVERRIDE) */
	static const char *const eperm[] = {
	    "chown-1234 f",	"fchown f",	"chown-1234 d",	    "lchown d",
	    "chown-1234 other", "fchown other", "chown-root other", NULL};
	static const char *const eperm_root[] = {"fchmod-suid other", "chmod-other", "utime-other",
						 NULL};
	for (size_t i = 0; eperm[i]; i++)
		if (!strstr(r.out, tc_fmt("%s EPERM\n", eperm[i])))
			th_fail(__FILE__, __LINE__, "%s is not EPERM:\n%s", eperm[i], r.out);
	for (size_t i = 0; root && eperm_root[i]; i++)
		if (!strstr(r.out, tc_fmt("%s EPERM\n", eperm_root[i])))
			th_fail(__FILE__, __LINE__, "%s is not EPERM:\n%s", eperm_root[i], r.out);
	if (root)
		CHECK_CONTAINS(r.out, "write-other EACCES\n");
	if (!root)
		CHECK_CONTAINS(r.out, "chown-root f EPERM\n");
	struct stat st;
	CHECK_EQ(stat(tc_path(sc.w, "other"), &st), 0);
	CHECK_EQ((int)st.st_uid, root ? 65534 : (int)geteuid());
	if (root) {
		CHECK_EQ(st.st_mode & 07777, 0644);
		CHECK_STR(tc_read_file(tc_path(sc.w, "other")), "other's\n");
	}
	CHECK_EQ(stat(tc_path(sc.w, "f"), &st), 0);
	CHECK_EQ((int)st.st_uid, (int)geteuid());
	CHECK_EQ(stat(tc_path(sc.w, "d"), &st), 0);
	CHECK_EQ((int)st.st_uid, (int)geteuid());
	outside_intact(&sc, &r);
}

/* ---- the upper's own objects through fds ----------------------------------------- */

/* overlayfs's marks set through an fd the layer handed out on an upper
 * object (the upper's root, a merged directory, a copied-up file): the
 * run's own view and the commit keep every lower entry, and no mark
 * reaches the workdir. */
TEST(attackcowsec_overlay_marks_through_upper_fds)
{
	tc_need_python();
	char *script = mkscript(
	    "upperfd.py", "app('f'); os.mkdir('d/nd')\n"
			  "fd = os.open('.', os.O_RDONLY | os.O_DIRECTORY)\n"
			  "dfd = os.open('d', os.O_RDONLY | os.O_DIRECTORY)\n"
			  "print('root fd', os.readlink('/proc/self/fd/%d' % fd).startswith(S))\n"
			  "ffd = os.open('f', os.O_RDWR); os.ftruncate(ffd, 0)\n"
			  "for pre in ('user.overlay.', 'trusted.overlay.'):\n"
			  "    for n, f, v in (('opaque', fd, b'y'), ('opaque', dfd, b'y'), "
			  "('whiteout', ffd, b''),\n"
			  "                    ('redirect', dfd, b'/ro'), ('metacopy', ffd, b''),\n"
			  "                    ('whiteouts', fd, b'')):\n"
			  "        t('fset ' + pre + n, os.setxattr, f, pre + n, v)\n"
			  "t('fremove', os.removexattr, dfd, 'user.overlay.opaque')\n"
			  "print('list .', t('ls .', lambda: sorted(os.listdir('.'))))\n"
			  "print('list d', t('ls d', lambda: sorted(os.listdir('d'))))\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	const char *argv[] = {PY, script, sc.w, sc.o, sc.s, sc.t, "commit", NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 7);
	char *why = res ? "" : tc_fmt("%s", sandlock_last_error());
	struct tc_res r = res ? tc_result(res) : (struct tc_res){.code = -1, .out = "", .err = ""};
	bool refused = true;
	for (const char *pre = "user.overlay."; pre;
	     pre = strcmp(pre, "user.overlay.") == 0 ? "trusted.overlay." : NULL)
		for (const char *const *n = (const char *const[]){"opaque", "whiteout", "redirect",
								  "metacopy", "whiteouts", NULL};
		     *n; n++)
			refused = refused && !strstr(r.out, tc_fmt("fset %s%s ok\n", pre, *n));
	bool seen = strstr(r.out, "list . ['d', 'dang', 'f', 'out', 'rel', 'ro', 'sec']\n") &&
		    strstr(r.out, "list d ['g', 'nd']\n");
	bool kept = tc_exists(tc_path(sc.w, "d/g")) && tc_exists(tc_path(sc.w, "ro")) &&
		    tc_exists(tc_path(sc.w, "f"));
	char *d = dump(sc.w);
	if (r.code != 0 || !refused || !seen || !kept || strstr(d, "overlay")) {
		th_fail(__FILE__, __LINE__, "forged marks taken (%s):\n%s\n%s%s", why, d, r.out,
			r.err);
	}
	outside_intact(&sc, &r);
	storage_empty(&sc);
}

/* ---- chdir and exec steered to the holder ---------------------------------------- */

/* chdir into a directory only the upper holds (made in the run), by a
 * short relative name and from read-only memory, then relative paths
 * from there: the kernel's answers. */
TEST(attackcowsec_chdir_into_an_upper_dir)
{
	TC_KNOWN_HOLE("chdir by a name in read-only memory that the kernel cannot walk to the "
		      "upper's directory (an absolute path of a directory only the upper holds)");
	tc_need_python();
	char *script = mkscript(
	    "chdir.py",
	    "os.mkdir('nu'); os.mkdir('d/nu2')\n"
	    "libc.mmap.restype = ctypes.c_void_p\n"
	    "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,\n"
	    "                      ctypes.c_int, ctypes.c_long]\n"
	    "ro = libc.mmap(None, 4096, 3, 0x22, -1, 0)\n"
	    "ctypes.memmove(ro, (W + '/d/nu2').encode() + b'\\0', len(W) + 8)\n"
	    "libc.mprotect(ctypes.c_void_p(ro), 4096, 1)\n"
	    "if t('chdir-short', os.chdir, 'nu'):\n"
	    "    t('rel-create', creat, 'inner'); t('rel-up', rd, '../f'); os.chdir(W)\n"
	    "cc('chdir-rodata', libc.chdir(ctypes.c_void_p(ro)))\n"
	    "print('rodata kept', ctypes.string_at(ro).decode() == W + '/d/nu2')\n"
	    "buf = ctypes.create_string_buffer(b'nu')\n"
	    "os.chdir(W); cc('chdir-buf', libc.chdir(buf))\n"
	    "print('buffer kept', buf.value)\n"
	    "os.chdir(W)\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	outside_intact(&sc, &r);
	if (!strstr(r.out, "chdir-short ok\n") || !strstr(r.out, "chdir-rodata ok\n") ||
	    !strstr(r.out, "buffer kept b'nu'\n")) {
		th_fail(__FILE__, __LINE__, "chdir:\n%s%s", r.out, r.err);
	}
	CHECK_CONTAINS(r.out, "rel-create ok\n");
	CHECK_CONTAINS(r.out, "rel-up ok\n");
	CHECK_STR(tc_read_file(tc_path(sc.w, "nu/inner")), "PWNED");
}

/* exec of a file only the upper holds: runs, with no fd of the
 * supervisor's left in the new program (a script by its absolute name,
 * and an ELF program, handed close-on-exec), from read-only memory too (a
 * relative name from the cwd, which is in the upper: the kernel finds it
 * there by the caller's own names). */
TEST(attackcowsec_exec_of_an_upper_file)
{
	tc_need_python();
	char *script = mkscript(
	    "exec.py",
	    "open('x', 'w').write('#!/bin/sh\\nfor i in 3 4 5 6 7 8 9; do (: <&$i) 2>/dev/null && "
	    "printf \"%s \" $i; done; echo\\n')\n"
	    "os.chmod('x', 0o755)\n"
	    "import subprocess\n"
	    "try:\n"
	    "    r = subprocess.run(['./x'], capture_output=True, close_fds=True)\n"
	    "    print('fds', r.returncode, r.stdout.decode().strip())\n"
	    "except OSError as e: print('exec-short', en(e.errno))\n"
	    "r = subprocess.run([W + '/x'], capture_output=True, close_fds=True)\n"
	    "print('fds-long', r.returncode, r.stdout.decode().strip())\n"
	    "open('px', 'wb').write(open(sys.executable, 'rb').read()); os.chmod('px', 0o755)\n"
	    "code = 'import os\\nfor f in range(3, 32):\\n    try: os.fstat(f); print(f)\\n'\\\n"
	    "    '    except OSError: pass\\n'\n"
	    "r = subprocess.run([W + '/px', '-c', code], capture_output=True, close_fds=True)\n"
	    "print('elf fds', r.returncode, r.stdout.decode().split())\n"
	    "libc.mmap.restype = ctypes.c_void_p\n"
	    "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,\n"
	    "                      ctypes.c_int, ctypes.c_long]\n"
	    "ro = libc.mmap(None, 4096, 3, 0x22, -1, 0)\n"
	    "ctypes.memmove(ro, b'./x\\0', 4)\n"
	    "libc.mprotect(ctypes.c_void_p(ro), 4096, 1)\n"
	    "pid = os.fork()\n"
	    "if pid == 0:\n"
	    "    argv = (ctypes.c_char_p * 2)(b'x', None)\n"
	    "    libc.execve(ctypes.c_void_p(ro), argv, None)\n"
	    "    print('exec-rodata', en(ctypes.get_errno()), flush=True); os._exit(9)\n"
	    "_, st = os.waitpid(pid, 0); print('rodata exit', "
	    "os.waitstatus_to_exitcode(st))\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "abort");
	if (r.code != 1)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	workdir_intact(&sc, &r);
	CHECK_CONTAINS(r.out, "fds-long 0 \n");
	CHECK_CONTAINS(r.out, "elf fds 0 []\n");
	if (!strstr(r.out, "fds 0 \n") || !strstr(r.out, "rodata exit 0\n")) {
		th_fail(__FILE__, __LINE__, "exec:\n%s%s", r.out, r.err);
	}
}

/* exec's path rewritten in flight between an upper file (which the
 * layer judges) and a lower file the run removed: the removed program
 * never runs (Landlock gives the workdir no right: the kernel's exec of
 * the rewritten name is EACCES). */
TEST(attackcowsec_exec_of_a_removed_file_race)
{
	tc_need_python();
	char *script = mkscript(
	    "execrace.py",
	    "os.unlink('gone')\n"
	    "open('okx', 'w').write('#!/bin/sh\\nexit 3\\n'); os.chmod('okx', 0o755)\n"
	    "a = (W + '/gone').encode(); b = (W + '/okx').encode()\n"
	    "n = max(len(a), len(b)) + 1\n"
	    "a = a.ljust(n, b'\\0'); b = b.ljust(n, b'\\0')\n"
	    "ran = 0\n"
	    "for i in range(150):\n"
	    "    pid = os.fork()\n"
	    "    if pid == 0:\n"
	    "        buf = ctypes.create_string_buffer(b, n)\n"
	    "        def flip():\n"
	    "            while True: ctypes.memmove(buf, a, n); ctypes.memmove(buf, b, n)\n"
	    "        threading.Thread(target=flip, daemon=True).start()\n"
	    "        argv = (ctypes.c_char_p * 4)(b'gone', b'-c', b'exit 7', None)\n"
	    "        for k in range(50): libc.execve(buf, argv, None)\n"
	    "        os._exit(0)\n"
	    "    _, st = os.waitpid(pid, 0)\n"
	    "    if os.waitstatus_to_exitcode(st) == 7: ran += 1\n"
	    "print('ran', ran)\n" END_PY);
	struct scene sc = scene(false);
	/* the removed program: an ELF (the race's winner runs it directly:
	 * a shell, told to say so by its exit code) */
	const char *cp[] = {"/bin/cp", "/bin/sh", tc_path(sc.w, "gone"), NULL};
	CHECK_EQ(th_run((char *const *)cp, NULL, NULL, NULL), 0);
	sc.w_before = dump(sc.w);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "abort");
	if (r.code != 1)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	workdir_intact(&sc, &r);
	if (!strstr(r.out, "ran 0\n")) {
		th_fail(__FILE__, __LINE__, "a removed program ran:\n%s%s", r.out, r.err);
	}
}

/* ---- what the commit applies ------------------------------------------------------ */

/* A directory of the workdir removed (or renamed away) and its name
 * made a symlink out, in one run: the commit removes the old entries
 * beneath the workdir, never through the new symlink. */
TEST(attackcowsec_commit_through_a_swapped_dir)
{
	tc_need_python();
	char *script =
	    mkscript("swapcommit.py",
		     "os.rename('d', 'e'); os.symlink(O, 'd')\n"
		     "for n in os.listdir('sd'): os.unlink('sd/' + n)\n"
		     "os.rmdir('sd'); os.symlink('../outside', 'sd')\n"
		     "os.unlink('ro'); os.symlink(O + '/secret', 'ro')\n"
		     "os.rename('d2/g', 'd2/h'); os.rmdir('d2/sub'); os.rename('d2', 'e2')\n"
		     "os.symlink(O, 'd2')\n" END_PY);
	struct scene sc = scene(false);
	tc_write_file(tc_path(sc.o, "g"), "outside g\n", 0666);
	CHECK_EQ(mkdir(tc_path(sc.o, "sub"), 0777), 0);
	CHECK_EQ(mkdir(tc_path(sc.w, "sd"), 0755), 0);
	tc_write_file(tc_path(sc.w, "sd/secret"), "w's secret\n", 0644);
	tc_write_file(tc_path(sc.w, "sd/g"), "w's g\n", 0644);
	CHECK_EQ(mkdir(tc_path(sc.w, "d2"), 0755), 0);
	CHECK_EQ(mkdir(tc_path(sc.w, "d2/sub"), 0755), 0);
	tc_write_file(tc_path(sc.w, "d2/g"), "d2 g\n", 0644);
	sc.w_before = dump(sc.w);
	sc.o_before = dump(sc.o);
	sc.o_self = dstat(sc.o);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	outside_intact(&sc, &r);
	struct stat st;
	CHECK_EQ(lstat(tc_path(sc.w, "d"), &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(lstat(tc_path(sc.w, "sd"), &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(lstat(tc_path(sc.w, "ro"), &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_STR(tc_read_file(tc_path(sc.w, "e/g")), "g\n");
	CHECK_STR(tc_read_file(tc_path(sc.w, "e2/h")), "d2 g\n");
	CHECK(!tc_exists(tc_path(sc.w, "e2/sub")));
	storage_empty(&sc);
}

/* A directory the command makes and then takes its own search right
 * from (mode 0600, 0000): committed as a bare run leaves it. */
TEST(attackcowsec_unsearchable_dir_committed)
{
	tc_need_python();
	char *script = mkscript(
	    "nox.py", "os.mkdir('nx'); open('nx/a', 'w').write('a'); os.chmod('nx', 0o600)\n"
		      "os.mkdir('nz'); os.mkdir('nz/in'); os.chmod('nz', 0)\n"
		      "os.chmod('d', 0o600)\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	const char *argv[] = {PY, script, sc.w, sc.o, sc.s, sc.t, "commit", NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 7);
	if (!res) {
		th_fail(__FILE__, __LINE__, "commit failed: %s", sandlock_last_error());
	}
	struct tc_res r = tc_result(res);
	CHECK_EQ(r.code, 0);
	struct stat st;
	CHECK_EQ(lstat(tc_path(sc.w, "nx"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(lstat(tc_path(sc.w, "nz"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0);
	CHECK_EQ(lstat(tc_path(sc.w, "d"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(chmod(tc_path(sc.w, "nx"), 0755), 0);
	CHECK_EQ(chmod(tc_path(sc.w, "d"), 0755), 0);
	CHECK_EQ(chmod(tc_path(sc.w, "nz"), 0755), 0);
	CHECK_STR(tc_read_file(tc_path(sc.w, "nx/a")), "a");
	CHECK_STR(tc_read_file(tc_path(sc.w, "d/g")), "g\n");
	CHECK(tc_exists(tc_path(sc.w, "nz/in")));
	storage_empty(&sc);
}

/* An exec of an upper file that fails after the layer steered it (a
 * missing interpreter): the caller's path buffer is as it wrote it.  A
 * relative name is the kernel's own walk from the cwd in the upper; an
 * absolute one of a file the run made cannot be (the host's workdir has
 * no such file) and is rewritten (attackcowsec_failed_exec_of_a_lower_
 * file_leaves_the_caller: a lower file by a relative name). */
TEST(attackcowsec_failed_exec_leaves_the_callers_buffer)
{
	TC_KNOWN_HOLE("an exec by the absolute name of a file the upper holds: the layer writes "
		      "/proc/self/fd/N into the caller's buffer and injects that fd; a failed exec "
		      "leaves both");
	tc_need_python();
	char *script = mkscript(
	    "execbuf.py",
	    "open('bad', 'w').write('#!/nonexistent/interp\\n'); os.chmod('bad', 0o755)\n"
	    "for p in (W + '/bad', 'bad', './bad'):\n"
	    "    buf = ctypes.create_string_buffer(p.encode(), 200)\n"
	    "    argv = (ctypes.c_char_p * 2)(b'bad', None)\n"
	    "    cc('exec ' + p, libc.execve(buf, argv, None))\n"
	    "    print('kept', buf.value == p.encode(), buf.value)\n"
	    "    for fd in range(3, 10):\n"
	    "        if t('fstat', os.fstat, fd): print('fd left', fd); os.close(fd)\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "abort");
	CHECK_EQ(r.code, 1);
	workdir_intact(&sc, &r);
	CHECK_CONTAINS(r.out, tc_fmt("exec %s/bad ENOENT\n", sc.w));
	if (strstr(r.out, "kept False") || strstr(r.out, "fd left") ||
	    !strstr(r.out, "exec ./bad ENOENT\n")) {
		th_fail(__FILE__, __LINE__, "buffer rewritten:\n%s", r.out);
	}
}

/* A failed exec of a program only the workdir holds, by relative names
 * from the cwd in the upper (a missing interpreter): the kernel runs the
 * layer's copy by the caller's own names, so the caller's buffer is as
 * it wrote it and no descriptor is left, whatever the name's length, a
 * thread reading the buffer throughout included; the run changed nothing
 * (the copies are no change after an abort or a commit). */
TEST(attackcowsec_failed_exec_of_a_lower_file_leaves_the_caller)
{
	tc_need_python();
	char *script =
	    mkscript("lexecbuf.py",
		     "def fds():\n"
		     "    r = set()\n"
		     "    for fd in range(3, 32):\n"
		     "        try: os.fstat(fd); r.add(fd)\n"
		     "        except OSError: pass\n"
		     "    return r\n"
		     "seen = []; base = fds()\n"
		     "def watch(buf, want):\n"
		     "    while not seen:\n"
		     "        if buf.value != want: seen.append(buf.value)\n"
		     "for p in ('lb', './lb', './long_name_of_a_bad_script', 'd/lb'):\n"
		     "    buf = ctypes.create_string_buffer(p.encode(), 200)\n"
		     "    th = threading.Thread(target=watch, args=(buf, p.encode())); th.start()\n"
		     "    argv = (ctypes.c_char_p * 2)(b'lb', None)\n"
		     "    cc('exec ' + p, libc.execve(buf, argv, None))\n"
		     "    seen.append(None); th.join()\n"
		     "    print('kept', buf.value == p.encode(), seen[0])\n"
		     "    del seen[:]\n"
		     "    for fd in fds() - base: print('fd left', fd); os.close(fd)\n" END_PY);
	for (int commit = 0; commit < 2; commit++) {
		char *old[] = {"/bin/rm",	    "-rf", tc_mkdir("w"), tc_mkdir("outside"),
			       tc_mkdir("storage"), NULL};
		CHECK_EQ(th_run(old, NULL, NULL, NULL), 0); /* a fresh scene each time */
		struct scene sc = scene(false);
		const char *bad = "#!/nonexistent/interp\n";
		tc_write_file(tc_path(sc.w, "lb"), bad, 0755);
		tc_write_file(tc_path(sc.w, "long_name_of_a_bad_script"), bad, 0755);
		tc_write_file(tc_path(sc.w, "d/lb"), bad, 0755);
		sc.w_before = dump(sc.w);
		sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
		struct tc_res r = sc_run(p, &sc, script, commit ? "commit" : "abort");
		CHECK_EQ(r.code, commit ? 0 : 1);
		workdir_intact(&sc, &r);
		const char *want[] = {"exec lb ENOENT\n", "exec ./lb ENOENT\n",
				      "exec ./long_name_of_a_bad_script ENOENT\n",
				      "exec d/lb ENOENT\n"};
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			CHECK_CONTAINS(r.out, want[i]);
		if (strstr(r.out, "kept False") || strstr(r.out, "fd left") ||
		    !strstr(r.out, "kept True None"))
			th_fail(__FILE__, __LINE__, "buffer rewritten:\n%s", r.out);
	}
}

/* ---- the supervisor's own process ------------------------------------------------ */

/* open(O_TMPFILE) of directories outside the workdir (granted or not,
 * by /proc's links, the storage): refused or made as the kernel would,
 * and the supervisor (the host's process: the test's own here, run in a
 * child of it) lives on. */
TEST(attackcowsec_tmpfile_outside_keeps_the_supervisor)
{
	tc_need_python();
	char *script = mkscript(
	    "tmpout.py",
	    "os.symlink(O, 'm3'); os.symlink('m3', 'm4')\n"
	    "for p in ('/proc/thread-self/root' + O, O, '/usr', '/proc/self/root/usr', S,\n"
	    "          '/proc/self/cwd/out', 'out', 'rel', W + '/out', 'd/../rel', '..',\n"
	    "          '../outside', 'd/' + '../' * 40 + O.lstrip('/'), 'm3', 'm4', T):\n"
	    "    fd = t('tmpfile ' + p, os.open, p, os.O_TMPFILE | os.O_WRONLY, 0o600)\n"
	    "creat('alive')\n" END_PY);
	struct scene sc = scene(true);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct tc_res r = sc_run(p, &sc, script, "commit");
		_exit(r.code == 0 ? 0 : 3);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st)) {
		th_fail(__FILE__, __LINE__, "the supervisor's process died by signal %d",
			WTERMSIG(st));
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_STR(tc_read_file(tc_path(sc.w, "alive")), "PWNED");
	outside_intact(&sc, &(struct tc_res){.out = "", .err = ""});
}

/* ---- a directory renamed under an open fd ---------------------------------------- */

/* A dirfd (and a cwd) of a workdir directory the run then renames away
 * and makes again under its old name: names made through the fd land
 * in the renamed directory, as the kernel's would, never in the new one
 * or outside. */
TEST(attackcowsec_dirfd_of_a_renamed_dir)
{
	TC_KNOWN_HOLE("a dirfd or cwd of a lower directory renamed in the layer is placed by "
		      "its host name: names land in whatever holds that name now");
	tc_need_python();
	char *script = mkscript(
	    "renamed.py",
	    "dfd = os.open('d', os.O_RDONLY | os.O_DIRECTORY)\n"
	    "os.rename('d', 'e'); os.mkdir('d')\n"
	    "t('at-create', lambda: os.close(os.open('viafd', os.O_WRONLY | os.O_CREAT, 0o644, "
	    "dir_fd=dfd)))\n"
	    "t('at-read', lambda: os.close(os.open('g', os.O_RDONLY, dir_fd=dfd)))\n"
	    "t('at-mkdir', lambda: os.mkdir('sub', dir_fd=dfd))\n"
	    "os.fchdir(dfd)\n"
	    "t('cwd-create', creat, 'viacwd')\n"
	    "t('cwd-up', creat, '../outside/x')\n"
	    "os.chdir(W)\n"
	    "print('e', sorted(os.listdir('e')), 'd', sorted(os.listdir('d')))\n" END_PY);
	struct scene sc = scene(false);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	outside_intact(&sc, &r);
	CHECK(!tc_exists(tc_path(sc.o, "x")));
	if (!strstr(r.out, "e ['g', 'sub', 'viacwd', 'viafd'] d []\n")) {
		th_fail(__FILE__, __LINE__, "names through the old fd:\n%s", r.out);
	}
	CHECK(tc_exists(tc_path(sc.w, "e/viafd")));
	CHECK(tc_exists(tc_path(sc.w, "e/viacwd")));
}

/* A copied-up file linked out into a writable tree through its /proc
 * fd link: refused, or a link of the run's own staged copy that the
 * commit never makes the workdir's file (a later run granted only the
 * tree would write the workdir through it). */
TEST(attackcowsec_upper_file_linked_out)
{
	tc_need_python();
	char *script = mkscript(
	    "linkout.py",
	    "fd = os.open('f', os.O_RDWR | os.O_APPEND); os.write(fd, b'staged\\n')\n"
	    "cc('procfd-follow', libc.linkat(-100, b'/proc/self/fd/%d' % fd, -100,\n"
	    "   (T + '/x1').encode(), 0x400))\n"
	    "cc('empty-path', libc.linkat(fd, b'', -100, (T + '/x2').encode(), 0x1000))\n"
	    "up = os.readlink('/proc/self/fd/%d' % fd)\n"
	    "cc('upper-name', libc.linkat(-100, up.encode(), -100, (T + '/x3').encode(), 0))\n"
	    "tfd = os.open('.', os.O_TMPFILE | os.O_RDWR, 0o644); os.write(tfd, b'tmp')\n"
	    "cc('tmpfile-in', libc.linkat(-100, b'/proc/self/fd/%d' % tfd, -100, b'tl', 0x400))\n"
	    "cc('tmpfile-out', libc.linkat(-100, b'/proc/self/fd/%d' % tfd, -100,\n"
	    "   (T + '/x4').encode(), 0x400))\n" END_PY);
	struct scene sc = scene(true);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc, script));
	struct tc_res r = sc_run(p, &sc, script, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	outside_intact(&sc, &r);
	CHECK_STR(tc_read_file(tc_path(sc.w, "f")), "lower\nstaged\n");
	struct stat a, b;
	static const char *const names[] = {"f", "tl"};
	static const char *const xs[] = {"x1", "x2", "x3", "x4"};
	for (size_t i = 0; i < 2; i++) {
		if (stat(tc_path(sc.w, names[i]), &a) != 0)
			continue;
		for (size_t j = 0; j < 4; j++)
			if (stat(tc_path(sc.t, xs[j]), &b) == 0 && a.st_ino == b.st_ino &&
			    a.st_dev == b.st_dev)
				th_fail(__FILE__, __LINE__,
					"%s/%s is committed as a link of %s/%s:\n%s", sc.w,
					names[i], sc.t, xs[j], r.out);
	}
	storage_empty(&sc);
}

/* ---- renames that lose data ------------------------------------------------------- */

/* A tree of the workdir renamed away and back, split, exchanged and
 * partly removed, with files made again under removed names: the
 * commit equals the same script run bare on a copy (no entry lost to a
 * whiteout or a rename). */
TEST(attackcowsec_renames_lose_nothing)
{
	tc_need_python();
	static const char ops[] =
	    "import ctypes, os, shutil, sys\n"
	    "libc = ctypes.CDLL(None, use_errno=True)\n"
	    "os.chdir(sys.argv[1])\n"
	    "os.rename('big', 'big2'); os.rename('big2/sub', 'sub2'); os.rename('big2', 'big')\n"
	    "os.rename('sub2', 'big/sub')\n"
	    "os.mkdir('big3'); os.rename('big/f1', 'big3/f1')\n"
	    "if libc.renameat2(-100, b'big', -100, b'big3', 2):\n"
	    "    shutil.move('big', 'tmp'); shutil.move('big3', 'big'); shutil.move('tmp', "
	    "'big3')\n"
	    "os.unlink('big3/f2'); open('big3/f2', 'w').write('again')\n"
	    "shutil.rmtree('big3/sub/deeper'); os.mkdir('big3/sub/deeper')\n"
	    "os.rename('big3/sub/s0', 'big3/sub/deeper/s0')\n"
	    "os.rename('big3', 'moved'); os.mkdir('big3'); os.rename('moved/f3', 'big3/f3')\n";
	char *sc_py = tc_path(tc_mkdir("scripts"), "renames.py");
	tc_write_file(sc_py, ops, 0644);
	char *trees[2];
	for (int i = 0; i < 2; i++) {
		char *w = tc_mkdir(i ? "rw" : "rbare");
		CHECK_EQ(mkdir(tc_path(w, "big"), 0755), 0);
		CHECK_EQ(mkdir(tc_path(w, "big/sub"), 0755), 0);
		CHECK_EQ(mkdir(tc_path(w, "big/sub/deeper"), 0755), 0);
		for (int k = 0; k < 40; k++)
			tc_write_file(tc_path(w, tc_fmt("big/f%d", k)), tc_fmt("f%d\n", k), 0644);
		for (int k = 0; k < 5; k++) {
			tc_write_file(tc_path(w, tc_fmt("big/sub/s%d", k)), "s\n", 0644);
			tc_write_file(tc_path(w, tc_fmt("big/sub/deeper/d%d", k)), "d\n", 0600);
		}
		trees[i] = w;
	}
	const char *bare[] = {PY, sc_py, trees[0], NULL};
	CHECK_EQ(th_run((char *const *)bare, NULL, NULL, NULL), 0);
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, trees[1]);
	b = sandlock_sandbox_builder_fs_isolation(b, 0);
	b = sandlock_sandbox_builder_fs_storage(b, tc_mkdir("rstorage"));
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, sc_py));
	const char *argv[] = {PY, sc_py, trees[1], NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 3);
	if (!res)
		th_fail(__FILE__, __LINE__, "run: %s", sandlock_last_error());
	struct tc_res r = tc_result(res);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	/* the bare run and the committed one: times differ, nothing else */
	CHECK_STR(tc_tree_dump(trees[1], TC_DUMP_OWNER, NULL),
		  tc_tree_dump(trees[0], TC_DUMP_OWNER, NULL));
}
