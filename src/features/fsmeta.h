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

/* The ioctls that change an inode through a file open for reading only,
 * as numbers (the 6.1 headers lack some). */
#ifndef FS_IOC_SETFLAGS
#define FS_IOC_SETFLAGS 0x40086602u
#endif
#ifndef FS_IOC_FSSETXATTR
#define FS_IOC_FSSETXATTR 0x401c5820u
#endif
#ifndef FS_IOC_SETVERSION
#define FS_IOC_SETVERSION 0x40087602u
#endif
#ifndef FS_IOC_SET_ENCRYPTION_POLICY
#define FS_IOC_SET_ENCRYPTION_POLICY 0x800c6613u
#endif
#ifndef FS_IOC_ENABLE_VERITY
#define FS_IOC_ENABLE_VERITY 0x40806685u
#endif
#define EXT4_IOC_SETVERSION	 0x40086604u /* ext4's own number (not in the uapi) */
#define FAT_IOCTL_SET_ATTRIBUTES 0x40047211u

/* The list, once: X(a, cmd, size) per ioctl, size the bytes its
 * argument holds (0: none we can pass, its argument holds pointers or a
 * size its content tells). */
#define FSMETA_INODE_IOCTLS(X, a)                                                                  \
	X(a, FS_IOC_SETFLAGS, sizeof(int))                                                         \
	X(a, FS_IOC_FSSETXATTR, 28 /* struct fsxattr */)                                           \
	X(a, FS_IOC_SETVERSION, sizeof(int))                                                       \
	X(a, EXT4_IOC_SETVERSION, sizeof(int))                                                     \
	X(a, FAT_IOCTL_SET_ATTRIBUTES, sizeof(uint32_t))                                           \
	X(a, FS_IOC_SET_ENCRYPTION_POLICY, 0)                                                      \
	X(a, FS_IOC_ENABLE_VERITY, 0)

/* Their notify rules (struct sl_frow rows, each ending in a comma),
 * each to handler index h: the features that serve them list the same
 * forms. */
#define FSMETA_INODE_IOCTL_RULE(h, cmd, size) {{__NR_ioctl, 1, {SL_A32(1, (cmd))}}, (h)},
#define FSMETA_INODE_IOCTL_RULES(h)	      FSMETA_INODE_IOCTLS(FSMETA_INODE_IOCTL_RULE, h)

/* Whether cmd is one of those: 1 with the bytes its argument holds in
 * *size, else 0. */
int fsmeta_inode_ioctl(unsigned int cmd, size_t *size);

struct onbehalf;
struct stat;
/* Makes inode ioctl cmd of the child's fd n, size bytes of its argument
 * read from the child at argp, on the fetcher's duplicate of the fd once
 * it is proven the object st describes (onbehalf_fd_call: the child's
 * credentials).  0, or -errno (-EAGAIN: the fd names another object
 * now, the child's own race). */
long fsmeta_ioctl_on(struct onbehalf *ob, struct sl_ctx *c, int n, const struct stat *st,
		     unsigned int cmd, size_t size, uint64_t argp);

struct ob_obj;
/* On the object of an fd of ours (O_PATH), with the caller's
 * credentials: chmod (fchmodat2's AT_EMPTY_PATH, or before Linux 6.6 its
 * /proc/self/fd name), set or remove an xattr (by that name: the
 * *xattrat calls take no O_PATH fd).  0 or -errno. */
long fsmeta_chmod_obj(const struct ob_obj *o, mode_t mode);
long fsmeta_xattr_obj(const struct ob_obj *o, const char *name, const void *value, size_t size,
		      int flags, bool remove);

#endif
