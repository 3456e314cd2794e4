/* SPDX-License-Identifier: Apache-2.0 */
/* result.h - how a sandbox ended, plus its captured output. */
#ifndef SL_RESULT_H
#define SL_RESULT_H

#include <stdbool.h>

#include "sandlock.h"
#include "util.h"

struct sandlock_result {
	int status; /* enum sandlock_status */
	int code;   /* exit code, -1 unless SANDLOCK_STATUS_EXITED */
	int sig;    /* terminating signal, 0 when none */
	bool captured;
	struct sl_buf out, err; /* owned */
	char *note;		/* why it ended, when known beyond the status */
};

/* A result taking ownership of out/err (which may be NULL when not
 * captured); note (may be NULL or empty) is copied.  NULL on ENOMEM
 * (out/err are then freed). */
sandlock_result_t *result_new(int status, int code, int sig, struct sl_buf *out, struct sl_buf *err,
			      const char *note);

#endif
