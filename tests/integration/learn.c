/* SPDX-License-Identifier: Apache-2.0 */
/*
 * learn.c - `sandlock learn`: the profile a trial run yields lets the
 * same run pass and refuses what it did not do; sensitive paths stay
 * exact; destinations and bound ports are learned.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PY TC_PYTHON

static int cli_argv(char **out, char **err, char *const *env, const char *const *argv)
{
	int st = th_run((char *const *)argv, env, out, err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A script that reads a config and writes an output directory: learned,
 * it passes under the profile; the same script reading one more file is
 * refused (EACCES) under it. */
TEST(learn_script_profile_passes_and_refuses_more)
{
	tc_need_python();
	char *dir = tc_mkdir("learn"), *conf = tc_path(dir, "conf"), *outd = tc_path(dir, "out");
	CHECK(mkdir(conf, 0755) == 0 && mkdir(outd, 0755) == 0);
	tc_write_file(tc_path(conf, "app.ini"), "x=1\n", 0644);
	tc_write_file(tc_path(dir, "secret.txt"), "s3cret\n", 0644);
	char *app = tc_path(dir, "app.py");
	tc_write_file(app,
		      tc_fmt("import sys\n"
			     "cfg = open('%s/app.ini').read()\n"
			     "open('%s/result.txt', 'w').write(cfg.upper())\n"
			     "if len(sys.argv) > 1: print(open(sys.argv[1]).read())\n"
			     "print('done')\n",
			     conf, outd),
		      0644);
	char *prof = tc_path(dir, "learned.toml"), *out, *err;
	/* depth 4: the test's files are in /tmp/sl-test-X/learn */
	const char *learn[] = {tc_cli(), "learn", "-o", prof, "--collapse",
			       "4",	 "--",	  PY,	app,  NULL};
	CHECK_EQ(cli_argv(&out, &err, NULL, learn), 0);
	CHECK_STR(out, "done\n");
	CHECK_CONTAINS(err, "sandlock: learned ");
	char *text = tc_read_file(prof);
	CHECK_CONTAINS(text, tc_fmt("\"%s\"", app));
	CHECK_CONTAINS(text, tc_fmt("\"%s\"", conf)); /* collapsed to the directory */
	CHECK_CONTAINS(text, tc_fmt("write = [\n    \"%s\",\n]", outd));
	CHECK(strstr(text, tc_fmt("\"%s\"", dir)) == NULL); /* not the whole tree */
	unlink(tc_path(outd, "result.txt"));
	int rc = tc_cli_run(&out, &err, "--profile-file", prof, "--", PY, app, NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "done\n");
	CHECK_STR(tc_read_file(tc_path(outd, "result.txt")), "X=1\n");
	rc = tc_cli_run(&out, &err, "--profile-file", prof, "--", PY, app,
			tc_path(dir, "secret.txt"), NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "PermissionError");
	CHECK(strstr(out, "s3cret") == NULL);
	/* and explained, with the grant that would allow it */
	rc = tc_cli_run(&out, &err, "--profile-file", prof, "--explain", "--", PY, app,
			tc_path(dir, "secret.txt"), NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: openat %s/secret.txt (read: not under any "
				   "-r or -w tree (-r %s/secret.txt would allow it))",
				   dir, dir));
}

/* A file under ~/.ssh is granted as itself, never its directory nor a
 * tree that holds it; a listing of the home is not granted at all. */
TEST(learn_sensitive_paths_stay_exact)
{
	tc_need_python();
	char *home = tc_mkdir("learn-home"), *ssh = tc_path(home, ".ssh");
	CHECK(mkdir(ssh, 0700) == 0);
	char *known = tc_path(ssh, "known_hosts");
	tc_write_file(known, "h\n", 0600);
	tc_write_file(tc_path(ssh, "id_ed25519"), "KEY\n", 0600);
	char *prof = tc_path(home, "p.toml"), *out, *err;
	char *env[] = {tc_fmt("HOME=%s", home), "PATH=/usr/bin:/bin", NULL};
	char *code =
	    tc_fmt("import os; open('%s').read(); os.listdir('%s'); print('ok')", known, home);
	const char *learn[] = {tc_cli(), "learn", "-o", prof, "--collapse", "1",
			       "--",	 PY,	  "-c", code, NULL};
	CHECK_EQ(cli_argv(&out, &err, env, learn), 0);
	CHECK_CONTAINS(err, tc_fmt("not granted: %s (it holds sensitive paths)", home));
	char *text = tc_read_file(prof);
	CHECK_CONTAINS(text, tc_fmt("\"%s\"", known));
	CHECK(strstr(text, tc_fmt("\"%s\"", ssh)) == NULL);
	CHECK(strstr(text, tc_fmt("\"%s\"", home)) == NULL);
	/* forced, the collapse goes through */
	const char *forced[] = {
	    tc_cli(), "learn", "-o", prof, "--collapse", "1", "--force-sensitive-collapse",
	    "--",     PY,      "-c", code, NULL};
	CHECK_EQ(cli_argv(&out, &err, env, forced), 0);
	text = tc_read_file(prof);
	CHECK(strstr(text, tc_fmt("\"%s\"", known)) == NULL);
}

/* A TCP destination and a bound port are learned, and the profile's
 * rules let the same run pass. */
