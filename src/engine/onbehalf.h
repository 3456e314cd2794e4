/* SPDX-License-Identifier: Apache-2.0 */
/*
 * onbehalf.h - a call on a path, made by the supervisor for the child.
 *
 * Landlock (ABI 7) does not see chmod, chown, utimes, xattrs, inotify
 * watches or a connect to a pathname unix socket.  Deciding on the path
 * the child passed and answering CONTINUE is a TOCTOU:
 * another thread rewrites the buffer, or a symlink is swapped, after the
 * check.  So the supervisor makes the call itself, on the object the
 * kernel resolves, and answers with its result:
 *
 *   1. the path is read once from the child (mem_read_cstr);
 *   2. it is resolved as the notifying thread would resolve it: from the
 *      call's dirfd (reopened O_PATH through /proc/<pid>/task/<tid>/fd/<n>:
 *      a duplicate's close would drop the host's POSIX locks on the
 *      file, see onbehalf_child_fd), from the thread's
 *      own working directory (task/<tid>/cwd: threads may have their own)
 *      for AT_FDCWD, and beneath the sandbox's root for an absolute path
 *      (openat2 RESOLVE_IN_ROOT).  Never through a magic link
 *      (RESOLVE_NO_MAGICLINKS): our /proc/self is the supervisor's.  The
 *      caller's own /proc/self, /proc/thread-self and /proc/<its pid>
 *      entries (cwd, root, fd/N) are opened through its bound /proc
 *      directory instead.  Every open through /proc is followed by a check
 *      that the notification is still pending (its tid named the
 *      notifier throughout);
 *   3. the decision is on the object's identity (st_dev, st_ino), not on
 *      a name: the identities of the granted and denied trees are taken
 *      once at set-up, and the walk goes from the object (a file: from
 *      the directory it was found in) up through ".." to the root,
 *      crossing mounts as Landlock does.  Writable: a writable tree on
 *      the way and no denied one, the object not on a kernel pseudo
 *      filesystem, not a device node, not a directory on the way to a
 *      denied path.  Readable: a readable or writable tree, no denied
 *      one.  A failed resolution is reported only when the deepest
 *      directory it reached is readable: elsewhere it is EACCES, so
 *      ENOENT never tells what exists outside the readable trees;
 *   4. the operation runs on the resolved fd, with the child's
 *      credentials (aschild.h), and its result is the answer.
 *
 * The resolution, the decision and the operation all run with the
 * child's credentials: a directory the child cannot search is not
 * searched for it.
 */
#ifndef SL_ONBEHALF_H
#define SL_ONBEHALF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct onbehalf;
struct sl_ctx;
struct sl_action;
struct sandlock_sandbox;

/* What the policy must grant on the object: read, write, or nothing (the
 * tenant decides on the object's identity alone, never granting access:
 * a view, such as a synthetic file in place of a real one).  OB_ANY
 * resolves in one openat2, with no walk, with the child's credentials
 * like the others (resolved first as the supervisor, a second resolution
 * on a match made the match slower: its time told what exists in a
 * directory the child may not search).  OB_UNDENIED: no grant needed,
 * but no --fs-deny path (nor a policy callback's deny_path) on the way:
 * a view of a file the policy denies is not served either. */
enum ob_need { OB_READ, OB_WRITE, OB_ANY, OB_UNDENIED };

#define OB_NOFOLLOW   0x1u /* the last component is not followed (AT_SYMLINK_NOFOLLOW) */
#define OB_EMPTY_PATH 0x2u /* "" names the dirfd's own file (AT_EMPTY_PATH) */
/* With OB_EMPTY_PATH and "": the caller has reopened the dirfd's file
 * already (onbehalf_fd_file, which also proved it an open file, not
 * O_PATH) and passes it in ob_req's base: the core uses that one instead
 * of reopening the child's fd a second time.  Still the caller's. */
#define OB_FILE_BASE 0x4u

/* An operation's answer meaning "would block: hold the notification and
 * offer it again later" (onbehalf_answer). */
#define ONBEHALF_HOLD (-100000L)

/* The resolved object, as the operation gets it. */
struct ob_obj {
	int fd; /* O_PATH, or the caller's own file for AT_EMPTY_PATH */
	struct stat st;
};

/* Runs with the child's credentials; >= 0 (the answer), or -errno. */
typedef long (*ob_op_fn)(const struct ob_obj *o, void *arg);

