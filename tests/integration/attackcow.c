/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attackcow.c - the copy-on-write workdir (fs_isolation overlayfs) under
 * attack: a hostile command owns everything in the staged layer, and the
 * commit that reads it runs with the host's privileges and writes into
 * the real workdir.  What the commit does must be what the command could
 * do through the overlay (the same as a run granted the workdir), never
 * more: no write outside the workdir, no mark of overlayfs's format that
 * the command forged, no disk filled by a file the quota held, no lines
 * forged in the dry run's list, no staging directory of the command's
 * taken for the commit's; a killed commit finishes at the next start,
 * and an exhausted one leaves the workdir as it was.  Skipped where this
 * kernel or its settings give the caller no overlay.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PY TC_PYTHON

static sandlock_builder_t *acw_builder(const char *workdir, const char *storage)
{
	sandlock_builder_t *b = tc_builder_sys();
	b = sandlock_sandbox_builder_workdir(b, workdir);
	b = sandlock_sandbox_builder_fs_isolation(b, 1);
	return sandlock_sandbox_builder_fs_storage(b, storage);
}

/* sandlock_run, skipped when the kernel gives this caller no overlay;
 * NULL when the run failed otherwise (a refused commit: the message in
 * sandlock_last_error()). */
static sandlock_result_t *acw_run(const sandlock_sandbox_t *p, const char *const *argv)
{
	unsigned int argc = 0;
	while (argv[argc])
		argc++;
	sandlock_result_t *res = sandlock_run(p, NULL, argv, argc);
	if (!res && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
		SKIP("no overlay for this caller here: %s", sandlock_last_error());
	const char *note = res && sandlock_result_note(res) ? sandlock_result_note(res) : "";
	if (strstr(note, "fs_isolation overlayfs"))
		SKIP("no overlay for this caller here: %s", note);
	return res;
}

static struct tc_res acw_ok(const sandlock_sandbox_t *p, const char *const *argv)
{
	return tc_result(acw_run(p, argv));
}

static char *ls_a(const char *dir)
{
	char *out = NULL;
	const char *argv[] = {"/bin/ls", "-A", dir, NULL};
	char *env[] = {"LC_ALL=C", NULL};
	CHECK_EQ(th_run((char *const *)argv, env, &out, NULL), 0);
	return out;
}

/* A tree as text, outside any sandbox (owners included). */
static char *dump(const char *root)
{
	return tc_tree_dump(root, TC_DUMP_OWNER, NULL);
}

/* ---- the staged layer out of the command's reach ----------------------- */

/* A command granted the storage finds its branch there: it must not
 * reach its upper (a write there bypasses the overlay: marks of
 * overlayfs's format, links, a file the command never saw), nor swap the
 * branch for a directory of its choosing for the commit to read as the
 * upper (here a decoy holding "upper/stolen", which the sandbox may not
 * read but the host may). */
TEST(attackcow_storage_unreachable_from_inside)
{
	char *w = tc_mkdir("w"), *st = tc_mkdir("storage"), *decoy = tc_mkdir("decoy");
	CHECK_EQ(mkdir(tc_path(decoy, "upper"), 0755), 0);
	tc_write_file(tc_path(decoy, "upper/stolen"), "host only\n", 0644);
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(acw_builder(w, st), st);
	sandlock_sandbox_t *p = tc_build(b);
	char *cmd = tc_fmt("cd %s || exit 9; for d in sandlock-cow-*; do "
			   "echo evil > $d/upper/evil; echo evil > $d/quota/upper/evil; "
			   "mv $d moved-$d && ln -s %s $d; done; "
			   "cd %s && echo good > good",
			   st, decoy, w);
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct tc_res r = acw_ok(p, argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.note, "");
	CHECK_STR(ls_a(w), "good\n");
	CHECK_STR(tc_read_file(tc_path(w, "good")), "good\n");
	CHECK_STR(ls_a(st), "");
	/* and with the quota's tmpfs (max_disk) holding the upper */
	b = sandlock_sandbox_builder_fs_write(acw_builder(w, st), st);
	p = tc_build(sandlock_sandbox_builder_max_disk(b, 1 << 20));
	r = acw_ok(p, argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(ls_a(w), "good\n");
	CHECK_STR(ls_a(st), "");
	CHECK_STR(tc_read_file(tc_path(decoy, "upper/stolen")), "host only\n");
}

/* The workdir renamed away and replaced by another directory from outside
 * the sandbox while the command runs (the command waits on a FIFO the
 * test opens after the swap): the commit refuses the directory it did
 * not run on, and neither directory changes. */
TEST(attackcow_workdir_replaced_during_the_run)
{
	char *w = tc_mkdir("w"), *fifo = tc_path(th_tmpdir(), "fifo");
	tc_write_file(tc_path(w, "old"), "old\n", 0644);
	CHECK_EQ(mkfifo(fifo, 0666), 0);
	sandlock_builder_t *b =
	    sandlock_sandbox_builder_fs_read(acw_builder(w, tc_mkdir("st")), fifo);
	sandlock_sandbox_t *p = tc_build(b);
	char *cmd = tc_fmt("echo new > new; rm old; read x < %s", fifo);
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		sandlock_result_t *res = sandlock_run(p, NULL, argv, 3);
		if (!res && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
			_exit(4);
		if (!res && strstr(sandlock_last_error(), "no longer the directory"))
			_exit(5);
		_exit(res ? 0 : 3);
	}
	int fd = open(fifo, O_WRONLY); /* the command is waiting */
	CHECK(fd >= 0);
	char *moved = tc_path(th_tmpdir(), "w-moved");
	CHECK_EQ(rename(w, moved), 0);
	CHECK_EQ(mkdir(w, 0755), 0);
	tc_write_file(tc_path(w, "other"), "other\n", 0644);
	CHECK_EQ(write(fd, "go\n", 3), 3);
	close(fd);
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
		SKIP("no overlay for this caller here");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	CHECK_STR(ls_a(w), "other\n");
	CHECK_STR(ls_a(moved), "old\n");
}

/* A journal planted in the workdir from outside (by a run granted it,
 * which may write there but not set a set-id bit) is replayed by the next
 * start with the host's privileges: its modes lose their set-id bits. */
TEST(attackcow_planted_journal_sets_no_setid_bit)
{
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "d"), 0755), 0);
	char *stg = tc_path(w, ".sandlock-commit");
	CHECK_EQ(mkdir(stg, 0700), 0);
	CHECK_EQ(mkdir(tc_path(stg, "new"), 0700), 0);
	CHECK_EQ(mkdir(tc_path(stg, "trash"), 0700), 0);
	static const char j[] = "sandlock-commit 1\0C\0"
				"3071\0d\0C\0"
				"1023\0.";
	int fd = open(tc_path(stg, "journal"), O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, j, sizeof(j)), (ssize_t)sizeof(j));
	close(fd);
	sandlock_sandbox_t *p = tc_build(acw_builder(w, tc_mkdir("st")));
	const char *argv[] = {"/bin/true", NULL};
	CHECK_EQ(acw_ok(p, argv).code, 0);
	struct stat st;
	CHECK_EQ(stat(tc_path(w, "d"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 01777 & 3071);
	CHECK_EQ(stat(w, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 01777 & 1023);
	CHECK(!tc_exists(stg));
}

/* A journal whose steps lead out of the workdir (a directory replaced by
 * a symlink after the journal was written, as an outside process can do
 * while a commit runs; a "..") is never replayed through: the start
 * fails, saying how to give the commit up, and nothing outside moves. */
TEST(attackcow_journal_replay_stays_beneath_the_workdir)
{
	char *outside = tc_mkdir("outside");
	tc_write_file(tc_path(outside, "y"), "y\n", 0644);
	static const char *const steps[] = {"T\0"
					    "1\0sub/y",
					    "P\0"
					    "0\0sub/x",
					    "P\0"
					    "0\0../escape",
					    "T\0"
					    "1\0sub/..",
					    "C\0"
					    "511\0sub"};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char *w = tc_mkdir(tc_fmt("w%zu", i));
		CHECK_EQ(symlink(outside, tc_path(w, "sub")), 0);
		char *stg = tc_path(w, ".sandlock-commit");
		CHECK_EQ(mkdir(stg, 0700), 0);
		CHECK_EQ(mkdir(tc_path(stg, "new"), 0700), 0);
		CHECK_EQ(mkdir(tc_path(stg, "trash"), 0700), 0);
		tc_write_file(tc_path(stg, "new/0"), "planted\n", 0644);
		char j[64] = "sandlock-commit 1";
		size_t n = sizeof("sandlock-commit 1");
		size_t sl = strlen(steps[i]) + 1;
		sl += strlen(steps[i] + sl) + 1;
		sl += strlen(steps[i] + sl) + 1;
		memcpy(j + n, steps[i], sl);
		int fd = open(tc_path(stg, "journal"), O_WRONLY | O_CREAT | O_EXCL, 0600);
		CHECK(fd >= 0);
		CHECK_EQ(write(fd, j, n + sl), (ssize_t)(n + sl));
		close(fd);
		sandlock_sandbox_t *p = tc_build(acw_builder(w, tc_mkdir("st")));
		const char *argv[] = {"/bin/true", NULL};
		CHECK(acw_run(p, argv) == NULL);
		CHECK_CONTAINS(sandlock_last_error(), "finishing an interrupted commit");
		CHECK_STR(ls_a(outside), "y\n");
		CHECK(!tc_exists(tc_path(th_tmpdir(), "escape")));
		struct stat st;
		CHECK_EQ(stat(outside, &st), 0);
		CHECK_EQ(st.st_mode & 0777, 0755);
	}
}

/* ---- marks of overlayfs's format forged through the overlay ----------- */

/* The command sets every overlay.* xattr it can name on a directory and a
 * file of the lower (overlayfs escapes them in the upper, or refuses
 * trusted.*), and tries to make a whiteout (a 0/0 character device) over
 * a lower file: the commit deletes nothing the command did not delete,
 * redirects nothing, refuses nothing. */
TEST(attackcow_forged_overlay_marks_do_nothing)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "d"), 0755), 0);
	tc_write_file(tc_path(w, "d/kept"), "kept\n", 0644);
	tc_write_file(tc_path(w, "f"), "f\n", 0644);
	tc_write_file(tc_path(w, "victim"), "v\n", 0644);
	sandlock_sandbox_t *p = tc_build(acw_builder(w, tc_mkdir("storage")));
	const char *argv[] = {PY, "-c",
			      "import os, stat\n"
			      "set = []\n"
			      "for pre in ('user.overlay.', 'trusted.overlay.'):\n"
			      "    for k in ('opaque', 'whiteout', 'whiteouts', 'redirect', "
			      "'metacopy', 'origin', 'overlay.opaque'):\n"
			      "        for t, v in (('d', b'y'), ('f', b'y'), ('d', b'/f')):\n"
			      "            try: os.setxattr(t, pre + k, v); set.append(pre + k)\n"
			      "            except OSError: pass\n"
			      "os.truncate('f', 0)\n"
			      "try: os.mknod('victim2', stat.S_IFCHR | 0o600, os.makedev(0, 0))\n"
			      "except OSError: pass\n"
			      "else: raise SystemExit('a whiteout made in the overlay')\n"
			      "try: os.mknod('victim', stat.S_IFCHR | 0o600, os.makedev(0, 0))\n"
			      "except OSError: pass\n"
			      "else: raise SystemExit('a whiteout made over a file')\n"
			      "print(len(set) > 0)\n",
			      NULL};
	struct tc_res r = acw_ok(p, argv);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "the command: %s", r.err);
	CHECK_STR(r.note, "");
	CHECK_STR(ls_a(w), "d\nf\nvictim\n");
	CHECK_STR(ls_a(tc_path(w, "d")), "kept\n");
	CHECK_STR(tc_read_file(tc_path(w, "f")), "");
	CHECK_STR(tc_read_file(tc_path(w, "victim")), "v\n");
}

