/* SPDX-License-Identifier: Apache-2.0 */
/*
 * throttle.h - max_cpu: duty-cycle the sandbox's processes (spec 2.10).
 *
 * Each 100 ms period the sandbox runs for pct ms and is stopped (SIGSTOP)
 * for the rest, then continued (SIGCONT).  The signals go to every
 * tracked process and the root's process group, so the processes
 * together get at most pct % of one core over a period, however many
 * there are.  The kernel has no unprivileged per-group CPU cap without
 * cgroups; this is the mechanism the spec names.  Side effects a program
 * can see: its parent may get SIGCHLD with CLD_STOPPED/CLD_CONTINUED
 * (unless it set SA_NOCLDSTOP), and a blocking syscall interrupted by the
 * stop restarts (or returns EINTR where the kernel does not restart).
 *
 * Pure state machine; the supervisor sends the signals.
 */
#ifndef SL_THROTTLE_H
#define SL_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define THROTTLE_PERIOD_MS 100

struct sl_throttle {
	unsigned pct; /* 1..99; 0 = off */
	bool stopped;
	int64_t next_ms; /* next switch (monotonic ms) */
};

void throttle_init(struct sl_throttle *t, unsigned pct, int64_t now_ms);
/* Next switch time, or -1 when off. */
int64_t throttle_next(const struct sl_throttle *t);
/* If a switch is due at now_ms, performs it and returns the signal to
 * send (SIGSTOP or SIGCONT); else 0. */
int throttle_due(struct sl_throttle *t, int64_t now_ms);

#endif
