/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsspecial.h - what a filesystem grant never makes reachable, whatever
 * tree it names:
 *
 *   - writes to a kernel pseudo filesystem (procfs, sysfs, cgroupfs...):
 *     Landlock cannot tell /proc/self from /proc/<another process>, and
 *     these files act on other processes and on the kernel.  A write
 *     grant on or inside one is refused; a write grant holding one (-w /)
 *     is expanded around its mount, which keeps the grant's read rights.
 *   - device nodes, for a sandbox started as root: uid 0 owns them and
 *     passes their permission bits with no capability at all, so a read
 *     grant on /dev would read the raw disks beneath every Landlock rule.
 *     A grant of such a device is refused; a grant holding one is
 *     expanded around it (it gets no right).  Allowed: null, zero, full,
 *     random, urandom, tty, ptmx and the terminal sandlock runs on (not
 *     the terminals of root's other sessions).
 *
 * The restrictions go to fsdeny (fsdeny_restrict), which expands the
 * grants.  Runs in the parent: allocates, reads directories.
 */
#ifndef SL_FSSPECIAL_H
#define SL_FSSPECIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct fsdeny;
struct mounts;
struct mounts_entry;
struct sl_strv;

/* What writes to a kernel pseudo filesystem of this fstype (as
 * mountinfo spells it) act on ("other processes and the kernel"), or NULL
 * when fstype is not one. */
const char *fsspecial_pseudo(const char *fstype);
/* The same question for a filesystem's statfs f_type (an open file). */
bool fsspecial_pseudo_magic(unsigned long f_type);

/* True when a sandbox started as root may be granted a file of this mode
 * and device number: anything but a block device or a character device
 * outside the safe set. */
bool fsspecial_device_allowed(mode_t mode, dev_t rdev);
/* True when rdev is the character device on our stdin, stdout or stderr
 * (the terminal sandlock runs on: granted as root, unlike other pts). */
bool fsspecial_host_tty(dev_t rdev);

/* True when the mount holds device nodes that can be opened and is
 * searched for them (devtmpfs, tmpfs, ramfs, rootfs, devpts, or an
 * overlay with a lower layer on one of them, without nodev). */
bool fsspecial_scanned(const struct mounts_entry *e);

/* Granted paths, each opened once (O_PATH): every check is made on the
 * object the Landlock rule then names, so a path swapped (a symlink to
 * /dev put in its place) between a check and the rule changes nothing. */
struct fs_grant {
	const char *path; /* as granted, for messages */
	int fd;
};
struct fs_grants {
	const char *field; /* "fs_read", "fs_write" */
	struct fs_grant *v;
	size_t n;
};

/* Opens every path of l (may be NULL).  0 or -errno with a message
 * naming the path; on failure nothing stays open. */
int fsspecial_grants_open(struct fs_grants *g, const char *field, const struct sl_strv *l);
void fsspecial_grants_close(struct fs_grants *g);

/* Records in d that no procfs or cgroup mount, nor an overlay with a
 * layer on one, gets a Landlock right: the supervisor's proc view (and
 * cgroup view) opens what the sandbox may see there on its behalf.  0 or -errno with a message
 * naming the mount. */
int fsspecial_hide_proc(struct fsdeny *d, const struct mounts *mnts);

/* Checks the grants against the mount table and records in d what they
 * may not reach; root: the planning thread's euid is 0.  Returns 0 or
 * -errno with a message naming the grant, the mount or the device and
 * why. */
int fsspecial_apply(struct fsdeny *d, const struct mounts *mnts, const struct fs_grants *read,
		    const struct fs_grants *write, bool root);

/* The directory the command starts in (dir, or ours when NULL: it
 * inherits it) must be what its path shows: a directory a later mount
 * covers would lead the command to files no check of the grants saw (a
 * devtmpfs or a procfs mounted beneath it).  0 or -errno with a message. */
int fsspecial_check_start_dir(const char *dir);

/* Entries searched for devices at most, in all (E2BIG beyond). */
#define FSSPECIAL_MAX_SCAN 100000

#endif
