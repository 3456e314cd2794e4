/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowcwd.c - the seccomp copy-on-write layer keeps the command's kernel
 * cwd in the upper: it starts there, a chdir into any directory of the
 * view lands on the upper's copy of it (made without its contents, which
 * the change list never shows), so the names the layer makes are found
 * by the kernel's own walks (GNU `mkdir -p a/b` chdirs into the `a` it
 * just made; a build makes its output tree so).  A path that leaves the
 * workdir (a ".." above its root, a symlink to "..") reaches the host's
 * directory it names, never the branch's storage.
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PY TC_PYTHON

static void need(const char *prog)
{
	if (!tc_exists(prog))
		SKIP("needs %s", prog);
}

/* The seccomp layer over w (on_exit: 0 commit, 1 abort, 2 keep), its
 * storage st, extra a read grant (or NULL), wr a write grant (or NULL). */
static sandlock_sandbox_t *policy(const char *w, const char *st, int on_exit, const char *extra,
				  const char *wr)
{
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, w);
	b = sandlock_sandbox_builder_fs_isolation(b, 0);
	b = sandlock_sandbox_builder_fs_storage(b, st);
	b = sandlock_sandbox_builder_on_exit(b, (uint8_t)on_exit);
	if (extra)
		b = sandlock_sandbox_builder_fs_read(b, extra);
	if (wr)
		b = sandlock_sandbox_builder_fs_write(b, wr);
	return tc_build(b);
}

static struct tc_res sh(const sandlock_sandbox_t *p, const char *cmd)
{
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	return tc_result(sandlock_run(p, NULL, argv, 3));
}

static struct tc_res py(const sandlock_sandbox_t *p, const char *code, const char *a1,
			const char *a2)
{
	const char *argv[] = {PY, "-c", code, a1, a2, NULL};
	return tc_result(sandlock_run(p, NULL, argv, a2 ? 5 : 4));
}

/* The names in a directory, sorted, one per line. */
static char *names(const char *dir)
{
	char *out = NULL;
	const char *argv[] = {"/bin/ls", "-A", dir, NULL};
	th_run((char *const *)argv, NULL, &out, NULL);
	return out;
}

/* The only branch directory under the storage st. */
static char *branch_of(const char *st)
{
	DIR *d = opendir(st);
	CHECK(d != NULL);
	char *found = NULL;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && ++n)
			found = tc_path(st, e->d_name);
	closedir(d);
	if (n != 1)
		th_fail(__FILE__, __LINE__, "storage holds %d entries", n);
	return found;
}

/* mkdir -p of a new tree, then cd into it: the kernel finds each
 * directory the layer made by its relative name from a cwd in the upper.
 * getcwd, pwd -P, /proc/self/cwd and statfs name the workdir's; the
 * commit brings the tree. */
TEST(cowlayer_cwd_mkdir_p_then_cd)
{
	need(PY);
	char *w = tc_mkdir("w");
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 0, NULL, NULL);
	struct tc_res r = sh(p, "mkdir -p a/b/c && cd a/b/c && touch f && pwd -P && /bin/pwd && "
				"readlink /proc/self/cwd && cd -P .. && pwd && mkdir -p x/y && "
				"cd x/y && /bin/pwd");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s", r.err);
	CHECK_STR(r.out,
		  tc_fmt("%s/a/b/c\n%s/a/b/c\n%s/a/b/c\n%s/a/b\n%s/a/b/x/y\n", w, w, w, w, w));
	CHECK(tc_exists(tc_path(w, "a/b/c/f")));
	CHECK(tc_exists(tc_path(w, "a/b/x/y")));
	/* python's own calls: a relative chdir, statfs of ".", the cwd's
	 * readlink; from the start (the workdir) and from a new directory */
	static const char code[] = "import os, sys\n"
				   "w = sys.argv[1]; res = [os.getcwd() == w]\n"
				   "os.makedirs('n1/n2'); os.chdir('n1'); os.chdir('n2')\n"
				   "res.append(os.getcwd() == w + '/n1/n2')\n"
				   "res.append(os.readlink('/proc/self/cwd') == w + '/n1/n2')\n"
				   "a = os.statvfs('.'); b = os.statvfs(sys.argv[2])\n"
				   "res.append((a.f_bsize, a.f_blocks, a.f_fsid) == "
				   "(b.f_bsize, b.f_blocks, b.f_fsid))\n"
				   "open('made', 'w').write('m')\n"
				   "print(res)\n";
	/* the storage on another filesystem than the workdir's where one is
	 * at hand (tmpfs): statfs(".") must name the workdir's */
	char shm[] = "/dev/shm/sl-cwd-XXXXXX";
	char *st = tc_exists("/dev/shm") ? mkdtemp(shm) : NULL;
	p = policy(w, st ? st : tc_mkdir("storage2"), 0, NULL, NULL);
	r = py(p, code, w, w);
	if (st)
		rmdir(st);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "[True, True, True, True]\n");
	CHECK_STR(tc_read_file(tc_path(w, "n1/n2/made")), "m");
}

