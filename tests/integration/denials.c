/* SPDX-License-Identifier: Apache-2.0 */
/*
 * denials.c - what the supervisor refused, as events: through the library
 * (sandlock_handle_denials), in `--log-denials FILE` and in the summary a
 * failed `sandlock run` prints.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs argv under p to its end; the denials it made (JSON lines). */
static char *denials_of(const sandlock_sandbox_t *p, const char *const *argv, unsigned argc)
{
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, argc);
	if (!h)
		th_fail(__FILE__, __LINE__, "create: %s", sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	sandlock_result_free(sandlock_handle_wait(h));
	char *text = sandlock_handle_denials(h);
	CHECK(text != NULL);
	char *copy = tc_fmt("%s", text);
	sandlock_string_free(text);
	sandlock_handle_free(h);
	return copy;
}

/* A chmod outside the writable trees: one event naming the call, the
 * path as given, the executable (the kernel's, not a name the process
 * gives itself), EACCES and the flag that would allow it; a chmod inside
 * them: none. */
TEST(denials_path_refusal_recorded)
{
	char *dir = tc_mkdir("den"), *ro = tc_mkdir("den-ro");
	char *in = tc_path(dir, "f"), *out = tc_path(ro, "f");
	tc_write_file(in, "x", 0644);
	tc_write_file(out, "x", 0644);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(
	    sandlock_sandbox_builder_fs_write(tc_builder_sys(), dir), ro));
	const char *ok[] = {"/bin/chmod", "600", in, NULL};
	CHECK_STR(denials_of(p, ok, 3), "");
	const char *no[] = {"/bin/chmod", "600", out, NULL};
	char *d = denials_of(p, no, 3);
	CHECK_EQ(tc_nlines(d), 1);
	CHECK_CONTAINS(d, "\"syscall\":\"fchmodat");
	CHECK_CONTAINS(d, "\"errno\":\"EACCES\"");
	CHECK_CONTAINS(d, tc_fmt("\"target\":\"%s\"", out));
	CHECK_CONTAINS(d, "not under any -w tree (--fs-write)");
	CHECK_CONTAINS(d, "\"exe\":\"/usr/bin/chmod\"");
	CHECK_CONTAINS(d, "\"time_ms\":");
	struct stat st;
	CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0644);
}

/* A connect the network policy refuses: the address and port, and the
 * lists that decide. */
TEST(denials_network_refusal_recorded)
{
	uint16_t allowed = tc_free_port(), other = tc_free_port();
	while (other == allowed)
		other = tc_free_port();
	sandlock_sandbox_t *p = tc_build(
	    sandlock_sandbox_builder_net_allow(tc_builder(), tc_fmt("127.0.0.1:%u", allowed)));
	const char *argv[] = {tc_probe(), "tcp-connect", tc_itoa(other), NULL};
	char *d = denials_of(p, argv, 3);
	CHECK_EQ(tc_nlines(d), 1);
	CHECK_CONTAINS(d, "\"syscall\":\"connect\"");
	CHECK_CONTAINS(d, "\"errno\":\"ECONNREFUSED\"");
	CHECK_CONTAINS(d, tc_fmt("\"target\":\"127.0.0.1:%u\"", other));
	CHECK_CONTAINS(d, "--net-allow");
}

/* A fork over max_processes: the limit and its flag. */
TEST(denials_process_limit_recorded)
{
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_max_processes(tc_builder(), 1));
	const char *argv[] = {tc_probe(), "fork", NULL};
	char *d = denials_of(p, argv, 2);
	CHECK(tc_nlines(d) >= 1);
	CHECK_CONTAINS(d, "\"errno\":\"EAGAIN\"");
	CHECK_CONTAINS(d, "max_processes 1 (-P, --max-processes)");
}

/* The CLI: a failed command is followed by the refusals that may explain
 * it, and --log-denials writes each as a JSON line (whatever the status). */
