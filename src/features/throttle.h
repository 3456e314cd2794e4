/* SPDX-License-Identifier: Apache-2.0 */
/*
 * throttle.h - max_cpu: a CPU budget for the sandbox.
 *
 * The sandbox earns pct % of one core of CPU time as wall time passes
 * (banked up to one 100 ms period's worth, so short bursts run at full
 * speed) and spends what its processes use, measured from the kernel's
 * per-process CPU clocks every 10 ms.  When the budget runs out, every
 * tracked process and the root's group are stopped (SIGSTOP) until the
 * budget is back to zero, then continued (SIGCONT).  Over any stretch of
 * time the processes together get at most pct % of one core (plus one
 * period's bank); unlike a fixed duty cycle (0.8.0), a sandbox that stays
 * under its share is never stopped.
 *
 * The kernel has no unprivileged per-group CPU cap without cgroups;
 * stopping is the mechanism the spec names.  What a program can see: its
 * parent may get SIGCHLD with CLD_STOPPED/CLD_CONTINUED (unless it set
 * SA_NOCLDSTOP), and a blocking syscall interrupted by the stop restarts
 * (or returns EINTR where the kernel does not restart it).
 *
 * Pure state machine: the supervisor measures and signals.
 */
#ifndef SL_THROTTLE_H
#define SL_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define THROTTLE_PERIOD_MS 100 /* the bank: one period's share */
#define THROTTLE_TICK_MS   10  /* how often the CPU clocks are read */

struct sl_throttle {
	unsigned pct; /* 1..99; 0 = off */
	bool stopped;
	int64_t next_ms; /* next check (monotonic ms) */
	int64_t last_ms; /* the previous check */
	int64_t bank_us; /* CPU time the sandbox may still use */
};

void throttle_init(struct sl_throttle *t, unsigned pct, int64_t now_ms);
/* Next check, or -1 when off. */
int64_t throttle_next(const struct sl_throttle *t);
/* A check at now_ms, given the CPU time (us) the sandbox used since the
 * previous one.  Returns the signal to send (SIGSTOP, SIGCONT) or 0. */
int throttle_check(struct sl_throttle *t, int64_t now_ms, int64_t used_us);

#endif
