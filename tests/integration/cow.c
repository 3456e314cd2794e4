/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cow.c - the copy-on-write workdir, in both modes (cow_*: fs_isolation
 * overlayfs; cowlayer_*: none, the supervisor's seccomp layer): a run's
 * changes committed equal the same commands run bare; an abort, a kill or
 * a dry run leaves the workdir byte for byte as it was; the change list;
 * symlinks and /proc/self/root never lead a write outside; git in a
 * workdir; the CLI's flags.  The overlay's tests are skipped where this
 * kernel or its settings give the caller no overlay.
 */
#include "common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PY TC_PYTHON

/* Every kind of change a command makes: the ops script, run bare and in
 * the sandbox on two copies of one tree. */
static const char ops_py[] =
    "import ctypes, mmap, os, shutil, sys\n"
    "os.chdir(sys.argv[1])\n"
    "open('mod', 'a').write('more\\n')\n"
    "os.unlink('gone')\n"
    "os.rename('src/moved', 'dst/moved')\n"
    "shutil.move('olddir', 'dst/newdir')  # EXDEV under overlayfs: copied\n"
    "os.unlink('again'); open('again', 'w').write('second\\n')\n"
    "for n in os.listdir('redo'): os.unlink('redo/' + n)\n"
    "os.rmdir('redo'); os.mkdir('redo'); open('redo/other', 'w').write('o\\n')\n"
    "os.symlink('mod', 'link')\n"
    "os.link('mod', 'hard')\n"
    "os.chmod('exe', 0o755)\n"
    "os.truncate('trunc', 3)\n"
    "fd = os.open('src', os.O_TMPFILE | os.O_WRONLY, 0o600)\n"
    "os.write(fd, b'tmpfile\\n')\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "if libc.linkat(-100, b'/proc/self/fd/%d' % fd, -100, b'src/fromtmp', 0x400):\n"
    "    raise OSError(ctypes.get_errno(), 'linkat of the O_TMPFILE')\n"
    "os.close(fd)\n"
    "with open('mapped', 'r+b') as f:\n"
    "    m = mmap.mmap(f.fileno(), 0); m[0:4] = b'MMAP'; m.flush(); m.close()\n"
    "os.makedirs('deep/er/est'); open('deep/er/est/f', 'w').write('d\\n')\n"
    "def rename2(a, b, flags):\n"
    "    if libc.renameat2(-100, a, -100, b, flags):\n"
    "        raise OSError(ctypes.get_errno(), 'renameat2')\n"
    "rename2(b'x1', b'x2', 2)  # RENAME_EXCHANGE\n"
    "try: rename2(b'y', b'x1', 1)  # RENAME_NOREPLACE onto a name\n"
    "except FileExistsError: pass\n"
    "else: raise SystemExit('RENAME_NOREPLACE replaced x1')\n"
    "rename2(b'y', b'ynew', 1)\n"
    "if len(sys.argv) > 2: sys.exit(int(sys.argv[2]))\n";

static char *script(const char *name, const char *text)
{
	char *p = tc_path(tc_mkdir(tc_fmt("scripts-%s", name)), name);
	tc_write_file(p, text, 0644);
	return p;
}

/* A tree as text (tc_tree_dump: the upper's xattrs must not reach the
 * workdir), git's index left out (it records times). */
static char *dump(const char *root)
{
	return tc_tree_dump(root, 0, ".git/index");
}

/* The tree the ops script starts from. */
static char *seed(const char *name)
{
	char *w = tc_mkdir(name);
	static const char *const dirs[] = {"src", "dst", "olddir", "redo"};
	for (size_t i = 0; i < 4; i++)
		CHECK_EQ(mkdir(tc_path(w, dirs[i]), 0755), 0);
	tc_write_file(tc_path(w, "mod"), "base\n", 0644);
	tc_write_file(tc_path(w, "gone"), "bye\n", 0644);
	tc_write_file(tc_path(w, "src/moved"), "m\n", 0644);
	tc_write_file(tc_path(w, "olddir/inner"), "i\n", 0644);
	tc_write_file(tc_path(w, "again"), "first\n", 0644);
	tc_write_file(tc_path(w, "redo/a"), "a\n", 0644);
	tc_write_file(tc_path(w, "redo/b"), "b\n", 0644);
	tc_write_file(tc_path(w, "exe"), "#!/bin/sh\n", 0644);
	tc_write_file(tc_path(w, "trunc"), "truncate me\n", 0644);
	tc_write_file(tc_path(w, "mapped"), "abcdefgh\n", 0644);
	tc_write_file(tc_path(w, "x1"), "one\n", 0644);
	tc_write_file(tc_path(w, "x2"), "two\n", 0644);
	tc_write_file(tc_path(w, "y"), "y\n", 0644);
	return w;
}

/* The mode a test runs in: fs_isolation overlayfs (1, the kernel's
 * overlay) or none (0, the supervisor's seccomp layer). */
static int iso = 1;

/* A test run in both modes: cow_NAME (overlayfs) and cowlayer_NAME
 * (the seccomp layer). */
#define BOTH(name)                                                                                 \
	static void both_##name(void);                                                             \
	TEST(cow_##name)                                                                           \
	{                                                                                          \
		iso = 1;                                                                           \
		both_##name();                                                                     \
	}                                                                                          \
	TEST(cowlayer_##name)                                                                      \
	{                                                                                          \
		iso = 0;                                                                           \
		both_##name();                                                                     \
	}                                                                                          \
	static void both_##name(void)

static sandlock_builder_t *cow_builder(const char *workdir)
{
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, workdir);
	b = sandlock_sandbox_builder_fs_isolation(b, (uint8_t)iso);
	b = sandlock_sandbox_builder_fs_storage(b, tc_mkdir("storage"));
	return b;
}

/* The run, skipped when the kernel gives us no overlay (the setup's
 * note names the step and errno). */
static struct tc_res run_cow(const sandlock_sandbox_t *p, const char *const *argv)
{
	unsigned int argc = 0;
	while (argv[argc])
		argc++;
	sandlock_result_t *res = sandlock_run(p, NULL, argv, argc);
	/* refused by the plan (user namespaces disabled), or failed in the
	 * child (the namespaces or the mount) */
	if (!res && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
		SKIP("no overlay for this caller here: %s", sandlock_last_error());
	struct tc_res r = tc_result(res);
	if (strstr(r.note, "fs_isolation overlayfs"))
		SKIP("no overlay for this caller here: %s", r.note);
	return r;
}

static void storage_empty(void)
{
	char *out = NULL;
	const char *argv[] = {"/bin/ls", "-A", tc_mkdir("storage"), NULL};
	th_run((char *const *)argv, NULL, &out, NULL);
	CHECK_STR(out, "");
}

BOTH(commit_equals_the_bare_run)
{
	tc_need_python();
	char *ops = script("ops.py", ops_py);
	char *bare = seed("bare"), *w = seed("w");
	const char *argv_bare[] = {PY, ops, bare, NULL};
	CHECK_EQ(th_run((char *const *)argv_bare, NULL, NULL, NULL), 0);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(cow_builder(w), ops));
	const char *argv[] = {PY, ops, w, NULL};
	struct tc_res r = run_cow(p, argv);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "ops.py in the sandbox: %s", r.err);
	CHECK_STR(dump(w), dump(bare));
	storage_empty();
}

BOTH(failure_aborts_byte_for_byte)
{
	tc_need_python();
	char *ops = script("ops.py", ops_py);
	char *w = seed("w"), *before = dump(w);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(cow_builder(w), ops));
	const char *argv[] = {PY, ops, w, "3", NULL};
	struct tc_res r = run_cow(p, argv);
	CHECK_EQ(r.code, 3);
	CHECK_STR(dump(w), before);
	storage_empty();
	/* on_error commit: the same failure's changes land */
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(cow_builder(w), ops);
	p = tc_build(sandlock_sandbox_builder_on_error(b, 0));
	r = run_cow(p, argv);
	CHECK_EQ(r.code, 3);
	CHECK(strcmp(dump(w), before) != 0);
}

