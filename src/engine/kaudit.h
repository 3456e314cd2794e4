/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kaudit.h - Landlock's refusals from the kernel's own audit records.
 *
 * Since Landlock ABI 7 the kernel writes an audit record for each access
 * a Landlock domain refuses (AUDIT_LANDLOCK_ACCESS: the domain's id, the
 * rights missing, the object), and one describing the domain when its
 * first refusal is logged (AUDIT_LANDLOCK_DOMAIN: its id and the pid that
 * made it, and the program it ran).  The command's process makes the
 * sandbox's domain before its exec, so its pid and our program name the
 * domain, and the domain's id every refusal after.  A process cannot
 * forge a record: the kernel takes no record of these types from user
 * space (user messages have their own range of types).  A refusal
 * read here is a kernel fact, and costs the sandbox nothing per call.
 *
 * What it needs: the audit multicast group (CAP_AUDIT_READ, the initial
 * user and network namespaces), audit enabled (checked with AUDIT_GET,
 * which takes CAP_AUDIT_CONTROL: root on the host, not a default Docker
 * container), and the child's landlock_restrict_self() asked to log after
 * its exec (LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON: by default the kernel
 * logs only what the restricting program itself is refused), and not to
 * log the domains the command makes under it (LOG_SUBDOMAINS_OFF: their
 * record names the same pid, and a host whose program is the command's
 * too, python3 running python3, could not tell it by the program; the
 * command's own use of Landlock goes unlogged).  Elsewhere
 * the explain feature (src/features/explain.c) predicts the refusals.
 */
#ifndef SL_KAUDIT_H
#define SL_KAUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_denials;

#define KAUDIT_PENDING 32

struct kaudit_rec {
	uint64_t domain;
	char blockers[96];
	char target[192];
};

struct kaudit {
	int fd;
	pid_t root; /* the command: it makes the domain */
	/* and it runs this program when it does (ours: it has not exec'd):
	 * the command itself, with the same pid, may make a domain of its
	 * own after its exec, which must not pass for the sandbox's */
	char exe[256];
	uint64_t domain;
	bool domain_known;
	/* refusals of a domain not known yet (its record follows the first) */
	struct kaudit_rec pending[KAUDIT_PENDING];
	size_t n_pending;
	struct sl_denials *out;
};

/* A socket that receives the audit records: an fd (O_CLOEXEC,
 * non-blocking), or -errno: -EPERM (no right to read them here),
 * -ENODATA (audit is disabled). */
int kaudit_open(void);

/* Reads what is queued (never blocks), recording the domain's refusals. */
void kaudit_read(struct kaudit *k);
/* The records the kernel may still be writing, at the end of a run: reads
 * for at most wait_ms more. */
void kaudit_drain(struct kaudit *k, int wait_ms);

/* One record's text (after the "audit(...): " prefix), type its
 * AUDIT_LANDLOCK_* type: pure, unit-tested. */
void kaudit_record(struct kaudit *k, int type, const char *text, size_t len);

#endif
