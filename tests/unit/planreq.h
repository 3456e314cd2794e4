/* SPDX-License-Identifier: Apache-2.0 */
/* planreq.h - the seccomp request the library makes for a policy (tests). */
#ifndef SL_TEST_PLANREQ_H
#define SL_TEST_PLANREQ_H

#include <stdbool.h>
#include <stddef.h>

#include "filter.h"

/* The registered features' rules for cfg (tty: handed the terminal),
 * then the user handlers' syscalls; fails the test if they cannot be
 * gathered.  planreq_free() frees the rules. */
struct filter_req planreq(const struct sandlock_sandbox *cfg, bool tty, const int *user,
			  size_t n_user);
void planreq_free(struct filter_req *req);
/* True if some rule notifies nr (in any form). */
bool planreq_notifies(const struct filter_req *req, int nr);

#endif
