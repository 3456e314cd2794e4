/* SPDX-License-Identifier: Apache-2.0 */
/*
 * running.c - running sandboxes by name: the runtime directory, the
 * control socket, sandlock ps / inspect / kill / pause / resume, and
 * what a sandbox, another user or a squatter can do to them.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* A name of this test process's own (the root and user passes run
 * apart, but a name left by a crashed run must not collide). */
static char *rname(const char *tag)
{
	return tc_fmt("rt-%s-%d", tag, (int)getpid());
}

/* The runtime directory, from the control socket's path that a running
 * sandbox reports. */
static char *root_dir_of(const char *name)
{
	char *info = sandlock_running_info(name);
	CHECK(info != NULL);
	char *s = strstr(info, "\"socket\":\"");
	CHECK(s != NULL);
	char *path = tc_fmt("%s", s + strlen("\"socket\":\""));
	sandlock_string_free(info);
	*strchr(path, '"') = 0;
	*strrchr(path, '/') = 0; /* NAME */
	*strrchr(path, '/') = 0; /* the root */
	return path;
}

/* A library sandbox registered as name, sleeping. */
static sandlock_handle_t *sleeper(const char *name)
{
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "sleep", "60", NULL};
	sandlock_handle_t *h = sandlock_create_ex(p, name, argv, 3, SANDLOCK_CREATE_CONTROL);
	if (!h)
		th_fail(__FILE__, __LINE__, "create %s: %s", name, sandlock_last_error());
	CHECK_EQ(sandlock_start(h), 0);
	return h;
}

/* `sandlock SUB ARGS...`: its exit status, its output in *out. */
static int cli(char **out, char **err, const char *sub, const char *a1, const char *a2)
{
	char *const argv[] = {(char *)tc_cli(), (char *)sub, (char *)a1, (char *)a2, NULL};
	int st = th_run(argv, NULL, out, err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* `sandlock run --name NAME [--profile-file F] -- probe sleep 60` in the
 * background; returns once its control socket answers. */
static pid_t cli_sleeper(const char *name, const char *profile)
{
	const char *argv[16];
	int n = 0;
	argv[n++] = tc_cli();
	argv[n++] = "run";
	argv[n++] = "--name";
	argv[n++] = name;
	if (profile) { /* which grants the probe */
		argv[n++] = "--profile-file";
		argv[n++] = profile;
	} else {
		argv[n++] = "-r";
		argv[n++] = tc_probe_dir();
	}
	argv[n++] = "--";
	argv[n++] = tc_probe();
	argv[n++] = "sleep";
	argv[n++] = "60";
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	CHECK(pid > 0);
	for (int i = 0; i < 1000; i++) {
		char *info = sandlock_running_info(name);
		if (info) {
			sandlock_string_free(info);
			return pid;
		}
		usleep(10 * 1000);
	}
	th_fail(__FILE__, __LINE__, "%s never answered: %s", name, sandlock_last_error());
	return -1;
}

static bool listed(const char *name)
{
	char *list = sandlock_running_list();
	CHECK(list != NULL);
	bool found = strstr(list, tc_fmt("\"name\":\"%s\"", name)) != NULL;
	sandlock_string_free(list);
	return found;
}

/* ---- ps, and forgetting ------------------------------------------------------- */

/* Two running sandboxes are listed (library and CLI), with their pid and
 * command; one that ended, and one whose sandlock was SIGKILLed, are
 * not, and the dead one's name can be taken again. */
TEST(running_ps_lists_two_and_forgets_them)
{
	char *a = rname("a"), *b = rname("b");
	sandlock_handle_t *ha = sleeper(a);
	char *root = root_dir_of(a);
	pid_t cb = cli_sleeper(b, NULL);
	CHECK(listed(a) && listed(b));
	char *out, *err;
	CHECK_EQ(cli(&out, &err, "ps", NULL, NULL), 0);
	CHECK_CONTAINS(out, "NAME");
	CHECK_CONTAINS(out, a);
	CHECK_CONTAINS(out, b);
	CHECK_CONTAINS(out, tc_fmt("%d", sandlock_handle_pid(ha)));
	CHECK_CONTAINS(out, "sleep 60");
	CHECK_EQ(cli(&out, &err, "list", "--json", NULL), 0);
	CHECK_CONTAINS(out, tc_fmt("\"name\":\"%s\"", a));

	CHECK_EQ(sandlock_handle_kill(ha), 0);
	sandlock_result_free(sandlock_handle_wait(ha));
	sandlock_handle_free(ha);
	CHECK(!listed(a));
	CHECK(!tc_exists(tc_path(root, a))); /* removed at the end */

	CHECK_EQ(kill(cb, SIGKILL), 0);
	CHECK_EQ(waitpid(cb, NULL, 0), cb);
	CHECK(!listed(b)); /* its socket refuses: nobody listens */
	CHECK(sandlock_running_info(b) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), "no running sandbox named");
	CHECK_EQ(cli(&out, &err, "kill", b, NULL), 1);
	CHECK_CONTAINS(err, "no running sandbox named");
	/* the stale entry does not block the name */
	int rc = tc_cli_run(&out, &err, "--name", b, "-r", tc_probe_dir(), "--", tc_probe(), "echo",
			    "again", NULL);
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "again\n");
}