struct ob_req {
	int dirfd;	  /* AT_FDCWD or the caller's fd number */
	int base;	  /* with OB_FILE_BASE only: our reopen of dirfd's file */
	const char *path; /* read once from the child (onbehalf_read_path) */
	unsigned int flags;
	enum ob_need need;
	ob_op_fn op;
	void *arg;
	/* NULL: a refusal is recorded as a denial event; else its reason
	 * is stored here instead (a report that records it its own way) */
	const char **why;
};

/* Takes the identities of policy's trees.  ruleset: a Landlock ruleset
 * that confines onbehalf_call_confined (a worker applies it to itself,
 * see aschild.h), or -1; not taken.  0 or -errno with a message. */
int onbehalf_new(struct onbehalf **out, const struct sandlock_sandbox *policy, int ruleset);
void onbehalf_free(struct onbehalf *ob); /* NULL is fine */

struct sl_sup;
/* The sandbox's core, shared by its tenants: the first call creates it
 * (the trees' identities are taken once per sandbox, not per tenant),
 * the others take a reference.  ruleset >= 0 adds the Landlock-confined
 * executor (one tenant may ask for it).  0 or -errno with a message; on
 * success, onbehalf_put() once at the tenant's release (NULL: nothing
 * was taken). */
int onbehalf_get(struct sl_sup *s, const struct sandlock_sandbox *policy, int ruleset,
		 struct onbehalf **out);
void onbehalf_put(struct onbehalf *ob);

/* Opens the sandbox's root now, from the command's bound /proc directory,
 * rather than at the first call (an attached hook: the command is
 * exec'ing meanwhile).  Nothing on failure: the first call opens it. */
void onbehalf_prefetch(struct onbehalf *ob, struct sl_sup *s);

/* Reads a path argument (at most PATH_MAX bytes with its NUL) into buf.
 * 0, -EFAULT, or -ENAMETOOLONG as the kernel's getname. */
int onbehalf_read_path(struct sl_ctx *c, uint64_t addr, char *buf, size_t size);

/* Resolves, decides and runs q->op: its result, -EACCES when the policy
 * refuses, or -errno (the resolution's, when it may be told). */
long onbehalf_run(struct onbehalf *ob, struct sl_ctx *c, const struct ob_req *q);

/* Identities denied while the sandbox runs (a policy callback's
 * deny_path): fn(arg, st) is asked of the object and of every directory
 * above it, as fs_denied's are, from any thread (fn locks for itself);
 * NULL: none.  Set while no call runs (a feature's init and release). */
void onbehalf_set_deny(struct onbehalf *ob, bool (*fn)(void *arg, const struct stat *st),
		       void *arg);
/* Whether the policy denies any path (fs_deny, or a deny function set):
 * else OB_UNDENIED allows everything. */
bool onbehalf_denies(const struct onbehalf *ob);

/* The same without a path: fn(arg) with the child's credentials. */
long onbehalf_call(struct onbehalf *ob, struct sl_ctx *c, long (*fn)(void *arg), void *arg);
/* The notifying thread's filesystem uid (the one the kernel's owner
 * checks compare): 0 or -errno. */
int onbehalf_child_fsuid(struct onbehalf *ob, struct sl_ctx *c, uid_t *out);
/* The same on an executor of the caller's (aschild.h: one made with a
 * Landlock ruleset of its own). */
struct aschild;
long onbehalf_call_on(struct onbehalf *ob, struct sl_ctx *c, struct aschild *as,
		      long (*fn)(void *arg), void *arg);
/* And confined by the ruleset given to onbehalf_new (-EPERM without one):
 * on a worker thread, a hand-off of 5 to 30 us. */
long onbehalf_call_confined(struct onbehalf *ob, struct sl_ctx *c, long (*fn)(void *arg),
			    void *arg);

/* The kinds of file onbehalf_child_fd hands over. */
#define OB_FD_SOCKET 0x1u
#define OB_FD_ANON   0x2u /* an anonymous inode: inotify, eventfd... */

/* Our duplicate of the notifying thread's fd n (pidfd_getfd on a thread
 * pidfd): the same open file, only when it is of one of the kinds asked
 * for.  A file of another kind never enters this process's table: our
 * close of it would drop the host's POSIX locks on it.  fd, or -errno
 * (-EBADF: no such fd; -ENOTSOCK: another kind; -EPERM, -ENOSYS:
 * pidfd_getfd refused here). */
int onbehalf_child_fd(struct onbehalf *ob, struct sl_ctx *c, int n, unsigned int kinds);
/* Whether the child's fds can be duplicated here (the fetcher started:
 * pidfd_getfd works); starts the fetcher now if it was not. */
bool onbehalf_can_fetch(struct onbehalf *ob);

/* A message that passes files of the child's (SCM_RIGHTS), for
 * onbehalf_send_fds.  Its fd numbers are the notifying thread's. */