/* A directory only the workdir holds: entered (the upper's copy made
 * for the cwd), a file made, one removed, the directory listed; the
 * change list shows only those two changes, never the copied directory. */
TEST(cowlayer_cwd_lower_dir_changes_only)
{
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "src"), 0755), 0);
	CHECK_EQ(mkdir(tc_path(w, "src/deep"), 0700), 0);
	tc_write_file(tc_path(w, "src/old"), "o\n", 0644);
	tc_write_file(tc_path(w, "src/keep"), "k\n", 0644);
	char *out = NULL, *err = NULL;
	int rc =
	    tc_cli_run(&out, &err, "--workdir", w, "--fs-storage", tc_mkdir("storage"), "--dry-run",
		       "-r", "/usr", "-r", "/lib", "-r", "/bin", "--", "/bin/sh", "-c",
		       "cd src && echo n > new && rm old && ls && cd deep && /bin/pwd", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, tc_fmt("deep\nkeep\nnew\n%s/src/deep\n", w));
	CHECK_CONTAINS(err, "sandlock: dry-run: filesystem changes:\nA  src/new\nD  src/old\n");
	CHECK(!strstr(err, "M  src"));
	CHECK(tc_exists(tc_path(w, "src/old")));
	/* --cwd in a directory of the workdir: the command starts in the
	 * upper's copy of it, which is no change either */
	rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-storage", tc_mkdir("storage"), "--cwd",
			tc_path(w, "src/deep"), "--dry-run", "-r", "/usr", "-r", "/lib", "-r",
			"/bin", "--", "/bin/sh", "-c", "mkdir -p o/p && cd o/p && /bin/pwd", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, tc_fmt("%s/src/deep/o/p\n", w));
	CHECK_CONTAINS(err, "filesystem changes:\nA  src/deep/o\nA  src/deep/o/p\n");
	CHECK(!strstr(err, "M  src"));
}

static const char makefile[] = "OBJ := build/obj/main.o build/obj/lib/util.o\n"
			       "build/bin/app: $(OBJ)\n"
			       "\tmkdir -p $(@D)\n"
			       "\tcc -pipe -o $@ $(OBJ)\n"
			       "build/obj/%.o: src/%.c\n"
			       "\tmkdir -p $(@D)\n"
			       "\tcc -pipe -c -o $@ $<\n";

static void project(const char *d)
{
	CHECK_EQ(mkdir(tc_path(d, "src"), 0755), 0);
	CHECK_EQ(mkdir(tc_path(d, "src/lib"), 0755), 0);
	tc_write_file(tc_path(d, "Makefile"), makefile, 0644);
	tc_write_file(tc_path(d, "src/main.c"),
		      "int util(void);\nint main(void) { return util() - 42; }\n", 0644);
	tc_write_file(tc_path(d, "src/lib/util.c"), "int util(void) { return 42; }\n", 0644);
}

/* A small C project whose Makefile makes its output tree with mkdir -p
 * (GNU make and cc): built in the layer, the commit equals the bare
 * build, and a dry run lists exactly that tree. */
