/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attackcwd.c - the seccomp copy-on-write layer's cwd in the upper under
 * attack.  With fs_isolation none the command's kernel cwd is a
 * directory of the branch's storage (the upper's copy of where it is),
 * so every name the kernel resolves from it starts there: "..", a
 * symlink to "..", /proc/self/cwd/.., a dirfd of "..", the calls the
 * layer leaves to the kernel, a chdir raced by a second thread, a cwd the
 * view removed.  Each test asserts the safe outcome: the storage holds
 * the branch's own tree and another branch's files stay unread and
 * unchanged, the host's workdir and a directory outside are as they were
 * (after an abort, and after a commit of a run that only moved around),
 * and what the command makes lands in the layer.  A test that exposes a
 * hole still open skips at its start with "known hole: ..." unless
 * SANDLOCK_TEST_KNOWN_HOLES is set.  What each attempt got:
 * ATTACKCWD_VERBOSE=1.
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PY TC_PYTHON

/* Every script starts with: W (the workdir, its cwd), O (a directory
 * outside, mode 0777), S (the storage); t() runs one attempt and prints
 * "NAME ok VALUE" or "NAME ERRNO"; the *at() xattr calls by number. */
static const char prelude_py[] =
    "import ctypes, errno, os, socket, stat, subprocess, sys, threading\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "W, O, S = sys.argv[1:4]\n"
    "ARGS = sys.argv[4:]\n"
    "os.chdir(W)\n"
    "def en(e): return errno.errorcode.get(e, str(e))\n"
    "def t(name, fn, *a):\n"
    "    try:\n"
    "        r = fn(*a)\n"
    "        print(name, 'ok', repr(r)[:200], flush=True)\n"
    "        return r if r is not None else True\n"
    "    except OSError as e:\n"
    "        print(name, en(e.errno), flush=True)\n"
    "        return None\n"
    "def rd(p):\n"
    "    with open(p, 'rb') as f: return f.read()\n"
    "def creat(p):\n"
    "    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)\n"
    "    os.write(fd, b'PWNED'); os.close(fd)\n"
    "def ino(p): return 'ino=%d' % os.stat(p).st_ino\n"
    "def bindsock(p):\n"
    "    s = socket.socket(socket.AF_UNIX)\n"
    "    try: s.bind(p)\n"
    "    finally: s.close()\n"
    "def sc(r, p):\n"
    "    if r < 0: raise OSError(ctypes.get_errno(), p)\n"
    "    return r\n"
    "def gxa(p, name):\n"
    "    buf = ctypes.create_string_buffer(256)\n"
    "    args = (ctypes.c_uint64 * 3)(ctypes.addressof(buf), 256, 0)\n"
    "    r = sc(libc.syscall(464, -100, p.encode(), 0, name.encode(), args, 24), p)\n"
    "    return buf.raw[:r]\n"
    "def lxa(p):\n"
    "    buf = ctypes.create_string_buffer(1024)\n"
    "    r = sc(libc.syscall(465, -100, p.encode(), 0, buf, 1024), p)\n"
    "    return buf.raw[:r]\n"
    "def fga(p):\n"
    "    buf = ctypes.create_string_buffer(64)\n"
    "    return sc(libc.syscall(468, -100, p.encode(), buf, 24, 0), p)\n"
    "def end(): sys.exit(0 if ARGS and ARGS[0] == 'commit' else 1)\n"
    "\n";

static char *mkscript(const char *name, const char *body)
{
	return tc_script(name, prelude_py, body);
}

static char *dump(const char *root)
{
	return tc_tree_dump(root, TC_DUMP_OWNER | TC_DUMP_MTIME, NULL);
}

/* The scene: the workdir W (f, d/g, d/sub/h, deep/a/b/c), O outside
 * (secret; mode 0777, so only the sandbox keeps a write out), and the
 * storage S holding another branch's directory (other: upper/osecret,
 * upper/olnk, a symlink whose target is the secret, work/), which the
 * kernel's walk from a cwd in this branch's upper reaches by "../..". */
struct scene {
	char *w, *o, *s, *script;
	char *w_before, *o_before, *other_before;
};

static struct scene scene(const char *script)
{
	struct scene sc;
	char *old[] = {"/bin/rm",	    "-rf", tc_mkdir("w"), tc_mkdir("outside"),
		       tc_mkdir("storage"), NULL};
	CHECK_EQ(th_run(old, NULL, NULL, NULL), 0); /* a fresh scene each time */
	sc.script = script ? (char *)script : "";
	sc.w = tc_mkdir("w");
	sc.o = tc_mkdir("outside");
	sc.s = tc_mkdir("storage");
	CHECK_EQ(chmod(sc.o, 0777), 0);
	tc_write_file(tc_path(sc.o, "secret"), "secret\n", 0666);
	tc_write_file(tc_path(sc.w, "f"), "lower\n", 0644);
	tc_write_file(tc_path(sc.w, "tool.sh"), "#!/bin/sh\necho tool ran\n", 0755);
	tc_write_file(tc_path(sc.w, "t"), "#!/bin/sh\necho t ran\n", 0755);
	CHECK_EQ(mkdir(tc_path(sc.w, "d"), 0755), 0);
	tc_write_file(tc_path(sc.w, "d/g"), "g\n", 0644);
	CHECK_EQ(mkdir(tc_path(sc.w, "d/sub"), 0755), 0);
	tc_write_file(tc_path(sc.w, "d/sub/h"), "h\n", 0644);
	CHECK_EQ(mkdir(tc_path(sc.w, "deep"), 0755), 0);
	CHECK_EQ(mkdir(tc_path(sc.w, "deep/a"), 0755), 0);
	CHECK_EQ(mkdir(tc_path(sc.w, "deep/a/b"), 0755), 0);
	CHECK_EQ(mkdir(tc_path(sc.w, "deep/a/b/c"), 0755), 0);
	char *other = tc_path(sc.s, "other");
	CHECK_EQ(mkdir(other, 0755), 0);
	CHECK_EQ(mkdir(tc_path(other, "upper"), 0755), 0);
	CHECK_EQ(mkdir(tc_path(other, "work"), 0755), 0);
	tc_write_file(tc_path(other, "upper/osecret"), "OTHERSECRET\n", 0644);
	CHECK_EQ(symlink("OTHERLINKTARGET", tc_path(other, "upper/olnk")), 0);
	sc.w_before = dump(sc.w);
	sc.o_before = dump(sc.o);
	sc.other_before = dump(other);
	return sc;
}

static sandlock_builder_t *sc_builder(const struct scene *sc)
{
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, sc->w);
	b = sandlock_sandbox_builder_fs_isolation(b, 0);
	b = sandlock_sandbox_builder_fs_storage(b, sc->s);
	if (*sc->script)
		b = sandlock_sandbox_builder_fs_read(b, sc->script);
	return b;
}

/* The script in p with the scene's arguments and how it ends ("commit":
 * exit 0, else 1). */
static struct tc_res sc_run(const sandlock_sandbox_t *p, const struct scene *sc, const char *how)
{
	const char *argv[] = {PY, sc->script, sc->w, sc->o, sc->s, how, NULL};
	sandlock_result_t *res = sandlock_run(p, NULL, argv, 6);
	if (!res)
		th_fail(__FILE__, __LINE__, "run: %s", sandlock_last_error());
	struct tc_res r = tc_result(res);
	if (getenv("ATTACKCWD_VERBOSE"))
		fprintf(stderr, "--- %s %s\n%s%s%s\n", sc->script, how, r.out, r.err, r.note);
	return r;
}

/* What must hold after any run: nothing of another branch read, the
 * directory outside and the other branch as they were, the storage
 * holding only the other branch (this one's removed at the end). */