TEST(denials_cli_summary_and_log)
{
	char *ro = tc_mkdir("den-cli"), *f = tc_path(ro, "f"), *log = tc_path(ro, "log.jsonl");
	tc_write_file(f, "x", 0644);
	char *out, *err;
	int rc =
	    tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin", "-r",
		       "/etc", "-r", ro, "--log-denials", log, "--", "/bin/chmod", "600", f, NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: fchmodat %s (write: not under any -w tree "
				   "(--fs-write))",
				   f));
	char *text = tc_read_file(log);
	CHECK(text != NULL);
	CHECK_EQ(tc_nlines(text), 1);
	CHECK_CONTAINS(text, tc_fmt("\"target\":\"%s\"", f));
	/* valid JSON, line by line */
	char *check = tc_fmt("import json,sys\nfor l in open(sys.argv[1]): json.loads(l)\n");
	char *const argv[] = {"/usr/bin/python3", "-c", check, log, NULL};
	int st = th_run(argv, NULL, &out, &err);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* a command that succeeds prints none */
	rc = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin", "-r",
			ro, "--", "/bin/sh", "-c", tc_fmt("chmod 600 %s; exit 0", f), NULL);
	CHECK_EQ(rc, 0);
	CHECK(strstr(err, "sandlock: denied") == NULL);
}

/* A command that cannot be executed says which file no grant reaches
 * (the program, its loader, a script's interpreter) and the flag that
 * would grant it. */
TEST(denials_exec_failure_names_the_missing_grant)
{
	char *out, *err;
	CHECK_EQ(tc_cli_run(&out, &err, "--", "/bin/echo", "hi", NULL), 127);
	CHECK_CONTAINS(err, "/bin/echo: Permission denied: /usr/bin/echo is not under any -r tree "
			    "(add -r /usr/bin)");
	/* a first run with no grant at all is pointed to the built-in profile */
	CHECK_CONTAINS(err, "sandlock: nothing is readable without -r or a profile; the built-in "
			    "one: sandlock run -p default -- /bin/echo");
	CHECK_EQ(tc_cli_run(&out, &err, "-r", "/usr/bin", "--", "/bin/echo", "hi", NULL), 127);
	CHECK_CONTAINS(err, "/bin/echo: Permission denied: it needs /");
	CHECK_CONTAINS(err, ", which is not under any -r tree (add -r /");
	char *dir = tc_mkdir("den-exec"), *script = tc_path(dir, "s.sh");
	tc_write_file(script, "#!/usr/bin/python3\nprint(1)\n", 0755);
	CHECK_EQ(tc_cli_run(&out, &err, "-r", dir, "--", script, NULL), 127);
	CHECK_CONTAINS(err, "it needs /usr/bin/python3");
	CHECK_CONTAINS(err, "(add -r /usr/bin)");
}

/* Landlock's own refusals, explained (--explain): an open outside the
 * read trees, a file made and a name removed outside the write trees,
 * each with the grant that would allow it; what the grants allow (and a
 * path that does not exist) makes no event. */
TEST(denials_explain_landlock_refusals)
{
	char *ro = tc_mkdir("den-ex"), *secret = tc_mkdir("den-ex-secret");
	char *f = tc_path(ro, "f"), *s = tc_path(secret, "s"), *log = tc_path(ro, "log.jsonl");
	tc_write_file(f, "ok\n", 0644);
	tc_write_file(s, "s3cret\n", 0644);
	char *script = tc_fmt("cat %s; cat %s/missing; cat %s; echo x > %s/new; rm -f %s; exit 3",
			      f, ro, s, ro, f);
	char *out, *err;
	int rc = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin",
			    "-r", "/etc", "-r", ro, "--explain", "--log-denials", log, "--",
			    "/bin/sh", "-c", script, NULL);
	CHECK_EQ(rc, 3);
	CHECK_STR(out, "ok\n");
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: openat %s (read: not under any -r or -w "
				   "tree (-r %s would allow it))",
				   s, s));
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: openat %s/new (write: not under any -w "
				   "tree (-w %s would allow it))",
				   ro, ro));
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: unlinkat %s (write: not under any -w tree "
				   "(-w %s would allow it))",
				   f, ro));
	char *text = tc_read_file(log);
	CHECK_EQ(tc_nlines(text), 3);
	CHECK_CONTAINS(text, "\"source\":\"explain\"");
	CHECK_CONTAINS(text, "\"exe\":\"/usr/bin/cat\"");
	CHECK(strstr(text, "missing") == NULL);
	CHECK_CONTAINS(
	    text, tc_fmt("\"syscall\":\"unlinkat\",\"errno\":\"EACCES\",\"target\":\"%s\"", f));
	/* the refusals were the kernel's: the file is still there */
	CHECK(access(f, F_OK) == 0);
}

