/* SPDX-License-Identifier: Apache-2.0 */
/* common.c - helpers shared by the integration tests (see common.h). */
#include "common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TC_MAX_ARGS 64

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		th_fail(__FILE__, __LINE__, "out of memory");
	return d;
}

static const char *build_path(const char *rel, char **cache)
{
	if (!*cache)
		*cache = xstrdup(th_build(rel));
	return *cache;
}

const char *tc_probe(void)
{
	static char *p;
	return build_path("tests/probes/probe", &p);
}

const char *tc_probe_dir(void)
{
	static char *p;
	return build_path("tests/probes", &p);
}

const char *tc_cli(void)
{
	static char *p;
	return build_path("sandlock", &p);
}

void tc_require_kernel(void)
{
	int abi = sandlock_landlock_abi_version();
	if (abi < sandlock_min_landlock_abi())
		SKIP("needs Landlock ABI v%d, this kernel has %d", sandlock_min_landlock_abi(),
		     abi);
	sandlock_features_t f = {.size = sizeof(f)};
	if (sandlock_probe_features(&f) < 0 || !f.user_notif || !f.wait_killable_recv)
		SKIP("needs seccomp user notification with WAIT_KILLABLE_RECV (Linux 5.19+)");
	if (f.nested_listener)
		SKIP("already running under a seccomp listener (nested sandbox)");
}

void tc_refuse_pidfd_getfd(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_getfd, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {(unsigned short)(sizeof(f) / sizeof(f[0])), f};
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
}

sandlock_builder_t *tc_builder(void)
{
	tc_require_kernel();
	sandlock_builder_t *b = sandlock_sandbox_builder_new();
	if (!b)
		th_fail(__FILE__, __LINE__, "builder_new: %s", sandlock_last_error());
	return sandlock_sandbox_builder_fs_read(b, tc_probe_dir());
}

sandlock_builder_t *tc_builder_sys(void)
{
	/* dash opens /dev/null for the stdin of background jobs. */
	static const char *const sys[] = {"/usr", "/lib", "/lib64", "/bin", "/etc", "/dev/null"};
	sandlock_builder_t *b = tc_builder();
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (tc_exists(sys[i]))
			b = sandlock_sandbox_builder_fs_read(b, sys[i]);
	return b;
}

sandlock_sandbox_t *tc_build(sandlock_builder_t *b)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (!p || err)
		th_fail(__FILE__, __LINE__, "sandbox_build failed (err %d): %s", err,
			msg ? msg : sandlock_last_error());
	return p;
}

sandlock_sandbox_t *tc_build_or_skip(sandlock_builder_t *b)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	const char *why = msg ? msg : sandlock_last_error();
	const char *pending = why ? strstr(why, "not supported yet") : NULL;
	if ((!p || err) && pending)
		SKIP("%s", pending);
	if (!p || err)
		th_fail(__FILE__, __LINE__, "sandbox_build failed (err %d): %s", err, why);
	return p;
}

char *tc_build_error(sandlock_builder_t *b)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *p = sandlock_sandbox_build(b, &err, &msg);
	if (p) {
		sandlock_sandbox_free(p);
		th_fail(__FILE__, __LINE__, "sandbox_build succeeded, a failure was expected");
	}
	if (err != -1 || !msg)
		th_fail(__FILE__, __LINE__, "sandbox_build failed without err -1 and a message");
	char *copy = strdup(msg);
	sandlock_string_free(msg);
	if (!copy)
		th_fail(__FILE__, __LINE__, "out of memory");
	return copy;
}

static char *copy_bytes(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		th_fail(__FILE__, __LINE__, "out of memory");
	if (len)
		memcpy(s, p, len);
	s[len] = 0;
	return s;
}

struct tc_res tc_result(sandlock_result_t *r)
{
	struct tc_res res;
	if (!r)
		th_fail(__FILE__, __LINE__, "the run failed: sandlock_last_error() = \"%s\"",
			sandlock_last_error());
	memset(&res, 0, sizeof(res));
	res.status = sandlock_result_status(r);
	res.code = sandlock_result_exit_code(r);
	res.sig = sandlock_result_signal(r);
	res.success = sandlock_result_success(r);
	const char *note = sandlock_result_note(r);
	res.note = copy_bytes((const uint8_t *)(note ? note : ""), note ? strlen(note) : 0);
	size_t len = 0;
	const uint8_t *p = sandlock_result_stdout_bytes(r, &len);
	res.out = copy_bytes(p, p ? len : 0);
	res.out_len = p ? len : 0;
	p = sandlock_result_stderr_bytes(r, &len);
	res.err = copy_bytes(p, p ? len : 0);
	res.err_len = p ? len : 0;
	sandlock_result_free(r);
	return res;
}

