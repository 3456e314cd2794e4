/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layer.h - the seccomp copy-on-write layer's core: the merged view of a
 * branch's upper (the staged changes) over its lower (the workdir), and
 * the path operations a supervisor performs in it on a sandboxed
 * command's behalf.
 *
 * Every operation takes a path relative to the workdir and returns what
 * the syscall it stands for would: >= 0, or -errno.  The changes are
 * written in the upper format overlayfs writes (cow.h: whiteouts, opaque
 * directories, no redirect), so the change list, the dry run, the commit
 * and the recovery of src/cow/ apply to them unchanged.
 *
 * Every walk is by file descriptor, one component at a time, each
 * component opened beneath its parent's fd (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV).  A
 * symlink met on the way is read from the layer that holds it and its
 * target resolved again by this walk, as the kernel would for the
 * command: "." and ".." are handled here on the walk's own stack (never
 * an open of ".."), so no name can lead out of the workdir or the upper.
 * A path that leaves the workdir (an absolute symlink elsewhere, a ".."
 * above it) is not followed: LAYER_OUTSIDE is returned with the absolute
 * path it continues to, for the caller to decide.
 *
 * The operations below answer -EXDEV for a path that leaves the
 * workdir: the caller looks a path up first (layer_lookup) to learn where
 * it continues and decides there, on the host's terms.  (EXDEV is also a
 * mount point met inside the workdir, which the layer does not cross.)
 *
 * Every change names one component in a directory fd of ours; chmod,
 * chown, times and xattrs go through an O_PATH fd of the entry: no
 * string the command wrote reaches a path-based call.  Each name changes
 * in one rename where a work directory is given (layerwork.c).  Calls
 * may run on several threads at once: they share no state but the trees.
 *
 * Modes are taken as given (the caller applies the command's umask);
 * set-id bits and device nodes are the seccomp filter's to refuse (by
 * register, before any notification).
 *
 * Credentials: the supervisor calling this runs as the command's uid and
 * gid (the caller refuses otherwise): the permission checks that guard a
 * copy-up (write access, ownership for chmod, chown and times) are the
 * kernel's, made with faccessat(AT_EACCESS) on the entry where it is
 * before anything is copied.
 */
#ifndef SL_LAYER_H
#define SL_LAYER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct timespec;

/* A lookup's answer, besides 0 and -errno: the path leaves the workdir. */
#define LAYER_OUTSIDE 1

/* How many symlinks one walk follows (the kernel's MAXSYMLINKS). */
#define LAYER_MAX_LINKS 40

struct layer {
	int lower; /* the workdir (O_DIRECTORY), borrowed */
	int upper; /* the branch's upper (O_DIRECTORY), borrowed */
	/* the branch's work directory, on the upper's filesystem, or -1:
	 * an entry is made whole there and renamed into place, a removed
	 * one renamed there leaving its whiteout, so each name changes in
	 * one step (without it, in two: a reader may see the lower's entry
	 * in between, a crash may leave it visible) */
	int work;
	bool user_xattr;     /* overlay marks as user.overlay.* (else trusted.) */
	const char *workdir; /* its canonical absolute path (outside answers) */
};

enum layer_where {
	LAYER_NONE,  /* absent (never there, or a whiteout) */
	LAYER_UPPER, /* the upper holds it (a directory may merge the lower's) */
	LAYER_LOWER, /* only the lower holds it */
};

/* Where a merged name is.  The parent is open in both layers where it
 * exists (-1 where it does not, or where an opaque upper hides the
 * lower). */
struct layer;
struct layer_node {
	int up, low;		   /* the parent directory in each layer, or -1 */
	const struct layer *owner; /* whose root fds up and low may be (kept open) */
	enum layer_where where;	   /* the name's holder */
	bool in_lower;		   /* the lower holds the name visibly (a removal whites it out) */
	bool whiteout;		   /* the upper holds a whiteout at the name */
	bool opaque;		   /* the name is an opaque upper directory */
	bool low_dir;		   /* the name is a directory that merges a lower directory */
	struct stat st;		   /* its lstat in its holder (where != LAYER_NONE) */
	const char *name;	   /* its last component, in path ("." for the root) */
	char path[PATH_MAX];	   /* the resolved relative path ("." for the root) */
	char outside[PATH_MAX];	   /* LAYER_OUTSIDE: the absolute path it continues to */
};

/* A bound on the bytes the copy-ups of every layer of this process have
 * added to their uppers since it started (monotonic): max_disk's running
 * count takes its growth between two exact counts (layer_usage). */
int64_t layer_added(void);

/* Lookup flags. */
#define LAYER_FOLLOW 1 /* a final symlink is followed */

/* Resolves path (relative to the workdir; an absolute one is taken as
 * the kernel would from /, and answered LAYER_OUTSIDE unless it is in
 * the workdir).  0 with *n filled (where may be LAYER_NONE for the last
 * component only), LAYER_OUTSIDE with n->outside, or -errno (ENOENT,
 * ENOTDIR, ELOOP, ENAMETOOLONG, EXDEV for a mount inside the workdir).
 * Release with layer_node_put. */
int layer_lookup(const struct layer *l, const char *path, int flags, struct layer_node *n);
void layer_node_put(struct layer_node *n);

