/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_profile.c - TOML profiles (cli/profile.c): each key made into its
 * flag, the command line on top (scalars replaced, lists added), the
 * profile's command, and every refusal with its place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#include "cli.h"
#include "profile.h"
#include "run_opts.h"

static const char *write_profile(const char *text)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/p.toml", th_tmpdir());
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
	return path;
}

/* The profile's flags, joined by spaces. */
static char *flags_of(const struct profile *p)
{
	static char out[4096];
	size_t n = 0;
	out[0] = 0;
	for (int i = 0; i < p->argc; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? " " : "", p->argv[i]);
	return out;
}

static const char *load_error(const char *text)
{
	static struct cli_err e;
	struct profile p;
	int r = profile_load(NULL, write_profile(text), &p, &e);
	profile_free(&p);
	return r < 0 ? e.msg : "(loaded)";
}

TEST(profile_keys_become_flags)
{
	struct cli_err e;
	struct profile p;
	const char *path = write_profile("[filesystem]\n"
					 "read = [\"/usr\", \"/lib\"]\n"
					 "write = ['/tmp/x']\n"
					 "[limits]\n"
					 "memory = \"512M\"\n"
					 "processes = 20\n"
					 "cpu_cores = [0, 1]\n"
					 "[network]\n"
					 "port_remap = true\n"
					 "bind = [8080]\n"
					 "[determinism]\n"
					 "deterministic_dirs = false\n"
					 "[program]\n"
					 "args = [\"-c\", \"true\"]\n"
					 "exec = \"/bin/sh\"\n"
					 "env = { LANG = \"C\" }\n");
	CHECK_EQ(profile_load(NULL, path, &p, &e), 0);
	CHECK_STR(flags_of(&p), "--fs-read=/usr --fs-read=/lib --fs-write=/tmp/x --max-memory=512M "
				"--max-processes=20 --cpu-cores=0,1 --port-remap --net-bind=8080 "
				"--env=LANG=C");
	CHECK_EQ(p.cmd_argc, 3);
	CHECK_STR(p.cmd[0], "/bin/sh");
	CHECK_STR(p.cmd[1], "-c");
	CHECK(p.cmd[3] == NULL);
	profile_free(&p);
}

/* The command line on top: its scalars replace the profile's, its lists
 * add to them, its command replaces the profile's; a scalar twice on the
 * command line is still an error. */
TEST(profile_under_the_command_line)
{
	struct cli_err e;
	struct profile p;
	const char *path = write_profile("[filesystem]\nread = [\"/usr\"]\n"
					 "[limits]\nmemory = \"256M\"\nprocesses = 5\n"
					 "[program]\nexec = \"/bin/true\"\n");
	CHECK_EQ(profile_load(NULL, path, &p, &e), 0);
	struct run_opts o;
	const char *cli[] = {"-m", "1G", "-r", "/lib", "--", "/bin/echo", "x"};
	CHECK_EQ(run_opts_parse_layered(&o, p.argc, (const char *const *)p.argv, 7, cli, &e),
		 RUN_PARSE_OK);
	CHECK_EQ(o.max_memory.v, 1u << 30);
	CHECK_EQ(o.max_processes.v, 5);
	CHECK_EQ(o.fs_read.n, 2);
	CHECK_STR(o.fs_read.v[0], "/usr");
	CHECK_STR(o.fs_read.v[1], "/lib");
	CHECK_STR(o.cmd[0], "/bin/echo");
	run_opts_free(&o);
	const char *twice[] = {"-m", "1G", "-m", "2G", "--", "x"};
	CHECK_EQ(run_opts_parse_layered(&o, p.argc, (const char *const *)p.argv, 6, twice, &e),
		 RUN_PARSE_USAGE);
	CHECK_STR(e.msg, "option '--max-memory' given more than once");
	run_opts_free(&o);
	profile_free(&p);
}