/* Without --explain, Landlock's refusals cost nothing and are not
 * reported: the supervisor never saw them. */
TEST(denials_explain_off_by_default)
{
	char *secret = tc_mkdir("den-ex-off"), *s = tc_path(secret, "s");
	tc_write_file(s, "s3cret\n", 0644);
	char *out, *err;
	int rc = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin",
			    "--", "/bin/cat", s, NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, "Permission denied");
	CHECK(strstr(err, "sandlock: denied") == NULL);
}

/* A process that lies about what it opens (a second thread rewrites the
 * path after the first read) can make up events about itself, never
 * escape: the kernel refuses the open whatever the report says. */
TEST(denials_explain_cannot_be_used_to_escape)
{
	char *ro = tc_mkdir("den-ex-race"), *secret = tc_mkdir("den-ex-race-s");
	char *f = tc_path(ro, "f"), *s = tc_path(secret, "s");
	tc_write_file(f, "ok\n", 0644);
	tc_write_file(s, "s3cret\n", 0644);
	char *code =
	    tc_fmt("import threading, ctypes, os\n"
		   "libc = ctypes.CDLL(None, use_errno=True)\n"
		   "a, b = b'%s\\0', b'%s\\0'\n"
		   "buf = ctypes.create_string_buffer(max(len(a), len(b)) + 1)\n"
		   "stop = False\n"
		   "def flip():\n"
		   "    while not stop:\n"
		   "        ctypes.memmove(buf, a, len(a)); ctypes.memmove(buf, b, len(b))\n"
		   "t = threading.Thread(target=flip); t.start()\n"
		   "got = 0\n"
		   "for i in range(3000):\n"
		   "    fd = libc.open(buf, os.O_RDONLY)\n"
		   "    if fd >= 0:\n"
		   "        if os.read(fd, 6) == b's3cret': got += 1\n"
		   "        os.close(fd)\n"
		   "stop = True; t.join()\n"
		   "print('leaked', got)\n",
		   f, s);
	char *out, *err;
	int rc =
	    tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin", "-r",
		       "/etc", "-r", ro, "--explain", "--", "/usr/bin/python3", "-c", code, NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "leaked 0\n");
}

/* Sets audit's enabled flag (AUDIT_SET); the previous value in *was.
 * -errno when the caller may not (CAP_AUDIT_CONTROL). */
static int audit_set(uint32_t on, uint32_t *was)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	struct {
		struct nlmsghdr h;
		struct audit_status st;
	} req = {.h = {.nlmsg_len = NLMSG_LENGTH(0),
		       .nlmsg_type = AUDIT_GET,
		       .nlmsg_flags = NLM_F_REQUEST}};
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int r = send(fd, &req, req.h.nlmsg_len, 0) < 0 ? -errno : -EPROTO;
	ssize_t n = r == -EPROTO ? recv(fd, buf, sizeof(buf), 0) : -1;
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	if (n >= (ssize_t)NLMSG_LENGTH(8) && h->nlmsg_type == AUDIT_GET) {
		*was = ((const struct audit_status *)NLMSG_DATA(h))->enabled;
		req.h = (struct nlmsghdr){.nlmsg_len = sizeof(req),
					  .nlmsg_type = AUDIT_SET,
					  .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK};
		req.st = (struct audit_status){.mask = AUDIT_STATUS_ENABLED, .enabled = on};
		r = send(fd, &req, sizeof(req), 0) < 0 ? -errno : 0;
		n = r == 0 ? recv(fd, buf, sizeof(buf), 0) : -1;
		if (n > 0 && h->nlmsg_type == NLMSG_ERROR)
			r = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
	} else if (n > 0 && h->nlmsg_type == NLMSG_ERROR) {
		r = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	close(fd);
	return r;
}

