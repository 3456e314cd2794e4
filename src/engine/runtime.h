/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.h - the per-user directory of running sandboxes.
 *
 * The root (mode 0700, owned by the user) is /run/sandlock for root
 * (when /run is a tmpfs),
 * $XDG_RUNTIME_DIR/sandlock when that is a directory of the user's (a
 * login session), /run/user/<euid>/sandlock when the variable is missing
 * but the session's directory is there, else /dev/shm/sandlock-<euid>.
 * It holds one directory
 * per named sandbox that asked for a control socket:
 *
 *   NAME/lock          flock(LOCK_EX) held by the sandbox's supervisor for
 *                      as long as it runs: the kernel drops it when the
 *                      process dies, SIGKILL included, so a live name is a
 *                      kernel fact and a stale one is found by taking it;
 *                      holds the supervisor's pid, for messages
 *   NAME/control.sock  a SOCK_SEQPACKET socket the supervisor serves
 *                      (control.h), only to peers of the same euid
 *
 * A sandbox never changes the directory nor talks to a socket in it:
 * when one of its write grants covers it (names it, a directory above it,
 * or anything beneath it), the directory is added to its denied paths
 * (runtime_guard; so are the other roots of the user's that exist: a run
 * from another environment picks another one), so Landlock and the
 * on-behalf core refuse it like any --fs-deny path; a connect needs a
 * writable tree anyway.  A read grant over it shows the names and the
 * supervisors' pids.
 * (The price: in the directory above it, a covering grant no longer makes
 * new entries, as around any denied path; so the root is kept out of
 * /dev/shm and /tmp, which sandboxes are often given, where it can.)
 *
 * Every path is checked as it is opened: the root must be a directory of
 * ours, not a symlink, with no access for group or others (another user
 * who made /dev/shm/sandlock-<our uid> first gets a refusal, never our
 * sockets).
 */
#ifndef SL_RUNTIME_H
#define SL_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#include "util.h"

#define RUNTIME_SOCK "control.sock"
#define RUNTIME_LOCK "lock"
/* the largest request and reply a control socket carries */
#define RUNTIME_MSG_MAX (256 * 1024)

struct sandlock_sandbox;

/* The root's path (no I/O).  0, or -ENAMETOOLONG. */
int runtime_root_path(char *out, size_t len);

/* The root, opened O_PATH|O_DIRECTORY and checked (ours, 0700, not a
 * symlink); made first when create.  fd, or -errno with a message
 * (-ENOENT when it does not exist and !create). */
int runtime_root_open(bool create);

/* A claimed name: the lock held, the socket bound and listening. */
struct runtime_claim {
	int lock_fd, sock_fd, dir_fd, root_fd;
	char name[72];
	struct sockaddr_un addr;
};

/* Claims name for this process: -EBUSY with a message naming the live
 * sandbox that holds it; a stale entry (its holder died) is taken over.
 * c is left with every fd -1 on failure. */
int runtime_claim(struct runtime_claim *c, const char *name);
/* Removes the entry (socket, lock file, directory) and closes the fds. */
void runtime_release(struct runtime_claim *c);

/* *guarded is set to a copy of policy with the runtime root added to its
 * denied paths when one of its write grants covers the root (the
 * root is made first, so that it exists to be denied), else NULL.  0 or
 * -errno with a message. */
int runtime_guard(const struct sandlock_sandbox *policy, struct sandlock_sandbox **guarded);

/* The names of the live sandboxes (sorted), in *out.  An absent root is
 * an empty list.  0 or -errno with a message. */
int runtime_names(struct sl_strv *out);

/* Sends request to the sandbox name and returns its reply (malloc'd,
 * NUL-terminated) in *reply.  -ENOENT when no live sandbox has that
 * name; -errno with a message otherwise. */
int runtime_request(const char *name, const char *request, char **reply);

#endif
