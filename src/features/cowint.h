/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowint.h - what the seccomp copy-on-write layer's files share
 * (cowlayer.c: the state, placing a path, the operations, the opens and
 * the feature; cowpaths.c: the path calls, the two-path calls, metadata
 * through an fd, statfs; cowlist.c: listings; cowquota.c: max_disk;
 * cowsteer.c: chdir and exec; cowout.c: changes that leave the workdir).
 * Internal to src/features/.
 */
#ifndef SL_COWINT_H
#define SL_COWINT_H

#include <linux/limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>

#include "layer.h"

struct aschild;
struct onbehalf;
struct sl_action;
struct sl_ctx;
struct sl_feature;

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

#define CL_DIRS 16 /* listings kept per sandbox */

/* One listing served from the open file at position next. */
struct cl_dir {
	bool used;
	dev_t dev;
	ino_t ino;
	uint64_t next, clock;
	struct layer_dir d;
};

#define CL_TRACKED 8 /* files last opened for writing, watched for max_disk */

struct cl_tracked {
	int fd;	       /* ours, a duplicate */
	int64_t bytes; /* its blocks when last seen */
};

/* max_disk's running count (cowquota.c). */
struct cl_quota {
	bool counted;	   /* base is an exact count */
	uint64_t base;	   /* the upper's bytes then */
	int64_t added_at;  /* layer_added() then */
	uint64_t fd_grown; /* the tracked files' growth since */
	uint64_t slack;	   /* the checked calls' own bounds since */
	size_t calls;	   /* checked calls since */
	size_t budget;	   /* how many before the next exact count */
	struct cl_tracked t[CL_TRACKED];
	size_t nt;
};

/* A program only the lower held, copied into the upper for an exec by a
 * relative name (cowsteer.c): taken back at the end of the run when
 * nothing changed it since (its stat and a digest of its bytes and
 * xattrs as the copy left them), so the change list and the commit
 * never show it. */
struct cl_copy {
	char *rel;	 /* its path under the upper */
	struct stat sb;	 /* the copy's, when made */
	uint64_t digest; /* of its bytes and xattrs then */
};

struct cl_state {
	struct onbehalf *ob;
	struct layer l;
	int lower, upper, work;
	dev_t lower_dev, upper_dev; /* their filesystems */
	char wd[PATH_MAX];	    /* the workdir's canonical name */
	char up[PATH_MAX];	    /* the upper's */
	size_t wdl, upl;
	uint64_t max_disk; /* 0: none */
	struct cl_quota q;
	struct cl_dir dirs[CL_DIRS];
	uint64_t clock;
	/* the opens outside the workdir: made under the command's own
	 * Landlock ruleset (the kernel's decision on the object we hold) */
	struct aschild *confined;
	int ruleset;
	bool dev_fd; /* /dev/fd is the host's link to /proc/self/fd */
	/* the object the open chain's entry resolved for notification
	 * stash_id (cowlayer_stash), for the late open handler */
	int stash_fd;
	uint64_t stash_id;
	size_t proc_off; /* this feature's block of a process (struct cl_proc) */
	/* a listing of a directory that is not the layer's goes on to the
	 * chain's next (deterministic_dirs, the /proc view, this feature's
	 * tail): the object this feature checked for notification
	 * dents_id, for them to list only that */
	bool dents_set;
	uint64_t dents_id;
	dev_t dents_dev;
	ino_t dents_ino;
	struct cl_copy *copies; /* the exec copies made (cowsteer.c) */
	size_t ncopies;
};

/* Per process of the sandbox. */
struct cl_proc {
	/* 1 + the fd number of the upper's root this process was handed for
	 * an absolute chdir (/dev/fd/N/a/b), 0 none: handed again only when
	 * that fd no longer names it */
	int root_fd1;
};

struct place {
	char abs[PATH_MAX]; /* in the workdir's names, for the layer */
	char raw[PATH_MAX]; /* the kernel's names (before the upper's renaming) */
};

enum cl_op {
	OP_OPEN,
	OP_STAT,
	OP_READLINK,
	OP_ACCESS,
	OP_UNLINK,
	OP_RMDIR,
	OP_MKDIR,
	OP_MKNOD,
	OP_RENAME,
	OP_LINK,
	OP_SYMLINK,
	OP_CHMOD,
	OP_CHOWN,
	OP_UTIMENS,
	OP_TRUNCATE,
	OP_SETXATTR,
	OP_GETXATTR,
	OP_LISTXATTR,
	OP_RMXATTR,
	OP_LOOKUP,
	OP_USAGE,
	OP_LINKFD,
	OP_READDIR,
	OP_MATERIALIZE,
};

struct job {
	struct cl_state *st;
	enum cl_op op;
	const char *a, *b; /* paths (b: rename's, link's target; symlink's target text) */
	int flags;	   /* the layer's (LAYER_FOLLOW), or open's, or rename's */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool now;
	struct timespec ts[2];
	off_t len;
	char name[XATTR_NAME_MAX + 1];
	void *buf;
	size_t size;
	struct stat sb;
	struct layer_node n;   /* OP_LOOKUP */
	int fd;		       /* OP_LINKFD */
	bool made;	       /* OP_OPEN: the open made the name */
	struct layer_dir *dir; /* OP_READDIR */
};