/* Where the kernel's audit records can be read (root on the host, audit
 * enabled for the test and restored after), Landlock's refusals come from
 * them: each names the object the kernel resolved, the rights it refused
 * and the grant that would allow them; a supervisor round trip per open
 * is not needed. */
TEST(denials_explain_from_kernel_audit)
{
	uint32_t was = 0;
	int r = audit_set(1, &was);
	if (r < 0)
		SKIP("audit cannot be enabled here (%s): needs CAP_AUDIT_CONTROL", strerror(-r));
	char *ro = tc_mkdir("den-audit"), *secret = tc_mkdir("den-audit-s");
	char *s = tc_path(secret, "s"), *log = tc_path(ro, "log.jsonl");
	tc_write_file(s, "s3cret\n", 0644);
	char *out, *err;
	int rc = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin",
			    "-r", "/etc", "-r", ro, "--log-denials", log, "--", "/bin/sh", "-c",
			    tc_fmt("cat %s; mkdir %s/d; exit 3", s, ro), NULL);
	uint32_t ignored;
	audit_set(was, &ignored);
	CHECK_EQ(rc, 3);
	char *text = tc_read_file(log);
	CHECK_CONTAINS(text, "\"source\":\"audit\"");
	CHECK(strstr(text, "\"source\":\"explain\"") == NULL);
	CHECK_CONTAINS(text, tc_fmt("\"target\":\"%s\",\"rule\":\"fs.read_file: not under any -r "
				    "or -w tree (-r %s would allow it)\"",
				    s, s));
	CHECK_CONTAINS(text, tc_fmt("\"syscall\":\"create\",\"errno\":\"EACCES\",\"target\":\"%s\","
				    "\"rule\":\"fs.make_dir: not under any -w tree (-w %s would "
				    "allow it)\"",
				    ro, ro));
}

/* The command is the process that made the sandbox's domain, and with
 * the same pid it can make a domain of its own after its exec: its
 * refusals are not the sandbox's, and they must not make the sandbox's
 * own refusals go unreported (the domain is told by the program that
 * made it, too). */
TEST(denials_audit_nested_domain_not_taken_for_the_sandbox)
{
	uint32_t was = 0;
	int r = audit_set(1, &was);
	if (r < 0)
		SKIP("audit cannot be enabled here (%s): needs CAP_AUDIT_CONTROL", strerror(-r));
	char *ro = tc_mkdir("den-nest"), *f = tc_path(ro, "f"), *log = tc_path(ro, "log.jsonl");
	tc_write_file(f, "x\n", 0644);
	char *out, *err;
	/* the probe: static, it opens nothing on its way to main */
	int rc = tc_cli_run(&out, &err, "-r", ro, "-r", tc_probe(), "--log-denials", log, "--",
			    tc_probe(), "landlock-nest", f, ro, NULL);
	uint32_t ignored;
	audit_set(was, &ignored);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "nested=EACCES mkdir=EACCES\n");
	char *text = tc_read_file(log);
	CHECK_CONTAINS(text, tc_fmt("\"target\":\"%s\",\"rule\":\"fs.make_dir", ro));
	CHECK(strstr(text, tc_fmt("\"target\":\"%s\"", f)) == NULL);
}

/* The summary prints what the sandboxed process named: a path with a
 * terminal's escape sequence or a line break reaches the user's terminal
 * as text, never as a sequence the terminal acts on nor as a line of
 * sandlock's own. */