struct tc_res tc_runv(const sandlock_sandbox_t *p, const char *name, const char *const *argv)
{
	unsigned int argc = 0;
	while (argv[argc])
		argc++;
	return tc_result(sandlock_run(p, name, argv, argc));
}

/* Collects a NULL-terminated variadic list after `first` (may be NULL)
 * into argv starting at index `at`; returns the new count. */
static int collect(const char **argv, int at, const char *first, va_list ap)
{
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		if (at >= TC_MAX_ARGS - 1)
			th_fail(__FILE__, __LINE__, "too many arguments");
		argv[at++] = a;
	}
	argv[at] = NULL;
	return at;
}

struct tc_res tc_run(const sandlock_sandbox_t *p, const char *name, const char *arg0, ...)
{
	const char *argv[TC_MAX_ARGS];
	va_list ap;
	va_start(ap, arg0);
	collect(argv, 0, arg0, ap);
	va_end(ap);
	return tc_runv(p, name, argv);
}

/* tc_probe_dir()/probe ARGS... inside p. */
static struct tc_res named_run(const sandlock_sandbox_t *p, const char *probe, const char *arg0,
			       va_list ap)
{
	const char *argv[TC_MAX_ARGS];
	argv[0] = tc_path(tc_probe_dir(), probe);
	collect(argv, 1, arg0, ap);
	return tc_runv(p, NULL, argv);
}

struct tc_res tc_named_run(const sandlock_sandbox_t *p, const char *probe, const char *arg0, ...)
{
	va_list ap;
	va_start(ap, arg0);
	struct tc_res r = named_run(p, probe, arg0, ap);
	va_end(ap);
	return r;
}

char *tc_named_in(const sandlock_sandbox_t *p, const char *probe, const char *arg0, ...)
{
	va_list ap;
	va_start(ap, arg0);
	struct tc_res r = named_run(p, probe, arg0, ap);
	va_end(ap);
	if (r.status != SANDLOCK_STATUS_EXITED || r.code != 0)
		th_fail(__FILE__, __LINE__,
			"%s %s: status %d code %d sig %d, out \"%s\" err \"%s\" note \"%s\"", probe,
			arg0, r.status, r.code, r.sig, r.out, r.err, r.note);
	return r.out;
}

void tc_check_lines(const char *out, const char *const *want)
{
	for (int i = 0; want[i]; i++)
		if (strcmp(tc_line(out, i), want[i]))
			th_fail(__FILE__, __LINE__, "line %d: \"%s\", wanted \"%s\" (all: %s)", i,
				tc_line(out, i), want[i], out);
}

static char *chomp(char *s)
{
	size_t n = strlen(s);
	if (n && s[n - 1] == '\n')
		s[n - 1] = 0;
	return s;
}

char *tc_probe_in(const sandlock_sandbox_t *p, const char *arg0, ...)
{
	const char *argv[TC_MAX_ARGS];
	argv[0] = tc_probe();
	va_list ap;
	va_start(ap, arg0);
	collect(argv, 1, arg0, ap);
	va_end(ap);
	struct tc_res r = tc_runv(p, NULL, argv);
	if (r.status != SANDLOCK_STATUS_EXITED || r.code != 0)
		th_fail(__FILE__, __LINE__,
			"probe %s inside: status %d code %d signal %d, stdout \"%s\" stderr \"%s\"",
			arg0, r.status, r.code, r.sig, r.out, r.err);
	return chomp(r.out);
}

/* Runs the probe outside any sandbox: its stdout (chomped); the wait
 * status in *st, its stderr in *err. */
static char *probe_out(int *st, char **err, const char *arg0, va_list ap)
{
	const char *argv[TC_MAX_ARGS];
	argv[0] = tc_probe();
	collect(argv, 1, arg0, ap);
	char *out = NULL;
	*st = th_run((char *const *)argv, NULL, &out, err);
	return chomp(out);
}

