/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profiles.c - `sandlock run -p NAME` and `--profile-file`: a built-in
 * profile runs a command and confines it, a user's profile (found through
 * XDG_CONFIG_HOME) gives the command and its limits, the command line
 * goes on top, and a malformed profile starts nothing.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* ---- the built-in profiles at their jobs ------------------------------------------ */

/* Skips the running test when a program a job needs is not installed. */
static void need(const char *const *progs)
{
	for (; *progs; progs++)
		if (access(*progs, X_OK) != 0)
			SKIP("needs %s (not installed)", *progs);
}

/* A fresh project directory, and beside it a file no profile grants
 * (each job shows one denial on it).  The host's home holds a git
 * configuration the sandbox cannot read, as a user's does: HOME and
 * XDG_CONFIG_HOME point at it (git gives up on an unreadable one). */
struct job {
	const char *dir, *secret;
};

static struct job job_setup(void)
{
	struct job j = {.dir = tc_mkdir("work")};
	const char *out = tc_mkdir("outside");
	j.secret = tc_path(out, "secret");
	tc_write_file(j.secret, "s3cret\n", 0644);
	const char *home = tc_mkdir("home");
	tc_write_file(tc_path(home, ".gitconfig"), "[user]\n\tname = host\n", 0644);
	const char *xdg = tc_mkdir("home/.config");
	mkdir(tc_path(xdg, "git"), 0755);
	tc_write_file(tc_path(xdg, "git/config"), "[user]\n\temail = host@example.org\n", 0644);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	return j;
}

/* `sandlock run -p PROFILE -w DIR --cwd DIR -- /bin/sh -c SCRIPT`. */
static int job_sh(const char *profile, const struct job *j, const char *script, char **out,
		  char **err)
{
	return tc_cli_run(out, err, "-p", profile, "-w", j->dir, "--cwd", j->dir, "--env",
			  "GIT_AUTHOR_NAME=t", "--env", "GIT_AUTHOR_EMAIL=t@example.org", "--env",
			  "GIT_COMMITTER_NAME=t", "--env", "GIT_COMMITTER_EMAIL=t@example.org",
			  "--", "/bin/sh", "-c", script, NULL);
}

/* git init, add, commit in the project (the home's configuration
 * unreadable, /dev/null opened read-write); a repository outside it
 * cannot be made. */
TEST(profile_default_git)
{
	const char *const progs[] = {"/usr/bin/git", NULL};
	need(progs);
	struct job j = job_setup();
	char *out = NULL, *err = NULL;
	int st = job_sh("default", &j,
			"git init -q && echo hello > a.txt && git add a.txt && "
			"git commit -q -m first && git log --format=%s%an",
			&out, &err);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "git failed (%d): %s", st, err);
	CHECK_STR(out, "firstt\n");
	CHECK(tc_exists(tc_path(j.dir, ".git/HEAD")));
	const char *other = tc_path(tc_mkdir("other"), "repo");
	st = job_sh("default", &j, tc_fmt("git init -q %s", other), &out, &err);
	CHECK(st != 0);
	CHECK(!tc_exists(other));
}

/* A two-file C program for make and gcc, and a target that reads the
 * secret. */
static void c_project(const struct job *j)
{
	tc_write_file(tc_path(j->dir, "main.c"),
		      "#include <stdio.h>\nint answer(void);\n"
		      "int main(void) { printf(\"%d\\n\", answer()); return 0; }\n",
		      0644);
	tc_write_file(tc_path(j->dir, "answer.c"), "int answer(void) { return 42; }\n", 0644);
	tc_write_file(tc_path(j->dir, "Makefile"),
		      tc_fmt("CC = gcc\nprog: main.o answer.o\n\t$(CC) -o $@ main.o answer.o\n"
			     "leak:\n\tcat %s\n",
			     j->secret),
		      0644);
}

static void make_job(const char *profile)
{
	const char *const progs[] = {"/usr/bin/make", "/usr/bin/gcc", NULL};
	need(progs);
	struct job j = job_setup();
	c_project(&j);
	char *out = NULL, *err = NULL;
	int st = job_sh(profile, &j, "make -s && ./prog", &out, &err);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "make failed (%d): %s", st, err);
	CHECK_STR(out, "42\n");
	CHECK(tc_exists(tc_path(j.dir, "answer.o")));
	st = job_sh(profile, &j, "make -s leak", &out, &err);
	CHECK(st != 0);
	CHECK(!strstr(out, "s3cret"));
	CHECK(strstr(err, "Permission denied"));
}

/* make with gcc builds a two-file program (gcc's temporary files in the
 * private TMPDIR); the build cannot read outside the project. */
TEST(profile_default_make_gcc)
{
	make_job("default");
}

TEST(profile_cc_make_gcc)
{
	make_job("cc");
}

/* A script of Python's standard library writes a file in the project
 * and finds a file outside it refused. */
static void python_job(const char *profile)
{
	const char *const progs[] = {"/usr/bin/python3", NULL};
	need(progs);
	struct job j = job_setup();
	tc_write_file(tc_path(j.dir, "job.py"),
		      tc_fmt("import json, os, sys, tempfile\n"
			     "try:\n"
			     "    open(%s).read()\n"
			     "    print('leaked')\n"
			     "except PermissionError:\n"
			     "    print('denied')\n"
			     "with tempfile.NamedTemporaryFile(dir=os.environ['TMPDIR']) as t:\n"
			     "    t.write(b'x')\n"
			     "with open('out.json', 'w') as f:\n"
			     "    json.dump({'sum': sum(range(10))}, f)\n",
			     tc_fmt("'%s'", j.secret)),
		      0644);
	char *out = NULL, *err = NULL;
	int st = job_sh(profile, &j, "/usr/bin/python3 job.py", &out, &err);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "python3 failed (%d): %s", st, err);
	CHECK_STR(out, "denied\n");
	CHECK_STR(tc_read_file(tc_path(j.dir, "out.json")), "{\"sum\": 45}");
}