TEST(denials_summary_shows_no_control_bytes)
{
	char *dir = tc_mkdir("den-esc");
	const char *names[] = {"x\x1b]0;owned\a\x1b[2J", "y\nsandlock: fake line",
			       "z\xc2\x9b"
			       "31m"};
	for (size_t i = 0; i < 3; i++)
		tc_write_file(tc_path(dir, names[i]), "x\n", 0644);
	char *code = tc_fmt("import sys\n"
			    "for n in [b'x\\x1b]0;owned\\a\\x1b[2J', b'y\\nsandlock: fake line',\n"
			    "          b'z\\xc2\\x9b31m']:\n"
			    "    try: open(b'%s/' + n)\n"
			    "    except OSError: pass\n"
			    "sys.exit(1)\n",
			    dir);
	char *out, *err;
	int rc = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin",
			    "-r", "/etc", "--explain", "--", "/usr/bin/python3", "-c", code, NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: openat %s/x?]0;owned??[2J", dir));
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: openat %s/y?sandlock: fake line", dir));
	CHECK(strchr(err, '\x1b') == NULL && strchr(err, '\a') == NULL);
	CHECK(strstr(err, "\nsandlock: fake line") == NULL);
	CHECK(strstr(err, "\xc2\x9b") == NULL);
}

/* The grant --explain suggests names what the call reached, not the path
 * the process gave: a symlink it plants in a tree it may write would
 * otherwise make "-w WORK/link" read as a grant inside that tree, while
 * Landlock, following the link, would grant the tree it points to.  A
 * path whose lookup fails was never Landlock's to refuse (the kernel
 * says ENOENT): no event. */
TEST(denials_explain_suggests_the_object_not_the_link)
{
	char *w = tc_mkdir("den-link"), *secret = tc_mkdir("den-link-s");
	char *s = tc_path(secret, "s"), *l = tc_path(w, "l"), *log = tc_path(w, "log.jsonl");
	tc_write_file(s, "s3cret\n", 0644);
	CHECK_EQ(symlink(secret, l), 0);
	char *script = tc_fmt("cat %s/s; echo x > %s/new; cat %s/missing/x; exit 3", l, l, secret);
	char *out, *err;
	int rc = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin",
			    "-r", "/etc", "-w", w, "--explain", "--log-denials", log, "--",
			    "/bin/sh", "-c", script, NULL);
	CHECK_EQ(rc, 3);
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: openat %s/s (read: not under any -r or -w "
				   "tree (-r %s would allow it))",
				   l, s));
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: openat %s/new (write: not under any -w "
				   "tree (-w %s would allow it))",
				   l, secret));
	CHECK(strstr(err, tc_fmt("-w %s would", l)) == NULL);
	CHECK(strstr(err, tc_fmt("-r %s/s would", l)) == NULL);
	CHECK(strstr(tc_read_file(log), "missing") == NULL);
}

/* A process that makes hundreds of refusals first cannot push the
 * refusals nearest the failure out of what is kept: the summary still
 * shows the last one, and counts every refusal, not only those kept. */
TEST(denials_flood_keeps_the_last_refusals)
{
	char *secret = tc_mkdir("den-flood"), *s = tc_path(secret, "last");
	tc_write_file(s, "x\n", 0644);
	char *code = tc_fmt("import sys\n"
			    "for i in range(2000):\n"
			    "    try: open('%s')\n"
			    "    except OSError: pass\n"
			    "try: open('%s')\n"
			    "except OSError: pass\n"
			    "sys.exit(1)\n",
			    secret, s);
	char *out, *err;
	int rc = tc_cli_run(&out, &err, "-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin",
			    "-r", "/etc", "--explain", "--", "/usr/bin/python3", "-c", code, NULL);
	CHECK_EQ(rc, 1);
	CHECK_CONTAINS(err, tc_fmt("sandlock: denied: openat %s (", s));
	const char *p = strstr(err, " denials in all");
	CHECK(p != NULL);
	while (p > err && p[-1] >= '0' && p[-1] <= '9')
		p--;
	CHECK(strtoll(p, NULL, 10) >= 2001);
}

/* The environment a Python host of the library runs in: a sanitized build's
 * library needs its sanitizer's runtime loaded before anything else, and
 * python is not linked with it: preloaded, from where this test's own
 * process found it.  NULL (inherit) otherwise. */
static char **host_env(void)
{
#if defined(__SANITIZE_ADDRESS__)
	char *maps = tc_read_file("/proc/self/maps"), *lib = NULL;
	for (char *l = maps ? strtok(maps, "\n") : NULL; l && !lib; l = strtok(NULL, "\n")) {
		char *path = strchr(l, '/');
		if (path && strstr(path, "/libasan.so"))
			lib = path;
	}
	CHECK(lib != NULL);
	extern char **environ;
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof(*env));
	CHECK(env != NULL);
	memcpy(env, environ, n * sizeof(*env));
	env[n] = tc_fmt("LD_PRELOAD=%s", lib);
	return env;
