/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dirs.c - deterministic_dirs: directory listings sorted by name through
 * every reader (ls -U, os.listdir, find, getdents64 and getdents with
 * any buffer), rewinddir and seekdir, large directories, and what a
 * child can try on it (a directory dup2()ed onto the fd between calls,
 * an unmapped buffer, odd counts).
 */
#include "common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory holding n files (and the names in extra) created in a
 * scrambled order; *sorted the names, "." and ".." with them, sorted
 * bytewise (strcmp compares unsigned bytes), NULL-terminated. */
static char *scrambled(const char *tag, int n, const char *const *extra, char ***sorted)
{
	char *dir = tc_mkdir(tag);
	int ne = 0;
	while (extra && extra[ne])
		ne++;
	char **v = calloc((size_t)(n + ne + 3), sizeof(*v));
	CHECK(v != NULL);
	int k = 0;
	v[k++] = ".";
	v[k++] = "..";
	for (int i = 0; i < n; i++) {
		/* 7919 is prime: i -> i * 7919 mod n visits every index once
		 * when n is not a multiple of it */
		int j = (int)(((long)i * 7919) % n);
		char *name = tc_fmt("f%05d", j);
		tc_write_file(tc_path(dir, name), "", 0644);
		v[k++] = name;
	}
	for (int i = 0; i < ne; i++) {
		tc_write_file(tc_path(dir, extra[i]), "", 0644);
		v[k++] = (char *)extra[i];
	}
	qsort(v, (size_t)k, sizeof(*v), by_str);
	*sorted = v;
	return dir;
}

/* The names joined by '\n', each with prefix, "." and ".." left out
 * when skip_dots. */
static char *joined(char **v, const char *prefix, bool skip_dots)
{
	char *s = calloc(1, 1);
	for (; *v; v++)
		if (!skip_dots || (strcmp(*v, ".") && strcmp(*v, "..")))
			s = tc_fmt("%s%s%s\n", s, prefix, *v);
	return s;
}

static sandlock_sandbox_t *dirs_policy(const char *dir, bool on)
{
	sandlock_builder_t *b = sandlock_sandbox_builder_fs_read(tc_builder_sys(), dir);
	return tc_build(on ? sandlock_sandbox_builder_deterministic_dirs(b, true) : b);
}

static char *sh(const sandlock_sandbox_t *p, const char *script)
{
	struct tc_res r = tc_run(p, NULL, "/bin/sh", "-c", script, NULL);
	if (r.code != 0)
		th_fail(__FILE__, __LINE__, "sh -c '%s': exit %d, stderr: %s", script, r.code,
			r.err);
	return r.out;
}

static const char *const odd_names[] = {"B", "-dash", "a.b", "zz", "~tilde", "\xc3\xa9t\xc3\xa9",
					NULL};

/* ls -U (no sorting of its own), os.listdir and find: the names sorted. */
TEST(dirs_sorted_for_ls_python_find)
{
	char **want;
	char *dir = scrambled("s", 40, odd_names, &want);
	sandlock_sandbox_t *p = dirs_policy(dir, true);
	CHECK_STR(sh(p, tc_fmt("ls -U -a %s", dir)), joined(want, "", false));
	CHECK_STR(sh(p, tc_fmt("find %s -mindepth 1", dir)),
		  joined(want, tc_fmt("%s/", dir), true));
	if (tc_exists(PYTHON)) {
		char *py = sh(p, tc_fmt(PYTHON " -c 'import os\nfor n in os.listdir(\"%s\"): "
					       "print(n)'",
					dir));
		CHECK_STR(py, joined(want, "", true));
	}
	sandlock_sandbox_free(p);
}

/* A buffer of one record: a call per entry, nothing lost or repeated,
 * each d_off the position the next call starts at; the old layout too. */
TEST(dirs_tiny_buffer_many_calls)
{
	char **want;
	char *dir = scrambled("t", 30, NULL, &want);
	sandlock_sandbox_t *p = dirs_policy(dir, true);
	char *names = joined(want, "", false);
	CHECK_STR(tc_named_in(p, "dprobe", "list", dir, "32", NULL),
		  tc_fmt("%scalls=%d\n", names, 32 + 1));
	char *old = tc_named_in(p, "dprobe", "list-old", dir, "32", NULL);
	if (strcmp(old, "none\n"))
		CHECK_STR(old, tc_fmt("%scalls=%d\n", names, 32 + 1));
	/* a larger buffer: fewer calls, the same names */
	CHECK_STR(tc_named_in(p, "dprobe", "list", dir, "4096", NULL),
		  tc_fmt("%scalls=2\n", names));
	sandlock_sandbox_free(p);
}

TEST(dirs_rewinddir_and_seekdir)
{
	char **want;
	char *dir = scrambled("r", 25, NULL, &want);
	sandlock_sandbox_t *p = dirs_policy(dir, true);
	CHECK_STR(tc_named_in(p, "dprobe", "rewind", dir, NULL), joined(want, "", false));
	CHECK_STR(tc_named_in(p, "dprobe", "seekdir", dir, NULL), "same\n");
	sandlock_sandbox_free(p);
}