BOTH(keep_leaves_the_layer_and_says_where)
{
	char *w = tc_mkdir("w");
	sandlock_builder_t *b = sandlock_sandbox_builder_on_exit(cow_builder(w), 2);
	sandlock_sandbox_t *p = tc_build(b);
	const char *argv[] = {"/bin/sh", "-c", "echo kept > f", NULL};
	struct tc_res r = run_cow(p, argv);
	CHECK_EQ(r.code, 0);
	CHECK(!tc_exists(tc_path(w, "f")));
	CHECK_CONTAINS(r.note, "the staged changes are kept in '");
	char *upper = strstr(r.note, "(upper: '") + 9;
	*strchr(upper, '\'') = 0;
	CHECK_STR(tc_read_file(tc_path(upper, "f")), "kept\n");
}

/* The change list against one the test computes from what it did. */
BOTH(dry_run_lists_the_changes)
{
	tc_need_python();
	char *ops = script("ops.py", ops_py);
	char *w = seed("w"), *before = dump(w);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(cow_builder(w), ops));
	const char *argv[] = {PY, ops, w, NULL};
	sandlock_dry_run_result_t *d = sandlock_dry_run(p, NULL, argv, 3);
	if (!d && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
		SKIP("no overlay for this caller here: %s", sandlock_last_error());
	CHECK(d != NULL);
	CHECK(sandlock_dry_run_result_success(d));
	CHECK_EQ(sandlock_dry_run_result_reason(d), SANDLOCK_STATUS_EXITED);
	CHECK_EQ(sandlock_dry_run_result_signal(d), -1);
	char got[4096] = "";
	for (size_t i = 0; i < sandlock_dry_run_result_changes_len(d); i++) {
		char *path = sandlock_dry_run_result_change_path(d, i);
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%c %s\n",
			 sandlock_dry_run_result_change_kind(d, i), path);
		sandlock_string_free(path);
	}
	CHECK_EQ(sandlock_dry_run_result_change_kind(d, 999), 0);
	CHECK(sandlock_dry_run_result_change_path(d, 999) == NULL);
	sandlock_dry_run_result_free(d);
	/* what ops.py does, as changes to the tree it started from: sorted
	 * by path; a directory made again hides its old entries (D) */
	CHECK_STR(got, "M again\n"
		       "A deep\n"
		       "A deep/er\n"
		       "A deep/er/est\n"
		       "A deep/er/est/f\n"
		       "A dst/moved\n"
		       "A dst/newdir\n"
		       "A dst/newdir/inner\n"
		       "M exe\n"
		       "D gone\n"
		       "A hard\n"
		       "A link\n"
		       "M mapped\n"
		       "M mod\n"
		       "D olddir\n"
		       "D olddir/inner\n"
		       "D redo/a\n"
		       "D redo/b\n"
		       "A redo/other\n"
		       "A src/fromtmp\n"
		       "D src/moved\n"
		       "M trunc\n"
		       "M x1\n"
		       "M x2\n"
		       "D y\n"
		       "A ynew\n");
	CHECK_STR(dump(w), before);
	storage_empty();
}

