/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_onbehalf.c - the lexical parts of the on-behalf path core: which
 * paths name the caller's own /proc entries, and the magic link they
 * start with.
 */
#include "harness.h"
#include "onbehalf.h"

#include <limits.h>

static const char *self(const char *path)
{
	static char out[PATH_MAX];
	int r = onbehalf_proc_self(path, 100, 123, out, sizeof(out));
	return r == 1 ? out : r == 0 ? "(no)" : "(error)";
}

TEST(onbehalf_proc_self_paths)
{
	CHECK_STR(self("/proc/self/fd/3"), "fd/3");
	CHECK_STR(self("/proc/self"), ".");
	CHECK_STR(self("/proc/self/"), ".");
	CHECK_STR(self("//proc/./self//cwd/x"), "cwd/x");
	CHECK_STR(self("/proc/thread-self/cwd"), "task/123/cwd");
	CHECK_STR(self("/proc/thread-self"), "task/123");
	CHECK_STR(self("/proc/100/root/etc"), "root/etc");
	/* another process, our own ("self" is resolved by whoever looks),
	 * a relative path, "..": not the caller's entry, lexically */
	CHECK_STR(self("/proc/101/root"), "(no)");
	CHECK_STR(self("/proc/1"), "(no)");
	CHECK_STR(self("proc/self/cwd"), "(no)");
	CHECK_STR(self("/proc/../proc/self"), "(no)");
	CHECK_STR(self("/procx/self"), "(no)");
	CHECK_STR(self("/proc/selfx/fd"), "(no)");
	char small[4];
	CHECK_EQ(onbehalf_proc_self("/proc/self/fd/3", 1, 1, small, sizeof(small)), -ENAMETOOLONG);
}

static const char *magic(const char *rel)
{
	static char out[PATH_MAX];
	struct ob_magic m;
	onbehalf_magic(rel, &m);
	snprintf(out, sizeof(out), "%.*s|%s|%d", (int)m.len, rel, m.rest, m.root);
	return out;
}

TEST(onbehalf_magic_links)
{
	CHECK_STR(magic("fd/3"), "fd/3||0");
	CHECK_STR(magic("fd/3/a/b"), "fd/3|a/b|0");
	CHECK_STR(magic("cwd//x"), "cwd|x|0");
	CHECK_STR(magic("root/etc/passwd"), "root|etc/passwd|1");
	CHECK_STR(magic("task/123/cwd/f"), "task/123/cwd|f|0");
	CHECK_STR(magic("task/123/fd/7"), "task/123/fd/7||0");
	/* not a magic link: the whole path from the /proc directory */
	CHECK_STR(magic("status"), "||0");
	CHECK_STR(magic("fd"), "||0");
	CHECK_STR(magic("fd/x"), "||0");
	CHECK_STR(magic("task/abc/cwd"), "||0");
	CHECK_STR(magic("cwdx/y"), "||0");
	CHECK_STR(magic("."), "||0");
}
