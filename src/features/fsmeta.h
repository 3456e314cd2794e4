/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsmeta.h - what the metadata calls' handlers share (fsmeta.c, and the
 * copy-on-write layer's cowpaths.c): their arguments as the kernel reads
 * and checks them.
 */
#ifndef SANDLOCK_FSMETA_H
#define SANDLOCK_FSMETA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "supervisor.h"

/* The layout of a times argument: utime's struct utimbuf, utimes' and
 * futimesat's struct timeval[2], utimensat's struct timespec[2]. */
enum fsmeta_times { FSMETA_UTIMBUF, FSMETA_TIMEVAL, FSMETA_TIMESPEC };

/* The times at addr in the notifier's memory into ts, converted and
 * checked as the kernel does (EINVAL for a field out of range, EFAULT);
 * addr 0 sets *now (the current time for both).  1 when both are
 * UTIME_OMIT (the kernel then changes nothing), else 0, or -errno. */
int fsmeta_read_times(struct sl_ctx *c, enum fsmeta_times kind, uint64_t addr,
		      struct timespec ts[2], bool *now);

struct ob_obj;
/* On the object of an fd of ours (O_PATH), with the caller's
 * credentials: chmod (fchmodat2's AT_EMPTY_PATH, or before Linux 6.6 its
 * /proc/self/fd name), set or remove an xattr (by that name: the
 * *xattrat calls take no O_PATH fd).  0 or -errno. */
long fsmeta_chmod_obj(const struct ob_obj *o, mode_t mode);
long fsmeta_xattr_obj(const struct ob_obj *o, const char *name, const void *value, size_t size,
		      int flags, bool remove);

#endif
