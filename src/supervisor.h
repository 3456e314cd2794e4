/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supervisor.h - the seccomp user-notification supervisor.
 *
 * One dispatch point: every notification is received by
 * supervisor_handle_one(), looked up by syscall number in a table of
 * handlers, and answered exactly once.  A syscall without a handler (none
 * should reach us) is answered by the fail-closed default, EPERM; a
 * handler error denies, it never continues.
 *
 * Handlers are classified as:
 *   register-only  decides on seccomp_data registers alone;
 *   emulate        performs the syscall in the supervisor and writes the
 *                  result into the child (never CONTINUE after reading a
 *                  pointer argument: that is a TOCTOU by construction);
 *   deny           answers with an errno.
 */
#ifndef SL_SUPERVISOR_H
#define SL_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

#define SUPERVISOR_MAX_NOTIFY 64

/* The syscalls this policy routes to the supervisor (only what the active
 * features need: every notified syscall costs a round trip). */
size_t supervisor_notify_list(const struct sandlock_sandbox *cfg, int *out, size_t max);

struct seccomp_notif;
struct seccomp_notif_resp;

struct sl_sup {
	int listener;
	char nodename[SL_NAME_MAX + 1]; /* the sandbox name (uname) */
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
	uint64_t handled; /* notifications answered */
};

/* Takes ownership of listener (closed by supervisor_release, also on
 * failure).  0 or -errno with a message. */
int supervisor_init(struct sl_sup *s, int listener, const char *name);
/* Closes the listener: the kernel then fails every pending and future
 * notified syscall with ENOSYS (fail closed).  Called when the listener
 * breaks or hangs up. */
void supervisor_detach(struct sl_sup *s);
void supervisor_release(struct sl_sup *s);

/* Receives one notification and answers it.  Returns 0, or -errno when
 * the listener is gone (every process of the sandbox has exited). */
int supervisor_handle_one(struct sl_sup *s);

#endif