/* ---- set-id bits, owners, links: never more than a run granted -w ------ */

static const char setid_py[] = "import os, stat, sys\n"
			       "os.chdir(sys.argv[1])\n"
			       "def tryit(f, *a):\n"
			       "    try: f(*a)\n"
			       "    except OSError as e: print(f.__name__, e.errno)\n"
			       "open('new', 'w').write('n\\n')\n"
			       "tryit(os.chmod, 'new', 0o4755)\n"
			       "tryit(os.chmod, 'new', 0o2755)\n"
			       "tryit(os.open, 'created', os.O_CREAT | os.O_WRONLY, 0o6755)\n"
			       "tryit(os.mkdir, 'sgdir', 0o2775)\n"
			       "tryit(os.chown, 'new', 12345, 12345)\n"
			       "tryit(os.chown, 'setuid', 12345, -1)\n"
			       "with open('setuid', 'a') as f: f.write('more\\n')\n"
			       "tryit(os.link, '/etc/passwd', 'passwd')\n"
			       "tryit(os.symlink, '/etc/passwd', 'sym')\n"
			       "tryit(os.mknod, 'fifo', stat.S_IFIFO | 0o4666)\n"
			       "tryit(os.mknod, 'null', stat.S_IFCHR | 0o666, os.makedev(1, 3))\n"
			       "tryit(os.chmod, 'setuid', 0o4777)\n";

