/* SPDX-License-Identifier: Apache-2.0 */
/*
 * a13probe.c - the commands of tests/integration/attack13.c (the cgroup
 * view's pid lists reached other ways).
 *
 *   links LIST WORD          LIST reopened through each name an fd of it
 *                            (or of its directory) gives: one line each,
 *                            "found"/"absent" for WORD as a whole line,
 *                            or "errno=NAME"
 *   late LIST WORD DECOY N READY
 *                            READY made, then LIST waited for (20 s at
 *                            most: "missing"), then N opens of a path a
 *                            second thread flips between LIST and DECOY:
 *                            "leaked L viewed V failed F"
 *   deep DIR NAME N WORD     DIR/NAME/NAME... (N times) entered by fds
 *                            (its path longer than PATH_MAX), then its
 *                            cgroup.procs, the thread list (cgroup.threads
 *                            or tasks) and cgroup.procs again from there
 *                            as the working directory: a line each
 */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe_cmds.h"

/* Whether the text of fd holds word as a whole line. */
static bool holds_line(int fd, const char *word)
{
	static char buf[1 << 20];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	size_t wl = strlen(word);
	for (char *s = strstr(buf, word); s; s = strstr(s + 1, word))
		if ((s == buf || s[-1] == '\n') && (s[wl] == '\n' || s[wl] == 0))
			return true;
	return false;
}

/* One line for the open of path (from dir) with flags. */
static void report(int dir, const char *path, int flags, const char *word)
{
	int fd = openat(dir, path, flags | O_CLOEXEC);
	if (fd < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return;
	}
	printf("%s\n", holds_line(fd, word) ? "found" : "absent");
	close(fd);
}

static int cmd_links(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *list = argv[1], *word = argv[2];
	const char *base = strrchr(list, '/');
	if (!base)
		return 2;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - list), list);
	base++;
	int f = open(list, O_PATH | O_CLOEXEC);
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int dp = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f < 0 || d < 0 || dp < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return 0;
	}
	char name[4096];
	int pid = getpid(), tid = gettid();
	snprintf(name, sizeof(name), "/proc/self/fd/%d", f);
	report(AT_FDCWD, name, O_RDONLY, word);
	snprintf(name, sizeof(name), "/proc/thread-self/fd/%d", f);
	report(AT_FDCWD, name, O_RDONLY, word);
	snprintf(name, sizeof(name), "/proc/%d/fd/%d", pid, f);
	report(AT_FDCWD, name, O_RDONLY, word);
	snprintf(name, sizeof(name), "/proc/%d/task/%d/fd/%d", pid, tid, f);
	report(AT_FDCWD, name, O_RDONLY | O_NOFOLLOW, word); /* the magic link itself */
	report(d, base, O_RDONLY, word);
	report(dp, base, O_RDONLY | O_NONBLOCK, word);
	snprintf(name, sizeof(name), "/proc/self/root%s", list);
	report(AT_FDCWD, name, O_RDONLY, word);
	snprintf(name, sizeof(name), "/proc/self/fd/%d/%s", dp, base);
	report(AT_FDCWD, name, O_RDONLY, word);
	if (fchdir(dp) < 0)
		printf("errno=%s\n", probe_errname(errno));
	else
		report(AT_FDCWD, base, O_RDONLY | O_CREAT, word);
	return 0;
}

static char flip_path[4096];
static const char *flip_names[2];
static volatile int flip_stop;

static void *flip(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !flip_stop; i++)
		strcpy(flip_path, flip_names[i & 1]);
	return NULL;
}

static int cmd_late(int argc, char **argv)
{
	if (argc < 6 || strlen(argv[1]) >= sizeof(flip_path) ||
	    strlen(argv[3]) >= sizeof(flip_path))
		return 2;
	int r = open(argv[5], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (r < 0)
		return 1;
	close(r);
	struct stat st;
	int waited = 0;
	while (stat(argv[1], &st) < 0 && waited++ < 2000)
		usleep(10000);
	if (waited > 2000) {
		printf("missing\n");
		return 0;
	}
	flip_names[0] = argv[1];
	flip_names[1] = argv[3];
	strcpy(flip_path, argv[3]);
	pthread_t t;
	if (pthread_create(&t, NULL, flip, NULL) != 0)
		return 1;
	long n = strtol(argv[4], NULL, 10), leaked = 0, viewed = 0, failed = 0;
	for (long i = 0; i < n; i++) {
		int fd = open(flip_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			failed++;
			continue;
		}
		/* the view is a memfd; the decoy a regular file on a disk */
		if (fstat(fd, &st) == 0 && st.st_nlink == 0)
			viewed++;
		leaked += holds_line(fd, argv[2]);
		close(fd);
	}
	flip_stop = 1;
	pthread_join(t, NULL);
	printf("leaked %ld viewed %ld failed %ld\n", leaked, viewed, failed);
	return 0;
}

static int cmd_deep(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	int d = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (long i = strtol(argv[3], NULL, 10); d >= 0 && i > 0; i--) {
		int next = openat(d, argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(d);
		d = next;
	}
	if (d < 0) {
		printf("errno=%s\n", probe_errname(errno));
		return 0;
	}
	report(d, "cgroup.procs", O_RDONLY, argv[4]);
	report(d, faccessat(d, "tasks", F_OK, 0) == 0 ? "tasks" : "cgroup.threads", O_RDONLY,
	       argv[4]);
	if (fchdir(d) < 0)
		printf("errno=%s\n", probe_errname(errno));
	else
		report(AT_FDCWD, "cgroup.procs", O_RDONLY, argv[4]);
	return 0;
}

static const struct probe_cmd cmds[] = {
    {"links", cmd_links},
    {"late", cmd_late},
    {"deep", cmd_deep},
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "a13probe", argc, argv);
}