/* Thousands of entries, read in many batches. */
TEST(dirs_large_directory)
{
	char **want;
	char *dir = scrambled("l", 5000, NULL, &want);
	sandlock_sandbox_t *p = dirs_policy(dir, true);
	char *names = joined(want, "", false);
	char *out = tc_named_in(p, "dprobe", "list", dir, "1024", NULL);
	CHECK(strncmp(out, names, strlen(names)) == 0);
	CHECK_STR(sh(p, tc_fmt("ls -U -a %s", dir)), names);
	sandlock_sandbox_free(p);
}

/* Two runs, the same bytes. */
TEST(dirs_two_runs_identical)
{
	char **want;
	char *dir = scrambled("i", 200, odd_names, &want);
	tc_mkdir("i/sub");
	tc_write_file(tc_path(dir, "sub/y"), "", 0644);
	tc_write_file(tc_path(dir, "sub/x"), "", 0644);
	sandlock_sandbox_t *p = dirs_policy(dir, true);
	char *a = sh(p, tc_fmt("find %s; ls -U -a -R %s", dir, dir));
	char *b = sh(p, tc_fmt("find %s; ls -U -a -R %s", dir, dir));
	CHECK_STR(a, b);
	CHECK_CONTAINS(a, tc_fmt("%s/sub\n%s/sub/x\n%s/sub/y\n", dir, dir, dir));
	sandlock_sandbox_free(p);
}

/* Without the option, the kernel's own order (what ls -U prints bare). */
TEST(dirs_unset_is_the_kernel_order)
{
	char **want;
	char *dir = scrambled("k", 40, odd_names, &want);
	sandlock_sandbox_t *p = dirs_policy(dir, false);
	char *bare = NULL;
	char *argv[] = {"/bin/sh", "-c", tc_fmt("ls -U -a %s", dir), NULL};
	CHECK_EQ(th_run(argv, NULL, &bare, NULL), 0);
	CHECK_STR(sh(p, tc_fmt("ls -U -a %s", dir)), bare);
	sandlock_sandbox_free(p);
}

/* The CLI's --deterministic-dirs. */
TEST(dirs_cli_flag)
{
	char **want;
	char *dir = scrambled("c", 12, NULL, &want);
	char *out = NULL;
	CHECK_EQ(tc_cli_run(&out, NULL, "--deterministic-dirs", "-r", "/", "--", "/bin/ls", "-U",
			    "-a", dir, NULL),
		 0);
	CHECK_STR(out, joined(want, "", false));
}

/* A thread dup2()ing another directory onto the fd between calls: only
 * names of the two directories, and the sandbox lists right after. */
TEST(dirs_attack_dup2_between_calls)
{
	char **wa;
	char *a = scrambled("da", 60, NULL, &wa);
	char *b = tc_mkdir("db");
	for (int i = 0; i < 30; i++)
		tc_write_file(tc_path(b, tc_fmt("other%02d", (i * 7) % 30)), "", 0644);
	sandlock_builder_t *bl = sandlock_sandbox_builder_fs_read(tc_builder_sys(), a);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_deterministic_dirs(
	    sandlock_sandbox_builder_fs_read(bl, b), true));
	char *out = tc_named_in(p, "dprobe", "race", a, b, "3000", NULL);
	CHECK_STR(out, tc_fmt("names=OK\n%scalls=2\n", joined(wa, "", false)));
	sandlock_sandbox_free(p);
}

/* A buffer in unmapped memory: EFAULT, and the position did not move. */
TEST(dirs_attack_unmapped_buffer)
{
	char **want;
	char *dir = scrambled("e", 10, NULL, &want);
	sandlock_sandbox_t *p = dirs_policy(dir, true);
	CHECK_STR(tc_named_in(p, "dprobe", "efault", dir, NULL), "EFAULT first=.\n");
	sandlock_sandbox_free(p);
}

/* Counts as the kernel reads them (an unsigned int): 0 and a count below
 * one record EINVAL, the upper half ignored, the largest fine. */
TEST(dirs_attack_counts)
{
	char **want;
	char *dir = scrambled("n", 10, NULL, &want);
	sandlock_sandbox_t *p = dirs_policy(dir, true);
	/* "." and ".." 24 bytes each, f00000..f00009 32 each */
	const char *cases[][2] = {{"0", "errno=EINVAL\n"},    {"23", "errno=EINVAL\n"},
				  {"24", "ok 24\n"},	      {"0x100000000", "errno=EINVAL\n"},
				  {"0x100000030", "ok 48\n"}, {"0xffffffff", "ok 368\n"},
				  {"-1", "ok 368\n"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(tc_named_in(p, "dprobe", "count", dir, cases[i][0], NULL), cases[i][1]);
	sandlock_sandbox_free(p);
}

/* Not a directory, an O_PATH fd, no fd: the kernel's own answers. */
TEST(dirs_not_a_directory)
{
	char *dir = tc_mkdir("f");
	char *file = tc_path(dir, "file");
	tc_write_file(file, "x", 0644);
	sandlock_sandbox_t *p = dirs_policy(dir, true);
	CHECK_STR(tc_named_in(p, "dprobe", "notdir", file, dir, NULL),
		  "errno=ENOTDIR\nerrno=EBADF\nerrno=EBADF\n");
	sandlock_sandbox_free(p);
}