/* The same hostile script in a run granted the workdir (-w) and in a
 * copy-on-write run on a copy of it: the committed tree equals the
 * other, owners, set-id bits and links included (the commit copies modes
 * and, as root, owners: it must not add what the command could not do). */
TEST(attackcow_setid_owner_links_equal_a_granted_run)
{
	tc_need_python();
	char *trees[2] = {tc_mkdir("bare"), tc_mkdir("w")};
	for (int i = 0; i < 2; i++) {
		tc_write_file(tc_path(trees[i], "setuid"), "s\n", 0644);
		CHECK_EQ(chmod(tc_path(trees[i], "setuid"), 04755), 0);
	}
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_write(tc_builder_sys(), trees[0]);
	const char *argv0[] = {PY, "-c", setid_py, trees[0], NULL};
	struct tc_res bare = tc_runv(tc_build(b), NULL, argv0);
	CHECK_EQ(bare.code, 0);
	const char *argv1[] = {PY, "-c", setid_py, trees[1], NULL};
	/* the quota's tmpfs makes the commit copy (modes and owners set by
	 * the host) instead of linking the upper's inodes */
	for (int quota = 0; quota < 2; quota++) {
		b = acw_builder(trees[1], tc_mkdir("storage"));
		if (quota)
			b = sandlock_sandbox_builder_max_disk(b, 4 << 20);
		struct tc_res r = acw_ok(tc_build(b), argv1);
		CHECK_EQ(r.code, 0);
		CHECK_STR(r.note, "");
		CHECK_STR(dump(trees[1]), dump(trees[0]));
		if (!quota) { /* again from the same start */
			const char *rm[] = {"/bin/rm", "-rf", trees[1], NULL};
			CHECK_EQ(th_run((char *const *)rm, NULL, NULL, NULL), 0);
			CHECK_EQ(mkdir(trees[1], 0755), 0);
			tc_write_file(tc_path(trees[1], "setuid"), "s\n", 0644);
			CHECK_EQ(chmod(tc_path(trees[1], "setuid"), 04755), 0);
		}
	}
}