char *tc_probe_out(const char *arg0, ...)
{
	va_list ap;
	int st;
	char *err = NULL;
	va_start(ap, arg0);
	char *out = probe_out(&st, &err, arg0, ap);
	va_end(ap);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		th_fail(__FILE__, __LINE__, "probe %s outside: status 0x%x, stderr \"%s\"", arg0,
			st, err);
	return out;
}

char *tc_probe_out_status(int *status, const char *arg0, ...)
{
	va_list ap;
	char *err = NULL;
	va_start(ap, arg0);
	char *out = probe_out(status, &err, arg0, ap);
	va_end(ap);
	free(err);
	return out;
}

int tc_cli_run(char **out, char **err, const char *arg0, ...)
{
	tc_require_kernel();
	const char *argv[TC_MAX_ARGS];
	argv[0] = tc_cli();
	argv[1] = "run";
	va_list ap;
	va_start(ap, arg0);
	collect(argv, 2, arg0, ap);
	va_end(ap);
	int st = th_run((char *const *)argv, NULL, out, err);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

char *tc_line(const char *text, int n)
{
	const char *p = text ? text : "";
	for (int i = 0; i < n; i++) {
		p = strchr(p, '\n');
		if (!p)
			return xstrdup("");
		p++;
	}
	size_t len = strcspn(p, "\n");
	char *s = xstrdup(p);
	s[len] = 0;
	return s;
}

int tc_nlines(const char *text)
{
	int n = 0;
	const char *p = text;
	if (!p || !*p)
		return 0;
	for (; *p; p++)
		if (*p == '\n')
			n++;
	if (p[-1] != '\n')
		n++;
	return n;
}

char *tc_path(const char *dir, const char *name)
{
	char *s;
	if (asprintf(&s, "%s/%s", dir, name) < 0)
		th_fail(__FILE__, __LINE__, "out of memory");
	return s;
}

char *tc_mkdir(const char *name)
{
	char *p = tc_path(th_tmpdir(), name);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		th_fail(__FILE__, __LINE__, "mkdir %s: %s", p, strerror(errno));
	return p;
}

void tc_write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		th_fail(__FILE__, __LINE__, "create %s: %s", path, strerror(errno));
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		th_fail(__FILE__, __LINE__, "write %s: %s", path, strerror(errno));
	close(fd);
	chmod(path, mode);
}

char *tc_read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	if (!buf)
		th_fail(__FILE__, __LINE__, "out of memory");
	buf[len] = 0;
	return buf;
}

bool tc_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

mode_t tc_mode_of(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		th_fail(__FILE__, __LINE__, "lstat %s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

pid_t tc_outsider(const char *cwd)
{
	pid_t p = fork();
	if (p < 0)
		th_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
	if (p == 0) {
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		execl("/bin/sleep", "sleep", "61.5", (char *)NULL);
		_exit(127);
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)p);
	for (int i = 0; i < 400; i++) {
		char *c = tc_read_file(path);
		if (c && !strcmp(c, "sleep"))
			return p;
		usleep(5000);
	}
	th_fail(__FILE__, __LINE__, "the outside sleep did not start");
	return -1;
}

void tc_outsider_end(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

void tc_need_python(void)
{
	if (access(TC_PYTHON, X_OK) != 0)
		SKIP("needs " TC_PYTHON);
}

char *tc_victim(const char *w, const char *name, struct stat *before)
{
	char *f = tc_path(w, name);
	tc_write_file(f, "data\n", 0644);
	CHECK_EQ(stat(f, before), 0);
	return f;
}

char *tc_script(const char *name, const char *prelude, const char *body)
{
	char *p = tc_path(tc_mkdir("scripts"), name);
	tc_write_file(p, tc_fmt("%s%s", prelude, body), 0644);
	return p;
}

int tc_unix_server(const char *path, int type)
{
	int s = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(s, 128) < 0) || chmod(path, 0777) < 0)
		th_fail(__FILE__, __LINE__, "unix server %s: %s", path, strerror(errno));
	return s;
}