TEST(cowlayer_cwd_make_builds_its_tree)
{
	need("/usr/bin/make");
	need("/usr/bin/cc");
	char *bare = tc_mkdir("bare"), *w = tc_mkdir("w"), *d = tc_mkdir("d");
	project(bare);
	project(w);
	project(d);
	char *out = NULL, *err = NULL;
	const char *argv[] = {"/usr/bin/make", "-s", "-C", bare, NULL};
	CHECK_EQ(th_run((char *const *)argv, NULL, &out, &err), 0);
	int rc =
	    tc_cli_run(&out, &err, "--workdir", d, "--fs-storage", tc_mkdir("storage"), "--dry-run",
		       "--tmp", "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin", "-r",
		       "/etc", "-w", "/dev/null", "--", "/usr/bin/make", "-s", "-C", d, NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "dry run: %s", err);
	CHECK_CONTAINS(err, "filesystem changes:\nA  build\nA  build/bin\nA  build/bin/app\n"
			    "A  build/obj\nA  build/obj/lib\nA  build/obj/lib/util.o\n"
			    "A  build/obj/main.o\n");
	CHECK(!tc_exists(tc_path(d, "build")));
	rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-storage", tc_mkdir("storage"), "--tmp",
			"-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin", "-r", "/etc",
			"-w", "/dev/null", "--", "/usr/bin/make", "-s", "-C", w, NULL);
	if (rc != 0)
		th_fail(__FILE__, __LINE__, "build: %s", err);
	CHECK_STR(tc_tree_dump(w, 0, NULL), tc_tree_dump(bare, 0, NULL));
	const char *run[] = {tc_path(w, "build/bin/app"), NULL};
	CHECK_EQ(th_run((char *const *)run, NULL, NULL, NULL), 0);
}

/* Leaving the workdir from its root: "../sibling" (relative, and
 * absolute through the workdir's ".."), then relative calls there: an
 * open, a stat, a listing of "..", an exec, a unix socket connect, statfs
 * ("."), all on the host's directory; from the workdir's root, changes
 * and an exec by "../sibling/..." reach the host's sibling too.  ".." alone is too short a name to
 * steer: ENAMETOOLONG (the shells' cd names an absolute path). */
TEST(cowlayer_cwd_leaves_the_workdir)
{
	need(PY);
	char *top = tc_mkdir("top");
	char *w = tc_path(top, "w"), *s = tc_path(top, "sibling");
	CHECK_EQ(mkdir(w, 0755), 0);
	CHECK_EQ(mkdir(s, 0755), 0);
	tc_write_file(tc_path(s, "data"), "sib\n", 0644);
	tc_write_file(tc_path(s, "tool.sh"), "#!/bin/sh\necho tool ran\n", 0755);
	int srv = tc_unix_server(tc_path(s, "sock"), SOCK_STREAM);
	CHECK(srv >= 0);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 0, top, s);
	static const char code[] =
	    "import errno, os, socket, subprocess, sys\n"
	    "w, s = sys.argv[1], sys.argv[2]; res = []\n"
	    "try: os.chdir('..'); res.append('dotdot ok')\n"
	    "except OSError as e: res.append(errno.errorcode[e.errno])\n"
	    "os.chdir('../sibling'); res.append(os.getcwd() == s)\n"
	    "res.append(open('data').read().strip())\n"
	    "res.append(os.stat('data').st_ino == os.stat(s + '/data').st_ino)\n"
	    "res.append(sorted(os.listdir('..')))\n"
	    "res.append(subprocess.run(['./tool.sh'], "
	    "capture_output=True).stdout.decode().strip())\n"
	    "c = socket.socket(socket.AF_UNIX); c.connect('sock'); res.append('connected')\n"
	    "a = os.statvfs('.'); b = os.statvfs(s); res.append(a.f_fsid == b.f_fsid)\n"
	    "open('made-here', 'w').write('h')\n"
	    "os.chdir(w); os.chdir(w + '/../sibling'); res.append(os.getcwd() == s)\n"
	    "os.chdir(w); os.mkdir('../sibling/dir'); os.rmdir('../sibling/dir')\n"
	    "os.symlink('data', '../sibling/lnk'); os.rename('../sibling/lnk', '../sibling/lnk2')\n"
	    "res.append(os.readlink('../sibling/lnk2')); os.unlink('../sibling/lnk2')\n"
	    "os.chmod('../sibling/made-here', 0o600)\n"
	    "res.append(subprocess.run(['../sibling/tool.sh'], capture_output=True)"
	    ".stdout.decode().strip())\n"
	    "print(res)\n";
	struct tc_res r = py(p, code, w, s);
	close(srv);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "['ENAMETOOLONG', True, 'sib', True, ['sibling', 'w'], 'tool ran', "
			 "'connected', True, True, 'data', 'tool ran']\n");
	CHECK_STR(tc_read_file(tc_path(s, "made-here")), "h");
	struct stat sb;
	CHECK_EQ(stat(tc_path(s, "made-here"), &sb), 0);
	CHECK_EQ(sb.st_mode & 0777, 0600);
	CHECK(!tc_exists(tc_path(s, "lnk2")));
	CHECK_STR(names(w), "");
	/* a shell's cd .. passes an absolute name; cd -P ../sibling the
	 * relative one (a logical cd joins the text its last chdir was
	 * steered to: cd -P asks getcwd) */
	struct tc_res q =
	    sh(p, "cd .. && /bin/pwd && ls && cd w && cd -P ../sibling && /bin/pwd && "
		  "cat data && ./tool.sh");
	if (q.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s", q.err);
	CHECK_STR(q.out, tc_fmt("%s\nsibling\nw\n%s\nsib\ntool ran\n", top, s));
}