/* ---- exhaustion ----------------------------------------------------------- */

/* A sparse file far beyond max_disk (a tmpfs counts blocks, not sizes)
 * is committed sparse: copied densely it filled the workdir's disk with
 * zeros the quota never held. */
TEST(attackcow_sparse_file_committed_sparse)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	sandlock_builder_t *b = acw_builder(w, tc_mkdir("storage"));
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_disk(b, 1 << 20));
	const char *argv[] = {PY, "-c",
			      "with open('sparse', 'wb') as f:\n"
			      "    f.write(b'head'); f.truncate(256 << 20); f.seek(0, 2)\n"
			      "    f.write(b'end\\n')\n",
			      NULL};
	struct tc_res r = acw_ok(p, argv);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "the command: %s", r.err);
	CHECK_STR(r.note, "");
	struct stat st;
	CHECK_EQ(stat(tc_path(w, "sparse"), &st), 0);
	CHECK_EQ(st.st_size, (256 << 20) + 4);
	CHECK((long long)st.st_blocks * 512 < (1 << 20));
	int fd = open(tc_path(w, "sparse"), O_RDONLY);
	char buf[8] = {0};
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK_STR(buf, "head");
	CHECK_EQ(pread(fd, buf, 4, 256 << 20), 4);
	CHECK_STR(buf, "end\n");
	CHECK_EQ(pread(fd, buf, 4, 128 << 20), 4);
	CHECK(!memcmp(buf, "\0\0\0\0", 4));
	close(fd);
}

/* A tree nested deeper than the open-file limit: dropped whole after a
 * failure (the branch removed, not left half-way), and on success either
 * committed or refused with the workdir as it was and nothing left in
 * it; the next run works. */
TEST(attackcow_deep_tree_within_the_fd_limit)
{
	tc_need_python();
	struct rlimit rl = {256, 256};
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	char *w = tc_mkdir("w"), *st = tc_mkdir("storage");
	sandlock_sandbox_t *p = tc_build(acw_builder(w, st));
	static const char deep[] = "import os, sys\n"
				   "for i in range(1200):\n"
				   "    os.mkdir('a'); os.chdir('a')\n"
				   "open('f', 'w').write('deep')\n"
				   "sys.exit(int(sys.argv[1]))\n";
	const char *fail[] = {PY, "-c", deep, "1", NULL};
	struct tc_res r = acw_ok(p, fail);
	CHECK_EQ(r.code, 1);
	CHECK_STR(ls_a(w), "");
	CHECK_STR(ls_a(st), "");
	const char *ok[] = {PY, "-c", deep, "0", NULL};
	sandlock_result_t *res = acw_run(p, ok);
	if (!res) {
		CHECK_CONTAINS(sandlock_last_error(), "failed");
		CHECK_STR(ls_a(w), "");
	} else {
		sandlock_result_free(res);
		CHECK_STR(ls_a(w), "a\n");
	}
	const char *again[] = {"/bin/sh", "-c", "echo x > later", NULL};
	r = acw_ok(p, again);
	CHECK_EQ(r.code, 0);
	CHECK_STR(tc_read_file(tc_path(w, "later")), "x\n");
}

/* The workdir's filesystem too small for what the quota held: the commit
 * fails before its journal, the workdir as it was, the changes kept. */
TEST(attackcow_commit_enospc_leaves_the_workdir)
{
	if (geteuid() != 0)
		SKIP("needs root: mounts a small tmpfs as the workdir");
	CHECK_EQ(unshare(CLONE_NEWNS), 0);
	CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	char *w = tc_mkdir("w");
	CHECK_EQ(mount("tmpfs", w, "tmpfs", 0, "size=1m"), 0);
	tc_write_file(tc_path(w, "old"), "old\n", 0644);
	char *before = dump(w);
	sandlock_builder_t *b = acw_builder(w, tc_mkdir("storage"));
	b = sandlock_sandbox_builder_max_disk(b, 8 << 20);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(b, "/dev/zero"));
	const char *argv[] = {"/bin/sh", "-c",
			      "rm old && echo small > small && head -c 3000000 /dev/zero > big",
			      NULL};
	CHECK(acw_run(p, argv) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "failed");
	CHECK_CONTAINS(sandlock_last_error(), "No space left on device");
	CHECK_STR(dump(w), before);
}

/* A file given more xattr names than a page holds (the upper on the
 * quota's tmpfs takes them): listed and committed like any other, where
 * the names' list overflowing a fixed buffer failed the dry run and the
 * commit. */
