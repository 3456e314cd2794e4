/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layerint.h - what layer.c (the walk, copy-up), layerops.c (the
 * operations) and layerdir.c (listings, usage) share.  Internal to
 * src/cow/.
 */
#ifndef SL_LAYERINT_H
#define SL_LAYERINT_H

#include <stdbool.h>
#include <sys/stat.h>

#include "layer.h"

/* One name of a merged directory (up, low: its fds in each layer, -1
 * where absent): the fields of struct layer_node it decides. */
struct layer_ent {
	enum layer_where where;
	bool in_lower, whiteout, opaque, low_dir;
	struct stat st;
};

/* The name of the merged directory (up, low).  -errno. */
int layer_entry(const struct layer *l, int up, int low, const char *name, struct layer_ent *e);

/* openat2 of one component beneath dirfd (no symlink followed, not even
 * a final one, no mount crossed); name must not hold '/' nor be "..".
 * An fd (O_CLOEXEC), or -errno. */
int layer_open_one(int dirfd, const char *name, int flags);

/* The same, creating name (O_CREAT | O_EXCL) with mode.  An fd, or
 * -errno. */
int layer_create_one(int dirfd, const char *name, int flags, mode_t mode);

/* "/proc/self/fd/N" of an fd of ours, into buf (32 bytes): the calls that
 * have no fd form (chmod of an O_PATH fd, xattrs of any type) reach the
 * exact inode through it, with no name the command chose. */
const char *layer_fd_path(int fd, char buf[32]);

/* The parent of n made to exist in the upper (copied up, with its own
 * parents, from the lower): n->up is then open.  -errno. */
int layer_copy_up_parent(const struct layer *l, struct layer_node *n);
/* n itself copied up (a directory alone, without its contents), after
 * its parent: n->where is then LAYER_UPPER.  -errno. */
int layer_copy_up(const struct layer *l, struct layer_node *n);
/* The merged directory (up, low) made again as dname in ddir (upper),
 * its whole tree: what the upper holds alone (files, directories with no
 * lower part) renamed there, keeping its inodes and hard links, what the
 * lower holds copied (first: a failure there leaves the old tree whole
 * and removes the new one).  The old upper tree is left for the caller
 * to remove.  -errno (EEXIST: dname is taken). */
int layer_move_tree(const struct layer *l, int up, int low, int ddir, const char *dname);
/* Metadata of a new upper entry (opened O_PATH as fd) from st: owner (as
 * root; the group when the caller may give it), mode (not a symlink's),
 * times.  -errno. */
int layer_copy_meta(int fd, const struct stat *st);
/* user.* xattrs (never overlay.*) from one O_PATH fd to another. */
int layer_copy_xattrs(int from, int to);

/* A whiteout at name in the upper directory ufd.  -errno. */
int layer_whiteout(const struct layer *l, int ufd, const char *name);
/* Marks the upper directory fd (O_PATH) opaque.  -errno. */
int layer_set_opaque(const struct layer *l, int fd);

/* Makes an entry name in directory dir (an upper one or the work
 * directory); arg is the caller's.  -errno (EEXIST: taken). */
typedef int (*layer_make_fn)(int dir, const char *name, void *arg);

/* The work directory's shared whiteout (layer_whiteout links it). */
#define LAYER_WHITEOUT "whiteout"
/* A fresh name for the work directory. */
void layer_work_name(char t[32]);
/* Whether l has a work directory on the upper's filesystem. */
bool layer_have_work(const struct layer *l);
/* n's upper entry removed and, where the lower shows the name, whited
 * out: one rename into the work directory with RENAME_WHITEOUT.  n's
 * parent is in the upper.  -errno. */
int layer_discard(const struct layer *l, struct layer_node *n);
/* An entry made for n (absent; its parent in the upper) by make: over a
 * whiteout, made in the work directory and exchanged with it.  -errno. */
int layer_place(const struct layer *l, struct layer_node *n, layer_make_fn make, void *arg);
/* The entry dir/name put at b's name in one rename: exchanged with what
 * the upper holds there (a whiteout, an empty merged directory), which is
 * then removed (drop) or left at dir/name (1 returned).  0, 1, -errno. */
int layer_install(const struct layer *l, int dir, const char *name, const struct layer_node *b,
		  bool drop);
/* The merged tree of directory a made again in the work directory (as
 * layer_move_tree does), under a fresh name written to t.  -errno. */
int layer_work_tree(const struct layer *l, const struct layer_node *a, char t[32]);

/* The directory n names, opened in each layer (O_PATH; -1 where it has
 * no part).  -errno. */
int layer_node_dirs(const struct layer_node *n, int *up, int *low);

/* One merged entry of a listing. */
struct layer_dent {
	char *name;
	enum layer_where where;
	bool low_dir;
	struct stat st;
};

/* The merged entries of directory (up, low), sorted by name, "." and
 * ".." left out; *n of them, one array of owned names.  -errno. */
int layer_list(const struct layer *l, int up, int low, struct layer_dent **v, size_t *n);
void layer_list_free(struct layer_dent *v, size_t n);

#endif