/* The entry of a supervisor that died without its end (SIGKILL) is swept
 * by the next listing; an entry whose lock is held (a sandbox between its
 * claim and its listen) stays, and goes once the lock is free. */
TEST(running_stale_entries_swept)
{
	char *a = rname("live"), *b = rname("dead"), *c = rname("locked");
	sandlock_handle_t *ha = sleeper(a);
	char *root = root_dir_of(a);
	pid_t cb = cli_sleeper(b, NULL);
	CHECK_EQ(kill(cb, SIGKILL), 0);
	CHECK_EQ(waitpid(cb, NULL, 0), cb);
	CHECK(tc_exists(tc_path(root, b))); /* left behind */
	char *dir = tc_path(root, c);
	CHECK_EQ(mkdir(dir, 0700), 0);
	int lock = open(tc_path(dir, "lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	CHECK(lock >= 0);
	CHECK_EQ(flock(lock, LOCK_EX | LOCK_NB), 0);
	CHECK(listed(a) && !listed(b) && !listed(c));
	CHECK(!tc_exists(tc_path(root, b))); /* swept */
	CHECK(tc_exists(tc_path(dir, "lock")));
	close(lock);
	CHECK(!listed(c));
	CHECK(!tc_exists(dir));
	CHECK(tc_exists(tc_path(root, a))); /* the live one untouched */
	CHECK_EQ(sandlock_handle_kill(ha), 0);
	sandlock_result_free(sandlock_handle_wait(ha));
	sandlock_handle_free(ha);
}

/* A second live sandbox of a name fails before anything starts, naming
 * the holder; the library says EBUSY. */
TEST(running_same_name_refused)
{
	char *a = rname("dup");
	sandlock_handle_t *h = sleeper(a);
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "echo", "ran", NULL};
	CHECK(sandlock_create_ex(p, a, argv, 3, SANDLOCK_CREATE_CONTROL) == NULL);
	CHECK_CONTAINS(sandlock_last_error(), tc_fmt("a sandbox named '%s' is already running", a));
	CHECK_CONTAINS(sandlock_last_error(), tc_fmt("sandlock pid %d", (int)getpid()));
	char *out, *err;
	int rc = tc_cli_run(&out, &err, "--name", a, "-r", tc_probe_dir(), "--", tc_probe(), "echo",
			    "ran", NULL);
	CHECK_EQ(rc, 1);
	CHECK_STR(out, "");
	CHECK_CONTAINS(err, "already running");
	/* without a control socket, the name is only the hostname */
	struct tc_res r = tc_run(p, a, tc_probe(), "echo", "ran", NULL);
	CHECK_STR(r.out, "ran\n");
	sandlock_handle_free(h);
	CHECK(!listed(a));
}

/* ---- kill, pause, resume ------------------------------------------------------ */

TEST(running_pause_resume_kill_by_name)
{
	char *a = rname("ctl");
	sandlock_handle_t *h = sleeper(a);
	pid_t pid = sandlock_handle_pid(h);
	char *out, *err;
	CHECK_EQ(cli(&out, &err, "pause", a, NULL), 0);
	CHECK_CONTAINS(out, tc_fmt("Paused sandbox '%s' (PID %d)", a, pid));
	if (!tc_wait_state(pid, 'T', true, 10000))
		th_fail(__FILE__, __LINE__, "not stopped: %c", tc_proc_state(pid));
	char *info = sandlock_running_info(a);
	CHECK_CONTAINS(info, "\"state\":\"paused\"");
	sandlock_string_free(info);
	CHECK_EQ(cli(&out, &err, "resume", a, NULL), 0);
	if (!tc_wait_state(pid, 'T', false, 10000))
		th_fail(__FILE__, __LINE__, "still stopped");
	CHECK_EQ(cli(&out, &err, "kill", a, NULL), 0);
	CHECK_CONTAINS(out, tc_fmt("Killed sandbox '%s'", a));
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_EQ(r.status, SANDLOCK_STATUS_KILLED);
	sandlock_handle_free(h);
	CHECK_EQ(sandlock_running_signal(a, "kill"), -1);
	CHECK_EQ(sandlock_running_signal("x", "explode"), -1);
	CHECK_CONTAINS(sandlock_last_error(), "not pause, resume or kill");
	CHECK_EQ(cli(&out, &err, "inspect", "no-such-sandbox", NULL), 1);
	CHECK_CONTAINS(err, "no running sandbox named 'no-such-sandbox'");
	CHECK_EQ(cli(&out, &err, "kill", "../etc", NULL), 1);
}

/* ---- inspect ------------------------------------------------------------------ */

/* Every key a profile can hold today comes back from inspect --toml, and
 * what comes back loads into the same profile again (a fixed point). */
TEST(running_inspect_toml_round_trips)
{
	char *dir = tc_mkdir("insp");
	char *f1 = tc_path(dir, "p1.toml"), *f2 = tc_path(dir, "p2.toml");
	char *wr = tc_path(dir, "w"), *hidden = tc_path(wr, "hidden");
	CHECK(mkdir(wr, 0755) == 0 && mkdir(hidden, 0755) == 0);
	tc_write_file(tc_path(dir, "bundle.pem"), "", 0644);
	tc_write_file(tc_path(dir, "token"), "t0k3n", 0600);
	tc_write_file(
	    f1,
	    tc_fmt("[determinism]\nrandom_seed = 7\ndeterministic_dirs = true\n"
		   "no_randomize_memory = true\n"
		   "[program]\nenv = { A = \"x y\", B = \"q\\\"uote\" }\ncwd = \"%s\"\n"
		   "clean_env = true\nno_coredump = true\nno_huge_pages = true\n"
		   "[filesystem]\nread = [\"/usr\", \"%s\"]\nwrite = [\"%s\"]\ntmp = true\n"
		   "deny = [\"%s\"]\n"
		   "[network]\nallow = [\"127.0.0.1:80\"]\ndeny = [\"10.0.0.0/8:*\"]\n"
		   "bind = [8081]\nallow_bind = [\"9000-9010\"]\ndeny_bind = [\"9005\"]\n"
		   "port_remap = true\n"
		   "[http]\nallow = [\"GET 127.0.0.1/*\"]\nports = [8080]\n"
		   "deny = [\"GET 127.0.0.1/admin/*\"]\nca_out = \"%s/ca.pem\"\n"
		   "inject_ca = [\"%s/bundle.pem\"]\ncredentials = [\"TOKEN=file:%s/token\"]\n"
		   "auth = [\"127.0.0.1=TOKEN\"]\n"
		   "[protections]\nallow_degraded = [\"fs-ioctl-dev\"]\n"
		   "disable = [\"signal-scope\"]\n"
		   "[syscalls]\nextra_deny = [\"mount\"]\nextra_allow = [\"sysv_ipc\"]\n"
		   "[limits]\nmemory = \"64M\"\nprocesses = 20\nopen_files = 256\n"
		   "cpu = 50\ncpu_cores = [0]\nnum_cpus = 1\n",
		   dir, tc_probe_dir(), wr, hidden, dir, dir, dir),
	    0644);
	char *a = rname("insp1"), *b = rname("insp2");
	pid_t ca = cli_sleeper(a, f1);
	char *t1, *err;
	CHECK_EQ(cli(&t1, &err, "inspect", a, "--toml"), 0);
	static const char *const want[] = {"[determinism]",
					   "random_seed = 7",
					   "deterministic_dirs = true",
					   "no_randomize_memory = true",
					   "[program]",
					   "exec = ",
					   "args = [\"sleep\", \"60\"]",
					   "\"A\" = \"x y\"",
					   "\"B\" = \"q\\\"uote\"",
					   "clean_env = true",
					   "no_coredump = true",
					   "no_huge_pages = true",
					   "[filesystem]",
					   "\"/usr\"",
					   "tmp = true",
					   "deny = [\"",
					   "[network]",
					   "allow = [\"127.0.0.1:80\"]",
					   "deny = [\"10.0.0.0/8:*\"]",
					   "bind = [8081]",
					   "allow_bind = [\"9000-9010\"]",
					   "deny_bind = [\"9005\"]",
					   "port_remap = true",
					   "[http]",
					   "allow = [\"GET 127.0.0.1/*\"]",
					   "ports = [8080]",
					   "deny = [\"GET 127.0.0.1/admin/*\"]",
					   "ca_out = \"",
					   "inject_ca = [\"",
					   "credentials = [\"TOKEN=file:",
					   "auth = [\"127.0.0.1=TOKEN\"]",
					   "[protections]",
					   "allow_degraded = [\"fs-ioctl-dev\"]",
					   "disable = [\"signal-scope\"]",
					   "[syscalls]",
					   "extra_deny = [\"mount\"]",
					   "extra_allow = [\"sysv_ipc\"]",
					   "[limits]",
					   "memory = \"67108864\"",
					   "processes = 20",
					   "open_files = 256",
					   "cpu = 50",
					   "cpu_cores = [0]",
					   "num_cpus = 1"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_CONTAINS(t1, want[i]);
	tc_write_file(f2, t1, 0644);
	pid_t cb = cli_sleeper(b, f2);
	char *t2;
	CHECK_EQ(cli(&t2, &err, "inspect", b, "--toml"), 0);
	CHECK_STR(t2, t1);
	char *text;
	CHECK_EQ(cli(&text, &err, "inspect", a, NULL), 0);
	CHECK_CONTAINS(text, "procs ");
	CHECK_CONTAINS(text, "/20");
	CHECK_CONTAINS(text, "# profile");
	char *json;
	CHECK_EQ(cli(&json, &err, "inspect", a, "--json"), 0);
	CHECK_CONTAINS(json, "\"max_memory\":67108864");
	CHECK_CONTAINS(json, "\"max_cpu\":50");
	CHECK_EQ(sandlock_running_signal(a, "kill"), 0);
	CHECK_EQ(sandlock_running_signal(b, "kill"), 0);
	waitpid(ca, NULL, 0);
	waitpid(cb, NULL, 0);
}

/* ---- attacks ------------------------------------------------------------------ */

/* A sandbox granted all of the directory that holds the runtime
 * directory (/run for root, /dev/shm for a user without a login session)
 * neither lists it nor connects to another sandbox's control socket nor
 * reads a lock nor moves the directory away: it is denied like an
 * --fs-deny path. */
TEST(running_sandbox_cannot_reach_control_sockets)
{
	char *a = rname("victim");
	sandlock_handle_t *h = sleeper(a);
	char *root = root_dir_of(a);
	char *parent = tc_fmt("%s", root);
	*strrchr(parent, '/') = 0;
	char *sock = tc_fmt("%s/%s/control.sock", root, a);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), parent));
	char *out =
	    tc_probe_in(p, "seq", tc_fmt("connect-seqpacket %s kill", sock), tc_fmt("ls %s", root),
			tc_fmt("rename %s /dev/shm/moved-%d", root, (int)getpid()),
			tc_fmt("read %s/%s/lock", root, a), NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	CHECK_LINE(out, 1, "errno=EACCES");
	/* Landlock refuses a move it cannot allow with EXDEV */
	if (strcmp(tc_line(out, 2), "errno=EACCES") && strcmp(tc_line(out, 2), "errno=EXDEV"))
		th_fail(__FILE__, __LINE__, "rename of the runtime directory: %s", tc_line(out, 2));
	CHECK_LINE(out, 3, "errno=EACCES");
	CHECK(listed(a));
	CHECK_EQ(tc_proc_state(sandlock_handle_pid(h)) != 0, 1);
	sandlock_handle_free(h);
}