static void storage_and_outside_intact(const struct scene *sc, const struct tc_res *r)
{
	if (strstr(r->out, "OTHERSECRET") || strstr(r->out, "OTHERLINK"))
		th_fail(__FILE__, __LINE__, "another branch read:\n%s%s", r->out, r->err);
	char *o = dump(sc->o);
	if (strcmp(o, sc->o_before) != 0)
		th_fail(__FILE__, __LINE__, "outside changed:\n%s\nwas:\n%s\nscript said:\n%s%s", o,
			sc->o_before, r->out, r->err);
	char *other = dump(tc_path(sc->s, "other"));
	if (strcmp(other, sc->other_before) != 0)
		th_fail(__FILE__, __LINE__, "other branch changed:\n%s\nwas:\n%s\n%s%s", other,
			sc->other_before, r->out, r->err);
	DIR *d = opendir(sc->s);
	CHECK(d != NULL);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "other"))
			th_fail(__FILE__, __LINE__, "storage holds %s after the run:\n%s%s",
				e->d_name, r->out, r->err);
	closedir(d);
}

/* Nothing made beside the workdir (in its parent: the host's, where the
 * layer's ".." leads). */
static void parent_clean(const struct scene *sc)
{
	char *parent = tc_path(sc->w, "..");
	DIR *d = opendir(parent);
	CHECK(d != NULL);
	struct dirent *e;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "pwn", 3))
			th_fail(__FILE__, __LINE__, "%s made beside the workdir", e->d_name);
	closedir(d);
}

static void workdir_intact(const struct scene *sc, const struct tc_res *r)
{
	char *now = dump(sc->w);
	if (strcmp(now, sc->w_before) != 0)
		th_fail(__FILE__, __LINE__, "workdir changed:\n%s\nwas:\n%s\n%s%s", now,
			sc->w_before, r->out, r->err);
}

/* The script run on a fresh scene, aborted then committed: both times
 * the storage and outside intact; after the abort the workdir too.
 * Returns the committed run's result (its scene in *last). */
static struct tc_res both_ends(const char *name, const char *body, struct scene *last)
{
	tc_need_python();
	char *script = mkscript(name, body);
	struct tc_res r = {0};
	for (int commit = 0; commit < 2; commit++) {
		struct scene sc = scene(script);
		sandlock_sandbox_t *p = tc_build(sc_builder(&sc));
		r = sc_run(p, &sc, commit ? "commit" : "abort");
		if (r.code != (commit ? 0 : 1))
			th_fail(__FILE__, __LINE__, "%s ended %d:\n%s%s", name, r.code, r.out,
				r.err);
		storage_and_outside_intact(&sc, &r);
		if (!commit)
			workdir_intact(&sc, &r);
		*last = sc;
	}
	return r;
}

/* The inode numbers a stat from inside must never show: the storage's
 * own directories and the other branch's. */
static void no_storage_inode(const struct scene *sc, const struct tc_res *r)
{
	const char *rel[] = {"", "other", "other/upper", "other/work", "other/upper/osecret"};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		struct stat st;
		CHECK_EQ(lstat(*rel[i] ? tc_path(sc->s, rel[i]) : sc->s, &st), 0);
		char *needle = tc_fmt("ino=%lu'", (unsigned long)st.st_ino);
		if (strstr(r->out, needle))
			th_fail(__FILE__, __LINE__, "a stat showed storage's %s:\n%s", rel[i],
				r->out);
	}
}

/* ---- the storage from the upper's cwd ----------------------------------------- */

/* The attempts from a cwd k levels below the workdir's root: what the
 * kernel's walk of the same names from the upper would reach is this
 * branch's directory ('../' * (k+1)), its work directory and the other
 * branch ('../' * (k+2)). */
static const char storage_attempts_py[] =
    "def attempts(tag, k):\n"
    "    b = '../' * (k + 1); s = '../' * (k + 2)\n"
    "    for p in (s + 'other/upper/osecret', b + '../other/upper/osecret',\n"
    "              '/proc/self/cwd/' + s + 'other/upper/osecret',\n"
    "              '/proc/thread-self/cwd/' + s + 'other/upper/osecret'):\n"
    "        t(tag + ' read ' + p, rd, p)\n"
    "        t(tag + ' stat ' + p, ino, p)\n"
    "        t(tag + ' access ' + p, os.access, p, os.F_OK)\n"
    "        t(tag + ' truncate ' + p, os.truncate, p, 0)\n"
    "        t(tag + ' chmod ' + p, os.chmod, p, 0o600)\n"
    "        t(tag + ' utime ' + p, os.utime, p, (1, 1))\n"
    "        t(tag + ' rename ' + p, os.rename, p, W + '/pwn-mv')\n"
    "        t(tag + ' link ' + p, os.link, p, W + '/pwn-hl')\n"
    "        t(tag + ' unlink ' + p, os.unlink, p)\n"
    "    t(tag + ' readlink', os.readlink, s + 'other/upper/olnk')\n"
    "    for d in (b, b + 'work', s, s + 'other', s + 'other/upper', '/proc/self/cwd/' + b):\n"
    "        t(tag + ' ls ' + d, os.listdir, d)\n"
    "        t(tag + ' stat ' + d, ino, d)\n"
    "        t(tag + ' creat ' + d, creat, d + '/pwn-c')\n"
    "        t(tag + ' mkdir ' + d, os.mkdir, d + '/pwn-d')\n"
    "        t(tag + ' symlink ' + d, os.symlink, 'x', d + '/pwn-s')\n"
    "        t(tag + ' fifo ' + d, os.mkfifo, d + '/pwn-f')\n"
    "        t(tag + ' bind ' + d, bindsock, d + '/pwn-sock')\n"
    "        t(tag + ' rename-in ' + d, os.rename, 'mine', d + '/pwn-r')\n"
    "        t(tag + ' link-in ' + d, os.link, 'mine', d + '/pwn-l')\n"
    "        t(tag + ' setxattr ' + d, os.setxattr, d, 'user.pwn', b'1')\n"
    "        t(tag + ' chmod ' + d, os.chmod, d, 0o777)\n"
    "    fd = t(tag + ' open ..', os.open, b, os.O_RDONLY | os.O_DIRECTORY)\n"
    "    pfd = t(tag + ' open .. O_PATH', os.open, b, os.O_PATH)\n"
    "    for f in (fd, pfd):\n"
    "        if not f: continue\n"
    "        t(tag + ' fd ls', os.listdir, f)\n"
    "        t(tag + ' fd read', rd, '/proc/self/fd/%d/../other/upper/osecret' % f)\n"
    "        for n in ('work', 'upper', '../other/upper/osecret'):\n"
    "            t(tag + ' fd stat ' + n, lambda: ino(os.path.join('/proc/self/fd/%d' % f, n)))\n"
    "            t(tag + ' fd openat ' + n, os.open, n, os.O_RDONLY, dir_fd=f)\n"
    "        t(tag + ' fd mkdirat', os.mkdir, 'pwn-at', dir_fd=f)\n"
    "        here = os.getcwd()\n"
    "        if t(tag + ' fchdir', os.fchdir, f):\n"
    "            t(tag + ' fchdir stat .', ino, '.')\n"
    "            t(tag + ' fchdir ls', os.listdir, '.')\n"
    "            t(tag + ' fchdir read', rd, '../other/upper/osecret')\n"
    "            t(tag + ' fchdir readlink', os.readlink, '../other/upper/olnk')\n"
    "            t(tag + ' fchdir creat', creat, 'pwn-fc')\n"
    "        os.chdir(here)\n"
    "        os.close(f)\n"
    "open('mine', 'w').write('mine')\n";