static void *drain_main(void *p)
{
	struct tc_drain *d = p;
	char buf[256];
	while (!atomic_load(&d->stop)) {
		int c = d->dgram ? (int)recv(d->s, buf, sizeof(buf), 0) : accept(d->s, NULL, NULL);
		if (c < 0) {
			usleep(200);
			continue;
		}
		if (!d->dgram)
			close(c);
		atomic_fetch_add(&d->n, 1);
	}
	return NULL;
}

void tc_drain_start(struct tc_drain *d, int s, bool dgram)
{
	d->s = s;
	d->dgram = dgram;
	atomic_store(&d->n, 0);
	atomic_store(&d->stop, 0);
	pthread_create(&d->th, NULL, drain_main, d);
}

long tc_drain_stop(struct tc_drain *d)
{
	usleep(20000);
	atomic_store(&d->stop, 1);
	pthread_join(d->th, NULL);
	return atomic_load(&d->n);
}

int tc_tcp_listener(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		th_fail(__FILE__, __LINE__, "socket: %s", strerror(errno));
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		th_fail(__FILE__, __LINE__, "loopback listener: %s", strerror(errno));
	*port = ntohs(sa.sin_port);
	return fd;
}

uint16_t tc_free_port(void)
{
	uint16_t port;
	int fd = tc_tcp_listener(&port);
	close(fd);
	return port;
}

char *tc_itoa(long v)
{
	char *s;
	if (asprintf(&s, "%ld", v) < 0)
		th_fail(__FILE__, __LINE__, "out of memory");
	return s;
}

char tc_proc_state(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *s = tc_read_file(path);
	if (!s)
		return 0;
	/* "pid (comm) S ...": comm may hold spaces and parentheses. */
	char *r = strrchr(s, ')');
	char c = r && r[1] == ' ' ? r[2] : 0;
	free(s);
	return c;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

bool tc_wait_state(pid_t pid, char want, bool equal, int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t += 10) {
		char s = tc_proc_state(pid);
		if ((s == want) == equal)
			return true;
		sleep_ms(10);
	}
	return false;
}

bool tc_wait_gone(pid_t pid, int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t += 10) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		if (tc_proc_state(pid) == 'Z')
			return true;
		sleep_ms(10);
	}
	return false;
}

pid_t tc_ppid(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *s = tc_read_file(path);
	char *p = s ? strrchr(s, ')') : NULL;
	int ppid;
	if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1)
		ppid = -1;
	free(s);
	return (pid_t)ppid;
}

long tc_cpu_ms(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *s = tc_read_file(path);
	char *p = s ? strrchr(s, ')') : NULL;
	unsigned long long ut, st;
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) {
		free(s);
		return -1;
	}
	free(s);
	return (long)((ut + st) * 1000 / (unsigned long long)sysconf(_SC_CLK_TCK));
}

int tc_openpt(char **slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0)
		return -1;
	const char *name = grantpt(m) == 0 && unlockpt(m) == 0 ? ptsname(m) : NULL;
	if (!name || !(*slave = strdup(name))) {
		close(m);
		return -1;
	}
	return m;
}

int tc_session_on(const char *slave, int last)
{
	if (setsid() < 0)
		return -1;
	int s = open(slave, O_RDWR); /* the session's controlling terminal */
	for (int fd = 0; s >= 0 && fd <= last; fd++)
		if (dup2(s, fd) < 0)
			return -1;
	return s < 0 ? -1 : 0;
}

void tc_subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		th_fail(__FILE__, __LINE__, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
}

/* The pids in the calling thread's children list, as a malloc'd string
 * ("" when it has none), or NULL when the list cannot be read. */
static char *own_children(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)gettid());
	return tc_read_file(path);
}

bool tc_wait_nothing_below(int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t += 10) {
		char *s = own_children();
		if (!s)
			th_fail(__FILE__, __LINE__, "cannot read our children list: %s",
				strerror(errno));
		bool live = false;
		for (char *p = s; *p && !live;) {
			char *end;
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			char st = tc_proc_state((pid_t)pid);
			live = st != 0 && st != 'Z';
			p = end;
		}
		free(s);
		if (!live)
			return true;
		sleep_ms(10);
	}
	return false;
}