struct out_q {
	int op; /* OP_OPEN, OP_STAT, OP_READLINK, OP_ACCESS */
	int flags;
	int mode;
	struct stat sb;
	char *buf;
	size_t size;
	/* cowl_outside_run's: an object of the layer met on the way (a
	 * symlink outside that leads back in) is named here, for the layer */
	const struct cl_state *st;
	char *inside; /* PATH_MAX bytes */
	bool back;
};

/* The feature whose state is struct cl_state. */
const struct sl_feature *cowl_self(void);

/* The kernel's name of an fd of ours: 0, -ESTALE for an object with no
 * name (removed, anonymous), or -errno. */
int cowl_fd_name(int fd, char *buf, size_t size);
/* The notifying thread's cwd as the kernel names it (its cwd link, the
 * notification proven pending after): 0, -ESTALE (removed), -errno. */
int cowl_cwd_name(struct sl_ctx *c, char *out);
/* ".." and "." of an absolute path resolved by name (the kernel's walk
 * when no symlink is met on the way), in place. */
void cowl_lexical(char *p);
/* Whether the kernel, walking path from its base, meets only names
 * cowl_lexical keeps: ".." only at the start of a relative path. */
bool cowl_plain_walk(const char *path);
/* /dev/fd/N, /dev/std*: the host's links to /proc/self/fd, named as the
 * caller's /proc/self/fd/N in place (PATH_MAX bytes). */
void cowl_dev_fd(const struct cl_state *st, char *path);
/* Whether p is dir (dl bytes) or beneath it. */
bool cowl_under(const char *p, const char *dir, size_t dl);
/* abs named in the workdir's terms (an upper name renamed): 1 when it is
 * under the workdir, 0 when not, -ENAMETOOLONG. */
int cowl_to_workdir(const struct cl_state *st, char *abs);
/* Where the thread's (dirfd, path) lands: 1 when under the workdir (p
 * filled), 0 when not the layer's, or -errno. */
int cowl_place(struct cl_state *st, struct sl_ctx *c, int dirfd, const char *path, bool empty,
	       bool nofollow, struct place *p);
/* A readlink of the caller's own /proc magic link (cwd, fd/N, of
 * /proc/self, thread-self, /proc/<its pid>) whose target is in the
 * upper: 1 with the workdir's name of it in out (PATH_MAX bytes), as
 * getcwd and every placed call name it; 0 for any other path; -errno. */
int cowl_magic_upper(struct cl_state *st, struct sl_ctx *c, const char *path, char *out);
/* j on the layer, with the child's credentials. */
long cowl_job_run(struct sl_ctx *c, struct job *j);
/* max_disk: ENOSPC when the upper's bytes and growth reach it (judged on
 * an exact count; a running bound below it lets the call go on). */
long cowl_quota(struct sl_ctx *c, struct cl_state *st, uint64_t growth);
/* A file the layer opened for writing (fd: ours), watched for growth. */
void cowl_quota_track(struct cl_state *st, int fd);
/* The watched files let go. */
void cowl_quota_release(struct cl_state *st);
mode_t cowl_umask_of(struct sl_ctx *c);
/* The layer answered EXDEV: 1 with where the path continues outside. */
int cowl_outside_of(struct sl_ctx *c, struct cl_state *st, const char *abs, int lflags, char *out);
/* A path the layer left through the workdir's ".." ("<wd>/../rest"):
 * 1 when it comes back into the workdir (out, PATH_MAX bytes, rewritten
 * to its name there), else 0. */
int cowl_back_inside(const struct cl_state *st, char *out);
/* j on the layer, walked again when it left by the workdir's ".." and
 * came back in (abs: PATH_MAX bytes, its new name). */
long cowl_layer_call(struct sl_ctx *c, struct job *j, char *abs, int lflags);
/* An open, stat, readlink or access through a symlink out of the
 * workdir, by the on-behalf core on where it continues. */
long cowl_outside_run(struct sl_ctx *c, struct cl_state *st, const char *abs, int lflags,
		      struct out_q *q);

/* j (its operation and arguments) made on the host's path a (and b: a
 * rename's or link's target) where the layer continues outside the
 * workdir (cowout.c): the answer, or -errno. */
long cowl_out_change(struct sl_ctx *c, struct cl_state *st, const struct job *j, const char *a,
		     const char *b, int lflags);

/* The handlers of the other files. */
void cowl_on_path(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_path2(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_fdmeta(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_ioctl(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_getdents64(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_getdents(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_getdents64_tail(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_getdents_tail(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_chdir(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_statfs(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_getcwd(struct sl_ctx *c, struct sl_action *a, void *arg);
void cowl_on_exec(struct sl_ctx *c, struct sl_action *a, void *arg);
/* The exec copies the run left as made removed from the upper (the
 * lower's file shows again), before the change list or the commit reads
 * it; the list freed.  Nothing of the sandbox runs any more. */
void cowl_steer_release(struct cl_state *st);

#endif