/* A symlink in the workdir that leads outside: a write through it meets
 * Landlock (outside is not granted); replacing the link by a directory
 * commits a directory, and nothing outside changes. */
BOTH(planted_symlink_leads_nowhere)
{
	char *w = tc_mkdir("w"), *outside = tc_mkdir("outside");
	CHECK_EQ(symlink(outside, tc_path(w, "out")), 0);
	sandlock_sandbox_t *p = tc_build(cow_builder(w));
	const char *through[] = {"/bin/sh", "-c", "echo x > out/f", NULL};
	struct tc_res r = run_cow(p, through);
	CHECK(r.code != 0);
	CHECK(!tc_exists(tc_path(outside, "f")));
	const char *replace[] = {"/bin/sh", "-c", "rm out && mkdir out && echo x > out/f", NULL};
	r = run_cow(p, replace);
	CHECK_EQ(r.code, 0);
	struct stat st;
	CHECK_EQ(lstat(tc_path(w, "out"), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_STR(tc_read_file(tc_path(w, "out/f")), "x\n");
	CHECK(!tc_exists(tc_path(outside, "f")));
}

/* /proc/self/root is the sandbox's own root: a write through it lands in
 * the staged layer (dropped with the failure), and outside the grants it
 * is refused. */
BOTH(proc_self_root_stays_in_the_layer)
{
	char *w = tc_mkdir("w"), *outside = tc_mkdir("outside2");
	sandlock_sandbox_t *p = tc_build(cow_builder(w));
	char *cmd = tc_fmt("echo a > /proc/self/root%s/f && cat f && "
			   "{ echo b > /proc/self/root%s/g; exit 1; }",
			   w, outside);
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct tc_res r = run_cow(p, argv);
	CHECK_EQ(r.code, 1);
	CHECK_STR(r.out, "a\n");
	CHECK(!tc_exists(tc_path(w, "f")));
	CHECK(!tc_exists(tc_path(outside, "g")));
}

/* SIGKILL in the middle of heavy writes: the workdir as it was, the
 * layer gone, and the next run commits. */
BOTH(sigkill_during_writes_aborts)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "keep"), "k\n", 0644);
	sandlock_sandbox_t *p = tc_build(cow_builder(w));
	const char *argv[] = {"/bin/sh", "-c",
			      "i=0; while :; do i=$((i+1)); head -c 65536 /dev/zero > f$i; "
			      "echo $i > count; done",
			      NULL};
	sandlock_handle_t *h = sandlock_create_ex(p, NULL, argv, 3, SANDLOCK_CREATE_START);
	if (!h && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
		SKIP("%s", sandlock_last_error());
	CHECK(h != NULL);
	CHECK_EQ(sandlock_start(h), 0);
	usleep(300 * 1000);
	CHECK_EQ(sandlock_handle_kill(h), 0);
	sandlock_result_t *res = sandlock_handle_wait(h);
	if (res && strstr(sandlock_result_note(res) ? sandlock_result_note(res) : "",
			  "fs_isolation overlayfs"))
		SKIP("%s", sandlock_result_note(res));
	CHECK(res != NULL);
	CHECK_EQ(sandlock_result_reason(res), SANDLOCK_STATUS_KILLED);
	sandlock_result_free(res);
	sandlock_handle_free(h);
	char *out = NULL;
	const char *ls[] = {"/bin/ls", "-A", w, NULL};
	th_run((char *const *)ls, NULL, &out, NULL);
	CHECK_STR(out, "keep\n");
	storage_empty();
	const char *again[] = {"/bin/sh", "-c", "echo after > later", NULL};
	struct tc_res r = run_cow(p, again);
	CHECK_EQ(r.code, 0);
	CHECK_STR(tc_read_file(tc_path(w, "later")), "after\n");
}

