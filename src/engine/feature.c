/* SPDX-License-Identifier: Apache-2.0 */
/* feature.c - the features' notify rules, gathered for the plan (see feature.h). */
#include "feature.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define FEATURE_MAX_RULES 128 /* rows one feature may declare */

size_t feature_rows_copy(const struct sl_frow *rows, size_t n, const sl_hfn *fns, size_t n_fns,
			 struct sl_frule *out, size_t max)
{
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = (struct sl_frule){.when = rows[i].when,
					   .fn = rows[i].h < n_fns ? fns[rows[i].h] : NULL};
	return n;
}

bool feature_is_active(const struct sl_feature *f, const struct sl_feature_env *env)
{
	return !f->active || f->active(env);
}

/* How many rows the active f declares (rules() asked for none: it only
 * counts). */
static size_t rule_count(const struct sl_feature *f, const struct sl_feature_env *env)
{
	return f->rules ? f->rules(env, NULL, 0) : f->n_table;
}

/* Sized to what f declares: a fixed worst case on the stack (128 rows,
 * 20 KB) cost page faults at every start, several us each on a VM. */
int feature_rules_of(const struct sl_feature *f, const struct sl_feature_env *env,
		     struct sl_frule **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t max = rule_count(f, env);
	if (max > FEATURE_MAX_RULES)
		return sl_errorf(E2BIG, "feature %s: more than %d notify rules", f->name,
				 FEATURE_MAX_RULES);
	if (max && !(*out = malloc(max * sizeof(**out))))
		return sl_errorf(ENOMEM, "out of memory");
	size_t m = f->rules ? f->rules(env, *out, max)
			    : feature_rows_copy(f->table, f->n_table, f->fns, f->n_fns, *out, max);
	size_t bad = 0;
	while (m <= max && bad < m && (*out)[bad].fn)
		bad++;
	if (m > max || bad < m) {
		free(*out);
		*out = NULL;
		return m > max ? sl_errorf(E2BIG, "feature %s: more notify rules than it counted",
					   f->name)
			       : sl_errorf(EINVAL, "feature %s: notify rule %zu has no handler",
					   f->name, bad);
	}
	*n = m;
	return 0;
}

/* Appends r unless an equal rule is there already. */
static void add_rule(struct sl_nrule *v, size_t *n, const struct sl_nrule *r)
{
	for (size_t i = 0; i < *n; i++)
		if (memcmp(&v[i], r, sizeof(*r)) == 0)
			return;
	v[(*n)++] = *r;
}

/* A conditional rule of f whose handler relies on its condition. */
static bool is_exact(const struct sl_feature *f, const struct sl_nrule *r)
{
	for (size_t i = 0; r->ncmp > 0 && i < f->n_exact; i++)
		if (f->exact[i] == r->nr)
			return true;
	return false;
}

/* The active feature, if any, with an exact rule for nr (owner[i] is set
 * for those only).  A handler on every call of nr would make the filter
 * notify them all (an unconditional rule supersedes the conditional
 * ones), and that feature's handler would get calls it was written never
 * to see: utimensat's fd form, answered EFAULT for its NULL path. */
static const char *exact_owner(const struct sl_nrule *v, const char *const *owner, size_t n, int nr)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].nr == nr && owner[i])
			return owner[i];
	return NULL;
}

/* Sized to what the active features declare: a fixed worst case (128
 * rows each, 230 KB) cost a new mapping and its page faults at every
 * start, 60 to 80 us on a VM. */
int feature_plan_rules(const struct sl_feature_set *set, const struct sl_feature_env *env,
		       const int *user_nrs, size_t n_user, struct sl_nrule **out, size_t *n)
{
	size_t cap = n_user + 1;
	for (size_t i = 0; i < set->n; i++)
		cap += feature_is_active(set->v[i], env) ? rule_count(set->v[i], env) : 0;
	struct sl_nrule *v = calloc(cap, sizeof(*v));
	const char **owner = calloc(cap, sizeof(*owner));
	*out = NULL;
	*n = 0;
	int r = v && owner ? 0 : sl_errorf(ENOMEM, "out of memory");
	size_t k = 0;
	for (size_t i = 0; r == 0 && i < set->n; i++) {
		struct sl_frule *buf;
		size_t m;
		if (!feature_is_active(set->v[i], env))
			continue;
		r = feature_rules_of(set->v[i], env, &buf, &m);
		for (size_t j = 0; r == 0 && j < m && k < cap; j++) {
			owner[k] = is_exact(set->v[i], &buf[j].when) ? set->v[i]->name : NULL;
			add_rule(v, &k, &buf[j].when);
		}
		free(buf);
	}
	for (size_t i = 0; r == 0 && i < n_user; i++) {
		const char *f = exact_owner(v, owner, k, user_nrs[i]);
		if (f)
			r = sl_errorf(
			    EPERM,
			    "handler on syscall %d refused: the feature \"%s\" is notified "
			    "of it only for some arguments and relies on that; a handler on "
			    "every call would hand it the others",
			    user_nrs[i], f);
		else
			add_rule(v, &k, &(struct sl_nrule){.nr = user_nrs[i]});
	}
	free(owner);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = k;
	return 0;
}
