/* SPDX-License-Identifier: Apache-2.0 */
/* cowrules.c - the plan of a workdir with fs_isolation none (cowrules.h). */
#include "cowrules.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow.h"
#include "cowfs.h"
#include "layer.h"
#include "error.h"
#include "policy.h"
#include "util.h"

/* Whether a is b or beneath it (canonical names). */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);
	return !strcmp(b, "/") || (!strncmp(a, b, n) && (a[n] == '/' || a[n] == 0));
}

/* Each path of l (canonicalized; one gone holds nothing) against the
 * workdir (inside it or holding it) and, with dir, against the branch's
 * directory (holding it). */
static int check(const struct sl_strv *l, const char *what, const struct cow_branch *b, bool branch)
{
	for (size_t i = 0; i < l->n; i++) {
		char *p = realpath(l->v[i], NULL);
		if (!p)
			continue;
		bool inside = within(p, b->workdir), holds = within(b->workdir, p);
		bool store = branch && within(b->dir, p);
		free(p);
		if (inside || holds)
			return sl_errorf(ENOTSUP,
					 "not supported yet: %s '%s' %s the workdir '%s' with "
					 "fs_isolation none (the copy-on-write layer serves the "
					 "workdir whole)",
					 what, l->v[i], inside ? "inside" : "holding", b->workdir);
		if (store)
			return sl_errorf(ENOTSUP,
					 "%s '%s' holds the staged changes' storage '%s': the "
					 "command would write into its own layer; set fs_storage "
					 "elsewhere",
					 what, l->v[i], b->dir);
	}
	return 0;
}

int cowrules_plan(struct sl_strv *read, const struct sandlock_sandbox *cfg,
		  const struct cow_branch *b)
{
	int r = check(&cfg->fs_write, "fs_write", b, true);
	if (r == 0)
		r = check(&cfg->fs_deny, "fs_deny", b, false);
	if (r < 0)
		return r;
	if (sl_strv_copy(read, &cfg->fs_read) < 0 || sl_strv_push(read, b->upper) < 0)
		return sl_errorf(ENOMEM, "out of memory");
	return 0;
}

/* rel (relative to the workdir) made to exist in the upper as it is
 * (layer_materialize): 0 or -errno. */
static int materialize(const struct cow_branch *b, const char *rel)
{
	int low = open(b->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int up = cow_open_upper(b);
	int work = b->dir_fd < 0
		       ? -1
		       : openat(b->dir_fd, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct layer l = {.lower = low,
			  .upper = up,
			  .work = work,
			  .user_xattr = b->user_xattr,
			  .workdir = b->workdir};
	int r = low < 0 || up < 0 ? -ENOENT : layer_materialize(&l, rel);
	if (low >= 0)
		close(low);
	if (up >= 0)
		close(up);
	if (work >= 0)
		close(work);
	return r;
}

int cowrules_start(char **out, char **asked, const char *cwd, const struct cow_branch *b)
{
	char *c = cwd ? realpath(cwd, NULL) : strdup(b->workdir);
	size_t wl = strlen(b->workdir);
	const char *rel = !c ? NULL : !cwd ? "" : within(c, b->workdir) ? c + wl : NULL;
	rel = rel ? rel + strspn(rel, "/") : NULL;
	/* the copy-up runs before the child exists, with the caller's ids (the
	 * child's): as root, it reads the modes and times of directories the
	 * child, which changes into it before it drops its capabilities,
	 * could enter anyway */
	if (rel && *rel && materialize(b, rel) < 0)
		rel = NULL;
	int n = 0;
	if (rel)
		n = asprintf(out, "%s%s%s", b->upper, *rel ? "/" : "", rel);
	else
		*out = cwd ? strdup(cwd) : NULL;
	*asked = c;
	if (n < 0 || !*out) {
		free(c);
		*out = *asked = NULL;
		return sl_errorf(ENOMEM, "out of memory");
	}
	return 0;
}