/* RENAME_WHITEOUT (a whiteout left where the name was) is refused in the
 * overlay (overlayfs's EINVAL): no whiteout of the command's own reaches
 * the layer. */
BOTH(rename_whiteout_refused)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "a"), "a\n", 0644);
	char *before = dump(w);
	sandlock_sandbox_t *p = tc_build(cow_builder(w));
	const char *argv[] = {PY, "-c",
			      "import ctypes, os, sys\n"
			      "libc = ctypes.CDLL(None, use_errno=True)\n"
			      "r = libc.renameat2(-100, b'a', -100, b'b', 4)\n"
			      "print(r, ctypes.get_errno())\n",
			      NULL};
	struct tc_res r = run_cow(p, argv);
	CHECK_EQ(r.code, 0);
	CHECK(!strncmp(r.out, "-1 ", 3));
	CHECK_STR(dump(w), before);
}

/* max_disk: the staged layer on a tmpfs of that size; a write beyond it
 * is ENOSPC, what fits is committed, and keep is refused with it. */
BOTH(quota_enospc)
{
	char *w = tc_mkdir("w");
	sandlock_builder_t *b = sandlock_sandbox_builder_max_disk(cow_builder(w), 1 << 20);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, "/dev/zero"));
	/* the overlay's tmpfs refuses the write that does not fit; the
	 * seccomp layer lets a write on an open fd through and refuses the
	 * next write open (its rule: the upper's bytes, counted at each open
	 * for writing, create, copy-up or growing truncate) */
	const char *argv[] = {"/bin/sh", "-c",
			      iso ? "head -c 400000 /dev/zero > fits || exit 3; "
				    "head -c 2000000 /dev/zero > big && exit 4; "
				    "rm -f big; echo small > after"
				  : "head -c 400000 /dev/zero > fits || exit 3; "
				    "head -c 2000000 /dev/zero > big || exit 4; "
				    "echo no > over && exit 6; truncate -s 3000000 fits && exit 7; "
				    "mkdir d && exit 8; rm -f big; echo small > after",
			      NULL};
	struct tc_res r = run_cow(p, argv);
	CHECK_EQ(r.code, 0);
	struct stat st;
	CHECK_EQ(stat(tc_path(w, "fits"), &st), 0);
	CHECK_EQ(st.st_size, 400000);
	CHECK(!tc_exists(tc_path(w, "big")));
	CHECK_STR(tc_read_file(tc_path(w, "after")), "small\n");
	storage_empty();
	b = sandlock_sandbox_builder_max_disk(cow_builder(w), 1 << 20);
	b = sandlock_sandbox_builder_on_error(sandlock_sandbox_builder_fs_read(b, "/dev/zero"), 2);
	if (iso == 1) { /* the overlay's quota is a tmpfs that ends with the run */
		char *msg = tc_build_error(b);
		CHECK_CONTAINS(msg, "not supported yet: keep (on_exit, on_error) with max_disk");
		return;
	}
	/* the seccomp layer counts the upper's bytes: kept, the rule holds */
	p = tc_build(b);
	const char *fail[] = {"/bin/sh", "-c",
			      "head -c 400000 /dev/zero > again || exit 3; "
			      "head -c 2000000 /dev/zero > big2 2>/dev/null && exit 4; exit 5",
			      NULL};
	r = run_cow(p, fail);
	CHECK_EQ(r.code, 5);
	CHECK_CONTAINS(r.note, "the staged changes are kept in '");
	CHECK(!tc_exists(tc_path(w, "again")));
}

