/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsprobe.c - a static helper for the filesystem tests that run with wide
 * grants (tests/integration/pseudofs.c): each subcommand tries one access
 * and prints one line, "ok" or "errno=<NAME>".  Nothing here writes
 * unless asked to, so a sandbox with / writable runs it safely.
 *
 *   open-w PATH         open(PATH, O_WRONLY) and close: no byte written
 *   write PATH VALUE    open(PATH, O_WRONLY) and write VALUE (no create,
 *                       no truncate)
 *   read PATH           open(PATH, O_RDONLY) and read one byte
 *   create PATH         creates PATH (O_CREAT | O_EXCL) holding "new\n"
 *   mkdir PATH          mkdir(PATH, 0755)
 *   ls PATH             opens PATH as a directory and reads one entry
 *   seq "CMD ARGS" ...  runs each subcommand in turn (split on spaces),
 *                       one line each
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* clang-format off */
#define EN(e) {e, #e}
static const struct {
	int nr;
	const char *name;
} errnames[] = {
	EN(EPERM), EN(ENOENT), EN(EIO), EN(ENXIO), EN(EBADF), EN(ENOMEM), EN(EACCES),
	EN(EFAULT), EN(EBUSY), EN(EEXIST), EN(EXDEV), EN(ENODEV), EN(ENOTDIR), EN(EISDIR),
	EN(EINVAL), EN(ENOSPC), EN(EROFS), EN(ELOOP), EN(EOPNOTSUPP), EN(ENOSYS),
};
#undef EN
/* clang-format on */

static int report(int rc)
{
	if (rc >= 0) {
		printf("ok\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].nr == errno) {
			printf("errno=%s\n", errnames[i].name);
			return 0;
		}
	printf("errno=%d\n", errno);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "fsprobe: usage: fsprobe open-w|write|read|create|mkdir|ls|seq ARGS\n");
	return 2;
}

static int cmd_open_w(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return report(fd);
}

static int cmd_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = fd;
	if (fd >= 0) {
		rc = write(fd, value, strlen(value)) < 0 ? -1 : 0;
		int e = errno;
		close(fd);
		errno = e;
	}
	return report(rc);
}

static int cmd_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = fd;
	if (fd >= 0) {
		char c;
		rc = read(fd, &c, 1) < 0 ? -1 : 0;
		int e = errno;
		close(fd);
		errno = e;
	}
	return report(rc);
}

static int cmd_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int rc = fd;
	if (fd >= 0) {
		rc = write(fd, "new\n", 4) == 4 ? 0 : -1;
		close(fd);
	}
	return report(rc);
}

static int cmd_ls(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return report(-1);
	errno = 0;
	int rc = readdir(d) || !errno ? 0 : -1;
	closedir(d);
	return report(rc);
}

static int dispatch(int argc, char **argv);

static int cmd_seq(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *copy = strdup(argv[i]), *save = NULL;
		char *words[8];
		int n = 0;
		for (char *w = strtok_r(copy, " ", &save); w && n < 7;
		     w = strtok_r(NULL, " ", &save))
			words[n++] = w;
		words[n] = NULL;
		if (n && dispatch(n, words) != 0)
			printf("usage\n");
		fflush(stdout);
		free(copy);
	}
	return 0;
}

static int dispatch(int argc, char **argv)
{
	const char *c = argv[0];
	if (!strcmp(c, "open-w") && argc == 2)
		return cmd_open_w(argv[1]);
	if (!strcmp(c, "write") && argc == 3)
		return cmd_write(argv[1], argv[2]);
	if (!strcmp(c, "read") && argc == 2)
		return cmd_read(argv[1]);
	if (!strcmp(c, "create") && argc == 2)
		return cmd_create(argv[1]);
	if (!strcmp(c, "mkdir") && argc == 2)
		return report(mkdir(argv[1], 0755));
	if (!strcmp(c, "ls") && argc == 2)
		return cmd_ls(argv[1]);
	if (!strcmp(c, "seq"))
		return cmd_seq(argc, argv);
	return usage();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	int rc = dispatch(argc - 1, argv + 1);
	fflush(stdout);
	return rc;
}