#define OB_SEND_FDS_MAX 253 /* the kernel's SCM_MAX_FD */
struct sockaddr;
struct ob_send {
	int sock;		   /* our duplicate of the child's socket */
	int target;		   /* an O_PATH fd of the socket file to send to, or -1 */
	const struct sockaddr *to; /* else this address (NULL: none) */
	unsigned int tolen;
	const void *data;
	size_t len;
	int flags; /* sendmsg's, as given (MSG_DONTWAIT is the caller's to add) */
	const int *fds;
	int nfds; /* 1 to OB_SEND_FDS_MAX */
};

/* Sends s with the child's files: a file of the child's must not enter
 * this process's table (see onbehalf_child_fd), so the fetcher, a thread
 * with a table of its own, duplicates them from the notifying thread,
 * makes the send and closes them there.  It sends with the child's
 * credentials: only when its ids are the child's, with no effective
 * capability (aschild.h).  Runs where the caller runs (an operation of
 * onbehalf_run or onbehalf_call).  The bytes sent, or -errno: the send's,
 * -EBADF for an fd the child does not have, -EPERM when the fetcher
 * cannot be started (pidfd_getfd refused) or the ids differ. */
long onbehalf_send_fds(struct onbehalf *ob, struct sl_ctx *c, const struct ob_send *s);

/* A function of a duplicate of the child's fd, run on the fetcher (its
 * own file table): fd is that duplicate, of any kind, closed there after
 * the call (fn must neither close it nor hand it over: see
 * onbehalf_child_fd); m reaches the notifier's memory from that thread
 * (mem.h: its listener is the fetcher's copy).  It must not block. */
struct sl_memref;
typedef long (*ob_fd_fn)(int fd, const struct sl_memref *m, void *arg);

/* fn(our duplicate of the notifying thread's fd n, ...) on the fetcher,
 * with the child's credentials: only when the fetcher's ids are the
 * child's, with no effective capability for the call (a root host's
 * would open what the child cannot).  fn's result, or -errno: -EBADF for
 * no such fd, -EPERM when the fetcher cannot be started (pidfd_getfd
 * refused) or the ids differ, -ESRCH when the notification is gone. */
long onbehalf_fd_call(struct onbehalf *ob, struct sl_ctx *c, int n, ob_fd_fn fn, void *arg);

/* The object behind the notifying thread's fd n, as an O_PATH fd of
 * ours (reopened through its /proc entry: no duplicate of the child's
 * file, so its close drops no lock of the host's), the notification
 * still pending once it is open.  -EBADF for no such fd, -ESRCH when the
 * notification is gone, or -errno. */
int onbehalf_fd_object(struct sl_ctx *c, int n);
/* The same, only when the thread's fd n is an open file of that object,
 * not O_PATH (fdinfo read after our open: flags, mount and inode), so
 * that a call the kernel would make on fd n (fchmod, fchown, futimens,
 * fsetxattr) may be made on ours instead of continued: a continued call
 * takes fd n again, which another thread may have pointed elsewhere
 * (dup2) since the check.  st (NULL: not wanted): its stat.  The fd, or
 * -EBADF (no such fd, O_PATH, or not the object any more), -ESRCH.
 * Its stat holds what statx gives (no times, blocks or block size). */
int onbehalf_fd_file(struct sl_ctx *c, int n, struct stat *st);
/* The notifying thread's task/<tid>/name (cwd, root, fd/N: a magic link,
 * followed) under its bound /proc directory, opened O_PATH | flags, the
 * notification still pending after (the tid named the notifier
 * throughout): an fd, or -errno. */
int onbehalf_task_open(struct sl_ctx *c, const char *name, int flags);

/* The action for an operation's result r. */
void onbehalf_answer(struct sl_action *a, long r);

/* When path names an entry of the caller's own /proc directory through
 * /proc/self, /proc/thread-self or /proc/<tgid>: writes to out the same
 * entry relative to /proc/<tgid> ("task/<tid>/..." for thread-self) and
 * returns 1; 0 when it does not; -ENAMETOOLONG.  Pure (unit-tested). */
int onbehalf_proc_self(const char *path, int tgid, int tid, char *out, size_t size);

/* The magic link a relative /proc/<tgid> path starts with (cwd, root,
 * fd/N, also under task/<tid>/): its length in *len (0 none), whether
 * it is a root, and where the rest of the path starts.  Pure. */
struct ob_magic {
	size_t len;
	bool root;
	const char *rest;
};
void onbehalf_magic(const char *rel, struct ob_magic *m);

#endif
