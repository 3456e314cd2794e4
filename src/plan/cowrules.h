/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowrules.h - the plan of a workdir with fs_isolation none (the seccomp
 * copy-on-write layer, src/features/cowlayer.c): what Landlock grants
 * the command in the workdir and the branch, and what the layer cannot
 * keep.
 *
 * The supervisor makes every change in the workdir (in the branch's
 * upper), so the command needs no right there but listing: the workdir
 * is left out of every grant (plan.c hands it to the ruleset as
 * landlock_req.cow_hidden), so a call the supervisor continues that a
 * thread rewrote into the workdir meets EACCES (a removed file of the
 * lower is never read or executed again); the upper is granted read and
 * execute (a file made in the layer, or a copy of a lower program,
 * cowsteer.c, runs from there), nothing else of the branch.  Refused:
 * a write grant inside the workdir or holding it (its rights would reach
 * the host's workdir past the layer), a write grant holding the branch's
 * storage (the command would write into its own upper, past the layer's
 * checks, and the commit reads it with the host's rights), a denied path
 * inside the workdir or holding it (the layer serves the workdir whole).
 */
#ifndef SL_COWRULES_H
#define SL_COWRULES_H

struct cow_branch;
struct sandlock_sandbox;
struct sl_strv;

/* The read grants the ruleset takes instead of the policy's fs_read (its
 * own and the upper) in *read, after the refusals above.  0 or -errno
 * with a message. */
int cowrules_plan(struct sl_strv *read, const struct sandlock_sandbox *cfg,
		  const struct cow_branch *b);

/* Where the command starts (*out, allocated): the layer's own directory
 * for a start in the workdir (cwd NULL: the workdir itself, the upper's
 * root; a cwd in the workdir: the upper's copy of it, made there first
 * without its contents, which changes neither the view nor the change
 * list), so that the kernel finds the names the layer makes from there
 * (`mkdir -p a/b` chdirs into the `a` it just made).  A cwd outside the
 * workdir, or one that cannot be resolved or made, is kept as given (the
 * child's chdir answers for it).  *asked (allocated): the directory
 * asked for, absolute (the workdir for cwd NULL; NULL when cwd does not
 * resolve), where the command's relative exec names are taken from.  0
 * or -errno with a message. */
int cowrules_start(char **out, char **asked, const char *cwd, const struct cow_branch *b);

#endif
