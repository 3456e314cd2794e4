/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cow.h - a copy-on-write workdir's staged layer: an upper directory in
 * overlayfs format over the workdir (the lower), its change list, and its
 * end (commit into the workdir, abort, keep).
 *
 * The upper's format is what the kernel's overlayfs writes: a removed
 * name is a whiteout (a 0/0 character device, or an empty file carrying
 * an "overlay.whiteout" xattr), a directory whose lower contents are
 * hidden carries "overlay.opaque" = "y" ("trusted." when the overlay was
 * mounted by root in the initial user namespace, "user." for one mounted
 * with userxattr, in a user namespace).  Redirects and metacopy are never
 * produced (the mount turns them off); an upper holding one is refused.
 *
 * Every walk is by file descriptor: each name is one component read from
 * a directory and opened beneath its parent with O_NOFOLLOW; workdir
 * paths are opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV) from the workdir's fd.  A
 * symlink in the upper or in the workdir is data, never a way out.
 *
 * Commit is crash-safe by a redo journal (cowcommit.c): the new content
 * is staged in <workdir>/.sandlock-commit (same filesystem: renames), the
 * list of idempotent steps is written and synced, and only then does the
 * workdir change.  An interrupted commit is finished (journal present) or
 * dropped (no journal: nothing had changed) by cow_recover, which every
 * start with a workdir and every commit run first.
 */
#ifndef SL_COW_H
#define SL_COW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The staging directory's name in the workdir, reserved for commits. */
#define COW_STAGING ".sandlock-commit"

/* One change, relative to the workdir: 'A' added, 'M' modified (its
 * content, type or mode may differ), 'D' deleted. */
struct cow_change {
	char kind;
	char *path;
};

struct cow_changes {
	struct cow_change *v;
	size_t n, cap;
};

struct cow_branch {
	char *workdir;	 /* canonical, absolute */
	char *dir;	 /* the branch's own directory (removed by abort) */
	char *upper;	 /* <dir>/upper */
	char *work;	 /* <dir>/work: overlayfs's work directory */
	bool user_xattr; /* opaque marks read as user.overlay.* (else trusted.) */
	/* max_disk: the tmpfs the upper is on instead (its "upper"), mounted
	 * by the child at <dir>/quota in its own namespace and handed over
	 * as this fd; -1 when none */
	int quota_fd;
	/* the branch's directory, opened when made: the upper is opened and
	 * the branch removed through it, never by its path again (a sandbox
	 * that reaches the storage could put another directory, or a
	 * symlink, at that path for the commit to read as the upper) */
	int dir_fd;
	/* the workdir the overlay was mounted on: the commit refuses a path
	 * that names another directory by then (renamed away and replaced
	 * from outside the sandbox during the run) */
	dev_t wd_dev;
	ino_t wd_ino;
};

/* Makes a branch of workdir (canonicalized) in a new private directory
 * under storage (NULL: $TMPDIR or /tmp), with empty upper, work and quota
 * (a mount point) directories.  Refuses a storage inside the workdir (the upper would be
 * part of its own lower).  0 or -errno with a message. */
int cow_create(struct cow_branch *b, const char *workdir, const char *storage, bool user_xattr);

/* The changes the upper makes to the workdir, sorted by path.  0 or
 * -errno with a message. */
int cow_changes(const struct cow_branch *b, struct cow_changes *out);
void cow_changes_free(struct cow_changes *c);

/* Applies the upper to the workdir (crash-safe, see above), then drops
 * the branch.  On failure the branch is left as it was (its changes are
 * not lost) and the message says where it is.  0 or -errno. */
int cow_commit(struct cow_branch *b);

/* Drops the staged changes: removes the branch's directory. */
int cow_abort(struct cow_branch *b);

/* Frees the struct, leaving the branch's directory in place (keep); a
 * quota's tmpfs goes with its fd. */
void cow_release(struct cow_branch *b);

/* Finishes or drops an interrupted commit of workdir (see above).  0 when
 * there was none or it is now done; -errno with a message. */
int cow_recover(const char *workdir);

/* Test hook, in the unit tests' build of cowcommit.c only (the library
 * has none): a commit stops (returns -EINTR as if killed) before its step
 * n (1-based, counting the journal's steps), or before its journal (-1),
 * leaving the workdir as a crash there would.  0 (default) never stops. */
void cow_test_stop_at(int n);

/* Removes a directory tree beneath dirfd (name: one component), making
 * unreadable directories readable on the way (overlayfs's work/work).
 * 0, or -errno. */
int cow_rmtree(int dirfd, const char *name);

#endif
