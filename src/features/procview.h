/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procview.h - the proc view: a sandboxed process sees only the
 * sandbox's own processes in /proc.
 *
 * Landlock gives procfs no right at all (fsspecial_hide_proc), so the
 * kernel refuses every open there that the supervisor did not make.  The
 * opens are notified (synthetic.c: one resolution for the views and this)
 * and decided on the object the kernel resolved: its pid directory, found
 * by walking up from the object to the procfs root, never from the
 * child's string.  An outside process's object is ENOENT; anything else
 * on procfs is opened by the supervisor with the child's credentials and
 * injected.  procview.c also filters listings of the procfs root and
 * hides outside processes from the path calls Landlock does not see
 * (stat, access, readlink, chdir).
 */
#ifndef SL_PROCVIEW_H
#define SL_PROCVIEW_H

#include <linux/limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ob_obj;
struct onbehalf;
struct sl_ctx;
struct sl_action;
struct sl_procs;

enum pv_kind {
	PV_NOT_PROC, /* not on a procfs */
	PV_PROC,     /* the root, a non-process entry, or a member's */
	PV_OURS,     /* the supervisor's own directory: "self" resolved by us */
	PV_HIDDEN,   /* a process outside the sandbox (or one gone) */
	PV_UNPLACED, /* in a procfs subtree mounted elsewhere (a bind mount of
		      * /proc/sys): its place under the root is unknown */
};

/* Where an object lies in /proc. */
struct pv_where {
	enum pv_kind kind;
	/* PV_OURS: where the procfs is (the path the kernel prints for its
	 * root, "/proc"), and the object below the supervisor's own entry
	 * ("status", "net/dev"), below one of its threads' task/<tid> when
	 * thread: the same object of the caller's own is
	 * <root>/<tgid>[/task/<tid>]/<rest> */
	char root[PATH_MAX];
	char rest[PATH_MAX];
	bool thread;
};

/* Classifies the resolved object o (its own fd and stat).  Runs where an
 * on-behalf operation runs (the engine's thread or a worker, the engine
 * waiting).  0 or -errno (an object on procfs whose place cannot be told
 * is PV_HIDDEN, never an error). */
int procview_classify(const struct ob_obj *o, struct sl_procs *ps, struct pv_where *w);

/* The pids of the sandbox's live processes, after registering the
 * children forked since the last look: for a check made where the index
 * cannot be reached (the fetcher thread: the index's pidfds are in the
 * engine's file table).  A malloc'd array in *out (the caller frees it).
 * 0 or -ENOMEM. */
int procview_members(struct sl_procs *ps, pid_t **out, size_t *n);
/* Whether a procfs root's entry named name (len bytes, not NUL-ended) is
 * listed, given procview_members' set: a non-numeric name, or a member. */
bool procview_name_listed(const pid_t *members, size_t n, const char *name, size_t len);

/* Whether the path names the supervisor's own pid as a component: an
 * object in its /proc directory reached so is an outside process's (the
 * supervisor's), not the caller's own reached through "self" (PV_OURS).
 * A path string only chooses between the caller's own entry and ENOENT:
 * either is safe. */
bool procview_names_ours(const char *path);

/* Whether a top-level procfs entry named name (len bytes) is a process
 * outside the sandbox. */
bool procview_name_hidden(struct sl_procs *ps, const char *name, size_t len);

/* Whether a procfs object may be opened at its first resolution (one
 * lookup per open): the policy denies no path (no fs_deny tree could lie
 * inside /proc) and grants the read of the sandbox's /proc, whose
 * device is kept (another procfs mount goes the long way).  Decided once
 * per sandbox, at its first open of a procfs object. */
struct pv_fast {
	int state; /* 0 unknown, 1 yes, -1 no */
	dev_t dev;
};
struct sandlock_sandbox;
bool procview_fast(struct onbehalf *ob, struct sl_ctx *c, const struct sandlock_sandbox *policy,
		   struct pv_fast *f);
/* In the first resolution's operation (the child's ids, no capability),
 * on a PV_PROC object o: its read-only open under f, an fd, -errno, or
 * PV_OPEN_LONG when it must go the long way (procview_open). */
#define PV_OPEN_LONG (-300000L)
long procview_open_here(const struct ob_obj *o, const struct pv_fast *f, uint64_t flags);

/* In an operation (the child's ids): o opened again for reading through
 * our fd of it, with the flags of flags an open keeps (O_DIRECTORY,
 * O_NONBLOCK...): the fd, or -errno (-ELOOP for a symlink, O_NOFOLLOW's;
 * -EEXIST for O_CREAT|O_EXCL; -ENOTDIR). */
long procview_reopen(const struct ob_obj *o, uint64_t flags);
/* The path the kernel prints for our fd (d_path, through
 * /proc/thread-self: a worker thread with other ids than the process's
 * may not read /proc/self/fd).  0 or -errno. */
int procview_fd_path(int fd, char *buf, size_t size);

/* The answer to an open of an object w (not PV_NOT_PROC, not PV_HIDDEN)
 * named path from dirfd with flags: the object reopened by the supervisor
 * with the child's credentials and injected, or an errno (EACCES for a
 * write: procfs is never writable in a sandbox), or continued when a
 * second resolution meets an object off procfs (a rename between: the
 * kernel then opens it under Landlock). */
void procview_open(struct onbehalf *ob, struct sl_ctx *c, int dirfd, const char *path,
		   uint64_t flags, const struct pv_where *w, struct sl_action *a);

#endif