/* The merged object's stat (flags: LAYER_FOLLOW for stat, 0 for lstat);
 * a readlink of a symlink into buf (not terminated: the length). */
int layer_stat(const struct layer *l, const char *path, int flags, struct stat *st);
ssize_t layer_readlink(const struct layer *l, const char *path, char *buf, size_t len);
/* faccessat's answer (mode: F_OK or R_OK | W_OK | X_OK, judged with the
 * caller's effective ids; flags: LAYER_FOLLOW unless AT_SYMLINK_NOFOLLOW). */
int layer_access(const struct layer *l, const char *path, int mode, int flags);

/* An open(2) of path with flags and (created) mode: an fd (O_CLOEXEC
 * always: the caller injects it with the flag the command asked for).
 * A read opens the file in its holder; a write, O_CREAT, O_TRUNC or
 * O_APPEND copies it up first (data, mode, times, user xattrs, its
 * parents with their modes); O_TMPFILE opens in the merged directory's
 * upper.  A directory opened is the upper's when it has one, else the
 * lower's: its listing is layer_readdir's, not getdents on that fd. */
int layer_open(const struct layer *l, const char *path, int flags, mode_t mode);
/* The same, *made set when this open made the name (O_CREAT where the
 * view had none): the caller may take it back (layer_unlink) when the
 * fd cannot be handed over. */
int layer_open_made(const struct layer *l, const char *path, int flags, mode_t mode, bool *made);

int layer_unlink(const struct layer *l, const char *path);
int layer_rmdir(const struct layer *l, const char *path);
int layer_mkdir(const struct layer *l, const char *path, mode_t mode);
/* renameat2's flags: RENAME_NOREPLACE; RENAME_EXCHANGE of two names
 * that are not directories (both copied up, swapped in one rename);
 * RENAME_WHITEOUT and an exchange of directories are refused (EINVAL). */
int layer_rename(const struct layer *l, const char *from, const char *to, unsigned flags);
/* flags: LAYER_FOLLOW (linkat's AT_SYMLINK_FOLLOW) */
int layer_link(const struct layer *l, const char *from, const char *to, int flags);
int layer_symlink(const struct layer *l, const char *target, const char *path);
/* A name for fd, a file of ours with none (an O_TMPFILE layer_open made
 * in the upper), linked at path as linkat(AT_SYMLINK_FOLLOW) of
 * /proc/self/fd/N would. */
int layer_link_fd(const struct layer *l, int fd, const char *path);
/* path (followed) made to exist in the upper as it is (copied up with its
 * parents, a directory without its contents: the merged view and the
 * change list do not change), for a caller that needs the upper's own
 * object (a cwd there). */
int layer_materialize(const struct layer *l, const char *path);
/* A FIFO, a socket or an empty regular file (a device: EPERM). */
int layer_mknod(const struct layer *l, const char *path, mode_t mode);
/* flags: LAYER_FOLLOW (chmod, chown; fchmodat without it on a symlink:
 * EOPNOTSUPP).  uid/gid -1: unchanged. */
int layer_chmod(const struct layer *l, const char *path, mode_t mode, int flags);
int layer_chown(const struct layer *l, const char *path, uid_t uid, gid_t gid, int flags);
/* times: utimensat's (NULL: now; UTIME_NOW, UTIME_OMIT honoured). */
int layer_utimens(const struct layer *l, const char *path, const struct timespec times[2],
		  int flags);
int layer_truncate(const struct layer *l, const char *path, off_t len);

/* user.* extended attributes (anything else: EOPNOTSUPP; overlay's own
 * user.overlay.* marks: EPERM to set or remove, never read or listed).
 * flags: setxattr's (XATTR_CREATE, XATTR_REPLACE).  get and list return
 * the length (size 0: the size needed). */
int layer_setxattr(const struct layer *l, const char *path, const char *name, const void *value,
		   size_t size, int flags);
int layer_removexattr(const struct layer *l, const char *path, const char *name);
ssize_t layer_getxattr(const struct layer *l, const char *path, const char *name, void *value,
		       size_t size);
ssize_t layer_listxattr(const struct layer *l, const char *path, char *list, size_t size);

/* A merged directory's listing as linux_dirent64 records ("." and ".."
 * first, then upper and lower names minus whiteouts, an opaque
 * directory's lower left out, each name once, sorted by name: a stable
 * order), the snapshot of one opendir: the caller pages it out. */
struct layer_dir {
	unsigned char *buf; /* the records, one allocation */
	size_t len;	    /* bytes used */
	size_t n;	    /* records */
	size_t *off;	    /* record i starts at off[i] */
};

int layer_readdir(const struct layer *l, const char *path, struct layer_dir *d);
/* getdents64 from record *pos into out (size bytes): the bytes written,
 * *pos advanced; 0 at the end; -EINVAL when not even one record fits.
 * Each record's d_off is the position after it. */
ssize_t layer_dir_page(const struct layer_dir *d, uint64_t *pos, void *out, size_t size);
void layer_dir_free(struct layer_dir *d);

/* The bytes the upper holds (blocks allocated, whole tree), for a
 * max_disk answered with ENOSPC.  >= 0, or -errno. */
int64_t layer_usage(const struct layer *l);
/* layer_usage, with the number of entries it walked in *entries. */
int64_t layer_usage_count(const struct layer *l, size_t *entries);

#endif