/* From the start directory (the upper's root), a directory copied up by
 * the chdir (d/sub), one only the upper holds (nu/nv), and through a
 * symlink made in the run to "..": no name reaches the storage, for
 * reading or writing; what the layer answers for ".." is the host's
 * parent of the workdir. */
TEST(attackcwd_storage_unreachable_from_the_upper_cwd)
{
	struct scene sc;
	struct tc_res r =
	    both_ends("storage.py",
		      tc_fmt("%s%s", storage_attempts_py,
			     "attempts('root', 0)\n"
			     "os.chdir('d/sub'); attempts('sub', 2); os.chdir(W)\n"
			     "os.makedirs('nu/nv'); os.chdir('nu/nv'); attempts('nv', 2)\n"
			     "os.chdir(W); os.symlink('..', 'up'); os.symlink('up/..', 'up2')\n"
			     "for p in ('up', 'up2', 'up/..', 'up2/other'):\n"
			     "    t('link ls ' + p, os.listdir, p)\n"
			     "    t('link stat ' + p, ino, p)\n"
			     "    t('link creat ' + p, creat, p + '/pwn-lc')\n"
			     "    t('link chdir ' + p, os.chdir, p); os.chdir(W)\n"
			     "end()\n"),
		      &sc);
	no_storage_inode(&sc, &r);
	parent_clean(&sc);
	CHECK(!tc_exists(tc_path(sc.w, "pwn-mv")) && !tc_exists(tc_path(sc.w, "pwn-hl")));
	CHECK_STR(tc_read_file(tc_path(sc.w, "mine")), "mine");
}

/* getxattrat, listxattrat and file_getattr (Linux 6.13, 6.17) name a
 * path the layer does not serve: the kernel would resolve it from the
 * cwd in the upper (a whiteout, an opaque directory's
 * user.overlay.opaque) or, by the workdir's absolute name, on the host's
 * files (a removed file's attributes).  The layer answers ENOSYS, as a
 * kernel without them does, for every name: libraries fall back to
 * getxattr and listxattr, which the layer serves. */
