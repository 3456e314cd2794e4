/* SPDX-License-Identifier: Apache-2.0 */
/* fstree.h - what the fsdeny and fsspecial tests share: trees made in the
 * test's temporary directory, and the rules an expansion asked for,
 * recorded instead of given to Landlock. */
#ifndef SL_TEST_FSTREE_H
#define SL_TEST_FSTREE_H

#include <linux/landlock.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define RD  (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define ALL (RD | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG)
#define LS  LANDLOCK_ACCESS_FS_READ_DIR

struct rec {
	size_t n;
	struct {
		dev_t dev;
		ino_t ino;
		uint64_t access;
	} v[256];
};

/* An fsdeny rule callback: appends to the struct rec at ctx. */
int record(void *ctx, int fd, const struct stat *st, uint64_t access);
/* The rights recorded for path's inode (lstat): 0 when none. */
uint64_t rights(const struct rec *r, const char *path);

/* name in the test's temporary directory (malloc'd); made as a directory
 * or an empty file.  A failure fails the test. */
char *at(const char *name);
char *mkd(const char *name);
char *mkf(const char *name);

#endif
