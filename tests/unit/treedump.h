/* SPDX-License-Identifier: Apache-2.0 */
/* treedump.h - a tree as one string, for the copy-on-write tests: one
 * sorted line per entry, "<relative path> <mode> <links> [<body>]" (a
 * file's first bytes, a symlink's target; links 0 for a directory), so
 * that two trees compare with one CHECK_STR. */
#ifndef SL_TEST_TREEDUMP_H
#define SL_TEST_TREEDUMP_H

#include <sys/stat.h>

/* Adds the line of one entry (rel relative to the tree's root). */
void treedump_line(const char *rel, const struct stat *st, const char *body);

/* The lines added so far, sorted and joined (malloc'd); starts afresh. */
char *treedump_join(void);

/* The whole tree under root (not following symlinks), as above. */
char *treedump(const char *root);

#endif
