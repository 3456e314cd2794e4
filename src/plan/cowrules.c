/* SPDX-License-Identifier: Apache-2.0 */
/* cowrules.c - the plan of a workdir with fs_isolation none (cowrules.h). */
#include "cowrules.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cow.h"
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
	if (sl_strv_copy(read, &cfg->fs_read) < 0 || sl_strv_push(read, b->workdir) < 0 ||
	    sl_strv_push(read, b->upper) < 0)
		return sl_errorf(ENOMEM, "out of memory");
	return 0;
}
