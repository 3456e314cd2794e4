/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsdeny.h - Landlock grants expanded around the inodes they may not
 * (fully) reach: fs_denied, and the
 * restrictions of fsspecial.h (kernel pseudo filesystems, root's device
 * nodes).
 *
 * Landlock only grants, rights add up along the way from an inode to the
 * root, and a rule on a directory covers its whole subtree.  So a granted
 * tree holding a restricted inode gets no rule of its own that the inode
 * may not have: it is "expanded" instead, every entry that is neither
 * restricted nor on the way to a restricted inode gets the tree's rule,
 * and the directories on the way are expanded in turn.  A restricted
 * inode gets at most its limit (nothing for a denied path) on itself,
 * beneath it and above it, whatever path the child uses to name it.
 *
 * Every decision compares (st_dev, st_ino) of inodes resolved in the
 * parent before fork, never a path string the child wrote.  Runs in the
 * parent: allocates, reads directories.
 */
#ifndef SL_FSDENY_H
#define SL_FSDENY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fsdeny;
struct mounts;
struct sl_strv;
struct stat;

/* Adds one rule: fd is an O_PATH fd on the object, st its fstat.  Returns
 * 0 or -errno, without a message. */
typedef int (*fsdeny_rule_fn)(void *ctx, int fd, const struct stat *st, uint64_t access);

/* What to do with a granted tree. */
enum fsdeny_root {
	FSDENY_GRANT,  /* nothing restricted beneath: one rule, as usual */
	FSDENY_SKIP,   /* the tree is denied, or beneath a denied path: no rule */
	FSDENY_EXPAND, /* a restricted inode is strictly beneath: fsdeny_expand() */
};

/* An empty set of restricted inodes.  Returns 0 or -ENOMEM with a
 * message. */
int fsdeny_create(struct fsdeny **out);
void fsdeny_free(struct fsdeny *d);

/* Adds the denied paths: the inodes that must get no rule and the
 * directories on the way to them (their other mounts found in mnts, the
 * mount table).  A path that no longer exists is anchored at its deepest
 * existing directory, which then gets no right to create entries.
 * Returns 0 or -errno with a message naming the path. */
int fsdeny_add_denied(struct fsdeny *d, const struct sl_strv *paths, const struct mounts *mnts);

/* The other names the mount table mnts gives the denied path canon (a
 * canonical path), as fsdeny_add_denied finds them: the same inode
 * through another mount, and for a directory the mount points of mounts
 * of directories beneath it.  fn gets each (its nonzero answer stops the
 * scan and is returned); 0 or -errno.  The supervisor denies the same
 * (onbehalf.c). */
typedef int (*fsdeny_alias_fn)(void *ctx, const char *alias);
int fsdeny_each_alias(const struct mounts *mnts, const char *canon, fsdeny_alias_fn fn, void *ctx);

/* Restricts the inode at the canonical path canon (not followed if a
 * symlink): it and everything beneath it get at most `limit`; each
 * directory above it, up to /, gets a rule of its own with at most
 * `above` and is expanded when a granted tree holding it asks for more.
 * Restrictions of the same inode add up (the rights left are those all of
 * them allow).  Returns 0 or -errno with a message naming `who` and the
 * path. */
int fsdeny_restrict(struct fsdeny *d, const char *who, const char *canon, uint64_t limit,
		    uint64_t above);

/* The same in two parts, for many inodes in one directory: the inode
 * st alone, and the directory canon (canonical) and each one above it,
 * which get a rule of their own with at most `above`. */
int fsdeny_restrict_inode(struct fsdeny *d, const struct stat *st, uint64_t limit);
int fsdeny_restrict_above(struct fsdeny *d, const char *who, const char *canon, uint64_t above);

/* Sorts the set: call once, after the last add and before classifying. */
void fsdeny_seal(struct fsdeny *d);
bool fsdeny_empty(const struct fsdeny *d);

/* Classifies the granted tree at path (st: its stat, symlinks followed)
 * asking for *access, which is lowered to what the restrictions on the
 * tree and above it leave.  Returns an enum fsdeny_root or -errno with a
 * message. */
int fsdeny_classify(const struct fsdeny *d, const char *path, const struct stat *st,
		    uint64_t *access);

/* Grants access on the tree at path (fd: an O_PATH fd on it) minus the
 * restrictions, calling rule() once per rule.  `who` starts the messages
 * ("fs_write /").  Bounded: refuses (E2BIG) beyond FSDENY_MAX_RULES rules
 * in all.  Returns 0 or -errno with a message naming the path. */
int fsdeny_expand(struct fsdeny *d, const char *who, const char *path, int fd, uint64_t access,
		  fsdeny_rule_fn rule, void *ctx);

#define FSDENY_MAX_RULES 100000

/* Lowers the rule bound of d (for tests). */
void fsdeny_set_max_rules(struct fsdeny *d, size_t max_rules);

#endif