TEST(attackcow_many_xattrs_committed)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	sandlock_builder_t *b = acw_builder(w, tc_mkdir("storage"));
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_disk(b, 4 << 20));
	const char *argv[] = {PY, "-c",
			      "import os\n"
			      "open('f', 'w').write('f')\n"
			      "for i in range(400):\n"
			      "    os.setxattr('f', 'user.attribute-number-%04d' % i, b'v')\n"
			      "print(len(''.join(os.listxattr('f'))) > 8192)\n",
			      NULL};
	sandlock_dry_run_result_t *d = sandlock_dry_run(p, NULL, argv, 3);
	if (!d && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
		SKIP("no overlay for this caller here: %s", sandlock_last_error());
	CHECK(d != NULL);
	size_t len;
	const uint8_t *out = sandlock_dry_run_result_stdout_bytes(d, &len);
	CHECK(len == 5 && !memcmp(out, "True\n", 5));
	CHECK_EQ(sandlock_dry_run_result_changes_len(d), 1);
	sandlock_dry_run_result_free(d);
	struct tc_res r = acw_ok(p, argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.note, "");
	CHECK_STR(tc_read_file(tc_path(w, "f")), "f");
}

/* The command's user xattrs reach the workdir whether the commit links
 * the layer's file or copies it (max_disk), on files and on a directory
 * it made; its overlay.* names (stored escaped by overlayfs) never do:
 * a later overlay on the workdir would obey them. */
TEST(attackcow_user_xattrs_committed_overlay_ones_not)
{
	tc_need_python();
	for (int quota = 0; quota < 2; quota++) {
		char *w = tc_mkdir(tc_fmt("w%d", quota));
		sandlock_builder_t *b = acw_builder(w, tc_mkdir("storage"));
		if (quota)
			b = sandlock_sandbox_builder_max_disk(b, 4 << 20);
		const char *argv[] = {PY, "-c",
				      "import os\n"
				      "open('f', 'w').write('f'); os.mkdir('d')\n"
				      "open('d/g', 'w').write('g')\n"
				      "for n in ('f', 'd', 'd/g'):\n"
				      "    os.setxattr(n, 'user.mine', n.encode())\n"
				      "    os.setxattr(n, 'user.overlay.opaque', b'y')\n"
				      "    os.setxattr(n, 'user.overlay.whiteout', b'y')\n"
				      "os.chmod('d/g', 0o444)\n",
				      NULL};
		struct tc_res r = acw_ok(tc_build(b), argv);
		if (r.code != 0)
			th_fail(__FILE__, __LINE__, "the command: %s", r.err);
		CHECK_STR(r.note, "");
		static const char *const names[] = {"f", "d", "d/g"};
		for (size_t i = 0; i < 3; i++) {
			char v[16] = {0}, list[256];
			char *path = tc_path(w, names[i]);
			CHECK_EQ(lgetxattr(path, "user.mine", v, sizeof(v)), strlen(names[i]));
			CHECK_STR(v, names[i]);
			ssize_t n = llistxattr(path, list, sizeof(list));
			CHECK(n > 0);
			for (ssize_t off = 0; off < n; off += (ssize_t)strlen(list + off) + 1)
				CHECK(strncmp(list + off, "user.overlay.", 13) != 0);
		}
		CHECK_STR(tc_read_file(tc_path(w, "d/g")), "g");
	}
}

/* Read-only files of the workdir the command moves or touches (git's
 * objects are 0444): copied up, they carry overlayfs's origin xattr, which
 * the commit removes from a 0444 file it links; unprivileged that was
 * EACCES and the whole commit failed. */
