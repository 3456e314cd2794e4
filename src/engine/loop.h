/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop.h - one sandbox's run on the event loop (evloop.h): its command's
 * pidfd and its capture pipes are registered next to what the engine
 * registered (the listener, the tracked pidfds, the timers), so
 * notifications are answered and output of any size is drained while the
 * command runs.
 */
#ifndef SL_LOOP_H
#define SL_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_buf;
struct sl_ev;
struct sl_sup;

struct sl_loop {
	struct sl_sup *sup; /* its loop is where this run registers */
	int pidfd;	    /* the command's */
	int out_fd, err_fd; /* capture pipes, -1 when not capturing or at EOF */
	struct sl_buf *out, *err;
	struct sl_ev *pid_ev, *out_ev, *err_ev; /* registrations, kept across loop_run calls */
	bool exited, registered;
};

enum { LOOP_EXITED = 0, LOOP_DEADLINE = 1, LOOP_FAILED = 2 };

/* Runs until the command has exited (LOOP_EXITED), the monotonic deadline
 * (ms, < 0 = none) has passed (LOOP_DEADLINE), or the loop cannot go on
 * (LOOP_FAILED: the caller must end the sandbox, fail closed). */
int loop_run(struct sl_loop *l, int64_t deadline_ms);

/* Takes this run's registrations out of the loop. */
void loop_release(struct sl_loop *l);

/* After the exit: reads what is left in the capture pipes.  Stops at EOF
 * or when a pipe stays silent for a short grace period (a process that
 * escaped the process group may hold it open). */
void loop_drain(struct sl_loop *l);

#endif
