/* SPDX-License-Identifier: Apache-2.0 */
/* harness.c - runner for tests declared with TEST() (see harness.h). */
#include "harness.h"

#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TH_MAX	       1024
#define TH_SKIP_STATUS 77
#define TH_TIMEOUT_S   120

static struct {
	const char *name;
	th_fn fn;
} tests[TH_MAX];
static int ntests;
static char tmpdir[PATH_MAX];

void th_register(const char *name, th_fn fn)
{
	if (ntests < TH_MAX) {
		tests[ntests].name = name;
		tests[ntests].fn = fn;
		ntests++;
	}
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw);

/* Removes the test's private directory (best effort). */
static void th_cleanup(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

void th_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	th_cleanup();
	_exit(1);
}

void th_skip(const char *fmt, ...)
{
	va_list ap;
	printf("    skip: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(NULL);
	th_cleanup();
	_exit(TH_SKIP_STATUS);
}

const char *th_build(const char *rel)
{
	static char buf[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		th_fail(__FILE__, __LINE__, "readlink /proc/self/exe");
	exe[n] = 0;
	/* build/tests/<binary> -> build/ */
	char *d = dirname(dirname(exe));
	snprintf(buf, sizeof(buf), "%s/%s", d, rel);
	return buf;
}

const char *th_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/sl-test-XXXXXX",
			 base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir))
			th_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
		chmod(tmpdir, 0755);
	}
	return tmpdir;
}

bool th_root(void)
{
	return geteuid() == 0;
}

int th_run(char *const argv[], char *const env[], char **out, char **err)
{
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		th_fail(__FILE__, __LINE__, "pipe");
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (env)
			execve(argv[0], argv, env);
		else
			execv(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(126);
	}
	close(po[1]);
	close(pe[1]);
	/* Read both pipes concurrently so neither can fill up. */
	struct sl_acc {
		char *p;
		size_t len, cap;
	} acc[2] = {{0}, {0}};
	struct pollfd pfd[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (acc[i].len + 65537 > acc[i].cap) {
				acc[i].cap = acc[i].cap * 2 + 65537;
				acc[i].p = realloc(acc[i].p, acc[i].cap);
			}
			ssize_t r = read(pfd[i].fd, acc[i].p + acc[i].len, 65536);
			if (r > 0) {
				acc[i].len += (size_t)r;
			} else if (r == 0 || errno != EINTR) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		if (!acc[i].p)
			acc[i].p = malloc(1);
		acc[i].p[acc[i].len] = 0;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = acc[0].p;
	else
		free(acc[0].p);
	if (err)
		*err = acc[1].p;
	else
		free(acc[1].p);
	return st;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int run_one(int i)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(TH_TIMEOUT_S);
		tests[i].fn();
		fflush(NULL);
		th_cleanup();
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		printf("    killed by signal %d%s\n", WTERMSIG(st),
		       WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
	return 1;
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	const char *label = getenv("TH_LABEL");
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < ntests; i++) {
		if (!selected(tests[i].name, argc, argv))
			continue;
		int rc = run_one(i);
		if (rc == 0) {
			passed++;
			printf("ok   %s%s%s\n", label ? label : "", label ? " " : "",
			       tests[i].name);
		} else if (rc == TH_SKIP_STATUS) {
			skipped++;
			printf("skip %s%s%s\n", label ? label : "", label ? " " : "",
			       tests[i].name);
		} else {
			failed++;
			printf("FAIL %s%s%s\n", label ? label : "", label ? " " : "",
			       tests[i].name);
		}
	}
	if (skipped)
		printf("%d skipped\n", skipped);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