/* Only the owner is answered: root connecting to a user's control socket
 * (its directory does not stop root) gets no reply, and sees none of the
 * user's sandboxes in its own list. */
TEST(running_other_uid_not_answered)
{
	if (geteuid() != 0)
		SKIP("needs root: a sandbox of another user");
	char *a = rname("nobody");
	int ready[2], done[2];
	CHECK(pipe(ready) == 0 && pipe(done) == 0);
	pid_t c = fork();
	if (c == 0) {
		close(ready[0]);
		close(done[1]);
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		sandlock_sandbox_t *p = tc_build(tc_builder());
		const char *argv[] = {tc_probe(), "sleep", "60", NULL};
		sandlock_handle_t *h = sandlock_create_ex(p, a, argv, 3, SANDLOCK_CREATE_CONTROL);
		int pid = h && sandlock_start(h) == 0 ? sandlock_handle_pid(h) : -1;
		if (write(ready[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(4);
		char x;
		(void)!read(done[0], &x, 1);
		sandlock_handle_free(h);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	int pid = -1;
	CHECK_EQ(read(ready[0], &pid, sizeof(pid)), (ssize_t)sizeof(pid));
	CHECK(pid > 0);
	CHECK(!listed(a));
	CHECK(sandlock_running_info(a) == NULL);
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/dev/shm/sandlock-65534/%s/control.sock", a);
	CHECK_EQ(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* closed unanswered: at once (the send fails) or after the request */
	if (send(s, "kill", 4, MSG_NOSIGNAL) == 4) {
		char buf[64];
		CHECK(recv(s, buf, sizeof(buf), 0) <= 0);
	} else {
		CHECK(errno == EPIPE || errno == ECONNRESET);
	}
	close(s);
	usleep(200 * 1000);
	char st = tc_proc_state(pid);
	if (st == 0 || st == 'Z')
		th_fail(__FILE__, __LINE__, "the sandbox obeyed root's kill (state %c)",
			st ? st : '-');
	CHECK(write(done[1], "x", 1) == 1);
	CHECK_EQ(waitpid(c, NULL, 0), c);
}

/* A runtime directory made by someone else for this uid (owned by
 * another user, or open to others) is refused, never used. */
TEST(running_squatted_directory_refused)
{
	if (geteuid() != 0)
		SKIP("needs root: a directory owned by another user");
	const unsigned uid = 65531;
	char *dir = tc_fmt("/dev/shm/sandlock-%u", uid);
	rmdir(dir);
	CHECK_EQ(mkdir(dir, 0777), 0);
	CHECK_EQ(chmod(dir, 0777), 0);
	for (int round = 0; round < 2; round++) {
		if (round == 1)
			CHECK(chown(dir, uid, uid) == 0); /* ours now, but open to all */
		int pfd[2];
		CHECK(pipe(pfd) == 0);
		pid_t c = fork();
		if (c == 0) {
			if (setgid(uid) < 0 || setuid(uid) < 0)
				_exit(3);
			sandlock_sandbox_t *p = tc_build(tc_builder());
			const char *argv[] = {tc_probe(), "echo", "x", NULL};
			sandlock_handle_t *h =
			    sandlock_create_ex(p, "squat", argv, 3, SANDLOCK_CREATE_CONTROL);
			const char *msg = h ? "created" : sandlock_last_error();
			(void)!write(pfd[1], msg, strlen(msg));
			_exit(0);
		}
		close(pfd[1]);
		char msg[512] = "";
		(void)!read(pfd[0], msg, sizeof(msg) - 1);
		close(pfd[0]);
		waitpid(c, NULL, 0);
		CHECK_CONTAINS(msg, round == 0 ? "belongs to uid 0" : "open to other users");
	}
	CHECK(!tc_exists(tc_path(dir, "squat")));
	rmdir(dir);
}

/* A grant of one sandbox's entry (its directory beneath the runtime
 * directory, or a symlink to it) reaches nothing: the entry is beneath a
 * denied path, so the socket of the sandbox it names cannot be killed
 * through it. */
TEST(running_grant_of_an_entry_reaches_nothing)
{
	char *a = rname("entry");
	sandlock_handle_t *h = sleeper(a);
	char *entry = tc_path(root_dir_of(a), a);
	char *link = tc_path(tc_mkdir("entry-link"), "e");
	CHECK_EQ(symlink(entry, link), 0);
	for (int i = 0; i < 2; i++) {
		const char *via = i ? link : entry;
		sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(
		    sandlock_sandbox_builder_fs_read(tc_builder(), tc_probe_dir()), via));
		char *out =
		    tc_probe_in(p, "connect-seqpacket", tc_path(via, "control.sock"), "kill", NULL);
		CHECK_LINE(out, 0, "errno=EACCES");
	}
	CHECK(listed(a));
	sandlock_handle_free(h);
}

/* A sandbox started where XDG_RUNTIME_DIR names a directory of the user's
 * (its root is there) and granted the directory above another root of
 * the user's (the one a run without the variable, from cron or su,
 * picks) reaches no sandbox registered in that other root. */
TEST(running_other_root_of_the_user_guarded)
{
	unsetenv("XDG_RUNTIME_DIR");
	char *a = rname("xdg");
	sandlock_handle_t *h = sleeper(a);
	char *root = root_dir_of(a);
	char *parent = tc_fmt("%s", root);
	*strrchr(parent, '/') = 0;
	char xdg[] = "/tmp/slx-XXXXXX"; /* short: a root's socket paths must fit */
	CHECK(mkdtemp(xdg) != NULL);
	CHECK_EQ(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(tc_builder(), parent));
	char *out = tc_probe_in(p, "connect-seqpacket", tc_fmt("%s/%s/control.sock", root, a),
				"kill", NULL);
	CHECK_LINE(out, 0, "errno=EACCES");
	unsetenv("XDG_RUNTIME_DIR");
	rmdir(tc_path(xdg, "sandlock"));
	rmdir(xdg);
	CHECK(listed(a));
	sandlock_handle_free(h);
}

/* A command line of a few hundred KiB (ARG_MAX allows 2 MiB) runs from
 * the CLI as before, and a sandbox running one is listed: its info keeps
 * the start of the command, within what one reply can carry. */
TEST(running_huge_command_listed)
{
	char *big = tc_fmt("%0100000d", 0);
	memset(big, 1, 100000); /* escaped six times over in JSON */
	char *out, *err;
	int rc = tc_cli_run(&out, &err, "-r", tc_probe_dir(), "--", tc_probe(), "sleep", "0", big,
			    big, big, NULL);
	CHECK_EQ(rc, 0);
	char *a = rname("huge");
	sandlock_sandbox_t *p = tc_build(tc_builder());
	const char *argv[] = {tc_probe(), "sleep", "60", big, big, big, NULL};
	sandlock_handle_t *h = sandlock_create_ex(p, a, argv, 6, SANDLOCK_CREATE_CONTROL);
	CHECK(h != NULL);
	CHECK_EQ(sandlock_start(h), 0);
	CHECK(listed(a));
	char *info = sandlock_running_info(a);
	CHECK(info != NULL);
	CHECK_CONTAINS(info, "\"sleep\",\"60\",");
	CHECK_CONTAINS(info, "\"...\"]");
	sandlock_string_free(info);
	sandlock_handle_free(h);
}
