/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profiles.c - `sandlock run -p NAME` and `--profile-file`: a built-in
 * profile runs a command and confines it, a user's profile (found through
 * XDG_CONFIG_HOME) gives the command and its limits, the command line
 * goes on top, and a malformed profile starts nothing.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A profile NAME of the user's (XDG_CONFIG_HOME in the test's dir). */
static void user_profile(const char *name, const char *text)
{
	const char *xdg = tc_mkdir("xdg");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	const char *dir = tc_path(xdg, "sandlock");
	mkdir(dir, 0755);
	dir = tc_path(dir, "profiles");
	mkdir(dir, 0755);
	tc_write_file(tc_path(dir, tc_fmt("%s.toml", name)), text, 0644);
}

/* The built-in default: the system readable, nothing writable but the
 * standard devices. */
TEST(profile_default_builtin)
{
	char *out = NULL, *err = NULL;
	CHECK_EQ(tc_cli_run(&out, &err, "-p", "default", "--", "/bin/cat", "/etc/hostname", NULL),
		 0);
	const char *d = tc_mkdir("out");
	int st = tc_cli_run(&out, &err, "-p", "default", "--", "/bin/sh", "-c",
			    tc_fmt("echo x > /dev/null && echo x > %s/f", d), NULL);
	CHECK(st != 0);
	CHECK(!tc_exists(tc_path(d, "f")));
	/* the command line adds a tree */
	CHECK_EQ(tc_cli_run(&out, &err, "-p", "default", "-w", d, "--", "/bin/sh", "-c",
			    tc_fmt("echo x > %s/f", d), NULL),
		 0);
	CHECK(tc_exists(tc_path(d, "f")));
}

/* A user's profile gives the command, its environment and a limit; the
 * command line's scalar replaces the profile's. */
TEST(profile_user_command_and_override)
{
	user_profile("greet", "[filesystem]\n"
			      "read = [\"/usr\", \"/lib\", \"/lib64\", \"/bin\"]\n"
			      "[program]\n"
			      "exec = \"/bin/sh\"\n"
			      "args = [\"-c\", \"echo $GREETING; ulimit -n\"]\n"
			      "env = { GREETING = \"hello\" }\n"
			      "[limits]\n"
			      "open_files = 100\n");
	char *out = NULL, *err = NULL;
	CHECK_EQ(tc_cli_run(&out, &err, "-p", "greet", NULL), 0);
	CHECK_STR(out, "hello\n100\n");
	CHECK_EQ(tc_cli_run(&out, &err, "-p", "greet", "--max-open-files", "77", NULL), 0);
	CHECK_STR(out, "hello\n77\n");
}

/* A malformed profile is refused with its place, and nothing runs. */
TEST(profile_malformed_starts_nothing)
{
	const char *d = tc_mkdir("marks");
	const char *mark = tc_path(d, "ran");
	const char *p = tc_path(d, "bad.toml");
	tc_write_file(p,
		      tc_fmt("[filesystem]\nwrite = [\"%s\"]\n[limits]\nprocesses = \"many\"\n"
			     "[program]\nexec = \"/usr/bin/touch\"\nargs = [\"%s\"]\n",
			     d, mark),
		      0644);
	char *out = NULL, *err = NULL;
	CHECK_EQ(tc_cli_run(&out, &err, "--profile-file", p, NULL), 2);
	CHECK(strstr(err, "bad.toml:4:13: [limits].processes expected an integer, got string"));
	CHECK(!tc_exists(mark));
	CHECK_EQ(tc_cli_run(&out, &err, "-p", "no-such-profile-here", "--", "/bin/true", NULL), 2);
	CHECK(strstr(err, "profile 'no-such-profile-here' not found"));
}

/* --tmp: a fresh writable directory in TMPDIR, gone after the run (what
 * the sandbox left in it too: a symlink to a host file is removed, the
 * file stays). */
TEST(cli_tmp_private_and_removed)
{
	const char *base = tc_mkdir("tmpbase");
	setenv("TMPDIR", base, 1);
	const char *keep = tc_path(base, "keep");
	tc_write_file(keep, "host\n", 0644);
	char *out = NULL, *err = NULL;
	int st =
	    tc_cli_run(&out, &err, "--tmp", "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r",
		       "/bin", "--", "/bin/sh", "-c",
		       tc_fmt("echo \"$TMPDIR\"; echo x > \"$TMPDIR/f\" && mkdir \"$TMPDIR/d\" "
			      "&& ln -s %s \"$TMPDIR/d/l\" && echo made",
			      keep),
		       NULL);
	CHECK_EQ(st, 0);
	CHECK(strncmp(out, base, strlen(base)) == 0);
	CHECK(strstr(out, "\nmade\n") != NULL);
	char dir[512];
	snprintf(dir, sizeof(dir), "%.*s", (int)(strchr(out, '\n') - out), out);
	CHECK(!tc_exists(dir));
	CHECK_STR(tc_read_file(keep), "host\n");
}