/* A container's root is overlayfs, where $TMPDIR lies: an overlay's
 * upper cannot live there.  The staged layer goes to a tmpfs instead, and
 * keep, which needs it on disk, is refused naming the storage. */
TEST(cow_storage_on_overlayfs)
{
	if (geteuid() != 0)
		SKIP("needs root: mounts an overlayfs to hold the storage");
	/* this test's mounts stay in a namespace of its own */
	CHECK_EQ(unshare(CLONE_NEWNS), 0);
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	char *l = tc_mkdir("l"), *u = tc_mkdir("u"), *wk = tc_mkdir("wk"), *m = tc_mkdir("m");
	char *opts = tc_fmt("lowerdir=%s,upperdir=%s,workdir=%s", l, u, wk);
	CHECK_EQ(mount("overlay", m, "overlay", 0, opts), 0);
	char *storage = tc_path(m, "storage");
	CHECK_EQ(mkdir(storage, 0700), 0);
	char *w = tc_mkdir("w");
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_storage(cow_builder(w), storage);
	sandlock_sandbox_t *p = tc_build(b);
	const char *argv[] = {"/bin/sh", "-c", "echo staged > f", NULL};
	/* root mounts overlays here (the storage's overlay is proof): a
	 * failure is this feature's, never a skip */
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 3));
	CHECK_EQ(r.code, 0);
	CHECK_STR(tc_read_file(tc_path(w, "f")), "staged\n");
	b = sandlock_sandbox_builder_fs_storage(cow_builder(w), storage);
	p = tc_build(sandlock_sandbox_builder_on_exit(b, 2));
	CHECK(sandlock_run(p, NULL, argv, 3) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "is on overlayfs");
	CHECK_CONTAINS(sandlock_last_error(), storage);
}

static bool have_git(void)
{
	return tc_exists("/usr/bin/git");
}

static const char git_sh[] =
    "set -e\n"
    "export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t "
    "GIT_COMMITTER_EMAIL=t@e\n"
    "export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'\n"
    "export HOME=\"$1\" GIT_CONFIG_NOSYSTEM=1\n"
    "cd \"$1\"\n"
    "git init -q -b main .\n"
    "echo one > a; git add a; git commit -qm one\n"
    "git checkout -qb topic; echo two > b; mkdir d; echo three > d/c; git add -A; "
    "git commit -qm two\n"
    "git checkout -q main; echo four >> a; git commit -qam four\n"
    "git checkout -q topic; git rm -q b; git commit -qm rm\n"
    "git checkout -q main\n"
    "git gc -q --prune=now\n";

/* git init, commits, branch switches and gc in a workdir, committed,
 * equal the same commands run bare (the index, which records inode
 * numbers and times, left out; git fsck passes on it). */
BOTH(git_equals_the_bare_run)
{
	if (!have_git())
		SKIP("needs /usr/bin/git");
	char *sh = script("git.sh", git_sh);
	char *bare = tc_mkdir("gbare"), *w = tc_mkdir("gw");
	const char *argv_bare[] = {"/bin/sh", sh, bare, NULL};
	CHECK_EQ(th_run((char *const *)argv_bare, NULL, NULL, NULL), 0);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(cow_builder(w), sh);
	b = sandlock_sandbox_builder_fs_read(b, "/dev/urandom");
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(b, "/dev/null"));
	const char *argv[] = {"/bin/sh", sh, w, NULL};
	struct tc_res r = run_cow(p, argv);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "git in the sandbox: %s", r.err);
	CHECK_STR(dump(w), dump(bare));
	char *out = NULL;
	const char *fsck[] = {"/usr/bin/git", "-C", w, "fsck", "--strict", NULL};
	char *env[] = {tc_fmt("HOME=%s", w), "GIT_CONFIG_NOSYSTEM=1", NULL};
	CHECK_EQ(th_run((char *const *)fsck, env, &out, NULL), 0);
}

