/* SPDX-License-Identifier: Apache-2.0 */
/* fstree.c - trees and recorded rules for the fsdeny and fsspecial tests. */
#include "fstree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util.h"

int record(void *ctx, int fd, const struct stat *st, uint64_t access)
{
	struct rec *r = ctx;
	if (r->n == SL_ARRAY_SIZE(r->v))
		return -ENOSPC;
	r->v[r->n].dev = st->st_dev;
	r->v[r->n].ino = st->st_ino;
	r->v[r->n].access = access;
	r->n++;
	return 0;
}

uint64_t rights(const struct rec *r, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		th_fail(__FILE__, __LINE__, "lstat %s: %s", path, strerror(errno));
	uint64_t a = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].dev == st.st_dev && r->v[i].ino == st.st_ino)
			a |= r->v[i].access;
	return a;
}

char *at(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", th_tmpdir(), name) < 0)
		th_fail(__FILE__, __LINE__, "out of memory");
	return p;
}

char *mkd(const char *name)
{
	char *p = at(name);
	if (mkdir(p, 0755) < 0)
		th_fail(__FILE__, __LINE__, "mkdir %s: %s", p, strerror(errno));
	return p;
}

char *mkf(const char *name)
{
	char *p = at(name);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		th_fail(__FILE__, __LINE__, "create %s: %s", p, strerror(errno));
	close(fd);
	return p;
}
