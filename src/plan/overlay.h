/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay.h - fs_isolation = overlayfs: the staged layer (cow.h) mounted
 * over the workdir in a mount namespace of the child's own.
 *
 * Planned in the parent (the mount's data, the id maps, whether a user
 * namespace is needed, the Landlock rights of the overlay's root), made
 * by the child with raw syscalls before it drops anything:
 *   unshare(CLONE_NEWUSER | CLONE_NEWNS) (not root) or unshare(CLONE_NEWNS)
 *   (root); uid/gid mapped to themselves (the command sees its own ids);
 *   every mount made private (nothing propagates to the host);
 *   mount("overlay", workdir, lowerdir=workdir, upperdir, workdir,
 *   userxattr when in a user namespace, redirect_dir, index and metacopy
 *   off: the upper stays in the format cow.c reads); then an empty
 *   read-only tmpfs over the branch's directory (hidden from the command).
 * A Landlock rule on the workdir itself does not reach the overlay (a
 * hidden mount point is skipped by Landlock's walk): the child adds a rule
 * on the overlay's root to the ruleset before restricting itself.
 */
#ifndef SL_OVERLAY_H
#define SL_OVERLAY_H

#include <stdbool.h>
#include <stdint.h>

struct cow_branch;
struct sl_strv;

struct sl_overlay {
	bool on;
	bool userns;  /* not root: a user namespace first */
	char *target; /* the workdir */
	char *data;   /* the mount's options */
	char uid_map[48], gid_map[48];
	uint64_t rights; /* the rule on the overlay's root */
	/* max_disk, or a storage on overlayfs: the upper and work
	 * directories on a tmpfs (of max_disk's size), mounted at quota_dir
	 * (the tmpfs's options in quota_data) */
	bool quota;
	char *quota_dir, *quota_data, *quota_upper, *quota_work;
	/* the branch's directory, hidden from the command once the overlay
	 * is mounted (an empty read-only tmpfs on it): a command granted
	 * the storage would otherwise write into its own upper, with the
	 * overlay's checks bypassed (xattrs of overlayfs's format, links) */
	char *hide;
};

/* Whether the overlay is mounted by root (trusted.* xattrs) or in a user
 * namespace (userxattr): what cow_create needs to read the upper. */
bool overlay_user_xattr(void);

/* Plans the mount of branch b; rights: what a write grant carries;
 * max_disk: the quota in bytes (0: none); keep: the staged changes may
 * outlive the run.  A storage on overlayfs (a container's root) cannot
 * hold the upper: it goes to a tmpfs, or, with keep, is refused.  A kernel
 * or a setting that cannot give the caller an overlay is refused here,
 * naming why.  0 or -errno with a message. */
int overlay_plan(struct sl_overlay *o, const struct cow_branch *b, uint64_t rights,
		 uint64_t max_disk, bool keep);
void overlay_release(struct sl_overlay *o);
/* The overlay's root is one writable tree (the rule the child adds): a
 * denied path inside the workdir, or one that holds it, would not hold
 * there.  Refused, naming it: 0 or -ENOTSUP with a message. */
int overlay_check_denied(const struct sl_strv *deny, const char *workdir);

/* Child, raw syscalls: the namespaces and the mount.  0, or -errno with
 * the step (SL_STEP_*) in *step.  Under a quota, *quota_fd: the tmpfs's
 * root (for the parent). */
long overlay_child_mount(const struct sl_overlay *o, int *step, int *quota_fd);
/* Child: the overlay's root, opened O_PATH right after the mount, before
 * the filter (every open is notified then, and nobody answers yet in the
 * overlap): an fd or -errno. */
long overlay_child_root(const struct sl_overlay *o);
/* Child: the rule on the overlay's root (root: overlay_child_root's fd),
 * added to ruleset.  0 or -errno. */
long overlay_child_rule(const struct sl_overlay *o, int ruleset, int root);

#endif