TEST(attackcow_read_only_files_moved_committed)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "ro"), "r\n", 0444);
	tc_write_file(tc_path(w, "ro-touched"), "t\n", 0444);
	sandlock_sandbox_t *p = tc_build(acw_builder(w, tc_mkdir("storage")));
	const char *argv[] = {"/bin/sh", "-c", "mv ro ro2 && touch -d @978307200 ro-touched", NULL};
	struct tc_res r = acw_ok(p, argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.note, "");
	CHECK_STR(ls_a(w), "ro-touched\nro2\n");
	struct stat st;
	CHECK_EQ(stat(tc_path(w, "ro2"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0444);
	CHECK_EQ(stat(tc_path(w, "ro-touched"), &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0444);
	CHECK_EQ(st.st_mtime, 978307200);
	CHECK_STR(tc_read_file(tc_path(w, "ro2")), "r\n");
}

/* Read-only directories the command makes (Go's module cache is 0555)
 * or removes: dropped by an abort and a dry run, committed with their
 * modes, a read-only directory of the workdir removed, nothing left
 * behind.  Unprivileged, their owner could neither empty them nor move
 * them to another directory: the abort and the dry run left the branch,
 * and the commit stopped halfway with a journal that failed every later
 * start. */
TEST(attackcow_read_only_dirs_committed_and_dropped)
{
	char *w = tc_mkdir("w"), *st = tc_mkdir("storage");
	CHECK_EQ(mkdir(tc_path(w, "old"), 0755), 0);
	tc_write_file(tc_path(w, "old/k"), "k\n", 0644);
	CHECK_EQ(chmod(tc_path(w, "old"), 0555), 0);
	CHECK_EQ(mkdir(tc_path(w, "ro"), 0755), 0);
	tc_write_file(tc_path(w, "ro/was"), "w\n", 0644);
	CHECK_EQ(chmod(tc_path(w, "ro"), 0555), 0);
	sandlock_sandbox_t *p = tc_build(acw_builder(w, st));
	const char *sh = "mkdir -p d/e && touch d/f d/e/g && chmod 555 d/e d && "
			 "chmod u+w old && rm -rf old && chmod u+w ro && echo n > ro/new && "
			 "rm ro/was && chmod u-w ro; exit $1";
	const char *fail[] = {"/bin/sh", "-c", sh, "sh", "1", NULL};
	CHECK_EQ(acw_ok(p, fail).code, 1);
	CHECK_STR(ls_a(st), "");
	sandlock_dry_run_result_t *d = sandlock_dry_run(p, NULL, fail, 5);
	CHECK(d != NULL);
	sandlock_dry_run_result_free(d);
	CHECK_STR(ls_a(st), "");
	CHECK_STR(ls_a(w), "old\nro\n");
	const char *ok[] = {"/bin/sh", "-c", sh, "sh", "0", NULL};
	struct tc_res r = acw_ok(p, ok);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.note, "");
	CHECK_STR(ls_a(w), "d\nro\n");
	CHECK_STR(ls_a(tc_path(w, "ro")), "new\n");
	CHECK_STR(ls_a(tc_path(w, "d")), "e\nf\n");
	struct stat sb;
	CHECK_EQ(stat(tc_path(w, "d"), &sb), 0);
	CHECK_EQ(sb.st_mode & 07777, 0555);
	CHECK_EQ(stat(tc_path(w, "d/e"), &sb), 0);
	CHECK_EQ(sb.st_mode & 07777, 0555);
	CHECK(tc_exists(tc_path(w, "d/e/g")));
	CHECK_EQ(stat(tc_path(w, "ro"), &sb), 0);
	CHECK_EQ(sb.st_mode & 07777, 0555);
	CHECK_STR(ls_a(st), "");
	CHECK_EQ(chmod(tc_path(w, "ro"), 0755), 0);
	/* the test's directory is removed after it */
	CHECK_EQ(chmod(tc_path(w, "d/e"), 0755), 0);
	CHECK_EQ(chmod(tc_path(w, "d"), 0755), 0);
}

/* ---- sockets and FIFOs ------------------------------------------------------ */

/* A socket bound in the workdir and a FIFO are names a granted run
 * leaves: committed as such (a socket failed the whole commit). */
TEST(attackcow_socket_and_fifo_committed)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	for (int quota = 0; quota < 2; quota++) {
		sandlock_builder_t *b = acw_builder(w, tc_mkdir("storage"));
		if (quota)
			b = sandlock_sandbox_builder_max_disk(b, 1 << 20);
		const char *argv[] = {PY, "-c",
				      "import os, socket\n"
				      "for n in ('sock', 'fifo'): \n"
				      "    if os.path.lexists(n): os.unlink(n)\n"
				      "s = socket.socket(socket.AF_UNIX); s.bind('sock')\n"
				      "os.mkfifo('fifo')\n"
				      "open('f', 'w').write('f')\n",
				      NULL};
		struct tc_res r = acw_ok(tc_build(b), argv);
		CHECK_EQ(r.code, 0);
		CHECK_STR(r.note, "");
		struct stat st;
		CHECK_EQ(lstat(tc_path(w, "sock"), &st), 0);
		CHECK(S_ISSOCK(st.st_mode));
		CHECK_EQ(lstat(tc_path(w, "fifo"), &st), 0);
		CHECK(S_ISFIFO(st.st_mode));
		CHECK_STR(tc_read_file(tc_path(w, "f")), "f");
	}
}

/* ---- the dry run's list ------------------------------------------------------ */

/* The command names its files: a newline in a name must not print a line
 * of its own in the list ("D  victim" for a deletion that never was). */
TEST(attackcow_dry_run_names_cannot_forge_lines)
{
	char *w = tc_mkdir("w");
	tc_write_file(tc_path(w, "victim"), "v\n", 0644);
	char *out = NULL, *err = NULL;
	int rc = tc_cli_run(&out, &err, "--workdir", w, "--fs-isolation", "overlayfs",
			    "--fs-storage", tc_mkdir("storage"), "--dry-run", "-r", "/usr", "-r",
			    "/lib", "-r", "/bin", "--", "/bin/sh", "-c",
			    "printf x > \"$(printf 'x\\nD  victim\\t\\\\')\"", NULL);
	if (strstr(err, "fs_isolation overlayfs"))
		SKIP("%s", err);
	CHECK_EQ(rc, 0);
	CHECK(!strstr(err, "\nD  victim"));
	CHECK_CONTAINS(err, "filesystem changes:\nA  x\\nD  victim\\t\\\\\n");
	CHECK_STR(ls_a(w), "victim\n");
}

/* Names that look like path syntax or hold control characters are names:
 * committed as made, in the directory they were made in. */