TEST(cow_cli_flags)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "old"), "o\n", 0644);
	char *out = NULL, *err = NULL;
	int rc =
	    tc_cli_run(&out, &err, "--workdir", w, "--fs-isolation", "overlayfs", "--fs-storage",
		       tc_mkdir("storage"), "--dry-run", "-r", "/usr", "-r", "/lib", "-r", "/bin",
		       "--", "/bin/sh", "-c", "echo hi; rm old; echo n > new", NULL);
	if (strstr(err, "fs_isolation overlayfs"))
		SKIP("%s", err);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "hi\n");
	CHECK_CONTAINS(err, "sandlock: dry-run: filesystem changes:\nA  new\nD  old\n");
	CHECK(tc_exists(tc_path(w, "old")));
	rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-isolation", "overlayfs", "--on-exit",
			"abort", "-r", "/usr", "-r", "/lib", "-r", "/bin", "--", "/bin/sh", "-c",
			"rm old", NULL);
	CHECK_EQ(rc, 0);
	CHECK(tc_exists(tc_path(w, "old")));
	rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-isolation", "overlayfs", "-r", "/usr",
			"-r", "/lib", "-r", "/bin", "--", "/bin/sh", "-c", "rm old", NULL);
	CHECK_EQ(rc, 0);
	CHECK(!tc_exists(tc_path(w, "old")));
	rc = tc_cli_run(&out, &err, "--dry-run", "--", "/bin/true", NULL);
	CHECK_CONTAINS(err, "--dry-run requires --workdir");
	rc = tc_cli_run(&out, &err, "--on-exit", "later", "--", "/bin/true", NULL);
	CHECK_CONTAINS(err, "unknown --on-exit action: later");
	rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-isolation", "overlayfs", "--dry-run",
			"-t", "5", "--", "/bin/true", NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "not supported yet: --timeout with --dry-run");
}

/* The seccomp layer's listings: a directory of lower and layer names,
 * read in small pages (getdents64 with a 512-byte buffer, through
 * ctypes) and in large ones (os.listdir), with a rewind and a seek back:
 * each merged name once, the removed ones never, in name order. */
/* max_disk's running count (cowquota.c): copy-ups alone reach the
 * quota (their bytes are counted as they are made, with no write through
 * an fd), a file written through an fd is seen at the next checked call,
 * a removed file's blocks come back, many small files stay bounded, and
 * a file the layer watches can still be executed (no writer of ours). */
TEST(cowlayer_quota_running_count)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	char blob[300001];
	memset(blob, 'z', sizeof(blob) - 1);
	blob[sizeof(blob) - 1] = 0;
	for (int i = 0; i < 5; i++)
		tc_write_file(tc_path(w, tc_fmt("big%d", i)), blob, 0644);
	iso = 0;
	sandlock_builder_t *b = sandlock_sandbox_builder_max_disk(cow_builder(w), 1 << 20);
	sandlock_sandbox_t *p = tc_build(b);
	static const char code[] =
	    "import errno, os, shutil, subprocess\n"
	    "def op(f, *a):\n"
	    "    try: f(*a); return 'ok'\n"
	    "    except OSError as e: return errno.errorcode[e.errno]\n"
	    "def app(n): os.close(os.open(n, os.O_WRONLY | os.O_APPEND))\n"
	    "print('copy-ups', [op(app, 'big%d' % i) for i in range(5)])\n"
	    "for i in range(5): op(os.unlink, 'big%d' % i)\n"
	    "fd = os.open('w1', os.O_WRONLY | os.O_CREAT, 0o644)\n"
	    "os.write(fd, b'y' * (1100 << 10)); os.close(fd)\n"
	    "print('after-fd-write', op(os.mkdir, 'd1'))\n"
	    "os.unlink('w1')\n"
	    "print('after-unlink', op(os.mkdir, 'd2'))\n"
	    "shutil.copy('/bin/true', 'a-tool'); os.chmod('a-tool', 0o755)\n"
	    "print('exec', subprocess.run([os.path.abspath('a-tool')]).returncode)\n"
	    "made = 0\n"
	    "for i in range(2000):\n"
	    "    try: open('s%d' % i, 'w').write('q' * 1024); made += 1\n"
	    "    except OSError: break\n"
	    "print('small-files', 100 < made < 300)\n";
	const char *argv[] = {PY, "-c", code, NULL};
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 3));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "copy-ups ['ok', 'ok', 'ok', 'ok', 'ENOSPC']\n"
			 "after-fd-write ENOSPC\n"
			 "after-unlink ok\n"
			 "exec 0\n"
			 "small-files True\n");
}

