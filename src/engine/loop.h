/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop.h - the supervisor's event loop: one poll() over the seccomp
 * listener, the child's pidfd and the capture pipes, so notifications are
 * answered and output of any size is drained while the child runs.
 */
#ifndef SL_LOOP_H
#define SL_LOOP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "supervisor.h"
#include "util.h"

struct sl_loop {
	struct sl_sup *sup;
	int pidfd;
	int out_fd, err_fd; /* capture pipes, -1 when not capturing or at EOF */
	struct sl_buf *out, *err;
	struct pollfd *pfd; /* the poll set, kept across loop_run calls */
	size_t pfd_cap;
};

enum { LOOP_EXITED = 0, LOOP_DEADLINE = 1, LOOP_FAILED = 2 };

/* Runs until the child has exited (LOOP_EXITED), the monotonic deadline
 * (ms, < 0 = none) has passed (LOOP_DEADLINE), or the loop cannot go on
 * (LOOP_FAILED: the caller must end the sandbox, fail closed). */
int loop_run(struct sl_loop *l, int64_t deadline_ms);

/* Frees the poll set. */
void loop_release(struct sl_loop *l);

/* After the exit: reads what is left in the capture pipes.  Stops at EOF
 * or when a pipe stays silent for a short grace period (a process that
 * escaped the process group may hold it open). */
void loop_drain(struct sl_loop *l);

#endif