TEST(attackcow_odd_names_committed_as_names)
{
	tc_need_python();
	char *w = tc_mkdir("w");
	CHECK_EQ(mkdir(tc_path(w, "sub"), 0755), 0);
	sandlock_sandbox_t *p = tc_build(acw_builder(w, tc_mkdir("storage")));
	static const char names_py[] =
	    "import os, sys\n"
	    "names = ['...', '..a', ' ', '\\n', '-', 'a\\\\b', 'sub/...', 'sub/\\n..', "
	    "'\\x7f', 'x' * 255, 'sub/' + 'y' * 255]\n"
	    "if sys.argv[1] == 'make':\n"
	    "    for n in names: open(n, 'w').write(repr(n))\n"
	    "else:\n"
	    "    os.chdir(sys.argv[2])\n"
	    "    for n in names: assert open(n).read() == repr(n), n\n"
	    "    print(len(os.listdir('.')), len(os.listdir('sub')))\n";
	const char *argv[] = {PY, "-c", names_py, "make", NULL};
	struct tc_res r = acw_ok(p, argv);
	CHECK_EQ(r.code, 0);
	CHECK_STR(r.note, "");
	char *out = NULL;
	const char *check[] = {PY, "-c", names_py, "check", w, NULL};
	CHECK_EQ(th_run((char *const *)check, NULL, &out, NULL), 0);
	CHECK_STR(out, "9 3\n");
}

/* ---- the staging directory's name ---------------------------------------- */

static const char forge_py[] =
    "import os, sys\n"
    "how = sys.argv[1]\n"
    "os.makedirs('stage/new/0'); os.makedirs('stage/trash')\n"
    "open('stage/new/0/planted', 'w').write('planted')\n"
    "open('stage/journal', 'wb').write(b'sandlock-commit 1\\0T\\0' b'0\\0victim\\0"
    "P\\0' b'0\\0victim\\0')\n"
    "if how == 'rename': os.rename('stage', '.sandlock-commit')\n"
    "elif how == 'link':\n"
    "    open('file', 'w').write('f'); os.link('file', '.sandlock-commit')\n"
    "elif how == 'sub':\n"
    "    os.mkdir('sub'); os.rename('stage', 'sub/.sandlock-commit')\n"
    "elif how == 'lookalike':\n"
    "    for n in ('.Sandlock-commit', '.sandlock-commit ', '.sandlock\\u2010commit'):\n"
    "        os.mkdir(n)\n"
    "else: os.symlink('stage', '.sandlock-commit')\n";

/* The command makes the name the commit stages in (by rename, by a hard
 * link, as a symlink), with a journal that would replace "victim": the
 * commit is refused, the workdir stays as it was, and no later start
 * takes the command's journal for an interrupted commit.  The same name
 * deeper in the tree, and names that only look like it, are ordinary. */
TEST(attackcow_staging_name_refused)
{
	tc_need_python();
	char *w = tc_mkdir("w"), *st = tc_mkdir("storage");
	tc_write_file(tc_path(w, "victim"), "v\n", 0644);
	sandlock_sandbox_t *p = tc_build(acw_builder(w, st));
	static const char *const ways[] = {"rename", "link", "symlink"};
	for (size_t i = 0; i < 3; i++) {
		const char *argv[] = {PY, "-c", forge_py, ways[i], NULL};
		CHECK(acw_run(p, argv) == NULL);
		CHECK_CONTAINS(sandlock_last_error(), "a name sandlock reserves for its commits");
		CHECK_STR(ls_a(w), "victim\n");
		CHECK_STR(tc_read_file(tc_path(w, "victim")), "v\n");
	}
	const char *dry[] = {PY, "-c", forge_py, "rename", NULL};
	sandlock_dry_run_result_t *d = sandlock_dry_run(p, NULL, dry, 4);
	CHECK(d != NULL);
	sandlock_dry_run_result_free(d);
	CHECK_STR(ls_a(w), "victim\n");
	const char *sub[] = {PY, "-c", forge_py, "sub", NULL};
	struct tc_res r = acw_ok(p, sub);
	CHECK_EQ(r.code, 0);
	CHECK(tc_exists(tc_path(w, "sub/.sandlock-commit/journal")));
	CHECK_STR(tc_read_file(tc_path(w, "victim")), "v\n");
	const char *look[] = {PY, "-c", forge_py, "lookalike", NULL};
	r = acw_ok(p, look);
	CHECK_EQ(r.code, 0);
	CHECK_STR(ls_a(w), ".Sandlock-commit\n.sandlock-commit \n.sandlock\xe2\x80\x90"
			   "commit\nstage\nsub\nvictim\n");
	CHECK_STR(tc_read_file(tc_path(w, "victim")), "v\n");
}

/* ---- crash and concurrency -------------------------------------------------- */

/* sandlock (the host) killed with SIGKILL once its commit has journaled:
 * the next start finishes it, nothing lost, nothing left. */
