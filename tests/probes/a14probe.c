/* SPDX-License-Identifier: Apache-2.0 */
/*
 * a14probe.c - what the filesystem policy's Landlock rules let through
 * (tests/integration/attack14.c).  Static.
 *
 *   dir-race DIR NAME DECOY N  N opens (O_RDONLY | O_DIRECTORY) of a path a
 *                            second thread flips between DECOY and DIR,
 *                            each one that did not land on DECOY listed
 *                            whole: "leaked K opened O failed F", K
 *                            listings that held NAME, O opens that
 *                            landed elsewhere than DECOY, F that failed
 *   open-r FILE...           opens each FILE for reading (O_NONBLOCK |
 *                            O_NOCTTY: a device node opens at once and
 *                            is no terminal of ours): "ok" or
 *                            "errno=ENAME" each
 *   ready-open READY GO FILE...
 *                            makes READY (unless there), waits until GO
 *                            exists (the
 *                            test mounts something meanwhile), then
 *                            open-r FILE...
 *   open-w FILE...           opens each FILE for writing (nothing is
 *                            written): "ok" or "errno=ENAME" each
 *   ready-race READY GO FILE WORD DECOY N
 *                            makes READY (unless there), waits until GO
 *                            exists, then
 *                            N opens of a path flipped between DECOY and
 *                            FILE, each read whole: "leaked K failed F",
 *                            K reads that held WORD as a whole line
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe_cmds.h"

static char race_path[4096];
static const char *race_names[2];
static volatile int race_stop;

static void *flip(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !race_stop; i++)
		strcpy(race_path, race_names[i & 1]);
	return NULL;
}

static int race_start(pthread_t *t, const char *target, const char *decoy)
{
	if (strlen(target) >= sizeof(race_path) || strlen(decoy) >= sizeof(race_path))
		return -1;
	race_names[0] = target;
	race_names[1] = decoy;
	strcpy(race_path, decoy);
	return pthread_create(t, NULL, flip, NULL) == 0 ? 0 : -1;
}

static void race_end(pthread_t t)
{
	race_stop = 1;
	pthread_join(t, NULL);
}

/* Whether the directory fd lists name (fd is consumed). */
static bool lists(int fd, const char *name)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	bool found = false;
	for (struct dirent *e; !found && (e = readdir(d));)
		found = !strcmp(e->d_name, name);
	closedir(d);
	return found;
}

static int cmd_dir_race(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	struct stat decoy;
	if (stat(argv[3], &decoy) < 0)
		return 1;
	pthread_t t;
	if (race_start(&t, argv[1], argv[3]) < 0)
		return 1;
	long n = strtol(argv[4], NULL, 10), leaked = 0, opened = 0, failed = 0;
	for (long i = 0; i < n; i++) {
		int fd = open(race_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;
		if (fd < 0) {
			failed++;
			continue;
		}
		if (fstat(fd, &st) == 0 && st.st_dev == decoy.st_dev && st.st_ino == decoy.st_ino) {
			close(fd);
			continue;
		}
		opened++;
		leaked += lists(fd, argv[2]);
	}
	race_end(t);
	printf("leaked %ld opened %ld failed %ld\n", leaked, opened, failed);
	return 0;
}

static void wait_for(const char *path)
{
	while (access(path, F_OK) != 0)
		usleep(1000);
}

static int cmd_open_r(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		probe_report(fd);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* Makes ready (unless there), then waits until go exists: 0, or -1. */
static int handshake(const char *ready, const char *go)
{
	int r = access(ready, F_OK) == 0 ? -2 : open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (r == -1)
		return -1;
	if (r >= 0)
		close(r);
	wait_for(go);
	return 0;
}

static int cmd_ready_open(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	if (handshake(argv[1], argv[2]) < 0)
		return 1;
	return cmd_open_r(argc - 2, argv + 2);
}

static int cmd_open_w(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		probe_report(fd);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* Whether the file fd holds word as a whole line (fd is closed). */
static bool holds_line(int fd, const char *word)
{
	static char buf[65536];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	size_t wl = strlen(word);
	for (char *s = strstr(buf, word); s; s = strstr(s + 1, word))
		if ((s == buf || s[-1] == '\n') && (s[wl] == '\n' || s[wl] == 0))
			return true;
	return false;
}

static int cmd_ready_race(int argc, char **argv)
{
	if (argc < 7)
		return 2;
	if (handshake(argv[1], argv[2]) < 0)
		return 1;
	pthread_t t;
	if (race_start(&t, argv[3], argv[5]) < 0)
		return 1;
	long n = strtol(argv[6], NULL, 10), leaked = 0, failed = 0;
	for (long i = 0; i < n; i++) {
		int fd = open(race_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			failed++;
		else
			leaked += holds_line(fd, argv[4]);
	}
	race_end(t);
	printf("leaked %ld failed %ld\n", leaked, failed);
	return 0;
}

static const struct probe_cmd cmds[] = {
    {"dir-race", cmd_dir_race}, {"open-r", cmd_open_r},		{"ready-open", cmd_ready_open},
    {"open-w", cmd_open_w},	{"ready-race", cmd_ready_race},
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "a14probe", argc, argv);
}
