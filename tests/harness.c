/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness.c - runner for tests declared with TEST() (see harness.h).
 *
 * SANDLOCK_TEST_MUST_WORK=1 turns a skip into a failure, unless the skip
 * is listed as expected on the CI machine: a line "[label] name: reason"
 * of tests/expected-skips.txt (label is the pass, TH_LABEL without the
 * brackets; reason is the start of the message the test skips with).
 * The list is read once, before any test runs (a test may have confined
 * itself by the time it skips); SANDLOCK_TEST_EXPECTED_SKIPS names
 * another file (tests/run.sh sets it, the unprivileged pass runs from a
 * copy of the build tree).  Without the variable, a skip is a skip.
 */
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

/* SANDLOCK_TEST_MUST_WORK: the expected skips, and the running test. */
#define TH_EXPECT_MAX 64
static struct th_expect {
	char label[32]; /* "" matches every pass */
	char name[128];
	char reason[256];
} expected[TH_EXPECT_MAX];
static int nexpected;
static bool must_work;
static char expected_path[PATH_MAX];
static const char *cur_label = "", *cur_name = "";

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

/* True when the running test's skip with message why is listed. */
static bool skip_expected(const char *why)
{
	for (int i = 0; i < nexpected; i++) {
		const struct th_expect *x = &expected[i];
		if ((!x->label[0] || strcmp(x->label, cur_label) == 0) &&
		    strcmp(x->name, cur_name) == 0 &&
		    strncmp(why, x->reason, strlen(x->reason)) == 0)
			return true;
	}
	return false;
}

void th_skip(const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("    skip: %s\n", why);
	if (must_work && !skip_expected(why)) {
		printf("    SANDLOCK_TEST_MUST_WORK is set and the expected skips (%s) lack "
		       "\"%s%s%s%s: %s\"\n",
		       expected_path, cur_label[0] ? "[" : "", cur_label, cur_label[0] ? "] " : "",
		       cur_name, why);
		fflush(NULL);
		th_cleanup();
		_exit(1);
	}
	fflush(NULL);
	th_cleanup();
	_exit(TH_SKIP_STATUS);
}

/* "  x  " -> "x" (in place). */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* Parses one line "[label] name: reason" (label optional) into x. */
static bool parse_expect(char *line, struct th_expect *x)
{
	char *p = trim(line), *colon;
	memset(x, 0, sizeof(*x));
	if (*p == '[') {
		char *end = strchr(p, ']');
		if (!end || (size_t)(end - p - 1) >= sizeof(x->label))
			return false;
		memcpy(x->label, p + 1, (size_t)(end - p - 1));
		p = end + 1;
	}
	colon = strchr(p, ':');
	if (!colon)
		return false;
	*colon = 0;
	p = trim(p);
	char *reason = trim(colon + 1);
	if (!*p || !*reason || strlen(p) >= sizeof(x->name) || strlen(reason) >= sizeof(x->reason))
		return false;
	strcpy(x->name, p);
	strcpy(x->reason, reason);
	return true;
}

/* Reads the expected skips when SANDLOCK_TEST_MUST_WORK is set.  A list
 * that cannot be read leaves it empty (every skip fails); a malformed
 * line ends the run. */
static void load_expected(void)
{
	const char *v = getenv("SANDLOCK_TEST_MUST_WORK");
	must_work = v && *v && strcmp(v, "0") != 0;
	if (!must_work)
		return;
	const char *path = getenv("SANDLOCK_TEST_EXPECTED_SKIPS");
	snprintf(expected_path, sizeof(expected_path), "%s",
		 path && *path ? path : th_build("../tests/expected-skips.txt"));
	FILE *f = fopen(expected_path, "r");
	if (!f) {
		printf("note: SANDLOCK_TEST_MUST_WORK: cannot read %s (%s): every skip fails\n",
		       expected_path, strerror(errno));
		return;
	}
	char line[512];
	for (int n = 1; fgets(line, sizeof(line), f); n++) {
		char *p = trim(line);
		if (!*p || *p == '#')
			continue;
		if (nexpected == TH_EXPECT_MAX) {
			printf("%s:%d: more than %d expected skips\n", expected_path, n,
			       TH_EXPECT_MAX);
			exit(1);
		}
		if (!parse_expect(p, &expected[nexpected])) {
			printf("%s:%d: expected \"[label] name: reason\"\n", expected_path, n);
			exit(1);
		}
		nexpected++;
	}
	fclose(f);
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

void th_skip_under_valgrind(const char *why)
{
	const char *v = getenv("SANDLOCK_UNDER_VALGRIND");
	if (v && *v == '1')
		th_skip("under valgrind: %s", why);
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
		cur_name = tests[i].name;
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
	/* "[user]" -> "user", the pass an expected skip may name */
	static char bare[32];
	if (label && label[0] == '[') {
		snprintf(bare, sizeof(bare), "%s", label + 1);
		bare[strcspn(bare, "]")] = 0;
		cur_label = bare;
	} else if (label) {
		cur_label = label;
	}
	load_expected();
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