#else
	return NULL;
#endif
}

/* A host whose program is the command's too (a Python program using the
 * library to run python3): the command, with the sandbox's pid and that
 * program, makes a domain of its own before any refusal of the sandbox's
 * is logged.  Its record must not be taken for the sandbox's domain:
 * its refusals would be reported as the sandbox's (a file the sandbox
 * grants, "-r FILE would allow it") and the sandbox's own hidden.  The
 * domains the command makes log nothing (LOG_SUBDOMAINS_OFF). */
TEST(denials_audit_same_program_nested_domain_not_taken)
{
	uint32_t was = 0;
	int r = audit_set(1, &was);
	if (r < 0)
		SKIP("audit cannot be enabled here (%s): needs CAP_AUDIT_CONTROL", strerror(-r));
	char *ro = tc_mkdir("den-same"), *f = tc_path(ro, "f"), *host = tc_path(ro, "host.py");
	tc_write_file(f, "x\n", 0644);
	const char *cli = tc_cli();
	char *lib = tc_fmt("%.*slibsandlock.so", (int)(strlen(cli) - strlen("sandlock")), cli);
	tc_write_file(
	    host,
	    tc_fmt(
		"import ctypes, os, sys\n"
		"L = ctypes.CDLL(%s)\n"
		"vp = ctypes.c_void_p\n"
		"for n, a in [('sandlock_sandbox_builder_new', []),\n"
		"             ('sandlock_sandbox_builder_fs_read', [vp, ctypes.c_char_p]),\n"
		"             ('sandlock_sandbox_builder_explain_denials', [vp, ctypes.c_bool]),\n"
		"             ('sandlock_sandbox_build', [vp, vp, vp]),\n"
		"             ('sandlock_create', [vp, vp, vp, ctypes.c_uint]),\n"
		"             ('sandlock_start', [vp]), ('sandlock_handle_wait', [vp]),\n"
		"             ('sandlock_handle_denials', [vp])]:\n"
		"    getattr(L, n).restype, getattr(L, n).argtypes = vp, a\n"
		"os.chdir('%s')\n"
		"b = L.sandlock_sandbox_builder_new()\n"
		"for p in [b'/usr', b'/lib', b'/lib64', b'/bin', b'/etc', b'%s']:\n"
		"    b = L.sandlock_sandbox_builder_fs_read(b, p)\n"
		"b = L.sandlock_sandbox_builder_explain_denials(b, True)\n"
		"pol = L.sandlock_sandbox_build(b, None, None)\n"
		"code = b'''import ctypes, struct, os\n"
		"libc = ctypes.CDLL(None)\n"
		"attr = ctypes.create_string_buffer(struct.pack('Q', 4))\n"
		"assert libc.syscall(446, libc.syscall(444, attr, 8, 0), 0) == 0\n"
		"try: open('%s')\n"
		"except OSError: pass\n"
		"try: os.mkdir('%s/d')\n"
		"except OSError: pass\n"
		"'''\n"
		"argv = (ctypes.c_char_p * 4)(b'/usr/bin/python3', b'-c', code, None)\n"
		"h = L.sandlock_create(pol, None, argv, 3)\n"
		"L.sandlock_start(h)\n"
		"L.sandlock_handle_wait(h)\n"
		"sys.stdout.write(ctypes.string_at(L.sandlock_handle_denials(h)).decode())\n",
		tc_fmt("'%s'", lib), ro, ro, f, ro),
	    0644);
	char *out, *err;
	char *const argv[] = {"/usr/bin/python3", host, NULL};
	int st = th_run(argv, host_env(), &out, &err);
	uint32_t ignored;
	audit_set(was, &ignored);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_CONTAINS(out, tc_fmt("\"target\":\"%s\",\"rule\":\"fs.make_dir", ro));
	CHECK(strstr(out, tc_fmt("\"target\":\"%s\"", f)) == NULL);
}
