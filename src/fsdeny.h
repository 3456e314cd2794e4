/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsdeny.h - fs_denied enforced by Landlock (spec 2.3, by other means).
 *
 * Landlock only grants, and a rule on a directory covers its whole
 * subtree.  So a granted tree with a denied path beneath it gets no rule
 * of its own: it is "expanded" instead, every entry that is neither denied
 * nor on the way to a denied path gets the tree's rule, and the
 * directories on the way are expanded in turn.  A denied path ends up with
 * no rule on itself, beneath it or above it, and the kernel refuses it
 * (EACCES) whatever path the child uses to name it.
 *
 * Every decision compares (st_dev, st_ino) of inodes resolved in the
 * parent before fork, never a path string the child wrote.  Runs in the
 * parent: allocates, reads directories and /proc/self/mountinfo.
 */
#ifndef SL_FSDENY_H
#define SL_FSDENY_H

#include <stddef.h>
#include <stdint.h>

struct fsdeny;
struct sl_strv;
struct stat;

/* Adds one rule: fd is an O_PATH fd on the object, st its fstat.  Returns
 * 0 or -errno, without a message. */
typedef int (*fsdeny_rule_fn)(void *ctx, int fd, const struct stat *st, uint64_t access);

/* What to do with a granted tree. */
enum fsdeny_root {
	FSDENY_GRANT,  /* nothing denied beneath: one rule, as usual */
	FSDENY_SKIP,   /* the tree is denied, or beneath a denied path: no rule */
	FSDENY_EXPAND, /* a denied path is strictly beneath: fsdeny_expand() */
};

/* Resolves the denied paths to the inodes that must get no rule and the
 * directories on the way to them (other mounts of them included).  A path
 * that no longer exists is anchored at its deepest existing directory,
 * which then gets no right to create entries.  *out is NULL when paths is
 * empty.  Returns 0 or -errno with a message naming the path. */
int fsdeny_new(const struct sl_strv *paths, struct fsdeny **out);
void fsdeny_free(struct fsdeny *d);

/* Classifies the granted tree at path (st: its stat, symlinks followed).
 * Returns an enum fsdeny_root or -errno with a message. */
int fsdeny_classify(const struct fsdeny *d, const char *path, const struct stat *st);

/* Grants access on the tree at path (fd: an O_PATH fd on it) minus the
 * denied paths, calling rule() once per rule.  Bounded: refuses (E2BIG)
 * beyond FSDENY_MAX_RULES rules in all.  Returns 0 or -errno with a
 * message naming the path. */
int fsdeny_expand(struct fsdeny *d, const char *path, int fd, uint64_t access, fsdeny_rule_fn rule,
		  void *ctx);

#define FSDENY_MAX_RULES 100000

/* Lowers the rule bound of d (for tests). */
void fsdeny_set_max_rules(struct fsdeny *d, size_t max_rules);

#endif
