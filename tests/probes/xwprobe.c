/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xwprobe.c - attacks on the exclusive creations the filter leaves to the
 * kernel and on the on-behalf walk (tests/integration/attack8x.c).
 * Static; each subcommand prints one line, "ok" or "errno=ENAME"
 * (probe_cmds.h), unless said otherwise.  FLAGS and MODE are numbers as
 * strtoull reads them (0x..., 0...), all 64 bits passed in the register.
 *
 *   open PATH FLAGS MODE         openat(AT_FDCWD, PATH, FLAGS, MODE)
 *   open-legacy PATH FLAGS MODE  the open syscall
 *   creat PATH MODE              the creat syscall
 *   chmod-at DIR NAME MODE       fchmodat of NAME from an O_PATH fd of DIR
 *   chmod-cwd DIR NAME MODE      chdir(DIR), then chmod of NAME and of
 *                                /proc/self/cwd/NAME: two lines
 *   rename FROM TO               rename(2)
 *   race-move DIR NAME N MODE FROM TO
 *                                N fchmodats of NAME from an O_PATH fd of
 *                                DIR while a second thread keeps renaming
 *                                FROM to TO and back (moving directories
 *                                above DIR); prints "ok <chmods that
 *                                succeeded> <renames that succeeded>"
 *   race-fd GOOD OTHER N MODE    N fchmods of fd 100 while a second thread
 *                                keeps putting on it (dup2) GOOD and OTHER
 *                                opened read-only and GOOD opened O_PATH;
 *                                prints "ok <fchmods that succeeded>
 *                                <EBADF answers>"
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe_cmds.h"

static uint64_t num(const char *s)
{
	return (uint64_t)strtoull(s, NULL, 0);
}

/* The fd is closed again: only whether the kernel opened counts. */
static int report_fd(long fd)
{
	int e = errno;
	if (fd >= 0)
		close((int)fd);
	errno = e;
	return probe_report(fd);
}

static int c_open(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	return report_fd(syscall(SYS_openat, (long)AT_FDCWD, argv[1], num(argv[2]), num(argv[3])));
}

static int c_open_legacy(int argc, char **argv)
{
	if (argc < 4)
		return 2;
#ifdef SYS_open
	return report_fd(syscall(SYS_open, argv[1], num(argv[2]), num(argv[3])));
#else
	return report_fd(syscall(SYS_openat, (long)AT_FDCWD, argv[1], num(argv[2]), num(argv[3])));
#endif
}

static int c_creat(int argc, char **argv)
{
	if (argc < 3)
		return 2;
#ifdef SYS_creat
	return report_fd(syscall(SYS_creat, argv[1], num(argv[2])));
#else
	return report_fd(syscall(SYS_openat, (long)AT_FDCWD, argv[1],
				 (uint64_t)(O_CREAT | O_WRONLY | O_TRUNC), num(argv[2])));
#endif
}

static int c_chmod_at(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int d = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return probe_report(d);
	return probe_report(fchmodat(d, argv[2], (mode_t)num(argv[3]), 0));
}

static int c_chmod_cwd(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	if (chdir(argv[1]) < 0)
		return probe_report(-1);
	char via[4096];
	snprintf(via, sizeof(via), "/proc/self/cwd/%s", argv[2]);
	probe_report(chmod(argv[2], (mode_t)num(argv[3])));
	return probe_report(chmod(via, (mode_t)num(argv[3])));
}

static int c_rename(int argc, char **argv)
{
	return argc < 3 ? 2 : probe_report(rename(argv[1], argv[2]));
}

struct mover {
	const char *from, *to;
	atomic_bool done;
	long moved;
};

static void *move_loop(void *p)
{
	struct mover *m = p;
	while (!atomic_load(&m->done)) {
		if (rename(m->from, m->to) == 0)
			m->moved++;
		if (rename(m->to, m->from) == 0)
			m->moved++;
	}
	return NULL;
}

static int c_race_move(int argc, char **argv)
{
	if (argc < 7)
		return 2;
	int d = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return probe_report(d);
	struct mover m = {.from = argv[5], .to = argv[6]};
	pthread_t th;
	if (pthread_create(&th, NULL, move_loop, &m) != 0)
		return 2;
	long n = (long)num(argv[3]), ok = 0;
	for (long i = 0; i < n; i++)
		ok += fchmodat(d, argv[2], (mode_t)num(argv[4]), 0) == 0;
	atomic_store(&m.done, true);
	pthread_join(th, NULL);
	printf("ok %ld %ld\n", ok, m.moved);
	return 0;
}

struct swapper {
	int fds[3];
	atomic_bool done;
};

static void *swap_loop(void *p)
{
	struct swapper *s = p;
	for (unsigned i = 0; !atomic_load(&s->done); i++)
		dup2(s->fds[i % 3], 100);
	return NULL;
}

static int c_race_fd(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	struct swapper s = {.fds = {open(argv[1], O_RDONLY | O_CLOEXEC),
				    open(argv[2], O_RDONLY | O_CLOEXEC),
				    open(argv[1], O_PATH | O_CLOEXEC)}};
	for (int i = 0; i < 3; i++)
		if (s.fds[i] < 0)
			return probe_report(-1);
	dup2(s.fds[0], 100);
	pthread_t th;
	if (pthread_create(&th, NULL, swap_loop, &s) != 0)
		return 2;
	long n = (long)num(argv[3]), ok = 0, badf = 0;
	for (long i = 0; i < n; i++) {
		int r = fchmod(100, (mode_t)num(argv[4]));
		ok += r == 0;
		badf += r < 0 && errno == EBADF;
	}
	atomic_store(&s.done, true);
	pthread_join(th, NULL);
	printf("ok %ld %ld\n", ok, badf);
	return 0;
}

static const struct probe_cmd cmds[] = {
    {"open", c_open},		{"open-legacy", c_open_legacy}, {"creat", c_creat},
    {"chmod-at", c_chmod_at},	{"chmod-cwd", c_chmod_cwd},	{"rename", c_rename},
    {"race-move", c_race_move}, {"race-fd", c_race_fd},
};

int main(int argc, char **argv)
{
	return probe_main(cmds, sizeof(cmds) / sizeof(cmds[0]), "xwprobe", argc, argv);
}
