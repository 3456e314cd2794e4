/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explain.c - what Landlock is about to refuse, as denial events (policy
 * explain_denials, when the kernel's own audit records cannot be read).
 *
 * Landlock refuses an open outside the granted trees in the kernel: the
 * supervisor never hears of it and the user sees only the program's
 * "Permission denied".  Last in the dispatch order, this feature sees
 * only the calls every other feature passed on to the kernel, and checks
 * each open, exec and name change against the policy as the on-behalf
 * core decides its own calls (onbehalf.h: resolved as the calling thread
 * would, on the object's identity, with the child's credentials), with
 * no operation: a refusal there is the refusal Landlock is about to make,
 * recorded with the flag that would allow it.  Then CONTINUE: the kernel
 * decides, as it would have.
 *
 * A report, never a decision: the path is read from the child's memory
 * once, so a process can make up entries about itself (rewriting its
 * buffer after the read), but never hide what it was refused, nor
 * change what it is allowed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "feature.h"
#include "observe.h"
#include "onbehalf.h"
#include "policy.h"
#include "registry.h"

struct explain_state {
	struct onbehalf *ob;
};

static long no_op(const struct ob_obj *o, void *arg)
{
	(void)o;
	(void)arg;
	return 0;
}

/* The policy's reason to refuse need on (dirfd, path), or NULL. */
static const char *refused(struct explain_state *st, struct sl_ctx *c, int dirfd, const char *path,
			   bool nofollow, enum ob_need need)
{
	const char *why = NULL;
	struct ob_req q = {.dirfd = dirfd,
			   .path = path,
			   .flags = nofollow ? OB_NOFOLLOW : 0,
			   .need = need,
			   .op = no_op,
			   .why = &why};
	return onbehalf_run(st->ob, c, &q) == -EACCES ? why : NULL;
}

/* The directory a name is made or removed in: its path up to the last
 * component, in out ("." for a bare name). */
static void parent_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	while (slash && slash > path && slash[1] == 0) /* "dir/" */
		slash = memrchr(path, '/', (size_t)(slash - path));
	if (!slash)
		snprintf(out, size, ".");
	else if (slash == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(slash - path), path);
}

/* A name made where it exists already asks nothing of its directory
 * (O_CREAT on an existing file): only a new one is checked. */
static const char *refused_name(struct explain_state *st, struct sl_ctx *c,
				const struct obs_event *e)
{
	char dir[PATH_MAX];
	if (e->op == OBS_CREATE &&
	    onbehalf_run(st->ob, c,
			 &(struct ob_req){.dirfd = e->dirfd,
					  .path = e->path,
					  .flags = OB_NOFOLLOW,
					  .need = OB_ANY,
					  .op = no_op,
					  .why = &(const char *){NULL}}) != -ENOENT)
		return NULL;
	parent_of(e->path, dir, sizeof(dir));
	return refused(st, c, e->dirfd, dir, false, OB_WRITE);
}

/* The path of the object found, as the kernel prints it. */
static long name_of(const struct ob_obj *o, void *arg)
{
	char *out = arg, link[48];
	snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", o->fd);
	ssize_t n = readlink(link, out, PATH_MAX - 1);
	if (n <= 0 || out[0] != '/')
		return -ENOENT;
	out[n] = 0;
	return 0;
}

/* Where (dirfd, path) leads, resolved as the calling thread would (its
 * symlinks and ".." followed on the file system, never through a magic
 * link), in out: 0, or -errno (-ENOENT: the kernel's lookup fails before
 * Landlock is asked). */
static long resolved(struct explain_state *st, struct sl_ctx *c, int dirfd, const char *path,
		     bool nofollow, char *out)
{
	return onbehalf_run(st->ob, c,
			    &(struct ob_req){.dirfd = dirfd,
					     .path = path,
					     .flags = nofollow ? OB_NOFOLLOW : 0,
					     .need = OB_ANY,
					     .op = name_of,
					     .arg = out,
					     .why = &(const char *){NULL}});
}

/* Records the refusal: the reason, and for a path no grant reaches, the
 * grant that would allow the call in place of the flag's name ("-r
 * /etc/passwd would allow it"): the file for an open or an exec, the
 * directory for a name made or removed.  The grant names the object the
 * call reaches, not the path as the process gave it: through a symlink
 * it plants in a tree it may write ("-w work/link"), the path would
 * name another tree (Landlock opens a grant following its symlinks).  A
 * path whose lookup fails gets ENOENT from the kernel: no refusal.
 * Other reasons (a denied path, a device node) no grant lifts. */
static void record(struct explain_state *st, struct sl_ctx *c, const struct obs_event *e,
		   const char *why)
{
	char abs[PATH_MAX], dir[PATH_MAX], real[PATH_MAX], rule[PATH_MAX + 256];
	const char *target = observe_abs_path(c, e, abs, sizeof(abs)) ? abs : e->path;
	const char *cut = strstr(why, " (--fs-");
	int keep = cut ? (int)(cut - why) : 0;
	bool name = e->op == OBS_CREATE || e->op == OBS_REMOVE;
	if (name)
		parent_of(e->path, dir, sizeof(dir));
	long r = resolved(st, c, e->dirfd, name ? dir : e->path, !name && e->nofollow, real);
	if (r == -ENOENT || r == -ENOTDIR)
		return;
	if (cut && r == 0)
		snprintf(rule, sizeof(rule), "%.*s (%s %s would allow it)", keep, why,
			 name || e->op == OBS_WRITE ? "-w" : "-r", real);
	else
		snprintf(rule, sizeof(rule), "%s", why);
	supervisor_denied_by(c, "explain", EACCES, target, rule);
}

static void sink(struct sl_ctx *c, const struct obs_event *e, void *arg)
{
	struct explain_state *st = arg;
	const char *why = NULL;
	switch (e->op) {
	case OBS_READ:
	case OBS_EXEC:
		why = refused(st, c, e->dirfd, e->path, e->nofollow, OB_READ);
		break;
	case OBS_WRITE:
		why = refused(st, c, e->dirfd, e->path, e->nofollow, OB_WRITE);
		break;
	case OBS_CREATE:
	case OBS_REMOVE:
		why = refused_name(st, c, e);
		break;
	default:
		return; /* the network's refusals are the supervisor's own */
	}
	if (why)
		record(st, c, e, why);
}

static void on_call(struct sl_ctx *c, struct sl_action *a, void *arg)
{
	observe_call(c, sink, arg);
	*a = sl_act_continue();
}

static size_t rules(const struct sl_feature_env *env, struct sl_frule *out, size_t max)
{
	(void)env;
	return observe_rules(on_call, false, out, max);
}

static bool active(const struct sl_feature_env *env)
{
	return env->policy->explain_denials && !env->kernel_audit;
}

static int init(struct sl_sup *s, void *state, const struct sl_feature_env *env, size_t proc_off)
{
	(void)proc_off;
	struct explain_state *st = state;
	return onbehalf_get(s, env->policy, -1, &st->ob);
}

static void release(void *state)
{
	struct explain_state *st = state;
	onbehalf_put(st->ob);
}

/* Last in the dispatch order: what reaches it goes to the kernel. */
const struct sl_feature feature_explain = {
    .name = "explain",
    .active = active,
    .rules = rules,
    .state_size = sizeof(struct explain_state),
    .init = init,
    .release = release,
};
