/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policyctx.h - the live policy a policy callback changes while the
 * sandbox runs (the sandlock_ctx_* calls), and the feature that enforces
 * its denied paths on opens.
 *
 * The live policy only ever narrows the static one (its ceiling): each
 * query answers "the static policy allows it AND the live one does".
 *   - network: restrict_network(ips) replaces the live list of IP
 *     addresses (or CIDR ranges) a connect or a send with an address may
 *     reach; [] reaches none.  grant_network(ips) adds to it again, and
 *     cannot reach past the static policy, which is checked first.
 *     restrict_pid_network(pid, ips) sets a list for one process (its
 *     thread-group id) that replaces the live list for it.  Unix sockets
 *     are no egress: not concerned.  A socket connected before keeps its
 *     peer (send and write name none);
 *   - max_memory, max_processes: the live limit is the smallest asked,
 *     never above the static one;
 *   - deny_path(path) / allow_path(path): the object path names when the
 *     call is made (its device and inode, resolved on the host's view,
 *     following symlinks) enters or leaves a set of denied identities.
 *     An open (open, openat, creat) of that object, or of anything under
 *     it when it is a directory, fails EACCES, and so does every call the
 *     on-behalf core makes (onbehalf.h: chmod, chown, xattrs...).  The
 *     static fs_denied paths stay denied: allow_path lifts only what
 *     deny_path added.
 * Calls made from a callback the supervisor gave up on (timed out, or
 * ended) are ignored: pctx_kill.
 *
 * Thread-safe: the callback's thread writes, the supervisor and the
 * on-behalf workers read; one mutex.  Refcounted: an abandoned callback
 * thread may outlive the sandbox.
 */
#ifndef SL_POLICYCTX_H
#define SL_POLICYCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "feature.h"

struct sandlock_ctx;
struct sl_sup;

/* A new live policy (one reference), or NULL when out of memory. */
struct sandlock_ctx *pctx_new(void);
void pctx_ref(struct sandlock_ctx *x);
void pctx_unref(struct sandlock_ctx *x); /* NULL is fine */
/* Later sandlock_ctx_* calls on x do nothing. */
void pctx_kill(struct sandlock_ctx *x);

/* Whether the live policy lets process pid reach the socket address sa
 * (len bytes): true for anything but an IPv4 or IPv6 address. */
bool pctx_net_allows(struct sandlock_ctx *x, pid_t pid, const void *sa, size_t len);
/* The live limits under a static one. */
uint64_t pctx_max_memory(struct sandlock_ctx *x, uint64_t ceiling);
uint32_t pctx_max_processes(struct sandlock_ctx *x, uint32_t ceiling);
/* Whether st's identity was denied by deny_path (and not allowed again). */
bool pctx_denied(struct sandlock_ctx *x, const struct stat *st);
/* Whether any identity is denied now. */
bool pctx_any_denied(struct sandlock_ctx *x);

/* The sandbox's live policy (the policyctx feature's), or NULL when no
 * callback is set.  Supervisor thread. */
struct sandlock_ctx *policyctx_of(struct sl_sup *s);

/* The live limits for the engine's features (the static limit when no
 * callback is set). */
uint64_t policyctx_max_memory(struct sl_sup *s, uint64_t ceiling);
uint32_t policyctx_max_processes(struct sl_sup *s, uint32_t ceiling);

extern const struct sl_feature feature_policyctx;

#endif