/* A name from the upper's root that goes up ("..", "../work", a
 * symlink of the workdir to "..") never makes, changes or reads anything
 * of the branch's storage: every call lands on the host's directory above
 * the workdir (not writable here: EACCES; what it does not hold: ENOENT),
 * but bind, which the kernel resolves from the upper (refused there by
 * Landlock, or a name the upper does not hold); the branch holds exactly
 * what it held, and a listing of ".." is the host's. */
TEST(attacklayer_cwd_dotdot_never_in_the_storage)
{
	need(PY);
	char *top = tc_mkdir("top");
	char *w = tc_path(top, "w"), *st = tc_mkdir("storage");
	CHECK_EQ(mkdir(w, 0755), 0);
	CHECK_EQ(symlink("..", tc_path(w, "parent_link_up")), 0);
	sandlock_sandbox_t *p = policy(w, st, 2, top, NULL);
	static const char code[] =
	    "import errno, os, socket, sys\n"
	    "res = []\n"
	    "def t(f):\n"
	    "    try: f(); res.append('ok')\n"
	    "    except OSError as e: res.append(errno.errorcode[e.errno])\n"
	    "for base in ('..', 'parent_link_up', '../w/..'):\n"
	    "    t(lambda: os.mkdir(base + '/work'))\n"
	    "    t(lambda: os.mkdir(base + '/new'))\n"
	    "    t(lambda: open(base + '/work/x', 'w'))\n"
	    "    t(lambda: open(base + '/new', 'w'))\n"
	    "    t(lambda: os.mkfifo(base + '/fifo'))\n"
	    "    t(lambda: os.symlink('x', base + '/sym'))\n"
	    "    t(lambda: os.chmod(base + '/upper', 0o777))\n"
	    "    t(lambda: os.utime(base + '/upper'))\n"
	    "    t(lambda: os.rename(base + '/upper', base + '/moved'))\n"
	    "    try: socket.socket(socket.AF_UNIX).bind(base + '/s'); res.append('ok')\n"
	    "    except OSError as e: res.append(e.errno in (errno.EACCES, errno.ENOENT))\n"
	    "    t(lambda: os.stat(base + '/upper'))\n"
	    "    res.append(sorted(os.listdir(base)))\n"
	    "print(' '.join(str(x) for x in res))\n";
	struct tc_res r = py(p, code, w, NULL);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	const char *one = "EACCES EACCES ENOENT EACCES EACCES EACCES ENOENT ENOENT ENOENT True "
			  "ENOENT ['w']";
	CHECK_STR(r.out, tc_fmt("%s %s %s\n", one, one, one));
	char *b = branch_of(st);
	CHECK_STR(names(b), "quota\nupper\nwork\n");
	CHECK_STR(names(tc_path(b, "upper")), "");
	CHECK_STR(names(tc_path(b, "work")), "");
	CHECK_STR(names(top), "w\n");
}

/* A second thread rewrites the chdir's buffer while the first changes
 * directory and makes names relative to wherever it landed: between a
 * directory of the workdir, "..", "../../..", and the storage's path.
 * Whatever the timing, no name is made in the storage, and nothing
 * outside the workdir changes (only the layer's names, committed). */