TEST(cowlayer_listing_pages)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "d"), 0755), 0);
	for (int i = 0; i < 1500; i++)
		tc_write_file(tc_path(w, tc_fmt("d/lower-entry-%04d", i)), "x", 0644);
	iso = 0;
	sandlock_sandbox_t *p = tc_build(cow_builder(w));
	static const char code[] =
	    "import ctypes, os, sys\n"
	    "d = sys.argv[1] + '/d'\n"
	    "for i in range(0, 1500, 3): os.unlink('%s/lower-entry-%04d' % (d, i))\n"
	    "for i in range(700): open('%s/upper-entry-%04d' % (d, i), 'w').close()\n"
	    "want = sorted(n for n in os.listdir(d))\n"
	    "libc = ctypes.CDLL(None, use_errno=True)\n"
	    "NR = 217 if os.uname().machine == 'x86_64' else 61  # getdents64\n"
	    "fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)\n"
	    "def read_all():\n"
	    "    got = []\n"
	    "    buf = ctypes.create_string_buffer(512)\n"
	    "    while True:\n"
	    "        n = libc.syscall(NR, fd, buf, 512)\n"
	    "        if n < 0: raise OSError(ctypes.get_errno(), 'getdents64')\n"
	    "        if n == 0: return got\n"
	    "        off = 0\n"
	    "        while off < n:\n"
	    "            reclen = int.from_bytes(buf.raw[off + 16:off + 18], 'little')\n"
	    "            name = buf.raw[off + 19:off + reclen].split(b'\\0')[0].decode()\n"
	    "            if name not in ('.', '..'): got.append(name)\n"
	    "            off += reclen\n"
	    "a = read_all(); os.lseek(fd, 0, 0); b = read_all()\n"
	    "print(len(want), a == want, b == want, want == sorted(set(want)),\n"
	    "      not any(('lower-entry-%04d' % i) in want for i in range(0, 1500, 3)))\n";
	const char *argv[] = {PY, "-c", code, w, NULL};
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 4));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "1700 True True True True\n");
}

/* Symlinks of the workdir that lead out: read through (the policy lets
 * /etc be read), never written through (nor a name made there), listed
 * and lstat'ed as links; their xattrs are a link's (none). */
TEST(cowlayer_symlinks_out)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	CHECK_EQ(symlink("/etc", tc_path(w, "etclink")), 0);
	CHECK_EQ(symlink("/etc/passwd", tc_path(w, "pw")), 0);
	iso = 0;
	sandlock_sandbox_t *p = tc_build(cow_builder(w));
	static const char code[] =
	    "import errno, os, stat, sys\n"
	    "os.chdir(sys.argv[1]); res = []\n"
	    "res.append(open('etclink/passwd').read() == open('/etc/passwd').read())\n"
	    "res.append(os.stat('pw').st_ino == os.stat('/etc/passwd').st_ino)\n"
	    "res.append(stat.S_ISLNK(os.lstat('etclink').st_mode))\n"
	    "res.append(os.listxattr('etclink', follow_symlinks=False))\n"
	    "for f in (lambda: open('etclink/new', 'w'), lambda: open('pw', 'a'),\n"
	    "          lambda: os.mkdir('etclink/d')):\n"
	    "    try: f(); res.append('DONE')\n"
	    "    except OSError as e: res.append(errno.errorcode[e.errno])\n"
	    "res.append(sorted(os.listdir('.')))\n"
	    "print(res)\n";
	const char *argv[] = {PY, "-c", code, w, NULL};
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 4));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out,
		  "[True, True, True, [], 'EACCES', 'EACCES', 'EACCES', ['etclink', 'pw']]\n");
	CHECK(!tc_exists("/etc/new"));
}

/* getcwd in a directory only the layer holds names it in the workdir (as
 * every other call names it), not under the storage: after a chdir
 * steered there and after an fchdir to a directory fd the layer gave;
 * relative names made from there land in the workdir at the commit. */