TEST(attackcwd_xattrat_calls_from_the_upper)
{
	if (syscall(465, AT_FDCWD, ".", 0, NULL, 0) < 0 && errno == ENOSYS)
		SKIP("no listxattrat on this kernel (Linux 6.13)");
	struct scene sc;
	struct tc_res r =
	    both_ends("xattrat.py",
		      "os.unlink('f'); os.unlink('d/g'); os.unlink('d/sub/h'); os.rmdir('d/sub')\n"
		      "os.rmdir('d'); os.mkdir('d')\n"
		      "for p in ('f', 'd', 'd/sub', 'deep/a', W + '/f', W + '/d'):\n"
		      "    t('lxa ' + p, lxa, p)\n"
		      "    t('gxa ' + p, gxa, p, 'user.overlay.opaque')\n"
		      "    t('fga ' + p, fga, p)\n"
		      "    t('listxattr ' + p, os.listxattr, p)\n"
		      "end()\n",
		      &sc);
	const char *paths[] = {"f", "d", "d/sub", "deep/a", "/f", "/d"};
	const char *calls[] = {"lxa", "gxa", "fga"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (size_t k = 0; k < 3; k++) {
			const char *p =
			    paths[i][0] == '/' ? tc_fmt("%s%s", sc.w, paths[i]) : paths[i];
			char *line = tc_fmt("%s %s ENOSYS\n", calls[k], p);
			if (!strstr(r.out, line))
				th_fail(__FILE__, __LINE__, "want \"%s\":\n%s", line, r.out);
		}
	if (strstr(r.out, "overlay"))
		th_fail(__FILE__, __LINE__, "an overlay mark shown:\n%s", r.out);
}

/* ---- a cwd the view removed ------------------------------------------------- */

/* The cwd removed in the view (rmdir of the cwd itself, a rename of its
 * lower-backed parent) or renamed (a directory only the upper holds):
 * relative creates land in the layer where the view still has the
 * directory, else fail; nothing reaches the storage, outside or the
 * host's workdir; the commit brings exactly the view. */
TEST(attackcwd_removed_cwd_creates_land_nowhere)
{
	static const char body[] =
	    "def rel(tag):\n"
	    "    t(tag + ' getcwd', os.getcwd)\n"
	    "    t(tag + ' creat', creat, 'pwn-x')\n"
	    "    t(tag + ' mkdir', os.mkdir, 'pwn-y')\n"
	    "    t(tag + ' symlink', os.symlink, 'z', 'pwn-z')\n"
	    "    t(tag + ' fifo', os.mkfifo, 'pwn-f')\n"
	    "    t(tag + ' ls', os.listdir, '.')\n"
	    "    t(tag + ' creat ..', creat, '../pwn-up')\n"
	    "    t(tag + ' mkdir ..', os.mkdir, '../pwn-upd')\n"
	    "    t(tag + ' rename-in', os.rename, W + '/f', 'pwn-r')\n"
	    "    os.chdir(W)\n"
	    "os.mkdir('u'); os.mkdir('u/v'); os.chdir('u/v'); os.rename(W + '/u', W + '/u2')\n"
	    "rel('upper-parent')\n"
	    "os.chdir('deep/a/b'); os.rename(W + '/deep/a/b/c', W + '/c2'); os.rmdir(W + '/c2')\n"
	    "os.rename(W + '/deep/a/b', W + '/b2'); rel('moved-away')\n"
	    "os.chdir('d/sub'); os.rename(W + '/d', W + '/d2'); rel('lower-parent')\n"
	    "os.mkdir('rm'); os.chdir(W + '/rm'); os.rmdir(W + '/rm'); rel('rmdir')\n"
	    "end()\n";
	struct scene sc;
	struct tc_res r = both_ends("removed.py", body, &sc);
	/* the commit: exactly the view the script left */
	CHECK(!tc_exists(tc_path(sc.w, "rm")) && !tc_exists(tc_path(sc.w, "d")));
	CHECK(!tc_exists(tc_path(sc.w, "pwn-up")) && !tc_exists(tc_path(sc.w, "pwn-upd")));
	CHECK(!tc_exists(tc_path(sc.w, "deep/a/b")) && !tc_exists(tc_path(sc.w, "c2")));
	CHECK_STR(tc_read_file(tc_path(sc.w, "d2/sub/h")), "h\n");
	CHECK_STR(tc_read_file(tc_path(sc.w, "d2/g")), "g\n");
	CHECK(tc_exists(tc_path(sc.w, "b2")));
	if (strstr(r.out, "upper-parent creat ok"))
		CHECK_STR(tc_read_file(tc_path(sc.w, "u2/v/pwn-x")), "PWNED");
	CHECK(!tc_exists(tc_path(sc.w, "u")));
	CHECK_STR(tc_read_file(tc_path(sc.w, "u2/pwn-up")), "PWNED");
}

/* A removed cwd is the upper's directory moved into the branch's work
 * directory (or its tree rebuilt there): the kernel's walk of ".." from
 * it reaches the branch's directory and the other branch.  Names there
 * are the host's, whose metadata the kernel answers as for any path (no
 * Landlock right covers a stat), but no content is read, nothing is made,
 * and a chdir there opens nothing either. */
TEST(attackcwd_removed_cwd_storage_content_unreachable)
{
	struct scene sc;
	struct tc_res r = both_ends(
	    "removedsto.py",
	    "def probe(tag, up):\n"
	    "    t(tag + ' read', rd, up + 'other/upper/osecret')\n"
	    "    t(tag + ' ls', os.listdir, up + 'other/upper')\n"
	    "    t(tag + ' ls work', os.listdir, '..')\n"
	    "    t(tag + ' creat', creat, up + 'other/upper/pwn-c')\n"
	    "    t(tag + ' creat work', creat, '../pwn-w')\n"
	    "    t(tag + ' mkdir', os.mkdir, '../../pwn-d')\n"
	    "    t(tag + ' symlink', os.symlink, 'x', '../../pwn-s')\n"
	    "    t(tag + ' rename', os.rename, up + 'other/upper/osecret', '../pwn-r')\n"
	    "    t(tag + ' truncate', os.truncate, up + 'other/upper/osecret', 0)\n"
	    "    t(tag + ' chmod', os.chmod, up + 'other/upper/osecret', 0o600)\n"
	    "    t(tag + ' setxattr', os.setxattr, up + 'other/upper/osecret', 'user.p', b'1')\n"
	    "    if t(tag + ' chdir', os.chdir, up + 'other'):\n"
	    "        t(tag + ' read there', rd, 'upper/osecret')\n"
	    "        t(tag + ' ls there', os.listdir, '.')\n"
	    "        t(tag + ' creat there', creat, 'pwn-t')\n"
	    "        t(tag + ' fd there', os.open, 'upper', os.O_RDONLY | os.O_DIRECTORY)\n"
	    "    os.chdir(W)\n"
	    "os.mkdir('rm'); os.chdir('rm'); os.rmdir(W + '/rm'); probe('rmdir', '../../../')\n"
	    "os.chdir('deep/a/b'); os.rename(W + '/deep/a', W + '/a2')\n"
	    "probe('renamed', '../../../../../')\n"
	    "end()\n",
	    &sc);
	parent_clean(&sc);
	const char *bad[] = {" read ok", " ls ok",	"ls work ok", " creat ok",
			     "mkdir ok", "symlink ok",	"rename ok",  "truncate ok",
			     "chmod ok", "setxattr ok", "there ok",   "fd there ok"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(r.out, bad[i]))
			th_fail(__FILE__, __LINE__, "%s from a removed cwd:\n%s", bad[i], r.out);
}

/* Back into the workdir after the cwd was removed (chdir to its absolute
 * name), then the `mkdir x && cd x` every build does: the chdir into
 * the new directory works and what is made there lands in it. */
TEST(attackcwd_back_from_a_removed_cwd)
{
	struct scene sc;
	struct tc_res r = both_ends("back.py",
				    "os.mkdir('rm'); os.chdir('rm'); os.rmdir(W + '/rm')\n"
				    "os.chdir(W)\n"
				    "os.mkdir('x')\n"
				    "if t('chdir x', os.chdir, 'x'):\n"
				    "    t('creat', creat, 'made'); os.chdir(W)\n"
				    "end()\n",
				    &sc);
	CHECK_CONTAINS(r.out, "chdir x ok");
	CHECK_STR(tc_read_file(tc_path(sc.w, "x/made")), "PWNED");
}

/* ---- races on the chdir ----------------------------------------------------- */

/* A second thread rewrites the chdir's path buffer while the first
 * chdirs, over and over, between a lower directory, one only the upper
 * holds, "..", "../..", /proc/self/cwd/.., the directory outside and
 * the workdir; after each chdir the first creates a file by a relative
 * name and goes back.  Whatever the timing, a relative create lands in
 * the layer or fails: never outside, in the storage, or in the host's
 * workdir before the commit. */
TEST(attackcwd_chdir_buffer_race)
{
	struct scene sc;
	struct tc_res r =
	    both_ends("chrace.py",
		      "os.mkdir('nu')\n"
		      "names = [b'd\\0', b'nu\\0', b'..\\0', b'../..\\0', (O + '\\0').encode(),\n"
		      "         b'/proc/self/cwd/..\\0', b'd/sub\\0', (W + '/nu\\0').encode(),\n"
		      "         b'../../other\\0', b'd/../..\\0']\n"
		      "size = max(len(n) for n in names)\n"
		      "buf = ctypes.create_string_buffer(size)\n"
		      "done = False\n"
		      "def flip():\n"
		      "    i = 0\n"
		      "    while not done:\n"
		      "        n = names[i % len(names)]; ctypes.memmove(buf, n, len(n)); i += 1\n"
		      "th = threading.Thread(target=flip, daemon=True); th.start()\n"
		      "made = 0\n"
		      "for i in range(1500):\n"
		      "    if libc.chdir(buf) == 0:\n"
		      "        try: creat('pwn-%d' % i); made += 1\n"
		      "        except OSError: pass\n"
		      "        os.chdir(W)\n"
		      "done = True; th.join()\n"
		      "print('made', made)\n"
		      "end()\n",
		      &sc);
	CHECK(!strstr(r.out, "made 0\n"));
	parent_clean(&sc);
}

/* A second thread swaps the name being entered between a directory
 * (made in the run), a symlink to "..", to "../..", to the directory
 * outside and to a lower directory, while the first chdirs into it and
 * creates a file by a relative name: the file lands in the layer (the
 * directory, or the lower one the symlink names) or nowhere. */
TEST(attackcwd_dir_swapped_for_symlink_race)
{
	struct scene sc;
	struct tc_res r =
	    both_ends("swrace.py",
		      "done = False\n"
		      "def swap():\n"
		      "    i = 0\n"
		      "    while not done:\n"
		      "        k = i % 5; i += 1\n"
		      "        try:\n"
		      "            if k == 0: os.mkdir(W + '/sw'); os.rmdir(W + '/sw')\n"
		      "            else:\n"
		      "                os.symlink(('..', '../..', O, 'd')[k - 1], W + '/sw')\n"
		      "                os.unlink(W + '/sw')\n"
		      "        except OSError: pass\n"
		      "th = threading.Thread(target=swap, daemon=True); th.start()\n"
		      "made = 0\n"
		      "for i in range(1500):\n"
		      "    try: os.chdir('sw')\n"
		      "    except OSError: continue\n"
		      "    try: creat('pwn-%d' % i); made += 1\n"
		      "    except OSError: pass\n"
		      "    os.chdir(W)\n"
		      "done = True; th.join()\n"
		      "print('made', made)\n"
		      "t('left', os.listdir, '.')\n"
		      "end()\n",
		      &sc);
	parent_clean(&sc);
	(void)r;
}

/* ---- commit and dry run -------------------------------------------------------- */

/* A run that only moves around (chdir into every directory of the
 * workdir, by relative and absolute names, /proc/self/cwd, fchdir;
 * getcwd, listings, stats, reads) materializes directories in the upper:
 * none is a change.  The dry run lists nothing; the commit leaves the
 * host's workdir byte for byte as it was (modes, owners, times). */
TEST(attackcwd_chdir_only_run_changes_nothing)
{
	tc_need_python();
	static const char body[] =
	    "for root, dirs, files in os.walk(W):\n"
	    "    for d in dirs:\n"
	    "        p = os.path.join(root, d)\n"
	    "        os.chdir(p); os.getcwd(); os.listdir('.'); os.stat('.')\n"
	    "        os.chdir(W); os.chdir(os.path.relpath(p, W)); os.listdir('.')\n"
	    "        for f in os.listdir('.'):\n"
	    "            if os.path.isfile(f): rd(f)\n"
	    "        fd = os.open('.', os.O_RDONLY | os.O_DIRECTORY); os.chdir(W); os.fchdir(fd)\n"
	    "        os.close(fd); os.getcwd(); os.chdir('/proc/self/cwd'); os.listdir('.')\n"
	    "        os.chdir(W)\n"
	    "os.chdir('deep/a/b/c'); os.chdir('..'); os.chdir('../..'); print(os.getcwd())\n"
	    "end()\n";
	char *script = mkscript("walk.py", body);
	struct scene sc = scene(script);
	sandlock_sandbox_t *p = tc_build(sc_builder(&sc));
	const char *argv[] = {PY, script, sc.w, sc.o, sc.s, "commit", NULL};
	sandlock_dry_run_result_t *d = sandlock_dry_run(p, NULL, argv, 6);
	if (!d)
		th_fail(__FILE__, __LINE__, "dry run: %s", sandlock_last_error());
	size_t n = sandlock_dry_run_result_changes_len(d), len = 0;
	const uint8_t *out = sandlock_dry_run_result_stdout_bytes(d, &len);
	const uint8_t *err = sandlock_dry_run_result_stderr_bytes(d, &len);
	CHECK_EQ(sandlock_dry_run_result_exit_code(d), 0);
	for (size_t i = 0; i < n; i++) {
		char *path = sandlock_dry_run_result_change_path(d, i);
		fprintf(stderr, "change %c %s\n", sandlock_dry_run_result_change_kind(d, i), path);
		free(path);
	}
	if (n != 0)
		th_fail(__FILE__, __LINE__, "a chdir-only run listed %zu changes (%s%s)", n,
			out ? (const char *)out : "", err ? (const char *)err : "");
	sandlock_dry_run_result_free(d);
	workdir_intact(&sc, &(struct tc_res){.out = "", .err = ""});
	struct tc_res r = sc_run(p, &sc, "commit");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
	CHECK_CONTAINS(r.out, tc_fmt("%s/deep\n", sc.w));
	workdir_intact(&sc, &r);
	storage_and_outside_intact(&sc, &r);
}

/* A start directory inside the workdir (the policy's cwd, copied up
 * before the start), one outside it: the command starts where it was
 * told (getcwd, a relative read), a relative create lands in the layer
 * or is refused outside, and a commit of a run that made nothing leaves
 * the host's workdir as it was. */
TEST(attackcwd_start_directory)
{
	tc_need_python();
	for (int outside = 0; outside < 2; outside++) {
		struct scene sc = scene(NULL);
		sandlock_builder_t *b = sc_builder(&sc);
		char *start = outside ? sc.o : tc_path(sc.w, "d/sub");
		b = sandlock_sandbox_builder_cwd(b, start);
		b = sandlock_sandbox_builder_fs_read(b, sc.o);
		sandlock_sandbox_t *p = tc_build(b);
		const char *argv[] = {
		    PY, "-c",
		    "import os, sys\n"
		    "print('start', os.getcwd())\n"
		    "print('read', open(sys.argv[1]).read().strip())\n"
		    "try: open('pwn-start', 'x').write('PWNED'); print('creat ok')\n"
		    "except OSError as e: print('creat', e.errno)\n",
		    outside ? "secret" : "h", NULL};
		struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 4));
		if (r.code != 0)
			th_fail(__FILE__, __LINE__, "ended %d:\n%s%s", r.code, r.out, r.err);
		CHECK_CONTAINS(r.out, tc_fmt("start %s\n", start));
		CHECK_CONTAINS(r.out, outside ? "read secret\n" : "read h\n");
		storage_and_outside_intact(&sc, &r);
		if (outside) {
			CHECK_CONTAINS(r.out, "creat 13\n");
			workdir_intact(&sc, &r);
		} else {
			CHECK_CONTAINS(r.out, "creat ok\n");
			CHECK_STR(tc_read_file(tc_path(sc.w, "d/sub/pwn-start")), "PWNED");
		}
	}
}