TEST(attacklayer_cwd_chdir_buffer_rewritten)
{
	need(PY);
	char *top = tc_mkdir("top");
	char *w = tc_path(top, "w"), *st = tc_mkdir("storage");
	CHECK_EQ(mkdir(w, 0755), 0);
	CHECK_EQ(mkdir(tc_path(w, "sub_directory_of_the_workdir"), 0755), 0);
	sandlock_sandbox_t *p = policy(w, st, 2, top, NULL);
	static const char code[] =
	    "import ctypes, os, sys, threading\n"
	    "libc = ctypes.CDLL(None, use_errno=True)\n"
	    "w, st = sys.argv[1], sys.argv[2]\n"
	    "alts = [b'sub_directory_of_the_workdir', b'..', b'../../..', st.encode(),\n"
	    "        (w + '/sub_directory_of_the_workdir').encode()]\n"
	    "buf = ctypes.create_string_buffer(4096)\n"
	    "stop = False\n"
	    "def flip():\n"
	    "    i = 0\n"
	    "    while not stop:\n"
	    "        ctypes.memmove(buf, alts[i % len(alts)] + b'\\0', len(alts[i % len(alts)]) + "
	    "1)\n"
	    "        i += 1\n"
	    "th = threading.Thread(target=flip); th.start()\n"
	    "made = 0\n"
	    "for n in range(300):\n"
	    "    os.chdir(w)\n"
	    "    if libc.chdir(buf) != 0: continue\n"
	    "    for name in ('n%d' % n, 'work/n%d' % n, 'upper/n%d' % n):\n"
	    "        try: os.close(os.open(name, os.O_CREAT | os.O_WRONLY, 0o644)); made += 1\n"
	    "        except OSError: pass\n"
	    "        try: os.mkdir(name + 'd'); made += 1\n"
	    "        except OSError: pass\n"
	    "stop = True; th.join(); print('done')\n";
	struct tc_res r = py(p, code, w, st);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "done\n");
	char *b = branch_of(st);
	CHECK_STR(names(b), "quota\nupper\nwork\n");
	CHECK_STR(names(tc_path(b, "work")), "");
	CHECK_STR(names(top), "w\n");
	CHECK_STR(names(w), "sub_directory_of_the_workdir\n");
	/* the upper holds names in the workdir's root and its directory only */
	char *up = names(tc_path(b, "upper"));
	for (char *l = up; *l;) {
		char *nl = strchr(l, '\n');
		*nl = 0;
		if (strcmp(l, "sub_directory_of_the_workdir") != 0 && l[0] != 'n')
			th_fail(__FILE__, __LINE__, "the upper holds '%s'", l);
		l = nl + 1;
	}
}

/* A relative exec from a cwd in the upper: a file only the workdir holds
 * runs by a name long enough to be steered (./configure), a PATH search
 * of a relative entry too, and the command itself by a short name. */
TEST(cowlayer_cwd_relative_exec_of_a_lower_file)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "configure"), "#!/bin/sh\necho configured\n", 0755);
	CHECK_EQ(mkdir(tc_path(w, "tools_dir"), 0755), 0);
	tc_write_file(tc_path(w, "tools_dir/mytool"), "#!/bin/sh\necho tool\n", 0755);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 1, NULL, NULL);
	struct tc_res r = sh(p, "./configure && PATH=tools_dir:/usr/bin:/bin mytool");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s", r.err);
	CHECK_STR(r.out, "configured\ntool\n");
	/* the command itself by a short relative name: named from the
	 * directory it starts in (the workdir's), not from the upper */
	tc_write_file(tc_path(w, "t.sh"), "#!/bin/sh\necho short\n", 0755);
	const char *argv[] = {"./t.sh", NULL};
	r = tc_result(sandlock_run(p, NULL, argv, 1));
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.out, "short\n");
}

/* From the command, a relative name shorter than any descriptor's name
 * (./t.sh, "t") runs the workdir's file: the layer copies it into the
 * upper where the kernel's walk from the cwd finds it by the caller's own
 * names, so a script's $0 is the name it was run by (a configure script
 * finds its source directory by it) and no descriptor is left in it.
 * The copy is no change: the host's file keeps its inode through a
 * commit, and a run that then changes the file commits that. */