TEST(learn_network_destination_and_bind)
{
	tc_need_python();
	uint16_t port;
	int srv = tc_tcp_listener(&port);
	uint16_t bport = tc_free_port();
	char *dir = tc_mkdir("learn-net"), *prof = tc_path(dir, "p.toml"), *out, *err;
	char *code = tc_fmt("import socket\n"
			    "c = socket.create_connection(('127.0.0.1', %u)); c.close()\n"
			    "b = socket.socket(); b.bind(('127.0.0.1', %u)); b.close()\n"
			    "print('ok')\n",
			    port, bport);
	const char *learn[] = {tc_cli(), "learn", "-o", prof, "--", PY, "-c", code, NULL};
	CHECK_EQ(cli_argv(&out, &err, NULL, learn), 0);
	char *text = tc_read_file(prof);
	CHECK_CONTAINS(text, tc_fmt("\"127.0.0.1:%u\"", port));
	CHECK_CONTAINS(text, tc_fmt("bind = [%u]", bport));
	int rc = tc_cli_run(&out, &err, "--profile-file", prof, "--", PY, "-c", code, NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "ok\n");
	close(srv);
}

/* The processes and the memory the trial run held at most become limits
 * with headroom: the same run passes under them, one that takes ten times
 * the memory is stopped. */
TEST(learn_limits_with_headroom)
{
	tc_need_python();
	char *dir = tc_mkdir("learn-lim"), *prof = tc_path(dir, "p.toml"), *out, *err;
	char *code = tc_fmt("import os, sys\n"
			    "n = int(sys.argv[1])\n"
			    "x = bytearray(n << 20)\n"
			    "pids = [os.fork() for _ in range(1)]\n"
			    "if pids[0] == 0: os._exit(0)\n"
			    "os.waitpid(pids[0], 0)\n"
			    "print('ok')\n");
	const char *learn[] = {tc_cli(), "learn", "-o", prof, "--", PY, "-c", code, "40", NULL};
	CHECK_EQ(cli_argv(&out, &err, NULL, learn), 0);
	CHECK_STR(out, "ok\n");
	char *text = tc_read_file(prof);
	CHECK_CONTAINS(text, "\n[limits]\nprocesses = ");
	const char *m = strstr(text, "memory = \"");
	CHECK(m != NULL);
	long mib = strtol(m + 10, NULL, 10);
	CHECK(mib >= 80 && mib < 400); /* twice the 40 MiB the run charged, at least */
	int rc = tc_cli_run(&out, &err, "--profile-file", prof, "--", PY, "-c", code, "40", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "ok\n");
	rc = tc_cli_run(&out, &err, "--profile-file", prof, "--", PY, "-c", code, "400", NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "MemoryError");
	CHECK_CONTAINS(err, "(-m, --max-memory)");
}

/* A destination reached by a name the run looked up (its DNS query, sent
 * on a connected socket or to port 53) is learned as that name: the
 * rule then follows the name, resolved when the sandbox starts. */
TEST(learn_destination_by_name)
{
	tc_need_python();
	uint16_t port;
	int srv = tc_tcp_listener(&port);
	char *dir = tc_mkdir("learn-dns"), *prof = tc_path(dir, "p.toml"), *out, *err;
	char *code = tc_fmt("import socket, struct\n"
			    "q = struct.pack('>HHHHHH', 7, 0x0100, 1, 0, 0, 0)\n"
			    "q += b'\\x09LocalHost\\x00' + struct.pack('>HH', 1, 1)\n"
			    "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
			    "u.connect(('127.0.0.1', 53)); u.send(q)\n"
			    "c = socket.create_connection(('127.0.0.1', %u)); c.close()\n"
			    "print('ok')\n",
			    port);
	const char *learn[] = {tc_cli(), "learn", "-o", prof, "--", PY, "-c", code, NULL};
	CHECK_EQ(cli_argv(&out, &err, NULL, learn), 0);
	CHECK_STR(out, "ok\n");
	char *text = tc_read_file(prof);
	CHECK_CONTAINS(text, tc_fmt("\"localhost:%u\"", port));
	CHECK(strstr(text, tc_fmt("\"127.0.0.1:%u\"", port)) == NULL);
	int rc = tc_cli_run(&out, &err, "--profile-file", prof, "--", PY, "-c", code, NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "ok\n");
	close(srv);
}

/* A trial that looks up hundreds of names and reaches tens of
 * destinations: each name is resolved once, the first LEARN_NAMES_MAX of
 * them, so learn ends in seconds (a lookup per name and destination held
 * it for minutes), and the name it looked up first still names its
 * destination. */
TEST(learn_many_names_end_quickly)
{
	tc_need_python();
	uint16_t port;
	int srv = tc_tcp_listener(&port);
	char *dir = tc_mkdir("learn-dns-many"), *prof = tc_path(dir, "p.toml"), *out, *err;
	char *code =
	    tc_fmt("import socket, struct\n"
		   "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
		   "def ask(labels):\n"
		   "    q = struct.pack('>HHHHHH', 7, 0x0100, 1, 0, 0, 0)\n"
		   "    for l in labels: q += bytes([len(l)]) + l\n"
		   "    u.sendto(q + b'\\x00' + struct.pack('>HH', 1, 1), ('127.0.0.1', 53))\n"
		   "ask([b'localhost'])\n"
		   "for i in range(300): ask([b'n%%d' %% i, b'invalid'])\n"
		   "for p in range(1, 31):\n"
		   "    try: socket.create_connection(('127.0.0.1', p), timeout=0.2).close()\n"
		   "    except OSError: pass\n"
		   "socket.create_connection(('127.0.0.1', %u)).close()\n"
		   "print('ok')\n",
		   port);
	const char *learn[] = {tc_cli(), "learn", "-o", prof, "--", PY, "-c", code, NULL};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(cli_argv(&out, &err, NULL, learn), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_STR(out, "ok\n");
	CHECK(t1.tv_sec - t0.tv_sec < 60);
	CHECK_CONTAINS(tc_read_file(prof), tc_fmt("\"localhost:%u\"", port));
	close(srv);
}