/* ---- the calls the kernel resolves from the cwd -------------------------------- */

/* Out of the workdir by its "..", and back in, by absolute and relative
 * names mixed: the kernel's cwd is the host's directory outside (its
 * inode), and back inside, a relative create lands in the layer. */
TEST(attackcwd_out_and_back_in)
{
	struct scene sc;
	struct tc_res r = both_ends(
	    "outback.py",
	    "B = os.path.basename(W)\n"
	    "os.chdir(W + '/..'); print('out', ino('.'))\n"
	    "os.chdir(B); print('back', os.getcwd()); creat('pwn-back')\n"
	    "os.chdir('d/sub'); os.chdir('../../..'); print('out2', ino('.'))\n"
	    "os.chdir(B + '/d'); print('back2', os.getcwd()); creat('pwn-d')\n"
	    "os.chdir(O); print('outside', ino('.')); t('creat outside', creat, 'pwn-o')\n"
	    "os.chdir(W + '/d/sub'); creat('pwn-s')\n"
	    "os.chdir('/proc/self/cwd/..'); print('proc', os.getcwd()); creat('pwn-p')\n"
	    "os.chdir(W + '/d/sub/../../deep/./a'); print('mixed', os.getcwd()); creat('pwn-m')\n"
	    "end()\n",
	    &sc);
	struct stat pst, ost;
	CHECK_EQ(stat(tc_path(sc.w, ".."), &pst), 0);
	CHECK_EQ(stat(sc.o, &ost), 0);
	CHECK_CONTAINS(r.out, tc_fmt("out ino=%lu\n", (unsigned long)pst.st_ino));
	CHECK_CONTAINS(r.out, tc_fmt("out2 ino=%lu\n", (unsigned long)pst.st_ino));
	CHECK_CONTAINS(r.out, tc_fmt("outside ino=%lu\n", (unsigned long)ost.st_ino));
	CHECK_CONTAINS(r.out, tc_fmt("back %s\n", sc.w));
	CHECK_CONTAINS(r.out, tc_fmt("back2 %s/d\n", sc.w));
	CHECK_CONTAINS(r.out, tc_fmt("proc %s/d\n", sc.w));
	CHECK_CONTAINS(r.out, tc_fmt("mixed %s/deep/a\n", sc.w));
	CHECK_CONTAINS(r.out, "creat outside EACCES\n");
	const char *made[] = {"pwn-back", "d/pwn-d", "d/sub/pwn-s", "d/pwn-p", "deep/a/pwn-m"};
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		CHECK_STR(tc_read_file(tc_path(sc.w, made[i])), "PWNED");
	parent_clean(&sc);
}

/* The calls the layer does not serve, or serves by the kernel's name of
 * the cwd, with relative names from the upper (its root, a directory
 * copied up, one only the upper holds): an exec of a lower program and
 * of one made in the run (execve and execveat), a unix socket's bind and
 * connect, inotify, statfs, mkfifo, truncate, times, xattrs, openat2,
 * name_to_handle_at, and ways out by "..".  Each answers as the view
 * would or is refused; what changes lands in the layer only. */