TEST(cowlayer_getcwd_names_the_workdir)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	iso = 0;
	sandlock_sandbox_t *p = tc_build(cow_builder(w));
	static const char code[] =
	    "import os, sys\n"
	    "w = sys.argv[1]; os.chdir(w); res = []\n"
	    "os.makedirs('newdir/deeper')\n"
	    "os.chdir(w + '/newdir'); res.append(os.getcwd() == w + '/newdir')\n"
	    "open('made', 'w').write('m')\n"
	    "fd = os.open('deeper', os.O_RDONLY | os.O_DIRECTORY); os.fchdir(fd)\n"
	    "res.append(os.getcwd() == w + '/newdir/deeper')\n"
	    "open('there', 'w').write('t')\n"
	    "os.chdir(w); res.append(os.getcwd() == w)\n"
	    "print(res)\n";
	const char *argv[] = {PY, "-c", code, w, NULL};
	struct tc_res r = tc_result(sandlock_run(p, NULL, argv, 4));
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "python: %s", r.err);
	CHECK_STR(r.out, "[True, True, True]\n");
	CHECK_STR(tc_read_file(tc_path(w, "newdir/made")), "m");
	CHECK_STR(tc_read_file(tc_path(w, "newdir/deeper/there")), "t");
}

/* --workdir alone is the seccomp layer: staged, listed by --dry-run,
 * committed at the end; and what it cannot keep is refused, naming it. */
TEST(cowlayer_cli_workdir_alone)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "old"), "o\n", 0644);
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-storage", tc_mkdir("storage"),
			    "--dry-run", "-r", "/usr", "-r", "/lib", "-r", "/bin", "--", "/bin/sh",
			    "-c", "echo hi; rm old; echo n > new", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "hi\n");
	CHECK_CONTAINS(err, "sandlock: dry-run: filesystem changes:\nA  new\nD  old\n");
	CHECK(tc_exists(tc_path(w, "old")));
	rc = tc_cli_run(&out, &err, "--workdir", w, "-r", "/usr", "-r", "/lib", "-r", "/bin", "--",
			"/bin/sh", "-c", "rm old; echo n > new", NULL);
	CHECK_EQ(rc, 0);
	CHECK(!tc_exists(tc_path(w, "old")));
	CHECK_STR(tc_read_file(tc_path(w, "new")), "n\n");
	/* a write grant that would reach the workdir past the layer */
	rc = tc_cli_run(&out, &err, "--workdir", w, "-w", th_tmpdir(), "--", "/bin/true", NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "holding the workdir");
	CHECK_EQ(mkdir(tc_path(w, "sub"), 0755), 0);
	rc = tc_cli_run(&out, &err, "--workdir", w, "-w", tc_path(w, "sub"), "--", "/bin/true",
			NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "with fs_isolation none");
	char *st = tc_mkdir("st2");
	rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-storage", st, "-w", st, "--", "/bin/true",
			NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "holds the staged changes' storage");
	CHECK_EQ(mkdir(tc_path(w, "secret"), 0700), 0);
	rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-deny", tc_path(w, "secret"), "--",
			"/bin/true", NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "fs_deny");
}

/* What is not there is said: BranchFS is refused, not ignored, and what
 * the overlay's one writable tree would not keep. */
TEST(cow_refusals)
{
	char *w = tc_mkdir("w");
	sandlock_builder_t *b = sandlock_sandbox_builder_workdir(tc_builder(), w);
	char *msg = tc_build_error(sandlock_sandbox_builder_fs_isolation(b, 2));
	CHECK_CONTAINS(msg, "fs_isolation branchfs is not supported");
	b = sandlock_sandbox_builder_fs_storage(cow_builder(w), w);
	msg = tc_build_error(b);
	CHECK_CONTAINS(msg, "is inside the workdir");
	const char *argv[] = {"/bin/true", NULL};
	CHECK(sandlock_dry_run(tc_build(tc_builder()), NULL, argv, 1) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "dry_run requires workdir");
	/* a denied path the overlay's one writable tree would not keep */
	CHECK_EQ(mkdir(tc_path(w, "secret"), 0700), 0);
	b = sandlock_sandbox_builder_fs_deny(cow_builder(w), tc_path(w, "secret"));
	sandlock_sandbox_t *p = tc_build(b);
	CHECK(sandlock_run(p, NULL, argv, 1) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "inside the workdir");
	p = tc_build(sandlock_sandbox_builder_fs_deny(cow_builder(w), th_tmpdir()));
	CHECK(sandlock_run(p, NULL, argv, 1) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "holding the workdir");
	storage_empty();
	CHECK(sandlock_dry_run(tc_build(tc_builder()), NULL, argv, 1) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "dry_run requires workdir");
}