TEST(cowlayer_cwd_short_relative_exec_of_a_lower_file)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "t.sh"),
		      "#!/bin/sh\necho \"short $0\"\n"
		      "ls /proc/$$/fd | grep -x '[3-9]' | sed 's/^/fd /'\n",
		      0755);
	tc_write_file(tc_path(w, "u.sh"), "#!/bin/sh\necho u\n", 0755);
	struct stat before, after;
	CHECK_EQ(stat(tc_path(w, "t.sh"), &before), 0);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 0, "/proc", NULL);
	struct tc_res r = sh(p, "./t.sh && ./t.sh && ./u.sh && chmod 700 u.sh && "
				"ls -l t.sh | cut -c1-10");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s%s", r.out, r.err);
	CHECK_STR(r.out, "short ./t.sh\nshort ./t.sh\nu\n-rwxr-xr-x\n");
	CHECK_EQ(stat(tc_path(w, "t.sh"), &after), 0);
	CHECK_EQ((long)after.st_ino, (long)before.st_ino);
	CHECK_EQ(after.st_mtime, before.st_mtime);
	CHECK_EQ(stat(tc_path(w, "u.sh"), &after), 0);
	CHECK_EQ(after.st_mode & 07777, 0700);
	CHECK_STR(tc_read_file(tc_path(w, "u.sh")), "#!/bin/sh\necho u\n");
}

/* A program in a read-only directory of the workdir run by a relative
 * name: its copy is made in the upper's copy of that directory (mode
 * 0555 kept; as root too, which holds no capability in the sandbox) and
 * still taken back at the end, so the commit leaves the host's file and
 * directory as they were; a chmod of another file there is committed. */
TEST(cowlayer_cwd_exec_copy_in_a_read_only_dir)
{
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "rod"), 0755), 0);
	tc_write_file(tc_path(w, "rod/prog"), "#!/bin/sh\necho \"ran $0\"\n", 0755);
	tc_write_file(tc_path(w, "rod/f"), "f\n", 0644);
	CHECK_EQ(chmod(tc_path(w, "rod"), 0555), 0);
	struct stat before, after;
	CHECK_EQ(stat(tc_path(w, "rod/prog"), &before), 0);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 0, NULL, NULL);
	struct tc_res r = sh(p, "./rod/prog && cd rod && ./prog && chmod 600 f");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s%s", r.out, r.err);
	CHECK_STR(r.out, "ran ./rod/prog\nran ./prog\n");
	CHECK_EQ(stat(tc_path(w, "rod/prog"), &after), 0);
	CHECK_EQ((long)after.st_ino, (long)before.st_ino);
	CHECK_EQ(stat(tc_path(w, "rod"), &after), 0);
	CHECK_EQ(after.st_mode & 07777, 0555);
	CHECK_EQ(stat(tc_path(w, "rod/f"), &after), 0);
	CHECK_EQ(after.st_mode & 07777, 0600);
	CHECK_EQ(chmod(tc_path(w, "rod"), 0755), 0);
}

/* A program run by a relative name (copied into the upper) whose
 * directory the run then renames away and back: the directory is made
 * again (its lower part copied, the copy moved), so the copy is all the
 * view has at that name; it stays, and the commit keeps the program. */
TEST(cowlayer_cwd_exec_copy_in_a_renamed_dir)
{
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "d"), 0755), 0);
	tc_write_file(tc_path(w, "d/prog"), "#!/bin/sh\necho \"ran $0\"\n", 0755);
	tc_write_file(tc_path(w, "d/other"), "o\n", 0644);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 0, NULL, NULL);
	struct tc_res r = sh(p, "./d/prog && mv d e && mv e d && ./d/prog && cat d/other");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s%s", r.out, r.err);
	CHECK_STR(r.out, "ran ./d/prog\nran ./d/prog\no\n");
	CHECK_STR(tc_read_file(tc_path(w, "d/prog")), "#!/bin/sh\necho \"ran $0\"\n");
	CHECK_STR(tc_read_file(tc_path(w, "d/other")), "o\n");
	CHECK(!tc_exists(tc_path(w, "e")));
}

/* fchdir to a directory only the workdir holds (a read open of it is
 * the lower's): the cwd is then in the lower; every call is still placed
 * by the cwd's name (a file made there lands in the layer, getcwd names
 * the workdir's), and a chdir from there into a directory only the layer
 * holds is steered by a descriptor (a name long enough for /dev/fd/N). */