TEST(profile_default_python_script)
{
	python_job("default");
}

TEST(profile_python_script)
{
	python_job("python");
}

/* tar czf of the project's files; a tree outside it cannot be read. */
TEST(profile_default_tar_czf)
{
	const char *const progs[] = {"/usr/bin/tar", "/usr/bin/gzip", NULL};
	need(progs);
	struct job j = job_setup();
	tc_mkdir("work/src");
	tc_write_file(tc_path(j.dir, "src/a.txt"), "alpha\n", 0644);
	char *out = NULL, *err = NULL;
	int st = job_sh("default", &j, "tar czf a.tgz src && tar tzf a.tgz", &out, &err);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "tar failed (%d): %s", st, err);
	CHECK_STR(out, "src/\nsrc/a.txt\n");
	st = job_sh("default", &j, tc_fmt("tar czf b.tgz %s", j.secret), &out, &err);
	CHECK(st != 0);
	CHECK(strstr(err, "Permission denied"));
}

/* sqlite3 makes a database and a table in the project; not outside it. */
TEST(profile_default_sqlite3)
{
	const char *const progs[] = {"/usr/bin/sqlite3", NULL};
	need(progs);
	struct job j = job_setup();
	char *out = NULL, *err = NULL;
	int st = job_sh("default", &j,
			"sqlite3 db.sqlite 'create table t (x integer); insert into t values (7);' "
			"&& sqlite3 db.sqlite 'select x from t;'",
			&out, &err);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "sqlite3 failed (%d): %s", st, err);
	CHECK_STR(out, "7\n");
	CHECK(tc_exists(tc_path(j.dir, "db.sqlite")));
	const char *other = tc_path(tc_mkdir("other"), "db.sqlite");
	st = job_sh("default", &j, tc_fmt("sqlite3 %s 'create table t (x integer);'", other), &out,
		    &err);
	CHECK(st != 0);
	CHECK(!tc_exists(other));
}

/* A node script writes a file in the project and finds a file outside
 * it refused. */
TEST(profile_node_script)
{
	const char *const progs[] = {"/usr/bin/node", NULL};
	need(progs);
	struct job j = job_setup();
	tc_write_file(
	    tc_path(j.dir, "job.js"),
	    tc_fmt("const fs = require('fs'), os = require('os');\n"
		   "try { fs.readFileSync('%s'); console.log('leaked'); }\n"
		   "catch (e) { console.log(e.code); }\n"
		   "fs.writeFileSync(os.tmpdir() + '/t', 'x');\n"
		   "fs.writeFileSync('out.txt', 'cpus ' + (os.cpus().length > 0) + '\\n');\n",
		   j.secret),
	    0644);
	char *out = NULL, *err = NULL;
	int st = job_sh("node", &j, "/usr/bin/node job.js", &out, &err);
	if (st != 0)
		th_fail(__FILE__, __LINE__, "node failed (%d): %s", st, err);
	CHECK_STR(out, "EACCES\n");
	CHECK_STR(tc_read_file(tc_path(j.dir, "out.txt")), "cpus true\n");
}

/* The terminal: /dev/tty opens read-write under the default profile (a
 * program asking for a passphrase there), while pushing input into it
 * (TIOCSTI) is refused.  The run's stdin is not the terminal: the
 * sandbox gets it only through /dev/tty.  Helper's status: 1 the run
 * failed, 2 not the expected answers, 0x40 setup. */
TEST(profile_default_tty_usable_not_injectable)
{
	const char *const progs[] = {"/usr/bin/python3", NULL};
	need(progs);
	tc_require_kernel();
	char *slave = NULL;
	int m = tc_openpt(&slave);
	if (m < 0)
		SKIP("no pseudo terminal can be made");
	const char *script = "import fcntl, os, termios\n"
			     "fd = os.open('/dev/tty', os.O_RDWR)\n"
			     "os.write(fd, b'hello\\r\\n')\n"
			     "print('wrote')\n"
			     "try:\n"
			     "    fcntl.ioctl(fd, termios.TIOCSTI, b'x')\n"
			     "    print('TIOCSTI done')\n"
			     "except OSError as e:\n"
			     "    print('TIOCSTI', e.errno)\n";
	pid_t h = fork();
	CHECK(h >= 0);
	if (h == 0) {
		if (tc_session_on(slave, -1) < 0)
			_exit(0x40);
		char *out = NULL, *err = NULL;
		int st = tc_cli_run(&out, &err, "-p", "default", "--", "/usr/bin/python3", "-c",
				    script, NULL);
		if (st != 0)
			fprintf(stderr, "    sandlock: %d: %s\n", st, err);
		else if (strcmp(out, "wrote\nTIOCSTI 1\n") != 0)
			fprintf(stderr, "    got: %s\n", out);
		_exit(st != 0 ? 1 : strcmp(out, "wrote\nTIOCSTI 1\n") != 0 ? 2 : 0);
	}
	int st = tc_drain_tty_until_exit(m, h);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}
