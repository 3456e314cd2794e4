/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policyfn.c - the policy callback: verdicts on held syscalls (exec by
 * argv, connect, open), the ctx calls taking effect for the next syscall
 * (network, per-process network, paths, limits), audit and undefined
 * verdicts, a callback that sleeps past the timeout or ends its thread,
 * and argv that another thread rewrites during the check.
 *
 * The command is tests/probes/pfprobe.  The callback runs on the
 * supervisor's callback thread in this process: what it saw is recorded
 * under a lock.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the callback saw, and what the test asks of it. */
static struct {
	pthread_mutex_t mu;
	int execs, connects, opens, binds;
	int denied_events; /* events with denied set */
	bool saw_curl;	   /* an exec whose argv names curl */
	bool saw_flip;	   /* threadexec's argv reached the callback */
	char argv0[256];
	pid_t last_exec_pid;
	/* the test's wishes */
	int deny_errno;	 /* on execs naming curl */
	int act_on_exec; /* the exec event number that triggers act */
	void (*act)(const sandlock_event_t *ev, sandlock_ctx_t *ctx);
	int32_t connect_verdict;
	int32_t other_verdict;
	const char *path; /* for deny_path */
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

static bool argv_has(const sandlock_event_t *ev, const char *s)
{
	for (uint32_t i = 0; i < ev->argc; i++)
		if (ev->argv[i] && strstr(ev->argv[i], s))
			return true;
	return false;
}

static int32_t on_exec(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	pthread_mutex_lock(&g.mu);
	int n = ++g.execs;
	g.last_exec_pid = (pid_t)ev->pid;
	if (ev->argc && ev->argv[0])
		snprintf(g.argv0, sizeof(g.argv0), "%s", ev->argv[0]);
	/* a program run as curl (not the probe, whose own argv names it) */
	bool curl = ev->argc && !strstr(ev->argv[0], "pfprobe") && argv_has(ev, "curl");
	g.saw_curl |= curl;
	/* threadexec's target, not the probe's own exec naming it */
	g.saw_flip |= ev->argc == 2 && !strcmp(ev->argv[0], "/usr/bin/python3") &&
		      (argv_has(ev, "FLIP") || argv_has(ev, "flop"));
	void (*act)(const sandlock_event_t *, sandlock_ctx_t *) = n == g.act_on_exec ? g.act : NULL;
	int deny = curl ? g.deny_errno : 0;
	pthread_mutex_unlock(&g.mu);
	if (act)
		act(ev, ctx);
	return deny ? deny : 0;
}

static int32_t policy(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	if (!strcmp(ev->syscall, "execve") || !strcmp(ev->syscall, "execveat"))
		return on_exec(ev, ctx);
	pthread_mutex_lock(&g.mu);
	g.denied_events += ev->denied;
	int32_t v = g.other_verdict;
	if (!strcmp(ev->syscall, "connect")) {
		g.connects++;
		v = g.connect_verdict;
	} else if (!strcmp(ev->syscall, "bind")) {
		g.binds++;
	} else {
		g.opens++;
	}
	pthread_mutex_unlock(&g.mu);
	return v;
}

static const char *pfprobe(void)
{
	static char *p;
	if (!p)
		p = tc_fmt("%s/pfprobe", tc_probe_dir());
	return p;
}

static sandlock_builder_t *pf_builder(void)
{
	return sandlock_sandbox_builder_policy_fn(tc_builder_sys(), policy);
}

/* pfprobe ARGS... (NULL-terminated) under p. */
#define PF(p, ...) tc_named_run((p), "pfprobe", __VA_ARGS__, NULL)

/* ---- exec by argv -------------------------------------------------------------------- */

/* A real program named by argv is refused with the callback's errno,
 * before it runs; another runs. */
TEST(policyfn_deny_exec_by_argv)
{
	const char *curl = access("/usr/bin/curl", X_OK) == 0 ? "/usr/bin/curl" : NULL;
	g.deny_errno = EACCES;
	sandlock_sandbox_t *p = tc_build(pf_builder());
	/* without curl, python3 is run as "curl" (argv[1] names it) */
	struct tc_res r = curl
			      ? PF(p, "forkexec", curl, "--version", "--", "forkexec",
				   "/usr/bin/python3", "-c", "print('py ok')")
			      : PF(p, "forkexec", "/usr/bin/python3", "-c", "print('py ok') # curl",
				   "--", "forkexec", "/usr/bin/python3", "-c", "print('py ok')");
	CHECK_LINE(r.out, 0, "errno=EACCES");
	CHECK_LINE(r.out, 1, "py ok");
	CHECK(g.saw_curl);
	/* the command's own exec, the refused one, python3's */
	CHECK(g.execs >= 3);
	sandlock_sandbox_free(p);
}

/* The callback sees argv as the kernel will run it: the command's own
 * first exec too (argv[0] is the probe). */
TEST(policyfn_exec_event_shows_argv)
{
	sandlock_sandbox_t *p = tc_build(pf_builder());
	struct tc_res r = PF(p, "forkexec", "/usr/bin/python3", "-c", "print(2)");
	CHECK_LINE(r.out, 0, "2");
	CHECK_STR(g.argv0, "/usr/bin/python3");
	CHECK(g.execs >= 2);
	sandlock_sandbox_free(p);
}

/* A thread rewriting argv during the check: the exec is refused (EPERM),
 * and the callback was never asked to approve argv that could change. */
TEST(policyfn_argv_swap_thread_denied)
{
	sandlock_sandbox_t *p = tc_build(pf_builder());
	struct tc_res r = PF(p, "threadexec", "/usr/bin/python3", "FLIP", "flop");
	CHECK_LINE(r.out, 0, "errno=EPERM");
	CHECK(!g.saw_flip);
	sandlock_sandbox_free(p);
}

/* A vfork child shares its parent's memory, but its single-threaded
 * parent is held in the kernel until the exec is done: shown, allowed
 * (CPython's subprocess and posix_spawn exec this way).  A clone(CLONE_VM)
 * child whose parent runs on: refused. */
TEST(policyfn_vfork_exec_shown_vm_clone_denied)
{
	sandlock_sandbox_t *p = tc_build(pf_builder());
	struct tc_res r = PF(p, "vforkexec", "/usr/bin/python3", "-c", "print(3)", "--", "vmexec",
			     "/usr/bin/python3", "-c", "print(4)", "--", "forkexec",
			     "/usr/bin/python3", "-c", "print(5)");
	CHECK_LINE(r.out, 0, "3");
	CHECK_LINE(r.out, 1, "errno=EPERM");
	CHECK_LINE(r.out, 2, "5");
	sandlock_sandbox_free(p);
}

/* CPython's subprocess (vfork on Linux) under a callback. */
TEST(policyfn_python_subprocess)
{
	g.deny_errno = EACCES;
	sandlock_sandbox_t *p = tc_build(pf_builder());
	struct tc_res r = PF(p, "forkexec", "/usr/bin/python3", "-c",
			     "import subprocess\n"
			     "print(subprocess.run(['/usr/bin/python3', '-c', 'print(6)'], "
			     "capture_output=True).stdout.decode().strip())\n"
			     "try:\n subprocess.run(['/usr/bin/python3', '-c', '1 # cu' + 'rl'])\n"
			     "except PermissionError as e:\n print('denied', e.errno)");
	CHECK_LINE(r.out, 0, "6");
	CHECK_LINE(r.out, 1, "denied 13");
	sandlock_sandbox_free(p);
}

/* ---- network ------------------------------------------------------------------------------ */

static sandlock_sandbox_t *net_policy(uint16_t port)
{
	sandlock_builder_t *b = pf_builder();
	b = sandlock_sandbox_builder_net_allow(b, tc_fmt("127.0.0.1:%u", port));
	return tc_build(b);
}

static int accepted(int l)
{
	int n = 0, fd;
	fcntl(l, F_SETFL, O_NONBLOCK);
	while ((fd = accept(l, NULL, NULL)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

/* A denied connect never reaches the network: the listener gets none. */
TEST(policyfn_denied_connect_never_reaches)
{
	uint16_t port;
	int l = tc_tcp_listener(&port);
	g.connect_verdict = ENETUNREACH;
	sandlock_sandbox_t *p = net_policy(port);
	struct tc_res r = PF(p, "connect", "127.0.0.1", tc_itoa(port));
	CHECK_LINE(r.out, 0, "errno=ENETUNREACH");
	CHECK_EQ(g.connects, 1);
	CHECK_EQ(accepted(l), 0);
	sandlock_sandbox_free(p);
}

static void restrict_all(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	sandlock_ctx_restrict_network(ctx, NULL, 0);
}

/* restrict_network([]) at the second exec: the connect before it goes
 * through, the one after is refused, though the static policy allows it. */
TEST(policyfn_restrict_network_after_exec)
{
	uint16_t port;
	int l = tc_tcp_listener(&port);
	g.act_on_exec = 2;
	g.act = restrict_all;
	sandlock_sandbox_t *p = net_policy(port);
	const char *ps = tc_itoa(port);
	struct tc_res r = PF(p, "connect", "127.0.0.1", ps, "--", "forkexec", pfprobe(), "connect",
			     "127.0.0.1", ps, "--", "connect", "127.0.0.1", ps);
	CHECK_LINE(r.out, 0, "ok");
	CHECK_LINE(r.out, 1, "errno=ECONNREFUSED");
	CHECK_LINE(r.out, 2, "errno=ECONNREFUSED");
	CHECK_EQ(accepted(l), 1);
	sandlock_sandbox_free(p);
}

static void restrict_pid(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	const char *other[] = {"192.0.2.1"};
	sandlock_ctx_restrict_pid_network(ctx, ev->pid, other, 1);
}

/* restrict_pid_network for the exec'ing child: its connect is refused,
 * its parent's goes through. */
TEST(policyfn_pid_network_override)
{
	uint16_t port;
	int l = tc_tcp_listener(&port);
	g.act_on_exec = 2;
	g.act = restrict_pid;
	sandlock_sandbox_t *p = net_policy(port);
	const char *ps = tc_itoa(port);
	struct tc_res r = PF(p, "forkexec", pfprobe(), "connect", "127.0.0.1", ps, "--", "connect",
			     "127.0.0.1", ps);
	CHECK_LINE(r.out, 0, "errno=ECONNREFUSED");
	CHECK_LINE(r.out, 1, "ok");
	CHECK_EQ(accepted(l), 1);
	sandlock_sandbox_free(p);
}

/* ---- verdicts ---------------------------------------------------------------------------- */

/* Audit (-2) allows; a value outside the documented ones denies (EPERM). */
TEST(policyfn_audit_allows_undefined_denies)
{
	uint16_t port;
	int l = tc_tcp_listener(&port);
	g.connect_verdict = -2;
	sandlock_sandbox_t *p = net_policy(port);
	struct tc_res r = PF(p, "connect", "127.0.0.1", tc_itoa(port));
	CHECK_LINE(r.out, 0, "ok");
	CHECK_EQ(accepted(l), 1);
	g.connect_verdict = -7;
	r = PF(p, "connect", "127.0.0.1", tc_itoa(port));
	CHECK_LINE(r.out, 0, "errno=EPERM");
	g.connect_verdict = 1 << 20;
	r = PF(p, "connect", "127.0.0.1", tc_itoa(port));
	CHECK_LINE(r.out, 0, "errno=EPERM");
	CHECK_EQ(accepted(l), 0);
	sandlock_sandbox_free(p);
}

/* ---- paths ---------------------------------------------------------------------------------- */

static void deny_it(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	sandlock_ctx_deny_path(ctx, g.path);
}

/* deny_path at the second exec: the file opens before, not after, by its
 * name or a symlink to it (its identity is denied, not a string); a
 * sibling still opens; the refusal is recorded with the callback's rule. */
TEST(policyfn_deny_path_at_runtime)
{
	char *d = tc_mkdir("pf");
	char *f = tc_path(d, "secret"), *o = tc_path(d, "other"), *ln = tc_path(d, "link");
	tc_write_file(f, "s\n", 0644);
	tc_write_file(o, "o\n", 0644);
	CHECK_EQ(symlink(f, ln), 0);
	g.path = f;
	g.act_on_exec = 2;
	g.act = deny_it;
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(pf_builder(), d));
	const char *argv[] = {pfprobe(), "open", f,  "--", "forkexec", pfprobe(), "open", f,
			      "--",	 "open", ln, "--", "open",     o,	  NULL};
	sandlock_handle_t *h = sandlock_create(p, NULL, argv, 14);
	CHECK(h != NULL);
	CHECK_EQ(sandlock_start(h), 0);
	struct tc_res r = tc_result(sandlock_handle_wait(h));
	CHECK_LINE(r.out, 0, "ok");
	CHECK_LINE(r.out, 1, "errno=EACCES");
	CHECK_LINE(r.out, 2, "errno=EACCES");
	CHECK_LINE(r.out, 3, "ok");
	char *den = sandlock_handle_denials(h);
	CHECK(den && strstr(den, "policy_fn: deny_path"));
	sandlock_string_free(den);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

/* A thread flipping the opened path between a denied file and another
 * (the same length) while the opens are made: a denied file is never
 * read, whatever the path held when it was checked. */
TEST(policyfn_deny_path_flipped_name)
{
	char *d = tc_mkdir("pff");
	char *s = tc_path(d, "sec"), *o = tc_path(d, "oth");
	tc_write_file(s, "s\n", 0644);
	tc_write_file(o, "o\n", 0644);
	g.path = s;
	g.act_on_exec = 2;
	g.act = deny_it;
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_read(pf_builder(), d));
	struct tc_res r = PF(p, "forkexec", pfprobe(), "flipopen", o, s, "400");
	CHECK(strncmp(r.out, "ok o=", 5) == 0);
	CHECK(!strstr(r.out, "s="));
	sandlock_sandbox_free(p);
}

static void deny_dir(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	sandlock_ctx_deny_path(ctx, g.path);
}

/* A denied directory: what lies under it is denied, a name created in it
 * too (made here, checked on the directory's identity). */
TEST(policyfn_deny_dir_covers_creates)
{
	char *d = tc_mkdir("pfw");
	char *sub = tc_path(d, "sub");
	CHECK_EQ(mkdir(sub, 0777), 0);
	chmod(sub, 0777);
	char *f = tc_path(sub, "f"), *n = tc_path(sub, "new"), *ok = tc_path(d, "new2");
	tc_write_file(f, "x\n", 0644);
	g.path = sub;
	g.act_on_exec = 2;
	g.act = deny_dir;
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(pf_builder(), d));
	struct tc_res r =
	    PF(p, "forkexec", pfprobe(), "open", f, "--", "create", n, "--", "create", ok);
	CHECK_LINE(r.out, 0, "errno=EACCES");
	CHECK_LINE(r.out, 1, "errno=EACCES");
	CHECK_LINE(r.out, 2, "ok");
	CHECK(!tc_exists(n));
	CHECK(tc_exists(ok));
	sandlock_sandbox_free(p);
}

/* deny_path reaches the calls the supervisor makes for the sandbox
 * (chmod, which Landlock does not see, is made on the object it checked):
 * a denied file's mode cannot be changed, another's can. */
TEST(policyfn_deny_path_on_behalf_calls)
{
	char *d = tc_mkdir("pfc");
	char *f = tc_path(d, "f"), *o = tc_path(d, "o");
	tc_write_file(f, "f\n", 0644);
	tc_write_file(o, "o\n", 0644);
	g.path = f;
	g.act_on_exec = 2;
	g.act = deny_it;
	sandlock_sandbox_t *p = tc_build(sandlock_sandbox_builder_fs_write(pf_builder(), d));
	struct tc_res r = PF(p, "forkexec", pfprobe(), "chmod", f, "--", "chmod", o);
	CHECK_LINE(r.out, 0, "errno=EACCES");
	CHECK_LINE(r.out, 1, "ok");
	struct stat st;
	CHECK_EQ(stat(f, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0644);
	CHECK_EQ(stat(o, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	sandlock_sandbox_free(p);
}

/* ---- limits ---------------------------------------------------------------------------------- */

static void tighten(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	sandlock_ctx_restrict_max_memory(ctx, 64u << 20);
	sandlock_ctx_restrict_max_processes(ctx, 3);
}

/* restrict_max_memory and restrict_max_processes lower the live limits
 * of a sandbox whose static ones are higher (or unset). */
TEST(policyfn_restrict_limits)
{
	g.act_on_exec = 2;
	g.act = tighten;
	sandlock_sandbox_t *p = tc_build(pf_builder());
	struct tc_res r =
	    PF(p, "alloc", "128", "--", "forkexec", pfprobe(), "alloc", "128", "--", "forks", "10");
	CHECK_LINE(r.out, 0, "ok");
	CHECK_LINE(r.out, 1, "errno=ENOMEM");
	CHECK(strncmp(tc_line(r.out, 2), "ok ", 3) == 0);
	CHECK(atoi(tc_line(r.out, 2) + 3) < 3);
	sandlock_sandbox_free(p);
}

/* ---- a callback that fails ------------------------------------------------------------------ */

static void nap(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	usleep(1500 * 1000);
	/* too late: the supervisor gave up on it, this call is ignored */
	sandlock_ctx_restrict_network(ctx, NULL, 0);
}

/* A callback that sleeps past the timeout: that exec is denied, and so
 * is every later held call, at once. */
TEST(policyfn_timeout_denies)
{
	g.act_on_exec = 2;
	g.act = nap;
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_policy_fn_timeout_ms(pf_builder(), 200));
	struct tc_res r =
	    PF(p, "forkexec", "/usr/bin/python3", "-c", "print(1)", "--", "open", "/etc/hostname");
	CHECK_LINE(r.out, 0, "errno=EPERM");
	CHECK_LINE(r.out, 1, "errno=EPERM");
	sandlock_sandbox_free(p);
}

static void quit_thread(const sandlock_event_t *ev, sandlock_ctx_t *ctx)
{
	(void)ev;
	(void)ctx;
	pthread_exit(NULL);
}

/* A callback that ends its thread: denied at once, and every later one. */
TEST(policyfn_callback_thread_exit_denies)
{
	g.act_on_exec = 2;
	g.act = quit_thread;
	sandlock_sandbox_t *p =
	    tc_build(sandlock_sandbox_builder_policy_fn_timeout_ms(pf_builder(), 60000));
	struct tc_res r =
	    PF(p, "forkexec", "/usr/bin/python3", "-c", "print(1)", "--", "open", "/etc/hostname");
	CHECK_LINE(r.out, 0, "errno=EPERM");
	CHECK_LINE(r.out, 1, "errno=EPERM");
	sandlock_sandbox_free(p);
}

/* Only held syscalls make events: with opens left out by the events
 * filter, a run that opens files makes none. */
TEST(policyfn_events_filter)
{
	sandlock_sandbox_t *p = tc_build(
	    sandlock_sandbox_builder_policy_fn_events(pf_builder(), SANDLOCK_POLICY_EVENT_EXEC));
	struct tc_res r = PF(p, "open", "/etc/hostname", "--", "open", "/etc/hostname");
	CHECK_LINE(r.out, 0, "ok");
	CHECK_EQ(g.opens, 0);
	CHECK(g.execs >= 1);
	sandlock_sandbox_free(p);
	p = tc_build(pf_builder());
	r = PF(p, "open", "/etc/hostname");
	CHECK_LINE(r.out, 0, "ok");
	CHECK(g.opens >= 1);
	sandlock_sandbox_free(p);
}

/* ---- a binding built for 0.8.6 ------------------------------------------------------------ */

static struct {
	pthread_mutex_t mu;
	int calls, nonnull, drops;
} g086 = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int32_t cb086(const sandlock_event_t *ev, sandlock_ctx_t *ctx, void *ud)
{
	(void)ev;
	(void)ctx;
	pthread_mutex_lock(&g086.mu);
	g086.calls++;
	g086.nonnull += ud != NULL;
	pthread_mutex_unlock(&g086.mu);
	return 0;
}

static void drop086(void *ud)
{
	(void)ud;
	g086.drops++;
}

/* 0.8.6's builder passes user data and a drop function, and its callback
 * takes a third argument: the extra arguments are never read (the drop
 * function never called on them), and the callback's third is NULL. */
TEST(policyfn_086_form_ignored_safely)
{
	typedef int32_t (*cb3_t)(const sandlock_event_t *, sandlock_ctx_t *, void *);
	typedef sandlock_builder_t *(*b086_t)(sandlock_builder_t *, cb3_t, void *,
					      void (*)(void *));
	b086_t f = (b086_t)(void (*)(void))sandlock_sandbox_builder_policy_fn;
	sandlock_sandbox_t *p = tc_build(f(tc_builder_sys(), cb086, (void *)0x1234, drop086));
	struct tc_res r = PF(p, "open", "/etc/hostname");
	CHECK_LINE(r.out, 0, "ok");
	sandlock_sandbox_free(p);
	CHECK(g086.calls >= 2);
	CHECK_EQ(g086.nonnull, 0);
	CHECK_EQ(g086.drops, 0);
}