TEST(cowlayer_cwd_fchdir_to_a_lower_dir)
{
	need(PY);
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "src"), 0755), 0);
	tc_write_file(tc_path(w, "src/old"), "o\n", 0644);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 0, NULL, NULL);
	static const char code[] =
	    "import os, sys\n"
	    "w = sys.argv[1]; res = []\n"
	    "fd = os.open('src', os.O_RDONLY | os.O_DIRECTORY); os.fchdir(fd)\n"
	    "res.append(os.getcwd() == w + '/src')\n"
	    "open('new', 'w').write('n'); os.unlink('old')\n"
	    "res.append(sorted(os.listdir('.')))\n"
	    "os.mkdir('new_directory'); os.chdir('new_directory')\n"
	    "res.append(os.getcwd() == w + '/src/new_directory')\n"
	    "open('inner', 'w').write('i')\n"
	    "print(res)\n";
	struct tc_res r = py(p, code, w, NULL);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "[True, ['new'], True]\n");
	CHECK_STR(tc_read_file(tc_path(w, "src/new")), "n");
	CHECK_STR(tc_read_file(tc_path(w, "src/new_directory/inner")), "i");
	CHECK(!tc_exists(tc_path(w, "src/old")));
}

/* What the layer does not serve, from the cwd in the upper: a connect
 * to a unix socket of the workdir and an inotify watch on it are refused
 * (the on-behalf core's trees hold neither the workdir nor the upper), as
 * with the cwd in the workdir; nothing connects. */
TEST(cowlayer_cwd_unserved_calls_refused)
{
	need(PY);
	char *w = tc_mkdir("w");
	int srv = tc_unix_server(tc_path(w, "sock"), SOCK_STREAM);
	CHECK(srv >= 0);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 1, NULL, NULL);
	static const char code[] =
	    "import ctypes, errno, os, socket, sys\n"
	    "libc = ctypes.CDLL(None, use_errno=True); res = []\n"
	    "try: socket.socket(socket.AF_UNIX).connect('sock'); res.append('connected')\n"
	    "except OSError as e: res.append(errno.errorcode[e.errno])\n"
	    "fd = libc.inotify_init1(0)\n"
	    "res.append(libc.inotify_add_watch(fd, b'.', 0x100) < 0 and "
	    "errno.errorcode[ctypes.get_errno()])\n"
	    "print(res)\n";
	struct tc_res r = py(p, code, w, NULL);
	close(srv);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "['EACCES', 'EACCES']\n");
}

/* A shell's logical cd passes absolute names (its $PWD joined to the
 * argument); the layer steers the first by /dev/fd/N/rel of the upper's
 * root, which the shell then keeps and joins: moving around the workdir
 * by cd dir, cd .. and cd ../x goes on working, every directory the
 * upper's (what mkdir -p made is found). */
TEST(cowlayer_cwd_shell_cd_within_the_workdir)
{
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "src"), 0755), 0);
	CHECK_EQ(mkdir(tc_path(w, "src/deep"), 0755), 0);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 0, NULL, NULL);
	struct tc_res r =
	    sh(p, "cd src && cd deep && mkdir -p new/er && cd new/er && /bin/pwd && "
		  "cd ../.. && /bin/pwd && cd .. && /bin/pwd && cd ../src/deep/new && "
		  "/bin/pwd && touch made && cd ../../.. && /bin/pwd");
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s", r.err);
	CHECK_STR(r.out, tc_fmt("%s/src/deep/new/er\n%s/src/deep\n%s/src\n%s/src/deep/new\n%s\n", w,
				w, w, w, w));
	CHECK(tc_exists(tc_path(w, "src/deep/new/made")));
}

/* Programs of the workdir run from copies in the upper (Landlock gives
 * the workdir no right), by absolute and relative names, and a script's
 * interpreter outside runs it; an interpreter that is itself a file of
 * the workdir is opened by the kernel by its name there, which Landlock
 * refuses: EACCES (126 from the shell), never the lower's file run. */
TEST(cowlayer_cwd_programs_run_from_copies)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "tool"), "#!/bin/sh\necho \"tool $1\"\n", 0755);
	tc_write_file(tc_path(w, "inner"), tc_fmt("#!%s/tool\n", w), 0755);
	sandlock_sandbox_t *p = policy(w, tc_mkdir("storage"), 1, NULL, NULL);
	struct tc_res r =
	    sh(p, tc_fmt("%s/tool abs && ./tool rel; %s/inner; echo \"inner $?\"", w, w));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh: %s%s", r.out, r.err);
	CHECK_STR(r.out, "tool abs\ntool rel\ninner 126\n");
	CHECK(strstr(r.err, "Permission denied") != NULL);
}