TEST(attackcwd_relative_calls_from_the_upper)
{
	struct scene sc;
	struct tc_res r = both_ends(
	    "relcalls.py",
	    "def execat(p):\n"
	    "    pid = os.fork()\n"
	    "    if pid == 0:\n"
	    "        argv = (ctypes.c_char_p * 2)(p.encode(), None)\n"
	    "        libc.syscall(322, -100, p.encode(), argv, None, 0)\n"
	    "        os._exit(100 + ctypes.get_errno())\n"
	    "    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])\n"
	    "def run(p): return subprocess.run([p], capture_output=True).stdout.decode().strip()\n"
	    "def conn(p):\n"
	    "    s = socket.socket(socket.AF_UNIX)\n"
	    "    try: s.connect(p)\n"
	    "    finally: s.close()\n"
	    "def watch(p):\n"
	    "    fd = libc.inotify_init1(0)\n"
	    "    try: return sc(libc.inotify_add_watch(fd, p.encode(), 0x100), p)\n"
	    "    finally: os.close(fd)\n"
	    "def o2(p):\n"
	    "    how = (ctypes.c_uint64 * 3)(os.O_RDONLY, 0, 0x08)\n"
	    "    os.close(sc(libc.syscall(437, -100, p.encode(), how, 24), p))\n"
	    "def n2h(p):\n"
	    "    buf = ctypes.create_string_buffer(256); ctypes.c_uint32.from_buffer(buf).value = "
	    "128\n"
	    "    mid = ctypes.c_int(0)\n"
	    "    return sc(libc.name_to_handle_at(-100, p.encode(), buf, ctypes.byref(mid), 0), "
	    "p)\n"
	    "def calls(tag, top):\n"
	    "    t(tag + ' exec lower', run, './' + top + 'tool.sh')\n"
	    "    t(tag + ' execveat lower', execat, './' + top + 'tool.sh')\n"
	    "    open('pwn-x.sh', 'w').write('#!/bin/sh\\necho made ran\\n'); os.chmod('pwn-x.sh', "
	    "0o755)\n"
	    "    t(tag + ' exec made', run, './pwn-x.sh')\n"
	    "    t(tag + ' execveat made', execat, 'pwn-x.sh')\n"
	    "    t(tag + ' bind', bindsock, 'pwn-sock')\n"
	    "    t(tag + ' connect', conn, 'pwn-sock')\n"
	    "    t(tag + ' inotify', watch, '.')\n"
	    "    t(tag + ' inotify up', watch, top + '..')\n"
	    "    t(tag + ' statfs', lambda: os.statvfs('.').f_fsid == os.statvfs(W).f_fsid)\n"
	    "    t(tag + ' fifo', os.mkfifo, 'pwn-fifo')\n"
	    "    t(tag + ' openat2', o2, top + 'f')\n"
	    "    t(tag + ' n2h', n2h, top + '..')\n"
	    "    t(tag + ' fifo up', os.mkfifo, top + '../pwn-fifo')\n"
	    "    t(tag + ' rename up', os.rename, 'pwn-x.sh', top + '../pwn-mv')\n"
	    "    t(tag + ' link up', os.link, 'pwn-x.sh', top + '../pwn-ln')\n"
	    "    t(tag + ' symlink up', os.symlink, 'x', top + '../pwn-sl')\n"
	    "    os.symlink(top + '..', 'pwn-uplink')\n"
	    "    t(tag + ' creat via link', creat, 'pwn-uplink/pwn-via')\n"
	    "    t(tag + ' mkdir via link', os.mkdir, 'pwn-uplink/pwn-vd')\n"
	    "calls('root', '')\n"
	    "os.truncate('f', 2); os.utime('f', (5, 5)); t('setxattr', os.setxattr, 'f', 'user.k', "
	    "b'v')\n"
	    "os.chdir('d/sub'); calls('sub', '../../')\n"
	    "os.chdir(W); os.makedirs('nu/nv'); os.chdir('nu/nv'); calls('nv', '../../')\n"
	    "end()\n",
	    &sc);
	parent_clean(&sc);
	const char *want[] = {"root exec lower ok 'tool ran'",
			      "root exec made ok 'made ran'",
			      "sub execveat lower ok 0",
			      "root execveat made ok 0",
			      "sub exec lower ok 'tool ran'",
			      "sub exec made ok 'made ran'",
			      "nv exec made ok 'made ran'",
			      "root bind EACCES",
			      "root statfs ok True",
			      "sub statfs ok True",
			      "root fifo ok",
			      "sub fifo ok",
			      "nv fifo ok",
			      "root openat2 ENOSYS",
			      "sub creat via link EACCES",
			      "root creat via link EACCES"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_CONTAINS(r.out, want[i]);
	const char *never[] = {"up ok", "via link ok", "n2h ok", "inotify ok"};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (strstr(r.out, never[i]))
			th_fail(__FILE__, __LINE__, "%s:\n%s", never[i], r.out);
	struct stat st;
	CHECK_EQ(lstat(tc_path(sc.w, "d/sub/pwn-fifo"), &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(lstat(tc_path(sc.w, "nu/nv/pwn-fifo"), &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_STR(tc_read_file(tc_path(sc.w, "f")), "lo");
	CHECK_EQ(stat(tc_path(sc.w, "f"), &st), 0);
	CHECK_EQ((long)st.st_mtime, 5);
}

/* ---- exec from the cwd in the upper -------------------------------------------- */

/* A program of the workdir run by a short relative name from the start
 * directory (`./t`, execveat(AT_FDCWD, "t")): the name the kernel walks
 * from the upper does not reach the lower's file, and there is no room
 * to rewrite it (the layer copies it into the upper).  Before the cwd
 * moved into the upper, the kernel found it by the same names; it must
 * still run, and so must "d/../tool.sh" once tool.sh has an upper copy
 * (the kernel walks "d", which only the lower holds). */
TEST(attackcwd_short_relative_exec_of_a_lower_program)
{
	struct scene sc;
	struct tc_res r = both_ends("shortexec.py",
				    "def execat(p, dirfd=-100):\n"
				    "    pid = os.fork()\n"
				    "    if pid == 0:\n"
				    "        argv = (ctypes.c_char_p * 2)(p.encode(), None)\n"
				    "        libc.syscall(322, dirfd, p.encode(), argv, None, 0)\n"
				    "        os._exit(100 + ctypes.get_errno())\n"
				    "    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])\n"
				    "t('execveat tool.sh', execat, 'tool.sh')\n"
				    "t('execve ./tool.sh', execat, './tool.sh')\n"
				    "t('execve ./t', execat, './t')\n"
				    "t('execve d/../tool.sh', execat, 'd/../tool.sh')\n"
				    "end()\n",
				    &sc);
	CHECK_CONTAINS(r.out, "execveat tool.sh ok 0\n");
	CHECK_CONTAINS(r.out, "execve ./t ok 0\n");
	CHECK_CONTAINS(r.out, "execve d/../tool.sh ok 0\n");
}

/* The copy a relative exec of a lower program makes (./t, ./tool.sh):
 * the view shows the lower's file (mode, size, times) before and after;
 * one left unchanged is never a change (the host's file keeps its inode
 * through the commit, the abort leaves the workdir as it was); one the
 * run then appends to is the run's change, committed. */
TEST(attackcwd_exec_copies_are_no_change)
{
	struct scene sc;
	struct tc_res r =
	    both_ends("execcopy.py",
		      "i0 = os.stat('t'); print('t ino', i0.st_ino)\n"
		      "def run(p): return subprocess.run([p], capture_output=True).stdout\n"
		      "def same(a, b): return (a.st_mode, a.st_size, a.st_mtime_ns) == "
		      "(b.st_mode, b.st_size, b.st_mtime_ns)\n"
		      "t('run ./t', run, './t')\n"
		      "t('run ./t again', run, './t')\n"
		      "print('view same', same(os.stat('t'), i0))\n"
		      "t('run ./tool.sh', run, './tool.sh')\n"
		      "open('tool.sh', 'a').write('echo appended\\n')\n"
		      "t('run ./tool.sh again', run, './tool.sh')\n"
		      "end()\n",
		      &sc);
	CHECK_CONTAINS(r.out, "run ./t ok b't ran\\n'\n");
	CHECK_CONTAINS(r.out, "run ./t again ok b't ran\\n'\n");
	CHECK_CONTAINS(r.out, "view same True\n");
	CHECK_CONTAINS(r.out, "run ./tool.sh again ok b'tool ran\\nappended\\n'\n");
	struct stat st;
	CHECK_EQ(stat(tc_path(sc.w, "t"), &st), 0);
	CHECK_CONTAINS(r.out, tc_fmt("t ino %lu\n", (unsigned long)st.st_ino));
	CHECK_STR(tc_read_file(tc_path(sc.w, "tool.sh")),
		  "#!/bin/sh\necho tool ran\necho appended\n");
}

/* An exec whose path the layer places outside the workdir
 * ("../upper/x": the host's directory beside the workdir, where no such
 * file is): continued as it is, the kernel would walk the same names
 * from the cwd in the upper and run the branch's own file out of the
 * storage, not what the layer judged.  Any name that leaves the workdir
 * runs what the host's path names (here: nothing, ENOENT). */
TEST(attackcwd_exec_outside_runs_the_storage_file)
{
	struct scene sc;
	struct tc_res r = both_ends(
	    "execout.py",
	    "open('pwn-echo', 'wb').write(open('/bin/echo', 'rb').read())\n"
	    "os.chmod('pwn-echo', 0o755)\n"
	    "def run(p):\n"
	    "    return subprocess.run([p, 'RAN-FROM-STORAGE'], capture_output=True).stdout\n"
	    "t('exec ../upper', run, '../upper/pwn-echo')\n"
	    "os.mkdir('nd'); os.chdir('nd')\n"
	    "open('pwn-echo', 'wb').write(open('/bin/echo', 'rb').read())\n"
	    "os.chmod('pwn-echo', 0o755)\n"
	    "t('exec ../../upper/nd', run, '../../upper/nd/pwn-echo')\n"
	    "t('exec /proc/self/cwd', run, '/proc/self/cwd/../../upper/nd/pwn-echo')\n"
	    "end()\n",
	    &sc);
	if (strstr(r.out, "RAN-FROM-STORAGE"))
		th_fail(__FILE__, __LINE__, "ran the storage's file:\n%s", r.out);
	CHECK_CONTAINS(r.out, "exec ../upper ENOENT\n");
}

/* ---- another process's cwd ----------------------------------------------------- */

/* A second process of the sandbox sits in a directory copied up (its
 * kernel cwd in the upper); the first reaches it through
 * /proc/<pid>/cwd, which the layer does not name as the workdir for a
 * process other than the caller: no change reaches the upper or the
 * storage behind the layer's back (each is made by the layer or
 * refused), no content of the storage is read, and a removed file stays
 * removed. */
TEST(attackcwd_member_proc_cwd)
{
	struct scene sc;
	struct tc_res r = both_ends(
	    "member.py",
	    "os.unlink('d/sub/h')\n"
	    "r1, w1 = os.pipe(); r2, w2 = os.pipe()\n"
	    "pid = os.fork()\n"
	    "if pid == 0:\n"
	    "    os.chdir('d/sub'); os.write(w1, b'x'); os.read(r2, 1); os._exit(0)\n"
	    "os.read(r1, 1)\n"
	    "C = '/proc/%d/cwd' % pid\n"
	    "t('readlink', lambda: 'upper' in os.readlink(C) or 'storage' in os.readlink(C))\n"
	    "for p in (C + '/h', C + '/../g', C + '/../../f'):\n"
	    "    t('read ' + p, rd, p)\n"
	    "for n, f, a in (('creat', creat, (C + '/pwn-c',)), ('mkdir', os.mkdir, (C + "
	    "'/pwn-d',)),\n"
	    "                ('symlink', os.symlink, ('x', C + '/pwn-s')),\n"
	    "                ('fifo', os.mkfifo, (C + '/pwn-f',)),\n"
	    "                ('chmod', os.chmod, (C, 0o700)), ('utime', os.utime, (C, (1, 1))),\n"
	    "                ('setxattr', os.setxattr, (C, 'user.overlay.opaque', b'y')),\n"
	    "                ('mknod-wh', os.mknod, (C + '/pwn-wh', stat.S_IFCHR, 0)),\n"
	    "                ('rename', os.rename, (C + '/../g', C + '/pwn-r')),\n"
	    "                ('unlink', os.unlink, (C + '/../g',)),\n"
	    "                ('rmdir', os.rmdir, (C,)),\n"
	    "                ('up creat', creat, (C + '/../../../pwn-uc',)),\n"
	    "                ('up mkdir', os.mkdir, (C + '/../../../work/pwn-ud',)),\n"
	    "                ('other', rd, (C + '/../../../../other/upper/osecret',))):\n"
	    "    t(n, f, *a)\n"
	    "os.write(w2, b'x'); os.waitpid(pid, 0)\n"
	    "t('h gone', os.path.lexists, 'd/sub/h')\n"
	    "t('g', rd, 'd/g')\n"
	    "t('ls sub', lambda: sorted(os.listdir('d/sub')))\n"
	    "end()\n",
	    &sc);
	CHECK_CONTAINS(r.out, "h gone ok False\n");
	CHECK_CONTAINS(r.out, "read /proc/");
	if (strstr(r.out, "/h ok"))
		th_fail(__FILE__, __LINE__, "a removed file read:\n%s", r.out);
	parent_clean(&sc);
	/* what the layer made through the other's cwd is in the commit; the
	 * rest was refused: nothing else in the workdir */
	DIR *d = opendir(tc_path(sc.w, "d/sub"));
	CHECK(d != NULL);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    !strstr(r.out, tc_fmt("%s ok", e->d_name + 4)))
			th_fail(__FILE__, __LINE__, "d/sub/%s committed but refused:\n%s",
				e->d_name, r.out);
	closedir(d);
	CHECK(!tc_exists(tc_path(sc.w, "d/sub/pwn-wh")));
}

/* A second thread renames and removes the directory being entered (a
 * lower one renamed back and forth, one made in the run removed and made
 * again) while the first chdirs into it and creates by a relative name:
 * every create lands in the layer (in one of the directories the view
 * had) or fails; nothing reaches the storage or the host. */
TEST(attackcwd_dir_renamed_while_entered)
{
	struct scene sc;
	struct tc_res r =
	    both_ends("renrace.py",
		      "done = False\n"
		      "def churn():\n"
		      "    i = 0\n"
		      "    while not done:\n"
		      "        i += 1\n"
		      "        try:\n"
		      "            os.rename(W + '/d', W + '/d2'); os.rename(W + '/d2', W + '/d')\n"
		      "        except OSError: pass\n"
		      "        try:\n"
		      "            os.mkdir(W + '/e')\n"
		      "            os.rmdir(W + '/e')\n"
		      "        except OSError: pass\n"
		      "th = threading.Thread(target=churn, daemon=True); th.start()\n"
		      "made = 0\n"
		      "wfd = os.open('.', os.O_RDONLY | os.O_DIRECTORY)\n"
		      "for i in range(600):\n"
		      "    for n in ('d', 'd/sub', 'e', 'd/../d/sub'):\n"
		      "        try: os.chdir(n)\n"
		      "        except OSError: continue\n"
		      "        try: creat('pwn-%d' % i); made += 1\n"
		      "        except OSError: pass\n"
		      "        os.fchdir(wfd)\n"
		      "done = True; th.join()\n"
		      "print('made', made)\n"
		      "os.chdir(W)\n"
		      "t('tree', lambda: sorted(os.listdir('.')))\n"
		      "end()\n",
		      &sc);
	parent_clean(&sc);
	/* the commit holds every file made, each where the view had it */
	char *argv[] = {"/bin/sh", "-c", tc_fmt("find '%s' -name 'pwn-*' | wc -l", sc.w), NULL};
	char *out = NULL;
	CHECK_EQ(th_run(argv, NULL, &out, NULL), 0);
	char *made = strstr(r.out, "made ");
	CHECK(made != NULL);
	if (atol(made + 5) != atol(out))
		th_fail(__FILE__, __LINE__, "made %ld, committed %ld:\n%s", atol(made + 5),
			atol(out), r.out);
}

/* ---- the descriptors a steered chdir leaves -------------------------------------- */

/* A chdir the layer steers by a descriptor (an absolute name into the
 * workdir: /dev/fd/N of the upper's directory) leaves that descriptor
 * to the command.  Through it: no overlay.* mark set or read, no mode,
 * owner or time of the upper's directories changed behind the layer (the
 * root's are refused, as for "."), a listing is the view's, and the
 * commit keeps every lower entry. */
TEST(attackcwd_steering_fds_left_to_the_command)
{
	struct scene sc;
	struct tc_res r = both_ends(
	    "steerfd.py",
	    "def fds():\n"
	    "    r = set()\n"
	    "    for n in range(3, 200):\n"
	    "        try: os.fstat(n); r.add(n)\n"
	    "        except OSError: pass\n"
	    "    return r\n"
	    "mine = fds()\n"
	    "os.unlink('d/g')\n"
	    "for p in (W, W + '/d', W + '/d/sub', W + '/deep/a/b', W + '/./d/../d'):\n"
	    "    os.chdir(p); os.chdir('/')\n"
	    "os.chdir(W + '/d')\n"
	    "left = sorted(fds() - mine)\n"
	    "print('left', len(left))\n"
	    "for fd in left:\n"
	    "    k = os.readlink('/proc/self/fd/%d' % fd)\n"
	    "    tag = 'fd ' + (k.split('/upper', 1)[1] or '/') if k.startswith(S) else k\n"
	    "    for pre in ('user.overlay.', 'trusted.overlay.'):\n"
	    "        for n, v in (('opaque', b'y'), ('redirect', b'/x'), ('whiteouts', b'')):\n"
	    "            t(tag + ' fset ' + pre + n, os.setxattr, fd, pre + n, v)\n"
	    "        t(tag + ' fget ' + pre + 'opaque', os.getxattr, fd, pre + 'opaque')\n"
	    "    t(tag + ' flist', lambda: [x for x in os.listxattr(fd) if 'overlay' in x])\n"
	    "    t(tag + ' fchmod', os.fchmod, fd, 0o700)\n"
	    "    t(tag + ' futimens', os.utime, fd, (1, 1))\n"
	    "    t(tag + ' fchown', os.fchown, fd, os.getuid(), os.getgid())\n"
	    "    t(tag + ' ls', lambda: 'g' in os.listdir(fd))\n"
	    "    t(tag + ' at ..', lambda: os.open('..', os.O_RDONLY, dir_fd=fd))\n"
	    "    t(tag + ' at other', rd, '/proc/self/fd/%d/../../other/upper/osecret' % fd)\n"
	    "    t(tag + ' at mkdir', lambda: os.mkdir('pwn-at', dir_fd=fd))\n"
	    "os.chdir(W)\n"
	    "t('ls .', lambda: sorted(os.listdir('.')))\n"
	    "end()\n",
	    &sc);
	if (strstr(r.out, "overlay.opaque ok") || strstr(r.out, "overlay.redirect ok") ||
	    strstr(r.out, "overlay.whiteouts ok") || strstr(r.out, "ls ok True") ||
	    strstr(r.out, "flist ok ['"))
		th_fail(__FILE__, __LINE__, "an overlay mark or a removed entry:\n%s", r.out);
	CHECK_STR(tc_read_file(tc_path(sc.w, "f")), "lower\n");
	CHECK_STR(tc_read_file(tc_path(sc.w, "d/sub/h")), "h\n");
	CHECK(tc_exists(tc_path(sc.w, "deep/a/b/c")));
	CHECK(!strstr(tc_tree_dump(sc.w, 0, NULL), "overlay"));
	struct stat st;
	CHECK_EQ(stat(sc.w, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0755);
	parent_clean(&sc);
}

/* A build that changes into the workdir by its absolute name over and
 * over (`cd $W/sub; ...; cd $W` in a loop, make -C): each such chdir is
 * steered to /dev/fd/N/... of the upper's root.  Were a descriptor left
 * per chdir, every open would fail with EMFILE after as many as the
 * open-file limit allows; the command must go on opening files after
 * any number of them (one descriptor per process). */
TEST(attackcwd_absolute_chdirs_keep_no_descriptor)
{
	struct scene sc;
	struct tc_res r = both_ends("cdloop.py",
				    "import resource\n"
				    "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
				    "resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))\n"
				    "for i in range(600):\n"
				    "    os.chdir(W + '/d/sub'); os.chdir(W)\n"
				    "t('open after', rd, 'f')\n"
				    "t('creat after', creat, 'pwn-after')\n"
				    "end()\n",
				    &sc);
	CHECK_CONTAINS(r.out, "open after ok b'lower\\n'\n");
	CHECK_CONTAINS(r.out, "creat after ok");
	CHECK_STR(tc_read_file(tc_path(sc.w, "pwn-after")), "PWNED");
}

/* An O_CREAT open the command's fd table cannot take (EMFILE): the
 * kernel takes the descriptor before it makes the name, so nothing is
 * made; the layer must not leave a file the command was told it did
 * not create (a later O_EXCL would fail EEXIST, the commit bring it). */
TEST(attackcwd_failed_create_leaves_no_file)
{
	struct scene sc;
	struct tc_res r = both_ends("emfile.py",
				    "import resource\n"
				    "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
				    "resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))\n"
				    "held = []\n"
				    "while True:\n"
				    "    try: held.append(os.open('/dev/null', os.O_RDONLY))\n"
				    "    except OSError: break\n"
				    "t('creat full', creat, 'pwn-full')\n"
				    "t('mkdir+creat full', creat, 'd/pwn-full2')\n"
				    "for fd in held: os.close(fd)\n"
				    "t('exists', os.path.lexists, 'pwn-full')\n"
				    "t('creat again', creat, 'pwn-full')\n"
				    "os.unlink('pwn-full')\n"
				    "end()\n",
				    &sc);
	CHECK_CONTAINS(r.out, "creat full EMFILE\n");
	CHECK_CONTAINS(r.out, "exists ok False\n");
	CHECK(!tc_exists(tc_path(sc.w, "d/pwn-full2")));
}

/* The start directory copied up before the start (the policy's cwd deep
 * in the workdir, its parents made in the upper too) is no change: the
 * dry run lists nothing, and a commit of a run that reads only leaves
 * the host's workdir byte for byte as it was (modes, owners, times). */
TEST(attackcwd_start_directory_is_no_change)
{
	tc_need_python();
	struct scene sc = scene(NULL);
	sandlock_builder_t *b = sc_builder(&sc);
	b = sandlock_sandbox_builder_cwd(b, tc_path(sc.w, "deep/a/b/c"));
	sandlock_sandbox_t *p = tc_build(b);
	const char *argv[] = {PY, "-c",
			      "import os\n"
			      "print(os.getcwd()); os.listdir('.'); os.listdir('..')\n"
			      "os.chdir('../../..'); print(os.getcwd())\n",
			      NULL};
	sandlock_dry_run_result_t *d = sandlock_dry_run(p, NULL, argv, 3);
	if (!d)
		th_fail(__FILE__, __LINE__, "dry run: %s", sandlock_last_error());
	CHECK_EQ(sandlock_dry_run_result_exit_code(d), 0);
	size_t n = sandlock_dry_run_result_changes_len(d);
	for (size_t i = 0; i < n; i++) {
		char *path = sandlock_dry_run_result_change_path(d, i);
		fprintf(stderr, "change %c %s\n", sandlock_dry_run_result_change_kind(d, i), path);
		free(path);
	}
	CHECK_EQ(n, 0);
	sandlock_dry_run_result_free(d);
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 3));
	CHECK_EQ(r.code, 0);
	CHECK_CONTAINS(r.out, tc_fmt("%s/deep/a/b/c\n%s/deep\n", sc.w, sc.w));
	workdir_intact(&sc, &r);
	storage_and_outside_intact(&sc, &r);
}
