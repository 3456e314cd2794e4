/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aschild.h - running a function with the sandboxed child's credentials.
 *
 * What the supervisor does on a child's behalf (a chmod, a connect) must
 * not succeed where the child itself would fail.  The kernel checks the
 * credentials of the task making the call: the supervisor may run as
 * root with every capability while the child runs with none
 * (privdrop.c), so an inline chmod of another user's file in a writable
 * /tmp would pass the owner check the child fails.
 *
 * Two ways to run fn(arg):
 *   - on the calling (supervisor) thread, when its ids are the child's:
 *     always, today (the child is spawned from that thread, and keeps its
 *     ids: no capability is left to change them).  If the thread holds
 *     effective capabilities (a root host), its effective set is emptied
 *     for the call, every signal blocked, and restored after: two capsets,
 *     about 3 us;
 *   - on a worker thread, when the ids differ (a host that changed its
 *     own since) or a Landlock ruleset is to confine the call (unixsock.c:
 *     the sandbox's TCP rules).  Capabilities and ids are per thread
 *     (capset, and the raw setres[ug]id/setgroups syscalls: libc's
 *     wrappers would change every thread of the host), so the worker drops
 *     all its capabilities but CAP_SETUID/CAP_SETGID from its permitted
 *     set for good, and for each call takes the child's real, effective
 *     and filesystem ids and groups with no effective capability at all,
 *     then returns to its own ids.  Without CAP_SETUID/CAP_SETGID it
 *     cannot take other ids: -EPERM.  A hand-off costs 5 to 30 us here,
 *     more when it wakes a halted vCPU (the worker is moved to the
 *     caller's CPU while it sleeps).
 *
 * The peer of a unix socket connected this way sees the child's uid and
 * gids (SO_PEERCRED reports the effective ids) but the supervisor's pid.
 *
 * Not thread-safe: one supervisor thread calls it.  The worker runs one
 * call at a time, while the caller waits.
 */
#ifndef SL_ASCHILD_H
#define SL_ASCHILD_H

#include <stdbool.h>

struct aschild;
struct sl_creds;

/* ruleset: a Landlock ruleset the worker applies to itself before any
 * call (and a worker is used even unprivileged), or -1.  Not taken: the
 * caller closes it.  0 or -errno with a message. */
int aschild_new(struct aschild **out, int ruleset);
/* Stops the worker (waits for it).  NULL is fine. */
void aschild_free(struct aschild *a);

/* fn(arg) with creds: its result, or -EPERM when the credentials cannot
 * be taken (the worker could not start or return to its own ids: every
 * later call fails too). */
long aschild_run(struct aschild *a, const struct sl_creds *creds, long (*fn)(void *arg), void *arg);

/* fn(arg) on this thread with its own ids and no effective capability
 * for its length: the child's view of what it may search, for a caller
 * whose ids are the child's (a sandbox keeps its creator's ids) and that
 * needs no more (a view's lookup: onbehalf.h's OB_ANY).  Its result, or
 * -EPERM. */
long aschild_run_capless(struct aschild *a, long (*fn)(void *arg), void *arg);

/* Whether the calling thread's real, effective and filesystem ids and
 * groups are creds' (what the kernel checks of a call made there). */
bool aschild_ids_are(const struct sl_creds *creds);

/* Whether calls run on the worker (after the first call). */
int aschild_on_worker(const struct aschild *a);

#endif