TEST(attackcow_host_killed_during_commit_finishes_at_next_start)
{
	char *w = tc_mkdir("w"), *st = tc_mkdir("storage");
	tc_write_file(tc_path(w, "old"), "old\n", 0644);
	/* files in a directory of the lower: one journal step each */
	CHECK_EQ(mkdir(tc_path(w, "d"), 0755), 0);
	sandlock_sandbox_t *p = tc_build(acw_builder(w, st));
	const char *argv[] = {"/bin/sh", "-c",
			      "rm old; i=0; while [ $i -lt 3000 ]; do "
			      ": > d/f$i; i=$((i+1)); done; echo done > last",
			      NULL};
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		sandlock_result_t *res = sandlock_run(p, NULL, argv, 3);
		_exit(res && sandlock_result_exit_code(res) == 0 ? 0 : 3);
	}
	char *journal = tc_path(w, ".sandlock-commit/journal");
	int status;
	bool killed = false;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (tc_exists(journal)) {
			kill(pid, SIGKILL);
			killed = true;
			CHECK_EQ(waitpid(pid, &status, 0), pid);
			break;
		}
	}
	if (!killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		SKIP("the run failed before its commit (no overlay for this caller here?)");
	const char *next[] = {"/bin/sh", "-c", "ls d | wc -l > count; cat last >> count", NULL};
	struct tc_res r = acw_ok(p, next);
	CHECK_EQ(r.code, 0);
	CHECK_STR(tc_read_file(tc_path(w, "count")), "3000\ndone\n");
	CHECK_STR(ls_a(w), "count\nd\nlast\n");
}

/* Two sandboxes on one workdir and one storage, committing at once: both
 * runs' files land, the shared name holds one run's content whole, no
 * staging directory and no branch is left. */
TEST(attackcow_concurrent_commits_on_one_workdir)
{
	char *w = tc_mkdir("w"), *st = tc_mkdir("storage");
	sandlock_sandbox_t *p = tc_build(acw_builder(w, st));
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		char *cmd = tc_fmt("mkdir -p d; n=0; while [ $n -lt 300 ]; do echo %d > d/p%d-$n; "
				   "n=$((n+1)); done; echo run%d > shared",
				   i, i, i);
		const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
		CHECK((pids[i] = fork()) >= 0);
		if (pids[i] == 0) {
			sandlock_result_t *res = sandlock_run(p, NULL, argv, 3);
			if (!res && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
				_exit(4);
			_exit(res && sandlock_result_exit_code(res) == 0 ? 0 : 3);
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;
		CHECK_EQ(waitpid(pids[i], &status, 0), pids[i]);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
			SKIP("no overlay for this caller here");
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	char *out = NULL;
	const char *count[] = {"/bin/sh", "-c", tc_fmt("ls %s/d | wc -l", w), NULL};
	CHECK_EQ(th_run((char *const *)count, NULL, &out, NULL), 0);
	CHECK_STR(out, "600\n");
	char *shared = tc_read_file(tc_path(w, "shared"));
	CHECK(!strcmp(shared, "run0\n") || !strcmp(shared, "run1\n"));
	CHECK_STR(ls_a(w), "d\nshared\n");
	CHECK_STR(ls_a(st), "");
}

/* ---- the dry run ------------------------------------------------------------ */

/* Whatever the command does (the staging name with a journal, a socket,
 * a sparse file, xattrs, a chmod of the workdir's root), a dry run leaves
 * the workdir byte for byte as it was and the storage empty. */
TEST(attackcow_dry_run_never_touches_the_workdir)
{
	tc_need_python();
	char *w = tc_mkdir("w"), *st = tc_mkdir("storage");
	tc_write_file(tc_path(w, "victim"), "v\n", 0644);
	CHECK_EQ(mkdir(tc_path(w, "d"), 0755), 0);
	char *before = dump(w);
	sandlock_sandbox_t *p = tc_build(acw_builder(w, st));
	const char *argv[] = {PY, "-c",
			      "import os, socket\n"
			      "os.makedirs('.sandlock-commit/new'); "
			      "os.makedirs('.sandlock-commit/trash')\n"
			      "open('.sandlock-commit/journal', 'wb').write(b'sandlock-commit 1\\0"
			      "T\\0' b'0\\0victim\\0')\n"
			      "socket.socket(socket.AF_UNIX).bind('sock')\n"
			      "with open('sparse', 'w') as f: f.truncate(1 << 30)\n"
			      "os.setxattr('d', 'user.overlay.opaque', b'y')\n"
			      "os.unlink('victim'); os.chmod('.', 0o700); os.chmod('d', 0o700)\n",
			      NULL};
	sandlock_dry_run_result_t *d = sandlock_dry_run(p, NULL, argv, 3);
	if (!d && strstr(sandlock_last_error(), "fs_isolation overlayfs"))
		SKIP("no overlay for this caller here: %s", sandlock_last_error());
	CHECK(d != NULL);
	CHECK(sandlock_dry_run_result_success(d));
	sandlock_dry_run_result_free(d);
	CHECK_STR(dump(w), before);
	CHECK_STR(ls_a(st), "");
	/* and the next start finds no journal of the command's to replay */
	const char *next[] = {"/bin/true", NULL};
	CHECK_EQ(acw_ok(p, next).code, 0);
	CHECK_STR(dump(w), before);
}