long tc_wait_number_in(const char *path, int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t += 10) {
		char *s = tc_read_file(path);
		size_t n = s ? strlen(s) : 0;
		if (n > 0 && s[n - 1] == '\n') {
			char *end;
			long v = strtol(s, &end, 10);
			bool ok = end != s && *end == '\n';
			free(s);
			return ok ? v : -1;
		}
		free(s);
		sleep_ms(10);
	}
	return -1;
}

void tc_kill_all_below(void)
{
	for (int round = 0; round < 1000; round++) {
		char *s = own_children();
		bool any = false;
		for (char *p = s; p && *p;) {
			char *end;
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			kill((pid_t)pid, SIGCONT);
			kill((pid_t)pid, SIGKILL);
			any = true;
			p = end;
			while (*p == ' ' || *p == '\n')
				p++;
		}
		free(s);
		while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			;
		if (!any)
			return;
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
	}
}

char *tc_fmt(const char *f, ...)
{
	char *s;
	va_list ap;
	va_start(ap, f);
	int r = vasprintf(&s, f, ap);
	va_end(ap);
	if (r < 0)
		th_fail(__FILE__, __LINE__, "out of memory");
	return s;
}

bool tc_lock_held(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_RDWR);
		struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		_exit(fd >= 0 && fcntl(fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK ? 0 : 1);
	}
	int st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int tc_drain_tty_until_exit(int master, pid_t pid)
{
	int st = 0;
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		char buf[256];
		(void)!read(master, buf, sizeof buf);
		usleep(10 * 1000);
	}
	close(master);
	return st;
}

static const char tree_dump_py[] =
    "import hashlib, os, stat, sys\n"
    "root, flags, skip = sys.argv[1], int(sys.argv[2]), sys.argv[3:]\n"
    "out, inodes = [], {}\n"
    "for d, dirs, files in os.walk(root):\n"
    "    for n in sorted(dirs + files):\n"
    "        p = os.path.join(d, n); r = os.path.relpath(p, root)\n"
    "        if r in skip: continue\n"
    "        st = os.lstat(p)\n"
    "        if stat.S_ISLNK(st.st_mode): body = 'L' + os.readlink(p)\n"
    "        elif stat.S_ISDIR(st.st_mode): body = 'D'\n"
    "        elif stat.S_ISREG(st.st_mode):\n"
    "            body = 'F' + hashlib.sha256(open(p, 'rb').read()).hexdigest()[:16]\n"
    "        else: body = 'S%o' % st.st_rdev\n"
    "        grp = ''\n"
    "        if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:\n"
    "            grp = ' link:' + inodes.setdefault(st.st_ino, r)\n"
    "        xa = ','.join(sorted(os.listxattr(p, follow_symlinks=False)))\n"
    "        own = ' %d:%d' % (st.st_uid, st.st_gid) if flags & 1 else ''\n"
    "        mt = ' %d' % st.st_mtime_ns if flags & 2 else ''\n"
    "        out.append('%r %o%s%s %s%s %s' % (r, st.st_mode, own, mt, body, grp, xa))\n"
    "print('\\n'.join(sorted(out)))\n";

char *tc_tree_dump(const char *root, unsigned flags, const char *skip)
{
	char *out = NULL;
	const char *argv[] = {"/usr/bin/python3", "-c", tree_dump_py, root,
			      tc_itoa(flags),	  skip, NULL};
	int st = th_run((char *const *)argv, NULL, &out, NULL);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		th_fail(__FILE__, __LINE__, "dumping the tree %s failed", root);
	return out;
}

char *tc_cgroup_procs(pid_t pid)
{
	char *cg = tc_read_file("/proc/self/cgroup");
	CHECK(cg != NULL);
	for (char *line = strtok(cg, "\n"); line; line = strtok(NULL, "\n")) {
		char *ctrl = strchr(line, ':'), *path = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = 0;
		ctrl++;
		if (!strncmp(ctrl, "name=", 5))
			ctrl += 5;
		const char *roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
		for (int i = 0; i < 2; i++) {
			char *f = *ctrl ? tc_fmt("/sys/fs/cgroup/%s%s/cgroup.procs", ctrl, path)
					: tc_fmt("%s%s/cgroup.procs", roots[i], path);
			char *text = tc_exists(f) ? tc_read_file(f) : NULL;
			if (text && strstr(tc_fmt("\n%s", text), tc_fmt("\n%d\n", (int)pid)))
				return f;
		}
	}
	return NULL;
}
