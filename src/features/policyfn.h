/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policyfn.h - the policy callback (sandlock_sandbox_builder_policy_fn):
 * the syscalls it holds, the events it is shown, its verdicts.
 *
 * Held syscalls wait for the verdict before anything is done for the
 * child: execve and execveat, openat (open and creat too), bind, and
 * connect and the sends that name a destination (sendto, sendmsg,
 * sendmmsg: asked by the sockets feature, unixsock.c, on the very copy
 * of the address it then connects or sends to, after the static network
 * policy).  No other syscall makes an event.  The callback runs on a
 * thread of its own; the supervisor waits for it at most
 * policy_fn_timeout_ms (1000 by default): a callback that does not
 * answer in time, or whose thread ended (pthread_exit, cancellation),
 * denies, and every later event is denied at once (fail closed).
 */
#ifndef SL_POLICYFN_H
#define SL_POLICYFN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feature.h"

#define POLICYFN_TIMEOUT_MS 1000 /* the default wait for a verdict */

/* A verdict as the callback returned it: 0 to allow (*audit set for -2,
 * the audit verdict, which allows), or the errno to deny with: -1 is
 * EPERM, 1 to 4095 that errno; anything else denies with EPERM (a value
 * outside the documented ones never allows).  Pure. */
int policyfn_verdict(int32_t v, bool *audit);

/* The sockets feature's question before it connects or sends to the
 * address sa (len bytes; NULL or len 0: none, a unix socket's path is
 * never shown): 0 to go on, or -errno.  denied: the static policy has
 * refused it already (the event says so; the answer stays a refusal).
 * Also applies the live network policy (policyctx.h).  0 when no callback
 * is set.  Supervisor thread. */
struct sl_ctx;
long policyfn_net(struct sl_ctx *c, const void *sa, size_t len, bool denied);

extern const struct sl_feature feature_policyfn;

#endif
