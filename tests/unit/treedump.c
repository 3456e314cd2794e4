/* SPDX-License-Identifier: Apache-2.0 */
/* treedump.c - a tree as one string (see treedump.h). */
#include "treedump.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define MAX_LINES 512

static char *lines[MAX_LINES];
static size_t n_lines, root_len;

void treedump_line(const char *rel, const struct stat *st, const char *body)
{
	CHECK(n_lines < MAX_LINES);
	CHECK(asprintf(&lines[n_lines++], "%s %o %lu [%s]", rel, st->st_mode,
		       S_ISDIR(st->st_mode) ? 0UL : (unsigned long)st->st_nlink, body) > 0);
}

static int one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)type;
	(void)ftw;
	if (strlen(path) <= root_len)
		return 0;
	char body[128] = "";
	if (S_ISREG(st->st_mode)) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(body, 1, sizeof(body) - 1, f) : 0;
		body[n] = 0;
		if (f)
			fclose(f);
	} else if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(path, body, sizeof(body) - 1);
		body[n > 0 ? n : 0] = 0;
	}
	treedump_line(path + root_len + 1, st, body);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *treedump_join(void)
{
	qsort(lines, n_lines, sizeof(*lines), cmp);
	size_t len = 1;
	for (size_t i = 0; i < n_lines; i++)
		len += strlen(lines[i]) + 1;
	char *s = calloc(1, len);
	CHECK(s != NULL);
	for (size_t i = 0; i < n_lines; i++) {
		strcat(s, lines[i]);
		strcat(s, "\n");
		free(lines[i]);
	}
	n_lines = 0;
	return s;
}

char *treedump(const char *root)
{
	n_lines = 0;
	root_len = strlen(root);
	CHECK_EQ(nftw(root, one, 16, FTW_PHYS), 0);
	return treedump_join();
}
