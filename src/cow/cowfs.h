/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowfs.h - what cow.c and cowcommit.c share: the reading of the upper's
 * format and fd-relative helpers.  Internal to src/cow/.
 */
#ifndef SL_COWFS_H
#define SL_COWFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct cow_branch;

/* What an upper entry is, in overlayfs's terms. */
enum cow_kind {
	COW_WHITEOUT, /* the name is removed */
	COW_DIR,      /* a directory merged with the lower one */
	COW_OPAQUE,   /* a directory hiding the lower one's contents */
	COW_OTHER,    /* a file, symlink, fifo...: replaces the lower name */
};

/* The entry name of directory dirfd: its kind and lstat.  -errno with a
 * message (an overlay feature we never enable, a redirect or metacopy,
 * is refused: -EINVAL). */
int cowfs_kind(int dirfd, const char *name, bool user_xattr, struct stat *st, enum cow_kind *kind);

/* A directory's entry names (no "." and ".."), sorted; NULL-terminated,
 * one allocation to free().  NULL with -errno in *err. */
char **cowfs_list(int dirfd, int *err);

/* The upper's root (O_DIRECTORY): on disk, or in the quota's tmpfs.
 * -errno. */
int cow_open_upper(const struct cow_branch *b);

/* openat of one component: a directory, never through a symlink.
 * -errno. */
int cowfs_opendir(int dirfd, const char *name);
/* cowfs_opendir for a directory of the branch's own layer: one its owner
 * left without read or search right (`chmod 600 d`, which the command
 * may do) is opened with both added, and *restore is the mode to give
 * back once the walk beneath it is done (cowfs_close_own), else
 * (mode_t)-1.  Never for the workdir's own directories. */
int cowfs_opendir_own(int dirfd, const char *name, mode_t *restore);
/* Closes fd, first giving it back its mode when restore says so. */
void cowfs_close_own(int fd, mode_t restore);

/* openat2 of a relative path beneath root: no symlink, no magic link,
 * no mount crossing, no "..".  -errno. */
int cowfs_open_beneath(int root, const char *path, int flags);

/* Opens the parent of the relative path beneath root, and points *base
 * at its last component ("." for the root itself).  -errno. */
int cowfs_open_parent(int root, const char *path, const char **base, char *buf, size_t len);

/* Whether name exists in dirfd (lstat); -errno on an error other than
 * ENOENT. */
int cowfs_exists(int dirfd, const char *name, struct stat *st);

/* Copies the entry name of sdir (a file, symlink, fifo or device; a
 * directory with its tree, whiteouts left out) to dname in ddir, with
 * its mode, times and (as root) owner.  -errno. */
int cowfs_copy(int sdir, const char *name, int ddir, const char *dname, bool user_xattr);

/* The data of regular file in to out, its holes kept (a sparse file
 * stays sparse), out's size set to in's.  -errno. */
int cowfs_copy_data(int in, int out);

#endif
