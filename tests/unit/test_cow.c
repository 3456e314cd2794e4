/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cow.c - the staged layer's engine (src/cow/) on trees made by
 * hand in overlayfs's upper format: the change list, commit, and a commit
 * interrupted at each of its steps (the engine's test hook), finished or
 * dropped by cow_recover.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cow.h"
#include "error.h"
#include "harness.h"
#include "treedump.h"

/* dir/name, malloc'd (never freed: each test is its own process). */
static char *tc_fmt_path(const char *d, const char *name)
{
	char *p;
	CHECK(asprintf(&p, "%s/%s", d, name) > 0);
	return p;
}

static void put(const char *dir, const char *name, const char *text)
{
	char *p;
	CHECK(asprintf(&p, "%s/%s", dir, name) > 0);
	FILE *f = fopen(p, "w");
	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void dir(const char *base, const char *name)
{
	char *p;
	CHECK(asprintf(&p, "%s/%s", base, name) > 0);
	CHECK_EQ(mkdir(p, 0755), 0);
	free(p);
}

static void whiteout(const char *base, const char *name)
{
	char *p;
	CHECK(asprintf(&p, "%s/%s", base, name) > 0);
	CHECK_EQ(mknod(p, S_IFCHR, makedev(0, 0)), 0);
	free(p);
}

static void opaque(const char *base, const char *name, bool user)
{
	char *p;
	CHECK(asprintf(&p, "%s/%s", base, name) > 0);
	CHECK_EQ(setxattr(p, user ? "user.overlay.opaque" : "trusted.overlay.opaque", "y", 1, 0),
		 0);
	free(p);
}

/* ---- the scenario ---------------------------------------------------------- */

/* The workdir before: a, d/x, k/1, l (a file), m/q (a directory). */
static char *make_lower(const char *name)
{
	char *w;
	CHECK(asprintf(&w, "%s/%s", th_tmpdir(), name) > 0);
	CHECK_EQ(mkdir(w, 0755), 0);
	put(w, "a", "old");
	dir(w, "d");
	put(w, "d/x", "x");
	dir(w, "k");
	put(w, "k/1", "one");
	put(w, "l", "l");
	dir(w, "m");
	put(w, "m/q", "q");
	return w;
}

/* What a sandbox might have staged: a modified, b added, d deleted and
 * made again (opaque), k/1 deleted and k/2 added, l a directory now, m a
 * file now, a symlink out, two hard links. */
static void make_upper(const struct cow_branch *b)
{
	const char *u = b->upper;
	bool user = b->user_xattr;
	put(u, "a", "new");
	put(u, "b", "b");
	dir(u, "d");
	opaque(u, "d", user);
	put(u, "d/y", "y");
	dir(u, "k");
	whiteout(u, "k/1");
	put(u, "k/2", "two");
	dir(u, "l");
	opaque(u, "l", user);
	put(u, "l/z", "z");
	put(u, "m", "m");
	CHECK_EQ(symlinkat("/etc/passwd", AT_FDCWD, tc_fmt_path(u, "s")), 0);
	put(u, "h1", "h");
	CHECK_EQ(link(tc_fmt_path(u, "h1"), tc_fmt_path(u, "h2")), 0);
}

static const char *const want_changes =
    "A b\nM a\nD d/x\nA d/y\nA h1\nA h2\nD k/1\nA k/2\nM l\nA l/z\nM m\nD m/q\nA s\n";

static char *changes_text(const struct cow_branch *b)
{
	struct cow_changes c;
	CHECK_EQ(cow_changes(b, &c), 0);
	size_t len = 1;
	for (size_t i = 0; i < c.n; i++)
		len += strlen(c.v[i].path) + 3;
	char *s = calloc(1, len);
	for (size_t i = 0; i < c.n; i++)
		sprintf(s + strlen(s), "%c %s\n", c.v[i].kind, c.v[i].path);
	cow_changes_free(&c);
	return s;
}

static bool user_xattr(void)
{
	return geteuid() != 0;
}

TEST(cow_changes_listed)
{
	char *w = make_lower("w");
	struct cow_branch b;
	CHECK_EQ(cow_create(&b, w, th_tmpdir(), user_xattr()), 0);
	make_upper(&b);
	/* sorted by path, then as the walk met them */
	char *got = changes_text(&b);
	CHECK_CONTAINS(got, "M a\n");
	CHECK_CONTAINS(got, "D d/x\nA d/y\n");
	CHECK_CONTAINS(got, "D k/1\nA k/2\n");
	CHECK_CONTAINS(got, "M l\nA l/z\n");
	CHECK_CONTAINS(got, "M m\nD m/q\n");
	CHECK_CONTAINS(got, "A s\n");
	CHECK_EQ(strlen(got), strlen(want_changes));
	CHECK_EQ(cow_abort(&b), 0);
}

/* The tree a whole commit makes (the expected one). */
static char *committed(void)
{
	char *w = make_lower("ref");
	struct cow_branch b;
	CHECK_EQ(cow_create(&b, w, th_tmpdir(), user_xattr()), 0);
	make_upper(&b);
	CHECK_EQ(cow_commit(&b), 0);
	char *s = treedump(w);
	CHECK(!strstr(s, COW_STAGING));
	CHECK_CONTAINS(s, "a 100644 1 [new]");
	CHECK_CONTAINS(s, "d/y ");
	CHECK(!strstr(s, "d/x "));
	CHECK(!strstr(s, "k/1 "));
	CHECK_CONTAINS(s, "h1 100644 2 [h]");
	CHECK_CONTAINS(s, "s 120777 1 [/etc/passwd]");
	CHECK_CONTAINS(s, "l/z ");
	CHECK_CONTAINS(s, "m 100644 1 [m]");
	return s;
}

TEST(cow_commit_applies_the_upper)
{
	th_skip_under_valgrind(
	    "the commit opens every name with openat2, which valgrind 3.19 lacks");
	char *want = committed();
	CHECK(strlen(want) > 0);
}

/* Killed at each step of the journal: the next recovery finishes it. */
TEST(cow_commit_interrupted_then_recovered)
{
	th_skip_under_valgrind(
	    "the commit opens every name with openat2, which valgrind 3.19 lacks");
	char *want = committed();
	for (int n = 1;; n++) {
		char name[32];
		snprintf(name, sizeof(name), "w%d", n);
		char *w = make_lower(name);
		struct cow_branch b;
		CHECK_EQ(cow_create(&b, w, th_tmpdir(), user_xattr()), 0);
		make_upper(&b);
		cow_test_stop_at(n);
		int r = cow_commit(&b);
		cow_test_stop_at(0);
		if (r == 0) {
			CHECK(n > 5); /* the scenario has more steps than that */
			break;
		}
		CHECK_EQ(r, -EINTR);
		CHECK_EQ(cow_recover(w), 0);
		cow_abort(&b); /* (its files' link counts) */
		CHECK_STR(treedump(w), want);
	}
}

/* Killed before its journal: nothing of the workdir changed, and the
 * branch commits later. */
TEST(cow_commit_interrupted_before_the_journal)
{
	th_skip_under_valgrind(
	    "the commit opens every name with openat2, which valgrind 3.19 lacks");
	char *w = make_lower("w");
	char *before = treedump(w);
	struct cow_branch b;
	CHECK_EQ(cow_create(&b, w, th_tmpdir(), user_xattr()), 0);
	make_upper(&b);
	cow_test_stop_at(-1);
	CHECK_EQ(cow_commit(&b), -EINTR);
	cow_test_stop_at(0);
	CHECK_EQ(cow_recover(w), 0);
	CHECK_STR(treedump(w), before);
	CHECK_EQ(cow_commit(&b), 0);
	CHECK_STR(treedump(w), committed());
}

/* A symlink planted in the workdir where the upper has a directory: the
 * commit replaces the link, it never writes through it. */
TEST(cow_commit_never_follows_a_planted_symlink)
{
	th_skip_under_valgrind(
	    "the commit opens every name with openat2, which valgrind 3.19 lacks");
	char *w = make_lower("w");
	char *out;
	CHECK(asprintf(&out, "%s/outside", th_tmpdir()) > 0);
	CHECK_EQ(mkdir(out, 0755), 0);
	CHECK_EQ(symlink(out, tc_fmt_path(w, "p")), 0);
	struct cow_branch b;
	CHECK_EQ(cow_create(&b, w, th_tmpdir(), user_xattr()), 0);
	/* a directory over the link (overlayfs hides a lower non-directory
	 * under an upper directory), and a file through it */
	dir(b.upper, "p");
	put(b.upper, "p/f", "f");
	CHECK_EQ(cow_commit(&b), 0);
	struct stat st;
	CHECK_EQ(lstat(tc_fmt_path(out, "f"), &st), -1);
	CHECK_EQ(lstat(tc_fmt_path(w, "p"), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(lstat(tc_fmt_path(w, "p/f"), &st), 0);
	CHECK_EQ(lstat(tc_fmt_path(w, COW_STAGING), &st), -1);
}

TEST(cow_storage_inside_the_workdir_refused)
{
	char *w = make_lower("w");
	struct cow_branch b;
	CHECK(cow_create(&b, w, w, false) < 0);
	CHECK_CONTAINS(sl_error_get(), "is inside the workdir");
}

/* A directory of the user's with the staging directory's name is never
 * taken for an interrupted commit (nor removed). */
TEST(cow_foreign_staging_name_kept)
{
	char *w = make_lower("w");
	dir(w, COW_STAGING);
	put(w, COW_STAGING "/mine", "data");
	CHECK(cow_recover(w) < 0);
	CHECK_CONTAINS(sl_error_get(), "is not a commit of sandlock's");
	struct stat st;
	CHECK_EQ(lstat(tc_fmt_path(w, COW_STAGING "/mine"), &st), 0);
}

TEST(cow_reserved_name_refused)
{
	char *w = make_lower("w");
	char *before = treedump(w);
	struct cow_branch b;
	CHECK_EQ(cow_create(&b, w, th_tmpdir(), user_xattr()), 0);
	dir(b.upper, COW_STAGING);
	CHECK(cow_commit(&b) < 0);
	CHECK_CONTAINS(sl_error_get(), "reserves for its commits");
	CHECK_STR(treedump(w), before);
	cow_abort(&b);
}