TEST(profile_refusals_with_places)
{
	CHECK_CONTAINS(load_error("[limits]\nmemory = 5\n"),
		       "/p.toml:2:10: [limits].memory expected a string, got integer");
	CHECK_CONTAINS(load_error("[filesystem]\nread = [\"/usr\", 3]\n"),
		       "/p.toml:2:8: [filesystem].read expected an array of strings, got an array "
		       "with string");
	CHECK_CONTAINS(load_error("[limits]\nfoo = 1\n"),
		       "/p.toml:2:1: unknown field [limits].foo");
	CHECK_CONTAINS(load_error("[gpu]\nx = 1\n"), "/p.toml:1:2: unknown section [gpu]");
	CHECK_CONTAINS(load_error("read = [\"/usr\"]\n"),
		       "/p.toml:1:1: unknown field 'read' (a profile's keys are in sections");
	CHECK_CONTAINS(load_error("[filesystem]\non_exit = 1\n"),
		       "/p.toml:2:11: [filesystem].on_exit expected a string, got integer");
	CHECK_CONTAINS(load_error("[limits]\nmemory = 1.5\n"), "/p.toml:2:");
	CHECK_CONTAINS(load_error("[program]\nenv = { A = 1 }\n"),
		       "[program].env expected a table of strings");
	CHECK_STR(load_error("# nothing\n"), "(loaded)");
}

TEST(profile_names_and_lookup)
{
	struct cli_err e;
	struct profile p;
	CHECK(profile_name_ok("python-3.11_x"));
	CHECK(!profile_name_ok("../etc"));
	CHECK(!profile_name_ok(".hidden"));
	CHECK(!profile_name_ok("a/b"));
	CHECK(!profile_name_ok(""));
	CHECK_EQ(profile_load("../x", NULL, &p, &e), -1);
	CHECK_CONTAINS(e.msg, "invalid profile name '../x'");
	setenv("XDG_CONFIG_HOME", th_tmpdir(), 1);
	CHECK_EQ(profile_load("no-such-profile", NULL, &p, &e), -1);
	CHECK_CONTAINS(e.msg, "profile 'no-such-profile' not found (looked in ");
	/* the user's own is found first */
	char dir[600], path[700];
	snprintf(dir, sizeof(dir), "%s/sandlock", th_tmpdir());
	CHECK(mkdir(dir, 0700) == 0);
	snprintf(dir, sizeof(dir), "%s/sandlock/profiles", th_tmpdir());
	CHECK(mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/mine.toml", dir);
	FILE *f = fopen(path, "w");
	fputs("[limits]\nprocesses = 3\n", f);
	fclose(f);
	CHECK_EQ(profile_load("mine", NULL, &p, &e), 0);
	CHECK_STR(p.argv[0], "--max-processes=3");
	profile_free(&p);
}

/* [determinism] time_start: RFC 3339 or epoch seconds as a string, the
 * flag's checks, and rendered back (inspect --toml) as RFC 3339. */
TEST(profile_time_start_round_trip)
{
	struct cli_err e;
	struct profile p;
	const char *path =
	    write_profile("[determinism]\ntime_start = \"2000-06-15T02:00:00+02:00\"\n");
	CHECK_EQ(profile_load(NULL, path, &p, &e), 0);
	CHECK_STR(flags_of(&p), "--time-start=2000-06-15T02:00:00+02:00");
	struct run_opts o;
	const char *cli[] = {"--", "/bin/date"};
	CHECK_EQ(run_opts_parse_layered(&o, p.argc, (const char *const *)p.argv, 2, cli, &e),
		 RUN_PARSE_OK);
	CHECK_EQ(o.time_start.v, 961027200);
	char *toml = profile_render(&o);
	CHECK(toml != NULL);
	CHECK_CONTAINS(toml, "time_start = \"2000-06-15T00:00:00Z\"");
	free(toml);
	run_opts_free(&o);
	profile_free(&p);
	path = write_profile("[determinism]\ntime_start = \"yesterday\"\n");
	CHECK_EQ(profile_load(NULL, path, &p, &e), 0);
	CHECK_EQ(run_opts_parse_layered(&o, p.argc, (const char *const *)p.argv, 2, cli, &e),
		 RUN_PARSE_USAGE);
	CHECK_CONTAINS(e.msg, "'yesterday'");
	run_opts_free(&o);
	profile_free(&p);
}
