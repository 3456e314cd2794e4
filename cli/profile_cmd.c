/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile_cmd.c - `sandlock profile list | show NAME | delete NAME`: the
 * user's profiles and the built-in ones (profile.h says where).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "profile.h"

#define USAGE "Usage: sandlock profile list | show NAME | delete NAME\n"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The profiles of dir, sorted, each "NAME<tag>". */
static void list_dir(const char *dir, const char *tag)
{
	DIR *d = opendir(dir);
	char *names[512];
	size_t n = 0;
	for (struct dirent *de; d && (de = readdir(d)) && n < 512;) {
		size_t len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".toml") == 0 &&
		    (names[n] = strndup(de->d_name, len - 5)) && profile_name_ok(names[n]))
			n++;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		printf("%s%s\n", names[i], tag);
		free(names[i]);
	}
}

static int list(void)
{
	char dir[PATH_MAX];
	if (profile_user_dir(dir, sizeof(dir)) == 0)
		list_dir(dir, "");
	if (profile_builtin_dir(dir, sizeof(dir)) == 0)
		list_dir(dir, " (built-in)");
	return CLI_EXIT_OK;
}

/* The file of the user's profile name (delete reaches no other). */
static int user_file(const char *name, char *out, size_t len)
{
	char dir[PATH_MAX];
	if (!profile_name_ok(name) || profile_user_dir(dir, sizeof(dir)) < 0)
		return -1;
	int n = snprintf(out, len, "%s/%s.toml", dir, name);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int show(const char *name)
{
	struct profile p;
	struct cli_err e;
	/* loaded (and so checked) first: what is shown is what -p reads */
	if (profile_load(name, NULL, &p, &e) < 0) {
		fprintf(stderr, "sandlock: %s\n", e.msg);
		return CLI_EXIT_FAILURE;
	}
	FILE *f = fopen(p.path, "r");
	char buf[4096];
	size_t n;
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	if (f)
		fclose(f);
	profile_free(&p);
	return f ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static int delete (const char *name)
{
	char path[PATH_MAX];
	if (user_file(name, path, sizeof(path)) < 0) {
		fprintf(stderr, "sandlock: invalid profile name '%s'\n", name);
		return CLI_EXIT_USAGE;
	}
	if (unlink(path) < 0) {
		fprintf(stderr, "sandlock: cannot delete profile '%s' (%s): %s%s\n", name, path,
			strerror(errno),
			errno == ENOENT ? " (built-in profiles cannot be deleted)" : "");
		return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}

int cmd_profile(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;
	if (verb && (!strcmp(verb, "-h") || !strcmp(verb, "--help"))) {
		printf(USAGE);
		return CLI_EXIT_OK;
	}
	if (verb && !strcmp(verb, "list") && argc == 2)
		return list();
	if (verb && !strcmp(verb, "show") && argc == 3)
		return show(argv[2]);
	if (verb && !strcmp(verb, "delete") && argc == 3)
		return delete (argv[2]);
	fprintf(stderr, "sandlock: profile: %s\n" USAGE,
		verb ? "unknown or incomplete command" : "missing command");
	return CLI_EXIT_USAGE;
}
