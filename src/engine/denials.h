/* SPDX-License-Identifier: Apache-2.0 */
/*
 * denials.h - what the supervisor refused, as structured events.
 *
 * Every refusal the supervisor decides (a path outside the grants, a
 * destination outside the network policy, a limit reached) is recorded
 * with the time, the pid, the executable (the kernel's /proc/PID/exe, not
 * the name a process gives itself), the syscall, the errno the call got,
 * what it named (a path as given, an address, a size) and the rule or
 * default that refused it, with the flag that would allow it.  Landlock's
 * own refusals come too under explain_denials: from the kernel's audit
 * records (kaudit.h) or predicted (src/features/explain.c), each event
 * saying which source it is.  The seccomp filter's deny list logs
 * nothing and is not here.
 *
 * Kept in memory: the first DENIALS_MAX / 2 events of a sandbox, the
 * last DENIALS_MAX / 2 (those nearest a failure: a process that makes
 * hundreds of refusals first cannot push them out), and a count of all.
 * Thread-safe (the on-behalf workers and the engine record).
 */
#ifndef SL_DENIALS_H
#define SL_DENIALS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DENIALS_MAX 512

struct sl_denial {
	int64_t time_ms; /* CLOCK_REALTIME */
	pid_t pid;
	int nr;		    /* the syscall */
	int err;	    /* the errno the call got */
	const char *source; /* static: "supervisor", "audit", "explain" */
	char op[24];	    /* the operation, when no syscall is known (nr -1) */
	char exe[128];
	char target[192];
	char rule[192];
};

struct sl_denials {
	pthread_mutex_t lock;
	bool lock_init;
	struct sl_denial *v; /* the first half, then the last half as a ring */
	size_t n;
	size_t ring; /* where the oldest of the last half is, once full */
	uint64_t total;
};

int denials_init(struct sl_denials *d);
void denials_release(struct sl_denials *d);
/* Records one (target and rule are copied, cut to fit; source is a
 * static string: who saw the refusal). */
void denials_add(struct sl_denials *d, const char *source, pid_t pid, int nr, int err,
		 const char *target, const char *rule);
/* One with no syscall known (an audit record, an HTTP request): op names
 * the operation (copied, cut to fit); pid 0 when unknown. */
void denials_add_op(struct sl_denials *d, const char *source, const char *op, pid_t pid, int err,
		    const char *target, const char *rule);
uint64_t denials_total(struct sl_denials *d);
/* The events as JSON lines in their order (one object per line: time_ms,
 * pid, exe, syscall, errno, target, rule), and a last {"dropped":N} line
 * when more happened than were kept (those between the halves); malloc'd in *out ("" for none).  0
 * or -ENOMEM. */
int denials_json(struct sl_denials *d, char **out);

#endif
