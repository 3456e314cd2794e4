/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cowlayer.h - the seccomp copy-on-write layer (workdir with fs_isolation
 * none): the supervisor serves every path call that lands in the workdir
 * from the branch's merged view (src/cow/layer.h).  See cowlayer.c.
 */
#ifndef SL_COWLAYER_H
#define SL_COWLAYER_H

#include <stdbool.h>
#include <stdint.h>

struct sl_ctx;
struct sl_action;

/* An open (open, openat, creat) whose path was read once by the open
 * chain's entry (synthetic.c): true when the path lands in the workdir
 * and *a is the answer (an injected fd or an errno), false when it is not
 * the layer's (the caller goes on with the same path).  Engine thread. */
bool cowlayer_open(struct sl_ctx *c, struct sl_action *a, int dirfd, const char *path,
		   uint64_t flags, uint64_t mode);

#endif
