/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mounts.h - the mount table, from /proc/self/mountinfo (one parser).
 *
 * A line reads (proc(5)):
 *
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id par dev root  point       options   optional… - fstype source super-options
 *
 * The optional fields are zero or more, ended by a lone "-".  Paths and
 * the source escape space, tab, newline and backslash as \ooo; they are
 * unescaped here.  Runs in the parent: allocates.
 */
#ifndef SL_MOUNTS_H
#define SL_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

struct mounts_entry {
	int id, parent;
	unsigned int major, minor;
	char *root;    /* the mounted directory, relative to its filesystem's root */
	char *point;   /* where it is mounted, relative to our root directory */
	char *opts;    /* per-mount options ("rw,nodev,relatime") */
	char *fstype;  /* "proc", "ext4", "fuse.sshfs"... */
	char *source;  /* "/dev/vda", "none"... */
	char *sb_opts; /* per-filesystem options */
	char *buf;     /* owns the strings above */
};

struct mounts {
	struct mounts_entry *v;
	size_t n;
};

/* Parses one line (with or without its newline) into *e (its strings
 * owned by e->buf).
 * Returns 0, -EINVAL when the line is malformed, -ENOMEM; no message. */
int mounts_parse_line(const char *line, struct mounts_entry *e);
void mounts_entry_free(struct mounts_entry *e);

/* Parses a whole mountinfo text (tests) or reads /proc/self/mountinfo.
 * `who` starts the messages ("fs_deny").  Returns 0 or -errno with a
 * message; *m is empty on failure. */
int mounts_parse(struct mounts *m, const char *text, const char *who);
int mounts_read(struct mounts *m, const char *who);
void mounts_free(struct mounts *m);

/* The entry of mount id, or NULL. */
const struct mounts_entry *mounts_find(const struct mounts *m, int id);

/* True when the comma-separated per-mount options hold opt exactly. */
bool mounts_has_opt(const struct mounts_entry *e, const char *opt);

/* The layers of an overlay mount (its super options upperdir, lowerdir,
 * lowerdir+ and datadir+: the paths given at mount time, unresolved):
 * fn(ctx, path, upper) for each, upper true for upperdir, in turn, until
 * one answers nonzero, which is returned; 0 when the mount is no
 * overlay; -ENOMEM. */
typedef int (*mounts_layer_fn)(void *ctx, const char *layer, bool upper);
int mounts_overlay_layers(const struct mounts_entry *e, mounts_layer_fn fn, void *ctx);

/* The id (as in mountinfo) of the mount path is on, symlinks followed
 * when follow.  Returns 0 or -errno, without a message. */
int mounts_id(const char *path, bool follow, int *id);

#endif
